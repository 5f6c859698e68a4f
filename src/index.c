/*
 * The search index (index.h): .state/index.sqlite.
 *
 *   meta(key, value)           "format" = INDEX_FORMAT
 *   files(id, path, size, inode, lines, seen)
 *                              per record file, how far it is indexed: the
 *                              end of its last complete line, and its inode
 *   recs(id, time, host, seq, day, kind, admin, file, line, off, len, body)
 *                              one row per record; off/len locate its line
 *   fts                        FTS5 trigram over recs.body (external content,
 *                              kept in step by triggers; detail=none, since
 *                              every candidate is checked here anyway)
 *
 * Day and host come from the file's place (YYYY/YYYY_MM_DD/<host>.jsonl),
 * as the store files them.  SQL text is constant: every value is bound.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "day.h"
#include "err.h"
#include "fs.h"
#include "index.h"
#include "store.h"
#include "xalloc.h"
#include "banned.h"

bool index_last_used;

/* the database index_update left usable, for index_search in the same process */
static sqlite3 *open_db;
static struct journal *open_journal;

static const char *const text_fields[] = { "cmd", "text", "path", "summary", "diff", "message" };

void index_record_text(const struct record *r, struct buf *out, bool exact)
{
	bool first = true;

	for (size_t i = 0; i < sizeof text_fields / sizeof *text_fields; i++) {
		size_t before = out->len;
		if (!first)
			buf_addc(out, '\n');
		if (exact) {
			if (rec_get_text(r, text_fields[i], out) < 0) {
				buf_truncate(out, before);
				continue;
			}
		} else {
			size_t len;
			const char *s = rec_get_str(r, text_fields[i], &len);
			if (!s) {
				buf_truncate(out, before);
				continue;
			}
			buf_add(out, s, len);
		}
		first = false;
	}
	/* a mail is found by its subject and sender too (docs/format.md, the event kind) */
	if (!strcmp(r->kind, "event")) {
		json_t *mail = json_object_get(r->obj, "mail");
		static const char *const mail_fields[] = { "subject", "from" };
		for (size_t i = 0; i < 2; i++) {
			json_t *v = json_object_get(mail, mail_fields[i]);
			if (!json_is_string(v))
				continue;
			if (!first)
				buf_addc(out, '\n');
			buf_add(out, json_string_value(v), json_string_length(v));
			first = false;
		}
	}
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

long index_find(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	unsigned char f0, f1;

	if (nlen == 0)
		return 0;
	if (nlen > hlen)
		return -1;
	f0 = lower((unsigned char)needle[0]);
	f1 = f0 >= 'a' && f0 <= 'z' ? (unsigned char)(f0 - 'a' + 'A') : f0;
	for (size_t i = 0; i + nlen <= hlen;) {
		/* jump to the next candidate first byte, either case */
		const char *p0 = memchr(hay + i, f0, hlen - nlen + 1 - i);
		const char *p1 = f1 != f0 ? memchr(hay + i, f1, hlen - nlen + 1 - i) : NULL;
		const char *p = !p0 ? p1 : !p1 ? p0 : p0 < p1 ? p0 : p1;
		size_t k;
		if (!p)
			return -1;
		i = (size_t)(p - hay);
		for (k = 1; k < nlen && lower((unsigned char)hay[i + k]) == lower((unsigned char)needle[k]); k++)
			;
		if (k == nlen)
			return (long)i;
		i++;
	}
	return -1;
}

/* ---- walking the record files ---- */

typedef int (*walk_fn)(const char *rel, const char *day, const char *host, void *arg);

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[n] == '\0';
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the names in a directory, sorted; NULL entries end it */
static char **list_dir(const char *path, size_t *n)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof *v, name_cmp);
	return v;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* every record file, in day and host order; days outside [since, until] are skipped */
