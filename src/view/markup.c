/*
 * markup: day pages in DokuWiki and Markdown syntax.
 *
 * Why the DokuWiki escaping is safe (checked in DokuWiki 2023-04-04 "Jack
 * Jackrum", Debian 12's package, /usr/share/dokuwiki/inc/Parsing/):
 *
 * - The lexer (Lexer/ParallelRegex.php) matches with the flags "msS":
 *   case-sensitive, "." matches newlines.  At each position the leftmost
 *   pattern of the current mode wins.
 * - <nowiki> (ParserMode/Unformatted.php) is entered on
 *   "<nowiki>(?=.*</nowiki>)" and left on the first "</nowiki>"; no other
 *   mode is allowed inside, and the renderer (parser/xhtml.php,
 *   unformatted()) writes the text through htmlspecialchars.  So a run of
 *   text that does not contain "</nowiki>" is shown literally when
 *   wrapped in <nowiki>...</nowiki>: no link, media, <html>, <php>,
 *   ~~NOCACHE~~, %%, smiley or entity is recognised in it, whatever the
 *   htmlok and phpok settings.  A text that contains "</nowiki>" is cut
 *   after "</nowiki" and each piece wrapped on its own.  Our closing tag
 *   cannot combine with the end of a piece into an earlier "</nowiki>":
 *   '<' occurs in "</nowiki>" only at its start.
 * - <code> and <file> (ParserMode/Code.php, File.php) are left on the
 *   first "</code>" or "</file>", case-sensitively, and allow no mode
 *   inside.  The handler (parser/handler.php, code()) takes the
 *   parameters up to the first '>' (ours, after the language) and the
 *   renderer (_highlight) drops one newline at each end, which we add.
 *   Without a language the text goes through htmlspecialchars; with one,
 *   through GeSHi, whose bash and diff definitions have no keyword URLs
 *   (/usr/share/php-geshi/geshi/{bash,diff}.php), so no link is made.  A
 *   text holding "</code>" goes in a <file> block; one holding both
 *   closing tags is cut after each "</code" into several <code> blocks.
 * - Headings (ParserMode/Header.php) are a whole line; the handler trims
 *   '=' and blanks at both ends and the renderer escapes the title: no
 *   markup is parsed in a heading.  The record-by-record headings
 *   (markup_record) start with a host name ([A-Za-z0-9._-]) and end with
 *   ')'; the day page's host headings (markup_page_write) are the host
 *   name with any other byte written as \xNN.  So the trim never reaches
 *   record text, and no newline gets in.
 * - Line-based syntax (lists, tables, quotes, preformatted, headings, hr)
 *   only starts at the beginning of a line, and every line we write
 *   starts with our own text; record text never contains a raw newline
 *   outside a code block.
 *
 * Markdown (CommonMark, as GitLab renders it): every ASCII punctuation
 * character of record text is backslash-escaped, which CommonMark defines
 * as the literal character (so no emphasis, link, autolink, HTML, entity,
 * table cell or GitLab reference starts in it); leading blanks of a line
 * are written as character references, which cannot indent; code goes in
 * a fence longer than any backtick run it contains.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/day.h"
#include "base/xalloc.h"
#include "journal/ref.h"
#include "view/markup.h"
#include "view/render.h"
#include "view/threads.h"
#include "base/banned.h"

static const char nowiki_close[] = "</nowiki>";

/* occurrences of needle (len n) in s, NULL when none */
static const char *find(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (const char *p = s; len >= n && (size_t)(p - s) <= len - n; p++) {
		p = memchr(p, needle[0], len - n - (size_t)(p - s) + 1);
		if (!p)
			return NULL;
		if (!memcmp(p, needle, n))
			return p;
	}
	return NULL;
}

void markup_dokuwiki_text(struct buf *out, const char *s, size_t len)
{
	struct buf e = BUF_INIT;
	const char *p, *end;

	render_escape(&e, s, len, false);
	p = buf_str(&e);
	end = p + e.len;
	while (p < end) {
		const char *close = find(p, (size_t)(end - p), nowiki_close);
		/* the piece ends just before the '>' of a "</nowiki>" in it */
		const char *stop = close ? close + sizeof nowiki_close - 2 : end;

		buf_adds(out, "<nowiki>");
		buf_add(out, p, (size_t)(stop - p));
		buf_adds(out, nowiki_close);
		p = stop;
	}
	buf_release(&e);
}

