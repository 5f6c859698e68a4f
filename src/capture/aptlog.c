/*
 * aptlog: parse APT's history.log and dpkg's dpkg.log (see aptlog.h).
 * Names, architectures and versions are kept only when they are what
 * Debian allows (printable ASCII without blanks, commas or parentheses),
 * so a record never carries a byte of a damaged log in those fields; the
 * command line is text and goes to the record as any text does.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "capture/aptlog.h"
#include "journal/record.h"
#include "base/banned.h"

#define TOKEN_MAX 256

void aptlog_change_release(struct aptlog_change *c)
{
	free(c->name);
	free(c->arch);
	free(c->old_version);
	free(c->new_version);
	memset(c, 0, sizeof *c);
}

void aptlog_run_release(struct aptlog_run *r)
{
	for (size_t i = 0; i < r->n; i++)
		aptlog_change_release(&r->changes[i]);
	free(r->changes);
	free(r->command);
	free(r->requested_by);
	memset(r, 0, sizeof *r);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void aptlog_run_add(struct aptlog_run *r, const struct aptlog_change *c)
{
	struct aptlog_change *d;

	if (r->n == r->alloc) {
		r->alloc = r->alloc ? 2 * r->alloc : 8;
		r->changes = xreallocarray(r->changes, r->alloc, sizeof *r->changes);
	}
	d = &r->changes[r->n++];
	d->name = xstrdup(c->name);
	d->arch = xstrdup(c->arch);
	d->action = c->action;
	d->old_version = dup_or_null(c->old_version);
	d->new_version = dup_or_null(c->new_version);
}

/* a name, architecture or version as Debian writes them */
static bool token_ok(const char *s, size_t n)
{
	if (n == 0 || n > TOKEN_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == ',' || s[i] == '(' || s[i] == ')')
			return false;
	return true;
}

static bool time_shape(const char *s, size_t len, char out[APTLOG_TIME_LEN + 1])
{
	/* "YYYY-MM-DD" then one or two spaces then "HH:MM:SS" */
	static const char shape[] = "dddd-dd-dd dd:dd:dd";
	size_t i = 0, k = 0;

	while (shape[k]) {
		if (i >= len)
			return false;
		if (shape[k] == 'd') {
			if (!isdigit((unsigned char)s[i]))
				return false;
		} else if (shape[k] == ' ') {
			if (s[i] != ' ')
				return false;
			if (i + 1 < len && s[i + 1] == ' ')
				i++;
		} else if (s[i] != shape[k]) {
			return false;
		}
		out[k++] = s[i++];
	}
	out[k] = '\0';
	if (i != len)
		return false;
	/* months 01-12, days 01-31, hours 00-23, minutes and seconds 00-60 */
	return memcmp(out + 5, "01", 2) >= 0 && memcmp(out + 5, "12", 2) <= 0 && memcmp(out + 8, "01", 2) >= 0 &&
	       memcmp(out + 8, "31", 2) <= 0 && memcmp(out + 11, "23", 2) <= 0 && memcmp(out + 14, "59", 2) <= 0 &&
	       memcmp(out + 17, "60", 2) <= 0;
}

bool aptlog_time(const char *s, size_t len, char out[APTLOG_TIME_LEN + 1])
{
	if (time_shape(s, len, out))
		return true;
	out[0] = '\0';
	return false;
}

static const char *const list_keys[] = { "Install", "Reinstall", "Upgrade", "Downgrade", "Remove", "Purge" };
static const char *const list_actions[] = { "install", "reinstall", "upgrade", "downgrade", "remove", "purge" };

/* "name:arch (v1[, v2])" of a history list; -1 and errget() when it does not read so */
static int history_item(const char *s, size_t n, size_t key, struct aptlog_run *run)
{
	const char *open = memchr(s, '(', n), *colon, *comma, *v1, *v2 = NULL;
	size_t l1, l2 = 0, namelen;
	struct aptlog_change c = { 0 };

	if (!open || n < 2 || s[n - 1] != ')' || open == s || open[-1] != ' ') {
		errset("'%.*s': expected 'name:arch (version)'", (int)(n > 80 ? 80 : n), s);
		return -1;
	}
	namelen = (size_t)(open - 1 - s);
	colon = memchr(s, ':', namelen);
	v1 = open + 1;
	comma = memchr(v1, ',', (size_t)(s + n - 1 - v1));
	l1 = (size_t)((comma ? comma : s + n - 1) - v1);
	if (comma) {
		v2 = comma + 1 + (comma[1] == ' ');
		l2 = (size_t)(s + n - 1 - v2);
	}
	/* "Purge: x:amd64 ()": a package of which only the configuration files were left has no version */
	if (!colon || !token_ok(s, (size_t)(colon - s)) || !token_ok(colon + 1, namelen - (size_t)(colon - s) - 1) ||
	    (!token_ok(v1, l1) && !(key == 5 && l1 == 0 && !v2)) || (v2 && !token_ok(v2, l2))) {
		errset("'%.*s': expected 'name:arch (version)'", (int)(n > 80 ? 80 : n), s);
		return -1;
	}
	c.name = xstrndup(s, (size_t)(colon - s));
	c.arch = xstrndup(colon + 1, namelen - (size_t)(colon - s) - 1);
	c.action = list_actions[key];
	switch (key) {
	case 0: /* Install: (new[, automatic]) */
		if (v2 && !(l2 == 9 && !memcmp(v2, "automatic", 9)))
			goto bad;
		c.new_version = xstrndup(v1, l1);
		break;
	case 1: /* Reinstall: (version) */
		if (v2)
			goto bad;
		c.old_version = xstrndup(v1, l1);
		c.new_version = xstrndup(v1, l1);
		break;
	case 2: case 3: /* Upgrade, Downgrade: (old, new) */
		if (!v2)
			goto bad;
		c.old_version = xstrndup(v1, l1);
		c.new_version = xstrndup(v2, l2);
		break;
	default: /* Remove, Purge: (old) */
		if (v2)
			goto bad;
		if (l1 > 0)
			c.old_version = xstrndup(v1, l1);
		break;
	}
	aptlog_run_add(run, &c);
	aptlog_change_release(&c);
	return 0;
bad:
	aptlog_change_release(&c);
	errset("'%.*s': not the versions of %s", (int)(n > 80 ? 80 : n), s, list_keys[key]);
	return -1;
}

