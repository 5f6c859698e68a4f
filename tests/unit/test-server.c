/* server: postfix's alias_maps edited by setup, and logbook's own alias file */
#include "unit.h"

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
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

static void a_replica_key_is_let_in_restricted(void **state)
{
	const char *ed = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDEe19lJ7KGbGxQjvPUxjrkmseMjNWlzICNnuEx5TFWC";
	char *in, *line;

	(void)state;
	in = xasprintf("%s logbook@web1\n", ed);
	line = server_replica_key_line(in);
	assert_non_null(line);
	assert_true(!strncmp(line, "restrict ssh-ed25519 AAAA", 25));
	assert_non_null(strstr(line, " logbook@web1"));
	assert_null(strchr(line, '\n'));
	free(line);
	free(in);
	/* options someone put before the key are dropped: the line says restrict, nothing else */
	in = xasprintf("command=\"sh\",no-pty %s logbook@web1", ed);
	line = server_replica_key_line(in);
	assert_true(!strncmp(line, "restrict ssh-ed25519 ", 21));
	assert_null(strstr(line, "command="));
	free(line);
	free(in);
	/* a comment that is not plain text is left out */
	in = xasprintf("%s evil\033]52;c;x\007", ed);
	line = server_replica_key_line(in);
	assert_non_null(line);
	assert_null(strchr(line, '\033'));
	assert_null(strstr(line, "evil"));
	free(line);
	free(in);
	assert_null(server_replica_key_line("not a key"));
	assert_null(server_replica_key_line(""));
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

/* a merged /usr holds every unit twice (/lib is /usr/lib): each is named once, the skipped digest too */
static void a_unit_in_two_directories_is_named_once(void **state)
{
	char *dir = unit_tmpdir(), **names, *p;
	const char *const dirs[] = { "usr/lib/systemd/system", "lib/systemd/system" };
	const char *const units[] = { "logbook-sync.timer", "logbook-digest.timer" };
	struct buf skipped = BUF_INIT;
	struct server s;
	size_t n;

	(void)state;
	for (size_t i = 0; i < 2; i++)
		for (size_t k = 0; k < 2; k++) {
			p = xasprintf("%s/%s", dir, dirs[i]);
			assert_int_equal(fs_mkdirs(p, 0755), 0);
			free(p);
			p = xasprintf("%s/%s/%s", dir, dirs[i], units[k]);
			assert_int_equal(fs_write_atomic(p, "[Timer]\n", 8, 0644), 0);
			free(p);
		}
	assert_int_equal(server_init(&s, dir, NULL), 0);
	server_timers(&s, NULL, &names, &n, &skipped);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "logbook-sync.timer");
	assert_string_equal(buf_str(&skipped), "logbook-digest.timer: not enabled: team.conf has no digest.to\n");
	server_names_free(names, n);
	server_release(&s);
	buf_release(&skipped);
	unit_rmtree(dir);
	free(dir);
}

/* APT's hook lines: guarded, with || true, the journal named; a path APT cannot quote is refused */
static void the_apt_hook_never_stops_apt(void **state)
{
	char *dir = unit_tmpdir(), *body;
	struct server s;

	(void)state;
	unsetenv("LOGBOOK_DIR");
	assert_int_equal(server_init(&s, dir, NULL), 0);
	body = server_apt_conf_body(&s, "/usr/bin/logbook");
	assert_non_null(body);
	assert_non_null(strstr(body, "DPkg::Pre-Invoke { \"if [ -x '/usr/bin/logbook' ]; then '/usr/bin/logbook' -C '"));
	assert_non_null(strstr(body, "/var/lib/logbook' apt-hook pre </dev/null || true; fi\"; };\n"));
	assert_non_null(strstr(body, "' apt-hook post </dev/null || true; fi\"; };\n"));
	free(body);
	assert_null(server_apt_conf_body(&s, "/opt/\"x/logbook"));
	assert_non_null(strstr(errget(), "cannot go in an APT configuration string"));
	server_release(&s);
	unit_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_entry_is_added_at_the_end_keeping_the_others),
		cmocka_unit_test(an_entry_is_removed_keeping_the_others),
		cmocka_unit_test(the_alias_file_holds_the_line_and_is_readable_by_postfix),
		cmocka_unit_test(a_replica_key_is_let_in_restricted),
		cmocka_unit_test(a_unit_in_two_directories_is_named_once),
		cmocka_unit_test(the_apt_hook_never_stops_apt),
	};
	return cmocka_run_group_tests_name("server", tests, NULL, NULL);
}
