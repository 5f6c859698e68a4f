/*
 * ingest: spools into records, exactly once (see ingest.h).
 *
 *   .state/spool/<uid>/<session>.pos:  logbook-spool-pos 1 <done> <pending> <commands> <flags>
 *
 * done: spool bytes whose records are committed; pending: bytes a run
 * began to write (> done only after a run was killed); commands: cmd
 * records written so far; flags: 'o' the open record is written, 'c' the
 * close record is.  The file belongs to the spool's owner, so that owner
 * and root can both go on with it.
 *
 * Root ingests every account's spools, in directories those accounts own:
 * every file there is opened, renamed and removed relative to the
 * directory's descriptor, never through a symlink, so an account cannot
 * steer root's writes elsewhere by swapping a name.  A spool is filed
 * only when its directory and file belong to the account its header
 * names, and its header names this host: anything else is set aside as
 * .bad with a warning, never appended to a chain.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/boot.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "capture/ingest.h"
#include "capture/redact.h"
#include "capture/spool.h"
#include "journal/ident.h"
#include "journal/record.h"
#include "journal/secrets.h"
#include "journal/team.h"
#include "base/banned.h"

#define POS_MAGIC "logbook-spool-pos 1"
/* what one pass reads of a spool; a longer record is damage */
#define WINDOW (64 * 1024 * 1024)
/* a spool whose shell never said its pid is abandoned after this long */
#define NO_PID_GRACE_US (10LL * 60 * 1000000)

struct pos {
	uint64_t done, pending, commands;
	bool opened, closed;
};

struct spool {
	struct journal *j;
	const struct ingest_opts *opts;
	struct ingest_report *rep;
	struct redactor **redactor;
	char *session;
	char *path, *pos_path;	/* for messages; files are reached through dirfd */
	char *spool_name, *last_name, *pos_name;
	const char *host;	/* this host, the only one whose spools are filed here */
	int dirfd;		/* the account's spool directory */
	int fd;
	struct stat st;
	char *owner;		/* the account that wrote the spool */
	/* the header's fields */
	struct buf head;	/* the header record's bytes; fields point into it */
	struct spool_rec h;
	int64_t pid;
	bool ended;
	bool fatal;		/* stop ingesting: nothing could be redacted */
	bool foreign;		/* its header names another host */
};

static void warn(struct ingest_report *rep, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct ingest_report *rep, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	store_warnv(&rep->warnings, fmt, ap);
	va_end(ap);
}

void ingest_report_free(struct ingest_report *rep)
{
	store_warnings_free(&rep->warnings);
}

/* ---- the .pos file ---- */

static int pos_read(const struct spool *s, struct pos *p)
{
	struct buf b = BUF_INIT;
	unsigned long long done, pending, commands;
	char flags[8] = "";
	int fd, rc = 0;

	memset(p, 0, sizeof *p);
	fd = openat(s->dirfd, s->pos_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		errset_sys("%s", s->pos_path);
		return -1;
	}
	if (fs_read_fd(fd, &b, 4096) < 0) {
		errset_sys("%s", s->pos_path);
		close(fd);
		return -1;
	}
	close(fd);
	if (sscanf(buf_str(&b), POS_MAGIC " %llu %llu %llu %7s", &done, &pending, &commands, flags) < 3 ||
	    pending < done) {
		errset("%s: not a spool position file", s->pos_path);
		rc = -1;
	} else {
		p->done = done;
		p->pending = pending;
		p->commands = commands;
		p->opened = strchr(flags, 'o') != NULL;
		p->closed = strchr(flags, 'c') != NULL;
	}
	buf_release(&b);
	return rc;
}

