/* fs: checked file system calls; every test works in a fresh directory under /tmp */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "base/err.h"
#include "base/fs.h"

/* dir/name, for the tests' own use */
static char *path_in(void **state, const char *name)
{
	size_t n = strlen(*state) + 1 + strlen(name) + 1;
	char *p = malloc(n);

	assert_non_null(p);
	snprintf(p, n, "%s/%s", (const char *)*state, name);
	return p;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* the names in dir, sorted, separated by spaces */
static void list_dir(const char *dir, char *out, size_t size)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	size_t used = 0;

	assert_true(n >= 0);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		const char *s = names[i]->d_name;
		if (strcmp(s, ".") && strcmp(s, ".."))
			used += (size_t)snprintf(out + used, size - used, "%s%s", used ? " " : "", s);
		free(names[i]);
		assert_true(used < size);
	}
	free(names);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static void binary_data_with_nul_bytes_round_trips(void **state)
{
	char *path = path_in(state, "data.bin");
	size_t len = 256 * 1000 + 7;	/* more than one 64 KiB read */
	unsigned char *data = malloc(len);
	struct buf b = BUF_INIT;
	int fd;

	for (size_t i = 0; i < len; i++)
		data[i] = (unsigned char)(i * 31 % 256);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(fs_write_all(fd, data, len), 0);
	assert_int_equal(close(fd), 0);

	assert_int_equal(fs_read_file(path, &b), 0);
	assert_int_equal(b.len, len);
	assert_memory_equal(b.data, data, len);
	assert_int_equal(b.data[len], '\0');
	buf_release(&b);
	free(data);
	free(path);
}

static void an_empty_file_reads_as_nothing(void **state)
{
	char *path = path_in(state, "empty");
	struct buf b = BUF_INIT;

	write_file(path, "", 0);
	assert_int_equal(fs_read_file(path, &b), 0);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	buf_release(&b);
	free(path);
}

static void reading_a_missing_file_names_it_in_the_error(void **state)
{
	char *path = path_in(state, "missing");
	char expected[600];
	struct buf b = BUF_INIT;

	assert_int_equal(fs_read_file(path, &b), -1);
	snprintf(expected, sizeof expected, "%s: No such file or directory", path);
	assert_string_equal(errget(), expected);
	buf_release(&b);
	free(path);
}

/* what others may put in place of a file logbook reads: a link is not followed, a FIFO not waited on */
static void read_regular_reads_only_a_regular_file_reached_without_a_link(void **state)
{
	char *file = path_in(state, "file"), *link = path_in(state, "link"), *fifo = path_in(state, "fifo");
	char expected[600];
	struct buf b = BUF_INIT;

	write_file(file, "abc", 3);
	assert_int_equal(fs_read_regular(file, &b), 0);
	assert_string_equal(buf_str(&b), "abc");
	assert_int_equal(symlink(file, link), 0);
	buf_reset(&b);
	assert_int_equal(fs_read_regular(link, &b), -1);
	assert_int_equal(b.len, 0);
	snprintf(expected, sizeof expected, "%s: a symbolic link: not read", link);
	assert_string_equal(errget(), expected);
	/* no writer ever comes: a blocking open would never return */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(fs_read_regular(fifo, &b), -1);
	snprintf(expected, sizeof expected, "%s: not a regular file: not read", fifo);
	assert_string_equal(errget(), expected);
	assert_int_equal(fs_read_regular(*state, &b), -1);
	buf_release(&b);
	free(file);
	free(link);
	free(fifo);
}

