/*
 * git: the wrappers around the git program, run for real in a fresh
 * repository under /tmp.  What git saw of our configuration is read back
 * from inside git itself (a shell alias that prints its environment), so
 * a wrapper that forgot a setting fails here.
 */
#include "unit-git.h"

#include <dirent.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "replica/git.h"

#define REF "refs/heads/hosts/web1"

static char *repo;

static int setup(void **state)
{
	(void)state;
	repo = unit_git_repo();
	return repo ? 0 : -1;
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

/* put, with the directories rel needs */
static void put_dirs(const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", repo, rel), *slash = strrchr(p, '/');

	*slash = '\0';
	mkdir(p, 0755);
	*slash = '/';
	unit_write(p, text, strlen(text), 0);
	free(p);
}

/* commit these paths onto REF; git_commit_files' result */
static int commit(const char *const paths[], size_t n)
{
	char *old = git_resolve(repo, REF);
	int rc = git_commit_files(repo, REF, old, paths, n, "test commit", NULL, NULL, NULL);

	if (rc < 0)
		fprintf(stderr, "git_commit_files: %s\n", errget());
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

static void files_not_named_keep_what_the_ref_holds(void **state)
{
	const char *const a[] = { "a.jsonl" }, *const b[] = { "b.jsonl" };
	char *head, *text;
	(void)state;

	put("a.jsonl", "a\n");
	assert_int_equal(commit(a, 1), 1);
	put("b.jsonl", "b\n");
	assert_int_equal(commit(b, 1), 1);
	head = git_resolve(repo, REF);
	/* a.jsonl was not named this time and is still there */
	text = content_at(head, "a.jsonl");
	assert_string_equal(text, "a\n");
	free(text);
	free(head);
}

/* more paths than fast-import is asked about at once (FI_BATCH, 256): its answers never fill a pipe */
static void many_paths_are_committed_in_batches(void **state)
{
	enum { N = 600 };
	char *names[N];
	struct git_files files;
	char *first, *head;
	(void)state;

	for (size_t i = 0; i < N; i++) {
		names[i] = xasprintf("d%zu/f%03zu.jsonl", i % 7, i);
		put_dirs(names[i], names[i]);
	}
	assert_int_equal(commit((const char *const *)names, N), 1);
	first = git_resolve(repo, REF);
	/* every one asked about again, one in three changed */
	for (size_t i = 0; i < N; i += 3)
		put_dirs(names[i], "changed\n");
	assert_int_equal(commit((const char *const *)names, N), 1);
	head = git_resolve(repo, REF);
	assert_int_equal(git_changed_files(repo, first, head, &files), 0);
	assert_int_equal(files.n, N / 3);
	git_files_free(&files);
	assert_int_equal(git_changed_files(repo, NULL, head, &files), 0);
	assert_int_equal(files.n, N);
	git_files_free(&files);
	for (size_t i = 0; i < N; i++) {
		char *text = content_at(head, names[i]);
		assert_string_equal(text, i % 3 ? names[i] : "changed\n");
		free(text);
		free(names[i]);
	}
	free(first);
	free(head);
}

/* a commit of git's own making that has path no more: logbook never removes a file from a ref */
static void remove_from_ref(const char *path)
{
	char *index = xasprintf("%s/.git/test-index", repo), *old = git_resolve(repo, REF), *tree, *made;
	const char *read[] = { "read-tree", REF, NULL };
	const char *rm[] = { "rm", "-q", "--cached", path, NULL };
	const char *write[] = { "write-tree", NULL };
	struct buf out = BUF_INIT;

	assert_int_equal(git_run(repo, index, NULL, NULL, read), 0);
	assert_int_equal(git_run(repo, index, NULL, NULL, rm), 0);
	assert_int_equal(git_run(repo, index, &out, NULL, write), 0);
	tree = xstrndup(out.data, GIT_OID_HEX);
	buf_reset(&out);
	{
		const char *ct[] = { "commit-tree", "-m", "rm", "-p", old, tree, NULL };
		assert_int_equal(git_run(repo, NULL, &out, NULL, ct), 0);
	}
	made = xstrndup(out.data, GIT_OID_HEX);
	assert_int_equal(git_update_ref(repo, REF, made, old), 0);
	unlink(index);
	buf_release(&out);
	free(index);
	free(old);
	free(tree);
	free(made);
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
		remove_from_ref("gone");
		unlink(p);
		free(p);
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
	return unit_git_out(repo, args);
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

static void the_commit_made_and_its_tree_agree_with_git(void **state)
{
	const char *const paths[] = { "a.jsonl" };
	const char *tree[] = { "rev-parse", REF "^{tree}", NULL };
	char *old, *old_tree, *now;
	(void)state;

	put("a.jsonl", "one\n");
	assert_int_equal(commit(paths, 1), 1);
	old = git_resolve(repo, REF);
	old_tree = git_out(tree);
	char *made, *made_tree, *now_tree;
	/* the file is as the ref holds it: nothing changed, no commit; what the ref holds comes back */
	assert_int_equal(git_commit_files(repo, REF, old, paths, 1, "m", &made, &made_tree, NULL), 0);
	assert_string_equal(made, old);
	assert_string_equal(made_tree, old_tree);
	free(made);
	free(made_tree);
	put("a.jsonl", "one\ntwo\n");
	assert_int_equal(git_commit_files(repo, REF, old, paths, 1, "m", &made, &made_tree, NULL), 1);
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
	free(old);
	free(old_tree);
	free(now);
}

/* true when .git has a file whose name starts with prefix in the directory rel */
static bool git_dir_has(const char *rel, const char *prefix)
{
	char *dir = xasprintf("%s/.git/%s", repo, rel);
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	while (d && (e = readdir(d)))
		found |= !strncmp(e->d_name, prefix, strlen(prefix));
	if (d)
		closedir(d);
	free(dir);
	return found;
}

/* what git commit-tree made before: logbook's name, the message and a newline; modes by the owner's x bit */
static void a_commit_says_who_made_it_keeps_modes_and_leaves_its_objects_loose(void **state)
{
	const char *const paths[] = { "run.sh", "a.jsonl" };
	const char *cat[] = { "cat-file", "commit", REF, NULL };
	const char *ls[] = { "ls-tree", REF, NULL };
	char a_id[GIT_OID_HEX + 1], run_id[GIT_OID_HEX + 1], *made, *run = xasprintf("%s/run.sh", repo), *text;
	struct buf entries = BUF_INIT, want = BUF_INIT, out = BUF_INIT;
	(void)state;

	put("a.jsonl", "one\n");
	put("run.sh", "#!/bin/sh\n");
	assert_int_equal(chmod(run, 0755), 0);
	assert_int_equal(git_commit_files(repo, REF, NULL, paths, 2, "first", &made, NULL, &entries), 1);
	assert_int_equal(git_run(repo, NULL, &out, NULL, cat), 0);
	assert_non_null(strstr(buf_str(&out), "\nauthor logbook <logbook@localhost> "));
	assert_non_null(strstr(buf_str(&out), "\ncommitter logbook <logbook@localhost> "));
	assert_non_null(strstr(buf_str(&out), " +0000\n\nfirst\n"));
	assert_int_equal(strlen(strstr(buf_str(&out), "\n\nfirst\n")), 8);
	/* the index entries of what changed, in the order asked */
	git_object_id("blob", "one\n", 4, a_id);
	git_object_id("blob", "#!/bin/sh\n", 10, run_id);
	buf_addf(&want, "100755 %s\trun.sh", run_id);
	buf_addc(&want, '\0');
	buf_addf(&want, "100644 %s\ta.jsonl", a_id);
	buf_addc(&want, '\0');
	assert_int_equal(entries.len, want.len);
	assert_memory_equal(entries.data, want.data, want.len);
	text = git_out(ls);
	assert_non_null(strstr(text, "100755 blob "));
	free(text);
	/* a few objects stay loose, as a fetch leaves them: no pack a sync (gc --auto would repack after 50) */
	assert_false(git_dir_has("objects/pack", "pack-"));
	/* the mode alone changed: a commit */
	assert_int_equal(chmod(run, 0644), 0);
	buf_reset(&entries);
	assert_int_equal(git_commit_files(repo, REF, made, paths, 2, "second", NULL, NULL, &entries), 1);
	text = git_out(ls);
	assert_null(strstr(text, "100755"));
	free(text);
	buf_reset(&want);
	buf_addf(&want, "100644 %s\trun.sh", run_id);
	buf_addc(&want, '\0');
	assert_int_equal(entries.len, want.len);
	assert_memory_equal(entries.data, want.data, want.len);
	buf_release(&entries);
	buf_release(&want);
	buf_release(&out);
	free(made);
	free(run);
}

/* names fast-import would read otherwise unquoted: a quote, a backslash, a newline, a leading space */
static void odd_names_are_asked_about_and_committed_exactly(void **state)
{
	const char *const paths[] = { "q\"uote", "back\\slash", "new\nline", " lead", "\"" };
	const size_t n = sizeof paths / sizeof *paths;
	char *first, *head;
	struct git_files files;
	(void)state;

	for (size_t i = 0; i < n; i++)
		put(paths[i], paths[i]);
	assert_int_equal(commit(paths, n), 1);
	first = git_resolve(repo, REF);
	/* nothing changed: every answer matched its file */
	assert_int_equal(commit(paths, n), 0);
	put(paths[2], "changed");
	assert_int_equal(commit(paths, n), 1);
	head = git_resolve(repo, REF);
	assert_int_equal(git_changed_files(repo, first, head, &files), 0);
	assert_int_equal(files.n, 1);
	assert_string_equal(files.files[0].path, paths[2]);
	git_files_free(&files);
	for (size_t i = 0; i < n; i++) {
		char *text = content_at(head, paths[i]);
		assert_string_equal(text, i == 2 ? "changed" : paths[i]);
		free(text);
	}
	free(first);
	free(head);
}

/* a member's link or FIFO where a record file was: not followed, no hang, no commit, nothing left in .git */
static void a_link_or_a_fifo_in_place_of_a_file_is_never_read(void **state)
{
	const char *const file[] = { "a.jsonl" }, *const below[] = { "day/b.jsonl" }, *const fifo[] = { "f.jsonl" };
	char *p;
	(void)state;

	put("secret", "root only\n");
	p = xasprintf("%s/a.jsonl", repo);
	assert_int_equal(symlink("secret", p), 0);
	free(p);
	assert_int_equal(commit(file, 1), -1);
	assert_non_null(strstr(errget(), "symbolic link"));
	/* a link on the way to the file */
	put_dirs("real/b.jsonl", "root only\n");
	p = xasprintf("%s/day", repo);
	assert_int_equal(symlink("real", p), 0);
	free(p);
	assert_int_equal(commit(below, 1), -1);
	assert_non_null(strstr(errget(), "symbolic link"));
	p = xasprintf("%s/f.jsonl", repo);
	assert_int_equal(mkfifo(p, 0644), 0);
	free(p);
	assert_int_equal(commit(fifo, 1), -1);
	assert_non_null(strstr(errget(), "not a regular file"));
	assert_null(git_resolve(repo, REF));
	assert_false(git_dir_has("", "fast_import_crash_"));
}

/* the ref moved since old was read (another writer): the commit is refused and the ref left as it is */
static void a_ref_moved_since_old_was_read_is_left_alone(void **state)
{
	const char *const paths[] = { "a.jsonl" };
	char *first, *second, *now;
	(void)state;

	put("a.jsonl", "one\n");
	assert_int_equal(commit(paths, 1), 1);
	first = git_resolve(repo, REF);
	put("a.jsonl", "one\ntwo\n");
	assert_int_equal(commit(paths, 1), 1);
	second = git_resolve(repo, REF);
	put("a.jsonl", "one\ntwo\nthree\n");
	assert_int_equal(git_commit_files(repo, REF, first, paths, 1, "m", NULL, NULL, NULL), -1);
	assert_non_null(strstr(errget(), "fast-import"));
	now = git_resolve(repo, REF);
	assert_string_equal(now, second);
	/* no ref at all yet is an old value too */
	assert_int_equal(git_commit_files(repo, REF, NULL, paths, 1, "m", NULL, NULL, NULL), -1);
	free(now);
	now = git_resolve(repo, REF);
	assert_string_equal(now, second);
	assert_false(git_dir_has("", "fast_import_crash_"));
	free(first);
	free(second);
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
		T(files_not_named_keep_what_the_ref_holds),
		T(many_paths_are_committed_in_batches),
		T(changed_files_leave_out_deletions_and_read_odd_names_exactly),
		T(a_ref_moves_only_from_the_value_expected),
		T(a_blob_is_read_a_chunk_at_a_time_and_may_be_left_halfway),
		T(many_blobs_come_through_one_batch_in_the_order_asked),
		T(the_refs_read_at_once_agree_with_git_ref_by_ref),
		T(the_commit_made_and_its_tree_agree_with_git),
		T(refs_set_by_this_process_agree_with_git),
		T(a_commit_says_who_made_it_keeps_modes_and_leaves_its_objects_loose),
		T(odd_names_are_asked_about_and_committed_exactly),
		T(a_link_or_a_fifo_in_place_of_a_file_is_never_read),
		T(a_ref_moved_since_old_was_read_is_left_alone),
	};
	return cmocka_run_group_tests_name("git", tests, NULL, NULL);
}
