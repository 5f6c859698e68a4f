/*
 * File system helpers with the error handling done once: every call is
 * checked, EINTR is retried, short reads and writes are completed.  On
 * failure a function returns -1 and leaves "<path>: <why>" in errget().
 */
#ifndef LOGBOOK_FS_H
#define LOGBOOK_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/buf.h"

/* write all len bytes; -1 with errno set on failure */
int fs_write_all(int fd, const void *data, size_t len);
/* read until EOF, at most max bytes (max == 0: no limit); -1 on error or when the input is larger */
int fs_read_fd(int fd, struct buf *out, size_t max);
int fs_read_file(const char *path, struct buf *out);
/*
 * fs_read_file for a file that others may have put in place of one
 * logbook writes (a record file, a chain head in a group-shared journal):
 * a symbolic link is not followed and only a regular file is read (a FIFO
 * would block, a device never end); -1 and errget() otherwise.
 */
int fs_read_regular(const char *path, struct buf *out);
/*
 * Its open alone: a descriptor of path when it is a regular file reached
 * without a link (O_NONBLOCK, close-on-exec), else -1 with errno ELOOP
 * for a link, EINVAL for anything but a regular file, or open's own.
 */
int fs_open_regular(const char *path);
/*
 * rel (a relative path) below the directory dfd, read whole into out
 * when it is a regular file reached without a symbolic link at any step
 * (a shared journal's directories are ground others write: a link in
 * place of a day would lead anywhere); *exec: its owner may execute it.
 * shown names dfd in messages.  -1 and errget().
 */
int fs_read_regular_below(int dfd, const char *shown, const char *rel, struct buf *out, bool *exec);
/* read until EOF, keeping the first max bytes in out and counting them all in *total; -1 and errno on error */
int fs_read_bounded(int fd, struct buf *out, size_t max, size_t *total);
/*
 * Replace path with data: write "<path>.lock" (O_EXCL), fsync, rename over
 * path, fsync the directory.  Readers see the old or the new file, never a
 * part.  Fails when another writer holds the lock file.
 */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
/*
 * fs_write_atomic, with flags for a caller that does part of its work:
 *   FS_ATOMIC_BREAK_LOCK  first remove a "<path>.lock" that a writer which
 *                         died left behind: only for a caller whose own
 *                         lock keeps every other writer out
 *   FS_ATOMIC_NO_SYNC     fsync neither the file nor its directory: for a
 *                         caller that writes many files, then syncs them
 *                         at once (syncfs) before anything relies on them
 */
enum { FS_ATOMIC_BREAK_LOCK = 1, FS_ATOMIC_NO_SYNC = 2 };
int fs_write_atomic_flags(const char *path, const void *data, size_t len, mode_t mode, unsigned flags);
/*
 * Files below a directory the caller trusts, in a tree that other accounts
 * can write (a group-shared journal's .state/, a wiki directory).  The rule:
 *
 *  - base is trusted as the caller names it (it may be reached through
 *    symbolic links).  Below it every component is opened with openat(2)
 *    and O_NOFOLLOW, directories with O_DIRECTORY: a symbolic link below
 *    base is refused, never followed, and what the caller then does goes
 *    through the descriptor, so a name swapped later changes nothing.
 *  - A directory is open ground when an account other than root and the
 *    caller can write it: its owner is neither, or it is group or world
 *    writable (the sticky bit does not help: others still create names).
 *  - In open ground, a file that already exists must be a regular file
 *    with one link (a hard link could name a file elsewhere, a FIFO could
 *    block), and it must be owned by the caller unless FS_BELOW_ANY_OWNER
 *    says another account's file is expected there (a lock or an index
 *    that any member may have made first).  It is opened with O_NONBLOCK
 *    and without O_TRUNC, and truncated only once it passed.
 *  - O_CREAT without O_EXCL opens, then creates with O_EXCL, so the caller
 *    knows the file it got is its own when it made it.
 * Refusals fail with "<base>/<rel>: <why>: refused" in errget().
 */
enum {
	FS_BELOW_ANY_OWNER = 1,	/* an existing file may belong to another account */
	FS_BELOW_MKDIRS = 2,	/* fs_dir_below: create the directories that are missing */
	FS_BELOW_CHMOD = 4,	/* fs_dir_below: give a directory it creates exactly dir_mode */
};
/* the directory base/rel (rel "" or NULL: base itself), as a descriptor; -1 and errget() */
int fs_dir_below(const char *base, const char *rel, unsigned how, mode_t dir_mode);
/* open base/rel with open(2)'s flags and mode under the rule above; -1 and errget() */
int fs_open_below(const char *base, const char *rel, int flags, mode_t mode, unsigned how);
/* the same for name in the directory dfd; shown names the file in messages */
int fs_openat_checked(int dfd, const char *name, int flags, mode_t mode, unsigned how, const char *shown);
/*
 * 0 when base/rel is missing or passes the rule above as an existing file
 * would (for a file that a library opens by name, like SQLite's database
 * and its -wal, -shm and -journal siblings); -1 and errget() when not.
 */
int fs_check_below(const char *base, const char *rel, unsigned how);
/* fs_write_atomic_flags of base/rel: the lock file, its rename and sync all go through the directory's descriptor */
int fs_write_atomic_below(const char *base, const char *rel, const void *data, size_t len, mode_t mode,
			  unsigned flags);
/* true when fd's directory can be written by an account other than root and the caller */
bool fs_dir_open_ground(int dfd);

/* create the directories of path that are missing, each with mode */
int fs_mkdirs(const char *path, mode_t mode);
int fs_fsync_dir(const char *dir);
/* remove path and, for a directory, everything under it (symlinks are not followed) */
int fs_remove_tree(const char *path);
bool fs_exists(const char *path);
bool fs_is_dir(const char *path);
/* "dir/name" (allocated) */
char *fs_join(const char *dir, const char *name);
/*
 * The names in dir that keep(name, arg) accepts (keep NULL: all but those
 * starting with '.'), sorted by strcmp, largest first when descending.  A
 * missing dir has none.  -1 and errget() when it cannot be read.
 */
int fs_list_dir(const char *dir, bool (*keep)(const char *name, const void *arg), const void *arg, bool descending,
		char ***names, size_t *n);
void fs_free_names(char **names, size_t n);
/* the running binary's path (allocated); "logbook" when unknown */
char *fs_self_exe(void);
/*
 * path (absolute) and every directory above it belong to root or to uid
 * and no one else may write them (no group or other write bit; a
 * directory above path may be sticky, as /tmp is: no one can rename or
 * remove there what root or uid owns): no other account can change what
 * path names.  Symlinks on the way are followed and their targets
 * checked the same way.  false and errget() (which component, why) when
 * not.
 */
bool fs_trusted(const char *path, uid_t uid);

#endif
