/*
 * fs: checked system calls for files and directories.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "base/banned.h"

int fs_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fs_read_fd(int fd, struct buf *out, size_t max)
{
	for (;;) {
		ssize_t n;

		buf_grow(out, 65536);
		n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		if (max && out->len > max) {
			errno = EFBIG;
			return -1;
		}
	}
	return 0;
}

int fs_read_file(const char *path, struct buf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		errset_sys("%s", path);
		return -1;
	}
	rc = fs_read_fd(fd, out, 0);
	if (rc < 0)
		errset_sys("%s", path);
	close(fd);
	return rc;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

int fs_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		errset_sys("%s", dir);
		return -1;
	}
	rc = fsync(fd);
	/* some file systems cannot sync a directory: that is not a failure */
	if (rc < 0 && (errno == EINVAL || errno == EROFS))
		rc = 0;
	if (rc < 0)
		errset_sys("%s: fsync", dir);
	close(fd);
	return rc;
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char *lock = xasprintf("%s.lock", path);
	char *dir = dir_of(path);
	int fd, rc = -1;

	fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		if (errno == EEXIST)
			errset("%s: exists: another logbook is writing %s, or one crashed (remove the file if none runs)", lock, path);
		else
			errset_sys("%s", lock);
		goto out;
	}
	if (fchmod(fd, mode) < 0 || fs_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		errset_sys("%s", lock);
		close(fd);
		unlink(lock);
		goto out;
	}
	if (close(fd) < 0) {
		errset_sys("%s", lock);
		unlink(lock);
		goto out;
	}
	if (rename(lock, path) < 0) {
		errset_sys("%s: rename to %s", lock, path);
		unlink(lock);
		goto out;
	}
	rc = fs_fsync_dir(dir);
out:
	free(lock);
	free(dir);
	return rc;
}

int fs_write_atomic_locked(const char *path, const void *data, size_t len, mode_t mode)
{
	char *lock = xasprintf("%s.lock", path);
	int rc = 0;

	if (unlink(lock) < 0 && errno != ENOENT) {
		errset_sys("%s", lock);
		rc = -1;
	}
	free(lock);
	return rc < 0 ? rc : fs_write_atomic(path, data, len, mode);
}

int fs_mkdirs(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	char *s = p;
	int rc = 0;

	while (*s == '/')
		s++;
	for (;;) {
		char *slash = strchr(s, '/');
		if (slash)
			*slash = '\0';
		if (*p && mkdir(p, mode) < 0 && errno != EEXIST) {
			errset_sys("%s", p);
			rc = -1;
			break;
		}
		if (!slash)
			break;
		*slash = '/';
		s = slash + 1;
	}
	if (rc == 0 && !fs_is_dir(path)) {
		errset("%s: not a directory", path);
		rc = -1;
	}
	free(p);
	return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT) {
		errset_sys("%s: remove", path);
		return -1;
	}
	return 0;
}

int fs_remove_tree(const char *path)
{
	if (!fs_exists(path))
		return 0;
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

bool fs_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

bool fs_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *fs_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	if (n && dir[n - 1] == '/')
		return xasprintf("%s%s", dir, name);
	return xasprintf("%s/%s", dir, name);
}

int fs_read_bounded(int fd, struct buf *out, size_t max, size_t *total)
{
	char chunk[65536];

	*total = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if (out->len < max)
			buf_add(out, chunk, (size_t)n < max - out->len ? (size_t)n : max - out->len);
		*total += (size_t)n;
	}
}

static int cmp_asc(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_desc(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

int fs_list_dir(const char *dir, bool (*keep)(const char *name, const void *arg), const void *arg, bool descending,
		char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (!d) {
		if (errno == ENOENT)
			return 0;
		errset_sys("%s", dir);
		return -1;
	}
	while ((e = readdir(d))) {
		if (keep ? !keep(e->d_name, arg) : e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*names = xreallocarray(*names, cap, sizeof **names);
		}
		(*names)[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(*names, *n, sizeof **names, descending ? cmp_desc : cmp_asc);
	return 0;
}

void fs_free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

char *fs_self_exe(void)
{
	struct buf b = BUF_INIT;

	buf_grow(&b, 4096);
	for (;;) {
		ssize_t n = readlink("/proc/self/exe", b.data, b.cap);
		if (n < 0) {
			buf_release(&b);
			return xstrdup("logbook");
		}
		if ((size_t)n < b.cap) {
			b.data[n] = '\0';
			b.len = (size_t)n;
			return buf_detach(&b, NULL);
		}
		buf_grow(&b, b.cap * 2);
	}
}
