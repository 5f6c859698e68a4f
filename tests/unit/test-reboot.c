/*
 * reboot and the unit checks of event: when a write files a reboot, what
 * the system journal's last lines say, the boot records' fields, which
 * unit names reach systemctl and what systemctl's output gives.
 */
#include "unit.h"

#include <stdlib.h>

#include "base/buf.h"
#include "journal/event.h"
#include "journal/reboot.h"

#define S 1000000LL
#define BTIME (1795508043 * S)

static void a_reboot_is_due_only_for_another_boot_and_an_older_head(void **state)
{
	(void)state;
	assert_true(reboot_due("aaa", "bbb", BTIME - S, BTIME));
	/* the same boot */
	assert_false(reboot_due("bbb", "bbb", BTIME - S, BTIME));
	/* records written since this boot began: the boot is not new, whatever the cache says */
	assert_false(reboot_due("aaa", "bbb", BTIME, BTIME));
	assert_false(reboot_due("aaa", "bbb", BTIME + S, BTIME));
	/* nothing known: no cache, no boot id, no record, no boot time */
	assert_false(reboot_due("", "bbb", BTIME - S, BTIME));
	assert_false(reboot_due("aaa", "", BTIME - S, BTIME));
	assert_false(reboot_due("aaa", "bbb", -1, BTIME));
	assert_false(reboot_due("aaa", "bbb", BTIME - S, -1));
}

static void the_system_journal_says_whether_a_boot_was_shut_down(void **state)
{
	static const char power_off[] = "Stopped target Basic System.\nReached target System Power Off.\n";
	static const char reboot[] = "Reached target System Reboot.\n";
	static const char journald[] = "systemd-journald.service: Deactivated\nJournal stopped\n";
	static const char crash[] = "kernel: ata1: link is slow to respond\nCRON[812]: (root) CMD (true)\n";

	(void)state;
	assert_int_equal(reboot_journal_verdict(power_off, sizeof power_off - 1), 1);
	assert_int_equal(reboot_journal_verdict(reboot, sizeof reboot - 1), 1);
	assert_int_equal(reboot_journal_verdict(journald, sizeof journald - 1), 1);
	assert_int_equal(reboot_journal_verdict(crash, sizeof crash - 1), 0);
	assert_int_equal(reboot_journal_verdict("", 0), -1);
	assert_int_equal(reboot_journal_verdict("\n \n", 3), -1);
	/* a mark cut by the bound of the output is not a mark */
	assert_int_equal(reboot_journal_verdict(power_off, 40), 0);
}

static void an_up_record_carries_the_boot_and_the_previous_one(void **state)
{
	struct reboot_previous prev = { "aaa", BTIME - 60 * S, false, REBOOT_BY_NOTHING };
	struct record *r = reboot_up_record("web1", "root", "bbb", BTIME, "6.1.0-28-amd64", &prev);
	struct buf line = BUF_INIT;
	json_t *p;

	(void)state;
	assert_string_equal(r->kind, "boot");
	assert_string_equal(r->admin, SYSTEM_ADMIN);
	assert_string_equal(r->session, "");
	assert_true(r->time == BTIME);
	assert_string_equal(rec_get_str(r, "event", NULL), "up");
	assert_string_equal(rec_get_str(r, "boot_id", NULL), "bbb");
	assert_string_equal(rec_get_str(r, "up", NULL), "2026-11-24T08:14:03.000000Z");
	assert_string_equal(rec_get_str(r, "kernel", NULL), "6.1.0-28-amd64");
	p = rec_get_json(r, "previous");
	assert_string_equal(json_string_value(json_object_get(p, "boot_id")), "aaa");
	assert_string_equal(json_string_value(json_object_get(p, "down")), "2026-11-24T08:13:03.000000Z");
	assert_true(json_is_false(json_object_get(p, "clean")));
	assert_string_equal(json_string_value(json_object_get(p, "evidence")), "no shutdown record");
	assert_true(reboot_is(r, "up", "bbb"));
	assert_true(reboot_is(r, "up", NULL));
	assert_false(reboot_is(r, "up", "aaa"));
	assert_false(reboot_is(r, "down", NULL));
	rec_set_chain(r, 1, rec_genesis);
	assert_int_equal(rec_encode(r, &line), 0);
	rec_free(r);
	/* what it encodes parses back */
	r = rec_parse(line.data, line.len, false);
	assert_non_null(r);
	assert_true(reboot_is(r, "up", "bbb"));
	rec_free(r);
	r = reboot_down_record(BTIME, "web1", "root", "bbb", "6.1.0-28-amd64");
	assert_true(reboot_is(r, "down", "bbb"));
	assert_null(rec_get_json(r, "previous"));
	rec_free(r);
	buf_release(&line);
}

static void only_unit_names_reach_systemctl(void **state)
{
	static const char *const good[] = {
		"backup.service", "getty@tty1.service", "systemd-fsck@dev-disk-by\\x2duuid-12.service",
		"srv-data.mount", "logrotate.timer", "a:b_c.socket", "user-1000.slice",
	};
	static const char *const bad[] = {
		"", "backup", "--help.service", "-x.service", ".service", ".hidden.service", "a b.service",
		"x.service;id", "$(id).service", "../x.service", "x/y.service", "x.conf", "x.service\n",
		"x.SERVICE", "x.service.", "x.servicex",
	};
	char longname[300];

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		if (!event_valid_unit(good[i]))
			fail_msg("refused %s", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (event_valid_unit(bad[i]))
			fail_msg("accepted '%s'", bad[i]);
	memset(longname, 'a', sizeof longname);
	memcpy(longname + 247, ".service", 9);	/* 255 bytes */
	assert_true(event_valid_unit(longname));
	memset(longname, 'a', sizeof longname);
	memcpy(longname + 248, ".service", 9);	/* 256 */
	assert_false(event_valid_unit(longname));
}

static void a_property_of_systemctl_show(void **state)
{
	static const char show[] = "ExecMainCode=1\nResult=exit-code\nResultX=no\nResult=second\n";
	char *v;

	(void)state;
	v = event_unit_property(show, sizeof show - 1, "Result");
	assert_string_equal(v, "exit-code");
	free(v);
	v = event_unit_property(show, sizeof show - 1, "ExecMainStatus");
	assert_string_equal(v, "");
	free(v);
	/* the last line needs no newline; a value is bounded */
	v = event_unit_property("Result=timeout", 14, "Result");
	assert_string_equal(v, "timeout");
	free(v);
	{
		char big[200] = "Result=";
		memset(big + 7, 'x', sizeof big - 8);
		v = event_unit_property(big, sizeof big - 1, "Result");
		assert_int_equal(strlen(v), EVENT_PROPERTY_MAX);
		free(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_reboot_is_due_only_for_another_boot_and_an_older_head),
		cmocka_unit_test(the_system_journal_says_whether_a_boot_was_shut_down),
		cmocka_unit_test(an_up_record_carries_the_boot_and_the_previous_one),
		cmocka_unit_test(only_unit_names_reach_systemctl),
		cmocka_unit_test(a_property_of_systemctl_show),
	};

	return cmocka_run_group_tests_name("reboot", tests, NULL, NULL);
}
