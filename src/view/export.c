/*
 * export: day pages into a DokuWiki (see export.h for the files).
 *
 * The state file is one JSON object:
 *
 *   {"v":1,"format":1,"tz":"UTC","namespace":"journal",
 *    "days":{"2026_11_24":{"stamp":"<sha-256>","page":"<size> <mtime>",
 *                          "who":[["web1","alice"],...]},...}}
 *
 * "stamp" hashes the day's record files' names, sizes, modification times
 * and inodes: appending a record, or sync writing a fetched file, changes
 * it; and the replies and acks that answer the day's records, filed on
 * whatever day: a reply of Friday to a note of Thursday changes Thursday's
 * page.  "targets" (next to "days") keeps the day of each record a reply
 * or an ack answers ({"db1:42":"2026_11_26"}), so that only a new one is
 * looked up in the index.  "page" is the page file as we left it: a page deleted or edited in
 * the wiki is written again.  A state file that is missing or cannot be
 * read only costs a full export.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "journal/record.h"
#include "view/export.h"
#include "view/markup.h"
#include "view/page.h"
#include "view/threads.h"
#include "base/banned.h"

/* bump when the pages would come out differently: every page is written again */
#define EXPORT_FORMAT 2
#define STATE_NAME ".logbook-export.json"
#define LOCK_NAME ".logbook-export.lock"

char *export_namespace(const char *ns)
{
	char *id;

	for (const char *p = ns; *p; p++) {
		if ((unsigned char)*p >= 0x80) {
			errset("namespace '%s': only ASCII names are supported", ns);
			return NULL;
		}
	}
	id = markup_dokuwiki_clean_id(ns);
	if (!*id) {
		errset("namespace '%s': DokuWiki would make an empty name of it", ns);
		free(id);
		return NULL;
	}
	return id;
}

/* the stamp of a day's record files; -1 and errget() when its directory cannot be read */
static int day_stamp(struct journal *j, const char *day, char out[REC_HASH_LEN + 1])
{
	char rel[DAY_LEN + 6], **files;
	char *dir;
	size_t n;
	struct buf b = BUF_INIT;
	int rc = 0;

	snprintf(rel, sizeof rel, "%.4s/%s", day, day);
	dir = journal_path(j, rel);
	if (fs_list_dir(dir, store_is_host_file, NULL, false, &files, &n) < 0) {
		free(dir);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *path = fs_join(dir, files[i]);
		struct stat st;
		if (stat(path, &st) < 0) {
			errset_sys("%s", path);
			rc = -1;
		} else {
			buf_addf(&b, "%s %lld %lld.%09ld %llu\n", files[i], (long long)st.st_size,
				 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (unsigned long long)st.st_ino);
		}
		free(path);
	}
	rec_hash(buf_str(&b), b.len, out);
	buf_release(&b);
	fs_free_names(files, n);
	free(dir);
	return rc;
}

/* "<size> <mtime>" of a file, "" when it does not exist */
static void file_stamp(const char *path, char *out, size_t size)
{
	struct stat st;

	if (stat(path, &st) < 0)
		snprintf(out, size, "%s", "");
	else
		snprintf(out, size, "%lld %lld.%09ld", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
			 st.st_mtim.tv_nsec);
}

/*
 * Replace dir/name with data: a temporary file in the same directory,
 * written, flushed and renamed over the page, so the wiki reads the old
 * page or the new one.  The caller syncs the directory once at the end.
 */
static int write_page(int dfd, const char *dir, const char *name, const struct buf *data)
{
	char *path = fs_join(dir, name);
	char *tmp_name = xasprintf(".%s.%ld.tmp", name, (long)getpid());
	char *tmp = fs_join(dir, tmp_name);
	int fd, rc = -1;

	/* through the directory's descriptor: the wiki's users may be able to write the directory */
	unlinkat(dfd, tmp_name, 0);	/* left by a killed export of the same pid */
	fd = openat(dfd, tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		errset_sys("%s", tmp);
		goto out;
	}
	if (fs_write_all(fd, data->data, data->len) < 0 || fsync(fd) < 0) {
		errset_sys("%s", tmp);
		close(fd);
		unlinkat(dfd, tmp_name, 0);
		goto out;
	}
	if (close(fd) < 0 || renameat(dfd, tmp_name, dfd, name) < 0) {
		errset_sys("%s: rename to %s", tmp, path);
		unlinkat(dfd, tmp_name, 0);
		goto out;
	}
	rc = 0;
out:
	free(tmp_name);
	free(tmp);
	free(path);
	return rc;
}

/* the page of one day, and who worked on it (a JSON array of [host, admin]) */
static int render_day(struct journal *j, const char *day, struct buf *page, json_t **who,
		      struct store_warnings *w, const struct threads *t)
{
	struct store_day_lines d;
	struct page pg;

