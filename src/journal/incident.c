/*
 * incident: the incident records and what they add up to (incident.h).
 * The fold is a pure function of the set of records: opens are sorted by
 * time then id, each incident's closes by time, host, seq; a close whose
 * open is missing waits as an orphan, so two replicas that hold the same
 * records derive the same incidents.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "journal/incident.h"
#include "base/banned.h"


bool incident_id_parse(const char *s, char host[STORE_HOST_MAX + 1], int64_t *seq)
{
	const char *colon = strrchr(s, ':');
	size_t hlen;
	int64_t v = 0;

	if (!colon || colon == s || !colon[1])
		return false;
	hlen = (size_t)(colon - s);
	if (hlen > STORE_HOST_MAX)
		return false;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (!store_valid_host(host))
		return false;
	if (colon[1] == '0')
		return false;
	for (const char *p = colon + 1; *p; p++) {
		if (*p < '0' || *p > '9' || p - colon > 18)
			return false;
		v = v * 10 + (*p - '0');
	}
	*seq = v;
	return true;
}

static bool one_line(const char *s, size_t max)
{
	size_t len = strlen(s);

	return len >= 1 && len <= max && utf8_valid(s, len) && !utf8_has_control(s);
}

struct record *incident_open_record(int64_t time, const char *host, const char *admin, const char *account,
				    const char *session, const char *title, char *const *hosts, size_t nhosts)
{
	struct record *r;
	json_t *a;

	if (!one_line(title, INCIDENT_TITLE_MAX))
		return errset("the title must be one line of 1 to %d bytes of text", INCIDENT_TITLE_MAX), NULL;
	if (nhosts > INCIDENT_HOSTS_MAX)
		return errset("at most %d affected hosts", INCIDENT_HOSTS_MAX), NULL;
	for (size_t i = 0; i < nhosts; i++)
		if (!store_valid_host(hosts[i]))
			return errset("'%s' is not a host name", hosts[i]), NULL;
	r = rec_new("incident", time, host, admin, account, session);
	rec_set_text(r, "event", "open", 4);
	rec_set_text(r, "title", title, strlen(title));
	if (nhosts) {
		a = json_array();
		for (size_t i = 0; i < nhosts; i++)
			json_array_append_new(a, json_string(hosts[i]));
		rec_set_json(r, "hosts", a);
	}
	return r;
}

struct record *incident_close_record(int64_t time, const char *host, const char *admin, const char *account,
				     const char *session, const char *id, const char *summary, size_t len)
{
	struct record *r = rec_new("incident", time, host, admin, account, session);

	rec_set_text(r, "event", "close", 5);
	rec_set_text(r, "incident", id, strlen(id));
	rec_set_text(r, "summary", summary, len);
	return r;
}

static int add_open(struct incidents *list, const struct record *rec)
{
	const char *title = rec_get_str(rec, "title", NULL);
	json_t *hosts = rec_get_json(rec, "hosts");
	struct incident *in;
	size_t i;
	json_t *h;

	if (!title)
		return errset("incident open record without a title"), -1;
	if (hosts && (!json_is_array(hosts) || json_array_size(hosts) > INCIDENT_HOSTS_MAX))
		return errset("incident \"hosts\" is not an array of at most %d hosts", INCIDENT_HOSTS_MAX), -1;
	json_array_foreach(hosts, i, h)
		if (!json_is_string(h) || !store_valid_host(json_string_value(h)))
			return errset("incident \"hosts\" holds something that is not a host name"), -1;
	list->v = xreallocarray(list->v, list->n + 1, sizeof *list->v);
	in = &list->v[list->n++];
	memset(in, 0, sizeof *in);
	snprintf(in->id, sizeof in->id, "%s:%" PRId64, rec->host, rec->seq);
	in->host = xstrdup(rec->host);
	in->admin = xstrdup(rec->admin);
	in->opened = rec->time;
	in->seq = rec->seq;
	in->title = xstrdup(title);
	in->nhosts = json_array_size(hosts);
	in->hosts = xcalloc(in->nhosts + 1, sizeof *in->hosts);
	json_array_foreach(hosts, i, h)
		in->hosts[i] = xstrdup(json_string_value(h));
	return 0;
}

static int add_close(struct incidents *list, const struct record *rec)
{
	const char *id = rec_get_str(rec, "incident", NULL);
	struct buf summary = BUF_INIT;
	struct incident_close *c;
	char host[STORE_HOST_MAX + 1];
	int64_t seq;

	if (!id || !incident_id_parse(id, host, &seq))
		return errset("incident close record without a valid \"incident\" id"), -1;
	/* the readable copy (docs/format.md): a summary shows as text, never as bytes with a NUL */
	buf_adds(&summary, rec_get_str(rec, "summary", NULL) ? rec_get_str(rec, "summary", NULL) : "");
	list->orphans = xreallocarray(list->orphans, list->norphans + 1, sizeof *list->orphans);
	list->orphan_ids = xreallocarray(list->orphan_ids, list->norphans + 1, sizeof *list->orphan_ids);
	list->orphan_ids[list->norphans] = xstrdup(id);
	c = &list->orphans[list->norphans++];
	c->host = xstrdup(rec->host);
	c->admin = xstrdup(rec->admin);
	c->time = rec->time;
	c->seq = rec->seq;
	c->summary = buf_detach(&summary, NULL);
	return 0;
}

