/*
 * journal: locating and opening a journal, and the file modes of a shared
 * one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "journal/journal.h"
#include "base/banned.h"

/* the signed keyring is team.conf: the same bound as any team.conf a replica reads */
#define KEYRING_MAX (4 * 1024 * 1024)

const char *const journal_conf_git_env[] = { "GIT_DIR=/nonexistent", "GIT_CONFIG_NOSYSTEM=1",
					     "GIT_CONFIG_GLOBAL=/dev/null", NULL };

const char *journal_locate(const char *option)
{
	const char *env = getenv("LOGBOOK_DIR");

	if (option && *option)
		return option;
	if (env && *env)
		return env;
	return JOURNAL_DEFAULT_DIR;
}

bool journal_dir_is_shared(const char *dir)
{
	struct stat st;
	return stat(dir, &st) == 0 && (st.st_mode & S_ISGID);
}

char *journal_pinned(const char *dir)
{
	char *path = fs_join(dir, JOURNAL_TRUST);
	struct buf b = BUF_INIT;
	char *fp = NULL;

	if (fs_read_file(path, &b) == 0) {
		size_t n = strcspn(buf_str(&b), " \n");
		if (n > 7 && !strncmp(buf_str(&b), "SHA256:", 7))
			fp = xstrndup(buf_str(&b), n);
	}
	buf_release(&b);
	free(path);
	return fp;
}

/*
 * JOURNAL_KEYRING, parsed, if only the owner of .git can have written
 * it: a regular file (not followed through a link) that it owns and that
 * neither the group nor others may write.  A member who can write .git
 * after all (a group-writable one) still cannot plant a keyring of their
 * own: theirs is not the owner's.  NULL and errget() when it does not pass.
 */
static struct conf *signed_keyring(const char *dir)
{
	char *gitdir = fs_join(dir, ".git"), *path = fs_join(dir, JOURNAL_KEYRING);
	struct stat git, st;
	struct buf b = BUF_INIT;
	struct conf *c = NULL;
	int fd = -1;

	if (stat(gitdir, &git) < 0) {
		errset_sys("%s", gitdir);
		goto out;
	}
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			errset("%s: missing: the owner of .git writes it at the next sync", path);
		else
			errset_sys("%s", path);
		goto out;
	}
	if (fstat(fd, &st) < 0)
		errset_sys("%s", path);
	else if (!S_ISREG(st.st_mode))
		errset("%s: not a regular file: refused", path);
	else if (st.st_uid != git.st_uid)
		errset("%s: owned by uid %lu, not by the owner of .git (uid %lu): refused", path,
		       (unsigned long)st.st_uid, (unsigned long)git.st_uid);
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		errset("%s: writable by %s (mode %04o): refused", path, st.st_mode & S_IWOTH ? "anyone" : "the group",
		       (unsigned)(st.st_mode & 07777));
	else if (fs_read_fd(fd, &b, KEYRING_MAX) < 0)
		errprefix("%s", path);
	else
		c = conf_parse(path, b.data ? b.data : "", b.len);
out:
	if (fd >= 0)
		close(fd);
	buf_release(&b);
	free(gitdir);
	free(path);
	return c;
}

static void load_keyring(struct journal *j)
{
	char *pin = journal_pinned(j->dir);

	conf_free(j->keyring);
	free(j->keyring_why);
	j->keyring = NULL;
	j->keyring_why = NULL;
	j->pinned = pin != NULL;
	if (pin && !(j->keyring = signed_keyring(j->dir)))
		j->keyring_why = xstrdup(errget());
	free(pin);
}

const struct conf *journal_keyring(const struct journal *j)
{
	if (!j->pinned)
		return j->conf;
	if (!j->keyring)
		errset("the signed keyring: %s", j->keyring_why);
	return j->keyring;
}

struct journal *journal_open(const char *dir)
{
	struct journal *j;
	char *conf_path;
	const struct conf_entry *tz;

	if (!fs_is_dir(dir)) {
		if (errno == ENOENT || errno == ENOTDIR)
			errset("%s: no journal here (create one with 'logbook init %s')", dir, dir);
		else
			errset_sys("%s", dir);
		return NULL;
	}
	conf_path = fs_join(dir, JOURNAL_CONF);
	if (access(conf_path, F_OK) < 0) {
		if (errno == ENOENT)
			errset("%s: not a logbook journal: no %s (create one with 'logbook init %s')",
			       dir, JOURNAL_CONF, dir);
		else
			errset_sys("%s", conf_path);
		free(conf_path);
		return NULL;
	}
	j = xcalloc(1, sizeof *j);
	j->dir = xstrdup(dir);
	j->conf = conf_load(conf_path);
	free(conf_path);
	if (!j->conf) {
		journal_close(j);
		return NULL;
	}
	j->shared = journal_dir_is_shared(dir);
	tz = conf_lookup(j->conf, "team", NULL, "timezone");
	j->tz = tz && tz->value ? tz->value : "UTC";
	if (day_set_tz(j->tz) < 0) {
		if (tz)
			errprefix("%s:%d", j->conf->path, tz->line);
		journal_close(j);
		return NULL;
	}
	load_keyring(j);
	return j;
}

void journal_release(struct journal *j)
{
	conf_free(j->conf);
	conf_free(j->keyring);
	free(j->keyring_why);
	j->conf = j->keyring = NULL;
	j->keyring_why = NULL;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	journal_release(j);
	free(j->dir);
	free(j);
}

char *journal_path(const struct journal *j, const char *rel)
{
	return fs_join(j->dir, rel);
}

mode_t journal_file_mode(const struct journal *j)
{
	return j->shared ? 0660 : 0640;
}

mode_t journal_dir_mode(const struct journal *j)
{
	return j->shared ? 02770 : 0750;
}

int journal_mkdirs(const struct journal *j, const char *rel)
{
	/*
	 * one level at a time, never through a link a member put in the
	 * group's directories; the umask may have taken the group's write bit
	 */
	int fd = fs_dir_below(j->dir, rel, FS_BELOW_MKDIRS | (j->shared ? FS_BELOW_CHMOD : 0), journal_dir_mode(j));

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int journal_fix_mode(const struct journal *j, int fd)
{
	/* a private journal keeps what open(2) gave under the umask */
	struct stat st;

	if (!j->shared)
		return 0;
	/* another account's file keeps its mode: root never chmods what a member can swap */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
		return 0;
	if (fchmod(fd, journal_file_mode(j)) < 0) {
		errset_sys("fchmod");
		return -1;
	}
	return 0;
}

int journal_reload_conf(struct journal *j)
{
	char *path = journal_path(j, JOURNAL_CONF);
	struct conf *fresh = conf_load(path);
	const struct conf_entry *tz;

	free(path);
	if (!fresh)
		return -1;
	conf_free(j->conf);
	j->conf = fresh;
	/* j->tz pointed into the old entries; the zone in force does not change */
	tz = conf_lookup(fresh, "team", NULL, "timezone");
	j->tz = tz && tz->value ? tz->value : "UTC";
	load_keyring(j);
	return 0;
}
