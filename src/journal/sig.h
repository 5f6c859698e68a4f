/*
 * Signatures with the admins' own ssh keys, in OpenSSH's SSHSIG format
 * (PROTOCOL.sshsig), so that "ssh-keygen -Y verify" checks what logbook
 * signs and logbook checks what "ssh-keygen -Y sign" made.
 *
 * This module owns the ssh public key formats (the text of
 * authorized_keys and .pub files, which team.conf holds, and the wire
 * form of RFC 4253, 5656, 8709 and 8332), signing through the ssh-agent
 * at $SSH_AUTH_SOCK (in-process, the agent protocol of
 * draft-miller-ssh-agent) or through "ssh-keygen -Y sign" on a key file,
 * and verifying in-process with libcrypto.  It never holds a private key,
 * never decides whose key a key is (the caller looks the signer up among
 * the allowed keys), never prints and never exits.
 *
 * Key types: ssh-ed25519; ecdsa-sha2-nistp256, -nistp384, -nistp521
 * (with SHA-256, -384, -512); ssh-rsa of 1024 to 16384 bits, signed with
 * rsa-sha2-512 or rsa-sha2-256 only: SHA-1 signatures ("ssh-rsa") are
 * refused, and so are DSA, security keys (sk-*) and certificates.
 * Signatures made here hash the message with SHA-512, as ssh-keygen does;
 * verification also takes SHA-256 (ssh-keygen -O hashalg=sha256).
 *
 * Keys and signatures are untrusted data (they come from journals that
 * other hosts wrote): every length is checked against what is left before
 * it is used, and a failure says why in errget().
 *
 * An exchange with the agent that takes longer than $LOGBOOK_AGENT_TIMEOUT
 * seconds (1 to 3600, default 30: an agent may wait for its user to
 * confirm, ssh-add -c) is given up, so a stuck agent is an error, never
 * a hang.
 */
#ifndef LOGBOOK_SIG_H
#define LOGBOOK_SIG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/* the namespace of journal signatures (ssh-keygen -Y ... -n logbook) */
#define SIG_NAMESPACE "logbook"
/* room for a fingerprint, "SHA256:" and 43 base64 digits, and its NUL */
#define SIG_FINGERPRINT_SIZE 64

/* a parsed ssh public key, with its comment */
struct sig_key;

/*
 * A key in its text form, "ssh-ed25519 AAAA... comment", as a line of
 * authorized_keys or a .pub file: options before the type are skipped, the
 * comment is optional, a line ending (\n or \r\n) may follow.  The type
 * must be the one the data says.  NULL and errget() on failure.
 */
struct sig_key *sig_key_parse(const char *text, size_t len);
void sig_key_free(struct sig_key *k);
/* free n keys and the array */
void sig_keys_free(struct sig_key **keys, size_t n);
/* "ssh-ed25519", "ecdsa-sha2-nistp256" (384, 521) or "ssh-rsa" */
const char *sig_key_type(const struct sig_key *k);
/*
 * The comment, "" when there is none: bytes as written (no NUL, CR or LF,
 * but maybe control characters or invalid UTF-8), to escape before they
 * reach a terminal.
 */
const char *sig_key_comment(const struct sig_key *k);
/* the size ssh-keygen -l shows: 256 for Ed25519, the curve's, the modulus's */
unsigned sig_key_bits(const struct sig_key *k);
/* "SHA256:<base64 without padding>" of the wire form, as ssh-keygen -l prints */
void sig_key_fingerprint(const struct sig_key *k, char out[SIG_FINGERPRINT_SIZE]);
/* append the text form, "<type> <base64>" and " <comment>" when there is one */
void sig_key_format(const struct sig_key *k, struct buf *out);
/* the same public key (comments do not count) */
bool sig_key_equal(const struct sig_key *a, const struct sig_key *b);

/*
 * Sign the len bytes of msg under namespace (not empty): append the
 * armored SSHSIG, "-----BEGIN SSH SIGNATURE-----\n", the base64 of the
 * signature in lines of 70, "-----END SSH SIGNATURE-----\n", to armored,
 * byte for byte what ssh-keygen -Y sign writes.  0, or -1 and errget().
 *
 * sig_sign_agent asks the agent at $SSH_AUTH_SOCK to sign with key (RSA
 * with rsa-sha2-512), and checks the signature it gets before using it.
 * The error says whether the agent is missing, does not hold the key or
 * refused.
 */
int sig_sign_agent(const struct sig_key *key, const char *namespace,
		   const void *msg, size_t len, struct buf *armored);
/*
 * The same with a private key file, through "ssh-keygen -Y sign -f
 * keyfile -n namespace" on a copy of the message in a private temporary
 * directory.  ssh-keygen may ask for the passphrase on the terminal;
 * without one, a key with a passphrase fails.  Its signature is verified
 * before it is returned.
 */
int sig_sign_keyfile(const char *keyfile, const char *namespace,
		     const void *msg, size_t len, struct buf *armored);

/*
 * The keys the agent at $SSH_AUTH_SOCK holds, in its order, with their
 * comments; keys of types this module does not support are left out.
 * *keys is malloc'd (free with sig_keys_free); none is not an error.
 * -1 and errget() when there is no agent or it fails.
 */
int sig_agent_keys(struct sig_key ***keys, size_t *n);

/*
 * Verify an armored SSHSIG of the len bytes of msg: it must be well formed
 * (header, base64, footer; then version 1, key, namespace, reserved, hash
 * algorithm, signature, nothing after), made under namespace, and the
 * signature must verify with the key it carries.  That key is returned in
 * *signer (the caller frees it) when signer is not NULL: whether it may
 * sign is the caller's question.  0 when good; -1 and errget() saying why
 * when not.
 */
int sig_verify(const char *armored, size_t alen, const char *namespace,
	       const void *msg, size_t len, struct sig_key **signer);

#endif
