/*
 * ident: the host, the admin (in the order of ident.h), the account and
 * the session, from the environment and the system.
 *
 * The kernel's login uid cannot be set by a test, so the tests of the
 * rules after it (SUDO_USER, the account) run only where the process has
 * none, as under a daemon or in a container; where it has one, the test
 * that it wins runs instead.
 */
#include "unit.h"

#include <pwd.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "journal/ident.h"
#include "journal/store.h"
#include "journal/team.h"

static const char *const vars[] = {
	"LOGBOOK_HOST", "LOGBOOK_USER", "LOGBOOK_SESSION", "SUDO_USER", "SSH_USER_AUTH",
};

/* the test's directory under /tmp, removed by teardown even when the test fails */
static char *tmp;

static int clear_env(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
		unsetenv(vars[i]);
	return 0;
}

static int teardown(void **state)
{
	if (tmp)
		unit_rmtree(tmp);
	free(tmp);
	tmp = NULL;
	return clear_env(state);
}

static char *account(void)
{
	struct passwd *pw = getpwuid(geteuid());

	assert_non_null(pw);
	return xstrdup(pw->pw_name);
}

/* the login uid's name; NULL when this process has none */
static char *login_name(void)
{
	char *data = unit_read("/proc/self/loginuid", NULL);
	unsigned long uid;
	struct passwd *pw;
	char *name = NULL;

	if (!data)
		return NULL;
	uid = strtoul(data, NULL, 10);
	free(data);
	if (uid == 4294967295UL)
		return NULL;
	pw = getpwuid((uid_t)uid);
	name = pw ? xstrdup(pw->pw_name) : xasprintf("%lu", uid);
	return name;
}

/* ident_resolve fails with a message that starts with prefix, and leaves nothing */
/* ident_resolve with the keys of team */
static int resolve_with(struct ident *id, const struct conf *team)
{
	struct team_keys keys;
	int rc;

	team_keys_load(team, &keys);
	rc = ident_resolve(id, &keys);
	team_keys_free(&keys);
	return rc;
}

static void resolve_fails(const char *prefix)
{
	struct ident id;

	assert_int_equal(ident_resolve(&id, NULL), -1);
	if (strncmp(errget(), prefix, strlen(prefix)))
		fail_msg("'%s' does not start with '%s'", errget(), prefix);
	assert_null(id.host);
	assert_null(id.admin);
	assert_null(id.session);
}

static void logbook_host_and_logbook_user_override_the_system(void **state)
{
	struct ident id;
	char *me = account();

	(void)state;
	setenv("LOGBOOK_HOST", "web1", 1);
	setenv("LOGBOOK_USER", "Zo\xc3\xa9 Durand", 1);
	setenv("SUDO_USER", "carol", 1);
	assert_int_equal(ident_resolve(&id, NULL), 0);
	assert_string_equal(id.host, "web1");
	assert_string_equal(id.admin, "Zo\xc3\xa9 Durand");
	assert_string_equal(id.admin_source, "LOGBOOK_USER");
	/* the unix account is recorded as well, whoever the admin is */
	assert_string_equal(id.account, me);
	ident_release(&id);
	assert_null(id.host);
	free(me);
}

static void without_logbook_host_the_system_host_name_is_used(void **state)
{
	char name[256];
	struct ident id;

	(void)state;
	assert_int_equal(gethostname(name, sizeof name), 0);
	name[sizeof name - 1] = '\0';
	setenv("LOGBOOK_HOST", "", 1);
	setenv("LOGBOOK_USER", "alice", 1);
	if (!store_valid_host(name)) {
		resolve_fails("host name '");
		assert_non_null(strstr(errget(), "set LOGBOOK_HOST"));
		return;
	}
	assert_int_equal(ident_resolve(&id, NULL), 0);
	assert_string_equal(id.host, name);
	ident_release(&id);
}

