/*
 * redact: every case of tests/redact-corpus.txt (one test each: the output
 * is the expected one, the count is the number of new markers, and
 * redacting the output again changes nothing), then the parts of the
 * contract a corpus line cannot show: team patterns and their errors,
 * appending to a non-empty buffer, NUL and invalid UTF-8 bytes, size.
 */
#include "unit.h"
#include <stdbool.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "capture/redact.h"
#include "../redact-corpus.h"

#define CORPUS "tests/redact-corpus.txt"

struct corpus_case {
	char name[96];
	struct buf in, out;
};

static struct redactor *builtin;

static size_t count_markers(const char *s, size_t n)
{
	size_t k = 0, m = strlen(REDACT_MARKER);
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(s + i, REDACT_MARKER, m) == 0) {
			k++;
			i += m - 1;
		}
	return k;
}

/* the corpus escapes; anything else is a corpus error */
static void unescape(const char *s, size_t n, struct buf *b, int line)
{
	const char *why = corpus_unescape(s, n, b);

	if (why) {
		fprintf(stderr, CORPUS ":%d: %s\n", line, why);
		exit(1);
	}
}

static struct corpus_case *load_corpus(size_t *count)
{
	FILE *f = fopen(CORPUS, "r");
	struct corpus_case *cases = NULL;
	size_t n = 0, alloc = 0;
	char *line = NULL, section[48] = "none";
	size_t cap = 0;
	ssize_t len;
	int ln = 0;
	bool want_out = false;

	if (!f) {
		perror(CORPUS);
		exit(1);
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		ln++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (want_out) {
			struct corpus_case *c = &cases[n - 1];
			if (!strcmp(line, "=")) {
				buf_add(&c->out, c->in.data, c->in.len);
			} else if (len >= 2 && !strncmp(line, "> ", 2)) {
				unescape(line + 2, (size_t)len - 2, &c->out, ln);
			} else {
				fprintf(stderr, CORPUS ":%d: expected \"> output\" or \"=\"\n", ln);
				exit(1);
			}
			want_out = false;
			continue;
		}
		if (len == 0 || line[0] == '#')
			continue;
		if (len >= 2 && !strncmp(line, "@ ", 2)) {
			snprintf(section, sizeof section, "%s", line + 2);
		} else if (len >= 2 && !strncmp(line, "< ", 2)) {
			if (n == alloc) {
				alloc = alloc ? 2 * alloc : 64;
				cases = realloc(cases, alloc * sizeof *cases);
				assert_non_null(cases);
			}
			memset(&cases[n], 0, sizeof cases[n]);
			snprintf(cases[n].name, sizeof cases[n].name, "corpus line %d (%s)", ln, section);
			unescape(line + 2, (size_t)len - 2, &cases[n].in, ln);
			n++;
			want_out = true;
		} else {
			fprintf(stderr, CORPUS ":%d: not a corpus line\n", ln);
			exit(1);
		}
	}
	if (want_out) {
		fprintf(stderr, CORPUS ": the last input has no output\n");
		exit(1);
	}
	free(line);
	fclose(f);
	*count = n;
	return cases;
}

static void print_bytes(const char *what, const char *s, size_t n)
{
	fprintf(stderr, "%s: ", what);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			fputs("\\n", stderr);
		else if (c == '\\')
			fputs("\\\\", stderr);
		else if (c < 32 || c >= 127)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fputc('\n', stderr);
}

static void corpus_case_matches(void **state)
{
	const struct corpus_case *c = *state;
	struct buf out = BUF_INIT, again = BUF_INIT;
	size_t n = redact_command(builtin, c->in.data, c->in.len, &out);
	size_t m;

	if (out.len != c->out.len || memcmp(buf_str(&out), buf_str(&c->out), out.len)) {
		print_bytes("input   ", buf_str(&c->in), c->in.len);
		print_bytes("expected", buf_str(&c->out), c->out.len);
		print_bytes("got     ", buf_str(&out), out.len);
		fail_msg("%s: wrong output", c->name);
	}
	assert_int_equal(n, count_markers(c->out.data, c->out.len) - count_markers(c->in.data, c->in.len));
	/* stable: the journal's own records can go through it again */
	m = redact_command(builtin, out.data, out.len, &again);
	if (m != 0 || again.len != out.len || memcmp(again.data, out.data, out.len)) {
		print_bytes("first   ", buf_str(&out), out.len);
		print_bytes("second  ", buf_str(&again), again.len);
		fail_msg("%s: a second pass changed the output", c->name);
	}
	buf_release(&out);
	buf_release(&again);
}

