/*
 * What the parts of the sig module share, and nothing outside it may
 * include (sig.h is the contract; this header builds on it).  The module
 * is cut along its seams:
 *
 *   sig.c         the map of the wire forms; errors and how untrusted
 *                 bytes are shown in them
 *   sig-wire.c    reading and writing the wire form (RFC 4251 section 5)
 *   sig-key.c     public keys: parsing, fingerprints, the text form
 *   sig-sshsig.c  the SSHSIG format: armor, what is signed, verifying
 *   sig-agent.c   the ssh-agent protocol: listing keys, signing
 *   sig-keygen.c  signing with a key file through "ssh-keygen -Y sign"
 *
 * The rule all of them keep: untrusted bytes are read only through a
 * struct reader, whose wire_get_* functions check every length against
 * what is left.
 */
#ifndef LOGBOOK_SIG_INT_H
#define LOGBOOK_SIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/buf.h"
#include "journal/sig.h"

/* ---- errors (sig.c) ---- */

/* errset() the message; returns -1, to return in turn */
int sig_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* a part of some bytes, not owned */
struct span {
	const unsigned char *p;
	size_t len;
};

/* bytes from outside, fit for a message: printable ASCII, the rest as \xNN, cut at 40 */
#define SIG_SHOWN_SIZE 200
const char *sig_shown(struct span s, char out[SIG_SHOWN_SIZE]);

static inline bool span_is(struct span s, const char *lit)
{
	return s.len == strlen(lit) && !memcmp(s.p, lit, s.len);
}

static inline bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static inline bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ---- the wire form (sig-wire.c) ---- */

/* untrusted bytes being parsed: p and the len left after it */
struct reader {
	const unsigned char *p;
	size_t left;
};

/*
 * Each takes what it reads off the front of r, or returns false and
 * leaves r as it was when not enough is left.
 */
bool wire_get_bytes(struct reader *r, size_t n, const unsigned char **out);
bool wire_get_u8(struct reader *r, unsigned *v);
bool wire_get_u32(struct reader *r, uint32_t *v);
bool wire_get_string(struct reader *r, struct span *s);
/*
 * A positive mpint, its value without leading zeros in *s (empty for 0).
 * -1 and errget() when truncated, negative, or longer than max bytes.
 */
int wire_get_mpint(struct reader *r, struct span *s, size_t max, const char *what);
/* the bytes to parse: see sig-wire.c; free *copy after */
const unsigned char *wire_exact(const void *p, size_t len, unsigned char **copy);

void wire_put_u32(struct buf *b, uint32_t v);
void wire_put_string(struct buf *b, const void *data, size_t len);
void wire_put_cstring(struct buf *b, const char *s);
/* an mpint of a positive value given without leading zeros */
void wire_put_mpint(struct buf *b, struct span v);

/* ---- keys (sig-key.c) ---- */

enum key_kind { KEY_ED25519, KEY_ECDSA, KEY_RSA };

struct curve {
	const char *type;	/* the key type */
	const char *name;	/* the curve's name in the key */
	const char *group;	/* OpenSSL's name */
	const EVP_MD *(*md)(void);
	size_t field;		/* bytes of a coordinate */
	unsigned bits;
};

struct sig_key {
	enum key_kind kind;
	const char *type;		/* static */
	const struct curve *curve;	/* ECDSA only */
	unsigned bits;
	EVP_PKEY *pkey;
	unsigned char *blob;		/* the canonical wire form */
	size_t blob_len;
	char *comment;			/* never NULL */
};

/* a key from its wire form; NULL and errget() */
struct sig_key *sig_key_from_blob(const unsigned char *blob, size_t len);

/* ---- SSHSIG (sig-sshsig.c) ---- */

/* -1 and errget() when namespace is NULL or empty */
int sshsig_check_namespace(const char *namespace);
/* H(msg) with md into h (room for EVP_MAX_MD_SIZE) */
void sshsig_hash(const EVP_MD *md, const void *msg, size_t len, unsigned char *h, unsigned *h_len);
/* what SSHSIG signs: the preamble and H(message) under namespace */
void sshsig_signed_data(struct buf *out, const char *namespace, const char *hash_alg,
			const unsigned char *h, size_t h_len);
/* sig, an ssh signature (string algorithm, string blob), of data by k; -1 and errget() */
int sshsig_verify_raw(const struct sig_key *k, struct span sig, const unsigned char *data, size_t len);
/* the SSHSIG of signature (an ssh signature of sshsig_signed_data, SHA-512) by key, armored */
void sshsig_armored(const struct sig_key *key, const char *namespace, struct span signature,
		    struct buf *armored);

#endif
