/*
 * index_search (index.h): which way answers a query.  A text that the
 * trigram index narrows enough is looked up there; other text is looked
 * for by the scan of index.text, or of the database's rows when that
 * file is not in step; a query without text reads the rows.  The record
 * files answer when the index is not usable, or when it failed before
 * anything was reported.
 *
 * Every way gives the same answer: each decides a match by index_find on
 * the same text.  index_last_used and index_last_method say which one
 * answered the last query.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <sqlite3.h>

#include "view/index-int.h"
#include "view/index.h"
#include "base/banned.h"

bool index_last_used;
const char *index_last_method;

/*
 * Whether the trigram index narrows q->text enough: every candidate
 * costs a row fetch and a sort, about a microsecond, where the scan of
 * index.text costs a few nanoseconds per record.  The rarest trigram's
 * document count bounds the candidates (detail=none keeps no positions).
 * Each trigram's documents are counted only up to the bound (FTS5's
 * vocabulary table would read a common trigram's whole list: a second
 * for "systemctl" in 10M records).
 */
static bool trigram_selective(sqlite3 *db, const char *text)
{
	sqlite3_stmt *st = NULL, *rows = NULL;
	int64_t least = INT64_MAX, total = 0, bound;
	const char *p = text;
	size_t n = index_count_chars(text);

	if (sqlite3_prepare_v2(db, "SELECT max(id) FROM recs", -1, &rows, NULL) == SQLITE_OK &&
	    sqlite3_step(rows) == SQLITE_ROW)
		total = sqlite3_column_int64(rows, 0);
	sqlite3_finalize(rows);
	bound = total / INDEX_SCAN_SHARE;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM (SELECT rowid FROM fts WHERE fts MATCH ?1 LIMIT ?2)", -1, &st,
			       NULL) != SQLITE_OK)
		return true;
	for (size_t i = 0; i + 3 <= n; i++) {
		const char *q = p;
		char tri[32];
		size_t len = 0;
		/* one trigram as an FTS5 string: quoted, its quotes doubled */
		tri[len++] = '"';
		for (int k = 0; k < 3; k++) {
			size_t cl = index_char_len(q);
			for (size_t c = 0; c < cl && len + 3 < sizeof tri; c++) {
				if (q[c] == '"')
					tri[len++] = '"';
				tri[len++] = q[c];
			}
			q += cl;
		}
		tri[len++] = '"';
		tri[len] = '\0';
		sqlite3_bind_text(st, 1, tri, (int)len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, bound + 1);
		if (sqlite3_step(st) == SQLITE_ROW) {
			int64_t doc = sqlite3_column_int64(st, 0);
			if (doc < least)
				least = doc;
		} else {
			least = 0;	/* cannot be counted: the trigram index decides, the text checks */
		}
		sqlite3_reset(st);
		/* one rare trigram is enough to say so */
		if (least <= bound)
			break;
		p += index_char_len(p);
	}
	sqlite3_finalize(st);
	return least <= bound;
}

/* a hit formatted here, then emitted: the ways that hand hits on one by one */
struct serial {
	const struct index_sink *sink;
	struct buf text;
};

static int serial_hit(const struct index_hit *h, void *arg)
{
	struct serial *s = arg;

	buf_reset(&s->text);
	s->sink->fmt(h, &s->text, s->sink->fmt_arg);
	return s->sink->emit(h, buf_str(&s->text), s->text.len, s->sink->arg);
}

static int search(struct journal *j, const struct index_query *q, const struct index_sink *sink)
{
	sqlite3 *db = index_db_of(j);
	struct serial ser = { .sink = sink, .text = BUF_INIT };
	index_hit_fn fn = sink->fmt ? serial_hit : sink->fn;
	void *arg = sink->fmt ? (void *)&ser : sink->arg;
	int rc = 1;

	index_last_used = false;
	index_last_method = "files";
	if (q->method != INDEX_FILES && db) {
		size_t emitted = 0;
		bool text = q->text && *q->text;
		/* trigrams need three characters, and pay off only when they narrow */
		bool by_fts = text && q->method != INDEX_TEXT && index_count_chars(q->text) >= 3 &&
			      (q->method == INDEX_TRIGRAM || trigram_selective(db, q->text));
		index_last_used = true;
		if (text && !by_fts) {
			index_last_method = "text";
			rc = index_text_search(db, j, q, sink, &emitted);
		}
		if (rc == 1) {
			index_last_method = by_fts ? "trigram" : "rows";
			rc = index_db_search(db, j, q, by_fts, fn, arg, &emitted);
		}
		if (rc != 0 && emitted)
			rc = -1;
		if (rc != 0 && !emitted) {
			/* a query the index could not answer (damaged since): the files can */
			index_last_used = false;
			index_last_method = "files";
			rc = 1;
		}
	}
	if (rc == 1)
		rc = index_scan(j, q, fn, arg);
	buf_release(&ser.text);
	return rc;
}

int index_search(struct journal *j, const struct index_query *q, index_hit_fn fn, void *arg)
{
	struct index_sink sink = { .fn = fn, .arg = arg };

	return search(j, q, &sink);
}

int index_search_format(struct journal *j, const struct index_query *q, index_format_fn fmt, const void *fmt_arg,
			index_emit_fn emit, void *arg)
{
	struct index_sink sink = { .arg = arg, .fmt = fmt, .fmt_arg = fmt_arg, .emit = emit };

	return search(j, q, &sink);
}
