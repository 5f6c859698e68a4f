/*
 * mail: one RFC 5322 message turned into an event record (docs/format.md,
 * the event kind's "mail" object), and the team.conf rules that give a
 * mail its level.  Parsing is GMime's (MIME structure, RFC 2047 words,
 * quoted-printable, base64); charsets are converted with iconv.
 *
 * Nothing here refuses a message: whatever is malformed is read as well as
 * it can be and listed under "problems".  This module never touches
 * files; the command adds the record through the store.
 */
#ifndef LOGBOOK_MAIL_H
#define LOGBOOK_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/conf.h"
#include "journal/event.h"
#include "journal/record.h"

/* the most bytes of a message that are parsed; the rest is counted only */
#define MAIL_READ_MAX (64 * 1024 * 1024)
/* the most bytes of a header value or an attachment's name or type kept */
#define MAIL_FIELD_MAX 1024

struct mail_rule;
struct mail_rules {
	struct mail_rule *v;
	size_t n;
};

/*
 * The rules of team.conf ([mail "NAME"] from/to/subject/list/body = REGEX,
 * level = LEVEL), in file order, then the built-in defaults a team.conf
 * rule of the same name replaces.  A rule that is wrong is left out and
 * described in errors, one line each ("team.conf:12: ..."), so that a
 * typo never stops a mail from being filed.
 */
void mail_rules_load(const struct conf *team, struct mail_rules *out, struct buf *errors);
void mail_rules_free(struct mail_rules *r);
/* the built-in rules alone, as "name<TAB>level<TAB>what it matches" lines */
void mail_rules_describe_defaults(struct buf *out);

/*
 * The event record of a message: data is what was read of it (len bytes,
 * at most MAIL_READ_MAX), size the whole message's size.  Never fails.
 * rules may be NULL (level info).
 */
struct record *mail_record(const char *data, size_t len, size_t size, const struct mail_rules *rules,
			   int64_t time, const char *host, const char *account, const char *session);
/* the message id of a record mail_record made, NULL when the mail had none */
const char *mail_message_id(const struct record *r);

/* text/html reduced to readable text (tags dropped, entities decoded) */
void mail_html_to_text(const char *html, size_t len, struct buf *out);

#endif
