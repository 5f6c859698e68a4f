/*
 * The search index's text cache (index.h), .state/index.text: the
 * searched text of every row, with what a hit shows, in one flat file,
 * for queries the trigram index cannot narrow (a word in a fifth of all
 * records, two letters): a sequential scan of this file runs at memory
 * speed, where SQLite spends about a microsecond per row.  It is derived
 * from recs, as recs is from the files; a token in its header and in
 * meta (written in the same transaction, after the file is written) says
 * it is in step.  The file is local to this machine: native byte order.
 *
 * The entries are in the order of hits (time, host, seq), so that a
 * search hands its hits on as it finds them, newest or oldest first,
 * without sorting them, and stops at --limit: the sorted part, read in
 * blocks of about TEXT_BLOCK bytes (table textblocks: where each
 * starts) by every core at once, formatted by the thread that read
 * them (index_search_format), handed on in order by the caller's.  The
 * rows an update adds, sorted among themselves, extend it when they all
 * come after its last entry; else (a host's records synced late, an old
 * history imported) they go to the tail, which a search reads whole and
 * sorts first, and merges.  The file is written again whole, sorted,
 * when rows were deleted, when the token does not match, or when the
 * tail outgrows 1/TEXT_TAIL_SHARE of the sorted part.
 *
 * Entries are checked as they are read (whole, an id the header
 * allows, the text's NUL): one that is not, as a crash can leave, makes
 * the rows answer when nothing was handed on yet, else the search fails;
 * either way the token in meta is spoilt, so the next update writes the
 * file again.
 *
 * index_text_sync brings it in step inside the update's transaction;
 * index_text_search answers a query from it, or says it cannot (a file
 * missing or out of step, an entry a crash damaged) and the rows answer
 * instead.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "view/index-int.h"
#include "view/index.h"
#include "base/banned.h"

#define TEXT_FILE JOURNAL_STATE "/index.text"
#define TEXT_MAGIC "lbtext2\n"
/* a block of the sorted part, what one thread reads at a time (index_text_block: tests make it small) */
#define TEXT_BLOCK (4 << 20)
int64_t index_text_block = TEXT_BLOCK;
/* the tail is sorted into the rest when it is larger than 1/N of it (and than TEXT_TAIL_MIN) */
#define TEXT_TAIL_SHARE 8
#define TEXT_TAIL_MIN (8 << 20)
/* blocks read ahead of the one whose hits are being handed on */
#define TEXT_AHEAD 8
#define TEXT_THREADS_MAX 4

struct text_header {
	char magic[8];
	char token[24];
	int64_t last_id;	/* rows up to this id are in the file */
	int64_t valid;		/* bytes of whole entries after the header */
	int64_t sorted;		/* of which the first, in the order of hits; then the tail, in id order */
	int64_t last_off;	/* where the last entry of the sorted part starts (-1: none) */
};

struct text_entry {
	int64_t id, time, seq;
	int64_t off;		/* where the line is: recs.off, len, file, line */
	uint32_t len, file, line;
	uint32_t body_len;
	uint16_t day, host, admin, kind;	/* names.id */
	uint32_t flags;		/* TEXT_EXACT */
	uint32_t pad;
	/* then body_len bytes of text and a NUL, padded to 8 */
};
#define TEXT_EXACT 1u

static size_t entry_size(uint32_t body_len)
{
	return (sizeof(struct text_entry) + body_len + 1 + 7) & ~(size_t)7;
}

#define TEXT_BLOCKS_TABLE "CREATE TABLE IF NOT EXISTS textblocks(off INTEGER PRIMARY KEY)"

/* name -> id, for writing */
struct name_map {
	char **name;
	size_t n, cap;		/* open addressing over cap slots */
	int64_t *id;
	int64_t next;
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static void map_put(struct name_map *m, char *name, int64_t id)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct name_map old = *m;
		m->cap = m->cap ? m->cap * 2 : 1024;
		m->name = xcalloc(m->cap, sizeof *m->name);
		m->id = xcalloc(m->cap, sizeof *m->id);
		m->n = 0;
		for (i = 0; i < old.cap; i++)
			if (old.name[i])
				map_put(m, old.name[i], old.id[i]);
		free(old.name);
		free(old.id);
	}
	for (i = name_hash(name) & (m->cap - 1); m->name[i]; i = (i + 1) & (m->cap - 1))
		;
	m->name[i] = name;
	m->id[i] = id;
	m->n++;
	if (id >= m->next)
		m->next = id + 1;
}

