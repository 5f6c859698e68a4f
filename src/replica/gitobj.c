/*
 * gitobj: a host's commit written without git but for update-ref
 * (gitobj.h says what and why).  Every tree read, from the cache or from
 * git, is checked against the name it was asked by before it is parsed,
 * and parsed by a parser that takes only what git itself writes
 * (tests/fuzz/fuzz-gittree.c): a damaged cache costs a git cat-file,
 * never a wrong commit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "base/err.h"
#include "base/fs.h"
#include "base/hex.h"
#include "base/xalloc.h"
#include "replica/git.h"
#include "replica/gitobj.h"
#include "base/banned.h"

#define HEX (2 * GITOBJ_RAW)
#define CACHE_MAGIC "logbook-trees 1\n"

/* ---- trees ---- */

static bool is_dir_mode(unsigned mode)
{
	return (mode & 0170000) == 040000;
}

/* git's order of tree entries: a tree's name compared as if it ended with '/' */
static int entry_cmp(const struct gitobj_entry *a, const struct gitobj_entry *b)
{
	size_t la = strlen(a->name), lb = strlen(b->name), n = la < lb ? la : lb;
	int c = memcmp(a->name, b->name, n);
	unsigned char ca, cb;

	if (c)
		return c;
	ca = la > n ? (unsigned char)a->name[n] : is_dir_mode(a->mode) ? '/' : '\0';
	cb = lb > n ? (unsigned char)b->name[n] : is_dir_mode(b->mode) ? '/' : '\0';
	return (int)ca - (int)cb;
}

static int entry_cmp_v(const void *a, const void *b)
{
	return entry_cmp(a, b);
}

static int name_cmp_v(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void gitobj_tree_release(struct gitobj_tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

int gitobj_tree_parse(const void *raw, size_t len, struct gitobj_tree *t)
{
	const unsigned char *p = raw, *end = p + len;
	size_t cap = 0;
	char **names;

	t->v = NULL;
	t->n = 0;
	while (p < end) {
		const unsigned char *sp = memchr(p, ' ', (size_t)(end - p)), *nul;
		unsigned mode = 0;
		struct gitobj_entry e;
		/* "<octal mode> <name>\0<20 bytes>", the mode as git writes it: no leading zero */
		if (!sp || sp == p || sp - p > 6 || *p == '0')
			goto bad;
		for (const unsigned char *q = p; q < sp; q++) {
			if (*q < '0' || *q > '7')
				goto bad;
			mode = mode * 8 + (unsigned)(*q - '0');
		}
		nul = memchr(sp + 1, '\0', (size_t)(end - sp - 1));
		if (!nul || nul == sp + 1 || (size_t)(end - nul - 1) < GITOBJ_RAW)
			goto bad;
		e.mode = mode;
		e.name = xstrndup((const char *)sp + 1, (size_t)(nul - sp - 1));
		memcpy(e.id, nul + 1, GITOBJ_RAW);
		if (strchr(e.name, '/') || !strcmp(e.name, ".") || !strcmp(e.name, "..") || !strcmp(e.name, ".git") ||
		    (t->n && entry_cmp(&t->v[t->n - 1], &e) >= 0)) {
			free(e.name);
			goto bad;
		}
		if (t->n == cap) {
			cap = cap ? 2 * cap : 16;
			t->v = xreallocarray(t->v, cap, sizeof *t->v);
		}
		t->v[t->n++] = e;
		p = nul + 1 + GITOBJ_RAW;
	}
	/* in order, a name is there twice only as a tree and a file ("a" < "a-b" < "a/") */
	names = xreallocarray(NULL, t->n ? t->n : 1, sizeof *names);
	for (size_t i = 0; i < t->n; i++)
		names[i] = t->v[i].name;
	qsort(names, t->n, sizeof *names, name_cmp_v);
	for (size_t i = 1; i < t->n; i++) {
		if (!strcmp(names[i - 1], names[i])) {
			free(names);
			goto bad;
		}
	}
	free(names);
	return 0;
bad:
	gitobj_tree_release(t);
	return -1;
}

void gitobj_tree_format(struct gitobj_tree *t, struct buf *raw)
{
	if (t->n)
		qsort(t->v, t->n, sizeof *t->v, entry_cmp_v);
	for (size_t i = 0; i < t->n; i++) {
		buf_addf(raw, "%o %s", t->v[i].mode, t->v[i].name);
		buf_addc(raw, '\0');
		buf_add(raw, t->v[i].id, GITOBJ_RAW);
	}
}

/* ---- the cache of trees ---- */

void gitobj_cache_add(struct gitobj_cache *c, const char *id, const void *raw, size_t len)
{
	if (gitobj_cache_get(c, id))
		return;
	c->id = xreallocarray(c->id, c->n + 1, sizeof *c->id);
	c->raw = xreallocarray(c->raw, c->n + 1, sizeof *c->raw);
	memcpy(c->id[c->n], id, HEX + 1);
	c->raw[c->n] = (struct buf)BUF_INIT;
	buf_add(&c->raw[c->n], raw, len);
	c->n++;
}

const struct buf *gitobj_cache_get(const struct gitobj_cache *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->id[i], id))
			return &c->raw[i];
	return NULL;
}

