/*
 * hitline: one record a search found (view/index.h), on one line for a
 * terminal: day page, local time, HOST:SEQ, admin, kind and the line of
 * its text holding the match (the first line when text is NULL), every
 * byte escaped (render_escape), the match highlighted in colour.  A long
 * line is cut around the match.  This module formats; it never prints.
 */
#ifndef LOGBOOK_HITLINE_H
#define LOGBOOK_HITLINE_H

#include <stdbool.h>

#include "base/buf.h"
#include "view/index.h"

void hitline_format(struct buf *out, const struct index_hit *h, const char *text, bool color);

#endif