/* the id of name, added to names when new; -1 when there are too many */
static int64_t map_id(struct updater *u, struct name_map *m, sqlite3_stmt *add, const char *name)
{
	if (m->cap)
		for (size_t i = name_hash(name) & (m->cap - 1); m->name[i]; i = (i + 1) & (m->cap - 1))
			if (!strcmp(m->name[i], name))
				return m->id[i];
	if (m->next > UINT16_MAX)
		return -1;
	sqlite3_bind_int64(add, 1, m->next);
	sqlite3_bind_text(add, 2, name, -1, SQLITE_STATIC);
	if (index_step_done(u, add) < 0)
		return -1;
	map_put(m, xstrdup(name), m->next);
	return m->next - 1;
}

static void map_free(struct name_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->name[i]);
	free(m->name);
	free(m->id);
	memset(m, 0, sizeof *m);
}

static int read_header(int fd, struct text_header *h)
{
	return pread(fd, h, sizeof *h, 0) == (ssize_t)sizeof *h && !memcmp(h->magic, TEXT_MAGIC, 8) ? 0 : -1;
}

/*
 * true when index.text is in step with recs as far as its header says,
 * or was given up (an empty token: it could not be written)
 */
bool index_text_current(sqlite3 *db, struct journal *j)
{
	char token[sizeof ((struct text_header *)0)->token + 1];
	struct text_header h;
	bool ok = false;
	int fd;

	if (index_meta_get(db, "text_token", token, sizeof token) == 0 && !*token)
		return true;
	fd = fs_open_below(j->dir, TEXT_FILE, O_RDONLY, 0, FS_BELOW_ANY_OWNER);
	if (fd >= 0 && read_header(fd, &h) == 0 && index_meta_get(db, "text_token", token, sizeof token) == 0)
		ok = strlen(token) == sizeof h.token && !memcmp(token, h.token, sizeof h.token);
	if (fd >= 0)
		close(fd);
	return ok;
}

/* the name of id in m, or "" */
static const char *map_name(const struct name_map *m, int64_t id)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->name[i] && m->id[i] == id)
			return m->name[i];
	return "";
}

#define TEXT_COLS "SELECT id, time, seq, day, host, admin, kind, exact, body, off, len, file, line FROM recs"

