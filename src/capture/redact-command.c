/*
 * redact-command: the rules on one simple command.  The program is found
 * after assignments and wrappers (sudo -u x, env A=b, nice, …), and the
 * rule of a known program (redact-program.c) parses its options as that
 * program does (mysql -pX but not -p alone, curl -u user:X, htpasswd -b
 * …).  Commands fed on standard input (chpasswd, passwd --stdin, sudo -S)
 * look at the echo/printf before them in the pipeline, their here-string
 * or heredoc.  Command strings (bash -c '…', ssh host '…', su -c) are
 * tokenized again, their bytes mapped back to the source.  Then the next
 * word of "--token X" for programs not known, what the command writes or
 * feeds (redact-shape.c), and the key=value items of every word, at its
 * start or anywhere inside (redact-keys.c).
 *
 * Invariants: the recursion is bounded: command strings are tokenized
 * again MAX_DEPTH deep, wrappers followed MAX_DISPATCH deep, and a word
 * read as a command string once (W_SCRIPT) is not read again.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "capture/redact-int.h"
#include "base/banned.h"

/* ------------------------------------------------------------------ */
/* command strings, assignments */

/* tokenize value bytes [from, len) of word w as a command string: the word
 * is then left to the rules of the commands it holds */
void recurse_word(struct ctx *c, const struct scan *sc, size_t w, size_t from)
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

size_t command_argv(const struct scan *sc, size_t cmd, size_t *argv)
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

/* the program after assignments and wrappers (sudo -u x, env A=b, nice
 * -n 5, timeout 10, if, then…): its index in argv, argc if none; *famp
 * its family (NULL: not a known program) */
static size_t skip_wrappers(struct ctx *c, struct call *k, const size_t *argv, size_t argc,
			    const struct family **famp, bool *sudo_stdin)
{
	struct scan *sc = k->sc;
	const struct family *fam = NULL;
	size_t p = 0;

	while (p < argc) {
		while (p < argc && is_assignment(sc, argv[p]))
			p++;
		if (p >= argc)
			break;
		fam = find_family(c, sc, argv[p]);
		if (!fam || !(fam->flags & F_PREFIX))
			break;
		k->argv = argv + p;
		k->argc = argc - p;
		k->at_command = true;
		if (fam->id == FAM_RESERVED) {
			p++;
			continue;
		}
		scan_opts(c, k, family_spec(fam->id), 1, true);
		if (fam->id == FAM_SUDO && (k->seen['S'] || has_arg(k, "--stdin")))
			*sudo_stdin = true;
		if (k->npos <= fam->skip) {	/* no command after it */
			p = argc;
			fam = NULL;
			break;
		}
		p += k->pos[fam->skip];
		fam = NULL;
	}
	*famp = fam;
	return p;
}

size_t program_word(struct ctx *c, const struct scan *sc, const size_t *argv, size_t argc, size_t *at)
{
	struct call k;
	const struct family *fam;
	bool sudo_stdin = false;
	size_t p;

	memset(&k, 0, sizeof k);
	k.sc = (struct scan *)sc;
	k.pos = xreallocarray(NULL, argc + 1, sizeof *k.pos);
	p = skip_wrappers(c, &k, argv, argc, &fam, &sudo_stdin);
	free(k.pos);
	*at = p;
	return p < argc ? argv[p] : NONE;
}

/*
 * The program: after assignments and wrappers (sudo -u x, env A=b, nice
 * -n 5, timeout 10, if, then…), its rule parses the options; then any
 * other word naming a known program is parsed again from there (docker
 * exec db mysql -pX, xargs curl -u a:b), each family once, without the
 * rules that take operands (only the command's own operands are known).
 */
void dispatch(struct ctx *c, struct scan *sc, size_t cmd, const size_t *argv, size_t argc, int depth)
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
	p = skip_wrappers(c, &k, argv, argc, &fam, &sudo_stdin);
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
		if (command_key(c->r, v + d, n - d)) {	/* --password-command 'echo X' */
			secret_output(c, sc, argv[i + 1], 0);
			i++;
			continue;
		}
		if (key_class(c->r, v + d, n - d, true) != KEY_SECRET)
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
	shape_command(c, sc, cmd, argv, argc);
	for (size_t k = 0; k < cm->n; k++) {
		size_t w = sc->cw[cm->w + k];
		if (!(sc->words[w].flags & (W_DELIM | W_IONUM | W_REDIR | W_SCRIPT)))
			kv_word(c, sc, w);
		if (sc->words[w].flags & W_HERESTRING)	/* ldapmodify <<< $'…userPassword: X' */
			body_lines(c, sc, w);
		if (!(sc->words[w].flags & (W_DELIM | W_IONUM | W_REDIR | W_SCRIPT | W_EXPR | W_COMMENT)))
			kv_inside(c, sc, w);
	}
	free(argv);
}

void run_scan(struct ctx *c, struct scan *sc)
{
	for (size_t cmd = 0; cmd < sc->nc; cmd++)
		run_command(c, sc, cmd);
	for (size_t b = 0; b < sc->nb; b++)
		if (!(sc->words[sc->bodies[b].word].flags & W_SCRIPT)) {
			body_lines(c, sc, sc->bodies[b].word);
			kv_inside(c, sc, sc->bodies[b].word);
		}
}
