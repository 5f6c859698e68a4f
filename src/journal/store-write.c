/*
 * store-write: appending to a host's chain, under the host's lock.
 *
 * The chain head (seq and hash of the last line a host wrote, and where
 * that line is) is derived data: the files alone define it, as the record
 * with the highest seq among the last records of the host's files.  To
 * avoid that scan on every write, .state/chain/<host> caches it, and the
 * same file is the lock (flock) writers of that host serialise on:
 *
 *   logbook-chain 1 <state> <boot-id> <seq> <hash> <file> <size>
 *
 * The cache is trusted only when its state is C (clean), it was written
 * since the last boot, and the file it names still has that size.  A
 * writer sets the state to D before its first write and back to C after
 * its fsync, so a writer killed in between leaves D and the next one
 * rescans; a power loss changes the boot id, which has the same effect.
 *
 * The cache's boot id also says in which boot the host last wrote: the
 * first writer of a new boot files the host's "boot" "up" record
 * (reboot.h) under the lock, in a transaction of its own that it commits
 * before its own records, so two writers at the same new boot file one,
 * and a writer that aborts leaves it filed.
 *
 * Every write is a transaction (store.h): a failure or store_abort cuts
 * each file back to its size at store_begin and removes the files and
 * directories the transaction made, so what a transaction leaves once it
 * has released the lock is all of it or none of it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/boot.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "journal/reboot.h"
#include "journal/secrets.h"
#include "journal/store-int.h"
#include "journal/store.h"
#include "base/banned.h"

#define CHAIN_DIR JOURNAL_STATE "/chain"
#define TORN_DIR JOURNAL_STATE "/torn"
#define CHAIN_MAGIC "logbook-chain 1"

struct head {
	int64_t seq;
	char hash[REC_HASH_LEN + 1];
	char *rel;		/* file of the head line, NULL when seq == 0 */
	off_t size;		/* that file's size just after the head line */
};

struct txn_file {
	char *rel;
	int fd;
	off_t orig;		/* size before this transaction */
	off_t cur;		/* size after our last write */
	bool created;		/* the file, or its day directory, is new */
	bool dir_created;
};

struct store_txn {
	struct journal *j;
	char *host;
	int lock_fd;
	struct head head;	/* moves with every record written */
	struct head start;	/* the head at store_begin, for abort */
	struct txn_file *files;
	size_t nfiles;
	bool dirty;		/* the cache says D and signals are blocked */
	bool failed;
	sigset_t oldmask;
	struct buf line;
	struct store_warnings *warnings;
};

static void head_set(struct head *h, int64_t seq, const char *hash, const char *rel, off_t size)
{
	char *copy = rel ? xstrdup(rel) : NULL;

	free(h->rel);
	h->seq = seq;
	memcpy(h->hash, hash, REC_HASH_LEN + 1);
	h->rel = copy;
	h->size = size;
}

static int cache_write(struct store_txn *t, char state, const struct head *h)
{
	struct buf b = BUF_INIT;
	int rc = 0;

	buf_addf(&b, CHAIN_MAGIC " %c %s %lld %s %s %lld\n", state,
		 *boot_id() ? boot_id() : "-", (long long)h->seq, h->hash,
		 h->rel ? h->rel : "-", (long long)h->size);
	if (pwrite(t->lock_fd, b.data, b.len, 0) != (ssize_t)b.len ||
	    ftruncate(t->lock_fd, (off_t)b.len) < 0) {
		errset_sys("%s/%s/%s: cannot record the chain head", t->j->dir, CHAIN_DIR, t->host);
		rc = -1;
	}
	buf_release(&b);
	return rc;
}

/* the cached head, if it can be trusted (see the top of this file) */
static bool cache_read(struct store_txn *t, struct head *h)
{
	char data[512], state, boot[64], hash[REC_HASH_LEN + 2], rel[256];
	long long seq, size;
	ssize_t n = pread(t->lock_fd, data, sizeof data - 1, 0);
	struct stat st;
	char *path;
	bool ok;

	if (n <= 0)
		return false;
	data[n] = '\0';
	if (sscanf(data, CHAIN_MAGIC " %c %63s %lld %65s %255s %lld", &state, boot, &seq, hash, rel, &size) != 6)
		return false;
	if (state != 'C' || !*boot_id() || strcmp(boot, boot_id()) || strlen(hash) != REC_HASH_LEN || seq < 0)
		return false;
	if (seq == 0) {
		head_set(h, 0, rec_genesis, NULL, 0);
		return true;
	}
	path = journal_path(t->j, rel);
	ok = stat(path, &st) == 0 && st.st_size == size;
	free(path);
	if (ok)
		head_set(h, seq, hash, rel, size);
	return ok;
}

