/*
 * store: the journal's layout on disk, the names that make it up, and
 * the warnings the store's parts hand back.  The store is cut in two
 * along the line that store.h draws between writers and readers:
 *
 *   store-write.c  the per-host lock, the chain head and its cache,
 *                  torn-line repair, and the begin/add/commit/abort
 *                  transaction: everything done under the lock
 *   store-read.c   scanning files and loading or listing days: never
 *                  takes the lock, sees complete lines only
 *
 * Both name files only through the functions here, so the layout
 * (YYYY/YYYY_MM_DD/<host>.jsonl, a host name fit for a file name) is
 * decided in one place.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "journal/store-int.h"
#include "journal/store.h"
#include "base/banned.h"

bool store_valid_host(const char *host)
{
	size_t n = strlen(host);

	if (n == 0 || n > STORE_HOST_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = host[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return false;
	}
	return true;
}

char *store_file_rel(const char *day, const char *host)
{
	return xasprintf("%.4s/%s/%s.jsonl", day, day, host);
}

void store_warn_add(struct store_warnings *w, char *msg)
{
	if (!w) {
		free(msg);
		return;
	}
	w->msgs = xreallocarray(w->msgs, w->n + 1, sizeof *w->msgs);
	w->msgs[w->n++] = msg;
}

void store_warnv(struct store_warnings *w, const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT;

	buf_vaddf(&b, fmt, ap);
	store_warn_add(w, buf_detach(&b, NULL));
}

void store_warnf(struct store_warnings *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	store_warnv(w, fmt, ap);
	va_end(ap);
}

void store_warnings_free(struct store_warnings *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->msgs[i]);
	free(w->msgs);
	w->msgs = NULL;
	w->n = 0;
}

static bool is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[n] == '\0';
}

bool store_is_year(const char *name, const void *arg)
{
	(void)arg;
	return is_digits(name, 4);
}

bool store_is_day_of(const char *name, const void *year)
{
	return day_valid(name) && !strncmp(name, year, 4);
}


bool store_is_host_file(const char *name, const void *arg)
{
	size_t n = strlen(name);
	char host[STORE_HOST_MAX + 1];

	(void)arg;
	if (n <= 6 || n - 6 > STORE_HOST_MAX || strcmp(name + n - 6, ".jsonl"))
		return false;
	memcpy(host, name, n - 6);
	host[n - 6] = '\0';
	return store_valid_host(host);
}


bool store_file_host(const char *name, char host[STORE_HOST_MAX + 1])
{
	size_t n;

	if (!store_is_host_file(name, NULL))
		return false;
	n = strlen(name) - strlen(".jsonl");
	memcpy(host, name, n);
	host[n] = '\0';
	return true;
}

bool store_is_file_of(const char *rel, const char *host)
{
	char day[DAY_LEN + 1], *want;
	bool ok;

	/* the day stands after "YYYY/"; store_file_rel says the rest */
	if (strlen(rel) < 5 + DAY_LEN)
		return false;
	memcpy(day, rel + 5, DAY_LEN);
	day[DAY_LEN] = '\0';
	if (!day_valid(day))
		return false;
	want = store_file_rel(day, host);
	ok = !strcmp(want, rel);
	free(want);
	return ok;
}
