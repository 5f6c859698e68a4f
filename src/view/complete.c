/*
 * complete: parse a command's --help into its options and the shape of
 * its arguments, and say what the word under the cursor can be (see
 * complete.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "view/complete.h"
#include "base/banned.h"

enum complete_kind complete_placeholder(const char *cmd, const char *placeholder)
{
	static const struct {
		const char *name;
		enum complete_kind kind;
	} table[] = {
		{ "DAY", COMPLETE_DAYS }, { "DAYS", COMPLETE_DAYS }, { "TIME", COMPLETE_DAYS }, { "HOST", COMPLETE_HOSTS },
		{ "ADMIN", COMPLETE_ADMINS }, { "USER", COMPLETE_ADMINS }, { "REMOTE", COMPLETE_REMOTES },
		{ "KIND", COMPLETE_KINDS }, { "WHEN", COMPLETE_WHEN }, { "ZONE", COMPLETE_ZONES },
		{ "COMMAND", COMPLETE_COMMANDS }, { "DIR", COMPLETE_DIRS }, { "FILE", COMPLETE_FILES },
		{ "PATH", COMPLETE_FILES },
	};
	size_t len = strcspn(placeholder, "|");

	/* NAME is whatever the command names: a remote, or an admin */
	if (len == 4 && !strncmp(placeholder, "NAME", 4))
		return !strcmp(cmd, "remote") ? COMPLETE_REMOTES : !strcmp(cmd, "team") ? COMPLETE_ADMINS : COMPLETE_NONE;
	for (size_t i = 0; i < sizeof table / sizeof *table; i++)
		if (strlen(table[i].name) == len && !strncmp(table[i].name, placeholder, len))
			return table[i].kind;
	return COMPLETE_NONE;
}

/* one element of a synopsis line: literal words, or a placeholder */
struct element {
	char *text;	/* "add", "bash|zsh" or "DAY", brackets and "..." removed */
	bool literal;
	bool repeat;
};

struct synopsis {
	struct element *v;
	size_t n;
};

static bool is_placeholder(const char *s)
{
	return isupper((unsigned char)s[0]);
}

/* the token without [ ] and ... around it (allocated) */
static char *strip(const char *raw)
{
	size_t len;

	while (*raw == '[')
		raw++;
	len = strlen(raw);
	for (;;) {
		if (len >= 3 && !strncmp(raw + len - 3, "...", 3))
			len -= 3;
		else if (len && raw[len - 1] == ']')
			len--;
		else
			break;
	}
	return xstrndup(raw, len);
}

static void add_option(struct complete_options *o, const char *name, size_t len, const char *value, size_t vlen,
		       bool eq)
{
	for (size_t i = 0; i < o->n; i++) {
		if (strlen(o->names[i]) == len && !strncmp(o->names[i], name, len)) {
			if (!o->values[i] && value) {
				o->values[i] = xstrndup(value, vlen);
				o->eq[i] = eq;
			}
			return;
		}
	}
	o->names = xreallocarray(o->names, o->n + 1, sizeof *o->names);
	o->values = xreallocarray(o->values, o->n + 1, sizeof *o->values);
	o->eq = xreallocarray(o->eq, o->n + 1, sizeof *o->eq);
	o->names[o->n] = xstrndup(name, len);
	o->values[o->n] = value ? xstrndup(value, vlen) : NULL;
	o->eq[o->n] = eq;
	o->n++;
}

