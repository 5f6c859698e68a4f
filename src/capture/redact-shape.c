/*
 * redact-shape: secrets known by where they are written, not by the
 * program that writes them.  The text of echo, printf (its format filled
 * in), a heredoc or a here-string is read as configuration lines
 * (password = "x", api_key: x, and "requirepass x" when it goes to a
 * file); when it goes to a file whose name says secret (~/.vault-token,
 * /etc/ppp/chap-secrets, ~/.pgpass, *token*…) what is written is read
 * with that file's syntax; when a <(…) feeds a credential option
 * (openvpn --auth-user-pass, --password-file) what it prints is the
 * secret; and a command string whose output is a password
 * (--password-command 'echo x', BORG_PASSCOMMAND=…) has its echo read
 * whole.
 *
 * No library does this: what matters is which bytes of the command line
 * a file's line came from, and only the tokenizer of redact-lex.c knows
 * that.  Invariants: marks go through flat_mark (redact-keys.c), so shell
 * syntax and markers stay; nothing here recurses but secret_output,
 * bounded by recurse_word's MAX_DEPTH.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "capture/redact-int.h"
#include "base/banned.h"

/* ------------------------------------------------------------------ */
/* files whose name says what they hold */

enum fkind {
	FK_NONE,	/* not a file: standard output, a pipe */
	FK_FILE,	/* a file: its config lines, "NAME VALUE" too */
	FK_WHOLE,	/* every line that is not a [section], a comment or NAME=plain */
	FK_CHAP,	/* pppd's chap-secrets: client server SECRET addresses */
	FK_PGPASS,	/* host:port:db:user:PASSWORD */
	FK_COLON,	/* user:SECRET (rsyncd.secrets, .passwd-s3fs, htpasswd, shadow) */
	FK_IPSEC,	/* ipsec.secrets: [ids] : PSK "SECRET" */
};

/* by the file's last path component: exact names, then what it contains
 * or ends with; the list is the one docs/redaction.md gives */
static const struct { const char *name; char how; int kind; } secret_files[] = {
	{ "chap-secrets", '=', FK_CHAP }, { "pap-secrets", '=', FK_CHAP },
	{ "ipsec.secrets", '=', FK_IPSEC }, { ".pgpass", '=', FK_PGPASS },
	{ "pgpass.conf", '=', FK_PGPASS }, { ".netrc", '=', FK_FILE },
	{ "_netrc", '=', FK_FILE }, { ".my.cnf", '=', FK_FILE }, { ".mylogin.cnf", '=', FK_FILE },
	{ "rsyncd.secrets", '=', FK_COLON }, { "rsync.secrets", '=', FK_COLON },
	{ ".passwd-s3fs", '=', FK_COLON }, { "passwd-s3fs", '=', FK_COLON },
	{ ".htpasswd", '=', FK_COLON }, { "htpasswd", '=', FK_COLON },
	{ "shadow", '=', FK_COLON }, { "gshadow", '=', FK_COLON },
	{ "passwd", '=', FK_NONE }, { "passwd-", '=', FK_NONE },	/* no secret there */
	{ "credentials", '~', FK_FILE }, { ".env", '$', FK_FILE },
	{ "token", '~', FK_WHOLE }, { "secret", '~', FK_WHOLE }, { "passw", '~', FK_WHOLE },
	{ ".key", '$', FK_WHOLE }, { ".pass", '$', FK_WHOLE }, { ".psk", '$', FK_WHOLE },
	{ "password", '~', FK_WHOLE },
};

static int file_kind(const char *v, size_t n)
{
	size_t s = 0;
	char name[64];

	for (size_t i = 0; i < n; i++)
		if (v[i] == '/')
			s = i + 1;
	if (n - s == 0 || n - s >= sizeof name || mem_contains(v, n, "pam.d/"))
		return FK_FILE;	/* /etc/pam.d/common-password: PAM rules */
	for (size_t i = s; i < n; i++)
		name[i - s] = (char)to_lower((unsigned char)v[i]);
	name[n - s] = '\0';
	for (size_t i = 0; i < sizeof secret_files / sizeof secret_files[0]; i++) {
		const char *f = secret_files[i].name;
		size_t l = strlen(f), m = n - s;
		if ((secret_files[i].how == '=' && !strcmp(name, f)) ||
		    (secret_files[i].how == '~' && strstr(name, f)) ||
		    (secret_files[i].how == '$' && m >= l && !strcmp(name + m - l, f)))
			return secret_files[i].kind;
	}
	return FK_FILE;
}

