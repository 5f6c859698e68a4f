/* utf8: strict validation and decoding (RFC 3629) */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ascii_and_multibyte_text_is_valid),
		cmocka_unit_test(overlong_surrogate_and_out_of_range_forms_are_invalid),
		cmocka_unit_test(truncated_sequence_is_invalid),
		cmocka_unit_test(decode_gives_code_point_and_length),
		cmocka_unit_test(control_bytes_and_del_are_found_but_not_utf8_text),
	};
	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
