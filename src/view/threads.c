/*
 * threads: replies, todos and acks, read from the search index through a
 * cache of their lines (threads.h).  The cache is only ever a copy of
 * lines the index gave: it is checked line by line like any record
 * (rec_parse), and a cache that does not read is thrown away and built
 * again.  A record that arrives twice (a file indexed again) counts once:
 * records are told apart by their reference.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/siphash.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "journal/record.h"
#include "view/index.h"
#include "view/threads.h"
#include "base/banned.h"

#define THREADS_MAGIC "logbook-threads 2"
/* the cache is small: a few lines per reply, todo and ack; a bigger one is not ours */
#define THREADS_MAX (64 * 1024 * 1024)

struct cache {
	char generation[64];
	int64_t last_id;
	char stamp[REC_HASH_LEN + 1];	/* writers_stamp when it was read up to last_id; "-": none */
	struct buf lines;	/* record lines, each ended by '\n' */
	bool changed;
};

static void cache_read(struct journal *j, struct cache *c)
{
	struct buf b = BUF_INIT;
	struct stat st;
	long long id;
	const char *nl;
	size_t len;
	int fd, end = 0;

	memset(c, 0, sizeof *c);
	fd = fs_open_below(j->dir, THREADS_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0, FS_BELOW_ANY_OWNER);
	if (fd < 0)
		return;
	/*
	 * The cache holds whole lines: one another member of the group wrote
	 * could hold records no file has (a todo done, an alert taken).  Only
	 * this account's or root's is read; another is built again.
	 */
	if (fstat(fd, &st) < 0 || (st.st_uid != geteuid() && st.st_uid != 0)) {
		close(fd);
		return;
	}
	/*
	 * The header gives the length of the lines after it: the file is
	 * written without an fsync, and a crash, or two writers breaking
	 * each other's lock, can leave one cut short, which is built again.
	 */
	if (fs_read_fd(fd, &b, THREADS_MAX) == 0 && (nl = memchr(b.data ? b.data : "", '\n', b.len)) &&
	    sscanf(buf_str(&b), THREADS_MAGIC " %63s %lld %64s %zu%n", c->generation, &id, c->stamp, &len, &end) == 4 &&
	    id >= 0 && b.data + end == nl && b.len - (size_t)(nl + 1 - b.data) == len &&
	    (len == 0 || b.data[b.len - 1] == '\n')) {
		c->last_id = id;
		buf_add(&c->lines, nl + 1, len);
	} else {
		c->generation[0] = '\0';
		c->stamp[0] = '\0';
	}
	close(fd);
	buf_release(&b);
}

static void cache_write(struct journal *j, const struct cache *c)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, THREADS_MAGIC " %s %" PRId64 " %s %zu\n", c->generation, c->last_id, c->stamp[0] ? c->stamp : "-",
		 c->lines.len);
	buf_add(&b, c->lines.data ? c->lines.data : "", c->lines.len);
	/*
	 * A reader who cannot write .state/ keeps its answer to itself: the
	 * cache only saves time.  Not synced (its length is checked when it
	 * is read); a lock a crashed writer left is broken.
	 */
	(void)fs_write_atomic_below(j->dir, THREADS_FILE, b.data, b.len, 0644,
				    FS_ATOMIC_BREAK_LOCK | FS_ATOMIC_NO_SYNC);
	buf_release(&b);
}

/*
 * The files of dir (a host's name each) into b: a regular file of at
 * most 4 KiB (what the store and git write there) by name and content,
 * read without following a link or waiting on a FIFO (a member may plant
 * them: those, and a bigger file, go by name, inode, size and time).
 * False when one of those changed just now: two writes within one tick
 * of the file system's clock look alike.  A content read is exact: the
 * store's chain head names the host's last seq, a ref its commit.
 */
