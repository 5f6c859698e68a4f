/*
 * baseline-object: the content-addressed objects under
 * .state/baseline/objects/<2 hex>/<62 hex>, and the SHA-256 in hex that
 * names them.
 *
 * An object keeps a world-readable file's content as redact_file leaves
 * it (docs/redaction.md): the secrets of a file others may read are not
 * copied into .state/.  Its name stays the SHA-256 of the file's real
 * content, the hash the index compares, so the baseline's answer to
 * "did this file change?" does not depend on redaction.  An object whose
 * content had nothing to redact is that content, byte for byte; one that
 * had is
 *
 *   logbook-redacted 1 <SHA-256 of the rest, 64 hex>\n
 *   <line tags, or "-" without a key>\n
 *   <the redacted content>
 *
 * so that a damaged object is still told from a whole one.  The old side
 * of a diff is read from here: redacted already, and redacting it again
 * changes nothing.  The line tags (baseline.h) say which value each
 * redacted line held, keyed, so that a diff still shows a line whose
 * secret changed.
 *
 * Invariants:
 *  - an object's name is the hash of its (real) content: it is written once,
 *    under a temporary name renamed into place, so the name never shows a
 *    part;
 *  - objects reach the disk (baseline_objects_sync) before an index names them;
 *  - an object is removed only when no entry of the index written last
 *    names it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* the one-shot SHA-256 without EVP's start-up cost (see record.c) */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <sys/random.h>

#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "files/baseline-int.h"
#include "files/baseline.h"
#include "base/banned.h"

void baseline_hex_of(const unsigned char *md, char out[65])
{
	static const char hex[] = "0123456789abcdef";

	for (unsigned i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

void baseline_hash_bytes(const char *data, size_t len, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)data, len, md);
	baseline_hex_of(md, out);
}

bool baseline_is_hex64(const char *s, size_t len)
{
	if (len != 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* ---- objects ---- */

#define OBJECT_REDACTED "logbook-redacted 1"

/* the object's path in the journal; NULL when hash is not 64 hex digits (a damaged index) */
char *baseline_object_rel(const char *hash)
{
	if (!baseline_is_hex64(hash, strlen(hash)))
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
 * Write the content of hash unless an object of that size is there,
 * through fs_write_atomic: to "<object>.lock", then renamed, so the name
 * never shows a part.  Objects are written only under the baseline's
 * lock, so a lock file found there is a dead writer's and is removed.
 * Not synced here: the caller syncs the file system before the index
 * names the object.  *written: a new object was made.
 */
int baseline_object_write(struct journal *j, const struct redactor *red, const unsigned char *key, const char *file,
			  const char *hash, const char *data, size_t len, bool *written)
{
	char *rel = baseline_object_rel(hash);	/* a hash this process computed */
	char *path = journal_path(j, rel);
	struct buf body = BUF_INIT, obj = BUF_INIT;
	struct stat st;
	int rc = 0;

	if (redact_file(red, file, data, len, &body) > 0) {
		char sum[65];
		size_t start = sizeof OBJECT_REDACTED + 65;	/* "<tag> <sum>\n" */
		buf_addf(&obj, "%s %64s\n", OBJECT_REDACTED, "");
		if (key)
			baseline_line_tags(key, data, len, body.data, body.len, &obj);
		else
			buf_addc(&obj, '-');
		buf_addc(&obj, '\n');
		buf_add(&obj, body.data, body.len);
		baseline_hash_bytes(obj.data + start, obj.len - start, sum);
		memcpy(obj.data + sizeof OBJECT_REDACTED, sum, 64);
		data = obj.data;
		len = obj.len;
	}
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len)
		goto out;
	rc = object_dir(j, hash);
	if (rc == 0)
		rc = fs_write_atomic_below(j->dir, rel, data, len, journal_file_mode(j),
					   FS_ATOMIC_BREAK_LOCK | FS_ATOMIC_NO_SYNC);
	if (rc == 0)
		*written = true;
out:
	buf_release(&body);
	buf_release(&obj);
	free(path);
	free(rel);
	return rc;
}

/*
 * Read the object named hash from fd into out: the content when the
 * object is it, the redacted content when the object is the redacted
 * form.  0; 1 when the object is damaged (neither); -1 with errset()
 * when it cannot be read (what names it).
 */
int baseline_object_read(int fd, const char *hash, const char *what, struct buf *out, struct buf *tags)
{
	size_t start = out->len, hl = sizeof OBJECT_REDACTED + 65;	/* "<tag> <hex>\n" */
	char sum[65];
	const char *d;
	size_t nl;

	if (fs_read_fd(fd, out, 0) < 0) {
		errset_sys("%s", what);
		buf_truncate(out, start);
		return -1;
	}
	d = out->data ? out->data + start : "";
	baseline_hash_bytes(d, out->len - start, sum);
	if (!strcmp(sum, hash))
		return 0;
	if (out->len - start >= hl && !memcmp(d, OBJECT_REDACTED " ", sizeof OBJECT_REDACTED) && d[hl - 1] == '\n') {
		baseline_hash_bytes(d + hl, out->len - start - hl, sum);
		nl = hl;
		while (nl < out->len - start && d[nl] != '\n')
			nl++;
		if (!memcmp(sum, d + sizeof OBJECT_REDACTED, 64) && nl < out->len - start) {
			if (tags)
				buf_add(tags, d + hl, nl - hl);
			nl++;
			memmove(out->data + start, d + nl, out->len - start - nl);
			buf_truncate(out, out->len - nl);
			return 0;
		}
	}
	buf_truncate(out, start);
	return 1;
}

/* the objects written so far reach the disk before an index names them */
int baseline_objects_sync(struct journal *j)
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
void baseline_objects_gc(struct journal *j, const struct index *idx, char **dropped, size_t ndropped)
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
			char *rel = baseline_object_rel(dropped[i]);
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

/* ---- line tags ---- */

#define TAG_KEY "tag-key"

/* a fresh key, linked into place only if there is none: two first
 * writers agree on the one that got there first */
static void make_tag_key(struct journal *j)
{
	unsigned char fresh[BASELINE_TAG_KEY_LEN];
	char tmp[64], *shown = journal_path(j, BASELINE_DIR);
	int dfd = fs_dir_below(j->dir, BASELINE_DIR, 0, 0), fd = -1;

	snprintf(tmp, sizeof tmp, TAG_KEY ".%ld", (long)getpid());
	if (dfd >= 0 && getrandom(fresh, sizeof fresh, 0) == (ssize_t)sizeof fresh &&
	    (fd = fs_openat_checked(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600, 0, shown)) >= 0) {
		/* EEXIST: another's came first; any other failure leaves no key, and the caller no tags */
		if (fs_write_all(fd, fresh, sizeof fresh) == 0 && fsync(fd) == 0 &&
		    linkat(dfd, tmp, dfd, TAG_KEY, 0) < 0 && errno != EEXIST)
			warn_msg("%s/" TAG_KEY ": %s (diffs will not show which secret lines changed)", shown,
				 strerror(errno));
		close(fd);
		unlinkat(dfd, tmp, 0);
	}
	explicit_bzero(fresh, sizeof fresh);
	if (dfd >= 0)
		close(dfd);
	free(shown);
}

int baseline_tag_key(struct journal *j, bool create, unsigned char key[BASELINE_TAG_KEY_LEN])
{
	int fd = fs_open_below(j->dir, BASELINE_DIR "/" TAG_KEY, O_RDONLY | O_CLOEXEC, 0, 0);
	struct stat st;
	ssize_t n = -1;

	if (fd < 0 && errno == ENOENT && create) {
		make_tag_key(j);
		fd = fs_open_below(j->dir, BASELINE_DIR "/" TAG_KEY, O_RDONLY | O_CLOEXEC, 0, 0);
	}
	if (fd < 0)
		return -1;
	/* a key others could read (or made) would let them test guesses */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 077) &&
	    st.st_size == BASELINE_TAG_KEY_LEN)
		n = read(fd, key, BASELINE_TAG_KEY_LEN);
	close(fd);
	return n == BASELINE_TAG_KEY_LEN ? 0 : -1;
}

