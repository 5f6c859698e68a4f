/*
 * logbook watch add|rm|list: the watch list of this host in team.conf,
 * and the baseline that follows it.  "add" takes the baseline of what
 * becomes watched, so that only later changes show; "rm" drops the
 * baseline of what is no longer watched.  Pending changes of files that
 * stay watched are never absorbed by either.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "files/baseline.h"
#include "files/watch.h"
#include "journal/ident.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook watch add PATH|!PATTERN...\n"
	"       logbook watch rm PATH|!PATTERN...\n"
	"       logbook watch list\n"
	"\n"
	"The files this host watches, kept in team.conf ([watch \"HOST\"] path = ...)\n"
	"so that every replica knows what each host watches.\n"
	"\n"
	"  add   watch PATH (a file, or a whole directory), or exclude the files\n"
	"        that match PATTERN, and take the baseline of what becomes watched:\n"
	"        later scans show what changed since.  PATH must be absolute; it is\n"
	"        normalised, not resolved, and may not exist yet (it then shows up\n"
	"        as added when it appears).\n"
	"  rm    remove an entry, exactly as 'list' shows it (a PATH is normalised\n"
	"        first); what is no longer watched leaves the baseline\n"
	"  list  the entries of this host, one per line, as stored\n"
	"\n"
	"Patterns are fnmatch(3) patterns: on the full path when they start with\n"
	"'/', else on the file name; an excluded directory is not descended into.\n"
	"Symlinks are recorded, never followed.  Files not readable by group and\n"
	"others, and files matching a 'sensitive' pattern of team.conf, are\n"
	"tracked by hash only: their content is never copied.\n"
	"\n"
	"  -h, --help   show this help\n";

/* the entries of host's watch list, in the file's order */
static void list_entries(const struct conf *c, const char *host, bool (*fn)(const char *value, void *arg),
			 void *arg)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct conf_entry *e = &c->entries[i];
		if (!strcmp(e->section, "watch") && e->subsection && !strcmp(e->subsection, host) &&
		    !strcmp(e->key, "path") && e->value)
			if (!fn(e->value, arg))
				return;
	}
}

static bool print_entry(const char *value, void *arg)
{
	(void)arg;
	return cli_out(value, strlen(value)) && cli_out("\n", 1);
}

struct find {
	const char *value;
	bool found;
};

static bool find_entry(const char *value, void *arg)
{
	struct find *f = arg;

	if (!strcmp(value, f->value))
		f->found = true;
	return !f->found;
}

static bool has_entry(const struct conf *c, const char *host, const char *value)
{
	struct find f = { value, false };

	list_entries(c, host, find_entry, &f);
	return f.found;
}

/* PATH normalised, or "!" + PATTERN as given; exit 2 when it cannot be an entry */
static char *entry_of(const char *arg)
{
	char *norm;

	if (arg[0] == '!') {
		if (!arg[1])
			cli_usage_exit(usage, "watch: '!' needs a pattern after it");
		if (strchr(arg, '\n'))
			cli_usage_exit(usage, "watch: a pattern with a newline cannot be a watch entry");
		return xstrdup(arg);
	}
	norm = watch_normalize(arg);
	if (!norm) {
		struct buf shown = BUF_INIT;
		baseline_show_path(&shown, arg);
		cli_usage_exit(usage, "watch: %s: %s (watch paths start with '/')", buf_str(&shown), errget());
	}
	return norm;
}

static void load_list(struct journal *j, const char *host, struct watch_list *w)
{
	if (watch_load(j->conf, host, w) < 0)
		die("watch: %s", errget());
}

static void follow(struct journal *j, const struct watch_list *before, const struct watch_list *after,
		   size_t *taken)
{
	struct store_warnings skipped = { 0 };
	int rc = baseline_rewatch(j, before, after, &skipped, taken);

	for (size_t i = 0; i < skipped.n; i++)
		warn_msg("watch: %s", skipped.msgs[i]);
	store_warnings_free(&skipped);
	if (rc < 0)
		die("watch: the baseline: %s", errget());
}

