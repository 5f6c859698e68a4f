/*
 * conf: team.conf in the syntax of git's config files.  The design says
 * "git config -f team.conf" reads the file too, so the valid cases below
 * list the entries as "git config -f FILE --list" prints them (checked
 * against git 2.39.5 when writing them), and one test runs git on each
 * to keep the two readers in step.
 */
#include "unit.h"

#include <sys/stat.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"

static struct conf *parse(const char *text)
{
	return conf_parse("team.conf", text, strlen(text));
}

/* the entries as "git config --list" prints them: section[.subsection].key[=value] */
static void list(const struct conf *c, struct buf *out)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct conf_entry *e = &c->entries[i];
		buf_adds(out, e->section);
		buf_addc(out, '.');
		if (e->subsection)
			buf_addf(out, "%s.", e->subsection);
		buf_adds(out, e->key);
		if (e->value)
			buf_addf(out, "=%s", e->value);
		buf_addc(out, '\n');
	}
}

/* files that logbook and git both read, and what they read */
static const struct {
	const char *text;
	const char *entries;
} valid[] = {
	{ "[team]\n\ttimezone = Europe/Paris\n[admin \"alice\"]\n\temail = alice@example.org\n",
	  "team.timezone=Europe/Paris\nadmin.alice.email=alice@example.org\n" },
	/* section and key in lower case, the subsection as written */
	{ "[Admin \"Alice\"]\n\tEMail = A@B\n[A.B \"Sub\"]\nKey = v\n",
	  "admin.Alice.email=A@B\na.b.Sub.key=v\n" },
	{ "# c\n; c\n[a] ; c\nk = v ; c\nk2 = v# c\nk3 = \"v ; # c\"\n  # indented\n",
	  "a.k=v\na.k2=v\na.k3=v ; # c\n" },
	{ "[a]\nk = \"x\\\"y\\\\z\\n\\t\\b\"\nk2 = a\\tb\n",
	  "a.k=x\"y\\z\n\t\b\na.k2=a\tb\n" },
	{ "[a]\nk = one\\\n  two\nk2 = \"a\\\nb\"\nk3 = a\\\r\nb\n",
	  "a.k=one  two\na.k2=ab\na.k3=ab\n" },
	{ "[a]\nflag\nother = x\n  spaced  \n",
	  "a.flag\na.other=x\na.spaced\n" },
	{ "[a]\nk =\nk2 = \"\"\nk3 =   \n",
	  "a.k=\na.k2=\na.k3=\n" },
	{ "[a]\nk = a  \"  b  \"  c  \nk2 = \"a \"  \n",
	  "a.k=a    b    c\na.k2=a \n" },
	/* outside quotes a blank reads as one space, and only between other characters */
	{ "[a]\nk = a\tb\nk2 = a\rb\nk3 = a\t\t\"b\"\n",
	  "a.k=a b\na.k2=a b\na.k3=a  b\n" },
	{ "[team]\n\ttimezone = \\\n  UTC\nk = \"\"  b\nk2 = \"\" \"\" x\nk3 = a \\\n\n",
	  "team.timezone=UTC\nteam.k=b\nteam.k2=x\nteam.k3=a \n" },
	{ "[a] k = v\n[b]k=w\n",
	  "a.k=v\nb.k=w\n" },
	{ "[a]\r\nk = v\r\nflag\r\n",
	  "a.k=v\na.flag\n" },
	{ "\xef\xbb\xbf[a]\nk=v\n",
	  "a.k=v\n" },
	{ "[a \"b\\\"c\\\\d\\e\"]\nk=v\n[a \"\"]\nk=w\n[a\t \"s\"]\nk=x\n",
	  "a.b\"c\\de.k=v\na..k=w\na.s.k=x\n" },
	{ "[a.b.c]\nk=v\n[-x]\nk=w\n",
	  "a.b.c.k=v\n-x.k=w\n" },
	{ "[a]\nk-1 = v\nK2=w\nk\t= x\nk =\ty\n",
	  "a.k-1=v\na.k2=w\na.k=x\na.k=y\n" },
	{ "[admin \"zo\xc3\xa9\"]\nname = Zo\xc3\xa9 \xe2\x82\xac\n",
	  "admin.zo\xc3\xa9.name=Zo\xc3\xa9 \xe2\x82\xac\n" },
	{ "[a]\nk=1\n[b]\nk=x\n[a]\nk=2\n",
	  "a.k=1\nb.k=x\na.k=2\n" },
	{ "", "" },
	{ "\n\n  \n# only comments\n", "" },
	{ "[a]\n[b]\n", "" },
};

