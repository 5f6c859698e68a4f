/*
 * redact-lex: the shell tokenizer of the redactor.  A command is cut into
 * simple commands and words the way bash and zsh would: quotes ('', "",
 * $''), backslash escapes, $( ), backquotes, ${ }, comments, operators
 * (; & | && || ( ) newline) and redirections (< > << <<- <<< …), heredoc
 * bodies.  Each word keeps its unquoted value and, for every value byte,
 * the source bytes it came from, so a rule that finds a secret in a value
 * can replace exactly those source bytes.
 *
 * Invariants: every byte that is shell syntax (a quote, an operator, an
 * unquoted blank, a heredoc terminator line) is flagged B_SYNTAX and is
 * never replaced; an escaping backslash is flagged B_ESCAPE and replaced
 * only with the byte it escapes; so the redacted command still parses
 * into the same words.  The tokenizer marks nothing secret, never reads
 * past n, and follows $( ) and ` ` only MAX_NEST deep.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "capture/redact-int.h"
#include "base/banned.h"

#define GROW(p, n, alloc) do { \
	if ((n) >= (alloc)) { \
		(alloc) = (alloc) ? 2 * (alloc) : 16; \
		(p) = xreallocarray((p), (alloc), sizeof *(p)); \
	} \
} while (0)

struct scratch {
	char *val;
	struct vbyte *vb;
	size_t n, alloc;
};

struct pending {
	char *delim;
	size_t len;
	bool strip, quoted;
	size_t cmd;
};

struct lexer {
	struct ctx *c;
	struct scan *sc;
	const char *s;
	size_t n, i;
	const struct vbyte *map;	/* source of each input byte, NULL: src + base */
	size_t base;
	int nest;
	struct scratch scr[MAX_NEST + 2];
	struct pending *pend;
	size_t npend, apend;
};

struct frame {
	size_t cmd;
	size_t *w;
	size_t n, alloc;
	size_t pipe_from;
	unsigned next_flags;
	bool strip;
};

static size_t src_start(const struct lexer *lx, size_t p)
{
	return lx->map ? lx->map[p].start : lx->base + p;
}

static size_t src_end(const struct lexer *lx, size_t p)
{
	return lx->map ? lx->map[p].end : lx->base + p + 1;
}

static void flag_in(struct lexer *lx, size_t p, unsigned char f)
{
	size_t e = src_end(lx, p);
	for (size_t k = src_start(lx, p); k < e && k < lx->c->len; k++)
		lx->c->flags[k] |= f;
}

static void syntax(struct lexer *lx, size_t p, size_t n)
{
	for (size_t k = p; k < p + n && k < lx->n; k++)
		flag_in(lx, k, B_SYNTAX);
}

static bool at(const struct lexer *lx, size_t off, char ch)
{
	return lx->i + off < lx->n && lx->s[lx->i + off] == ch;
}

static void scr_push(struct scratch *w, char ch, size_t start, size_t end, bool lit, bool raw)
{
	if (w->n >= w->alloc) {
		w->alloc = w->alloc ? 2 * w->alloc : 64;
		w->val = xrealloc(w->val, w->alloc);
		w->vb = xreallocarray(w->vb, w->alloc, sizeof *w->vb);
	}
	w->val[w->n] = ch;
	w->vb[w->n] = (struct vbyte){ start, end, lit, raw };
	w->n++;
}

/* input bytes [from, to) as value bytes: a value byte that spans several
 * input bytes (an escape) spans their source */
static void push_in(struct lexer *lx, struct scratch *w, size_t from, size_t to, bool lit)
{
	for (size_t p = from; p < to; p++)
		scr_push(w, lx->s[p], src_start(lx, p), src_end(lx, p), lit, false);
}

static void push_raw(struct lexer *lx, struct scratch *w, size_t from, size_t to)
{
	for (size_t p = from; p < to; p++)
		scr_push(w, lx->s[p], src_start(lx, p), src_end(lx, p), false, true);
}

static void push_esc(struct lexer *lx, struct scratch *w, char ch, size_t from, size_t to)
{
	scr_push(w, ch, src_start(lx, from), src_end(lx, to - 1), true, false);
}