static void history_list(const char *v, size_t n, size_t key, struct aptlog_run *run, size_t lineno,
			 struct buf *problems)
{
	while (n > 0) {
		const char *end = NULL;
		size_t len;

		/* items end with "), " (the last with ")" or "), ") */
		for (size_t i = 0; i + 1 < n; i++)
			if (v[i] == ')' && v[i + 1] == ',') {
				end = v + i + 1;
				break;
			}
		len = end ? (size_t)(end - v) : n;
		while (len > 0 && v[len - 1] == ' ')
			len--;
		if (len > 0 && history_item(v, len, key, run) < 0)
			buf_addf(problems, "line %zu: %s\n", lineno, errget());
		if (!end)
			break;
		n -= (size_t)(end + 1 - v);
		v = end + 1;
		while (n > 0 && *v == ' ')
			v++, n--;
	}
}

/* the value of "Key: value" when line starts with key */
static bool field(const char *line, size_t n, const char *key, const char **value, size_t *vlen)
{
	size_t k = strlen(key);

	if (n < k + 1 || memcmp(line, key, k) || line[k] != ':')
		return false;
	*value = line + k + 1;
	*vlen = n - k - 1;
	if (*vlen > 0 && **value == ' ')
		(*value)++, (*vlen)--;
	return true;
}

enum aptlog_step aptlog_history_next(const char *data, size_t len, size_t *pos, size_t *lineno,
				     struct aptlog_run *run, struct buf *problems)
{
	bool in = false;
	size_t p = *pos;

	memset(run, 0, sizeof *run);
	while (p < len) {
		const char *line = data + p, *nl = memchr(line, '\n', len - p), *v;
		size_t n = nl ? (size_t)(nl - line) : len - p, vlen, here = p;

		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (field(line, n, "Start-Date", &v, &vlen)) {
			if (in) {
				/* a run that never ended (APT killed): it ends where the next begins */
				*pos = here;
				rec_hash(data + run->offset, here - run->offset, run->hash);
				run->next = here;
				return APTLOG_RUN;
			}
			if (!aptlog_time(v, vlen, run->start)) {
				buf_addf(problems, "line %zu: bad Start-Date\n", *lineno);
			} else {
				in = true;
				run->offset = here;
			}
		} else if (!in) {
			if (n > 0)
				buf_addf(problems, "line %zu: outside an entry (no Start-Date before it)\n", *lineno);
		} else if (field(line, n, "End-Date", &v, &vlen)) {
			if (!aptlog_time(v, vlen, run->end))
				buf_addf(problems, "line %zu: bad End-Date\n", *lineno);
			p = nl ? (size_t)(nl + 1 - data) : len;
			(*lineno)++;
			*pos = p;
			rec_hash(data + run->offset, p - run->offset, run->hash);
			run->next = p;
			return APTLOG_RUN;
		} else if (field(line, n, "Commandline", &v, &vlen)) {
			free(run->command);
			run->command = xstrndup(v, vlen);
		} else if (field(line, n, "Requested-By", &v, &vlen)) {
			/* "alice (1000)": the account name */
			const char *sp = memchr(v, ' ', vlen);
			size_t an = sp ? (size_t)(sp - v) : vlen;
			free(run->requested_by);
			/* an account name, at most what an admin name may be (64 bytes) */
			run->requested_by = an <= 64 && token_ok(v, an) ? xstrndup(v, an) : NULL;
		} else {
			size_t k;
			for (k = 0; k < sizeof list_keys / sizeof *list_keys; k++)
				if (field(line, n, list_keys[k], &v, &vlen)) {
					history_list(v, vlen, k, run, *lineno, problems);
					break;
				}
		}
		p = nl ? (size_t)(nl + 1 - data) : len;
		(*lineno)++;
	}
	if (in) {
		rec_hash(data + run->offset, len - run->offset, run->hash);
		run->next = len;
		return APTLOG_OPEN;
	}
	*pos = p;
	aptlog_run_release(run);
	return APTLOG_END;
}