static int watch_add(struct journal *j, const char *host, char **entries, int n)
{
	struct watch_list before, after;
	char *failed = NULL;
	bool *added = xcalloc((size_t)n, sizeof *added), *first = xcalloc((size_t)n, sizeof *first);
	size_t taken = 0;
	int nadded = 0;
	/* the keyring before: the change is signed for the other replicas */
	struct conf *keyring = cmd_team_before(j);

	load_list(j, host, &before);
	for (int i = 0; i < n; i++) {
		if (has_entry(j->conf, host, entries[i])) {
			long count = entries[i][0] == '/' ? baseline_count(j, entries[i]) : 1;
			if (count < 0)
				die("watch: the baseline: %s", errget());
			/* listed by hand in team.conf, never taken: take it now */
			if (count == 0 && watch_watched(&before, entries[i]))
				first[i] = true;
			else
				printf("%s: already in the watch list of %s\n", entries[i], host);
			continue;
		}
		if (watch_edit(j, host, true, entries[i]) < 0) {
			failed = xstrdup(errget());
			break;
		}
		added[i] = true;
		nadded++;
	}
	load_list(j, host, &after);
	/* what was added is followed by the baseline, even when a later entry failed */
	if (nadded) {
		follow(j, &before, &after, &taken);
		cmd_share_team(j, keyring, NULL, false, "watch add");
	} else {
		conf_free(keyring);
	}
	for (int i = 0; i < n; i++) {
		long count;
		if (!first[i])
			continue;
		if (baseline_take(j, &after, entries[i]) < 0)
			die("watch: the baseline: %s", errget());
		count = baseline_count(j, entries[i]);
		printf("Took the baseline of %s on %s: %ld file%s\n", entries[i], host, count, count == 1 ? "" : "s");
	}
	if (failed)
		die("watch: %s", failed);
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (!added[i])
			continue;
		if (entries[i][0] == '!') {
			printf("Excluding %s on %s\n", entries[i] + 1, host);
		} else {
			printf("Watching %s on %s\n", entries[i], host);
			if (lstat(entries[i], &st) < 0 && (errno == ENOENT || errno == ENOTDIR))
				warn_msg("watch: %s: does not exist (yet): it shows up as added when it appears",
					 entries[i]);
		}
	}
	if (taken)
		printf("Took the baseline of %zu file%s\n", taken, taken == 1 ? "" : "s");
	watch_free(&before);
	watch_free(&after);
	free(added);
	free(first);
	return cli_finish_output();
}

static int watch_rm(struct journal *j, const char *host, char **args, char **entries, int n)
{
	struct watch_list before, after;
	struct conf *keyring;
	size_t taken = 0;
	bool missing = false;

	/* all or nothing: every entry must be there before one is removed */
	for (int i = 0; i < n; i++) {
		if (has_entry(j->conf, host, args[i])) {
			free(entries[i]);
			entries[i] = xstrdup(args[i]);
		} else if (!has_entry(j->conf, host, entries[i])) {
			warn_msg("watch: %s: not in the watch list of %s", args[i], host);
			missing = true;
		}
	}
	if (missing)
		exit(EXIT_FAIL);
	keyring = cmd_team_before(j);
	load_list(j, host, &before);
	for (int i = 0; i < n; i++) {
		if (!has_entry(j->conf, host, entries[i]))
			continue;	/* the same entry given twice */
		if (watch_edit(j, host, false, entries[i]) < 0)
			die("watch: %s", errget());
	}
	load_list(j, host, &after);
	follow(j, &before, &after, &taken);
	cmd_share_team(j, keyring, NULL, false, "watch rm");
	for (int i = 0; i < n; i++)
		printf("Removed %s from the watch list of %s\n", entries[i], host);
	if (taken)
		printf("Took the baseline of %zu file%s no longer excluded\n", taken, taken == 1 ? "" : "s");
	watch_free(&before);
	watch_free(&after);
	return cli_finish_output();
}

int cmd_watch(int argc, char **argv)
{
	const char *sub;
	struct journal *j;
	char *host, **entries;
	int n, rc;

	optind = cli_only_help(usage, argc, argv);
	if (optind >= argc)
		cli_usage_exit(usage, "watch: say what to do: add, rm or list");
	sub = argv[optind++];
	if (strcmp(sub, "add") && strcmp(sub, "rm") && strcmp(sub, "list"))
		cli_usage_exit(usage, "watch: '%s' is not add, rm or list", sub);
	n = argc - optind;
	if (!strcmp(sub, "list") && n > 0)
		cli_usage_exit(usage, "watch: list takes no arguments");
	if (strcmp(sub, "list") && n == 0)
		cli_usage_exit(usage, "watch: %s: give at least one PATH or !PATTERN", sub);
	entries = xcalloc((size_t)n + 1, sizeof *entries);
	for (int i = 0; i < n; i++)
		entries[i] = entry_of(argv[optind + i]);

	host = ident_host();
	if (!host)
		die("watch: %s", errget());
	j = cmd_journal();
	if (!strcmp(sub, "list")) {
		list_entries(j->conf, host, print_entry, NULL);
		rc = cli_finish_output();
	} else if (!strcmp(sub, "add")) {
		rc = watch_add(j, host, entries, n);
	} else {
		rc = watch_rm(j, host, argv + optind, entries, n);
	}
	for (int i = 0; i < n; i++)
		free(entries[i]);
	free(entries);
	free(host);
	journal_close(j);
	return rc;
}