static bool stamp_dir(struct journal *j, const char *rel, int64_t now, struct buf *b)
{
	char *dir = journal_path(j, rel), **names;
	bool steady = true;
	size_t n;
	int dfd;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fs_list_dir(dir, NULL, NULL, false, &names, &n) < 0) {
		if (dfd >= 0)
			close(dfd);
		free(dir);
		return true;	/* none yet */
	}
	for (size_t i = 0; i < n; i++) {
		char data[4096];
		struct stat st;
		ssize_t got = -1;
		int fd = openat(dfd, names[i], O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		buf_addf(b, "%s %s", rel, names[i]);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (off_t)sizeof data &&
		    (got = pread(fd, data, sizeof data, 0)) >= 0 && got == st.st_size) {
			buf_addf(b, " = %zd\n", got);
			buf_add(b, data, (size_t)got);
		} else if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0) {
			int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
			steady = steady && now - mtime > 2000000;
			buf_addf(b, " %llu %lld.%09ld %lld", (unsigned long long)st.st_ino, (long long)st.st_mtim.tv_sec,
				 st.st_mtim.tv_nsec, (long long)st.st_size);
		}
		if (fd >= 0)
			close(fd);
		buf_addc(b, '\n');
	}
	close(dfd);
	fs_free_names(names, n);
	free(dir);
	return steady;
}

/*
 * What changes whenever the store or sync wrote records: each host's
 * chain head (the store rewrites .state/chain/<host> at every commit) and
 * the refs sync moves after writing a host's files.  Hashed with SipHash
 * (a fixed key: this only says "nothing new", and a shell start should
 * not pay for loading libcrypto).  False when it cannot be trusted now.
 */
static bool writers_stamp(struct journal *j, char out[REC_HASH_LEN + 1])
{
	static const uint8_t key[SIPHASH_KEY_LEN] = "logbook-threads";
	struct buf b = BUF_INIT;
	int64_t now = day_now_us();
	bool steady = stamp_dir(j, JOURNAL_STATE "/chain", now, &b);
	char *packed = journal_path(j, ".git/packed-refs");
	struct stat st;

	steady = stamp_dir(j, ".git/refs/logbook/written", now, &b) && steady;
	if (stat(packed, &st) == 0) {
		int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
		/* rewritten when refs are packed or deleted: sizes alike within a tick look alike */
		steady = steady && now - mtime > 2000000;
		buf_addf(&b, "packed-refs %lld.%09ld %lld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			 (long long)st.st_size);
	}
	snprintf(out, REC_HASH_LEN + 1, "%016llx%zx", (unsigned long long)siphash24(key, b.data ? b.data : "", b.len),
		 b.len);
	free(packed);
	buf_release(&b);
	return steady;
}

static bool interesting(const char *kind, const char *line, size_t len)
{
	if (!strcmp(kind, "todo") || !strcmp(kind, "ack"))
		return true;
	/* a note is a reply when it has the field; rec_parse decides for sure */
	return !strcmp(kind, "note") && memmem(line, len, "\"reply\":", 8);
}

static int take_hit(const struct index_hit *h, void *arg)
{
	struct cache *c = arg;

	if (h->line && interesting(h->kind, h->line, h->len) && !memchr(h->line, '\n', h->len)) {
		buf_add(&c->lines, h->line, h->len);
		buf_addc(&c->lines, '\n');
		c->changed = true;
	}
	return 0;
}

static int cache_update(struct journal *j, struct cache *c, enum threads_how how)
{
	static const char *const kinds[] = { "todo", "ack", "note" };
	struct index_position pos;
	char stamp[REC_HASH_LEN + 1];
	bool indexed, steady;

	if (how == THREADS_CACHED)
		return 0;
	/* taken before the index is read, so a record written meanwhile changes it */
	steady = writers_stamp(j, stamp);
	if (how == THREADS_QUICK || how == THREADS_WRITTEN) {
		char *db = journal_path(j, INDEX_FILE);
		bool exists = fs_exists(db);
		free(db);
		/* nothing written since the cache was: no need to open the database */
		if ((!exists && how == THREADS_QUICK) || (exists && steady && c->generation[0] && !strcmp(stamp, c->stamp)))
			return 0;
	}
	indexed = index_update(j, NULL) == 0 && index_position(&pos) == 0;
	if (how == THREADS_QUICK && !indexed)
		return 0;
	if (!indexed || strcmp(pos.generation, c->generation)) {
		buf_release(&c->lines);
		c->last_id = 0;
		c->changed = true;
	}
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		struct index_query q = { .kind = kinds[i], .oldest_first = true, .lines = true,
					 .after_id = indexed ? c->last_id : 0 };
		if (index_search(j, &q, take_hit, c) < 0)
			return -1;
	}
	if (indexed) {
		c->changed |= c->last_id != pos.last_id || strcmp(c->stamp, steady ? stamp : "-");
		snprintf(c->stamp, sizeof c->stamp, "%s", steady ? stamp : "-");
		snprintf(c->generation, sizeof c->generation, "%s", pos.generation);
		c->last_id = pos.last_id;
		if (c->changed)
			cache_write(j, c);
	}
	return 0;
}

