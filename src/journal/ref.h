/*
 * ref: a record's short, stable reference, "HOST:SEQ" (web1:42): the host
 * that wrote it and its place in that host's chain, which never change
 * once written and are the same on every replica.  Replies, todos and
 * acks name the record they are about by it (docs/format.md).  This
 * module only parses and formats; it never reads the journal.
 */
#ifndef LOGBOOK_REF_H
#define LOGBOOK_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journal/store.h"

/* the longest seq a reference spells: 18 digits, below INT64_MAX */
#define REF_SEQ_DIGITS 18
/* "HOST:SEQ" at most */
#define REF_MAX (STORE_HOST_MAX + 1 + REF_SEQ_DIGITS)

struct rec_ref {
	char host[STORE_HOST_MAX + 1];
	int64_t seq;
};

/*
 * Parse len bytes: a valid host name, ':', a seq in decimal (1 or more,
 * no sign, no leading zero, at most REF_SEQ_DIGITS digits), nothing else.
 * -1 and errget() = why.
 */
int ref_parse(const char *s, size_t len, struct rec_ref *out);
/* "HOST:SEQ" of a record */
void ref_format(const char *host, int64_t seq, char out[REF_MAX + 1]);
bool ref_equal(const struct rec_ref *a, const struct rec_ref *b);

#endif
