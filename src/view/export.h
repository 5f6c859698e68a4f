/*
 * export: the day pages written into a DokuWiki, as text files in its
 * pages directory.
 *
 *   DIR/NS/YYYY_MM_DD.txt        one page per day (markup.c)
 *   DIR/NS/start.txt             the index: the days, newest first, with
 *                                who worked on which host
 *   DIR/NS/.logbook-export.json  what was exported: per day, a stamp of
 *                                its record files (name, size, mtime,
 *                                inode) and of the page written, and its
 *                                hosts and admins for the index
 *
 * A day is rendered again only when its stamp, the page file, the time
 * zone or the format changed, so an export after a few new records
 * rewrites only the days they touched.  Every file is written to a
 * temporary file in the same directory and renamed over the page: the
 * wiki serves the old page or the new one, never a part.  The state file
 * does not end in .txt, so DokuWiki does not take it for a page.  This
 * module never writes the journal; it returns what it found instead of
 * printing it.
 */
#ifndef LOGBOOK_EXPORT_H
#define LOGBOOK_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "journal/journal.h"
#include "journal/store.h"

#define EXPORT_DEFAULT_NAMESPACE "journal"

struct export_report {
	char *namespace;	/* as DokuWiki cleans it */
	char *pagedir;		/* DIR/NS */
	size_t days;		/* days that have records (of those asked for) */
	size_t written;		/* day pages written */
	bool index_written;
	struct store_warnings warnings;	/* damaged lines, as show reports them */
};

/*
 * A namespace as DokuWiki names it (cleanID): NULL and errget() when
 * nothing is left of it or it is not ASCII (DokuWiki's transliteration
 * of other characters depends on its settings).  Allocated.
 */
char *export_namespace(const char *ns);
/*
 * Export every day of j into the DokuWiki pages directory dir (which
 * must exist), namespace ns; force: every page, whatever the state says.
 * -1 and errget() when a file cannot be read or written.
 */
int export_dokuwiki(struct journal *j, const char *dir, const char *ns, bool force, struct export_report *rep);
/*
 * The same for the days named in only (n of them) alone: the other days'
 * pages are left as they are, and the index lists the days exported now
 * or before.
 */
int export_dokuwiki_days(struct journal *j, const char *dir, const char *ns, bool force, char *const *only, size_t n,
			 struct export_report *rep);
/*
 * Export as team.conf says: export.dokuwiki = DIR (relative: to the
 * journal) and export.namespace (default journal), pages that changed
 * only.  0 when team.conf names no wiki (nothing done, rep empty), 1
 * when exported, -1 and errget() as export_dokuwiki.
 */
int export_from_conf(struct journal *j, struct export_report *rep);
void export_report_free(struct export_report *rep);

#endif
