/*
 * secrets: the known-secrets file, its parser and the matcher (see
 * secrets.h).
 *
 * The file is parsed by hand: it is three kinds of token (decimal, hex,
 * a fixed header word) on lines we write ourselves, and the parser must
 * name the line that is wrong; no library in the build reads such a
 * format.  tests/fuzz/fuzz-secrets.c checks that whatever it accepts
 * encodes back to itself.
 *
 * The index: for each prefix length p (6, 7 or 8, the bytes a tag
 * covers), head[p][tag] starts a chain (next[]) of the secrets with that
 * prefix length and tag, longest first, so the first HMAC that matches
 * at a position is the longest secret there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "base/err.h"
#include "base/fs.h"
#include "base/hex.h"
#include "base/siphash.h"
#include "base/xalloc.h"
#include "journal/secrets.h"
#include "base/banned.h"

/* the store's marker (capture/redact.h's REDACT_MARKER, which this layer cannot include) */
#define MARKER "[REDACTED]"
#define MARKER_LEN (sizeof MARKER - 1)
#define MAGIC "logbook-secrets 1 "
#define KEY_LEN 32
#define MAC_LEN 32
#define PREFIX_MAX 8
#define NTAGS 65536
#define NONE UINT32_MAX

struct entry {
	uint32_t len;
	uint16_t tag;
	uint8_t mac[MAC_LEN];
};

struct secrets {
	uint8_t key[KEY_LEN];
	uint8_t sipkey[SIPHASH_KEY_LEN];
	struct entry *v;
	size_t n, cap;
	uint32_t *head[PREFIX_MAX + 1];	/* NTAGS chain starts per prefix length, NULL when none */
	uint32_t *next;			/* per entry */
	EVP_MAC_CTX *mac;		/* HMAC-SHA256 under key, re-initialised for each value */
};

static size_t prefix_len(size_t len)
{
	return len < PREFIX_MAX ? len : PREFIX_MAX;
}

static uint16_t tag_of(const struct secrets *s, const void *data, size_t len)
{
	return (uint16_t)siphash24(s->sipkey, data, prefix_len(len));
}

static int mac_with(EVP_MAC_CTX *ctx, const void *data, size_t len, uint8_t out[MAC_LEN])
{
	size_t outlen = 0;

	/* init without a key starts again from the key's state (no key schedule per value) */
	if (!ctx || !EVP_MAC_init(ctx, NULL, 0, NULL) || !EVP_MAC_update(ctx, data, len) ||
	    !EVP_MAC_final(ctx, out, &outlen, MAC_LEN) || outlen != MAC_LEN) {
		errset("known secrets: HMAC-SHA256 failed");
		return -1;
	}
	return 0;
}

/* for adding and parsing, never from several threads at once */
static int mac_of(const struct secrets *s, const void *data, size_t len, uint8_t out[MAC_LEN])
{
	return mac_with(s->mac, data, len, out);
}

/* the SipHash key is not the file's key itself: derived, so the two hashes never share a key */
static int set_key(struct secrets *s, const uint8_t key[KEY_LEN])
{
	EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
				OSSL_PARAM_END };
	uint8_t derived[MAC_LEN];

	memcpy(s->key, key, KEY_LEN);
	if (!hmac || !(s->mac = EVP_MAC_CTX_new(hmac)) || !EVP_MAC_init(s->mac, s->key, KEY_LEN, params)) {
		EVP_MAC_free(hmac);
		errset("known secrets: OpenSSL has no HMAC-SHA256");
		return -1;
	}
	EVP_MAC_free(hmac);
	if (mac_of(s, "logbook-secrets prefix tag", 26, derived) < 0)
		return -1;
	memcpy(s->sipkey, derived, SIPHASH_KEY_LEN);
	OPENSSL_cleanse(derived, sizeof derived);
	return 0;
}

static struct secrets *secrets_with_key(const uint8_t key[KEY_LEN])
{
	struct secrets *s = xcalloc(1, sizeof *s);

	if (set_key(s, key) < 0) {
		secrets_free(s);
		return NULL;
	}
	return s;
}

struct secrets *secrets_new(void)
{
	uint8_t key[KEY_LEN];
	struct secrets *s;

	if (RAND_bytes(key, KEY_LEN) != 1) {
		errset("known secrets: no random key from OpenSSL");
		return NULL;
	}
	s = secrets_with_key(key);
	OPENSSL_cleanse(key, sizeof key);
	return s;
}

