/*
 * store: record files, the per-host hash chain, transactions, the chain
 * head cache, torn and damaged lines, readers, and writing that fails.
 *
 * Every test works in a fresh journal under /tmp.  What the store wrote is
 * checked by reading the files back and hashing the lines here with
 * OpenSSL, not with rec_hash, so a store that links to the wrong bytes
 * fails.  Tests that need several processes fork children that never
 * return into cmocka: they report through their exit status or a pipe.
 */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <openssl/evp.h>

#include "base/day.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "journal/journal.h"
#include "journal/record.h"
#include "journal/store.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

struct fixture {
	char *dir;
	struct journal *j;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	f->dir = unit_journal();
	f->j = journal_open(f->dir);
	if (!f->j) {
		fprintf(stderr, "journal_open: %s\n", errget());
		unit_rmtree(f->dir);
		free(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	day_set_tz("UTC");
	journal_close(f->j);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* ---- helpers ---- */

static void sha256_hex(const char *data, size_t len, char out[REC_HASH_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int n = 0;

	assert_true(EVP_Digest(data, len, md, &n, EVP_sha256(), NULL));
	assert_int_equal(n, 32);
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[REC_HASH_LEN] = '\0';
}

static int64_t at(const char *iso)
{
	int64_t us;

	assert_int_equal(day_time_parse(iso, strlen(iso), &us), 0);
	return us;
}

static struct record *note(const char *host, const char *iso, const char *text)
{
	struct record *r = rec_new("note", at(iso), host, "alice", "root", "s1");

	rec_set_text(r, "text", text, strlen(text));
	return r;
}

/* one note in its own transaction; the store's return value */
static int append_w(struct fixture *f, const char *host, const char *iso, const char *text,
		    struct store_warnings *w)
{
	struct record *r = note(host, iso, text);
	int rc = store_append(f->j, r, w);

	rec_free(r);
	return rc;
}

static void append(struct fixture *f, const char *host, const char *iso, const char *text)
{
	struct record *r = note(host, iso, text);
	int rc = store_append(f->j, r, NULL);

	if (rc < 0)
		fprintf(stderr, "store_append: %s\n", errget());
	assert_int_equal(rc, 0);
	rec_free(r);
}

/* the record file of host for day, spelled out here rather than asked of the store */
static char *day_file(struct fixture *f, const char *day, const char *host)
{
	return xasprintf("%s/%.4s/%s/%s.jsonl", f->dir, day, day, host);
}

static char *state_file(struct fixture *f, const char *rel)
{
	return xasprintf("%s/.state/%s", f->dir, rel);
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* a file's lines; torn holds what follows the last newline */
struct lines {
	char *data;
	size_t size;
	char **line;		/* NUL-terminated in data */
	size_t *len;
	size_t n;
	const char *torn;
	size_t torn_len;
};

static void lines_read(const char *path, struct lines *l)
{
	char *p, *end;

	memset(l, 0, sizeof *l);
	l->data = unit_read(path, &l->size);
	assert_non_null(l->data);
	p = l->data;
	end = l->data + l->size;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			l->torn = p;
			l->torn_len = (size_t)(end - p);
			break;
		}
		*nl = '\0';
		l->line = xreallocarray(l->line, l->n + 1, sizeof *l->line);
		l->len = xreallocarray(l->len, l->n + 1, sizeof *l->len);
		l->line[l->n] = p;
		l->len[l->n++] = (size_t)(nl - p);
		p = nl + 1;
	}
}

static void lines_free(struct lines *l)
{
	free(l->data);
	free(l->line);
	free(l->len);
	memset(l, 0, sizeof *l);
}

/* the line is a record of host with this seq and prev, and the hash of the line */
static void check_line(const char *line, size_t len, const char *host, int64_t seq, const char *prev,
		       char hash[REC_HASH_LEN + 1])
{
	struct record *r = rec_parse(line, len, false);

	if (!r)
		fprintf(stderr, "rec_parse: %s: %.*s\n", errget(), (int)len, line);
	assert_non_null(r);
	assert_string_equal(r->host, host);
	assert_int_equal(r->seq, seq);
	assert_string_equal(r->prev, prev);
	rec_free(r);
	sha256_hex(line, len, hash);
}

/* the text of the note on a line */
static void check_text(const char *line, size_t len, const char *text)
{
	struct record *r = rec_parse(line, len, false);
	const char *s;

	assert_non_null(r);
	s = rec_get_str(r, "text", NULL);
	assert_non_null(s);
	assert_string_equal(s, text);
	rec_free(r);
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* what a child wrote to a pipe until it closed it */
static char *read_all_fd(int fd)
{
	struct buf b = BUF_INIT;
	char chunk[512];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		buf_add(&b, chunk, (size_t)n);
	}
	buf_addc(&b, '\0');
	return buf_detach(&b, NULL);
}

/* ---- the chain ---- */

static void first_record_links_to_genesis_and_each_next_to_the_line_before(void **state)
{
	struct fixture *f = *state;
	char *path = day_file(f, "2026_11_20", "web1");
	char h1[REC_HASH_LEN + 1], h2[REC_HASH_LEN + 1], h3[REC_HASH_LEN + 1];
	struct record *r = note("web1", "2026-11-20T10:00:00.000000Z", "first");
	struct lines l;

	assert_string_equal(rec_genesis, GENESIS);
	assert_int_equal(store_append(f->j, r, NULL), 0);
	/* the store gave the record its place in the chain */
	assert_int_equal(r->seq, 1);
	assert_string_equal(r->prev, GENESIS);
	rec_free(r);
	append(f, "web1", "2026-11-20T10:00:01.000000Z", "second");
	append(f, "web1", "2026-11-20T10:00:02.000000Z", "third");

	lines_read(path, &l);
	assert_int_equal(l.n, 3);
	assert_null(l.torn);
	check_line(l.line[0], l.len[0], "web1", 1, GENESIS, h1);
	check_line(l.line[1], l.len[1], "web1", 2, h1, h2);
	check_line(l.line[2], l.len[2], "web1", 3, h2, h3);
	check_text(l.line[0], l.len[0], "first");
	check_text(l.line[2], l.len[2], "third");
	lines_free(&l);
	free(path);
}

static void chain_follows_write_order_across_day_files(void **state)
{
	struct fixture *f = *state;
	char *p20 = day_file(f, "2026_11_20", "web1");
	char *p18 = day_file(f, "2026_11_18", "web1");
	char *p31 = day_file(f, "2025_12_31", "web1");
	char h1[REC_HASH_LEN + 1], h2[REC_HASH_LEN + 1], h3[REC_HASH_LEN + 1], h4[REC_HASH_LEN + 1];
	struct lines l20, l18, l31;

	append(f, "web1", "2026-11-20T08:00:00.000000Z", "on the 20th");
	append(f, "web1", "2026-11-18T23:59:59.999999Z", "late, on the 18th");
	append(f, "web1", "2026-11-20T08:00:01.000000Z", "on the 20th again");
	append(f, "web1", "2025-12-31T00:00:00.000000Z", "last year");

	lines_read(p20, &l20);
	lines_read(p18, &l18);
	lines_read(p31, &l31);
	assert_int_equal(l20.n, 2);
	assert_int_equal(l18.n, 1);
	assert_int_equal(l31.n, 1);
	check_line(l20.line[0], l20.len[0], "web1", 1, GENESIS, h1);
	check_line(l18.line[0], l18.len[0], "web1", 2, h1, h2);
	check_line(l20.line[1], l20.len[1], "web1", 3, h2, h3);
	check_line(l31.line[0], l31.len[0], "web1", 4, h3, h4);
	check_text(l18.line[0], l18.len[0], "late, on the 18th");
	lines_free(&l20);
	lines_free(&l18);
	lines_free(&l31);
	free(p20);
	free(p18);
	free(p31);
}

static void team_time_zone_decides_the_day_file(void **state)
{
	struct fixture *f = *state;
	char *conf = xasprintf("%s/team.conf", f->dir);
	static const char text[] = "[team]\n\ttimezone = America/New_York\n";
	/* 03:00 UTC on the 21st is 22:00 on the 20th in New York (EST, UTC-5) */
	char *p20 = day_file(f, "2026_11_20", "web1");
	char *p21 = day_file(f, "2026_11_21", "web1");

	unit_write(conf, text, strlen(text), 0);
	journal_close(f->j);
	f->j = journal_open(f->dir);
	assert_non_null(f->j);
	append(f, "web1", "2026-11-21T03:00:00.000000Z", "evening in New York");
	assert_true(exists(p20));
	assert_false(exists(p21));
	free(p20);
	free(p21);
	free(conf);
}

static void two_hosts_have_independent_chains(void **state)
{
	struct fixture *f = *state;
	char *pw = day_file(f, "2026_11_20", "web1");
	char *pd = day_file(f, "2026_11_20", "db1");
	char w1[REC_HASH_LEN + 1], w2[REC_HASH_LEN + 1], d1[REC_HASH_LEN + 1], d2[REC_HASH_LEN + 1];
	char *cw = state_file(f, "chain/web1"), *cd = state_file(f, "chain/db1");
	struct lines lw, ld;

	append(f, "web1", "2026-11-20T10:00:00.000000Z", "w1");
	append(f, "db1", "2026-11-20T10:00:01.000000Z", "d1");
	append(f, "web1", "2026-11-20T10:00:02.000000Z", "w2");
	append(f, "db1", "2026-11-20T10:00:03.000000Z", "d2");

	lines_read(pw, &lw);
	lines_read(pd, &ld);
	assert_int_equal(lw.n, 2);
	assert_int_equal(ld.n, 2);
	check_line(lw.line[0], lw.len[0], "web1", 1, GENESIS, w1);
	check_line(lw.line[1], lw.len[1], "web1", 2, w1, w2);
	check_line(ld.line[0], ld.len[0], "db1", 1, GENESIS, d1);
	check_line(ld.line[1], ld.len[1], "db1", 2, d1, d2);
	/* each host has its own lock and head cache */
	assert_true(exists(cw));
	assert_true(exists(cd));
	lines_free(&lw);
	lines_free(&ld);
	free(cw);
	free(cd);
	free(pw);
	free(pd);
}

/* what a sign record witnesses: one read of the tail of each other host's newest file */
static void heads_of_other_hosts_are_the_last_records_of_their_newest_files(void **state)
{
	struct fixture *f = *state;
	char *pd = day_file(f, "2026_11_20", "db1");
	char *pg = day_file(f, "2025_12_31", "git1");
	char dh[REC_HASH_LEN + 1], gh[REC_HASH_LEN + 1];
	struct store_head *v;
	struct lines ld, lg;
	size_t n;

	append(f, "web1", "2026-11-21T10:00:00.000000Z", "w1");
	append(f, "db1", "2026-11-18T10:00:00.000000Z", "d1");
	append(f, "db1", "2026-11-20T10:00:00.000000Z", "d2");
	append(f, "db1", "2026-11-20T10:00:01.000000Z", "d3");
	append(f, "git1", "2025-12-31T10:00:00.000000Z", "g1");
	/* a line still being written is not a head */
	unit_write(pd, "{\"v\":1,\"kind\"", 14, 1);
	lines_read(pd, &ld);
	lines_read(pg, &lg);
	assert_int_equal(ld.n, 2);
	sha256_hex(ld.line[1], ld.len[1], dh);
	sha256_hex(lg.line[0], lg.len[0], gh);

	assert_int_equal(store_heads(f->j, "web1", &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].host, "db1");
	assert_int_equal(v[0].seq, 3);
	assert_string_equal(v[0].hash, dh);
	assert_string_equal(v[1].host, "git1");
	assert_int_equal(v[1].seq, 1);
	assert_string_equal(v[1].hash, gh);
	free(v);
	/* the signing host is never its own witness */
	assert_int_equal(store_heads(f->j, "db1", &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].host, "git1");
	assert_string_equal(v[1].host, "web1");
	free(v);
	lines_free(&ld);
	lines_free(&lg);
	free(pd);
	free(pg);
}

/* ---- transactions ---- */

static void a_transaction_commits_several_records_in_one_chain(void **state)
{
	struct fixture *f = *state;
	char *p20 = day_file(f, "2026_11_20", "web1");
	char *p18 = day_file(f, "2026_11_18", "web1");
	char h1[REC_HASH_LEN + 1], h2[REC_HASH_LEN + 1], h3[REC_HASH_LEN + 1], h4[REC_HASH_LEN + 1];
	struct record *r[3];
	struct store_txn *t;
	struct lines l20, l18;

	append(f, "web1", "2026-11-20T09:00:00.000000Z", "before");
	t = store_begin(f->j, "web1", NULL);
	assert_non_null(t);
	assert_int_equal(store_head_seq(t), 1);
	r[0] = note("web1", "2026-11-20T10:00:00.000000Z", "a");
	r[1] = note("web1", "2026-11-18T10:00:00.000000Z", "b");
	r[2] = note("web1", "2026-11-20T10:00:01.000000Z", "c");
	for (int i = 0; i < 3; i++) {
		assert_int_equal(store_add(t, r[i]), 0);
		assert_int_equal(store_head_seq(t), 2 + i);
		assert_int_equal(r[i]->seq, 2 + i);
	}
	assert_int_equal(store_commit(t), 0);

	lines_read(p20, &l20);
	lines_read(p18, &l18);
	assert_int_equal(l20.n, 3);
	assert_int_equal(l18.n, 1);
	check_line(l20.line[0], l20.len[0], "web1", 1, GENESIS, h1);
	check_line(l20.line[1], l20.len[1], "web1", 2, h1, h2);
	check_line(l18.line[0], l18.len[0], "web1", 3, h2, h3);
	check_line(l20.line[2], l20.len[2], "web1", 4, h3, h4);
	for (int i = 0; i < 3; i++)
		rec_free(r[i]);
	lines_free(&l20);
	lines_free(&l18);
	free(p20);
	free(p18);
}

static void an_aborted_transaction_leaves_the_files_as_they_were(void **state)
{
	struct fixture *f = *state;
	char *p20 = day_file(f, "2026_11_20", "web1");
	char *d18 = xasprintf("%s/2026/2026_11_18", f->dir);
	char *y2025 = xasprintf("%s/2025", f->dir);
	char h1[REC_HASH_LEN + 1], h2[REC_HASH_LEN + 1];
	struct record *r[3];
	struct store_txn *t;
	struct lines l;
	char *before, *after;
	size_t before_len, after_len;

	append(f, "web1", "2026-11-20T09:00:00.000000Z", "kept");
	before = unit_read(p20, &before_len);
	assert_non_null(before);

	t = store_begin(f->j, "web1", NULL);
	assert_non_null(t);
	r[0] = note("web1", "2026-11-20T10:00:00.000000Z", "dropped a");
	r[1] = note("web1", "2026-11-18T10:00:00.000000Z", "dropped b, in a new day directory");
	r[2] = note("web1", "2025-12-31T10:00:00.000000Z", "dropped c, in a new year directory");
	for (int i = 0; i < 3; i++)
		assert_int_equal(store_add(t, r[i]), 0);
	assert_true(exists(d18));
	assert_true(exists(y2025));
	store_abort(t);

	after = unit_read(p20, &after_len);
	assert_int_equal(after_len, before_len);
	assert_memory_equal(after, before, before_len);
	/* what the transaction created is gone, down to its directories */
	assert_false(exists(d18));
	assert_false(exists(y2025));

	/* the next record links to the head before the transaction */
	append(f, "web1", "2026-11-20T11:00:00.000000Z", "after the abort");
	lines_read(p20, &l);
	assert_int_equal(l.n, 2);
	check_line(l.line[0], l.len[0], "web1", 1, GENESIS, h1);
	check_line(l.line[1], l.len[1], "web1", 2, h1, h2);
	check_text(l.line[1], l.len[1], "after the abort");
	lines_free(&l);
	for (int i = 0; i < 3; i++)
		rec_free(r[i]);
	free(before);
	free(after);
	free(p20);
	free(d18);
	free(y2025);
}

static void a_record_of_another_host_is_refused(void **state)
{
	struct fixture *f = *state;
	struct store_txn *t = store_begin(f->j, "web1", NULL);
	struct record *r = note("db1", "2026-11-20T10:00:00.000000Z", "wrong chain");
	char *p = day_file(f, "2026_11_20", "db1");

	assert_non_null(t);
	assert_int_equal(store_add(t, r), -1);
	assert_non_null(strstr(errget(), "'db1'"));
	assert_int_equal(store_commit(t), 0);
	assert_false(exists(p));
	/* and a host name that cannot name a file never gets a lock */
	assert_null(store_begin(f->j, "../web1", NULL));
	assert_non_null(strstr(errget(), "bad host name"));
	rec_free(r);
	free(p);
}

/* ---- the chain head cache ---- */

/* the cache line store.c documents, for the head line of rel */
static char *cache_line(char state, int64_t seq, const char *hash, const char *rel, long long size)
{
	char *boot = unit_read("/proc/sys/kernel/random/boot_id", NULL);
	char *s;

	assert_non_null(boot);
	boot[strcspn(boot, "\n")] = '\0';
	s = xasprintf("logbook-chain 1 %c %s %lld %s %s %lld\n", state, boot, (long long)seq, hash, rel, size);
	free(boot);
	return s;
}

static void chain_head_is_recovered_from_the_files_without_the_cache(void **state)
{
	struct fixture *f = *state;
	char *p20 = day_file(f, "2026_11_20", "web1");
	char *p19 = day_file(f, "2026_11_19", "web1");
	char *p18 = day_file(f, "2026_11_18", "web1");
	char *cache = state_file(f, "chain/web1");
	char h[REC_HASH_LEN + 1], h5[REC_HASH_LEN + 1], *expect, *got;
	struct lines l18, l19;
	struct stat st;

	/* the head ends up in the file of the oldest day: the highest seq wins, not the newest day */
	append(f, "web1", "2026-11-20T10:00:00.000000Z", "1");
	append(f, "web1", "2026-11-18T10:00:00.000000Z", "2");
	append(f, "web1", "2026-11-20T10:00:01.000000Z", "3");
	append(f, "web1", "2026-11-18T10:00:01.000000Z", "4");
	assert_int_equal(unlink(cache), 0);

	append(f, "web1", "2026-11-19T10:00:00.000000Z", "5");
	lines_read(p18, &l18);
	lines_read(p19, &l19);
	assert_int_equal(l18.n, 2);
	assert_int_equal(l19.n, 1);
	sha256_hex(l18.line[1], l18.len[1], h);
	check_line(l19.line[0], l19.len[0], "web1", 5, h, h5);

	/* the rescan left a clean cache naming the new head */
	assert_int_equal(stat(p19, &st), 0);
	expect = cache_line('C', 5, h5, "2026/2026_11_19/web1.jsonl", (long long)st.st_size);
	got = unit_read(cache, NULL);
	assert_non_null(got);
	assert_string_equal(got, expect);
	free(expect);
	free(got);
	lines_free(&l18);
	lines_free(&l19);
	free(p20);
	free(p19);
	free(p18);
	free(cache);
}

static void a_cache_that_does_not_match_the_files_is_not_trusted(void **state)
{
	struct fixture *f = *state;
	char *p = day_file(f, "2026_11_20", "web1");
	char *cache = state_file(f, "chain/web1");
	const char *fake = "abababababababababababababababababababababababababababababababab";
	const char *rel = "2026/2026_11_20/web1.jsonl";
	int64_t seq = 0, boots = 0;

	/*
	 * Each cache below claims seq 99 and a made-up hash: a writer that
	 * trusted it would write seq 100.  Only a rescan gives the right link.
	 */
	for (int variant = 0; variant < 9; variant++) {
		char text[32], hash[REC_HASH_LEN + 1], prev[REC_HASH_LEN + 1];
		char *bad = NULL;
		struct lines l;
		struct stat st;

		append(f, "web1", "2026-11-20T10:00:00.000000Z", "setting the head");
		seq++;
		assert_int_equal(stat(p, &st), 0);
		switch (variant) {
		case 0:	/* dirty: a writer died between its first write and its commit */
			bad = cache_line('D', 99, fake, rel, (long long)st.st_size);
			break;
		case 1:	/* the file has grown since */
			bad = cache_line('C', 99, fake, rel, (long long)st.st_size - 1);
			break;
		case 2:	/* names a file that is gone */
			bad = cache_line('C', 99, fake, "2026/2026_11_01/web1.jsonl", 0);
			break;
		case 3:	/* written before the last boot (power loss) */
			bad = xasprintf("logbook-chain 1 C 00000000-0000-0000-0000-000000000000 99 %s %s %lld\n",
					fake, rel, (long long)st.st_size);
			break;
		case 4:	/* a hash that is not one */
			bad = cache_line('C', 99, "abab", rel, (long long)st.st_size);
			break;
		case 5:	/* another format version */
			bad = cache_line('C', 99, fake, rel, (long long)st.st_size);
			bad[14] = '2';
			break;
		case 6:
			bad = xstrdup("\x01\xff garbage \n\n 99 99 99");
			break;
		case 7:
			bad = xstrdup("");
			break;
		case 8:	/* an unknown state */
			bad = cache_line('X', 99, fake, rel, (long long)st.st_size);
			break;
		}
		unit_write(cache, bad, strlen(bad), 0);
		free(bad);

		snprintf(text, sizeof text, "after variant %d", variant);
		append(f, "web1", "2026-11-20T10:00:00.000000Z", text);
		seq++;
		/*
		 * Another boot, and the host's records are older than this one
		 * (main's $LOGBOOK_BTIME): the reboot is filed first, on the day
		 * the boot began, and the note links to it.
		 */
		if (variant == 3) {
			seq++;
			boots++;
		}
		lines_read(p, &l);
		assert_int_equal(l.n, (size_t)(seq - boots));
		sha256_hex(l.line[l.n - 2], l.len[l.n - 2], prev);
		if (variant == 3) {
			char *boot_day = day_file(f, "2026_11_21", "web1");
			struct lines b;
			struct record *up;
			lines_read(boot_day, &b);
			assert_int_equal(b.n, 1);
			up = rec_parse(b.line[0], b.len[0], false);
			assert_non_null(up);
			assert_string_equal(up->kind, "boot");
			assert_string_equal(rec_get_str(up, "event", NULL), "up");
			assert_int_equal(up->seq, seq - 1);
			rec_free(up);
			sha256_hex(b.line[0], b.len[0], prev);
			lines_free(&b);
			free(boot_day);
		}
		check_line(l.line[l.n - 1], l.len[l.n - 1], "web1", seq, prev, hash);
		lines_free(&l);
	}
	free(p);
	free(cache);
}

static void a_writer_killed_mid_transaction_leaves_a_dirty_cache_and_the_next_one_rescans(void **state)
{
	struct fixture *f = *state;
	char *p = day_file(f, "2026_11_20", "web1");
	char *cache = state_file(f, "chain/web1");
	char h1[REC_HASH_LEN + 1], h2[REC_HASH_LEN + 1], h3[REC_HASH_LEN + 1];
	char *text;
	struct lines l;
	pid_t pid;

	append(f, "web1", "2026-11-20T10:00:00.000000Z", "1");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct journal *j = journal_open(f->dir);
		struct store_txn *t = j ? store_begin(j, "web1", NULL) : NULL;
		struct record *r = note("web1", "2026-11-20T10:00:01.000000Z", "2, never committed");
		if (!t || store_add(t, r) < 0)
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	assert_int_equal(wait_child(pid), 128 + SIGKILL);

	/* the cache says D: the line written is in the file, the head was not recorded */
	text = unit_read(cache, NULL);
	assert_non_null(text);
	assert_int_equal(strncmp(text, "logbook-chain 1 D ", 18), 0);
	free(text);

	append(f, "web1", "2026-11-20T10:00:02.000000Z", "3");
	lines_read(p, &l);
	assert_int_equal(l.n, 3);
	check_line(l.line[0], l.len[0], "web1", 1, GENESIS, h1);
	check_line(l.line[1], l.len[1], "web1", 2, h1, h2);
	check_line(l.line[2], l.len[2], "web1", 3, h2, h3);
	lines_free(&l);
	text = unit_read(cache, NULL);
	assert_int_equal(strncmp(text, "logbook-chain 1 C ", 18), 0);
	free(text);
	free(p);
	free(cache);
}

/* ---- torn lines ---- */

/* counts the lines store_scan_file gives, which must come numbered 1, 2, ... */
static int count_line(const char *line, size_t len, size_t lineno, void *arg)
{
	size_t *seen = arg;

	(void)line;
	(void)len;
	assert_int_equal(lineno, *seen + 1);
	(*seen)++;
	return 0;
}

static void torn_last_line_is_skipped_by_readers_and_cut_by_the_next_writer(void **state)
{
	struct fixture *f = *state;
	char *p = day_file(f, "2026_11_20", "web1");
	char *torn_dir = state_file(f, "torn");
	static const char torn[] = "{\"v\":1,\"kind\":\"no";
	char h1[REC_HASH_LEN + 1], h2[REC_HASH_LEN + 1], h3[REC_HASH_LEN + 1];
	struct store_warnings w = { 0 };
	struct store_day day;
	struct store_days days;
	struct lines l;
	size_t seen = 0;
	char *msg, *kept, *saved;
	size_t saved_len;
	DIR *d;
	struct dirent *e;

	append(f, "web1", "2026-11-20T10:00:00.000000Z", "1");
	append(f, "web1", "2026-11-20T10:00:01.000000Z", "2");
	unit_write(p, torn, strlen(torn), 1);

	/* readers see the complete lines only, and say nothing: a writer may be at work */
	assert_int_equal(store_scan_file(p, count_line, &seen), 0);
	assert_int_equal(seen, 2);
	assert_int_equal(store_load_day(f->j, "2026_11_20", &day, false), 0);
	assert_int_equal(day.n, 2);
	assert_int_equal(day.warnings.n, 0);
	store_day_free(&day);
	assert_int_equal(store_list_days(f->j, &days), 0);
	assert_int_equal(days.n, 1);
	assert_int_equal(days.days[0].counts[0], 2);
	store_days_free(&days);

	assert_int_equal(append_w(f, "web1", "2026-11-20T10:00:02.000000Z", "3", &w), 0);
	assert_int_equal(w.n, 1);
	msg = xasprintf("%s/2026/2026_11_20/web1.jsonl: cut a torn last line (%zu bytes, kept in %s/.state/torn/",
			f->dir, strlen(torn), f->dir);
	assert_int_equal(strncmp(w.msgs[0], msg, strlen(msg)), 0);
	free(msg);
	store_warnings_free(&w);

	lines_read(p, &l);
	assert_null(l.torn);
	assert_int_equal(l.n, 3);
	check_line(l.line[0], l.len[0], "web1", 1, GENESIS, h1);
	check_line(l.line[1], l.len[1], "web1", 2, h1, h2);
	check_line(l.line[2], l.len[2], "web1", 3, h2, h3);
	lines_free(&l);

	/* the cut bytes are kept, exactly, under .state/torn/ */
	assert_int_equal(count_entries(torn_dir), 1);
	d = opendir(torn_dir);
	assert_non_null(d);
	while ((e = readdir(d)) && e->d_name[0] == '.')
		;
	assert_non_null(e);
	assert_int_equal(strncmp(e->d_name, "2026_2026_11_20_web1.jsonl.", 27), 0);
	kept = xasprintf("%s/%s", torn_dir, e->d_name);
	closedir(d);
	saved = unit_read(kept, &saved_len);
	assert_non_null(saved);
	assert_int_equal(saved_len, strlen(torn));
	assert_memory_equal(saved, torn, saved_len);
	free(saved);
	free(kept);
	free(torn_dir);
	free(p);
}

static void a_file_holding_only_a_torn_line_is_cut_to_empty(void **state)
{
	struct fixture *f = *state;
	char *p20 = day_file(f, "2026_11_20", "web1");
	char *p18 = day_file(f, "2026_11_18", "web1");
	char *d18 = xasprintf("%s/2026/2026_11_18", f->dir);
	char h1[REC_HASH_LEN + 1], h2[REC_HASH_LEN + 1];
	struct store_warnings w = { 0 };
	struct lines l;

	append(f, "web1", "2026-11-20T10:00:00.000000Z", "1");
	assert_int_equal(mkdir(d18, 0750), 0);
	unit_write(p18, "{\"v\":1", 6, 0);

	assert_int_equal(append_w(f, "web1", "2026-11-18T10:00:00.000000Z", "2", &w), 0);
	assert_int_equal(w.n, 1);
	store_warnings_free(&w);
	lines_read(p18, &l);
	assert_int_equal(l.n, 1);
	assert_null(l.torn);
	lines_free(&l);
	lines_read(p20, &l);
	check_line(l.line[0], l.len[0], "web1", 1, GENESIS, h1);
	lines_free(&l);
	lines_read(p18, &l);
	check_line(l.line[0], l.len[0], "web1", 2, h1, h2);
	lines_free(&l);
	free(p20);
	free(p18);
	free(d18);
}

/* 20th: 1, 18th: 2, 20th: 3, then a torn line at the end of the 18th's file */
static void torn_older_file(struct fixture *f, const char *p18)
{
	append(f, "web1", "2026-11-20T10:00:00.000000Z", "1");
	append(f, "web1", "2026-11-18T10:00:00.000000Z", "2");
	append(f, "web1", "2026-11-20T10:00:01.000000Z", "3");
	unit_write(p18, "{\"v\":1,\"ki", 11, 1);
}

static void torn_line_in_an_older_day_file_is_cut_when_that_file_is_written(void **state)
{
	struct fixture *f = *state;
	char *p20 = day_file(f, "2026_11_20", "web1");
	char *p18 = day_file(f, "2026_11_18", "web1");
	char h[REC_HASH_LEN + 1], h5[REC_HASH_LEN + 1];
	struct store_warnings w = { 0 };
	struct store_day day;
	struct lines l18, l20;

	torn_older_file(f, p18);

	/*
	 * The head's file did not change, so the cache holds and the 18th's
	 * file is not looked at: its torn line stays, skipped by readers.
	 */
	assert_int_equal(append_w(f, "web1", "2026-11-20T10:00:02.000000Z", "4", &w), 0);
	assert_int_equal(w.n, 0);
	lines_read(p18, &l18);
	assert_non_null(l18.torn);
	lines_free(&l18);
	assert_int_equal(store_load_day(f->j, "2026_11_18", &day, false), 0);
	assert_int_equal(day.n, 1);
	assert_int_equal(day.warnings.n, 0);
	store_day_free(&day);

	/* writing to that file cuts it first */
	assert_int_equal(append_w(f, "web1", "2026-11-18T11:00:00.000000Z", "5", &w), 0);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.msgs[0], "2026_11_18/web1.jsonl: cut a torn last line (11 bytes"));
	store_warnings_free(&w);
	lines_read(p18, &l18);
	lines_read(p20, &l20);
	assert_null(l18.torn);
	assert_int_equal(l18.n, 2);
	assert_int_equal(l20.n, 3);
	sha256_hex(l20.line[2], l20.len[2], h);
	check_line(l18.line[1], l18.len[1], "web1", 5, h, h5);
	lines_free(&l18);
	lines_free(&l20);
	free(p20);
	free(p18);
}

static void torn_line_in_an_older_day_file_is_cut_by_a_rescan(void **state)
{
	struct fixture *f = *state;
	char *p20 = day_file(f, "2026_11_20", "web1");
	char *p18 = day_file(f, "2026_11_18", "web1");
	char *cache = state_file(f, "chain/web1");
	char h[REC_HASH_LEN + 1], h4[REC_HASH_LEN + 1];
	struct store_warnings w = { 0 };
	struct lines l18, l20;

	torn_older_file(f, p18);
	assert_int_equal(unlink(cache), 0);

	assert_int_equal(append_w(f, "web1", "2026-11-20T10:00:02.000000Z", "4", &w), 0);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.msgs[0], "2026_11_18/web1.jsonl: cut a torn last line (11 bytes"));
	store_warnings_free(&w);
	lines_read(p18, &l18);
	lines_read(p20, &l20);
	assert_null(l18.torn);
	assert_int_equal(l18.n, 1);
	assert_int_equal(l20.n, 3);
	sha256_hex(l20.line[1], l20.len[1], h);
	check_line(l20.line[2], l20.len[2], "web1", 4, h, h4);
	lines_free(&l18);
	lines_free(&l20);
	free(p20);
	free(p18);
	free(cache);
}