static int walk_files(struct journal *j, const char *since, const char *until, walk_fn fn, void *arg)
{
	size_t ny, nd, nh;
	char **years = list_dir(j->dir, &ny);
	int rc = 0;

	for (size_t y = 0; y < ny && !rc; y++) {
		char *ypath;
		char **days;
		if (!all_digits(years[y], 4))
			continue;
		ypath = fs_join(j->dir, years[y]);
		days = list_dir(ypath, &nd);
		for (size_t d = 0; d < nd && !rc; d++) {
			char *dpath;
			char **hosts;
			if (!day_valid(days[d]) || strncmp(days[d], years[y], 4) ||
			    (since && strcmp(days[d], since) < 0) || (until && strcmp(days[d], until) > 0))
				continue;
			dpath = fs_join(ypath, days[d]);
			hosts = list_dir(dpath, &nh);
			for (size_t h = 0; h < nh && !rc; h++) {
				size_t len = strlen(hosts[h]);
				char *rel;
				if (len <= 6 || strcmp(hosts[h] + len - 6, ".jsonl"))
					continue;
				hosts[h][len - 6] = '\0';
				if (!store_valid_host(hosts[h]))
					continue;
				rel = store_file_rel(days[d], hosts[h]);
				rc = fn(rel, days[d], hosts[h], arg);
				free(rel);
			}
			free_names(hosts, nh);
			free(dpath);
		}
		free_names(days, nd);
		free(ypath);
	}
	free_names(years, ny);
	return rc;
}

/* ---- the database ---- */

static const char schema[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
	"CREATE TABLE files(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,"
	" inode INTEGER NOT NULL, lines INTEGER NOT NULL, seen INTEGER NOT NULL DEFAULT 1);"
	"CREATE TABLE recs(id INTEGER PRIMARY KEY, time INTEGER NOT NULL, host TEXT NOT NULL,"
	" seq INTEGER NOT NULL, day TEXT NOT NULL, kind TEXT NOT NULL, admin TEXT NOT NULL,"
	" file INTEGER NOT NULL, line INTEGER NOT NULL, off INTEGER NOT NULL, len INTEGER NOT NULL,"
	" body TEXT NOT NULL);"
	"CREATE INDEX recs_time ON recs(time);"
	"CREATE INDEX recs_file ON recs(file);"
	"CREATE VIRTUAL TABLE fts USING fts5(body, content='recs', content_rowid='id',"
	" tokenize='trigram', detail='none');"
	"CREATE TRIGGER recs_ai AFTER INSERT ON recs BEGIN"
	" INSERT INTO fts(rowid, body) VALUES (new.id, new.body); END;"
	"CREATE TRIGGER recs_ad AFTER DELETE ON recs BEGIN"
	" INSERT INTO fts(fts, rowid, body) VALUES ('delete', old.id, old.body); END;";

static bool is_damage(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

static int db_err(sqlite3 *db, const char *what)
{
	errset("index: %s: %s", what, sqlite3_errmsg(db));
	return -1;
}

static void remove_db(const char *path)
{
	static const char *const suffixes[] = { "", "-journal", "-wal", "-shm" };

	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		char *p = xasprintf("%s%s", path, suffixes[i]);
		unlink(p);
		free(p);
	}
}

/*
 * The format the database says it has: INDEX_FORMAT, 0 for an empty
 * database, -1 for anything else (damaged, foreign, older).
 */
static int db_format(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int fmt = -1, rc;

	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return -1;
	}
	if (sqlite3_column_int(st, 0) == 0) {
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'format'", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == INDEX_FORMAT)
		fmt = INDEX_FORMAT;
	sqlite3_finalize(st);
	return fmt;
}

/* open the index for writing, creating or re-creating it; NULL when it cannot */
static sqlite3 *db_open(struct journal *j, const char *path, bool *created)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		sqlite3 *db = NULL;
		int fmt, fd;

		if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
			errset("index: %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
			sqlite3_close(db);
			return NULL;
		}
		if (sqlite3_db_readonly(db, "main") == 1) {
			errset("index: %s: read-only", path);
			sqlite3_close(db);
			return NULL;
		}
		sqlite3_busy_timeout(db, 10000);
		fmt = db_format(db);
		if (fmt == INDEX_FORMAT)
			return db;
		if (fmt == 0) {
			char *msg = NULL;
			if (sqlite3_exec(db, "PRAGMA page_size = 4096", NULL, NULL, NULL) == SQLITE_OK &&
			    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) {
				if (sqlite3_exec(db, schema, NULL, NULL, &msg) == SQLITE_OK) {
					sqlite3_stmt *st = NULL;
					if (sqlite3_prepare_v2(db, "INSERT INTO meta(key, value) VALUES ('format', ?1)", -1,
							       &st, NULL) == SQLITE_OK) {
						sqlite3_bind_int(st, 1, INDEX_FORMAT);
						sqlite3_step(st);
					}
					sqlite3_finalize(st);
				}
				if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
					sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			}
			sqlite3_free(msg);
			if (db_format(db) == INDEX_FORMAT) {
				/* a shared journal's files are the group's */
				if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
					journal_fix_mode(j, fd);
					close(fd);
				}
				*created = true;
				return db;
			}
		}
		/* damaged, foreign or older: it is only derived data */
		sqlite3_close(db);
		remove_db(path);
	}
	errset("index: %s: cannot be created", path);
	return NULL;
}

