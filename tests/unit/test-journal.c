/*
 * journal: finding the journal directory, opening it (team.conf, the
 * team's time zone), and the modes of what is created in a shared one.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "base/day.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "journal/journal.h"

/* the test's directory under /tmp, removed by teardown even when the test fails */
static char *tmp;

static int setup(void **state)
{
	(void)state;
	unsetenv("LOGBOOK_DIR");
	return 0;
}

/* journal_open changes the process's time zone: leave UTC for the next test */
static int teardown(void **state)
{
	(void)state;
	unsetenv("LOGBOOK_DIR");
	day_set_tz("UTC");
	if (tmp)
		unit_rmtree(tmp);
	free(tmp);
	tmp = NULL;
	return 0;
}

static void day_of_iso(const char *iso, char day[DAY_LEN + 1])
{
	int64_t us;

	assert_int_equal(day_time_parse(iso, strlen(iso), &us), 0);
	assert_int_equal(day_of(us, day), 0);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void option_then_environment_then_default_locate_the_journal(void **state)
{
	(void)state;
	assert_string_equal(journal_locate(NULL), "/var/lib/logbook");
	assert_string_equal(journal_locate(""), "/var/lib/logbook");
	setenv("LOGBOOK_DIR", "/srv/logbook", 1);
	assert_string_equal(journal_locate(NULL), "/srv/logbook");
	assert_string_equal(journal_locate(""), "/srv/logbook");
	assert_string_equal(journal_locate("/tmp/other"), "/tmp/other");
	/* an empty variable is no setting */
	setenv("LOGBOOK_DIR", "", 1);
	assert_string_equal(journal_locate(NULL), "/var/lib/logbook");
	assert_string_equal(journal_locate("/tmp/other"), "/tmp/other");
}

static void a_missing_directory_is_no_journal(void **state)
{
	char *dir = tmp = unit_tmpdir();
	char *missing = xasprintf("%s/nowhere", dir);
	char *file = xasprintf("%s/a-file", dir);
	char *expect;

	(void)state;
	assert_null(journal_open(missing));
	expect = xasprintf("%s: no journal here (create one with 'logbook init %s')", missing, missing);
	assert_string_equal(errget(), expect);
	free(expect);

	unit_write(file, "x", 1, 0);
	assert_null(journal_open(file));
	expect = xasprintf("%s: no journal here (create one with 'logbook init %s')", file, file);
	assert_string_equal(errget(), expect);
	free(expect);
	free(missing);
	free(file);
}

static void a_directory_without_team_conf_is_not_a_journal(void **state)
{
	char *dir = tmp = unit_tmpdir();
	char *expect = xasprintf("%s: not a logbook journal: no team.conf (create one with 'logbook init %s')",
				 dir, dir);

	(void)state;
	assert_null(journal_open(dir));
	assert_string_equal(errget(), expect);
	free(expect);
}

static void the_team_time_zone_cuts_the_days(void **state)
{
	char *dir = tmp = unit_journal_with("# the team\n[team]\n\ttimezone = Asia/Tokyo\n");
	struct journal *j = journal_open(dir);
	char day[DAY_LEN + 1];

	(void)state;
	assert_non_null(j);
	assert_string_equal(j->tz, "Asia/Tokyo");
	assert_string_equal(getenv("TZ"), "Asia/Tokyo");
	assert_string_equal(j->dir, dir);
	/* 20:00 UTC is 05:00 the next morning in Tokyo (UTC+9, no DST) */
	day_of_iso("2026-11-20T20:00:00.000000Z", day);
	assert_string_equal(day, "2026_11_21");
	day_of_iso("2026-11-20T14:59:59.999999Z", day);
	assert_string_equal(day, "2026_11_20");
	journal_close(j);
}

static void without_a_time_zone_the_team_is_in_utc(void **state)
{
	char *dir = tmp = unit_journal_with("[admin \"alice\"]\n\temail = alice@example.org\n");
	struct journal *j;
	char day[DAY_LEN + 1];

	(void)state;
	/* a zone left over from elsewhere must not decide the team's days */
	assert_int_equal(day_set_tz("Asia/Tokyo"), 0);
	j = journal_open(dir);
	assert_non_null(j);
	assert_string_equal(j->tz, "UTC");
	day_of_iso("2026-11-20T20:00:00.000000Z", day);
	assert_string_equal(day, "2026_11_20");
	journal_close(j);
}

static void an_unknown_time_zone_is_reported_with_file_and_line(void **state)
{
	char *dir = tmp = unit_journal_with("# the team\n\n[team]\n\ttimezone = Mars/Olympus_Mons\n");
	char *expect = xasprintf("%s/team.conf:4: unknown time zone 'Mars/Olympus_Mons'", dir);
	char *conf = xasprintf("%s/team.conf", dir);

	(void)state;
	assert_null(journal_open(dir));
	assert_int_equal(strncmp(errget(), expect, strlen(expect)), 0);
	free(expect);

	/* a name that is no zone name at all, which must not reach the file system */
	unit_write(conf, "[team]\n\ttimezone = ../../../etc/passwd\n", 39, 0);
	assert_null(journal_open(dir));
	expect = xasprintf("%s/team.conf:2: bad time zone '../../../etc/passwd'", dir);
	assert_int_equal(strncmp(errget(), expect, strlen(expect)), 0);
	free(expect);
	free(conf);
}

static void a_team_conf_syntax_error_is_reported_with_file_and_line(void **state)
{
	char *dir = tmp = unit_journal_with("[team]\n\ttimezone = UTC\n[admin \"alice\n");
	char *expect = xasprintf("%s/team.conf:3: ", dir);

	(void)state;
	assert_null(journal_open(dir));
	assert_int_equal(strncmp(errget(), expect, strlen(expect)), 0);
	free(expect);
}

static void a_private_journal_makes_files_0640_and_directories_0750(void **state)
{
	char *dir = tmp = unit_journal();
	struct journal *j;
	char *path, *file;
	mode_t old = umask(022);
	int fd;

	(void)state;
	assert_int_equal(chmod(dir, 0750), 0);
	assert_false(journal_dir_is_shared(dir));
	j = journal_open(dir);
	assert_non_null(j);
	assert_false(j->shared);
	assert_int_equal(journal_file_mode(j), 0640);
	assert_int_equal(journal_dir_mode(j), 0750);

	assert_int_equal(journal_mkdirs(j, "2026/2026_11_20"), 0);
	path = journal_path(j, "2026");
	assert_int_equal(mode_of(path), 0750);
	free(path);
	path = journal_path(j, "2026/2026_11_20");
	assert_int_equal(mode_of(path), 0750);
	file = journal_path(j, "2026/2026_11_20/web1.jsonl");
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL, journal_file_mode(j));
	assert_true(fd >= 0);
	assert_int_equal(journal_fix_mode(j, fd), 0);
	close(fd);
	assert_int_equal(mode_of(file), 0640);
	umask(old);
	free(file);
	free(path);
	journal_close(j);
}

