/*
 * watch: the watch list in team.conf, its patterns, the sensitive rule,
 * and edits through the real "git config -f".
 */
#include "unit.h"

#include <sys/stat.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/run.h"
#include "files/watch.h"
#include "journal/journal.h"

static struct conf *parse(const char *text)
{
	struct conf *c = conf_parse("team.conf", text, strlen(text));

	assert_non_null(c);
	return c;
}

static void load(const char *text, const char *host, struct watch_list *w)
{
	struct conf *c = parse(text);

	assert_int_equal(watch_load(c, host, w), 0);
	conf_free(c);
}

static void only_this_hosts_paths_excludes_and_sensitive_patterns_are_loaded(void **state)
{
	struct watch_list w;

	(void)state;
	load("[team]\n\ttimezone = UTC\n"
	     "[watch \"web1\"]\n"
	     "\tpath = /etc\n"
	     "\tpath = !/etc/ld.so.cache      # a cache\n"
	     "\tpath = !*.swp\n"
	     "\tsensitive = /etc/ssl/private/*\n"
	     "\tcolour = blue\n"
	     "[watch \"db1\"]\n"
	     "\tpath = /srv\n"
	     "[watch \"web1\"]\n"
	     "\tpath = /opt/app/\n"
	     "\tpath = /etc\n",
	     "web1", &w);
	assert_int_equal(w.npaths, 2);
	assert_string_equal(w.paths[0], "/etc");
	assert_string_equal(w.paths[1], "/opt/app");
	assert_int_equal(w.nexcludes, 2);
	assert_string_equal(w.excludes[0], "/etc/ld.so.cache");
	assert_string_equal(w.excludes[1], "*.swp");
	assert_int_equal(w.nsensitive, 1);
	assert_string_equal(w.sensitive[0], "/etc/ssl/private/*");
	watch_free(&w);

	load("[watch \"db1\"]\n\tpath = /srv\n", "web1", &w);
	assert_int_equal(w.npaths + w.nexcludes + w.nsensitive, 0);
	watch_free(&w);
	/* host names are case-sensitive, as git's subsections */
	load("[watch \"WEB1\"]\n\tpath = /srv\n", "web1", &w);
	assert_int_equal(w.npaths, 0);
	watch_free(&w);
}

static void a_bad_entry_is_refused_with_its_file_and_line(void **state)
{
	static const struct {
		const char *text;
		const char *where;
		const char *why;
	} cases[] = {
		{ "[watch \"web1\"]\n\tpath = /etc\n\tpath = etc\n", "team.conf:3:", "absolute" },
		{ "[watch \"web1\"]\n\tpath\n", "team.conf:2:", "needs a value" },
		{ "[watch \"web1\"]\n\tpath = \"\"\n", "team.conf:2:", "needs a value" },
		{ "[watch \"web1\"]\n\n\tpath = !\n", "team.conf:3:", "without a pattern" },
		{ "[watch \"web1\"]\n\tsensitive\n", "team.conf:2:", "needs a value" },
		{ "[watch \"web1\"]\n\tpath = \"/etc/a\\nb\"\n", "team.conf:2:", "newline" },
		{ "[watch \"web1\"]\n\tpath = ./etc\n", "team.conf:2:", "absolute" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct conf *c = parse(cases[i].text);
		struct watch_list w;

		assert_int_equal(watch_load(c, "web1", &w), -1);
		if (strncmp(errget(), cases[i].where, strlen(cases[i].where)) || !strstr(errget(), cases[i].why))
			fail_msg("case %zu: '%s'", i, errget());
		assert_int_equal(w.npaths + w.nexcludes + w.nsensitive, 0);
		conf_free(c);
		/* another host's bad entries are not this host's problem */
		c = parse(cases[i].text);
		assert_int_equal(watch_load(c, "db1", &w), 0);
		watch_free(&w);
		conf_free(c);
	}
}

static void paths_are_normalised_without_resolving_symlinks(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "/etc", "/etc" },
		{ "/etc/", "/etc" },
		{ "//etc///nginx//", "/etc/nginx" },
		{ "/etc/./nginx/.", "/etc/nginx" },
		{ "/etc/nginx/../ssh", "/etc/ssh" },
		{ "/..", "/" },
		{ "/../../etc", "/etc" },
		{ "/", "/" },
		{ "///", "/" },
		{ "/etc/..", "/" },
		{ "/a/b/../../c/./d/", "/c/d" },
		{ "/etc/...", "/etc/..." },
		{ "/etc/.hidden", "/etc/.hidden" },
		{ "/caf\xc3\xa9 \xff", "/caf\xc3\xa9 \xff" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *n = watch_normalize(cases[i].in);
		assert_non_null(n);
		assert_string_equal(n, cases[i].out);
		free(n);
	}
	assert_null(watch_normalize(""));
	assert_null(watch_normalize("etc"));
	assert_null(watch_normalize("./etc"));
	assert_null(watch_normalize("~/etc"));
	assert_null(watch_normalize("/etc/a\nb"));
	assert_non_null(strstr(errget(), "newline"));
}

