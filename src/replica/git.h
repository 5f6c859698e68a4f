/*
 * git: the transport of the replicas.  Every call runs the git program
 * through run.c in the journal's directory, with an environment that
 * never prompts (no terminal, ssh in batch mode with a connect timeout)
 * and a fixed committer, so sync works from cron and systemd alike.
 * This module knows git's plumbing, not the journal's layout: which
 * files go on which ref is replica.c's business.
 *
 * Who runs git: the journal is shared by a group, and git runs what its
 * repository says (hooks, core.fsmonitor, remote.*.uploadpack, filters).
 * So git runs in a journal only as the account that owns its .git, and
 * only while .git, .git/config and .git/hooks are that owner's alone (or
 * root's): not symbolic links, not writable by group or others.
 * git_run checks this before every git it starts (git_check_dir) and
 * refuses otherwise; any other account asks the owner for a sync
 * (replica_request_sync).  Root is the exception that never runs git
 * itself: the commands that talk to other replicas become the owner
 * first (git_become_owner: setup gives .git to the system user
 * logbook), and any other git root starts runs as the owner (setpriv).  On top of that every git gets its
 * configuration pinned on the command line: no hooks, no fsmonitor, only
 * the file and ssh transports, the plain upload-pack and receive-pack
 * (git_pack_command), and never safe.directory, so git itself still
 * refuses a hub another account owns.
 */
#ifndef LOGBOOK_GIT_H
#define LOGBOOK_GIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/run.h"

/* seconds ssh waits for a remote host to answer (ConnectTimeout) */
#define GIT_CONNECT_TIMEOUT 15

/* what git_check_dir finds */
enum { GIT_TRUSTED = 0, GIT_NOT_OWNER = 1, GIT_UNSAFE = 2 };
/*
 * May this account run git in dir?  GIT_TRUSTED (also when dir has no
 * .git yet, and for root, whose git runs as the owner), GIT_NOT_OWNER (another account owns dir/.git: *owner, when
 * not NULL, says which), GIT_UNSAFE (.git, .git/config or .git/hooks is
 * a symbolic link, another account's, or writable by group or others).
 * Otherwise than GIT_TRUSTED errget() says which path and the fix.
 */
int git_check_dir(const char *dir, uid_t *owner);
/*
 * When this process is root and another account owns dir/.git, become
 * that account for good (run_become: its groups, ids and HOME): 1 done,
 * 0 nothing to do (not root, no .git yet, or root's own), -1 and errget()
 * when it could not be done (the caller must stop).
 */
int git_become_owner(const char *dir);
/* take the group and others' write bits off dir's .git, .git/config and .git/hooks; -1 and errget() */
int git_protect_dir(const char *dir);
/* the upload-pack (push: receive-pack) command for a remote at url: pinned for a hub on this machine */
const char *git_pack_command(const char *url, bool push);

/*
 * Run "git args..." in dir (after git_check_dir: -1 and errget() when
 * this account may not); with index, GIT_INDEX_FILE=index.  stdout
 * into out when not NULL; stderr into err when not NULL, else inherited.
 * The exit status, or -1 and errget() when git cannot be started.
 */
int git_run(const char *dir, const char *index, struct buf *out, struct buf *err, const char *const args[]);
/*
 * git_run in two halves, for a caller with other work to do while git
 * runs (sync commits while its fetch waits on the network): start
 * returns once git is started, its stdout and stderr going to
 * temporary files already unlinked; finish waits and hands them over
 * (out, err: either may be NULL).  finish returns what git_run would;
 * start -1 and errget(), and then finish need not be called.
 */
struct git_job {
	struct child c;
	int outfd, errfd;
};
int git_run_start(const char *dir, const char *index, const char *const args[], struct git_job *job);
/* git_run with in as its standard input (out NULL: stdout thrown away), stderr inherited */
int git_run_input(const char *dir, const char *index, const struct buf *in, struct buf *out, const char *const args[]);
int git_run_finish(struct git_job *job, struct buf *out, struct buf *err);
/* the commit rev names, as hex (allocated); NULL when there is none */
char *git_resolve(const char *dir, const char *rev);

/*
 * Every ref of a repository, read by one "git for-each-ref": what a
 * command that looks at many refs reads instead of a git process a ref.
 */
