/*
 * git: plumbing through run.c.  Outputs are parsed with -z where git
 * offers it, so no path is ever misread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * SHA1_Init and the rest are the low-level calls OpenSSL 3 marks
 * deprecated: the EVP route loads the configuration and the providers
 * first, about 1 ms, which a sync that finds nothing new would pay only
 * to name team.conf's blob (record.c does the same for SHA-256).
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "base/err.h"
#include "base/fs.h"
#include "base/hex.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "replica/git.h"
#include "base/banned.h"

#define GIT_ARGS_MAX 64

/*
 * The configuration every git we run gets on top of the repository's,
 * through GIT_CONFIG_COUNT (command-line configuration, which wins over
 * the files): no hooks (git looks for "<hooksPath>/<name>"; under
 * /dev/null that is never an executable file, so none runs), no
 * fsmonitor, and only the transports a replica uses; the few objects of
 * a sync's commit loose, as a fetch leaves a few (a pack of their own
 * each time would have gc --auto repack everything after 50 syncs).  No
 * safe.directory:
 * git's own refusal of a repository another account owns stays on.
 */
static const char *const pinned[][2] = {
	{ "core.hooksPath", "/dev/null" },
	{ "core.fsmonitor", "false" },
	{ "protocol.allow", "never" },
	{ "protocol.file.allow", "always" },
	{ "protocol.ssh.allow", "always" },
	{ "protocol.git.allow", "never" },
	{ "fastimport.unpackLimit", "100" },	/* FI_SMALL relies on it */
};
#define NPINNED (sizeof pinned / sizeof *pinned)

/* the environment of every git we run; built once; home: the HOME of a git run as another account */
static const char *const *git_env(const char *index, const char *home)
{
	static const char *env[16 + 2 * NPINNED];
	static char *ssh, *index_var, *home_var, *config[1 + 2 * NPINNED];
	size_t n = 0;

	if (!ssh) {
		/*
		 * accept-new: the first contact with a replica (setup --join,
		 * remote add, then the timer) writes its host key; a changed
		 * key is still refused
		 */
		ssh = xasprintf("GIT_SSH_COMMAND=ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new "
				"-o ConnectTimeout=%d -o ServerAliveInterval=%d -o ServerAliveCountMax=2",
				GIT_CONNECT_TIMEOUT, GIT_CONNECT_TIMEOUT);
		config[0] = xasprintf("GIT_CONFIG_COUNT=%zu", NPINNED);
		for (size_t i = 0; i < NPINNED; i++) {
			config[1 + 2 * i] = xasprintf("GIT_CONFIG_KEY_%zu=%s", i, pinned[i][0]);
			config[2 + 2 * i] = xasprintf("GIT_CONFIG_VALUE_%zu=%s", i, pinned[i][1]);
		}
	}
	env[n++] = "GIT_TERMINAL_PROMPT=0";
	env[n++] = "GIT_AUTHOR_NAME=" GIT_IDENT_NAME;
	env[n++] = "GIT_AUTHOR_EMAIL=" GIT_IDENT_EMAIL;
	env[n++] = "GIT_COMMITTER_NAME=" GIT_IDENT_NAME;
	env[n++] = "GIT_COMMITTER_EMAIL=" GIT_IDENT_EMAIL;
	/* the admins' own ssh settings win: a jump host or a key they chose */
	if (!getenv("GIT_SSH_COMMAND") && !getenv("GIT_SSH"))
		env[n++] = ssh;
	for (size_t i = 0; i < 1 + 2 * NPINNED; i++)
		env[n++] = config[i];
	free(index_var);
	index_var = NULL;
	if (index) {
		index_var = xasprintf("GIT_INDEX_FILE=%s", index);
		env[n++] = index_var;
	}
	free(home_var);
	home_var = NULL;
	if (home) {
		home_var = xasprintf("HOME=%s", home);
		env[n++] = home_var;
	}
	env[n] = NULL;
	return env;
}

/* a user's name for messages, else the number */
static char *user_name(uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	return pw ? xstrdup(pw->pw_name) : xasprintf("%lu", (unsigned long)uid);
}

/* a group's name for messages, else the number */
static char *group_name(gid_t gid)
{
	struct group *gr = getgrgid(gid);

	return gr ? xstrdup(gr->gr_name) : xasprintf("%lu", (unsigned long)gid);
}

/*
 * path (dir/.git/rel) must be what owner alone can change: not a
 * symbolic link, of the type wanted, owned by owner (or root), not
 * writable by group or others.  Missing is fine when may_miss.
 */
static int check_path(const char *dir, const char *rel, mode_t type, uid_t owner, bool may_miss)
{
	char *path = xasprintf("%s/%s", dir, rel);
	struct stat st;
	int rc = GIT_UNSAFE;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT && may_miss)
			rc = GIT_TRUSTED;
		else
			errset_sys("%s", path);
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		errset("%s is a symbolic link: git would follow it wherever it points; "
		       "replace it with a %s of its own", path, type == S_IFDIR ? "directory" : "file");
	} else if ((st.st_mode & S_IFMT) != type) {
		errset("%s is not a %s", path, type == S_IFDIR ? "directory" : "regular file");
	} else if (st.st_uid != owner && st.st_uid != 0) {
		char *who = user_name(st.st_uid), *own = user_name(owner);
		errset("%s belongs to %s, not to %s who owns %s/.git: git would run what it says; chown %s %s",
		       path, who, own, dir, own, path);
		free(who);
		free(own);
	} else if (st.st_mode & S_IWGRP) {
		char *g = group_name(st.st_gid);
		errset("%s is writable by group %s: git would run what it says; chmod g-w %s", path, g, path);
		free(g);
	} else if (st.st_mode & S_IWOTH) {
		errset("%s is writable by every account: git would run what it says; chmod o-w %s", path, path);
	} else {
		rc = GIT_TRUSTED;
	}
