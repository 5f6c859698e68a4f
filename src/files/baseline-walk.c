/*
 * baseline-walk: the walk of the watched trees.  A struct walk gathers
 * what a scan, take, rewatch or accept finds (changes, new index
 * entries, what was skipped and why); the caller applies it.
 *
 * Invariants:
 *  - a directory is opened with O_NOFOLLOW relative to its parent's
 *    descriptor and checked with fstat against what was listed: a
 *    directory swapped for a symlink mid-scan is not followed;
 *  - a directory already on the chain above (a bind mount) and the
 *    journal's own directory are never walked;
 *  - the names of a directory are visited in strcmp order, so the index
 *    entries under it are met in order too (find_entry's cursor);
 *  - what could not be looked at is kept (keep_path): its entries are
 *    neither changed nor deleted.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "files/baseline-int.h"
#include "files/baseline.h"
#include "base/banned.h"

/*
 * Now, on the clock the kernel stamps files with: the coarse clock, one
 * tick behind the precise one, so that a file changed after this moment
 * never gets an older mtime or ctime than this.
 */
static int64_t fs_clock_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME_COARSE, &ts) < 0)
		clock_gettime(CLOCK_REALTIME, &ts);
	return ts_ns(&ts);
}

/* the stat data say the file is as recorded (git's ie_match_stat, without st_dev) */
static bool stat_match(const struct fstate *s, const struct stat *st)
{
	char type = S_ISREG(st->st_mode) ? 'f' : S_ISLNK(st->st_mode) ? 'l' : 0;

	return s->type == type && s->size == st->st_size && s->mtime_ns == ts_ns(&st->st_mtim) &&
	       s->ctime_ns == ts_ns(&st->st_ctim) && s->ino == st->st_ino &&
	       s->mode == (st->st_mode & 07777) && s->uid == st->st_uid && s->gid == st->st_gid;
}

/* changed in the clock tick its hash was taken in, or later: equal stat data prove nothing */
static bool racy(const struct fstate *s)
{
	return s->mtime_ns >= s->verified_ns || s->ctime_ns >= s->verified_ns;
}

static void keep_path(struct walk *wk, const char *path)
{
	wk->kept = xreallocarray(wk->kept, wk->nkept + 1, sizeof *wk->kept);
	wk->kept[wk->nkept++] = xstrdup(path);
}

bool baseline_is_kept(const struct walk *wk, const char *path)
{
	for (size_t i = 0; i < wk->nkept; i++)
		if (holds(wk->kept[i], path))
			return true;
	return false;
}

void baseline_add_update(struct walk *wk, const char *path, const struct fstate *st)
{
	struct entry *e;

	if (wk->nupdates == wk->updates_alloc) {
		wk->updates_alloc = wk->updates_alloc ? wk->updates_alloc * 2 : 64;
		wk->updates = xreallocarray(wk->updates, wk->updates_alloc, sizeof *wk->updates);
	}
	e = &wk->updates[wk->nupdates++];
	memset(e, 0, sizeof *e);
	e->path = xstrdup(path);
	if (st)
		fstate_copy(&e->st, st);
}

/*
 * A sensitive pattern matches path itself (the directories above are in
 * "private").  For a name met in a directory, baseline_walk_fd has just decided it
 * (child_sensitive, for wk->path); a start or a file of accept is checked
 * here.
 */
static bool own_sensitive(const struct walk *wk, const char *path)
{
	if (!wk->w)
		return false;
	if (wk->child_known && path == wk->path.data)
		return wk->child_sensitive;
	for (size_t i = 0; i < wk->w->nsensitive; i++)
		if (watch_match(wk->w->sensitive[i], path))
			return true;
	return false;
}

/*
 * private: a directory above cannot be entered by group or others, or
 * matches a sensitive pattern; then the file's mode, then its own name
 */
bool baseline_sensitive_now(const struct walk *wk, const char *path, const struct stat *st, bool private)
{
	return private || mode_private(st) || own_sensitive(wk, path);
}

