/*
 * record: format version 1.  Encoding and decoding are jansson's; what is
 * ours is the shape (field order, the common fields, the "_b64" rule for
 * bytes that are not UTF-8) and the checks a line must pass to be a
 * record.  The common fields are written first and always in one order so
 * that lines read well in less and grep.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/*
 * SHA256_Init() and friends are the low-level calls that OpenSSL 3 marks
 * deprecated: the EVP route loads the configuration and the providers
 * first, about 1 ms per process (bench/RESULTS.md), more than a whole
 * note's append.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "base/base64.h"
#include "base/day.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "journal/record-int.h"
#include "journal/record.h"
#include "base/banned.h"

/* JSON as records are read: a key twice is an error, a \u0000 in a string is a NUL byte in its value */
#define LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

/*
 * A record read without a tree (rec_parse_light), in one allocation: its
 * top-level fields, then a copy of the line in which each string value
 * without an escape is NUL-terminated where its closing quote was (so
 * that rec_get_str hands out the value in place, and rec_obj puts the
 * quotes back to give jansson the line), then the values of the strings
 * with an escape, unescaped and NUL-terminated.  Offsets, not pointers,
 * keep a field small: a day of records is mostly these blocks.  Shared
 * by rec_dup's copies (refs; the copies are made and freed by one
 * thread).
 */
struct light_field {
	uint32_t key, key_len;	/* in text */
	union {
		struct {
			uint32_t at, len;	/* in text (after the line: unescaped) */
		} str;			/* REC_SCAN_STRING */
		int64_t num;		/* REC_SCAN_INT */
	} u;
	uint8_t type;		/* enum rec_scan_type */
	bool in_place;		/* a string whose closing quote is the NUL at text[at + len] */
};

struct rec_light {
	size_t refs;
	size_t len;		/* of the line */
	size_t n;
	char *text;		/* the line, then the unescaped strings */
	struct light_field v[];
};

const char rec_genesis[REC_HASH_LEN + 1] =
	"0000000000000000000000000000000000000000000000000000000000000000";

static const char *str_of(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* point the cached common fields at the tree */
static void cache_header(struct record *r)
{
	r->kind = str_of(r->tree, "kind");
	r->host = str_of(r->tree, "host");
	r->admin = str_of(r->tree, "admin");
	r->account = str_of(r->tree, "account");
	r->session = str_of(r->tree, "session");
	r->prev = str_of(r->tree, "prev");
	r->seq = json_integer_value(json_object_get(r->tree, "seq"));
}

static const struct light_field *light_get(const struct rec_light *l, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].key_len == n && !memcmp(l->text + l->v[i].key, key, n))
			return &l->v[i];
	return NULL;
}

static void light_unref(struct rec_light *l)
{
	if (l && !--l->refs)
		free(l);
}

json_t *rec_obj(const struct record *r)
{
	if (!r->tree) {
		const struct rec_light *l = r->light;
		json_error_t je;
		/* made once, on demand: the handle is the caller's, the cast only fills a cache */
		struct record *w = (struct record *)r;
		char *line = xmalloc(l->len + 1);

		memcpy(line, l->text, l->len);
		for (size_t i = 0; i < l->n; i++)
			if (l->v[i].in_place)
				line[l->v[i].u.str.at + l->v[i].u.str.len] = '"';
		w->tree = json_loadb(line, l->len, LOAD_FLAGS, &je);
		free(line);
		/* rec_scan accepted the line, so jansson does (tests/fuzz/fuzz-record-light.c) */
		if (!json_is_object(w->tree))
			abort();
	}
	return r->tree;
}

/* a record about to change: its own tree, the common fields pointing into it */
static void own_tree(struct record *r)
{
	if (r->light) {
		rec_obj(r);
		cache_header(r);
		light_unref(r->light);
		r->light = NULL;
	}
}