enum aptlog_line_kind aptlog_dpkg_line(const char *line, size_t len, struct aptlog_line *out)
{
	const char *w[6];
	size_t wl[6], nw = 0, i = 0;
	const char *colon;

	memset(out, 0, sizeof *out);
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len < APTLOG_TIME_LEN + 2 || !aptlog_time(line, APTLOG_TIME_LEN, out->time) || line[APTLOG_TIME_LEN] != ' ') {
		errset("not a dpkg.log line (no time)");
		return APTLOG_LINE_BAD;
	}
	/* the words after the time */
	i = APTLOG_TIME_LEN + 1;
	while (i < len && nw < 6) {
		size_t s = i;
		while (i < len && line[i] != ' ')
			i++;
		w[nw] = line + s;
		wl[nw++] = i - s;
		while (i < len && line[i] == ' ')
			i++;
	}
	if (nw >= 1 && wl[0] == 7 && !memcmp(w[0], "startup", 7))
		return APTLOG_LINE_STARTUP;
	for (size_t k = 0; k < 4; k++) {
		static const char *const acts[] = { "install", "upgrade", "remove", "purge" };
		if (wl[0] != strlen(acts[k]) || memcmp(w[0], acts[k], wl[0]))
			continue;
		/* "<action> pkg:arch old new" ("<none>" for no version) */
		if (nw != 4 || i < len || !(colon = memchr(w[1], ':', wl[1])) || !token_ok(w[1], (size_t)(colon - w[1])) ||
		    !token_ok(colon + 1, wl[1] - (size_t)(colon - w[1]) - 1) || !token_ok(w[2], wl[2]) ||
		    !token_ok(w[3], wl[3])) {
			errset("%s: expected '%s package:arch old-version new-version'", acts[k], acts[k]);
			return APTLOG_LINE_BAD;
		}
		out->change.name = xstrndup(w[1], (size_t)(colon - w[1]));
		out->change.arch = xstrndup(colon + 1, wl[1] - (size_t)(colon - w[1]) - 1);
		if (!(wl[2] == 6 && !memcmp(w[2], "<none>", 6)))
			out->change.old_version = xstrndup(w[2], wl[2]);
		if (!(wl[3] == 6 && !memcmp(w[3], "<none>", 6)))
			out->change.new_version = xstrndup(w[3], wl[3]);
		if (k >= 2 && !out->change.old_version) {
			aptlog_change_release(&out->change);
			errset("%s: no version removed", acts[k]);
			return APTLOG_LINE_BAD;
		} else if (k >= 2) {
			free(out->change.new_version);
			out->change.new_version = NULL;
			out->change.action = acts[k];
		} else if (!out->change.new_version) {
			aptlog_change_release(&out->change);
			errset("%s: no new version", acts[k]);
			return APTLOG_LINE_BAD;
		} else if (!out->change.old_version) {
			out->change.action = "install";
		} else {
			/* dpkg says "upgrade" for any version that replaces another */
			int c = aptlog_version_cmp(out->change.old_version, out->change.new_version);
			out->change.action = c < 0 ? "upgrade" : c > 0 ? "downgrade" : "reinstall";
		}
		return APTLOG_LINE_CHANGE;
	}
	return APTLOG_LINE_OTHER;
}

/* dpkg's order of characters in a version part: '~' first, then the end, letters, the rest */
static int order(int c)
{
	if (isdigit(c))
		return 0;
	if (isalpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

static int verrevcmp(const char *a, const char *b)
{
	while (*a || *b) {
		int first_diff = 0;

		while ((*a && !isdigit((unsigned char)*a)) || (*b && !isdigit((unsigned char)*b))) {
			int ac = order((unsigned char)*a), bc = order((unsigned char)*b);
			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (*a == '0')
			a++;
		while (*b == '0')
			b++;
		while (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (isdigit((unsigned char)*a))
			return 1;
		if (isdigit((unsigned char)*b))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

/* split "epoch:upstream-revision" (epoch 0 and revision "" when absent) */
static void split_version(const char *v, long *epoch, char **upstream, char **revision)
{
	const char *colon = strchr(v, ':'), *dash;

	*epoch = 0;
	if (colon) {
		*epoch = strtol(v, NULL, 10);
		v = colon + 1;
	}
	dash = strrchr(v, '-');
	*upstream = dash ? xstrndup(v, (size_t)(dash - v)) : xstrdup(v);
	*revision = xstrdup(dash ? dash + 1 : "");
}

int aptlog_version_cmp(const char *a, const char *b)
{
	long ea, eb;
	char *ua, *ra, *ub, *rb;
	int c;

	split_version(a, &ea, &ua, &ra);
	split_version(b, &eb, &ub, &rb);
	if (ea != eb)
		c = ea < eb ? -1 : 1;
	else if (!(c = verrevcmp(ua, ub)))
		c = verrevcmp(ra, rb);
	free(ua);
	free(ra);
	free(ub);
	free(rb);
	return c;
}
