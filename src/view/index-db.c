/*
 * The search index's database (index.h): .state/index.sqlite, opening
 * (or creating) it, the steps every part of an update uses, and the
 * queries answered from its rows and from its FTS5 index.
 *
 *   meta(key, value)           "format" = INDEX_FORMAT, "fingerprint" (index-scan.c),
 *                              "generation" (index_position), "head:<host>" (the
 *                              seq of its chain head and the hash of its written
 *                              ref at the last update), "file_hosts" (the hosts
 *                              that have record files), "text_token" (index-text.c),
 *                              "years" (each year directory's names, with the
 *                              inode and times it had when they were listed)
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
 *   textblocks(off)            where each block of index.text's sorted part
 *                              starts (created by index-text.c when missing)
 *   fts                        FTS5 trigram over recs.body (external content,
 *                              kept in step by triggers; detail=none, since
 *                              every candidate is checked here anyway)
 *
 * Day and host come from the file's place (YYYY/YYYY_MM_DD/<host>.jsonl),
 * as the store files them.  SQL text is constant: every value is bound.
 * A database that is damaged, foreign or of an older format is deleted
 * and created again: it is only derived data.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	INDEX_TRIGGER_AI
	"CREATE TRIGGER recs_ad AFTER DELETE ON recs BEGIN"
	" INSERT INTO fts(fts, rowid, body) VALUES ('delete', old.id, old.body); END;";

bool index_db_damaged(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

int index_db_err(sqlite3 *db, const char *what)
{
	errset("index: %s: %s", what, sqlite3_errmsg(db));
	return -1;
}

void index_db_remove(const char *path)
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

/*
 * SQLite opens the database and its siblings by name, following links:
 * before it does, none of them may be a link a member planted in .state/,
 * nor a hard link to a file elsewhere (fs_check_below).  Any member may
 * have built the index, so its owner is not checked.
 */
static int index_db_check(struct journal *j)
{
	static const char *const suffixes[] = { "", "-journal", "-wal", "-shm" };

	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		char *rel = xasprintf("%s%s", INDEX_FILE, suffixes[i]);
		int rc = fs_check_below(j->dir, rel, FS_BELOW_ANY_OWNER);

		free(rel);
		if (rc < 0) {
			errprefix("index");
			return -1;
		}
	}
	return 0;
}

/* open the index for writing, creating or re-creating it; NULL when it cannot */
sqlite3 *index_db_open(struct journal *j, const char *path, bool *created)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };

	for (int attempt = 0; attempt < 2; attempt++) {
		sqlite3 *db = NULL;
		int fmt, fd;

		if (index_db_check(j) < 0)
			return NULL;
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
		/*
		 * The last connection to close checkpoints and removes the WAL
		 * (fsyncs): a WAL kept between commands would have every
		 * command, the first connection to it, read it whole first
		 * (SQLite's recovery; a rare search 10 ms slower at 10M
		 * records).  sync closes the index while its push runs.
		 */
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
				/*
				 * A shared journal's files are the group's: the
				 * database, and its WAL and shared memory, made
				 * before the database had its mode, which the
				 * members' commands open while this one runs.
				 */
				for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
					char *rel = xasprintf("%s%s", INDEX_FILE, suffixes[i]);
					if ((fd = fs_open_below(j->dir, rel, O_RDONLY | O_NONBLOCK, 0, FS_BELOW_ANY_OWNER)) >= 0) {
						journal_fix_mode(j, fd);
						close(fd);
					}
					free(rel);
				}
				*created = true;
				return db;
			}
		}
		/* damaged, foreign or older: it is only derived data */
		sqlite3_close(db);
		index_db_remove(path);
	}
	errset("index: %s: cannot be created", path);
	return NULL;
}

int index_meta_get_buf(sqlite3 *db, const char *key, struct buf *out)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		buf_add(out, sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int index_meta_get(sqlite3 *db, const char *key, char *out, size_t size)
{
	struct buf b = BUF_INIT;
	int rc = index_meta_get_buf(db, key, &b);

	if (rc == 0)
		snprintf(out, size, "%s", buf_str(&b));
	buf_release(&b);
	return rc;
}

int index_step_done(struct updater *u, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		u->rc = sqlite3_extended_errcode(u->db);
		return index_db_err(u->db, "update");
	}
	return 0;
}

int index_prepare(struct updater *u, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(u->db, sql, -1, st, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		return index_db_err(u->db, "prepare");
	}
	return 0;
}

int index_meta_set(struct updater *u, const char *key, const char *value)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (index_prepare(u, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", &st) < 0)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = index_step_done(u, st);
	sqlite3_finalize(st);
	return rc;
}

int index_set_fingerprint(struct updater *u, const char *fp)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (index_prepare(u, fp ? "INSERT OR REPLACE INTO meta(key, value) VALUES ('fingerprint', ?1)"
			  : "DELETE FROM meta WHERE key = 'fingerprint'", &st) < 0)
		return -1;
	if (fp)
		sqlite3_bind_text(st, 1, fp, -1, SQLITE_STATIC);
	rc = index_step_done(u, st);
	sqlite3_finalize(st);
	return rc;
}

/* ---- queries ---- */

#define SELECT_COLS \
	"SELECT r.time, r.host, r.seq, r.day, r.kind, r.admin, r.file, r.line, r.off, r.len, r.body, r.exact, r.id"
