/* spoolfd: the spool descriptor a hooked shell keeps; every test works in a fresh directory under /tmp */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>

#include "hookfd/spoolfd.h"

/* dir/name */
static char *path_in(const char *dir, const char *name)
{
	size_t n = strlen(dir) + 1 + strlen(name) + 1;
	char *p = malloc(n);

	assert_non_null(p);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* the whole file, NUL-terminated */
static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* the descriptors open in this process */
static int open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 256; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

static bool cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags >= 0 && (flags & FD_CLOEXEC);
}

static void own_dir_is_a_real_directory_of_this_account(void **state)
{
	const char *dir = *state;
	char *link = path_in(dir, "link"), *file = path_in(dir, "file");

	assert_true(spoolfd_own_dir(dir));
	assert_int_equal(symlink(dir, link), 0);
	assert_false(spoolfd_own_dir(link));
	unit_write(file, "x", 1, 0);
	assert_false(spoolfd_own_dir(file));
	assert_false(spoolfd_own_dir("/nonexistent/spool"));
	free(link);
	free(file);
}

static void get_opens_close_on_exec_where_the_shell_wants_it_and_keeps_it(void **state)
{
	const char *dir = *state;
	char *spool = path_in(dir, "s.spool");
	struct spoolfd zsh = SPOOLFD_INIT(10, -1), bash = SPOOLFD_INIT(3, 9);
	int fd, n;

	unit_write(spool, "", 0, 0);
	n = open_fds();
	fd = spoolfd_get(&zsh, dir, spool);
	assert_true(fd >= 10);
	/* one more, no other left behind */
	assert_int_equal(open_fds(), n + 1);
	assert_true(cloexec(fd));
	assert_int_equal(spoolfd_get(&zsh, dir, spool), fd);
	/* bash's: the highest free of 3..9 */
	fd = spoolfd_get(&bash, dir, spool);
	assert_true(fd >= 3 && fd <= 9);
	assert_int_equal(open_fds(), n + 2);
	assert_true(cloexec(fd));
	for (int above = fd + 1; above <= 9; above++)
		assert_true(fcntl(above, F_GETFD) >= 0);
	assert_int_equal(spoolfd_write(fd, "one\n", 4), 0);
	assert_int_equal(spoolfd_write(zsh.fd, "two\n", 4), 0);
	assert_string_equal(slurp(spool), "one\ntwo\n");
	spoolfd_close(&zsh);
	spoolfd_close(&bash);
	assert_int_equal(zsh.fd, -1);
	free(spool);
}

static void get_refuses_a_spool_elsewhere_a_symlink_or_a_linked_directory(void **state)
{
	const char *dir = *state;
	char *spool = path_in(dir, "s.spool"), *link = path_in(dir, "l.spool"), *dlink = path_in(dir, "d");
	char *via = path_in(dlink, "s.spool");
	struct spoolfd s = SPOOLFD_INIT(10, -1);

	unit_write(spool, "", 0, 0);
	assert_int_equal(spoolfd_get(&s, "/tmp", spool), -1);
	assert_int_equal(symlink(spool, link), 0);
	assert_int_equal(spoolfd_get(&s, dir, link), -1);
	assert_int_equal(symlink(dir, dlink), 0);
	assert_int_equal(spoolfd_get(&s, dlink, via), -1);
	assert_int_equal(spoolfd_get(&s, dir, dir), -1);
	assert_string_equal(slurp(spool), "");
	free(spool);
	free(link);
	free(dlink);
	free(via);
}

static void a_users_descriptor_at_its_number_is_left_alone(void **state)
{
	const char *dir = *state;
	char *spool = path_in(dir, "s.spool"), *mine = path_in(dir, "mine");
	struct spoolfd s = SPOOLFD_INIT(10, -1);
	int fd, user, again;

	unit_write(spool, "", 0, 0);
	fd = spoolfd_get(&s, dir, spool);
	assert_true(fd >= 10);
	/* the user closes it and opens a file of theirs at that number (exec {fd}>&-, exec {u}>file) */
	close(fd);
	user = open(mine, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(user >= 0);
	assert_int_equal(dup2(user, fd), fd);
	close(user);
	again = spoolfd_get(&s, dir, spool);
	assert_true(again >= 10 && again != fd);
	assert_true(fcntl(fd, F_GETFD) >= 0);
	assert_int_equal(spoolfd_write(again, "rec\n", 4), 0);
	assert_int_equal(write(fd, "users\n", 6), 6);
	assert_string_equal(slurp(spool), "rec\n");
	assert_string_equal(slurp(mine), "users\n");
	close(fd);
	spoolfd_close(&s);
	free(spool);
	free(mine);
}

static void a_spool_replaced_or_gone_is_not_written_through_the_old_descriptor(void **state)
{
	const char *dir = *state;
	char *spool = path_in(dir, "s.spool"), *away = path_in(dir, "away");
	struct spoolfd s = SPOOLFD_INIT(10, -1);
	int fd;

	unit_write(spool, "", 0, 0);
	fd = spoolfd_get(&s, dir, spool);
	assert_true(fd >= 0);
	assert_int_equal(rename(spool, away), 0);
	assert_int_equal(spoolfd_get(&s, dir, spool), -1);
	unit_write(spool, "", 0, 0);
	fd = spoolfd_get(&s, dir, spool);
	assert_true(fd >= 0);
	assert_int_equal(spoolfd_write(fd, "new\n", 4), 0);
	assert_string_equal(slurp(spool), "new\n");
	assert_string_equal(slurp(away), "");
	spoolfd_close(&s);
	free(spool);
	free(away);
}

#define TMP_TEST(f) cmocka_unit_test_setup_teardown(f, unit_make_dir, unit_remove_dir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TMP_TEST(own_dir_is_a_real_directory_of_this_account),
		TMP_TEST(get_opens_close_on_exec_where_the_shell_wants_it_and_keeps_it),
		TMP_TEST(get_refuses_a_spool_elsewhere_a_symlink_or_a_linked_directory),
		TMP_TEST(a_users_descriptor_at_its_number_is_left_alone),
		TMP_TEST(a_spool_replaced_or_gone_is_not_written_through_the_old_descriptor),
	};
	return cmocka_run_group_tests_name("spoolfd", tests, NULL, NULL);
}
