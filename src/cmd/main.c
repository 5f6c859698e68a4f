/*
 * logbook: the command table and the dispatch to cmd_<name>.  Nothing
 * else lives here: each subcommand is in src/cmd-<name>.c.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "cmd/cmd.h"
#include "journal/secrets.h"
#include "base/banned.h"

const struct command commands[] = {
	{ "init", cmd_init, "create a journal" },
	{ "note", cmd_note, "add a note to today's page" },
	{ "show", cmd_show, "show a day page" },
	{ "days", cmd_days, "list the days that have records" },
	{ "commit", cmd_commit, "write the entry for your recent commands" },
	{ "hook", cmd_hook, "print the shell code that records commands" },
	{ "ingest", cmd_ingest, "move recorded commands into the journal" },
	{ "import", cmd_import, "file an existing shell history into the journal" },
	{ "watch", cmd_watch, "the files this host watches for changes" },
	{ "search", cmd_search, "find records by any text in them" },
	{ "browse", cmd_browse, "the logbook as a console application: days, pages, search as you type" },
	{ "list", cmd_list, "list records in time order, with filters" },
	{ "incident", cmd_incident, "an outage as one story: open, close, its timeline, the list" },
	{ "news", cmd_news, "what the others did and the machines said since you last looked" },
	{ "export", cmd_export, "write the day pages into a DokuWiki" },
	{ "diff", cmd_diff, "show what changed in the watched files" },
	{ "scan", cmd_scan, "record the watched files' changes nobody committed" },
	{ "sign", cmd_sign, "sign this host's journal with your ssh key" },
	{ "verify", cmd_verify, "check every chain and signature of the journal" },
	{ "sync", cmd_sync, "exchange records with the other replicas" },
	{ "remote", cmd_remote, "the other replicas that sync talks to" },
	{ "clone", cmd_clone, "set up a replica of an existing journal" },
	{ "team", cmd_team, "the admins and their ssh keys" },
	{ "who", cmd_who, "the shells open right now on every host" },
	{ "setup", cmd_setup, "bring this server into the logbook (as root), or --undo" },
	{ "doctor", cmd_doctor, "check this server: each problem and its fix" },
	{ "complete", cmd_complete, NULL },
	{ "event", cmd_event, "file what a machine or a script reports" },
	{ "apt-hook", cmd_apt_hook, "APT's hook: file package changes (run by APT as root)" },
	{ "ingest-mail", cmd_ingest_mail, "file one mail read on standard input (an MTA pipe)" },
	{ "digest", cmd_digest, "a day's summary as a mail, for sendmail" },
	{ "boot", cmd_boot, "file this host's reboots (the boot and shutdown units)" },
	{ "unit-failed", cmd_unit_failed, "file a failed systemd unit (the OnFailure= handler)" },
	{ "packages", cmd_packages, "which hosts have which package, at which version" },
	{ "advisories", cmd_advisories, "security advisories and the hosts still below their fix" },
	{ "todo", cmd_todo, "things left to do: add, done, list" },
	{ "ack", cmd_ack, "take an alert (an event or an advisory) so nobody fixes it twice" },
	{ "secret", cmd_secret, "the values this host redacts wherever they appear (root)" },
	{ "help", cmd_help, "show the help of logbook or of a command" },
};
const size_t ncommands = sizeof commands / sizeof *commands;

static const char usage[] =
	"usage: logbook [-C DIR] COMMAND [ARGS...]\n"
	"       logbook --version | --help\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* a reader that goes away is seen as EPIPE; a size limit as EFBIG */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:C:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'C':
			cmd_dir_option = optarg;
			break;
		case 'h':
			optind = 0;	/* reset getopt for help */
			return cmd_help(1, (char *[]){ "help", NULL });
		case 'V':
			printf("logbook %s\n", LOGBOOK_VERSION);
			return cli_finish_output();
		case ':':
			cli_usage_exit(usage, "option '-%c' needs a value", optopt);
		default:
			cli_usage_exit(usage, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		cli_usage_exit(usage, "no command given (try 'logbook help')");
	/*
	 * The known secrets, read while this process may still be root: a
	 * command started as root goes on as the logbook user (sync, export,
	 * ingest-mail), which cannot read them; the store redacts with them.
	 */
	secrets_process_init();
	for (size_t i = 0; i < ncommands; i++) {
		if (!strcmp(argv[optind], commands[i].name)) {
			char **args = argv + optind;
			int nargs = argc - optind;
			optind = 0;	/* reset getopt for the command */
			return commands[i].fn(nargs, args);
		}
	}
	cli_usage_exit(usage, "'%s' is not a logbook command (see 'logbook help')", argv[optind]);
}
