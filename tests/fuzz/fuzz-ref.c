/*
 * fuzz-ref: ref_parse on arbitrary bytes.  When it accepts them,
 * ref_format of the result gives back exactly those bytes (a reference
 * has one spelling), the host is a valid host name and the seq is at
 * least 1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "journal/ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec_ref r;
	char out[REF_MAX + 1];

	if (ref_parse((const char *)data, size, &r) < 0)
		return 0;
	ref_format(r.host, r.seq, out);
	if (strlen(out) != size || memcmp(out, data, size) || !store_valid_host(r.host) || r.seq < 1)
		abort();
	return 0;
}
