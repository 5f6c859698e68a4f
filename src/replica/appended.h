/*
 * appended: what another host's new commit adds to its record files,
 * checked as the continuation of that host's chain.  The caller streams
 * the bytes (git's blobs) in pieces of any size; this module never reads
 * a file nor runs a program, and holds nothing of a file but the line
 * being read and, per appended record, its seq and two hashes.
 *
 * The rule (docs/security.md, "Another host's history is append-only"):
 * what is appended to each file is complete lines ('\n' at the end of
 * each), each a record (rec_parse) of the host; all of them, sorted by
 * seq, follow each other (seq + 1, prev = the hash of the line before),
 * and the first follows the host's head.  The first thing wrong becomes
 * why: "<commit> breaks <host>'s chain: line N of '<path>' ...".
 */
#ifndef LOGBOOK_APPENDED_H
#define LOGBOOK_APPENDED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "journal/record.h"

/* one appended record */
struct appended_rec {
	int64_t seq;
	char prev[REC_HASH_LEN + 1];
	char hash[REC_HASH_LEN + 1];	/* of its line */
	size_t file;			/* index into paths */
	size_t lineno;			/* in the new version of its file */
};

struct appended {
	const char *host, *commit;	/* not owned; commit is named by its first 12 digits */
	char **paths;			/* the files, as shown in messages (owned) */
	size_t npaths;
	struct appended_rec *v;
	size_t n, cap;
	struct buf line;		/* the current file's incomplete line */
	size_t lineno;			/* complete lines of the current file so far */
	char *why;			/* the first thing wrong, NULL while nothing is */
};

void appended_init(struct appended *a, const char *host, const char *commit);
void appended_release(struct appended *a);
/* set why to "<commit> <what>" unless something was wrong already */
void appended_fail(struct appended *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* the same about line lineno of file number file: "<commit> breaks <host>'s chain: line N of '<path>' <what>" */
void appended_bad_line(struct appended *a, size_t file, size_t lineno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* the appended part of the next file begins; path is shown as it is, after lines complete lines */
void appended_file(struct appended *a, const char *path, size_t lines);
/* n more bytes of it */
void appended_feed(struct appended *a, const char *p, size_t n);
/* its end: a last line without a newline is wrong */
void appended_file_end(struct appended *a);
/*
 * Sort the records by seq; false (why set) unless they follow each
 * other.  Then appended_continues: does the first follow the head
 * (seq 0 and rec_genesis: the host had none)?  where, when not NULL,
 * names the head's file in the message.
 */
bool appended_in_order(struct appended *a);
bool appended_continues(struct appended *a, int64_t seq, const char *hash, const char *where);
/* the record with the highest seq, NULL when nothing was appended */
const struct appended_rec *appended_last(const struct appended *a);

/* the last complete line of a stream fed a piece at a time */
struct last_line {
	struct buf last;	/* without its newline */
	struct buf cur;		/* the bytes after the last newline */
	bool any;		/* a complete line was seen */
};
#define LAST_LINE_INIT { BUF_INIT, BUF_INIT, false }
void appended_last_line_feed(struct last_line *l, const char *p, size_t n);
void appended_last_line_release(struct last_line *l);

/*
 * A line of the cache of heads sync keeps: "<commit> <seq> <hash>".
 * true with *seq and hash when text (lines of that form) holds commit's.
 */
bool appended_cache_find(const char *text, const char *commit, int64_t *seq, char hash[REC_HASH_LEN + 1]);

#endif
