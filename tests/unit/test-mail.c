/*
 * src/mail/mail.c and src/journal/event.c: a message to an event record, the level
 * rules of team.conf and their defaults, HTML to text, bounded text.
 */
#include "unit.h"

#include "base/buf.h"
#include "base/conf.h"
#include "journal/event.h"
#include "journal/record.h"
#include "mail/mail.h"

static struct record *file(const char *msg, const char *team_text)
{
	struct conf *team = team_text ? conf_parse("team.conf", team_text, strlen(team_text)) : NULL;
	struct mail_rules rules;
	struct buf errors = BUF_INIT;
	struct record *r;

	mail_rules_load(team, &rules, &errors);
	assert_int_equal(errors.len, 0);
	r = mail_record(msg, strlen(msg), strlen(msg), &rules, 1795668803000000, "web1", "nobody", "");
	mail_rules_free(&rules);
	buf_release(&errors);
	conf_free(team);
	return r;
}

static const char *mail_str(const struct record *r, const char *key)
{
	return json_string_value(json_object_get(rec_get_json(r, "mail"), key));
}

static const char *str(const struct record *r, const char *key)
{
	return rec_get_str(r, key, NULL);
}

/* the record survives encoding and parsing, as the store will write it */
static void round_trips(struct record *r)
{
	struct buf line = BUF_INIT;
	struct record *back;

	rec_set_chain(r, 1, rec_genesis);
	assert_int_equal(rec_encode(r, &line), 0);
	back = rec_parse(line.data, line.len, false);
	assert_non_null(back);
	assert_string_equal(back->kind, "event");
	rec_free(back);
	buf_release(&line);
}

static bool has_problem(const struct record *r, const char *what)
{
	json_t *p = json_object_get(rec_get_json(r, "mail"), "problems");
	size_t i;
	json_t *v;

	json_array_foreach(p, i, v) if (strstr(json_string_value(v), what)) return true;
	return false;
}

static void a_cron_mail_becomes_a_warning_with_its_headers(void **state)
{
	struct record *r = file("From: root@web1 (Cron Daemon)\nTo: root@web1\n"
				"Subject: Cron <root@web1> /usr/local/bin/backup\n"
				"Date: Thu, 26 Nov 2026 04:00:01 +0000\nMessage-ID: <c1@web1>\n\n"
				"backup failed\n\n",
				NULL);
	(void)state;
	assert_string_equal(r->kind, "event");
	assert_string_equal(r->admin, "mail");
	assert_string_equal(r->account, "nobody");
	assert_string_equal(str(r, "source"), "mail");
	assert_string_equal(str(r, "level"), "warning");
	assert_string_equal(str(r, "text"), "backup failed");
	assert_string_equal(mail_str(r, "rule"), "default-cron");
	assert_string_equal(mail_str(r, "from"), "root@web1 (Cron Daemon)");
	assert_string_equal(mail_str(r, "message_id"), "c1@web1");
	assert_string_equal(mail_message_id(r), "c1@web1");
	assert_string_equal(mail_str(r, "date"), "Thu, 26 Nov 2026 04:00:01 +0000");
	assert_string_equal(mail_str(r, "body"), "text/plain");
	round_trips(r);
	rec_free(r);
}

static void a_cron_mail_with_an_empty_body_is_info(void **state)
{
	struct record *r = file("From: root@web1\nSubject: Cron <root@web1> true\nMessage-ID: <c2@web1>\n\n\n", NULL);
	(void)state;
	assert_string_equal(str(r, "level"), "info");
	assert_null(mail_str(r, "rule"));
	assert_string_equal(mail_str(r, "body"), "none");
	rec_free(r);
}