/* bring index.text in step with recs, inside the update's transaction */
int index_text_sync(struct updater *u)
{
	char *path = journal_path(u->j, TEXT_FILE), token[sizeof ((struct text_header *)0)->token + 1];
	struct text_header h;
	struct name_map names = { 0 };
	sqlite3_stmt *rows = NULL, *add = NULL, *list = NULL, *block = NULL;
	struct buf out = BUF_INIT;
	int64_t max_id = 0, last_block = -1, last_time = 0, last_seq = 0;
	const char *last_host = NULL;
	bool whole, in_order = false, extend = false, first = true;
	int fd, rc = -1, step;

	if ((fd = fs_open_below(u->j->dir, TEXT_FILE, O_RDWR | O_CREAT, 0600, FS_BELOW_ANY_OWNER)) < 0) {
		errprefix("index");
		free(path);
		return -1;
	}
	journal_fix_mode(u->j, fd);
	if (sqlite3_exec(u->db, TEXT_BLOCKS_TABLE, NULL, NULL, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		index_db_err(u->db, "update");
		goto out;
	}
	if (index_prepare(u, "SELECT max(id) FROM recs", &rows) < 0)
		goto out;
	if (sqlite3_step(rows) == SQLITE_ROW)
		max_id = sqlite3_column_int64(rows, 0);
	sqlite3_finalize(rows);
	rows = NULL;
	whole = u->bulk || u->dropped || read_header(fd, &h) < 0 ||
		index_meta_get(u->db, "text_token", token, sizeof token) < 0 || strlen(token) != sizeof h.token ||
		memcmp(token, h.token, sizeof h.token) || h.last_id > max_id || h.valid < 0 || h.sorted < 0 ||
		h.sorted > h.valid || h.last_off >= h.sorted || (h.sorted > 0 && h.last_off < 0) ||
		h.valid - h.sorted > h.sorted / TEXT_TAIL_SHARE + TEXT_TAIL_MIN;
	if (!whole && h.last_id == max_id) {
		rc = 0;
		goto out;
	}
	if (whole) {
		memset(&h, 0, sizeof h);
		memcpy(h.magic, TEXT_MAGIC, 8);
		h.last_off = -1;
		if (sqlite3_exec(u->db, "DELETE FROM names; DELETE FROM textblocks", NULL, NULL, NULL) != SQLITE_OK) {
			u->rc = sqlite3_extended_errcode(u->db);
			index_db_err(u->db, "update");
			goto out;
		}
	} else {
		if (index_prepare(u, "SELECT id, name FROM names", &list) < 0)
			goto out;
		while (sqlite3_step(list) == SQLITE_ROW)
			map_put(&names, xstrdup((const char *)sqlite3_column_text(list, 1)), sqlite3_column_int64(list, 0));
		sqlite3_finalize(list);
		list = NULL;
		if (index_prepare(u, "SELECT max(off) FROM textblocks", &list) < 0)
			goto out;
		if (sqlite3_step(list) == SQLITE_ROW && sqlite3_column_type(list, 0) != SQLITE_NULL)
			last_block = sqlite3_column_int64(list, 0);
		sqlite3_finalize(list);
		list = NULL;
		/* new rows can extend the sorted part only while there is no tail */
		if (h.sorted == h.valid) {
			struct text_entry e;
			in_order = true;
			if (h.last_off >= 0) {
				if (pread(fd, &e, sizeof e, (off_t)(sizeof h + (size_t)h.last_off)) != (ssize_t)sizeof e) {
					errset_sys("index: %s", path);
					goto out;
				}
				last_time = e.time;
				last_seq = e.seq;
				last_host = map_name(&names, e.host);
			}
		}
	}
	/* until the header says otherwise, nothing in the file counts */
	memset(h.token, '-', sizeof h.token);
	if (ftruncate(fd, (off_t)(sizeof h + (size_t)h.valid)) < 0 || pwrite(fd, &h, sizeof h, 0) != (ssize_t)sizeof h) {
		errset_sys("index: %s", path);
		goto out;
	}
	/* in the order of hits: all rows, or the new ones sorted among themselves (then the tail is in batches) */
	if (index_prepare(u, "INSERT INTO names(id, name) VALUES (?1, ?2)", &add) < 0 ||
	    index_prepare(u, "INSERT INTO textblocks(off) VALUES (?1)", &block) < 0 ||
	    index_prepare(u, whole ? TEXT_COLS " ORDER BY time, host, seq"
			  /* the new rows by id, then sorted: walking recs_time would read every row */
			  : TEXT_COLS " NOT INDEXED WHERE id > ?1 ORDER BY time, host, seq", &rows) < 0)
		goto out;
	if (!whole)
		sqlite3_bind_int64(rows, 1, h.last_id);
	while ((step = sqlite3_step(rows)) == SQLITE_ROW) {
		struct text_entry e = { 0 };
		const char *body = (const char *)sqlite3_column_text(rows, 8);
		size_t blen = (size_t)sqlite3_column_bytes(rows, 8);
		int64_t ids[4], at = h.valid + (int64_t)out.len;
		for (int k = 0; k < 4; k++) {
			const char *name = (const char *)sqlite3_column_text(rows, 3 + k);
			if ((ids[k] = map_id(u, &names, add, name ? name : "")) < 0) {
				errset("index: too many names for %s", path);
				goto out;
			}
		}
		if (blen > UINT32_MAX / 2)
			blen = 0;	/* cannot be: records are far smaller */
		e = (struct text_entry){ .id = sqlite3_column_int64(rows, 0), .time = sqlite3_column_int64(rows, 1),
					 .seq = sqlite3_column_int64(rows, 2), .body_len = (uint32_t)blen,
					 .day = (uint16_t)ids[0], .host = (uint16_t)ids[1], .admin = (uint16_t)ids[2],
					 .kind = (uint16_t)ids[3],
					 .flags = sqlite3_column_int(rows, 7) ? TEXT_EXACT : 0,
					 .off = sqlite3_column_int64(rows, 9),
					 .len = (uint32_t)sqlite3_column_int64(rows, 10),
					 .file = (uint32_t)sqlite3_column_int64(rows, 11),
					 .line = (uint32_t)sqlite3_column_int64(rows, 12) };
		if (first) {
			/* the first new row decides for all of them: they come sorted */
			extend = in_order && (!last_host || index_hit_order(last_time, last_host, last_seq, e.time,
									     map_name(&names, e.host), e.seq) <= 0);
			first = false;
		}
		if (whole || extend) {
			if (last_block < 0 || at - last_block >= index_text_block) {
				sqlite3_bind_int64(block, 1, at);
				if (index_step_done(u, block) < 0)
					goto out;
				last_block = at;
			}
			h.sorted = at + (int64_t)entry_size(e.body_len);
			h.last_off = at;
		}
		buf_add(&out, &e, sizeof e);
		buf_add(&out, body ? body : "", blen);
		do
			buf_addc(&out, '\0');
		while (out.len % 8);
		h.last_id = e.id > h.last_id ? e.id : h.last_id;
		if (out.len >= 1 << 20) {
			if (pwrite(fd, out.data, out.len, (off_t)(sizeof h + (size_t)h.valid)) != (ssize_t)out.len) {
				errset_sys("index: %s", path);
				goto out;
			}
			h.valid += (int64_t)out.len;
			buf_reset(&out);
		}
	}
	if (step != SQLITE_DONE) {
		u->rc = sqlite3_extended_errcode(u->db);
		index_db_err(u->db, "update");
		goto out;
	}
	if (out.len && pwrite(fd, out.data, out.len, (off_t)(sizeof h + (size_t)h.valid)) != (ssize_t)out.len) {
		errset_sys("index: %s", path);
		goto out;
	}
	h.valid += (int64_t)out.len;
	snprintf(token, sizeof token, "%016llx%08lx", (unsigned long long)day_now_us(), (unsigned long)getpid() & 0xffffffffu);
	memcpy(h.token, token, sizeof h.token);
	/*
	 * Not synced, like the database (WAL, synchronous=NORMAL): after a
	 * crash the two may disagree, and the scan checks what it reads.
	 */
	if (pwrite(fd, &h, sizeof h, 0) != (ssize_t)sizeof h) {
		errset_sys("index: %s", path);
		goto out;
	}
	rc = index_meta_set(u, "text_token", token);
out:
	sqlite3_finalize(rows);
	sqlite3_finalize(add);
	sqlite3_finalize(list);
	sqlite3_finalize(block);
	map_free(&names);
	buf_release(&out);
	close(fd);
	free(path);
	return rc;
}

/* ---- the scan of index.text ---- */

/* the sort keys next to the entry: the sort does not chase pointers into the map */
struct text_hit {
	int64_t time, seq;
	const char *host;
	const struct text_entry *e;
};

static int text_hit_cmp(const void *a, const void *b)
{
	const struct text_hit *x = a, *y = b;

	return index_hit_order(x->time, x->host, x->seq, y->time, y->host, y->seq);
}

/* names.id -> name, NULL for ids not in use */
static char **load_names(sqlite3 *db, size_t *n)
{
	sqlite3_stmt *st = NULL;
	char **v = xcalloc(UINT16_MAX + 1, sizeof *v);

	*n = UINT16_MAX + 1;
	if (sqlite3_prepare_v2(db, "SELECT id, name FROM names", -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(st, 0);
			if (id >= 0 && id <= UINT16_MAX && sqlite3_column_text(st, 1))
				v[id] = xstrdup((const char *)sqlite3_column_text(st, 1));
		}
	sqlite3_finalize(st);
	return v;
}

/* the name's id, or -1 when no row has it; NULL filter: 0 (any) */
static int name_filter(char **names, size_t n, const char *want, int *id)
{
	*id = -1;
	if (!want)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], want)) {
			*id = (int)i;
			return 0;
		}
	return -1;
}

