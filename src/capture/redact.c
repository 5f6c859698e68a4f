/*
 * redact: find the secrets in a command line and replace them by
 * REDACT_MARKER, keeping every other byte.
 *
 * How it works, in one pass over a command of up to a few KiB:
 *
 *  1. Shell tokenizer (redact-lex.c).  The command is cut into simple
 *     commands and words the way bash and zsh would, and every value byte
 *     keeps the source bytes it came from.  Every byte that is shell
 *     syntax is flagged: it is never replaced, so the redacted command
 *     still parses into the same words.
 *
 *  2. Word rules (redact-command.c).  Every word is checked for key=value
 *     items whose key names a secret (redact-keys.c).  Then the program is
 *     found after assignments and wrappers, and the rule of a known
 *     program parses its options as that program does (redact-program.c,
 *     with the option parser of redact-opts.c).  Commands fed on standard
 *     input look at what feeds them; command strings are tokenized again.
 *     What a command writes (echo, printf, heredocs) is read as config
 *     lines, with the syntax of the file it goes to when that file's name
 *     says secret, and what a <(…) feeds a credential option is a secret
 *     (redact-shape.c).
 *
 *  3. Text rules (redact-text.c: PCRE2, byte mode, JIT when available)
 *     run over the whole source: URLs with a password, HTTP headers, JSON
 *     fields, known token formats, PEM private keys and the team's
 *     patterns.
 *
 *  4. Every rule marks source bytes as secret (one flag byte per source
 *     byte, through mark_span and mark_value here); the output copies the
 *     source and writes one marker for each run of marked bytes.  Overlaps
 *     merge by construction.
 *
 * Invariants: the output is the input with some runs of bytes replaced by
 * REDACT_MARKER, so it is never longer than the input plus one marker per
 * replacement.  Markers already in the input are never touched and shell
 * syntax is never removed, so redacting the output again finds nothing new
 * for the built-in rules (tests/fuzz/fuzz-redact.c checks both).  Nothing
 * here reads past len or needs a NUL terminator; deep nesting is cut off
 * at fixed depths, not followed.
 *
 * This file holds the marking and the API of redact.h, which ties the
 * pieces together; redact-int.h is what the pieces share.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/xalloc.h"
#include "capture/redact-int.h"
#include "capture/redact.h"
#include "base/banned.h"

#define MARKER_LEN (sizeof REDACT_MARKER - 1)

/* ------------------------------------------------------------------ */
/* marking */

/* mark source bytes [s, e) secret, but never syntax or markers */
void mark_span(struct ctx *c, size_t s, size_t e)
{
	if (e > c->len)
		e = c->len;
	for (size_t i = s; i < e; i++) {
		unsigned char f = c->flags[i];
		if (f & (B_SYNTAX | B_MARKER))
			continue;
		if ((f & B_ESCAPE) && (i + 1 >= e || (c->flags[i + 1] & (B_SYNTAX | B_MARKER))))
			continue;
		c->flags[i] = f | B_SECRET;
	}
}

/* $NAME, ${NAME}, $(…), `…`, $1: a reference to a secret, not the secret */
bool is_reference(const char *v, const bool *lit, size_t n)
{
	if (n < 2 || (lit && lit[0]))
		return false;
	if (v[0] == '`')
		return v[n - 1] == '`';
	if (v[0] != '$')
		return false;
	if (n == 2 && (is_digit((unsigned char)v[1]) || (v[1] && strchr("@*#?$!-", v[1]))))
		return true;
	if (is_alpha((unsigned char)v[1]) || v[1] == '_') {
		for (size_t i = 2; i < n; i++)
			if (!is_ident((unsigned char)v[i]))
				return false;
		return true;
	}
	if (v[1] == '{') {
		size_t i = 2;
		if (i < n && (v[i] == '#' || v[i] == '!'))
			i++;
		if (i >= n || !(is_alpha((unsigned char)v[i]) || v[i] == '_'))
			return false;
		while (i < n && is_ident((unsigned char)v[i]))
			i++;
		return i == n - 1 && v[i] == '}';
	}
	if (v[1] == '(') {
		int depth = 0;
		for (size_t i = 1; i < n; i++) {
			if (v[i] == '(')
				depth++;
			else if (v[i] == ')' && --depth == 0)
				return i == n - 1;
		}
	}
	return false;
}

