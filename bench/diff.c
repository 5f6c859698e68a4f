/*
 * diff: how fast diff_unified (src/files/diff.c) is, next to GNU diff -u on the
 * same files in the same run.
 *
 *   diff [--runs K] [--keep DIR]
 *
 * Cases (each pair written to files; the same splitmix64 stream makes the
 * same files on every machine):
 *   config       two 10,000-line nginx-like files differing in 10 places
 *                (a line changed, added or removed at each)
 *   1 MB         a 1 MB file (about 14,000 lines) vs the same with one
 *                line changed in the middle
 *   interleaved  100,000 lines each, every other line one only that file
 *                has ("x N" in old, "y N" in new), between them the same
 *                line: nothing in common but the interleaved filler
 *   unrelated    100,000 distinct lines vs 100,000 other distinct lines
 *   reversed     100,000 distinct lines vs the same lines backwards
 *   4 letters    100,000 lines vs 100,000 lines, each one of 4 short lines
 *                at random: matches everywhere, none that lasts, the
 *                cost cap's hardest case
 *
 * Each time is the median of K rounds (default 5); a round runs every
 * case once each way, so that load from other work falls on all alike.
 * "logbook" is diff_unified alone, the files already in memory; "diff" is
 * the wall time of `diff -u --label a --label b OLD NEW` through
 * run_capture (posix_spawn, output read through a pipe), so it includes
 * starting a process and reading the files: the "spawn" row (/bin/true
 * through run_capture) shows that floor.  The output columns give the
 * lines each printed and whether the two outputs are the same bytes.
 *
 * The files live in a new directory in $TMPDIR, removed at the end, or in
 * DIR (created, kept) with --keep.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "files/diff.h"
#include "base/banned.h"

static const char usage[] =
	"usage: diff [--runs K] [--keep DIR]\n"
	"\n"
	"Time diff_unified on generated pairs of files next to GNU diff -u on the\n"
	"same files; print the median of K rounds.\n"
	"\n"
	"  --runs K    rounds (default 5)\n"
	"  --keep DIR  write the files to DIR (created) and keep them\n"
	"  -h, --help  show this help\n";

/* ---- pseudo-random numbers: splitmix64 (Steele, Lea, Flood 2014) ---- */

