/*
 * logbook complete CWORD WORD...: the candidates for the word at index
 * CWORD of a logbook command line, one per line, for the bash and zsh
 * completion scripts (dist/completion/).  Not listed by 'logbook help':
 * people never type it.
 *
 * Commands come from the command table, options and arguments from the
 * command's own --help (complete.c), values from the journal the line
 * names (-C, $LOGBOOK_DIR, the default): days, hosts, admins, remotes.
 * A line ":files" or ":dirs" asks the shell to complete file names.
 * Nothing is ever printed on stderr, and a missing journal just gives
 * fewer candidates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "journal/journal.h"
#include "replica/replica.h"
#include "setup/server.h"
#include "view/complete.h"
#include "base/banned.h"

/* hosts are looked for in this many of the newest day pages */
#define HOST_DAYS 60

static const char usage[] =
	"usage: logbook complete CWORD WORD...\n"
	"\n"
	"Print the candidates for word CWORD (0 is \"logbook\") of the command\n"
	"line WORD..., one per line: what the bash and zsh completion scripts\n"
	"run.  A line \":files\" or \":dirs\" asks for file name completion.\n"
	"\n"
	"  -h, --help   show this help\n";

static const char *prefix;
static struct buf out = BUF_INIT;

static void candidate(const char *s, size_t len)
{
	size_t pl = strlen(prefix);

	if (len >= pl && !strncmp(s, prefix, pl)) {
		buf_add(&out, s, len);
		buf_addc(&out, '\n');
	}
}

static void candidates_lines(const char *text)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		if (n)
			candidate(p, n);
		p += n + (p[n] == '\n');
	}
}

/* the day pages of the journal, newest first */
static void day_names(struct journal *j, char ***days, size_t *n)
{
	char **years, **dd;
	size_t ny, nd;

	*days = NULL;
	*n = 0;
	if (fs_list_dir(j->dir, store_is_year, NULL, true, &years, &ny) < 0)
		return;
	for (size_t y = 0; y < ny; y++) {
		char *ydir = journal_path(j, years[y]);

		if (fs_list_dir(ydir, store_is_day_of, years[y], true, &dd, &nd) == 0) {
			*days = xreallocarray(*days, *n + nd, sizeof **days);
			memcpy(*days + *n, dd, nd * sizeof *dd);
			*n += nd;
			free(dd);
		}
		free(ydir);
	}
	fs_free_names(years, ny);
}

static void values(enum complete_kind kind, const char *dir)
{
	struct journal *j = NULL;
	char **days;
	size_t ndays;

	if (kind == COMPLETE_DAYS || kind == COMPLETE_HOSTS || kind == COMPLETE_ADMINS || kind == COMPLETE_REMOTES)
		if (!(j = journal_open(journal_locate(dir))))
			return;
	switch (kind) {
	case COMPLETE_NONE:
		break;
	case COMPLETE_DAYS:
		candidates_lines("today\nyesterday\n");
		day_names(j, &days, &ndays);
		for (size_t i = 0; i < ndays; i++)
			candidate(days[i], strlen(days[i]));
		fs_free_names(days, ndays);
		break;
	case COMPLETE_HOSTS: {
		struct buf seen = BUF_INIT;
		char *self = ident_host();
		if (self) {
			buf_addf(&seen, "\n%s\n", self);
			candidate(self, strlen(self));
			free(self);
		}
		day_names(j, &days, &ndays);
		for (size_t i = 0; i < ndays && i < HOST_DAYS; i++) {
			char rel[DAY_LEN + 6], *path, **files;
			size_t nf;

			snprintf(rel, sizeof rel, "%.4s/%s", days[i], days[i]);
			path = journal_path(j, rel);
			/* an unreadable day lists nothing (fs_list_dir leaves no names) */
			fs_list_dir(path, store_is_host_file, NULL, false, &files, &nf);
			for (size_t f = 0; f < nf; f++) {
				size_t len = strlen(files[f]) - 6;	/* the host, without ".jsonl" */
				char *key = xasprintf("\n%.*s\n", (int)len, files[f]);

				if (!strstr(buf_str(&seen), key)) {
					buf_adds(&seen, key + 1);
					candidate(files[f], len);
				}
				free(key);
			}
			fs_free_names(files, nf);
			free(path);
		}
		fs_free_names(days, ndays);
		buf_release(&seen);
		break;
	}
	case COMPLETE_ADMINS: {
		struct buf seen = BUF_INIT;
		for (size_t i = 0; i < j->conf->n; i++) {
			const struct conf_entry *e = &j->conf->entries[i];
			char *key;
			if (strcmp(e->section, "admin") || !e->subsection)
				continue;
			key = xasprintf("\n%s\n", e->subsection);
			if (!strstr(buf_str(&seen), key)) {
				buf_adds(&seen, key + 1);
				candidate(e->subsection, strlen(e->subsection));
			}
			free(key);
		}
		buf_release(&seen);
		break;
	}
	case COMPLETE_REMOTES: {
		char **names;
		size_t n;
		if (replica_remotes(j, &names, &n) == 0) {
			for (size_t i = 0; i < n; i++)
				candidate(names[i], strlen(names[i]));
			replica_names_free(names, n);
		}
		break;
	}
	case COMPLETE_KINDS:
		candidates_lines("note\ncmd\nsession\nchange\nsign\nevent\n");
		break;
	case COMPLETE_WHEN:
		candidates_lines("always\nnever\nauto\n");
		break;
	case COMPLETE_ZONES: {
		struct buf tab = BUF_INIT;
		candidate("UTC", 3);
		if (fs_read_file("/usr/share/zoneinfo/zone1970.tab", &tab) == 0) {
			for (const char *p = buf_str(&tab); *p;) {
				size_t n = strcspn(p, "\n");
				if (*p != '#') {
					/* code, coordinates, zone */
					const char *t1 = memchr(p, '\t', n), *t2 = t1 ? memchr(t1 + 1, '\t', n - (size_t)(t1 + 1 - p)) : NULL;
					if (t2)
						candidate(t2 + 1, strcspn(t2 + 1, "\t\n"));
				}
				p += n + (p[n] == '\n');
			}
		}
		buf_release(&tab);
		break;
	}
	case COMPLETE_COMMANDS:
		for (size_t i = 0; i < ncommands; i++)
			if (commands[i].summary)
				candidate(commands[i].name, strlen(commands[i].name));
		break;
	case COMPLETE_DIRS:
		buf_adds(&out, ":dirs\n");
		break;
	case COMPLETE_FILES:
		buf_adds(&out, ":files\n");
		break;
	}
	journal_close(j);
}

