/*
 * logbook init [DIR]: create a journal.  team.conf is written last: it is
 * what makes a directory a journal, so a failed init leaves no journal,
 * and what init created on the way is removed.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "replica/git.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook init [--timezone ZONE] [DIR]\n"
	"\n"
	"Create a journal in DIR (default: -C DIR, else $LOGBOOK_DIR, else\n"
	JOURNAL_DEFAULT_DIR "): a git repository with a team.conf and a\n"
	".gitignore for the local .state/ directory.  DIR must be new or empty.\n"
	"\n"
	"When DIR belongs to a group other than your own (for example a directory\n"
	"made with 'install -d -g adm -m 2770'), the journal is shared with that\n"
	"group: directories are setgid and files group-writable (0660).\n"
	"\n"
	"  --timezone ZONE  the team's time zone, which cuts the day pages\n"
	"                   (default: this system's, from $TZ or /etc/timezone)\n"
	"  -h, --help       show this help\n";

static const char conf_template[] =
	"# team.conf: the settings that every replica of this logbook journal shares.\n"
	"# Syntax of git's config files (\"git config -f team.conf --list\" reads it).\n"
	"\n"
	"[team]\n"
	"\t# Day pages are cut at midnight in this time zone, on every host, so that\n"
	"\t# all replicas file a record under the same page.  Changing it later does\n"
	"\t# not move records already filed.\n"
	"\ttimezone = %s\n"
	"\n"
	"# The admins, one section each: an email address for digests, and the ssh\n"
	"# public keys that recognise who logged in to a shared account (sshd's\n"
	"# ExposeAuthInfo) and that check their signatures.\n"
	"#\n"
	"#[admin \"alice\"]\n"
	"#\temail = alice@example.org\n"
	"#\tkey = ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... alice@laptop\n"
	"\n"
	"# The files each host watches, one section per host (\"logbook watch add\",\n"
	"# \"watch rm\" and \"watch list\" edit and show it): files and whole\n"
	"# directories; \"!\" and a pattern excludes (fnmatch(3), on the full path when\n"
	"# it starts with \"/\", else on the file name; an excluded directory is not\n"
	"# walked).  Files matching a \"sensitive\" pattern, and files that group or\n"
	"# others cannot read (/etc/shadow, private keys), are tracked by hash only:\n"
	"# their content is never copied.  Symlinks are recorded, not followed.\n"
	"# To watch /etc on this host, uncomment the section below and run\n"
	"# \"logbook watch add /etc\": it takes the baseline of what is listed.\n"
	"#\n"
	"#[watch \"%s\"]\n"
	"#\tpath = /etc\n"
	"#\tpath = !/etc/.git            # etckeeper's repository\n"
	"#\tpath = !/etc/.etckeeper\n"
	"#\tpath = !/etc/ld.so.cache     # caches that tools rebuild\n"
	"#\tpath = !/etc/aliases.db\n"
	"#\tpath = !/etc/adjtime         # rewritten by hwclock\n"
	"#\tpath = !/etc/mtab\n"
	"#\tpath = !/etc/.pwd.lock\n"
	"#\tpath = !/etc/*-              # passwd-, shadow-...: the previous copies\n"
	"#\tpath = !/etc/lvm/archive     # LVM's automatic metadata backups\n"
	"#\tpath = !/etc/lvm/backup\n"
	"#\tpath = !*~                   # editor backups and swap files\n"
	"#\tpath = !*.swp\n"
	"#\tpath = !*.swo\n"
	"#\tpath = !*.swx\n"
	"#\tpath = \"!.#*\"\n"
	"#\tpath = \"!#*#\"\n"
	"#\tsensitive = /etc/ssl/private/*\n"
	"#\tsensitive = *.key\n"
	"\n"
	"# The day page (show, export) counts routine commands instead of listing\n"
	"# them: a command whose first word is listed, that exited 0 and is one\n"
	"# simple command.  The journal keeps every command either way.\n"
	"#\n"
	"#[show]\n"
	"#\tnoise = clear ls ll la cd pwd history exit logout logbook\n"
	"\n"
	"# logbook digest --send mails a day's summary to these addresses (default:\n"
	"# every admin's email).\n"
	"#\n"
	"#[digest]\n"
	"#\tto = admins@example.org\n"
	"\n"
	"# The level of a mail filed by \"logbook ingest-mail\": the first rule whose\n"
	"# every expression (PCRE2, case-insensitive: from, to, subject, list for the\n"
	"# List-Id, body) matches, then the built-in rules for cron output, mdadm,\n"
	"# smartd, unattended-upgrades and security lists (\"man logbook\"); a rule\n"
	"# named like a built-in one replaces it.  No rule: info.\n"
	"#\n"
	"#[mail \"nightly-backup\"]\n"
	"#\tfrom = ^backup@\n"
	"#\tsubject = fail\n"
	"#\tlevel = critical\n";

/* the directory for the journal: not a journal yet, else as cmd_take_dir */
static int take_dir(const char *dir, bool *existed, bool *shared, struct stat *st)
{
	char *conf = fs_join(dir, JOURNAL_CONF);
	bool journal = fs_exists(conf);

	free(conf);
	if (journal) {
		errset("%s: a journal already exists here; not overwriting it", dir);
		return -1;
	}
	return cmd_take_dir(dir, "init", existed, shared, st);
}

