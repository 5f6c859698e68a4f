/*
 * diff: the unified diff of two buffers, as GNU `diff -u` prints it, for
 * the watched files (issue 4): when an admin changes /etc/nginx/nginx.conf,
 * the change goes into the journal as the diff of the old and new text.
 *
 * It owns the line matching (Myers' algorithm, see diff.c) and the unified
 * format.  It never reads files, never prints and never spawns diff; it
 * only appends to the caller's buf.  Its output always applies: GNU patch
 * (or any strict applier) turns old into new byte for byte with it.  It is
 * minimal (fewest '-' and '+' lines) unless the inputs differ so much that
 * a cost cap cuts the search short; then it is still correct, only longer.
 */
#ifndef LOGBOOK_DIFF_H
#define LOGBOOK_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

struct diff_opts {
	const char *old_label, *new_label;	/* the "--- " and "+++ " lines' names, e.g. "a/etc/hosts" / "b/etc/hosts"; NULL: "/dev/null" */
	unsigned context;			/* lines of context, 3 like diff -u */
};

/*
 * Append to out the unified diff that turns old (old_len bytes) into new,
 * in the form of GNU `diff -u`: "--- label" and "+++ label" lines (no dates),
 * "@@ -l,s +l,s @@" hunk headers with diff's conventions for empty ranges
 * (",0" and the line before), ' ', '-', '+' lines, and "\ No newline at end of file"
 * after a last line without its newline.  Nothing when the inputs are equal.
 * Any bytes, NUL and invalid UTF-8 included (lines are split on '\n' only).
 * Returns the number of hunks; -1 (errget()) only if the inputs are too large (see DIFF_MAX_LINES).
 *
 * old and new may be NULL when their length is 0.  The labels are copied
 * as they are: a label holding a newline would break the format, so the
 * caller quotes such names.  On -1, out is unchanged.
 */
int diff_unified(const char *old, size_t old_len, const char *new, size_t new_len, const struct diff_opts *o, struct buf *out);

/* true when data looks binary: a NUL byte in its first 8000 bytes (git's and GNU diff's rule) */
bool diff_is_binary(const char *data, size_t len);

/* the most lines either input may have (memory stays O(lines): under 100 bytes a line, besides out) */
#define DIFF_MAX_LINES (1000000)

#endif