static void long_lines_are_found_and_cut_across_read_chunks(void **state)
{
	struct fixture *f = *state;
	char *p = day_file(f, "2026_11_20", "web1");
	char *cache = state_file(f, "chain/web1");
	/* past the 64 KiB the store reads at a time from the end of a file */
	size_t big = 200 * 1024;
	char *text = xmalloc(big + 1), *torn = xmalloc(big + 1);
	char h1[REC_HASH_LEN + 1], h2[REC_HASH_LEN + 1], h3[REC_HASH_LEN + 1];
	struct store_warnings w = { 0 };
	struct lines l;

	memset(text, 't', big);
	text[big] = '\0';
	memset(torn, 'x', big);
	torn[0] = '{';
	append(f, "web1", "2026-11-20T10:00:00.000000Z", "1");
	append(f, "web1", "2026-11-20T10:00:01.000000Z", text);
	unit_write(p, torn, big, 1);
	assert_int_equal(unlink(cache), 0);

	assert_int_equal(append_w(f, "web1", "2026-11-20T10:00:02.000000Z", "3", &w), 0);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.msgs[0], "cut a torn last line (204800 bytes"));
	store_warnings_free(&w);
	lines_read(p, &l);
	assert_null(l.torn);
	assert_int_equal(l.n, 3);
	check_line(l.line[0], l.len[0], "web1", 1, GENESIS, h1);
	check_line(l.line[1], l.len[1], "web1", 2, h1, h2);
	check_line(l.line[2], l.len[2], "web1", 3, h2, h3);
	check_text(l.line[1], l.len[1], text);
	lines_free(&l);
	free(text);
	free(torn);
	free(cache);
	free(p);
}

