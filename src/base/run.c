/*
 * run: posix_spawn with pipes, the pager and the editor.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "base/banned.h"

extern char **environ;

static void set_fd(posix_spawn_file_actions_t *fa, int want, int target, int pipe_end, int other_end)
{
	if (want == RUN_NULL)
		posix_spawn_file_actions_addopen(fa, target, "/dev/null", target ? O_WRONLY : O_RDONLY, 0);
	else if (want == RUN_PIPE) {
		posix_spawn_file_actions_adddup2(fa, pipe_end, target);
		posix_spawn_file_actions_addclose(fa, pipe_end);
		posix_spawn_file_actions_addclose(fa, other_end);
	} else if (want >= 0 && want != target)
		posix_spawn_file_actions_adddup2(fa, want, target);
}

/* environ with c->env's variables replacing or joining ours (the array is allocated, not the strings) */
static char **child_env(const struct child *c)
{
	size_t n = 0, extra = 0, k = 0;
	char **envp;

	while (environ[n])
		n++;
	while (c->env[extra])
		extra++;
	envp = xcalloc(n + extra + 1, sizeof *envp);
	for (size_t i = 0; i < n; i++) {
		bool replaced = false;
		for (size_t e = 0; e < extra && !replaced; e++) {
			size_t len = strcspn(c->env[e], "=");
			replaced = !strncmp(environ[i], c->env[e], len) && environ[i][len] == '=';
		}
		if (!replaced)
			envp[k++] = environ[i];
	}
	for (size_t e = 0; e < extra; e++)
		envp[k++] = (char *)c->env[e];
	envp[k] = NULL;
	return envp;
}

int run_start(struct child *c)
{
	char **envp = c->env ? child_env(c) : environ;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 };
	int rc;

	c->to_child = c->from_child = -1;
	if ((c->in == RUN_PIPE && pipe2(inp, O_CLOEXEC) < 0) ||
	    (c->out == RUN_PIPE && pipe2(outp, O_CLOEXEC) < 0)) {
		errset_sys("pipe");
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	set_fd(&fa, c->in, 0, inp[0], inp[1]);
	set_fd(&fa, c->out, 1, outp[1], outp[0]);
	set_fd(&fa, c->err, 2, -1, -1);
	if (c->dir)
		posix_spawn_file_actions_addchdir_np(&fa, c->dir);
	/* the child starts with default signals and none blocked, whatever we do */
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGQUIT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGHUP);
	sigaddset(&dflt, SIGTSTP);
	sigaddset(&dflt, SIGALRM);
	sigaddset(&dflt, SIGXFSZ);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
					(c->detach ? POSIX_SPAWN_SETSID : 0));
	rc = posix_spawnp(&c->pid, c->argv[0], &fa, &attr, (char *const *)c->argv, envp);
	if (envp != environ)
		free(envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		errno = rc;
		errset_sys("cannot run %s", c->argv[0]);
		goto fail;
	}
	if (inp[0] >= 0) {
		close(inp[0]);
		c->to_child = inp[1];
	}
	if (outp[1] >= 0) {
		close(outp[1]);
		c->from_child = outp[0];
	}
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (inp[i] >= 0)
			close(inp[i]);
		if (outp[i] >= 0)
			close(outp[i]);
	}
	return -1;
}

