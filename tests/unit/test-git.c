/*
 * git: the wrappers around the git program, run for real in a fresh
 * repository under /tmp.  What git saw of our configuration is read back
 * from inside git itself (a shell alias that prints its environment), so
 * a wrapper that forgot a setting fails here.
 */
#include "unit.h"

#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "replica/git.h"

#define REF "refs/heads/hosts/web1"

static char *repo;

static int setup(void **state)
{
	const char *init[] = { "init", "-q", NULL };
	char *home;

	(void)state;
	setenv("TZ", "UTC", 1);
	setenv("LC_ALL", "C", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	unsetenv("GIT_SSH");
	unsetenv("GIT_SSH_COMMAND");
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	repo = unit_tmpdir();
	/* no ~/.gitconfig of whoever runs the tests */
	home = xasprintf("%s/.home", repo);
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	free(home);
	if (git_run(repo, NULL, NULL, NULL, init) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unit_rmtree(repo);
	free(repo);
	return 0;
}

static void put(const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", repo, rel);

	unit_write(p, text, strlen(text), 0);
	free(p);
}

static char *index_path(void)
{
	return xasprintf("%s/.git/logbook-index", repo);
}

/* commit these paths onto REF; git_commit_paths' result */
static int commit(const char *const paths[], size_t n)
{
	char *index = index_path(), *old = git_resolve(repo, REF);
	int rc = git_commit_paths(repo, index, REF, old, NULL, paths, n, "test commit", NULL, NULL);

	if (rc < 0)
		fprintf(stderr, "git_commit_paths: %s\n", errget());
	free(index);
	free(old);
	return rc;
}

/* the file's content at rev, via git_changed_files and git_blob */
static char *content_at(const char *rev, const char *path)
{
	struct git_files files;
	struct buf b = BUF_INIT;
	char *found = NULL;

	assert_int_equal(git_changed_files(repo, NULL, rev, &files), 0);
	for (size_t i = 0; i < files.n; i++) {
		if (strcmp(files.files[i].path, path))
			continue;
		assert_int_equal(git_blob(repo, files.files[i].id, &b), 0);
		found = xstrndup(b.data ? b.data : "", b.len);
	}
	git_files_free(&files);
	buf_release(&b);
	return found;
}

static void git_runs_with_a_fixed_committer_and_never_prompts(void **state)
{
	const char *env[] = { "-c", "alias.env=!env", "env", NULL };
	const char *var[] = { "var", "GIT_COMMITTER_IDENT", NULL };
	struct buf out = BUF_INIT;
	(void)state;

	assert_int_equal(git_run(repo, "/tmp/some-index", &out, NULL, env), 0);
	assert_non_null(strstr(buf_str(&out), "\nGIT_TERMINAL_PROMPT=0\n"));
	assert_non_null(strstr(buf_str(&out), "\nGIT_SSH_COMMAND=ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o ConnectTimeout=15 "));
	assert_non_null(strstr(buf_str(&out), "\nGIT_INDEX_FILE=/tmp/some-index\n"));
	assert_non_null(strstr(buf_str(&out), "\nGIT_CONFIG_KEY_0=core.hooksPath\n"));
	buf_reset(&out);
	/* without an index, no GIT_INDEX_FILE is left over from the call before */
	assert_int_equal(git_run(repo, NULL, &out, NULL, env), 0);
	assert_null(strstr(buf_str(&out), "GIT_INDEX_FILE="));
	buf_reset(&out);
	assert_int_equal(git_run(repo, NULL, &out, NULL, var), 0);
	assert_true(!strncmp(buf_str(&out), "logbook <logbook@localhost> ", 28));
	buf_release(&out);
}

static void an_admins_own_ssh_command_wins(void **state)
{
	const char *env[] = { "-c", "alias.env=!env", "env", NULL };
	struct buf out = BUF_INIT;
	(void)state;

	setenv("GIT_SSH_COMMAND", "ssh -J jump", 1);
	assert_int_equal(git_run(repo, NULL, &out, NULL, env), 0);
	unsetenv("GIT_SSH_COMMAND");
	assert_non_null(strstr(buf_str(&out), "\nGIT_SSH_COMMAND=ssh -J jump\n"));
	assert_null(strstr(buf_str(&out), "BatchMode"));
	buf_release(&out);
}

static void the_pinned_configuration_wins_over_the_repository(void **state)
{
	static const char *const pins[][2] = {
		{ "core.hooksPath", "/dev/null\n" }, { "core.fsmonitor", "false\n" },
		{ "protocol.allow", "never\n" }, { "protocol.file.allow", "always\n" },
		{ "protocol.ssh.allow", "always\n" }, { "protocol.git.allow", "never\n" },
	};
	const char *safe[] = { "config", "--get-all", "safe.directory", NULL };
	struct buf out = BUF_INIT;
	(void)state;

	for (size_t i = 0; i < sizeof pins / sizeof *pins; i++) {
		const char *set[] = { "config", pins[i][0], "repository's", NULL };
		const char *get[] = { "config", "--get", pins[i][0], NULL };
		assert_int_equal(git_run(repo, NULL, NULL, NULL, set), 0);
		buf_reset(&out);
		assert_int_equal(git_run(repo, NULL, &out, NULL, get), 0);
		assert_string_equal(buf_str(&out), pins[i][1]);
	}
	/* git's own refusal of another account's repository stays on */
	buf_reset(&out);
	assert_int_equal(git_run(repo, NULL, &out, NULL, safe), 1);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

static void git_does_not_run_where_group_or_others_can_write_its_config(void **state)
{
	static const char *const rels[] = { ".git", ".git/config", ".git/hooks" };
	const char *ok[] = { "rev-parse", "--git-dir", NULL };
	(void)state;

	for (size_t i = 0; i < sizeof rels / sizeof *rels; i++) {
		char *p = xasprintf("%s/%s", repo, rels[i]);
		struct stat st;

		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(chmod(p, (st.st_mode & 07777) | S_IWGRP), 0);
		assert_int_equal(git_check_dir(repo, NULL), GIT_UNSAFE);
		assert_int_equal(git_run(repo, NULL, NULL, NULL, ok), -1);
		assert_non_null(strstr(errget(), p));
		assert_non_null(strstr(errget(), "writable by group"));
		assert_non_null(strstr(errget(), "chmod g-w"));
		assert_int_equal(chmod(p, (st.st_mode & 07777) | S_IWOTH), 0);
		assert_int_equal(git_run(repo, NULL, NULL, NULL, ok), -1);
		assert_non_null(strstr(errget(), "chmod o-w"));
		assert_int_equal(chmod(p, (st.st_mode & 07777) | S_IWGRP | S_IWOTH), 0);
		assert_int_equal(git_protect_dir(repo), 0);
		assert_int_equal(git_check_dir(repo, NULL), GIT_TRUSTED);
		assert_int_equal(git_run(repo, NULL, NULL, NULL, ok), 0);
		free(p);
	}
}

static void git_does_not_run_where_its_hooks_are_a_symbolic_link(void **state)
{
	const char *ok[] = { "rev-parse", "--git-dir", NULL };
	char *hooks = xasprintf("%s/.git/hooks", repo), *moved = xasprintf("%s/.git/hooks.real", repo);
	(void)state;

	assert_int_equal(rename(hooks, moved), 0);
	assert_int_equal(symlink("/tmp", hooks), 0);
	assert_int_equal(git_run(repo, NULL, NULL, NULL, ok), -1);
	assert_non_null(strstr(errget(), "symbolic link"));
	assert_int_equal(unlink(hooks), 0);
	/* no hooks directory: nothing to run from */
	assert_int_equal(git_run(repo, NULL, NULL, NULL, ok), 0);
	assert_int_equal(rename(moved, hooks), 0);
	free(hooks);
	free(moved);
}

static void a_hub_on_this_machine_gets_pinned_packs_and_ssh_the_plain_ones(void **state)
{
	(void)state;
	assert_non_null(strstr(git_pack_command("/srv/hub.git", false), "-c core.hooksPath=/dev/null"));
	assert_non_null(strstr(git_pack_command("file:///srv/hub.git", true), "receive-pack"));
	assert_null(strstr(git_pack_command("/srv/hub.git", true), "safe.directory"));
	assert_string_equal(git_pack_command("ssh://hub/srv/hub.git", false), "git-upload-pack");
	assert_string_equal(git_pack_command("hub:srv/hub.git", true), "git-receive-pack");
}

static void stdout_stderr_and_the_exit_status_come_back_apart(void **state)
{
	const char *bad[] = { "rev-parse", "--verify", "no-such-rev", NULL };
	const char *ok[] = { "rev-parse", "--is-inside-work-tree", NULL };
	struct buf out = BUF_INIT, err = BUF_INIT;
	(void)state;

	assert_int_equal(git_run(repo, NULL, &out, &err, bad), 128);
	assert_int_equal(out.len, 0);
	assert_non_null(strstr(buf_str(&err), "fatal: "));
	buf_reset(&err);
	assert_int_equal(git_run(repo, NULL, &out, &err, ok), 0);
	assert_string_equal(buf_str(&out), "true\n");
	assert_int_equal(err.len, 0);
	buf_release(&out);
	buf_release(&err);
}

static void a_missing_repository_fails_cleanly(void **state)
{
	const char *status[] = { "status", NULL };
	char *missing = xasprintf("%s/no-such-dir", repo);
	char *plain = xasprintf("%s/.home", repo);
	struct buf out = BUF_INIT, err = BUF_INIT;
	(void)state;

	/* a directory that is not there: git does not even start */
	assert_int_equal(git_run(missing, NULL, &out, &err, status), -1);
	assert_true(strlen(errget()) > 0);
	assert_null(git_resolve(missing, "HEAD"));
	/* a directory that is no repository: git's failure, nothing resolved */
	setenv("GIT_CEILING_DIRECTORIES", repo, 1);
	assert_null(git_resolve(plain, "HEAD"));
	assert_int_equal(git_is_ancestor(plain, "HEAD", "HEAD"), -1);
	assert_non_null(strstr(errget(), "merge-base"));
	assert_int_equal(git_blob(plain, "0123456789012345678901234567890123456789", &out), -1);
	assert_non_null(strstr(errget(), "cat-file"));
	unsetenv("GIT_CEILING_DIRECTORIES");
	free(missing);
	free(plain);
	buf_release(&out);
	buf_release(&err);
}

static void too_many_arguments_are_refused_before_running_git(void **state)
{
	const char *args[80];
	(void)state;

	for (size_t i = 0; i < 79; i++)
		args[i] = "--version";
	args[79] = NULL;
	assert_int_equal(git_run(repo, NULL, NULL, NULL, args), -1);
	assert_non_null(strstr(errget(), "too many arguments"));
}

static void a_commit_is_made_only_when_the_tree_changed(void **state)
{
	const char *const paths[] = { "a.jsonl" };
	char *first, *second, *text;
	(void)state;

	put("a.jsonl", "one\n");
	assert_int_equal(commit(paths, 1), 1);
	first = git_resolve(repo, REF);
	assert_non_null(first);
	assert_int_equal(strlen(first), 40);
	assert_int_equal(commit(paths, 1), 0);
	second = git_resolve(repo, REF);
	assert_string_equal(first, second);
	free(second);

	put("a.jsonl", "one\ntwo\n");
	assert_int_equal(commit(paths, 1), 1);
	second = git_resolve(repo, REF);
	assert_string_not_equal(first, second);
	/* the new commit's parent is the old one */
	assert_int_equal(git_is_ancestor(repo, first, second), 1);
	assert_int_equal(git_is_ancestor(repo, second, first), 0);
	text = content_at(second, "a.jsonl");
	assert_string_equal(text, "one\ntwo\n");
	free(text);
	text = content_at(first, "a.jsonl");
	assert_string_equal(text, "one\n");
	free(text);
	free(first);
	free(second);
}

static void a_missing_index_starts_from_the_refs_tree(void **state)
{
	const char *const a[] = { "a.jsonl" }, *const b[] = { "b.jsonl" };
	char *index = index_path(), *head, *text;
	(void)state;

	put("a.jsonl", "a\n");
	assert_int_equal(commit(a, 1), 1);
	assert_int_equal(unlink(index), 0);
	put("b.jsonl", "b\n");
	assert_int_equal(commit(b, 1), 1);
	head = git_resolve(repo, REF);
	/* a.jsonl was not named this time and is still there */
	text = content_at(head, "a.jsonl");
	assert_string_equal(text, "a\n");
	free(text);
	free(head);
	free(index);
}

/* more paths than one update-index command line holds (61) */
static void many_paths_are_committed_in_batches(void **state)
{
	char *names[70];
	struct git_files files;
	char *head;
	(void)state;

	for (size_t i = 0; i < 70; i++) {
		names[i] = xasprintf("f%03zu.jsonl", i);
		put(names[i], names[i]);
	}
	assert_int_equal(commit((const char *const *)names, 70), 1);
	head = git_resolve(repo, REF);
	assert_int_equal(git_changed_files(repo, NULL, head, &files), 0);
	assert_int_equal(files.n, 70);
	for (size_t i = 0; i < 70; i++) {
		assert_string_equal(files.files[i].path, names[i]);
		free(names[i]);
	}
	git_files_free(&files);
	free(head);
}

static void changed_files_leave_out_deletions_and_read_odd_names_exactly(void **state)
{
	const char *const one[] = { "keep", "gone", "edit" };
	const char *const two[] = { "edit", "new\nline name" };
	char *old, *new;
	struct git_files files;
	(void)state;

	put("keep", "k\n");
	put("gone", "g\n");
	put("edit", "1\n");
	assert_int_equal(commit(one, 3), 1);
	old = git_resolve(repo, REF);
	{
		char *p = xasprintf("%s/gone", repo);
		const char *rm[] = { "rm", "-q", "--cached", "gone", NULL };
		char *index = index_path();
		assert_int_equal(git_run(repo, index, NULL, NULL, rm), 0);
		unlink(p);
		free(p);
		free(index);
	}
	put("edit", "2\n");
	put("new\nline name", "n\n");
	assert_int_equal(commit(two, 2), 1);
	new = git_resolve(repo, REF);

	assert_int_equal(git_changed_files(repo, old, new, &files), 0);
	assert_int_equal(files.n, 2);
	assert_string_equal(files.files[0].path, "edit");
	assert_string_equal(files.files[1].path, "new\nline name");
	{
		struct buf b = BUF_INIT;
		assert_int_equal(git_blob(repo, files.files[1].id, &b), 0);
		assert_string_equal(buf_str(&b), "n\n");
		buf_release(&b);
	}
	git_files_free(&files);
	/* without an old commit: every file of the new one */
	assert_int_equal(git_changed_files(repo, NULL, new, &files), 0);
	assert_int_equal(files.n, 3);
	git_files_free(&files);
	free(old);
	free(new);
}

static void a_ref_moves_only_from_the_value_expected(void **state)
{
	const char *const paths[] = { "a.jsonl" };
	char *first, *second, *now;
	(void)state;

	put("a.jsonl", "1\n");
	assert_int_equal(commit(paths, 1), 1);
	first = git_resolve(repo, REF);
	put("a.jsonl", "2\n");
	assert_int_equal(commit(paths, 1), 1);
	second = git_resolve(repo, REF);

	/* another writer moved it meanwhile: refused, left as it is */
	assert_int_equal(git_update_ref(repo, "refs/heads/other", first, second), -1);
	assert_null(git_resolve(repo, "refs/heads/other"));
	assert_int_equal(git_update_ref(repo, REF, first, first), -1);
	now = git_resolve(repo, REF);
	assert_string_equal(now, second);
	free(now);
	/* a ref that must not exist yet, and does */
	assert_int_equal(git_update_ref(repo, REF, first, NULL), -1);
	assert_int_equal(git_update_ref(repo, REF, first, second), 0);
	now = git_resolve(repo, REF);
	assert_string_equal(now, first);
	free(now);
	free(first);
	free(second);
}

/* the id of a new blob of text, written with git hash-object (allocated) */
static char *blob_of_text(const char *text)
{
	const char *args[] = { "hash-object", "-w", "blob.txt", NULL };
	struct buf out = BUF_INIT;

	put("blob.txt", text);
	assert_int_equal(git_run(repo, NULL, &out, NULL, args), 0);
	buf_truncate(&out, strcspn(buf_str(&out), "\n"));
	return buf_detach(&out, NULL);
}

static void a_blob_is_read_a_chunk_at_a_time_and_may_be_left_halfway(void **state)
{
	/* more than a pipe holds: git is still writing when the reader stops */
	size_t len = 300 * 1000;
	char *text = xmalloc(len + 1), *id, chunk[1000];
	struct git_blob_reader r;
	struct buf back = BUF_INIT;
	ssize_t n;
	(void)state;

	for (size_t i = 0; i < len; i++)
		text[i] = i % 61 == 60 ? '\n' : (char)('a' + i % 26);
	text[len] = '\0';
	id = blob_of_text(text);
	assert_int_equal(git_blob_open(repo, id, &r), 0);
	while ((n = git_blob_read(&r, chunk, sizeof chunk)) > 0) {
		assert_true((size_t)n <= sizeof chunk);
		buf_add(&back, chunk, (size_t)n);
	}
	assert_int_equal(n, 0);
	assert_int_equal(git_blob_close(&r), 0);
	assert_int_equal(back.len, len);
	assert_memory_equal(back.data, text, len);
	/* stopping early: git dies of SIGPIPE, which is no failure */
	assert_int_equal(git_blob_open(repo, id, &r), 0);
	assert_true(git_blob_read(&r, chunk, 10) > 0);
	assert_int_equal(git_blob_close(&r), 0);
	/* a blob that is not there: the end comes at once, and closing says git failed */
	assert_int_equal(git_blob_open(repo, "0123456789012345678901234567890123456789", &r), 0);
	assert_int_equal(git_blob_read(&r, chunk, sizeof chunk), 0);
	assert_int_equal(git_blob_close(&r), -1);
	assert_non_null(strstr(errget(), "cat-file"));
	free(text);
	free(id);
	buf_release(&back);
}

static void many_blobs_come_through_one_batch_in_the_order_asked(void **state)
{
	/* more ids than a pipe holds, a big blob and an empty one: nothing may block or run together */
	size_t big = 200 * 1000, n = 3000;
	char *text = xmalloc(big + 1), *ids[3], chunk[777];
	const char **list = xreallocarray(NULL, n, sizeof *list);
	struct git_batch b;
	struct buf back = BUF_INIT;
	int64_t size;
	ssize_t got;
	(void)state;

	for (size_t i = 0; i < big; i++)
		text[i] = i % 50 == 49 ? '\n' : (char)('a' + i % 26);
	text[big] = '\0';
	ids[0] = blob_of_text("one\ntwo\n");
	ids[1] = blob_of_text(text);
	ids[2] = blob_of_text("");
	for (size_t i = 0; i < n; i++)
		list[i] = ids[i % 3];
	assert_int_equal(git_batch_open(repo, list, n, &b), 0);
	for (size_t i = 0; i < n; i++) {
		const char *want = i % 3 == 0 ? "one\ntwo\n" : i % 3 == 1 ? text : "";
		assert_int_equal(git_batch_next(&b, &size), 1);
		assert_int_equal(size, (int64_t)strlen(want));
		buf_reset(&back);
		/* the first blob of each three left unread: next skips it */
		while (i % 3 != 0 && (got = git_batch_read(&b, chunk, sizeof chunk)) > 0)
			buf_add(&back, chunk, (size_t)got);
		if (i % 3 != 0) {
			assert_int_equal(back.len, strlen(want));
			assert_memory_equal(buf_str(&back), want, back.len);
		}
	}
	assert_int_equal(git_batch_next(&b, &size), 0);
	assert_int_equal(git_batch_close(&b), 0);
	/* stopped halfway: no failure */
	assert_int_equal(git_batch_open(repo, list, n, &b), 0);
	assert_int_equal(git_batch_next(&b, &size), 1);
	assert_int_equal(git_batch_close(&b), 0);
	/* an id that is not there is an error, not an empty blob */
	list[1] = "0123456789012345678901234567890123456789";
	assert_int_equal(git_batch_open(repo, list, 2, &b), 0);
	assert_int_equal(git_batch_next(&b, &size), 1);
	assert_int_equal(git_batch_next(&b, &size), -1);
	assert_non_null(strstr(errget(), "missing"));
	git_batch_close(&b);
	for (size_t i = 0; i < 3; i++)
		free(ids[i]);
	free(list);
	free(text);
	buf_release(&back);
}

/* git itself in repo, for what the module does not do (tags, refs to blobs) */
static char *git_out(const char *const args[])
{
	struct buf out = BUF_INIT;

	assert_int_equal(git_run(repo, NULL, &out, NULL, args), 0);
	while (out.len && out.data[out.len - 1] == '\n')
		buf_truncate(&out, out.len - 1);
	return buf_detach(&out, NULL);
}

static void the_refs_read_at_once_agree_with_git_ref_by_ref(void **state)
{
	const char *const paths[] = { "a.jsonl" };
	const char *tag[] = { "tag", "-a", "-m", "t", "t1", REF, NULL };
	const char *tree[] = { "rev-parse", REF "^{tree}", NULL };
	const char *blob[] = { "rev-parse", REF ":a.jsonl", NULL };
	char *head, *tree_id, *blob_id, *tag_id;
	const char *names[] = { REF, "refs/tags/t1", "refs/logbook/blob", "refs/heads/missing" };
	struct git_refs refs;
	(void)state;

	put("a.jsonl", "one\n");
	assert_int_equal(commit(paths, 1), 1);
	assert_int_equal(git_run(repo, NULL, NULL, NULL, tag), 0);
	head = git_resolve(repo, REF);
	tree_id = git_out(tree);
	blob_id = git_out(blob);
	{
		const char *point[] = { "update-ref", "refs/logbook/blob", blob_id, NULL };
		const char *t[] = { "rev-parse", "refs/tags/t1", NULL };
		assert_int_equal(git_run(repo, NULL, NULL, NULL, point), 0);
		tag_id = git_out(t);
	}
	assert_int_equal(git_refs_load(repo, &refs), 0);
	assert_int_equal(refs.n, 3);
	/* a commit: its id and tree */
	assert_string_equal(git_refs_find(&refs, REF)->id, head);
	assert_string_equal(git_refs_find(&refs, REF)->tree, tree_id);
	/* a tag and a blob: what the ref holds, no tree (git_resolve peels the tag, finds no commit in a blob) */
	assert_string_equal(git_refs_find(&refs, "refs/tags/t1")->id, tag_id);
	assert_null(git_refs_find(&refs, "refs/tags/t1")->tree);
	assert_string_equal(git_refs_find(&refs, "refs/logbook/blob")->id, blob_id);
	assert_null(git_refs_find(&refs, "refs/logbook/blob")->tree);
	assert_null(git_refs_find(&refs, "refs/heads/missing"));
	assert_null(git_refs_find(&refs, "refs/heads/hosts/web"));
	/* where the snapshot has a commit, git_resolve says the same; where it has none, so does git_resolve */
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const struct git_ref *r = git_refs_find(&refs, names[i]);
		char *g = git_resolve(repo, names[i]);
		if (r && r->tree)
			assert_string_equal(r->id, g);
		else if (!r || !strcmp(names[i], "refs/logbook/blob"))
			assert_null(g);
		free(g);
	}
	git_refs_free(&refs);
	free(head);
	free(tree_id);
	free(blob_id);
	free(tag_id);
}

static void a_commit_with_the_old_tree_given_asks_git_for_nothing_more_and_agrees(void **state)
{
	const char *const paths[] = { "a.jsonl" };
	const char *tree[] = { "rev-parse", REF "^{tree}", NULL };
	char *index = index_path(), *old, *old_tree, *now;
	(void)state;

	put("a.jsonl", "one\n");
	assert_int_equal(commit(paths, 1), 1);
	old = git_resolve(repo, REF);
	old_tree = git_out(tree);
	char *made, *made_tree, *now_tree;
	/* the tree given is the ref's: nothing changed, no commit; what the ref holds comes back */
	assert_int_equal(git_commit_paths(repo, index, REF, old, old_tree, paths, 1, "m", &made, &made_tree), 0);
	assert_string_equal(made, old);
	assert_string_equal(made_tree, old_tree);
	free(made);
	free(made_tree);
	put("a.jsonl", "one\ntwo\n");
	assert_int_equal(git_commit_paths(repo, index, REF, old, old_tree, paths, 1, "m", &made, &made_tree), 1);
	now = git_resolve(repo, REF);
	assert_string_not_equal(now, old);
	assert_int_equal(git_is_ancestor(repo, old, now), 1);
	/* the commit made and its tree, as git says them after */
	now_tree = git_out(tree);
	assert_string_equal(made, now);
	assert_string_equal(made_tree, now_tree);
	free(made);
	free(made_tree);
	free(now_tree);
	free(index);
	free(old);
	free(old_tree);
	free(now);
}

/* a snapshot told of refs this process moved agrees with one read again from git */
static void refs_set_by_this_process_agree_with_git(void **state)
{
	const char *const paths[] = { "a.jsonl" };
	const char *const names[] = { "refs/heads/hosts/zz", "refs/heads/hosts/aa", REF, "refs/heads/hosts/mm" };
	const char *tree[] = { "rev-parse", REF "^{tree}", NULL };
	struct git_refs snap, fresh;
	char *id, *t;
	(void)state;

	put("a.jsonl", "one\n");
	assert_int_equal(commit(paths, 1), 1);
	id = git_resolve(repo, REF);
	t = git_out(tree);
	assert_int_equal(git_refs_load(repo, &snap), 0);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		assert_int_equal(git_update_ref(repo, names[i], id, strcmp(names[i], REF) ? NULL : id), 0);
		git_refs_set(&snap, names[i], id, t);
	}
	assert_int_equal(git_refs_load(repo, &fresh), 0);
	assert_int_equal(snap.n, fresh.n);
	for (size_t i = 0; i < snap.n; i++) {
		assert_string_equal(snap.v[i].name, fresh.v[i].name);
		assert_string_equal(snap.v[i].id, fresh.v[i].id);
		assert_string_equal(snap.v[i].tree, fresh.v[i].tree);
		assert_non_null(git_refs_find(&snap, fresh.v[i].name));
	}
	git_refs_free(&snap);
	git_refs_free(&fresh);
	free(id);
	free(t);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(git_runs_with_a_fixed_committer_and_never_prompts),
		T(an_admins_own_ssh_command_wins),
		T(the_pinned_configuration_wins_over_the_repository),
		T(git_does_not_run_where_group_or_others_can_write_its_config),
		T(git_does_not_run_where_its_hooks_are_a_symbolic_link),
		T(a_hub_on_this_machine_gets_pinned_packs_and_ssh_the_plain_ones),
		T(stdout_stderr_and_the_exit_status_come_back_apart),
		T(a_missing_repository_fails_cleanly),
		T(too_many_arguments_are_refused_before_running_git),
		T(a_commit_is_made_only_when_the_tree_changed),
		T(a_missing_index_starts_from_the_refs_tree),
		T(many_paths_are_committed_in_batches),
		T(changed_files_leave_out_deletions_and_read_odd_names_exactly),
		T(a_ref_moves_only_from_the_value_expected),
		T(a_blob_is_read_a_chunk_at_a_time_and_may_be_left_halfway),
		T(many_blobs_come_through_one_batch_in_the_order_asked),
		T(the_refs_read_at_once_agree_with_git_ref_by_ref),
		T(a_commit_with_the_old_tree_given_asks_git_for_nothing_more_and_agrees),
		T(refs_set_by_this_process_agree_with_git),
	};
	return cmocka_run_group_tests_name("git", tests, NULL, NULL);
}
