/*
 * logbook digest [--send] [DAY]: a day's summary as a mail (RFC 5322
 * headers, a UTF-8 text/plain body), per host: the notes and who wrote
 * them, the files that changed, how many commands each admin typed, the
 * events by level with the critical ones first, and the commands no entry
 * covers yet.  --since/--until summarise a range of days (or hours)
 * instead, --host/--admin only some of the records.  --send hands it to
 * `sendmail -t`.  A view: it never writes records.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "journal/event.h"
#include "journal/ident.h"
#include "journal/record.h"
#include "journal/store.h"
#include "journal/team.h"
#include "journal/work.h"
#include "view/advisories.h"
#include "view/index.h"
#include "view/page.h"
#include "view/threads.h"
#include "view/render.h"
#include "base/banned.h"

/* a host's events listed one by one; the rest are counted */
#define EVENTS_LISTED 40
/* the longest line of text taken from a record (SMTP allows 998 bytes) */
#define LINE_MAX_BYTES 200

static const char usage[] =
	"usage: logbook digest [--send] [--host HOST] [--admin ADMIN] [DAY]\n"
	"       logbook digest [--send] [--host HOST] [--admin ADMIN] --since TIME\n"
	"                      [--until TIME]\n"
	"\n"
	"Print a day's summary as a mail (headers and a UTF-8 text body): per\n"
	"host, the notes and who wrote them, the files that changed, the\n"
	"commands of each admin, the events by level (critical first) and the\n"
	"commands no entry covers.  DAY is yesterday by default (the morning\n"
	"digest), or today, -N, YYYY_MM_DD.  With --since (and --until: the end\n"
	"of the range, default now; alone, its day) the summary is of the\n"
	"range instead.  Recipients: the digest.to values of team.conf, else\n"
	"every admin's email.\n"
	"\n"
	"  --send         pipe the mail to 'sendmail -t' instead of printing it\n"
	CMD_RANGE_HELP
	"  -h, --help     show this help\n"
	"\n"
	"Exit status: 0 printed or handed to sendmail, 1 failed (no recipient\n"
	"for --send, sendmail failed), 2 usage.\n";

struct admin_count {
	char *admin;
	size_t n;
};

struct host_sum {
	char *host;
	struct record **notes, **changes, **events;
	size_t nnotes, nchanges, nevents;
	struct admin_count *cmds;
	size_t ncmds;
	size_t levels[3];
};

static void push(struct record ***v, size_t *n, struct record *r)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = r;
}

static struct host_sum *host_of(struct host_sum **hosts, size_t *n, const char *host)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*hosts)[i].host, host))
			return &(*hosts)[i];
	*hosts = xreallocarray(*hosts, *n + 1, sizeof **hosts);
	memset(&(*hosts)[*n], 0, sizeof **hosts);
	(*hosts)[*n].host = xstrdup(host);
	return &(*hosts)[(*n)++];
}

static void count_cmd(struct host_sum *h, const char *admin)
{
	for (size_t i = 0; i < h->ncmds; i++)
		if (!strcmp(h->cmds[i].admin, admin)) {
			h->cmds[i].n++;
			return;
		}
	h->cmds = xreallocarray(h->cmds, h->ncmds + 1, sizeof *h->cmds);
	h->cmds[h->ncmds].admin = xstrdup(admin);
	h->cmds[h->ncmds++].n = 1;
}

/* an event's level; a reboot after an unclean end is critical, another one info */
static int level_of(const struct record *r)
{
	const char *l = rec_get_str(r, "level", NULL);
	int v = l ? event_level_parse(l) : -1;

	if (!strcmp(r->kind, "boot"))
		return page_boot_unclean(r) ? EVENT_CRITICAL : EVENT_INFO;

	return v < 0 ? EVENT_INFO : v;
}

/* critical first, then warning, then info; in time order within a level */
static int by_level(const void *a, const void *b)
{
	const struct record *x = *(struct record *const *)a, *y = *(struct record *const *)b;
	int lx = level_of(x), ly = level_of(y);

	if (lx != ly)
		return ly - lx;
	return (x->time > y->time) - (x->time < y->time);
}

static int by_host(const void *a, const void *b)
{
	return strcmp(((const struct host_sum *)a)->host, ((const struct host_sum *)b)->host);
}

