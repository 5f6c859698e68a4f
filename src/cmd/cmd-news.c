/*
 * logbook news: what the other admins did and what the machines reported
 * since this admin last ran news, grouped by day page and host: notes
 * and file changes first, events, then the commands summarised per admin.
 *
 * "Since" is a marker per admin in .state/news/<admin>: the index's
 * generation and last row id, and the time of the run.  Rows are numbered
 * in the order they were indexed, so records that arrive late (synced
 * from another host an hour after they were written) are still news.
 * When the index was rebuilt or cannot be used, the time of the last run
 * stands in for the row id.  The first run shows the last NEWS_DAYS days.
 *
 * The marker also keeps each host's chain head (seq) at the run: a host
 * only ever appends, so a record of that host at or below its head was
 * already in this replica then, whatever its time or row says.  That
 * holds when the rows are numbered again (an index rebuilt, a file
 * indexed again from its start) and when a host's clock runs ahead of
 * this one's, so what news showed is not shown again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "journal/record.h"
#include "journal/ref.h"
#include "journal/store.h"
#include "journal/team.h"
#include "replica/replica.h"
#include "view/advisories.h"
#include "view/index.h"
#include "view/newsmark.h"
#include "view/page.h"
#include "view/render.h"
#include "view/threads.h"
#include "base/banned.h"

#define NEWS_DAYS 7
/* commands shown per admin and host-day, after their count */
#define NEWS_CMDS 3

static const char usage[] =
	"usage: logbook news [--all] [--since DAY] [--peek] [--color=WHEN] [--no-pager]\n"
	"\n"
	"What the other admins did and what the machines reported since you last\n"
	"ran news: per day page and host, notes and file changes first, then\n"
	"events, then the commands each admin ran, summarised.  Records that\n"
	"reached this replica late (synced from another host) count as news when\n"
	"they arrive.  The first run shows the last 7 days.  Your place is kept\n"
	"in .state/news/ under your admin name.\n"
	"\n"
	"  --all          ignore your place: the last 7 days (or from --since)\n"
	"  --since DAY    start at day page DAY (today, yesterday, -N, YYYY_MM_DD)\n"
	"  --peek         show the news without moving your place\n"
	"  --color=WHEN   colour: auto (on a terminal, unless $NO_COLOR is set),\n"
	"                 always or never\n"
	"  --no-pager     write to standard output directly\n"
	"  -h, --help     show this help\n";

enum { OPT_COLOR = 256, OPT_NO_PAGER, OPT_SINCE, OPT_ALL, OPT_PEEK };

/* one record kept for the page: the kinds shown one by one */
struct item {
	int64_t time;
	char *line;		/* rendered, escaped, without the time */
	int order;		/* notes 0, changes 1, events 2 */
};

struct admin_cmds {
	char *admin;
	size_t count;
	int64_t first, last;
	char *recent[NEWS_CMDS];	/* their lines, newest last */
	size_t nrecent;
};

struct host_news {
	char *day, *host;
	struct item *items;
	size_t nitems;
	struct admin_cmds *cmds;
	size_t ncmds;
};

/* a reply among the news, kept to ask whether it answers this admin */
struct reply_news {
	char *target;		/* HOST:SEQ */
	char *line;		/* rendered, escaped */
	int64_t time;
};

struct news {
	const char *me;
	const struct threads *threads;
	struct reply_news *replies;
	size_t nreplies;
	bool all, color;
	int64_t since_time;	/* records before this time are not news (0: any) */
	const struct newsmark *seen;	/* records at or below a host's head there are not news (NULL: any) */
	struct host_news *v;
	size_t n;
	size_t records;
};

static struct host_news *host_of(struct news *n, const char *day, const char *host)
{
	/* newest first: the rows come in time order, so the day's hosts are the last ones added */
	for (size_t i = n->n; i-- > 0;)
		if (!strcmp(n->v[i].day, day) && !strcmp(n->v[i].host, host))
			return &n->v[i];
	n->v = xreallocarray(n->v, n->n + 1, sizeof *n->v);
	memset(&n->v[n->n], 0, sizeof *n->v);
	n->v[n->n].day = xstrdup(day);
	n->v[n->n].host = xstrdup(host);
	return &n->v[n->n++];
}

static void add_item(struct host_news *h, int64_t time, int order, struct buf *line)
{
	h->items = xreallocarray(h->items, h->nitems + 1, sizeof *h->items);
	h->items[h->nitems++] = (struct item){ .time = time, .order = order, .line = buf_detach(line, NULL) };
}

