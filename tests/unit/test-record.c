/*
 * record: format version 1 (docs/format.md).  The expected lines are
 * written out by hand from the specification; hashes and base64 were
 * computed with coreutils (the commands are next to each value).
 */
#include "unit.h"

#include "base/err.h"
#include "journal/record.h"

#define S 1000000LL

/* the example of docs/format.md, one line */
static const char example[] =
	"{\"v\":1,\"kind\":\"note\",\"time\":\"2026-11-24T08:14:03.123456Z\",\"host\":\"web1\","
	"\"admin\":\"alice\",\"account\":\"root\",\"session\":\"329f1e35-1169-3638\",\"seq\":42,"
	"\"prev\":\"0f43e1d1ef6af10e44a39d99c08e90fc386df7b1e3489be2af710ff22f447fbb\","
	"\"text\":\"Upgraded nginx; the reload failed on a stale pid file, removed it.\"}";

/* a host's first note, the base of the damaged lines below */
static const char first[] =
	"{\"v\":1,\"kind\":\"note\",\"time\":\"2026-11-24T08:14:03.123456Z\",\"host\":\"web1\","
	"\"admin\":\"alice\",\"account\":\"root\",\"session\":\"s1\",\"seq\":1,"
	"\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\","
	"\"text\":\"hi\"}";

#define HASH_0F43 "0f43e1d1ef6af10e44a39d99c08e90fc386df7b1e3489be2af710ff22f447fbb"

/* s with the one occurrence of from replaced by to (allocated) */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
	char *r = malloc(n);

	assert_non_null(at);
	assert_null(strstr(at + 1, from));
	snprintf(r, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
	return r;
}

static char *first_with(const char *from, const char *to)
{
	return replace(first, from, to);
}

static struct record *new_note(void)
{
	struct record *r = rec_new("note", 1795508043 * S + 123456, "web1", "alice", "root",
				   "329f1e35-1169-3638");

	rec_set_chain(r, 42, HASH_0F43);
	return r;
}

static char *encode(const struct record *r)
{
	struct buf b = BUF_INIT;

	assert_int_equal(rec_encode(r, &b), 0);
	return buf_detach(&b, NULL);
}

static void a_new_note_encodes_the_common_fields_first_in_order(void **state)
{
	static const char text[] = "Upgraded nginx; the reload failed on a stale pid file, removed it.";
	struct record *r = new_note();
	char *line, *expected;

	(void)state;
	rec_set_text(r, "text", text, strlen(text));
	line = encode(r);
	assert_string_equal(line, example);
	free(line);

	/* fields set later come after, in the order set */
	rec_set_int(r, "exit", -1);
	rec_set_text(r, "cwd", "/", 1);
	line = encode(r);
	expected = replace(example, ".\"}", ".\",\"exit\":-1,\"cwd\":\"/\"}");
	assert_string_equal(line, expected);
	free(expected);
	free(line);
	rec_free(r);
}

static void a_new_record_caches_its_common_fields(void **state)
{
	struct record *r = rec_new("note", 7, "h", "a", "u", "");

	(void)state;
	assert_string_equal(r->kind, "note");
	assert_int_equal(r->time, 7);
	assert_string_equal(r->host, "h");
	assert_string_equal(r->admin, "a");
	assert_string_equal(r->account, "u");
	assert_string_equal(r->session, "");
	/* the store's fields: not yet assigned */
	assert_int_equal(r->seq, 0);
	assert_string_equal(r->prev, rec_genesis);
	rec_set_chain(r, 9, HASH_0F43);
	assert_int_equal(r->seq, 9);
	assert_string_equal(r->prev, HASH_0F43);
	assert_null(r->line);
	rec_free(r);
}