/* write p, given to the spool's owner; durable only when asked (see ingest.h) */
static int pos_write(const struct spool *s, const struct pos *p, bool durable)
{
	char *tmp = xasprintf("%s.tmp", s->pos_name);
	struct buf b = BUF_INIT;
	int fd, rc = -1;

	buf_addf(&b, POS_MAGIC " %llu %llu %llu %s%s-\n", (unsigned long long)p->done,
		 (unsigned long long)p->pending, (unsigned long long)p->commands, p->opened ? "o" : "",
		 p->closed ? "c" : "");
	/* a leftover of a killed run, or anything else by that name, goes first */
	if (unlinkat(s->dirfd, tmp, 0) < 0 && errno != ENOENT) {
		errset_sys("%s.tmp", s->pos_path);
		goto out;
	}
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		errset_sys("%s.tmp", s->pos_path);
		goto out;
	}
	if ((geteuid() == 0 && s->st.st_uid != 0 && fchown(fd, s->st.st_uid, (gid_t)-1) < 0) ||
	    fs_write_all(fd, b.data, b.len) < 0 || (durable && fsync(fd) < 0)) {
		errset_sys("%s.tmp", s->pos_path);
		close(fd);
		unlinkat(s->dirfd, tmp, 0);
		goto out;
	}
	close(fd);
	if (renameat(s->dirfd, tmp, s->dirfd, s->pos_name) < 0) {
		errset_sys("%s", s->pos_path);
		unlinkat(s->dirfd, tmp, 0);
		goto out;
	}
	if (durable && fsync(s->dirfd) < 0) {
		errset_sys("%s", s->pos_path);
		goto out;
	}
	rc = 0;
out:
	buf_release(&b);
	free(tmp);
	return rc;
}

/* ---- the shell behind a spool ---- */

static bool same_boot(const struct spool *s)
{
	size_t n = strlen(boot_id());

	return n == s->h.len[SH_BOOT] && !memcmp(boot_id(), s->h.field[SH_BOOT], n);
}

/* when process pid started, in microseconds since the epoch; -1 when unknown */
static int64_t process_start_us(int64_t pid)
{
	struct buf stat = BUF_INIT, sys = BUF_INIT;
	char path[64];
	const char *p;
	unsigned long long ticks = 0, btime = 0;
	int64_t us = -1;

	snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
	if (fs_read_file(path, &stat) < 0 || fs_read_file("/proc/stat", &sys) < 0)
		goto out;
	/* field 22, counted after the command name, which may hold spaces and ')' */
	p = strrchr(buf_str(&stat), ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &ticks) != 1)
		goto out;
	p = strstr(buf_str(&sys), "\nbtime ");
	if (!p || sscanf(p + 7, "%llu", &btime) != 1)
		goto out;
	us = ((int64_t)btime * 1000000) + (int64_t)(ticks * 1000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK));
out:
	buf_release(&stat);
	buf_release(&sys);
	return us;
}

/* the shell that writes this spool is gone (or its spool can never grow again) */
static bool shell_ended(const struct spool *s, int64_t start_us)
{
	int64_t started;

	if (!same_boot(s))
		return true;
	if (s->pid <= 0)
		return day_now_us() - start_us > NO_PID_GRACE_US;
	if (kill((pid_t)s->pid, 0) < 0 && errno == ESRCH)
		return true;
	/* a process that started after the spool was made only reuses the pid */
	started = process_start_us(s->pid);
	return started >= 0 && started > start_us + 2000000;
}

/* ---- records ---- */

static char *field_str(const struct spool_rec *r, size_t i)
{
	return xstrndup(r->field[i], r->len[i]);
}

static struct record *new_record(const struct spool *s, const char *kind, int64_t time)
{
	char *host = field_str(&s->h, SH_HOST), *admin = field_str(&s->h, SH_ADMIN);
	struct record *r = rec_new(kind, time, host, admin, s->owner, s->session);

	free(host);
	free(admin);
	return r;
}

static struct record *open_record(const struct spool *s)
{
	int64_t start = 0;
	struct record *r;

	spool_field_int(&s->h, SH_START, &start);
	r = new_record(s, "session", start);
	rec_set_text(r, "event", "open", 4);
	rec_set_text(r, "shell", s->h.field[SH_SHELL], s->h.len[SH_SHELL]);
	rec_set_text(r, "tty", s->h.field[SH_TTY], s->h.len[SH_TTY]);
	if (s->h.len[SH_SSH] > 0)
		rec_set_text(r, "ssh", s->h.field[SH_SSH], s->h.len[SH_SSH]);
	rec_set_text(r, "admin_by", s->h.field[SH_ADMIN_BY], s->h.len[SH_ADMIN_BY]);
	if (s->pid > 0)
		rec_set_int(r, "pid", s->pid);
	return r;
}

