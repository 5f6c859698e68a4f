/*
 * page: the day page's model.  Records go in as stored lines; the tests
 * check where each lands (host, stretch, list, messages) and what is
 * folded, independently of any renderer.
 */
#include "unit.h"

#include "base/buf.h"
#include "base/day.h"
#include "journal/event.h"
#include "journal/reboot.h"
#include "journal/record.h"
#include "view/page.h"
#include "view/render.h"

#define S 1000000LL
#define T0 (1795508043 * S)	/* 2026-11-24T08:14:03Z */

struct day {
	struct page pg;
	struct buf lines[32];
	size_t n;
};

/* append a record as a stored line (the caller sets its fields first) */
static void add(struct day *d, struct record *r)
{
	assert_true(d->n < 32);
	rec_set_chain(r, (int64_t)d->n + 1, rec_genesis);
	d->lines[d->n] = (struct buf)BUF_INIT;
	assert_int_equal(rec_encode(r, &d->lines[d->n]), 0);
	page_add(&d->pg, buf_str(&d->lines[d->n]), d->lines[d->n].len, "x.jsonl", d->n + 1);
	d->n++;
	rec_free(r);
}

static struct record *cmd(int64_t t, const char *session, const char *text, int status)
{
	struct record *r = rec_new("cmd", T0 + t * S, "web1", "alice", "root", session);
	rec_set_text(r, "cmd", text, strlen(text));
	rec_set_int(r, "exit", status);
	return r;
}

static struct record *event(int64_t t, const char *host, const char *text)
{
	struct record *r = rec_new("event", T0 + t * S, host, "mail", "root", "");
	rec_set_text(r, "text", text, strlen(text));
	rec_set_text(r, "source", "backup", 6);
	rec_set_text(r, "level", "warning", 7);
	return r;
}

static void release(struct day *d)
{
	page_release(&d->pg);
	for (size_t i = 0; i < d->n; i++)
		buf_release(&d->lines[i]);
}

static void routine_commands_are_simple_successful_and_listed(void **state)
{
	struct page pg;

	(void)state;
	page_init(&pg, "2026_11_24", "UTC", NULL);
	assert_true(page_is_noise(&pg, "ls", 2, 0));
	assert_true(page_is_noise(&pg, "  cd /etc", 9, 0));
	assert_true(page_is_noise(&pg, "logbook show", 12, 0));
	assert_false(page_is_noise(&pg, "ls /nope", 8, 2));
	assert_false(page_is_noise(&pg, "cd /srv && rm -rf old", 21, 0));
	assert_false(page_is_noise(&pg, "ls | xargs rm", 13, 0));
	assert_false(page_is_noise(&pg, "cd $(mktemp -d)", 15, 0));
	assert_false(page_is_noise(&pg, "lsblk", 5, 0));
	assert_false(page_is_noise(&pg, "", 0, 0));
	page_release(&pg);
	page_init(&pg, "2026_11_24", "UTC", "df, free");
	assert_true(page_is_noise(&pg, "df -h", 5, 0));
	assert_true(page_is_noise(&pg, "free", 4, 0));
	assert_false(page_is_noise(&pg, "ls", 2, 0));
	page_release(&pg);
	page_init(&pg, "2026_11_24", "UTC", "");
	assert_false(page_is_noise(&pg, "ls", 2, 0));
	page_release(&pg);
}

