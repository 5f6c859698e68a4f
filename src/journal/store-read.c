/*
 * store-read: reading the record files, for every command that shows,
 * searches or checks the journal.
 *
 * Readers never take a lock and never write: they read complete lines
 * only (a torn last line, still being written or left by a crash, is
 * skipped), open record files only as regular files (no symlink, no
 * device), and report a damaged line as a warning with its file and line
 * while going on with the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/each.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "journal/record-scan.h"
#include "journal/store-int.h"
#include "journal/store.h"
#include "base/banned.h"

/*
 * Record files are regular files written by logbook: a symlink (to
 * /dev/zero, say) or a device would make a reader read without end.
 */
int store_open_record_file(const char *path)
{
	int fd = fs_open_regular(path);

	if (fd < 0) {
		int e = errno;
		if (e == ELOOP)
			errset("%s: a symbolic link, not a record file; skipped", path);
		else if (e == EINVAL)
			errset("%s: not a regular file; skipped", path);
		else
			errset_sys("%s", path);
		errno = e;
	}
	return fd;
}

int store_scan_file_buf(const char *path, struct buf *b, store_line_fn fn, void *arg)
{
	const char *p, *end;
	size_t lineno = 0;
	int fd = store_open_record_file(path);

	buf_reset(b);
	if (fd < 0)
		return -1;
	if (fs_read_fd(fd, b, 0) < 0) {
		errset_sys("%s", path);
		close(fd);
		return -1;
	}
	close(fd);
	p = buf_str(b);
	end = p + b->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;	/* torn last line: a writer is at work or died */
		lineno++;
		if (fn(p, (size_t)(nl - p), lineno, arg))
			break;
		p = nl + 1;
	}
	return 0;
}

int store_scan_file(const char *path, store_line_fn fn, void *arg)
{
	struct buf b = BUF_INIT;
	int rc = store_scan_file_buf(path, &b, fn, arg);

	buf_release(&b);
	return rc;
}

struct load_ctx {
	struct store_day *day;
	const char *path;
	const char *host;
	bool keep_lines;
	store_want_fn want;
	void *arg;
};

static int load_line(const char *line, size_t len, size_t lineno, void *arg)
{
	struct load_ctx *c = arg;
	struct store_day *d = c->day;
	struct record *r;

	if (c->want && !c->want(line, len, c->arg))
		return 0;
	if (!(r = rec_parse(line, len, c->keep_lines))) {
		store_warn_add(&d->warnings, xasprintf("%s:%zu: %s", c->path, lineno, errget()));
		return 0;
	}
	if (strcmp(r->host, c->host)) {
		store_warn_add(&d->warnings, xasprintf("%s:%zu: record of host '%s' in the file of host '%s'",
						 c->path, lineno, r->host, c->host));
		rec_free(r);
		return 0;
	}
	r->path = c->path;
	r->lineno = lineno;
	if ((d->n & (d->n - 1)) == 0)	/* grow at powers of two */
		d->recs = xreallocarray(d->recs, d->n ? d->n * 2 : 1, sizeof *d->recs);
	d->recs[d->n++] = r;
	return 0;
}

static int cmp_time(const void *a, const void *b)
{
	const struct record *x = *(struct record *const *)a, *y = *(struct record *const *)b;
	int c;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	c = strcmp(x->host, y->host);
	if (c)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}
/* the directory of a day page and the names of its host files; -1 on a bad day or a read error */
static int day_files(struct journal *j, const char *day, char **full, char ***files, size_t *nf)
{
	char dir[DAY_LEN + 6];

	*files = NULL;
	*nf = 0;
	if (!day_valid(day)) {
		errset("bad day name '%s'", day);
		return -1;
	}
	snprintf(dir, sizeof dir, "%.4s/%s", day, day);
	*full = journal_path(j, dir);
	if (fs_list_dir(*full, store_is_host_file, NULL, true, files, nf) < 0) {
		free(*full);
		return -1;
	}
	return 0;
}

static int load_day(struct journal *j, const char *day, bool keep_lines, store_want_fn want, void *arg,
		    struct store_day *out)
{
	char *full;
	char **files;
	size_t nf;

