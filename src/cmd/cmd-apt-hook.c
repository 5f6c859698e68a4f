/*
 * logbook apt-hook pre|post: APT's entry points (the DPkg::Pre-Invoke and
 * DPkg::Post-Invoke lines setup writes to /etc/apt/apt.conf.d/05logbook).
 * pre notes who runs APT; post files what APT and dpkg did
 * (capture/packages.h).  APT runs them as root with "|| true": a failure
 * is said on standard error and never stops APT, and every wait is
 * bounded (APT_HOOK_WAIT seconds for a lock).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/day.h"
#include "base/err.h"
#include "capture/packages.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "setup/server.h"
#include "base/banned.h"

#define APT_HOOK_WAIT 10

static const char usage[] =
	"usage: logbook apt-hook pre|post\n"
	"\n"
	"APT's hook, run as root by the lines 'logbook setup' writes to\n"
	SERVER_APT_CONF ":\n"
	"\n"
	"  pre    before dpkg runs (DPkg::Pre-Invoke): note who runs APT, the\n"
	"         admin of the hooked shell ($LOGBOOK_SESSION) when there is one\n"
	"  post   after dpkg (DPkg::Post-Invoke): file every APT run of\n"
	"         " PKG_HISTORY_LOG " and what dpkg did alone (" PKG_DPKG_LOG ")\n"
	"         not filed yet, then the installed packages when they changed\n"
	"         behind logbook's back (root's 'logbook ingest' does the same)\n"
	"\n"
	"Nothing is filed twice.  Only root runs it.  A lock held by another\n"
	"logbook is waited for at most 10 seconds; the run is then filed by\n"
	"the next catch-up.\n"
	"\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 done, 1 failed (the reason on standard error; APT goes\n"
	"on), 2 usage.\n";

int cmd_apt_hook(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *step;
	char *tz;
	struct journal *j;
	int c, rc = EXIT_OK;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			cli_help_exit(usage);
		cli_bad_option(usage, c, argv);
	}
	if (optind >= argc)
		cli_usage_exit(usage, "apt-hook: say pre or post");
	step = argv[optind];
	if (strcmp(step, "pre") && strcmp(step, "post"))
		cli_usage_exit(usage, "apt-hook: unknown step '%s': use pre or post", step);
	if (optind + 1 < argc)
		cli_usage_exit(usage, "apt-hook: unexpected argument '%s'", argv[optind + 1]);

	/* root's state: another account's run would only make a directory root then sets aside */
	if (geteuid() != 0)
		die("apt-hook: APT runs it as root; run it as root");
	/* the zone APT and dpkg write their logs in: this process's, before the journal sets the team's */
	tz = day_system_tz();
	j = cmd_journal();
	if (!strcmp(step, "pre")) {
		struct ident id;
		if (ident_resolve_in(&id, j) < 0 || pkg_hook_pre(j, &id, tz) < 0) {
			warn_msg("apt-hook pre: %s", errget());
			rc = EXIT_FAIL;
		}
		if (id.host)
			ident_release(&id);
	} else if (cmd_packages_catch_up(j, tz, APT_HOOK_WAIT) < 0) {
		rc = EXIT_FAIL;
	}
	free(tz);
	journal_close(j);
	return rc;
}
