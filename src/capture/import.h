/*
 * import: an existing shell history (bash or zsh) filed into the journal
 * as cmd records of one admin on one host, redacted like live capture,
 * at the times the history gives (or a time the caller gives when it
 * gives none).
 *
 * Importing the same history again adds only what is new in it: each
 * command carries "import_id", a hash of the history's format, its
 * time, its text and how many times the same (time, text) came before
 * it in the history; a command whose id is already in the day file it
 * would go to is skipped.  Commands typed with a leading space are left
 * out, as the shells leave them out of their own history.  This module
 * never prints; problems the store repaired on the way go to the
 * caller's warnings.
 */
#ifndef LOGBOOK_IMPORT_H
#define LOGBOOK_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "journal/ident.h"
#include "journal/journal.h"
#include "journal/store.h"

enum import_format { IMPORT_BASH, IMPORT_ZSH };

struct import_result {
	size_t added;		/* commands filed */
	size_t skipped;		/* commands an earlier import already filed */
};

/*
 * File the history in data (len bytes, the contents of file) into j as
 * id's commands; commands without a time get default_us.  file names the
 * history: its session ("import-" and a hash of file's real path, so one
 * file's commands group together) and messages.  -1 and errget() when
 * nothing was filed (a time that cannot be filed, the store failed).
 */
int import_history(struct journal *j, const struct ident *id, enum import_format format, const char *file,
		   const char *data, size_t len, int64_t default_us, struct store_warnings *w,
		   struct import_result *res);
/*
 * The same for the history file itself (a regular file of at most
 * 512 MiB), its commands without a time at its modification time.
 */
int import_history_file(struct journal *j, const struct ident *id, enum import_format format, const char *file,
			struct store_warnings *w, struct import_result *res);

#endif
