/*
 * redact-config: secrets in configuration files, read by their syntax.
 * A watched file's diff and the baseline's copy of a world-readable file
 * go through redact_file: the text rules and the assignment lines of
 * redact_text, and here the shapes that need the file's syntax, chosen by
 * the file's name (chap-secrets, .pgpass, .netrc, htpasswd, shadow,
 * sasl_passwd) and by the content of each line (any file):
 *
 *   - "key value" directives whose key names a secret (smtp_pass X,
 *     nginx's "secret X;", "password X"), one word, not a path;
 *   - HTTP headers set by a directive (proxy_set_header Authorization
 *     "Basic X"; RequestHeader set X-Api-Key X);
 *   - YAML's "- password: X", quoted keys, and the lines of a block
 *     scalar ("private_key: |") under a key that names a secret;
 *   - long random values of keys with a secret word anywhere
 *     (SECRET_KEY_BASE=…), which the last-word rule misses;
 *   - crypt(3) and {SHA} hashes after "name:" (htpasswd, shadow lines);
 *   - "[host]:port user:password" (postfix's smtp_sasl_password_maps).
 *
 * Whether a key names a secret is secret_name's (redact-keys.c): one list
 * for commands and files.  No library reads all these formats, and none
 * could keep every other byte of the file as it was, which a diff needs;
 * each rule here reads one line (or one token stream) and never fails.
 *
 * Invariants: as in the rest of the redactor, only mark_span marks, so a
 * marker already in the input is never touched; redact_file never
 * replaces a newline, so its output has the input's lines, one for one;
 * its output redacted again gives the same bytes (a second look is
 * folded in until nothing new is found, as redact_command does).
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "capture/redact-int.h"
#include "capture/redact.h"
#include "base/banned.h"

#define MARKER_LEN (sizeof REDACT_MARKER - 1)

/* the syntax a file's name says */
enum syntax {
	SYN_ANY,
	SYN_PPP,	/* chap-secrets, pap-secrets: client server secret ip */
	SYN_PGPASS,	/* host:port:db:user:password, "\:" escapes */
	SYN_NETRC,	/* machine h login u password X, tokens over lines */
	SYN_HTPASSWD,	/* user:hash, user:realm:hash */
	SYN_SHADOW,	/* user:hash:… */
	SYN_SASL,	/* [host]:port user:password */
};

static enum syntax syntax_of(const char *path)
{
	const char *base;

	if (!path)
		return SYN_ANY;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strcmp(base, "chap-secrets") || !strcmp(base, "pap-secrets"))
		return SYN_PPP;
	if (!strcmp(base, ".pgpass") || !strcmp(base, "pgpass"))
		return SYN_PGPASS;
	if (!strcmp(base, ".netrc") || !strcmp(base, "netrc") || !strcmp(base, "_netrc") ||
	    !strcmp(base, ".authinfo"))
		return SYN_NETRC;
	if (strstr(base, "htpasswd") || strstr(base, "htdigest"))
		return SYN_HTPASSWD;
	if (!strcmp(base, "shadow") || !strcmp(base, "gshadow") || !strcmp(base, "shadow-") ||
	    !strcmp(base, "gshadow-"))
		return SYN_SHADOW;
	if (strstr(base, "sasl_passwd"))
		return SYN_SASL;
	return SYN_ANY;
}

/* ------------------------------------------------------------------ */
/* lines and words */

struct line {
	size_t s, e;	/* [s, e): without the newline, a trailing '\r' and blanks */
	size_t b;	/* first byte that is not a blank */
};

static bool hblank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static bool next_line(const struct ctx *c, size_t *pos, struct line *l)
{
	const char *t = c->src;
	size_t end;

	if (*pos >= c->len)
		return false;
	end = mem_find(t, c->len, '\n', *pos);
	if (end == NONE)
		end = c->len;
	l->s = *pos;
	*pos = end + 1;
	while (end > l->s && (hblank(t[end - 1]) || t[end - 1] == '\r'))
		end--;
	l->e = end;
	l->b = l->s;
	while (l->b < l->e && hblank(t[l->b]))
		l->b++;
	return true;
}

