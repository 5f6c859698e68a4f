/*
 * logbook advisories: the security announcements filed from mail (DSA,
 * DLA) and, per advisory, the hosts still below the fixed version of
 * their release (view/advisories.h).  The status is worked out from the
 * package records each time, never stored.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "cmd/cmd.h"
#include "view/advisories.h"
#include "view/inventory.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook advisories [--all] [--json] [ID...]\n"
	"\n"
	"The security advisories filed from mail (DSA-NNNN-N, DLA-NNNN-N), newest\n"
	"first, each with the hosts still below its fixed version: the installed\n"
	"version of the source package, the fix for the host's release.  An\n"
	"advisory is done when every host that has one of its packages passes\n"
	"the fix; a host whose release the advisory does not list is open (no\n"
	"fixed version for it).  Only the open ones are listed unless --all or\n"
	"an ID is given.  Exit 0, or 1 when an ID is not in the journal.\n"
	"\n"
	"  --all        the done advisories as well\n"
	"  --json       one JSON object per advisory (id, packages, cves, fixed,\n"
	"               time, done, open: the hosts with their packages)\n"
	"  -h, --help   show this help\n";

enum { OPT_ALL = 256, OPT_JSON };

static bool asked(const char *id, char **ids, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(ids[i], id))
			return true;
	return false;
}

int cmd_advisories(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, OPT_ALL },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool all = false, json = false;
	struct inventory inv;
	struct advisories adv;
	struct buf out = BUF_INIT;
	struct journal *j;
	int c, rc = EXIT_OK;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ALL:
			all = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	j = cmd_journal();
	cmd_ingest_first(j);
	if (advisories_read(j, NULL, &inv, &adv) < 0)
		die_err();
	cli_print_warnings(&inv.warnings);
	cli_print_warnings(&adv.warnings);
	for (int i = optind; i < argc; i++) {
		bool found = false;
		for (size_t k = 0; k < adv.n && !found; k++)
			found = !strcmp(adv.v[k].a.id, argv[i]);
		if (!found) {
			warn_msg("advisories: %s: not in the journal", argv[i]);
			rc = EXIT_FAIL;
		}
	}
	for (size_t k = 0; k < adv.n; k++) {
		const struct adv_item *it = &adv.v[k];
		if (optind < argc ? !asked(it->a.id, argv + optind, argc - optind) : !all && adv_done(it))
			continue;
		buf_reset(&out);
		if (json)
			adv_format_json(it, &out);
		else
			adv_format(it, "  ", &out);
		if (!cli_out(out.data, out.len))
			break;
	}
	buf_release(&out);
	advisories_release(&adv);
	inventory_release(&inv);
	journal_close(j);
	c = cli_finish_output();
	return c ? c : rc;
}
