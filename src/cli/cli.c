/*
 * cli: what a logbook program prints on its command line (see cli.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "cli/cli.h"
#include "base/banned.h"

void cli_help_exit(const char *usage)
{
	fputs(usage, stdout);
	exit(cli_finish_output());
}

void cli_usage_exit(const char *usage, const char *fmt, ...)
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

static noreturn void bad_option(const char *usage, int c, char **argv, const char *hint)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		cli_usage_exit(usage, "%s: option '%s' needs a value", argv[0], arg);
	if (optopt && optopt != '?')
		cli_usage_exit(usage, "%s: unknown option '-%c'%s", argv[0], optopt, hint);
	cli_usage_exit(usage, "%s: unknown option '%s'%s", argv[0], arg, hint);
}

void cli_bad_option(const char *usage, int c, char **argv)
{
	bad_option(usage, c, argv, "");
}

void cli_bad_option_in_text(const char *usage, int c, char **argv)
{
	bad_option(usage, c, argv, " (a word of the text that starts with '-' goes after '--')");
}

int cli_only_help(const char *usage, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			cli_help_exit(usage);
		cli_bad_option(usage, c, argv);
	}
	return optind;
}

void cli_print_warnings(struct store_warnings *w)
{
	for (size_t i = 0; i < w->n; i++)
		warn_msg("%s", w->msgs[i]);
	store_warnings_free(w);
}

static bool reader_gone;

bool cli_out(const void *data, size_t len)
{
	if (reader_gone)
		return false;
	if (len == 0)
		return true;	/* an empty buffer may have no data pointer at all */
	if (fwrite(data, 1, len, stdout) != len && errno == EPIPE)
		reader_gone = true;
	return !reader_gone;
}

int cli_finish_output(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE || reader_gone)
			return EXIT_OK;
		warn_msg("standard output: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
