/*
 * sigverify: how fast signatures are verified in-process, per key type,
 * next to "ssh-keygen -Y verify" doing the same check, measured in the
 * same run.  "logbook verify" checks every signature of a journal, so
 * this is its cost per signature.
 *
 *   sigverify [-n N] [--runs K] [--spawns M]
 *
 * Keys of each type are made with ssh-keygen (Ed25519, ECDSA P-256,
 * P-384, P-521, RSA 2048, 3072 and 4096) in a temporary directory, and
 * each signs the same message, a signature record's content (a chain
 * head and its metadata), with ssh-keygen -Y sign.  Then, in K rounds
 * (every key once per round, so other load falls on all alike):
 *   in-process     N calls of sig_verify (dearmor, parse, key import,
 *                  hash, verify): the median round, in verifications/s
 *                  and microseconds each
 *   ssh-keygen     M runs of ssh-keygen -Y verify -f allowed_signers -I
 *                  alice -n logbook -s SIG < MSG (one allowed signer):
 *                  the median of the rounds' total time / M, in ms
 *   /bin/true      reference: M spawns of /bin/true, what starting any
 *                  process costs here
 * Every verification is checked to succeed.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "journal/sig.h"
#include "base/banned.h"

static const char usage[] =
	"usage: sigverify [-n N] [--runs K] [--spawns M]\n"
	"\n"
	"Verify an SSHSIG signature of each key type N times in-process (default\n"
	"2000) and with M runs of ssh-keygen -Y verify (default 20), K rounds\n"
	"(default 5); print the medians.\n";

struct kind {
	const char *name;
	const char *const gen[5];
	/* filled in */
	char *sig;
	size_t sig_len;
	double *inproc;		/* seconds per round */
	double *spawned;
};

static struct kind kinds[] = {
	{ "ssh-ed25519", { "-t", "ed25519" }, NULL, 0, NULL, NULL },
	{ "ecdsa-sha2-nistp256", { "-t", "ecdsa", "-b", "256" }, NULL, 0, NULL, NULL },
	{ "ecdsa-sha2-nistp384", { "-t", "ecdsa", "-b", "384" }, NULL, 0, NULL, NULL },
	{ "ecdsa-sha2-nistp521", { "-t", "ecdsa", "-b", "521" }, NULL, 0, NULL, NULL },
	{ "ssh-rsa 2048", { "-t", "rsa", "-b", "2048" }, NULL, 0, NULL, NULL },
	{ "ssh-rsa 3072", { "-t", "rsa", "-b", "3072" }, NULL, 0, NULL, NULL },
	{ "ssh-rsa 4096", { "-t", "rsa", "-b", "4096" }, NULL, 0, NULL, NULL },
};
#define NKINDS (sizeof kinds / sizeof *kinds)

/* what a signature record covers: the chain head and its context */
static const char msg[] =
	"logbook signature v1\nhost web1\nadmin alice\nseq 48213\n"
	"head 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
	"time 2026-11-26T03:14:15.926535Z\n";

static double now(void)
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

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* run argv quietly, stdin from in_path; its exit status */
static int run_quiet(const char *const argv[], const char *in_path)
{
	int in = in_path ? open(in_path, O_RDONLY | O_CLOEXEC) : RUN_NULL;
	struct child c;
	int rc;

	if (in_path && in < 0)
		die("%s: cannot open", in_path);
	memset(&c, 0, sizeof c);
	c.argv = argv;
	c.in = in;
	c.out = RUN_NULL;
	c.err = RUN_NULL;
	if (run_start(&c) < 0)
		die_err();
	rc = run_finish(&c);
	if (in >= 0)
		close(in);
	return rc;
}

static void make_key(const char *dir, size_t i)
{
	char *key = xasprintf("%s/key%zu", dir, i), *file = xasprintf("%s/msg%zu", dir, i);
	char *sigpath = xasprintf("%s.sig", file), *pubpath = xasprintf("%s.pub", key);
	char *allowed = xasprintf("%s/allowed%zu", dir, i);
	const char *argv[16] = { "ssh-keygen", "-q", "-N", "", "-C", "alice", "-f", key };
	const char *sign[] = { "ssh-keygen", "-Y", "sign", "-f", key, "-n", "logbook", file, NULL };
	struct buf b = BUF_INIT, line = BUF_INIT;
	size_t n = 8;

	for (size_t j = 0; j < 5 && kinds[i].gen[j]; j++)
		argv[n++] = kinds[i].gen[j];
	argv[n] = NULL;
	if (run_quiet(argv, NULL) != 0)
		die("ssh-keygen could not make a %s key", kinds[i].name);
	if (fs_write_atomic(file, msg, sizeof msg - 1, 0644) < 0 || run_quiet(sign, NULL) != 0 ||
	    fs_read_file(sigpath, &b) < 0)
		die("ssh-keygen -Y sign with %s failed", kinds[i].name);
	kinds[i].sig_len = b.len;
	kinds[i].sig = buf_detach(&b, NULL);
	if (fs_read_file(pubpath, &b) < 0)
		die_err();
	buf_addf(&line, "alice namespaces=\"logbook\" %s", b.data);
	if (fs_write_atomic(allowed, line.data, line.len, 0644) < 0)
		die_err();
	buf_release(&b);
	buf_release(&line);
	free(key);
	free(file);
	free(sigpath);
	free(pubpath);
	free(allowed);
}

