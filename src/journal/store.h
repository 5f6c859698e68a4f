/*
 * The journal store: the record files and the hash chain of each host.
 *
 *   YYYY/YYYY_MM_DD/<host>.jsonl    the records <host> filed under that day
 *
 * Only <host> writes its files, always by appending whole lines under the
 * lock of its chain, so every host's records form one chain (seq 1, 2, ...
 * each "prev" the SHA-256 of the line before) across all its day files,
 * in the order they were written.  A record goes to the file of its own
 * day, so late records append to past days' files.
 *
 * Writing is a transaction: store_begin locks the host's chain and finds
 * its head, store_add writes records, store_commit makes them durable and
 * releases the lock; store_abort (or a failure) removes what was added.
 * A torn last line (a crash mid-write) is cut by the next writer; a crash
 * anywhere leaves the chain recoverable from the files alone.
 *
 * Reading never takes the lock: readers see complete lines only, skip a
 * torn last line, and report a damaged line with its file and line while
 * going on with the rest.  The store never formats records for humans.
 */
#ifndef LOGBOOK_STORE_H
#define LOGBOOK_STORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/day.h"
#include "journal/journal.h"
#include "journal/record.h"

#define STORE_HOST_MAX 64

/* seconds store_begin and store_append wait for another writer of the same host */
#define STORE_LOCK_TIMEOUT 60

/* a host name that can be a file name: [A-Za-z0-9][A-Za-z0-9._-]*, at most 64 */
bool store_valid_host(const char *host);
/* "YYYY/YYYY_MM_DD/<host>.jsonl" (allocated) */
char *store_file_rel(const char *day, const char *host);
/*
 * The names of the journal's layout, as fs_list_dir filters: a year
 * directory (arg unused), a day directory of year, a host's record file.
 */
bool store_is_year(const char *name, const void *arg);
bool store_is_day_of(const char *name, const void *year);
bool store_is_host_file(const char *name, const void *arg);

struct store_txn;