/*
 * The index entry of path.  Under a directory being walked, the names
 * come in strcmp order and so do the entries under [rlo, rhi): a cursor
 * (rlo) moves forward over the entries, each passed once per directory
 * above it, instead of a binary search from the top for every file.
 */
static struct entry *find_entry(struct walk *wk, const char *path)
{
	const char *name;

	if (!wk->rvalid)
		return baseline_index_find(&wk->idx, path);
	name = path + wk->rplen;
	while (wk->rlo < wk->rhi) {
		int c = strcmp(wk->idx.v[wk->rlo].path + wk->rplen, name);
		if (c == 0)
			return &wk->idx.v[wk->rlo++];
		if (c > 0)
			break;
		wk->rlo++;
	}
	return NULL;
}

static size_t lower_bound(const struct index *idx, size_t lo, size_t hi, const char *key);

/* lower_bound, for a key expected near lo: steps of 1, 2, 4... then a binary search */
static size_t gallop(const struct index *idx, size_t lo, size_t hi, const char *key)
{
	size_t step = 1, prev = lo;

	while (lo < hi && strcmp(idx->v[lo].path, key) < 0) {
		prev = lo + 1;
		lo = hi - lo > step ? lo + step : hi;
		step *= 2;
	}
	return lower_bound(idx, prev, lo, key);
}

/* the first entry of [lo, hi) not below key in strcmp order */
static size_t lower_bound(const struct index *idx, size_t lo, size_t hi, const char *key)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(idx->v[mid].path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- the walk ---- */

void baseline_add_change(struct walk *wk, const char *path, unsigned what, const struct fstate *old,
		       const struct fstate *new)
{
	struct change *c;

	if (wk->nchanges == wk->changes_alloc) {
		wk->changes_alloc = wk->changes_alloc ? wk->changes_alloc * 2 : 16;
		wk->changes = xreallocarray(wk->changes, wk->changes_alloc, sizeof *wk->changes);
	}
	c = &wk->changes[wk->nchanges++];
	memset(c, 0, sizeof *c);
	c->path = xstrdup(path);
	c->what = what;
	if (old)
		fstate_copy(&c->old, old);
	if (new)
		fstate_copy(&c->new, new);
	if (old && wk->w && watch_sensitive_name(wk->w, path))
		c->old.sensitive = true;
}

static unsigned compare(const struct fstate *old, const struct fstate *now)
{
	unsigned what = 0;

	if (!old || !old->type)
		return now->type ? CH_ADDED : 0;
	if (!now->type)
		return CH_DELETED;
	if (old->type != now->type)
		return CH_TYPE;
	if (strcmp(old->hash, now->hash))
		what |= old->type == 'f' ? CH_CONTENT : CH_TARGET;
	if (old->type == 'f' && old->mode != now->mode)
		what |= CH_MODE;
	if (old->uid != now->uid || old->gid != now->gid)
		what |= CH_OWNER;
	return what;
}

static void scan_file(struct walk *wk, int dfd, const char *name, const struct stat *st, bool private)
{
	const char *path = buf_str(&wk->path);
	struct entry *e = find_entry(wk, path);
	struct fstate now;
	bool fast = false, from_index = false;
	unsigned what;

	wk->files++;
	if (e && !e->st.stale && stat_match(&e->st, st) && !racy(&e->st)) {
		/* git's rule: same stat data, not racy: unchanged, not read */
		fstate_copy(&now, &e->st);
		now.sensitive = baseline_sensitive_now(wk, path, st, private);
		if (now.sensitive && now.type == 'l') {
			free(now.target);
			now.target = NULL;
		}
		fast = from_index = true;
	} else {
		struct seen_entry *s = S_ISREG(st->st_mode) ? baseline_seen_find(&wk->seen, path) : NULL;
		struct fstate pending;

		if (s && s->st.type == 'f' && s->st.hash[0]) {
			/* a pending change seen by the last scan, stat data unchanged since */
			pending = s->st;
			pending.target = NULL;
			pending.stale = false;
			if (stat_match(&pending, st) && !racy(&pending)) {
				now = pending;
				now.sensitive = baseline_sensitive_now(wk, path, st, private);
				now.stored = false;
				fast = true;
			}
		}
		if (!fast) {
			int rc = baseline_capture(wk, dfd, name, st, private, false, &now);
			if (rc == CAP_ABSENT)
				return;
			if (rc != CAP_OK) {
				if (e)
					e->matched = true;
				return;
			}
		}
	}
	if (e)
		e->matched = true;
	if (from_index) {
		/* the index's own state: nothing to compare but what depends on the rules of today */
		now.stored = e->st.stored && now.type == 'f' && !now.sensitive;
		if (e->st.sensitive != now.sensitive || e->st.stored != now.stored)
			baseline_add_update(wk, path, &now);
		fstate_release(&now);
		return;
	}
	/* the object of the baseline's content still holds an unchanged file's */
	now.stored = now.type == 'f' && !now.sensitive && e && e->st.stored && !strcmp(e->st.hash, now.hash);
	what = compare(e ? &e->st : NULL, &now);
	if (what) {
		baseline_add_change(wk, path, what, e ? &e->st : NULL, &now);
	} else if (e->st.sensitive != now.sensitive || e->st.stored != now.stored || e->st.stale ||
		   !stat_match(&e->st, st) || (racy(&e->st) && !racy(&now))) {
		/* unchanged, but what the index knows of it moved: refresh it, the baseline stays */
		baseline_add_update(wk, path, &now);
	}
	fstate_release(&now);
}

static void take_file(struct walk *wk, int dfd, const char *name, const struct stat *st, bool private)
{
	const char *path = buf_str(&wk->path);
	struct entry *e = find_entry(wk, path);
	struct fstate now;
	int rc;

	wk->files++;
	if (wk->mode == WALK_REWATCH && watch_watched(wk->before, path)) {
		/* watched before: its baseline and pending changes stay */
		if (e)
			e->matched = true;
		return;
	}
	rc = baseline_capture(wk, dfd, name, st, private, true, &now);
	if (rc == CAP_ABSENT || rc == CAP_FATAL)
		return;
	if (e)
		e->matched = true;
	if (rc != CAP_OK)
		return;
	baseline_add_update(wk, path, &now);
	fstate_release(&now);
}

static const char *special_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a regular file, symlink or directory";
}

