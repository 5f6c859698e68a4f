/*
 * redact-corpus.h: the escapes of tests/redact-corpus.txt, shared by the
 * unit test that checks every case (tests/unit/test-redact.c) and the
 * tool that measures the rules with it (tests/redact-tool.c).
 */
#ifndef LOGBOOK_TESTS_REDACT_CORPUS_H
#define LOGBOOK_TESTS_REDACT_CORPUS_H

#include <stddef.h>

#include "base/buf.h"
#include "base/hex.h"


/* the corpus escapes, \n \t \\ \xHH, into b; NULL, or why the text is no
 * corpus text (any other backslash sequence) */
static inline const char *corpus_unescape(const char *s, size_t n, struct buf *b)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			buf_addc(b, s[i]);
			continue;
		}
		if (++i >= n)
			return "backslash at the end of the line";
		if (s[i] == 'n')
			buf_addc(b, '\n');
		else if (s[i] == 't')
			buf_addc(b, '\t');
		else if (s[i] == '\\')
			buf_addc(b, '\\');
		else if (s[i] == 'x' && i + 2 < n && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
			buf_addc(b, (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2])));
			i += 2;
		} else
			return "unknown escape";
	}
	return NULL;
}

#endif