static void host_names_that_cannot_name_a_file_are_refused(void **state)
{
	static const char *const bad[] = {
		"web/1", "../web1", "-web1", ".web1", "web 1", "w\xc3\xa9" "b1", "web1\n",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",	/* 65 */
	};

	(void)state;
	setenv("LOGBOOK_USER", "alice", 1);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *prefix = xasprintf("LOGBOOK_HOST='%s': bad host name", bad[i]);
		setenv("LOGBOOK_HOST", bad[i], 1);
		resolve_fails(prefix);
		free(prefix);
	}
	/* 64 is the limit, not 63 */
	setenv("LOGBOOK_HOST", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1);
	{
		struct ident id;
		assert_int_equal(ident_resolve(&id, NULL), 0);
		assert_int_equal(strlen(id.host), 64);
		ident_release(&id);
	}
}

static void admin_names_are_utf8_text_without_control_characters(void **state)
{
	char name[TEAM_NAME_MAX + 2];

	(void)state;
	assert_int_equal(team_check_admin("alice"), 0);
	assert_int_equal(team_check_admin("Zo\xc3\xa9 Durand"), 0);
	assert_int_equal(team_check_admin("a"), 0);
	memset(name, 'a', TEAM_NAME_MAX);
	name[TEAM_NAME_MAX] = '\0';
	assert_int_equal(team_check_admin(name), 0);

	name[TEAM_NAME_MAX] = 'a';
	name[TEAM_NAME_MAX + 1] = '\0';
	assert_int_equal(team_check_admin(name), -1);
	assert_non_null(strstr(errget(), "bad admin name"));
	assert_int_equal(team_check_admin(""), -1);
	assert_int_equal(team_check_admin(" alice"), -1);
	assert_int_equal(team_check_admin("alice "), -1);
	assert_int_equal(team_check_admin("al\xffice"), -1);
	assert_int_equal(team_check_admin("\xc3"), -1);
	assert_non_null(strstr(errget(), "UTF-8"));
	assert_int_equal(team_check_admin("al\tice"), -1);
	assert_string_equal(errget(), "bad admin name: control characters are not allowed");
	assert_int_equal(team_check_admin("alice\n"), -1);
	assert_int_equal(team_check_admin("al\x1b[31mice"), -1);
	assert_int_equal(team_check_admin("alice\x7f"), -1);
}

static void a_bad_logbook_user_is_an_error_not_a_fallback(void **state)
{
	(void)state;
	setenv("LOGBOOK_HOST", "web1", 1);
	setenv("SUDO_USER", "carol", 1);
	setenv("LOGBOOK_USER", " alice", 1);
	resolve_fails("LOGBOOK_USER: bad admin name");
	setenv("LOGBOOK_USER", "alice\x1b[2J", 1);
	resolve_fails("LOGBOOK_USER: bad admin name: control characters");
	/* empty means unset */
	setenv("LOGBOOK_USER", "", 1);
	{
		struct ident id;
		assert_int_equal(ident_resolve(&id, NULL), 0);
		assert_string_not_equal(id.admin_source, "LOGBOOK_USER");
		ident_release(&id);
	}
}

/* real keys (made with ssh-keygen): the module compares keys parsed, not as text */
#define ALICE "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIL2HCrmKTtbJW0KRpQsTYlGEVkFbOtkimzk3JKhtI7PR"
#define BOB "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBtWgMO2HVC2DXdVrqU3+NIOjSt0oPhjBRWBnEocisOH"
#define BOB_DATA "AAAAC3NzaC1lZDI1NTE5AAAAIBtWgMO2HVC2DXdVrqU3+NIOjSt0oPhjBRWBnEocisOH"
#define BOB_OLD "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDC80/XqBUXHWC8lE0F8LEJcU+qL70eX7MaWEu8074zTjuym30Rkgq7" \
	"Ofj18UxYERXhud3l01aOi/otG3FhMWDS18RZomQBVZDtYUT1Hoocnm4+iZzqT9pKX6ycHWJxjPku6Rv5Txr7eOUbC7mZTWii" \
	"OsiHFw54zUQez9mwJAM+wQ=="