/* ------------------------------------------------------------------ */

static char *redact_str(const struct redactor *r, const char *s, size_t *count)
{
	struct buf b = BUF_INIT;
	size_t n = redact_command(r, s, strlen(s), &b);
	if (count)
		*count = n;
	return buf_detach(&b, NULL);
}

static struct conf *team_conf(const char *text)
{
	struct conf *c = conf_parse("/journal/team.conf", text, strlen(text));
	assert_non_null(c);
	return c;
}

static void team_pattern_without_group_replaces_the_match(void **state)
{
	struct conf *c = team_conf("[team]\n\ttimezone = UTC\n[redact]\n\tpattern = corp-[0-9a-f]{16}\n");
	struct redactor *r = redact_new(c);
	char *s;
	size_t n;
	(void)state;
	assert_non_null(r);
	s = redact_str(r, "deploy --license corp-0123456789abcdef --fast", &n);
	assert_string_equal(s, "deploy --license [REDACTED] --fast");
	assert_int_equal(n, 1);
	free(s);
	/* the built-in rules still apply */
	s = redact_str(r, "mysql -ppw corp-0123456789abcdef", &n);
	assert_string_equal(s, "mysql -p[REDACTED] [REDACTED]");
	assert_int_equal(n, 2);
	free(s);
	redact_free(r);
	conf_free(c);
}

static void team_pattern_group_one_is_replaced(void **state)
{
	struct conf *c = team_conf("[redact]\n"
				   "\tpattern = \"vpnctl --psk[ =](\\\\S+)\"\n"
				   "\tpattern = (?i)backup-key:\\\\s*(\\\\w+)(x)?\n");
	struct redactor *r = redact_new(c);
	char *s;
	(void)state;
	assert_non_null(r);
	s = redact_str(r, "vpnctl --psk abc123 up && vpnctl --psk=def up", NULL);
	assert_string_equal(s, "vpnctl --psk [REDACTED] up && vpnctl --psk=[REDACTED] up");
	free(s);
	s = redact_str(r, "echo BACKUP-KEY: s3cret >> notes", NULL);
	assert_string_equal(s, "echo BACKUP-KEY: [REDACTED] >> notes");
	free(s);
	redact_free(r);
	conf_free(c);
}

static void team_pattern_that_matches_empty_text_terminates(void **state)
{
	struct conf *c = team_conf("[redact]\n\tpattern = x*\n\tpattern = (?=a)\n");
	struct redactor *r = redact_new(c);
	char *s;
	(void)state;
	assert_non_null(r);
	s = redact_str(r, "abxxc a", NULL);
	assert_string_equal(s, "ab[REDACTED]c a");
	free(s);
	redact_free(r);
	conf_free(c);
}

static void bad_team_pattern_names_file_and_line(void **state)
{
	struct conf *c = team_conf("[team]\n\ttimezone = UTC\n\n[redact]\n\tpattern = ok\n\tpattern = abc(def\n");
	(void)state;
	errset("none");
	assert_null(redact_new(c));
	assert_string_equal(errget(), "/journal/team.conf:6: bad redact pattern: "
			    "missing closing parenthesis at offset 7");
	conf_free(c);

	c = team_conf("[redact]\n\tpattern\n");
	assert_null(redact_new(c));
	assert_string_equal(errget(), "/journal/team.conf:2: bad redact pattern: empty pattern");
	conf_free(c);
}

static void team_secret_names_count_in_every_rule_by_name(void **state)
{
	struct conf *c = team_conf("[redact]\n\tsecretname = VaultPin\n");
	struct redactor *r = redact_new(c);
	struct buf b = BUF_INIT;
	const char *cfg = "vault_pin = 1234\n";
	char *s;
	(void)state;
	assert_non_null(r);
	s = redact_str(r, "VAULT_PIN=4821 unlock && unlock --vault-pin 4821 && "
		       "echo 'vaultpin: 4821' >> ~/.unlock.yml && jq '.vaultPin = \"4821\"' c", NULL);
	assert_string_equal(s, "VAULT_PIN=[REDACTED] unlock && unlock --vault-pin [REDACTED] && "
			    "echo 'vaultpin: [REDACTED]' >> ~/.unlock.yml && jq '.vaultPin = \"[REDACTED]\"' c");
	free(s);
	/* a watched file's config lines too */
	assert_int_equal(redact_text(r, cfg, strlen(cfg), &b), 1);
	assert_string_equal(buf_str(&b), "vault_pin = [REDACTED]\n");
	buf_release(&b);
	/* without the name, nothing of it is a secret */
	s = redact_str(builtin, "VAULT_PIN=4821 unlock --vault-pin 4821", NULL);
	assert_string_equal(s, "VAULT_PIN=4821 unlock --vault-pin 4821");
	free(s);
	redact_free(r);
	conf_free(c);
}

