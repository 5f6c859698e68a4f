/*
 * fuzz-incident: incident records as another replica may send them.
 *
 * The bytes are lines; each one rec_parse accepts is folded
 * (incidents_add), once in the order given and once in reverse: both
 * folds must give the same incidents, the same closes in the same order.
 * Each incident's timeline is rendered for the terminal and in Markdown
 * over every record, and the terminal text must hold no escape byte:
 * record text never reaches the terminal raw.  ASan and UBSan watch the
 * rest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/day.h"
#include "journal/incident.h"
#include "journal/record.h"
#include "view/timeline.h"

#define MAX_RECS 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (day_set_tz("UTC") < 0)
		abort();
	return 0;
}

static void same(const struct incidents *a, const struct incidents *b)
{
	if (a->n != b->n || a->norphans != b->norphans)
		abort();
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->v[i].id, b->v[i].id) || a->v[i].ncloses != b->v[i].ncloses)
			abort();
		for (size_t c = 0; c < a->v[i].ncloses; c++)
			if (a->v[i].closes[c].time != b->v[i].closes[c].time ||
			    strcmp(a->v[i].closes[c].summary, b->v[i].closes[c].summary))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record *recs[MAX_RECS];
	struct incidents fwd = { 0 }, back = { 0 };
	const char *p = (const char *)data, *end = p + size;
	size_t n = 0;

	while (p < end && n < MAX_RECS) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct record *r = rec_parse(p, len, true);

		if (r)
			recs[n++] = r;
		p += len + 1;
	}
	for (size_t i = 0; i < n; i++)
		(void)incidents_add(&fwd, recs[i]);
	for (size_t i = n; i-- > 0;)
		(void)incidents_add(&back, recs[i]);
	incidents_finish(&fwd);
	incidents_finish(&back);
	same(&fwd, &back);
	for (size_t i = 0; i < fwd.n; i++) {
		struct timeline t = { &fwd.v[i], recs, n, "UTC" };
		struct buf text = BUF_INIT, md = BUF_INIT, line = BUF_INIT;

		timeline_text(&text, &t, false);
		timeline_markdown(&md, &t);
		timeline_incident_line(&line, &fwd.v[i]);
		if (text.len && memchr(text.data, '\033', text.len))
			abort();
		if (line.len && memchr(line.data, '\n', line.len))
			abort();
		buf_release(&text);
		buf_release(&md);
		buf_release(&line);
	}
	incidents_release(&fwd);
	incidents_release(&back);
	for (size_t i = 0; i < n; i++)
		rec_free(recs[i]);
	return 0;
}
