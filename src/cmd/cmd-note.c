/*
 * logbook note [TEXT...]: append a note record to this host's chain, filed
 * under today's page.  The note is on disk (fsync'd) when this returns 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "journal/record.h"
#include "journal/ref.h"
#include "journal/store.h"
#include "view/index.h"
#include "view/threads.h"
#include "base/banned.h"

/* a note is a few lines on why; a megabyte is a mistake (a pasted log belongs in a file) */
#define NOTE_MAX (1024 * 1024)

static const char usage[] =
	"usage: logbook note [-q] [--incident ID|none] [--reply REF] [--] [TEXT...]\n"
	"\n"
	"Add a note to today's page of this host: what you did and why.  The\n"
	"words of TEXT are joined with spaces.  Without TEXT, the note is read\n"
	"from standard input when it is not a terminal, else written in\n"
	"$VISUAL or $EDITOR (an empty note aborts).  The note is on disk when\n"
	"the command returns, and one line says where: \"noted in 2026_12_06\n"
	"(web1, seq 42)\".  Options may come among the words; a word that\n"
	"starts with '-' goes after '--' (logbook note -- -1 replica left).\n"
	"\n"
	"With --reply REF, the note answers the record REF (HOST:SEQ, as the\n"
	"page, list and search show it): the page shows it under that record,\n"
	"and news tells its admin.  A REF this replica does not hold is refused.\n"
	"\n"
	"  -i, --incident ID  the note is part of incident ID (logbook incident);\n"
	"                     by default of the one incident open, if only one\n"
	"                     is; 'none': of no incident\n"
	"  -r, --reply REF    answer the record REF\n"
	"  -q, --quiet        say nothing when all went well\n"
	"  -h, --help         show this help\n"
	"\n"
	"The admin is $LOGBOOK_USER, else the one whose ssh key opened the\n"
	"session, else the login user (kept across su and sudo).\n";

static int from_editor(struct journal *j, const struct ident *id, struct buf *text)
{
	struct buf tmpl = BUF_INIT;
	int rc;

	buf_addf(&tmpl, "\n# Write the note for %s (%s) on today's page of %s: what you\n"
		 "# did and why.  Lines starting with '#' are left out; an empty note aborts.\n",
		 id->admin, id->account, id->host);
	rc = cmd_edit(j, "NOTE_EDITMSG", &tmpl, text);
	buf_release(&tmpl);
	return rc;
}

int cmd_note(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "incident", required_argument, NULL, 'i' },
		{ "reply", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *incident_opt = NULL;
	char *incident;
	struct buf text = BUF_INIT;
	char day[DAY_LEN + 1];
	char reply[REF_MAX + 1] = "";
	bool quiet = false;
	struct journal *j;
	struct ident id;
	struct record *r;
	int c;

	while ((c = getopt_long(argc, argv, ":hqi:r:", opts, NULL)) != -1) {
		if (c == 'q') {
			quiet = true;
			continue;
		}
		if (c == 'i') {
			incident_opt = optarg;
			continue;
		}
		if (c == 'r') {
			struct rec_ref ref;
			if (ref_parse(optarg, strlen(optarg), &ref) < 0)
				cli_usage_exit(usage, "note: --reply '%s': %s", optarg, errget());
			ref_format(ref.host, ref.seq, reply);
			continue;
		}
		if (c == 'h')
			cli_help_exit(usage);
		cli_bad_option_in_text(usage, c, argv);
	}
	j = cmd_journal();
	cmd_ingest_first(j);
	if (ident_resolve_in(&id, j) < 0)
		die_err();
	if (reply[0])
		rec_free(cmd_find_ref(j, reply, "note", NULL));
	incident = cmd_incident_for_note(j, incident_opt);

	if (optind < argc) {
		for (int i = optind; i < argc; i++) {
			if (i > optind)
				buf_addc(&text, ' ');
			buf_adds(&text, argv[i]);
		}
	} else if (!isatty(0)) {
		if (fs_read_fd(0, &text, NOTE_MAX) < 0) {
			if (errno == EFBIG)
				die("note: standard input is longer than %d bytes; keep the note short and the data in a file",
				    NOTE_MAX);
			die("note: standard input: %s", strerror(errno));
		}
	} else if (from_editor(j, &id, &text) < 0) {
		die("note: %s", errget());
	}
	cmd_trim(&text);
	if (text.len == 0)
		die("note: empty note; nothing written");
	if (text.len > NOTE_MAX)
		die("note: the note is %zu bytes, more than %d", text.len, NOTE_MAX);

	r = rec_new("note", day_now_us(), id.host, id.admin, id.account, id.session);
	rec_set_text(r, "text", text.data, text.len);
	if (incident)
		rec_set_text(r, "incident", incident, strlen(incident));
	if (reply[0])
		rec_set_text(r, "reply", reply, strlen(reply));
	cmd_file_record(j, &id, r, "note");
	if (!quiet && day_of(r->time, day) == 0)
		printf("noted in %s (%s, seq %lld%s%s)\n", day, id.host, (long long)r->seq,
		       incident ? ", incident " : "", incident ? incident : "");
	index_close();
	rec_free(r);
	free(incident);
	buf_release(&text);
	ident_release(&id);
	journal_close(j);
	return EXIT_OK;
}
