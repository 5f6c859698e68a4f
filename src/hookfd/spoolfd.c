/*
 * spoolfd: the spool descriptor kept inside a hooked shell (spoolfd.h).
 * The descriptor is checked before each use (a user's redirection may
 * have closed it or put another file at its number), and opened so that
 * no command the shell starts inherits it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* dup3 (the shared objects' rules define it already) */
#endif
#include "hookfd/spoolfd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool spoolfd_own_dir(const char *dir)
{
	struct stat st;

	return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid();
}

static void forget(struct spoolfd *s)
{
	free(s->name);
	s->name = NULL;
	s->fd = -1;
}

/* fd moved where s wants it, close-on-exec; -1 when there is no room */
static int place(const struct spoolfd *s, int fd)
{
	int placed = -1;

	if (s->high < 0) {
		placed = fd >= s->low ? fd : fcntl(fd, F_DUPFD_CLOEXEC, s->low);
	} else {
		for (int n = s->high; n >= s->low && placed < 0; n--)
			if (n == fd || (fcntl(n, F_GETFD) < 0 && errno == EBADF))
				placed = n == fd ? fd : dup3(fd, n, O_CLOEXEC);
	}
	if (placed != fd)
		close(fd);
	return placed;
}

/* spool, opened below dir checked to be this account's; -1 when it cannot be */
static int open_spool(const struct spoolfd *s, const char *dir, const char *spool)
{
	const char *slash = strrchr(spool, '/');
	size_t dlen = slash ? (size_t)(slash - spool) : 0;
	struct stat st, fst;
	int dfd, fd;

	/* the spool must be a file of that very directory */
	if (!slash || strncmp(spool, dir, dlen) || dir[dlen] != '\0' || !slash[1])
		return -1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	if (fstat(dfd, &st) < 0 || st.st_uid != geteuid()) {
		close(dfd);
		return -1;
	}
	fd = openat(dfd, slash + 1, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	close(dfd);
	if (fd < 0 || (fd = place(s, fd)) < 0)
		return -1;
	/* still the file at that path, and this account's */
	if (fstat(fd, &fst) < 0 || !S_ISREG(fst.st_mode) || fst.st_uid != geteuid() ||
	    stat(spool, &st) < 0 || st.st_dev != fst.st_dev || st.st_ino != fst.st_ino) {
		close(fd);
		return -1;
	}
	return fd;
}

int spoolfd_get(struct spoolfd *s, const char *dir, const char *spool)
{
	struct stat st, fst;
	int flags;

	if (s->fd >= 0) {
		flags = fcntl(s->fd, F_GETFD);
		if (flags < 0 || !(flags & FD_CLOEXEC) || fstat(s->fd, &fst) < 0) {
			/* closed by the user, or another file in its place: not ours to close */
			forget(s);
		} else if (strcmp(spool, s->name) == 0 && stat(spool, &st) == 0 && st.st_dev == fst.st_dev &&
			   st.st_ino == fst.st_ino) {
			return s->fd;
		} else {
			close(s->fd);
			forget(s);
		}
	}
	s->fd = open_spool(s, dir, spool);
	if (s->fd >= 0) {
		s->name = strdup(spool);
		if (!s->name) {
			close(s->fd);
			s->fd = -1;
		}
	}
	return s->fd;
}

void spoolfd_close(struct spoolfd *s)
{
	if (s->fd >= 0)
		close(s->fd);
	forget(s);
}

int spoolfd_write(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}
