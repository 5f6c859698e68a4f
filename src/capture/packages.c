/*
 * packages: APT and dpkg runs become `package` records, dpkg's status an
 * `inventory` record (see packages.h for the contract and the state).
 * This file: root's state, the pre step, the logs, the records;
 * packages-fold.c: dpkg's status and the fold of the host's records.
 *
 * Root's state, .state/packages/ (mode 0700, owned by the account that
 * runs the catch-up, root on a server):
 *
 *   lock      flock'ed for a whole catch-up or pre step
 *   state     JSON: per log ("history", "dpkg") the inode and offset of
 *             the current file read so far, "time" (the local time of
 *             the newest entry filed) and "hashes" (those of the entries
 *             of that second); "windows" (the [start, end] of recent APT
 *             runs: dpkg.log lines inside one are APT's, not dpkg's
 *             alone); "fold" (the installed packages the host's records
 *             give, a cache: rebuilt from the records when missing)
 *   apt-run   JSON: who ran APT, written by the pre step, taken by the
 *             first APT run filed that started after it
 *
 * The journal's group may write .state, so the directory is opened
 * below the journal without following a link and used only when this
 * account owns it and nobody else may enter it; its files are opened
 * the same way (fs_open_below, fs_write_atomic_below).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "capture/aptlog.h"
#include "capture/packages-int.h"
#include "capture/spool.h"
#include "journal/record.h"
#include "base/banned.h"

#define STATE_FILE PKG_STATE_DIR "/state"
#define PENDING_FILE PKG_STATE_DIR "/apt-run"
#define LOCK_FILE PKG_STATE_DIR "/lock"
#define FOLD_FILE PKG_STATE_DIR "/fold"
/* rotated logs looked at: logrotate keeps 12 of each */
#define ROTATED_MAX 12
/* an APT run that starts this long after the pre step is not the one it saw */
#define PENDING_MAX_S 3600
#define WINDOWS_MAX 64
#define LOG_MAX (256u << 20)

void pkg_report_free(struct pkg_report *rep)
{
	store_warnings_free(&rep->warnings);
	memset(rep, 0, sizeof *rep);
}

/* ---- root's state ---- */

