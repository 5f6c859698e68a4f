/*
 * timeline: an incident's story (timeline.h).  Times are shown in the
 * team's time zone (the caller set it), as "YYYY_MM_DD HH:MM:SS".
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/day.h"
#include "base/xalloc.h"
#include "view/markup.h"
#include "view/render.h"
#include "view/timeline.h"
#include "base/banned.h"

bool timeline_wants(const struct record *rec)
{
	return strcmp(rec->kind, "sign") && strcmp(rec->kind, "session");
}

static void when(struct buf *out, int64_t us)
{
	char day[DAY_LEN + 1], clock[9];

	if (day_of(us, day) < 0)
		snprintf(day, sizeof day, "?");
	day_clock(us, clock);
	buf_addf(out, "%s %s", day, clock);
}

static void esc(struct buf *out, const char *s)
{
	render_escape(out, s, strlen(s), false);
}

void timeline_incident_line(struct buf *out, const struct incident *in)
{
	buf_addf(out, "%s  ", in->id);
	if (in->ncloses) {
		buf_adds(out, "closed ");
		when(out, in->closes[0].time);
		buf_adds(out, ", opened ");
	} else {
		buf_adds(out, "open since ");
	}
	when(out, in->opened);
	buf_adds(out, " by ");
	esc(out, in->admin);
	buf_adds(out, " on ");
	esc(out, in->host);
	buf_adds(out, ": ");
	esc(out, in->title);
}

/* "opened 2026_11_26 09:00:00 by alice on web1" (escape: the text escaper of the format) */
static void who_when(struct buf *out, const char *what, int64_t us, const char *admin, const char *host,
		     void (*text)(struct buf *, const char *, size_t))
{
	buf_addf(out, "%s ", what);
	when(out, us);
	buf_adds(out, " by ");
	text(out, admin, strlen(admin));
	buf_adds(out, " on ");
	text(out, host, strlen(host));
}

static void term_text(struct buf *out, const char *s, size_t len)
{
	render_escape(out, s, len, false);
}

/* the title of an incident record on the timeline: "incident opened: TITLE", "incident closed" */
static void incident_event(struct buf *out, const struct record *rec, void (*text)(struct buf *, const char *, size_t))
{
	const char *event = rec_get_str(rec, "event", NULL), *s;

	if (event && !strcmp(event, "open")) {
		buf_adds(out, "incident opened: ");
		s = rec_get_str(rec, "title", NULL);
		text(out, s ? s : "", s ? strlen(s) : 0);
	} else {
		buf_adds(out, "incident ");
		s = rec_get_str(rec, "incident", NULL);
		text(out, s ? s : "", s ? strlen(s) : 0);
		buf_adds(out, " closed");
	}
}

void timeline_text(struct buf *out, const struct timeline *t, bool color)
{
	const struct incident *in = t->incident;
	struct render r = { .color = color, .indent = 2 };
	char day[DAY_LEN + 1] = "", d[DAY_LEN + 1];

	buf_addf(out, "Incident %s: ", in->id);
	esc(out, in->title);
	buf_adds(out, "\n  ");
	who_when(out, "opened", in->opened, in->admin, in->host, term_text);
	buf_adds(out, "\n");
	for (size_t i = 0; i < in->ncloses; i++) {
		buf_adds(out, "  ");
		who_when(out, "closed", in->closes[i].time, in->closes[i].admin, in->closes[i].host, term_text);
		buf_adds(out, "\n");
	}
	if (!in->ncloses)
		buf_adds(out, "  still open\n");
	if (in->nhosts) {
		buf_adds(out, "  affected hosts:");
		for (size_t i = 0; i < in->nhosts; i++) {
			buf_addc(out, ' ');
			esc(out, in->hosts[i]);
		}
		buf_adds(out, "\n");
	}
	buf_addf(out, "  time zone %s\n", t->tz);
	for (size_t i = 0; i < in->ncloses; i++) {
		buf_adds(out, "\nSummary");
		if (in->ncloses > 1) {
			buf_adds(out, " by ");
			esc(out, in->closes[i].admin);
		}
		buf_adds(out, ":\n");
		for (const char *s = in->closes[i].summary; *s;) {
			const char *nl = strchr(s, '\n');
			size_t len = nl ? (size_t)(nl - s) : strlen(s);

			buf_adds(out, "  ");
			render_escape(out, s, len, false);
			buf_addc(out, '\n');
			s += len + (nl != NULL);
		}
	}
	buf_adds(out, "\nTimeline:\n");
	for (size_t i = 0; i < t->n; i++) {
		const struct record *rec = t->recs[i];

		if (day_of(rec->time, d) == 0 && strcmp(d, day)) {
			memcpy(day, d, sizeof day);
			buf_addf(out, "\n%s\n", day);
			free(r.host);
			r.host = NULL;	/* a new day repeats who */
		}
		if (!strcmp(rec->kind, "incident")) {
			char clock[9];

			day_clock(rec->time, clock);
			buf_addf(out, "\n  %s  ", clock);
			esc(out, rec->host);
			buf_adds(out, "  ");
			esc(out, rec->admin);
			buf_adds(out, "  ");
			incident_event(out, rec, term_text);
			buf_adds(out, "\n");
			free(r.host);
			r.host = NULL;
			continue;
		}
		render_record(&r, out, rec);
	}
	if (!t->n)
		buf_adds(out, "  (no records)\n");
	render_release(&r);
}