struct record *rec_new(const char *kind, int64_t time, const char *host,
		       const char *admin, const char *account, const char *session)
{
	struct record *r = xcalloc(1, sizeof *r);
	char t[DAY_TIME_LEN + 1];

	day_time_format(time, t);
	r->tree = json_object();
	if (!r->tree)
		abort();
	/* insertion order is the order on disk */
	json_object_set_new(r->tree, "v", json_integer(REC_VERSION));
	rec_set_text(r, "kind", kind, strlen(kind));
	rec_set_text(r, "time", t, strlen(t));
	rec_set_text(r, "host", host, strlen(host));
	rec_set_text(r, "admin", admin, strlen(admin));
	rec_set_text(r, "account", account, strlen(account));
	rec_set_text(r, "session", session, strlen(session));
	json_object_set_new(r->tree, "seq", json_integer(0));
	json_object_set_new(r->tree, "prev", json_string(rec_genesis));
	r->time = time;
	cache_header(r);
	return r;
}

void rec_free(struct record *r)
{
	if (!r)
		return;
	json_decref(r->tree);
	light_unref(r->light);
	free(r->line);
	free(r);
}

struct record *rec_dup(const struct record *r)
{
	struct record *c = xmalloc(sizeof *c);

	*c = *r;
	json_incref(c->tree);
	if (c->light)
		c->light->refs++;
	c->line = NULL;
	c->line_len = 0;
	return c;
}

void rec_lossy(struct buf *out, const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		size_t n = p[i] < 0x80 ? 1 : utf8_decode(p + i, len - i, &cp);
		if (n == 0) {
			buf_adds(out, "\xef\xbf\xbd");
			i++;
			continue;
		}
		buf_add(out, p + i, n);
		i += n;
	}
}

void rec_set_text(struct record *r, const char *key, const char *data, size_t len)
{
	char *b64key = xasprintf("%s_b64", key);

	own_tree(r);
	if (utf8_valid(data, len)) {
		json_object_set_new(r->tree, key, json_stringn_nocheck(data, len));
		json_object_del(r->tree, b64key);
	} else {
		struct buf lossy = BUF_INIT, raw = BUF_INIT;

		rec_lossy(&lossy, data, len);
		base64_encode(&raw, data, len);
		json_object_set_new(r->tree, key, json_stringn_nocheck(lossy.data, lossy.len));
		json_object_set_new(r->tree, b64key, json_stringn_nocheck(raw.data, raw.len));
		buf_release(&lossy);
		buf_release(&raw);
	}
	free(b64key);
	cache_header(r);
}

void rec_set_int(struct record *r, const char *key, int64_t v)
{
	own_tree(r);
	json_object_set_new(r->tree, key, json_integer(v));
}

void rec_set_json(struct record *r, const char *key, json_t *v)
{
	own_tree(r);
	json_object_set_new(r->tree, key, v);
}

void rec_set_chain(struct record *r, int64_t seq, const char *prev)
{
	own_tree(r);
	json_object_set_new(r->tree, "seq", json_integer(seq));
	json_object_set_new(r->tree, "prev", json_string(prev));
	cache_header(r);
}

int rec_get_text(const struct record *r, const char *key, struct buf *out)
{
	/* the renderers ask for every text field of every record: no allocation for the name */
	char small[64], *b64key = small;
	size_t raw_len = 0, len = 0, n = strlen(key);
	const char *raw, *s;
	int rc = -1;

	if (n + sizeof "_b64" > sizeof small)
		b64key = xmalloc(n + sizeof "_b64");
	memcpy(b64key, key, n);
	memcpy(b64key + n, "_b64", sizeof "_b64");
	raw = rec_get_str(r, b64key, &raw_len);
	s = rec_get_str(r, key, &len);
	if (b64key != small)
		free(b64key);
	/* a failed decode leaves out as it was, for the lossy text */
	if (raw)
		rc = base64_decode(out, raw, raw_len, BASE64_LAX);
	if (rc < 0 && s) {
		buf_add(out, s, len);
		rc = 0;
	}
	return rc;
}

const char *rec_get_str(const struct record *r, const char *key, size_t *len)
{
	json_t *s;

	if (!r->tree) {
		const struct light_field *f = light_get(r->light, key);

		if (!f || f->type != REC_SCAN_STRING)
			return NULL;
		if (len)
			*len = f->u.str.len;
		return r->light->text + f->u.str.at;
	}
	s = json_object_get(r->tree, key);
	if (!json_is_string(s))
		return NULL;
	if (len)
		*len = json_string_length(s);
	return json_string_value(s);
}