static void code_block(struct buf *out, const char *tag, const char *lang, const char *s, size_t len)
{
	buf_addf(out, "<%s%s%s>\n", tag, lang ? " " : "", lang ? lang : "");
	buf_add(out, s, len);
	buf_addf(out, "\n</%s>\n", tag);
}

void markup_dokuwiki_code(struct buf *out, const char *lang, const char *s, size_t len)
{
	struct buf e = BUF_INIT;
	const char *p, *end;

	render_escape(&e, s, len, true);
	p = buf_str(&e);
	end = p + e.len;
	if (!find(p, e.len, "</code>")) {
		code_block(out, "code", lang, p, e.len);
	} else if (!find(p, e.len, "</file>")) {
		code_block(out, "file", lang, p, e.len);
	} else {
		do {
			const char *close = find(p, (size_t)(end - p), "</code>");
			const char *stop = close ? close + 6 : end;
			code_block(out, "code", lang, p, (size_t)(stop - p));
			p = stop;
		} while (p < end);
	}
	buf_release(&e);
}

/* CommonMark's ASCII punctuation: a backslash before any of them makes it literal */
static bool md_punct(unsigned char c)
{
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

void markup_markdown_text(struct buf *out, const char *s, size_t len)
{
	struct buf e = BUF_INIT;
	size_t i = 0;

	render_escape(&e, s, len, false);
	/* leading blanks as references: text, never indentation (CommonMark 6.2) */
	for (; i < e.len && (e.data[i] == ' ' || e.data[i] == '\t'); i++)
		buf_adds(out, e.data[i] == ' ' ? "&#32;" : "&#9;");
	for (; i < e.len; i++) {
		if (md_punct((unsigned char)e.data[i]))
			buf_addc(out, '\\');
		buf_addc(out, e.data[i]);
	}
	buf_release(&e);
}

void markup_markdown_code(struct buf *out, const char *lang, const char *s, size_t len)
{
	struct buf e = BUF_INIT;
	size_t run = 0, longest = 0, fence;

	render_escape(&e, s, len, true);
	for (size_t i = 0; i < e.len; i++) {
		run = e.data[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	fence = longest >= 3 ? longest + 1 : 3;
	for (size_t i = 0; i < fence; i++)
		buf_addc(out, '`');
	buf_adds(out, lang ? lang : "");
	buf_addc(out, '\n');
	buf_add(out, e.data, e.len);
	if (!e.len || e.data[e.len - 1] != '\n')
		buf_addc(out, '\n');
	for (size_t i = 0; i < fence; i++)
		buf_addc(out, '`');
	buf_addc(out, '\n');
	buf_release(&e);
}

/* ASCII that stripspecials() (inc/Utf8/Clean.php, tables/specials.php) replaces: controls, blanks, punctuation but "_:.-", and '*' */
static bool dw_special(unsigned char c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x20 && c <= 0x2f && c != '-' && c != '.') ||
	       (c >= 0x3b && c <= 0x40) || (c >= 0x5b && c <= 0x60 && c != '_') || (c >= 0x7b && c <= 0x7e);
}

static bool dw_sep(char c)
{
	return c == ':' || c == '.' || c == '_' || c == '-';
}

/*
 * DokuWiki's cleanID (inc/pageutils.php) with the default settings
 * (sepchar "_", useslash off, deaccent on), step by step, for ASCII.
 */
char *markup_dokuwiki_clean_id(const char *raw)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	size_t len = strlen(raw), i, start, end;

	/* trim(): " \t\n\r\0\x0B" */
	while (len && strchr(" \t\n\r\v", raw[len - 1]))
		len--;
	while (len && strchr(" \t\n\r\v", *raw))
		raw++, len--;
	/* strtolower, strtr(';/', ':_'), stripspecials with '_', then '_+' -> '_' and ':+' -> ':' */
	for (i = 0; i < len; i++) {
		char c = raw[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == ';')
			c = ':';
		else if (c == '/' || dw_special((unsigned char)c))
			c = '_';
		if ((c == '_' || c == ':') && a.len && a.data[a.len - 1] == c)
			continue;
		buf_addc(&a, c);
	}
	/* trim($id, ':._-') */
	start = 0;
	end = a.len;
	while (start < end && dw_sep(a.data[start]))
		start++;
	while (end > start && dw_sep(a.data[end - 1]))
		end--;
	/* ':[:._-]+' -> ':' then '[:._-]+:' -> ':': a run of separators holding a ':' becomes one ':' */
	for (i = start; i < end;) {
		size_t k = i;
		bool colon = false;
		if (!dw_sep(a.data[i])) {
			buf_addc(&b, a.data[i++]);
			continue;
		}
		while (k < end && dw_sep(a.data[k]))
			colon |= a.data[k++] == ':';
		if (colon)
			buf_addc(&b, ':');
		else
			buf_add(&b, a.data + i, k - i);
		i = k;
	}
	buf_release(&a);
	buf_addc(&b, '\0');
	buf_truncate(&b, b.len - 1);
	return buf_detach(&b, NULL);
}

/* ---- pages ---- */

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static void set(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

static void text(struct markup_page *p, struct buf *out, const char *s, size_t len)
{
	if (p->format == MARKUP_DOKUWIKI)
		markup_dokuwiki_text(out, s, len);
	else
		markup_markdown_text(out, s, len);
}

static void texts(struct markup_page *p, struct buf *out, const char *s)
{
	text(p, out, s, strlen(s));
}

static void code(struct markup_page *p, struct buf *out, const char *lang, const char *s, size_t len)
{
	if (p->format == MARKUP_DOKUWIKI)
		markup_dokuwiki_code(out, lang, s, len);
	else
		markup_markdown_code(out, lang, s, len);
}

/* our own emphasis around our own words */
static void bold(struct markup_page *p, struct buf *out, const char *s)
{
	buf_addf(out, "**%s**", s);
	(void)p;
}

static void italic(struct markup_page *p, struct buf *out, const char *s)
{
	buf_addf(out, p->format == MARKUP_DOKUWIKI ? "//%s//" : "_%s_", s);
}

/* text over several lines, as one paragraph with forced line breaks */
static void lines(struct markup_page *p, struct buf *out, const char *s, size_t len)
{
	const char *end = s + len;

	while (end > s && end[-1] == '\n')
		end--;
	for (const char *line = s; line <= end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *stop = nl ? nl : end;

		if (line != s)
			buf_adds(out, p->format == MARKUP_DOKUWIKI ? "\\\\\n" : "\\\n");
		text(p, out, line, (size_t)(stop - line));
		if (!nl)
			break;
		line = nl + 1;
	}
}

void markup_day_header(struct markup_page *p, struct buf *out, const char *day, const char *tz, size_t records)
{
	char title[64];

	day_title(day, title, sizeof title);
	if (p->format == MARKUP_DOKUWIKI)
		buf_addf(out, "====== %s: %s ======\n\n", day, title);
	else
		buf_addf(out, "# %s: %s\n\n", day, title);
	italic(p, out, "Time zone");
	buf_adds(out, " ");
	texts(p, out, tz);
	buf_addf(out, ", %zu record%s.\n", records, records == 1 ? "" : "s");
}

static void heading(struct markup_page *p, struct buf *out, const struct record *rec)
{
	struct buf t = BUF_INIT;

	if (same(p->host, rec->host) && same(p->admin, rec->admin) && same(p->account, rec->account) &&
	    same(p->session, rec->session))
		return;
	/* "web1 (alice)" or "web1 (alice as root)": starts with the host, ends with ')' */
	buf_adds(out, "\n");
	if (p->format == MARKUP_DOKUWIKI) {
		render_escape(&t, rec->host, strlen(rec->host), false);
		buf_adds(&t, " (");
		render_escape(&t, rec->admin, strlen(rec->admin), false);
		if (strcmp(rec->admin, rec->account)) {
			buf_adds(&t, " as ");
			render_escape(&t, rec->account, strlen(rec->account), false);
		}
		buf_addc(&t, ')');
		buf_addf(out, "===== %s =====\n\n", t.data);
	} else {
		for (unsigned i = 0; i < p->depth; i++)
			buf_addc(out, '#');
		buf_adds(out, "## ");
		texts(p, out, rec->host);
		buf_adds(out, " \\(");
		texts(p, out, rec->admin);
		if (strcmp(rec->admin, rec->account)) {
			buf_adds(out, " as ");
			texts(p, out, rec->account);
		}
		buf_adds(out, "\\)\n\n");
	}
	if (*rec->session) {
		italic(p, out, "Session");
		buf_adds(out, " ");
		texts(p, out, rec->session);
		buf_adds(out, "\n");
	}
	buf_release(&t);
	set(&p->host, rec->host);
	set(&p->admin, rec->admin);
	set(&p->account, rec->account);
	set(&p->session, rec->session);
}

/* "**09:14:03** " at the start of a record's paragraph */
static void stamp(struct markup_page *p, struct buf *out, const struct record *rec)
{
	char clock[9];

	day_clock(rec->time, clock);
	buf_adds(out, "\n");
	bold(p, out, clock);
	buf_adds(out, " ");
}

static void cmd_record(struct markup_page *p, struct buf *out, const struct record *rec)
{
	struct buf v = BUF_INIT;
	int64_t status;

	buf_adds(out, "command");
	if (rec_get_int(rec, "exit", &status))
		buf_addf(out, ", exit %lld", (long long)status);
	if (rec_get_text(rec, "cwd", &v) == 0 && v.len) {
		buf_adds(out, ", in ");
		text(p, out, v.data, v.len);
	}
	buf_adds(out, ":\n");
	if (p->format == MARKUP_MARKDOWN)
		buf_adds(out, "\n");
	buf_reset(&v);
	rec_get_text(rec, "cmd", &v);
	code(p, out, "bash", buf_str(&v), v.len);
	buf_release(&v);
}

static void change_record(struct markup_page *p, struct buf *out, const struct record *rec)
{
	struct buf v = BUF_INIT;

	buf_adds(out, "changed ");
	if (rec_get_text(rec, "path", &v) == 0)
		text(p, out, buf_str(&v), v.len);
	buf_reset(&v);
	if (rec_get_text(rec, "summary", &v) == 0 && v.len) {
		buf_adds(out, ": ");
		text(p, out, v.data, v.len);
	}
	buf_reset(&v);
	if (rec_get_text(rec, "note", &v) == 0 && v.len) {
		buf_adds(out, " (");
		text(p, out, v.data, v.len);
		buf_adds(out, ")");
	}
	if (!strcmp(rec->admin, "unattributed"))
		buf_adds(out, ", found by a scan");
	buf_adds(out, "\n");
	buf_reset(&v);
	if (rec_get_text(rec, "diff", &v) == 0 && v.len) {
		if (p->format == MARKUP_MARKDOWN)
			buf_adds(out, "\n");
		code(p, out, "diff", v.data, v.len);
	}
	buf_release(&v);
}

static void event_record(struct markup_page *p, struct buf *out, const struct record *rec)
{
	const char *level = rec_get_str(rec, "level", NULL);
	json_t *mail = rec_get_json(rec, "mail");
	struct buf v = BUF_INIT;

	buf_adds(out, "event");
	if (level && (!strcmp(level, "info") || !strcmp(level, "warning") || !strcmp(level, "critical"))) {
		buf_adds(out, " ");
		bold(p, out, level);
	} else if (level) {
		buf_adds(out, " ");
		texts(p, out, level);
	}
	if (rec_get_text(rec, "source", &v) == 0 && v.len) {
		buf_adds(out, " from ");
		text(p, out, v.data, v.len);
	}
	if (json_is_object(mail)) {
		static const char *const fields[][2] = { { "from", "from" }, { "to", "to" }, { "subject", "subject" } };
		for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
			const char *s = json_string_value(json_object_get(mail, fields[i][0]));
			if (s) {
				buf_addf(out, p->format == MARKUP_DOKUWIKI ? "\\\\\n%s: " : "\\\n%s: ", fields[i][1]);
				texts(p, out, s);
			}
		}
	}
	buf_reset(&v);
	if (rec_get_text(rec, "text", &v) == 0 && v.len) {
		if (memchr(v.data, '\n', v.len)) {
			buf_adds(out, "\n");
			if (p->format == MARKUP_MARKDOWN)
				buf_adds(out, "\n");
			code(p, out, NULL, v.data, v.len);
		} else {
			buf_adds(out, ": ");
			text(p, out, v.data, v.len);
			buf_adds(out, "\n");
		}
	} else {
		buf_adds(out, "\n");
	}
	buf_release(&v);
}

/* "Signed by alice (SHA256:...)" */
static void signed_by(struct markup_page *p, struct buf *out, const struct record *rec)
{
	const char *key = rec_get_str(rec, "key", NULL);

	italic(p, out, "Signed by");
	buf_adds(out, " ");
	texts(p, out, rec->admin);
	if (key) {
		buf_adds(out, " (");
		texts(p, out, key);
		buf_adds(out, ")");
	}
}

static void sign_record(struct markup_page *p, struct buf *out, const struct record *rec)
{
	int64_t covers = 0;

	signed_by(p, out, rec);
	if (rec_get_int(rec, "covers", &covers))
		buf_addf(out, " (%s up to record %lld)", rec->host, (long long)covers);
	buf_adds(out, "\n");
}

/* "shell opened: bash on /dev/pts/1 from 192.0.2.7", "shell closed: 12 commands" */
static void session_words(struct markup_page *p, struct buf *out, const struct record *rec)
{
	const char *event = rec_get_str(rec, "event", NULL);
	const char *how = rec_get_str(rec, "how", NULL);
	struct buf v = BUF_INIT;
	int64_t n;

	if (event && !strcmp(event, "open")) {
		buf_adds(out, "shell opened");
		if (rec_get_text(rec, "shell", &v) == 0 && v.len) {
			buf_adds(out, ": ");
			text(p, out, v.data, v.len);
		}
		buf_reset(&v);
		if (rec_get_text(rec, "tty", &v) == 0 && v.len) {
			buf_adds(out, " on ");
			text(p, out, v.data, v.len);
		}
		buf_reset(&v);
		if (rec_get_text(rec, "ssh", &v) == 0 && v.len) {
			buf_adds(out, " from ");
			text(p, out, v.data, v.len);
		}
	} else if (event && !strcmp(event, "close")) {
		buf_adds(out, "shell closed");
		if (rec_get_int(rec, "commands", &n))
			buf_addf(out, ": %lld command%s", (long long)n, n == 1 ? "" : "s");
		if (how && !strcmp(how, "lost"))
			buf_adds(out, " (the shell ended without its exit hook)");
	} else {
		buf_adds(out, "session ");
		if (event)
			texts(p, out, event);
	}
	buf_release(&v);
}

static void session_record(struct markup_page *p, struct buf *out, const struct record *rec)
{
	session_words(p, out, rec);
	buf_adds(out, "\n");
}

/* the field that says what a record of a kind this version does not know is about */
static const char *summary_field(const struct record *rec)
{
	static const char *const keys[] = { "text", "message", "subject", "path", "cmd", "summary", "ref" };

	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		if (rec_get_str(rec, keys[i], NULL))
			return keys[i];
	return NULL;
}

/* a note, or a record of a kind this version does not know, by its summary */
static void other_record(struct markup_page *p, struct buf *out, const struct record *rec)
{
	struct buf v = BUF_INIT;
	const char *key = !strcmp(rec->kind, "note") ? "text" : summary_field(rec);
	int64_t n = 0, f = 0;

	if (strcmp(rec->kind, "note")) {
		texts(p, out, rec->kind);
		buf_adds(out, ": ");
	}
	if (key && rec_get_text(rec, key, &v) == 0)
		lines(p, out, buf_str(&v), v.len);
	if (!strcmp(rec->kind, "note") && ((int)rec_get_int(rec, "commands", &n) | (int)rec_get_int(rec, "files", &f))) {
		buf_adds(out, " (entry for ");
		if (n > 0)
			buf_addf(out, "%lld command%s%s", (long long)n, n == 1 ? "" : "s", f > 0 ? ", " : "");
		if (f > 0)
			buf_addf(out, "%lld file%s", (long long)f, f == 1 ? "" : "s");
		buf_adds(out, ")");
	}
	buf_adds(out, "\n");
	buf_release(&v);
}

/* "packages: alice: apt-get install nginx: 1 installed", the packages as a block under it */
static void package_record(struct markup_page *p, struct buf *out, const struct record *rec)
{
	struct buf line = BUF_INIT, details = BUF_INIT;

	page_package_summary(rec, &line, &details);
	buf_adds(out, "packages: ");
	text(p, out, line.data ? line.data : "", line.len);
	buf_adds(out, "\n");
	if (details.len) {
		if (p->format == MARKUP_MARKDOWN)
			buf_adds(out, "\n");
		code(p, out, NULL, details.data, details.len);
	}
	buf_release(&line);
	buf_release(&details);
}

void markup_record(struct markup_page *p, struct buf *out, const struct record *rec)
{
	heading(p, out, rec);
	stamp(p, out, rec);
	if (!strcmp(rec->kind, "cmd")) {
		cmd_record(p, out, rec);
	} else if (!strcmp(rec->kind, "change")) {
		change_record(p, out, rec);
	} else if (!strcmp(rec->kind, "event")) {
		event_record(p, out, rec);
	} else if (!strcmp(rec->kind, "sign")) {
		sign_record(p, out, rec);
	} else if (!strcmp(rec->kind, "session")) {
		session_record(p, out, rec);
	} else if (!strcmp(rec->kind, "package") || !strcmp(rec->kind, "inventory")) {
		package_record(p, out, rec);
	} else {
		other_record(p, out, rec);
	}
}

void markup_release(struct markup_page *p)
{
	free(p->host);
	free(p->admin);
	free(p->account);
	free(p->session);
	memset(p, 0, sizeof *p);
}

/* ---- the page ---- */

static void para_break(struct markup_page *p, struct buf *out)
{
	(void)p;
	buf_adds(out, "\n");
}

/* "**09:14-09:40** alice as root, //session// s, shell opened: bash on /dev/pts/1, shell closed: 3 commands" */
static void stretch_line(struct markup_page *p, struct buf *out, const struct page *pg, const struct page_stretch *s)
{
	char a[9], b[9];
	struct record *open = s->opened != SIZE_MAX ? page_record(pg, s->opened) : NULL;
	struct record *close = s->closed != SIZE_MAX ? page_record(pg, s->closed) : NULL;

	day_clock(s->first, a);
	day_clock(s->last, b);
	a[5] = b[5] = '\0';
	buf_adds(out, "\n");
	if (strcmp(a, b)) {
		char both[20];
		snprintf(both, sizeof both, "%s-%s", a, b);
		bold(p, out, both);
	} else {
		bold(p, out, a);
	}
	buf_adds(out, " ");
	texts(p, out, s->admin);
	if (strcmp(s->admin, s->account)) {
		buf_adds(out, " as ");
		texts(p, out, s->account);
	}
	if (*s->session) {
		buf_adds(out, ", ");
		italic(p, out, "session");
		buf_adds(out, " ");
		texts(p, out, s->session);
	}
	if (open) {
		buf_adds(out, ", ");
		session_words(p, out, open);
	}
	if (close) {
		buf_adds(out, ", ");
		session_words(p, out, close);
	}
	buf_adds(out, "\n");
	rec_free(open);
	rec_free(close);
}

/*
 * The commands as one history: "$ cmd", and "  # exit 1, in /etc" after a
 * command that failed or ran in another directory than the one before.
 * The whole block goes through the code escaper: a command's text cannot
 * end the block.
 */
/* the record's reference, what it answers and who took it, then its replies (threads.h): paragraphs of their own */
static void thread_paras(struct markup_page *p, struct buf *out, const struct page *pg, const struct record *rec,
			 bool only_threads)
{
	const char *em = p->format == MARKUP_DOKUWIKI ? "//" : "_";
	const char *reply = !strcmp(rec->kind, "note") ? rec_get_str(rec, "reply", NULL) : NULL;
	const struct thread_ack *ack = NULL;
	char ref[REF_MAX + 1], day[DAY_LEN + 1], when[DAY_LEN + 1], clock[9];
	size_t *v = NULL, n = 0;

	if (rec->seq < 1)
		return;
	ref_format(rec->host, rec->seq, ref);
	if (pg->threads) {
		ack = threads_ack_of(pg->threads, ref);
		n = threads_replies_to(pg->threads, ref, &v);
	}
	if (only_threads && !ack && !n)
		return;
	buf_adds(out, "\n");
	buf_adds(out, em);
	texts(p, out, ref);
	if (reply) {
		buf_adds(out, ", in reply to ");
		texts(p, out, reply);
	}
	if (ack) {
		buf_adds(out, ", taken by ");
		texts(p, out, ack->admin);
	}
	buf_adds(out, em);
	buf_adds(out, "\n");
	day_of(rec->time, day);
	for (size_t i = 0; i < n; i++) {
		const struct thread_reply *rp = &pg->threads->replies[v[i]];
		day_of(rp->time, when);
		day_clock(rp->time, clock);
		buf_adds(out, "\n");
		buf_adds(out, em);
		buf_adds(out, "reply by ");
		texts(p, out, rp->admin);
		buf_addf(out, ", %s%s%s (", strcmp(when, day) ? when : "", strcmp(when, day) ? " " : "", clock);
		texts(p, out, rp->ref);
		buf_adds(out, "):");
		buf_adds(out, em);
		buf_adds(out, " ");
		lines(p, out, rp->text ? rp->text : "", rp->text ? strlen(rp->text) : 0);
		buf_adds(out, "\n");
	}
	free(v);
}

static void history(struct markup_page *p, struct buf *out, const struct page *pg, const struct page_list *cmds)
{
	struct buf block = BUF_INIT, cwd = BUF_INIT, dir = BUF_INIT, c = BUF_INIT;

	for (size_t i = 0; i < cmds->n; i++) {
		struct record *rec = page_record(pg, cmds->v[i]);
		int64_t status = 0;
		bool failed, moved;

		if (!rec)
			continue;
		buf_reset(&c);
		buf_reset(&dir);
		rec_get_text(rec, "cmd", &c);
		failed = rec_get_int(rec, "exit", &status) && status != 0;
		moved = rec_get_text(rec, "cwd", &dir) == 0 && dir.len &&
			(dir.len != cwd.len || memcmp(dir.data, cwd.data, dir.len));
		buf_adds(&block, "$ ");
		buf_add(&block, c.data ? c.data : "", c.len);
		if (failed || moved) {
			buf_adds(&block, memchr(c.data ? c.data : "", '\n', c.len) ? "\n#" : "  #");
			if (failed)
				buf_addf(&block, " exit %lld%s", (long long)status, moved ? "," : "");
			if (moved) {
				buf_adds(&block, " in ");
				buf_add(&block, dir.data, dir.len);
				buf_reset(&cwd);
				buf_add(&cwd, dir.data, dir.len);
			}
		}
		buf_addc(&block, '\n');
		rec_free(rec);
	}
	if (block.len) {
		buf_truncate(&block, block.len - 1);
		para_break(p, out);
		code(p, out, "bash", block.data, block.len);
	}
	/* the replies to a command, after the history: the reference says which */
	for (size_t i = 0; pg->threads && i < cmds->n; i++) {
		struct record *rec = page_record(pg, cmds->v[i]);
		if (rec)
			thread_paras(p, out, pg, rec, true);
		rec_free(rec);
	}
	buf_release(&block);
	buf_release(&cwd);
	buf_release(&dir);
	buf_release(&c);
}

#define MAIL_LINES 5

static void page_message(struct markup_page *p, struct buf *out, const struct page_message *m, const struct record *rec)
{
	const char *level = rec_get_str(rec, "level", NULL);
	json_t *mail = rec_get_json(rec, "mail");
	const char *from = json_string_value(json_object_get(mail, "from"));
	struct buf v = BUF_INIT;
	char clock[9];

	day_clock(rec->time, clock);
	buf_adds(out, "\n");
	bold(p, out, clock);
	buf_adds(out, " ");
	if (page_boot_line(rec, &v)) {
		text(p, out, v.data, v.len);
		buf_adds(out, "\n");
		buf_release(&v);
		return;
	}
	if (level && (!strcmp(level, "info") || !strcmp(level, "warning") || !strcmp(level, "critical")))
		italic(p, out, level);
	else if (level)
		texts(p, out, level);
	if (rec_get_text(rec, "source", &v) == 0 && v.len) {
		buf_adds(out, " from ");
		text(p, out, v.data, v.len);
	}
	if (from) {
		buf_adds(out, " (");
		texts(p, out, from);
		buf_adds(out, ")");
	}
	buf_adds(out, ": ");
	buf_reset(&v);
	if (json_is_object(mail)) {
		const char *subject = json_string_value(json_object_get(mail, "subject"));
		texts(p, out, subject && *subject ? subject : "(no subject)");
	} else {
		page_message_summary(rec, &v);
		text(p, out, v.data ? v.data : "", v.len);
	}
	if (m->count > 1) {
		char last[9];
		day_clock(m->last, last);
		buf_addf(out, " (%zu times, last at %s)", m->count, last);
	}
	buf_adds(out, "\n");
	buf_reset(&v);
	if (json_is_object(mail)) {
		size_t more = page_mail_lines(rec, MAIL_LINES, &v);
		if (v.len) {
			if (more)
				buf_addf(&v, "(%zu more line%s)\n", more, more == 1 ? "" : "s");
			buf_truncate(&v, v.len - 1);
			para_break(p, out);
			code(p, out, NULL, v.data, v.len);
		}
	} else if (rec_get_text(rec, "text", &v) == 0 && memchr(v.data ? v.data : "", '\n', v.len)) {
		para_break(p, out);
		code(p, out, NULL, v.data, v.len);
	}
	buf_release(&v);
}

void markup_page_write(enum markup_format format, struct buf *out, const struct page *pg)
{
	struct markup_page p = { .format = format };

	markup_day_header(&p, out, pg->day, pg->tz, pg->records);
	for (size_t h = 0; h < pg->nhosts; h++) {
		const struct page_host *host = &pg->hosts[h];

		buf_adds(out, "\n");
		if (format == MARKUP_DOKUWIKI) {
			/* store.c names host files [A-Za-z0-9._-]; anything else as \xNN, so the trim never reaches it */
			buf_adds(out, "===== ");
			for (const char *c = host->name; *c; c++) {
				if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *c))
					buf_addc(out, *c);
				else
					buf_addf(out, "\\x%02x", (unsigned char)*c);
			}
			buf_adds(out, " =====\n");
		} else {
			buf_adds(out, "## ");
			texts(&p, out, host->name);
			buf_adds(out, "\n");
		}
		for (size_t k = 0; k < host->nstretches; k++) {
			const struct page_stretch *s = &host->stretches[k];
			const struct page_list *parts[] = { &s->notes, &s->changes, &s->other, &s->signs };

			stretch_line(&p, out, pg, s);
			for (size_t i = 0; i < s->notes.n; i++) {
				struct record *rec = page_record(pg, s->notes.v[i]);
				struct buf v = BUF_INIT;
				if (!rec)
					continue;
				buf_adds(out, "\n");
				if (rec_get_text(rec, "text", &v) == 0)
					lines(&p, out, buf_str(&v), v.len);
				buf_adds(out, "\n");
				thread_paras(&p, out, pg, rec, false);
				buf_release(&v);
				rec_free(rec);
			}
			history(&p, out, pg, &s->cmds);
			if (s->noise) {
				buf_adds(out, "\n");
				buf_addf(out, p.format == MARKUP_DOKUWIKI ? "//%zu routine command%s not shown//\n"
									: "_%zu routine command%s not shown_\n",
					 s->noise, s->noise == 1 ? "" : "s");
			}
			for (size_t q = 1; q < sizeof parts / sizeof *parts; q++) {
				for (size_t i = 0; i < parts[q]->n; i++) {
					struct record *rec = page_record(pg, parts[q]->v[i]);
					if (!rec)
						continue;
					if (parts[q] == &s->signs) {
						buf_adds(out, "\n");
						signed_by(&p, out, rec);
						buf_adds(out, "\n");
					} else if (parts[q] == &s->changes) {
						buf_adds(out, "\n");
						change_record(&p, out, rec);
						thread_paras(&p, out, pg, rec, false);
					} else {
						stamp(&p, out, rec);
						if (!strcmp(rec->kind, "session")) {
							session_record(&p, out, rec);
						} else if (!strcmp(rec->kind, "package") || !strcmp(rec->kind, "inventory")) {
							package_record(&p, out, rec);
							thread_paras(&p, out, pg, rec, false);
						} else {
							other_record(&p, out, rec);
							thread_paras(&p, out, pg, rec, false);
						}
					}
					rec_free(rec);
				}
			}
		}
		if (host->nmessages) {
			buf_adds(out, "\n");
			bold(&p, out, "Messages");
			buf_adds(out, "\n");
		}
		for (size_t m = 0; m < host->nmessages; m++) {
			struct record *rec = page_record(pg, host->messages[m].line);
			if (rec)
				page_message(&p, out, &host->messages[m], rec);
			if (rec && !strcmp(rec->kind, "event"))
				thread_paras(&p, out, pg, rec, false);
			rec_free(rec);
		}
	}
	markup_release(&p);
}
