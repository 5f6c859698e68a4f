/*
 * diff: Myers' O(ND) difference algorithm on lines, printed as GNU
 * `diff -u` prints it.
 *
 * Why our own: no C library packaged in Debian gives `diff -u` output for
 * two buffers, and libgit2, which does (git_patch_from_buffers), would pull
 * a whole git implementation into logbook for one function.  Spawning diff
 * would need temporary files for text we already hold.  So we keep this
 * file, and hold it to a high bar: tests/fuzz/fuzz-diff.c applies every
 * diff it makes with an applier of its own and checks that small diffs are
 * minimal; tests/diff-property.bats applies thousands of random diffs with
 * GNU patch; tests/unit/test-diff.c pins the exact output against diff's.
 *
 * The steps, for old (side a, N lines) and new (side b, M lines):
 *
 *  1. Lines.  Each side is cut after every '\n'.  A last line without one
 *     is a line too, different from the same bytes with a newline (diff's
 *     rule, and what "\ No newline at end of file" is for).
 *  2. Lines equal at both ends are set aside by comparing bytes.
 *  3. Classes.  Every line in between is hashed; a hash table gives each
 *     distinct line a small number (bytes compared on hash equality), so
 *     the search compares integers.
 *  4. A line of one side that occurs nowhere in the other cannot be part of
 *     any common subsequence: it is marked changed and left out of the
 *     search.  Nothing is lost, and "nothing in common" becomes cheap.
 *  5. Search: Myers (1986), "An O(ND) Difference Algorithm and Its
 *     Variations", section 4b.  D-paths are run from both corners of the
 *     box at once until they meet (the middle snake); the box is split
 *     there and both halves are solved the same way, off an explicit stack.
 *     Memory is O(N+M): one array of furthest-reaching points per direction,
 *     indexed by diagonal.
 *     Cost cap: when a split has not met after max(256, sqrt(N+M)) rounds,
 *     it splits at the furthest point either direction reached instead
 *     (the heuristic of GNU diff and git's xdiff); and when the work done
 *     for the whole diff passes a budget, what is left of every box is
 *     marked changed.  Either way the script stays correct; it is only
 *     longer than it could be.  Small inputs never reach either limit.
 *  6. Runs of changed lines slide to where diff puts them: as far down as
 *     they go, then back up to face a change of the other side if they met
 *     one (GNU diff's shift_boundaries).  Sliding keeps the script valid
 *     and its length: it only reads like diff's.
 *  7. Script: the unchanged lines of both sides pair up in order, and each
 *     pair is checked equal, byte for byte, before anything is printed;
 *     were a bug to break that, the diff would replace the whole file,
 *     still correct.  Changes separated by at most 2 * context unchanged
 *     lines share a hunk, as in diff.
 *
 * Indices are int32_t: DIFF_MAX_LINES keeps them far from overflow.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "files/diff.h"
#include "base/banned.h"

_Static_assert(DIFF_MAX_LINES <= INT32_MAX / 4, "line indices must fit in int32_t with room for diagonals");

/*
 * The cost cap.  A box whose paths have not met after SPLIT_ROUNDS rounds
 * is split at the furthest point either reached, so no split costs more
 * than about SPLIT_ROUNDS times the box's size; a diff of at most
 * 2 * SPLIT_ROUNDS '-' and '+' lines never gets there, and stays minimal.
 * The work of one whole diff (diagonals visited plus snake steps) is
 * capped at WORK_MIN + WORK_PER_LINE * (N + M), never more than WORK_MAX:
 * at some 5 ns a step, about a second.  Two files of DIFF_MAX_LINES
 * lines of the worst kind took 1.4 s in all on a 2-vCPU VM, bench/diff's
 * hardest pair of 100,000 lines 0.2 s.
 */
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define SPLIT_ROUNDS 256
#define WORK_MIN 50000000ULL
#define WORK_PER_LINE 200ULL
#define WORK_MAX 200000000ULL
#define IMPOSSIBLE() ((void)0)
#else
/*
 * Under the fuzzer (tests/fuzz/fuzz-diff.c), small limits, so that inputs
 * of a few KiB reach both sides of the cost cap, and an impossible state
 * is a finding rather than something to recover from quietly.
 */
#define SPLIT_ROUNDS 32
#define WORK_MIN 100000ULL
#define WORK_PER_LINE 0ULL
#define WORK_MAX 100000ULL
#define IMPOSSIBLE() abort()
#endif