static struct record *close_record(const struct spool *s, int64_t time, uint64_t commands, const char *how)
{
	struct record *r = new_record(s, "session", time);

	rec_set_text(r, "event", "close", 5);
	rec_set_int(r, "commands", (int64_t)commands);
	rec_set_text(r, "how", how, strlen(how));
	return r;
}

/* cut at most max bytes without splitting a UTF-8 sequence */
static size_t cut_utf8(const char *s, size_t len, size_t max)
{
	size_t n = len < max ? len : max;

	if (n < len)
		for (int i = 0; i < 3 && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; i++)
			n--;
	return n;
}

void ingest_set_cmd(struct record *r, const struct redactor *red, const char *text, size_t len)
{
	/* redact a little more than is kept, so a secret across the cut is still found */
	size_t window = len < 4 * INGEST_CMD_MAX ? len : 4 * INGEST_CMD_MAX;
	struct buf out = BUF_INIT;
	size_t n = redact_command(red, text, window, &out);
	size_t kept = cut_utf8(out.data, out.len, INGEST_CMD_MAX);

	rec_set_text(r, "cmd", out.data ? out.data : "", kept);
	if (kept < out.len || window < len)
		rec_set_int(r, "cmd_size", (int64_t)len);
	if (n > 0)
		rec_set_int(r, "redacted", (int64_t)n);
	buf_release(&out);
}

/*
 * The cmd record of a C record (ended: its status and end time) or of a B
 * record whose shell never said how it ended (neither); NULL when the
 * command is not to be recorded (typed with a leading space).
 */
static struct record *cmd_record(struct spool *s, const struct spool_rec *c)
{
	bool ended = c->kind == 'C';
	int64_t n = 0, start = 0, end = 0, status = 0;
	char endstr[DAY_TIME_LEN + 1];
	struct record *r;
	size_t text_field = ended ? SC_TEXT : SB_TEXT, cwd_field = ended ? SC_CWD : SB_CWD;

	const char *text = c->field[text_field];
	size_t len = c->len[text_field];

	/* as fc -ln prints a history line (see spool.h) */
	if (len >= 3 && text[0] == '\t' && text[len - 1] == '\n') {
		text += 2;
		len -= 3;
	}
	if (len == 0 || text[0] == ' ')
		return NULL;
	spool_field_int(c, ended ? SC_N : SB_N, &n);
	if (ended) {
		spool_field_int(c, SC_END, &end);
		spool_field_int(c, SC_STATUS, &status);
		if (!spool_field_int(c, SC_START, &start) || start > end)
			start = end;
	} else {
		spool_field_int(c, SB_START, &start);
	}

	r = new_record(s, "cmd", start);
	ingest_set_cmd(r, *s->redactor, text, len);
	if (ended)
		rec_set_int(r, "exit", status);
	rec_set_text(r, "cwd", c->field[cwd_field], c->len[cwd_field]);
	rec_set_text(r, "tty", s->h.field[SH_TTY], s->h.len[SH_TTY]);
	if (ended) {
		day_time_format(end, endstr);
		rec_set_text(r, "end", endstr, strlen(endstr));
	}
	rec_set_int(r, "n", n);
	return r;
}

/* ---- finding what a killed run already wrote ---- */

struct present {
	const char *host, *session;
	int64_t *ns;		/* n of the cmd records found */
	size_t nn;
	bool opened, closed;
};

static int find_line(const char *line, size_t len, size_t lineno, void *arg)
{
	struct present *p = arg;
	struct record *r = rec_parse(line, len, false);
	const char *event;
	int64_t n;

	(void)lineno;
	if (!r)
		return 0;
	if (!strcmp(r->session, p->session) && !strcmp(r->host, p->host)) {
		if (!strcmp(r->kind, "cmd") && rec_get_int(r, "n", &n)) {
			p->ns = xreallocarray(p->ns, p->nn + 1, sizeof *p->ns);
			p->ns[p->nn++] = n;
		} else if (!strcmp(r->kind, "session") && (event = rec_get_str(r, "event", NULL))) {
			if (!strcmp(event, "open"))
				p->opened = true;
			else if (!strcmp(event, "close"))
				p->closed = true;
		}
	}
	rec_free(r);
	return 0;
}

