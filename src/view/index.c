/*
 * The search index (index.h): .state/index.sqlite.
 *
 *   meta(key, value)           "format" = INDEX_FORMAT, "fingerprint" (below),
 *                              "generation" (index_position)
 *   files(id, path, size, inode, lines)
 *                              per record file, how far it is indexed: the
 *                              end of its last complete line, and its inode
 *   recs(id, time, host, seq, day, kind, admin, file, line, off, len, exact, body)
 *                              one row per record; off/len locate its line;
 *                              ids only grow (news remembers one); exact = 1
 *                              when a text field holds bytes that are not
 *                              UTF-8 (body has their readable copy)
 *   hosts(host, mark)          what each host's writers left when the index
 *                              was last brought up to date (struct marks)
 *   dirs(path, inode, mtime)   day directories as last listed: one that is
 *                              unchanged holds the files the files table
 *                              says, so its files are stat-ed, not listed
 *   names(id, name)            the days, hosts, admins and kinds of index.text
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "journal/store.h"
#include "view/index.h"
#include "base/banned.h"

bool index_last_used;

/* the database index_update left usable, for index_search in the same process */
static sqlite3 *open_db;
static struct journal *open_journal;

static const char *const text_fields[] = { "cmd", "text", "path", "summary", "diff", "message" };
/* the fields of an event's "mail" object that are searched too */
static const char *const mail_fields[] = { "subject", "from" };

/* true when one of r's text fields holds bytes that are not UTF-8 */
static bool has_exact(const struct record *r)
{
	for (size_t i = 0; i < sizeof text_fields / sizeof *text_fields; i++) {
		char key[32];
		snprintf(key, sizeof key, "%s_b64", text_fields[i]);
		if (json_object_get(r->obj, key))
			return true;
	}
	return false;
}

void index_record_text(const struct record *r, struct buf *out, bool exact)
{
	json_t *mail = json_object_get(r->obj, "mail");
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
	for (size_t i = 0; json_is_object(mail) && i < sizeof mail_fields / sizeof *mail_fields; i++) {
		json_t *v = json_object_get(mail, mail_fields[i]);
		if (!json_is_string(v))
			continue;
		if (!first)
			buf_addc(out, '\n');
		buf_add(out, json_string_value(v), json_string_length(v));
		first = false;
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

/* the names in a directory, sorted; none when it cannot be read */
static char **list_dir(const char *path, size_t *n)
{
	char **v;

	if (fs_list_dir(path, NULL, NULL, false, &v, n) < 0) {
		*n = 0;
		return NULL;
	}
	return v;
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
		if (!store_is_year(years[y], NULL))
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
			fs_free_names(hosts, nh);
			free(dpath);
		}
		fs_free_names(days, nd);
		free(ypath);
	}
	fs_free_names(years, ny);
	return rc;
}

/* ---- the database ---- */

#define TRIGGER_AI \
	"CREATE TRIGGER recs_ai AFTER INSERT ON recs BEGIN" \
	" INSERT INTO fts(rowid, body) VALUES (new.id, new.body); END;"

