/*
 * git: plumbing through run.c.  Outputs are parsed with -z where git
 * offers it, so no path is ever misread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "replica/git.h"
#include "base/banned.h"

#define GIT_ARGS_MAX 64

/* the environment of every git we run; built once */
static const char *const *git_env(const char *dir, const char *index)
{
	static const char *env[16];
	static char *ssh, *index_var;
	size_t n = 0;

	if (!ssh)
		ssh = xasprintf("GIT_SSH_COMMAND=ssh -o BatchMode=yes -o ConnectTimeout=%d "
				"-o ServerAliveInterval=%d -o ServerAliveCountMax=2",
				GIT_CONNECT_TIMEOUT, GIT_CONNECT_TIMEOUT);
	env[n++] = "GIT_TERMINAL_PROMPT=0";
	env[n++] = "GIT_AUTHOR_NAME=logbook";
	env[n++] = "GIT_AUTHOR_EMAIL=logbook@localhost";
	env[n++] = "GIT_COMMITTER_NAME=logbook";
	env[n++] = "GIT_COMMITTER_EMAIL=logbook@localhost";
	/* the admins' own ssh settings win: a jump host or a key they chose */
	if (!getenv("GIT_SSH_COMMAND") && !getenv("GIT_SSH"))
		env[n++] = ssh;
	/*
	 * root and the admins' accounts share the journal, and a hub on the same
	 * machine: git must not refuse a repository another account owns
	 * ("dubious ownership").  Command-line configuration (GIT_CONFIG_COUNT)
	 * is protected, so safe.directory holds; "*" because a local hub's
	 * upload-pack and receive-pack check it too.  These are the journal and
	 * the remotes the admins configured, nothing else.
	 */
	(void)dir;
	env[n++] = "GIT_CONFIG_COUNT=1";
	env[n++] = "GIT_CONFIG_KEY_0=safe.directory";
	env[n++] = "GIT_CONFIG_VALUE_0=*";
	free(index_var);
	index_var = NULL;
	if (index) {
		index_var = xasprintf("GIT_INDEX_FILE=%s", index);
		env[n++] = index_var;
	}
	env[n] = NULL;
	return env;
}

int git_run(const char *dir, const char *index, struct buf *out, struct buf *err, const char *const args[])
{
	const char *argv[GIT_ARGS_MAX + 2];
	size_t n = 0;
	struct child c;
	char tmpl[] = "/tmp/logbook-git-XXXXXX";
	int errfd = -1, rc;

	argv[n++] = "git";
	for (; args[n - 1] && n <= GIT_ARGS_MAX; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	if (args[n - 1]) {
		errset("git: too many arguments");
		return -1;
	}
	if (err) {
		errfd = mkstemp(tmpl);
		if (errfd < 0) {
			errset_sys("%s", tmpl);
			return -1;
		}
		unlink(tmpl);
	}
	memset(&c, 0, sizeof c);
	c.argv = argv;
	c.dir = dir;
	c.in = RUN_NULL;
	c.out = out ? RUN_PIPE : RUN_NULL;
	c.err = err ? errfd : RUN_INHERIT;
	c.env = git_env(dir, index);
	if (run_start(&c) < 0) {
		errprefix("git (is git installed?)");
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
	if (errfd >= 0) {
		if (lseek(errfd, 0, SEEK_SET) == 0)
			fs_read_fd(errfd, err, 64 * 1024);
		close(errfd);
	}
	return rc;
}

/* run git; its stdout, trimmed of the final newline, when it exits 0; NULL otherwise (errget() says why) */
static char *git_line(const char *dir, const char *index, const char *const args[])
{
	struct buf out = BUF_INIT;
	int rc = git_run(dir, index, &out, NULL, args);

	if (rc != 0) {
		if (rc > 0)
			errset("git %s failed (exit %d)", args[0], rc);
		buf_release(&out);
		return NULL;
	}
	while (out.len && out.data[out.len - 1] == '\n')
		buf_truncate(&out, out.len - 1);
	return buf_detach(&out, NULL);
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

static void add_file(struct git_files *f, const char *id, size_t idlen, const char *path)
{
	f->files = xreallocarray(f->files, f->n + 1, sizeof *f->files);
	f->files[f->n].id = xstrndup(id, idlen);
	f->files[f->n].path = xstrdup(path);
	f->n++;
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

int git_commit_paths(const char *dir, const char *index, const char *ref,
		     const char *const paths[], size_t npaths, const char *message)
{
	char *old = git_resolve(dir, ref), *tree = NULL, *old_tree = NULL, *commit = NULL;
	const char **args = NULL;
	int rc = -1;

	if (!fs_exists(index)) {
		const char *read[] = { "read-tree", old ? old : "--empty", NULL };
		if (git_run(dir, index, NULL, NULL, read) != 0) {
			errset("git read-tree into %s failed", index);
			goto out;
		}
	}
	/* in batches: a journal of many years has many files */
	for (size_t i = 0; i < npaths;) {
		size_t n = 0;
		args = xcalloc(GIT_ARGS_MAX + 1, sizeof *args);
		args[n++] = "update-index";
		args[n++] = "--add";
		args[n++] = "--";
		while (i < npaths && n < GIT_ARGS_MAX)
			args[n++] = paths[i++];
		args[n] = NULL;
		if (git_run(dir, index, NULL, NULL, args) != 0) {
			errset("git update-index in %s failed", dir);
			goto out;
		}
		free(args);
		args = NULL;
	}
	{
		const char *write[] = { "write-tree", NULL };
		if (!(tree = git_line(dir, index, write)))
			goto out;
	}
	if (old) {
		char *spec = xasprintf("%s^{tree}", old);
		const char *parse[] = { "rev-parse", spec, NULL };
		old_tree = git_line(dir, NULL, parse);
		free(spec);
		if (!old_tree)
			goto out;
		if (!strcmp(old_tree, tree)) {
			rc = 0;
			goto out;
		}
	}
	{
		const char *ct_parent[] = { "commit-tree", "-m", message, "-p", old, tree, NULL };
		const char *ct_root[] = { "commit-tree", "-m", message, tree, NULL };
		if (!(commit = git_line(dir, NULL, old ? ct_parent : ct_root)))
			goto out;
	}
	if (git_update_ref(dir, ref, commit, old) < 0)
		goto out;
	rc = 1;
out:
	free(args);
	free(old);
	free(tree);
	free(old_tree);
	free(commit);
	return rc;
}
