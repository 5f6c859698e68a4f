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

/* most top-level fields a line rec_scan accepts can have */
#define REC_SCAN_MAX_KEYS 64

enum rec_scan_type { REC_SCAN_STRING, REC_SCAN_INT, REC_SCAN_OTHER };

/* a top-level field of a line, pointing into it */
struct rec_scan_field {
	const char *key;	/* never escaped: comparing bytes is comparing keys */
	size_t key_len;
	enum rec_scan_type type;	/* OTHER: true, false, null, an object or an array */
	const char *val;	/* a string's bytes between its quotes, as written */
	size_t val_len;
	bool escaped;		/* a string with a backslash: rec_scan_unescape gives its value */
	int64_t num;		/* REC_SCAN_INT */
};

struct rec_scan_top {
	size_t n;
	struct rec_scan_field v[REC_SCAN_MAX_KEYS];
};

/*
 * rec_scan, and when it accepts, every top-level field in top, in the
 * order of the line: what jansson's object of the line holds, key for key
 * (tests/fuzz/fuzz-record-light.c).
 */
bool rec_scan_top(const char *line, size_t len, struct rec_fields *f, struct rec_scan_top *top);
/*
 * The value of an escaped string field (val, val_len of a line rec_scan
 * accepted) into out, which has room for val_len bytes, as jansson
 * decodes it (\u0000 a NUL byte); its length.  out may be val.
 */
size_t rec_scan_unescape(const char *val, size_t len, char *out);

#endif
