/*
 * One record found by a search, on one line, for a terminal: what
 * search and list print (cmd layer) and what browse shows as you type.
 * Every byte from the record goes through render_escape.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/day.h"
#include "base/xalloc.h"
#include "view/hitline.h"
#include "view/page.h"
#include "view/render.h"
#include "base/banned.h"

#define HIT_MATCH "\033[1;31m"
#define HIT_DIM "\033[2m"
#define HIT_BOLD "\033[1m"
#define HIT_RESET "\033[m"

/* the longest line of text a hit shows, in bytes, and how much of it may come before the match */
#define HIT_WIDTH 200
#define HIT_BEFORE 60

void hitline_format(struct buf *out, const struct index_hit *h, const char *text, bool color)
{
	struct record *r = h->line ? rec_parse(h->line, h->len, false) : NULL;
	struct buf body = BUF_INIT;
	char clock[9];
	const char *p, *nl, *end;
	long at = -1;
	size_t tlen = text ? strlen(text) : 0;
	bool cut_end = false;

	day_clock(h->time, clock);
	if (color)
		buf_adds(out, HIT_DIM);
	buf_adds(out, h->day);
	buf_addc(out, ' ');
	buf_adds(out, clock);
	buf_addc(out, ' ');
	if (color)
		buf_adds(out, HIT_RESET HIT_BOLD);
	render_escape(out, h->host, strlen(h->host), false);
	/* HOST:SEQ, the reference note --reply, todo done and ack take */
	{
		/* without printf: a search prints a million of these */
		char num[24], *n = num + sizeof num;
		unsigned long long v = h->seq < 0 ? 0 - (unsigned long long)h->seq : (unsigned long long)h->seq;
		*--n = ' ';
		do
			*--n = (char)('0' + v % 10);
		while (v /= 10);
		if (h->seq < 0)
			*--n = '-';
		*--n = ':';
		buf_add(out, n, (size_t)(num + sizeof num - n));
	}
	render_escape(out, h->admin, strlen(h->admin), false);
	if (color)
		buf_adds(out, HIT_RESET);
	buf_addc(out, ' ');
	render_escape(out, h->kind, strlen(h->kind), false);
	/* an event without a search: what it is about (a mail's subject), not its first line of dashes */
	if (r && !tlen && !strcmp(r->kind, "event"))
		page_message_summary(r, &body);
	if (r && !body.len)
		index_record_text(r, &body, true);
	else if (!r && h->body)
		buf_add(&body, h->body, h->body_len);	/* the index's copy: the same text */
	p = buf_str(&body);
	end = p + body.len;
	if (tlen)
		at = index_find(p, body.len, text, tlen);
	if (at >= 0) {
		/* the line that holds the match */
		const char *m = p + at;
		while (m > p && m[-1] != '\n')
			m--;
		p = m;
	}
	if (p > buf_str(&body) && !strcmp(h->kind, "change")) {
		/* a line of the diff: which file it is in (a change's text starts with its path) */
		const char *path = buf_str(&body), *eol = memchr(path, '\n', body.len);
		buf_addc(out, ' ');
		render_escape(out, path, eol ? (size_t)(eol - path) : body.len, false);
	}
	buf_adds(out, ": ");
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		nl = end;
	/* a long line (a 64 KiB command) is shown around the match, cut between characters */
	if ((size_t)(nl - p) > HIT_WIDTH) {
		const char *m = at >= 0 ? buf_str(&body) + at : p;
		const char *from = m - p > HIT_BEFORE ? m - HIT_BEFORE : p;
		const char *to = (size_t)(nl - m) > HIT_WIDTH - (size_t)(m - from) ? m + (HIT_WIDTH - (m - from)) : nl;
		while (from > p && ((unsigned char)*from & 0xc0) == 0x80)
			from--;
		while (to < nl && ((unsigned char)*to & 0xc0) == 0x80)
			to++;
		if (to < m + tlen)
			to = m + tlen;
		if (from > p)
			buf_adds(out, "...");
		p = from;
		cut_end = to < nl;
		nl = to;
	}
	if (at >= 0 && (size_t)at + tlen <= (size_t)(nl - buf_str(&body))) {
		const char *m = buf_str(&body) + at;
		render_escape(out, p, (size_t)(m - p), false);
		if (color)
			buf_adds(out, HIT_MATCH);
		render_escape(out, m, tlen, false);
		if (color)
			buf_adds(out, HIT_RESET);
		render_escape(out, m + tlen, (size_t)(nl - m - tlen), false);
	} else {
		render_escape(out, p, (size_t)(nl - p), false);
	}
	if (cut_end)
		buf_adds(out, "...");
	buf_addc(out, '\n');
	buf_release(&body);
	rec_free(r);
}

struct collect {
	struct hitlines *out;
	const char *text;
	bool color;
	hitline_keep_fn keep;
	void *arg;
};

static int collect_hit(const struct index_hit *h, void *arg)
{
	struct collect *c = arg;
	struct buf line = BUF_INIT;
	struct hitline *hl;

	if (c->keep && !c->keep(h, c->arg))
		return 0;
	hitline_format(&line, h, c->text, c->color);
	buf_truncate(&line, line.len - 1);	/* its newline */
	c->out->v = xreallocarray(c->out->v, c->out->n + 1, sizeof *c->out->v);
	hl = &c->out->v[c->out->n++];
	*hl = (struct hitline){ .text = buf_detach(&line, NULL), .day = xstrdup(h->day), .host = xstrdup(h->host),
				.path = h->path ? xstrdup(h->path) : NULL, .seq = h->seq, .time = h->time, .lineno = h->lineno };
	return 0;
}

int hitline_search(struct journal *j, struct index_query *q, bool color, hitline_keep_fn keep, void *arg,
		   struct hitlines *out)
{
	struct collect c = { .out = out, .text = q->text, .color = color, .keep = keep, .arg = arg };

	out->v = NULL;
	out->n = 0;
	q->event_lines = !q->text;
	return index_search(j, q, collect_hit, &c);
}

void hitlines_release(struct hitlines *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].text);
		free(h->v[i].day);
		free(h->v[i].host);
		free(h->v[i].path);
	}
	free(h->v);
	h->v = NULL;
	h->n = 0;
}