/* problems found and repaired or skipped: "file[:line]: what", for the caller to print */
struct store_warnings {
	char **msgs;
	size_t n;
};
void store_warnings_free(struct store_warnings *w);
/* add msg (malloc'd, taken over) to w; when w is NULL, free it */
void store_warn_add(struct store_warnings *w, char *msg);
/* add one formatted message to w, for a caller that gathers its problems as a store does */
void store_warnf(struct store_warnings *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void store_warnv(struct store_warnings *w, const char *fmt, va_list ap);

/*
 * Lock host's chain and find its head; NULL and errget() on failure.
 * Repairs made on the way (torn lines cut) are added to w when not NULL.
 */
struct store_txn *store_begin(struct journal *j, const char *host, struct store_warnings *w);
/*
 * The same, waiting at most lock_timeout seconds (instead of
 * STORE_LOCK_TIMEOUT) for another writer of host; with 0, about 0.1 s.
 */
struct store_txn *store_begin_wait(struct journal *j, const char *host, unsigned lock_timeout,
				   struct store_warnings *w);
/* the head the next record will link to */
int64_t store_head_seq(const struct store_txn *t);
/* the SHA-256 (hex) of the head line: the "prev" of the next record */
const char *store_head_hash(const struct store_txn *t);
/* the head record itself (NULL when the host has none yet); the caller frees it */
struct record *store_head_record(struct store_txn *t);
/* give r its seq and prev and write it to its day's file; -1 aborts the transaction's writes */
int store_add(struct store_txn *t, struct record *r);
/* flush, record the new head, unlock, free t; on -1 nothing of t remains */
int store_commit(struct store_txn *t);
/* remove what t wrote, unlock, free t */
void store_abort(struct store_txn *t);
/* one record in its own transaction: durable when this returns 0 */
int store_append(struct journal *j, struct record *r, struct store_warnings *w);

/*
 * Call fn for each complete line of the file at path (a torn last line is
 * skipped), with its 1-based line number.  fn returns non-zero to stop.
 * -1 and errget() when the file cannot be read.
 */
typedef int (*store_line_fn)(const char *line, size_t len, size_t lineno, void *arg);
int store_scan_file(const char *path, store_line_fn fn, void *arg);
/*
 * The same, reading the file into b (emptied first), which then holds its
 * bytes, torn last line included: a reader of many files keeps one buffer
 * instead of paging in fresh memory for each.
 */
int store_scan_file_buf(const char *path, struct buf *b, store_line_fn fn, void *arg);

/* every record of one day page, all hosts, in time order */
struct store_day {
	struct record **recs;
	size_t n;
	char **paths;		/* the files read; records' ->path point here */
	size_t npaths;
	struct store_warnings warnings;
};
/* 0 also when the day has no records (n == 0); -1 when it cannot be read */
int store_load_day(struct journal *j, const char *day, struct store_day *out, bool keep_lines);
/*
 * The same, but only the lines want accepts are parsed and kept (a cheap
 * test of the text, such as the kinds a reader looks at); the others
 * are neither parsed nor checked.
 */
typedef bool (*store_want_fn)(const char *line, size_t len, void *arg);
int store_load_day_some(struct journal *j, const char *day, store_want_fn want, void *arg, struct store_day *out);
void store_day_free(struct store_day *d);

/*
 * The same day as lines in time order, for reading a large day in little
 * memory: the files' bytes and, per record, its time, host, seq and place
 * (about 48 bytes), instead of a parsed record each.  Every line was
 * parsed and checked once; a reader parses again only what it renders.
 */
struct store_day_lines {
	size_t n;
	struct store_warnings warnings;
	/* private */
	struct day_line *v;
	struct buf *files;
	char **paths;
	char **hosts;
	size_t nfiles;
	bool parsed;		/* each line keeps the record it was checked with */
};
int store_day_lines_load(struct journal *j, const char *day, struct store_day_lines *out);
/*
 * The same, keeping the parsed records too while the day has at most
 * max lines (a usual day: a reader then parses nothing again); a bigger
 * day is loaded as store_day_lines_load does.
 */
int store_day_lines_load_parsed(struct journal *j, const char *day, size_t max, struct store_day_lines *out);
/* the record of line i, when the day kept them (store_day_lines_load_parsed); NULL when not */
const struct record *store_day_line_record(const struct store_day_lines *d, size_t i);
/* line i, in time order (not NUL-terminated), with its file and line number */
void store_day_line(const struct store_day_lines *d, size_t i, const char **line, size_t *len,
		    const char **path, size_t *lineno);
void store_day_lines_free(struct store_day_lines *d);

/* the days that have record files, newest first, with complete lines per host */
struct store_day_hosts {
	char day[DAY_LEN + 1];
	char **hosts;		/* sorted */
	size_t *counts;
	size_t n;
};
struct store_days {
	struct store_day_hosts *days;
	size_t n;
	struct store_warnings warnings;	/* files that could not be read */
};
int store_list_days(struct journal *j, struct store_days *out);
/*
 * The same without counting the lines (counts are 0): each file is only
 * opened, and one that cannot be gives the same warning.  For a reader
 * that goes on to read every file anyway (verify).
 */
int store_list_day_files(struct journal *j, struct store_days *out);
/*
 * The same for the days from first to last (each NULL: open), and without
 * counts unless asked (0 each; each file is then only opened, so that one
 * that cannot be read is reported all the same): reading every file to
 * count its lines is what the day list costs.
 */
int store_list_days_in(struct journal *j, const char *first, const char *last, bool counts, struct store_days *out);
void store_days_free(struct store_days *d);

/*
 * The newest record of every host but except that this replica's files
 * hold, sorted by host: what a sign record witnesses (sign.h).  Per host
 * it is the last record of its newest day file: one read of the file's
 * tail, never a scan of its chain (a record appended late to an older
 * day's file is not seen; the one witnessed is in the chain all the
 * same).  Only the STORE_HEADS_DAYS newest day directories are looked
 * at, so that a note's signature costs the same in a journal of ten
 * years: a host quiet for longer is left out (the signatures made
 * while it wrote witnessed its last records).  A file that cannot be
 * read is passed over.  -1 and errget() when the journal's years cannot
 * be listed.
 */
#define STORE_HEADS_DAYS 100
struct store_head {
	char host[STORE_HOST_MAX + 1];
	int64_t seq;
	char hash[REC_HASH_LEN + 1];
};
int store_heads(const struct journal *j, const char *except, struct store_head **out, size_t *n);

/*
 * Call fn for every host's record file, newest day first and, within a
 * day, hosts in name order, with the day, the host and the file's path;
 * only in the max_days newest day directories when max_days is not 0.
 * fn returns non-zero to stop.  A day directory that cannot be listed is
 * passed over; -1 and errget() when the years cannot be listed.
 */
typedef int (*store_file_fn)(const char *day, const char *host, const char *path, void *arg);
int store_each_file(const struct journal *j, size_t max_days, store_file_fn fn, void *arg);
/*
 * The seq of the last complete record of a record file, from one read of
 * its tail (a file's seqs increase line by line): 1 found, 0 the file has
 * none, -1 and errget() when it cannot be read.
 */
int store_file_last_seq(const char *path, int64_t *seq);
/* the host of a record file's name "<host>.jsonl" (store_is_host_file); false when name is not one */
bool store_file_host(const char *name, char host[STORE_HOST_MAX + 1]);
/* rel is host's record file of a valid day, exactly as store_file_rel writes it */
bool store_is_file_of(const char *rel, const char *host);

#endif