static int cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static bool present_has(const struct present *p, int64_t n)
{
	return p->nn && bsearch(&n, p->ns, p->nn, sizeof *p->ns, cmp_int64);
}

/* scan the day files the records of data (a pending range) would have gone to */
static void find_present(struct spool *s, const char *data, size_t len, struct present *p)
{
	char **days = NULL;
	size_t ndays = 0, pos = 0;
	struct spool_rec rec;
	char day[DAY_LEN + 1];
	int64_t t;

	/* the open record goes to the day the header says */
	if (spool_field_int(&s->h, SH_START, &t) && day_of(t, day) == 0) {
		days = xreallocarray(days, ndays + 1, sizeof *days);
		days[ndays++] = xstrdup(day);
	}
	while (pos < len) {
		enum spool_step step = spool_next(data, len, &pos, 0, true, &rec);
		if (step == SPOOL_MORE)
			break;
		if (step != SPOOL_RECORD)
			continue;
		if ((rec.kind == 'C' && (spool_field_int(&rec, SC_START, &t) || spool_field_int(&rec, SC_END, &t))) ||
		    (rec.kind == 'B' && spool_field_int(&rec, SB_START, &t)) ||
		    (rec.kind == 'X' && spool_field_int(&rec, SX_END, &t))) {
			bool seen = false;
			if (day_of(t, day) < 0)
				continue;
			for (size_t i = 0; i < ndays && !seen; i++)
				seen = !strcmp(days[i], day);
			if (!seen) {
				days = xreallocarray(days, ndays + 1, sizeof *days);
				days[ndays++] = xstrdup(day);
			}
		}
	}
	/* a close record of a lost shell carries the time of the run that wrote it */
	if (day_of(day_now_us(), day) == 0) {
		days = xreallocarray(days, ndays + 1, sizeof *days);
		days[ndays++] = xstrdup(day);
	}
	for (size_t i = 0; i < ndays; i++) {
		char *rel = store_file_rel(days[i], p->host);
		char *path = journal_path(s->j, rel);
		bool again = false;
		for (size_t k = 0; k < i && !again; k++)
			again = !strcmp(days[k], days[i]);
		if (!again)
			store_scan_file(path, find_line, p);
		free(path);
		free(rel);
	}
	for (size_t i = 0; i < ndays; i++)
		free(days[i]);
	free(days);
	if (p->nn > 1)
		qsort(p->ns, p->nn, sizeof *p->ns, cmp_int64);
}

/* ---- one spool ---- */

static int read_window(int fd, uint64_t from, size_t max, struct buf *out)
{
	buf_reset(out);
	buf_grow(out, max < 65536 ? max : 65536);
	while (out->len < max) {
		size_t want = max - out->len < 1 << 20 ? max - out->len : 1 << 20;
		ssize_t n;
		buf_grow(out, want);
		n = pread(fd, out->data + out->len, want, (off_t)(from + out->len));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
	}
	return 0;
}

/* the header (and pid) at the start of the spool */
static int read_header(struct spool *s)
{
	size_t pos = 0;
	struct spool_rec rec;

	if (read_window(s->fd, 0, 2 * 65536 + 4096, &s->head) < 0) {
		errset_sys("%s", s->path);
		return -1;
	}
	if (spool_next(s->head.data, s->head.len, &pos, 0, true, &s->h) != SPOOL_RECORD || s->h.kind != 'H') {
		errset("%s: no valid header: not a spool of this version", s->path);
		return -1;
	}
	{
		char *session = field_str(&s->h, SH_SESSION), *host = field_str(&s->h, SH_HOST);
		char *account = field_str(&s->h, SH_ACCOUNT);
		int rc = 0;
		if (strcmp(session, s->session) || !store_valid_host(host))
			errset("%s: its header names another session or a bad host", s->path), rc = -1;
		else if (strcmp(host, s->host))
			errset("%s: its header names host '%s', not this host '%s': not ingested", s->path, host,
			       s->host), rc = -1, s->foreign = true;
		else if (strcmp(account, s->owner))
			errset("%s: its header names account '%s' but '%s' owns it", s->path, account, s->owner), rc = -1;
		free(session);
		free(host);
		free(account);
		if (rc < 0)
			return -1;
	}
	if (spool_next(s->head.data, s->head.len, &pos, 0, false, &rec) == SPOOL_RECORD && rec.kind == 'P')
		spool_field_int(&rec, SP_PID, &s->pid);
	return 0;
}

