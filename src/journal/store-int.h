/*
 * What the parts of the store (store.c, store-write.c, store-read.c)
 * share and nothing else may include; store.h is the contract.
 */
#ifndef LOGBOOK_STORE_INT_H
#define LOGBOOK_STORE_INT_H

#include <stdint.h>
#include <sys/types.h>

#include "journal/record.h"

/*
 * The last record of the first size bytes of fd that parses, with the
 * hash of its line (store-write.c).  1 found (*out, when not NULL, is
 * the record, the caller frees it), 0 none, -1 read error.
 */
int store_last_record(int fd, off_t size, int64_t *seq, char hash[REC_HASH_LEN + 1], struct record **out);

/*
 * path opened for reading as a record file: a regular file, no link
 * followed; -1 and errget() ("<path>: why") when not (store-read.c).
 */
int store_open_record_file(const char *path);

#endif
