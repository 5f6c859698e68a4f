/*
 * advisories: the announcements in the journal and who still needs them
 * (see advisories.h).
 *
 * Reading: every record file, each line tested for the word "advisory"
 * before it is parsed (an event of a security mail is a few lines a
 * month among thousands of commands); for news and digest, the same
 * lines found through the search index (pkgrecs.h), in the same order.  The records of one id are merged
 * (merge() below) so that no record, whoever wrote it, can make an
 * advisory look done that another one keeps open; a corrected advisory
 * comes with a new id (DSA-5678-2).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "base/day.h"
#include "base/debversion.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "journal/record.h"
#include "journal/store-lines.h"
#include "view/advisories.h"
#include "base/banned.h"

struct walk {
	struct advisories *out;
	const char *path;
};

static struct adv_item *item_of(struct advisories *a, const char *id)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i].a.id, id))
			return &a->v[i];
	return NULL;
}

static void add_name(char ***v, size_t *n, size_t max, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return;
	if (*n >= max)
		return;
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
}

/*
 * Another record of the same id (every host whose MTA got the mail files
 * it, and any replica can write any advisory into its own files): the
 * merge may only make more hosts open, never fewer, whatever the other
 * record says.  So the packages and CVEs are the union; a release has a
 * fix only when every record names one for it, and the highest of those
 * stands.  Copies of one mail are equal and merge to themselves.
 */
static void merge(struct advisory *into, const struct advisory *other)
{
	size_t k = 0;

	for (size_t i = 0; i < other->npackages; i++)
		add_name(&into->packages, &into->npackages, ADVISORY_PACKAGES_MAX, other->packages[i]);
	for (size_t i = 0; i < other->ncves; i++)
		add_name(&into->cves, &into->ncves, ADVISORY_CVES_MAX, other->cves[i]);
	for (size_t i = 0; i < into->nfixed; i++) {
		struct advisory_fixed *f = &into->fixed[i];
		const char *v = advisory_fixed_for(other, f->release);
		int cmp;
		if (!v) {
			free(f->release);
			free(f->version);
			continue;
		}
		/* a version dpkg cannot read stays, and says so when compared */
		if (debversion_compare(v, f->version, &cmp) == 0 && cmp > 0) {
			free(f->version);
			f->version = xstrdup(v);
		}
		into->fixed[k++] = *f;
	}
	into->nfixed = k;
}

static int scan_line(const char *line, size_t len, size_t lineno, void *arg)
{
	struct walk *w = arg;
	struct record *r;
	const json_t *obj;
	struct advisory adv;
	struct adv_item *it;
	const char *subject;

	if (!memmem(line, len, "\"advisory\"", 10))
		return 0;
	r = rec_parse(line, len, false);
	if (!r) {
		store_warn_add(&w->out->warnings, xasprintf("%s:%zu: %s", w->path, lineno, errget()));
		return 0;
	}
	obj = rec_get_json(r, "advisory");
	if (strcmp(r->kind, "event") || !obj) {
		rec_free(r);
		return 0;
	}
	if (advisory_from_json(obj, &adv) < 0) {
		store_warn_add(&w->out->warnings, xasprintf("%s:%zu: %s", w->path, lineno, errget()));
		rec_free(r);
		return 0;
	}
	it = item_of(w->out, adv.id);
	if (it) {
		merge(&it->a, &adv);
		advisory_release(&adv);
		if (r->time >= it->time) {
			rec_free(r);
			return 0;
		}
		free(it->subject);
	} else {
		w->out->v = xreallocarray(w->out->v, w->out->n + 1, sizeof *w->out->v);
		it = &w->out->v[w->out->n++];
		memset(it, 0, sizeof *it);
		it->a = adv;
	}
	/* the first filed gives the date and the subject */
	subject = json_string_value(json_object_get(rec_get_json(r, "mail"), "subject"));
	it->time = r->time;
	it->subject = subject ? xstrdup(subject) : NULL;
	rec_free(r);
	return 0;
}

