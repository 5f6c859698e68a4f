/*
 * markup: a day page as wiki text, for DokuWiki (logbook export, show
 * --format dokuwiki) and for Markdown (show --format markdown, to paste
 * into a GitLab issue or a post-mortem).
 *
 * The invariant of this module: nothing that comes from a record can
 * become markup.  Record text reaches the output only through the
 * escapers below, which first pass it through render_escape (so control
 * characters, bidi overrides and bytes that are not UTF-8 are shown as
 * \e, \xNN, \uNNNN, as on the terminal) and then quote it in a way the
 * wiki's parser is known to take literally; markup.c says why each way
 * is safe.  Every line of output starts with text of this module, never
 * with record text.  This module formats; it never reads files.
 */
#ifndef LOGBOOK_MARKUP_H
#define LOGBOOK_MARKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "journal/record.h"
#include "view/page.h"

enum markup_format { MARKUP_DOKUWIKI, MARKUP_MARKDOWN };

/*
 * One line of record text (any bytes; a newline is shown as \n) as
 * DokuWiki text that renders as exactly those characters: one or more
 * <nowiki>...</nowiki> runs.  Nothing is added for an empty text.
 */
void markup_dokuwiki_text(struct buf *out, const char *s, size_t len);
/*
 * Any bytes as a DokuWiki code block in language lang (NULL: none, no
 * highlighting): "<code lang>\n...\n</code>\n", a <file> block when the
 * text holds "</code>", and several blocks only when it holds both.
 */
void markup_dokuwiki_code(struct buf *out, const char *lang, const char *s, size_t len);
/* one line of record text as Markdown (CommonMark, GitLab) text: every ASCII punctuation character backslash-escaped */
void markup_markdown_text(struct buf *out, const char *s, size_t len);
/* any bytes as a fenced code block whose fence is longer than any run of backticks in them */
void markup_markdown_code(struct buf *out, const char *lang, const char *s, size_t len);
/* a DokuWiki page or namespace name as DokuWiki's cleanID() makes it (ASCII input); allocated */
char *markup_dokuwiki_clean_id(const char *raw);

struct markup_page {
	enum markup_format format;
	unsigned depth;		/* Markdown: levels below a day page's, for a heading of who ("## " + depth '#') */
	/* the heading written last, to write one only when it changes */
	char *host, *admin, *account, *session;
};

void markup_day_header(struct markup_page *p, struct buf *out, const char *day, const char *tz, size_t records);
void markup_record(struct markup_page *p, struct buf *out, const struct record *rec);
void markup_release(struct markup_page *p);
/*
 * The whole day page (page.h), header included: a section per host (one
 * entry each in the wiki's table of contents); under it, each stretch of
 * work as a line naming the admin, then the notes, the commands as one
 * code block that reads like a shell history (exit status and directory
 * as comments, where they fail or change), the routine commands counted,
 * the diffs, "Signed by"; then the host's messages.
 */
void markup_page_write(enum markup_format format, struct buf *out, const struct page *pg);

#endif
