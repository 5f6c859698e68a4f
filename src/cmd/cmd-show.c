/*
 * logbook show [DAY]: one day page, every host, in time order.
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
#include "cmd/cmd.h"
#include "journal/store.h"
#include "view/markup.h"
#include "view/page.h"
#include "view/render.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook show [--json] [--format=FORMAT] [--color=WHEN] [--no-pager] [DAY]\n"
	"\n"
	"Show one day page: per host, each admin's stretch of work (the notes,\n"
	"the commands, the changes, the signature), then the host's events and\n"
	"mails.  Routine commands (team.conf [show] noise; default clear, ls,\n"
	"cd, pwd, history, logbook, ...) are counted, not listed; identical\n"
	"events are shown once with a count.  DAY is today (the default),\n"
	"yesterday, -N (N days ago), YYYY_MM_DD or YYYY-MM-DD, in the team's\n"
	"time zone.  On a terminal the page goes through $PAGER (default less)\n"
	"in colour.\n"
	"\n"
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

/* how the day is printed: the lines as stored, a markup page or the text page */
struct page_out {
	bool json, markup;
	enum markup_format format;
	struct render rd;
};

/* the day's lines as stored, written out every 64 KiB */
static void print_lines(const struct store_day_lines *d)
{
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < d->n; i++) {
		const char *line, *path;
		size_t len, lineno;

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

/* the day page (view/page.h), built from every record, then rendered */
static void print_page(struct page_out *p, const struct journal *j, const char *day, const struct store_day_lines *d)
{
	struct buf out = BUF_INIT;
	struct page pg;

	if (p->json) {
		print_lines(d);
		return;
	}
	page_init(&pg, day, j->tz, conf_get(j->conf, "show", NULL, "noise"));
	for (size_t i = 0; i < d->n; i++) {
		const char *line, *path;
		size_t len, lineno;

		store_day_line(d, i, &line, &len, &path, &lineno);
		page_add(&pg, line, len, path, lineno);
	}
	page_finish(&pg);
	if (p->markup) {
		markup_page_write(p->format, &out, &pg);
	} else {
		render_day_header(&p->rd, &out, day, j->tz, d->n);
		render_day_page(&p->rd, &out, &pg);
		render_release(&p->rd);
	}
	cli_out(out.data, out.len);
	buf_release(&out);
	page_release(&pg);
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
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
	char day[DAY_LEN + 1];
	struct store_day_lines d;
	struct journal *j;
	const char *spec;
	int c;

	spec = cmd_take_days_ago(&argc, argv, usage, "show");
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
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
	if (!spec)
		spec = optind < argc ? argv[optind] : "today";
	j = cmd_journal();
	cmd_ingest_first(j);
	if (day_parse(spec, day_now_us(), day) < 0)
		cli_usage_exit(usage, "show: %s", errget());
	if (store_day_lines_load(j, day, &d) < 0)
		die("show: %s", errget());
	cli_print_warnings(&d.warnings);

	if (d.n == 0) {
		if (json)
			warn_msg("show: %s: no records", day);
		else
			printf("%s: no records\n", day);
	} else {
		struct page_out page = { .json = json, .markup = !!strcmp(format, "text") };

		if (page.markup)
			page.format = !strcmp(format, "dokuwiki") ? MARKUP_DOKUWIKI : MARKUP_MARKDOWN;
		else
			page.rd.color = cmd_use_color(when);
		if (pager && !json)
			run_pager_start();
		print_page(&page, j, day, &d);
	}
	store_day_lines_free(&d);
	journal_close(j);
	return cli_finish_output();
}
