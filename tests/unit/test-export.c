/*
 * export: DokuWiki pages from a journal under /tmp into a pages
 * directory next to it.  Whether record text stays literal is judged by
 * the model of DokuWiki's lexer the markup tests use; whether a run wrote
 * a file is judged by its bytes and its inode and mtime.
 */
#include "unit.h"

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "journal/journal.h"
#include "journal/record.h"
#include "journal/store.h"
#include "view/export.h"

/* only its dwm_leak is needed here */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "../fuzz/dokuwiki-model.h"
#pragma GCC diagnostic pop

struct fixture {
	char *dir, *wiki;
	struct journal *j;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	setenv("TZ", "UTC", 1);
	setenv("LC_ALL", "C", 1);
	f->dir = unit_journal();
	f->wiki = unit_tmpdir();
	f->j = journal_open(f->dir);
	if (!f->j)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	journal_close(f->j);
	unit_rmtree(f->dir);
	unit_rmtree(f->wiki);
	free(f->dir);
	free(f->wiki);
	free(f);
	return 0;
}

static void note(struct fixture *f, const char *host, const char *admin, const char *time, const char *text)
{
	int64_t us;
	struct record *r;

	assert_int_equal(day_time_parse(time, strlen(time), &us), 0);
	r = rec_new("note", us, host, admin, "root", "s1");
	rec_set_text(r, "text", text, strlen(text));
	if (store_append(f->j, r, NULL) < 0)
		fail_msg("store_append: %s", errget());
	rec_free(r);
}

static struct export_report export(struct fixture *f, const char *ns, bool force)
{
	struct export_report rep;

	if (export_dokuwiki(f->j, f->wiki, ns, force, &rep) < 0)
		fail_msg("export_dokuwiki: %s", errget());
	return rep;
}

static char *page(struct fixture *f, const char *rel)
{
	char *p = xasprintf("%s/%s", f->wiki, rel);
	char *text = unit_read(p, NULL);

	free(p);
	return text;
}

