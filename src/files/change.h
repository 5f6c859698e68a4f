/*
 * change: what a watched file's change says, as a record and for a
 * terminal.  A `change` record (docs/format.md) holds the path, what
 * changed, the old and new state (type, mode, owner, size, SHA-256 or
 * symlink target) and either the unified diff of the contents, secrets
 * redacted by the file's syntax (redact_file), or a one-line summary when there is no diff to
 * show: a binary, very large or sensitive file (hash only, never
 * content).
 *
 * This module reads contents through baseline.h and formats; it never
 * writes to the journal or the baseline.
 */
#ifndef LOGBOOK_CHANGE_H
#define LOGBOOK_CHANGE_H

#include <stdint.h>

#include "base/buf.h"
#include "capture/redact.h"
#include "files/baseline.h"
#include "journal/journal.h"
#include "journal/record.h"

/* files larger than this get a summary, not a diff */
#define CHANGE_FILE_MAX (4 * 1024 * 1024)
/* a diff longer than this is cut, with the cut said */
#define CHANGE_DIFF_MAX (256 * 1024)

struct change_text {
	struct buf diff;	/* the unified diff, redacted; empty when none */
	struct buf summary;	/* what changed, one line: "content, mode 0644 -> 0600" */
	struct buf note;	/* why there is no diff, or "" */
	size_t redacted;	/* secrets replaced in the diff */
	bool cut;		/* the diff was longer than CHANGE_DIFF_MAX */
};

/* describe c; -1 and errget() only when the journal cannot be read */
int change_text(struct journal *j, const struct redactor *red, const struct change *c, struct change_text *out);
void change_text_release(struct change_text *t);

/* the change record of c, attributed to admin ("unattributed" for scan) */
struct record *change_record(const struct change *c, const struct change_text *t, int64_t time,
			     const char *host, const char *admin, const char *account, const char *session,
			     const char *by);

#endif
