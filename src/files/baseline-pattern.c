/*
 * baseline-pattern: the exclusion and sensitive patterns of a watch list,
 * prepared once per walk.
 *
 * A scan matches every exclusion and sensitive pattern against every name
 * it meets.  A pattern on the full path (FNM_PATHNAME, as in
 * "/etc/ld.so.cache") can only match the children of the directories its
 * part before the last '/' matches: that part is checked once per
 * directory, and the rest, like a pattern on the base name, against the
 * child's name alone, with a compare when it is a literal or "*" and a
 * literal.  watch_match() stays the reference: a test walks a tree with
 * both and compares.
 *
 * Invariant: a prepared set matches exactly the names watch_match() does
 * (kinds and their struct pat are in baseline-int.h).
 */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "files/baseline-int.h"
#include "files/baseline.h"
#include "files/watch.h"
#include "base/banned.h"

static bool has_wild(const char *s)
{
	return strpbrk(s, "*?[\\") != NULL;
}

void baseline_patset_init(struct patset *ps, char *const *patterns, size_t n)
{
	ps->v = n ? xcalloc(n, sizeof *ps->v) : NULL;
	ps->n = n;
	for (size_t i = 0; i < n; i++) {
		struct pat *p = &ps->v[i];
		const char *pat = patterns[i];

		p->whole = pat;
		p->base = pat;
		if (pat[0] == '/') {
			const char *slash = strrchr(pat, '/');
			if (strchr(pat, '[')) {
				p->kind = PAT_WHOLE;
				continue;
			}
			p->dir = xstrndup(pat, (size_t)(slash - pat));
			p->base = slash + 1;
		}
		if (!has_wild(p->base)) {
			p->kind = PAT_LITERAL;
			p->len = strlen(p->base);
		} else if (p->base[0] == '*' && !has_wild(p->base + 1)) {
			p->kind = PAT_SUFFIX;
			p->len = strlen(p->base + 1);
		} else {
			p->kind = PAT_FNMATCH;
		}
	}
}

void baseline_patset_free(struct patset *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i].dir);
	free(ps->v);
	memset(ps, 0, sizeof *ps);
}

/*
 * The patterns that may match a child of the directory dir (its path
 * without a trailing slash: "" for "/"), into active (room for ps->n).
 */
size_t baseline_patset_for_dir(const struct patset *ps, const char *dir, const struct pat **active)
{
	size_t n = 0;

	for (size_t i = 0; i < ps->n; i++) {
		const struct pat *p = &ps->v[i];

		if (p->kind != PAT_WHOLE && p->dir) {
			if (has_wild(p->dir) ? fnmatch(p->dir, dir, FNM_PATHNAME) != 0 : strcmp(p->dir, dir) != 0)
				continue;
		}
		active[n++] = p;
	}
	return n;
}

/* one of the active patterns matches the child name (whose full path is path) */
bool baseline_patset_match(const struct pat *const *active, size_t n, const char *name, size_t len, const char *path)
{
	for (size_t i = 0; i < n; i++) {
		const struct pat *p = active[i];

		switch (p->kind) {
		case PAT_LITERAL:
			if (len == p->len && !memcmp(name, p->base, len))
				return true;
			break;
		case PAT_SUFFIX:
			if (len >= p->len && !memcmp(name + len - p->len, p->base + 1, p->len))
				return true;
			break;
		case PAT_FNMATCH:
			if (fnmatch(p->base, name, 0) == 0)
				return true;
			break;
		default:
			if (watch_match(p->whole, path))
				return true;
			break;
		}
	}
	return false;
}