/* files with a syntax error: the message, and whether git rejects them too */
static const struct {
	const char *text;
	const char *error;
	bool git_rejects;
} invalid[] = {
	{ "[team]\n\ttimezone = \"Europe/Paris\n",
	  "team.conf:2: unterminated quoted value", true },
	{ "[team]\n\ttimezone = \"Europe/Paris",
	  "team.conf:2: unterminated quoted value", true },
	{ "[a]\nk = \"x\ny\"\n",
	  "team.conf:2: unterminated quoted value", true },
	{ "# c\n\n[team\n",
	  "team.conf:3: bad section header: expected ']'", true },
	{ "[]\nk = v\n",
	  "team.conf:1: bad section header: missing name", true },
	{ "[a_b]\nk = v\n",
	  "team.conf:1: bad section header: expected ']'", true },
	{ "[a \"sub]\nk = v\n",
	  "team.conf:1: bad section header: unterminated subsection name", true },
	{ "[a \"sub\\\n\"]\nk = v\n",
	  "team.conf:1: bad section header: unterminated subsection name", true },
	/* headers and bare keys that git rejects: blanks where git allows none, a comment after a bare key */
	{ "[ a]\nk = v\n",
	  "team.conf:1: bad section header: missing name", true },
	{ "[a ]\nk = v\n",
	  "team.conf:1: bad section header: expected a quoted subsection name after the blank", true },
	{ "[a \"s\" ]\nk = v\n",
	  "team.conf:1: bad section header: expected ']'", true },
	{ "[a \"s\"\t]\nk = v\n",
	  "team.conf:1: bad section header: expected ']'", true },
	{ "[a\"s\"]\nk = v\n",
	  "team.conf:1: bad section header: expected ']'", true },
	{ "[a\r\nk = v\n",
	  "team.conf:1: bad section header: expected a quoted subsection name after the blank", true },
	{ "[a]\nflag # c\n",
	  "team.conf:2: bad key: expected '=' after the key name", true },
	{ "[a]\nflag; c\n",
	  "team.conf:2: bad key: expected '=' after the key name", true },
	{ "[a]\nk = \"a\\qb\"\n",
	  "team.conf:2: bad escape sequence in value", true },
	{ "[a]\nk = a\\ b\n",
	  "team.conf:2: bad escape sequence in value", true },
	{ "[a]\nk = \"a\\r\"\n",
	  "team.conf:2: bad escape sequence in value", true },
	{ "[a]\nk = a\\",
	  "team.conf:2: backslash at end of file", false },
	{ "[a]\nk_x = v\n",
	  "team.conf:2: bad key: expected '=' after the key name", true },
	{ "[a]\nk v\n",
	  "team.conf:2: bad key: expected '=' after the key name", true },
	{ "[a]\nk.x = v\n",
	  "team.conf:2: bad key: expected '=' after the key name", true },
	{ "[a]\n1k = v\n",
	  "team.conf:2: bad key: a key starts with a letter", true },
	{ "[a]\n= v\n",
	  "team.conf:2: bad key: a key starts with a letter", true },
	{ "[a]\n\xc3\xa9 = v\n",
	  "team.conf:2: bad key: a key starts with a letter", true },
	{ "[a] ]\n",
	  "team.conf:1: bad key: a key starts with a letter", true },
	{ "k = v\n",
	  "team.conf:1: key outside of a [section]", false },
	/* the line of an error after a continued value counts the continuation */
	{ "[a]\nk = one \\\ntwo\nk2 = \"x\n",
	  "team.conf:4: unterminated quoted value", true },
	{ "[a]\nk = \"one \\\ntwo \\\nthree\n",
	  "team.conf:4: unterminated quoted value", true },
};