void secrets_free(struct secrets *s)
{
	if (!s)
		return;
	for (size_t p = 0; p <= PREFIX_MAX; p++)
		free(s->head[p]);
	free(s->next);
	free(s->v);
	EVP_MAC_CTX_free(s->mac);
	OPENSSL_cleanse(s, sizeof *s);
	free(s);
}

size_t secrets_count(const struct secrets *s)
{
	return s->n;
}

size_t secrets_length(const struct secrets *s, size_t i)
{
	return s->v[i].len;
}

/* link entry i into its chain, after the longer ones; 1 (not linked) when the same secret is there */
static int link_entry(struct secrets *s, uint32_t i)
{
	const struct entry *e = &s->v[i];
	size_t p = prefix_len(e->len);
	uint32_t *at;

	if (!s->head[p]) {
		s->head[p] = xmalloc(NTAGS * sizeof *s->head[p]);
		for (size_t t = 0; t < NTAGS; t++)
			s->head[p][t] = NONE;
	}
	for (at = &s->head[p][e->tag]; *at != NONE && s->v[*at].len >= e->len; at = &s->next[*at])
		if (s->v[*at].len == e->len && !CRYPTO_memcmp(s->v[*at].mac, e->mac, MAC_LEN))
			return 1;
	s->next[i] = *at;
	*at = i;
	return 0;
}

static void reindex(struct secrets *s)
{
	for (size_t p = 0; p <= PREFIX_MAX; p++) {
		free(s->head[p]);
		s->head[p] = NULL;
	}
	for (size_t i = 0; i < s->n; i++)
		link_entry(s, (uint32_t)i);
}

/* append e; 1 (dropped) when already known */
static int push_entry(struct secrets *s, const struct entry *e)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
		s->next = xreallocarray(s->next, s->cap, sizeof *s->next);
	}
	s->v[s->n] = *e;
	if (link_entry(s, (uint32_t)s->n))
		return 1;
	s->n++;
	return 0;
}

static int make_entry(const struct secrets *s, const char *value, size_t len, struct entry *e)
{
	if (len < SECRETS_MIN_LEN) {
		errset("shorter than %d bytes: it would match ordinary text", SECRETS_MIN_LEN);
		return -1;
	}
	if (len > SECRETS_MAX_LEN) {
		errset("longer than %d bytes", SECRETS_MAX_LEN);
		return -1;
	}
	if (memmem(value, len, MARKER, MARKER_LEN)) {
		errset("holds the marker %s", MARKER);
		return -1;
	}
	e->len = (uint32_t)len;
	e->tag = tag_of(s, value, len);
	return mac_of(s, value, len, e->mac);
}

int secrets_add(struct secrets *s, const char *value, size_t len)
{
	struct entry e;

	if (make_entry(s, value, len, &e) < 0)
		return -1;
	return push_entry(s, &e);
}

int secrets_remove(struct secrets *s, const char *value, size_t len)
{
	struct entry e;

	if (len < SECRETS_MIN_LEN || len > SECRETS_MAX_LEN || make_entry(s, value, len, &e) < 0)
		return 1;
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].len == e.len && !CRYPTO_memcmp(s->v[i].mac, e.mac, MAC_LEN)) {
			memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof *s->v);
			s->n--;
			reindex(s);
			return 0;
		}
	}
	return 1;
}

static void add_hex(struct buf *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_addf(out, "%02x", p[i]);
}

void secrets_encode(const struct secrets *s, struct buf *out)
{
	buf_adds(out, MAGIC);
	add_hex(out, s->key, KEY_LEN);
	buf_addc(out, '\n');
	for (size_t i = 0; i < s->n; i++) {
		buf_addf(out, "%u %04x ", (unsigned)s->v[i].len, (unsigned)s->v[i].tag);
		add_hex(out, s->v[i].mac, MAC_LEN);
		buf_addc(out, '\n');
	}
}

/* ---- the parser ---- */

/* a lowercase hex digit's value, -1 otherwise: the file is written lowercase, and read back exactly */
static int hexval(char c)
{
	return c >= 'A' && c <= 'F' ? -1 : hex_digit(c);
}