/* one search of index.text: what every thread reads, and what they share under mu */
struct text_block {
	const struct text_entry **hits;	/* in file order */
	size_t n, cap;
	struct buf text;	/* what sink->fmt made of them */
	size_t *starts, *ends;	/* where each hit's text is in text; SIZE_MAX: made when handed on */
	bool done, bad;		/* bad: an entry is not whole (what a crash can leave) */
};

struct text_scan {
	const struct index_query *q;
	const struct index_sink *sink;
	const char *data;	/* the first entry */
	int64_t last_id;
	int64_t *bounds;	/* nblocks + 1: where each block of the sorted part starts, then its end */
	size_t nblocks;
	char **names;
	bool *day_ok;
	int host_id, admin_id, kind_id;
	size_t tlen;
	struct text_block *blocks;	/* in reading order (newest first unless oldest_first) */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t next;		/* the next block to claim */
	size_t handing;		/* the block whose hits are being handed on */
	bool stop;
};

/* the block of the sorted part that is k-th in reading order */
static size_t block_at(const struct text_scan *s, size_t k)
{
	return s->q->oldest_first ? k : s->nblocks - 1 - k;
}

/* whether e passes the query's filters, its text aside */
static bool entry_passes(const struct text_scan *s, const struct text_entry *e)
{
	const struct index_query *q = s->q;

	return s->day_ok[e->day] && (s->host_id < 0 || e->host == s->host_id) &&
	       (s->admin_id < 0 || e->admin == s->admin_id) && (s->kind_id < 0 || e->kind == s->kind_id) &&
	       e->id > q->after_id && s->names[e->host] &&
	       (!q->timed || (e->time >= q->since_us && e->time < q->until_us));
}

