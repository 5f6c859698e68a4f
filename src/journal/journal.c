/*
 * journal: locating and opening a journal, and the file modes of a shared
 * one.
 */
#include <errno.h>
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
	return j;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	conf_free(j->conf);
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
	return 0;
}
