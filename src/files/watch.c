/*
 * watch: the watch list of a host in team.conf, and its patterns.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "files/watch.h"
#include "base/banned.h"

static void push(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* path lexically normalised: no empty, "." or ".." component, no trailing slash */
static char *normalize(const char *path)
{
	struct buf b = BUF_INIT;
	const char *p = path;

	while (*p) {
		const char *start, *end;
		size_t n;

		while (*p == '/')
			p++;
		start = p;
		while (*p && *p != '/')
			p++;
		end = p;
		n = (size_t)(end - start);
		if (n == 0 || (n == 1 && start[0] == '.'))
			continue;
		if (n == 2 && start[0] == '.' && start[1] == '.') {
			/* lexically: drop the last component, never above "/" */
			char *slash = b.len ? strrchr(b.data, '/') : NULL;
			if (slash)
				buf_truncate(&b, (size_t)(slash - b.data));
			continue;
		}
		buf_addc(&b, '/');
		buf_add(&b, start, n);
	}
	if (b.len == 0)
		buf_addc(&b, '/');
	return buf_detach(&b, NULL);
}

char *watch_normalize(const char *path)
{
	if (!*path) {
		errset("empty path");
		return NULL;
	}
	if (strchr(path, '\n')) {
		errset("a path with a newline cannot be a watch entry");
		return NULL;
	}
	if (*path != '/') {
		errset("not an absolute path");
		return NULL;
	}
	return normalize(path);
}

char *watch_absolute(const char *path, const char *dir)
{
	struct buf b = BUF_INIT;
	char *norm;

	if (*path != '/') {
		buf_adds(&b, dir);
		buf_addc(&b, '/');
	}
	buf_adds(&b, path);
	norm = normalize(buf_str(&b));
	buf_release(&b);
	return norm;
}

static void unique_sorted(char **v, size_t *n)
{
	size_t out = 0;

	if (*n == 0)
		return;
	qsort(v, *n, sizeof *v, cmp_str);
	for (size_t i = 0; i < *n; i++) {
		if (out > 0 && !strcmp(v[out - 1], v[i])) {
			free(v[i]);
			continue;
		}
		v[out++] = v[i];
	}
	*n = out;
}

int watch_load(const struct conf *team, const char *host, struct watch_list *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < team->n; i++) {
		const struct conf_entry *e = &team->entries[i];
		bool is_path, is_sensitive;
		const char *v = e->value;

		if (strcmp(e->section, "watch") || !e->subsection || strcmp(e->subsection, host))
			continue;
		is_path = !strcmp(e->key, "path");
		is_sensitive = !strcmp(e->key, "sensitive");
		if (!is_path && !is_sensitive)
			continue;
		if (!v || !*v) {
			errset("%s:%d: watch.%s.%s needs a value", team->path, e->line, host, e->key);
			goto fail;
		}
		if (strchr(v, '\n')) {
			errset("%s:%d: watch.%s.%s: a value with a newline", team->path, e->line, host, e->key);
			goto fail;
		}
		if (is_sensitive) {
			push(&out->sensitive, &out->nsensitive, xstrdup(v));
		} else if (v[0] == '!') {
			if (!v[1]) {
				errset("%s:%d: watch.%s.path: '!' without a pattern", team->path, e->line, host);
				goto fail;
			}
			push(&out->excludes, &out->nexcludes, xstrdup(v + 1));
		} else {
			char *norm = watch_normalize(v);
			if (!norm) {
				errset("%s:%d: watch.%s.path: '%s' is not an absolute path (nor '!' and a pattern)",
				       team->path, e->line, host, v);
				goto fail;
			}
			push(&out->paths, &out->npaths, norm);
		}
	}
	unique_sorted(out->paths, &out->npaths);
	return 0;
fail:
	watch_free(out);
	return -1;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void watch_free(struct watch_list *w)
{
	free_strings(w->paths, w->npaths);
	free_strings(w->excludes, w->nexcludes);
	free_strings(w->sensitive, w->nsensitive);
	memset(w, 0, sizeof *w);
}

