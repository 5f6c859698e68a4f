/*
 * baseline: the walk of the watched files, the index of their stat data
 * and hashes, the content-addressed objects, and the first_seen of the
 * pending changes.  See baseline.h for the files and their formats.
 *
 * Invariants:
 *  - nothing here follows a symlink: every open is relative to a
 *    directory descriptor that was itself opened with O_NOFOLLOW;
 *  - nothing but a regular file is ever opened for reading, and only
 *    after lstat said so, with O_NONBLOCK (a FIFO swapped in cannot
 *    block) and a check with fstat before the first read;
 *  - the content of a sensitive file is never written anywhere: it is
 *    hashed while being read and the bytes are dropped;
 *  - the index names an object only once the object is on disk.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* the one-shot and streaming SHA-256 without EVP's start-up cost (see record.c) */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "files/baseline.h"
#include "base/banned.h"

#define INDEX_MAGIC "logbook-baseline-index"
#define SEEN_MAGIC "logbook-baseline-seen"
#define FORMAT_VERSION 1
#define READ_CHUNK 65536
#define READ_ATTEMPTS 3
#define SCAN_LOCK_WAIT_MS 2000

unsigned baseline_lock_timeout = 60;
unsigned baseline_threads;
void (*baseline_test_hook)(const char *path, int when);

/* qsort, but not on an empty array (whose pointer may be NULL: undefined for qsort) */
static void sort_array(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(v, n, size, cmp);
}

/* ---- small helpers ---- */

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/*
 * Now, on the clock the kernel stamps files with: the coarse clock, one
 * tick behind the precise one, so that a file changed after this moment
 * never gets an older mtime or ctime than this.
 */
static int64_t fs_clock_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME_COARSE, &ts) < 0)
		clock_gettime(CLOCK_REALTIME, &ts);
	return ts_ns(&ts);
}

static void hex_of(const unsigned char md[SHA256_DIGEST_LENGTH], char out[65])
{
	static const char hex[] = "0123456789abcdef";

	for (unsigned i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

static void hash_bytes(const char *data, size_t len, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)data, len, md);
	hex_of(md, out);
}

static bool is_hex64(const char *s, size_t len)
{
	if (len != 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* a field of the index: bytes up to 0x20, 0x7f and '\' as \xHH */
static void add_escaped(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= 0x20 || *p == 0x7f || *p == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, 'x');
			buf_addc(b, hex[*p >> 4]);
			buf_addc(b, hex[*p & 15]);
		} else {
			buf_addc(b, (char)*p);
		}
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* the bytes of an escaped field; NULL when malformed (or it decodes to a NUL) */
static char *unescape(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] != '\\') {
			out[n++] = s[i];
			continue;
		}
		if (i + 3 >= len || s[i + 1] != 'x' || (hi = hexval(s[i + 2])) < 0 ||
		    (lo = hexval(s[i + 3])) < 0 || hi * 16 + lo == 0) {
			free(out);
			return NULL;
		}
		out[n++] = (char)(hi * 16 + lo);
		i += 3;
	}
	out[n] = '\0';
	return out;
}

/* a path as messages show it: control characters, '\' and bytes that are not UTF-8 escaped */
static void add_shown(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);

	while (len > 0) {
		uint32_t cp;
		size_t n = utf8_decode(p, len, &cp);

		if (n == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			if (n == 0)
				n = 1;
			if (n == 1 && *p == '\n')
				buf_adds(b, "\\n");
			else if (n == 1 && *p == '\t')
				buf_adds(b, "\\t");
			else
				for (size_t i = 0; i < n; i++)
					buf_addf(b, "\\x%02x", p[i]);
		} else if (cp == '\\') {
			buf_adds(b, "\\\\");
		} else {
			buf_add(b, p, n);
		}
		p += n;
		len -= n;
	}
}

void baseline_show_path(struct buf *out, const char *path)
{
	add_shown(out, path);
}

static char *shown(const char *path)
{
	struct buf b = BUF_INIT;

	add_shown(&b, path);
	return buf_detach(&b, NULL);
}

static void warn_addf(struct store_warnings *w, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void warn_addf(struct store_warnings *w, const char *path, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (!w)
		return;
	add_shown(&b, path);
	buf_adds(&b, ": ");
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	w->msgs = xreallocarray(w->msgs, w->n + 1, sizeof *w->msgs);
	w->msgs[w->n++] = buf_detach(&b, NULL);
}

/* root holds path: equal, or path goes on with '/' after it */
static bool holds(const char *root, const char *path)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return path[0] == '/';
	return !strncmp(root, path, n) && (path[n] == '\0' || path[n] == '/');
}

static void fstate_release(struct fstate *s)
{
	free(s->target);
	s->target = NULL;
}

static void fstate_copy(struct fstate *dst, const struct fstate *src)
{
	*dst = *src;
	dst->target = src->target ? xstrdup(src->target) : NULL;
}

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

/* the stat data say the file is as recorded (git's ie_match_stat, without st_dev) */
static bool stat_match(const struct fstate *s, const struct stat *st)
{
	char type = S_ISREG(st->st_mode) ? 'f' : S_ISLNK(st->st_mode) ? 'l' : 0;

	return s->type == type && s->size == st->st_size && s->mtime_ns == ts_ns(&st->st_mtim) &&
	       s->ctime_ns == ts_ns(&st->st_ctim) && s->ino == st->st_ino &&
	       s->mode == (st->st_mode & 07777) && s->uid == st->st_uid && s->gid == st->st_gid;
}

/* changed in the clock tick its hash was taken in, or later: equal stat data prove nothing */
static bool racy(const struct fstate *s)
{
	return s->mtime_ns >= s->verified_ns || s->ctime_ns >= s->verified_ns;
}

static bool mode_private(const struct stat *st)
{
	return !S_ISLNK(st->st_mode) && (st->st_mode & (S_IRGRP | S_IROTH)) != (S_IRGRP | S_IROTH);
}

static bool dir_private(const struct stat *st)
{
	return (st->st_mode & (S_IXGRP | S_IXOTH)) != (S_IXGRP | S_IXOTH);
}

/* ---- the index ---- */

struct entry {
	char *path;		/* into the index's text, or allocated when owned */
	struct fstate st;
	bool matched;		/* the walk saw it */
	bool owned;
};

struct index {
	struct entry *v;
	size_t n, alloc;
	unsigned long long generation;
	char *text;		/* the file as read: most paths point into it */
};

static void entry_free(struct entry *e)
{
	if (e->owned)
		free(e->path);
	e->path = NULL;
	fstate_release(&e->st);
}