static bool seen(const char (*refs)[REF_MAX + 1], size_t n, const char *ref)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(refs[i], ref))
			return true;
	return false;
}

static char *text_of(const struct record *r, const char *key)
{
	struct buf b = BUF_INIT;
	const char *s = rec_get_str(r, key, NULL);

	if (!s)
		return NULL;
	buf_adds(&b, s);
	return buf_detach(&b, NULL);
}

/* what an ack may name: a record's reference, or an advisory's id as advisory.h reads them */
static bool ack_target(const char *s)
{
	struct rec_ref parsed;
	size_t n = strlen(s);

	if (ref_parse(s, n, &parsed) == 0)
		return true;
	if (n < 5 || n > 32 || (strncmp(s, "DSA-", 4) && strncmp(s, "DLA-", 4)))
		return false;
	for (size_t i = 4; i < n; i++)
		if (!(s[i] >= '0' && s[i] <= '9') && s[i] != '-')
			return false;
	return true;
}

/* a done record: kept aside until every add is known (another host's add may come later) */
struct done {
	char ref[REF_MAX + 1];
	char *admin;
	int64_t time;
};

static void take_record(struct threads *t, const struct record *r, struct done **dones, size_t *ndones)
{
	char ref[REF_MAX + 1];
	const char *target = NULL, *event;
	struct rec_ref parsed;

	ref_format(r->host, r->seq, ref);
	if (!strcmp(r->kind, "note") && (target = rec_get_str(r, "reply", NULL)) &&
	    ref_parse(target, strlen(target), &parsed) == 0) {
		struct thread_reply *p;
		t->replies = xreallocarray(t->replies, t->nreplies + 1, sizeof *t->replies);
		p = &t->replies[t->nreplies++];
		memset(p, 0, sizeof *p);
		memcpy(p->ref, ref, sizeof ref);
		ref_format(parsed.host, parsed.seq, p->target);
		p->admin = xstrdup(r->admin);
		p->text = text_of(r, "text");
		p->time = r->time;
	} else if (!strcmp(r->kind, "todo") && (event = rec_get_str(r, "event", NULL)) && !strcmp(event, "add") &&
		   rec_get_str(r, "text", NULL)) {
		struct thread_todo *p;
		const char *about = rec_get_str(r, "about", NULL);
		t->todos = xreallocarray(t->todos, t->ntodos + 1, sizeof *t->todos);
		p = &t->todos[t->ntodos++];
		memset(p, 0, sizeof *p);
		memcpy(p->ref, ref, sizeof ref);
		p->about = xstrdup(about && store_valid_host(about) ? about : r->host);
		p->admin = xstrdup(r->admin);
		p->text = text_of(r, "text");
		p->due = text_of(r, "due");
		p->time = r->time;
	} else if (!strcmp(r->kind, "todo") && (event = rec_get_str(r, "event", NULL)) && !strcmp(event, "done") &&
		   (target = rec_get_str(r, "ref", NULL)) && ref_parse(target, strlen(target), &parsed) == 0) {
		*dones = xreallocarray(*dones, *ndones + 1, sizeof **dones);
		ref_format(parsed.host, parsed.seq, (*dones)[*ndones].ref);
		(*dones)[*ndones].admin = xstrdup(r->admin);
		(*dones)[(*ndones)++].time = r->time;
	} else if (!strcmp(r->kind, "ack") && (target = rec_get_str(r, "ref", NULL)) && ack_target(target)) {
		struct thread_ack *p;
		t->acks = xreallocarray(t->acks, t->nacks + 1, sizeof *t->acks);
		p = &t->acks[t->nacks++];
		memset(p, 0, sizeof *p);
		memcpy(p->ref, ref, sizeof ref);
		p->target = xstrdup(target);
		p->admin = xstrdup(r->admin);
		p->time = r->time;
	}
}