#define DAVE "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII/EoU2NxP6PT+thRPujnrOQoQTxY7HKJqXQixcRi17J"
#define ERIN "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBLFH4fFPcKIipr5Oqby5" \
	"RJIlKoyly98s+ATY2fIqHsuyyHg1ZaGN9XG83x/OvHdIzUtQ+iAIojCr2GXPGWsUSNg="
#define EVE "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPBcxNbjoms+OiZ3kCfEy/jgfNFdGwlLTknds5o7dBzV"

static const char team_text[] =
	"[team]\n"
	"\ttimezone = UTC\n"
	"[admin \"alice\"]\n"
	"\tkey = " ALICE " alice@laptop\n"
	"[admin \"bob\"]\n"
	"\tkey = " BOB_OLD " old key\n"
	"\tkey = " BOB " bob@desk\n";

/* a team.conf with two admins' keys, and $SSH_USER_AUTH as sshd's ExposeAuthInfo writes it */
static struct conf *ssh_session(char *dir, const char *auth)
{
	char *path = xasprintf("%s/auth", dir);
	struct conf *team = conf_parse("team.conf", team_text, strlen(team_text));

	assert_non_null(team);
	unit_write(path, auth, strlen(auth), 0);
	setenv("SSH_USER_AUTH", path, 1);
	free(path);
	return team;
}

static void the_ssh_key_of_the_session_names_the_admin(void **state)
{
	char *dir = tmp = unit_tmpdir();
	struct conf *team = ssh_session(dir, "password\npublickey " BOB "\n");
	struct ident id;

	(void)state;
	setenv("LOGBOOK_HOST", "web1", 1);
	setenv("SUDO_USER", "carol", 1);
	assert_int_equal(resolve_with(&id, team), 0);
	assert_string_equal(id.admin, "bob");
	assert_string_equal(id.admin_source, "ssh key");
	ident_release(&id);

	/* LOGBOOK_USER still comes first */
	setenv("LOGBOOK_USER", "alice", 1);
	assert_int_equal(resolve_with(&id, team), 0);
	assert_string_equal(id.admin, "alice");
	assert_string_equal(id.admin_source, "LOGBOOK_USER");
	ident_release(&id);
	unsetenv("LOGBOOK_USER");

	/* without team.conf there is nothing to match */
	assert_int_equal(ident_resolve(&id, NULL), 0);
	assert_string_not_equal(id.admin_source, "ssh key");
	ident_release(&id);
	conf_free(team);
}

static void a_key_copied_from_authorized_keys_with_options_names_its_admin(void **state)
{
	static const char text[] =
		"[admin \"dave\"]\n"
		"\tkey = \"from=\\\"10.0.0.1,10.0.0.2\\\",command=\\\"echo a b\\\",no-pty " DAVE " dave@laptop\"\n"
		"[admin \"erin\"]\n"
		"\tkey = restrict " ERIN "\n";
	char *dir = tmp = unit_tmpdir();
	char *auth = xasprintf("%s/auth", dir);
	struct conf *team = conf_parse("team.conf", text, strlen(text));
	struct ident id;

	(void)state;
	assert_non_null(team);
	/* what team.conf holds after the quoting */
	assert_string_equal(team->entries[0].value,
			    "from=\"10.0.0.1,10.0.0.2\",command=\"echo a b\",no-pty "
			    DAVE " dave@laptop");
	setenv("LOGBOOK_HOST", "web1", 1);
	setenv("SSH_USER_AUTH", auth, 1);
	unit_write(auth, "publickey " DAVE "\n", strlen("publickey " DAVE "\n"), 0);
	assert_int_equal(resolve_with(&id, team), 0);
	assert_string_equal(id.admin, "dave");
	assert_string_equal(id.admin_source, "ssh key");
	ident_release(&id);
	unit_write(auth, "publickey " ERIN "\n", strlen("publickey " ERIN "\n"), 0);
	assert_int_equal(resolve_with(&id, team), 0);
	assert_string_equal(id.admin, "erin");
	ident_release(&id);
	conf_free(team);
	free(auth);
}

