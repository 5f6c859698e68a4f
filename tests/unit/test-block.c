/* block: the marked block setup adds to system files and undo removes */
#include "unit.h"

#include <errno.h>

#include "base/buf.h"
#include "base/err.h"
#include "setup/block.h"

#define BEGIN BLOCK_BEGIN " added by 'logbook setup'; 'logbook setup --undo' removes it"
#define BODY "eval \"$(logbook hook bash)\"\n"

static char *path_in(void **state, const char *name)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", (const char *)*state, name) > 0);
	return p;
}

/* apply to a string; the result as a malloc'd string, the return value in *rc */
static char *apply(const char *text, const char *body, int *rc)
{
	struct buf out = BUF_INIT;
	*rc = block_apply(text, strlen(text), body, BLOCK_AT_END, &out);
	return buf_detach(&out, NULL);
}

static void adding_twice_changes_nothing_the_second_time(void **state)
{
	const char *orig = "# system bashrc\nPS1='$ '\n";
	char *once, *twice;
	int rc;

	(void)state;
	once = apply(orig, BODY, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(once, "# system bashrc\nPS1='$ '\n" BEGIN "\n" BODY BLOCK_END "\n");
	twice = apply(once, BODY, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(twice, once);
	free(once);
	free(twice);
}

static void undo_gives_back_the_exact_text(void **state)
{
	const char *orig = "a\n\nb\n";
	char *with, *without;
	int rc;

	(void)state;
	with = apply(orig, BODY, &rc);
	without = apply(with, NULL, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(without, orig);
	free(with);
	free(without);
	/* nothing to remove: unchanged */
	without = apply(orig, NULL, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(without, orig);
	free(without);
}

static void lines_after_the_block_stay_where_they_are(void **state)
{
	char *with, *edited, *without;
	int rc;

	(void)state;
	with = apply("a\n", BODY, &rc);
	assert_true(asprintf(&edited, "%sz\n", with) > 0);
	without = apply(edited, NULL, &rc);
	assert_string_equal(without, "a\nz\n");
	free(with);
	free(edited);
	free(without);
}

static void a_file_without_final_newline_gets_it_back_exactly(void **state)
{
	char *with, *without;
	int rc;

	(void)state;
	with = apply("a\nlast", BODY, &rc);
	assert_string_equal(with, "a\nlast\n" BLOCK_BEGIN " noeol added by 'logbook setup'; 'logbook setup --undo' removes it\n" BODY BLOCK_END "\n");
	without = apply(with, NULL, &rc);
	assert_string_equal(without, "a\nlast");
	free(with);
	free(without);
}

static void a_crlf_file_gets_a_crlf_block(void **state)
{
	char *with, *again, *without;
	int rc;

	(void)state;
	with = apply("a\r\nb\r\n", "x\ny\n", &rc);
	assert_string_equal(with, "a\r\nb\r\n" BEGIN "\r\nx\r\ny\r\n" BLOCK_END "\r\n");
	again = apply(with, "x\ny\n", &rc);
	assert_int_equal(rc, 0);
	without = apply(with, NULL, &rc);
	assert_string_equal(without, "a\r\nb\r\n");
	free(with);
	free(again);
	free(without);
}

static void a_body_edited_by_hand_is_replaced_in_place(void **state)
{
	const char *tampered = "a\n" BEGIN "\nrm -rf / # someone's edit\n" BLOCK_END "\nb\n";
	char *fixed;
	int rc;

	(void)state;
	fixed = apply(tampered, BODY, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(fixed, "a\n" BEGIN "\n" BODY BLOCK_END "\nb\n");
	free(fixed);
}

static char *apply_top(const char *text, const char *body, int *rc)
{
	struct buf out = BUF_INIT;
	*rc = block_apply(text, strlen(text), body, BLOCK_AT_TOP, &out);
	return buf_detach(&out, NULL);
}

static void a_block_at_the_top_comes_before_the_first_line_and_goes_exactly(void **state)
{
	const char *orig = "# System-wide .bashrc\n[ -z \"$PS1\" ] && return\nlast";
	char *with, *again, *without;
	int rc;

	(void)state;
	with = apply_top(orig, BODY, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(with, BEGIN "\n" BODY BLOCK_END "\n# System-wide .bashrc\n[ -z \"$PS1\" ] && return\nlast");
	again = apply_top(with, BODY, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(again, with);
	without = apply_top(with, NULL, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(without, orig);
	free(with);
	free(again);
	free(without);
	/* CRLF lines, an empty file */
	with = apply_top("a\r\n", "x\n", &rc);
	assert_string_equal(with, BEGIN "\r\nx\r\n" BLOCK_END "\r\na\r\n");
	free(with);
	with = apply_top("", BODY, &rc);
	without = apply_top(with, NULL, &rc);
	assert_string_equal(without, "");
	free(with);
	free(without);
}

static void a_block_an_older_setup_put_at_the_end_moves_to_the_top(void **state)
{
	const char *orig = "# bashrc\n[ -z \"$PS1\" ] && return\nno newline";
	char *old, *moved, *again, *without;
	int rc;

	(void)state;
	old = apply(orig, "old body\n", &rc);
	moved = apply_top(old, BODY, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(moved, BEGIN "\n" BODY BLOCK_END "\n# bashrc\n[ -z \"$PS1\" ] && return\nno newline");
	again = apply_top(moved, BODY, &rc);
	assert_int_equal(rc, 0);
	without = apply_top(moved, NULL, &rc);
	assert_string_equal(without, orig);
	free(old);
	free(moved);
	free(again);
	free(without);
	/* asked at the end, a block at the top stays where it is */
	moved = apply_top(orig, BODY, &rc);
	again = apply(moved, BODY, &rc);
	assert_int_equal(rc, 0);
	free(moved);
	free(again);
}

static void damaged_markers_are_refused_with_the_line(void **state)
{
	char *out;
	int rc;

	(void)state;
	out = apply("a\n" BEGIN "\n" BODY "b\n", BODY, &rc);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(errget(), "line 2:"));
	assert_non_null(strstr(errget(), "never ended"));
	free(out);
	out = apply("a\n" BODY BLOCK_END "\n", NULL, &rc);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(errget(), "line 3:"));
	free(out);
	out = apply(BEGIN "\n" BLOCK_END "\n" BEGIN "\n" BLOCK_END "\n", NULL, &rc);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(errget(), "second logbook block"));
	free(out);
	assert_false(block_present("a\n" BEGIN "\n", strlen("a\n" BEGIN "\n")));
	assert_true(block_present(BEGIN "\n" BLOCK_END "\n", strlen(BEGIN "\n" BLOCK_END "\n")));
}

static void a_file_is_backed_up_and_keeps_its_mode(void **state)
{
	char *path = path_in(state, "bash.bashrc"), *bak = NULL, *text;
	struct stat st;
	bool changed;

	unit_write(path, "orig\n", 5, 0);
	assert_int_equal(chmod(path, 0444), 0);
	assert_int_equal(block_edit_file(path, BODY, BLOCK_AT_END, &changed, &bak), 0);
	assert_true(changed);
	assert_non_null(bak);
	text = unit_read(bak, NULL);
	assert_string_equal(text, "orig\n");
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0444);
	/* again: nothing written */
	free(bak);
	assert_int_equal(block_edit_file(path, BODY, BLOCK_AT_END, &changed, &bak), 0);
	assert_false(changed);
	assert_null(bak);
	/* undo gives back the backup: the backup goes */
	assert_int_equal(block_edit_file(path, NULL, BLOCK_AT_END, &changed, &bak), 0);
	assert_true(changed);
	assert_null(bak);
	text = unit_read(path, NULL);
	assert_string_equal(text, "orig\n");
	free(text);
	free(path);
	path = path_in(state, "bash.bashrc" BLOCK_BACKUP_SUFFIX);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
}

static void undo_after_other_edits_keeps_a_backup(void **state)
{
	char *path = path_in(state, "zshrc"), *bak = NULL, *text;
	bool changed;

	unit_write(path, "orig\n", 5, 0);
	assert_int_equal(block_edit_file(path, BODY, BLOCK_AT_END, &changed, NULL), 0);
	unit_write(path, "later\n", 6, 1);
	assert_int_equal(block_edit_file(path, NULL, BLOCK_AT_END, &changed, &bak), 0);
	assert_non_null(bak);
	text = unit_read(path, NULL);
	assert_string_equal(text, "orig\nlater\n");
	free(text);
	text = unit_read(bak, NULL);
	assert_non_null(strstr(text, BLOCK_END "\nlater\n"));
	free(text);
	free(bak);
	free(path);
}

static void a_missing_file_is_created_and_removed_again(void **state)
{
	char *path = path_in(state, "aliases");
	bool changed;

	assert_int_equal(block_edit_file(path, NULL, BLOCK_AT_END, &changed, NULL), 0);
	assert_false(changed);
	assert_int_equal(block_edit_file(path, "logbook: root\n", BLOCK_AT_END, &changed, NULL), 0);
	assert_true(changed);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(block_edit_file(path, NULL, BLOCK_AT_END, &changed, NULL), 0);
	assert_true(changed);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
}

static void a_symlink_keeps_pointing_to_the_edited_file(void **state)
{
	char *target = path_in(state, "real"), *link = path_in(state, "link"), *text;
	struct stat st;
	bool changed;

	unit_write(target, "x\n", 2, 0);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(block_edit_file(link, BODY, BLOCK_AT_END, &changed, NULL), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	text = unit_read(target, NULL);
	assert_non_null(strstr(text, BODY));
	free(text);
	free(target);
	free(link);
}

static void a_file_that_cannot_be_written_is_an_error_and_stays(void **state)
{
	char *dir = path_in(state, "ro"), *path = path_in(state, "ro/file"), *text;
	bool changed;

	(void)state;
	assert_int_equal(mkdir(dir, 0755), 0);
	unit_write(path, "keep\n", 5, 0);
	/* a directory nobody may write into (root too: immutable is not at hand, /proc is) */
	assert_int_equal(block_edit_file("/proc/version", BODY, BLOCK_AT_END, &changed, NULL), -1);
	assert_false(changed);
	assert_non_null(strstr(errget(), "/proc/version"));
	/* a damaged block: the file stays as it is */
	unit_write(path, BEGIN "\n", strlen(BEGIN) + 1, 1);
	assert_int_equal(block_edit_file(path, BODY, BLOCK_AT_END, &changed, NULL), -1);
	assert_non_null(strstr(errget(), "never ended"));
	text = unit_read(path, NULL);
	assert_string_equal(text, "keep\n" BEGIN "\n");
	free(text);
	free(dir);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(adding_twice_changes_nothing_the_second_time),
		cmocka_unit_test(undo_gives_back_the_exact_text),
		cmocka_unit_test(lines_after_the_block_stay_where_they_are),
		cmocka_unit_test(a_file_without_final_newline_gets_it_back_exactly),
		cmocka_unit_test(a_crlf_file_gets_a_crlf_block),
		cmocka_unit_test(a_body_edited_by_hand_is_replaced_in_place),
		cmocka_unit_test(a_block_at_the_top_comes_before_the_first_line_and_goes_exactly),
		cmocka_unit_test(a_block_an_older_setup_put_at_the_end_moves_to_the_top),
		cmocka_unit_test(damaged_markers_are_refused_with_the_line),
		cmocka_unit_test_setup_teardown(a_file_is_backed_up_and_keeps_its_mode, unit_make_dir, unit_remove_dir),
		cmocka_unit_test_setup_teardown(undo_after_other_edits_keeps_a_backup, unit_make_dir, unit_remove_dir),
		cmocka_unit_test_setup_teardown(a_missing_file_is_created_and_removed_again, unit_make_dir, unit_remove_dir),
		cmocka_unit_test_setup_teardown(a_symlink_keeps_pointing_to_the_edited_file, unit_make_dir, unit_remove_dir),
		cmocka_unit_test_setup_teardown(a_file_that_cannot_be_written_is_an_error_and_stays, unit_make_dir, unit_remove_dir),
	};
	return cmocka_run_group_tests_name("block", tests, NULL, NULL);
}
