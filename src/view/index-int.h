/*
 * What the files of the search index share, private to them: index.c
 * (the entry points and the update's transaction), index-db.c (the
 * database), index-text.c (the text cache), index-scan.c (the record
 * files) and index-choose.c (which way answers a query).  No other module
 * includes this; view/index.h is the contract, and this header builds
 * on it.
 */
#ifndef LOGBOOK_INDEX_INT_H
#define LOGBOOK_INDEX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sys/stat.h>

#include <sqlite3.h>

#include "base/buf.h"
#include "base/day.h"
#include "journal/journal.h"
#include "journal/record.h"
#include "view/index.h"

/* ---- index.c ---- */

/* the database index_update left usable for j, for index_search; NULL when none */
sqlite3 *index_db_of(const struct journal *j);
bool index_has_exact(const struct record *r);
unsigned char index_lower(unsigned char c);
size_t index_char_len(const char *p);
size_t index_count_chars(const char *s);

/*
 * The order of hits, oldest first: time, then host, then seq, as the
 * database's ORDER BY.  Inline: sorting a large answer of a scan calls
 * it millions of times.
 */
static inline int index_hit_order(int64_t time_a, const char *host_a, int64_t seq_a, int64_t time_b,
				  const char *host_b, int64_t seq_b)
{
	int c;

	if (time_a != time_b)
		return time_a < time_b ? -1 : 1;
	if ((c = strcmp(host_a, host_b)))
		return c;
	return seq_a < seq_b ? -1 : seq_a > seq_b;
}

/* the trigger that keeps fts in step with each row added to recs (a new index drops it while it fills recs) */
#define INDEX_TRIGGER_AI \
	"CREATE TRIGGER recs_ai AFTER INSERT ON recs BEGIN" \
	" INSERT INTO fts(rowid, body) VALUES (new.id, new.body); END;"

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
	/* the chain head its writer left (state C): its seq and the file it last wrote */
	bool head;
	int64_t seq;
	char *head_file;
	char written[REC_HASH_LEN + 1];	/* the hash of its written ref, "-" when none */
	bool accounted;		/* every record since the last update found in head_file */
};

/* a day directory as the fingerprint saw it, for the walk that follows */
struct day_stat {
	char rel[DAY_LEN + 8];	/* YYYY/YYYY_MM_DD */
	struct stat st;
};

struct marks {
	struct host_mark *v;
	size_t n;
	struct day_stat *days;	/* every entry of every year directory, when days_ok */
	size_t ndays;
	bool days_ok;
	struct buf years;	/* each year directory's identity and names (meta "years", index-scan.c) */
	bool years_same;	/* the same as the last update's */
	char global[REC_HASH_LEN + 1];	/* the packed refs, the format */
	bool global_same, global_racy;
};

/* the files table, in memory, sorted by path */
struct known_file {
	char *path;
	sqlite3_int64 id, size, inode, lines;
	bool seen;
};

/* one update: its database, its statements, and what the walk knows and found */
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
	bool lazy;		/* every host accounted for: only changed directories are looked at */
	int64_t count_lo, count_hi;	/* records with lo < seq <= hi that index_lines added, */
	size_t counted;		/* counted here */
	char **file_hosts;	/* the hosts that have record files */
	size_t nfile_hosts;
	int rc;			/* the SQLite error that stopped the update */
};

/* ---- index-db.c ---- */

sqlite3 *index_db_open(struct journal *j, const char *path, bool *created);
bool index_db_damaged(int rc);
void index_db_remove(const char *path);
int index_db_err(sqlite3 *db, const char *what);
int index_meta_get(sqlite3 *db, const char *key, char *out, size_t size);
/* the same, of any length, into out */
int index_meta_get_buf(sqlite3 *db, const char *key, struct buf *out);
int index_meta_set(struct updater *u, const char *key, const char *value);
int index_prepare(struct updater *u, const char *sql, sqlite3_stmt **st);
int index_step_done(struct updater *u, sqlite3_stmt *s);
int index_set_fingerprint(struct updater *u, const char *fp);
int index_db_search(sqlite3 *db, struct journal *j, const struct index_query *q, bool by_fts,
		    index_hit_fn fn, void *arg, size_t *emitted);

/* ---- index-text.c ---- */

/* where the hits of a search go: fn, or fmt then emit (index_search_format) */
struct index_sink {
	index_hit_fn fn;
	void *arg;
	index_format_fn fmt;
	const void *fmt_arg;
	index_emit_fn emit;
};

/* the bytes of index.text's sorted part in one block, when it is written (TEXT_BLOCK; tests make it small) */
extern int64_t index_text_block;

bool index_text_current(sqlite3 *db, struct journal *j);
int index_text_sync(struct updater *u);
int index_text_search(sqlite3 *db, struct journal *j, const struct index_query *q, const struct index_sink *sink,
		      size_t *emitted);

/* ---- index-scan.c ---- */

/* years_known: meta "years" of the last update ("" or NULL: none) */
void index_fingerprint(struct journal *j, const char *years_known, char out[REC_HASH_LEN + 1], bool *racy,
		       struct marks *m);
void index_marks_free(struct marks *m);
int index_load_marks(struct updater *u);
int index_store_marks(struct updater *u);
int index_load_known(struct updater *u, const char *sql, const char *a, const char *b, struct known_file **v,
		     size_t *n);
void index_free_known(struct known_file **v, size_t *n);
int index_account_hosts(struct updater *u);
int index_drop_unseen(struct updater *u, struct known_file *v, size_t n);
int index_drop_dir(struct updater *u, const char *dir);
int index_walk_update(struct updater *u);

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
int index_fd_cache_line(struct fd_cache *c, sqlite3 *db, struct journal *j, sqlite3_int64 id, int64_t off,
			size_t len, const char **path, struct buf *line);
void index_fd_cache_close(struct fd_cache *c);

#endif
