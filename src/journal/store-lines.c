/*
 * store-lines: the record files' line counts and damaged package lines,
 * through a cache per account (see store-lines.h).
 *
 * The cache, .state/lines/<uid>, in the order of the walk (newest day
 * first, hosts by name):
 *
 *   logbook-lines 1
 *   <file> <inode> <size> <lines> <damaged>
 *
 * <file> relative to the journal, <size> the end of its last complete
 * line when it was read, <lines> the complete lines up to there,
 * <damaged> 1 when one of them names a package, an inventory or an
 * advisory and does not parse.  A line of another shape makes the whole
 * cache unread (it is built again).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "journal/record.h"
#include "journal/store-int.h"
#include "journal/store-lines.h"
#include "base/banned.h"

#define LINES_MAGIC "logbook-lines 1\n"
/* about 60 bytes a file, 15 files a day for ten years is 3 MB */
#define LINES_MAX (256 * 1024 * 1024)

struct entry {
	char *rel;
	unsigned long long inode, size, lines;
	bool damaged;
};

struct cache {
	struct entry *v;	/* as read, in the walk's order */
	size_t n, next;		/* next: where the walk's next file is expected */
	struct entry **sorted;	/* by name, made on the first file not found at next */
	struct entry *fresh;	/* what this walk saw, written back */
	size_t nfresh;
	bool changed;
	uid_t euid;
	gid_t *groups;
	int ngroups;
};

static void cache_release(struct cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].rel);
	for (size_t i = 0; i < c->nfresh; i++)
		free(c->fresh[i].rel);
	free(c->v);
	free(c->sorted);
	free(c->fresh);
	free(c->groups);
}

static char *cache_rel(void)
{
	return xasprintf(STORE_LINES_DIR "/%lu", (unsigned long)geteuid());
}

static bool parse_entry(const char *p, size_t len, struct entry *e)
{
	char *s = xstrndup(p, len), *sp = strchr(s, ' '), *end;
	unsigned long long v[4];

	if (!sp || sp == s)
		goto bad;
	end = sp;
	for (size_t i = 0; i < 4; i++) {
		if (*end != ' ' || end[1] < '0' || end[1] > '9')
			goto bad;
		errno = 0;
		v[i] = strtoull(end + 1, &end, 10);
		if (errno)
			goto bad;
	}
	if (*end || v[3] > 1)
		goto bad;
	*sp = '\0';
	e->rel = s;
	e->inode = v[0];
	e->size = v[1];
	e->lines = v[2];
	e->damaged = v[3];
	return true;
bad:
	free(s);
	return false;
}

/* this account's own cache; an empty one when there is none that reads (fs.h: never a link, never another's) */
static void cache_read(const struct journal *j, struct cache *c)
{
	char *rel = cache_rel();
	int fd = fs_open_below(j->dir, rel, O_RDONLY, 0, 0);
	struct buf b = BUF_INIT;
	size_t cap = 0;

	free(rel);
	if (fd < 0)
		return;
	if (fs_read_fd(fd, &b, LINES_MAX) == 0 && b.len >= strlen(LINES_MAGIC) &&
	    !memcmp(b.data, LINES_MAGIC, strlen(LINES_MAGIC))) {
		const char *p = b.data + strlen(LINES_MAGIC), *end = b.data + b.len;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			if (c->n == cap) {
				cap = cap ? cap * 2 : 4096;
				c->v = xreallocarray(c->v, cap, sizeof *c->v);
			}
			if (!nl || !parse_entry(p, (size_t)(nl - p), &c->v[c->n])) {
				for (size_t i = 0; i < c->n; i++)
					free(c->v[i].rel);
				c->n = 0;
				break;
			}
			c->n++;
			p = nl + 1;
		}
	}
	close(fd);
	buf_release(&b);
}

static void cache_write(const struct journal *j, const struct cache *c)
{
	char *rel = cache_rel();
	struct buf b = BUF_INIT;
	int dfd = fs_dir_below(j->dir, STORE_LINES_DIR, FS_BELOW_MKDIRS | FS_BELOW_CHMOD, journal_dir_mode(j));

	/* a disposable cache: failing to keep it costs the next reader the files again, nothing more */
	if (dfd >= 0) {
		close(dfd);
		buf_adds(&b, LINES_MAGIC);
		for (size_t i = 0; i < c->nfresh; i++) {
			const struct entry *e = &c->fresh[i];
			buf_addf(&b, "%s %llu %llu %llu %d\n", e->rel, e->inode, e->size, e->lines, e->damaged);
		}
		(void)fs_write_atomic_below(j->dir, rel, b.data, b.len, 0600, FS_ATOMIC_NO_SYNC);
	}
	free(rel);
	buf_release(&b);
}

