/*
 * index: building the search index, updating it from what was appended,
 * rebuilding it when it is missing, damaged or of another format, and
 * queries that would be FTS5 syntax.  Every query is also answered by
 * index_scan (the files alone), and the two answers must be the same.
 */
#include "unit.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "journal/journal.h"
#include "journal/record.h"
#include "journal/store.h"
#include "view/index-int.h"
#include "view/index.h"

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
	if (!f->j)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	index_close();
	journal_close(f->j);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static int64_t at(const char *iso)
{
	int64_t us;

	assert_int_equal(day_time_parse(iso, strlen(iso), &us), 0);
	return us;
}

static void add(struct fixture *f, const char *kind, const char *iso, const char *host, const char *admin,
		const char *key, const char *text)
{
	struct record *r = rec_new(kind, at(iso), host, admin, "root", "s1");

	rec_set_text(r, key, text, strlen(text));
	if (store_append(f->j, r, NULL) < 0)
		fail_msg("store_append: %s", errget());
	rec_free(r);
}

/* a small journal: two hosts, three days */
static void plant(struct fixture *f)
{
	add(f, "cmd", "2025-01-02T10:00:00.000000Z", "web1", "alice", "cmd", "systemctl restart nginx");
	add(f, "note", "2025-01-03T11:00:00.000000Z", "web1", "alice", "text", "Moved the Backup script to /opt/bk");
	add(f, "cmd", "2025-01-03T12:00:00.000000Z", "db1", "bob", "cmd", "vacuumdb --all");
	add(f, "note", "2025-01-04T09:00:00.000000Z", "db1", "bob", "text", "say \"hi\" to a*b and NEAR(x y)");
	add(f, "change", "2025-01-04T10:00:00.000000Z", "db1", "bob", "path", "/etc/postgresql/pg_hba.conf");
}

static int collect(const struct index_hit *h, void *arg)
{
	struct buf *b = arg;

	buf_addf(b, "%s:%lld:%s;", h->host, (long long)h->seq, h->day);
	return 0;
}

/* the answer as "host:seq:day;..." from the index, checked against the scan */
static char *query(struct fixture *f, const struct index_query *q)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	assert_int_equal(index_search(f->j, q, collect, &a), 0);
	assert_int_equal(index_scan(f->j, q, collect, &b), 0);
	assert_string_equal(buf_str(&a), buf_str(&b));
	/* every method, the same answer */
	for (int m = INDEX_TRIGRAM; m <= INDEX_TEXT; m++) {
		struct index_query qm = *q;
		struct buf c = BUF_INIT;
		qm.method = (enum index_method)m;
		assert_int_equal(index_search(f->j, &qm, collect, &c), 0);
		assert_string_equal(buf_str(&c), buf_str(&b));
		buf_release(&c);
	}
	buf_release(&b);
	return buf_detach(&a, NULL);
}

static char *find(struct fixture *f, const char *text)
{
	struct index_query q = { .text = text };
	return query(f, &q);
}

static void expect(struct fixture *f, const char *text, const char *want)
{
	char *got = find(f, text);
	assert_string_equal(got, want);
	free(got);
}

static void index_path(struct fixture *f, char *out, size_t size)
{
	snprintf(out, size, "%s/%s", f->dir, INDEX_FILE);
}

static void build_indexes_every_record_and_finds_substrings(void **state)
{
	struct fixture *f = *state;
	struct index_stats st;

	plant(f);
	assert_int_equal(index_update(f->j, &st), 0);
	assert_true(st.rebuilt);
	assert_int_equal(st.records, 5);
	expect(f, "nginx", "web1:1:2025_01_02;");
	expect(f, "backup SCRIPT", "web1:2:2025_01_03;");
	expect(f, "pg_hba", "db1:3:2025_01_04;");
	/* newest first */
	expect(f, "a", "db1:3:2025_01_04;db1:2:2025_01_04;db1:1:2025_01_03;web1:2:2025_01_03;web1:1:2025_01_02;");
	assert_true(index_last_used);
	expect(f, "nothing like this", "");
}