struct side {
	const char *data;
	size_t len;
	int32_t n;		/* lines */
	size_t *start;		/* n + 1 offsets: line i is data[start[i] .. start[i + 1]) */
	char *changed;		/* n + 2 flags, changed[-1] and changed[n] stay 0 */
	uint32_t *class;	/* per line, only between the common prefix and suffix */
};

static int32_t count_lines(const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	int32_t n = 0;

	if (len == 0)
		return 0;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
		p++;
		if (++n > DIFF_MAX_LINES)
			return n;
	}
	return n + (data[len - 1] != '\n');
}

static void side_init(struct side *s, const char *data, size_t len, int32_t n)
{
	const char *p = data, *end = data + len;
	int32_t i = 0;

	s->data = data;
	s->len = len;
	s->n = n;
	s->start = xreallocarray(NULL, (size_t)n + 1, sizeof *s->start);
	s->changed = xcalloc((size_t)n + 2, 1);
	s->changed++;
	s->class = NULL;
	s->start[0] = 0;
	while (i < n) {
		const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		p = nl ? nl + 1 : end;
		s->start[++i] = (size_t)(p - data);
	}
}

static void side_free(struct side *s)
{
	free(s->start);
	free(s->changed - 1);
	free(s->class);
}

static const char *line_at(const struct side *s, int32_t i, size_t *len)
{
	*len = s->start[i + 1] - s->start[i];
	return s->data + s->start[i];
}

static bool same_line(const struct side *s, int32_t i, const struct side *t, int32_t j)
{
	size_t li, lj;
	const char *pi = line_at(s, i, &li), *pj = line_at(t, j, &lj);

	return li == lj && !memcmp(pi, pj, li);
}

/* ------------------------------------------------------------------ */
/* classes: one number per distinct line */

static uint64_t hash_line(const char *p, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 32);
}

struct classes {
	uint32_t *slot;		/* class + 1, 0 empty; open addressing */
	size_t mask;
	uint64_t *hash;		/* per class */
	const struct side **rep_side;	/* a line of the class, to compare bytes with */
	int32_t *rep_line;
	int32_t *count[2];	/* occurrences in a and in b */
	uint32_t n;
};

static uint32_t classify(struct classes *c, const struct side *s, int32_t i, int which)
{
	size_t len;
	const char *p = line_at(s, i, &len);
	uint64_t h = hash_line(p, len);
	size_t k = (size_t)h & c->mask;
	uint32_t id;

	for (; c->slot[k]; k = (k + 1) & c->mask) {
		id = c->slot[k] - 1;
		if (c->hash[id] == h && same_line(c->rep_side[id], c->rep_line[id], s, i)) {
			c->count[which][id]++;
			return id;
		}
	}
	id = c->n++;
	c->slot[k] = id + 1;
	c->hash[id] = h;
	c->rep_side[id] = s;
	c->rep_line[id] = i;
	c->count[0][id] = c->count[1][id] = 0;
	c->count[which][id] = 1;
	return id;
}

/* ------------------------------------------------------------------ */
/* the search (Myers 1986, section 4b) */

struct myers {
	const uint32_t *a, *b;	/* classes of the lines searched */
	char *ca, *cb;		/* their changed flags */
	int32_t *fd, *bd;	/* furthest x reached forward and backward, by diagonal x - y */
	int32_t too_expensive;	/* rounds before a split takes the heuristic */
	uint64_t work, budget;
};

struct box {
	int32_t xoff, xlim, yoff, ylim;
};

static void mark_changed(char *changed, int32_t from, int32_t to)
{
	if (to > from)
		memset(changed + from, 1, (size_t)(to - from));
}

/*
 * A point (*xmid, *ymid) to split the box at, on a shortest path through
 * it unless the cost cap cut the search short.  The box is not empty on
 * either side, and its first lines differ, and its last lines too.
 *
 * fd[k] is the furthest x a forward D-path reaches on diagonal k, bd[k]
 * the smallest x a backward one reaches.  Each round extends every path
 * by one edit then along its snake; the two meet when a diagonal's
 * forward x passes its backward x.  Diagonals outside the box are fenced
 * with sentinels that lose every comparison.
 */
