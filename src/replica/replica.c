/*
 * replica: commit, fetch, integrate and push the journal's refs.
 *
 * Two kinds of refs per host X: refs/heads/hosts/X is what this
 * repository knows of X (fetched, or pushed into it by another replica),
 * refs/logbook/written/X is the commit whose files are in the work tree.
 * Integration moves the first by fast-forward only, then writes the
 * files between the two and moves the second: a sync killed on the way
 * leaves the marker behind and the next sync writes the files again
 * (writing is idempotent, files only grow).  Refs can also move by a
 * push from another replica, or by anyone who can write .git: a host's
 * ref that does not extend its marker is not written, and a record file
 * is replaced only by a blob that starts with what the file holds.  team.conf works the same
 * with refs/heads/team and refs/logbook/written/team.
 *
 * Another host's ref is append-only here: before a fetched commit
 * replaces what this repository holds of the host, and before a pushed
 * one is written, every file of the host that the old commit holds must
 * be a byte prefix of its new version (records are only appended), what
 * is appended must be complete lines of the host's records that continue
 * its chain (seq after seq, each prev the hash of the line before, the
 * first after the host's head here), none may go, none may be larger
 * than sync.maxfilesize, and the new commit must descend from the old
 * one.  Otherwise the commit is quarantined
 * (REPLICA_QUARANTINE_REF, .state/quarantine/) and reported, and a
 * pushed ref is moved back, so that a fresh clone of this replica gets
 * the history it held.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "journal/sig.h"
#include "journal/team.h"
#include "replica/appended.h"
#include "replica/git.h"
#include "replica/gitobj.h"
#include "replica/keyring.h"
#include "replica/replica.h"
#include "base/banned.h"

#define WRITTEN_REF REPLICA_WRITTEN_REF
/* the team ref's name in the quarantine: no host name starts with '_' */
#define QUARANTINE_TEAM "_team"

static void warnf(struct store_warnings *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warnf(struct store_warnings *w, const char *fmt, ...)
{
	va_list ap;
	struct buf b = BUF_INIT;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	w->msgs = xreallocarray(w->msgs, w->n + 1, sizeof *w->msgs);
	w->msgs[w->n++] = buf_detach(&b, NULL);
}

/*
 * len bytes of s as one line a terminal cannot act on (utf8_escape).
 * Tree paths and git's messages come from other replicas, any of which
 * may be hostile: they reach warnings and errors only through this.
 */
static char *shown(const char *s, size_t len)
{
	struct buf b = BUF_INIT;

	utf8_escape(&b, s, len, false);
	return buf_detach(&b, NULL);
}

/* git's reason from its stderr: the first line, without "fatal: " (escaped, allocated) */
static char *git_reason(const struct buf *err, const char *fallback)
{
	const char *e = buf_str(err);
	size_t len;

	/* git's "fatal: " line, wherever it is (a fetch says the refs it moved first) */
	for (const char *line = e; *line;) {
		if (!strncmp(line, "fatal: ", 7)) {
			e = line;
			break;
		}
		line += strcspn(line, "\n");
		if (*line)
			line++;
	}
	len = strcspn(e, "\n");
	if (!strncmp(e, "fatal: ", 7)) {
		e += 7;
		len = len >= 7 ? len - 7 : 0;
	}
	return len ? shown(e, len) : xstrdup(fallback);
}

/*
 * ---- the refs of one sync ----
 *
 * Between replica_refs_begin and replica_refs_end the refs are read
 * from one "git for-each-ref" (git_refs_load) instead of a git process a
 * ref, and read again after anything this module does that moves one
 * (refs_moved): a sync that finds nothing new reads the refs of all the
 * hosts in one git.  A ref another process moves meanwhile (a push into
 * this replica) is seen by the next sync, as if it had come a moment
 * later: each commit taken is checked and written by its id, and every
 * ref moves from the value read only (git_update_ref's compare-and-swap).
 * Outside those calls, and for anything but a full ref name, git answers.
 */
static struct {
	const struct journal *j;	/* the journal of the sync; NULL: ask git */
	bool loaded;
	struct git_refs refs;
	/* what blob_of found, by "<commit id>:<path>": a commit never changes */
	char **spec, **blob;
	size_t nblob;
	/* the commits this process made (made[i], on top of parent[i]): known ancestry, no git asked */
	char **made, **parent;
	size_t nmade;
	/* git for-each-ref and git remote -v started by replica_refs_prefetch, not yet read */
	struct git_job refs_job, remotes_job;
	bool refs_pending, remotes_pending;
	/* the remotes and their first fetch and push URLs (NULL: ask git), from one "git remote -v" */
	char **remote, **fetch_url, **push_url;
	size_t nremote;
	void (*before_write)(void *);
	void *before_arg;
} snap;

static const char *const remote_v_args[] = { "remote", "-v", NULL };

static void refs_moved(void)
{
	git_refs_free(&snap.refs);
	snap.loaded = false;
	if (snap.refs_pending) {
		/* started before the refs moved: what it says is out of date, and not read */
		snap.refs_pending = false;
		git_run_finish(&snap.refs_job, NULL, NULL);
	}
}

void replica_refs_prefetch(struct journal *j)
{
	if (snap.j != j)
		return;
	/* either may fail to start: its answer is then asked of git when it is needed */
	if (!snap.loaded && !snap.refs_pending && git_refs_load_start(j->dir, &snap.refs_job) == 0)
		snap.refs_pending = true;
	if (!snap.nremote && !snap.remotes_pending && git_run_start(j->dir, NULL, remote_v_args, &snap.remotes_job) == 0)
		snap.remotes_pending = true;
}

void replica_refs_begin(struct journal *j)
{
	refs_moved();
	snap.j = j;
}

void replica_before_write(void (*fn)(void *), void *arg)
{
	snap.before_write = fn;
	snap.before_arg = arg;
}

void replica_refs_end(void)
{
	refs_moved();
	if (snap.remotes_pending) {
		snap.remotes_pending = false;
		git_run_finish(&snap.remotes_job, NULL, NULL);
	}
	snap.j = NULL;
	snap.before_write = NULL;
	for (size_t i = 0; i < snap.nblob; i++) {
		free(snap.spec[i]);
		free(snap.blob[i]);
	}
	free(snap.spec);
	free(snap.blob);
	snap.spec = snap.blob = NULL;
	snap.nblob = 0;
	replica_names_free(snap.made, snap.nmade);
	replica_names_free(snap.parent, snap.nmade);
	snap.made = snap.parent = NULL;
	snap.nmade = 0;
	for (size_t i = 0; i < snap.nremote; i++) {
		free(snap.fetch_url[i]);
		free(snap.push_url[i]);
	}
	replica_names_free(snap.remote, snap.nremote);
	free(snap.fetch_url);
	free(snap.push_url);
	snap.remote = snap.fetch_url = snap.push_url = NULL;
	snap.nremote = 0;
}

/* the snapshot of j's refs, loaded when needed; NULL when git answers instead */
static const struct git_refs *snap_refs(struct journal *j)
{
	if (snap.j != j)
		return NULL;
	if (!snap.loaded) {
		int rc;
		if (snap.refs_pending) {
			snap.refs_pending = false;
			rc = git_refs_load_finish(j->dir, &snap.refs_job, &snap.refs);
		} else {
			rc = git_refs_load(j->dir, &snap.refs);
		}
		if (rc < 0) {
			/* every name asked of git from here on, as without a snapshot */
			snap.j = NULL;
			return NULL;
		}
		snap.loaded = true;
	}
	return &snap.refs;
}

/* git_resolve of a ref name, from the snapshot when there is one */
static char *ref_commit(struct journal *j, const char *name)
{
	const struct git_refs *refs = strncmp(name, "refs/", 5) ? NULL : snap_refs(j);
	const struct git_ref *r;

	if (!refs)
		return git_resolve(j->dir, name);
	if (!(r = git_refs_find(refs, name)))
		return NULL;
	/* a tag, or anything else a ref can be made to point at: git peels it, or finds no commit */
	return r->tree ? xstrdup(r->id) : git_resolve(j->dir, name);
}

/* the tree of the commit ref holds, when the snapshot knows it (not allocated) */
static const char *ref_tree(struct journal *j, const char *name, const char *commit)
{
	const struct git_refs *refs = snap_refs(j);
	const struct git_ref *r = refs && commit ? git_refs_find(refs, name) : NULL;

	return r && r->tree && !strcmp(r->id, commit) ? r->tree : NULL;
}

/*
 * This process moved ref from parent to id, a commit it made on top of
 * parent, whose tree is tree: the snapshot takes the new value (the ref
 * moved by compare-and-swap from the value the snapshot held), and
 * is_ancestor knows parent is id's without asking git.
 */
static void snap_committed(struct journal *j, const char *ref, const char *id, const char *tree, const char *parent)
{
	if (snap.j != j)
		return;
	if (snap.loaded)
		git_refs_set(&snap.refs, ref, id, tree);
	if (parent) {
		snap.made = xreallocarray(snap.made, snap.nmade + 1, sizeof *snap.made);
		snap.parent = xreallocarray(snap.parent, snap.nmade + 1, sizeof *snap.parent);
		snap.made[snap.nmade] = xstrdup(id);
		snap.parent[snap.nmade++] = xstrdup(parent);
	}
}

/* git_is_ancestor, answered without git when this process made b on top of a */
static int is_ancestor(struct journal *j, const char *a, const char *b)
{
	if (snap.j == j)
		for (size_t i = 0; i < snap.nmade; i++)
			if (!strcmp(snap.made[i], b) && !strcmp(snap.parent[i], a))
				return 1;
	return git_is_ancestor(j->dir, a, b);
}

/* git_update_ref, and the snapshot read again */
static int update_ref(struct journal *j, const char *ref, const char *new, const char *old)
{
	int rc = git_update_ref(j->dir, ref, new, old);

	refs_moved();
	return rc;
}

char *replica_url(const char *url)
{
	char *abs;

	if (url[0] == '/' || strchr(url, ':') || !fs_is_dir(url) || !(abs = realpath(url, NULL)))
		return xstrdup(url);
	return abs;
}

bool replica_valid_remote(const char *name)
{
	if (!*name || name[0] == '.' || name[0] == '-' || strlen(name) > 100)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return false;
	return !strstr(name, "..") && strcmp(name + strlen(name) - 1, ".") != 0;
}

/*
 * "git remote -v": "<name>\t<url> (fetch)" and "<name>\t<url> (push)"
 * lines, or "<name>\t" for a remote without a URL, by name: the names
 * "git remote" gives, and the URLs "git remote get-url" would (the
 * first of each), kept for replica_pack_option.
 */
static int remotes_parse(struct journal *j, int rc, struct buf *out, char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	if (rc != 0) {
		if (rc > 0)
			errset("git remote failed in %s (exit %d)", j->dir, rc);
		buf_release(out);
		return -1;
	}
	for (char *line = out->data, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		char *tab, **url = NULL;
		size_t len, i = snap.nremote;
		if ((nl = strchr(line, '\n')))
			*nl = '\0';
		if (!(tab = strchr(line, '\t')))
			continue;
		*tab++ = '\0';
		if (!i || strcmp(snap.remote[i - 1], line)) {
			snap.remote = xreallocarray(snap.remote, i + 1, sizeof *snap.remote);
			snap.fetch_url = xreallocarray(snap.fetch_url, i + 1, sizeof *snap.fetch_url);
			snap.push_url = xreallocarray(snap.push_url, i + 1, sizeof *snap.push_url);
			snap.remote[i] = xstrdup(line);
			snap.fetch_url[i] = snap.push_url[i] = NULL;
			snap.nremote++;
		}
		i = snap.nremote - 1;
		len = strlen(tab);
		if (len > 8 && !strcmp(tab + len - 8, " (fetch)"))
			url = &snap.fetch_url[i];
		else if (len > 7 && !strcmp(tab + len - 7, " (push)"))
			url = &snap.push_url[i];
		if (url && !*url)
			*url = xstrndup(tab, strlen(tab) - (url == &snap.push_url[i] ? 7 : 8));
	}
	buf_release(out);
	for (size_t i = 0; i < snap.nremote; i++) {
		*names = xreallocarray(*names, *n + 1, sizeof **names);
		(*names)[(*n)++] = xstrdup(snap.remote[i]);
	}
	return 0;
}

static int remotes_verbose(struct journal *j, char ***names, size_t *n)
{
	struct buf out = BUF_INIT;
	int rc;

	if (snap.remotes_pending) {
		snap.remotes_pending = false;
		rc = git_run_finish(&snap.remotes_job, &out, NULL);
	} else {
		rc = git_run(j->dir, NULL, &out, NULL, remote_v_args);
	}
	return remotes_parse(j, rc, &out, names, n);
}

/* the URL git remote get-url gives for remote (push: --push) when remotes_verbose read it; NULL: ask git */
static const char *remote_url(struct journal *j, const char *remote, bool push)
{
	if (snap.j != j)
		return NULL;
	for (size_t i = 0; i < snap.nremote; i++)
		if (!strcmp(snap.remote[i], remote))
			return push ? snap.push_url[i] : snap.fetch_url[i];
	return NULL;
}

int replica_remotes(struct journal *j, char ***names, size_t *n)
{
	const char *args[] = { "remote", NULL };
	struct buf out = BUF_INIT;
	char *line, *save = NULL;
	int rc;

	if (snap.j == j && !snap.nremote)
		return remotes_verbose(j, names, n);
	rc = git_run(j->dir, NULL, &out, NULL, args);
	*names = NULL;
	*n = 0;
	if (rc != 0) {
		if (rc > 0)
			errset("git remote failed in %s (exit %d)", j->dir, rc);
		buf_release(&out);
		return -1;
	}
	for (line = strtok_r(out.data ? out.data : (char[]){ 0 }, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		*names = xreallocarray(*names, *n + 1, sizeof **names);
		(*names)[(*n)++] = xstrdup(line);
	}
	buf_release(&out);
	return 0;
}

void replica_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* journal_path of rel, made absolute: git runs in the journal's directory, a relative path would not name the same file */
static char *abs_journal_path(struct journal *j, const char *rel)
{
	char *p = journal_path(j, rel);

	if (p[0] != '/') {
		char *cwd = getcwd(NULL, 0), *abs;
		if (!cwd)
			return p;
		abs = fs_join(cwd, p);
		free(cwd);
		free(p);
		p = abs;
	}
	return p;
}

static char *state_path(struct journal *j, const char *name)
{
	char *rel = xasprintf("%s/%s", REPLICA_STATE, name), *p = abs_journal_path(j, rel);

	free(rel);
	return p;
}

/*
 * sync's private git indexes, one per host, from which the git view's
 * .git/index is copied, live in .git, which only the account that runs
 * git writes.  In .state/sync, which every member of the group writes, a
 * member could put an index there whose entries name blobs of their
 * choice with the files' own stat data: git takes such an entry for the
 * file (when commits went through these indexes, the commit held it:
 * tests/privsep-git.bats).  The path, or NULL and errget().
 */
#define PRIVATE_INDEX_DIR ".git/logbook"
static char *private_index(struct journal *j, const char *name)
{
	char *dir = abs_journal_path(j, PRIVATE_INDEX_DIR), *p;
	struct stat st;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		errset_sys("%s", dir);
		free(dir);
		return NULL;
	}
	/* .git is this account's: what is there is its own, or git's view of it is not to be trusted either */
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		errset("%s: not a directory of this account's alone: refused", dir);
		free(dir);
		return NULL;
	}
	p = fs_join(dir, name);
	free(dir);
	return p;
}

