/*
 * secrets: the team's known secrets, redacted wherever they appear.
 *
 * Rules (capture/redact.h) find secrets by their shape; a password with
 * no shape ("myapp connect db1 Hunter2") needs its value known.  Root
 * keeps those values, never in clear, in a host-local file that is never
 * replicated (SECRETS_PATH, 0600 root, in a directory only root writes):
 *
 *   logbook-secrets 1 <key: 64 hex digits>
 *   <length> <tag: 4 hex digits> <HMAC-SHA256 of the value: 64 hex digits>
 *   ...
 *
 * The key is random, made with the file.  The tag is 16 bits of
 * SipHash-2-4 (under a key derived from it) of the value's first
 * min(8, length) bytes: at each position of a text the matcher hashes the
 * next 6, 7 or 8 bytes (only the prefix lengths some secret has), looks
 * the tag up, and only on a hit computes the HMAC of the candidate
 * windows.  With 1,000 secrets about 1.5% of positions hit a tag.
 *
 * A value found is replaced by REDACT_MARKER ("[REDACTED]"); markers
 * already in the text are never part of a match, so redacting a redacted
 * text changes nothing.  The store applies the process's secrets to
 * every record it writes (secrets_redact_record), so commands, notes,
 * diffs, mails and events alike are covered when this process could load
 * the file.  This module never prints.  Matching only reads a set, so
 * threads may share one; changing it (add, remove) is one thread's.
 */
#ifndef LOGBOOK_SECRETS_H
#define LOGBOOK_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "journal/record.h"

#define SECRETS_PATH "/etc/logbook/secrets"
/* shorter values would match ordinary words; longer ones are not passwords */
#define SECRETS_MIN_LEN 6
#define SECRETS_MAX_LEN 4096

struct secrets;

/*
 * The file this process uses: $LOGBOOK_SECRETS when set and the process
 * runs with its real ids (not set-user-ID or set-group-ID: a caller's
 * environment must not steer a privileged program), else SECRETS_PATH.
 */
const char *secrets_path(void);

/* an empty set with a fresh random key; NULL and errget() when no randomness */
struct secrets *secrets_new(void);
/* the file's text; NULL and errget() = "<shown>:<line>: why" */
struct secrets *secrets_parse(const char *shown, const char *data, size_t len);
void secrets_free(struct secrets *s);
/* the file's text again (secrets_parse of it gives the same set) */
void secrets_encode(const struct secrets *s, struct buf *out);

/*
 * Read the file at path as root reads it: its directory owned by root or
 * us and writable by no one else, the file itself opened with O_NOFOLLOW,
 * a regular file owned by root or us, no group or other permissions.
 * 1 and *out NULL when it does not exist, 0 and *out when read, -1 and
 * errget() otherwise (errno EACCES when this account cannot read it).
 */
int secrets_load(const char *path, struct secrets **out);
/* write s to path (its directory made 0755 when missing), 0600, through a lock file and a rename */
int secrets_save(const struct secrets *s, const char *path);

/* 0 added, 1 already known, -1 refused with errget() = why (too short, too long, holds the marker) */
int secrets_add(struct secrets *s, const char *value, size_t len);
/* 0 removed, 1 not known */
int secrets_remove(struct secrets *s, const char *value, size_t len);
size_t secrets_count(const struct secrets *s);
/* the length of the i-th secret (i < secrets_count) */
size_t secrets_length(const struct secrets *s, size_t i);

/* append text to out with every known value replaced by REDACT_MARKER; how many were replaced */
size_t secrets_redact(const struct secrets *s, const char *text, size_t len, struct buf *out);
/* whether text holds a known value; s may be NULL (none) */
bool secrets_holds(const struct secrets *s, const char *text, size_t len);
/*
 * secrets_redact on every text of r but the common fields (v, kind, time, host,
 * admin, account, session, seq, prev) and import_id, in nested objects
 * and arrays too; a sign record has no text and is left alone.  The
 * count is added to r's "redacted".  How many were replaced.
 */
size_t secrets_redact_record(const struct secrets *s, struct record *r);

/*
 * The secrets of this process, loaded once from secrets_path() by
 * secrets_process_init (main does it before any command, so before a
 * command started as root gives up root).  The store redacts with them.
 */
enum secrets_state {
	SECRETS_NONE,		/* no file: nothing to redact */
	SECRETS_LOADED,
	SECRETS_UNREADABLE,	/* a file this account cannot read (not root) */
	SECRETS_BROKEN,		/* a file that cannot be trusted or parsed: the store refuses to write */
};
enum secrets_state secrets_process_init(void);
enum secrets_state secrets_process_state(void);
/* NULL unless SECRETS_LOADED */
const struct secrets *secrets_process(void);
/* why the state is UNREADABLE or BROKEN ("<path>: why") */
const char *secrets_process_error(void);
/*
 * For a helper program that runs as another account (logbook-ingest-mail
 * runs as the owner of .git): the process's secrets in a memory-only
 * file, its descriptor inherited across exec (-1 when none are loaded);
 * the helper reads them with secrets_process_from_fd (BROKEN when it
 * cannot, so the store writes nothing).
 */
int secrets_process_fd(void);
enum secrets_state secrets_process_from_fd(int fd);
/* use s (owned by the caller) as the process's secrets, for a helper given them by its parent, and tests */
void secrets_process_set(const struct secrets *s);

#endif