/*
 * .git is this account's alone even in a group-shared journal: git runs
 * there only as its owner (see replica/git.h), whatever the umask
 */
static int git_init(const char *dir)
{
	const char *argv[] = { "git", "-c", "init.defaultBranch=main", "init", "-q", "--shared=false", dir, NULL };
	int rc = run_capture(argv, NULL, NULL);

	if (rc < 0)
		errprefix("git init (is git installed?)");
	else if (rc > 0)
		errset("git init %s failed (exit %d)", dir, rc);
	return rc == 0 ? git_protect_dir(dir) : -1;
}

static int write_file(const struct journal *j, const char *name, const char *text)
{
	char *path = journal_path(j, name);
	int rc = fs_write_atomic(path, text, strlen(text), journal_file_mode(j));

	free(path);
	return rc;
}

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timezone", required_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir, *tz_opt = NULL;
	char *tz, *conf;
	bool existed;
	struct stat st;
	struct journal j = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'z':
			tz_opt = optarg;
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	if (argc - optind > 1)
		cli_usage_exit(usage, "init: too many arguments");
	dir = optind < argc ? argv[optind] : journal_locate(cmd_dir_option);
	tz = xstrdup(tz_opt ? tz_opt : "");
	if (!tz_opt) {
		free(tz);
		tz = day_system_tz();
	}
	if (day_set_tz(tz) < 0)
		die_err();
	if (take_dir(dir, &existed, &j.shared, &st) < 0)
		die_err();

	j.dir = (char *)dir;
	if (j.shared && (st.st_mode & 07770) != 02770 && chmod(dir, (st.st_mode & 07777) | 02770) < 0) {
		errset_sys("%s: cannot make the directory group-shared (chmod g+rwxs)", dir);
		goto fail;
	}
	{
		/* the commented watch section names this host, ready to uncomment */
		char *host = ident_host();
		conf = xasprintf(conf_template, tz, host ? host : "HOST");
		free(host);
	}
	if (git_init(dir) < 0 ||
	    write_file(&j, ".gitignore", "# local to each host: spools, caches, locks\n/" JOURNAL_STATE "/\n") < 0 ||
	    journal_mkdirs(&j, JOURNAL_STATE) < 0 ||
	    write_file(&j, JOURNAL_CONF, conf) < 0) {
		free(conf);
		goto fail;
	}
	free(conf);
	if (j.shared) {
		struct group *g = getgrgid(st.st_gid);
		if (g)
			printf("Created a logbook journal in %s (time zone %s, shared with group %s)\n",
			       dir, tz, g->gr_name);
		else
			printf("Created a logbook journal in %s (time zone %s, shared with group %lu)\n",
			       dir, tz, (unsigned long)st.st_gid);
	} else {
		printf("Created a logbook journal in %s (time zone %s)\n", dir, tz);
	}
	free(tz);
	return cli_finish_output();
fail:
	{
		/* leave the directory as it was found */
		char *msg = xstrdup(errget());
		static const char *const made[] = { JOURNAL_CONF, ".gitignore", JOURNAL_STATE, ".git" };
		for (size_t i = 0; i < sizeof made / sizeof *made; i++) {
			char *p = fs_join(dir, made[i]);
			fs_remove_tree(p);
			free(p);
		}
		if (!existed)
			rmdir(dir);
		die("%s", msg);
	}
}
