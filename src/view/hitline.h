/*
 * hitline: one record a search found (view/index.h), on one line for a
 * terminal: day page, local time, HOST:SEQ, admin, kind and the line of
 * its text holding the match (the first line when text is NULL), every
 * byte escaped (render_escape), the match highlighted in colour.  A long
 * line is cut around the match.  This module formats; it never prints.
 */
#ifndef LOGBOOK_HITLINE_H
#define LOGBOOK_HITLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "journal/journal.h"
#include "view/index.h"

void hitline_format(struct buf *out, const struct index_hit *h, const char *text, bool color);

/* one record found, formatted, and where it is */
struct hitline {
	char *text;		/* hitline_format's line, without its newline */
	char *day, *host, *path;	/* path: the record file, relative to the journal, or NULL */
	int64_t seq, time;
	size_t lineno;
};
struct hitlines {
	struct hitline *v;
	size_t n;
};

/*
 * What browse does on each key of a search as you type (and bench/browse
 * measures): index_search with q (its lines and event_lines set as
 * search sets them), each record kept (keep NULL: every one) formatted
 * with hitline_format, the match of q->text highlighted when color.
 * The caller brings the index up to date first (index_update) or the
 * files are scanned.  0, or -1 and errget(); out is filled either way
 * (hitlines_release).
 */
typedef bool (*hitline_keep_fn)(const struct index_hit *h, void *arg);
int hitline_search(struct journal *j, struct index_query *q, bool color, hitline_keep_fn keep, void *arg,
		   struct hitlines *out);
void hitlines_release(struct hitlines *h);

#endif
