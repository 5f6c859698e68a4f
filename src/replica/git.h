/*
 * git: the transport of the replicas.  Every call runs the git program
 * through run.c in the journal's directory, with an environment that
 * never prompts (no terminal, ssh in batch mode with a connect timeout)
 * and a fixed committer, so sync works from cron and systemd alike.
 * This module knows git's plumbing, not the journal's layout: which
 * files go on which ref is replica.c's business.
 */
#ifndef LOGBOOK_GIT_H
#define LOGBOOK_GIT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/* seconds ssh waits for a remote host to answer (ConnectTimeout) */
#define GIT_CONNECT_TIMEOUT 15

/*
 * Run "git args..." in dir; with index, GIT_INDEX_FILE=index.  stdout
 * into out when not NULL; stderr into err when not NULL, else inherited.
 * The exit status, or -1 and errget() when git cannot be started.
 */
int git_run(const char *dir, const char *index, struct buf *out, struct buf *err, const char *const args[]);
/* the commit rev names, as hex (allocated); NULL when there is none */
char *git_resolve(const char *dir, const char *rev);
/* 1 when commit a is an ancestor of b (or equal), 0 when not, -1 and errget() on failure */
int git_is_ancestor(const char *dir, const char *a, const char *b);
/* the blob object id's content into out; -1 and errget() */
int git_blob(const char *dir, const char *id, struct buf *out);

/* a file of a commit's tree */
struct git_file {
	char *id;	/* blob */
	char *path;
};
struct git_files {
	struct git_file *files;
	size_t n;
};
/* the files of new that are not the same in old (old NULL: all of new's files); deletions are left out */
int git_changed_files(const char *dir, const char *old, const char *new, struct git_files *out);
void git_files_free(struct git_files *f);

/*
 * Commit paths (relative to dir) onto ref with its own index file:
 * the index starts from ref's tree when it is missing, takes the paths
 * as they are in the work tree, and a commit is made only when the tree
 * differs from ref's.  The ref moves from its old value only (a
 * compare-and-swap).  1 when a commit was made, 0 when nothing changed,
 * -1 and errget() on failure.
 */
int git_commit_paths(const char *dir, const char *index, const char *ref,
		     const char *const paths[], size_t npaths, const char *message);
/* move ref from old (NULL: ref must not exist) to new; -1 and errget() */
int git_update_ref(const char *dir, const char *ref, const char *new, const char *old);

#endif