static void a_signature_closes_a_stretch_and_sessions_interleave(void **state)
{
	struct day d = { .n = 0 };
	struct record *r;

	(void)state;
	page_init(&d.pg, "2026_11_24", "UTC", NULL);
	add(&d, cmd(1, "s1", "vi a", 0));
	add(&d, cmd(2, "s2", "vi b", 0));
	add(&d, cmd(3, "s1", "ls", 0));
	r = rec_new("sign", T0 + 4 * S, "web1", "alice", "root", "s1");
	rec_set_int(r, "covers", 3);
	add(&d, r);
	add(&d, cmd(5, "s1", "vi c", 0));
	r = rec_new("session", T0 + 6 * S, "web1", "alice", "root", "s2");
	rec_set_text(r, "event", "close", 5);
	rec_set_text(r, "how", "lost", 4);
	add(&d, r);
	page_finish(&d.pg);
	assert_int_equal(d.pg.nhosts, 1);
	assert_int_equal(d.pg.hosts[0].nstretches, 3);
	/* s1 until its signature: one command shown, one routine, the signature */
	assert_string_equal(d.pg.hosts[0].stretches[0].session, "s1");
	assert_int_equal(d.pg.hosts[0].stretches[0].cmds.n, 1);
	assert_int_equal(d.pg.hosts[0].stretches[0].noise, 1);
	assert_int_equal(d.pg.hosts[0].stretches[0].signs.n, 1);
	/* s2 beside it, its shell lost */
	assert_string_equal(d.pg.hosts[0].stretches[1].session, "s2");
	assert_int_not_equal(d.pg.hosts[0].stretches[1].closed, SIZE_MAX);
	/* s1 after the signature: a stretch of its own */
	assert_string_equal(d.pg.hosts[0].stretches[2].session, "s1");
	assert_int_equal(d.pg.hosts[0].stretches[2].cmds.n, 1);
	assert_int_equal(d.pg.records, 6);
	release(&d);
}

static void identical_messages_fold_per_host(void **state)
{
	struct day d = { .n = 0 };

	(void)state;
	page_init(&d.pg, "2026_11_24", "UTC", NULL);
	for (int i = 0; i < 150; i += 10) {
		add(&d, event(i, "web1", "disk full"));
		if (i == 20)
			add(&d, event(i + 1, "web1", "disk almost full"));
	}
	add(&d, event(200, "db1", "disk full"));
	page_finish(&d.pg);
	assert_int_equal(d.pg.nhosts, 2);
	assert_int_equal(d.pg.hosts[0].nmessages, 2);
	assert_int_equal(d.pg.hosts[0].messages[0].count, 15);
	assert_int_equal(d.pg.hosts[0].messages[0].last, T0 + 140 * S);
	assert_int_equal(d.pg.hosts[0].messages[1].count, 1);
	assert_int_equal(d.pg.hosts[1].nmessages, 1);
	assert_int_equal(d.pg.hosts[0].nstretches, 0);
	release(&d);
}

static struct record *unit_failed(int64_t t, const char *unit, const char *result, const char *log)
{
	struct record *r = event_record(T0 + t * S, "web1", SYSTEM_ADMIN, "root", "", "systemd", EVENT_CRITICAL,
					log, strlen(log), strlen(log));
	rec_set_text(r, "unit", unit, strlen(unit));
	rec_set_text(r, "result", result, strlen(result));
	return r;
}

static void a_unit_s_failures_fold_by_unit_and_result_not_log_lines(void **state)
{
	struct day d = { .n = 0 };

	(void)state;
	page_init(&d.pg, "2026_11_24", "UTC", NULL);
	add(&d, unit_failed(0, "backup.service", "exit-code", "backup.service failed\n10:00:00 rsync: 1"));
	add(&d, unit_failed(60, "backup.service", "exit-code", "backup.service failed\n10:01:00 rsync: 2"));
	add(&d, unit_failed(120, "backup.service", "timeout", "backup.service failed\n10:02:00 rsync: 3"));
	add(&d, unit_failed(180, "nginx.service", "exit-code", "backup.service failed\n10:01:00 rsync: 2"));
	page_finish(&d.pg);
	assert_int_equal(d.pg.hosts[0].nmessages, 3);
	assert_int_equal(d.pg.hosts[0].messages[0].count, 2);
	assert_int_equal(d.pg.hosts[0].messages[1].count, 1);
	assert_int_equal(d.pg.hosts[0].messages[2].count, 1);
	release(&d);
}

