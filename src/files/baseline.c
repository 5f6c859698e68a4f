/*
 * baseline: the walk of the watched files, the index of their stat data
 * and hashes, the content-addressed objects, and the first_seen of the
 * pending changes.  See baseline.h for the files and their formats.
 *
 * Invariants:
 *  - nothing here follows a symlink: every open is relative to a
 *    directory descriptor that was itself opened with O_NOFOLLOW;
 *  - nothing but a regular file is ever opened for reading, and only
 *    after lstat said so, with O_NONBLOCK (a FIFO swapped in cannot
 *    block) and a check with fstat before the first read;
 *  - the content of a sensitive file is never written anywhere: it is
 *    hashed while being read and the bytes are dropped;
 *  - the index names an object only once the object is on disk.
 *
 * This file holds the public functions of baseline.h: each loads the
 * state (baseline-state.c), walks (baseline-walk.c, with the threads of
 * baseline-pool.c for a scan) or captures single files
 * (baseline-capture.c), then applies what it found to the index and the
 * objects (baseline-object.c) under the lock.  baseline-int.h lists the
 * pieces.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "files/baseline-int.h"
#include "files/baseline.h"
#include "base/banned.h"

/* how long a scan waits for the lock of the baseline */
#define SCAN_LOCK_WAIT_MS 2000

unsigned baseline_lock_timeout = 60;
unsigned baseline_threads;
void (*baseline_test_hook)(const char *path, int when);

/* a path as messages show it: control characters, '\' and bytes that are not UTF-8 escaped */
static void add_shown(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);

	while (len > 0) {
		uint32_t cp;
		size_t n = utf8_decode(p, len, &cp);

		if (n == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			if (n == 0)
				n = 1;
			if (n == 1 && *p == '\n')
				buf_adds(b, "\\n");
			else if (n == 1 && *p == '\t')
				buf_adds(b, "\\t");
			else
				for (size_t i = 0; i < n; i++)
					buf_addf(b, "\\x%02x", p[i]);
		} else if (cp == '\\') {
			buf_adds(b, "\\\\");
		} else {
			buf_add(b, p, n);
		}
		p += n;
		len -= n;
	}
}

void baseline_show_path(struct buf *out, const char *path)
{
	add_shown(out, path);
}

static char *shown(const char *path)
{
	struct buf b = BUF_INIT;

	add_shown(&b, path);
	return buf_detach(&b, NULL);
}

void baseline_warn_addf(struct store_warnings *w, const char *path, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (!w)
		return;
	add_shown(&b, path);
	buf_adds(&b, ": ");
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	w->msgs = xreallocarray(w->msgs, w->n + 1, sizeof *w->msgs);
	w->msgs[w->n++] = buf_detach(&b, NULL);
}

static struct entry *find_in(struct entry *v, size_t n, const char *path)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid].path, path);
		if (c == 0)
			return &v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void add_dropped(char ***dropped, size_t *n, const char *hash)
{
	*dropped = xreallocarray(*dropped, *n + 1, sizeof **dropped);
	(*dropped)[(*n)++] = xstrdup(hash);
}

/*
 * Apply wk->updates to the index (type 0: drop the entry), drop the
 * entries drop() names, sync the new objects, write the index, then
 * remove the objects no entry names any more.  With the lock held.
 */
static int apply_and_write(struct walk *wk, bool (*drop)(struct walk *, const struct entry *))
{
	struct index *idx = &wk->idx;
	size_t n0 = idx->n, ndropped = 0, out = 0;
	char **dropped = NULL;
	int rc = 0;

	for (size_t i = 0; i < wk->nupdates; i++) {
		struct entry *u = &wk->updates[i];
		struct entry *e = find_in(idx->v, n0, u->path);

		if (e && e->path) {
			if (e->st.stored && (!u->st.stored || strcmp(e->st.hash, u->st.hash)))
				add_dropped(&dropped, &ndropped, e->st.hash);
			fstate_release(&e->st);
			e->st = u->st;
			u->st.target = NULL;
			e->matched = true;
			/* an entry to drop keeps its path until the sort below is done */
		} else if (u->st.type) {
			if (idx->n == idx->alloc) {
				idx->alloc = idx->alloc ? idx->alloc * 2 : 1024;
				idx->v = xreallocarray(idx->v, idx->alloc, sizeof *idx->v);
			}
			idx->v[idx->n].path = u->path;
			idx->v[idx->n].st = u->st;
			idx->v[idx->n].matched = true;
			idx->v[idx->n].owned = true;
			idx->n++;
			u->path = NULL;
			u->st.target = NULL;
		}
	}
	for (size_t i = 0; i < idx->n; i++) {
		struct entry *e = &idx->v[i];
		bool gone = !e->st.type || (drop && drop(wk, e));

		if (gone) {
			if (e->st.stored)
				add_dropped(&dropped, &ndropped, e->st.hash);
			baseline_entry_free(e);
			continue;
		}
		idx->v[out++] = *e;
	}
	idx->n = out;
	sort_array(idx->v, idx->n, sizeof *idx->v, baseline_cmp_entry);
	if (wk->objects_written)
		rc = baseline_objects_sync(wk->j);
	if (rc == 0)
		rc = baseline_index_write(wk->j, idx);
	if (rc == 0)
		baseline_objects_gc(wk->j, idx, dropped, ndropped);
	for (size_t i = 0; i < ndropped; i++)
		free(dropped[i]);
	free(dropped);
	return rc;
}

