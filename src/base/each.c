/*
 * each: a list of independent items done on every CPU (each.h).  The
 * threads take the next item under a lock: items of very different
 * sizes (a host of a million records, one of ten) spread by themselves.
 */
#include <pthread.h>
#include <unistd.h>

#include "base/each.h"
#include "base/err.h"
#include "base/banned.h"

#define EACH_THREADS_MAX 8

struct work {
	size_t n, next;
	void (*fn)(size_t i, void *arg);
	void *arg;
	pthread_mutex_t lock;
};

static void take(struct work *w)
{
	for (;;) {
		size_t i;

		pthread_mutex_lock(&w->lock);
		i = w->next++;
		pthread_mutex_unlock(&w->lock);
		if (i >= w->n)
			break;
		w->fn(i, w->arg);
	}
}

static void *thread(void *arg)
{
	take(arg);
	err_release();	/* the thread's last message (err.h) */
	return NULL;
}

void each_on_cpus(size_t n, size_t max, void (*fn)(size_t i, void *arg), void *arg)
{
	struct work w = { n, 0, fn, arg, PTHREAD_MUTEX_INITIALIZER };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t more = cpus > 1 ? (size_t)cpus - 1 : 0, started = 0;
	pthread_t t[EACH_THREADS_MAX - 1];

	if (max < 1)
		max = 1;
	if (more > max - 1)
		more = max - 1;
	if (more > EACH_THREADS_MAX - 1)
		more = EACH_THREADS_MAX - 1;
	if (more > (n ? n - 1 : 0))
		more = n ? n - 1 : 0;
	while (started < more && pthread_create(&t[started], NULL, thread, &w) == 0)
		started++;
	take(&w);
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	pthread_mutex_destroy(&w.lock);
}