struct git_ref {
	char *name;
	char *id;	/* the object the ref points at */
	char *tree;	/* the tree of that object when it is a commit, else NULL */
};
struct git_refs {
	struct git_ref *v;	/* sorted by name (strcmp) */
	size_t n;
};
/* -1 and errget() */
int git_refs_load(const char *dir, struct git_refs *out);
/* the same in two halves (git_run_start): finish must be called once start succeeded */
int git_refs_load_start(const char *dir, struct git_job *job);
int git_refs_load_finish(const char *dir, struct git_job *job, struct git_refs *out);
/* the ref named name exactly, NULL when there is none */
const struct git_ref *git_refs_find(const struct git_refs *r, const char *name);
/* name now points at commit id, whose tree is tree (NULL: not a commit), kept in order */
void git_refs_set(struct git_refs *r, const char *name, const char *id, const char *tree);
void git_refs_free(struct git_refs *r);
/* 1 when commit a is an ancestor of b (or equal), 0 when not, -1 and errget() on failure */
int git_is_ancestor(const char *dir, const char *a, const char *b);
/* the blob object id's content into out; -1 and errget() */
int git_blob(const char *dir, const char *id, struct buf *out);

/*
 * A blob read a chunk at a time through a pipe from "git cat-file blob",
 * so that nothing holds a whole file: open, read until 0, close.
 */
struct git_blob_reader {
	struct child c;
	char *id;
	bool eof;
};
/* start reading blob id; -1 and errget() */
int git_blob_open(const char *dir, const char *id, struct git_blob_reader *r);
/* up to len bytes of the blob into data: how many, 0 at its end, -1 and errget() */
ssize_t git_blob_read(struct git_blob_reader *r, void *data, size_t len);
/* stop reading (at the end or before it); -1 and errget() when git failed on a blob read to its end */
int git_blob_close(struct git_blob_reader *r);

/*
 * Many blobs, one after another, through one "git cat-file --batch":
 * open with their ids, then next (1 and the blob's size, 0 after the
 * last) and read (0 at the end of that blob) until done, then close.
 */
struct git_batch {
	struct child c;
	char buf[65536];
	size_t start, end;	/* what buf holds of git's output */
	int64_t left;		/* bytes of the current blob not read yet */
	bool in_blob;		/* the newline after the current blob is still to come */
	bool done;		/* next said there is no more */
};
int git_batch_open(const char *dir, const char *const ids[], size_t n, struct git_batch *b);
int git_batch_next(struct git_batch *b, int64_t *size);
ssize_t git_batch_read(struct git_batch *b, void *data, size_t len);
/* -1 and errget() when git failed */
int git_batch_close(struct git_batch *b);

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

/* one path that differs between two commits */
struct git_change {
	char *path;
	char *old_id;	/* blob in old; NULL when old has no such path */
	char *new_id;	/* blob in new; NULL when new removed it */
	bool regular;	/* a regular file on both sides where it exists (not a link, submodule) */
};
struct git_changes {
	struct git_change *v;
	size_t n;
};
/* every path that differs from commit old to new, removals included; -1 and errget() */
int git_diff(const char *dir, const char *old, const char *new, struct git_changes *out);
void git_changes_free(struct git_changes *c);
/* the size of blob id in bytes, without reading it; -1 and errget() */
int64_t git_blob_size(const char *dir, const char *id);

#define GIT_OID_HEX 40
/* who every commit logbook makes says made it */
#define GIT_IDENT_NAME "logbook"
#define GIT_IDENT_EMAIL "logbook@localhost"
#define GIT_IDENT GIT_IDENT_NAME " <" GIT_IDENT_EMAIL ">"
/* git's object id (SHA-1, hex) of an object of type ("blob", "tree", "commit") holding data */
void git_object_id(const char *type, const void *data, size_t len, char out[GIT_OID_HEX + 1]);
/*
 * One commit onto ref, made by one git fast-import: old's tree (old
 * NULL: an empty one) with the regular files dir/paths[i] as they are
 * now, each read once, by this process, never through a symbolic link.
 * A file whose mode and blob old already holds is left alone; when every
 * one is, no commit is made.  The ref moves only from a commit that the
 * new one descends from (old, unless something moved it meanwhile:
 * then it fails).  *made: the commit ref holds after (old when nothing
 * changed), *made_tree its tree (both allocated, either may be NULL);
 * entries, when not NULL, gets a line of `git update-index -z
 * --index-info` for each file the commit changed.  1 when a commit was
 * made, 0 when nothing changed, -1 and errget() on failure.
 */
int git_commit_files(const char *dir, const char *ref, const char *old, const char *const paths[], size_t npaths,
		     const char *message, char **made, char **made_tree, struct buf *entries);
/* index (a GIT_INDEX_FILE) given entries (from git_commit_files); one not there yet is rev's tree; -1 and errget() */
int git_index_entries(const char *dir, const char *index, const char *rev, const struct buf *entries);
/* move ref from old (NULL: ref must not exist) to new; -1 and errget() */
int git_update_ref(const char *dir, const char *ref, const char *new, const char *old);

#endif