static void filters_narrow_the_answer(void **state)
{
	struct fixture *f = *state;
	struct index_query q = { .text = "a" };
	char *got;

	plant(f);
	assert_int_equal(index_update(f->j, NULL), 0);
	q.host = "web1";
	got = query(f, &q);
	assert_string_equal(got, "web1:2:2025_01_03;web1:1:2025_01_02;");
	free(got);
	q = (struct index_query){ .admin = "bob", .kind = "cmd" };
	got = query(f, &q);
	assert_string_equal(got, "db1:1:2025_01_03;");
	free(got);
	q = (struct index_query){ .since = "2025_01_03", .until = "2025_01_03", .oldest_first = true };
	got = query(f, &q);
	assert_string_equal(got, "web1:2:2025_01_03;db1:1:2025_01_03;");
	free(got);
	q = (struct index_query){ .limit = 2 };
	got = query(f, &q);
	assert_string_equal(got, "db1:3:2025_01_04;db1:2:2025_01_04;");
	free(got);
}

static void update_reads_only_the_appended_bytes(void **state)
{
	struct fixture *f = *state;
	struct index_stats st;
	char path[4096];
	size_t before = 0, after = 0;
	char *data;

	plant(f);
	assert_int_equal(index_update(f->j, &st), 0);
	snprintf(path, sizeof path, "%s/2025/2025_01_04/db1.jsonl", f->dir);
	data = unit_read(path, &before);
	free(data);
	add(f, "note", "2025-01-04T12:00:00.000000Z", "db1", "bob", "text", "rotated the certificates");
	data = unit_read(path, &after);
	free(data);
	assert_int_equal(index_update(f->j, &st), 0);
	assert_false(st.rebuilt);
	assert_int_equal(st.records, 1);
	assert_int_equal(st.files_read, 1);
	assert_int_equal(st.bytes, after - before);
	expect(f, "certificates", "db1:4:2025_01_04;");
	/* nothing new: nothing read */
	assert_int_equal(index_update(f->j, &st), 0);
	assert_int_equal(st.bytes, 0);
	assert_int_equal(st.records, 0);
	/* a torn last line waits for its end */
	unit_write(path, "{\"v\":1", 6, 1);
	assert_int_equal(index_update(f->j, &st), 0);
	assert_int_equal(st.records, 0);
	expect(f, "certificates", "db1:4:2025_01_04;");
}

static void a_file_that_shrank_is_indexed_again(void **state)
{
	struct fixture *f = *state;
	struct index_stats st;
	char path[4096];
	size_t size = 0;
	char *data, *nl;

	plant(f);
	assert_int_equal(index_update(f->j, NULL), 0);
	snprintf(path, sizeof path, "%s/2025/2025_01_04/db1.jsonl", f->dir);
	data = unit_read(path, &size);
	nl = strchr(data, '\n');
	unit_write(path, data, (size_t)(nl - data) + 1, 0);
	free(data);
	assert_int_equal(index_update(f->j, &st), 0);
	assert_int_equal(st.records, 1);
	expect(f, "pg_hba", "");
	expect(f, "NEAR(", "db1:2:2025_01_04;");
}

static void rebuilt_when_the_file_is_deleted(void **state)
{
	struct fixture *f = *state;
	struct index_stats st;
	char path[4096];

	plant(f);
	assert_int_equal(index_update(f->j, NULL), 0);
	index_close();
	index_path(f, path, sizeof path);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(index_update(f->j, &st), 0);
	assert_true(st.rebuilt);
	assert_int_equal(st.records, 5);
	expect(f, "nginx", "web1:1:2025_01_02;");
}

