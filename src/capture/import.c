/*
 * import: shell histories into the journal (see import.h).  The ids are
 * computed for the whole history first (the repeats of a (time, text)
 * are numbered in the order of the file), then the ids already in the
 * day files the commands go to are read, under the host's store lock,
 * so that two imports of one file at once cannot both add a command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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
#include "capture/import.h"
#include "capture/ingest.h"
#include "capture/redact.h"
#include "journal/record.h"
#include "base/banned.h"

/* a history file is a few megabytes; this bound only stops a wrong file */
#define HISTORY_MAX (512 * 1024 * 1024)

/* the import_id of earlier imports, sorted for bsearch */
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

/* h's commands with their ids, in time order (*n of them); NULL and errget() on a time that cannot be filed */
static struct item *number_items(const struct history *h, const char *format, const char *file, int64_t default_us,
				 size_t *n)
{
	struct item *items = xcalloc(h->n ? h->n : 1, sizeof *items);
	struct buf key = BUF_INIT;

	*n = 0;
	for (size_t i = 0; i < h->n; i++) {
		const struct history_entry *e = &h->e[i];
		struct item *it = &items[*n];

		if (e->text[0] == ' ')
			continue;
		it->e = e;
		it->time = e->start >= 0 ? e->start : default_us;
		if (day_of(it->time, it->day) < 0) {
			errset("%s:%zu: a time logbook cannot file", file, e->line);
			free(items);
			buf_release(&key);
			return NULL;
		}
		buf_reset(&key);
		buf_addf(&key, "%s%c%lld%c", format, 0, (long long)it->time, 0);
		buf_add(&key, e->text, e->len);
		rec_hash(key.data, key.len, it->base);
		(*n)++;
	}
	/* the same command at the same time twice is two commands: number the repeats */
	qsort(items, *n, sizeof *items, cmp_base);
	for (size_t i = 0, same = 0; i < *n; i++) {
		same = i > 0 && !memcmp(items[i].base, items[i - 1].base, REC_HASH_LEN) ? same + 1 : 0;
		buf_reset(&key);
		buf_addf(&key, "%s%c%zu", items[i].base, 0, same);
		rec_hash(key.data, key.len, items[i].id);
	}
	qsort(items, *n, sizeof *items, cmp_item);
	buf_release(&key);
	return items;
}

/* what earlier imports filed, in the day files of host the items go to */
static int read_ids(struct journal *j, const char *host, const struct item *items, size_t n, struct ids *ids)
{
	for (size_t i = 0; i < n; i++) {
		char *rel, *path;
		int rc;

		if (i > 0 && !strcmp(items[i].day, items[i - 1].day))
			continue;
		rel = store_file_rel(items[i].day, host);
		path = journal_path(j, rel);
		rc = store_scan_file(path, collect_ids, ids);
		free(path);
		free(rel);
		if (rc < 0 && errno != ENOENT)
			return -1;
	}
	if (ids->n > 1)
		qsort(ids->id, ids->n, sizeof *ids->id, cmp_id);
	return 0;
}

static int add_items(struct store_txn *t, const struct ident *id, const char *format, const char *session,
		     struct redactor *red, const struct item *items, size_t n, const struct ids *ids,
		     struct import_result *res)
{
	for (size_t i = 0; i < n; i++) {
		const struct history_entry *e = items[i].e;
		struct record *r;
		int rc;

		if (has_id(ids, items[i].id)) {
			res->skipped++;
			continue;
		}
		r = rec_new("cmd", items[i].time, id->host, id->admin, id->account, session);
		ingest_set_cmd(r, red, e->text, e->len);
		if (e->end >= 0) {
			char end[DAY_TIME_LEN + 1];
			day_time_format(e->end, end);
			rec_set_text(r, "end", end, strlen(end));
		}
		rec_set_text(r, "import", format, strlen(format));
		rec_set_text(r, "import_id", items[i].id, REC_HASH_LEN);
		rc = store_add(t, r);
		rec_free(r);
		if (rc < 0)
			return -1;
		res->added++;
	}
	return 0;
}

int import_history(struct journal *j, const struct ident *id, enum import_format format, const char *file,
		   const char *data, size_t len, int64_t default_us, struct store_warnings *w,
		   struct import_result *res)
{
	const char *name = format == IMPORT_BASH ? "bash-history" : "zsh-history";
	char session[7 + 12 + 1], hash[REC_HASH_LEN + 1], *real;
	struct ids ids = { 0 };
	struct redactor *red = NULL;
	struct store_txn *t = NULL;
	struct history h;
	struct item *items;
	size_t n;
	int rc = -1;

	memset(res, 0, sizeof *res);
	if (format == IMPORT_BASH)
		history_parse_bash(data ? data : "", len, &h);
	else
		history_parse_zsh(data ? data : "", len, &h);
	if (!(red = redact_new(j->conf))) {
		history_free(&h);
		return -1;
	}
	/* the import's own session: one per file, so its commands group together */
	real = realpath(file, NULL);
	rec_hash(real ? real : file, strlen(real ? real : file), hash);
	free(real);
	snprintf(session, sizeof session, "import-%.12s", hash);

	if (!(items = number_items(&h, name, file, default_us, &n)))
		goto out;
	if (!(t = store_begin(j, id->host, w)))
		goto out;
	if (read_ids(j, id->host, items, n, &ids) < 0 ||
	    add_items(t, id, name, session, red, items, n, &ids, res) < 0) {
		store_abort(t);
		goto out;
	}
	rc = store_commit(t);
out:
	if (rc < 0)
		memset(res, 0, sizeof *res);
	free(ids.id);
	free(items);
	redact_free(red);
	history_free(&h);
	return rc;
}

int import_history_file(struct journal *j, const struct ident *id, enum import_format format, const char *file,
			struct store_warnings *w, struct import_result *res)
{
	struct buf data = BUF_INIT;
	struct stat st;
	int fd, rc;

	memset(res, 0, sizeof *res);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		errset_sys("%s", file);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		errset("%s: not a regular file", file);
		close(fd);
		return -1;
	}
	if (fs_read_fd(fd, &data, HISTORY_MAX) < 0) {
		if (errno == EFBIG)
			errset("%s: larger than 512 MiB: not a history file", file);
		else
			errset_sys("%s", file);
		close(fd);
		buf_release(&data);
		return -1;
	}
	close(fd);
	rc = import_history(j, id, format, file, data.data, data.len,
			    (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000, w, res);
	buf_release(&data);
	return rc;
}
