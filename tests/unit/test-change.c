/*
 * change: the text and the record of a watched file's change.  Every
 * test takes a real baseline of a tree under /tmp, changes the tree and
 * scans it, so the changes are the ones baseline.c reports, then checks
 * what change_text and change_record make of them.
 */
#include "unit.h"

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "capture/redact.h"
#include "files/baseline.h"
#include "files/change.h"
#include "files/watch.h"
#include "journal/journal.h"
#include "journal/record.h"

static char *top, *jdir, *tree;
static struct journal *j;
static struct watch_list w;
static struct redactor *red;
static struct changes found;
static struct change_text text;

static int setup(void **state)
{
	char *p, *conf;

	(void)state;
	setenv("TZ", "UTC", 1);
	setenv("LC_ALL", "C", 1);
	top = unit_tmpdir();
	assert_int_equal(chmod(top, 0755), 0);
	jdir = xasprintf("%s/journal", top);
	tree = xasprintf("%s/tree", top);
	assert_int_equal(mkdir(jdir, 0750), 0);
	p = xasprintf("%s/.state", jdir);
	assert_int_equal(mkdir(p, 0750), 0);
	free(p);
	assert_int_equal(mkdir(tree, 0755), 0);
	p = xasprintf("[team]\n\ttimezone = UTC\n[watch \"h\"]\n\tpath = %s\n\tsensitive = *.key\n", tree);
	conf = xasprintf("%s/team.conf", jdir);
	unit_write(conf, p, strlen(p), 0);
	free(conf);
	free(p);
	j = journal_open(jdir);
	assert_non_null(j);
	memset(&w, 0, sizeof w);
	assert_int_equal(watch_load(j->conf, "h", &w), 0);
	red = redact_new(j->conf);
	assert_non_null(red);
	memset(&found, 0, sizeof found);
	memset(&text, 0, sizeof text);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	change_text_release(&text);
	changes_free(&found);
	redact_free(red);
	watch_free(&w);
	journal_close(j);
	unit_rmtree(top);
	free(top);
	free(jdir);
	free(tree);
	return 0;
}

static void put(const char *rel, const char *data, size_t len)
{
	char *p = xasprintf("%s/%s", tree, rel);

	unit_write(p, data, len, 0);
	assert_int_equal(chmod(p, 0644), 0);
	free(p);
}

static void puts_(const char *rel, const char *s)
{
	put(rel, s, strlen(s));
}

static void take(void)
{
	if (baseline_take(j, &w, tree) < 0)
		fail_msg("baseline_take: %s", errget());
}

/* scan, expect exactly one change (of rel), and describe it into text */
static const struct change *the_change(const char *rel)
{
	char *p = xasprintf("%s/%s", tree, rel);

	changes_free(&found);
	if (baseline_scan(j, &w, &found) < 0)
		fail_msg("baseline_scan: %s", errget());
	assert_int_equal(found.n, 1);
	assert_string_equal(found.v[0].path, p);
	free(p);
	change_text_release(&text);
	assert_int_equal(change_text(j, red, &found.v[0], &text), 0);
	return &found.v[0];
}

static struct record *record_of(const struct change *c)
{
	return change_record(c, &text, 1764000000000000LL, "web1", "alice", "root", "s1", "scan");
}

static void a_modified_file_gives_a_unified_diff(void **state)
{
	const struct change *c;
	struct record *r;
	json_t *what;
	char *want;
	(void)state;

	puts_("nginx.conf", "user www-data;\nlisten 80;\nworkers 4;\n");
	take();
	puts_("nginx.conf", "user www-data;\nlisten 8080;\nworkers 4;\n");
	c = the_change("nginx.conf");

	assert_string_equal(buf_str(&text.summary), "content");
	assert_int_equal(text.note.len, 0);
	assert_false(text.cut);
	want = xasprintf("--- a%s/nginx.conf\n+++ b%s/nginx.conf\n", tree, tree);
	assert_true(!strncmp(buf_str(&text.diff), want, strlen(want)));
	free(want);
	assert_non_null(strstr(buf_str(&text.diff), "\n-listen 80;\n+listen 8080;\n"));

	r = record_of(c);
	assert_string_equal(r->kind, "change");
	assert_string_equal(rec_get_str(r, "path", NULL), c->path);
	assert_string_equal(rec_get_str(r, "diff", NULL), buf_str(&text.diff));
	assert_string_equal(rec_get_str(r, "by", NULL), "scan");
	what = rec_get_json(r, "what");
	assert_int_equal(json_array_size(what), 1);
	assert_string_equal(json_string_value(json_array_get(what, 0)), "content");
	assert_string_equal(json_string_value(json_object_get(rec_get_json(r, "old"), "sha256")), c->old.hash);
	assert_string_equal(json_string_value(json_object_get(rec_get_json(r, "new"), "sha256")), c->new.hash);
	assert_null(rec_get_json(r, "note"));
	rec_free(r);
}