static int cmp_msg(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- scan ---- */

static int cmp_change(const void *a, const void *b)
{
	return strcmp(((const struct change *)a)->path, ((const struct change *)b)->path);
}

static bool odd_name(const char *path)
{
	return strchr(path, '\n') || !utf8_valid(path, strlen(path));
}

static bool drop_orphan(struct walk *wk, const struct entry *e)
{
	return !watch_watched(wk->w, e->path);
}

int baseline_scan(struct journal *j, const struct watch_list *w, struct changes *out)
{
	struct walk wk;
	struct seen fresh = { 0 };
	bool seen_differs;
	int64_t now_us = day_now_us();

	memset(out, 0, sizeof *out);
	baseline_walk_init(&wk, j, w, WALK_SCAN);
	wk.skipped = &out->skipped;
	wk.notes = &out->notes;
	if (baseline_index_load(j, &wk.idx) < 0) {
		baseline_walk_release(&wk);
		return -1;
	}
	baseline_seen_load(j, &wk.seen);
	baseline_walk_threads(&wk);

	/* what the walk did not meet is deleted, unless unwatched or not looked at */
	for (size_t i = 0; i < wk.idx.n; i++) {
		struct entry *e = &wk.idx.v[i];
		if (e->matched || baseline_is_kept(&wk, e->path) || !watch_watched(w, e->path))
			continue;
		baseline_add_change(&wk, e->path, CH_DELETED, &e->st, NULL);
	}
	sort_array(wk.changes, wk.nchanges, sizeof *wk.changes, cmp_change);

	/* date the changes: a change seen before keeps its time */
	fresh.v = xcalloc(wk.nchanges + 1, sizeof *fresh.v);
	seen_differs = wk.nchanges != wk.seen.n;
	for (size_t i = 0; i < wk.nchanges; i++) {
		struct change *c = &wk.changes[i];
		struct seen_entry *s = baseline_seen_find(&wk.seen, c->path);
		struct seen_entry *f = &fresh.v[fresh.n++];

		if (s && baseline_same_change(s, c->what, &c->new)) {
			c->first_seen = s->first_seen;
			if (s->st.mtime_ns != c->new.mtime_ns || s->st.ctime_ns != c->new.ctime_ns ||
			    s->st.ino != c->new.ino || s->st.size != c->new.size)
				seen_differs = true;
		} else {
			c->first_seen = now_us;
			seen_differs = true;
		}
		f->path = c->path;
		f->first_seen = c->first_seen;
		f->what = c->what;
		f->st = c->new;
		f->st.target = NULL;
		if (odd_name(c->path))
			baseline_warn_addf(&out->notes, c->path, "%s: tracked; shown here with escapes",
				  strchr(c->path, '\n') ? "a name with a newline" : "a name that is not UTF-8");
	}

	/* the threads' order is not the paths': sort what was said */
	sort_array(out->skipped.msgs, out->skipped.n, sizeof *out->skipped.msgs, cmp_msg);
	sort_array(out->notes.msgs, out->notes.n, sizeof *out->notes.msgs, cmp_msg);

	/* keep what was learnt: refreshed stat data, the dates of the changes */
	if (wk.nupdates > 0 || seen_differs) {
		/* a scan only refreshes caches: it does not wait long for a writer */
		int lock = baseline_lock(j, SCAN_LOCK_WAIT_MS);
		unsigned long long gen;

		if (lock >= 0 && baseline_index_generation(j, &gen) == 0 && gen == wk.idx.generation) {
			if (wk.nupdates > 0)
				apply_and_write(&wk, drop_orphan);
			if (seen_differs)
				baseline_seen_write(j, &fresh);
		}
		baseline_unlock(lock);
	}
	free(fresh.v);

	out->v = wk.changes;
	out->n = wk.nchanges;
	out->files = wk.files;
	out->hashed = wk.hashed;
	wk.changes = NULL;
	wk.nchanges = 0;
	baseline_walk_release(&wk);
	return 0;
}

/* ---- take, rewatch ---- */

static bool drop_taken(struct walk *wk, const struct entry *e)
{
	if (wk->mode == WALK_TAKE) {
		if (!holds(wk->limit, e->path))
			return false;
		if (!watch_watched(wk->w, e->path))
			return true;
		return !e->matched && !baseline_is_kept(wk, e->path);
	}
	/* rewatch */
	if (!watch_watched(wk->w, e->path))
		return true;
	if (!watch_watched(wk->before, e->path))
		return !e->matched && !baseline_is_kept(wk, e->path);
	return false;
}

/* the pending changes of the paths a take or rewatch decided on are forgotten */
static int forget_seen(struct walk *wk)
{
	size_t out = 0;
	bool changed = false;

	for (size_t i = 0; i < wk->seen.n; i++) {
		struct seen_entry *s = &wk->seen.v[i];
		bool forget;

		if (wk->mode == WALK_TAKE)
			forget = holds(wk->limit, s->path);
		else
			forget = !watch_watched(wk->w, s->path) || !watch_watched(wk->before, s->path);
		if (forget) {
			free(s->path);
			changed = true;
			continue;
		}
		wk->seen.v[out++] = *s;
	}
	wk->seen.n = out;
	return changed ? baseline_seen_write(wk->j, &wk->seen) : 0;
}

static int take(struct journal *j, const struct watch_list *w, const struct watch_list *before,
		const char *limit, struct store_warnings *skipped, size_t *taken)
{
	struct walk wk;
	int lock, rc = -1;

	baseline_walk_init(&wk, j, w, before ? WALK_REWATCH : WALK_TAKE);
	wk.before = before;
	wk.limit = limit;
	wk.skipped = skipped;
	lock = baseline_lock(j, baseline_lock_timeout * 1000);
	if (lock < 0)
		goto out;
	baseline_walk_objects(&wk);
	if (baseline_index_load(j, &wk.idx) < 0)
		goto out;
	baseline_seen_load(j, &wk.seen);
	baseline_walk_all(&wk, limit);
	if (wk.fatal)
		goto out;
	if (taken)
		*taken = wk.nupdates;
	if (apply_and_write(&wk, drop_taken) < 0 || forget_seen(&wk) < 0)
		goto out;
	rc = 0;
out:
	baseline_unlock(lock);
	baseline_walk_release(&wk);
	return rc;
}

int baseline_take(struct journal *j, const struct watch_list *w, const char *path)
{
	char *norm = watch_normalize(path);
	int rc;

	if (!norm) {
		errprefix("%s", path);
		return -1;
	}
	rc = take(j, w, NULL, norm, NULL, NULL);
	free(norm);
	return rc;
}

int baseline_rewatch(struct journal *j, const struct watch_list *before, const struct watch_list *after,
		     struct store_warnings *skipped, size_t *taken)
{
	if (taken)
		*taken = 0;
	return take(j, after, before, NULL, skipped, taken);
}

/* ---- accept ---- */

int baseline_accept(struct journal *j, const struct change *const *which, size_t n)
{
	struct walk wk;
	int lock, rc = -1;

	baseline_walk_init(&wk, j, NULL, WALK_ACCEPT);
	lock = baseline_lock(j, baseline_lock_timeout * 1000);
	if (lock < 0)
		goto out;
	baseline_walk_objects(&wk);
	if (baseline_index_load(j, &wk.idx) < 0)
		goto out;
	baseline_seen_load(j, &wk.seen);
	for (size_t i = 0; i < n; i++) {
		const struct change *c = which[i];
		struct fstate now;
		struct seen_entry *s;

		if (!c->new.type) {
			baseline_add_update(&wk, c->path, NULL);
		} else {
			int cap = baseline_capture_path(&wk, c->path, c->new.sensitive, &now);

			if (cap == CAP_FATAL)
				goto out;
			if (cap == CAP_OK && now.type == c->new.type && !strcmp(now.hash, c->new.hash) &&
			    now.mode == c->new.mode && now.uid == c->new.uid && now.gid == c->new.gid) {
				baseline_add_update(&wk, c->path, &now);
			} else {
				/* changed again since the scan: the baseline is what the scan saw */
				struct fstate saw;
				fstate_copy(&saw, &c->new);
				saw.stale = true;
				saw.stored = saw.type == 'f' && !saw.sensitive && baseline_object_exists(j, saw.hash);
				baseline_add_update(&wk, c->path, &saw);
				fstate_release(&saw);
			}
			if (cap == CAP_OK)
				fstate_release(&now);
		}
		s = baseline_seen_find(&wk.seen, c->path);
		if (s)
			s->what = 0;	/* forgotten below */
	}
	if (apply_and_write(&wk, NULL) < 0)
		goto out;
	{
		size_t out_n = 0;
		bool changed = false;
		for (size_t i = 0; i < wk.seen.n; i++) {
			if (wk.seen.v[i].what == 0) {
				free(wk.seen.v[i].path);
				changed = true;
				continue;
			}
			wk.seen.v[out_n++] = wk.seen.v[i];
		}
		wk.seen.n = out_n;
		if (changed && baseline_seen_write(j, &wk.seen) < 0)
			goto out;
	}
	rc = 0;
out:
	baseline_unlock(lock);
	baseline_walk_release(&wk);
	return rc;
}

/* ---- contents ---- */

static int read_verified(int fd, size_t max, const char *want, const char *what, struct buf *out)
{
	char hash[65];
	size_t start = out->len;

	if (fs_read_fd(fd, out, max) < 0) {
		if (errno == EFBIG)
			errset("%s: larger than %zu bytes", what, max);
		else
			errset_sys("%s", what);
		buf_truncate(out, start);
		return -1;
	}
	baseline_hash_bytes(out->data ? out->data + start : "", out->len - start, hash);
	if (strcmp(hash, want)) {
		buf_truncate(out, start);
		return 1;
	}
	return 0;
}

int baseline_old_content(struct journal *j, const struct change *c, struct buf *out, struct buf *tags)
{
	char *rel, *path, *where = shown(c->path);
	int fd, rc = -1;

	if (c->old.type != 'f') {
		errset("%s: %s", where, c->old.type ? "not a regular file" : "no old version");
		goto out0;
	}
	if (c->old.sensitive || c->new.sensitive) {
		errset("%s: sensitive: tracked by hash only", where);
		goto out0;
	}
	if (!c->old.stored) {
		errset("%s: the old content was not kept%s", where,
		       c->old.size > BASELINE_STORE_MAX ? " (larger than 64 MiB)" : "");
		goto out0;
	}
	rel = baseline_object_rel(c->old.hash);
	if (!rel) {
		errset("%s: the old content: a damaged hash in the baseline's index", where);
		goto out0;
	}
	path = journal_path(j, rel);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		errset_sys("%s: the old content: %s", where, path);
	} else {
		int v = baseline_object_read(fd, c->old.hash, path, out, tags);
		if (v > 0)
			errset("%s: the old content: %s is damaged (its hash differs)", where, path);
		rc = v == 0 ? 0 : -1;
		close(fd);
	}
	free(path);
	free(rel);
out0:
	free(where);
	return rc;
}

