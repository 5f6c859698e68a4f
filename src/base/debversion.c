/*
 * debversion: Debian version ordering through libdpkg (see debversion.h).
 *
 * libdpkg's parseversion copies the strings into its own allocator
 * (nfmalloc), which only nffreeall empties: every call here frees what it
 * parsed before returning, so comparing a million versions costs no
 * memory.  Nothing else in logbook uses that allocator.
 */
#define LIBDPKG_VOLATILE_API 1
#include <stdbool.h>
#include <string.h>

#include <dpkg/dpkg-db.h>
#include <dpkg/error.h>
#include <dpkg/version.h>

#include "base/debversion.h"
#include "base/err.h"
#include "base/banned.h"

/* parse v into out; -1 and errget() when dpkg refuses it or warns */
static int parse(const char *v, struct dpkg_version *out)
{
	struct dpkg_error e = DPKG_ERROR_INIT;

	if (parseversion(out, v, &e) < 0 || e.type != DPKG_MSG_NONE) {
		errset("version '%s': %s", v, e.str ? e.str : "not a Debian version");
		dpkg_error_destroy(&e);
		return -1;
	}
	return 0;
}

bool debversion_valid(const char *v)
{
	struct dpkg_version dv;
	int rc = parse(v, &dv);

	nffreeall();
	return rc == 0;
}

int debversion_compare(const char *a, const char *b, int *cmp)
{
	struct dpkg_version va, vb;
	int rc = -1;

	if (parse(a, &va) == 0 && parse(b, &vb) == 0) {
		int c = dpkg_version_compare(&va, &vb);
		*cmp = c < 0 ? -1 : c > 0;
		rc = 0;
	}
	nffreeall();
	return rc;
}
