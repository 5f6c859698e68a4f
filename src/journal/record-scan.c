/*
 * record-scan: a validating scanner for the JSON lines logbook writes.
 *
 * Why a second reader next to jansson: verify reads every line of every
 * host's files, and building a jansson tree of each (one allocation per
 * value and per key, a hash table per object) was most of its time, ~9 us
 * of ~10 us per record (bench/RESULTS.md), for the six fields the chain
 * check needs.  This scanner walks the line once, checks it is JSON as
 * jansson would load it (strict UTF-8, no control bytes in strings, valid
 * escapes, no duplicate key in any object) and takes the common fields
 * from the top-level object, then applies record.c's checks to them.
 *
 * It reads replica data, other hosts' files, so it is written to decline
 * rather than guess: anything outside the subset logbook itself writes
 * (whitespace between tokens, real numbers, integers of more than 18
 * digits, a \u escape of a surrogate, an escape inside a key or a common
 * field, nesting deeper than MAX_DEPTH, objects of more than MAX_KEYS
 * keys) makes it say "cannot tell", and the caller asks rec_parse.  Only
 * "accept" must agree with rec_parse, field for field; the differential
 * fuzz target tests/fuzz/fuzz-record-scan.c checks that on any bytes.
 */
#include <string.h>

#include "base/day.h"
#include "base/hex.h"
#include "base/utf8.h"
#include "journal/record-int.h"
#include "journal/record-scan.h"
#include "journal/record.h"
#include "base/banned.h"

#define MAX_DEPTH 32
#define MAX_KEYS REC_SCAN_MAX_KEYS

enum type { T_STRING, T_INT, T_OTHER };

/* a value of the top-level object */
struct field {
	bool present;
	const unsigned char *val;	/* a string's bytes */
	size_t val_len;
	enum type type;
	bool escaped;			/* a string value with a backslash */
	int64_t num;			/* T_INT */
};

/* the top-level keys check() reads */
enum known { K_V, K_KIND, K_TIME, K_HOST, K_ADMIN, K_ACCOUNT, K_SESSION, K_SEQ, K_PREV, K_TEXT, K_OTHER };

struct scan {
	const unsigned char *end;
	struct field known[K_OTHER + 1];	/* K_OTHER: scratch for the rest */
	struct rec_scan_top *top;	/* every top-level field too, or NULL */
};

static enum known known_key(const unsigned char *k, size_t n)
{
#define IS(name) (!memcmp(k, name, n))
	switch (n) {
	case 1:
		return *k == 'v' ? K_V : K_OTHER;
	case 3:
		return IS("seq") ? K_SEQ : K_OTHER;
	case 4:
		return IS("kind") ? K_KIND : IS("time") ? K_TIME : IS("host") ? K_HOST : IS("prev") ? K_PREV :
		       IS("text") ? K_TEXT : K_OTHER;
	case 5:
		return IS("admin") ? K_ADMIN : K_OTHER;
	case 7:
		return IS("account") ? K_ACCOUNT : IS("session") ? K_SESSION : K_OTHER;
	default:
		return K_OTHER;
	}
#undef IS
}

static const unsigned char *value(struct scan *s, const unsigned char *p, int depth, struct field *f);

/*
 * The bytes of x (8 bytes of a string, in memory order) that are a quote,
 * a backslash, a control byte or not ASCII, as the high bit of each: the
 * bit tricks of "Bit Twiddling Hacks".  A borrow can flag a byte after a
 * flagged one, never before it, so the first flag is exact.
 */
static uint64_t special8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	uint64_t quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\');

	return (((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | x) & high;
}

/* p just after the opening quote: after the closing one, or NULL */
static const unsigned char *string(const struct scan *s, const unsigned char *p, bool *escaped)
{
	*escaped = false;
	while (p < s->end) {
		unsigned char c;
		uint32_t cp;
		size_t n;
		uint64_t x, flags;

		/* plain bytes 8 at a time, up to the first that is not */
		if (s->end - p >= 8) {
			memcpy(&x, p, 8);
			if (!(flags = special8(x))) {
				p += 8;
				continue;
			}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			p += __builtin_ctzll(flags) / 8;
#endif
		}
		c = *p;
		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c < 0x80 && c != '\\') {
			p++;
			continue;
		}
		if (c >= 0x80) {
			if (!(n = utf8_decode(p, (size_t)(s->end - p), &cp)))
				return NULL;
			p += n;
			continue;
		}
		*escaped = true;
		if (++p >= s->end)
			return NULL;
		switch (*p) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			p++;
			break;
		case 'u':
			if (s->end - p < 5)
				return NULL;
			cp = 0;
			for (int i = 1; i <= 4; i++) {
				int v = hex_digit(p[i]);
				if (v < 0)
					return NULL;
				cp = cp << 4 | (uint32_t)v;
			}
			/* pairs and lone halves: jansson's rules, left to it */
			if (cp >= 0xd800 && cp <= 0xdfff)
				return NULL;
			p += 5;
			break;
		default:
			return NULL;
		}
	}
	return NULL;
}