int baseline_new_content(const struct change *c, size_t max, struct buf *out)
{
	char *where = shown(c->path);
	const char *name;
	bool private;
	struct stat st;
	int dfd = -1, fd = -1, rc = -1;

	if (c->new.type != 'f') {
		errset("%s: %s", where, c->new.type ? "not a regular file" : "deleted");
		goto out;
	}
	if (c->old.sensitive || c->new.sensitive) {
		errset("%s: sensitive: tracked by hash only", where);
		goto out;
	}
	if (max && c->new.size > (off_t)max) {
		errset("%s: larger than %zu bytes", where, max);
		goto out;
	}
	dfd = baseline_open_parent(c->path, &name, &private, NULL);
	if (dfd < 0) {
		errset_sys("%s", where);
		goto out;
	}
	fd = baseline_open_regular(dfd, name, &st);
	if (fd < 0) {
		if (errno == ENODEV)
			errset("%s: changed since the scan (scan again)", where);
		else
			errset_sys("%s", where);
		goto out;
	}
	if (private || mode_private(&st)) {
		errset("%s: changed since the scan (scan again)", where);
		goto out;
	}
	rc = read_verified(fd, max, c->new.hash, where, out);
	if (rc > 0) {
		errset("%s: changed since the scan (scan again)", where);
		rc = -1;
	}
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	free(where);
	return rc;
}

long baseline_count(struct journal *j, const char *path)
{
	struct index idx;
	long n = 0;

	if (baseline_index_load(j, &idx) < 0)
		return -1;
	for (size_t i = 0; i < idx.n; i++)
		if (holds(path, idx.v[i].path))
			n++;
	baseline_index_free(&idx);
	return n;
}

void changes_free(struct changes *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].path);
		fstate_release(&c->v[i].old);
		fstate_release(&c->v[i].new);
	}
	free(c->v);
	store_warnings_free(&c->skipped);
	store_warnings_free(&c->notes);
	memset(c, 0, sizeof *c);
}
