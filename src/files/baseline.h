/*
 * The baseline of the watched files: how every watched file looked when
 * the team last accepted it, so that a scan finds what changed since.  It
 * is local to this host (.state/ is never replicated):
 *
 *   .state/baseline/objects/<2 hex>/<62 hex>   file contents by SHA-256,
 *                  shared by every path with that content, written to a
 *                  temporary name and renamed; never for a sensitive
 *                  file, nor for one over BASELINE_STORE_MAX bytes
 *   .state/baseline/index   one line per tracked path (below)
 *   .state/baseline/seen    when a scan first saw each pending change
 *   .state/baseline/lock    flock(2)ed by every writer of index and seen,
 *                  which are written whole through "<file>.lock" (O_EXCL,
 *                  fsync, rename); objects are on disk (syncfs) before an
 *                  index that names them
 *
 * The index, version 1, is text: a header line, then one line per path,
 * sorted by path (strcmp), fields separated by one space:
 *
 *   logbook-baseline-index 1 <generation>
 *   <type> <flags> <mode> <uid> <gid> <size> <mtime> <ctime> <ino> <dev> <verified> <hash> <path> [<target>]
 *
 *   type      f (regular file) or l (symlink); directories are only walked
 *   flags     "-" or letters: s sensitive (hash only), o content in
 *             objects/, x stat data not to be trusted (hash again)
 *   mode      permission bits, octal (07777)
 *   mtime, ctime, verified   nanoseconds since the epoch; verified is when
 *             the hash was taken (the scan's start on the clock that
 *             stamps files)
 *   hash      64 hex digits: SHA-256 of the content, or of a symlink's target
 *   path, target   the bytes, with "\xHH" for bytes up to 0x20, 0x7f and
 *             '\'; target only for a symlink that is not sensitive
 *
 * generation grows by one at every write, so that a scan can tell whether
 * the index changed under it.  A reader that meets another version says
 * so and stops; the file is derived data only in part (the baseline is
 * what was accepted), so it is never rewritten by a version it does not
 * know.
 *
 * seen, version 1:
 *
 *   logbook-baseline-seen 1
 *   <first_seen µs> <what> <type|-> <mode> <uid> <gid> <hash|-> <size> <mtime> <ctime> <ino> <verified> <path>
 *
 * one line per pending change: what (CH_* bits, decimal) and the new
 * state identify "this very change"; a change whose new state differs is
 * another change.  The stat data let the next scan reuse the new hash
 * without reading the file again, as the index does for unchanged files.
 *
 * A scan costs one fstatat(2) per watched file and reads a file only when
 * its stat data (size, mtime and ctime with nanoseconds, inode, mode,
 * uid, gid) differ from the index, or when it is "racy": its mtime or
 * ctime is not older than the moment its hash was taken, so a change in
 * the same clock tick could hide behind equal stat data (git's racy-git
 * rule).  A scan that found stat data to refresh (a touched file, a racy
 * one now safely old) rewrites the index, without moving the baseline.
 *
 * Rules of the walk: symlinks are never followed (a symlink is tracked by
 * its target; every path is opened component by component with
 * O_NOFOLLOW, so a directory swapped for a symlink mid-scan is not
 * followed either); FIFOs, sockets and devices are skipped with a
 * message and never opened: a file is first opened with
 * O_PATH|O_NOFOLLOW (which opens nothing), checked with fstat, and only a
 * regular file is reopened for reading, through /proc/self/fd (without
 * /proc: with O_NOFOLLOW|O_NONBLOCK, checked again with fstat); the
 * journal's own directory is never walked.  A file is sensitive when watch_sensitive() says so, or when a
 * directory above it cannot be entered by group or others.  What cannot
 * be looked at (permission denied, changed while being read, a directory
 * loop) is reported in "skipped" and keeps its baseline: it is neither
 * changed nor deleted.
 *
 * This module never writes records and never formats a diff.
 */
#ifndef LOGBOOK_BASELINE_H
#define LOGBOOK_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "files/watch.h"
#include "journal/journal.h"
#include "journal/store.h"

#define BASELINE_DIR JOURNAL_STATE "/baseline"
/* larger files are hashed, not kept: their diff is a summary */
#define BASELINE_STORE_MAX ((off_t)64 * 1024 * 1024)

/*
 * Line tags: which redacted line of an object held which value, without
 * the value.  A tag is the first 8 bytes of HMAC-SHA256 under a key of
 * this host (.state/baseline/tag-key, mode 0600, made by the first
 * process that writes objects, used only by the account that owns it),
 * so comparing a line's tags says whether its secret changed, and a tag
 * cannot be checked against guessed passwords without the key.
 */
#define BASELINE_TAG_KEY_LEN 32
/* 0 and the key; -1 when there is none this process may use (not its
 * own, readable by others, damaged); create: make one when there is none */
int baseline_tag_key(struct journal *j, bool create, unsigned char key[BASELINE_TAG_KEY_LEN]);
/* raw and red have the same lines (red = redact_file of raw): out gets
 * "t" and " <line>:<16 hex>" for every line that redaction changed, the
 * lines counted from 0 */
void baseline_line_tags(const unsigned char *key, const char *raw, size_t raw_len, const char *red, size_t red_len,
			struct buf *out);