static int read_at(int fd, char *p, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = pread(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* the offset just after the last newline before size (0 when none) */
static int end_of_last_line(int fd, off_t size, off_t *end)
{
	char chunk[65536];
	off_t pos = size;

	while (pos > 0) {
		size_t n = pos > (off_t)sizeof chunk ? sizeof chunk : (size_t)pos;
		char *nl;
		if (read_at(fd, chunk, n, pos - (off_t)n) < 0)
			return -1;
		nl = memrchr(chunk, '\n', n);
		if (nl) {
			*end = pos - (off_t)n + (nl - chunk) + 1;
			return 0;
		}
		pos -= (off_t)n;
	}
	*end = 0;
	return 0;
}

/* keep the bytes of a cut torn line in .state/torn/ for whoever investigates */
static char *save_torn(struct store_txn *t, const char *rel, int fd, off_t from, off_t to)
{
	char *name, *p;
	int out;
	char chunk[65536];

	if (journal_mkdirs(t->j, TORN_DIR) < 0)
		return NULL;
	name = xasprintf(TORN_DIR "/%s.%lld", rel, (long long)day_now_us());
	for (p = name + strlen(TORN_DIR) + 1; *p; p++)
		if (*p == '/')
			*p = '_';
	out = fs_open_below(t->j->dir, name, O_WRONLY | O_CREAT | O_EXCL, journal_file_mode(t->j), 0);
	if (out < 0) {
		free(name);
		return NULL;
	}
	while (from < to) {
		size_t n = to - from > (off_t)sizeof chunk ? sizeof chunk : (size_t)(to - from);
		if (read_at(fd, chunk, n, from) < 0 || fs_write_all(out, chunk, n) < 0)
			break;
		from += (off_t)n;
	}
	close(out);
	return name;
}

/*
 * Cut a last line that has no newline: a writer died in the middle of it,
 * so it was never reported as written.  Leaves the file's size in *size.
 */
static int repair_torn(struct store_txn *t, int fd, const char *rel, off_t *size)
{
	struct stat st;
	off_t end = 0;
	char last;
	char *saved;

	if (fstat(fd, &st) < 0) {
		errset_sys("%s/%s", t->j->dir, rel);
		return -1;
	}
	*size = st.st_size;
	if (st.st_size == 0)
		return 0;
	if (read_at(fd, &last, 1, st.st_size - 1) < 0 ||
	    (last != '\n' && end_of_last_line(fd, st.st_size, &end) < 0)) {
		errset_sys("%s/%s: read", t->j->dir, rel);
		return -1;
	}
	if (last == '\n')
		return 0;
	saved = save_torn(t, rel, fd, end, st.st_size);
	if (ftruncate(fd, end) < 0 || fsync(fd) < 0) {
		errset_sys("%s/%s: cannot cut the torn last line", t->j->dir, rel);
		free(saved);
		return -1;
	}
	if (saved)
		store_warn_add(t->warnings, xasprintf("%s/%s: cut a torn last line (%lld bytes, kept in %s/%s)",
						t->j->dir, rel, (long long)(st.st_size - end), t->j->dir, saved));
	else
		store_warn_add(t->warnings, xasprintf("%s/%s: cut a torn last line (%lld bytes)",
						t->j->dir, rel, (long long)(st.st_size - end)));
	free(saved);
	*size = end;
	return 0;
}

int store_last_record(int fd, off_t size, int64_t *seq, char hash[REC_HASH_LEN + 1], struct record **out)
{
	size_t chunk = 65536;
	char *data = NULL;

	for (;;) {
		off_t start = size > (off_t)chunk ? size - (off_t)chunk : 0;
		size_t len = (size_t)(size - start);
		size_t end = len;

		data = xrealloc(data, len + 1);
		if (read_at(fd, data, len, start) < 0) {
			free(data);
			return -1;
		}
		/* complete lines only: drop anything after the last newline */
		while (end > 0 && data[end - 1] != '\n')
			end--;
		while (end > 0) {
			size_t line_end = end - 1;	/* at its '\n' */
			size_t begin = line_end;
			struct record *r;

			while (begin > 0 && data[begin - 1] != '\n')
				begin--;
			if (begin == 0 && start > 0)
				break;	/* the line may start before this chunk */
			r = rec_parse(data + begin, line_end - begin, false);
			if (r) {
				*seq = r->seq;
				rec_hash(data + begin, line_end - begin, hash);
				if (out)
					*out = r;
				else
					rec_free(r);
				free(data);
				return 1;
			}
			end = begin;
		}
		if (start == 0) {
			free(data);
			return 0;
		}
		chunk *= 4;
	}
}

/* repair one of the host's files and move the head to its last record if that is newer */
static int rescan_file(struct store_txn *t, const char *rel)
{
	char *path = journal_path(t->j, rel);
	char hash[REC_HASH_LEN + 1];
	int64_t seq = 0;
	off_t size;
	int fd, found, rc = 0;

	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rc = errno == ENOENT ? 0 : -1;
		if (rc < 0)
			errset_sys("%s", path);
		free(path);
		return rc;
	}
	if (repair_torn(t, fd, rel, &size) < 0) {
		rc = -1;
	} else if ((found = store_last_record(fd, size, &seq, hash, NULL)) < 0) {
		errset_sys("%s: read", path);
		rc = -1;
	} else if (found && seq > t->head.seq) {
		head_set(&t->head, seq, hash, rel, size);
	}
	close(fd);
	free(path);
	return rc;
}

/* find the head from the files alone, repairing torn lines on the way */
static int rescan(struct store_txn *t)
{
	char **years = NULL, **days = NULL;
	size_t ny = 0, nd = 0;
	int rc = 0;

	head_set(&t->head, 0, rec_genesis, NULL, 0);
	if (fs_list_dir(t->j->dir, store_is_year, NULL, true, &years, &ny) < 0)
		return -1;
	for (size_t y = 0; y < ny && rc == 0; y++) {
		char *ydir = journal_path(t->j, years[y]);

		rc = fs_list_dir(ydir, store_is_day_of, years[y], true, &days, &nd);
		free(ydir);
		for (size_t d = 0; d < nd && rc == 0; d++) {
			char *rel = store_file_rel(days[d], t->host);
			rc = rescan_file(t, rel);
			free(rel);
		}
		fs_free_names(days, nd);
		days = NULL;
		nd = 0;
	}
	fs_free_names(years, ny);
	return rc;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* flock with a time limit: the timer interrupts the wait every 100 ms */
static int lock_wait(int fd, unsigned timeout)
{
	struct sigaction sa, old_sa;
	struct itimerval it, old_it;
	int64_t deadline;
	int rc, saved;

	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old_sa);
	memset(&it, 0, sizeof it);
	it.it_value.tv_usec = it.it_interval.tv_usec = 100000;
	setitimer(ITIMER_REAL, &it, &old_it);
	deadline = day_now_us() + (int64_t)timeout * 1000000;
	while ((rc = flock(fd, LOCK_EX)) < 0 && errno == EINTR) {
		if (day_now_us() >= deadline) {
			errno = ETIMEDOUT;
			break;
		}
	}
	saved = errno;
	setitimer(ITIMER_REAL, &old_it, NULL);
	sigaction(SIGALRM, &old_sa, NULL);
	errno = saved;
	return rc;
}

static int open_lock(struct store_txn *t, unsigned timeout)
{
	char *rel = xasprintf(CHAIN_DIR "/%s", t->host);
	char *path = journal_path(t->j, rel);
	int fd = -1;

	if (journal_mkdirs(t->j, CHAIN_DIR) < 0)
		goto out;
	/* every writer of this host, any member, shares the file; a link planted there is refused */
	fd = fs_open_below(t->j->dir, rel, O_RDWR | O_CREAT, journal_file_mode(t->j), FS_BELOW_ANY_OWNER);
	if (fd < 0)
		goto out;
	if (journal_fix_mode(t->j, fd) < 0) {
		close(fd);
		fd = -1;
		goto out;
	}
	if (lock_wait(fd, timeout) < 0) {
		if (errno == ETIMEDOUT)
			errset("%s: another logbook has held this host's lock for %u s; giving up",
			       path, timeout);
		else
			errset_sys("%s: lock", path);
		close(fd);
		fd = -1;
	}
out:
	free(path);
	free(rel);
	return fd;
}

static int txn_flush(struct store_txn *t);

/* the boot id the cache names, whatever its state; "" when it names none */
static void cache_boot(struct store_txn *t, char boot[BOOT_ID_MAX + 1])
{
	char data[512];
	ssize_t n = pread(t->lock_fd, data, sizeof data - 1, 0);
	char state;

	boot[0] = '\0';
	if (n <= 0)
		return;
	data[n] = '\0';
	if (sscanf(data, CHAIN_MAGIC " %c %63s", &state, boot) != 2 || !strcmp(boot, "-"))
		boot[0] = '\0';
}

struct down_search {
	const char *boot;
	int64_t time;
};

static int find_down(const char *line, size_t len, size_t lineno, void *arg)
{
	struct down_search *s = arg;
	struct record *r = rec_parse(line, len, false);

	(void)lineno;
	if (r && reboot_is(r, "down", s->boot))
		s->time = r->time;
	rec_free(r);
	return 0;
}

/*
 * How the boot the head was written in ended: its shutdown record in the
 * head's file (the shutdown unit files it last thing), else what the
 * system journal says, else unclean.
 */
static void previous_boot(struct store_txn *t, const struct record *head, struct reboot_previous *p)
{
	struct down_search s = { p->boot_id, -1 };
	char *path = journal_path(t->j, t->head.rel);
	int verdict;

	p->down = head->time;
	store_scan_file(path, find_down, &s);
	free(path);
	if (s.time >= 0) {
		p->down = s.time;
		p->clean = true;
		p->evidence = REBOOT_BY_RECORD;
	} else if ((verdict = reboot_ask_journal()) >= 0) {
		p->clean = verdict == 1;
		p->evidence = REBOOT_BY_JOURNAL;
	} else {
		p->clean = false;
		p->evidence = REBOOT_BY_NOTHING;
	}
}

/*
 * File the host's up record when this is the first write of a new boot
 * (reboot_due), and make it durable before the caller's records: the
 * transaction then starts after it, so store_abort keeps it.
 */
static int file_reboot(struct store_txn *t)
{
	char cached[BOOT_ID_MAX + 1];
	struct reboot_previous prev = { 0 };
	struct record *head, *up;
	char *account;
	int rc;

	cache_boot(t, cached);
	if (!*cached || !*boot_id() || !strcmp(cached, boot_id()))
		return 0;
	head = store_head_record(t);
	if (!head || !reboot_due(cached, boot_id(), head->time, boot_time_us())) {
		rec_free(head);
		return 0;
	}
	prev.boot_id = cached;
	previous_boot(t, head, &prev);
	account = reboot_account();
	up = reboot_up_record(t->host, account, boot_id(), boot_time_us(), boot_kernel(), &prev);
	rc = store_add(t, up);
	if (rc == 0)
		rc = txn_flush(t);
	rec_free(up);
	rec_free(head);
	free(account);
	if (rc < 0) {
		errprefix("%s: filing the reboot record", t->host);
		return -1;
	}
	/* what the caller writes next is a transaction of its own */
	for (size_t i = 0; i < t->nfiles; i++) {
		close(t->files[i].fd);
		free(t->files[i].rel);
	}
	free(t->files);
	t->files = NULL;
	t->nfiles = 0;
	sigprocmask(SIG_SETMASK, &t->oldmask, NULL);
	t->dirty = false;
	return 0;
}

struct store_txn *store_begin(struct journal *j, const char *host, struct store_warnings *w)
{
	return store_begin_wait(j, host, STORE_LOCK_TIMEOUT, w);
}

struct store_txn *store_begin_wait(struct journal *j, const char *host, unsigned lock_timeout,
				   struct store_warnings *w)
{
	struct store_txn *t;

	if (!store_valid_host(host)) {
		errset("bad host name '%s': use letters, digits, '.', '_' and '-' (at most %d)",
		       host, STORE_HOST_MAX);
		return NULL;
	}
	t = xcalloc(1, sizeof *t);
	t->j = j;
	t->host = xstrdup(host);
	t->warnings = w;
	t->lock_fd = open_lock(t, lock_timeout);
	if (t->lock_fd < 0 || (!cache_read(t, &t->head) && rescan(t) < 0)) {
		store_abort(t);
		return NULL;
	}
	head_set(&t->start, t->head.seq, t->head.hash, t->head.rel, t->head.size);
	if (file_reboot(t) < 0) {
		store_abort(t);
		return NULL;
	}
	head_set(&t->start, t->head.seq, t->head.hash, t->head.rel, t->head.size);
	return t;
}

int64_t store_head_seq(const struct store_txn *t)
{
	return t->head.seq;
}

const char *store_head_hash(const struct store_txn *t)
{
	return t->head.hash;
}

struct record *store_head_record(struct store_txn *t)
{
	struct record *r = NULL;
	char hash[REC_HASH_LEN + 1];
	int64_t seq;
	char *path;
	int fd;

	if (t->head.seq == 0 || !t->head.rel)
		return NULL;
	path = journal_path(t->j, t->head.rel);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	free(path);
	if (fd < 0)
		return NULL;
	if (store_last_record(fd, t->head.size, &seq, hash, &r) != 1 || seq != t->head.seq) {
		rec_free(r);
		r = NULL;
	}
	close(fd);
	return r;
}

/*
 * Remove the day and year directories of a host file (rel) that a
 * transaction created.  rmdir removes them only when empty: other hosts'
 * files stay.
 */
static void remove_new_dirs(struct store_txn *t, const char *rel)
{
	char *day_dir = xstrndup(rel, 15);
	char *year_dir = xstrndup(rel, 4);
	char *full = journal_path(t->j, day_dir);

	rmdir(full);
	free(full);
	full = journal_path(t->j, year_dir);
	rmdir(full);
	free(full);
	free(year_dir);
	free(day_dir);
}

static int fsync_dir_rel(struct store_txn *t, const char *rel)
{
	char *path = journal_path(t->j, rel);
	int rc = fs_fsync_dir(path);
	free(path);
	return rc;
}

static struct txn_file *txn_file(struct store_txn *t, const char *day)
{
	char *rel = store_file_rel(day, t->host);
	char dir[DAY_LEN + 6];
	struct txn_file *f;
	char *path;
	int fd;
	bool created = false, dir_created;
	off_t size;

	for (size_t i = 0; i < t->nfiles; i++) {
		if (!strcmp(t->files[i].rel, rel)) {
			free(rel);
			return &t->files[i];
		}
	}
	snprintf(dir, sizeof dir, "%.4s/%s", day, day);
	{
		char *full = journal_path(t->j, dir);
		dir_created = !fs_is_dir(full);
		free(full);
	}
	if (journal_mkdirs(t->j, dir) < 0) {
		if (dir_created)
			remove_new_dirs(t, rel);
		free(rel);
		return NULL;
	}
	/* read-write: pread and ftruncate for repairs; O_APPEND for the writes */
	path = journal_path(t->j, rel);
	fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
			  journal_file_mode(t->j));
		created = fd >= 0;
		if (created && journal_fix_mode(t->j, fd) < 0) {
			close(fd);
			unlink(path);
			fd = -1;
		}
	}
	if (fd < 0 && !created)
		errset_sys("%s", path);
	free(path);
	if (fd < 0 || repair_torn(t, fd, rel, &size) < 0) {
		if (fd >= 0)
			close(fd);
		/* not in t->files, so store_abort would not know of them */
		if (dir_created)
			remove_new_dirs(t, rel);
		free(rel);
		return NULL;
	}
	t->files = xreallocarray(t->files, t->nfiles + 1, sizeof *t->files);
	f = &t->files[t->nfiles++];
	f->rel = rel;
	f->fd = fd;
	f->orig = f->cur = size;
	f->created = created;
	f->dir_created = dir_created;
	return f;
}

