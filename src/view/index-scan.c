/*
 * The search index's reading of the record files (index.h), laid out as
 * journal/store.h names them: the fingerprint and the hosts' marks that
 * say whether any file may have changed since the last update, the
 * update's walk that indexes only what was appended, index_scan that
 * answers a query from the files alone, and the open files that give a
 * hit its stored line.
 *
 * Years, days and record files are told apart by the store's functions,
 * never by offsets into their names.  Only complete lines are indexed (a
 * torn last line is read again next time), and an unreadable file has no
 * records, for the update and for index_scan alike.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "journal/store.h"
#include "view/index-int.h"
#include "view/index.h"
#include "base/banned.h"

/* ---- walking the record files ---- */

typedef int (*walk_fn)(const char *rel, const char *day, const char *host, void *arg);

/* the names in a directory that keep accepts (fs_list_dir), sorted; none when it cannot be read */
static char **list_dir(const char *path, bool (*keep)(const char *name, const void *arg), const void *arg,
		       size_t *n)
{
	char **v;

	if (fs_list_dir(path, keep, arg, false, &v, n) < 0) {
		*n = 0;
		return NULL;
	}
	return v;
}

/* every record file, in day and host order; days outside [since, until] are skipped */
static int walk_files(struct journal *j, const char *since, const char *until, walk_fn fn, void *arg)
{
	size_t ny, nd, nf;
	char **years = list_dir(j->dir, store_is_year, NULL, &ny);
	int rc = 0;

	for (size_t y = 0; y < ny && !rc; y++) {
		char *ypath = fs_join(j->dir, years[y]);
		char **days = list_dir(ypath, store_is_day_of, years[y], &nd);
		for (size_t d = 0; d < nd && !rc; d++) {
			char *dpath;
			char **files;
			if ((since && strcmp(days[d], since) < 0) || (until && strcmp(days[d], until) > 0))
				continue;
			dpath = fs_join(ypath, days[d]);
			files = list_dir(dpath, NULL, NULL, &nf);
			for (size_t f = 0; f < nf && !rc; f++) {
				char host[STORE_HOST_MAX + 1], *rel;
				if (!store_file_host(files[f], host))
					continue;
				rel = store_file_rel(days[d], host);
				rc = fn(rel, days[d], host, arg);
				free(rel);
			}
			fs_free_names(files, nf);
			free(dpath);
		}
		fs_free_names(days, nd);
		free(ypath);
	}
	fs_free_names(years, ny);
	return rc;
}

/* ---- what may have changed: the fingerprint and the hosts' marks ---- */

/*
 * The journal's fingerprint: what changes whenever a record file may
 * have changed, read without opening the ~10,000 record files of a few
 * years (stat-ing them all costs ~25 ms; rg reads them all in ~100 ms).
 * Every writer rewrites its host's chain head in .state/chain/ when it
 * commits (the store); sync moves refs/logbook/written/<host> after
 * writing a host's files (replica.c); a file added, removed or replaced
 * by any other means (a restore, an editor) changes its directory's
 * mtime.  The head and ref files are hashed by content; directories by
 * name, inode and mtime, as bytes (formatting them as text cost ~1 ms of
 * a search at 3,650 days), and since file times are coarse (two changes
 * within one clock tick look alike), a directory changed in the last 2
 * seconds makes the fingerprint racy: it is then not kept, and the next
 * update walks the files again.  Appending to a record file by hand,
 * outside the store, is not seen until the next write: docs/format.md
 * says only the host's writer appends.
 */
static void add_stat(struct buf *b, const char *name, const struct stat *st, int64_t now, bool *racy)
{
	int64_t v[3] = { (int64_t)st->st_ino, (int64_t)st->st_mtim.tv_sec, st->st_mtim.tv_nsec };

	buf_add(b, name, strlen(name) + 1);
	buf_add(b, v, sizeof v);
	if (now - (v[1] * 1000000 + v[2] / 1000) < 2000000)
		*racy = true;
}

/*
 * A year directory's names, as the last update listed them: a line
 * "YYYY <inode> <mtime> <ctime> <name> <name>..." of meta "years" per
 * year directory (index_store_marks).  A directory whose inode, mtime and
 * ctime are the same still holds the same names (creating, removing or
 * renaming an entry sets the last two), so they need not be listed
 * again, only stat-ed: listing the 10 year directories of 3,650 days
 * cost ~1 ms of a search.  The ctime is what tells a day directory
 * restored by rsync -a or tar, which set the year's mtime back: no
 * program can set a ctime.  A directory whose mtime or ctime is within
 * the clock tick (2 seconds, as for the fingerprint) is not noted.
 */