	if (store_day_lines_load(j, day, &d) < 0)
		return -1;
	for (size_t i = 0; i < d.warnings.n; i++) {
		w->msgs = xreallocarray(w->msgs, w->n + 1, sizeof *w->msgs);
		w->msgs[w->n++] = d.warnings.msgs[i];
	}
	free(d.warnings.msgs);
	d.warnings.msgs = NULL;
	d.warnings.n = 0;
	page_init(&pg, day, j->tz, conf_get(j->conf, "show", NULL, "noise"));
	for (size_t i = 0; i < d.n; i++) {
		const char *line, *path;
		size_t len, lineno;

		store_day_line(&d, i, &line, &len, &path, &lineno);
		page_add(&pg, line, len, path, lineno);
	}
	page_finish(&pg);
	pg.threads = t;
	markup_page_write(MARKUP_DOKUWIKI, page, &pg);
	*who = json_array();
	for (size_t i = 0; i < pg.nwho; i++)
		json_array_append_new(*who, json_pack("[ss]", pg.who[i].host, pg.who[i].admin));
	page_release(&pg);
	store_day_lines_free(&d);
	return 0;
}

/* "  * [[:ns:day|day]] Tuesday ...: **web1** alice, bob; **db1** carol" */
static void index_line(struct buf *out, const char *ns, const char *day, json_t *who)
{
	char title[64];
	const char *host = NULL;
	size_t i;
	json_t *pair;

	day_title(day, title, sizeof title);
	buf_addf(out, "  * [[:%s:%s|%s]] %s", ns, day, day, title);
	json_array_foreach(who, i, pair) {
		const char *h = json_string_value(json_array_get(pair, 0));
		const char *a = json_string_value(json_array_get(pair, 1));
		if (!h || !a)
			continue;
		if (!host || strcmp(host, h)) {
			buf_adds(out, host ? "; **" : ": **");
			markup_dokuwiki_text(out, h, strlen(h));
			buf_adds(out, "** ");
		} else {
			buf_adds(out, ", ");
		}
		markup_dokuwiki_text(out, a, strlen(a));
		host = h;
	}
	buf_addc(out, '\n');
}

static json_t *load_state(const char *path, const char *tz, const char *ns)
{
	json_t *s = json_load_file(path, 0, NULL);
	json_t *days = json_object_get(s, "days");

	if (!json_is_object(s) || json_integer_value(json_object_get(s, "v")) != 1 ||
	    json_integer_value(json_object_get(s, "format")) != EXPORT_FORMAT ||
	    !json_is_string(json_object_get(s, "tz")) || strcmp(json_string_value(json_object_get(s, "tz")), tz) ||
	    !json_is_string(json_object_get(s, "namespace")) ||
	    strcmp(json_string_value(json_object_get(s, "namespace")), ns) || !json_is_object(days)) {
		json_decref(s);
		return json_object();
	}
	json_incref(days);
	json_decref(s);
	return days;
}

/* the "targets" of the state file at path: an object, empty when missing or not one */
static json_t *load_targets(const char *path)
{
	json_t *s = json_load_file(path, 0, NULL);
	json_t *t = json_object_get(s, "targets");

	t = json_is_object(t) ? json_incref(t) : json_object();
	json_decref(s);
	return t;
}

/* add "REF>TARGET\n" to the entry of TARGET's day in by_day, looking its day up once (targets) */
static void thread_day(struct journal *j, json_t *targets, json_t *by_day, const char *ref, const char *target)
{
	json_t *day = json_object_get(targets, target), *line;
	struct rec_ref r;
	struct buf b = BUF_INIT;

	if (!json_is_string(day) || !day_valid(json_string_value(day))) {
		struct record *rec = NULL;
		char d[DAY_LEN + 1] = "";
		if (ref_parse(target, strlen(target), &r) < 0 || threads_find(j, &r, &rec, d) <= 0) {
			rec_free(rec);
			return;	/* an advisory id, or a record this replica does not hold */
		}
		rec_free(rec);
		json_object_set_new(targets, target, json_string(d));
		day = json_object_get(targets, target);
	}
	line = json_object_get(by_day, json_string_value(day));
	if (json_is_string(line))
		buf_adds(&b, json_string_value(line));
	buf_addf(&b, "%s>%s\n", ref, target);
	json_object_set_new(by_day, json_string_value(day), json_string(buf_str(&b)));
	buf_release(&b);
}