static bool comment(const struct ctx *c, const struct line *l)
{
	return l->b < l->e && (c->src[l->b] == '#' || c->src[l->b] == ';' ||
			       (c->src[l->b] == '/' && l->b + 1 < l->e && c->src[l->b + 1] == '/'));
}

/* the word at *p (a "…" or '…' quoted word whole), *p moved past it and
 * the blanks after; *ws, *we its value, without the quotes */
static bool word(const struct ctx *c, size_t *p, size_t e, size_t *ws, size_t *we)
{
	const char *t = c->src;
	size_t i = *p;

	if (i >= e)
		return false;
	if (t[i] == '"' || t[i] == '\'') {
		size_t q = mem_find(t, e, t[i], i + 1);
		if (q != NONE) {
			*ws = i + 1;
			*we = q;
			i = q + 1;
			goto blanks;
		}
	}
	*ws = i;
	while (i < e && !hblank(t[i]))
		i++;
	*we = i;
blanks:
	while (i < e && hblank(t[i]))
		i++;
	*p = i;
	return true;
}

static bool is_keychar(int ch)
{
	return is_ident(ch) || ch == '.' || ch == '-';
}

/* a value that names where the secret is, or says nothing: kept */
static bool plain_value(const char *v, size_t n)
{
	static const char *const words[] = {
		"yes", "no", "true", "false", "on", "off", "none", "null", "required", "requisite",
		"sufficient", "optional", "include", "substack", "{", NULL
	};

	if (n == 0 || v[0] == '/' || mem_starts(v, n, "~/") || mem_starts(v, n, "./") ||
	    mem_starts(v, n, "../") || v[0] == '<' || v[0] == '@' || is_reference(v, NULL, n))
		return true;
	for (const char *const *w = words; *w; w++)
		if (mem_ieq(v, n, *w))
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* rules on any file, line by line */

/* nginx's upstream directives end in "_pass" and take an address */
static bool address_directive(const char *k, size_t n)
{
	static const char *const names[] = {
		"proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass", NULL
	};

	for (const char *const *w = names; *w; w++)
		if (mem_ieq(k, n, *w))
			return true;
	return false;
}

static bool auth_header(const char *k, size_t n)
{
	return mem_ieq(k, n, "authorization") || mem_ieq(k, n, "proxy-authorization");
}

/* "proxy_set_header Authorization "Basic X";", "RequestHeader set X-Api-Key X" */
static bool header_directive(struct ctx *c, const struct line *l, size_t ks, size_t ke, size_t p)
{
	const char *t = c->src;
	size_t ns, ne, vs, ve, e = l->e;

	if (ke - ks < 6 || !mem_ieq(t + ke - 6, 6, "header"))
		return false;
	if (e > p && t[e - 1] == ';')
		e--;
	if (!word(c, &p, e, &ns, &ne))
		return true;
	if (mem_ieq(t + ns, ne - ns, "set") || mem_ieq(t + ns, ne - ns, "append") ||
	    mem_ieq(t + ns, ne - ns, "add") || mem_ieq(t + ns, ne - ns, "always") ||
	    mem_ieq(t + ns, ne - ns, "merge") || mem_ieq(t + ns, ne - ns, "setifempty"))
		if (!word(c, &p, e, &ns, &ne))
			return true;
	if (p >= e)
		return true;
	vs = p;
	ve = e;
	while (ve > vs && hblank(t[ve - 1]))
		ve--;
	if (ve - vs >= 2 && (t[vs] == '"' || t[vs] == '\'') && t[ve - 1] == t[vs]) {
		vs++;
		ve--;
	}
	if (auth_header(t + ns, ne - ns)) {
		size_t w = vs;	/* the scheme stays: "Basic [REDACTED]" */
		while (w < ve && !hblank(t[w]))
			w++;
		if (w < ve) {
			while (w < ve && hblank(t[w]))
				w++;
			vs = w;
		}
	} else if (!secret_name(c->r, t + ns, ne - ns)) {
		return true;
	}
	if (ve > vs && !is_reference(t + vs, NULL, ve - vs))
		mark_span(c, vs, ve);
	return true;
}

/* does any component of the key (on _ - .) name a secret?  SECRET_KEY_BASE */
static bool secret_component(const struct redactor *r, const char *k, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && k[j] != '_' && k[j] != '-' && k[j] != '.')
			j++;
		if (j > i && secret_name(r, k + i, j - i))
			return true;
		i = j + 1;
	}
	return false;
}

