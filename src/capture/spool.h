/*
 * The session spool: what a hooked shell writes, with builtins only, for
 * ingestion to turn into records later (docs/format.md, "Spool files").
 *
 *   .state/spool/                  shared by the journal's group (sticky)
 *   .state/spool/<uid>/            one account's own directory: owned by
 *                                  that account, mode 0700
 *   .state/spool/<uid>/<session>.spool  the records, appended by the shell
 *   .state/spool/<uid>/<session>.last   scratch file the bash hook reads
 *                                  its last history entry back from
 *   .state/spool/<uid>/<session>.pos    how far ingestion got (ingest.c)
 *
 * The group may write .state/spool, so nothing in it is trusted by name:
 * an account's directory is opened with O_NOFOLLOW and used only when
 * its owner is that account and no one else may enter it; the files in
 * it are made by logbook with O_EXCL|O_NOFOLLOW, mode 0600, never by the
 * shell, whose hook checks the directory (its owner, not a symlink)
 * before every write.  A member of the group thus cannot read another
 * account's spool, plant a file or symlink for another account's shell
 * to write through, nor pass off a spool as another account's.
 *
 * A spool record is a kind letter and a fixed number of fields, each
 * ended by a NUL byte, then a newline:
 *
 *   H\0 1\0 session\0 host\0 admin\0 admin_by\0 account\0 tty\0 ssh\0 shell\0 start\0 boot\0 \n
 *   P\0 pid\0 \n
 *   B\0 n\0 start\0 cwd\0 command\0 \n
 *   C\0 n\0 start\0 end\0 status\0 cwd\0 command\0 \n
 *   X\0 end\0 commands\0 \n
 *
 * (spaces added for reading).  B is a command begun, written by the hook
 * of ssh HOST CMD when its shell starts: the C of the same n replaces it
 * when the shell says how the command ended, an X without it drops it
 * (LOGBOOK_OFF); when the shell ends without either (the command replaced
 * it with exec, or replaced its EXIT trap), ingestion records the B
 * alone.  Ingestion never moves past a B that is still open while its
 * shell lives.  Shell variables cannot hold NUL, so NUL
 * ends fields without any escaping on the hot path, and a command keeps
 * its exact bytes, newlines included.  The command is written the way
 * `fc -ln` prints a history line, a tab, a space, the line, a newline,
 * so the bash hook can send fc's output straight to the spool.  Times
 * are microseconds since the epoch; a start may be empty when the shell
 * could not take it.
 *
 * A record starts at the beginning of the file or after a newline.  The
 * hooks write a newline before a record when the previous write failed,
 * so a record torn by a full disk never hides the next one: the parser
 * reports the damaged bytes and resumes at the next "\n<kind>\0" from
 * which a whole valid record parses.
 *
 * This module owns the format: creating a spool with its header, and
 * parsing a buffer of spool bytes.  It never writes records to the
 * journal (ingest.c does).
 */
#ifndef LOGBOOK_SPOOL_H
#define LOGBOOK_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "journal/ident.h"
#include "journal/journal.h"

#define SPOOL_DIR JOURNAL_STATE "/spool"
#define SPOOL_VERSION "1"

/* fields of one spool record, as parsed */
enum { SPOOL_MAX_FIELDS = 11 };

struct spool_rec {
	char kind;			/* 'H', 'P', 'B', 'C' or 'X' */
	const char *field[SPOOL_MAX_FIELDS];	/* point into the parsed buffer */
	size_t len[SPOOL_MAX_FIELDS];
	size_t nfields;
	uint64_t offset, end;		/* byte range in the spool file */
};

/* field indexes per kind */
enum { SH_VERSION, SH_SESSION, SH_HOST, SH_ADMIN, SH_ADMIN_BY, SH_ACCOUNT, SH_TTY, SH_SSH, SH_SHELL, SH_START, SH_BOOT };
enum { SP_PID };
enum { SB_N, SB_START, SB_CWD, SB_TEXT };
enum { SC_N, SC_START, SC_END, SC_STATUS, SC_CWD, SC_TEXT };
enum { SX_END, SX_COMMANDS };

enum spool_step {
	SPOOL_RECORD,		/* *rec is a whole valid record */
	SPOOL_DAMAGED,		/* bytes [rec->offset, rec->end) are not a record; why in errget() */
	SPOOL_MORE,		/* the rest is an unfinished record: read more, or it is torn */
};

/*
 * Parse the record at data[*pos] (data holds the spool bytes from file
 * offset base, len of them).  On SPOOL_RECORD and SPOOL_DAMAGED, *pos
 * moves past what was consumed.  at_eof: no more bytes will come, so an
 * unfinished record is damaged (torn) rather than SPOOL_MORE.
 */
enum spool_step spool_next(const char *data, size_t len, size_t *pos, uint64_t base, bool at_eof,
			   struct spool_rec *rec);

/* a decimal field as a number; false when empty or not a number */
bool spool_field_int(const struct spool_rec *rec, size_t i, int64_t *v);

/* spool path of a session: "<journal>/.state/spool/<uid>/<session>.<ext>" (allocated) */
char *spool_path(const struct journal *j, uid_t uid, const char *session, const char *ext);
/* an account's spool directory: "<journal>/.state/spool/<uid>" (allocated) */
char *spool_account_path(const struct journal *j, uid_t uid);

/*
 * Open .state/spool as a directory descriptor, never through a symlink
 * (making it and .state first when create is set).  Refused when others
 * may write it and could move an account's directory out from under its
 * shell (writable by group or others, not sticky, and owned by another
 * account than root or the caller).  -1 and errget() on failure; errno
 * EEXIST when refused so, ELOOP for a symlink (fs_dir_below's walk),
 * ENOENT when missing and create is false.
 */
int spool_dir_open(const struct journal *j, bool create);

/*
 * Open the spool directory of account uid under the descriptor of
 * .state/spool (making it, 0700, when create is set): only when it is a
 * directory, not a symlink, owned by uid and closed to everyone else.
 * -1 and errget() otherwise; errno EEXIST when what is there is not
 * fit (someone else's, open to others, a symlink), ENOENT when missing
 * and create is false.
 */
int spool_account_open(int spool_dir, const char *path, uid_t uid, bool create);

/*
 * Create the spool of a new shell session with its header, and its empty
 * .last scratch file, in the caller's own spool directory (both 0600,
 * O_EXCL, O_NOFOLLOW).  -1 and errget() on failure, errno EACCES when the
 * caller cannot write the journal, EEXIST when a directory on the way is
 * not fit to hold the caller's commands (see spool_account_open).
 */
int spool_create(const struct journal *j, const struct ident *id, const char *shell, int64_t start_us);

#endif