static void index_free(struct index *idx)
{
	for (size_t i = 0; i < idx->n; i++)
		entry_free(&idx->v[i]);
	free(idx->v);
	free(idx->text);
	memset(idx, 0, sizeof *idx);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

/* bsearch with a path as the key */
static int cmp_key_entry(const void *key, const void *e)
{
	return strcmp((const char *)key, ((const struct entry *)e)->path);
}

static struct entry *index_find(const struct index *idx, const char *path)
{
	return idx->n ? bsearch(path, idx->v, idx->n, sizeof *idx->v, cmp_key_entry) : NULL;
}

static char *state_path(struct journal *j, const char *name)
{
	char *rel = xasprintf("%s/%s", BASELINE_DIR, name);
	char *p = journal_path(j, rel);

	free(rel);
	return p;
}

/* the next space-separated field of [*p, end) */
static bool next_field(const char **p, const char *end, const char **f, size_t *len)
{
	const char *s = *p, *e = s;

	while (e < end && *e != ' ')
		e++;
	*f = s;
	*len = (size_t)(e - s);
	*p = e < end ? e + 1 : end;
	return *len > 0;
}

/* decimal digits only, at most 19 of them (anything an int64 holds): no overflow on the way */
static bool parse_digits(const char *f, size_t len, uint64_t *v)
{
	uint64_t x = 0;

	if (len == 0 || len > 19)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(f[i] - '0');
		if (d > 9)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

static bool parse_i64(const char *f, size_t len, int64_t *v)
{
	bool neg = len > 0 && f[0] == '-';
	uint64_t x;

	if (!parse_digits(f + neg, len - neg, &x) || x > (uint64_t)INT64_MAX)
		return false;
	*v = neg ? -(int64_t)x : (int64_t)x;
	return true;
}

static bool parse_u64(const char *f, size_t len, uint64_t *v)
{
	uint64_t x, d;

	/* 20 digits: the 19 first, then one more with a check */
	if (len == 20) {
		if (!parse_digits(f, 19, &x) || (d = (uint64_t)(f[19] - '0')) > 9 || x > (UINT64_MAX - d) / 10)
			return false;
		*v = x * 10 + d;
		return true;
	}
	return parse_digits(f, len, v);
}

static bool parse_octal(const char *f, size_t len, mode_t *v)
{
	unsigned x = 0;

	if (len == 0 || len > 4)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (f[i] < '0' || f[i] > '7')
			return false;
		x = x * 8 + (unsigned)(f[i] - '0');
	}
	*v = (mode_t)x;
	return true;
}

/* the header "<magic> <version>[ <generation>]"; -1 and errget() when it is not ours */
static int parse_header(const char *path, const char *line, size_t len, const char *magic,
			unsigned long long *generation)
{
	const char *p = line, *end = line + len, *f;
	size_t flen;
	uint64_t v;

	if (!next_field(&p, end, &f, &flen) || flen != strlen(magic) || memcmp(f, magic, flen)) {
		errset("%s:1: not a logbook baseline file", path);
		return -1;
	}
	if (!next_field(&p, end, &f, &flen) || !parse_u64(f, flen, &v)) {
		errset("%s:1: damaged header", path);
		return -1;
	}
	if (v != FORMAT_VERSION) {
		errset("%s: version %" PRIu64 " of the format; this logbook reads version %d (a newer logbook wrote it?)",
		       path, v, FORMAT_VERSION);
		return -1;
	}
	if (generation) {
		if (!next_field(&p, end, &f, &flen) || !parse_u64(f, flen, &v)) {
			errset("%s:1: damaged header", path);
			return -1;
		}
		*generation = v;
	}
	return 0;
}

static bool parse_flags(const char *f, size_t len, struct fstate *s)
{
	if (len == 1 && f[0] == '-')
		return true;
	for (size_t i = 0; i < len; i++) {
		switch (f[i]) {
		case 's': s->sensitive = true; break;
		case 'o': s->stored = true; break;
		case 'x': s->stale = true; break;
		default: return false;
		}
	}
	return true;
}

/*
 * A number field and the space after it, in one pass (the index has
 * eleven per line and 20,000 lines for a large tree; a scan reads them
 * all): decimal, at most 19 digits, '-' first when signed allows it.
 */
static bool num_field(const char **pp, const char *end, bool is_signed, uint64_t *v, bool *neg)
{
	const char *p = *pp, *start;
	uint64_t x = 0;
	unsigned d;

	*neg = false;
	if (is_signed && p < end && *p == '-') {
		*neg = true;
		p++;
	}
	start = p;
	/* more than 19 digits may wrap x: they are refused below */
	while (p < end && (d = (unsigned)(*p - '0')) <= 9) {
		x = x * 10 + d;
		p++;
	}
	if (p == start || p - start > 19 || (p < end && *p != ' '))
		return false;
	*pp = p < end ? p + 1 : p;
	*v = x;
	return true;
}

static bool u64_field(const char **pp, const char *end, uint64_t *v)
{
	bool neg;
	return num_field(pp, end, false, v, &neg);
}

static bool i64_field(const char **pp, const char *end, int64_t *v)
{
	uint64_t x;
	bool neg;

	if (!num_field(pp, end, true, &x, &neg) || x > (uint64_t)INT64_MAX)
		return false;
	*v = neg ? -(int64_t)x : (int64_t)x;
	return true;
}

/*
 * One index line, parsed in place: the path is cut out of line with a NUL
 * unless it holds escapes (then it is decoded into an allocation).
 */
static int parse_entry(char *line, size_t len, struct entry *e)
{
	const char *p = line, *end = line + len, *f;
	size_t flen, path_len;
	int64_t i64;
	uint64_t u64;
	struct fstate *s = &e->st;

	memset(e, 0, sizeof *e);
	if (!next_field(&p, end, &f, &flen) || flen != 1 || (f[0] != 'f' && f[0] != 'l'))
		return -1;
	s->type = f[0];
	if (!next_field(&p, end, &f, &flen) || !parse_flags(f, flen, s))
		return -1;
	if (!next_field(&p, end, &f, &flen) || !parse_octal(f, flen, &s->mode))
		return -1;
	if (!u64_field(&p, end, &u64) || u64 > UINT32_MAX)
		return -1;
	s->uid = (uid_t)u64;
	if (!u64_field(&p, end, &u64) || u64 > UINT32_MAX)
		return -1;
	s->gid = (gid_t)u64;
	if (!i64_field(&p, end, &i64) || i64 < 0)
		return -1;
	s->size = (off_t)i64;
	if (!i64_field(&p, end, &s->mtime_ns) || !i64_field(&p, end, &s->ctime_ns))
		return -1;
	if (!u64_field(&p, end, &u64))
		return -1;
	s->ino = (ino_t)u64;
	if (!u64_field(&p, end, &u64))
		return -1;
	s->dev = (dev_t)u64;
	if (!i64_field(&p, end, &s->verified_ns))
		return -1;
	/* hex digits are checked where a hash names a file (object_rel), not on every line */
	if (end - p < 65 || p[64] != ' ')
		return -1;
	memcpy(s->hash, p, 64);
	s->hash[64] = '\0';
	p += 65;
	if (!next_field(&p, end, &f, &flen) || f[0] != '/')
		return -1;
	path_len = flen;
	if (memchr(f, '\\', flen)) {
		if (!(e->path = unescape(f, flen)))
			return -1;
		e->owned = true;
	} else {
		e->path = line + (f - line);
	}
	if (p < end) {
		if (s->type != 'l' || s->sensitive || !next_field(&p, end, &f, &flen) ||
		    !(s->target = unescape(f, flen)) || p < end) {
			entry_free(e);
			return -1;
		}
	}
	if (s->type == 'l' && !s->sensitive && !s->target) {
		entry_free(e);
		return -1;
	}
	if (!e->owned)
		e->path[path_len] = '\0';	/* after the fields that followed were read */
	return 0;
}

/* load the index; a missing one is an empty baseline */
static int index_load(struct journal *j, struct index *idx)
{
	char *path = state_path(j, "index");
	struct buf b = BUF_INIT;
	char *p, *end;
	size_t lineno = 1;
	bool sorted = true;
	int rc = -1;

	memset(idx, 0, sizeof *idx);
	{
		/* one allocation of the file's size, not a doubling buffer: the index is megabytes */
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		struct stat st;
		if (fd < 0) {
			if (errno == ENOENT)
				rc = 0;
			else
				errset_sys("%s", path);
			goto out;
		}
		if (fstat(fd, &st) == 0 && st.st_size > 0)
			buf_grow(&b, (size_t)st.st_size + 65536 + 1);	/* fs_read_fd asks for 64 KiB more */
		if (fs_read_fd(fd, &b, 0) < 0) {
			errset_sys("%s", path);
			close(fd);
			goto out;
		}
		close(fd);
	}
	if (b.len == 0) {
		errset("%s: damaged: no header line", path);
		goto out;
	}
	/* the lines are cut in place into C strings: a NUL would cut one short */
	if (memchr(b.data, '\0', b.len)) {
		errset("%s: damaged: a NUL byte", path);
		goto out;
	}
	p = b.data;
	end = p + b.len;
	{
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			errset("%s: damaged: no header line", path);
			goto out;
		}
		if (parse_header(path, p, (size_t)(nl - p), INDEX_MAGIC, &idx->generation) < 0)
			goto out;
		p = nl + 1;
	}
	/* about one line per 150 bytes: allocate once */
	idx->alloc = b.len / 128 + 16;
	idx->v = xreallocarray(NULL, idx->alloc, sizeof *idx->v);
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		struct entry e;

		lineno++;
		if (!nl) {
			errset("%s:%zu: damaged: a line without its newline", path, lineno);
			goto out;
		}
		if (parse_entry(p, (size_t)(nl - p), &e) < 0) {
			errset("%s:%zu: damaged entry (remove the file and take the baseline again with 'logbook watch add')",
			       path, lineno);
			goto out;
		}
		if (idx->n == idx->alloc) {
			idx->alloc *= 2;
			idx->v = xreallocarray(idx->v, idx->alloc, sizeof *idx->v);
		}
		if (idx->n > 0 && strcmp(idx->v[idx->n - 1].path, e.path) >= 0)
			sorted = false;
		idx->v[idx->n++] = e;
		p = nl + 1;
	}
	if (!sorted) {
		sort_array(idx->v, idx->n, sizeof *idx->v, cmp_entry);
		for (size_t i = 1; i < idx->n; i++) {
			if (!strcmp(idx->v[i - 1].path, idx->v[i].path)) {
				errset("%s: damaged: two entries for one path", path);
				goto out;
			}
		}
	}
	/* the buffer itself, not a copy: the paths point into it */
	idx->text = b.data;
	b = (struct buf)BUF_INIT;
	rc = 0;
out:
	if (rc < 0)
		index_free(idx);
	buf_release(&b);
	free(path);
	return rc;
}

/* the generation in the index file now (0 when there is none); -1 when unreadable */
static int index_generation(struct journal *j, unsigned long long *gen)
{
	char *path = state_path(j, "index");
	char head[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc = -1;
	ssize_t n;

	*gen = 0;
	if (fd < 0) {
		rc = errno == ENOENT ? 0 : -1;
		if (rc < 0)
			errset_sys("%s", path);
		free(path);
		return rc;
	}
	do
		n = read(fd, head, sizeof head - 1);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		char *nl = memchr(head, '\n', (size_t)n);
		if (nl && parse_header(path, head, (size_t)(nl - head), INDEX_MAGIC, gen) == 0)
			rc = 0;
	}
	if (rc < 0)
		errset("%s: damaged header", path);
	close(fd);
	free(path);
	return rc;
}

static void add_flags(struct buf *b, const struct fstate *s)
{
	size_t len = b->len;

	if (s->sensitive)
		buf_addc(b, 's');
	if (s->stored)
		buf_addc(b, 'o');
	if (s->stale)
		buf_addc(b, 'x');
	if (b->len == len)
		buf_addc(b, '-');
}

static void format_entry(struct buf *b, const struct entry *e)
{
	const struct fstate *s = &e->st;

	buf_addc(b, s->type);
	buf_addc(b, ' ');
	add_flags(b, s);
	buf_addf(b, " %o %lu %lu %lld %lld %lld %llu %llu %lld %s ", (unsigned)s->mode,
		 (unsigned long)s->uid, (unsigned long)s->gid, (long long)s->size,
		 (long long)s->mtime_ns, (long long)s->ctime_ns, (unsigned long long)s->ino,
		 (unsigned long long)s->dev, (long long)s->verified_ns, s->hash);
	add_escaped(b, e->path);
	if (s->type == 'l' && !s->sensitive && s->target) {
		buf_addc(b, ' ');
		add_escaped(b, s->target);
	}
	buf_addc(b, '\n');
}

/* fs_write_atomic, after removing a lock file left by a writer that died (we hold the flock) */
static int write_state_file(struct journal *j, const char *name, const struct buf *b)
{
	char *path = state_path(j, name);
	char *lock = xasprintf("%s.lock", path);
	int rc;

	if (unlink(lock) < 0 && errno != ENOENT) {
		errset_sys("%s", lock);
		rc = -1;
	} else {
		rc = fs_write_atomic(path, buf_str(b), b->len, journal_file_mode(j));
	}
	free(lock);
	free(path);
	return rc;
}

static int index_write(struct journal *j, struct index *idx)
{
	struct buf b = BUF_INIT;
	int rc;

	idx->generation++;
	buf_addf(&b, "%s %d %llu\n", INDEX_MAGIC, FORMAT_VERSION, idx->generation);
	for (size_t i = 0; i < idx->n; i++)
		format_entry(&b, &idx->v[i]);
	rc = write_state_file(j, "index", &b);
	buf_release(&b);
	return rc;
}

/* ---- seen: the pending changes of the last scan ---- */

struct seen_entry {
	char *path;
	int64_t first_seen;
	unsigned what;
	struct fstate st;	/* the new state; no target */
};

struct seen {
	struct seen_entry *v;
	size_t n;
};

static void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int cmp_seen(const void *a, const void *b)
{
	return strcmp(((const struct seen_entry *)a)->path, ((const struct seen_entry *)b)->path);
}

static int cmp_key_seen(const void *key, const void *e)
{
	return strcmp((const char *)key, ((const struct seen_entry *)e)->path);
}

