/*
 * appended: the lines another host appends, cut from a stream of pieces
 * of any size and checked as records of its chain.  No library cuts a
 * stream into lines across chunks with a bound on what it keeps, and the
 * chain rule is logbook's own; each line itself is parsed by rec_parse
 * (jansson).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "replica/appended.h"
#include "base/banned.h"

void appended_init(struct appended *a, const char *host, const char *commit)
{
	memset(a, 0, sizeof *a);
	a->host = host;
	a->commit = commit;
}

void appended_release(struct appended *a)
{
	for (size_t i = 0; i < a->npaths; i++)
		free(a->paths[i]);
	free(a->paths);
	free(a->v);
	buf_release(&a->line);
	free(a->why);
	memset(a, 0, sizeof *a);
}

static void vfail(struct appended *a, char *prefix, const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT;

	if (!a->why) {
		buf_addf(&b, "%.12s %s", a->commit, prefix);
		buf_vaddf(&b, fmt, ap);
		a->why = buf_detach(&b, NULL);
	}
	free(prefix);
}

void appended_fail(struct appended *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(a, xstrdup(""), fmt, ap);
	va_end(ap);
}

void appended_bad_line(struct appended *a, size_t file, size_t lineno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(a, xasprintf("breaks %s's chain: line %zu of '%s' ", a->host, lineno, a->paths[file]), fmt, ap);
	va_end(ap);
}

void appended_file(struct appended *a, const char *path, size_t lines)
{
	a->paths = xreallocarray(a->paths, a->npaths + 1, sizeof *a->paths);
	a->paths[a->npaths++] = xstrdup(path);
	a->lineno = lines;
	buf_reset(&a->line);
}

/* len bytes of any kind as one line a terminal cannot act on (allocated) */
static char *escaped(const char *s, size_t len)
{
	struct buf b = BUF_INIT;

	utf8_escape(&b, s, len, false);
	return buf_detach(&b, NULL);
}

/* one complete line of the current file, without its newline */
static void add_line(struct appended *a, const char *line, size_t len)
{
	struct appended_rec *r;
	struct record *rec;

	a->lineno++;
	if (!(rec = rec_parse(line, len, false))) {
		/* jansson quotes the input in its messages */
		char *e = escaped(errget(), strlen(errget()));
		appended_bad_line(a, a->npaths - 1, a->lineno, "is not a record: %s", e);
		free(e);
		return;
	}
	if (strcmp(rec->host, a->host)) {
		char *h = escaped(rec->host, strlen(rec->host));
		appended_bad_line(a, a->npaths - 1, a->lineno, "is a record of host '%s'", h);
		free(h);
		rec_free(rec);
		return;
	}
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		a->v = xreallocarray(a->v, a->cap, sizeof *a->v);
	}
	r = &a->v[a->n++];
	r->seq = rec->seq;
	memcpy(r->prev, rec->prev, REC_HASH_LEN + 1);
	rec_hash(line, len, r->hash);
	r->file = a->npaths - 1;
	r->lineno = a->lineno;
	rec_free(rec);
}

void appended_feed(struct appended *a, const char *p, size_t n)
{
	const char *end = p + n, *nl;

	while (!a->why && p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		if (a->line.len) {
			buf_add(&a->line, p, (size_t)(nl - p));
			add_line(a, a->line.data, a->line.len);
			buf_reset(&a->line);
		} else {
			add_line(a, p, (size_t)(nl - p));
		}
		p = nl + 1;
	}
	if (!a->why)
		buf_add(&a->line, p, (size_t)(end - p));
}

void appended_file_end(struct appended *a)
{
	if (a->line.len)
		appended_bad_line(a, a->npaths - 1, a->lineno + 1, "is not complete (no newline at its end)");
	buf_reset(&a->line);
}

static int cmp_rec(const void *x, const void *y)
{
	const struct appended_rec *a = x, *b = y;

	if (a->seq != b->seq)
		return (a->seq > b->seq) - (a->seq < b->seq);
	if (a->file != b->file)
		return (a->file > b->file) - (a->file < b->file);
	return (a->lineno > b->lineno) - (a->lineno < b->lineno);
}

