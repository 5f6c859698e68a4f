/*
 * advisories: the security announcements the journal holds (event records
 * with an "advisory" object, docs/format.md) and, per advisory, the hosts
 * still below the fixed version, from the inventory (view/inventory.h).
 *
 * The status is derived when read, never stored: an advisory is done when
 * no host that has a package built from one of its source packages is
 * below the fixed version of its release.  A host counts as open when its
 * installed source version is below the fix, when the advisory names no
 * fixed version for its release, and when a version cannot be compared; a
 * host whose release is unknown is compared with every listed fix and is
 * open while it is below any of them.  Hosts without package records are
 * not known and not listed.  Versions are ordered by dpkg's own code
 * (base/debversion.h).  A view: it never writes a record.
 */
#ifndef LOGBOOK_ADVISORIES_H
#define LOGBOOK_ADVISORIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "journal/advisory.h"
#include "journal/journal.h"
#include "journal/store.h"
#include "view/inventory.h"
#include "view/pkgrecs.h"

enum adv_state {
	ADV_BELOW,		/* installed source version below the fix of the host's release */
	ADV_NO_FIX,		/* the advisory names no fixed version for the host's release */
	ADV_UNKNOWN_RELEASE,	/* release unknown, below at least one listed fix */
	ADV_BAD_VERSION,	/* a version dpkg cannot read */
};

/* one package of a host that keeps an advisory open */
struct adv_package {
	char *name, *arch, *source, *source_version;
	char *fixed;		/* the fix compared with (NULL for ADV_NO_FIX) */
	char *release;		/* the release of that fix */
};

struct adv_host {
	char host[STORE_HOST_MAX + 1];
	enum adv_state state;
	char *release;		/* the host's, NULL when unknown */
	char *why;		/* ADV_BAD_VERSION: dpkg's message */
	struct adv_package *pkgs;
	size_t npkgs;
};

struct adv_item {
	struct advisory a;
	int64_t time;		/* the first event record that carried it */
	char *subject;		/* that mail's subject, NULL when none */
	struct adv_host *open;	/* the hosts that keep it open, sorted */
	size_t nopen;
	size_t affected;	/* hosts with a package of its sources installed */
};

struct advisories {
	struct adv_item *v;	/* newest first */
	size_t n;
	struct store_warnings warnings;
};

/*
 * Every advisory of the journal, one per id, with its status against inv.
 * The records of one id merge so that more hosts can only be open: the
 * union of packages and CVEs, a fix for a release only when every record
 * names one, the highest of them; the date and subject of the first filed.
 */
int advisories_load(const struct journal *j, const struct inventory *inv, struct advisories *out);
/* the same from the records of p (view/pkgrecs.h), which a walk of the files would meet in this order */
int advisories_from_recs(const struct pkgrecs *p, const struct inventory *inv, struct advisories *out);
/*
 * The inventory and the advisories as news and digest need them: from
 * the search index and its cache (pkgrecs.h) when the index can be used,
 * else from the files (inventory_load, advisories_load).  Release both
 * when 0; -1 and errget() when the journal cannot be read.
 */
int advisories_load_quick(struct journal *j, struct inventory *inv, struct advisories *out);
/*
 * What inventory_load (of host, or every host when NULL) and, when adv is
 * not NULL, advisories_load give, to the byte, warnings included: from
 * the search index and its cache when every record file opens and none
 * holds a damaged line that names a package, an inventory or an advisory
 * (journal/store-lines.h, the one walk that still sees every file), else
 * from the files.  Release both when 0; -1 and errget() when the journal
 * cannot be read.
 */
int advisories_read(struct journal *j, const char *host, struct inventory *inv, struct advisories *adv);
void advisories_release(struct advisories *a);
static inline bool adv_done(const struct adv_item *it)
{
	return it->nopen == 0;
}
/*
 * The advisory as text: a line "ID  DATE  PACKAGES  open on N host(s)" or
 * "... done", then, each line starting with indent, the open hosts:
 * "web1  nginx 1.22.1-9 < 1.22.1-9+deb12u1 (bookworm)".  Record text is
 * never trusted to be printable: it is checked when read (advisory.h).
 */
void adv_format(const struct adv_item *it, const char *indent, struct buf *out);
/*
 * The advisories still open, now, as text: heading, then each one with
 * adv_format and indent (its hosts one step further in), for news and
 * digest; nothing at all when none is open.  Problems reading the
 * records are left for `logbook advisories` to show.  The number of open
 * advisories, -1 and errget() when the journal cannot be read.
 */
int adv_open_text(struct journal *j, const char *heading, const char *indent, struct buf *out);
/* the same as one JSON object on one line */
void adv_format_json(const struct adv_item *it, struct buf *out);

#endif