static size_t new_word(struct scan *sc, const char *val, const struct vbyte *vb, size_t n, unsigned flags)
{
	size_t need = sc->nv + n + 1;	/* never NULL, even for empty words */
	if (need > sc->av) {
		while (sc->av < need)
			sc->av = sc->av ? 2 * sc->av : 256;
		sc->val = xrealloc(sc->val, sc->av);
		sc->vb = xreallocarray(sc->vb, sc->av, sizeof *sc->vb);
	}
	if (n) {
		memcpy(sc->val + sc->nv, val, n);
		memcpy(sc->vb + sc->nv, vb, n * sizeof *vb);
	}
	GROW(sc->words, sc->nw, sc->aw);
	sc->words[sc->nw] = (struct word){ sc->nv, n, flags };
	sc->nv += n;
	return sc->nw++;
}

static size_t frame_cmd(struct lexer *lx, struct frame *f)
{
	struct scan *sc = lx->sc;

	if (f->cmd != NONE)
		return f->cmd;
	GROW(sc->cmds, sc->nc, sc->ac);
	f->cmd = sc->nc++;
	sc->cmds[f->cmd] = (struct command){ 0, 0, f->pipe_from, NONE };
	if (f->pipe_from != NONE)
		sc->cmds[f->pipe_from].next = f->cmd;
	f->pipe_from = NONE;
	return f->cmd;
}

static void frame_add(struct lexer *lx, struct frame *f, size_t w)
{
	frame_cmd(lx, f);
	GROW(f->w, f->n, f->alloc);
	f->w[f->n++] = w;
}

static void frame_end(struct lexer *lx, struct frame *f, bool piped)
{
	struct scan *sc = lx->sc;

	f->next_flags = 0;
	if (f->cmd == NONE) {
		f->pipe_from = NONE;
		return;
	}
	sc->cmds[f->cmd].w = sc->ncw;
	sc->cmds[f->cmd].n = f->n;
	for (size_t k = 0; k < f->n; k++) {
		GROW(sc->cw, sc->ncw, sc->acw);
		sc->cw[sc->ncw++] = f->w[k];
	}
	f->n = 0;
	f->pipe_from = piped ? f->cmd : NONE;
	f->cmd = NONE;
}

static void lex_list(struct lexer *lx, char stop);

/* $( … ), <( … ), >( … ) or ` … `: the inside is tokenized as commands of
 * its own, the outer word keeps the raw text */
static void lex_subst(struct lexer *lx, struct scratch *w, size_t open, char close)
{
	size_t start = lx->i;

	syntax(lx, lx->i, open);
	lx->i += open;
	if (lx->nest >= MAX_NEST) {
		int depth = 1;
		while (lx->i < lx->n) {
			char ch = lx->s[lx->i];
			if (close == '`' && ch == '`')
				break;
			if (close == ')' && ch == '(')
				depth++;
			if (close == ')' && ch == ')' && --depth == 0)
				break;
			lx->i++;
		}
	} else {
		lx->nest++;
		lex_list(lx, close);
		lx->nest--;
	}
	if (lx->i < lx->n && lx->s[lx->i] == close) {
		syntax(lx, lx->i, 1);
		lx->i++;
	}
	push_raw(lx, w, start, lx->i);
}

static void lex_brace(struct lexer *lx, struct scratch *w)
{
	size_t start = lx->i;
	int depth = 1;

	syntax(lx, lx->i, 2);
	lx->i += 2;
	while (lx->i < lx->n) {
		char ch = lx->s[lx->i];
		if (ch == '{')
			depth++;
		else if (ch == '}' && --depth == 0) {
			syntax(lx, lx->i, 1);
			lx->i++;
			break;
		}
		lx->i++;
	}
	push_raw(lx, w, start, lx->i);
}

static void lex_single(struct lexer *lx, struct scratch *w)
{
	syntax(lx, lx->i, 1);
	lx->i++;
	while (lx->i < lx->n && lx->s[lx->i] != '\'') {
		push_in(lx, w, lx->i, lx->i + 1, true);
		lx->i++;
	}
	if (lx->i < lx->n) {
		syntax(lx, lx->i, 1);
		lx->i++;
	}
}