static void remove_spool(struct spool *s)
{
	/* the spool first: a .pos without its spool is only litter */
	if (unlinkat(s->dirfd, s->spool_name, 0) == 0)
		s->rep->removed++;
	unlinkat(s->dirfd, s->last_name, 0);
	unlinkat(s->dirfd, s->pos_name, 0);
}

/* set a spool that is not to be filed aside, once, and say why (from errget()) */
static void set_aside(struct spool *s)
{
	char *bad = xasprintf("%s.bad", s->spool_name);
	char *why = xstrdup(errget());

	if (renameat(s->dirfd, s->spool_name, s->dirfd, bad) == 0)
		errset("%s; set aside as %s.bad", why, s->path);
	free(why);
	free(bad);
}

static bool wanted(const struct spool *s)
{
	return !s->opts->session || !strcmp(s->opts->session, s->session);
}

static int ingest_one(struct spool *s)
{
	struct store_warnings sw = { 0 };
	struct store_txn *t = NULL;
	struct buf data = BUF_INIT;
	struct present present = { 0 };
	struct pos p;
	struct spool_rec rec;
	int64_t start_us = 0, last_time = 0;
	char *host = NULL;
	size_t pos = 0;
	bool at_eof, saw_exit = false, has_begun = false;
	struct spool_rec begun = { 0 };	/* the command begun (B) no C has ended yet, in data */
	size_t stop = 0;		/* where this run ends in data */
	int rc = -1;

	if (read_header(s) < 0) {
		/* another host's is left for that host (several hosts may share a
		 * journal directory), said only when asked */
		if (s->foreign) {
			s->rep->skipped += s->opts->warn_foreign;
			return s->opts->warn_foreign ? -1 : 0;
		}
		/* not ours to read (another version, a stray file, another
		 * account's): set it aside, once */
		set_aside(s);
		return -1;
	}
	spool_field_int(&s->h, SH_START, &start_us);
	last_time = start_us;
	s->ended = (s->opts->ended && wanted(s)) || shell_ended(s, start_us);

	/* most runs find nothing new: decide that without the lock */
	if (pos_read(s, &p) < 0)
		return -1;
	if (p.done == (uint64_t)s->st.st_size && p.pending == p.done && !s->ended)
		return 0;

	host = field_str(&s->h, SH_HOST);
	t = store_begin_wait(s->j, host, s->opts->lock_timeout, &sw);
	for (size_t i = 0; i < sw.n; i++)
		warn(s->rep, "%s", sw.msgs[i]);
	store_warnings_free(&sw);
	if (!t) {
		/* busy or not ours to write: the next run, or the owner's, will do it */
		s->rep->skipped++;
		if (s->opts->lock_timeout == 0)
			rc = 0;
		goto out;
	}
	/* another run may have gone on meanwhile, or finished the spool and removed it */
	if (fstat(s->fd, &s->st) < 0) {
		errset_sys("%s", s->path);
		goto out;
	}
	if (s->st.st_nlink == 0) {
		rc = 0;
		goto out;
	}
	if (pos_read(s, &p) < 0)
		goto out;

	at_eof = s->ended;
	if (read_window(s->fd, p.done, WINDOW, &data) < 0) {
		errset_sys("%s", s->path);
		goto out;
	}
	if (data.len == WINDOW)
		at_eof = true;	/* a record longer than the window is damage */

	if (p.pending > p.done) {
		present.host = host;
		present.session = s->session;
		find_present(s, data.data, (size_t)(p.pending - p.done) < data.len ? (size_t)(p.pending - p.done) : data.len,
			     &present);
	}

	/*
	 * find where this run ends before writing anything, and say so durably:
	 * before a command begun (B) that no C has ended yet while its shell
	 * lives, so that the next run sees it again
	 */
	{
		size_t end = 0, held = SIZE_MAX;
		int64_t held_n = 0, n = 0;
		while (end < data.len) {
			enum spool_step step = spool_next(data.data, data.len, &end, p.done, at_eof, &rec);
			if (step == SPOOL_MORE)
				break;
			if (step != SPOOL_RECORD)
				continue;
			if (rec.kind == 'B' && held == SIZE_MAX) {
				held = (size_t)(rec.offset - p.done);
				spool_field_int(&rec, SB_N, &held_n);
			} else if (rec.kind == 'C' && spool_field_int(&rec, SC_N, &n) && n == held_n) {
				held = SIZE_MAX;
			} else if (rec.kind == 'X') {
				held = SIZE_MAX;
			}
		}
		if (end < data.len && at_eof)
			end = data.len;
		if (held != SIZE_MAX && !s->ended)
			end = held;
		stop = end;
		if (p.done + end > p.pending) {
			struct pos pending = p;
			pending.pending = p.done + end;
			if (pos_write(s, &pending, true) < 0)
				goto out;
		}
	}

	if (!p.opened && !present.opened) {
		struct record *r = open_record(s);
		int add = store_add(t, r);
		rec_free(r);
		if (add < 0)
			goto out;
	}
	p.opened = true;

	while (pos < stop) {
		enum spool_step step = spool_next(data.data, data.len, &pos, p.done, at_eof, &rec);
		struct record *r = NULL;
		int64_t n = 0, time;

		if (step == SPOOL_MORE)
			break;
		if (step == SPOOL_DAMAGED) {
			warn(s->rep, "%s: bytes %llu-%llu skipped: %s", s->path, (unsigned long long)rec.offset,
			     (unsigned long long)rec.end, errget());
			continue;
		}
		switch (rec.kind) {
		case 'B':
			/* recorded when its C comes, or alone when the shell ends without one */
			if (!has_begun)
				begun = rec;
			has_begun = true;
			if (spool_field_int(&rec, SB_START, &time))
				last_time = time;
			break;
		case 'C':
			if (spool_field_int(&rec, SC_END, &time))
				last_time = time;
			spool_field_int(&rec, SC_N, &n);
			if (has_begun && spool_field_int(&begun, SB_N, &time) && time == n)
				has_begun = false;
			if (p.pending > p.done && rec.offset < p.pending && present_has(&present, n)) {
				p.commands++;
				break;
			}
			if (!*s->redactor && !(*s->redactor = redact_new(s->j->conf))) {
				s->fatal = true;
				goto out;
			}
			if ((r = cmd_record(s, &rec)))
				p.commands++;
			break;
		case 'X':
			/* a command begun that the shell did not end: paused (LOGBOOK_OFF) */
			has_begun = false;
			saw_exit = true;
			if (!p.closed && !present.closed && spool_field_int(&rec, SX_END, &time))
				r = close_record(s, time, p.commands, "exit");
			p.closed = true;
			break;
		case 'H':
			if (rec.offset == 0)
				break;	/* the header, read already */
			warn(s->rep, "%s: byte %llu: a second header, skipped", s->path, (unsigned long long)rec.offset);
			break;
		default:	/* P: the pid, read with the header */
			break;
		}
		if (r) {
			int add = store_add(t, r);
			rec_free(r);
			if (add < 0)
				goto out;
			if (rec.kind == 'C')
				s->rep->commands++;
		}
	}
	if (at_eof && pos < stop)
		pos = stop;
	s->ended = s->ended || saw_exit;
	if (s->ended && !p.closed && (uint64_t)s->st.st_size == p.done + pos) {
		/* a shell that never said goodbye (killed, ssh dropped, reboot) */
		struct record *r;
		int64_t n = 0;
		/* its command, begun and never ended: the command replaced the shell or its EXIT trap */
		spool_field_int(&begun, SB_N, &n);
		if (has_begun && !(p.pending > p.done && begun.offset < p.pending && present_has(&present, n))) {
			if (!*s->redactor && !(*s->redactor = redact_new(s->j->conf))) {
				s->fatal = true;
				goto out;
			}
			if ((r = cmd_record(s, &begun))) {
				int add = store_add(t, r);
				rec_free(r);
				if (add < 0)
					goto out;
				p.commands++;
				s->rep->commands++;
			}
		} else if (has_begun) {
			p.commands++;
		}
		r = close_record(s, last_time, p.commands, "lost");
		int add = (!present.closed) ? store_add(t, r) : 0;
		rec_free(r);
		if (add < 0)
			goto out;
		p.closed = true;
	}
	if (store_commit(t) < 0) {
		t = NULL;
		goto out;
	}
	t = NULL;
	p.done += pos;
	p.pending = p.done;
	if (pos_write(s, &p, false) < 0)
		goto out;
	s->rep->spools++;
	if (s->ended && p.closed && p.done == (uint64_t)s->st.st_size)
		remove_spool(s);
	rc = 0;
out:
	if (t)
		store_abort(t);
	free(present.ns);
	buf_release(&data);
	free(host);
	return rc;
}