static void an_added_file_is_all_new_lines_and_has_no_old_state(void **state)
{
	const struct change *c;
	struct record *r;
	(void)state;

	take();
	puts_("motd", "welcome\nto web1\n");
	c = the_change("motd");
	assert_string_equal(buf_str(&text.summary), "added file");
	assert_non_null(strstr(buf_str(&text.diff), "+welcome\n+to web1\n"));
	assert_null(strstr(buf_str(&text.diff), "\n-"));
	r = record_of(c);
	assert_null(rec_get_json(r, "old"));
	assert_non_null(rec_get_json(r, "new"));
	rec_free(r);
}

static void a_removed_file_is_all_old_lines_and_has_no_new_state(void **state)
{
	const struct change *c;
	struct record *r;
	char *p = xasprintf("%s/motd", tree);
	(void)state;

	puts_("motd", "welcome\n");
	take();
	assert_int_equal(unlink(p), 0);
	free(p);
	c = the_change("motd");
	assert_string_equal(buf_str(&text.summary), "deleted file");
	assert_non_null(strstr(buf_str(&text.diff), "-welcome\n"));
	r = record_of(c);
	assert_non_null(rec_get_json(r, "old"));
	assert_null(rec_get_json(r, "new"));
	rec_free(r);
}

static void secrets_in_a_diff_are_redacted_on_both_sides(void **state)
{
	const struct change *c;
	struct record *r;
	struct buf line = BUF_INIT;
	int64_t n = 0;
	(void)state;

	puts_("app.conf", "user = app\npassword = hunter2\n");
	take();
	puts_("app.conf", "user = web\npassword = correct-horse\n");
	c = the_change("app.conf");
	assert_null(strstr(buf_str(&text.diff), "hunter2"));
	assert_null(strstr(buf_str(&text.diff), "correct-horse"));
	/* both lines changed: the password line too, its values hidden */
	buf_addf(&line, "-user = app\n-password = %s\n+user = web\n+password = %s\n", REDACT_MARKER, REDACT_MARKER);
	assert_non_null(strstr(buf_str(&text.diff), buf_str(&line)));
	assert_int_equal(text.redacted, 2);
	r = record_of(c);
	assert_true(rec_get_int(r, "redacted", &n));
	assert_int_equal(n, 2);
	rec_free(r);
	buf_release(&line);
}