static void a_damaged_last_line_is_passed_over_by_a_rescan(void **state)
{
	struct fixture *f = *state;
	char *p = day_file(f, "2026_11_20", "web1");
	char h[REC_HASH_LEN + 1], h3[REC_HASH_LEN + 1];
	struct lines l;

	append(f, "web1", "2026-11-20T10:00:00.000000Z", "1");
	append(f, "web1", "2026-11-20T10:00:01.000000Z", "2");
	/* complete but no record: the head stays the last record */
	unit_write(p, "{\"v\":1}\n", 9, 1);
	append(f, "web1", "2026-11-20T10:00:02.000000Z", "3");
	lines_read(p, &l);
	assert_int_equal(l.n, 4);
	sha256_hex(l.line[1], l.len[1], h);
	check_line(l.line[3], l.len[3], "web1", 3, h, h3);
	lines_free(&l);
	free(p);
}

/* ---- readers ---- */

static void a_damaged_line_is_reported_with_file_and_line_and_the_rest_is_loaded(void **state)
{
	struct fixture *f = *state;
	char *p = day_file(f, "2026_11_20", "web1");
	char h[REC_HASH_LEN + 1], h6[REC_HASH_LEN + 1], *expect;
	struct store_day day;
	struct lines l;
	struct buf b = BUF_INIT;

	append(f, "web1", "2026-11-20T10:00:00.000000Z", "1");
	append(f, "web1", "2026-11-20T10:00:01.000000Z", "2");
	append(f, "web1", "2026-11-20T10:00:02.000000Z", "3");
	/* line 2 broken JSON, line 4 JSON that is no record: the records stay at lines 1, 3, 5 */
	lines_read(p, &l);
	buf_add(&b, l.line[0], l.len[0]);
	buf_adds(&b, "\n{\"v\":1,\"kind\":\"note\",oops\n");
	buf_add(&b, l.line[1], l.len[1]);
	buf_adds(&b, "\n{\"v\":1,\"kind\":\"note\"}\n");
	buf_add(&b, l.line[2], l.len[2]);
	buf_addc(&b, '\n');
	lines_free(&l);
	unit_write(p, b.data, b.len, 0);
	buf_release(&b);

	assert_int_equal(store_load_day(f->j, "2026_11_20", &day, false), 0);
	assert_int_equal(day.n, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(day.recs[i]->seq, (int64_t)i + 1);
		assert_int_equal(day.recs[i]->lineno, 2 * i + 1);
	}
	assert_int_equal(day.warnings.n, 2);
	expect = xasprintf("%s:2: invalid JSON", p);
	assert_int_equal(strncmp(day.warnings.msgs[0], expect, strlen(expect)), 0);
	free(expect);
	expect = xasprintf("%s:4: ", p);
	assert_int_equal(strncmp(day.warnings.msgs[1], expect, strlen(expect)), 0);
	assert_non_null(strstr(day.warnings.msgs[1], "\"time\""));
	free(expect);
	store_day_free(&day);

	/* the same day as lines, as show reads it: the same records, places and warnings */
	{
		struct store_day_lines dl;
		assert_int_equal(store_day_lines_load(f->j, "2026_11_20", &dl), 0);
		assert_int_equal(dl.n, 3);
		assert_int_equal(dl.warnings.n, 2);
		for (size_t i = 0; i < 3; i++) {
			const char *line, *path;
			size_t len, lineno;
			struct record *r;
			store_day_line(&dl, i, &line, &len, &path, &lineno);
			assert_string_equal(path, p);
			assert_int_equal(lineno, 2 * i + 1);
			r = rec_parse(line, len, false);
			assert_non_null(r);
			assert_int_equal(r->seq, (int64_t)i + 1);
			rec_free(r);
		}
		store_day_lines_free(&dl);
	}

	/*
	 * Kept parsed (show's usual day): the same lines, places and warnings,
	 * each with the record its line parses to; a day of more lines than the
	 * limit (5 here, damaged ones included) keeps none.
	 */
	for (size_t max = 0; max <= 6; max++) {
		struct store_day_lines dl;
		assert_int_equal(store_day_lines_load_parsed(f->j, "2026_11_20", max, &dl), 0);
		assert_int_equal(dl.n, 3);
		assert_int_equal(dl.warnings.n, 2);
		for (size_t i = 0; i < 3; i++) {
			const char *line, *path;
			size_t len, lineno;
			const struct record *kept = store_day_line_record(&dl, i);
			struct record *r;
			store_day_line(&dl, i, &line, &len, &path, &lineno);
			assert_int_equal(lineno, 2 * i + 1);
			if (max < 5) {
				assert_null(kept);
				continue;
			}
			assert_non_null(kept);
			r = rec_parse(line, len, false);
			assert_non_null(r);
			assert_true(json_equal(rec_obj(r), rec_obj(kept)));
			assert_int_equal(kept->seq, r->seq);
			assert_string_equal(kept->path, p);
			assert_int_equal(kept->lineno, lineno);
			rec_free(r);
		}
		store_day_lines_free(&dl);
	}

	/* the chain goes on from the last record */
	append(f, "web1", "2026-11-20T10:00:03.000000Z", "4");
	lines_read(p, &l);
	assert_int_equal(l.n, 6);
	sha256_hex(l.line[4], l.len[4], h);
	check_line(l.line[5], l.len[5], "web1", 4, h, h6);
	lines_free(&l);
	free(p);
}

