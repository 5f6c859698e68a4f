/*
 * logbook sync: ingest, commit this host's records, write what other
 * replicas pushed into this one, then fetch from, integrate and push to
 * every remote.  An unreachable remote is reported and skipped; the exit
 * status says how many were reached.  sync --local only writes what was
 * pushed: a hub runs it when a push arrives (logbook-receive.path).
 */
#include <getopt.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "journal/store.h"
#include "replica/git.h"
#include "replica/replica.h"
#include "view/export.h"
#include "view/index.h"
#include "view/threads.h"
#include "base/banned.h"

/* a push of our own ref that loses a race is tried again this many times */
#define PUSH_ATTEMPTS 3

enum { EXIT_SOME_UNREACHED = 3, EXIT_NONE_REACHED = 4, EXIT_QUARANTINED = 5 };

/* another host's history was kept aside (replica.h): exit EXIT_QUARANTINED */
static bool quarantined;

static const char usage[] =
	"usage: logbook sync [--local] [-q]\n"
	"\n"
	"Bring this replica and every remote in step: ingest the recorded commands,\n"
	"commit this host's new records, fetch what the other hosts wrote from each\n"
	"remote, then push.  Each host writes only its own files, so nothing ever\n"
	"needs merging.  A remote that cannot be reached is reported and skipped.\n"
	"What other replicas pushed into this one is written into its files too,\n"
	"unless it rewrites what this replica already holds, or appends lines\n"
	"that do not continue the host's chain (reported, left out).\n"
	"When team.conf sets export.dokuwiki (a DokuWiki pages directory), the day\n"
	"pages are exported there afterwards (see logbook export).\n"
	"It ends with one line on what it did: the remotes reached, whether this\n"
	"host's records were committed, and how many records came in.\n"
	"\n"
	"  --local      only write what other replicas pushed into this one: no\n"
	"               ingest, no commit, no fetch, no push (logbook-receive.path\n"
	"               runs it on a hub when a push arrives)\n"
	"  -q, --quiet  say nothing when all went well\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 when every remote was reached, 3 when some were not,\n"
	"4 when none was, 5 when another host's history was kept aside\n"
	"(rewritten, cut or oversized records, or new ones that break the host's\n"
	"chain: .state/quarantine/), 1 when this\n"
	"replica could not be updated.  sync --local: 0, 5, or 1.\n";

/*
 * After the records of the others are in, the wiki team.conf names gets
 * the pages that changed.  A failed export is reported but does not
 * fail the sync.
 */
static void sync_export(struct journal *j)
{
	struct export_report rep;
	int rc;

	/*
	 * The replies, todos and acks the others wrote, for show and the
	 * shells' start (view/threads.h): the index is not even opened when
	 * the store and sync wrote nothing since the cache was kept.
	 */
	threads_refresh(j, THREADS_WRITTEN);
	index_close();
	rc = export_from_conf(j, &rep);

	cli_print_warnings(&rep.warnings);
	if (rc < 0)
		warn_msg("export: %s", errget());
	export_report_free(&rep);
}

/*
 * .state/sync/ok.<remote>: when sync last reached remote, for doctor
 * (the file's time; its text is the same for a human).  Not fsync'd: a
 * crash can only leave the time of an earlier sync, and two fsyncs at
 * every sync cost more than the rest of a sync with nothing new when
 * the disk is busy.
 */
static void note_reached(struct journal *j, const char *remote)
{
	char *rel = xasprintf(REPLICA_STATE "/ok.%s", remote);
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ\n", gmtime_r(&now, &tm));
	if (journal_mkdirs(j, REPLICA_STATE) < 0 ||
	    fs_write_atomic_below(j->dir, rel, stamp, strlen(stamp), journal_file_mode(j), FS_ATOMIC_NO_SYNC) < 0)
		warn_msg("sync: %s", errget());
	free(rel);
}

/*
 * git runs in the journal only as the owner of its .git (replica/git.h):
 * another account asks for a sync instead.  0 when this account runs
 * it, 1 when it asked (and said so); dies when .git is not safe to run
 * git in at all.
 */
static int ask_owner(struct journal *j)
{
	struct passwd *pw;
	uid_t owner;

	switch (git_check_dir(j->dir, &owner)) {
	case GIT_TRUSTED:
		return 0;
	case GIT_NOT_OWNER:
		break;
	default:
		die("sync: %s", errget());
	}
	if (replica_request_sync(j) < 0)
		die("sync: asking for a sync: %s", errget());
	pw = getpwuid(owner);
	if (pw)
		printf("Only %s runs sync in %s: asked for one (%s/request).\n", pw->pw_name, j->dir, REPLICA_STATE);
	else
		printf("Only uid %lu runs sync in %s: asked for one (%s/request).\n", (unsigned long)owner, j->dir,
		       REPLICA_STATE);
	return 1;
}

struct commit_phase;
static void after_commit(struct commit_phase *cp);

