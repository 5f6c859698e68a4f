/* secrets: the known-secrets file, the matcher and its stability, records */
#include "unit.h"

#include "base/buf.h"
#include "base/err.h"
#include "journal/record.h"
#include "journal/secrets.h"

static struct secrets *with(const char *const *values)
{
	struct secrets *s = secrets_new();

	assert_non_null(s);
	for (; *values; values++)
		assert_int_equal(secrets_add(s, *values, strlen(*values)), 0);
	return s;
}

/* redact text; check that redacting the output again changes nothing */
static char *redact(const struct secrets *s, const char *text, size_t *count)
{
	struct buf out = BUF_INIT, again = BUF_INIT;

	*count = secrets_redact(s, text, strlen(text), &out);
	assert_int_equal(secrets_redact(s, buf_str(&out), out.len, &again), 0);
	assert_string_equal(buf_str(&again), buf_str(&out));
	buf_release(&again);
	return buf_detach(&out, NULL);
}

static void check(const struct secrets *s, const char *text, const char *want, size_t want_count)
{
	size_t n;
	char *got = redact(s, text, &n);

	if (strcmp(got, want) || n != want_count)
		fail_msg("'%s': got '%s' (%zu), want '%s' (%zu)", text, got, n, want, want_count);
	free(got);
}

static void replaces_each_value_and_only_it(void **state)
{
	struct secrets *s = with((const char *[]){ "Hunter2x", "abcdef", "abcdefgh-long-one", "tw0-s3cr3ts", NULL });

	(void)state;
	check(s, "myapp connect db1 Hunter2x", "myapp connect db1 [REDACTED]", 1);
	check(s, "Hunter2xHunter2x", "[REDACTED][REDACTED]", 2);
	check(s, "Hunter2", "Hunter2", 0);
	check(s, "hunter2x", "hunter2x", 0);
	/* the longest value at a position wins */
	check(s, "x abcdefgh-long-one y", "x [REDACTED] y", 1);
	check(s, "x abcdefgh y", "x [REDACTED]gh y", 1);
	check(s, "", "", 0);
	check(s, "abcde", "abcde", 0);
	/* bytes of any value: NUL, not UTF-8 */
	{
		const char text[] = "a\0\xff tw0-s3cr3ts\xfe";
		struct buf out = BUF_INIT;
		assert_int_equal(secrets_redact(s, text, sizeof text - 1, &out), 1);
		assert_int_equal(out.len, 4 + 10 + 1);
		assert_memory_equal(out.data, "a\0\xff [REDACTED]\xfe", out.len);
		buf_release(&out);
	}
	secrets_free(s);
}

/*
 * Markers are never part of a match, so a value that spans a marker, or
 * that a replacement would bring together, is not found on a second pass.
 */
static void redacting_twice_changes_nothing(void **state)
{
	struct secrets *s = with((const char *[]){ "D][REDA", "ED]xyzzy", "CTED]abc", "abcabc", "abcd[RE", NULL });

	(void)state;
	check(s, "[REDACTED]", "[REDACTED]", 0);
	check(s, "[REDACTED][REDACTED]", "[REDACTED][REDACTED]", 0);
	check(s, "[REDACTED]xyzzy", "[REDACTED]xyzzy", 0);
	check(s, "[REDACTED]abc", "[REDACTED]abc", 0);
	check(s, "abcabcabc", "[REDACTED]abc", 1);
	check(s, "abcab[REDACTED]cabc", "abcab[REDACTED]cabc", 0);
	/* a marker already there stays whole */
	check(s, "abcd[REDACTED]", "abcd[REDACTED]", 0);
	secrets_free(s);
}

static void add_refuses_short_long_and_marker(void **state)
{
	struct secrets *s = secrets_new();
	char big[SECRETS_MAX_LEN + 2];

	(void)state;
	assert_int_equal(secrets_add(s, "abcde", 5), -1);
	assert_non_null(strstr(errget(), "shorter than 6 bytes"));
	memset(big, 'x', sizeof big);
	assert_int_equal(secrets_add(s, big, SECRETS_MAX_LEN + 1), -1);
	assert_int_equal(secrets_add(s, big, SECRETS_MAX_LEN), 0);
	assert_int_equal(secrets_add(s, "a[REDACTED]b", 12), -1);
	assert_int_equal(secrets_add(s, "abcdef", 6), 0);
	assert_int_equal(secrets_add(s, "abcdef", 6), 1);
	assert_int_equal(secrets_count(s), 2);
	assert_int_equal(secrets_remove(s, "abcdef", 6), 0);
	assert_int_equal(secrets_remove(s, "abcdef", 6), 1);
	assert_int_equal(secrets_count(s), 1);
	secrets_free(s);
}

static void file_round_trips_and_holds_no_value(void **state)
{
	struct secrets *s = with((const char *[]){ "Hunter2x", "correct horse battery", NULL }), *t;
	struct buf a = BUF_INIT, b = BUF_INIT, out = BUF_INIT;

	(void)state;
	secrets_encode(s, &a);
	assert_null(strstr(buf_str(&a), "Hunter2x"));
	assert_null(strstr(buf_str(&a), "horse"));
	t = secrets_parse("f", a.data, a.len);
	assert_non_null(t);
	secrets_encode(t, &b);
	assert_string_equal(buf_str(&a), buf_str(&b));
	assert_int_equal(secrets_redact(t, "pw Hunter2x", 11, &out), 1);
	buf_release(&a);
	buf_release(&b);
	buf_release(&out);
	secrets_free(s);
	secrets_free(t);
}