static int walk_file(const char *day, const char *host, const char *path, void *arg)
{
	struct walk *w = arg;

	(void)day;
	(void)host;
	w->path = path;
	if (store_scan_file(path, scan_line, w) < 0)
		store_warn_add(&w->out->warnings, xstrdup(errget()));
	return 0;
}

static bool is_source_of(const struct advisory *a, const struct inv_package *p)
{
	for (size_t i = 0; i < a->npackages; i++)
		if (!strcmp(a->packages[i], p->source))
			return true;
	return false;
}

static void add_pkg(struct adv_host *h, const struct inv_package *p, const char *fixed, const char *release)
{
	h->pkgs = xreallocarray(h->pkgs, h->npkgs + 1, sizeof *h->pkgs);
	h->pkgs[h->npkgs++] = (struct adv_package){ xstrdup(p->name), xstrdup(p->arch), xstrdup(p->source),
						    xstrdup(p->source_version), fixed ? xstrdup(fixed) : NULL,
						    release ? xstrdup(release) : NULL };
}

/* the worse state wins for the host: a version dpkg cannot read, then below, then no fix */
static void set_state(struct adv_host *h, enum adv_state s)
{
	static const int rank[] = { [ADV_BAD_VERSION] = 3, [ADV_BELOW] = 2, [ADV_UNKNOWN_RELEASE] = 2,
				    [ADV_NO_FIX] = 1 };
	if (h->npkgs == 0 || rank[s] > rank[h->state])
		h->state = s;
}

/* compare p with fix; true when it keeps the advisory open for h */
static bool below(struct adv_host *h, const struct inv_package *p, const char *fix, const char *release,
		  enum adv_state state)
{
	int cmp;

	if (debversion_compare(p->source_version, fix, &cmp) < 0) {
		set_state(h, ADV_BAD_VERSION);
		free(h->why);
		h->why = xstrdup(errget());
		add_pkg(h, p, fix, release);
		return true;
	}
	if (cmp >= 0)
		return false;
	set_state(h, state);
	add_pkg(h, p, fix, release);
	return true;
}

static void host_status(struct adv_item *it, const struct inv_host *ih)
{
	struct adv_host h = { 0 };
	bool affected = false;

	snprintf(h.host, sizeof h.host, "%s", ih->host);
	for (size_t k = 0; k < ih->n; k++) {
		const struct inv_package *p = &ih->pkgs[k];
		const char *fix;
		if (!is_source_of(&it->a, p))
			continue;
		affected = true;
		if (!ih->release) {
			for (size_t f = 0; f < it->a.nfixed; f++)
				if (below(&h, p, it->a.fixed[f].version, it->a.fixed[f].release, ADV_UNKNOWN_RELEASE))
					break;
		} else if ((fix = advisory_fixed_for(&it->a, ih->release))) {
			below(&h, p, fix, ih->release, ADV_BELOW);
		} else {
			set_state(&h, ADV_NO_FIX);
			add_pkg(&h, p, NULL, NULL);
		}
	}
	if (affected)
		it->affected++;
	if (h.npkgs == 0)
		return;
	h.release = ih->release ? xstrdup(ih->release) : NULL;
	it->open = xreallocarray(it->open, it->nopen + 1, sizeof *it->open);
	it->open[it->nopen++] = h;
}

static int cmp_item(const void *a, const void *b)
{
	const struct adv_item *x = a, *y = b;

	if (x->time != y->time)
		return x->time > y->time ? -1 : 1;
	return strcmp(x->a.id, y->a.id);
}

/* sorted, then each advisory's hosts from inv */
static void finish(const struct inventory *inv, struct advisories *out)
{
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, cmp_item);
	/* inv's hosts are sorted: so are each advisory's */
	for (size_t i = 0; i < out->n; i++)
		for (size_t k = 0; k < inv->n; k++)
			host_status(&out->v[i], &inv->hosts[k]);
}

int advisories_load(const struct journal *j, const struct inventory *inv, struct advisories *out)
{
	struct walk w = { .out = out };

	memset(out, 0, sizeof *out);
	if (store_each_file(j, 0, walk_file, &w) < 0)
		return -1;
	finish(inv, out);
	return 0;
}