/* the text field key of r, escaped; continuation lines indented by indent */
static void add_text(struct buf *out, const struct record *r, const char *key, size_t indent)
{
	struct buf raw = BUF_INIT, esc = BUF_INIT;

	if (rec_get_text(r, key, &raw) == 0) {
		cmd_trim(&raw);
		render_escape(&esc, buf_str(&raw), raw.len, true);
		for (const char *p = buf_str(&esc); *p; p++) {
			buf_addc(out, *p);
			if (*p == '\n')
				for (size_t i = 0; i < indent; i++)
					buf_addc(out, ' ');
		}
	}
	buf_release(&raw);
	buf_release(&esc);
}

static void add_escaped(struct buf *out, const char *s)
{
	render_escape(out, s, strlen(s), false);
}

/*
 * A command counts from its row alone (admin, time); only the last
 * NEWS_CMDS of each admin and host-day are shown, so only their lines are
 * kept, and parsed when printed: a week of a busy team is tens of
 * thousands of commands.
 */
static void take_cmd(struct host_news *h, const struct index_hit *hit)
{
	struct admin_cmds *a = NULL;

	for (size_t i = 0; i < h->ncmds && !a; i++)
		if (!strcmp(h->cmds[i].admin, hit->admin))
			a = &h->cmds[i];
	if (!a) {
		h->cmds = xreallocarray(h->cmds, h->ncmds + 1, sizeof *h->cmds);
		a = &h->cmds[h->ncmds++];
		memset(a, 0, sizeof *a);
		a->admin = xstrdup(hit->admin);
		a->first = hit->time;
	}
	a->count++;
	if (hit->time < a->first)
		a->first = hit->time;
	if (hit->time > a->last)
		a->last = hit->time;
	/* one without text is counted, not listed (a well-formed one has "cmd" or "cmd_b64") */
	if (!memmem(hit->line, hit->len, "\"cmd\":\"", 7) && !memmem(hit->line, hit->len, "\"cmd_b64\":\"", 11))
		return;
	if (a->nrecent == NEWS_CMDS) {
		free(a->recent[0]);
		memmove(a->recent, a->recent + 1, (NEWS_CMDS - 1) * sizeof *a->recent);
		a->nrecent--;
	}
	a->recent[a->nrecent++] = xstrndup(hit->line, hit->len);
}

/* a command's first line, escaped, " ..." when it has more; nothing when it has no text */
static void add_cmd(struct buf *out, const char *line)
{
	struct record *r = rec_parse(line, strlen(line), false);
	struct buf raw = BUF_INIT;

	if (r && rec_get_text(r, "cmd", &raw) == 0) {
		const char *nl = memchr(buf_str(&raw), '\n', raw.len);
		render_escape(out, buf_str(&raw), nl ? (size_t)(nl - buf_str(&raw)) : raw.len, false);
		if (nl)
			buf_adds(out, " ...");
	}
	buf_release(&raw);
	rec_free(r);
}