/* -?(0|[1-9][0-9]{0,17}) not followed by a fraction or exponent */
static const unsigned char *integer(const struct scan *s, const unsigned char *p, int64_t *v)
{
	bool neg = false;
	int digits = 0;

	*v = 0;
	if (*p == '-') {
		neg = true;
		p++;
	}
	if (p < s->end && *p == '0') {
		p++;
		digits = 1;
	} else {
		while (p < s->end && *p >= '0' && *p <= '9') {
			if (++digits > 18)
				return NULL;
			*v = *v * 10 + (*p++ - '0');
		}
	}
	if (!digits || (p < s->end && ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E')))
		return NULL;
	if (neg)
		*v = -*v;
	return p;
}

/* a top-level field, its value just scanned into f (at most MAX_KEYS: object() stops there) */
static void top_add(struct rec_scan_top *top, const unsigned char *key, size_t key_len, const struct field *f)
{
	struct rec_scan_field *t = &top->v[top->n++];

	t->key = (const char *)key;
	t->key_len = key_len;
	t->type = f->type == T_STRING ? REC_SCAN_STRING : f->type == T_INT ? REC_SCAN_INT : REC_SCAN_OTHER;
	t->val = f->type == T_STRING ? (const char *)f->val : NULL;
	t->val_len = f->type == T_STRING ? f->val_len : 0;
	t->escaped = f->type == T_STRING && f->escaped;
	t->num = f->type == T_INT ? f->num : 0;
}

/*
 * p at '{': after the closing '}', or NULL.  Every key is checked against
 * the others of its object, as JSON_REJECT_DUPLICATES does; keys with an
 * escape are declined, so that comparing bytes is comparing keys.
 */
static const unsigned char *object(struct scan *s, const unsigned char *p, int depth)
{
	struct key {
		const unsigned char *p;
		size_t len;
	} keys[MAX_KEYS];
	struct field scratch;
	size_t n = 0;

	if (depth > MAX_DEPTH)
		return NULL;
	p++;
	if (p < s->end && *p == '}')
		return p + 1;
	for (;;) {
		struct field *f = &scratch;
		bool escaped;

		if (p >= s->end || *p != '"' || n == MAX_KEYS)
			return NULL;
		keys[n].p = p + 1;
		if (!(p = string(s, p + 1, &escaped)) || escaped)
			return NULL;
		keys[n].len = (size_t)(p - 1 - keys[n].p);
		/* the closing quote is there to compare when a key is empty */
		for (size_t i = 0; i < n; i++)
			if (keys[i].len == keys[n].len && keys[i].p[0] == keys[n].p[0] &&
			    !memcmp(keys[i].p, keys[n].p, keys[n].len))
				return NULL;
		if (depth == 1)
			f = &s->known[known_key(keys[n].p, keys[n].len)];
		f->present = true;
		n++;
		if (p >= s->end || *p != ':')
			return NULL;
		if (!(p = value(s, p + 1, depth, f)))
			return NULL;
		if (depth == 1 && s->top)
			top_add(s->top, keys[n - 1].p, keys[n - 1].len, f);
		if (p >= s->end)
			return NULL;
		if (*p == '}')
			break;
		if (*p != ',')
			return NULL;
		p++;
	}
	return p + 1;
}

/* p at '[': after the closing ']', or NULL */
static const unsigned char *array(struct scan *s, const unsigned char *p, int depth)
{
	struct field ignored;

	if (depth > MAX_DEPTH)
		return NULL;
	p++;
	if (p < s->end && *p == ']')
		return p + 1;
	for (;;) {
		if (!(p = value(s, p, depth, &ignored)) || p >= s->end)
			return NULL;
		if (*p == ']')
			return p + 1;
		if (*p != ',')
			return NULL;
		p++;
	}
}

/* one value at p inside a container at depth: after it, or NULL; what it is in f */
static const unsigned char *value(struct scan *s, const unsigned char *p, int depth, struct field *f)
{
	if (p >= s->end)
		return NULL;
	f->type = T_OTHER;
	f->escaped = false;
	switch (*p) {
	case '"':
		f->type = T_STRING;
		f->val = p + 1;
		if (!(p = string(s, p + 1, &f->escaped)))
			return NULL;
		f->val_len = (size_t)(p - 1 - f->val);
		return p;
	case '{':
		return object(s, p, depth + 1);
	case '[':
		return array(s, p, depth + 1);
	case 't':
		return s->end - p >= 4 && !memcmp(p, "true", 4) ? p + 4 : NULL;
	case 'f':
		return s->end - p >= 5 && !memcmp(p, "false", 5) ? p + 5 : NULL;
	case 'n':
		return s->end - p >= 4 && !memcmp(p, "null", 4) ? p + 4 : NULL;
	default:
		if (*p == '-' || (*p >= '0' && *p <= '9')) {
			f->type = T_INT;
			return integer(s, p, &f->num);
		}
		return NULL;
	}
}

static const struct field *get(const struct scan *s, enum known k)
{
	return s->known[k].present ? &s->known[k] : NULL;
}

/* a string field without escapes (so without NUL): what record.c reads as a C string */
static const struct field *plain(const struct scan *s, enum known k)
{
	const struct field *f = get(s, k);

	return f && f->type == T_STRING && !f->escaped ? f : NULL;
}

/* record.c's check() on the scanned fields */
static bool check(const struct scan *s, struct rec_fields *out)
{
	const struct field *v = get(s, K_V), *seq = get(s, K_SEQ), *kind = plain(s, K_KIND);
	const struct field *time = plain(s, K_TIME), *host = plain(s, K_HOST), *admin = plain(s, K_ADMIN);
	const struct field *account = plain(s, K_ACCOUNT), *session = get(s, K_SESSION);
	const struct field *prev = plain(s, K_PREV), *text;
	static const bool lowhex[256] = {
		['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
		['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	};
	bool bad = false;

	if (!v || v->type != T_INT || v->num != REC_VERSION)
		return false;
	if (!kind || !time || !host || !admin || !account || !prev)
		return false;
	if (!session || session->type != T_STRING)
		return false;
	if (kind->val_len < 1 || kind->val_len > 32)
		return false;
	for (size_t i = 0; i < kind->val_len; i++)
		if (kind->val[i] < 'a' || kind->val[i] > 'z')
			return false;
	if (day_time_parse((const char *)time->val, time->val_len, &out->time) < 0)
		return false;
	if (!host->val_len || !admin->val_len)
		return false;
	if (!seq || seq->type != T_INT || seq->num < 1)
		return false;
	if (prev->val_len != REC_HASH_LEN)
		return false;
	for (size_t i = 0; i < REC_HASH_LEN; i++)
		bad |= !lowhex[prev->val[i]];	/* no branch: the digits are random */
	if (bad)
		return false;
	if (kind->val_len == 4 && !memcmp(kind->val, "note", 4) &&
	    (!(text = get(s, K_TEXT)) || text->type != T_STRING))
		return false;
	out->kind = (const char *)kind->val;
	out->kind_len = kind->val_len;
	out->host = (const char *)host->val;
	out->host_len = host->val_len;
	out->admin = (const char *)admin->val;
	out->admin_len = admin->val_len;
	out->prev = (const char *)prev->val;
	out->seq = seq->num;
	return true;
}

bool rec_scan_top(const char *line, size_t len, struct rec_fields *f, struct rec_scan_top *top)
{
	const unsigned char *p = (const unsigned char *)line;
	struct scan s = { .end = p + len, .top = top };

	if (top)
		top->n = 0;
	if (!len || *p != '{')
		return false;
	p = object(&s, p, 1);
	if (!p || p != s.end)
		return false;
	return check(&s, f);
}

bool rec_scan(const char *line, size_t len, struct rec_fields *f)
{
	return rec_scan_top(line, len, f, NULL);
}

/* 1 to 3 bytes: a \u escape is never a surrogate here (string() declined those) */
static size_t utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | cp >> 12);
	out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

size_t rec_scan_unescape(const char *val, size_t len, char *out)
{
	const char *p = val, *end = val + len;
	char *o = out;

	while (p < end) {
		const char *bs = memchr(p, '\\', (size_t)(end - p));
		size_t plain = (size_t)((bs ? bs : end) - p);
		uint32_t cp = 0;

		memmove(o, p, plain);
		o += plain;
		if (!bs)
			break;
		p = bs + 1;
		switch (*p++) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			for (int i = 0; i < 4; i++)
				cp = cp << 4 | (uint32_t)hex_digit((unsigned char)*p++);
			o += utf8_put(cp, o);
			break;
		default:	/* " \ / */
			*o++ = p[-1];
			break;
		}
	}
	return (size_t)(o - out);
}