static void split(struct myers *m, const struct box *bx, int32_t *xmid, int32_t *ymid)
{
	const uint32_t *a = m->a, *b = m->b;
	int32_t *fd = m->fd, *bd = m->bd;
	const int32_t xoff = bx->xoff, xlim = bx->xlim, yoff = bx->yoff, ylim = bx->ylim;
	const int32_t dmin = xoff - ylim, dmax = xlim - yoff;
	const int32_t fmid = xoff - yoff, bmid = xlim - ylim;
	const bool odd = (fmid - bmid) % 2 != 0;
	int32_t fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid;

	fd[fmid] = xoff;
	bd[bmid] = xlim;
	for (int32_t c = 1;; c++) {
		uint64_t work = 0;

		/* one more diagonal on each side, or one less at the box's edge, keeping the parity */
		if (fmin > dmin)
			fd[--fmin - 1] = -1;
		else
			fmin++;
		if (fmax < dmax)
			fd[++fmax + 1] = -1;
		else
			fmax--;
		for (int32_t d = fmax; d >= fmin; d -= 2) {
			int32_t x = fd[d - 1] < fd[d + 1] ? fd[d + 1] : fd[d - 1] + 1;
			int32_t x0 = x, y = x - d;

			while (x < xlim && y < ylim && a[x] == b[y])
				x++, y++;
			work += (uint64_t)(x - x0) + 1;
			fd[d] = x;
			if (odd && bmin <= d && d <= bmax && bd[d] <= x) {
				*xmid = x;
				*ymid = y;
				m->work += work;
				return;
			}
		}

		if (bmin > dmin)
			bd[--bmin - 1] = INT32_MAX;
		else
			bmin++;
		if (bmax < dmax)
			bd[++bmax + 1] = INT32_MAX;
		else
			bmax--;
		for (int32_t d = bmax; d >= bmin; d -= 2) {
			int32_t x = bd[d - 1] < bd[d + 1] ? bd[d - 1] : bd[d + 1] - 1;
			int32_t x0 = x, y = x - d;

			while (x > xoff && y > yoff && a[x - 1] == b[y - 1])
				x--, y--;
			work += (uint64_t)(x0 - x) + 1;
			bd[d] = x;
			if (!odd && fmin <= d && d <= fmax && x <= fd[d]) {
				*xmid = x;
				*ymid = y;
				m->work += work;
				return;
			}
		}
		m->work += work;

		if (c >= m->too_expensive || m->work >= m->budget) {
			/* the furthest point from either corner, measured by x + y, clipped to the box */
			int64_t fbest = -1, fx = 0, bbest = INT64_MAX, bxbest = 0;

			for (int32_t d = fmax; d >= fmin; d -= 2) {
				int32_t x = fd[d] < xlim ? fd[d] : xlim, y = x - d;
				if (y > ylim) {
					x = ylim + d;
					y = ylim;
				}
				if ((int64_t)x + y > fbest) {
					fbest = (int64_t)x + y;
					fx = x;
				}
			}
			for (int32_t d = bmax; d >= bmin; d -= 2) {
				int32_t x = bd[d] > xoff ? bd[d] : xoff, y = x - d;
				if (y < yoff) {
					x = yoff + d;
					y = yoff;
				}
				if ((int64_t)x + y < bbest) {
					bbest = (int64_t)x + y;
					bxbest = x;
				}
			}
			if ((int64_t)xlim + ylim - bbest < fbest - xoff - yoff) {
				*xmid = (int32_t)fx;
				*ymid = (int32_t)(fbest - fx);
			} else {
				*xmid = (int32_t)bxbest;
				*ymid = (int32_t)(bbest - bxbest);
			}
			return;
		}
	}
}