/* older than any update git makes while holding a ref's lock */
#define STALE_REF_LOCK_SECONDS 10

/*
 * A git killed halfway through moving a ref (a sync killed with SIGKILL,
 * the machine losing power) leaves its lock file, and every later git
 * that moves that ref fails ("cannot lock ref") until someone removes
 * it: this host's ref, updated by sync, also takes HEAD.lock for HEAD's
 * reflog.  Under the sync lock, the lock files of HEAD and of the refs
 * sync moves are stale once older than any update: removed.  A younger
 * one may be a git at work (one a killed sync left running), and stays.
 */
static void remove_stale_ref_locks(struct journal *j)
{
	/* where, and which lock files (NULL: every one); .git/index.lock is an admin's git's as often as not */
	static const struct {
		const char *dir, *only;
	} places[] = { { ".git", "HEAD.lock" }, { ".git/refs/heads", "team.lock" }, { ".git/refs/heads/hosts", NULL } };
	char *gitdir = abs_journal_path(j, ".git");
	struct stat st;
	time_t now = time(NULL);

	/* only in the .git of this account (sync runs as its owner; another account asks for a sync) */
	if (lstat(gitdir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		free(gitdir);
		return;
	}
	free(gitdir);
	for (size_t i = 0; i < sizeof places / sizeof *places; i++) {
		char *dir = abs_journal_path(j, places[i].dir);
		DIR *d = opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			size_t len = strlen(e->d_name);
			if (places[i].only ? strcmp(e->d_name, places[i].only) != 0
					   : len <= 5 || strcmp(e->d_name + len - 5, ".lock") != 0)
				continue;
			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
			    now - st.st_mtime > STALE_REF_LOCK_SECONDS)
				unlinkat(dirfd(d), e->d_name, 0);
		}
		if (d)
			closedir(d);
		free(dir);
	}
}

int replica_lock(struct journal *j)
{
	char *path;
	int fd;

	if (journal_mkdirs(j, REPLICA_STATE) < 0)
		return -1;
	path = state_path(j, "lock");
	/* any member may have made the lock first; never through a link they planted */
	fd = fs_open_below(j->dir, REPLICA_STATE "/lock", O_RDWR | O_CREAT, journal_file_mode(j), FS_BELOW_ANY_OWNER);
	if (fd < 0) {
		free(path);
		return -1;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			errset_sys("%s: lock", path);
			close(fd);
			free(path);
			return -1;
		}
	}
	journal_fix_mode(j, fd);
	/*
	 * We hold the lock: an index lock left by a sync that was killed is
	 * stale; so are the private indexes an older logbook kept in
	 * .state/sync (now in .git: private_index) and its index for
	 * team.conf (commits no longer go through an index).
	 */
	for (int k = 0; k < 2; k++) {
		char *dir = k ? abs_journal_path(j, PRIVATE_INDEX_DIR) : state_path(j, "");
		DIR *d = opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			size_t len = strlen(e->d_name);
			if (!strncmp(e->d_name, "index", 5) && len > 5 &&
			    (!k || !strcmp(e->d_name + len - 5, ".lock") || !strcmp(e->d_name, "index-team"))) {
				char *p = fs_join(dir, e->d_name);
				unlink(p);
				free(p);
			}
		}
		if (d)
			closedir(d);
		free(dir);
	}
	remove_stale_ref_locks(j);
	free(path);
	return fd;
}

/* ---- committing ---- */

/*
 * ---- nothing to commit ----
 *
 * .state/sync/commit.<host> says "<commit> <digest>\n": the commit git
 * last found or made for host's files, and a digest of their stat data
 * read just before git read them (each path, size, mode, inode, device,
 * change and modification times).  While the ref is that commit and the
 * digest is the same, update-index and write-tree would make its tree
 * again, and are not run.  Trusted only when every file last changed
 * before the stamp was written (its own modification time, on the same
 * file system: git's "racily clean" rule), so that a rewrite that keeps
 * a file's size within one tick of the clock cannot hide behind an
 * unchanged stat.  Only the owner of .git writes it (0600, and read only
 * when it is ours); one that is missing or wrong costs the two gits.
 */
#define COMMIT_STAMP REPLICA_STATE "/commit."

/* host's record files as one look at the journal found them (host_scan) */
struct host_scan {
	struct buf names;		/* their relative paths, oldest first, each ending in '\0' */
	char **paths;			/* pointers into names */
	bool *regular;			/* paths[i] is a regular file (not a link, a FIFO, a directory) */
	size_t n;
	bool stat_ok;			/* every one's stat data was read: stats, digest and newest hold */
	struct buf stats;		/* each one's path, '\0', then its stat data as STAT_NUMBERS int64_t */
	char digest[KEYRING_OID_LEN + 1];
	struct timespec newest;		/* the newest change or modification time among them */
};

/* size, mode, inode, device, change and modification times (seconds, nanoseconds) */
#define STAT_NUMBERS 8

static void host_scan_free(struct host_scan *s)
{
	buf_release(&s->stats);
	buf_release(&s->names);
	free(s->paths);
	free(s->regular);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the names in the directory dfd (closed) that keep accepts, sorted, one allocation; -1 when it cannot be read */
static int names_at(int dfd, bool (*keep)(const char *name, const void *arg), const void *arg, struct buf *b,
		    char ***v, size_t *n)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	size_t cap = 0, *off = NULL;

	*v = NULL;
	*n = 0;
	if (!d) {
		close(dfd);
		return -1;
	}
	buf_reset(b);
	while ((e = readdir(d))) {
		if (!keep(e->d_name, arg))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 512;
			off = xreallocarray(off, cap, sizeof *off);
		}
		off[(*n)++] = b->len;
		buf_add(b, e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);
	*v = xreallocarray(NULL, *n ? *n : 1, sizeof **v);
	for (size_t i = 0; i < *n; i++)
		(*v)[i] = b->data + off[i];
	free(off);
	qsort(*v, *n, sizeof **v, cmp_name);
	return 0;
}