#define NEWEST " ORDER BY r.time DESC, r.host DESC, r.seq DESC"
#define OLDEST " ORDER BY r.time, r.host, r.seq"
#define FILTERS \
	" AND (?2 IS NULL OR r.host = ?2) AND (?3 IS NULL OR r.admin = ?3) AND (?4 IS NULL OR r.kind = ?4)" \
	" AND (?5 IS NULL OR r.day >= ?5) AND (?6 IS NULL OR r.day <= ?6) AND r.id > ?7" \
	" AND (?8 IS NULL OR (r.time >= ?8 AND r.time < ?9))"

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

/*
 * Every row, in time order: walking recs_time (only the ties of one
 * microsecond are sorted) gives the first rows at once, where the
 * planner's choice, the table then a sort of all of it, gave the first
 * line of an unfiltered list after 15 s at 10M records.  Only for a
 * query without any filter: a host, admin, kind or days would walk the
 * whole time index for the rows they keep (their ways are above and in
 * recent_queries), a row to start after is news' short rowid range.
 */
static const char *const time_queries[2] = {
	SELECT_COLS " FROM recs r INDEXED BY recs_time WHERE ?1 IS NULL" FILTERS NEWEST,
	SELECT_COLS " FROM recs r INDEXED BY recs_time WHERE ?1 IS NULL" FILTERS OLDEST,
};

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
	size_t n = index_count_chars(text), terms = 0;
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
				size_t len = index_char_len(q);
				if (*q == '"')
					buf_addc(&b, '"');
				buf_add(&b, q, len);
				q += len;
			}
			buf_addc(&b, '"');
		}
		p += index_char_len(p);
	}
	return buf_detach(&b, NULL);
}

/*
 * Every row, of the files of the days from ?10 on: a file's path is
 * "YYYY/YYYY_MM_DD/host.jsonl", so its path is at least "YYYY/DAY" (?10)
 * exactly when its day is at least DAY; the files' unique index finds
 * those and recs_file their rows, where walking recs_time in order goes
 * through every row of the journal to keep the few of the last days
 * (news --all: 1.2 s at ten years of fifteen hosts).  The day filter
 * stays, as in the other queries.
 */
static const char *const recent_queries[2] = {
	SELECT_COLS " FROM recs r WHERE ?1 IS NULL AND r.file IN (SELECT id FROM files WHERE path >= ?10)" FILTERS NEWEST,
	SELECT_COLS " FROM recs r WHERE ?1 IS NULL AND r.file IN (SELECT id FROM files WHERE path >= ?10)" FILTERS OLDEST,
};

/*
 * Whether the files of the days from since are few enough (an eighth of
 * all) that taking their rows and sorting them beats walking the time
 * index; false when the counts cannot be read.  since_path gets "YYYY/DAY".
 */
static bool since_is_recent(sqlite3 *db, const char *since, char *since_path, size_t size)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 from = -1, all = -1;

	snprintf(since_path, size, "%.4s/%s", since, since);
	if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM files WHERE path >= ?1), (SELECT max(id) FROM files)",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, since_path, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		from = sqlite3_column_int64(st, 0);
		all = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return from >= 0 && all > 0 && from * 8 < all;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int index_db_search(sqlite3 *db, struct journal *j, const struct index_query *q, bool by_fts, index_hit_fn fn,
		     void *arg, size_t *emitted)
{
	size_t tlen = q->text ? strlen(q->text) : 0;
	char *phrase = by_fts ? fts_query(q->text) : NULL;
	struct fd_cache fds = { .n = 0 };
	struct buf line = BUF_INIT;
	sqlite3_stmt *st = NULL;
	size_t shown = 0;
	int rc;

	/* in the table's order: the rows of one kind without walking the time index, a row at a time */
	static const char any_order[] = SELECT_COLS " FROM recs r WHERE ?1 IS NULL" FILTERS;
	const char *sql = !by_fts && !tlen && q->any_order ? any_order :
			  queries[by_fts ? Q_FTS : tlen ? Q_TEXT : Q_ALL][q->oldest_first];
	char since_path[32];
	bool recent = !by_fts && !tlen && !q->any_order && q->since && strlen(q->since) == DAY_LEN &&
		      since_is_recent(db, q->since, since_path, sizeof since_path);

	if (recent)
		sql = recent_queries[q->oldest_first];
	else if (sql == queries[Q_ALL][q->oldest_first] && !q->after_id && !q->host && !q->admin && !q->kind &&
		 !q->since && !q->until && !q->timed)
		sql = time_queries[q->oldest_first];

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		free(phrase);
		return index_db_err(db, "search");
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
	if (q->timed) {
		sqlite3_bind_int64(st, 8, q->since_us);
		sqlite3_bind_int64(st, 9, q->until_us);
	}
	if (recent)
		sqlite3_bind_text(st, 10, since_path, -1, SQLITE_STATIC);
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
		if (q->lines || sqlite3_column_int(st, 11) || (q->event_lines && !strcmp(h.kind ? h.kind : "", "event"))) {
			size_t len = (size_t)sqlite3_column_int64(st, 9);
			if (index_fd_cache_line(&fds, db, j, sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 8), len, &h.path,
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
		index_db_err(db, "search");
	index_fd_cache_close(&fds);
	free(phrase);
	buf_release(&line);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}