static void a_key_that_is_no_admins_does_not_name_one(void **state)
{
	char *dir = tmp = unit_tmpdir();
	/* bob's key blob under another type, a key nobody has, alice's key by another method */
	struct conf *team = ssh_session(dir,
		"publickey ssh-rsa " BOB_DATA "\n"
		"publickey " EVE "\n"
		"hostbased " ALICE "\n");
	struct ident id;

	(void)state;
	setenv("LOGBOOK_HOST", "web1", 1);
	assert_int_equal(resolve_with(&id, team), 0);
	assert_string_not_equal(id.admin_source, "ssh key");
	ident_release(&id);
	conf_free(team);
}

static void a_broken_key_in_team_conf_names_nobody_and_hides_no_other(void **state)
{
	static const char text[] =
		"[admin \"mallory\"]\n"
		"\tkey = ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBtWgMO2HVC2DXdVrqU3\n"	/* bob's, cut */
		"\tkey = ssh-rsa " BOB_DATA "\n"					/* bob's, mislabelled */
		"[admin \"bob\"]\n"
		/* other blanks and no comment: the same key */
		"\tkey = \"  ssh-ed25519\t\t" BOB_DATA "   \"\n";
	char *dir = tmp = unit_tmpdir();
	char *auth = xasprintf("%s/auth", dir);
	struct conf *team = conf_parse("team.conf", text, strlen(text));
	struct ident id;

	(void)state;
	assert_non_null(team);
	setenv("LOGBOOK_HOST", "web1", 1);
	setenv("SSH_USER_AUTH", auth, 1);
	unit_write(auth, "publickey " BOB " bob@desk\n", strlen("publickey " BOB " bob@desk\n"), 0);
	assert_int_equal(resolve_with(&id, team), 0);
	assert_string_equal(id.admin, "bob");
	assert_string_equal(id.admin_source, "ssh key");
	ident_release(&id);
	conf_free(team);
	free(auth);
}

static void the_login_uid_comes_before_sudo_user(void **state)
{
	char *name = login_name();
	struct ident id;

	(void)state;
	if (!name)
		skip();
	setenv("LOGBOOK_HOST", "web1", 1);
	setenv("SUDO_USER", "carol", 1);
	assert_int_equal(ident_resolve(&id, NULL), 0);
	assert_string_equal(id.admin, name);
	assert_string_equal(id.admin_source, "login uid");
	ident_release(&id);
	free(name);
}

static void without_a_login_uid_sudo_user_names_the_admin(void **state)
{
	char *name = login_name();
	char *me = account();
	struct ident id;

	(void)state;
	if (name) {
		free(name);
		free(me);
		skip();
	}
	setenv("LOGBOOK_HOST", "web1", 1);
	setenv("SUDO_USER", "carol", 1);
	assert_int_equal(ident_resolve(&id, NULL), 0);
	assert_string_equal(id.admin, "carol");
	assert_string_equal(id.admin_source, "SUDO_USER");
	assert_string_equal(id.account, me);
	ident_release(&id);

	/* an unusable SUDO_USER is passed over, not fatal */
	setenv("SUDO_USER", "car\nol", 1);
	assert_int_equal(ident_resolve(&id, NULL), 0);
	assert_string_equal(id.admin, me);
	assert_string_equal(id.admin_source, "account");
	ident_release(&id);

	/* and with nothing else, the account is the admin */
	unsetenv("SUDO_USER");
	assert_int_equal(ident_resolve(&id, NULL), 0);
	assert_string_equal(id.admin, me);
	assert_string_equal(id.admin_source, "account");
	ident_release(&id);
	free(me);
}

