/*
 * render: the day page as terminal text.  Every byte of a record goes
 * through render_escape, so the tests feed it what a terminal would act
 * on (C0 and C1 controls, bidi overrides, invisible characters, bytes that
 * are not UTF-8) and compare the page with the exact text expected.
 */
#include "unit.h"

#include "base/day.h"
#include "base/err.h"
#include "journal/record.h"
#include "view/render.h"

#define S 1000000LL
#define T0 (1795508043 * S + 123456)	/* 2026-11-24T08:14:03.123456Z */

/* the colours of render.c, spelled out */
#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RESET "\033[m"
#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"

static char *escape(const char *s, size_t len, bool keep_newlines)
{
	struct buf out = BUF_INIT;

	render_escape(&out, s, len, keep_newlines);
	return buf_detach(&out, NULL);
}

static void controls_and_invisible_characters_are_shown_as_text(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{ "\x1b[31mred", 8, "\\e[31mred" },
		{ "50%\rdone", 8, "50%\\rdone" },
		{ "\a", 1, "\\x07" },
		{ "\x7f", 1, "\\x7f" },
		{ "a\0b", 3, "a\\x00b" },
		{ "\x01\x1f", 2, "\\x01\\x1f" },
		{ "\x0b\x0c", 2, "\\x0b\\x0c" },
		/* C1 controls, CSI (U+009B) among them */
		{ "\xc2\x9b" "2J", 4, "\\u009b2J" },
		{ "\xc2\x80\xc2\x9f", 4, "\\u0080\\u009f" },
		/* bidirectional embeddings, overrides, isolates and marks */
		{ "a\xe2\x80\xae" "b", 5, "a\\u202eb" },
		{ "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", 12, "\\u202a\\u202b\\u202c\\u202d" },
		{ "\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", 12, "\\u2066\\u2067\\u2068\\u2069" },
		{ "\xd8\x9c\xe2\x80\x8e\xe2\x80\x8f", 8, "\\u061c\\u200e\\u200f" },
		/* invisible: zero width space, line and paragraph separators, BOM */
		{ "a\xe2\x80\x8b" "b", 5, "a\\u200bb" },
		{ "\xe2\x80\xa8\xe2\x80\xa9\xef\xbb\xbf", 9, "\\u2028\\u2029\\ufeff" },
		/* bytes that are not UTF-8, each on its own */
		{ "\xff", 1, "\\xff" },
		{ "caf\xe9!", 5, "caf\\xe9!" },
		{ "\xe2\x82", 2, "\\xe2\\x82" },		/* cut */
		{ "\xc0\xaf", 2, "\\xc0\\xaf" },		/* overlong */
		{ "\xed\xa0\x80", 3, "\\xed\\xa0\\x80" },	/* surrogate */
		{ "\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80" },
		{ "\xc2", 1, "\\xc2" },
		/* tabs stay, newlines only when asked */
		{ "a\tb", 3, "a\tb" },
		{ "a\nb", 3, "a\\nb" },
		{ "", 0, "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *got = escape(cases[i].in, cases[i].len, false);
		if (strcmp(got, cases[i].out))
			fail_msg("case %zu: got '%s', expected '%s'", i, got, cases[i].out);
		free(got);
	}
}

static void newlines_stay_only_with_keep_newlines(void **state)
{
	char *got;

	(void)state;
	got = escape("one\ntwo\r\n", 9, true);
	assert_string_equal(got, "one\ntwo\\r\n");
	free(got);
	got = escape("one\ntwo\r\n", 9, false);
	assert_string_equal(got, "one\\ntwo\\r\\n");
	free(got);
	/* other controls are escaped either way */
	got = escape("\x1b\t\x7f", 3, true);
	assert_string_equal(got, "\\e\t\\x7f");
	free(got);
}