static void default_rules_know_mdadm_smartd_apt_and_security_lists(void **state)
{
	static const struct {
		const char *msg, *level, *rule;
	} cases[] = {
		{ "Subject: Fail event on /dev/md0:storage1\n\nx\n", "critical", "default-mdadm" },
		{ "Subject: DegradedArray event on /dev/md/0:storage1\n\nx\n", "critical", "default-mdadm" },
		{ "Subject: TestMessage event on /dev/md0:storage1\n\nx\n", "info", NULL },
		{ "Subject: SMART error (FailedReadSmartData) detected on host: b2\n\nx\n", "critical", "default-smartd" },
		{ "Subject: unattended-upgrades result for web1: FAILURE\n\nx\n", "warning", "default-apt-failure" },
		{ "Subject: unattended-upgrades result for web1: SUCCESS\n\nx\n", "info", "default-apt" },
		{ "Subject: x\nList-Id: <debian-security-announce.lists.debian.org>\n\nx\n", "warning",
		  "default-security-list" },
		{ "Subject: [SECURITY] [DLA 4000-1] curl security update\n\nx\n", "warning", "default-security" },
		{ "Subject: hello\n\nx\n", "info", NULL },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct record *r = file(cases[i].msg, NULL);
		assert_string_equal(str(r, "level"), cases[i].level);
		if (cases[i].rule)
			assert_string_equal(mail_str(r, "rule"), cases[i].rule);
		else
			assert_null(mail_str(r, "rule"));
		rec_free(r);
	}
}

static void team_rules_come_first_and_replace_defaults_of_their_name(void **state)
{
	const char *team = "[mail \"backup\"]\n\tfrom = ^backup@\n\tsubject = failed\n\tlevel = critical\n"
			   "[mail \"default-smartd\"]\n\tsubject = SMART\n\tlevel = info\n"
			   "[mail \"quiet-cron\"]\n\tsubject = ^Cron <www-data@\n\tlevel = info\n";
	struct record *r;
	(void)state;

	r = file("From: backup@b2\nSubject: Backup FAILED\n\nx\n", team);
	assert_string_equal(str(r, "level"), "critical");
	assert_string_equal(mail_str(r, "rule"), "backup");
	rec_free(r);
	/* from must match too */
	r = file("From: alice@b2\nSubject: Backup failed\n\nx\n", team);
	assert_string_equal(str(r, "level"), "info");
	rec_free(r);
	r = file("Subject: SMART error (x) detected\n\nx\n", team);
	assert_string_equal(str(r, "level"), "info");
	assert_string_equal(mail_str(r, "rule"), "default-smartd");
	rec_free(r);
	r = file("Subject: Cron <www-data@web1> php cron.php\n\noutput\n", team);
	assert_string_equal(mail_str(r, "rule"), "quiet-cron");
	rec_free(r);
}

static void a_broken_rule_is_reported_with_its_line_and_left_out(void **state)
{
	const char *text = "[team]\n\ttimezone = UTC\n[mail \"x\"]\n\tsubject = (\n\tlevel = critical\n"
			   "[mail \"y\"]\n\tsubject = ok\n\tlevel = loud\n";
	struct conf *team = conf_parse("team.conf", text, strlen(text));
	struct mail_rules rules;
	struct buf errors = BUF_INIT;
	struct record *r;
	(void)state;

	mail_rules_load(team, &rules, &errors);
	assert_non_null(strstr(buf_str(&errors), "team.conf:4: mail rule \"x\": bad regular expression"));
	assert_non_null(strstr(buf_str(&errors), "mail rule \"y\": level must be"));
	r = mail_record("Subject: ok (\n\nx\n", 16, 16, &rules, 0, "web1", "nobody", "");
	assert_string_equal(str(r, "level"), "info");
	rec_free(r);
	mail_rules_free(&rules);
	buf_release(&errors);
	conf_free(team);
}