static void valid_files_give_the_entries_git_lists(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof valid / sizeof *valid; i++) {
		struct conf *c = parse(valid[i].text);
		struct buf got = BUF_INIT;

		if (!c)
			fail_msg("case %zu: %s", i, errget());
		list(c, &got);
		if (strcmp(buf_str(&got), valid[i].entries))
			fail_msg("case %zu: got\n%s\nexpected\n%s", i, buf_str(&got), valid[i].entries);
		buf_release(&got);
		conf_free(c);
	}
}

static void syntax_errors_give_path_line_and_why(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++) {
		struct conf *c = parse(invalid[i].text);

		if (c)
			fail_msg("case %zu: parsed, expected '%s'", i, invalid[i].error);
		if (strcmp(errget(), invalid[i].error))
			fail_msg("case %zu: got '%s', expected '%s'", i, errget(), invalid[i].error);
	}
}

/* git on this machine: the tests that compare with it are skipped without */
static bool have_git(void)
{
	const char *argv[] = { "git", "--version", NULL };
	struct buf out = BUF_INIT;
	int rc = run_capture(argv, NULL, &out);

	buf_release(&out);
	return rc == 0;
}

/* "git config -f file --list": its output, or NULL when git rejects the file */
static char *git_list(const char *dir, const char *text)
{
	char *path = fs_join(dir, "team.conf");
	const char *argv[] = { "git", "config", "-f", path, "--list", NULL };
	struct child c = { .argv = argv, .in = RUN_NULL, .out = RUN_PIPE, .err = RUN_NULL, .to_child = -1, .from_child = -1 };
	struct buf out = BUF_INIT;
	int rc;

	unlink(path);
	assert_int_equal(fs_write_atomic(path, text, strlen(text), 0644), 0);
	assert_int_equal(run_start(&c), 0);
	assert_int_equal(fs_read_fd(c.from_child, &out, 0), 0);
	rc = run_finish(&c);
	free(path);
	if (rc != 0) {
		buf_release(&out);
		return NULL;
	}
	return buf_detach(&out, NULL);
}

static void git_reads_the_valid_files_the_same_way(void **state)
{
	char *dir;

	(void)state;
	if (!have_git())
		skip();
	dir = unit_tmpdir();
	for (size_t i = 0; i < sizeof valid / sizeof *valid; i++) {
		char *got = git_list(dir, valid[i].text);

		if (!got)
			fail_msg("case %zu: git config rejects it", i);
		if (strcmp(got, valid[i].entries))
			fail_msg("case %zu: git config lists\n%s\nexpected\n%s", i, got, valid[i].entries);
		free(got);
	}
	unit_rmtree(dir);
	free(dir);
}

static void git_rejects_the_syntax_errors_too(void **state)
{
	char *dir;

	(void)state;
	if (!have_git())
		skip();
	dir = unit_tmpdir();
	for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++) {
		char *got;

		if (!invalid[i].git_rejects)
			continue;
		got = git_list(dir, invalid[i].text);
		if (got)
			fail_msg("case %zu: git config accepts it and lists\n%s", i, got);
	}
	unit_rmtree(dir);
	free(dir);
}

static void entries_keep_their_line_numbers(void **state)
{
	struct conf *c = parse("# team\n[team]\n\ttimezone = Europe/\\\nParis\n\n[admin \"a\"] email = x\nflag\n");

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->n, 3);
	assert_string_equal(c->entries[0].key, "timezone");
	assert_string_equal(c->entries[0].value, "Europe/Paris");
	assert_int_equal(c->entries[0].line, 3);
	assert_int_equal(c->entries[1].line, 6);
	assert_string_equal(c->entries[1].subsection, "a");
	assert_int_equal(c->entries[2].line, 7);
	assert_null(c->entries[2].value);
	assert_string_equal(c->path, "team.conf");
	conf_free(c);
}

