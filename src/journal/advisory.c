/*
 * advisory: reading a DSA or DLA (see advisory.h).
 *
 * The published format (debian-security-announce, debian-lts-announce):
 *
 *   -----BEGIN PGP SIGNED MESSAGE-----
 *   Hash: SHA512
 *
 *   - -------------------------------------------------------------------------
 *   Debian Security Advisory DSA-5678-1                   security@debian.org
 *   ...
 *   Package        : nginx
 *   CVE ID         : CVE-2023-44487 CVE-2024-24989
 *                    CVE-2024-24990
 *
 *   For the oldstable distribution (bullseye), these problems have been fixed
 *   in version 1.18.0-6.1+deb11u4.
 *
 *   For the stable distribution (bookworm), these problems have been fixed in
 *   version 1.22.1-9+deb12u1.
 *   -----BEGIN PGP SIGNATURE-----
 *
 * and for a DLA "For Debian 11 bullseye, these problems have been fixed in
 * version ...".  The text is read in two ways: line by line for the
 * "Key : value" header lines (Package), and as one stream of words (every
 * run of white space one space) for the sentences, which wrap anywhere.
 * The signature is not checked: the advisory only says which hosts to
 * look at, and an admin reads the mail before acting on it.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "journal/advisory.h"
#include "base/banned.h"

#define NAME_MAX_LEN 100
#define VERSION_MAX_LEN 128
#define RELEASE_MAX_LEN 32
/* how far after "For" the words "fixed in version" may come */
#define SENTENCE_MAX 400

void advisory_release(struct advisory *a)
{
	for (size_t i = 0; i < a->npackages; i++)
		free(a->packages[i]);
	for (size_t i = 0; i < a->ncves; i++)
		free(a->cves[i]);
	for (size_t i = 0; i < a->nfixed; i++) {
		free(a->fixed[i].release);
		free(a->fixed[i].version);
	}
	free(a->packages);
	free(a->cves);
	free(a->fixed);
	memset(a, 0, sizeof *a);
}

bool advisory_valid_package(const char *s, size_t len)
{
	if (len < 2 || len > NAME_MAX_LEN || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '+' && s[i] != '.' &&
		    s[i] != '-')
			return false;
	return true;
}

static bool valid_release(const char *s, size_t len)
{
	if (len < 2 || len > RELEASE_MAX_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!islower((unsigned char)s[i]))
			return false;
	return true;
}

static bool version_char(char c)
{
	return isalnum((unsigned char)c) || (c && strchr(".+~:-", c));
}

