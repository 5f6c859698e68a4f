/*
 * sig-key: ssh public keys, from the text of authorized_keys and .pub
 * files or from the wire form, to fingerprints and back to text.
 *
 * A struct sig_key is only ever made by sig_key_from_blob, which accepts
 * Ed25519, ECDSA on P-256/384/521 (uncompressed points on the curve) and
 * RSA of RSA_MIN_BITS to RSA_MAX_BITS with an odd exponent of at least 3,
 * and refuses everything else with a reason.  Once made, a key holds its
 * libcrypto form and its canonical wire form, and never changes but for
 * its comment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "journal/sig-int.h"
#include "journal/sig.h"
#include "base/banned.h"

#define KEY_TEXT_MAX (64 * 1024)
#define RSA_MIN_BITS 1024	/* OpenSSH's own minimum */
#define RSA_MAX_BITS 16384
#define RSA_E_MAX_BYTES 8	/* OpenSSL's limit for large moduli, for all */

static const struct curve curves[] = {
	{ "ecdsa-sha2-nistp256", "nistp256", "P-256", EVP_sha256, 32, 256 },
	{ "ecdsa-sha2-nistp384", "nistp384", "P-384", EVP_sha384, 48, 384 },
	{ "ecdsa-sha2-nistp521", "nistp521", "P-521", EVP_sha512, 66, 521 },
};

static unsigned span_bits(struct span v)
{
	unsigned bits;

	if (!v.len)
		return 0;
	bits = (unsigned)(v.len - 1) * 8;
	for (unsigned top = v.p[0]; top; top >>= 1)
		bits++;
	return bits;
}

/* a public key of OpenSSL's algorithm alg from params; NULL when refused */
static EVP_PKEY *pkey_from_params(const char *alg, OSSL_PARAM *params)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
	EVP_PKEY *pkey = NULL;

	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

static int read_ed25519(struct sig_key *k, struct reader *r, struct buf *canon)
{
	struct span a;

	if (!wire_get_string(r, &a))
		return sig_fail("truncated Ed25519 key");
	if (a.len != 32)
		return sig_fail("Ed25519 key of %zu bytes, not 32", a.len);
	k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, a.p, a.len);
	if (!k->pkey)
		return sig_fail("Ed25519 key refused by libcrypto");
	k->kind = KEY_ED25519;
	k->type = "ssh-ed25519";
	k->bits = 256;
	wire_put_cstring(canon, k->type);
	wire_put_string(canon, a.p, a.len);
	return 0;
}

static int read_ecdsa(struct sig_key *k, const struct curve *c, struct reader *r, struct buf *canon)
{
	struct span name, q;
	char shown_name[SIG_SHOWN_SIZE];
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *check;
	int ok;

	if (!wire_get_string(r, &name) || !wire_get_string(r, &q))
		return sig_fail("truncated ECDSA key");
	if (!span_is(name, c->name))
		return sig_fail("ECDSA key of type %s on curve '%s'", c->type, sig_shown(name, shown_name));
	/* uncompressed points only, as OpenSSH */
	if (q.len != 1 + 2 * c->field || q.p[0] != 0x04)
		return sig_fail("ECDSA key: not an uncompressed point of %s", c->name);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)c->group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)q.p, q.len);
	params[2] = OSSL_PARAM_construct_end();
	k->pkey = pkey_from_params("EC", params);
	if (!k->pkey)
		return sig_fail("ECDSA key: not a point of %s", c->name);
	/* on the curve, not at infinity; the curves' cofactor is 1, so no order check */
	check = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	ok = check && EVP_PKEY_public_check_quick(check) == 1;
	EVP_PKEY_CTX_free(check);
	if (!ok)
		return sig_fail("ECDSA key: not a valid point of %s", c->name);
	k->kind = KEY_ECDSA;
	k->type = c->type;
	k->curve = c;
	k->bits = c->bits;
	wire_put_cstring(canon, c->type);
	wire_put_cstring(canon, c->name);
	wire_put_string(canon, q.p, q.len);
	return 0;
}