static struct seen_entry *seen_find(const struct seen *s, const char *path)
{
	return s->n ? bsearch(path, s->v, s->n, sizeof *s->v, cmp_key_seen) : NULL;
}

static int parse_seen(const char *line, size_t len, struct seen_entry *e)
{
	const char *p = line, *end = line + len, *f;
	size_t flen;
	int64_t i64;
	uint64_t u64;
	struct fstate *s = &e->st;

	memset(e, 0, sizeof *e);
	if (!next_field(&p, end, &f, &flen) || !parse_i64(f, flen, &e->first_seen))
		return -1;
	if (!next_field(&p, end, &f, &flen) || !parse_u64(f, flen, &u64) || u64 > 127)
		return -1;
	e->what = (unsigned)u64;
	if (!next_field(&p, end, &f, &flen) || flen != 1 || !strchr("fl-", f[0]))
		return -1;
	s->type = f[0] == '-' ? 0 : f[0];
	if (!next_field(&p, end, &f, &flen) || !parse_octal(f, flen, &s->mode))
		return -1;
	if (!next_field(&p, end, &f, &flen) || !parse_u64(f, flen, &u64) || u64 > UINT32_MAX)
		return -1;
	s->uid = (uid_t)u64;
	if (!next_field(&p, end, &f, &flen) || !parse_u64(f, flen, &u64) || u64 > UINT32_MAX)
		return -1;
	s->gid = (gid_t)u64;
	if (!next_field(&p, end, &f, &flen))
		return -1;
	if (flen == 1 && f[0] == '-')
		s->hash[0] = '\0';
	else if (is_hex64(f, flen)) {
		memcpy(s->hash, f, 64);
		s->hash[64] = '\0';
	} else
		return -1;
	if (!next_field(&p, end, &f, &flen) || !parse_i64(f, flen, &i64) || i64 < 0)
		return -1;
	s->size = (off_t)i64;
	if (!next_field(&p, end, &f, &flen) || !parse_i64(f, flen, &s->mtime_ns))
		return -1;
	if (!next_field(&p, end, &f, &flen) || !parse_i64(f, flen, &s->ctime_ns))
		return -1;
	if (!next_field(&p, end, &f, &flen) || !parse_u64(f, flen, &u64))
		return -1;
	s->ino = (ino_t)u64;
	if (!next_field(&p, end, &f, &flen) || !parse_i64(f, flen, &s->verified_ns))
		return -1;
	if (!next_field(&p, end, &f, &flen) || f[0] != '/' || !(e->path = unescape(f, flen)) || p < end) {
		free(e->path);
		e->path = NULL;
		return -1;
	}
	return 0;
}

/*
 * Load seen.  It only dates changes, so a damaged one is not worth failing
 * a scan for: its bad lines are dropped (the changes get a new date).
 */
static void seen_load(struct journal *j, struct seen *s)
{
	char *path = state_path(j, "seen");
	struct buf b = BUF_INIT;
	const char *p, *end, *nl;
	size_t alloc = 0;

	memset(s, 0, sizeof *s);
	if (fs_read_file(path, &b) < 0)
		goto out;
	p = buf_str(&b);
	end = p + b.len;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl || parse_header(path, p, (size_t)(nl - p), SEEN_MAGIC, NULL) < 0)
		goto out;
	p = nl + 1;
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		struct seen_entry e;
		if (parse_seen(p, (size_t)(nl - p), &e) == 0) {
			if (s->n == alloc) {
				alloc = alloc ? alloc * 2 : 16;
				s->v = xreallocarray(s->v, alloc, sizeof *s->v);
			}
			s->v[s->n++] = e;
		}
		p = nl + 1;
	}
	sort_array(s->v, s->n, sizeof *s->v, cmp_seen);
out:
	buf_release(&b);
	free(path);
}

static int seen_write(struct journal *j, const struct seen *s)
{
	struct buf b = BUF_INIT;
	int rc;

	buf_addf(&b, "%s %d\n", SEEN_MAGIC, FORMAT_VERSION);
	for (size_t i = 0; i < s->n; i++) {
		const struct seen_entry *e = &s->v[i];
		const struct fstate *st = &e->st;
		buf_addf(&b, "%lld %u %c %o %lu %lu %s %lld %lld %lld %llu %lld ", (long long)e->first_seen,
			 e->what, st->type ? st->type : '-', (unsigned)st->mode, (unsigned long)st->uid,
			 (unsigned long)st->gid, st->hash[0] ? st->hash : "-", (long long)st->size,
			 (long long)st->mtime_ns, (long long)st->ctime_ns, (unsigned long long)st->ino,
			 (long long)st->verified_ns);
		add_escaped(&b, e->path);
		buf_addc(&b, '\n');
	}
	rc = write_state_file(j, "seen", &b);
	buf_release(&b);
	return rc;
}

/* the same change: same bits, same new state */
static bool same_change(const struct seen_entry *e, unsigned what, const struct fstate *n)
{
	return e->what == what && e->st.type == n->type && e->st.mode == n->mode && e->st.uid == n->uid &&
	       e->st.gid == n->gid && !strcmp(e->st.hash, n->hash);
}

/* ---- the lock ---- */

/* flock .state/baseline/lock, waiting up to wait_ms; the descriptor, or -1 */
static int lock_baseline(struct journal *j, unsigned wait_ms)
{
	char *path;
	int fd;
	unsigned waited_ms = 0;

	if (journal_mkdirs(j, BASELINE_DIR) < 0)
		return -1;
	path = state_path(j, "lock");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, journal_file_mode(j));
	if (fd < 0) {
		errset_sys("%s", path);
		free(path);
		return -1;
	}
	if (journal_fix_mode(j, fd) < 0) {
		/* another admin's lock file in a shared journal: not ours to chmod */
		if (errno != EPERM) {
			close(fd);
			free(path);
			return -1;
		}
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			errset_sys("%s: flock", path);
			goto fail;
		}
		if (waited_ms >= wait_ms) {
			errset("%s: another logbook holds the lock of the baseline (waited %u s)", path,
			       wait_ms / 1000);
			goto fail;
		}
		{
			struct timespec ts = { 0, 50 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		waited_ms += 50;
	}
	free(path);
	return fd;
fail:
	close(fd);
	free(path);
	return -1;
}

static void unlock_baseline(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* ---- objects ---- */

/* the object's path in the journal; NULL when hash is not 64 hex digits (a damaged index) */
static char *object_rel(const char *hash)
{
	if (!is_hex64(hash, strlen(hash)))
		return NULL;
	return xasprintf("%s/objects/%.2s/%s", BASELINE_DIR, hash, hash + 2);
}

/* objects/xx/ exists, made once per process */
static int object_dir(struct journal *j, const char *hash)
{
	char *rel = xasprintf("%s/objects/%.2s", BASELINE_DIR, hash);
	int rc = journal_mkdirs(j, rel);

	free(rel);
	return rc;
}

/*
 * Write the content of hash unless an object of that size is there:
 * to a temporary name, then renamed, so the name never shows a part.
 * Not synced here: the caller syncs the file system before the index
 * names the object.  *written: a new object was made.
 */
static int object_write(struct journal *j, const char *hash, const char *data, size_t len, bool *written)
{
	static unsigned counter;
	char *rel = object_rel(hash);	/* a hash this process computed */
	char *path = journal_path(j, rel);
	char *tmp = NULL;
	struct stat st;
	int fd = -1, rc = -1;

	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len) {
		rc = 0;
		goto out;
	}
	if (object_dir(j, hash) < 0)
		goto out;
	tmp = xasprintf("%s.tmp-%ld-%u", path, (long)getpid(), counter++);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, journal_file_mode(j));
	if (fd < 0) {
		errset_sys("%s", tmp);
		goto out;
	}
	if (journal_fix_mode(j, fd) < 0)
		goto out;
	if (fs_write_all(fd, data, len) < 0) {
		errset_sys("%s", tmp);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		errset_sys("%s", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		errset_sys("%s: rename", tmp);
		goto out;
	}
	*written = true;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp)
		unlink(tmp);
	free(tmp);
	free(path);
	free(rel);
	return rc;
}

/* the objects written so far reach the disk before an index names them */
static int objects_sync(struct journal *j)
{
	char *dir = journal_path(j, BASELINE_DIR);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0 || syncfs(fd) < 0) {
		errset_sys("%s: syncfs", dir);
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

static int cmp_hash(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Remove the objects of dropped (hashes whose entries went away or no
 * longer keep content) that no entry of idx names any more.
 */
static void objects_gc(struct journal *j, const struct index *idx, char **dropped, size_t ndropped)
{
	char **kept;
	size_t nkept = 0;

	if (ndropped == 0)
		return;
	kept = xcalloc(idx->n + 1, sizeof *kept);
	for (size_t i = 0; i < idx->n; i++)
		if (idx->v[i].st.stored)
			kept[nkept++] = (char *)idx->v[i].st.hash;
	sort_array(kept, nkept, sizeof *kept, cmp_hash);
	for (size_t i = 0; i < ndropped; i++) {
		if (nkept && bsearch(&dropped[i], kept, nkept, sizeof *kept, cmp_hash))
			continue;
		{
			char *rel = object_rel(dropped[i]);
			char *path;
			if (!rel)
				continue;
			path = journal_path(j, rel);
			unlink(path);	/* already gone is fine */
			free(path);
			free(rel);
		}
	}
	free(kept);
}

/* ---- paths opened without following symlinks ---- */

/*
 * Open the directory that holds path (absolute), one component at a time
 * from "/" with O_NOFOLLOW.  Returns an O_PATH descriptor and sets *name
 * to the last component ("." for "/" itself); *private when a directory
 * on the way cannot be entered by group or others.  -1 with errno:
 * ENOENT or ENOTDIR (not there), ELOOP (a symlink on the way, named in
 * *link when not NULL), EACCES...
 */
static int open_parent(const char *path, const char **name, bool *private, char **link)
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

/* ---- patterns, prepared once per walk ---- */

/*
 * A scan matches every exclusion and sensitive pattern against every name
 * it meets.  A pattern on the full path (FNM_PATHNAME, as in
 * "/etc/ld.so.cache") can only match the children of the directories its
 * part before the last '/' matches: that part is checked once per
 * directory, and the rest, like a pattern on the base name, against the
 * child's name alone, with a compare when it is a literal or "*" and a
 * literal.  watch_match() stays the reference: a test walks a tree with
 * both and compares.
 */
enum { PAT_LITERAL, PAT_SUFFIX, PAT_FNMATCH, PAT_WHOLE };

struct pat {
	const char *whole;	/* the pattern as written */
	char *dir;		/* full-path patterns: the part before the last '/'; NULL for base names */
	const char *base;	/* what the name must match */
	size_t len;		/* literal, suffix: its length */
	int kind;		/* PAT_WHOLE: '[' in a full-path pattern, matched on the whole path */
};

struct patset {
	struct pat *v;
	size_t n;
};

static bool has_wild(const char *s)
{
	return strpbrk(s, "*?[\\") != NULL;
}

static void patset_init(struct patset *ps, char *const *patterns, size_t n)
{
	ps->v = n ? xcalloc(n, sizeof *ps->v) : NULL;
	ps->n = n;
	for (size_t i = 0; i < n; i++) {
		struct pat *p = &ps->v[i];
		const char *pat = patterns[i];

		p->whole = pat;
		p->base = pat;
		if (pat[0] == '/') {
			const char *slash = strrchr(pat, '/');
			if (strchr(pat, '[')) {
				p->kind = PAT_WHOLE;
				continue;
			}
			p->dir = xstrndup(pat, (size_t)(slash - pat));
			p->base = slash + 1;
		}
		if (!has_wild(p->base)) {
			p->kind = PAT_LITERAL;
			p->len = strlen(p->base);
		} else if (p->base[0] == '*' && !has_wild(p->base + 1)) {
			p->kind = PAT_SUFFIX;
			p->len = strlen(p->base + 1);
		} else {
			p->kind = PAT_FNMATCH;
		}
	}
}

static void patset_free(struct patset *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i].dir);
	free(ps->v);
	memset(ps, 0, sizeof *ps);
}

