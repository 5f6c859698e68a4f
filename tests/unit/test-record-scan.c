/*
 * record-scan: the scanner verify reads lines with.  It takes the lines
 * logbook writes, with the fields rec_parse reads, and declines what it
 * does not handle, each decline next to what rec_parse says of the line
 * (the fuzz target tests/fuzz/fuzz-record-scan.c checks any bytes).
 */
#include "unit.h"

#include "base/day.h"
#include "journal/record-scan.h"
#include "journal/record.h"

#define HEAD "{\"v\":1,\"kind\":\"note\",\"time\":\"2026-11-24T08:14:03.123456Z\",\"host\":\"web1\"," \
	"\"admin\":\"alice\",\"account\":\"root\",\"session\":\"s1\",\"seq\":42," \
	"\"prev\":\"0f43e1d1ef6af10e44a39d99c08e90fc386df7b1e3489be2af710ff22f447fbb\""

static bool scan(const char *line, struct rec_fields *f)
{
	return rec_scan(line, strlen(line), f);
}

static bool parses(const char *line)
{
	struct record *r = rec_parse(line, strlen(line), false);

	rec_free(r);
	return r != NULL;
}

static void the_fields_are_those_rec_parse_reads(void **state)
{
	static const char *const lines[] = {
		HEAD ",\"text\":\"hi\"}",
		/* the fields in another order, escapes and nesting in the others */
		"{\"text\":\"a\\\"b\\\\c\\n\\u0000\\u00e9 \xc3\xa9 \xf0\x9f\x98\x80\",\"seq\":7,\"prev\":"
		"\"0000000000000000000000000000000000000000000000000000000000000000\",\"v\":1,\"kind\":\"note\","
		"\"time\":\"1970-01-01T00:00:00.000001Z\",\"host\":\"h\",\"admin\":\"a-very-long-admin-name-longer-than-24\","
		"\"account\":\"\",\"session\":\"\\u0000\",\"covers\":[[1,3],[5,5]],\"x\":{\"a\":{\"\":[true,false,null,{},-7,0]}}}",
		/* a kind this version does not know */
		"{\"v\":1,\"kind\":\"future\",\"time\":\"9999-12-31T23:59:59.999999Z\",\"host\":\"h\",\"admin\":\"a\","
		"\"account\":\"r\",\"session\":\"s\",\"seq\":999999999999999999,"
		"\"prev\":\"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		struct record *r = rec_parse(lines[i], strlen(lines[i]), false);
		struct rec_fields f;

		assert_non_null(r);
		assert_true(scan(lines[i], &f));
		assert_int_equal(f.kind_len, strlen(r->kind));
		assert_memory_equal(f.kind, r->kind, f.kind_len);
		assert_int_equal(f.host_len, strlen(r->host));
		assert_memory_equal(f.host, r->host, f.host_len);
		assert_int_equal(f.admin_len, strlen(r->admin));
		assert_memory_equal(f.admin, r->admin, f.admin_len);
		assert_memory_equal(f.prev, r->prev, REC_HASH_LEN);
		assert_int_equal(f.seq, r->seq);
		assert_int_equal(f.time, r->time);
		rec_free(r);
	}
}

