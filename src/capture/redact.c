/*
 * redact: find the secrets in a command line and replace them by
 * REDACT_MARKER, keeping every other byte.
 *
 * How it works, in one pass over a command of up to a few KiB:
 *
 *  1. Shell tokenizer (lex_*).  The command is cut into simple commands
 *     and words the way bash and zsh would: quotes ('', "", $''), backslash
 *     escapes, $( ), backquotes, ${ }, comments, operators (; & | && || ( )
 *     newline) and redirections (< > << <<- <<< …), heredoc bodies.  Each
 *     word keeps its unquoted value and, for every value byte, the source
 *     bytes it came from, so a rule that finds a secret in a value can
 *     replace exactly those source bytes.  Every byte that is shell syntax
 *     (a quote, an operator, an unquoted blank, an escaping backslash, a
 *     heredoc terminator line) is flagged: it is never replaced, so the
 *     redacted command still parses into the same words.
 *
 *  2. Word rules (run_command, dispatch).  Every word is checked for
 *     key=value items whose key names a secret (DB_PASSWORD=x,
 *     --client-secret=x, mount -o user=a,password=x).  Then the program is
 *     found after assignments and wrappers (sudo -u x, env A=b, nice, …),
 *     and the rule of a known program parses its options as that program
 *     does (mysql -pX but not -p alone, curl -u user:X, htpasswd -b …).
 *     Commands fed on standard input (chpasswd, passwd --stdin, sudo -S)
 *     look at the echo/printf before them in the pipeline, their here-string
 *     or heredoc.  Command strings (bash -c '…', ssh host '…', su -c) are
 *     tokenized again, their bytes mapped back to the source.
 *
 *  3. Text rules (PCRE2, byte mode, JIT when available) run over the whole
 *     source: URLs with a password, HTTP headers, JSON fields, SQL
 *     "IDENTIFIED BY '…'", known token formats, PEM private keys and the
 *     team's patterns.
 *
 *  4. Every rule marks source bytes as secret (one flag byte per source
 *     byte); the output copies the source and writes one marker for each
 *     run of marked bytes.  Overlaps merge by construction.
 *
 * Invariants: the output is the input with some runs of bytes replaced by
 * REDACT_MARKER, so it is never longer than the input plus one marker per
 * replacement.  Markers already in the input are never touched and shell
 * syntax is never removed, so redacting the output again finds nothing new
 * for the built-in rules (tests/fuzz/fuzz-redact.c checks both).  Nothing
 * here reads past len or needs a NUL terminator; deep nesting is cut off
 * at fixed depths, not followed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "capture/redact.h"
#include "base/banned.h"

#define MARKER_LEN (sizeof REDACT_MARKER - 1)
#define NONE SIZE_MAX

enum {
	MAX_NEST = 16,		/* $( ) and ` ` followed inside one text */
	MAX_DEPTH = 4,		/* command strings (bash -c, ssh host '…') re-tokenized */
	MAX_DISPATCH = 8,	/* wrappers (sudo, ssh, docker exec…) followed */
};

/* per source byte */
enum {
	B_SYNTAX = 1,		/* quote, operator, blank, terminator: never replaced */
	B_ESCAPE = 2,		/* a backslash escaping the next byte: replaced only with it */
	B_MARKER = 4,		/* part of a marker already in the input */
	B_SECRET = 8,		/* to be replaced */
};

/* ------------------------------------------------------------------ */
/* tokenizer results */

struct vbyte {
	size_t start, end;	/* the source bytes this value byte came from */
	bool lit;		/* quoted or escaped: a '$' here is not a reference */
	bool raw;		/* the text of a $( ), ` ` or ${ }: its commands are
				 * handled on their own, key=value items are not
				 * looked for inside */
};

enum {
	W_REDIR = 1,		/* target of a redirection */
	W_HERESTRING = 2,	/* after <<< */
	W_DELIM = 4,		/* heredoc delimiter */
	W_IONUM = 8,		/* the 2 of 2>&1 */
	W_COMMENT = 16,		/* # to the end of the line */
	W_BODY = 32,		/* a heredoc body */
	W_SCRIPT = 64,		/* a command string, tokenized again (bash -c '…') */
};

struct word {
	size_t v, len;		/* value: scan.val and scan.vb [v, v + len) */
	unsigned flags;
};

struct command {
	size_t w, n;		/* its words: scan.cw [w, w + n) */
	size_t prev, next;	/* neighbours in a pipeline, or NONE */
};

struct body {
	size_t cmd, word;
};

struct scan {
	char *val;
	struct vbyte *vb;
	size_t nv, av;
	struct word *words;
	size_t nw, aw;
	size_t *cw;
	size_t ncw, acw;
	struct command *cmds;
	size_t nc, ac;
	struct body *bodies;
	size_t nb, ab;
};

#define GROW(p, n, alloc) do { \
	if ((n) >= (alloc)) { \
		(alloc) = (alloc) ? 2 * (alloc) : 16; \
		(p) = xreallocarray((p), (alloc), sizeof *(p)); \
	} \
} while (0)

/* ------------------------------------------------------------------ */
/* the redactor and one call */

struct text_rule {
	const char *name;
	const char *pattern;
	int group;		/* the group replaced, 0: whole match */
	int name_group;		/* a group that must name a secret, 0: none */
	bool keep_refs;		/* a value that is only $VAR or $(…) is kept */
	bool trim;		/* trim blanks and \n escapes at both ends (PEM body) */
	bool query;		/* name_group is a URL query parameter (sig=, code=) */
};

struct compiled {
	pcre2_code *code;
	const struct text_rule *rule;
	int group;
};

struct family;
struct prog_name {
	const char *name;
	const struct family *fam;
};

struct redactor {
	struct compiled *rx;
	size_t nrx;
	uint32_t ovec;		/* pairs needed by the largest pattern */
	struct prog_name *progs;
	size_t nprogs;
};

struct ctx {
	const struct redactor *r;
	const char *src;
	size_t len;
	unsigned char *flags;
	int depth;		/* command strings being re-tokenized */
};

/* ------------------------------------------------------------------ */
/* bytes */