int run_finish(struct child *c)
{
	int status;

	if (c->to_child >= 0) {
		close(c->to_child);
		c->to_child = -1;
	}
	if (c->from_child >= 0) {
		close(c->from_child);
		c->from_child = -1;
	}
	while (waitpid(c->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			errset_sys("waitpid %s", c->argv[0]);
			return -1;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

int run_capture(const char *const argv[], const char *dir, struct buf *out)
{
	return run_capture_env(argv, dir, NULL, out);
}

int run_capture_env(const char *const argv[], const char *dir, const char *const env[], struct buf *out)
{
	struct child c = { argv, dir, RUN_NULL, out ? RUN_PIPE : RUN_INHERIT, RUN_INHERIT, env, false, 0, -1, -1 };
	int rc;

	if (run_start(&c) < 0)
		return -1;
	if (out && fs_read_fd(c.from_child, out, 0) < 0) {
		errset_sys("reading the output of %s", argv[0]);
		run_finish(&c);
		return -1;
	}
	rc = run_finish(&c);
	return rc;
}

int run_capture_bounded(const char *const argv[], size_t max, struct buf *out, size_t *total)
{
	struct child c = { argv, NULL, RUN_NULL, RUN_PIPE, RUN_NULL, NULL, false, 0, -1, -1 };

	if (run_start(&c) < 0)
		return -1;
	if (fs_read_bounded(c.from_child, out, max, total) < 0) {
		errset_sys("reading the output of %s", argv[0]);
		run_finish(&c);
		return -1;
	}
	return run_finish(&c);
}

int run_become(const struct passwd *pw)
{
	/* the process keeps no way back: every id, and the check that setuid(0) fails */
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
		errset_sys("becoming %s (uid %lu)", pw->pw_name, (unsigned long)pw->pw_uid);
		return -1;
	}
	if (pw->pw_uid != 0 && (setuid(0) == 0 || geteuid() != pw->pw_uid || getegid() != pw->pw_gid)) {
		errset("becoming %s (uid %lu): the process could still go back to root", pw->pw_name,
		       (unsigned long)pw->pw_uid);
		return -1;
	}
	if (setenv("HOME", pw->pw_dir, 1) < 0 || setenv("USER", pw->pw_name, 1) < 0 ||
	    setenv("LOGNAME", pw->pw_name, 1) < 0 || unsetenv("SSH_AUTH_SOCK") < 0 ||
	    unsetenv("XDG_CONFIG_HOME") < 0) {
		errset_sys("the environment of %s", pw->pw_name);
		return -1;
	}
	return 0;
}

static struct child pager;

static void pager_finish(void)
{
	fflush(stdout);
	fflush(stderr);
	/* the pager sees end of file only when our last copy of its pipe closes */
	close(1);
	run_finish(&pager);
}

void run_pager_start(void)
{
	static const char *argv[4];
	const char *cmd = getenv("PAGER");

	if (!isatty(1))
		return;
	if (!cmd)
		cmd = "less";
	if (!*cmd || !strcmp(cmd, "cat"))
		return;
	/* quit when the page fits the screen, pass colours, keep the screen (git's default) */
	setenv("LESS", getenv("LESS") ? getenv("LESS") : "FRX", 1);
	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = cmd;
	argv[3] = NULL;
	pager.argv = argv;
	pager.in = RUN_PIPE;
	pager.out = RUN_INHERIT;
	pager.err = RUN_INHERIT;
	if (run_start(&pager) < 0)
		return;		/* no pager: write to the terminal directly */
	fflush(stdout);
	if (dup2(pager.to_child, 1) < 0) {
		run_finish(&pager);
		return;
	}
	close(pager.to_child);
	pager.to_child = -1;
	atexit(pager_finish);
}

int run_editor(const char *file)
{
	const char *editor = getenv("VISUAL");
	char *script;
	const char *argv[6];
	struct child c;
	int rc;

	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor)
		editor = "vi";
	script = xasprintf("%s \"$@\"", editor);
	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = script;
	argv[3] = editor;
	argv[4] = file;
	argv[5] = NULL;
	memset(&c, 0, sizeof c);
	c.argv = argv;
	c.in = c.out = c.err = RUN_INHERIT;
	rc = run_start(&c);
	if (rc == 0)
		rc = run_finish(&c);
	free(script);
	if (rc != 0) {
		if (rc > 0)
			errset("editor '%s' failed (exit %d)", editor, rc);
		return -1;
	}
	return 0;
}