static bool is_root(const struct watch_list *w, const char *path)
{
	size_t lo = 0, hi = w->npaths;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(w->paths[mid], path);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* a watched path is a child of the directory dir (its path without a trailing slash: "" for "/") */
static bool holds_a_root(const struct watch_list *w, const char *dir)
{
	size_t n = strlen(dir);

	for (size_t i = 0; i < w->npaths; i++) {
		const char *r = w->paths[i];
		if (!strncmp(r, dir, n) && r[n] == '/' && r[n + 1] && !strchr(r + n + 1, '/'))
			return true;
	}
	return false;
}

static bool match_excludes(const struct watch_list *w, const char *path)
{
	for (size_t i = 0; i < w->nexcludes; i++)
		if (watch_match(w->excludes[i], path))
			return true;
	return false;
}

static void visit(struct walk *wk, int dfd, const char *name, unsigned char type, bool private, bool start);

static void walk_dir(struct walk *wk, int dfd, const char *name, const struct stat *lst, bool private)
{
	const char *path = buf_str(&wk->path);
	struct stat st;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			baseline_warn_addf(wk->notes, path, "vanished during the scan");
			return;
		}
		keep_path(wk, path);
		if (errno == ENOTDIR || errno == ELOOP)
			baseline_warn_addf(wk->skipped, path, "changed type during the scan; scan again");
		else if (errno == EACCES || errno == EPERM)
			baseline_warn_addf(wk->skipped, path, "permission denied: not looked at");
		else
			baseline_warn_addf(wk->skipped, path, "%s", strerror(errno));
		return;
	}
	if (fstat(fd, &st) < 0 || (lst && (st.st_dev != lst->st_dev || st.st_ino != lst->st_ino))) {
		keep_path(wk, path);
		baseline_warn_addf(wk->skipped, path, "changed during the scan; scan again");
		close(fd);
		return;
	}
	if (wk->have_journal && st.st_dev == wk->journal_st.st_dev && st.st_ino == wk->journal_st.st_ino) {
		keep_path(wk, path);
		baseline_warn_addf(wk->notes, path, "the logbook journal itself: not watched");
		close(fd);
		return;
	}
	for (size_t i = 0; i < wk->depth; i++) {
		if (wk->stack[i].dev == st.st_dev && wk->stack[i].ino == st.st_ino) {
			keep_path(wk, path);
			baseline_warn_addf(wk->skipped, path, "a directory loop (a bind mount?): not walked again");
			close(fd);
			return;
		}
	}
	if (!baseline_pool_offer(wk, fd, &st, private))
		baseline_walk_fd(wk, fd, &st, private);
}

