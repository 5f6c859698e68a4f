/*
 * logbook import --bash-history FILE | --zsh-history FILE: file an
 * existing shell history into the journal as cmd records of this admin
 * on this host, redacted like live capture, at the times the file gives
 * (or the file's modification time when it gives none).
 *
 * Each imported command carries "import_id", a hash of the history's
 * format, its time, its text and how many times the same (time, text)
 * came before it in the file; a command whose id is already in the day
 * file it would go to is skipped, so importing a file again adds only
 * what is new in it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "capture/history.h"
#include "capture/ingest.h"
#include "capture/redact.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "journal/record.h"
#include "journal/store.h"
#include "base/banned.h"

/* a history file is a few megabytes; this bound only stops a wrong file */
#define HISTORY_MAX (512 * 1024 * 1024)

static const char usage[] =
	"usage: logbook import --bash-history FILE\n"
	"       logbook import --zsh-history FILE\n"
	"\n"
	"File the commands of an existing shell history into the journal, as\n"
	"your commands on this host, redacted like live capture.  Timestamps\n"
	"are used where the file has them (bash with HISTTIMEFORMAT: '#EPOCH'\n"
	"lines; zsh with EXTENDED_HISTORY); other commands get the file's\n"
	"modification time.  Importing the same file again adds only the\n"
	"commands that are new in it.  Commands typed with a leading space\n"
	"are left out.\n"
	"\n"
	"  --bash-history FILE   a bash history file (~/.bash_history)\n"
	"  --zsh-history FILE    a zsh history file (~/.zsh_history)\n"
	"  -h, --help            show this help\n";

struct ids {
	char (*id)[REC_HASH_LEN + 1];
	size_t n;
};

static int collect_ids(const char *line, size_t len, size_t lineno, void *arg)
{
	struct ids *ids = arg;
	struct record *r;
	const char *id;

	(void)lineno;
	if (!memmem(line, len, "\"import_id\":", 12) || !(r = rec_parse(line, len, false)))
		return 0;
	id = rec_get_str(r, "import_id", NULL);
	if (id && strlen(id) == REC_HASH_LEN) {
		ids->id = xreallocarray(ids->id, ids->n + 1, sizeof *ids->id);
		memcpy(ids->id[ids->n++], id, REC_HASH_LEN + 1);
	}
	rec_free(r);
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, REC_HASH_LEN);
}

static bool has_id(const struct ids *ids, const char *id)
{
	return ids->n && bsearch(id, ids->id, ids->n, sizeof *ids->id, cmp_id);
}

struct item {
	const struct history_entry *e;
	int64_t time;
	char base[REC_HASH_LEN + 1];	/* of format, time and text */
	char id[REC_HASH_LEN + 1];	/* of base and the occurrence of base before it */
	char day[DAY_LEN + 1];
};

