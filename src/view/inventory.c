/*
 * inventory: the fold of the package records per host (see inventory.h).
 *
 * One walk over the record files, newest day first (store_each_file),
 * keeps per host the "package" records it meets and its best inventory
 * (highest seq); once a file held an inventory, the host's older files are
 * only asked for their last seq.  Then each host is folded: the
 * inventory's packages, then the package records of higher seq in seq
 * order.  A change or an entry that does not read is reported with its
 * file and line and passed over; the rest of the record still applies.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "journal/record.h"
#include "view/inventory.h"
#include "base/banned.h"

struct host_state {
	char host[STORE_HOST_MAX + 1];
	struct record **recs;	/* package records, and the best inventory among them */
	size_t n;
	struct record *inv;	/* the inventory of highest seq so far (in recs) */
	bool inv_done;		/* a file held it: older files matter only past its seq */
};

struct walk {
	const char *only;
	char **paths;		/* the files read, which records' ->path point to */
	size_t npaths;
	struct host_state *hosts;
	size_t n;
	struct store_warnings *warnings;
	/* the file being read */
	struct host_state *cur;
	const char *path;
};

static struct host_state *state_of(struct walk *w, const char *host)
{
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->hosts[i].host, host))
			return &w->hosts[i];
	w->hosts = xreallocarray(w->hosts, w->n + 1, sizeof *w->hosts);
	memset(&w->hosts[w->n], 0, sizeof *w->hosts);
	snprintf(w->hosts[w->n].host, sizeof w->hosts[w->n].host, "%s", host);
	return &w->hosts[w->n++];
}

static int scan_line(const char *line, size_t len, size_t lineno, void *arg)
{
	struct walk *w = arg;
	struct host_state *h = w->cur;
	struct record *r;

	/* the cheap test first: most lines are commands and notes */
	if (!memmem(line, len, "\"package\"", 9) && !memmem(line, len, "\"inventory\"", 11))
		return 0;
	r = rec_parse(line, len, false);
	if (!r) {
		store_warn_add(w->warnings, xasprintf("%s:%zu: %s", w->path, lineno, errget()));
		return 0;
	}
	if ((strcmp(r->kind, "package") && strcmp(r->kind, "inventory")) || strcmp(r->host, h->host) ||
	    (h->inv && r->seq <= h->inv->seq)) {
		rec_free(r);
		return 0;
	}
	r->path = w->path;
	r->lineno = lineno;
	if (!strcmp(r->kind, "inventory")) {
		if (h->inv_done) {
			rec_free(r);	/* an older day's: the newer days' one stands */
			return 0;
		}
		h->inv = r;
	}
	h->recs = xreallocarray(h->recs, h->n + 1, sizeof *h->recs);
	h->recs[h->n++] = r;
	return 0;
}

static int walk_file(const char *day, const char *host, const char *path, void *arg)
{
	struct walk *w = arg;
	struct host_state *h;
	char *owned;

	(void)day;
	if (w->only && strcmp(w->only, host))
		return 0;
	h = state_of(w, host);
	if (h->inv_done) {
		int64_t last = 0;
		int rc = store_file_last_seq(path, &last);
		if (rc < 0)
			store_warn_add(w->warnings, xstrdup(errget()));
		if (rc <= 0 || last <= h->inv->seq)
			return 0;
	}
	/* records point at their path: one copy per file read, freed at the end */
	owned = xstrdup(path);
	w->paths = xreallocarray(w->paths, w->npaths + 1, sizeof *w->paths);
	w->paths[w->npaths++] = owned;
	w->cur = h;
	w->path = owned;
	if (store_scan_file(owned, scan_line, w) < 0)
		store_warn_add(w->warnings, xstrdup(errget()));
	if (h->inv)
		h->inv_done = true;
	return 0;
}

