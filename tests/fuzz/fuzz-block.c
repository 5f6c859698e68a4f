/*
 * fuzz-block: block_apply on arbitrary file contents.
 *
 * It must never crash or read past the input (ASan, UBSan).  When the
 * input is accepted, adding the block must give a text that holds it,
 * adding it again must change nothing, and removing it must give back the
 * input byte for byte when the input had no block (what setup --undo
 * promises); an input that already had one gets it replaced in place.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "setup/block.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char body[] = "case $- in *i*) eval \"$(logbook hook bash)\" ;; esac\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf added = BUF_INIT, again = BUF_INIT, removed = BUF_INIT;
	const char *text = (const char *)data;
	bool had = block_present(text, size);
	int rc = block_apply(text, size, body, &added);

	if (rc < 0)
		goto out;
	if (!had && rc != 1)
		abort();
	if (!block_present(added.data, added.len))
		abort();
	if (block_apply(added.data, added.len, body, &again) != 0 || again.len != added.len ||
	    memcmp(again.data, added.data, added.len))
		abort();
	if (block_apply(added.data, added.len, NULL, &removed) != 1 || block_present(removed.data, removed.len))
		abort();
	if (!had && (removed.len != size || (size && memcmp(removed.data, data, size))))
		abort();
out:
	buf_release(&added);
	buf_release(&again);
	buf_release(&removed);
	return 0;
}
