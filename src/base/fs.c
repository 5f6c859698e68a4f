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

/* the whole file open on fd (closed), or -1 and errget() naming path */
static int read_all_close(int fd, const char *path, struct buf *out)
{
	int rc = fs_read_fd(fd, out, 0);

	if (rc < 0)
		errset_sys("%s", path);
	close(fd);
	return rc;
}

int fs_read_file(const char *path, struct buf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		errset_sys("%s", path);
		return -1;
	}
	return read_all_close(fd, path, out);
}

int fs_open_regular(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

int fs_read_regular(const char *path, struct buf *out)
{
	int fd = fs_open_regular(path);

	if (fd < 0) {
		if (errno == ELOOP)
			errset("%s: a symbolic link: not read", path);
		else if (errno == EINVAL)
			errset("%s: not a regular file: not read", path);
		else
			errset_sys("%s", path);
		return -1;
	}
	return read_all_close(fd, path, out);
}

int fs_read_regular_below(int dfd, const char *shown, const char *rel, struct buf *out, bool *exec)
{
	char *copy = xstrdup(rel), *name = copy, *slash;
	int fd = dup(dfd), next;
	struct stat st;

	buf_reset(out);
	while (fd >= 0 && (slash = strchr(name, '/'))) {
		*slash = '\0';
		next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		name = slash + 1;
	}
	if (fd >= 0) {
		next = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	free(copy);
	if (fd < 0) {
		/* O_NOFOLLOW: ELOOP for a link at the end, ENOTDIR (with O_DIRECTORY) for one on the way */
		if (errno == ELOOP || errno == ENOTDIR)
			errset("%s/%s: a symbolic link, or no directory on the way", shown, rel);
		else
			errset_sys("%s/%s", shown, rel);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		errset("%s/%s: not a regular file", shown, rel);
		close(fd);
		return -1;
	}
	*exec = (st.st_mode & S_IXUSR) != 0;
	if (fs_read_fd(fd, out, 0) < 0) {
		errset_sys("%s/%s", shown, rel);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
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
	return fs_write_atomic_flags(path, data, len, mode, 0);
}

/* fsync a directory's descriptor; some file systems cannot, which is not a failure */
static int fsync_dirfd(int dfd, const char *shown)
{
	if (fsync(dfd) < 0 && errno != EINVAL && errno != EROFS) {
		errset_sys("%s: fsync", shown);
		return -1;
	}
	return 0;
}

/* fs_write_atomic_flags of name in the directory dfd; path names the target in messages */
static int write_atomic_at(int dfd, const char *name, const char *path, const void *data, size_t len, mode_t mode,
			   unsigned flags)
{
	char *lock_name = xasprintf("%s.lock", name);
	char *lock = xasprintf("%s.lock", path);
	bool sync = !(flags & FS_ATOMIC_NO_SYNC);
	int fd, rc = -1;

	if ((flags & FS_ATOMIC_BREAK_LOCK) && unlinkat(dfd, lock_name, 0) < 0 && errno != ENOENT) {
		errset_sys("%s", lock);
		goto out;
	}
	/* O_EXCL creates a new file and never follows a link: the descriptor is ours to fchmod */
	fd = openat(dfd, lock_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		if (errno == EEXIST)
			errset("%s: exists: another logbook is writing %s, or one crashed (remove the file if none runs)", lock, path);
		else
			errset_sys("%s", lock);
		goto out;
	}
	if (fchmod(fd, mode) < 0 || fs_write_all(fd, data, len) < 0 || (sync && fsync(fd) < 0)) {
		errset_sys("%s", lock);
		close(fd);
		unlinkat(dfd, lock_name, 0);
		goto out;
	}
	if (close(fd) < 0) {
		errset_sys("%s", lock);
		unlinkat(dfd, lock_name, 0);
		goto out;
	}
	if (renameat(dfd, lock_name, dfd, name) < 0) {
		errset_sys("%s: rename to %s", lock, path);
		unlinkat(dfd, lock_name, 0);
		goto out;
	}
	rc = sync ? fsync_dirfd(dfd, path) : 0;
out:
	free(lock_name);
	free(lock);
	return rc;
}

int fs_write_atomic_flags(const char *path, const void *data, size_t len, mode_t mode, unsigned flags)
{
	char *dir = dir_of(path);
	const char *slash = strrchr(path, '/');
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (dfd < 0 && errno == EACCES)
		dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		errset_sys("%s.lock", path);	/* the file that could not be made */
		free(dir);
		return -1;
	}
	rc = write_atomic_at(dfd, slash ? slash + 1 : path, path, data, len, mode, flags);
	close(dfd);
	free(dir);
	return rc;
}

/* ---- below a trusted directory ---- */

bool fs_dir_open_ground(int dfd)
{
	struct stat st;
	uid_t me = geteuid();

	if (fstat(dfd, &st) < 0)
		return true;
	return (st.st_uid != 0 && st.st_uid != me) || (st.st_mode & (S_IWGRP | S_IWOTH));
}

/* one directory component below dfd: never a link, created when asked */
static int open_component(int dfd, const char *name, unsigned how, mode_t dir_mode, const char *shown)
{
	int fd;
	bool made = false;

	if ((how & FS_BELOW_MKDIRS) && mkdirat(dfd, name, dir_mode) == 0)
		made = true;
	else if ((how & FS_BELOW_MKDIRS) && errno != EEXIST) {
		errset_sys("%s", shown);
		return -1;
	}
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* a directory one may search but not list is passed through all the same */
	if (fd < 0 && errno == EACCES)
		fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		struct stat st;
		/* O_DIRECTORY says ENOTDIR for a link: say what it is */
		if (errno == ELOOP || (errno == ENOTDIR && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
					S_ISLNK(st.st_mode))) {
			errset("%s: is a symbolic link: refused", shown);
			errno = ELOOP;
		} else {
			errset_sys("%s", shown);
		}
		return -1;
	}
	/* the umask may have taken the group's write bit; fchmod only a directory that is ours */
	if (made && (how & FS_BELOW_CHMOD)) {
		struct stat st;
		if (fstat(fd, &st) < 0 || (st.st_uid == geteuid() && fchmod(fd, dir_mode) < 0)) {
			errset_sys("%s: chmod", shown);
			close(fd);
			return -1;
		}
	}
	return fd;
}

int fs_dir_below(const char *base, const char *rel, unsigned how, mode_t dir_mode)
{
	struct buf shown = BUF_INIT;
	char *copy, *s;
	int fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 && errno == EACCES)
		fd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		errset_sys("%s", base);
		return -1;
	}
	if (!rel)
		return fd;
	buf_adds(&shown, base);
	copy = s = xstrdup(rel);
	while (fd >= 0 && *s) {
		char *slash = strchr(s, '/');
		int next;

		if (slash)
			*slash = '\0';
		if (*s && strcmp(s, ".")) {
			if (!strcmp(s, "..")) {
				errset("%s/..: refused", buf_str(&shown));
				close(fd);
				fd = -1;
				break;
			}
			buf_addf(&shown, "/%s", s);
			next = open_component(fd, s, how, dir_mode, buf_str(&shown));
			close(fd);
			fd = next;
		}
		if (!slash)
			break;
		s = slash + 1;
	}
	free(copy);
	buf_release(&shown);
	return fd;
}