/* the account's name as ident.c records it: its name when usable, else its uid */
static char *owner_name(uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	if (pw && pw->pw_name && *pw->pw_name && team_check_admin(pw->pw_name) == 0)
		return xstrdup(pw->pw_name);
	return xasprintf("%lu", (unsigned long)uid);
}

/* a session id as hooks make them, which is also a safe file name */
static bool session_name(const char *name, size_t len)
{
	if (len == 0 || len > 128 || name[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* an account's directory under .state/spool: its uid, in decimal */
static bool uid_name(const char *name, uid_t *uid)
{
	unsigned long long v = 0;
	size_t len = strlen(name);

	if (len == 0 || len > 10 || (name[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return false;
		v = v * 10 + (unsigned long long)(name[i] - '0');
	}
	if (v > (uid_t)-1 - 1)
		return false;
	*uid = (uid_t)v;
	return true;
}

struct account_dir {
	uid_t uid;
	int fd;
	char *path;
};

struct found {
	char *session;
	size_t dir;		/* index in the account directories */
};

static int cmp_found(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	int c = strcmp(x->session, y->session);

	return c ? c : (x->dir > y->dir) - (x->dir < y->dir);
}

/* the sessions of one account's directory, added to *found */
static void list_account(struct ingest_report *rep, const struct account_dir *ad, size_t index, struct found **found,
			 size_t *n)
{
	int fd = dup(ad->fd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		warn(rep, "%s: %s", ad->path, strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len > 6 && !strcmp(e->d_name + len - 6, ".spool") && session_name(e->d_name, len - 6)) {
			*found = xreallocarray(*found, *n + 1, sizeof **found);
			(*found)[*n].session = xstrndup(e->d_name, len - 6);
			(*found)[*n].dir = index;
			(*n)++;
		}
	}
	closedir(d);
}

/* the directories of the accounts under .state/spool this process may enter */
static void list_accounts(struct journal *j, int spool_dir, const struct ingest_opts *opts, struct ingest_report *rep,
			  struct account_dir **dirs, size_t *n)
{
	int fd = dup(spool_dir);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		warn(rep, "%s: %s", SPOOL_DIR, strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		uid_t uid;
		char *path;
		int afd;

		if (!uid_name(e->d_name, &uid))
			continue;
		/* the exit hook ingests its own session: only its account's directory */
		if (opts->session && uid != geteuid())
			continue;
		path = spool_account_path(j, uid);
		afd = spool_account_open(spool_dir, path, uid, false);
		if (afd < 0) {
			if (errno == EACCES) {
				/* another account's: left for it, or for root */
				rep->skipped++;
			} else if (errno == EEXIST) {
				/* nothing in a directory its account does not own is that account's */
				char *bad = xasprintf("%s.bad", e->d_name);
				char *why = xstrdup(errget());
				if (renameat(spool_dir, e->d_name, spool_dir, bad) == 0)
					warn(rep, "%s; set aside as %s.bad, nothing in it ingested", why, path);
				else
					warn(rep, "%s; nothing in it ingested", why);
				free(why);
				free(bad);
			} else if (errno != ENOENT) {
				warn(rep, "%s", errget());
			}
			free(path);
			continue;
		}
		*dirs = xreallocarray(*dirs, *n + 1, sizeof **dirs);
		(*dirs)[*n] = (struct account_dir){ .uid = uid, .fd = afd, .path = path };
		(*n)++;
	}
	closedir(d);
}

int ingest_spools(struct journal *j, const struct ingest_opts *opts, struct ingest_report *rep)
{
	struct redactor *redactor = NULL;
	struct account_dir *dirs = NULL;
	struct found *found = NULL;
	size_t ndirs = 0, n = 0, todo;
	char *host = NULL;
	int spool_dir, rc = 0;

	memset(rep, 0, sizeof *rep);
	spool_dir = spool_dir_open(j, false);
	if (spool_dir < 0) {
		/* no spool yet, or not this user's to read */
		if (errno == ENOENT || errno == EACCES)
			return 0;
		return -1;
	}
	host = ident_host();
	if (!host) {
		close(spool_dir);
		return -1;
	}
	list_accounts(j, spool_dir, opts, rep, &dirs, &ndirs);
	for (size_t i = 0; i < ndirs; i++)
		list_account(rep, &dirs[i], i, &found, &n);
	/* sessions in the order they were made, so records of one host land in that order */
	if (n > 1)
		qsort(found, n, sizeof *found, cmp_found);
	/*
	 * Known secrets this account cannot read (journal/secrets.h): its
	 * records would keep them.  Root's ingest (the timer, the path unit,
	 * sync) reads every spool and redacts them: leave it the spools.
	 */
	todo = secrets_process_state() == SECRETS_UNREADABLE ? 0 : n;
	rep->skipped += n - todo;
	if (todo < n && opts->warn_foreign)	/* said by `logbook ingest`, not by every command */
		warn(rep, "%zu spool%s left for root's ingest: %s holds known secrets this account cannot "
		     "redact", n - todo, n - todo == 1 ? "" : "s", secrets_path());

	for (size_t i = 0; i < todo; i++) {
		const struct account_dir *ad = &dirs[found[i].dir];
		struct spool s = { .j = j, .opts = opts, .rep = rep, .redactor = &redactor, .session = found[i].session,
				   .host = host, .dirfd = ad->fd, .fd = -1 };

		if (opts->session && strcmp(opts->session, s.session))
			goto next;
		s.path = spool_path(j, ad->uid, s.session, "spool");
		s.pos_path = spool_path(j, ad->uid, s.session, "pos");
		s.spool_name = xasprintf("%s.spool", s.session);
		s.last_name = xasprintf("%s.last", s.session);
		s.pos_name = xasprintf("%s.pos", s.session);
		s.fd = openat(ad->fd, s.spool_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (s.fd < 0) {
			if (errno == EACCES)
				rep->skipped++;
			else if (errno != ENOENT)
				warn(rep, "%s: %s", s.path, strerror(errno));
			goto next;
		}
		if (fstat(s.fd, &s.st) < 0 || !S_ISREG(s.st.st_mode)) {
			warn(rep, "%s: not a regular file, skipped", s.path);
			goto next;
		}
		s.owner = owner_name(s.st.st_uid);
		if (s.st.st_uid != ad->uid) {
			errset("%s: owned by '%s', not by the account whose directory holds it", s.path, s.owner);
			set_aside(&s);
			warn(rep, "%s", errget());
			goto next;
		}
		if (ingest_one(&s) < 0) {
			/* a team.conf that cannot redact stops everything: nothing unredacted is written */
			if (s.fatal) {
				rc = -1;
				goto next;
			}
			warn(rep, "%s", errget());
		}
next:
		if (s.fd >= 0)
			close(s.fd);
		buf_release(&s.head);
		free(s.owner);
		free(s.path);
		free(s.pos_path);
		free(s.spool_name);
		free(s.last_name);
		free(s.pos_name);
		if (rc < 0)
			break;
	}
	for (size_t i = 0; i < n; i++)
		free(found[i].session);
	free(found);
	for (size_t i = 0; i < ndirs; i++) {
		close(dirs[i].fd);
		free(dirs[i].path);
	}
	free(dirs);
	free(host);
	close(spool_dir);
	if (redactor)
		redact_free(redactor);
	return rc;
}
