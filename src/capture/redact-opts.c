/*
 * redact-opts: command-line options parsed as each program parses them.
 * A program's struct optspec lists its options, whether each takes an
 * argument (A_*), and which part of that argument is secret (K_*: all of
 * it, what follows "user:", a header's value when its name says secret, a
 * command string…).  scan_opts walks the arguments with it the way the
 * program would (bundled short options, -name long options, options that
 * end at the first operand, abbreviated long options), marks the secret
 * arguments and collects the operands for the program's own rule.
 *
 * Invariants: an option the spec does not list takes no argument, and an
 * argument is marked only when its option's kind says so, so "-p" alone
 * (a password prompt) changes nothing.
 */
#include <stdbool.h>
#include <string.h>

#include "capture/redact-int.h"
#include "base/banned.h"

void header_value(struct ctx *c, const struct scan *sc, size_t w, size_t from)
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
	} else if (!mem_ieq(v + ns, ne - ns, "cookie") && !secret_name(c->r, v + ns, ne - ns)) {
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
void scan_opts(struct ctx *c, struct call *k, const struct optspec *spec, size_t from, bool mark)
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
