/*
 * sig-wire: the wire form of ssh keys, signatures and agent messages
 * (RFC 4251 section 5), read and written.
 *
 * Reading is the one place where the sig module indexes into untrusted
 * bytes: every wire_get_* checks the length it needs against what is left
 * in the reader and, when short, fails and leaves the reader where it was.
 * Writing never fails (the buf grows).  mpints are read as positive values
 * without leading zeros and written canonically, which is what makes a
 * key's re-encoded wire form the one OpenSSH fingerprints.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "journal/sig-int.h"
#include "journal/sig.h"
#include "base/banned.h"

bool wire_get_bytes(struct reader *r, size_t n, const unsigned char **out)
{
	if (r->left < n)
		return false;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return true;
}

bool wire_get_u8(struct reader *r, unsigned *v)
{
	const unsigned char *p;

	if (!wire_get_bytes(r, 1, &p))
		return false;
	*v = p[0];
	return true;
}

bool wire_get_u32(struct reader *r, uint32_t *v)
{
	const unsigned char *p;

	if (!wire_get_bytes(r, 4, &p))
		return false;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
	return true;
}

bool wire_get_string(struct reader *r, struct span *s)
{
	uint32_t len;
	struct reader save = *r;

	if (!wire_get_u32(r, &len) || !wire_get_bytes(r, len, &s->p)) {
		*r = save;
		return false;
	}
	s->len = len;
	return true;
}

/*
 * A positive mpint, its value without leading zeros in *s (empty for 0).
 * -1 and errget() when truncated, negative, or longer than max bytes.
 */
int wire_get_mpint(struct reader *r, struct span *s, size_t max, const char *what)
{
	if (!wire_get_string(r, s))
		return sig_fail("truncated %s", what);
	if (s->len && (s->p[0] & 0x80))
		return sig_fail("negative %s", what);
	while (s->len && s->p[0] == 0) {
		s->p++;
		s->len--;
	}
	if (s->len > max)
		return sig_fail("%s of %zu bytes is too large", what, s->len);
	return 0;
}

/*
 * The bytes to parse.  Under a fuzzer, an exact copy (freed by the caller
 * through *copy): a buf has room to spare after its data, so a read past
 * the end would go unseen by AddressSanitizer.  Otherwise the bytes as
 * they are, and *copy is NULL.
 */
const unsigned char *wire_exact(const void *p, size_t len, unsigned char **copy)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	*copy = len ? xmalloc(len) : NULL;
	if (len)
		memcpy(*copy, p, len);
	return *copy;
#else
	(void)len;
	*copy = NULL;
	return p;
#endif
}

void wire_put_u32(struct buf *b, uint32_t v)
{
	unsigned char p[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };

	buf_add(b, p, 4);
}

void wire_put_string(struct buf *b, const void *data, size_t len)
{
	wire_put_u32(b, (uint32_t)len);
	buf_add(b, data, len);
}

void wire_put_cstring(struct buf *b, const char *s)
{
	wire_put_string(b, s, strlen(s));
}

/* an mpint of a positive value given without leading zeros */
void wire_put_mpint(struct buf *b, struct span v)
{
	bool pad = v.len && (v.p[0] & 0x80);

	wire_put_u32(b, (uint32_t)(v.len + pad));
	if (pad)
		buf_addc(b, '\0');
	buf_add(b, v.p, v.len);
}
