/*
 * team.conf: the journal's shared settings, in the syntax of git's config
 * files so that "git config -f team.conf" reads and edits it too:
 *
 *     [team]
 *         timezone = Europe/Paris
 *     [admin "alice"]
 *         email = alice@example.org
 *
 * This module parses that text into entries (section, subsection, key,
 * value, line) and answers lookups.  It knows no setting's meaning; the
 * modules that use a setting check its value and report the entry's line.
 * Supported: comments (# ;), [section] and [section "subsection"] headers,
 * "key = value" and bare "key" (true), quoted values, the escapes \" \\ \n
 * \t \b, and backslash-newline continuation.  Not supported: include.
 */
#ifndef LOGBOOK_CONF_H
#define LOGBOOK_CONF_H

#include <stddef.h>

struct conf_entry {
	char *section;		/* lower case */
	char *subsection;	/* as written, or NULL */
	char *key;		/* lower case */
	char *value;		/* NULL for a bare key */
	int line;
};

struct conf {
	char *path;
	struct conf_entry *entries;
	size_t n;
	size_t alloc;
};

/* NULL and errget() = "<path>:<line>: <why>" on a syntax error */
struct conf *conf_parse(const char *path, const char *data, size_t len);
struct conf *conf_load(const char *path);
/* the last entry that matches (subsection NULL matches only entries without one) */
const struct conf_entry *conf_lookup(const struct conf *c, const char *section,
				     const char *subsection, const char *key);
/* its value: NULL when absent, "true" for a bare key */
const char *conf_get(const struct conf *c, const char *section,
		     const char *subsection, const char *key);
void conf_free(struct conf *c);

#endif
