/*
 * cli: what a logbook program prints on its command line, shared by
 * logbook's commands (src/cmd/) and the logbook-ingest-mail helper
 * (src/mail/), so both say the same thing the same way: the usage and
 * --help, a usage error (exit 2), the warnings a store gathered, and
 * standard output that a pager may close early (not an error).  This
 * is the one module besides err.c's die/warn that prints, and the only
 * one besides the programs' mains that exits.
 */
#ifndef LOGBOOK_CLI_H
#define LOGBOOK_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>

#include "journal/store.h"

/* print usage on stdout and exit 0 */
noreturn void cli_help_exit(const char *usage);
/* "logbook: <cmd>: <why>" and the usage on stderr, exit 2 */
noreturn void cli_usage_exit(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* the same for the option getopt_long just rejected (call with its return value) */
noreturn void cli_bad_option(const char *usage, int c, char **argv);
/* the same for a command whose operands are free text: says how to write a word that starts with '-' */
noreturn void cli_bad_option_in_text(const char *usage, int c, char **argv);
/*
 * Parse the options of a command that has none but -h and --help, which
 * may come before, among or after the operands ("--" ends them): the
 * index of the first operand in the permuted argv.
 */
int cli_only_help(const char *usage, int argc, char **argv);
/* print and clear what the store found on the way */
void cli_print_warnings(struct store_warnings *w);
/* write to stdout; false once the reader has gone away (a pager quit) */
bool cli_out(const void *data, size_t len);
/* flush stdout: exit status for the command (a closed pipe is not an error) */
int cli_finish_output(void);

#endif