static void write_all_reports_a_bad_descriptor(void **state)
{
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	/* the read end cannot be written */
	errno = 0;
	assert_int_equal(fs_write_all(fds[0], "x", 1), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(fs_write_all(fds[1], "", 0), 0);
	close(fds[0]);
	close(fds[1]);
}

static int open_file_of(void **state, const char *name, size_t len)
{
	char *path = path_in(state, name);
	char *data = malloc(len + 1);
	int fd;

	memset(data, 'z', len);
	write_file(path, data, len);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	free(data);
	free(path);
	return fd;
}

static void read_fd_accepts_input_up_to_max_bytes(void **state)
{
	struct buf b = BUF_INIT;
	int fd;

	fd = open_file_of(state, "100", 100);
	assert_int_equal(fs_read_fd(fd, &b, 100), 0);
	assert_int_equal(b.len, 100);
	close(fd);
	buf_release(&b);

	/* max == 0: no limit */
	fd = open_file_of(state, "big", 200000);
	assert_int_equal(fs_read_fd(fd, &b, 0), 0);
	assert_int_equal(b.len, 200000);
	close(fd);
	buf_release(&b);
}

static void read_fd_fails_when_the_input_is_larger_than_max(void **state)
{
	struct buf b = BUF_INIT;
	int fd;

	fd = open_file_of(state, "101", 101);
	errno = 0;
	assert_int_equal(fs_read_fd(fd, &b, 100), -1);
	assert_int_equal(errno, EFBIG);
	close(fd);
	buf_release(&b);

	/* the limit is checked after every read, not only the first */
	fd = open_file_of(state, "big", 200000);
	errno = 0;
	assert_int_equal(fs_read_fd(fd, &b, 150000), -1);
	assert_int_equal(errno, EFBIG);
	close(fd);
	buf_release(&b);
}

static void read_fd_appends_to_what_the_buf_holds(void **state)
{
	struct buf b = BUF_INIT;
	int fd = open_file_of(state, "3", 3);

	buf_adds(&b, "head:");
	assert_int_equal(fs_read_fd(fd, &b, 0), 0);
	assert_string_equal(b.data, "head:zzz");
	close(fd);
	buf_release(&b);
}

static void write_atomic_creates_the_file_with_its_mode_and_no_lock_file(void **state)
{
	char *path = path_in(state, "team.conf");
	char names[200];
	struct buf b = BUF_INIT;
	mode_t old = umask(077);	/* the mode is set explicitly, whatever the umask */

	assert_int_equal(fs_write_atomic(path, "a\0b\n", 4, 0644), 0);
	umask(old);
	assert_int_equal(fs_read_file(path, &b), 0);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "a\0b\n", 4);
	assert_int_equal(mode_of(path), 0644);
	list_dir(*state, names, sizeof names);
	assert_string_equal(names, "team.conf");
	buf_release(&b);
	free(path);
}

static void write_atomic_replaces_the_content_and_mode(void **state)
{
	char *path = path_in(state, "f");
	char names[200], old_data[32];
	struct buf b = BUF_INIT;
	int old_fd;

	write_file(path, "the old content, longer", 23);
	assert_int_equal(chmod(path, 0600), 0);
	old_fd = open(path, O_RDONLY);
	assert_true(old_fd >= 0);

	assert_int_equal(fs_write_atomic(path, "new", 3, 0640), 0);
	assert_int_equal(fs_read_file(path, &b), 0);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "new");
	assert_int_equal(mode_of(path), 0640);
	/* renamed over, not rewritten in place: a reader that had it open sees the old file whole */
	assert_int_equal(read(old_fd, old_data, sizeof old_data), 23);
	assert_memory_equal(old_data, "the old content, longer", 23);
	close(old_fd);
	list_dir(*state, names, sizeof names);
	assert_string_equal(names, "f");

	/* an empty replacement is a replacement too */
	buf_release(&b);
	assert_int_equal(fs_write_atomic(path, "", 0, 0640), 0);
	assert_int_equal(fs_read_file(path, &b), 0);
	assert_int_equal(b.len, 0);
	buf_release(&b);
	free(path);
}

