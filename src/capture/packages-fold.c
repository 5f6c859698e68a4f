/*
 * packages-fold: the installed packages of a host as dpkg's status gives
 * them (dpkg-query, through run.c) and as the host's records give them
 * (the last inventory, then each later package record: docs/format.md,
 * "How a reader folds them"), and the release.  Never writes.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "capture/packages-int.h"
#include "journal/record.h"
#include "journal/store.h"
#include "base/banned.h"

/* the helpers packages-int.h declares, then the status and the fold */
const char *pkg_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* element i of an array, as a string ("" when it is not one) */
const char *pkg_at(const json_t *a, size_t i)
{
	const char *s = json_string_value(json_array_get(a, i));
	return s ? s : "";
}

/* "name\tarch": sorts by name, then arch */
char *pkg_key(const char *name, const char *arch)
{
	return xasprintf("%s\t%s", name, arch);
}

/* the installed packages per dpkg-query, as { "name\tarch": [name, arch, version, source, source_version] } */
json_t *pkg_dpkg_status(const struct pkg_opts *o)
{
	char *admindir = xasprintf("--admindir=%s", o->admindir ? o->admindir : PKG_ADMINDIR);
	const char *argv[] = { "dpkg-query", admindir, "-W", "-f=${db:Status-Status}\\t${Package}\\t${Architecture}\\t"
			       "${Version}\\t${source:Package}\\t${source:Version}\\n", NULL };
	struct buf out = BUF_INIT;
	json_t *m = NULL;
	int rc = run_capture(argv, NULL, &out);

	free(admindir);
	if (rc != 0) {
		if (rc > 0)
			errset("dpkg-query -W failed (exit %d)", rc);
		buf_release(&out);
		return NULL;
	}
	m = json_object();
	for (char *p = out.data; p && p < out.data + out.len;) {
		char *nl = memchr(p, '\n', (size_t)(out.data + out.len - p)), *f[6];
		size_t nf = 0;

		if (!nl)
			break;
		*nl = '\0';
		for (char *q = p; nf < 6; nf++) {
			f[nf] = q;
			if (!(q = strchr(q, '\t'))) {
				nf++;
				break;
			}
			*q++ = '\0';
		}
		if (nf == 6 && (!strcmp(f[0], "installed") || !strcmp(f[0], "triggers-pending") ||
				!strcmp(f[0], "triggers-awaited") || !strcmp(f[0], "half-configured")) &&
		    *f[1] && *f[2] && *f[3]) {
			char *k = pkg_key(f[1], f[2]);
			json_object_set_new(m, k, json_pack("[sssss]", f[1], f[2], f[3], *f[4] ? f[4] : f[1],
							    *f[5] ? f[5] : f[3]));
			free(k);
		}
		p = nl + 1;
	}
	buf_release(&out);
	return m;
}

/* apply a package record's changes to fold */
void pkg_fold_apply(json_t *fold, const json_t *changes)
{
	size_t i;
	json_t *c;

	json_array_foreach(changes, i, c) {
		const char *name = pkg_str(c, "name"), *arch = pkg_str(c, "arch"), *action = pkg_str(c, "action");
		char *k = pkg_key(name, arch);

		if (!strcmp(action, "remove") || !strcmp(action, "purge")) {
			json_object_del(fold, k);
		} else if (json_object_get(c, "new")) {
			const char *v = pkg_str(c, "new");
			json_object_set_new(fold, k, json_pack("[sssss]", name, arch, v,
							     json_object_get(c, "source") ? pkg_str(c, "source") : name,
							     json_object_get(c, "source_version") ?
							     pkg_str(c, "source_version") : v));
		}
		free(k);
	}
}

struct fold_scan {
	json_t *recs;		/* [seq, record object] of inventory and package records */
};

static int fold_line(const char *line, size_t len, size_t lineno, void *arg)
{
	struct fold_scan *fs = arg;
	struct record *r;

	(void)lineno;
	/* only the two kinds are parsed */
	if (!memmem(line, len, "\"kind\":\"inventory\"", 18) && !memmem(line, len, "\"kind\":\"package\"", 16))
		return 0;
	if ((r = rec_parse(line, len, false))) {
		if (!strcmp(r->kind, "inventory") || !strcmp(r->kind, "package"))
			json_array_append_new(fs->recs, json_pack("[IO]", (json_int_t)r->seq, rec_obj(r)));
		rec_free(r);
	}
	return 0;
}

static int by_seq(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_array_get(*(json_t *const *)a, 0));
	json_int_t y = json_integer_value(json_array_get(*(json_t *const *)b, 0));
	return x < y ? -1 : x > y;
}