static int take(const struct index_hit *hit, void *arg)
{
	struct news *n = arg;
	struct record *r;
	struct host_news *h;
	struct buf line = BUF_INIT;
	int64_t head;

	/* what the machines said is news to everyone, whoever ran the script */
	if (!strcmp(hit->admin, n->me) && strcmp(hit->kind, "event"))
		return 0;
	/* a host the marker knows: its chain says what was here; others: the time */
	if (n->seen && (head = newsmark_head(n->seen, hit->host)) >= 0 ? hit->seq <= head : hit->time < n->since_time)
		return 0;
	/* who shows the shells; a signature is a seal, not news */
	if (!strcmp(hit->kind, "session") || !strcmp(hit->kind, "sign"))
		return 0;
	if (!hit->line)
		return 0;
	if (!strcmp(hit->kind, "cmd") && !memchr(hit->line, '\0', hit->len)) {
		/* the index parsed it; its row says what counting needs */
		take_cmd(host_of(n, hit->day, hit->host), hit);
		n->records++;
		return 0;
	}
	if (!(r = rec_parse(hit->line, hit->len, false)))
		return 0;
	h = host_of(n, hit->day, hit->host);
	n->records++;
	if (!strcmp(r->kind, "note")) {
		const char *reply = rec_get_str(r, "reply", NULL);
		char ref[REF_MAX + 1];
		add_escaped(&line, r->admin);
		buf_adds(&line, ": ");
		add_text(&line, r, "text", 15);
		/* a reply says what it answers, and its own reference to answer it back */
		if (reply) {
			ref_format(r->host, r->seq, ref);
			buf_adds(&line, "  (");
			add_escaped(&line, ref);
			buf_adds(&line, ", in reply to ");
			add_escaped(&line, reply);
			buf_addc(&line, ')');
			n->replies = xreallocarray(n->replies, n->nreplies + 1, sizeof *n->replies);
			n->replies[n->nreplies++] = (struct reply_news){ .target = xstrdup(reply), .time = r->time,
									 .line = xstrdup(buf_str(&line)) };
		}
		add_item(h, r->time, 0, &line);
	} else if (!strcmp(r->kind, "todo") || !strcmp(r->kind, "ack")) {
		const char *event = rec_get_str(r, "event", NULL), *about = rec_get_str(r, "about", NULL);
		char ref[REF_MAX + 1];
		ref_format(r->host, r->seq, ref);
		add_escaped(&line, r->admin);
		if (!strcmp(r->kind, "ack")) {
			buf_adds(&line, " took ");
			add_text(&line, r, "ref", 0);
		} else if (event && !strcmp(event, "done")) {
			buf_adds(&line, " did ");
			add_text(&line, r, "ref", 0);
		} else {
			buf_adds(&line, " left to do");
			if (about) {
				buf_adds(&line, " on ");
				add_escaped(&line, about);
			}
			buf_adds(&line, ": ");
			add_text(&line, r, "text", 15);
			buf_adds(&line, "  (");
			add_escaped(&line, ref);
			buf_addc(&line, ')');
		}
		add_item(h, r->time, 1, &line);
	} else if (!strcmp(r->kind, "change")) {
		const char *summary = rec_get_str(r, "summary", NULL);
		add_escaped(&line, r->admin);
		buf_adds(&line, " changed ");
		add_text(&line, r, "path", 0);
		if (summary) {
			buf_adds(&line, " (");
			add_escaped(&line, summary);
			buf_addc(&line, ')');
		}
		if (!strcmp(r->admin, "unattributed"))
			buf_adds(&line, ": nobody committed it");
		add_item(h, r->time, 1, &line);
	} else if (!strcmp(r->kind, "event")) {
		const char *level = rec_get_str(r, "level", NULL), *source = rec_get_str(r, "source", NULL);
		json_t *mail = rec_get_json(r, "mail");
		json_t *subject = json_is_object(mail) ? json_object_get(mail, "subject") : NULL;
		struct buf raw = BUF_INIT;
		buf_adds(&line, "event ");
		if (level) {
			buf_addc(&line, '[');
			add_escaped(&line, level);
			buf_adds(&line, "] ");
		}
		if (source) {
			add_escaped(&line, source);
			buf_adds(&line, ": ");
		}
		if (json_is_string(subject)) {
			render_escape(&line, json_string_value(subject), json_string_length(subject), false);
		} else if (rec_get_text(r, "text", &raw) == 0) {
			const char *nl = memchr(buf_str(&raw), '\n', raw.len);
			render_escape(&line, buf_str(&raw), nl ? (size_t)(nl - buf_str(&raw)) : raw.len, false);
		}
		buf_release(&raw);
		cmd_taken_suffix(n->threads, r, &line);
		/* the critical ones lead the machines' part */
		add_item(h, r->time, level && !strcmp(level, "critical") ? 2 : 3, &line);
	} else if (!strcmp(r->kind, "boot")) {
		struct buf boot = BUF_INIT;
		page_boot_line(r, &boot);
		render_escape(&line, buf_str(&boot), boot.len, false);
		buf_release(&boot);
		/* an unclean end leads the machines' part with the critical events */
		add_item(h, r->time, page_boot_unclean(r) ? 2 : 3, &line);
	} else {
		add_escaped(&line, r->admin);
		buf_adds(&line, ": ");
		add_escaped(&line, r->kind);
		buf_adds(&line, " record");
		add_item(h, r->time, 4, &line);
	}
	rec_free(r);
	return 0;
}