static void logbook_session_names_the_session(void **state)
{
	char long_id[130];
	struct ident id;

	(void)state;
	setenv("LOGBOOK_HOST", "web1", 1);
	setenv("LOGBOOK_USER", "alice", 1);
	setenv("LOGBOOK_SESSION", "b8bb876d-4242-1700000000", 1);
	assert_int_equal(ident_resolve(&id, NULL), 0);
	assert_string_equal(id.session, "b8bb876d-4242-1700000000");
	ident_release(&id);

	memset(long_id, 's', 128);
	long_id[128] = '\0';
	setenv("LOGBOOK_SESSION", long_id, 1);
	assert_int_equal(ident_resolve(&id, NULL), 0);
	assert_int_equal(strlen(id.session), 128);
	ident_release(&id);

	long_id[128] = 's';
	long_id[129] = '\0';
	setenv("LOGBOOK_SESSION", long_id, 1);
	resolve_fails("LOGBOOK_SESSION: bad session id");
	setenv("LOGBOOK_SESSION", "tty\x1b]0;x\x07", 1);
	resolve_fails("LOGBOOK_SESSION: bad session id");
	setenv("LOGBOOK_SESSION", "s\xff", 1);
	resolve_fails("LOGBOOK_SESSION: bad session id");
}

/* field 22 (start time) of /proc/<pid>/stat, read here independently of ident.c */
static unsigned long long start_time(pid_t pid)
{
	char path[64], *data, *p;
	unsigned long long start = 0;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	data = unit_read(path, NULL);
	if (!data)
		return 0;
	p = strrchr(data, ')');
	/* after "(comm) ": fields 3 (state) to 21 (itrealvalue), then 22 */
	if (!p || sscanf(p + 2, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
			 &start) != 1)
		start = 0;
	free(data);
	return start;
}

static void the_default_session_is_the_boot_the_kernel_session_and_its_start(void **state)
{
	char *boot = unit_read("/proc/sys/kernel/random/boot_id", NULL);
	char *expect;
	struct ident id, again;

	(void)state;
	assert_non_null(boot);
	expect = xasprintf("%.8s-%d-%llu", boot, (int)getsid(0), start_time(getsid(0)));
	setenv("LOGBOOK_HOST", "web1", 1);
	setenv("LOGBOOK_USER", "alice", 1);
	setenv("LOGBOOK_SESSION", "", 1);
	assert_int_equal(ident_resolve(&id, NULL), 0);
	assert_string_equal(id.session, expect);
	/* the same for every command of the session */
	assert_int_equal(ident_resolve(&again, NULL), 0);
	assert_string_equal(again.session, id.session);
	ident_release(&id);
	ident_release(&again);
	free(expect);
	free(boot);
}

#define T(name) cmocka_unit_test_setup_teardown(name, clear_env, teardown)

/* in dir: f (relative) holding text */
static void put(const char *dir, const char *f, const char *text)
{
	char *path = xasprintf("%s/%s", dir, f);

	unit_write(path, text, strlen(text), 0);
	assert_int_equal(chmod(path, 0644), 0);
	free(path);
}