/* a generated key, not a word a person chose: long, mixed, unbroken */
static bool random_value(const char *v, size_t n)
{
	bool lower = false, upper = false, digit = false, hex = true;

	if (n < 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		int ch = (unsigned char)v[i];
		if (is_blank(ch) || ch == '"' || ch == '\'')
			return false;
		lower |= is_lower(ch);
		upper |= is_upper(ch);
		digit |= is_digit(ch);
		if (!is_digit(ch) && !(to_lower(ch) >= 'a' && to_lower(ch) <= 'f'))
			hex = false;
	}
	return (hex && n >= 32) || (lower && upper && digit) || (n >= 40 && digit && (lower || upper));
}

/* name:$6$…, name:{SSHA}…: a crypt(3) hash can be cracked offline */
static void crypt_hash(struct ctx *c, const struct line *l)
{
	const char *t = c->src;
	size_t i = l->b, s;

	while (i < l->e && (is_keychar((unsigned char)t[i]) || t[i] == '@'))
		i++;
	if (i == l->b || i >= l->e || t[i] != ':')
		return;
	i++;
	while (i < l->e && t[i] == '!')
		i++;
	if (i + 3 < l->e && t[i] == '$' && mem_find(t, l->e, '$', i + 1) != NONE) {
		size_t id = i + 1;
		while (id < l->e && is_alnum((unsigned char)t[id]))
			id++;
		if (id == i + 1 || id >= l->e || t[id] != '$')
			return;
	} else if (!(mem_starts(t + i, l->e - i, "{SHA}") || mem_starts(t + i, l->e - i, "{SSHA}") ||
		     mem_starts(t + i, l->e - i, "{SHA256}") || mem_starts(t + i, l->e - i, "{SSHA512}"))) {
		return;
	}
	s = i;
	while (i < l->e && t[i] != ':' && !hblank(t[i]))
		i++;
	mark_span(c, s, i);
}

/* "user:password" in the second word: from the first ':' */
static void after_colon(struct ctx *c, size_t ws, size_t we)
{
	size_t colon = mem_find(c->src, we, ':', ws);

	if (colon != NONE && colon + 1 < we)
		mark_span(c, colon + 1, we);
}

/* the lines of a YAML block scalar under a secret key, from line l on */
static size_t block_scalar(struct ctx *c, size_t pos, size_t indent)
{
	struct line l;
	size_t at = pos;

	while (next_line(c, &at, &l)) {
		if (l.b < l.e && l.b - l.s <= indent)
			break;
		if (l.b < l.e)
			mark_span(c, l.b, l.e);
		pos = at;
	}
	return pos;
}

static bool block_indicator(const char *v, size_t n)
{
	size_t i = 0;

	if (n == 0 || (v[0] != '|' && v[0] != '>'))
		return false;
	for (i = 1; i < n && (v[i] == '-' || v[i] == '+' || is_digit((unsigned char)v[i])); i++)
		;
	while (i < n && hblank(v[i]))
		i++;
	return i == n || v[i] == '#';
}

/*
 * One line of any file.  Returns where the next line starts (a block
 * scalar's lines are this line's).
 */