bool watch_match(const char *pattern, const char *path)
{
	const char *subject = path, *wild;

	if (pattern[0] != '/') {
		subject = strrchr(path, '/');
		subject = subject ? subject + 1 : path;
	}
	/*
	 * The common shapes without fnmatch, since a scan matches every
	 * pattern against every name: a literal, "*" + a literal suffix, and
	 * a literal start that already differs.
	 */
	wild = strpbrk(pattern, "*?[\\");
	if (!wild)
		return strcmp(pattern, subject) == 0;
	if (strncmp(pattern, subject, (size_t)(wild - pattern)))
		return false;
	if (wild == pattern && *wild == '*' && !strpbrk(pattern + 1, "*?[\\") && pattern[0] != '/') {
		size_t n = strlen(pattern + 1), m = strlen(subject);
		return m >= n && !memcmp(subject + m - n, pattern + 1, n);
	}
	return fnmatch(pattern, subject, pattern[0] == '/' ? FNM_PATHNAME : 0) == 0;
}

static bool match_any(char *const *patterns, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (watch_match(patterns[i], path))
			return true;
	return false;
}

/* root holds path: equal, or path continues with '/' after it */
static bool holds(const char *root, const char *path)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return path[0] == '/';
	return !strncmp(root, path, n) && (path[n] == '\0' || path[n] == '/');
}

/* the deepest watched path that holds path, or NULL */
static const char *deepest_root(const struct watch_list *w, const char *path)
{
	const char *best = NULL;

	for (size_t i = 0; i < w->npaths; i++)
		if (holds(w->paths[i], path) && (!best || strlen(w->paths[i]) > strlen(best)))
			best = w->paths[i];
	return best;
}

/* patterns match path or one of its directories, down to the first stop bytes (0: up to "/") */
static bool match_up(char *const *patterns, size_t n, const char *path, size_t stop)
{
	char *p;
	bool hit = false;

	if (n == 0)
		return false;
	p = xstrdup(path);
	for (;;) {
		size_t len = strlen(p);
		char *slash;

		if (match_any(patterns, n, p)) {
			hit = true;
			break;
		}
		if (len <= stop || len <= 1)
			break;
		slash = strrchr(p, '/');
		if (!slash)
			break;
		if (slash == p)
			slash[1] = '\0';	/* "/" itself */
		else
			*slash = '\0';
		if (strlen(p) < stop)
			break;
	}
	free(p);
	return hit;
}

bool watch_excluded(const struct watch_list *w, const char *path)
{
	const char *root = deepest_root(w, path);

	return match_up(w->excludes, w->nexcludes, path, root ? strlen(root) : 0);
}

bool watch_watched(const struct watch_list *w, const char *path)
{
	return deepest_root(w, path) != NULL && !watch_excluded(w, path);
}

bool watch_sensitive_name(const struct watch_list *w, const char *path)
{
	return match_up(w->sensitive, w->nsensitive, path, 0);
}

bool watch_sensitive(const struct watch_list *w, const char *path, const struct stat *st)
{
	if ((st->st_mode & (S_IRGRP | S_IROTH)) != (S_IRGRP | S_IROTH) && !S_ISLNK(st->st_mode))
		return true;
	return watch_sensitive_name(w, path);
}

static bool has_entry(const struct conf *c, const char *host, const char *value)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct conf_entry *e = &c->entries[i];
		if (!strcmp(e->section, "watch") && e->subsection && !strcmp(e->subsection, host) &&
		    !strcmp(e->key, "path") && e->value && !strcmp(e->value, value))
			return true;
	}
	return false;
}

int watch_edit(struct journal *j, const char *host, bool add, const char *entry)
{
	char *conf_path = journal_path(j, JOURNAL_CONF);
	char *key = xasprintf("watch.%s.path", host);
	const char *add_argv[] = { "git", "config", "-f", conf_path, "--add", key, entry, NULL };
	const char *rm_argv[] = { "git", "config", "-f", conf_path, "--fixed-value", "--unset-all",
				  key, entry, NULL };
	int rc = -1, status;

	if (!*entry || strchr(entry, '\n')) {
		errset("%s: %s", *entry ? "a value with a newline" : "an empty value",
		       "not a watch entry");
		goto out;
	}
	if (!add && !has_entry(j->conf, host, entry)) {
		errset("%s: not in the watch list of %s", entry, host);
		goto out;
	}
	status = run_capture_env(add ? add_argv : rm_argv, NULL, journal_conf_git_env, NULL);
	if (status < 0) {
		errprefix("git config (is git installed?)");
		goto out;
	}
	if (status == 5 && !add) {
		errset("%s: not in the watch list of %s", entry, host);
		goto out;
	}
	if (status != 0) {
		errset("git config -f %s %s %s failed (exit %d)", conf_path, add ? "--add" : "--unset-all",
		       key, status);
		goto out;
	}
	if (journal_reload_conf(j) < 0)
		goto out;
	rc = 0;
out:
	free(conf_path);
	free(key);
	return rc;
}