struct updater {
	struct journal *j;
	sqlite3 *db;
	struct index_stats *st;
	sqlite3_stmt *find, *add_file, *set_file, *drop_recs, *add_rec;
	int rc;			/* the SQLite error that stopped the update */
};

static int step_done(struct updater *u, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		u->rc = sqlite3_extended_errcode(u->db);
		return db_err(u->db, "update");
	}
	return 0;
}

/* index the complete lines of data (file offset base, first line number lineno) */
static int index_lines(struct updater *u, sqlite3_int64 file_id, const char *day, const char *host,
		       const char *data, size_t len, size_t base, size_t *lineno)
{
	struct buf body = BUF_INIT;
	const char *p = data, *end = data + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct record *r;
		(*lineno)++;
		if ((r = rec_parse(p, (size_t)(nl - p), false))) {
			sqlite3_stmt *s = u->add_rec;
			buf_reset(&body);
			index_record_text(r, &body, false);
			sqlite3_bind_int64(s, 1, r->time);
			sqlite3_bind_text(s, 2, host, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 3, r->seq);
			sqlite3_bind_text(s, 4, day, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 5, r->kind, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 6, r->admin, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 7, file_id);
			sqlite3_bind_int64(s, 8, (sqlite3_int64)*lineno);
			sqlite3_bind_int64(s, 9, (sqlite3_int64)(base + (size_t)(p - data)));
			sqlite3_bind_int64(s, 10, (sqlite3_int64)(nl - p));
			sqlite3_bind_text(s, 11, buf_str(&body), (int)body.len, SQLITE_STATIC);
			if (step_done(u, s) < 0) {
				rec_free(r);
				buf_release(&body);
				return -1;
			}
			u->st->records++;
			rec_free(r);
		}
		p = nl + 1;
	}
	buf_release(&body);
	return 0;
}