static void write_atomic_fails_while_another_writer_holds_the_lock_unless_told_it_died(void **state)
{
	char *path = path_in(state, "f");
	char *lock = path_in(state, "f.lock");
	char names[200];
	struct buf b = BUF_INIT;

	write_file(path, "old", 3);
	write_file(lock, "someone", 7);
	assert_int_equal(fs_write_atomic(path, "new", 3, 0644), -1);
	assert_non_null(strstr(errget(), "f.lock: exists: another logbook is writing"));
	/* neither the file nor the other writer's lock file is touched */
	assert_int_equal(fs_read_file(path, &b), 0);
	assert_string_equal(b.data, "old");
	buf_release(&b);
	assert_int_equal(fs_read_file(lock, &b), 0);
	assert_string_equal(b.data, "someone");
	list_dir(*state, names, sizeof names);
	assert_string_equal(names, "f f.lock");
	buf_release(&b);

	/* a caller whose own lock keeps other writers out takes it for a dead writer's */
	assert_int_equal(fs_write_atomic_flags(path, "new", 3, 0640, FS_ATOMIC_BREAK_LOCK | FS_ATOMIC_NO_SYNC), 0);
	assert_int_equal(fs_read_file(path, &b), 0);
	assert_string_equal(b.data, "new");
	assert_int_equal(mode_of(path), 0640);
	list_dir(*state, names, sizeof names);
	assert_string_equal(names, "f");
	buf_release(&b);
	free(lock);
	free(path);
}

static void write_atomic_into_a_missing_directory_fails_cleanly(void **state)
{
	char *path = path_in(state, "no/such/f");
	char names[200];

	assert_int_equal(fs_write_atomic(path, "x", 1, 0644), -1);
	assert_non_null(strstr(errget(), "no/such/f.lock: No such file or directory"));
	list_dir(*state, names, sizeof names);
	assert_string_equal(names, "");
	free(path);
}

static void mkdirs_creates_nested_directories_with_the_mode(void **state)
{
	char *top = path_in(state, "a");
	char *deep = path_in(state, "a/b/c");
	char *slash = path_in(state, "a/b/c/d/");
	char *d = path_in(state, "a/b/c/d");
	mode_t mask = umask(022);

	assert_int_equal(fs_mkdirs(deep, 0750), 0);
	assert_true(fs_is_dir(deep));
	assert_int_equal(mode_of(top), 0750);
	assert_int_equal(mode_of(deep), 0750);
	/* existing directories are fine, a trailing slash too */
	assert_int_equal(fs_mkdirs(deep, 0700), 0);
	assert_int_equal(mode_of(deep), 0750);
	assert_int_equal(fs_mkdirs(slash, 0700), 0);
	assert_true(fs_is_dir(d));
	assert_int_equal(fs_mkdirs("/", 0700), 0);
	umask(mask);
	free(top);
	free(deep);
	free(slash);
	free(d);
}

static void mkdirs_fails_when_a_file_is_in_the_way(void **state)
{
	char *file = path_in(state, "f");
	char *below = path_in(state, "f/x");
	char expected[600];

	write_file(file, "", 0);
	assert_int_equal(fs_mkdirs(file, 0750), -1);
	snprintf(expected, sizeof expected, "%s: not a directory", file);
	assert_string_equal(errget(), expected);
	assert_int_equal(fs_mkdirs(below, 0750), -1);
	snprintf(expected, sizeof expected, "%s: Not a directory", below);
	assert_string_equal(errget(), expected);
	free(file);
	free(below);
}

static void remove_tree_removes_everything_but_does_not_follow_symlinks(void **state)
{
	char *tree = path_in(state, "tree");
	char *deep = path_in(state, "tree/a/b");
	char *file = path_in(state, "tree/a/b/file");
	char *top_file = path_in(state, "tree/top");
	char *keep = path_in(state, "keep");
	char *kept = path_in(state, "keep/precious");
	char *link = path_in(state, "tree/a/link");
	char names[200];

	assert_int_equal(fs_mkdirs(deep, 0755), 0);
	write_file(file, "x", 1);
	write_file(top_file, "y", 1);
	assert_int_equal(fs_mkdirs(keep, 0755), 0);
	write_file(kept, "z", 1);
	assert_int_equal(symlink(keep, link), 0);

	assert_int_equal(fs_remove_tree(tree), 0);
	assert_false(fs_exists(tree));
	assert_true(fs_exists(kept));
	list_dir(*state, names, sizeof names);
	assert_string_equal(names, "keep");

	/* a missing path is already removed; a plain file is removed too */
	assert_int_equal(fs_remove_tree(tree), 0);
	assert_int_equal(fs_remove_tree(kept), 0);
	assert_false(fs_exists(kept));
	assert_true(fs_is_dir(keep));
	free(tree);
	free(deep);
	free(file);
	free(top_file);
	free(keep);
	free(kept);
	free(link);
}