int advisories_from_recs(const struct pkgrecs *p, const struct inventory *inv, struct advisories *out)
{
	struct walk w = { .out = out };

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < p->n; i++) {
		w.path = p->v[i].path;
		scan_line(p->v[i].line, p->v[i].len, p->v[i].lineno, &w);
	}
	finish(inv, out);
	return 0;
}

int advisories_load_quick(struct journal *j, struct inventory *inv, struct advisories *out)
{
	struct pkgrecs p;
	int rc;

	if (pkgrecs_load(j, &p) < 0) {
		if (inventory_load(j, NULL, inv) < 0)
			return -1;
		rc = advisories_load(j, inv, out);
	} else {
		inventory_from_recs(&p, NULL, inv);
		rc = advisories_from_recs(&p, inv, out);
		pkgrecs_release(&p);
	}
	if (rc < 0)
		inventory_release(inv);
	return rc;
}

/* whether the files hold nothing a reader of them would report that the index's rows cannot show */
static bool files_clean(struct journal *j)
{
	struct store_days days;
	bool clean = false;

	if (store_lines_days(j, &days, &clean) < 0)
		return false;
	store_days_free(&days);
	return clean;
}

int advisories_read(struct journal *j, const char *host, struct inventory *inv, struct advisories *adv)
{
	struct pkgrecs p;

	if (files_clean(j) && pkgrecs_load(j, &p) == 0) {
		inventory_from_recs(&p, host, inv);
		if (adv)
			advisories_from_recs(&p, inv, adv);
		pkgrecs_release(&p);
		return 0;
	}
	if (inventory_load(j, host, inv) < 0)
		return -1;
	if (adv && advisories_load(j, inv, adv) < 0) {
		inventory_release(inv);
		return -1;
	}
	return 0;
}

void advisories_release(struct advisories *a)
{
	for (size_t i = 0; i < a->n; i++) {
		struct adv_item *it = &a->v[i];
		for (size_t h = 0; h < it->nopen; h++) {
			for (size_t p = 0; p < it->open[h].npkgs; p++) {
				struct adv_package *pk = &it->open[h].pkgs[p];
				free(pk->name);
				free(pk->arch);
				free(pk->source);
				free(pk->source_version);
				free(pk->fixed);
				free(pk->release);
			}
			free(it->open[h].pkgs);
			free(it->open[h].release);
			free(it->open[h].why);
		}
		free(it->open);
		free(it->subject);
		advisory_release(&it->a);
	}
	free(a->v);
	store_warnings_free(&a->warnings);
	memset(a, 0, sizeof *a);
}

/* the packages of one host: each source version once ("nginx 1.22.1-9") */
static bool seen_before(const struct adv_host *h, size_t p)
{
	for (size_t k = 0; k < p; k++)
		if (!strcmp(h->pkgs[k].source, h->pkgs[p].source) &&
		    !strcmp(h->pkgs[k].source_version, h->pkgs[p].source_version) &&
		    !strcmp(h->pkgs[k].fixed ? h->pkgs[k].fixed : "", h->pkgs[p].fixed ? h->pkgs[p].fixed : ""))
			return true;
	return false;
}

/* record text, for a terminal: control characters escaped */
static void add_esc(struct buf *out, const char *s)
{
	utf8_escape(out, s, strlen(s), false);
}