/* split the tokens of the synopsis lines (those before the first empty line) */
static void split_synopses(const char *help, struct synopsis **out, size_t *nout, struct complete_options *opts)
{
	struct synopsis *v = NULL;
	size_t n = 0;
	const char *p = help;

	while (*p && *p != '\n') {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *line = xstrndup(p, len), *tok, *save = NULL, *at = strstr(line, "logbook ");
		char **raw = NULL;
		size_t nraw = 0;

		p = eol ? eol + 1 : p + len;
		if (at) {
			/* "logbook CMD rest": a new synopsis from rest */
			char *rest = at + strlen("logbook ");
			rest += strcspn(rest, " ");
			v = xreallocarray(v, n + 1, sizeof *v);
			v[n].v = NULL;
			v[n].n = 0;
			n++;
			memmove(line, rest, strlen(rest) + 1);
		} else if (n == 0) {
			free(line);
			continue;
		}
		for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
			raw = xreallocarray(raw, nraw + 1, sizeof *raw);
			raw[nraw++] = tok;
		}
		for (size_t i = 0; i < nraw; i++) {
			char *s = strip(raw[i]);
			struct synopsis *syn = &v[n - 1];
			if (s[0] == '-') {
				char *eq = strchr(s, '=');
				if (eq) {
					add_option(opts, s, (size_t)(eq - s), eq + 1, strcspn(eq + 1, "|"), true);
				} else if (i + 1 < nraw && raw[i + 1][0] != '[' && raw[i][strlen(raw[i]) - 1] != ']') {
					/* "--host HOST" or "[--host HOST]", not "[--json] QUERY" */
					char *val = strip(raw[i + 1]);
					if (is_placeholder(val)) {
						add_option(opts, s, strlen(s), val, strcspn(val, "|"), false);
						i++;
					} else {
						add_option(opts, s, strlen(s), NULL, 0, false);
					}
					free(val);
				} else {
					add_option(opts, s, strlen(s), NULL, 0, false);
				}
				free(s);
				continue;
			}
			if (!*s) {
				free(s);
				continue;
			}
			syn->v = xreallocarray(syn->v, syn->n + 1, sizeof *syn->v);
			syn->v[syn->n].text = s;
			syn->v[syn->n].literal = !is_placeholder(s);
			syn->v[syn->n].repeat = strstr(raw[i], "...") != NULL;
			syn->n++;
		}
		free(raw);
		free(line);
	}
	*out = v;
	*nout = n;
}

static void free_synopses(struct synopsis *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < v[i].n; k++)
			free(v[i].v[k].text);
		free(v[i].v);
	}
	free(v);
}

/* option lines of the help body: "  -h, --help   ...", "  --host HOST  ...", "  --color=WHEN ..." */
static void parse_option_lines(const char *help, struct complete_options *o)
{
	for (const char *p = help; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *q = p;
		while (*q == ' ' || *q == '\t')
			q++;
		if (q == p || *q != '-')
			continue;
		for (;;) {
			size_t len = strspn(q, "-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
			const char *after = q + len;
			/* "-x" or "--name", then a space, a comma, '=' or the line's end */
			if (len < 2 || q[0] != '-' || !strchr(" ,=\n", *after) || !*after)
				break;
			if (*after == '=') {
				size_t vlen = strcspn(after + 1, " \n|");
				add_option(o, q, len, after + 1, vlen, true);
				after += 1 + strcspn(after + 1, " ,\n");
			} else if (after[0] == ' ' && isupper((unsigned char)after[1])) {
				size_t vlen = strcspn(after + 1, " ,\n|");
				add_option(o, q, len, after + 1, vlen, false);
				after += 1 + strcspn(after + 1, " ,\n");
			} else {
				add_option(o, q, len, NULL, 0, false);
			}
			if (after[0] == ',' && after[1] == ' ' && after[2] == '-')
				q = after + 2;
			else
				break;
		}
	}
}

void complete_options_parse(const char *help, struct complete_options *out)
{
	struct synopsis *syn;
	size_t n;

	memset(out, 0, sizeof *out);
	split_synopses(help, &syn, &n, out);
	free_synopses(syn, n);
	{
		/* the body: after the synopsis's empty line */
		const char *body = strstr(help, "\n\n");
		if (body)
			parse_option_lines(body, out);
	}
}

void complete_options_free(struct complete_options *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->names[i]);
		free(o->values[i]);
	}
	free(o->names);
	free(o->values);
	free(o->eq);
	memset(o, 0, sizeof *o);
}

