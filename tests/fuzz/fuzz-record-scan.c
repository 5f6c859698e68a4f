/*
 * fuzz-record-scan: the scanner verify reads lines with (record-scan.c)
 * against rec_parse, on arbitrary bytes.
 *
 * The scanner may decline anything, but when it accepts a line rec_parse
 * must accept it too, with the same kind, host, admin, prev, seq and time.
 * A line the scanner wrongly accepted would pass verify's chain check
 * while every other reader reports it damaged; a field it read wrongly
 * would check the chain of a record nobody else sees.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/day.h"
#include "journal/record-scan.h"
#include "journal/record.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (day_set_tz("UTC") < 0)
		abort();
	return 0;
}

static bool same(const char *s, size_t len, const char *c_string)
{
	return c_string && strlen(c_string) == len && !memcmp(s, c_string, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data;
	struct rec_fields f;
	struct record *r;

	if (!rec_scan(line, size, &f))
		return 0;
	r = rec_parse(line, size, false);
	if (!r)
		abort();	/* accepted what rec_parse rejects */
	if (!same(f.kind, f.kind_len, r->kind) || !same(f.host, f.host_len, r->host) ||
	    !same(f.admin, f.admin_len, r->admin) || !same(f.prev, REC_HASH_LEN, r->prev) ||
	    f.seq != r->seq || f.time != r->time)
		abort();
	rec_free(r);
	return 0;
}
