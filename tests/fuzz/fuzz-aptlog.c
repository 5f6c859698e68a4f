/*
 * Fuzz the APT and dpkg log parsers (src/capture/aptlog.c) on arbitrary
 * bytes: no crash; history entries move forward, stay within the input
 * and carry only changes whose fields are non-empty printable tokens;
 * an open entry comes last; every dpkg.log line parses to a kind, a
 * change with the versions its action needs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/aptlog.h"

static void check_change(const struct aptlog_change *c)
{
	if (!c->name || !*c->name || !c->arch || !*c->arch || !c->action)
		abort();
	if (strcmp(c->action, "install") && strcmp(c->action, "purge") && !c->old_version)
		abort();
	if ((!strcmp(c->action, "remove") || !strcmp(c->action, "purge")) != !c->new_version)
		abort();
	for (const char *p = c->name; *p; p++)
		if (*p <= ' ' || *p > '~' || *p == ',' || *p == '(' || *p == ')')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;
	struct buf problems = BUF_INIT;
	struct aptlog_run r;
	size_t pos = 0, line = 1;
	enum aptlog_step s;

	while ((s = aptlog_history_next(d, size, &pos, &line, &r, &problems)) != APTLOG_END) {
		if (pos > size || r.offset > r.next || r.next > size || strlen(r.start) != APTLOG_TIME_LEN ||
		    strlen(r.hash) != 64)
			abort();
		for (size_t i = 0; i < r.n; i++)
			check_change(&r.changes[i]);
		aptlog_run_release(&r);
		if (s == APTLOG_OPEN)
			break;
	}
	buf_release(&problems);

	for (size_t start = 0; start < size;) {
		const char *nl = memchr(d + start, '\n', size - start);
		size_t n = nl ? (size_t)(nl - (d + start)) : size - start;
		struct aptlog_line l;

		if (aptlog_dpkg_line(d + start, n, &l) == APTLOG_LINE_CHANGE) {
			check_change(&l.change);
			aptlog_change_release(&l.change);
		}
		start += n + 1;
	}
	if (size < 200) {
		char a[201], b[201];
		memcpy(a, d, size);
		a[size] = '\0';
		memcpy(b, d, size);
		b[size] = '\0';
		if (aptlog_version_cmp(a, b) != 0)
			abort();
	}
	return 0;
}
