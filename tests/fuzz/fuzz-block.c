/*
 * fuzz-block: block_apply on arbitrary file contents.
 *
 * It must never crash or read past the input (ASan, UBSan).  When the
 * input is accepted, adding the block must give a text that holds it,
 * adding it again must change nothing, and removing it must give back the
 * input byte for byte when the input had no block (what setup --undo
 * promises); an input that already had one gets it replaced in place.
 * The first input byte picks the place (end or top); at the top, an
 * input with a block elsewhere gets it moved, and removing it gives back
 * the input without its block.
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
	struct buf added = BUF_INIT, again = BUF_INIT, removed = BUF_INIT, before = BUF_INIT;
	enum block_place place;
	const char *text;
	bool had;
	int rc;

	if (size == 0)
		return 0;
	place = data[0] & 1 ? BLOCK_AT_TOP : BLOCK_AT_END;
	text = (const char *)data + 1;
	size--;
	had = block_present(text, size);
	rc = block_apply(text, size, body, place, &added);
	if (rc < 0)
		goto out;
	if (!had && rc != 1)
		abort();
	if (!block_present(added.data, added.len))
		abort();
	if (place == BLOCK_AT_TOP && (added.len < strlen(BLOCK_BEGIN) || memcmp(added.data, BLOCK_BEGIN, strlen(BLOCK_BEGIN))))
		abort();
	if (block_apply(added.data, added.len, body, place, &again) != 0 || again.len != added.len ||
	    memcmp(again.data, added.data, added.len))
		abort();
	if (block_apply(added.data, added.len, NULL, place, &removed) != 1 || block_present(removed.data, removed.len))
		abort();
	if (!had && (removed.len != size || (size && memcmp(removed.data, text, size))))
		abort();
	/* a block moved to the top leaves what the input was without its block */
	if (had && place == BLOCK_AT_TOP) {
		if (block_apply(text, size, NULL, place, &before) != 1 || before.len != removed.len ||
		    (before.len && memcmp(before.data, removed.data, before.len)))
			abort();
	}
out:
	buf_release(&added);
	buf_release(&again);
	buf_release(&removed);
	buf_release(&before);
	return 0;
}
