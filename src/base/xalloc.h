/*
 * Allocation that cannot fail: every function here either returns usable
 * memory or prints "logbook: out of memory" and exits 1.  Callers never
 * check for NULL.  Nothing here frees on the caller's behalf.
 */
#ifndef LOGBOOK_XALLOC_H
#define LOGBOOK_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* realloc for arrays: checks nmemb * size for overflow */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* malloc'd formatted string, like asprintf(3) without the failure case */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