/* the kind of what command cmd writes to: its own > and >> targets, or
 * the files of a [sudo] tee it pipes into; the most secret one counts */
static int output_kind(struct ctx *c, const struct scan *sc, size_t cmd)
{
	const struct command *cm = &sc->cmds[cmd];
	int kind = FK_NONE;

	for (size_t k = 0; k < cm->n; k++) {
		size_t w = sc->cw[cm->w + k], b;
		int fk;
		if (!(sc->words[w].flags & W_REDIR) || wlen(sc, w) == 0)
			continue;
		b = sc->vb[sc->words[w].v].start;
		while (b > 0 && is_blank((unsigned char)c->src[b - 1]))
			b--;
		if (b == 0 || c->src[b - 1] != '>' || (b >= 2 && c->src[b - 2] == '<'))
			continue;
		if (mem_is(wval(sc, w), wlen(sc, w), "/dev/null") || mem_starts(wval(sc, w), wlen(sc, w), "/dev/std"))
			continue;
		fk = file_kind(wval(sc, w), wlen(sc, w));
		if (kind == FK_NONE || kind == FK_FILE)
			kind = fk;
	}
	if (cm->next != NONE) {
		const struct command *nc = &sc->cmds[cm->next];
		size_t *argv = xreallocarray(NULL, nc->n + 1, sizeof *argv);
		size_t argc = command_argv(sc, cm->next, argv), at;
		size_t pw = program_word(c, sc, argv, argc, &at);
		if (pw != NONE && mem_is(wval(sc, pw), wlen(sc, pw), "tee"))
			for (size_t i = at + 1; i < argc; i++) {
				int fk;
				if (wlen(sc, argv[i]) == 0 || wval(sc, argv[i])[0] == '-')
					continue;
				fk = file_kind(wval(sc, argv[i]), wlen(sc, argv[i]));
				if (kind == FK_NONE || kind == FK_FILE)
					kind = fk;
			}
		free(argv);
	}
	return kind;
}

/* ------------------------------------------------------------------ */
/* file syntaxes */

/* field j (from 0) of each line, fields split by blanks ("quoted" ones
 * whole) or by one separator byte; last: to the end of the line */
static void line_field(struct ctx *c, const struct scan *sc, const struct flat *f, char sep, int j, bool last)
{
	const char *v = f->b;
	size_t p = 0;

	while (p < f->n) {
		size_t le = mem_find(v, f->n, '\n', p), q = p;
		int field = 0;
		if (le == NONE)
			le = f->n;
		while (sep == ' ' && q < le && is_blank((unsigned char)v[q]))
			q++;
		if (q < le && v[q] == '#') {
			p = le + 1;
			continue;
		}
		while (q < le) {
			size_t s = q, e;
			if (sep == ' ' && v[q] == '"') {
				e = mem_find(v, le, '"', q + 1);
				s = q + 1;
				q = e == NONE ? le : e + 1;
				e = e == NONE ? le : e;
			} else {
				while (q < le && (sep == ' ' ? !is_blank((unsigned char)v[q]) : v[q] != sep))
					q++;
				e = q;
			}
			if (field == j) {
				if (last)
					e = le;
				while (e > s && is_blank((unsigned char)v[e - 1]))
					e--;
				if (e > s && !is_reference(v + s, NULL, e - s) && !(e - s == 1 && v[s] == '*'))
					flat_mark(c, sc, f, s, e);
				break;
			}
			field++;
			if (sep != ' ' && q < le)
				q++;
			while (sep == ' ' && q < le && is_blank((unsigned char)v[q]))
				q++;
		}
		p = le + 1;
	}
}

