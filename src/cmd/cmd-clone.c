/*
 * logbook clone URL [DIR]: a new server's replica of an existing journal.
 * team.conf is written last, as init does: it is what makes a directory
 * a journal, so a failed clone leaves none, and what it made is removed.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/conf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "replica/git.h"
#include "replica/replica.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook clone [--trust SHA256:...] URL [DIR]\n"
	"\n"
	"Make DIR (default: -C DIR, else $LOGBOOK_DIR, else " JOURNAL_DEFAULT_DIR ")\n"
	"a replica of the journal at URL: every host's records and team.conf,\n"
	"readable offline, with URL as the remote \"origin\" of 'logbook sync'.\n"
	"DIR must be new or empty; a setgid DIR makes the journal group-shared.\n"
	"\n"
	"When the team signs its keyring (team.conf's history), the key that\n"
	"signed its first change becomes this replica's root of trust; clone\n"
	"prints its fingerprint: compare it with the team's, or give it.\n"
	"\n"
	"  --trust FP   the root of trust the team gave (SHA256:...): clone\n"
	"               fails when the keyring was started by another key\n"
	"  -h, --help   show this help\n";

static int git_step(const char *dir, const char *const args[])
{
	int rc = git_run(dir, NULL, NULL, NULL, args);

	if (rc > 0)
		errset("git %s failed (exit %d)", args[0], rc);
	return rc == 0 ? 0 : -1;
}

static int clone(struct journal *j, const char *url, const char *trust)
{
	/* .git is this account's alone, even in a group-shared journal (see replica/git.h) */
	const char *init[] = { "-c", "init.defaultBranch=main", "init", "-q", "--shared=false", ".", NULL };
	char *abs = replica_url(url);
	const char *remote[] = { "remote", "add", "origin", abs, NULL };
	struct store_warnings w = { 0 };
	char *team, *gitignore;
	int rc;

	rc = git_step(j->dir, init) < 0 || git_protect_dir(j->dir) < 0 || git_step(j->dir, remote) < 0 ||
			     replica_local_packs(j, "origin", abs) < 0
		     ? -1 : 0;
	free(abs);
	if (rc < 0)
		return -1;
	if (replica_fetch(j, "origin") < 0) {
		errprefix("%s", url);
		return -1;
	}
	team = git_resolve(j->dir, "refs/remotes/origin/" "team");
	free(team);
	if (!team) {
		errset("%s: not a logbook journal (it has no team ref; has its first host run 'logbook sync'?)", url);
		return -1;
	}
	gitignore = journal_path(j, ".gitignore");
	rc = fs_write_atomic(gitignore, "# local to each host: spools, caches, locks\n/" JOURNAL_STATE "/\n",
			     strlen("# local to each host: spools, caches, locks\n/" JOURNAL_STATE "/\n"),
			     journal_file_mode(j));
	free(gitignore);
	if (rc < 0 || journal_mkdirs(j, JOURNAL_STATE) < 0 || (rc = replica_lock(j)) < 0)
		return -1;
	close(rc);
	{
		char *pinned = NULL;
		if (replica_trust_team(j, "refs/remotes/origin/team", trust, &pinned) < 0)
			return -1;
		if (pinned)
			printf("The team's keyring is signed; this replica trusts %s, the key that started it%s\n",
			       pinned, trust ? " (as --trust said)" : ": compare it with the team's");
		free(pinned);
	}
	rc = replica_integrate(j, "origin", NULL, &w);
	cli_print_warnings(&w);
	return rc < 0 ? -1 : 0;
}

int cmd_clone(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "trust", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct journal j = { 0 };
	const char *url, *dir, *trust = NULL;
	bool existed;
	struct stat st;
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 't' && !strncmp(optarg, "SHA256:", 7)) {
			trust = optarg;
			continue;
		}
		if (c == 't')
			cli_usage_exit(usage, "clone: --trust takes a key fingerprint, SHA256:...");
		if (c == 'h')
			cli_help_exit(usage);
		cli_bad_option(usage, c, argv);
	}
	if (optind >= argc)
		cli_usage_exit(usage, "clone: needs the URL of a journal");
	if (argc - optind > 2)
		cli_usage_exit(usage, "clone: too many arguments");
	url = argv[optind];
	dir = optind + 1 < argc ? argv[optind + 1] : journal_locate(cmd_dir_option);
	if (cmd_take_dir(dir, "clone", &existed, &j.shared, &st) < 0)
		die_err();
	j.dir = (char *)dir;
	if (clone(&j, url, trust) < 0) {
		/* leave the directory as it was found */
		char *msg = xstrdup(errget());
		DIR *d = opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			char *p;
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "lost+found"))
				continue;
			p = fs_join(dir, e->d_name);
			fs_remove_tree(p);
			free(p);
		}
		if (d)
			closedir(d);
		if (!existed)
			rmdir(dir);
		die("clone: %s", msg);
	}
	journal_release(&j);
	printf("Cloned the logbook journal of %s into %s\n", url, dir);
	return cli_finish_output();
}
