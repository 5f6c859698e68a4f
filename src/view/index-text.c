/*
 * The search index's text cache (index.h), .state/index.text: the
 * searched text of every row, with what a hit shows, in one flat file,
 * for queries the trigram index cannot narrow (a word in a fifth of all
 * records, two letters): a sequential scan of this file runs at memory
 * speed, where SQLite spends about a microsecond per row.  It is derived
 * from recs, as recs is from the files; a token in its header and in
 * meta (written in the same transaction, after the file is synced) says
 * it is in step.  Rows are only appended, in id order; when rows were
 * deleted, or the token does not match, it is written again whole.  The
 * file is local to this machine: native byte order.
 *
 * index_text_sync brings it in step inside the update's transaction;
 * index_text_search answers a query from it, or says it cannot (a file
 * missing or out of step) and the rows answer instead.
 */
#include <fcntl.h>
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
#define TEXT_MAGIC "lbtext1\n"

struct text_header {
	char magic[8];
	char token[24];
	int64_t last_id;	/* rows up to this id are in the file */
	int64_t valid;		/* bytes of whole entries after the header */
	int64_t reserved[2];
};

struct text_entry {
	int64_t id, time, seq;
	int64_t off;		/* where the line is: recs.off, len, file, line */
	uint32_t len, file, line;
	uint32_t body_len;
	uint16_t day, host, admin, kind;	/* names.id */
	uint32_t flags;		/* TEXT_EXACT */
	uint32_t pad;
	/* then body_len bytes of text, padded to 8 */
};
#define TEXT_EXACT 1u

static size_t entry_size(uint32_t body_len)
{
	return (sizeof(struct text_entry) + body_len + 7) & ~(size_t)7;
}

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