static const char schema[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
	"CREATE TABLE files(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,"
	" inode INTEGER NOT NULL, lines INTEGER NOT NULL);"
	"CREATE TABLE recs(id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, host TEXT NOT NULL,"
	" seq INTEGER NOT NULL, day TEXT NOT NULL, kind TEXT NOT NULL, admin TEXT NOT NULL,"
	" file INTEGER NOT NULL, line INTEGER NOT NULL, off INTEGER NOT NULL, len INTEGER NOT NULL,"
	" exact INTEGER NOT NULL, body TEXT NOT NULL);"
	"CREATE TABLE hosts(host TEXT PRIMARY KEY, mark TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE names(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
	"CREATE TABLE dirs(path TEXT PRIMARY KEY, inode INTEGER NOT NULL, mtime INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX recs_time ON recs(time);"
	"CREATE INDEX recs_file ON recs(file);"
	"CREATE VIRTUAL TABLE fts USING fts5(body, content='recs', content_rowid='id',"
	" tokenize='trigram', detail='none');"
	"CREATE VIRTUAL TABLE fts_vocab USING fts5vocab('fts', 'row');"
	/*
	 * No merge work on every write: FTS5's automerge rewrote 600-1000
	 * pages (4 MB) of large segments for each update of 100 records.  Its
	 * crisis merge (16 segments on a level make one on the next) still
	 * bounds the number of segments a query looks at.
	 */
	"INSERT INTO fts(fts, rank) VALUES ('automerge', 0);"
	TRIGGER_AI
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

/* logbook_has(body, text): index_find as an SQL function, for the scan of the index's text */
static void sql_has(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *hay = (const char *)sqlite3_value_text(argv[0]);
	const char *needle = (const char *)sqlite3_value_text(argv[1]);

	(void)argc;
	sqlite3_result_int(ctx, hay && needle &&
				index_find(hay, (size_t)sqlite3_value_bytes(argv[0]), needle,
					   (size_t)sqlite3_value_bytes(argv[1])) >= 0);
}

/* open the index for writing, creating or re-creating it; NULL when it cannot */
static sqlite3 *db_open(struct journal *j, const char *path, bool *created)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		sqlite3 *db = NULL;
		int fmt, fd;

		if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
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
		/*
		 * Reading a large answer fetches pages all over the file: map it
		 * (no copy per page) and keep more of it cached than the 2 MB default.
		 */
		sqlite3_exec(db, "PRAGMA mmap_size = 4294967296; PRAGMA cache_size = -65536", NULL, NULL, NULL);
		/*
		 * Derived data needs no fsync per update: in WAL mode with
		 * synchronous=NORMAL a crash may lose the last updates (done again
		 * next time) but never leaves the database damaged.  The update
		 * after 100 new records spent 25-40 ms of its ~60 in fsyncs.
		 */
		sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
		sqlite3_create_function(db, "logbook_has", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_has, NULL,
					NULL);
		fmt = db_format(db);
		if (fmt == INDEX_FORMAT)
			return db;
		if (fmt == 0) {
			char *msg = NULL;
			if (sqlite3_exec(db, "PRAGMA page_size = 4096", NULL, NULL, NULL) == SQLITE_OK &&
			    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) {
				if (sqlite3_exec(db, schema, NULL, NULL, &msg) == SQLITE_OK) {
					sqlite3_stmt *st = NULL;
					char gen[64];
					if (sqlite3_prepare_v2(db, "INSERT INTO meta(key, value) VALUES ('format', ?1)", -1,
							       &st, NULL) == SQLITE_OK) {
						sqlite3_bind_int(st, 1, INDEX_FORMAT);
						sqlite3_step(st);
					}
					sqlite3_finalize(st);
					/* row ids count from here: readers that remember one check this first */
					snprintf(gen, sizeof gen, "%lld-%ld", (long long)day_now_us(), (long)getpid());
					st = NULL;
					if (sqlite3_prepare_v2(db, "INSERT INTO meta(key, value) VALUES ('generation', ?1)",
							       -1, &st, NULL) == SQLITE_OK) {
						sqlite3_bind_text(st, 1, gen, -1, SQLITE_TRANSIENT);
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

/*
 * The journal's fingerprint: what changes whenever a record file may
 * have changed, read without opening the ~10,000 record files of a few
 * years (stat-ing them all costs ~25 ms; rg reads them all in ~100 ms).
 * Every writer rewrites its host's chain head in .state/chain/ when it
 * commits (the store); sync moves refs/logbook/written/<host> after
 * writing a host's files (replica.c); a file added, removed or replaced
 * by any other means (a restore, an editor) changes its directory's
 * mtime.  The head and ref files are hashed by content; directories by
 * inode and mtime, and since file times are coarse (two changes within
 * one clock tick look alike), a directory changed in the last 2 seconds
 * makes the fingerprint racy: it is then not kept, and the next update
 * walks the files again.  Appending to a record file by hand, outside
 * the store, is not seen until the next write: docs/format.md says only
 * the host's writer appends.
 */
static void add_stat(struct buf *b, const char *name, const struct stat *st, int64_t now, bool *racy)
{
	int64_t mtime = (int64_t)st->st_mtim.tv_sec * 1000000 + st->st_mtim.tv_nsec / 1000;

	buf_addf(b, "%s %llu %lld.%09ld\n", name, (unsigned long long)st->st_ino, (long long)st->st_mtim.tv_sec,
		 st->st_mtim.tv_nsec);
	if (now - mtime < 2000000)
		*racy = true;
}

/*
 * What the writers of each host left: its chain head in .state/chain/
 * and its written ref, so that only the files of hosts whose mark moved
 * are looked at.  A host with neither (a journal copied without .state/)
 * has an empty mark, which vouches for nothing.
 */
struct host_mark {
	char *host;
	struct buf data;
	char mark[REC_HASH_LEN + 1];
	bool same;		/* equal to the mark stored in the index */
};

struct marks {
	struct host_mark *v;
	size_t n;
	char global[REC_HASH_LEN + 1];	/* the packed refs, the format */
	bool global_same, global_racy;
};

static struct host_mark *mark_of(struct marks *m, const char *host)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].host, host))
			return &m->v[i];
	m->v = xreallocarray(m->v, m->n + 1, sizeof *m->v);
	m->v[m->n] = (struct host_mark){ .host = xstrdup(host), .data = BUF_INIT };
	return &m->v[m->n++];
}

static void marks_free(struct marks *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].host);
		buf_release(&m->v[i].data);
	}
	free(m->v);
	memset(m, 0, sizeof *m);
}

/* the content of each small file in dir (chain heads, refs), under its host */
static void add_files(struct marks *m, const char *dir, const char *what)
{
	size_t n;
	char **names = list_dir(dir, &n);

	for (size_t i = 0; i < n; i++) {
		char *path = fs_join(dir, names[i]);
		struct buf data = BUF_INIT;
		struct host_mark *h = mark_of(m, names[i]);
		buf_addf(&h->data, "%s:", what);
		if (fs_read_file(path, &data) == 0)
			buf_add(&h->data, data.data, data.len < 4096 ? data.len : 4096);
		buf_addc(&h->data, '\n');
		buf_release(&data);
		free(path);
	}
	fs_free_names(names, n);
}