/* 0 when fd is a directory this account alone may use; -1 and errget() why not */
static int own_dir(struct journal *j, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		errset_sys("%s/%s", j->dir, PKG_STATE_DIR);
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		errset("%s/%s: not this account's own directory (owner %u, mode %04o): refused", j->dir, PKG_STATE_DIR,
		       (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

/*
 * .state/packages, made 0700 when missing, used only when this account
 * alone may use it.  Anything else there (a link, another account's
 * directory: what a member of the group could plant so that root's
 * catch-up stops for good) is renamed .state/packages.bad-<time>, said
 * in w, and a new directory made; nothing in it is read.
 */
static int state_dir_check(struct journal *j, struct store_warnings *w)
{
	int fd = fs_dir_below(j->dir, PKG_STATE_DIR, FS_BELOW_MKDIRS | FS_BELOW_CHMOD, 0700), sfd;
	char *bad, *why;

	if (fd >= 0 && own_dir(j, fd) == 0) {
		close(fd);
		return 0;
	}
	if (fd >= 0)
		close(fd);
	else if (errno != ELOOP && errno != ENOTDIR)
		return -1;	/* not something planted: the journal itself is not usable */
	why = xstrdup(errget());
	sfd = fs_dir_below(j->dir, JOURNAL_STATE, 0, 0);
	bad = xasprintf("packages.bad-%lld", (long long)time(NULL));
	if (sfd < 0 || renameat(sfd, "packages", sfd, bad) < 0) {
		errset("%s (and it could not be set aside: %s)", why, sfd < 0 ? errget() : strerror(errno));
		goto fail;
	}
	store_warnf(w, "%s; set aside as %s/%s/%s, nothing in it read", why, j->dir, JOURNAL_STATE, bad);
	fd = fs_dir_below(j->dir, PKG_STATE_DIR, FS_BELOW_MKDIRS | FS_BELOW_CHMOD, 0700);
	if (fd < 0 || own_dir(j, fd) < 0)
		goto fail;
	close(fd);
	close(sfd);
	free(bad);
	free(why);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	if (sfd >= 0)
		close(sfd);
	free(bad);
	free(why);
	return -1;
}

static int state_lock(struct journal *j, unsigned timeout_s)
{
	unsigned waited_ms = 0;
	int fd = fs_open_below(j->dir, LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600, 0);

	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK || waited_ms >= timeout_s * 1000) {
			errset("%s/%s: %s", j->dir, LOCK_FILE,
			       errno == EWOULDBLOCK ? "another logbook is filing package changes" : strerror(errno));
			close(fd);
			return -1;
		}
		nanosleep(&ts, NULL);
		waited_ms += 50;
	}
	return fd;
}

/* a JSON object from a state file; an empty one when missing; NULL and errget() when unreadable */
static json_t *state_load(struct journal *j, const char *rel)
{
	struct buf b = BUF_INIT;
	json_error_t e;
	json_t *v;
	int fd = fs_open_below(j->dir, rel, O_RDONLY | O_CLOEXEC, 0, 0);

	if (fd < 0)
		return errno == ENOENT ? json_object() : NULL;
	if (fs_read_fd(fd, &b, 64u << 20) < 0) {
		errset_sys("%s/%s", j->dir, rel);
		close(fd);
		buf_release(&b);
		return NULL;
	}
	close(fd);
	v = json_loadb(b.data ? b.data : "", b.len, 0, &e);
	buf_release(&b);
	if (!v || !json_is_object(v)) {
		/* derived data: a damaged state is started afresh (nothing is filed twice: see the keys) */
		json_decref(v);
		return json_object();
	}
	return v;
}

static int state_save(struct journal *j, const char *rel, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int rc = fs_write_atomic_below(j->dir, rel, s, strlen(s), 0600, FS_ATOMIC_BREAK_LOCK);

	free(s);
	return rc;
}

static void state_remove(struct journal *j, const char *rel)
{
	int dfd = fs_dir_below(j->dir, PKG_STATE_DIR, 0, 0);

	if (dfd >= 0) {
		(void)unlinkat(dfd, strrchr(rel, '/') + 1, 0);
		close(dfd);
	}
}

/* ---- time ---- */

/*
 * The logs are in the zone APT and dpkg ran in, which is not the team's
 * (the process's TZ while a journal is open): switch for one conversion.
 */
static char *tz_enter(const char *tz)
{
	char *saved = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;

	setenv("TZ", tz && *tz ? tz : "UTC", 1);
	tzset();
	return saved;
}

static void tz_leave(char *saved)
{
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

/* the local time of a log in zone tz, as microseconds since the epoch (0 when it does not read) */
static int64_t local_us(const char *t, const char *tz)
{
	struct tm tm = { 0 };
	char *saved;
	time_t s;

	if (sscanf(t, "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	saved = tz_enter(tz);
	s = mktime(&tm);
	tz_leave(saved);
	return (int64_t)s * 1000000;
}

/* an instant as a log writes it in zone tz */
static void local_str(int64_t us, const char *tz, char out[APTLOG_TIME_LEN + 1])
{
	time_t when = (time_t)(us / 1000000);
	char *saved = tz_enter(tz);
	struct tm tm;

	localtime_r(&when, &tm);
	strftime(out, APTLOG_TIME_LEN + 1, "%Y-%m-%d %H:%M:%S", &tm);
	tz_leave(saved);
}

/* ---- the pre step ---- */

/* the admin in the header of session's spool in account uid's own spool directory; NULL when none */
static char *session_admin(struct journal *j, uid_t uid, const char *session)
{
	int sdir = spool_dir_open(j, false), adir = -1, fd = -1;
	char *path = NULL, *name = NULL, *admin = NULL;
	struct buf b = BUF_INIT;
	struct spool_rec rec;
	size_t pos = 0;
	struct stat st;

	if (sdir < 0 || strchr(session, '/') || session[0] == '.')
		goto out;
	path = spool_account_path(j, uid);
	if ((adir = spool_account_open(sdir, path, uid, false)) < 0)
		goto out;
	name = xasprintf("%s.spool", session);
	fd = openat(adir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != uid)
		goto out;
	if (fs_read_bounded(fd, &b, 8192, &(size_t){ 0 }) < 0)
		goto out;
	if (spool_next(b.data ? b.data : "", b.len, &pos, 0, true, &rec) == SPOOL_RECORD && rec.kind == 'H' &&
	    rec.len[SH_ADMIN] > 0 && rec.len[SH_ADMIN] <= 64 &&
	    rec.len[SH_SESSION] == strlen(session) && !memcmp(rec.field[SH_SESSION], session, rec.len[SH_SESSION]))
		admin = xstrndup(rec.field[SH_ADMIN], rec.len[SH_ADMIN]);
out:
	if (fd >= 0)
		close(fd);
	if (adir >= 0)
		close(adir);
	if (sdir >= 0)
		close(sdir);
	buf_release(&b);
	free(name);
	free(path);
	return admin;
}

int pkg_hook_pre(struct journal *j, const struct ident *id, const char *system_tz)
{
	const char *session = getenv("LOGBOOK_SESSION"), *sudo_uid = getenv("SUDO_UID");
	char start[APTLOG_TIME_LEN + 1];
	char *admin = NULL;
	json_t *p;
	int lock, rc;

	if (state_dir_check(j, NULL) < 0 || (lock = state_lock(j, 10)) < 0)
		return -1;
	if (session && *session) {
		admin = session_admin(j, geteuid(), session);
		if (!admin && sudo_uid && *sudo_uid)
			admin = session_admin(j, (uid_t)strtoul(sudo_uid, NULL, 10), session);
	}
	local_str(day_now_us(), system_tz, start);
	p = json_object();
	json_object_set_new(p, "start", json_string(start));
	json_object_set_new(p, "admin", json_string(admin ? admin : id->admin));
	json_object_set_new(p, "by", json_string(admin ? "session" : id->admin_source));
	json_object_set_new(p, "account", json_string(id->account));
	json_object_set_new(p, "session", json_string(session && *session ? id->session : ""));
	rc = state_save(j, PENDING_FILE, p);
	json_decref(p);
	free(admin);
	close(lock);
	return rc;
}

/* ---- reading the logs ---- */

/* one file of a log, whole or from an offset */
struct chunk {
	char *name;		/* for messages */
	struct buf data;
	bool current;		/* the live file (not rotated) */
	size_t base;		/* its offset in the file */
};

struct log {
	const char *what;	/* "history" or "dpkg" */
	struct chunk *c;
	size_t n;
	unsigned long long ino;	/* of the current file */
};

static void log_release(struct log *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->c[i].name);
		buf_release(&l->c[i].data);
	}
	free(l->c);
	memset(l, 0, sizeof *l);
}

static struct chunk *log_add(struct log *l, const char *name)
{
	struct chunk *c;

	l->c = xreallocarray(l->c, l->n + 1, sizeof *l->c);
	c = &l->c[l->n++];
	memset(c, 0, sizeof *c);
	c->name = xstrdup(name);
	return c;
}

/* a rotated file, plain or gzip'ed (gzip -dc: the logs are root's, not another account's) */
static int read_rotated(const char *path, struct buf *out)
{
	size_t n = strlen(path);

	if (n > 3 && !strcmp(path + n - 3, ".gz")) {
		const char *argv[] = { "gzip", "-dc", "--", path, NULL };
		int rc = run_capture(argv, NULL, out);
		if (rc != 0) {
			if (rc > 0)
				errset("%s: gzip -dc failed (exit %d)", path, rc);
			return -1;
		}
		return 0;
	}
	return fs_read_file(path, out);
}

/*
 * The files of a log to read: from the offset of the state when the
 * current file is the one read last time (same inode, not shorter),
 * else every rotated file, oldest first, then the current one whole.
 */
static int log_read(const char *base, json_t *key, struct log *l, struct pkg_report *rep)
{
	unsigned long long ino = (unsigned long long)json_integer_value(json_object_get(key, "ino"));
	size_t off = (size_t)json_integer_value(json_object_get(key, "off"));
	struct stat st;
	struct chunk *c;
	int fd;

	fd = open(base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0 || (unsigned long long)st.st_ino != ino || (size_t)st.st_size < off) {
		off = 0;
		for (int i = ROTATED_MAX; i >= 1; i--) {
			for (int gz = 0; gz < 2; gz++) {
				char *path = xasprintf("%s.%d%s", base, i, gz ? ".gz" : "");
				if (fs_exists(path)) {
					c = log_add(l, path);
					if (read_rotated(path, &c->data) < 0) {
						store_warnf(&rep->warnings, "%s", errget());
						buf_release(&c->data);
					}
				}
				free(path);
			}
		}
	}
	if (fd < 0) {
		l->ino = 0;
		return 0;
	}
	l->ino = (unsigned long long)st.st_ino;
	c = log_add(l, base);
	c->current = true;
	c->base = off;
	if (lseek(fd, (off_t)off, SEEK_SET) < 0 || fs_read_fd(fd, &c->data, LOG_MAX) < 0) {
		errset_sys("%s", base);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* the key of a log: was the entry of this time and hash filed? (seen: the hashes of key's second not yet met) */
static bool key_is_new(const json_t *key, json_t *seen, const char *t, const char *hash)
{
	int c = strcmp(t, pkg_str(key, "time"));

	if (c != 0)
		return c > 0;
	for (size_t i = 0; i < json_array_size(seen); i++)
		if (!strcmp(json_string_value(json_array_get(seen, i)), "*") ||
		    !strcmp(json_string_value(json_array_get(seen, i)), hash)) {
			json_array_remove(seen, i);
			return false;
		}
	return true;
}

static void key_advance(json_t *key, const char *t, const char *hash)
{
	if (strcmp(t, pkg_str(key, "time")) > 0) {
		json_object_set_new(key, "time", json_string(t));
		json_object_set_new(key, "hashes", json_array());
	}
	if (!json_is_array(json_object_get(key, "hashes")))
		json_object_set_new(key, "hashes", json_array());
	json_array_append_new(json_object_get(key, "hashes"), json_string(hash));
}

static json_t *key_seen(json_t *key)
{
	json_t *h = json_object_get(key, "hashes");
	return json_is_array(h) ? json_deep_copy(h) : json_array();
}

/* ---- runs to file ---- */

struct run {
	struct aptlog_run r;
	const char *tool;	/* apt, unattended-upgrades, dpkg */
	const char *from;	/* apt, history, dpkg */
	char *admin;
	char *account;
	char *session;
	size_t order;
};

static void runs_free(struct run *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		aptlog_run_release(&v[i].r);
		free(v[i].admin);
		free(v[i].account);
		free(v[i].session);
	}
	free(v);
}

static int run_cmp(const void *a, const void *b)
{
	const struct run *x = a, *y = b;
	int c = strcmp(x->r.start, y->r.start);
	return c ? c : x->order < y->order ? -1 : x->order > y->order;
}

static bool is_unattended(const char *command)
{
	const char *end, *word;

	if (!command)
		return false;
	end = command + strcspn(command, " ");
	word = command;
	for (const char *p = command; p < end; p++)
		if (*p == '/')
			word = p + 1;
	return (size_t)(end - word) == strlen("unattended-upgrade") && !memcmp(word, "unattended-upgrade", (size_t)(end - word));
}

struct catchup {
	struct journal *j;
	const struct pkg_opts *o;
	struct pkg_report *rep;
	json_t *st;		/* the state */
	json_t *pending;	/* the pre step's note, or NULL */
	bool pending_used;
	struct run *runs;
	size_t nruns;
	char open_start[APTLOG_TIME_LEN + 1];	/* an APT run not ended yet: dpkg.log from here waits */
};

static struct run *add_run(struct catchup *cu)
{
	struct run *r;

	cu->runs = xreallocarray(cu->runs, cu->nruns + 1, sizeof *cu->runs);
	r = &cu->runs[cu->nruns];
	memset(r, 0, sizeof *r);
	r->order = cu->nruns++;
	return r;
}

static void history_take(struct catchup *cu, struct aptlog_run *e)
{
	struct run *r = add_run(cu);
	const char *pstart = cu->pending ? pkg_str(cu->pending, "start") : "";

	r->r = *e;
	memset(e, 0, sizeof *e);
	r->tool = is_unattended(r->r.command) ? "unattended-upgrades" : "apt";
	r->from = "history";
	r->account = xstrdup("root");
	r->session = xstrdup("");
	if (cu->pending && !cu->pending_used && *pstart && strcmp(r->r.start, pstart) >= 0 &&
	    local_us(r->r.start, cu->o->system_tz) - local_us(pstart, cu->o->system_tz) <= PENDING_MAX_S * 1000000LL) {
		/* the run the pre step saw */
		cu->pending_used = true;
		r->from = "apt";
		free(r->account);
		free(r->session);
		r->account = xstrdup(*pkg_str(cu->pending, "account") ? pkg_str(cu->pending, "account") : "root");
		r->session = xstrdup(pkg_str(cu->pending, "session"));
		if (!strcmp(pkg_str(cu->pending, "by"), "session") || strcmp(r->tool, "unattended-upgrades"))
			r->admin = xstrdup(pkg_str(cu->pending, "admin"));
	}
	if (!r->admin)
		r->admin = xstrdup(!strcmp(r->tool, "unattended-upgrades") ? "unattended-upgrades" :
				   r->r.requested_by ? r->r.requested_by : "dpkg");
}

/*
 * What a change looks like in both logs: the name and the version it
 * leaves ("name 1.0-2"), or a removal ("name -").
 * The architecture is left out: APT writes an "all" package with the
 * native one.
 */
static char *change_mark(const struct aptlog_change *c)
{
	/* a removal by name alone: a purge of configuration files has no version in history.log */
	return c->new_version ? xasprintf("%s %s", c->name, c->new_version) : xasprintf("%s -", c->name);
}

/* (the state is root's own, but a damaged one must not crash: pkg_at reads a non-string as "") */
static bool marks_have(const json_t *marks, const char *m)
{
	for (size_t i = 0; i < json_array_size(marks); i++)
		if (!strcmp(pkg_at(marks, i), m))
			return true;
	return false;
}

/*
 * An APT run's time and changes, for telling its dpkg.log lines from
 * dpkg's alone.  Two runs within the same seconds (an install, then an
 * upgrade, in one second) share one window holding both runs' changes.
 */
static void windows_add(json_t *st, const struct aptlog_run *e)
{
	json_t *w = json_object_get(st, "windows"), *marks = NULL, *v;
	const char *end = *e->end ? e->end : e->start;
	size_t i;

	if (!json_is_array(w)) {
		w = json_array();
		json_object_set_new(st, "windows", w);
	}
	json_array_foreach(w, i, v)
		if (!strcmp(pkg_at(v, 0), e->start) && !strcmp(pkg_at(v, 1), end)) {
			marks = json_array_get(v, 2);
			break;
		}
	if (!json_is_array(marks)) {
		marks = json_array();
		json_array_append_new(w, json_pack("[sso]", e->start, end, marks));
	}
	for (i = 0; i < e->n; i++) {
		char *m = change_mark(&e->changes[i]);
		if (!marks_have(marks, m))
			json_array_append_new(marks, json_string_nocheck(m));
		free(m);
	}
}

/* read the log at root + path into l from where the state's key (made when missing) says; the key, NULL on failure */
static json_t *log_open(struct catchup *cu, const char *path, struct log *l, json_t **seen)
{
	char *base = xasprintf("%s%s", cu->o->root, path);
	json_t *key = json_object_get(cu->st, l->what);
	int rc;

	if (!json_is_object(key)) {
		key = json_object();
		json_object_set_new(cu->st, l->what, key);
	}
	rc = log_read(base, key, l, cu->rep);
	free(base);
	if (rc < 0) {
		log_release(l);
		return NULL;
	}
	*seen = key_seen(key);
	return key;
}

/* the key says the current file (its inode) was read to offset off */
static void log_close(json_t *key, struct log *l, size_t off, json_t *seen)
{
	json_object_set_new(key, "ino", json_integer((json_int_t)l->ino));
	json_object_set_new(key, "off", json_integer((json_int_t)off));
	json_decref(seen);
	log_release(l);
}

static int catch_up_history(struct catchup *cu)
{
	struct log l = { .what = "history" };
	json_t *seen, *key = log_open(cu, PKG_HISTORY_LOG, &l, &seen);
	size_t new_off = 0;

	if (!key)
		return -1;
	for (size_t i = 0; i < l.n; i++) {
		struct chunk *c = &l.c[i];
		struct buf problems = BUF_INIT;
		struct aptlog_run e;
		size_t pos = 0, lineno = 1;
		enum aptlog_step s;

		while ((s = aptlog_history_next(c->data.data ? c->data.data : "", c->data.len, &pos, &lineno, &e,
						&problems)) != APTLOG_END) {
			if (s == APTLOG_OPEN) {
				/* APT still runs (or died mid-run in the last entry): wait for its end */
				if (c->current && !*cu->open_start)
					memcpy(cu->open_start, e.start, sizeof e.start);
				aptlog_run_release(&e);
				break;
			}
			/* every APT run read tells its dpkg.log lines apart, filed now or before */
			windows_add(cu->st, &e);
			if (key_is_new(key, seen, e.start, e.hash)) {
				key_advance(key, e.start, e.hash);
				history_take(cu, &e);
			}
			aptlog_run_release(&e);
		}
		if (c->current)
			new_off = c->base + pos;
		/* line numbers count from the offset read: say so when not from the start */
		for (const char *p = buf_str(&problems); *p;) {
			const char *nl = strchr(p, '\n');
			store_warnf(&cu->rep->warnings, "%s%s: %.*s", c->name, c->base ? " (after the part read before)" : "",
			     (int)(nl ? nl - p : (ptrdiff_t)strlen(p)), p);
			p = nl ? nl + 1 : p + strlen(p);
		}
		buf_release(&problems);
	}
	log_close(key, &l, new_off, seen);
	return 0;
}

/*
 * Whether a dpkg.log line at time t is APT's: within an APT run's
 * [start, end] (to the second) and, for a change, one that run made
 * (so a dpkg -i in the same second as an APT run stays dpkg's).
 */
static bool apt_line(const json_t *st, const char *t, const struct aptlog_change *c)
{
	json_t *w = json_object_get(st, "windows"), *v;
	char *mark = c ? change_mark(c) : NULL;
	bool found = false;
	size_t i;

	json_array_foreach(w, i, v) {
		if (strcmp(t, pkg_at(v, 0)) < 0 || strcmp(t, pkg_at(v, 1)) > 0)
			continue;
		if (!mark) {
			found = true;
			break;
		}
		if (marks_have(json_array_get(v, 2), mark)) {
			found = true;
			break;
		}
	}
	free(mark);
	return found;
}

static int catch_up_dpkg(struct catchup *cu)
{
	struct log l = { .what = "dpkg" };
	json_t *seen, *key = log_open(cu, PKG_DPKG_LOG, &l, &seen);
	size_t cur = 0;		/* the dpkg run lines go to: runs[cur - 1], none when 0 */
	size_t new_off = 0;

	if (!key)
		return -1;
	for (size_t i = 0; i < l.n; i++) {
		struct chunk *c = &l.c[i];
		const char *d = c->data.data ? c->data.data : "";
		size_t pos = 0, lineno = 0;
		bool held = false;

		while (pos < c->data.len && !held) {
			const char *nl = memchr(d + pos, '\n', c->data.len - pos);
			struct aptlog_line line;
			enum aptlog_line_kind k;
			char hash[REC_HASH_LEN + 1];
			size_t n;

			if (!nl)
				break;	/* dpkg is writing it */
			n = (size_t)(nl - (d + pos));
			lineno++;
			k = aptlog_dpkg_line(d + pos, n, &line);
			if (k == APTLOG_LINE_BAD) {
				if (n > 0)
					store_warnf(&cu->rep->warnings, "%s: line %zu%s: %s", c->name, lineno,
					     c->base ? " after the part read before" : "", errget());
				pos += n + 1;
				continue;
			}
			if (*cu->open_start && strcmp(line.time, cu->open_start) >= 0) {
				held = true;
				aptlog_change_release(&line.change);
				break;
			}
			rec_hash(d + pos, n, hash);
			if (key_is_new(key, seen, line.time, hash)) {
				key_advance(key, line.time, hash);
				if (k == APTLOG_LINE_STARTUP ||
				    apt_line(cu->st, line.time, k == APTLOG_LINE_CHANGE ? &line.change : NULL)) {
					/* APT's lines (its history entry says it better), or a new dpkg run */
					cur = 0;
				} else if (k == APTLOG_LINE_CHANGE) {
					struct run *r;
					if (!cur) {
						r = add_run(cu);
						r->tool = "dpkg";
						r->from = "dpkg";
						r->admin = xstrdup("dpkg");
						r->account = xstrdup("root");
						r->session = xstrdup("");
						memcpy(r->r.start, line.time, sizeof line.time);
						cur = cu->nruns;
					}
					r = &cu->runs[cur - 1];
					memcpy(r->r.end, line.time, sizeof line.time);
					aptlog_run_add(&r->r, &line.change);
				}
			}
			aptlog_change_release(&line.change);
			pos += n + 1;
		}
		if (c->current)
			new_off = c->base + pos;
		if (held)
			break;
	}
	/* windows older than what dpkg.log was read to are of no more use */
	{
		json_t *w = json_object_get(cu->st, "windows");
		const char *t = pkg_str(key, "time");
		for (size_t i = json_array_size(w); i-- > 0;)
			if (strcmp(pkg_at(json_array_get(w, i), 1), t) < 0)
				json_array_remove(w, i);
		while (json_array_size(w) > WINDOWS_MAX)
			json_array_remove(w, 0);
	}
	log_close(key, &l, new_off, seen);
	return 0;
}

/* ---- records ---- */

/*
 * APT's history writes a package of architecture "all" with the native
 * one: take "all" when dpkg (now, or the host's packages before the run)
 * knows the package only so.
 */
static void fix_arch(struct run *r, const json_t *status, const json_t *before)
{
	for (size_t i = 0; i < r->r.n; i++) {
		struct aptlog_change *c = &r->r.changes[i];
		char *k = pkg_key(c->name, c->arch), *all = pkg_key(c->name, "all");

		if (strcmp(c->arch, "all") && !json_object_get(status, k) && !json_object_get(before, k) &&
		    (json_object_get(status, all) || json_object_get(before, all))) {
			free(c->arch);
			c->arch = xstrdup("all");
		}
		free(all);
		free(k);
	}
}

static struct record *package_record(const struct run *r, const char *host, const json_t *status,
				     const char *release, const char *tz)
{
	struct record *rec = rec_new("package", local_us(r->r.start, tz), host, r->admin, r->account, r->session);
	json_t *changes = json_array();

	rec_set_text(rec, "tool", r->tool, strlen(r->tool));
	if (r->r.command && strcmp(r->tool, "dpkg"))
		rec_set_text(rec, "command", r->r.command, strlen(r->r.command));
	if (*r->r.end) {
		char t[DAY_TIME_LEN + 1];
		day_time_format(local_us(r->r.end, tz), t);
		rec_set_text(rec, "end", t, strlen(t));
	}
	for (size_t i = 0; i < r->r.n; i++) {
		const struct aptlog_change *c = &r->r.changes[i];
		json_t *o = json_pack("{ssssss}", "name", c->name, "arch", c->arch, "action", c->action);
		char *k = pkg_key(c->name, c->arch);
		json_t *now = status ? json_object_get(status, k) : NULL;

		if (c->old_version && strcmp(c->action, "install"))
			json_object_set_new(o, "old", json_string(c->old_version));
		if (c->new_version) {
			json_object_set_new(o, "new", json_string(c->new_version));
			/* the source as dpkg's status gives it, when the version installed is this one */
			if (now && !strcmp(pkg_at(now, 2), c->new_version)) {
				json_object_set(o, "source", json_array_get(now, 3));
				json_object_set(o, "source_version", json_array_get(now, 4));
			}
		}
		json_array_append_new(changes, o);
		free(k);
	}
	rec_set_json(rec, "changes", changes);
	if (release)
		rec_set_text(rec, "release", release, strlen(release));
	rec_set_text(rec, "from", r->from, strlen(r->from));
	return rec;
}

static struct record *inventory_record(const char *host, const char *reason, const json_t *status,
				       const char *release)
{
	char *account = NULL;
	struct record *rec;
	struct ident id;

	/* who filed it: dpkg's status, seen by this account */
	if (ident_resolve(&id, NULL) == 0) {
		account = xstrdup(id.account);
		ident_release(&id);
	}
	rec = rec_new("inventory", day_now_us(), host, "dpkg", account ? account : "root", "");
	rec_set_text(rec, "reason", reason, strlen(reason));
	if (release)
		rec_set_text(rec, "release", release, strlen(release));
	rec_set_json(rec, "packages", pkg_packages_array(status));
	free(account);
	return rec;
}

int pkg_catch_up(struct journal *j, const struct pkg_opts *o, struct pkg_report *rep)
{
	struct catchup cu = { .j = j, .o = o, .rep = rep };
	json_t *status = NULL, *fold = NULL, *pk;
	char *host = NULL, *release = NULL;
	int64_t apt_us = 0, dpkg_us = 0;
	struct store_txn *t = NULL;
	int lock = -1, rc = -1;

	memset(rep, 0, sizeof *rep);
	if (state_dir_check(j, &rep->warnings) < 0 || (lock = state_lock(j, o->lock_timeout)) < 0)
		return -1;
	if (!(host = ident_host()) || !(cu.st = state_load(j, STATE_FILE)))
		goto out;
	if (!json_object_get(cu.st, "history")) {
		/*
		 * No state (a new host, or .state lost): what the journal holds
		 * was filed, up to the second of its newest run from each log.
		 */
		fold = pkg_fold_from_journal(j, host, &apt_us, &dpkg_us);
		if (state_save(j, FOLD_FILE, fold) < 0)
			goto out;
		json_decref(fold);
		fold = NULL;
		for (int k = 0; k < 2; k++) {
			int64_t us = k ? dpkg_us : apt_us;
			char when[APTLOG_TIME_LEN + 1];
			if (us <= 0)
				continue;
			local_str(us, o->system_tz, when);
			json_object_set_new(cu.st, k ? "dpkg" : "history",
					    json_pack("{s:s,s:[s]}", "time", when, "hashes", "*"));
		}
	}
	cu.pending = state_load(j, PENDING_FILE);
	if (cu.pending && !json_object_size(cu.pending)) {
		json_decref(cu.pending);
		cu.pending = NULL;
	}
	if (catch_up_history(&cu) < 0 || catch_up_dpkg(&cu) < 0)
		goto out;
	if (cu.nruns > 1)
		qsort(cu.runs, cu.nruns, sizeof *cu.runs, run_cmp);
	if (!(status = pkg_dpkg_status(o)))
		store_warnf(&rep->warnings, "dpkg's status: %s; no inventory, no sources", errget());
	release = pkg_release_codename();

	if (!(fold = state_load(j, FOLD_FILE)))
		goto out;
	if (!json_is_object(json_object_get(fold, "packages"))) {
		json_decref(fold);
		fold = pkg_fold_from_journal(j, host, &apt_us, &dpkg_us);
	}
	pk = json_object_get(fold, "packages");

	if (!(t = store_begin_wait(j, host, o->lock_timeout, &rep->warnings)))
		goto out;
	for (size_t i = 0; i < cu.nruns; i++) {
		struct record *r;
		if (cu.runs[i].r.n == 0)
			continue;	/* a run that changed nothing (apt-get install of what is there) */
		if (strcmp(cu.runs[i].tool, "dpkg"))
			fix_arch(&cu.runs[i], status, pk);
		r = package_record(&cu.runs[i], host, status, release, o->system_tz);
		pkg_fold_apply(pk, rec_get_json(r, "changes"));
		if (store_add(t, r) < 0) {
			rec_free(r);
			goto out;
		}
		rec_free(r);
		rep->runs++;
	}
	if (status && (!json_is_true(json_object_get(fold, "inventory")) || !pkg_same_versions(pk, status))) {
		struct record *r = inventory_record(host, json_is_true(json_object_get(fold, "inventory")) ? "resync" :
						    "first", status, release);
		if (store_add(t, r) < 0) {
			rec_free(r);
			goto out;
		}
		rec_free(r);
		rep->inventories++;
		json_object_set_new(fold, "inventory", json_true());
		json_object_set(fold, "packages", status);
	}
	if (store_commit(t) < 0) {
		t = NULL;
		goto out;
	}
	t = NULL;
	/* the records are durable: now the state says they were filed */
	if (state_save(j, STATE_FILE, cu.st) < 0 || state_save(j, FOLD_FILE, fold) < 0)
		goto out;
	if (cu.pending_used)
		state_remove(j, PENDING_FILE);
	rc = 0;
out:
	if (t)
		store_abort(t);
	runs_free(cu.runs, cu.nruns);
	json_decref(cu.st);
	json_decref(cu.pending);
	json_decref(status);
	json_decref(fold);
	free(release);
	free(host);
	if (lock >= 0)
		close(lock);
	return rc;
}