/* the first write: mark the cache dirty and hold off signals until commit */
static int start_writing(struct store_txn *t)
{
	sigset_t block;

	if (t->dirty)
		return 0;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGTSTP);
	sigprocmask(SIG_BLOCK, &block, &t->oldmask);
	t->dirty = true;
	return cache_write(t, 'D', &t->start);
}

int store_add(struct store_txn *t, struct record *r)
{
	char day[DAY_LEN + 1];
	struct txn_file *f;

	if (t->failed) {
		errset("store: transaction already failed");
		return -1;
	}
	if (strcmp(r->host, t->host)) {
		errset("record of host '%s' cannot go into the chain of '%s'", r->host, t->host);
		return -1;
	}
	if (day_of(r->time, day) < 0)
		return -1;
	/*
	 * Known secrets (secrets.h) go here, the one place every record
	 * passes: commands, notes, diffs, mails and events alike.  A file
	 * that exists but cannot be trusted stops every write rather than
	 * let a known value through.
	 */
	if (secrets_process_state() == SECRETS_BROKEN) {
		errset("%s (known secrets cannot be redacted: nothing is written)", secrets_process_error());
		return -1;
	}
	secrets_redact_record(secrets_process(), r);
	if (start_writing(t) < 0)
		goto fail;
	f = txn_file(t, day);
	if (!f)
		goto fail;
	rec_set_chain(r, t->head.seq + 1, t->head.hash);
	buf_reset(&t->line);
	if (rec_encode(r, &t->line) < 0)
		goto fail;
	buf_addc(&t->line, '\n');
	if (fs_write_all(f->fd, t->line.data, t->line.len) < 0) {
		errset_sys("%s/%s: write", t->j->dir, f->rel);
		/* no partial line stays behind */
		if (ftruncate(f->fd, f->cur) < 0) {
			/* repaired as a torn line by the next writer */
		}
		goto fail;
	}
	f->cur += (off_t)t->line.len;
	{
		char hash[REC_HASH_LEN + 1];
		rec_hash(t->line.data, t->line.len - 1, hash);
		head_set(&t->head, t->head.seq + 1, hash, f->rel, f->cur);
	}
	return 0;
fail:
	t->failed = true;
	return -1;
}

