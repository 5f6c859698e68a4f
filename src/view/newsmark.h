/*
 * newsmark: where an admin last looked at the news, .state/news/<admin>
 * (news, and browse's news screen, read and move it): the index's
 * generation and last row id, the time of the look, and each host's chain
 * head then ("head HOST SEQ" lines).  A host only appends, so a record of
 * a host at or below its head was already in this replica at the last
 * look, whatever its time or row says.  This module never prints.
 */
#ifndef LOGBOOK_NEWSMARK_H
#define LOGBOOK_NEWSMARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journal/journal.h"
#include "journal/store.h"
#include "view/index.h"

#define NEWSMARK_DIR JOURNAL_STATE "/news"

struct newsmark {
	char generation[64];
	int64_t last_id, time;
	bool valid;
	struct store_head *heads;	/* each host's head at the look */
	size_t nheads;
};

/*
 * admin's marker, or an invalid one (valid false) when there is none;
 * -1 and errget() ("PATH: not a news marker") when the file holds
 * something else (m is then invalid too).  The caller frees m->heads.
 */
int newsmark_read(struct journal *j, const char *admin, struct newsmark *m);
/* host's head in m, -1 when m has none */
int64_t newsmark_head(const struct newsmark *m, const char *host);
/* keep the place (atomically, mode 0600); -1 and errget() naming the file */
int newsmark_write(struct journal *j, const char *admin, const struct index_position *pos, int64_t now,
		   const struct store_head *heads, size_t nheads);

#endif