bool rec_get_int(const struct record *r, const char *key, int64_t *v)
{
	json_t *n;

	if (!r->tree) {
		const struct light_field *f = light_get(r->light, key);

		if (!f || f->type != REC_SCAN_INT)
			return false;
		*v = f->u.num;
		return true;
	}
	n = json_object_get(r->tree, key);
	if (!json_is_integer(n))
		return false;
	*v = json_integer_value(n);
	return true;
}

json_t *rec_get_json(const struct record *r, const char *key)
{
	/* what a record read light lacks needs no tree to say so */
	if (!r->tree && !light_get(r->light, key))
		return NULL;
	return json_object_get(rec_obj(r), key);
}

int rec_encode(const struct record *r, struct buf *out)
{
	char *s = json_dumps(rec_obj(r), JSON_COMPACT);

	if (!s) {
		errset("cannot encode record");
		return -1;
	}
	buf_adds(out, s);
	free(s);
	return 0;
}

static bool is_hex_hash(const char *s)
{
	if (!s || strlen(s) != REC_HASH_LEN)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static bool is_kind(const char *s)
{
	if (!s || !*s || strlen(s) > 32)
		return false;
	for (const char *p = s; *p; p++)
		if (*p < 'a' || *p > 'z')
			return false;
	return true;
}

/* the checks every record passes, then those of the kinds this version knows */
static int check(struct record *r)
{
	json_t *v = json_object_get(r->tree, "v");
	json_t *seq = json_object_get(r->tree, "seq");
	const char *t;
	static const char *const names[] = { "host", "admin", "account", "session" };
	/* the session is opaque to the format, the others cannot hold a NUL */
	static const char *const c_strings[] = { "kind", "time", "host", "admin", "account", "prev" };

	if (!json_is_integer(v)) {
		errset("missing format version \"v\"");
		return -1;
	}
	if (json_integer_value(v) != REC_VERSION) {
		errset("format version %lld is not supported by this logbook (it reads version %d)",
		       (long long)json_integer_value(v), REC_VERSION);
		return -1;
	}
	/*
	 * The common fields are read as C strings (is_kind, the time, the
	 * host compared with the file's name, prev), where a \u0000 would
	 * cut them short: "web1\u0000x" would pass as host web1.
	 */
	for (size_t i = 0; i < sizeof c_strings / sizeof *c_strings; i++) {
		json_t *s = json_object_get(r->tree, c_strings[i]);
		if (json_is_string(s) && strlen(json_string_value(s)) != json_string_length(s)) {
			errset("NUL byte in \"%s\"", c_strings[i]);
			return -1;
		}
	}
	if (!is_kind(r->kind)) {
		errset("bad or missing \"kind\"");
		return -1;
	}
	t = str_of(r->tree, "time");
	if (!t) {
		errset("missing \"time\"");
		return -1;
	}
	if (day_time_parse(t, strlen(t), &r->time) < 0)
		return -1;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		if (!str_of(r->tree, names[i])) {
			errset("missing \"%s\"", names[i]);
			return -1;
		}
	}
	if (!*r->host || !*r->admin) {
		errset("empty \"%s\"", *r->host ? "admin" : "host");
		return -1;
	}
	if (!json_is_integer(seq) || json_integer_value(seq) < 1) {
		errset("bad or missing \"seq\"");
		return -1;
	}
	if (!is_hex_hash(r->prev)) {
		errset("bad or missing \"prev\"");
		return -1;
	}
	if (!strcmp(r->kind, "note") && !json_is_string(json_object_get(r->tree, "text"))) {
		errset("note without \"text\"");
		return -1;
	}
	return 0;
}

/* a copy of the line in r->line */
static void keep(struct record *r, const char *line, size_t len)
{
	r->line = xmalloc(len + 1);
	memcpy(r->line, line, len);
	r->line[len] = '\0';
	r->line_len = len;
}

struct record *rec_parse(const char *line, size_t len, bool keep_line)
{
	struct record *r;
	json_error_t je;
	json_t *obj;