out:
	free(path);
	return rc;
}

int git_check_dir(const char *dir, uid_t *owner)
{
	char *gitdir = xasprintf("%s/.git", dir);
	struct stat st;
	int rc;

	if (lstat(gitdir, &st) < 0) {
		/* nothing to read config or hooks from yet: git init makes it */
		rc = errno == ENOENT ? GIT_TRUSTED : GIT_UNSAFE;
		if (rc != GIT_TRUSTED)
			errset_sys("%s", gitdir);
		free(gitdir);
		return rc;
	}
	free(gitdir);
	if (owner)
		*owner = st.st_uid;
	/* root runs git as the owner (git_run), never as root */
	if (S_ISDIR(st.st_mode) && st.st_uid != geteuid() && geteuid() != 0) {
		char *own = user_name(st.st_uid);
		errset("only %s runs git in %s (%s/.git is theirs); ask for a sync: logbook sync", own, dir, dir);
		free(own);
		return GIT_NOT_OWNER;
	}
	if ((rc = check_path(dir, ".git", S_IFDIR, st.st_uid, false)) == GIT_TRUSTED &&
	    (rc = check_path(dir, ".git/config", S_IFREG, st.st_uid, true)) == GIT_TRUSTED)
		rc = check_path(dir, ".git/hooks", S_IFDIR, st.st_uid, true);
	return rc;
}

int git_become_owner(const char *dir)
{
	char *gitdir;
	struct passwd *pw;
	struct stat st;
	int rc;

	if (geteuid() != 0)
		return 0;
	gitdir = xasprintf("%s/.git", dir);
	rc = lstat(gitdir, &st);
	if (rc < 0 && errno == ENOENT) {
		free(gitdir);
		return 0;
	}
	if (rc < 0) {
		errset_sys("%s", gitdir);
	} else if (!S_ISDIR(st.st_mode)) {
		errset("%s is not a directory: git does not run there", gitdir);
		rc = -1;
	} else if (st.st_uid == 0) {
		rc = 0;
	} else if (!(pw = getpwuid(st.st_uid))) {
		errset("%s belongs to uid %lu, which has no account: git does not run there as root", gitdir,
		       (unsigned long)st.st_uid);
		rc = -1;
	} else if (run_become(pw) < 0) {
		rc = -1;
	} else {
		rc = 1;
	}
	free(gitdir);
	return rc;
}

int git_protect_dir(const char *dir)
{
	static const char *const rels[] = { ".git", ".git/config", ".git/hooks" };

	for (size_t i = 0; i < sizeof rels / sizeof *rels; i++) {
		char *path = xasprintf("%s/%s", dir, rels[i]);
		struct stat st;
		int rc = lstat(path, &st);

		if (rc == 0 && !S_ISLNK(st.st_mode) && (st.st_mode & (S_IWGRP | S_IWOTH)))
			rc = chmod(path, st.st_mode & 07777 & ~(mode_t)(S_IWGRP | S_IWOTH));
		if (rc < 0 && errno != ENOENT) {
			errset_sys("%s", path);
			free(path);
			return -1;
		}
		free(path);
	}
	return 0;
}

const char *git_pack_command(const char *url, bool push)
{
	bool local = url[0] == '/' || !strncmp(url, "file://", 7);

	/*
	 * A hub on this machine runs its upload-pack and receive-pack as us,
	 * and git passes none of our configuration to them: they get the
	 * pins they need on their own command line.  A remote over ssh runs
	 * its side as the account we log in as; git-shell accepts the plain
	 * names only.
	 */
	if (local)
		return push ? "git -c core.hooksPath=/dev/null -c core.fsmonitor=false receive-pack"
			    : "git -c core.hooksPath=/dev/null -c core.fsmonitor=false upload-pack";
	return push ? "git-receive-pack" : "git-upload-pack";
}

/*
 * Start "git args..." in dir as git_run does (checks, setpriv for root,
 * the pinned environment); stdout out: RUN_PIPE (c->from_child), RUN_NULL
 * or a descriptor; stderr to errfd, or inherited when -1.  -1 and errget().
 */
