/*
 * The search index (index.h): its entry points, the text a query
 * searches, and the update, one transaction that ties the pieces
 * together:
 *
 *   index.c         index_record_text, index_find, index_update,
 *                   index_close, index_position
 *   index-db.c      .state/index.sqlite: its tables, opening it, and the
 *                   queries answered from its rows and its FTS5 index
 *   index-text.c    .state/index.text, the flat copy of the rows' text
 *   index-scan.c    the record files: what may have changed, reading what
 *                   was appended, index_scan, and a hit's stored line
 *   index-choose.c  index_search: which of those answers a query
 *   index-int.h     what they share
 *
 * An update changes the database in one SQLite transaction (a failed one
 * leaves the index as it was) and one found damaged is built again from
 * nothing.  Queries use only the database the last successful update
 * left open, and only for the journal it was opened for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "view/index-int.h"
#include "view/index.h"
#include "view/page.h"
#include "base/banned.h"

/* the database index_update left usable, for index_search in the same process */
static sqlite3 *open_db;
static struct journal *open_journal;

static const char *const text_fields[] = { "cmd", "text", "path", "summary", "diff", "message" };
/* the fields of an event's "mail" object that are searched too */
static const char *const mail_fields[] = { "subject", "from" };

/* true when one of r's text fields holds bytes that are not UTF-8 */
bool index_has_exact(const struct record *r)
{
	for (size_t i = 0; i < sizeof text_fields / sizeof *text_fields; i++) {
		char key[32];
		snprintf(key, sizeof key, "%s_b64", text_fields[i]);
		if (rec_get_json(r, key))
			return true;
	}
	return false;
}

void index_record_text(const struct record *r, struct buf *out, bool exact)
{
	json_t *mail = rec_get_json(r, "mail");
	bool first = true;

	for (size_t i = 0; i < sizeof text_fields / sizeof *text_fields; i++) {
		size_t before = out->len;
		if (!first)
			buf_addc(out, '\n');
		if (exact) {
			if (rec_get_text(r, text_fields[i], out) < 0) {
				buf_truncate(out, before);
				continue;
			}
		} else {
			size_t len;
			const char *s = rec_get_str(r, text_fields[i], &len);
			if (!s) {
				buf_truncate(out, before);
				continue;
			}
			buf_add(out, s, len);
		}
		first = false;
	}
	/* a package run: its line and the packages it changed (an inventory's thousand names are not searched) */
	if (!strcmp(r->kind, "package")) {
		struct buf line = BUF_INIT, details = BUF_INIT;
		page_package_summary(r, &line, &details);
		if (!first)
			buf_addc(out, '\n');
		buf_add(out, line.data ? line.data : "", line.len);
		buf_addc(out, '\n');
		buf_add(out, details.data ? details.data : "", details.len);
		buf_release(&line);
		buf_release(&details);
		first = false;
	}
	for (size_t i = 0; json_is_object(mail) && i < sizeof mail_fields / sizeof *mail_fields; i++) {
		json_t *v = json_object_get(mail, mail_fields[i]);
		if (!json_is_string(v))
			continue;
		if (!first)
			buf_addc(out, '\n');
		buf_add(out, json_string_value(v), json_string_length(v));
		first = false;
	}
}

unsigned char index_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

long index_find(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	unsigned char f0, f1;

	if (nlen == 0)
		return 0;
	if (nlen > hlen)
		return -1;
	f0 = index_lower((unsigned char)needle[0]);
	f1 = f0 >= 'a' && f0 <= 'z' ? (unsigned char)(f0 - 'a' + 'A') : f0;
	for (size_t i = 0; i + nlen <= hlen;) {
		/* jump to the next candidate first byte, either case */
		const char *p0 = memchr(hay + i, f0, hlen - nlen + 1 - i);
		const char *p1 = f1 != f0 ? memchr(hay + i, f1, hlen - nlen + 1 - i) : NULL;
		const char *p = !p0 ? p1 : !p1 ? p0 : p0 < p1 ? p0 : p1;
		size_t k;
		if (!p)
			return -1;
		i = (size_t)(p - hay);
		for (k = 1; k < nlen && index_lower((unsigned char)hay[i + k]) == index_lower((unsigned char)needle[k]);
		     k++)
			;
		if (k == nlen)
			return (long)i;
		i++;
	}
	return -1;
}

