/*
 * diff: the exact output of diff_unified.
 *
 * Every expected text below was printed by GNU diffutils 3.8 (Debian 12)
 * for the same two inputs written to files o and n, with
 *   diff -a -U<context> --label a --label b o n
 * (-a only matters for the case with NUL bytes; -U3 is diff -u), and
 * copied here as C strings.
 */
#include "unit.h"
#include "base/buf.h"
#include "base/err.h"
#include "files/diff.h"

#define S(lit) lit, sizeof(lit) - 1

static void check_diff(const char *old, size_t old_len, const char *new, size_t new_len, unsigned context,
		       const char *want, size_t want_len, int hunks)
{
	struct diff_opts o = { "a", "b", context };
	struct buf out = BUF_INIT;

	assert_int_equal(diff_unified(old, old_len, new, new_len, &o, &out), hunks);
	if (!memchr(want, '\0', want_len))
		assert_string_equal(buf_str(&out), want);	/* shows both texts when they differ */
	assert_int_equal(out.len, want_len);
	if (want_len)
		assert_memory_equal(out.data, want, want_len);
	buf_release(&out);
}

#define DIFF(old, new, context, want, hunks) check_diff(S(old), S(new), context, S(want), hunks)

#define TEN "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"
#define TWENTY TEN "11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n"

static void equal_inputs_give_no_output_and_no_hunks(void **state)
{
	struct diff_opts o = { "a", "b", 3 };
	struct buf out = BUF_INIT;
	(void)state;

	DIFF(TEN, TEN, 3, "", 0);
	DIFF("a\nb", "a\nb", 3, "", 0);
	DIFF("", "", 3, "", 0);
	assert_int_equal(diff_unified(NULL, 0, NULL, 0, &o, &out), 0);
	assert_int_equal(out.len, 0);
}

static void one_changed_line_in_the_middle_gets_three_lines_of_context(void **state)
{
	(void)state;
	DIFF(TEN, "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n", 3,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -2,7 +2,7 @@\n"
	     " 2\n"
	     " 3\n"
	     " 4\n"
	     "-5\n"
	     "+five\n"
	     " 6\n"
	     " 7\n"
	     " 8\n", 1);
}

static void a_line_inserted_at_the_start_has_context_only_after_it(void **state)
{
	(void)state;
	DIFF("one\ntwo\nthree\nfour\nfive\n", "zero\none\ntwo\nthree\nfour\nfive\n", 3,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -1,3 +1,4 @@\n"
	     "+zero\n"
	     " one\n"
	     " two\n"
	     " three\n", 1);
}

static void a_line_deleted_at_the_end_has_context_only_before_it(void **state)
{
	(void)state;
	DIFF("one\ntwo\nthree\nfour\nfive\n", "one\ntwo\nthree\nfour\n", 3,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -2,4 +2,3 @@\n"
	     " two\n"
	     " three\n"
	     " four\n"
	     "-five\n", 1);
}

static void an_empty_old_file_is_all_added_after_line_zero(void **state)
{
	(void)state;
	DIFF("", "one\ntwo\nthree\n", 3,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -0,0 +1,3 @@\n"
	     "+one\n"
	     "+two\n"
	     "+three\n", 1);
}

static void an_empty_new_file_is_all_removed_down_to_line_zero(void **state)
{
	(void)state;
	DIFF("one\ntwo\nthree\n", "", 3,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -1,3 +0,0 @@\n"
	     "-one\n"
	     "-two\n"
	     "-three\n", 1);
}

