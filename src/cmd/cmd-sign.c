/*
 * logbook sign [--key FILE]: sign what this host wrote since its last
 * signature: a sign record covering the host's chain head (sign.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "journal/sign.h"
#include "journal/store.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook sign [--key FILE]\n"
	"\n"
	"Sign this host's journal up to now: a sign record covering the last\n"
	"record vouches for every earlier one of this host.  The signature is\n"
	"an OpenSSH SSHSIG (namespace \"logbook\") made by your ssh-agent with\n"
	"one of your keys listed in team.conf (logbook team add), or with the\n"
	"private key FILE.  When team.conf lists any key, a key that is not\n"
	"one of yours there is refused and nothing is written.  On a replica\n"
	"whose keyring is signed, your keys are those of the signed keyring\n"
	"(.git/logbook-keyring, what sync took): a key added to team.conf\n"
	"signs once sync took its signed change, never from an unsigned edit,\n"
	"and a key team.conf here revokes is refused at once.  Nothing to\n"
	"sign (the last record is a signature) is not an error.\n"
	"\n"
	"  --key FILE    sign with this private key file (through ssh-keygen)\n"
	"  -h, --help    show this help\n"
	"\n"
	"Exit status: 0 signed or nothing to sign, 1 no usable key, a key not\n"
	"yours, or failure.\n";

int cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_warnings warnings = { 0 };
	const char *keyfile = NULL;
	struct store_txn *t;
	struct journal *j;
	struct record *head;
	struct ident id;
	enum sign_result rc;
	int64_t covered;
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'k')
			keyfile = optarg;
		else if (c == 'h')
			cli_help_exit(usage);
		else
			cli_bad_option(usage, c, argv);
	}
	if (optind < argc)
		cli_usage_exit(usage, "sign: unexpected argument '%s'", argv[optind]);
	j = cmd_journal();
	cmd_ingest_first(j);
	if (ident_resolve_in(&id, j) < 0)
		die_err();
	if (!(t = store_begin(j, id.host, &warnings)))
		die("sign: %s", errget());
	cli_print_warnings(&warnings);
	head = store_head_record(t);
	covered = store_head_seq(t);
	if (head && !strcmp(head->kind, "sign")) {
		rec_free(head);
		store_abort(t);
		printf("nothing to sign on %s: its last record is a signature\n", id.host);
		return cli_finish_output();
	}
	rec_free(head);
	rc = sign_add(t, j, &id, keyfile);
	if (rc != SIGN_DONE) {
		/* a refusal is an answer, not a crash: everything released, exit 1 */
		warn_msg("sign: %s", errget());
		store_abort(t);
		ident_release(&id);
		journal_close(j);
		return EXIT_FAIL;
	}
	if (store_commit(t) < 0)
		die("sign: %s", errget());
	printf("signed %s up to seq %lld\n", id.host, (long long)covered);
	ident_release(&id);
	journal_close(j);
	return cli_finish_output();
}