static void year_identity(char *out, size_t size, const struct stat *st)
{
	snprintf(out, size, "%llu %lld.%09ld %lld.%09ld", (unsigned long long)st->st_ino,
		 (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

/* the names of year in known (" name name..."), when its identity there is the one given */
static bool year_known(const char *known, const char *year, const char *identity, const char **names, size_t *len)
{
	size_t ylen = strlen(year), ilen = strlen(identity);

	for (const char *p = known; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t l = eol ? (size_t)(eol - p) : strlen(p);
		if (l >= ylen + 1 + ilen && !memcmp(p, year, ylen) && p[ylen] == ' ' &&
		    !memcmp(p + ylen + 1, identity, ilen) && (l == ylen + 1 + ilen || p[ylen + 1 + ilen] == ' ')) {
			*names = p + ylen + 1 + ilen;
			*len = l - ylen - 1 - ilen;
			return true;
		}
		p = eol ? eol + 1 : NULL;
	}
	return false;
}

static struct host_mark *mark_of(struct marks *m, const char *host)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].host, host))
			return &m->v[i];
	m->v = xreallocarray(m->v, m->n + 1, sizeof *m->v);
	m->v[m->n] = (struct host_mark){ .host = xstrdup(host), .data = BUF_INIT, .written = "-" };
	return &m->v[m->n++];
}

void index_marks_free(struct marks *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].host);
		free(m->v[i].head_file);
		buf_release(&m->v[i].data);
	}
	free(m->v);
	free(m->days);
	buf_release(&m->years);
	memset(m, 0, sizeof *m);
}

/*
 * A chain head the writer keeps (docs/format.md: "logbook-chain 1 C
 * <boot-id> <seq> <hash> <file> <size>"): its seq and file, when it is
 * one, in state C, naming one of the host's record files.
 */
static void parse_head(struct host_mark *h, const char *data, size_t len)
{
	char line[512], state, boot[80], hash[80], file[256];
	long long seq, size;

	if (len >= sizeof line)
		return;
	memcpy(line, data, len);
	line[len] = '\0';
	if (sscanf(line, "logbook-chain 1 %c %79s %lld %79s %255s %lld", &state, boot, &seq, hash, file, &size) == 6 &&
	    state == 'C' && seq >= 0 && store_is_file_of(file, h->host)) {
		h->head = true;
		h->seq = seq;
		free(h->head_file);
		h->head_file = xstrdup(file);
	}
}

/* the content of each small file in dir (chain heads, refs), under its host */
static void add_files(struct marks *m, const char *dir, const char *what)
{
	size_t n;
	char **names = list_dir(dir, NULL, NULL, &n);

	for (size_t i = 0; i < n; i++) {
		char *path = fs_join(dir, names[i]);
		struct buf data = BUF_INIT;
		struct host_mark *h = mark_of(m, names[i]);
		buf_addf(&h->data, "%s:", what);
		/* any writer of the journal may have put a file here: a FIFO must not block the reader */
		if (fs_read_regular(path, &data) == 0) {
			buf_add(&h->data, data.data, data.len < 4096 ? data.len : 4096);
			if (!strcmp(what, "chain"))
				parse_head(h, data.data, data.len);
			else
				rec_hash(data.data ? data.data : "", data.len, h->written);
		}
		buf_addc(&h->data, '\n');
		buf_release(&data);
		free(path);
	}
	fs_free_names(names, n);
}

