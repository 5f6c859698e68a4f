/*
 * logbook event [--source NAME] [--level LEVEL] [MESSAGE...]: file what a
 * script reports (a backup job's result, a monitoring alert) as an event
 * record on today's page of this host.  On disk (fsync'd) when it returns 0.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "journal/event.h"
#include "journal/ident.h"
#include "journal/record.h"
#include "journal/store.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook event [--source NAME] [--level LEVEL] [--] [MESSAGE...]\n"
	"\n"
	"File what a machine or a script reports (a backup job's result, a\n"
	"monitoring alert) on today's page of this host.  The words of MESSAGE\n"
	"are joined with spaces; without MESSAGE it is read from standard input.\n"
	"The first 64 KiB are kept and the full size noted.  The event is on\n"
	"disk when the command returns.  The options come before MESSAGE: from\n"
	"its first word on, every word is the message, so that a script's\n"
	"output is filed as it is, even a word that starts with '-'.\n"
	"\n"
	"  -s, --source NAME   who reports it ([A-Za-z0-9._-], at most 64; default event)\n"
	"  -l, --level LEVEL   info (default), warning or critical\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 filed, 1 not filed (the reason on standard error), 2 usage.\n";

int cmd_event(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *source = "event";
	int level = EVENT_INFO;
	struct buf text = BUF_INIT;
	struct store_warnings warnings = { 0 };
	struct journal *j;
	struct ident id;
	struct record *r;
	size_t total = 0;
	int c;

	/* "+": stop at MESSAGE (the one command whose options do not permute: see usage) */
	while ((c = getopt_long(argc, argv, "+:s:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!event_valid_source(optarg))
				cli_usage_exit(usage, "event: bad source '%s': use letters, digits, '.', '_' and '-' (at most %d)",
					       optarg, EVENT_SOURCE_MAX);
			source = optarg;
			break;
		case 'l':
			if ((level = event_level_parse(optarg)) < 0)
				cli_usage_exit(usage, "event: bad level '%s': use info, warning or critical", optarg);
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	j = cmd_journal();
	cmd_ingest_first(j);
	if (ident_resolve_in(&id, j) < 0)
		die_err();

	if (optind < argc) {
		for (int i = optind; i < argc; i++) {
			if (i > optind)
				buf_addc(&text, ' ');
			buf_adds(&text, argv[i]);
		}
	} else if (fs_read_bounded(0, &text, EVENT_TEXT_MAX + 4, &total) < 0) {
		die("event: standard input: %s", strerror(errno));
	}
	/* trailing newlines of a piped message are not part of it */
	if (total <= text.len) {
		cmd_trim(&text);
		total = text.len;
	}
	if (text.len == 0)
		die("event: empty message; nothing written");

	r = event_record(day_now_us(), id.host, id.admin, id.account, id.session, source,
			 (enum event_level)level, text.data, text.len, total);
	if (store_append(j, r, &warnings) < 0) {
		cli_print_warnings(&warnings);
		die("event: %s", errget());
	}
	cli_print_warnings(&warnings);
	cmd_background_sync(j);
	rec_free(r);
	buf_release(&text);
	ident_release(&id);
	journal_close(j);
	return EXIT_OK;
}