int incidents_add(struct incidents *list, const struct record *rec)
{
	const char *event;

	if (strcmp(rec->kind, "incident"))
		return 0;
	event = rec_get_str(rec, "event", NULL);
	if (event && !strcmp(event, "open"))
		return add_open(list, rec);
	if (event && !strcmp(event, "close"))
		return add_close(list, rec);
	return errset("incident record whose \"event\" is neither open nor close"), -1;
}

static int cmp_open(const void *a, const void *b)
{
	const struct incident *x = a, *y = b;

	int c;

	if (x->opened != y->opened)
		return x->opened < y->opened ? -1 : 1;
	if ((c = strcmp(x->id, y->id)))
		return c;
	/* one id twice with different texts is a forged or damaged chain: still one answer */
	return strcmp(x->title, y->title);
}

static int cmp_close(const void *a, const void *b)
{
	const struct incident_close *x = a, *y = b;
	int c;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if ((c = strcmp(x->host, y->host)))
		return c;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->summary, y->summary);
}

const struct incident *incidents_find(const struct incidents *list, const char *id)
{
	for (size_t i = 0; i < list->n; i++)
		if (!strcmp(list->v[i].id, id))
			return &list->v[i];
	return NULL;
}

static void close_release(struct incident_close *c)
{
	free(c->host);
	free(c->admin);
	free(c->summary);
}

static void incident_release_one(struct incident *in)
{
	free(in->host);
	free(in->admin);
	free(in->title);
	for (size_t h = 0; in->hosts && h < in->nhosts; h++)
		free(in->hosts[h]);
	free(in->hosts);
	for (size_t c = 0; c < in->ncloses; c++)
		close_release(&in->closes[c]);
	free(in->closes);
}

void incidents_finish(struct incidents *list)
{
	size_t kept = 0;

	if (list->n)
		qsort(list->v, list->n, sizeof *list->v, cmp_open);
	/* the same record twice (a cache and a file) counts once: ids are unique */
	for (size_t i = 0; i < list->n; i++) {
		if (kept && !strcmp(list->v[kept - 1].id, list->v[i].id)) {
			incident_release_one(&list->v[i]);
			continue;
		}
		list->v[kept++] = list->v[i];
	}
	list->n = kept;
	kept = 0;
	for (size_t i = 0; i < list->norphans; i++) {
		struct incident *in = (struct incident *)incidents_find(list, list->orphan_ids[i]);

		if (!in) {
			list->orphans[kept] = list->orphans[i];
			list->orphan_ids[kept++] = list->orphan_ids[i];
			continue;
		}
		in->closes = xreallocarray(in->closes, in->ncloses + 1, sizeof *in->closes);
		in->closes[in->ncloses++] = list->orphans[i];
		free(list->orphan_ids[i]);
	}
	list->norphans = kept;
	for (size_t i = 0; i < list->n; i++) {
		struct incident *in = &list->v[i];
		size_t k = 0;

		if (in->ncloses)
			qsort(in->closes, in->ncloses, sizeof *in->closes, cmp_close);
		for (size_t c = 0; c < in->ncloses; c++) {
			if (k && !cmp_close(&in->closes[k - 1], &in->closes[c])) {
				close_release(&in->closes[c]);
				continue;
			}
			in->closes[k++] = in->closes[c];
		}
		in->ncloses = k;
	}
}

size_t incidents_open(const struct incidents *list, const struct incident **only)
{
	size_t n = 0;

	for (size_t i = 0; i < list->n; i++) {
		if (list->v[i].ncloses)
			continue;
		n++;
		if (only)
			*only = &list->v[i];
	}
	return n;
}

void incidents_release(struct incidents *list)
{
	for (size_t i = 0; i < list->n; i++)
		incident_release_one(&list->v[i]);
	free(list->v);
	for (size_t i = 0; i < list->norphans; i++) {
		close_release(&list->orphans[i]);
		free(list->orphan_ids[i]);
	}
	free(list->orphans);
	free(list->orphan_ids);
	memset(list, 0, sizeof *list);
}