static int cmp_base(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = memcmp(x->base, y->base, REC_HASH_LEN);

	return c ? c : (x->e > y->e) - (x->e < y->e);
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->time != y->time)
		return (x->time > y->time) - (x->time < y->time);
	return (x->e > y->e) - (x->e < y->e);
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bash-history", required_argument, NULL, 'b' },
		{ "zsh-history", required_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL, *format = NULL, *session_key;
	struct store_warnings warnings = { 0 };
	struct buf data = BUF_INIT, key = BUF_INIT;
	struct history h;
	struct item *items;
	struct ids ids = { 0 };
	struct redactor *red;
	struct store_txn *t;
	struct journal *j;
	struct ident id;
	struct stat st;
	char session[7 + 12 + 1], hash[REC_HASH_LEN + 1];
	size_t n = 0, added = 0, skipped = 0;
	int c, fd;

	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
		case 'z':
			if (file)
				cmd_usage_exit(usage, "import: one history file at a time");
			file = optarg;
			format = c == 'b' ? "bash-history" : "zsh-history";
			break;
		case 'h':
			cmd_help_exit(usage);
		default:
			cmd_bad_option(usage, c, argv);
		}
	}
	if (!file)
		cmd_usage_exit(usage, "import: name the history: --bash-history FILE or --zsh-history FILE");
	if (optind < argc)
		cmd_usage_exit(usage, "import: unexpected argument '%s'", argv[optind]);

	j = cmd_journal();
	cmd_ingest_first(j);
	if (ident_resolve(&id, j->conf) < 0)
		die_err();
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		die("import: %s: %s", file, strerror(errno));
	if (!S_ISREG(st.st_mode))
		die("import: %s: not a regular file", file);
	if (fs_read_fd(fd, &data, HISTORY_MAX) < 0)
		die("import: %s: %s", file, errno == EFBIG ? "larger than 512 MiB: not a history file" : strerror(errno));
	close(fd);
	if (!strcmp(format, "bash-history"))
		history_parse_bash(data.data ? data.data : "", data.len, &h);
	else
		history_parse_zsh(data.data ? data.data : "", data.len, &h);
	if (!(red = redact_new(j->conf)))
		die("import: %s", errget());

	/* the import's own session: one per file, so its commands group together */
	session_key = realpath(file, NULL);
	rec_hash(session_key ? session_key : file, strlen(session_key ? session_key : file), hash);
	free((char *)session_key);
	snprintf(session, sizeof session, "import-%.12s", hash);

	items = xcalloc(h.n ? h.n : 1, sizeof *items);
	for (size_t i = 0; i < h.n; i++) {
		const struct history_entry *e = &h.e[i];
		struct item *it = &items[n];

		if (e->text[0] == ' ')
			continue;
		it->e = e;
		it->time = e->start >= 0 ? e->start : (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
		if (day_of(it->time, it->day) < 0)
			die("import: %s:%zu: a time logbook cannot file", file, e->line);
		buf_reset(&key);
		buf_addf(&key, "%s%c%lld%c", format, 0, (long long)it->time, 0);
		buf_add(&key, e->text, e->len);
		rec_hash(key.data, key.len, it->base);
		n++;
	}
	/* the same command at the same time twice is two commands: number the repeats */
	qsort(items, n, sizeof *items, cmp_base);
	for (size_t i = 0, same = 0; i < n; i++) {
		same = i > 0 && !memcmp(items[i].base, items[i - 1].base, REC_HASH_LEN) ? same + 1 : 0;
		buf_reset(&key);
		buf_addf(&key, "%s%c%zu", items[i].base, 0, same);
		rec_hash(key.data, key.len, items[i].id);
	}
	qsort(items, n, sizeof *items, cmp_item);

	t = store_begin(j, id.host, &warnings);
	cmd_print_warnings(&warnings);
	if (!t)
		die("import: %s", errget());
	/* what earlier imports filed, in the day files this one goes to */
	for (size_t i = 0; i < n; i++) {
		char *rel, *path;
		if (i > 0 && !strcmp(items[i].day, items[i - 1].day))
			continue;
		rel = store_file_rel(items[i].day, id.host);
		path = journal_path(j, rel);
		if (store_scan_file(path, collect_ids, &ids) < 0 && errno != ENOENT) {
			store_abort(t);
			die("import: %s", errget());
		}
		free(path);
		free(rel);
	}
	if (ids.n > 1)
		qsort(ids.id, ids.n, sizeof *ids.id, cmp_id);
	for (size_t i = 0; i < n; i++) {
		const struct history_entry *e = items[i].e;
		struct record *r;

		if (has_id(&ids, items[i].id)) {
			skipped++;
			continue;
		}
		r = rec_new("cmd", items[i].time, id.host, id.admin, id.account, session);
		ingest_set_cmd(r, red, e->text, e->len);
		if (e->end >= 0) {
			char end[DAY_TIME_LEN + 1];
			day_time_format(e->end, end);
			rec_set_text(r, "end", end, strlen(end));
		}
		rec_set_text(r, "import", format, strlen(format));
		rec_set_text(r, "import_id", items[i].id, REC_HASH_LEN);
		if (store_add(t, r) < 0) {
			rec_free(r);
			store_abort(t);
			die("import: %s", errget());
		}
		rec_free(r);
		added++;
	}
	if (store_commit(t) < 0)
		die("import: %s", errget());
	printf("%zu command%s imported from %s", added, added == 1 ? "" : "s", file);
	if (skipped)
		printf(" (%zu already in the journal)", skipped);
	printf("\n");

	free(ids.id);
	free(items);
	redact_free(red);
	history_free(&h);
	buf_release(&data);
	buf_release(&key);
	ident_release(&id);
	journal_close(j);
	return cmd_finish_output();
}