static bool is_lower(int c) { return c >= 'a' && c <= 'z'; }
static bool is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_alpha(int c) { return is_lower(c) || is_upper(c); }
static bool is_alnum(int c) { return is_alpha(c) || is_digit(c); }
static bool is_ident(int c) { return is_alnum(c) || c == '_'; }
static bool is_blank(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int to_lower(int c) { return is_upper(c) ? c + 32 : c; }

static bool mem_is(const char *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	return n == l && memcmp(p, s, l) == 0;
}

static bool mem_ieq(const char *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	if (n != l)
		return false;
	for (size_t i = 0; i < n; i++)
		if (to_lower((unsigned char)p[i]) != to_lower((unsigned char)s[i]))
			return false;
	return true;
}

static bool mem_starts(const char *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	return n >= l && memcmp(p, s, l) == 0;
}

static bool mem_contains(const char *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	for (size_t i = 0; i + l <= n; i++)
		if (memcmp(p + i, s, l) == 0)
			return true;
	return false;
}

/* how many of the first n bytes of p are in set */
static size_t strspn_n(const char *p, size_t n, const char *set)
{
	size_t i = 0;
	while (i < n && p[i] && strchr(set, p[i]))
		i++;
	return i;
}

static size_t mem_find(const char *p, size_t n, char c, size_t from)
{
	for (size_t i = from; i < n; i++)
		if (p[i] == c)
			return i;
	return NONE;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* does a key name a secret? */

enum keyclass {
	KEY_PLAIN,
	KEY_SECRET,
	KEY_SECRET_FILE,	/* a key or credential: a value that is a path is kept */
};

/* last components that say secret */
static const char *const secret_words[] = {
	"password", "passwd", "pass", "secret", "token", "apikey", "auth",
	"passphrase", "psk", NULL
};
/* the same, but a value naming a file is no secret (SSL_KEY=/etc/…) */
static const char *const secret_file_words[] = {
	"key", "credential", "credentials", "privatekey", NULL
};
/* a one-word key ending like this is a secret too (PGPASSWORD, AUTHTOKEN) */
static const char *const secret_suffixes[] = {
	"password", "passwd", "secret", "token", "apikey", "passphrase", NULL
};
/* "--token X": only these take a secret as the next word ("--key FILE",
 * "--ask-pass" do not) */
static const char *const arg_words[] = {
	"password", "passwd", "secret", "token", "apikey", "passphrase", "psk", NULL
};
/* first words of options that are switches: --no-password, --show-token */
static const char *const switch_verbs[] = {
	"no", "ask", "show", "print", "use", "with", "without", "prompt",
	"generate", "gen", "random", "empty", "allow", "skip", "disable",
	"enable", "require", "save", "store", "reset", "clear", "expire",
	"forget", "remember", "check", "verify", "list", "revoke", "rotate",
	"delete", "remove", "create", "read", "stdin", "insecure", "ignore",
	"keep", "force", "send", "include", "exclude", "change", "lock",
	"unlock", NULL
};

static bool has_suffix(const char *s, const char *const *list)
{
	size_t n = strlen(s);
	for (; *list; list++) {
		size_t l = strlen(*list);
		if (n > l && !strcmp(s + n - l, *list))
			return true;
	}
	return false;
}

/*
 * Split the key into components on _ - . and lower-to-upper case changes
 * (DB_PASSWORD, client-secret, dbPassword), ignoring numbers (KEY2), and
 * judge by the last one.  Only the part after the last '/' or ':' counts
 * (npm's "//registry/:_authToken").  arg_form: the key of "--key VALUE".
 */
static enum keyclass key_class(const char *k, size_t n, bool arg_form)
{
	char first[24] = "", last[24] = "";
	size_t s = 0, ncomp = 0, i;

	for (i = 0; i < n; i++)
		if (k[i] == '/' || k[i] == ':')
			s = i + 1;
	i = s;
	while (i < n) {
		size_t b, e, l;
		while (i < n && (k[i] == '_' || k[i] == '-' || k[i] == '.'))
			i++;
		if (i >= n)
			break;
		b = i++;
		while (i < n && k[i] != '_' && k[i] != '-' && k[i] != '.' &&
		       !(is_lower((unsigned char)k[i - 1]) && is_upper((unsigned char)k[i])))
			i++;
		e = i;
		while (e > b && is_digit((unsigned char)k[e - 1]))
			e--;
		if (e == b)
			continue;
		l = e - b;
		if (l > sizeof last - 1) {	/* keep the tail: suffixes still match */
			b = e - (sizeof last - 1);
			l = sizeof last - 1;
		}
		for (size_t j = 0; j < l; j++)
			last[j] = (char)to_lower((unsigned char)k[b + j]);
		last[l] = '\0';
		if (ncomp++ == 0)
			memcpy(first, last, sizeof first);
	}
	if (ncomp == 0)
		return KEY_PLAIN;
	if (arg_form) {
		if (ncomp > 1 && in_list(first, switch_verbs))
			return KEY_PLAIN;
		return in_list(last, arg_words) || has_suffix(last, secret_suffixes) ?
			KEY_SECRET : KEY_PLAIN;
	}
	if (!strcmp(last, "pwd"))	/* MYSQL_PWD, but PWD=/x is a directory */
		return ncomp > 1 ? KEY_SECRET : KEY_PLAIN;
	if (in_list(last, secret_file_words) || has_suffix(last, (const char *const[]){ "privatekey", NULL }))
		return KEY_SECRET_FILE;
	if (in_list(last, secret_words) || has_suffix(last, secret_suffixes))
		return KEY_SECRET;
	return KEY_PLAIN;
}

static bool secret_name(const char *k, size_t n)
{
	return key_class(k, n, false) != KEY_PLAIN;
}

/* ------------------------------------------------------------------ */
/* marking */

/* mark source bytes [s, e) secret, but never syntax or markers */
static void mark_span(struct ctx *c, size_t s, size_t e)
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
static bool is_reference(const char *v, const bool *lit, size_t n)
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

static const struct word *word_at(const struct scan *sc, size_t w)
{
	return &sc->words[w];
}

static const char *wval(const struct scan *sc, size_t w)
{
	return sc->val + sc->words[w].v;
}

static size_t wlen(const struct scan *sc, size_t w)
{
	return sc->words[w].len;
}

/* mark value bytes [from, to) of word w, unless they only refer to a variable */
static void mark_value(struct ctx *c, const struct scan *sc, size_t w, size_t from, size_t to)
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
	lit = sc->vb[wd->v + from].lit;
	if (is_reference(v + from, &lit, to - from))
		return;
	mark_span(c, sc->vb[wd->v + from].start, sc->vb[wd->v + to - 1].end);
}

/* ------------------------------------------------------------------ */
/* the shell tokenizer */

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
		if ((ch == '<' || ch == '>') && lx->i == start && at(lx, 1, '(')) {
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

static void scan_free(struct scan *sc)
{
	free(sc->val);
	free(sc->vb);
	free(sc->words);
	free(sc->cw);
	free(sc->cmds);
	free(sc->bodies);
}

/* tokenize s (n bytes; map: the source of each byte, NULL: src + base) */
static void tokenize(struct ctx *c, struct scan *sc, const char *s, size_t n,
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

/* ------------------------------------------------------------------ */
/* rules on words */

static void run_scan(struct ctx *c, struct scan *sc);

/* tokenize value bytes [from, len) of word w as a command string: the word
 * is then left to the rules of the commands it holds */
static void recurse_word(struct ctx *c, const struct scan *sc, size_t w, size_t from)
{
	const struct word *wd = word_at(sc, w);
	struct scan sub;

	if (c->depth >= MAX_DEPTH || from >= wd->len || (wd->flags & W_SCRIPT))
		return;		/* deep, empty, or already read (su in a wrapper's scan) */
	((struct scan *)sc)->words[w].flags |= W_SCRIPT;
	c->depth++;
	tokenize(c, &sub, sc->val + wd->v + from, wd->len - from, sc->vb + wd->v + from, 0);
	run_scan(c, &sub);
	scan_free(&sub);
	c->depth--;
}

/*
 * key=value items in a word: the word itself (--password=x, DB_PASS=x),
 * and items after , & ; or a blank that start with an identifier and =
 * (mount -o user=a,password=x; "host=db password=x"; a=1&token=x).  An
 * item's value runs to the next item; after a blank, to the next blank.
 */
struct item {
	size_t key, keyend, val;
	bool blank;
};

static bool parse_item(const char *v, size_t n, size_t p, struct item *it)
{
	size_t k = p;
	while (k < n && k - p < 2 && v[k] == '-')
		k++;
	if (k >= n || !(is_alpha((unsigned char)v[k]) || v[k] == '_'))
		return false;
	it->key = k;
	while (k < n && (is_ident((unsigned char)v[k]) || v[k] == '.' || v[k] == '-'))
		k++;
	it->keyend = k;
	if (k < n && v[k] == '+')
		k++;
	if (k >= n || v[k] != '=')
		return false;
	it->val = k + 1;
	return true;
}

static void kv_value(struct ctx *c, const struct scan *sc, size_t w, const char *v,
		     const struct item *it, size_t end, int nested)
{
	enum keyclass kc = key_class(v + it->key, it->keyend - it->key, false);
	size_t s = it->val;

	if (kc == KEY_PLAIN) {
		struct item in;
		/* kubectl --from-literal=password=x */
		if (nested < 1 && parse_item(v, end, s, &in) && v[s] != '-')
			kv_value(c, sc, w, v, &in, end, nested + 1);
		return;
	}
	if (s < end && v[s] == '=')	/* httpie's token==x */
		s++;
	if (kc == KEY_SECRET_FILE && s < end &&
	    (v[s] == '/' || mem_starts(v + s, end - s, "~/") || mem_starts(v + s, end - s, "./") ||
	     mem_starts(v + s, end - s, "../")))
		return;
	/* sort --key=2,3n: a field, not a key */
	if (kc == KEY_SECRET_FILE && mem_ieq(v + it->key, it->keyend - it->key, "key") &&
	    end - s <= 12 && s < end && is_digit((unsigned char)v[s]) &&
	    strspn_n(v + s, end - s, "0123456789.,bdfghinMRrV") == end - s)
		return;
	mark_value(c, sc, w, s, end);
}

static void kv_word(struct ctx *c, const struct scan *sc, size_t w)
{
	const char *v = wval(sc, w);
	const struct vbyte *vb = sc->vb + sc->words[w].v;
	size_t n = wlen(sc, w);
	struct item cur, next;
	bool have;

	if (mem_find(v, n, '=', 0) == NONE)
		return;
	have = parse_item(v, n, 0, &cur);
	cur.blank = false;
	for (size_t p = 0; p <= n; p++) {
		bool sep = p + 1 < n && !vb[p].raw && !vb[p + 1].raw &&
			   (v[p] == ',' || v[p] == '&' || v[p] == ';' || is_blank((unsigned char)v[p]));
		bool found = sep && parse_item(v, n, p + 1, &next);
		if (p == n || found) {
			if (have) {
				size_t end = p;
				if (cur.blank)	/* free text: the value is one word */
					for (end = cur.val; end < p && (vb[end].raw || !is_blank((unsigned char)v[end])); end++)
						;
				/* "a=1; b=2": the ; is the list's, not the value's */
				while (end < n && end > cur.val && !vb[end - 1].raw &&
				       (v[end - 1] == ';' || v[end - 1] == ',' || v[end - 1] == '&'))
					end--;
				kv_value(c, sc, w, v, &cur, end, 0);
			}
			if (found) {
				next.blank = is_blank((unsigned char)v[p]);
				cur = next;
				have = true;
				p = next.val - 1;
			}
		}
	}
}

/* config lines in a heredoc body: KEY=VALUE, KEY = VALUE, key: value, export KEY=… */
static void body_lines(struct ctx *c, const struct scan *sc, size_t w)
{
	const char *v = wval(sc, w);
	size_t n = wlen(sc, w), p = 0;

	while (p < n) {
		size_t le = p, k, ks, ke, vs, ve;
		while (le < n && v[le] != '\n')
			le++;
		k = p;
		while (k < le && (v[k] == ' ' || v[k] == '\t'))
			k++;
		if (le - k > 7 && memcmp(v + k, "export ", 7) == 0)
			k += 7;
		if (k < le && (v[k] == '"' || v[k] == '\''))
			k++;
		ks = k;
		while (k < le && (is_ident((unsigned char)v[k]) || v[k] == '.' || v[k] == '-' ||
				  v[k] == '/' || v[k] == '@' ||
				  (v[k] == ':' && k + 1 < le && (is_ident((unsigned char)v[k + 1]) || v[k + 1] == '/'))))
			k++;
		ke = k;
		if (k < le && (v[k] == '"' || v[k] == '\''))
			k++;
		while (k < le && (v[k] == ' ' || v[k] == '\t'))
			k++;
		if (ke > ks && k < le && (v[k] == '=' || v[k] == ':') && secret_name(v + ks, ke - ks)) {
			k++;
			while (k < le && (v[k] == ' ' || v[k] == '\t'))
				k++;
			vs = k;
			ve = le;
			while (ve > vs && is_blank((unsigned char)v[ve - 1]))
				ve--;
			if (ve > vs + 1 && (v[vs] == '"' || v[vs] == '\'') && v[ve - 1] == v[vs]) {
				vs++;
				ve--;
			} else if (ve > vs && v[ve - 1] == ',' && v[vs] == '"') {
				vs++;	/* a JSON line is the JSON rule's */
				ve = vs;
			}
			if (ve > vs && !is_reference(v + vs, NULL, ve - vs))
				mark_value(c, sc, w, vs, ve);
		}
		p = le + 1;
	}
}

/* ------------------------------------------------------------------ */
/* options, parsed as each program does */

enum { A_NONE, A_REQ, A_ATTACHED, A_NODASH };
enum {
	K_NONE,
	K_WHOLE,	/* the argument */
	K_COLON,	/* after the first ':' (user:password), nothing without one */
	K_PERCENT,	/* after the first '%' (samba's user%password) */
	K_COMMA,	/* after the first ',' (lftp's user,password) */
	K_EQ,		/* after the first '=' (kubectl --from-literal=k=v) */
	K_COOKIE,	/* the values of name=value; pairs */
	K_OPENSSL,	/* after "pass:" */
	K_MACOPT,	/* after "key:" or "hexkey:" */
	K_HEADER,	/* "Name: value" when the name says secret */
	K_SHELL,	/* a command string */
};
enum {
	O_BUNDLE = 1,	/* -abc is -a -b -c; otherwise -abc is -a with "bc" */
	O_DASHLONG = 2,	/* -name is a long option (openssl, keytool) */
	O_POSIXSTOP = 4,	/* options end at the first operand */
	O_PREFIX = 8,	/* --pass= abbreviates --password= (mysql) */
};

struct opt {
	const char *name;	/* one letter: short option */
	unsigned char arg, kind;
};

struct optspec {
	const struct opt *opts;
	unsigned flags;
};

struct call {
	struct scan *sc;
	size_t cmd;
	const size_t *argv;	/* argv[0]: the program */
	size_t argc;
	bool at_command;
	int depth;
	size_t *pos;		/* operands (argv indexes) */
	size_t npos;
	bool seen[128];		/* short options seen */
};

static const char *av(const struct call *k, size_t i) { return wval(k->sc, k->argv[i]); }
static size_t al(const struct call *k, size_t i) { return wlen(k->sc, k->argv[i]); }
static bool arg_is(const struct call *k, size_t i, const char *s) { return i < k->argc && mem_is(av(k, i), al(k, i), s); }
static bool pos_is(const struct call *k, size_t j, const char *s) { return j < k->npos && arg_is(k, k->pos[j], s); }
static bool pos_ieq(const struct call *k, size_t j, const char *s)
{
	return j < k->npos && mem_ieq(av(k, k->pos[j]), al(k, k->pos[j]), s);
}

static bool has_arg(const struct call *k, const char *s)
{
	for (size_t i = 1; i < k->argc; i++)
		if (arg_is(k, i, s))
			return true;
	return false;
}

static void header_value(struct ctx *c, const struct scan *sc, size_t w, size_t from)
{
	const char *v = wval(sc, w);
	size_t n = wlen(sc, w), p = from, ns, ne;

	while (p < n && (v[p] == ' ' || v[p] == '\t'))
		p++;
	ns = p;
	while (p < n && (is_ident((unsigned char)v[p]) || v[p] == '-'))
		p++;
	ne = p;
	while (p < n && (v[p] == ' ' || v[p] == '\t'))
		p++;
	if (ne == ns || p >= n || v[p] != ':' || (p + 1 < n && (v[p + 1] == '=' || v[p + 1] == '/')))
		return;
	p++;
	while (p < n && (v[p] == ' ' || v[p] == '\t'))
		p++;
	if (mem_ieq(v + ns, ne - ns, "authorization") || mem_ieq(v + ns, ne - ns, "proxy-authorization")) {
		size_t q = p;
		while (q < n && !is_blank((unsigned char)v[q]))
			q++;
		while (q < n && is_blank((unsigned char)v[q]))
			q++;
		if (q < n)
			p = q;	/* after the scheme: Bearer, Basic, token… */
	} else if (!mem_ieq(v + ns, ne - ns, "cookie") && !secret_name(v + ns, ne - ns)) {
		return;
	}
	while (n > p && is_blank((unsigned char)v[n - 1]))
		n--;
	mark_value(c, sc, w, p, n);
}

static void cookie_values(struct ctx *c, const struct scan *sc, size_t w, size_t from)
{
	const char *v = wval(sc, w);
	size_t n = wlen(sc, w), p = from;

	if (mem_find(v, n, '=', from) == NONE)
		return;		/* a cookie file */
	while (p < n) {
		size_t e = mem_find(v, n, ';', p), eq;
		if (e == NONE)
			e = n;
		eq = mem_find(v, e, '=', p);
		if (eq != NONE)
			mark_value(c, sc, w, eq + 1, e);
		p = e + 1;
	}
}

static void apply_kind(struct ctx *c, const struct scan *sc, unsigned kind, size_t w, size_t from)
{
	const char *v = wval(sc, w);
	size_t n = wlen(sc, w), p;

	switch (kind) {
	case K_WHOLE:
		mark_value(c, sc, w, from, n);
		break;
	case K_COLON:
	case K_PERCENT:
	case K_COMMA:
	case K_EQ:
		p = mem_find(v, n, kind == K_COLON ? ':' : kind == K_PERCENT ? '%' :
			     kind == K_COMMA ? ',' : '=', from);
		if (p != NONE)
			mark_value(c, sc, w, p + 1, n);
		break;
	case K_COOKIE:
		cookie_values(c, sc, w, from);
		break;
	case K_OPENSSL:
		if (mem_starts(v + from, n - from, "pass:"))
			mark_value(c, sc, w, from + 5, n);
		break;
	case K_MACOPT:
		if (mem_starts(v + from, n - from, "key:") || mem_starts(v + from, n - from, "hexkey:"))
			mark_value(c, sc, w, mem_find(v, n, ':', from) + 1, n);
		break;
	case K_HEADER:
		header_value(c, sc, w, from);
		break;
	case K_SHELL:
		recurse_word(c, sc, w, from);
		break;
	}
}

static const struct opt *find_opt(const struct optspec *spec, const char *name, size_t n, bool prefix)
{
	for (const struct opt *o = spec->opts; o && o->name; o++)
		if (mem_is(name, n, o->name))
			return o;
	if (prefix && n >= 4)
		for (const struct opt *o = spec->opts; o && o->name; o++)
			if (strlen(o->name) > n && memcmp(o->name, name, n) == 0)
				return o;
	return NULL;
}

static bool takes_next(const struct call *k, const struct opt *o, size_t i)
{
	if (i + 1 >= k->argc)
		return false;
	if (o->arg == A_REQ)
		return true;
	return o->arg == A_NODASH && !(al(k, i + 1) > 0 && av(k, i + 1)[0] == '-');
}

/* parse argv[from…] with spec, marking secret arguments when mark; the
 * operands go to k->pos */
static void scan_opts(struct ctx *c, struct call *k, const struct optspec *spec, size_t from, bool mark)
{
	bool stop = false;

	k->npos = 0;
	memset(k->seen, 0, sizeof k->seen);
	for (size_t i = from; i < k->argc; i++) {
		const char *v = av(k, i);
		size_t n = al(k, i);
		const struct opt *o;
		if (stop || n < 2 || v[0] != '-' || !spec) {
			k->pos[k->npos++] = i;
			if (spec && (spec->flags & O_POSIXSTOP))
				stop = true;
			continue;
		}
		if (n == 2 && v[1] == '-') {
			stop = true;
			continue;
		}
		if (v[1] == '-' || (spec->flags & O_DASHLONG)) {
			size_t ns = v[1] == '-' ? 2 : 1;
			size_t eq = mem_find(v, n, '=', ns);
			o = find_opt(spec, v + ns, (eq == NONE ? n : eq) - ns, spec->flags & O_PREFIX);
			if (!o || o->arg == A_NONE)
				continue;
			if (eq != NONE) {
				if (mark)
					apply_kind(c, k->sc, o->kind, k->argv[i], eq + 1);
			} else if (o->arg != A_ATTACHED && takes_next(k, o, i)) {
				if (mark)
					apply_kind(c, k->sc, o->kind, k->argv[i + 1], 0);
				i++;
			}
			continue;
		}
		for (size_t j = 1; j < n; j++) {
			unsigned char ch = (unsigned char)v[j];
			if (ch < 128)
				k->seen[ch] = true;
			o = find_opt(spec, v + j, 1, false);
			if (!o || o->arg == A_NONE) {
				if (spec->flags & O_BUNDLE)
					continue;
				break;
			}
			if (j + 1 < n) {
				if (mark)
					apply_kind(c, k->sc, o->kind, k->argv[i], j + 1);
			} else if (o->arg != A_ATTACHED && takes_next(k, o, i)) {
				if (mark)
					apply_kind(c, k->sc, o->kind, k->argv[i + 1], 0);
				i++;
			}
			break;
		}
	}
}

/* ------------------------------------------------------------------ */
/* programs */

enum stdin_mode {
	IN_NONE,
	IN_PASSWORD,	/* every line is a password (passwd --stdin, sudo -S) */
	IN_CHPASSWD,	/* user:password lines */
	IN_NEWUSERS,	/* name:password:uid:… lines */
	IN_SHELL,	/* commands (bash <<EOF, ssh host <<EOF) */
};

enum {
	F_NO_ARG_SECRET = 1,	/* its --password takes no next word (mysql, psql) */
	F_PREFIX = 2,		/* a wrapper: the command follows its options */
};

struct family {
	const char *rule;
	int (*fn)(struct ctx *c, struct call *k);
	unsigned flags;
	size_t skip;		/* F_PREFIX: operands before the command (timeout 5) */
	int id;
};

static void dispatch(struct ctx *c, struct scan *sc, size_t cmd, const size_t *argv, size_t argc, int depth);

/* the command that starts at operand j */
static void sub_command(struct ctx *c, struct call *k, size_t j)
{
	if (j < k->npos)
		dispatch(c, k->sc, k->cmd, k->argv + k->pos[j], k->argc - k->pos[j], k->depth + 1);
}

/* ssh host 'cmd', watch 'cmd': one word is a command string, several are a command */
static void sub_string_or_command(struct ctx *c, struct call *k, size_t j)
{
	if (j + 1 == k->npos && k->pos[j] == k->argc - 1)
		recurse_word(c, k->sc, k->argv[k->pos[j]], 0);
	else
		sub_command(c, k, j);
}

static void mark_pos(struct ctx *c, struct call *k, size_t j)
{
	if (j < k->npos)
		mark_value(c, k->sc, k->argv[k->pos[j]], 0, al(k, k->pos[j]));
}

#define OPTS(...) ((const struct opt[]){ __VA_ARGS__, { NULL, 0, 0 } })
#define SPEC(flags, ...) (&(const struct optspec){ OPTS(__VA_ARGS__), (flags) })

/* mysql family: -pX and --password=X; -p and --password alone prompt */
static const struct optspec *const mysql_spec = SPEC(O_BUNDLE | O_PREFIX,
	{ "D", A_REQ, 0 }, { "e", A_REQ, 0 }, { "h", A_REQ, 0 }, { "P", A_REQ, 0 },
	{ "S", A_REQ, 0 }, { "u", A_REQ, 0 }, { "p", A_ATTACHED, K_WHOLE },
	{ "password", A_ATTACHED, K_WHOLE }, { "user", A_REQ, 0 }, { "host", A_REQ, 0 },
	{ "port", A_REQ, 0 }, { "socket", A_REQ, 0 }, { "database", A_REQ, 0 },
	{ "execute", A_REQ, 0 });

static const struct optspec *const redis_spec = SPEC(0,
	{ "a", A_REQ, K_WHOLE }, { "pass", A_REQ, K_WHOLE }, { "user", A_REQ, 0 },
	{ "h", A_REQ, 0 }, { "p", A_REQ, 0 }, { "s", A_REQ, 0 }, { "u", A_REQ, 0 },
	{ "n", A_REQ, 0 }, { "r", A_REQ, 0 }, { "i", A_REQ, 0 }, { "d", A_REQ, 0 },
	{ "D", A_REQ, 0 }, { "rdb", A_REQ, 0 }, { "eval", A_REQ, 0 },
	{ "pipe-timeout", A_REQ, 0 }, { "cacert", A_REQ, 0 }, { "cacertdir", A_REQ, 0 },
	{ "cert", A_REQ, 0 }, { "key", A_REQ, 0 }, { "sni", A_REQ, 0 },
	{ "pattern", A_REQ, 0 }, { "count", A_REQ, 0 }, { "tls-ciphers", A_REQ, 0 });

/* redis-cli AUTH [user] pw, CONFIG SET requirepass pw, ACL SETUSER u >pw */
static int fn_redis(struct ctx *c, struct call *k)
{
	if (!k->at_command)
		return IN_NONE;
	if (pos_ieq(k, 0, "auth") && k->npos >= 2)
		mark_pos(c, k, k->npos - 1);
	if (pos_ieq(k, 0, "config") && pos_ieq(k, 1, "set") &&
	    (pos_ieq(k, 2, "requirepass") || pos_ieq(k, 2, "masterauth")))
		mark_pos(c, k, 3);
	if (pos_ieq(k, 0, "acl") && pos_ieq(k, 1, "setuser"))
		for (size_t j = 3; j < k->npos; j++)
			if (al(k, k->pos[j]) > 1 && (av(k, k->pos[j])[0] == '>' || av(k, k->pos[j])[0] == '#'))
				mark_value(c, k->sc, k->argv[k->pos[j]], 1, al(k, k->pos[j]));
	return IN_NONE;
}

#define LDAP_OPTS \
	{ "b", A_REQ, 0 }, { "D", A_REQ, 0 }, { "d", A_REQ, 0 }, { "e", A_REQ, 0 }, \
	{ "E", A_REQ, 0 }, { "f", A_REQ, 0 }, { "h", A_REQ, 0 }, { "H", A_REQ, 0 }, \
	{ "o", A_REQ, 0 }, { "O", A_REQ, 0 }, { "p", A_REQ, 0 }, { "P", A_REQ, 0 }, \
	{ "R", A_REQ, 0 }, { "T", A_REQ, 0 }, { "U", A_REQ, 0 }, { "X", A_REQ, 0 }, \
	{ "y", A_REQ, 0 }, { "Y", A_REQ, 0 }, { "w", A_REQ, K_WHOLE }
static const struct optspec *const ldap_spec = SPEC(O_BUNDLE, LDAP_OPTS,
	{ "a", A_REQ, 0 }, { "s", A_REQ, 0 }, { "l", A_REQ, 0 }, { "z", A_REQ, 0 });
static const struct optspec *const ldappasswd_spec = SPEC(O_BUNDLE, LDAP_OPTS,
	{ "a", A_REQ, K_WHOLE }, { "s", A_REQ, K_WHOLE }, { "t", A_REQ, 0 });

static const struct optspec *const sshpass_spec = SPEC(O_BUNDLE | O_POSIXSTOP,
	{ "p", A_REQ, K_WHOLE }, { "f", A_REQ, 0 }, { "d", A_REQ, 0 }, { "P", A_REQ, 0 },
	{ "e", A_ATTACHED, 0 });

static int fn_then_command(struct ctx *c, struct call *k)
{
	if (k->at_command)
		sub_command(c, k, 0);
	return IN_NONE;
}

static const struct optspec *const curl_spec = SPEC(O_BUNDLE,
	{ "u", A_REQ, K_COLON }, { "U", A_REQ, K_COLON }, { "E", A_REQ, K_COLON },
	{ "b", A_REQ, K_COOKIE }, { "H", A_REQ, K_HEADER },
	{ "A", A_REQ, 0 }, { "c", A_REQ, 0 }, { "C", A_REQ, 0 }, { "d", A_REQ, 0 },
	{ "D", A_REQ, 0 }, { "e", A_REQ, 0 }, { "F", A_REQ, 0 }, { "K", A_REQ, 0 },
	{ "m", A_REQ, 0 }, { "o", A_REQ, 0 }, { "P", A_REQ, 0 }, { "Q", A_REQ, 0 },
	{ "r", A_REQ, 0 }, { "t", A_REQ, 0 }, { "T", A_REQ, 0 }, { "w", A_REQ, 0 },
	{ "x", A_REQ, 0 }, { "X", A_REQ, 0 }, { "y", A_REQ, 0 }, { "Y", A_REQ, 0 },
	{ "z", A_REQ, 0 },
	{ "user", A_REQ, K_COLON }, { "proxy-user", A_REQ, K_COLON },
	{ "cert", A_REQ, K_COLON }, { "proxy-cert", A_REQ, K_COLON },
	{ "oauth2-bearer", A_REQ, K_WHOLE }, { "pass", A_REQ, K_WHOLE },
	{ "proxy-pass", A_REQ, K_WHOLE }, { "tlspassword", A_REQ, K_WHOLE },
	{ "proxy-tlspassword", A_REQ, K_WHOLE }, { "cookie", A_REQ, K_COOKIE },
	{ "header", A_REQ, K_HEADER }, { "proxy-header", A_REQ, K_HEADER },
	{ "data", A_REQ, 0 }, { "data-raw", A_REQ, 0 }, { "data-binary", A_REQ, 0 },
	{ "data-urlencode", A_REQ, 0 }, { "json", A_REQ, 0 }, { "form", A_REQ, 0 },
	{ "output", A_REQ, 0 }, { "request", A_REQ, 0 }, { "url", A_REQ, 0 },
	{ "proxy", A_REQ, 0 }, { "user-agent", A_REQ, 0 }, { "referer", A_REQ, 0 },
	{ "cacert", A_REQ, 0 }, { "key", A_REQ, 0 }, { "config", A_REQ, 0 },
	{ "resolve", A_REQ, 0 }, { "connect-to", A_REQ, 0 }, { "max-time", A_REQ, 0 },
	{ "write-out", A_REQ, 0 }, { "upload-file", A_REQ, 0 }, { "retry", A_REQ, 0 });

static const struct optspec *const wget_spec = SPEC(O_BUNDLE,
	{ "password", A_REQ, K_WHOLE }, { "http-password", A_REQ, K_WHOLE },
	{ "ftp-password", A_REQ, K_WHOLE }, { "proxy-password", A_REQ, K_WHOLE },
	{ "header", A_REQ, K_HEADER }, { "user", A_REQ, 0 }, { "http-user", A_REQ, 0 },
	{ "ftp-user", A_REQ, 0 }, { "proxy-user", A_REQ, 0 },
	{ "o", A_REQ, 0 }, { "a", A_REQ, 0 }, { "i", A_REQ, 0 }, { "B", A_REQ, 0 },
	{ "e", A_REQ, 0 }, { "O", A_REQ, 0 }, { "t", A_REQ, 0 }, { "T", A_REQ, 0 },
	{ "w", A_REQ, 0 }, { "Q", A_REQ, 0 }, { "P", A_REQ, 0 }, { "l", A_REQ, 0 },
	{ "A", A_REQ, 0 }, { "R", A_REQ, 0 }, { "D", A_REQ, 0 }, { "X", A_REQ, 0 },
	{ "I", A_REQ, 0 }, { "U", A_REQ, 0 });

static const struct optspec *const smb_spec = SPEC(O_BUNDLE,
	{ "U", A_REQ, K_PERCENT }, { "user", A_REQ, K_PERCENT },
	{ "password", A_REQ, K_WHOLE }, { "newpassword", A_REQ, K_WHOLE },
	{ "W", A_REQ, 0 }, { "I", A_REQ, 0 }, { "p", A_REQ, 0 }, { "c", A_REQ, 0 },
	{ "m", A_REQ, 0 }, { "s", A_REQ, 0 }, { "O", A_REQ, 0 }, { "n", A_REQ, 0 },
	{ "i", A_REQ, 0 }, { "R", A_REQ, 0 }, { "D", A_REQ, 0 }, { "L", A_REQ, 0 },
	{ "A", A_REQ, 0 }, { "t", A_REQ, 0 }, { "d", A_REQ, 0 },
	{ "workgroup", A_REQ, 0 }, { "authentication-file", A_REQ, 0 });

/* smbclient //server/share PASSWORD; samba-tool user create NAME PASSWORD */
static int fn_smb(struct ctx *c, struct call *k)
{
	const char *p = av(k, 0);
	size_t n = al(k, 0);

	if (!k->at_command)
		return IN_NONE;
	if (mem_is(p, n, "smbclient") && k->npos >= 2 &&
	    (mem_starts(av(k, k->pos[0]), al(k, k->pos[0]), "//") ||
	     mem_starts(av(k, k->pos[0]), al(k, k->pos[0]), "\\\\")))
		mark_pos(c, k, 1);
	if (mem_is(p, n, "samba-tool") && pos_is(k, 0, "user") &&
	    (pos_is(k, 1, "create") || pos_is(k, 1, "add")))
		mark_pos(c, k, 3);
	return IN_NONE;
}

static const struct optspec *const openssl_spec = SPEC(O_DASHLONG,
	{ "passin", A_REQ, K_OPENSSL }, { "passout", A_REQ, K_OPENSSL },
	{ "pass", A_REQ, K_OPENSSL }, { "password", A_REQ, K_OPENSSL },
	{ "k", A_REQ, K_WHOLE }, { "K", A_REQ, K_WHOLE }, { "macopt", A_REQ, K_MACOPT },
	{ "in", A_REQ, 0 }, { "out", A_REQ, 0 }, { "inform", A_REQ, 0 },
	{ "outform", A_REQ, 0 }, { "key", A_REQ, 0 }, { "cert", A_REQ, 0 },
	{ "CAfile", A_REQ, 0 }, { "CApath", A_REQ, 0 }, { "salt", A_REQ, 0 },
	{ "config", A_REQ, 0 }, { "subj", A_REQ, 0 }, { "days", A_REQ, 0 },
	{ "newkey", A_REQ, 0 }, { "name", A_REQ, 0 }, { "certfile", A_REQ, 0 },
	{ "inkey", A_REQ, 0 }, { "keyout", A_REQ, 0 }, { "signkey", A_REQ, 0 },
	{ "CA", A_REQ, 0 }, { "CAkey", A_REQ, 0 }, { "extfile", A_REQ, 0 },
	{ "extensions", A_REQ, 0 }, { "connect", A_REQ, 0 }, { "servername", A_REQ, 0 },
	{ "md", A_REQ, 0 }, { "iter", A_REQ, 0 }, { "iv", A_REQ, 0 }, { "S", A_REQ, 0 });

/* openssl passwd [-6] [-salt S] PASSWORD… */
static int fn_openssl(struct ctx *c, struct call *k)
{
	if (!k->at_command || !pos_is(k, 0, "passwd"))
		return IN_NONE;
	for (size_t j = 1; j < k->npos; j++)
		mark_pos(c, k, j);
	return has_arg(k, "-stdin") ? IN_PASSWORD : IN_NONE;
}

static const struct optspec *const registry_spec = SPEC(O_BUNDLE,
	{ "creds", A_REQ, K_COLON }, { "src-creds", A_REQ, K_COLON },
	{ "dest-creds", A_REQ, K_COLON }, { "H", A_REQ, 0 }, { "config", A_REQ, 0 },
	{ "context", A_REQ, 0 }, { "c", A_REQ, 0 }, { "l", A_REQ, 0 }, { "u", A_REQ, 0 },
	{ "username", A_REQ, 0 }, { "authfile", A_REQ, 0 }, { "n", A_REQ, 0 },
	{ "namespace", A_REQ, 0 }, { "kube-context", A_REQ, 0 });
static const struct optspec *const login_spec = SPEC(O_BUNDLE,
	{ "p", A_REQ, K_WHOLE }, { "password", A_REQ, K_WHOLE }, { "u", A_REQ, 0 },
	{ "username", A_REQ, 0 }, { "authfile", A_REQ, 0 }, { "H", A_REQ, 0 },
	{ "config", A_REQ, 0 }, { "context", A_REQ, 0 }, { "c", A_REQ, 0 });
static const struct optspec *const exec_spec = SPEC(O_BUNDLE | O_POSIXSTOP,
	{ "e", A_REQ, 0 }, { "env", A_REQ, 0 }, { "env-file", A_REQ, 0 },
	{ "u", A_REQ, 0 }, { "user", A_REQ, 0 }, { "w", A_REQ, 0 }, { "workdir", A_REQ, 0 },
	{ "detach-keys", A_REQ, 0 });

/* docker login -p X; docker exec CONTAINER cmd…; helm registry login */
static int fn_registry(struct ctx *c, struct call *k)
{
	size_t j = pos_is(k, 0, "registry") || pos_is(k, 0, "auth") ? 1 : 0;

	if (pos_is(k, j, "login")) {
		scan_opts(c, k, login_spec, 1, true);
		return has_arg(k, "--password-stdin") ? IN_PASSWORD : IN_NONE;
	}
	if (k->at_command && pos_is(k, 0, "exec")) {
		scan_opts(c, k, exec_spec, k->pos[0] + 1, false);
		sub_command(c, k, 1);
	}
	return IN_NONE;
}

/* htpasswd -b[cmBd…] FILE USER PASSWORD, htpasswd -nb USER PASSWORD */
static int fn_htpasswd(struct ctx *c, struct call *k)
{
	if (k->seen['b'] && k->npos >= (k->seen['n'] ? 2u : 3u))
		mark_pos(c, k, k->npos - 1);
	return k->seen['i'] && k->at_command ? IN_PASSWORD : IN_NONE;
}

static int fn_chpasswd(struct ctx *c, struct call *k)
{
	(void)c;
	return k->at_command ? IN_CHPASSWD : IN_NONE;
}

static int fn_newusers(struct ctx *c, struct call *k)
{
	(void)c;
	return k->at_command ? IN_NEWUSERS : IN_NONE;
}

static int fn_stdin_password(struct ctx *c, struct call *k)
{
	(void)c;
	return k->at_command ? IN_PASSWORD : IN_NONE;
}

static const struct optspec *const useradd_spec = SPEC(O_BUNDLE,
	{ "p", A_REQ, K_WHOLE }, { "password", A_REQ, K_WHOLE },
	{ "b", A_REQ, 0 }, { "c", A_REQ, 0 }, { "d", A_REQ, 0 }, { "e", A_REQ, 0 },
	{ "f", A_REQ, 0 }, { "g", A_REQ, 0 }, { "G", A_REQ, 0 }, { "k", A_REQ, 0 },
	{ "K", A_REQ, 0 }, { "s", A_REQ, 0 }, { "u", A_REQ, 0 }, { "R", A_REQ, 0 },
	{ "P", A_REQ, 0 }, { "Z", A_REQ, 0 }, { "l", A_REQ, 0 }, { "comment", A_REQ, 0 },
	{ "home-dir", A_REQ, 0 }, { "shell", A_REQ, 0 }, { "groups", A_REQ, 0 });

static const struct optspec *const sshkeygen_spec = SPEC(O_BUNDLE,
	{ "N", A_REQ, K_WHOLE }, { "P", A_REQ, K_WHOLE },
	{ "C", A_REQ, 0 }, { "D", A_REQ, 0 }, { "E", A_REQ, 0 }, { "F", A_REQ, 0 },
	{ "I", A_REQ, 0 }, { "M", A_REQ, 0 }, { "O", A_REQ, 0 }, { "R", A_REQ, 0 },
	{ "V", A_REQ, 0 }, { "Y", A_REQ, 0 }, { "Z", A_REQ, 0 }, { "a", A_REQ, 0 },
	{ "b", A_REQ, 0 }, { "f", A_REQ, 0 }, { "j", A_REQ, 0 }, { "m", A_REQ, 0 },
	{ "n", A_REQ, 0 }, { "r", A_REQ, 0 }, { "s", A_REQ, 0 }, { "t", A_REQ, 0 },
	{ "w", A_REQ, 0 }, { "z", A_REQ, 0 });

static const struct optspec *const ipmitool_spec = SPEC(O_BUNDLE,
	{ "P", A_REQ, K_WHOLE }, { "k", A_REQ, K_WHOLE }, { "y", A_REQ, K_WHOLE },
	{ "I", A_REQ, 0 }, { "H", A_REQ, 0 }, { "p", A_REQ, 0 }, { "U", A_REQ, 0 },
	{ "L", A_REQ, 0 }, { "t", A_REQ, 0 }, { "b", A_REQ, 0 }, { "m", A_REQ, 0 },
	{ "T", A_REQ, 0 }, { "B", A_REQ, 0 }, { "A", A_REQ, 0 }, { "f", A_REQ, 0 },
	{ "R", A_REQ, 0 }, { "N", A_REQ, 0 }, { "C", A_REQ, 0 }, { "o", A_REQ, 0 },
	{ "O", A_REQ, 0 }, { "e", A_REQ, 0 });

static const struct optspec *const zip_spec = SPEC(O_BUNDLE,
	{ "P", A_REQ, K_WHOLE }, { "password", A_REQ, K_WHOLE }, { "d", A_REQ, 0 },
	{ "b", A_REQ, 0 }, { "n", A_REQ, 0 }, { "t", A_REQ, 0 });

/* 7z -pSECRET, rar -pSECRET -hpSECRET: attached only, -p alone prompts */
static int fn_7z(struct ctx *c, struct call *k)
{
	for (size_t i = 1; i < k->argc; i++) {
		const char *v = av(k, i);
		size_t n = al(k, i);
		if (mem_starts(v, n, "-p") && n > 2)
			mark_value(c, k->sc, k->argv[i], 2, n);
		else if (mem_starts(v, n, "-hp") && n > 3)
			mark_value(c, k->sc, k->argv[i], 3, n);
	}
	return IN_NONE;
}

static const struct optspec *const mongo_spec = SPEC(O_BUNDLE,
	{ "p", A_NODASH, K_WHOLE }, { "password", A_NODASH, K_WHOLE },
	{ "u", A_REQ, 0 }, { "username", A_REQ, 0 }, { "h", A_REQ, 0 }, { "host", A_REQ, 0 },
	{ "port", A_REQ, 0 }, { "d", A_REQ, 0 }, { "db", A_REQ, 0 }, { "c", A_REQ, 0 },
	{ "o", A_REQ, 0 }, { "out", A_REQ, 0 }, { "uri", A_REQ, 0 }, { "eval", A_REQ, 0 },
	{ "authenticationDatabase", A_REQ, 0 }, { "authenticationMechanism", A_REQ, 0 });

static const struct optspec *const vault_spec = SPEC(O_DASHLONG,
	{ "token", A_REQ, K_WHOLE }, { "method", A_REQ, 0 }, { "path", A_REQ, 0 },
	{ "address", A_REQ, 0 }, { "namespace", A_REQ, 0 }, { "format", A_REQ, 0 },
	{ "field", A_REQ, 0 }, { "ca-cert", A_REQ, 0 }, { "client-cert", A_REQ, 0 },
	{ "client-key", A_REQ, 0 }, { "mfa", A_REQ, 0 }, { "wrap-ttl", A_REQ, 0 });

/* vault login TOKEN (but vault login -method=userpass username=x) */
static int fn_vault(struct ctx *c, struct call *k)
{
	if (!k->at_command || !pos_is(k, 0, "login"))
		return IN_NONE;
	for (size_t j = 1; j < k->npos; j++)
		if (mem_find(av(k, k->pos[j]), al(k, k->pos[j]), '=', 0) == NONE)
			mark_pos(c, k, j);
	return pos_is(k, 1, "-") ? IN_PASSWORD : IN_NONE;
}

static const struct optspec *const keytool_spec = SPEC(O_DASHLONG,
	{ "storepass", A_REQ, K_WHOLE }, { "keypass", A_REQ, K_WHOLE },
	{ "srcstorepass", A_REQ, K_WHOLE }, { "deststorepass", A_REQ, K_WHOLE },
	{ "srckeypass", A_REQ, K_WHOLE }, { "destkeypass", A_REQ, K_WHOLE },
	{ "new", A_REQ, K_WHOLE }, { "alias", A_REQ, 0 }, { "keystore", A_REQ, 0 },
	{ "file", A_REQ, 0 }, { "dname", A_REQ, 0 }, { "keyalg", A_REQ, 0 },
	{ "keysize", A_REQ, 0 }, { "validity", A_REQ, 0 }, { "storetype", A_REQ, 0 },
	{ "srckeystore", A_REQ, 0 }, { "destkeystore", A_REQ, 0 }, { "ext", A_REQ, 0 },
	{ "sigalg", A_REQ, 0 }, { "srcstoretype", A_REQ, 0 }, { "deststoretype", A_REQ, 0 },
	{ "srcalias", A_REQ, 0 }, { "destalias", A_REQ, 0 }, { "signedjar", A_REQ, 0 },
	{ "tsa", A_REQ, 0 });

static const struct optspec *const mosquitto_spec = SPEC(0,
	{ "P", A_REQ, K_WHOLE }, { "pw", A_REQ, K_WHOLE }, { "psk", A_REQ, K_WHOLE },
	{ "h", A_REQ, 0 }, { "p", A_REQ, 0 }, { "t", A_REQ, 0 }, { "m", A_REQ, 0 },
	{ "u", A_REQ, 0 }, { "i", A_REQ, 0 }, { "I", A_REQ, 0 }, { "k", A_REQ, 0 },
	{ "q", A_REQ, 0 }, { "f", A_REQ, 0 }, { "L", A_REQ, 0 }, { "psk-identity", A_REQ, 0 },
	{ "cafile", A_REQ, 0 }, { "cert", A_REQ, 0 }, { "key", A_REQ, 0 });

/* sqlplus user/password@db (not /nolog, not @script) */
static void mark_userpass(struct ctx *c, struct call *k, size_t j)
{
	const char *v;
	size_t n, sl, at_;

	if (j >= k->npos)
		return;
	v = av(k, k->pos[j]);
	n = al(k, k->pos[j]);
	sl = mem_find(v, n, '/', 0);
	if (sl == NONE || sl == 0 || v[0] == '@')
		return;
	at_ = mem_find(v, n, '@', sl);
	mark_value(c, k->sc, k->argv[k->pos[j]], sl + 1, at_ == NONE ? n : at_);
}

static const struct optspec *const oracle_spec = SPEC(0,
	{ "M", A_REQ, 0 }, { "R", A_REQ, 0 }, { "F", A_NONE, 0 });

static int fn_oracle(struct ctx *c, struct call *k)
{
	if (!k->at_command)
		return IN_NONE;
	if (mem_is(av(k, 0), al(k, 0), "rman")) {
		for (size_t j = 0; j + 1 < k->npos; j++)
			if (pos_ieq(k, j, "target") || pos_ieq(k, j, "catalog") || pos_ieq(k, j, "auxiliary"))
				mark_userpass(c, k, j + 1);
	} else {
		mark_userpass(c, k, 0);
	}
	return IN_NONE;
}

/* xfreerdp /u:alice /p:SECRET (also /gp: gateway, /pth: hash) */
static int fn_freerdp(struct ctx *c, struct call *k)
{
	for (size_t i = 1; i < k->argc; i++) {
		const char *v = av(k, i);
		size_t n = al(k, i);
		if (mem_starts(v, n, "/p:") || mem_starts(v, n, "/gp:") || mem_starts(v, n, "/pth:") ||
		    mem_starts(v, n, "-p:"))
			mark_value(c, k->sc, k->argv[i], mem_find(v, n, ':', 0) + 1, n);
	}
	return IN_NONE;
}

static const struct optspec *const rdesktop_spec = SPEC(O_BUNDLE,
	{ "p", A_REQ, K_WHOLE }, { "u", A_REQ, 0 }, { "d", A_REQ, 0 }, { "s", A_REQ, 0 },
	{ "c", A_REQ, 0 }, { "n", A_REQ, 0 }, { "k", A_REQ, 0 }, { "g", A_REQ, 0 },
	{ "a", A_REQ, 0 }, { "r", A_REQ, 0 }, { "T", A_REQ, 0 });

static const struct optspec *const rabbitmq_spec = SPEC(O_BUNDLE,
	{ "n", A_REQ, 0 }, { "node", A_REQ, 0 }, { "t", A_REQ, 0 }, { "timeout", A_REQ, 0 },
	{ "p", A_REQ, 0 }, { "vhost", A_REQ, 0 });

/* rabbitmqctl add_user NAME PASSWORD, change_password, authenticate_user */
static int fn_rabbitmq(struct ctx *c, struct call *k)
{
	if (k->at_command && (pos_is(k, 0, "add_user") || pos_is(k, 0, "change_password") ||
			      pos_is(k, 0, "authenticate_user")))
		mark_pos(c, k, 2);
	return IN_NONE;
}

/* wpa_passphrase SSID PASSPHRASE (or on stdin) */
static int fn_wpa_passphrase(struct ctx *c, struct call *k)
{
	if (!k->at_command)
		return IN_NONE;
	mark_pos(c, k, 1);
	return k->npos == 1 ? IN_PASSWORD : IN_NONE;
}

/* nmcli … password X / wifi-sec.psk X; wpa_cli set_network 0 psk '"X"' */
static int fn_pairs(struct ctx *c, struct call *k)
{
	for (size_t j = 0; j + 1 < k->npos; j++)
		if (secret_name(av(k, k->pos[j]), al(k, k->pos[j])) &&
		    mem_find(av(k, k->pos[j]), al(k, k->pos[j]), '=', 0) == NONE) {
			mark_pos(c, k, j + 1);
			j++;
		}
	return IN_NONE;
}

static const struct optspec *const mkpasswd_spec = SPEC(O_BUNDLE,
	{ "m", A_REQ, 0 }, { "method", A_REQ, 0 }, { "S", A_REQ, 0 }, { "salt", A_REQ, 0 },
	{ "R", A_REQ, 0 }, { "rounds", A_REQ, 0 }, { "P", A_REQ, 0 }, { "password-fd", A_REQ, 0 });

static int fn_mkpasswd(struct ctx *c, struct call *k)
{
	if (!k->at_command)
		return IN_NONE;
	mark_pos(c, k, 0);
	return k->seen['s'] || has_arg(k, "--stdin") ? IN_PASSWORD : IN_NONE;
}

/* mc alias set NAME URL ACCESS SECRET; mc config host add NAME URL ACCESS SECRET */
static int fn_minio(struct ctx *c, struct call *k)
{
	size_t j = NONE;

	if (!k->at_command)
		return IN_NONE;
	if (pos_is(k, 0, "alias") && pos_is(k, 1, "set"))
		j = 4;
	else if (pos_is(k, 0, "config") && pos_is(k, 1, "host") && pos_is(k, 2, "add"))
		j = 5;
	if (j != NONE) {
		mark_pos(c, k, j);
		mark_pos(c, k, j + 1);
	}
	return IN_NONE;
}

static const struct optspec *const global_spec = SPEC(O_BUNDLE,
	{ "profile", A_REQ, 0 }, { "region", A_REQ, 0 }, { "output", A_REQ, 0 },
	{ "endpoint-url", A_REQ, 0 }, { "C", A_REQ, 0 }, { "c", A_REQ, 0 },
	{ "git-dir", A_REQ, 0 }, { "work-tree", A_REQ, 0 }, { "f", A_REQ, 0 },
	{ "file", A_REQ, 0 }, { "blob", A_REQ, 0 }, { "type", A_REQ, 0 },
	{ "default", A_REQ, 0 }, { "location", A_REQ, 0 }, { "userconfig", A_REQ, 0 },
	{ "b", A_REQ, 0 }, { "body", A_REQ, 0 }, { "R", A_REQ, 0 },
	{ "repo", A_REQ, 0 }, { "e", A_REQ, 0 }, { "env", A_REQ, 0 }, { "o", A_REQ, 0 },
	{ "org", A_REQ, 0 });

static const struct optspec *const gh_secret_spec = SPEC(O_BUNDLE,
	{ "b", A_REQ, K_WHOLE }, { "body", A_REQ, K_WHOLE }, { "R", A_REQ, 0 },
	{ "repo", A_REQ, 0 }, { "e", A_REQ, 0 }, { "env", A_REQ, 0 }, { "o", A_REQ, 0 },
	{ "org", A_REQ, 0 });

/* "config set KEY VALUE" and friends: the value when the key says secret */
static void config_pair(struct ctx *c, struct call *k, size_t j)
{
	const char *key;
	size_t n, eq;

	if (j >= k->npos)
		return;
	key = av(k, k->pos[j]);
	n = al(k, k->pos[j]);
	eq = mem_find(key, n, '=', 0);
	if (eq != NONE) {
		if (secret_name(key, eq))
			mark_value(c, k->sc, k->argv[k->pos[j]], eq + 1, n);
		return;
	}
	if (j + 1 < k->npos && secret_name(key, n))
		mark_pos(c, k, j + 1);
}

static int fn_config(struct ctx *c, struct call *k)
{
	const char *p = av(k, 0);
	size_t n = al(k, 0);

	if (!k->at_command)
		return IN_NONE;
	if (mem_is(p, n, "aws") && pos_is(k, 0, "configure") && pos_is(k, 1, "set")) {
		config_pair(c, k, 2);
	} else if (mem_is(p, n, "git") && pos_is(k, 0, "config")) {
		config_pair(c, k, pos_is(k, 1, "set") ? 2 : 1);
	} else if (mem_is(p, n, "gh")) {
		if (pos_is(k, 0, "secret") && pos_is(k, 1, "set"))
			scan_opts(c, k, gh_secret_spec, 1, true);
		if (pos_is(k, 0, "auth") && pos_is(k, 1, "login") && has_arg(k, "--with-token"))
			return IN_PASSWORD;
	} else if (pos_is(k, 0, "config") && pos_is(k, 1, "set")) {
		config_pair(c, k, 2);	/* npm, yarn, pnpm */
	} else if (pos_is(k, 0, "set")) {
		config_pair(c, k, 1);	/* npm set */
	}
	return IN_NONE;
}

/* composer config [-g] http-basic.HOST USER PASSWORD, github-oauth.HOST TOKEN */
static int fn_composer(struct ctx *c, struct call *k)
{
	const char *key;
	size_t n;

	if (!k->at_command || !pos_is(k, 0, "config") || k->npos < 3)
		return IN_NONE;
	key = av(k, k->pos[1]);
	n = al(k, k->pos[1]);
	if (mem_starts(key, n, "http-basic."))
		mark_pos(c, k, 3);
	else if (mem_starts(key, n, "github-oauth.") || mem_starts(key, n, "gitlab-token.") ||
		 mem_starts(key, n, "gitlab-oauth.") || mem_starts(key, n, "bearer."))
		mark_pos(c, k, 2);
	return IN_NONE;
}

static const struct optspec *const kubectl_spec = SPEC(O_BUNDLE,
	{ "token", A_REQ, K_WHOLE }, { "password", A_REQ, K_WHOLE },
	{ "from-literal", A_REQ, K_NONE }, { "n", A_REQ, 0 }, { "namespace", A_REQ, 0 },
	{ "context", A_REQ, 0 }, { "cluster", A_REQ, 0 }, { "kubeconfig", A_REQ, 0 },
	{ "server", A_REQ, 0 }, { "s", A_REQ, 0 }, { "c", A_REQ, 0 }, { "container", A_REQ, 0 },
	{ "f", A_REQ, 0 }, { "filename", A_REQ, 0 }, { "o", A_REQ, 0 }, { "l", A_REQ, 0 });
static const struct optspec *const kubectl_secret_spec = SPEC(O_BUNDLE,
	{ "from-literal", A_REQ, K_EQ });

/* kubectl create secret … --from-literal=K=V; kubectl exec POD -- cmd */
static int fn_kubectl(struct ctx *c, struct call *k)
{
	if (pos_is(k, 0, "create") && pos_is(k, 1, "secret")) {
		scan_opts(c, k, kubectl_secret_spec, 1, true);
		return IN_NONE;
	}
	if (k->at_command && pos_is(k, 0, "exec")) {
		for (size_t i = k->pos[0] + 1; i < k->argc; i++)
			if (arg_is(k, i, "--")) {
				dispatch(c, k->sc, k->cmd, k->argv + i + 1, k->argc - i - 1, k->depth + 1);
				break;
			}
	}
	return IN_NONE;
}

static const struct optspec *const httpie_spec = SPEC(O_BUNDLE,
	{ "a", A_REQ, K_COLON }, { "auth", A_REQ, K_COLON }, { "A", A_REQ, 0 },
	{ "auth-type", A_REQ, 0 }, { "session", A_REQ, 0 }, { "o", A_REQ, 0 },
	{ "output", A_REQ, 0 }, { "p", A_REQ, 0 }, { "print", A_REQ, 0 },
	{ "verify", A_REQ, 0 }, { "cert", A_REQ, 0 }, { "cert-key", A_REQ, 0 },
	{ "proxy", A_REQ, 0 }, { "timeout", A_REQ, 0 });

/* http GET url X-Api-Key:SECRET */
static int fn_httpie(struct ctx *c, struct call *k)
{
	for (size_t j = 0; j < k->npos; j++)
		header_value(c, k->sc, k->argv[k->pos[j]], 0);
	return IN_NONE;
}

static const struct optspec *const loadtest_spec = SPEC(O_BUNDLE,
	{ "H", A_REQ, K_HEADER }, { "header", A_REQ, K_HEADER }, { "A", A_REQ, K_COLON },
	{ "P", A_REQ, K_COLON }, { "a", A_REQ, K_COLON }, { "C", A_REQ, K_COOKIE },
	{ "n", A_REQ, 0 }, { "c", A_REQ, 0 }, { "t", A_REQ, 0 }, { "m", A_REQ, 0 },
	{ "d", A_REQ, 0 }, { "D", A_REQ, 0 }, { "T", A_REQ, 0 }, { "p", A_REQ, 0 },
	{ "z", A_REQ, 0 }, { "r", A_REQ, 0 }, { "f", A_REQ, 0 }, { "q", A_REQ, 0 },
	{ "rpc-header", A_REQ, K_HEADER });

static const struct optspec *const lftp_spec = SPEC(O_BUNDLE,
	{ "u", A_REQ, K_COMMA }, { "user", A_REQ, K_COMMA }, { "p", A_REQ, 0 },
	{ "e", A_REQ, K_SHELL }, { "c", A_REQ, K_SHELL }, { "f", A_REQ, 0 });

/* sh -c 'cmd', bash -lc 'cmd'; bash <<EOF reads commands */
static int fn_shell(struct ctx *c, struct call *k)
{
	if (!k->at_command)
		return IN_NONE;
	if (k->seen['c']) {
		if (k->npos)
			recurse_word(c, k->sc, k->argv[k->pos[0]], 0);
		return IN_NONE;
	}
	return k->npos == 0 || arg_is(k, k->pos[0], "-") ? IN_SHELL : IN_NONE;
}

static const struct optspec *const shell_spec = SPEC(O_BUNDLE,
	{ "o", A_REQ, 0 }, { "O", A_REQ, 0 }, { "rcfile", A_REQ, 0 },
	{ "init-file", A_REQ, 0 });

static const struct optspec *const su_spec = SPEC(O_BUNDLE,
	{ "c", A_REQ, K_SHELL }, { "command", A_REQ, K_SHELL },
	{ "session-command", A_REQ, K_SHELL }, { "s", A_REQ, 0 }, { "shell", A_REQ, 0 },
	{ "g", A_REQ, 0 }, { "group", A_REQ, 0 }, { "G", A_REQ, 0 },
	{ "supp-group", A_REQ, 0 }, { "w", A_REQ, 0 }, { "u", A_REQ, 0 }, { "user", A_REQ, 0 });

/* runuser -u USER -- cmd, flock FILE cmd */
static int fn_su(struct ctx *c, struct call *k)
{
	if (!k->at_command)
		return IN_NONE;
	if (mem_is(av(k, 0), al(k, 0), "runuser") && (k->seen['u'] || has_arg(k, "--user")))
		sub_command(c, k, 0);
	else if (mem_is(av(k, 0), al(k, 0), "flock"))
		sub_command(c, k, 1);
	return IN_NONE;
}

static const struct optspec *const ssh_spec = SPEC(O_BUNDLE | O_POSIXSTOP,
	{ "B", A_REQ, 0 }, { "b", A_REQ, 0 }, { "c", A_REQ, 0 }, { "D", A_REQ, 0 },
	{ "E", A_REQ, 0 }, { "e", A_REQ, 0 }, { "F", A_REQ, 0 }, { "I", A_REQ, 0 },
	{ "i", A_REQ, 0 }, { "J", A_REQ, 0 }, { "L", A_REQ, 0 }, { "l", A_REQ, 0 },
	{ "m", A_REQ, 0 }, { "O", A_REQ, 0 }, { "o", A_REQ, 0 }, { "p", A_REQ, 0 },
	{ "P", A_REQ, 0 }, { "Q", A_REQ, 0 }, { "R", A_REQ, 0 }, { "S", A_REQ, 0 },
	{ "W", A_REQ, 0 }, { "w", A_REQ, 0 });

/* ssh [opts] HOST [opts] [cmd…] */
static int fn_ssh(struct ctx *c, struct call *k)
{
	size_t host;

	if (!k->at_command)
		return IN_NONE;
	if (k->npos == 0)
		return IN_NONE;
	host = k->pos[0];
	scan_opts(c, k, ssh_spec, host + 1, false);
	if (k->npos == 0)
		return IN_SHELL;
	sub_string_or_command(c, k, 0);
	return IN_NONE;
}

static const struct optspec *const watch_spec = SPEC(O_BUNDLE | O_POSIXSTOP,
	{ "n", A_REQ, 0 }, { "interval", A_REQ, 0 }, { "q", A_REQ, 0 }, { "g", A_NONE, 0 });

static int fn_watch(struct ctx *c, struct call *k)
{
	if (k->at_command && k->npos)
		sub_string_or_command(c, k, 0);
	return IN_NONE;
}

static int fn_eval(struct ctx *c, struct call *k)
{
	if (!k->at_command)
		return IN_NONE;
	for (size_t i = 1; i < k->argc; i++)
		recurse_word(c, k->sc, k->argv[i], 0);
	return IN_NONE;
}

/* wrappers: the command follows their options (and skip operands) */
static const struct optspec *const sudo_spec = SPEC(O_BUNDLE | O_POSIXSTOP,
	{ "u", A_REQ, 0 }, { "g", A_REQ, 0 }, { "h", A_REQ, 0 }, { "p", A_REQ, 0 },
	{ "C", A_REQ, 0 }, { "D", A_REQ, 0 }, { "R", A_REQ, 0 }, { "T", A_REQ, 0 },
	{ "U", A_REQ, 0 }, { "r", A_REQ, 0 }, { "t", A_REQ, 0 }, { "user", A_REQ, 0 },
	{ "group", A_REQ, 0 }, { "host", A_REQ, 0 }, { "prompt", A_REQ, 0 },
	{ "close-from", A_REQ, 0 }, { "chdir", A_REQ, 0 }, { "chroot", A_REQ, 0 },
	{ "command-timeout", A_REQ, 0 }, { "other-user", A_REQ, 0 }, { "role", A_REQ, 0 },
	{ "type", A_REQ, 0 });
static const struct optspec *const env_spec = SPEC(O_BUNDLE | O_POSIXSTOP,
	{ "u", A_REQ, 0 }, { "unset", A_REQ, 0 }, { "C", A_REQ, 0 }, { "chdir", A_REQ, 0 },
	{ "S", A_REQ, K_SHELL }, { "split-string", A_REQ, K_SHELL });
static const struct optspec *const prefix_spec = SPEC(O_BUNDLE | O_POSIXSTOP,
	/* doas, exec, nice, timeout, ionice, stdbuf, time, chroot, xargs… */
	{ "u", A_REQ, 0 }, { "C", A_REQ, 0 }, { "a", A_REQ, 0 }, { "n", A_REQ, 0 },
	{ "adjustment", A_REQ, 0 }, { "s", A_REQ, 0 }, { "k", A_REQ, 0 },
	{ "signal", A_REQ, 0 }, { "kill-after", A_REQ, 0 }, { "c", A_REQ, 0 },
	{ "classdata", A_REQ, 0 }, { "i", A_ATTACHED, 0 }, { "o", A_REQ, 0 },
	{ "e", A_ATTACHED, 0 }, { "f", A_REQ, 0 }, { "format", A_REQ, 0 },
	{ "output", A_REQ, 0 }, { "userspec", A_REQ, 0 }, { "groups", A_REQ, 0 },
	{ "I", A_REQ, 0 }, { "d", A_REQ, 0 }, { "E", A_REQ, 0 }, { "L", A_REQ, 0 },
	{ "l", A_ATTACHED, 0 }, { "P", A_REQ, 0 }, { "replace", A_REQ, 0 },
	{ "max-args", A_REQ, 0 }, { "max-procs", A_REQ, 0 }, { "delimiter", A_REQ, 0 },
	{ "arg-file", A_REQ, 0 }, { "max-lines", A_REQ, 0 }, { "max-chars", A_REQ, 0 });
static const struct optspec *const flags_only = SPEC(O_BUNDLE | O_POSIXSTOP, { "-", A_NONE, 0 });
static const struct optspec *const plain_spec = SPEC(O_BUNDLE, { "-", A_NONE, 0 });
static const struct optspec *const htpasswd_spec = SPEC(O_BUNDLE | O_POSIXSTOP,
	{ "C", A_REQ, 0 }, { "r", A_REQ, 0 });

enum {
	FAM_NONE, FAM_MYSQL, FAM_LIBPQ, FAM_REDIS, FAM_LDAP, FAM_LDAPPASSWD, FAM_SSHPASS,
	FAM_CURL, FAM_WGET, FAM_SMB, FAM_OPENSSL, FAM_REGISTRY, FAM_HTPASSWD,
	FAM_CHPASSWD, FAM_NEWUSERS, FAM_STDIN, FAM_USERADD, FAM_SSHKEYGEN, FAM_IPMITOOL,
	FAM_ZIP, FAM_7Z, FAM_MONGO, FAM_VAULT, FAM_KEYTOOL, FAM_MOSQUITTO, FAM_ORACLE,
	FAM_FREERDP, FAM_RDESKTOP, FAM_RABBITMQ, FAM_WPA, FAM_PAIRS, FAM_MKPASSWD,
	FAM_MINIO, FAM_CONFIG, FAM_COMPOSER, FAM_KUBECTL, FAM_HTTPIE, FAM_LOADTEST,
	FAM_LFTP, FAM_SHELL, FAM_SU, FAM_SSH, FAM_WATCH, FAM_EVAL,
	FAM_SUDO, FAM_ENV, FAM_PREFIX, FAM_PREFIXF, FAM_PREFIX1, FAM_RESERVED, FAM_COUNT
};

static const struct family families[] = {
	[FAM_MYSQL] = { "mysql-password", NULL, F_NO_ARG_SECRET, 0, FAM_MYSQL },
	[FAM_LIBPQ] = { "option-secret", NULL, F_NO_ARG_SECRET, 0, FAM_LIBPQ },
	[FAM_REDIS] = { "redis-password", fn_redis, 0, 0, FAM_REDIS },
	[FAM_LDAP] = { "ldap-password", NULL, 0, 0, FAM_LDAP },
	[FAM_LDAPPASSWD] = { "ldap-password", NULL, 0, 0, FAM_LDAPPASSWD },
	[FAM_SSHPASS] = { "sshpass-password", fn_then_command, 0, 0, FAM_SSHPASS },
	[FAM_CURL] = { "curl-credentials", NULL, 0, 0, FAM_CURL },
	[FAM_WGET] = { "wget-password", NULL, 0, 0, FAM_WGET },
	[FAM_SMB] = { "smb-password", fn_smb, 0, 0, FAM_SMB },
	[FAM_OPENSSL] = { "openssl-password", fn_openssl, F_NO_ARG_SECRET, 0, FAM_OPENSSL },
	[FAM_REGISTRY] = { "registry-login", fn_registry, 0, 0, FAM_REGISTRY },
	[FAM_HTPASSWD] = { "htpasswd-password", fn_htpasswd, 0, 0, FAM_HTPASSWD },
	[FAM_CHPASSWD] = { "stdin-password", fn_chpasswd, 0, 0, FAM_CHPASSWD },
	[FAM_NEWUSERS] = { "stdin-password", fn_newusers, 0, 0, FAM_NEWUSERS },
	[FAM_STDIN] = { "stdin-password", fn_stdin_password, 0, 0, FAM_STDIN },
	[FAM_USERADD] = { "useradd-password", NULL, 0, 0, FAM_USERADD },
	[FAM_SSHKEYGEN] = { "ssh-keygen-passphrase", NULL, 0, 0, FAM_SSHKEYGEN },
	[FAM_IPMITOOL] = { "ipmitool-password", NULL, 0, 0, FAM_IPMITOOL },
	[FAM_ZIP] = { "archive-password", NULL, 0, 0, FAM_ZIP },
	[FAM_7Z] = { "archive-password", fn_7z, 0, 0, FAM_7Z },
	[FAM_MONGO] = { "mongo-password", NULL, 0, 0, FAM_MONGO },
	[FAM_VAULT] = { "vault-token", fn_vault, 0, 0, FAM_VAULT },
	[FAM_KEYTOOL] = { "keytool-password", NULL, 0, 0, FAM_KEYTOOL },
	[FAM_MOSQUITTO] = { "mosquitto-password", NULL, 0, 0, FAM_MOSQUITTO },
	[FAM_ORACLE] = { "oracle-connect", fn_oracle, 0, 0, FAM_ORACLE },
	[FAM_FREERDP] = { "rdp-password", fn_freerdp, 0, 0, FAM_FREERDP },
	[FAM_RDESKTOP] = { "rdp-password", NULL, 0, 0, FAM_RDESKTOP },
	[FAM_RABBITMQ] = { "rabbitmq-password", fn_rabbitmq, 0, 0, FAM_RABBITMQ },
	[FAM_WPA] = { "wifi-passphrase", fn_wpa_passphrase, 0, 0, FAM_WPA },
	[FAM_PAIRS] = { "wifi-passphrase", fn_pairs, 0, 0, FAM_PAIRS },
	[FAM_MKPASSWD] = { "mkpasswd-password", fn_mkpasswd, 0, 0, FAM_MKPASSWD },
	[FAM_MINIO] = { "config-set", fn_minio, 0, 0, FAM_MINIO },
	[FAM_CONFIG] = { "config-set", fn_config, 0, 0, FAM_CONFIG },
	[FAM_COMPOSER] = { "config-set", fn_composer, 0, 0, FAM_COMPOSER },
	[FAM_KUBECTL] = { "kubectl-secret", fn_kubectl, 0, 0, FAM_KUBECTL },
	[FAM_HTTPIE] = { "http-header", fn_httpie, 0, 0, FAM_HTTPIE },
	[FAM_LOADTEST] = { "http-header", NULL, 0, 0, FAM_LOADTEST },
	[FAM_LFTP] = { "lftp-password", NULL, 0, 0, FAM_LFTP },
	[FAM_SHELL] = { "command-string", fn_shell, 0, 0, FAM_SHELL },
	[FAM_SU] = { "command-string", fn_su, 0, 0, FAM_SU },
	[FAM_SSH] = { "command-string", fn_ssh, 0, 0, FAM_SSH },
	[FAM_WATCH] = { "command-string", fn_watch, 0, 0, FAM_WATCH },
	[FAM_EVAL] = { "command-string", fn_eval, 0, 0, FAM_EVAL },
	[FAM_SUDO] = { "wrapper", NULL, F_PREFIX, 0, FAM_SUDO },
	[FAM_ENV] = { "wrapper", NULL, F_PREFIX, 0, FAM_ENV },
	[FAM_PREFIX] = { "wrapper", NULL, F_PREFIX, 0, FAM_PREFIX },
	[FAM_PREFIXF] = { "wrapper", NULL, F_PREFIX, 0, FAM_PREFIXF },
	[FAM_PREFIX1] = { "wrapper", NULL, F_PREFIX, 1, FAM_PREFIX1 },
	[FAM_RESERVED] = { "wrapper", NULL, F_PREFIX, 0, FAM_RESERVED },
};

/* families[] holds flags and functions; the spec of each, set here because
 * compound literals are not constant expressions in C11 */
static const struct optspec *family_spec(int id)
{
	switch (id) {
	case FAM_MYSQL: return mysql_spec;
	case FAM_REDIS: return redis_spec;
	case FAM_LDAP: return ldap_spec;
	case FAM_LDAPPASSWD: return ldappasswd_spec;
	case FAM_SSHPASS: return sshpass_spec;
	case FAM_CURL: return curl_spec;
	case FAM_WGET: return wget_spec;
	case FAM_SMB: return smb_spec;
	case FAM_OPENSSL: return openssl_spec;
	case FAM_REGISTRY: return registry_spec;
	case FAM_HTPASSWD: return htpasswd_spec;
	case FAM_USERADD: return useradd_spec;
	case FAM_SSHKEYGEN: return sshkeygen_spec;
	case FAM_IPMITOOL: return ipmitool_spec;
	case FAM_ZIP: return zip_spec;
	case FAM_MONGO: return mongo_spec;
	case FAM_VAULT: return vault_spec;
	case FAM_KEYTOOL: return keytool_spec;
	case FAM_MOSQUITTO: return mosquitto_spec;
	case FAM_ORACLE: return oracle_spec;
	case FAM_RDESKTOP: return rdesktop_spec;
	case FAM_RABBITMQ: return rabbitmq_spec;
	case FAM_MKPASSWD: return mkpasswd_spec;
	case FAM_MINIO: case FAM_CONFIG: case FAM_COMPOSER: return global_spec;
	case FAM_KUBECTL: return kubectl_spec;
	case FAM_HTTPIE: return httpie_spec;
	case FAM_LOADTEST: return loadtest_spec;
	case FAM_LFTP: return lftp_spec;
	case FAM_SHELL: return shell_spec;
	case FAM_SU: return su_spec;
	case FAM_SSH: return ssh_spec;
	case FAM_WATCH: return watch_spec;
	case FAM_SUDO: return sudo_spec;
	case FAM_ENV: return env_spec;
	case FAM_PREFIX: case FAM_PREFIX1: return prefix_spec;
	case FAM_PREFIXF: case FAM_RESERVED: return flags_only;
	case FAM_STDIN: case FAM_CHPASSWD: case FAM_NEWUSERS: case FAM_WPA: case FAM_PAIRS:
		return plain_spec;
	default: return NULL;
	}
}

/* program names, by family; sorted into the redactor at redact_new */
static const struct { const char *name; int fam; } program_names[] = {
	{ "mysql", FAM_MYSQL }, { "mysqldump", FAM_MYSQL }, { "mysqladmin", FAM_MYSQL },
	{ "mariadb", FAM_MYSQL }, { "mariadb-dump", FAM_MYSQL }, { "mysqlimport", FAM_MYSQL },
	{ "mysqlcheck", FAM_MYSQL }, { "mysqlshow", FAM_MYSQL }, { "mariadb-admin", FAM_MYSQL },
	{ "mariadb-import", FAM_MYSQL }, { "mariadb-check", FAM_MYSQL },
	{ "mariadb-show", FAM_MYSQL }, { "mysqlbinlog", FAM_MYSQL },
	{ "mariadb-binlog", FAM_MYSQL }, { "mysqlslap", FAM_MYSQL }, { "mariadb-slap", FAM_MYSQL },
	{ "mysqlpump", FAM_MYSQL }, { "mysql_upgrade", FAM_MYSQL },
	{ "mariadb-upgrade", FAM_MYSQL }, { "mysqlsh", FAM_MYSQL },
	{ "psql", FAM_LIBPQ }, { "pg_dump", FAM_LIBPQ }, { "pg_dumpall", FAM_LIBPQ },
	{ "pg_restore", FAM_LIBPQ }, { "pg_basebackup", FAM_LIBPQ }, { "createdb", FAM_LIBPQ },
	{ "dropdb", FAM_LIBPQ }, { "createuser", FAM_LIBPQ }, { "dropuser", FAM_LIBPQ },
	{ "vacuumdb", FAM_LIBPQ }, { "reindexdb", FAM_LIBPQ }, { "clusterdb", FAM_LIBPQ },
	{ "pgbench", FAM_LIBPQ }, { "pg_isready", FAM_LIBPQ },
	{ "redis-cli", FAM_REDIS }, { "valkey-cli", FAM_REDIS }, { "keydb-cli", FAM_REDIS },
	{ "ldapsearch", FAM_LDAP }, { "ldapmodify", FAM_LDAP }, { "ldapadd", FAM_LDAP },
	{ "ldapdelete", FAM_LDAP }, { "ldapwhoami", FAM_LDAP }, { "ldapcompare", FAM_LDAP },
	{ "ldapmodrdn", FAM_LDAP }, { "ldapexop", FAM_LDAP }, { "ldappasswd", FAM_LDAPPASSWD },
	{ "sshpass", FAM_SSHPASS }, { "curl", FAM_CURL }, { "wget", FAM_WGET },
	{ "wget2", FAM_WGET }, { "smbclient", FAM_SMB }, { "rpcclient", FAM_SMB },
	{ "net", FAM_SMB }, { "smbcacls", FAM_SMB }, { "smbcquotas", FAM_SMB },
	{ "smbget", FAM_SMB }, { "smbtree", FAM_SMB }, { "samba-tool", FAM_SMB },
	{ "openssl", FAM_OPENSSL }, { "docker", FAM_REGISTRY }, { "podman", FAM_REGISTRY },
	{ "helm", FAM_REGISTRY }, { "skopeo", FAM_REGISTRY }, { "buildah", FAM_REGISTRY },
	{ "nerdctl", FAM_REGISTRY }, { "oras", FAM_REGISTRY }, { "crane", FAM_REGISTRY },
	{ "htpasswd", FAM_HTPASSWD }, { "chpasswd", FAM_CHPASSWD }, { "newusers", FAM_NEWUSERS },
	{ "passwd", FAM_STDIN }, { "smbpasswd", FAM_STDIN }, { "vncpasswd", FAM_STDIN },
	{ "cryptsetup", FAM_STDIN }, { "useradd", FAM_USERADD }, { "usermod", FAM_USERADD },
	{ "ssh-keygen", FAM_SSHKEYGEN }, { "ipmitool", FAM_IPMITOOL }, { "zip", FAM_ZIP },
	{ "unzip", FAM_ZIP }, { "zipcloak", FAM_ZIP }, { "7z", FAM_7Z }, { "7za", FAM_7Z },
	{ "7zr", FAM_7Z }, { "7zz", FAM_7Z }, { "rar", FAM_7Z }, { "unrar", FAM_7Z },
	{ "mongo", FAM_MONGO }, { "mongosh", FAM_MONGO }, { "mongodump", FAM_MONGO },
	{ "mongorestore", FAM_MONGO }, { "mongoexport", FAM_MONGO },
	{ "mongoimport", FAM_MONGO }, { "mongostat", FAM_MONGO }, { "mongotop", FAM_MONGO },
	{ "mongofiles", FAM_MONGO }, { "vault", FAM_VAULT }, { "bao", FAM_VAULT },
	{ "keytool", FAM_KEYTOOL }, { "jarsigner", FAM_KEYTOOL },
	{ "mosquitto_pub", FAM_MOSQUITTO }, { "mosquitto_sub", FAM_MOSQUITTO },
	{ "mosquitto_rr", FAM_MOSQUITTO }, { "sqlplus", FAM_ORACLE }, { "sql", FAM_ORACLE },
	{ "expdp", FAM_ORACLE }, { "impdp", FAM_ORACLE }, { "exp", FAM_ORACLE },
	{ "imp", FAM_ORACLE }, { "sqlldr", FAM_ORACLE }, { "dgmgrl", FAM_ORACLE },
	{ "rman", FAM_ORACLE }, { "xfreerdp", FAM_FREERDP }, { "xfreerdp3", FAM_FREERDP },
	{ "wlfreerdp", FAM_FREERDP }, { "sdl-freerdp", FAM_FREERDP },
	{ "rdesktop", FAM_RDESKTOP }, { "rabbitmqctl", FAM_RABBITMQ },
	{ "wpa_passphrase", FAM_WPA }, { "nmcli", FAM_PAIRS }, { "wpa_cli", FAM_PAIRS },
	{ "mkpasswd", FAM_MKPASSWD }, { "mc", FAM_MINIO }, { "mcli", FAM_MINIO },
	{ "aws", FAM_CONFIG }, { "git", FAM_CONFIG }, { "npm", FAM_CONFIG },
	{ "yarn", FAM_CONFIG }, { "pnpm", FAM_CONFIG }, { "gh", FAM_CONFIG },
	{ "composer", FAM_COMPOSER }, { "kubectl", FAM_KUBECTL }, { "oc", FAM_KUBECTL },
	{ "http", FAM_HTTPIE }, { "https", FAM_HTTPIE }, { "xh", FAM_HTTPIE },
	{ "xhs", FAM_HTTPIE }, { "ab", FAM_LOADTEST }, { "hey", FAM_LOADTEST },
	{ "siege", FAM_LOADTEST }, { "grpcurl", FAM_LOADTEST }, { "lftp", FAM_LFTP },
	{ "sh", FAM_SHELL }, { "bash", FAM_SHELL }, { "zsh", FAM_SHELL }, { "dash", FAM_SHELL },
	{ "ksh", FAM_SHELL }, { "mksh", FAM_SHELL }, { "ash", FAM_SHELL },
	{ "su", FAM_SU }, { "runuser", FAM_SU }, { "flock", FAM_SU },
	{ "ssh", FAM_SSH }, { "watch", FAM_WATCH }, { "eval", FAM_EVAL },
	{ "sudo", FAM_SUDO }, { "env", FAM_ENV }, { "doas", FAM_PREFIX },
	{ "command", FAM_PREFIXF }, { "builtin", FAM_PREFIXF }, { "exec", FAM_PREFIX },
	{ "time", FAM_PREFIX }, { "nice", FAM_PREFIX }, { "nohup", FAM_PREFIXF },
	{ "ionice", FAM_PREFIX }, { "stdbuf", FAM_PREFIX }, { "setsid", FAM_PREFIXF },
	{ "xargs", FAM_PREFIX }, { "unbuffer", FAM_PREFIXF }, { "chronic", FAM_PREFIXF },
	{ "torsocks", FAM_PREFIXF }, { "proxychains", FAM_PREFIXF },
	{ "proxychains4", FAM_PREFIXF }, { "timeout", FAM_PREFIX1 }, { "chroot", FAM_PREFIX1 },
	{ "{", FAM_RESERVED }, { "!", FAM_RESERVED }, { "if", FAM_RESERVED },
	{ "then", FAM_RESERVED }, { "else", FAM_RESERVED }, { "elif", FAM_RESERVED },
	{ "do", FAM_RESERVED }, { "while", FAM_RESERVED }, { "until", FAM_RESERVED },
};

static int cmp_prog(const void *a, const void *b)
{
	return strcmp(((const struct prog_name *)a)->name, ((const struct prog_name *)b)->name);
}

/* the family of the program a word names (its last path component) */
static const struct family *find_family(const struct ctx *c, const struct scan *sc, size_t w)
{
	const char *v = wval(sc, w);
	size_t n = wlen(sc, w), lo = 0, hi = c->r->nprogs, s = 0;
	char name[32];

	for (size_t i = 0; i < n; i++)
		if (v[i] == '/')
			s = i + 1;
	if (n - s == 0 || n - s >= sizeof name || memchr(v + s, '\0', n - s))
		return NULL;
	memcpy(name, v + s, n - s);
	name[n - s] = '\0';
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int d = strcmp(name, c->r->progs[mid].name);
		if (d == 0)
			return c->r->progs[mid].fam;
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static bool is_assignment(const struct scan *sc, size_t w)
{
	const char *v = wval(sc, w);
	size_t n = wlen(sc, w), i = 0;

	if (n == 0 || !(is_alpha((unsigned char)v[0]) || v[0] == '_'))
		return false;
	while (i < n && is_ident((unsigned char)v[i]))
		i++;
	if (i < n && v[i] == '+')
		i++;
	return i < n && v[i] == '=';
}

/* ------------------------------------------------------------------ */
/* standard input: echo pw | passwd --stdin, chpasswd <<< 'u:pw', heredocs */

static void stdin_line(struct ctx *c, const struct scan *sc, size_t w, size_t s, size_t e, int mode)
{
	const char *v = wval(sc, w);
	size_t colon;

	while (e > s && v[e - 1] == '\r')
		e--;
	if (e <= s)
		return;
	switch (mode) {
	case IN_PASSWORD:
		mark_value(c, sc, w, s, e);
		break;
	case IN_CHPASSWD:
		colon = mem_find(v, e, ':', s);
		if (colon != NONE)
			mark_value(c, sc, w, colon + 1, e);
		break;
	case IN_NEWUSERS:
		colon = mem_find(v, e, ':', s);
		if (colon != NONE) {
			size_t c2 = mem_find(v, e, ':', colon + 1);
			mark_value(c, sc, w, colon + 1, c2 == NONE ? e : c2);
		}
		break;
	}
}

/* lines end at a newline, or at a "\n" that echo -e or printf turns into one */
static void stdin_text(struct ctx *c, const struct scan *sc, size_t w, int mode, bool escapes)
{
	const char *v = wval(sc, w);
	size_t n = wlen(sc, w), s = 0;

	if (mode == IN_SHELL) {
		recurse_word(c, sc, w, 0);
		return;
	}
	if (mode == IN_PASSWORD && escapes) {
		mark_value(c, sc, w, 0, n);
		return;
	}
	for (size_t i = 0; i <= n; i++) {
		if (i == n || v[i] == '\n') {
			stdin_line(c, sc, w, s, i, mode);
			s = i + 1;
		} else if (escapes && v[i] == '\\' && i + 1 < n && v[i + 1] == 'n') {
			stdin_line(c, sc, w, s, i, mode);
			s = i + 2;
			i++;
		}
	}
}

static size_t command_argv(const struct scan *sc, size_t cmd, size_t *argv)
{
	const struct command *cm = &sc->cmds[cmd];
	size_t n = 0;

	for (size_t k = 0; k < cm->n; k++) {
		size_t w = sc->cw[cm->w + k];
		if (!(sc->words[w].flags & (W_REDIR | W_HERESTRING | W_DELIM | W_IONUM | W_COMMENT)))
			argv[n++] = w;
	}
	return n;
}

static void stdin_of(struct ctx *c, const struct scan *sc, size_t cmd, int mode, bool own)
{
	const struct command *cm = &sc->cmds[cmd];

	for (size_t k = 0; k < cm->n; k++) {
		size_t w = sc->cw[cm->w + k];
		if (sc->words[w].flags & W_HERESTRING)
			stdin_text(c, sc, w, mode, false);
	}
	for (size_t b = 0; b < sc->nb; b++)
		if (sc->bodies[b].cmd == cmd)
			stdin_text(c, sc, sc->bodies[b].word, mode, false);
	if (own && cm->prev != NONE) {
		const struct command *pc = &sc->cmds[cm->prev];
		size_t *argv = xreallocarray(NULL, pc->n + 1, sizeof *argv);
		size_t argc = command_argv(sc, cm->prev, argv), i = 0;
		const struct family *fam;
		while (i < argc && (is_assignment(sc, argv[i]) ||
				    ((fam = find_family(c, sc, argv[i])) && fam->id == FAM_RESERVED)))
			i++;
		if (i < argc && mem_is(wval(sc, argv[i]), wlen(sc, argv[i]), "echo")) {
			bool escapes = false;
			for (i++; i < argc && wlen(sc, argv[i]) > 1 && wval(sc, argv[i])[0] == '-' &&
			     strspn_n(wval(sc, argv[i]) + 1, wlen(sc, argv[i]) - 1, "neE") == wlen(sc, argv[i]) - 1; i++)
				escapes = escapes || memchr(wval(sc, argv[i]), 'e', wlen(sc, argv[i]));
			for (; i < argc; i++)
				stdin_text(c, sc, argv[i], mode, escapes || mode != IN_PASSWORD);
		} else if (i < argc && mem_is(wval(sc, argv[i]), wlen(sc, argv[i]), "printf")) {
			size_t f;
			i++;
			if (i + 1 < argc && mem_is(wval(sc, argv[i]), wlen(sc, argv[i]), "-v"))
				i += 2;
			f = i;
			if (f + 1 >= argc) {
				if (f < argc)
					stdin_text(c, sc, argv[f], mode, true);
			} else {
				bool pairs = mode == IN_CHPASSWD &&
					     (mem_contains(wval(sc, argv[f]), wlen(sc, argv[f]), ":%s") ||
					      mem_contains(wval(sc, argv[f]), wlen(sc, argv[f]), ":%b"));
				for (i = f + 1; i < argc; i++) {
					if (pairs && mem_find(wval(sc, argv[i]), wlen(sc, argv[i]), ':', 0) == NONE) {
						if ((i - f) % 2 == 0)
							mark_value(c, sc, argv[i], 0, wlen(sc, argv[i]));
					} else {
						stdin_text(c, sc, argv[i], mode, true);
					}
				}
			}
		} else if (i < argc && mem_is(wval(sc, argv[i]), wlen(sc, argv[i]), "cat")) {
			stdin_of(c, sc, cm->prev, mode, false);
		}
		free(argv);
	}
}

/* ------------------------------------------------------------------ */
/* a simple command */

/*
 * The program: after assignments and wrappers (sudo -u x, env A=b, nice
 * -n 5, timeout 10, if, then…), its rule parses the options; then any
 * other word naming a known program is parsed again from there (docker
 * exec db mysql -pX, xargs curl -u a:b), each family once, without the
 * rules that take operands (only the command's own operands are known).
 */
static void dispatch(struct ctx *c, struct scan *sc, size_t cmd, const size_t *argv, size_t argc, int depth)
{
	struct call k;
	size_t p = 0;
	bool sudo_stdin = false;
	uint64_t done = 0;
	const struct family *fam = NULL;
	int mode = IN_NONE;

	if (depth > MAX_DISPATCH || argc == 0)
		return;
	memset(&k, 0, sizeof k);
	k.sc = sc;
	k.cmd = cmd;
	k.depth = depth;
	k.pos = xreallocarray(NULL, argc + 1, sizeof *k.pos);
	while (p < argc) {
		while (p < argc && is_assignment(sc, argv[p]))
			p++;
		if (p >= argc)
			break;
		fam = find_family(c, sc, argv[p]);
		if (!fam || !(fam->flags & F_PREFIX))
			break;
		k.argv = argv + p;
		k.argc = argc - p;
		k.at_command = true;
		if (fam->id == FAM_RESERVED) {
			p++;
			continue;
		}
		scan_opts(c, &k, family_spec(fam->id), 1, true);
		if (fam->id == FAM_SUDO && (k.seen['S'] || has_arg(&k, "--stdin")))
			sudo_stdin = true;
		if (k.npos <= fam->skip) {	/* no command after it */
			p = argc;
			fam = NULL;
			break;
		}
		p += k.pos[fam->skip];
		fam = NULL;
	}
	if (p < argc && fam) {
		k.argv = argv + p;
		k.argc = argc - p;
		k.at_command = true;
		scan_opts(c, &k, family_spec(fam->id), 1, true);
		if (fam->fn)
			mode = fam->fn(c, &k);
		done |= 1ull << fam->id;
	}
	if (sudo_stdin && mode == IN_NONE)
		mode = IN_PASSWORD;
	if (mode != IN_NONE)
		stdin_of(c, sc, cmd, mode, true);
	/* every word but the first, wrappers' too: a rule fires on option
	 * shapes only, and "timeout mysql -pX" has no duration */
	for (size_t i = 1; i < argc; i++) {
		const struct family *f = find_family(c, sc, argv[i]);
		if (i == p || !f || (f->flags & F_PREFIX) || (done & (1ull << f->id)))
			continue;
		done |= 1ull << f->id;
		k.argv = argv + i;
		k.argc = argc - i;
		k.at_command = false;
		scan_opts(c, &k, family_spec(f->id), 1, true);
		if (f->fn)
			f->fn(c, &k);
	}
	free(k.pos);
}

/* --token X, --password X, -secret X for programs not known: the next word */
static void option_secret(struct ctx *c, const struct scan *sc, const size_t *argv, size_t argc)
{
	for (size_t i = 0; i + 1 < argc; i++) {
		const char *v = wval(sc, argv[i]);
		size_t n = wlen(sc, argv[i]), d = 0;
		const struct family *f = find_family(c, sc, argv[i]);
		if (f && (f->flags & F_NO_ARG_SECRET))
			return;
		while (d < n && d < 2 && v[d] == '-')
			d++;
		if (d == 0 || n - d < 3 || mem_find(v, n, '=', 0) != NONE)
			continue;
		if (key_class(v + d, n - d, true) != KEY_SECRET)
			continue;
		if (wlen(sc, argv[i + 1]) > 0 && wval(sc, argv[i + 1])[0] == '-')
			continue;
		mark_value(c, sc, argv[i + 1], 0, wlen(sc, argv[i + 1]));
		i++;
	}
}

static void run_command(struct ctx *c, struct scan *sc, size_t cmd)
{
	const struct command *cm = &sc->cmds[cmd];
	size_t *argv = xreallocarray(NULL, cm->n + 1, sizeof *argv);
	size_t argc = command_argv(sc, cmd, argv);

	dispatch(c, sc, cmd, argv, argc, 0);
	option_secret(c, sc, argv, argc);
	for (size_t k = 0; k < cm->n; k++) {
		size_t w = sc->cw[cm->w + k];
		if (!(sc->words[w].flags & (W_DELIM | W_IONUM | W_REDIR | W_SCRIPT)))
			kv_word(c, sc, w);
	}
	free(argv);
}

static void run_scan(struct ctx *c, struct scan *sc)
{
	for (size_t cmd = 0; cmd < sc->nc; cmd++)
		run_command(c, sc, cmd);
	for (size_t b = 0; b < sc->nb; b++)
		if (!(sc->words[sc->bodies[b].word].flags & W_SCRIPT))
			body_lines(c, sc, sc->bodies[b].word);
}

/* ------------------------------------------------------------------ */
/* rules on the text */

#define NOQ "[^\\s'\"`\\\\]"	/* a byte of an unquoted-looking value */

static const struct text_rule text_rules[] = {
	{ "url-userinfo",
	  "[A-Za-z][A-Za-z0-9+.-]*://[^\\s/?#@'\"`:]*:([^\\s/?#'\"`]+)@",
	  1, 0, true, false, false },
	{ "url-query",
	  "[?&]([A-Za-z0-9_.-]+)=([^\\s&'\"`#;|<>()]+)",
	  2, 1, true, false, true },
	{ "http-authorization",
	  "(?i)(?<![A-Za-z0-9_/-])(?:proxy-)?authorization[ \\t]*:[ \\t]*(?:[A-Za-z][\\w.~+/-]*[ \\t]+)?+(" NOQ "+)",
	  1, 0, true, false, false },
	{ "http-token-header",
	  "(?i)(?<![A-Za-z0-9_/-])(?:private-token|job-token|deploy-token|x-api-key|x-api-token|x-auth-token|"
	  "x-auth-key|x-vault-token|x-access-token|x-gitlab-token|x-consul-token|x-nomad-token|"
	  "x-registry-auth|x-goog-api-key|api-key|apikey)[ \\t]*:[ \\t]*(" NOQ "+)",
	  1, 0, true, false, false },
	{ "http-cookie",
	  "(?i)(?<![A-Za-z0-9_/-])(?:set-)?cookie[ \\t]*:[ \\t]*([^'\"`\\\\\\r\\n]*[^'\"`\\\\\\s])",
	  1, 0, true, false, false },
	{ "json-secret",
	  "\"([A-Za-z_][A-Za-z0-9_.-]*)\"\\s*:\\s*\"((?:[^\"\\\\\\n]|\\\\.)+)\"",
	  2, 1, true, false, false },
	{ "json-secret",
	  "\\\\\"([A-Za-z_][A-Za-z0-9_.-]*)\\\\\"\\s*:\\s*\\\\\"((?:[^\"\\\\\\n]|\\\\[^\"])+)\\\\\"",
	  2, 1, true, false, false },
	{ "sql-password",
	  "(?i)(?:\\bIDENTIFIED\\s+(?:WITH\\s+\\w+\\s+)?BY(?:\\s+PASSWORD)?|"
	  "\\b(?:WITH|LOGIN|ROLE\\s+\\S+|USER\\s+\\S+)\\s+(?:ENCRYPTED\\s+)?PASSWORD|"
	  "\\bSET\\s+PASSWORD\\b[^;=\\n]*=\\s*(?:PASSWORD\\s*\\(\\s*)?|\\bPASSWORD\\s*\\()"
	  "\\s*(?|'([^'\\n]+)'|\"([^\"\\n]+)\")",
	  1, 0, true, false, false },
	{ "netrc-password",
	  "(?<![\\w-])(?:machine\\s+\\S+|default)(?:\\s+(?:login|account|port)\\s+\\S+)*\\s+password\\s+(" NOQ "+)",
	  1, 0, true, false, false },
	{ "aws-access-key-id", "(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])", 0, 0, false, false, false },
	{ "github-token",
	  "(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})",
	  0, 0, false, false, false },
	{ "gitlab-token",
	  "(?<![A-Za-z0-9_-])(?:gl(?:pat|dt|rt|ptt|cbt|ft|imt|oas|soat|agent)-[A-Za-z0-9_.-]{20,}|"
	  "GR1348941[A-Za-z0-9_-]{20,})",
	  0, 0, false, false, false },
	{ "slack-token", "(?<![A-Za-z0-9_-])xox[abeoprs]-[A-Za-z0-9-]{10,}", 0, 0, false, false, false },
	{ "slack-webhook", "hooks\\.slack\\.com/(?:services|workflows|triggers)/([A-Za-z0-9/_-]+)", 1, 0, false, false, false },
	{ "discord-webhook", "discord(?:app)?\\.com/api/webhooks/[0-9]+/([A-Za-z0-9_-]+)", 1, 0, false, false, false },
	{ "stripe-key", "(?<![A-Za-z0-9_])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|(?<![A-Za-z0-9_])whsec_[A-Za-z0-9]{20,}", 0, 0, false, false, false },
	{ "google-api-key", "(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{33,}", 0, 0, false, false, false },
	{ "npm-token", "(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36,}", 0, 0, false, false, false },
	{ "sendgrid-key", "(?<![A-Za-z0-9_-])SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}", 0, 0, false, false, false },
	{ "twilio-api-key", "(?<![A-Za-z0-9])SK[0-9a-fA-F]{32}(?![A-Za-z0-9])", 0, 0, false, false, false },
	{ "openai-key", "(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{32,}", 0, 0, false, false, false },
	{ "jwt", "(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\\.eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*", 0, 0, false, false, false },
	{ "vault-token", "(?<![A-Za-z0-9_.-])hv[sbr]\\.[A-Za-z0-9_-]{24,}", 0, 0, false, false, false },
	{ "age-secret-key", "AGE-SECRET-KEY-1[0-9A-Z]{50,}", 0, 0, false, false, false },
	{ "telegram-bot-token", "(?<![0-9])[0-9]{8,10}:AA[A-Za-z0-9_-]{30,}", 0, 0, false, false, false },
	{ "pem-private-key",
	  "-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----([\\s\\S]*?)(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|\\z)",
	  1, 0, false, true, false },
};

static const struct text_rule team_rule = { "team-pattern", NULL, 0, 0, false, false, false };

/* the query parameters that carry secrets besides those key_class knows */
static bool query_name(const char *s, size_t n)
{
	return mem_ieq(s, n, "sig") || (n >= 9 && mem_ieq(s + n - 9, 9, "signature")) ||
	       secret_name(s, n);
}

static void run_text_rule(struct ctx *c, const struct compiled *cr, pcre2_match_data *md)
{
	const struct text_rule *rule = cr->rule;
	PCRE2_SIZE off = 0;

	while (off <= c->len) {
		int rc = pcre2_match(cr->code, (PCRE2_SPTR)c->src, c->len, off, 0, md, NULL);
		PCRE2_SIZE *ov, s, e;
		if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
			rc = pcre2_match(cr->code, (PCRE2_SPTR)c->src, c->len, off, PCRE2_NO_JIT, md, NULL);
		if (rc < 0)
			return;
		ov = pcre2_get_ovector_pointer(md);
		if (ov[1] <= off && ov[0] == ov[1]) {
			off = ov[1] + 1;	/* an empty match: move on */
			continue;
		}
		off = ov[1] > off ? ov[1] : off + 1;
		if (rule->name_group) {
			PCRE2_SIZE ns = ov[2 * rule->name_group], ne = ov[2 * rule->name_group + 1];
			bool ok = ns != PCRE2_UNSET &&
				  (rule->query ? query_name(c->src + ns, ne - ns) : secret_name(c->src + ns, ne - ns));
			if (!ok)
				continue;
		}
		if (cr->group >= rc)
			continue;
		s = ov[2 * cr->group];
		e = ov[2 * cr->group + 1];
		if (s == PCRE2_UNSET || e <= s)
			continue;
		if (rule->trim) {
			for (;;) {
				if (s < e && is_blank((unsigned char)c->src[s]))
					s++;
				else if (e - s >= 2 && c->src[s] == '\\' && (c->src[s + 1] == 'n' || c->src[s + 1] == 'r'))
					s += 2;
				else
					break;
			}
			for (;;) {
				if (e > s && is_blank((unsigned char)c->src[e - 1]))
					e--;
				else if (e - s >= 2 && c->src[e - 2] == '\\' && (c->src[e - 1] == 'n' || c->src[e - 1] == 'r'))
					e -= 2;
				else
					break;
			}
		}
		if (e <= s)
			continue;
		if (rule->keep_refs && is_reference(c->src + s, NULL, e - s))
			continue;
		mark_span(c, s, e);
	}
}

/* ------------------------------------------------------------------ */

static pcre2_code *compile(const char *pattern, size_t len, int *err, PCRE2_SIZE *erroff)
{
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, len, 0, err, erroff, NULL);
	if (code)
		pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);	/* no JIT: interpreted */
	return code;
}

static void add_compiled(struct redactor *r, pcre2_code *code, const struct text_rule *rule, int group)
{
	uint32_t captures = 0;

	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &captures);
	r->rx = xreallocarray(r->rx, r->nrx + 1, sizeof *r->rx);
	r->rx[r->nrx++] = (struct compiled){ code, rule, group };
	if (captures + 1 > r->ovec)
		r->ovec = captures + 1;
}

struct redactor *redact_new(const struct conf *team)
{
	struct redactor *r = xcalloc(1, sizeof *r);
	size_t np = sizeof program_names / sizeof program_names[0];

	r->progs = xreallocarray(NULL, np, sizeof *r->progs);
	for (size_t i = 0; i < np; i++)
		r->progs[i] = (struct prog_name){ program_names[i].name, &families[program_names[i].fam] };
	r->nprogs = np;
	qsort(r->progs, np, sizeof *r->progs, cmp_prog);

	for (size_t i = 0; i < sizeof text_rules / sizeof text_rules[0]; i++) {
		int err;
		PCRE2_SIZE erroff;
		pcre2_code *code = compile(text_rules[i].pattern, PCRE2_ZERO_TERMINATED, &err, &erroff);
		if (!code) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(err, msg, sizeof msg);
			errset("built-in redact rule %s: %s at offset %zu", text_rules[i].name,
			       (const char *)msg, (size_t)erroff);
			redact_free(r);
			return NULL;
		}
		add_compiled(r, code, &text_rules[i], text_rules[i].group);
	}
	for (size_t i = 0; team && i < team->n; i++) {
		const struct conf_entry *e = &team->entries[i];
		int err;
		PCRE2_SIZE erroff = 0;
		pcre2_code *code;
		uint32_t captures = 0;
		if (strcmp(e->section, "redact") || e->subsection || strcmp(e->key, "pattern"))
			continue;
		if (!e->value || !*e->value) {
			errset("%s:%d: bad redact pattern: empty pattern", team->path, e->line);
			redact_free(r);
			return NULL;
		}
		code = compile(e->value, strlen(e->value), &err, &erroff);
		if (!code) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(err, msg, sizeof msg);
			errset("%s:%d: bad redact pattern: %s at offset %zu", team->path, e->line,
			       (const char *)msg, (size_t)erroff);
			redact_free(r);
			return NULL;
		}
		pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &captures);
		add_compiled(r, code, &team_rule, captures > 0 ? 1 : 0);
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