/* the checks of the rule in fs.h on a file that was there before: 0, or -1 and errget() */
static int check_existing(const struct stat *st, unsigned how, const char *shown)
{
	if (!S_ISREG(st->st_mode)) {
		errset("%s: not a regular file: refused", shown);
		return -1;
	}
	if (st->st_nlink != 1) {
		errset("%s: has %lu links: refused", shown, (unsigned long)st->st_nlink);
		return -1;
	}
	if (!(how & FS_BELOW_ANY_OWNER) && st->st_uid != geteuid()) {
		errset("%s: owned by uid %lu, not by uid %lu: refused", shown, (unsigned long)st->st_uid,
		       (unsigned long)geteuid());
		return -1;
	}
	return 0;
}

int fs_openat_checked(int dfd, const char *name, int flags, mode_t mode, unsigned how, const char *shown)
{
	bool open_ground = fs_dir_open_ground(dfd);
	int base_flags = (flags & ~(O_CREAT | O_EXCL | O_TRUNC)) | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	struct stat st;
	int fd;

	for (;;) {
		if (flags & O_CREAT) {
			fd = openat(dfd, name, base_flags | O_CREAT | O_EXCL, mode);
			if (fd >= 0)
				return fd;	/* new, and ours */
			if (errno != EEXIST || (flags & O_EXCL))
				break;
		}
		fd = openat(dfd, name, base_flags | O_NONBLOCK);
		if (fd >= 0 || errno != ENOENT || !(flags & O_CREAT))
			break;
		/* removed between the two calls: try to create it again */
	}
	if (fd < 0) {
		if (errno == ELOOP)
			errset("%s: is a symbolic link: refused", shown);
		else if (errno == EEXIST)
			errset("%s: exists", shown);
		else
			errset_sys("%s", shown);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		errset_sys("%s", shown);
		close(fd);
		return -1;
	}
	if (open_ground && check_existing(&st, how, shown) < 0) {
		close(fd);
		return -1;
	}
	if ((!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) ||
	    ((flags & O_TRUNC) && S_ISREG(st.st_mode) && ftruncate(fd, 0) < 0)) {
		errset_sys("%s", shown);
		close(fd);
		return -1;
	}
	return fd;
}