/* exactly 2n lowercase hex digits at p, then end (a space or the line's end) */
static bool parse_hex(const char *p, const char *end, uint8_t *out, size_t n)
{
	if ((size_t)(end - p) < 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return p + 2 * n == end || p[2 * n] == ' ';
}

/* "<len> <tag> <mac>" between p and end */
static bool parse_entry(const char *p, const char *end, struct entry *e)
{
	unsigned long len = 0;
	uint8_t tag[2];
	const char *q = p;

	while (q < end && *q >= '0' && *q <= '9' && q - p < 5)
		len = len * 10 + (unsigned long)(*q++ - '0');
	if (q == p || *p == '0' || q == end || *q != ' ' || len < SECRETS_MIN_LEN || len > SECRETS_MAX_LEN)
		return false;
	q++;
	if (!parse_hex(q, end, tag, 2) || end - q < 5)
		return false;
	q += 5;
	if (!parse_hex(q, end, e->mac, MAC_LEN) || q + 2 * MAC_LEN != end)
		return false;
	e->len = (uint32_t)len;
	e->tag = (uint16_t)(tag[0] << 8 | tag[1]);
	return true;
}

struct secrets *secrets_parse(const char *shown, const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	struct secrets *s = NULL;
	size_t lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct entry e;

		lineno++;
		if (!nl) {
			errset("%s:%zu: the last line has no newline (a torn write?)", shown, lineno);
			goto fail;
		}
		if (!s) {
			uint8_t key[KEY_LEN];
			size_t m = sizeof MAGIC - 1;
			if ((size_t)(nl - p) != m + 2 * KEY_LEN || memcmp(p, MAGIC, m) ||
			    !parse_hex(p + m, nl, key, KEY_LEN)) {
				errset("%s:%zu: not a known-secrets file (want \"%s<64 hex digits>\")", shown,
				       lineno, MAGIC);
				return NULL;
			}
			s = secrets_with_key(key);
			OPENSSL_cleanse(key, sizeof key);
			if (!s)
				return NULL;
		} else if (!parse_entry(p, nl, &e)) {
			errset("%s:%zu: want \"<length %d-%d> <4 hex digits> <64 hex digits>\"", shown, lineno,
			       SECRETS_MIN_LEN, SECRETS_MAX_LEN);
			goto fail;
		} else if (push_entry(s, &e)) {
			errset("%s:%zu: the same secret twice", shown, lineno);
			goto fail;
		}
		p = nl + 1;
	}
	if (!s)
		errset("%s: empty: not a known-secrets file", shown);
	return s;
fail:
	secrets_free(s);
	return NULL;
}

/* ---- the file ---- */

/* the directory of path, as a descriptor, when root or we own it and no one else can write it; *name the file's name */
static int open_dir(const char *path, bool create, char **name)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == path ? xstrdup("/") : slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	struct stat st;
	int dfd;

	*name = xstrdup(slash ? slash + 1 : path);
	if (create && mkdir(dir, 0755) < 0 && errno != EEXIST) {
		errset_sys("%s", dir);
		dfd = -1;
	} else if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fstat(dfd, &st) < 0) {
		errset_sys("%s", dir);
	} else if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022)) {
		errset("%s: owned by uid %lu, mode %04o: only root may write the directory of known secrets",
		       dir, (unsigned long)st.st_uid, (unsigned)(st.st_mode & 07777));
	} else {
		free(dir);
		return dfd;
	}
	if (dfd >= 0)
		close(dfd);
	free(dir);
	free(*name);
	*name = NULL;
	return -1;
}

int secrets_load(const char *path, struct secrets **out)
{
	char *name;
	int dfd = open_dir(path, false, &name), fd;
	struct buf b = BUF_INIT;
	struct stat st;
	int saved = EINVAL;

	*out = NULL;
	if (dfd < 0)
		return errno == ENOENT ? 1 : -1;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	free(name);
	close(dfd);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		errset_sys("%s", path);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		saved = errno;
		errset_sys("%s", path);
	} else if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || (st.st_uid != 0 && st.st_uid != geteuid()) ||
		   (st.st_mode & 077)) {
		errset("%s: owned by uid %lu, mode %04o, %lu links: known secrets must be one regular file "
		       "readable by root alone (chmod 600)", path, (unsigned long)st.st_uid,
		       (unsigned)(st.st_mode & 07777), (unsigned long)st.st_nlink);
	} else if (fs_read_fd(fd, &b, 64 << 20) < 0) {
		saved = errno;
		errset_sys("%s", path);
	} else {
		*out = secrets_parse(path, b.data ? b.data : "", b.len);
	}
	close(fd);
	if (b.data)
		OPENSSL_cleanse(b.data, b.cap);
	buf_release(&b);
	if (!*out)
		errno = saved;
	return *out ? 0 : -1;
}

int secrets_save(const struct secrets *s, const char *path)
{
	char *name;
	int dfd = open_dir(path, true, &name), rc;
	struct buf b = BUF_INIT;

	if (dfd < 0)
		return -1;
	close(dfd);
	free(name);
	secrets_encode(s, &b);
	rc = fs_write_atomic(path, b.data, b.len, 0600);
	if (b.data)
		OPENSSL_cleanse(b.data, b.cap);
	buf_release(&b);
	return rc;
}

