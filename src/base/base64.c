/*
 * base64: RFC 4648 base64, written canonically and read under one of the
 * modes of base64.h, by one decoding loop, so that every format that
 * carries base64 (ssh keys, SSHSIG armor, the "_b64" fields of records)
 * shares one implementation and differs only where it always has.
 *
 * Decoding writes straight into room grown once for the whole input (it
 * runs for every signature and every byte field of a journal), and sets
 * out->len only when the whole input was good, so a failure leaves out as
 * it was (its NUL put back).
 */
#include <stdbool.h>
#include <stdint.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/banned.h"

static const char digits[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(struct buf *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	char *o;
	size_t i;

	buf_grow(out, (len + 2) / 3 * 4);
	o = out->data + out->len;
	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = digits[v >> 18];
		*o++ = digits[(v >> 12) & 63];
		*o++ = digits[(v >> 6) & 63];
		*o++ = digits[v & 63];
	}
	if (i < len) {
		bool two = len - i == 2;
		uint32_t v = (uint32_t)p[i] << 16 | (two ? (uint32_t)p[i + 1] << 8 : 0);
		*o++ = digits[v >> 18];
		*o++ = digits[(v >> 12) & 63];
		*o++ = two ? digits[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
}

static int digit_value(unsigned char c)
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

static bool is_line_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* what EVP_DecodeBlock skips before the digits, and after them */
static bool lax_leading(char c)
{
	return c == ' ' || c == '\t';
}

static bool lax_trailing(char c)
{
	return is_line_space(c) || c == '-';
}

int base64_decode(struct buf *out, const char *s, size_t len, enum base64_mode mode)
{
	uint32_t acc = 0;
	int n = 0, pad = 0;
	size_t drop = 0;
	bool done = false;
	unsigned char *o;

	if (mode == BASE64_LAX) {
		if (len % 4)
			return -1;
		/* counted before the ends are trimmed, as records were always read */
		if (len)
			drop = (s[len - 1] == '=') + (s[len - 2] == '=');
		while (len && lax_leading(*s)) {
			s++;
			len--;
		}
		while (len > 3 && lax_trailing(s[len - 1]))
			len--;
		if (len % 4)
			return -1;
	}
	buf_grow(out, len / 4 * 3 + 3);
	o = (unsigned char *)out->data + out->len;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int v;

		if (mode == BASE64_CANONICAL_LINES && is_line_space(c))
			continue;
		if (done)
			goto bad;
		if (c == '=' && mode == BASE64_LAX) {
			v = 0;
		} else if (c == '=') {
			if (n < 2)
				goto bad;
			pad++;
			v = 0;
		} else if (pad || (v = digit_value((unsigned char)c)) < 0) {
			goto bad;
		}
		acc = acc << 6 | (uint32_t)v;
		if (++n < 4)
			continue;
		/* the bits the padding leaves unused must be zero */
		if ((pad == 2 && (acc & 0xffff)) || (pad == 1 && (acc & 0xff)))
			goto bad;
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
		goto bad;
	/* a trimmed input that ends in "=" is a group at least: o - drop stays in ours */
	out->len = (size_t)((char *)o - out->data) - drop;
	out->data[out->len] = '\0';
	return 0;
bad:
	/* what was written past the end goes: the data is NUL-terminated again */
	out->data[out->len] = '\0';
	return -1;
}