/* the directory of base/rel and the last component's name in rel; -1 and errget() */
static int parent_below(const char *base, const char *rel, const char **name)
{
	const char *slash = strrchr(rel, '/');
	char *dir;
	int dfd;

	*name = slash ? slash + 1 : rel;
	if (!**name || !strcmp(*name, ".") || !strcmp(*name, "..")) {
		errset("%s/%s: not a file name", base, rel);
		return -1;
	}
	dir = slash ? xstrndup(rel, (size_t)(slash - rel)) : NULL;
	dfd = fs_dir_below(base, dir, 0, 0);
	free(dir);
	return dfd;
}

int fs_open_below(const char *base, const char *rel, int flags, mode_t mode, unsigned how)
{
	const char *name;
	char *shown;
	int dfd = parent_below(base, rel, &name), fd;

	if (dfd < 0)
		return -1;
	shown = fs_join(base, rel);
	fd = fs_openat_checked(dfd, name, flags, mode, how, shown);
	free(shown);
	close(dfd);
	return fd;
}

int fs_check_below(const char *base, const char *rel, unsigned how)
{
	const char *name;
	char *shown;
	struct stat st;
	int dfd = parent_below(base, rel, &name), rc = 0;

	if (dfd < 0)
		return errno == ENOENT ? 0 : -1;
	shown = fs_join(base, rel);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT) {
			errset_sys("%s", shown);
			rc = -1;
		}
	} else if (S_ISLNK(st.st_mode)) {
		errset("%s: is a symbolic link: refused", shown);
		rc = -1;
	} else if (fs_dir_open_ground(dfd)) {
		rc = check_existing(&st, how, shown);
	}
	free(shown);
	close(dfd);
	return rc;
}

int fs_write_atomic_below(const char *base, const char *rel, const void *data, size_t len, mode_t mode,
			  unsigned flags)
{
	const char *name;
	char *shown;
	int dfd = parent_below(base, rel, &name), rc;

	if (dfd < 0)
		return -1;
	shown = fs_join(base, rel);
	rc = write_atomic_at(dfd, name, shown, data, len, mode, flags);
	free(shown);
	close(dfd);
	return rc;
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

/*
 * one component: owned by root or uid, not writable by group or others;
 * or a sticky directory (/tmp): others may add names there but not
 * rename or remove one they do not own, and the next component, checked
 * in turn, must be root's or uid's
 */
static bool trusted_one(const char *path, uid_t uid, bool last)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		errset_sys("%s", path);
		return false;
	}
	if (st.st_uid != 0 && st.st_uid != uid) {
		errset("%s belongs to uid %ld", path, (long)st.st_uid);
		return false;
	}
	if (!S_ISLNK(st.st_mode) && (st.st_mode & (S_IWGRP | S_IWOTH)) &&
	    (last || !S_ISDIR(st.st_mode) || !(st.st_mode & S_ISVTX))) {
		errset("%s may be written by others (mode %04o)", path, (unsigned)(st.st_mode & 07777));
		return false;
	}
	return true;
}

bool fs_trusted(const char *path, uid_t uid)
{
	char *real, *p;
	bool ok;

	if (path[0] != '/') {
		errset("%s is not an absolute path", path);
		return false;
	}
	/* the path as given (a symlink on the way is someone's to change), then what it resolves to */
	p = xstrdup(path);
	for (bool last = true;; last = false) {
		char *slash;

		if (!trusted_one(p, uid, last)) {
			free(p);
			return false;
		}
		if (!strcmp(p, "/"))
			break;
		slash = strrchr(p, '/');
		slash[slash == p] = '\0';
	}
	free(p);
	real = realpath(path, NULL);
	if (!real) {
		errset_sys("%s", path);
		return false;
	}
	ok = strcmp(real, path) == 0 || fs_trusted(real, uid);
	free(real);
	return ok;
}
