/*
 * hex: the value of a hexadecimal digit, for the parsers that read hashes
 * and escapes (record hashes, the known-secrets file, baseline state).
 */
#ifndef LOGBOOK_HEX_H
#define LOGBOOK_HEX_H

/* 0-15 for 0-9, a-f, A-F; -1 for anything else */
int hex_digit(int c);

#endif
