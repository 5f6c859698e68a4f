/* utf8: strict validation and decoding (RFC 3629), and escaping for a terminal */
#include "unit.h"
#include "base/utf8.h"

static void ascii_and_multibyte_text_is_valid(void **state)
{
	(void)state;
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid("hello", 5));
	assert_true(utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14));
	assert_true(utf8_valid("a\0b", 3));
}

static void overlong_surrogate_and_out_of_range_forms_are_invalid(void **state)
{
	(void)state;
	assert_false(utf8_valid("\xc0\xaf", 2));		/* overlong '/' */
	assert_false(utf8_valid("\xe0\x80\xaf", 3));		/* overlong */
	assert_false(utf8_valid("\xed\xa0\x80", 3));		/* U+D800 */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4));	/* above U+10FFFF */
	assert_false(utf8_valid("\xf5\x80\x80\x80", 4));
	assert_false(utf8_valid("\xff", 1));
	assert_false(utf8_valid("\x80", 1));			/* lone continuation */
}

static void truncated_sequence_is_invalid(void **state)
{
	(void)state;
	assert_false(utf8_valid("\xe2\x82", 2));
	assert_false(utf8_valid("abc\xf0\x9f\x98", 6));
}

static void decode_gives_code_point_and_length(void **state)
{
	uint32_t cp;
	(void)state;
	assert_int_equal(utf8_decode((const unsigned char *)"\xe2\x80\xae", 3, &cp), 3);
	assert_int_equal(cp, 0x202e);
	assert_int_equal(utf8_decode((const unsigned char *)"\xc2\x9b", 2, &cp), 2);
	assert_int_equal(cp, 0x9b);
	assert_int_equal(utf8_decode((const unsigned char *)"\xc2", 1, &cp), 0);
}

static void control_bytes_and_del_are_found_but_not_utf8_text(void **state)
{
	(void)state;
	assert_false(utf8_has_control(""));
	assert_false(utf8_has_control("Zo\xc3\xa9 Durand"));
	assert_true(utf8_has_control("a\tb"));
	assert_true(utf8_has_control("\x1b[31m"));
	assert_true(utf8_has_control("end\x7f"));
}

static char *escape(const char *s, size_t len, bool keep_newlines)
{
	struct buf out = BUF_INIT;

	utf8_escape(&out, s, len, keep_newlines);
	return buf_detach(&out, NULL);
}

/*
 * utf8_escape: what a terminal would act on (C0 and C1 controls, bidi
 * overrides, invisible characters, bytes that are not UTF-8) is shown as
 * text, everything else is left as it is.
 */
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
	utf8_escape(&out, "\x1b!", 2, false);
	utf8_escape(&out, "ok", 2, false);
	assert_string_equal(out.data, "> \\e!ok");
	buf_release(&out);
}

/* what a replica's tree path may hold: an OSC 52 clipboard write, a bell, a line break */
static void a_path_from_another_replica_is_one_line_of_text(void **state)
{
	static const char path[] = "2026/x\x1b]52;c;cm0gLXJmIH4K\a\nlogbook: ok\x01.jsonl";
	char *got = escape(path, sizeof path - 1, false);

	(void)state;
	assert_string_equal(got, "2026/x\\e]52;c;cm0gLXJmIH4K\\x07\\nlogbook: ok\\x01.jsonl");
	assert_false(utf8_has_control(got));
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ascii_and_multibyte_text_is_valid),
		cmocka_unit_test(overlong_surrogate_and_out_of_range_forms_are_invalid),
		cmocka_unit_test(truncated_sequence_is_invalid),
		cmocka_unit_test(decode_gives_code_point_and_length),
		cmocka_unit_test(control_bytes_and_del_are_found_but_not_utf8_text),
		cmocka_unit_test(controls_and_invisible_characters_are_shown_as_text),
		cmocka_unit_test(newlines_stay_only_with_keep_newlines),
		cmocka_unit_test(plain_utf8_text_is_unchanged),
		cmocka_unit_test(escape_appends_to_what_the_buf_holds),
		cmocka_unit_test(a_path_from_another_replica_is_one_line_of_text),
	};
	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
