/*
 * baseline-capture: looking at one file, for the walk and for accept:
 * the directory that holds it opened one component at a time, the file
 * itself opened only when it is a regular file, its stat data, its hash
 * and, when it may be kept, its content written to objects/.
 *
 * Invariants:
 *  - nothing here follows a symlink: every open is relative to a
 *    directory descriptor that was itself opened with O_NOFOLLOW;
 *  - nothing but a regular file is ever opened for reading (O_PATH and
 *    fstat first, see baseline_open_regular);
 *  - what reaches objects/ went through redact_file (baseline-object.c);
 *  - the content of a sensitive file is hashed while being read and the
 *    bytes are dropped: it never reaches objects/;
 *  - a file that changes while it is read is read again, READ_ATTEMPTS
 *    times, then skipped: a hash always belongs to the stat data beside it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* the streaming SHA-256 without EVP's start-up cost (see record.c) */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "files/baseline-int.h"
#include "files/baseline.h"
#include "journal/secrets.h"
#include "base/banned.h"

#define READ_CHUNK 65536
#define READ_ATTEMPTS 3

/* ---- paths opened without following symlinks ---- */

/*
 * Open the directory that holds path (absolute), one component at a time
 * from "/" with O_NOFOLLOW.  Returns an O_PATH descriptor and sets *name
 * to the last component ("." for "/" itself); *private when a directory
 * on the way cannot be entered by group or others.  -1 with errno:
 * ENOENT or ENOTDIR (not there), ELOOP (a symlink on the way, named in
 * *link when not NULL), EACCES...
 */
int baseline_open_parent(const char *path, const char **name, bool *private, char **link)
{
	const char *p = path + 1;
	struct stat st;
	int fd;

	*private = false;
	if (link)
		*link = NULL;
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && dir_private(&st))
		*private = true;
	if (!*p) {
		*name = ".";
		return fd;
	}
	for (;;) {
		const char *slash = strchr(p, '/');
		char *comp;
		int nfd, saved;

		if (!slash) {
			*name = p;
			return fd;
		}
		comp = xstrndup(p, (size_t)(slash - p));
		nfd = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		saved = errno;
		if (nfd < 0 && (saved == ENOTDIR || saved == ELOOP) &&
		    fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
			saved = ELOOP;
			if (link)
				*link = xstrndup(path, (size_t)(slash - path));
		}
		free(comp);
		close(fd);
		if (nfd < 0) {
			errno = saved;
			return -1;
		}
		fd = nfd;
		if (fstat(fd, &st) == 0 && dir_private(&st))
			*private = true;
		p = slash + 1;
	}
}

/* ---- looking at one file ---- */

static void stat_into(struct fstate *s, const struct stat *st)
{
	s->mode = st->st_mode & 07777;
	s->uid = st->st_uid;
	s->gid = st->st_gid;
	s->size = st->st_size;
	s->mtime_ns = ts_ns(&st->st_mtim);
	s->ctime_ns = ts_ns(&st->st_ctim);
	s->ino = st->st_ino;
	s->dev = st->st_dev;
}

/* read fd to its end into the hash, and into data when keep */
static int hash_fd(int fd, bool keep, struct buf *data, SHA256_CTX *ctx, size_t *total)
{
	char chunk[READ_CHUNK];

	*total = 0;
	for (;;) {
		char *dst = chunk;
		size_t room = sizeof chunk;
		ssize_t n;

		if (keep) {
			buf_grow(data, READ_CHUNK);
			dst = data->data + data->len;
			room = data->cap - data->len - 1;
		}
		n = read(fd, dst, room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		SHA256_Update(ctx, dst, (size_t)n);
		if (keep) {
			data->len += (size_t)n;
			data->data[data->len] = '\0';
		}
		*total += (size_t)n;
	}
}

static bool same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	       ts_ns(&a->st_mtim) == ts_ns(&b->st_mtim) && ts_ns(&a->st_ctim) == ts_ns(&b->st_ctim) &&
	       a->st_mode == b->st_mode && a->st_uid == b->st_uid && a->st_gid == b->st_gid;
}