#define BASELINE_TAG_HEX 16
/* red (len bytes) with sep and the tag appended to each line that tags
 * (as baseline_line_tags writes them) names; "-", "" or a damaged list:
 * the lines it does not reach have no tag.  The lines stay the lines. */
void baseline_tagged_text(const char *red, size_t len, const char *tags, char sep, struct buf *out);

enum { CH_ADDED = 1, CH_DELETED = 2, CH_CONTENT = 4, CH_MODE = 8, CH_OWNER = 16, CH_TYPE = 32, CH_TARGET = 64 };

struct fstate {
	char type;		/* 'f' file, 'l' symlink, 0 absent (the old of an added file, the new of a deleted one) */
	mode_t mode;		/* permission bits (07777) */
	uid_t uid;
	gid_t gid;
	off_t size;
	char hash[65];		/* hex SHA-256 of the content, or of a symlink's target */
	char *target;		/* a symlink's target; NULL when sensitive */
	bool sensitive;		/* hash only: its content is never kept nor given out */
	/* the stat cache */
	int64_t mtime_ns, ctime_ns;
	ino_t ino;
	dev_t dev;
	int64_t verified_ns;	/* when hash was taken */
	bool stored;		/* the content is in objects/ */
	bool stale;		/* the stat data are not to be trusted */
};

struct change {
	char *path;
	unsigned what;		/* CH_* bits */
	struct fstate old, new;
	int64_t first_seen;	/* microseconds, when a scan first saw this very change */
};

struct changes {
	struct change *v;	/* sorted by path */
	size_t n;
	struct store_warnings skipped;	/* "path: why" for what could not be looked at */
	/* "path: what" worth saying that did not stop anything: a watched
	 * path that does not exist (yet), a changed name with a newline or
	 * bytes that are not UTF-8 (paths in messages are shown with \n and
	 * \xHH escapes) */
	struct store_warnings notes;
	size_t files;		/* files and symlinks looked at */
	size_t hashed;		/* files read to hash them */
};

/*
 * Walk the watch list and compare with the baseline.  Records first_seen
 * of each change in .state/baseline/seen (a change seen before keeps its
 * time; a change that went away is forgotten).  The old state of a file
 * that now matches a sensitive pattern is reported sensitive too.
 * -1 and errget() only when the baseline cannot be read.
 */
int baseline_scan(struct journal *j, const struct watch_list *w, struct changes *out);

/*
 * The contents of the old and the new version of a changed regular file:
 * old from objects/ (checked against its hash, or the redacted form
 * against the sum it carries), new read now (at most max bytes, and only
 * while it still has the hash the scan saw).  -1 and errget() = why when
 * not available: either version sensitive, not a regular file, not kept
 * (over BASELINE_STORE_MAX), larger than max, changed since the scan.
 * Binary content is the caller's business.
 *
 * The old content is as the object keeps it: redacted by redact_file
 * when it had secrets.  Then tags (may be NULL) gets the object's line
 * tags (baseline_line_tags' form, or "-" when it was written without a
 * key); it stays empty when the object is the content itself.
 */
int baseline_old_content(struct journal *j, const struct change *c, struct buf *out, struct buf *tags);
int baseline_new_content(const struct change *c, size_t max, struct buf *out);

/*
 * Move the baseline forward for these changes only: store the new
 * contents, update or drop their index entries, forget their first_seen.
 * The file is read again; when it changed since the scan, the baseline
 * becomes what the scan saw (without its content) and the next scan
 * reports the newer change.  Objects no entry names any more are removed.
 */
int baseline_accept(struct journal *j, const struct change *const *which, size_t n);

/*
 * Take the baseline of everything watched under path now (watch add): no
 * changes are reported for it afterwards; baseline entries under path
 * that no longer exist are dropped.
 */
int baseline_take(struct journal *j, const struct watch_list *w, const char *path);

/*
 * What "logbook watch add" and "watch rm" do after changing the list:
 * take the baseline of the files watched by after but not by before (a
 * new path, an exclusion removed), leaving the pending changes of files
 * both watch alone, and drop the entries of files after no longer
 * watches.  skipped (may be NULL) receives what could not be looked at;
 * *taken (may be NULL) the number of files taken.
 */
int baseline_rewatch(struct journal *j, const struct watch_list *before, const struct watch_list *after,
		     struct store_warnings *skipped, size_t *taken);

/* the number of files the baseline holds under path (path itself included); -1 and errget() when it cannot be read */
long baseline_count(struct journal *j, const char *path);

void changes_free(struct changes *c);

/* a path as messages show it, on one line: \n, \t, \\ and \xHH for control bytes and bytes that are not UTF-8 */
void baseline_show_path(struct buf *out, const char *path);

/* seconds a writer waits for another one's lock on the baseline */
extern unsigned baseline_lock_timeout;
/*
 * Threads of a scan: 0 (the default) for one per CPU and per 1000 files
 * of the baseline, at most 8, since most of a no-change scan is the
 * kernel's fstatat(); tests set it to compare walks.
 */
extern unsigned baseline_threads;

/*
 * For tests only: called with the path of a file the walk is about to
 * open (BASELINE_HOOK_OPEN) and, once opened and checked, about to read
 * (BASELINE_HOOK_READ, before every attempt), so a test can make it
 * vanish or change there.
 */
enum { BASELINE_HOOK_OPEN = 1, BASELINE_HOOK_READ = 2 };
extern void (*baseline_test_hook)(const char *path, int when);

#endif
