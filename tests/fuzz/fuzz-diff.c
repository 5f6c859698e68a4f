/*
 * fuzz-diff: diff_unified on two buffers cut from the input, checked by
 * applying the diff.
 *
 * Input: byte 0 chooses where the rest is cut into old and new (0: all
 * new, 255: all old); byte 1 chooses the context (its low 3 bits, 0 to 7)
 * and, when bit 3 is set, turns every byte of old and new into a short
 * line from a four-letter alphabet ("a\n" to "d\n", the byte's low 2 bits;
 * bytes from 0xfc on give the letter without its newline), so that the
 * lines match often and the search has work to do.
 *
 * The diff must have diff -u's form: "--- a", "+++ b", hunk headers whose
 * counts match their lines, written the GNU way ("l" for one line, "l,0"
 * with the line before for none), hunks in order with exactly `context`
 * lines of context at each end unless a file ends there, more than
 * 2 * context unchanged lines apart; lines that start with ' ', '-', '+',
 * and "\ No newline at end of file" only right after the last line of a
 * side that lacks its newline.  The applier below, which accepts nothing
 * else, must rebuild new from old byte for byte.  The return value is the
 * number of hunks, 0 with no output exactly when old equals new.  When
 * the inputs have at most EXACT_LINES lines together, under the cost cap,
 * the diff must be minimal: as many '-' and '+' lines as the longest
 * common subsequence of lines leaves.
 *
 * The fuzz build of src/files/diff.c has a cost cap of 32 rounds per split and
 * a small work budget (FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION), so that
 * inputs of a few KiB go through the heuristic and the budget too.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "files/diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NO_NEWLINE "\\ No newline at end of file"
/* 2 * SPLIT_ROUNDS of the fuzz build of src/files/diff.c */
#define EXACT_LINES 64

struct lines {
	const char *data;
	size_t len, n;
	size_t *start;		/* n + 1 offsets */
};

static void split_lines(struct lines *l, const char *data, size_t len)
{
	size_t n = 0;

	l->data = data;
	l->len = len;
	l->start = malloc((len + 2) * sizeof *l->start);
	if (!l->start)
		abort();
	l->start[0] = 0;
	for (size_t i = 0; i < len; i++)
		if (data[i] == '\n')
			l->start[++n] = i + 1;
	if (len && data[len - 1] != '\n')
		l->start[++n] = len;
	l->n = n;
}

static bool line_is(const struct lines *l, size_t i, const char *p, size_t len)
{
	return l->start[i + 1] - l->start[i] == len && !memcmp(l->data + l->start[i], p, len);
}

static bool last_without_newline(const struct lines *l, size_t i)
{
	return i + 1 == l->n && l->data[l->len - 1] != '\n';
}

