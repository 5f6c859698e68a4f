/*
 * A journal: the directory (a git work tree) that holds team.conf, the
 * day directories and the local .state/.  This module finds it, loads its
 * team.conf, applies the team's time zone, and creates paths inside it
 * with the right modes: a journal whose directory is setgid is shared by
 * several admin accounts of one group, so everything created in it is
 * group-writable (files 0660, directories 02770) whatever the umask.
 * It never reads or writes records (that is store.c).
 */
#ifndef LOGBOOK_JOURNAL_H
#define LOGBOOK_JOURNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/conf.h"

#define JOURNAL_DEFAULT_DIR "/var/lib/logbook"
#define JOURNAL_CONF "team.conf"
/*
 * The environment of `git config -f team.conf`: git edits the file and
 * nothing else, whatever repository the caller's directory is in (no
 * hooks, no core.sharedRepository of a repository someone else made) and
 * whatever the system's or the caller's configuration says.
 */
extern const char *const journal_conf_git_env[];
#define JOURNAL_STATE ".state"
/*
 * A replica whose keyring is signed (replica/keyring.h) has its root of
 * trust pinned in JOURNAL_TRUST, and the owner of .git writes the
 * team.conf of the team ref's head to JOURNAL_KEYRING each time it moves
 * that ref along the checked history.  Both live in .git, which only its
 * owner writes.
 */
#define JOURNAL_TRUST ".git/logbook-trust"
#define JOURNAL_KEYRING ".git/logbook-keyring"

struct journal {
	char *dir;
	struct conf *conf;
	const char *tz;		/* the team's time zone, applied by journal_open */
	bool shared;
	bool pinned;		/* the keyring is signed: JOURNAL_TRUST holds a key */
	struct conf *keyring;	/* JOURNAL_KEYRING when pinned and it passed, else NULL */
	char *keyring_why;	/* why it did not pass */
};

/* the journal directory: option (-C) if given, else $LOGBOOK_DIR, else the default */
const char *journal_locate(const char *option);
/* open an existing journal; NULL and errget() when it is missing or its team.conf is wrong */
struct journal *journal_open(const char *dir);
void journal_close(struct journal *j);
/* free what journal_reload_conf loaded into a journal the caller made itself (not its dir) */
void journal_release(struct journal *j);
/* read team.conf again after a command edited it, and the signed keyring (the time zone in force stays) */
int journal_reload_conf(struct journal *j);
/*
 * The keyring that says whose keys are whose (signatures, who logged
 * in): on a replica with a pin, the signed one (JOURNAL_KEYRING), which
 * an edit of team.conf in the work tree does not change; without a pin,
 * team.conf in the work tree (j->conf), as a team that does not sign has
 * nothing else.  NULL and errget() when pinned but that copy is missing
 * or another account than the owner of .git could have written it.
 */
const struct conf *journal_keyring(const struct journal *j);
/* the pinned root of trust ("SHA256:...") of the journal in dir, NULL when none (allocated) */
char *journal_pinned(const char *dir);

/* "<dir>/<rel>" */
char *journal_path(const struct journal *j, const char *rel);
/*
 * create <dir>/<rel> and the missing directories above it, with the
 * journal's mode; a symbolic link on the way is refused (fs_dir_below)
 */
int journal_mkdirs(const struct journal *j, const char *rel);
/* give a file this process created the journal's mode (a file of another account, or not regular, is left alone) */
int journal_fix_mode(const struct journal *j, int fd);
mode_t journal_file_mode(const struct journal *j);
mode_t journal_dir_mode(const struct journal *j);
bool journal_dir_is_shared(const char *dir);

#endif
