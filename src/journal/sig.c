/*
 * sig: ssh public keys, SSHSIG signatures, the ssh-agent protocol.
 *
 * The wire forms (RFC 4251 section 5): uint32 big-endian; string, a
 * uint32 length then the bytes; mpint, a string holding a big-endian
 * two's-complement number (all ours are positive: a leading 0x00 when the
 * top bit is set, no other leading zero when written).
 *
 *   Ed25519 key (RFC 8709)  string "ssh-ed25519", string A (32 bytes)
 *   ECDSA key (RFC 5656)    string "ecdsa-sha2-nistpN", string "nistpN",
 *                           string Q (0x04 || X || Y)
 *   RSA key (RFC 4253)      string "ssh-rsa", mpint e, mpint n
 *   signature               string algorithm, string blob: Ed25519's 64
 *                           bytes; ECDSA's mpint r, mpint s (hashed with
 *                           the curve's SHA-2); RSA's s of the modulus'
 *                           size, under "rsa-sha2-512" or "rsa-sha2-256"
 *                           (RFC 8332)
 *   SSHSIG                  "SSHSIG", uint32 1, string key, string
 *                           namespace, string reserved, string hash
 *                           algorithm, string signature
 *   what SSHSIG signs       "SSHSIG", string namespace, string reserved
 *                           (empty), string hash algorithm, string H(msg)
 *   agent message           uint32 length, byte type, contents
 *
 * Parsing goes through struct reader, whose functions check each length
 * against what is left; nothing else indexes into untrusted bytes.  A
 * parsed key keeps its wire form re-encoded canonically (mpints without
 * extra leading zeros), so fingerprints and comparisons are those of
 * OpenSSH whatever encoding the key came in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "journal/sig.h"
#include "base/banned.h"

#define KEY_TEXT_MAX (64 * 1024)
#define ARMOR_MAX (64 * 1024)
#define RSA_MIN_BITS 1024	/* OpenSSH's own minimum */
#define RSA_MAX_BITS 16384
#define RSA_E_MAX_BYTES 8	/* OpenSSL's limit for large moduli, for all */
#define KEYGEN_OUTPUT_MAX (1024 * 1024)

#define SSHSIG_MAGIC "SSHSIG"
#define SSHSIG_MAGIC_LEN 6
#define SSHSIG_VERSION 1
#define SSHSIG_LINE 70		/* the width ssh-keygen wraps its base64 at */

static const char begin_line[] = "-----BEGIN SSH SIGNATURE-----";
static const char end_line[] = "-----END SSH SIGNATURE-----";

/* the agent protocol (draft-miller-ssh-agent) */
#define AGENT_MAX_LEN (256 * 1024)	/* what OpenSSH's agent accepts and sends */
#define AGENT_TIMEOUT_DEFAULT 30
enum {
	AGENT_FAILURE = 5,
	AGENTC_REQUEST_IDENTITIES = 11,
	AGENT_IDENTITIES_ANSWER = 12,
	AGENTC_SIGN_REQUEST = 13,
	AGENT_SIGN_RESPONSE = 14,
	AGENT2_FAILURE = 30,		/* older agents' failures, as OpenSSH reads them */
	AGENT_COM_FAILURE = 102,
	AGENT_RSA_SHA2_512 = 4,		/* sign flag */
};

enum key_kind { KEY_ED25519, KEY_ECDSA, KEY_RSA };

struct curve {
	const char *type;	/* the key type */
	const char *name;	/* the curve's name in the key */
	const char *group;	/* OpenSSL's name */
	const EVP_MD *(*md)(void);
	size_t field;		/* bytes of a coordinate */
	unsigned bits;
};

