/*
 * fuzz-baseline: the parsers of the baseline's index and seen files, on
 * arbitrary bytes.
 *
 * The input becomes .state/baseline/seen of a scratch journal when it
 * starts with the seen header, else .state/baseline/index.  Reading must
 * never crash (ASan, UBSan); a scan with an empty watch list must succeed
 * whenever the index loads.  When the index loads, rewriting it (a take
 * of a path it does not hold) must give an index that loads again, and a
 * second rewrite must give the same lines: what logbook writes, it reads
 * back unchanged.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "files/baseline.h"
#include "files/watch.h"
#include "journal/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct journal *j;
static char *dir_path, *index_path, *seen_path;

/* the scratch journal goes when the fuzzer exits */
static void cleanup(void)
{
	if (dir_path)
		fs_remove_tree(dir_path);
}

static void setup(void)
{
	char tmpl[] = "/tmp/fuzz-baseline.XXXXXX";
	char *dir = mkdtemp(tmpl), *p;

	if (!dir)
		abort();
	p = fs_join(dir, "team.conf");
	if (fs_write_atomic(p, "[team]\n\ttimezone = UTC\n", 23, 0600) < 0)
		abort();
	free(p);
	p = fs_join(dir, ".state/baseline");
	if (fs_mkdirs(p, 0700) < 0)
		abort();
	free(p);
	j = journal_open(dir);
	if (!j)
		abort();
	dir_path = xstrdup(dir);
	atexit(cleanup);
	index_path = fs_join(dir, ".state/baseline/index");
	seen_path = fs_join(dir, ".state/baseline/seen");
}

static void put(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
}

/* the index's lines without the header (whose generation changes) */
static char *body(void)
{
	struct buf b = BUF_INIT;
	char *nl;

	if (fs_read_file(index_path, &b) < 0)
		abort();
	nl = strchr(buf_str(&b), '\n');
	if (!nl)
		abort();
	nl = xstrdup(nl + 1);
	buf_release(&b);
	return nl;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char seen_magic[] = "logbook-baseline-seen";
	struct watch_list none = { 0 };
	struct changes c;
	bool is_seen = size >= sizeof seen_magic - 1 && !memcmp(data, seen_magic, sizeof seen_magic - 1);
	long n;

	if (!j)
		setup();
	unlink(index_path);
	unlink(seen_path);
	put(is_seen ? seen_path : index_path, data, size);

	n = baseline_count(j, "/");
	if (baseline_scan(j, &none, &c) == 0) {
		if (n < 0)
			abort();	/* the scan read an index that count refused */
		changes_free(&c);
	} else if (n >= 0) {
		abort();
	}
	if (n >= 0 && !is_seen) {
		char *first, *second;

		if (baseline_take(j, &none, "/fuzz-not-in-the-index") < 0)
			abort();
		if (baseline_count(j, "/") < 0)
			abort();
		first = body();
		if (baseline_take(j, &none, "/fuzz-not-in-the-index") < 0)
			abort();
		second = body();
		if (strcmp(first, second))
			abort();
		free(first);
		free(second);
	}
	return 0;
}
