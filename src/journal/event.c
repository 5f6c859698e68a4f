/*
 * event: build event records (see event.h).  The text is bounded, as a
 * command line is: a script that pipes a whole log in gets its first
 * 64 KiB filed and the full size noted, never a refusal.
 */
#include <string.h>

#include "base/xalloc.h"

#include "journal/event.h"
#include "base/banned.h"

static const char *const level_names[] = { "info", "warning", "critical" };

const char *event_level_name(enum event_level l)
{
	return level_names[l];
}

int event_level_parse(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(name, level_names[i]))
			return i;
	return -1;
}

bool event_valid_source(const char *source)
{
	size_t n = strlen(source);

	return n >= 1 && n <= EVENT_SOURCE_MAX &&
	       strspn(source, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

bool event_valid_unit(const char *unit)
{
	static const char *const types[] = { ".service", ".socket", ".device", ".mount", ".automount", ".swap",
					     ".target", ".path", ".timer", ".slice", ".scope" };
	size_t n = strlen(unit);
	const char *dot = strrchr(unit, '.');

	if (n == 0 || n > 255 || unit[0] == '-' || unit[0] == '.' || !dot || dot == unit ||
	    strspn(unit, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:-_.\\@") != n)
		return false;
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (!strcmp(dot, types[i]))
			return true;
	return false;
}

char *event_unit_property(const char *show, size_t len, const char *name)
{
	size_t n = strlen(name);
	const char *end = show + len;

	for (const char *p = show; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t line = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (line > n && !memcmp(p, name, n) && p[n] == '=') {
			size_t v = line - n - 1;
			return xstrndup(p + n + 1, event_cut_utf8(p + n + 1, v, EVENT_PROPERTY_MAX));
		}
		p += line + 1;
	}
	return xstrdup("");
}

size_t event_cut_utf8(const char *s, size_t len, size_t max)
{
	size_t n = len < max ? len : max;

	/* back off over at most 3 continuation bytes: the start of the cut character */
	if (n < len)
		for (int i = 0; i < 3 && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; i++)
			n--;
	return n;
}

struct record *event_record(int64_t time, const char *host, const char *admin, const char *account,
			    const char *session, const char *source, enum event_level level,
			    const char *data, size_t len, size_t total)
{
	struct record *r = rec_new("event", time, host, admin, account, session);
	size_t kept = event_cut_utf8(data, len, EVENT_TEXT_MAX);

	if (total < len)
		total = len;
	rec_set_text(r, "source", source, strlen(source));
	rec_set_text(r, "level", event_level_name(level), strlen(event_level_name(level)));
	rec_set_text(r, "text", data ? data : "", kept);
	if (kept < total)
		rec_set_int(r, "text_size", (int64_t)total);
	return r;
}