static void a_record_in_another_hosts_file_is_reported(void **state)
{
	struct fixture *f = *state;
	char *pw = day_file(f, "2026_11_20", "web1");
	char *pd = day_file(f, "2026_11_20", "db1");
	char *expect;
	struct store_day day;
	struct lines l;

	append(f, "web1", "2026-11-20T10:00:00.000000Z", "web1's");
	append(f, "db1", "2026-11-20T10:00:01.000000Z", "db1's");
	/* db1's record copied into web1's file, as a bad merge or a careless admin would */
	lines_read(pd, &l);
	unit_write(pw, l.line[0], l.len[0], 1);
	unit_write(pw, "\n", 1, 1);
	lines_free(&l);

	assert_int_equal(store_load_day(f->j, "2026_11_20", &day, false), 0);
	assert_int_equal(day.n, 2);
	assert_string_equal(day.recs[0]->host, "web1");
	assert_string_equal(day.recs[1]->host, "db1");
	assert_string_equal(day.recs[1]->path, pd);
	assert_int_equal(day.warnings.n, 1);
	expect = xasprintf("%s:2: record of host 'db1' in the file of host 'web1'", pw);
	assert_string_equal(day.warnings.msgs[0], expect);
	free(expect);
	store_day_free(&day);
	free(pw);
	free(pd);
}