/* a run of commands of one session from recs[i], as one code block; returns the first record after it */
static size_t md_commands(struct buf *out, const struct timeline *t, size_t i)
{
	const struct record *first = t->recs[i];
	struct buf code = BUF_INIT, v = BUF_INIT;
	size_t j = i;
	char a[9], b[9];

	for (; j < t->n; j++) {
		const struct record *rec = t->recs[j];
		int64_t status;

		if (strcmp(rec->kind, "cmd") || strcmp(rec->host, first->host) || strcmp(rec->session, first->session) ||
		    strcmp(rec->admin, first->admin))
			break;
		buf_reset(&v);
		rec_get_text(rec, "cmd", &v);
		buf_add(&code, v.data ? v.data : "", v.len);
		if (rec_get_int(rec, "exit", &status) && status)
			buf_addf(&code, "    # exit %lld", (long long)status);
		buf_addc(&code, '\n');
	}
	day_clock(first->time, a);
	day_clock(t->recs[j - 1]->time, b);
	buf_addf(out, "\n**%s**", a);
	if (strcmp(a, b))
		buf_addf(out, "\\-**%s**", b);
	buf_addf(out, " %zu command%s on ", j - i, j - i == 1 ? "" : "s");
	markup_markdown_text(out, first->host, strlen(first->host));
	buf_adds(out, " by ");
	markup_markdown_text(out, first->admin, strlen(first->admin));
	buf_adds(out, ":\n\n");
	markup_markdown_code(out, "bash", code.data ? code.data : "", code.len);
	buf_release(&code);
	buf_release(&v);
	return j;
}

/* several lines of text as one Markdown paragraph with hard line breaks */
static void md_lines(struct buf *out, const char *s)
{
	bool first = true;

	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		if (!first)
			buf_adds(out, "\\\n");
		markup_markdown_text(out, s, len);
		first = false;
		s += len + (nl != NULL);
	}
	buf_adds(out, "\n");
}

void timeline_markdown(struct buf *out, const struct timeline *t)
{
	const struct incident *in = t->incident;
	struct markup_page p = { .format = MARKUP_MARKDOWN, .depth = 2 };
	char day[DAY_LEN + 1] = "", d[DAY_LEN + 1];

	buf_addf(out, "# Incident %s: ", in->id);
	markup_markdown_text(out, in->title, strlen(in->title));
	buf_adds(out, "\n\n- ");
	who_when(out, "Opened", in->opened, in->admin, in->host, markup_markdown_text);
	buf_adds(out, "\n");
	for (size_t i = 0; i < in->ncloses; i++) {
		buf_adds(out, "- ");
		who_when(out, "Closed", in->closes[i].time, in->closes[i].admin, in->closes[i].host,
			 markup_markdown_text);
		buf_adds(out, "\n");
	}
	if (!in->ncloses)
		buf_adds(out, "- Still open\n");
	if (in->nhosts) {
		buf_adds(out, "- Affected hosts:");
		for (size_t i = 0; i < in->nhosts; i++) {
			buf_adds(out, i ? ", " : " ");
			markup_markdown_text(out, in->hosts[i], strlen(in->hosts[i]));
		}
		buf_adds(out, "\n");
	}
	buf_adds(out, "- Time zone ");
	markup_markdown_text(out, t->tz, strlen(t->tz));
	buf_adds(out, "\n\n## Summary\n\n");
	for (size_t i = 0; i < in->ncloses; i++) {
		if (in->ncloses > 1) {
			buf_adds(out, "_By ");
			markup_markdown_text(out, in->closes[i].admin, strlen(in->closes[i].admin));
			buf_adds(out, ":_\n\n");
		}
		md_lines(out, in->closes[i].summary);
		buf_adds(out, "\n");
	}
	if (!in->ncloses)
		buf_adds(out, "_Not closed yet: the summary comes with logbook incident close._\n\n");
	buf_adds(out, "## Timeline\n");
	for (size_t i = 0; i < t->n;) {
		const struct record *rec = t->recs[i];

		if (day_of(rec->time, d) == 0 && strcmp(d, day)) {
			memcpy(day, d, sizeof day);
			buf_addf(out, "\n### %s\n", day);
			markup_release(&p);
			p.format = MARKUP_MARKDOWN;
			p.depth = 2;
		}
		if (!strcmp(rec->kind, "cmd")) {
			i = md_commands(out, t, i);
			continue;
		}
		if (!strcmp(rec->kind, "incident")) {
			char clock[9];

			day_clock(rec->time, clock);
			buf_addf(out, "\n**%s** ", clock);
			markup_markdown_text(out, rec->host, strlen(rec->host));
			buf_adds(out, " \\(");
			markup_markdown_text(out, rec->admin, strlen(rec->admin));
			buf_adds(out, "\\): ");
			incident_event(out, rec, markup_markdown_text);
			buf_adds(out, "\n");
			i++;
			continue;
		}
		markup_record(&p, out, rec);
		i++;
	}
	if (!t->n)
		buf_adds(out, "\n_No records._\n");
	markup_release(&p);
}