	memset(out, 0, sizeof *out);
	if (day_files(j, day, &full, &files, &nf) < 0)
		return -1;
	out->paths = xcalloc(nf ? nf : 1, sizeof *out->paths);
	for (size_t i = 0; i < nf; i++) {
		char *host = xstrndup(files[i], strlen(files[i]) - 6);
		struct load_ctx c = { out, NULL, host, keep_lines, want, arg };

		out->paths[out->npaths] = fs_join(full, files[i]);
		c.path = out->paths[out->npaths++];
		/* one unreadable file does not hide the other hosts' records */
		if (store_scan_file(c.path, load_line, &c) < 0)
			store_warn_add(&out->warnings, xstrdup(errget()));
		free(host);
	}
	fs_free_names(files, nf);
	free(full);
	if (out->n > 1)
		qsort(out->recs, out->n, sizeof *out->recs, cmp_time);
	return 0;
}

int store_load_day(struct journal *j, const char *day, struct store_day *out, bool keep_lines)
{
	return load_day(j, day, keep_lines, NULL, NULL, out);
}

int store_load_day_some(struct journal *j, const char *day, store_want_fn want, void *arg, struct store_day *out)
{
	return load_day(j, day, false, want, arg, out);
}

struct day_line {
	int64_t time, seq;
	size_t off, len, lineno;
	unsigned file;
	struct record *rec;	/* when the day keeps them */
};

/* the lines one file of a day gave, checked (and parsed, when the day keeps records) */
struct file_lines {
	struct day_line *v;
	size_t n;
	struct store_warnings warnings;
};

struct lines_ctx {
	const struct store_day_lines *d;
	struct file_lines *out;
	unsigned file;
	const char *base;
};

/*
 * A line of the day: checked to be a record of the file's host, its time
 * and seq kept for the order.  A day that does not keep the records reads
 * those through rec_scan, which answers only when rec_parse would accept
 * the line with the same fields; the rest (and every line of a day that
 * keeps its records) goes through rec_parse.
 */
static int index_line(const char *line, size_t len, size_t lineno, void *arg)
{
	struct lines_ctx *c = arg;
	const struct store_day_lines *d = c->d;
	struct file_lines *fl = c->out;
	const char *host = d->hosts[c->file];
	struct record *r = NULL;
	struct rec_fields f;
	struct day_line *e;

	if (!d->parsed && rec_scan(line, len, &f)) {
		if (f.host_len != strlen(host) || memcmp(f.host, host, f.host_len)) {
			store_warn_add(&fl->warnings, xasprintf("%s:%zu: record of host '%.*s' in the file of host '%s'",
								d->paths[c->file], lineno, (int)f.host_len, f.host,
								host));
			return 0;
		}
	} else {
		/* a day kept parsed is read light: its readers ask few fields of each record */
		r = d->parsed ? rec_parse_light(line, len, false) : rec_parse(line, len, false);
		if (!r) {
			store_warn_add(&fl->warnings, xasprintf("%s:%zu: %s", d->paths[c->file], lineno, errget()));
			return 0;
		}
		if (strcmp(r->host, host)) {
			store_warn_add(&fl->warnings, xasprintf("%s:%zu: record of host '%s' in the file of host '%s'",
								d->paths[c->file], lineno, r->host, host));
			rec_free(r);
			return 0;
		}
		f.time = r->time;
		f.seq = r->seq;
	}
	if ((fl->n & (fl->n - 1)) == 0)
		fl->v = xreallocarray(fl->v, fl->n ? fl->n * 2 : 1, sizeof *fl->v);
	e = &fl->v[fl->n++];
	e->time = f.time;
	e->seq = f.seq;
	e->off = (size_t)(line - c->base);
	e->len = len;
	e->lineno = lineno;
	e->file = c->file;
	e->rec = NULL;
	if (r && d->parsed) {
		r->path = d->paths[c->file];
		r->lineno = lineno;
		e->rec = r;
	} else {
		rec_free(r);
	}
	return 0;
}

/* lines of one file from memory, as store_scan_file does from the file */
static void scan_buf(const struct buf *b, store_line_fn fn, void *arg)
{
	const char *p = b->data, *end = b->data + b->len;
	size_t lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;	/* a torn last line: skipped, as readers do */
		fn(p, (size_t)(nl - p), ++lineno, arg);
		p = nl + 1;
	}
}

/* the files of a day, checked each into its own results */
struct lines_work {
	const struct store_day_lines *d;
	struct file_lines *out;
};

