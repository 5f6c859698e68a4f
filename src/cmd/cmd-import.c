/*
 * logbook import --bash-history FILE | --zsh-history FILE: file an
 * existing shell history into the journal (capture/import.c) as cmd
 * records of this admin on this host, and say how many were new.
 */
#include <getopt.h>
#include <stdio.h>

#include "base/err.h"
#include "capture/import.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "journal/store.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook import --bash-history FILE\n"
	"       logbook import --zsh-history FILE\n"
	"\n"
	"File the commands of an existing shell history into the journal, as\n"
	"your commands on this host, redacted like live capture.  Timestamps\n"
	"are used where the file has them (bash with HISTTIMEFORMAT: '#EPOCH'\n"
	"lines; zsh with EXTENDED_HISTORY); other commands get the file's\n"
	"modification time.  Importing the same file again adds only the\n"
	"commands that are new in it.  Commands typed with a leading space\n"
	"are left out.\n"
	"\n"
	"  --bash-history FILE   a bash history file (~/.bash_history)\n"
	"  --zsh-history FILE    a zsh history file (~/.zsh_history)\n"
	"  -h, --help            show this help\n";

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bash-history", required_argument, NULL, 'b' },
		{ "zsh-history", required_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL;
	enum import_format format = IMPORT_BASH;
	struct store_warnings warnings = { 0 };
	struct import_result res;
	struct journal *j;
	struct ident id;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
		case 'z':
			if (file)
				cli_usage_exit(usage, "import: one history file at a time");
			file = optarg;
			format = c == 'b' ? IMPORT_BASH : IMPORT_ZSH;
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	if (!file)
		cli_usage_exit(usage, "import: name the history: --bash-history FILE or --zsh-history FILE");
	if (optind < argc)
		cli_usage_exit(usage, "import: unexpected argument '%s'", argv[optind]);

	j = cmd_journal();
	cmd_ingest_first(j);
	if (ident_resolve_in(&id, j) < 0)
		die_err();
	rc = import_history_file(j, &id, format, file, &warnings, &res);
	cli_print_warnings(&warnings);
	if (rc < 0)
		die("import: %s", errget());
	printf("%zu command%s imported from %s", res.added, res.added == 1 ? "" : "s", file);
	if (res.skipped)
		printf(" (%zu already in the journal)", res.skipped);
	printf("\n");

	ident_release(&id);
	journal_close(j);
	return cli_finish_output();
}