static void a_day_is_loaded_in_time_then_host_then_seq_order(void **state)
{
	struct fixture *f = *state;
	char *pw = day_file(f, "2026_11_20", "web1");
	struct store_day day;
	struct lines l;
	static const struct { const char *host; int64_t seq; const char *text; } want[] = {
		{ "db1", 2, "db1 at :01" },
		{ "web1", 2, "web1 at :01" },
		{ "web1", 3, "web1 at :01 again" },
		{ "db1", 1, "db1 at :02" },
		{ "web1", 1, "web1 at :03" },
	};

	append(f, "web1", "2026-11-20T10:00:03.000000Z", "web1 at :03");
	append(f, "web1", "2026-11-20T10:00:01.000000Z", "web1 at :01");
	append(f, "db1", "2026-11-20T10:00:02.000000Z", "db1 at :02");
	append(f, "web1", "2026-11-20T10:00:01.000000Z", "web1 at :01 again");
	append(f, "db1", "2026-11-20T10:00:01.000000Z", "db1 at :01");
	/* another day's record is not part of this page */
	append(f, "web1", "2026-11-21T00:00:00.000000Z", "tomorrow");
	/*
	 * web1's lines reversed by hand, so that neither file order nor a
	 * stable sort can pass for the order by seq
	 */
	lines_read(pw, &l);
	assert_int_equal(l.n, 3);
	{
		struct buf b = BUF_INIT;
		for (size_t i = l.n; i-- > 0;) {
			buf_add(&b, l.line[i], l.len[i]);
			buf_addc(&b, '\n');
		}
		unit_write(pw, b.data, b.len, 0);
		buf_release(&b);
	}
	lines_free(&l);

	assert_int_equal(store_load_day(f->j, "2026_11_20", &day, true), 0);
	assert_int_equal(day.n, 5);
	assert_int_equal(day.npaths, 2);
	assert_int_equal(day.warnings.n, 0);
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(day.recs[i]->host, want[i].host);
		assert_int_equal(day.recs[i]->seq, want[i].seq);
		assert_string_equal(rec_get_str(day.recs[i], "text", NULL), want[i].text);
	}
	/* keep_lines: the bytes as stored, with where they were */
	lines_read(pw, &l);
	assert_string_equal(day.recs[4]->path, pw);
	assert_int_equal(day.recs[4]->lineno, 3);
	assert_int_equal(day.recs[4]->line_len, l.len[2]);
	assert_memory_equal(day.recs[4]->line, l.line[2], l.len[2]);
	lines_free(&l);
	store_day_free(&day);
	free(pw);
}

