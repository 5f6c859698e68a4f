/*
 * packages-int.h: what packages.c (the hook, the logs, the records) and
 * packages-fold.c (dpkg's status, the fold of a host's records, the
 * release) share.  No other module includes it.
 */
#ifndef LOGBOOK_PACKAGES_INT_H
#define LOGBOOK_PACKAGES_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture/packages.h"
#include "journal/journal.h"

/* a string member of o, "" when absent or not a string */
const char *pkg_str(const json_t *o, const char *key);
/* element i of an array as a string, "" when it is not one */
const char *pkg_at(const json_t *a, size_t i);
/* "name\tarch", the key of a package in a fold: sorts by name, then arch (allocated) */
char *pkg_key(const char *name, const char *arch);
/*
 * The installed packages per dpkg-query (o->admindir), as
 * { "name\tarch": [name, arch, version, source, source_version] };
 * NULL and errget() when dpkg-query fails.
 */
json_t *pkg_dpkg_status(const struct pkg_opts *o);
/* apply a package record's changes to a fold's packages */
void pkg_fold_apply(json_t *packages, const json_t *changes);
/*
 * The fold of host's records read from every day file of host (only when
 * the cache is missing): { "inventory": true when the chain holds one,
 * "packages": {...} }; *apt_us the start of the newest APT run filed,
 * *dpkg_us the end of the newest run of any kind (0 when none).
 */
json_t *pkg_fold_from_journal(struct journal *j, const char *host, int64_t *apt_us, int64_t *dpkg_us);
/* the same (name, arch) installed at the same versions (sources aside: a record may not know them) */
bool pkg_same_versions(const json_t *a, const json_t *b);
/* an inventory's packages array, sorted by name, then arch */
json_t *pkg_packages_array(const json_t *packages);
/* VERSION_CODENAME of os-release; NULL when unknown (allocated) */
char *pkg_release_codename(void);

#endif