void gitobj_cache_parse(const void *data, size_t len, struct gitobj_cache *c)
{
	const char *p = data, *end = p + len;

	memset(c, 0, sizeof *c);
	if (len < strlen(CACHE_MAGIC) || memcmp(p, CACHE_MAGIC, strlen(CACHE_MAGIC)) != 0)
		return;
	p += strlen(CACHE_MAGIC);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char id[HEX + 1], have[HEX + 1], *stop;
		unsigned long long size;
		/* "<40 hex> <size>\n", then size bytes */
		if (!nl || nl - p < HEX + 2 || p[HEX] != ' ' || strspn(p, "0123456789abcdef") != HEX ||
		    p[HEX + 1] < '0' || p[HEX + 1] > '9')
			return;
		errno = 0;
		size = strtoull(p + HEX + 1, &stop, 10);
		if (errno || stop != nl || size > (unsigned long long)(end - nl - 1))
			return;
		memcpy(id, p, HEX);
		id[HEX] = '\0';
		git_object_id("tree", nl + 1, (size_t)size, have);
		if (!strcmp(id, have))
			gitobj_cache_add(c, id, nl + 1, (size_t)size);
		p = nl + 1 + size;
	}
}

void gitobj_cache_format(const struct gitobj_cache *c, struct buf *out)
{
	buf_adds(out, CACHE_MAGIC);
	for (size_t i = 0; i < c->n; i++) {
		buf_addf(out, "%s %zu\n", c->id[i], c->raw[i].len);
		buf_add(out, c->raw[i].data ? c->raw[i].data : "", c->raw[i].len);
	}
}

void gitobj_cache_release(struct gitobj_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		buf_release(&c->raw[i]);
	free(c->raw);
	free(c->id);
	memset(c, 0, sizeof *c);
}

/* ---- loose objects ---- */

/* deflate the object's header and data into fd at zlib's fastest level (git's core.looseCompression) */
static int deflate_into(int fd, const char *head, size_t head_len, const void *data, size_t len)
{
	unsigned char out[65536];
	z_stream z;
	int rc = 0, zrc;

	memset(&z, 0, sizeof z);
	if (deflateInit(&z, Z_BEST_SPEED) != Z_OK) {
		errset("zlib: %s", z.msg ? z.msg : "cannot start");
		return -1;
	}
	for (int part = 0; part < 2 && rc == 0; part++) {
		z.next_in = (unsigned char *)(part ? data : head);
		z.avail_in = (uInt)(part ? len : head_len);
		do {
			z.next_out = out;
			z.avail_out = sizeof out;
			zrc = deflate(&z, part ? Z_FINISH : Z_NO_FLUSH);
			if (zrc == Z_STREAM_ERROR) {
				errset("zlib: deflate failed");
				rc = -1;
				break;
			}
			if (fs_write_all(fd, out, sizeof out - z.avail_out) < 0) {
				errset_sys("writing an object");
				rc = -1;
				break;
			}
		} while (part ? zrc != Z_STREAM_END : z.avail_in > 0);
	}
	deflateEnd(&z);
	return rc;
}

int gitobj_write(const char *gitdir, const char *type, const void *data, size_t len, char id[HEX + 1])
{
	char head[64], *dir, *path, *tmp;
	int n = snprintf(head, sizeof head, "%s %zu", type, len), fd, rc = -1;
	struct stat st;

	git_object_id(type, data ? data : "", len, id);
	dir = xasprintf("%s/objects/%.2s", gitdir, id);
	path = xasprintf("%s/%s", dir, id + 2);
	tmp = xasprintf("%s/tmp_obj_XXXXXX", dir);
	/* there already: an object's name is its content */
	if (lstat(path, &st) == 0) {
		rc = 0;
		goto out;
	}
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		errset_sys("%s", dir);
		goto out;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		errset_sys("%s", tmp);
		goto out;
	}
	if (deflate_into(fd, head, (size_t)n + 1, data ? data : "", len) < 0 ||
	    (fchmod(fd, 0444) < 0 && (errset_sys("%s", tmp), true))) {
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) < 0) {
		errset_sys("%s", tmp);
		unlink(tmp);
		goto out;
	}
	/* git's finalize_object_file: a link never replaces an object another writer put there first */
	if (link(tmp, path) < 0 && errno != EEXIST && rename(tmp, path) < 0) {
		errset_sys("%s", path);
		unlink(tmp);
		goto out;
	}
	unlink(tmp);
	rc = 0;
