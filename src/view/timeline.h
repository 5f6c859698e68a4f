/*
 * timeline: an incident (journal/incident.h) as an admin reads it: who
 * opened and closed it, the summaries, then every record of every host
 * from its opening to its close in time order, a day line where the day
 * changes.  On the terminal the records are render_record's (render.h);
 * in Markdown, a post-mortem draft to paste into a blog post or a GitLab
 * issue, they are markup_record's (markup.h), a run of commands of one
 * session folded into one code block.  Nothing from a record becomes
 * terminal control or markup: text goes through those modules'
 * escapers.  This module formats; it never reads files.
 */
#ifndef LOGBOOK_TIMELINE_H
#define LOGBOOK_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "journal/incident.h"
#include "journal/record.h"

/* the records of the timeline, in time order; the caller owns them */
struct timeline {
	const struct incident *incident;
	struct record **recs;
	size_t n;
	const char *tz;
};

/* a record the timeline shows: everything but signatures and session bookkeeping */
bool timeline_wants(const struct record *rec);
/* "web1:42  open since 2026_11_26 09:00:00 by alice on web1: TITLE" on one line, escaped, no newline */
void timeline_incident_line(struct buf *out, const struct incident *in);
void timeline_text(struct buf *out, const struct timeline *t, bool color);
void timeline_markdown(struct buf *out, const struct timeline *t);

#endif