static int git_start(const char *dir, const char *index, int out, int infd, int errfd,
		     const char *const args[], struct child *c)
{
	static const char *const name[] = { "git", NULL };
	const char *argv[GIT_ARGS_MAX + 7];
	size_t n = 0, first;
	char reuid[32], regid[32];
	uid_t owner = geteuid();
	struct passwd *pw = NULL;

	if (git_check_dir(dir ? dir : ".", &owner) != GIT_TRUSTED)
		return -1;
	if (owner != geteuid()) {
		/*
		 * root, in a journal whose .git another account owns: git runs
		 * as that account, with its groups and home (setpriv, from
		 * util-linux), so nothing in .git ever runs as root
		 */
		if (!(pw = getpwuid(owner))) {
			errset("%s/.git belongs to uid %lu, which has no account: git does not run there as root",
			       dir ? dir : ".", (unsigned long)owner);
			return -1;
		}
		snprintf(reuid, sizeof reuid, "--reuid=%lu", (unsigned long)pw->pw_uid);
		snprintf(regid, sizeof regid, "--regid=%lu", (unsigned long)pw->pw_gid);
		argv[n++] = "setpriv";
		argv[n++] = reuid;
		argv[n++] = regid;
		argv[n++] = "--init-groups";
		argv[n++] = "--";
	}
	first = n;
	argv[n++] = "git";
	for (; args[n - first - 1] && n - first <= GIT_ARGS_MAX; n++)
		argv[n] = args[n - first - 1];
	argv[n] = NULL;
	if (args[n - first - 1]) {
		errset("git: too many arguments");
		return -1;
	}
	memset(c, 0, sizeof *c);
	c->argv = argv;
	c->dir = dir;
	c->in = infd >= 0 || infd == RUN_PIPE ? infd : RUN_NULL;
	c->out = out;
	c->err = errfd >= 0 ? errfd : RUN_INHERIT;
	c->env = git_env(index, pw ? pw->pw_dir : NULL);
	if (run_start(c) < 0) {
		errprefix("git (is git installed?)");
		return -1;
	}
	/* argv was ours for the spawn only; run_finish names the program */
	c->argv = name;
	return 0;
}

/* an unlinked temporary file for a git's output or input; -1 and errget() */
static int output_file(void)
{
	char tmpl[] = "/tmp/logbook-git-XXXXXX";
	/* a file that never has a name leaves none behind when this process is killed */
	int fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0)
		return fd;
	/* a file system without O_TMPFILE: a name, removed at once */
	fd = mkstemp(tmpl);
	if (fd < 0) {
		errset_sys("%s", tmpl);
		return -1;
	}
	unlink(tmpl);
	/* the git it is for gets it as stdout or stderr; no other child keeps it open */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* the first max bytes of the temporary file fd into b (NULL: none), and fd closed */
static void output_take(int fd, struct buf *b, size_t max)
{
	if (b && lseek(fd, 0, SEEK_SET) == 0)
		fs_read_fd(fd, b, max);
	close(fd);
}

int git_run(const char *dir, const char *index, struct buf *out, struct buf *err, const char *const args[])
{
	struct child c;
	int errfd = -1, rc;

	if (err && (errfd = output_file()) < 0)
		return -1;
	if (git_start(dir, index, out ? RUN_PIPE : RUN_NULL, -1, errfd, args, &c) < 0) {
		if (errfd >= 0)
			close(errfd);
		return -1;
	}
	if (out && fs_read_fd(c.from_child, out, 0) < 0) {
		errset_sys("reading the output of git %s", args[0]);
		run_finish(&c);
		if (errfd >= 0)
			close(errfd);
		return -1;
	}
	rc = run_finish(&c);
	if (errfd >= 0)
		output_take(errfd, err, 64 * 1024);
	return rc;
}

static int input_file(const struct buf *data);

int git_run_input(const char *dir, const char *index, const struct buf *in, struct buf *out, const char *const args[])
{
	struct child c;
	int fd = input_file(in), rc;

	if (fd < 0)
		return -1;
	rc = git_start(dir, index, out ? RUN_PIPE : RUN_NULL, fd, -1, args, &c);
	close(fd);
	if (rc < 0)
		return -1;
	if (out && fs_read_fd(c.from_child, out, 0) < 0) {
		errset_sys("reading the output of git %s", args[0]);
		run_finish(&c);
		return -1;
	}
	return run_finish(&c);
}

int git_run_start(const char *dir, const char *index, const char *const args[], struct git_job *job)
{
	memset(job, 0, sizeof *job);
	job->outfd = job->errfd = -1;
	if ((job->outfd = output_file()) < 0 || (job->errfd = output_file()) < 0 ||
	    git_start(dir, index, job->outfd, -1, job->errfd, args, &job->c) < 0)
		goto fail;
	return 0;
fail:
	if (job->outfd >= 0)
		close(job->outfd);
	if (job->errfd >= 0)
		close(job->errfd);
	job->outfd = job->errfd = -1;
	return -1;
}

int git_run_finish(struct git_job *job, struct buf *out, struct buf *err)
{
	int rc = run_finish(&job->c);

	output_take(job->outfd, out, 0);
	output_take(job->errfd, err, 64 * 1024);
	job->outfd = job->errfd = -1;
	return rc;
}

char *git_resolve(const char *dir, const char *rev)
{
	char *spec = xasprintf("%s^{commit}", rev);
	const char *args[] = { "rev-parse", "-q", "--verify", spec, NULL };
	struct buf out = BUF_INIT;
	int rc = git_run(dir, NULL, &out, NULL, args);

	free(spec);
	if (rc != 0 || out.len == 0) {
		buf_release(&out);
		return NULL;
	}
	while (out.len && out.data[out.len - 1] == '\n')
		buf_truncate(&out, out.len - 1);
	return buf_detach(&out, NULL);
}