/* mark value bytes [from, to) of word w, unless they only refer to a variable */
void mark_value(struct ctx *c, const struct scan *sc, size_t w, size_t from, size_t to)
{
	const struct word *wd = word_at(sc, w);
	const char *v = sc->val + wd->v;
	bool lit;

	if (to > wd->len)
		to = wd->len;
	if (from >= to)
		return;
	if (to - from == 1 && v[from] == '-')	/* "-p -": read from stdin */
		return;
	if (to - from == 2 && v[from] == '%' && strchr("sbq", v[from + 1]))
		return;		/* printf 'password=%s' X: X is the secret */
	lit = sc->vb[wd->v + from].lit;
	if (is_reference(v + from, &lit, to - from))
		return;
	mark_span(c, sc->vb[wd->v + from].start, sc->vb[wd->v + to - 1].end);
}

/* ------------------------------------------------------------------ */
/* the API */

struct redactor *redact_new(const struct conf *team)
{
	struct redactor *r = xcalloc(1, sizeof *r);

	index_programs(r);
	if (load_names(r, team) < 0 || compile_rules(r, team) < 0) {
		redact_free(r);
		return NULL;
	}
	return r;
}

void redact_free(struct redactor *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nrx; i++)
		pcre2_code_free(r->rx[i].code);
	free(r->rx);
	free(r->progs);
	for (size_t i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	free(r);
}

/* flag every secret byte of text (flags: len bytes, zeroed); true if any */
static bool analyze(const struct redactor *r, const char *text, size_t len, unsigned char *flags,
		    pcre2_match_data *md)
{
	struct ctx c;
	struct scan sc;

	memset(&c, 0, sizeof c);
	c.r = r;
	c.src = text;
	c.len = len;
	c.flags = flags;
	for (size_t p = 0; p + MARKER_LEN <= len; p++) {
		p = mem_find(text, len - MARKER_LEN + 1, '[', p);
		if (p == NONE)
			break;
		if (memcmp(text + p, REDACT_MARKER, MARKER_LEN) == 0)
			memset(flags + p, B_MARKER, MARKER_LEN);
	}
	tokenize(&c, &sc, text, len, NULL, 0);
	run_scan(&c, &sc);
	scan_free(&sc);
	for (size_t k = 0; k < r->nrx; k++)
		run_text_rule(&c, &r->rx[k], md);
	for (size_t p = 0; p < len; p++)
		if (flags[p] & B_SECRET)
			return true;
	return false;
}

/* is byte i of text replaced?  With lines, a newline never is */
static bool replaced(const char *text, const unsigned char *flags, size_t i, bool lines)
{
	return (flags[i] & B_SECRET) && !(lines && text[i] == '\n');
}

/* text with each run of replaced bytes (above) as one marker; when map is
 * not NULL, (*map)[k] is the text offset of output byte k, NONE in a marker */
static size_t render(const char *text, size_t len, const unsigned char *flags, bool lines, struct buf *out,
		     size_t **map)
{
	size_t count = 0, i = 0, base = out->len, nmap = 0;

	buf_grow(out, len);
	while (i < len) {
		size_t j = i;
		bool secret = replaced(text, flags, i, lines);
		while (j < len && replaced(text, flags, j, lines) == secret)
			j++;
		if (secret) {
			buf_add(out, REDACT_MARKER, MARKER_LEN);
			count++;
		} else {
			buf_add(out, text + i, j - i);
		}
		if (map) {
			size_t need = out->len - base;
			*map = xreallocarray(*map, need, sizeof **map);
			for (size_t k = nmap; k < need; k++)
				(*map)[k] = secret ? NONE : i + (k - nmap);
			nmap = need;
		}
		i = j;
	}
	return count;
}

