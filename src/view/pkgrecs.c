/*
 * pkgrecs: the advisory, package and inventory records, from the index
 * and a cache per account (see pkgrecs.h).
 *
 * The cache, .state/pkgrecs/<uid>:
 *
 *   logbook-pkgrecs 1 <generation> <last row>
 *   <file> <line> <record>     one a line: the file relative to the journal
 *
 * The rows after <last row> are read when the index's generation is the
 * cached one, every row of the three kinds when not (an index rebuilt).
 * A file indexed again (it shrank, or was replaced) gives its lines new
 * rows: a line met twice is kept once, the one read last.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "view/index.h"
#include "view/pkgrecs.h"
#include "base/banned.h"

#define PKGRECS_MAGIC "logbook-pkgrecs 1"
/* a few lines a month per host; a bigger file is not ours */
#define PKGRECS_MAX (256 * 1024 * 1024)

struct entry {
	struct pkgrec r;
	size_t order;		/* when it was read: the later of two copies of a line stands */
};

struct loading {
	const struct journal *j;
	struct entry *v;
	size_t n;
	struct buf *data;	/* holds the lines of entries added while loading */
};

/* "YYYY/YYYY_MM_DD/<host>.jsonl" as the store names it, into day and host */
static bool parse_rel(const char *rel, size_t len, char day[DAY_LEN + 1], char host[STORE_HOST_MAX + 1])
{
	char *s = xstrndup(rel, len), *slash = strrchr(s, '/');
	bool ok = slash && slash - s == 4 + 1 + DAY_LEN && store_file_host(slash + 1, host) && store_is_file_of(s, host);

	if (ok)
		snprintf(day, DAY_LEN + 1, "%.*s", DAY_LEN, s + 5);
	free(s);
	return ok;
}

/* one entry of the cache's form, "<file> <line> <record>", at p (len bytes, no newline) */
static bool add_entry(struct loading *l, const char *p, size_t len)
{
	const char *sp = memchr(p, ' ', len), *sp2;
	struct entry e = { .order = l->n };
	char *rel, *end;
	unsigned long long lineno;

	if (!sp || !(sp2 = memchr(sp + 1, ' ', len - (size_t)(sp + 1 - p))) ||
	    !parse_rel(p, (size_t)(sp - p), e.r.day, e.r.host))
		return false;
	lineno = strtoull(sp + 1, &end, 10);
	if (end != sp2 || lineno == 0 || sp2 + 1 >= p + len || sp2[1] != '{')
		return false;
	rel = xstrndup(p, (size_t)(sp - p));
	e.r.path = fs_join(l->j->dir, rel);
	free(rel);
	e.r.lineno = (size_t)lineno;
	e.r.line = sp2 + 1;
	e.r.len = len - (size_t)(sp2 + 1 - p);
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = e;
	return true;
}

static void drop_entries(struct loading *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].r.path);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* every entry of the cache's lines in b (from off on); false when one does not read */
static bool add_entries(struct loading *l, const struct buf *b, size_t off)
{
	const char *p = b->data + off, *end = b->data + b->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl || !add_entry(l, p, (size_t)(nl - p)))
			return false;
		p = nl + 1;
	}
	return true;
}

static char *cache_rel(void)
{
	return xasprintf(PKGRECS_DIR "/%lu", (unsigned long)geteuid());
}

/* the cache's lines into data, its generation and row; false when there is none of this account's that reads */
static bool cache_read(struct loading *l, char generation[64], int64_t *last_id)
{
	char *rel = cache_rel();
	struct buf b = BUF_INIT;
	int fd = fs_open_below(l->j->dir, rel, O_RDONLY, 0, 0);
	long long id;
	const char *nl;
	bool ok = false;

	free(rel);
	if (fd < 0)
		return false;
	if (fs_read_fd(fd, &b, PKGRECS_MAX) == 0 && (nl = memchr(buf_str(&b), '\n', b.len)) &&
	    sscanf(buf_str(&b), PKGRECS_MAGIC " %63s %lld\n", generation, &id) == 2 && id >= 0) {
		size_t head = (size_t)(nl + 1 - b.data);
		buf_add(l->data, b.data + head, b.len - head);
		*last_id = id;
		ok = add_entries(l, l->data, 0);
	}
	close(fd);
	buf_release(&b);
	if (!ok) {
		drop_entries(l);
		buf_reset(l->data);
	}
	return ok;
}