static bool newer(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/*
 * Host's record files, oldest first, and the digest of their stat data,
 * in one look: the years and days listed (sorted) as they are now, then
 * one lstat of host's file in each day, relative to its year's
 * directory.  Every name that is there counts, whatever it is (a link
 * too, as git would take it); a year that cannot be listed has none.
 * -1 when the journal's directory cannot be read.
 */
static int host_scan(struct journal *j, const char *host, struct host_scan *s)
{
	struct buf ybuf = BUF_INIT, dbuf = BUF_INIT;
	char **years, **days, file[STORE_HOST_MAX + 8];
	size_t ny, nd, *off = NULL, cap = 0;
	int root;

	memset(s, 0, sizeof *s);
	s->stat_ok = true;
	snprintf(file, sizeof file, "%s.jsonl", host);
	if ((root = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    names_at(dup(root), store_is_year, NULL, &ybuf, &years, &ny) < 0) {
		errset_sys("%s", j->dir);
		if (root >= 0)
			close(root);
		buf_release(&ybuf);
		return -1;
	}
	for (size_t y = 0; y < ny; y++) {
		int yfd = openat(root, years[y], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (yfd < 0 || names_at(dup(yfd), store_is_day_of, years[y], &dbuf, &days, &nd) < 0) {
			if (yfd >= 0)
				close(yfd);
			continue;
		}
		for (size_t d = 0; d < nd; d++) {
			char rel[DAY_LEN + 1 + sizeof file];
			struct stat st;
			snprintf(rel, sizeof rel, "%s/%s", days[d], file);
			if (fstatat(yfd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				/* not there; one that is there but cannot be looked at spoils the digest */
				s->stat_ok &= errno == ENOENT || errno == ENOTDIR;
				continue;
			}
			if (s->n == cap) {
				cap = cap ? cap * 2 : 1024;
				off = xreallocarray(off, cap, sizeof *off);
				s->regular = xreallocarray(s->regular, cap, sizeof *s->regular);
			}
			s->regular[s->n] = S_ISREG(st.st_mode);
			off[s->n++] = s->names.len;
			buf_add(&s->names, years[y], 4);
			buf_addc(&s->names, '/');
			buf_add(&s->names, rel, strlen(rel) + 1);
			{
				/* the stat data, as numbers: no text to make per file */
				int64_t v[STAT_NUMBERS] = { (int64_t)st.st_size, (int64_t)st.st_mode, (int64_t)st.st_ino,
						 (int64_t)st.st_dev, (int64_t)st.st_ctim.tv_sec, st.st_ctim.tv_nsec,
						 (int64_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec };
				buf_add(&s->stats, s->names.data + off[s->n - 1], 4 + 1 + strlen(rel) + 1);
				buf_add(&s->stats, v, sizeof v);
			}
			if (newer(&st.st_mtim, &s->newest))
				s->newest = st.st_mtim;
			if (newer(&st.st_ctim, &s->newest))
				s->newest = st.st_ctim;
		}
		free(days);
		close(yfd);
	}
	free(years);
	close(root);
	buf_release(&ybuf);
	buf_release(&dbuf);
	s->paths = xreallocarray(NULL, s->n ? s->n : 1, sizeof *s->paths);
	if (!s->regular)
		s->regular = xreallocarray(NULL, 1, sizeof *s->regular);
	for (size_t i = 0; i < s->n; i++)
		s->paths[i] = s->names.data + off[i];
	free(off);
	if (s->stat_ok)
		keyring_object_id("blob", s->stats.data ? s->stats.data : "", s->stats.len, s->digest);
	return 0;
}

/* does host's stamp say commit already holds the files as digest says they are? */
static bool stamp_holds(struct journal *j, const char *host, const char *commit, const char *digest,
			const struct timespec *newest)
{
	char *rel = xasprintf(COMMIT_STAMP "%s", host), *want = xasprintf("%s %s\n", commit, digest);
	int fd = fs_open_below(j->dir, rel, O_RDONLY | O_NONBLOCK, 0, 0);
	struct buf b = BUF_INIT;
	struct stat st;
	bool holds = false;

	if (fd >= 0) {
		/* ours alone: in a journal the group writes, a member could otherwise plant one */
		holds = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
			fs_read_fd(fd, &b, 4096) == 0 &&
			!strcmp(buf_str(&b), want) &&
			(newest->tv_sec < st.st_mtim.tv_sec ||
			 (newest->tv_sec == st.st_mtim.tv_sec && newest->tv_nsec < st.st_mtim.tv_nsec));
		close(fd);
	}
	buf_release(&b);
	free(want);
	free(rel);
	return holds;
}

/* note that commit holds host's files as digest says; one that cannot be written costs the next sync two gits */
static void stamp_write(struct journal *j, const char *host, const char *commit, const char *digest)
{
	char *rel = xasprintf(COMMIT_STAMP "%s", host), *text = xasprintf("%s %s\n", commit, digest);

	(void)fs_write_atomic_below(j->dir, rel, text, strlen(text), 0600, FS_ATOMIC_NO_SYNC | FS_ATOMIC_BREAK_LOCK);
	free(text);
	free(rel);
}

/*
 * .state/sync/files.<host>: "logbook-files 1 <commit>\n", then the
 * stats of host_scan that the stamp's digest was made of, written with
 * the stamp.  When the stamp is not believed, git update-index is given
 * only the files that may differ from that commit (files_changed)
 * rather than all ~3,650: the others are what its tree and the private
 * index hold.  The stamp's rules: ours alone, tied to the commit the ref
 * still names, a file changed in the tick the list was written counts
 * as changed.
 */
#define FILES_LIST REPLICA_STATE "/files."
#define FILES_MAGIC "logbook-files 1 "

static void files_write(struct journal *j, const char *host, const char *commit, const struct host_scan *s)
{
	char *rel = xasprintf(FILES_LIST "%s", host);
	struct buf b = BUF_INIT;

	buf_addf(&b, FILES_MAGIC "%s\n", commit);
	buf_add(&b, s->stats.data ? s->stats.data : "", s->stats.len);
	(void)fs_write_atomic_below(j->dir, rel, b.data, b.len, 0600, FS_ATOMIC_NO_SYNC | FS_ATOMIC_BREAK_LOCK);
	buf_release(&b);
	free(rel);
}

/* the next entry of stats at *p (its path, its numbers), false at the end or when it is cut */
static bool next_stat(const char **p, const char *end, const char **path, int64_t v[STAT_NUMBERS])
{
	const char *nul;

	if (*p >= end || !(nul = memchr(*p, '\0', (size_t)(end - *p))) ||
	    (size_t)(end - nul - 1) < STAT_NUMBERS * sizeof *v)
		return false;
	*path = *p;
	memcpy(v, nul + 1, STAT_NUMBERS * sizeof *v);
	*p = nul + 1 + STAT_NUMBERS * sizeof *v;
	return true;
}

/* is the time (seconds, nanoseconds) strictly before t? */
static bool before(int64_t sec, int64_t nsec, const struct timespec *t)
{
	return sec < (int64_t)t->tv_sec || (sec == (int64_t)t->tv_sec && nsec < t->tv_nsec);
}

/*
 * The paths of s that may differ from what commit holds, by host's list:
 * one the list lacks, with other stat data, or changed (or modified) not
 * strictly before the list was written.  NULL when the list cannot be
 * used (missing, not ours, of another commit, cut): then every path.
 */
static const char **files_changed(struct journal *j, const char *host, const char *commit, const struct host_scan *s,
				  size_t *n)
{
	char *rel = xasprintf(FILES_LIST "%s", host), *head = xasprintf(FILES_MAGIC "%s\n", commit);
	int fd = fs_open_below(j->dir, rel, O_RDONLY | O_NONBLOCK, 0, 0);
	const char **v = NULL, *p, *end, *q, *qend, *old = NULL, *path;
	struct buf b = BUF_INIT;
	struct stat st;
	int64_t num[STAT_NUMBERS], onum[STAT_NUMBERS];
	bool ok, more;

	free(rel);
	*n = 0;
	ok = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	     fs_read_fd(fd, &b, 256 * 1024 * 1024) == 0 && b.len >= strlen(head) &&
	     !memcmp(b.data, head, strlen(head));
	if (fd >= 0)
		close(fd);
	if (!ok) {
		buf_release(&b);
		free(head);
		return NULL;
	}
	p = b.data + strlen(head);
	end = b.data + b.len;
	q = s->stats.data;
	qend = q + s->stats.len;
	v = xreallocarray(NULL, s->n ? s->n : 1, sizeof *v);
	more = next_stat(&p, end, &old, onum);
	for (size_t i = 0; i < s->n && ok; i++) {
		bool same = false;
		if (!next_stat(&q, qend, &path, num)) {
			ok = false;
			break;
		}
		/* both lists go in path order */
		while (more && strcmp(old, path) < 0)
			more = next_stat(&p, end, &old, onum);
		if (more && !strcmp(old, path))
			same = !memcmp(num, onum, sizeof num) && before(num[4], num[5], &st.st_mtim) &&
			       before(num[6], num[7], &st.st_mtim);
		if (!same)
			v[(*n)++] = s->paths[i];
	}
	buf_release(&b);
	free(head);
	if (!ok) {
		free(v);
		*n = 0;
		return NULL;
	}
	return v;
}

/* the chain's lock taken and host's files scanned into t and files; -1 and errget() */
static int scan_host(struct journal *j, const char *host, struct store_warnings *w, struct store_txn **t,
		     struct host_scan *files)
{
	/* the chain's lock: no writer is halfway through a line while the files are read */
	if (!(*t = store_begin(j, host, w)))
		return -1;
	/* the files' stat data before git reads them: a change after that is newer than the stamp */
	if (host_scan(j, host, files) < 0) {
		store_abort(*t);
		*t = NULL;
		return -1;
	}
	return 0;
}

/*
 * The paths of list (s->paths, or a part of it in the same order) that
 * are regular files as s found them.  A link or a FIFO in a record
 * file's place is a member's doing, never logbook's: it is left out of
 * the commit with a warning, and the other files go on to the replicas.
 */
static const char **regular_files(struct journal *j, const struct host_scan *s, const char *const *list, size_t n,
				  size_t *nkeep, struct store_warnings *w)
{
	const char **keep = xreallocarray(NULL, n ? n : 1, sizeof *keep);
	size_t i = 0;

	*nkeep = 0;
	for (size_t k = 0; k < n; k++) {
		while (i < s->n && s->paths[i] != list[k])
			i++;
		if (i < s->n && !s->regular[i])
			warnf(w, "%s/%s: not a regular file (a link or a FIFO in its place): "
				 "left out of the commit of this host's records", j->dir, list[k]);
		else
			keep[(*nkeep)++] = list[k];
	}
	return keep;
}

/*
 * The last commit replica_commit_host made, for the git view
 * (view_index_update): the commit it moved from, the one it made, and
 * the index entries of the files it changed.
 */
static struct {
	char *host, *old, *made;
	struct buf entries;
} last_commit;

static void last_commit_set(const char *host, const char *old, const char *made, struct buf *entries)
{
	free(last_commit.host);
	free(last_commit.old);
	free(last_commit.made);
	buf_release(&last_commit.entries);
	last_commit.host = host ? xstrdup(host) : NULL;
	last_commit.old = old ? xstrdup(old) : NULL;
	last_commit.made = made ? xstrdup(made) : NULL;
	if (entries) {
		last_commit.entries = *entries;
		*entries = (struct buf)BUF_INIT;
	}
}

int replica_commit_host(struct journal *j, const char *host, struct store_warnings *w)
{
	struct store_txn *t;
	struct host_scan files;
	char *ref, *msg, *old, *made = NULL, *tree = NULL;
	int rc;

	if (scan_host(j, host, w, &t, &files) < 0)
		return -1;
	if (files.n == 0) {
		store_abort(t);
		host_scan_free(&files);
		return 0;
	}
	ref = xasprintf("%s%s", REPLICA_HOSTS_REF, host);
	msg = xasprintf("logbook: %s up to seq %lld", host, (long long)store_head_seq(t));
	old = ref_commit(j, ref);
	if (files.stat_ok && old && stamp_holds(j, host, old, files.digest, &files.newest)) {
		rc = 0;
	} else {
		size_t nchanged = 0;
		const char **changed = files.stat_ok && old ? files_changed(j, host, old, &files, &nchanged) : NULL;
		struct buf entries = BUF_INIT;
		size_t nkeep = 0;
		const char **keep = regular_files(j, &files, changed ? changed : (const char *const *)files.paths,
						  changed ? nchanged : files.n, &nkeep, w);
		/* logbook's own objects and one update-ref; git fast-import for what that does not do */
		char *name = xasprintf("trees.%s", host), *cache = private_index(j, name);
		rc = gitobj_commit(j->dir, ref, old, ref_tree(j, ref, old), keep, nkeep, msg, cache, &made, &tree,
				   &entries);
		if (rc == GITOBJ_NOT_HERE)
			rc = git_commit_files(j->dir, ref, old, keep, nkeep, msg, &made, &tree, &entries);
		free(cache);
		free(name);
		free(keep);
		/* the commit git found or made holds the files as they were when their stat was read, or newer ones */
		if (rc >= 0 && files.stat_ok && made) {
			stamp_write(j, host, made, files.digest);
			files_write(j, host, made, &files);
		}
		if (rc > 0 && made && tree) {
			snap_committed(j, ref, made, tree, old);
			last_commit_set(host, old, made, &entries);
		} else if (rc != 0) {
			refs_moved();
		}
		buf_release(&entries);
		free(changed);
		free(made);
		free(tree);
	}
	store_abort(t);
	host_scan_free(&files);
	free(ref);
	free(old);
	free(msg);
	return rc;
}

/* the lines .git/info/exclude holds for host, after the first one (git's own comments) */
#define EXCLUDE_MARK "# logbook: what this host's ref (HEAD) does not hold\n"

/*
 * What "git symbolic-ref -q HEAD" prints ("refs/heads/...\n"), read from
 * .git/HEAD when it is the plain "ref: <name>" git's files backend
 * writes; git's answer otherwise.  git's exit status.
 */
static int head_symref(struct journal *j, struct buf *out)
{
	const char *symref[] = { "symbolic-ref", "-q", "HEAD", NULL };
	int fd = fs_open_below(j->dir, ".git/HEAD", O_RDONLY, 0, 0);
	struct buf b = BUF_INIT;
	const char *name;

	if (fd >= 0) {
		if (fs_read_fd(fd, &b, 4096) < 0)
			buf_reset(&b);
		close(fd);
	}
	name = buf_str(&b) + 5;
	/* refs/heads/.invalid: the reftable backend's, whose HEAD is elsewhere */
	if (!strncmp(buf_str(&b), "ref: refs/", 10) && b.len > 6 && b.data[b.len - 1] == '\n' &&
	    strcspn(name, " \t\r\n") == b.len - 6 && strcmp(name, "refs/heads/.invalid\n") != 0) {
		buf_add(out, name, b.len - 5);
		buf_release(&b);
		return 0;
	}
	buf_release(&b);
	return git_run(j->dir, NULL, out, NULL, symref);
}

/*
 * After a commit of host's files: .git/index becomes a copy of the
 * private index (view_index_update: what `git read-tree <ref>` would
 * make, with the stat data of the files git read before), under git's
 * own lock, .git/index.lock.  git read-tree reads every tree of the ref,
 * 3,650 at ten years, every time.  Only a private index of ours is
 * copied; -1 when none is (git read-tree then does it).
 */
static int view_index_copy(struct journal *j, const char *host)
{
	char *rel = xasprintf(PRIVATE_INDEX_DIR "/index.%s", host), *lock = journal_path(j, ".git/index.lock"),
	     *dst = journal_path(j, ".git/index");
	struct buf b = BUF_INIT;
	struct stat st, old;
	int in = fs_open_below(j->dir, rel, O_RDONLY | O_CLOEXEC, 0, 0), out = -1, rc = -1;

	if (in < 0 || fstat(in, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    fs_read_fd(in, &b, 1024 * 1024 * 1024) < 0 || lstat(dst, &old) < 0 || !S_ISREG(old.st_mode))
		goto out;
	/* git's lock: a git command of the admin's that holds it wins */
	if ((out = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		goto out;
	if (fchmod(out, old.st_mode & 07777) < 0 || fs_write_all(out, b.data, b.len) < 0 || close(out) < 0) {
		out = -1;
		unlink(lock);
		goto out;
	}
	out = -1;
	if (rename(lock, dst) < 0) {
		unlink(lock);
		goto out;
	}
	rc = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	buf_release(&b);
	free(rel);
	free(lock);
	free(dst);
	return rc;
}

/*
 * The private index brought to the commit replica_commit_host just made
 * for host: given the entries of the files that commit changed when the
 * index was written for the commit it moved from (index.<host>.at says
 * which), else read anew from the commit's tree (git read-tree: every
 * tree of the ref, once).  -1 and errget().
 */
static int view_index_update(struct journal *j, const char *host)
{
	char *name = xasprintf("index.%s", host), *index = private_index(j, name),
	     *at_rel = xasprintf(PRIVATE_INDEX_DIR "/index.%s.at", host);
	struct buf at = BUF_INIT;
	int rc = -1, fd;

	if (!index || !last_commit.host || strcmp(last_commit.host, host) != 0)
		goto out;
	if ((fd = fs_open_below(j->dir, at_rel, O_RDONLY | O_CLOEXEC, 0, 0)) >= 0) {
		if (fs_read_fd(fd, &at, 256) < 0)
			buf_reset(&at);
		close(fd);
	}
	if (!last_commit.old || strcmp(buf_str(&at), last_commit.old) != 0)
		unlink(index);
	if (git_index_entries(j->dir, index, last_commit.made, &last_commit.entries) < 0) {
		unlink(index);
		goto out;
	}
	rc = fs_write_atomic_below(j->dir, at_rel, last_commit.made, strlen(last_commit.made), 0600,
				   FS_ATOMIC_NO_SYNC | FS_ATOMIC_BREAK_LOCK);
out:
	buf_release(&at);
	free(at_rel);
	free(index);
	free(name);
	return rc;
}

int replica_git_view(struct journal *j, const char *host, bool committed)
{
	char *ref = xasprintf("%s%s", REPLICA_HOSTS_REF, host), *have = NULL, *index = journal_path(j, ".git/index");
	struct buf out = BUF_INIT, exclude = BUF_INIT;
	int rc = 0, fd;

	/* git init's unborn branch, never committed to: nobody chose it */
	if (head_symref(j, &out) == 0 && !strcmp(buf_str(&out), "refs/heads/main\n") &&
	    !(have = ref_commit(j, "refs/heads/main"))) {
		const char *set[] = { "symbolic-ref", "-m", "logbook sync", "HEAD", ref, NULL };
		if (git_run(j->dir, NULL, NULL, NULL, set) != 0) {
			errset("git symbolic-ref HEAD %s failed", ref);
			rc = -1;
		}
		buf_reset(&out);
		head_symref(j, &out);
	}
	free(have);
	/* the default index follows HEAD when HEAD is this host's ref */
	if (!strncmp(buf_str(&out), ref, strlen(ref)) && !strcmp(buf_str(&out) + strlen(ref), "\n") &&
	    (committed || !fs_exists(index)) && (have = ref_commit(j, ref))) {
		const char *read[] = { "read-tree", ref, NULL };
		if (!(committed && fs_exists(index) && view_index_update(j, host) == 0 && view_index_copy(j, host) == 0) &&
		    git_run(j->dir, NULL, NULL, NULL, read) != 0) {
			errset("git read-tree %s failed", ref);
			rc = -1;
		}
		free(have);
	}
	buf_release(&out);
	fd = fs_open_below(j->dir, ".git/info/exclude", O_RDONLY, 0, 0);
	if (fd >= 0 ? fs_read_fd(fd, &exclude, 0) < 0 : errno != ENOENT) {
		errset_sys(".git/info/exclude");
		rc = -1;
	} else if (!strstr(buf_str(&exclude), EXCLUDE_MARK)) {
		/* what git init wrote stays; the year directories hold every host's files */
		if (exclude.len && exclude.data[exclude.len - 1] != '\n')
			buf_addc(&exclude, '\n');
		buf_addf(&exclude, EXCLUDE_MARK "/" JOURNAL_CONF "\n/.gitignore\n"
			 "/[0-9][0-9][0-9][0-9]/*/*.jsonl\n!/[0-9][0-9][0-9][0-9]/*/%s.jsonl\n", host);
		if (journal_mkdirs(j, ".git/info") < 0 ||
		    fs_write_atomic_below(j->dir, ".git/info/exclude", exclude.data, exclude.len, 0644, 0) < 0)
			rc = -1;
	}
	if (fd >= 0)
		close(fd);
	buf_release(&exclude);
	free(index);
	free(ref);
	return rc;
}

/* the blob id of rev:path, NULL when there is none */
static char *blob_of(struct journal *j, const char *rev, const char *path)
{
	char *spec = xasprintf("%s:%s", rev, path);
	const char *args[] = { "rev-parse", "-q", "--verify", spec, NULL };
	struct buf out = BUF_INIT;
	/* an object id names the same tree for ever: asked of git once a sync */
	bool id = snap.j == j && strlen(rev) >= KEYRING_OID_LEN && strspn(rev, "0123456789abcdef") == strlen(rev);
	int rc;

	for (size_t i = 0; id && i < snap.nblob; i++) {
		if (!strcmp(snap.spec[i], spec)) {
			free(spec);
			return xstrdup(snap.blob[i]);
		}
	}
	rc = git_run(j->dir, NULL, &out, NULL, args);
	if (rc != 0 || !out.len) {
		free(spec);
		buf_release(&out);
		return NULL;
	}
	while (out.len && out.data[out.len - 1] == '\n')
		buf_truncate(&out, out.len - 1);
	if (id) {
		snap.spec = xreallocarray(snap.spec, snap.nblob + 1, sizeof *snap.spec);
		snap.blob = xreallocarray(snap.blob, snap.nblob + 1, sizeof *snap.blob);
		snap.spec[snap.nblob] = spec;
		snap.blob[snap.nblob++] = xstrdup(buf_str(&out));
		spec = NULL;
	}
	free(spec);
	return buf_detach(&out, NULL);
}

/*
 * The blob id of rel (a regular file) as its bytes are, when git's
 * filters would leave them so (no CR, NUL or $Id in them: end-of-line
 * and ident conversion); false otherwise.
 */
static bool raw_blob_id(struct journal *j, const char *rel, char id[KEYRING_OID_LEN + 1])
{
	/* O_NONBLOCK: a FIFO there must not hold the sync */
	int fd = fs_open_below(j->dir, rel, O_RDONLY | O_NONBLOCK, 0, FS_BELOW_ANY_OWNER);
	struct buf b = BUF_INIT;
	bool ok = false;
	struct stat st;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fs_read_fd(fd, &b, 4 * 1024 * 1024) == 0 &&
	    !memchr(buf_str(&b), '\r', b.len) && strlen(buf_str(&b)) == b.len && !strstr(buf_str(&b), "$Id")) {
		keyring_object_id("blob", buf_str(&b), b.len, id);
		ok = true;
	}
	close(fd);
	buf_release(&b);
	return ok;
}

/* is tree the tree of a team commit that holds team.conf as blob and nothing else? */
static bool team_tree_is(const char *tree, const char *blob)
{
	char id[KEYRING_OID_LEN + 1];
	struct buf t = BUF_INIT;

	keyring_tree(blob, &t);
	keyring_object_id("tree", t.data, t.len, id);
	buf_release(&t);
	return tree && !strcmp(tree, id);
}

/* has team.conf changed since the commit written into the work tree? */
static int team_changed_here(struct journal *j, const char *written)
{
	const char *args[] = { "hash-object", "--", JOURNAL_CONF, NULL };
	char raw[KEYRING_OID_LEN + 1];
	bool have_raw;
	struct buf out = BUF_INIT;
	char *old;
	int rc;

	if (!written)
		return 1;
	/*
	 * the bytes as they are make the tree written, or its blob: unchanged,
	 * with no git (which hashes what its filters make of the file: the
	 * same bytes, for a file raw_blob_id takes)
	 */
	have_raw = raw_blob_id(j, JOURNAL_CONF, raw);
	if (have_raw && team_tree_is(ref_tree(j, WRITTEN_REF "team", written), raw))
		return 0;
	old = blob_of(j, written, JOURNAL_CONF);
	if (old && have_raw && !strcmp(old, raw)) {
		free(old);
		return 0;
	}
	if (git_run(j->dir, NULL, &out, NULL, args) != 0) {
		buf_release(&out);
		free(old);
		errset("git hash-object %s failed", JOURNAL_CONF);
		return -1;
	}
	while (out.len && out.data[out.len - 1] == '\n')
		buf_truncate(&out, out.len - 1);
	rc = !old || strcmp(old, buf_str(&out)) != 0;
	free(old);
	buf_release(&out);
	return rc;
}

/* team.conf as commit rev holds it, parsed; NULL when it has none */
static struct conf *conf_at(struct journal *j, const char *rev)
{
	char *id = blob_of(j, rev, JOURNAL_CONF);
	struct buf b = BUF_INIT;
	struct conf *c = NULL;

	if (id && git_blob(j->dir, id, &b) == 0)
		c = conf_parse(JOURNAL_CONF, b.data ? b.data : "", b.len);
	buf_release(&b);
	free(id);
	return c;
}

/* keyring_save of team.conf as rev holds it: rev is a head of the team ref the history was checked to */
static int save_keyring(struct journal *j, const char *rev)
{
	char *id = NULL, *path = journal_path(j, JOURNAL_KEYRING);
	char have[KEYRING_OID_LEN + 1] = "";
	struct buf b = BUF_INIT;
	int rc = 0;

	/* most syncs move nothing: when the copy already is that blob, no second git and no write */
	if (fs_read_file(path, &b) == 0)
		keyring_object_id("blob", b.data ? b.data : "", b.len, have);
	buf_reset(&b);
	/* and when the team ref's tree is the one that blob makes, no git at all */
	if (have[0] && team_tree_is(ref_tree(j, REPLICA_TEAM_REF, rev), have)) {
		buf_release(&b);
		free(path);
		return 0;
	}
	id = blob_of(j, rev, JOURNAL_CONF);
	if (!id) {
		errset("the team ref at %.12s holds no %s", rev, JOURNAL_CONF);
		rc = -1;
	} else if (strcmp(have, id) &&
		   (git_blob(j->dir, id, &b) < 0 || keyring_save(j->dir, b.data ? b.data : "", b.len) < 0)) {
		rc = -1;
	}
	buf_release(&b);
	free(path);
	free(id);
	return rc;
}

/* the text of commit id */
static int commit_text(struct journal *j, const char *id, struct buf *out)
{
	const char *args[] = { "cat-file", "commit", id, NULL };

	if (git_run(j->dir, NULL, out, NULL, args) != 0) {
		errset("git cat-file commit %.12s failed", id);
		return -1;
	}
	return 0;
}

/* whether commit id carries a signature (the signed keyring has begun at it) */
static int commit_signed(struct journal *j, const char *id)
{
	struct buf b = BUF_INIT;
	int rc = commit_text(j, id, &b);

	if (rc == 0)
		rc = strstr(buf_str(&b), "\ngpgsig ") != NULL;
	buf_release(&b);
	return rc;
}

/*
 * May the team ref move from base (NULL: none) to head on a replica with
 * the root of trust pinned?  Every commit between them is signed; the
 * first signed one of the history by the pinned key, each later one by a
 * key its parent's team.conf lists as valid at its time; a merge or a
 * history that does not descend from base is refused.  0 yes, 1 no (*why),
 * -1 failure.
 */
static int check_keyring_history(struct journal *j, const char *pin, const char *base, const char *head, char **why)
{
	char *range = base ? xasprintf("%s..%s", base, head) : xstrdup(head);
	const char *args[] = { "rev-list", "--reverse", "--topo-order", range, NULL };
	struct buf list = BUF_INIT, text = BUF_INIT;
	int rc = 0, anc, signed_before = base ? commit_signed(j, base) : 0;

	*why = NULL;
	if (signed_before < 0) {
		rc = -1;
		goto out;
	}
	if (base && (anc = is_ancestor(j, base, head)) != 1) {
		if (anc < 0)
			rc = -1;
		else
			*why = xasprintf("%.12s does not descend from %.12s, the keyring's history here", head, base);
		rc = rc < 0 ? -1 : 1;
		goto out;
	}
	if (git_run(j->dir, NULL, &list, NULL, args) != 0) {
		errset("git rev-list %s failed", range);
		rc = -1;
		goto out;
	}
	for (char *id = list.data, *nl; id && *id && rc == 0; id = nl ? nl + 1 : NULL) {
		char tree[KEYRING_OID_LEN + 1], parent[KEYRING_OID_LEN + 1], fp[SIG_FINGERPRINT_SIZE], *why1 = NULL;
		struct buf payload = BUF_INIT, armored = BUF_INIT;
		struct conf *keyring = NULL;
		int64_t when;
		int ok;

		if ((nl = strchr(id, '\n')))
			*nl = '\0';
		buf_reset(&text);
		if (commit_text(j, id, &text) < 0) {
			rc = -1;
			break;
		}
		ok = keyring_parse(text.data, text.len, &payload, &armored, tree, parent, &when);
		buf_release(&payload);
		if (ok < 0) {
			*why = xasprintf("%.12s: %s", id, errget());
			rc = 1;
		} else if (!armored.len && !signed_before && !pin) {
			/* a history from before the team signed: nothing to check yet */
		} else if (!armored.len) {
			*why = xasprintf("%.12s changes team.conf without a signature", id);
			rc = 1;
		} else {
			if (signed_before && parent[0])
				keyring = conf_at(j, parent);
			ok = keyring_check(text.data, text.len, keyring, signed_before ? NULL : pin, fp, &why1);
			if (ok) {
				*why = xasprintf("%.12s: %s", id, why1);
				rc = 1;
			}
			signed_before = 1;
		}
		buf_release(&armored);
		conf_free(keyring);
		free(why1);
	}
out:
	buf_release(&list);
	buf_release(&text);
	free(range);
	return rc;
}

int replica_check_team(struct journal *j, size_t *changes, char **why)
{
	const char *args[] = { "rev-list", "--reverse", "--topo-order", REPLICA_TEAM_REF, NULL };
	char *pin = keyring_pinned(j->dir), *head = NULL, *base = NULL;
	struct buf list = BUF_INIT, text = BUF_INIT;
	bool first = false;
	int rc = -1;

	*changes = 0;
	*why = NULL;
	if (!pin)
		return 0;
	if (!(head = ref_commit(j, REPLICA_TEAM_REF))) {
		/* git may not run here at all: that is not a missing ref */
		if (git_check_dir(j->dir, NULL) == GIT_TRUSTED) {
			*why = xasprintf("this replica trusts %s, but has no team ref", pin);
			rc = 1;
		}
		goto out;
	}
	if (git_run(j->dir, NULL, &list, NULL, args) != 0) {
		errset("git rev-list %s failed", REPLICA_TEAM_REF);
		goto out;
	}
	/* the history before the team signed is nobody's: the check starts at the parent of the first signed commit */
	for (char *id = list.data, *nl; id && *id; id = nl ? nl + 1 : NULL) {
		struct buf payload = BUF_INIT, armored = BUF_INIT;
		char tree[KEYRING_OID_LEN + 1], parent[KEYRING_OID_LEN + 1];
		int64_t when;

		if ((nl = strchr(id, '\n')))
			*nl = '\0';
		buf_reset(&text);
		if (commit_text(j, id, &text) < 0)
			goto out;
		if (keyring_parse(text.data, text.len, &payload, &armored, tree, parent, &when) == 0 && armored.len) {
			if (!first && parent[0])
				base = xstrdup(parent);
			first = true;
			(*changes)++;
		}
		buf_release(&payload);
		buf_release(&armored);
	}
	if (!first) {
		*why = xasprintf("this replica trusts %s, but no change of the team ref is signed", pin);
		rc = 1;
		goto out;
	}
	rc = check_keyring_history(j, pin, base, head, why);
out:
	buf_release(&list);
	buf_release(&text);
	free(base);
	free(head);
	free(pin);
	return rc;
}

/* store data as a git object of type through .state/sync/object.<type>; -1 unless git names it want */
static int write_object(struct journal *j, const char *type, const void *data, size_t len, const char *want)
{
	char *rel = xasprintf(REPLICA_STATE "/object.%s", type);
	const char *args[] = { "hash-object", "-w", "--no-filters", "-t", type, "--", rel, NULL };
	struct buf out = BUF_INIT;
	int rc = -1;

	if (fs_write_atomic_below(j->dir, rel, data, len, 0600, FS_ATOMIC_NO_SYNC) < 0)
		goto out;
	if (git_run(j->dir, NULL, &out, NULL, args) != 0) {
		errset("git hash-object -t %s failed", type);
		goto out;
	}
	if (strncmp(buf_str(&out), want, KEYRING_OID_LEN) != 0) {
		errset("git stored the %s as %.12s, not %.12s", type, buf_str(&out), want);
		goto out;
	}
	rc = 0;
out:
	{
		char *abs = journal_path(j, rel);
		unlink(abs);
		free(abs);
	}
	buf_release(&out);
	free(rel);
	return rc;
}

/*
 * Take one proposal (keyring.h) as the next commit of the team ref: its
 * ids recomputed, its parent the ref as it is, its signature by the
 * keyring before it (or, with no pin yet, a key of the keyring it
 * starts, which becomes the pin).  0 taken, 1 refused (reported, the
 * proposal removed), -1 failure.
 */
static int take_proposal(struct journal *j, int dfd, const char *name, struct store_warnings *w)
{
	struct buf file = BUF_INIT, tree = BUF_INIT, payload = BUF_INIT, armored = BUF_INIT;
	char cid[KEYRING_OID_LEN + 1], bid[KEYRING_OID_LEN + 1], tid[KEYRING_OID_LEN + 1];
	char ctree[KEYRING_OID_LEN + 1], parent[KEYRING_OID_LEN + 1], fp[SIG_FINGERPRINT_SIZE];
	char *head = ref_commit(j, REPLICA_TEAM_REF), *pin = keyring_pinned(j->dir), *why = NULL;
	struct conf *keyring = NULL, *own = NULL;
	const char *commit, *conf, *p;
	size_t clen, conflen;
	int64_t when;
	int fd, rc = 1;

	fd = fs_openat_checked(dfd, name, O_RDONLY, 0, FS_BELOW_ANY_OWNER, name);
	if (fd < 0 || fs_read_fd(fd, &file, 4 * 1024 * 1024) < 0) {
		why = xstrdup(errget());
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	p = buf_str(&file);
	if (strncmp(p, "logbook-team 1\n", 15) || !(clen = strtoul(p + 15, (char **)&commit, 10)) || *commit != '\n' ||
	    (size_t)(++commit - p) + clen > file.len) {
		why = xstrdup("not a proposal logbook wrote");
		goto out;
	}
	conf = commit + clen;
	conflen = file.len - (size_t)(conf - p);
	keyring_object_id("commit", commit, clen, cid);
	keyring_object_id("blob", conf, conflen, bid);
	keyring_tree(bid, &tree);
	keyring_object_id("tree", tree.data, tree.len, tid);
	if (strcmp(cid, name) || keyring_parse(commit, clen, &payload, &armored, ctree, parent, &when) < 0 ||
	    strcmp(ctree, tid)) {
		why = xstrdup("its ids do not match what it holds");
		goto out;
	}
	if (strcmp(parent, head ? head : "")) {
		why = xasprintf("made on the keyring at %.12s, which is now %.12s: run the command again",
				parent[0] ? parent : "(none)", head ? head : "(none)");
		goto out;
	}
	if (!(own = conf_parse(JOURNAL_CONF, conf, conflen))) {
		why = xstrdup(errget());
		goto out;
	}
	if (head)
		keyring = conf_at(j, head);
	{
		struct team_keys k;
		bool empty;
		team_keys_load(keyring, &k);
		empty = k.n == 0;
		team_keys_free(&k);
		/* no pin yet: the keyring in force vouches, or the one this change starts */
		/*
		 * with a pin, the first signed change must be the pin's, and
		 * every later one the keyring's before it
		 */
		rc = keyring_check(commit, clen, pin || !empty ? keyring : own,
				   pin && (!head || commit_signed(j, head) != 1) ? pin : NULL, fp, &why);
	}
	if (rc != 0)
		goto out;
	if (write_object(j, "blob", conf, conflen, bid) < 0 || write_object(j, "tree", tree.data, tree.len, tid) < 0 ||
	    write_object(j, "commit", commit, clen, cid) < 0 || update_ref(j, REPLICA_TEAM_REF, cid, head) < 0 ||
	    (!pin && keyring_pin(j->dir, fp) < 0) || keyring_save(j->dir, conf, conflen) < 0) {
		rc = -1;
		goto out;
	}
	/* the work tree holds what the admin wrote: nothing to write from the ref */
	{
		char *written = ref_commit(j, WRITTEN_REF "team");
		if (update_ref(j, WRITTEN_REF "team", cid, written) < 0)
			rc = -1;
		free(written);
	}
out:
	if (rc == 1)
		warnf(w, "team.conf change %.12s not taken: %s", name, why ? why : "refused");
	if (rc >= 0)
		unlinkat(dfd, name, 0);
	free(why);
	free(head);
	free(pin);
	conf_free(keyring);
	conf_free(own);
	buf_release(&file);
	buf_release(&tree);
	buf_release(&payload);
	buf_release(&armored);
	return rc;
}

struct proposal {
	struct timespec made;
	char name[KEYRING_OID_LEN + 1];
};

static int cmp_proposal(const void *a, const void *b)
{
	const struct proposal *x = a, *y = b;

	if (x->made.tv_sec != y->made.tv_sec)
		return x->made.tv_sec < y->made.tv_sec ? -1 : 1;
	if (x->made.tv_nsec != y->made.tv_nsec)
		return x->made.tv_nsec < y->made.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* take the admins' signed team.conf changes, oldest first; how many were taken, -1 failure */
static int take_proposals(struct journal *j, struct store_warnings *w)
{
	int dfd = fs_dir_below(j->dir, KEYRING_PROPOSALS, 0, 0), taken = 0;
	struct proposal *v = NULL;
	size_t n = 0;
	DIR *d;
	struct dirent *e;

	if (dfd < 0)
		return 0;
	if (!(d = fdopendir(dfd))) {
		close(dfd);
		return 0;
	}
	while ((e = readdir(d))) {
		struct stat st;
		if (strlen(e->d_name) != KEYRING_OID_LEN || strspn(e->d_name, "0123456789abcdef") != KEYRING_OID_LEN ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n].made = st.st_mtim;
		memcpy(v[n++].name, e->d_name, KEYRING_OID_LEN + 1);
	}
	/* oldest first: each one's parent is the one before */
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_proposal);
	for (size_t i = 0; i < n && taken >= 0; i++) {
		int rc = take_proposal(j, dirfd(d), v[i].name, w);
		if (rc < 0)
			taken = -1;
		else if (rc == 0)
			taken++;
	}
	free(v);
	closedir(d);
	return taken;
}

int replica_commit_team(struct journal *j, struct store_warnings *w)
{
	char *written, *head, *pin;
	int rc = take_proposals(j, w);

	written = ref_commit(j, WRITTEN_REF "team");
	head = ref_commit(j, REPLICA_TEAM_REF);
	if (rc < 0)
		goto out;
	rc = team_changed_here(j, written);
	if (rc <= 0)
		goto out;
	/* a signing team shares only signed changes: this one stays here */
	if ((pin = keyring_pinned(j->dir))) {
		free(pin);
		warnf(w, "team.conf was changed on this replica without a signature: it stays here "
			 "('logbook team sign' signs it for the others)");
		rc = 0;
		goto out;
	}
	if (head && (!written || strcmp(head, written) != 0)) {
		/* another replica's change arrived since: integration reports it */
		rc = 0;
		goto out;
	}
	{
		const char *const paths[] = { JOURNAL_CONF };
		char *made = NULL;
		rc = git_commit_files(j->dir, REPLICA_TEAM_REF, head, paths, 1, "logbook: team.conf", &made, NULL, NULL);
		if (rc != 0)
			refs_moved();
		if (rc > 0 && update_ref(j, WRITTEN_REF "team", made, written) < 0)
			rc = -1;
		free(made);
	}
out:
	free(written);
	free(head);
	return rc;
}

/* ---- fetching and integrating ---- */

char *replica_pack_option(struct journal *j, const char *remote, bool push)
{
	const char *args[] = { "remote", "get-url", push ? "--push" : "--all", remote, NULL };
	const char *known = remote_url(j, remote, push);
	struct buf out = BUF_INIT;
	char *opt;

	if (known)
		buf_adds(&out, known);
	/* a remote git cannot name falls to the pinned command: the fetch fails anyway */
	else if (git_run(j->dir, NULL, &out, NULL, args) != 0 || !out.len) {
		buf_reset(&out);
		buf_adds(&out, "/");
	}
	buf_truncate(&out, strcspn(buf_str(&out), "\n"));
	opt = xasprintf("--%s=%s", push ? "receive-pack" : "upload-pack", git_pack_command(buf_str(&out), push));
	buf_release(&out);
	return opt;
}

/*
 * git_run of args, with meanwhile(arg) (when not NULL) run while git
 * does: it runs even when git could not be started, whose reason it
 * then leaves in errget().
 */
static int git_while(struct journal *j, const char *const args[], void (*meanwhile)(void *), void *arg,
		     struct buf *out, struct buf *err)
{
	struct git_job job;
	int rc = git_run_start(j->dir, NULL, args, &job);

	if (meanwhile) {
		char *saved = rc < 0 ? xstrdup(errget()) : NULL;
		meanwhile(arg);
		if (saved) {
			errset("%s", saved);
			free(saved);
		}
	}
	return rc == 0 ? git_run_finish(&job, out, err) : rc;
}

int replica_fetch_while(struct journal *j, const char *remote, void (*meanwhile)(void *), void *arg)
{
	char *spec = xasprintf("+refs/heads/*:refs/remotes/%s/*", remote), *pack = replica_pack_option(j, remote, false);
	/*
	 * Not --quiet: git fetch then says on stderr each ref it moved (and
	 * nothing else unless something went wrong), so silence means the
	 * refs read before it still hold, and are not read again.  Anything
	 * said, even a note of git gc's, counts as a move.
	 */
	const char *args[] = { "fetch", "--no-tags", "--no-write-fetch-head", pack, remote, spec, NULL };
	struct buf err = BUF_INIT;
	int rc = git_while(j, args, meanwhile, arg, NULL, &err);

	free(spec);
	free(pack);
	if (rc != 0 || err.len)
		refs_moved();
	if (rc != 0) {
		if (rc > 0) {
			/* git's own reason, first line: "fatal: '...' does not appear to be a git repository" */
			char *why = git_reason(&err, "git fetch failed");
			errset("%s", why);
			free(why);
		}
		buf_release(&err);
		return -1;
	}
	buf_release(&err);
	return 0;
}

int replica_fetch(struct journal *j, const char *remote)
{
	return replica_fetch_while(j, remote, NULL, NULL);
}

/* how much of a blob is read at a time: nothing in sync holds a whole blob */
#define CHUNK 65536

/* the part of the blob b is at that the file held, compared: 1 equal so far, -1 differs, -2 failure */
static int compare_chunk(int fd, const char *blob, size_t len, char *cur)
{
	size_t have = 0;
	ssize_t got;

	while (have < len) {
		while ((got = read(fd, cur + have, len - have)) < 0 && errno == EINTR)
			;
		if (got < 0) {
			errset_sys("reading the file to extend");
			return -2;
		}
		if (got == 0)
			return -1;	/* shorter than it said: changed under us */
		have += (size_t)got;
	}
	return memcmp(cur, blob, len) ? -1 : 1;
}

/*
 * Bring rel up to the blob batch b is at (size bytes): records are only
 * ever appended, so the file here must be a prefix of it, and only what
 * it lacks is appended.  Streamed: a chunk of the blob at a time, never
 * the whole file (sync.maxfilesize bounds a blob, not memory).  *kept: 1
 * brought up (or already equal), 0 the file already holds more, -1 it
 * differs (left as it is).  A private journal's files stay owner-only.
 */
static int append_blob(struct journal *j, const char *rel, struct git_batch *b, int64_t size, int *kept)
{
	char *chunk = xmalloc(CHUNK), *cur = xmalloc(CHUNK), *dir = xstrdup(rel), *slash;
	int rfd, wfd = -1, rc = -1, same;
	int64_t have = 0, done = 0;
	struct buf whole = BUF_INIT;
	bool foreign = false;
	struct stat st;
	ssize_t got;

	*kept = 1;
	rfd = fs_open_below(j->dir, rel, O_RDONLY, 0, FS_BELOW_ANY_OWNER);
	if (rfd < 0 && errno != ENOENT)
		goto out;
	if (rfd >= 0) {
		if (fstat(rfd, &st) < 0) {
			errset_sys("%s", rel);
			goto out;
		}
		have = st.st_size;
		/*
		 * another account's file (a member can make one in the group's
		 * day directory): not ours to append to, so it is replaced as a
		 * whole once the blob is known to extend it; it is no bigger
		 * than sync.maxfilesize allowed
		 */
		foreign = st.st_uid != geteuid();
	}
	if (have > size)
		*kept = 0;
	while ((got = git_batch_read(b, chunk, CHUNK)) > 0) {
		size_t off = 0;
		if (foreign)
			buf_add(&whole, chunk, (size_t)got);
		if (done < have) {
			size_t n = (size_t)(have - done < got ? have - done : got);
			if ((same = compare_chunk(rfd, chunk, n, cur)) == -2)
				goto out;
			if (same < 0) {
				*kept = -1;
				rc = 0;
				goto out;
			}
			off = n;
		}
		done += got;
		if (off == (size_t)got || foreign)
			continue;
		if (wfd < 0) {
			if ((slash = strrchr(dir, '/'))) {
				*slash = '\0';
				if (journal_mkdirs(j, dir) < 0)
					goto out;
			}
			wfd = fs_open_below(j->dir, rel, O_WRONLY | O_APPEND | O_CREAT, j->shared ?
					    journal_file_mode(j) : 0600, 0);
			/* what was compared must still be all there is */
			if (wfd < 0 || fstat(wfd, &st) < 0 || st.st_size != have) {
				if (wfd >= 0)
					errset("%s changed while sync brought it up", rel);
				goto out;
			}
			if (have == 0 && fchmod(wfd, j->shared ? journal_file_mode(j) : 0600) < 0) {
				errset_sys("%s", rel);
				goto out;
			}
		}
		if (fs_write_all(wfd, chunk + off, (size_t)got - off) < 0) {
			errset_sys("%s", rel);
			goto out;
		}
	}
	if (got < 0)
		goto out;
	if (done != size) {
		errset("git cat-file gave %lld bytes of %lld for %s", (long long)done, (long long)size, rel);
		goto out;
	}
	if (wfd >= 0 && fsync(wfd) < 0) {
		errset_sys("%s", rel);
		goto out;
	}
	if (foreign && done > have &&
	    fs_write_atomic_below(j->dir, rel, buf_str(&whole), whole.len, j->shared ? journal_file_mode(j) : 0600,
				  FS_ATOMIC_BREAK_LOCK) < 0)
		goto out;
	rc = 0;
out:
	buf_release(&whole);
	if (rfd >= 0)
		close(rfd);
	if (wfd >= 0 && close(wfd) < 0 && rc == 0) {
		errset_sys("%s", rel);
		rc = -1;
	}
	free(chunk);
	free(cur);
	free(dir);
	return rc;
}

/* replace rel by the blob batch b is at (team.conf: small, and replaced whole) */
static int replace_blob(struct journal *j, const char *rel, struct git_batch *b, int64_t size, int64_t limit)
{
	struct buf data = BUF_INIT;
	char chunk[4096];
	ssize_t got;
	int rc = -1;

	if (size > limit) {
		errset("%s of %lld bytes is over the limit of %lld (sync.maxfilesize)", rel, (long long)size,
		       (long long)limit);
		return -1;
	}
	while ((got = git_batch_read(b, chunk, sizeof chunk)) > 0)
		buf_add(&data, chunk, (size_t)got);
	if (got == 0)
		rc = fs_write_atomic_below(j->dir, rel, buf_str(&data), data.len,
					   j->shared ? journal_file_mode(j) : 0600, FS_ATOMIC_BREAK_LOCK);
	buf_release(&data);
	return rc;
}

static int64_t max_file_size(struct journal *j);

/*
 * bring host's files in the work tree from written up to ref (host
 * NULL: team.conf), all blobs through one git process (a clone writes
 * a file a day of every host); we hold the replica lock
 */
static int write_tree(struct journal *j, const char *host, const char *written, const char *head,
		      struct store_warnings *w)
{
	struct git_files files;
	struct git_batch b;
	const char **ids, **paths;
	size_t n = 0, i;
	int64_t size;
	int rc = 0, more = 1;
	bool ff = written && is_ancestor(j, written, head) == 1;

	if (git_changed_files(j->dir, ff ? written : NULL, head, &files) < 0)
		return -1;
	ids = xreallocarray(NULL, files.n + 1, sizeof *ids);
	paths = xreallocarray(NULL, files.n + 1, sizeof *paths);
	for (i = 0; i < files.n; i++) {
		const char *p = files.files[i].path;
		if (host ? store_is_file_of(p, host) : !strcmp(p, JOURNAL_CONF)) {
			ids[n] = files.files[i].id;
			paths[n++] = p;
		} else {
			/* any bytes but NUL and '/' can name a file in a tree the remote made */
			char *name = shown(p, strlen(p));
			warnf(w, "%s: ref of %s holds '%s', which is not its to write; left out",
			      head, host ? host : "team", name);
			free(name);
		}
	}
	if (n && host && snap.before_write) {
		void (*fn)(void *) = snap.before_write;
		snap.before_write = NULL;
		fn(snap.before_arg);
	}
	if (n && git_batch_open(j->dir, ids, n, &b) < 0)
		rc = -1;
	for (i = 0; i < n && rc == 0 && (more = git_batch_next(&b, &size)) == 1; i++) {
		int kept = 1;
		/* a host's files only grow; team.conf is replaced */
		if (host)
			rc = append_blob(j, paths[i], &b, size, &kept);
		else
			rc = replace_blob(j, paths[i], &b, size, max_file_size(j));
		if (rc == 0 && kept < 0) {
			char *name = shown(paths[i], strlen(paths[i]));
			warnf(w, "%s: ref of %s does not extend '%s' as it is here; left as it is", head, host, name);
			free(name);
		}
	}
	if (n) {
		if (rc == 0 && (more < 0 || (i == n && git_batch_next(&b, &size) != 0)))
			rc = -1;
		if (git_batch_close(&b) < 0 && rc == 0)
			rc = -1;
	}
	free(ids);
	free(paths);
	git_files_free(&files);
	return rc;
}

/* team.conf's sync.maxfilesize (bytes, or with K, M or G), else REPLICA_MAX_FILE_SIZE */
static int64_t max_file_size(struct journal *j)
{
	/* a clone writes the hosts before team.conf: no conf yet */
	const char *v = j->conf ? conf_get(j->conf, "sync", NULL, "maxfilesize") : NULL;
	char *end;
	long long n;

	if (!v)
		return REPLICA_MAX_FILE_SIZE;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || n <= 0)
		return REPLICA_MAX_FILE_SIZE;
	switch (*end) {
	case 'G': case 'g': n *= 1024; /* fall through */
	case 'M': case 'm': n *= 1024; /* fall through */
	case 'K': case 'k': n *= 1024; break;
	default: break;
	}
	return n;
}

/*
 * ---- the chain of appended records ----
 *
 * check_append_only streams each changed file of the host, the old blob
 * and the new one side by side a chunk (CHUNK) at a time, and hands only
 * the appended tail to appended.c, which parses it a line at a time.
 * Nothing here holds a whole blob.
 */

/* read until len bytes or the end: how many, -1 and errget() */
static ssize_t read_full(struct git_blob_reader *r, char *data, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len && (n = git_blob_read(r, data + got, len - got)) != 0) {
		if (n < 0)
			return -1;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* the newlines in n bytes */
static size_t count_lines(const char *p, size_t n)
{
	size_t lines = 0;
	const char *nl;

	while (n && (nl = memchr(p, '\n', n))) {
		lines++;
		n -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
	return lines;
}

/*
 * Stream the old blob (NULL: a new file) of path (as shown) and its new
 * one: the old must be a byte prefix of the new that ends at a line's
 * end, and what follows goes to a.  The old version's last line goes to
 * old_last.  0 done (a->why when something is wrong), -1 failure.
 */
static int stream_file(struct journal *j, struct appended *a, const char *path, const char *old_id,
		       const char *new_id, struct last_line *old_last)
{
	struct git_blob_reader o, n;
	char *ob = xmalloc(CHUNK), *nb = xmalloc(CHUNK);
	bool old_open = false, new_open = false, ends_line = true;
	size_t lines = 0;
	ssize_t got = 0, have;
	int rc = -1;

	if (git_blob_open(j->dir, new_id, &n) < 0)
		goto out;
	new_open = true;
	if (old_id) {
		if (git_blob_open(j->dir, old_id, &o) < 0)
			goto out;
		old_open = true;
		while ((got = read_full(&o, ob, CHUNK)) > 0) {
			if ((have = read_full(&n, nb, (size_t)got)) < 0)
				goto out;
			if (memcmp(ob, nb, (size_t)have) || have < got) {
				appended_fail(a, "%s '%s' (records are only ever appended)", have < got &&
					      !memcmp(ob, nb, (size_t)have) ? "cuts" : "rewrites", path);
				rc = 0;
				goto out;
			}
			appended_last_line_feed(old_last, ob, (size_t)got);
			lines += count_lines(ob, (size_t)got);
			ends_line = ob[got - 1] == '\n';
		}
		if (got < 0)
			goto out;
		old_open = false;
		if (git_blob_close(&o) < 0)
			goto out;
	}
	appended_file(a, path, lines);
	while (!a->why && (got = git_blob_read(&n, nb, CHUNK)) > 0) {
		if (!ends_line)
			appended_fail(a, "breaks %s's chain: appends to '%s' after a last line that has no newline",
				      a->host, path);
		else
			appended_feed(a, nb, (size_t)got);
	}
	if (got < 0)
		goto out;
	appended_file_end(a);
	rc = 0;
out:
	/* a reader left halfway because the file is wrong is no failure of git */
	if (old_open && git_blob_close(&o) < 0 && rc == 0 && !a->why)
		rc = -1;
	if (new_open && git_blob_close(&n) < 0 && rc == 0 && !a->why)
		rc = -1;
	free(ob);
	free(nb);
	return rc;
}

/* a record line that may be the host's head: the last line of one of its files in the old commit */
struct candidate {
	int64_t seq;
	char hash[REC_HASH_LEN + 1];
	char *path;		/* escaped */
};

/* line (the last of path) as a candidate when it is a record of host */
static void add_candidate(struct candidate **v, size_t *n, const char *host, const struct buf *line,
			  const char *path)
{
	struct record *r = rec_parse(buf_str(line), line->len, false);

	/* our own copy of a history taken before: a damaged line is verify's to report */
	if (r && !strcmp(r->host, host)) {
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[*n].seq = r->seq;
		rec_hash(buf_str(line), line->len, (*v)[*n].hash);
		(*v)[(*n)++].path = shown(path, strlen(path));
	}
	rec_free(r);
}

/*
 * The last line of each blob ids[i] (of paths[i]) as a candidate, all
 * through one git process (a host has a file a day: thousands after a
 * few years).  Streamed, as every blob here.  -1 and errget().
 */
static int candidates_of_blobs(struct journal *j, const char *host, const char *const ids[],
			       const char *const paths[], size_t n, struct candidate **v, size_t *nv)
{
	struct git_batch b;
	char *chunk;
	ssize_t got = 0;
	int64_t size;
	int more = 1, rc = 0;
	size_t i = 0;

	if (!n)
		return 0;
	if (git_batch_open(j->dir, ids, n, &b) < 0)
		return -1;
	chunk = xmalloc(CHUNK);
	for (; i < n && (more = git_batch_next(&b, &size)) == 1; i++) {
		struct last_line l = LAST_LINE_INIT;
		while ((got = git_batch_read(&b, chunk, CHUNK)) > 0)
			appended_last_line_feed(&l, chunk, (size_t)got);
		if (got == 0 && l.any)
			add_candidate(v, nv, host, &l.last, paths[i]);
		appended_last_line_release(&l);
		if (got < 0)
			break;
	}
	if (more < 0 || got < 0)
		rc = -1;
	else if (i < n) {
		errset("git cat-file --batch gave %zu blobs of %zu", i, n);
		rc = -1;
	} else if (git_batch_next(&b, &size) != 0)
		rc = -1;
	free(chunk);
	if (git_batch_close(&b) < 0)
		rc = -1;
	return rc;
}

/* did the commit change path (a file of the old commit)? */
static bool changed_here(const struct appended *a, const char *path)
{
	char *s = shown(path, strlen(path));
	bool found = false;

	for (size_t i = 0; i < a->npaths && !found; i++)
		found = !strcmp(s, a->paths[i]);
	free(s);
	return found;
}

/*
 * The head of host's chain in commits this replica checked, in
 * .state/sync/chain.<host>: lines "<commit> <seq> <hash>", newest first,
 * at most CHAIN_CACHE_MAX.  A commit's head never changes, so an entry
 * stays true; one that is missing, damaged, or in a file another account
 * made only costs a look at the last line of every file of the host.
 */
#define CHAIN_CACHE_MAX 8

/* the cache's text, or an empty buf */
static void chain_cache_read(struct journal *j, const char *rel, struct buf *out)
{
	int fd = fs_open_below(j->dir, rel, O_RDONLY, 0, 0);

	if (fd >= 0) {
		if (fs_read_fd(fd, out, 64 * 1024) < 0)
			buf_reset(out);
		close(fd);
	}
}

static bool cached_head(struct journal *j, const char *host, const char *commit, int64_t *seq,
			char hash[REC_HASH_LEN + 1])
{
	char *rel = xasprintf("%s/chain.%s", REPLICA_STATE, host);
	struct buf b = BUF_INIT;
	bool found;

	chain_cache_read(j, rel, &b);
	found = appended_cache_find(buf_str(&b), commit, seq, hash);
	buf_release(&b);
	free(rel);
	return found;
}

/* note commit's head first in the cache; one that cannot be written only costs the next sync a longer look */
static void cache_head(struct journal *j, const char *host, const char *commit, int64_t seq, const char *hash)
{
	char *rel = xasprintf("%s/chain.%s", REPLICA_STATE, host);
	struct buf old = BUF_INIT, b = BUF_INIT;
	size_t kept = 1, clen = strlen(commit);

	chain_cache_read(j, rel, &old);
	buf_addf(&b, "%s %lld %s\n", commit, (long long)seq, hash);
	for (const char *p = buf_str(&old); *p && kept < CHAIN_CACHE_MAX; kept++) {
		size_t len = strcspn(p, "\n");
		if (strncmp(p, commit, clen) || p[clen] != ' ') {
			buf_add(&b, p, len);
			buf_addc(&b, '\n');
		}
		p += len + (p[len] == '\n');
	}
	(void)fs_write_atomic_below(j->dir, rel, b.data, b.len, 0600, FS_ATOMIC_BREAK_LOCK);
	buf_release(&old);
	buf_release(&b);
	free(rel);
}

/*
 * Do a's records follow each other and continue host's chain as base
 * holds it?  The head of base comes from the cache when this replica
 * checked base before (the usual case: base is what the last sync took),
 * else from the last line of every file of the host in base (cand holds
 * the changed files' already).  Not from the newest day file alone: an
 * import or a late record appends to a past day, and a forged record
 * could then continue a line that is not the head.  0 done (a->why when
 * wrong), -1 failure.  When they continue it, head's head is cached.
 */
static int chain_continues(struct journal *j, struct appended *a, const char *base, struct candidate **cand,
			   size_t *ncand)
{
	const struct candidate *max = NULL;
	const struct appended_rec *last;
	char hash[REC_HASH_LEN + 1];
	int64_t seq = 0;
	bool known = cached_head(j, a->host, base, &seq, hash);

	if (!a->n) {
		if (known)
			cache_head(j, a->host, a->commit, seq, hash);
		return 0;
	}
	if (!appended_in_order(a))
		return 0;
	if (!known) {
		struct git_files files;
		const char **ids, **paths;
		size_t n = 0;
		int rc;
		if (git_changed_files(j->dir, NULL, base, &files) < 0)
			return -1;
		ids = xreallocarray(NULL, files.n + 1, sizeof *ids);
		paths = xreallocarray(NULL, files.n + 1, sizeof *paths);
		for (size_t i = 0; i < files.n; i++) {
			const char *p = files.files[i].path;
			if (store_is_file_of(p, a->host) && !changed_here(a, p)) {
				ids[n] = files.files[i].id;
				paths[n++] = p;
			}
		}
		rc = candidates_of_blobs(j, a->host, ids, paths, n, cand, ncand);
		free(ids);
		free(paths);
		git_files_free(&files);
		if (rc < 0)
			return -1;
		memcpy(hash, rec_genesis, REC_HASH_LEN + 1);
		for (size_t i = 0; i < *ncand; i++)
			if (!max || (*cand)[i].seq > max->seq)
				max = &(*cand)[i];
		if (max) {
			seq = max->seq;
			memcpy(hash, max->hash, REC_HASH_LEN + 1);
		}
		cache_head(j, a->host, base, seq, hash);
	}
	if (appended_continues(a, seq, hash, max ? max->path : NULL)) {
		last = appended_last(a);
		cache_head(j, a->host, a->commit, last->seq, last->hash);
	}
	return 0;
}

/*
 * May head replace base (NULL: nothing yet) as host's history here?
 * 0 yes, 1 no (*why says why, allocated), -1 failure.  Only host's own
 * files count: write_tree leaves anything else out.
 *
 * With a base, what head adds must be complete lines of host's records
 * that continue its chain (chain_file, chain_continues).  A first take
 * (a clone, a host seen for the first time) checks sizes only: checking
 * a whole history costs a read of every record (millions, on a journal of
 * years), which is what verify does; the chain of everything taken after
 * that is checked here.
 */
static int check_append_only(struct journal *j, const char *host, const char *base, const char *head, char **why)
{
	int64_t limit = max_file_size(j);
	struct git_changes ch = { 0 };
	struct git_files all = { 0 };
	struct appended a;
	struct candidate *cand = NULL;
	size_t ncand = 0;
	int rc = 0, anc;

	*why = NULL;
	if (base) {
		if ((anc = is_ancestor(j, base, head)) < 0)
			return -1;
		if (!anc) {
			*why = xasprintf("%.12s does not descend from %.12s, the history of %s here (rewound or rewritten)",
					 head, base, host);
			return 1;
		}
		if (git_diff(j->dir, base, head, &ch) < 0)
			return -1;
	} else {
		if (git_changed_files(j->dir, NULL, head, &all) < 0)
			return -1;
		for (size_t i = 0; i < all.n; i++) {
			ch.v = xreallocarray(ch.v, ch.n + 1, sizeof *ch.v);
			ch.v[ch.n++] = (struct git_change){ xstrdup(all.files[i].path), NULL,
							    xstrdup(all.files[i].id), true };
		}
		git_files_free(&all);
	}
	appended_init(&a, host, head);
	for (size_t i = 0; i < ch.n && rc == 0 && !a.why; i++) {
		const struct git_change *c = &ch.v[i];
		struct last_line old_last = LAST_LINE_INIT;
		char *path;
		int64_t size;
		if (!store_is_file_of(c->path, host))
			continue;
		/* store_is_file_of allows only a host's day file names; escaped all the same */
		path = shown(c->path, strlen(c->path));
		if (!c->new_id) {
			appended_fail(&a, "removes '%s'", path);
		} else if (!c->regular) {
			appended_fail(&a, "makes '%s' something else than a file", path);
		} else if ((size = git_blob_size(j->dir, c->new_id)) < 0) {
			rc = -1;
		} else if (size > limit) {
			appended_fail(&a, "makes '%s' %lld bytes, over the limit of %lld (sync.maxfilesize)", path,
				      (long long)size, (long long)limit);
		} else if (base) {
			rc = stream_file(j, &a, path, c->old_id, c->new_id, &old_last);
			if (rc == 0 && !a.why && old_last.any)
				add_candidate(&cand, &ncand, host, &old_last.last, c->path);
		}
		appended_last_line_release(&old_last);
		free(path);
	}
	if (rc == 0 && !a.why && base)
		rc = chain_continues(j, &a, base, &cand, &ncand);
	if (rc == 0 && a.why) {
		*why = a.why;
		a.why = NULL;
		rc = 1;
	}
	appended_release(&a);
	for (size_t i = 0; i < ncand; i++)
		free(cand[i].path);
	free(cand);
	git_changes_free(&ch);
	return rc;
}

/*
 * Keep commit aside: its ref under REPLICA_QUARANTINE_REF (so git keeps
 * its objects), why in .state/quarantine/<source>.<host>, and a warning.
 */
static int quarantine(struct journal *j, const char *source, const char *host, const char *commit, const char *why,
		      struct store_warnings *w)
{
	char *ref = xasprintf("%s%s/%s", REPLICA_QUARANTINE_REF, source, host);
	char *rel = xasprintf("%s/%s.%s", REPLICA_QUARANTINE, source, host);
	const char *args[] = { "update-ref", ref, commit, NULL };
	struct buf b = BUF_INIT;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int rc = -1;

	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	buf_addf(&b, "host %s\nfrom %s\ncommit %s\nref %s\nwhen %s\nwhy %s\n", host, source, commit, ref, stamp, why);
	rc = git_run(j->dir, NULL, NULL, NULL, args);
	refs_moved();
	if (rc != 0) {
		rc = -1;
		errset("git update-ref %s failed", ref);
		goto out;
	}
	rc = -1;
	if (journal_mkdirs(j, REPLICA_QUARANTINE) < 0 ||
	    fs_write_atomic_below(j->dir, rel, b.data, b.len, journal_file_mode(j), FS_ATOMIC_BREAK_LOCK) < 0)
		goto out;
	if (!strcmp(host, QUARANTINE_TEAM))
		warnf(w, "team.conf from %s: %s; not written, kept aside as %s (see %s)", source, why, ref, rel);
	else
		warnf(w, "the records of %s from %s: %s; not written, kept aside as %s (see %s)", host, source, why, ref,
		      rel);
	rc = 0;
out:
	buf_release(&b);
	free(rel);
	free(ref);
	return rc;
}

/*
 * Take fetched (from remote) as host's ref when it may replace ours:
 * 0 taken or nothing to take (the remote is behind), REPLICA_QUARANTINED
 * when it was kept aside, -1 failure.
 */
static int take_host(struct journal *j, const char *remote, const char *host, const char *fetched,
		     struct store_warnings *w)
{
	char *ref = xasprintf("%s%s", REPLICA_HOSTS_REF, host);
	char *ours = ref_commit(j, ref), *why = NULL;
	int rc = 0, behind;

	if (ours && !strcmp(ours, fetched))
		goto out;
	/* a remote that has not got our newest commits yet is not a rewrite */
	if (ours && (behind = is_ancestor(j, fetched, ours)) != 0) {
		rc = behind < 0 ? -1 : 0;
		goto out;
	}
	rc = check_append_only(j, host, ours, fetched, &why);
	if (rc == 1)
		rc = quarantine(j, remote, host, fetched, why, w) < 0 ? -1 : REPLICA_QUARANTINED;
	else if (rc == 0 && update_ref(j, ref, fetched, ours) < 0)
		rc = -1;
out:
	free(why);
	free(ours);
	free(ref);
	return rc;
}

/* move ref to fetched when it extends it: 1 moved, 0 not, -1 failure; divergence goes to w */
static int fast_forward(struct journal *j, const char *ref, const char *fetched, const char *what,
			const char *remote, struct store_warnings *w)
{
	char *ours = ref_commit(j, ref);
	int rc = 0, anc;

	if (ours && !strcmp(ours, fetched))
		goto out;
	if (!ours || (anc = is_ancestor(j, ours, fetched)) == 1) {
		rc = update_ref(j, ref, fetched, ours) < 0 ? -1 : 1;
		goto out;
	}
	if (anc < 0 || (anc = is_ancestor(j, fetched, ours)) < 0) {
		rc = -1;
		goto out;
	}
	if (!anc)
		warnf(w, "%s: %s has diverged from this replica's; keeping this one", remote, what);
out:
	free(ours);
	return rc;
}

/*
 * The team ref from remote: as any fast-forward while this replica has
 * no root of trust; with one, only along a signed history
 * (check_keyring_history), else kept aside.  0, REPLICA_QUARANTINED, -1.
 */
static int take_team(struct journal *j, const char *remote, const char *fetched, struct store_warnings *w)
{
	char *pin = keyring_pinned(j->dir), *ours = NULL, *why = NULL;
	int rc, behind;

	if (!pin)
		return fast_forward(j, REPLICA_TEAM_REF, fetched, "team.conf", remote, w) < 0 ? -1 : 0;
	ours = ref_commit(j, REPLICA_TEAM_REF);
	rc = 0;
	if (ours && (!strcmp(ours, fetched) || (behind = is_ancestor(j, fetched, ours)) == 1))
		goto out;
	rc = check_keyring_history(j, pin, ours, fetched, &why);
	if (rc == 1)
		rc = quarantine(j, remote, QUARANTINE_TEAM, fetched, why, w) < 0 ? -1 : REPLICA_QUARANTINED;
	else if (rc == 0 && (update_ref(j, REPLICA_TEAM_REF, fetched, ours) < 0 || save_keyring(j, fetched) < 0))
		rc = -1;
out:
	free(why);
	free(ours);
	free(pin);
	return rc;
}

/* bring the work tree of one host (NULL: team) up to its ref */
static int catch_up(struct journal *j, const char *host, struct store_warnings *w)
{
	char *ref = host ? xasprintf("%s%s", REPLICA_HOSTS_REF, host) : xstrdup(REPLICA_TEAM_REF);
	char *mark = xasprintf("%s%s", WRITTEN_REF, host ? host : "team");
	char *head = ref_commit(j, ref), *written = ref_commit(j, mark);
	int rc = 0;

	if (!host && head && written && !strcmp(head, written)) {
		/*
		 * the head written here was checked: its keyring is the one in
		 * force, also on a replica pinned before it was kept in .git, or
		 * after a sync that failed between the ref and the copy
		 */
		char *pin = keyring_pinned(j->dir);
		if (pin && save_keyring(j, head) < 0)
			rc = -1;
		free(pin);
	}
	if (!head || (written && !strcmp(head, written)))
		goto out;
	if (!host) {
		int changed = team_changed_here(j, written);
		if (changed < 0) {
			rc = -1;
			goto out;
		}
		if (changed && written) {
			warnf(w, "team.conf was changed here and on another replica; keeping this one "
				 "(see 'logbook sync' in logbook(1))");
			goto out;
		}
		if (written && is_ancestor(j, written, head) != 1)
			goto out;
		/* pushed here: with a root of trust, only a signed history (take_team for fetched ones) */
		{
			char *pin = keyring_pinned(j->dir), *why = NULL;
			int bad = pin ? check_keyring_history(j, pin, written, head, &why) : 0;
			if (bad == 1) {
				if (quarantine(j, "pushed", QUARANTINE_TEAM, head, why, w) < 0 ||
				    (written && update_ref(j, ref, written, head) < 0))
					rc = -1;
				else
					rc = REPLICA_QUARANTINED;
			} else if (bad < 0 || (pin && save_keyring(j, head) < 0)) {
				bad = -1;
				rc = -1;
			}
			free(why);
			free(pin);
			if (bad)
				goto out;
		}
	} else if (written) {
		/*
		 * The ref moves by fast-forward when this module moves it, but a
		 * replica pushes into it and the group can write .git: a ref that
		 * does not extend the files written here rewrites history, and
		 * is left for a human (doctor shows it).
		 */
		char *why = NULL;
		int bad = check_append_only(j, host, written, head, &why);
		if (bad < 0) {
			rc = -1;
			goto out;
		}
		if (bad) {
			/*
			 * kept aside, and the ref moved back to what was written
			 * here (only if nobody moved it meanwhile), so that what
			 * this replica serves is the history it holds
			 */
			if (quarantine(j, "pushed", host, head, why, w) < 0 || update_ref(j, ref, written, head) < 0)
				rc = -1;
			else
				rc = REPLICA_QUARANTINED;
			free(why);
			goto out;
		}
	}
	if (write_tree(j, host, written, head, w) < 0 || update_ref(j, mark, head, written) < 0)
		rc = -1;
	if (!host && rc == 0)
		journal_reload_conf(j);
out:
	free(ref);
	free(mark);
	free(head);
	free(written);
	return rc;
}

static int host_refs(struct journal *j, const char *prefix, char ***hosts, char ***ids, size_t *n);

int replica_integrate(struct journal *j, const char *remote, const char *own_host, struct store_warnings *w)
{
	char *pattern = xasprintf("refs/remotes/%s/hosts/", remote);
	char **hosts, **ids, *team;
	size_t n;
	int rc = 0;
	bool quarantined = false;

	if (host_refs(j, pattern, &hosts, &ids, &n) < 0) {
		free(pattern);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *host = hosts[i], *line = ids[i];
		char *ref, *what;
		ref = xasprintf("%s%s", REPLICA_HOSTS_REF, host);
		what = xasprintf("the records of %s", host);
		if (own_host && !strcmp(host, own_host)) {
			/* ours is the newest by construction; anything else is another machine using our name */
			char *mine = ref_commit(j, ref);
			if (mine && strcmp(mine, line) && is_ancestor(j, line, mine) == 0)
				warnf(w, "%s: holds records of %s that this host did not write: is the host name %s used twice?",
				      remote, host, host);
			free(mine);
		} else {
			int took = take_host(j, remote, host, line, w);
			if (took < 0 || catch_up(j, host, w) < 0)
				rc = -1;
			else if (took == REPLICA_QUARANTINED)
				quarantined = true;
		}
		free(ref);
		free(what);
	}
	replica_names_free(hosts, n);
	replica_names_free(ids, n);
	free(pattern);
	if (rc < 0)
		return -1;
	{
		char *tref = xasprintf("refs/remotes/%s/team", remote);
		team = ref_commit(j, tref);
		free(tref);
	}
	if (team) {
		int took = take_team(j, remote, team, w);
		if (took < 0)
			rc = -1;
		else if (took == REPLICA_QUARANTINED)
			quarantined = true;
	}
	free(team);
	if (rc == 0 && catch_up(j, NULL, w) < 0)
		rc = -1;
	return rc == 0 && quarantined ? REPLICA_QUARANTINED : rc;
}

/* one host's ref under prefix, when name is one and the host's name is valid */
static void add_host_ref(const char *prefix, const char *name, const char *id, char ***hosts, char ***ids,
			 size_t *n)
{
	if (strncmp(name, prefix, strlen(prefix)) != 0 || !store_valid_host(name + strlen(prefix)))
		return;
	*hosts = xreallocarray(*hosts, *n + 1, sizeof **hosts);
	*ids = xreallocarray(*ids, *n + 1, sizeof **ids);
	(*hosts)[*n] = xstrdup(name + strlen(prefix));
	(*ids)[(*n)++] = xstrdup(id);
}

/* the hosts of the refs under prefix ("refs/.../hosts/"), valid names only, with their objects */
static int host_refs(struct journal *j, const char *prefix, char ***hosts, char ***ids, size_t *n)
{
	const char *args[] = { "for-each-ref", "--format=%(objectname) %(refname)", prefix, NULL };
	const struct git_refs *refs = snap_refs(j);
	struct buf out = BUF_INIT;
	char *line, *save = NULL;

	*hosts = *ids = NULL;
	*n = 0;
	if (refs) {
		/* for-each-ref's answer: the refs under prefix, by name */
		for (size_t i = 0; i < refs->n; i++)
			add_host_ref(prefix, refs->v[i].name, refs->v[i].id, hosts, ids, n);
		return 0;
	}
	if (git_run(j->dir, NULL, &out, NULL, args) != 0) {
		errset("git for-each-ref in %s failed", j->dir);
		buf_release(&out);
		return -1;
	}
	for (line = strtok_r(out.data ? out.data : (char[]){ 0 }, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		add_host_ref(prefix, sp + 1, line, hosts, ids, n);
	}
	buf_release(&out);
	return 0;
}

int replica_integrate_local(struct journal *j, const char *own_host, struct store_warnings *w)
{
	char **hosts, **ids;
	size_t n;
	int rc = 0;

	if (host_refs(j, REPLICA_HOSTS_REF, &hosts, &ids, &n) < 0)
		return -1;
	bool quarantined = false;

	for (size_t i = 0; i < n && rc == 0; i++) {
		/* this host's files are written by its own commands, never from a ref */
		if (own_host && !strcmp(hosts[i], own_host))
			continue;
		rc = catch_up(j, hosts[i], w);
		if (rc == REPLICA_QUARANTINED) {
			quarantined = true;
			rc = 0;
		}
	}
	replica_names_free(hosts, n);
	replica_names_free(ids, n);
	if (rc == 0)
		rc = catch_up(j, NULL, w);
	return rc == 0 && quarantined ? REPLICA_QUARANTINED : rc;
}

int replica_pending(struct journal *j, const char *own_host, struct replica_host **pending, size_t *npending,
		    size_t *nhosts)
{
	char **hosts, **ids;
	size_t n;
	int rc = 0;

	*pending = NULL;
	*npending = *nhosts = 0;
	if (host_refs(j, REPLICA_HOSTS_REF, &hosts, &ids, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *mark, *written, *head;
		int anc = 1;

		if (own_host && !strcmp(hosts[i], own_host))
			continue;
		(*nhosts)++;
		mark = xasprintf("%s%s", WRITTEN_REF, hosts[i]);
		written = ref_commit(j, mark);
		head = ref_commit(j, ids[i]);
		if (head && (!written || strcmp(head, written) != 0)) {
			if (written && (anc = is_ancestor(j, written, head)) < 0) {
				rc = -1;
			} else {
				*pending = xreallocarray(*pending, *npending + 1, sizeof **pending);
				(*pending)[*npending].host = xstrdup(hosts[i]);
				(*pending)[(*npending)++].rewritten = !anc;
			}
		}
		free(mark);
		free(written);
		free(head);
	}
	replica_names_free(hosts, n);
	replica_names_free(ids, n);
	if (rc < 0) {
		replica_hosts_free(*pending, *npending);
		*pending = NULL;
		*npending = 0;
	}
	return rc;
}

void replica_hosts_free(struct replica_host *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].host);
	free(v);
}

int replica_push_while(struct journal *j, const char *remote, const char *own_host, void (*meanwhile)(void *),
		       void *arg)
{
	char *pack = replica_pack_option(j, remote, true);
	const char *args[] = { "push", "--porcelain", "--quiet", pack, remote,
			       "refs/heads/hosts/*:refs/heads/hosts/*",
			       REPLICA_TEAM_REF ":" REPLICA_TEAM_REF, NULL };
	struct buf out = BUF_INIT, err = BUF_INIT;
	char *own = xasprintf("%s%s:", REPLICA_HOSTS_REF, own_host);
	const char *p;
	int rc = git_while(j, args, meanwhile, arg, &out, &err);

	/* a push moves the remote-tracking refs of what it pushed */
	refs_moved();
	free(pack);
	if (rc < 0)
		goto out;
	if (!strstr(buf_str(&out), "To ") && rc != 0) {
		char *why = git_reason(&err, "git push failed");
		errset("%s", why);
		free(why);
		rc = -1;
		goto out;
	}
	rc = 0;
	/* "<flag>\t<src>:<dst>\t<summary>": '!' is a rejection */
	for (p = buf_str(&out); *p; p += strcspn(p, "\n"), p += *p == '\n') {
		if (p[0] == '!' && p[1] == '\t' && !strncmp(p + 2, own, strlen(own)))
			rc = 1;
	}
out:
	free(own);
	buf_release(&out);
	buf_release(&err);
	return rc;
}

int replica_push(struct journal *j, const char *remote, const char *own_host)
{
	return replica_push_while(j, remote, own_host, NULL, NULL);
}

int replica_local_packs(struct journal *j, const char *name, const char *url)
{
	static const char *const keys[] = { "uploadpack", "receivepack" };
	int rc = 0;

	if (url[0] != '/' && strncmp(url, "file://", 7))
		return 0;
	for (int i = 0; i < 2 && rc == 0; i++) {
		char *key = xasprintf("remote.%s.%s", name, keys[i]);
		const char *args[] = { "config", key, git_pack_command(url, i == 1), NULL };
		if (git_run(j->dir, NULL, NULL, NULL, args) != 0) {
			errset("git config %s failed", key);
			rc = -1;
		}
		free(key);
	}
	return rc;
}

int replica_request_sync(struct journal *j)
{
	char *path = state_path(j, "request"), line[64];
	struct stat st;
	int fd, rc = -1;

	if (journal_mkdirs(j, REPLICA_STATE) < 0)
		goto out;
	/* a member's symbolic or hard link there must not take our write elsewhere */
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, journal_file_mode(j));
	if (fd < 0) {
		errset_sys("%s", path);
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 || ftruncate(fd, 0) < 0) {
		errset("%s: not a regular file of its own", path);
		close(fd);
		goto out;
	}
	journal_fix_mode(j, fd);
	/* the write is what the path unit sees (PathModified=) */
	snprintf(line, sizeof line, "uid %lu\n", (unsigned long)getuid());
	if (fs_write_all(fd, line, strlen(line)) < 0)
		errset_sys("%s", path);
	else
		rc = 0;
	if (close(fd) < 0 && rc == 0) {
		errset_sys("%s", path);
		rc = -1;
	}
out:
	free(path);
	return rc;
}

static int cmp_kept(const void *a, const void *b)
{
	return strcmp(((const struct replica_kept *)a)->name, ((const struct replica_kept *)b)->name);
}

int replica_quarantined(struct journal *j, struct replica_kept **v, size_t *n)
{
	int dfd = fs_dir_below(j->dir, REPLICA_QUARANTINE, 0, 0);
	DIR *d;
	struct dirent *e;

	*v = NULL;
	*n = 0;
	if (dfd < 0)
		return errno == ENOENT ? 0 : -1;
	if (!(d = fdopendir(dfd))) {
		errset_sys("%s/%s", j->dir, REPLICA_QUARANTINE);
		close(dfd);
		return -1;
	}
	while ((e = readdir(d))) {
		struct buf b = BUF_INIT;
		const char *why = NULL, *ref = NULL;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		/* written by sync from what another replica sent; read as any member may have left it */
		fd = fs_openat_checked(dirfd(d), e->d_name, O_RDONLY, 0, FS_BELOW_ANY_OWNER, e->d_name);
		if (fd >= 0) {
			fs_read_fd(fd, &b, 64 * 1024);
			close(fd);
		}
		for (char *p = b.data, *nl; p && *p; p = nl ? nl + 1 : NULL) {
			if ((nl = strchr(p, '\n')))
				*nl = '\0';
			if (!strncmp(p, "why ", 4))
				why = p + 4;
			else if (!strncmp(p, "ref ", 4))
				ref = p + 4;
		}
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[*n].name = shown(e->d_name, strlen(e->d_name));
		(*v)[*n].ref = ref ? shown(ref, strlen(ref)) : xstrdup(REPLICA_QUARANTINE_REF);
		(*v)[(*n)++].why = why ? shown(why, strlen(why)) : xstrdup("no reason noted");
		buf_release(&b);
	}
	closedir(d);
	if (*n > 1)
		qsort(*v, *n, sizeof **v, cmp_kept);
	return 0;
}

void replica_kept_free(struct replica_kept *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].ref);
		free(v[i].why);
	}
	free(v);
}

int replica_trust_team(struct journal *j, const char *rev, const char *trust, char **pinned)
{
	const char *args[] = { "rev-list", "--reverse", "--topo-order", rev, NULL };
	struct buf list = BUF_INIT, text = BUF_INIT;
	char *first = NULL, *why = NULL, *head = ref_commit(j, rev);
	int rc = -1;

	*pinned = NULL;
	if (!head || git_run(j->dir, NULL, &list, NULL, args) != 0) {
		errset("the team ref %s cannot be read", rev);
		goto out;
	}
	/* the signer of the first signed commit */
	for (char *id = list.data, *nl; id && *id && !first; id = nl ? nl + 1 : NULL) {
		struct buf payload = BUF_INIT, armored = BUF_INIT;
		char tree[KEYRING_OID_LEN + 1], parent[KEYRING_OID_LEN + 1];
		int64_t when;
		if ((nl = strchr(id, '\n')))
			*nl = '\0';
		buf_reset(&text);
		if (commit_text(j, id, &text) == 0 &&
		    keyring_parse(text.data, text.len, &payload, &armored, tree, parent, &when) == 0 && armored.len) {
			struct sig_key *signer = NULL;
			if (sig_verify(armored.data, armored.len, KEYRING_NAMESPACE, payload.data, payload.len, &signer) == 0) {
				first = xcalloc(1, SIG_FINGERPRINT_SIZE);
				sig_key_fingerprint(signer, first);
			}
			sig_key_free(signer);
		}
		buf_release(&payload);
		buf_release(&armored);
	}
	if (!first) {
		if (trust)
			errset("the team's keyring is not signed, so it cannot be checked against %s", trust);
		else
			rc = 0;
		goto out;
	}
	if (trust && strcmp(trust, first)) {
		errset("the team's keyring was first signed by %s, not by %s: not a journal to trust", first, trust);
		goto out;
	}
	if (check_keyring_history(j, first, NULL, head, &why) != 0) {
		errset("the team's keyring does not check: %s", why ? why : errget());
		goto out;
	}
	if (keyring_pin(j->dir, first) < 0 || save_keyring(j, head) < 0)
		goto out;
	*pinned = first;
	first = NULL;
	rc = 0;
out:
	free(first);
	free(why);
	free(head);
	buf_release(&list);
	buf_release(&text);
	return rc;
}

/* the lines of team_changes in c that are not in before, appended to out as "    + text" */
static void keyring_diff(const struct conf *before, const struct conf *c, struct buf *out)
{
	struct team_change *a, *b;
	size_t na, nb;

	team_changes(before, &a, &na);
	team_changes(c, &b, &nb);
	for (size_t i = 0; i < nb; i++) {
		bool seen = false;
		for (size_t k = 0; k < na && !seen; k++)
			seen = a[k].time == b[i].time && !strcmp(a[k].text, b[i].text);
		if (!seen) {
			buf_adds(out, "    ");
			utf8_escape(out, b[i].text, strlen(b[i].text), false);
			buf_addc(out, '\n');
		}
	}
	team_changes_free(a, na);
	team_changes_free(b, nb);
}

int replica_team_log(struct journal *j, struct buf *out)
{
	const char *args[] = { "rev-list", "--reverse", "--topo-order", REPLICA_TEAM_REF, NULL };
	struct buf list = BUF_INIT, text = BUF_INIT;
	struct conf *prev = NULL;

	char *head = ref_commit(j, REPLICA_TEAM_REF);

	if (!head) {
		if (git_check_dir(j->dir, NULL) != GIT_TRUSTED)
			return -1;
		buf_adds(out, "no keyring history yet (the first sync commits team.conf)\n");
		return 0;
	}
	free(head);
	if (git_run(j->dir, NULL, &list, NULL, args) != 0) {
		if (!*errget())
			errset("git rev-list %s failed", REPLICA_TEAM_REF);
		buf_release(&list);
		return -1;
	}
	for (char *id = list.data, *nl; id && *id; id = nl ? nl + 1 : NULL) {
		char tree[KEYRING_OID_LEN + 1], parent[KEYRING_OID_LEN + 1], t[DAY_TIME_LEN + 1];
		struct buf payload = BUF_INIT, armored = BUF_INIT;
		struct conf *c;
		int64_t when = 0;

		if ((nl = strchr(id, '\n')))
			*nl = '\0';
		buf_reset(&text);
		if (commit_text(j, id, &text) < 0)
			continue;
		keyring_parse(text.data, text.len, &payload, &armored, tree, parent, &when);
		day_time_format(when, t);
		buf_addf(out, "%.10s %.5s UTC  %.12s  ", t, t + 11, id);
		if (!armored.len) {
			buf_adds(out, "unsigned\n");
		} else {
			struct sig_key *signer = NULL;
			char fp[SIG_FINGERPRINT_SIZE];
			if (sig_verify(armored.data, armored.len, KEYRING_NAMESPACE, payload.data, payload.len, &signer) < 0) {
				buf_adds(out, "BAD SIGNATURE\n");
			} else {
				struct team_keys keys, own;
				const struct team_key *tk, *otk;
				struct conf *c0 = conf_at(j, id);
				sig_key_fingerprint(signer, fp);
				team_keys_load(prev, &keys);
				team_keys_load(c0, &own);
				tk = team_keys_find(&keys, signer);
				/* the first signed change: the key it lists itself, the root of trust */
				otk = keys.n == 0 ? team_keys_find(&own, signer) : NULL;
				if (tk)
					buf_addf(out, "signed by %s (%s)\n", tk->admin, fp);
				else if (otk)
					buf_addf(out, "signed by %s (%s), who starts the keyring\n", otk->admin, fp);
				else
					buf_addf(out, "signed by a key the keyring before did not list (%s)\n", fp);
				team_keys_free(&keys);
				team_keys_free(&own);
				conf_free(c0);
			}
			sig_key_free(signer);
		}
		c = conf_at(j, id);
		keyring_diff(prev, c, out);
		conf_free(prev);
		prev = c;
		buf_release(&payload);
		buf_release(&armored);
	}
	conf_free(prev);
	buf_release(&list);
	buf_release(&text);
	return 0;
}
