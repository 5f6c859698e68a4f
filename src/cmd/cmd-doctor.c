/*
 * logbook doctor: check this server, one line per check, each saying ok
 * or what is wrong and the command that fixes it.  A check that cannot be
 * made here (no systemd, not an interactive shell) says why on a line of
 * its own and is not a failure.  Every check looks at the real thing:
 * the spool by creating a file in it, the remotes with git ls-remote,
 * the index with SQLite's quick_check, the agent's keys against
 * team.conf.  doctor never changes anything.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/day.h"
#include "base/run.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "capture/spool.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "journal/sig.h"
#include "journal/store.h"
#include "journal/team.h"
#include "journal/work.h"
#include "replica/git.h"
#include "replica/replica.h"
#include "setup/block.h"
#include "setup/server.h"
#include "view/export.h"
#include "view/index.h"
#include "base/banned.h"

/* below this much free space on the journal's file system, doctor fails */
#define MIN_FREE_BYTES (100ull << 20)
/* a remote not reached by sync for this long is a failure */
#define SYNC_STALE_SECONDS (24 * 3600)

static const char usage[] =
	"usage: logbook doctor [--root DIR]\n"
	"\n"
	"Check this server and say, one line per check, 'ok' or 'FAIL' with\n"
	"what is wrong and, on the next line, the command that fixes it:\n"
	"the journal and its permissions, the spool, the hook in this shell\n"
	"and in the system rc files, git, the account that owns .git as sshd\n"
	"and git-shell need it (home, ~/.ssh, its key, restrict on every key let\n"
	"in, git-shell, no ~/git-shell-commands) and whether it can write the\n"
	"wiki of export.dokuwiki, each remote (reachable, and when\n"
	"sync last reached it), the other hosts' records pushed here and not\n"
	"written yet (logbook sync --local), the systemd timers and path\n"
	"units, the mail path (a test message to the alias of ingest-mail,\n"
	"filed as an event), an ssh-agent key of yours listed in team.conf, disk space,\n"
	"the search index, and commands waiting for an entry.  A check that\n"
	"cannot be made here is shown with '--' and why (for example when\n"
	"systemd is not running).\n"
	"\n"
	"  --root DIR   the system files and units are under DIR (default:\n"
	"               $LOGBOOK_ROOT, else /), as for logbook setup\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 when no check failed, 1 when one did, 2 on a usage error.\n";

static size_t n_ok, n_fail, n_skip;