/* mark in ca and cb a shortest (or, past the cost cap, a short) edit script from a[0..n) to b[0..m) */
static void search(struct myers *m, int32_t n, int32_t mm)
{
	struct box *stack = NULL;
	size_t depth = 0, cap = 0;

	stack = xreallocarray(NULL, cap = 64, sizeof *stack);
	stack[depth++] = (struct box){ 0, n, 0, mm };
	while (depth) {
		struct box bx = stack[--depth];
		int32_t xmid, ymid;

		while (bx.xoff < bx.xlim && bx.yoff < bx.ylim && m->a[bx.xoff] == m->b[bx.yoff])
			bx.xoff++, bx.yoff++;
		while (bx.xoff < bx.xlim && bx.yoff < bx.ylim && m->a[bx.xlim - 1] == m->b[bx.ylim - 1])
			bx.xlim--, bx.ylim--;
		if (bx.xoff == bx.xlim || bx.yoff == bx.ylim || m->work >= m->budget) {
			mark_changed(m->ca, bx.xoff, bx.xlim);
			mark_changed(m->cb, bx.yoff, bx.ylim);
			continue;
		}
		split(m, &bx, &xmid, &ymid);
		if (xmid < bx.xoff || xmid > bx.xlim || ymid < bx.yoff || ymid > bx.ylim ||
		    (xmid == bx.xoff && ymid == bx.yoff) || (xmid == bx.xlim && ymid == bx.ylim)) {
			/* a split that would not shrink the box: never seen; stay correct */
			IMPOSSIBLE();
			mark_changed(m->ca, bx.xoff, bx.xlim);
			mark_changed(m->cb, bx.yoff, bx.ylim);
			continue;
		}
		if (cap - depth < 2)
			stack = xreallocarray(stack, cap *= 2, sizeof *stack);
		/* the upper left half first: the budget, if it runs out, spares the top of the file */
		stack[depth++] = (struct box){ xmid, bx.xlim, ymid, bx.ylim };
		stack[depth++] = (struct box){ bx.xoff, xmid, bx.yoff, ymid };
	}
	free(stack);
}

/*
 * Mark the changed lines of a[lo..a->n - hi) and b[lo..b->n - hi), the
 * part between the common prefix (lo lines) and suffix (hi lines).
 */
static void compare_middle(struct side *a, struct side *b, int32_t lo, int32_t hi)
{
	const int32_t na = a->n - lo - hi, nb = b->n - lo - hi;
	struct classes c = { 0 };
	uint32_t *ra, *rb;		/* classes of the lines searched */
	int32_t *ia, *ib;		/* their line numbers */
	int32_t n = 0, mm = 0;
	struct myers m;
	size_t slots = 16;

	if (na == 0 || nb == 0) {
		mark_changed(a->changed, lo, lo + na);
		mark_changed(b->changed, lo, lo + nb);
		return;
	}
	while (slots < 2 * ((size_t)na + (size_t)nb))
		slots *= 2;
	c.slot = xcalloc(slots, sizeof *c.slot);
	c.mask = slots - 1;
	c.hash = xreallocarray(NULL, (size_t)na + nb, sizeof *c.hash);
	c.rep_side = xreallocarray(NULL, (size_t)na + nb, sizeof *c.rep_side);
	c.rep_line = xreallocarray(NULL, (size_t)na + nb, sizeof *c.rep_line);
	c.count[0] = xreallocarray(NULL, (size_t)na + nb, sizeof *c.count[0]);
	c.count[1] = xreallocarray(NULL, (size_t)na + nb, sizeof *c.count[1]);
	a->class = xreallocarray(NULL, (size_t)na, sizeof *a->class);
	b->class = xreallocarray(NULL, (size_t)nb, sizeof *b->class);
	for (int32_t i = 0; i < na; i++)
		a->class[i] = classify(&c, a, lo + i, 0);
	for (int32_t i = 0; i < nb; i++)
		b->class[i] = classify(&c, b, lo + i, 1);

	/* lines with no twin on the other side are changed, and not searched */
	ra = xreallocarray(NULL, (size_t)na, sizeof *ra);
	ia = xreallocarray(NULL, (size_t)na, sizeof *ia);
	rb = xreallocarray(NULL, (size_t)nb, sizeof *rb);
	ib = xreallocarray(NULL, (size_t)nb, sizeof *ib);
	for (int32_t i = 0; i < na; i++) {
		if (c.count[1][a->class[i]] == 0)
			a->changed[lo + i] = 1;
		else {
			ra[n] = a->class[i];
			ia[n++] = lo + i;
		}
	}
	for (int32_t i = 0; i < nb; i++) {
		if (c.count[0][b->class[i]] == 0)
			b->changed[lo + i] = 1;
		else {
			rb[mm] = b->class[i];
			ib[mm++] = lo + i;
		}
	}

	/* twins come in pairs: n and mm are both 0 or both not */
	if (n > 0) {
		char *ca = xcalloc((size_t)n, 1), *cb = xcalloc((size_t)mm, 1);
		int32_t *fd = xreallocarray(NULL, (size_t)n + mm + 3, sizeof *fd);
		int32_t *bd = xreallocarray(NULL, (size_t)n + mm + 3, sizeof *bd);
		uint64_t lines = (uint64_t)n + (uint64_t)mm;

		m.a = ra;
		m.b = rb;
		m.ca = ca;
		m.cb = cb;
		/* diagonals run from -mm (x = 0, y = mm) to n; one sentinel beyond each end */
		m.fd = fd + mm + 1;
		m.bd = bd + mm + 1;
		m.too_expensive = SPLIT_ROUNDS;
		m.work = 0;
		m.budget = WORK_MIN + WORK_PER_LINE * lines < WORK_MAX ? WORK_MIN + WORK_PER_LINE * lines : WORK_MAX;
		search(&m, n, mm);
		for (int32_t i = 0; i < n; i++)
			a->changed[ia[i]] = ca[i];
		for (int32_t i = 0; i < mm; i++)
			b->changed[ib[i]] = cb[i];
		free(ca);
		free(cb);
		free(fd);
		free(bd);
	}
	free(ra);
	free(rb);
	free(ia);
	free(ib);
	free(c.slot);
	free(c.hash);
	free(c.rep_side);
	free(c.rep_line);
	free(c.count[0]);
	free(c.count[1]);
}