static bool entry_wanted(const struct text_scan *s, const struct text_entry *e)
{
	return entry_passes(s, e) &&
	       (!s->tlen || index_find((const char *)(e + 1), e->body_len, s->q->text, s->tlen) >= 0);
}

/* the needle at p, ASCII case aside */
static bool same_text(const char *p, const char *needle, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (index_lower((unsigned char)p[i]) != index_lower((unsigned char)needle[i]))
			return false;
	return true;
}

/* whether a hit needs its stored line: asked for, or holding what body cannot show */
static bool entry_needs_line(const struct text_scan *s, const struct text_entry *e)
{
	return s->q->lines || (e->flags & TEXT_EXACT) ||
	       (s->q->event_lines && s->names[e->kind] && !strcmp(s->names[e->kind], "event"));
}

static void entry_hit(const struct text_scan *s, const struct text_entry *e, struct index_hit *h)
{
	*h = (struct index_hit){
		.time = e->time,
		.host = s->names[e->host],
		.seq = e->seq,
		.day = s->names[e->day] ? s->names[e->day] : "",
		.kind = s->names[e->kind] ? s->names[e->kind] : "",
		.admin = s->names[e->admin] ? s->names[e->admin] : "",
		.body = (const char *)(e + 1),	/* NUL-terminated in the file */
		.body_len = e->body_len,
		.id = e->id,
	};
}

/*
 * The entry at p, when it is whole within [p, end): what a crash can
 * leave (zeros, a cut) is not.  NULL when it is not.
 */
static const struct text_entry *entry_ok(const struct text_scan *s, const char *p, const char *end)
{
	const struct text_entry *e = (const struct text_entry *)(const void *)p;

	if ((size_t)(end - p) < sizeof *e || entry_size(e->body_len) > (size_t)(end - p) || e->id <= 0 ||
	    e->id > s->last_id || ((const char *)(e + 1))[e->body_len] != '\0')
		return NULL;
	return e;
}

static void add_hit(const struct text_scan *s, const struct text_entry *e, struct text_block *o)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 256;
		o->hits = xreallocarray(o->hits, o->cap, sizeof *o->hits);
		o->starts = xreallocarray(o->starts, o->cap, sizeof *o->starts);
		o->ends = xreallocarray(o->ends, o->cap, sizeof *o->ends);
	}
	o->hits[o->n] = e;
	o->starts[o->n] = o->ends[o->n] = SIZE_MAX;
	if (s->sink->fmt && !entry_needs_line(s, e)) {
		struct index_hit h;
		entry_hit(s, e, &h);
		o->starts[o->n] = o->text.len;
		s->sink->fmt(&h, &o->text, s->sink->fmt_arg);
		o->ends[o->n] = o->text.len;
	}
	o->n++;
}

/*
 * How often a byte is in the searched text, roughly (per mille): the
 * block is searched for the query's rarest byte, a letter in either
 * case counting twice.
 */
static unsigned byte_cost(unsigned char c)
{
	static const unsigned char letters[26] = {
		65, 12, 25, 35, 100, 20, 18, 45, 60, 1, 7, 35, 20, 60, 65, 17, 1, 50, 55, 75, 25, 9, 15, 2, 15, 1,
	};

	if (c >= 'a' && c <= 'z')
		return 2u * letters[c - 'a'];
	if (c >= 'A' && c <= 'Z')
		return 2u * letters[c - 'A'];
	if (c == ' ')
		return 150;
	if (c == '/' || c == '.' || c == '-')
		return 20;
	return c >= '0' && c <= '9' ? 10 : 3;
}

/* where the next byte c0 or c1 is in [p, end), with the next of each remembered in *n0, *n1 */
static const char *next_guard(const char *p, const char *end, unsigned char c0, unsigned char c1, const char **n0,
			      const char **n1)
{
	if (*n0 && *n0 < p)
		*n0 = memchr(p, c0, (size_t)(end - p));
	if (c1 != c0 && *n1 && *n1 < p)
		*n1 = memchr(p, c1, (size_t)(end - p));
	if (c1 == c0 || !*n1)
		return *n0;
	return !*n0 || *n1 < *n0 ? *n1 : *n0;
}

