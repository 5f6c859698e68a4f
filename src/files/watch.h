/*
 * The watch list of a host: the files and directories whose changes the
 * logbook records, kept in team.conf so that every replica knows what
 * each host watches:
 *
 *     [watch "web1"]
 *         path = /etc
 *         path = !/etc/ld.so.cache     # "!" + pattern: excluded
 *         path = !*.swp
 *         sensitive = *.key                # hash only, never content
 *
 * A path is absolute, normalised (no trailing slash, no "." or ".."
 * components, no repeated slashes; symlinks are not resolved) and names a
 * file or a whole directory.  A pattern is matched with fnmatch(3): with
 * FNM_PATHNAME on the full path when it starts with '/', else on the base
 * name.  A path is watched when it is one of the paths or lies under one,
 * and neither it nor a directory between that watched path and it matches
 * an exclusion: an excluded directory is not descended into, but a path
 * listed itself is watched even inside an excluded directory.
 *
 * A file is sensitive (tracked by hash only: its content is never copied
 * into the journal's .state/) when it is not readable by group and others
 * (mode lacks g+r or o+r: /etc/shadow, private keys), or when it or a
 * directory above it matches a sensitive pattern.  The walk in baseline.c
 * adds one more rule: a file under a directory that group or others cannot
 * enter is as private as that directory.
 *
 * This module reads the list from a parsed team.conf and changes it only
 * through "git config -f team.conf" (run.c), so comments and layout stay.
 * It never looks at the watched files themselves: that is baseline.c.
 */
#ifndef LOGBOOK_WATCH_H
#define LOGBOOK_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "base/conf.h"
#include "journal/journal.h"

struct watch_list {
	char **paths;		/* normalised, sorted, no duplicates */
	size_t npaths;
	char **excludes;	/* the patterns, without their "!" */
	size_t nexcludes;
	char **sensitive;
	size_t nsensitive;
};

/*
 * The watch list of host from team (no [watch "host"] section: an empty
 * list).  -1 and errget() = "<team.conf>:<line>: <why>" on a bad entry: a
 * key without a value, an empty value or pattern, a path that is not
 * absolute, a newline in a value.  Keys other than path and sensitive are
 * ignored, as readers of team.conf ignore what they do not know.
 */
int watch_load(const struct conf *team, const char *host, struct watch_list *out);
void watch_free(struct watch_list *w);

/*
 * path normalised (allocated); NULL and errget() when it is empty, not
 * absolute, or holds a newline.  ".." above "/" stays at "/".
 */
char *watch_normalize(const char *path);

/*
 * path as an admin gives it on the command line, in the form of the
 * watched paths (allocated): taken from directory dir (absolute) when
 * relative, then normalised the same way; never fails (a newline, which
 * a file's name may hold, is kept).
 */
char *watch_absolute(const char *path, const char *dir);

/*
 * An exclusion applies to path: it matches path, or a directory between
 * the deepest watched path that holds path and path (that watched path
 * included).  For a path outside every watched path: path or any
 * directory above it.
 */
bool watch_excluded(const struct watch_list *w, const char *path);
/* path is one of the watched paths or under one, and not excluded */
bool watch_watched(const struct watch_list *w, const char *path);
/* hash only: not readable by group and others, or matching a sensitive pattern */
bool watch_sensitive(const struct watch_list *w, const char *path, const struct stat *st);
/* the sensitive patterns alone match path or a directory above it */
bool watch_sensitive_name(const struct watch_list *w, const char *path);
/* one pattern against one path, with the rules above */
bool watch_match(const char *pattern, const char *path);

/*
 * Add or remove one "path" entry (a normalised path, or "!" + pattern) of
 * host, through "git config -f <journal>/team.conf": --add, or
 * --fixed-value --unset-all.  Then reload j->conf.  -1 and errget() when
 * the value holds a newline, git fails, or (remove) no entry has exactly
 * that value.
 */
int watch_edit(struct journal *j, const char *host, bool add, const char *entry);

#endif
