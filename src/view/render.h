/*
 * Rendering records for a terminal: the day page as text, with colour
 * when asked.  Every byte that comes from a record passes through
 * render_escape, so a journal cannot send control sequences to the
 * terminal of the admin who reads it.  This module formats; it never
 * reads files or decides where output goes.
 */
#ifndef LOGBOOK_RENDER_H
#define LOGBOOK_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "journal/record.h"
#include "view/page.h"

/* utf8_escape (base/utf8.h), under the name the view's callers use */
void render_escape(struct buf *out, const char *s, size_t len, bool keep_newlines);

struct threads;

struct render {
	bool color;
	const struct threads *threads;	/* replies and acks to show under records, or NULL */
	size_t indent;	/* blanks before each line of a record */
	/*
	 * render_day_page calls mark (when not NULL) before each record of
	 * the page it shows: the record's index into page.lines and where its
	 * text starts in out, so that a reader can tell which record a line
	 * of the page is (browse: the reference y copies, a search hit's line)
	 */
	void (*mark)(void *arg, size_t line, size_t offset);
	void *mark_arg;
	/* the heading printed last, to print one only when it changes */
	char *host, *admin, *account, *session;
};

void render_day_header(struct render *r, struct buf *out, const char *day, const char *tz, size_t records);
void render_record(struct render *r, struct buf *out, const struct record *rec);
/* a unified diff, each line escaped and indented, coloured by its first character */
void render_diff(struct render *r, struct buf *out, const char *diff, size_t len, size_t indent);
/* forgets the headings printed (freed); color, threads, indent and mark stay for the next page */
void render_release(struct render *r);
/*
 * The whole day page (page.h) as terminal text, after the day's header:
 * per host, each stretch of work (notes, commands one a line, routine
 * commands counted, changes with their diffs, the signature), then the
 * host's messages.
 */
void render_day_page(struct render *r, struct buf *out, const struct page *pg);

#endif
