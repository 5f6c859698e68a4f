/*
 * hex: the value of a hexadecimal digit, for the parsers that read hashes
 * and escapes (record hashes, the known-secrets file, baseline state).
 */
#ifndef LOGBOOK_HEX_H
#define LOGBOOK_HEX_H

#include <stddef.h>

/* 0-15 for 0-9, a-f, A-F; -1 for anything else */
int hex_digit(int c);
/* the len bytes of data as 2 * len lowercase hex digits, then a NUL */
void hex_encode(const unsigned char *data, size_t len, char *out);
/* 2 * len hex digits into len bytes; -1 when one is not a hex digit */
int hex_decode(const char *hex, size_t len, unsigned char *out);

#endif
