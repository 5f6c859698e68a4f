/*
 * unit-git: a git repository for the tests of the modules that run git
 * (test-git, test-gitobj), in a world of its own: no system or user
 * configuration, no GIT_* variable of whoever runs the tests.
 */
#ifndef LOGBOOK_UNIT_GIT_H
#define LOGBOOK_UNIT_GIT_H

#include "unit.h"

#include "base/buf.h"
#include "base/xalloc.h"
#include "replica/git.h"

/* a fresh repository (git init) in a temporary directory, HOME inside it; NULL when git failed */
static inline char *unit_git_repo(void)
{
	const char *init[] = { "init", "-q", NULL };
	char *repo, *home;

	setenv("TZ", "UTC", 1);
	setenv("LC_ALL", "C", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	unsetenv("GIT_SSH");
	unsetenv("GIT_SSH_COMMAND");
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	repo = unit_tmpdir();
	/* no ~/.gitconfig of whoever runs the tests */
	home = xasprintf("%s/.home", repo);
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	free(home);
	if (git_run(repo, NULL, NULL, NULL, init) != 0) {
		unit_rmtree(repo);
		free(repo);
		return NULL;
	}
	return repo;
}

/* what git args prints in repo, its last newlines cut; the test fails when git does */
static inline char *unit_git_out(const char *repo, const char *const args[])
{
	struct buf out = BUF_INIT;

	assert_int_equal(git_run(repo, NULL, &out, NULL, args), 0);
	while (out.len && out.data[out.len - 1] == '\n')
		buf_truncate(&out, out.len - 1);
	return buf_detach(&out, NULL);
}

#endif