static int cmp_sorted(const void *a, const void *b)
{
	return strcmp((*(struct entry *const *)a)->rel, (*(struct entry *const *)b)->rel);
}

static const struct entry *cache_find(struct cache *c, const char *rel)
{
	struct entry key = { .rel = (char *)rel }, *k = &key, **found;

	if (c->next < c->n && !strcmp(c->v[c->next].rel, rel))
		return &c->v[c->next++];
	if (!c->n)
		return NULL;
	if (!c->sorted) {
		c->sorted = xcalloc(c->n, sizeof *c->sorted);
		for (size_t i = 0; i < c->n; i++)
			c->sorted[i] = &c->v[i];
		qsort(c->sorted, c->n, sizeof *c->sorted, cmp_sorted);
	}
	found = bsearch(&k, c->sorted, c->n, sizeof *c->sorted, cmp_sorted);
	if (!found)
		return NULL;
	c->next = (size_t)(*found - c->v) + 1;
	return *found;
}

/* whether this account may read a file of st's owner and mode (root may read any) */
static bool may_read(const struct cache *c, const struct stat *st)
{
	if (c->euid == 0)
		return true;
	if (st->st_uid == c->euid)
		return st->st_mode & S_IRUSR;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == st->st_gid)
			return st->st_mode & S_IRGRP;
	return st->st_mode & S_IROTH;
}

/* whether a line of data (complete lines) that names a package, an inventory or an advisory does not parse */
static bool damaged_package_line(const char *data, size_t len)
{
	static const char *const words[] = { "\"package\"", "\"inventory\"", "\"advisory\"" };

	/* each word sought through the whole text (most lines hold none), then its line parsed */
	for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
		size_t wl = strlen(words[w]);
		const char *p = data, *end = data + len, *hit;
		while (p < end && (hit = memmem(p, (size_t)(end - p), words[w], wl))) {
			const char *start = memrchr(data, '\n', (size_t)(hit - data));
			const char *nl = memchr(hit, '\n', (size_t)(end - hit));
			struct record *r;
			start = start ? start + 1 : data;
			if (!(r = rec_parse(start, (size_t)(nl - start), false)))
				return true;
			rec_free(r);
			p = nl + 1;
		}
	}
	return false;
}

/* the complete lines of fd from e->size on, into e; -1 and errget() on a read error */
static int read_from(int fd, const char *path, struct entry *e)
{
	struct buf b = BUF_INIT;
	const char *p, *end, *nl;

	if (lseek(fd, (off_t)e->size, SEEK_SET) < 0 || fs_read_fd(fd, &b, 0) < 0) {
		errset_sys("%s", path);
		buf_release(&b);
		return -1;
	}
	p = buf_str(&b);
	/* the complete lines only: a torn last line is read again when it is whole */
	end = b.len ? memrchr(p, '\n', b.len) : NULL;
	end = end ? end + 1 : p;
	for (const char *q = p; q < end && (nl = memchr(q, '\n', (size_t)(end - q))); q = nl + 1)
		e->lines++;
	if (!e->damaged)
		e->damaged = damaged_package_line(p, (size_t)(end - p));
	e->size += (unsigned long long)(end - p);
	buf_release(&b);
	return 0;
}

/*
 * The file rel (at path, name in the directory dfd) into out: from the
 * cache when it did not change, its new lines read when it grew.  -1 and
 * errget() when it does not open (the store's message).
 */
static int see_file(struct cache *c, const char *rel, int dfd, const char *name, const char *path,
		    struct entry *out)
{
	const struct entry *old = cache_find(c, rel);
	struct stat st;
	int fd;

