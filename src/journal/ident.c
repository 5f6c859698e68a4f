/*
 * ident: resolving the host, the admin, the account and the session.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/boot.h"
#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "journal/ident.h"
#include "journal/sig.h"
#include "journal/store.h"
#include "journal/team.h"
#include "base/banned.h"

static char *account_name(uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	if (pw && pw->pw_name && *pw->pw_name && team_check_admin(pw->pw_name) == 0)
		return xstrdup(pw->pw_name);
	return xasprintf("%lu", (unsigned long)uid);
}

/*
 * The admin one of whose keys authenticated this ssh session.  Keys are
 * compared parsed (sig.c), not as text: a key written with options,
 * another comment or other spacing is the same key.
 */
static char *admin_by_ssh_key(const struct team_keys *keys)
{
	const char *authfile = getenv("SSH_USER_AUTH");
	struct buf b = BUF_INIT;
	char *found = NULL;

	if (!keys || !keys->n || !authfile || !*authfile || fs_read_file(authfile, &b) < 0) {
		buf_release(&b);
		return NULL;
	}
	/* lines "publickey ssh-ed25519 AAAA...": the methods that succeeded */
	for (char *line = b.data; line && *line && !found;) {
		char *nl = strchr(line, '\n');
		struct sig_key *k;

		if (nl)
			*nl = '\0';
		if (!strncmp(line, "publickey ", 10) && (k = sig_key_parse(line + 10, strlen(line + 10)))) {
			const struct team_key *tk;
			/* a revoked key says nothing about who logged in */
			if ((tk = team_keys_find_valid(keys, k, day_now_us())))
				found = xstrdup(tk->admin);
			sig_key_free(k);
		}
		line = nl ? nl + 1 : NULL;
	}
	buf_release(&b);
	return found;
}

static char *admin_by_loginuid(void)
{
	struct buf b = BUF_INIT;
	char *end;
	unsigned long uid;
	char *name = NULL;

	if (fs_read_file("/proc/self/loginuid", &b) == 0 && b.len) {
		errno = 0;
		uid = strtoul(b.data, &end, 10);
		/* (uid_t)-1: no login session set it (daemons, containers) */
		if (!errno && end != b.data && uid != 4294967295UL)
			name = account_name((uid_t)uid);
	}
	buf_release(&b);
	return name;
}

static char *host_name(void)
{
	const char *env = getenv("LOGBOOK_HOST");
	char name[256];

	if (env && *env) {
		if (!store_valid_host(env)) {
			errset("LOGBOOK_HOST='%s': bad host name: use letters, digits, '.', '_' and '-' (at most %d)",
			       env, STORE_HOST_MAX);
			return NULL;
		}
		return xstrdup(env);
	}
	if (gethostname(name, sizeof name) < 0) {
		errset_sys("gethostname");
		return NULL;
	}
	name[sizeof name - 1] = '\0';
	if (!store_valid_host(name)) {
		errset("host name '%s' cannot name a file; set LOGBOOK_HOST", name);
		return NULL;
	}
	return xstrdup(name);
}

char *ident_host(void)
{
	return host_name();
}

/*
 * Without a hooked shell's $LOGBOOK_SESSION, the kernel's session (the
 * login shell and what it started) stands for the admin's session: its
 * id and start time, with the boot, make it unique on this host.
 */
static char *kernel_session(void)
{
	pid_t sid = getsid(0);
	struct buf stat = BUF_INIT;
	char path[64];
	unsigned long long start = 0;
	char *s;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)sid);
	if (sid > 0 && fs_read_file(path, &stat) == 0) {
		/* field 22, counted after the ")" that ends the command name */
		const char *p = strrchr(buf_str(&stat), ')');
		int field = 2;
		while (p && *p && field < 22) {
			if (*p == ' ')
				field++;
			p++;
		}
		if (p && field == 22)
			start = strtoull(p, NULL, 10);
	}
	s = xasprintf("%.8s-%d-%llu", strlen(boot_id()) >= 8 ? boot_id() : "00000000", (int)sid, start);
	buf_release(&stat);
	return s;
}

int ident_resolve(struct ident *id, const struct team_keys *keys)
{
	const char *env;

	memset(id, 0, sizeof *id);
	id->host = host_name();
	if (!id->host)
		return -1;
	id->account = account_name(geteuid());

	if ((env = getenv("LOGBOOK_USER")) && *env) {
		if (team_check_admin(env) < 0) {
			errprefix("LOGBOOK_USER");
			goto fail;
		}
		id->admin = xstrdup(env);
		id->admin_source = "LOGBOOK_USER";
	} else if ((id->admin = admin_by_ssh_key(keys))) {
		id->admin_source = "ssh key";
	} else if ((id->admin = admin_by_loginuid())) {
		id->admin_source = "login uid";
	} else if ((env = getenv("SUDO_USER")) && *env && team_check_admin(env) == 0) {
		id->admin = xstrdup(env);
		id->admin_source = "SUDO_USER";
	} else {
		id->admin = xstrdup(id->account);
		id->admin_source = "account";
	}

	env = getenv("LOGBOOK_SESSION");
	if (env && *env) {
		if (strlen(env) > 128 || !utf8_valid(env, strlen(env)) || utf8_has_control(env)) {
			errset("LOGBOOK_SESSION: bad session id");
			goto fail;
		}
		id->session = xstrdup(env);
	} else {
		id->session = kernel_session();
	}
	return 0;
fail:
	ident_release(id);
	return -1;
}

int ident_resolve_in(struct ident *id, const struct journal *j)
{
	const char *user = getenv("LOGBOOK_USER"), *auth = getenv("SSH_USER_AUTH");
	struct team_keys keys;
	int rc;

	/* the keys are parsed only when they can name the admin: the hook resolves on every command */
	if ((user && *user) || !auth || !*auth)
		return ident_resolve(id, NULL);
	/* a keyring that cannot be read names nobody: the other rules still do */
	team_keys_trusted(j, &keys);
	rc = ident_resolve(id, &keys);
	team_keys_free(&keys);
	return rc;
}

void ident_release(struct ident *id)
{
	free(id->host);
	free(id->admin);
	free(id->account);
	free(id->session);
	memset(id, 0, sizeof *id);
}