void adv_format(const struct adv_item *it, const char *indent, struct buf *out)
{
	char day[DAY_LEN + 1];

	day_of(it->time, day);
	buf_addf(out, "%s  %s ", it->a.id, day);
	for (size_t i = 0; i < it->a.npackages; i++)
		buf_addf(out, " %s", it->a.packages[i]);
	if (adv_done(it))
		buf_addf(out, "  done (%zu host%s)\n", it->affected, it->affected == 1 ? "" : "s");
	else
		buf_addf(out, "  open on %zu host%s\n", it->nopen, it->nopen == 1 ? "" : "s");
	for (size_t h = 0; h < it->nopen; h++) {
		const struct adv_host *oh = &it->open[h];
		for (size_t p = 0; p < oh->npkgs; p++) {
			const struct adv_package *pk = &oh->pkgs[p];
			if (seen_before(oh, p))
				continue;
			/* host names are checked (store_valid_host); the rest is record text */
			buf_addf(out, "%s%-12s ", indent, oh->host);
			add_esc(out, pk->source);
			buf_addc(out, ' ');
			add_esc(out, pk->source_version);
			switch (oh->state) {
			case ADV_NO_FIX:
				buf_adds(out, ": no fixed version for ");
				add_esc(out, oh->release);
				break;
			case ADV_BAD_VERSION:
				buf_adds(out, ": cannot compare: ");
				add_esc(out, oh->why ? oh->why : "?");
				break;
			case ADV_UNKNOWN_RELEASE:
			case ADV_BELOW:
				buf_addf(out, " < %s (%s%s)", pk->fixed, pk->release,
					 oh->state == ADV_BELOW ? "" : "; this host's release is unknown");
				break;
			}
			buf_addc(out, '\n');
		}
	}
}

static const char *state_name(enum adv_state s)
{
	switch (s) {
	case ADV_BELOW: return "below";
	case ADV_NO_FIX: return "no-fixed-version";
	case ADV_UNKNOWN_RELEASE: return "release-unknown";
	case ADV_BAD_VERSION: return "bad-version";
	}
	return "?";
}

void adv_format_json(const struct adv_item *it, struct buf *out)
{
	json_t *o = advisory_to_json(&it->a), *hosts = json_array();
	char t[DAY_TIME_LEN + 1];
	char *s;

	day_time_format(it->time, t);
	json_object_set_new(o, "time", json_string(t));
	if (it->subject)
		json_object_set_new(o, "subject", json_string(it->subject));
	json_object_set_new(o, "done", json_boolean(adv_done(it)));
	json_object_set_new(o, "affected", json_integer((json_int_t)it->affected));
	for (size_t h = 0; h < it->nopen; h++) {
		const struct adv_host *oh = &it->open[h];
		json_t *jh = json_object(), *pk = json_array();
		json_object_set_new(jh, "host", json_string(oh->host));
		json_object_set_new(jh, "state", json_string(state_name(oh->state)));
		json_object_set_new(jh, "release", oh->release ? json_string(oh->release) : json_null());
		if (oh->why)
			json_object_set_new(jh, "why", json_string(oh->why));
		for (size_t p = 0; p < oh->npkgs; p++) {
			const struct adv_package *x = &oh->pkgs[p];
			json_t *jp = json_pack("{s:s,s:s,s:s,s:s}", "name", x->name, "arch", x->arch, "source",
					       x->source, "source_version", x->source_version);
			if (x->fixed)
				json_object_set_new(jp, "fixed", json_string(x->fixed));
			if (x->release)
				json_object_set_new(jp, "fixed_release", json_string(x->release));
			json_array_append_new(pk, jp);
		}
		json_object_set_new(jh, "packages", pk);
		json_array_append_new(hosts, jh);
	}
	json_object_set_new(o, "open", hosts);
	s = json_dumps(o, JSON_COMPACT);
	if (s) {
		buf_adds(out, s);
		buf_addc(out, '\n');
		free(s);
	}
	json_decref(o);
}

int adv_open_text(struct journal *j, const char *heading, const char *indent, struct buf *out)
{
	struct inventory inv;
	struct advisories adv;
	struct buf deeper = BUF_INIT;
	int open = 0;

	if (advisories_load_quick(j, &inv, &adv) < 0)
		return -1;
	buf_addf(&deeper, "%s  ", indent);
	for (size_t i = 0; i < adv.n; i++) {
		if (adv_done(&adv.v[i]))
			continue;
		if (open++ == 0)
			buf_adds(out, heading);
		buf_adds(out, indent);
		adv_format(&adv.v[i], buf_str(&deeper), out);
	}
	buf_release(&deeper);
	advisories_release(&adv);
	inventory_release(&inv);
	return open;
}