static void parse_errors_name_the_line(void **state)
{
	static const char key[] = "logbook-secrets 1 0000000000000000000000000000000000000000000000000000000000000000\n";
	static const char mac[] = "0000000000000000000000000000000000000000000000000000000000000000";
	static const struct {
		const char *body, *want;
	} cases[] = {
		{ "", "f:1: not a known-secrets file" },
		{ "8 00ab %s", "f:2: the last line has no newline" },
		{ "5 00ab %s\n", "f:2: want" },
		{ "4097 00ab %s\n", "f:2: want" },
		{ "08 00ab %s\n", "f:2: want" },
		{ "8 00AB %s\n", "f:2: want" },
		{ "8 00ab  %s\n", "f:2: want" },
		{ "8 00ab %s \n", "f:2: want" },
		{ "8 0ab %s\n", "f:2: want" },
		{ "8 00ab %s\n8 00ab %s\n", "f:3: the same secret twice" },
	};

	(void)state;
	assert_null(secrets_parse("f", "", 0));
	assert_non_null(strstr(errget(), "f: empty"));
	assert_null(secrets_parse("f", "logbook-secrets 2 00\n", 21));
	assert_non_null(strstr(errget(), "f:1: not a known-secrets file"));
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct buf b = BUF_INIT;
		const char *body = *cases[i].body ? cases[i].body : "bad\n";
		buf_adds(&b, i == 0 ? "bad header\n" : key);
		if (i > 0)
			buf_addf(&b, body, mac, mac);
		if (secrets_parse("f", b.data, b.len))
			fail_msg("case %zu accepted", i);
		if (!strstr(errget(), cases[i].want))
			fail_msg("case %zu: '%s', want '%s'", i, errget(), cases[i].want);
		buf_release(&b);
	}
	{
		struct buf b = BUF_INIT;
		struct secrets *s;
		buf_adds(&b, key);
		buf_addf(&b, "8 00ab %s\n", mac);
		s = secrets_parse("f", b.data, b.len);
		assert_non_null(s);
		assert_int_equal(secrets_count(s), 1);
		secrets_free(s);
		buf_release(&b);
	}
}

static void records_every_text_but_common_fields(void **state)
{
	struct secrets *s = with((const char *[]){ "Hunter2x", "alice-web1", NULL });
	struct record *r = rec_new("event", 0, "web1", "alice-web1", "root", "Hunter2x");
	struct buf out = BUF_INIT;
	int64_t n;

	(void)state;
	rec_set_text(r, "text", "pw \xff Hunter2x", 13);
	rec_set_json(r, "mail", json_pack("{s:s, s:[s, {s:s}]}", "subject", "é Hunter2x", "problems", "Hunter2x",
					  "name", "x Hunter2x"));
	n = (int64_t)secrets_redact_record(s, r);
	rec_encode(r, &out);
	if (n != 4)
		fail_msg("%lld: %s", (long long)n, buf_str(&out));
	buf_reset(&out);
	assert_int_equal(rec_get_text(r, "text", &out), 0);
	assert_int_equal(out.len, 15);
	assert_memory_equal(out.data, "pw \xff [REDACTED]", out.len);
	assert_true(rec_get_int(r, "redacted", &n) && n == 4);
	rec_encode(r, &out);
	/* the session id is a common field: the one place left */
	assert_non_null(strstr(buf_str(&out), "\"session\":\"Hunter2x\""));
	assert_null(strstr(strstr(buf_str(&out), "Hunter2x") + 1, "Hunter2x"));
	assert_non_null(strstr(buf_str(&out), "\"admin\":\"alice-web1\""));
	assert_non_null(strstr(buf_str(&out), "\"subject\":\"é [REDACTED]\""));
	/* a second time: nothing more */
	assert_int_equal(secrets_redact_record(s, r), 0);
	buf_release(&out);
	rec_free(r);
	/* a sign record has no text of its own */
	r = rec_new("sign", 0, "web1", "alice", "root", "");
	rec_set_text(r, "signature", "Hunter2x", 8);
	assert_int_equal(secrets_redact_record(s, r), 0);
	rec_free(r);
	secrets_free(s);
}

/* with many values, each is still found, and text without them is kept */
static void many_values(void **state)
{
	struct secrets *s = secrets_new();
	char v[32];
	struct buf out = BUF_INIT;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		int len = snprintf(v, sizeof v, "v%d-%0*d", i, i % 9, i);
		assert_int_equal(secrets_add(s, v, (size_t)len), len < 6 ? -1 : 0);
	}
	assert_int_equal(secrets_redact(s, "x v2999-2999 y v1234-1235 z", 27, &out), 1);
	assert_string_equal(buf_str(&out), "x [REDACTED] y v1234-1235 z");
	buf_release(&out);
	secrets_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(replaces_each_value_and_only_it),
		cmocka_unit_test(redacting_twice_changes_nothing),
		cmocka_unit_test(add_refuses_short_long_and_marker),
		cmocka_unit_test(file_round_trips_and_holds_no_value),
		cmocka_unit_test(parse_errors_name_the_line),
		cmocka_unit_test(records_every_text_but_common_fields),
		cmocka_unit_test(many_values),
	};

	return cmocka_run_group_tests_name("secrets", tests, NULL, NULL);
}
