/*
 * logbook unit-failed UNIT: the OnFailure= handler (logbook-failure@.service,
 * which the drop-in service.d/10-logbook-onfailure.conf names for every
 * service) files a critical event of source "systemd": the unit, how it
 * ended (systemctl show) and its last log lines (journalctl).  It runs as
 * root from systemd: the unit name is checked before it reaches either
 * program (and is passed so that it cannot be an option), their output is
 * bounded, and no git runs.  When systemctl or journalctl fails the event
 * is filed all the same and says so.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/run.h"
#include "cmd/cmd.h"
#include "journal/event.h"
#include "journal/ident.h"
#include "journal/reboot.h"
#include "journal/store.h"
#include "base/banned.h"

#define LOG_LINES "20"
#define SHOW_MAX 4096		/* systemctl show of a few properties */
#define LOG_MAX 32768		/* 20 lines of a log */

static const char usage[] =
	"usage: logbook unit-failed UNIT\n"
	"\n"
	"File a critical event (source systemd, admin system) saying that the\n"
	"systemd unit UNIT failed: how it ended (systemctl show: Result,\n"
	"ExecMainCode, ExecMainStatus) and the last " LOG_LINES " lines of its log\n"
	"(journalctl -u UNIT).  The OnFailure= handler logbook-failure@.service\n"
	"runs it for every service once logbook setup has installed the drop-in\n"
	"service.d/10-logbook-onfailure.conf.  When systemctl or journalctl\n"
	"cannot tell, the event is filed all the same and says why.\n"
	"\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 filed, 1 not filed (the reason on standard error), 2 usage\n"
	"(a UNIT that is not a unit name).\n";

/* drop trailing newlines of a program's output */
static void chomp(struct buf *b)
{
	while (b->len > 0 && b->data[b->len - 1] == '\n')
		buf_truncate(b, b->len - 1);
}

/*
 * Run argv with its output bounded to max bytes, into out; add to text
 * what it printed, or why it printed nothing (it could not start, it
 * failed), so the event says what logbook could not learn.
 */
static void add_output(struct buf *text, const char *const argv[], size_t max, struct buf *out)
{
	size_t total = 0;
	int rc = run_capture_bounded(argv, max, out, &total);

	chomp(out);
	if (rc < 0)
		buf_addf(text, "(%s: %s)\n", argv[0], errget());
	else if (rc != 0)
		buf_addf(text, "(%s failed: exit status %d)\n", argv[0], rc);
	if (out->len) {
		buf_add(text, out->data, event_cut_utf8(out->data, out->len, max));
		buf_addc(text, '\n');
	}
	if (total > max)
		buf_addf(text, "(%s: %zu more bytes not kept)\n", argv[0], total - max);
}

int cmd_unit_failed(int argc, char **argv)
{
	struct store_warnings warnings = { 0 };
	struct buf head = BUF_INIT, text = BUF_INIT, show = BUF_INIT, log = BUF_INIT, unit_arg = BUF_INIT;
	struct journal *j;
	struct record *r;
	const char *unit;
	char *host, *account, *result;

	optind = cli_only_help(usage, argc, argv);
	if (optind >= argc)
		cli_usage_exit(usage, "unit-failed: which unit?");
	if (optind + 1 < argc)
		cli_usage_exit(usage, "unit-failed: unexpected argument '%s'", argv[optind + 1]);
	unit = argv[optind];
	if (!event_valid_unit(unit))
		cli_usage_exit(usage, "unit-failed: '%s' is not a systemd unit name", unit);
	j = cmd_journal();
	if (!(host = ident_host()))
		die_err();

	/* "--" and "--unit=": a name is never an option (event_valid_unit refuses a leading '-' too) */
	{
		const char *const argv_show[] = { "systemctl", "show", "--property=Result,ExecMainCode,ExecMainStatus",
						  "--", unit, NULL };
		add_output(&text, argv_show, SHOW_MAX, &show);
	}
	buf_addf(&unit_arg, "--unit=%s", unit);
	{
		const char *const argv_log[] = { "journalctl", "--no-pager", "--quiet", buf_str(&unit_arg),
						  "-n", LOG_LINES, "-o", "short-iso", NULL };
		add_output(&text, argv_log, LOG_MAX, &log);
	}
	chomp(&text);
	/* the first line says it all: the page and news show it */
	result = event_unit_property(show.data ? show.data : "", show.len, "Result");
	buf_addf(&head, "%s failed", unit);
	if (*result)
		buf_addf(&head, " (%s)", result);
	buf_addc(&head, '\n');
	buf_add(&head, text.data ? text.data : "", text.len);

	account = reboot_account();
	r = event_record(day_now_us(), host, SYSTEM_ADMIN, account, "", "systemd", EVENT_CRITICAL,
			 head.data, head.len, head.len);
	rec_set_text(r, "unit", unit, strlen(unit));
	if (*result)
		rec_set_text(r, "result", result, strlen(result));
	if (store_append(j, r, &warnings) < 0) {
		cli_print_warnings(&warnings);
		die("unit-failed: %s", errget());
	}
	cli_print_warnings(&warnings);
	rec_free(r);
	free(result);
	free(account);
	free(host);
	buf_release(&text);
	buf_release(&show);
	buf_release(&log);
	buf_release(&head);
	buf_release(&unit_arg);
	journal_close(j);
	return EXIT_OK;
}
