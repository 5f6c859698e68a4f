/*
 * sig-sshsig: the SSHSIG signature format of OpenSSH (PROTOCOL.sshsig):
 * the armor, what is signed (a preamble and the hash of the message), and
 * verifying a signature with libcrypto.
 *
 * sig_verify takes only a whole, well-formed signature: armor no larger
 * than ARMOR_MAX, canonical base64, version 1, nothing after the last
 * field, the namespace asked for, a hash of sha512 or sha256, and a
 * signature algorithm the key's type may make (never SHA-1).  Signing
 * itself is elsewhere (sig-agent.c, sig-keygen.c); this file only builds
 * and checks what they produce.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "journal/sig-int.h"
#include "journal/sig.h"
#include "base/banned.h"

#define ARMOR_MAX (64 * 1024)
#define SSHSIG_MAGIC "SSHSIG"
#define SSHSIG_MAGIC_LEN 6
#define SSHSIG_VERSION 1
#define SSHSIG_LINE 70		/* the width ssh-keygen wraps its base64 at */

static const char begin_line[] = "-----BEGIN SSH SIGNATURE-----";
static const char end_line[] = "-----END SSH SIGNATURE-----";

int sshsig_check_namespace(const char *namespace)
{
	if (!namespace || !*namespace)
		return sig_fail("a signature needs a namespace");
	return 0;
}

/* 0 when sig is a good signature of data by pkey (md NULL for Ed25519); -1 and errget() */
static int evp_verify(EVP_PKEY *pkey, const EVP_MD *md, const unsigned char *sig, size_t sig_len,
		      const unsigned char *data, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1 &&
		 EVP_DigestVerify(ctx, sig, sig_len, data, len) == 1;

	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? 0 : sig_fail("the signature does not match: the message or the signature was changed");
}

static int verify_ecdsa(const struct sig_key *k, struct span raw, const unsigned char *data, size_t len)
{
	struct reader r = { raw.p, raw.len };
	struct span rs[2];
	ECDSA_SIG *es;
	BIGNUM *bn[2];
	unsigned char *der = NULL;
	int der_len, rc;

	if (wire_get_mpint(&r, &rs[0], k->curve->field, "ECDSA r") < 0 ||
	    wire_get_mpint(&r, &rs[1], k->curve->field, "ECDSA s") < 0)
		return -1;
	if (r.left)
		return sig_fail("%zu bytes after the ECDSA signature", r.left);
	if (!rs[0].len || !rs[1].len)
		return sig_fail("ECDSA signature with a zero r or s");
	es = ECDSA_SIG_new();
	bn[0] = BN_bin2bn(rs[0].p, (int)rs[0].len, NULL);
	bn[1] = BN_bin2bn(rs[1].p, (int)rs[1].len, NULL);
	if (!es || !bn[0] || !bn[1] || !ECDSA_SIG_set0(es, bn[0], bn[1])) {
		BN_free(bn[0]);
		BN_free(bn[1]);
		ECDSA_SIG_free(es);
		ERR_clear_error();
		return sig_fail("out of memory in libcrypto");
	}
	der_len = i2d_ECDSA_SIG(es, &der);
	ECDSA_SIG_free(es);
	if (der_len <= 0) {
		ERR_clear_error();
		return sig_fail("cannot encode the ECDSA signature");
	}
	rc = evp_verify(k->pkey, k->curve->md(), der, (size_t)der_len, data, len);
	OPENSSL_free(der);
	return rc;
}

static int verify_rsa(const struct sig_key *k, const EVP_MD *md, struct span raw,
		      const unsigned char *data, size_t len)
{
	size_t mod_len = (k->bits + 7) / 8;
	unsigned char *padded;
	int rc;

	if (!raw.len || raw.len > mod_len)
		return sig_fail("RSA signature of %zu bytes for a key of %zu", raw.len, mod_len);
	/* libcrypto wants the modulus' size; a signature may come without its leading zeros */
	padded = xcalloc(1, mod_len);
	memcpy(padded + mod_len - raw.len, raw.p, raw.len);
	rc = evp_verify(k->pkey, md, padded, mod_len, data, len);
	free(padded);
	return rc;
}

