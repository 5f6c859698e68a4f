/*
 * siphash: SipHash-2-4, the keyed 64-bit hash of Aumasson and Bernstein
 * ("SipHash: a fast short-input PRF", 2012), written from the paper's
 * description.  It is fast on the few bytes it is given here (the
 * known-secret matcher hashes up to 8 bytes at every position of a text)
 * where a call into libcrypto's EVP_MAC costs more than the hash itself.
 * Its results are checked against the paper's vectors and against
 * OpenSSL's SIPHASH in tests/unit/test-siphash.c.  It holds no state.
 */
#ifndef LOGBOOK_SIPHASH_H
#define LOGBOOK_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

/* SipHash-2-4 of len bytes under the 16-byte key (k0 and k1 little-endian) */
uint64_t siphash24(const uint8_t key[SIPHASH_KEY_LEN], const void *data, size_t len);

#endif
