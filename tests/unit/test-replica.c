/*
 * replica: committing a host's files onto its ref, fetching, integrating
 * and pushing, between two journals under /tmp that are real git
 * repositories ("a" is the other replica, b this one).  Records are
 * written with the store; what reached a ref is read back with git.
 */
#include "unit.h"

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "journal/journal.h"
#include "journal/record.h"
#include "journal/store.h"
#include "replica/git.h"
#include "replica/replica.h"

#define DAY "2026_11_24"
#define FILE_OF(host) "2026/" DAY "/" host ".jsonl"

struct fixture {
	char *a_dir, *b_dir;
	struct journal *a, *b;
	int a_lock, b_lock;
	struct store_warnings w;
};

static struct journal *git_journal(char **dir)
{
	const char *init[] = { "init", "-q", NULL };
	struct journal *j;

	*dir = unit_journal();
	assert_int_equal(git_run(*dir, NULL, NULL, NULL, init), 0);
	j = journal_open(*dir);
	assert_non_null(j);
	return j;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	const char *add[] = { "remote", "add", "a", NULL, NULL };

	if (!f)
		return -1;
	setenv("TZ", "UTC", 1);
	setenv("LC_ALL", "C", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_INDEX_FILE");
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	f->a = git_journal(&f->a_dir);
	f->b = git_journal(&f->b_dir);
	add[3] = f->a_dir;
	if (git_run(f->b_dir, NULL, NULL, NULL, add) != 0)
		return -1;
	/* as sync does: the lock first, which also makes .state/sync/ */
	f->a_lock = replica_lock(f->a);
	f->b_lock = replica_lock(f->b);
	if (f->a_lock < 0 || f->b_lock < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	close(f->a_lock);
	close(f->b_lock);
	journal_close(f->a);
	journal_close(f->b);
	unit_rmtree(f->a_dir);
	unit_rmtree(f->b_dir);
	free(f->a_dir);
	free(f->b_dir);
	store_warnings_free(&f->w);
	free(f);
	return 0;
}

static void note(struct journal *j, const char *host, const char *time, const char *text)
{
	int64_t us;
	struct record *r;

	assert_int_equal(day_time_parse(time, strlen(time), &us), 0);
	r = rec_new("note", us, host, "alice", "root", "s1");
	rec_set_text(r, "text", text, strlen(text));
	if (store_append(j, r, NULL) < 0)
		fail_msg("store_append: %s", errget());
	rec_free(r);
}

/* the paths on a ref, one a line ("" when the ref does not exist) */
static char *files_on(const char *dir, const char *ref)
{
	const char *args[] = { "ls-tree", "-r", "--name-only", ref, NULL };
	struct buf out = BUF_INIT;

	if (git_run(dir, NULL, &out, NULL, args) != 0 || !out.data) {
		buf_release(&out);
		return xstrdup("");
	}
	return buf_detach(&out, NULL);
}

static char *read_in(const char *dir, const char *rel)
{
	char *p = xasprintf("%s/%s", dir, rel);
	char *text = unit_read(p, NULL);

	free(p);
	return text;
}

static void commit_host(struct journal *j, const char *host, int want)
{
	int rc = replica_commit_host(j, host, NULL);

	if (rc < 0)
		fail_msg("replica_commit_host: %s", errget());
	assert_int_equal(rc, want);
}

static void sync_from_a(struct fixture *f, const char *own_host)
{
	if (replica_fetch(f->b, "a") < 0)
		fail_msg("replica_fetch: %s", errget());
	if (replica_integrate(f->b, "a", own_host, &f->w) < 0)
		fail_msg("replica_integrate: %s", errget());
}

static bool warned(const struct store_warnings *w, const char *what)
{
	for (size_t i = 0; i < w->n; i++)
		if (strstr(w->msgs[i], what))
			return true;
	return false;
}

/* ---- tests ---- */

static void a_hosts_ref_holds_its_record_files_and_nothing_else(void **state)
{
	struct fixture *f = *state;
	char *files;

	note(f->a, "web1", "2026-11-24T09:00:00.000000Z", "one");
	note(f->a, "web1", "2026-11-25T09:00:00.000000Z", "two");
	note(f->a, "db1", "2026-11-24T09:00:00.000000Z", "not web1's");
	commit_host(f->a, "web1", 1);
	files = files_on(f->a_dir, REPLICA_HOSTS_REF "web1");
	assert_string_equal(files, "2026/2026_11_24/web1.jsonl\n2026/2026_11_25/web1.jsonl\n");
	free(files);
	/* nothing new: no commit */
	commit_host(f->a, "web1", 0);
	note(f->a, "web1", "2026-11-25T10:00:00.000000Z", "three");
	commit_host(f->a, "web1", 1);
}

static void a_host_without_files_commits_nothing(void **state)
{
	struct fixture *f = *state;
	char *ref;

	commit_host(f->a, "web1", 0);
	ref = git_resolve(f->a_dir, REPLICA_HOSTS_REF "web1");
	assert_null(ref);
}

static void team_conf_is_committed_when_it_changed(void **state)
{
	struct fixture *f = *state;
	char *files, *conf;

	assert_int_equal(replica_commit_team(f->a, &f->w), 1);
	files = files_on(f->a_dir, REPLICA_TEAM_REF);
	assert_string_equal(files, "team.conf\n");
	free(files);
	assert_int_equal(replica_commit_team(f->a, &f->w), 0);
	conf = xasprintf("%s/team.conf", f->a_dir);
	unit_write(conf, "[team]\n\ttimezone = Europe/Berlin\n", 33, 0);
	free(conf);
	assert_int_equal(replica_commit_team(f->a, &f->w), 1);
}

/* b holds web1's file and ref as a does */
static void same_web1_as_a(struct fixture *f)
{
	char *theirs = read_in(f->a_dir, FILE_OF("web1")), *ours = read_in(f->b_dir, FILE_OF("web1"));
	char *ra = git_resolve(f->a_dir, REPLICA_HOSTS_REF "web1"), *rb = git_resolve(f->b_dir, REPLICA_HOSTS_REF "web1");

	assert_non_null(ours);
	assert_string_equal(ours, theirs);
	assert_non_null(rb);
	assert_string_equal(ra, rb);
	free(theirs);
	free(ours);
	free(ra);
	free(rb);
}

static void another_hosts_files_are_written_into_the_work_tree_as_they_are(void **state)
{
	struct fixture *f = *state;

	note(f->a, "web1", "2026-11-24T09:00:00.000000Z", "from a");
	commit_host(f->a, "web1", 1);
	sync_from_a(f, "db1");
	assert_int_equal(f->w.n, 0);
	same_web1_as_a(f);

	/* a second sync with nothing new changes nothing */
	sync_from_a(f, "db1");
	assert_int_equal(f->w.n, 0);
}

static void this_hosts_own_ref_is_never_taken_from_a_remote(void **state)
{
	struct fixture *f = *state;
	char *ours;

	note(f->a, "web1", "2026-11-24T09:00:00.000000Z", "someone using our name");
	commit_host(f->a, "web1", 1);
	sync_from_a(f, "web1");
	ours = read_in(f->b_dir, FILE_OF("web1"));
	assert_null(ours);
	assert_null(git_resolve(f->b_dir, REPLICA_HOSTS_REF "web1"));
}

static void a_file_of_another_host_on_a_ref_is_left_out_with_a_warning(void **state)
{
	struct fixture *f = *state;
	const char *const paths[] = { FILE_OF("web1"), FILE_OF("db1") };
	char *file, *old;

	/* a ref of web1 that also carries db1's records */
	note(f->a, "web1", "2026-11-24T09:00:00.000000Z", "web1's");
	note(f->a, "db1", "2026-11-24T09:00:00.000000Z", "forged");
	old = git_resolve(f->a_dir, REPLICA_HOSTS_REF "web1");
	assert_int_equal(git_commit_files(f->a_dir, REPLICA_HOSTS_REF "web1", old, paths, 2, "forged", NULL, NULL, NULL), 1);
	free(old);

	sync_from_a(f, "mail1");
	assert_true(warned(&f->w, "not its to write"));
	file = read_in(f->b_dir, FILE_OF("web1"));
	assert_non_null(file);
	free(file);
	assert_null(read_in(f->b_dir, FILE_OF("db1")));
}

static void a_diverged_ref_is_kept_aside_and_ours_is_kept(void **state)
{
	struct fixture *f = *state;
	char *mine, *after, *file;

	note(f->a, "web1", "2026-11-24T09:00:00.000000Z", "a's history");
	commit_host(f->a, "web1", 1);
	note(f->b, "web1", "2026-11-24T09:00:00.000000Z", "b's history");
	commit_host(f->b, "web1", 1);
	mine = git_resolve(f->b_dir, REPLICA_HOSTS_REF "web1");

	sync_from_a(f, "db1");
	/* a's history of web1 does not descend from b's: kept aside, not taken */
	assert_true(warned(&f->w, "does not descend from"));
	assert_true(warned(&f->w, "kept aside"));
	after = git_resolve(f->b_dir, REPLICA_QUARANTINE_REF "a/web1");
	assert_non_null(after);
	free(after);
	after = git_resolve(f->b_dir, REPLICA_HOSTS_REF "web1");
	assert_string_equal(after, mine);
	file = read_in(f->b_dir, FILE_OF("web1"));
	assert_non_null(strstr(file, "b's history"));
	free(file);
	free(mine);
	free(after);
}

static void a_push_goes_through_then_is_rejected_once_the_remote_moved(void **state)
{
	struct fixture *f = *state;
	char *ra, *rb;

	note(f->b, "db1", "2026-11-24T09:00:00.000000Z", "one");
	commit_host(f->b, "db1", 1);
	assert_int_equal(replica_commit_team(f->b, &f->w), 1);
	if (replica_push(f->b, "a", "db1") != 0)
		fail_msg("replica_push: %s", errget());
	ra = git_resolve(f->a_dir, REPLICA_HOSTS_REF "db1");
	rb = git_resolve(f->b_dir, REPLICA_HOSTS_REF "db1");
	assert_non_null(ra);
	assert_string_equal(ra, rb);
	free(ra);
	free(rb);

	/* someone else pushed db1 to a meanwhile: ours no longer fast-forwards */
	note(f->a, "db1", "2026-11-25T09:00:00.000000Z", "pushed by another");
	commit_host(f->a, "db1", 1);
	note(f->b, "db1", "2026-11-25T10:00:00.000000Z", "two");
	commit_host(f->b, "db1", 1);
	assert_int_equal(replica_push(f->b, "a", "db1"), 1);
}

static void an_unreachable_remote_fails_with_gits_reason(void **state)
{
	struct fixture *f = *state;
	const char *add[] = { "remote", "add", "gone", "/nonexistent/logbook", NULL };

	assert_int_equal(git_run(f->b_dir, NULL, NULL, NULL, add), 0);
	assert_int_equal(replica_fetch(f->b, "gone"), -1);
	assert_non_null(strstr(errget(), "/nonexistent/logbook"));
	assert_null(strstr(errget(), "fatal: "));
	assert_int_equal(replica_push(f->b, "gone", "db1"), -1);
}

/* the refs and remotes read ahead (sync's prefetch) answer like git, and a fetch makes the refs read again */
static void refs_read_ahead_are_not_believed_after_a_fetch(void **state)
{
	struct fixture *f = *state;
	char **names, *db1;
	size_t n;

	note(f->a, "web1", "2026-11-24T09:00:00.000000Z", "from a");
	commit_host(f->a, "web1", 1);
	note(f->b, "db1", "2026-11-24T09:30:00.000000Z", "from b");
	replica_refs_begin(f->b);
	/* started before the fetch: b has no ref of web1 yet */
	replica_refs_prefetch(f->b);
	assert_int_equal(replica_remotes(f->b, &names, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "a");
	replica_names_free(names, n);
	if (replica_fetch(f->b, "a") < 0)
		fail_msg("replica_fetch: %s", errget());
	/* the fetch said it moved a ref: what integration reads is read again */
	commit_host(f->b, "db1", 1);
	if (replica_integrate(f->b, "a", "db1", &f->w) < 0)
		fail_msg("replica_integrate: %s", errget());
	replica_refs_end();
	assert_int_equal(f->w.n, 0);
	same_web1_as_a(f);
	assert_non_null(db1 = git_resolve(f->b_dir, REPLICA_HOSTS_REF "db1"));
	free(db1);
}

static void remotes_are_listed_sorted(void **state)
{
	struct fixture *f = *state;
	const char *add[] = { "remote", "add", "hub", "/srv/hub", NULL };
	char **names;
	size_t n;

	assert_int_equal(git_run(f->b_dir, NULL, NULL, NULL, add), 0);
	assert_int_equal(replica_remotes(f->b, &names, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "hub");
	replica_names_free(names, n);
}

static void remote_names_are_checked(void **state)
{
	(void)state;
	assert_true(replica_valid_remote("hub"));
	assert_true(replica_valid_remote("site-2.backup_1"));
	assert_false(replica_valid_remote(""));
	assert_false(replica_valid_remote(".hidden"));
	assert_false(replica_valid_remote("-upload-pack=x"));
	assert_false(replica_valid_remote("a..b"));
	assert_false(replica_valid_remote("ends."));
	assert_false(replica_valid_remote("a/b"));
	assert_false(replica_valid_remote("a b"));
}

static void a_relative_local_url_is_made_absolute(void **state)
{
	struct fixture *f = *state;
	char *cwd = getcwd(NULL, 0), *url;
	(void)state;

	assert_int_equal(chdir(f->a_dir), 0);
	url = replica_url(".");
	assert_string_equal(url, f->a_dir);
	free(url);
	url = replica_url("git@hub:logbook.git");
	assert_string_equal(url, "git@hub:logbook.git");
	free(url);
	url = replica_url("no-such-dir");
	assert_string_equal(url, "no-such-dir");
	free(url);
	assert_int_equal(chdir(cwd), 0);
	free(cwd);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_hosts_ref_holds_its_record_files_and_nothing_else),
		T(a_host_without_files_commits_nothing),
		T(team_conf_is_committed_when_it_changed),
		T(another_hosts_files_are_written_into_the_work_tree_as_they_are),
		T(this_hosts_own_ref_is_never_taken_from_a_remote),
		T(a_file_of_another_host_on_a_ref_is_left_out_with_a_warning),
		T(a_diverged_ref_is_kept_aside_and_ours_is_kept),
		T(a_push_goes_through_then_is_rejected_once_the_remote_moved),
		T(an_unreachable_remote_fails_with_gits_reason),
		T(refs_read_ahead_are_not_believed_after_a_fetch),
		T(remotes_are_listed_sorted),
		T(remote_names_are_checked),
		T(a_relative_local_url_is_made_absolute),
	};
	return cmocka_run_group_tests_name("replica", tests, NULL, NULL);
}
