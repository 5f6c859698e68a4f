/*
 * sig-wire: the wire form of ssh keys, signatures and agent messages
 * (RFC 4251 section 5), read and written.
 *
 * Reading is the one place where the sig module indexes into untrusted
 * bytes: every wire_get_* checks the length it needs against what is left
 * in the reader and, when short, fails and leaves the reader where it was.
 * Writing never fails (the buf grows).  mpints are read as positive values
 * without leading zeros and written canonically, which is what makes a
 * key's re-encoded wire form the one OpenSSH fingerprints.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "journal/sig.h"
#include "journal/sig-int.h"
#include "base/banned.h"

bool wire_get_bytes(struct reader *r, size_t n, const unsigned char **out)
{
	if (r->left < n)
		return false;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return true;
}

bool wire_get_u8(struct reader *r, unsigned *v)
{
	const unsigned char *p;

	if (!wire_get_bytes(r, 1, &p))
		return false;
	*v = p[0];
	return true;
}

bool wire_get_u32(struct reader *r, uint32_t *v)
{
	const unsigned char *p;

	if (!wire_get_bytes(r, 4, &p))
		return false;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
	return true;
}

bool wire_get_string(struct reader *r, struct span *s)
{
	uint32_t len;
	struct reader save = *r;

	if (!wire_get_u32(r, &len) || !wire_get_bytes(r, len, &s->p)) {
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
int wire_get_mpint(struct reader *r, struct span *s, size_t max, const char *what)
{
	if (!wire_get_string(r, s))
		return sig_fail("truncated %s", what);
	if (s->len && (s->p[0] & 0x80))
		return sig_fail("negative %s", what);
	while (s->len && s->p[0] == 0) {
		s->p++;
		s->len--;
	}
	if (s->len > max)
		return sig_fail("%s of %zu bytes is too large", what, s->len);
	return 0;
}

/*
 * The bytes to parse.  Under a fuzzer, an exact copy (freed by the caller
 * through *copy): a buf has room to spare after its data, so a read past
 * the end would go unseen by AddressSanitizer.  Otherwise the bytes as
 * they are, and *copy is NULL.
 */
const unsigned char *wire_exact(const void *p, size_t len, unsigned char **copy)
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

void wire_put_u32(struct buf *b, uint32_t v)
{
	unsigned char p[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };

	buf_add(b, p, 4);
}

void wire_put_string(struct buf *b, const void *data, size_t len)
{
	wire_put_u32(b, (uint32_t)len);
	buf_add(b, data, len);
}

void wire_put_cstring(struct buf *b, const char *s)
{
	wire_put_string(b, s, strlen(s));
}

/* an mpint of a positive value given without leading zeros */
void wire_put_mpint(struct buf *b, struct span v)
{
	bool pad = v.len && (v.p[0] & 0x80);

	wire_put_u32(b, (uint32_t)(v.len + pad));
	if (pad)
		buf_addc(b, '\0');
	buf_add(b, v.p, v.len);
}

/* ---- base64 ---- */

static const char b64_digits[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void sig_b64_encode(struct buf *out, const unsigned char *p, size_t len)
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

/*
 * Canonical base64 only, as OpenSSH's decoder wants it: whole groups of
 * four, '=' only to pad the last one, the bits the padding leaves unused
 * zero.  With spaces, blanks and line breaks between digits are skipped
 * (the armor's lines).  Appends to out; -1 (no message) when not base64.
 */
int sig_b64_decode(struct buf *out, const char *s, size_t len, bool spaces)
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
