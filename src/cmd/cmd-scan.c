/*
 * logbook scan [--grace DURATION]: record the changes of this host's
 * watched files that no entry claimed within the grace period, as
 * change records of the admin "unattributed", and move the baseline past
 * them: drift shows up on the day page.  Run from a timer.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/day.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "capture/redact.h"
#include "cmd/cmd.h"
#include "files/baseline.h"
#include "files/change.h"
#include "files/watch.h"
#include "journal/ident.h"
#include "journal/store.h"
#include "base/banned.h"

#define UNATTRIBUTED "unattributed"

static const char usage[] =
	"usage: logbook scan [--grace DURATION] [-q]\n"
	"\n"
	"Record the changes of this host's watched files (logbook watch) that\n"
	"nobody committed within the grace period, as changes of the admin\n"
	"'unattributed', so they show on the day page, and move the baseline\n"
	"past them.  A change first seen less than DURATION ago is left for\n"
	"its admin's 'logbook commit'.  Run it from a timer.\n"
	"\n"
	"  --grace DURATION   default 1h: a number with s, m, h or d (90s, 30m, 2h, 1d), 0 for none\n"
	"  -q, --quiet        say nothing when nothing was recorded\n"
	"  -h, --help         show this help\n";

/* "90s", "30m", "2h", "1d", "0": microseconds; -1 when not a duration */
static int64_t parse_duration(const char *s)
{
	char *end;
	long long n = strtoll(s, &end, 10);
	int64_t unit = 1000000;

	if (end == s || n < 0 || n > 3650LL * 86400)
		return -1;
	if (*end == 's' || (*end == '\0' && n == 0))
		unit = 1000000;
	else if (*end == 'm')
		unit = 60LL * 1000000;
	else if (*end == 'h')
		unit = 3600LL * 1000000;
	else if (*end == 'd')
		unit = 86400LL * 1000000;
	else
		return -1;
	if (*end && end[1])
		return -1;
	return (int64_t)n * unit;
}

int cmd_scan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "grace", required_argument, NULL, 'g' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_warnings warnings = { 0 };
	int64_t grace = 3600LL * 1000000, now;
	const struct change **due = NULL;
	size_t ndue = 0, waiting = 0;
	struct watch_list w;
	struct changes ch;
	struct redactor *red;
	struct store_txn *t;
	struct journal *j;
	struct ident id;
	bool quiet = false;
	int c;

	while ((c = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			if ((grace = parse_duration(optarg)) < 0)
				cli_usage_exit(usage, "scan: --grace takes a duration like 90s, 30m, 1h or 2d, not '%s'",
					       optarg);
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	if (optind < argc)
		cli_usage_exit(usage, "scan: unexpected argument '%s'", argv[optind]);
	j = cmd_journal();
	cmd_ingest_first(j);
	if (ident_resolve_in(&id, j) < 0)
		die_err();
	if (watch_load(j->conf, id.host, &w) < 0)
		die("scan: %s", errget());
	if (baseline_scan(j, &w, &ch) < 0)
		die("scan: %s", errget());
	cli_print_warnings(&ch.skipped);
	cli_print_warnings(&ch.notes);

	now = day_now_us();
	for (size_t i = 0; i < ch.n; i++) {
		if (now - ch.v[i].first_seen >= grace) {
			due = xreallocarray(due, ndue + 1, sizeof *due);
			due[ndue++] = &ch.v[i];
		} else {
			waiting++;
		}
	}
	if (ndue > 0) {
		if (!(red = redact_new(j->conf)))
			die("scan: %s", errget());
		if (!(t = store_begin(j, id.host, &warnings)))
			die("scan: %s", errget());
		cli_print_warnings(&warnings);
		for (size_t i = 0; i < ndue; i++) {
			struct change_text text;
			struct record *r;
			change_text(j, red, due[i], &text);
			/* filed when it was first seen: that is when it happened, as near as scan knows */
			r = change_record(due[i], &text, due[i]->first_seen, id.host, UNATTRIBUTED, id.account,
					  id.session, "scan");
			change_text_release(&text);
			if (store_add(t, r) < 0) {
				rec_free(r);
				store_abort(t);
				die("scan: %s", errget());
			}
			rec_free(r);
		}
		if (store_commit(t) < 0)
			die("scan: %s", errget());
		if (baseline_accept(j, due, ndue) < 0)
			die("scan: recorded, but the baseline did not move (the next scan records them again): %s",
			    errget());
		redact_free(red);
	}
	if (!quiet || ndue > 0)
		printf("%zu unattributed change%s recorded%s", ndue, ndue == 1 ? "" : "s",
		       waiting ? "" : "\n");
	if (waiting && (!quiet || ndue > 0))
		printf("; %zu within the grace period, left for 'logbook commit'\n", waiting);
	free(due);
	changes_free(&ch);
	watch_free(&w);
	ident_release(&id);
	journal_close(j);
	return cli_finish_output();
}