static void a_command_line_path_is_taken_from_the_directory_then_normalised(void **state)
{
	static const struct { const char *in, *dir, *out; } cases[] = {
		{ "nginx.conf", "/etc/nginx", "/etc/nginx/nginx.conf" },
		{ ".", "/etc/nginx", "/etc/nginx" },
		{ "./", "/etc", "/etc" },
		{ "../hosts", "/etc/nginx", "/etc/hosts" },
		{ "sites/../nginx.conf", "/etc/nginx", "/etc/nginx/nginx.conf" },
		{ "etc", "/", "/etc" },
		{ "../..", "/etc", "/" },
		{ "/etc//hosts", "/srv", "/etc/hosts" },
		{ "a\nb", "/etc", "/etc/a\nb" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *n = watch_absolute(cases[i].in, cases[i].dir);
		assert_string_equal(n, cases[i].out);
		free(n);
	}
}

static void patterns_match_the_base_name_or_with_a_slash_the_full_path(void **state)
{
	(void)state;
	assert_true(watch_match("*.swp", "/etc/.nginx.conf.swp"));
	assert_true(watch_match("*.swp", "/etc/a/b/c.swp"));
	assert_false(watch_match("*.swp", "/etc/a.swp/b"));
	assert_true(watch_match("*~", "/etc/passwd~"));
	assert_true(watch_match("ld.so.cache", "/etc/ld.so.cache"));
	assert_true(watch_match("/etc/ld.so.cache", "/etc/ld.so.cache"));
	assert_false(watch_match("/etc/ld.so.cache", "/srv/etc/ld.so.cache"));
	/* FNM_PATHNAME: '*' stops at '/' */
	assert_true(watch_match("/etc/*.conf", "/etc/a.conf"));
	assert_false(watch_match("/etc/*.conf", "/etc/nginx/a.conf"));
	assert_true(watch_match("/etc/*/*.conf", "/etc/nginx/a.conf"));
	assert_true(watch_match("/etc/ssl/private/*", "/etc/ssl/private/key.pem"));
	assert_false(watch_match("/etc/ssl/private/*", "/etc/ssl/private"));
	assert_true(watch_match("[abc].conf", "/etc/b.conf"));
	assert_false(watch_match("*.conf", "/etc/conf"));
	/* the shapes matched without fnmatch agree with it */
	assert_true(watch_match("*", "/etc/anything"));
	assert_true(watch_match("*.swp", "/etc/.swp"));
	assert_true(watch_match("*~", "/etc/~"));
	assert_false(watch_match("*.swp", "/etc/swp"));
	assert_true(watch_match("\\*.conf", "/etc/*.conf"));
	assert_false(watch_match("\\*.conf", "/etc/a.conf"));
	assert_true(watch_match("nginx*", "/etc/nginx.conf"));
	assert_false(watch_match("nginx*", "/etc/apache.conf"));
	assert_true(watch_match("a*b*c", "/x/aXbYc"));
	assert_false(watch_match("a*b*c", "/x/aXbY"));
	assert_true(watch_match("/etc/*", "/etc/passwd"));
	assert_false(watch_match("/etc/*", "/etc/a/b"));
	assert_false(watch_match("/etc/*", "/srv/etc/a"));
	assert_true(watch_match("/e?c/passwd", "/etc/passwd"));
	assert_false(watch_match("/etc", "/etc/passwd"));
	assert_true(watch_match("/", "/"));
}

static void an_excluded_directory_excludes_everything_under_it_but_a_path_listed_itself(void **state)
{
	struct watch_list w;

	(void)state;
	load("[watch \"h\"]\n"
	     "\tpath = /etc\n"
	     "\tpath = !/etc/ssl\n"
	     "\tpath = !*.swp\n"
	     "\tpath = !cache\n"
	     "\tpath = /etc/ssl/certs\n"
	     "\tpath = /srv/x.swp\n",
	     "h", &w);
	assert_false(watch_excluded(&w, "/etc/passwd"));
	assert_true(watch_watched(&w, "/etc/passwd"));
	assert_true(watch_excluded(&w, "/etc/ssl"));
	assert_true(watch_excluded(&w, "/etc/ssl/private/key.pem"));
	assert_false(watch_watched(&w, "/etc/ssl/private/key.pem"));
	/* listed itself: watched inside the excluded /etc/ssl */
	assert_false(watch_excluded(&w, "/etc/ssl/certs/ca.pem"));
	assert_true(watch_watched(&w, "/etc/ssl/certs/ca.pem"));
	assert_true(watch_excluded(&w, "/etc/nginx/.site.swp"));
	/* a base-name pattern on a directory excludes what is in it */
	assert_true(watch_excluded(&w, "/etc/app/cache/file"));
	assert_false(watch_excluded(&w, "/etc/app/cached"));
	/* the same path listed and excluded: the exclusion wins */
	assert_true(watch_excluded(&w, "/srv/x.swp"));
	assert_false(watch_watched(&w, "/srv/x.swp"));
	/* outside every watched path: not watched */
	assert_false(watch_watched(&w, "/var/log/syslog"));
	assert_false(watch_watched(&w, "/etcetera"));
	assert_true(watch_watched(&w, "/etc"));
	watch_free(&w);

	load("[watch \"h\"]\n\tpath = /\n\tpath = !/proc\n", "h", &w);
	assert_true(watch_watched(&w, "/etc/passwd"));
	assert_false(watch_watched(&w, "/proc/1/status"));
	watch_free(&w);
}

static void sensitive_by_mode_when_group_or_others_cannot_read(void **state)
{
	struct watch_list w = { 0 };
	struct stat st;

	(void)state;
	memset(&st, 0, sizeof st);
	st.st_mode = S_IFREG | 0644;
	assert_false(watch_sensitive(&w, "/etc/passwd", &st));
	st.st_mode = S_IFREG | 0444;
	assert_false(watch_sensitive(&w, "/etc/passwd", &st));
	st.st_mode = S_IFREG | 0640;	/* /etc/shadow on Debian: root:shadow */
	assert_true(watch_sensitive(&w, "/etc/shadow", &st));
	st.st_mode = S_IFREG | 0600;
	assert_true(watch_sensitive(&w, "/etc/ssh/ssh_host_ed25519_key", &st));
	st.st_mode = S_IFREG | 0604;
	assert_true(watch_sensitive(&w, "/etc/odd", &st));
	st.st_mode = S_IFREG | 0440;	/* sudoers */
	assert_true(watch_sensitive(&w, "/etc/sudoers", &st));
	st.st_mode = S_IFREG | 0000;
	assert_true(watch_sensitive(&w, "/etc/gshadow", &st));
	/* a symlink's mode says nothing */
	st.st_mode = S_IFLNK | 0777;
	assert_false(watch_sensitive(&w, "/etc/localtime", &st));
}

static void sensitive_by_pattern_on_the_file_or_a_directory_above_it(void **state)
{
	struct watch_list w;
	struct stat st;

	(void)state;
	load("[watch \"h\"]\n\tpath = /etc\n"
	     "\tsensitive = /etc/ssl/private/*\n"
	     "\tsensitive = *.key\n"
	     "\tsensitive = secrets\n",
	     "h", &w);
	memset(&st, 0, sizeof st);
	st.st_mode = S_IFREG | 0644;
	assert_true(watch_sensitive(&w, "/etc/ssl/private/web.pem", &st));
	assert_true(watch_sensitive(&w, "/etc/ssl/private/old/web.pem", &st));
	assert_true(watch_sensitive(&w, "/etc/nginx/site.key", &st));
	assert_true(watch_sensitive(&w, "/etc/app/secrets/db.conf", &st));
	assert_false(watch_sensitive(&w, "/etc/ssl/certs/web.pem", &st));
	assert_false(watch_sensitive(&w, "/etc/nginx/site.keys", &st));
	assert_true(watch_sensitive_name(&w, "/etc/app/secrets"));
	assert_false(watch_sensitive_name(&w, "/etc/app"));
	st.st_mode = S_IFLNK | 0777;
	assert_true(watch_sensitive(&w, "/etc/ssl/private/link", &st));
	watch_free(&w);
}

/* ---- edits through git config ---- */

static char *jdir;

static int make_journal(void **state)
{
	(void)state;
	jdir = unit_journal_with("# team.conf: kept as written\n"
				 "[team]\n"
				 "\t# the zone of the day pages\n"
				 "\ttimezone = UTC\n"
				 "\n"
				 "# what web1 watches\n"
				 "#[watch \"web1\"]\n"
				 "#\tpath = /etc\n");
	return 0;
}

static int remove_journal(void **state)
{
	(void)state;
	unit_rmtree(jdir);
	free(jdir);
	jdir = NULL;
	return 0;
}

static bool have_git(void)
{
	const char *argv[] = { "git", "--version", NULL };
	struct buf out = BUF_INIT;
	bool ok = run_capture(argv, NULL, &out) == 0;

	buf_release(&out);
	return ok;
}

static char *git_list(void)
{
	char path[4096];
	const char *argv[] = { "git", "config", "-f", path, "--list", NULL };
	struct buf out = BUF_INIT;

	snprintf(path, sizeof path, "%s/team.conf", jdir);
	assert_int_equal(run_capture(argv, NULL, &out), 0);
	return buf_detach(&out, NULL);
}

static void edits_go_through_git_config_and_keep_the_comments(void **state)
{
	struct journal *j;
	struct watch_list w;
	char path[4096], *text, *list;

	(void)state;
	if (!have_git())
		skip();
	j = journal_open(jdir);
	assert_non_null(j);
	assert_int_equal(watch_edit(j, "web1", true, "/etc"), 0);
	assert_int_equal(watch_edit(j, "web1", true, "!*.swp"), 0);
	assert_int_equal(watch_edit(j, "web1", true, "/srv/my app#1 ; x"), 0);
	assert_int_equal(watch_edit(j, "db1.example.org", true, "/var/lib/mysql"), 0);
	/* j->conf is the new file: the list is there at once, the zone still set */
	assert_int_equal(watch_load(j->conf, "web1", &w), 0);
	assert_int_equal(w.npaths, 2);
	assert_string_equal(w.paths[0], "/etc");
	assert_string_equal(w.paths[1], "/srv/my app#1 ; x");
	assert_int_equal(w.nexcludes, 1);
	watch_free(&w);
	assert_string_equal(j->tz, "UTC");

	snprintf(path, sizeof path, "%s/team.conf", jdir);
	text = unit_read(path, NULL);
	assert_non_null(strstr(text, "# team.conf: kept as written\n"));
	assert_non_null(strstr(text, "\t# the zone of the day pages\n"));
	assert_non_null(strstr(text, "#[watch \"web1\"]\n#\tpath = /etc\n"));
	free(text);
	list = git_list();
	assert_string_equal(list, "team.timezone=UTC\n"
				  "watch.web1.path=/etc\n"
				  "watch.web1.path=!*.swp\n"
				  "watch.web1.path=/srv/my app#1 ; x\n"
				  "watch.db1.example.org.path=/var/lib/mysql\n");
	free(list);

	/* removal matches the value exactly, not as a regular expression */
	assert_int_equal(watch_edit(j, "web1", true, "/srv/my.app"), 0);
	assert_int_equal(watch_edit(j, "web1", false, "/srv/my app#1 ; x"), 0);
	assert_int_equal(watch_edit(j, "web1", false, "!*.swp"), 0);
	list = git_list();
	/* git adds to the host's section, where the others are */
	assert_string_equal(list, "team.timezone=UTC\n"
				  "watch.web1.path=/etc\n"
				  "watch.web1.path=/srv/my.app\n"
				  "watch.db1.example.org.path=/var/lib/mysql\n");
	free(list);
	assert_int_equal(watch_load(j->conf, "web1", &w), 0);
	assert_int_equal(w.npaths, 2);
	assert_int_equal(w.nexcludes, 0);
	watch_free(&w);
	journal_close(j);
}

static void removing_an_entry_that_is_not_there_fails_and_names_it(void **state)
{
	struct journal *j;
	char path[4096], *before, *after;

	(void)state;
	if (!have_git())
		skip();
	j = journal_open(jdir);
	assert_non_null(j);
	assert_int_equal(watch_edit(j, "web1", true, "/etc"), 0);
	snprintf(path, sizeof path, "%s/team.conf", jdir);
	before = unit_read(path, NULL);
	assert_int_equal(watch_edit(j, "web1", false, "/etc/nginx"), -1);
	assert_non_null(strstr(errget(), "/etc/nginx"));
	assert_non_null(strstr(errget(), "web1"));
	/* another host's entry is not this host's */
	assert_int_equal(watch_edit(j, "db1", false, "/etc"), -1);
	after = unit_read(path, NULL);
	assert_string_equal(before, after);
	free(before);
	free(after);
	journal_close(j);
}

static void a_value_with_a_newline_is_refused_and_nothing_written(void **state)
{
	struct journal *j;
	char path[4096], *before, *after;

	(void)state;
	j = journal_open(jdir);
	assert_non_null(j);
	snprintf(path, sizeof path, "%s/team.conf", jdir);
	before = unit_read(path, NULL);
	assert_int_equal(watch_edit(j, "web1", true, "/etc/a\nb"), -1);
	assert_non_null(strstr(errget(), "newline"));
	assert_int_equal(watch_edit(j, "web1", true, ""), -1);
	after = unit_read(path, NULL);
	assert_string_equal(before, after);
	free(before);
	free(after);
	journal_close(j);
}

#define JOURNAL_TEST(f) cmocka_unit_test_setup_teardown(f, make_journal, remove_journal)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_this_hosts_paths_excludes_and_sensitive_patterns_are_loaded),
		cmocka_unit_test(a_bad_entry_is_refused_with_its_file_and_line),
		cmocka_unit_test(paths_are_normalised_without_resolving_symlinks),
		cmocka_unit_test(a_command_line_path_is_taken_from_the_directory_then_normalised),
		cmocka_unit_test(patterns_match_the_base_name_or_with_a_slash_the_full_path),
		cmocka_unit_test(an_excluded_directory_excludes_everything_under_it_but_a_path_listed_itself),
		cmocka_unit_test(sensitive_by_mode_when_group_or_others_cannot_read),
		cmocka_unit_test(sensitive_by_pattern_on_the_file_or_a_directory_above_it),
		JOURNAL_TEST(edits_go_through_git_config_and_keep_the_comments),
		JOURNAL_TEST(removing_an_entry_that_is_not_there_fails_and_names_it),
		JOURNAL_TEST(a_value_with_a_newline_is_refused_and_nothing_written),
	};
	return cmocka_run_group_tests_name("watch", tests, NULL, NULL);
}
