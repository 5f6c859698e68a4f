/*
 * logbook remote add|rm|list: the other replicas sync talks to, kept as
 * git remotes of the journal's repository.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "cmd/cmd.h"
#include "replica/git.h"
#include "replica/replica.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook remote add NAME URL\n"
	"       logbook remote rm NAME\n"
	"       logbook remote list\n"
	"\n"
	"The other replicas of the journal that 'logbook sync' fetches from and\n"
	"pushes to.  URL is anything git accepts: ssh://host/path, host:path, or a\n"
	"local path; the admins' ssh configuration applies.  NAME is made of\n"
	"letters, digits, '.', '_' and '-'.\n"
	"\n"
	"  -h, --help   show this help\n";

static int git_or_die(struct journal *j, struct buf *out, const char *const args[], const char *what)
{
	int rc = git_run(j->dir, NULL, out, NULL, args);

	if (rc < 0)
		die("remote: %s", errget());
	if (rc > 0)
		die("remote: %s failed (git exit %d)", what, rc);
	return 0;
}

int cmd_remote(int argc, char **argv)
{
	struct journal *j;
	const char *sub;

	optind = cli_only_help(usage, argc, argv);
	if (optind >= argc)
		cli_usage_exit(usage, "remote: say add, rm or list");
	sub = argv[optind++];
	if (!strcmp(sub, "add")) {
		if (argc - optind != 2)
			cli_usage_exit(usage, "remote add: needs NAME and URL");
		if (!replica_valid_remote(argv[optind]))
			cli_usage_exit(usage, "remote add: '%s' is not a remote name ([A-Za-z0-9._-]+)", argv[optind]);
		if (!*argv[optind + 1])
			cli_usage_exit(usage, "remote add: empty URL");
		j = cmd_journal();
		cmd_become_git_owner(j->dir, "remote");
		{
			char **names;
			size_t n;
			if (replica_remotes(j, &names, &n) < 0)
				die("remote: %s", errget());
			for (size_t i = 0; i < n; i++)
				if (!strcmp(names[i], argv[optind]))
					die("remote add: %s exists already (remove it first with 'logbook remote rm %s')",
					    argv[optind], argv[optind]);
			replica_names_free(names, n);
		}
		{
			char *url = replica_url(argv[optind + 1]);
			const char *args[] = { "remote", "add", "--", argv[optind], url, NULL };
			git_or_die(j, NULL, args, "git remote add");
			if (replica_local_packs(j, argv[optind], url) < 0)
				die("remote add: %s", errget());
			free(url);
		}
	} else if (!strcmp(sub, "rm")) {
		bool found = false;
		char **names;
		size_t n;
		if (argc - optind != 1)
			cli_usage_exit(usage, "remote rm: needs NAME");
		j = cmd_journal();
		cmd_become_git_owner(j->dir, "remote");
		if (replica_remotes(j, &names, &n) < 0)
			die("remote: %s", errget());
		for (size_t i = 0; i < n; i++)
			found |= !strcmp(names[i], argv[optind]);
		replica_names_free(names, n);
		if (!found)
			die("remote rm: no remote named '%s'", argv[optind]);
		{
			const char *args[] = { "remote", "remove", argv[optind], NULL };
			git_or_die(j, NULL, args, "git remote remove");
		}
	} else if (!strcmp(sub, "list")) {
		char **names;
		size_t n;
		if (argc - optind != 0)
			cli_usage_exit(usage, "remote list: too many arguments");
		j = cmd_journal();
		cmd_become_git_owner(j->dir, "remote");
		if (replica_remotes(j, &names, &n) < 0)
			die("remote: %s", errget());
		for (size_t i = 0; i < n; i++) {
			struct buf url = BUF_INIT;
			const char *args[] = { "remote", "get-url", names[i], NULL };
			git_or_die(j, &url, args, "git remote get-url");
			printf("%s\t%s", names[i], buf_str(&url));
			buf_release(&url);
		}
		replica_names_free(names, n);
	} else {
		cli_usage_exit(usage, "remote: '%s' is not add, rm or list", sub);
	}
	journal_close(j);
	return cli_finish_output();
}
