/*
 * advisory: a security announcement's text (a Debian DSA or DLA mail's
 * body) read for what an admin acts on: its id, the source packages it
 * concerns, its CVE ids, and per distribution the version that fixes it
 * ("For the stable distribution (bookworm), these problems have been
 * fixed in version 1.22.1-9+deb12u1.").  Text in, struct out: this module
 * never touches files, never compares versions (base/debversion.h does,
 * in the programs that link libdpkg) and never fails on odd text other
 * than by saying what it did not find.
 *
 * The same struct goes to and from the "advisory" object of an event
 * record (docs/format.md), which checks what it reads as strictly as it
 * parses: a record from another replica is outside input too.
 */
#ifndef LOGBOOK_ADVISORY_H
#define LOGBOOK_ADVISORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define ADVISORY_ID_MAX 32
#define ADVISORY_PACKAGES_MAX 64
#define ADVISORY_CVES_MAX 256
#define ADVISORY_FIXED_MAX 16

struct advisory_fixed {
	char *release;		/* a codename: bookworm, bullseye, sid */
	char *version;		/* as written: 1.22.1-9+deb12u1 */
};

struct advisory {
	char id[ADVISORY_ID_MAX + 1];	/* DSA-5678-1, DLA-3456-1 */
	char **packages;	/* source packages, in the order written */
	size_t npackages;
	char **cves;		/* CVE-2024-1234, in the order first written */
	size_t ncves;
	struct advisory_fixed *fixed;	/* one per release, in the order written */
	size_t nfixed;
};

/*
 * Read an advisory from a mail's text (len bytes, any bytes; clearsigned
 * PGP text with its "- " dash-escaping is read as the signed text).  0
 * when it has an id and at least one package (fixed versions may be
 * missing: "will be fixed soon"); -1 and errget() saying what is missing.
 * out is released by advisory_release either way.
 */
int advisory_parse(const char *text, size_t len, struct advisory *out);
void advisory_release(struct advisory *a);

/* the record's "advisory" object (a new reference) */
json_t *advisory_to_json(const struct advisory *a);
/* read it back; -1 and errget() when it is not one advisory_to_json could write */
int advisory_from_json(const json_t *obj, struct advisory *out);

/* the fixed version for release, NULL when the advisory names none */
const char *advisory_fixed_for(const struct advisory *a, const char *release);
/* a source package name as Debian allows it: [a-z0-9][a-z0-9+.-]+ */
bool advisory_valid_package(const char *s, size_t len);

#endif
