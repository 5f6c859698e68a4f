/*
 * work: an admin's commands on a host that no entry covers yet.
 *
 * An entry (a note written by `logbook commit`) names the commands it
 * covers in "covers": ranges [first, last] of seq numbers of the host's
 * chain, every record in a range being a covered cmd record.  A command
 * is uncovered while no note of its host covers its seq.  Only the last
 * WORK_DAYS day pages are looked at: older commands are history, not
 * work waiting for a note.
 *
 * This module reads the journal; it never writes.
 */
#ifndef LOGBOOK_WORK_H
#define LOGBOOK_WORK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "journal/journal.h"
#include "journal/record.h"

#define WORK_DAYS 14

struct work {
	struct record **cmds;	/* uncovered cmd records, by seq */
	size_t n;
};

/* admin's uncovered commands on host; -1 and errget() when the journal cannot be read */
int work_uncovered(struct journal *j, const char *host, const char *admin, struct work *out);
int work_count_uncovered(struct journal *j, const char *host, const char *admin, size_t *n);
void work_free(struct work *w);

/* the "covers" value of a note covering every command of w */
json_t *work_covers(const struct work *w);

#endif