static int by_time_reply(const void *a, const void *b)
{
	const struct thread_reply *x = a, *y = b;
	return x->time < y->time ? -1 : x->time > y->time ? 1 : strcmp(x->ref, y->ref);
}

static int by_time_todo(const void *a, const void *b)
{
	const struct thread_todo *x = a, *y = b;
	return x->time < y->time ? -1 : x->time > y->time ? 1 : strcmp(x->ref, y->ref);
}

static int by_time_ack(const void *a, const void *b)
{
	const struct thread_ack *x = a, *y = b;
	return x->time < y->time ? -1 : x->time > y->time ? 1 : strcmp(x->ref, y->ref);
}

static int by_time_done(const void *a, const void *b)
{
	const struct done *x = a, *y = b;
	return x->time < y->time ? -1 : x->time > y->time;
}

static void build(struct threads *t, const struct buf *lines)
{
	char (*refs)[REF_MAX + 1] = NULL;
	size_t nrefs = 0, ndones = 0;
	struct done *dones = NULL;
	const char *p = lines->data, *end = lines->data + lines->len;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct record *r = rec_parse(p, len, false);
		p += len + 1;
		if (!r)
			continue;
		refs = xreallocarray(refs, nrefs + 1, sizeof *refs);
		ref_format(r->host, r->seq, refs[nrefs]);
		if (!seen(refs, nrefs, refs[nrefs])) {
			nrefs++;
			take_record(t, r, &dones, &ndones);
		}
		rec_free(r);
	}
	if (t->nreplies)
		qsort(t->replies, t->nreplies, sizeof *t->replies, by_time_reply);
	if (t->ntodos)
		qsort(t->todos, t->ntodos, sizeof *t->todos, by_time_todo);
	if (t->nacks)
		qsort(t->acks, t->nacks, sizeof *t->acks, by_time_ack);
	if (ndones)
		qsort(dones, ndones, sizeof *dones, by_time_done);
	/* the first done of a todo closes it, whichever replica wrote it */
	for (size_t i = 0; i < ndones; i++) {
		struct thread_todo *td = (struct thread_todo *)threads_todo(t, dones[i].ref);
		if (td && !td->done_by) {
			td->done_by = xstrdup(dones[i].admin);
			td->done_time = dones[i].time;
		}
		free(dones[i].admin);
	}
	free(dones);
	free(refs);
}

int threads_load(struct journal *j, enum threads_how how, struct threads *t)
{
	struct cache c;
	int rc;

	memset(t, 0, sizeof *t);
	cache_read(j, &c);
	rc = cache_update(j, &c, how);
	if (rc == 0)
		build(t, &c.lines);
	buf_release(&c.lines);
	return rc;
}

int threads_refresh(struct journal *j, enum threads_how how)
{
	struct cache c;
	int rc;

	cache_read(j, &c);
	rc = cache_update(j, &c, how);
	buf_release(&c.lines);
	return rc;
}