static int cmp_ref(const void *a, const void *b)
{
	return strcmp(((const struct git_ref *)a)->name, ((const struct git_ref *)b)->name);
}

/* "<object> <type> <tree, commits only> <name>": no ref name holds a space */
static const char *const refs_args[] = { "for-each-ref", "--format=%(objectname) %(objecttype) %(tree) %(refname)",
					 NULL };

/* git for-each-ref's exit status rc and output b into out */
static int refs_parse(const char *dir, int rc, struct buf *b, struct git_refs *out)
{
	memset(out, 0, sizeof *out);
	if (rc != 0) {
		if (rc > 0)
			errset("git for-each-ref in %s failed (exit %d)", dir, rc);
		buf_release(b);
		return -1;
	}
	for (char *line = b->data, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		char *type, *tree, *name;
		if ((nl = strchr(line, '\n')))
			*nl = '\0';
		if (!(type = strchr(line, ' ')) || !(tree = strchr(type + 1, ' ')) || !(name = strchr(tree + 1, ' ')))
			continue;
		*type++ = *tree++ = *name++ = '\0';
		out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
		out->v[out->n].name = xstrdup(name);
		out->v[out->n].id = xstrdup(line);
		out->v[out->n++].tree = !strcmp(type, "commit") && *tree ? xstrndup(tree, (size_t)(name - 1 - tree)) : NULL;
	}
	buf_release(b);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, cmp_ref);
	return 0;
}

int git_refs_load(const char *dir, struct git_refs *out)
{
	struct buf b = BUF_INIT;

	return refs_parse(dir, git_run(dir, NULL, &b, NULL, refs_args), &b, out);
}

int git_refs_load_start(const char *dir, struct git_job *job)
{
	return git_run_start(dir, NULL, refs_args, job);
}

int git_refs_load_finish(const char *dir, struct git_job *job, struct git_refs *out)
{
	struct buf b = BUF_INIT;

	return refs_parse(dir, git_run_finish(job, &b, NULL), &b, out);
}

const struct git_ref *git_refs_find(const struct git_refs *r, const char *name)
{
	struct git_ref key = { .name = (char *)name };

	return r->n ? bsearch(&key, r->v, r->n, sizeof *r->v, cmp_ref) : NULL;
}

void git_refs_set(struct git_refs *r, const char *name, const char *id, const char *tree)
{
	struct git_ref *found = (struct git_ref *)git_refs_find(r, name);
	size_t at = 0;

	if (found) {
		free(found->id);
		free(found->tree);
	} else {
		while (at < r->n && strcmp(r->v[at].name, name) < 0)
			at++;
		r->v = xreallocarray(r->v, r->n + 1, sizeof *r->v);
		memmove(r->v + at + 1, r->v + at, (r->n - at) * sizeof *r->v);
		r->n++;
		found = &r->v[at];
		found->name = xstrdup(name);
	}
	found->id = xstrdup(id);
	found->tree = tree ? xstrdup(tree) : NULL;
}

void git_refs_free(struct git_refs *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].id);
		free(r->v[i].tree);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

int git_is_ancestor(const char *dir, const char *a, const char *b)
{
	const char *args[] = { "merge-base", "--is-ancestor", a, b, NULL };
	int rc = git_run(dir, NULL, NULL, NULL, args);

	if (rc == 0 || rc == 1)
		return rc == 0;
	if (rc > 0)
		errset("git merge-base failed (exit %d)", rc);
	return -1;
}

int git_blob(const char *dir, const char *id, struct buf *out)
{
	const char *args[] = { "cat-file", "blob", id, NULL };
	int rc = git_run(dir, NULL, out, NULL, args);

	if (rc > 0)
		errset("git cat-file blob %s failed (exit %d)", id, rc);
	return rc == 0 ? 0 : -1;
}

int git_blob_open(const char *dir, const char *id, struct git_blob_reader *r)
{
	const char *args[] = { "cat-file", "blob", id, NULL };

	memset(r, 0, sizeof *r);
	if (git_start(dir, NULL, RUN_PIPE, -1, -1, args, &r->c) < 0)
		return -1;
	r->id = xstrdup(id);
	return 0;
}

ssize_t git_blob_read(struct git_blob_reader *r, void *data, size_t len)
{
	ssize_t n;

	if (r->eof)
		return 0;
	while ((n = read(r->c.from_child, data, len)) < 0 && errno == EINTR)
		;
	if (n < 0)
		errset_sys("reading blob %.12s from git", r->id);
	else if (n == 0)
		r->eof = true;
	return n;
}

int git_blob_close(struct git_blob_reader *r)
{
	/* a reader that stops early closes the pipe: git dies of SIGPIPE, which is no failure */
	int rc = run_finish(&r->c);

	if (r->eof && rc != 0) {
		if (rc > 0)
			errset("git cat-file blob %.12s failed (exit %d)", r->id, rc);
		rc = -1;
	} else {
		rc = rc < 0 ? -1 : 0;
	}
	free(r->id);
	r->id = NULL;
	return rc;
}

/*
 * data in an unlinked file, read from its start: the input of a git
 * that answers while we would still be writing to a pipe.  -1 and errget()
 */
