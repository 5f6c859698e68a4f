/*
 * logbook export --dokuwiki DIR [--namespace NS]: the day pages into a
 * DokuWiki's pages directory (export.c), only the days that changed; with
 * a range, only its days.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "view/export.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook export --dokuwiki DIR [--namespace NS] [--force] [--quiet]\n"
	"                      [--since TIME] [--until TIME] [--host HOST] [--admin ADMIN]\n"
	"\n"
	"Write the day pages into a DokuWiki: DIR is its pages directory (such as\n"
	"/var/lib/dokuwiki/data/pages); each day becomes DIR/NS/YYYY_MM_DD.txt and\n"
	"DIR/NS/start.txt lists the days, newest first, with who worked on which\n"
	"host.  Only the days whose records changed since the last export are\n"
	"written again, each to a temporary file renamed over the page.  Nothing a\n"
	"record holds can become wiki markup.  team.conf's export.dokuwiki (and\n"
	"export.namespace) make logbook sync export after each sync.\n"
	"With --since, --until, --host or --admin only the days with records in\n"
	"that range (of that host, of that admin) are exported; a page is\n"
	"always the whole day, every host and admin, and the index lists the\n"
	"days exported now or before.\n"
	"\n"
	"  --dokuwiki DIR   the wiki's pages directory (required)\n"
	"  --namespace NS   the namespace of the pages (default journal), named\n"
	"                   as DokuWiki cleans page names: 'Admin Log' is admin_log\n"
	"  --force          write every page again\n"
	"  --quiet          print nothing but errors\n"
	CMD_RANGE_HELP
	"  -h, --help       show this help\n";

enum { OPT_DOKUWIKI = 256, OPT_NAMESPACE, OPT_FORCE, OPT_QUIET };

/* keep the days that have a record in the range, in order: how many */
static size_t days_with_records(struct journal *j, const struct cmd_range *r, char **days, size_t n)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		struct store_day_lines d;
		bool any = false;

		if (store_day_lines_load(j, days[i], &d) < 0)
			die("export: %s", errget());
		for (size_t k = 0; k < d.n && !any; k++) {
			const char *line, *path;
			size_t len, lineno;

			store_day_line(&d, k, &line, &len, &path, &lineno);
			any = cmd_range_line(r, line, len);
		}
		store_day_lines_free(&d);
		if (any)
			days[kept++] = days[i];
		else
			free(days[i]);
	}
	return kept;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		CMD_RANGE_OPTIONS,
		{ "dokuwiki", required_argument, NULL, OPT_DOKUWIKI },
		{ "namespace", required_argument, NULL, OPT_NAMESPACE },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *ns = EXPORT_DEFAULT_NAMESPACE;
	bool force = false, quiet = false;
	struct journal *j;
	char *clean;
	struct export_report rep;
	struct cmd_range range = { 0 };
	char **days = NULL;
	size_t ndays = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (cmd_range_option(c, optarg, &range, usage, "export"))
			continue;
		switch (c) {
		case OPT_DOKUWIKI:
			dir = optarg;
			break;
		case OPT_NAMESPACE:
			ns = optarg;
			break;
		case OPT_FORCE:
			force = true;
			break;
		case OPT_QUIET:
			quiet = true;
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	if (optind < argc)
		cli_usage_exit(usage, "export: too many arguments");
	if (!dir)
		cli_usage_exit(usage, "export: --dokuwiki DIR is required");
	if (!*dir)
		cli_usage_exit(usage, "export: --dokuwiki needs a directory");
	if (!(clean = export_namespace(ns)))
		cli_usage_exit(usage, "export: %s", errget());
	free(clean);
	j = cmd_journal();
	cmd_range_resolve(&range, usage, "export");
	cmd_ingest_first(j);
	cmd_become_git_owner(j->dir, "export");
	if (cmd_range_given(&range)) {
		/* a range without a start reaches back to the first day */
		if (!range.first_day[0])
			memcpy(range.first_day, "1970_01_01", sizeof range.first_day);
		cmd_range_days(j, &range, "export", &days, &ndays);
		ndays = days_with_records(j, &range, days, ndays);
		if (!days)
			days = xcalloc(1, sizeof *days);	/* no day at all, not every day */
		rc = export_dokuwiki_days(j, dir, ns, force, days, ndays, &rep);
	} else {
		rc = export_dokuwiki(j, dir, ns, force, &rep);
	}
	cli_print_warnings(&rep.warnings);
	if (rc < 0) {
		warn_msg("export: %s", errget());
	} else if (!quiet) {
		printf("Exported %zu day%s into %s: %zu page%s written%s.\n", rep.days, rep.days == 1 ? "" : "s",
		       rep.pagedir, rep.written, rep.written == 1 ? "" : "s",
		       rep.index_written ? ", and the index start.txt" : "");
	}
	export_report_free(&rep);
	for (size_t i = 0; i < ndays; i++)
		free(days[i]);
	free(days);
	journal_close(j);
	if (rc < 0)
		return EXIT_FAIL;
	return cli_finish_output();
}
