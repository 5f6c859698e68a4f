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
#include <sys/types.h>

#include "base/buf.h"
#include "base/conf.h"

#define SERVER_GROUP "logbook"
#define SERVER_BASHRC "/etc/bash.bashrc"
#define SERVER_ZSHDIR "/etc/zsh"
#define SERVER_ZSHRC "/etc/zsh/zshrc"
#define SERVER_ALIASES "/etc/aliases"
/* the account the MTA runs ingest-mail as: postfix runs the commands of an
   alias file as the file's owner (root's: default_privs, nobody) */
#define SERVER_USER "logbook"
/* its home: the ssh key other replicas know this server by, their keys,
   known_hosts; not in the journal, which the group may write (sshd
   refuses a group-writable home) */
#define SERVER_HOME "/var/lib/logbook-home"
/* its shell: other replicas log in to run git-receive-pack and
   git-upload-pack on the journal, and nothing else */
#define SERVER_SHELL "/usr/bin/git-shell"
#define SERVER_ETC "/etc/logbook"
/* logbook's own alias file, owned by SERVER_USER, in postfix's alias_maps */
#define SERVER_MAIL_ALIASES SERVER_ETC "/aliases"
/* what setup changed outside files with a block: root's, not the journal's
   (the journal's group may write there) */
#define SERVER_STATE SERVER_ETC "/setup.state"
#define SERVER_POSTFIX_DIR "/etc/postfix"
/* APT's hook: the file setup writes whole and --undo removes when unchanged */
#define SERVER_APT_CONF "/etc/apt/apt.conf.d/05logbook"

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


/*
 * The contents of SERVER_APT_CONF: DPkg::Pre-Invoke and Post-Invoke run
 * `exe [-C JOURNAL] apt-hook pre|post` when exe is there, with nothing on
 * standard input and "|| true", so that a missing or failing logbook
 * never stops APT.  NULL and errget() when a path cannot be written in
 * an APT string (a '"' or a newline).
 */
char *server_apt_conf_body(const struct server *s, const char *exe);
/* whether systemd runs this system (sd_booted: /run/systemd/system) */
bool server_systemd_running(void);

/*
 * The logbook-*.timer and logbook-*.path units, and logbook-boot.service
 * and logbook-shutdown.service (the reboot records), installed under root
 * (the unit directories of systemd: what starts logbook's services),
 * sorted, names only.  Those a team has not configured are left out, with why in
 * skipped (one line each): logbook-digest.timer without digest.to in
 * team.conf.  team may be NULL.
 */
void server_timers(const struct server *s, const struct conf *team, char ***names, size_t *n, struct buf *skipped);
void server_names_free(char **names, size_t n);

/* whether unit (a file name) is in one of systemd's unit directories under root */
bool server_unit_installed(const struct server *s, const char *unit);

/*
 * The drop-in that makes every service's failure start the handler
 * logbook-failure@.service (`logbook unit-failed`): setup writes
 * SERVER_ONFAILURE_BODY there, undo removes it, doctor checks it.  The
 * handler's own units reset OnFailure= (a drop-in of the package that
 * sorts after this one), so it never handles its own failure.
 */
#define SERVER_ONFAILURE_DIR "/etc/systemd/system/service.d"
#define SERVER_ONFAILURE_DROPIN SERVER_ONFAILURE_DIR "/10-logbook-onfailure.conf"
#define SERVER_ONFAILURE_HANDLER "logbook-failure@.service"
#define SERVER_ONFAILURE_BODY \
	"# logbook setup: every service that fails is filed in the journal (logbook unit-failed)\n" \
	"# logbook setup --undo removes this file\n" \
	"[Unit]\n" \
	"OnFailure=logbook-failure@%n.service\n"

/*
 * Run argv to the end with stdout and stderr together into out (when not
 * NULL), stdin from /dev/null: the exit status, or -1 and errget() when it
 * cannot be started.
 */
int server_run(const char *const argv[], struct buf *out);
/* whether program is found in PATH */
bool server_have(const char *program);

/* the alias line that pipes mail to ingest-mail: logbook: "|EXE -C JOURNAL ingest-mail" (allocated) */
char *server_alias_line(const struct server *s, const char *exe);
/*
 * Write the alias file path holding line (and a comment), mode 0644,
 * owned by uid:gid when uid is not -1, the directory made 0755 when
 * missing.  The file is replaced atomically, so the MTA never reads half
 * of it.  -1 and errget() on failure.
 */
int server_alias_file_write(const char *path, const char *line, uid_t uid, gid_t gid);
/*
 * A postfix list parameter (alias_maps) with entry added at its end, or
 * removed, keeping every other entry and their order (entries are
 * separated by commas or blanks).  NULL when nothing changes.
 */
char *server_maps_add(const char *maps, const char *entry);
char *server_maps_remove(const char *maps, const char *entry);
/*
 * The line for the authorized_keys of SERVER_USER that lets a replica
 * holding key (text form, as in a .pub file: options before it are
 * dropped) in, restricted: no pty, no forwarding, and git-shell as the
 * account's shell runs git's pack commands only.  NULL and errget() when
 * key is not an ssh public key (allocated).
 */
char *server_replica_key_line(const char *key);

/* whether postfix is the MTA of the system under root: postconf in PATH and ROOT/etc/postfix/main.cf */
bool server_postfix(const struct server *s);

#endif
