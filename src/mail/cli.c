/*
 * cli: the command-line helpers of logbook-ingest-mail (see cli.h), the
 * same as src/cmd/cmd.c's: change them together.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "mail/cli.h"
#include "base/banned.h"

const char *cmd_dir_option;

void cmd_help_exit(const char *usage)
{
	fputs(usage, stdout);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		/* a reader that went away is not an error */
		if (errno == EPIPE)
			exit(EXIT_OK);
		warn_msg("standard output: %s", strerror(errno));
		exit(EXIT_FAIL);
	}
	exit(EXIT_OK);
}

void cmd_usage_exit(const char *usage, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	/* the message and the synopsis (usage up to its first empty line), as git does */
	{
		const char *end = strstr(usage, "\n\n");
		int len = end ? (int)(end - usage) + 1 : (int)strlen(usage);
		fflush(stdout);
		fprintf(stderr, "logbook: %s\n%.*s", buf_str(&b), len, usage);
	}
	buf_release(&b);
	exit(EXIT_USAGE);
}

void cmd_bad_option(const char *usage, int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		cmd_usage_exit(usage, "%s: option '%s' needs a value", argv[0], arg);
	if (optopt && optopt != '?')
		cmd_usage_exit(usage, "%s: unknown option '-%c'", argv[0], optopt);
	cmd_usage_exit(usage, "%s: unknown option '%s'", argv[0], arg);
}

void cmd_print_warnings(struct store_warnings *w)
{
	for (size_t i = 0; i < w->n; i++)
		warn_msg("%s", w->msgs[i]);
	store_warnings_free(w);
}
