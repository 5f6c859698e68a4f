/*
 * history: reading the history files shells keep, for `logbook import`.
 *
 * bash (HISTFILE): one command per line; with HISTTIMEFORMAT set, a line
 * "#<epoch seconds>" before each command, and then a command runs to the
 * next such line, so multi-line commands (lithist) stay whole.
 *
 * zsh (HISTFILE): ": <start>:<elapsed>;<command>" with EXTENDED_HISTORY,
 * else the bare command; a newline inside a command is written as a
 * backslash before it; bytes 0x83-0xff and a few others are "metafied"
 * (0x83 then the byte xor 0x20), undone here.
 *
 * Parsing never fails: what cannot be read as a timestamp is a command.
 * This module only parses; redaction and records are the caller's.
 */
#ifndef LOGBOOK_HISTORY_H
#define LOGBOOK_HISTORY_H

#include <stddef.h>
#include <stdint.h>

struct history_entry {
	char *text;		/* the command's bytes */
	size_t len;
	int64_t start;		/* microseconds since the epoch, -1 when the file does not say */
	int64_t end;		/* -1 when unknown */
	size_t line;		/* where it starts in the file, 1-based */
};

struct history {
	struct history_entry *e;
	size_t n;
};

void history_parse_bash(const char *data, size_t len, struct history *out);
void history_parse_zsh(const char *data, size_t len, struct history *out);
void history_free(struct history *h);

#endif
