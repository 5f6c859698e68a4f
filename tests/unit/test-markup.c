/*
 * markup: the DokuWiki and Markdown escapers and pages.  The DokuWiki
 * output is read back with a model of DokuWiki's lexer
 * (tests/fuzz/dokuwiki-model.h): record text must come back as exactly
 * the characters logbook show prints, and never as markup.
 */
#include "unit.h"

#include "base/buf.h"
#include "base/day.h"
#include "journal/record.h"
#include "view/markup.h"
#include "view/page.h"
#include "view/render.h"

#include "../fuzz/dokuwiki-model.h"

static char *dw_text(const char *s)
{
	struct buf b = BUF_INIT;

	markup_dokuwiki_text(&b, s, strlen(s));
	buf_addc(&b, '\0');
	return buf_detach(&b, NULL);
}

/* what render_escape shows of s: what the wiki must show too */
static char *shown(const char *s, size_t len, bool newlines)
{
	struct buf b = BUF_INIT;

	render_escape(&b, s, len, newlines);
	buf_addc(&b, '\0');
	return buf_detach(&b, NULL);
}

static void assert_text_literal(const char *s)
{
	struct buf out = BUF_INIT, lit = BUF_INIT;
	char *want = shown(s, strlen(s), false);

	markup_dokuwiki_text(&out, s, strlen(s));
	assert_true(dwm_only_nowiki(buf_str(&out), out.len, &lit));
	assert_string_equal(buf_str(&lit), want);
	assert_null(dwm_leak(buf_str(&out), out.len));
	free(want);
	buf_release(&out);
	buf_release(&lit);
}

static void assert_code_literal(const char *lang, const char *s, size_t len)
{
	struct buf out = BUF_INIT, lit = BUF_INIT;
	char *want = shown(s, len, true);

	markup_dokuwiki_code(&out, lang, s, len);
	assert_true(dwm_only_blocks(buf_str(&out), out.len, lang, &lit));
	assert_string_equal(buf_str(&lit), want);
	assert_null(dwm_leak(buf_str(&out), out.len));
	free(want);
	buf_release(&out);
	buf_release(&lit);
}

static void plain_text_is_one_nowiki_run(void **state)
{
	char *t = dw_text("systemctl restart nginx");

	(void)state;
	assert_string_equal(t, "<nowiki>systemctl restart nginx</nowiki>");
	free(t);
	t = dw_text("");
	assert_string_equal(t, "");
	free(t);
}

static void wiki_syntax_in_text_stays_literal(void **state)
{
	static const char *const hostile[] = {
		"[[http://evil.example/|x]]", "{{evil.png}}", "<html><b>x</b></html>", "<php>echo 1;</php>",
		"~~NOCACHE~~", "%%x%%", "**b** //i// __u__ ''m''", "</code>", "</file>", "<code>x</code>",
		"</nowiki>", "</nowiki></nowiki>", "<nowiki></nowiki>", "a</nowiki>b</nowiki>c", "</nowiki",
		"</nowiki>>", "<</nowiki>", "====== h ======", "\\\\ x", "((note))", ":-)",
	};

	(void)state;
	for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++)
		assert_text_literal(hostile[i]);
}

static void a_closing_nowiki_is_cut_after_nowiki(void **state)
{
	char *t = dw_text("a</nowiki>b");

	(void)state;
	assert_string_equal(t, "<nowiki>a</nowiki</nowiki><nowiki>>b</nowiki>");
	free(t);
}

static void control_characters_and_newlines_are_shown_as_in_the_terminal(void **state)
{
	char *t = dw_text("a\033[31mb\nc\xff");

	(void)state;
	assert_string_equal(t, "<nowiki>a\\e[31mb\\nc\\xff</nowiki>");
	free(t);
}

static void code_goes_in_a_code_block_the_text_cannot_close(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	markup_dokuwiki_code(&b, "bash", "ls -l", 5);
	assert_string_equal(buf_str(&b), "<code bash>\nls -l\n</code>\n");
	buf_reset(&b);
	markup_dokuwiki_code(&b, "bash", "echo '</code>'", 14);
	assert_string_equal(buf_str(&b), "<file bash>\necho '</code>'\n</file>\n");
	buf_reset(&b);
	markup_dokuwiki_code(&b, "diff", "</code></file>", 14);
	assert_string_equal(buf_str(&b), "<code diff>\n</code\n</code>\n<code diff>\n></file>\n</code>\n");
	buf_release(&b);
	assert_code_literal("bash", "", 0);
	assert_code_literal("bash", "\n", 1);
	assert_code_literal("bash", "a\n\nb\n", 5);
	assert_code_literal("bash", "</code></file></code>x</file>", 29);
	assert_code_literal("diff", "--- a\n+++ b\n@@ -1 +1 @@\n-</code>\n+</file>\n", 42);
	{
		static const char controls[] = "line\r\nwith \033 controls\0 and nul";
		assert_code_literal(NULL, controls, sizeof controls - 1);
	}
}