	/* JSON takes a newline between tokens; a record line cannot hold one */
	if (memchr(line, '\n', len)) {
		errset("raw newline in the line");
		return NULL;
	}
	obj = json_loadb(line, len, LOAD_FLAGS, &je);
	if (!obj) {
		errset("invalid JSON at column %d: %s", je.column, je.text);
		return NULL;
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		errset("not a JSON object");
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->tree = obj;
	cache_header(r);
	if (check(r) < 0) {
		rec_free(r);
		return NULL;
	}
	if (keep_line)
		keep(r, line, len);
	return r;
}

/*
 * Why: show reads a day of ~3,000 records, and jansson's tree of each (an
 * allocation per key and value, a hash table per object, all freed
 * again) was most of its time (bench/RESULTS.md).  record-scan checks the
 * line as jansson would load it and says where each top-level field is;
 * the line is copied once, its plain strings ended in place, the values
 * of the escaped ones after it (a value is never longer than its text,
 * which has a quote after it for the NUL).
 */
struct record *rec_parse_light(const char *line, size_t len, bool keep_line)
{
	struct rec_scan_top top;
	struct rec_fields f;
	struct rec_light *l;
	struct record *r;
	size_t escaped = 0, at;

	/* offsets are 32 bits: a bigger line goes the slow way */
	if (len > UINT32_MAX / 2 || !rec_scan_top(line, len, &f, &top))
		return rec_parse(line, len, keep_line);
	for (size_t i = 0; i < top.n; i++)
		if (top.v[i].type == REC_SCAN_STRING && top.v[i].escaped)
			escaped += top.v[i].val_len + 1;
	l = xmalloc(sizeof *l + top.n * sizeof *l->v + len + 1 + escaped);
	l->refs = 1;
	l->n = top.n;
	l->len = len;
	l->text = (char *)(l->v + top.n);
	memcpy(l->text, line, len);
	l->text[len] = '\0';
	at = len + 1;
	for (size_t i = 0; i < top.n; i++) {
		const struct rec_scan_field *t = &top.v[i];
		struct light_field *v = &l->v[i];

		v->key = (uint32_t)(t->key - line);
		v->key_len = (uint32_t)t->key_len;
		v->type = (uint8_t)t->type;
		v->in_place = false;
		if (t->type == REC_SCAN_INT) {
			v->u.num = t->num;
		} else if (t->type != REC_SCAN_STRING) {
			v->u.num = 0;
		} else if (t->escaped) {
			v->u.str.at = (uint32_t)at;
			v->u.str.len = (uint32_t)rec_scan_unescape(t->val, t->val_len, l->text + at);
			l->text[at + v->u.str.len] = '\0';
			at += v->u.str.len + 1;
		} else {
			v->u.str.at = (uint32_t)(t->val - line);
			v->u.str.len = (uint32_t)t->val_len;
			v->in_place = true;
			l->text[v->u.str.at + v->u.str.len] = '\0';
		}
	}
	r = xcalloc(1, sizeof *r);
	r->light = l;
	r->kind = rec_get_str(r, "kind", NULL);
	r->host = rec_get_str(r, "host", NULL);
	r->admin = rec_get_str(r, "admin", NULL);
	r->account = rec_get_str(r, "account", NULL);
	r->session = rec_get_str(r, "session", NULL);
	r->prev = rec_get_str(r, "prev", NULL);
	r->seq = f.seq;
	r->time = f.time;
	if (keep_line)
		keep(r, line, len);
	return r;
}

/*
 * The low-level calls, not the one-shot SHA256(): in OpenSSL 3 that one
 * fetches the digest from the provider at each call (a lock and a lookup),
 * which verify paid once per record.
 */
void rec_digest(const char *line, size_t len, unsigned char out[REC_DIGEST_LEN])
{
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, line, len);
	SHA256_Final(out, &c);
}

void rec_hash(const char *line, size_t len, char out[REC_HASH_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[REC_DIGEST_LEN];

	rec_digest(line, len, md);
	for (unsigned i = 0; i < REC_DIGEST_LEN; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[REC_HASH_LEN] = '\0';
}