static const struct curve curves[] = {
	{ "ecdsa-sha2-nistp256", "nistp256", "P-256", EVP_sha256, 32, 256 },
	{ "ecdsa-sha2-nistp384", "nistp384", "P-384", EVP_sha384, 48, 384 },
	{ "ecdsa-sha2-nistp521", "nistp521", "P-521", EVP_sha512, 66, 521 },
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

/* a part of some bytes, not owned */
struct span {
	const unsigned char *p;
	size_t len;
};

struct reader {
	const unsigned char *p;
	size_t left;
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	errset("%s", buf_str(&b));
	buf_release(&b);
	return -1;
}

/* ---- reading and writing the wire form ---- */

static bool get_bytes(struct reader *r, size_t n, const unsigned char **out)
{
	if (r->left < n)
		return false;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return true;
}

static bool get_u8(struct reader *r, unsigned *v)
{
	const unsigned char *p;

	if (!get_bytes(r, 1, &p))
		return false;
	*v = p[0];
	return true;
}

static bool get_u32(struct reader *r, uint32_t *v)
{
	const unsigned char *p;

	if (!get_bytes(r, 4, &p))
		return false;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
	return true;
}

static bool get_string(struct reader *r, struct span *s)
{
	uint32_t len;
	struct reader save = *r;

	if (!get_u32(r, &len) || !get_bytes(r, len, &s->p)) {
		*r = save;
		return false;
	}
	s->len = len;
	return true;
}

/*
 * A positive mpint, its value without leading zeros in *s (empty for 0).
 * -1 and errget() when truncated, negative, or longer than max bytes.
 */
static int get_mpint(struct reader *r, struct span *s, size_t max, const char *what)
{
	if (!get_string(r, s))
		return fail("truncated %s", what);
	if (s->len && (s->p[0] & 0x80))
		return fail("negative %s", what);
	while (s->len && s->p[0] == 0) {
		s->p++;
		s->len--;
	}
	if (s->len > max)
		return fail("%s of %zu bytes is too large", what, s->len);
	return 0;
}

static bool span_is(struct span s, const char *lit)
{
	return s.len == strlen(lit) && !memcmp(s.p, lit, s.len);
}

/*
 * The bytes to parse.  Under a fuzzer, an exact copy (freed by the caller
 * through *copy): a buf has room to spare after its data, so a read past
 * the end would go unseen by AddressSanitizer.  Otherwise the bytes as
 * they are, and *copy is NULL.
 */
static const unsigned char *exact(const void *p, size_t len, unsigned char **copy)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	*copy = len ? xmalloc(len) : NULL;
	if (len)
		memcpy(*copy, p, len);
	return *copy;
#else
	(void)len;
	*copy = NULL;
	return p;
#endif
}

static void put_u32(struct buf *b, uint32_t v)
{
	unsigned char p[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };

	buf_add(b, p, 4);
}

static void put_string(struct buf *b, const void *data, size_t len)
{
	put_u32(b, (uint32_t)len);
	buf_add(b, data, len);
}

static void put_cstring(struct buf *b, const char *s)
{
	put_string(b, s, strlen(s));
}

/* an mpint of a positive value given without leading zeros */
static void put_mpint(struct buf *b, struct span v)
{
	bool pad = v.len && (v.p[0] & 0x80);

	put_u32(b, (uint32_t)(v.len + pad));
	if (pad)
		buf_addc(b, '\0');
	buf_add(b, v.p, v.len);
}

/* bytes from outside, fit for a message: printable ASCII, the rest as \xNN, cut at 40 */
#define SHOWN_SIZE 200
static const char *shown(struct span s, char out[SHOWN_SIZE])
{
	size_t o = 0;

	for (size_t i = 0; i < s.len && o < SHOWN_SIZE - 8; i++) {
		if (i == 40) {
			o += (size_t)snprintf(out + o, SHOWN_SIZE - o, "...");
			break;
		}
		if (s.p[i] >= 0x20 && s.p[i] < 0x7f && s.p[i] != '\'' && s.p[i] != '\\')
			out[o++] = (char)s.p[i];
		else
			o += (size_t)snprintf(out + o, SHOWN_SIZE - o, "\\x%02x", s.p[i]);
	}
	out[o] = '\0';
	return out;
}

/* ---- base64 ---- */

