/*
 * redact: secrets out of command lines before they reach the journal.
 * Every command an admin types is recorded in a shared, replicated
 * journal, so a password typed on a command line would be copied to every
 * server; this module replaces the secret part of such a command by
 * REDACT_MARKER and keeps every other byte exactly as it was.
 *
 * It owns the rules (built-in ones and the team's patterns from the
 * [redact] section of team.conf) and their compiled form.  It never
 * reads files, never prints and never fails on input: any bytes (invalid
 * UTF-8, NUL, unterminated quotes) give an output.  Its output is stable:
 * redacting it again changes nothing (see docs/redaction.md for the rules
 * and what cannot be caught).
 */
#ifndef LOGBOOK_REDACT_H
#define LOGBOOK_REDACT_H

#include <stddef.h>

#include "base/buf.h"
#include "base/conf.h"

#define REDACT_MARKER "[REDACTED]"
struct redactor;
/* the built-in rules plus the team's own from team (may be NULL): every "pattern" key of the [redact] section, a PCRE2 regex; when it has a capture group, group 1 is what is replaced, else the whole match. NULL and errget() = "<team.conf path>:<line>: bad redact pattern: <pcre2 message> at offset N" */
struct redactor *redact_new(const struct conf *team);
void redact_free(struct redactor *r);
/* append text (any bytes, no NUL inside is not guaranteed: handle len) to out with every secret replaced by REDACT_MARKER; returns how many secrets were replaced */
size_t redact_command(const struct redactor *r, const char *text, size_t len, struct buf *out);
/*
 * The same for the contents of a configuration file (a watched file's
 * diff): the text rules and the team's patterns, and on each line the
 * value of an assignment whose key says secret ("password = x",
 * "DBPassword=x", "secret: x").  Returns how many were replaced.
 */
size_t redact_text(const struct redactor *r, const char *text, size_t len, struct buf *out);
/*
 * A configuration file's content, read by its syntax too: path (may be
 * NULL) names the file, and its name chooses the rules of chap-secrets,
 * .pgpass, .netrc, htpasswd, shadow and sasl_passwd files; every file gets
 * redact_text's rules and the line shapes of env, ini, YAML, "key value"
 * and nginx files (docs/redaction.md, "Secrets in watched files").  A
 * newline is never replaced: the output has the input's lines, one for
 * one, so a diff of two redacted texts still shows which lines changed.
 * Redacting the output again changes nothing.  Returns how many markers
 * were written.
 */
size_t redact_file(const struct redactor *r, const char *path, const char *text, size_t len, struct buf *out);

#endif