void baseline_line_tags(const unsigned char *key, const char *raw, size_t raw_len, const char *red, size_t red_len,
			struct buf *out)
{
	size_t a = 0, b = 0;

	buf_addc(out, 't');
	for (size_t line = 0; a < raw_len && b < red_len; line++) {
		const char *ae = memchr(raw + a, '\n', raw_len - a), *be = memchr(red + b, '\n', red_len - b);
		size_t al = ae ? (size_t)(ae - raw) - a : raw_len - a, bl = be ? (size_t)(be - red) - b : red_len - b;
		if (al != bl || memcmp(raw + a, red + b, al)) {
			unsigned char md[EVP_MAX_MD_SIZE];
			unsigned int mdlen = 0;
			HMAC(EVP_sha256(), key, BASELINE_TAG_KEY_LEN, (const unsigned char *)raw + a, al, md, &mdlen);
			buf_addf(out, " %zu:", line);
			for (int i = 0; i < BASELINE_TAG_HEX / 2; i++)
				buf_addf(out, "%02x", md[i]);
		}
		a += al + 1;
		b += bl + 1;
	}
}

void baseline_tagged_text(const char *red, size_t len, const char *tags, char sep, struct buf *out)
{
	const char *p = *tags == 't' ? tags + 1 : "";
	size_t want = SIZE_MAX, line = 0;

	for (size_t i = 0; i <= len; line++) {
		const char *nl = memchr(red + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - red) : len;
		if (want == SIZE_MAX && p[0] == ' ' && p[1] >= '0' && p[1] <= '9') {
			char *end;
			want = strtoul(p + 1, &end, 10);
			p = end;
			if (*p != ':' || strspn(p + 1, "0123456789abcdef") < BASELINE_TAG_HEX || want < line)
				want = SIZE_MAX, p = "";
		}
		buf_add(out, red + i, e - i);
		if (want == line && i < len) {
			buf_addc(out, sep);
			buf_add(out, p + 1, BASELINE_TAG_HEX);
			p += 1 + BASELINE_TAG_HEX;
			want = SIZE_MAX;
		}
		if (!nl)
			break;
		buf_addc(out, '\n');
		i = e + 1;
	}
}

bool baseline_object_exists(struct journal *j, const char *hash)
{
	char *rel = baseline_object_rel(hash);
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