static void exists_sees_dangling_symlinks_and_is_dir_follows_them(void **state)
{
	char *link = path_in(state, "dangling");
	char *dir_link = path_in(state, "dirlink");

	assert_int_equal(symlink("nowhere", link), 0);
	assert_true(fs_exists(link));
	assert_false(fs_is_dir(link));
	assert_int_equal(symlink(".", dir_link), 0);
	assert_true(fs_is_dir(dir_link));
	assert_false(fs_exists("/nonexistent/logbook-unit"));
	free(link);
	free(dir_link);
}

static void join_puts_exactly_one_slash_between_dir_and_name(void **state)
{
	static const struct {
		const char *dir, *name, *expected;
	} cases[] = {
		{ "a", "b", "a/b" },
		{ "a/", "b", "a/b" },
		{ "/", "etc", "/etc" },
		{ "/var/lib/logbook", "2026/2026_11_24", "/var/lib/logbook/2026/2026_11_24" },
		{ ".", "team.conf", "./team.conf" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *p = fs_join(cases[i].dir, cases[i].name);
		assert_string_equal(p, cases[i].expected);
		free(p);
	}
}

static bool not_b(const char *name, const void *arg)
{
	(void)arg;
	return name[0] != '.' && strcmp(name, "b");
}

static void list_dir_sorts_filters_and_takes_a_missing_dir_as_empty(void **state)
{
	const char *dir = *state;
	const char *names[] = { "c", "a", "b", ".hidden", "d" };
	char path[4096], **v;
	size_t n;

	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		write_file(path, "x", 1);
	}
	assert_int_equal(fs_list_dir(dir, NULL, NULL, false, &v, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[3], "d");
	fs_free_names(v, n);
	assert_int_equal(fs_list_dir(dir, not_b, NULL, true, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "d");
	assert_string_equal(v[1], "c");
	assert_string_equal(v[2], "a");
	fs_free_names(v, n);
	snprintf(path, sizeof path, "%s/missing", dir);
	assert_int_equal(fs_list_dir(path, NULL, NULL, false, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);
	snprintf(path, sizeof path, "%s/a", dir);
	assert_int_equal(fs_list_dir(path, NULL, NULL, false, &v, &n), -1);
}

static void read_bounded_keeps_max_bytes_and_counts_them_all(void **state)
{
	const char *dir = *state;
	char path[4096], *data = malloc(200000);
	struct buf b = BUF_INIT;
	size_t total = 0;
	int fd;

	assert_non_null(data);
	for (size_t i = 0; i < 200000; i++)
		data[i] = (char)('a' + i % 26);
	snprintf(path, sizeof path, "%s/big", dir);
	write_file(path, data, 200000);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fs_read_bounded(fd, &b, 70000, &total), 0);
	close(fd);
	assert_int_equal(total, 200000);
	assert_int_equal(b.len, 70000);
	assert_memory_equal(b.data, data, 70000);
	buf_release(&b);
	free(data);
	assert_int_equal(fs_read_bounded(-1, &b, 10, &total), -1);
}

/* ---- below a trusted directory ---- */

/* a group-writable directory "shared" in the test's directory: open ground */
static char *shared_dir(void **state)
{
	char *d = path_in(state, "shared");

	assert_int_equal(mkdir(d, 0770), 0);
	assert_int_equal(chmod(d, 0770), 0);
	return d;
}

static void open_below_never_follows_a_link_on_the_way_or_at_the_end(void **state)
{
	char *d = shared_dir(state), *target = path_in(state, "target"), *link = path_in(state, "shared/link");
	char *dirlink = path_in(state, "shared/dirlink");
	struct stat st;

	write_file(target, "secret", 6);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(symlink(*state, dirlink), 0);
	assert_int_equal(fs_open_below(*state, "shared/link", O_RDWR | O_CREAT, 0660, 0), -1);
	assert_non_null(strstr(errget(), "shared/link: is a symbolic link: refused"));
	assert_int_equal(fs_open_below(*state, "shared/dirlink/target", O_RDONLY, 0, 0), -1);
	assert_non_null(strstr(errget(), "shared/dirlink: is a symbolic link: refused"));
	assert_int_equal(fs_check_below(*state, "shared/link", 0), -1);
	assert_int_equal(fs_write_atomic_below(*state, "shared/dirlink/target", "x", 1, 0600, 0), -1);
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_size, 6);
	assert_int_equal(fs_dir_below(*state, "shared/../shared", 0, 0), -1);
	free(d);
	free(target);
	free(link);
	free(dirlink);
}

static void open_below_creates_then_reopens_its_own_file(void **state)
{
	char *d = shared_dir(state);
	int fd = fs_open_below(*state, "shared/lock", O_RDWR | O_CREAT, 0640, 0);
	struct stat st;

	assert_true(fd >= 0);
	assert_int_equal(fs_write_all(fd, "abc", 3), 0);
	close(fd);
	fd = fs_open_below(*state, "shared/lock", O_RDWR | O_CREAT | O_TRUNC, 0640, 0);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	assert_int_equal(fs_open_below(*state, "shared/lock", O_RDWR | O_CREAT | O_EXCL, 0640, 0), -1);
	assert_int_equal(fs_check_below(*state, "shared/lock", 0), 0);
	assert_int_equal(fs_check_below(*state, "shared/missing", 0), 0);
	assert_int_equal(fs_check_below(*state, "missing-dir/missing", 0), 0);
	free(d);
}

static void open_below_refuses_a_hard_link_or_a_fifo_in_open_ground_and_truncates_nothing(void **state)
{
	char *d = shared_dir(state), *outside = path_in(state, "outside"), *inside = path_in(state, "shared/index");
	char *fifo = path_in(state, "shared/fifo");
	struct stat st;

	write_file(outside, "keep me", 7);
	assert_int_equal(link(outside, inside), 0);
	assert_int_equal(fs_open_below(*state, "shared/index", O_WRONLY | O_TRUNC, 0, FS_BELOW_ANY_OWNER), -1);
	assert_non_null(strstr(errget(), "has 2 links: refused"));
	assert_int_equal(fs_check_below(*state, "shared/index", FS_BELOW_ANY_OWNER), -1);
	assert_int_equal(stat(outside, &st), 0);
	assert_int_equal(st.st_size, 7);
	assert_int_equal(mkfifo(fifo, 0660), 0);
	assert_int_equal(fs_open_below(*state, "shared/fifo", O_RDONLY, 0, FS_BELOW_ANY_OWNER), -1);
	assert_non_null(strstr(errget(), "not a regular file: refused"));
	/* in a directory only the caller writes, a second link is the caller's own business */
	assert_int_equal(chmod(d, 0700), 0);
	{
		int fd = fs_open_below(*state, "shared/index", O_RDONLY, 0, 0);
		assert_true(fd >= 0);
		close(fd);
	}
	free(d);
	free(outside);
	free(inside);
	free(fifo);
}

static void open_below_refuses_another_accounts_file_unless_told(void **state)
{
	char *d = shared_dir(state), *f = path_in(state, "shared/theirs");
	int fd;

	if (geteuid() != 0) {
		free(d);
		free(f);
		skip();
	}
	write_file(f, "x", 1);
	assert_int_equal(chown(f, 65534, 65534), 0);
	assert_int_equal(fs_open_below(*state, "shared/theirs", O_RDWR | O_CREAT, 0660, 0), -1);
	assert_non_null(strstr(errget(), "owned by uid 65534, not by uid 0: refused"));
	fd = fs_open_below(*state, "shared/theirs", O_RDWR | O_CREAT, 0660, FS_BELOW_ANY_OWNER);
	assert_true(fd >= 0);
	close(fd);
	free(d);
	free(f);
}

static void dir_below_makes_the_missing_directories_with_the_mode(void **state)
{
	char *p = path_in(state, "a/b/c");
	struct stat st;
	mode_t old = umask(077);
	int fd = fs_dir_below(*state, "a/b/c", FS_BELOW_MKDIRS | FS_BELOW_CHMOD, 02770);

	umask(old);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 02770);
	assert_int_equal(fs_dir_below(*state, "a/missing", 0, 0), -1);
	assert_int_equal(errno, ENOENT);
	free(p);
}