int cmd_complete(int argc, char **argv)
{
	char **words;
	size_t nwords = 0, cword, i = 1;
	const char *dir = NULL, *cmd;
	bool known = false;
	unsigned kinds = 0;
	struct buf lits = BUF_INIT;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		cli_help_exit(usage);
	if (argc < 3 || strspn(argv[1], "0123456789") != strlen(argv[1]) || !*argv[1])
		cli_usage_exit(usage, "complete: needs CWORD and the words of the line");
	cword = strtoul(argv[1], NULL, 10);
	/* bash splits "--color=al" at '=' into three words: join them again */
	words = xcalloc((size_t)argc + 1, sizeof *words);
	{
		size_t target = (size_t)-1, nin = (size_t)argc - 2;
		for (size_t idx = 0; idx < nin; idx++) {
			const char *w = argv[idx + 2];
			if (!strcmp(w, "=") && nwords && words[nwords - 1][0] == '-' && !strchr(words[nwords - 1], '=')) {
				char *joined;
				bool take = idx + 1 < nin && idx + 1 <= cword;
				joined = xasprintf("%s=%s", words[nwords - 1], take ? argv[idx + 3] : "");
				free(words[nwords - 1]);
				words[nwords - 1] = joined;
				if (idx == cword || (take && idx + 1 == cword))
					target = nwords - 1;
				idx += take;
				continue;
			}
			if (idx == cword)
				target = nwords;
			words[nwords++] = xstrdup(w);
		}
		cword = target == (size_t)-1 ? nwords : target;
	}
	if (cword >= nwords) {
		cword = nwords;
		words[nwords++] = xstrdup("");
	}
	prefix = words[cword];
	/* the value of --opt=VALUE is completed alone: the shells put the prefix back */
	if (prefix[0] == '-' && strchr(prefix, '='))
		prefix = strchr(prefix, '=') + 1;
	/* word 0 is logbook itself: nothing to propose */
	if (cword == 0)
		goto print;
	/* logbook's own options */
	while (i < cword && words[i][0] == '-') {
		if (!strcmp(words[i], "-C")) {
			if (i + 1 == cword) {
				values(COMPLETE_DIRS, NULL);
				goto print;
			}
			dir = words[i + 1];
			i += 2;
		} else {
			if (!strncmp(words[i], "-C", 2))
				dir = words[i] + 2;
			i++;
		}
	}
	if (i == cword) {
		if (words[i][0] == '-')
			candidates_lines("-C\n--version\n--help\n");
		else
			values(COMPLETE_COMMANDS, NULL);
		goto print;
	}
	cmd = words[i];
	for (size_t k = 0; k < ncommands; k++)
		known |= !strcmp(commands[k].name, cmd) && commands[k].summary;
	if (known) {
		char *self = fs_self_exe();
		const char *help_argv[] = { self, cmd, "--help", NULL };
		struct buf help = BUF_INIT;
		if (server_run(help_argv, &help) == 0) {
			complete_args(buf_str(&help), (const char *const *)words + i, cword - i, &lits, &kinds);
			if (words[cword][0] == '-' && !strchr(words[cword], '=')) {
				struct complete_options o;
				complete_options_parse(buf_str(&help), &o);
				for (size_t k = 0; k < o.n; k++) {
					char *s = o.eq[k] ? xasprintf("%s=", o.names[k]) : xstrdup(o.names[k]);
					candidate(s, strlen(s));
					free(s);
				}
				complete_options_free(&o);
			}
		}
		buf_release(&help);
		free(self);
	}
	candidates_lines(buf_str(&lits));
	for (unsigned k = 0; k < 32; k++)
		if (kinds & (1u << k))
			values((enum complete_kind)k, dir);
print:
	cli_out(out.data, out.len);
	buf_release(&out);
	buf_release(&lits);
	for (size_t k = 0; k < nwords; k++)
		free(words[k]);
	free(words);
	return cli_finish_output();
}
