/*
 * record-scan: the common fields of a record line without building a JSON
 * tree, for readers that go through every line of the journal and need
 * only those (verify: host, seq, prev, admin, time, kind).
 *
 * It answers "certainly a record, with these fields" or "cannot tell",
 * never "damaged": whatever it declines goes to rec_parse, which accepts
 * or rejects it with its message.  What it accepts, rec_parse accepts with
 * the same common fields (tests/fuzz/fuzz-record-scan.c checks both on any
 * bytes).  It never allocates; errget() may change when it declines.
 */
#ifndef LOGBOOK_RECORD_SCAN_H
#define LOGBOOK_RECORD_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the common fields of a line; strings point into it, without a NUL */
struct rec_fields {
	const char *kind, *host, *admin;
	size_t kind_len, host_len, admin_len;
	const char *prev;	/* REC_HASH_LEN lowercase hex digits */
	int64_t seq;
	int64_t time;		/* microseconds since the epoch, UTC */
};

/*
 * true: line (len bytes, without its newline) is one rec_parse accepts,
 * and f holds its common fields as rec_parse reads them.  false: anything
 * the scanner does not handle (an escape in a common field or a key, a
 * real number, whitespace between tokens, deep nesting...) or a line that
 * is not a record; f is then undefined.
 */
bool rec_scan(const char *line, size_t len, struct rec_fields *f);

#endif