static void check_file(size_t i, void *arg)
{
	struct lines_work *w = arg;

	if (w->d->files[i].data) {
		struct lines_ctx c = { w->d, &w->out[i], (unsigned)i, w->d->files[i].data };

		scan_buf(&w->d->files[i], index_line, &c);
	}
}

/* lines of a day from which parsing on a second CPU pays for the thread */
#define LINES_THREADED_MIN 2000

/*
 * Every file's lines checked (parsed, when the day keeps records), the
 * files shared among the CPUs when the day is big enough; the results
 * taken in file order, so the lines and the warnings come out as one
 * thread reading the files in turn would give them (read_error_of[i]:
 * file i could not be read, said where its lines would have been).
 */
static void check_lines(struct store_day_lines *d, size_t lines, char **read_error_of)
{
	struct file_lines *out = xcalloc(d->nfiles ? d->nfiles : 1, sizeof *out);
	struct lines_work w = { d, out };
	size_t total = 0;

	each_on_cpus(d->nfiles, lines >= LINES_THREADED_MIN ? 8 : 1, check_file, &w);
	for (size_t i = 0; i < d->nfiles; i++)
		total += out[i].n;
	d->v = xreallocarray(NULL, total ? total : 1, sizeof *d->v);
	for (size_t i = 0; i < d->nfiles; i++) {
		if (out[i].n)
			memcpy(d->v + d->n, out[i].v, out[i].n * sizeof *d->v);
		d->n += out[i].n;
		if (read_error_of[i])
			store_warn_add(&d->warnings, read_error_of[i]);
		for (size_t k = 0; k < out[i].warnings.n; k++)
			store_warn_add(&d->warnings, out[i].warnings.msgs[k]);
		free(out[i].warnings.msgs);
		free(out[i].v);
	}
	free(out);
}

static const struct store_day_lines *sort_lines;

static int cmp_line(const void *a, const void *b)
{
	const struct day_line *x = a, *y = b;
	int c;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	c = strcmp(sort_lines->hosts[x->file], sort_lines->hosts[y->file]);
	if (c)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

int store_day_lines_load(struct journal *j, const char *day, struct store_day_lines *out)
{
	return store_day_lines_load_parsed(j, day, 0, out);
}

int store_day_lines_load_parsed(struct journal *j, const char *day, size_t max, struct store_day_lines *out)
{
	char *full;
	char **files;
	size_t nf, lines = 0;
	char **read_error_of;

	memset(out, 0, sizeof *out);
	if (day_files(j, day, &full, &files, &nf) < 0)
		return -1;
	out->files = xcalloc(nf ? nf : 1, sizeof *out->files);
	out->paths = xcalloc(nf ? nf : 1, sizeof *out->paths);
	out->hosts = xcalloc(nf ? nf : 1, sizeof *out->hosts);
	read_error_of = xcalloc(nf ? nf : 1, sizeof *read_error_of);
	for (size_t i = 0; i < nf; i++) {
		int fd;

		out->paths[i] = fs_join(full, files[i]);
		out->hosts[i] = xstrndup(files[i], strlen(files[i]) - 6);
		out->nfiles++;
		/* one unreadable file does not hide the other hosts' records */
		fd = store_open_record_file(out->paths[i]);
		if (fd < 0 || fs_read_fd(fd, &out->files[i], 0) < 0) {
			read_error_of[i] = fd < 0 ? xstrdup(errget()) : xasprintf("%s: %s", out->paths[i], strerror(errno));
			if (fd >= 0)
				close(fd);
			buf_release(&out->files[i]);
			continue;
		}
		close(fd);
		for (const char *p = out->files[i].data, *end = p + out->files[i].len;
		     p && p < end && (p = memchr(p, '\n', (size_t)(end - p))); p++)
			lines++;
	}
	fs_free_names(files, nf);
	free(full);
	/* too big a day to hold parsed: its readers parse again what they render */
	out->parsed = max > 0 && lines <= max;
	check_lines(out, lines, read_error_of);
	free(read_error_of);
	sort_lines = out;
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, cmp_line);
	sort_lines = NULL;
	return 0;
}

