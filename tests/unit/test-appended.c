/*
 * appended: the lines another host appends, fed in pieces of any size,
 * checked as records of its chain.  Lines are made with the record
 * module, so they are what a real host writes.
 */
#include "unit.h"

#include "base/buf.h"
#include "base/xalloc.h"
#include "journal/record.h"
#include "replica/appended.h"

#define COMMIT "0123456789abcdef0123456789abcdef01234567"

/* n note lines of host from seq first on, the first with prev; the last line's hash into last */
static void lines_of(struct buf *out, const char *host, int64_t first, const char *prev, int n,
		     char last[REC_HASH_LEN + 1])
{
	char hash[REC_HASH_LEN + 1];

	memcpy(hash, prev, REC_HASH_LEN + 1);
	for (int i = 0; i < n; i++) {
		struct record *r = rec_new("note", 1795508043123456 + i, host, "alice", "root", "s1");
		struct buf line = BUF_INIT;
		rec_set_text(r, "text", "a note", 6);
		rec_set_chain(r, first + i, hash);
		assert_int_equal(rec_encode(r, &line), 0);
		rec_hash(line.data, line.len, hash);
		buf_add(out, line.data, line.len);
		buf_addc(out, '\n');
		buf_release(&line);
		rec_free(r);
	}
	if (last)
		memcpy(last, hash, REC_HASH_LEN + 1);
}

/* feed text as one file's tail, in pieces of step bytes */
static void feed(struct appended *a, const char *path, size_t before, const struct buf *text, size_t step)
{
	appended_file(a, path, before);
	for (size_t off = 0; off < text->len; off += step)
		appended_feed(a, text->data + off, off + step <= text->len ? step : text->len - off);
	appended_file_end(a);
}

static void records_cut_anywhere_read_the_same(void **state)
{
	struct buf text = BUF_INIT;
	char last[REC_HASH_LEN + 1];
	(void)state;

	lines_of(&text, "web", 1, rec_genesis, 5, last);
	for (size_t step = 1; step <= text.len; step = step * 3 + 1) {
		struct appended a;
		appended_init(&a, "web", COMMIT);
		feed(&a, "2026/2026_11_24/web.jsonl", 0, &text, step);
		assert_null(a.why);
		assert_int_equal(a.n, 5);
		assert_true(appended_in_order(&a));
		assert_true(appended_continues(&a, 0, rec_genesis, NULL));
		assert_int_equal(appended_last(&a)->seq, 5);
		assert_string_equal(appended_last(&a)->hash, last);
		appended_release(&a);
	}
	buf_release(&text);
}

static void a_line_that_is_wrong_is_named_with_its_file_and_line(void **state)
{
	struct buf text = BUF_INIT, partial = BUF_INIT, other = BUF_INIT;
	struct appended a;
	(void)state;

	lines_of(&text, "web", 4, rec_genesis, 1, NULL);
	buf_adds(&text, "not a record\n");
	appended_init(&a, "web", COMMIT);
	feed(&a, "p.jsonl", 10, &text, 7);
	assert_non_null(a.why);
	assert_non_null(strstr(a.why, "0123456789ab breaks web's chain: line 12 of 'p.jsonl' is not a record: "));
	appended_release(&a);

	/* a record of another host */
	lines_of(&other, "db", 4, rec_genesis, 1, NULL);
	appended_init(&a, "web", COMMIT);
	feed(&a, "p.jsonl", 0, &other, 1000);
	assert_string_equal(a.why, "0123456789ab breaks web's chain: line 1 of 'p.jsonl' is a record of host 'db'");
	appended_release(&a);

	/* a last line without its newline */
	lines_of(&partial, "web", 1, rec_genesis, 2, NULL);
	buf_truncate(&partial, partial.len - 1);
	appended_init(&a, "web", COMMIT);
	feed(&a, "p.jsonl", 0, &partial, 100);
	assert_string_equal(a.why, "0123456789ab breaks web's chain: line 2 of 'p.jsonl' is not complete "
				   "(no newline at its end)");
	appended_release(&a);
	buf_release(&text);
	buf_release(&partial);
	buf_release(&other);
}

