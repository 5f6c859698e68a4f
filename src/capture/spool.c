/*
 * spool: the format hooked shells write, its header, and its parser.
 *
 * The parser is written by hand because the format is ours and tiny (a
 * kind letter, NUL-ended fields, a newline); what makes it delicate is
 * damage: a spool may be torn by a full disk or a killed shell, or edited
 * by hand, and none of that may hide a neighbouring record.  So every
 * field is checked as strictly as its kind allows, and after damage the
 * parser resumes only where a whole valid record parses.  It is fuzzed
 * (tests/fuzz/fuzz-spool.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/boot.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "capture/spool.h"
#include "base/banned.h"

/* the longest field other than a command: a path (PATH_MAX) with room to spare */
#define FIELD_MAX 65536
#define NUMBER_MAX 19

enum field_type {
	F_TEXT,		/* any bytes but NUL, any length (the command) */
	F_SHORT,	/* any bytes but NUL, at most FIELD_MAX */
	F_NAME,		/* non-empty, no control characters, at most 256 */
	F_NUMBER,	/* decimal digits, non-empty */
	F_NUMBER_OPT,	/* decimal digits or empty */
	F_VERSION,	/* SPOOL_VERSION */
};

struct kind {
	char letter;
	size_t nfields;
	enum field_type types[SPOOL_MAX_FIELDS];
};

static const struct kind kinds[] = {
	{ 'H', 11, { F_VERSION, F_NAME, F_NAME, F_NAME, F_SHORT, F_NAME, F_SHORT, F_SHORT, F_SHORT,
		     F_NUMBER, F_SHORT } },
	{ 'P', 1, { F_NUMBER } },
	{ 'B', 4, { F_NUMBER, F_NUMBER, F_SHORT, F_TEXT } },
	{ 'C', 6, { F_NUMBER, F_NUMBER_OPT, F_NUMBER, F_NUMBER, F_SHORT, F_TEXT } },
	{ 'X', 2, { F_NUMBER, F_NUMBER } },
};

static const struct kind *kind_of(char c)
{
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (kinds[i].letter == c)
			return &kinds[i];
	return NULL;
}

