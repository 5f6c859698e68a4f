/*
 * UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing
 * above U+10FFFF.  This module only inspects bytes; it never allocates.
 */
#ifndef LOGBOOK_UTF8_H
#define LOGBOOK_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decode the character at s (len > 0 bytes available).  Returns its length
 * in bytes (1 to 4) and stores the code point in *cp, or returns 0 when the
 * first byte does not start a valid character.
 */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
bool utf8_valid(const char *s, size_t len);
/* whether s holds a C0 control byte or DEL */
bool utf8_has_control(const char *s);

#endif