out:
	free(dir);
	free(path);
	free(tmp);
	return rc;
}

/* ---- the commit ---- */

struct change {
	const char *path;
	unsigned mode;
	char id[HEX + 1];
	struct buf content;
	bool differs;		/* not what old holds: its blob is written */
};

struct commit_ctx {
	const char *dir;
	char *gitdir;
	const char *old_tree;
	struct change *ch;
	size_t n;
	struct gitobj_cache have;	/* trees of old: the cache's, then git's */
	struct gitobj_cache made;	/* trees of the new commit along the paths: the next cache */
	bool asked;			/* git cat-file was asked for old's trees */
	struct buf write;		/* the trees to write, children first: "<id>" and the index in made */
	size_t *order;
	size_t norder;
};

/* old's trees along every path, read by one git cat-file --batch (names "<tree>:<dir>") into have */
static int ask_git(struct commit_ctx *c)
{
	static const char *const args[] = { "cat-file", "--batch", NULL };
	struct buf in = BUF_INIT, out = BUF_INIT;
	const char *p, *end;
	int rc = -1;

	c->asked = true;
	buf_addf(&in, "%s\n", c->old_tree);
	for (size_t i = 0; i < c->n; i++) {
		const char *path = c->ch[i].path;
		for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/'))
			buf_addf(&in, "%s:%.*s\n", c->old_tree, (int)(s - path), path);
	}
	if (git_run_input(c->dir, NULL, &in, &out, args) != 0) {
		errset("git cat-file --batch of the trees of %s failed", c->old_tree);
		goto out;
	}
	p = out.data ? out.data : "";
	end = p + out.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		char id[HEX + 1], have[HEX + 1], type[16];
		unsigned long long size;
		if (!nl)
			break;
		/* "<name> missing": a directory old does not have */
		if (nl - p > 8 && !memcmp(nl - 8, " missing", 8)) {
			p = nl + 1;
			continue;
		}
		sp = memchr(p, ' ', (size_t)(nl - p));
		if (!sp || sp - p != HEX || sscanf(sp + 1, "%15s %llu", type, &size) != 2 ||
		    size > (unsigned long long)(end - nl - 1)) {
			errset("git cat-file --batch: unexpected output");
			goto out;
		}
		memcpy(id, p, HEX);
		id[HEX] = '\0';
		if (!strcmp(type, "tree")) {
			git_object_id("tree", nl + 1, (size_t)size, have);
			if (strcmp(have, id) != 0) {
				errset("git cat-file --batch: tree %s is not what it says", id);
				goto out;
			}
			gitobj_cache_add(&c->have, id, nl + 1, (size_t)size);
		}
		p = nl + 1 + size + 1;
	}
	rc = 0;
out:
	buf_release(&in);
	buf_release(&out);
	return rc;
}

/* old's tree id, parsed into t: from the cache, else from git (once); -1 and errget() */
static int load_tree(struct commit_ctx *c, const char *id, struct gitobj_tree *t)
{
	const struct buf *raw = gitobj_cache_get(&c->have, id);

	if (!raw && !c->asked && ask_git(c) < 0)
		return -1;
	if (!raw && !(raw = gitobj_cache_get(&c->have, id))) {
		errset("tree %s of %s not found", id, c->old_tree);
		return -1;
	}
	if (gitobj_tree_parse(raw->data ? raw->data : "", raw->len, t) < 0) {
		errset("tree %s is not one git writes", id);
		return -1;
	}
	return 0;
}

static struct gitobj_entry *find_entry(struct gitobj_tree *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->n; i++)
		if (strlen(t->v[i].name) == len && !memcmp(t->v[i].name, name, len))
			return &t->v[i];
	return NULL;
}

static struct gitobj_entry *set_entry(struct gitobj_tree *t, const char *name, size_t len, unsigned mode)
{
	struct gitobj_entry *e = find_entry(t, name, len);

