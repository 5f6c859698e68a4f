/*
 * UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing
 * above U+10FFFF.  This module inspects bytes, and shows them as text a
 * terminal cannot act on (utf8_escape); it allocates only in the buf it
 * is given.
 */
#ifndef LOGBOOK_UTF8_H
#define LOGBOOK_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/*
 * Decode the character at s (len > 0 bytes available).  Returns its length
 * in bytes (1 to 4) and stores the code point in *cp, or returns 0 when the
 * first byte does not start a valid character.
 */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
bool utf8_valid(const char *s, size_t len);
/* whether s holds a C0 control byte or DEL */
bool utf8_has_control(const char *s);

/*
 * Append s (any bytes) to out, showing what a terminal would act on as
 * text: ESC as \e, CR as \r, other C0 and DEL as \xNN, C1 controls and
 * bidirectional or invisible format characters as \uNNNN, bytes that are
 * not UTF-8 as \xNN.  Tabs, and newlines when keep_newlines, stay.  Every
 * byte that another replica, a record or git wrote goes through it before
 * it reaches a terminal: the view's records and the replica's warnings
 * alike, since both come from machines this one does not control.
 */
void utf8_escape(struct buf *out, const char *s, size_t len, bool keep_newlines);

#endif
