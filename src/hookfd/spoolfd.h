/*
 * spoolfd: the descriptor of a session's spool that a shell's hook keeps
 * open inside the shell (logbook-bash.so's builtin, logbook_zsh.so's
 * module), and the checks before each write that keep it the account's
 * own file.  It owns that descriptor; it never prints, never follows a
 * symlink and never closes a descriptor that is no longer its own (a
 * user's exec N>file or N>&- in its place).
 *
 * Only the C library: compiled into the shared objects the shells load,
 * linked into no logbook program (scripts/check-layers: layer "hookfd").
 */
#ifndef LOGBOOK_HOOKFD_SPOOLFD_H
#define LOGBOOK_HOOKFD_SPOOLFD_H

#include <stdbool.h>
#include <stddef.h>

struct spoolfd {
	int fd;		/* -1 when none is open */
	char *name;	/* the spool path fd was opened as */
	int low, high;	/* where the descriptor goes: the highest free of low..high, or from low up when high < 0 */
};

#define SPOOLFD_INIT(low, high) { -1, NULL, (low), (high) }

/* dir is a directory of this account, not a symlink (the shell hooks' [[ -O d && ! -L d ]]) */
bool spoolfd_own_dir(const char *dir);

/*
 * The descriptor of spool, a file of dir: the one kept when it is still
 * that file and still close-on-exec, else opened again below dir
 * checked to be this account's (O_DIRECTORY|O_NOFOLLOW, owner), the file
 * O_NOFOLLOW, this account's regular file; -1 when it cannot be.
 */
int spoolfd_get(struct spoolfd *s, const char *dir, const char *spool);

/* close the descriptor kept (when the shell unloads the code) */
void spoolfd_close(struct spoolfd *s);

/* all of p to fd, again after EINTR; -1 when some of it could not be written */
int spoolfd_write(int fd, const char *p, size_t n);

#endif