static void a_missing_final_newline_is_marked_after_the_line_on_its_side(void **state)
{
	(void)state;
	/* only the newline added: the last line differs */
	DIFF("a\nb\nc", "a\nb\nc\n", 3,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -1,3 +1,3 @@\n"
	     " a\n"
	     " b\n"
	     "-c\n"
	     "\\ No newline at end of file\n"
	     "+c\n", 1);
	/* the new side without it */
	DIFF("a\nb\nc\n", "a\nb\nd", 3,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -1,3 +1,3 @@\n"
	     " a\n"
	     " b\n"
	     "-c\n"
	     "+d\n"
	     "\\ No newline at end of file\n", 1);
	/* both sides without it */
	DIFF("a\nb\nc", "a\nb\nd", 3,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -1,3 +1,3 @@\n"
	     " a\n"
	     " b\n"
	     "-c\n"
	     "\\ No newline at end of file\n"
	     "+d\n"
	     "\\ No newline at end of file\n", 1);
	/* an unchanged last line without it, as context: marked once */
	DIFF("1\n2\n3\n4\n5", "1\nX\n3\n4\n5", 3,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -1,5 +1,5 @@\n"
	     " 1\n"
	     "-2\n"
	     "+X\n"
	     " 3\n"
	     " 4\n"
	     " 5\n"
	     "\\ No newline at end of file\n", 1);
}

static void changes_six_lines_apart_share_a_hunk_and_seven_apart_do_not(void **state)
{
	(void)state;
	/* 6 unchanged lines between: the two contexts of 3 meet */
	DIFF(TWENTY, "1\n2\n3\n4\nX\n6\n7\n8\n9\n10\n11\nX\n13\n14\n15\n16\n17\n18\n19\n20\n", 3,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -2,14 +2,14 @@\n"
	     " 2\n"
	     " 3\n"
	     " 4\n"
	     "-5\n"
	     "+X\n"
	     " 6\n"
	     " 7\n"
	     " 8\n"
	     " 9\n"
	     " 10\n"
	     " 11\n"
	     "-12\n"
	     "+X\n"
	     " 13\n"
	     " 14\n"
	     " 15\n", 1);
	/* 7 between: two hunks */
	DIFF(TWENTY, "1\n2\n3\n4\nX\n6\n7\n8\n9\n10\n11\n12\nX\n14\n15\n16\n17\n18\n19\n20\n", 3,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -2,7 +2,7 @@\n"
	     " 2\n"
	     " 3\n"
	     " 4\n"
	     "-5\n"
	     "+X\n"
	     " 6\n"
	     " 7\n"
	     " 8\n"
	     "@@ -10,7 +10,7 @@\n"
	     " 10\n"
	     " 11\n"
	     " 12\n"
	     "-13\n"
	     "+X\n"
	     " 14\n"
	     " 15\n"
	     " 16\n", 2);
}

static void context_zero_gives_bare_changes_and_the_line_before_an_empty_range(void **state)
{
	(void)state;
	DIFF(TEN, "1\n2\nX\n4\n5\n6\n8\n9\n10\nnew\n", 0,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -3 +3 @@\n"
	     "-3\n"
	     "+X\n"
	     "@@ -7 +6,0 @@\n"
	     "-7\n"
	     "@@ -10,0 +10 @@\n"
	     "+new\n", 3);
	DIFF("1\n2\n3\n4\n", "1\n2\nins\n3\n4\n", 0,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -2,0 +3 @@\n"
	     "+ins\n", 1);
}

static void nul_bytes_and_invalid_utf8_are_compared_and_copied_as_bytes(void **state)
{
	(void)state;
	DIFF("text\n" "\0nul\0byte\n" "bad \xff\xfe utf-8\n" "\xc3(\n" "end\n",
	     "text\n" "\0nul\0BYTE\n" "bad \xff\xfe utf-8\n" "\xe2\x82\n" "end\n", 3,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -1,5 +1,5 @@\n"
	     " text\n"
	     "-\0nul\0byte\n"
	     "+\0nul\0BYTE\n"
	     " bad \xff\xfe utf-8\n"
	     "-\xc3(\n"
	     "+\xe2\x82\n"
	     " end\n", 1);
}

static void a_file_of_empty_lines_is_compared_line_by_line(void **state)
{
	(void)state;
	DIFF("\n\n\n", "\n\nx\n\n", 3,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -1,3 +1,4 @@\n"
	     " \n"
	     " \n"
	     "+x\n"
	     " \n", 1);
	/* one more empty line: shown as the last, as diff does */
	DIFF("\n\n\n", "\n\n\n\n", 3,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -1,3 +1,4 @@\n"
	     " \n"
	     " \n"
	     " \n"
	     "+\n", 1);
}