static uint64_t rng_state = 42;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *t, long n)
{
	qsort(t, (size_t)n, sizeof *t, cmp_double);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* ---- the pairs ---- */

struct lines {
	char **v;
	size_t n, cap;
};

static void add_line(struct lines *l, char *s)
{
	if (l->n == l->cap)
		l->v = xreallocarray(l->v, l->cap = l->cap ? l->cap * 2 : 1024, sizeof *l->v);
	l->v[l->n++] = s;
}

static void join(const struct lines *l, struct buf *out)
{
	for (size_t i = 0; i < l->n; i++)
		buf_adds(out, l->v[i]);
}

static void free_lines(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* one line of a plausible nginx configuration; i numbers the server blocks */
static char *config_line(size_t i)
{
	static const char *const shapes[] = {
		"server {\n",
		"\tlisten 80;\n",
		"\tlisten [::]:80;\n",
		"\tserver_name host%zu.example.com;\n",
		"\troot /srv/www/host%zu;\n",
		"\taccess_log /var/log/nginx/host%zu.access.log;\n",
		"\tlocation / {\n",
		"\t\tproxy_pass http://backend%zu;\n",
		"\t\tproxy_set_header Host $host;\n",
		"\t}\n",
		"}\n",
		"\n",
	};
	const size_t n = sizeof shapes / sizeof *shapes;

	return xasprintf(shapes[i % n], i / n);
}

static void make_config(struct buf *old, struct buf *new)
{
	struct lines a = { 0 }, b = { 0 };

	for (size_t i = 0; i < 10000; i++)
		add_line(&a, config_line(i));
	for (size_t i = 0, place = 0; i < a.n; i++) {
		/* 10 places, 1,000 lines apart: change, add or remove a line */
		if (i % 1000 == 500) {
			switch (place++ % 3) {
			case 0:
				add_line(&b, xasprintf("\tlisten 8%zu;\n", place));
				continue;
			case 1:
				add_line(&b, xstrdup(a.v[i]));
				add_line(&b, xasprintf("\tclient_max_body_size %zum;\n", place));
				continue;
			case 2:
				continue;
			}
		}
		add_line(&b, xstrdup(a.v[i]));
	}
	join(&a, old);
	join(&b, new);
	free_lines(&a);
	free_lines(&b);
}

static void make_megabyte(struct buf *old, struct buf *new)
{
	struct lines a = { 0 };
	size_t len = 0, middle;

	while (len < 1000000) {
		char *s = xasprintf("%08llx log line %zu: %0*llu\n", (unsigned long long)rnd(), a.n,
				    (int)(10 + below(60)), (unsigned long long)below(1000000));
		len += strlen(s);
		add_line(&a, s);
	}
	join(&a, old);
	middle = a.n / 2;
	free(a.v[middle]);
	a.v[middle] = xstrdup("this line was changed\n");
	join(&a, new);
	free_lines(&a);
}

static void make_interleaved(struct buf *old, struct buf *new)
{
	for (size_t i = 0; i < 50000; i++) {
		buf_addf(old, "x %zu\n\tfiller\n", i);
		buf_addf(new, "y %zu\n\tfiller\n", i);
	}
}

static void make_unrelated(struct buf *old, struct buf *new)
{
	for (size_t i = 0; i < 100000; i++) {
		buf_addf(old, "old line %zu\n", i);
		buf_addf(new, "new line %zu\n", i);
	}
}

static void make_reversed(struct buf *old, struct buf *new)
{
	for (size_t i = 0; i < 100000; i++) {
		buf_addf(old, "line %zu\n", i);
		buf_addf(new, "line %zu\n", 99999 - i);
	}
}

static void make_letters(struct buf *old, struct buf *new)
{
	static const char *const letters[] = { "a\n", "b\n", "c\n", "d\n" };

	for (size_t i = 0; i < 100000; i++) {
		buf_adds(old, letters[below(4)]);
		buf_adds(new, letters[below(4)]);
	}
}

struct pair {
	const char *name;
	void (*make)(struct buf *old, struct buf *new);
	struct buf old, new;
	char *old_path, *new_path;
	double *ours, *gnu;		/* one time per round */
	size_t ours_lines, gnu_lines;
	int hunks;
	bool same;
};

static struct pair pairs[] = {
	{ .name = "config", .make = make_config },
	{ .name = "1 MB", .make = make_megabyte },
	{ .name = "interleaved", .make = make_interleaved },
	{ .name = "unrelated", .make = make_unrelated },
	{ .name = "reversed", .make = make_reversed },
	{ .name = "4 letters", .make = make_letters },
};
#define NPAIRS (sizeof pairs / sizeof *pairs)

static size_t count_lines(const struct buf *b)
{
	size_t n = 0;

	for (size_t i = 0; i < b->len; i++)
		n += b->data[i] == '\n';
	return n;
}

static void write_file(const char *path, const struct buf *b)
{
	if (fs_write_atomic(path, b->data, b->len, 0644) < 0) {
		fprintf(stderr, "diff: %s\n", errget());
		exit(EXIT_FAIL);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "runs", required_argument, NULL, 'k' },
		{ "keep", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct diff_opts opts = { "a", "b", 3 };
	const char *const spawn_argv[] = { "true", NULL };
	char *dir, *tmp_dir = NULL;
	long runs = 5;
	double *spawn;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'k':
			errno = 0;
			runs = strtol(optarg, &end, 10);
			if (errno || *end || runs < 1 || runs > 1000) {
				fprintf(stderr, "diff: --runs takes a number from 1 to 1000, not '%s'\n%s", optarg, usage);
				return EXIT_USAGE;
			}
			break;
		case 'K':
			tmp_dir = xstrdup(optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return EXIT_OK;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "diff: too many arguments\n%s", usage);
		return EXIT_USAGE;
	}
	if (tmp_dir) {
		dir = tmp_dir;
		tmp_dir = NULL;
		if (fs_mkdirs(dir, 0755) < 0) {
			fprintf(stderr, "diff: %s\n", errget());
			return EXIT_FAIL;
		}
	} else {
		const char *t = getenv("TMPDIR");
		char *parent = xasprintf("%s/bench-diff.XXXXXX", t && *t ? t : "/tmp");
		tmp_dir = mkdtemp(parent);
		if (!tmp_dir) {
			fprintf(stderr, "diff: mkdtemp %s: %s\n", parent, strerror(errno));
			return EXIT_FAIL;
		}
		dir = xstrdup(tmp_dir);
	}

	for (size_t p = 0; p < NPAIRS; p++) {
		struct pair *pr = &pairs[p];
		char *old_name = xasprintf("%zu-old", p), *new_name = xasprintf("%zu-new", p);

		pr->make(&pr->old, &pr->new);
		pr->old_path = fs_join(dir, old_name);
		pr->new_path = fs_join(dir, new_name);
		write_file(pr->old_path, &pr->old);
		write_file(pr->new_path, &pr->new);
		pr->ours = xcalloc((size_t)runs, sizeof *pr->ours);
		pr->gnu = xcalloc((size_t)runs, sizeof *pr->gnu);
		free(old_name);
		free(new_name);
	}
	spawn = xcalloc((size_t)runs, sizeof *spawn);

	for (long k = 0; k < runs; k++) {
		double t0;
		int rc;

		t0 = now_seconds();
		rc = run_capture(spawn_argv, NULL, NULL);
		spawn[k] = now_seconds() - t0;
		if (rc != 0) {
			fprintf(stderr, "diff: true: %s\n", rc < 0 ? errget() : "failed");
			return EXIT_FAIL;
		}
		for (size_t p = 0; p < NPAIRS; p++) {
			struct pair *pr = &pairs[p];
			const char *const gnu_argv[] = { "diff", "-u", "--label", "a", "--label", "b",
							 pr->old_path, pr->new_path, NULL };
			struct buf ours = BUF_INIT, gnu = BUF_INIT;

			t0 = now_seconds();
			pr->hunks = diff_unified(pr->old.data, pr->old.len, pr->new.data, pr->new.len, &opts, &ours);
			pr->ours[k] = now_seconds() - t0;
			if (pr->hunks < 0) {
				fprintf(stderr, "diff: %s: %s\n", pr->name, errget());
				return EXIT_FAIL;
			}
			t0 = now_seconds();
			rc = run_capture(gnu_argv, NULL, &gnu);
			pr->gnu[k] = now_seconds() - t0;
			if (rc != 1) {
				fprintf(stderr, "diff: diff -u on %s: %s\n", pr->name,
					rc < 0 ? errget() : "did not exit 1");
				return EXIT_FAIL;
			}
			pr->ours_lines = count_lines(&ours);
			pr->gnu_lines = count_lines(&gnu);
			pr->same = ours.len == gnu.len && !memcmp(ours.data, gnu.data, ours.len);
			buf_release(&ours);
			buf_release(&gnu);
		}
	}

	printf("diff: diff_unified (logbook) next to GNU diff -u, median of %ld rounds, files in %s\n\n",
	       runs, dir);
	printf("%-12s %8s %8s %9s %9s %7s %9s %9s %6s %5s\n", "case", "old", "new", "logbook", "diff",
	       "ratio", "lines", "lines", "hunks", "same");
	printf("%-12s %8s %8s %9s %9s %7s %9s %9s %6s %5s\n", "", "lines", "lines", "ms", "ms", "",
	       "logbook", "diff", "", "");
	for (size_t p = 0; p < NPAIRS; p++) {
		struct pair *pr = &pairs[p];
		double ours = median(pr->ours, runs), gnu = median(pr->gnu, runs);

		printf("%-12s %8zu %8zu %9.2f %9.2f %6.2fx %9zu %9zu %6d %5s\n", pr->name, count_lines(&pr->old),
		       count_lines(&pr->new), ours * 1e3, gnu * 1e3, ours > 0 ? gnu / ours : 0.0, pr->ours_lines,
		       pr->gnu_lines, pr->hunks, pr->same ? "yes" : "no");
	}
	printf("%-12s %8s %8s %9s %9.2f   (run_capture of /bin/true: the floor of the diff column)\n", "spawn",
	       "", "", "", median(spawn, runs) * 1e3);
	printf("\nratio = diff / logbook; lines = lines of output; same = the two outputs are the same bytes\n");

	for (size_t p = 0; p < NPAIRS; p++) {
		buf_release(&pairs[p].old);
		buf_release(&pairs[p].new);
		free(pairs[p].old_path);
		free(pairs[p].new_path);
		free(pairs[p].ours);
		free(pairs[p].gnu);
	}
	free(spawn);
	if (tmp_dir && fs_remove_tree(tmp_dir) < 0)
		fprintf(stderr, "diff: %s\n", errget());
	free(tmp_dir);
	free(dir);
	return EXIT_OK;
}