	if (!e) {
		t->v = xreallocarray(t->v, t->n + 1, sizeof *t->v);
		e = &t->v[t->n++];
		e->name = xstrndup(name, len);
		memset(e->id, 0, sizeof e->id);
	}
	e->mode = mode;
	return e;
}

/*
 * The tree at dir ("" for the root) of the new commit: old's (old_id;
 * NULL: a directory old lacks) with the changes lo..hi, which all lie
 * below dir, in path order.  Its id into new_id.
 */
static int rebuild(struct commit_ctx *c, const char *dir, const char *old_id, size_t lo, size_t hi,
		   char new_id[HEX + 1])
{
	struct gitobj_tree t = { NULL, 0 };
	struct buf raw = BUF_INIT;
	size_t skip = *dir ? strlen(dir) + 1 : 0;
	int rc = -1;

	if (old_id && load_tree(c, old_id, &t) < 0)
		return -1;
	for (size_t i = lo; i < hi;) {
		const char *rel = c->ch[i].path + skip, *slash = strchr(rel, '/');
		struct gitobj_entry *e;
		if (!slash) {
			unsigned char id[GITOBJ_RAW];
			hex_decode(c->ch[i].id, GITOBJ_RAW, id);
			e = find_entry(&t, rel, strlen(rel));
			c->ch[i].differs = !e || e->mode != c->ch[i].mode || memcmp(e->id, id, GITOBJ_RAW) != 0;
			e = set_entry(&t, rel, strlen(rel), c->ch[i].mode);
			memcpy(e->id, id, GITOBJ_RAW);
			i++;
			continue;
		}
		{
			/* every change below the directory rel names, at once */
			size_t len = (size_t)(slash - rel), j = i;
			char *sub = xasprintf("%s%s%.*s", dir, *dir ? "/" : "", (int)len, rel), sub_old[HEX + 1], sub_new[HEX + 1];
			bool had;
			while (j < hi && !strncmp(c->ch[j].path + skip, rel, len + 1))
				j++;
			e = find_entry(&t, rel, len);
			had = e && is_dir_mode(e->mode);
			if (had)
				hex_encode(e->id, GITOBJ_RAW, sub_old);
			if (rebuild(c, sub, had ? sub_old : NULL, i, j, sub_new) < 0) {
				free(sub);
				goto out;
			}
			free(sub);
			e = set_entry(&t, rel, len, 040000);
			hex_decode(sub_new, GITOBJ_RAW, e->id);
			i = j;
		}
	}
	gitobj_tree_format(&t, &raw);
	git_object_id("tree", raw.data ? raw.data : "", raw.len, new_id);
	if (!gitobj_cache_get(&c->made, new_id)) {
		gitobj_cache_add(&c->made, new_id, raw.data ? raw.data : "", raw.len);
		/* written children first, so that no tree names one not there yet */
		if (!old_id || strcmp(old_id, new_id) != 0) {
			c->order = xreallocarray(c->order, c->norder + 1, sizeof *c->order);
			c->order[c->norder++] = c->made.n - 1;
		}
	}
	rc = 0;
out:
	buf_release(&raw);
	gitobj_tree_release(&t);
	return rc;
}

static int cmp_change(const void *a, const void *b)
{
	return strcmp(((const struct change *)a)->path, ((const struct change *)b)->path);
}

/* a path the trees can hold: relative, no empty, ".", ".." or ".git" component */
static bool path_ok(const char *path)
{
	const char *p = path;

	for (;;) {
		size_t len = strcspn(p, "/");
		if (!len || (len == 1 && p[0] == '.') || (len == 2 && !strncmp(p, "..", 2)) ||
		    (len == 4 && !strncmp(p, ".git", 4)))
			return false;
		if (!p[len])
			return true;
		p += len + 1;
	}
}

/* "+hhmm" or "-hhmm", as git writes the time zone of now */
static void tz_offset(time_t now, char out[8])
{
	struct tm tm;
	long off = localtime_r(&now, &tm) ? tm.tm_gmtoff / 60 : 0;
	unsigned minutes = (unsigned)(labs(off) % (24 * 60));

	snprintf(out, 8, "%c%02u%02u", off < 0 ? '-' : '+', minutes / 60, minutes % 60);
}

int gitobj_commit(const char *dir, const char *ref, const char *old, const char *old_tree, const char *const paths[],
		  size_t npaths, const char *message, const char *cache, char **made, char **made_tree,
		  struct buf *entries)
{
	struct commit_ctx c = { .dir = dir, .old_tree = old_tree };
	struct buf file = BUF_INIT, text = BUF_INIT;
	char root[HEX + 1], commit[HEX + 1], zone[8];
	uid_t owner = (uid_t)-1;
	int rc = GITOBJ_NOT_HERE, dfd = -1;
	time_t now;