/* text with each run of secret bytes replaced by one marker; when map is
 * not NULL, (*map)[k] is the text offset of output byte k, NONE in a marker */
static size_t render(const char *text, size_t len, const unsigned char *flags, struct buf *out,
		     size_t **map)
{
	size_t count = 0, i = 0, base = out->len, nmap = 0;

	buf_grow(out, len);
	while (i < len) {
		size_t j = i;
		bool secret = flags[i] & B_SECRET;
		while (j < len && (bool)(flags[j] & B_SECRET) == secret)
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

size_t redact_command(const struct redactor *r, const char *text, size_t len, struct buf *out)
{
	unsigned char *flags;
	pcre2_match_data *md;
	size_t count;

	if (len == 0)
		return 0;
	flags = xcalloc(len, 1);
	md = pcre2_match_data_create(r->ovec, NULL);
	if (analyze(r, text, len, flags, md)) {
		int round;
		for (round = 0; round < MAX_ROUNDS; round++) {
			struct buf once = BUF_INIT;
			size_t *map = NULL;
			unsigned char *again;
			bool grew = false;
			render(text, len, flags, &once, &map);
			again = xcalloc(once.len, 1);
			if (analyze(r, once.data, once.len, again, md))
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
	count = render(text, len, flags, out, NULL);
	free(flags);
	return count;
}

/*
 * Configuration text: the text rules (token formats, URLs with passwords,
 * private key blocks, the team's patterns) and, on each line, the value of
 * an assignment whose key says secret ("password = x", "DBPassword=x",
 * "export API_TOKEN='x'", "secret: x").  No shell tokenizing: a file is
 * not a command line.  A quoted value keeps its quotes.
 */
static void mark_assignments(struct ctx *c)
{
	const char *t = c->src;
	size_t len = c->len;

	for (size_t line = 0; line < len;) {
		size_t end = mem_find(t, len, '\n', line), i = line, ks, ke, vs, ve;
		if (end == NONE)
			end = len;
		while (i < end && (t[i] == ' ' || t[i] == '\t'))
			i++;
		if (end - i > 7 && !memcmp(t + i, "export ", 7))
			i += 7;
		ks = i;
		while (i < end && (is_alnum((unsigned char)t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
			i++;
		ke = i;
		while (i < end && (t[i] == ' ' || t[i] == '\t'))
			i++;
		if (ke > ks && i < end && (t[i] == '=' || t[i] == ':') && secret_name(t + ks, ke - ks)) {
			vs = i + 1;
			while (vs < end && (t[vs] == ' ' || t[vs] == '\t'))
				vs++;
			ve = end;
			while (ve > vs && (t[ve - 1] == ' ' || t[ve - 1] == '\t' || t[ve - 1] == '\r' ||
					   t[ve - 1] == ';' || t[ve - 1] == ','))
				ve--;
			if (ve - vs >= 2 && (t[vs] == '"' || t[vs] == '\'') && t[ve - 1] == t[vs]) {
				vs++;
				ve--;
			}
			if (ve > vs && !is_reference(t + vs, NULL, ve - vs))
				mark_span(c, vs, ve);
		}
		line = end + 1;
	}
}

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
	for (size_t k = 0; k < r->nrx; k++)
		run_text_rule(&c, &r->rx[k], md);
	pcre2_match_data_free(md);
	count = render(text, len, flags, out, NULL);
	free(flags);
	return count;
}
