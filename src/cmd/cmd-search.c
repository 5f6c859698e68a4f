/*
 * logbook search QUERY: the records whose text holds QUERY, newest first,
 * from the index in .state/ (brought up to date first) or, when it cannot
 * be used, from the files themselves: the same answer either way.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/day.h"
#include "base/err.h"
#include "cmd/cmd.h"
#include "view/index.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook search [--since TIME] [--until TIME] [--host HOST]\n"
	"                      [--admin ADMIN] [--kind KIND] [--limit N] [--json]\n"
	"                      [--color=WHEN] [--no-pager] [--method METHOD] QUERY\n"
	"\n"
	"Find the records whose command, note, path, change summary, diff or\n"
	"message holds QUERY (any text, a substring; ASCII letters match either\n"
	"case), newest first: each on one line with its day page, local time,\n"
	"host, admin, kind (for a file change, the file's path) and the line of\n"
	"text that matches.  The search index in .state/ is brought up to date\n"
	"first (built when missing); deleting it loses nothing.  Exit status 1\n"
	"when nothing matches.\n"
	"\n"
	CMD_RANGE_HELP
	"  --kind KIND    only records of KIND (cmd, note, change, session, ...)\n"
	"  --limit N      at most N records (the newest)\n"
	"  --json         print the records as stored, one JSON object per line\n"
	"  --color=WHEN   colour: auto (on a terminal, unless $NO_COLOR is set),\n"
	"                 always or never\n"
	"  --no-pager     write to standard output directly\n"
	"  --method M     how to look: trigram (the FTS5 index proposes, the\n"
	"                 text decides), text (a scan of every record's text in\n"
	"                 .state/index.text), files (the record files, no index)\n"
	"                 or auto (the default: trigram when it narrows the\n"
	"                 query to a few records, else text)\n"
	"  -h, --help     show this help\n";

enum { OPT_COLOR = 256, OPT_NO_PAGER, OPT_JSON, OPT_METHOD };

int cmd_search(int argc, char **argv)
{
	static const struct option opts[] = {
		CMD_FILTER_OPTIONS,
		{ "json", no_argument, NULL, OPT_JSON },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "colour", required_argument, NULL, OPT_COLOR },
		{ "no-pager", no_argument, NULL, OPT_NO_PAGER },
		{ "method", required_argument, NULL, OPT_METHOD },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct index_query q = { 0 };
	bool json = false;
	size_t found;
	struct cmd_range range = { 0 };
	const char *when = "auto";
	bool pager = true;
	struct journal *j;
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (cmd_filter_option(c, optarg, &q, &range, usage, "search"))
			continue;
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_COLOR:
			when = cmd_color_when(usage, "search", optarg);
			break;
		case OPT_NO_PAGER:
			pager = false;
			break;
		case OPT_METHOD:
			if (!strcmp(optarg, "auto"))
				q.method = INDEX_AUTO;
			else if (!strcmp(optarg, "trigram"))
				q.method = INDEX_TRIGRAM;
			else if (!strcmp(optarg, "text"))
				q.method = INDEX_TEXT;
			else if (!strcmp(optarg, "files"))
				q.method = INDEX_FILES;
			else
				cli_usage_exit(usage, "search: --method takes auto, trigram, text or files, not '%s'",
					       optarg);
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	if (optind >= argc)
		cli_usage_exit(usage, "search: no query given");
	if (argc - optind > 1)
		cli_usage_exit(usage, "search: one query, in quotes when it has spaces");
	if (!*argv[optind])
		cli_usage_exit(usage, "search: the query is empty");
	q.text = argv[optind];
	j = cmd_journal();
	cmd_filter_query(&range, &q, usage, "search");
	cmd_ingest_first(j);
	found = cmd_print_hits(j, &q, q.text, json, when, pager, "search");
	journal_close(j);
	c = cli_finish_output();
	return c ? c : found ? EXIT_OK : EXIT_FAIL;
}