static int update_file(const char *rel, const char *day, const char *host, void *arg)
{
	struct updater *u = arg;
	char *path = journal_path(u->j, rel);
	sqlite3_int64 id = 0, size = 0, inode = 0, lines = 0;
	struct buf data = BUF_INIT;
	struct stat stbuf;
	bool known = false;
	size_t lineno, complete;
	int fd = -1, rc = -1;

	u->st->files++;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &stbuf) < 0) {
		/* gone or unreadable: what it had stays out of the index */
		rc = 0;
		goto out;
	}
	sqlite3_bind_text(u->find, 1, rel, -1, SQLITE_STATIC);
	if (sqlite3_step(u->find) == SQLITE_ROW) {
		known = true;
		id = sqlite3_column_int64(u->find, 0);
		size = sqlite3_column_int64(u->find, 1);
		inode = sqlite3_column_int64(u->find, 2);
		lines = sqlite3_column_int64(u->find, 3);
	}
	sqlite3_reset(u->find);
	if (known && ((sqlite3_int64)stbuf.st_ino != inode || stbuf.st_size < size)) {
		/* replaced or cut: index it again from the start */
		sqlite3_bind_int64(u->drop_recs, 1, id);
		if (step_done(u, u->drop_recs) < 0)
			goto out;
		size = lines = 0;
	}
	if (known && stbuf.st_size == size) {
		sqlite3_bind_int64(u->set_file, 1, size);
		sqlite3_bind_int64(u->set_file, 2, (sqlite3_int64)stbuf.st_ino);
		sqlite3_bind_int64(u->set_file, 3, lines);
		sqlite3_bind_int64(u->set_file, 4, id);
		rc = step_done(u, u->set_file);
		goto out;
	}
	if (!known) {
		sqlite3_bind_text(u->add_file, 1, rel, -1, SQLITE_STATIC);
		sqlite3_bind_int64(u->add_file, 2, (sqlite3_int64)stbuf.st_ino);
		if (step_done(u, u->add_file) < 0)
			goto out;
		id = sqlite3_last_insert_rowid(u->db);
	}
	if (lseek(fd, (off_t)size, SEEK_SET) < 0 || fs_read_fd(fd, &data, 0) < 0) {
		errset_sys("index: %s", rel);
		goto out;
	}
	u->st->files_read++;
	u->st->bytes += data.len;
	/* only complete lines: a torn last line is read again next time */
	for (complete = data.len; complete > 0 && data.data[complete - 1] != '\n'; complete--)
		;
	lineno = (size_t)lines;
	if (index_lines(u, id, day, host, data.data, complete, (size_t)size, &lineno) < 0)
		goto out;
	sqlite3_bind_int64(u->set_file, 1, size + (sqlite3_int64)complete);
	sqlite3_bind_int64(u->set_file, 2, (sqlite3_int64)stbuf.st_ino);
	sqlite3_bind_int64(u->set_file, 3, (sqlite3_int64)lineno);
	sqlite3_bind_int64(u->set_file, 4, id);
	rc = step_done(u, u->set_file);
out:
	if (fd >= 0)
		close(fd);
	buf_release(&data);
	free(path);
	return rc;
}

static int prepare(struct updater *u, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(u->db, sql, -1, st, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		return db_err(u->db, "prepare");
	}
	return 0;
}

