/*
 * conf: a parser for the subset of git's config syntax that team.conf
 * uses.  Hand-written because the alternative is spawning "git config"
 * for every command (a millisecond each, on the note path) and because
 * the grammar is small; tests/fuzz/fuzz-conf.c fuzzes it.
 *
 * The parser works on a copy of the input and never reads past len; a NUL
 * byte or invalid UTF-8 anywhere is an error with its line.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "base/banned.h"

struct parser {
	const char *path;
	const char *p;
	const char *end;
	int line;
	char *section;
	char *subsection;
};

static int fail(struct parser *ps, const char *why)
{
	errset("%s:%d: %s", ps->path, ps->line, why);
	return -1;
}

static bool at_end(struct parser *ps)
{
	return ps->p >= ps->end;
}

static void skip_blanks(struct parser *ps)
{
	while (!at_end(ps) && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r'))
		ps->p++;
}

static void skip_line(struct parser *ps)
{
	while (!at_end(ps) && *ps->p != '\n')
		ps->p++;
}

static bool is_name_char(char c, bool section)
{
	return isalnum((unsigned char)c) || c == '-' || (section && c == '.');
}

static char *lower_copy(const char *s, size_t n)
{
	char *r = xstrndup(s, n);
	for (size_t i = 0; i < n; i++)
		r[i] = (char)tolower((unsigned char)r[i]);
	return r;
}

static int parse_header(struct parser *ps)
{
	const char *start;
	struct buf sub = BUF_INIT;
	bool has_sub = false;

	ps->p++;		/* '[' */
	start = ps->p;
	while (!at_end(ps) && is_name_char(*ps->p, true))
		ps->p++;
	if (ps->p == start)
		return fail(ps, "bad section header: missing name");
	free(ps->section);
	free(ps->subsection);
	ps->section = lower_copy(start, (size_t)(ps->p - start));
	ps->subsection = NULL;
	/* git's forms only, which have blanks nowhere but before the subsection */
	if (!at_end(ps) && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r')) {
		skip_blanks(ps);
		if (at_end(ps) || *ps->p != '"')
			return fail(ps, "bad section header: expected a quoted subsection name after the blank");
		has_sub = true;
		ps->p++;
		for (;;) {
			if (at_end(ps) || *ps->p == '\n') {
				buf_release(&sub);
				return fail(ps, "bad section header: unterminated subsection name");
			}
			if (*ps->p == '"')
				break;
			if (*ps->p == '\\') {
				ps->p++;
				if (at_end(ps) || *ps->p == '\n') {
					buf_release(&sub);
					return fail(ps, "bad section header: unterminated subsection name");
				}
			}
			buf_addc(&sub, *ps->p++);
		}
		ps->p++;	/* closing quote */
	}
	if (at_end(ps) || *ps->p != ']') {
		buf_release(&sub);
		return fail(ps, "bad section header: expected ']'");
	}
	ps->p++;
	if (has_sub)
		ps->subsection = buf_detach(&sub, NULL);
	return 0;
}

/*
 * The value after '=': quotes, escapes, comments, continuation lines.
 * Blanks are read the way git's parse_value reads them, so that both see
 * the same value: outside quotes each blank (space, tab, CR) stands for
 * one space, and only once something follows it in the value; blanks at
 * its start, also after a continuation line or an empty "", and at its
 * end are dropped.
 */
static int parse_value(struct parser *ps, struct buf *val)
{
	bool quoted = false;
	size_t spaces = 0;	/* unquoted blanks not yet known to be inside the value */

	while (!at_end(ps)) {
		char c = *ps->p;

		if (c == '\n') {
			if (quoted)
				return fail(ps, "unterminated quoted value");
			break;
		}
		if (!quoted && (c == ' ' || c == '\t' || c == '\r')) {
			ps->p++;
			if (val->len)
				spaces++;
			continue;
		}
		if (!quoted && (c == '#' || c == ';')) {
			skip_line(ps);
			break;
		}
		ps->p++;
		for (; spaces > 0; spaces--)
			buf_addc(val, ' ');
		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (c == '\\') {
			if (at_end(ps))
				return fail(ps, "backslash at end of file");
			c = *ps->p++;
			switch (c) {
			case '\n':
				ps->line++;
				continue;
			case '\r':
				if (!at_end(ps) && *ps->p == '\n') {
					ps->p++;
					ps->line++;
					continue;
				}
				return fail(ps, "bad escape sequence in value");
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'b': c = '\b'; break;
			case '"': case '\\': break;
			default:
				return fail(ps, "bad escape sequence in value");
			}
		}
		buf_addc(val, c);
	}
	if (quoted)
		return fail(ps, "unterminated quoted value");
	return 0;
}

