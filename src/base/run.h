/*
 * Starting other programs (git, ssh-keygen, sendmail, $EDITOR, $PAGER),
 * always through posix_spawn with an argument vector: never system(),
 * never a shell command line built from data.  The user's own $EDITOR and
 * $PAGER settings are shell snippets by convention and run under sh -c
 * with the file name passed as an argument, as git does.
 */
#ifndef LOGBOOK_RUN_H
#define LOGBOOK_RUN_H

#include <stdbool.h>
#include <pwd.h>
#include <sys/types.h>

#include "base/buf.h"

#define RUN_INHERIT (-1)
#define RUN_NULL (-2)		/* /dev/null */
#define RUN_PIPE (-3)		/* a pipe to or from this process */

struct child {
	const char *const *argv;	/* argv[0] is looked up in PATH */
	const char *dir;		/* working directory, NULL: ours */
	int in, out, err;		/* RUN_* or a descriptor to give the child */
	const char *const *env;		/* "NAME=value" set for the child on top of ours, NULL-ended; NULL: none */
	bool detach;			/* a session of its own: it outlives us and our terminal */
	/* set by run_start */
	pid_t pid;
	int to_child;			/* write end when in == RUN_PIPE */
	int from_child;			/* read end when out == RUN_PIPE */
};

/* -1 and errget() when the program cannot be started */
int run_start(struct child *c);
/* wait: the exit status, 128 + signal number, or -1 */
int run_finish(struct child *c);
/* run to the end; stdout into out (when not NULL), stderr inherited; the exit status or -1 */
int run_capture(const char *const argv[], const char *dir, struct buf *out);
/* the same with env added to the child's environment (see struct child) */
int run_capture_env(const char *const argv[], const char *dir, const char *const env[], struct buf *out);
/*
 * Run to the end with no input and standard error thrown away; the first
 * max bytes of stdout into out, the size of all of it into *total (the
 * rest is read and dropped, so the program never dies of a closed pipe).
 * The exit status or -1.
 */
int run_capture_bounded(const char *const argv[], size_t max, struct buf *out, size_t *total);

/*
 * Become the account pw names for the rest of this process, for good:
 * its groups (initgroups), its group and user ids, real, effective and
 * saved, checked afterwards (a way back to root is an error).  The
 * environment follows the account: HOME, USER and LOGNAME are its own;
 * SSH_AUTH_SOCK and XDG_CONFIG_HOME, which would point at the caller's
 * agent and configuration, are removed.  Only root may call it.  -1 and
 * errget() when something could not be changed: the caller must stop.
 */
int run_become(const struct passwd *pw);

/* when stdout is a terminal, send it through $PAGER until exit */
void run_pager_start(void);
/* open file in $VISUAL or $EDITOR and wait; -1 when the editor failed */
int run_editor(const char *file);

#endif