/* the signature in r (string algorithm, string blob, nothing after) of data by k */
static int verify_parsed(const struct sig_key *k, struct reader *r, const unsigned char *data, size_t len)
{
	struct span alg, raw;
	char s[SIG_SHOWN_SIZE];

	if (!wire_get_string(r, &alg) || !wire_get_string(r, &raw))
		return sig_fail("truncated signature");
	if (r->left)
		return sig_fail("%zu bytes after the signature", r->left);
	switch (k->kind) {
	case KEY_ED25519:
		if (!span_is(alg, k->type))
			break;
		if (raw.len != 64)
			return sig_fail("Ed25519 signature of %zu bytes, not 64", raw.len);
		return evp_verify(k->pkey, NULL, raw.p, raw.len, data, len);
	case KEY_ECDSA:
		if (!span_is(alg, k->type))
			break;
		return verify_ecdsa(k, raw, data, len);
	case KEY_RSA:
		if (span_is(alg, "rsa-sha2-512"))
			return verify_rsa(k, EVP_sha512(), raw, data, len);
		if (span_is(alg, "rsa-sha2-256"))
			return verify_rsa(k, EVP_sha256(), raw, data, len);
		if (span_is(alg, "ssh-rsa"))
			return sig_fail("RSA signature with SHA-1 (ssh-rsa) refused: only rsa-sha2-512 and rsa-sha2-256");
		break;
	}
	return sig_fail("a %s key cannot make a '%s' signature", k->type, sig_shown(alg, s));
}

int sshsig_verify_raw(const struct sig_key *k, struct span sig, const unsigned char *data, size_t len)
{
	unsigned char *copy;
	struct reader r = { wire_exact(sig.p, sig.len, &copy), sig.len };
	int rc = verify_parsed(k, &r, data, len);

	free(copy);
	return rc;
}

void sshsig_signed_data(struct buf *out, const char *namespace, const char *hash_alg,
			const unsigned char *h, size_t h_len)
{
	buf_add(out, SSHSIG_MAGIC, SSHSIG_MAGIC_LEN);
	wire_put_cstring(out, namespace);
	wire_put_string(out, "", 0);
	wire_put_cstring(out, hash_alg);
	wire_put_string(out, h, h_len);
}

void sshsig_hash(const EVP_MD *md, const void *msg, size_t len, unsigned char *h, unsigned *h_len)
{
	if (EVP_Digest(len ? msg : "", len, h, h_len, md, NULL) != 1)
		abort();	/* a hash of memory we hold cannot fail */
}

static void armor(struct buf *out, const unsigned char *blob, size_t len)
{
	struct buf b = BUF_INIT;

	base64_encode(&b, blob, len);
	buf_adds(out, begin_line);
	buf_addc(out, '\n');
	for (size_t i = 0; i < b.len; i += SSHSIG_LINE) {
		buf_add(out, b.data + i, b.len - i < SSHSIG_LINE ? b.len - i : SSHSIG_LINE);
		buf_addc(out, '\n');
	}
	buf_adds(out, end_line);
	buf_addc(out, '\n');
	buf_release(&b);
}

/* the blob inside the armor; -1 and errget() */
static int dearmor(const char *text, size_t len, struct buf *blob)
{
	size_t begin_len = sizeof begin_line - 1, end_len = sizeof end_line - 1;
	const char *p = text, *end = text + len, *foot, *after;

	if (len > ARMOR_MAX)
		return sig_fail("%zu bytes is too long for a signature", len);
	if (len < begin_len || memcmp(text, begin_line, begin_len))
		return sig_fail("not an ssh signature: it does not start with %s", begin_line);
	p += begin_len;
	if (p < end && *p == '\r')
		p++;
	if (p == end || *p != '\n')
		return sig_fail("no line break after %s", begin_line);
	/* the footer starts a line: look from the header's line break */
	foot = memmem(p, (size_t)(end - p), "\n-----END SSH SIGNATURE-----", end_len + 1);
	if (!foot)
		return sig_fail("no %s line", end_line);
	p++;
	for (after = foot + 1 + end_len; after < end; after++)
		if (!is_space(*after))
			return sig_fail("text after %s", end_line);
	if (base64_decode(blob, p, foot > p ? (size_t)(foot - p) : 0,
			  BASE64_CANONICAL_LINES) < 0)
		return sig_fail("the signature is not base64");
	return 0;
}

