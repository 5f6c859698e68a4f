/*
 * record-int: what the pieces of the record module share and no other
 * module sees: record-scan.c lists a line's top-level fields, from which
 * record.c makes a record without a JSON tree (rec_parse_light).
 */
#ifndef LOGBOOK_RECORD_INT_H
#define LOGBOOK_RECORD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journal/record-scan.h"

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