static void bad_team_secret_name_names_file_and_line(void **state)
{
	struct conf *c = team_conf("[team]\n\ttimezone = UTC\n[redact]\n\tsecretname = vault-pin\n");
	(void)state;
	errset("none");
	assert_null(redact_new(c));
	assert_string_equal(errget(), "/journal/team.conf:4: bad redact secretname: \"vault-pin\" "
			    "(letters and digits, 1 to 23)");
	conf_free(c);
	c = team_conf("[redact]\n\tsecretname\n");
	assert_null(redact_new(c));
	assert_string_equal(errget(), "/journal/team.conf:2: bad redact secretname: \"\" "
			    "(letters and digits, 1 to 23)");
	conf_free(c);
}

static void other_sections_and_keys_are_not_patterns(void **state)
{
	struct conf *c = team_conf("[redact \"x\"]\n\tpattern = (\n[other]\n\tpattern = (\n"
				   "[redact]\n\tnote = (\n");
	struct redactor *r = redact_new(c);
	char *s;
	(void)state;
	assert_non_null(r);
	s = redact_str(r, "echo (", NULL);
	assert_string_equal(s, "echo (");
	free(s);
	redact_free(r);
	conf_free(c);
}

static void output_is_appended(void **state)
{
	struct buf b = BUF_INIT;
	(void)state;
	buf_adds(&b, "before|");
	assert_int_equal(redact_command(builtin, "mysql -ppw", 10, &b), 1);
	assert_string_equal(buf_str(&b), "before|mysql -p[REDACTED]");
	assert_int_equal(redact_command(builtin, "", 0, &b), 0);
	assert_string_equal(buf_str(&b), "before|mysql -p[REDACTED]");
	buf_release(&b);
}

static void invalid_utf8_and_nul_bytes_are_kept_byte_for_byte(void **state)
{
	static const char in[] = "\xc3\x28 curl -u al\xe9" "ce:p\xc3\xa9w\0d \x80\xbf https://\xfe/\0x";
	static const char want[] = "\xc3\x28 curl -u al\xe9" "ce:[REDACTED] \x80\xbf https://\xfe/\0x";
	struct buf b = BUF_INIT;
	(void)state;
	assert_int_equal(redact_command(builtin, in, sizeof in - 1, &b), 1);
	assert_int_equal(b.len, sizeof want - 1);
	assert_memory_equal(b.data, want, sizeof want - 1);
	buf_release(&b);
}

static void command_of_64_kib_keeps_every_byte_but_its_secrets(void **state)
{
	struct buf in = BUF_INIT, want = BUF_INIT, out = BUF_INIT;
	(void)state;
	buf_adds(&in, "cat > /etc/app/users.conf <<'EOF'\n");
	buf_adds(&want, "cat > /etc/app/users.conf <<'EOF'\n");
	for (int i = 0; in.len < 64 * 1024 - 200; i++) {
		buf_addf(&in, "user%05d = enabled, quota=%d, shell=/bin/bash 'x' \"y\" $(z)\n", i, i);
		buf_addf(&want, "user%05d = enabled, quota=%d, shell=/bin/bash 'x' \"y\" $(z)\n", i, i);
	}
	buf_adds(&in, "admin_password = s3cret\nEOF\nmysql -uroot -ppw app");
	buf_adds(&want, "admin_password = [REDACTED]\nEOF\nmysql -uroot -p[REDACTED] app");
	/* its speed is bench/redact.c's business: tests hold no timing */
	assert_int_equal(redact_command(builtin, in.data, in.len, &out), 2);
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.data, want.data, want.len);
	buf_release(&in);
	buf_release(&want);
	buf_release(&out);
}