static int cmp_seq(const void *a, const void *b)
{
	const struct record *x = *(struct record *const *)a, *y = *(struct record *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_pkg(const void *a, const void *b)
{
	const struct inv_package *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->arch, y->arch);
}

/* the index of (name, arch) in h, or where it goes (*found false) */
static size_t find_pkg(const struct inv_host *h, const char *name, const char *arch, bool *found)
{
	size_t lo = 0, hi = h->n;
	struct inv_package key = { .name = (char *)name, .arch = (char *)arch };

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_pkg(&key, &h->pkgs[mid]);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*found = false;
	return lo;
}

static void pkg_release(struct inv_package *p)
{
	free(p->name);
	free(p->arch);
	free(p->version);
	free(p->source);
	free(p->source_version);
}

static void set_pkg(struct inv_host *h, const char *name, const char *arch, const char *version,
		    const char *source, const char *source_version)
{
	bool found;
	size_t i = find_pkg(h, name, arch, &found);
	struct inv_package p = { xstrdup(name), xstrdup(arch), xstrdup(version), xstrdup(source),
				 xstrdup(source_version) };

	if (found) {
		pkg_release(&h->pkgs[i]);
	} else {
		h->pkgs = xreallocarray(h->pkgs, h->n + 1, sizeof *h->pkgs);
		memmove(&h->pkgs[i + 1], &h->pkgs[i], (h->n - i) * sizeof *h->pkgs);
		h->n++;
	}
	h->pkgs[i] = p;
}

static void del_pkg(struct inv_host *h, const char *name, const char *arch)
{
	bool found;
	size_t i = find_pkg(h, name, arch, &found);

	if (!found)
		return;
	pkg_release(&h->pkgs[i]);
	memmove(&h->pkgs[i], &h->pkgs[i + 1], (h->n - i - 1) * sizeof *h->pkgs);
	h->n--;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? s : NULL;
}

static void warn_rec(struct store_warnings *w, const struct record *r, const char *fmt, size_t i)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s:%zu: %s record: ", r->path ? r->path : "?", r->lineno, r->kind);
	buf_addf(&b, fmt, i + 1);
	store_warn_add(w, buf_detach(&b, NULL));
}

static void fold_inventory(struct inv_host *h, const struct record *r, struct store_warnings *w)
{
	const json_t *pkgs = rec_get_json(r, "packages"), *e;
	size_t i;

	if (!json_is_array(pkgs)) {
		warn_rec(w, r, "no \"packages\" array (%zu)", 0);
		return;
	}
	h->pkgs = xcalloc(json_array_size(pkgs) + 1, sizeof *h->pkgs);
	json_array_foreach(pkgs, i, e) {
		const char *f[5];
		bool ok = json_is_array(e) && json_array_size(e) == 5;
		for (size_t k = 0; ok && k < 5; k++)
			ok = (f[k] = json_string_value(json_array_get(e, k))) && *f[k];
		if (!ok) {
			warn_rec(w, r, "package %zu is not [name, arch, version, source, source_version]; skipped", i);
			continue;
		}
		h->pkgs[h->n++] = (struct inv_package){ xstrdup(f[0]), xstrdup(f[1]), xstrdup(f[2]), xstrdup(f[3]),
							xstrdup(f[4]) };
	}
	/* sorted by the writer; a reader does not count on it */
	if (h->n > 1)
		qsort(h->pkgs, h->n, sizeof *h->pkgs, cmp_pkg);
	for (size_t k = 1; k < h->n;)
		if (!cmp_pkg(&h->pkgs[k - 1], &h->pkgs[k])) {
			pkg_release(&h->pkgs[k - 1]);
			memmove(&h->pkgs[k - 1], &h->pkgs[k], (h->n - k) * sizeof *h->pkgs);
			h->n--;
		} else {
			k++;
		}
}

static void fold_package(struct inv_host *h, const struct record *r, struct store_warnings *w)
{
	const json_t *changes = rec_get_json(r, "changes"), *c;
	size_t i;

	if (!json_is_array(changes)) {
		warn_rec(w, r, "no \"changes\" array (%zu)", 0);
		return;
	}
	json_array_foreach(changes, i, c) {
		const char *name = str(c, "name"), *arch = str(c, "arch"), *action = str(c, "action");
		if (!name || !arch || !action) {
			warn_rec(w, r, "change %zu has no name, arch or action; skipped", i);
		} else if (!strcmp(action, "remove") || !strcmp(action, "purge")) {
			del_pkg(h, name, arch);
		} else if (!strcmp(action, "install") || !strcmp(action, "upgrade") || !strcmp(action, "downgrade") ||
			   !strcmp(action, "reinstall")) {
			const char *v = str(c, "new");
			if (!v)
				warn_rec(w, r, "change %zu has no \"new\" version; skipped", i);
			else
				set_pkg(h, name, arch, v, str(c, "source") ? str(c, "source") : name,
					str(c, "source_version") ? str(c, "source_version") : v);
		} else {
			warn_rec(w, r, "change %zu has an unknown action; skipped", i);
		}
	}
}