static void a_setgid_journal_is_shared_with_its_group_whatever_the_umask(void **state)
{
	char *dir = tmp = unit_journal();
	struct journal *j;
	char *path, *file;
	mode_t old = umask(077);
	int fd;

	(void)state;
	assert_int_equal(chmod(dir, 02770), 0);
	assert_true(journal_dir_is_shared(dir));
	j = journal_open(dir);
	assert_non_null(j);
	assert_true(j->shared);
	assert_int_equal(journal_file_mode(j), 0660);
	assert_int_equal(journal_dir_mode(j), 02770);

	/* every level made gets the mode, not only the last */
	assert_int_equal(journal_mkdirs(j, "2026/2026_11_20"), 0);
	path = journal_path(j, "2026");
	assert_int_equal(mode_of(path), 02770);
	free(path);
	path = journal_path(j, "2026/2026_11_20");
	assert_int_equal(mode_of(path), 02770);
	file = journal_path(j, "2026/2026_11_20/web1.jsonl");
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL, journal_file_mode(j));
	assert_true(fd >= 0);
	assert_int_equal(mode_of(file), 0600);
	assert_int_equal(journal_fix_mode(j, fd), 0);
	close(fd);
	assert_int_equal(mode_of(file), 0660);
	umask(old);
	free(file);
	free(path);
	journal_close(j);
}

static void mkdirs_accepts_existing_directories_and_refuses_a_file_in_the_way(void **state)
{
	char *dir = tmp = unit_journal();
	struct journal *j = journal_open(dir);
	char *file, *expect;

	(void)state;
	assert_non_null(j);
	assert_int_equal(journal_mkdirs(j, "2026/2026_11_20"), 0);
	assert_int_equal(journal_mkdirs(j, "2026/2026_11_20"), 0);
	assert_int_equal(journal_mkdirs(j, ".state"), 0);
	file = journal_path(j, "2026/2026_11_21");
	unit_write(file, "", 0, 0);
	assert_int_equal(journal_mkdirs(j, "2026/2026_11_21/deeper"), -1);
	expect = xasprintf("%s: %s", file, strerror(ENOTDIR));
	assert_string_equal(errget(), expect);
	free(expect);
	free(file);
	journal_close(j);
}

static void paths_are_inside_the_journal(void **state)
{
	struct journal j = { 0 };
	char *p;

	(void)state;
	j.dir = "/var/lib/logbook";
	p = journal_path(&j, "2026/2026_11_20/web1.jsonl");
	assert_string_equal(p, "/var/lib/logbook/2026/2026_11_20/web1.jsonl");
	free(p);
	j.dir = "/srv/logbook/";
	p = journal_path(&j, ".state");
	assert_string_equal(p, "/srv/logbook/.state");
	free(p);
	journal_close(NULL);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(option_then_environment_then_default_locate_the_journal),
		T(a_missing_directory_is_no_journal),
		T(a_directory_without_team_conf_is_not_a_journal),
		T(the_team_time_zone_cuts_the_days),
		T(without_a_time_zone_the_team_is_in_utc),
		T(an_unknown_time_zone_is_reported_with_file_and_line),
		T(a_team_conf_syntax_error_is_reported_with_file_and_line),
		T(a_private_journal_makes_files_0640_and_directories_0750),
		T(a_setgid_journal_is_shared_with_its_group_whatever_the_umask),
		T(mkdirs_accepts_existing_directories_and_refuses_a_file_in_the_way),
		T(paths_are_inside_the_journal),
	};
	return cmocka_run_group_tests_name("journal", tests, NULL, NULL);
}
