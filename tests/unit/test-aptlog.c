/* aptlog: APT's history.log and dpkg's dpkg.log */
#include "unit.h"
#include "capture/aptlog.h"

#define S(lit) lit, sizeof(lit) - 1

static const char two_runs[] =
	"\n"
	"Start-Date: 2026-12-05  10:00:00\n"
	"Commandline: apt-get install nginx\n"
	"Requested-By: alice (1000)\n"
	"Install: nginx:amd64 (1.22.1-9), libnginx-mod-http:amd64 (1.22.1-9, automatic)\n"
	"Upgrade: openssl:amd64 (3.0.11-1~deb12u1, 3.0.13-1~deb12u1)\n"
	"Remove: sl:amd64 (5.02-1+b1)\n"
	"End-Date: 2026-12-05  10:00:09\n"
	"\n"
	"Start-Date: 2026-12-06  06:10:00\n"
	"Commandline: /usr/bin/unattended-upgrade\n"
	"Downgrade: x:all (2.0, 1:1.0)\n"
	"Reinstall: y:i386 (3)\n"
	"Purge: z:amd64 (4), rc:amd64 ()\n"
	"End-Date: 2026-12-06  06:10:01\n";

static void check_change(const struct aptlog_change *c, const char *name, const char *arch, const char *action,
			 const char *old, const char *new_version)
{
	assert_string_equal(c->name, name);
	assert_string_equal(c->arch, arch);
	assert_string_equal(c->action, action);
	if (old)
		assert_string_equal(c->old_version, old);
	else
		assert_null(c->old_version);
	if (new_version)
		assert_string_equal(c->new_version, new_version);
	else
		assert_null(c->new_version);
}

static void history_entries_give_runs_with_their_changes(void **state)
{
	struct aptlog_run r;
	struct buf problems = BUF_INIT;
	size_t pos = 0, line = 1;
	(void)state;

	assert_int_equal(aptlog_history_next(S(two_runs), &pos, &line, &r, &problems), APTLOG_RUN);
	assert_string_equal(r.start, "2026-12-05 10:00:00");
	assert_string_equal(r.end, "2026-12-05 10:00:09");
	assert_string_equal(r.command, "apt-get install nginx");
	assert_string_equal(r.requested_by, "alice");
	assert_int_equal(r.n, 4);
	check_change(&r.changes[0], "nginx", "amd64", "install", NULL, "1.22.1-9");
	check_change(&r.changes[1], "libnginx-mod-http", "amd64", "install", NULL, "1.22.1-9");
	check_change(&r.changes[2], "openssl", "amd64", "upgrade", "3.0.11-1~deb12u1", "3.0.13-1~deb12u1");
	check_change(&r.changes[3], "sl", "amd64", "remove", "5.02-1+b1", NULL);
	assert_int_equal(strlen(r.hash), 64);
	aptlog_run_release(&r);

	assert_int_equal(aptlog_history_next(S(two_runs), &pos, &line, &r, &problems), APTLOG_RUN);
	assert_string_equal(r.command, "/usr/bin/unattended-upgrade");
	assert_null(r.requested_by);
	assert_int_equal(r.n, 4);
	check_change(&r.changes[0], "x", "all", "downgrade", "2.0", "1:1.0");
	check_change(&r.changes[1], "y", "i386", "reinstall", "3", "3");
	check_change(&r.changes[2], "z", "amd64", "purge", "4", NULL);
	/* only its configuration files were left: no version */
	check_change(&r.changes[3], "rc", "amd64", "purge", NULL, NULL);
	aptlog_run_release(&r);
	assert_int_equal(aptlog_history_next(S(two_runs), &pos, &line, &r, &problems), APTLOG_END);
	assert_int_equal(pos, sizeof two_runs - 1);
	assert_int_equal(problems.len, 0);
	buf_release(&problems);
}

static void an_entry_without_end_is_open_at_the_end_and_closed_by_the_next(void **state)
{
	struct aptlog_run r;
	struct buf problems = BUF_INIT;
	size_t pos = 0, line = 1;
	static const char log[] = "Start-Date: 2026-12-05  10:00:00\nInstall: a:amd64 (1)\n"
				  "Start-Date: 2026-12-05  11:00:00\nInstall: b:amd64 (1)\n";
	(void)state;

	assert_int_equal(aptlog_history_next(S(log), &pos, &line, &r, &problems), APTLOG_RUN);
	assert_string_equal(r.end, "");
	assert_int_equal(r.n, 1);
	aptlog_run_release(&r);
	assert_int_equal(aptlog_history_next(S(log), &pos, &line, &r, &problems), APTLOG_OPEN);
	assert_string_equal(r.start, "2026-12-05 11:00:00");
	/* an open entry is not consumed: read again once APT wrote its end */
	assert_int_equal(pos, 54);
	aptlog_run_release(&r);
	buf_release(&problems);
}