static const char *option_value(const struct complete_options *o, const char *name, size_t len)
{
	for (size_t i = 0; i < o->n; i++)
		if (strlen(o->names[i]) == len && !strncmp(o->names[i], name, len))
			return o->values[i];
	return NULL;
}

static bool alt_matches(const char *alts, const char *word)
{
	size_t wl = strlen(word);

	for (const char *a = alts; *a;) {
		size_t l = strcspn(a, "|");
		if (l == wl && !strncmp(a, word, l))
			return true;
		a += l + (a[l] == '|');
	}
	return false;
}

/* whether lits (words, each ended by a newline) holds the word [w, w+l) */
static bool lits_have(const struct buf *lits, const char *w, size_t l)
{
	for (size_t p = 0; p < lits->len;) {
		const char *nl = memchr(lits->data + p, '\n', lits->len - p);
		size_t n = nl ? (size_t)(nl - (lits->data + p)) : lits->len - p;
		if (n == l && !memcmp(lits->data + p, w, l))
			return true;
		p += n + 1;
	}
	return false;
}

/* a word two synopsis lines offer ("hook bash|zsh", "hook --command bash") is proposed once */
static void propose(const char *cmd, const struct element *e, struct buf *lits, unsigned *kinds)
{
	if (!e->literal) {
		*kinds |= 1u << complete_placeholder(cmd, e->text);
		return;
	}
	for (const char *a = e->text; *a;) {
		size_t l = strcspn(a, "|");
		if (!lits_have(lits, a, l)) {
			buf_add(lits, a, l);
			buf_addc(lits, '\n');
		}
		a += l + (a[l] == '|');
	}
}

void complete_args(const char *help, const char *const *words, size_t cword, struct buf *lits, unsigned *kinds)
{
	struct complete_options opts = { 0 };
	struct synopsis *syn;
	size_t nsyn, npos = 0;
	const char **pos = xcalloc(cword + 1, sizeof *pos);
	const char *cmd = words[0], *cur = words[cword];
	bool endopts = false;

	split_synopses(help, &syn, &nsyn, &opts);
	{
		const char *body = strstr(help, "\n\n");
		if (body)
			parse_option_lines(body, &opts);
	}
	for (size_t i = 1; i < cword; i++) {
		const char *w = words[i];
		if (!endopts && !strcmp(w, "--")) {
			endopts = true;
		} else if (!endopts && w[0] == '-' && w[1]) {
			size_t len = strcspn(w, "=");
			const char *val = option_value(&opts, w, len);
			if (val && !w[len]) {
				if (i + 1 == cword) {
					*kinds |= 1u << complete_placeholder(cmd, val);
					goto out;
				}
				i++;
			}
		} else {
			pos[npos++] = w;
		}
	}
	if (!endopts && cur[0] == '-') {
		size_t len = strcspn(cur, "=");
		if (cur[len] == '=') {
			const char *val = option_value(&opts, cur, len);
			if (val)
				*kinds |= 1u << complete_placeholder(cmd, val);
		}
		goto out;
	}
	for (size_t s = 0; s < nsyn; s++) {
		const struct synopsis *y = &syn[s];
		bool match = true;
		for (size_t k = 0; k < npos && match; k++) {
			const struct element *e = k < y->n ? &y->v[k] : y->n && y->v[y->n - 1].repeat ? &y->v[y->n - 1] : NULL;
			if (!e || (e->literal && !alt_matches(e->text, pos[k])))
				match = false;
		}
		if (!match)
			continue;
		if (npos < y->n)
			propose(cmd, &y->v[npos], lits, kinds);
		else if (y->n && y->v[y->n - 1].repeat)
			propose(cmd, &y->v[y->n - 1], lits, kinds);
	}
out:
	*kinds &= ~(1u << COMPLETE_NONE);
	free(pos);
	free_synopses(syn, nsyn);
	complete_options_free(&opts);
}