static void rebuilt_when_the_file_is_garbage(void **state)
{
	struct fixture *f = *state;
	struct index_stats st;
	char path[4096], junk[8192];

	plant(f);
	assert_int_equal(index_update(f->j, NULL), 0);
	index_close();
	index_path(f, path, sizeof path);
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(i * 7 + 3);
	/* the database, and a write-ahead log beside it (a command killed with the index open leaves one) */
	unit_write(path, junk, sizeof junk, 0);
	strcat(path, "-wal");
	unit_write(path, junk, sizeof junk, 0);
	assert_int_equal(index_update(f->j, &st), 0);
	assert_true(st.rebuilt);
	assert_int_equal(st.records, 5);
	expect(f, "vacuumdb", "db1:1:2025_01_03;");
	assert_true(index_last_used);
}

static void rebuilt_when_its_format_is_older(void **state)
{
	struct fixture *f = *state;
	struct index_stats st;
	char path[4096];
	sqlite3 *db;

	plant(f);
	assert_int_equal(index_update(f->j, NULL), 0);
	index_close();
	index_path(f, path, sizeof path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE meta SET value = '0' WHERE key = 'format'", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(index_update(f->j, &st), 0);
	assert_true(st.rebuilt);
	assert_int_equal(st.records, 5);
}

static void fts_syntax_is_literal_text(void **state)
{
	struct fixture *f = *state;

	plant(f);
	assert_int_equal(index_update(f->j, NULL), 0);
	expect(f, "\"hi\"", "db1:2:2025_01_04;");
	expect(f, "say \"", "db1:2:2025_01_04;");
	expect(f, "\"", "db1:2:2025_01_04;");
	expect(f, "a*b", "db1:2:2025_01_04;");
	expect(f, "*", "db1:2:2025_01_04;");
	expect(f, "NEAR(", "db1:2:2025_01_04;");
	expect(f, "NEAR(x y)", "db1:2:2025_01_04;");
	expect(f, "AND OR NOT", "");
	expect(f, "(", "db1:2:2025_01_04;");
	/* one and two characters: below a trigram */
	expect(f, "/", "db1:3:2025_01_04;web1:2:2025_01_03;");
	expect(f, "NG", "web1:1:2025_01_02;");
	expect(f, "hb", "db1:3:2025_01_04;");
}

static void the_scan_answers_without_an_index(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	struct index_query q = { .text = "nginx" };

	plant(f);
	index_close();
	assert_int_equal(index_search(f->j, &q, collect, &b), 0);
	assert_false(index_last_used);
	assert_string_equal(buf_str(&b), "web1:1:2025_01_02;");
	buf_release(&b);
}


/* every directory of the journal changed long ago: no longer "racy" */
static void age_dirs(struct fixture *f)
{
	const char *days[] = { "2025/2025_01_02", "2025/2025_01_03", "2025/2025_01_04", "2025", "." };
	struct timespec t[2];

	/* always the same time: aging again leaves an unchanged directory unchanged */
	t[0] = (struct timespec){ .tv_sec = 1736035200 };
	t[1] = t[0];
	for (size_t i = 0; i < sizeof days / sizeof *days; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", f->dir, days[i]);
		assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
	}
}

static void only_the_files_of_hosts_that_wrote_are_looked_at(void **state)
{
	struct fixture *f = *state;
	struct index_stats st;

	plant(f);
	age_dirs(f);
	assert_int_equal(index_update(f->j, &st), 0);
	assert_int_equal(st.files, 4);
	/* nothing written since: not even a stat of a record file */
	assert_int_equal(index_update(f->j, &st), 0);
	assert_int_equal(st.files, 0);
	/*
	 * web1 appends to an existing day: the file its chain head names
	 * holds every record since (seq 3), so that one file is looked at,
	 * not web1's other one nor db1's three
	 */
	add(f, "cmd", "2025-01-03T13:00:00.000000Z", "web1", "alice", "cmd", "uptime --since");
	age_dirs(f);
	assert_int_equal(index_update(f->j, &st), 0);
	assert_int_equal(st.files, 1);
	assert_int_equal(st.records, 1);
	expect(f, "uptime", "web1:3:2025_01_03;");
	/* two records in two files: the head's file does not hold both, so web1's files are all looked at */
	add(f, "cmd", "2025-01-02T13:00:00.000000Z", "web1", "alice", "cmd", "uptime --pretty");
	add(f, "cmd", "2025-01-03T14:00:00.000000Z", "web1", "alice", "cmd", "uptime -s");
	age_dirs(f);
	assert_int_equal(index_update(f->j, &st), 0);
	assert_int_equal(st.records, 2);
	expect(f, "uptime", "web1:5:2025_01_03;web1:3:2025_01_03;web1:4:2025_01_02;");
	/* nothing since: nothing looked at */
	assert_int_equal(index_update(f->j, &st), 0);
	assert_int_equal(st.files, 0);
}

/* write the first line of the file from into the file to */
static void write_first_line(const char *from, const char *to)
{
	size_t size = 0;
	char *data = unit_read(from, &size), *nl = strchr(data, '\n');

	unit_write(to, data, (size_t)(nl - data) + 1, 0);
	free(data);
}

static void a_file_replaced_by_hand_is_seen(void **state)
{
	struct fixture *f = *state;
	struct index_stats st;
	char path[4096], tmp[4096];

	plant(f);
	age_dirs(f);
	assert_int_equal(index_update(f->j, NULL), 0);
	/* a restore: the first line only, put in place by rename (its directory's mtime moves) */
	snprintf(path, sizeof path, "%s/2025/2025_01_04/db1.jsonl", f->dir);
	snprintf(tmp, sizeof tmp, "%s/2025/2025_01_04/.restore", f->dir);
	write_first_line(path, tmp);
	assert_int_equal(rename(tmp, path), 0);
	assert_int_equal(index_update(f->j, &st), 0);
	expect(f, "pg_hba", "");
	expect(f, "NEAR(", "db1:2:2025_01_04;");
}

/* set rel's mtime (a directory's, under the journal) to sec, as tar and rsync -a do */
static void set_mtime(struct fixture *f, const char *rel, time_t sec)
{
	struct timespec t[2] = { { .tv_sec = sec }, { .tv_sec = sec } };
	char path[4096];

	snprintf(path, sizeof path, "%s/%s", f->dir, rel);
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

/* past the 2 seconds within which a directory's times are not trusted (ctimes cannot be set back) */
static void wait_past_racy(void)
{
	struct timespec t = { .tv_sec = 2, .tv_nsec = 200000000 };

	while (nanosleep(&t, &t) < 0)
		;
}

/*
 * Old days changed by hand, outside any writer (no chain head moves),
 * each directory's mtime then set to an old time, so that only the
 * directories' stats can tell: a day directory restored by rsync -a (the
 * year's mtime set back too), a file put in an old day, a file an editor
 * replaced with a rename.  The year directory's names are taken from the
 * last update while its inode, mtime and ctime stay the same: the waits
 * make its times old enough to be trusted.
 */
static void old_days_changed_by_hand_are_seen(void **state)
{
	struct fixture *f = *state;
	struct index_stats st;
	char path[4096], saved[4096];
	time_t old = 1736035200;

	plant(f);
	/* the day of db1's first record is away when the index is built */
	snprintf(path, sizeof path, "%s/2025/2025_01_03", f->dir);
	snprintf(saved, sizeof saved, "%s/saved", f->dir);
	assert_int_equal(rename(path, saved), 0);
	set_mtime(f, "2025/2025_01_02", old);
	set_mtime(f, "2025/2025_01_04", old);
	set_mtime(f, "2025", old);
	set_mtime(f, ".", old);
	wait_past_racy();
	assert_int_equal(index_update(f->j, NULL), 0);
	assert_int_equal(index_update(f->j, &st), 0);
	assert_int_equal(st.files, 0);
	expect(f, "vacuumdb", "");
	/* restored as rsync -a does, every mtime as it was: its records are found */
	assert_int_equal(rename(saved, path), 0);
	set_mtime(f, "2025/2025_01_03", old);
	set_mtime(f, "2025", old);
	set_mtime(f, ".", old);
	wait_past_racy();
	assert_int_equal(index_update(f->j, &st), 0);
	expect(f, "vacuumdb", "db1:1:2025_01_03;");
	expect(f, "Backup", "web1:2:2025_01_03;");
	/* a file put in an old day: db1's first record, as mail1's */
	snprintf(path, sizeof path, "%s/2025/2025_01_03/db1.jsonl", f->dir);
	snprintf(saved, sizeof saved, "%s/2025/2025_01_02/mail1.jsonl", f->dir);
	write_first_line(path, saved);
	set_mtime(f, "2025/2025_01_02", old + 60);
	assert_int_equal(index_update(f->j, &st), 0);
	expect(f, "vacuumdb", "mail1:1:2025_01_02;db1:1:2025_01_03;");
	/* an editor's save: the file written anew beside it, renamed over it */
	snprintf(path, sizeof path, "%s/2025/2025_01_04/db1.jsonl", f->dir);
	snprintf(saved, sizeof saved, "%s/2025/2025_01_04/.db1.jsonl.swp", f->dir);
	write_first_line(path, saved);
	assert_int_equal(rename(saved, path), 0);
	set_mtime(f, "2025/2025_01_04", old + 120);
	assert_int_equal(index_update(f->j, &st), 0);
	expect(f, "pg_hba", "");
	expect(f, "NEAR(", "db1:2:2025_01_04;");
}

static void a_file_edited_in_place_is_seen_within_the_hour(void **state)
{
	struct fixture *f = *state;
	struct index_stats st;
	char path[4096];
	size_t size = 0;
	char *data, *nl;
	sqlite3 *db;

	plant(f);
	age_dirs(f);
	assert_int_equal(index_update(f->j, NULL), 0);
	/* cut by hand, in place: no writer's mark moves, no directory changes */
	snprintf(path, sizeof path, "%s/2025/2025_01_04/db1.jsonl", f->dir);
	data = unit_read(path, &size);
	nl = strchr(data, '\n');
	unit_write(path, data, (size_t)(nl - data) + 1, 0);
	free(data);
	age_dirs(f);
	assert_int_equal(index_update(f->j, &st), 0);
	assert_int_equal(st.files, 0);
	/* an hour later */
	index_close();
	index_path(f, path, sizeof path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE meta SET value = '1' WHERE key = 'full'", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(index_update(f->j, &st), 0);
	assert_int_equal(st.files, 4);
	expect(f, "pg_hba", "");
}

static void positions_grow_and_a_rebuild_starts_a_new_generation(void **state)
{
	struct fixture *f = *state;
	struct index_position a, b, c;
	struct index_query q = { .oldest_first = true };
	struct buf got = BUF_INIT;
	char path[4096];

	plant(f);
	assert_int_equal(index_update(f->j, NULL), 0);
	assert_int_equal(index_position(&a), 0);
	assert_int_equal(a.last_id, 5);
	/* a late record, filed under an old day: after the position all the same */
	add(f, "note", "2025-01-02T08:00:00.000000Z", "db1", "bob", "text", "late news");
	assert_int_equal(index_update(f->j, NULL), 0);
	assert_int_equal(index_position(&b), 0);
	assert_string_equal(a.generation, b.generation);
	assert_true(b.last_id > a.last_id);
	q.after_id = a.last_id;
	assert_int_equal(index_search(f->j, &q, collect, &got), 0);
	assert_string_equal(buf_str(&got), "db1:4:2025_01_02;");
	buf_release(&got);
	index_close();
	index_path(f, path, sizeof path);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(index_update(f->j, NULL), 0);
	assert_int_equal(index_position(&c), 0);
	assert_string_not_equal(a.generation, c.generation);
}

static void the_text_cache_follows_recs_and_is_rebuilt_when_wrong(void **state)
{
	struct fixture *f = *state;
	struct index_query q = { .text = "a", .method = INDEX_TEXT };
	struct buf b = BUF_INIT;
	char path[4096];
	size_t size = 0;
	char *data, *nl;

	plant(f);
	assert_int_equal(index_update(f->j, NULL), 0);
	expect(f, "nginx", "web1:1:2025_01_02;");
	assert_int_equal(index_search(f->j, &q, collect, &b), 0);
	assert_string_equal(index_last_method, "text");
	buf_release(&b);
	/* appended rows */
	add(f, "note", "2025-01-05T12:00:00.000000Z", "git1", "carol", "text", "a new host");
	assert_int_equal(index_update(f->j, NULL), 0);
	expect(f, "new host", "git1:1:2025_01_05;");
	/* dropped rows: the file of db1's 4th shrinks to one line */
	snprintf(path, sizeof path, "%s/2025/2025_01_04/db1.jsonl", f->dir);
	data = unit_read(path, &size);
	nl = strchr(data, '\n');
	unit_write(path, data, (size_t)(nl - data) + 1, 0);
	free(data);
	assert_int_equal(index_update(f->j, NULL), 0);
	expect(f, "pg_hba", "");
	/* a damaged cache is not used, and written again at the next update */
	index_close();
	snprintf(path, sizeof path, "%s/.state/index.text", f->dir);
	unit_write(path, "garbage", 7, 0);
	assert_int_equal(index_update(f->j, NULL), 0);
	expect(f, "new host", "git1:1:2025_01_05;");
	assert_int_equal(index_search(f->j, &q, collect, &b), 0);
	assert_string_equal(index_last_method, "text");
	buf_release(&b);
	/* a missing one too */
	index_close();
	assert_int_equal(unlink(path), 0);
	assert_int_equal(index_update(f->j, NULL), 0);
	expect(f, "vacuumdb", "db1:1:2025_01_03;");
}

/* a hit as index_search_format hands it on: the same string as collect, made by fmt (perhaps in another thread) */
static void format_collect(const struct index_hit *h, struct buf *out, const void *arg)
{
	(void)arg;
	buf_addf(out, "%s:%lld:%s;", h->host, (long long)h->seq, h->day);
}

static int emit_collect(const struct index_hit *h, const char *text, size_t len, void *arg)
{
	(void)h;
	buf_add(arg, text, len);
	return 0;
}

/*
 * q and its variants (both orders, limited or not, one host) agree with
 * the scan of the files; with text, so does the formatting search
 * through the text cache
 */
static void agree(struct fixture *f, struct index_query q)
{
	for (int v = 0; v < 8; v++) {
		struct index_query qv = q;
		struct buf a = BUF_INIT, b = BUF_INIT;
		char *got;
		qv.oldest_first = v & 1;
		qv.limit = v & 2 ? 7 : 0;
		if (v & 4)
			qv.host = "db1";
		got = query(f, &qv);
		assert_int_equal(index_scan(f->j, &qv, collect, &b), 0);
		assert_string_equal(got, buf_str(&b));
		if (qv.text) {
			qv.method = INDEX_TEXT;
			assert_int_equal(index_search_format(f->j, &qv, format_collect, NULL, emit_collect, &a), 0);
			assert_string_equal(index_last_method, "text");
			assert_string_equal(buf_str(&a), buf_str(&b));
		}
		free(got);
		buf_release(&a);
		buf_release(&b);
	}
}

static void add_day(struct fixture *f, int day, int from, int n, const char *word)
{
	static const char *const hosts[] = { "web1", "db1", "git1" };
	static const char *const cmds[] = { "systemctl restart nginx", "zpool status", "vi /etc/hosts",
					    "apt-get upgrade", "Systemctl Status" };

	for (int i = from; i < from + n; i++) {
		char iso[64], text[128];
		snprintf(iso, sizeof iso, "2025-02-%02dT%02d:%02d:00.000000Z", day, 8 + i / 60, i % 60);
		snprintf(text, sizeof text, "%s %s %d", cmds[i % 5], word, i);
		add(f, "cmd", iso, hosts[i % 3], i % 2 ? "alice" : "bob", "cmd", text);
	}
}

/*
 * The last days of many (news --all, list --since): the rows of their
 * files, sorted, as the files answer; a day nobody wrote, a host's
 * first day, a range that ends, and the first day too.
 */
static void the_last_days_of_many_agree_with_the_files(void **state)
{
	struct fixture *f = *state;

	for (int day = 1; day <= 28; day++)
		if (day != 26)
			add_day(f, day, 0, day < 27 ? 4 : 9, "day");
	add(f, "note", "2025-02-28T21:00:00.000000Z", "new1", "carol", "note", "a host's first record");
	assert_int_equal(index_update(f->j, NULL), 0);
	agree(f, (struct index_query){ .since = "2025_02_27" });
	agree(f, (struct index_query){ .since = "2025_02_26" });
	agree(f, (struct index_query){ .since = "2025_02_28", .admin = "carol" });
	agree(f, (struct index_query){ .since = "2025_02_25", .until = "2025_02_27" });
	agree(f, (struct index_query){ .since = "2025_02_01" });
	agree(f, (struct index_query){ .since = "2025_03_01" });
}

/*
 * index.text is read in blocks by several threads and handed on in the
 * order of hits; rows added later extend it or go to its tail: every
 * way, the same answer as the files.
 */
static void the_text_cache_in_blocks_and_tail_agrees_with_the_files(void **state)
{
	struct fixture *f = *state;
	const char *texts[] = { "systemctl", "ZPOOL", "late", "e", "nothing such" };

	index_text_block = 512;
	add_day(f, 10, 0, 120, "first");
	assert_int_equal(index_update(f->j, NULL), 0);
	{
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;
		char path[4096];
		index_path(f, path, sizeof path);
		assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM textblocks", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_true(sqlite3_column_int(st, 0) > 4);	/* many blocks, so several threads */
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
		agree(f, (struct index_query){ .text = texts[i] });
	/* newer rows extend the sorted part */
	add_day(f, 11, 0, 40, "newer");
	assert_int_equal(index_update(f->j, NULL), 0);
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
		agree(f, (struct index_query){ .text = texts[i] });
	/* older ones go to the tail, read whole and merged with the rest */
	add_day(f, 9, 0, 30, "late");
	add_day(f, 10, 120, 20, "late");
	assert_int_equal(index_update(f->j, NULL), 0);
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
		agree(f, (struct index_query){ .text = texts[i] });
	agree(f, (struct index_query){ .text = "late", .since = "2025_02_10", .admin = "bob" });
	/* an entry a crash cut: the rows answer, and the next update writes the file again */
	{
		struct index_query q = { .text = "systemctl", .method = INDEX_TEXT };
		struct buf a = BUF_INIT, b = BUF_INIT;
		char path[4096];
		size_t size = 0;
		char *data;
		snprintf(path, sizeof path, "%s/.state/index.text", f->dir);
		data = unit_read(path, &size);
		memset(data + size - 200, 0, 200);
		unit_write(path, data, size, 0);
		free(data);
		assert_int_equal(index_search(f->j, &q, collect, &a), 0);
		assert_string_equal(index_last_method, "rows");
		assert_int_equal(index_scan(f->j, &q, collect, &b), 0);
		assert_string_equal(buf_str(&a), buf_str(&b));
		buf_reset(&a);
		assert_int_equal(index_update(f->j, NULL), 0);
		assert_int_equal(index_search(f->j, &q, collect, &a), 0);
		assert_string_equal(index_last_method, "text");
		assert_string_equal(buf_str(&a), buf_str(&b));
		buf_release(&a);
		buf_release(&b);
	}
	index_text_block = 4 << 20;
}

/* what is not a record file of the journal's layout (journal/store.h) is neither indexed nor scanned */
static void only_the_layouts_record_files_are_read(void **state)
{
	struct fixture *f = *state;
	const char *dirs[] = { "2025/2024_12_31", "2025/2025_13_01", "notes", "notes/2025_01_04" };
	const char *strays[] = { "2025/2025_01_04/db1.txt", "2025/2025_01_04/bad host.jsonl",
				 "2025/2025_01_04/.db2.jsonl", "2025/2024_12_31/db1.jsonl",
				 "2025/2025_13_01/db1.jsonl", "notes/2025_01_04/db1.jsonl" };
	struct index_stats st;
	char path[4096];
	size_t size = 0;
	char *data;

	plant(f);
	snprintf(path, sizeof path, "%s/2025/2025_01_04/db1.jsonl", f->dir);
	data = unit_read(path, &size);
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		snprintf(path, sizeof path, "%s/%s", f->dir, dirs[i]);
		assert_int_equal(mkdir(path, 0700), 0);
	}
	for (size_t i = 0; i < sizeof strays / sizeof *strays; i++) {
		snprintf(path, sizeof path, "%s/%s", f->dir, strays[i]);
		unit_write(path, data, size, 0);
	}
	free(data);
	assert_int_equal(index_update(f->j, &st), 0);
	assert_int_equal(st.files, 4);
	assert_int_equal(st.records, 5);
	expect(f, "pg_hba", "db1:3:2025_01_04;");
	expect(f, "", "db1:3:2025_01_04;db1:2:2025_01_04;db1:1:2025_01_03;web1:2:2025_01_03;web1:1:2025_01_02;");
}

static void index_find_ignores_ascii_case_only(void **state)
{
	(void)state;
	assert_int_equal(index_find("Hello World", 11, "world", 5), 6);
	assert_int_equal(index_find("Hello World", 11, "WORLDS", 6), -1);
	assert_int_equal(index_find("abc", 3, "", 0), 0);
	assert_int_equal(index_find("\xc3\x89t\xc3\xa9", 5, "\xc3\xa9", 2), 3);
	assert_int_equal(index_find("\xc3\xa9t\xc3\xa9", 5, "\xc3\x89T", 3), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(build_indexes_every_record_and_finds_substrings, setup, teardown),
		cmocka_unit_test_setup_teardown(filters_narrow_the_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(update_reads_only_the_appended_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_that_shrank_is_indexed_again, setup, teardown),
		cmocka_unit_test_setup_teardown(rebuilt_when_the_file_is_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(rebuilt_when_the_file_is_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(rebuilt_when_its_format_is_older, setup, teardown),
		cmocka_unit_test_setup_teardown(fts_syntax_is_literal_text, setup, teardown),
		cmocka_unit_test_setup_teardown(the_scan_answers_without_an_index, setup, teardown),
		cmocka_unit_test_setup_teardown(only_the_files_of_hosts_that_wrote_are_looked_at, setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_replaced_by_hand_is_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(old_days_changed_by_hand_are_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_edited_in_place_is_seen_within_the_hour, setup, teardown),
		cmocka_unit_test_setup_teardown(positions_grow_and_a_rebuild_starts_a_new_generation, setup, teardown),
		cmocka_unit_test_setup_teardown(the_text_cache_follows_recs_and_is_rebuilt_when_wrong, setup, teardown),
		cmocka_unit_test_setup_teardown(the_text_cache_in_blocks_and_tail_agrees_with_the_files, setup, teardown),
		cmocka_unit_test_setup_teardown(the_last_days_of_many_agree_with_the_files, setup, teardown),
		cmocka_unit_test_setup_teardown(only_the_layouts_record_files_are_read, setup, teardown),
		cmocka_unit_test(index_find_ignores_ascii_case_only),
	};
	return cmocka_run_group_tests_name("index", tests, NULL, NULL);
}