static void a_day_without_records_loads_empty_and_a_bad_day_name_fails(void **state)
{
	struct fixture *f = *state;
	struct store_day day;
	struct store_days days;

	assert_int_equal(store_load_day(f->j, "2026_11_20", &day, false), 0);
	assert_int_equal(day.n, 0);
	assert_int_equal(day.warnings.n, 0);
	store_day_free(&day);
	assert_int_equal(store_load_day(f->j, "2026_02_30", &day, false), -1);
	assert_non_null(strstr(errget(), "2026_02_30"));
	assert_int_equal(store_load_day(f->j, "../../etc", &day, false), -1);
	assert_int_equal(store_list_days(f->j, &days), 0);
	assert_int_equal(days.n, 0);
	store_days_free(&days);
}

static void days_are_listed_newest_first_with_counts_per_host(void **state)
{
	struct fixture *f = *state;
	char *junk = xasprintf("%s/2026/2026_11_20/notes.txt", f->dir);
	char *p = day_file(f, "2026_11_20", "web1");
	char *empty_day = xasprintf("%s/2026/2026_11_19", f->dir);
	char *not_a_day = xasprintf("%s/2026/2026_13_01", f->dir);
	struct store_days days;

	append(f, "web1", "2026-11-18T10:00:00.000000Z", "a");
	append(f, "web1", "2026-11-20T10:00:00.000000Z", "b");
	append(f, "db1", "2026-11-20T10:00:00.000000Z", "c");
	append(f, "web1", "2026-11-20T10:00:01.000000Z", "d");
	append(f, "db1", "2025-12-31T10:00:00.000000Z", "e");
	append(f, "app-2.example", "2026-11-20T10:00:00.000000Z", "f");
	/* not counted: other files, a torn line, a day without files, a name that is no day */
	unit_write(junk, "x\n", 2, 0);
	unit_write(p, "{\"torn", 6, 1);
	assert_int_equal(mkdir(empty_day, 0750), 0);
	assert_int_equal(mkdir(not_a_day, 0750), 0);

	assert_int_equal(store_list_days(f->j, &days), 0);
	assert_int_equal(days.warnings.n, 0);
	assert_int_equal(days.n, 3);
	assert_string_equal(days.days[0].day, "2026_11_20");
	assert_int_equal(days.days[0].n, 3);
	assert_string_equal(days.days[0].hosts[0], "app-2.example");
	assert_string_equal(days.days[0].hosts[1], "db1");
	assert_string_equal(days.days[0].hosts[2], "web1");
	assert_int_equal(days.days[0].counts[0], 1);
	assert_int_equal(days.days[0].counts[1], 1);
	assert_int_equal(days.days[0].counts[2], 2);
	assert_string_equal(days.days[1].day, "2026_11_18");
	assert_int_equal(days.days[1].n, 1);
	assert_string_equal(days.days[1].hosts[0], "web1");
	assert_int_equal(days.days[1].counts[0], 1);
	assert_string_equal(days.days[2].day, "2025_12_31");
	assert_string_equal(days.days[2].hosts[0], "db1");
	store_days_free(&days);
	free(junk);
	free(p);
	free(empty_day);
	free(not_a_day);
}

static int stop_after_first(const char *line, size_t len, size_t lineno, void *arg)
{
	(void)line;
	(void)len;
	*(size_t *)arg = lineno;
	return 1;
}

static void scan_stops_when_asked_and_refuses_what_is_not_a_record_file(void **state)
{
	struct fixture *f = *state;
	char *p = day_file(f, "2026_11_20", "web1");
	char *link = xasprintf("%s/2026/2026_11_20/db1.jsonl", f->dir);
	char *missing = day_file(f, "2026_11_21", "web1");
	size_t last = 0;
	struct store_day day;
	struct store_days days;

	append(f, "web1", "2026-11-20T10:00:00.000000Z", "1");
	append(f, "web1", "2026-11-20T10:00:01.000000Z", "2");
	assert_int_equal(store_scan_file(p, stop_after_first, &last), 0);
	assert_int_equal(last, 1);
	assert_int_equal(store_scan_file(missing, stop_after_first, &last), -1);
	assert_non_null(strstr(errget(), missing));

	/* a symlink (to a device, say) is skipped with a warning, not read without end */
	assert_int_equal(symlink("/dev/zero", link), 0);
	assert_int_equal(store_scan_file(link, stop_after_first, &last), -1);
	assert_int_equal(store_load_day(f->j, "2026_11_20", &day, false), 0);
	assert_int_equal(day.n, 2);
	assert_int_equal(day.warnings.n, 1);
	assert_non_null(strstr(day.warnings.msgs[0], "db1.jsonl: a symbolic link"));
	store_day_free(&day);
	assert_int_equal(store_list_days(f->j, &days), 0);
	assert_int_equal(days.n, 1);
	assert_int_equal(days.warnings.n, 1);
	assert_non_null(strstr(days.warnings.msgs[0], "db1.jsonl: a symbolic link"));
	store_days_free(&days);
	free(p);
	free(link);
	free(missing);
}

static void host_names_must_be_file_names(void **state)
{
	char name[STORE_HOST_MAX + 2];
	char *rel;

	(void)state;
	assert_true(store_valid_host("web1"));
	assert_true(store_valid_host("web-1.example_org"));
	assert_true(store_valid_host("0"));
	assert_false(store_valid_host(""));
	assert_false(store_valid_host(".hidden"));
	assert_false(store_valid_host("-x"));
	assert_false(store_valid_host("a/b"));
	assert_false(store_valid_host("a b"));
	assert_false(store_valid_host("h\xc3\xa9"));
	memset(name, 'a', STORE_HOST_MAX);
	name[STORE_HOST_MAX] = '\0';
	assert_true(store_valid_host(name));
	name[STORE_HOST_MAX] = 'a';
	name[STORE_HOST_MAX + 1] = '\0';
	assert_false(store_valid_host(name));
	rel = store_file_rel("2026_11_20", "web1");
	assert_string_equal(rel, "2026/2026_11_20/web1.jsonl");
	free(rel);
}

/* ---- several writers, and writing that fails ---- */

#define WRITERS 4
#define NOTES 100

/* a child: no cmocka assertion here, the exit status says how it went */
static int writer(const char *dir, int id, int64_t base)
{
	struct journal *j = journal_open(dir);

	if (!j)
		return 1;
	for (int i = 0; i < NOTES; i++) {
		char text[32];
		struct record *r = rec_new("note", base + i, "web1", "alice", "root", "s1");
		snprintf(text, sizeof text, "writer %d note %d", id, i);
		rec_set_text(r, "text", text, strlen(text));
		if (store_append(j, r, NULL) < 0) {
			fprintf(stderr, "writer %d: %s\n", id, errget());
			return 1;
		}
		rec_free(r);
	}
	journal_close(j);
	return 0;
}

