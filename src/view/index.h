/*
 * The search index: .state/index.sqlite, an SQLite database with one row
 * per record (where it is, its common fields, the text to search) and an
 * FTS5 trigram index over that text, so any substring of three characters
 * or more is found without reading the files.
 *
 * The index is derived data, never the source of truth: deleting it loses
 * nothing, and one that is missing, corrupt or of an older format is
 * deleted and built again.  index_update reads only the bytes appended to
 * each record file since the last update (the store only appends); a file
 * that shrank or was replaced (another inode) is indexed again whole.
 *
 * Every query has the same answer from the index and from a scan of the
 * files (index_scan): the index only proposes candidates, and a match is
 * always decided here by an ASCII-case-insensitive substring test of the
 * record's text (index_record_text).  A reader who cannot write .state/
 * builds nothing and is answered by a scan.  This module never prints.
 */
#ifndef LOGBOOK_INDEX_H
#define LOGBOOK_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "journal/journal.h"
#include "journal/record.h"

#define INDEX_FILE JOURNAL_STATE "/index.sqlite"
/* the layout of the tables: an index of another format is rebuilt */
#define INDEX_FORMAT 7
/* the trigram index is used when its rarest trigram is in at most 1/N of the records (bench/search: break-even near 0.5%) */
#define INDEX_SCAN_SHARE 200
/* every file is looked at again after this long (microseconds), whatever the writers' marks say */
#define INDEX_FULL_EVERY (INT64_C(3600) * 1000000)

struct index_stats {
	size_t files;		/* record files looked at */
	size_t files_read;	/* files with new bytes */
	size_t bytes;		/* bytes read */
	size_t records;		/* records added */
	bool rebuilt;		/* the index was (re)created */
};

/*
 * Bring the index up to date with the files, in one transaction.  0 when
 * the index can be searched; -1 and errget() when it cannot (for example
 * .state/ is not writable): index_search then scans.
 */
int index_update(struct journal *j, struct index_stats *st);

/* forget the database index_update opened (before closing its journal) */
void index_close(void);

/*
 * How a query is answered: auto is trigram when the query's rarest
 * trigram is in at most 1/INDEX_SCAN_SHARE of the records, else text.
 */
enum index_method {
	INDEX_AUTO,
	INDEX_TRIGRAM,	/* candidates from the FTS5 trigram index, checked on the index's text */
	INDEX_TEXT,	/* a scan of every record's text in .state/index.text */
	INDEX_FILES,	/* the record files themselves (index_scan) */
};

struct index_query {
	const char *text;	/* substring, ASCII case-insensitive; NULL: any */
	const char *host, *admin, *kind;	/* exact; NULL: any */
	const char *since, *until;	/* day pages, inclusive; NULL: open */
	bool timed;			/* and only records with since_us <= time < until_us */
	int64_t since_us, until_us;
	size_t limit;		/* 0: no limit */
	bool oldest_first;	/* default newest first */
	bool lines;		/* every hit needs its stored line (else: when body cannot stand for it) */
	bool event_lines;	/* events need theirs: what one is about is a field body does not single out */
	enum index_method method;
	int64_t after_id;	/* only rows indexed after this one (index_position); 0: all */
	bool any_order;		/* without text: the index's rows in no particular order, for a caller that sorts */
};

struct index_hit {
	const char *day, *host, *admin, *kind;
	int64_t time, seq;
	const char *path;	/* the record file, relative to the journal (with line) */
	size_t lineno;
	const char *line;	/* the line as stored, without newline; NULL when the */
	size_t len;		/* query did not ask for it and body says the same */
	const char *body;	/* index_record_text (readable) of the record, or NULL */
	size_t body_len;
	int64_t id;		/* the row of the index (0 from a scan of the files) */
};
/* non-zero stops the search */
typedef int (*index_hit_fn)(const struct index_hit *h, void *arg);

/*
 * Call fn for each record matching q, newest first (or oldest first), at
 * most q->limit.  Uses the index when index_update made it usable in this
 * process, else scans the files.  -1 and errget() on failure.
 */
int index_search(struct journal *j, const struct index_query *q, index_hit_fn fn, void *arg);
/*
 * Formatting a hit, for index_search_format: called from several threads
 * at once, each with an out of its own, so it may only read h and arg
 * (and whatever nothing writes while the search runs).
 */
typedef void (*index_format_fn)(const struct index_hit *h, struct buf *out, const void *arg);
/* a hit, in order, with the text fmt made of it; non-zero stops the search */
typedef int (*index_emit_fn)(const struct index_hit *h, const char *text, size_t len, void *arg);
/*
 * index_search, with each hit formatted by fmt before emit has it: the
 * same hits in the same order, but a scan of index.text formats them on
 * every core while it streams them in order.  -1 and errget() on failure.
 */
int index_search_format(struct journal *j, const struct index_query *q, index_format_fn fmt, const void *fmt_arg,
			index_emit_fn emit, void *arg);
/* the same by reading every record file, without the index */
int index_scan(struct journal *j, const struct index_query *q, index_hit_fn fn, void *arg);
/* how the last index_search was answered: true by the index; "trigram", "text", "rows" or "files" */
extern bool index_last_used;
extern const char *index_last_method;

/*
 * Where the index is: rows are numbered in the order they were indexed,
 * so "what arrived since" is the rows after last_id, whatever their time
 * (records synced from another host come late).  The numbers hold only
 * within one generation: a rebuilt index starts another.  -1 when
 * index_update did not make the index usable in this process.
 */
struct index_position {
	char generation[64];
	int64_t last_id;
};
int index_position(struct index_position *pos);

/*
 * The text a query searches in a record: its cmd, text, diff, path,
 * summary, message and event fields as stored (readable UTF-8), one
 * after another separated by newlines.  exact: the fields' exact bytes
 * instead (for display).
 */
void index_record_text(const struct record *r, struct buf *out, bool exact);
/* offset of the first ASCII-case-insensitive occurrence of needle in hay, or -1 */
long index_find(const char *hay, size_t hlen, const char *needle, size_t nlen);

#endif
