/*
 * gitobj: the commits logbook writes itself, checked against git: the
 * same files committed by git fast-import (git_commit_files) on another
 * ref must give the same tree, git fsck must find nothing wrong, and
 * trees logbook formats must have the ids git mktree gives them.
 */
#include "unit-git.h"

#include <dirent.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/hex.h"
#include "base/xalloc.h"
#include "replica/git.h"
#include "replica/gitobj.h"

#define OURS "refs/heads/hosts/web1"
#define GITS "refs/heads/hosts/git"

static char *repo, *cache, *path_before;

static int setup(void **state)
{
	(void)state;
	if (!(repo = unit_git_repo()))
		return -1;
	cache = xasprintf("%s/.git/trees.test", repo);
	path_before = xstrdup(getenv("PATH"));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	setenv("PATH", path_before, 1);
	free(path_before);
	unit_rmtree(repo);
	free(repo);
	free(cache);
	return 0;
}

/* repo/rel holds text, with the directories it needs */
static void put(const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", repo, rel);

	for (char *s = strchr(p + strlen(repo) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	unit_write(p, text, strlen(text), 0);
	free(p);
}

static const char *repo_git(void)
{
	static char *p;

	free(p);
	p = xasprintf("%s/.git", repo);
	return p;
}

static char *git_out(const char *const args[])
{
	return unit_git_out(repo, args);
}

static char *tree_of(const char *ref)
{
	char *spec = xasprintf("%s^{tree}", ref), *t;
	const char *args[] = { "rev-parse", spec, NULL };

	t = git_out(args);
	free(spec);
	return t;
}

/* paths committed onto ref by logbook (ours) or by git fast-import; the result */
static int commit_ours(const char *const paths[], size_t n, char **made)
{
	char *old = git_resolve(repo, OURS), *old_tree = old ? tree_of(OURS) : NULL;
	int rc = gitobj_commit(repo, OURS, old, old_tree, paths, n, "logbook: web1 up to seq 1", cache, made, NULL,
			       NULL);

	free(old);
	free(old_tree);
	return rc;
}

static int commit_git(const char *ref, const char *const paths[], size_t n)
{
	char *old = git_resolve(repo, ref);
	int rc = git_commit_files(repo, ref, old, paths, n, "git", NULL, NULL, NULL);

	free(old);
	return rc;
}

/* the loose objects in the repository */
static size_t loose_objects(void)
{
	size_t n = 0;

	for (int i = 0; i < 256; i++) {
		char *dir = xasprintf("%s/.git/objects/%02x", repo, i);
		DIR *d = opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d)))
			n += e->d_name[0] != '.';
		if (d)
			closedir(d);
		free(dir);
	}
	return n;
}

/* both refs start from one commit of these files */
static void start_both(const char *const paths[], size_t n)
{
	assert_int_equal(commit_git(OURS, paths, n), 1);
	{
		char *id = git_resolve(repo, OURS);
		assert_int_equal(git_update_ref(repo, GITS, id, NULL), 0);
		free(id);
	}
}

static void a_commit_logbook_writes_has_the_tree_git_makes_and_passes_fsck(void **state)
{
	const char *const first[] = { "2025/2025_12_30/web1.jsonl", "2025/2025_12_31/web1.jsonl" };
	/* today's file grows, a new day, a new year, an executable file at the root, a name that sorts before a day */
	const char *const next[] = { "2025/2025_12_31/web1.jsonl", "2025/2025_12_31-x", "2026/2026_01_01/web1.jsonl",
				     "run.sh" };
	const char *fsck[] = { "fsck", "--strict", "--no-dangling", NULL };
	const char *cat[] = { "cat-file", "commit", OURS, NULL };
	char *made, *ours, *gits, *old, *text, *run = xasprintf("%s/run.sh", repo);
	(void)state;

	put(first[0], "a\n");
	put(first[1], "b\n");
	start_both(first, 2);
	old = git_resolve(repo, OURS);
	put(next[0], "b\nc\n");
	put(next[1], "x\n");
	put(next[2], "new year\n");
	put(next[3], "#!/bin/sh\n");
	assert_int_equal(chmod(run, 0755), 0);
	assert_int_equal(commit_ours(next, 4, &made), 1);
	assert_int_equal(commit_git(GITS, next, 4), 1);
	ours = tree_of(OURS);
	gits = tree_of(GITS);
	assert_string_equal(ours, gits);
	/* the ref is the commit made, on the old one; git finds nothing wrong in any object */
	{
		char *now = git_resolve(repo, OURS);
		assert_string_equal(now, made);
		free(now);
	}
	assert_int_equal(git_is_ancestor(repo, old, made), 1);
	assert_int_equal(git_run(repo, NULL, NULL, NULL, fsck), 0);
	text = git_out(cat);
	assert_non_null(strstr(text, "\nauthor logbook <logbook@localhost> "));
	assert_non_null(strstr(text, "\ncommitter logbook <logbook@localhost> "));
	assert_non_null(strstr(text, " +0000\n\nlogbook: web1 up to seq 1"));
	free(text);
	free(run);
	free(made);
	free(ours);
	free(gits);
	free(old);
}