static void a_reboot_is_one_line_and_never_folds(void **state)
{
	struct reboot_previous unclean = { "aaa", T0 - 120 * S, false, REBOOT_BY_NOTHING };
	struct reboot_previous clean = { "bbb", T0 + 3000 * S, true, REBOOT_BY_RECORD };
	/* the night before: the day is named */
	struct reboot_previous late = { "ccc", T0 - 10 * 3600 * S, true, REBOOT_BY_RECORD };
	struct day d = { .n = 0 };
	struct record *r;
	struct buf line = BUF_INIT;

	(void)state;
	assert_int_equal(day_set_tz("UTC"), 0);
	page_init(&d.pg, "2026_11_24", "UTC", NULL);
	add(&d, reboot_up_record("web1", "root", "bbb", T0, "6.1.0-28-amd64", &unclean));
	add(&d, reboot_down_record(T0 + 3000 * S, "web1", "root", "bbb", "6.1.0-28-amd64"));
	add(&d, reboot_up_record("web1", "root", "ccc", T0 + 3100 * S, "6.1.0-29-amd64", &clean));
	page_finish(&d.pg);
	assert_int_equal(d.pg.hosts[0].nmessages, 3);
	assert_int_equal(d.pg.hosts[0].nstretches, 0);

	r = page_record(&d.pg, d.pg.hosts[0].messages[0].line);
	assert_true(page_boot_line(r, &line));
	assert_string_equal(buf_str(&line),
			    "rebooted: down 08:12, up 08:14, 6.1.0-28-amd64; previous boot ended uncleanly (no shutdown record)");
	assert_true(page_boot_unclean(r));
	rec_free(r);
	buf_reset(&line);
	r = page_record(&d.pg, d.pg.hosts[0].messages[1].line);
	assert_true(page_boot_line(r, &line));
	assert_string_equal(buf_str(&line), "shut down (6.1.0-28-amd64)");
	assert_false(page_boot_unclean(r));
	rec_free(r);
	buf_reset(&line);
	r = page_record(&d.pg, d.pg.hosts[0].messages[2].line);
	page_message_summary(r, &line);
	assert_string_equal(buf_str(&line), "rebooted: down 09:04, up 09:05, 6.1.0-29-amd64; previous boot ended cleanly");
	assert_false(page_boot_unclean(r));
	rec_free(r);
	release(&d);

	buf_reset(&line);
	r = reboot_up_record("web1", "root", "ddd", T0, "6.1.0-29-amd64", &late);
	assert_true(page_boot_line(r, &line));
	assert_string_equal(buf_str(&line), "rebooted: down 2026_11_23 22:14, up 08:14, 6.1.0-29-amd64; previous boot ended cleanly");
	rec_free(r);
	/* not a boot record */
	buf_reset(&line);
	r = unit_failed(0, "x.service", "exit-code", "x");
	assert_false(page_boot_line(r, &line));
	assert_false(page_boot_unclean(r));
	assert_int_equal(line.len, 0);
	rec_free(r);
	buf_release(&line);
}

static void a_message_is_known_by_its_subject_or_first_words(void **state)
{
	struct record *r = rec_new("event", T0, "web1", "mail", "root", "");
	struct buf out = BUF_INIT;
	static const char body[] = "----------\n\n  Debian Security Advisory\n---\nPackage: openssl\n\nline 3\nline 4\n";
	json_t *mail = json_object();

	(void)state;
	rec_set_text(r, "text", body, sizeof body - 1);
	page_message_summary(r, &out);
	assert_string_equal(buf_str(&out), "  Debian Security Advisory");
	buf_reset(&out);
	assert_int_equal(page_mail_lines(r, 2, &out), 2);
	assert_string_equal(buf_str(&out), "  Debian Security Advisory\nPackage: openssl\n");
	json_object_set_new(mail, "subject", json_string("[DSA 1-1] openssl"));
	rec_set_json(r, "mail", mail);
	buf_reset(&out);
	page_message_summary(r, &out);
	assert_string_equal(buf_str(&out), "[DSA 1-1] openssl");
	buf_release(&out);
	rec_free(r);
}