/* the bytes seen so far of a field can still become a valid one */
static bool field_ok(enum field_type type, const char *s, size_t n, bool complete)
{
	switch (type) {
	case F_TEXT:
		return true;
	case F_SHORT:
		return n <= FIELD_MAX;
	case F_NAME:
		if (n > 256 || (complete && n == 0))
			return false;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				return false;
		return true;
	case F_NUMBER:
	case F_NUMBER_OPT:
		if (n > NUMBER_MAX || (complete && n == 0 && type == F_NUMBER))
			return false;
		for (size_t i = 0; i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				return false;
		return true;
	case F_VERSION:
		return n <= strlen(SPOOL_VERSION) && !memcmp(s, SPOOL_VERSION, n) &&
		       (!complete || n == strlen(SPOOL_VERSION));
	}
	return false;
}

/* try the record at data[p]: its kind's fields in order, then a newline */
static enum spool_step parse_at(const char *data, size_t len, size_t p, bool at_eof, struct spool_rec *rec)
{
	const struct kind *k = kind_of(data[p]);
	size_t q = p + 1;

	if (!k) {
		errset("unknown record kind 0x%02x", (unsigned char)data[p]);
		return SPOOL_DAMAGED;
	}
	if (q >= len)
		goto more;
	if (data[q] != '\0') {
		errset("no field separator after the record kind '%c'", k->letter);
		return SPOOL_DAMAGED;
	}
	q++;
	memset(rec, 0, sizeof *rec);
	rec->kind = k->letter;
	for (size_t i = 0; i < k->nfields; i++) {
		const char *nul = q < len ? memchr(data + q, '\0', len - q) : NULL;
		size_t n = nul ? (size_t)(nul - (data + q)) : len - q;

		if (!field_ok(k->types[i], data + q, n, nul != NULL)) {
			errset("bad field %zu of a '%c' record", i + 1, k->letter);
			return SPOOL_DAMAGED;
		}
		if (!nul)
			goto more;
		rec->field[i] = data + q;
		rec->len[i] = n;
		q += n + 1;
	}
	if (q >= len)
		goto more;
	if (data[q] != '\n') {
		errset("a '%c' record has more than %zu fields", k->letter, k->nfields);
		return SPOOL_DAMAGED;
	}
	rec->nfields = k->nfields;
	rec->offset = (uint64_t)p;
	rec->end = (uint64_t)q + 1;
	return SPOOL_RECORD;
more:
	if (at_eof) {
		errset("unfinished '%c' record (torn)", k->letter);
		return SPOOL_DAMAGED;
	}
	return SPOOL_MORE;
}

/* where a record can start again after damage at p, or len when nowhere yet */
static size_t resync(const char *data, size_t len, size_t p, bool at_eof)
{
	struct spool_rec scratch;

	for (size_t c = p + 1; c < len; c++) {
		if (data[c - 1] != '\n' || !kind_of(data[c]))
			continue;
		if (parse_at(data, len, c, at_eof, &scratch) != SPOOL_DAMAGED)
			return c;
	}
	return len;
}

enum spool_step spool_next(const char *data, size_t len, size_t *pos, uint64_t base, bool at_eof,
			   struct spool_rec *rec)
{
	size_t p = *pos;
	enum spool_step step;
	char why[256];

	if (p >= len)
		return SPOOL_MORE;
	/* newlines the hooks write before a record after a failed write are not damage */
	if (data[p] == '\n') {
		size_t q = p;
		while (q < len && data[q] == '\n')
			q++;
		if (q == len) {
			if (at_eof)
				*pos = len;
			return SPOOL_MORE;
		}
		if (kind_of(data[q]))
			p = q;
	}
	step = parse_at(data, len, p, at_eof, rec);
	if (step == SPOOL_RECORD) {
		rec->offset += base;
		rec->end += base;
		*pos = (size_t)(rec->end - base);
		return SPOOL_RECORD;
	}
	if (step == SPOOL_MORE)
		return SPOOL_MORE;

	snprintf(why, sizeof why, "%s", errget());
	{
		size_t next = resync(data, len, p, at_eof);
		if (next == len && !at_eof) {
			/* the damage may go on in bytes not read yet: report what is surely damaged */
			const char *nl = NULL;
			for (size_t i = len; i > p + 1; i--) {
				if (data[i - 1] == '\n') {
					nl = data + i;
					break;
				}
			}
			if (!nl)
				return SPOOL_MORE;
			next = (size_t)(nl - data);
		}
		memset(rec, 0, sizeof *rec);
		rec->offset = base + p;
		rec->end = base + next;
		*pos = next;
	}
	errset("%s", why);
	return SPOOL_DAMAGED;
}

bool spool_field_int(const struct spool_rec *rec, size_t i, int64_t *v)
{
	int64_t n = 0;

	if (i >= rec->nfields || rec->len[i] == 0 || rec->len[i] > NUMBER_MAX - 1)
		return false;
	for (size_t k = 0; k < rec->len[i]; k++) {
		if (rec->field[i][k] < '0' || rec->field[i][k] > '9')
			return false;
		n = n * 10 + (rec->field[i][k] - '0');
	}
	*v = n;
	return true;
}

char *spool_account_path(const struct journal *j, uid_t uid)
{
	char *rel = xasprintf(SPOOL_DIR "/%lu", (unsigned long)uid);
	char *path = journal_path(j, rel);

	free(rel);
	return path;
}

char *spool_path(const struct journal *j, uid_t uid, const char *session, const char *ext)
{
	char *rel = xasprintf(SPOOL_DIR "/%lu/%s.%s", (unsigned long)uid, session, ext);
	char *path = journal_path(j, rel);

	free(rel);
	return path;
}

/* refuse what is at path: errno EEXIST says "there, but not fit" */
static int refuse(const char *path, const char *why)
{
	errset("%s: %s", path, why);
	errno = EEXIST;
	return -1;
}

int spool_dir_open(const struct journal *j, bool create)
{
	char *spool = journal_path(j, SPOOL_DIR);
	/* one level at a time, never through a link; made with the journal's group mode */
	unsigned how = create ? FS_BELOW_MKDIRS | (j->shared ? FS_BELOW_CHMOD : 0) : 0;
	int fd = fs_dir_below(j->dir, SPOOL_DIR, how, journal_dir_mode(j));
	struct stat st;

	if (fd < 0)
		goto out;
	if (fstat(fd, &st) < 0) {
		errset_sys("%s", spool);
		close(fd);
		fd = -1;
		goto out;
	}
	/* every account makes its own directory here; none may move another's */
	if (!(st.st_mode & S_ISVTX) && st.st_uid == geteuid() && fchmod(fd, (st.st_mode & 07777) | S_ISVTX) < 0) {
		errset_sys("%s", spool);
		close(fd);
		fd = -1;
	} else if (!(st.st_mode & S_ISVTX) && (st.st_mode & 022) && st.st_uid != 0 && st.st_uid != geteuid()) {
		close(fd);
		fd = refuse(spool, "others may write it and it is not sticky: they could move a spool away");
	}
out:
	free(spool);
	return fd;
}

int spool_account_open(int spool_dir, const char *path, uid_t uid, bool create)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct stat st;
	int fd;

	fd = openat(spool_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(spool_dir, name, 0700) < 0 && errno != EEXIST) {
			errset_sys("%s", path);
			return -1;
		}
		fd = openat(spool_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			return refuse(path, "a symlink or not a directory, not an account's spool directory");
		errset_sys("%s", path);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		errset_sys("%s", path);
		close(fd);
		return -1;
	}
	if (st.st_uid != uid) {
		char why[128];
		snprintf(why, sizeof why, "owned by uid %lu, not by the account it is for (uid %lu)",
			 (unsigned long)st.st_uid, (unsigned long)uid);
		close(fd);
		return refuse(path, why);
	}
	if (st.st_mode & 077) {
		char why[128];
		snprintf(why, sizeof why, "mode %04o lets others in (want 0700)", (unsigned)(st.st_mode & 07777));
		close(fd);
		return refuse(path, why);
	}
	return fd;
}