static const char b64_digits[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_encode(struct buf *out, const unsigned char *p, size_t len)
{
	size_t i;

	buf_grow(out, (len + 2) / 3 * 4);
	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		buf_addc(out, b64_digits[v >> 18]);
		buf_addc(out, b64_digits[(v >> 12) & 63]);
		buf_addc(out, b64_digits[(v >> 6) & 63]);
		buf_addc(out, b64_digits[v & 63]);
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		buf_addc(out, b64_digits[v >> 18]);
		buf_addc(out, b64_digits[(v >> 12) & 63]);
		buf_adds(out, "==");
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		buf_addc(out, b64_digits[v >> 18]);
		buf_addc(out, b64_digits[(v >> 12) & 63]);
		buf_addc(out, b64_digits[(v >> 6) & 63]);
		buf_addc(out, '=');
	}
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Canonical base64 only, as OpenSSH's decoder wants it: whole groups of
 * four, '=' only to pad the last one, the bits the padding leaves unused
 * zero.  With spaces, blanks and line breaks between digits are skipped
 * (the armor's lines).  Appends to out; -1 (no message) when not base64.
 */
static int b64_decode(struct buf *out, const char *s, size_t len, bool spaces)
{
	uint32_t acc = 0;
	int n = 0, pad = 0;
	bool done = false;
	unsigned char *o;

	/* room for all of it at once: this runs for every signature of a journal */
	buf_grow(out, len / 4 * 3 + 3);
	o = (unsigned char *)out->data + out->len;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int v;

		if (spaces && is_space(c))
			continue;
		if (done)
			return -1;
		if (c == '=') {
			if (n < 2)
				return -1;
			pad++;
			v = 0;
		} else {
			if (pad || (v = b64_value((unsigned char)c)) < 0)
				return -1;
		}
		acc = acc << 6 | (uint32_t)v;
		if (++n < 4)
			continue;
		/* the bits the padding leaves unused must be zero */
		if ((pad == 2 && (acc & 0xffff)) || (pad == 1 && (acc & 0xff)))
			return -1;
		*o++ = (unsigned char)(acc >> 16);
		if (pad < 2)
			*o++ = (unsigned char)(acc >> 8);
		if (pad < 1)
			*o++ = (unsigned char)acc;
		done = pad > 0;
		n = 0;
		acc = 0;
	}
	if (n != 0)
		return -1;
	out->len = (size_t)((char *)o - out->data);
	out->data[out->len] = '\0';
	return 0;
}

/* ---- keys ---- */

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

static void clear_openssl_errors(void)
{
	ERR_clear_error();
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

	if (!get_string(r, &a))
		return fail("truncated Ed25519 key");
	if (a.len != 32)
		return fail("Ed25519 key of %zu bytes, not 32", a.len);
	k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, a.p, a.len);
	if (!k->pkey)
		return fail("Ed25519 key refused by libcrypto");
	k->kind = KEY_ED25519;
	k->type = "ssh-ed25519";
	k->bits = 256;
	put_cstring(canon, k->type);
	put_string(canon, a.p, a.len);
	return 0;
}

static int read_ecdsa(struct sig_key *k, const struct curve *c, struct reader *r, struct buf *canon)
{
	struct span name, q;
	char shown_name[SHOWN_SIZE];
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *check;
	int ok;

	if (!get_string(r, &name) || !get_string(r, &q))
		return fail("truncated ECDSA key");
	if (!span_is(name, c->name))
		return fail("ECDSA key of type %s on curve '%s'", c->type, shown(name, shown_name));
	/* uncompressed points only, as OpenSSH */
	if (q.len != 1 + 2 * c->field || q.p[0] != 0x04)
		return fail("ECDSA key: not an uncompressed point of %s", c->name);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)c->group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)q.p, q.len);
	params[2] = OSSL_PARAM_construct_end();
	k->pkey = pkey_from_params("EC", params);
	if (!k->pkey)
		return fail("ECDSA key: not a point of %s", c->name);
	/* on the curve, not at infinity; the curves' cofactor is 1, so no order check */
	check = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	ok = check && EVP_PKEY_public_check_quick(check) == 1;
	EVP_PKEY_CTX_free(check);
	if (!ok)
		return fail("ECDSA key: not a valid point of %s", c->name);
	k->kind = KEY_ECDSA;
	k->type = c->type;
	k->curve = c;
	k->bits = c->bits;
	put_cstring(canon, c->type);
	put_cstring(canon, c->name);
	put_string(canon, q.p, q.len);
	return 0;
}

static int read_rsa(struct sig_key *k, struct reader *r, struct buf *canon)
{
	struct span e, n;
	BIGNUM *bn_e = NULL, *bn_n = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	int rc = -1;

	if (get_mpint(r, &e, RSA_E_MAX_BYTES, "RSA exponent") < 0 ||
	    get_mpint(r, &n, RSA_MAX_BITS / 8, "RSA modulus") < 0)
		return -1;
	k->bits = span_bits(n);
	if (k->bits < RSA_MIN_BITS)
		return fail("RSA key of %u bits is too small (at least %d)", k->bits, RSA_MIN_BITS);
	if (!(n.p[n.len - 1] & 1))
		return fail("RSA modulus is even");
	if (!e.len || !(e.p[e.len - 1] & 1) || (e.len == 1 && e.p[0] < 3))
		return fail("RSA exponent is not an odd number of at least 3");
	bn_e = BN_bin2bn(e.p, (int)e.len, NULL);
	bn_n = BN_bin2bn(n.p, (int)n.len, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (bn_e && bn_n && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) &&
	    (params = OSSL_PARAM_BLD_to_param(bld)))
		k->pkey = pkey_from_params("RSA", params);
	if (!k->pkey) {
		fail("RSA key refused by libcrypto");
		goto out;
	}
	k->kind = KEY_RSA;
	k->type = "ssh-rsa";
	put_cstring(canon, k->type);
	put_mpint(canon, e);
	put_mpint(canon, n);
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
	char s[SHOWN_SIZE];
	static const char cert[] = "-cert-v01@openssh.com";
	size_t cl = sizeof cert - 1;

	if (type.len > cl && !memcmp(type.p + type.len - cl, cert, cl))
		return fail("certificates are not supported (%s): use the plain key", shown(type, s));
	if (span_is(type, "ssh-dss"))
		return fail("DSA keys (ssh-dss) are refused");
	if (type.len > 3 && !memcmp(type.p, "sk-", 3))
		return fail("security keys (%s) are not supported", shown(type, s));
	return fail("unsupported key type '%s'", shown(type, s));
}