/*
 * The patterns that may match a child of the directory dir (its path
 * without a trailing slash: "" for "/"), into active (room for ps->n).
 */
static size_t patset_for_dir(const struct patset *ps, const char *dir, const struct pat **active)
{
	size_t n = 0;

	for (size_t i = 0; i < ps->n; i++) {
		const struct pat *p = &ps->v[i];

		if (p->kind != PAT_WHOLE && p->dir) {
			if (has_wild(p->dir) ? fnmatch(p->dir, dir, FNM_PATHNAME) != 0 : strcmp(p->dir, dir) != 0)
				continue;
		}
		active[n++] = p;
	}
	return n;
}

/* one of the active patterns matches the child name (whose full path is path) */
static bool patset_match(const struct pat *const *active, size_t n, const char *name, size_t len, const char *path)
{
	for (size_t i = 0; i < n; i++) {
		const struct pat *p = active[i];

		switch (p->kind) {
		case PAT_LITERAL:
			if (len == p->len && !memcmp(name, p->base, len))
				return true;
			break;
		case PAT_SUFFIX:
			if (len >= p->len && !memcmp(name + len - p->len, p->base + 1, p->len))
				return true;
			break;
		case PAT_FNMATCH:
			if (fnmatch(p->base, name, 0) == 0)
				return true;
			break;
		default:
			if (watch_match(p->whole, path))
				return true;
			break;
		}
	}
	return false;
}

/* ---- looking at one file ---- */

enum { CAP_OK, CAP_ABSENT, CAP_SKIPPED, CAP_FATAL };

struct walk {
	struct journal *j;
	const struct watch_list *w;	/* NULL: accept, which has no list (mode bits only) */
	int mode;
	const struct watch_list *before;	/* rewatch */
	const char *limit;		/* take: only under this path */
	struct index idx;
	struct seen seen;
	int64_t start_ns;
	struct buf path;
	struct buf data;
	struct dirid {
		dev_t dev;
		ino_t ino;
	} *stack;
	size_t depth, stack_alloc;
	struct stat journal_st;
	bool have_journal;
	char **kept;		/* paths not looked at: their entries stay as they are */
	size_t nkept;
	struct store_warnings *skipped, *notes;
	struct change *changes;
	size_t nchanges, changes_alloc;
	struct entry *updates;	/* new index entries (type 0: drop) */
	size_t nupdates, updates_alloc;
	size_t files, hashed;
	bool objects_written;
	bool fatal;
	struct patset excludes, sensitive;	/* of w, prepared (shared by the threads) */
	struct pool *pool;	/* scan: the threads that share the walk, or NULL */
	/* the index entries under the directory being walked: [rlo, rhi), all starting with rplen bytes of its path and '/' */
	size_t rlo, rhi, rplen;
	bool rvalid;
	/* walk_fd's verdict on the sensitive patterns for the name in wk->path */
	bool child_known, child_sensitive;
	struct store_warnings own_skipped, own_notes;	/* a helper thread's, merged at the end */
};

enum { WALK_SCAN, WALK_TAKE, WALK_REWATCH, WALK_ACCEPT };

static void keep_path(struct walk *wk, const char *path)
{
	wk->kept = xreallocarray(wk->kept, wk->nkept + 1, sizeof *wk->kept);
	wk->kept[wk->nkept++] = xstrdup(path);
}

static bool is_kept(const struct walk *wk, const char *path)
{
	for (size_t i = 0; i < wk->nkept; i++)
		if (holds(wk->kept[i], path))
			return true;
	return false;
}

static void add_update(struct walk *wk, const char *path, const struct fstate *st)
{
	struct entry *e;

	if (wk->nupdates == wk->updates_alloc) {
		wk->updates_alloc = wk->updates_alloc ? wk->updates_alloc * 2 : 64;
		wk->updates = xreallocarray(wk->updates, wk->updates_alloc, sizeof *wk->updates);
	}
	e = &wk->updates[wk->nupdates++];
	memset(e, 0, sizeof *e);
	e->path = xstrdup(path);
	if (st)
		fstate_copy(&e->st, st);
}

/*
 * A sensitive pattern matches path itself (the directories above are in
 * "private").  For a name met in a directory, walk_fd has just decided it
 * (child_sensitive, for wk->path); a start or a file of accept is checked
 * here.
 */
static bool own_sensitive(const struct walk *wk, const char *path)
{
	if (!wk->w)
		return false;
	if (wk->child_known && path == wk->path.data)
		return wk->child_sensitive;
	for (size_t i = 0; i < wk->w->nsensitive; i++)
		if (watch_match(wk->w->sensitive[i], path))
			return true;
	return false;
}

/*
 * private: a directory above cannot be entered by group or others, or
 * matches a sensitive pattern; then the file's mode, then its own name
 */
static bool sensitive_now(const struct walk *wk, const char *path, const struct stat *st, bool private)
{
	return private || mode_private(st) || own_sensitive(wk, path);
}

/*
 * The index entry of path.  Under a directory being walked, the names
 * come in strcmp order and so do the entries under [rlo, rhi): a cursor
 * (rlo) moves forward over the entries, each passed once per directory
 * above it, instead of a binary search from the top for every file.
 */
static struct entry *find_entry(struct walk *wk, const char *path)
{
	const char *name;

	if (!wk->rvalid)
		return index_find(&wk->idx, path);
	name = path + wk->rplen;
	while (wk->rlo < wk->rhi) {
		int c = strcmp(wk->idx.v[wk->rlo].path + wk->rplen, name);
		if (c == 0)
			return &wk->idx.v[wk->rlo++];
		if (c > 0)
			break;
		wk->rlo++;
	}
	return NULL;
}

static size_t lower_bound(const struct index *idx, size_t lo, size_t hi, const char *key);

/* lower_bound, for a key expected near lo: steps of 1, 2, 4... then a binary search */
static size_t gallop(const struct index *idx, size_t lo, size_t hi, const char *key)
{
	size_t step = 1, prev = lo;

	while (lo < hi && strcmp(idx->v[lo].path, key) < 0) {
		prev = lo + 1;
		lo = hi - lo > step ? lo + step : hi;
		step *= 2;
	}
	return lower_bound(idx, prev, lo, key);
}