/* the first line of s, escaped, at most LINE_MAX_BYTES */
static void one_line(struct buf *out, const char *s, size_t len)
{
	const char *nl = memchr(s, '\n', len);
	size_t n = nl ? (size_t)(nl - s) : len;
	size_t kept = event_cut_utf8(s, n, LINE_MAX_BYTES);

	render_escape(out, s, kept, false);
	if (kept < n || nl)
		buf_adds(out, " ...");
}

static void text_field(struct buf *out, const struct record *r, const char *key)
{
	size_t len = 0;
	const char *s = rec_get_str(r, key, &len);

	if (s)
		one_line(out, s, len);
}

static void json_field(struct buf *out, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		one_line(out, json_string_value(v), json_string_length(v));
}

/* "YYYY_MM_DD HH:MM" in the team's zone, or only "HH:MM" */
#define WHEN_LEN (DAY_LEN + 6)
static void stamp(int64_t us, bool with_day, char out[WHEN_LEN + 1])
{
	char clock[9];

	day_clock(us, clock);
	if (!with_day || day_of(us, out) < 0) {
		memcpy(out, clock, 5);
		out[5] = '\0';
		return;
	}
	out[DAY_LEN] = ' ';
	memcpy(out + DAY_LEN + 1, clock, 5);
	out[WHEN_LEN] = '\0';
}

/* the time of a record: its day too when the digest is of more than one day */
static void when(const struct cmd_range *range, int64_t us, char out[WHEN_LEN + 1])
{
	stamp(us, strcmp(range->first_day, range->last_day) != 0, out);
}

static void host_section(struct journal *j, const struct cmd_range *range, struct host_sum *h, struct buf *out,
			 const struct threads *t)
{
	char clock[WHEN_LEN + 1];

	buf_addf(out, "\n== %s ==\n", h->host);
	if (h->nnotes) {
		buf_addf(out, "\nNotes (%zu):\n", h->nnotes);
		for (size_t i = 0; i < h->nnotes; i++) {
			struct record *r = h->notes[i];
			int64_t n = 0;
			when(range, r->time, clock);
			buf_addf(out, "  %s  ", clock);
			render_escape(out, r->admin, strlen(r->admin), false);
			buf_adds(out, ": ");
			text_field(out, r, "text");
			if (rec_get_int(r, "commands", &n) && n > 0)
				buf_addf(out, " (entry for %lld command%s)", (long long)n, n == 1 ? "" : "s");
			if (rec_get_str(r, "reply", NULL)) {
				buf_adds(out, " (in reply to ");
				text_field(out, r, "reply");
				buf_addc(out, ')');
			}
			buf_addc(out, '\n');
		}
	}
	if (h->nchanges) {
		buf_addf(out, "\nChanged files (%zu):\n", h->nchanges);
		for (size_t i = 0; i < h->nchanges; i++) {
			struct record *r = h->changes[i];
			const char *by = rec_get_str(r, "by", NULL);
			when(range, r->time, clock);
			buf_addf(out, "  %s  ", clock);
			text_field(out, r, "path");
			buf_adds(out, "  ");
			text_field(out, r, "summary");
			buf_adds(out, " (");
			render_escape(out, r->admin, strlen(r->admin), false);
			if (by && !strcmp(by, "scan"))
				buf_adds(out, ", found by scan");
			buf_adds(out, ")\n");
		}
	}
	if (h->ncmds) {
		buf_adds(out, "\nCommands:");
		for (size_t i = 0; i < h->ncmds; i++) {
			buf_adds(out, i ? ", " : " ");
			render_escape(out, h->cmds[i].admin, strlen(h->cmds[i].admin), false);
			buf_addf(out, " %zu", h->cmds[i].n);
		}
		buf_addc(out, '\n');
	}
	if (h->nevents) {
		qsort(h->events, h->nevents, sizeof *h->events, by_level);
		buf_addf(out, "\nEvents: %zu critical, %zu warning, %zu info\n", h->levels[EVENT_CRITICAL],
			 h->levels[EVENT_WARNING], h->levels[EVENT_INFO]);
		for (size_t i = 0; i < h->nevents && i < EVENTS_LISTED; i++) {
			struct record *r = h->events[i];
			json_t *mail = rec_get_json(r, "mail");
			struct buf boot = BUF_INIT;
			when(range, r->time, clock);
			buf_addf(out, "  %-10s %s  ", event_level_name((enum event_level)level_of(r)), clock);
			if (page_boot_line(r, &boot)) {
				buf_adds(out, "boot: ");
				one_line(out, boot.data, boot.len);
			} else {
				text_field(out, r, "source");
				buf_adds(out, ": ");
			}
			buf_release(&boot);
			if (!strcmp(r->kind, "boot")) {
				/* said above */
			} else if (json_is_object(mail)) {
				json_field(out, mail, "subject");
				buf_adds(out, " (from ");
				json_field(out, mail, "from");
				buf_addc(out, ')');
			} else {
				text_field(out, r, "text");
			}
			cmd_taken_suffix(t, r, out);
			buf_addc(out, '\n');
		}
		if (h->nevents > EVENTS_LISTED)
			buf_addf(out, "  ... and %zu more (logbook list --kind event --host %s --since %s --until %s)\n",
				 h->nevents - EVENTS_LISTED, h->host, range->first_day, range->last_day);
	}
	/* work waiting for an entry: the range's commands that no note covers yet */
	{
		bool any = false;
		for (size_t i = 0; i < h->ncmds; i++) {
			struct work w;
			size_t n = 0;
			if (work_uncovered(j, h->host, h->cmds[i].admin, &w) < 0)
				continue;
			for (size_t k = 0; k < w.n; k++)
				n += cmd_range_has(range, w.cmds[k]->time, h->host, h->cmds[i].admin);
			work_free(&w);
			if (n == 0)
				continue;
			buf_adds(out, any ? ", " : "\nUnsigned work (commands no entry covers):");
			if (!any)
				buf_addc(out, ' ');
			render_escape(out, h->cmds[i].admin, strlen(h->cmds[i].admin), false);
			buf_addf(out, " %zu", n);
			any = true;
		}
		if (any)
			buf_addc(out, '\n');
	}
	if (!h->nnotes && !h->nchanges && !h->ncmds && !h->nevents)
		buf_adds(out, "\nNothing but sessions.\n");
}