bool appended_in_order(struct appended *a)
{
	if (a->why)
		return false;
	if (a->n > 1)
		qsort(a->v, a->n, sizeof *a->v, cmp_rec);
	for (size_t i = 1; i < a->n; i++) {
		const struct appended_rec *r = &a->v[i], *p = &a->v[i - 1];
		if (r->seq != p->seq + 1) {
			/* the line out of place: the later of two with one seq, the one after a gap */
			appended_bad_line(a, r->file, r->lineno, "has seq %lld, expected %lld", (long long)r->seq,
					  (long long)p->seq + 1);
			return false;
		}
		if (strcmp(r->prev, p->hash)) {
			appended_bad_line(a, r->file, r->lineno, "(seq %lld) does not continue the chain: its prev is "
					  "not the hash of seq %lld (line %zu of '%s')", (long long)r->seq,
					  (long long)p->seq, p->lineno, a->paths[p->file]);
			return false;
		}
	}
	return true;
}

bool appended_continues(struct appended *a, int64_t seq, const char *hash, const char *where)
{
	const struct appended_rec *first = a->n ? &a->v[0] : NULL;

	if (a->why)
		return false;
	if (!first)
		return true;
	if (first->seq <= seq)
		appended_bad_line(a, first->file, first->lineno, "has seq %lld, which %s's chain here already holds "
				  "(it ends at seq %lld)", (long long)first->seq, a->host, (long long)seq);
	else if (first->seq != seq + 1)
		appended_bad_line(a, first->file, first->lineno, "has seq %lld, expected %lld", (long long)first->seq,
				  (long long)seq + 1);
	else if (strcmp(first->prev, hash) && seq == 0)
		appended_bad_line(a, first->file, first->lineno, "(seq 1) does not start the chain: its prev is not "
				  "the genesis");
	else if (strcmp(first->prev, hash))
		appended_bad_line(a, first->file, first->lineno, "(seq %lld) does not continue the chain: its prev "
				  "is not the hash of seq %lld%s%s%s", (long long)first->seq, (long long)seq,
				  where ? ", the last line of '" : "", where ? where : "", where ? "'" : "");
	return !a->why;
}

const struct appended_rec *appended_last(const struct appended *a)
{
	const struct appended_rec *last = NULL;

	for (size_t i = 0; i < a->n; i++)
		if (!last || a->v[i].seq > last->seq)
			last = &a->v[i];
	return last;
}

void appended_last_line_feed(struct last_line *l, const char *p, size_t n)
{
	const char *nl = n ? memrchr(p, '\n', n) : NULL, *before;

	if (!nl) {
		buf_add(&l->cur, p, n);
		return;
	}
	before = memrchr(p, '\n', (size_t)(nl - p));
	buf_reset(&l->last);
	if (before) {
		buf_add(&l->last, before + 1, (size_t)(nl - before - 1));
	} else {
		buf_add(&l->last, l->cur.data, l->cur.len);
		buf_add(&l->last, p, (size_t)(nl - p));
	}
	l->any = true;
	buf_reset(&l->cur);
	buf_add(&l->cur, nl + 1, (size_t)(p + n - nl - 1));
}

void appended_last_line_release(struct last_line *l)
{
	buf_release(&l->last);
	buf_release(&l->cur);
}

bool appended_cache_find(const char *text, const char *commit, int64_t *seq, char hash[REC_HASH_LEN + 1])
{
	size_t clen = strlen(commit);

	for (const char *p = text; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		const char *h;
		char *end;
		long long n;
		if (!clen || strncmp(p, commit, clen) || p[clen] != ' ' || p[clen + 1] < '0' || p[clen + 1] > '9')
			continue;
		errno = 0;
		n = strtoll(p + clen + 1, &end, 10);
		h = end + 1;
		if (errno || *end != ' ' || strspn(h, "0123456789abcdef") != REC_HASH_LEN ||
		    (h[REC_HASH_LEN] != '\n' && h[REC_HASH_LEN] != '\0'))
			continue;
		*seq = n;
		memcpy(hash, h, REC_HASH_LEN);
		hash[REC_HASH_LEN] = '\0';
		return true;
	}
	return false;
}