/*
 * The fold of host's records (docs/format.md): { "packages": {...},
 * "inventory": true when the chain holds one }, read from every day file
 * of host: only when the cache is missing.
 */
json_t *pkg_fold_from_journal(struct journal *j, const char *host, int64_t *apt_us, int64_t *dpkg_us)
{
	struct store_days days;
	struct fold_scan fs = { json_array() };
	json_t *fold = json_object(), **v, *pk = json_object();
	size_t n, last_inv = 0;
	bool have_inv = false;

	if (store_list_days(j, &days) == 0) {
		for (size_t i = 0; i < days.n; i++)
			for (size_t h = 0; h < days.days[i].n; h++)
				if (!strcmp(days.days[i].hosts[h], host)) {
					char *rel = store_file_rel(days.days[i].day, host), *path = journal_path(j, rel);
					store_scan_file(path, fold_line, &fs);
					free(path);
					free(rel);
				}
		store_days_free(&days);
	}
	n = json_array_size(fs.recs);
	v = xcalloc(n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(fs.recs, i);
	qsort(v, n, sizeof *v, by_seq);
	*apt_us = *dpkg_us = 0;
	for (size_t i = 0; i < n; i++) {
		const json_t *r = json_array_get(v[i], 1);
		int64_t t;
		if (!strcmp(pkg_str(r, "kind"), "inventory")) {
			have_inv = true;
			last_inv = i;
			continue;
		}
		/* dpkg.log was read to the end of every run (an APT run's lines are its own) */
		if (day_time_parse(*pkg_str(r, "end") ? pkg_str(r, "end") : pkg_str(r, "time"),
				   strlen(*pkg_str(r, "end") ? pkg_str(r, "end") : pkg_str(r, "time")), &t) == 0 && t > *dpkg_us)
			*dpkg_us = t;
		if (strcmp(pkg_str(r, "from"), "dpkg") && day_time_parse(pkg_str(r, "time"), strlen(pkg_str(r, "time")), &t) == 0 &&
		    t > *apt_us)
			*apt_us = t;
	}
	if (have_inv) {
		size_t i;
		json_t *p;
		json_array_foreach(json_object_get(json_array_get(v[last_inv], 1), "packages"), i, p) {
			char *k = pkg_key(pkg_at(p, 0),
					  pkg_at(p, 1));
			json_object_set(pk, k, p);
			free(k);
		}
		for (size_t r = last_inv + 1; r < n; r++)
			pkg_fold_apply(pk, json_object_get(json_array_get(v[r], 1), "changes"));
	}
	free(v);
	json_decref(fs.recs);
	json_object_set_new(fold, "inventory", json_boolean(have_inv));
	json_object_set_new(fold, "packages", pk);
	return fold;
}

/* the installed versions of a and b agree (sources aside: a record may not know them) */
bool pkg_same_versions(const json_t *a, const json_t *b)
{
	const char *k;
	json_t *v;

	if (json_object_size(a) != json_object_size(b))
		return false;
	json_object_foreach((json_t *)a, k, v) {
		json_t *w = json_object_get(b, k);
		if (!w || strcmp(pkg_at(v, 2), pkg_at(w, 2)))
			return false;
	}
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* the packages array of an inventory: sorted by name, then arch */
json_t *pkg_packages_array(const json_t *m)
{
	size_t n = json_object_size(m), i = 0;
	const char **keys = xcalloc(n ? n : 1, sizeof *keys), *k;
	json_t *v, *a = json_array();

	json_object_foreach((json_t *)m, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof *keys, cmp_str);
	for (i = 0; i < n; i++)
		json_array_append(a, json_object_get(m, keys[i]));
	free(keys);
	return a;
}

/* VERSION_CODENAME of os-release; NULL when unknown */
char *pkg_release_codename(void)
{
	static const char *const files[] = { "/etc/os-release", "/usr/lib/os-release" };
	struct buf b = BUF_INIT;
	char *name = NULL;

	for (size_t i = 0; i < 2 && !name; i++) {
		buf_truncate(&b, 0);
		if (fs_read_file(files[i], &b) < 0)
			continue;
		for (const char *p = buf_str(&b); p && *p;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			if (n > 17 && !memcmp(p, "VERSION_CODENAME=", 17)) {
				const char *v = p + 17;
				size_t vn = n - 17;
				if (vn >= 2 && (*v == '"' || *v == '\'') && v[vn - 1] == *v)
					v++, vn -= 2;
				if (vn > 0 && vn <= 64)
					name = xstrndup(v, vn);
				break;
			}
			p = nl ? nl + 1 : NULL;
		}
	}
	buf_release(&b);
	return name;
}

