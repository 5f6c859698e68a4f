/*
 * block: the marked blocks that `logbook setup` adds to system files
 * (/etc/bash.bashrc, /etc/zsh/zshrc, /etc/aliases) and that `logbook
 * setup --undo` removes, leaving the rest of the file byte for byte as
 * it was:
 *
 *     # >>> logbook >>> added by 'logbook setup'; 'logbook setup --undo' removes it
 *     ...the body...
 *     # <<< logbook <<<
 *
 * A file has at most one block, at its end or at its top, as the caller
 * says (/etc/bash.bashrc's block must come before the line that returns
 * for non-interactive shells).  Adding is idempotent: the same body
 * again changes nothing, another body (or a body edited by hand)
 * replaces the old one in place; a block that is not where the caller
 * wants it (the end of the file, where older setups put it, when the top
 * is asked) is moved there, so the file without it is still the file
 * before setup.  A file that did not end with a newline gets one before
 * a block added at its end, and the begin line says so ("noeol"), so
 * removing the block gives back the exact bytes.  A file whose lines end
 * in CRLF gets a block in CRLF.  A block whose markers were damaged by
 * hand (a begin without its end, an end alone, two blocks) is an error:
 * nothing is guessed, the file is left alone and the message names the
 * line to fix.
 *
 * block_edit_file copies the file to "<file>.logbook-bak" before any
 * change (the pristine file before setup; the file before undo, unless
 * undo gives back exactly that backup, which is then removed), and
 * replaces it atomically with its mode and owner kept.  This module
 * never prints.
 */
#ifndef LOGBOOK_BLOCK_H
#define LOGBOOK_BLOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

#define BLOCK_BEGIN "# >>> logbook >>>"
#define BLOCK_END "# <<< logbook <<<"
#define BLOCK_BACKUP_SUFFIX ".logbook-bak"

/* where a new block goes */
enum block_place {
	BLOCK_AT_END,		/* after the last line: a block found elsewhere stays where it is */
	BLOCK_AT_TOP,		/* before the first line: a block found elsewhere is moved there */
};

/*
 * In text (len bytes), put body (lines ended by "\n"; "" for none) in the
 * block at place, or remove the block when body is NULL (place does not
 * matter then); the result in out.
 * 1 when the text changed, 0 when it did not, -1 and errget() ("line N:
 * why") when the markers are damaged.
 */
int block_apply(const char *text, size_t len, const char *body, enum block_place place, struct buf *out);

/* whether text holds a well-formed block */
bool block_present(const char *text, size_t len);
/* whether text holds a well-formed block on its first line (BLOCK_AT_TOP's place) */
bool block_at_top(const char *text, size_t len);

/*
 * The same on a file, replaced atomically (mode and owner kept; a
 * symlink's target is edited).  A missing file is created (mode 0644)
 * when a body is added, and left missing on removal.  *changed says
 * whether the file was written, *backup (when not NULL) gets the backup's
 * path (allocated) or NULL when none was kept.  -1 and errget().
 */
int block_edit_file(const char *path, const char *body, enum block_place place, bool *changed, char **backup);

#endif
