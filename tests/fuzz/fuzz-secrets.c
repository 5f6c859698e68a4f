/*
 * fuzz-secrets: the known-secrets file's parser and the matcher.
 *
 * secrets_parse on arbitrary bytes must never crash or read past the
 * input (ASan, UBSan).  When it accepts them, secrets_encode must give
 * back exactly the same bytes: the parser accepts nothing the writer
 * would not write.  Then, with a fixed set of values (some of them made
 * of the marker's pieces), secrets_redact of the bytes must keep every
 * byte but the values it replaced (the output without its markers is
 * never longer than the input) and be stable: redacting the output
 * again changes nothing and finds nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "journal/secrets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct secrets *fixed(void)
{
	static const char *const values[] = { "Hunter2x", "abcabc", "ACTED][RE", "D]abcab", "ab[RED", "xxxxxxx",
					      "\0\0\0\0\0\0" };
	struct secrets *s = secrets_new();

	if (!s)
		abort();
	for (size_t i = 0; i < sizeof values / sizeof *values; i++)
		if (secrets_add(s, values[i], i == 6 ? 6 : strlen(values[i])) != 0)
			abort();
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct secrets *known;
	struct secrets *s = secrets_parse("fuzz", (const char *)data, size);
	struct buf out = BUF_INIT, again = BUF_INIT;
	size_t n;

	if (s) {
		secrets_encode(s, &out);
		if (out.len != size || memcmp(out.data, data, size))
			abort();
		secrets_free(s);
		buf_reset(&out);
	}
	if (!known)
		known = fixed();
	n = secrets_redact(known, (const char *)data, size, &out);
	if (n == 0 && (out.len != size || memcmp(out.data ? out.data : "", data, size)))
		abort();
	if (out.len > size + n * 10)
		abort();
	if (secrets_redact(known, out.data ? out.data : "", out.len, &again) != 0 || again.len != out.len ||
	    memcmp(again.data ? again.data : "", out.data ? out.data : "", out.len))
		abort();
	buf_release(&out);
	buf_release(&again);
	return 0;
}
