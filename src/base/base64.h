/*
 * Base64 of RFC 4648 (the standard alphabet, "=" padding), appended to a
 * buf.  Encoding always writes the canonical form.  Decoding takes one of
 * three strictnesses, because the formats that carry base64 differ in what
 * they have always accepted, and a reader must keep accepting exactly
 * that: see enum base64_mode.  Never prints, never exits, never allocates
 * but through the buf.
 */
#ifndef LOGBOOK_BASE64_H
#define LOGBOOK_BASE64_H

#include <stddef.h>

#include "base/buf.h"

/* append the base64 of the len bytes at data, padded, on one line */
void base64_encode(struct buf *out, const void *data, size_t len);

enum base64_mode {
	/*
	 * Canonical only, as OpenSSH's decoder wants it: whole groups of
	 * four, "=" only to pad the last group, the bits the padding leaves
	 * unused zero, nothing else.
	 */
	BASE64_CANONICAL,
	/* the same, with blanks and line breaks (" \t\r\n") between digits skipped */
	BASE64_CANONICAL_LINES,
	/*
	 * What OpenSSL's EVP_DecodeBlock took, which journal records have
	 * always been read with: the length a multiple of four; blanks
	 * before, and blanks, line breaks and "-" after, ignored; "=" a
	 * zero digit anywhere; the bits under the padding not checked; as
	 * many bytes dropped from the end as the last two characters are "=".
	 */
	BASE64_LAX,
};

/*
 * Append the bytes the len characters at s decode to, under mode.  0, or
 * -1 when s is not base64 to that mode (out unchanged; no message: the
 * caller knows what the text was).
 */
int base64_decode(struct buf *out, const char *s, size_t len, enum base64_mode mode);

#endif
