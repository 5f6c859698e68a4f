/*
 * utf8: strict validation and decoding.  Written by hand because it is a
 * dozen lines, sits on every record write, and the rules (RFC 3629, table
 * 3-7 of the Unicode standard) are short enough to check by eye; it is
 * covered by unit tests and by the record fuzz target.
 */
#include "base/utf8.h"
#include "base/banned.h"

size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	uint32_t v;
	size_t n, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;		/* overlong */
		else if (c == 0xed)
			hi = 0x9f;		/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;		/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;		/* above U+10FFFF */
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		unsigned char d = s[i];
		if (d < lo || d > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		v = (v << 6) | (d & 0x3f);
	}
	*cp = v;
	return n;
}

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		size_t n;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_decode(p + i, len - i, &cp);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

bool utf8_has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

/* code points a terminal or a reader could be fooled by */
static bool is_hidden(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) ||	/* C1 controls, CSI among them */
	       cp == 0x061c || cp == 0x200b || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) ||	/* bidi embeddings, overrides */
	       (cp >= 0x2066 && cp <= 0x2069) ||	/* bidi isolates */
	       cp == 0x2028 || cp == 0x2029 || cp == 0xfeff;
}

void utf8_escape(struct buf *out, const char *s, size_t len, bool keep_newlines)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, plain = 0;

	buf_grow(out, len);
	while (i < len) {
		unsigned char c = p[i];
		uint32_t cp;
		size_t n;

		if (c >= 0x20 && c < 0x7f) {
			i++;
			continue;
		}
		if (c == '\t' || (c == '\n' && keep_newlines)) {
			i++;
			continue;
		}
		n = c < 0x80 ? 1 : utf8_decode(p + i, len - i, &cp);
		if (n > 1 && !is_hidden(cp)) {
			i += n;
			continue;
		}
		buf_add(out, s + plain, i - plain);
		if (n == 0 || c == 0x7f || (c < 0x20 && c != 0x1b && c != '\r' && c != '\n'))
			buf_addf(out, "\\x%02x", c);
		else if (c == 0x1b)
			buf_adds(out, "\\e");
		else if (c == '\r')
			buf_adds(out, "\\r");
		else if (c == '\n')
			buf_adds(out, "\\n");
		else
			buf_addf(out, "\\u%04x", (unsigned)cp);
		i += n ? n : 1;
		plain = i;
	}
	buf_add(out, s + plain, i - plain);
}
