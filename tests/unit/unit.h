/*
 * Common includes and helpers of the C unit tests (cmocka).  Each
 * tests/unit/test-<module>.c tests one module of liblogbook.a and is one
 * cmocka group; tests/run reads their TAP output.
 */
#ifndef LOGBOOK_UNIT_H
#define LOGBOOK_UNIT_H

#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
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

static inline int unit_remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/*
 * Remove a tree made by a test.  Plain nftw, not fs_remove_tree: the
 * clean-up must not depend on the library under test.
 */
static inline void unit_rmtree(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) == 0 && nftw(dir, unit_remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "unit: could not remove %s\n", dir);
}

/* cmocka setup and teardown: *state is a fresh directory under /tmp, removed after the test */
static inline int unit_make_dir(void **state)
{
	*state = unit_tmpdir();
	return 0;
}

static inline int unit_remove_dir(void **state)
{
	unit_rmtree(*state);
	free(*state);
	return 0;
}

/* write a whole file (mode 0640), or append to it */
static inline void unit_write(const char *path, const char *data, size_t len, int append)
{
	FILE *f = fopen(path, append ? "ab" : "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* the whole file, NUL-terminated, its size in *size; NULL when missing */
static inline char *unit_read(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t n = 0, cap = 0, got;

	if (!f)
		return NULL;
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			data = realloc(data, cap + 1);
			assert_non_null(data);
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	assert_int_equal(ferror(f), 0);
	fclose(f);
	data[n] = '\0';
	if (size)
		*size = n;
	return data;
}

/*
 * A journal as "logbook init" leaves it, minus the git repository (the
 * library never runs git): team.conf with the [team] section, the
 * .gitignore and an empty .state/.  conf is team.conf's whole text.
 */
static inline char *unit_journal_with(const char *conf)
{
	char *dir = unit_tmpdir();
	char path[4096];

	snprintf(path, sizeof path, "%s/.gitignore", dir);
	unit_write(path, "/.state/\n", 9, 0);
	snprintf(path, sizeof path, "%s/.state", dir);
	assert_int_equal(mkdir(path, 0750), 0);
	snprintf(path, sizeof path, "%s/team.conf", dir);
	unit_write(path, conf, strlen(conf), 0);
	return dir;
}

static inline char *unit_journal(void)
{
	return unit_journal_with("[team]\n\ttimezone = UTC\n");
}

#endif
