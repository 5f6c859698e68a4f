/*
 * logbook team add|rm|revoke|list|allowed-signers: the admins of
 * team.conf and their ssh public keys (team.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "journal/sig.h"
#include "journal/team.h"
#include "replica/replica.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook team add NAME [--email ADDRESS] [--key FILE|KEYTEXT]...\n"
	"       logbook team rm NAME\n"
	"       logbook team revoke FINGERPRINT\n"
	"       logbook team sign [--key FILE]\n"
	"       logbook team log\n"
	"       logbook team list\n"
	"       logbook team allowed-signers\n"
	"\n"
	"The admins of the team and their ssh public keys, in team.conf: the\n"
	"keys recognise who logged in to a shared account, and check the\n"
	"admins' signatures.  'add' records an email address and public keys\n"
	"(a .pub file or the key's text: ed25519, ecdsa or rsa); 'rm' removes\n"
	"an admin and 'revoke' a key (SHA256:..., as 'list' shows it) from now\n"
	"on: the signatures made before stay good, later ones are reported by\n"
	"verify, sign refuses the key, and it no longer says who logged in\n"
	"(nothing is deleted from team.conf, so old signatures still verify);\n"
	"'list' shows each key with its fingerprint; 'allowed-signers' prints\n"
	"them in the form of OpenSSH's allowed_signers file, for ssh-keygen -Y\n"
	"verify (a revoked key with valid-before).\n"
	"\n"
	"team.conf is shared as a signed history: each change made here (add,\n"
	"rm, revoke, watch) is signed through your ssh-agent with one of your\n"
	"keys that the keyring before it lists, and the other replicas take it\n"
	"only so.  'sign' signs team.conf as it is here (after an edit by hand),\n"
	"with the agent or --key FILE.  'log' lists the keyring's history: each\n"
	"change, who signed it, what it changed (it runs git: as root or the\n"
	"owner of the journal's .git).\n"
	"\n"
	"  --email ADDRESS   the admin's email address (for digests)\n"
	"  --key FILE|TEXT   a public key; may be given more than once\n"
	"  -h, --help        show this help\n";

/*
 * The key's text from a .pub file, or the text itself: an argument that
 * starts with a key type, or that holds a space ("<type> <base64>") and
 * names no file.  Any other argument is a file, and a file that cannot
 * be read is named with the system's reason (exit 1).
 */
static char *key_text(const char *arg, bool *from_file)
{
	struct buf b = BUF_INIT;

	*from_file = false;
	if (!strncmp(arg, "ssh-", 4) || !strncmp(arg, "ecdsa-", 6) || (strchr(arg, ' ') && !fs_exists(arg)))
		return strdup(arg);
	if (fs_read_file(arg, &b) < 0)
		die("team add: --key %s", errget());
	while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
		buf_truncate(&b, b.len - 1);
	if (memchr(b.data, '\n', b.len))
		die("team add: %s: more than one line: give one public key per --key", arg);
	*from_file = true;
	return buf_detach(&b, NULL);
}

static int team_add_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "email", required_argument, NULL, 'e' },
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *email = NULL, *name, *key_args[32];
	struct conf *before;
	bool from_file[32];
	char *keys[32];
	int nkeys = 0, c;
	struct journal *j;

	/* options before or after the name (GNU getopt permutes) */
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			email = optarg;
			break;
		case 'k':
			if (nkeys == 32)
				cli_usage_exit(usage, "team add: at most 32 keys at once");
			key_args[nkeys] = optarg;
			keys[nkeys] = key_text(optarg, &from_file[nkeys]);
			nkeys++;
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	if (optind + 1 != argc)
		cli_usage_exit(usage, "team add: name one admin");
	name = argv[optind];
	if (team_check_admin(name) < 0)
		cli_usage_exit(usage, "team add: %s", errget());
	if (!email && nkeys == 0)
		cli_usage_exit(usage, "team add: give --email or --key");
	for (int i = 0; i < nkeys; i++) {
		struct sig_key *k = sig_key_parse(keys[i], strlen(keys[i]));
		if (!k && from_file[i])
			die("team add: --key %s: %s", key_args[i], errget());
		if (!k)
			die("team add: --key: %s", errget());
		sig_key_free(k);
	}
	j = cmd_journal();
	before = cmd_team_before(j);
	if (email && team_add(j, name, email, NULL) < 0)
		die("team add: %s", errget());
	for (int i = 0; i < nkeys; i++) {
		if (team_add(j, name, NULL, keys[i]) < 0)
			die("team add: %s", errget());
		free(keys[i]);
	}
	printf("%s: %s%s%d key%s in team.conf\n", name, email ? email : "", email ? ", " : "", nkeys,
	       nkeys == 1 ? "" : "s");
	cmd_share_team(j, before, NULL, false, "team add");
	journal_close(j);
	return cli_finish_output();
}

/* valid-before="YYYYMMDDHHMMSSZ" of allowed_signers (OpenSSH), from a revocation time */
static void valid_before(int64_t us, struct buf *out)
{
	char t[DAY_TIME_LEN + 1];

	/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" */
	day_time_format(us, t);
	buf_addf(out, "valid-before=\"%.4s%.2s%.2s%.2s%.2s%.2sZ\" ", t, t + 5, t + 8, t + 11, t + 14, t + 17);
}

