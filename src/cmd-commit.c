/*
 * logbook commit [-m MSG]: the admin's entry for the work done on this
 * host, like git commit: the commands no entry covers yet are listed in
 * the editor as comments, the admin writes why, and saving appends a
 * note record whose "covers" names those commands (work.h).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "day.h"
#include "err.h"
#include "ident.h"
#include "record.h"
#include "render.h"
#include "store.h"
#include "work.h"
#include "xalloc.h"
#include "banned.h"

/* the same bound as a note's */
#define MESSAGE_MAX (1024 * 1024)
/* commands listed in the draft; the entry covers all of them */
#define DRAFT_LIST_MAX 500

static const char usage[] =
	"usage: logbook commit [-m MESSAGE]\n"
	"\n"
	"Write the entry for your recent work on this host: the commands you\n"
	"ran here that no entry covers yet (the last 14 days) are listed in\n"
	"$VISUAL or $EDITOR, and you write why.  Saving adds a note that\n"
	"covers those commands; an empty message aborts and writes nothing.\n"
	"\n"
	"  -m, --message MESSAGE   the message, without an editor\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: 0 written, 1 nothing to commit or aborted, 2 bad usage.\n";

/* one command as a comment line of the draft: time, status, the command on one line */
static void draft_line(struct buf *out, const struct record *r)
{
	struct buf text = BUF_INIT, esc = BUF_INIT;
	char clock[9], day[DAY_LEN + 1];
	int64_t status = 0;

	day_of(r->time, day);
	day_clock(r->time, clock);
	rec_get_text(r, "cmd", &text);
	render_escape(&esc, text.data ? text.data : "", text.len, false);
	buf_addf(out, "#   %s %s  ", day, clock);
	if (rec_get_int(r, "exit", &status) && status != 0)
		buf_addf(out, "[exit %lld] ", (long long)status);
	/* a multi-line command stays one comment line: its newlines as \n */
	for (size_t i = 0; i < esc.len; i++) {
		if (esc.data[i] == '\n')
			buf_adds(out, "\\n");
		else
			buf_addc(out, esc.data[i]);
	}
	buf_addc(out, '\n');
	buf_release(&text);
	buf_release(&esc);
}

static int from_editor(struct journal *j, const struct ident *id, const struct work *w, struct buf *text)
{
	struct buf tmpl = BUF_INIT;
	int rc;

	buf_addf(&tmpl, "\n# Say why: what you did on %s and what it was for.  Lines starting\n"
		 "# with '#' are left out; an empty message aborts the entry.\n#\n"
		 "# This entry covers %zu command%s of %s on %s:\n", id->host, w->n, w->n == 1 ? "" : "s",
		 id->admin, id->host);
	for (size_t i = 0; i < w->n && i < DRAFT_LIST_MAX; i++)
		draft_line(&tmpl, w->cmds[i]);
	if (w->n > DRAFT_LIST_MAX)
		buf_addf(&tmpl, "#   ... and %zu more\n", w->n - DRAFT_LIST_MAX);
	rc = cmd_edit(j, "COMMIT_EDITMSG", &tmpl, text);
	buf_release(&tmpl);
	return rc;
}

int cmd_commit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "message", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_warnings warnings = { 0 };
	struct buf text = BUF_INIT;
	const char *message = NULL;
	struct journal *j;
	struct ident id;
	struct work w;
	struct record *r;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+:m:h", opts, NULL)) != -1) {
		if (c == 'h')
			cmd_help_exit(usage);
		if (c == 'm')
			message = optarg;
		else
			cmd_bad_option(usage, c, argv);
	}
	if (optind < argc)
		cmd_usage_exit(usage, "commit: unexpected argument '%s' (the message goes after -m)", argv[optind]);
	j = cmd_journal();
	cmd_ingest_first(j);
	if (ident_resolve(&id, j->conf) < 0)
		die_err();
	if (work_uncovered(j, id.host, id.admin, &w) < 0)
		die("commit: %s", errget());
	if (w.n == 0)
		die("commit: nothing to commit: no command of %s on %s is waiting for an entry "
		    "(a note alone: logbook note)", id.admin, id.host);

	if (message) {
		buf_adds(&text, message);
		cmd_trim(&text);
	} else if (from_editor(j, &id, &w, &text) < 0) {
		die("commit: %s", errget());
	}
	if (text.len == 0)
		die("commit: empty message; nothing written");
	if (text.len > MESSAGE_MAX)
		die("commit: the message is %zu bytes, more than %d", text.len, MESSAGE_MAX);

	r = rec_new("note", day_now_us(), id.host, id.admin, id.account, id.session);
	rec_set_text(r, "text", text.data, text.len);
	rec_set_json(r, "covers", work_covers(&w));
	rec_set_int(r, "commands", (int64_t)w.n);
	rc = store_append(j, r, &warnings);
	cmd_print_warnings(&warnings);
	if (rc < 0)
		die("commit: %s", errget());
	printf("entry written on %s: %zu command%s covered\n", id.host, w.n, w.n == 1 ? "" : "s");
	rec_free(r);
	work_free(&w);
	buf_release(&text);
	ident_release(&id);
	journal_close(j);
	return cmd_finish_output();
}