static int capture_link(struct walk *wk, int dfd, const char *name, const struct stat *lst,
			bool private, struct fstate *out)
{
	const char *path = buf_str(&wk->path);
	struct stat st = *lst, again;

	for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
		size_t size = (size_t)st.st_size + 1 < 256 ? 256 : (size_t)st.st_size + 1;
		char *target;
		ssize_t n;

		for (;;) {
			target = xmalloc(size);
			n = readlinkat(dfd, name, target, size);
			if (n < 0 || (size_t)n < size)
				break;
			free(target);
			size *= 2;
		}
		if (n < 0) {
			int saved = errno;
			free(target);
			if (saved == ENOENT) {
				baseline_warn_addf(wk->notes, path, "vanished during the scan");
				return CAP_ABSENT;
			}
			errno = saved;
			baseline_warn_addf(wk->skipped, path, "%s", saved == EINVAL ? "changed type during the scan; scan again"
								: strerror(saved));
			return CAP_SKIPPED;
		}
		target[n] = '\0';
		if (fstatat(dfd, name, &again, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(again.st_mode) ||
		    !same_stat(&st, &again)) {
			free(target);
			if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				baseline_warn_addf(wk->notes, path, "vanished during the scan");
				return CAP_ABSENT;
			}
			if (!S_ISLNK(st.st_mode)) {
				baseline_warn_addf(wk->skipped, path, "changed type during the scan; scan again");
				return CAP_SKIPPED;
			}
			continue;
		}
		memset(out, 0, sizeof *out);
		out->type = 'l';
		stat_into(out, &st);
		out->size = (off_t)n;
		baseline_hash_bytes(target, (size_t)n, out->hash);
		out->sensitive = baseline_sensitive_now(wk, path, &st, private);
		out->verified_ns = wk->start_ns;
		if (out->sensitive)
			free(target);
		else
			out->target = target;
		return CAP_OK;
	}
	baseline_warn_addf(wk->skipped, path, "kept changing while being read; scan again");
	return CAP_SKIPPED;
}

/*
 * Open name in dfd for reading only if it is a regular file, without
 * ever opening anything else: O_PATH (which opens no device, FIFO or
 * socket) and O_NOFOLLOW first, fstat, then that very inode reopened
 * through /proc/self/fd.  So a file swapped for a device node between the
 * lstat and the open is not opened (opening some devices acts: a tape
 * rewinds).  Without /proc, a direct open with O_NOFOLLOW|O_NONBLOCK,
 * checked with fstat after.  -1 with errno; ENODEV when not a regular
 * file.
 */