static void writers_at_once_on_one_host_keep_one_chain_without_gaps(void **state)
{
	struct fixture *f = *state;
	char *p = day_file(f, "2026_11_20", "web1");
	char prev[REC_HASH_LEN + 1], hash[REC_HASH_LEN + 1];
	int next[WRITERS] = { 0 };
	pid_t pids[WRITERS];
	int64_t base = at("2026-11-20T10:00:00.000000Z");
	struct lines l;

	for (int i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(writer(f->dir, i, base));
	}
	for (int i = 0; i < WRITERS; i++)
		assert_int_equal(wait_child(pids[i]), 0);

	/* one file, so the lines are in write order: seq 1..400, each linked to the line before */
	lines_read(p, &l);
	assert_null(l.torn);
	assert_int_equal(l.n, WRITERS * NOTES);
	memcpy(prev, GENESIS, sizeof prev);
	for (size_t i = 0; i < l.n; i++) {
		struct record *r = rec_parse(l.line[i], l.len[i], false);
		const char *text;
		int id, n;

		check_line(l.line[i], l.len[i], "web1", (int64_t)i + 1, prev, hash);
		memcpy(prev, hash, sizeof prev);
		/* and each writer's notes are all there, in its order */
		assert_non_null(r);
		text = rec_get_str(r, "text", NULL);
		assert_int_equal(sscanf(text, "writer %d note %d", &id, &n), 2);
		assert_true(id >= 0 && id < WRITERS);
		assert_int_equal(n, next[id]);
		next[id]++;
		rec_free(r);
	}
	for (int i = 0; i < WRITERS; i++)
		assert_int_equal(next[i], NOTES);
	lines_free(&l);
	free(p);
}

static void a_writer_gives_up_on_a_lock_held_too_long(void **state)
{
	struct fixture *f = *state;
	int ready[2], go[2];
	char c, *msg;
	pid_t pid;
	struct store_txn *t;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct journal *j = journal_open(f->dir);
		struct store_txn *held = j ? store_begin(j, "web1", NULL) : NULL;
		close(ready[0]);
		close(go[1]);
		if (!held)
			_exit(1);
		/* hold the lock until the parent has given up */
		if (write(ready[1], "x", 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(2);
		store_abort(held);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);

	t = store_begin_wait(f->j, "web1", 1, NULL);
	msg = xstrdup(errget());
	/* let the child go before any assertion can leave this function */
	close(go[1]);
	close(ready[0]);
	assert_int_equal(wait_child(pid), 0);

	assert_null(t);
	assert_non_null(strstr(msg, "lock"));
	assert_non_null(strstr(msg, "giving up"));
	free(msg);
	/* released: the next writer gets it */
	t = store_begin(f->j, "web1", NULL);
	assert_non_null(t);
	store_abort(t);
}

/* in a child: store_append with the file size limit just past the current end */
static int append_over_limit(struct fixture *f, const char *path, int out)
{
	struct rlimit rl;
	struct stat st;
	struct record *r = note("web1", "2026-11-20T10:00:01.000000Z",
				"this line does not fit under the file size limit");
	int rc;

	if (stat(path, &st) < 0)
		return 10;
	signal(SIGXFSZ, SIG_IGN);
	/* a few bytes of the line fit: the store must not leave them behind */
	rl.rlim_cur = rl.rlim_max = (rlim_t)st.st_size + 10;
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
		return 11;
	rc = store_append(f->j, r, NULL);
	if (write(out, errget(), strlen(errget())) < 0)
		return 12;
	rec_free(r);
	return rc == -1 ? 0 : 13;
}

static void a_write_over_the_file_size_limit_fails_and_leaves_no_partial_line(void **state)
{
	struct fixture *f = *state;
	char *p = day_file(f, "2026_11_20", "web1");
	char h1[REC_HASH_LEN + 1], h2[REC_HASH_LEN + 1];
	char *before, *after, *msg, *expect;
	size_t before_len, after_len;
	char pad[400];
	int out[2];
	pid_t pid;
	struct lines l;

	/* longer than the chain cache's line, which the limit must not stop */
	memset(pad, 'p', sizeof pad - 1);
	pad[sizeof pad - 1] = '\0';
	append(f, "web1", "2026-11-20T10:00:00.000000Z", pad);
	before = unit_read(p, &before_len);
	assert_non_null(before);

	assert_int_equal(pipe(out), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(out[0]);
		_exit(append_over_limit(f, p, out[1]));
	}
	close(out[1]);
	msg = read_all_fd(out[0]);
	close(out[0]);
	assert_int_equal(wait_child(pid), 0);

	expect = xasprintf("%s/2026/2026_11_20/web1.jsonl: write: ", f->dir);
	assert_int_equal(strncmp(msg, expect, strlen(expect)), 0);
	assert_non_null(strstr(msg, strerror(EFBIG)));
	free(expect);
	free(msg);
	after = unit_read(p, &after_len);
	assert_int_equal(after_len, before_len);
	assert_memory_equal(after, before, before_len);

	/* nothing of the failed record remains in the chain */
	append(f, "web1", "2026-11-20T10:00:02.000000Z", "after the failure");
	lines_read(p, &l);
	assert_int_equal(l.n, 2);
	check_line(l.line[0], l.len[0], "web1", 1, GENESIS, h1);
	check_line(l.line[1], l.len[1], "web1", 2, h1, h2);
	lines_free(&l);
	free(before);
	free(after);
	free(p);
}

/*
 * in a child: store_append with three file descriptors left: enough to
 * take the lock (the walk below the journal's directory holds two at a
 * time), not enough for the walk that makes the new year's directories,
 * which fails after it made the year's
 */
static int append_out_of_descriptors(struct fixture *f, int out)
{
	struct record *r = note("web1", "2025-12-31T10:00:00.000000Z", "on a new year's page");
	struct rlimit rl;
	int fd = dup(0), rc;

	if (fd < 0)
		return 10;
	close(fd);
	/* fd is the lowest free descriptor */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 11;
	rl.rlim_cur = (rlim_t)fd + 3;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 11;
	rc = store_append(f->j, r, NULL);
	if (write(out, errget(), strlen(errget())) < 0)
		return 12;
	rec_free(r);
	return rc == -1 ? 0 : 13;
}

static void a_record_file_that_cannot_be_created_leaves_no_empty_directories(void **state)
{
	struct fixture *f = *state;
	char *y2025 = xasprintf("%s/2025", f->dir);
	char *expect, *msg;
	int out[2];
	pid_t pid;

	/* a first record, so that the child finds a clean cache and needs no rescan */
	append(f, "web1", "2026-11-20T10:00:00.000000Z", "1");
	assert_int_equal(pipe(out), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(out[0]);
		_exit(append_out_of_descriptors(f, out[1]));
	}
	close(out[1]);
	msg = read_all_fd(out[0]);
	close(out[0]);
	assert_int_equal(wait_child(pid), 0);
	expect = xasprintf("%s/2025: %s", f->dir, strerror(EMFILE));
	assert_string_equal(msg, expect);
	assert_false(exists(y2025));
	free(expect);
	free(msg);
	free(y2025);
}

/* in a child, as an unprivileged user when run as root: write into a read-only year */
static int append_read_only_year(struct fixture *f, const char *ydir, int out)
{
	int rc;

	if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0))
		return 77;
	if (append_w(f, "web1", "2026-11-20T10:00:00.000000Z", "1", NULL) < 0)
		return 10;
	if (chmod(ydir, 0500) < 0)
		return 11;
	rc = append_w(f, "web1", "2026-11-21T10:00:00.000000Z", "on a day that cannot be made", NULL);
	if (write(out, errget(), strlen(errget())) < 0)
		return 12;
	/* the parent may not be root: give it back a tree it can remove */
	if (chmod(ydir, 0750) < 0)
		return 13;
	return rc == -1 ? 0 : 14;
}

static void an_unwritable_journal_fails_with_a_clear_error(void **state)
{
	struct fixture *f = *state;
	char *ydir = xasprintf("%s/2026", f->dir);
	char *d21 = xasprintf("%s/2026/2026_11_21", f->dir);
	char *p = day_file(f, "2026_11_20", "web1");
	char *state_dir = xasprintf("%s/.state", f->dir);
	char *conf = xasprintf("%s/team.conf", f->dir);
	char h1[REC_HASH_LEN + 1], h2[REC_HASH_LEN + 1], *msg, *expect;
	int out[2], rc;
	pid_t pid;
	struct lines l;

	if (geteuid() == 0) {
		/* root ignores modes: the child drops to nobody, who owns this journal */
		assert_int_equal(chown(f->dir, 65534, 65534), 0);
		assert_int_equal(chown(state_dir, 65534, 65534), 0);
		assert_int_equal(chown(conf, 65534, 65534), 0);
	}
	assert_int_equal(pipe(out), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(out[0]);
		_exit(append_read_only_year(f, ydir, out[1]));
	}
	close(out[1]);
	msg = read_all_fd(out[0]);
	close(out[0]);
	rc = wait_child(pid);
	if (rc == 77) {
		free(msg);
		free(ydir);
		free(d21);
		free(p);
		free(state_dir);
		free(conf);
		skip();
	}
	assert_int_equal(rc, 0);
	expect = xasprintf("%s: %s", d21, strerror(EACCES));
	assert_string_equal(msg, expect);
	free(expect);
	free(msg);
	assert_false(exists(d21));

	/* the failed write left the chain as it was */
	append(f, "web1", "2026-11-20T10:00:01.000000Z", "2");
	lines_read(p, &l);
	assert_int_equal(l.n, 2);
	check_line(l.line[0], l.len[0], "web1", 1, GENESIS, h1);
	check_line(l.line[1], l.len[1], "web1", 2, h1, h2);
	lines_free(&l);
	free(ydir);
	free(d21);
	free(p);
	free(state_dir);
	free(conf);
}