static void a_package_run_is_one_line_with_counts_and_its_packages_as_details(void **state)
{
	struct record *r = rec_new("package", T0, "web1", "alice", "root", "s1");
	struct buf line = BUF_INIT, details = BUF_INIT;
	json_error_t e;

	(void)state;
	rec_set_text(r, "tool", "apt", 3);
	rec_set_text(r, "command", "apt-get install nginx", 21);
	rec_set_json(r, "changes", json_loads("[{\"name\":\"nginx\",\"arch\":\"amd64\",\"action\":\"install\",\"new\":\"1.22\"},"
					     "{\"name\":\"libx\",\"arch\":\"amd64\",\"action\":\"install\",\"new\":\"2\"},"
					     "{\"name\":\"ssl\",\"arch\":\"amd64\",\"action\":\"upgrade\",\"old\":\"3.0\",\"new\":\"3.1\"},"
					     "{\"name\":\"rc\",\"arch\":\"amd64\",\"action\":\"purge\"}]", 0, &e));
	assert_true(page_package_summary(r, &line, &details));
	assert_string_equal(buf_str(&line), "alice: apt-get install nginx: 2 installed, 1 upgraded, 1 purged");
	assert_string_equal(buf_str(&details), "install nginx:amd64 1.22\ninstall libx:amd64 2\n"
					       "upgrade ssl:amd64 3.0 -> 3.1\npurge rc:amd64");
	rec_free(r);
	buf_reset(&line);
	buf_reset(&details);
	/* dpkg alone: its admin is its tool */
	r = rec_new("package", T0, "web1", "dpkg", "root", "");
	rec_set_text(r, "tool", "dpkg", 4);
	rec_set_json(r, "changes", json_array());
	assert_true(page_package_summary(r, &line, &details));
	assert_string_equal(buf_str(&line), "dpkg: nothing changed");
	rec_free(r);
	buf_reset(&line);
	r = rec_new("note", T0, "web1", "alice", "root", "");
	assert_false(page_package_summary(r, &line, &details));
	rec_free(r);
	buf_release(&line);
	buf_release(&details);
}

struct marks {
	size_t line[8], offset[8], n;
};

static void on_mark(void *arg, size_t line, size_t offset)
{
	struct marks *m = arg;

	assert_true(m->n < 8);
	m->line[m->n] = line;
	m->offset[m->n++] = offset;
}

/* browse tells which record a line of the page shows by these marks */
static void render_marks_each_record_where_its_line_starts(void **state)
{
	struct day d = { .n = 0 };
	struct marks m = { .n = 0 };
	struct render rd = { .mark = on_mark, .mark_arg = &m };
	struct buf out = BUF_INIT;

	(void)state;
	day_set_tz("UTC");
	page_init(&d.pg, "2026_11_24", "UTC", NULL);
	add(&d, cmd(1, "s1", "systemctl restart nginx", 0));
	add(&d, cmd(2, "s1", "ls", 0));	/* routine: counted, not shown, not marked */
	add(&d, event(3, "web1", "disk full"));
	page_finish(&d.pg);
	render_day_page(&rd, &out, &d.pg);
	render_release(&rd);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.line[0], 0);
	assert_int_equal(m.line[1], 2);
	assert_true(m.offset[0] < m.offset[1] && m.offset[1] < out.len);
	/* each mark is where the record's own line begins */
	assert_true(m.offset[0] == 0 || out.data[m.offset[0] - 1] == '\n');
	assert_int_equal(strncmp(out.data + m.offset[0], "    08:14:04  $ systemctl restart nginx", 39), 0);
	assert_int_equal(strncmp(out.data + m.offset[1], "    08:14:06  [warning] backup: disk full", 41), 0);
	buf_release(&out);
	release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(routine_commands_are_simple_successful_and_listed),
		cmocka_unit_test(a_signature_closes_a_stretch_and_sessions_interleave),
		cmocka_unit_test(identical_messages_fold_per_host),
		cmocka_unit_test(a_message_is_known_by_its_subject_or_first_words),
		cmocka_unit_test(a_unit_s_failures_fold_by_unit_and_result_not_log_lines),
		cmocka_unit_test(a_reboot_is_one_line_and_never_folds),
		cmocka_unit_test(a_package_run_is_one_line_with_counts_and_its_packages_as_details),
		cmocka_unit_test(render_marks_each_record_where_its_line_starts),
	};
	return cmocka_run_group_tests_name("page", tests, NULL, NULL);
}
