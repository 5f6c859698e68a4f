/*
 * cli: the few helpers of src/cmd/cmd.h that logbook-ingest-mail uses,
 * with the same names, contracts and output, so that the helper says
 * byte for byte what `logbook ingest-mail` said when it ran inside
 * logbook.  The helper links nothing of src/cmd/: cmd.c would bring the
 * index (SQLite), the replicas and the rest of the commands' code into
 * the process that parses mail from anyone.
 */
#ifndef LOGBOOK_MAIL_CLI_H
#define LOGBOOK_MAIL_CLI_H

#include <stdnoreturn.h>

#include "journal/store.h"

/* -C DIR as given to the helper, NULL when absent */
extern const char *cmd_dir_option;

/* print usage on stdout and exit 0 */
noreturn void cmd_help_exit(const char *usage);
/* "logbook: <cmd>: <why>" and the usage's synopsis on stderr, exit 2 */
noreturn void cmd_usage_exit(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* the same for the option getopt_long just rejected (call with its return value) */
noreturn void cmd_bad_option(const char *usage, int c, char **argv);
/* print and clear what the store found on the way */
void cmd_print_warnings(struct store_warnings *w);

#endif
