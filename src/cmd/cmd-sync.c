/*
 * logbook sync: ingest, commit this host's records, then fetch from,
 * integrate and push to every remote.  An unreachable remote is reported
 * and skipped; the exit status says how many were reached.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "replica/replica.h"
#include "view/export.h"
#include "base/banned.h"

/* a push of our own ref that loses a race is tried again this many times */
#define PUSH_ATTEMPTS 3

enum { EXIT_SOME_UNREACHED = 3, EXIT_NONE_REACHED = 4 };

static const char usage[] =
	"usage: logbook sync\n"
	"\n"
	"Bring this replica and every remote in step: ingest the recorded commands,\n"
	"commit this host's new records, fetch what the other hosts wrote from each\n"
	"remote, then push.  Each host writes only its own files, so nothing ever\n"
	"needs merging.  A remote that cannot be reached is reported and skipped.\n"
	"When team.conf sets export.dokuwiki (a DokuWiki pages directory), the day\n"
	"pages are exported there afterwards (see logbook export).\n"
	"\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 when every remote was reached, 3 when some were not,\n"
	"4 when none was, 1 when this replica could not be updated.\n";

/*
 * After the records of the others are in, the wiki team.conf names gets
 * the pages that changed.  A failed export is reported but does not
 * fail the sync.
 */
static void sync_export(struct journal *j)
{
	struct export_report rep;
	int rc = export_from_conf(j, &rep);

	cli_print_warnings(&rep.warnings);
	if (rc < 0)
		warn_msg("export: %s", errget());
	export_report_free(&rep);
}

/*
 * .state/sync/ok.<remote>: when sync last reached remote, for doctor
 * (the file's time; its text is the same for a human)
 */
static void note_reached(struct journal *j, const char *remote)
{
	char *rel = xasprintf(REPLICA_STATE "/ok.%s", remote);
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ\n", gmtime_r(&now, &tm));
	if (journal_mkdirs(j, REPLICA_STATE) < 0 ||
	    fs_write_atomic_below(j->dir, rel, stamp, strlen(stamp), journal_file_mode(j), 0) < 0)
		warn_msg("sync: %s", errget());
	free(rel);
}

/* fetch, integrate and push one remote: 0 reached, -1 not (reported), -2 local failure */
static int sync_remote(struct journal *j, const char *remote, const char *host)
{
	struct store_warnings w = { 0 };

	for (int attempt = 1;; attempt++) {
		int rc;
		if (replica_fetch(j, remote) < 0) {
			warn_msg("sync: %s: cannot be reached: %s", remote, errget());
			return -1;
		}
		rc = replica_integrate(j, remote, host, &w);
		cli_print_warnings(&w);
		if (rc < 0) {
			warn_msg("sync: %s", errget());
			return -2;
		}
		rc = replica_push(j, remote, host);
		if (rc == 0)
			return 0;
		if (rc < 0) {
			warn_msg("sync: %s: push failed: %s", remote, errget());
			return -1;
		}
		if (attempt == PUSH_ATTEMPTS) {
			warn_msg("sync: %s: the records of %s were rejected %d times; try again later",
				 remote, host, PUSH_ATTEMPTS);
			return -1;
		}
	}
}

int cmd_sync(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_warnings w = { 0 };
	struct journal *j;
	char **remotes, *host;
	size_t nremotes, reached = 0;
	int c, lock;

	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (c == 'h')
			cli_help_exit(usage);
		cli_bad_option(usage, c, argv);
	}
	if (optind < argc)
		cli_usage_exit(usage, "sync: too many arguments");
	j = cmd_journal();
	if (!(host = ident_host()))
		die_err();
	if ((lock = replica_lock(j)) < 0)
		die("sync: %s", errget());
	cmd_ingest_first(j);
	if (replica_commit_host(j, host, &w) < 0) {
		cli_print_warnings(&w);
		die("sync: committing the records of %s: %s", host, errget());
	}
	cli_print_warnings(&w);
	if (replica_commit_team(j) < 0)
		die("sync: committing team.conf: %s", errget());
	if (replica_remotes(j, &remotes, &nremotes) < 0)
		die("sync: %s", errget());
	if (nremotes == 0) {
		printf("No remotes: the records of %s are committed here only (see 'logbook remote add').\n", host);
		sync_export(j);
		replica_names_free(remotes, nremotes);
		free(host);
		journal_close(j);
		return cli_finish_output();
	}
	for (size_t i = 0; i < nremotes; i++) {
		int rc = sync_remote(j, remotes[i], host);
		if (rc == -2)
			exit(EXIT_FAIL);
		if (rc == 0) {
			reached++;
			note_reached(j, remotes[i]);
		}
	}
	sync_export(j);
	close(lock);
	replica_names_free(remotes, nremotes);
	free(host);
	journal_close(j);
	if (cli_finish_output() != EXIT_OK)
		return EXIT_FAIL;
	if (reached == nremotes)
		return EXIT_OK;
	return reached ? EXIT_SOME_UNREACHED : EXIT_NONE_REACHED;
}