/* ---- finding them in a journal ---- */

/*
 * The cache, .state/incidents/<uid>:
 *
 *   logbook-incidents 2
 *   head <host> <day> <seq>     per host: its newest day file and last seq when read
 *   {...}                       the incident records read, one a line
 *
 * A host only appends, so what changed since is the records of seq above
 * the cached one, in its files of the cached day and after (an incident
 * record is written at the time it is filed).  A host whose seq went
 * down, or a cache that does not parse, means reading everything again.
 */
#define CACHE_MAGIC "logbook-incidents 2\n"
#define CACHE_MAX (64 * 1024 * 1024)
/* below the journal's directory, so that .state itself is checked too (fs.h) */
#define CACHE_DIR JOURNAL_STATE "/incidents"

struct head {
	char host[STORE_HOST_MAX + 1];
	char day[DAY_LEN + 1];
	int64_t seq;
};

struct heads {
	struct head *v;
	size_t n;
};

static struct head *head_of(struct heads *h, const char *host)
{
	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(h->v[i].host, host))
			return &h->v[i];
	return NULL;
}

static struct head *head_add(struct heads *h, const char *host, const char *day, int64_t seq)
{
	struct head *e;

	h->v = xreallocarray(h->v, h->n + 1, sizeof *h->v);
	e = &h->v[h->n++];
	snprintf(e->host, sizeof e->host, "%s", host);
	snprintf(e->day, sizeof e->day, "%s", day);
	e->seq = seq;
	return e;
}

/* newest day first: the first file of a host is its newest */
static int now_head(const char *day, const char *host, const char *path, void *arg)
{
	struct heads *h = arg;
	int64_t seq = 0;

	if (!head_of(h, host) && store_file_last_seq(path, &seq) >= 0)
		head_add(h, host, day, seq);
	return 0;
}

struct scan {
	struct incidents *list;
	struct buf *cache;	/* the lines of incident records, for the cache */
	struct store_warnings *w;
	const struct heads *since;	/* per host, what the cache holds already; NULL: nothing */
	const char *stop;	/* the oldest day any host needs read; "": every day */
	const char *path, *host;
	int64_t after;		/* of the file being read: records above this seq are new */
};

static int scan_line(const char *line, size_t len, size_t lineno, void *arg)
{
	struct scan *s = arg;
	struct record *rec;

	/* cheap first: a record of kind incident holds the word */
	if (!memmem(line, len, "incident", 8))
		return 0;
	rec = rec_parse(line, len, false);
	if (!rec)
		return 0;	/* damaged lines are verify's to report */
	if (!strcmp(rec->kind, "incident") && rec->seq > s->after) {
		if (strcmp(rec->host, s->host))
			store_warn_add(s->w, xasprintf("%s:%zu: incident record of host %s in %s's file: passed over",
						       s->path, lineno, rec->host, s->host));
		else if (incidents_add(s->list, rec) < 0)
			store_warn_add(s->w, xasprintf("%s:%zu: %s: passed over", s->path, lineno, errget()));
		else {
			buf_add(s->cache, line, len);
			buf_addc(s->cache, '\n');
		}
	}
	rec_free(rec);
	return 0;
}

static int scan_file(const char *day, const char *host, const char *path, void *arg)
{
	struct scan *s = arg;
	const struct head *had = s->since ? head_of((struct heads *)s->since, host) : NULL;

	if (strcmp(day, s->stop) < 0)
		return 1;	/* older than any host needs */
	if (had && strcmp(day, had->day) < 0)
		return 0;
	s->path = path;
	s->host = host;
	s->after = had ? had->seq : 0;
	if (store_scan_file(path, scan_line, s) < 0)
		store_warn_add(s->w, xasprintf("%s", errget()));
	return 0;
}

static char *cache_rel(void)
{
	return xasprintf(CACHE_DIR "/%lu", (unsigned long)geteuid());
}

