/*
 * Common includes and helpers of the C unit tests (cmocka).  Each
 * tests/unit/test-<module>.c tests one module of liblogbook.a and is one
 * cmocka group; tests/run reads their TAP output.
 */
#ifndef LOGBOOK_UNIT_H
#define LOGBOOK_UNIT_H

#define _GNU_SOURCE
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* a fresh temporary directory (removed by unit_rmtree) */
static inline char *unit_tmpdir(void)
{
	char tmpl[] = "/tmp/logbook-unit.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static inline int unit_rmtree_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/*
 * Remove dir and everything under it, without following symlinks, and
 * free the name.  Written with nftw here rather than with fs_remove_tree
 * so that the fs tests do not clean up with the code they test.
 */
static inline void unit_rmtree(char *dir)
{
	assert_int_equal(nftw(dir, unit_rmtree_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(dir);
}

#endif