static void ok(const char *check, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ok(const char *check, const char *fmt, ...)
{
	va_list ap;

	printf("ok   %s: ", check);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	n_ok++;
}

static void skip(const char *check, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void skip(const char *check, const char *fmt, ...)
{
	va_list ap;

	printf("--   %s: ", check);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	n_skip++;
}

/* "FAIL check: what" and "  fix: fix" */
static void fail(const char *check, const char *fix, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(const char *check, const char *fix, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", check);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (fix)
		printf("  fix: %s\n", fix);
	n_fail++;
}

static const char *user_name(void)
{
	struct passwd *pw = getpwuid(geteuid());
	return pw ? pw->pw_name : "you";
}

/* the first line of a tool's output, for a one-line report */
static const char *first_line(struct buf *b)
{
	char *nl;

	cmd_trim(b);
	if ((nl = strchr(buf_str(b), '\n')))
		*nl = '\0';
	return b->len ? buf_str(b) : "no output";
}

/* files of a shared journal that the group cannot use */
static gid_t walk_gid;
static size_t walk_bad;
static char *walk_first;

static int walk_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	bool bad;

	(void)ftw;
	if (type == FTW_SL)
		return 0;
	/* .git is its owner's alone: the git check looks at it */
	if (strstr(path, "/.git/") || (strlen(path) >= 5 && !strcmp(path + strlen(path) - 5, "/.git")))
		return 0;
	/* so is each account's spool directory (.state/spool/<uid>, 0700) and what is in it */
	if (strstr(path, "/" JOURNAL_STATE "/spool/"))
		return 0;
	if (type == FTW_D || type == FTW_DP)
		bad = st->st_gid != walk_gid || (st->st_mode & 02070) != 02070;
	else
		bad = st->st_gid != walk_gid || (st->st_mode & 0060) != 0060;
	/* local files (spools, the background sync's log) may be private by design */
	if (bad && type == FTW_F && strstr(path, "/" JOURNAL_STATE "/"))
		bad = false;
	if (bad) {
		if (!walk_first)
			walk_first = xstrdup(path);
		walk_bad++;
	}
	return 0;
}

/* the fix for an account outside the journal's group (allocated) */
static char *join_group_fix(gid_t gid)
{
	struct group *g = getgrgid(gid);

	return xasprintf("usermod -aG %s %s, then log in again", g ? g->gr_name : "GROUP", user_name());
}

static void check_permissions(struct journal *j)
{
	struct stat st;
	struct group *g;
	char *fix;

	if (stat(j->dir, &st) < 0) {
		fail("journal permissions", NULL, "%s: %s", j->dir, strerror(errno));
		return;
	}
	if (!j->shared) {
		if (access(j->dir, W_OK) < 0)
			fail("journal permissions", "logbook setup (a group-shared journal)", "%s: %s cannot write it",
			     j->dir, user_name());
		else
			ok("journal permissions", "%s is private to its owner (not group-shared)", j->dir);
		return;
	}
	g = getgrgid(st.st_gid);
	walk_gid = st.st_gid;
	walk_bad = 0;
	free(walk_first);
	walk_first = NULL;
	nftw(j->dir, walk_entry, 16, FTW_PHYS);
	if (walk_bad) {
		char gname[32];
		if (g)
			snprintf(gname, sizeof gname, "%s", g->gr_name);
		else
			snprintf(gname, sizeof gname, "%lu", (unsigned long)st.st_gid);
		fix = xasprintf("chgrp -R %s %s && chmod -R g+rwX %s && find %s -type d -exec chmod g+s {} + && "
				"chmod -R go-w %s/.git && find %s/" JOURNAL_STATE "/spool -mindepth 1 -exec chmod go-rwx {} +",
				gname, j->dir, j->dir, j->dir, j->dir, j->dir);
		fail("journal permissions", fix, "%zu file%s not usable by the group %s, first %s", walk_bad,
		     walk_bad == 1 ? "" : "s", gname, walk_first);
		free(fix);
	} else if (access(j->dir, W_OK) < 0) {
		fix = join_group_fix(st.st_gid);
		fail("journal permissions", fix, "%s cannot write %s", user_name(), j->dir);
		free(fix);
	} else {
		ok("journal permissions", "%s is shared with the group %s", j->dir, g ? g->gr_name : "?");
	}
	free(walk_first);
	walk_first = NULL;
}

/*
 * The journal did not open: a group-shared journal that this account
 * cannot enter wants the account in the group (setup would change
 * nothing); anything else, setup.
 */
static void journal_failed(const char *dir)
{
	struct stat st;

	if (journal_dir_is_shared(dir) && stat(dir, &st) == 0 && access(dir, X_OK) < 0 && errno == EACCES) {
		char *fix = join_group_fix(st.st_gid);
		fail("journal", fix, "%s cannot enter %s: not in its group", user_name(), dir);
		free(fix);
		return;
	}
	fail("journal", "logbook setup (or logbook setup --join URL)", "%s", errget());
}

static void check_spool(struct journal *j)
{
	char *dir = journal_path(j, SPOOL_DIR);
	char *probe = xasprintf("%s/.doctor.%ld", dir, (long)getpid());
	int fd;

	if (!fs_exists(dir)) {
		ok("spool", "%s is made by the first hooked shell", dir);
	} else if (!fs_is_dir(dir)) {
		char *fix = xasprintf("rm %s (the next shell makes the directory)", dir);
		fail("spool", fix, "%s is not a directory", dir);
		free(fix);
	} else if ((fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		const char *why = strerror(errno);
		char *fix = xasprintf("chmod 3770 %s (and the journal's group for %s)", dir, user_name());
		fail("spool", fix, "%s cannot write %s: %s", user_name(), dir, why);
		free(fix);
	} else {
		close(fd);
		unlink(probe);
		ok("spool", "%s is writable", dir);
	}
	free(probe);
	free(dir);
}

static void check_shell_hook(struct journal *j)
{
	const char *session = getenv("LOGBOOK_SESSION");

	if (session && *session) {
		char *spool = spool_path(j, geteuid(), session, "spool");
		if (fs_exists(spool))
			ok("hook in this shell", "recording (session %s)", session);
		else
			fail("hook in this shell", "exec $SHELL (a new shell starts a new spool)",
			     "this shell's spool %s is gone: its commands are no longer recorded", spool);
		free(spool);
	} else if (isatty(0)) {
		fail("hook in this shell", "exec bash -l, or: eval \"$(logbook hook bash)\"",
		     "this shell does not record its commands");
	} else {
		skip("hook in this shell", "not run from an interactive shell");
	}
}

static void check_rc(const struct server *s, const char *rc, const char *shell)
{
	char *path = server_path(s, rc);
	char *check = xasprintf("hook in %s", path);
	char *needle = xasprintf("logbook hook %s", shell);
	char *fix = s->real ? xstrdup("logbook setup") : xasprintf("logbook setup --root %s", s->root);
	struct buf b = BUF_INIT;

	if (fs_read_file(path, &b) < 0 && errno != ENOENT)
		fail(check, fix, "%s", errget());
	else if (!strcmp(shell, "bash") && block_present(b.data ? b.data : "", b.len) &&
		 (!block_at_top(b.data, b.len) || !strstr(buf_str(&b), "hook --command bash")))
		/* an older setup's block: at the end, below Debian's return for non-interactive shells */
		fail(check, fix, "new bash shells record, but not the commands of ssh HOST CMD: the block is not "
		     "setup's of today, at the top of the file");
	else if (block_present(b.data ? b.data : "", b.len) || strstr(buf_str(&b), needle))
		ok(check, "new %s shells record their commands", shell);
	else
		fail(check, fix, "no logbook hook: new %s shells do not record", shell);
	free(fix);
	buf_release(&b);
	free(needle);
	free(check);
	free(path);
}

/* APT's hook (setup_apt in cmd-setup.c): where APT is, every package change is filed */
static void check_apt_hook(const struct server *s)
{
	char *path = server_path(s, SERVER_APT_CONF), *dir = xstrdup(path);
	char *check = xasprintf("APT hook %s", path);
	char *fix = s->real ? xstrdup("logbook setup") : xasprintf("logbook setup --root %s", s->root);
	struct buf b = BUF_INIT;

	*strrchr(dir, '/') = '\0';
	if (!fs_is_dir(dir))
		skip(check, "APT is not installed (no %s)", dir);
	else if (fs_read_file(path, &b) < 0)
		fail(check, fix, "%s: package changes are filed only by root's ingest, without who ran APT",
		     errno == ENOENT ? "missing" : errget());
	else if (!strstr(buf_str(&b), "apt-hook pre") || !strstr(buf_str(&b), "apt-hook post"))
		fail(check, fix, "it does not run logbook apt-hook pre and post");
	else
		ok(check, "APT's runs are filed with who ran them");
	buf_release(&b);
	free(fix);
	free(check);
	free(dir);
	free(path);
}

static void check_system_hooks(const struct server *s)
{
	char *zshdir = server_path(s, SERVER_ZSHDIR);

	check_rc(s, SERVER_BASHRC, "bash");
	if (fs_is_dir(zshdir))
		check_rc(s, SERVER_ZSHRC, "zsh");
	free(zshdir);
	check_apt_hook(s);
}

/*
 * who runs git in the journal (replica/git.h): false when this account
 * may not, and then the checks that run git are left out
 */
static bool check_git_owner(struct journal *j)
{
	char *msg, *fix;

	switch (git_check_dir(j->dir, NULL)) {
	case GIT_TRUSTED:
		return true;
	case GIT_NOT_OWNER:
		skip("git", "%s", errget());
		return false;
	}
	/* "<what>: git would run what it says; <fix>" */
	msg = xstrdup(errget());
	fix = strrchr(msg, ';');
	if (fix)
		*fix = '\0';
	fail("git", fix ? fix + 2 : NULL, "%s", msg);
	free(msg);
	return false;
}

static void check_git(struct journal *j)
{
	const char *args[] = { "rev-parse", "--is-inside-work-tree", NULL };
	const char *own[] = { "git", "-C", j->dir, "rev-parse", "--git-dir", NULL };
	struct buf out = BUF_INIT, err = BUF_INIT;
	int rc = git_run(j->dir, NULL, &out, &err, args);
	uid_t owner = 0;

	if (rc < 0) {
		fail("git", "apt-get install git", "%s", errget());
	} else if (rc != 0 || strncmp(buf_str(&out), "true", 4)) {
		char *fix = xasprintf("logbook setup --join URL (a replica again; move %s away first)", j->dir);
		fail("git", fix, "%s is not a git work tree: %s", j->dir, first_line(&err));
		free(fix);
	} else if (geteuid() == 0 && git_check_dir(j->dir, &owner) == GIT_TRUSTED && owner != 0) {
		/*
		 * root's own git refuses a .git another account owns, and must:
		 * a safe.directory for root would run that account's hooks as root
		 */
		struct passwd *pw = getpwuid(owner);
		ok("git", "%s is a git work tree; logbook's git runs there as %s, never as root", j->dir,
		   pw ? pw->pw_name : "its owner");
	} else {
		/* the admin's own git there, without the settings logbook gives its git */
		buf_reset(&out);
		rc = server_run(own, &out);
		if (rc != 0 && strstr(buf_str(&out), "dubious ownership")) {
			char *fix = xasprintf("git config --global --add safe.directory %s", j->dir);
			fail("git", fix, "your own git commands refuse %s (owned by another account)", j->dir);
			free(fix);
		} else {
			ok("git", "%s is a git work tree; sync commits as logbook <logbook@localhost>", j->dir);
		}
	}
	buf_release(&out);
	buf_release(&err);
}

static void check_remotes(struct journal *j)
{
	char **names;
	size_t n;

	if (replica_remotes(j, &names, &n) < 0) {
		fail("remotes", NULL, "%s", errget());
		return;
	}
	if (n == 0)
		skip("remotes", "none: this replica is the only one (logbook remote add NAME URL)");
	for (size_t i = 0; i < n; i++) {
		char *pack = replica_pack_option(j, names[i], false);
		const char *args[] = { "ls-remote", "--heads", pack, names[i], NULL };
		char *check = xasprintf("remote %s", names[i]);
		char *stamp_rel = xasprintf(REPLICA_STATE "/ok.%s", names[i]);
		char *stamp = journal_path(j, stamp_rel);
		struct buf out = BUF_INIT, err = BUF_INIT;
		struct stat st;
		int rc = git_run(j->dir, NULL, &out, &err, args);

		free(pack);
		if (rc == 0) {
			ok(check, "reachable");
		} else {
			char *fix = xasprintf("logbook remote list; ssh to the host by hand, or: logbook remote rm %s",
					      names[i]);
			fail(check, fix, "cannot be reached: %s", rc < 0 ? errget() : first_line(&err));
			free(fix);
		}
		free(check);
		check = xasprintf("last sync %s", names[i]);
		if (stat(stamp, &st) < 0) {
			fail(check, "logbook sync", "sync never reached %s from this host", names[i]);
		} else {
			time_t age = time(NULL) - st.st_mtime;
			char when[64];
			struct tm tm;
			strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime_r(&st.st_mtime, &tm));
			if (age > SYNC_STALE_SECONDS)
				fail(check, "logbook sync; systemctl status logbook-sync.timer",
				     "%s, %lld hours ago", when, (long long)age / 3600);
			else
				ok(check, "%s", when);
		}
		buf_release(&out);
		buf_release(&err);
		free(check);
		free(stamp);
		free(stamp_rel);
	}
	replica_names_free(names, n);
}

/*
 * The host refs that other replicas pushed here and whose files are not
 * written yet: a hub whose logbook-receive.path did not run shows less
 * than it holds.
 */
/* what sync kept aside (replica.h): one FAIL each, with the reason sync wrote */
static void check_quarantine(struct journal *j)
{
	struct replica_kept *v;
	size_t n;

	if (replica_quarantined(j, &v, &n) < 0) {
		fail("quarantine", NULL, "%s", errget());
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char *check = xasprintf("quarantine %s", v[i].name);
		char *fix = xasprintf("see what was kept aside: git -C %s log -p %s; once settled: rm %s/%s/%s", j->dir,
				      v[i].ref, j->dir, REPLICA_QUARANTINE, v[i].name);
		fail(check, fix, "%s", v[i].why);
		free(fix);
		free(check);
	}
	replica_kept_free(v, n);
}

static void check_hosts(struct journal *j)
{
	struct replica_host *v;
	size_t n, nhosts;
	char *own = ident_host();

	if (replica_pending(j, own, &v, &n, &nhosts) < 0) {
		fail("hosts", NULL, "%s", errget());
		free(own);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char *check = xasprintf("host %s", v[i].host);
		if (v[i].rewritten) {
			char *fix = xasprintf("find who wrote it; to keep the files here: git -C %s update-ref "
					      REPLICA_HOSTS_REF "%s " REPLICA_WRITTEN_REF "%s",
					      j->dir, v[i].host, v[i].host);
			fail(check, fix, REPLICA_HOSTS_REF "%s does not extend the records written here "
			     "(history rewritten): sync leaves it out", v[i].host);
			free(fix);
		} else {
			fail(check, "logbook sync --local", REPLICA_HOSTS_REF "%s is ahead of the files "
			     "(pushed here, not written yet)", v[i].host);
		}
		free(check);
	}
	check_quarantine(j);
	if (n == 0 && nhosts == 0)
		skip("hosts", "no records of other hosts here (they come with sync, or pushed by other replicas)");
	else if (n == 0)
		ok("hosts", "the files of %zu other host%s match their refs", nhosts, nhosts == 1 ? "" : "s");
	replica_hosts_free(v, n);
	free(own);
}

/* whether url reaches its replica over ssh: ssh://, or git's scp form host:path */
static bool ssh_url(const char *url)
{
	const char *colon = strchr(url, ':'), *slash = strchr(url, '/');

	if (!strncmp(url, "ssh://", 6) || !strncmp(url, "git+ssh://", 10) || !strncmp(url, "ssh+git://", 10))
		return true;
	return colon && !strstr(url, "://") && (!slash || colon < slash);
}

/* how many of the journal's remotes are reached over ssh (their replicas push back in the same way) */
static size_t ssh_remotes(struct journal *j)
{
	const char *args[] = { "config", "--get-regexp", "^remote\\..*\\.url$", NULL };
	struct buf out = BUF_INIT;
	size_t n = 0;

	if (git_run(j->dir, NULL, &out, NULL, args) == 0) {
		for (char *p = (char *)buf_str(&out), *nl; *p; p = nl ? nl + 1 : p + strlen(p)) {
			char *url;
			if ((nl = strchr(p, '\n')))
				*nl = '\0';
			if ((url = strchr(p, ' ')) && ssh_url(url + 1))
				n++;
			if (!nl)
				break;
		}
	}
	buf_release(&out);
	return n;
}

/* a key line of authorized_keys that lets its key in with restrict first (no pty, no forwarding) */
static bool key_restricted(const char *line)
{
	return !strncmp(line, "restrict", 8) && (line[8] == ',' || line[8] == ' ' || line[8] == '\t');
}

/* the account that runs git, copied: getpwuid's answer is overwritten by the next call */
struct account {
	char *name, *home, *shell;
	uid_t uid;
};

/* 0 when name exists in dfd (not followed when a link), else why not (errno) */
static int stat_errno(int dfd, const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
}

/*
 * What is wrong with the account that runs git, the first thing found:
 * what and its fix (allocated), or skip when doctor cannot look.
 */
struct account_fault {
	char *what, *fix;
	bool skip;
};

static void account_fault(struct account_fault *f, char *fix, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void account_fault(struct account_fault *f, char *fix, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	f->what = buf_detach(&b, NULL);
	f->fix = fix;
}

/* path cannot be looked at by this account: not a fault of the account, a skip */
static void account_unreadable(struct account_fault *f, const struct account *a, const char *path)
{
	const char *why = strerror(errno);

	account_fault(f, NULL, "%s cannot be read by %s (%s): run doctor as root or %s", path, user_name(), why,
		      a->name);
	f->skip = true;
}

/*
 * authorized_keys, when present: the account's own, not writable by group
 * or others, each key line starting with restrict.  Read through sfd
 * (~/.ssh, opened without following links): the home is that account's to
 * change, and doctor may run as root.
 */
static void check_authorized_keys(const struct account *a, int sfd, const char *ssh, struct account_fault *f,
				  size_t *nkeys)
{
	char *path = fs_join(ssh, "authorized_keys");
	int fd = openat(sfd, "authorized_keys", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct buf b = BUF_INIT;
	struct stat st;
	size_t lineno = 0, first_bad = 0;

	if (fd < 0) {
		if (errno == EACCES)
			account_unreadable(f, a, path);
		else if (errno != ENOENT)
			account_fault(f, xasprintf("rm %s, then let each replica in with: logbook setup --accept-replica 'KEY'", path),
				      "%s: %s", path, strerror(errno == ELOOP ? ENOTDIR : errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != a->uid || (st.st_mode & 022)) {
		account_fault(f, xasprintf("chown %s %s && chmod go-w %s", a->name, path, path),
			      "%s is not a file of %s's that only it can write: sshd (StrictModes) ignores it", path,
			      a->name);
		goto out;
	}
	if (fs_read_fd(fd, &b, 1 << 20) < 0) {
		account_fault(f, NULL, "%s", errget());
		goto out;
	}
	for (char *p = (char *)buf_str(&b), *nl; *p; p = nl ? nl + 1 : p + strlen(p)) {
		if ((nl = strchr(p, '\n')))
			*nl = '\0';
		lineno++;
		p += strspn(p, " \t");
		if (*p && *p != '#' && *p != '\r') {
			(*nkeys)++;
			if (!key_restricted(p) && !first_bad)
				first_bad = lineno;
		}
		if (!nl)
			break;
	}
	if (first_bad)
		account_fault(f, xasprintf("delete line %zu of %s, then let that replica in with: "
					   "logbook setup --accept-replica 'KEY'", first_bad, path),
			      "line %zu of %s lets a key in without restrict (a terminal and forwarding for whoever holds it)",
			      first_bad, path);
out:
	if (fd >= 0)
		close(fd);
	buf_release(&b);
	free(path);
}

/*
 * The account that owns .git (the user logbook after setup), as sshd and
 * git-shell need it for the other replicas: its home and ~/.ssh its own
 * and closed to others (sshd's StrictModes refuses every key otherwise),
 * its key, the keys it lets in each with restrict, git-shell as its shell
 * when anyone logs in through it, and no ~/git-shell-commands (with it,
 * git-shell runs an interactive shell).  One line: the first fault found.
 * Everything below the home is looked at through descriptors opened
 * without following links, as the home is that account's to change.
 */
static void check_git_account(struct journal *j, bool git_ok)
{
	const char *check = "git account";
	char *gitdir = journal_path(j, ".git"), *ssh = NULL, *path = NULL;
	struct account_fault f = { NULL, NULL, false };
	struct account a = { NULL, NULL, NULL, 0 };
	struct passwd *pw;
	struct stat st;
	int hfd = -1, sfd = -1, e;
	size_t nkeys = 0, nremotes;

	if (stat(gitdir, &st) < 0)
		goto out;	/* the git check says why */
	if (st.st_uid == 0) {
		skip(check, "root owns %s: no account runs git for the other replicas (logbook setup makes the user "
		     SERVER_USER ")", gitdir);
		goto out;
	}
	if (!(pw = getpwuid(st.st_uid))) {
		fail(check, "logbook setup", "%s belongs to uid %lu, which has no account", gitdir,
		     (unsigned long)st.st_uid);
		goto out;
	}
	a.name = xstrdup(pw->pw_name);
	a.home = xstrdup(pw->pw_dir);
	/* no shell in the passwd file: login runs /bin/sh */
	a.shell = xstrdup(pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh");
	a.uid = pw->pw_uid;
	ssh = fs_join(a.home, ".ssh");
	/* O_PATH: only search permission is needed on the way, as for sshd */
	if ((hfd = open(a.home, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 || fstat(hfd, &st) < 0) {
		if (errno == EACCES)
			account_unreadable(&f, &a, a.home);
		else
			account_fault(&f, xstrdup("logbook setup"), "its home %s: %s", a.home, strerror(errno));
	} else if (st.st_uid != a.uid) {
		account_fault(&f, xasprintf("chown %s %s", a.name, a.home),
			      "its home %s is not its own: sshd (StrictModes) lets no key in", a.home);
	} else if (st.st_mode & 022) {
		account_fault(&f, xasprintf("chmod go-w %s", a.home),
			      "its home %s is writable by group or others: sshd (StrictModes) lets no key in", a.home);
	} else if ((e = stat_errno(hfd, "git-shell-commands")) != ENOENT) {
		path = fs_join(a.home, "git-shell-commands");
		errno = e;
		if (e == EACCES)
			account_unreadable(&f, &a, a.home);
		else
			account_fault(&f, xasprintf("rm -r %s", path),
				      "%s exists: git-shell gives an interactive shell to every key let in", path);
	} else if ((sfd = openat(hfd, ".ssh", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
		   fstat(sfd, &st) < 0) {
		if (errno == EACCES)
			account_unreadable(&f, &a, ssh);
		else
			account_fault(&f, errno == ENOENT ? xstrdup("logbook setup")
							  : xasprintf("mv %s %s.old && logbook setup", ssh, ssh),
				      "%s: %s", ssh, strerror(errno == ELOOP ? ENOTDIR : errno));
	} else if (st.st_uid != a.uid || (st.st_mode & 07777) != 0700) {
		struct passwd *by = getpwuid(st.st_uid);
		account_fault(&f, xasprintf("chown %s %s && chmod 700 %s", a.name, ssh, ssh),
			      "%s is not 0700 and its own (%04o, %s)", ssh, (unsigned)(st.st_mode & 07777),
			      by ? by->pw_name : "?");
	} else {
		/* its key, which the other replicas let in (setup prints the line for them) */
		const char *keys[] = { "id_ed25519", "id_ed25519.pub" };
		for (size_t i = 0; i < 2 && !f.what; i++) {
			if (!(e = stat_errno(sfd, keys[i])))
				continue;
			free(path);
			path = fs_join(ssh, keys[i]);
			errno = e;
			if (e == EACCES)
				account_unreadable(&f, &a, ssh);
			else
				account_fault(&f, xstrdup("logbook setup"),
					      "no %s: the other replicas have no key of this one to let in", path);
		}
		if (!f.what)
			check_authorized_keys(&a, sfd, ssh, &f, &nkeys);
	}
	if (!f.what) {
		/* a replica that logs in gets whatever the shell runs: git-shell runs git's pack commands only */
		size_t len = strlen(a.shell);
		nremotes = git_ok ? ssh_remotes(j) : 0;
		if ((nkeys || nremotes) && strcmp(a.shell, SERVER_SHELL) &&
		    (len < 10 || strcmp(a.shell + len - 10, "/git-shell")))
			account_fault(&f, xasprintf("usermod --shell " SERVER_SHELL " %s", a.name),
				      "its shell is %s: a replica let in runs whatever that shell runs, not only git",
				      a.shell);
	}
	if (f.skip)
		skip(check, "%s: %s", a.name, f.what);
	else if (f.what)
		fail(check, f.fix, "%s: %s", a.name, f.what);
	else if (nkeys)
		ok(check, "%s: home %s, ~/.ssh 0700 with its key, %zu key%s let in with restrict, shell %s", a.name,
		   a.home, nkeys, nkeys == 1 ? "" : "s", a.shell);
	else
		ok(check, "%s: home %s, ~/.ssh 0700 with its key, no key let in, shell %s", a.name, a.home, a.shell);
out:
	if (sfd >= 0)
		close(sfd);
	if (hfd >= 0)
		close(hfd);
	free(f.what);
	free(f.fix);
	free(a.name);
	free(a.home);
	free(a.shell);
	free(path);
	free(ssh);
	free(gitdir);
}

/*
 * Whether the account pw may create files in dir: 0 yes, 1 it cannot
 * reach dir (search permission on a directory on the way), 2 it cannot
 * write it, -1 when this process cannot tell (it is neither root nor that
 * account, or the child failed).  The kernel answers, as that account:
 * faccessat with AT_EACCESS in a child that became it as export does
 * (run_become: its groups from initgroups).  Computing it from stat would
 * have to redo the group membership and would miss ACLs and read-only
 * mounts; the child meets what the export meets.
 */
static int owner_can_create(const struct passwd *pw, const char *dir)
{
	pid_t pid;
	int status;

	if (geteuid() != pw->pw_uid && geteuid() != 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		if (geteuid() != pw->pw_uid && run_become(pw) < 0)
			_exit(3);
		if (faccessat(AT_FDCWD, dir, X_OK, AT_EACCESS) < 0)
			_exit(1);
		_exit(faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0 ? 2 : 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 2)
		return -1;
	return WEXITSTATUS(status);
}

/*
 * The wiki team.conf exports to (export.dokuwiki): root's export and the
 * export in sync write it as the owner of .git, so that account must be
 * able to create files in the directory the pages go to: the namespace's
 * directory when it exists, else the deepest one on its way (export makes
 * the rest).
 */
static void check_wiki(struct journal *j)
{
	const char *conf_dir = conf_get(j->conf, "export", NULL, "dokuwiki");
	const char *conf_ns = conf_get(j->conf, "export", NULL, "namespace");
	char *gitdir = NULL, *dir, *ns = NULL, *target = NULL, *owner = NULL, *group = NULL, *fix;
	struct passwd *pw;
	struct group *gr;
	struct stat st;
	int rc;

	if (!conf_dir || !*conf_dir)
		return;
	/* relative: to the journal, as export_from_conf takes it */
	dir = conf_dir[0] == '/' ? xstrdup(conf_dir) : journal_path(j, conf_dir);
	gitdir = journal_path(j, ".git");
	if (stat(gitdir, &st) < 0 || !(pw = getpwuid(st.st_uid)))
		goto out;	/* the git checks say why */
	if (!fs_is_dir(dir)) {
		fail("wiki", "set export.dokuwiki in team.conf to the wiki's pages directory (such as /var/lib/dokuwiki/data/pages)",
		     "%s (export.dokuwiki) is not a directory", dir);
		goto out;
	}
	if (!(ns = export_namespace(conf_ns && *conf_ns ? conf_ns : EXPORT_DEFAULT_NAMESPACE))) {
		fail("wiki", "set export.namespace in team.conf to an ASCII page name", "%s", errget());
		goto out;
	}
	target = xstrdup(dir);
	for (char *part = ns, *next; part; part = next) {
		char *path;
		if ((next = strchr(part, ':')))
			*next++ = '\0';
		path = fs_join(target, part);
		if (!fs_is_dir(path)) {
			free(path);
			break;
		}
		free(target);
		target = path;
	}
	owner = xstrdup(pw->pw_name);
	gr = getgrgid(pw->pw_gid);
	group = gr ? xstrdup(gr->gr_name) : xasprintf("%lu", (unsigned long)pw->pw_gid);
	rc = owner_can_create(pw, target);
	if (rc == 0) {
		ok("wiki", "%s can create files in %s (export.dokuwiki)", owner, target);
	} else if (rc == 1) {
		fix = xasprintf("let %s search (x) each directory on the way to %s", owner, target);
		fail("wiki", fix, "%s, who writes the pages for root's export and sync, cannot reach %s (export.dokuwiki)",
		     owner, target);
		free(fix);
	} else if (rc == 2) {
		/* setgid: the namespace directory export makes keeps the group */
		fix = xasprintf("chgrp %s %s && chmod g+ws %s", group, target, target);
		fail("wiki", fix, "%s, who writes the pages for root's export and sync, cannot create files in %s "
		     "(export.dokuwiki)", owner, target);
		free(fix);
	} else {
		skip("wiki", "%s writes the pages into %s for root's export and sync; only root or %s can tell "
		     "whether it may (doctor runs as %s)", owner, target, owner, user_name());
	}
out:
	free(group);
	free(owner);
	free(target);
	free(ns);
	free(gitdir);
	free(dir);
}

static void check_timers(const struct server *s, struct journal *j)
{
	char **timers;
	size_t n;

	if (!s->real) {
		skip("timers", "not checked under the root %s", s->root);
		return;
	}
	if (!server_systemd_running()) {
		skip("timers", "systemd is not running here: nothing runs the timers (ingest, scan, sync only run when asked)");
		return;
	}
	server_timers(s, j ? j->conf : NULL, &timers, &n, NULL);
	if (n == 0)
		fail("timers", "apt-get install logbook, or make install", "no logbook timers are installed");
	for (size_t i = 0; i < n; i++) {
		const char *argv[] = { "systemctl", "is-active", timers[i], NULL };
		struct buf out = BUF_INIT;
		int rc = server_run(argv, &out);
		if (rc == 0) {
			ok(timers[i], "active");
		} else {
			char *fix = xasprintf("systemctl enable --now %s", timers[i]);
			fail(timers[i], fix, "%s", first_line(&out));
			free(fix);
		}
		buf_release(&out);
	}
	server_names_free(timers, n);
}

/* the OnFailure= drop-in setup writes (server.h), on the files: under a root too */
static void check_onfailure(const struct server *s)
{
	static const char body[] = SERVER_ONFAILURE_BODY;
	char *path = server_path(s, SERVER_ONFAILURE_DROPIN);
	struct buf had = BUF_INIT;

	if (!server_unit_installed(s, SERVER_ONFAILURE_HANDLER))
		skip("failed services", "%s is not installed: failed services are not filed", SERVER_ONFAILURE_HANDLER);
	else if (fs_read_file(path, &had) < 0)
		fail("failed services", "logbook setup", "%s: failed services are not filed", errget());
	else if (had.len == sizeof body - 1 && !memcmp(had.data, body, had.len))
		ok("failed services", "filed by %s (%s)", SERVER_ONFAILURE_HANDLER, path);
	else
		ok("failed services", "%s was changed by hand: failed services are filed as it says", path);
	buf_release(&had);
	free(path);
}

/* how long doctor waits for its test message to be filed */
#define MAIL_WAIT_MS 10000

/* whether an alias under the root pipes mail to ingest-mail: logbook's own file, or a block in /etc/aliases */
static bool mail_alias_configured(const struct server *s)
{
	const char *files[] = { SERVER_MAIL_ALIASES, SERVER_ALIASES };
	bool found = false;

	for (size_t i = 0; i < sizeof files / sizeof *files && !found; i++) {
		char *path = server_path(s, files[i]);
		struct buf b = BUF_INIT;
		found = fs_read_file(path, &b) == 0 && strstr(buf_str(&b), "ingest-mail\"");
		buf_release(&b);
		free(path);
	}
	return found;
}

/* whether today's or yesterday's records hold needle (the test message's id) */
static bool mail_filed(struct journal *j, const char *needle)
{
	int64_t now = day_now_us();
	bool found = false;

	for (int d = 0; d <= 1 && !found; d++) {
		char spec[8], day[DAY_LEN + 1];
		struct store_day_lines lines;
		snprintf(spec, sizeof spec, "-%d", d);
		if (day_parse(spec, now, day) < 0 || store_day_lines_load(j, day, &lines) < 0)
			continue;
		for (size_t i = 0; i < lines.n && !found; i++) {
			const char *line, *path;
			size_t len, lineno;
			store_day_line(&lines, i, &line, &len, &path, &lineno);
			found = memmem(line, len, needle, strlen(needle)) != NULL;
		}
		store_day_lines_free(&lines);
	}
	return found;
}

/*
 * The mail path, end to end: a message to the alias through the MTA, and
 * the event it becomes.  The only check that writes: one event, which says
 * what it is.
 */
static void check_mail(const struct server *s, struct journal *j)
{
	const char *argv[] = { "sendmail", "-t", "-i", NULL };
	struct child c = { argv, NULL, RUN_PIPE, RUN_NULL, RUN_NULL, NULL, false, 0, -1, -1 };
	char host[256] = "localhost", *id, *msg, *needle;
	const char *fix = "logbook setup --mail-alias (the alias file must be owned by " SERVER_USER
			  ", in the journal's group); postqueue -p says why a message waits";
	int rc = 0;

	if (!mail_alias_configured(s)) {
		skip("mail", "no alias for ingest-mail (logbook setup --mail-alias adds it)");
		return;
	}
	if (!server_have("sendmail")) {
		skip("mail", "no MTA is installed here (no sendmail): the alias is not used");
		return;
	}
	gethostname(host, sizeof host - 1);
	id = xasprintf("logbook-doctor.%lld.%ld@%s", (long long)day_now_us(), (long)getpid(), host);
	msg = xasprintf("To: " SERVER_USER "@localhost\nSubject: logbook doctor: the mail path works\n"
			"Message-ID: <%s>\n\nlogbook doctor sent this to check that mail reaches the journal.\n", id);
	if (run_start(&c) < 0) {
		fail("mail", fix, "sendmail: %s", errget());
		goto out;
	}
	if (fs_write_all(c.to_child, msg, strlen(msg)) < 0)
		rc = -1;
	close(c.to_child);
	if (run_finish(&c) != 0 || rc < 0) {
		fail("mail", fix, "sendmail -t refused the test message to " SERVER_USER "@localhost");
		goto out;
	}
	needle = xasprintf("\"message_id\":\"%s\"", id);
	for (int waited = 0;; waited += 200) {
		if (mail_filed(j, needle)) {
			ok("mail", "a test message to " SERVER_USER "@localhost was filed (%s)", id);
			break;
		}
		if (waited >= MAIL_WAIT_MS) {
			fail("mail", fix, "a test message to " SERVER_USER "@localhost was not filed in %d s (postqueue -p)",
			     MAIL_WAIT_MS / 1000);
			break;
		}
		{
			struct timespec ts = { 0, 200 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	free(needle);
out:
	free(msg);
	free(id);
}

/* the admin is only the name of an account everybody logs in to (root): nobody's key is its */
static bool shared_account(const struct ident *id)
{
	return !strcmp(id->admin, "root") &&
	       (!strcmp(id->admin_source, "account") || !strcmp(id->admin_source, "login uid"));
}

static void check_agent(struct journal *j)
{
	struct team_keys keys;
	struct ident id;
	struct sig_key **agent = NULL;
	size_t nagent = 0, mine = 0;
	bool match = false;

	team_keys_load(j->conf, &keys);
	if (keys.n == 0) {
		skip("agent key", "team.conf lists no keys: records are not signed (logbook team add NAME --key FILE)");
		team_keys_free(&keys);
		return;
	}
	if (ident_resolve_in(&id, j) < 0) {
		fail("agent key", "export LOGBOOK_USER=NAME", "who you are is unknown: %s", errget());
		team_keys_free(&keys);
		return;
	}
	for (size_t i = 0; i < keys.n; i++)
		mine += !strcmp(keys.v[i].admin, id.admin);
	if (mine == 0 && shared_account(&id)) {
		fail("agent key",
		     "log in with your own key listed in team.conf (the server's sshd needs ExposeAuthInfo yes, "
		     "which gives $SSH_USER_AUTH), or: export LOGBOOK_USER=NAME",
		     "%s is an account the admins share: logbook took its name for yours (%s) and cannot tell who you are",
		     id.admin, id.admin_source);
	} else if (mine == 0) {
		char *fix = xasprintf("logbook team add %s --key ~/.ssh/id_ed25519.pub", id.admin);
		fail("agent key", fix, "team.conf has no key of %s (found by %s)", id.admin, id.admin_source);
		free(fix);
	} else if (sig_agent_keys(&agent, &nagent) < 0) {
		fail("agent key", "ssh -A to this server (forward your agent), or: eval \"$(ssh-agent)\"; ssh-add",
		     "%s", errget());
	} else {
		for (size_t i = 0; i < nagent && !match; i++)
			match = team_keys_has(&keys, id.admin, agent[i]);
		if (match) {
			ok("agent key", "the agent holds a key of %s listed in team.conf", id.admin);
		} else {
			struct buf list = BUF_INIT;
			char fp[SIG_FINGERPRINT_SIZE];
			for (size_t i = 0; i < keys.n; i++) {
				if (strcmp(keys.v[i].admin, id.admin))
					continue;
				sig_key_fingerprint(keys.v[i].key, fp);
				buf_addf(&list, "%s%s", list.len ? ", " : "", fp);
			}
			fail("agent key", "ssh-add the key of team.conf, or: logbook team add NAME --key FILE",
			     "none of the %zu key%s in the agent is %s's (team.conf: %s)", nagent, nagent == 1 ? "" : "s",
			     id.admin, buf_str(&list));
			buf_release(&list);
		}
		sig_keys_free(agent, nagent);
	}
	ident_release(&id);
	team_keys_free(&keys);
}

static void check_disk(struct journal *j)
{
	struct statvfs vfs;
	unsigned long long avail, total;

	if (statvfs(j->dir, &vfs) < 0) {
		fail("disk space", NULL, "%s: %s", j->dir, strerror(errno));
		return;
	}
	avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
	total = (unsigned long long)vfs.f_blocks * vfs.f_frsize;
	if (avail < MIN_FREE_BYTES) {
		char *fix = xasprintf("free space on the file system of %s (df -h %s)", j->dir, j->dir);
		fail("disk space", fix, "%llu MiB free for the journal (under %llu MiB)", avail >> 20, MIN_FREE_BYTES >> 20);
		free(fix);
	} else {
		ok("disk space", "%llu MiB free of %llu MiB", avail >> 20, total >> 20);
	}
}

static void check_index(struct journal *j)
{
	char *path = journal_path(j, INDEX_FILE);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *fix = xasprintf("rm %s %s-wal %s-shm (the next search builds it again)", path, path, path);
	int rc;

	if (!fs_exists(path)) {
		ok("index", "not built yet (the first search builds it)");
		goto out;
	}
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		fail("index", fix, "%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	} else {
		const char *res = (const char *)sqlite3_column_text(st, 0);
		if (res && !strcmp(res, "ok"))
			ok("index", "%s passes SQLite's quick_check", path);
		else
			fail("index", fix, "%s: %s", path, res ? res : "quick_check gave nothing");
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(fix);
	free(path);
}

static void check_work(struct journal *j)
{
	struct ident id;
	size_t pending = 0;

	if (ident_resolve_in(&id, j) < 0) {
		skip("unsigned work", "%s", errget());
		return;
	}
	if (work_count_uncovered(j, id.host, id.admin, &pending) < 0)
		fail("unsigned work", NULL, "%s", errget());
	else if (pending)
		skip("unsigned work", "%zu command%s of %s on %s in no entry yet (logbook commit)", pending,
		     pending == 1 ? "" : "s", id.admin, id.host);
	else
		ok("unsigned work", "no commands of %s on %s wait for an entry", id.admin, id.host);
	ident_release(&id);
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = NULL;
	struct server s;
	struct journal *j;
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	if (optind < argc)
		cli_usage_exit(usage, "doctor: too many arguments");
	if (server_init(&s, root, cmd_dir_option) < 0)
		die("doctor: %s", errget());
	j = journal_open(s.journal);
	if (!j) {
		journal_failed(s.journal);
	} else {
		ok("journal", "%s (time zone %s)", j->dir, j->tz);
		check_permissions(j);
		check_spool(j);
		check_shell_hook(j);
	}
	check_system_hooks(&s);
	if (j) {
		bool git_ok = check_git_owner(j);
		if (git_ok) {
			check_git(j);
			check_remotes(j);
			check_hosts(j);
		}
		check_git_account(j, git_ok);
		check_wiki(j);
	}
	check_timers(&s, j);
	check_onfailure(&s);
	if (j)
		check_mail(&s, j);
	if (j) {
		check_agent(j);
		check_disk(j);
		check_index(j);
		check_work(j);
	}
	printf("%zu ok, %zu failed, %zu not checked\n", n_ok, n_fail, n_skip);
	journal_close(j);
	server_release(&s);
	if (cli_finish_output() != EXIT_OK)
		return EXIT_FAIL;
	return n_fail ? EXIT_FAIL : EXIT_OK;
}
