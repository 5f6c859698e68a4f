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

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "capture/redact.h"
#include "cmd/cmd.h"
#include "files/baseline.h"
#include "files/change.h"
#include "files/watch.h"
#include "journal/ident.h"
#include "journal/record.h"
#include "journal/store.h"
#include "journal/work.h"
#include "view/render.h"
#include "base/banned.h"

/* the same bound as a note's */
#define MESSAGE_MAX (1024 * 1024)
/* commands listed in the draft; the entry covers all of them */
#define DRAFT_LIST_MAX 500

static const char usage[] =
	"usage: logbook commit [-m MESSAGE] [--no-files]\n"
	"\n"
	"Write the entry for your recent work on this host: the commands you\n"
	"ran here that no entry covers yet (the last 14 days) and the changes\n"
	"of the watched files since the baseline are listed in $VISUAL or\n"
	"$EDITOR, and you write why.  Saving adds one change record per file\n"
	"(its diff, secrets redacted) and a note that covers the commands,\n"
	"all yours, and moves the baseline forward; an empty message aborts\n"
	"and writes nothing.\n"
	"\n"
	"  -m, --message MESSAGE   the message, without an editor\n"
	"  --no-files              leave the watched files' changes out\n"
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

static int from_editor(struct journal *j, const struct ident *id, const struct work *w,
		       const struct changes *files, struct buf *text)
{
	struct buf tmpl = BUF_INIT;
	int rc;

	buf_addf(&tmpl, "\n# Say why: what you did on %s and what it was for.  Lines starting\n"
		 "# with '#' are left out; an empty message aborts the entry.\n", id->host);
	if (w->n > 0) {
		buf_addf(&tmpl, "#\n# This entry covers %zu command%s of %s on %s:\n", w->n, w->n == 1 ? "" : "s",
			 id->admin, id->host);
		for (size_t i = 0; i < w->n && i < DRAFT_LIST_MAX; i++)
			draft_line(&tmpl, w->cmds[i]);
		if (w->n > DRAFT_LIST_MAX)
			buf_addf(&tmpl, "#   ... and %zu more\n", w->n - DRAFT_LIST_MAX);
	}
	if (files->n > 0) {
		buf_addf(&tmpl, "#\n# and the changes of %zu watched file%s ('logbook diff' shows them):\n", files->n,
			 files->n == 1 ? "" : "s");
		for (size_t i = 0; i < files->n && i < DRAFT_LIST_MAX; i++) {
			buf_adds(&tmpl, "#   ");
			render_escape(&tmpl, files->v[i].path, strlen(files->v[i].path), false);
			buf_addc(&tmpl, '\n');
		}
		if (files->n > DRAFT_LIST_MAX)
			buf_addf(&tmpl, "#   ... and %zu more\n", files->n - DRAFT_LIST_MAX);
	}
	rc = cmd_edit(j, "COMMIT_EDITMSG", &tmpl, text);
	buf_release(&tmpl);
	return rc;
}

int cmd_commit(int argc, char **argv)
{
	enum { OPT_NO_FILES = 256 };
	static const struct option opts[] = {
		{ "message", required_argument, NULL, 'm' },
		{ "no-files", no_argument, NULL, OPT_NO_FILES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_warnings warnings = { 0 };
	struct changes files = { 0 };
	struct buf text = BUF_INIT;
	const char *message = NULL;
	const struct change **accepted = NULL;
	struct redactor *red = NULL;
	struct store_txn *t;
	struct journal *j;
	struct ident id;
	struct work w;
	struct record *r;
	bool no_files = false;
	int64_t now;
	int c;

	while ((c = getopt_long(argc, argv, ":m:h", opts, NULL)) != -1) {
		if (c == 'h')
			cli_help_exit(usage);
		if (c == 'm')
			message = optarg;
		else if (c == OPT_NO_FILES)
			no_files = true;
		else
			cli_bad_option(usage, c, argv);
	}
	if (optind < argc)
		cli_usage_exit(usage, "commit: unexpected argument '%s' (the message goes after -m)", argv[optind]);
	j = cmd_journal();
	cmd_ingest_first(j);
	if (ident_resolve_in(&id, j) < 0)
		die_err();
	if (work_uncovered(j, id.host, id.admin, &w) < 0)
		die("commit: %s", errget());
	if (!no_files) {
		struct watch_list wl;
		if (watch_load(j->conf, id.host, &wl) < 0)
			die("commit: %s", errget());
		if (wl.npaths > 0 && baseline_scan(j, &wl, &files) < 0)
			die("commit: %s", errget());
		cli_print_warnings(&files.skipped);
		cli_print_warnings(&files.notes);
		watch_free(&wl);
	}
	if (w.n == 0 && files.n == 0)
		die("commit: nothing to commit: no command of %s on %s is waiting for an entry, "
		    "and no watched file changed (a note alone: logbook note)", id.admin, id.host);

	if (message) {
		buf_adds(&text, message);
		cmd_trim(&text);
	} else if (from_editor(j, &id, &w, &files, &text) < 0) {
		die("commit: %s", errget());
	}
	if (text.len == 0)
		die("commit: empty message; nothing written");
	if (text.len > MESSAGE_MAX)
		die("commit: the message is %zu bytes, more than %d", text.len, MESSAGE_MAX);
	if (files.n > 0 && !(red = redact_new(j->conf)))
		die("commit: %s", errget());

	/* the changes, then the note that says why: one transaction */
	now = day_now_us();
	if (!(t = store_begin(j, id.host, &warnings)))
		die("commit: %s", errget());
	cli_print_warnings(&warnings);
	accepted = xcalloc(files.n ? files.n : 1, sizeof *accepted);
	for (size_t i = 0; i < files.n; i++) {
		struct change_text ct;
		change_text(j, red, &files.v[i], &ct);
		r = change_record(&files.v[i], &ct, now, id.host, id.admin, id.account, id.session, "commit");
		change_text_release(&ct);
		if (store_add(t, r) < 0) {
			rec_free(r);
			store_abort(t);
			die("commit: %s", errget());
		}
		rec_free(r);
		accepted[i] = &files.v[i];
	}
	r = rec_new("note", now, id.host, id.admin, id.account, id.session);
	rec_set_text(r, "text", text.data, text.len);
	if (w.n > 0) {
		rec_set_json(r, "covers", work_covers(&w));
		rec_set_int(r, "commands", (int64_t)w.n);
	}
	if (files.n > 0)
		rec_set_int(r, "files", (int64_t)files.n);
	if (store_add(t, r) < 0) {
		store_abort(t);
		die("commit: %s", errget());
	}
	cmd_autosign(t, j, &id);
	if (store_commit(t) < 0)
		die("commit: %s", errget());
	if (files.n > 0 && baseline_accept(j, accepted, files.n) < 0)
		die("commit: the entry is written, but the baseline did not move: %s", errget());
	cmd_background_sync(j);
	printf("entry written on %s: %zu command%s covered", id.host, w.n, w.n == 1 ? "" : "s");
	if (files.n > 0)
		printf(", %zu changed file%s", files.n, files.n == 1 ? "" : "s");
	printf("\n");
	free(accepted);
	if (red)
		redact_free(red);
	changes_free(&files);
	rec_free(r);
	work_free(&w);
	buf_release(&text);
	ident_release(&id);
	journal_close(j);
	return cli_finish_output();
}