/* bring index.text in step with recs, inside the update's transaction */
int index_text_sync(struct updater *u)
{
	char *path = journal_path(u->j, TEXT_FILE), token[sizeof ((struct text_header *)0)->token + 1];
	struct text_header h;
	struct name_map names = { 0 };
	sqlite3_stmt *rows = NULL, *add = NULL, *list = NULL;
	struct buf out = BUF_INIT;
	int64_t max_id = 0;
	bool whole;
	int fd, rc = -1, step;

	if ((fd = fs_open_below(u->j->dir, TEXT_FILE, O_RDWR | O_CREAT, 0600, FS_BELOW_ANY_OWNER)) < 0) {
		errprefix("index");
		free(path);
		return -1;
	}
	journal_fix_mode(u->j, fd);
	if (index_prepare(u, "SELECT max(id) FROM recs", &rows) < 0)
		goto out;
	if (sqlite3_step(rows) == SQLITE_ROW)
		max_id = sqlite3_column_int64(rows, 0);
	sqlite3_finalize(rows);
	rows = NULL;
	whole = u->bulk || u->dropped || read_header(fd, &h) < 0 ||
		index_meta_get(u->db, "text_token", token, sizeof token) < 0 || strlen(token) != sizeof h.token ||
		memcmp(token, h.token, sizeof h.token) || h.last_id > max_id || h.valid < 0;
	if (!whole && h.last_id == max_id) {
		rc = 0;
		goto out;
	}
	if (whole) {
		memset(&h, 0, sizeof h);
		memcpy(h.magic, TEXT_MAGIC, 8);
		if (sqlite3_exec(u->db, "DELETE FROM names", NULL, NULL, NULL) != SQLITE_OK) {
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
	}
	/* until the header says otherwise, nothing in the file counts */
	memset(h.token, '-', sizeof h.token);
	if (ftruncate(fd, (off_t)(sizeof h + (size_t)h.valid)) < 0 || pwrite(fd, &h, sizeof h, 0) != (ssize_t)sizeof h) {
		errset_sys("index: %s", path);
		goto out;
	}
	if (index_prepare(u, "INSERT INTO names(id, name) VALUES (?1, ?2)", &add) < 0 ||
	    index_prepare(u, "SELECT id, time, seq, day, host, admin, kind, exact, body, off, len, file, line"
		       " FROM recs WHERE id > ?1 ORDER BY id", &rows) < 0)
		goto out;
	sqlite3_bind_int64(rows, 1, h.last_id);
	while ((step = sqlite3_step(rows)) == SQLITE_ROW) {
		struct text_entry e = { 0 };
		const char *body = (const char *)sqlite3_column_text(rows, 8);
		size_t blen = (size_t)sqlite3_column_bytes(rows, 8);
		int64_t ids[4];
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
		buf_add(&out, &e, sizeof e);
		buf_add(&out, body ? body : "", blen);
		while (out.len % 8)
			buf_addc(&out, '\0');
		h.last_id = e.id;
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

/*
 * Answer q from index.text: 1 when it cannot (missing, not in step with
 * recs), else as db_search.
 */
int index_text_search(sqlite3 *db, struct journal *j, const struct index_query *q, index_hit_fn fn, void *arg,
		       size_t *emitted)
{
	char token[sizeof ((struct text_header *)0)->token + 1];
	size_t tlen = q->text ? strlen(q->text) : 0, nnames = 0, nhits = 0, cap = 0, shown = 0;
	struct text_hit *hits = NULL;
	struct fd_cache fds = { .n = 0 };
	struct buf line = BUF_INIT;
	const struct text_header *h;
	char **names = NULL;
	bool *day_ok = NULL;
	int host_id, admin_id, kind_id, rc = 1;
	int64_t last_id = 0;
	struct stat st;
	void *map = MAP_FAILED;
	const char *p, *end;
	int fd = fs_open_below(j->dir, TEXT_FILE, O_RDONLY, 0, FS_BELOW_ANY_OWNER);

	if (fd < 0 || fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof *h ||
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
		goto out;
	h = map;
	if (memcmp(h->magic, TEXT_MAGIC, 8) || h->valid < 0 || (size_t)h->valid > (size_t)st.st_size - sizeof *h ||
	    index_meta_get(db, "text_token", token, sizeof token) < 0 || strlen(token) != sizeof h->token ||
	    memcmp(token, h->token, sizeof h->token))
		goto out;
	rc = 0;
	names = load_names(db, &nnames);
	if (name_filter(names, nnames, q->host, &host_id) < 0 || name_filter(names, nnames, q->admin, &admin_id) < 0 ||
	    name_filter(names, nnames, q->kind, &kind_id) < 0)
		goto out;	/* a name no record has: nothing matches */
	day_ok = xcalloc(nnames, sizeof *day_ok);
	for (size_t i = 0; i < nnames; i++)
		day_ok[i] = names[i] && (!q->since || strcmp(names[i], q->since) >= 0) &&
			    (!q->until || strcmp(names[i], q->until) <= 0);
	p = (const char *)map + sizeof *h;
	end = p + h->valid;
	while ((size_t)(end - p) >= sizeof(struct text_entry)) {
		const struct text_entry *e = (const struct text_entry *)(const void *)p;
		size_t size = entry_size(e->body_len);
		/* what a crash can leave (zeros, a cut): the rows answer instead */
		if (size > (size_t)(end - p) || e->id <= last_id) {
			rc = 1;
			goto out;
		}
		last_id = e->id;
		p += size;
		if (!day_ok[e->day] || (host_id >= 0 && e->host != host_id) || (admin_id >= 0 && e->admin != admin_id) ||
		    (kind_id >= 0 && e->kind != kind_id) || e->id <= q->after_id || !names[e->host] ||
		    (q->timed && (e->time < q->since_us || e->time >= q->until_us)))
			continue;
		if (tlen && index_find((const char *)(e + 1), e->body_len, q->text, tlen) < 0)
			continue;
		if (nhits == cap) {
			cap = cap ? cap * 2 : 1024;
			hits = xreallocarray(hits, cap, sizeof *hits);
		}
		hits[nhits++] = (struct text_hit){ .time = e->time, .seq = e->seq, .host = names[e->host], .e = e };
	}
	if (nhits)
		qsort(hits, nhits, sizeof *hits, text_hit_cmp);
	for (size_t i = 0; i < nhits && rc == 0; i++) {
		const struct text_entry *e = hits[q->oldest_first ? i : nhits - 1 - i].e;
		struct index_hit hit = {
			.time = e->time,
			.host = names[e->host],
			.seq = e->seq,
			.day = names[e->day] ? names[e->day] : "",
			.kind = names[e->kind] ? names[e->kind] : "",
			.admin = names[e->admin] ? names[e->admin] : "",
			.body = (const char *)(e + 1),
			.body_len = e->body_len,
			.id = e->id,
		};
		char *body = NULL;
		/* the text is not NUL-terminated in the file */
		hit.body = body = xstrndup(hit.body, e->body_len);
		if (q->lines || (e->flags & TEXT_EXACT) || (q->event_lines && !strcmp(hit.kind, "event"))) {
			hit.lineno = e->line;
			if (index_fd_cache_line(&fds, db, j, e->file, e->off, e->len, &hit.path, &line) < 0) {
				free(body);
				continue;	/* the file changed under us */
			}
			hit.line = line.data;
			hit.len = e->len;
		}
		++*emitted;
		if (fn(&hit, arg) || (q->limit && ++shown >= q->limit))
			rc = 2;
		free(body);
	}
	if (rc == 2)
		rc = 0;
out:
	index_fd_cache_close(&fds);
	buf_release(&line);
	free(hits);
	free(day_ok);
	if (names) {
		for (size_t i = 0; i < nnames; i++)
			free(names[i]);
		free(names);
	}
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	return rc;
}