static size_t any_line(struct ctx *c, const struct line *l, size_t next)
{
	const char *t = c->src;
	size_t i = l->b, ks, ke, p, vs, ve, e;
	bool item = false, quoted = false;

	if (l->b >= l->e || comment(c, l))
		return next;
	crypt_hash(c, l);
	if (l->e - i >= 2 && t[i] == '-' && hblank(t[i + 1])) {	/* YAML "- key: value" */
		item = true;
		i += 2;
		while (i < l->e && hblank(t[i]))
			i++;
	}
	if (l->e - i > 7 && !memcmp(t + i, "export ", 7))
		i += 7;
	if (i < l->e && (t[i] == '"' || t[i] == '\'')) {
		quoted = true;
		i++;
	}
	ks = i;
	while (i < l->e && is_keychar((unsigned char)t[i]))
		i++;
	ke = i;
	if (ke == ks)
		return next;
	if (quoted) {
		if (i >= l->e || t[i] != t[ks - 1])
			return next;
		i++;
	}
	p = i;
	while (p < l->e && hblank(t[p]))
		p++;
	if (p < l->e && (t[p] == '=' || t[p] == ':')) {
		/* an assignment: redact_text's own, but for what it does not see */
		bool secret = secret_name(c->r, t + ks, ke - ks);
		vs = p + 1;
		while (vs < l->e && hblank(t[vs]))
			vs++;
		ve = l->e;
		if (quoted && ve > vs && t[ve - 1] == ',')	/* a JSON member */
			ve--;
		if (secret && t[p] == ':' && block_indicator(t + vs, ve - vs))
			return block_scalar(c, next, l->b - l->s + (item ? 2 : 0));
		if (ve - vs >= 2 && (t[vs] == '"' || t[vs] == '\'') && t[ve - 1] == t[vs]) {
			vs++;
			ve--;
		}
		if (ve <= vs || is_reference(t + vs, NULL, ve - vs))
			return next;
		if ((secret && (item || quoted)) ||
		    (!secret && secret_component(c->r, t + ks, ke - ks) && random_value(t + vs, ve - vs)))
			mark_span(c, vs, ve);
		return next;
	}
	if (item || quoted || p == i || p >= l->e)
		return next;
	/* "key value": a directive */
	if (header_directive(c, l, ks, ke, p) || address_directive(t + ks, ke - ks) ||
	    !secret_name(c->r, t + ks, ke - ks))
		return next;
	/* one word (quoted or not), then nothing or ';': "Password must be
	 * changed" is prose */
	e = l->e;
	if (e > p && t[e - 1] == ';')
		e--;
	while (e > p && hblank(t[e - 1]))
		e--;
	if (word(c, &p, e, &vs, &ve) && p >= e && !plain_value(t + vs, ve - vs))
		mark_span(c, vs, ve);
	return next;
}

/* ------------------------------------------------------------------ */
/* rules of files known by their name */

/* chap-secrets, pap-secrets: "client server secret [ip…]", the third word */
static void ppp_line(struct ctx *c, const struct line *l)
{
	size_t p = l->b, ws, we;

	for (int n = 0; n < 3; n++)
		if (!word(c, &p, l->e, &ws, &we))
			return;
	if (we > ws && !mem_is(c->src + ws, we - ws, "*") && !mem_is(c->src + ws, we - ws, "-"))
		mark_span(c, ws, we);
}

/* .pgpass: host:port:database:user:password, ':' and '\' escaped by '\' */
static void pgpass_line(struct ctx *c, const struct line *l)
{
	const char *t = c->src;
	int colons = 0;

	for (size_t i = l->b; i < l->e; i++) {
		if (t[i] == '\\') {
			i++;
		} else if (t[i] == ':' && ++colons == 4) {
			mark_span(c, i + 1, l->e);
			return;
		}
	}
}

