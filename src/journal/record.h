/*
 * The record format, version 1 (docs/format.md is the full specification).
 * A record is one JSON object on one line:
 *
 *   {"v":1,"kind":"note","time":"2026-11-24T19:14:03.123456Z","host":"web1",
 *    "admin":"alice","account":"root","session":"...","seq":42,
 *    "prev":"<sha-256 hex of the line this host wrote before>","text":"..."}
 *
 * This module builds records, encodes them to a line, parses and checks a
 * line, and hashes lines for the chain.  It never touches files: the store
 * assigns seq and prev and writes; views decide how a record looks.
 *
 * Text fields hold bytes, not necessarily UTF-8: rec_set_text stores bytes
 * that are not valid UTF-8 as a readable copy (each bad byte as U+FFFD) in
 * the field itself plus the exact bytes in base64 under "<field>_b64";
 * rec_get_text gives back the exact bytes either way.
 */
#ifndef LOGBOOK_RECORD_H
#define LOGBOOK_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define REC_VERSION 1
#define REC_HASH_LEN 64		/* hex SHA-256 */
#define REC_DIGEST_LEN 32	/* the same, in bytes */

struct rec_light;

struct record {
	/*
	 * The JSON object, owned; read it through rec_obj() or
	 * rec_get_json(): a record read by rec_parse_light has none until
	 * one of them is called.
	 */
	json_t *tree;
	struct rec_light *light;	/* rec_parse_light's fields, shared with rec_dup's copies; NULL otherwise */
	/* the common fields; strings point into tree or light */
	const char *kind;
	int64_t time;		/* microseconds since the epoch, UTC */
	const char *host;
	const char *admin;
	const char *account;
	const char *session;
	int64_t seq;		/* 1, 2, ... per host, in the order written */
	const char *prev;	/* REC_HASH_LEN hex digits */
	/* where the record was read from (NULL for a new record) */
	char *line;		/* the line as stored, without the newline */
	size_t line_len;
	const char *path;	/* not owned */
	size_t lineno;
};

/* a new record of kind with the common fields; seq and prev are the store's */
struct record *rec_new(const char *kind, int64_t time, const char *host,
		       const char *admin, const char *account, const char *session);
void rec_free(struct record *r);
/* another handle on r: the same JSON object or fields (counted, never changed through it), path and lineno; no line */
struct record *rec_dup(const struct record *r);

/* set a text field to len bytes of any value (see above) */
void rec_set_text(struct record *r, const char *key, const char *data, size_t len);
void rec_set_int(struct record *r, const char *key, int64_t v);
/* set a field to any JSON value (arrays, objects); takes the reference to v */
void rec_set_json(struct record *r, const char *key, json_t *v);
/* set by the store just before writing */
void rec_set_chain(struct record *r, int64_t seq, const char *prev);

/* the exact bytes of a text field; -1 when absent or not text */
int rec_get_text(const struct record *r, const char *key, struct buf *out);
/* a string field as stored (readable, may contain U+FFFD); NULL when absent */
const char *rec_get_str(const struct record *r, const char *key, size_t *len);
/* an integer field; false when absent */
bool rec_get_int(const struct record *r, const char *key, int64_t *v);
/* a field as JSON (for objects and arrays); NULL when absent; lives as long as r */
json_t *rec_get_json(const struct record *r, const char *key);
/*
 * The record's JSON object, made from the line on the first call for a
 * record read by rec_parse_light (so two threads must not call it on
 * one record at once); lives as long as r.
 */
json_t *rec_obj(const struct record *r);

/* the record as one line of JSON, without newline; -1 on failure */
int rec_encode(const struct record *r, struct buf *out);
/*
 * Parse and check one line.  NULL and errget() = why on failure (the
 * caller adds file and line).  keep_line: copy the line into r->line.
 */
struct record *rec_parse(const char *line, size_t len, bool keep_line);
/*
 * The same, with the same result and message, for readers of many
 * records that need few of their fields: a line record-scan.h accepts
 * (what logbook writes) is read without a JSON tree, its top-level
 * fields kept for the rec_get_ functions; any other goes to rec_parse.
 */
struct record *rec_parse_light(const char *line, size_t len, bool keep_line);

/* hex SHA-256 of a line (without its newline), the "prev" of the next record */
void rec_hash(const char *line, size_t len, char out[REC_HASH_LEN + 1]);
/* the same SHA-256 in bytes */
void rec_digest(const char *line, size_t len, unsigned char out[REC_DIGEST_LEN]);
/* the "prev" of a host's first record */
extern const char rec_genesis[REC_HASH_LEN + 1];

/* valid UTF-8 copy of any bytes, each invalid byte as U+FFFD */
void rec_lossy(struct buf *out, const char *data, size_t len);

#endif