static void with_a_pin_the_signed_keyring_says_whose_keys_are_whose(void **state)
{
	static const char signed_text[] =
		"[admin \"alice\"]\n\tkey = " ALICE "\n[admin \"bob\"]\n\tkey = " BOB "\n";
	/* here: eve's key under alice, bob's key revoked, nobody signed it */
	static const char here_text[] =
		"[admin \"alice\"]\n\tkey = " ALICE "\n\tkey = " EVE "\n"
		"[admin \"bob\"]\n\tkey = " BOB "\n\trevoked = SHA256:PfiNJpfV0PlJSWIFIpTjT+wttdBf8RXLrVVDVA4PyO0 "
		"2020-01-01T00:00:00.000000Z\n";
	char *dir = tmp = unit_tmpdir(), *git = xasprintf("%s/.git", dir), *auth = xasprintf("%s/auth", dir);
	struct journal *j;
	struct team_keys keys, here, signed_keys;
	struct buf diff = BUF_INIT;
	struct ident id;

	(void)state;
	setenv("LOGBOOK_HOST", "web1", 1);
	assert_int_equal(mkdir(git, 0755), 0);
	put(dir, "team.conf", here_text);
	put(dir, ".git/logbook-keyring", signed_text);
	/* without a pin the work tree's team.conf is the keyring */
	assert_non_null(j = journal_open(dir));
	assert_ptr_equal(journal_keyring(j), j->conf);
	journal_close(j);
	put(dir, ".git/logbook-trust", "SHA256:root\n");
	assert_non_null(j = journal_open(dir));
	assert_int_equal(team_keys_trusted(j, &keys), 0);
	/* alice's and bob's: eve's is nobody's, bob's revocation here holds */
	assert_int_equal(keys.n, 2);
	assert_string_equal(keys.v[1].admin, "bob");
	assert_true(keys.v[1].revoked != 0);
	team_keys_load(journal_keyring(j), &signed_keys);
	team_keys_load(j->conf, &here);
	assert_int_equal(team_keys_diff(&signed_keys, &here, &diff), 2);
	assert_non_null(strstr(buf_str(&diff), "for alice\n"));
	assert_non_null(strstr(buf_str(&diff), " of bob revoked\n"));
	/* a session that logged in with eve's key is not alice's */
	setenv("SSH_USER_AUTH", auth, 1);
	unit_write(auth, "publickey " EVE "\n", strlen("publickey " EVE "\n"), 0);
	assert_int_equal(ident_resolve_in(&id, j), 0);
	assert_string_not_equal(id.admin_source, "ssh key");
	ident_release(&id);
	unit_write(auth, "publickey " ALICE "\n", strlen("publickey " ALICE "\n"), 0);
	assert_int_equal(ident_resolve_in(&id, j), 0);
	assert_string_equal(id.admin, "alice");
	ident_release(&id);
	journal_close(j);
	/* a copy the group could have written is refused, and names nobody */
	{
		char *path = xasprintf("%s/.git/logbook-keyring", dir);
		assert_int_equal(chmod(path, 0664), 0);
		free(path);
	}
	assert_non_null(j = journal_open(dir));
	assert_null(journal_keyring(j));
	assert_non_null(strstr(errget(), "logbook-keyring: writable by the group (mode 0664): refused"));
	team_keys_free(&keys);
	assert_int_equal(team_keys_trusted(j, &keys), -1);
	assert_int_equal(keys.n, 0);
	journal_close(j);
	team_keys_free(&here);
	team_keys_free(&signed_keys);
	buf_release(&diff);
	free(git);
	free(auth);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(logbook_host_and_logbook_user_override_the_system),
		T(without_logbook_host_the_system_host_name_is_used),
		T(host_names_that_cannot_name_a_file_are_refused),
		T(admin_names_are_utf8_text_without_control_characters),
		T(a_bad_logbook_user_is_an_error_not_a_fallback),
		T(the_ssh_key_of_the_session_names_the_admin),
		T(a_key_copied_from_authorized_keys_with_options_names_its_admin),
		T(a_key_that_is_no_admins_does_not_name_one),
		T(a_broken_key_in_team_conf_names_nobody_and_hides_no_other),
		T(the_login_uid_comes_before_sudo_user),
		T(without_a_login_uid_sudo_user_names_the_admin),
		T(logbook_session_names_the_session),
		T(the_default_session_is_the_boot_the_kernel_session_and_its_start),
		T(with_a_pin_the_signed_keyring_says_whose_keys_are_whose),
	};
	return cmocka_run_group_tests_name("ident", tests, NULL, NULL);
}