static int input_file(const struct buf *data)
{
	int fd = output_file();

	if (fd >= 0 && (fs_write_all(fd, data->data, data->len) < 0 || lseek(fd, 0, SEEK_SET) != 0)) {
		errset_sys("a temporary file for git's input");
		close(fd);
		return -1;
	}
	return fd;
}

int git_batch_open(const char *dir, const char *const ids[], size_t n, struct git_batch *b)
{
	static const char *const args[] = { "cat-file", "--batch", NULL };
	struct buf list = BUF_INIT;
	int fd, rc;

	memset(b, 0, sizeof *b);
	for (size_t i = 0; i < n; i++)
		buf_addf(&list, "%s\n", ids[i]);
	fd = input_file(&list);
	buf_release(&list);
	if (fd < 0)
		return -1;
	rc = git_start(dir, NULL, RUN_PIPE, fd, -1, args, &b->c);
	close(fd);
	return rc;
}

/* more bytes of git's output after the ones held; 0 at its end, -1 */
static ssize_t batch_fill(struct git_batch *b)
{
	ssize_t got;

	if (b->start > 0) {
		memmove(b->buf, b->buf + b->start, b->end - b->start);
		b->end -= b->start;
		b->start = 0;
	}
	if (b->end == sizeof b->buf) {
		errset("git cat-file --batch: a header line of more than %zu bytes", sizeof b->buf);
		return -1;
	}
	while ((got = read(b->c.from_child, b->buf + b->end, sizeof b->buf - b->end)) < 0 && errno == EINTR)
		;
	if (got < 0)
		errset_sys("reading from git cat-file --batch");
	else
		b->end += (size_t)got;
	return got;
}

int git_batch_next(struct git_batch *b, int64_t *size)
{
	char *nl, *sp, *end;
	char line[256];
	ssize_t got;
	long long n;

	/* the rest of the blob before, and the newline git puts after each */
	while (b->left > 0) {
		char skip[4096];
		if ((got = git_batch_read(b, skip, sizeof skip)) < 0)
			return -1;
		if (got == 0)
			break;
	}
	if (b->in_blob) {
		if (b->start == b->end && (got = batch_fill(b)) <= 0)
			goto short_output;
		if (b->buf[b->start++] != '\n')
			goto bad;
		b->in_blob = false;
	}
	while (!(nl = memchr(b->buf + b->start, '\n', b->end - b->start))) {
		if ((got = batch_fill(b)) < 0)
			return -1;
		if (got == 0) {
			if (b->start != b->end)
				goto short_output;
			b->done = true;
			return 0;
		}
	}
	snprintf(line, sizeof line, "%.*s", (int)(nl - (b->buf + b->start)), b->buf + b->start);
	b->start = (size_t)(nl - b->buf) + 1;
	/* "<id> blob <size>", or "<id> missing" */
	if (!(sp = strstr(line, " blob ")))
		goto bad_line;
	errno = 0;
	n = strtoll(sp + 6, &end, 10);
	if (errno || *end || n < 0)
		goto bad_line;
	*size = b->left = n;
	b->in_blob = true;
	return 1;
bad_line:
	errset("git cat-file --batch: '%.60s' where a blob was asked for", line);
	return -1;
short_output:
	errset("git cat-file --batch stopped before the end of its output");
	return -1;
bad:
	errset("git cat-file --batch: no newline after a blob");
	return -1;
}

ssize_t git_batch_read(struct git_batch *b, void *data, size_t len)
{
	size_t n;
	ssize_t got;

	if (b->left == 0)
		return 0;
	if (b->start == b->end) {
		if ((got = batch_fill(b)) < 0)
			return -1;
		if (got == 0) {
			errset("git cat-file --batch stopped in the middle of a blob");
			return -1;
		}
	}
	n = b->end - b->start;
	if (n > len)
		n = len;
	if ((int64_t)n > b->left)
		n = (size_t)b->left;
	memcpy(data, b->buf + b->start, n);
	b->start += n;
	b->left -= (int64_t)n;
	return (ssize_t)n;
}

int git_batch_close(struct git_batch *b)
{
	/* a reader that stops early closes the pipe: git dies of SIGPIPE, which is no failure */
	int rc = run_finish(&b->c);

	if (!b->done)
		return rc < 0 ? -1 : 0;
	if (rc > 0)
		errset("git cat-file --batch failed (exit %d)", rc);
	return rc == 0 ? 0 : -1;
}

static void add_file(struct git_files *f, const char *id, size_t idlen, const char *path)
{
	f->files = xreallocarray(f->files, f->n + 1, sizeof *f->files);
	f->files[f->n].id = xstrndup(id, idlen);
	f->files[f->n].path = xstrdup(path);
	f->n++;
}