struct dname {
	const char *name;
	unsigned char type;	/* d_type: DT_UNKNOWN when the file system does not say */
};

static int cmp_dname(const void *a, const void *b)
{
	return strcmp(((const struct dname *)a)->name, ((const struct dname *)b)->name);
}

/* walk the open directory fd (wk->path is its path); closes fd */
void baseline_walk_fd(struct walk *wk, int fd, const struct stat *st, bool private)
{
	const char *path = buf_str(&wk->path);
	char dents[32768] __attribute__((aligned(8)));
	struct buf text = BUF_INIT;
	size_t *offs = NULL;
	unsigned char *types = NULL;
	struct dname *names;
	const struct pat **ex, **sens;
	size_t n = 0, alloc = 0, base, saved_rlo = wk->rlo, saved_rhi = wk->rhi, saved_rplen = wk->rplen;
	size_t nex, nsens;
	bool roots_here;
	bool saved_rvalid = wk->rvalid;

	/* the names and their d_type straight from getdents64 */
	for (;;) {
		ssize_t got = getdents64(fd, dents, sizeof dents);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			keep_path(wk, path);
			baseline_warn_addf(wk->skipped, path, "%s", strerror(errno));
			close(fd);
			buf_release(&text);
			free(offs);
			free(types);
			return;
		}
		if (got == 0)
			break;
		for (ssize_t pos = 0; pos < got;) {
			struct dirent64 *de = (struct dirent64 *)(dents + pos);

			pos += de->d_reclen;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (n == alloc) {
				alloc = alloc ? alloc * 2 : 64;
				offs = xreallocarray(offs, alloc, sizeof *offs);
				types = xreallocarray(types, alloc, sizeof *types);
			}
			offs[n] = text.len;
			types[n] = de->d_type;
			n++;
			buf_add(&text, de->d_name, strlen(de->d_name) + 1);
		}
	}
	names = xreallocarray(NULL, n + 1, sizeof *names);
	for (size_t i = 0; i < n; i++) {
		names[i].name = text.data + offs[i];
		names[i].type = types[i];
	}
	free(offs);
	free(types);
	sort_array(names, n, sizeof *names, cmp_dname);

	if (wk->depth == wk->stack_alloc) {
		wk->stack_alloc = wk->stack_alloc ? wk->stack_alloc * 2 : 16;
		wk->stack = xreallocarray(wk->stack, wk->stack_alloc, sizeof *wk->stack);
	}
	wk->stack[wk->depth].dev = st->st_dev;
	wk->stack[wk->depth].ino = st->st_ino;
	wk->depth++;
	/* what is under a directory others cannot enter, or a sensitive one, is sensitive */
	private = private || dir_private(st) || own_sensitive(wk, path);
	base = wk->path.len;
	/* the patterns that can match a child here, each set once per directory */
	wk->path.data[base] = '\0';
	ex = xreallocarray(NULL, wk->excludes.n + wk->sensitive.n + 1, sizeof *ex);
	sens = ex + wk->excludes.n;
	nex = baseline_patset_for_dir(&wk->excludes, base > 1 ? path : "", ex);
	nsens = baseline_patset_for_dir(&wk->sensitive, base > 1 ? path : "", sens);
	roots_here = holds_a_root(wk->w, base > 1 ? path : "");
	/* the index entries under this directory: from path + "/" up to path + "0" */
	if (base > 1)
		buf_addc(&wk->path, '/');
	{
		/*
		 * Within the parent's range, from its cursor: the names before
		 * this one never move the cursor past this directory's entries
		 * (a name that sorts first also sorts before "name/...").
		 */
		size_t lo = saved_rvalid ? saved_rlo : 0, hi = saved_rvalid ? saved_rhi : wk->idx.n;
		wk->rplen = wk->path.len;
		wk->rlo = gallop(&wk->idx, lo, hi, buf_str(&wk->path));
		wk->path.data[wk->path.len - 1] = '0';
		wk->rhi = gallop(&wk->idx, wk->rlo, hi, buf_str(&wk->path));
	}
	wk->path.data[wk->path.len - 1] = '/';
	wk->rvalid = true;
	for (size_t i = 0; i < n && !wk->fatal; i++) {
		size_t len = strlen(names[i].name);
		const char *child;

		buf_truncate(&wk->path, wk->rplen);
		buf_add(&wk->path, names[i].name, len);
		child = buf_str(&wk->path);
		/* another watched path is walked on its own; an excluded one not at all */
		if ((roots_here && is_root(wk->w, child)) || baseline_patset_match(ex, nex, names[i].name, len, child))
			continue;
		wk->child_sensitive = nsens && baseline_patset_match(sens, nsens, names[i].name, len, child);
		wk->child_known = true;
		visit(wk, fd, names[i].name, names[i].type, private, false);
	}
	wk->child_known = false;
	free(ex);
	buf_truncate(&wk->path, base);
	wk->rlo = saved_rlo;
	wk->rhi = saved_rhi;
	wk->rplen = saved_rplen;
	wk->rvalid = saved_rvalid;
	free(names);
	buf_release(&text);
	wk->depth--;
	close(fd);
}