static int run_update(struct updater *u)
{
	int rc = -1;

	if (sqlite3_exec(u->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		return db_err(u->db, "begin");
	}
	if (prepare(u, "SELECT id, size, inode, lines FROM files WHERE path = ?1", &u->find) < 0 ||
	    prepare(u, "INSERT INTO files(path, size, inode, lines) VALUES (?1, 0, ?2, 0)", &u->add_file) < 0 ||
	    prepare(u, "UPDATE files SET size = ?1, inode = ?2, lines = ?3, seen = 1 WHERE id = ?4", &u->set_file) < 0 ||
	    prepare(u, "DELETE FROM recs WHERE file = ?1", &u->drop_recs) < 0 ||
	    prepare(u, "INSERT INTO recs(time, host, seq, day, kind, admin, file, line, off, len, body)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", &u->add_rec) < 0)
		goto out;
	if (sqlite3_exec(u->db, "UPDATE files SET seen = 0", NULL, NULL, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		db_err(u->db, "update");
		goto out;
	}
	if (walk_files(u->j, NULL, NULL, update_file, u) != 0)
		goto out;
	/* files that went away take their records with them */
	if (sqlite3_exec(u->db,
			 "DELETE FROM recs WHERE file IN (SELECT id FROM files WHERE seen = 0);"
			 "DELETE FROM files WHERE seen = 0;",
			 NULL, NULL, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		db_err(u->db, "update");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(u->find);
	sqlite3_finalize(u->add_file);
	sqlite3_finalize(u->set_file);
	sqlite3_finalize(u->drop_recs);
	sqlite3_finalize(u->add_rec);
	u->find = u->add_file = u->set_file = u->drop_recs = u->add_rec = NULL;
	if (rc == 0 && sqlite3_exec(u->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		rc = db_err(u->db, "commit");
	}
	if (rc < 0)
		sqlite3_exec(u->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int index_update(struct journal *j, struct index_stats *st)
{
	struct index_stats dummy;
	char *state, *path;
	int rc = -1;

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof *st);
	if (open_db) {
		sqlite3_close(open_db);
		open_db = NULL;
		open_journal = NULL;
	}
	state = journal_path(j, JOURNAL_STATE);
	path = journal_path(j, INDEX_FILE);
	if ((!fs_is_dir(state) && journal_mkdirs(j, JOURNAL_STATE) < 0) || access(state, W_OK) != 0) {
		errset("index: %s: not writable", state);
		goto out;
	}
	for (int attempt = 0; attempt < 2 && rc < 0; attempt++) {
		struct updater u = { .j = j, .st = st };
		bool created = false;
		if (!(u.db = db_open(j, path, &created)))
			break;
		st->rebuilt = st->rebuilt || created;
		if (run_update(&u) == 0) {
			open_db = u.db;
			open_journal = j;
			rc = 0;
			break;
		}
		sqlite3_close(u.db);
		if (!is_damage(u.rc))
			break;
		/* damage found on the way: start again from nothing */
		remove_db(path);
		memset(st, 0, sizeof *st);
	}
out:
	free(state);
	free(path);
	return rc;
}

void index_close(void)
{
	sqlite3_close(open_db);
	open_db = NULL;
	open_journal = NULL;
}

/* ---- queries ---- */

struct scan_hit {
	struct index_hit h;
	char *day, *host, *admin, *kind, *path, *line;
};

struct scanner {
	struct journal *j;
	const struct index_query *q;
	struct scan_hit *v;
	size_t n, cap;
};

static bool match_record(const struct index_query *q, const struct record *r, struct buf *body)
{
	if ((q->kind && strcmp(q->kind, r->kind)) || (q->admin && strcmp(q->admin, r->admin)))
		return false;
	if (!q->text || !*q->text)
		return true;
	buf_reset(body);
	index_record_text(r, body, false);
	return index_find(buf_str(body), body->len, q->text, strlen(q->text)) >= 0;
}

static int scan_file(const char *rel, const char *day, const char *host, void *arg)
{
	struct scanner *s = arg;
	struct buf data = BUF_INIT, body = BUF_INIT;
	char *path;
	const char *p, *end;
	size_t lineno = 0;

	if (s->q->host && strcmp(s->q->host, host))
		return 0;
	path = journal_path(s->j, rel);
	if (fs_read_file(path, &data) < 0) {
		free(path);
		return 0;	/* as the index: an unreadable file has no records */
	}
	free(path);
	p = data.data;
	end = p + data.len;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct record *r;
		if (!nl)
			break;	/* torn last line */
		lineno++;
		if ((r = rec_parse(p, (size_t)(nl - p), false))) {
			if (match_record(s->q, r, &body)) {
				struct scan_hit *h;
				if (s->n == s->cap) {
					s->cap = s->cap ? s->cap * 2 : 64;
					s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
				}
				h = &s->v[s->n++];
				h->day = xstrdup(day);
				h->host = xstrdup(host);
				h->admin = xstrdup(r->admin);
				h->kind = xstrdup(r->kind);
				h->path = xstrdup(rel);
				h->line = xstrndup(p, (size_t)(nl - p));
				h->h = (struct index_hit){ .day = h->day, .host = h->host, .admin = h->admin,
							   .kind = h->kind, .time = r->time, .seq = r->seq,
							   .path = h->path, .lineno = lineno, .line = h->line,
							   .len = (size_t)(nl - p) };
			}
			rec_free(r);
		}
		p = nl + 1;
	}
	buf_release(&body);
	buf_release(&data);
	return 0;
}

static int hit_cmp(const void *a, const void *b)
{
	const struct index_hit *x = &((const struct scan_hit *)a)->h, *y = &((const struct scan_hit *)b)->h;
	int c;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if ((c = strcmp(x->host, y->host)))
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int index_scan(struct journal *j, const struct index_query *q, index_hit_fn fn, void *arg)
{
	struct scanner s = { .j = j, .q = q };
	size_t shown = 0;

	walk_files(j, q->since, q->until, scan_file, &s);
	if (s.n)
		qsort(s.v, s.n, sizeof *s.v, hit_cmp);
	for (size_t i = 0; i < s.n && (!q->limit || shown < q->limit); i++, shown++) {
		size_t k = q->oldest_first ? i : s.n - 1 - i;
		if (fn(&s.v[k].h, arg))
			break;
	}
	for (size_t i = 0; i < s.n; i++) {
		free(s.v[i].day);
		free(s.v[i].host);
		free(s.v[i].admin);
		free(s.v[i].kind);
		free(s.v[i].path);
		free(s.v[i].line);
	}
	free(s.v);
	return 0;
}

#define SELECT_COLS "SELECT r.time, r.host, r.seq, r.day, r.kind, r.admin, f.path, r.line, r.off, r.len, r.body"
#define FILTERS \
	" AND (?2 IS NULL OR r.host = ?2) AND (?3 IS NULL OR r.admin = ?3) AND (?4 IS NULL OR r.kind = ?4)" \
	" AND (?5 IS NULL OR r.day >= ?5) AND (?6 IS NULL OR r.day <= ?6)"

static const char *const queries[2][2] = {
	/* [by fts][oldest first] */
	{ SELECT_COLS " FROM recs r JOIN files f ON f.id = r.file"
		      " WHERE (?1 IS NULL OR instr(lower(r.body), lower(?1)) > 0)" FILTERS
		      " ORDER BY r.time DESC, r.host DESC, r.seq DESC",
	  SELECT_COLS " FROM recs r JOIN files f ON f.id = r.file"
		      " WHERE (?1 IS NULL OR instr(lower(r.body), lower(?1)) > 0)" FILTERS
		      " ORDER BY r.time, r.host, r.seq" },
	{ SELECT_COLS " FROM fts CROSS JOIN recs r ON r.id = fts.rowid JOIN files f ON f.id = r.file"
		      " WHERE fts MATCH ?1" FILTERS " ORDER BY r.time DESC, r.host DESC, r.seq DESC",
	  SELECT_COLS " FROM fts CROSS JOIN recs r ON r.id = fts.rowid JOIN files f ON f.id = r.file"
		      " WHERE fts MATCH ?1" FILTERS " ORDER BY r.time, r.host, r.seq" },
};

/* the length of the UTF-8 character at p (1 for a stray byte) */
static size_t char_len(const char *p)
{
	size_t n = 1;

	while (((unsigned char)p[n] & 0xc0) == 0x80 && n < 4)
		n++;
	return n;
}

static size_t count_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s += char_len(s))
		n++;
	return n;
}

/*
 * An FTS5 query for the records that may hold text: its trigrams, each a
 * quoted string (its quotes doubled, so any text is literal) joined by
 * AND.  With detail=none a trigram table answers single tokens, not
 * phrases; every third trigram and the last one narrow enough, as the
 * text itself decides.  NULL when text has fewer than three characters.
 */
static char *fts_query(const char *text)
{
	struct buf b = BUF_INIT;
	size_t n = count_chars(text), terms = 0;
	const char *p = text;

	if (n < 3)
		return NULL;
	for (size_t i = 0; i + 3 <= n; i++) {
		if (i % 3 == 0 || i + 3 == n) {
			const char *q = p;
			if (terms++)
				buf_adds(&b, " AND ");
			buf_addc(&b, '"');
			for (int k = 0; k < 3; k++) {
				size_t len = char_len(q);
				if (*q == '"')
					buf_addc(&b, '"');
				buf_add(&b, q, len);
				q += len;
			}
			buf_addc(&b, '"');
		}
		p += char_len(p);
	}
	return buf_detach(&b, NULL);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int db_search(sqlite3 *db, struct journal *j, const struct index_query *q, index_hit_fn fn, void *arg,
		     size_t *emitted)
{
	size_t tlen = q->text ? strlen(q->text) : 0;
	char *phrase = tlen ? fts_query(q->text) : NULL;
	bool by_fts = phrase != NULL;
	sqlite3_stmt *st = NULL;
	struct buf line = BUF_INIT;
	char *open_path = NULL;
	size_t shown = 0;
	int fd = -1, rc;

	if (sqlite3_prepare_v2(db, queries[by_fts][q->oldest_first], -1, &st, NULL) != SQLITE_OK) {
		free(phrase);
		return db_err(db, "search");
	}
	if (by_fts) {
		sqlite3_bind_text(st, 1, phrase, -1, SQLITE_STATIC);
	} else {
		bind_opt(st, 1, tlen ? q->text : NULL);
	}
	bind_opt(st, 2, q->host);
	bind_opt(st, 3, q->admin);
	bind_opt(st, 4, q->kind);
	bind_opt(st, 5, q->since);
	bind_opt(st, 6, q->until);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *body = (const char *)sqlite3_column_text(st, 10);
		const char *path = (const char *)sqlite3_column_text(st, 6);
		size_t blen = (size_t)sqlite3_column_bytes(st, 10);
		sqlite3_int64 off = sqlite3_column_int64(st, 8);
		size_t len = (size_t)sqlite3_column_int64(st, 9);
		struct index_hit h;
		ssize_t got;

		/* the index proposes, the text decides (trigrams fold more than ASCII case) */
		if (tlen && index_find(body ? body : "", blen, q->text, tlen) < 0)
			continue;
		if (!open_path || strcmp(open_path, path)) {
			char *full = journal_path(j, path);
			if (fd >= 0)
				close(fd);
			free(open_path);
			open_path = xstrdup(path);
			fd = open(full, O_RDONLY | O_CLOEXEC);
			free(full);
		}
		buf_reset(&line);
		buf_grow(&line, len + 1);
		if (fd < 0 || (got = pread(fd, line.data, len + 1, (off_t)off)) != (ssize_t)len + 1 ||
		    line.data[len] != '\n')
			continue;	/* the file changed under us: not this record any more */
		line.len = len;
		line.data[len] = '\0';
		h = (struct index_hit){
			.time = sqlite3_column_int64(st, 0),
			.host = (const char *)sqlite3_column_text(st, 1),
			.seq = sqlite3_column_int64(st, 2),
			.day = (const char *)sqlite3_column_text(st, 3),
			.kind = (const char *)sqlite3_column_text(st, 4),
			.admin = (const char *)sqlite3_column_text(st, 5),
			.path = path,
			.lineno = (size_t)sqlite3_column_int64(st, 7),
			.line = line.data,
			.len = len,
		};
		++*emitted;
		if (fn(&h, arg) || (q->limit && ++shown >= q->limit)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		db_err(db, "search");
	if (fd >= 0)
		close(fd);
	free(open_path);
	free(phrase);
	buf_release(&line);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int index_search(struct journal *j, const struct index_query *q, index_hit_fn fn, void *arg)
{
	index_last_used = false;
	if (open_db && open_journal == j) {
		size_t emitted = 0;
		index_last_used = true;
		if (db_search(open_db, j, q, fn, arg, &emitted) == 0)
			return 0;
		if (emitted)
			return -1;
		/* a query the index could not answer (damaged since): the files can */
		index_last_used = false;
	}
	return index_scan(j, q, fn, arg);
}