int git_diff(const char *dir, const char *old, const char *new, struct git_changes *out)
{
	const char *args[] = { "diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", old, new, NULL };
	struct buf b = BUF_INIT;
	const char *p, *end;
	int rc;

	memset(out, 0, sizeof *out);
	rc = git_run(dir, NULL, &b, NULL, args);
	if (rc != 0) {
		if (rc > 0)
			errset("git diff-tree %.12s %.12s failed (exit %d)", old, new, rc);
		buf_release(&b);
		return -1;
	}
	p = buf_str(&b);
	end = p + b.len;
	while (p < end) {
		/* ":<mode> <mode> <id> <id> <status>" NUL "<path>" NUL */
		const char *rec = p, *f[5], *path;
		struct git_change *c;
		size_t nf = 0;

		p += strlen(rec) + 1;
		if (p >= end)
			break;
		path = p;
		p += strlen(path) + 1;
		for (const char *s = rec; *s && nf < 5; s++)
			if (s == rec || s[-1] == ' ')
				f[nf++] = s;
		if (nf < 5)
			continue;
		out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
		c = &out->v[out->n++];
		c->path = xstrdup(path);
		c->old_id = f[4][0] == 'A' ? NULL : xstrndup(f[2], strcspn(f[2], " "));
		c->new_id = f[4][0] == 'D' ? NULL : xstrndup(f[3], strcspn(f[3], " "));
		/* mode 000000 on the side where the path is missing */
		c->regular = (!c->old_id || !strncmp(f[0] + 1, "100", 3)) && (!c->new_id || !strncmp(f[1], "100", 3));
	}
	buf_release(&b);
	return 0;
}

void git_changes_free(struct git_changes *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].path);
		free(c->v[i].old_id);
		free(c->v[i].new_id);
	}
	free(c->v);
	memset(c, 0, sizeof *c);
}

int64_t git_blob_size(const char *dir, const char *id)
{
	const char *args[] = { "cat-file", "-s", id, NULL };
	struct buf out = BUF_INIT;
	char *end;
	long long n;
	int rc = git_run(dir, NULL, &out, NULL, args);

	if (rc != 0) {
		if (rc > 0)
			errset("git cat-file -s %.12s failed (exit %d)", id, rc);
		buf_release(&out);
		return -1;
	}
	errno = 0;
	n = strtoll(buf_str(&out), &end, 10);
	if (errno || end == buf_str(&out) || n < 0) {
		errset("git cat-file -s %.12s: not a size", id);
		n = -1;
	}
	buf_release(&out);
	return n;
}

int git_changed_files(const char *dir, const char *old, const char *new, struct git_files *out)
{
	const char *ls[] = { "ls-tree", "-r", "-z", "--full-tree", new, NULL };
	const char *diff[] = { "diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", old, new, NULL };
	struct buf b = BUF_INIT;
	const char *p, *end;
	int rc;

	memset(out, 0, sizeof *out);
	rc = git_run(dir, NULL, &b, NULL, old ? diff : ls);
	if (rc != 0) {
		if (rc > 0)
			errset("git %s %s failed (exit %d)", old ? "diff-tree" : "ls-tree", new, rc);
		buf_release(&b);
		return -1;
	}
	p = buf_str(&b);
	end = p + b.len;
	while (p < end) {
		const char *rec = p, *path;
		size_t len = strlen(rec);

		p += len + 1;
		if (!old) {
			/* "<mode> blob <id>\t<path>" */
			const char *tab = strchr(rec, '\t'), *id;
			if (!tab || strncmp(rec, "100", 3) != 0 || !(id = strstr(rec, " blob ")) || id > tab)
				continue;
			id += 6;
			add_file(out, id, (size_t)(tab - id), tab + 1);
		} else {
			/* ":<mode> <mode> <id> <id> <status>" NUL "<path>" */
			const char *f[5];
			size_t nf = 0;
			if (p >= end)
				break;
			path = p;
			p += strlen(path) + 1;
			for (const char *s = rec; *s && nf < 5; s++)
				if (s == rec || s[-1] == ' ')
					f[nf++] = s;
			if (nf < 5 || f[4][0] == 'D' || strncmp(f[1], "100", 3) != 0)
				continue;
			add_file(out, f[3], strcspn(f[3], " "), path);
		}
	}
	buf_release(&b);
	return 0;
}

void git_files_free(struct git_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->files[i].id);
		free(f->files[i].path);
	}
	free(f->files);
	memset(f, 0, sizeof *f);
}

int git_update_ref(const char *dir, const char *ref, const char *new, const char *old)
{
	const char *args[] = { "update-ref", "-m", "logbook sync", ref, new, old ? old : "", NULL };
	int rc = git_run(dir, NULL, NULL, NULL, args);

	if (rc > 0)
		errset("git update-ref %s failed (exit %d)", ref, rc);
	return rc == 0 ? 0 : -1;
}

/* ---- committing files: one git fast-import ---- */

void git_object_id(const char *type, const void *data, size_t len, char out[GIT_OID_HEX + 1])
{
	char head[64];
	unsigned char md[SHA_DIGEST_LENGTH];
	SHA_CTX ctx;
	int n = snprintf(head, sizeof head, "%s %zu", type, len);

	/* git names objects by the SHA-1 of "<type> <size>\0<data>" */
	if (!SHA1_Init(&ctx) || !SHA1_Update(&ctx, head, (size_t)n + 1) || !SHA1_Update(&ctx, data, len) ||
	    !SHA1_Final(md, &ctx))
		abort();
	hex_encode(md, GIT_OID_HEX / 2, out);
}

/*
 * A conversation with git fast-import: commands go out through a buffer,
 * answers (to ls and get-mark, on --cat-blob-fd=1) come back one line
 * each.  Commands are flushed before an answer is read, and no more than
 * FI_BATCH questions are asked before their answers are read: neither
 * side's pipe ever fills while the other waits.
 */
