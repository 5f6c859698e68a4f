/*
 * append-api: how fast the store appends records inside one process,
 * next to what the disk allows for lines of the same size.
 *
 *   append-api [-n N] [--runs K] [--logbook PATH] [DIR]
 *
 * Rows, each the median of K runs of N records (K rounds of every method
 * once, so that load from other work on the machine falls on all alike):
 *   store_append       N transactions of one record: lock, head, write,
 *                      fsync, chain cache (what one "logbook note" does
 *                      after its start-up)
 *   one transaction    store_begin, N store_add, one store_commit
 *   build+encode+hash  the CPU part alone: rec_new, rec_encode, rec_hash
 *   write+fsync        reference: write(2) of a line of the same size to a
 *                      plain O_APPEND file, then fsync(2), N times
 *   write              reference: the same write(2)s without fsync
 *
 * Before them it times the process's first rec_hash() and a later one:
 * the first pays for OpenSSL's initialisation, which every "logbook note"
 * process pays once.
 *
 * DIR (default: a new directory in $TMPDIR, removed at the end) is made
 * by the real "logbook init"; the reference files live in it too, so all
 * rows hit the same file system.  Each run writes as a host of its own,
 * so no run starts with another's chain.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "journal/journal.h"
#include "journal/record.h"
#include "journal/store.h"
#include "base/banned.h"

static const char usage[] =
	"usage: append-api [-n N] [--runs K] [--logbook PATH] [DIR]\n"
	"\n"
	"Append N records through the store in several ways, next to raw\n"
	"write()+fsync() and write() of lines of the same size; print the median\n"
	"of K runs.  DIR (new or empty) holds the journal; default: a temporary\n"
	"directory in $TMPDIR, removed at the end.\n"
	"\n"
	"  -n N            records per run (default 1000)\n"
	"  --runs K        runs of each method (default 3)\n"
	"  --logbook PATH  the logbook binary that runs init\n"
	"                  (default $LOGBOOK, else ./logbook)\n"
	"  -h, --help      show this help\n";

#define NOTE_TEXT "Restarted nginx after the config change; the reload had failed on a stale pid."

static long count = 1000;
static struct journal *journal;
static char host[STORE_HOST_MAX + 1];
static char *ref_path;
static size_t line_len;		/* bytes of one encoded record with its newline */

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct record *new_note(long i)
{
	struct record *r = rec_new("note", day_now_us(), host, "alice", "root", "bench-session");
	struct buf text = BUF_INIT;

	buf_addf(&text, "%06ld " NOTE_TEXT, i);
	rec_set_text(r, "text", text.data, text.len);
	buf_release(&text);
	return r;
}

static void fail(const char *what)
{
	fprintf(stderr, "append-api: %s: %s\n", what, errget());
	exit(EXIT_FAIL);
}

static void run_store_append(void)
{
	for (long i = 0; i < count; i++) {
		struct record *r = new_note(i);
		if (store_append(journal, r, NULL) < 0)
			fail("store_append");
		rec_free(r);
	}
}

static void run_one_txn(void)
{
	struct store_txn *t = store_begin(journal, host, NULL);

	if (!t)
		fail("store_begin");
	for (long i = 0; i < count; i++) {
		struct record *r = new_note(i);
		if (store_add(t, r) < 0)
			fail("store_add");
		rec_free(r);
	}
	if (store_commit(t) < 0)
		fail("store_commit");
}

static void run_encode(void)
{
	struct buf line = BUF_INIT;
	char hash[REC_HASH_LEN + 1];

	memcpy(hash, rec_genesis, sizeof hash);
	for (long i = 0; i < count; i++) {
		struct record *r = new_note(i);
		rec_set_chain(r, i + 1, hash);
		buf_reset(&line);
		if (rec_encode(r, &line) < 0)
			fail("rec_encode");
		rec_hash(line.data, line.len, hash);
		rec_free(r);
	}
	buf_release(&line);
}

static void raw_writes(bool sync)
{
	char *data = xmalloc(line_len);
	int fd = open(ref_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0) {
		errset_sys("%s", ref_path);
		fail("open");
	}
	memset(data, 'x', line_len - 1);
	data[line_len - 1] = '\n';
	for (long i = 0; i < count; i++) {
		if (fs_write_all(fd, data, line_len) < 0 || (sync && fsync(fd) < 0)) {
			errset_sys("%s", ref_path);
			fail("write");
		}
	}
	close(fd);
	free(data);
}

static void run_write_fsync(void)
{
	raw_writes(true);
}