	if (made)
		*made = NULL;
	if (made_tree)
		*made_tree = NULL;
	/* a first commit, another object format, objects another account must own: git's to do */
	if (!old || !old_tree || strlen(old) != HEX || strlen(old_tree) != HEX ||
	    strspn(old_tree, "0123456789abcdef") != HEX || git_check_dir(dir, &owner) != GIT_TRUSTED ||
	    owner != geteuid())
		return GITOBJ_NOT_HERE;
	for (size_t i = 0; i < npaths; i++)
		if (!path_ok(paths[i]))
			return GITOBJ_NOT_HERE;
	c.gitdir = xasprintf("%s/.git", dir);
	if (cache && fs_read_file(cache, &file) == 0)
		gitobj_cache_parse(file.data ? file.data : "", file.len, &c.have);
	buf_release(&file);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		errset_sys("%s", dir);
		goto out;
	}
	/* each file read once, as it is now */
	c.ch = xcalloc(npaths ? npaths : 1, sizeof *c.ch);
	for (size_t i = 0; i < npaths; i++) {
		struct change *ch = &c.ch[c.n++];
		bool exec;
		ch->path = paths[i];
		if (fs_read_regular_below(dfd, dir, paths[i], &ch->content, &exec) < 0) {
			rc = -1;
			goto out;
		}
		ch->mode = exec ? 0100755 : 0100644;
		git_object_id("blob", ch->content.data ? ch->content.data : "", ch->content.len, ch->id);
	}
	qsort(c.ch, c.n, sizeof *c.ch, cmp_change);
	for (size_t i = 1; i < c.n; i++)
		if (!strcmp(c.ch[i - 1].path, c.ch[i].path))
			goto out;
	if (rebuild(&c, "", old_tree, 0, c.n, root) < 0)
		goto out;
	if (!strcmp(root, old_tree)) {
		/* every file is as old holds it */
		if (made)
			*made = xstrdup(old);
		if (made_tree)
			*made_tree = xstrdup(old_tree);
		rc = 0;
		goto out;
	}
	/* blobs, then trees children first, then the commit: nothing names an object not written yet */
	for (size_t i = 0; i < c.n; i++) {
		char id[HEX + 1];
		if (c.ch[i].differs && gitobj_write(c.gitdir, "blob", c.ch[i].content.data, c.ch[i].content.len, id) < 0)
			goto out;
	}
	for (size_t k = 0; k < c.norder; k++) {
		char id[HEX + 1];
		const struct buf *raw = &c.made.raw[c.order[k]];
		if (gitobj_write(c.gitdir, "tree", raw->data, raw->len, id) < 0)
			goto out;
	}
	now = time(NULL);
	tz_offset(now, zone);
	buf_addf(&text, "tree %s\nparent %s\n", root, old);
	buf_addf(&text, "author " GIT_IDENT " %lld %s\ncommitter " GIT_IDENT " %lld %s\n\n%s\n", (long long)now, zone,
		 (long long)now, zone, message);
	if (gitobj_write(c.gitdir, "commit", text.data, text.len, commit) < 0)
		goto out;
	/* from here on the commit is made or it failed: nothing is left to git_commit_files */
	if (git_update_ref(dir, ref, commit, old) < 0) {
		rc = -1;
		goto out;
	}
	if (cache) {
		struct buf out = BUF_INIT;
		gitobj_cache_format(&c.made, &out);
		/* a cache not written costs the next commit a git cat-file */
		(void)fs_write_atomic_flags(cache, out.data, out.len, 0600, FS_ATOMIC_NO_SYNC | FS_ATOMIC_BREAK_LOCK);
		buf_release(&out);
	}
	for (size_t i = 0; entries && i < c.n; i++) {
		if (!c.ch[i].differs)
			continue;
		buf_addf(entries, "%06o %s\t%s", c.ch[i].mode, c.ch[i].id, c.ch[i].path);
		buf_addc(entries, '\0');
	}
	if (made)
		*made = xstrdup(commit);
	if (made_tree)
		*made_tree = xstrdup(root);
	rc = 1;
out:
	if (dfd >= 0)
		close(dfd);
	for (size_t i = 0; i < c.n; i++)
		buf_release(&c.ch[i].content);
	free(c.ch);
	free(c.order);
	free(c.gitdir);
	gitobj_cache_release(&c.have);
	gitobj_cache_release(&c.made);
	buf_release(&text);
	return rc;
}