/* the first entry of [lo, hi) not below key in strcmp order */
static size_t lower_bound(const struct index *idx, size_t lo, size_t hi, const char *key)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(idx->v[mid].path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
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
				warn_addf(wk->notes, path, "vanished during the scan");
				return CAP_ABSENT;
			}
			errno = saved;
			warn_addf(wk->skipped, path, "%s", saved == EINVAL ? "changed type during the scan; scan again"
								: strerror(saved));
			return CAP_SKIPPED;
		}
		target[n] = '\0';
		if (fstatat(dfd, name, &again, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(again.st_mode) ||
		    !same_stat(&st, &again)) {
			free(target);
			if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				warn_addf(wk->notes, path, "vanished during the scan");
				return CAP_ABSENT;
			}
			if (!S_ISLNK(st.st_mode)) {
				warn_addf(wk->skipped, path, "changed type during the scan; scan again");
				return CAP_SKIPPED;
			}
			continue;
		}
		memset(out, 0, sizeof *out);
		out->type = 'l';
		stat_into(out, &st);
		out->size = (off_t)n;
		hash_bytes(target, (size_t)n, out->hash);
		out->sensitive = sensitive_now(wk, path, &st, private);
		out->verified_ns = wk->start_ns;
		if (out->sensitive)
			free(target);
		else
			out->target = target;
		return CAP_OK;
	}
	warn_addf(wk->skipped, path, "kept changing while being read; scan again");
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
static int open_regular(int dfd, const char *name, struct stat *st)
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
static int capture(struct walk *wk, int dfd, const char *name, const struct stat *lst, bool private,
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
	fd = open_regular(dfd, name, &st);
	if (fd < 0) {
		if (errno == ENOENT) {
			warn_addf(wk->notes, path, "vanished during the scan");
			return CAP_ABSENT;
		}
		if (errno == ENODEV || errno == ELOOP || errno == ENXIO)
			warn_addf(wk->skipped, path, "changed type during the scan; scan again");
		else if (errno == EACCES || errno == EPERM)
			warn_addf(wk->skipped, path, "permission denied: not looked at");
		else
			warn_addf(wk->skipped, path, "%s", strerror(errno));
		return CAP_SKIPPED;
	}
	for (attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
		SHA256_CTX ctx;
		unsigned char md[SHA256_DIGEST_LENGTH];

		if (baseline_test_hook)
			baseline_test_hook(path, BASELINE_HOOK_READ);
		sensitive = sensitive_now(wk, path, &st, private);
		keep = store && !sensitive && st.st_size <= BASELINE_STORE_MAX;
		buf_reset(&wk->data);
		SHA256_Init(&ctx);
		if ((attempt > 0 && lseek(fd, 0, SEEK_SET) < 0) || hash_fd(fd, keep, &wk->data, &ctx, &total) < 0) {
			warn_addf(wk->skipped, path, "%s", strerror(errno));
			close(fd);
			return CAP_SKIPPED;
		}
		SHA256_Final(md, &ctx);
		hex_of(md, hash);
		if (fstat(fd, &after) < 0) {
			warn_addf(wk->skipped, path, "%s", strerror(errno));
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
		warn_addf(wk->skipped, path, "kept changing while being read; scan again");
		return CAP_SKIPPED;
	}
	wk->hashed++;
	memset(out, 0, sizeof *out);
	out->type = 'f';
	stat_into(out, &st);
	memcpy(out->hash, hash, sizeof hash);
	out->sensitive = sensitive;
	out->verified_ns = wk->start_ns;
	if (keep) {
		if (object_write(wk->j, hash, wk->data.data ? wk->data.data : "", wk->data.len,
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

/* ---- the walk ---- */

static void add_change(struct walk *wk, const char *path, unsigned what, const struct fstate *old,
		       const struct fstate *new)
{
	struct change *c;

	if (wk->nchanges == wk->changes_alloc) {
		wk->changes_alloc = wk->changes_alloc ? wk->changes_alloc * 2 : 16;
		wk->changes = xreallocarray(wk->changes, wk->changes_alloc, sizeof *wk->changes);
	}
	c = &wk->changes[wk->nchanges++];
	memset(c, 0, sizeof *c);
	c->path = xstrdup(path);
	c->what = what;
	if (old)
		fstate_copy(&c->old, old);
	if (new)
		fstate_copy(&c->new, new);
	if (old && wk->w && watch_sensitive_name(wk->w, path))
		c->old.sensitive = true;
}

static unsigned compare(const struct fstate *old, const struct fstate *now)
{
	unsigned what = 0;

	if (!old || !old->type)
		return now->type ? CH_ADDED : 0;
	if (!now->type)
		return CH_DELETED;
	if (old->type != now->type)
		return CH_TYPE;
	if (strcmp(old->hash, now->hash))
		what |= old->type == 'f' ? CH_CONTENT : CH_TARGET;
	if (old->type == 'f' && old->mode != now->mode)
		what |= CH_MODE;
	if (old->uid != now->uid || old->gid != now->gid)
		what |= CH_OWNER;
	return what;
}

static void scan_file(struct walk *wk, int dfd, const char *name, const struct stat *st, bool private)
{
	const char *path = buf_str(&wk->path);
	struct entry *e = find_entry(wk, path);
	struct fstate now;
	bool fast = false, from_index = false;
	unsigned what;

	wk->files++;
	if (e && !e->st.stale && stat_match(&e->st, st) && !racy(&e->st)) {
		/* git's rule: same stat data, not racy: unchanged, not read */
		fstate_copy(&now, &e->st);
		now.sensitive = sensitive_now(wk, path, st, private);
		if (now.sensitive && now.type == 'l') {
			free(now.target);
			now.target = NULL;
		}
		fast = from_index = true;
	} else {
		struct seen_entry *s = S_ISREG(st->st_mode) ? seen_find(&wk->seen, path) : NULL;
		struct fstate pending;

		if (s && s->st.type == 'f' && s->st.hash[0]) {
			/* a pending change seen by the last scan, stat data unchanged since */
			pending = s->st;
			pending.target = NULL;
			pending.stale = false;
			if (stat_match(&pending, st) && !racy(&pending)) {
				now = pending;
				now.sensitive = sensitive_now(wk, path, st, private);
				now.stored = false;
				fast = true;
			}
		}
		if (!fast) {
			int rc = capture(wk, dfd, name, st, private, false, &now);
			if (rc == CAP_ABSENT)
				return;
			if (rc != CAP_OK) {
				if (e)
					e->matched = true;
				return;
			}
		}
	}
	if (e)
		e->matched = true;
	if (from_index) {
		/* the index's own state: nothing to compare but what depends on the rules of today */
		now.stored = e->st.stored && now.type == 'f' && !now.sensitive;
		if (e->st.sensitive != now.sensitive || e->st.stored != now.stored)
			add_update(wk, path, &now);
		fstate_release(&now);
		return;
	}
	/* the object of the baseline's content still holds an unchanged file's */
	now.stored = now.type == 'f' && !now.sensitive && e && e->st.stored && !strcmp(e->st.hash, now.hash);
	what = compare(e ? &e->st : NULL, &now);
	if (what) {
		add_change(wk, path, what, e ? &e->st : NULL, &now);
	} else if (e->st.sensitive != now.sensitive || e->st.stored != now.stored || e->st.stale ||
		   !stat_match(&e->st, st) || (racy(&e->st) && !racy(&now))) {
		/* unchanged, but what the index knows of it moved: refresh it, the baseline stays */
		add_update(wk, path, &now);
	}
	fstate_release(&now);
}

static void take_file(struct walk *wk, int dfd, const char *name, const struct stat *st, bool private)
{
	const char *path = buf_str(&wk->path);
	struct entry *e = find_entry(wk, path);
	struct fstate now;
	int rc;

	wk->files++;
	if (wk->mode == WALK_REWATCH && watch_watched(wk->before, path)) {
		/* watched before: its baseline and pending changes stay */
		if (e)
			e->matched = true;
		return;
	}
	rc = capture(wk, dfd, name, st, private, true, &now);
	if (rc == CAP_ABSENT || rc == CAP_FATAL)
		return;
	if (e)
		e->matched = true;
	if (rc != CAP_OK)
		return;
	add_update(wk, path, &now);
	fstate_release(&now);
}

static const char *special_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a regular file, symlink or directory";
}

static bool is_root(const struct watch_list *w, const char *path)
{
	size_t lo = 0, hi = w->npaths;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(w->paths[mid], path);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* a watched path is a child of the directory dir (its path without a trailing slash: "" for "/") */
static bool holds_a_root(const struct watch_list *w, const char *dir)
{
	size_t n = strlen(dir);

	for (size_t i = 0; i < w->npaths; i++) {
		const char *r = w->paths[i];
		if (!strncmp(r, dir, n) && r[n] == '/' && r[n + 1] && !strchr(r + n + 1, '/'))
			return true;
	}
	return false;
}

static bool match_excludes(const struct watch_list *w, const char *path)
{
	for (size_t i = 0; i < w->nexcludes; i++)
		if (watch_match(w->excludes[i], path))
			return true;
	return false;
}

static void visit(struct walk *wk, int dfd, const char *name, unsigned char type, bool private, bool start);
static void walk_fd(struct walk *wk, int fd, const struct stat *st, bool private);

/*
 * The threads of a scan.  Most of a no-change scan is the kernel's
 * fstatat(), one per file, so a scan walks with one thread per CPU, as
 * git's preload-index does: a directory met while the queue is short is
 * handed over (with its open descriptor and the chain of directories
 * above it, for loop detection), else walked at once; the queue is
 * bounded, so are the descriptors.  Each thread fills a struct walk of
 * its own (copied from the scan's, sharing the read-only index, seen and
 * watch list; an index entry is marked by the one thread that meets its
 * path); the results are merged when the queue is empty and all idle.
 */
#define POOL_THREADS_MAX 8
#define POOL_FILES_PER_THREAD 1000

struct task {
	int fd;
	struct stat st;
	char *path;
	bool private;
	struct dirid *stack;
	size_t depth;
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct task *q;
	size_t n, max;
	size_t busy;
};

/* hand the directory over when the queue is short; false: walk it yourself */
static bool pool_offer(struct walk *wk, int fd, const struct stat *st, bool private)
{
	struct pool *p = wk->pool;
	bool taken = false;

	if (!p)
		return false;
	pthread_mutex_lock(&p->mu);
	if (p->n < p->max) {
		struct task *t = &p->q[p->n++];
		t->fd = fd;
		t->st = *st;
		t->path = xstrdup(buf_str(&wk->path));
		t->private = private;
		t->depth = wk->depth;
		t->stack = xreallocarray(NULL, wk->depth + 1, sizeof *t->stack);
		if (wk->depth)
			memcpy(t->stack, wk->stack, wk->depth * sizeof *t->stack);
		taken = true;
		pthread_cond_signal(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return taken;
}

static void pool_work(struct walk *wk)
{
	struct pool *p = wk->pool;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct task t;

		while (p->n == 0 && p->busy > 0)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->n == 0) {
			pthread_cond_broadcast(&p->cv);
			break;
		}
		t = p->q[--p->n];
		p->busy++;
		pthread_mutex_unlock(&p->mu);

		buf_reset(&wk->path);
		buf_adds(&wk->path, t.path);
		if (wk->stack_alloc < t.depth + 1) {
			wk->stack_alloc = t.depth + 16;
			wk->stack = xreallocarray(wk->stack, wk->stack_alloc, sizeof *wk->stack);
		}
		if (t.depth)
			memcpy(wk->stack, t.stack, t.depth * sizeof *t.stack);
		wk->depth = t.depth;
		wk->rvalid = false;	/* the task's own range is searched from the whole index */
		wk->child_known = false;
		walk_fd(wk, t.fd, &t.st, t.private);
		free(t.path);
		free(t.stack);

		pthread_mutex_lock(&p->mu);
		p->busy--;
		if (p->n == 0 && p->busy == 0)
			pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
}

static void *pool_thread(void *arg)
{
	pool_work(arg);
	return NULL;
}

static void walk_dir(struct walk *wk, int dfd, const char *name, const struct stat *lst, bool private)
{
	const char *path = buf_str(&wk->path);
	struct stat st;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			warn_addf(wk->notes, path, "vanished during the scan");
			return;
		}
		keep_path(wk, path);
		if (errno == ENOTDIR || errno == ELOOP)
			warn_addf(wk->skipped, path, "changed type during the scan; scan again");
		else if (errno == EACCES || errno == EPERM)
			warn_addf(wk->skipped, path, "permission denied: not looked at");
		else
			warn_addf(wk->skipped, path, "%s", strerror(errno));
		return;
	}
	if (fstat(fd, &st) < 0 || (lst && (st.st_dev != lst->st_dev || st.st_ino != lst->st_ino))) {
		keep_path(wk, path);
		warn_addf(wk->skipped, path, "changed during the scan; scan again");
		close(fd);
		return;
	}
	if (wk->have_journal && st.st_dev == wk->journal_st.st_dev && st.st_ino == wk->journal_st.st_ino) {
		keep_path(wk, path);
		warn_addf(wk->notes, path, "the logbook journal itself: not watched");
		close(fd);
		return;
	}
	for (size_t i = 0; i < wk->depth; i++) {
		if (wk->stack[i].dev == st.st_dev && wk->stack[i].ino == st.st_ino) {
			keep_path(wk, path);
			warn_addf(wk->skipped, path, "a directory loop (a bind mount?): not walked again");
			close(fd);
			return;
		}
	}
	if (!pool_offer(wk, fd, &st, private))
		walk_fd(wk, fd, &st, private);
}

struct dname {
	const char *name;
	unsigned char type;	/* d_type: DT_UNKNOWN when the file system does not say */
};

static int cmp_dname(const void *a, const void *b)
{
	return strcmp(((const struct dname *)a)->name, ((const struct dname *)b)->name);
}

/* walk the open directory fd (wk->path is its path); closes fd */
static void walk_fd(struct walk *wk, int fd, const struct stat *st, bool private)
{
	const char *path = buf_str(&wk->path);
	char dents[32768] __attribute__((aligned(8)));
	struct buf text = BUF_INIT;
	size_t *offs = NULL;
	unsigned char *types = NULL;
	struct dname *names;
	const struct pat **ex, **sens;
	size_t n = 0, alloc = 0, base, saved_rlo = wk->rlo, saved_rhi = wk->rhi, saved_rplen = wk->rplen;
	size_t nex, nsens;
	bool roots_here;
	bool saved_rvalid = wk->rvalid;

	/* the names and their d_type straight from getdents64 */
	for (;;) {
		ssize_t got = getdents64(fd, dents, sizeof dents);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			keep_path(wk, path);
			warn_addf(wk->skipped, path, "%s", strerror(errno));
			close(fd);
			buf_release(&text);
			free(offs);
			free(types);
			return;
		}
		if (got == 0)
			break;
		for (ssize_t pos = 0; pos < got;) {
			struct dirent64 *de = (struct dirent64 *)(dents + pos);

			pos += de->d_reclen;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (n == alloc) {
				alloc = alloc ? alloc * 2 : 64;
				offs = xreallocarray(offs, alloc, sizeof *offs);
				types = xreallocarray(types, alloc, sizeof *types);
			}
			offs[n] = text.len;
			types[n] = de->d_type;
			n++;
			buf_add(&text, de->d_name, strlen(de->d_name) + 1);
		}
	}
	names = xreallocarray(NULL, n + 1, sizeof *names);
	for (size_t i = 0; i < n; i++) {
		names[i].name = text.data + offs[i];
		names[i].type = types[i];
	}
	free(offs);
	free(types);
	sort_array(names, n, sizeof *names, cmp_dname);

	if (wk->depth == wk->stack_alloc) {
		wk->stack_alloc = wk->stack_alloc ? wk->stack_alloc * 2 : 16;
		wk->stack = xreallocarray(wk->stack, wk->stack_alloc, sizeof *wk->stack);
	}
	wk->stack[wk->depth].dev = st->st_dev;
	wk->stack[wk->depth].ino = st->st_ino;
	wk->depth++;
	/* what is under a directory others cannot enter, or a sensitive one, is sensitive */
	private = private || dir_private(st) || own_sensitive(wk, path);
	base = wk->path.len;
	/* the patterns that can match a child here, each set once per directory */
	wk->path.data[base] = '\0';
	ex = xreallocarray(NULL, wk->excludes.n + wk->sensitive.n + 1, sizeof *ex);
	sens = ex + wk->excludes.n;
	nex = patset_for_dir(&wk->excludes, base > 1 ? path : "", ex);
	nsens = patset_for_dir(&wk->sensitive, base > 1 ? path : "", sens);
	roots_here = holds_a_root(wk->w, base > 1 ? path : "");
	/* the index entries under this directory: from path + "/" up to path + "0" */
	if (base > 1)
		buf_addc(&wk->path, '/');
	{
		/*
		 * Within the parent's range, from its cursor: the names before
		 * this one never move the cursor past this directory's entries
		 * (a name that sorts first also sorts before "name/...").
		 */
		size_t lo = saved_rvalid ? saved_rlo : 0, hi = saved_rvalid ? saved_rhi : wk->idx.n;
		wk->rplen = wk->path.len;
		wk->rlo = gallop(&wk->idx, lo, hi, buf_str(&wk->path));
		wk->path.data[wk->path.len - 1] = '0';
		wk->rhi = gallop(&wk->idx, wk->rlo, hi, buf_str(&wk->path));
	}
	wk->path.data[wk->path.len - 1] = '/';
	wk->rvalid = true;
	for (size_t i = 0; i < n && !wk->fatal; i++) {
		size_t len = strlen(names[i].name);
		const char *child;

		buf_truncate(&wk->path, wk->rplen);
		buf_add(&wk->path, names[i].name, len);
		child = buf_str(&wk->path);
		/* another watched path is walked on its own; an excluded one not at all */
		if ((roots_here && is_root(wk->w, child)) || patset_match(ex, nex, names[i].name, len, child))
			continue;
		wk->child_sensitive = nsens && patset_match(sens, nsens, names[i].name, len, child);
		wk->child_known = true;
		visit(wk, fd, names[i].name, names[i].type, private, false);
	}
	wk->child_known = false;
	free(ex);
	buf_truncate(&wk->path, base);
	wk->rlo = saved_rlo;
	wk->rhi = saved_rhi;
	wk->rplen = saved_rplen;
	wk->rvalid = saved_rvalid;
	free(names);
	buf_release(&text);
	wk->depth--;
	close(fd);
}

static void visit(struct walk *wk, int dfd, const char *name, unsigned char type, bool private, bool start)
{
	const char *path = buf_str(&wk->path);
	struct stat st;

	/* as getdents says: a directory is opened (and checked) at once, a special file never looked at */
	if (type == DT_DIR) {
		walk_dir(wk, dfd, name, NULL, private);
		return;
	}
	if (type == DT_FIFO || type == DT_SOCK || type == DT_CHR || type == DT_BLK) {
		mode_t m = type == DT_FIFO ? S_IFIFO : type == DT_SOCK ? S_IFSOCK : type == DT_CHR ? S_IFCHR : S_IFBLK;
		warn_addf(wk->skipped, path, "%s: not tracked, never opened", special_kind(m));
		return;
	}
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			if (start)
				warn_addf(wk->notes, path, "does not exist (yet): it shows up as added when it appears");
			else
				warn_addf(wk->notes, path, "vanished during the scan");
			return;
		}
		keep_path(wk, path);
		if (errno == EACCES || errno == EPERM)
			warn_addf(wk->skipped, path, "permission denied: not looked at");
		else
			warn_addf(wk->skipped, path, "%s", strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		walk_dir(wk, dfd, name, &st, private);
	} else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
		if (wk->mode == WALK_SCAN)
			scan_file(wk, dfd, name, &st, private);
		else
			take_file(wk, dfd, name, &st, private);
	} else {
		warn_addf(wk->skipped, path, "%s: not tracked, never opened", special_kind(st.st_mode));
	}
}

/* walk from one starting path (a watched path, or the limit of a take) */
static void walk_from(struct walk *wk, const char *start)
{
	const char *name;
	char *link = NULL;
	bool private;
	int dfd = open_parent(start, &name, &private, &link);

	buf_reset(&wk->path);
	buf_adds(&wk->path, start);
	if (dfd < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			warn_addf(wk->notes, start, "does not exist (yet): it shows up as added when it appears");
		} else if (errno == ELOOP && link) {
			struct buf b = BUF_INIT;
			add_shown(&b, link);
			warn_addf(wk->notes, start, "goes through the symlink %s, which is not followed: not watched",
				  buf_str(&b));
			buf_release(&b);
		} else {
			keep_path(wk, start);
			if (errno == EACCES || errno == EPERM)
				warn_addf(wk->skipped, start, "permission denied: not looked at");
			else
				warn_addf(wk->skipped, start, "%s", strerror(errno));
		}
		free(link);
		return;
	}
	wk->rvalid = false;
	wk->child_known = false;
	if (wk->w && watch_sensitive_name(wk->w, start))
		private = true;
	visit(wk, dfd, name, DT_UNKNOWN, private, true);
	close(dfd);
}