static void the_last_entry_wins(void **state)
{
	struct conf *c = parse("[a]\nk = 1\n[b]\nk = x\n[A]\nK = 2\n[a \"s\"]\nk = 3\n");
	const struct conf_entry *e;

	(void)state;
	assert_non_null(c);
	e = conf_lookup(c, "a", NULL, "k");
	assert_non_null(e);
	assert_int_equal(e->line, 6);
	assert_string_equal(e->value, "2");
	assert_string_equal(conf_get(c, "a", NULL, "k"), "2");
	assert_string_equal(conf_get(c, "b", NULL, "k"), "x");
	conf_free(c);
}

static void a_bare_key_reads_as_true(void **state)
{
	struct conf *c = parse("[a]\nflag\nk = v\nflag = false\nother\n");

	(void)state;
	assert_non_null(c);
	assert_string_equal(conf_get(c, "a", NULL, "other"), "true");
	assert_null(conf_lookup(c, "a", NULL, "other")->value);
	/* a later value for the same key wins over the bare key */
	assert_string_equal(conf_get(c, "a", NULL, "flag"), "false");
	conf_free(c);
}

static void a_null_subsection_matches_only_entries_without_one(void **state)
{
	struct conf *c = parse("[admin]\nemail = none@x\n[admin \"alice\"]\nemail = alice@x\n[Admin \"Bob\"]\nemail = bob@x\n");
	struct conf *only_sub = parse("[admin \"alice\"]\nemail = alice@x\n");

	(void)state;
	assert_non_null(c);
	assert_string_equal(conf_get(c, "admin", NULL, "email"), "none@x");
	assert_string_equal(conf_get(c, "admin", "alice", "email"), "alice@x");
	/* section and key are compared without case, the subsection with case */
	assert_string_equal(conf_get(c, "ADMIN", "alice", "EMAIL"), "alice@x");
	assert_string_equal(conf_get(c, "admin", "Bob", "email"), "bob@x");
	assert_null(conf_get(c, "admin", "bob", "email"));
	assert_null(conf_get(c, "admin", "Alice", "email"));
	assert_null(conf_get(c, "admin", "carol", "email"));
	assert_null(conf_get(c, "admin", "alice", "key"));
	assert_null(conf_get(c, "team", NULL, "email"));
	assert_non_null(only_sub);
	assert_null(conf_get(only_sub, "admin", NULL, "email"));
	assert_null(conf_lookup(only_sub, "admin", NULL, "email"));
	conf_free(c);
	conf_free(only_sub);
}

static void an_empty_file_has_no_entries(void **state)
{
	struct conf *c = conf_parse("team.conf", "", 0);

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->n, 0);
	assert_null(conf_get(c, "team", NULL, "timezone"));
	conf_free(c);
}

static void a_nul_byte_is_an_error_with_its_line(void **state)
{
	static const char in_value[] = "[a]\nk = \"v\0w\"\n";
	static const char in_comment[] = "[a]\nk = v\n# \0\n";
	static const char at_end[] = "[a]\n\0";

	(void)state;
	assert_null(conf_parse("team.conf", in_value, sizeof in_value - 1));
	assert_string_equal(errget(), "team.conf:2: NUL byte in file");
	assert_null(conf_parse("team.conf", in_comment, sizeof in_comment - 1));
	assert_string_equal(errget(), "team.conf:3: NUL byte in file");
	assert_null(conf_parse("team.conf", at_end, sizeof at_end - 1));
	assert_string_equal(errget(), "team.conf:2: NUL byte in file");
}