static void nothing_changed_makes_no_commit_and_writes_no_object(void **state)
{
	const char *const paths[] = { "2026/2026_01_01/web1.jsonl" };
	char *made, *old;
	size_t before;
	(void)state;

	put(paths[0], "a\n");
	start_both(paths, 1);
	old = git_resolve(repo, OURS);
	before = loose_objects();
	assert_int_equal(commit_ours(paths, 1, &made), 0);
	assert_string_equal(made, old);
	assert_int_equal(loose_objects(), before);
	free(made);
	free(old);
}

/* a git in PATH that fails "cat-file" and runs the real one otherwise */
static void no_cat_file(void)
{
	char *bin = xasprintf("%s/bin", repo), *script = xasprintf("%s/git", bin), *text, *path, *real = NULL;

	/* the git of PATH */
	for (const char *d = path_before; *d && !real; d += strcspn(d, ":") + (d[strcspn(d, ":")] == ':')) {
		char *c = xasprintf("%.*s/git", (int)strcspn(d, ":"), d);
		if (access(c, X_OK) == 0)
			real = c;
		else
			free(c);
	}
	assert_non_null(real);

	mkdir(bin, 0755);
	text = xasprintf("#!/bin/sh\n[ \"$1\" = cat-file ] && exit 1\nexec %s \"$@\"\n", real);
	unit_write(script, text, strlen(text), 0);
	assert_int_equal(chmod(script, 0755), 0);
	path = xasprintf("%s:%s", bin, path_before);
	setenv("PATH", path, 1);
	free(path);
	free(text);
	free(script);
	free(bin);
	free(real);
}

static void the_next_commit_takes_the_trees_from_the_cache_and_never_a_damaged_one(void **state)
{
	const char *const paths[] = { "2026/2026_01_01/web1.jsonl" };
	char *made = NULL;
	size_t size = 0;
	char *text;
	(void)state;

	put(paths[0], "a\n");
	start_both(paths, 1);
	put(paths[0], "a\nb\n");
	/* no cache yet: git cat-file reads the old trees */
	assert_int_equal(commit_ours(paths, 1, &made), 1);
	free(made);
	/* the cache holds what the next commit needs: no git cat-file */
	no_cat_file();
	put(paths[0], "a\nb\nc\n");
	assert_int_equal(commit_ours(paths, 1, &made), 1);
	free(made);
	/* a tree of the cache changed: not taken, and without git cat-file no commit is made */
	text = unit_read(cache, &size);
	assert_non_null(text);
	text[size - 3] ^= 1;
	unit_write(cache, text, size, 0);
	free(text);
	put(paths[0], "a\nb\nc\nd\n");
	assert_int_equal(commit_ours(paths, 1, &made), GITOBJ_NOT_HERE);
	assert_null(made);
	/* git back: the commit is made, and it is right */
	setenv("PATH", path_before, 1);
	assert_int_equal(commit_ours(paths, 1, &made), 1);
	assert_int_equal(commit_git(GITS, paths, 1), 1);
	{
		char *ours = tree_of(OURS), *gits = tree_of(GITS);
		assert_string_equal(ours, gits);
		free(ours);
		free(gits);
	}
	free(made);
}

static void a_ref_moved_since_old_was_read_is_left_alone(void **state)
{
	const char *const paths[] = { "a.jsonl" };
	char *first, *old_tree, *second, *now, *made = NULL;
	(void)state;

	put(paths[0], "1\n");
	start_both(paths, 1);
	first = git_resolve(repo, OURS);
	old_tree = tree_of(OURS);
	put(paths[0], "1\n2\n");
	assert_int_equal(commit_git(OURS, paths, 1), 1);
	second = git_resolve(repo, OURS);
	put(paths[0], "1\n2\n3\n");
	assert_int_equal(gitobj_commit(repo, OURS, first, old_tree, paths, 1, "m", cache, &made, NULL, NULL), -1);
	assert_null(made);
	now = git_resolve(repo, OURS);
	assert_string_equal(now, second);
	free(first);
	free(old_tree);
	free(second);
	free(now);
}