/* the characters of a Debian version, starting with a digit (epoch or upstream) */
static bool valid_version(const char *s, size_t len)
{
	if (len == 0 || len > VERSION_MAX_LEN || !isdigit((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!version_char(s[i]))
			return false;
	return true;
}

static bool valid_cve(const char *s, size_t len)
{
	size_t i = 4;

	if (len < 13 || len > 24 || memcmp(s, "CVE-", 4))
		return false;
	for (; i < 8; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	if (s[i++] != '-')
		return false;
	for (; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool has(char **v, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(v[i]) == len && !memcmp(v[i], s, len))
			return true;
	return false;
}

static void add_unique(char ***v, size_t *n, size_t max, const char *s, size_t len)
{
	if (*n >= max || has(*v, *n, s, len))
		return;
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrndup(s, len);
}

static void add_fixed(struct advisory *a, const char *rel, size_t rlen, const char *ver, size_t vlen)
{
	char *r = xstrndup(rel, rlen);

	for (size_t i = 0; i < rlen; i++)
		r[i] = (char)tolower((unsigned char)r[i]);
	for (size_t i = 0; i < a->nfixed; i++)
		if (!strcmp(a->fixed[i].release, r)) {
			free(r);	/* the first sentence of a release wins */
			return;
		}
	if (a->nfixed >= ADVISORY_FIXED_MAX) {
		free(r);
		return;
	}
	a->fixed = xreallocarray(a->fixed, a->nfixed + 1, sizeof *a->fixed);
	a->fixed[a->nfixed].release = r;
	a->fixed[a->nfixed++].version = xstrndup(ver, vlen);
}

static const char *find(const char *s, const char *end, const char *what)
{
	size_t n = strlen(what);

	for (; s + n <= end; s++)
		if (*s == *what && !memcmp(s, what, n))
			return s;
	return NULL;
}

/*
 * The lines of the text as signed: a clearsigned message loses its armor
 * header (up to the first blank line), stops at its signature, and each
 * "- " that dash-escaping put in front of a line is taken off (RFC 4880,
 * 7.1).  Lines end with '\n', carriage returns dropped.
 */
static void signed_lines(const char *text, size_t len, struct buf *out)
{
	const char *p = text, *end = text + len;
	bool clearsigned = false, header = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t n;

		if (le > p && le[-1] == '\r')
			le--;
		n = (size_t)(le - p);
		if (n >= 34 && !memcmp(p, "-----BEGIN PGP SIGNED MESSAGE-----", 34)) {
			clearsigned = header = true;
		} else if (header) {
			header = n != 0;	/* "Hash: SHA512" lines up to a blank one */
		} else if (clearsigned && n >= 29 && !memcmp(p, "-----BEGIN PGP SIGNATURE-----", 29)) {
			break;
		} else {
			if (clearsigned && n >= 2 && p[0] == '-' && p[1] == ' ') {
				p += 2;
				n -= 2;
			}
			buf_add(out, p, n);
			buf_addc(out, '\n');
		}
		p = nl ? nl + 1 : end;
	}
}

/* "Package        : nginx" (any spacing before the colon): the values of the Package lines */
static void header_lines(const struct buf *lines, struct advisory *a)
{
	const char *p = buf_str(lines), *end = p + lines->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *q = p + 7;

		if ((size_t)(nl - p) > 7 && !memcmp(p, "Package", 7)) {
			while (q < nl && (*q == ' ' || *q == '\t'))
				q++;
			if (q < nl && *q == ':')
				for (q++; q < nl;) {
					const char *w;
					while (q < nl && (*q == ' ' || *q == '\t' || *q == ','))
						q++;
					for (w = q; q < nl && *q != ' ' && *q != '\t' && *q != ','; q++)
						;
					if (advisory_valid_package(w, (size_t)(q - w)))
						add_unique(&a->packages, &a->npackages, ADVISORY_PACKAGES_MAX, w,
							   (size_t)(q - w));
				}
		}
		p = nl + 1;
	}
}

/* the lines as one stream of words separated by single spaces */
static void flatten(const struct buf *lines, struct buf *out)
{
	bool space = false;

	for (size_t i = 0; i < lines->len; i++) {
		char c = lines->data[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			space = out->len > 0;
			continue;
		}
		if (space)
			buf_addc(out, ' ');
		space = false;
		buf_addc(out, c);
	}
}

/* "DSA-5678-1", "DLA-3456-1" (or "DSA 5678-1", as subjects write it) */
static void find_id(const char *s, const char *end, struct advisory *a)
{
	for (const char *p = s; p + 5 <= end; p++) {
		const char *q = p + 4, *d;
		if (!(p[0] == 'D' && (p[1] == 'S' || p[1] == 'L') && p[2] == 'A' && (p[3] == '-' || p[3] == ' ')))
			continue;
		if (p > s && isalnum((unsigned char)p[-1]))
			continue;
		for (d = q; q < end && isdigit((unsigned char)*q); q++)
			;
		if (q == d || q - d > 8)
			continue;
		if (q + 1 < end && *q == '-' && isdigit((unsigned char)q[1]))
			for (q++; q < end && isdigit((unsigned char)*q) && q - d < 20; q++)
				;
		snprintf(a->id, sizeof a->id, "%.3s-%.*s", p, (int)(q - d), d);
		return;
	}
}

static void find_cves(const char *s, const char *end, struct advisory *a)
{
	for (const char *p = s; (p = find(p, end, "CVE-")); p += 4) {
		const char *q = p + 4;
		while (q < end && (isdigit((unsigned char)*q) || *q == '-'))
			q++;
		while (q > p && q[-1] == '-')
			q--;
		if (valid_cve(p, (size_t)(q - p)))
			add_unique(&a->cves, &a->ncves, ADVISORY_CVES_MAX, p, (size_t)(q - p));
	}
}

/* the release a sentence "For ..." names before end: "(bookworm)" or "Debian 11 bullseye" */
static bool sentence_release(const char *p, const char *end, const char **rel, size_t *rlen)
{
	const char *q;

	if (end - p > 4 && !memcmp(p, "the ", 4)) {
		q = memchr(p, '(', (size_t)(end - p));
		if (!q)
			return false;
		p = q + 1;
	} else if (end - p > 7 && !memcmp(p, "Debian ", 7)) {
		p += 7;
		while (p < end && isdigit((unsigned char)*p))
			p++;
		while (p < end && *p == ' ')
			p++;
	} else {
		return false;
	}
	for (q = p; q < end && isalpha((unsigned char)*q); q++)
		;
	*rel = p;
	*rlen = (size_t)(q - p);
	if (*rlen < 2 || *rlen > RELEASE_MAX_LEN)
		return false;
	return q < end && (*q == ')' || *q == ',' || *q == ' ');
}

static void find_fixed(const char *s, const char *end, struct advisory *a)
{
	static const char fixed[] = "fixed in version ";

	for (const char *p = s; (p = find(p, end, "For ")); p += 4) {
		const char *start = p + 4, *next = find(start, end, "For ");
		const char *limit = next ? next : end, *f, *v, *rel;
		size_t rlen;
		char lower[RELEASE_MAX_LEN + 1];

		if (limit - start > SENTENCE_MAX)
			limit = start + SENTENCE_MAX;
		if (p > s && p[-1] != ' ')
			continue;
		f = find(start, limit, fixed);
		if (!f || !sentence_release(start, f, &rel, &rlen))
			continue;
		v = f + sizeof fixed - 1;
		for (f = v; f < end && version_char(*f); f++)
			;
		while (f > v && f[-1] == '.')	/* the sentence's full stop */
			f--;
		for (size_t i = 0; i < rlen; i++)
			lower[i] = (char)tolower((unsigned char)rel[i]);
		if (valid_release(lower, rlen) && valid_version(v, (size_t)(f - v)))
			add_fixed(a, lower, rlen, v, (size_t)(f - v));
	}
}

int advisory_parse(const char *text, size_t len, struct advisory *out)
{
	struct buf lines = BUF_INIT, flat = BUF_INIT;
	const char *s, *end;

	memset(out, 0, sizeof *out);
	signed_lines(text, len, &lines);
	header_lines(&lines, out);
	flatten(&lines, &flat);
	s = buf_str(&flat);
	end = s + flat.len;
	find_id(s, end, out);
	find_cves(s, end, out);
	find_fixed(s, end, out);
	buf_release(&lines);
	buf_release(&flat);
	if (!out->id[0]) {
		errset("no advisory id (DSA-NNNN-N, DLA-NNNN-N) in the text");
		return -1;
	}
	if (out->npackages == 0) {
		errset("%s: no \"Package : NAME\" line", out->id);
		return -1;
	}
	return 0;
}

/* ---- the record's advisory object ---- */

static json_t *strings(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

json_t *advisory_to_json(const struct advisory *a)
{
	json_t *o = json_object(), *fixed = json_array();

	json_object_set_new(o, "id", json_string(a->id));
	json_object_set_new(o, "packages", strings(a->packages, a->npackages));
	json_object_set_new(o, "cves", strings(a->cves, a->ncves));
	for (size_t i = 0; i < a->nfixed; i++)
		json_array_append_new(fixed, json_pack("{s:s,s:s}", "release", a->fixed[i].release, "version",
						       a->fixed[i].version));
	json_object_set_new(o, "fixed", fixed);
	return o;
}

static bool valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n < 5 || n > ADVISORY_ID_MAX || !(s[0] == 'D' && (s[1] == 'S' || s[1] == 'L') && s[2] == 'A' && s[3] == '-'))
		return false;
	for (size_t i = 4; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] == '-' && i > 4 && i + 1 < n))
			return false;
	return true;
}

