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
#include "base/day.h"
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
int cmd_browse(int argc, char **argv);
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
int cmd_boot(int argc, char **argv);
int cmd_unit_failed(int argc, char **argv);
int cmd_packages(int argc, char **argv);
int cmd_advisories(int argc, char **argv);
int cmd_incident(int argc, char **argv);
int cmd_todo(int argc, char **argv);
int cmd_ack(int argc, char **argv);

/*
 * One line per open incident ("incident web1:42  open since ..."),
 * escaped; nothing when none or unreadable.  keep_cache: refresh the
 * incident cache (false for a command that only reads).
 */
void cmd_incidents_remind(const struct journal *j, struct buf *out, bool keep_cache);
/*
 * The incident a note names: given ("none": no incident; an id this
 * journal does not know: exit 1), else the one open incident, else NULL
 * (allocated).
 */
char *cmd_incident_for_note(const struct journal *j, const char *given);

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
 * What news and the digest say every time until it is settled (view/threads.h):
 * the open todos, and who took each advisory still open.  Nothing when none.
 */
struct threads;
void cmd_threads_text(struct journal *j, const struct threads *t, struct buf *out);
/* " (taken by alice)" after an event an admin took (by its reference or its advisory's id); t may be NULL */
void cmd_taken_suffix(const struct threads *t, const struct record *r, struct buf *out);
/*
 * File one record r of the admin id on this host, as note does: under
 * the host's lock, signed when a key is at hand, on disk when it returns,
 * then a background sync.  Dies with "<what>: why" when it cannot.
 */
void cmd_file_record(struct journal *j, const struct ident *id, struct record *r, const char *what);
/*
 * The record a reference on the command line names (HOST:SEQ, already
 * checked by ref_parse), parsed; dies with "<what>: REF: ..." (exit 1)
 * when this replica has no such record.  day: its day page, or NULL.
 */
struct record *cmd_find_ref(struct journal *j, const char *ref, const char *what, char *day);
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
 * A day given as "-3" (3 days ago) is not an option (nor the value of
 * --since or --until, which getopt takes): take it out of argv
 * before getopt sees it (argc is decreased).  The day, or NULL; a second
 * one is a usage error naming cmd.
 */
const char *cmd_take_days_ago(int *argc, char **argv, const char *usage, const char *cmd);
/* --color=WHEN: always, never, or auto (a terminal, without $NO_COLOR, not TERM=dumb) */
bool cmd_use_color(const char *when);
/* the WHEN of --color=WHEN, or a usage error naming cmd */
const char *cmd_color_when(const char *usage, const char *cmd, const char *arg);


/*
 * The range show, list, search, export and digest share: --since and
 * --until (a day, a time or an age: day_point_parse), --host and --admin
 * (--user is its older name).  cmd_range_option takes one while getopt
 * runs (a point that is no day or time is a usage error naming cmd,
 * journal or not); cmd_range_resolve reads the points once the journal
 * is open, in the team's zone (a since after the until is a usage
 * error); cmd_range_has says whether a record is in it.
 * --since is included, --until excluded, but a day as --until is
 * included whole.
 */
struct cmd_range {
	const char *since_spec, *until_spec;	/* as given; NULL: open */
	const char *host, *admin;		/* NULL: any */
	int64_t since, until;			/* [since, until), INT64_MIN and INT64_MAX when open */
	/* the days it touches in the zone in force (a record's page is its day when it was written); "" when open */
	char first_day[DAY_LEN + 1], last_day[DAY_LEN + 1];
	bool whole_days;			/* each end is open or a day's start */
};
enum { CMD_OPT_HOST = 300, CMD_OPT_USER, CMD_OPT_ADMIN, CMD_OPT_SINCE, CMD_OPT_UNTIL, CMD_OPT_KIND, CMD_OPT_LIMIT };
#define CMD_RANGE_OPTIONS \
	{ "since", required_argument, NULL, CMD_OPT_SINCE }, \
	{ "until", required_argument, NULL, CMD_OPT_UNTIL }, \
	{ "host", required_argument, NULL, CMD_OPT_HOST }, \
	{ "admin", required_argument, NULL, CMD_OPT_ADMIN }, \
	{ "user", required_argument, NULL, CMD_OPT_USER }
