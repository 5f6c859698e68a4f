/*
 * logbook boot up|down: the host's reboots as records, from the units
 * logbook-boot.service (up, at boot) and logbook-shutdown.service (down,
 * at shutdown).  The up record is the store's: the first write of a new
 * boot files it (journal/reboot.h), so `boot up` only opens this host's
 * chain, in case nothing else writes before the next crash.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/boot.h"
#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/run.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "journal/reboot.h"
#include "journal/store.h"
#include "setup/server.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook boot up|down\n"
	"\n"
	"File this host's reboots, from the units logbook-boot.service and\n"
	"logbook-shutdown.service that logbook setup enables.\n"
	"\n"
	"  up     at boot: file the 'boot' record of this boot (when the host went\n"
	"         down and came up, the kernel, whether the previous boot ended\n"
	"         cleanly), unless a logbook run of this boot already did: the\n"
	"         first write of a new boot files it, once per boot\n"
	"  down   at shutdown: file the record that says this boot ends cleanly;\n"
	"         under systemd only while the system is stopping (systemctl\n"
	"         is-system-running), so stopping the unit by hand files nothing\n"
	"\n"
	"Both are attributed to the admin 'system'.\n"
	"\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 filed (or nothing to file), 1 failed, 2 usage.\n";

/* under systemd: whether it is shutting the system down; without systemd, whoever runs us knows */
static bool shutting_down(struct buf *state)
{
	static const char *const argv[] = { "systemctl", "is-system-running", NULL };
	size_t total;

	if (!server_systemd_running())
		return true;
	run_capture_bounded(argv, 256, state, &total);
	buf_truncate(state, strcspn(buf_str(state), "\n"));
	return !strcmp(buf_str(state), "stopping");
}

int cmd_boot(int argc, char **argv)
{
	struct store_warnings warnings = { 0 };
	struct store_txn *t;
	struct journal *j;
	const char *what;
	char *host, *account;
	int rc = 0;

	optind = cli_only_help(usage, argc, argv);
	if (optind >= argc)
		cli_usage_exit(usage, "boot: say up or down");
	what = argv[optind];
	if (strcmp(what, "up") && strcmp(what, "down"))
		cli_usage_exit(usage, "boot: unknown word '%s': say up or down", what);
	if (optind + 1 < argc)
		cli_usage_exit(usage, "boot: unexpected argument '%s'", argv[optind + 1]);
	if (!*boot_id())
		die("boot: this system has no boot id (/proc/sys/kernel/random/boot_id)");
	if (!strcmp(what, "down")) {
		struct buf state = BUF_INIT;
		if (!shutting_down(&state)) {
			printf("boot down: the system is not shutting down (%s): nothing filed\n",
			       state.len ? buf_str(&state) : "systemctl cannot tell");
			buf_release(&state);
			return EXIT_OK;
		}
		buf_release(&state);
	}
	j = cmd_journal();
	if (!(host = ident_host()))
		die_err();
	t = store_begin(j, host, &warnings);
	cli_print_warnings(&warnings);
	if (!t)
		die("boot %s: %s", what, errget());
	if (!strcmp(what, "down")) {
		struct record *r;
		account = reboot_account();
		r = reboot_down_record(day_now_us(), host, account, boot_id(), boot_kernel());
		rc = store_add(t, r);
		rec_free(r);
		free(account);
	}
	if (rc < 0) {
		store_abort(t);
		die("boot %s: %s", what, errget());
	}
	if (store_commit(t) < 0)
		die("boot %s: %s", what, errget());
	cli_print_warnings(&warnings);
	free(host);
	journal_close(j);
	return EXIT_OK;
}