/* inode and mtime: a file rewritten, even with the same bytes, shows here */
static void stamp(struct fixture *f, const char *rel, struct stat *st)
{
	char *p = xasprintf("%s/%s", f->wiki, rel);

	assert_int_equal(stat(p, st), 0);
	free(p);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static void two_days(struct fixture *f)
{
	note(f, "web1", "alice", "2026-11-24T09:00:00.000000Z", "rotated the logs");
	note(f, "db1", "carol", "2026-11-24T10:00:00.000000Z", "vacuumed the db");
	note(f, "web1", "bob", "2026-11-25T09:00:00.000000Z", "renewed the certificate");
}

static void every_day_gets_a_page_and_the_index_lists_them_newest_first(void **state)
{
	struct fixture *f = *state;
	struct export_report rep;
	char *p24, *p25, *start, *st;

	two_days(f);
	rep = export(f, EXPORT_DEFAULT_NAMESPACE, false);
	assert_string_equal(rep.namespace, "journal");
	assert_int_equal(rep.days, 2);
	assert_int_equal(rep.written, 2);
	assert_true(rep.index_written);
	export_report_free(&rep);

	p24 = page(f, "journal/2026_11_24.txt");
	p25 = page(f, "journal/2026_11_25.txt");
	start = page(f, "journal/start.txt");
	st = page(f, "journal/.logbook-export.json");
	assert_non_null(p24);
	assert_non_null(p25);
	assert_non_null(start);
	assert_non_null(st);
	assert_non_null(strstr(p24, "rotated the logs"));
	assert_non_null(strstr(p24, "vacuumed the db"));
	assert_null(strstr(p24, "renewed"));
	assert_non_null(strstr(p25, "renewed the certificate"));
	{
		char *l25 = strstr(start, "  * [[:journal:2026_11_25|2026_11_25]]");
		char *l24 = strstr(start, "  * [[:journal:2026_11_24|2026_11_24]]");
		assert_non_null(l25);
		assert_non_null(l24);
		assert_true(l25 < l24);
		assert_non_null(strstr(l24, "**<nowiki>db1</nowiki>** <nowiki>carol</nowiki>"));
		assert_non_null(strstr(l24, "**<nowiki>web1</nowiki>** <nowiki>alice</nowiki>"));
	}
	free(p24);
	free(p25);
	free(start);
	free(st);
}

static void record_text_with_wiki_syntax_stays_literal(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "**bold** [[http://evil.example/|click]] {{wiki:logo.png}} "
				   "<html><script>x</script></html> ~~NOTOC~~ </nowiki> ((foot)) %%raw%%\n"
				   "====== not a heading ======";
	struct export_report rep;
	char *p, *start;

	note(f, "web1", "[[evil]]", "2026-11-24T09:00:00.000000Z", text);
	rep = export(f, EXPORT_DEFAULT_NAMESPACE, false);
	export_report_free(&rep);
	p = page(f, "journal/2026_11_24.txt");
	assert_non_null(p);
	if (dwm_leak(p, strlen(p)))
		fail_msg("markup in the page: %.40s", dwm_leak(p, strlen(p)));
	assert_non_null(strstr(p, "evil.example"));
	/* the admin's name in the index is text too */
	start = page(f, "journal/start.txt");
	assert_non_null(strstr(start, "<nowiki>[[evil]]</nowiki>"));
	free(start);
	free(p);
}

static void a_second_export_writes_nothing(void **state)
{
	struct fixture *f = *state;
	static const char *const files[] = { "journal/2026_11_24.txt", "journal/2026_11_25.txt", "journal/start.txt",
					     "journal/.logbook-export.json" };
	struct stat before[4], after[4];
	char *bytes[4];
	struct export_report rep;

	two_days(f);
	rep = export(f, EXPORT_DEFAULT_NAMESPACE, false);
	export_report_free(&rep);
	for (size_t i = 0; i < 4; i++) {
		stamp(f, files[i], &before[i]);
		bytes[i] = page(f, files[i]);
	}
	rep = export(f, EXPORT_DEFAULT_NAMESPACE, false);
	assert_int_equal(rep.days, 2);
	assert_int_equal(rep.written, 0);
	assert_false(rep.index_written);
	export_report_free(&rep);
	for (size_t i = 0; i < 4; i++) {
		char *now = page(f, files[i]);
		stamp(f, files[i], &after[i]);
		assert_true(same_file(&before[i], &after[i]));
		assert_string_equal(now, bytes[i]);
		free(now);
		free(bytes[i]);
	}
}

static void a_new_record_rewrites_only_its_day(void **state)
{
	struct fixture *f = *state;
	struct stat b24, a24, b25, a25;
	struct export_report rep;
	char *p25;

	two_days(f);
	rep = export(f, EXPORT_DEFAULT_NAMESPACE, false);
	export_report_free(&rep);
	stamp(f, "journal/2026_11_24.txt", &b24);
	stamp(f, "journal/2026_11_25.txt", &b25);
	note(f, "web1", "bob", "2026-11-25T11:00:00.000000Z", "reloaded nginx");
	rep = export(f, EXPORT_DEFAULT_NAMESPACE, false);
	assert_int_equal(rep.written, 1);
	export_report_free(&rep);
	stamp(f, "journal/2026_11_24.txt", &a24);
	stamp(f, "journal/2026_11_25.txt", &a25);
	assert_true(same_file(&b24, &a24));
	assert_false(same_file(&b25, &a25));
	p25 = page(f, "journal/2026_11_25.txt");
	assert_non_null(strstr(p25, "reloaded nginx"));
	free(p25);
}

static void a_page_deleted_in_the_wiki_is_written_again_and_force_rewrites_all(void **state)
{
	struct fixture *f = *state;
	struct export_report rep;
	char *p = xasprintf("%s/journal/2026_11_24.txt", f->wiki);

	two_days(f);
	rep = export(f, EXPORT_DEFAULT_NAMESPACE, false);
	export_report_free(&rep);
	assert_int_equal(unlink(p), 0);
	rep = export(f, EXPORT_DEFAULT_NAMESPACE, false);
	assert_int_equal(rep.written, 1);
	export_report_free(&rep);
	assert_int_equal(access(p, F_OK), 0);
	rep = export(f, EXPORT_DEFAULT_NAMESPACE, true);
	assert_int_equal(rep.written, 2);
	assert_true(rep.index_written);
	export_report_free(&rep);
	free(p);
}

static void pages_go_to_the_namespace_as_dokuwiki_names_it(void **state)
{
	struct fixture *f = *state;
	struct export_report rep;
	char *p, *start;

	two_days(f);
	rep = export(f, "Team:Ops Log", false);
	assert_string_equal(rep.namespace, "team:ops_log");
	assert_non_null(strstr(rep.pagedir, "/team/ops_log"));
	export_report_free(&rep);
	p = page(f, "team/ops_log/2026_11_24.txt");
	assert_non_null(p);
	free(p);
	start = page(f, "team/ops_log/start.txt");
	assert_non_null(strstr(start, "[[:team:ops_log:2026_11_25|"));
	free(start);
	/* nothing outside it */
	assert_null(page(f, "journal/start.txt"));
	assert_null(page(f, "start.txt"));
}

static void namespaces_dokuwiki_cannot_name_and_a_missing_wiki_are_refused(void **state)
{
	struct fixture *f = *state;
	struct export_report rep;
	char *missing = xasprintf("%s/no-such-pages", f->wiki);

	assert_null(export_namespace("::"));
	assert_null(export_namespace("journ\xc3\xa9"));
	assert_non_null(strstr(errget(), "ASCII"));
	assert_int_equal(export_dokuwiki(f->j, f->wiki, "..", false, &rep), -1);
	export_report_free(&rep);
	assert_int_equal(export_dokuwiki(f->j, missing, "journal", false, &rep), -1);
	assert_non_null(strstr(errget(), "not a directory"));
	export_report_free(&rep);
	assert_int_equal(access(missing, F_OK), -1);
	free(missing);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(every_day_gets_a_page_and_the_index_lists_them_newest_first),
		T(record_text_with_wiki_syntax_stays_literal),
		T(a_second_export_writes_nothing),
		T(a_new_record_rewrites_only_its_day),
		T(a_page_deleted_in_the_wiki_is_written_again_and_force_rewrites_all),
		T(pages_go_to_the_namespace_as_dokuwiki_names_it),
		T(namespaces_dokuwiki_cannot_name_and_a_missing_wiki_are_refused),
	};
	return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