static void records_of_two_files_must_follow_each_other_and_the_head(void **state)
{
	struct buf first = BUF_INIT, second = BUF_INIT, gap = BUF_INIT;
	char head[REC_HASH_LEN + 1], h2[REC_HASH_LEN + 1];
	struct appended a;
	(void)state;

	/* the host's head is seq 3 (hash head); seq 4 went to an old day, 5 and 6 to today */
	rec_hash("the line of seq 3", 17, head);
	lines_of(&first, "web", 4, head, 1, h2);
	lines_of(&second, "web", 5, h2, 2, NULL);
	appended_init(&a, "web", COMMIT);
	feed(&a, "today", 0, &second, 50);
	feed(&a, "old day", 7, &first, 50);
	assert_true(appended_in_order(&a));
	assert_true(appended_continues(&a, 3, head, "today"));
	assert_int_equal(appended_last(&a)->seq, 6);
	appended_release(&a);

	/* not after the head: its prev is another line's hash */
	appended_init(&a, "web", COMMIT);
	feed(&a, "old day", 7, &first, 50);
	assert_true(appended_in_order(&a));
	assert_false(appended_continues(&a, 3, rec_genesis, "today"));
	assert_string_equal(a.why, "0123456789ab breaks web's chain: line 8 of 'old day' (seq 4) does not continue "
				   "the chain: its prev is not the hash of seq 3, the last line of 'today'");
	appended_release(&a);

	/* a seq the chain holds already */
	appended_init(&a, "web", COMMIT);
	feed(&a, "old day", 7, &first, 50);
	assert_false(appended_continues(&a, 4, head, NULL));
	assert_string_equal(a.why, "0123456789ab breaks web's chain: line 8 of 'old day' has seq 4, which web's "
				   "chain here already holds (it ends at seq 4)");
	appended_release(&a);

	/* a gap between the appended records */
	lines_of(&gap, "web", 7, h2, 1, NULL);
	appended_init(&a, "web", COMMIT);
	feed(&a, "old day", 7, &first, 50);
	feed(&a, "today", 0, &gap, 50);
	assert_false(appended_in_order(&a));
	assert_string_equal(a.why, "0123456789ab breaks web's chain: line 1 of 'today' has seq 7, expected 5");
	appended_release(&a);
	buf_release(&first);
	buf_release(&second);
	buf_release(&gap);
}

static void the_last_line_is_found_across_pieces(void **state)
{
	const char *text = "first\nsecond line\nthird, the last\ntorn";
	(void)state;

	for (size_t step = 1; step < 12; step++) {
		struct last_line l = LAST_LINE_INIT;
		for (size_t off = 0; off < strlen(text); off += step)
			appended_last_line_feed(&l, text + off, off + step <= strlen(text) ? step : strlen(text) - off);
		assert_true(l.any);
		assert_string_equal(buf_str(&l.last), "third, the last");
		appended_last_line_release(&l);
	}
}

static void a_commits_head_is_found_in_the_cache_text(void **state)
{
	char hash[REC_HASH_LEN + 1], want[REC_HASH_LEN + 1];
	struct buf text = BUF_INIT;
	int64_t seq = -1;
	(void)state;

	rec_hash("x", 1, want);
	buf_addf(&text, "%s 12 %s\n%s 40 %s\n", "aaaa", want, COMMIT, want);
	assert_true(appended_cache_find(buf_str(&text), COMMIT, &seq, hash));
	assert_int_equal(seq, 40);
	assert_string_equal(hash, want);
	assert_false(appended_cache_find(buf_str(&text), "0123456789", &seq, hash));
	assert_false(appended_cache_find(COMMIT " 12 abc\n", COMMIT, &seq, hash));
	assert_false(appended_cache_find(COMMIT " -1 " "\n", COMMIT, &seq, hash));
	buf_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(records_cut_anywhere_read_the_same),
		cmocka_unit_test(a_line_that_is_wrong_is_named_with_its_file_and_line),
		cmocka_unit_test(records_of_two_files_must_follow_each_other_and_the_head),
		cmocka_unit_test(the_last_line_is_found_across_pieces),
		cmocka_unit_test(a_commits_head_is_found_in_the_cache_text),
	};
	return cmocka_run_group_tests_name("appended", tests, NULL, NULL);
}