	memset(out, 0, sizeof *out);
	if (old && fstatat(dfd, dfd == AT_FDCWD ? path : name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) && may_read(c, &st) && old->inode == (unsigned long long)st.st_ino &&
	    old->size <= (unsigned long long)st.st_size) {
		*out = *old;
		out->rel = xstrdup(rel);
		if (old->size == (unsigned long long)st.st_size)
			return 0;
	}
	/* new, grown, replaced, or not what a reader opens: as the store reads it */
	if ((fd = store_open_record_file(path)) < 0)
		goto fail;
	if (fstat(fd, &st) < 0) {
		errset_sys("%s", path);
		close(fd);
		goto fail;
	}
	if (!out->rel || out->inode != (unsigned long long)st.st_ino || out->size > (unsigned long long)st.st_size) {
		free(out->rel);
		memset(out, 0, sizeof *out);
		out->rel = xstrdup(rel);
		out->inode = (unsigned long long)st.st_ino;
	}
	c->changed = true;
	if (read_from(fd, path, out) < 0) {
		close(fd);
		goto fail;
	}
	close(fd);
	return 0;
fail:
	free(out->rel);
	memset(out, 0, sizeof *out);
	c->changed = true;
	return -1;
}

static void add_fresh(struct cache *c, const struct entry *e, size_t *cap)
{
	if (c->nfresh == *cap) {
		*cap = *cap ? *cap * 2 : 4096;
		c->fresh = xreallocarray(c->fresh, *cap, sizeof *c->fresh);
	}
	c->fresh[c->nfresh++] = *e;
}

/* one day directory's files into out (a new day when it has any); false when one did not read */
static bool see_day(struct journal *j, struct cache *c, const char *day, struct store_days *out, size_t *cap)
{
	char rel[DAY_LEN + 6 + STORE_HOST_MAX + 8], *ddir, **files;
	struct store_day_hosts *h;
	size_t nf;
	bool clean = true;
	int dfd;

	snprintf(rel, sizeof rel, "%.4s/%s", day, day);
	ddir = journal_path(j, rel);
	if (fs_list_dir(ddir, store_is_host_file, NULL, false, &files, &nf) < 0 || nf == 0) {
		free(ddir);
		return true;
	}
	/* a name in the day's directory is looked up faster than a whole path */
	if ((dfd = open(ddir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		dfd = AT_FDCWD;
	out->days = xreallocarray(out->days, out->n + 1, sizeof *out->days);
	h = &out->days[out->n++];
	memcpy(h->day, day, DAY_LEN + 1);
	h->n = nf;
	h->hosts = xcalloc(nf, sizeof *h->hosts);
	h->counts = xcalloc(nf, sizeof *h->counts);
	for (size_t i = 0; i < nf; i++) {
		char *path = fs_join(ddir, files[i]);
		struct entry e;
		snprintf(rel, sizeof rel, "%.4s/%s/%s", day, day, files[i]);
		h->hosts[i] = xstrndup(files[i], strlen(files[i]) - strlen(".jsonl"));
		if (see_file(c, rel, dfd, files[i], path, &e) < 0) {
			store_warn_add(&out->warnings, xstrdup(errget()));
			clean = false;
		} else {
			h->counts[i] = (size_t)e.lines;
			clean = clean && !e.damaged;
			add_fresh(c, &e, cap);
		}
		free(path);
	}
	if (dfd != AT_FDCWD)
		close(dfd);
	fs_free_names(files, nf);
	free(ddir);
	return clean;
}

int store_lines_days(struct journal *j, struct store_days *out, bool *clean)
{
	struct cache c = { .euid = geteuid() };
	char **years = NULL, **days = NULL;
	size_t ny = 0, nd = 0, cap = 0;
	int rc = 0;

	memset(out, 0, sizeof *out);
	*clean = true;
	if (fs_list_dir(j->dir, store_is_year, NULL, true, &years, &ny) < 0)
		return -1;
	c.ngroups = getgroups(0, NULL);
	c.groups = xcalloc(c.ngroups > 0 ? (size_t)c.ngroups + 1 : 1, sizeof *c.groups);
	c.ngroups = c.ngroups > 0 ? getgroups(c.ngroups, c.groups) : 0;
	if (c.ngroups < 0)
		c.ngroups = 0;
	c.groups[c.ngroups++] = getegid();
	cache_read(j, &c);
	for (size_t y = 0; y < ny && !rc; y++) {
		char *ydir = journal_path(j, years[y]);
		rc = fs_list_dir(ydir, store_is_day_of, years[y], true, &days, &nd);
		free(ydir);
		for (size_t d = 0; d < nd && !rc; d++)
			if (!see_day(j, &c, days[d], out, &cap))
				*clean = false;
		fs_free_names(days, nd);
		days = NULL;
		nd = 0;
	}
	fs_free_names(years, ny);
	if (rc < 0) {
		store_days_free(out);
		cache_release(&c);
		return -1;
	}
	if (c.changed || c.nfresh != c.n)
		cache_write(j, &c);
	cache_release(&c);
	return 0;
}
