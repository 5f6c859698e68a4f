/*
 * A model of the part of DokuWiki's lexer that logbook's escaping relies
 * on (inc/Parsing/ParserMode/{Unformatted,Code,File,Header}.php, the
 * renderer's _highlight), for tests/unit/test-markup.c and
 * tests/fuzz/fuzz-markup.c:
 *
 * - "<nowiki>" enters unformatted text when a "</nowiki>" follows; the
 *   text runs to the first "</nowiki>";
 * - "<code" or "<file" followed by a non-word character enters a block
 *   when its closing tag follows; the block runs to the first closing tag;
 *   its parameters run to the first '>', and one newline at each end of
 *   the rest is dropped;
 * - a heading is "={2,}[^\n]+={2,}[ \t]*" up to a newline, not parsed
 *   (the model takes it only at the start of a line).
 *
 * Everything else in base mode is wiki text, where the tokens of links,
 * media, raw HTML and PHP, macros, unformatted text and footnotes are
 * markup.  Static functions: include this in one file.
 */
#ifndef LOGBOOK_DOKUWIKI_MODEL_H
#define LOGBOOK_DOKUWIKI_MODEL_H

#include <stdbool.h>
#include <string.h>

#include "base/buf.h"

static const char *dwm_find(const char *s, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (const char *p = s; p + n <= end; p++)
		if (!memcmp(p, needle, n))
			return p;
	return NULL;
}

static bool dwm_starts(const char *p, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - p) >= n && !memcmp(p, prefix, n);
}

static bool dwm_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* at p a <code or <file block that DokuWiki enters: its end (after the closing tag) and its text */
static const char *dwm_block(const char *p, const char *end, struct buf *text, struct buf *params)
{
	const char *tag = dwm_starts(p, end, "<code") ? "</code>" : dwm_starts(p, end, "<file") ? "</file>" : NULL;
	const char *body, *close, *gt;

	if (!tag || p + 5 >= end || dwm_word(p[5]))
		return NULL;
	body = p + 5;
	if (!(close = dwm_find(body, end, tag)))
		return NULL;
	gt = memchr(body, '>', (size_t)(close - body));
	if (params)
		buf_add(params, body, gt ? (size_t)(gt - body) : (size_t)(close - body));
	if (text && gt) {
		const char *a = gt + 1, *b = close;
		if (a < b && *a == '\n')
			a++;
		if (b > a && b[-1] == '\n')
			b--;
		buf_add(text, a, (size_t)(b - a));
	}
	return close + strlen(tag);
}

/* s is nothing but <nowiki> runs: true, and their text appended to literal */
static bool dwm_only_nowiki(const char *s, size_t len, struct buf *literal)
{
	const char *p = s, *end = s + len;

	while (p < end) {
		const char *close;
		if (!dwm_starts(p, end, "<nowiki>") || !(close = dwm_find(p + 8, end, "</nowiki>")))
			return false;
		buf_add(literal, p + 8, (size_t)(close - p - 8));
		p = close + 9;
	}
	return true;
}

/* s is nothing but code or file blocks each followed by a newline, with parameters " LANG" or none */
static bool dwm_only_blocks(const char *s, size_t len, const char *lang, struct buf *literal)
{
	const char *p = s, *end = s + len;

	while (p < end) {
		struct buf params = BUF_INIT;
		const char *next = dwm_block(p, end, literal, &params);
		bool ok = next && next < end && *next == '\n' &&
			  (lang ? params.len == strlen(lang) + 1 && params.data[0] == ' ' && !memcmp(params.data + 1, lang, strlen(lang))
				: params.len == 0);
		buf_release(&params);
		if (!ok)
			return false;
		p = next + 1;
	}
	return true;
}

/* a heading at p (DokuWiki's pattern, up to the newline): its end, or NULL */
static const char *dwm_heading(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p)), *q = p, *t;

	if (!nl)
		return NULL;
	if (q + 1 >= nl || q[0] != '=' || q[1] != '=')
		return NULL;
	t = nl;
	while (t > q && (t[-1] == ' ' || t[-1] == '\t'))
		t--;
	if (t - q < 5 || t[-1] != '=' || t[-2] != '=')
		return NULL;
	return nl;
}

/*
 * The first markup token in base mode of a page (outside <nowiki>, code
 * and file blocks and headings), or NULL when there is none.  A block
 * whose parameters are not exactly " bash", " diff" or nothing counts as
 * markup too.
 */
static const char *dwm_leak(const char *s, size_t len)
{
	static const char *const tokens[] = {
		"[[", "{{", "<html>", "<HTML>", "<php>", "<PHP>", "~~", "%%", "((", "<nowiki>", "</nowiki>",
		"<code", "<file", "</code>", "</file>",
	};
	const char *p = s, *end = s + len;

	while (p < end) {
		const char *next;
		/* only at the start of a line: stricter than DokuWiki, which would take a heading anywhere */
		if ((p == s || p[-1] == '\n') && (next = dwm_heading(p, end))) {
			p = next;
			continue;
		}
		if (dwm_starts(p, end, "<nowiki>") && (next = dwm_find(p + 8, end, "</nowiki>"))) {
			p = next + 9;
			continue;
		}
		{
			struct buf params = BUF_INIT;
			next = dwm_block(p, end, NULL, &params);
			if (next) {
				bool ok = (params.len == 0 || (params.len == 5 && (!memcmp(params.data, " bash", 5) ||
										  !memcmp(params.data, " diff", 5))));
				buf_release(&params);
				if (!ok)
					return p;
				p = next;
				continue;
			}
			buf_release(&params);
		}
		for (size_t i = 0; i < sizeof tokens / sizeof *tokens; i++)
			if (dwm_starts(p, end, tokens[i]))
				return p;
		p++;
	}
	return NULL;
}

#endif
