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

#endif