static void txn_free(struct store_txn *t)
{
	for (size_t i = 0; i < t->nfiles; i++) {
		if (t->files[i].fd >= 0)
			close(t->files[i].fd);
		free(t->files[i].rel);
	}
	free(t->files);
	if (t->lock_fd >= 0)
		close(t->lock_fd);	/* releases the lock */
	if (t->dirty)
		sigprocmask(SIG_SETMASK, &t->oldmask, NULL);
	free(t->head.rel);
	free(t->start.rel);
	buf_release(&t->line);
	free(t->host);
	free(t);
}

/* make what t wrote durable and record the new head; the lock stays held */
static int txn_flush(struct store_txn *t)
{
	for (size_t i = 0; i < t->nfiles; i++) {
		struct txn_file *f = &t->files[i];
		if (fsync(f->fd) < 0) {
			errset_sys("%s/%s: fsync", t->j->dir, f->rel);
			return -1;
		}
		/* make new names durable: the file's in its day directory, new directories in theirs */
		if (f->created) {
			char *day_dir = xstrndup(f->rel, 15);
			char *year_dir = xstrndup(f->rel, 4);
			int rc = fsync_dir_rel(t, day_dir);
			if (rc == 0 && f->dir_created)
				rc = fsync_dir_rel(t, year_dir);
			if (rc == 0 && f->dir_created)
				rc = fsync_dir_rel(t, ".");
			free(day_dir);
			free(year_dir);
			if (rc < 0)
				return -1;
		}
	}
	return t->dirty ? cache_write(t, 'C', &t->head) : 0;
}

