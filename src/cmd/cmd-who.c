/*
 * logbook who: the shells open right now on every host, with their admin,
 * where from, since when, and their last commands: what an admin looks at
 * before touching the network.  A session is open when its "open" record
 * has no "close" and it did something in the last WHO_IDLE_HOURS.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "journal/record.h"
#include "journal/store.h"
#include "view/render.h"
#include "base/banned.h"

/* a shell quiet this long is not "working" any more, open or not */
#define WHO_IDLE_HOURS 12
/* the day pages looked at: today and the days before */
#define WHO_DAYS 3
#define WHO_LAST 3

static const char usage[] =
	"usage: logbook who\n"
	"\n"
	"The shells open right now on every host (those the hook recorded, not\n"
	"closed, active in the last 12 hours): host, admin, account, terminal,\n"
	"where from, since when, and their last commands.\n"
	"\n"
	"  -h, --help   show this help\n";

struct session {
	char *host, *id, *admin, *account, *tty, *from;
	int64_t since, last;
	bool closed;
	char *cmds[WHO_LAST];
	size_t ncmds;
};

static struct session *find(struct session **v, size_t *n, const struct record *r)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].host, r->host) && !strcmp((*v)[i].id, r->session))
			return &(*v)[i];
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	memset(&(*v)[*n], 0, sizeof **v);
	(*v)[*n].host = xstrdup(r->host);
	(*v)[*n].id = xstrdup(r->session);
	(*v)[*n].admin = xstrdup(r->admin);
	(*v)[*n].account = xstrdup(r->account);
	(*v)[*n].since = r->time;
	return &(*v)[(*n)++];
}

static char *text_of(const struct record *r, const char *key)
{
	struct buf b = BUF_INIT, esc = BUF_INIT;

	if (rec_get_text(r, key, &b) == 0)
		render_escape(&esc, b.data ? b.data : "", b.len, false);
	buf_release(&b);
	return buf_detach(&esc, NULL);
}

static void take(struct session **v, size_t *n, const struct record *r)
{
	const char *event = rec_get_str(r, "event", NULL);
	struct session *s;

	if (!strcmp(r->kind, "session") && event) {
		s = find(v, n, r);
		if (!strcmp(event, "open")) {
			s->since = r->time;
			free(s->tty);
			free(s->from);
			s->tty = text_of(r, "tty");
			s->from = text_of(r, "ssh");
		} else if (!strcmp(event, "close")) {
			s->closed = true;
		}
		if (r->time > s->last)
			s->last = r->time;
	} else if (!strcmp(r->kind, "cmd") && strncmp(r->session, "import-", 7)) {
		s = find(v, n, r);
		if (r->time > s->last)
			s->last = r->time;
		if (s->ncmds == WHO_LAST) {
			free(s->cmds[0]);
			memmove(s->cmds, s->cmds + 1, (WHO_LAST - 1) * sizeof *s->cmds);
			s->ncmds--;
		}
		s->cmds[s->ncmds++] = text_of(r, "cmd");
	}
}

/* the shells that may be open: an "open" record, and no "close" in the days looked at */
struct maybe_open {
	char **ids;
	size_t n;
};

static bool is_session(const char *line, size_t len, void *arg)
{
	(void)arg;
	return memmem(line, len, "\"kind\":\"session\"", 16);
}

/*
 * The lines who parses: the session records, and the commands of a shell
 * that may be open; the commands of the others (nearly all of them) are
 * passed over by the session id as the line spells it.  A line that
 * spells it another way (an escape in it, or no "session":" at all) is
 * parsed, to be sure.
 */
static bool wanted(const char *line, size_t len, void *arg)
{
	const struct maybe_open *m = arg;
	const char *p, *q, *end = line + len;

	if (is_session(line, len, NULL))
		return true;
	if (!memmem(line, len, "\"kind\":\"cmd\"", 12))
		return false;
	if (!(p = memmem(line, len, "\"session\":\"", 11)))
		return true;
	for (q = p += 11; q < end && *q != '"' && *q != '\\'; q++)
		;
	if (q == end || *q == '\\')
		return true;
	for (size_t i = 0; i < m->n; i++)
		if (strlen(m->ids[i]) == (size_t)(q - p) && !memcmp(m->ids[i], p, (size_t)(q - p)))
			return true;
	return false;
}

/* the days looked at, oldest first, through want; fn on each record in time order */
static void each_record(struct journal *j, int64_t now, store_want_fn want, void *arg,
			void (*fn)(const struct record *r, void *arg), void *fn_arg)
{
	for (int back = WHO_DAYS - 1; back >= 0; back--) {
		char spec[16], day[DAY_LEN + 1];
		struct store_day d;

		snprintf(spec, sizeof spec, "-%d", back);
		if (day_parse(spec, now, day) < 0 || store_load_day_some(j, day, want, arg, &d) < 0)
			continue;
		for (size_t i = 0; i < d.n; i++)
			fn(d.recs[i], fn_arg);
		store_day_free(&d);
	}
}

struct sessions {
	struct session *v;
	size_t n;
};

static void take_session(const struct record *r, void *arg)
{
	struct sessions *s = arg;

	take(&s->v, &s->n, r);
}

static void sessions_free(struct sessions *v)
{
	for (size_t i = 0; i < v->n; i++) {
		struct session *s = &v->v[i];
		free(s->host);
		free(s->id);
		free(s->admin);
		free(s->account);
		free(s->tty);
		free(s->from);
		for (size_t k = 0; k < s->ncmds; k++)
			free(s->cmds[k]);
	}
	free(v->v);
}

int cmd_who(int argc, char **argv)
{
	struct sessions first = { 0 }, all = { 0 };
	struct maybe_open maybe = { 0 };
	size_t shown = 0;
	int64_t now = day_now_us();
	struct journal *j;

	optind = cli_only_help(usage, argc, argv);
	if (optind < argc)
		cli_usage_exit(usage, "who: unexpected argument '%s'", argv[optind]);
	j = cmd_journal();
	cmd_ingest_first(j);
	/* first the session records alone, then those and the commands of the shells that may be open */
	each_record(j, now, is_session, NULL, take_session, &first);
	for (size_t i = 0; i < first.n; i++) {
		if (!first.v[i].closed && first.v[i].tty) {
			maybe.ids = xreallocarray(maybe.ids, maybe.n + 1, sizeof *maybe.ids);
			maybe.ids[maybe.n++] = first.v[i].id;
		}
	}
	each_record(j, now, wanted, &maybe, take_session, &all);
	for (size_t i = 0; i < all.n; i++) {
		struct session *s = &all.v[i];
		char day[DAY_LEN + 1], clock[9], last[9];

		if (!s->closed && s->tty && now - s->last < (int64_t)WHO_IDLE_HOURS * 3600 * 1000000) {
			day_of(s->since, day);
			day_clock(s->since, clock);
			day_clock(s->last, last);
			printf("%s  %s (%s)  %s%s%s  since %s %s, last active %s\n", s->host, s->admin, s->account,
			       *s->tty ? s->tty : "no tty", s->from && *s->from ? " from " : "",
			       s->from ? s->from : "", day, clock, last);
			for (size_t k = 0; k < s->ncmds; k++)
				printf("    $ %s\n", s->cmds[k]);
			shown++;
		}
	}
	if (shown == 0)
		printf("no shell open on any host\n");
	{
		struct buf out = BUF_INIT;

		cmd_incidents_remind(j, &out, true);
		cli_out(out.data, out.len);
		buf_release(&out);
	}
	sessions_free(&first);
	sessions_free(&all);
	free(maybe.ids);
	journal_close(j);
	return cli_finish_output();
}
