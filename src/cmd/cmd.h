/*
 * The command layer: one cmd_<name> per subcommand (src/cmd-<name>.c),
 * the table main.c dispatches on, and the few helpers every command
 * shares.  Only this layer prints results and decides exit statuses.
 */
#ifndef LOGBOOK_CMD_H
#define LOGBOOK_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "journal/journal.h"
#include "journal/store.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;	/* NULL: not listed by 'logbook help' (logbook complete) */
};

extern const struct command commands[];
extern const size_t ncommands;

int cmd_init(int argc, char **argv);
int cmd_note(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_days(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_hook(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_commit(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_team(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_who(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_remote(int argc, char **argv);
int cmd_clone(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_news(int argc, char **argv);
int cmd_setup(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_complete(int argc, char **argv);
int cmd_event(int argc, char **argv);
int cmd_ingest_mail(int argc, char **argv);
int cmd_apt_hook(int argc, char **argv);
int cmd_digest(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_secret(int argc, char **argv);

/* -C DIR as given to main, NULL when absent */
extern const char *cmd_dir_option;

/* open the journal -C, $LOGBOOK_DIR or the default names, or exit 1 saying why */
struct journal *cmd_journal(void);
/*
 * The directory a new journal goes into, for init and clone (cmd): it
 * must be missing or empty but for lost+found (a fresh file system's
 * mount point), and is made (0750) when missing.  *existed says whether
 * it was there, *shared whether its group makes the journal the group's
 * (set-group-ID, or a group other than ours), *st its stat.  -1 and
 * errget() naming cmd when it cannot be used.
 */
struct stat;
int cmd_take_dir(const char *dir, const char *cmd, bool *existed, bool *shared, struct stat *st);
/* drop trailing blanks and newlines, and leading empty lines */
void cmd_trim(struct buf *b);
/*
 * Let the admin write text in $VISUAL or $EDITOR, starting from template,
 * in <name> in a new private directory under $TMPDIR (or /tmp), never in
 * the journal; lines starting with '#' are dropped and the rest trimmed.
 * -1 and errget() when the editor failed.
 */
int cmd_edit(struct journal *j, const char *name, const struct buf *template, struct buf *text);
/*
 * Ingest the spools of hooked shells before doing anything else, as
 * every command that reads or writes records does; a busy host is left
 * for the next run, problems are printed as warnings.
 */
void cmd_ingest_first(struct journal *j);
/*
 * File the package changes of the logs not filed yet (capture/packages.h),
 * the logs under $LOGBOOK_ROOT, dpkg's database at $LOGBOOK_DPKG_ADMINDIR
 * (else /var/lib/dpkg); tz is the zone the logs were written in, wait
 * the seconds a lock is waited for.  Problems are printed; -1 when
 * nothing could be filed.
 */
int cmd_packages_catch_up(struct journal *j, const char *tz, unsigned wait);
/* whether setup installed APT's hook under $LOGBOOK_ROOT (root's ingest then catches up too) */
bool cmd_packages_hooked(void);
/*
 * Sign t's head with id's admin's key from the agent before the commit,
 * as note and commit do: when no key is available, say so once on
 * stderr (only when team.conf lists keys at all: a team that does not
 * sign hears nothing) and go on unsigned.
 */
struct ident;
void cmd_autosign(struct store_txn *t, struct journal *j, const struct ident *id);
/*
 * After a new entry: start `logbook sync` in a session of its own when
 * the journal has remotes and team.conf does not say sync.auto = false;
 * never waits for it (its output goes to .state/sync/background.log).
 */
void cmd_background_sync(struct journal *j);
/*
 * The commands that talk to other replicas (sync, export, digest --send,
 * remote, ingest-mail), started as root, go on as the account that owns
 * the journal's .git (the system user logbook, after setup) before they
 * read anything another replica wrote or start git: git_become_owner.
 * Dies when that cannot be done; does nothing for any other account.
 */
void cmd_become_git_owner(const char *dir, const char *what);
/*
 * After this process changed team.conf: the keyring before the change
 * (loaded before it), so that cmd_share_team can have the change signed.
 */
struct conf *cmd_team_before(struct journal *j);
/*
 * Leave the change from before as a signed proposal for the other
 * replicas (replica/keyring.h), signed through the admin's agent, or
 * with keyfile; then ask for a sync.  A team that lists no key signs
 * nothing.  When it cannot be signed and the keyring is signed already
 * (or required), say so once: the change stays on this replica.  0 when
 * proposed or nothing to do, -1 when it could not be.
 */
int cmd_share_team(struct journal *j, struct conf *before, const char *keyfile, bool required, const char *what);
/*
 * A day given as "-3" (3 days ago) is not an option: take it out of argv
 * before getopt sees it (argc is decreased).  The day, or NULL; a second
 * one is a usage error naming cmd.
 */
const char *cmd_take_days_ago(int *argc, char **argv, const char *usage, const char *cmd);
/* --color=WHEN: always, never, or auto (a terminal, without $NO_COLOR, not TERM=dumb) */
bool cmd_use_color(const char *when);
/* the WHEN of --color=WHEN, or a usage error naming cmd */
const char *cmd_color_when(const char *usage, const char *cmd, const char *arg);


/*
 * The record filters search and list share: getopt codes from
 * CMD_OPT_FILTER on, their long options (CMD_FILTER_OPTIONS), and
 * cmd_filter_option to apply one to q (days are parsed against now,
 * a bad value is a usage error).
 */
struct index_query;
enum { CMD_OPT_HOST = 300, CMD_OPT_USER, CMD_OPT_KIND, CMD_OPT_SINCE, CMD_OPT_UNTIL, CMD_OPT_LIMIT };
#define CMD_FILTER_OPTIONS \
	{ "host", required_argument, NULL, CMD_OPT_HOST }, \
	{ "user", required_argument, NULL, CMD_OPT_USER }, \
	{ "kind", required_argument, NULL, CMD_OPT_KIND }, \
	{ "since", required_argument, NULL, CMD_OPT_SINCE }, \
	{ "until", required_argument, NULL, CMD_OPT_UNTIL }, \
	{ "limit", required_argument, NULL, CMD_OPT_LIMIT }
/* true when c was a filter option (and applied); day buffers live in q's caller */
bool cmd_filter_option(int c, const char *arg, struct index_query *q, char since[11], char until[11],
		       const char *usage, const char *name);
/*
 * One record found, on one line: day page, local time, host, admin, kind
 * and the line of its text holding the match (the first line when text is
 * NULL), every byte escaped, the match highlighted in colour.
 */
struct index_hit;
void cmd_format_hit(struct buf *out, const struct index_hit *h, const char *text, bool color);
/*
 * Bring the index up to date (unless q asks for the files) and print what
 * q finds, as search and list do: one cmd_format_hit line per record
 * (text highlighted), or with json the records as stored; through the
 * pager when asked and not json.  The number of records printed; dies
 * naming cmd when the search fails.
 */
size_t cmd_print_hits(struct journal *j, struct index_query *q, const char *text, bool json, const char *when,
		      bool pager, const char *cmd);

#endif