static void what_it_declines(void **state)
{
	static const struct {
		const char *line;
		bool parses;	/* what rec_parse says */
	} cases[] = {
		/* not records */
		{ "", false },
		{ "[]", false },
		{ HEAD ",\"text\":\"hi\"}{}", false },
		{ HEAD ",\"text\":\"hi\",\"text\":\"again\"}", false },
		{ HEAD ",\"text\":\"hi\",\"x\":{\"a\":1,\"a\":2}}", false },
		{ HEAD ",\"text\":\"hi\",\"x\":[{\"a\":1,\"b\":2,\"a\":3}]}", false },
		{ HEAD ",\"text\":\"\xff\"}", false },
		{ HEAD ",\"text\":\"\xed\xa0\x80\"}", false },
		{ HEAD ",\"text\":\"\xc0\xaf\"}", false },
		{ HEAD ",\"text\":\"a\tb\"}", false },
		{ HEAD ",\"text\":\"\\x\"}", false },
		{ HEAD ",\"text\":\"\\u12\"}", false },
		{ HEAD ",\"text\":\"hi\",\"n\":01}", false },
		{ HEAD ",\"text\":\"hi\",\"n\":-}", false },
		{ HEAD ",\"text\":\"hi\",\"n\":tru}", false },
		{ HEAD ",\"text\":\"hi\",\"n\":99999999999999999999}", false },
		{ HEAD ",\"text\":\"hi\",}", false },
		{ HEAD ",\"text\":\"hi\"", false },
		{ HEAD ",\"text\":\"hi}", false },
		{ HEAD "}", false },
		{ HEAD ",\"text\":7}", false },
		{ "{\"v\":2" HEAD + 6, false },
		/* records the scanner leaves to rec_parse */
		{ HEAD ", \"text\":\"hi\"}", true },
		{ HEAD ",\"text\":\"hi\"} ", true },
		{ HEAD ",\"text\":\"hi\",\"n\":1.5}", true },
		{ HEAD ",\"text\":\"hi\",\"n\":1e3}", true },
		{ HEAD ",\"text\":\"hi\",\"n\":1234567890123456789}", true },
		{ HEAD ",\"text\":\"\\ud83d\\ude00\"}", true },
		{ HEAD ",\"text\":\"hi\",\"\\u0078\":1}", true },
		{ HEAD ",\"text\":\"hi\",\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct rec_fields f;

		if (scan(cases[i].line, &f))
			fail_msg("scanner took case %zu: %s", i, cases[i].line);
		if (parses(cases[i].line) != cases[i].parses)
			fail_msg("rec_parse %s case %zu: %s", cases[i].parses ? "rejects" : "takes", i, cases[i].line);
	}
}

/* the 8-bytes-at-a-time path of the string scan: each byte at every place in a long string */
static void every_byte_is_checked_wherever_it_is_in_a_long_string(void **state)
{
	static const struct {
		const char *bytes;
		bool ok;
	} cases[] = {
		{ "\t", false }, { "\x01", false }, { "\x1f", false }, { "\xff", false }, { "\xc0\xaf", false },
		{ "\xed\xa0\x80", false }, { "\\x", false }, { "\\u12g4", false }, { "\"", false },
		{ "\\n", true }, { "\\\"", true }, { "\xc3\xa9", true }, { "\xf0\x9f\x98\x80", true },
		{ "\\u00e9", true }, { "\x7f", true }, { " ", true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		for (int at = 0; at < 17; at++) {
			char line[1024];
			struct rec_fields f;

			snprintf(line, sizeof line, HEAD ",\"text\":\"%.*s%s%s\",\"n\":1}", at,
				 "xxxxxxxxxxxxxxxxxxxxxxxx", cases[i].bytes, "yyyyyyyyyyyyyyyyyyyyyyyy");
			if (scan(line, &f) != cases[i].ok)
				fail_msg("scanner %s case %zu at %d: %s", cases[i].ok ? "declined" : "took", i, at, line);
			if (parses(line) != cases[i].ok)
				fail_msg("rec_parse %s case %zu at %d: %s", cases[i].ok ? "rejects" : "takes", i, at, line);
		}
	}
}

static void an_escape_in_a_common_field_is_left_to_rec_parse(void **state)
{
	/* "web\u0031" is web1 to rec_parse; "web1\u0000x" is damaged: the scanner tells neither */
	static const char *const lines[] = {
		"{\"v\":1,\"kind\":\"note\",\"time\":\"2026-11-24T08:14:03.123456Z\",\"host\":\"web\\u0031\","
		"\"admin\":\"alice\",\"account\":\"root\",\"session\":\"s1\",\"seq\":1,"
		"\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"text\":\"hi\"}",
		"{\"v\":1,\"kind\":\"note\",\"time\":\"2026-11-24T08:14:03.123456Z\",\"host\":\"web1\\u0000x\","
		"\"admin\":\"alice\",\"account\":\"root\",\"session\":\"s1\",\"seq\":1,"
		"\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"text\":\"hi\"}",
	};
	struct rec_fields f;

	(void)state;
	assert_false(scan(lines[0], &f));
	assert_true(parses(lines[0]));
	assert_false(scan(lines[1], &f));
	assert_false(parses(lines[1]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_fields_are_those_rec_parse_reads),
		cmocka_unit_test(what_it_declines),
		cmocka_unit_test(every_byte_is_checked_wherever_it_is_in_a_long_string),
		cmocka_unit_test(an_escape_in_a_common_field_is_left_to_rec_parse),
	};

	if (day_set_tz("UTC") < 0)
		return 1;
	return cmocka_run_group_tests_name("record-scan", tests, NULL, NULL);
}