static void walk_init(struct walk *wk, struct journal *j, const struct watch_list *w, int mode)
{
	memset(wk, 0, sizeof *wk);
	wk->j = j;
	wk->w = w;
	wk->mode = mode;
	wk->start_ns = fs_clock_ns();
	wk->have_journal = stat(j->dir, &wk->journal_st) == 0;
	if (w) {
		patset_init(&wk->excludes, w->excludes, w->nexcludes);
		patset_init(&wk->sensitive, w->sensitive, w->nsensitive);
	}
}

static void walk_release(struct walk *wk)
{
	patset_free(&wk->excludes);
	patset_free(&wk->sensitive);
	index_free(&wk->idx);
	seen_free(&wk->seen);
	buf_release(&wk->path);
	buf_release(&wk->data);
	free(wk->stack);
	for (size_t i = 0; i < wk->nkept; i++)
		free(wk->kept[i]);
	free(wk->kept);
	for (size_t i = 0; i < wk->nchanges; i++) {
		free(wk->changes[i].path);
		fstate_release(&wk->changes[i].old);
		fstate_release(&wk->changes[i].new);
	}
	free(wk->changes);
	for (size_t i = 0; i < wk->nupdates; i++) {
		free(wk->updates[i].path);
		fstate_release(&wk->updates[i].st);
	}
	free(wk->updates);
}

/* walk every watched path, or only what lies under limit */
static void walk_all(struct walk *wk, const char *limit)
{
	const struct watch_list *w = wk->w;

	for (size_t i = 0; i < w->npaths && !wk->fatal; i++) {
		const char *root = w->paths[i];

		if (limit && !holds(limit, root)) {
			/* the limit inside this watched path: walked from there, unless a deeper one holds it */
			if (!holds(root, limit))
				continue;
			for (size_t k = i + 1; k < w->npaths; k++)
				if (holds(w->paths[k], limit))
					goto next;
			if (!watch_excluded(w, limit))
				walk_from(wk, limit);
			continue;
		}
		if (!match_excludes(w, root))
			walk_from(wk, root);
next:;
	}
}