#define FI_BATCH 256
/* at most 3 objects a file (its blob, its day's and year's trees) and the root tree and commit: under 100 */
#define FI_SMALL 32

struct fast_import {
	struct child c;
	int errfd;
	bool started;
	struct buf out;		/* commands not yet written */
	struct buf in;		/* what git wrote, from in_off on not yet taken */
	size_t in_off;
};

static int fi_flush(struct fast_import *fi)
{
	if (fi->out.len && fs_write_all(fi->c.to_child, fi->out.data, fi->out.len) < 0) {
		errset_sys("writing to git fast-import");
		return -1;
	}
	buf_reset(&fi->out);
	return 0;
}

/* the next answer, without its newline, into line; -1 and errget() when git stopped first */
static int fi_answer(struct fast_import *fi, struct buf *line)
{
	if (fi_flush(fi) < 0)
		return -1;
	for (;;) {
		const char *s = fi->in.data ? fi->in.data + fi->in_off : NULL,
			   *nl = s ? memchr(s, '\n', fi->in.len - fi->in_off) : NULL;
		char chunk[4096];
		ssize_t n;
		if (nl) {
			buf_reset(line);
			buf_add(line, s, (size_t)(nl - s));
			fi->in_off += (size_t)(nl - s) + 1;
			return 0;
		}
		do
			n = read(fi->c.from_child, chunk, sizeof chunk);
		while (n < 0 && errno == EINTR);
		if (n <= 0) {
			errset("git fast-import stopped before it answered");
			return -1;
		}
		buf_add(&fi->in, chunk, (size_t)n);
	}
}

/* path as fast-import reads it: always in C-style quotes, so no name is ever taken for something else */
static void fi_path(struct buf *b, const char *path)
{
	buf_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_addf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			buf_addf(b, "\\%03o", *p);
		else
			buf_addc(b, (char)*p);
	}
	buf_addc(b, '"');
}

/* "<mode> <type> <id>\t<path>" or "missing <path>": the mode and id of a blob, false for anything else */
static bool ls_blob(const char *line, char mode[7], char id[GIT_OID_HEX + 1])
{
	if (strlen(line) < 6 + 6 + GIT_OID_HEX + 1 || memcmp(line + 6, " blob ", 6) != 0 ||
	    line[12 + GIT_OID_HEX] != '\t')
		return false;
	memcpy(mode, line, 6);
	mode[6] = '\0';
	memcpy(id, line + 12, GIT_OID_HEX);
	id[GIT_OID_HEX] = '\0';
	return true;
}

/* "040000 tree <id>\t" (ls of the root): the id, else NULL */
static char *ls_tree(const char *line)
{
	if (strncmp(line, "040000 tree ", 12) != 0 || strlen(line) < 12 + GIT_OID_HEX ||
	    strspn(line + 12, "0123456789abcdef") != GIT_OID_HEX)
		return NULL;
	return xstrndup(line + 12, GIT_OID_HEX);
}

/* the commit command, once: everything after it until "done" is its tree's changes */
static void fi_commit(struct fast_import *fi, const char *ref, const char *old, const char *message)
{
	size_t len = strlen(message) + 1;

	if (fi->started)
		return;
	fi->started = true;
	/* as git commit-tree -m writes it: the committer of git_env, now, the message and a newline */
	buf_addf(&fi->out, "commit %s\nmark :1\n", ref);
	buf_addf(&fi->out, "author " GIT_IDENT " now\ncommitter " GIT_IDENT " now\ndata %zu\n%s\n\n", len, message);
	if (old)
		buf_addf(&fi->out, "from %s\n", old);
}