static void invalid_utf8_is_an_error_with_its_line(void **state)
{
	static const struct {
		const char *text;
		const char *error;
	} cases[] = {
		{ "[a]\nk = caf\xe9\n", "team.conf:2: invalid UTF-8" },
		{ "[a]\n# \xff in a comment\n", "team.conf:2: invalid UTF-8" },
		{ "[a \"\xc0\xaf\"]\n", "team.conf:1: invalid UTF-8" },		/* overlong */
		{ "[a]\nk = \xed\xa0\x80\n", "team.conf:2: invalid UTF-8" },	/* surrogate */
		{ "[a]\nk = v\n\nk2 = \xe2\x82", "team.conf:4: invalid UTF-8" },	/* cut at the end */
		/* a sequence cut by a newline is cut, whatever follows */
		{ "[a]\nk = \xe2\n\x82\xac\n", "team.conf:2: invalid UTF-8" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		if (parse(cases[i].text))
			fail_msg("case %zu: parsed", i);
		if (strcmp(errget(), cases[i].error))
			fail_msg("case %zu: got '%s', expected '%s'", i, errget(), cases[i].error);
	}
}

static void the_input_is_never_read_past_its_length(void **state)
{
	/* no NUL after the data: a parser that looked for one would read on */
	static const char text[] = { '[', 'a', ']', '\n', 'k', ' ', '=', ' ', '"', 'v', '"' };
	char *copy = malloc(sizeof text);
	struct conf *c;

	(void)state;
	memcpy(copy, text, sizeof text);
	c = conf_parse("team.conf", copy, sizeof text);
	assert_non_null(c);
	assert_string_equal(conf_get(c, "a", NULL, "k"), "v");
	conf_free(c);
	/* the same text cut before its closing quote */
	assert_null(conf_parse("team.conf", copy, sizeof text - 1));
	assert_string_equal(errget(), "team.conf:2: unterminated quoted value");
	free(copy);
}

static void load_reads_a_file_and_names_it_in_errors(void **state)
{
	char *dir = unit_tmpdir();
	char *good = fs_join(dir, "team.conf");
	char *bad = fs_join(dir, "bad.conf");
	char *missing = fs_join(dir, "missing.conf");
	char expected[600];
	struct conf *c;

	(void)state;
	assert_int_equal(fs_write_atomic(good, "[team]\n\ttimezone = UTC\n", 23, 0644), 0);
	assert_int_equal(fs_write_atomic(bad, "[team]\n\ttimezone = \"UTC\n", 24, 0644), 0);
	c = conf_load(good);
	assert_non_null(c);
	assert_string_equal(c->path, good);
	assert_string_equal(conf_get(c, "team", NULL, "timezone"), "UTC");
	conf_free(c);
	assert_null(conf_load(bad));
	snprintf(expected, sizeof expected, "%s:2: unterminated quoted value", bad);
	assert_string_equal(errget(), expected);
	assert_null(conf_load(missing));
	snprintf(expected, sizeof expected, "%s: No such file or directory", missing);
	assert_string_equal(errget(), expected);
	free(good);
	free(bad);
	free(missing);
	unit_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_files_give_the_entries_git_lists),
		cmocka_unit_test(syntax_errors_give_path_line_and_why),
		cmocka_unit_test(git_reads_the_valid_files_the_same_way),
		cmocka_unit_test(git_rejects_the_syntax_errors_too),
		cmocka_unit_test(entries_keep_their_line_numbers),
		cmocka_unit_test(the_last_entry_wins),
		cmocka_unit_test(a_bare_key_reads_as_true),
		cmocka_unit_test(a_null_subsection_matches_only_entries_without_one),
		cmocka_unit_test(an_empty_file_has_no_entries),
		cmocka_unit_test(a_nul_byte_is_an_error_with_its_line),
		cmocka_unit_test(invalid_utf8_is_an_error_with_its_line),
		cmocka_unit_test(the_input_is_never_read_past_its_length),
		cmocka_unit_test(load_reads_a_file_and_names_it_in_errors),
	};
	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