/* the length of the UTF-8 character at p (1 for a stray byte) */
size_t index_char_len(const char *p)
{
	size_t n = 1;

	while (((unsigned char)p[n] & 0xc0) == 0x80 && n < 4)
		n++;
	return n;
}

size_t index_count_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s += index_char_len(s))
		n++;
	return n;
}

static int run_update(struct updater *u)
{
	char fp[REC_HASH_LEN + 1], old[REC_HASH_LEN + 1], last[32];
	struct buf years = BUF_INIT;
	long long t = 0;
	int64_t now = day_now_us();
	bool racy;
	int rc = -1;

	/*
	 * The cheap look first, without taking the write lock; taken before
	 * the walk, so that a write during the walk changes it again.  Once
	 * an hour every file is looked at, whatever the marks say: a record
	 * file edited by hand, outside any writer, is seen within the hour;
	 * every year directory is listed then, whatever the last update noted.
	 */
	if (index_meta_get(u->db, "full", last, sizeof last) == 0)
		t = atoll(last);
	u->full = now - t > INDEX_FULL_EVERY || now < t;
	if (!u->full)
		index_meta_get_buf(u->db, "years", &years);
	index_fingerprint(u->j, u->full ? NULL : buf_str(&years), fp, &racy, &u->marks);
	buf_release(&years);
	if (!racy && !u->full && index_meta_get(u->db, "fingerprint", old, sizeof old) == 0 && !strcmp(fp, old) &&
	    index_text_current(u->db, u->j)) {
		index_marks_free(&u->marks);
		return 0;
	}
	if (sqlite3_exec(u->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		index_marks_free(&u->marks);
		return index_db_err(u->db, "begin");
	}
	snprintf(last, sizeof last, "%lld", (long long)now);
	if (u->full && index_meta_set(u, "full", last) < 0)
		goto out;
	/* building FTS5 row by row costs ~20 times its 'rebuild' (measured on 200,000 records) */
	if (u->bulk && sqlite3_exec(u->db, "DROP TRIGGER recs_ai", NULL, NULL, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		index_db_err(u->db, "update");
		goto out;
	}
	if (index_load_marks(u) < 0 ||
	    index_load_known(u, "SELECT 0, path, mtime, inode, 0 FROM dirs ORDER BY path", NULL, NULL, &u->dirs,
			     &u->ndirs) < 0 ||
	    index_prepare(u, "INSERT OR REPLACE INTO dirs(path, inode, mtime) VALUES (?1, ?2, ?3)", &u->set_dir) < 0 ||
	    index_prepare(u, "DELETE FROM dirs WHERE path = ?1", &u->drop_dir) < 0 ||
	    index_prepare(u, "INSERT INTO files(path, size, inode, lines) VALUES (?1, 0, ?2, 0)", &u->add_file) < 0 ||
	    index_prepare(u, "UPDATE files SET size = ?1, inode = ?2, lines = ?3 WHERE id = ?4", &u->set_file) < 0 ||
	    index_prepare(u, "DELETE FROM recs WHERE file = ?1", &u->drop_recs) < 0 ||
	    index_prepare(u, "DELETE FROM files WHERE id = ?1", &u->drop_file) < 0 ||
	    index_prepare(u, "INSERT INTO recs(time, host, seq, day, kind, admin, file, line, off, len, exact, body)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", &u->add_rec) < 0 ||
	    index_account_hosts(u) < 0)
		goto out;
	if (!u->lazy) {
		/* every file is looked at: which hosts have files is found again */
		for (size_t i = 0; i < u->nfile_hosts; i++)
			free(u->file_hosts[i]);
		u->nfile_hosts = 0;
		if (index_load_known(u, "SELECT id, path, size, inode, lines FROM files", NULL, NULL, &u->known,
				     &u->nknown) < 0)
			goto out;
	}
	if (index_walk_update(u) != 0)
		goto out;
	for (size_t i = 0; i < u->ndirs; i++) {
		if (u->dirs[i].seen)
			continue;
		if (u->lazy && index_drop_dir(u, u->dirs[i].path) < 0)
			goto out;
		sqlite3_bind_text(u->drop_dir, 1, u->dirs[i].path, -1, SQLITE_STATIC);
		if (index_step_done(u, u->drop_dir) < 0)
			goto out;
	}
	/* files that went away take their records with them */
	if (!u->lazy && index_drop_unseen(u, u->known, u->nknown) < 0)
		goto out;
	/*
	 * One segment, at the top level: the crisis merges of later updates
	 * then merge small segments with small ones (merging into the build's
	 * segments took 1.4 s of one update out of twenty on 2M records).
	 */
	if (u->bulk && sqlite3_exec(u->db, "INSERT INTO fts(fts) VALUES ('rebuild');"
					   "INSERT INTO fts(fts) VALUES ('optimize');" INDEX_TRIGGER_AI,
				    NULL, NULL, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		index_db_err(u->db, "update");
		goto out;
	}
	if (index_store_marks(u) < 0 || index_set_fingerprint(u, racy ? NULL : fp) < 0)
		goto out;
	/* a text cache that cannot be written is not needed: queries use recs */
	if (index_text_sync(u) < 0)
		index_meta_set(u, "text_token", "");
	rc = 0;
out:
	sqlite3_finalize(u->add_file);
	sqlite3_finalize(u->set_file);
	sqlite3_finalize(u->drop_recs);
	sqlite3_finalize(u->drop_file);
	sqlite3_finalize(u->add_rec);
	sqlite3_finalize(u->set_dir);
	sqlite3_finalize(u->drop_dir);
	u->add_file = u->set_file = u->drop_recs = u->drop_file = u->add_rec = u->set_dir = u->drop_dir = NULL;
	index_free_known(&u->known, &u->nknown);
	index_free_known(&u->dirs, &u->ndirs);
	for (size_t i = 0; i < u->nfile_hosts; i++)
		free(u->file_hosts[i]);
	free(u->file_hosts);
	u->file_hosts = NULL;
	u->nfile_hosts = 0;
	index_marks_free(&u->marks);
	if (rc == 0 && sqlite3_exec(u->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		rc = index_db_err(u->db, "commit");
	}
	if (rc < 0)
		sqlite3_exec(u->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int index_update(struct journal *j, struct index_stats *st)
{
	struct index_stats dummy;
	char *state, *path;
	int rc = -1;

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof *st);
	if (open_db) {
		sqlite3_close(open_db);
		open_db = NULL;
		open_journal = NULL;
	}
	state = journal_path(j, JOURNAL_STATE);
	path = journal_path(j, INDEX_FILE);
	if ((!fs_is_dir(state) && journal_mkdirs(j, JOURNAL_STATE) < 0) || access(state, W_OK) != 0) {
		errset("index: %s: not writable", state);
		goto out;
	}
	for (int attempt = 0; attempt < 2 && rc < 0; attempt++) {
		struct updater u = { .j = j, .st = st };
		bool created = false;
		if (!(u.db = index_db_open(j, path, &created)))
			break;
		st->rebuilt = st->rebuilt || created;
		u.bulk = created;
		if (run_update(&u) == 0) {
			open_db = u.db;
			open_journal = j;
			rc = 0;
			break;
		}
		sqlite3_close(u.db);
		if (!index_db_damaged(u.rc))
			break;
		/* damage found on the way: start again from nothing */
		index_db_remove(path);
		memset(st, 0, sizeof *st);
	}
out:
	free(state);
	free(path);
	return rc;
}

void index_close(void)
{
	sqlite3_close(open_db);
	open_db = NULL;
	open_journal = NULL;
}

sqlite3 *index_db_of(const struct journal *j)
{
	return open_journal == j ? open_db : NULL;
}

int index_position(struct index_position *pos)
{
	sqlite3_stmt *st = NULL;

	memset(pos, 0, sizeof *pos);
	if (!open_db)
		return -1;
	if (index_meta_get(open_db, "generation", pos->generation, sizeof pos->generation) < 0)
		return -1;
	if (sqlite3_prepare_v2(open_db, "SELECT max(id) FROM recs", -1, &st, NULL) != SQLITE_OK)
		return index_db_err(open_db, "position");
	if (sqlite3_step(st) == SQLITE_ROW)
		pos->last_id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}