static void multipart_prefers_plain_decodes_qp_and_charsets_and_lists_attachments(void **state)
{
	struct record *r = file("From: =?UTF-8?Q?Ren=C3=A9?= <r@x>\nSubject: =?ISO-8859-1?Q?r=E9sum=E9?=\n"
				"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=o\n\n--o\n"
				"Content-Type: multipart/alternative; boundary=i\n\n--i\n"
				"Content-Type: text/html\n\n<p>html</p>\n--i\n"
				"Content-Type: text/plain; charset=iso-8859-15\nContent-Transfer-Encoding: quoted-printable\n\n"
				"prix: 5 =A4\n--i--\n--o\n"
				"Content-Type: image/png\nContent-Disposition: attachment; filename=\"a.png\"\n"
				"Content-Transfer-Encoding: base64\n\naGVsbG8=\n--o--\n",
				NULL);
	json_t *att = json_object_get(rec_get_json(r, "mail"), "attachments");
	(void)state;
	assert_string_equal(mail_str(r, "from"), "René <r@x>");
	assert_string_equal(mail_str(r, "subject"), "résumé");
	assert_string_equal(str(r, "text"), "prix: 5 \xe2\x82\xac");
	assert_string_equal(mail_str(r, "body"), "text/plain");
	assert_int_equal(json_array_size(att), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(att, 0), "name")), "a.png");
	assert_string_equal(json_string_value(json_object_get(json_array_get(att, 0), "type")), "image/png");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(att, 0), "size")), 5);
	rec_free(r);
}

static void unknown_charsets_and_invalid_bytes_are_read_anyway_and_marked(void **state)
{
	struct record *r = file("Subject: x\nContent-Type: text/plain; charset=x-klingon\n\ncaf\xe9\n", NULL);
	(void)state;
	assert_string_equal(str(r, "text"), "caf\xc3\xa9");
	assert_true(has_problem(r, "unknown charset"));
	round_trips(r);
	rec_free(r);
	r = file("Subject: x\nContent-Type: text/plain; charset=utf-8\n\nbad \xff\xfe end\n", NULL);
	assert_true(has_problem(r, "not valid UTF-8"));
	assert_null(rec_get_json(r, "text_b64"));
	round_trips(r);
	rec_free(r);
	r = file("Subject: x\n\n8-bit \xe9t\xe9\n", NULL);
	assert_string_equal(str(r, "text"), "8-bit \xc3\xa9t\xc3\xa9");
	rec_free(r);
}

static void input_without_headers_is_kept_whole_as_text(void **state)
{
	struct record *r = file("no header here\nsecond line\n", NULL);
	(void)state;
	assert_string_equal(str(r, "text"), "no header here\nsecond line");
	assert_true(has_problem(r, "no mail header"));
	assert_null(mail_message_id(r));
	rec_free(r);
}

static void a_multipart_whose_boundary_never_occurs_keeps_its_raw_body(void **state)
{
	struct record *r = file("Subject: y\nContent-Type: multipart/mixed; boundary=NOPE\n\n--OTHER\n\nthe text\n", NULL);
	(void)state;
	assert_string_equal(mail_str(r, "body"), "raw");
	assert_non_null(strstr(str(r, "text"), "the text"));
	rec_free(r);
}

static void a_long_body_is_cut_at_a_character_and_its_size_noted(void **state)
{
	struct buf msg = BUF_INIT;
	struct record *r;
	const char *text;
	size_t len;
	int64_t size = 0;
	(void)state;

	buf_adds(&msg, "Subject: long\nContent-Type: text/plain; charset=utf-8\n\n");
	for (int i = 0; i < 40000; i++)
		buf_adds(&msg, "\xc3\xa9");
	r = file(buf_str(&msg), NULL);
	text = rec_get_str(r, "text", &len);
	assert_non_null(text);
	assert_int_equal(len, EVENT_TEXT_MAX);
	assert_true(rec_get_int(r, "text_size", &size));
	assert_int_equal(size, 80000);
	rec_free(r);
	buf_release(&msg);
}

static void the_size_received_is_noted_when_only_a_part_was_read(void **state)
{
	const char *msg = "Subject: cut\n\nbody\n";
	struct record *r = mail_record(msg, strlen(msg), 100000000, NULL, 0, "web1", "nobody", "");
	(void)state;
	assert_int_equal(json_integer_value(json_object_get(rec_get_json(r, "mail"), "size")), 100000000);
	assert_true(has_problem(r, "only the first"));
	rec_free(r);
}