static void a_first_commit_is_left_to_git_and_a_link_is_never_read(void **state)
{
	const char *const paths[] = { "a.jsonl" }, *const link[] = { "b.jsonl" };
	char *made = NULL, *p;
	(void)state;

	put(paths[0], "1\n");
	assert_int_equal(commit_ours(paths, 1, &made), GITOBJ_NOT_HERE);
	assert_null(git_resolve(repo, OURS));
	start_both(paths, 1);
	put("secret", "root only\n");
	p = xasprintf("%s/b.jsonl", repo);
	assert_int_equal(symlink("secret", p), 0);
	free(p);
	assert_int_equal(commit_ours(link, 1, &made), -1);
	assert_non_null(strstr(errget(), "symbolic link"));
	assert_null(made);
}

/* a tree as git mktree makes it from "<mode> <type> <id>\t<name>" lines */
static char *mktree(const char *lines)
{
	const char *args[] = { "mktree", NULL };
	struct buf in = BUF_INIT, out = BUF_INIT;

	buf_adds(&in, lines);
	assert_int_equal(git_run_input(repo, NULL, &in, &out, args), 0);
	buf_release(&in);
	while (out.len && out.data[out.len - 1] == '\n')
		buf_truncate(&out, out.len - 1);
	return buf_detach(&out, NULL);
}

static void trees_are_formatted_in_gits_order_and_parsed_only_as_git_writes_them(void **state)
{
	char blob[2 * GITOBJ_RAW + 1], sub[2 * GITOBJ_RAW + 1], id[2 * GITOBJ_RAW + 1], *lines, *git_id;
	struct gitobj_tree t = { NULL, 0 }, back;
	struct buf raw = BUF_INIT;
	const struct {
		unsigned mode;
		const char *name;
		const char *id;
	} e[] = { { 040000, "a", sub }, { 0100644, "a-b", blob }, { 0100755, "a.c", blob }, { 0100644, "a0", blob },
		  { 040000, "2026", sub }, { 0100644, "2026_x", blob } };
	(void)state;

	assert_int_equal(gitobj_write(repo_git(), "blob", "x\n", 2, blob), 0);
	assert_int_equal(gitobj_write(repo_git(), "tree", "", 0, sub), 0);
	/* entries given out of order: formatted in git's */
	t.n = sizeof e / sizeof *e;
	t.v = xcalloc(t.n, sizeof *t.v);
	for (size_t i = 0; i < t.n; i++) {
		t.v[i].mode = e[i].mode;
		t.v[i].name = xstrdup(e[i].name);
		assert_int_equal(hex_decode(e[i].id, GITOBJ_RAW, t.v[i].id), 0);
	}
	gitobj_tree_format(&t, &raw);
	git_object_id("tree", raw.data, raw.len, id);
	lines = xasprintf("040000 tree %s\t2026\n100644 blob %s\t2026_x\n040000 tree %s\ta\n100644 blob %s\ta-b\n"
			  "100755 blob %s\ta.c\n100644 blob %s\ta0\n", sub, blob, sub, blob, blob, blob);
	git_id = mktree(lines);
	assert_string_equal(id, git_id);
	/* parsed back: the same entries, formatted again: the same bytes */
	assert_int_equal(gitobj_tree_parse(raw.data, raw.len, &back), 0);
	assert_int_equal(back.n, t.n);
	{
		struct buf again = BUF_INIT;
		gitobj_tree_format(&back, &again);
		assert_int_equal(again.len, raw.len);
		assert_memory_equal(again.data, raw.data, raw.len);
		buf_release(&again);
	}
	gitobj_tree_release(&back);
	/* what git never writes: a padded mode, a name twice (file and tree), out of order, cut short, a '/' */
	{
		static const char *const bad[] = { "040000 a", "100644 b|100644 a", "40000 a|100644 a",
						   "100644 a/b", "100644 .git", "100644 ", "1x0644 a" };
		for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
			struct buf b = BUF_INIT;
			const char *s = bad[k];
			while (*s) {
				size_t len = strcspn(s, "|");
				buf_add(&b, s, len);
				buf_addc(&b, '\0');
				buf_add(&b, t.v[0].id, GITOBJ_RAW);
				s += len + (s[len] == '|');
			}
			assert_int_equal(gitobj_tree_parse(b.data, b.len, &back), -1);
			buf_release(&b);
		}
		/* cut in the middle of an id */
		assert_int_equal(gitobj_tree_parse(raw.data, raw.len - 1, &back), -1);
	}
	gitobj_tree_release(&t);
	buf_release(&raw);
	free(lines);
	free(git_id);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_commit_logbook_writes_has_the_tree_git_makes_and_passes_fsck),
		T(nothing_changed_makes_no_commit_and_writes_no_object),
		T(the_next_commit_takes_the_trees_from_the_cache_and_never_a_damaged_one),
		T(a_ref_moved_since_old_was_read_is_left_alone),
		T(a_first_commit_is_left_to_git_and_a_link_is_never_read),
		T(trees_are_formatted_in_gits_order_and_parsed_only_as_git_writes_them),
	};
	return cmocka_run_group_tests_name("gitobj", tests, NULL, NULL);
}
