/*
 * each: fn(i, arg) for every i below n, once each, shared among the CPUs:
 * the calling thread and up to max - 1 more (fewer when n is smaller or a
 * thread cannot be started: the work is then done by those there are).
 * Items must be independent; whatever order they finish in, each writes
 * only its own results.  Returns when every item is done.
 */
#ifndef LOGBOOK_EACH_H
#define LOGBOOK_EACH_H

#include <stddef.h>

void each_on_cpus(size_t n, size_t max, void (*fn)(size_t i, void *arg), void *arg);

#endif