static void plain_utf8_text_is_unchanged(void **state)
{
	/* é, €, U+1F600, CJK, a no-break space, combining acute, ZWJ in an emoji sequence */
	static const char text[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe6\x97\xa5\xe6\x9c\xac"
				   "\xc2\xa0" "e\xcc\x81 \xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb "
				   "ASCII ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./";
	char *got = escape(text, sizeof text - 1, false);

	(void)state;
	assert_string_equal(got, text);
	free(got);
}

static void escape_appends_to_what_the_buf_holds(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	buf_adds(&out, "> ");
	render_escape(&out, "\x1b!", 2, false);
	render_escape(&out, "ok", 2, false);
	assert_string_equal(out.data, "> \\e!ok");
	buf_release(&out);
}

/* a page of five records: a heading when who, where or the session changes */
static struct record **page(size_t *n)
{
	static struct record *recs[5];
	static const char note[] = "Restarted nginx after the config change.\nSecond line of the note.\n";

	recs[0] = rec_new("note", T0, "web1", "alice", "root", "329f1e35-1169-3638");
	rec_set_text(recs[0], "text", note, strlen(note));
	recs[1] = rec_new("note", T0 + 368 * S, "web1", "alice", "root", "329f1e35-1169-3638");
	rec_set_text(recs[1], "text", "One more.", 9);
	recs[2] = rec_new("note", T0 + 2757 * S, "web1", "bob", "bob", "");
	rec_set_text(recs[2], "text", "x", 1);
	recs[3] = rec_new("cmd", T0 + 2758 * S, "web1", "bob", "bob", "");
	rec_set_text(recs[3], "cmd", "systemctl restart nginx\nsystemctl status nginx", 46);
	rec_set_int(recs[3], "exit", 1);
	recs[4] = rec_new("event", T0 + 2759 * S, "web1", "bob", "bob", "");
	rec_set_text(recs[4], "source", "monitoring", 10);
	rec_set_text(recs[4], "level", "critical", 8);
	rec_set_text(recs[4], "text", "disk full", 9);
	*n = 5;
	return recs;
}

static char *render_page(bool color)
{
	struct render rd = { 0 };
	struct buf out = BUF_INIT;
	size_t n;
	struct record **recs = page(&n);

	if (day_set_tz("UTC") < 0)
		fail_msg("%s", errget());
	rd.color = color;
	render_day_header(&rd, &out, "2026_11_24", "UTC", n);
	for (size_t i = 0; i < n; i++) {
		render_record(&rd, &out, recs[i]);
		rec_free(recs[i]);
	}
	render_release(&rd);
	assert_null(rd.host);
	return buf_detach(&out, NULL);
}

static void a_page_without_color_is_plain_text(void **state)
{
	static const char expected[] =
		"2026_11_24  Tuesday 24 November 2026  (UTC, 5 records)\n"
		"\n"
		"web1  alice (root)  session 329f1e35-1169-3638\n"
		"  08:14:03  note  Restarted nginx after the config change.\n"
		"                  Second line of the note.\n"
		"  08:20:11  note  One more.\n"
		"\n"
		"web1  bob\n"
		"  09:00:00  note  x\n"
		"  09:00:01  $ systemctl restart nginx\n"
		"              systemctl status nginx  [exit 1]\n"
		"  09:00:02  [critical] monitoring: disk full\n";
	char *got = render_page(false);

	(void)state;
	assert_string_equal(got, expected);
	free(got);
}

static void color_adds_escapes_around_headings_only(void **state)
{
	static const char expected[] =
		BOLD "2026_11_24  Tuesday 24 November 2026" RESET DIM "  (UTC, 5 records)" RESET "\n"
		"\n"
		BOLD CYAN "web1" RESET "  " BOLD GREEN "alice" RESET " (root)"
		DIM "  session 329f1e35-1169-3638" RESET "\n"
		"  " DIM "08:14:03" RESET "  " YELLOW "note" RESET "  Restarted nginx after the config change.\n"
		"                  Second line of the note.\n"
		"  " DIM "08:20:11" RESET "  " YELLOW "note" RESET "  One more.\n"
		"\n"
		BOLD CYAN "web1" RESET "  " BOLD GREEN "bob" RESET "\n"
		"  " DIM "09:00:00" RESET "  " YELLOW "note" RESET "  x\n"
		"  " DIM "09:00:01" RESET "  $ systemctl restart nginx\n"
		"              systemctl status nginx  " RED "[exit 1]" RESET "\n"
		"  " DIM "09:00:02" RESET "  " RED "[critical] monitoring" RESET ": disk full\n";
	char *got = render_page(true);

	(void)state;
	assert_string_equal(got, expected);
	free(got);
}

static void a_day_header_counts_one_record(void **state)
{
	struct render rd = { 0 };
	struct buf out = BUF_INIT;

	(void)state;
	render_day_header(&rd, &out, "2024_02_29", "Europe/Paris", 1);
	assert_string_equal(out.data, "2024_02_29  Thursday 29 February 2024  (Europe/Paris, 1 record)\n");
	render_release(&rd);
	buf_release(&out);
}

/* what is left when the colours render.c writes are taken out */
static void strip_colors(char *s)
{
	static const char *const codes[] = { BOLD, DIM, RESET, RED, GREEN, YELLOW, CYAN };
	char *w = s;

	while (*s) {
		size_t skip = 0;
		for (size_t i = 0; i < sizeof codes / sizeof *codes && !skip; i++)
			if (!strncmp(s, codes[i], strlen(codes[i])))
				skip = strlen(codes[i]);
		if (skip) {
			s += skip;
			continue;
		}
		*w++ = *s++;
	}
	*w = '\0';
}

static void no_byte_of_a_record_reaches_the_terminal_unescaped(void **state)
{
	static const char text[] = "\x1b]0;pwned\x07 ok\n\xe2\x80\xae" "evil\xff\r\n";
	static const char expected[] =
		"\n"
		BOLD CYAN "web\\e[2J1" RESET "  " BOLD GREEN "al\\u009bice" RESET " (root\\r)"
		DIM "  session s\\x07\\u202e" RESET "\n"
		"  " DIM "08:14:03" RESET "  " YELLOW "note" RESET "  \\e]0;pwned\\x07 ok\n"
		"                  \\u202eevil\\xff\\r\n";
	struct record *r = rec_new("note", T0, "web\x1b[2J1", "al\xc2\x9bice", "root\r", "s\x07\xe2\x80\xae");
	struct render rd = { .color = true };
	struct buf out = BUF_INIT;

	(void)state;
	if (day_set_tz("UTC") < 0)
		fail_msg("%s", errget());
	rec_set_text(r, "text", text, sizeof text - 1);
	render_record(&rd, &out, r);
	assert_string_equal(out.data, expected);
	/* and in general: without the colours, no control character but the newline */
	strip_colors(out.data);
	for (const unsigned char *p = (const unsigned char *)out.data; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			fail_msg("byte 0x%02x at %td", *p, (const char *)p - out.data);
	assert_null(strstr(out.data, "\xc2\x9b"));
	assert_null(strstr(out.data, "\xe2\x80\xae"));
	buf_release(&out);
	render_release(&rd);
	rec_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(controls_and_invisible_characters_are_shown_as_text),
		cmocka_unit_test(newlines_stay_only_with_keep_newlines),
		cmocka_unit_test(plain_utf8_text_is_unchanged),
		cmocka_unit_test(escape_appends_to_what_the_buf_holds),
		cmocka_unit_test(a_page_without_color_is_plain_text),
		cmocka_unit_test(color_adds_escapes_around_headings_only),
		cmocka_unit_test(a_day_header_counts_one_record),
		cmocka_unit_test(no_byte_of_a_record_reaches_the_terminal_unescaped),
	};
	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