/* ipsec.secrets: what follows PSK, EAP, XAUTH, NTLM, PIN (quotes kept) */
static void ipsec_lines(struct ctx *c, const struct scan *sc, const struct flat *f)
{
	static const char *const types[] = { "PSK", "EAP", "XAUTH", "NTLM", "PIN", "P12", NULL };
	const char *v = f->b;

	for (size_t i = 0; i < f->n; i++) {
		for (const char *const *t = types; *t; t++) {
			size_t l = strlen(*t), s = i + l, e;
			if (!mem_starts(v + i, f->n - i, *t) || (i > 0 && !is_blank((unsigned char)v[i - 1]) && v[i - 1] != ':') ||
			    s >= f->n || !is_blank((unsigned char)v[s]))
				continue;
			while (s < f->n && (v[s] == ' ' || v[s] == '\t'))
				s++;
			e = mem_find(v, f->n, '\n', s);
			e = e == NONE ? f->n : e;
			while (e > s && is_blank((unsigned char)v[e - 1]))
				e--;
			if (e > s + 1 && (v[s] == '"' || v[s] == '\'') && v[e - 1] == v[s]) {
				s++;
				e--;
			}
			if (e > s)
				flat_mark(c, sc, f, s, e);
		}
	}
}

static void apply_kind(struct ctx *c, const struct scan *sc, const struct flat *f, int kind, bool own)
{
	switch (kind) {
	case FK_NONE:
		if (own)	/* a heredoc body is body_lines' already */
			flat_lines(c, sc, f, 0);
		break;
	case FK_FILE:
		flat_lines(c, sc, f, L_SPACED);
		break;
	case FK_WHOLE:
		flat_lines(c, sc, f, L_SPACED | L_WHOLE);
		break;
	case FK_CHAP:
		line_field(c, sc, f, ' ', 2, false);
		break;
	case FK_PGPASS:
		line_field(c, sc, f, ':', 4, true);
		break;
	case FK_COLON:
		line_field(c, sc, f, ':', 1, false);
		break;
	case FK_IPSEC:
		ipsec_lines(c, sc, f);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* what a command writes */

/* printf's output: the format, each %s or %b filled with the next
 * argument, again while arguments remain; other conversions (%d) take
 * one too.  Bytes of the format keep their origin, so a secret typed in
 * the format itself is found as well */
static void flat_printf(struct flat *f, const struct scan *sc, const size_t *argv, size_t argc)
{
	size_t fw = argv[0], a = 1;
	const char *v = wval(sc, fw);
	size_t n = wlen(sc, fw);

	do {
		for (size_t i = 0; i < n; i++) {
			if (v[i] == '\\' && i + 1 < n && v[i + 1] == 'n') {
				flat_push(f, '\n', NONE, 0);
				i++;
			} else if (v[i] == '%' && i + 1 < n && v[i + 1] == '%') {
				flat_push(f, wval(sc, fw)[i], fw, i);
				i++;
			} else if (v[i] == '%') {
				size_t j = i + 1;
				while (j < n && strchr("-+ #0123456789.*", v[j]))
					j++;
				if (a < argc) {
					if (j < n && (v[j] == 's' || v[j] == 'b'))
						flat_word(f, sc, argv[a]);
					a++;
				}
				i = j;
			} else {
				flat_push(f, wval(sc, fw)[i], fw, i);
			}
		}
	} while (a > 1 && a < argc);
}

/* the text an echo or printf at argv[at] prints */
static bool flat_output(struct flat *f, const struct scan *sc, const size_t *argv, size_t argc, size_t at)
{
	const char *p = wval(sc, argv[at]);
	size_t n = wlen(sc, argv[at]), i = at + 1;

	if (mem_is(p, n, "echo")) {
		while (i < argc && wlen(sc, argv[i]) > 1 && wval(sc, argv[i])[0] == '-' &&
		       strspn_n(wval(sc, argv[i]) + 1, wlen(sc, argv[i]) - 1, "neE") == wlen(sc, argv[i]) - 1)
			i++;
		for (size_t j = i; j < argc; j++) {
			if (j > i)
				flat_push(f, ' ', NONE, 0);
			flat_word(f, sc, argv[j]);
		}
		return true;
	}
	if (mem_is(p, n, "printf")) {
		if (i + 1 < argc && mem_is(wval(sc, argv[i]), wlen(sc, argv[i]), "-v"))
			i += 2;
		if (i < argc && mem_is(wval(sc, argv[i]), wlen(sc, argv[i]), "--"))
			i++;
		if (i < argc)
			flat_printf(f, sc, argv + i, argc - i);
		return true;
	}
	return false;
}

/* heredoc bodies and here-strings of command cmd, one after the other */
static bool flat_input(struct flat *f, const struct scan *sc, size_t cmd)
{
	const struct command *cm = &sc->cmds[cmd];
	bool any = false;

	for (size_t k = 0; k < cm->n; k++) {
		size_t w = sc->cw[cm->w + k];
		if (sc->words[w].flags & W_HERESTRING) {
			flat_word(f, sc, w);
			flat_push(f, '\n', NONE, 0);
			any = true;
		}
	}
	for (size_t b = 0; b < sc->nb; b++)
		if (sc->bodies[b].cmd == cmd) {
			size_t w = sc->bodies[b].word;
			for (size_t i = 0; i < wlen(sc, w); i++)
				flat_push(f, wval(sc, w)[i], w, i);
			any = true;
		}
	return any;
}

/* the option a <(…) at argv[i] is the argument of, and how to read what
 * it prints: openvpn's --auth-user-pass file is a user, then a password;
 * --password-file, --passphrase-file, sshpass -f hold only a secret */
static unsigned fed_option(struct ctx *c, const struct scan *sc, const size_t *argv, size_t i, size_t lt,
			   bool sshpass, bool *found)
{
	const char *o;
	size_t n;

	*found = false;
	if (lt > 0) {
		o = wval(sc, argv[i]);
		n = lt - 1;	/* --opt=<(…) */
	} else if (i > 0 && wlen(sc, argv[i - 1]) > 1 && wval(sc, argv[i - 1])[0] == '-') {
		o = wval(sc, argv[i - 1]);
		n = wlen(sc, argv[i - 1]);
	} else {
		return 0;
	}
	while (n > 0 && *o == '-') {
		o++;
		n--;
	}
	if (mem_is(o, n, "auth-user-pass") || mem_is(o, n, "http-proxy-user-pass")) {
		*found = true;
		return L_AFTER_FIRST;
	}
	if (mem_is(o, n, "askpass") || (sshpass && mem_is(o, n, "f")) || mem_is(o, n, "passin") ||
	    mem_is(o, n, "passout")) {	/* grep -f <(…) is a pattern file */
		*found = true;
		return L_WHOLE;
	}
	if (n > 4 && mem_ieq(o + n - 4, 4, "file"))
		n -= 4;
	else if (n > 3 && mem_ieq(o + n - 3, 3, "-fd"))
		n -= 3;
	else
		return 0;
	while (n > 0 && (o[n - 1] == '-' || o[n - 1] == '_'))
		n--;
	if (n > 0 && key_class(c->r, o, n, false) == KEY_SECRET) {
		*found = true;
		return L_WHOLE;
	}
	return 0;
}

/* what the commands inside the <(…) of word w print, read with how */
static void fed_by(struct ctx *c, struct scan *sc, size_t w, size_t from, unsigned how)
{
	const struct vbyte *vb = sc->vb + sc->words[w].v;
	size_t s = vb[from].start, e = vb[wlen(sc, w) - 1].end;

	for (size_t cmd = 0; cmd < sc->nc; cmd++) {
		const struct command *cm = &sc->cmds[cmd];
		size_t *argv, argc, at, pw;
		struct flat f = { 0 };
		if (cm->n == 0)
			continue;
		if (sc->vb[sc->words[sc->cw[cm->w]].v].start < s || sc->vb[sc->words[sc->cw[cm->w]].v].start >= e)
			continue;
		argv = xreallocarray(NULL, cm->n + 1, sizeof *argv);
		argc = command_argv(sc, cmd, argv);
		pw = program_word(c, sc, argv, argc, &at);
		if ((pw != NONE && flat_output(&f, sc, argv, argc, at)) ||
		    (pw != NONE && mem_is(wval(sc, pw), wlen(sc, pw), "cat") && flat_input(&f, sc, cmd)))
			flat_lines(c, sc, &f, how | L_SPACED);
		flat_free(&f);
		free(argv);
	}
}

/* a word that can make shape_command find something: a writer, a
 * --NAME-fd option, a <(…) (most commands have none: they cost a loop) */
static bool worth_a_look(const struct scan *sc, const size_t *argv, size_t argc)
{
	for (size_t i = 0; i < argc; i++) {
		const char *v = wval(sc, argv[i]);
		size_t n = wlen(sc, argv[i]);
		if (mem_is(v, n, "echo") || mem_is(v, n, "printf") || mem_is(v, n, "cat") ||
		    mem_is(v, n, "tee") || (n > 3 && mem_is(v + n - 3, 3, "-fd")) ||
		    mem_find(v, n, '<', 0) != NONE)
			return true;
	}
	return false;
}

void shape_command(struct ctx *c, struct scan *sc, size_t cmd, const size_t *argv, size_t argc)
{
	size_t at, pw;
	struct flat f = { 0 };

	if (!worth_a_look(sc, argv, argc))
		return;
	pw = program_word(c, sc, argv, argc, &at);
	for (size_t i = 1; i < argc; i++) {
		const char *v = wval(sc, argv[i]);
		size_t n = wlen(sc, argv[i]), lt = NONE;
		bool found;
		unsigned how;
		for (size_t j = 0; j + 1 < n; j++)
			if (v[j] == '<' && v[j + 1] == '(' && sc->vb[sc->words[argv[i]].v + j].raw) {
				lt = j;
				break;
			}
		if (lt == NONE)
			continue;
		how = fed_option(c, sc, argv, i, lt, pw != NONE && mem_is(wval(sc, pw), wlen(sc, pw), "sshpass"),
				 &found);
		if (found)
			fed_by(c, sc, argv[i], lt, how);
	}
	if (pw == NONE)
		return;
	for (size_t i = at + 1; i + 1 < argc; i++)	/* gpg --passphrase-fd 0 <<< X */
		if (wlen(sc, argv[i]) > 5 && mem_is(wval(sc, argv[i + 1]), wlen(sc, argv[i + 1]), "0") &&
		    mem_ieq(wval(sc, argv[i]) + wlen(sc, argv[i]) - 3, 3, "-fd") &&
		    key_class(c->r, wval(sc, argv[i]), wlen(sc, argv[i]) - 3, true) == KEY_SECRET &&
		    flat_input(&f, sc, cmd)) {
			flat_lines(c, sc, &f, L_WHOLE);
			flat_free(&f);
		}
	if (flat_output(&f, sc, argv, argc, at)) {
		apply_kind(c, sc, &f, c->secret_out ? FK_WHOLE : output_kind(c, sc, cmd), true);
	} else if ((mem_is(wval(sc, pw), wlen(sc, pw), "cat") || mem_is(wval(sc, pw), wlen(sc, pw), "tee")) &&
		   flat_input(&f, sc, cmd)) {
		int kind = output_kind(c, sc, cmd);
		if (mem_is(wval(sc, pw), wlen(sc, pw), "tee"))
			for (size_t i = at + 1; i < argc; i++)
				if (wlen(sc, argv[i]) && wval(sc, argv[i])[0] != '-' &&
				    (kind == FK_NONE || kind == FK_FILE))
					kind = file_kind(wval(sc, argv[i]), wlen(sc, argv[i]));
		if (c->secret_out)
			kind = FK_WHOLE;
		apply_kind(c, sc, &f, kind, false);
	}
	flat_free(&f);
}

/* ------------------------------------------------------------------ */
/* command strings that print a secret */

void secret_output(struct ctx *c, const struct scan *sc, size_t w, size_t from)
{
	bool was = c->secret_out;

	c->secret_out = true;
	recurse_word(c, sc, w, from);
	c->secret_out = was;
}

/* ------------------------------------------------------------------ */
/* sed scripts: what s/…/REPLACEMENT/, a, i and c write */

/* the next unescaped delimiter d from i, NONE if none */
static size_t sed_delim(const char *v, size_t n, size_t i, char d)
{
	for (; i < n; i++) {
		if (v[i] == '\\')
			i++;
		else if (v[i] == d)
			return i;
	}
	return NONE;
}

static size_t sed_address(const char *v, size_t n, size_t i)
{
	size_t e;

	if (i < n && (is_digit((unsigned char)v[i]) || v[i] == '$')) {
		while (i < n && (is_digit((unsigned char)v[i]) || v[i] == '$' || v[i] == '~' || v[i] == '+'))
			i++;
	} else if (i < n && (v[i] == '/' || (v[i] == '\\' && i + 1 < n))) {
		char d = v[i] == '/' ? '/' : v[i + 1];
		e = sed_delim(v, n, i + (v[i] == '/' ? 1 : 2), d);
		i = e == NONE ? n : e + 1;
		while (i < n && (v[i] == 'I' || v[i] == 'M'))
			i++;
	}
	return i;
}

/* a replacement's text; one that starts with \1 gets, in front, what
 * group 1 of the pattern matches when it is plain text (s/^\(pass=\).*\/\1X/):
 * the key is there */
static void sed_replacement(struct flat *f, const struct scan *sc, size_t w, size_t ps, size_t pe,
			    size_t rs, size_t re, char d)
{
	const char *v = wval(sc, w);

	if (re - rs >= 2 && v[rs] == '\\' && v[rs + 1] == '1') {
		size_t g = NONE;
		for (size_t i = ps; i + 1 < pe && g == NONE; i++)
			if (v[i] == '(' || (v[i] == '\\' && v[i + 1] == '('))
				g = v[i] == '(' ? i + 1 : i + 2;
		for (size_t i = g; g != NONE && i < pe && v[i] != ')' && !(v[i] == '\\' && i + 1 < pe && v[i + 1] == ')'); i++) {
			if (v[i] == '\\' && i + 1 < pe && !is_alnum((unsigned char)v[i + 1])) {
				flat_push(f, v[++i], NONE, 0);	/* \. is a dot */
			} else if (v[i] == '\\' || v[i] == '[') {	/* \s, [ \t]: a blank at most */
				size_t e = v[i] == '[' ? mem_find(v, pe, ']', i + 1) : i + 1;
				if (e == NONE)
					break;
				flat_push(f, ' ', NONE, 0);
				i = e;
			} else if (!strchr("^$*?+.", v[i])) {
				flat_push(f, v[i], NONE, 0);
			}
		}
		rs += 2;
	}
	for (size_t i = rs; i < re; i++) {
		if (v[i] == '\\' && i + 1 < re) {
			if (v[i + 1] == 'n')
				flat_push(f, '\n', NONE, 0);
			else if (v[i + 1] == d || v[i + 1] == '&')
				flat_push(f, v[i + 1], w, i + 1);
			i++;
		} else {
			flat_push(f, v[i], w, i);
		}
	}
}

void sed_script(struct ctx *c, struct scan *sc, size_t w, size_t from)
{
	const char *v = wval(sc, w);
	size_t n = wlen(sc, w), i = from;

	sc->words[w].flags |= W_EXPR;
	while (i < n) {
		struct flat f = { 0 };
		size_t ps, pe, re;
		char cmd, d;
		while (i < n && (is_blank((unsigned char)v[i]) || strchr(";{}!", v[i])))
			i++;
		i = sed_address(v, n, i);
		if (i < n && v[i] == ',')
			i = sed_address(v, n, i + 1);
		while (i < n && (v[i] == ' ' || v[i] == '!'))
			i++;
		if (i >= n)
			break;
		cmd = v[i++];
		if ((cmd == 's' || cmd == 'y') && i < n && v[i] != '\n' && v[i] != '\\') {
			d = v[i];
			ps = i + 1;
			pe = sed_delim(v, n, ps, d);
			if (pe == NONE)
				break;
			re = sed_delim(v, n, pe + 1, d);
			if (re == NONE)
				re = n;
			if (cmd == 's') {
				sed_replacement(&f, sc, w, ps, pe, pe + 1, re, d);
				flat_lines(c, sc, &f, L_SPACED);
			}
			i = re + 1;
			while (i < n && v[i] != ';' && v[i] != '\n' && v[i] != '}')
				i++;
		} else if (cmd == 'a' || cmd == 'i' || cmd == 'c') {
			size_t e;
			while (i < n && (v[i] == ' ' || v[i] == '\t'))
				i++;
			if (i < n && v[i] == '\\')
				i++;
			if (i < n && v[i] == '\n')
				i++;
			e = mem_find(v, n, '\n', i);
			e = e == NONE ? n : e;
			for (size_t j = i; j < e; j++)
				flat_push(&f, v[j], w, j);
			flat_lines(c, sc, &f, L_SPACED);
			i = e;
		} else if (strchr("#:rRwWbtTeqQlLv", cmd)) {
			while (i < n && v[i] != '\n' && (strchr("#:rRwW", cmd) || v[i] != ';'))
				i++;
		}
		flat_free(&f);
	}
}
