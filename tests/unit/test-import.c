/* import: shell histories filed once, however often they are imported */
#include "unit.h"
#include "base/day.h"
#include "base/err.h"
#include "capture/import.h"
#include "journal/journal.h"

/* 2026-03-01 12:00:00 UTC, the time of commands the history gives none */
#define NOON_US (INT64_C(1772366400) * 1000000)
#define DAY_FILE "2026/2026_03_01/web1.jsonl"

struct fixture {
	char *dir;
	struct journal *j;
	struct ident id;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	f->dir = unit_journal();
	if (!(f->j = journal_open(f->dir))) {
		fprintf(stderr, "journal_open: %s\n", errget());
		return -1;
	}
	f->id.host = "web1";
	f->id.admin = "alice";
	f->id.account = "alice";
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	journal_close(f->j);
	day_set_tz("UTC");
	unit_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static struct import_result import_bash(struct fixture *f, const char *history)
{
	struct store_warnings w = { 0 };
	struct import_result res;

	if (import_history(f->j, &f->id, IMPORT_BASH, "/nonexistent/.bash_history", history, strlen(history),
			   NOON_US, &w, &res) < 0)
		fail_msg("import_history: %s", errget());
	assert_int_equal(w.n, 0);
	return res;
}

/* how many lines of the day file hold needle */
static size_t lines_with(struct fixture *f, const char *needle)
{
	char path[4096], *data, *line, *save = NULL;
	size_t n = 0;

	snprintf(path, sizeof path, "%s/%s", f->dir, DAY_FILE);
	if (!(data = unit_read(path, NULL)))
		return 0;
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strstr(line, needle))
			n++;
	free(data);
	return n;
}

static void a_second_import_adds_only_what_is_new(void **state)
{
	struct fixture *f = *state;
	struct import_result r;

	r = import_bash(f, "#1772366400\nsystemctl restart nginx\n#1772366460\napt upgrade\n");
	assert_int_equal(r.added, 2);
	assert_int_equal(r.skipped, 0);
	r = import_bash(f, "#1772366400\nsystemctl restart nginx\n#1772366460\napt upgrade\n");
	assert_int_equal(r.added, 0);
	assert_int_equal(r.skipped, 2);
	/* the history grew: one command more */
	r = import_bash(f, "#1772366400\nsystemctl restart nginx\n#1772366460\napt upgrade\n#1772366520\nreboot\n");
	assert_int_equal(r.added, 1);
	assert_int_equal(r.skipped, 2);
	assert_int_equal(lines_with(f, "\"import_id\":"), 3);
	assert_int_equal(lines_with(f, "systemctl restart nginx"), 1);
	assert_int_equal(lines_with(f, "\"import\":\"bash-history\""), 3);
}

static void the_same_command_at_the_same_time_twice_is_two_commands(void **state)
{
	struct fixture *f = *state;
	struct import_result r;

	r = import_bash(f, "#1772366400\nls\n#1772366400\nls\n");
	assert_int_equal(r.added, 2);
	r = import_bash(f, "#1772366400\nls\n#1772366400\nls\n");
	assert_int_equal(r.added, 0);
	assert_int_equal(r.skipped, 2);
	/* a third one later in the history is new */
	r = import_bash(f, "#1772366400\nls\n#1772366400\nls\n#1772366400\nls\n");
	assert_int_equal(r.added, 1);
	assert_int_equal(r.skipped, 2);
	assert_int_equal(lines_with(f, "\"import_id\":"), 3);
}

static void the_same_text_at_another_time_is_another_command(void **state)
{
	struct fixture *f = *state;
	struct import_result r;

	r = import_bash(f, "#1772366400\nuptime\n");
	assert_int_equal(r.added, 1);
	r = import_bash(f, "#1772366400\nuptime\n#1772366401\nuptime\n");
	assert_int_equal(r.added, 1);
	assert_int_equal(r.skipped, 1);
}

static void commands_without_a_time_take_the_given_one_and_a_leading_space_is_left_out(void **state)
{
	struct fixture *f = *state;
	struct import_result r;

	r = import_bash(f, "df -h\n secret-command\nfree -m\n");
	assert_int_equal(r.added, 2);
	assert_int_equal(lines_with(f, "secret-command"), 0);
	assert_int_equal(lines_with(f, "\"cmd\":\"df -h\""), 1);
	r = import_bash(f, "df -h\n secret-command\nfree -m\n");
	assert_int_equal(r.added, 0);
	assert_int_equal(r.skipped, 2);
}

static void a_history_file_that_is_not_a_regular_file_is_refused(void **state)
{
	struct fixture *f = *state;
	struct store_warnings w = { 0 };
	struct import_result r = { 7, 7 };

	assert_int_equal(import_history_file(f->j, &f->id, IMPORT_ZSH, f->dir, &w, &r), -1);
	assert_non_null(strstr(errget(), ": not a regular file"));
	assert_int_equal(r.added, 0);
	assert_int_equal(r.skipped, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_second_import_adds_only_what_is_new),
		T(the_same_command_at_the_same_time_twice_is_two_commands),
		T(the_same_text_at_another_time_is_another_command),
		T(commands_without_a_time_take_the_given_one_and_a_leading_space_is_left_out),
		T(a_history_file_that_is_not_a_regular_file_is_refused),
	};
	return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
