/*
 * baseline-state: the two files a scan keeps beside the objects, index
 * (the accepted state of every tracked path, with its stat cache) and
 * seen (when each pending change was first seen), and the lock every
 * writer of them holds.  Their formats are in baseline.h.
 *
 * Invariants:
 *  - both files are written whole, through fs_write_atomic, by a writer
 *    that holds .state/baseline/lock: a reader sees the old or the new
 *    file, never a part;
 *  - a file of another version is never rewritten: reading it fails;
 *  - the index is read in place: its entries' paths point into the text
 *    of the file, cut into C strings, unless they held escapes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/hex.h"
#include "base/xalloc.h"
#include "files/baseline-int.h"
#include "files/baseline.h"
#include "base/banned.h"

#define INDEX_MAGIC "logbook-baseline-index"
#define SEEN_MAGIC "logbook-baseline-seen"
#define FORMAT_VERSION 1

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
		if (i + 3 >= len || s[i + 1] != 'x' || (hi = hex_digit(s[i + 2])) < 0 ||
		    (lo = hex_digit(s[i + 3])) < 0 || hi * 16 + lo == 0) {
			free(out);
			return NULL;
		}
		out[n++] = (char)(hi * 16 + lo);
		i += 3;
	}
	out[n] = '\0';
	return out;
}

/* ---- the index ---- */

void baseline_entry_free(struct entry *e)
{
	if (e->owned)
		free(e->path);
	e->path = NULL;
	fstate_release(&e->st);
}

void baseline_index_free(struct index *idx)
{
	for (size_t i = 0; i < idx->n; i++)
		baseline_entry_free(&idx->v[i]);
	free(idx->v);
	free(idx->text);
	memset(idx, 0, sizeof *idx);
}

int baseline_cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

/* bsearch with a path as the key */
static int cmp_key_entry(const void *key, const void *e)
{
	return strcmp((const char *)key, ((const struct entry *)e)->path);
}

struct entry *baseline_index_find(const struct index *idx, const char *path)
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
	/* hex digits are checked where a hash names a file (baseline_object_rel), not on every line */
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
			baseline_entry_free(e);
			return -1;
		}
	}
	if (s->type == 'l' && !s->sensitive && !s->target) {
		baseline_entry_free(e);
		return -1;
	}
	if (!e->owned)
		e->path[path_len] = '\0';	/* after the fields that followed were read */
	return 0;
}

/* load the index; a missing one is an empty baseline */
int baseline_index_load(struct journal *j, struct index *idx)
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
		int fd = fs_open_below(j->dir, BASELINE_DIR "/index", O_RDONLY, 0, FS_BELOW_ANY_OWNER);
		struct stat st;
		if (fd < 0) {
			if (errno == ENOENT)
				rc = 0;
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
		sort_array(idx->v, idx->n, sizeof *idx->v, baseline_cmp_entry);
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
		baseline_index_free(idx);
	buf_release(&b);
	free(path);
	return rc;
}

/* the generation in the index file now (0 when there is none); -1 when unreadable */
int baseline_index_generation(struct journal *j, unsigned long long *gen)
{
	char *path = state_path(j, "index");
	char head[256];
	int fd = fs_open_below(j->dir, BASELINE_DIR "/index", O_RDONLY, 0, FS_BELOW_ANY_OWNER), rc = -1;
	ssize_t n;

	*gen = 0;
	if (fd < 0) {
		rc = errno == ENOENT ? 0 : -1;
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

/* written whole; a lock file left by a writer that died is removed (we hold the flock) */
static int write_state_file(struct journal *j, const char *name, const struct buf *b)
{
	char *rel = xasprintf("%s/%s", BASELINE_DIR, name);
	int rc = fs_write_atomic_below(j->dir, rel, buf_str(b), b->len, journal_file_mode(j), FS_ATOMIC_BREAK_LOCK);

	free(rel);
	return rc;
}

int baseline_index_write(struct journal *j, struct index *idx)
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

void baseline_seen_free(struct seen *s)
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

struct seen_entry *baseline_seen_find(const struct seen *s, const char *path)
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
	else if (baseline_is_hex64(f, flen)) {
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
void baseline_seen_load(struct journal *j, struct seen *s)
{
	char *path = state_path(j, "seen");
	struct buf b = BUF_INIT;
	const char *p, *end, *nl;
	size_t alloc = 0;

	memset(s, 0, sizeof *s);
	if (fs_read_regular(path, &b) < 0)
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

int baseline_seen_write(struct journal *j, const struct seen *s)
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
bool baseline_same_change(const struct seen_entry *e, unsigned what, const struct fstate *n)
{
	return e->what == what && e->st.type == n->type && e->st.mode == n->mode && e->st.uid == n->uid &&
	       e->st.gid == n->gid && !strcmp(e->st.hash, n->hash);
}

/* ---- the lock ---- */

/* flock .state/baseline/lock, waiting up to wait_ms; the descriptor, or -1 */
int baseline_lock(struct journal *j, unsigned wait_ms)
{
	char *path;
	int fd;
	unsigned waited_ms = 0;

	if (journal_mkdirs(j, BASELINE_DIR) < 0)
		return -1;
	path = state_path(j, "lock");
	fd = fs_open_below(j->dir, BASELINE_DIR "/lock", O_RDWR | O_CREAT, journal_file_mode(j), FS_BELOW_ANY_OWNER);
	if (fd < 0) {
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

void baseline_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
