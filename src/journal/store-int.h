/*
 * What the parts of the store (store.c, store-write.c, store-read.c)
 * share and nothing else may include; store.h is the contract.
 */
#ifndef LOGBOOK_STORE_INT_H
#define LOGBOOK_STORE_INT_H

struct store_warnings;

/* add msg (malloc'd, taken over) to w; when w is NULL, free it */
void store_warn_add(struct store_warnings *w, char *msg);

#endif
