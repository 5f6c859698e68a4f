/*
 * ref: the one spelling of a record's reference, HOST:SEQ.
 */
#include "unit.h"

#include "base/err.h"
#include "journal/ref.h"

static void a_reference_parses_and_formats_back(void **state)
{
	static const char *const good[] = { "web1:1", "groska:1234", "a.b-c_d:999999999999999999", "X:7" };
	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		struct rec_ref r;
		char out[REF_MAX + 1];
		assert_int_equal(ref_parse(good[i], strlen(good[i]), &r), 0);
		ref_format(r.host, r.seq, out);
		assert_string_equal(out, good[i]);
	}
}

static void host_and_seq_are_split_at_the_colon(void **state)
{
	struct rec_ref r, same = { .host = "web1", .seq = 42 };
	(void)state;
	assert_int_equal(ref_parse("web1:42", 7, &r), 0);
	assert_string_equal(r.host, "web1");
	assert_int_equal(r.seq, 42);
	assert_true(ref_equal(&r, &same));
	same.seq = 43;
	assert_false(ref_equal(&r, &same));
}

static void anything_else_is_refused_with_a_reason(void **state)
{
	static const char *const bad[] = {
		"", "web1", ":42", "web1:", "web1:0", "web1:042", "web1:-1", "web1:+1", "web1:4 2", "web1:42 ",
		" web1:42", "-web1:42", "web/1:42", "web1:42:1", "web1:1234567890123456789", "web1:0x10",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct rec_ref r;
		if (ref_parse(bad[i], strlen(bad[i]), &r) == 0)
			fail_msg("'%s' was accepted", bad[i]);
		assert_non_null(strstr(errget(), "record reference"));
	}
}

static void a_nul_inside_is_refused(void **state)
{
	struct rec_ref r;
	(void)state;
	assert_int_equal(ref_parse("we\0b:1", 6, &r), -1);
	assert_int_equal(ref_parse("web:1\0", 6, &r), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_reference_parses_and_formats_back),
		cmocka_unit_test(host_and_seq_are_split_at_the_colon),
		cmocka_unit_test(anything_else_is_refused_with_a_reason),
		cmocka_unit_test(a_nul_inside_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