int git_commit_files(const char *dir, const char *ref, const char *old, const char *const paths[], size_t npaths,
		     const char *message, char **made, char **made_tree, struct buf *entries)
{
	/*
	 * --done: a stream cut short (this process killed) makes no commit.
	 * A commit of a few files has fewer objects than fastimport.unpackLimit
	 * (pinned): git unpacks its pack into loose objects at once, so the
	 * pack is not compressed first (a day's file would be twice).
	 */
	static const char *const small[] = { "-c", "pack.compression=0", "fast-import", "--quiet", "--done",
					     "--date-format=now", "--cat-blob-fd=1", NULL };
	const char *const *args = npaths <= FI_SMALL ? small : small + 2;
	struct fast_import fi = { .errfd = -1 };
	struct buf content = BUF_INIT, line = BUF_INIT, err = BUF_INIT;
	char (*had)[7 + GIT_OID_HEX + 1] = xreallocarray(NULL, FI_BATCH, sizeof *had);
	char *commit = NULL, *tree = NULL;
	int root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = -1, status;
	bool running = false;

	if (made)
		*made = NULL;
	if (made_tree)
		*made_tree = NULL;
	if (root < 0) {
		errset_sys("%s", dir);
		goto out;
	}
	if ((fi.errfd = output_file()) < 0 || git_start(dir, NULL, RUN_PIPE, RUN_PIPE, fi.errfd, args, &fi.c) < 0)
		goto out;
	running = true;
	for (size_t i = 0; i < npaths; i += FI_BATCH) {
		size_t n = npaths - i < FI_BATCH ? npaths - i : FI_BATCH;
		/* what old holds at each path of this batch: a blob's "<mode> <id>", else "" */
		for (size_t k = 0; old && k < n; k++) {
			buf_addf(&fi.out, "ls %s ", old);
			fi_path(&fi.out, paths[i + k]);
			buf_addc(&fi.out, '\n');
		}
		for (size_t k = 0; k < n; k++) {
			char mode[7], id[GIT_OID_HEX + 1];
			had[k][0] = '\0';
			if (!old)
				continue;
			if (fi_answer(&fi, &line) < 0)
				goto out;
			if (ls_blob(buf_str(&line), mode, id))
				snprintf(had[k], sizeof had[k], "%s %s", mode, id);
		}
		for (size_t k = 0; k < n; k++) {
			char id[GIT_OID_HEX + 1], now[sizeof had[k]];
			bool exec;
			if (fs_read_regular_below(root, dir, paths[i + k], &content, &exec) < 0)
				goto out;
			git_object_id("blob", content.data ? content.data : "", content.len, id);
			/* git's modes for a regular file: the owner's execute bit alone counts */
			snprintf(now, sizeof now, "%s %s", exec ? "100755" : "100644", id);
			if (!strcmp(now, had[k]))
				continue;
			fi_commit(&fi, ref, old, message);
			buf_addf(&fi.out, "M %.6s inline ", now);
			fi_path(&fi.out, paths[i + k]);
			buf_addf(&fi.out, "\ndata %zu\n", content.len);
			if (fi_flush(&fi) < 0 ||
			    (content.len && fs_write_all(fi.c.to_child, content.data, content.len) < 0)) {
				errset_sys("writing to git fast-import");
				goto out;
			}
			buf_addc(&fi.out, '\n');
			if (entries) {
				/* a line of git update-index -z --index-info */
				buf_addf(entries, "%s\t%s", now, paths[i + k]);
				buf_addc(entries, '\0');
			}
		}
	}
	if (fi.started) {
		buf_adds(&fi.out, "get-mark :1\n");
		if (fi_answer(&fi, &line) < 0)
			goto out;
		if (line.len != GIT_OID_HEX || strspn(buf_str(&line), "0123456789abcdef") != GIT_OID_HEX) {
			errset("git fast-import answered '%s' for the commit it made", buf_str(&line));
			goto out;
		}
		commit = buf_detach(&line, NULL);
	}
	if (made_tree && (fi.started || old)) {
		buf_addf(&fi.out, "ls %s \"\"\n", fi.started ? ":1" : old);
		if (fi_answer(&fi, &line) < 0)
			goto out;
		if (!(tree = ls_tree(buf_str(&line)))) {
			errset("git fast-import answered '%s' for the tree of a commit", buf_str(&line));
			goto out;
		}
	}
	buf_adds(&fi.out, "done\n");
	if (fi_flush(&fi) < 0)
		goto out;
	rc = fi.started ? 1 : 0;
out:
	if (running) {
		/* the end of the stream; the ref moves now, if old is still an ancestor of what it holds */
		close(fi.c.to_child);
		{
			char drain[512];
			ssize_t n;
			do
				n = read(fi.c.from_child, drain, sizeof drain);
			while (n > 0 || (n < 0 && errno == EINTR));
		}
		close(fi.c.from_child);
		status = run_finish(&fi.c);
		if (status != 0) {
			output_take(fi.errfd, &err, 4096);
			fi.errfd = -1;
			while (err.len && err.data[err.len - 1] == '\n')
				buf_truncate(&err, err.len - 1);
			if (rc >= 0)
				errset("git fast-import onto %s failed (exit %d)%s%s", ref, status, err.len ? ": " : "",
				       buf_str(&err));
			rc = -1;
			{
				/* the report git leaves in .git when its input stopped: the error said it */
				char *crash = xasprintf("%s/.git/fast_import_crash_%ld", dir, (long)fi.c.pid);
				unlink(crash);
				free(crash);
			}
		}
	}
	if (fi.errfd >= 0)
		close(fi.errfd);
	if (root >= 0)
		close(root);
	if (rc >= 0 && made)
		*made = rc ? xstrdup(commit) : old ? xstrdup(old) : NULL;
	if (rc >= 0 && made_tree) {
		*made_tree = tree;
		tree = NULL;
	}
	free(commit);
	free(tree);
	free(had);
	buf_release(&content);
	buf_release(&line);
	buf_release(&err);
	buf_release(&fi.out);
	buf_release(&fi.in);
	return rc;
}

int git_index_entries(const char *dir, const char *index, const char *rev, const struct buf *entries)
{
	const char *read[] = { "read-tree", rev, NULL };
	const char *update[] = { "update-index", "-z", "--index-info", NULL };

	/* no index yet: rev's tree, entries and all */
	if (!fs_exists(index)) {
		if (git_run(dir, index, NULL, NULL, read) != 0) {
			errset("git read-tree %s into %s failed", rev, index);
			return -1;
		}
		return 0;
	}
	if (!entries->len)
		return 0;
	if (git_run_input(dir, index, entries, NULL, update) != 0) {
		errset("git update-index --index-info of %s failed", index);
		return -1;
	}
	return 0;
}