static void an_mbox_from_line_is_skipped(void **state)
{
	struct record *r = file("From root@web1  Thu Nov 26 04:00:01 2026\nSubject: s\nMessage-ID: <m@x>\n\nb\n", NULL);
	(void)state;
	assert_string_equal(mail_str(r, "subject"), "s");
	assert_string_equal(mail_message_id(r), "m@x");
	rec_free(r);
}

static void html_becomes_text(void **state)
{
	static const struct {
		const char *html, *text;
	} cases[] = {
		{ "<p>a &amp; b</p><p>c&lt;d&gt;</p>", "a & b\nc<d>" },
		{ "<html><head><title>t</title><style>p{}</style></head><body>x<br>y</body></html>", "x\ny" },
		{ "<script>var a = '<p>';</script>text", "text" },
		{ "a   b\n\n c", "a b c" },
		{ "&#233;&#xe9;&#0;&bogus; &", "\xc3\xa9\xc3\xa9\xef\xbf\xbd&bogus; &" },
		{ "<table><tr><td>a</td><td>b</td></tr></table>", "a b" },
		{ "<!-- hidden -->shown", "shown" },
		{ "unclosed <b", "unclosed" },
		/* fuzz-mail: an unclosed <head> left its last bytes, a character cut in two */
		{ "<head>x \xc3\xa9\xc3\xa9", "" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct buf out = BUF_INIT;
		mail_html_to_text(cases[i].html, strlen(cases[i].html), &out);
		assert_string_equal(buf_str(&out), cases[i].text);
		buf_release(&out);
	}
}

static void event_sources_levels_and_cuts(void **state)
{
	struct record *r;
	int64_t size = 0;
	(void)state;

	assert_true(event_valid_source("backup-db.2_x"));
	assert_false(event_valid_source(""));
	assert_false(event_valid_source("a b"));
	assert_false(event_valid_source("x/y"));
	assert_int_equal(event_level_parse("critical"), EVENT_CRITICAL);
	assert_int_equal(event_level_parse("CRITICAL"), -1);
	assert_int_equal(event_cut_utf8("a\xc3\xa9", 3, 2), 1);
	assert_int_equal(event_cut_utf8("a\xc3\xa9", 3, 3), 3);
	assert_int_equal(event_cut_utf8("\xf0\x9f\x98\x80", 4, 3), 0);
	r = event_record(0, "web1", "alice", "root", "", "backup", EVENT_WARNING, "done", 4, 10);
	assert_string_equal(str(r, "level"), "warning");
	assert_true(rec_get_int(r, "text_size", &size));
	assert_int_equal(size, 10);
	rec_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_cron_mail_becomes_a_warning_with_its_headers),
		cmocka_unit_test(a_cron_mail_with_an_empty_body_is_info),
		cmocka_unit_test(default_rules_know_mdadm_smartd_apt_and_security_lists),
		cmocka_unit_test(team_rules_come_first_and_replace_defaults_of_their_name),
		cmocka_unit_test(a_broken_rule_is_reported_with_its_line_and_left_out),
		cmocka_unit_test(multipart_prefers_plain_decodes_qp_and_charsets_and_lists_attachments),
		cmocka_unit_test(unknown_charsets_and_invalid_bytes_are_read_anyway_and_marked),
		cmocka_unit_test(input_without_headers_is_kept_whole_as_text),
		cmocka_unit_test(a_multipart_whose_boundary_never_occurs_keeps_its_raw_body),
		cmocka_unit_test(a_long_body_is_cut_at_a_character_and_its_size_noted),
		cmocka_unit_test(the_size_received_is_noted_when_only_a_part_was_read),
		cmocka_unit_test(an_mbox_from_line_is_skipped),
		cmocka_unit_test(html_becomes_text),
		cmocka_unit_test(event_sources_levels_and_cuts),
	};
	return cmocka_run_group_tests_name("mail", tests, NULL, NULL);
}
