/*
 * fuzz-advisory: advisory_parse on arbitrary bytes (a mail body is
 * outside input), then the record's advisory object made from it.
 *
 * Properties: when the text parses, the id, every package, CVE, release
 * and version are what advisory_from_json accepts (so the record the mail
 * helper writes is one every reader takes back), at most the documented
 * numbers of each, and the object read back equals what was parsed.  When
 * it does not parse, errget() says why.  The object is also read straight
 * from the input as JSON, which must never crash the reader.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "journal/advisory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const struct advisory *a, const struct advisory *b)
{
	if (strcmp(a->id, b->id) || a->npackages != b->npackages || a->ncves != b->ncves || a->nfixed != b->nfixed)
		abort();
	for (size_t i = 0; i < a->npackages; i++)
		if (strcmp(a->packages[i], b->packages[i]))
			abort();
	for (size_t i = 0; i < a->ncves; i++)
		if (strcmp(a->cves[i], b->cves[i]))
			abort();
	for (size_t i = 0; i < a->nfixed; i++)
		if (strcmp(a->fixed[i].release, b->fixed[i].release) || strcmp(a->fixed[i].version, b->fixed[i].version))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct advisory a, b;
	json_t *o;
	json_error_t e;

	if (advisory_parse((const char *)data, size, &a) == 0) {
		if (a.npackages == 0 || a.npackages > ADVISORY_PACKAGES_MAX || a.ncves > ADVISORY_CVES_MAX ||
		    a.nfixed > ADVISORY_FIXED_MAX)
			abort();
		o = advisory_to_json(&a);
		if (advisory_from_json(o, &b) < 0)
			abort();
		same(&a, &b);
		advisory_release(&b);
		json_decref(o);
	} else if (!*errget()) {
		abort();
	}
	advisory_release(&a);
	o = json_loadb((const char *)data, size, 0, &e);
	if (o) {
		if (advisory_from_json(o, &b) == 0)
			advisory_release(&b);
		json_decref(o);
	}
	return 0;
}
