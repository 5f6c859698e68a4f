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
/* read until EOF, keeping the first max bytes in out and counting them all in *total; -1 and errno on error */
int fs_read_bounded(int fd, struct buf *out, size_t max, size_t *total);
/*
 * Replace path with data: write "<path>.lock" (O_EXCL), fsync, rename over
 * path, fsync the directory.  Readers see the old or the new file, never a
 * part.  Fails when another writer holds the lock file.
 */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
/*
 * The same for a caller whose own lock already keeps every other writer
 * of path out: a "<path>.lock" found is one a writer that died left, and
 * is removed first, so a killed writer needs no one to clean up after it.
 */
int fs_write_atomic_locked(const char *path, const void *data, size_t len, mode_t mode);
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

#endif
