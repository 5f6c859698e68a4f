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
 * file edit (the group) is noted in the journal's .state/setup, so undo
 * removes only what setup made.  The user and postfix's parameters as
 * they were are noted in root's SERVER_STATE instead: undo runs userdel
 * and postconf from it, so the journal's group must not write it.
 */
#include <errno.h>
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
#include "journal/journal.h"
#include "journal/team.h"
#include "replica/replica.h"
#include "setup/block.h"
#include "setup/server.h"
#include "base/banned.h"

#define SETUP_STATE JOURNAL_STATE "/setup"

static const char usage[] =
	"usage: logbook setup [--join URL] [--timezone ZONE] [--mail-alias] [--root DIR]\n"
	"       logbook setup --undo [--root DIR]\n"
	"\n"
	"Bring this server into the team's logbook, as root.  Each step is\n"
	"skipped when already done, so setup can run again at any time:\n"
	"\n"
	"  - the group logbook (the admins' accounts join it to share the journal)\n"
	"  - the system user " SERVER_USER " in it, as which the MTA files mail\n"
	"  - the journal " JOURNAL_DEFAULT_DIR " (or -C DIR, $LOGBOOK_DIR), group-shared: new, or\n"
	"    with --join a replica of the team's journal at URL\n"
	"  - the hook in " SERVER_BASHRC " and " SERVER_ZSHRC ", so every new\n"
	"    interactive shell records its commands\n"
	"  - the systemd timers of logbook (logbook-digest.timer only when\n"
	"    team.conf has digest.to), and logbook-receive.path, which writes\n"
	"    what other replicas push into the journal\n"
	"  - with --mail-alias, the alias 'logbook' that files mail into the\n"
	"    journal (logbook ingest-mail): with postfix in " SERVER_MAIL_ALIASES ",\n"
	"    owned by " SERVER_USER " and added to alias_maps; else in " SERVER_ALIASES "\n"
	"\n"
	"Files are edited in a block between '" BLOCK_BEGIN "' and\n"
	"'" BLOCK_END "', after a copy to FILE" BLOCK_BACKUP_SUFFIX ".  --undo removes\n"
	"the blocks, disables the timers, gives postfix's alias_maps back and\n"
	"removes the user and group if setup made them; the journal stays.\n"
	"\n"
	"  --join URL       clone the team's journal from URL (see logbook clone)\n"
	"  --timezone ZONE  the time zone of a new journal (see logbook init)\n"
	"  --mail-alias     add the mail alias (otherwise only printed)\n"
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

