/*
 * logbook-ingest-mail: the program `logbook ingest-mail` runs (execs, see
 * src/cmd/cmd-ingest-mail.c), so that GMime and glib, and the parsing of mail from
 * anyone, stay out of every other logbook process.  One message on
 * standard input, from an MTA's pipe alias, filed as an event record of
 * this host (src/mail/mail.c makes it).
 *
 *     logbook-ingest-mail [-C DIR] [--lock-timeout SECONDS]
 *
 * -C comes first when given (logbook always passes the journal it
 * resolved); the rest are the options of `logbook ingest-mail`, whose
 * name the messages keep.
 *
 * The contract with the MTA (sysexits.h):
 *   0   the record is durable (fsync'd), or the same Message-ID is already
 *       in the journal: the MTA may forget the message;
 *   75  EX_TEMPFAIL: nothing was filed (journal missing, locked, not
 *       writable, disk full): the MTA keeps the message and retries;
 *   2   the alias itself is wrong (bad option).
 * A malformed message is never refused: what can be read is kept and the
 * rest described under "problems".
 *
 * The same Message-ID is filed once: the check reads this host's own day
 * files of the last DEDUP_DAYS days under the chain lock, so it holds
 * across crashes (no cache can disagree with the journal) and across
 * deliveries racing each other.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "journal/ident.h"
#include "journal/journal.h"
#include "journal/record.h"
#include "journal/secrets.h"
#include "journal/store.h"
#include "mail/mail.h"
#include "base/banned.h"

#define EX_TEMPFAIL 75
/* longer than an MTA keeps retrying (postfix: 5 days, exim: 4) */
#define DEDUP_DAYS 8

/* -C DIR, as logbook ingest-mail passes it: the journal it resolved */
static const char *dir_option;

static const char usage[] =
	"usage: logbook ingest-mail [--lock-timeout SECONDS]\n"
	"\n"
	"File one mail (RFC 5322) read on standard input as an event of this\n"
	"host: sender, recipients, subject, date, Message-ID and a readable text\n"
	"body; the level comes from the [mail \"NAME\"] rules of team.conf and\n"
	"the built-in ones.  Made for an MTA's pipe alias:\n"
	"    root: root, |/usr/local/bin/logbook -C /var/lib/logbook ingest-mail\n"
	"A message with the Message-ID of one filed in the last 8 days is\n"
	"filed once.  A malformed message is kept as well as it can be read.\n"
	"\n"
	"  --lock-timeout SECONDS   wait at most this long for the journal's\n"
	"                           lock (default 30)\n"
	"  -h, --help               show this help\n"
	"\n"
	"Exit status: 0 filed (on disk) or already filed; 75 (EX_TEMPFAIL)\n"
	"nothing filed, the MTA retries later; 2 usage.\n";

struct dup_search {
	const char *needle;	/* "message_id":"<id as JSON>" */
	const char *id;
	bool found;
};

static int dup_line(const char *line, size_t len, size_t lineno, void *arg)
{
	struct dup_search *s = arg;
	struct record *r;

	(void)lineno;
	if (!memmem(line, len, s->needle, strlen(s->needle)))
		return 0;
	/* the bytes say maybe; the parsed record decides */
	r = rec_parse(line, len, false);
	if (r && !strcmp(r->kind, "event")) {
		const char *id = mail_message_id(r);
		s->found = id && !strcmp(id, s->id);
	}
	rec_free(r);
	return s->found;
}

/* whether host filed a mail with this id in the last DEDUP_DAYS days */
static bool already_filed(struct journal *j, const char *host, const char *id)
{
	json_t *js = json_string(id);
	char *quoted = json_dumps(js, JSON_ENCODE_ANY | JSON_COMPACT);
	char *needle = xasprintf("\"message_id\":%s", quoted ? quoted : "\"\"");
	struct dup_search s = { .needle = needle, .id = id };
	int64_t now = day_now_us();

	for (int d = 0; d <= DEDUP_DAYS && !s.found; d++) {
		char spec[16], day[DAY_LEN + 1];
		char *rel, *path;
		snprintf(spec, sizeof spec, "-%d", d);
		if (day_parse(spec, now, day) < 0)
			continue;
		rel = store_file_rel(day, host);
		path = journal_path(j, rel);
		if (access(path, F_OK) == 0)
			store_scan_file(path, dup_line, &s);
		free(path);
		free(rel);
	}
	free(needle);
	free(quoted);
	json_decref(js);
	return s.found;
}

