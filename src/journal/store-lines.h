/*
 * store-lines: what `days` and the package readers need of every record
 * file without reading it again: its number of lines, and whether one of
 * its complete lines that names a package, an inventory or an advisory
 * does not parse (what inventory.c and advisories.c report as damaged).
 * Kept in a disposable cache per account, .state/lines/<uid>, each
 * file with its inode and the size read up to: a file that grew is read
 * from there on (record files only grow), one with another inode or
 * smaller again from the start.  Every file is stat-ed each time; one
 * that is not a regular file this account can read is opened as the
 * store opens it, for the same warning.  Deleting the cache loses
 * nothing; a cache at root's place that is not root's own, or a link, is
 * never read (fs.h's rule).  This module never prints and never writes a
 * record.
 */
#ifndef LOGBOOK_STORE_LINES_H
#define LOGBOOK_STORE_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "journal/journal.h"
#include "journal/store.h"

#define STORE_LINES_DIR JOURNAL_STATE "/lines"

/*
 * Every day that has record files, newest first, with each host's lines
 * (hosts by name): what store_list_days gives, the same warnings (a file
 * that does not open), from the cache.  *clean is true when every file
 * opened and no complete line naming a package, an inventory or an
 * advisory is damaged: then a reader of those records that sees only the
 * lines that parse (the search index) reports no fewer problems than one
 * that reads the files.  -1 and errget() when a year cannot be listed.
 */
int store_lines_days(struct journal *j, struct store_days *out, bool *clean);

#endif