/* the replies among the news that answer a record of this admin, first of all */
static void replies_to_me(struct journal *j, struct news *n, struct buf *out)
{
	size_t shown = 0;

	for (size_t i = 0; i < n->nreplies; i++) {
		struct rec_ref ref;
		struct record *target = NULL;
		char day[DAY_LEN + 1], clock[9];
		if (ref_parse(n->replies[i].target, strlen(n->replies[i].target), &ref) == 0 &&
		    threads_find(j, &ref, &target, NULL) == 1 && !strcmp(target->admin, n->me)) {
			if (shown++ == 0)
				buf_adds(out, "Replies to you:\n");
			day_of(n->replies[i].time, day);
			day_clock(n->replies[i].time, clock);
			buf_addf(out, "  %s %.5s  %s\n", day, clock, n->replies[i].line);
		}
		rec_free(target);
		free(n->replies[i].target);
		free(n->replies[i].line);
	}
	free(n->replies);
	n->replies = NULL;
	n->nreplies = 0;
	if (shown)
		buf_addc(out, '\n');
}

static int host_cmp(const void *a, const void *b)
{
	const struct host_news *x = a, *y = b;
	int c = strcmp(x->day, y->day);

	return c ? c : strcmp(x->host, y->host);
}

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->order != y->order)
		return x->order - y->order;
	return x->time < y->time ? -1 : x->time > y->time;
}

static void print_news(struct news *n, struct buf *out)
{
	const char *bold = n->color ? "\033[1m" : "", *dim = n->color ? "\033[2m" : "", *reset = n->color ? "\033[0m" : "";
	char day[DAY_LEN + 1] = "";

	if (n->n)
		qsort(n->v, n->n, sizeof *n->v, host_cmp);
	for (size_t i = 0; i < n->n; i++) {
		struct host_news *h = &n->v[i];
		char clock[9], until[9];
		if (strcmp(day, h->day)) {
			buf_addf(out, "%s%s%s\n", bold, h->day, reset);
			snprintf(day, sizeof day, "%s", h->day);
		}
		buf_addf(out, "  %s", bold);
		add_escaped(out, h->host);
		buf_addf(out, "%s\n", reset);
		if (h->nitems)
			qsort(h->items, h->nitems, sizeof *h->items, item_cmp);
		for (size_t k = 0; k < h->nitems; k++) {
			day_clock(h->items[k].time, clock);
			buf_addf(out, "    %s%s%s %s\n", dim, clock, reset, h->items[k].line);
			free(h->items[k].line);
		}
		for (size_t k = 0; k < h->ncmds; k++) {
			struct admin_cmds *a = &h->cmds[k];
			day_clock(a->first, clock);
			day_clock(a->last, until);
			buf_adds(out, "    ");
			add_escaped(out, a->admin);
			buf_addf(out, " ran %zu command%s, %s-%s", a->count, a->count == 1 ? "" : "s", clock, until);
			for (size_t m = 0; m < a->nrecent; m++) {
				buf_adds(out, m ? "; " : a->count > a->nrecent ? ", the last: " : ": ");
				add_cmd(out, a->recent[m]);
				free(a->recent[m]);
			}
			buf_addc(out, '\n');
			free(a->admin);
		}
		free(h->items);
		free(h->cmds);
		free(h->day);
		free(h->host);
	}
	free(n->v);
	n->v = NULL;
	n->n = 0;
}

/*
 * What changed in whom the team trusts, before the records: the keyring's
 * changes since the marker (or from the day since on), and whatever sync
 * keeps aside, every time until an admin settled it (replica.h).
 */
static void trust_news(struct journal *j, int64_t after, const char *since, struct buf *out)
{
	struct team_change *ch;
	struct replica_kept *kept;
	size_t nch, nkept;
	bool head = false;

	team_changes(j->conf, &ch, &nch);
	for (size_t i = 0; i < nch; i++) {
		char day[DAY_LEN + 1], t[DAY_TIME_LEN + 1];
		day_of(ch[i].time, day);
		if (after ? ch[i].time <= after : strcmp(day, since) < 0)
			continue;
		if (!head)
			buf_adds(out, "Keyring (team.conf):\n");
		head = true;
		day_time_format(ch[i].time, t);
		buf_addf(out, "  %.10s %.5s UTC  %s\n", t, t + 11, ch[i].text);
	}
	team_changes_free(ch, nch);
	if (replica_quarantined(j, &kept, &nkept) == 0 && nkept) {
		buf_adds(out, "Kept aside by sync, not in the files (logbook doctor says how to look):\n");
		for (size_t i = 0; i < nkept; i++)
			buf_addf(out, "  %s: %s\n", kept[i].name, kept[i].why);
		replica_kept_free(kept, nkept);
	}
	/* open advisories every time, like what sync keeps aside: until the hosts are patched */
	adv_open_text(j, "Security advisories still open (logbook advisories):\n", "  ", out);
	if (out->len)
		buf_addc(out, '\n');
}