static void long_words_and_deep_nesting_do_not_crash(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	(void)state;
	for (int i = 0; i < 5000; i++)
		buf_adds(&in, "$(");
	buf_adds(&in, "mysql -ppw");
	redact_command(builtin, in.data, in.len, &out);
	assert_true(out.len <= in.len + strlen(REDACT_MARKER));
	buf_reset(&in);
	buf_reset(&out);
	for (int i = 0; i < 3000; i++)
		buf_adds(&in, "bash -c \"");
	redact_command(builtin, in.data, in.len, &out);
	assert_int_equal(out.len, in.len);
	buf_reset(&in);
	buf_reset(&out);
	buf_adds(&in, "mysql -p");
	for (int i = 0; i < 60000; i++)
		buf_addc(&in, (char)('a' + i % 26));
	assert_int_equal(redact_command(builtin, in.data, in.len, &out), 1);
	assert_string_equal(buf_str(&out), "mysql -p[REDACTED]");
	buf_reset(&in);
	buf_reset(&out);
	for (int i = 0; i < 10000; i++)
		buf_adds(&in, "ssh h ");
	buf_adds(&in, "mysql -ppw");
	assert_int_equal(redact_command(builtin, in.data, in.len, &out), 1);
	buf_release(&in);
	buf_release(&out);
}


/* configuration text, as in a watched file's diff */
static void config_assignments_lose_their_values_and_nothing_else(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "password = hunter2\n", "password = [REDACTED]\n" },
		{ "\tDBPassword=\"s3 cret\";\n", "\tDBPassword=\"[REDACTED]\";\n" },
		{ "export API_TOKEN='abc'\n", "export API_TOKEN='[REDACTED]'\n" },
		{ "secret: x\nuser: alice\n", "secret: [REDACTED]\nuser: alice\n" },
		{ "db_password_file = /etc/db.pw\n", "db_password_file = /etc/db.pw\n" },
		{ "password = $DBPASS\n", "password = $DBPASS\n" },
		{ "listen 443 ssl;\nserver_name example.org;\n", "listen 443 ssl;\nserver_name example.org;\n" },
		{ "url = https://bob:pw1@git.example.org/x\n", "url = https://bob:[REDACTED]@git.example.org/x\n" },
		{ "# password = example\n", "# password = example\n" },
	};
	struct redactor *r = redact_new(NULL);
	(void)state;

	assert_non_null(r);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct buf out = BUF_INIT;
		redact_text(r, cases[i].in, strlen(cases[i].in), &out);
		if (strcmp(buf_str(&out), cases[i].out))
			fail_msg("case %zu: %s gave %s, expected %s", i, cases[i].in, buf_str(&out), cases[i].out);
		buf_release(&out);
	}
	redact_free(r);
}

int main(void)
{
	size_t n;
	struct corpus_case *cases = load_corpus(&n);
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(team_pattern_without_group_replaces_the_match),
		cmocka_unit_test(team_pattern_group_one_is_replaced),
		cmocka_unit_test(team_pattern_that_matches_empty_text_terminates),
		cmocka_unit_test(bad_team_pattern_names_file_and_line),
		cmocka_unit_test(team_secret_names_count_in_every_rule_by_name),
		cmocka_unit_test(bad_team_secret_name_names_file_and_line),
		cmocka_unit_test(other_sections_and_keys_are_not_patterns),
		cmocka_unit_test(output_is_appended),
		cmocka_unit_test(invalid_utf8_and_nul_bytes_are_kept_byte_for_byte),
		cmocka_unit_test(command_of_64_kib_keeps_every_byte_but_its_secrets),
		cmocka_unit_test(long_words_and_deep_nesting_do_not_crash),
		cmocka_unit_test(config_assignments_lose_their_values_and_nothing_else),
	};
	size_t nf = sizeof fixed / sizeof fixed[0];
	struct CMUnitTest *tests = calloc(n + nf, sizeof *tests);
	int rc;

	builtin = redact_new(NULL);
	assert_non_null(builtin);
	assert_non_null(tests);
	for (size_t i = 0; i < n; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = corpus_case_matches;
		tests[i].initial_state = &cases[i];
	}
	memcpy(tests + n, fixed, sizeof fixed);
	rc = _cmocka_run_group_tests("redact", tests, n + nf, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		buf_release(&cases[i].in);
		buf_release(&cases[i].out);
	}
	free(cases);
	free(tests);
	redact_free(builtin);
	return rc;
}