int baseline_open_regular(int dfd, const char *name, struct stat *st)
{
	char proc[64];
	int pfd, fd, saved;

	pfd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return -1;
	if (fstat(pfd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(pfd);
		errno = ENODEV;
		return -1;
	}
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", pfd);
	fd = open(proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	saved = errno;
	close(pfd);
	if (fd < 0 && saved == ENOENT)
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	else
		errno = saved;
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		errno = ENODEV;
		return -1;
	}
	return fd;
}

/*
 * Look at the file name in dfd (wk->path is its full path, lst its lstat):
 * its state in out, its content hashed and, when store and it may be kept,
 * written to objects/.
 */
int baseline_capture(struct walk *wk, int dfd, const char *name, const struct stat *lst, bool private,
		   bool store, struct fstate *out)
{
	const char *path = buf_str(&wk->path);
	struct stat st, after;
	int fd, attempt;
	bool keep = false, sensitive = false;
	char hash[65];
	size_t total = 0;

	if (S_ISLNK(lst->st_mode))
		return capture_link(wk, dfd, name, lst, private, out);
	if (baseline_test_hook)
		baseline_test_hook(path, BASELINE_HOOK_OPEN);
	fd = baseline_open_regular(dfd, name, &st);
	if (fd < 0) {
		if (errno == ENOENT) {
			baseline_warn_addf(wk->notes, path, "vanished during the scan");
			return CAP_ABSENT;
		}
		if (errno == ENODEV || errno == ELOOP || errno == ENXIO)
			baseline_warn_addf(wk->skipped, path, "changed type during the scan; scan again");
		else if (errno == EACCES || errno == EPERM)
			baseline_warn_addf(wk->skipped, path, "permission denied: not looked at");
		else
			baseline_warn_addf(wk->skipped, path, "%s", strerror(errno));
		return CAP_SKIPPED;
	}
	for (attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
		SHA256_CTX ctx;
		unsigned char md[SHA256_DIGEST_LENGTH];

		if (baseline_test_hook)
			baseline_test_hook(path, BASELINE_HOOK_READ);
		sensitive = baseline_sensitive_now(wk, path, &st, private);
		keep = store && !sensitive && st.st_size <= BASELINE_STORE_MAX;
		buf_reset(&wk->data);
		SHA256_Init(&ctx);
		if ((attempt > 0 && lseek(fd, 0, SEEK_SET) < 0) || hash_fd(fd, keep, &wk->data, &ctx, &total) < 0) {
			baseline_warn_addf(wk->skipped, path, "%s", strerror(errno));
			close(fd);
			return CAP_SKIPPED;
		}
		SHA256_Final(md, &ctx);
		baseline_hex_of(md, hash);
		if (fstat(fd, &after) < 0) {
			baseline_warn_addf(wk->skipped, path, "%s", strerror(errno));
			close(fd);
			return CAP_SKIPPED;
		}
		if (same_stat(&st, &after) && (off_t)total == after.st_size)
			break;
		st = after;
	}
	close(fd);
	if (attempt == READ_ATTEMPTS) {
		buf_reset(&wk->data);
		baseline_warn_addf(wk->skipped, path, "kept changing while being read; scan again");
		return CAP_SKIPPED;
	}
	wk->hashed++;
	memset(out, 0, sizeof *out);
	out->type = 'f';
	stat_into(out, &st);
	memcpy(out->hash, hash, sizeof hash);
	out->sensitive = sensitive;
	out->verified_ns = wk->start_ns;
	/*
	 * A content holding a value root knows to be secret is kept by hash
	 * only, as a sensitive file's: objects/ is in the journal, which
	 * the journal's group reads.  Its next change then has no diff.
	 */
	if (keep && secrets_holds(secrets_process(), wk->data.data ? wk->data.data : "", wk->data.len))
		keep = false;
	if (keep) {
		if (!wk->red)
			errset("%s", wk->red_error);
		if (!wk->red || baseline_object_write(wk->j, wk->red, wk->have_key ? wk->key : NULL, path, hash,
						      wk->data.data ? wk->data.data : "", wk->data.len,
						      &wk->objects_written) < 0) {
			buf_reset(&wk->data);
			wk->fatal = true;
			return CAP_FATAL;
		}
		out->stored = true;
	}
	buf_reset(&wk->data);
	return CAP_OK;
}

/*
 * The state of path now, read with the walk's rules, for accept: CAP_OK
 * with its content stored when it may be kept.
 */
int baseline_capture_path(struct walk *wk, const char *path, bool was_sensitive, struct fstate *out)
{
	const char *name;
	bool private;
	struct stat st;
	int dfd = baseline_open_parent(path, &name, &private, NULL), rc;

	if (dfd < 0)
		return CAP_ABSENT;
	buf_reset(&wk->path);
	buf_adds(&wk->path, path);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
		close(dfd);
		return CAP_ABSENT;
	}
	rc = baseline_capture(wk, dfd, name, &st, private || was_sensitive, true, out);
	close(dfd);
	return rc;
}