/* a key from its wire form; NULL and errget() */
static struct sig_key *key_from_blob(const unsigned char *blob, size_t len)
{
	unsigned char *copy;
	struct reader r = { exact(blob, len, &copy), len };
	struct buf canon = BUF_INIT;
	struct sig_key *k;
	struct span type;
	int rc = -1;

	if (!get_string(&r, &type)) {
		fail("truncated key");
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
		rc = fail("%zu bytes after the %s key", r.left, k->type);
	free(copy);
	if (rc < 0) {
		clear_openssl_errors();
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
		fail("%zu bytes is too long for a key", len);
		return NULL;
	}
	if (memchr(text, '\0', len)) {
		fail("NUL byte in the key");
		return NULL;
	}
	/* one line, and nothing but spaces after it */
	if ((nl = memchr(text, '\n', len))) {
		for (const char *q = nl; q < end; q++)
			if (!is_space(*q)) {
				fail("more than one line");
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
		fail("not an ssh public key (expected \"<type> <base64> [comment]\")");
		return NULL;
	}
	if (b64_decode(&blob, data, (size_t)(p - data), false) < 0) {
		fail("the key data is not base64");
		buf_release(&blob);
		return NULL;
	}
	k = key_from_blob((const unsigned char *)blob.data, blob.len);
	buf_release(&blob);
	if (!k)
		return NULL;
	if (type_len != strlen(k->type) || memcmp(type, k->type, type_len)) {
		char s[SHOWN_SIZE];
		fail("the type says '%s' but the key is %s",
		     shown((struct span){ (const unsigned char *)type, type_len }, s), k->type);
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
	b64_encode(&b, md, md_len);
	while (b.len && b.data[b.len - 1] == '=')
		b.len--;
	snprintf(out, SIG_FINGERPRINT_SIZE, "%.*s", (int)b.len, b.data);
	buf_release(&b);
}

void sig_key_format(const struct sig_key *k, struct buf *out)
{
	buf_adds(out, k->type);
	buf_addc(out, ' ');
	b64_encode(out, k->blob, k->blob_len);
	if (*k->comment) {
		buf_addc(out, ' ');
		buf_adds(out, k->comment);
	}
}

bool sig_key_equal(const struct sig_key *a, const struct sig_key *b)
{
	return a->blob_len == b->blob_len && !memcmp(a->blob, b->blob, a->blob_len);
}

/* ---- signatures ---- */

/* 0 when sig is a good signature of data by pkey (md NULL for Ed25519); -1 and errget() */
static int evp_verify(EVP_PKEY *pkey, const EVP_MD *md, const unsigned char *sig, size_t sig_len,
		      const unsigned char *data, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1 &&
		 EVP_DigestVerify(ctx, sig, sig_len, data, len) == 1;

	EVP_MD_CTX_free(ctx);
	clear_openssl_errors();
	return ok ? 0 : fail("the signature does not match: the message or the signature was changed");
}

static int verify_ecdsa(const struct sig_key *k, struct span raw, const unsigned char *data, size_t len)
{
	struct reader r = { raw.p, raw.len };
	struct span rs[2];
	ECDSA_SIG *es;
	BIGNUM *bn[2];
	unsigned char *der = NULL;
	int der_len, rc;

	if (get_mpint(&r, &rs[0], k->curve->field, "ECDSA r") < 0 ||
	    get_mpint(&r, &rs[1], k->curve->field, "ECDSA s") < 0)
		return -1;
	if (r.left)
		return fail("%zu bytes after the ECDSA signature", r.left);
	if (!rs[0].len || !rs[1].len)
		return fail("ECDSA signature with a zero r or s");
	es = ECDSA_SIG_new();
	bn[0] = BN_bin2bn(rs[0].p, (int)rs[0].len, NULL);
	bn[1] = BN_bin2bn(rs[1].p, (int)rs[1].len, NULL);
	if (!es || !bn[0] || !bn[1] || !ECDSA_SIG_set0(es, bn[0], bn[1])) {
		BN_free(bn[0]);
		BN_free(bn[1]);
		ECDSA_SIG_free(es);
		clear_openssl_errors();
		return fail("out of memory in libcrypto");
	}
	der_len = i2d_ECDSA_SIG(es, &der);
	ECDSA_SIG_free(es);
	if (der_len <= 0) {
		clear_openssl_errors();
		return fail("cannot encode the ECDSA signature");
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
		return fail("RSA signature of %zu bytes for a key of %zu", raw.len, mod_len);
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
	char s[SHOWN_SIZE];

	if (!get_string(r, &alg) || !get_string(r, &raw))
		return fail("truncated signature");
	if (r->left)
		return fail("%zu bytes after the signature", r->left);
	switch (k->kind) {
	case KEY_ED25519:
		if (!span_is(alg, k->type))
			break;
		if (raw.len != 64)
			return fail("Ed25519 signature of %zu bytes, not 64", raw.len);
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
			return fail("RSA signature with SHA-1 (ssh-rsa) refused: only rsa-sha2-512 and rsa-sha2-256");
		break;
	}
	return fail("a %s key cannot make a '%s' signature", k->type, shown(alg, s));
}

/* sig, an ssh signature (string algorithm, string blob), of data by k; -1 and errget() */
static int verify_ssh_sig(const struct sig_key *k, struct span sig, const unsigned char *data, size_t len)
{
	unsigned char *copy;
	struct reader r = { exact(sig.p, sig.len, &copy), sig.len };
	int rc = verify_parsed(k, &r, data, len);

	free(copy);
	return rc;
}

/* what SSHSIG signs: the preamble and H(message) under namespace */
static void signed_data(struct buf *out, const char *namespace, const char *hash_alg,
			const unsigned char *h, size_t h_len)
{
	buf_add(out, SSHSIG_MAGIC, SSHSIG_MAGIC_LEN);
	put_cstring(out, namespace);
	put_string(out, "", 0);
	put_cstring(out, hash_alg);
	put_string(out, h, h_len);
}

static void message_hash(const EVP_MD *md, const void *msg, size_t len, unsigned char *h, unsigned *h_len)
{
	if (EVP_Digest(len ? msg : "", len, h, h_len, md, NULL) != 1)
		abort();	/* a hash of memory we hold cannot fail */
}

static void armor(struct buf *out, const unsigned char *blob, size_t len)
{
	struct buf b = BUF_INIT;

	b64_encode(&b, blob, len);
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
		return fail("%zu bytes is too long for a signature", len);
	if (len < begin_len || memcmp(text, begin_line, begin_len))
		return fail("not an ssh signature: it does not start with %s", begin_line);
	p += begin_len;
	if (p < end && *p == '\r')
		p++;
	if (p == end || *p != '\n')
		return fail("no line break after %s", begin_line);
	/* the footer starts a line: look from the header's line break */
	foot = memmem(p, (size_t)(end - p), "\n-----END SSH SIGNATURE-----", end_len + 1);
	if (!foot)
		return fail("no %s line", end_line);
	p++;
	for (after = foot + 1 + end_len; after < end; after++)
		if (!is_space(*after))
			return fail("text after %s", end_line);
	if (b64_decode(blob, p, foot > p ? (size_t)(foot - p) : 0, true) < 0)
		return fail("the signature is not base64");
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
	char s[SHOWN_SIZE];
	unsigned char *copy = NULL;
	int rc = -1;

	if (signer)
		*signer = NULL;
	if (!namespace || !*namespace) {
		fail("no namespace to verify under");
		goto out;
	}
	if (dearmor(armored, alen, &blob) < 0)
		goto out;
	r = (struct reader){ exact(blob.data, blob.len, &copy), blob.len };
	if (!get_bytes(&r, SSHSIG_MAGIC_LEN, &magic) || memcmp(magic, SSHSIG_MAGIC, SSHSIG_MAGIC_LEN)) {
		fail("not an SSHSIG signature");
		goto out;
	}
	if (!get_u32(&r, &version) || (version == SSHSIG_VERSION &&
	    (!get_string(&r, &key) || !get_string(&r, &ns) || !get_string(&r, &reserved) ||
	     !get_string(&r, &hash_alg) || !get_string(&r, &sig)))) {
		fail("truncated signature");
		goto out;
	}
	if (version != SSHSIG_VERSION) {
		fail("SSHSIG version %" PRIu32 " is not supported (only %d)", version, SSHSIG_VERSION);
		goto out;
	}
	if (r.left) {
		fail("%zu bytes after the signature", r.left);
		goto out;
	}
	if (!(k = key_from_blob(key.p, key.len))) {
		errprefix("the signature's key");
		goto out;
	}
	if (!span_is(ns, namespace)) {
		fail("the signature is for namespace '%s', not '%s'", shown(ns, s), namespace);
		goto out;
	}
	(void)reserved;	/* PROTOCOL.sshsig: ignored, and not part of what is signed */
	if (span_is(hash_alg, "sha512"))
		md = EVP_sha512();
	else if (span_is(hash_alg, "sha256"))
		md = EVP_sha256();
	else {
		fail("unsupported hash algorithm '%s' (sha512 or sha256)", shown(hash_alg, s));
		goto out;
	}
	message_hash(md, msg, len, h, &h_len);
	signed_data(&tbs, namespace, span_is(hash_alg, "sha512") ? "sha512" : "sha256", h, h_len);
	if (verify_ssh_sig(k, sig, (const unsigned char *)tbs.data, tbs.len) < 0)
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

/* the SSHSIG of signature (an ssh signature of signed_data) by key, armored */
static void sshsig_armored(const struct sig_key *key, const char *namespace, struct span signature,
			   struct buf *armored)
{
	struct buf blob = BUF_INIT;

	buf_add(&blob, SSHSIG_MAGIC, SSHSIG_MAGIC_LEN);
	put_u32(&blob, SSHSIG_VERSION);
	put_string(&blob, key->blob, key->blob_len);
	put_cstring(&blob, namespace);
	put_string(&blob, "", 0);
	put_cstring(&blob, "sha512");
	put_string(&blob, signature.p, signature.len);
	armor(armored, (const unsigned char *)blob.data, blob.len);
	buf_release(&blob);
}

/* ---- the agent ---- */

struct agent {
	int fd;
	const char *path;
	int timeout;		/* seconds */
	struct timespec deadline;
};

static int agent_timeout(void)
{
	const char *s = getenv("LOGBOOK_AGENT_TIMEOUT");
	char *end;
	long v;

	if (!s || !*s)
		return AGENT_TIMEOUT_DEFAULT;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 3600)
		return AGENT_TIMEOUT_DEFAULT;
	return (int)v;
}

/* milliseconds to the deadline, 0 when past */
static int ms_left(const struct agent *a)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(a->deadline.tv_sec - now.tv_sec) * 1000 +
	     (a->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* wait until the socket is ready for events, or the deadline */
static int agent_wait(struct agent *a, short events)
{
	for (;;) {
		struct pollfd pfd = { a->fd, events, 0 };
		int left = ms_left(a), n;

		if (left == 0)
			return fail("ssh-agent at %s: no answer in %d s", a->path, a->timeout);
		n = poll(&pfd, 1, left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR) {
			errset_sys("ssh-agent at %s: poll", a->path);
			return -1;
		}
	}
}

static int agent_open(struct agent *a)
{
	struct sockaddr_un sa;
	size_t path_len;

	a->fd = -1;
	a->path = getenv("SSH_AUTH_SOCK");
	if (!a->path || !*a->path)
		return fail("no ssh-agent: SSH_AUTH_SOCK is not set "
			    "(log in with ssh -A, or start one with eval \"$(ssh-agent)\" and ssh-add)");
	a->timeout = agent_timeout();
	clock_gettime(CLOCK_MONOTONIC, &a->deadline);
	a->deadline.tv_sec += a->timeout;
	path_len = strlen(a->path);
	memset(&sa, 0, sizeof sa);
	if (path_len >= sizeof sa.sun_path)
		return fail("ssh-agent at %s: socket path too long", a->path);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, a->path, path_len + 1);
	a->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (a->fd < 0) {
		errset_sys("socket");
		return -1;
	}
	if (connect(a->fd, (struct sockaddr *)&sa, sizeof sa) == 0)
		return 0;
	if (errno == EINPROGRESS || errno == EINTR) {
		int err = 0;
		socklen_t err_len = sizeof err;
		if (agent_wait(a, POLLOUT) < 0)
			goto fail;
		if (getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &err, &err_len) == 0 && err == 0)
			return 0;
		errno = err;
	}
	if (errno == EAGAIN)
		fail("ssh-agent at %s (SSH_AUTH_SOCK): too busy to take a connection", a->path);
	else
		errset_sys("no ssh-agent at %s (SSH_AUTH_SOCK)", a->path);
fail:
	close(a->fd);
	a->fd = -1;
	return -1;
}

static int agent_send(struct agent *a, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = send(a->fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (agent_wait(a, POLLOUT) < 0)
					return -1;
				continue;
			}
			errset_sys("ssh-agent at %s", a->path);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int agent_recv(struct agent *a, void *data, size_t len)
{
	char *p = data;

	while (len) {
		ssize_t n = recv(a->fd, p, len, 0);
		if (n == 0)
			return fail("ssh-agent at %s closed the connection", a->path);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (agent_wait(a, POLLIN) < 0)
					return -1;
				continue;
			}
			errset_sys("ssh-agent at %s", a->path);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* send req (type byte and contents) on a new connection; its answer into reply */
static int agent_call(const struct buf *req, struct buf *reply)
{
	struct agent a;
	unsigned char head[4];
	struct buf msg = BUF_INIT;
	struct reader r = { head, 4 };
	uint32_t len;
	int rc = -1;

	if (agent_open(&a) < 0)
		return -1;
	put_string(&msg, req->data, req->len);
	if (agent_send(&a, msg.data, msg.len) < 0 || agent_recv(&a, head, 4) < 0)
		goto out;
	get_u32(&r, &len);
	if (len == 0 || len > AGENT_MAX_LEN) {
		fail("ssh-agent at %s: bad answer of %" PRIu32 " bytes", a.path, len);
		goto out;
	}
	buf_reset(reply);
	buf_grow(reply, len);
	if (agent_recv(&a, reply->data, len) < 0)
		goto out;
	reply->len = len;
	reply->data[len] = '\0';
	rc = 0;
out:
	close(a.fd);
	buf_release(&msg);
	return rc;
}

static bool agent_failed(unsigned type)
{
	return type == AGENT_FAILURE || type == AGENT2_FAILURE || type == AGENT_COM_FAILURE;
}

int sig_agent_keys(struct sig_key ***keys, size_t *n)
{
	struct buf req = BUF_INIT, reply = BUF_INIT;
	struct reader r;
	struct sig_key **list = NULL;
	size_t count = 0;
	uint32_t nkeys;
	unsigned type = 0;
	int rc = -1;

	*keys = NULL;
	*n = 0;
	buf_addc(&req, AGENTC_REQUEST_IDENTITIES);
	if (agent_call(&req, &reply) < 0)
		goto out;
	r = (struct reader){ (const unsigned char *)reply.data, reply.len };
	get_u8(&r, &type);
	if (agent_failed(type)) {
		fail("the ssh-agent refused to list its keys");
		goto out;
	}
	/* a key and its comment take 8 bytes at least */
	if (type != AGENT_IDENTITIES_ANSWER || !get_u32(&r, &nkeys) || nkeys > r.left / 8) {
		fail("the ssh-agent sent a bad list of keys");
		goto out;
	}
	list = xcalloc(nkeys ? nkeys : 1, sizeof *list);
	for (uint32_t i = 0; i < nkeys; i++) {
		struct span blob, comment;
		struct sig_key *k;

		if (!get_string(&r, &blob) || !get_string(&r, &comment)) {
			fail("the ssh-agent sent a bad list of keys");
			goto out;
		}
		if (!(k = key_from_blob(blob.p, blob.len)))
			continue;	/* a type we do not sign with */
		free(k->comment);
		k->comment = xstrndup((const char *)comment.p, comment.len);
		/* a comment stays on the key's line, as in a .pub file */
		for (char *c = k->comment; *c; c++)
			if (*c == '\n' || *c == '\r')
				*c = ' ';
		list[count++] = k;
	}
	*keys = list;
	*n = count;
	list = NULL;
	rc = 0;
out:
	if (list)
		sig_keys_free(list, count);
	buf_release(&req);
	buf_release(&reply);
	return rc;
}

/* why the agent did not sign: it does not hold the key, or it refused */
static int agent_refused(const struct sig_key *key)
{
	struct sig_key **keys;
	size_t n;
	bool held = true;
	char fp[SIG_FINGERPRINT_SIZE];

	sig_key_fingerprint(key, fp);
	if (sig_agent_keys(&keys, &n) == 0) {
		held = false;
		for (size_t i = 0; i < n && !held; i++)
			held = sig_key_equal(keys[i], key);
		sig_keys_free(keys, n);
	}
	if (!held)
		return fail("the ssh-agent does not hold the key %s %s: add it with ssh-add",
			    key->type, fp);
	return fail("the ssh-agent refused to sign with %s %s (declined confirmation?)", key->type, fp);
}

static int check_namespace(const char *namespace)
{
	if (!namespace || !*namespace)
		return fail("a signature needs a namespace");
	return 0;
}

int sig_sign_agent(const struct sig_key *key, const char *namespace,
		   const void *msg, size_t len, struct buf *armored)
{
	struct buf tbs = BUF_INIT, req = BUF_INIT, reply = BUF_INIT;
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned h_len, type = 0;
	struct reader r;
	struct span sig, alg;
	int rc = -1;

	if (check_namespace(namespace) < 0)
		return -1;
	message_hash(EVP_sha512(), msg, len, h, &h_len);
	signed_data(&tbs, namespace, "sha512", h, h_len);
	buf_addc(&req, AGENTC_SIGN_REQUEST);
	put_string(&req, key->blob, key->blob_len);
	put_string(&req, tbs.data, tbs.len);
	put_u32(&req, key->kind == KEY_RSA ? AGENT_RSA_SHA2_512 : 0);
	if (agent_call(&req, &reply) < 0)
		goto out;
	r = (struct reader){ (const unsigned char *)reply.data, reply.len };
	get_u8(&r, &type);
	if (agent_failed(type)) {
		agent_refused(key);
		goto out;
	}
	if (type != AGENT_SIGN_RESPONSE || !get_string(&r, &sig) || r.left) {
		fail("the ssh-agent sent a bad answer (type %u) to a signing request", type);
		goto out;
	}
	/* an old agent may ignore the flag and sign with SHA-1 */
	{
		struct reader sr = { sig.p, sig.len };
		if (key->kind == KEY_RSA && get_string(&sr, &alg) && !span_is(alg, "rsa-sha2-512")) {
			char s[SHOWN_SIZE];
			fail("the ssh-agent signed with '%s', not rsa-sha2-512: it is too old", shown(alg, s));
			goto out;
		}
	}
	if (verify_ssh_sig(key, sig, (const unsigned char *)tbs.data, tbs.len) < 0) {
		errprefix("the ssh-agent's signature is wrong");
		goto out;
	}
	sshsig_armored(key, namespace, sig, armored);
	rc = 0;
out:
	buf_release(&tbs);
	buf_release(&req);
	buf_release(&reply);
	return rc;
}

/* a private temporary directory (mode 0700), its path malloc'd; NULL and errget() */
static char *temp_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *path;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	path = xasprintf("%s/logbook-sig.XXXXXX", tmp);
	if (!mkdtemp(path)) {
		errset_sys("%s", path);
		free(path);
		return NULL;
	}
	return path;
}

/* the last line of a file (what ssh-keygen said before it failed) into out */
static void last_line(const char *path, struct buf *out)
{
	struct buf all = BUF_INIT;
	char *line;

	if (fs_read_file(path, &all) == 0 && all.len) {
		while (all.len && is_space(all.data[all.len - 1]))
			all.len--;
		all.data[all.len] = '\0';
		line = strrchr(all.data, '\n');
		line = line ? line + 1 : all.data;
		/* the prompt it wrote when it could not ask */
		if (!strncmp(line, "Enter passphrase: ", 18))
			line += 18;
		buf_adds(out, line);
	}
	buf_release(&all);
}

/*
 * The message goes to ssh-keygen as a file, not on its standard input:
 * without a terminal, ssh-keygen reads a passphrase from standard input,
 * which would eat the message.  Its standard input is /dev/null instead,
 * so a passphrase it cannot ask for is a plain failure.
 */
int sig_sign_keyfile(const char *keyfile, const char *namespace,
		     const void *msg, size_t len, struct buf *armored)
{
	char *dir, *msg_path = NULL, *sig_path = NULL, *err_path = NULL;
	struct child c;
	struct buf out = BUF_INIT, why = BUF_INIT;
	int errfd = -1, status, rc = -1;

	if (check_namespace(namespace) < 0 || !(dir = temp_dir()))
		return -1;
	msg_path = fs_join(dir, "message");
	sig_path = fs_join(dir, "message.sig");
	err_path = fs_join(dir, "stderr");
	{
		const char *argv[] = { "ssh-keygen", "-Y", "sign", "-f", keyfile, "-n", namespace, msg_path, NULL };
		int fd = open(msg_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || fs_write_all(fd, msg, len) < 0 || close(fd) < 0) {
			errset_sys("%s", msg_path);
			goto out;
		}
		errfd = open(err_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (errfd < 0) {
			errset_sys("%s", err_path);
			goto out;
		}
		memset(&c, 0, sizeof c);
		c.argv = argv;
		c.in = RUN_NULL;
		c.out = RUN_NULL;
		c.err = errfd;
		if (run_start(&c) < 0)
			goto out;
		status = run_finish(&c);
	}
	if (status != 0) {
		last_line(err_path, &why);
		if (why.len)
			fail("ssh-keygen -Y sign -f %s: %s", keyfile, why.data);
		else
			fail("ssh-keygen -Y sign -f %s failed (exit %d)", keyfile, status);
		goto out;
	}
	if (fs_read_file(sig_path, &out) < 0)
		goto out;
	if (out.len > KEYGEN_OUTPUT_MAX ||
	    sig_verify(out.data ? out.data : "", out.len, namespace, msg, len, NULL) < 0) {
		errprefix("the signature of ssh-keygen -Y sign -f %s", keyfile);
		goto out;
	}
	buf_add(armored, out.data, out.len);
	rc = 0;
out:
	if (errfd >= 0)
		close(errfd);
	unlink(msg_path);
	unlink(sig_path);
	unlink(err_path);
	rmdir(dir);
	free(msg_path);
	free(sig_path);
	free(err_path);
	free(dir);
	buf_release(&out);
	buf_release(&why);
	return rc;
}