static void visit(struct walk *wk, int dfd, const char *name, unsigned char type, bool private, bool start)
{
	const char *path = buf_str(&wk->path);
	struct stat st;

	/* as getdents says: a directory is opened (and checked) at once, a special file never looked at */
	if (type == DT_DIR) {
		walk_dir(wk, dfd, name, NULL, private);
		return;
	}
	if (type == DT_FIFO || type == DT_SOCK || type == DT_CHR || type == DT_BLK) {
		mode_t m = type == DT_FIFO ? S_IFIFO : type == DT_SOCK ? S_IFSOCK : type == DT_CHR ? S_IFCHR : S_IFBLK;
		baseline_warn_addf(wk->skipped, path, "%s: not tracked, never opened", special_kind(m));
		return;
	}
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			if (start)
				baseline_warn_addf(wk->notes, path, "does not exist (yet): it shows up as added when it appears");
			else
				baseline_warn_addf(wk->notes, path, "vanished during the scan");
			return;
		}
		keep_path(wk, path);
		if (errno == EACCES || errno == EPERM)
			baseline_warn_addf(wk->skipped, path, "permission denied: not looked at");
		else
			baseline_warn_addf(wk->skipped, path, "%s", strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		walk_dir(wk, dfd, name, &st, private);
	} else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
		if (wk->mode == WALK_SCAN)
			scan_file(wk, dfd, name, &st, private);
		else
			take_file(wk, dfd, name, &st, private);
	} else {
		baseline_warn_addf(wk->skipped, path, "%s: not tracked, never opened", special_kind(st.st_mode));
	}
}

