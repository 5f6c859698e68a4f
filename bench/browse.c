/*
 * browse: what logbook browse does on each key of a search as you type,
 * timed.  For each PREFIX, the keys typed one by one: after each, the
 * call the console application makes (hitline_search, view/hitline.h:
 * the newest LIMIT records holding the text typed so far, each formatted
 * as a result line), in this process, as the application runs it.
 *
 *   browse [--runs K] [--limit N] JOURNAL PREFIX...
 *
 * Keys from the third character on: browse does not search before
 * (SEARCH_MIN in src/browse/browse.c: fewer than three characters have no
 * trigram to look up).  First brings the index up to date (index_update,
 * as browse does when it starts; timed apart).  Then one line per key: the text typed, the
 * records found, the method the index chose, and the median
 * milliseconds of K runs (default 5; the keys of every prefix
 * interleaved within a round).  bench/browse prints it next to
 * `logbook search` of the same prefixes as a process.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "journal/journal.h"
#include "view/hitline.h"
#include "view/index.h"
#include "base/banned.h"

static const char usage[] =
	"usage: browse [--runs K] [--limit N] JOURNAL PREFIX...\n"
	"\n"
	"Time browse's search as you type: for each key of each PREFIX, the\n"
	"newest N records (default 500) holding the text typed so far, found\n"
	"and formatted as browse does; the median of K runs (default 5).\n";

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "limit", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	size_t runs = 5, limit = 500, nkeys = 0;
	struct key {
		char *text;
		size_t found;
		const char *method;
		double *ms;
	} *keys = NULL;
	struct journal *j;
	double t0;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			runs = strtoul(optarg, NULL, 10);
			break;
		case 'l':
			limit = strtoul(optarg, NULL, 10);
			break;
		default:
			fputs(usage, c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	if (argc - optind < 2 || runs < 1) {
		fputs(usage, stderr);
		return 2;
	}
	if (!(j = journal_open(argv[optind])))
		die_err();
	t0 = now_ms();
	if (index_update(j, NULL) < 0)
		die("index_update: %s", errget());
	printf("index brought up to date: %.0f ms\n", now_ms() - t0);
	for (int a = optind + 1; a < argc; a++) {
		for (size_t k = 3; k <= strlen(argv[a]); k++) {
			keys = xreallocarray(keys, nkeys + 1, sizeof *keys);
			keys[nkeys++] = (struct key){ .text = xstrndup(argv[a], k), .ms = xcalloc(runs, sizeof(double)) };
		}
	}
	for (size_t r = 0; r < runs; r++) {
		for (size_t k = 0; k < nkeys; k++) {
			struct index_query q = { .text = keys[k].text, .limit = limit };
			struct hitlines h;
			t0 = now_ms();
			if (hitline_search(j, &q, false, NULL, NULL, &h) < 0)
				die("search: %s", errget());
			keys[k].ms[r] = now_ms() - t0;
			keys[k].found = h.n;
			keys[k].method = index_last_method;
			hitlines_release(&h);
		}
	}
	printf("%-24s %8s  %-8s %10s\n", "typed", "records", "method", "ms/key");
	for (size_t k = 0; k < nkeys; k++) {
		qsort(keys[k].ms, runs, sizeof(double), cmp_double);
		printf("%-24s %8zu  %-8s %10.1f\n", keys[k].text, keys[k].found, keys[k].method ? keys[k].method : "-",
		       runs % 2 ? keys[k].ms[runs / 2] : (keys[k].ms[runs / 2 - 1] + keys[k].ms[runs / 2]) / 2);
		free(keys[k].text);
		free(keys[k].ms);
	}
	free(keys);
	index_close();
	journal_close(j);
	return 0;
}