/* the usage lines of the range options, for the commands' --help */
#define CMD_RANGE_HELP \
	"  --since TIME   only records from TIME on: a day (today, yesterday, -N,\n" \
	"                 YYYY-MM-DD, YYYY_MM_DD), a time (YYYY-MM-DD HH:MM[:SS],\n" \
	"                 HH:MM today) or an age (90min ago, 2h ago, 3d ago, 1w\n" \
	"                 ago), in the team's time zone\n" \
	"  --until TIME   only records before TIME; a day is included whole\n" \
	"  --host HOST    only records of HOST\n" \
	"  --admin ADMIN  only records attributed to ADMIN\n" \
	"  --user ADMIN   the same as --admin (its older name)\n"
bool cmd_range_option(int c, const char *arg, struct cmd_range *r, const char *usage, const char *cmd);
void cmd_range_resolve(struct cmd_range *r, const char *usage, const char *cmd);
bool cmd_range_has(const struct cmd_range *r, int64_t time, const char *host, const char *admin);
/*
 * The day pages that may hold records of the range and have record files
 * (of its host, when it names one), oldest first, allocated.  An open end is filled in
 * first: the last day is today's (or the first's, when that is later),
 * the first is the last's.  Dies naming cmd when the days cannot be listed.
 */
void cmd_range_days(struct journal *j, struct cmd_range *r, const char *cmd, char ***days, size_t *n);
/* make the range the one day page day (a valid day name), its host and admin kept */
void cmd_range_day(struct cmd_range *r, const char *day, const char *cmd);
/* whether the record stored as line is in the range (a line that is no record is not) */
bool cmd_range_line(const struct cmd_range *r, const char *line, size_t len);
/* whether the range narrows anything */
bool cmd_range_given(const struct cmd_range *r);

/*
 * The record filters search and list share: the range and --kind and
 * --limit (CMD_FILTER_OPTIONS); cmd_filter_option takes one while
 * getopt runs, cmd_filter_query applies them to q once the journal is
 * open.
 */
struct index_query;
#define CMD_FILTER_OPTIONS \
	CMD_RANGE_OPTIONS, \
	{ "kind", required_argument, NULL, CMD_OPT_KIND }, \
	{ "limit", required_argument, NULL, CMD_OPT_LIMIT }
/* true when c was a filter option (and taken) */
bool cmd_filter_option(int c, const char *arg, struct index_query *q, struct cmd_range *r, const char *usage,
		       const char *name);
void cmd_filter_query(struct cmd_range *r, struct index_query *q, const char *usage, const char *name);
/*
 * Bring the index up to date (unless q asks for the files) and print what
 * q finds, as search and list do: one hitline_format line per record (view/hitline.h)
 * (text highlighted), or with json the records as stored; through the
 * pager when asked and not json.  The number of records printed; dies
 * naming cmd when the search fails.
 */
/*
 * Where the helper file name is (logbook-ingest-mail, logbook-bash.so):
 * next to the running binary when it is there (access(mode) succeeds),
 * else in LOGBOOK_HELPERDIR (make's $(LIBEXECDIR)/logbook).
 *
 * Next to the binary first, so that a logbook run from its build tree
 * (the tests, an MTA's alias pointing at it) runs the helper built with
 * it and never an older installed one.  That directory is as trusted as
 * the binary itself: whoever can write there can replace logbook.  An
 * installed logbook (/usr/bin) has no helper beside it and uses the
 * compiled-in path.  No environment variable is read: ingest-mail runs
 * from MTAs, and the hook's builtin in root's shells, with privileges the
 * caller's environment must not steer.  fs_self_exe reads
 * /proc/self/exe; when it cannot ("logbook", no slash), the compiled-in
 * path, never the working directory.  Allocated.
 */
char *cmd_helper_path(const char *name, int mode);
size_t cmd_print_hits(struct journal *j, struct index_query *q, const char *text, bool json, const char *when,
		      bool pager, const char *cmd);

#endif
