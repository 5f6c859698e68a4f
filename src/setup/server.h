/*
 * server: the parts of this server that `logbook setup` puts in place and
 * `logbook doctor` checks, in one place so both agree: the root prefix
 * (a scratch root for tests and image builds), the system shell rc files
 * and the hook lines that go in them, the logbook group, and the systemd
 * timers installed next to the binary.  It runs systemctl and other
 * tools through run.c, never prints and never exits.
 */
#ifndef LOGBOOK_SERVER_H
#define LOGBOOK_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/conf.h"

#define SERVER_GROUP "logbook"
#define SERVER_BASHRC "/etc/bash.bashrc"
#define SERVER_ZSHDIR "/etc/zsh"
#define SERVER_ZSHRC "/etc/zsh/zshrc"
#define SERVER_ALIASES "/etc/aliases"

struct server {
	char *root;		/* "/" or an absolute directory, without trailing slash */
	bool real;		/* root is "/": tools run on this system */
	char *journal;		/* the journal directory, under root */
	bool journal_given;	/* -C or $LOGBOOK_DIR: the hook lines name it */
};

/*
 * root: --root, else $LOGBOOK_ROOT, else "/"; journal: -C DIR when given,
 * else $LOGBOOK_DIR, else the default under root.  -1 and errget() when root is not a directory.
 */
int server_init(struct server *s, const char *root, const char *journal_option);
void server_release(struct server *s);
/* path (absolute) under the root (allocated) */
char *server_path(const struct server *s, const char *path);

/* the body of the block for shell ("bash" or "zsh") */
char *server_hook_body(const struct server *s, const char *shell);


/* whether systemd runs this system (sd_booted: /run/systemd/system) */
bool server_systemd_running(void);

/*
 * The logbook-*.timer and logbook-*.path units installed under root (the
 * unit directories of systemd: what starts logbook's services), sorted,
 * names only.  Those a team has not configured are left out, with why in
 * skipped (one line each): logbook-digest.timer without digest.to in
 * team.conf.  team may be NULL.
 */
void server_timers(const struct server *s, const struct conf *team, char ***names, size_t *n, struct buf *skipped);
void server_names_free(char **names, size_t n);

/*
 * Run argv to the end with stdout and stderr together into out (when not
 * NULL), stdin from /dev/null: the exit status, or -1 and errget() when it
 * cannot be started.
 */
int server_run(const char *const argv[], struct buf *out);
/* whether program is found in PATH */
bool server_have(const char *program);

#endif
