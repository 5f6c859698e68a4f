/*
 * aptlog: the logs of APT and dpkg, parsed.  /var/log/apt/history.log
 * holds one entry per APT run (apt, apt-get, aptitude, unattended-upgrades
 * through python-apt), written by apt-pkg's pkgDPkgPM::OpenLog and
 * CloseLog:
 *
 *   Start-Date: 2026-12-06  10:00:00
 *   Commandline: apt-get install nginx
 *   Requested-By: alice (1000)
 *   Install: nginx:amd64 (1.22.1-9), libnginx:amd64 (1.22.1-9, automatic)
 *   Upgrade: openssl:amd64 (3.0.11-1, 3.0.13-1)
 *   End-Date: 2026-12-06  10:00:09
 *
 * (entries separated by a blank line; Reinstall, Downgrade, Remove and
 * Purge lines like Install and Upgrade; Error and Disappeared may appear).
 * /var/log/dpkg.log holds one line per dpkg step:
 *
 *   2026-12-06 10:00:03 startup archives unpack
 *   2026-12-06 10:00:03 install nginx:amd64 <none> 1.22.1-9
 *   2026-12-06 10:00:04 upgrade openssl:amd64 3.0.11-1 3.0.13-1
 *   2026-12-06 10:00:05 remove sl:amd64 5.02-1+b1 <none>
 *   2026-12-06 10:00:05 status installed nginx:amd64 1.22.1-9
 *
 * Both write local time to the second.  This module only parses bytes
 * (it never opens a file); times stay as "YYYY-MM-DD HH:MM:SS" strings,
 * which compare in order as strings.  Damaged input is skipped and
 * reported, never fatal: the logs are outside input.
 */
#ifndef LOGBOOK_APTLOG_H
#define LOGBOOK_APTLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

#define APTLOG_TIME_LEN 19	/* "YYYY-MM-DD HH:MM:SS" */

/* one package changed */
struct aptlog_change {
	char *name, *arch;
	const char *action;	/* install, upgrade, downgrade, reinstall, remove, purge (static) */
	char *old_version;	/* NULL for install, and for a purge of configuration files alone */
	char *new_version;	/* NULL for remove and purge */
};

/* one APT run (a history.log entry) or one dpkg run (dpkg.log lines from a startup) */
struct aptlog_run {
	char start[APTLOG_TIME_LEN + 1];
	char end[APTLOG_TIME_LEN + 1];	/* "" when the log has no end */
	char *command;			/* Commandline:, NULL when absent */
	char *requested_by;		/* Requested-By's account name, NULL when absent */
	struct aptlog_change *changes;
	size_t n, alloc;
	char hash[65];			/* SHA-256 of the entry's bytes: which entry among those of one second */
	size_t offset, next;		/* byte range of the entry in the buffer */
};

void aptlog_run_release(struct aptlog_run *r);

enum aptlog_step {
	APTLOG_RUN,		/* *run is an entry */
	APTLOG_OPEN,		/* *run is an entry without End-Date at the end of the buffer: APT may still run */
	APTLOG_END,		/* nothing more */
};

/*
 * The next history.log entry at data[*pos], moving *pos past it (not past
 * an APTLOG_OPEN entry).  Lines outside an entry and lines it cannot read
 * are skipped, each with "line N: why" added to problems (N counted from
 * *lineno, which moves along).  The caller releases *run after
 * APTLOG_RUN and APTLOG_OPEN.
 */
enum aptlog_step aptlog_history_next(const char *data, size_t len, size_t *pos, size_t *lineno,
				     struct aptlog_run *run, struct buf *problems);

/* one line of dpkg.log */
enum aptlog_line_kind {
	APTLOG_LINE_BAD,	/* not a dpkg.log line; why in errget() */
	APTLOG_LINE_STARTUP,	/* a dpkg run starts */
	APTLOG_LINE_CHANGE,	/* install, upgrade, remove or purge: change is set */
	APTLOG_LINE_OTHER,	/* status, configure, trigproc, conffile, ... */
};
struct aptlog_line {
	char time[APTLOG_TIME_LEN + 1];
	struct aptlog_change change;	/* for APTLOG_LINE_CHANGE; strings owned */
};
enum aptlog_line_kind aptlog_dpkg_line(const char *line, size_t len, struct aptlog_line *out);
void aptlog_change_release(struct aptlog_change *c);
/* append a copy of c to r */
void aptlog_run_add(struct aptlog_run *r, const struct aptlog_change *c);

/* dpkg's version order (dpkg --compare-versions): <0, 0, >0 */
int aptlog_version_cmp(const char *a, const char *b);

/* "2026-12-06  10:00:00" or "2026-12-06 10:00:00": a plausible time, normalised into out */
bool aptlog_time(const char *s, size_t len, char out[APTLOG_TIME_LEN + 1]);

#endif
