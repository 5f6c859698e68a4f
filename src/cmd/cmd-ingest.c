/*
 * logbook ingest: move the spools of hooked shells into the journal now
 * (every other command does it first anyway; a timer runs this one so
 * spools of shells that died are not left waiting).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/day.h"
#include "base/err.h"
#include "capture/ingest.h"
#include "cmd/cmd.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook ingest [-q] [--session ID]\n"
	"\n"
	"Move the commands recorded by hooked shells (their spool files) into\n"
	"the journal, redacting secrets on the way.  Spools of shells that\n"
	"have ended are removed once ingested.  Every other logbook command\n"
	"does this first; run it from a timer to pick up shells that died.\n"
	"Running it again, or after it was killed, records nothing twice.\n"
	"Run by root where setup installed APT's hook, it also files the package\n"
	"changes of APT's and dpkg's logs not filed yet (see logbook apt-hook).\n"
	"\n"
	"  --session ID   only this session's spool\n"
	"  -q, --quiet    say nothing when all went well\n"
	"  -h, --help     show this help\n"
	"\n"
	"Exit status: 0 done, 1 a spool could not be ingested (said why),\n"
	"2 bad usage.\n";

int cmd_ingest(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "session", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ingest_opts o = { .lock_timeout = 60, .warn_foreign = true };
	struct ingest_report rep;
	struct journal *j;
	char *tz = NULL;
	bool quiet = false;
	int c, rc = EXIT_OK;

	while ((c = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.session = optarg;
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
		cli_usage_exit(usage, "ingest: unexpected argument '%s'", argv[optind]);
	/* the zone of APT's and dpkg's logs: this process's, before the journal sets the team's */
	if (!o.session && geteuid() == 0 && cmd_packages_hooked())
		tz = day_system_tz();
	j = cmd_journal();
	if (ingest_spools(j, &o, &rep) < 0)
		die("ingest: %s", errget());
	if (rep.skipped > 0)
		rc = EXIT_FAIL;
	cli_print_warnings(&rep.warnings);
	if (!quiet || rc != EXIT_OK)
		printf("%zu command%s ingested from %zu spool%s; %zu ended session%s removed%s\n", rep.commands,
		       rep.commands == 1 ? "" : "s", rep.spools, rep.spools == 1 ? "" : "s", rep.removed,
		       rep.removed == 1 ? "" : "s", rep.skipped ? "; some spools could not be ingested (see above)" : "");
	ingest_report_free(&rep);
	if (tz && cmd_packages_catch_up(j, tz, 60) < 0)
		rc = EXIT_FAIL;
	free(tz);
	journal_close(j);
	return rc == EXIT_OK ? cli_finish_output() : rc;
}
