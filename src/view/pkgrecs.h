/*
 * pkgrecs: the records that advisories and inventory fold (event records
 * with an "advisory" object, "package" and "inventory" records), found
 * through the search index and kept in a disposable cache per account,
 * .state/pkgrecs/<uid>, with the index's generation and the last row it
 * read.  Rows are numbered in the order they were indexed, so a record
 * filed late under a past day (a catch-up of APT's logs) or brought by a
 * sync is a row after that one: news and digest read the rows indexed
 * since, not every record file.  Deleting the cache loses nothing; a
 * member's file at root's path is never read (fs.h's rule: it must be
 * this account's own).  This module never prints and never writes a
 * record.
 */
#ifndef LOGBOOK_PKGRECS_H
#define LOGBOOK_PKGRECS_H

#include <stddef.h>

#include "base/buf.h"
#include "base/day.h"
#include "journal/journal.h"
#include "journal/store.h"

#define PKGRECS_DIR JOURNAL_STATE "/pkgrecs"

struct pkgrec {
	char *path;		/* the record file, joined to the journal's directory */
	char day[DAY_LEN + 1];	/* its day and host, from its name */
	char host[STORE_HOST_MAX + 1];
	size_t lineno;
	const char *line;	/* the line as stored, without newline */
	size_t len;
};

/* in the order a walk of the files meets them: newest day first, hosts by name, lines in order */
struct pkgrecs {
	struct pkgrec *v;
	size_t n;
	struct buf data;
};

/*
 * Every such record of the journal, from the index (brought up to date
 * unless this process already did) and the cache, which is kept again.
 * -1 and errget() when the index cannot be used: the caller reads the
 * files instead.  Lines the index does not hold (damaged ones) are not
 * here: reading the files reports them.
 */
int pkgrecs_load(struct journal *j, struct pkgrecs *out);
void pkgrecs_release(struct pkgrecs *p);

#endif