int cmd_news(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, OPT_ALL },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "peek", no_argument, NULL, OPT_PEEK },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "colour", required_argument, NULL, OPT_COLOR },
		{ "no-pager", no_argument, NULL, OPT_NO_PAGER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct news n = { 0 };
	struct threads threads = { 0 };
	struct index_query q = { .oldest_first = true, .lines = true };
	struct index_position pos = { .last_id = 0 };
	struct buf out = BUF_INIT;
	char since[DAY_LEN + 1];
	const char *when = "auto", *since_arg = NULL;
	bool pager = true, peek = false, indexed, threads_ok;
	int64_t now = day_now_us();
	struct ident id = { 0 };
	struct newsmark m;
	struct store_head *heads = NULL;
	size_t nheads = 0;
	struct journal *j;
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ALL:
			n.all = true;
			break;
		case OPT_SINCE:
			since_arg = optarg;
			break;
		case OPT_PEEK:
			peek = true;
			break;
		case OPT_COLOR:
			when = cmd_color_when(usage, "news", optarg);
			break;
		case OPT_NO_PAGER:
			pager = false;
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	if (optind < argc)
		cli_usage_exit(usage, "news: unexpected argument '%s'", argv[optind]);
	if (since_arg && day_parse(since_arg, now, since) < 0)
		cli_usage_exit(usage, "news: --since: %s", errget());
	j = cmd_journal();
	cmd_ingest_first(j);
	if (ident_resolve_in(&id, j) < 0)
		die_err();
	n.me = id.admin;
	/* every host (no host is named ""), before the index's position */
	if (store_heads(j, "", &heads, &nheads) < 0)
		nheads = 0;
	/* threads_load brings the index up to date: once for both */
	threads_ok = threads_load(j, THREADS_UPDATE, &threads) == 0;
	indexed = index_position(&pos) == 0 || (index_update(j, NULL) == 0 && index_position(&pos) == 0);
	if (newsmark_read(j, id.admin, &m) < 0)
		warn_msg("news: %s; starting from the last %d days", errget(), NEWS_DAYS);
	if (!since_arg) {
		char spec[16];
		snprintf(spec, sizeof spec, "-%d", NEWS_DAYS - 1);
		day_parse(spec, now, since);
	}
	q.since = since;
	if (since_arg || n.all || !m.valid) {
		/* the first run, or --all/--since: the days asked for */
	} else if (indexed && !strcmp(m.generation, pos.generation)) {
		q.after_id = m.last_id;
		q.since = NULL;
	} else {
		/*
		 * The index was rebuilt (or cannot be used): the hosts' heads say
		 * what was here, over the usual days (late records are news);
		 * the time of the last run stands in for hosts without one.
		 */
		n.since_time = m.time;
		if (!m.nheads)
			day_of(m.time, since);
	}
	if (m.valid && !since_arg && !n.all)
		n.seen = &m;
	n.color = cmd_use_color(when);
	if (pager)
		run_pager_start();
	cmd_incidents_remind(j, &out, true);
	if (threads_ok)
		n.threads = &threads;
	trust_news(j, since_arg || n.all || !m.valid ? 0 : m.time, since, &out);
	{
		struct buf open = BUF_INIT;
		cmd_threads_text(j, &threads, &open);
		if (open.len)
			buf_addf(&out, "%s\n", buf_str(&open));
		buf_release(&open);
	}
	if (index_search(j, &q, take, &n) < 0)
		die("news: %s", errget());
	{
		/* replies to you lead, before everything else */
		struct buf first = BUF_INIT;
		replies_to_me(j, &n, &first);
		if (first.len) {
			buf_add(&first, out.data ? out.data : "", out.len);
			buf_release(&out);
			out = first;
		}
	}
	if (n.records == 0) {
		if (m.valid && !n.all && !since_arg) {
			char day[DAY_LEN + 1], clock[9];
			day_of(m.time, day);
			day_clock(m.time, clock);
			buf_addf(&out, "nothing new since you last looked (%s %s)\n", day, clock);
		} else {
			buf_addf(&out, "nothing from %s on\n", q.since ? q.since : since);
		}
	}
	print_news(&n, &out);
	cli_out(out.data, out.len);
	buf_release(&out);
	if (!peek && newsmark_write(j, id.admin, &pos, now, heads, nheads) < 0)
		warn_msg("news: %s", errget());
	free(heads);
	free(m.heads);
	threads_release(&threads);
	index_close();
	ident_release(&id);
	journal_close(j);
	return cli_finish_output();
}