/* per day, what the replies and acks that answer its records add to its stamp */
static json_t *thread_days(struct journal *j, const struct threads *t, json_t *targets)
{
	json_t *by_day = json_object();

	for (size_t i = 0; i < t->nreplies; i++)
		thread_day(j, targets, by_day, t->replies[i].ref, t->replies[i].target);
	for (size_t i = 0; i < t->nacks; i++)
		thread_day(j, targets, by_day, t->acks[i].ref, t->acks[i].target);
	return by_day;
}

static int lock_dir(int dfd, const char *pagedir)
{
	char *path = fs_join(pagedir, LOCK_NAME);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	/* another account's export may have made it; a link planted there is refused */
	int fd = fs_openat_checked(dfd, LOCK_NAME, O_RDWR | O_CREAT, 0644, FS_BELOW_ANY_OWNER, path);

	if (fd < 0) {
		free(path);
		return -1;
	}
	while (fcntl(fd, F_SETLKW, &fl) < 0) {
		if (errno != EINTR) {
			errset_sys("%s: lock", path);
			close(fd);
			free(path);
			return -1;
		}
	}
	free(path);
	return fd;
}

int export_dokuwiki(struct journal *j, const char *dir, const char *ns, bool force, struct export_report *rep)
{
	return export_dokuwiki_days(j, dir, ns, force, NULL, 0, rep);
}

static bool named(const char *day, char *const *only, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(only[i], day))
			return true;
	return false;
}

int export_dokuwiki_days(struct journal *j, const char *dir, const char *ns, bool force, char *const *only, size_t nonly,
			 struct export_report *rep)
{
	char **years = NULL, **days = NULL;
	size_t ny = 0, nd = 0;
	char *state_path = NULL;
	json_t *state = NULL, *fresh = json_object(), *targets = NULL, *by_day = NULL;
	struct buf page = BUF_INIT, index = BUF_INIT, old = BUF_INIT;
	int lock = -1, pfd = -1, rc = -1;
	bool changed = false;
	/* replies and acks under what they answer; a page without them rather than none */
	struct threads threads;
	bool loaded = threads_load(j, THREADS_UPDATE, &threads) == 0;

	memset(rep, 0, sizeof *rep);
	if (!(rep->namespace = export_namespace(ns)))
		goto out;
	if (!fs_is_dir(dir)) {
		errset("%s: not a directory (the wiki's pages directory, such as /var/lib/dokuwiki/data/pages)", dir);
		goto out;
	}
	{
		/* cleanID leaves no empty, "." or ".." part: the pages stay under dir */
		char *rel = xstrdup(rep->namespace);
		for (char *p = rel; *p; p++)
			if (*p == ':')
				*p = '/';
		rep->pagedir = fs_join(dir, rel);
		/* dir is the one the caller named; below it, no link is followed */
		pfd = fs_dir_below(dir, rel, FS_BELOW_MKDIRS, 0755);
		free(rel);
	}
	if (pfd < 0 || (lock = lock_dir(pfd, rep->pagedir)) < 0)
		goto out;
	state_path = fs_join(rep->pagedir, STATE_NAME);
	/* forced, the state still keeps the days not asked for */
	state = force && !only ? json_object() : load_state(state_path, j->tz, rep->namespace);
	targets = force && !only ? json_object() : load_targets(state_path);
	by_day = loaded ? thread_days(j, &threads, targets) : json_object();

	/* newest first: years and days in descending order */
	if (fs_list_dir(j->dir, store_is_year, NULL, true, &years, &ny) < 0)
		goto out;
	for (size_t y = 0; y < ny; y++) {
		char *ydir = journal_path(j, years[y]);
		char **dd;
		size_t n;
		int r = fs_list_dir(ydir, store_is_day_of, years[y], true, &dd, &n);
		free(ydir);
		if (r < 0)
			goto out;
		days = xreallocarray(days, nd + n + 1, sizeof *days);
		memcpy(days + nd, dd, n * sizeof *dd);
		nd += n;
		free(dd);
	}

