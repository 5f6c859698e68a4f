/*
 * fuzz-conf: conf_parse on arbitrary bytes.
 *
 * It must never crash or read past the input (ASan, UBSan).  When it
 * accepts the input, every entry must be well formed: its section is in
 * lower case and made of [a-z0-9.-], its key is in lower case and made of
 * a letter then [a-z0-9-], its subsection and value are valid UTF-8, its
 * line is within the input and not before the previous entry's; and the
 * lookup of each entry, by its own names and by the names in upper case,
 * finds the last entry with those names (this one or a later one) and
 * conf_get gives a value for it.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/conf.h"
#include "base/utf8.h"
#include "base/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_lower_name(const char *s, bool section)
{
	if (!*s || (!section && !(*s >= 'a' && *s <= 'z')))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      (section && *s == '.')))
			return false;
	return true;
}

static char *upper(const char *s)
{
	char *u = xstrdup(s);

	for (char *p = u; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

static bool same_names(const struct conf_entry *a, const struct conf_entry *b)
{
	return !strcmp(a->section, b->section) && !strcmp(a->key, b->key) &&
	       !a->subsection == !b->subsection &&
	       (!a->subsection || !strcmp(a->subsection, b->subsection));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *c = conf_parse("fuzz.conf", (const char *)data, size);
	int lines = 1, last_line = 0;

	if (!c)
		return 0;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	for (size_t i = 0; i < c->n; i++) {
		const struct conf_entry *e = &c->entries[i], *found, *last = NULL;
		const char *value;
		char *section, *key;

		if (!is_lower_name(e->section, true) || !is_lower_name(e->key, false))
			abort();
		if (e->subsection && !utf8_valid(e->subsection, strlen(e->subsection)))
			abort();
		if (e->value && !utf8_valid(e->value, strlen(e->value)))
			abort();
		if (e->line < 1 || e->line > lines || e->line < last_line)
			abort();
		last_line = e->line;

		for (size_t j = i; j < c->n; j++)
			if (same_names(e, &c->entries[j]))
				last = &c->entries[j];
		found = conf_lookup(c, e->section, e->subsection, e->key);
		if (found != last)
			abort();
		section = upper(e->section);
		key = upper(e->key);
		if (conf_lookup(c, section, e->subsection, key) != last)
			abort();
		free(section);
		free(key);
		value = conf_get(c, e->section, e->subsection, e->key);
		if (!value || (last->value ? value != last->value : strcmp(value, "true")))
			abort();
	}
	conf_free(c);
	return 0;
}