/* the cache's heads and records (into out and lines); -1 when there is none this account owns, or it does not parse */
static int cache_read(const struct journal *j, struct heads *heads, struct incidents *out, struct buf *lines)
{
	char *rel = cache_rel();
	struct buf b = BUF_INIT;
	int fd = fs_open_below(j->dir, rel, O_RDONLY, 0, 0), rc = -1;
	size_t magic = strlen(CACHE_MAGIC);
	const char *p, *end;

	free(rel);
	if (fd < 0)
		return -1;
	if (fs_read_fd(fd, &b, CACHE_MAX) < 0 || b.len < magic || memcmp(b.data, CACHE_MAGIC, magic))
		goto out;
	end = b.data + b.len;
	for (p = b.data + magic; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len;

		if (!nl)
			goto out;
		len = (size_t)(nl - p);
		if (len > 5 && !memcmp(p, "head ", 5)) {
			char host[STORE_HOST_MAX + 1], day[DAY_LEN + 1], *line = xstrndup(p, len);
			long long seq;
			int n = sscanf(line, "head %64s %10s %lld", host, day, &seq);

			free(line);
			if (n != 3 || !store_valid_host(host) || !day_valid(day) || seq < 0 || head_of(heads, host))
				goto out;
			head_add(heads, host, day, seq);
		} else {
			struct record *rec = rec_parse(p, len, false);

			if (!rec || incidents_add(out, rec) < 0) {
				rec_free(rec);
				goto out;
			}
			rec_free(rec);
			buf_add(lines, p, len + 1);
		}
		p = nl + 1;
	}
	rc = 0;
out:
	if (rc < 0) {
		incidents_release(out);
		free(heads->v);
		memset(heads, 0, sizeof *heads);
		buf_reset(lines);
	}
	close(fd);
	buf_release(&b);
	return rc;
}

static void cache_write(const struct journal *j, const struct heads *heads, const struct buf *lines)
{
	char *rel = cache_rel();
	struct buf b = BUF_INIT;
	int dfd = fs_dir_below(j->dir, CACHE_DIR, FS_BELOW_MKDIRS | FS_BELOW_CHMOD, journal_dir_mode(j));

	/* a disposable cache: failing to keep it costs the next reader a scan, nothing more */
	if (dfd >= 0) {
		close(dfd);
		buf_adds(&b, CACHE_MAGIC);
		for (size_t i = 0; i < heads->n; i++)
			buf_addf(&b, "head %s %s %" PRId64 "\n", heads->v[i].host, heads->v[i].day, heads->v[i].seq);
		buf_add(&b, lines->data ? lines->data : "", lines->len);
		(void)fs_write_atomic_below(j->dir, rel, b.data, b.len, 0600, FS_ATOMIC_NO_SYNC);
	}
	free(rel);
	buf_release(&b);
}

/*
 * What the cache lacks: the oldest day a changed host needs read (into
 * stop), "" for every day (a host the cache does not know), or -1 when
 * the cache cannot be extended (a host's seq went down).  0: nothing
 * changed.
 */
static int changed(const struct heads *had, const struct heads *now, char stop[DAY_LEN + 1])
{
	int n = 0;

	snprintf(stop, DAY_LEN + 1, "9999_99_99");
	for (size_t i = 0; i < now->n; i++) {
		const struct head *h = head_of((struct heads *)had, now->v[i].host);

		if (h && h->seq == now->v[i].seq)
			continue;
		if (h && h->seq > now->v[i].seq)
			return -1;
		n++;
		if (!h)
			stop[0] = '\0';
		else if (strcmp(h->day, stop) < 0)
			snprintf(stop, DAY_LEN + 1, "%s", h->day);
	}
	return n;
}

int incidents_load(const struct journal *j, struct incidents *out, struct store_warnings *w, bool keep)
{
	struct heads had = { 0 }, now = { 0 };
	struct buf lines = BUF_INIT;
	struct scan s = { out, &lines, w, NULL, "", NULL, NULL, 0 };
	char stop[DAY_LEN + 1] = "";
	int rc = 0, diff = -1;

	memset(out, 0, sizeof *out);
	if (store_each_file(j, STORE_HEADS_DAYS, now_head, &now) < 0) {
		rc = -1;
		goto done;
	}
	if (cache_read(j, &had, out, &lines) == 0) {
		diff = changed(&had, &now, stop);
		if (diff < 0) {
			incidents_release(out);
			buf_reset(&lines);
		}
	}
	if (diff == 0)
		goto done;
	if (diff > 0) {
		s.since = &had;
		s.stop = stop;
	}
	if (store_each_file(j, 0, scan_file, &s) < 0) {
		rc = -1;
		goto done;
	}
	/* the heads of hosts quiet for longer than the newest day pages stay as they were */
	for (size_t i = 0; diff > 0 && i < had.n; i++)
		if (!head_of(&now, had.v[i].host))
			head_add(&now, had.v[i].host, had.v[i].day, had.v[i].seq);
	if (keep)
		cache_write(j, &now, &lines);
done:
	if (rc < 0)
		incidents_release(out);
	incidents_finish(out);
	free(had.v);
	free(now.v);
	buf_release(&lines);
	return rc;
}
