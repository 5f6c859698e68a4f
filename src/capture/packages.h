/*
 * packages: the package changes of this host become records (docs/format.md,
 * the `package` and `inventory` kinds).  APT's hook runs `logbook apt-hook
 * pre` before dpkg (DPkg::Pre-Invoke) and `apt-hook post` after it
 * (DPkg::Post-Invoke); the pre step notes who runs APT, the post step and
 * root's periodic `logbook ingest` catch up on the logs:
 * /var/log/apt/history.log* for APT runs (apt-pkg writes an entry's
 * End-Date before it runs Post-Invoke, so the post step finds the run it
 * follows complete) and /var/log/dpkg.log* for what dpkg did alone.
 *
 * Exactly once: root's state (.state/packages/, a directory only root may
 * enter, opened without following links) says how far each log was read:
 * its inode and offset, and the time of the last entry filed with the
 * hashes of the entries of that second.  An entry is filed when it is
 * newer than that, so a rotated log (history.log.1.gz) is read again
 * without filing anything twice.  A catch-up files its records in one
 * transaction, then writes the state; both under .state/packages/lock.
 * (A crash between the commit and the state's rename would file those
 * runs again at the next catch-up: the one window left.)  A lost state
 * is rebuilt from the host's records.
 *
 * Inventory: the first catch-up of a host whose chain holds no inventory
 * writes one (reason first) after the runs it filed; after each catch-up
 * the fold of the host's records (kept in the state, rebuilt from the
 * records when missing) is compared with dpkg's status, and a differing
 * status is filed (reason resync).
 *
 * This module reads logs and runs dpkg-query (run.c); it never prints.
 */
#ifndef LOGBOOK_PACKAGES_H
#define LOGBOOK_PACKAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "journal/ident.h"
#include "journal/journal.h"
#include "journal/store.h"

#define PKG_STATE_DIR JOURNAL_STATE "/packages"
#define PKG_HISTORY_LOG "/var/log/apt/history.log"
#define PKG_DPKG_LOG "/var/log/dpkg.log"
#define PKG_ADMINDIR "/var/lib/dpkg"

struct pkg_opts {
	const char *root;	/* the logs are under this prefix ("" or "/": the system's) */
	const char *admindir;	/* dpkg's database (NULL: PKG_ADMINDIR) */
	const char *system_tz;	/* the zone the logs' local times are in */
	unsigned lock_timeout;	/* seconds to wait for another catch-up or writer */
};

struct pkg_report {
	size_t runs;		/* package records filed */
	size_t inventories;	/* inventory records filed */
	struct store_warnings warnings;	/* damaged log lines ("file: line N: why"), repairs */
};
void pkg_report_free(struct pkg_report *rep);

/*
 * The pre step: note who runs APT now (the session's admin when
 * $LOGBOOK_SESSION names a hooked shell of this account or of $SUDO_UID,
 * else id's admin), the time, and APT's command line, for the catch-up
 * that files the run.  -1 and errget() on failure.
 */
int pkg_hook_pre(struct journal *j, const struct ident *id, const char *system_tz);

/* file what the logs hold that was not filed yet, then the inventory; -1 and errget() */
int pkg_catch_up(struct journal *j, const struct pkg_opts *o, struct pkg_report *rep);

#endif