static struct entry *find_in(struct entry *v, size_t n, const char *path)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid].path, path);
		if (c == 0)
			return &v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void add_dropped(char ***dropped, size_t *n, const char *hash)
{
	*dropped = xreallocarray(*dropped, *n + 1, sizeof **dropped);
	(*dropped)[(*n)++] = xstrdup(hash);
}

/*
 * Apply wk->updates to the index (type 0: drop the entry), drop the
 * entries drop() names, sync the new objects, write the index, then
 * remove the objects no entry names any more.  With the lock held.
 */
static int apply_and_write(struct walk *wk, bool (*drop)(struct walk *, const struct entry *))
{
	struct index *idx = &wk->idx;
	size_t n0 = idx->n, ndropped = 0, out = 0;
	char **dropped = NULL;
	int rc = 0;

	for (size_t i = 0; i < wk->nupdates; i++) {
		struct entry *u = &wk->updates[i];
		struct entry *e = find_in(idx->v, n0, u->path);

		if (e && e->path) {
			if (e->st.stored && (!u->st.stored || strcmp(e->st.hash, u->st.hash)))
				add_dropped(&dropped, &ndropped, e->st.hash);
			fstate_release(&e->st);
			e->st = u->st;
			u->st.target = NULL;
			e->matched = true;
			/* an entry to drop keeps its path until the sort below is done */
		} else if (u->st.type) {
			if (idx->n == idx->alloc) {
				idx->alloc = idx->alloc ? idx->alloc * 2 : 1024;
				idx->v = xreallocarray(idx->v, idx->alloc, sizeof *idx->v);
			}
			idx->v[idx->n].path = u->path;
			idx->v[idx->n].st = u->st;
			idx->v[idx->n].matched = true;
			idx->v[idx->n].owned = true;
			idx->n++;
			u->path = NULL;
			u->st.target = NULL;
		}
	}
	for (size_t i = 0; i < idx->n; i++) {
		struct entry *e = &idx->v[i];
		bool gone = !e->st.type || (drop && drop(wk, e));

		if (gone) {
			if (e->st.stored)
				add_dropped(&dropped, &ndropped, e->st.hash);
			entry_free(e);
			continue;
		}
		idx->v[out++] = *e;
	}
	idx->n = out;
	sort_array(idx->v, idx->n, sizeof *idx->v, cmp_entry);
	if (wk->objects_written)
		rc = objects_sync(wk->j);
	if (rc == 0)
		rc = index_write(wk->j, idx);
	if (rc == 0)
		objects_gc(wk->j, idx, dropped, ndropped);
	for (size_t i = 0; i < ndropped; i++)
		free(dropped[i]);
	free(dropped);
	return rc;
}

/* the per-thread parts of a copy of the scan's walk start empty */
static void walk_helper_init(struct walk *h, const struct walk *wk)
{
	*h = *wk;
	h->path = (struct buf)BUF_INIT;
	h->data = (struct buf)BUF_INIT;
	h->stack = NULL;
	h->depth = h->stack_alloc = 0;
	h->kept = NULL;
	h->nkept = 0;
	h->changes = NULL;
	h->nchanges = h->changes_alloc = 0;
	h->updates = NULL;
	h->nupdates = h->updates_alloc = 0;
	h->files = h->hashed = 0;
	h->objects_written = h->fatal = false;
	memset(&h->own_skipped, 0, sizeof h->own_skipped);
	memset(&h->own_notes, 0, sizeof h->own_notes);
	h->skipped = &h->own_skipped;
	h->notes = &h->own_notes;
}

static void append_msgs(struct store_warnings *to, struct store_warnings *from)
{
	if (from->n == 0)
		return;
	to->msgs = xreallocarray(to->msgs, to->n + from->n, sizeof *to->msgs);
	memcpy(to->msgs + to->n, from->msgs, from->n * sizeof *from->msgs);
	to->n += from->n;
	free(from->msgs);
	memset(from, 0, sizeof *from);
}

/* move what a helper found into the scan's walk, and free the helper's own parts */
static void walk_merge(struct walk *wk, struct walk *h)
{
	if (h->nchanges) {
		wk->changes = xreallocarray(wk->changes, wk->nchanges + h->nchanges, sizeof *wk->changes);
		memcpy(wk->changes + wk->nchanges, h->changes, h->nchanges * sizeof *h->changes);
		wk->nchanges += h->nchanges;
		wk->changes_alloc = wk->nchanges;
	}
	if (h->nupdates) {
		wk->updates = xreallocarray(wk->updates, wk->nupdates + h->nupdates, sizeof *wk->updates);
		memcpy(wk->updates + wk->nupdates, h->updates, h->nupdates * sizeof *h->updates);
		wk->nupdates += h->nupdates;
		wk->updates_alloc = wk->nupdates;
	}
	if (h->nkept) {
		wk->kept = xreallocarray(wk->kept, wk->nkept + h->nkept, sizeof *wk->kept);
		memcpy(wk->kept + wk->nkept, h->kept, h->nkept * sizeof *h->kept);
		wk->nkept += h->nkept;
	}
	append_msgs(wk->skipped, &h->own_skipped);
	append_msgs(wk->notes, &h->own_notes);
	wk->files += h->files;
	wk->hashed += h->hashed;
	free(h->changes);
	free(h->updates);
	free(h->kept);
	free(h->stack);
	buf_release(&h->path);
	buf_release(&h->data);
}

/* walk every watched path with one thread per CPU (see struct pool) */
static void walk_threads(struct walk *wk)
{
	size_t want = wk->idx.n / POOL_FILES_PER_THREAD;

	/* a thread for each POOL_FILES_PER_THREAD files of the baseline, like git's preload, and per CPU */
	if (want >= 2) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		if (ncpu >= 1 && want > (size_t)ncpu)
			want = (size_t)ncpu;
		if (want > POOL_THREADS_MAX)
			want = POOL_THREADS_MAX;
	}
	if (baseline_threads)
		want = baseline_threads < POOL_THREADS_MAX ? baseline_threads : POOL_THREADS_MAX;
	struct walk helpers[POOL_THREADS_MAX];
	pthread_t tids[POOL_THREADS_MAX];
	size_t started = 0;
	struct pool pool;

	if (want < 2) {
		walk_all(wk, NULL);
		return;
	}
	memset(&pool, 0, sizeof pool);
	pthread_mutex_init(&pool.mu, NULL);
	pthread_cond_init(&pool.cv, NULL);
	pool.max = 4 * want;
	pool.q = xcalloc(pool.max, sizeof *pool.q);
	pool.busy = 1;		/* this thread, walking the watched paths */
	wk->pool = &pool;
	for (size_t i = 0; i + 1 < want; i++) {
		walk_helper_init(&helpers[started], wk);
		if (pthread_create(&tids[started], NULL, pool_thread, &helpers[started]) != 0) {
			walk_merge(wk, &helpers[started]);
			break;
		}
		started++;
	}
	walk_all(wk, NULL);
	pthread_mutex_lock(&pool.mu);
	pool.busy--;
	pthread_cond_broadcast(&pool.cv);
	pthread_mutex_unlock(&pool.mu);
	pool_work(wk);
	for (size_t i = 0; i < started; i++) {
		pthread_join(tids[i], NULL);
		walk_merge(wk, &helpers[i]);
	}
	wk->pool = NULL;
	free(pool.q);
	pthread_cond_destroy(&pool.cv);
	pthread_mutex_destroy(&pool.mu);
}

