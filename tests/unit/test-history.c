/* history: bash and zsh history files */
#include "unit.h"
#include "capture/history.h"

#define S(lit) lit, sizeof(lit) - 1

static void check(const struct history *h, size_t i, const char *text, int64_t start, int64_t end)
{
	assert_true(i < h->n);
	assert_int_equal(h->e[i].len, strlen(text));
	assert_memory_equal(h->e[i].text, text, strlen(text));
	assert_int_equal(h->e[i].start, start);
	assert_int_equal(h->e[i].end, end);
}

static void bash_without_timestamps_is_one_command_per_line(void **state)
{
	struct history h;
	(void)state;

	history_parse_bash(S("ls -l\n\ncd /etc\nvi hosts"), &h);
	assert_int_equal(h.n, 3);
	check(&h, 0, "ls -l", -1, -1);
	check(&h, 1, "cd /etc", -1, -1);
	check(&h, 2, "vi hosts", -1, -1);
	assert_int_equal(h.e[2].line, 4);
	history_free(&h);
}

static void bash_timestamps_give_times_and_keep_multi_line_commands_whole(void **state)
{
	struct history h;
	(void)state;

	history_parse_bash(S("#1700000000\nfor i in 1\ndo echo\n\ndone\n#1700000009\nuptime\n"), &h);
	assert_int_equal(h.n, 2);
	check(&h, 0, "for i in 1\ndo echo\n\ndone", 1700000000000000LL, -1);
	check(&h, 1, "uptime", 1700000009000000LL, -1);
	assert_int_equal(h.e[0].line, 2);
	history_free(&h);
}

static void bash_lines_before_the_first_timestamp_have_no_time(void **state)
{
	struct history h;
	(void)state;

	history_parse_bash(S("old\n#1700000000\nnew\n"), &h);
	assert_int_equal(h.n, 2);
	check(&h, 0, "old", -1, -1);
	check(&h, 1, "new", 1700000000000000LL, -1);
	history_free(&h);
}

static void a_comment_that_is_not_a_timestamp_is_a_command(void **state)
{
	struct history h;
	(void)state;

	history_parse_bash(S("#not a stamp\n#12a\n"), &h);
	assert_int_equal(h.n, 2);
	check(&h, 0, "#not a stamp", -1, -1);
	history_free(&h);
}

static void zsh_extended_history_gives_start_and_end(void **state)
{
	struct history h;
	(void)state;

	history_parse_zsh(S(": 1700000100:3;apt update\n: 1700000200:0;ls\n"), &h);
	assert_int_equal(h.n, 2);
	check(&h, 0, "apt update", 1700000100000000LL, 1700000103000000LL);
	check(&h, 1, "ls", 1700000200000000LL, 1700000200000000LL);
	history_free(&h);
}

static void zsh_backslash_newline_continues_a_command(void **state)
{
	struct history h;
	(void)state;

	history_parse_zsh(S(": 1700000200:0;echo a\\\nb\\\nc\nnext\n"), &h);
	assert_int_equal(h.n, 2);
	check(&h, 0, "echo a\nb\nc", 1700000200000000LL, 1700000200000000LL);
	check(&h, 1, "next", -1, -1);
	history_free(&h);
}

static void zsh_metafied_bytes_are_decoded(void **state)
{
	struct history h;
	(void)state;

	/* 0x83 is zsh's Meta: the next byte is the real one xor 0x20 */
	history_parse_zsh(S("echo \x83\xa3 \x83\xbc\n"), &h);
	assert_int_equal(h.n, 1);
	check(&h, 0, "echo \x83 \x9c", -1, -1);
	history_free(&h);
}

static void a_malformed_zsh_stamp_is_part_of_the_command(void **state)
{
	struct history h;
	(void)state;

	history_parse_zsh(S(": x:0;ls\n: 99999999999999999999:1;huge\n"), &h);
	assert_int_equal(h.n, 2);
	check(&h, 0, ": x:0;ls", -1, -1);
	check(&h, 1, ": 99999999999999999999:1;huge", -1, -1);
	history_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bash_without_timestamps_is_one_command_per_line),
		cmocka_unit_test(bash_timestamps_give_times_and_keep_multi_line_commands_whole),
		cmocka_unit_test(bash_lines_before_the_first_timestamp_have_no_time),
		cmocka_unit_test(a_comment_that_is_not_a_timestamp_is_a_command),
		cmocka_unit_test(zsh_extended_history_gives_start_and_end),
		cmocka_unit_test(zsh_backslash_newline_continues_a_command),
		cmocka_unit_test(zsh_metafied_bytes_are_decoded),
		cmocka_unit_test(a_malformed_zsh_stamp_is_part_of_the_command),
	};
	return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