static void damaged_lines_are_reported_and_skipped(void **state)
{
	struct aptlog_run r;
	struct buf problems = BUF_INIT;
	size_t pos = 0, line = 1;
	static const char log[] = "garbage\nStart-Date: 2026-12-05  10:00:00\n"
				  "Install: a:amd64 (1), b (2), c:amd64 (1, 2), d:amd64 (3, automatic)\n"
				  "End-Date: 2026-13-05  10:00:01\n";
	(void)state;

	assert_int_equal(aptlog_history_next(S(log), &pos, &line, &r, &problems), APTLOG_RUN);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.changes[1].name, "d");
	assert_string_equal(r.end, "");
	assert_non_null(strstr(buf_str(&problems), "line 1: outside an entry"));
	assert_non_null(strstr(buf_str(&problems), "line 3: 'b (2)'"));
	assert_non_null(strstr(buf_str(&problems), "line 3: 'c:amd64 (1, 2)': not the versions of Install"));
	assert_non_null(strstr(buf_str(&problems), "line 4: bad End-Date"));
	aptlog_run_release(&r);
	buf_release(&problems);
}

static void dpkg_lines_give_startups_and_changes(void **state)
{
	struct aptlog_line l;
	(void)state;

	assert_int_equal(aptlog_dpkg_line(S("2026-12-05 10:00:01 startup archives unpack"), &l), APTLOG_LINE_STARTUP);
	assert_string_equal(l.time, "2026-12-05 10:00:01");
	assert_int_equal(aptlog_dpkg_line(S("2026-12-05 10:00:01 install sl:amd64 <none> 5.02-1+b1"), &l),
			 APTLOG_LINE_CHANGE);
	check_change(&l.change, "sl", "amd64", "install", NULL, "5.02-1+b1");
	aptlog_change_release(&l.change);
	assert_int_equal(aptlog_dpkg_line(S("2026-12-05 10:00:01 upgrade x:all 1.0-1 1.0-2"), &l), APTLOG_LINE_CHANGE);
	check_change(&l.change, "x", "all", "upgrade", "1.0-1", "1.0-2");
	aptlog_change_release(&l.change);
	assert_int_equal(aptlog_dpkg_line(S("2026-12-05 10:00:01 upgrade x:all 1.0-2 1.0-1"), &l), APTLOG_LINE_CHANGE);
	assert_string_equal(l.change.action, "downgrade");
	aptlog_change_release(&l.change);
	assert_int_equal(aptlog_dpkg_line(S("2026-12-05 10:00:01 upgrade x:all 1.0-2 1.0-2"), &l), APTLOG_LINE_CHANGE);
	assert_string_equal(l.change.action, "reinstall");
	aptlog_change_release(&l.change);
	assert_int_equal(aptlog_dpkg_line(S("2026-12-05 10:00:01 remove x:all 1.0-2 <none>"), &l), APTLOG_LINE_CHANGE);
	check_change(&l.change, "x", "all", "remove", "1.0-2", NULL);
	aptlog_change_release(&l.change);
	assert_int_equal(aptlog_dpkg_line(S("2026-12-05 10:00:01 status installed x:all 1.0-2"), &l), APTLOG_LINE_OTHER);
	assert_int_equal(aptlog_dpkg_line(S("2026-12-05 10:00:01 install x <none> 1"), &l), APTLOG_LINE_BAD);
	assert_int_equal(aptlog_dpkg_line(S("2026-12-05 10:00:01 install x:all 1 <none>"), &l), APTLOG_LINE_BAD);
	assert_int_equal(aptlog_dpkg_line(S("Dec 5 startup"), &l), APTLOG_LINE_BAD);
}

static void versions_compare_as_dpkg_does(void **state)
{
	(void)state;
	assert_true(aptlog_version_cmp("1.0", "1.0") == 0);
	assert_true(aptlog_version_cmp("1.0~rc1", "1.0") < 0);
	assert_true(aptlog_version_cmp("1:0.1", "2.0") > 0);
	assert_true(aptlog_version_cmp("1.0-1", "1.0-2") < 0);
	assert_true(aptlog_version_cmp("1.10", "1.9") > 0);
	assert_true(aptlog_version_cmp("1.0a", "1.0+") < 0);
	assert_true(aptlog_version_cmp("3.0.11-1~deb12u1", "3.0.13-1~deb12u1") < 0);
	assert_true(aptlog_version_cmp("1.0-1+b1", "1.0-1") > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(history_entries_give_runs_with_their_changes),
		cmocka_unit_test(an_entry_without_end_is_open_at_the_end_and_closed_by_the_next),
		cmocka_unit_test(damaged_lines_are_reported_and_skipped),
		cmocka_unit_test(dpkg_lines_give_startups_and_changes),
		cmocka_unit_test(versions_compare_as_dpkg_does),
	};
	return cmocka_run_group_tests_name("aptlog", tests, NULL, NULL);
}
