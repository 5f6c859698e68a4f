/*
 * page: a day page as an admin reads it, built once from the day's
 * records and rendered three ways: on the terminal (render_page,
 * render.h), in DokuWiki and in Markdown (markup_page_write, markup.h).
 *
 *   host                      in the order hosts first appear
 *     stretch of work         one admin, account and session, until a
 *                             signature closes it: its notes (why), its
 *                             commands as one history, its changes, its
 *                             signature
 *     messages                the host's events and mails, identical
 *                             ones folded into one with a count (a
 *                             failed unit's by unit and result, not by
 *                             its log lines), and its reboots
 *
 * Routine commands (the noise list: clear, ls, cd, ...) are counted
 * instead of listed; the journal keeps every one of them.  The page holds
 * the records' lines by reference (the caller keeps them alive) and their
 * indices, not parsed records, so a day of 100,000 records costs little
 * memory: renderers parse each record again with page_record.  This
 * module never reads files and never prints.
 */
#ifndef LOGBOOK_PAGE_H
#define LOGBOOK_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "journal/record.h"

/* the commands an admin does not want on the page, unless the team says otherwise ([show] noise) */
#define PAGE_NOISE_DEFAULT "clear ls ll la cd pwd history exit logout logbook"

struct threads;

struct page_list {
	size_t *v;	/* indices into page.lines */
	size_t n;
};

struct page_stretch {
	char *admin, *account, *session;
	int64_t first, last;	/* times of its first and last record */
	size_t opened, closed;	/* the session's "open" and "close" records, or SIZE_MAX: on its heading line */
	bool signed_;		/* a signature closed it: the session's next records start another */
	struct page_list notes, cmds, changes, signs, other;
	size_t noise;		/* routine commands not listed */
};

struct page_message {
	size_t line;		/* the first of the identical messages */
	size_t count;
	int64_t last;		/* time of the last one */
	char key[REC_HASH_LEN + 1];
};

struct page_host {
	char *name;
	struct page_stretch *stretches;
	size_t nstretches;
	struct page_message *messages;
	size_t nmessages;
	/* open addressing over messages, by key, for folding (size a power of two) */
	size_t *slots, nslots;
	/* the admins of the host in page.who so far (indices, before page_finish sorts it) */
	struct page_list who;
};

struct page_line {
	const char *data;
	size_t len;
	const char *path;
	size_t lineno;
};

/* who worked on a host on a day, for the export's index page */
struct page_who {
	char *host;
	char *admin;
};

struct page {
	char *day, *tz;
	size_t records;		/* records the page was built from */
	struct page_line *lines;
	size_t nlines;
	const struct record **parsed;	/* per line, the caller's parsed record (page_add_record), or NULL */
	struct page_host *hosts;
	size_t nhosts;
	char **noise;		/* words of the noise list */
	size_t nnoise;
	struct page_who *who;	/* every host and admin, sorted, each pair once after page_finish */
	size_t nwho;
	const struct threads *threads;	/* replies and acks to show under records (the caller's), or NULL */
};

/* noise: the words of [show] noise, NULL for PAGE_NOISE_DEFAULT, "" for none */
void page_init(struct page *pg, const char *day, const char *tz, const char *noise);
/* add one stored line (kept by reference); a line that does not parse is skipped */
void page_add(struct page *pg, const char *line, size_t len, const char *path, size_t lineno);
/* the same with line's record already parsed, which the caller keeps alive with the page: nothing is parsed again */
void page_add_record(struct page *pg, const struct record *rec, const char *line, size_t len, const char *path,
		     size_t lineno);
/* after the last page_add: sort who */
void page_finish(struct page *pg);
/* record i of the page, parsed again (or the kept one's copy); the caller frees it (rec_free); NULL if it no longer parses */
struct record *page_record(const struct page *pg, size_t i);
/* a command the noise list folds: its first word is listed, it is one simple command, and it succeeded */
bool page_is_noise(const struct page *pg, const char *cmd, size_t len, int64_t status);
/*
 * What a message is about, on one line: a mail's subject, else the first
 * line of its text that holds a letter or a digit (a security
 * announcement's body starts with a row of dashes).  Not escaped.
 */
void page_message_summary(const struct record *rec, struct buf *out);
/* up to max lines of a mail's body, each with a letter or a digit (no blank line, no row of dashes); returns how many more there are */
size_t page_mail_lines(const struct record *rec, size_t max, struct buf *out);
/*
 * A boot record on one line: "rebooted: down 03:12, up 03:14, 6.1.0-28-amd64;
 * previous boot ended uncleanly (no shutdown record)", or "shut down
 * (6.1.0-28-amd64)".  Not escaped.  False when rec is not a boot record.
 */
bool page_boot_line(const struct record *rec, struct buf *out);
/* a boot up record whose previous boot did not end cleanly */
bool page_boot_unclean(const struct record *rec);
/*
 * A package record on one line, "alice: apt-get install nginx: 3
 * installed, 1 upgraded" (dpkg alone: "dpkg: 1 removed"), and its
 * details, one line per change ("upgrade openssl:amd64 3.0.11-1 ->
 * 3.0.13-1"); an inventory record as "inventory (first): 523 packages"
 * without details.  Not escaped.  false when rec is neither kind.
 */
bool page_package_summary(const struct record *rec, struct buf *line, struct buf *details);
void page_release(struct page *pg);

#endif