static void lex_double(struct lexer *lx, struct scratch *w)
{
	syntax(lx, lx->i, 1);
	lx->i++;
	while (lx->i < lx->n) {
		char ch = lx->s[lx->i];
		if (ch == '"') {
			syntax(lx, lx->i, 1);
			lx->i++;
			return;
		}
		if (ch == '\\' && lx->i + 1 < lx->n) {
			char nx = lx->s[lx->i + 1];
			if (nx == '\n') {
				flag_in(lx, lx->i, B_ESCAPE);
				lx->i += 2;
				continue;
			}
			if (nx == '$' || nx == '`' || nx == '"' || nx == '\\') {
				flag_in(lx, lx->i, B_ESCAPE);
				push_esc(lx, w, nx, lx->i, lx->i + 2);
				lx->i += 2;
				continue;
			}
		}
		if (ch == '$' && at(lx, 1, '(')) {
			lex_subst(lx, w, 2, ')');
			continue;
		}
		if (ch == '$' && at(lx, 1, '{')) {
			lex_brace(lx, w);
			continue;
		}
		if (ch == '`') {
			lex_subst(lx, w, 1, '`');
			continue;
		}
		push_in(lx, w, lx->i, lx->i + 1, false);
		lx->i++;
	}
}

static int hex_val(int c)
{
	if (is_digit(c))
		return c - '0';
	c = to_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* $'…' with the escapes bash knows; others stay as written */
static void lex_ansi(struct lexer *lx, struct scratch *w)
{
	syntax(lx, lx->i, 2);
	lx->i += 2;
	while (lx->i < lx->n && lx->s[lx->i] != '\'') {
		size_t b = lx->i;
		char ch = lx->s[b];
		int v = -1;
		if (ch != '\\' || b + 1 >= lx->n) {
			push_in(lx, w, b, b + 1, true);
			lx->i++;
			continue;
		}
		ch = lx->s[b + 1];
		lx->i = b + 2;
		switch (ch) {
		case 'a': v = 7; break;
		case 'b': v = 8; break;
		case 'e': case 'E': v = 27; break;
		case 'f': v = 12; break;
		case 'n': v = 10; break;
		case 'r': v = 13; break;
		case 't': v = 9; break;
		case 'v': v = 11; break;
		case '\\': case '\'': case '"': case '?': v = (unsigned char)ch; break;
		case 'x':
			for (int k = 0; k < 2 && lx->i < lx->n && hex_val((unsigned char)lx->s[lx->i]) >= 0; k++)
				v = (v < 0 ? 0 : v * 16) + hex_val((unsigned char)lx->s[lx->i++]);
			break;
		case 'c':
			if (lx->i < lx->n)
				v = lx->s[lx->i++] & 31;
			break;
		default:
			if (ch >= '0' && ch <= '7') {
				v = ch - '0';
				for (int k = 0; k < 2 && lx->i < lx->n && lx->s[lx->i] >= '0' && lx->s[lx->i] <= '7'; k++)
					v = v * 8 + (lx->s[lx->i++] - '0');
				v &= 255;
			}
		}
		flag_in(lx, b, B_ESCAPE);
		if (v >= 0)
			push_esc(lx, w, (char)v, b, lx->i);
		else
			push_in(lx, w, b, lx->i, true);
	}
	if (lx->i < lx->n) {
		syntax(lx, lx->i, 1);
		lx->i++;
	}
}

struct lexed {
	size_t word;
	bool quoted, digits;
};

static bool ends_word(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == ';' || ch == '&' ||
	       ch == '|' || ch == '(' || ch == ')' || ch == '<' || ch == '>';
}

static struct lexed lex_word(struct lexer *lx, char stop)
{
	struct scratch *w = &lx->scr[lx->nest];
	size_t start = lx->i;
	struct lexed r = { 0, false, true };

	w->n = 0;
	while (lx->i < lx->n) {
		char ch = lx->s[lx->i];
		/* <(…) starts a word, or follows an = (--password-file=<(…)):
		 * bash substitutes both */
		if ((ch == '<' || ch == '>') && at(lx, 1, '(') &&
		    (lx->i == start || lx->s[lx->i - 1] == '=')) {
			lex_subst(lx, w, 2, ')');
			r.digits = false;
			continue;
		}
		if (ends_word(ch) || (ch == '\r' && at(lx, 1, '\n')) || (stop == '`' && ch == '`'))
			break;
		if (!is_digit((unsigned char)ch))
			r.digits = false;
		if (ch == '\'') {
			r.quoted = true;
			lex_single(lx, w);
		} else if (ch == '"') {
			r.quoted = true;
			lex_double(lx, w);
		} else if (ch == '$' && at(lx, 1, '\'')) {
			r.quoted = true;
			lex_ansi(lx, w);
		} else if (ch == '$' && at(lx, 1, '"')) {
			r.quoted = true;
			syntax(lx, lx->i, 1);
			lx->i++;
			lex_double(lx, w);
		} else if (ch == '$' && at(lx, 1, '(')) {
			lex_subst(lx, w, 2, ')');
		} else if (ch == '$' && at(lx, 1, '{')) {
			lex_brace(lx, w);
		} else if (ch == '`') {
			lex_subst(lx, w, 1, '`');
		} else if (ch == '\\' && lx->i + 1 < lx->n) {
			r.quoted = true;
			flag_in(lx, lx->i, B_ESCAPE);
			if (lx->s[lx->i + 1] != '\n')
				push_esc(lx, w, lx->s[lx->i + 1], lx->i, lx->i + 2);
			lx->i += 2;
		} else {
			push_in(lx, w, lx->i, lx->i + 1, false);
			lx->i++;
		}
	}
	if (r.quoted || w->n == 0)
		r.digits = false;
	r.word = new_word(lx->sc, w->val, w->vb, w->n, 0);
	return r;
}

/* after a newline: the bodies of the heredocs opened on that line */
static void read_heredocs(struct lexer *lx)
{
	struct scratch *w = &lx->scr[MAX_NEST + 1];

	for (size_t k = 0; k < lx->npend; k++) {
		struct pending *p = &lx->pend[k];
		size_t body = lx->i, body_end = lx->n, i = lx->i;
		while (i < lx->n) {
			size_t ls = i, le = i, t;
			while (le < lx->n && lx->s[le] != '\n')
				le++;
			t = ls;
			if (p->strip)
				while (t < le && lx->s[t] == '\t')
					t++;
			i = le < lx->n ? le + 1 : le;
			if (le - t == p->len && memcmp(lx->s + t, p->delim, p->len) == 0) {
				body_end = ls;
				/* the newline before the terminator makes it one */
				syntax(lx, ls > body ? ls - 1 : ls, i - ls + (ls > body));
				break;
			}
		}
		if (i >= lx->n && body_end == lx->n)
			i = lx->n;
		w->n = 0;
		push_in(lx, w, body, body_end, p->quoted);
		GROW(lx->sc->bodies, lx->sc->nb, lx->sc->ab);
		lx->sc->bodies[lx->sc->nb++] = (struct body){
			p->cmd, new_word(lx->sc, w->val, w->vb, w->n, W_BODY)
		};
		lx->i = i;
		free(p->delim);
	}
	lx->npend = 0;
}

static void lex_redirect(struct lexer *lx, struct frame *f, size_t len, unsigned flags, bool strip)
{
	frame_cmd(lx, f);
	syntax(lx, lx->i, len);
	lx->i += len;
	f->next_flags = flags;
	f->strip = strip;
}

/* commands until the end, or the ) or ` that closes a substitution */
static void lex_list(struct lexer *lx, char stop)
{
	struct frame f = { NONE, NULL, 0, 0, NONE, 0, false };

	while (lx->i < lx->n) {
		char ch = lx->s[lx->i];
		if (ch == ' ' || ch == '\t' || (ch == '\r' && at(lx, 1, '\n'))) {
			syntax(lx, lx->i++, 1);
		} else if (ch == '\\' && at(lx, 1, '\n')) {
			syntax(lx, lx->i, 2);
			lx->i += 2;
		} else if (ch == '\n') {
			syntax(lx, lx->i++, 1);
			frame_end(lx, &f, false);
			if (lx->npend)
				read_heredocs(lx);
		} else if (ch == '`' && stop == '`') {
			break;
		} else if (ch == ')') {
			if (stop == ')')
				break;
			syntax(lx, lx->i++, 1);
			frame_end(lx, &f, false);
		} else if (ch == '#') {
			struct scratch *w = &lx->scr[lx->nest];
			size_t b = lx->i;
			while (lx->i < lx->n && lx->s[lx->i] != '\n')
				lx->i++;
			w->n = 0;
			push_in(lx, w, b + 1, lx->i, true);
			frame_add(lx, &f, new_word(lx->sc, w->val, w->vb, w->n, W_COMMENT));
		} else if (ch == ';') {
			size_t n = 1;
			if (at(lx, 1, ';') && at(lx, 2, '&'))
				n = 3;
			else if (at(lx, 1, ';') || at(lx, 1, '&'))
				n = 2;
			syntax(lx, lx->i, n);
			lx->i += n;
			frame_end(lx, &f, false);
		} else if (ch == '&') {
			if (at(lx, 1, '>')) {
				lex_redirect(lx, &f, at(lx, 2, '>') ? 3 : 2, W_REDIR, false);
			} else {
				size_t n = at(lx, 1, '&') ? 2 : 1;
				syntax(lx, lx->i, n);
				lx->i += n;
				frame_end(lx, &f, false);
			}
		} else if (ch == '|') {
			bool piped = !at(lx, 1, '|');
			size_t n = at(lx, 1, '|') || at(lx, 1, '&') ? 2 : 1;
			syntax(lx, lx->i, n);
			lx->i += n;
			frame_end(lx, &f, piped);
		} else if (ch == '(') {
			syntax(lx, lx->i++, 1);
			frame_end(lx, &f, false);
		} else if ((ch == '<' || ch == '>') && !at(lx, 1, '(')) {
			if (ch == '<' && at(lx, 1, '<') && at(lx, 2, '<'))
				lex_redirect(lx, &f, 3, W_HERESTRING, false);
			else if (ch == '<' && at(lx, 1, '<') && at(lx, 2, '-'))
				lex_redirect(lx, &f, 3, W_DELIM, true);
			else if (ch == '<' && at(lx, 1, '<'))
				lex_redirect(lx, &f, 2, W_DELIM, false);
			else if (at(lx, 1, '&') || at(lx, 1, '>') || (ch == '>' && at(lx, 1, '|')))
				lex_redirect(lx, &f, 2, W_REDIR, false);
			else
				lex_redirect(lx, &f, 1, W_REDIR, false);
		} else {
			size_t b = lx->i;
			struct lexed r = lex_word(lx, stop);
			struct word *wd = &lx->sc->words[r.word];
			if (r.digits && lx->i < lx->n && (lx->s[lx->i] == '<' || lx->s[lx->i] == '>')) {
				wd->flags = W_IONUM;
			} else {
				wd->flags = f.next_flags;
				f.next_flags = 0;
			}
			frame_add(lx, &f, r.word);
			if (wd->flags & W_DELIM) {
				struct pending *p;
				GROW(lx->pend, lx->npend, lx->apend);
				p = &lx->pend[lx->npend++];
				p->len = wd->len;
				p->delim = xmalloc(wd->len + 1);
				memcpy(p->delim, lx->sc->val + wd->v, wd->len);
				p->strip = f.strip;
				p->quoted = r.quoted;
				p->cmd = f.cmd;
				syntax(lx, b, lx->i - b);
			}
		}
	}
	frame_end(lx, &f, false);
	free(f.w);
}

void scan_free(struct scan *sc)
{
	free(sc->val);
	free(sc->vb);
	free(sc->words);
	free(sc->cw);
	free(sc->cmds);
	free(sc->bodies);
}

/* tokenize s (n bytes; map: the source of each byte, NULL: src + base) */
void tokenize(struct ctx *c, struct scan *sc, const char *s, size_t n,
		     const struct vbyte *map, size_t base)
{
	struct lexer lx;

	memset(&lx, 0, sizeof lx);
	memset(sc, 0, sizeof *sc);
	lx.c = c;
	lx.sc = sc;
	lx.s = s;
	lx.n = n;
	lx.map = map;
	lx.base = base;
	while (lx.i < lx.n) {
		lex_list(&lx, 0);
		if (lx.i < lx.n) {	/* a stray ` at the top */
			syntax(&lx, lx.i, 1);
			lx.i++;
		}
	}
	for (size_t k = 0; k < lx.npend; k++)
		free(lx.pend[k].delim);
	free(lx.pend);
	for (size_t k = 0; k < MAX_NEST + 2; k++) {
		free(lx.scr[k].val);
		free(lx.scr[k].vb);
	}
}