static void fold(struct host_state *s, struct inv_host *h, struct store_warnings *w)
{
	int64_t release_seq = 0;

	memset(h, 0, sizeof *h);
	snprintf(h->host, sizeof h->host, "%s", s->host);
	qsort(s->recs, s->n, sizeof *s->recs, cmp_seq);
	for (size_t i = 0; i < s->n; i++) {
		struct record *r = s->recs[i];
		const char *rel = str(rec_obj(r), "release");
		if (s->inv && r->seq < s->inv->seq)
			continue;	/* history before the last inventory */
		if (i > 0 && r->seq == s->recs[i - 1]->seq)
			continue;	/* the same record twice: a damaged chain, verify reports it */
		if (r == s->inv) {
			fold_inventory(h, r, w);
			h->inventory_seq = r->seq;
		} else {
			fold_package(h, r, w);
		}
		if (rel && r->seq > release_seq) {
			free(h->release);
			h->release = xstrdup(rel);
			release_seq = r->seq;
		}
		h->seq = r->seq;
		h->time = r->time;
	}
}

static int cmp_host(const void *a, const void *b)
{
	return strcmp(((const struct inv_host *)a)->host, ((const struct inv_host *)b)->host);
}

/* the hosts the walk met into out: each one's records folded */
static void finish(struct walk *w, struct inventory *out)
{
	out->hosts = xcalloc(w->n + 1, sizeof *out->hosts);
	for (size_t i = 0; i < w->n; i++) {
		struct host_state *s = &w->hosts[i];
		if (s->n)
			fold(s, &out->hosts[out->n++], &out->warnings);
		for (size_t k = 0; k < s->n; k++)
			rec_free(s->recs[k]);
		free(s->recs);
	}
	free(w->hosts);
	for (size_t i = 0; i < w->npaths; i++)
		free(w->paths[i]);
	free(w->paths);
	if (out->n > 1)
		qsort(out->hosts, out->n, sizeof *out->hosts, cmp_host);
}

int inventory_load(const struct journal *j, const char *host, struct inventory *out)
{
	struct walk w = { .only = host };

	memset(out, 0, sizeof *out);
	w.warnings = &out->warnings;
	if (store_each_file(j, 0, walk_file, &w) < 0)
		return -1;
	finish(&w, out);
	return 0;
}

int inventory_from_recs(const struct pkgrecs *p, const char *host, struct inventory *out)
{
	struct walk w = { .only = host };

	memset(out, 0, sizeof *out);
	w.warnings = &out->warnings;
	/* the lines come in the walk's order: a file's lines one after another */
	for (size_t i = 0; i < p->n; i++) {
		const struct pkgrec *e = &p->v[i];
		if (w.only && strcmp(w.only, e->host))
			continue;
		if (w.cur && w.path != e->path && strcmp(w.path, e->path) && w.cur->inv)
			w.cur->inv_done = true;	/* the end of a file that held one, as walk_file says */
		w.cur = state_of(&w, e->host);
		w.path = e->path;
		scan_line(e->line, e->len, e->lineno, &w);
	}
	finish(&w, out);
	return 0;
}

void inventory_release(struct inventory *inv)
{
	for (size_t i = 0; i < inv->n; i++) {
		for (size_t k = 0; k < inv->hosts[i].n; k++)
			pkg_release(&inv->hosts[i].pkgs[k]);
		free(inv->hosts[i].pkgs);
		free(inv->hosts[i].release);
	}
	free(inv->hosts);
	store_warnings_free(&inv->warnings);
	memset(inv, 0, sizeof *inv);
}

const struct inv_host *inventory_host(const struct inventory *inv, const char *host)
{
	for (size_t i = 0; i < inv->n; i++)
		if (!strcmp(inv->hosts[i].host, host))
			return &inv->hosts[i];
	return NULL;
}