/* digest.to values, else the admins' emails; comma-separated in out */
static size_t recipients(const struct conf *c, struct buf *out)
{
	size_t n = 0;

	for (int pass = 0; pass < 2 && n == 0; pass++) {
		for (size_t i = 0; c && i < c->n; i++) {
			const struct conf_entry *e = &c->entries[i];
			bool take = pass == 0 ? !strcmp(e->section, "digest") && !e->subsection && !strcmp(e->key, "to")
					      : !strcmp(e->section, "admin") && e->subsection && !strcmp(e->key, "email");
			/* a header line must stay one line */
			if (!take || !e->value || !*e->value || strpbrk(e->value, "\r\n"))
				continue;
			buf_adds(out, n ? ", " : "");
			buf_adds(out, e->value);
			n++;
		}
	}
	return n;
}

/* the keyring's changes dated in the range: whom the team trusts is news to everyone */
static void keyring_section(struct journal *j, const struct cmd_range *range, struct buf *body)
{
	struct team_change *ch;
	size_t n;
	bool head = false;

	team_changes(j->conf, &ch, &n);
	for (size_t i = 0; i < n; i++) {
		char clock[WHEN_LEN + 1];
		if (ch[i].time < range->since || ch[i].time >= range->until)
			continue;
		if (!head)
			buf_adds(body, "\nKeyring (team.conf)\n");
		head = true;
		when(range, ch[i].time, clock);
		buf_addf(body, "  %s  %s\n", clock, ch[i].text);
	}
	team_changes_free(ch, n);
}