void store_day_line(const struct store_day_lines *d, size_t i, const char **line, size_t *len,
		    const char **path, size_t *lineno)
{
	const struct day_line *e = &d->v[i];

	*line = d->files[e->file].data + e->off;
	*len = e->len;
	*path = d->paths[e->file];
	*lineno = e->lineno;
}

const struct record *store_day_line_record(const struct store_day_lines *d, size_t i)
{
	return d->parsed ? d->v[i].rec : NULL;
}

void store_day_lines_free(struct store_day_lines *d)
{
	for (size_t i = 0; d->parsed && i < d->n; i++)
		rec_free(d->v[i].rec);
	for (size_t i = 0; i < d->nfiles; i++) {
		buf_release(&d->files[i]);
		free(d->paths[i]);
		free(d->hosts[i]);
	}
	free(d->files);
	free(d->paths);
	free(d->hosts);
	free(d->v);
	store_warnings_free(&d->warnings);
	memset(d, 0, sizeof *d);
}

void store_day_free(struct store_day *d)
{
	for (size_t i = 0; i < d->n; i++)
		rec_free(d->recs[i]);
	free(d->recs);
	for (size_t i = 0; i < d->npaths; i++)
		free(d->paths[i]);
	free(d->paths);
	store_warnings_free(&d->warnings);
	memset(d, 0, sizeof *d);
}

/* newlines in the file at path; -1 and errget() when it cannot be read */
static ssize_t count_lines(const char *path)
{
	int fd = store_open_record_file(path);
	char chunk[65536];
	ssize_t lines = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			errset_sys("%s", path);
			lines = -1;
			break;
		}
		for (char *p = chunk; (p = memchr(p, '\n', (size_t)(chunk + n - p))); p++)
			lines++;
	}
	close(fd);
	return lines;
}

/* whether the file at path opens; -1 and errget() when not */
static int check_open(const char *path)
{
	int fd = store_open_record_file(path);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int store_list_days_in(struct journal *j, const char *first, const char *last, bool counts, struct store_days *out)
{
	char **years = NULL, **days = NULL;
	size_t ny = 0, nd = 0;

	memset(out, 0, sizeof *out);
	if (fs_list_dir(j->dir, store_is_year, NULL, true, &years, &ny) < 0)
		return -1;
	for (size_t y = 0; y < ny; y++) {
		char *ydir;
		int rc;

		/* a year outside the range is not listed */
		if ((first && strncmp(years[y], first, 4) < 0) || (last && strncmp(years[y], last, 4) > 0))
			continue;
		ydir = journal_path(j, years[y]);
		rc = fs_list_dir(ydir, store_is_day_of, years[y], true, &days, &nd);
		free(ydir);
		if (rc < 0) {
			fs_free_names(years, ny);
			store_days_free(out);
			return -1;
		}
		for (size_t d = 0; d < nd; d++) {
			char rel[DAY_LEN + 6];
			char *ddir, **files;
			size_t nf;
			struct store_day_hosts *h;

			if ((first && strcmp(days[d], first) < 0) || (last && strcmp(days[d], last) > 0))
				continue;
			snprintf(rel, sizeof rel, "%.4s/%s", days[d], days[d]);
			ddir = journal_path(j, rel);
			if (fs_list_dir(ddir, store_is_host_file, NULL, true, &files, &nf) < 0 || nf == 0) {
				free(ddir);
				continue;
			}
			out->days = xreallocarray(out->days, out->n + 1, sizeof *out->days);
			h = &out->days[out->n++];
			memcpy(h->day, days[d], DAY_LEN + 1);
			h->n = nf;
			h->hosts = xcalloc(nf, sizeof *h->hosts);
			h->counts = xcalloc(nf, sizeof *h->counts);
			/* list_dir sorts descending; hosts read better ascending */
			for (size_t i = 0; i < nf; i++) {
				char *path = fs_join(ddir, files[nf - 1 - i]);
				ssize_t lines = counts ? count_lines(path) : check_open(path);
				h->hosts[i] = xstrndup(files[nf - 1 - i], strlen(files[nf - 1 - i]) - 6);
				h->counts[i] = lines < 0 ? 0 : (size_t)lines;
				if (lines < 0)
					store_warn_add(&out->warnings, xstrdup(errget()));
				free(path);
			}
			fs_free_names(files, nf);
			free(ddir);
		}
		fs_free_names(days, nd);
		days = NULL;
		nd = 0;
	}
	fs_free_names(years, ny);
	return 0;
}

int store_list_days(struct journal *j, struct store_days *out)
{
	return store_list_days_in(j, NULL, NULL, true, out);
}

int store_each_file(const struct journal *j, size_t max_days, store_file_fn fn, void *arg)
{
	char **years = NULL;
	size_t ny = 0, seen = 0;
	int stop = 0;

	if (fs_list_dir(j->dir, store_is_year, NULL, true, &years, &ny) < 0)
		return -1;
	for (size_t y = 0; y < ny && !stop && (!max_days || seen < max_days); y++) {
		char *ydir = journal_path(j, years[y]), **days = NULL;
		size_t nd = 0;
		int rc = fs_list_dir(ydir, store_is_day_of, years[y], true, &days, &nd);

		free(ydir);
		if (rc < 0)
			continue;	/* a year that cannot be listed is passed over */
		for (size_t d = 0; d < nd && !stop && (!max_days || seen++ < max_days); d++) {
			char rel[DAY_LEN + 6], **files;
			char *ddir;
			size_t nf;

			snprintf(rel, sizeof rel, "%.4s/%s", days[d], days[d]);
			ddir = journal_path(j, rel);
			if (fs_list_dir(ddir, store_is_host_file, NULL, false, &files, &nf) < 0) {
				free(ddir);
				continue;
			}
			for (size_t i = 0; i < nf && !stop; i++) {
				char host[STORE_HOST_MAX + 1];
				char *path;
				if (!store_file_host(files[i], host))
					continue;
				path = fs_join(ddir, files[i]);
				stop = fn(days[d], host, path, arg);
				free(path);
			}
			fs_free_names(files, nf);
			free(ddir);
		}
		fs_free_names(days, nd);
	}
	fs_free_names(years, ny);
	return 0;
}

int store_file_last_seq(const char *path, int64_t *seq)
{
	int fd = store_open_record_file(path);
	char hash[REC_HASH_LEN + 1];
	struct stat st;
	int rc;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		errset_sys("%s", path);
		close(fd);
		return -1;
	}
	rc = store_last_record(fd, st.st_size, seq, hash, NULL);
	if (rc < 0)
		errprefix("%s", path);
	close(fd);
	return rc;
}

