/*
 * logbook list: records in time order, oldest first, with the filters of
 * search, for scripts and for reading a host's history.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/day.h"
#include "cmd/cmd.h"
#include "view/index.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook list [--since TIME] [--until TIME] [--host HOST]\n"
	"                    [--admin ADMIN] [--kind KIND] [--limit N] [--json]\n"
	"                    [--color=WHEN] [--no-pager]\n"
	"\n"
	"List the records of every day page in time order, oldest first, each\n"
	"on one line with its day page, local time, host, admin, kind and the\n"
	"first line of its text; the filters are those of 'logbook search'.\n"
	"\n"
	CMD_RANGE_HELP
	"  --kind KIND    only records of KIND (cmd, note, change, session, ...)\n"
	"  --limit N      at most N records (the oldest)\n"
	"  --json         print the records as stored, one JSON object per line\n"
	"  --color=WHEN   colour: auto (on a terminal, unless $NO_COLOR is set),\n"
	"                 always or never\n"
	"  --no-pager     write to standard output directly\n"
	"  -h, --help     show this help\n";

enum { OPT_COLOR = 256, OPT_NO_PAGER, OPT_JSON };

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		CMD_FILTER_OPTIONS,
		{ "json", no_argument, NULL, OPT_JSON },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "colour", required_argument, NULL, OPT_COLOR },
		{ "no-pager", no_argument, NULL, OPT_NO_PAGER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct index_query q = { .oldest_first = true };
	bool json = false;
	struct cmd_range range = { 0 };
	const char *when = "auto";
	bool pager = true;
	struct journal *j;
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (cmd_filter_option(c, optarg, &q, &range, usage, "list"))
			continue;
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_COLOR:
			when = cmd_color_when(usage, "list", optarg);
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
		cli_usage_exit(usage, "list: too many arguments");
	j = cmd_journal();
	cmd_filter_query(&range, &q, usage, "list");
	cmd_ingest_first(j);
	cmd_print_hits(j, &q, NULL, json, when, pager, "list");
	journal_close(j);
	return cli_finish_output();
}