/* the range's days, or its one day, in the subject, the first line and the footer */
static void build(struct journal *j, const struct cmd_range *range, const struct store_day *d, const char *to,
		  const char *self_host, const struct threads *t, struct buf *mail)
{
	struct host_sum *hosts = NULL;
	size_t nhosts = 0, crit = 0, warnings = 0;
	struct buf body = BUF_INIT;
	const char *from = conf_get(j->conf, "digest", NULL, "from");
	char title[64], date[64], span[2 * DAY_LEN + 5], id[2 * DAY_LEN + 2];
	const char *day = range->first_day;
	bool one_day;
	time_t now = time(NULL);
	struct tm tm;

	for (size_t i = 0; i < d->n; i++) {
		struct record *r = d->recs[i];
		struct host_sum *h = host_of(&hosts, &nhosts, r->host);
		if (!strcmp(r->kind, "note"))
			push(&h->notes, &h->nnotes, r);
		else if (!strcmp(r->kind, "change"))
			push(&h->changes, &h->nchanges, r);
		else if (!strcmp(r->kind, "cmd"))
			count_cmd(h, r->admin);
		else if (!strcmp(r->kind, "event") || !strcmp(r->kind, "boot")) {
			push(&h->events, &h->nevents, r);
			h->levels[level_of(r)]++;
		}
	}
	if (nhosts > 1)
		qsort(hosts, nhosts, sizeof *hosts, by_host);
	for (size_t i = 0; i < nhosts; i++) {
		crit += hosts[i].levels[EVENT_CRITICAL];
		warnings += hosts[i].levels[EVENT_WARNING];
	}

	one_day = !strcmp(range->first_day, range->last_day);
	snprintf(span, sizeof span, one_day ? "%s" : "%s to %s", range->first_day, range->last_day);
	snprintf(id, sizeof id, one_day ? "%s" : "%s-%s", range->first_day, range->last_day);
	if (one_day) {
		day_title(day, title, sizeof title);
		buf_addf(&body, "Logbook of %s, %s (%s)", day, title, j->tz);
	} else {
		buf_addf(&body, "Logbook of %s (%s)", span, j->tz);
	}
	buf_addf(&body, ": %zu record%s on %zu host%s", d->n, d->n == 1 ? "" : "s", nhosts, nhosts == 1 ? "" : "s");
	if (range->host || range->admin) {
		buf_adds(&body, ", only");
		if (range->host) {
			buf_adds(&body, " host ");
			render_escape(&body, range->host, strlen(range->host), false);
		}
		if (range->admin) {
			buf_adds(&body, range->host ? " and admin " : " admin ");
			render_escape(&body, range->admin, strlen(range->admin), false);
		}
	}
	buf_adds(&body, ".\n");
	/* a range given in times: the times, as they are read later */
	if (!range->whole_days) {
		char at[WHEN_LEN + 1];
		if (range->since != INT64_MIN) {
			stamp(range->since, true, at);
			buf_addf(&body, "From %s", at);
		}
		if (range->until != INT64_MAX) {
			stamp(range->until, true, at);
			buf_addf(&body, "%s %s", range->since != INT64_MIN ? " until" : "Until", at);
		}
		buf_adds(&body, ".\n");
	}
	if (crit || warnings)
		buf_addf(&body, "Events needing a look: %zu critical, %zu warning.\n", crit, warnings);
	for (size_t i = 0; i < nhosts; i++)
		host_section(j, range, &hosts[i], &body, t);
	keyring_section(j, range, &body);
	/* what is still to patch, whatever the day: the reason to read a digest */
	adv_open_text(j, "\nSecurity advisories still open (logbook advisories)\n", "  ", &body);
	{
		struct buf open = BUF_INIT;
		cmd_threads_text(j, t, &open);
		if (open.len)
			buf_addf(&body, "\n%s", buf_str(&open));
		buf_release(&open);
	}
	if (one_day)
		buf_addf(&body, "\n-- \nlogbook digest %s; 'logbook show %s' shows the whole page.\n", day, day);
	else
		buf_addf(&body, "\n-- \nlogbook digest %s; 'logbook show --since %s --until %s' shows the pages.\n",
			 span, range->first_day, range->last_day);

	/* the Date header in English whatever the locale (LC_ALL=C in our environment is not guaranteed) */
	localtime_r(&now, &tm);
	{
		static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
		static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
						  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
		long off = tm.tm_gmtoff / 60;
		snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld", wd[tm.tm_wday], tm.tm_mday,
			 mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
			 labs(off) / 60, labs(off) % 60);
	}
	if (from && *from && !strpbrk(from, "\r\n"))
		buf_addf(mail, "From: %s\n", from);
	else
		buf_addf(mail, "From: logbook <logbook@%s>\n", self_host);
	if (to && *to)
		buf_addf(mail, "To: %s\n", to);
	buf_addf(mail, "Subject: [logbook] %s: %zu host%s", span, nhosts, nhosts == 1 ? "" : "s");
	if (crit)
		buf_addf(mail, ", %zu critical", crit);
	if (warnings)
		buf_addf(mail, ", %zu warning%s", warnings, warnings == 1 ? "" : "s");
	buf_addf(mail, "\nDate: %s\n", date);
	buf_addf(mail, "Message-ID: <logbook-digest.%s.%lld.%ld@%s>\n", id, (long long)now, (long)getpid(),
		 self_host);
	buf_adds(mail, "MIME-Version: 1.0\n"
		       "Content-Type: text/plain; charset=UTF-8\n"
		       "Content-Transfer-Encoding: 8bit\n"
		       "Auto-Submitted: auto-generated\n"
		       "\n");
	buf_add(mail, body.data, body.len);
	buf_release(&body);

	for (size_t i = 0; i < nhosts; i++) {
		free(hosts[i].host);
		free(hosts[i].notes);
		free(hosts[i].changes);
		free(hosts[i].events);
		for (size_t k = 0; k < hosts[i].ncmds; k++)
			free(hosts[i].cmds[k].admin);
		free(hosts[i].cmds);
	}
	free(hosts);
}