static int parse_entry(struct parser *ps, struct conf *c)
{
	const char *start = ps->p;
	struct conf_entry *e;
	struct buf val = BUF_INIT;
	bool has_value = false;
	int line = ps->line;

	if (!isalpha((unsigned char)*ps->p))
		return fail(ps, "bad key: a key starts with a letter");
	while (!at_end(ps) && is_name_char(*ps->p, false))
		ps->p++;
	if (!ps->section)
		return fail(ps, "key outside of a [section]");
	{
		const char *kend = ps->p;
		skip_blanks(ps);
		if (!at_end(ps) && *ps->p == '=') {
			ps->p++;
			has_value = true;
			if (parse_value(ps, &val) < 0) {
				buf_release(&val);
				return -1;
			}
		} else if (!at_end(ps) && *ps->p != '\n') {
			return fail(ps, "bad key: expected '=' after the key name");
		}
		if (c->n == c->alloc) {
			c->alloc = c->alloc ? c->alloc * 2 : 16;
			c->entries = xreallocarray(c->entries, c->alloc, sizeof *c->entries);
		}
		e = &c->entries[c->n++];
		e->section = xstrdup(ps->section);
		e->subsection = ps->subsection ? xstrdup(ps->subsection) : NULL;
		e->key = lower_copy(start, (size_t)(kend - start));
		e->value = has_value ? buf_detach(&val, NULL) : NULL;
		e->line = line;
	}
	return 0;
}

struct conf *conf_parse(const char *path, const char *data, size_t len)
{
	struct conf *c = xcalloc(1, sizeof *c);
	struct parser ps = { path, data, data + len, 1, NULL, NULL };
	int rc = 0;

	c->path = xstrdup(path);
	/* check the bytes once so the grammar below deals with text only */
	{
		const char *line = data;
		int ln = 1;
		for (const char *q = data; q < data + len; q++) {
			if (*q == '\0') {
				ps.line = ln;
				rc = fail(&ps, "NUL byte in file");
				break;
			}
			if (*q == '\n' || q + 1 == data + len) {
				size_t n = (size_t)(q - line) + 1;
				if (!utf8_valid(line, n)) {
					ps.line = ln;
					rc = fail(&ps, "invalid UTF-8");
					break;
				}
				line = q + 1;
				ln++;
			}
		}
	}
	/* a UTF-8 byte order mark, as some editors write, is not an error */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		ps.p += 3;
	while (rc == 0 && !at_end(&ps)) {
		skip_blanks(&ps);
		if (at_end(&ps))
			break;
		switch (*ps.p) {
		case '\n':
			ps.p++;
			ps.line++;
			continue;
		case '#':
		case ';':
			skip_line(&ps);
			continue;
		case '[':
			rc = parse_header(&ps);
			continue;	/* a key may follow on the same line */
		default:
			rc = parse_entry(&ps, c);
			continue;
		}
	}
	free(ps.section);
	free(ps.subsection);
	if (rc < 0) {
		conf_free(c);
		return NULL;
	}
	return c;
}

struct conf *conf_load(const char *path)
{
	struct buf b = BUF_INIT;
	struct conf *c;

	/* team.conf sits where every member of the group writes: a FIFO there must not block root */
	if (fs_read_regular(path, &b) < 0) {
		buf_release(&b);
		return NULL;
	}
	c = conf_parse(path, buf_str(&b), b.len);
	buf_release(&b);
	return c;
}

const struct conf_entry *conf_lookup(const struct conf *c, const char *section,
				     const char *subsection, const char *key)
{
	for (size_t i = c->n; i-- > 0;) {
		const struct conf_entry *e = &c->entries[i];
		if (strcasecmp(e->section, section) || strcasecmp(e->key, key))
			continue;
		if (!subsection != !e->subsection)
			continue;
		if (subsection && strcmp(subsection, e->subsection))
			continue;
		return e;
	}
	return NULL;
}

const char *conf_get(const struct conf *c, const char *section,
		     const char *subsection, const char *key)
{
	const struct conf_entry *e = conf_lookup(c, section, subsection, key);

	if (!e)
		return NULL;
	return e->value ? e->value : "true";
}

void conf_free(struct conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->entries[i].section);
		free(c->entries[i].subsection);
		free(c->entries[i].key);
		free(c->entries[i].value);
	}
	free(c->entries);
	free(c->path);
	free(c);
}