static char *account_name(void)
{
	struct passwd *pw = getpwuid(geteuid());

	return pw ? xstrdup(pw->pw_name) : xasprintf("%u", (unsigned)geteuid());
}

static int ingest_mail(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lock-timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct buf msg = BUF_INIT, errors = BUF_INIT;
	struct store_warnings warnings = { 0 };
	struct mail_rules rules;
	struct journal *j;
	struct store_txn *t;
	struct record *r;
	char *host, *account, *end;
	const char *id;
	size_t size = 0;
	unsigned lock_timeout = 30;
	int c, rc = EXIT_OK;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 't': {
			unsigned long v;
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || v > 3600)
				cli_usage_exit(usage, "ingest-mail: bad --lock-timeout '%s': seconds, 0 to 3600", optarg);
			lock_timeout = (unsigned)v;
			break;
		}
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	if (optind < argc)
		cli_usage_exit(usage, "ingest-mail: too many arguments");

	/* read it all first: an MTA that cannot write its whole message sees a failure, not a half filing */
	if (fs_read_bounded(0, &msg, MAIL_READ_MAX, &size) < 0) {
		warn_msg("ingest-mail: standard input: %s", strerror(errno));
		buf_release(&msg);
		return EX_TEMPFAIL;
	}
	j = journal_open(journal_locate(dir_option));
	if (!j) {
		warn_msg("ingest-mail: %s (the MTA will retry)", errget());
		buf_release(&msg);
		return EX_TEMPFAIL;
	}
	if (!(host = ident_host())) {
		warn_msg("ingest-mail: %s (the MTA will retry)", errget());
		buf_release(&msg);
		journal_close(j);
		return EX_TEMPFAIL;
	}
	account = account_name();
	mail_rules_load(j->conf, &rules, &errors);
	if (errors.len)
		fputs(buf_str(&errors), stderr);
	r = mail_record(buf_str(&msg), msg.len, size, &rules, day_now_us(), host, account, "");
	buf_release(&msg);

	t = store_begin_wait(j, host, lock_timeout, &warnings);
	cli_print_warnings(&warnings);
	id = mail_message_id(r);
	if (!t) {
		warn_msg("ingest-mail: %s (the MTA will retry)", errget());
		rc = EX_TEMPFAIL;
	} else if (id && already_filed(j, host, id)) {
		store_abort(t);
		/* a retried delivery after a crash or a lost exit status: filed once */
		fprintf(stderr, "logbook: ingest-mail: <%s> is already filed\n", id);
	} else if (store_add(t, r) < 0) {
		warn_msg("ingest-mail: %s (the MTA will retry)", errget());
		store_abort(t);
		rc = EX_TEMPFAIL;
	} else if (store_commit(t) < 0) {
		warn_msg("ingest-mail: %s (the MTA will retry)", errget());
		rc = EX_TEMPFAIL;
	}
	rec_free(r);
	mail_rules_free(&rules);
	buf_release(&errors);
	free(host);
	free(account);
	journal_close(j);
	return rc;
}

int main(int argc, char **argv)
{
	static char name[] = "ingest-mail";

	/* as logbook's main: a reader that goes away is EPIPE, a size limit EFBIG */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);

	opterr = 0;
	if (argc >= 3 && !strcmp(argv[1], "-C")) {
		dir_option = argv[2];
		argc -= 2;
		argv += 2;
	}
	/*
	 * --secrets-fd N: the known secrets logbook read as root and handed
	 * over (secrets.h); without it, those this account can read itself.
	 */
	if (argc >= 3 && !strcmp(argv[1], "--secrets-fd")) {
		char *end;
		long fd = strtol(argv[2], &end, 10);
		if (*end || end == argv[2] || fd < 3 || fd > 1024)
			cli_usage_exit(usage, "ingest-mail: bad --secrets-fd '%s'", argv[2]);
		secrets_process_from_fd((int)fd);
		argc -= 2;
		argv += 2;
	} else {
		secrets_process_init();
	}
	/* what getopt and the usage messages call the command */
	if (argc > 0)
		argv[0] = name;
	return ingest_mail(argc, argv);
}