static void a_change_only_in_a_secret_shows_its_line_without_its_values(void **state)
{
	char *cmd;
	(void)state;

	puts_("app.conf", "user = app\npassword = hunter2\n");
	take();
	puts_("app.conf", "user = app\npassword = correct-horse\n");
	the_change("app.conf");
	assert_non_null(strstr(buf_str(&text.diff), "@@ -1,2 +1,2 @@\n user = app\n-password = [REDACTED]\n+password = [REDACTED]\n"));
	assert_null(strstr(buf_str(&text.diff), "\x1f"));
	assert_int_equal(text.note.len, 0);
	/* the object holds the tag of the line, not the value */
	cmd = xasprintf("! grep -r -q hunter2 %s/.state/baseline/objects", jdir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void without_the_tag_key_a_change_only_in_a_secret_is_a_note(void **state)
{
	char *key;
	(void)state;

	puts_("app.conf", "password = hunter2\n");
	take();
	key = xasprintf("%s/.state/baseline/tag-key", jdir);
	assert_int_equal(unlink(key), 0);
	free(key);
	puts_("app.conf", "password = correct-horse\n");
	the_change("app.conf");
	assert_int_equal(text.diff.len, 0);
	assert_string_equal(buf_str(&text.note), "only redacted values changed");
}

/* a key others can read would let them test guessed passwords against
 * the tags: it is not used */
static void a_tag_key_others_can_read_is_not_used(void **state)
{
	char *key;
	(void)state;

	puts_("app.conf", "password = hunter2\n");
	take();
	key = xasprintf("%s/.state/baseline/tag-key", jdir);
	assert_int_equal(chmod(key, 0640), 0);
	puts_("app.conf", "password = correct-horse\n");
	the_change("app.conf");
	assert_int_equal(text.diff.len, 0);
	assert_string_equal(buf_str(&text.note), "only redacted values changed");
	assert_int_equal(chmod(key, 0600), 0);
	the_change("app.conf");
	assert_non_null(strstr(buf_str(&text.diff), "-password = [REDACTED]\n+password = [REDACTED]\n"));
	free(key);
}

static void a_binary_file_gets_a_summary_not_a_diff(void **state)
{
	const struct change *c;
	struct record *r;
	(void)state;

	put("blob.bin", "\x7f" "ELF\0\0\1", 7);
	take();
	put("blob.bin", "\x7f" "ELF\0\0\2\3", 8);
	c = the_change("blob.bin");
	assert_int_equal(text.diff.len, 0);
	assert_string_equal(buf_str(&text.note), "binary file, 7 -> 8 bytes");
	r = record_of(c);
	assert_null(rec_get_json(r, "diff"));
	assert_string_equal(rec_get_str(r, "note", NULL), "binary file, 7 -> 8 bytes");
	rec_free(r);
}

static void a_file_over_the_size_limit_gets_a_summary_not_a_diff(void **state)
{
	size_t big = CHANGE_FILE_MAX + 1;
	char *data = malloc(big), *want;
	(void)state;

	assert_non_null(data);
	memset(data, 'a', big);
	data[big - 1] = '\n';
	puts_("huge.log", "small\n");
	take();
	put("huge.log", data, big);
	free(data);
	the_change("huge.log");
	assert_int_equal(text.diff.len, 0);
	want = xasprintf("large file, 6 -> %zu bytes", big);
	assert_string_equal(buf_str(&text.note), want);
	free(want);
}

static void a_sensitive_file_gives_its_hash_and_never_its_content(void **state)
{
	const struct change *c;
	struct record *r;
	struct buf line = BUF_INIT;
	(void)state;

	puts_("tls.key", "-----BEGIN KEY-----\nold secret\n");
	take();
	puts_("tls.key", "-----BEGIN KEY-----\nnew secret\n");
	c = the_change("tls.key");
	assert_int_equal(text.diff.len, 0);
	assert_true(!strncmp(buf_str(&text.note), "sensitive file: hash only", 25));
	r = record_of(c);
	assert_int_equal(rec_encode(r, &line), 0);
	assert_null(strstr(buf_str(&line), "secret\\n"));
	assert_null(strstr(buf_str(&line), "BEGIN"));
	assert_true(json_is_true(json_object_get(rec_get_json(r, "new"), "sensitive")));
	assert_string_equal(json_string_value(json_object_get(rec_get_json(r, "new"), "sha256")), c->new.hash);
	rec_free(r);
	buf_release(&line);
}

static void a_mode_change_alone_has_a_summary_and_no_diff(void **state)
{
	char *p = xasprintf("%s/run.sh", tree);
	(void)state;

	puts_("run.sh", "#!/bin/sh\n");
	take();
	assert_int_equal(chmod(p, 0755), 0);
	free(p);
	the_change("run.sh");
	assert_string_equal(buf_str(&text.summary), "mode 0644 -> 0755");
	assert_int_equal(text.diff.len, 0);
	assert_int_equal(text.note.len, 0);
}

static void a_diff_too_long_is_cut_at_a_line_end_and_says_so(void **state)
{
	struct buf old = BUF_INIT, new = BUF_INIT;
	const struct change *c;
	struct record *r;
	(void)state;

	for (int i = 0; i < 20000; i++) {
		buf_addf(&old, "old line %d\n", i);
		buf_addf(&new, "new line %d\n", i);
	}
	put("list.txt", old.data, old.len);
	take();
	put("list.txt", new.data, new.len);
	c = the_change("list.txt");
	assert_true(text.cut);
	assert_true(text.diff.len <= CHANGE_DIFF_MAX);
	assert_true(text.diff.len > CHANGE_DIFF_MAX - 64);
	assert_int_equal(text.diff.data[text.diff.len - 1], '\n');
	r = record_of(c);
	assert_true(json_is_true(rec_get_json(r, "diff_cut")));
	rec_free(r);
	buf_release(&old);
	buf_release(&new);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_modified_file_gives_a_unified_diff),
		T(an_added_file_is_all_new_lines_and_has_no_old_state),
		T(a_removed_file_is_all_old_lines_and_has_no_new_state),
		T(secrets_in_a_diff_are_redacted_on_both_sides),
		T(a_change_only_in_a_secret_shows_its_line_without_its_values),
		T(without_the_tag_key_a_change_only_in_a_secret_is_a_note),
		T(a_tag_key_others_can_read_is_not_used),
		T(a_binary_file_gets_a_summary_not_a_diff),
		T(a_file_over_the_size_limit_gets_a_summary_not_a_diff),
		T(a_sensitive_file_gives_its_hash_and_never_its_content),
		T(a_mode_change_alone_has_a_summary_and_no_diff),
		T(a_diff_too_long_is_cut_at_a_line_end_and_says_so),
	};
	return cmocka_run_group_tests_name("change", tests, NULL, NULL);
}