/*
 * The hits of block b, in file order.  The text is looked for across
 * the whole block, not entry by entry (most bodies are a few dozen
 * bytes): memchr finds the query's rarest byte, each place found is
 * checked in the body of the entry it falls in, and an entry found is
 * left at once.
 */
static void read_block(const struct text_scan *s, size_t b, struct text_block *o)
{
	const char *p = s->data + s->bounds[b], *end = s->data + s->bounds[b + 1];
	/* memchr's last answers: none yet (before the block); at: where to look from */
	const char *needle = s->q->text, *n0 = p - 1, *n1 = p - 1, *at = p;
	size_t k = 0;
	unsigned char c0, c1;

	if (!s->tlen) {
		while (p < end) {
			const struct text_entry *e = entry_ok(s, p, end);
			if (!e) {
				o->bad = true;
				return;
			}
			p += entry_size(e->body_len);
			if (entry_wanted(s, e))
				add_hit(s, e, o);
		}
		return;
	}
	for (size_t i = 1; i < s->tlen; i++)
		if (byte_cost((unsigned char)needle[i]) < byte_cost((unsigned char)needle[k]))
			k = i;
	c0 = index_lower((unsigned char)needle[k]);
	c1 = c0 >= 'a' && c0 <= 'z' ? (unsigned char)(c0 - 'a' + 'A') : c0;
	/* entry by entry (each is checked whole), but memchr looks ahead from at */
	while (p < end) {
		const struct text_entry *e = entry_ok(s, p, end);
		const char *body, *g, *from;
		size_t size;
		if (!e) {
			o->bad = true;
			return;
		}
		body = (const char *)(e + 1);
		size = entry_size(e->body_len);
		if (at < body + k)
			at = body + k;
		g = next_guard(at, end, c0, c1, &n0, &n1);
		if (!g || g >= body + e->body_len) {
			/* not in this entry's text */
			p += size;
			continue;
		}
		from = g - k;
		if (from + s->tlen > body + e->body_len || !same_text(from, needle, s->tlen)) {
			at = g + 1;
			continue;
		}
		if (entry_passes(s, e))
			add_hit(s, e, o);
		p += size;
	}
}

/* claim the next block to read; false when there is none (or none yet: wait) */
static bool claim(struct text_scan *s, size_t *k)
{
	if (s->stop || s->next >= s->nblocks || s->next >= s->handing + TEXT_AHEAD)
		return false;
	*k = s->next++;
	return true;
}

/* read the block claimed as k, with mu held (released meanwhile) */
static void work(struct text_scan *s, size_t k)
{
	pthread_mutex_unlock(&s->mu);
	read_block(s, block_at(s, k), &s->blocks[k]);
	pthread_mutex_lock(&s->mu);
	s->blocks[k].done = true;
	pthread_cond_broadcast(&s->cv);
}