static int create_file(int dirfd, const char *path, const void *data, size_t len)
{
	const char *name = strrchr(path, '/') + 1;
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0) {
		errset_sys("%s", path);
		return -1;
	}
	if (fs_write_all(fd, data, len) < 0 || close(fd) < 0) {
		errset_sys("%s", path);
		unlinkat(dirfd, name, 0);
		return -1;
	}
	return 0;
}

static void add_field(struct buf *b, const char *s)
{
	buf_adds(b, s ? s : "");
	buf_addc(b, '\0');
}

int spool_create(const struct journal *j, const struct ident *id, const char *shell, int64_t start_us)
{
	struct buf head = BUF_INIT;
	char *spool = NULL, *last = NULL, *acct_path = NULL, *tty = ttyname(0), *ssh = NULL;
	const char *conn = getenv("SSH_CONNECTION");
	int rc = -1, dir = -1, acct = -1, saved;

	if (conn && *conn)
		ssh = xstrndup(conn, strcspn(conn, " "));

	buf_adds(&head, "H");
	buf_addc(&head, '\0');
	add_field(&head, SPOOL_VERSION);
	add_field(&head, id->session);
	add_field(&head, id->host);
	add_field(&head, id->admin);
	add_field(&head, id->admin_source);
	add_field(&head, id->account);
	add_field(&head, tty);
	add_field(&head, ssh);
	add_field(&head, shell);
	buf_addf(&head, "%lld", (long long)start_us);
	buf_addc(&head, '\0');
	add_field(&head, boot_id());
	buf_addc(&head, '\n');

	dir = spool_dir_open(j, true);
	if (dir < 0)
		goto out;
	acct_path = spool_account_path(j, geteuid());
	acct = spool_account_open(dir, acct_path, geteuid(), true);
	if (acct < 0)
		goto out;
	spool = spool_path(j, geteuid(), id->session, "spool");
	last = spool_path(j, geteuid(), id->session, "last");
	if (create_file(acct, last, "", 0) < 0)
		goto out;
	if (create_file(acct, spool, head.data, head.len) < 0) {
		unlinkat(acct, strrchr(last, '/') + 1, 0);
		goto out;
	}
	rc = 0;
out:
	saved = errno;
	if (acct >= 0)
		close(acct);
	if (dir >= 0)
		close(dir);
	free(acct_path);
	free(spool);
	free(last);
	free(ssh);
	buf_release(&head);
	errno = saved;
	return rc;
}