/* htpasswd "user:hash", htdigest "user:realm:hash": after the last ':' */
static void htpasswd_line(struct ctx *c, const struct line *l)
{
	size_t colon = NONE;

	for (size_t i = l->b; i < l->e; i++)
		if (c->src[i] == ':')
			colon = i;
	if (colon != NONE)
		mark_span(c, colon + 1, l->e);
}

/* shadow "user:hash:…": the second field, but "*", "!", "x" say no password */
static void shadow_line(struct ctx *c, const struct line *l)
{
	const char *t = c->src;
	size_t s = mem_find(t, l->e, ':', l->b), e;

	if (s == NONE)
		return;
	s++;
	e = mem_find(t, l->e, ':', s);
	if (e == NONE)
		e = l->e;
	while (s < e && (t[s] == '!' || t[s] == '*'))
		s++;
	if (e > s && !mem_is(t + s, e - s, "x"))
		mark_span(c, s, e);
}

/* "[smtp.example.com]:587 user:password": the second word, after its ':' */
static void sasl_line(struct ctx *c, const struct line *l, bool by_name)
{
	size_t p = l->b, hs, he, ws, we;

	if (!word(c, &p, l->e, &hs, &he) || !word(c, &p, l->e, &ws, &we) || p < l->e)
		return;
	if (by_name || (c->src[hs] == '[' && mem_find(c->src, he, ']', hs) != NONE))
		after_colon(c, ws, we);
}

/* .netrc: "password X" and "account X" anywhere in the token stream */
static void netrc_tokens(struct ctx *c)
{
	struct line l;
	size_t pos = 0;
	bool take = false;

	while (next_line(c, &pos, &l)) {
		size_t p = l.b, ws, we;
		if (comment(c, &l))
			continue;
		while (word(c, &p, l.e, &ws, &we)) {
			if (take && we > ws)
				mark_span(c, ws, we);
			take = !take && (mem_is(c->src + ws, we - ws, "password") ||
					 mem_is(c->src + ws, we - ws, "account"));
		}
	}
}

void mark_config(struct ctx *c, const char *path)
{
	enum syntax syn = syntax_of(path);
	struct line l;
	size_t pos = 0;

	if (syn == SYN_NETRC)
		netrc_tokens(c);
	while (next_line(c, &pos, &l)) {
		size_t next = pos;
		if (l.b >= l.e || comment(c, &l))
			continue;
		switch (syn) {
		case SYN_PPP: ppp_line(c, &l); break;
		case SYN_PGPASS: pgpass_line(c, &l); break;
		case SYN_HTPASSWD: htpasswd_line(c, &l); break;
		case SYN_SHADOW: shadow_line(c, &l); break;
		case SYN_SASL: sasl_line(c, &l, true); break;
		default: sasl_line(c, &l, false); break;
		}
		pos = any_line(c, &l, next);
	}
}

/* ------------------------------------------------------------------ */
/* the API */

/* flag the secrets of text (flags zeroed); true if any */
static bool analyze_file(const struct redactor *r, const void *arg, const char *text, size_t len,
			 unsigned char *flags, pcre2_match_data *md)
{
	const char *path = arg;
	struct ctx c = { .r = r, .src = text, .len = len, .flags = flags };
	const char *m = text;

	while (len >= MARKER_LEN && (m = memmem(m, len - (size_t)(m - text), REDACT_MARKER, MARKER_LEN))) {
		memset(flags + (m - text), B_MARKER, MARKER_LEN);
		m += MARKER_LEN;
	}
	mark_assignments(&c);
	mark_config(&c, path);
	for (size_t k = 0; k < r->nrx; k++)
		run_text_rule(&c, &r->rx[k], md);
	for (size_t p = 0; p < len; p++)
		if ((flags[p] & B_SECRET) && text[p] != '\n')
			return true;
	return false;
}

/* a newline is never replaced, so the lines stay the lines */
size_t redact_file(const struct redactor *r, const char *path, const char *text, size_t len, struct buf *out)
{
	return redact_settle(r, analyze_file, path, true, text, len, out);
}