static int read_rsa(struct sig_key *k, struct reader *r, struct buf *canon)
{
	struct span e, n;
	BIGNUM *bn_e = NULL, *bn_n = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	int rc = -1;

	if (wire_get_mpint(r, &e, RSA_E_MAX_BYTES, "RSA exponent") < 0 ||
	    wire_get_mpint(r, &n, RSA_MAX_BITS / 8, "RSA modulus") < 0)
		return -1;
	k->bits = span_bits(n);
	if (k->bits < RSA_MIN_BITS)
		return sig_fail("RSA key of %u bits is too small (at least %d)", k->bits, RSA_MIN_BITS);
	if (!(n.p[n.len - 1] & 1))
		return sig_fail("RSA modulus is even");
	if (!e.len || !(e.p[e.len - 1] & 1) || (e.len == 1 && e.p[0] < 3))
		return sig_fail("RSA exponent is not an odd number of at least 3");
	bn_e = BN_bin2bn(e.p, (int)e.len, NULL);
	bn_n = BN_bin2bn(n.p, (int)n.len, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (bn_e && bn_n && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) &&
	    (params = OSSL_PARAM_BLD_to_param(bld)))
		k->pkey = pkey_from_params("RSA", params);
	if (!k->pkey) {
		sig_fail("RSA key refused by libcrypto");
		goto out;
	}
	k->kind = KEY_RSA;
	k->type = "ssh-rsa";
	wire_put_cstring(canon, k->type);
	wire_put_mpint(canon, e);
	wire_put_mpint(canon, n);
	rc = 0;
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_e);
	BN_free(bn_n);
	return rc;
}

static int unsupported(struct span type)
{
	char s[SIG_SHOWN_SIZE];
	static const char cert[] = "-cert-v01@openssh.com";
	size_t cl = sizeof cert - 1;

	if (type.len > cl && !memcmp(type.p + type.len - cl, cert, cl))
		return sig_fail("certificates are not supported (%s): use the plain key", sig_shown(type, s));
	if (span_is(type, "ssh-dss"))
		return sig_fail("DSA keys (ssh-dss) are refused");
	if (type.len > 3 && !memcmp(type.p, "sk-", 3))
		return sig_fail("security keys (%s) are not supported", sig_shown(type, s));
	return sig_fail("unsupported key type '%s'", sig_shown(type, s));
}

/* a key from its wire form; NULL and errget() */
struct sig_key *sig_key_from_blob(const unsigned char *blob, size_t len)
{
	unsigned char *copy;
	struct reader r = { wire_exact(blob, len, &copy), len };
	struct buf canon = BUF_INIT;
	struct sig_key *k;
	struct span type;
	int rc = -1;

	if (!wire_get_string(&r, &type)) {
		sig_fail("truncated key");
		free(copy);
		return NULL;
	}
	k = xcalloc(1, sizeof *k);
	if (span_is(type, "ssh-ed25519"))
		rc = read_ed25519(k, &r, &canon);
	else if (span_is(type, "ssh-rsa"))
		rc = read_rsa(k, &r, &canon);
	else {
		const struct curve *c = NULL;
		for (size_t i = 0; i < sizeof curves / sizeof *curves; i++)
			if (span_is(type, curves[i].type))
				c = &curves[i];
		rc = c ? read_ecdsa(k, c, &r, &canon) : unsupported(type);
	}
	if (rc == 0 && r.left)
		rc = sig_fail("%zu bytes after the %s key", r.left, k->type);
	free(copy);
	if (rc < 0) {
		ERR_clear_error();
		EVP_PKEY_free(k->pkey);
		free(k);
		buf_release(&canon);
		return NULL;
	}
	k->blob = (unsigned char *)buf_detach(&canon, &k->blob_len);
	k->comment = xstrdup("");
	return k;
}

/* the first word of an authorized_keys line is a key type, not options */
static bool looks_like_type(const char *p, const char *end)
{
	static const char *const prefixes[] = { "ssh-", "ecdsa-", "sk-" };

	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
		size_t n = strlen(prefixes[i]);
		if ((size_t)(end - p) >= n && !memcmp(p, prefixes[i], n))
			return true;
	}
	return false;
}