static double time_inproc(size_t i, size_t n)
{
	double start = now();

	for (size_t j = 0; j < n; j++) {
		struct sig_key *signer;
		if (sig_verify(kinds[i].sig, kinds[i].sig_len, SIG_NAMESPACE, msg, sizeof msg - 1, &signer) < 0)
			die("%s: %s", kinds[i].name, errget());
		sig_key_free(signer);
	}
	return now() - start;
}

static double time_keygen(const char *dir, size_t i, size_t spawns)
{
	char *allowed = xasprintf("%s/allowed%zu", dir, i), *sig = xasprintf("%s/msg%zu.sig", dir, i);
	char *file = xasprintf("%s/msg%zu", dir, i);
	const char *argv[] = { "ssh-keygen", "-Y", "verify", "-f", allowed, "-I", "alice",
			       "-n", "logbook", "-s", sig, NULL };
	double start = now(), t;

	for (size_t j = 0; j < spawns; j++)
		if (run_quiet(argv, file) != 0)
			die("ssh-keygen -Y verify refused the %s signature", kinds[i].name);
	t = now() - start;
	free(allowed);
	free(sig);
	free(file);
	return t;
}

static double time_true(size_t spawns)
{
	const char *argv[] = { "/bin/true", NULL };
	double start = now();

	for (size_t j = 0; j < spawns; j++)
		if (run_quiet(argv, NULL) != 0)
			die("/bin/true failed");
	return now() - start;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "spawns", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	size_t n = 2000, runs = 5, spawns = 20;
	const char *tmp = getenv("TMPDIR");
	char *dir;
	double *truth;
	int c;

	while ((c = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			runs = strtoul(optarg, NULL, 10);
			break;
		case 's':
			spawns = strtoul(optarg, NULL, 10);
			break;
		default:
			fputs(usage, c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind != argc || !n || !runs || !spawns) {
		fputs(usage, stderr);
		return 2;
	}
	dir = xasprintf("%s/sigverify.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		die("%s: cannot create", dir);
	unsetenv("SSH_AUTH_SOCK");
	for (size_t i = 0; i < NKINDS; i++) {
		make_key(dir, i);
		kinds[i].inproc = xcalloc(runs, sizeof(double));
		kinds[i].spawned = xcalloc(runs, sizeof(double));
	}
	truth = xcalloc(runs, sizeof(double));
	/* warm up: libcrypto's first use loads its providers */
	time_inproc(0, 10);
	for (size_t r = 0; r < runs; r++) {
		for (size_t i = 0; i < NKINDS; i++) {
			kinds[i].inproc[r] = time_inproc(i, n);
			kinds[i].spawned[r] = time_keygen(dir, i, spawns);
		}
		truth[r] = time_true(spawns);
	}
	printf("sigverify: message of %zu bytes, median of %zu rounds; in-process: %zu verifications a round, "
	       "ssh-keygen -Y verify: %zu runs a round\n\n", sizeof msg - 1, runs, n, spawns);
	printf("%-22s %12s %10s %14s %10s\n", "key", "in-process/s", "us each", "ssh-keygen ms", "ratio");
	for (size_t i = 0; i < NKINDS; i++) {
		double in = median(kinds[i].inproc, runs) / (double)n;
		double out = median(kinds[i].spawned, runs) / (double)spawns;
		printf("%-22s %12.0f %10.1f %14.2f %9.0fx\n", kinds[i].name, 1 / in, in * 1e6, out * 1e3, out / in);
	}
	printf("%-22s %12s %10s %14.2f\n", "reference: /bin/true", "", "", median(truth, runs) / (double)spawns * 1e3);
	{
		const char *rm[] = { "rm", "-rf", dir, NULL };
		run_quiet(rm, NULL);
	}
	for (size_t i = 0; i < NKINDS; i++) {
		free(kinds[i].sig);
		free(kinds[i].inproc);
		free(kinds[i].spawned);
	}
	free(truth);
	free(dir);
	return 0;
}
