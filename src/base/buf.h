/*
 * Growable byte buffers (git's strbuf, redis's sds): one struct with the
 * data, its length and capacity, and a few functions to append.  The data
 * may hold any bytes, NUL included, and is always followed by a NUL so it
 * can be passed where a C string is expected when it holds text.
 *
 * A buf owns its memory; buf_release frees it, buf_detach hands it over.
 */
#ifndef LOGBOOK_BUF_H
#define LOGBOOK_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

/* buf_grow's reallocation, when the room is not there */
void buf_grow_slow(struct buf *b, size_t extra);

/*
 * make room for extra more bytes (plus the trailing NUL).  It and the
 * appends below are inline: formatting a search's hits calls them per
 * byte, and the calls were a tenth of a search of a million hits.
 */
static inline void buf_grow(struct buf *b, size_t extra)
{
	/* len < cap whenever data is set (buf.c): no overflow below */
	if (!b->data || extra >= b->cap - b->len)
		buf_grow_slow(b, extra);
}

static inline void buf_add(struct buf *b, const void *data, size_t len)
{
	buf_grow(b, len);
	if (len)
		__builtin_memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

static inline void buf_addc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/*
 * append s as one word for sh: in single quotes, each ' as '\''.  Inside
 * single quotes sh takes every other byte as it is (newlines, $, `, \,
 * bytes >= 0x80), so the word reads back as s in any locale.
 */
void buf_add_shell_quoted(struct buf *b, const char *s);
/* shorten to len bytes (len <= b->len) */
void buf_truncate(struct buf *b, size_t len);
/* empty the buffer, keeping its memory */
void buf_reset(struct buf *b);
void buf_release(struct buf *b);
/* give the data to the caller (a NUL-terminated malloc'd string) */
char *buf_detach(struct buf *b, size_t *len);
/* the contents as a C string: "" when nothing was ever added */
const char *buf_str(const struct buf *b);

#endif