int store_commit(struct store_txn *t)
{
	if (t->failed) {
		char *msg = xstrdup(errget());
		store_abort(t);
		errset("%s", msg);
		free(msg);
		return -1;
	}
	if (txn_flush(t) == 0) {
		txn_free(t);
		return 0;
	}
	{
		char *msg = xstrdup(errget());
		store_abort(t);
		errset("%s", msg);
		free(msg);
	}
	return -1;
}

void store_abort(struct store_txn *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nfiles; i++) {
		struct txn_file *f = &t->files[i];
		if (f->cur != f->orig || f->created) {
			if (ftruncate(f->fd, f->orig) == 0)
				fsync(f->fd);
		}
		if (f->created && f->orig == 0) {
			char *path = journal_path(t->j, f->rel);
			unlink(path);
			free(path);
			if (f->dir_created)
				remove_new_dirs(t, f->rel);
		}
	}
	if (t->dirty && t->lock_fd >= 0)
		cache_write(t, 'C', &t->start);
	txn_free(t);
}

int store_append(struct journal *j, struct record *r, struct store_warnings *w)
{
	struct store_txn *t = store_begin(j, r->host, w);

	if (!t)
		return -1;
	if (store_add(t, r) < 0) {
		char *msg = xstrdup(errget());
		store_abort(t);
		errset("%s", msg);
		free(msg);
		return -1;
	}
	return store_commit(t);
}