/* ------------------------------------------------------------------ */
/* sliding runs of changes (GNU diff's shift_boundaries, in our words) */

/*
 * Every run of changed lines of s slides as far up as it can (merging
 * with the runs it meets), then as far down (merging again), until it
 * stops growing; then back up to the last place where it lay next to a
 * change of the other side, o, if it passed one.  A run [start, end) can
 * slide down by one when line start equals line end: that line stays
 * matched to the same line of o, now as line start.  j follows the line
 * of o that faces position end.
 */
static void slide(struct side *s, const struct side *o)
{
	char *ch = s->changed;
	const char *och = o->changed;
	int32_t i = 0, j = 0;

	for (;;) {
		int32_t start, runlength, corresponding;

		while (i < s->n && !ch[i]) {
			while (och[j])
				j++;
			i++;
			j++;
		}
		if (i == s->n)
			return;
		start = i;
		while (ch[i])
			i++;
		while (och[j])
			j++;
		do {
			runlength = i - start;
			while (start > 0 && same_line(s, start - 1, s, i - 1)) {
				ch[--start] = 1;
				ch[--i] = 0;
				while (ch[start - 1])
					start--;
				j--;
				while (och[j])
					j--;
			}
			/* the run's end where it last faced a change of o; s->n: nowhere yet */
			corresponding = och[j - 1] ? i : s->n;
			while (i < s->n && same_line(s, start, s, i)) {
				ch[start++] = 0;
				ch[i++] = 1;
				while (ch[i])
					i++;
				j++;
				while (och[j]) {
					j++;
					corresponding = i;
				}
			}
		} while (runlength != i - start);
		while (corresponding < i) {
			ch[--start] = 1;
			ch[--i] = 0;
			j--;
			while (och[j])
				j--;
		}
	}
}

/* ------------------------------------------------------------------ */
/* the script and its printing */

struct change {
	int32_t a, b;		/* first line of the change on each side */
	int32_t del, ins;	/* lines removed from a, added from b */
};

/*
 * The changes, in order, from the changed flags; false when the unchanged
 * lines do not pair up into equal lines (a bug: the caller then replaces
 * the whole file).
 */
static bool build_script(const struct side *a, const struct side *b, struct change **out, size_t *count)
{
	struct change *v = NULL;
	size_t n = 0, cap = 0;
	int32_t i = 0, j = 0;

	while (i < a->n || j < b->n) {
		struct change c = { i, j, 0, 0 };

		while (i < a->n && a->changed[i])
			i++;
		while (j < b->n && b->changed[j])
			j++;
		c.del = i - c.a;
		c.ins = j - c.b;
		if (c.del || c.ins) {
			if (n == cap)
				v = xreallocarray(v, cap = cap ? cap * 2 : 16, sizeof *v);
			v[n++] = c;
			continue;
		}
		if (i == a->n || j == b->n || !same_line(a, i, b, j)) {
			free(v);
			return false;
		}
		i++;
		j++;
	}
	*out = v;
	*count = n;
	return true;
}