static void markdown_text_escapes_every_ascii_punctuation(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	markup_markdown_text(&b, "*a* [b](c) <d> `e` #f", 21);
	assert_string_equal(buf_str(&b), "\\*a\\* \\[b\\]\\(c\\) \\<d\\> \\`e\\` \\#f");
	buf_reset(&b);
	markup_markdown_text(&b, "    code?", 9);
	assert_string_equal(buf_str(&b), "&#32;&#32;&#32;&#32;code\\?");
	buf_release(&b);
}

static void markdown_fence_is_longer_than_any_backtick_run(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	markup_markdown_code(&b, "bash", "ls", 2);
	assert_string_equal(buf_str(&b), "```bash\nls\n```\n");
	buf_reset(&b);
	markup_markdown_code(&b, "bash", "a ````` b\n", 10);
	assert_string_equal(buf_str(&b), "``````bash\na ````` b\n``````\n");
	buf_release(&b);
}

static void clean_id_agrees_with_dokuwiki(void **state)
{
	/* what DokuWiki's cleanID() gives (tests/dokuwiki-cleanid.php, DokuWiki 2023-04-04) */
	static const char *const cases[][2] = {
		{ "  ..Team/Log..__x  ", "team_log.._x" }, { "Admin Log", "admin_log" }, { "a;b:._c", "a:b:c" },
		{ ":::", "" }, { "ops:Journal", "ops:journal" }, { "x__y", "x_y" }, { "a.-_b", "a.-_b" },
		{ "A*B", "a_b" }, { "\"q\"", "q" }, { "a:_b_:c", "a:b:c" }, { "-a-", "a" }, { "a..:..b", "a:b" },
		{ "x/y;z", "x_y:z" }, { "journal", "journal" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *id = markup_dokuwiki_clean_id(cases[i][0]);
		assert_string_equal(id, cases[i][1]);
		free(id);
	}
}

static struct record *record(const char *kind, const char *admin)
{
	int64_t t;

	assert_int_equal(day_time_parse("2026-11-20T10:00:01.000000Z", 27, &t), 0);
	return rec_new(kind, t, "web1", admin, "root", "s[[1]]");
}

static void a_page_of_hostile_records_has_no_markup_of_theirs(void **state)
{
	static const char evil[] = "[[x]] {{y}} <html>z</html> ~~NOCACHE~~ </code></file></nowiki> %%\n====== h ======";
	struct markup_page p = { .format = MARKUP_DOKUWIKI };
	struct buf out = BUF_INIT;
	struct record *r;
	json_t *mail = json_object();
	const char *leak;
	struct buf lines[5] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	size_t n = 0;
	struct page pg;

	(void)state;
	assert_int_equal(day_set_tz("UTC"), 0);
	markup_day_header(&p, &out, "2026_11_20", "UTC", 5);
	r = record("note", "eve ==[[x]]==");
	rec_set_text(r, "text", evil, sizeof evil - 1);
	markup_record(&p, &out, r);
	rec_set_chain(r, (int64_t)n + 1, rec_genesis);
	assert_int_equal(rec_encode(r, &lines[n++]), 0);
	rec_free(r);
	r = record("cmd", "alice");
	rec_set_text(r, "cmd", evil, sizeof evil - 1);
	rec_set_text(r, "cwd", evil, sizeof evil - 1);
	rec_set_int(r, "exit", 1);
	markup_record(&p, &out, r);
	rec_set_chain(r, (int64_t)n + 1, rec_genesis);
	assert_int_equal(rec_encode(r, &lines[n++]), 0);
	rec_free(r);
	r = record("change", "alice");
	rec_set_text(r, "path", evil, sizeof evil - 1);
	rec_set_text(r, "diff", evil, sizeof evil - 1);
	markup_record(&p, &out, r);
	rec_set_chain(r, (int64_t)n + 1, rec_genesis);
	assert_int_equal(rec_encode(r, &lines[n++]), 0);
	rec_free(r);
	r = record("event", "mail");
	rec_set_text(r, "level", evil, sizeof evil - 1);
	rec_set_text(r, "text", evil, sizeof evil - 1);
	json_object_set_new(mail, "subject", json_string(evil));
	rec_set_json(r, "mail", mail);
	markup_record(&p, &out, r);
	rec_set_chain(r, (int64_t)n + 1, rec_genesis);
	assert_int_equal(rec_encode(r, &lines[n++]), 0);
	rec_free(r);
	r = record("sign", "alice");
	rec_set_text(r, "key", evil, sizeof evil - 1);
	rec_set_int(r, "covers", 3);
	markup_record(&p, &out, r);
	rec_set_chain(r, (int64_t)n + 1, rec_genesis);
	assert_int_equal(rec_encode(r, &lines[n++]), 0);
	rec_free(r);
	leak = dwm_leak(buf_str(&out), out.len);
	if (leak)
		fail_msg("markup outside nowiki at: %.40s\n--- page:\n%s", leak, buf_str(&out));
	/* a heading per host and admin, ending with our ')' */
	assert_non_null(strstr(buf_str(&out), "\n===== web1 (eve ==[[x]]== as root) =====\n"));
	assert_non_null(strstr(buf_str(&out), "<code bash>\n"));
	assert_non_null(strstr(buf_str(&out), "//Signed by// <nowiki>alice</nowiki> (<nowiki>"));
	markup_release(&p);

	/* the same records as a day page: no markup of theirs, a heading per host, who worked there */
	page_init(&pg, "2026_11_20", "UTC", NULL);
	for (size_t i = 0; i < n; i++)
		page_add(&pg, buf_str(&lines[i]), lines[i].len, "web1.jsonl", i + 1);
	page_finish(&pg);
	buf_reset(&out);
	markup_page_write(MARKUP_DOKUWIKI, &out, &pg);
	leak = dwm_leak(buf_str(&out), out.len);
	if (leak)
		fail_msg("day page: markup outside nowiki at: %.40s\n--- page:\n%s", leak, buf_str(&out));
	assert_non_null(strstr(buf_str(&out), "\n===== web1 =====\n"));
	assert_non_null(strstr(buf_str(&out), "//Signed by// <nowiki>alice</nowiki> (<nowiki>"));
	assert_int_equal(pg.nwho, 3);
	assert_string_equal(pg.who[0].admin, "alice");
	assert_string_equal(pg.who[1].admin, "eve ==[[x]]==");
	assert_string_equal(pg.who[2].admin, "mail");
	page_release(&pg);
	for (size_t i = 0; i < n; i++)
		buf_release(&lines[i]);
	buf_release(&out);
}

/* the model must see what it is there to see, or the tests above prove nothing */
static void the_lexer_model_sees_markup(void **state)
{
	struct buf lit = BUF_INIT;
	static const char *const marked[] = {
		"a [[x]]", "{{y}}", "<nowiki>a</nowiki> <html>", "<code bash>\nx\n</code>\n ~~NOCACHE~~",
		"<code evil>\nx\n</code>\n", "<nowiki>a</nowiki>%%b%%",
	};

	(void)state;
	for (size_t i = 0; i < sizeof marked / sizeof *marked; i++)
		assert_non_null(dwm_leak(marked[i], strlen(marked[i])));
	assert_null(dwm_leak("====== [[h]] ======\n<nowiki>[[x]]</nowiki>", 42));
	assert_false(dwm_only_nowiki("<nowiki>a</nowiki>b", 19, &lit));
	assert_false(dwm_only_nowiki("<nowiki>a", 9, &lit));
	assert_false(dwm_only_blocks("<code bash>\na\n</code>\n", 22, "diff", &lit));
	assert_false(dwm_only_blocks("<codex bash>\na\n</code>\n", 23, "bash", &lit));
	buf_release(&lit);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_text_is_one_nowiki_run),
		cmocka_unit_test(wiki_syntax_in_text_stays_literal),
		cmocka_unit_test(a_closing_nowiki_is_cut_after_nowiki),
		cmocka_unit_test(control_characters_and_newlines_are_shown_as_in_the_terminal),
		cmocka_unit_test(code_goes_in_a_code_block_the_text_cannot_close),
		cmocka_unit_test(markdown_text_escapes_every_ascii_punctuation),
		cmocka_unit_test(markdown_fence_is_longer_than_any_backtick_run),
		cmocka_unit_test(clean_id_agrees_with_dokuwiki),
		cmocka_unit_test(a_page_of_hostile_records_has_no_markup_of_theirs),
		cmocka_unit_test(the_lexer_model_sees_markup),
	};
	return cmocka_run_group_tests_name("markup", tests, NULL, NULL);
}
