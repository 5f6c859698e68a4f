/*
 * logbook show [DAY]: one day page, every host, in time order; with
 * --since/--until, each day of the range that has records, one page
 * after another; --host and --admin keep only their records.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "journal/store.h"
#include "view/markup.h"
#include "view/page.h"
#include "view/render.h"
#include "view/threads.h"
#include "view/index.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook show [--json] [--format=FORMAT] [--color=WHEN] [--no-pager]\n"
	"                    [--host HOST] [--admin ADMIN] [DAY]\n"
	"       logbook show [--json] [--format=FORMAT] [--color=WHEN] [--no-pager]\n"
	"                    [--host HOST] [--admin ADMIN] --since TIME [--until TIME]\n"
	"\n"
	"Show one day page: per host, each admin's stretch of work (the notes,\n"
	"the commands, the changes, the signature), then the host's events and\n"
	"mails.  Routine commands (team.conf [show] noise; default clear, ls,\n"
	"cd, pwd, history, logbook, ...) are counted, not listed; identical\n"
	"events are shown once with a count.  DAY is today (the default),\n"
	"yesterday, -N (N days ago), YYYY_MM_DD or YYYY-MM-DD, in the team's\n"
	"time zone.  On a terminal the page goes through $PAGER (default less)\n"
	"in colour.  With --since (and --until: the end of the range, default\n"
	"now; alone, its day), each day of the range that has records in it is\n"
	"shown, oldest first, one page after another; the days without are\n"
	"left out.\n"
	"\n"
	CMD_RANGE_HELP
	"  --json         print the day's records as stored, one JSON object per\n"
	"                 line, in time order\n"
	"  --format=FORMAT  text (the default: the page as above), dokuwiki (the\n"
	"                 page logbook export writes into a DokuWiki) or markdown\n"
	"                 (to paste into a GitLab issue or a post-mortem)\n"
	"  --color=WHEN   colour: auto (on a terminal, unless $NO_COLOR is set),\n"
	"                 always or never\n"
	"  --no-pager     write to standard output directly\n"
	"  -h, --help     show this help\n";

enum { OPT_COLOR = 256, OPT_NO_PAGER, OPT_JSON, OPT_FORMAT };

/* records of a day kept parsed while the page is built (a few KiB each): a busy team's day is about 3,000 */
#define SHOW_PARSED_MAX 20000

/* how the day is printed: the lines as stored, a markup page or the text page */
struct page_out {
	bool json, markup, pager;
	enum markup_format format;
	struct render rd;
	size_t pages;		/* printed so far */
	const struct threads *threads;	/* replies and acks under what they answer, or NULL */
};

/* whether line i of d is in the range (any line when the range narrows nothing) */
static bool in_range(const struct store_day_lines *d, size_t i, const struct cmd_range *range)
{
	const char *line, *path;
	size_t len, lineno;
	const struct record *rec;

	if (!cmd_range_given(range))
		return true;
	if ((rec = store_day_line_record(d, i)))
		return cmd_range_has(range, rec->time, rec->host, rec->admin);
	store_day_line(d, i, &line, &len, &path, &lineno);
	return cmd_range_line(range, line, len);
}

/* the day's lines in the range as stored, written out every 64 KiB */
static void print_lines(const struct store_day_lines *d, const bool *keep)
{
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < d->n; i++) {
		const char *line, *path;
		size_t len, lineno;

		if (!keep[i])
			continue;
		store_day_line(d, i, &line, &len, &path, &lineno);
		/* the line exactly as stored, checked when the day was read */
		buf_add(&out, line, len);
		buf_addc(&out, '\n');
		if (out.len >= 65536) {
			if (!cli_out(out.data, out.len))
				break;
			buf_reset(&out);
		}
	}
	cli_out(out.data, out.len);
	buf_release(&out);
}

/* the day page (view/page.h), built from the records in the range, then rendered */
static void print_page(struct page_out *p, const struct journal *j, const char *day, const struct store_day_lines *d,
		       const bool *keep, size_t kept)
{
	struct buf out = BUF_INIT;
	struct page pg;

	if (p->json) {
		print_lines(d, keep);
		return;
	}
	page_init(&pg, day, j->tz, conf_get(j->conf, "show", NULL, "noise"));
	for (size_t i = 0; i < d->n; i++) {
		const char *line, *path;
		size_t len, lineno;

		if (!keep[i])
			continue;
		store_day_line(d, i, &line, &len, &path, &lineno);
		if (store_day_line_record(d, i))
			page_add_record(&pg, store_day_line_record(d, i), line, len, path, lineno);
		else
			page_add(&pg, line, len, path, lineno);
	}
	page_finish(&pg);
	pg.threads = p->threads;
	/* the pages of a range one after another, an empty line between */
	if (p->pages > 1)
		buf_addc(&out, '\n');
	if (p->markup) {
		markup_page_write(p->format, &out, &pg);
	} else {
		render_day_header(&p->rd, &out, day, j->tz, kept);
		cmd_incidents_remind(j, &out, false);
		render_day_page(&p->rd, &out, &pg);
		render_release(&p->rd);
	}
	cli_out(out.data, out.len);
	buf_release(&out);
	page_release(&pg);
}