static void fingerprint(struct journal *j, char out[REC_HASH_LEN + 1], bool *racy, struct marks *m)
{
	struct buf b = BUF_INIT, g = BUF_INIT;
	int64_t now = day_now_us();
	char *p;
	struct stat st;
	int root;
	DIR *years;
	struct dirent *y;

	*racy = false;
	memset(m, 0, sizeof *m);
	p = journal_path(j, JOURNAL_STATE "/chain");
	add_files(m, p, "chain");
	free(p);
	p = journal_path(j, ".git/refs/logbook/written");
	add_files(m, p, "written");
	free(p);
	buf_addf(&g, "logbook-index %d\n", INDEX_FORMAT);
	p = journal_path(j, ".git/packed-refs");
	if (stat(p, &st) == 0) {
		buf_addf(&g, "packed %lld ", (long long)st.st_size);
		add_stat(&g, "packed-refs", &st, now, &m->global_racy);
		*racy = *racy || m->global_racy;
	}
	free(p);
	rec_hash(g.data, g.len, m->global);
	buf_addf(&b, "%s\n", m->global);
	for (size_t i = 0; i < m->n; i++) {
		rec_hash(m->v[i].data.data ? m->v[i].data.data : "", m->v[i].data.len, m->v[i].mark);
		buf_addf(&b, "%s %s\n", m->v[i].host, m->v[i].mark);
	}
	if ((root = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fstat(root, &st) < 0 ||
	    !(years = fdopendir(root))) {
		if (root >= 0)
			close(root);
		*racy = true;	/* nothing to compare with: always walk */
		goto out;
	}
	add_stat(&b, ".", &st, now, racy);
	while ((y = readdir(years))) {
		int yfd;
		DIR *days;
		struct dirent *d;
		if (!store_is_year(y->d_name, NULL) ||
		    (yfd = openat(root, y->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			continue;
		if (fstat(yfd, &st) < 0 || !(days = fdopendir(yfd))) {
			close(yfd);
			*racy = true;
			continue;
		}
		add_stat(&b, y->d_name, &st, now, racy);
		while ((d = readdir(days))) {
			if (d->d_name[0] == '.')
				continue;
			if (fstatat(yfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
				add_stat(&b, d->d_name, &st, now, racy);
		}
		closedir(days);
	}
	closedir(years);
out:
	rec_hash(b.data ? b.data : "", b.len, out);
	buf_release(&b);
	buf_release(&g);
}

static int meta_get(sqlite3 *db, const char *key, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* the files table, in memory, sorted by path */
struct known_file {
	char *path;
	sqlite3_int64 id, size, inode, lines;
	bool seen;
};

struct updater {
	struct journal *j;
	sqlite3 *db;
	struct index_stats *st;
	sqlite3_stmt *add_file, *set_file, *drop_recs, *drop_file, *add_rec, *set_dir, *drop_dir;
	struct known_file *known;
	size_t nknown;
	struct known_file *dirs;	/* the dirs table: path, inode, mtime in size */
	size_t ndirs;
	struct marks marks;
	bool full;		/* look at every file, whatever the marks say */
	bool bulk;		/* a new index: fill recs, then build fts in one go */
	bool dropped;		/* rows were deleted: index.text is written again */
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
			sqlite3_bind_int(s, 11, has_exact(r));
			sqlite3_bind_text(s, 12, buf_str(&body), (int)body.len, SQLITE_STATIC);
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

static int known_cmp(const void *a, const void *b)
{
	return strcmp(((const struct known_file *)a)->path, ((const struct known_file *)b)->path);
}

/* the rows of sql (id, path, size, inode, lines), sorted by path */
static int load_known(struct updater *u, const char *sql, struct known_file **v, size_t *n)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(u->db, sql, -1, &st, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		return db_err(u->db, "update");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct known_file *k;
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			*v = xreallocarray(*v, cap, sizeof **v);
		}
		k = &(*v)[(*n)++];
		k->id = sqlite3_column_int64(st, 0);
		k->path = xstrdup(sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "");
		k->size = sqlite3_column_int64(st, 2);
		k->inode = sqlite3_column_int64(st, 3);
		k->lines = sqlite3_column_int64(st, 4);
		k->seen = false;
	}
	if (rc != SQLITE_DONE) {
		u->rc = sqlite3_extended_errcode(u->db);
		sqlite3_finalize(st);
		return db_err(u->db, "update");
	}
	sqlite3_finalize(st);
	if (*n)
		qsort(*v, *n, sizeof **v, known_cmp);
	return 0;
}

/* rel's file, which is name under the directory dfd */
static int update_file(struct updater *u, int dfd, const char *name, const char *rel, const char *day,
		       const char *host)
{
	struct known_file key = { .path = (char *)rel }, *k;
	sqlite3_int64 id = 0, size = 0, lines = 0;
	struct buf data = BUF_INIT;
	struct stat stbuf;
	size_t lineno, complete;
	int fd = -1, rc = -1;

	u->st->files++;
	k = u->nknown ? bsearch(&key, u->known, u->nknown, sizeof *u->known, known_cmp) : NULL;
	if (fstatat(dfd, name, &stbuf, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(stbuf.st_mode)) {
		/* gone or not a file: what it had leaves the index */
		rc = 0;
		goto out;
	}
	if (k) {
		k->seen = true;
		id = k->id;
		size = k->size;
		lines = k->lines;
		/* the common case, without opening the file: nothing new */
		if ((sqlite3_int64)stbuf.st_ino == k->inode && stbuf.st_size == size) {
			rc = 0;
			goto out;
		}
		if ((sqlite3_int64)stbuf.st_ino != k->inode || stbuf.st_size < size) {
			/* replaced or cut: index it again from the start */
			u->dropped = true;
			sqlite3_bind_int64(u->drop_recs, 1, id);
			if (step_done(u, u->drop_recs) < 0)
				goto out;
			size = lines = 0;
		}
	}
	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		/* unreadable: as if it were not there */
		if (k)
			k->seen = false;
		rc = 0;
		goto out;
	}
	if (!k) {
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
	return rc;
}

static int prepare(struct updater *u, const char *sql, sqlite3_stmt **st);

/* true when host's files cannot have changed since the last update */
static bool host_unchanged(struct updater *u, const char *host)
{
	if (!u->marks.global_same || u->full)
		return false;
	for (size_t i = 0; i < u->marks.n; i++)
		if (!strcmp(u->marks.v[i].host, host))
			return u->marks.v[i].same && u->marks.v[i].data.len > 0;
	return false;
}

/* which hosts' marks are those the index has */
static int load_marks(struct updater *u)
{
	sqlite3_stmt *st = NULL;
	char global[REC_HASH_LEN + 1];
	int rc;

	u->marks.global_same = meta_get(u->db, "global", global, sizeof global) == 0 && !strcmp(global, u->marks.global);
	if (prepare(u, "SELECT host, mark FROM hosts", &st) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *host = (const char *)sqlite3_column_text(st, 0), *mark = (const char *)sqlite3_column_text(st, 1);
		for (size_t i = 0; host && mark && i < u->marks.n; i++)
			if (!strcmp(u->marks.v[i].host, host))
				u->marks.v[i].same = !strcmp(u->marks.v[i].mark, mark);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		u->rc = sqlite3_extended_errcode(u->db);
		return db_err(u->db, "update");
	}
	return 0;
}

static int store_marks(struct updater *u)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_exec(u->db, "DELETE FROM hosts", NULL, NULL, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		return db_err(u->db, "update");
	}
	if (prepare(u, "INSERT INTO hosts(host, mark) VALUES (?1, ?2)", &st) < 0)
		return -1;
	for (size_t i = 0; i < u->marks.n && rc == 0; i++) {
		sqlite3_bind_text(st, 1, u->marks.v[i].host, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, u->marks.v[i].mark, -1, SQLITE_STATIC);
		rc = step_done(u, st);
	}
	sqlite3_finalize(st);
	if (rc == 0 && prepare(u, "INSERT OR REPLACE INTO meta(key, value) VALUES ('global', ?1)", &st) == 0) {
		/* packed-refs changed within the clock tick: not to be trusted next time */
		sqlite3_bind_text(st, 1, u->marks.global_racy ? "" : u->marks.global, -1, SQLITE_STATIC);
		rc = step_done(u, st);
		sqlite3_finalize(st);
	}
	return rc;
}

/*
 * The update's walk: every day directory is stat-ed; one with the inode
 * and mtime it had when last listed holds the files the files table
 * says (adding, removing or replacing a file changes its directory's
 * mtime), so only those are stat-ed, relative to the year's directory.
 * Others are listed.  A directory changed in the last 2 seconds is noted
 * as unknown, since a change within the same clock tick would not show.
 */
static int walk_day(struct updater *u, int yfd, const char *year, const char *day)
{
	char prefix[DAY_LEN + 16], dirrel[DAY_LEN + 8];
	struct known_file key = { .path = dirrel }, *d;
	struct stat st;
	int64_t mtime;
	size_t lo, hi, plen;
	int rc = 0;

	if (fstatat(yfd, day, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	snprintf(dirrel, sizeof dirrel, "%s/%s", year, day);
	snprintf(prefix, sizeof prefix, "%s/", dirrel);
	plen = strlen(prefix);
	mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	d = u->ndirs ? bsearch(&key, u->dirs, u->ndirs, sizeof *u->dirs, known_cmp) : NULL;
	if (d)
		d->seen = true;
	if (d && d->inode == (sqlite3_int64)st.st_ino && d->size == mtime && !u->full) {
		/* the known files of this day: a range of the sorted table */
		for (lo = 0, hi = u->nknown; lo < hi;) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(u->known[mid].path, prefix) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < u->nknown && !rc && !strncmp(u->known[lo].path, prefix, plen); lo++) {
			struct known_file *k = &u->known[lo];
			char host[80];
			size_t len = strlen(k->path + plen);
			if (len <= 6 || len - 6 >= sizeof host)
				continue;
			memcpy(host, k->path + plen, len - 6);
			host[len - 6] = '\0';
			if (host_unchanged(u, host))
				k->seen = true;	/* its writers have not moved: nor has the file */
			else
				rc = update_file(u, yfd, k->path + 5, k->path, day, host);
		}
		return rc;
	}
	{
		char *dpath = fs_join(u->j->dir, dirrel);
		size_t nh;
		char **hosts = list_dir(dpath, &nh);
		for (size_t h = 0; h < nh && !rc; h++) {
			size_t len = strlen(hosts[h]);
			char *rel;
			if (len <= 6 || strcmp(hosts[h] + len - 6, ".jsonl"))
				continue;
			rel = xasprintf("%s%s", prefix, hosts[h]);
			hosts[h][len - 6] = '\0';
			if (store_valid_host(hosts[h]))
				rc = update_file(u, yfd, rel + 5, rel, day, hosts[h]);
			free(rel);
		}
		fs_free_names(hosts, nh);
		free(dpath);
	}
	if (rc)
		return rc;
	sqlite3_bind_text(u->set_dir, 1, dirrel, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(u->set_dir, 2, (sqlite3_int64)st.st_ino);
	sqlite3_bind_int64(u->set_dir, 3, day_now_us() * 1000 - mtime < INT64_C(2000000000) ? -1 : mtime);
	return step_done(u, u->set_dir);
}

static int walk_update(struct updater *u)
{
	size_t ny, nd;
	char **years = list_dir(u->j->dir, &ny);
	int rc = 0;

	for (size_t y = 0; y < ny && !rc; y++) {
		char *ypath;
		char **days;
		int yfd;
		if (!store_is_year(years[y], NULL))
			continue;
		ypath = fs_join(u->j->dir, years[y]);
		if ((yfd = open(ypath, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
			free(ypath);
			continue;
		}
		days = list_dir(ypath, &nd);
		for (size_t d = 0; d < nd && !rc; d++)
			if (day_valid(days[d]) && !strncmp(days[d], years[y], 4))
				rc = walk_day(u, yfd, years[y], days[d]);
		fs_free_names(days, nd);
		close(yfd);
		free(ypath);
	}
	fs_free_names(years, ny);
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

static int meta_set(struct updater *u, const char *key, const char *value)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (prepare(u, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", &st) < 0)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = step_done(u, st);
	sqlite3_finalize(st);
	return rc;
}

static int set_fingerprint(struct updater *u, const char *fp)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (prepare(u, fp ? "INSERT OR REPLACE INTO meta(key, value) VALUES ('fingerprint', ?1)"
			  : "DELETE FROM meta WHERE key = 'fingerprint'", &st) < 0)
		return -1;
	if (fp)
		sqlite3_bind_text(st, 1, fp, -1, SQLITE_STATIC);
	rc = step_done(u, st);
	sqlite3_finalize(st);
	return rc;
}


/*
 * index.text: the searched text of every row, with what a hit shows,
 * in one flat file, for queries the trigram index cannot narrow (a
 * word in a fifth of all records, two letters): a sequential scan of
 * this file runs at memory speed, where SQLite spends about a
 * microsecond per row.  It is derived from recs, as recs is from the
 * files; a token in its header and in meta (written in the same
 * transaction, after the file is synced) says it is in step.  Rows are
 * only appended, in id order; when rows were deleted, or the token does
 * not match, it is written again whole.  The file is local to this
 * machine: native byte order.
 */
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
	if (step_done(u, add) < 0)
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
static bool text_current(sqlite3 *db, struct journal *j)
{
	char *path = journal_path(j, TEXT_FILE), token[sizeof ((struct text_header *)0)->token + 1];
	struct text_header h;
	bool ok = false;
	int fd;

	if (meta_get(db, "text_token", token, sizeof token) == 0 && !*token) {
		free(path);
		return true;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && read_header(fd, &h) == 0 && meta_get(db, "text_token", token, sizeof token) == 0)
		ok = strlen(token) == sizeof h.token && !memcmp(token, h.token, sizeof h.token);
	if (fd >= 0)
		close(fd);
	free(path);
	return ok;
}

/* bring index.text in step with recs, inside the update's transaction */
static int text_sync(struct updater *u)
{
	char *path = journal_path(u->j, TEXT_FILE), token[sizeof ((struct text_header *)0)->token + 1];
	struct text_header h;
	struct name_map names = { 0 };
	sqlite3_stmt *rows = NULL, *add = NULL, *list = NULL;
	struct buf out = BUF_INIT;
	int64_t max_id = 0;
	bool whole;
	int fd, rc = -1, step;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		errset_sys("index: %s", path);
		free(path);
		return -1;
	}
	journal_fix_mode(u->j, fd);
	if (prepare(u, "SELECT max(id) FROM recs", &rows) < 0)
		goto out;
	if (sqlite3_step(rows) == SQLITE_ROW)
		max_id = sqlite3_column_int64(rows, 0);
	sqlite3_finalize(rows);
	rows = NULL;
	whole = u->bulk || u->dropped || read_header(fd, &h) < 0 ||
		meta_get(u->db, "text_token", token, sizeof token) < 0 || strlen(token) != sizeof h.token ||
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
			db_err(u->db, "update");
			goto out;
		}
	} else {
		if (prepare(u, "SELECT id, name FROM names", &list) < 0)
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
	if (prepare(u, "INSERT INTO names(id, name) VALUES (?1, ?2)", &add) < 0 ||
	    prepare(u, "SELECT id, time, seq, day, host, admin, kind, exact, body, off, len, file, line"
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
		db_err(u->db, "update");
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
	rc = meta_set(u, "text_token", token);
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

static int run_update(struct updater *u)
{
	char fp[REC_HASH_LEN + 1], old[REC_HASH_LEN + 1], last[32];
	long long t = 0;
	int64_t now = day_now_us();
	bool racy;
	int rc = -1;

	/*
	 * The cheap look first, without taking the write lock; taken before
	 * the walk, so that a write during the walk changes it again.  Once
	 * an hour every file is looked at, whatever the marks say: a record
	 * file edited by hand, outside any writer, is seen within the hour.
	 */
	fingerprint(u->j, fp, &racy, &u->marks);
	if (meta_get(u->db, "full", last, sizeof last) == 0)
		t = atoll(last);
	u->full = now - t > INDEX_FULL_EVERY || now < t;
	if (!racy && !u->full && meta_get(u->db, "fingerprint", old, sizeof old) == 0 && !strcmp(fp, old) &&
	    text_current(u->db, u->j)) {
		marks_free(&u->marks);
		return 0;
	}
	if (sqlite3_exec(u->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		marks_free(&u->marks);
		return db_err(u->db, "begin");
	}
	snprintf(last, sizeof last, "%lld", (long long)now);
	if (u->full && meta_set(u, "full", last) < 0)
		goto out;
	/* building FTS5 row by row costs ~20 times its 'rebuild' (measured on 200,000 records) */
	if (u->bulk && sqlite3_exec(u->db, "DROP TRIGGER recs_ai", NULL, NULL, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		db_err(u->db, "update");
		goto out;
	}
	if (load_marks(u) < 0 ||
	    load_known(u, "SELECT id, path, size, inode, lines FROM files", &u->known, &u->nknown) < 0 ||
	    load_known(u, "SELECT 0, path, mtime, inode, 0 FROM dirs", &u->dirs, &u->ndirs) < 0 ||
	    prepare(u, "INSERT OR REPLACE INTO dirs(path, inode, mtime) VALUES (?1, ?2, ?3)", &u->set_dir) < 0 ||
	    prepare(u, "DELETE FROM dirs WHERE path = ?1", &u->drop_dir) < 0 ||
	    prepare(u, "INSERT INTO files(path, size, inode, lines) VALUES (?1, 0, ?2, 0)", &u->add_file) < 0 ||
	    prepare(u, "UPDATE files SET size = ?1, inode = ?2, lines = ?3 WHERE id = ?4", &u->set_file) < 0 ||
	    prepare(u, "DELETE FROM recs WHERE file = ?1", &u->drop_recs) < 0 ||
	    prepare(u, "DELETE FROM files WHERE id = ?1", &u->drop_file) < 0 ||
	    prepare(u, "INSERT INTO recs(time, host, seq, day, kind, admin, file, line, off, len, exact, body)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", &u->add_rec) < 0)
		goto out;
	if (walk_update(u) != 0)
		goto out;
	for (size_t i = 0; i < u->ndirs; i++) {
		if (u->dirs[i].seen)
			continue;
		sqlite3_bind_text(u->drop_dir, 1, u->dirs[i].path, -1, SQLITE_STATIC);
		if (step_done(u, u->drop_dir) < 0)
			goto out;
	}
	/* files that went away take their records with them */
	for (size_t i = 0; i < u->nknown; i++) {
		if (u->known[i].seen)
			continue;
		u->dropped = true;
		sqlite3_bind_int64(u->drop_recs, 1, u->known[i].id);
		sqlite3_bind_int64(u->drop_file, 1, u->known[i].id);
		if (step_done(u, u->drop_recs) < 0 || step_done(u, u->drop_file) < 0)
			goto out;
	}
	/*
	 * One segment, at the top level: the crisis merges of later updates
	 * then merge small segments with small ones (merging into the build's
	 * segments took 1.4 s of one update out of twenty on 2M records).
	 */
	if (u->bulk && sqlite3_exec(u->db, "INSERT INTO fts(fts) VALUES ('rebuild');"
					   "INSERT INTO fts(fts) VALUES ('optimize');" TRIGGER_AI,
				    NULL, NULL, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		db_err(u->db, "update");
		goto out;
	}
	if (store_marks(u) < 0 || set_fingerprint(u, racy ? NULL : fp) < 0)
		goto out;
	/* a text cache that cannot be written is not needed: queries use recs */
	if (text_sync(u) < 0)
		meta_set(u, "text_token", "");
	rc = 0;
out:
	sqlite3_finalize(u->add_file);
	sqlite3_finalize(u->set_file);
	sqlite3_finalize(u->drop_recs);
	sqlite3_finalize(u->drop_file);
	sqlite3_finalize(u->add_rec);
	sqlite3_finalize(u->set_dir);
	sqlite3_finalize(u->drop_dir);
	u->add_file = u->set_file = u->drop_recs = u->drop_file = u->add_rec = u->set_dir = u->drop_dir = NULL;
	for (size_t i = 0; i < u->nknown; i++)
		free(u->known[i].path);
	for (size_t i = 0; i < u->ndirs; i++)
		free(u->dirs[i].path);
	free(u->known);
	free(u->dirs);
	u->known = u->dirs = NULL;
	u->nknown = u->ndirs = 0;
	marks_free(&u->marks);
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
		u.bulk = created;
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

#define SELECT_COLS \
	"SELECT r.time, r.host, r.seq, r.day, r.kind, r.admin, r.file, r.line, r.off, r.len, r.body, r.exact, r.id"
#define NEWEST " ORDER BY r.time DESC, r.host DESC, r.seq DESC"
#define OLDEST " ORDER BY r.time, r.host, r.seq"
#define FILTERS \
	" AND (?2 IS NULL OR r.host = ?2) AND (?3 IS NULL OR r.admin = ?3) AND (?4 IS NULL OR r.kind = ?4)" \
	" AND (?5 IS NULL OR r.day >= ?5) AND (?6 IS NULL OR r.day <= ?6) AND r.id > ?7"

enum { Q_ALL, Q_TEXT, Q_FTS };

static const char *const queries[3][2] = {
	/* [how][oldest first] */
	[Q_ALL] = { SELECT_COLS " FROM recs r WHERE ?1 IS NULL" FILTERS NEWEST,
		    SELECT_COLS " FROM recs r WHERE ?1 IS NULL" FILTERS OLDEST },
	/* every row's text, in table order (walking recs_time would jump all over the file), then sorted */
	[Q_TEXT] = { SELECT_COLS " FROM recs r NOT INDEXED WHERE logbook_has(r.body, ?1)" FILTERS
			 NEWEST,
		     SELECT_COLS " FROM recs r NOT INDEXED WHERE logbook_has(r.body, ?1)" FILTERS
			 OLDEST },
	[Q_FTS] = { SELECT_COLS " FROM fts CROSS JOIN recs r ON r.id = fts.rowid"
			        " WHERE fts MATCH ?1" FILTERS NEWEST,
		    SELECT_COLS " FROM fts CROSS JOIN recs r ON r.id = fts.rowid"
			        " WHERE fts MATCH ?1" FILTERS OLDEST },
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

/*
 * Open record files, by path: hits come in time order, so they go from
 * one host's file to another's at almost every line.
 */
#define FD_CACHE 64
#define FD_CACHE_MAP 8
struct fd_cache {
	size_t n, next;
	sqlite3_int64 id[FD_CACHE];
	char *path[FD_CACHE];	/* NULL: not in the files table any more */
	int fd[FD_CACHE];
	const char *map[FD_CACHE];	/* the file mapped once it had FD_CACHE_MAP hits, or NULL */
	size_t size[FD_CACHE], uses[FD_CACHE];
};

static void fd_cache_drop(struct fd_cache *c, size_t k)
{
	free(c->path[k]);
	if (c->map[k])
		munmap((void *)c->map[k], c->size[k]);
	if (c->fd[k] >= 0)
		close(c->fd[k]);
}

/*
 * The line of a hit: the len bytes at off in the record file of files row
 * id, which must end with a newline there (else the file changed since
 * it was indexed: -1).  *path is the file's, relative to the journal.
 */
static int fd_cache_line(struct fd_cache *c, sqlite3 *db, struct journal *j, sqlite3_int64 id, int64_t off,
			 size_t len, const char **path, struct buf *line)
{
	sqlite3_stmt *st = NULL;
	struct stat sb;
	size_t k, i;

	for (i = 0; i < c->n && c->id[i] != id; i++)
		;
	if (i < c->n) {
		k = i;
	} else {
		if (c->n < FD_CACHE) {
			k = c->n++;
		} else {
			k = c->next++ % FD_CACHE;
			fd_cache_drop(c, k);
		}
		c->id[k] = id;
		c->path[k] = NULL;
		c->fd[k] = -1;
		c->map[k] = NULL;
		if (sqlite3_prepare_v2(db, "SELECT path FROM files WHERE id = ?1", -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, id);
			if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
				char *full = journal_path(j, (const char *)sqlite3_column_text(st, 0));
				c->path[k] = xstrdup((const char *)sqlite3_column_text(st, 0));
				c->fd[k] = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
				free(full);
			}
		}
		sqlite3_finalize(st);
		c->uses[k] = 0;
	}
	/* a file with many hits is mapped, one with a few is read line by line */
	if (++c->uses[k] == FD_CACHE_MAP && c->fd[k] >= 0 && fstat(c->fd[k], &sb) == 0 && sb.st_size > 0) {
		void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, c->fd[k], 0);
		if (m != MAP_FAILED) {
			c->map[k] = m;
			c->size[k] = (size_t)sb.st_size;
		}
	}
	*path = c->path[k];
	buf_reset(line);
	buf_grow(line, len + 1);
	if (off < 0)
		return -1;
	if (c->map[k] && (size_t)off + len < c->size[k])
		memcpy(line->data, c->map[k] + off, len + 1);
	else if (c->fd[k] < 0 || pread(c->fd[k], line->data, len + 1, (off_t)off) != (ssize_t)len + 1)
		return -1;
	if (line->data[len] != '\n')
		return -1;
	line->data[len] = '\0';
	line->len = len;
	return 0;
}

static void fd_cache_close(struct fd_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		fd_cache_drop(c, i);
	c->n = 0;
}

static int db_search(sqlite3 *db, struct journal *j, const struct index_query *q, bool by_fts, index_hit_fn fn,
		     void *arg, size_t *emitted)
{
	size_t tlen = q->text ? strlen(q->text) : 0;
	char *phrase = by_fts ? fts_query(q->text) : NULL;
	struct fd_cache fds = { .n = 0 };
	struct buf line = BUF_INIT;
	sqlite3_stmt *st = NULL;
	size_t shown = 0;
	int rc;

	if (sqlite3_prepare_v2(db, queries[by_fts ? Q_FTS : tlen ? Q_TEXT : Q_ALL][q->oldest_first], -1, &st, NULL) !=
	    SQLITE_OK) {
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
	sqlite3_bind_int64(st, 7, q->after_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *body = (const char *)sqlite3_column_text(st, 10);
		size_t blen = (size_t)sqlite3_column_bytes(st, 10);
		struct index_hit h;

		/* the index proposes, the text decides (trigrams fold more than ASCII case) */
		if (by_fts && index_find(body ? body : "", blen, q->text, tlen) < 0)
			continue;
		h = (struct index_hit){
			.time = sqlite3_column_int64(st, 0),
			.host = (const char *)sqlite3_column_text(st, 1),
			.seq = sqlite3_column_int64(st, 2),
			.day = (const char *)sqlite3_column_text(st, 3),
			.kind = (const char *)sqlite3_column_text(st, 4),
			.admin = (const char *)sqlite3_column_text(st, 5),
			.lineno = (size_t)sqlite3_column_int64(st, 7),
			.body = body ? body : "",
			.body_len = blen,
			.id = sqlite3_column_int64(st, 12),
		};
		/* the stored line only when it is wanted, or holds what body cannot show */
		if (q->lines || sqlite3_column_int(st, 11)) {
			size_t len = (size_t)sqlite3_column_int64(st, 9);
			if (fd_cache_line(&fds, db, j, sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 8), len, &h.path,
					  &line) < 0)
				continue;	/* the file changed under us: not this record any more */
			h.line = line.data;
			h.len = len;
		}
		++*emitted;
		if (fn(&h, arg) || (q->limit && ++shown >= q->limit)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		db_err(db, "search");
	fd_cache_close(&fds);
	free(phrase);
	buf_release(&line);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
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
	int c;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if ((c = strcmp(x->host, y->host)))
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
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
static int text_search(sqlite3 *db, struct journal *j, const struct index_query *q, index_hit_fn fn, void *arg,
		       size_t *emitted)
{
	char *path = journal_path(j, TEXT_FILE), token[sizeof ((struct text_header *)0)->token + 1];
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
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	free(path);
	if (fd < 0 || fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof *h ||
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
		goto out;
	h = map;
	if (memcmp(h->magic, TEXT_MAGIC, 8) || h->valid < 0 || (size_t)h->valid > (size_t)st.st_size - sizeof *h ||
	    meta_get(db, "text_token", token, sizeof token) < 0 || strlen(token) != sizeof h->token ||
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
		    (kind_id >= 0 && e->kind != kind_id) || e->id <= q->after_id || !names[e->host])
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
		if (q->lines || (e->flags & TEXT_EXACT)) {
			hit.lineno = e->line;
			if (fd_cache_line(&fds, db, j, e->file, e->off, e->len, &hit.path, &line) < 0) {
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
	fd_cache_close(&fds);
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

/*
 * Whether the trigram index narrows q->text enough: every candidate
 * costs a row fetch and a sort, about a microsecond, where the scan of
 * index.text costs a few nanoseconds per record.  The rarest trigram's
 * document count bounds the candidates (detail=none keeps no positions).
 */
static bool trigram_selective(sqlite3 *db, const char *text)
{
	sqlite3_stmt *st = NULL, *rows = NULL;
	int64_t least = INT64_MAX, total = 0;
	const char *p = text;
	size_t n = count_chars(text);

	if (sqlite3_prepare_v2(db, "SELECT max(id) FROM recs", -1, &rows, NULL) == SQLITE_OK &&
	    sqlite3_step(rows) == SQLITE_ROW)
		total = sqlite3_column_int64(rows, 0);
	sqlite3_finalize(rows);
	if (sqlite3_prepare_v2(db, "SELECT doc FROM fts_vocab WHERE term = ?1", -1, &st, NULL) != SQLITE_OK)
		return true;
	for (size_t i = 0; i + 3 <= n; i++) {
		const char *q = p;
		char tri[16];
		size_t len = 0;
		for (int k = 0; k < 3; k++) {
			size_t cl = char_len(q);
			if (len + cl < sizeof tri) {
				memcpy(tri + len, q, cl);
				len += cl;
			}
			q += cl;
		}
		tri[len] = '\0';
		/* the tokenizer folds case (ASCII and more); the vocabulary holds the folded form */
		for (size_t k = 0; k < len; k++)
			tri[k] = (char)lower((unsigned char)tri[k]);
		sqlite3_bind_text(st, 1, tri, (int)len, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			int64_t doc = sqlite3_column_int64(st, 0);
			if (doc < least)
				least = doc;
		} else {
			least = 0;	/* a trigram no record has */
		}
		sqlite3_reset(st);
		/* one rare trigram is enough to say so */
		if (least <= total / INDEX_SCAN_SHARE)
			break;
		p += char_len(p);
	}
	sqlite3_finalize(st);
	return least <= total / INDEX_SCAN_SHARE;
}

const char *index_last_method;

int index_search(struct journal *j, const struct index_query *q, index_hit_fn fn, void *arg)
{
	index_last_used = false;
	index_last_method = "files";
	if (q->method != INDEX_FILES && open_db && open_journal == j) {
		size_t emitted = 0;
		bool text = q->text && *q->text;
		/* trigrams need three characters, and pay off only when they narrow */
		bool by_fts = text && q->method != INDEX_TEXT && count_chars(q->text) >= 3 &&
			      (q->method == INDEX_TRIGRAM || trigram_selective(open_db, q->text));
		int rc = 1;
		index_last_used = true;
		if (text && !by_fts) {
			index_last_method = "text";
			rc = text_search(open_db, j, q, fn, arg, &emitted);
		}
		if (rc == 1) {
			index_last_method = by_fts ? "trigram" : "rows";
			rc = db_search(open_db, j, q, by_fts, fn, arg, &emitted);
		}
		if (rc == 0)
			return 0;
		if (emitted)
			return -1;
		/* a query the index could not answer (damaged since): the files can */
		index_last_used = false;
		index_last_method = "files";
	}
	return index_scan(j, q, fn, arg);
}

int index_position(struct index_position *pos)
{
	sqlite3_stmt *st = NULL;

	memset(pos, 0, sizeof *pos);
	if (!open_db)
		return -1;
	if (meta_get(open_db, "generation", pos->generation, sizeof pos->generation) < 0)
		return -1;
	if (sqlite3_prepare_v2(open_db, "SELECT max(id) FROM recs", -1, &st, NULL) != SQLITE_OK)
		return db_err(open_db, "position");
	if (sqlite3_step(st) == SQLITE_ROW)
		pos->last_id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}
