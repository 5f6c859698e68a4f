/*
 * fuzz-gittree: the two parsers of sync's own commits (src/replica/
 * gitobj.c) on arbitrary bytes.  The first byte chooses, by its value
 * mod 2: 0, the rest is a tree's content: when gitobj_tree_parse takes
 * it, gitobj_tree_format of the result gives back exactly those bytes (a
 * tree git writes has one spelling); 1, the rest is a tree cache file:
 * every tree gitobj_cache_parse keeps has the id it is filed under, and
 * the cache formatted and parsed again keeps the same trees.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "replica/git.h"
#include "replica/gitobj.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] % 2 == 0) {
		struct gitobj_tree t;
		struct buf out = BUF_INIT;
		if (gitobj_tree_parse(data + 1, size - 1, &t) < 0)
			return 0;
		gitobj_tree_format(&t, &out);
		if (out.len != size - 1 || (out.len && memcmp(out.data, data + 1, out.len) != 0))
			abort();
		buf_release(&out);
		gitobj_tree_release(&t);
	} else {
		struct gitobj_cache c, again;
		struct buf out = BUF_INIT;
		gitobj_cache_parse(data + 1, size - 1, &c);
		for (size_t i = 0; i < c.n; i++) {
			char id[2 * GITOBJ_RAW + 1];
			git_object_id("tree", c.raw[i].data ? c.raw[i].data : "", c.raw[i].len, id);
			if (strcmp(id, c.id[i]) != 0)
				abort();
		}
		gitobj_cache_format(&c, &out);
		gitobj_cache_parse(out.data, out.len, &again);
		if (again.n != c.n)
			abort();
		gitobj_cache_release(&c);
		gitobj_cache_release(&again);
		buf_release(&out);
	}
	return 0;
}