static int send_mail(const struct buf *mail)
{
	const char *argv[] = { "sendmail", "-t", "-i", NULL };
	struct child c = { .argv = argv, .in = RUN_PIPE, .out = RUN_INHERIT, .err = RUN_INHERIT };
	size_t off = 0;
	int status;

	if (run_start(&c) < 0)
		return -1;
	while (off < mail->len) {
		ssize_t n = write(c.to_child, mail->data + off, mail->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			errset_sys("sendmail: write");
			close(c.to_child);
			run_finish(&c);
			return -1;
		}
		off += (size_t)n;
	}
	close(c.to_child);
	status = run_finish(&c);
	if (status != 0) {
		errset("sendmail -t exited with status %d", status);
		return -1;
	}
	return 0;
}

int cmd_digest(int argc, char **argv)
{
	static const struct option opts[] = {
		CMD_RANGE_OPTIONS,
		{ "send", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool send = false;
	const char *spec;
	char day[DAY_LEN + 1], **days;
	struct cmd_range range = { 0 };
	struct store_day *loaded, all = { 0 };
	struct buf to = BUF_INIT, mail = BUF_INIT;
	struct threads threads;
	struct journal *j;
	size_t ndays;
	char *host;
	int c;

	spec = cmd_take_days_ago(&argc, argv, usage, "digest");
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (cmd_range_option(c, optarg, &range, usage, "digest"))
			continue;
		switch (c) {
		case 's':
			send = true;
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	if (argc - optind > (spec ? 0 : 1))
		cli_usage_exit(usage, "digest: too many arguments");
	if (!spec && optind < argc)
		spec = argv[optind];
	if (spec && (range.since_spec || range.until_spec))
		cli_usage_exit(usage, "digest: a day or --since/--until, not both");
	j = cmd_journal();
	cmd_range_resolve(&range, usage, "digest");
	cmd_ingest_first(j);
	if (send)
		cmd_become_git_owner(j->dir, "digest");
	if (!range.since_spec && !range.until_spec) {
		if (day_parse(spec ? spec : "yesterday", day_now_us(), day) < 0)
			cli_usage_exit(usage, "digest: %s", errget());
		cmd_range_day(&range, day, "digest");
	}
	if (!(host = ident_host()))
		die("digest: %s", errget());
	if (recipients(j->conf, &to) == 0 && send)
		die("digest: no recipient: add digest.to or the admins' email to %s/team.conf", j->dir);
	/* the range's records, day after day: in time order */
	cmd_range_days(j, &range, "digest", &days, &ndays);
	loaded = xcalloc(ndays ? ndays : 1, sizeof *loaded);
	for (size_t i = 0; i < ndays; i++) {
		if (store_load_day(j, days[i], &loaded[i], false) < 0)
			die("digest: %s", errget());
		cli_print_warnings(&loaded[i].warnings);
		for (size_t k = 0; k < loaded[i].n; k++) {
			struct record *r = loaded[i].recs[k];
			if (!cmd_range_has(&range, r->time, r->host, r->admin))
				continue;
			all.recs = xreallocarray(all.recs, all.n + 1, sizeof *all.recs);
			all.recs[all.n++] = r;
		}
	}
	if (threads_load(j, THREADS_UPDATE, &threads) < 0)
		warn_msg("digest: replies, todos and acks left out: %s", errget());
	build(j, &range, &all, buf_str(&to), host, &threads, &mail);
	if (send) {
		if (send_mail(&mail) < 0)
			die("digest: %s", errget());
	} else if (cli_out(mail.data, mail.len)) {
		/* a reader that went away is not an error */
	}
	for (size_t i = 0; i < ndays; i++) {
		store_day_free(&loaded[i]);
		free(days[i]);
	}
	free(loaded);
	free(days);
	free(all.recs);
	buf_release(&mail);
	buf_release(&to);
	free(host);
	threads_release(&threads);
	index_close();
	journal_close(j);
	return send ? EXIT_OK : cli_finish_output();
}