/* ---- the matcher ---- */

/*
 * A matcher's own copy of the keyed HMAC, made on its first tag hit: s
 * itself is only read, so threads (the baseline's pool) share it.
 */
struct matcher {
	const struct secrets *s;
	EVP_MAC_CTX *ctx;
};

/* the longest secret that starts at text[i] and overlaps no marker; 0 when none */
static size_t match_at(struct matcher *mt, const char *text, size_t len, size_t i)
{
	const struct secrets *s = mt->s;

	for (size_t p = PREFIX_MAX; p >= SECRETS_MIN_LEN; p--) {
		uint32_t k;
		if (!s->head[p] || len - i < p)
			continue;
		k = s->head[p][(uint16_t)siphash24(s->sipkey, text + i, p)];
		for (; k != NONE; k = s->next[k]) {
			const struct entry *e = &s->v[k];
			uint8_t mac[MAC_LEN];
			size_t span;
			const char *m;
			if (e->len > len - i)
				continue;
			if (!mt->ctx)
				mt->ctx = EVP_MAC_CTX_dup(s->mac);
			if (mac_with(mt->ctx, text + i, e->len, mac) < 0 ||
			    CRYPTO_memcmp(mac, e->mac, MAC_LEN))
				continue;
			/* a marker that starts inside the window stays whole (stable output) */
			span = len - i < e->len + MARKER_LEN - 1 ? len - i : e->len + MARKER_LEN - 1;
			m = memmem(text + i, span, MARKER, MARKER_LEN);
			if (m && (size_t)(m - (text + i)) < e->len)
				continue;
			return e->len;
		}
	}
	return 0;
}

/* replace each known value in text by the marker (out NULL: stop at the first); how many */
static size_t scan(const struct secrets *s, const char *text, size_t len, struct buf *out)
{
	struct matcher mt = { .s = s };
	size_t i = 0, from = 0, count = 0;

	while (s && s->n && i + SECRETS_MIN_LEN <= len) {
		size_t n;
		if (text[i] == '[' && len - i >= MARKER_LEN && !memcmp(text + i, MARKER, MARKER_LEN)) {
			i += MARKER_LEN;
			continue;
		}
		n = match_at(&mt, text, len, i);
		if (!n) {
			i++;
			continue;
		}
		count++;
		if (!out)
			break;
		buf_add(out, text + from, i - from);
		buf_adds(out, MARKER);
		i += n;
		from = i;
	}
	if (out)
		buf_add(out, text + from, len - from);
	EVP_MAC_CTX_free(mt.ctx);
	return count;
}

size_t secrets_redact(const struct secrets *s, const char *text, size_t len, struct buf *out)
{
	return scan(s, text, len, out);
}

bool secrets_holds(const struct secrets *s, const char *text, size_t len)
{
	return scan(s, text, len, NULL) > 0;
}

/* ---- records ---- */

static bool common_field(const char *key)
{
	static const char *const keys[] = { "v", "kind", "time", "host", "admin", "account",
					     "session", "seq", "prev", "import_id" };

	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		if (!strcmp(key, keys[i]))
			return true;
	return false;
}

/* a JSON string of nested data (always UTF-8): a match cut inside a character becomes U+FFFD */
static size_t redact_json_string(const struct secrets *s, json_t *str, json_t **repl)
{
	struct buf out = BUF_INIT, lossy = BUF_INIT;
	size_t n = secrets_redact(s, json_string_value(str), json_string_length(str), &out);

	*repl = NULL;
	if (n) {
		rec_lossy(&lossy, out.data, out.len);
		*repl = json_stringn_nocheck(lossy.data ? lossy.data : "", lossy.len);
	}
	buf_release(&out);
	buf_release(&lossy);
	return n;
}

static size_t redact_json(const struct secrets *s, json_t *v)
{
	size_t count = 0, i;
	const char *key;
	json_t *item, *repl;

	if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			if (json_is_string(item)) {
				count += redact_json_string(s, item, &repl);
				if (repl)
					json_array_set_new(v, i, repl);
			} else {
				count += redact_json(s, item);
			}
		}
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, item) {
			if (json_is_string(item)) {
				count += redact_json_string(s, item, &repl);
				if (repl)
					json_object_set_new(v, key, repl);	/* replaces the value in place */
			} else {
				count += redact_json(s, item);
			}
		}
	}
	return count;
}

