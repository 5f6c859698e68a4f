/*
 * scan-api: baseline_scan of a journal's watch list from the command
 * line, until "logbook scan" exists (bench/scan times it next to "git
 * status --porcelain" on the same tree).
 *
 *   scan-api [--runs K] [--host HOST] [--quiet] JOURNAL
 *
 * Opens JOURNAL, loads the watch list of HOST (default: $LOGBOOK_HOST,
 * else this host's name) and runs baseline_scan K times in this process.
 * Prints one line per run: seconds, files looked at, files read to hash
 * them, changes, skipped; then the median.  With --quiet, only the last
 * line: "files F hashed H changes C skipped S median_s T".
 * Exit 1 when a scan fails.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "files/baseline.h"
#include "files/watch.h"
#include "journal/ident.h"
#include "journal/journal.h"
#include "base/banned.h"

static const char usage[] =
	"usage: scan-api [--runs K] [--host HOST] [--quiet] JOURNAL\n"
	"\n"
	"Run baseline_scan on the watch list of HOST in JOURNAL, K times in one\n"
	"process (default 1); print seconds, files, files hashed and changes of\n"
	"each run and the median.\n"
	"\n"
	"  --runs K     scans in this process (default 1)\n"
	"  --host HOST  whose watch list (default $LOGBOOK_HOST, else this host)\n"
	"  --quiet      only the summary line\n"
	"  -h, --help   show this help\n";

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "runs", required_argument, NULL, 'k' },
		{ "host", required_argument, NULL, 'H' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct journal *j;
	struct watch_list w;
	char *host = NULL;
	long runs = 1;
	bool quiet = false;
	double *times;
	struct changes c = { 0 };
	int opt;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		char *end;
		switch (opt) {
		case 'k':
			errno = 0;
			runs = strtol(optarg, &end, 10);
			if (errno || *end || runs < 1 || runs > 100000) {
				fprintf(stderr, "scan-api: --runs takes a positive number, not '%s'\n%s", optarg, usage);
				return EXIT_USAGE;
			}
			break;
		case 'H':
			free(host);
			host = xstrdup(optarg);
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return EXIT_OK;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "scan-api: give one JOURNAL\n%s", usage);
		return EXIT_USAGE;
	}
	if (!host && !(host = ident_host()))
		die_err();
	j = journal_open(argv[optind]);
	if (!j)
		die_err();
	if (watch_load(j->conf, host, &w) < 0)
		die_err();
	if (w.npaths == 0)
		die("scan-api: %s watches nothing in %s", host, argv[optind]);
	times = xcalloc((size_t)runs, sizeof *times);
	for (long r = 0; r < runs; r++) {
		double t0 = now_seconds();

		changes_free(&c);
		if (baseline_scan(j, &w, &c) < 0)
			die_err();
		times[r] = now_seconds() - t0;
		if (!quiet)
			printf("run %ld: %.6f s, files %zu, hashed %zu, changes %zu, skipped %zu\n", r + 1, times[r],
			       c.files, c.hashed, c.n, c.skipped.n);
	}
	qsort(times, (size_t)runs, sizeof *times, cmp_double);
	printf("files %zu hashed %zu changes %zu skipped %zu median_s %.6f\n", c.files, c.hashed, c.n,
	       c.skipped.n, runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2);
	changes_free(&c);
	free(times);
	watch_free(&w);
	journal_close(j);
	free(host);
	return EXIT_OK;
}
