/*
 * debversion: Debian version ordering (epochs, upstream, revision, the
 * "~" that sorts before everything), done by dpkg's own code (libdpkg's
 * parseversion and dpkg_version_compare), never by a comparison of our
 * own: an advisory's "fixed in version" must order exactly as apt and
 * dpkg order it.  libdpkg is a static library: only the programs that
 * compare versions (logbook, not its mail helper) carry its code.
 */
#ifndef LOGBOOK_DEBVERSION_H
#define LOGBOOK_DEBVERSION_H

#include <stdbool.h>

/* a version dpkg accepts without a warning */
bool debversion_valid(const char *v);
/*
 * Compare two versions as `dpkg --compare-versions` does: *cmp is
 * negative, zero or positive (-1, 0, 1).  -1 and errget() naming the
 * version when one is not a valid Debian version.
 */
int debversion_compare(const char *a, const char *b, int *cmp);

#endif