/* walk from one starting path (a watched path, or the limit of a take) */
static void walk_from(struct walk *wk, const char *start)
{
	const char *name;
	char *link = NULL;
	bool private;
	int dfd = baseline_open_parent(start, &name, &private, &link);

	buf_reset(&wk->path);
	buf_adds(&wk->path, start);
	if (dfd < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			baseline_warn_addf(wk->notes, start, "does not exist (yet): it shows up as added when it appears");
		} else if (errno == ELOOP && link) {
			struct buf b = BUF_INIT;
			baseline_show_path(&b, link);
			baseline_warn_addf(wk->notes, start, "goes through the symlink %s, which is not followed: not watched",
				  buf_str(&b));
			buf_release(&b);
		} else {
			keep_path(wk, start);
			if (errno == EACCES || errno == EPERM)
				baseline_warn_addf(wk->skipped, start, "permission denied: not looked at");
			else
				baseline_warn_addf(wk->skipped, start, "%s", strerror(errno));
		}
		free(link);
		return;
	}
	wk->rvalid = false;
	wk->child_known = false;
	if (wk->w && watch_sensitive_name(wk->w, start))
		private = true;
	visit(wk, dfd, name, DT_UNKNOWN, private, true);
	close(dfd);
}

void baseline_walk_init(struct walk *wk, struct journal *j, const struct watch_list *w, int mode)
{
	memset(wk, 0, sizeof *wk);
	wk->j = j;
	wk->w = w;
	wk->mode = mode;
	wk->start_ns = fs_clock_ns();
	wk->have_journal = stat(j->dir, &wk->journal_st) == 0;
	if (w) {
		baseline_patset_init(&wk->excludes, w->excludes, w->nexcludes);
		baseline_patset_init(&wk->sensitive, w->sensitive, w->nsensitive);
	}
}

/*
 * What writing objects needs, made once the baseline's lock is held
 * (take, accept): the redactor, and the key of the line tags, made the
 * first time.  A bad team pattern fails the first object written, with
 * the pattern's file and line; no key only leaves the objects untagged.
 */
void baseline_walk_objects(struct walk *wk)
{
	if (!(wk->red = redact_new(wk->j->conf)))
		wk->red_error = xstrdup(errget());
	wk->have_key = baseline_tag_key(wk->j, true, wk->key) == 0;
}

void baseline_walk_release(struct walk *wk)
{
	baseline_patset_free(&wk->excludes);
	baseline_patset_free(&wk->sensitive);
	redact_free(wk->red);
	free(wk->red_error);
	explicit_bzero(wk->key, sizeof wk->key);
	baseline_index_free(&wk->idx);
	baseline_seen_free(&wk->seen);
	buf_release(&wk->path);
	buf_release(&wk->data);
	free(wk->stack);
	for (size_t i = 0; i < wk->nkept; i++)
		free(wk->kept[i]);
	free(wk->kept);
	for (size_t i = 0; i < wk->nchanges; i++) {
		free(wk->changes[i].path);
		fstate_release(&wk->changes[i].old);
		fstate_release(&wk->changes[i].new);
	}
	free(wk->changes);
	for (size_t i = 0; i < wk->nupdates; i++) {
		free(wk->updates[i].path);
		fstate_release(&wk->updates[i].st);
	}
	free(wk->updates);
}

/* walk every watched path, or only what lies under limit */
void baseline_walk_all(struct walk *wk, const char *limit)
{
	const struct watch_list *w = wk->w;

	for (size_t i = 0; i < w->npaths && !wk->fatal; i++) {
		const char *root = w->paths[i];

		if (limit && !holds(limit, root)) {
			/* the limit inside this watched path: walked from there, unless a deeper one holds it */
			if (!holds(root, limit))
				continue;
			for (size_t k = i + 1; k < w->npaths; k++)
				if (holds(w->paths[k], limit))
					goto next;
			if (!watch_excluded(w, limit))
				walk_from(wk, limit);
			continue;
		}
		if (!match_excludes(w, root))
			walk_from(wk, root);
next:;
	}
}