static void valid_utf8_text_is_stored_as_it_is(void **state)
{
	/* U+00E9, U+20AC, U+1F600, and controls that JSON escapes */
	static const char text[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \"q\" \\ / \b\f\n\r\t\x01\x1f\x7f \0end";
	struct record *r = new_note();
	struct buf back = BUF_INIT;
	char *line;

	(void)state;
	rec_set_text(r, "text", text, sizeof text - 1);
	line = encode(r);
	/* JSON escapes what is below U+0020 (jansson with upper-case hex digits), not DEL */
	assert_string_equal(strstr(line, ",\"text\":"),
			    ",\"text\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \\\"q\\\" \\\\ / "
			    "\\b\\f\\n\\r\\t\\u0001\\u001F\x7f \\u0000end\"}");
	assert_null(strstr(line, "_b64"));
	assert_int_equal(rec_get_text(r, "text", &back), 0);
	assert_int_equal(back.len, sizeof text - 1);
	assert_memory_equal(back.data, text, sizeof text - 1);
	buf_release(&back);
	free(line);
	rec_free(r);
}

static void invalid_bytes_give_a_lossy_field_and_the_exact_bytes_in_base64(void **state)
{
	/* printf 'caf\351 \377\000x' | base64  ->  Y2Fm6SD/AHg= */
	static const char bytes[] = "caf\xe9 \xff\0x";
	struct record *r = new_note();
	struct buf back = BUF_INIT;
	size_t len;
	const char *lossy;
	char *line;

	(void)state;
	rec_set_text(r, "text", bytes, sizeof bytes - 1);
	line = encode(r);
	assert_string_equal(strstr(line, ",\"text\":"),
			    ",\"text\":\"caf\xef\xbf\xbd \xef\xbf\xbd\\u0000x\",\"text_b64\":\"Y2Fm6SD/AHg=\"}");
	lossy = rec_get_str(r, "text", &len);
	assert_int_equal(len, 12);
	assert_memory_equal(lossy, "caf\xef\xbf\xbd \xef\xbf\xbd\0x", 12);
	assert_int_equal(rec_get_text(r, "text", &back), 0);
	assert_int_equal(back.len, sizeof bytes - 1);
	assert_memory_equal(back.data, bytes, sizeof bytes - 1);
	buf_release(&back);
	free(line);
	rec_free(r);
}

static void the_exact_bytes_survive_encode_and_parse(void **state)
{
	static const struct {
		const char *data;
		size_t len;
	} cases[] = {
		{ "", 0 },
		{ "\0", 1 },
		{ "\xff", 1 },
		{ "\xff\xfe", 2 },
		{ "\xc3", 1 },			/* a cut sequence */
		{ "a\xe2\x82", 3 },
		{ "\xc0\xaf", 2 },		/* overlong */
		{ "\xed\xa0\x80", 3 },		/* surrogate */
		{ "\xf4\x90\x80\x80", 4 },	/* above U+10FFFF */
		{ "ok \xc3\xa9\x80\0\n\x1b[31m", 12 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct record *r = new_note(), *p;
		struct buf back = BUF_INIT;
		char *line;

		rec_set_text(r, "text", cases[i].data, cases[i].len);
		line = encode(r);
		p = rec_parse(line, strlen(line), false);
		if (!p)
			fail_msg("case %zu: %s: %s", i, errget(), line);
		assert_int_equal(rec_get_text(p, "text", &back), 0);
		assert_int_equal(back.len, cases[i].len);
		assert_memory_equal(back.data, cases[i].data, cases[i].len);
		buf_release(&back);
		free(line);
		rec_free(p);
		rec_free(r);
	}
}

static void valid_text_replacing_invalid_bytes_drops_the_base64(void **state)
{
	struct record *r = new_note();
	struct buf back = BUF_INIT;
	char *line;

	(void)state;
	rec_set_text(r, "text", "\xff", 1);
	rec_set_text(r, "text", "fine", 4);
	line = encode(r);
	assert_string_equal(strstr(line, ",\"text\":"), ",\"text\":\"fine\"}");
	assert_int_equal(rec_get_text(r, "text", &back), 0);
	assert_string_equal(back.data, "fine");
	buf_release(&back);
	free(line);
	rec_free(r);
}

static void get_text_appends_and_fails_on_absent_or_non_text_fields(void **state)
{
	struct record *r = new_note();
	struct buf out = BUF_INIT;
	int64_t v = 0;

	(void)state;
	rec_set_text(r, "text", "b", 1);
	rec_set_int(r, "exit", 3);
	buf_adds(&out, "a");
	assert_int_equal(rec_get_text(r, "text", &out), 0);
	assert_string_equal(out.data, "ab");
	assert_int_equal(rec_get_text(r, "missing", &out), -1);
	assert_int_equal(rec_get_text(r, "exit", &out), -1);
	assert_int_equal(rec_get_text(r, "seq", &out), -1);
	assert_string_equal(out.data, "ab");
	assert_null(rec_get_str(r, "exit", NULL));
	assert_null(rec_get_str(r, "missing", NULL));
	assert_true(rec_get_int(r, "exit", &v));
	assert_int_equal(v, 3);
	assert_false(rec_get_int(r, "text", &v));
	assert_false(rec_get_int(r, "missing", &v));
	assert_int_equal(v, 3);
	buf_release(&out);
	rec_free(r);
}

static void base64_that_does_not_decode_falls_back_to_the_field(void **state)
{
	char *line = first_with("\"text\":\"hi\"", "\"text\":\"hi\",\"text_b64\":\"!!!!\"");
	struct record *r = rec_parse(line, strlen(line), false);
	struct buf out = BUF_INIT;

	(void)state;
	assert_non_null(r);
	assert_int_equal(rec_get_text(r, "text", &out), 0);
	assert_string_equal(out.data, "hi");
	buf_release(&out);
	rec_free(r);
	free(line);
}

static void parse_accepts_what_encode_writes(void **state)
{
	struct record *r = rec_parse(example, strlen(example), true);
	struct buf text = BUF_INIT;
	char *line;

	(void)state;
	if (!r)
		fail_msg("%s", errget());
	assert_string_equal(r->kind, "note");
	assert_int_equal(r->time, 1795508043 * S + 123456);
	assert_string_equal(r->host, "web1");
	assert_string_equal(r->admin, "alice");
	assert_string_equal(r->account, "root");
	assert_string_equal(r->session, "329f1e35-1169-3638");
	assert_int_equal(r->seq, 42);
	assert_string_equal(r->prev, HASH_0F43);
	assert_int_equal(r->line_len, strlen(example));
	assert_string_equal(r->line, example);
	assert_int_equal(rec_get_text(r, "text", &text), 0);
	assert_string_equal(text.data, "Upgraded nginx; the reload failed on a stale pid file, removed it.");
	line = encode(r);
	assert_string_equal(line, example);
	free(line);
	buf_release(&text);
	rec_free(r);

	/* without keep_line the line is not copied */
	r = rec_parse(first, strlen(first), false);
	assert_non_null(r);
	assert_null(r->line);
	rec_free(r);
}

static void parse_keeps_unknown_kinds_and_fields(void **state)
{
	char *event = first_with("\"kind\":\"note\"", "\"kind\":\"event\"");
	char *no_text = replace(event, ",\"text\":\"hi\"", ",\"message\":\"disk full\"");
	char *extra = first_with("\"text\":\"hi\"", "\"text\":\"hi\",\"zz\":[1,{\"a\":null}],\"r\":0.5");
	char *nul_session = first_with("\"session\":\"s1\"", "\"session\":\"s\\u00001\"");
	struct record *r;
	char *line;

	(void)state;
	r = rec_parse(event, strlen(event), false);
	assert_non_null(r);
	assert_string_equal(r->kind, "event");
	rec_free(r);
	/* the session is opaque: any string */
	r = rec_parse(nul_session, strlen(nul_session), false);
	assert_non_null(r);
	rec_free(r);
	/* only a note must have text */
	r = rec_parse(no_text, strlen(no_text), false);
	assert_non_null(r);
	rec_free(r);
	/* fields this version does not know survive a round trip */
	r = rec_parse(extra, strlen(extra), false);
	assert_non_null(r);
	line = encode(r);
	assert_string_equal(line, extra);
	free(line);
	rec_free(r);
	free(event);
	free(no_text);
	free(extra);
	free(nul_session);
}

static void parse_ignores_spacing_between_tokens(void **state)
{
	static const char spaced[] =
		" { \"v\" : 1 ,\t\"kind\":\"note\",\"time\":\"2026-11-24T08:14:03.123456Z\",\"host\":\"web1\","
		"\"admin\":\"alice\",\"account\":\"root\",\"session\":\"s1\",\"seq\": 1,"
		"\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\","
		"\"text\":\"hi\" }\t";
	struct record *r = rec_parse(spaced, strlen(spaced), false);
	char *line;

	(void)state;
	assert_non_null(r);
	line = encode(r);
	assert_string_equal(line, first);
	free(line);
	rec_free(r);
}

static const char bad_json[] = "invalid JSON at column ";

/* lines that are not records: a replacement in the first note, and why */
static const struct {
	const char *from, *to, *error;
} damaged[] = {
	{ "\"v\":1", "\"v\":2", "format version 2 is not supported by this logbook (it reads version 1)" },
	{ "\"v\":1", "\"v\":0", "format version 0 is not supported by this logbook (it reads version 1)" },
	{ "\"v\":1", "\"v\":\"1\"", "missing format version \"v\"" },
	{ "\"v\":1", "\"v\":1.0", "missing format version \"v\"" },
	{ "\"v\":1,", "", "missing format version \"v\"" },
	{ "\"kind\":\"note\"", "\"kind\":\"Note\"", "bad or missing \"kind\"" },
	{ "\"kind\":\"note\"", "\"kind\":\"\"", "bad or missing \"kind\"" },
	{ "\"kind\":\"note\"", "\"kind\":\"abcdefghijklmnopqrstuvwxyzabcdefg\"", "bad or missing \"kind\"" },
	{ "\"kind\":\"note\"", "\"kind\":\"n0te\"", "bad or missing \"kind\"" },
	{ "\"kind\":\"note\"", "\"kind\":[\"note\"]", "bad or missing \"kind\"" },
	{ "\"kind\":\"note\",", "", "bad or missing \"kind\"" },
	{ "\"time\":\"2026-11-24T08:14:03.123456Z\"", "\"time\":\"2026-11-24T08:14:03.123456\"",
	  "bad time '2026-11-24T08:14:03.123456': expected YYYY-MM-DDTHH:MM:SS.uuuuuuZ" },
	{ "\"time\":\"2026-11-24T08:14:03.123456Z\"", "\"time\":1795508043",
	  "missing \"time\"" },
	{ "\"time\":\"2026-11-24T08:14:03.123456Z\",", "", "missing \"time\"" },
	{ "\"host\":\"web1\",", "", "missing \"host\"" },
	{ "\"host\":\"web1\"", "\"host\":5", "missing \"host\"" },
	{ "\"host\":\"web1\"", "\"host\":\"\"", "empty \"host\"" },
	{ "\"admin\":\"alice\"", "\"admin\":\"\"", "empty \"admin\"" },
	{ "\"admin\":\"alice\"", "\"admin\":null", "missing \"admin\"" },
	{ "\"account\":\"root\",", "", "missing \"account\"" },
	{ "\"session\":\"s1\"", "\"session\":false", "missing \"session\"" },
	{ "\"seq\":1", "\"seq\":0", "bad or missing \"seq\"" },
	{ "\"seq\":1", "\"seq\":-1", "bad or missing \"seq\"" },
	{ "\"seq\":1", "\"seq\":\"1\"", "bad or missing \"seq\"" },
	{ "\"seq\":1", "\"seq\":1.5", "bad or missing \"seq\"" },
	{ "\"seq\":1,", "", "bad or missing \"seq\"" },
	{ "\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\"",
	  "\"prev\":\"000000000000000000000000000000000000000000000000000000000000000\"",
	  "bad or missing \"prev\"" },
	{ "\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\"",
	  "\"prev\":\"00000000000000000000000000000000000000000000000000000000000000000\"",
	  "bad or missing \"prev\"" },
	{ "\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\"",
	  "\"prev\":\"0F43E1D1EF6AF10E44A39D99C08E90FC386DF7B1E3489BE2AF710FF22F447FBB\"",
	  "bad or missing \"prev\"" },
	{ "\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\"",
	  "\"prev\":\"g000000000000000000000000000000000000000000000000000000000000000\"",
	  "bad or missing \"prev\"" },
	{ "\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\"",
	  "\"prev\":0", "bad or missing \"prev\"" },
	{ ",\"text\":\"hi\"", "", "note without \"text\"" },
	{ "\"text\":\"hi\"", "\"text\":5", "note without \"text\"" },
	{ "\"text\":\"hi\"", "\"text\":null", "note without \"text\"" },
	/* the common fields are C strings in logbook: \u0000 would cut them short */
	{ "\"kind\":\"note\"", "\"kind\":\"note\\u0000x\"", "NUL byte in \"kind\"" },
	{ "\"time\":\"2026-11-24T08:14:03.123456Z\"", "\"time\":\"2026-11-24T08:14:03.123456Z\\u0000\"",
	  "NUL byte in \"time\"" },
	{ "\"host\":\"web1\"", "\"host\":\"web1\\u0000evil\"", "NUL byte in \"host\"" },
	{ "\"admin\":\"alice\"", "\"admin\":\"\\u0000\"", "NUL byte in \"admin\"" },
	{ "\"account\":\"root\"", "\"account\":\"root\\u0000\"", "NUL byte in \"account\"" },
	{ "\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\"",
	  "\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\\u0000\"",
	  "NUL byte in \"prev\"" },
	/* a record is one line, also where JSON would allow a newline */
	{ "\"v\":1,", "\"v\":1,\n", "raw newline in the line" },
	{ "\"text\":\"hi\"}", "\"text\":\"hi\"}\n", "raw newline in the line" },
	{ "{\"v\"", "\n{\"v\"", "raw newline in the line" },
	{ "\"text\":\"hi\"", "\"text\":\"h\ni\"", "raw newline in the line" },
	/* not JSON, or not one object */
	{ "\"host\":\"web1\"", "\"host\":\"web1\",\"host\":\"web2\"", bad_json },
	{ "\"v\":1", "\"v\":1,\"v\":1", bad_json },
	{ "\"text\":\"hi\"", "\"text\":\"hi\",\"text\":\"hi\"", bad_json },
	{ "\"text\":\"hi\"}", "\"text\":\"hi\"}x", bad_json },
	{ "\"text\":\"hi\"}", "\"text\":\"hi\"}{}", bad_json },
	{ "\"text\":\"hi\"}", "\"text\":\"hi\"", bad_json },
	{ "\"text\":\"hi\"", "\"text\":\"h\xffi\"", bad_json },
	{ "\"text\":\"hi\"", "\"text\":\"h\xc0\xafi\"", bad_json },
	{ "\"text\":\"hi\"", "\"text\":\"h\\xffi\"", bad_json },
	{ "\"text\":\"hi\"", "\"text\":\"h\\ud800i\"", bad_json },
	{ "\"text\":\"hi\"", "\"text\":'hi'", bad_json },
};

static void parse_rejects_damaged_lines(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof damaged / sizeof *damaged; i++) {
		char *line = first_with(damaged[i].from, damaged[i].to);
		struct record *r = rec_parse(line, strlen(line), true);
		bool prefix = damaged[i].error == bad_json;

		if (r)
			fail_msg("case %zu parsed: %s", i, line);
		if (prefix ? strncmp(errget(), bad_json, strlen(bad_json)) : strcmp(errget(), damaged[i].error))
			fail_msg("case %zu: got '%s', expected '%s'", i, errget(), damaged[i].error);
		free(line);
	}
}

static void parse_rejects_what_is_not_an_object(void **state)
{
	static const char *const lines[] = { "[1]", "[]", "", " ", "\"x\"", "1", "null", "{" };

	(void)state;
	assert_null(rec_parse("[1]", 3, false));
	assert_string_equal(errget(), "not a JSON object");
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
		if (rec_parse(lines[i], strlen(lines[i]), false))
			fail_msg("'%s' parsed", lines[i]);
	assert_null(rec_parse("{}", 2, false));
	assert_string_equal(errget(), "missing format version \"v\"");
}

static void parse_reads_only_len_bytes(void **state)
{
	size_t n = strlen(first);
	char *copy = malloc(n);	/* no NUL after it */
	struct record *r;

	(void)state;
	memcpy(copy, first, n);
	r = rec_parse(copy, n, true);
	assert_non_null(r);
	assert_int_equal(r->line_len, n);
	assert_memory_equal(r->line, first, n + 1);
	rec_free(r);
	assert_null(rec_parse(copy, n - 1, false));	/* cut before its '}' */
	free(copy);
}

static void hash_is_the_sha256_of_the_line(void **state)
{
	char out[REC_HASH_LEN + 1];

	(void)state;
	/* printf %s "$example" | sha256sum */
	rec_hash(example, strlen(example), out);
	assert_string_equal(out, "ba792a03d1eac411fbd64d9d958c61519d5d71fb35937c9e7a92055858cc054b");
	/* printf '' | sha256sum */
	rec_hash("", 0, out);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void genesis_is_64_zeros(void **state)
{
	(void)state;
	assert_int_equal(strlen(rec_genesis), REC_HASH_LEN);
	assert_int_equal(REC_HASH_LEN, 64);
	assert_int_equal(strspn(rec_genesis, "0"), 64);
}

static void lossy_replaces_each_invalid_byte_with_u_fffd(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{ "", 0, "" },
		{ "plain", 5, "plain" },
		{ "caf\xc3\xa9 \xf0\x9f\x98\x80", 10, "caf\xc3\xa9 \xf0\x9f\x98\x80" },
		{ "a\xff" "b", 3, "a\xef\xbf\xbd" "b" },
		{ "a\xe2\x82", 3, "a\xef\xbf\xbd\xef\xbf\xbd" },		/* each byte of a cut sequence */
		{ "\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\x80\xe2\x82\xac", 4, "\xef\xbf\xbd\xe2\x82\xac" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct buf out = BUF_INIT;

		rec_lossy(&out, cases[i].in, cases[i].len);
		if (strcmp(buf_str(&out), cases[i].out))
			fail_msg("case %zu: got '%s'", i, buf_str(&out));
		buf_release(&out);
	}
	{
		struct buf out = BUF_INIT;

		rec_lossy(&out, "a\0\xff", 3);
		assert_int_equal(out.len, 5);
		assert_memory_equal(out.data, "a\0\xef\xbf\xbd", 5);
		buf_release(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_new_note_encodes_the_common_fields_first_in_order),
		cmocka_unit_test(a_new_record_caches_its_common_fields),
		cmocka_unit_test(valid_utf8_text_is_stored_as_it_is),
		cmocka_unit_test(invalid_bytes_give_a_lossy_field_and_the_exact_bytes_in_base64),
		cmocka_unit_test(the_exact_bytes_survive_encode_and_parse),
		cmocka_unit_test(valid_text_replacing_invalid_bytes_drops_the_base64),
		cmocka_unit_test(get_text_appends_and_fails_on_absent_or_non_text_fields),
		cmocka_unit_test(base64_that_does_not_decode_falls_back_to_the_field),
		cmocka_unit_test(parse_accepts_what_encode_writes),
		cmocka_unit_test(parse_keeps_unknown_kinds_and_fields),
		cmocka_unit_test(parse_ignores_spacing_between_tokens),
		cmocka_unit_test(parse_rejects_damaged_lines),
		cmocka_unit_test(parse_rejects_what_is_not_an_object),
		cmocka_unit_test(parse_reads_only_len_bytes),
		cmocka_unit_test(hash_is_the_sha256_of_the_line),
		cmocka_unit_test(genesis_is_64_zeros),
		cmocka_unit_test(lossy_replaces_each_invalid_byte_with_u_fffd),
	};
	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
