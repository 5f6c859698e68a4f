/*
 * logbook ack REF: say "I am on it" for an alert, so two admins do not fix
 * it twice.  REF is an event record (HOST:SEQ) or a security advisory's
 * id (DSA-5678-1); the ack is a record (kind ack) that news and the
 * digest show next to the alert: taken by this admin, not waiting.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/day.h"
#include "base/err.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "journal/record.h"
#include "journal/ref.h"
#include "view/advisories.h"
#include "view/index.h"
#include "view/inventory.h"
#include "view/threads.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook ack REF\n"
	"\n"
	"Take an alert: REF is an event (HOST:SEQ, as the page, list and search\n"
	"show it: a mail, a failed unit, a script's report) or a security\n"
	"advisory's id (DSA-5678-1, as logbook advisories shows it).  The ack\n"
	"is a record; news and the digest then show the alert as taken by you\n"
	"instead of waiting.  A REF that is neither is refused.\n"
	"\n"
	"  -h, --help  show this help\n"
	"\n"
	"Exit status: 0 taken, 1 failed (REF is not an event or an advisory of\n"
	"this journal), 2 usage.\n";

/* an advisory id of the journal, exactly as logbook advisories lists it */
static bool known_advisory(struct journal *j, const char *id)
{
	struct inventory inv;
	struct advisories adv;
	bool found = false;

	if (advisories_read(j, NULL, &inv, &adv) < 0)
		die("ack: %s", errget());
	for (size_t i = 0; i < adv.n && !found; i++)
		found = !strcmp(adv.v[i].a.id, id);
	advisories_release(&adv);
	inventory_release(&inv);
	return found;
}

int cmd_ack(int argc, char **argv)
{
	const char *arg;
	char ref[REF_MAX + 1];
	const struct thread_ack *taken;
	struct rec_ref parsed;
	struct threads t;
	struct journal *j;
	struct ident id;
	struct record *r;

	int first = cli_only_help(usage, argc, argv);

	if (argc - first != 1)
		cli_usage_exit(usage, "ack: name one event (HOST:SEQ) or advisory (DSA-5678-1)");
	arg = argv[first];
	j = cmd_journal();
	cmd_ingest_first(j);
	if (ident_resolve_in(&id, j) < 0)
		die_err();
	if (ref_parse(arg, strlen(arg), &parsed) == 0) {
		struct record *target;
		ref_format(parsed.host, parsed.seq, ref);
		target = cmd_find_ref(j, ref, "ack", NULL);
		if (strcmp(target->kind, "event"))
			die("ack: %s is a %s record; ack takes an event or an advisory", ref, target->kind);
		rec_free(target);
	} else if (!strncmp(arg, "DSA-", 4) || !strncmp(arg, "DLA-", 4)) {
		if (!known_advisory(j, arg))
			die("ack: %s: no such advisory in this journal (logbook advisories lists them)", arg);
		snprintf(ref, sizeof ref, "%s", arg);
	} else {
		die("ack: '%s' is neither an event (HOST:SEQ) nor an advisory (DSA-5678-1)", arg);
	}
	if (threads_load(j, THREADS_UPDATE, &t) < 0)
		die("ack: %s", errget());
	if ((taken = threads_ack_of(&t, ref)) && !strcmp(taken->admin, id.admin))
		die("ack: you took %s already (%s)", ref, taken->ref);
	if (taken)
		fprintf(stderr, "logbook: ack: %s was taken by %s already; taking it too\n", ref, taken->admin);
	threads_release(&t);
	r = rec_new("ack", day_now_us(), id.host, id.admin, id.account, id.session);
	rec_set_text(r, "ref", ref, strlen(ref));
	cmd_file_record(j, &id, r, "ack");
	printf("taken %s\n", ref);
	rec_free(r);
	index_close();
	ident_release(&id);
	journal_close(j);
	return cli_finish_output();
}