/*
 * Redacting the output again must find nothing: records may be redacted
 * twice (at capture and at import).  Rules keep shell syntax and markers,
 * so a second look rarely finds more; when it does (two rules that end a
 * value at different bytes, a team pattern), what it finds is mapped back
 * to the input and added, until a look finds nothing new.  Secrets only
 * grow, so this ends; MAX_ROUNDS bounds the work.  Typed commands settle
 * in one more look (a command without secrets needs none); text that
 * still grows after MAX_ROUNDS (only seen in fuzzing) is replaced whole,
 * the one output sure to be stable.
 */
enum { MAX_ROUNDS = 32 };

size_t redact_settle(const struct redactor *r, redact_look look, const void *arg, bool lines, const char *text,
		     size_t len, struct buf *out)
{
	unsigned char *flags;
	pcre2_match_data *md;
	size_t count;

	if (len == 0)
		return 0;
	flags = xcalloc(len, 1);
	md = pcre2_match_data_create(r->ovec, NULL);
	if (look(r, arg, text, len, flags, md)) {
		int round;
		for (round = 0; round < MAX_ROUNDS; round++) {
			struct buf once = BUF_INIT;
			size_t *map = NULL;
			unsigned char *again;
			bool grew = false;
			render(text, len, flags, lines, &once, &map);
			again = xcalloc(once.len ? once.len : 1, 1);
			if (look(r, arg, once.data, once.len, again, md))
				for (size_t k = 0; k < once.len; k++)
					if ((again[k] & B_SECRET) && map[k] != NONE && !(flags[map[k]] & B_SECRET)) {
						flags[map[k]] |= B_SECRET;
						grew = true;
					}
			free(again);
			free(map);
			buf_release(&once);
			if (!grew)
				break;
		}
		if (round == MAX_ROUNDS)
			for (size_t k = 0; k < len; k++)
				if (!(flags[k] & B_MARKER))
					flags[k] |= B_SECRET;
	}
	pcre2_match_data_free(md);
	count = render(text, len, flags, lines, out, NULL);
	free(flags);
	return count;
}

static bool look_command(const struct redactor *r, const void *arg, const char *text, size_t len,
			 unsigned char *flags, pcre2_match_data *md)
{
	(void)arg;
	return analyze(r, text, len, flags, md);
}

size_t redact_command(const struct redactor *r, const char *text, size_t len, struct buf *out)
{
	return redact_settle(r, look_command, NULL, false, text, len, out);
}

/* configuration text: no shell tokenizing, a file is not a command line */
size_t redact_text(const struct redactor *r, const char *text, size_t len, struct buf *out)
{
	unsigned char *flags;
	pcre2_match_data *md;
	struct ctx c;
	size_t count;

	if (len == 0)
		return 0;
	flags = xcalloc(len, 1);
	md = pcre2_match_data_create(r->ovec, NULL);
	memset(&c, 0, sizeof c);
	c.r = r;
	c.src = text;
	c.len = len;
	c.flags = flags;
	for (size_t p = 0; p + MARKER_LEN <= len; p++) {
		p = mem_find(text, len - MARKER_LEN + 1, '[', p);
		if (p == NONE)
			break;
		if (memcmp(text + p, REDACT_MARKER, MARKER_LEN) == 0)
			memset(flags + p, B_MARKER, MARKER_LEN);
	}
	mark_assignments(&c);
	mark_config(&c, NULL);
	for (size_t k = 0; k < r->nrx; k++)
		run_text_rule(&c, &r->rx[k], md);
	pcre2_match_data_free(md);
	count = render(text, len, flags, false, out, NULL);
	free(flags);
	return count;
}