size_t secrets_redact_record(const struct secrets *s, struct record *r)
{
	const char **keys;
	size_t nkeys = 0, count = 0;
	const char *key;
	json_t *v;
	int64_t before;

	if (!s || s->n == 0 || !strcmp(r->kind, "sign"))
		return 0;
	/* rec_set_text adds and removes "<key>_b64": walk a copy of the names */
	keys = xcalloc(json_object_size(rec_obj(r)) + 1, sizeof *keys);
	json_object_foreach(rec_obj(r), key, v)
		keys[nkeys++] = key;
	for (size_t i = 0; i < nkeys; i++) {
		size_t klen = strlen(keys[i]);
		char *name;
		if (common_field(keys[i]) || (klen > 4 && !strcmp(keys[i] + klen - 4, "_b64")))
			continue;
		name = xstrdup(keys[i]);
		v = rec_get_json(r, name);
		if (json_is_string(v)) {
			struct buf text = BUF_INIT, out = BUF_INIT;
			size_t n;
			/* the exact bytes, from "<key>_b64" when the text is not UTF-8 */
			if (rec_get_text(r, name, &text) < 0)
				buf_add(&text, json_string_value(v), json_string_length(v));
			n = secrets_redact(s, text.data ? text.data : "", text.len, &out);
			if (n)
				rec_set_text(r, name, out.data, out.len);
			count += n;
			buf_release(&text);
			buf_release(&out);
		} else {
			count += redact_json(s, v);
		}
		free(name);
	}
	free(keys);
	if (count)
		rec_set_int(r, "redacted", (rec_get_int(r, "redacted", &before) ? before : 0) + (int64_t)count);
	return count;
}

/* ---- this process's secrets ---- */

static struct {
	enum secrets_state state;
	const struct secrets *s;
	struct secrets *owned;
	char *error;
	bool done;
} proc;

const char *secrets_path(void)
{
	const char *env = getenv("LOGBOOK_SECRETS");

	if (env && *env && getuid() == geteuid() && getgid() == getegid())
		return env;
	return SECRETS_PATH;
}

enum secrets_state secrets_process_init(void)
{
	int rc;

	if (proc.done)
		return proc.state;
	proc.done = true;
	rc = secrets_load(secrets_path(), &proc.owned);
	if (rc == 1) {
		proc.state = SECRETS_NONE;
	} else if (rc == 0) {
		proc.state = SECRETS_LOADED;
		proc.s = proc.owned;
	} else {
		proc.state = errno == EACCES && geteuid() != 0 ? SECRETS_UNREADABLE : SECRETS_BROKEN;
		proc.error = xstrdup(errget());
	}
	return proc.state;
}

enum secrets_state secrets_process_state(void)
{
	return proc.state;
}

const struct secrets *secrets_process(void)
{
	return proc.state == SECRETS_LOADED ? proc.s : NULL;
}

const char *secrets_process_error(void)
{
	return proc.error ? proc.error : "";
}

void secrets_process_set(const struct secrets *s)
{
	proc.done = true;
	proc.state = s ? SECRETS_LOADED : SECRETS_NONE;
	proc.s = s;
}

int secrets_process_fd(void)
{
	struct buf b = BUF_INIT;
	int fd;

	if (proc.state != SECRETS_LOADED)
		return -1;
	/* a file in memory only, never on a disk, closed with the helper */
	fd = memfd_create("logbook-secrets", 0);
	if (fd < 0) {
		errset_sys("known secrets: memfd_create");
		return -1;
	}
	secrets_encode(proc.s, &b);
	if (fs_write_all(fd, b.data, b.len) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		errset_sys("known secrets: memfd");
		close(fd);
		fd = -1;
	}
	OPENSSL_cleanse(b.data, b.cap);
	buf_release(&b);
	return fd;
}

enum secrets_state secrets_process_from_fd(int fd)
{
	struct buf b = BUF_INIT;

	proc.done = true;
	if (fs_read_fd(fd, &b, 64 << 20) < 0) {
		errset_sys("known secrets from descriptor %d", fd);
	} else if ((proc.owned = secrets_parse("known secrets", b.data ? b.data : "", b.len))) {
		proc.s = proc.owned;
		proc.state = SECRETS_LOADED;
	}
	if (proc.state != SECRETS_LOADED) {
		proc.state = SECRETS_BROKEN;
		proc.error = xstrdup(errget());
	}
	close(fd);
	if (b.data)
		OPENSSL_cleanse(b.data, b.cap);
	buf_release(&b);
	return proc.state;
}