/* stat name in the year directory yfd for the fingerprint, and keep a day's stat for the walk */
static void fingerprint_day(struct marks *m, struct buf *b, int yfd, const char *year, const char *name, int64_t now,
			    bool *racy, size_t *cap)
{
	struct stat st;
	size_t ylen = strlen(year), nlen = strlen(name);

	if (fstatat(yfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	add_stat(b, name, &st, now, racy);
	/* what the walk stats again: a day's name has DAY_LEN characters, a year's 4 */
	if (nlen != DAY_LEN || ylen != 4)
		return;
	if (m->ndays == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		m->days = xreallocarray(m->days, *cap, sizeof *m->days);
	}
	memcpy(m->days[m->ndays].rel, year, 4);
	m->days[m->ndays].rel[4] = '/';
	memcpy(m->days[m->ndays].rel + 5, name, DAY_LEN + 1);
	m->days[m->ndays++].st = st;
}

void index_fingerprint(struct journal *j, const char *years_known, char out[REC_HASH_LEN + 1], bool *racy,
		       struct marks *m)
{
	struct buf b = BUF_INIT, g = BUF_INIT, name = BUF_INIT;
	int64_t now = day_now_us();
	char *p;
	struct stat st;
	int root;
	DIR *years;
	struct dirent *y;
	size_t cap = 0;

	*racy = false;
	memset(m, 0, sizeof *m);
	p = journal_path(j, JOURNAL_STATE "/chain");
	add_files(m, p, "chain");
	free(p);
	p = journal_path(j, ".git/refs/logbook/written");
	add_files(m, p, "written");
	free(p);
	buf_addf(&g, "logbook-index %d\n", INDEX_FORMAT);
	p = journal_path(j, ".git/packed-refs");
	if (stat(p, &st) == 0) {
		buf_addf(&g, "packed %lld ", (long long)st.st_size);
		add_stat(&g, "packed-refs", &st, now, &m->global_racy);
		*racy = *racy || m->global_racy;
	}
	free(p);
	rec_hash(g.data, g.len, m->global);
	buf_addf(&b, "%s\n", m->global);
	for (size_t i = 0; i < m->n; i++) {
		rec_hash(m->v[i].data.data ? m->v[i].data.data : "", m->v[i].data.len, m->v[i].mark);
		buf_addf(&b, "%s %s\n", m->v[i].host, m->v[i].mark);
	}
	if ((root = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fstat(root, &st) < 0 ||
	    !(years = fdopendir(root))) {
		if (root >= 0)
			close(root);
		*racy = true;	/* nothing to compare with: always walk */
		goto out;
	}
	add_stat(&b, ".", &st, now, racy);
	while ((y = readdir(years))) {
		char identity[96];
		const char *names;
		size_t len, line_start = m->years.len;
		bool year_racy = false, trusted;
		int yfd;
		if (!store_is_year(y->d_name, NULL) ||
		    (yfd = openat(root, y->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			continue;
		if (fstat(yfd, &st) < 0) {
			close(yfd);
			*racy = true;
			continue;
		}
		add_stat(&b, y->d_name, &st, now, &year_racy);
		*racy = *racy || year_racy;
		/* its names are noted, and taken from the note, only when both its times are old enough */
		trusted = !year_racy && now - ((int64_t)st.st_ctim.tv_sec * 1000000 + st.st_ctim.tv_nsec / 1000) >= 2000000;
		year_identity(identity, sizeof identity, &st);
		buf_addf(&m->years, "%s %s", y->d_name, identity);
		if (trusted && year_known(years_known, y->d_name, identity, &names, &len)) {
			/* listed by an update since the directory last changed: the same names */
			for (size_t i = 0; i < len;) {
				size_t k = i + 1;
				while (k < len && names[k] != ' ')
					k++;
				buf_reset(&name);
				buf_add(&name, names + i + 1, k - i - 1);
				/* a name, never a path (the note is in a file any member may write) */
				if (!strchr(buf_str(&name), '/'))
					fingerprint_day(m, &b, yfd, y->d_name, buf_str(&name), now, racy, &cap);
				i = k;
			}
			buf_add(&m->years, names, len);
			close(yfd);
		} else {
			DIR *days;
			struct dirent *d;
			bool plain = trusted;
			if (!(days = fdopendir(yfd))) {
				close(yfd);
				*racy = true;
				buf_truncate(&m->years, line_start);
				continue;
			}
			while ((d = readdir(days))) {
				if (d->d_name[0] == '.')
					continue;
				/* a name with a space or a newline is listed again each time (a year of days has none) */
				if (strpbrk(d->d_name, " \n")) {
					plain = false;
				} else {
					buf_addc(&m->years, ' ');
					buf_adds(&m->years, d->d_name);
				}
				fingerprint_day(m, &b, yfd, y->d_name, d->d_name, now, racy, &cap);
			}
			closedir(days);
			if (!plain)
				buf_truncate(&m->years, line_start);
		}
		if (m->years.len > line_start)
			buf_addc(&m->years, '\n');
	}
	closedir(years);
	m->days_ok = !*racy;
	m->years_same = years_known && !strcmp(buf_str(&m->years), years_known);
out:
	rec_hash(b.data ? b.data : "", b.len, out);
	buf_release(&b);
	buf_release(&g);
	buf_release(&name);
}

/* ---- the update's walk ---- */

/* index the complete lines of data (file offset base, first line number lineno) */
static int index_lines(struct updater *u, sqlite3_int64 file_id, const char *day, const char *host,
		       const char *data, size_t len, size_t base, size_t *lineno)
{
	struct buf body = BUF_INIT;
	const char *p = data, *end = data + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct record *r;
		(*lineno)++;
		if ((r = rec_parse(p, (size_t)(nl - p), false))) {
			sqlite3_stmt *s = u->add_rec;
			buf_reset(&body);
			index_record_text(r, &body, false);
			sqlite3_bind_int64(s, 1, r->time);
			sqlite3_bind_text(s, 2, host, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 3, r->seq);
			sqlite3_bind_text(s, 4, day, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 5, r->kind, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 6, r->admin, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 7, file_id);
			sqlite3_bind_int64(s, 8, (sqlite3_int64)*lineno);
			sqlite3_bind_int64(s, 9, (sqlite3_int64)(base + (size_t)(p - data)));
			sqlite3_bind_int64(s, 10, (sqlite3_int64)(nl - p));
			sqlite3_bind_int(s, 11, index_has_exact(r));
			sqlite3_bind_text(s, 12, buf_str(&body), (int)body.len, SQLITE_STATIC);
			if (index_step_done(u, s) < 0) {
				rec_free(r);
				buf_release(&body);
				return -1;
			}
			u->st->records++;
			if (r->seq > u->count_lo && r->seq <= u->count_hi)
				u->counted++;
			rec_free(r);
		}
		p = nl + 1;
	}
	buf_release(&body);
	return 0;
}

static int known_cmp(const void *a, const void *b)
{
	return strcmp(((const struct known_file *)a)->path, ((const struct known_file *)b)->path);
}

/* the rows of sql (id, path, size, inode, lines), sorted by path */
int index_load_known(struct updater *u, const char *sql, const char *a, const char *b, struct known_file **v,
		     size_t *n)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(u->db, sql, -1, &st, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		return index_db_err(u->db, "update");
	}
	if (a)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct known_file *k;
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			*v = xreallocarray(*v, cap, sizeof **v);
		}
		k = &(*v)[(*n)++];
		k->id = sqlite3_column_int64(st, 0);
		k->path = xstrdup(sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "");
		k->size = sqlite3_column_int64(st, 2);
		k->inode = sqlite3_column_int64(st, 3);
		k->lines = sqlite3_column_int64(st, 4);
		k->seen = false;
	}
	if (rc != SQLITE_DONE) {
		u->rc = sqlite3_extended_errcode(u->db);
		sqlite3_finalize(st);
		return index_db_err(u->db, "update");
	}
	sqlite3_finalize(st);
	/* sorted by the query (ORDER BY path, the order of its UNIQUE index); sorting here only when it was not */
	for (size_t i = 1; i < *n; i++)
		if (strcmp((*v)[i - 1].path, (*v)[i].path) > 0) {
			qsort(*v, *n, sizeof **v, known_cmp);
			break;
		}
	return 0;
}

void index_free_known(struct known_file **v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*v)[i].path);
	free(*v);
	*v = NULL;
	*n = 0;
}

