/*
 * logbook setup [--join URL] | --undo: bring this server into the team's
 * logbook, as root, in one command: the logbook group, the journal (new,
 * or a replica of the team's), the hook in the system shell rc files, the
 * systemd timers, and on request the mail alias for ingest-mail.
 *
 * Every step looks before it acts, so running setup again changes
 * nothing; every file edit is a marked block (block.c) with a backup, so
 * --undo takes everything back but the journal itself, which holds the
 * team's records and is never removed.  What setup created that is not a
 * file edit (the group, the user and its home, .git given to the user,
 * postfix's parameters as they were) is noted in root's SERVER_STATE, so
 * undo removes only what setup made; not in the journal, whose group may
 * write it: undo runs groupdel, userdel and postconf from it.  (Older
 * setups noted the group in the journal's .state/setup; undo still reads it.)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "journal/journal.h"
#include "journal/team.h"
#include "replica/git.h"
#include "replica/replica.h"
#include "setup/block.h"
#include "setup/server.h"
#include "base/banned.h"

#define SETUP_STATE JOURNAL_STATE "/setup"

static const char usage[] =
	"usage: logbook setup [--join URL [--trust SHA256:...]] [--timezone ZONE] [--mail-alias]\n"
	"                     [--root DIR]\n"
	"       logbook setup --accept-replica KEY\n"
	"       logbook setup --undo [--root DIR]\n"
	"\n"
	"Bring this server into the team's logbook, as root.  Each step is\n"
	"skipped when already done, so setup can run again at any time:\n"
	"\n"
	"  - the group logbook (the admins' accounts join it to share the journal)\n"
	"  - the system user " SERVER_USER " in it, home " SERVER_HOME ", shell git-shell:\n"
	"    it alone runs git in the journal (root's sync, export and digest\n"
	"    --send become it), talks to the other replicas with its own ssh\n"
	"    key (made here), and is the account the MTA files mail as\n"
	"  - the journal " JOURNAL_DEFAULT_DIR " (or -C DIR, $LOGBOOK_DIR), group-shared, its\n"
	"    .git " SERVER_USER "'s: new, or with --join a replica of the team's journal\n"
	"    at URL (logbook@HOST:" JOURNAL_DEFAULT_DIR ", cloned as " SERVER_USER ")\n"
	"  - the hook in " SERVER_BASHRC " and " SERVER_ZSHRC ", so every new\n"
	"    interactive shell records its commands\n"
	"  - APT's hook " SERVER_APT_CONF ": every install, upgrade and\n"
	"    removal becomes a record (logbook apt-hook)\n"
	"  - the systemd timers of logbook (logbook-digest.timer only when\n"
	"    team.conf has digest.to), and logbook-receive.path, which writes\n"
	"    what other replicas push into the journal; logbook-boot.service and\n"
	"    logbook-shutdown.service, which file the reboots\n"
	"  - the drop-in " SERVER_ONFAILURE_DROPIN ",\n"
	"    which files every failed service (logbook unit-failed)\n"
	"  - with --mail-alias, the alias 'logbook' that files mail into the\n"
	"    journal (logbook ingest-mail): with postfix in " SERVER_MAIL_ALIASES ",\n"
	"    owned by " SERVER_USER " and added to alias_maps; else in " SERVER_ALIASES "\n"
	"\n"
	"Files are edited in a block between '" BLOCK_BEGIN "' and\n"
	"'" BLOCK_END "', after a copy to FILE" BLOCK_BACKUP_SUFFIX ".  --undo removes\n"
	"the blocks, disables the timers, removes the drop-in (unless changed\n"
	"since), gives postfix's alias_maps back and\n"
	"removes the user and group if setup made them; the journal stays.\n"
	"\n"
	"  --join URL       clone the team's journal from URL (see logbook clone)\n"
	"  --trust FP       with --join: the key that started the team's signed\n"
	"                   keyring, as the team gave it; the clone fails otherwise\n"
	"  --timezone ZONE  the time zone of a new journal (see logbook init)\n"
	"  --mail-alias     add the mail alias (otherwise only printed)\n"
	"  --accept-replica KEY\n"
	"                   let the replica whose " SERVER_USER " key is KEY (the line setup\n"
	"                   printed there, \"ssh-ed25519 AAAA... logbook@HOST\") in:\n"
	"                   added to ~" SERVER_USER "/.ssh/authorized_keys with 'restrict';\n"
	"                   git-shell lets it run git's pack commands only\n"
	"  --undo           take back what setup did, but the journal\n"
	"  --root DIR       work on the system under DIR (default: $LOGBOOK_ROOT,\n"
	"                   else /): no group or user is made, postconf and\n"
	"                   systemctl run with -c and --root; for images and tests\n"
	"  -h, --help       show this help\n"
	"\n"
	"Exit status: 0 when every step is done, 1 when one failed (the others\n"
	"are still done; run setup again once it is fixed), 2 on a usage error.\n";

static int failures;

/* one line per step: "what: how it went" */
static void step(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void step(const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void step_failed(const char *what, const char *why)
{
	fflush(stdout);
	fprintf(stderr, "logbook: setup: %s: %s\n", what, why);
	failures++;
}

/* the output of a tool, cut to its first line, for a one-line report */
static const char *first_line(struct buf *b)
{
	char *nl;

	cmd_trim(b);
	if ((nl = strchr(buf_str(b), '\n')))
		*nl = '\0';
	return b->len ? buf_str(b) : "no output";
}

static bool state_has(const struct server *s, const char *line)
{
	char *path = fs_join(s->journal, SETUP_STATE);
	struct buf b = BUF_INIT;
	bool has = false;

	if (fs_read_file(path, &b) == 0) {
		for (const char *p = buf_str(&b); p && *p;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			has |= n == strlen(line) && !memcmp(p, line, n);
			p = nl ? nl + 1 : NULL;
		}
	}
	buf_release(&b);
	free(path);
	return has;
}

static void state_forget(const struct server *s)
{
	char *path = fs_join(s->journal, SETUP_STATE);
	unlink(path);
	free(path);
}

static gid_t setup_group(const struct server *s, bool *have, bool *created)
{
	struct group *g;
	const char *argv[] = { "groupadd", "--system", SERVER_GROUP, NULL };
	struct buf out = BUF_INIT;
	int rc;

	*have = *created = false;
	if (!s->real) {
		step("group " SERVER_GROUP, "not made under the root %s (the journal keeps your group)", s->root);
		return getegid();
	}
	if ((g = getgrnam(SERVER_GROUP))) {
		step("group " SERVER_GROUP, "exists");
		*have = true;
		return g->gr_gid;
	}
	rc = server_run(argv, &out);
	if (rc != 0 || !(g = getgrnam(SERVER_GROUP))) {
		step_failed("group " SERVER_GROUP, rc < 0 ? errget() : first_line(&out));
		buf_release(&out);
		return getegid();
	}
	buf_release(&out);
	step("group " SERVER_GROUP, "created");
	*have = *created = true;
	return g->gr_gid;
}

static char *rstate_get(const struct server *s, const char *key);
static void rstate_note(const struct server *s, const char *key, const char *value);
static bool rstate_get_has(const struct server *s, const char *key);

/*
 * Run argv as pw's account (setpriv from util-linux: its ids, its groups,
 * the environment of a login of it), so that what it makes is its own.
 * When pw is NULL, as root.
 */
static int run_as(const struct passwd *pw, const char *const args[], struct buf *out)
{
	const char *argv[24];
	char reuid[32], regid[32];
	size_t n = 0;

	if (pw) {
		snprintf(reuid, sizeof reuid, "--reuid=%lu", (unsigned long)pw->pw_uid);
		snprintf(regid, sizeof regid, "--regid=%lu", (unsigned long)pw->pw_gid);
		argv[n++] = "setpriv";
		argv[n++] = reuid;
		argv[n++] = regid;
		argv[n++] = "--init-groups";
		argv[n++] = "--reset-env";
		argv[n++] = "--";
	}
	for (size_t i = 0; args[i] && n < 23; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return server_run(argv, out);
}

/* SERVER_USER's account, when this system has it (setup made it or the admin did) */
static struct passwd *logbook_user(const struct server *s)
{
	return s->real ? getpwnam(SERVER_USER) : NULL;
}

/*
 * A journal whose .git root owns (made by an older setup, or before the
 * user existed) goes to SERVER_USER: .git and the top directory, whose
 * owner git wants to be the one running it.  Only a .git that passes
 * git_check_dir, and of it only directories and files with one link,
 * so that nothing a member linked in is given away.  Undo gives it back.
 */
static void give_git(const struct server *s, const struct passwd *pw, bool undo)
{
	char *gitdir = fs_join(s->journal, ".git");
	char *owner = undo ? xstrdup("root:") : xasprintf("%s:", pw->pw_name);
	const char *argv[] = { "find", gitdir, "-xdev", "(", "-type", "d", "-o", "-type", "f", "-links", "1", ")",
			       "-exec", "chown", "--no-dereference", owner, "{}", "+", NULL };
	uid_t uid = undo ? 0 : pw->pw_uid;
	struct buf out = BUF_INIT;
	struct stat st;

	if (lstat(gitdir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid == uid)
		goto out;
	if (!undo && (st.st_uid != 0 || git_check_dir(s->journal, NULL) != GIT_TRUSTED)) {
		step_failed("journal git", st.st_uid != 0 ? "belongs to another account: left as it is" : errget());
		goto out;
	}
	if (server_run(argv, &out) != 0 || lchown(s->journal, uid, (gid_t)-1) < 0) {
		step_failed("journal git", out.len ? first_line(&out) : strerror(errno));
		goto out;
	}
	if (undo) {
		step("journal git", "given back to root");
	} else {
		rstate_note(s, "git-given", pw->pw_name);
		step("journal git", "%s/.git given to %s, which alone runs git there (root's sync becomes it)",
		     s->journal, pw->pw_name);
	}
out:
	buf_release(&out);
	free(owner);
	free(gitdir);
}

/* the journal: there already, or made group-shared and filled by init or clone (as SERVER_USER) */
static bool setup_journal(const struct server *s, gid_t gid, const char *join, const char *trust, const char *tz)
{
	const struct passwd *pw = logbook_user(s);
	char *conf = fs_join(s->journal, JOURNAL_CONF);
	char *self = fs_self_exe();
	struct buf out = BUF_INIT;
	const char *argv[8];
	size_t n = 0;
	bool ok = false;
	int rc;

	if (fs_exists(conf)) {
		step("journal", "%s exists%s", s->journal, join ? " (not cloned again)" : "");
		if (pw)
			give_git(s, pw, false);
		ok = true;
		goto out;
	}
	if (!fs_is_dir(s->journal)) {
		char *parent = xstrdup(s->journal), *slash = strrchr(parent, '/');
		if (slash && slash != parent)
			*slash = '\0';
		if (fs_mkdirs(parent, 0755) < 0 || (mkdir(s->journal, 02770) < 0 && errno != EEXIST)) {
			step_failed("journal", *errget() ? errget() : strerror(errno));
			free(parent);
			goto out;
		}
		free(parent);
	}
	/*
	 * group-shared: what init and clone see as a journal for several
	 * accounts; SERVER_USER's, which makes its .git and alone runs git
	 * there (git refuses a work tree whose top another account owns)
	 */
	if (chown(s->journal, pw ? pw->pw_uid : (uid_t)-1, gid) < 0 || chmod(s->journal, 02770) < 0) {
		step_failed("journal", strerror(errno));
		goto out;
	}
	argv[n++] = self;
	if (join) {
		argv[n++] = "clone";
		if (trust) {
			argv[n++] = "--trust";
			argv[n++] = trust;
		}
		argv[n++] = join;
	} else {
		argv[n++] = "init";
		if (tz) {
			argv[n++] = "--timezone";
			argv[n++] = tz;
		}
	}
	argv[n++] = s->journal;
	argv[n] = NULL;
	rc = run_as(pw, argv, &out);
	if (rc != 0) {
		step_failed("journal", rc < 0 ? errget() : first_line(&out));
		goto out;
	}
	step("journal", "%s%s%s", first_line(&out), pw ? ", as " : "", pw ? pw->pw_name : "");
	ok = true;
out:
	buf_release(&out);
	free(self);
	free(conf);
	return ok;
}

static void edit_block(const char *what, const char *path, const char *body, enum block_place place)
{
	char *bak = NULL;
	bool changed;

	if (block_edit_file(path, body, place, &changed, &bak) < 0) {
		step_failed(what, errget());
		return;
	}
	if (!changed)
		step(what, "%s", body ? "in place" : "nothing to remove");
	else if (bak)
		step(what, "%s (the file as it was: %s)", body ? "added" : "removed", bak);
	else
		step(what, "%s", body ? "added" : "removed");
	free(bak);
}

static void setup_hooks(const struct server *s, bool undo)
{
	char *bashrc = server_path(s, SERVER_BASHRC);
	char *zshdir = server_path(s, SERVER_ZSHDIR);
	char *zshrc = server_path(s, SERVER_ZSHRC);
	char *what;

	what = xasprintf("hook in %s", bashrc);
	{
		char *body = undo ? NULL : server_hook_body(s, "bash");
		/* above Debian's "[ -z "$PS1" ] && return": the shell sshd starts for ssh HOST CMD reads it */
		edit_block(what, bashrc, body, BLOCK_AT_TOP);
		free(body);
	}
	free(what);
	what = xasprintf("hook in %s", zshrc);
	if (!fs_is_dir(zshdir)) {
		step(what, "zsh is not installed (no %s)", zshdir);
	} else {
		char *body = undo ? NULL : server_hook_body(s, "zsh");
		/* only interactive zsh reads zshrc */
		edit_block(what, zshrc, body, BLOCK_AT_END);
		free(body);
	}
	free(what);
	free(bashrc);
	free(zshdir);
	free(zshrc);
}

/* systemctl [--root=ROOT] args... */
/*
 * APT's hook, a file of its own in apt.conf.d (as etckeeper does): made
 * when missing, rewritten when it is not what this setup writes, and
 * removed by --undo only when it is exactly that, byte for byte (an admin's
 * edit is kept and said so).  No apt.conf.d: not a Debian-like system.
 */
static void setup_apt(const struct server *s, bool undo)
{
	char *path = server_path(s, SERVER_APT_CONF), *dir = xstrdup(path), *self = fs_self_exe();
	char *body = server_apt_conf_body(s, self);
	char *what = xasprintf("APT hook %s", path);
	struct buf now = BUF_INIT;
	bool have;

	*strrchr(dir, '/') = '\0';
	have = fs_read_file(path, &now) == 0;
	if (!body) {
		step_failed(what, errget());
	} else if (!fs_is_dir(dir)) {
		step(what, "APT is not installed (no %s)", dir);
	} else if (undo) {
		if (!have)
			step(what, "nothing to remove");
		else if (now.len != strlen(body) || memcmp(now.data, body, now.len))
			step(what, "kept: it changed since setup wrote it (remove it yourself if you mean it)");
		else if (unlink(path) < 0)
			step_failed(what, strerror(errno));
		else
			step(what, "removed");
	} else if (have && now.len == strlen(body) && !memcmp(now.data, body, now.len)) {
		step(what, "in place");
	} else if (fs_write_atomic(path, body, strlen(body), 0644) < 0) {
		step_failed(what, errget());
	} else {
		step(what, "%s", have ? "rewritten" : "added");
	}
	buf_release(&now);
	free(what);
	free(body);
	free(self);
	free(dir);
	free(path);
}

static int systemctl(const struct server *s, const char *const args[], struct buf *out)
{
	const char *argv[12];
	char *root = NULL;
	size_t n = 0;
	int rc;

	argv[n++] = "systemctl";
	if (!s->real) {
		root = xasprintf("--root=%s", s->root);
		argv[n++] = root;
	}
	for (size_t i = 0; args[i] && n < 11; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	rc = server_run(argv, out);
	free(root);
	return rc;
}

static bool timer_enabled(const struct server *s, const char *timer)
{
	const char *args[] = { "is-enabled", timer, NULL };
	struct buf out = BUF_INIT;
	bool enabled = systemctl(s, args, &out) == 0 && !strncmp(buf_str(&out), "enabled", 7);

	buf_release(&out);
	return enabled;
}

static void setup_timers(const struct server *s, bool undo)
{
	struct journal *j = journal_open(s->journal);
	struct buf skipped = BUF_INIT;
	bool now = s->real && server_systemd_running();
	char **timers;
	size_t n;

	server_timers(s, j ? j->conf : NULL, &timers, &n, undo ? NULL : &skipped);
	journal_close(j);
	if (skipped.len)
		fputs(buf_str(&skipped), stdout);
	buf_release(&skipped);
	if (n == 0) {
		if (!undo)
			step("timers", "none installed (make install or the Debian package installs them)");
		server_names_free(timers, n);
		return;
	}
	if (!server_have("systemctl")) {
		step("timers", "systemctl is not here: %s them yourself", undo ? "disable" : "enable");
		server_names_free(timers, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *on[] = { undo ? "disable" : "enable", now ? "--now" : "--quiet", timers[i], NULL };
		struct buf out = BUF_INIT;
		int rc;

		if (timer_enabled(s, timers[i]) != undo) {
			step(timers[i], "%s", undo ? "not enabled" : "enabled already");
			continue;
		}
		rc = systemctl(s, on, &out);
		if (rc != 0)
			step_failed(timers[i], rc < 0 ? errget() : first_line(&out));
		else if (undo)
			step(timers[i], "disabled");
		else
			step(timers[i], "enabled%s", now ? " and started"
					: s->real ? " (not started: systemd is not running here; it starts at boot)" : "");
		buf_release(&out);
	}
	/* the units name the default journal */
	if (!undo && s->real && strcmp(s->journal, JOURNAL_DEFAULT_DIR))
		step("timers", "their units work on %s, not on %s: change -C there (systemctl edit UNIT)",
		     JOURNAL_DEFAULT_DIR, s->journal);
	server_names_free(timers, n);
}

/*
 * The OnFailure= drop-in for every service (server.h): written when the
 * handler's unit is installed, left alone when someone changed it, and
 * removed by undo only when it is still ours, with its directory when
 * setup made it.
 */
static void setup_onfailure(const struct server *s, bool undo)
{
	static const char body[] = SERVER_ONFAILURE_BODY;
	char *path = server_path(s, SERVER_ONFAILURE_DROPIN);
	char *dir = server_path(s, SERVER_ONFAILURE_DIR);
	struct buf had = BUF_INIT;
	bool exists = fs_exists(path);
	bool ours = exists && fs_read_file(path, &had) == 0 && had.len == sizeof body - 1 &&
		    !memcmp(had.data, body, had.len);

	if (undo) {
		if (!exists) {
			/* nothing of ours */
		} else if (!ours) {
			step(path, "changed since setup wrote it: left as it is");
		} else if (unlink(path) < 0) {
			step_failed(path, strerror(errno));
		} else {
			step(path, "removed");
			if (rstate_get_has(s, "onfailure-dir-created"))
				rmdir(dir);
		}
	} else if (ours) {
		step(path, "installed already");
	} else if (exists) {
		step(path, "changed by hand: left as it is (failed services are filed only as it says)");
	} else if (!server_unit_installed(s, SERVER_ONFAILURE_HANDLER)) {
		step("failed services", "%s is not installed (make install or the Debian package installs it)",
		     SERVER_ONFAILURE_HANDLER);
	} else {
		if (!fs_is_dir(dir))
			rstate_note(s, "onfailure-dir-created", SERVER_ONFAILURE_DIR);
		if (fs_mkdirs(dir, 0755) < 0 || fs_write_atomic(path, body, sizeof body - 1, 0644) < 0)
			step_failed(path, errget());
		else
			step(path, "installed: every failed service is filed (%s)", SERVER_ONFAILURE_HANDLER);
	}
	buf_release(&had);
	free(dir);
	free(path);
}

static bool has_command(const char *name)
{
	for (size_t i = 0; i < ncommands; i++)
		if (!strcmp(commands[i].name, name))
			return true;
	return false;
}

/*
 * What setup changed outside the journal that is not a marked block: the
 * user it made, postfix's parameters as they were.  It lives in root's
 * SERVER_STATE, not in the journal's .state, which the journal's group
 * may write: undo runs userdel and postconf from it.  Lines "KEY VALUE".
 */
static char *rstate_get(const struct server *s, const char *key)
{
	char *path = server_path(s, SERVER_STATE);
	struct buf b = BUF_INIT;
	char *value = NULL;
	size_t klen = strlen(key);

	if (fs_read_file(path, &b) == 0) {
		for (const char *p = buf_str(&b); p && *p && !value;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			if (n > klen && !memcmp(p, key, klen) && p[klen] == ' ')
				value = xstrndup(p + klen + 1, n - klen - 1);
			p = nl ? nl + 1 : NULL;
		}
	}
	buf_release(&b);
	free(path);
	return value;
}

/* note key once: the first value is what the system had before setup */
static void rstate_note(const struct server *s, const char *key, const char *value)
{
	char *path = server_path(s, SERVER_STATE);
	char *dir = server_path(s, SERVER_ETC);
	char *had = rstate_get(s, key);
	struct buf b = BUF_INIT;

	if (!had) {
		fs_read_file(path, &b);
		buf_addf(&b, "%s %s\n", key, value);
		if (fs_mkdirs(dir, 0755) < 0 || fs_write_atomic(path, b.data, b.len, 0600) < 0)
			step_failed("setup state", errget());
	}
	buf_release(&b);
	free(had);
	free(dir);
	free(path);
}

static bool rstate_get_has(const struct server *s, const char *key)
{
	char *v = rstate_get(s, key);

	free(v);
	return v != NULL;
}

static void rstate_forget(const struct server *s)
{
	char *path = server_path(s, SERVER_STATE);
	char *dir = server_path(s, SERVER_ETC);

	unlink(path);
	/* only when empty: an admin's own files stay */
	rmdir(dir);
	free(dir);
	free(path);
}

/* the account the MTA runs ingest-mail as, in the journal's group */
static void setup_user(const struct server *s, bool undo)
{
	const char *what = "user " SERVER_USER;
	const char *shell = access(SERVER_SHELL, X_OK) == 0 ? SERVER_SHELL : "/usr/sbin/nologin";
	struct buf out = BUF_INIT;
	char *made = rstate_get(s, "user-created");
	struct passwd *pw;

	if (undo) {
		if (s->real && made && !strcmp(made, SERVER_USER) && getpwnam(SERVER_USER)) {
			const char *argv[] = { "userdel", SERVER_USER, NULL };
			if (server_run(argv, &out) != 0)
				step_failed(what, first_line(&out));
			else
				step(what, "removed (setup had made it)");
		}
	} else if (!s->real) {
		step(what, "not made under the root %s (on /: useradd --system --gid " SERVER_GROUP
		     " --home-dir " SERVER_HOME " --shell %s " SERVER_USER ")", s->root, shell);
	} else if ((pw = getpwnam(SERVER_USER))) {
		/* one an older setup made: no home, no shell; give it both */
		if (made && (strcmp(pw->pw_dir, SERVER_HOME) || strcmp(pw->pw_shell, shell))) {
			const char *argv[] = { "usermod", "--home", SERVER_HOME, "--shell", shell, "--password", "*",
					       SERVER_USER, NULL };
			if (server_run(argv, &out) != 0)
				step_failed(what, first_line(&out));
			else
				step(what, "exists; its home is now " SERVER_HOME " and its shell %s", shell);
		} else {
			step(what, "exists");
		}
	} else if (!getgrnam(SERVER_GROUP)) {
		step_failed(what, "no group " SERVER_GROUP " to put it in");
	} else {
		/*
		 * password "*": none is valid, but the account is not locked
		 * ("!"), which sshd without PAM refuses even for a key
		 */
		const char *argv[] = { "useradd", "--system", "--gid", SERVER_GROUP, "--home-dir", SERVER_HOME,
				       "--no-create-home", "--shell", shell, "--password", "*", SERVER_USER, NULL };
		int rc = server_run(argv, &out);
		if (rc != 0 || !getpwnam(SERVER_USER)) {
			step_failed(what, rc < 0 ? errget() : first_line(&out));
		} else {
			/* undo removes the user only when setup made it */
			rstate_note(s, "user-created", SERVER_USER);
			step(what, "created (it alone runs git in the journal; the MTA files mail as it)");
		}
	}
	buf_release(&out);
	free(made);
}

/* a directory of pw's, mode mode, made when missing; -1 when it is not usable */
static int user_dir(const struct passwd *pw, const char *path, mode_t mode, bool *made)
{
	struct stat st;

	*made = false;
	if (mkdir(path, mode) == 0) {
		*made = true;
		if (chown(path, pw->pw_uid, pw->pw_gid) < 0 || chmod(path, mode) < 0) {
			errset_sys("%s", path);
			return -1;
		}
	} else if (errno != EEXIST) {
		errset_sys("%s", path);
		return -1;
	}
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != pw->pw_uid || (st.st_mode & 022)) {
		errset("%s is not a directory of %s's alone (ssh would refuse it)", path, pw->pw_name);
		return -1;
	}
	return 0;
}

/*
 * SERVER_USER's home and its own ed25519 key: the key the other
 * replicas let in (--accept-replica), so that the timers never need an
 * admin's agent and no admin's key needs to be on a server.  The key is
 * made by ssh-keygen run as the user.
 */
static void setup_key(const struct server *s, bool undo)
{
	const char *what = "ssh key of " SERVER_USER;
	struct passwd *pw = logbook_user(s);
	char *made = rstate_get(s, "home-created");
	char *ssh = NULL, *key = NULL, *pub = NULL, *comment = NULL;
	struct buf out = BUF_INIT;
	bool made_dir;

	if (undo) {
		/* the user is gone: its home too, when setup made it */
		if (s->real && made && !strcmp(made, SERVER_HOME) && !pw) {
			const char *argv[] = { "rm", "-rf", "--one-file-system", "--", SERVER_HOME, NULL };
			if (server_run(argv, &out) != 0)
				step_failed(what, first_line(&out));
			else
				step(what, "removed with " SERVER_HOME);
		}
		goto out;
	}
	if (!pw)
		goto out;
	if (pw->pw_dir[0] != '/' || !strcmp(pw->pw_dir, "/") || !strcmp(pw->pw_dir, "/nonexistent")) {
		step(what, "none: %s has no home (usermod --home " SERVER_HOME " " SERVER_USER ")", SERVER_USER);
		goto out;
	}
	if (user_dir(pw, pw->pw_dir, 0750, &made_dir) < 0) {
		step_failed(what, errget());
		goto out;
	}
	if (made_dir && !strcmp(pw->pw_dir, SERVER_HOME))
		rstate_note(s, "home-created", SERVER_HOME);
	ssh = fs_join(pw->pw_dir, ".ssh");
	key = fs_join(ssh, "id_ed25519");
	pub = xasprintf("%s.pub", key);
	if (user_dir(pw, ssh, 0700, &made_dir) < 0) {
		step_failed(what, errget());
		goto out;
	}
	if (fs_exists(key)) {
		step(what, "%s exists", pub);
	} else {
		char *host = ident_host();
		const char *argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", NULL, "-f", key, NULL };
		int rc;
		comment = xasprintf("%s@%s", SERVER_USER, host ? host : "localhost");
		argv[7] = comment;
		rc = run_as(pw, argv, &out);
		if (rc != 0)
			step_failed(what, rc < 0 ? errget() : first_line(&out));
		else
			step(what, "made: %s", pub);
		free(host);
	}
out:
	buf_release(&out);
	free(comment);
	free(pub);
	free(key);
	free(ssh);
	free(made);
}

/* --accept-replica KEY: let the replica holding KEY push and fetch as SERVER_USER, git only */
static void accept_replica(const struct server *s, const char *key)
{
	const char *what = "replica key";
	struct passwd *pw = logbook_user(s);
	char *line = server_replica_key_line(key), *ssh = NULL, *path = NULL;
	struct buf b = BUF_INIT;
	bool made_dir;
	int fd;

	if (!line) {
		step_failed(what, errget());
		return;
	}
	if (!pw) {
		step_failed(what, s->real ? "no user " SERVER_USER " (run logbook setup first)"
					  : "not under --root (the user's home is on the real system)");
		goto out;
	}
	ssh = fs_join(pw->pw_dir, ".ssh");
	path = fs_join(ssh, "authorized_keys");
	if (user_dir(pw, ssh, 0700, &made_dir) < 0) {
		step_failed(what, errget());
		goto out;
	}
	fs_read_file(path, &b);
	{
		/* the key (its second word), once */
		const char *blob = strchr(line, ' ') + 1;
		const char *sp = strchr(strchr(blob, ' ') + 1, ' ');
		size_t blen = sp ? (size_t)(sp - blob) : strlen(blob);
		char *needle = xstrndup(blob, blen);
		bool have = strstr(buf_str(&b), needle) != NULL;
		free(needle);
		if (have) {
			step(what, "%s lets it in already", path);
			goto out;
		}
	}
	/* the user's file, appended to as it, never through a link */
	fd = fs_open_below(pw->pw_dir, ".ssh/authorized_keys", O_WRONLY | O_CREAT | O_APPEND, 0600, 0);
	if (fd >= 0 && fchown(fd, pw->pw_uid, pw->pw_gid) == 0 && fs_write_all(fd, line, strlen(line)) == 0 &&
	    fs_write_all(fd, "\n", 1) == 0 && close(fd) == 0) {
		step(what, "added to %s: %s", path, line);
	} else {
		step_failed(what, fd < 0 ? errget() : strerror(errno));
	}
out:
	buf_release(&b);
	free(path);
	free(ssh);
	free(line);
}

static int postconf(const struct server *s, const char *a, const char *b, struct buf *out)
{
	char *dir = server_path(s, SERVER_POSTFIX_DIR);
	const char *argv[] = { "postconf", "-c", dir, a, b, NULL };
	int rc = server_run(argv, out);

	free(dir);
	return rc;
}

/* postconf -c DIR -h[n] param: the value alone (stdout; warnings to /dev/null) */
static int postconf_value(const struct server *s, const char *flags, const char *param, struct buf *out)
{
	char *dir = server_path(s, SERVER_POSTFIX_DIR);
	const char *argv[] = { "postconf", "-c", dir, flags, param, NULL };
	struct child c = { argv, NULL, RUN_NULL, RUN_PIPE, RUN_NULL, NULL, false, 0, -1, -1 };
	int rc = -1;

	if (run_start(&c) == 0) {
		rc = fs_read_fd(c.from_child, out, 0);
		close(c.from_child);
		rc = run_finish(&c) != 0 ? -1 : rc;
	}
	if (rc != 0)
		buf_addf(out, "postconf -h %s failed", param);
	free(dir);
	return rc;
}

static const char *const postfix_params[] = { "alias_maps", "alias_database" };

/* postfix reload, when postfix runs on this system */
static void postfix_reload(const struct server *s)
{
	const char *status[] = { "postfix", "status", NULL };
	const char *reload[] = { "postfix", "reload", NULL };
	struct buf out = BUF_INIT;

	if (!s->real)
		return;
	if (server_run(status, NULL) != 0)
		step("postfix", "not running: it reads main.cf when it starts");
	else if (server_run(reload, &out) != 0)
		step_failed("postfix reload", first_line(&out));
	else
		step("postfix", "reloaded");
	buf_release(&out);
}

/*
 * postfix: logbook's own alias file, owned by SERVER_USER so that postfix
 * runs ingest-mail as that user (local(8): the commands of an alias file
 * run as its owner; root's file runs them as default_privs, which cannot
 * read the journal), listed in alias_maps after the entries there.
 */
static void setup_mail_postfix(const struct server *s, const char *line, bool undo)
{
	char *file = server_path(s, SERVER_MAIL_ALIASES);
	char *db = xasprintf("%s.db", file);
	char *entry = xasprintf("hash:%s", file);
	char *dir = server_path(s, SERVER_POSTFIX_DIR);
	char *what = xasprintf("mail alias in %s", file);
	struct passwd *pw = getpwnam(SERVER_USER);
	uid_t uid = pw ? pw->pw_uid : (uid_t)-1;
	gid_t gid = pw ? pw->pw_gid : (gid_t)-1;
	bool changed = false;

	if (!undo) {
		struct buf had = BUF_INIT, out = BUF_INIT;
		char *want = xasprintf("%s\n", line);
		struct stat st;
		const char *postalias[] = { "postalias", "-c", dir, file, NULL };
		bool same = fs_read_file(file, &had) == 0 && strstr(buf_str(&had), want) && stat(file, &st) == 0 &&
			    (uid == (uid_t)-1 || st.st_uid == uid) && fs_exists(db);

		if (same) {
			step(what, "in place");
		} else if (server_alias_file_write(file, line, (uid_t)-1, (gid_t)-1) < 0) {
			step_failed(what, errget());
		} else if (server_run(postalias, &out) != 0 ||
			   /* given away after postalias, which runs as the file's owner and could not write the .db */
			   (uid != (uid_t)-1 && (chown(db, uid, gid) < 0 || chown(file, uid, gid) < 0))) {
			step_failed("postalias", out.len ? first_line(&out) : strerror(errno));
		} else if (uid == (uid_t)-1) {
			step(what, "written; no user " SERVER_USER " here: the file is root's, and postfix runs "
			     "the pipe as default_privs (chown " SERVER_USER " %s %s once the user exists)", file, db);
		} else {
			step(what, "written, owned by " SERVER_USER " (postfix runs the pipe as it)");
		}
		buf_release(&had);
		buf_release(&out);
		free(want);
	}
	for (size_t i = 0; i < sizeof postfix_params / sizeof *postfix_params; i++) {
		const char *param = postfix_params[i];
		struct buf cur = BUF_INIT, set = BUF_INIT, out = BUF_INIT;
		char *key = xasprintf("postfix-%s", param);
		char *was = rstate_get(s, key);

		if (postconf_value(s, "-h", param, &cur) != 0 || postconf_value(s, "-nh", param, &set) != 0) {
			step_failed(param, first_line(&cur));
		} else if (undo) {
			char *back = NULL;
			int rc = 0;
			cmd_trim(&cur);
			/* exactly as it was: set to the old value, or unset again */
			if (was && !strcmp(was, "unset")) {
				rc = postconf(s, "-X", param, &out);
				back = xstrdup("unset");
			} else if (was && was[0] == '=') {
				char *assign = xasprintf("%s = %s", param, was + 1);
				if (strcmp(buf_str(&cur), was + 1))
					rc = postconf(s, "-e", assign, &out);
				back = xstrdup(was + 1);
				free(assign);
			} else if ((back = server_maps_remove(buf_str(&cur), entry))) {
				char *assign = xasprintf("%s = %s", param, back);
				rc = postconf(s, "-e", assign, &out);
				free(assign);
			}
			if (rc != 0)
				step_failed(param, first_line(&out));
			else if (back)
				step(param, "given back: %s", *back ? back : "(empty)");
			changed |= back != NULL;
			free(back);
		} else {
			char *now;
			cmd_trim(&cur);
			cmd_trim(&set);
			now = server_maps_add(buf_str(&cur), entry);
			if (!now) {
				step(param, "has %s", entry);
			} else {
				char *assign = xasprintf("%s = %s", param, now);
				char *old = set.len ? xasprintf("=%s", buf_str(&set)) : xstrdup("unset");
				rstate_note(s, key, old);
				if (postconf(s, "-e", assign, &out) != 0) {
					step_failed(param, first_line(&out));
				} else {
					step(param, "%s", now);
					changed = true;
				}
				free(old);
				free(now);
				free(assign);
			}
		}
		buf_release(&cur);
		buf_release(&set);
		buf_release(&out);
		free(was);
		free(key);
	}
	if (undo) {
		bool gone = unlink(file) == 0;
		gone |= unlink(db) == 0;
		step(what, "%s", gone ? "removed" : "nothing to remove");
	}
	if (changed)
		postfix_reload(s);
	free(what);
	free(dir);
	free(entry);
	free(db);
	free(file);
}

static void setup_mail(const struct server *s, bool add, bool undo)
{
	char *aliases = server_path(s, SERVER_ALIASES);
	char *self = fs_self_exe();
	char *body = NULL;
	char *line = NULL;
	bool changed = false;
	bool postfix = server_postfix(s);

	if (!has_command("ingest-mail")) {
		if (!undo)
			step("mail", "this logbook has no ingest-mail: no alias");
		goto out;
	}
	line = server_alias_line(s, self);
	if (!undo && !add) {
		if (postfix)
			step("mail", "to file mail into the journal, run setup --mail-alias: it writes\n    %s\n"
			     "  to %s, owned by the user " SERVER_USER ", and adds it to postfix's alias_maps;\n"
			     "  then send cron and service mail to it, e.g. \"root: you@example.org, logbook\"",
			     line, SERVER_MAIL_ALIASES);
		else
			step("mail", "to file mail into the journal, add to %s (or run setup --mail-alias):\n    %s\n"
			     "  and send cron and service mail to it, e.g. \"root: you@example.org, logbook\"\n"
			     "  the pipe runs as the MTA's default user (postfix: default_privs, nobody), which\n"
			     "  must read and write the journal",
			     aliases, line);
		goto out;
	}
	if (postfix) {
		setup_mail_postfix(s, line, undo);
		/* a block from before setup knew postfix goes on undo */
		if (!undo)
			goto out;
	}
	if (!undo)
		body = xasprintf("%s\n", line);
	{
		char *bak = NULL;
		char *what = xasprintf("mail alias in %s", aliases);
		if (block_edit_file(aliases, body, BLOCK_AT_END, &changed, &bak) < 0) {
			step_failed(what, errget());
		} else if (!changed) {
			if (!postfix)
				step(what, "%s", undo ? "nothing to remove" : "in place");
		} else {
			step(what, "%s%s%s%s", undo ? "removed" : "added", bak ? " (the file as it was: " : "",
			     bak ? bak : "", bak ? ")" : "");
		}
		free(bak);
		free(what);
	}
	if (!undo && !postfix)
		step("mail", "the pipe runs as the MTA's default user (postfix: default_privs, nobody), which must "
		     "read and write the journal");
	if (changed && s->real) {
		const char *argv[] = { "newaliases", NULL };
		struct buf out = BUF_INIT;
		if (!server_have("newaliases"))
			step("newaliases", "not found (no mail server here?): run it once one is installed");
		else if (server_run(argv, &out) != 0)
			step_failed("newaliases", first_line(&out));
		else
			step("newaliases", "done");
		buf_release(&out);
	}
out:
	free(line);
	free(body);
	free(self);
	free(aliases);
}

/* how the other replicas let this one in, when it has its key */
static void print_key_todo(const struct server *s)
{
	struct passwd *pw = logbook_user(s);
	char *pub, *line = NULL;
	struct buf b = BUF_INIT;

	if (!pw)
		return;
	pub = xasprintf("%s/.ssh/id_ed25519.pub", pw->pw_dir);
	if (fs_read_file(pub, &b) == 0)
		line = server_replica_key_line(buf_str(&b));
	if (line) {
		/* the key alone, without the "restrict " the other side adds */
		printf("  - let this server sync with the others: on each of them, as root:\n"
		       "      logbook setup --accept-replica '%s'\n"
		       "    and here: logbook remote add NAME " SERVER_USER "@HOST:%s\n",
		       line + strlen("restrict "), JOURNAL_DEFAULT_DIR);
	}
	free(line);
	buf_release(&b);
	free(pub);
}

/* what the admin still has to do, after a setup */
static void print_todo(const struct server *s, bool have_group)
{
	struct journal *j = journal_open(s->journal);
	struct team_keys keys;
	char **remotes = NULL;
	size_t nremotes = 0;

	printf("\nStill to do:\n");
	if (j) {
		team_keys_load(j->conf, &keys);
		if (keys.n == 0)
			printf("  - add yourself and your ssh key (who you are on shared root, your signatures):\n"
			       "      logbook team add NAME --email ADDRESS --key ~/.ssh/id_ed25519.pub\n");
		team_keys_free(&keys);
		if (replica_remotes(j, &remotes, &nremotes) == 0 && nremotes == 0)
			printf("  - name the other replicas: logbook remote add NAME URL\n");
		replica_names_free(remotes, nremotes);
		journal_close(j);
	}
	if (have_group)
		printf("  - admins who work from their own accounts: usermod -aG " SERVER_GROUP " ACCOUNT\n");
	print_key_todo(s);
	printf("  - open a new shell (this one does not record yet), then check: logbook doctor\n");
}

int cmd_setup(int argc, char **argv)
{
	enum { OPT_JOIN = 256, OPT_TZ, OPT_MAIL, OPT_UNDO, OPT_ROOT, OPT_ACCEPT, OPT_TRUST };
	static const struct option opts[] = {
		{ "join", required_argument, NULL, OPT_JOIN },
		{ "trust", required_argument, NULL, OPT_TRUST },
		{ "timezone", required_argument, NULL, OPT_TZ },
		{ "mail-alias", no_argument, NULL, OPT_MAIL },
		{ "undo", no_argument, NULL, OPT_UNDO },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "accept-replica", required_argument, NULL, OPT_ACCEPT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *join = NULL, *tz = NULL, *root = NULL, *accept = NULL, *trust = NULL;
	bool mail = false, undo = false, have_group = false;
	struct server s;
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JOIN:
			join = optarg;
			break;
		case OPT_TRUST:
			trust = optarg;
			break;
		case OPT_TZ:
			tz = optarg;
			break;
		case OPT_MAIL:
			mail = true;
			break;
		case OPT_UNDO:
			undo = true;
			break;
		case OPT_ROOT:
			root = optarg;
			break;
		case OPT_ACCEPT:
			accept = optarg;
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	if (optind < argc)
		cli_usage_exit(usage, "setup: too many arguments");
	if (accept && (undo || join || tz || mail))
		cli_usage_exit(usage, "setup: --accept-replica is a step of its own: no other option");
	if (undo && (join || tz || mail))
		cli_usage_exit(usage, "setup: --undo takes no --join, --timezone or --mail-alias");
	if (trust && !join)
		cli_usage_exit(usage, "setup: --trust goes with --join: it checks the journal joined");
	if (trust && strncmp(trust, "SHA256:", 7))
		cli_usage_exit(usage, "setup: --trust takes a key fingerprint, SHA256:...");
	if (join && tz)
		cli_usage_exit(usage, "setup: --timezone is for a new journal; a joined one has the team's");
	if (server_init(&s, root, cmd_dir_option) < 0)
		die("setup: %s", errget());
	if (s.real && geteuid() != 0)
		die("setup: run it as root: it edits /etc, makes a group and enables timers (or give --root DIR)");
	umask(022);
	if (accept) {
		accept_replica(&s, accept);
	} else if (undo) {
		setup_timers(&s, true);
		setup_onfailure(&s, true);
		setup_mail(&s, false, true);
		setup_hooks(&s, true);
		setup_apt(&s, true);
		/* .git back to root before its owner goes */
		if (rstate_get_has(&s, "git-given"))
			give_git(&s, NULL, true);
		/* the user before its group: groupdel refuses a primary group */
		setup_user(&s, true);
		setup_key(&s, true);
		/* older setups noted the group in the journal's .state/setup */
		if (s.real && (rstate_get_has(&s, "group-created") || state_has(&s, "group-created " SERVER_GROUP)) &&
		    getgrnam(SERVER_GROUP)) {
			const char *gdel[] = { "groupdel", SERVER_GROUP, NULL };
			struct buf out = BUF_INIT;
			if (server_run(gdel, &out) != 0)
				step_failed("group " SERVER_GROUP, first_line(&out));
			else
				step("group " SERVER_GROUP, "removed (setup had made it)");
			buf_release(&out);
		}
		state_forget(&s);
		rstate_forget(&s);
		if (fs_exists(s.journal))
			step("journal", "%s kept: it holds the team's records (rm -rf it if you mean it)", s.journal);
	} else {
		bool made_group, journal;
		gid_t gid = setup_group(&s, &have_group, &made_group);

		/* undo removes the group only when setup made it */
		if (made_group)
			rstate_note(&s, "group-created", SERVER_GROUP);
		/* the user first: it makes the journal's .git */
		setup_user(&s, false);
		setup_key(&s, false);
		journal = setup_journal(&s, gid, join, trust, tz);
		setup_hooks(&s, false);
		setup_apt(&s, false);
		setup_timers(&s, false);
		setup_onfailure(&s, false);
		setup_mail(&s, mail, false);
		if (journal) {
			print_todo(&s, have_group);
		} else if (join && logbook_user(&s)) {
			/* a clone over ssh needs this server's key let in first */
			printf("\nThe journal was not cloned.  If %s is a server of the team:\n", join);
			print_key_todo(&s);
			printf("  - then run this setup again\n");
		}
	}
	server_release(&s);
	if (cli_finish_output() != EXIT_OK)
		return EXIT_FAIL;
	return failures ? EXIT_FAIL : EXIT_OK;
}