/* a decimal number at *p (no sign, no leading zero unless it is 0) */
static size_t number(const char **p, const char *end)
{
	size_t v = 0;
	const char *s = *p;

	if (s >= end || *s < '0' || *s > '9' || (*s == '0' && s + 1 < end && s[1] >= '0' && s[1] <= '9'))
		abort();
	for (; s < end && *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (size_t)(*s - '0');
	*p = s;
	return v;
}

/* "-l" or "-l,s" in diff's form: the 0-based first line and the count */
static void range(const char **p, const char *end, char sign, size_t *first, size_t *count)
{
	size_t l;

	if (*p >= end || **p != sign)
		abort();
	(*p)++;
	l = number(p, end);
	if (*p < end && **p == ',') {
		(*p)++;
		*count = number(p, end);
		if (*count == 1)
			abort();	/* diff writes "l", not "l,1" */
	} else
		*count = 1;
	/* an empty range names the line before it; others their first line */
	if (*count == 0)
		*first = l;
	else if (l == 0)
		abort();
	else
		*first = l - 1;
}

/* the longest common subsequence of lines, by dynamic programming */
static size_t lcs(const struct lines *a, const struct lines *b)
{
	size_t *row = calloc(b->n + 1, sizeof *row), best;

	if (!row)
		abort();
	for (size_t i = 0; i < a->n; i++) {
		size_t diag = 0;
		for (size_t j = 0; j < b->n; j++) {
			size_t up = row[j + 1], v;
			if (line_is(b, j, a->data + a->start[i], a->start[i + 1] - a->start[i]))
				v = diag + 1;
			else
				v = up > row[j] ? up : row[j];
			diag = up;
			row[j + 1] = v;
		}
	}
	best = row[b->n];
	free(row);
	return best;
}

/*
 * Apply diff to old, strictly: every ' ' and '-' line must be the next
 * line of old, hunks where their headers say.  Aborts on anything else;
 * returns the rebuilt text (malloc'd) and counts what it saw.
 */
static char *apply(const struct lines *old, const struct lines *new, const char *diff, size_t len,
		   unsigned context, size_t *rebuilt_len, int *hunks, size_t *changed)
{
	const char *p = diff, *end = diff + len;
	struct buf out = BUF_INIT;
	size_t i = 0, j = 0;	/* next line of old, of the output */
	size_t prev_trail = 0;

	if (len < 12 || memcmp(p, "--- a\n+++ b\n", 12))
		abort();
	if (end[-1] != '\n')
		abort();
	p += 12;
	*hunks = 0;
	*changed = 0;
	while (p < end) {
		size_t a0, as, b0, bs, gap, seen_a = 0, seen_b = 0, lead = 0, trail = 0;
		bool had_change = false;
		char last = 0;

		if (end - p < 4 || memcmp(p, "@@ ", 3))
			abort();
		p += 3;
		range(&p, end, '-', &a0, &as);
		if (p >= end || *p++ != ' ')
			abort();
		range(&p, end, '+', &b0, &bs);
		if (end - p < 4 || memcmp(p, " @@\n", 4))
			abort();
		p += 4;
		if (a0 < i || a0 + as > old->n)
			abort();
		/* the unchanged lines up to the hunk */
		gap = a0 - i;
		if (j + gap != b0)
			abort();
		for (; i < a0; i++, j++)
			buf_add(&out, old->data + old->start[i], old->start[i + 1] - old->start[i]);
		while (p < end && *p != '@') {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			/* the marker after a line says that its newline is the diff's, not the file's */
			bool marked = *p != '\\' && nl + 1 < end && nl[1] == '\\';
			size_t n = (size_t)(nl - p) - marked;	/* the line is p + 1 .. p + 1 + n */

			switch (*p) {
			case ' ':
				if (i >= old->n || !line_is(old, i, p + 1, n))
					abort();
				buf_add(&out, p + 1, n);
				i++, j++, seen_a++, seen_b++;
				if (had_change)
					trail++;
				else
					lead++;
				break;
			case '-':
				if (i >= old->n || !line_is(old, i, p + 1, n))
					abort();
				i++, seen_a++, ++*changed;
				had_change = true;
				trail = 0;
				break;
			case '+':
				buf_add(&out, p + 1, n);
				j++, seen_b++, ++*changed;
				had_change = true;
				trail = 0;
				break;
			case '\\':
				/* only right after a line (checked below for that line) */
				if ((size_t)(nl - p) != sizeof NO_NEWLINE - 1 || memcmp(p, NO_NEWLINE, sizeof NO_NEWLINE - 1))
					abort();
				if (last != ' ' && last != '-' && last != '+')
					abort();
				break;
			default:
				abort();
			}
			/* marked exactly when the line is the last of a side without its newline */
			if (*p != '\\') {
				bool need = ((*p == ' ' || *p == '-') && last_without_newline(old, i - 1)) ||
					    ((*p == ' ' || *p == '+') && j == new->n && last_without_newline(new, j - 1));
				if (need != marked)
					abort();
			}
			last = *p;
			p = nl + 1;
		}
		if (seen_a != as || seen_b != bs || !had_change)
			abort();
		/* context: exactly `context` lines unless a file starts or ends there */
		if (lead != context && !(lead < context && a0 == 0))
			abort();
		if (trail != context && !(trail < context && i == old->n))
			abort();
		/* changes with at most 2 * context unchanged lines between share a hunk */
		if (*hunks && prev_trail + gap + lead <= 2 * (size_t)context)
			abort();
		prev_trail = trail;
		++*hunks;
	}
	for (; i < old->n; i++)
		buf_add(&out, old->data + old->start[i], old->start[i + 1] - old->start[i]);
	return buf_detach(&out, rebuilt_len);
}

/* each byte becomes a line from {a, b, c, d}, without newline from 0xfc on */
static char *expand(const uint8_t *data, size_t size, size_t *len)
{
	char *s = malloc(2 * size + 1), *q = s;

	if (!s)
		abort();
	for (size_t i = 0; i < size; i++) {
		*q++ = (char)('a' + (data[i] & 3));
		if (data[i] < 0xfc)
			*q++ = '\n';
	}
	*len = (size_t)(q - s);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT;
	struct diff_opts o = { "a", "b", 0 };
	struct lines old, new;
	char *old_text, *new_text, *rebuilt;
	size_t old_len, new_len, cut, changed, rebuilt_len;
	int hunks, seen;

	if (size < 2)
		return 0;
	o.context = data[1] & 7;
	cut = (size - 2) * data[0] / 255;
	if (data[1] & 8) {
		old_text = expand(data + 2, cut, &old_len);
		new_text = expand(data + 2 + cut, size - 2 - cut, &new_len);
	} else {
		/* copies, so that ASan sees a read past either buffer */
		old_len = cut;
		new_len = size - 2 - cut;
		old_text = malloc(old_len + 1);
		new_text = malloc(new_len + 1);
		if (!old_text || !new_text)
			abort();
		memcpy(old_text, data + 2, old_len);
		memcpy(new_text, data + 2 + cut, new_len);
	}

	hunks = diff_unified(old_text, old_len, new_text, new_len, &o, &out);
	if (old_len == new_len && !memcmp(old_text, new_text, old_len)) {
		if (hunks != 0 || out.len != 0)
			abort();
	} else {
		if (hunks < 1)
			abort();
		split_lines(&old, old_text, old_len);
		split_lines(&new, new_text, new_len);
		rebuilt = apply(&old, &new, out.data, out.len, o.context, &rebuilt_len, &seen, &changed);
		if (seen != hunks || rebuilt_len != new_len || memcmp(rebuilt, new_text, new_len))
			abort();
		if (old.n + new.n <= EXACT_LINES && changed != old.n + new.n - 2 * lcs(&old, &new))
			abort();
		free(rebuilt);
		free(old.start);
		free(new.start);
	}
	buf_release(&out);
	free(old_text);
	free(new_text);
	return 0;
}