static void add_line(struct buf *out, char prefix, const struct side *s, int32_t i)
{
	size_t len;
	const char *p = line_at(s, i, &len);

	buf_addc(out, prefix);
	buf_add(out, p, len);
	if (len == 0 || p[len - 1] != '\n')
		buf_adds(out, "\n\\ No newline at end of file\n");
}

/* " -l,s" in diff's way: "l" for one line, "l-1,0" (the line before) for none */
static void add_range(struct buf *out, char sign, int32_t first, int32_t count)
{
	if (count == 1)
		buf_addf(out, "%c%ld", sign, (long)first + 1);
	else if (count == 0)
		buf_addf(out, "%c%ld,0", sign, (long)first);
	else
		buf_addf(out, "%c%ld,%ld", sign, (long)first + 1, (long)count);
}

static int print_hunks(const struct side *a, const struct side *b, const struct change *v, size_t nv,
		       unsigned context, struct buf *out)
{
	const int64_t ctx = context;
	int hunks = 0;

	for (size_t k = 0; k < nv;) {
		size_t e = k + 1, last;
		int32_t lead, trail, a0, b0, aend;

		/* join the changes whose gaps context lines would bridge */
		while (e < nv && (int64_t)v[e].a - (v[e - 1].a + v[e - 1].del) <= 2 * ctx)
			e++;
		last = e - 1;
		lead = (int32_t)(v[k].a < ctx ? v[k].a : ctx);
		aend = v[last].a + v[last].del;
		trail = (int32_t)(a->n - aend < ctx ? a->n - aend : ctx);
		a0 = v[k].a - lead;
		b0 = v[k].b - lead;
		buf_adds(out, "@@ ");
		add_range(out, '-', a0, aend + trail - a0);
		buf_addc(out, ' ');
		add_range(out, '+', b0, v[last].b + v[last].ins + trail - b0);
		buf_adds(out, " @@\n");
		for (int32_t i = a0; i < v[k].a; i++)
			add_line(out, ' ', a, i);
		for (size_t c = k; c < e; c++) {
			if (c > k)
				for (int32_t i = v[c - 1].a + v[c - 1].del; i < v[c].a; i++)
					add_line(out, ' ', a, i);
			for (int32_t i = v[c].a; i < v[c].a + v[c].del; i++)
				add_line(out, '-', a, i);
			for (int32_t j = v[c].b; j < v[c].b + v[c].ins; j++)
				add_line(out, '+', b, j);
		}
		for (int32_t i = aend; i < aend + trail; i++)
			add_line(out, ' ', a, i);
		hunks++;
		k = e;
	}
	return hunks;
}

int diff_unified(const char *old, size_t old_len, const char *new, size_t new_len, const struct diff_opts *o, struct buf *out)
{
	struct side a, b;
	struct change *script, whole;
	size_t nscript;
	int32_t na, nb, lo = 0, hi = 0;
	int hunks;

	if (old_len == new_len && (old_len == 0 || !memcmp(old, new, old_len)))
		return 0;
	na = count_lines(old, old_len);
	nb = count_lines(new, new_len);
	if (na > DIFF_MAX_LINES || nb > DIFF_MAX_LINES) {
		errset("too large to compare: more than %d lines", DIFF_MAX_LINES);
		return -1;
	}
	side_init(&a, old, old_len, na);
	side_init(&b, new, new_len, nb);

	while (lo < na && lo < nb && same_line(&a, lo, &b, lo))
		lo++;
	while (hi < na - lo && hi < nb - lo && same_line(&a, na - 1 - hi, &b, nb - 1 - hi))
		hi++;
	compare_middle(&a, &b, lo, hi);
	slide(&a, &b);
	slide(&b, &a);

	if (!build_script(&a, &b, &script, &nscript)) {
		IMPOSSIBLE();
		whole = (struct change){ 0, 0, na, nb };
		script = xmalloc(sizeof *script);
		*script = whole;
		nscript = 1;
	}
	buf_addf(out, "--- %s\n+++ %s\n", o->old_label ? o->old_label : "/dev/null",
		 o->new_label ? o->new_label : "/dev/null");
	hunks = print_hunks(&a, &b, script, nscript, o->context, out);
	free(script);
	side_free(&a);
	side_free(&b);
	return hunks;
}

bool diff_is_binary(const char *data, size_t len)
{
	return len > 0 && memchr(data, '\0', len < 8000 ? len : 8000) != NULL;
}
