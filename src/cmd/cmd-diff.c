/*
 * logbook diff [PATH...]: what changed in this host's watched files since
 * the baseline, the way the next commit would record it (secrets
 * redacted, sensitive files by hash only).  Reads; never moves the
 * baseline.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/run.h"
#include "capture/redact.h"
#include "cmd/cmd.h"
#include "files/baseline.h"
#include "files/change.h"
#include "files/watch.h"
#include "journal/ident.h"
#include "view/render.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook diff [--name-only] [--exit-code] [--color=WHEN] [--no-pager] [PATH...]\n"
	"\n"
	"Show what changed in this host's watched files (logbook watch) since\n"
	"the baseline, as the next 'logbook commit' or 'logbook scan' would\n"
	"record it: unified diffs of text files with secrets redacted by the\n"
	"file's syntax (a line whose secret changed shows as changed, never\n"
	"its values), new and deleted files, mode, owner and symlink changes,\n"
	"a one-line summary for binary, large and sensitive files.  PATH\n"
	"limits the output to those files or directories.\n"
	"\n"
	"  --name-only     only the paths and what changed\n"
	"  --exit-code     exit 1 when something changed\n"
	"  --color=WHEN    auto (default), always or never\n"
	"  --no-pager      write to standard output directly\n"
	"  -h, --help      show this help\n";

/* under one of the paths given (the path itself, or below it) */
static bool selected(const char *path, char **only, int n)
{
	if (n == 0)
		return true;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(only[i]);
		while (len > 1 && only[i][len - 1] == '/')
			len--;
		if (!strncmp(path, only[i], len) && (path[len] == '\0' || path[len] == '/' || len == 1))
			return true;
	}
	return false;
}

int cmd_diff(int argc, char **argv)
{
	enum { OPT_COLOR = 256, OPT_NO_PAGER, OPT_NAME_ONLY, OPT_EXIT_CODE };
	static const struct option opts[] = {
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "no-pager", no_argument, NULL, OPT_NO_PAGER },
		{ "name-only", no_argument, NULL, OPT_NAME_ONLY },
		{ "exit-code", no_argument, NULL, OPT_EXIT_CODE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *when = "auto";
	bool pager = true, name_only = false, exit_code = false;
	struct watch_list w;
	struct changes ch;
	struct redactor *red;
	struct render rd = { 0 };
	struct buf out = BUF_INIT;
	struct journal *j;
	struct ident id;
	size_t shown = 0;
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_COLOR:
			when = cmd_color_when(usage, "diff", optarg);
			break;
		case OPT_NO_PAGER:
			pager = false;
			break;
		case OPT_NAME_ONLY:
			name_only = true;
			break;
		case OPT_EXIT_CODE:
			exit_code = true;
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	j = cmd_journal();
	if (ident_resolve_in(&id, j) < 0)
		die_err();
	if (watch_load(j->conf, id.host, &w) < 0)
		die("diff: %s", errget());
	if (w.npaths == 0)
		die("diff: %s watches no file (see 'logbook watch add')", id.host);
	if (baseline_scan(j, &w, &ch) < 0)
		die("diff: %s", errget());
	cli_print_warnings(&ch.skipped);
	cli_print_warnings(&ch.notes);
	if (!(red = redact_new(j->conf)))
		die("diff: %s", errget());

	rd.color = cmd_use_color(when);
	if (pager && !name_only)
		run_pager_start();
	for (size_t i = 0; i < ch.n; i++) {
		struct change_text t;

		if (!selected(ch.v[i].path, argv + optind, argc - optind))
			continue;
		shown++;
		change_text(j, red, &ch.v[i], &t);
		render_escape(&out, ch.v[i].path, strlen(ch.v[i].path), false);
		buf_adds(&out, ": ");
		buf_add(&out, t.summary.data, t.summary.len);
		if (t.note.len) {
			buf_adds(&out, " (");
			buf_add(&out, t.note.data, t.note.len);
			buf_addc(&out, ')');
		}
		buf_addc(&out, '\n');
		if (!name_only && t.diff.len) {
			render_diff(&rd, &out, t.diff.data, t.diff.len, 0);
			if (t.cut)
				buf_addf(&out, "(the diff goes on; cut at %d KiB)\n", CHANGE_DIFF_MAX / 1024);
		}
		change_text_release(&t);
		if (!cli_out(out.data, out.len))
			break;
		buf_reset(&out);
	}
	buf_release(&out);
	redact_free(red);
	changes_free(&ch);
	watch_free(&w);
	ident_release(&id);
	journal_close(j);
	c = cli_finish_output();
	return c == EXIT_OK && exit_code && shown > 0 ? EXIT_FAIL : c;
}
