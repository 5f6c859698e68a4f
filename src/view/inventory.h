/*
 * inventory: the packages installed on each host, as the journal tells
 * it (docs/format.md, the "package" and "inventory" kinds): per host the
 * packages of its inventory record with the highest seq, then every
 * "package" record with a higher seq applied in seq order (install,
 * upgrade, downgrade, reinstall set a package; remove, purge delete it),
 * and the host's release from the newest of those records that names one.
 *
 * What it costs: the host's day files are read newest first, each line
 * tested for the words "package" / "inventory" before it is parsed,
 * until the file that holds the host's last inventory; an older file is
 * then only opened for its last line (a late "package" record, filed
 * under a past day by a catch-up, has a higher seq than the inventory).
 * So a host costs the files since its last inventory plus one tail read
 * per older day; a host that never filed an inventory costs all its
 * files.  inventory_load caches nothing: any replica answers from the
 * files alone; inventory_from_recs folds the same records found through
 * the search index (view/pkgrecs.h), for news and digest.
 * Measured on bench/gen's journal of 5 hosts, 365 days, 200 records a
 * day each (121 MB, files in the page cache): `packages` 0.2 s with the
 * inventories a year old, 0.15-0.25 s with them from today, since the
 * tail read (store_last_record) takes up to 64 KiB, about a whole day
 * file there; `advisories`, which also reads every line for the word
 * "advisory", 0.4 s.  At ten years of 15 hosts (10M records) that was
 * 7 s and 12 s: the commands now fold the records found through the
 * index (advisories_read) unless a file holds a damaged line of these
 * kinds, and come here only then.
 * A view: it never writes a record.
 */
#ifndef LOGBOOK_INVENTORY_H
#define LOGBOOK_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

#include "journal/journal.h"
#include "journal/store.h"
#include "view/pkgrecs.h"

struct inv_package {
	char *name, *arch, *version, *source, *source_version;
};

struct inv_host {
	char host[STORE_HOST_MAX + 1];
	char *release;			/* NULL when no record names it */
	struct inv_package *pkgs;	/* sorted by name, then arch */
	size_t n;
	int64_t inventory_seq;		/* the inventory folded from; 0: none, only package records */
	int64_t seq;			/* the newest record folded */
	int64_t time;			/* its time */
};

struct inventory {
	struct inv_host *hosts;		/* sorted by host; only hosts with package or inventory records */
	size_t n;
	struct store_warnings warnings;	/* damaged lines and entries, "file:line: why" */
};

/* every host's packages, or only host's when host is not NULL; -1 and errget() when the journal cannot be read */
int inventory_load(const struct journal *j, const char *host, struct inventory *out);
/* the same from the package and inventory records of p, which a walk of the files would meet in this order */
int inventory_from_recs(const struct pkgrecs *p, const char *host, struct inventory *out);
void inventory_release(struct inventory *inv);
/* host's entry, NULL when the journal holds no packages of host */
const struct inv_host *inventory_host(const struct inventory *inv, const char *host);

#endif