/* rel's file, which is name in the directory day under the directory yfd (its year's) */
static int update_file(struct updater *u, int yfd, const char *day, const char *name, const char *rel,
		       const char *host)
{
	struct known_file key = { .path = (char *)rel }, *k;
	char below[DAY_LEN + STORE_HOST_MAX + 16];
	sqlite3_int64 id = 0, size = 0, lines = 0;
	struct buf data = BUF_INIT;
	struct stat stbuf;
	size_t lineno, complete;
	int fd = -1, rc = -1;

	u->st->files++;
	snprintf(below, sizeof below, "%s/%s", day, name);
	k = u->nknown ? bsearch(&key, u->known, u->nknown, sizeof *u->known, known_cmp) : NULL;
	if (fstatat(yfd, below, &stbuf, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(stbuf.st_mode)) {
		/* gone or not a file: what it had leaves the index */
		rc = 0;
		goto out;
	}
	if (k) {
		k->seen = true;
		id = k->id;
		size = k->size;
		lines = k->lines;
		/* the common case, without opening the file: nothing new */
		if ((sqlite3_int64)stbuf.st_ino == k->inode && stbuf.st_size == size) {
			rc = 0;
			goto out;
		}
		if ((sqlite3_int64)stbuf.st_ino != k->inode || stbuf.st_size < size) {
			/* replaced or cut: index it again from the start */
			u->dropped = true;
			sqlite3_bind_int64(u->drop_recs, 1, id);
			if (index_step_done(u, u->drop_recs) < 0)
				goto out;
			size = lines = 0;
		}
	}
	if ((fd = openat(yfd, below, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		/* unreadable: as if it were not there */
		if (k)
			k->seen = false;
		rc = 0;
		goto out;
	}
	if (!k) {
		sqlite3_bind_text(u->add_file, 1, rel, -1, SQLITE_STATIC);
		sqlite3_bind_int64(u->add_file, 2, (sqlite3_int64)stbuf.st_ino);
		if (index_step_done(u, u->add_file) < 0)
			goto out;
		id = sqlite3_last_insert_rowid(u->db);
	}
	if (lseek(fd, (off_t)size, SEEK_SET) < 0 || fs_read_fd(fd, &data, 0) < 0) {
		errset_sys("index: %s", rel);
		goto out;
	}
	u->st->files_read++;
	u->st->bytes += data.len;
	/* only complete lines: a torn last line is read again next time */
	for (complete = data.len; complete > 0 && data.data[complete - 1] != '\n'; complete--)
		;
	lineno = (size_t)lines;
	if (index_lines(u, id, day, host, data.data, complete, (size_t)size, &lineno) < 0)
		goto out;
	sqlite3_bind_int64(u->set_file, 1, size + (sqlite3_int64)complete);
	sqlite3_bind_int64(u->set_file, 2, (sqlite3_int64)stbuf.st_ino);
	sqlite3_bind_int64(u->set_file, 3, (sqlite3_int64)lineno);
	sqlite3_bind_int64(u->set_file, 4, id);
	rc = index_step_done(u, u->set_file);
	if (rc == 0 && k) {
		/* the file may be met again in this update (index_account_hosts read it first) */
		k->size = size + (sqlite3_int64)complete;
		k->inode = (sqlite3_int64)stbuf.st_ino;
		k->lines = (sqlite3_int64)lineno;
	}
out:
	if (fd >= 0)
		close(fd);
	buf_release(&data);
	return rc;
}

/* true when host's files cannot have changed since the last update */
static bool host_unchanged(struct updater *u, const char *host)
{
	if (!u->marks.global_same || u->full)
		return false;
	for (size_t i = 0; i < u->marks.n; i++)
		if (!strcmp(u->marks.v[i].host, host))
			return (u->marks.v[i].same && u->marks.v[i].data.len > 0) || u->marks.v[i].accounted;
	return false;
}

static void note_file_host(struct updater *u, const char *host)
{
	for (size_t i = 0; i < u->nfile_hosts; i++)
		if (!strcmp(u->file_hosts[i], host))
			return;
	u->file_hosts = xreallocarray(u->file_hosts, u->nfile_hosts + 1, sizeof *u->file_hosts);
	u->file_hosts[u->nfile_hosts++] = xstrdup(host);
}

/*
 * The hosts whose writers moved, accounted for without looking at their
 * other files: only a host's writer appends to its files, one record
 * per seq, and its chain head names the file it wrote last.  When the
 * records appended to that file since the last update are exactly those
 * between the seq the head had then and the one it has now (and its
 * written ref did not move: sync did not write), none of its other files
 * changed.  Then, if every host that has files is either unchanged or
 * accounted for, the update is lazy: only directories that changed are
 * listed, and the files table is read only for them.
 */
int index_account_hosts(struct updater *u)
{
	char key[STORE_HOST_MAX + 16], value[REC_HASH_LEN + 32], *hosts = NULL;
	sqlite3_stmt *st = NULL;
	bool lazy = false;

	if (u->full || u->bulk || !u->marks.global_same)
		return 0;
	for (size_t i = 0; i < u->marks.n; i++) {
		struct host_mark *m = &u->marks.v[i];
		char written[REC_HASH_LEN + 1], day[DAY_LEN + 1], year[8];
		const char *slash;
		long long seq;
		int yfd, rc;
		if (m->same || !m->head)
			continue;
		snprintf(key, sizeof key, "head:%s", m->host);
		if (index_meta_get(u->db, key, value, sizeof value) < 0 ||
		    sscanf(value, "%lld %64s", &seq, written) != 2 || strcmp(written, m->written) || seq > m->seq)
			continue;
		/* head_file is YYYY/YYYY_MM_DD/<host>.jsonl (store_is_file_of) */
		if (index_load_known(u, "SELECT id, path, size, inode, lines FROM files WHERE path = ?1", m->head_file,
				     NULL, &u->known, &u->nknown) < 0)
			return -1;
		if (u->nknown != 1) {
			index_free_known(&u->known, &u->nknown);
			continue;
		}
		memcpy(year, m->head_file, 4);
		year[4] = '\0';
		slash = strchr(m->head_file + 5, '/');
		snprintf(day, sizeof day, "%.*s", (int)(slash - (m->head_file + 5)), m->head_file + 5);
		if ((yfd = openat(AT_FDCWD, u->j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			int y = openat(yfd, year, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			close(yfd);
			yfd = y;
		}
		if (yfd < 0) {
			index_free_known(&u->known, &u->nknown);
			continue;
		}
		u->count_lo = seq;
		u->count_hi = m->seq;
		u->counted = 0;
		rc = update_file(u, yfd, day, slash + 1, m->head_file, m->host);
		close(yfd);
		m->accounted = rc == 0 && u->known[0].seen && u->counted == (size_t)(m->seq - seq);
		u->count_lo = u->count_hi = 0;
		index_free_known(&u->known, &u->nknown);
		if (rc < 0)
			return -1;
	}
	/* lazy when every host that has files is unchanged or accounted for */
	if (index_prepare(u, "SELECT value FROM meta WHERE key = 'file_hosts'", &st) < 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		hosts = xstrdup((const char *)sqlite3_column_text(st, 0));
		lazy = true;
	}
	sqlite3_finalize(st);
	for (char *h = hosts, *nl; lazy && h && *h; h = nl ? nl + 1 : h + strlen(h)) {
		if ((nl = strchr(h, '\n')))
			*nl = '\0';
		note_file_host(u, h);
		lazy = host_unchanged(u, h);
	}
	free(hosts);
	u->lazy = lazy;
	return 0;
}

/* which hosts' marks are those the index has */
int index_load_marks(struct updater *u)
{
	sqlite3_stmt *st = NULL;
	char global[REC_HASH_LEN + 1];
	int rc;

	u->marks.global_same = index_meta_get(u->db, "global", global, sizeof global) == 0 && !strcmp(global, u->marks.global);
	if (index_prepare(u, "SELECT host, mark FROM hosts", &st) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *host = (const char *)sqlite3_column_text(st, 0), *mark = (const char *)sqlite3_column_text(st, 1);
		for (size_t i = 0; host && mark && i < u->marks.n; i++)
			if (!strcmp(u->marks.v[i].host, host))
				u->marks.v[i].same = !strcmp(u->marks.v[i].mark, mark);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		u->rc = sqlite3_extended_errcode(u->db);
		return index_db_err(u->db, "update");
	}
	return 0;
}

int index_store_marks(struct updater *u)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_exec(u->db, "DELETE FROM hosts", NULL, NULL, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		return index_db_err(u->db, "update");
	}
	if (index_prepare(u, "INSERT INTO hosts(host, mark) VALUES (?1, ?2)", &st) < 0)
		return -1;
	for (size_t i = 0; i < u->marks.n && rc == 0; i++) {
		sqlite3_bind_text(st, 1, u->marks.v[i].host, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, u->marks.v[i].mark, -1, SQLITE_STATIC);
		rc = index_step_done(u, st);
	}
	sqlite3_finalize(st);
	if (rc == 0 && sqlite3_exec(u->db, "DELETE FROM meta WHERE key GLOB 'head:*'", NULL, NULL, NULL) != SQLITE_OK) {
		u->rc = sqlite3_extended_errcode(u->db);
		return index_db_err(u->db, "update");
	}
	for (size_t i = 0; i < u->marks.n && rc == 0; i++) {
		char key[STORE_HOST_MAX + 16], value[REC_HASH_LEN + 32];
		if (!u->marks.v[i].head)
			continue;
		snprintf(key, sizeof key, "head:%s", u->marks.v[i].host);
		snprintf(value, sizeof value, "%lld %s", (long long)u->marks.v[i].seq, u->marks.v[i].written);
		rc = index_meta_set(u, key, value);
	}
	if (rc == 0) {
		struct buf b = BUF_INIT;
		for (size_t i = 0; i < u->nfile_hosts; i++)
			buf_addf(&b, "%s%s", i ? "\n" : "", u->file_hosts[i]);
		rc = index_meta_set(u, "file_hosts", buf_str(&b));
		buf_release(&b);
	}
	if (rc == 0 && !u->marks.years_same)
		rc = index_meta_set(u, "years", buf_str(&u->marks.years));
	if (rc == 0 && index_prepare(u, "INSERT OR REPLACE INTO meta(key, value) VALUES ('global', ?1)", &st) == 0) {
		/* packed-refs changed within the clock tick: not to be trusted next time */
		sqlite3_bind_text(st, 1, u->marks.global_racy ? "" : u->marks.global, -1, SQLITE_STATIC);
		rc = index_step_done(u, st);
		sqlite3_finalize(st);
	}
	return rc;
}

/* files of the table that the walk did not meet take their records with them */
int index_drop_unseen(struct updater *u, struct known_file *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].seen)
			continue;
		u->dropped = true;
		sqlite3_bind_int64(u->drop_recs, 1, v[i].id);
		sqlite3_bind_int64(u->drop_file, 1, v[i].id);
		if (index_step_done(u, u->drop_recs) < 0 || index_step_done(u, u->drop_file) < 0)
			return -1;
	}
	return 0;
}

/* the known files of day directory dir ("YYYY/YYYY_MM_DD"), from the table */
static int load_dir(struct updater *u, const char *dir)
{
	char lo[DAY_LEN + 16], hi[DAY_LEN + 16];

	/* the paths that start with "dir/": '0' follows '/' */
	snprintf(lo, sizeof lo, "%s/", dir);
	snprintf(hi, sizeof hi, "%s0", dir);
	index_free_known(&u->known, &u->nknown);
	return index_load_known(u, "SELECT id, path, size, inode, lines FROM files WHERE path >= ?1 AND path < ?2", lo,
				hi, &u->known, &u->nknown);
}

/* a day directory that went away, in a lazy update: its files too */
int index_drop_dir(struct updater *u, const char *dir)
{
	int rc = load_dir(u, dir);

	if (rc == 0)
		rc = index_drop_unseen(u, u->known, u->nknown);
	index_free_known(&u->known, &u->nknown);
	return rc;
}

/*
 * The update's walk: every day directory is stat-ed; one with the inode
 * and mtime it had when last listed holds the files the files table
 * says (adding, removing or replacing a file changes its directory's
 * mtime), so only those are stat-ed, relative to the year's directory.
 * Others are listed.  A directory changed in the last 2 seconds is noted
 * as unknown, since a change within the same clock tick would not show.
 */
static int walk_day(struct updater *u, int yfd, const char *year, const char *day, const struct stat *seen)
{
	char prefix[DAY_LEN + 16], dirrel[DAY_LEN + 8];
	struct known_file key = { .path = dirrel }, *d;
	struct stat st;
	int64_t mtime;
	size_t lo, hi, plen;
	int rc = 0;

	if (seen)
		st = *seen;	/* the fingerprint's, taken just before */
	else if (fstatat(yfd, day, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return 0;
	snprintf(dirrel, sizeof dirrel, "%s/%s", year, day);
	snprintf(prefix, sizeof prefix, "%s/", dirrel);
	plen = strlen(prefix);
	mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	d = u->ndirs ? bsearch(&key, u->dirs, u->ndirs, sizeof *u->dirs, known_cmp) : NULL;
	if (d)
		d->seen = true;
	if (d && d->inode == (sqlite3_int64)st.st_ino && d->size == mtime && !u->full) {
		if (u->lazy)
			return 0;	/* every host unchanged or accounted for: no file here changed */
		/* the known files of this day: a range of the sorted table */
		for (lo = 0, hi = u->nknown; lo < hi;) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(u->known[mid].path, prefix) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < u->nknown && !rc && !strncmp(u->known[lo].path, prefix, plen); lo++) {
			struct known_file *k = &u->known[lo];
			char host[STORE_HOST_MAX + 1];
			if (!store_file_host(k->path + plen, host))
				continue;
			note_file_host(u, host);
			if (host_unchanged(u, host))
				k->seen = true;	/* its writers have not moved: nor has the file */
			else
				rc = update_file(u, yfd, day, k->path + plen, k->path, host);
		}
		return rc;
	}
	if (u->lazy && load_dir(u, dirrel) < 0)
		return -1;
	{
		char *dpath = fs_join(u->j->dir, dirrel);
		size_t nf;
		char **files = list_dir(dpath, NULL, NULL, &nf);
		for (size_t f = 0; f < nf && !rc; f++) {
			char host[STORE_HOST_MAX + 1], *rel;
			if (!store_file_host(files[f], host))
				continue;
			note_file_host(u, host);
			rel = store_file_rel(day, host);
			rc = update_file(u, yfd, day, files[f], rel, host);
			free(rel);
		}
		fs_free_names(files, nf);
		free(dpath);
	}
	if (u->lazy) {
		/* this day's files that went away */
		if (!rc)
			rc = index_drop_unseen(u, u->known, u->nknown);
		index_free_known(&u->known, &u->nknown);
	}
	if (rc)
		return rc;
	sqlite3_bind_text(u->set_dir, 1, dirrel, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(u->set_dir, 2, (sqlite3_int64)st.st_ino);
	sqlite3_bind_int64(u->set_dir, 3, day_now_us() * 1000 - mtime < INT64_C(2000000000) ? -1 : mtime);
	return index_step_done(u, u->set_dir);
}

static int day_stat_cmp(const void *a, const void *b)
{
	return strcmp(((const struct day_stat *)a)->rel, ((const struct day_stat *)b)->rel);
}

/* the walk over the day directories the fingerprint just stat-ed, in order */
static int walk_seen_days(struct updater *u)
{
	struct marks *m = &u->marks;
	char year[8] = "";
	int yfd = -1, rc = 0;

	if (m->ndays > 1)
		qsort(m->days, m->ndays, sizeof *m->days, day_stat_cmp);
	for (size_t i = 0; i < m->ndays && !rc; i++) {
		const char *rel = m->days[i].rel, *day = rel + 5;
		if (strncmp(rel, year, 4)) {
			if (yfd >= 0)
				close(yfd);
			snprintf(year, sizeof year, "%.4s", rel);
			yfd = -1;
			if (store_is_year(year, NULL)) {
				char *ypath = fs_join(u->j->dir, year);
				yfd = open(ypath, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
				free(ypath);
			}
		}
		if (yfd >= 0 && store_is_day_of(day, year))
			rc = walk_day(u, yfd, year, day, &m->days[i].st);
	}
	if (yfd >= 0)
		close(yfd);
	return rc;
}

int index_walk_update(struct updater *u)
{
	size_t ny, nd;
	char **years;
	int rc = 0;

	if (u->marks.days_ok)
		return walk_seen_days(u);
	years = list_dir(u->j->dir, store_is_year, NULL, &ny);

	for (size_t y = 0; y < ny && !rc; y++) {
		char *ypath = fs_join(u->j->dir, years[y]);
		char **days;
		int yfd;
		if ((yfd = open(ypath, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
			free(ypath);
			continue;
		}
		days = list_dir(ypath, store_is_day_of, years[y], &nd);
		for (size_t d = 0; d < nd && !rc; d++)
			rc = walk_day(u, yfd, years[y], days[d], NULL);
		fs_free_names(days, nd);
		close(yfd);
		free(ypath);
	}
	fs_free_names(years, ny);
	return rc;
}

/* ---- index_scan: a query answered by the files alone ---- */

struct scan_hit {
	struct index_hit h;
	char *day, *host, *admin, *kind, *path, *line;
};

struct scanner {
	struct journal *j;
	const struct index_query *q;
	struct scan_hit *v;
	size_t n, cap;
};

static bool match_record(const struct index_query *q, const struct record *r, struct buf *body)
{
	if ((q->kind && strcmp(q->kind, r->kind)) || (q->admin && strcmp(q->admin, r->admin)) ||
	    (q->timed && (r->time < q->since_us || r->time >= q->until_us)))
		return false;
	if (!q->text || !*q->text)
		return true;
	buf_reset(body);
	index_record_text(r, body, false);
	return index_find(buf_str(body), body->len, q->text, strlen(q->text)) >= 0;
}

static int scan_file(const char *rel, const char *day, const char *host, void *arg)
{
	struct scanner *s = arg;
	struct buf data = BUF_INIT, body = BUF_INIT;
	char *path;
	const char *p, *end;
	size_t lineno = 0;

	if (s->q->host && strcmp(s->q->host, host))
		return 0;
	path = journal_path(s->j, rel);
	/* as the store: a link or a FIFO in a day directory is no record file */
	if (fs_read_regular(path, &data) < 0) {
		free(path);
		return 0;	/* as the index: an unreadable file has no records */
	}
	free(path);
	p = data.data;
	end = p + data.len;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct record *r;
		if (!nl)
			break;	/* torn last line */
		lineno++;
		if ((r = rec_parse(p, (size_t)(nl - p), false))) {
			if (match_record(s->q, r, &body)) {
				struct scan_hit *h;
				if (s->n == s->cap) {
					s->cap = s->cap ? s->cap * 2 : 64;
					s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
				}
				h = &s->v[s->n++];
				h->day = xstrdup(day);
				h->host = xstrdup(host);
				h->admin = xstrdup(r->admin);
				h->kind = xstrdup(r->kind);
				h->path = xstrdup(rel);
				h->line = xstrndup(p, (size_t)(nl - p));
				h->h = (struct index_hit){ .day = h->day, .host = h->host, .admin = h->admin,
							   .kind = h->kind, .time = r->time, .seq = r->seq,
							   .path = h->path, .lineno = lineno, .line = h->line,
							   .len = (size_t)(nl - p) };
			}
			rec_free(r);
		}
		p = nl + 1;
	}
	buf_release(&body);
	buf_release(&data);
	return 0;
}

static int hit_cmp(const void *a, const void *b)
{
	const struct index_hit *x = &((const struct scan_hit *)a)->h, *y = &((const struct scan_hit *)b)->h;

	return index_hit_order(x->time, x->host, x->seq, y->time, y->host, y->seq);
}

int index_scan(struct journal *j, const struct index_query *q, index_hit_fn fn, void *arg)
{
	struct scanner s = { .j = j, .q = q };
	size_t shown = 0;

	walk_files(j, q->since, q->until, scan_file, &s);
	if (s.n)
		qsort(s.v, s.n, sizeof *s.v, hit_cmp);
	for (size_t i = 0; i < s.n && (!q->limit || shown < q->limit); i++, shown++) {
		size_t k = q->oldest_first ? i : s.n - 1 - i;
		if (fn(&s.v[k].h, arg))
			break;
	}
	for (size_t i = 0; i < s.n; i++) {
		free(s.v[i].day);
		free(s.v[i].host);
		free(s.v[i].admin);
		free(s.v[i].kind);
		free(s.v[i].path);
		free(s.v[i].line);
	}
	free(s.v);
	return 0;
}

/* ---- the line of a hit ---- */

static void fd_cache_drop(struct fd_cache *c, size_t k)
{
	free(c->path[k]);
	if (c->map[k])
		munmap((void *)c->map[k], c->size[k]);
	if (c->fd[k] >= 0)
		close(c->fd[k]);
}

/*
 * The line of a hit: the len bytes at off in the record file of files row
 * id, which must end with a newline there (else the file changed since
 * it was indexed: -1).  *path is the file's, relative to the journal.
 */
int index_fd_cache_line(struct fd_cache *c, sqlite3 *db, struct journal *j, sqlite3_int64 id, int64_t off,
			 size_t len, const char **path, struct buf *line)
{
	sqlite3_stmt *st = NULL;
	struct stat sb;
	size_t k, i;

	for (i = 0; i < c->n && c->id[i] != id; i++)
		;
	if (i < c->n) {
		k = i;
	} else {
		if (c->n < FD_CACHE) {
			k = c->n++;
		} else {
			k = c->next++ % FD_CACHE;
			fd_cache_drop(c, k);
		}
		c->id[k] = id;
		c->path[k] = NULL;
		c->fd[k] = -1;
		c->map[k] = NULL;
		if (sqlite3_prepare_v2(db, "SELECT path FROM files WHERE id = ?1", -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, id);
			if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
				char *full = journal_path(j, (const char *)sqlite3_column_text(st, 0));
				c->path[k] = xstrdup((const char *)sqlite3_column_text(st, 0));
				c->fd[k] = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
				free(full);
			}
		}
		sqlite3_finalize(st);
		c->uses[k] = 0;
	}
	/* a file with many hits is mapped, one with a few is read line by line */
	if (++c->uses[k] == FD_CACHE_MAP && c->fd[k] >= 0 && fstat(c->fd[k], &sb) == 0 && sb.st_size > 0) {
		void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, c->fd[k], 0);
		if (m != MAP_FAILED) {
			c->map[k] = m;
			c->size[k] = (size_t)sb.st_size;
		}
	}
	*path = c->path[k];
	buf_reset(line);
	buf_grow(line, len + 1);
	if (off < 0)
		return -1;
	if (c->map[k] && (size_t)off + len < c->size[k])
		memcpy(line->data, c->map[k] + off, len + 1);
	else if (c->fd[k] < 0 || pread(c->fd[k], line->data, len + 1, (off_t)off) != (ssize_t)len + 1)
		return -1;
	if (line->data[len] != '\n')
		return -1;
	line->data[len] = '\0';
	line->len = len;
	return 0;
}

void index_fd_cache_close(struct fd_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		fd_cache_drop(c, i);
	c->n = 0;
}