/* what sync accepts from a host's ref: only that host's day files, in the layout store_file_rel writes */
static void file_of_a_host_is_exactly_the_layout_of_a_valid_day(void **state)
{
	(void)state;
	assert_true(store_is_file_of("2026/2026_03_01/web1.jsonl", "web1"));
	assert_false(store_is_file_of("2026/2026_03_01/web1.jsonl", "web"));
	assert_false(store_is_file_of("2026/2026_03_01/web1.jsonl", "web12"));
	assert_false(store_is_file_of("2025/2026_03_01/web1.jsonl", "web1"));	/* year of another day */
	assert_false(store_is_file_of("2026/2026_13_01/web1.jsonl", "web1"));	/* no such month */
	assert_false(store_is_file_of("2026/2026_03_01/web1.json", "web1"));
	assert_false(store_is_file_of("2026/2026_03_01/web1.jsonl.lock", "web1"));
	assert_false(store_is_file_of("2026/2026_03_01/../web1.jsonl", "web1"));
	assert_false(store_is_file_of("x/2026/2026_03_01/web1.jsonl", "web1"));
	assert_false(store_is_file_of("2026/2026_03_0", "web1"));
	assert_false(store_is_file_of("", "web1"));
	assert_false(store_is_file_of("team.conf", "web1"));
}


/*
 * A day big enough to be checked on several CPUs: the same lines in the
 * same order, and the warnings in the order the files are listed (c's,
 * b's, then a's, as one thread reading them in turn gives them), kept
 * parsed or not.
 */
static void a_big_day_loads_the_same_on_every_cpu(void **state)
{
	struct fixture *f = *state;
	const char *hosts[] = { "a", "b", "c" };
	enum { PER_HOST = 1000 };

	for (size_t h = 0; h < 3; h++) {
		struct store_txn *t = store_begin(f->j, hosts[h], NULL);
		assert_non_null(t);
		for (size_t i = 0; i < PER_HOST; i++) {
			char iso[40], text[32];
			/* the hosts' records interleave in time */
			snprintf(iso, sizeof iso, "2026-11-20T10:%02zu:%02zu.%06zuZ", i / 60 % 60, i % 60, h);
			snprintf(text, sizeof text, "n%zu", i);
			struct record *r = note(hosts[h], iso, text);
			assert_int_equal(store_add(t, r), 0);
			rec_free(r);
		}
		assert_int_equal(store_commit(t), 0);
	}
	/* b's line 500 damaged, c's line 700 another host's record, a's line 10 damaged */
	for (size_t h = 0; h < 3; h++) {
		char *path = day_file(f, "2026_11_20", hosts[h]);
		struct lines l;
		struct buf b = BUF_INIT;

		lines_read(path, &l);
		for (size_t i = 0; i < l.n; i++) {
			if ((h == 1 && i == 499) || (h == 0 && i == 9)) {
				buf_adds(&b, "{\"v\":1,oops");
			} else if (h == 2 && i == 699) {
				const char *at = strstr(l.line[i], "\"host\":\"c\"");
				assert_non_null(at);
				buf_add(&b, l.line[i], (size_t)(at - l.line[i]));
				buf_adds(&b, "\"host\":\"z\"");
				buf_add(&b, at + 10, l.len[i] - (size_t)(at + 10 - l.line[i]));
			} else {
				buf_add(&b, l.line[i], l.len[i]);
			}
			buf_addc(&b, '\n');
		}
		lines_free(&l);
		unit_write(path, b.data, b.len, 0);
		buf_release(&b);
		free(path);
	}
	for (size_t max = 0; max <= 5000; max += 5000) {
		struct store_day_lines dl;
		const char *prev_line = NULL;
		int64_t prev_time = 0;
		char *expect;

		assert_int_equal(store_day_lines_load_parsed(f->j, "2026_11_20", max, &dl), 0);
		assert_int_equal(dl.n, 3 * PER_HOST - 3);
		assert_int_equal(dl.warnings.n, 3);
		expect = xasprintf("%s/2026/2026_11_20/c.jsonl:700: record of host 'z' in the file of host 'c'", f->dir);
		assert_string_equal(dl.warnings.msgs[0], expect);
		free(expect);
		expect = xasprintf("%s/2026/2026_11_20/b.jsonl:500: ", f->dir);
		assert_int_equal(strncmp(dl.warnings.msgs[1], expect, strlen(expect)), 0);
		free(expect);
		expect = xasprintf("%s/2026/2026_11_20/a.jsonl:10: ", f->dir);
		assert_int_equal(strncmp(dl.warnings.msgs[2], expect, strlen(expect)), 0);
		free(expect);
		for (size_t i = 0; i < dl.n; i++) {
			const char *line, *path;
			size_t len, lineno;
			struct record *r;

			store_day_line(&dl, i, &line, &len, &path, &lineno);
			r = rec_parse(line, len, false);
			assert_non_null(r);
			/* in time order, each line at its place in its file */
			assert_true(r->time >= prev_time);
			assert_int_equal((size_t)r->seq, lineno);
			assert_true(line != prev_line);
			if (max) {
				assert_non_null(store_day_line_record(&dl, i));
				assert_true(json_equal(rec_obj(r), rec_obj(store_day_line_record(&dl, i))));
			} else {
				assert_null(store_day_line_record(&dl, i));
			}
			prev_time = r->time;
			prev_line = line;
			rec_free(r);
		}
		store_day_lines_free(&dl);
	}
}
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	/* this boot began after the fixtures' records of 2026-11-20 (a cache of another boot files a reboot) */
	setenv("LOGBOOK_BTIME", "1795219200", 1);
	const struct CMUnitTest tests[] = {
		T(a_big_day_loads_the_same_on_every_cpu),
		T(first_record_links_to_genesis_and_each_next_to_the_line_before),
		T(chain_follows_write_order_across_day_files),
		T(team_time_zone_decides_the_day_file),
		T(two_hosts_have_independent_chains),
		T(heads_of_other_hosts_are_the_last_records_of_their_newest_files),
		T(a_transaction_commits_several_records_in_one_chain),
		T(an_aborted_transaction_leaves_the_files_as_they_were),
		T(a_record_of_another_host_is_refused),
		T(chain_head_is_recovered_from_the_files_without_the_cache),
		T(a_cache_that_does_not_match_the_files_is_not_trusted),
		T(a_writer_killed_mid_transaction_leaves_a_dirty_cache_and_the_next_one_rescans),
		T(torn_last_line_is_skipped_by_readers_and_cut_by_the_next_writer),
		T(a_file_holding_only_a_torn_line_is_cut_to_empty),
		T(torn_line_in_an_older_day_file_is_cut_when_that_file_is_written),
		T(torn_line_in_an_older_day_file_is_cut_by_a_rescan),
		T(long_lines_are_found_and_cut_across_read_chunks),
		T(a_damaged_last_line_is_passed_over_by_a_rescan),
		T(a_damaged_line_is_reported_with_file_and_line_and_the_rest_is_loaded),
		T(a_record_in_another_hosts_file_is_reported),
		T(a_day_is_loaded_in_time_then_host_then_seq_order),
		T(a_day_without_records_loads_empty_and_a_bad_day_name_fails),
		T(days_are_listed_newest_first_with_counts_per_host),
		T(scan_stops_when_asked_and_refuses_what_is_not_a_record_file),
		T(host_names_must_be_file_names),
		T(writers_at_once_on_one_host_keep_one_chain_without_gaps),
		T(a_writer_gives_up_on_a_lock_held_too_long),
		T(a_write_over_the_file_size_limit_fails_and_leaves_no_partial_line),
		T(a_record_file_that_cannot_be_created_leaves_no_empty_directories),
		T(an_unwritable_journal_fails_with_a_clear_error),
		cmocka_unit_test(file_of_a_host_is_exactly_the_layout_of_a_valid_day),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
