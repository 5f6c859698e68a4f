/*
 * logbook help [COMMAND]: the list of commands, or one command's help.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "cmd/cmd.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook help [COMMAND]\n"
	"\n"
	"Show the list of commands, or the help of COMMAND (the same as\n"
	"'logbook COMMAND --help').\n";

int cmd_help(int argc, char **argv)
{
	int first = cli_only_help(usage, argc, argv);

	if (argc - first > 1)
		cli_usage_exit(usage, "help: too many arguments");
	if (argc - first == 1) {
		const char *name = argv[first];
		for (size_t i = 0; i < ncommands; i++)
			if (!strcmp(name, commands[i].name)) {
				optind = 0;	/* reset getopt for the command */
				return commands[i].fn(2, (char *[]){ (char *)name, "--help", NULL });
			}
		cli_usage_exit(usage, "help: '%s' is not a logbook command", name);
	}
	printf("usage: logbook [-C DIR] COMMAND [ARGS...]\n"
	       "\n"
	       "logbook keeps the admin logbook of a team's servers: one page per day,\n"
	       "what each admin did on each host, replicated on every server.\n"
	       "\n"
	       "Commands:\n");
	for (size_t i = 0; i < ncommands; i++)
		if (commands[i].summary)
			printf("  %-8s %s\n", commands[i].name, commands[i].summary);
	printf("\n"
	       "Options:\n"
	       "  -C DIR     use the journal in DIR (default: $LOGBOOK_DIR, else %s)\n"
	       "  --version  print the version\n"
	       "  --help     print this help\n"
	       "\n"
	       "'logbook COMMAND --help' and 'man logbook' tell more.\n",
	       JOURNAL_DEFAULT_DIR);
	return cli_finish_output();
}