static void write_atomic_below_writes_through_a_real_directory(void **state)
{
	char *d = shared_dir(state), *p = path_in(state, "shared/state"), *lock = path_in(state, "shared/state.lock");
	struct buf b = BUF_INIT;

	assert_int_equal(fs_write_atomic_below(*state, "shared/state", "new", 3, 0640, 0), 0);
	assert_int_equal(fs_read_file(p, &b), 0);
	assert_string_equal(buf_str(&b), "new");
	assert_false(fs_exists(lock));
	buf_release(&b);
	free(d);
	free(p);
	free(lock);
}

/* what only root can change is trusted, by root and by anyone: the system's own programs */
static void trusted_accepts_a_root_owned_path_no_one_else_may_write(void **state)
{
	(void)state;
	assert_true(fs_trusted("/usr/bin/env", geteuid()));
	assert_true(fs_trusted("/usr/bin/env", 12345));
	assert_true(fs_trusted("/", geteuid()));
}

/*
 * a directory on the way that others may write (not sticky): they could
 * have put the file there; the file itself group-writable; a private
 * directory others may not even read is still trusted
 */
static void trusted_refuses_a_path_others_may_write_on_the_way(void **state)
{
	char *open_dir = path_in(state, "open"), *f = path_in(state, "open/builtin.so");
	char *own = path_in(state, "own.so"), *d = path_in(state, "private");

	assert_int_equal(mkdir(open_dir, 0755), 0);
	assert_int_equal(chmod(open_dir, 0777), 0);
	write_file(f, "x", 1);
	assert_int_equal(chmod(f, 0644), 0);
	assert_false(fs_trusted(f, geteuid()));
	assert_non_null(strstr(errget(), "may be written by others"));
	assert_non_null(strstr(errget(), open_dir));
	/* group-writable only: the same */
	assert_int_equal(chmod(open_dir, 0775), 0);
	assert_false(fs_trusted(f, geteuid()));
	/* the file itself group-writable: named in the error */
	write_file(own, "x", 1);
	assert_int_equal(chmod(own, 0664), 0);
	assert_false(fs_trusted(own, geteuid()));
	assert_non_null(strstr(errget(), own));
	assert_int_equal(chmod(own, 0644), 0);
	assert_true(fs_trusted(own, geteuid()));
	assert_int_equal(mkdir(d, 0700), 0);
	assert_true(fs_trusted(d, geteuid()));
	free(open_dir);
	free(f);
	free(own);
	free(d);
}