static struct sig_key *parse_text(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl, *type, *data, *comment, *comment_end;
	struct buf blob = BUF_INIT;
	struct sig_key *k;
	size_t type_len;

	if (len > KEY_TEXT_MAX) {
		sig_fail("%zu bytes is too long for a key", len);
		return NULL;
	}
	if (memchr(text, '\0', len)) {
		sig_fail("NUL byte in the key");
		return NULL;
	}
	/* one line, and nothing but spaces after it */
	if ((nl = memchr(text, '\n', len))) {
		for (const char *q = nl; q < end; q++)
			if (!is_space(*q)) {
				sig_fail("more than one line");
				return NULL;
			}
		end = nl;
		if (end > text && end[-1] == '\r')
			end--;
	}
	while (p < end && is_blank(*p))
		p++;
	/*
	 * A line copied from authorized_keys starts with its options: one
	 * field, with blanks only inside double quotes (from="...",command="...").
	 */
	if (!looks_like_type(p, end)) {
		bool quoted = false;
		for (; p < end && (quoted || !is_blank(*p)); p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == '"')
				quoted = !quoted;
		}
		while (p < end && is_blank(*p))
			p++;
	}
	type = p;
	while (p < end && !is_blank(*p))
		p++;
	type_len = (size_t)(p - type);
	while (p < end && is_blank(*p))
		p++;
	data = p;
	while (p < end && !is_blank(*p))
		p++;
	if (!type_len || p == data) {
		sig_fail("not an ssh public key (expected \"<type> <base64> [comment]\")");
		return NULL;
	}
	if (base64_decode(&blob, data, (size_t)(p - data), BASE64_CANONICAL) < 0) {
		sig_fail("the key data is not base64");
		buf_release(&blob);
		return NULL;
	}
	k = sig_key_from_blob((const unsigned char *)blob.data, blob.len);
	buf_release(&blob);
	if (!k)
		return NULL;
	if (type_len != strlen(k->type) || memcmp(type, k->type, type_len)) {
		char s[SIG_SHOWN_SIZE];
		sig_fail("the type says '%s' but the key is %s",
		     sig_shown((struct span){ (const unsigned char *)type, type_len }, s), k->type);
		sig_key_free(k);
		return NULL;
	}
	while (p < end && is_blank(*p))
		p++;
	comment = p;
	comment_end = end;
	while (comment_end > comment && is_blank(comment_end[-1]))
		comment_end--;
	free(k->comment);
	k->comment = xstrndup(comment, (size_t)(comment_end - comment));
	return k;
}

struct sig_key *sig_key_parse(const char *text, size_t len)
{
	struct sig_key *k = parse_text(text, len);

	if (!k)
		errprefix("ssh public key");
	return k;
}

void sig_key_free(struct sig_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k->blob);
	free(k->comment);
	free(k);
}

void sig_keys_free(struct sig_key **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sig_key_free(keys[i]);
	free(keys);
}

const char *sig_key_type(const struct sig_key *k)
{
	return k->type;
}

const char *sig_key_comment(const struct sig_key *k)
{
	return k->comment;
}

unsigned sig_key_bits(const struct sig_key *k)
{
	return k->bits;
}

void sig_key_fingerprint(const struct sig_key *k, char out[SIG_FINGERPRINT_SIZE])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	struct buf b = BUF_INIT;

	if (EVP_Digest(k->blob, k->blob_len, md, &md_len, EVP_sha256(), NULL) != 1)
		abort();	/* SHA-256 of memory we hold cannot fail */
	buf_adds(&b, "SHA256:");
	base64_encode(&b, md, md_len);
	while (b.len && b.data[b.len - 1] == '=')
		b.len--;
	snprintf(out, SIG_FINGERPRINT_SIZE, "%.*s", (int)b.len, b.data);
	buf_release(&b);
}

void sig_key_format(const struct sig_key *k, struct buf *out)
{
	buf_adds(out, k->type);
	buf_addc(out, ' ');
	base64_encode(out, k->blob, k->blob_len);
	if (*k->comment) {
		buf_addc(out, ' ');
		buf_adds(out, k->comment);
	}
}

bool sig_key_equal(const struct sig_key *a, const struct sig_key *b)
{
	return a->blob_len == b->blob_len && !memcmp(a->blob, b->blob, a->blob_len);
}