static int cmp_msg(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- scan ---- */

static int cmp_change(const void *a, const void *b)
{
	return strcmp(((const struct change *)a)->path, ((const struct change *)b)->path);
}

static bool odd_name(const char *path)
{
	return strchr(path, '\n') || !utf8_valid(path, strlen(path));
}

static bool drop_orphan(struct walk *wk, const struct entry *e)
{
	return !watch_watched(wk->w, e->path);
}

int baseline_scan(struct journal *j, const struct watch_list *w, struct changes *out)
{
	struct walk wk;
	struct seen fresh = { 0 };
	bool seen_differs;
	int64_t now_us = day_now_us();

	memset(out, 0, sizeof *out);
	walk_init(&wk, j, w, WALK_SCAN);
	wk.skipped = &out->skipped;
	wk.notes = &out->notes;
	if (index_load(j, &wk.idx) < 0) {
		walk_release(&wk);
		return -1;
	}
	seen_load(j, &wk.seen);
	walk_threads(&wk);

	/* what the walk did not meet is deleted, unless unwatched or not looked at */
	for (size_t i = 0; i < wk.idx.n; i++) {
		struct entry *e = &wk.idx.v[i];
		if (e->matched || is_kept(&wk, e->path) || !watch_watched(w, e->path))
			continue;
		add_change(&wk, e->path, CH_DELETED, &e->st, NULL);
	}
	sort_array(wk.changes, wk.nchanges, sizeof *wk.changes, cmp_change);

	/* date the changes: a change seen before keeps its time */
	fresh.v = xcalloc(wk.nchanges + 1, sizeof *fresh.v);
	seen_differs = wk.nchanges != wk.seen.n;
	for (size_t i = 0; i < wk.nchanges; i++) {
		struct change *c = &wk.changes[i];
		struct seen_entry *s = seen_find(&wk.seen, c->path);
		struct seen_entry *f = &fresh.v[fresh.n++];

		if (s && same_change(s, c->what, &c->new)) {
			c->first_seen = s->first_seen;
			if (s->st.mtime_ns != c->new.mtime_ns || s->st.ctime_ns != c->new.ctime_ns ||
			    s->st.ino != c->new.ino || s->st.size != c->new.size)
				seen_differs = true;
		} else {
			c->first_seen = now_us;
			seen_differs = true;
		}
		f->path = c->path;
		f->first_seen = c->first_seen;
		f->what = c->what;
		f->st = c->new;
		f->st.target = NULL;
		if (odd_name(c->path))
			warn_addf(&out->notes, c->path, "%s: tracked; shown here with escapes",
				  strchr(c->path, '\n') ? "a name with a newline" : "a name that is not UTF-8");
	}

	/* the threads' order is not the paths': sort what was said */
	sort_array(out->skipped.msgs, out->skipped.n, sizeof *out->skipped.msgs, cmp_msg);
	sort_array(out->notes.msgs, out->notes.n, sizeof *out->notes.msgs, cmp_msg);

	/* keep what was learnt: refreshed stat data, the dates of the changes */
	if (wk.nupdates > 0 || seen_differs) {
		/* a scan only refreshes caches: it does not wait long for a writer */
		int lock = lock_baseline(j, SCAN_LOCK_WAIT_MS);
		unsigned long long gen;

		if (lock >= 0 && index_generation(j, &gen) == 0 && gen == wk.idx.generation) {
			if (wk.nupdates > 0)
				apply_and_write(&wk, drop_orphan);
			if (seen_differs)
				seen_write(j, &fresh);
		}
		unlock_baseline(lock);
	}
	free(fresh.v);

	out->v = wk.changes;
	out->n = wk.nchanges;
	out->files = wk.files;
	out->hashed = wk.hashed;
	wk.changes = NULL;
	wk.nchanges = 0;
	walk_release(&wk);
	return 0;
}

/* ---- take, rewatch ---- */

static bool drop_taken(struct walk *wk, const struct entry *e)
{
	if (wk->mode == WALK_TAKE) {
		if (!holds(wk->limit, e->path))
			return false;
		if (!watch_watched(wk->w, e->path))
			return true;
		return !e->matched && !is_kept(wk, e->path);
	}
	/* rewatch */
	if (!watch_watched(wk->w, e->path))
		return true;
	if (!watch_watched(wk->before, e->path))
		return !e->matched && !is_kept(wk, e->path);
	return false;
}

/* the pending changes of the paths a take or rewatch decided on are forgotten */
static int forget_seen(struct walk *wk)
{
	size_t out = 0;
	bool changed = false;

	for (size_t i = 0; i < wk->seen.n; i++) {
		struct seen_entry *s = &wk->seen.v[i];
		bool forget;

		if (wk->mode == WALK_TAKE)
			forget = holds(wk->limit, s->path);
		else
			forget = !watch_watched(wk->w, s->path) || !watch_watched(wk->before, s->path);
		if (forget) {
			free(s->path);
			changed = true;
			continue;
		}
		wk->seen.v[out++] = *s;
	}
	wk->seen.n = out;
	return changed ? seen_write(wk->j, &wk->seen) : 0;
}

static int take(struct journal *j, const struct watch_list *w, const struct watch_list *before,
		const char *limit, struct store_warnings *skipped, size_t *taken)
{
	struct walk wk;
	int lock, rc = -1;

	walk_init(&wk, j, w, before ? WALK_REWATCH : WALK_TAKE);
	wk.before = before;
	wk.limit = limit;
	wk.skipped = skipped;
	lock = lock_baseline(j, baseline_lock_timeout * 1000);
	if (lock < 0)
		goto out;
	if (index_load(j, &wk.idx) < 0)
		goto out;
	seen_load(j, &wk.seen);
	walk_all(&wk, limit);
	if (wk.fatal)
		goto out;
	if (taken)
		*taken = wk.nupdates;
	if (apply_and_write(&wk, drop_taken) < 0 || forget_seen(&wk) < 0)
		goto out;
	rc = 0;
out:
	unlock_baseline(lock);
	walk_release(&wk);
	return rc;
}

int baseline_take(struct journal *j, const struct watch_list *w, const char *path)
{
	char *norm = watch_normalize(path);
	int rc;

	if (!norm) {
		errprefix("%s", path);
		return -1;
	}
	rc = take(j, w, NULL, norm, NULL, NULL);
	free(norm);
	return rc;
}

int baseline_rewatch(struct journal *j, const struct watch_list *before, const struct watch_list *after,
		     struct store_warnings *skipped, size_t *taken)
{
	if (taken)
		*taken = 0;
	return take(j, after, before, NULL, skipped, taken);
}

/* ---- accept ---- */

/*
 * The state of path now, read with the walk's rules, for accept: CAP_OK
 * with its content stored when it may be kept.
 */
static int capture_path(struct walk *wk, const char *path, bool was_sensitive, struct fstate *out)
{
	const char *name;
	bool private;
	struct stat st;
	int dfd = open_parent(path, &name, &private, NULL), rc;

	if (dfd < 0)
		return CAP_ABSENT;
	buf_reset(&wk->path);
	buf_adds(&wk->path, path);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
		close(dfd);
		return CAP_ABSENT;
	}
	rc = capture(wk, dfd, name, &st, private || was_sensitive, true, out);
	close(dfd);
	return rc;
}

static bool object_exists(struct journal *j, const char *hash)
{
	char *rel = object_rel(hash);
	char *path;
	bool ok;

	if (!rel)
		return false;
	path = journal_path(j, rel);
	ok = fs_exists(path);

	free(path);
	free(rel);
	return ok;
}

int baseline_accept(struct journal *j, const struct change *const *which, size_t n)
{
	struct walk wk;
	int lock, rc = -1;

	walk_init(&wk, j, NULL, WALK_ACCEPT);
	lock = lock_baseline(j, baseline_lock_timeout * 1000);
	if (lock < 0)
		goto out;
	if (index_load(j, &wk.idx) < 0)
		goto out;
	seen_load(j, &wk.seen);
	for (size_t i = 0; i < n; i++) {
		const struct change *c = which[i];
		struct fstate now;
		struct seen_entry *s;

		if (!c->new.type) {
			add_update(&wk, c->path, NULL);
		} else {
			int cap = capture_path(&wk, c->path, c->new.sensitive, &now);

			if (cap == CAP_FATAL)
				goto out;
			if (cap == CAP_OK && now.type == c->new.type && !strcmp(now.hash, c->new.hash) &&
			    now.mode == c->new.mode && now.uid == c->new.uid && now.gid == c->new.gid) {
				add_update(&wk, c->path, &now);
			} else {
				/* changed again since the scan: the baseline is what the scan saw */
				struct fstate saw;
				fstate_copy(&saw, &c->new);
				saw.stale = true;
				saw.stored = saw.type == 'f' && !saw.sensitive && object_exists(j, saw.hash);
				add_update(&wk, c->path, &saw);
				fstate_release(&saw);
			}
			if (cap == CAP_OK)
				fstate_release(&now);
		}
		s = seen_find(&wk.seen, c->path);
		if (s)
			s->what = 0;	/* forgotten below */
	}
	if (apply_and_write(&wk, NULL) < 0)
		goto out;
	{
		size_t out_n = 0;
		bool changed = false;
		for (size_t i = 0; i < wk.seen.n; i++) {
			if (wk.seen.v[i].what == 0) {
				free(wk.seen.v[i].path);
				changed = true;
				continue;
			}
			wk.seen.v[out_n++] = wk.seen.v[i];
		}
		wk.seen.n = out_n;
		if (changed && seen_write(j, &wk.seen) < 0)
			goto out;
	}
	rc = 0;
out:
	unlock_baseline(lock);
	walk_release(&wk);
	return rc;
}

/* ---- contents ---- */

static int read_verified(int fd, size_t max, const char *want, const char *what, struct buf *out)
{
	char hash[65];
	size_t start = out->len;

	if (fs_read_fd(fd, out, max) < 0) {
		if (errno == EFBIG)
			errset("%s: larger than %zu bytes", what, max);
		else
			errset_sys("%s", what);
		buf_truncate(out, start);
		return -1;
	}
	hash_bytes(out->data ? out->data + start : "", out->len - start, hash);
	if (strcmp(hash, want)) {
		buf_truncate(out, start);
		return 1;
	}
	return 0;
}

int baseline_old_content(struct journal *j, const struct change *c, struct buf *out)
{
	char *rel, *path, *where = shown(c->path);
	int fd, rc = -1;

	if (c->old.type != 'f') {
		errset("%s: %s", where, c->old.type ? "not a regular file" : "no old version");
		goto out0;
	}
	if (c->old.sensitive || c->new.sensitive) {
		errset("%s: sensitive: tracked by hash only", where);
		goto out0;
	}
	if (!c->old.stored) {
		errset("%s: the old content was not kept%s", where,
		       c->old.size > BASELINE_STORE_MAX ? " (larger than 64 MiB)" : "");
		goto out0;
	}
	rel = object_rel(c->old.hash);
	if (!rel) {
		errset("%s: the old content: a damaged hash in the baseline's index", where);
		goto out0;
	}
	path = journal_path(j, rel);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		errset_sys("%s: the old content: %s", where, path);
	} else {
		int v = read_verified(fd, 0, c->old.hash, path, out);
		if (v > 0)
			errset("%s: the old content: %s is damaged (its hash differs)", where, path);
		rc = v == 0 ? 0 : -1;
		close(fd);
	}
	free(path);
	free(rel);
out0:
	free(where);
	return rc;
}

int baseline_new_content(const struct change *c, size_t max, struct buf *out)
{
	char *where = shown(c->path);
	const char *name;
	bool private;
	struct stat st;
	int dfd = -1, fd = -1, rc = -1;

	if (c->new.type != 'f') {
		errset("%s: %s", where, c->new.type ? "not a regular file" : "deleted");
		goto out;
	}
	if (c->old.sensitive || c->new.sensitive) {
		errset("%s: sensitive: tracked by hash only", where);
		goto out;
	}
	if (max && c->new.size > (off_t)max) {
		errset("%s: larger than %zu bytes", where, max);
		goto out;
	}
	dfd = open_parent(c->path, &name, &private, NULL);
	if (dfd < 0) {
		errset_sys("%s", where);
		goto out;
	}
	fd = open_regular(dfd, name, &st);
	if (fd < 0) {
		if (errno == ENODEV)
			errset("%s: changed since the scan (scan again)", where);
		else
			errset_sys("%s", where);
		goto out;
	}
	if (private || mode_private(&st)) {
		errset("%s: changed since the scan (scan again)", where);
		goto out;
	}
	rc = read_verified(fd, max, c->new.hash, where, out);
	if (rc > 0) {
		errset("%s: changed since the scan (scan again)", where);
		rc = -1;
	}
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	free(where);
	return rc;
}

long baseline_count(struct journal *j, const char *path)
{
	struct index idx;
	long n = 0;

	if (index_load(j, &idx) < 0)
		return -1;
	for (size_t i = 0; i < idx.n; i++)
		if (holds(path, idx.v[i].path))
			n++;
	index_free(&idx);
	return n;
}

void changes_free(struct changes *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].path);
		fstate_release(&c->v[i].old);
		fstate_release(&c->v[i].new);
	}
	free(c->v);
	store_warnings_free(&c->skipped);
	store_warnings_free(&c->notes);
	memset(c, 0, sizeof *c);
}
