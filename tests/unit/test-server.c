/* server: postfix's alias_maps edited by setup, and logbook's own alias file */
#include "unit.h"

#include "base/buf.h"
#include "base/fs.h"
#include "setup/server.h"

static void an_entry_is_added_at_the_end_keeping_the_others(void **state)
{
	char *v;

	(void)state;
	v = server_maps_add("hash:/etc/aliases", "hash:/etc/logbook/aliases");
	assert_string_equal(v, "hash:/etc/aliases, hash:/etc/logbook/aliases");
	free(v);
	v = server_maps_add("hash:/etc/aliases,nis:mail.aliases  ldap:x", "hash:/etc/logbook/aliases");
	assert_string_equal(v, "hash:/etc/aliases, nis:mail.aliases, ldap:x, hash:/etc/logbook/aliases");
	free(v);
	v = server_maps_add("", "hash:/etc/logbook/aliases");
	assert_string_equal(v, "hash:/etc/logbook/aliases");
	free(v);
	/* there already: nothing changes */
	assert_null(server_maps_add("hash:/etc/aliases, hash:/etc/logbook/aliases", "hash:/etc/logbook/aliases"));
}

static void an_entry_is_removed_keeping_the_others(void **state)
{
	char *v;

	(void)state;
	v = server_maps_remove("hash:/etc/aliases, hash:/etc/logbook/aliases, ldap:x", "hash:/etc/logbook/aliases");
	assert_string_equal(v, "hash:/etc/aliases, ldap:x");
	free(v);
	v = server_maps_remove("hash:/etc/logbook/aliases", "hash:/etc/logbook/aliases");
	assert_string_equal(v, "");
	free(v);
	assert_null(server_maps_remove("hash:/etc/aliases", "hash:/etc/logbook/aliases"));
	/* a prefix is not the entry */
	assert_null(server_maps_remove("hash:/etc/logbook/aliases2", "hash:/etc/logbook/aliases"));
}

static void the_alias_file_holds_the_line_and_is_readable_by_postfix(void **state)
{
	char *dir = unit_tmpdir(), *path = NULL, *line;
	struct server s = { .root = (char *)"/", .real = true, .journal = (char *)"/var/lib/logbook" };
	struct buf b = BUF_INIT;
	struct stat st;

	(void)state;
	line = server_alias_line(&s, "/usr/bin/logbook");
	assert_string_equal(line, "logbook: \"|/usr/bin/logbook -C /var/lib/logbook ingest-mail\"");
	assert_true(asprintf(&path, "%s/etc/logbook/aliases", dir) > 0);
	assert_int_equal(server_alias_file_write(path, line, getuid(), getgid()), 0);
	assert_int_equal(fs_read_file(path, &b), 0);
	assert_non_null(strstr(buf_str(&b), "\nlogbook: \"|/usr/bin/logbook -C /var/lib/logbook ingest-mail\"\n"));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(st.st_uid, getuid());
	buf_release(&b);
	free(line);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_entry_is_added_at_the_end_keeping_the_others),
		cmocka_unit_test(an_entry_is_removed_keeping_the_others),
		cmocka_unit_test(the_alias_file_holds_the_line_and_is_readable_by_postfix),
	};
	return cmocka_run_group_tests_name("server", tests, NULL, NULL);
}