static void run_write(void)
{
	raw_writes(false);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct method {
	const char *name;
	void (*fn)(void);
	double median;
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "runs", required_argument, NULL, 'k' },
		{ "logbook", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct method methods[] = {
		{ "store_append (txn+fsync each)", run_store_append, 0 },
		{ "one txn: N store_add, 1 commit", run_one_txn, 0 },
		{ "build+encode+hash only (no I/O)", run_encode, 0 },
		{ "ref: write()+fsync() per line", run_write_fsync, 0 },
		{ "ref: write() per line, no fsync", run_write, 0 },
	};
	const size_t nmethods = sizeof methods / sizeof *methods;
	const char *env = getenv("LOGBOOK");
	const char *logbook = env && *env ? env : "./logbook";
	char *dir, *tmp_dir = NULL;
	long runs = 3;
	double *times, first_hash, later_hash;
	int c;

	/* before anything else can touch libcrypto */
	{
		char hash[REC_HASH_LEN + 1];
		double t0 = now_seconds();
		rec_hash("x", 1, hash);
		first_hash = now_seconds() - t0;
		t0 = now_seconds();
		rec_hash("y", 1, hash);
		later_hash = now_seconds() - t0;
	}
	while ((c = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'n':
		case 'k':
			errno = 0;
			{
				long v = strtol(optarg, &end, 10);
				if (errno || *end || v < 1 || v > 100000000) {
					fprintf(stderr, "append-api: %s takes a positive number, not '%s'\n%s",
						c == 'n' ? "-n" : "--runs", optarg, usage);
					return EXIT_USAGE;
				}
				*(c == 'n' ? &count : &runs) = v;
			}
			break;
		case 'L':
			logbook = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return EXIT_OK;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "append-api: too many arguments\n%s", usage);
		return EXIT_USAGE;
	}
	if (optind < argc) {
		dir = xstrdup(argv[optind]);
	} else {
		const char *t = getenv("TMPDIR");
		char *parent = xasprintf("%s/append-api.XXXXXX", t && *t ? t : "/tmp");
		tmp_dir = mkdtemp(parent);
		if (!tmp_dir) {
			fprintf(stderr, "append-api: mkdtemp %s: %s\n", parent, strerror(errno));
			return EXIT_FAIL;
		}
		dir = fs_join(tmp_dir, "journal");
	}
	{
		const char *const init[] = { logbook, "init", "--timezone", "UTC", dir, NULL };
		struct buf out = BUF_INIT;
		int rc = run_capture(init, NULL, &out);
		buf_release(&out);
		if (rc != 0) {
			fprintf(stderr, "append-api: %s init %s: %s\n", logbook, dir, rc < 0 ? errget() : "failed");
			return EXIT_FAIL;
		}
	}
	journal = journal_open(dir);
	if (!journal)
		fail("journal_open");
	ref_path = fs_join(dir, "reference.txt");
	/* the size of the lines the store writes, for the reference rows */
	{
		struct record *r;
		struct buf line = BUF_INIT;
		snprintf(host, sizeof host, "sample");
		r = new_note(0);
		rec_set_chain(r, 1, rec_genesis);
		if (rec_encode(r, &line) < 0)
			fail("rec_encode");
		line_len = line.len + 1;
		rec_free(r);
		buf_release(&line);
	}

	/* rounds of every method once, so that load from other work falls on all alike */
	times = xcalloc((size_t)runs * nmethods, sizeof *times);
	for (long k = 0; k < runs; k++) {
		for (size_t m = 0; m < nmethods; m++) {
			double t0;
			snprintf(host, sizeof host, "m%zu-run%ld", m + 1, k + 1);
			t0 = now_seconds();
			methods[m].fn();
			times[m * (size_t)runs + (size_t)k] = now_seconds() - t0;
		}
	}
	for (size_t m = 0; m < nmethods; m++) {
		double *t = times + m * (size_t)runs;
		qsort(t, (size_t)runs, sizeof *t, cmp_double);
		methods[m].median = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
	}

	printf("append-api: %ld records per run, lines of %zu bytes, median of %ld rounds, in %s\n\n",
	       count, line_len, runs, dir);
	printf("%-33s %9s %9s %11s %10s %10s\n", "method", "records", "seconds", "records/s", "us/record",
	       "vs w+fsync");
	for (size_t m = 0; m < nmethods; m++) {
		double s = methods[m].median;
		printf("%-33s %9ld %9.4f %11.0f %10.2f %9.2fx\n", methods[m].name, count, s,
		       s > 0 ? (double)count / s : 0.0, s * 1e6 / (double)count,
		       methods[3].median > 0 ? s / methods[3].median : 0.0);
	}

	printf("\nfirst rec_hash() in a process: %.0f us (OpenSSL initialisation); a later one: %.1f us\n",
	       first_hash * 1e6, later_hash * 1e6);

	free(times);
	free(ref_path);
	journal_close(journal);
	if (tmp_dir && fs_remove_tree(tmp_dir) < 0)
		fprintf(stderr, "append-api: %s\n", errget());
	free(tmp_dir);
	free(dir);
	return EXIT_OK;
}