static int cmp_head(const void *a, const void *b)
{
	return strcmp(((const struct store_head *)a)->host, ((const struct store_head *)b)->host);
}

static bool has_head(const struct store_head *v, size_t n, const char *host)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].host, host))
			return true;
	return false;
}

/* the last record of one host's file into v[*n] when it has one */
static void add_head(const char *path, const char *host, struct store_head **v, size_t *n)
{
	int fd = store_open_record_file(path);
	struct stat st;
	struct store_head h = { 0 };

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && store_last_record(fd, st.st_size, &h.seq, h.hash, NULL) == 1) {
		snprintf(h.host, sizeof h.host, "%s", host);
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[(*n)++] = h;
	}
	close(fd);
}

struct heads_ctx {
	const char *except;
	struct store_head **v;
	size_t *n;
};

static int head_of_file(const char *day, const char *host, const char *path, void *arg)
{
	struct heads_ctx *c = arg;

	(void)day;
	/* newest day first: the first file found of a host is its newest */
	if (strcmp(host, c->except) && !has_head(*c->v, *c->n, host))
		add_head(path, host, c->v, c->n);
	return 0;
}

int store_heads(const struct journal *j, const char *except, struct store_head **out, size_t *n)
{
	struct heads_ctx c = { except, out, n };

	*out = NULL;
	*n = 0;
	if (store_each_file(j, STORE_HEADS_DAYS, head_of_file, &c) < 0)
		return -1;
	if (*n > 1)
		qsort(*out, *n, sizeof **out, cmp_head);
	return 0;
}

int store_list_day_files(struct journal *j, struct store_days *out)
{
	return store_list_days_in(j, NULL, NULL, false, out);
}

void store_days_free(struct store_days *d)
{
	store_warnings_free(&d->warnings);
	for (size_t i = 0; i < d->n; i++) {
		fs_free_names(d->days[i].hosts, d->days[i].n);
		free(d->days[i].counts);
	}
	free(d->days);
	memset(d, 0, sizeof *d);
}