	for (size_t i = 0; i < nd; i++) {
		char stamp[REC_HASH_LEN + 1], pstamp[96], *name = xasprintf("%s.txt", days[i]);
		char *path = fs_join(rep->pagedir, name);
		json_t *was = json_object_get(state, days[i]), *who = NULL, *entry;

		if (only && !named(days[i], only, nonly)) {
			/* not asked for: as it was (in the index when it was exported before) */
			if (json_is_object(was))
				json_object_set(fresh, days[i], was);
			free(name);
			free(path);
			continue;
		}
		rep->days++;
		if (day_stamp(j, days[i], stamp) < 0) {
			free(name);
			free(path);
			goto out;
		}
		if (json_is_string(json_object_get(by_day, days[i]))) {
			struct buf b = BUF_INIT;
			buf_addf(&b, "%s\n%s", stamp, json_string_value(json_object_get(by_day, days[i])));
			rec_hash(buf_str(&b), b.len, stamp);
			buf_release(&b);
		}
		file_stamp(path, pstamp, sizeof pstamp);
		if (!force && json_is_object(was) && json_is_string(json_object_get(was, "stamp")) &&
		    !strcmp(json_string_value(json_object_get(was, "stamp")), stamp) &&
		    json_is_string(json_object_get(was, "page")) &&
		    !strcmp(json_string_value(json_object_get(was, "page")), pstamp) &&
		    json_is_array(json_object_get(was, "who"))) {
			json_object_set(fresh, days[i], was);
		} else {
			buf_reset(&page);
			buf_reset(&old);
			if (render_day(j, days[i], &page, &who, &rep->warnings, loaded ? &threads : NULL) < 0) {
				free(name);
				free(path);
				goto out;
			}
			/*
			 * A sync that checked the same bytes out again changes the stamp, not the page.
			 * The wiki's directory may be another account's: what is not a regular file
			 * there (a FIFO would block) is replaced like a changed page.
			 */
			if (force || fs_read_regular(path, &old) < 0 || old.len != page.len ||
			    memcmp(old.data, page.data, page.len)) {
				if (write_page(pfd, rep->pagedir, name, &page) < 0) {
					json_decref(who);
					free(name);
					free(path);
					goto out;
				}
				rep->written++;
			}
			file_stamp(path, pstamp, sizeof pstamp);
			entry = json_pack("{s:s,s:s,s:o}", "stamp", stamp, "page", pstamp, "who", who);
			json_object_set_new(fresh, days[i], entry);
			changed = true;
		}
		free(name);
		free(path);
	}

	/* the index: days newest first, with who worked where */
	buf_adds(&index, "====== Admin logbook ======\n\n"
			 "//Written by ''logbook export'' from the journal: edits made here are overwritten.//\n\n");
	for (size_t i = 0; i < nd; i++)
		if (json_object_get(fresh, days[i]))
			index_line(&index, rep->namespace, days[i], json_object_get(json_object_get(fresh, days[i]), "who"));
	{
		char *ipath = fs_join(rep->pagedir, "start.txt");
		buf_reset(&old);
		if (force || fs_read_regular(ipath, &old) < 0 || old.len != index.len ||
		    memcmp(old.data, index.data, index.len)) {
			if (write_page(pfd, rep->pagedir, "start.txt", &index) < 0) {
				free(ipath);
				goto out;
			}
			rep->index_written = true;
		}
		free(ipath);
	}
	if (changed || rep->index_written || force) {
		json_t *top = json_pack("{s:i,s:i,s:s,s:s,s:O,s:O}", "v", 1, "format", EXPORT_FORMAT, "tz", j->tz,
					"namespace", rep->namespace, "days", fresh, "targets", targets);
		char *text = json_dumps(top, JSON_COMPACT | JSON_SORT_KEYS);
		struct buf b = BUF_INIT;
		buf_adds(&b, text);
		buf_addc(&b, '\n');
		free(text);
		json_decref(top);
		if (write_page(pfd, rep->pagedir, STATE_NAME, &b) < 0) {
			buf_release(&b);
			goto out;
		}
		buf_release(&b);
		if (fs_fsync_dir(rep->pagedir) < 0)
			goto out;
	}
	rc = 0;
out:
	if (lock >= 0)
		close(lock);
	if (pfd >= 0)
		close(pfd);
	fs_free_names(years, ny);
	fs_free_names(days, nd);
	free(state_path);
	json_decref(state);
	json_decref(fresh);
	json_decref(targets);
	json_decref(by_day);
	buf_release(&page);
	buf_release(&index);
	buf_release(&old);
	threads_release(&threads);
	return rc;
}

void export_report_free(struct export_report *rep)
{
	free(rep->namespace);
	free(rep->pagedir);
	store_warnings_free(&rep->warnings);
	memset(rep, 0, sizeof *rep);
}

int export_from_conf(struct journal *j, struct export_report *rep)
{
	const char *dir = conf_get(j->conf, "export", NULL, "dokuwiki");
	const char *ns = conf_get(j->conf, "export", NULL, "namespace");
	char *path;
	int rc;

	memset(rep, 0, sizeof *rep);
	if (!dir || !*dir)
		return 0;
	/* a relative directory is the journal's, whatever directory the command runs in */
	path = dir[0] == '/' ? xstrdup(dir) : journal_path(j, dir);
	rc = export_dokuwiki(j, path, ns && *ns ? ns : EXPORT_DEFAULT_NAMESPACE, false, rep);
	free(path);
	return rc < 0 ? -1 : 1;
}
