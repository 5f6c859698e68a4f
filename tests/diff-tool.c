/*
 * diff-tool: the diff module from the shell, for tests/diff-property.bats.
 *
 *   diff-tool [-U N] OLD NEW
 *   diff-tool [-U N] -m OLDDIR NEWDIR OUTDIR NAME...
 *
 * The first form prints diff_unified of the two files, labelled "a" and
 * "b", with N lines of context (default 3), and exits like diff: 0 when
 * the files are equal, 1 when they differ, 2 on trouble.  The second
 * writes the diff of OLDDIR/NAME and NEWDIR/NAME to OUTDIR/NAME for every
 * NAME (an empty file for equal ones), so that a test can diff thousands
 * of pairs without starting thousands of processes; it exits 0, or 2 on
 * trouble.  Built into build/tests/, never installed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "files/diff.h"
#include "base/banned.h"

static const char usage[] =
	"usage: diff-tool [-U N] OLD NEW\n"
	"       diff-tool [-U N] -m OLDDIR NEWDIR OUTDIR NAME...\n";

/* the diff of two files into out; the number of hunks, or -1 with errget() */
static int diff_files(const char *old_path, const char *new_path, unsigned context, struct buf *out)
{
	struct buf old = BUF_INIT, new = BUF_INIT;
	struct diff_opts o = { "a", "b", context };
	int hunks = -1;

	if (fs_read_file(old_path, &old) == 0 && fs_read_file(new_path, &new) == 0)
		hunks = diff_unified(old.data, old.len, new.data, new.len, &o, out);
	buf_release(&old);
	buf_release(&new);
	return hunks;
}

static int many(char **argv, int argc, unsigned context)
{
	struct buf out = BUF_INIT;

	for (int i = 3; i < argc; i++) {
		char *old_path = fs_join(argv[0], argv[i]), *new_path = fs_join(argv[1], argv[i]);
		char *out_path = fs_join(argv[2], argv[i]);
		int fd;

		buf_reset(&out);
		if (diff_files(old_path, new_path, context, &out) < 0) {
			fprintf(stderr, "diff-tool: %s\n", errget());
			return 2;
		}
		fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || fs_write_all(fd, out.data, out.len) < 0 || close(fd) < 0) {
			perror(out_path);
			return 2;
		}
		free(old_path);
		free(new_path);
		free(out_path);
	}
	buf_release(&out);
	return 0;
}

int main(int argc, char **argv)
{
	struct buf out = BUF_INIT;
	unsigned context = 3;
	int hunks;

	argv++;
	argc--;
	if (argc >= 2 && !strcmp(argv[0], "-U")) {
		context = (unsigned)strtoul(argv[1], NULL, 10);
		argv += 2;
		argc -= 2;
	}
	if (argc >= 4 && !strcmp(argv[0], "-m"))
		return many(argv + 1, argc - 1, context);
	if (argc != 2) {
		fputs(usage, stderr);
		return 2;
	}
	hunks = diff_files(argv[0], argv[1], context, &out);
	if (hunks < 0) {
		fprintf(stderr, "diff-tool: %s\n", errget());
		return 2;
	}
	if (fs_write_all(1, out.data, out.len) < 0) {
		perror("diff-tool: stdout");
		return 2;
	}
	buf_release(&out);
	return hunks > 0;
}
