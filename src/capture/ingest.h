/*
 * ingest: moving the spools of hooked shells into the journal.
 *
 * Each spool turns into records of its host's chain: a session record
 * when the shell opened, one cmd record per command (redacted, and left
 * out when typed with a leading space), a session record when it closed.
 * A command begun (the B of ssh HOST CMD, spool.h) waits for its end
 * while its shell lives, and is recorded without it when the shell ended
 * without saying.
 * A spool is removed once its shell has ended and all of it is in.
 *
 * Ingestion is exactly-once: killed at any point and run again, every
 * command is recorded once.  How far a spool was ingested is kept in
 * its .pos file, written under the store's lock in two steps: "pending"
 * (durable) before the records are written, "done" after the commit.  A
 * run that finds a pending range looks in the journal for the records of
 * that range a killed run wrote, and writes only the others.
 *
 * Only the spool's owner or root can read a spool; spools this process
 * cannot read are left for their owner (or the root timer) to ingest.
 */
#ifndef LOGBOOK_INGEST_H
#define LOGBOOK_INGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "capture/redact.h"
#include "journal/journal.h"
#include "journal/record.h"
#include "journal/store.h"

/* a bound on what one command keeps: bytes beyond it are counted in "cmd_size" */
#define INGEST_CMD_MAX (64 * 1024)

struct ingest_opts {
	const char *session;	/* only this session's spool; NULL: every spool */
	bool ended;		/* the shell of `session` has ended (its exit hook runs us) */
	unsigned lock_timeout;	/* seconds to wait for the host's lock; 0: skip a busy host */
	bool warn_foreign;	/* warn of (and count as skipped) spools whose header names another host */
};

struct ingest_report {
	size_t spools;		/* spools that had something new */
	size_t commands;	/* cmd records written */
	size_t removed;		/* spools of ended shells removed */
	size_t skipped;		/* spools left for later (busy lock, unreadable) */
	struct store_warnings warnings;	/* damage found and skipped, "spool:offset: why" */
};

/* -1 and errget() when ingestion could not be done at all (the journal, team.conf) */
int ingest_spools(struct journal *j, const struct ingest_opts *opts, struct ingest_report *rep);
void ingest_report_free(struct ingest_report *rep);

/* set r's "cmd" to text as ingestion keeps it: redacted, at most INGEST_CMD_MAX bytes
 * ("cmd_size" then says how long it was), "redacted" counting what was replaced */
void ingest_set_cmd(struct record *r, const struct redactor *red, const char *text, size_t len);

#endif