/*
 * a sticky directory (as /tmp): others may add names there but not
 * rename or remove this account's; what lies below is judged by its own
 * owner and modes; the sticky directory itself is not trusted
 */
static void trusted_takes_a_sticky_directory_on_the_way(void **state)
{
	char *sticky = path_in(state, "sticky"), *sub = path_in(state, "sticky/build");
	char *f = path_in(state, "sticky/build/builtin.so"), *g = path_in(state, "sticky/builtin.so");

	assert_int_equal(mkdir(sticky, 0755), 0);
	assert_int_equal(chmod(sticky, 01777), 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	write_file(f, "x", 1);
	assert_int_equal(chmod(f, 0644), 0);
	write_file(g, "x", 1);
	assert_int_equal(chmod(g, 0644), 0);
	assert_true(fs_trusted(f, geteuid()));
	assert_true(fs_trusted(g, geteuid()));
	assert_false(fs_trusted(sticky, geteuid()));
	/* without the sticky bit anyone could rename build away and put another there */
	assert_int_equal(chmod(sticky, 0777), 0);
	assert_false(fs_trusted(f, geteuid()));
	assert_int_equal(chmod(sticky, 01777), 0);
	if (geteuid() == 0) {
		/* another account's directory in the sticky one: theirs to change */
		assert_int_equal(chown(sub, 12345, 12345), 0);
		assert_false(fs_trusted(f, 0));
		assert_non_null(strstr(errget(), "belongs to uid 12345"));
		assert_int_equal(chown(sub, 0, 0), 0);
	}
	free(sticky);
	free(sub);
	free(f);
	free(g);
}

static void trusted_refuses_another_accounts_file_a_missing_one_and_a_relative_path(void **state)
{
	char *f = path_in(state, "theirs.so");

	write_file(f, "x", 1);
	assert_int_equal(chmod(f, 0644), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(f, 12345, 12345), 0);
		assert_false(fs_trusted(f, 0));
		assert_non_null(strstr(errget(), "belongs to uid 12345"));
		/* the account itself may trust its own file */
		assert_true(fs_trusted(f, 12345));
	}
	assert_false(fs_trusted("/nonexistent/logbook-bash.so", geteuid()));
	assert_false(fs_trusted("usr/bin/env", geteuid()));
	assert_non_null(strstr(errget(), "not an absolute path"));
	free(f);
}

