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
#include "journal/record.h"
#include "base/banned.h"

const char rec_genesis[REC_HASH_LEN + 1] =
	"0000000000000000000000000000000000000000000000000000000000000000";

static const char *str_of(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* point the cached common fields at obj */
static void cache_header(struct record *r)
{
	r->kind = str_of(r->obj, "kind");
	r->host = str_of(r->obj, "host");
	r->admin = str_of(r->obj, "admin");
	r->account = str_of(r->obj, "account");
	r->session = str_of(r->obj, "session");
	r->prev = str_of(r->obj, "prev");
	r->seq = json_integer_value(json_object_get(r->obj, "seq"));
}

struct record *rec_new(const char *kind, int64_t time, const char *host,
		       const char *admin, const char *account, const char *session)
{
	struct record *r = xcalloc(1, sizeof *r);
	char t[DAY_TIME_LEN + 1];

	day_time_format(time, t);
	r->obj = json_object();
	if (!r->obj)
		abort();
	/* insertion order is the order on disk */
	json_object_set_new(r->obj, "v", json_integer(REC_VERSION));
	rec_set_text(r, "kind", kind, strlen(kind));
	rec_set_text(r, "time", t, strlen(t));
	rec_set_text(r, "host", host, strlen(host));
	rec_set_text(r, "admin", admin, strlen(admin));
	rec_set_text(r, "account", account, strlen(account));
	rec_set_text(r, "session", session, strlen(session));
	json_object_set_new(r->obj, "seq", json_integer(0));
	json_object_set_new(r->obj, "prev", json_string(rec_genesis));
	r->time = time;
	cache_header(r);
	return r;
}

void rec_free(struct record *r)
{
	if (!r)
		return;
	json_decref(r->obj);
	free(r->line);
	free(r);
}

struct record *rec_dup(const struct record *r)
{
	struct record *c = xmalloc(sizeof *c);

	*c = *r;
	json_incref(c->obj);
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

	if (utf8_valid(data, len)) {
		json_object_set_new(r->obj, key, json_stringn_nocheck(data, len));
		json_object_del(r->obj, b64key);
	} else {
		struct buf lossy = BUF_INIT, raw = BUF_INIT;

		rec_lossy(&lossy, data, len);
		base64_encode(&raw, data, len);
		json_object_set_new(r->obj, key, json_stringn_nocheck(lossy.data, lossy.len));
		json_object_set_new(r->obj, b64key, json_stringn_nocheck(raw.data, raw.len));
		buf_release(&lossy);
		buf_release(&raw);
	}
	free(b64key);
	cache_header(r);
}

void rec_set_int(struct record *r, const char *key, int64_t v)
{
	json_object_set_new(r->obj, key, json_integer(v));
}

void rec_set_json(struct record *r, const char *key, json_t *v)
{
	json_object_set_new(r->obj, key, v);
}

void rec_set_chain(struct record *r, int64_t seq, const char *prev)
{
	json_object_set_new(r->obj, "seq", json_integer(seq));
	json_object_set_new(r->obj, "prev", json_string(prev));
	cache_header(r);
}

int rec_get_text(const struct record *r, const char *key, struct buf *out)
{
	char *b64key = xasprintf("%s_b64", key);
	json_t *raw = json_object_get(r->obj, b64key);
	json_t *s = json_object_get(r->obj, key);
	int rc = -1;

	free(b64key);
	/* a failed decode leaves out as it was, for the lossy text */
	if (json_is_string(raw))
		rc = base64_decode(out, json_string_value(raw), json_string_length(raw), BASE64_LAX);
	if (rc < 0 && json_is_string(s)) {
		buf_add(out, json_string_value(s), json_string_length(s));
		rc = 0;
	}
	return rc;
}

const char *rec_get_str(const struct record *r, const char *key, size_t *len)
{
	json_t *s = json_object_get(r->obj, key);

	if (!json_is_string(s))
		return NULL;
	if (len)
		*len = json_string_length(s);
	return json_string_value(s);
}

bool rec_get_int(const struct record *r, const char *key, int64_t *v)
{
	json_t *n = json_object_get(r->obj, key);

	if (!json_is_integer(n))
		return false;
	*v = json_integer_value(n);
	return true;
}

int rec_encode(const struct record *r, struct buf *out)
{
	char *s = json_dumps(r->obj, JSON_COMPACT);

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
	json_t *v = json_object_get(r->obj, "v");
	json_t *seq = json_object_get(r->obj, "seq");
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
		json_t *s = json_object_get(r->obj, c_strings[i]);
		if (json_is_string(s) && strlen(json_string_value(s)) != json_string_length(s)) {
			errset("NUL byte in \"%s\"", c_strings[i]);
			return -1;
		}
	}
	if (!is_kind(r->kind)) {
		errset("bad or missing \"kind\"");
		return -1;
	}
	t = str_of(r->obj, "time");
	if (!t) {
		errset("missing \"time\"");
		return -1;
	}
	if (day_time_parse(t, strlen(t), &r->time) < 0)
		return -1;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		if (!str_of(r->obj, names[i])) {
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
	if (!strcmp(r->kind, "note") && !json_is_string(json_object_get(r->obj, "text"))) {
		errset("note without \"text\"");
		return -1;
	}
	return 0;
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
	obj = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
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
	r->obj = obj;
	cache_header(r);
	if (check(r) < 0) {
		rec_free(r);
		return NULL;
	}
	if (keep_line) {
		r->line = xmalloc(len + 1);
		memcpy(r->line, line, len);
		r->line[len] = '\0';
		r->line_len = len;
	}
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