static int team_list(bool allowed_signers)
{
	struct journal *j = cmd_journal();
	struct team_keys keys;

	team_keys_load(j->conf, &keys);
	for (size_t i = 0; i < keys.n; i++) {
		struct buf line = BUF_INIT;
		if (allowed_signers) {
			buf_addf(&line, "%s namespaces=\"%s\" ", keys.v[i].admin, SIG_NAMESPACE);
			if (keys.v[i].revoked)
				valid_before(keys.v[i].revoked, &line);
			sig_key_format(keys.v[i].key, &line);
		} else {
			char fp[SIG_FINGERPRINT_SIZE];
			sig_key_fingerprint(keys.v[i].key, fp);
			buf_addf(&line, "%-12s %-24s %s %s", keys.v[i].admin, keys.v[i].email ? keys.v[i].email : "-",
				 sig_key_type(keys.v[i].key), fp);
			if (keys.v[i].revoked) {
				char t[DAY_TIME_LEN + 1];
				day_time_format(keys.v[i].revoked, t);
				buf_addf(&line, " (revoked %.10s %.5s UTC)", t, t + 11);
			}
		}
		buf_addc(&line, '\n');
		cli_out(line.data, line.len);
		buf_release(&line);
	}
	/* admins without a key are admins too */
	for (size_t i = 0; !allowed_signers && i < j->conf->n; i++) {
		const struct conf_entry *e = &j->conf->entries[i];
		bool has_key = false;
		if (strcmp(e->section, "admin") || !e->subsection || strcmp(e->key, "email"))
			continue;
		for (size_t k = 0; k < keys.n && !has_key; k++)
			has_key = !strcmp(keys.v[k].admin, e->subsection);
		if (!has_key)
			printf("%-12s %-24s (no key)%s\n", e->subsection, e->value ? e->value : "-",
			       conf_get(j->conf, "admin", e->subsection, "removed") ? " (removed)" : "");
	}
	team_keys_free(&keys);
	journal_close(j);
	return cli_finish_output();
}

/* team rm NAME (remove) or team revoke FINGERPRINT */
static int team_take_back(bool remove, const char *arg)
{
	const char *what = remove ? "team rm" : "team revoke";
	struct conf *before;
	struct journal *j;
	char *admin = NULL;
	int rc;

	if (remove && team_check_admin(arg) < 0)
		cli_usage_exit(usage, "team rm: %s", errget());
	if (!remove && strncmp(arg, "SHA256:", 7))
		cli_usage_exit(usage, "team revoke: '%s' is not a key fingerprint (SHA256:..., see logbook team list)", arg);
	j = cmd_journal();
	before = cmd_team_before(j);
	rc = remove ? team_remove(j, arg) : team_revoke(j, arg, &admin);
	if (rc < 0) {
		/* a refusal is an answer: released, exit 1 */
		warn_msg("%s: %s", what, errget());
		conf_free(before);
		journal_close(j);
		return EXIT_FAIL;
	}
	/* signed with the keyring before: a key may sign its own revocation */
	cmd_share_team(j, before, NULL, false, what);
	if (remove)
		printf("%s: removed from now on; their earlier signatures stay good\n", arg);
	else
		printf("%s of %s: revoked from now on; the signatures made with it before stay good\n", arg, admin);
	free(admin);
	journal_close(j);
	return cli_finish_output();
}

/* team log: the keyring's history (runs git: root becomes the owner of .git, others cannot) */
static int team_log(void)
{
	struct journal *j = cmd_journal();
	struct buf out = BUF_INIT;
	int rc;

	cmd_become_git_owner(j->dir, "team log");
	rc = replica_team_log(j, &out);
	if (rc < 0)
		warn_msg("team log: %s", errget());
	else
		cli_out(out.data, out.len);
	buf_release(&out);
	journal_close(j);
	return rc < 0 ? EXIT_FAIL : cli_finish_output();
}

/* team sign [--key FILE]: team.conf as it is here, signed for the other replicas */
static int team_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keyfile = NULL;
	struct journal *j;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'k')
			keyfile = optarg;
		else if (c == 'h')
			cli_help_exit(usage);
		else
			cli_bad_option(usage, c, argv);
	}
	if (optind < argc)
		cli_usage_exit(usage, "team sign: unexpected argument '%s'", argv[optind]);
	j = cmd_journal();
	rc = cmd_share_team(j, cmd_team_before(j), keyfile, true, "team sign");
	if (rc == 0)
		printf("team.conf signed for the other replicas: the next sync shares it\n");
	journal_close(j);
	return rc < 0 ? EXIT_FAIL : cli_finish_output();
}

/* the subcommand is the first word; its options and operands come after it, in any order */
int cmd_team(int argc, char **argv)
{
	const char *sub;
	char **args;
	int first, n;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		cli_help_exit(usage);
	if (argc < 2)
		cli_usage_exit(usage, "team: say add, rm, revoke, sign, log, list or allowed-signers");
	sub = argv[1];
	if (!strcmp(sub, "add"))
		return team_add_cmd(argc - 1, argv + 1);
	if (!strcmp(sub, "sign"))
		return team_sign(argc - 1, argv + 1);
	if (strcmp(sub, "log") && strcmp(sub, "rm") && strcmp(sub, "revoke") && strcmp(sub, "list") &&
	    strcmp(sub, "allowed-signers"))
		cli_usage_exit(usage, "team: '%s' is not add, rm, revoke, sign, log, list or allowed-signers", sub);
	first = cli_only_help(usage, argc - 1, argv + 1);
	args = argv + 1 + first;
	n = argc - 1 - first;
	if (!strcmp(sub, "rm") || !strcmp(sub, "revoke")) {
		if (n != 1)
			cli_usage_exit(usage, "team %s: name %s", sub, sub[1] == 'm' ? "one admin" : "one key's fingerprint");
		return team_take_back(sub[1] == 'm', args[0]);
	}
	if (n > 0)
		cli_usage_exit(usage, "team %s: unexpected argument '%s'", sub, args[0]);
	if (!strcmp(sub, "log"))
		return team_log();
	return team_list(!strcmp(sub, "allowed-signers"));
}
