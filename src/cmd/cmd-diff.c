/*
 * logbook diff [PATH...]: what changed in this host's watched files since
 * the baseline, the way the next commit would record it (secrets
 * redacted, sensitive files by hash only).  Reads; never moves the
 * baseline.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/run.h"
#include "base/xalloc.h"
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
	"limits the output to those files or directories; a relative PATH is\n"
	"taken from the current directory (logbook diff nginx.conf, logbook\n"
	"diff .).  Options may come before or after the paths.\n"
	"\n"
	"  --name-only     only the paths and what changed\n"
	"  --exit-code     exit 1 when something changed (under PATH)\n"
	"  --color=WHEN    auto (default), always or never\n"
	"  --no-pager      write to standard output directly\n"
	"  -h, --help      show this help\n"
	"\n"
	"Exit status: 0 (with --exit-code: nothing changed), 1 an error or, with\n"
	"--exit-code, something changed, 2 usage.\n";

/* a PATH operand as absolute paths: its physical name, and the shell's when it differs */
struct wanted {
	char *path[2];
};

/* path is under (or is) under */
static bool is_under(const char *path, const char *under)
{
	size_t len = strlen(under);

	return !strncmp(path, under, len) && (path[len] == '\0' || path[len] == '/' || len == 1);
}

/* under one of the paths wanted (the path itself, or below it); all when none is */
static bool selected(const char *path, const struct wanted *only, int n)
{
	if (n == 0)
		return true;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 2 && only[i].path[k]; k++)
			if (is_under(path, only[i].path[k]))
				return true;
	return false;
}

/*
 * The PATH operands in the form of the watched paths: a relative one is
 * taken from the current directory, by its physical name and by the
 * name the admin's shell gives it ($PWD, as the page's commands show
 * it) when that is another name of the same directory.
 */
static struct wanted *wanted_paths(char **args, int n)
{
	struct wanted *v = xcalloc((size_t)n + 1, sizeof *v);
	const char *pwd = getenv("PWD");
	char *cwd = NULL;

	for (int i = 0; i < n; i++) {
		struct stat here, there;

		if (args[i][0] == '/') {
			v[i].path[0] = watch_absolute(args[i], "/");
			continue;
		}
		if (!cwd) {
			if (!(cwd = getcwd(NULL, 0)))
				die("diff: %s: the current directory: %s", args[i], strerror(errno));
			if (!pwd || pwd[0] != '/' || !strcmp(pwd, cwd) || stat(pwd, &there) < 0 ||
			    stat(".", &here) < 0 || here.st_dev != there.st_dev || here.st_ino != there.st_ino)
				pwd = NULL;
		}
		v[i].path[0] = watch_absolute(args[i], cwd);
		if (pwd)
			v[i].path[1] = watch_absolute(args[i], pwd);
	}
	free(cwd);
	return v;
}

/* a PATH that no watched path holds or lies under shows nothing: say so */
static void warn_unwatched(const struct watch_list *w, const struct wanted *only, int n)
{
	for (int i = 0; i < n; i++) {
		bool seen = false;
		for (int k = 0; k < 2 && only[i].path[k] && !seen; k++)
			for (size_t p = 0; p < w->npaths && !seen; p++)
				seen = is_under(only[i].path[k], w->paths[p]) || is_under(w->paths[p], only[i].path[k]);
		if (!seen)
			warn_msg("diff: %s is not watched (see 'logbook watch list')", only[i].path[0]);
	}
}

static void wanted_free(struct wanted *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].path[0]);
		free(v[i].path[1]);
	}
	free(v);
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
	struct wanted *only;
	size_t shown = 0;
	int c, nonly;

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
	nonly = argc - optind;
	only = wanted_paths(argv + optind, nonly);
	warn_unwatched(&w, only, nonly);
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

		if (!selected(ch.v[i].path, only, nonly))
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
	wanted_free(only, nonly);
	redact_free(red);
	changes_free(&ch);
	watch_free(&w);
	ident_release(&id);
	journal_close(j);
	c = cli_finish_output();
	return c == EXIT_OK && exit_code && shown > 0 ? EXIT_FAIL : c;
}