/* what runs while the first fetch waits on the network, and while the last push does */
struct meanwhile {
	void (*fetch)(void *);	/* NULL: nothing */
	struct commit_phase *cp;
	bool refresh;		/* the last push: the git view, the search index and the replies brought up to date */
	struct journal *j;
};

static void refresh_threads(void *arg)
{
	const struct meanwhile *m = arg;

	after_commit(m->cp);
	threads_refresh(m->j, THREADS_WRITTEN);
	index_close();
}

/*
 * fetch, integrate and push one remote: 0 reached, -1 not (reported), -2
 * local failure.  m says what to do meanwhile on the first attempt.
 */
static int sync_remote(struct journal *j, const char *remote, const char *host, const struct meanwhile *m)
{
	struct store_warnings w = { 0 };

	for (int attempt = 1;; attempt++) {
		int rc;
		if (replica_fetch_while(j, remote, attempt == 1 ? m->fetch : NULL, m->cp) < 0) {
			warn_msg("sync: %s: cannot be reached: %s", remote, errget());
			return -1;
		}
		rc = replica_integrate(j, remote, host, &w);
		cli_print_warnings(&w);
		if (rc < 0) {
			warn_msg("sync: %s", errget());
			return -2;
		}
		quarantined |= rc == REPLICA_QUARANTINED;
		rc = replica_push_while(j, remote, host, attempt == 1 && m->refresh ? refresh_threads : NULL, (void *)m);
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

/* the other hosts' heads now, to count what came in (none when they cannot be read) */
static struct store_head *other_heads(struct journal *j, const char *host, size_t *n)
{
	struct store_head *v = NULL;

	if (store_heads(j, host, &v, n) < 0)
		*n = 0;
	return v;
}

/*
 * The other hosts' heads before sync wrote any of their files: taken
 * when it is about to (replica_before_write), since only sync writes
 * them; never taken when it wrote none, and then nothing came in.
 */
struct heads_before {
	struct journal *j;
	const char *host;
	struct store_head *v;
	size_t n;
	bool taken;
};

static void take_heads_before(void *arg)
{
	struct heads_before *b = arg;

	b->v = other_heads(b->j, b->host, &b->n);
	b->taken = true;
}

/*
 * The one line a sync ends with: "sync: 2 of 2 remotes reached; web1:
 * new records committed; 5 records in (db1, irc1)".  The records in are
 * what the other hosts' heads moved by (store_heads' newest days).
 */
static void say_done(struct journal *j, const char *host, size_t reached, size_t nremotes, int committed,
		     const struct heads_before *b)
{
	const struct store_head *before = b->v;
	size_t nafter = 0, nbefore = b->n;
	struct store_head *after = b->taken ? other_heads(j, host, &nafter) : NULL;
	struct buf from = BUF_INIT;
	int64_t in = 0;

	for (size_t i = 0; i < nafter; i++) {
		int64_t had = 0;
		for (size_t k = 0; k < nbefore; k++)
			if (!strcmp(before[k].host, after[i].host))
				had = before[k].seq;
		if (after[i].seq > had) {
			in += after[i].seq - had;
			buf_addf(&from, "%s%s", from.len ? ", " : "", after[i].host);
		}
	}
	printf("sync: %zu of %zu remote%s reached; %s: %s; ", reached, nremotes, nremotes == 1 ? "" : "s", host,
	       committed ? "new records committed" : "nothing new to commit");
	if (in)
		printf("%lld record%s in (%s)\n", (long long)in, in == 1 ? "" : "s", buf_str(&from));
	else
		printf("nothing new in\n");
	buf_release(&from);
	free(after);
}

/*
 * This host's records and team.conf committed and what others pushed
 * into this replica written (the git view follows: after_commit); dies
 * on a local failure.
 */
struct commit_phase {
	struct journal *j;
	const char *host;
	struct heads_before *before;
	int committed;		/* replica_commit_host's answer */
	bool view_due;		/* the git view is still to be brought to the commit */
};

static void sync_pushed(struct journal *j, const char *host);

static void commit_phase(void *arg)
{
	struct commit_phase *cp = arg;
	struct journal *j = cp->j;
	struct store_warnings w = { 0 };

	if ((cp->committed = replica_commit_host(j, cp->host, &w)) < 0) {
		cli_print_warnings(&w);
		die("sync: committing the records of %s: %s", cp->host, errget());
	}
	cli_print_warnings(&w);
	cp->view_due = true;
	if (replica_commit_team(j, &w) < 0) {
		cli_print_warnings(&w);
		die("sync: committing team.conf: %s", errget());
	}
	cli_print_warnings(&w);
	*cp->before = (struct heads_before){ j, cp->host, NULL, 0, false };
	replica_before_write(take_heads_before, cp->before);
	sync_pushed(j, cp->host);
}

/*
 * The git view (HEAD, .git/index) brought to the commit: nobody waits on
 * it, so it runs while the last push does, or once the remotes are done
 */
static void after_commit(struct commit_phase *cp)
{
	if (!cp->view_due)
		return;
	cp->view_due = false;
	if (replica_git_view(cp->j, cp->host, cp->committed == 1) < 0)
		warn_msg("sync: the journal's git view: %s", errget());
}

/* write what was pushed into this replica; dies on a local failure */
static void sync_pushed(struct journal *j, const char *host)
{
	struct store_warnings w = { 0 };
	int rc = replica_integrate_local(j, host, &w);

	cli_print_warnings(&w);
	if (rc < 0)
		die("sync: %s", errget());
	quarantined |= rc == REPLICA_QUARANTINED;
}

/* sync --local: the hub's answer to a push, no network */
static int sync_local(void)
{
	struct journal *j = cmd_journal();
	char *host = ident_host();
	int lock;

	if (!host)
		die_err();
	cmd_become_git_owner(j->dir, "sync");
	if ((lock = replica_lock(j)) < 0)
		die("sync: %s", errget());
	replica_refs_begin(j);
	sync_pushed(j, host);
	replica_refs_end();
	sync_export(j);
	close(lock);
	free(host);
	journal_close(j);
	if (cli_finish_output() != EXIT_OK)
		return EXIT_FAIL;
	return quarantined ? EXIT_QUARANTINED : EXIT_OK;
}

int cmd_sync(int argc, char **argv)
{
	enum { OPT_LOCAL = 256 };
	static const struct option opts[] = {
		{ "local", no_argument, NULL, OPT_LOCAL },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct journal *j;
	char **remotes, *host;
	size_t nremotes, reached = 0;
	struct heads_before before = { 0 };
	struct commit_phase cp;
	int c, lock;
	bool local = false, quiet = false;

	while ((c = getopt_long(argc, argv, ":hq", opts, NULL)) != -1) {
		if (c == OPT_LOCAL || c == 'q') {
			local |= c == OPT_LOCAL;
			quiet |= c == 'q';
			continue;
		}
		if (c == 'h')
			cli_help_exit(usage);
		cli_bad_option(usage, c, argv);
	}
	if (optind < argc)
		cli_usage_exit(usage, "sync: too many arguments");
	if (local)
		return sync_local();
	j = cmd_journal();
	if (!(host = ident_host()))
		die_err();
	/* root reads every account's spool, then goes on as the owner of .git */
	cmd_ingest_first(j);
	cmd_become_git_owner(j->dir, "sync");
	if ((lock = replica_lock(j)) < 0)
		die("sync: %s", errget());
	if (ask_owner(j)) {
		close(lock);
		free(host);
		journal_close(j);
		return cli_finish_output();
	}
	replica_refs_begin(j);
	/* the refs and the remotes read by two gits that run while this one goes on */
	replica_refs_prefetch(j);
	cp = (struct commit_phase){ j, host, &before, 0, false };
	if (replica_remotes(j, &remotes, &nremotes) < 0) {
		/* the records are committed here all the same */
		char *why = xstrdup(errget());
		commit_phase(&cp);
		after_commit(&cp);
		die("sync: %s", why);
	}
	if (nremotes == 0) {
		commit_phase(&cp);
		after_commit(&cp);
		replica_refs_end();
		if (!quiet)
			printf("No remotes: the records of %s are committed here only (see 'logbook remote add').\n", host);
		sync_export(j);
		replica_names_free(remotes, nremotes);
		free(before.v);
		free(host);
		journal_close(j);
		if (cli_finish_output() != EXIT_OK)
			return EXIT_FAIL;
		return quarantined ? EXIT_QUARANTINED : EXIT_OK;
	}
	/*
	 * The first fetch waits on the network while this host's records are
	 * committed (the fetch moves refs/remotes/ only, the commit this
	 * host's ref), and the last push while the git view follows the
	 * commit and the search index takes what came in: both CPUs at work,
	 * a sync of new records 30-40 ms sooner on a journal of ten years.
	 */
	for (size_t i = 0; i < nremotes; i++) {
		struct meanwhile m = { i == 0 ? commit_phase : NULL, &cp, i == nremotes - 1, j };
		int rc = sync_remote(j, remotes[i], host, &m);
		if (rc == -2)
			exit(EXIT_FAIL);
		if (rc == 0) {
			reached++;
			note_reached(j, remotes[i]);
		}
	}
	/* no push reached the last remote: the view now */
	after_commit(&cp);
	replica_refs_end();
	sync_export(j);
	if (!quiet)
		say_done(j, host, reached, nremotes, cp.committed, &before);
	free(before.v);
	close(lock);
	replica_names_free(remotes, nremotes);
	free(host);
	journal_close(j);
	if (cli_finish_output() != EXIT_OK)
		return EXIT_FAIL;
	if (quarantined)
		return EXIT_QUARANTINED;
	if (reached == nremotes)
		return EXIT_OK;
	return reached ? EXIT_SOME_UNREACHED : EXIT_NONE_REACHED;
}