static void *worker(void *arg)
{
	struct text_scan *s = arg;
	size_t k;

	pthread_mutex_lock(&s->mu);
	while (!s->stop && s->next < s->nblocks) {
		if (claim(s, &k))
			work(s, k);
		else
			pthread_cond_wait(&s->cv, &s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* wait, working meanwhile, until block k is done; with mu held */
static void wait_block(struct text_scan *s, size_t k)
{
	size_t mine;

	while (!s->blocks[k].done && !s->stop) {
		if (claim(s, &mine))
			work(s, mine);
		else
			pthread_cond_wait(&s->cv, &s->mu);
	}
}

static size_t start_threads(struct text_scan *s, pthread_t *tid)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = 0, want = cpus > 1 ? (size_t)cpus - 1 : 0;

	if (want > TEXT_THREADS_MAX - 1)
		want = TEXT_THREADS_MAX - 1;
	if (want > s->nblocks)
		want = s->nblocks;
	for (; n < want; n++)
		if (pthread_create(&tid[n], NULL, worker, s) != 0)
			break;
	return n;
}

static void stop_threads(struct text_scan *s, pthread_t *tid, size_t n)
{
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	for (size_t i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
}

/* the blocks of the sorted part, from textblocks; one block when they do not fit it */
static void load_bounds(sqlite3 *db, struct text_scan *s, int64_t sorted)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	bool ok = sqlite3_prepare_v2(db, "SELECT off FROM textblocks ORDER BY off", -1, &st, NULL) == SQLITE_OK;

	s->nblocks = 0;
	while (ok && sqlite3_step(st) == SQLITE_ROW) {
		int64_t off = sqlite3_column_int64(st, 0);
		if (off < 0 || off >= sorted || off % 8 || (s->nblocks ? off <= s->bounds[s->nblocks - 1] : off != 0)) {
			ok = false;
			break;
		}
		if (s->nblocks + 1 >= cap) {
			cap = cap ? cap * 2 : 64;
			s->bounds = xreallocarray(s->bounds, cap, sizeof *s->bounds);
		}
		s->bounds[s->nblocks++] = off;
	}
	sqlite3_finalize(st);
	if (!ok || (sorted > 0 && !s->nblocks)) {
		free(s->bounds);
		s->bounds = xcalloc(2, sizeof *s->bounds);
		s->nblocks = sorted > 0;
	}
	if (!s->bounds)
		s->bounds = xcalloc(1, sizeof *s->bounds);
	s->bounds[s->nblocks] = sorted;
}

/* the state of handing hits on, in the main thread */
struct hand {
	struct text_scan *s;
	sqlite3 *db;
	struct journal *j;
	struct fd_cache fds;
	struct buf line, text;
	size_t *emitted, shown;
	bool stop;
};

/* hand e on, with the text a thread made of it (NULL: make it here) */
static void hand_on(struct hand *o, const struct text_entry *e, const char *text, size_t len)
{
	const struct text_scan *s = o->s;
	struct index_hit h;
	int r;

	entry_hit(s, e, &h);
	if (entry_needs_line(s, e)) {
		h.lineno = e->line;
		if (index_fd_cache_line(&o->fds, o->db, o->j, e->file, e->off, e->len, &h.path, &o->line) < 0)
			return;	/* the file changed under us */
		h.line = o->line.data;
		h.len = e->len;
	}
	if (s->sink->fmt && !text) {
		buf_reset(&o->text);
		s->sink->fmt(&h, &o->text, s->sink->fmt_arg);
		text = buf_str(&o->text);
		len = o->text.len;
	}
	++*o->emitted;
	r = s->sink->fmt ? s->sink->emit(&h, text, len, s->sink->arg) : s->sink->fn(&h, s->sink->arg);
	if (r || (s->q->limit && ++o->shown >= s->q->limit))
		o->stop = true;
}

/* an entry is not whole: the next update writes the file again */
static void damaged(sqlite3 *db)
{
	sqlite3_exec(db, "UPDATE meta SET value = 'damaged' WHERE key = 'text_token'", NULL, NULL, NULL);
}

/*
 * Answer q from index.text: 1 when it cannot (missing, not in step with
 * recs, damaged), else as db_search.
 */
int index_text_search(sqlite3 *db, struct journal *j, const struct index_query *q, const struct index_sink *sink,
		      size_t *emitted)
{
	char token[sizeof ((struct text_header *)0)->token + 1];
	struct text_scan s = { .q = q, .sink = sink, .tlen = q->text ? strlen(q->text) : 0 };
	struct hand o = { .s = &s, .db = db, .j = j, .line = BUF_INIT, .text = BUF_INIT, .emitted = emitted };
	size_t nnames = 0, ntail = 0, cap = 0, ti, nthreads = 0;
	struct text_hit *tail = NULL;
	const struct text_header *h;
	pthread_t tid[TEXT_THREADS_MAX];
	int rc = 1;
	struct stat st;
	void *map = MAP_FAILED;
	const char *p, *end;
	int fd = fs_open_below(j->dir, TEXT_FILE, O_RDONLY, 0, FS_BELOW_ANY_OWNER);

	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	if (fd < 0 || fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof *h ||
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
		goto out;
	h = map;
	if (memcmp(h->magic, TEXT_MAGIC, 8) || h->valid < 0 || (size_t)h->valid > (size_t)st.st_size - sizeof *h ||
	    h->sorted < 0 || h->sorted > h->valid || h->sorted % 8 ||
	    index_meta_get(db, "text_token", token, sizeof token) < 0 || strlen(token) != sizeof h->token ||
	    memcmp(token, h->token, sizeof h->token))
		goto out;
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	s.data = (const char *)map + sizeof *h;
	s.last_id = h->last_id;
	load_bounds(db, &s, h->sorted);
	s.blocks = xcalloc(s.nblocks ? s.nblocks : 1, sizeof *s.blocks);
	/* the tail first, whole, sorted: it is small */
	p = s.data + h->sorted;
	end = s.data + h->valid;
	rc = 0;
	s.names = load_names(db, &nnames);
	if (name_filter(s.names, nnames, q->host, &s.host_id) < 0 || name_filter(s.names, nnames, q->admin, &s.admin_id) < 0 ||
	    name_filter(s.names, nnames, q->kind, &s.kind_id) < 0)
		goto out;	/* a name no record has: nothing matches */
	s.day_ok = xcalloc(nnames, sizeof *s.day_ok);
	for (size_t i = 0; i < nnames; i++)
		s.day_ok[i] = s.names[i] && (!q->since || strcmp(s.names[i], q->since) >= 0) &&
			      (!q->until || strcmp(s.names[i], q->until) <= 0);
	while (p < end) {
		const struct text_entry *e = entry_ok(&s, p, end);
		if (!e) {
			damaged(db);
			rc = 1;
			goto out;
		}
		p += entry_size(e->body_len);
		if (!entry_wanted(&s, e))
			continue;
		if (ntail == cap) {
			cap = cap ? cap * 2 : 256;
			tail = xreallocarray(tail, cap, sizeof *tail);
		}
		tail[ntail++] = (struct text_hit){ .time = e->time, .seq = e->seq, .host = s.names[e->host], .e = e };
	}
	if (ntail)
		qsort(tail, ntail, sizeof *tail, text_hit_cmp);
	nthreads = start_threads(&s, tid);
	ti = q->oldest_first ? 0 : ntail;
	for (size_t k = 0; k < s.nblocks && !o.stop; k++) {
		struct text_block *b = &s.blocks[k];
		pthread_mutex_lock(&s.mu);
		wait_block(&s, k);
		pthread_mutex_unlock(&s.mu);
		if (b->bad) {
			/* what a crash can leave: the rows answer, or the next update writes the file again */
			if (*emitted == 0) {
				rc = 1;
			} else {
				errset("index: %s: damaged; written again at the next search", TEXT_FILE);
				rc = -1;
			}
			damaged(db);
			goto out;
		}
		for (size_t n = 0; n < b->n && !o.stop; n++) {
			size_t i = q->oldest_first ? n : b->n - 1 - n;
			const struct text_entry *e = b->hits[i];
			/* the tail's hits that come first */
			if (q->oldest_first)
				while (ti < ntail && !o.stop &&
				       index_hit_order(tail[ti].time, tail[ti].host, tail[ti].seq, e->time, s.names[e->host],
						       e->seq) < 0)
					hand_on(&o, tail[ti++].e, NULL, 0);
			else
				while (ti > 0 && !o.stop &&
				       index_hit_order(tail[ti - 1].time, tail[ti - 1].host, tail[ti - 1].seq, e->time,
						       s.names[e->host], e->seq) > 0)
					hand_on(&o, tail[--ti].e, NULL, 0);
			if (o.stop)
				break;
			if (b->ends[i] == SIZE_MAX)
				hand_on(&o, e, NULL, 0);
			else
				hand_on(&o, e, buf_str(&b->text) + b->starts[i], b->ends[i] - b->starts[i]);
		}
		free(b->hits);
		free(b->starts);
		free(b->ends);
		buf_release(&b->text);
		memset(b, 0, sizeof *b);
		pthread_mutex_lock(&s.mu);
		s.handing = k + 1;
		pthread_cond_broadcast(&s.cv);
		pthread_mutex_unlock(&s.mu);
	}
	while (!o.stop && (q->oldest_first ? ti < ntail : ti > 0))
		hand_on(&o, tail[q->oldest_first ? ti++ : --ti].e, NULL, 0);
out:
	stop_threads(&s, tid, nthreads);
	for (size_t k = 0; s.blocks && k < s.nblocks; k++) {
		free(s.blocks[k].hits);
		free(s.blocks[k].starts);
		free(s.blocks[k].ends);
		buf_release(&s.blocks[k].text);
	}
	free(s.blocks);
	free(s.bounds);
	index_fd_cache_close(&o.fds);
	buf_release(&o.line);
	buf_release(&o.text);
	free(tail);
	free(s.day_ok);
	if (s.names) {
		for (size_t i = 0; i < nnames; i++)
			free(s.names[i]);
		free(s.names);
	}
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	pthread_cond_destroy(&s.cv);
	pthread_mutex_destroy(&s.mu);
	return rc;
}