#define TMP_TEST(f) cmocka_unit_test_setup_teardown(f, unit_make_dir, unit_remove_dir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TMP_TEST(binary_data_with_nul_bytes_round_trips),
		TMP_TEST(an_empty_file_reads_as_nothing),
		TMP_TEST(reading_a_missing_file_names_it_in_the_error),
		cmocka_unit_test(write_all_reports_a_bad_descriptor),
		TMP_TEST(read_fd_accepts_input_up_to_max_bytes),
		TMP_TEST(read_fd_fails_when_the_input_is_larger_than_max),
		TMP_TEST(read_fd_appends_to_what_the_buf_holds),
		TMP_TEST(write_atomic_creates_the_file_with_its_mode_and_no_lock_file),
		TMP_TEST(write_atomic_replaces_the_content_and_mode),
		TMP_TEST(write_atomic_fails_while_another_writer_holds_the_lock_unless_told_it_died),
		TMP_TEST(write_atomic_into_a_missing_directory_fails_cleanly),
		TMP_TEST(mkdirs_creates_nested_directories_with_the_mode),
		TMP_TEST(mkdirs_fails_when_a_file_is_in_the_way),
		TMP_TEST(remove_tree_removes_everything_but_does_not_follow_symlinks),
		TMP_TEST(exists_sees_dangling_symlinks_and_is_dir_follows_them),
		cmocka_unit_test(join_puts_exactly_one_slash_between_dir_and_name),
		TMP_TEST(list_dir_sorts_filters_and_takes_a_missing_dir_as_empty),
		TMP_TEST(read_bounded_keeps_max_bytes_and_counts_them_all),
		TMP_TEST(read_regular_reads_only_a_regular_file_reached_without_a_link),
		TMP_TEST(open_below_never_follows_a_link_on_the_way_or_at_the_end),
		TMP_TEST(open_below_creates_then_reopens_its_own_file),
		TMP_TEST(open_below_refuses_a_hard_link_or_a_fifo_in_open_ground_and_truncates_nothing),
		TMP_TEST(open_below_refuses_another_accounts_file_unless_told),
		TMP_TEST(dir_below_makes_the_missing_directories_with_the_mode),
		TMP_TEST(write_atomic_below_writes_through_a_real_directory),
		cmocka_unit_test(trusted_accepts_a_root_owned_path_no_one_else_may_write),
		TMP_TEST(trusted_refuses_a_path_others_may_write_on_the_way),
		TMP_TEST(trusted_takes_a_sticky_directory_on_the_way),
		TMP_TEST(trusted_refuses_another_accounts_file_a_missing_one_and_a_relative_path),
	};
	return cmocka_run_group_tests_name("fs", tests, NULL, NULL);
}
