/*
 * logbook days: the day pages that have records, newest first.
 */
#include <getopt.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"
#include "cmd/cmd.h"
#include "journal/store-lines.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook days\n"
	"\n"
	"List the days that have records, newest first: the day page name,\n"
	"the number of records, then the records per host.\n"
	"\n"
	"  -h, --help   show this help\n";

int cmd_days(int argc, char **argv)
{
	struct store_days days;
	struct journal *j;
	struct buf out = BUF_INIT;
	bool clean;

	optind = cli_only_help(usage, argc, argv);
	if (optind < argc)
		cli_usage_exit(usage, "days: unexpected argument '%s'", argv[optind]);
	j = cmd_journal();
	cmd_ingest_first(j);
	if (store_lines_days(j, &days, &clean) < 0)
		die_err();
	cli_print_warnings(&days.warnings);
	for (size_t i = 0; i < days.n; i++) {
		size_t total = 0;

		for (size_t h = 0; h < days.days[i].n; h++)
			total += days.days[i].counts[h];
		buf_reset(&out);
		buf_addf(&out, "%s %7zu ", days.days[i].day, total);
		for (size_t h = 0; h < days.days[i].n; h++)
			buf_addf(&out, " %s:%zu", days.days[i].hosts[h], days.days[i].counts[h]);
		buf_addc(&out, '\n');
		if (!cli_out(out.data, out.len))
			break;
	}
	buf_release(&out);
	store_days_free(&days);
	journal_close(j);
	return cli_finish_output();
}