void threads_release(struct threads *t)
{
	for (size_t i = 0; i < t->nreplies; i++) {
		free(t->replies[i].admin);
		free(t->replies[i].text);
	}
	for (size_t i = 0; i < t->ntodos; i++) {
		free(t->todos[i].about);
		free(t->todos[i].admin);
		free(t->todos[i].text);
		free(t->todos[i].due);
		free(t->todos[i].done_by);
	}
	for (size_t i = 0; i < t->nacks; i++) {
		free(t->acks[i].target);
		free(t->acks[i].admin);
	}
	free(t->replies);
	free(t->todos);
	free(t->acks);
	memset(t, 0, sizeof *t);
}

size_t threads_replies_to(const struct threads *t, const char *ref, size_t **out)
{
	size_t n = 0;

	*out = NULL;
	for (size_t i = 0; i < t->nreplies; i++)
		if (!strcmp(t->replies[i].target, ref)) {
			*out = xreallocarray(*out, n + 1, sizeof **out);
			(*out)[n++] = i;
		}
	return n;
}

const struct thread_ack *threads_ack_of(const struct threads *t, const char *target)
{
	for (size_t i = 0; i < t->nacks; i++)
		if (!strcmp(t->acks[i].target, target))
			return &t->acks[i];
	return NULL;
}

const struct thread_todo *threads_todo(const struct threads *t, const char *ref)
{
	for (size_t i = 0; i < t->ntodos; i++)
		if (!strcmp(t->todos[i].ref, ref))
			return &t->todos[i];
	return NULL;
}

size_t threads_todo_lines(const struct threads *t, const char *host, const char *indent, struct buf *out)
{
	size_t n = 0;

	for (size_t i = 0; i < t->ntodos; i++) {
		const struct thread_todo *td = &t->todos[i];
		const char *text = td->text ? td->text : "", *nl = strchr(text, '\n');
		if (td->done_by || (host && strcmp(td->about, host)))
			continue;
		buf_adds(out, indent);
		utf8_escape(out, td->ref, strlen(td->ref), false);
		buf_addc(out, ' ');
		utf8_escape(out, text, nl ? (size_t)(nl - text) : strlen(text), false);
		if (nl)
			buf_adds(out, " ...");
		buf_adds(out, " (");
		utf8_escape(out, td->admin, strlen(td->admin), false);
		if (!host) {
			buf_adds(out, ", on ");
			buf_adds(out, td->about);
		}
		if (td->due) {
			buf_adds(out, ", due ");
			utf8_escape(out, td->due, strlen(td->due), false);
		}
		buf_adds(out, ")\n");
		n++;
	}
	return n;
}

struct find {
	int64_t seq;
	char day[DAY_LEN + 1];
	struct record *r;
};

static int find_hit(const struct index_hit *h, void *arg)
{
	struct find *f = arg;

	if (h->seq != f->seq)
		return 0;
	snprintf(f->day, sizeof f->day, "%s", h->day);
	if (h->line)
		f->r = rec_parse(h->line, h->len, false);
	return 1;
}

int threads_find(struct journal *j, const struct rec_ref *ref, struct record **out, char day[DAY_LEN + 1])
{
	struct index_query q = { .host = ref->host };
	struct find f = { .seq = ref->seq };

	*out = NULL;
	index_update(j, NULL);
	/* first where it is, then its line from that day alone */
	if (index_search(j, &q, find_hit, &f) < 0)
		return -1;
	if (!f.day[0])
		return 0;
	q.since = q.until = f.day;
	q.lines = true;
	if (index_search(j, &q, find_hit, &f) < 0)
		return -1;
	if (!f.r) {
		errset("%s:%lld: the record does not read", ref->host, (long long)ref->seq);
		return -1;
	}
	if (day)
		memcpy(day, f.day, sizeof f.day);
	*out = f.r;
	return 1;
}
