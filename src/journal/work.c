/*
 * work: uncovered commands (see work.h).  Day files are filtered on the
 * raw line before JSON parsing: only cmd records and notes with "covers"
 * matter, and a day file of a busy host has tens of thousands of lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/day.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "journal/store.h"
#include "journal/work.h"
#include "base/banned.h"

struct scan {
	const char *host, *admin;
	char *admin_field;	/* "admin":"<admin>", to skip other admins' lines unparsed; NULL: parse all */
	struct record **cmds;
	size_t n;
	int64_t (*ranges)[2];
	size_t nranges;
};

static void add_ranges(struct scan *s, json_t *covers)
{
	size_t i;
	json_t *range;

	if (!json_is_array(covers))
		return;
	json_array_foreach(covers, i, range) {
		json_t *a = json_array_get(range, 0), *b = json_array_get(range, 1);
		if (json_array_size(range) != 2 || !json_is_integer(a) || !json_is_integer(b))
			continue;
		s->ranges = xreallocarray(s->ranges, s->nranges + 1, sizeof *s->ranges);
		s->ranges[s->nranges][0] = json_integer_value(a);
		s->ranges[s->nranges][1] = json_integer_value(b);
		s->nranges++;
	}
}

static int scan_line(const char *line, size_t len, size_t lineno, void *arg)
{
	struct scan *s = arg;
	bool cmd = memmem(line, len, "\"kind\":\"cmd\"", 12) != NULL;
	struct record *r;

	(void)lineno;
	if (!cmd && !memmem(line, len, "\"covers\":", 9))
		return 0;
	/* the admin's field, when the name needs no JSON escaping */
	if (cmd && s->admin_field && !memmem(line, len, s->admin_field, strlen(s->admin_field)))
		return 0;
	r = rec_parse(line, len, false);
	if (!r || strcmp(r->host, s->host)) {
		rec_free(r);
		return 0;
	}
	if (!strcmp(r->kind, "cmd") && !strcmp(r->admin, s->admin)) {
		s->cmds = xreallocarray(s->cmds, s->n + 1, sizeof *s->cmds);
		s->cmds[s->n++] = r;
		return 0;
	}
	if (!strcmp(r->kind, "note"))
		add_ranges(s, rec_get_json(r, "covers"));
	rec_free(r);
	return 0;
}

static bool covered(const struct scan *s, int64_t seq)
{
	for (size_t i = 0; i < s->nranges; i++)
		if (seq >= s->ranges[i][0] && seq <= s->ranges[i][1])
			return true;
	return false;
}

static int cmp_seq(const void *a, const void *b)
{
	const struct record *x = *(struct record *const *)a, *y = *(struct record *const *)b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

int work_uncovered(struct journal *j, const char *host, const char *admin, struct work *out)
{
	struct scan s = { .host = host, .admin = admin };
	int64_t now = day_now_us();
	int rc = 0;

	if (!strpbrk(admin, "\"\\"))
		s.admin_field = xasprintf("\"admin\":\"%s\"", admin);
	memset(out, 0, sizeof *out);
	for (int back = 0; back < WORK_DAYS; back++) {
		char spec[16], day[DAY_LEN + 1];
		char *rel, *path;

		snprintf(spec, sizeof spec, "-%d", back);
		if (day_parse(spec, now, day) < 0)
			continue;
		rel = store_file_rel(day, host);
		path = journal_path(j, rel);
		if (store_scan_file(path, scan_line, &s) < 0 && errno != ENOENT)
			rc = -1;
		free(path);
		free(rel);
		if (rc < 0)
			break;
	}
	for (size_t i = 0; i < s.n; i++) {
		if (rc == 0 && !covered(&s, s.cmds[i]->seq)) {
			out->cmds = xreallocarray(out->cmds, out->n + 1, sizeof *out->cmds);
			out->cmds[out->n++] = s.cmds[i];
		} else {
			rec_free(s.cmds[i]);
		}
	}
	if (out->n > 1)
		qsort(out->cmds, out->n, sizeof *out->cmds, cmp_seq);
	free(s.cmds);
	free(s.ranges);
	free(s.admin_field);
	if (rc < 0)
		work_free(out);
	return rc;
}

int work_count_uncovered(struct journal *j, const char *host, const char *admin, size_t *n)
{
	struct work w;

	if (work_uncovered(j, host, admin, &w) < 0)
		return -1;
	*n = w.n;
	work_free(&w);
	return 0;
}

void work_free(struct work *w)
{
	for (size_t i = 0; i < w->n; i++)
		rec_free(w->cmds[i]);
	free(w->cmds);
	memset(w, 0, sizeof *w);
}

json_t *work_covers(const struct work *w)
{
	json_t *covers = json_array();

	for (size_t i = 0; i < w->n;) {
		size_t k = i;
		while (k + 1 < w->n && w->cmds[k + 1]->seq == w->cmds[k]->seq + 1)
			k++;
		json_array_append_new(covers, json_pack("[II]", (json_int_t)w->cmds[i]->seq,
							(json_int_t)w->cmds[k]->seq));
		i = k + 1;
	}
	return covers;
}