static void a_repeated_block_shows_as_the_second_copy(void **state)
{
	(void)state;
	DIFF("a\nb\nc\n", "a\nb\nc\na\nb\nc\n", 3,
	     "--- a\n"
	     "+++ b\n"
	     "@@ -1,3 +1,6 @@\n"
	     " a\n"
	     " b\n"
	     " c\n"
	     "+a\n"
	     "+b\n"
	     "+c\n", 1);
}

static void missing_labels_are_dev_null_and_output_is_appended(void **state)
{
	struct diff_opts o = { NULL, "b/etc/hosts", 3 };
	struct buf out = BUF_INIT;
	(void)state;

	buf_adds(&out, "before\n");
	assert_int_equal(diff_unified(NULL, 0, S("127.0.0.1 localhost\n"), &o, &out), 1);
	assert_string_equal(buf_str(&out),
			    "before\n"
			    "--- /dev/null\n"
			    "+++ b/etc/hosts\n"
			    "@@ -0,0 +1 @@\n"
			    "+127.0.0.1 localhost\n");
	buf_release(&out);
}

static void more_than_the_most_lines_is_an_error_that_leaves_out_alone(void **state)
{
	struct diff_opts o = { "a", "b", 3 };
	struct buf out = BUF_INIT;
	size_t len = DIFF_MAX_LINES + 1;
	char *many = malloc(len);
	(void)state;

	assert_non_null(many);
	memset(many, '\n', len);
	/* exactly DIFF_MAX_LINES lines on each side is fine */
	assert_int_equal(diff_unified(many, len - 1, many, len - 2, &o, &out), 1);
	assert_string_equal(buf_str(&out) + out.len - 2, "-\n");
	buf_reset(&out);
	/* one more, even without its newline, is not */
	many[len - 1] = 'x';
	assert_int_equal(diff_unified(many, len, "", 0, &o, &out), -1);
	assert_string_equal(errget(), "too large to compare: more than 1000000 lines");
	assert_int_equal(diff_unified("", 0, many, len, &o, &out), -1);
	assert_int_equal(out.len, 0);
	free(many);
	buf_release(&out);
}

static void binary_means_a_nul_in_the_first_8000_bytes(void **state)
{
	char *data = calloc(1, 9000);
	(void)state;

	assert_non_null(data);
	assert_false(diff_is_binary(NULL, 0));
	assert_false(diff_is_binary(S("plain text\n\xff\xfe invalid UTF-8 is still text\n")));
	assert_true(diff_is_binary(S("\0")));
	memset(data, 'x', 9000);
	data[7999] = '\0';
	assert_true(diff_is_binary(data, 9000));
	data[7999] = 'x';
	data[8000] = '\0';
	assert_false(diff_is_binary(data, 9000));
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equal_inputs_give_no_output_and_no_hunks),
		cmocka_unit_test(one_changed_line_in_the_middle_gets_three_lines_of_context),
		cmocka_unit_test(a_line_inserted_at_the_start_has_context_only_after_it),
		cmocka_unit_test(a_line_deleted_at_the_end_has_context_only_before_it),
		cmocka_unit_test(an_empty_old_file_is_all_added_after_line_zero),
		cmocka_unit_test(an_empty_new_file_is_all_removed_down_to_line_zero),
		cmocka_unit_test(a_missing_final_newline_is_marked_after_the_line_on_its_side),
		cmocka_unit_test(changes_six_lines_apart_share_a_hunk_and_seven_apart_do_not),
		cmocka_unit_test(context_zero_gives_bare_changes_and_the_line_before_an_empty_range),
		cmocka_unit_test(nul_bytes_and_invalid_utf8_are_compared_and_copied_as_bytes),
		cmocka_unit_test(a_file_of_empty_lines_is_compared_line_by_line),
		cmocka_unit_test(a_repeated_block_shows_as_the_second_copy),
		cmocka_unit_test(missing_labels_are_dev_null_and_output_is_appended),
		cmocka_unit_test(more_than_the_most_lines_is_an_error_that_leaves_out_alone),
		cmocka_unit_test(binary_means_a_nul_in_the_first_8000_bytes),
	};
	return cmocka_run_group_tests_name("diff", tests, NULL, NULL);
}
