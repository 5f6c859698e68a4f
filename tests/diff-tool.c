/*
 * diff-tool: the diff module from the shell, for tests/diff-property.bats.
 *
 *   diff-tool [-U N] OLD NEW
 *
 * prints diff_unified of the two files, labelled "a" and "b", with N lines
 * of context (default 3), and exits like diff: 0 when the files are equal,
 * 1 when they differ, 2 on trouble.  Built into build/tests/, never
 * installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diff.h"
#include "err.h"
#include "fs.h"
#include "banned.h"

int main(int argc, char **argv)
{
	struct buf old = BUF_INIT, new = BUF_INIT, out = BUF_INIT;
	struct diff_opts o = { "a", "b", 3 };
	int hunks;

	if (argc == 5 && !strcmp(argv[1], "-U")) {
		o.context = (unsigned)strtoul(argv[2], NULL, 10);
		argv += 2;
		argc -= 2;
	}
	if (argc != 3) {
		fputs("usage: diff-tool [-U N] OLD NEW\n", stderr);
		return 2;
	}
	if (fs_read_file(argv[1], &old) < 0 || fs_read_file(argv[2], &new) < 0 ||
	    (hunks = diff_unified(old.data, old.len, new.data, new.len, &o, &out)) < 0) {
		fprintf(stderr, "diff-tool: %s\n", errget());
		return 2;
	}
	if (fs_write_all(1, out.data, out.len) < 0) {
		perror("diff-tool: stdout");
		return 2;
	}
	buf_release(&old);
	buf_release(&new);
	buf_release(&out);
	return hunks > 0;
}