static void state_note(const struct server *s, const char *line)
{
	char *path = fs_join(s->journal, SETUP_STATE);
	struct buf b = BUF_INIT;

	fs_read_file(path, &b);
	buf_addf(&b, "%s\n", line);
	if (fs_write_atomic(path, b.data, b.len, 0640) < 0)
		step_failed("setup state", errget());
	buf_release(&b);
	free(path);
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

/* the journal: there already, or made group-shared and filled by init or clone */
static bool setup_journal(const struct server *s, gid_t gid, const char *join, const char *tz)
{
	char *conf = fs_join(s->journal, JOURNAL_CONF);
	char *self = fs_self_exe();
	struct buf out = BUF_INIT;
	const char *argv[8];
	size_t n = 0;
	bool ok = false;
	int rc;

	if (fs_exists(conf)) {
		step("journal", "%s exists%s", s->journal, join ? " (not cloned again)" : "");
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
	/* group-shared: what init and clone see as a journal for several accounts */
	if (chown(s->journal, (uid_t)-1, gid) < 0 || chmod(s->journal, 02770) < 0) {
		step_failed("journal", strerror(errno));
		goto out;
	}
	argv[n++] = self;
	if (join) {
		argv[n++] = "clone";
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
	rc = server_run(argv, &out);
	if (rc != 0) {
		step_failed("journal", rc < 0 ? errget() : first_line(&out));
		goto out;
	}
	step("journal", "%s", first_line(&out));
	ok = true;
out:
	buf_release(&out);
	free(self);
	free(conf);
	return ok;
}

static void edit_block(const char *what, const char *path, const char *body)
{
	char *bak = NULL;
	bool changed;

	if (block_edit_file(path, body, &changed, &bak) < 0) {
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
		edit_block(what, bashrc, body);
		free(body);
	}
	free(what);
	what = xasprintf("hook in %s", zshrc);
	if (!fs_is_dir(zshdir)) {
		step(what, "zsh is not installed (no %s)", zshdir);
	} else {
		char *body = undo ? NULL : server_hook_body(s, "zsh");
		edit_block(what, zshrc, body);
		free(body);
	}
	free(what);
	free(bashrc);
	free(zshdir);
	free(zshrc);
}

/* systemctl [--root=ROOT] args... */
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
	struct buf out = BUF_INIT;
	char *made = rstate_get(s, "user-created");

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
		     " --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin " SERVER_USER ")", s->root);
	} else if (getpwnam(SERVER_USER)) {
		step(what, "exists");
	} else if (!getgrnam(SERVER_GROUP)) {
		step_failed(what, "no group " SERVER_GROUP " to put it in");
	} else {
		const char *argv[] = { "useradd", "--system", "--gid", SERVER_GROUP, "--home-dir", "/nonexistent",
				       "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER, NULL };
		int rc = server_run(argv, &out);
		if (rc != 0 || !getpwnam(SERVER_USER)) {
			step_failed(what, rc < 0 ? errget() : first_line(&out));
		} else {
			/* undo removes the user only when setup made it */
			rstate_note(s, "user-created", SERVER_USER);
			step(what, "created (the MTA files mail as it)");
		}
	}
	buf_release(&out);
	free(made);
}

/* postconf -c DIR args...: postfix's main.cf under the root */
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
		if (block_edit_file(aliases, body, &changed, &bak) < 0) {
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
	printf("  - open a new shell (this one does not record yet), then check: logbook doctor\n");
}

int cmd_setup(int argc, char **argv)
{
	enum { OPT_JOIN = 256, OPT_TZ, OPT_MAIL, OPT_UNDO, OPT_ROOT };
	static const struct option opts[] = {
		{ "join", required_argument, NULL, OPT_JOIN },
		{ "timezone", required_argument, NULL, OPT_TZ },
		{ "mail-alias", no_argument, NULL, OPT_MAIL },
		{ "undo", no_argument, NULL, OPT_UNDO },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *join = NULL, *tz = NULL, *root = NULL;
	bool mail = false, undo = false, have_group = false;
	struct server s;
	int c;

	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JOIN:
			join = optarg;
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
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	if (optind < argc)
		cli_usage_exit(usage, "setup: too many arguments");
	if (undo && (join || tz || mail))
		cli_usage_exit(usage, "setup: --undo takes no --join, --timezone or --mail-alias");
	if (join && tz)
		cli_usage_exit(usage, "setup: --timezone is for a new journal; a joined one has the team's");
	if (server_init(&s, root, cmd_dir_option) < 0)
		die("setup: %s", errget());
	if (s.real && geteuid() != 0)
		die("setup: run it as root: it edits /etc, makes a group and enables timers (or give --root DIR)");
	umask(022);
	if (undo) {
		setup_timers(&s, true);
		setup_mail(&s, false, true);
		setup_hooks(&s, true);
		/* the user before its group: groupdel refuses a primary group */
		setup_user(&s, true);
		if (s.real && state_has(&s, "group-created " SERVER_GROUP) && getgrnam(SERVER_GROUP)) {
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
		bool made_group;
		gid_t gid = setup_group(&s, &have_group, &made_group);
		bool journal = setup_journal(&s, gid, join, tz);
		/* undo removes the group only when setup made it */
		if (journal && made_group)
			state_note(&s, "group-created " SERVER_GROUP);
		setup_user(&s, false);
		setup_hooks(&s, false);
		setup_timers(&s, false);
		setup_mail(&s, mail, false);
		if (journal)
			print_todo(&s, have_group);
	}
	server_release(&s);
	if (cli_finish_output() != EXIT_OK)
		return EXIT_FAIL;
	return failures ? EXIT_FAIL : EXIT_OK;
}