/* one day's page of the records in range, if it has any */
static void show_day(struct page_out *p, struct journal *j, const char *day, const struct cmd_range *range)
{
	struct store_day_lines d;
	size_t kept = 0;
	bool *keep;

	/* a usual day is parsed once; the lines of a day bigger than SHOW_PARSED_MAX are parsed again to be shown */
	if ((p->json ? store_day_lines_load(j, day, &d) : store_day_lines_load_parsed(j, day, SHOW_PARSED_MAX, &d)) < 0)
		die("show: %s", errget());
	cli_print_warnings(&d.warnings);
	keep = xcalloc(d.n ? d.n : 1, sizeof *keep);
	for (size_t i = 0; i < d.n; i++)
		kept += keep[i] = in_range(&d, i, range);
	if (kept) {
		/* the pager starts with the first page: "no records" stays on the terminal */
		if (p->pager && !p->pages)
			run_pager_start();
		p->pages++;
		print_page(p, j, day, &d, keep, kept);
	}
	free(keep);
	store_day_lines_free(&d);
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		CMD_RANGE_OPTIONS,
		{ "json", no_argument, NULL, OPT_JSON },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "colour", required_argument, NULL, OPT_COLOR },
		{ "no-pager", no_argument, NULL, OPT_NO_PAGER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *when = "auto";
	bool json = false, pager = true;
	const char *format = "text";
	struct cmd_range range = { 0 };
	struct page_out page = { 0 };
	struct threads threads = { 0 };
	char day[DAY_LEN + 1], what[2 * DAY_LEN + 5];
	struct journal *j;
	const char *spec;
	int c;

	spec = cmd_take_days_ago(&argc, argv, usage, "show");
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (cmd_range_option(c, optarg, &range, usage, "show"))
			continue;
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "dokuwiki") && strcmp(optarg, "markdown"))
				cli_usage_exit(usage, "show: --format takes text, dokuwiki or markdown, not '%s'", optarg);
			format = optarg;
			break;
		case OPT_COLOR:
			when = cmd_color_when(usage, "show", optarg);
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
	if (json && strcmp(format, "text"))
		cli_usage_exit(usage, "show: --json and --format exclude each other");
	if (argc - optind > (spec ? 0 : 1))
		cli_usage_exit(usage, "show: too many arguments");
	if (!spec && optind < argc)
		spec = argv[optind];
	if (spec && (range.since_spec || range.until_spec))
		cli_usage_exit(usage, "show: a day or --since/--until, not both");
	j = cmd_journal();
	cmd_range_resolve(&range, usage, "show");
	cmd_ingest_first(j);

	page.json = json;
	page.markup = !!strcmp(format, "text");
	page.pager = pager && !json;
	if (page.markup)
		page.format = !strcmp(format, "dokuwiki") ? MARKUP_DOKUWIKI : MARKUP_MARKDOWN;
	else
		page.rd.color = cmd_use_color(when);
	if (!json && threads_load(j, THREADS_CACHED, &threads) == 0)
		page.threads = &threads;
	if (range.since_spec || range.until_spec) {
		char **days;
		size_t n;

		cmd_range_days(j, &range, "show", &days, &n);
		for (size_t i = 0; i < n; i++) {
			show_day(&page, j, days[i], &range);
			free(days[i]);
		}
		free(days);
		snprintf(what, sizeof what, strcmp(range.first_day, range.last_day) ? "%s to %s" : "%s",
			 range.first_day, range.last_day);
	} else {
		if (day_parse(spec ? spec : "today", day_now_us(), day) < 0)
			cli_usage_exit(usage, "show: %s", errget());
		show_day(&page, j, day, &range);
		snprintf(what, sizeof what, "%s", day);
	}
	if (!page.pages) {
		if (json)
			warn_msg("show: %s: no records", what);
		else
			printf("%s: no records\n", what);
	}
	threads_release(&threads);
	journal_close(j);
	return cli_finish_output();
}
