/*
 * incident: an outage as one story across days, hosts and admins
 * (docs/format.md, the incident kind).  An incident is records only: an
 * "open" record, whose host and seq are its id ("web1:42", unique without
 * coordination because only web1 writes web1's chain), and "close"
 * records that name the id.  Everything else (open or not, who closed
 * it, the summary) is derived from those records, the same way on every
 * replica that holds them, whatever the order it read them in.
 *
 * This module builds the records, folds them into incidents and finds
 * them in a journal, through a disposable cache per account under
 * .state/incidents/ kept up to date from the hosts' chain heads.  It never
 * writes records (the command adds them through the store) and never
 * formats for humans.
 */
#ifndef LOGBOOK_INCIDENT_H
#define LOGBOOK_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journal/journal.h"
#include "journal/record.h"
#include "journal/store.h"

#define INCIDENT_TITLE_MAX 200
#define INCIDENT_HOSTS_MAX 64
#define INCIDENT_SUMMARY_MAX 65536
/* "HOST:SEQ" with the longest host and a 19-digit seq */
#define INCIDENT_ID_MAX (STORE_HOST_MAX + 1 + 19)

struct incident_close {
	char *host, *admin;
	int64_t time, seq;
	char *summary;
};

struct incident {
	char id[INCIDENT_ID_MAX + 1];
	char *host, *admin;	/* who opened it, where */
	int64_t opened, seq;
	char *title;
	char **hosts;		/* affected hosts, as given when opened */
	size_t nhosts;
	/* every close record, earliest first (time, then host, then seq); none while open */
	struct incident_close *closes;
	size_t ncloses;
};

/* every incident, in the order they were opened (time, then id) */
struct incidents {
	struct incident *v;
	size_t n;
	/* close records whose open record is not (yet) here */
	struct incident_close *orphans;
	char **orphan_ids;
	size_t norphans;
};

/* "HOST:SEQ": a valid host (store_valid_host), ':', a seq > 0 in decimal */
bool incident_id_parse(const char *s, char host[STORE_HOST_MAX + 1], int64_t *seq);
/* the open record of title (1 to INCIDENT_TITLE_MAX bytes, one line) and the affected hosts; NULL and errget() */
struct record *incident_open_record(int64_t time, const char *host, const char *admin, const char *account,
				    const char *session, const char *title, char *const *hosts, size_t nhosts);
/* the close record of id with summary (1 to INCIDENT_SUMMARY_MAX bytes) */
struct record *incident_close_record(int64_t time, const char *host, const char *admin, const char *account,
				     const char *session, const char *id, const char *summary, size_t len);

/*
 * Fold one record into list (records of other kinds are ignored); then
 * incidents_finish, once, sorts them so that the result does not depend
 * on the order of incidents_add.  0, or -1 and errget() for an incident
 * record that breaks the format (the caller adds file and line).
 */
int incidents_add(struct incidents *list, const struct record *rec);
void incidents_finish(struct incidents *list);
/* the incident of id; NULL when list has none */
const struct incident *incidents_find(const struct incidents *list, const char *id);
/* how many are open; *only, when not NULL, the last one of them */
size_t incidents_open(const struct incidents *list, const struct incident **only);
void incidents_release(struct incidents *list);

/*
 * Every incident of the journal: the cache .state/incidents/<uid>,
 * brought up to date with what each host appended since (incident.c
 * says how), or, without a cache, every record file; then, when keep, the cache is
 * written again (when it cannot be, the answer stands; a command that
 * promises to only read passes false).  Damaged incident records go
 * to w with file and line.  -1 and errget() when the journal cannot be
 * read.
 */
int incidents_load(const struct journal *j, struct incidents *out, struct store_warnings *w, bool keep);

#endif
