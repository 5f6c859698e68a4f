/*
 * history: bash and zsh history files (see history.h).  Written by hand
 * because no library reads them; both formats are line-based and every
 * byte sequence is a valid history, so the parsers only decide where a
 * command starts and ends.  Fuzzed by tests/fuzz/fuzz-history.c.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "capture/history.h"
#include "base/banned.h"

/* zsh's Meta byte: the next byte is the real one xor 32 */
#define ZSH_META 0x83

static void add(struct history *h, struct buf *text, int64_t start, int64_t end, size_t line)
{
	struct history_entry *e;

	/* a trailing newline is the line's end, not the command's */
	while (text->len > 0 && text->data[text->len - 1] == '\n')
		buf_truncate(text, text->len - 1);
	if (text->len == 0) {
		buf_reset(text);
		return;
	}
	h->e = xreallocarray(h->e, h->n + 1, sizeof *h->e);
	e = &h->e[h->n++];
	e->text = buf_detach(text, &e->len);
	e->start = start;
	e->end = end;
	e->line = line;
}

/* "#<digits>": the epoch seconds bash writes before a command */
static bool bash_stamp(const char *s, size_t n, int64_t *us)
{
	int64_t v = 0;

	if (n < 2 || n > 12 || s[0] != '#')
		return false;
	for (size_t i = 1; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*us = v * 1000000;
	return true;
}

void history_parse_bash(const char *data, size_t len, struct history *out)
{
	struct buf text = BUF_INIT;
	const char *p = data, *end = data + len;
	bool stamped = false;	/* a command since the last stamp runs to the next one */
	int64_t start = -1, t;
	size_t lineno = 0, first = 0;

	memset(out, 0, sizeof *out);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		lineno++;
		if (bash_stamp(p, n, &t)) {
			add(out, &text, start, -1, first);
			start = t;
			stamped = true;
			first = lineno + 1;
		} else {
			if (!stamped) {
				add(out, &text, -1, -1, first);
				first = lineno;
			}
			if (text.len > 0)
				buf_addc(&text, '\n');
			buf_add(&text, p, n);
		}
		p = nl ? nl + 1 : end;
	}
	add(out, &text, stamped ? start : -1, -1, first);
	buf_release(&text);
}

/* a decimal of 1 to 12 digits at s[*i], moving *i past it */
static bool number(const char *s, size_t n, size_t *i, int64_t *v)
{
	size_t start = *i;

	*v = 0;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9' && *i - start < 12)
		*v = *v * 10 + (s[(*i)++] - '0');
	return *i > start;
}

/* ": <start>:<elapsed>;" at the start of a zsh extended history line */
static size_t zsh_stamp(const char *s, size_t n, int64_t *start, int64_t *elapsed)
{
	size_t i = 2;
	int64_t a, b;

	if (n < 6 || s[0] != ':' || s[1] != ' ')
		return 0;
	if (!number(s, n, &i, &a) || i >= n || s[i] != ':')
		return 0;
	i++;
	if (!number(s, n, &i, &b) || i >= n || s[i] != ';')
		return 0;
	*start = a * 1000000;
	*elapsed = b * 1000000;
	return i + 1;
}

static void unmetafy_add(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] == ZSH_META && i + 1 < n) {
			buf_addc(b, (char)(s[i + 1] ^ 32));
			i++;
		} else {
			buf_addc(b, s[i]);
		}
	}
}

void history_parse_zsh(const char *data, size_t len, struct history *out)
{
	struct buf text = BUF_INIT;
	const char *p = data, *end = data + len;
	size_t lineno = 0;

	memset(out, 0, sizeof *out);
	while (p < end) {
		int64_t start = -1, elapsed = 0;
		size_t first = lineno + 1;
		bool more = true;

		/* one command: a line, and the next ones while a line ends in a backslash */
		while (more && p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			size_t skip = 0;

			lineno++;
			if (lineno == first)
				skip = zsh_stamp(p, n, &start, &elapsed);
			more = nl && n > skip && p[n - 1] == '\\';
			unmetafy_add(&text, p + skip, more ? n - skip - 1 : n - skip);
			if (more)
				buf_addc(&text, '\n');
			p = nl ? nl + 1 : end;
		}
		add(out, &text, start, start >= 0 ? start + elapsed : -1, first);
	}
	buf_release(&text);
}

void history_free(struct history *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->e[i].text);
	free(h->e);
	memset(h, 0, sizeof *h);
}