int sig_verify(const char *armored, size_t alen, const char *namespace,
	       const void *msg, size_t len, struct sig_key **signer)
{
	struct buf blob = BUF_INIT, tbs = BUF_INIT;
	struct reader r;
	struct span key, ns, reserved, hash_alg, sig;
	const unsigned char *magic;
	uint32_t version;
	struct sig_key *k = NULL;
	const EVP_MD *md;
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned h_len;
	char s[SIG_SHOWN_SIZE];
	unsigned char *copy = NULL;
	int rc = -1;

	if (signer)
		*signer = NULL;
	if (!namespace || !*namespace) {
		sig_fail("no namespace to verify under");
		goto out;
	}
	if (dearmor(armored, alen, &blob) < 0)
		goto out;
	r = (struct reader){ wire_exact(blob.data, blob.len, &copy), blob.len };
	if (!wire_get_bytes(&r, SSHSIG_MAGIC_LEN, &magic) || memcmp(magic, SSHSIG_MAGIC, SSHSIG_MAGIC_LEN)) {
		sig_fail("not an SSHSIG signature");
		goto out;
	}
	if (!wire_get_u32(&r, &version) || (version == SSHSIG_VERSION &&
	    (!wire_get_string(&r, &key) || !wire_get_string(&r, &ns) || !wire_get_string(&r, &reserved) ||
	     !wire_get_string(&r, &hash_alg) || !wire_get_string(&r, &sig)))) {
		sig_fail("truncated signature");
		goto out;
	}
	if (version != SSHSIG_VERSION) {
		sig_fail("SSHSIG version %" PRIu32 " is not supported (only %d)", version, SSHSIG_VERSION);
		goto out;
	}
	if (r.left) {
		sig_fail("%zu bytes after the signature", r.left);
		goto out;
	}
	if (!(k = sig_key_from_blob(key.p, key.len))) {
		errprefix("the signature's key");
		goto out;
	}
	if (!span_is(ns, namespace)) {
		sig_fail("the signature is for namespace '%s', not '%s'", sig_shown(ns, s), namespace);
		goto out;
	}
	(void)reserved;	/* PROTOCOL.sshsig: ignored, and not part of what is signed */
	if (span_is(hash_alg, "sha512"))
		md = EVP_sha512();
	else if (span_is(hash_alg, "sha256"))
		md = EVP_sha256();
	else {
		sig_fail("unsupported hash algorithm '%s' (sha512 or sha256)", sig_shown(hash_alg, s));
		goto out;
	}
	sshsig_hash(md, msg, len, h, &h_len);
	sshsig_signed_data(&tbs, namespace, span_is(hash_alg, "sha512") ? "sha512" : "sha256", h, h_len);
	if (sshsig_verify_raw(k, sig, (const unsigned char *)tbs.data, tbs.len) < 0)
		goto out;
	rc = 0;
	if (signer) {
		*signer = k;
		k = NULL;
	}
out:
	sig_key_free(k);
	free(copy);
	buf_release(&blob);
	buf_release(&tbs);
	return rc;
}

void sshsig_armored(const struct sig_key *key, const char *namespace, struct span signature,
		    struct buf *armored)
{
	struct buf blob = BUF_INIT;

	buf_add(&blob, SSHSIG_MAGIC, SSHSIG_MAGIC_LEN);
	wire_put_u32(&blob, SSHSIG_VERSION);
	wire_put_string(&blob, key->blob, key->blob_len);
	wire_put_cstring(&blob, namespace);
	wire_put_string(&blob, "", 0);
	wire_put_cstring(&blob, "sha512");
	wire_put_string(&blob, signature.p, signature.len);
	armor(armored, (const unsigned char *)blob.data, blob.len);
	buf_release(&blob);
}
