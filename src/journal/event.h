/*
 * event: the records of what machines and scripts report (docs/format.md,
 * the event kind), shared by `logbook event` and `logbook ingest-mail`.
 * This module checks a source and a level and builds the record; it never
 * writes: the command adds the record through the store.
 */
#ifndef LOGBOOK_EVENT_H
#define LOGBOOK_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journal/record.h"

/* the most bytes of text an event keeps; the whole size goes in text_size */
#define EVENT_TEXT_MAX 65536
#define EVENT_SOURCE_MAX 64
#define EVENT_PROPERTY_MAX 64

enum event_level { EVENT_INFO, EVENT_WARNING, EVENT_CRITICAL };

/* "info", "warning", "critical" */
const char *event_level_name(enum event_level l);
/* -1 when name is none of them */
int event_level_parse(const char *name);
/* [A-Za-z0-9._-]{1,64} */
bool event_valid_source(const char *source);
/*
 * A systemd unit name as `logbook unit-failed` accepts it: at most 255
 * bytes of letters, digits and ":-_.\\@", not starting with '-' or '.',
 * ending in a unit type (".service", ".socket", ".mount", ...).  Nothing
 * else reaches systemctl or journalctl.
 */
bool event_valid_unit(const char *unit);
/*
 * The value of property name in `systemctl show` output (len bytes of
 * "Name=value" lines): the first line for it, without its newline, cut to
 * 64 bytes at a character boundary; "" when there is none (allocated).
 */
char *event_unit_property(const char *show, size_t len, const char *name);
/* at most max bytes of s, shortened so that no UTF-8 sequence is split */
size_t event_cut_utf8(const char *s, size_t len, size_t max);

/*
 * A new event record with the common fields, source and level, and text:
 * the first EVENT_TEXT_MAX bytes of data (cut at a character boundary),
 * with text_size = total when less than total bytes are kept (total is the
 * size of the whole message when the caller read only a part of it).
 */
struct record *event_record(int64_t time, const char *host, const char *admin, const char *account,
			    const char *session, const char *source, enum event_level level,
			    const char *data, size_t len, size_t total);

#endif
