/*
 * fuzz-render: render_escape on arbitrary bytes, with and without
 * keep_newlines.
 *
 * The output must be valid UTF-8 with no byte below 0x20 but the tab and,
 * with keep_newlines, the newline; no DEL; no C1 control (U+0080 to
 * U+009F) and no bidi embedding, override or isolate (U+202A to U+202E,
 * U+2066 to U+2069).  Escaping only adds: the output is never shorter
 * than the input, and what the buffer held before is kept.  Input that
 * contains nothing to escape (by the list in render.h) comes out
 * unchanged.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "view/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool forbidden(uint32_t cp, bool keep_newlines)
{
	if (cp < 0x20)
		return cp != '\t' && !(keep_newlines && cp == '\n');
	return cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* what render.h also promises to show as \uNNNN: the invisible ones */
static bool invisible(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200b || cp == 0x200e || cp == 0x200f ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0xfeff;
}

/* true when s is valid UTF-8 without a forbidden (or, with strict, invisible) character */
static bool clean(const unsigned char *s, size_t len, bool keep_newlines, bool strict)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);

		if (n == 0 || forbidden(cp, keep_newlines) || (strict && invisible(cp)))
			return false;
		i += n;
	}
	return true;
}

static void check(const uint8_t *data, size_t size, bool keep_newlines)
{
	struct buf out = BUF_INIT;
	static const char head[] = "head\x1b";

	buf_add(&out, head, sizeof head - 1);
	render_escape(&out, (const char *)data, size, keep_newlines);
	if (memcmp(out.data, head, sizeof head - 1))
		abort();
	if (!clean((const unsigned char *)out.data + sizeof head - 1, out.len - (sizeof head - 1),
		   keep_newlines, false))
		abort();
	if (out.len - (sizeof head - 1) < size)
		abort();
	if (clean(data, size, keep_newlines, true) &&
	    (out.len - (sizeof head - 1) != size || memcmp(out.data + sizeof head - 1, data, size)))
		abort();
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size, false);
	check(data, size, true);
	return 0;
}