static void cache_write(const struct journal *j, const char *generation, int64_t last_id, const struct pkgrecs *p)
{
	char *rel = cache_rel();
	struct buf b = BUF_INIT;
	size_t dirlen = strlen(j->dir);
	int dfd = fs_dir_below(j->dir, PKGRECS_DIR, FS_BELOW_MKDIRS | FS_BELOW_CHMOD, journal_dir_mode(j));

	/* a disposable cache: failing to keep it costs the next reader the rows again, nothing more */
	if (dfd >= 0) {
		close(dfd);
		buf_addf(&b, PKGRECS_MAGIC " %s %" PRId64 "\n", generation, last_id);
		for (size_t i = 0; i < p->n; i++) {
			const char *r = p->v[i].path + dirlen;
			buf_addf(&b, "%s %zu ", r + strspn(r, "/"), p->v[i].lineno);
			buf_add(&b, p->v[i].line, p->v[i].len);
			buf_addc(&b, '\n');
		}
		(void)fs_write_atomic_below(j->dir, rel, b.data, b.len, 0600, FS_ATOMIC_NO_SYNC);
	}
	free(rel);
	buf_release(&b);
}

static int take_hit(const struct index_hit *h, void *arg)
{
	struct buf *b = arg;

	if (!h->line || memchr(h->line, '\n', h->len))
		return 0;
	if (!strcmp(h->kind, "event") && !memmem(h->line, h->len, "\"advisory\"", 10))
		return 0;
	buf_addf(b, "%s %zu ", h->path, h->lineno);
	buf_add(b, h->line, h->len);
	buf_addc(b, '\n');
	return 0;
}

/* a walk's order (store_each_file): newest day first, hosts by name, lines in order; the later copy first */
static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(y->r.day, x->r.day);

	if (!c)
		c = strcmp(x->r.host, y->r.host);
	if (!c && x->r.lineno != y->r.lineno)
		c = x->r.lineno < y->r.lineno ? -1 : 1;
	if (!c && x->order != y->order)
		c = x->order > y->order ? -1 : 1;
	return c;
}

int pkgrecs_load(struct journal *j, struct pkgrecs *out)
{
	static const char *const kinds[] = { "event", "package", "inventory" };
	struct index_position pos;
	struct loading l = { .j = j };
	char generation[64] = "";
	int64_t last_id = 0;
	size_t fresh_len, k = 0;
	struct buf fresh = BUF_INIT;

	memset(out, 0, sizeof *out);
	l.data = &out->data;
	/* news and digest brought the index up to date already */
	if (index_position(&pos) < 0 && (index_update(j, NULL) < 0 || index_position(&pos) < 0))
		return -1;
	if (!cache_read(&l, generation, &last_id) || strcmp(generation, pos.generation)) {
		drop_entries(&l);
		buf_reset(l.data);
		last_id = 0;
	}
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		struct index_query q = { .kind = kinds[i], .lines = true, .after_id = last_id, .any_order = true };
		if (index_search(j, &q, take_hit, &fresh) < 0) {
			drop_entries(&l);
			buf_release(&fresh);
			buf_release(&out->data);
			return -1;
		}
	}
	/* the new lines after the cached ones, then every entry read from where it now lies */
	drop_entries(&l);
	buf_add(&out->data, fresh.data ? fresh.data : "", fresh.len);
	if (!add_entries(&l, &out->data, 0)) {
		/* the index gave a file name the store does not write: trust neither */
		drop_entries(&l);
		buf_release(&fresh);
		buf_release(&out->data);
		errset("pkgrecs: unexpected row in the index");
		return -1;
	}
	fresh_len = fresh.len;
	buf_release(&fresh);
	if (l.n > 1)
		qsort(l.v, l.n, sizeof *l.v, cmp_entry);
	out->v = xcalloc(l.n + 1, sizeof *out->v);
	for (size_t i = 0; i < l.n; i++) {
		if (k && !strcmp(out->v[k - 1].path, l.v[i].r.path) && out->v[k - 1].lineno == l.v[i].r.lineno) {
			free(l.v[i].r.path);	/* an older copy of the line kept just before */
			continue;
		}
		out->v[k++] = l.v[i].r;
	}
	out->n = k;
	free(l.v);
	if (fresh_len || last_id != pos.last_id || strcmp(generation, pos.generation))
		cache_write(j, pos.generation, pos.last_id, out);
	return 0;
}

void pkgrecs_release(struct pkgrecs *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].path);
	free(p->v);
	buf_release(&p->data);
	memset(p, 0, sizeof *p);
}