/* an array of strings, each passing ok; -1 naming key when not */
static int read_strings(const json_t *o, const char *key, size_t max, bool (*ok)(const char *, size_t),
			char ***v, size_t *n)
{
	const json_t *arr = json_object_get(o, key), *e;
	size_t i;

	if (!json_is_array(arr) || json_array_size(arr) > max) {
		errset("advisory: \"%s\" is not an array of at most %zu strings", key, max);
		return -1;
	}
	json_array_foreach(arr, i, e) {
		const char *s = json_string_value(e);
		if (!s || !ok(s, strlen(s))) {
			errset("advisory: \"%s\" has a bad value", key);
			return -1;
		}
		add_unique(v, n, max, s, strlen(s));
	}
	return 0;
}

int advisory_from_json(const json_t *obj, struct advisory *out)
{
	const char *id = json_string_value(json_object_get(obj, "id"));
	const json_t *fixed = json_object_get(obj, "fixed"), *e;
	size_t i;

	memset(out, 0, sizeof *out);
	if (!json_is_object(obj) || !id || !valid_id(id)) {
		errset("advisory: no valid \"id\"");
		return -1;
	}
	snprintf(out->id, sizeof out->id, "%s", id);
	if (read_strings(obj, "packages", ADVISORY_PACKAGES_MAX, advisory_valid_package, &out->packages,
			 &out->npackages) < 0 ||
	    read_strings(obj, "cves", ADVISORY_CVES_MAX, valid_cve, &out->cves, &out->ncves) < 0)
		goto bad;
	if (out->npackages == 0) {
		errset("advisory: no package");
		goto bad;
	}
	if (!json_is_array(fixed) || json_array_size(fixed) > ADVISORY_FIXED_MAX) {
		errset("advisory: \"fixed\" is not an array of at most %d objects", ADVISORY_FIXED_MAX);
		goto bad;
	}
	json_array_foreach(fixed, i, e) {
		const char *rel = json_string_value(json_object_get(e, "release"));
		const char *ver = json_string_value(json_object_get(e, "version"));
		if (!rel || !ver || !valid_release(rel, strlen(rel)) || !valid_version(ver, strlen(ver))) {
			errset("advisory: \"fixed\" has a bad release or version");
			goto bad;
		}
		add_fixed(out, rel, strlen(rel), ver, strlen(ver));
	}
	return 0;
bad:
	advisory_release(out);
	return -1;
}

const char *advisory_fixed_for(const struct advisory *a, const char *release)
{
	for (size_t i = 0; i < a->nfixed; i++)
		if (!strcmp(a->fixed[i].release, release))
			return a->fixed[i].version;
	return NULL;
}
