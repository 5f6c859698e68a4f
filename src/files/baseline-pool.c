/*
 * baseline-pool: the threads a scan walks with.
 *
 * The threads of a scan.  Most of a no-change scan is the kernel's
 * fstatat(), one per file, so a scan walks with one thread per CPU, as
 * git's preload-index does: a directory met while the queue is short is
 * handed over (with its open descriptor and the chain of directories
 * above it, for loop detection), else walked at once; the queue is
 * bounded, so are the descriptors.  Each thread fills a struct walk of
 * its own (copied from the scan's, sharing the read-only index, seen and
 * watch list; an index entry is marked by the one thread that meets its
 * path); the results are merged when the queue is empty and all idle.
 *
 * Invariants: while the threads run, the index, seen and the watch list
 * are only read, but for an entry's matched mark, which only the thread
 * that meets its path sets; the queue holds at most pool.max open
 * descriptors; a thread's findings reach the scan's walk only once the
 * thread was joined.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "files/baseline-int.h"
#include "files/baseline.h"
#include "base/banned.h"

#define POOL_THREADS_MAX 8
#define POOL_FILES_PER_THREAD 1000

struct task {
	int fd;
	struct stat st;
	char *path;
	bool private;
	struct dirid *stack;
	size_t depth;
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct task *q;
	size_t n, max;
	size_t busy;
};

/* hand the directory over when the queue is short; false: walk it yourself */
bool baseline_pool_offer(struct walk *wk, int fd, const struct stat *st, bool private)
{
	struct pool *p = wk->pool;
	bool taken = false;

	if (!p)
		return false;
	pthread_mutex_lock(&p->mu);
	if (p->n < p->max) {
		struct task *t = &p->q[p->n++];
		t->fd = fd;
		t->st = *st;
		t->path = xstrdup(buf_str(&wk->path));
		t->private = private;
		t->depth = wk->depth;
		t->stack = xreallocarray(NULL, wk->depth + 1, sizeof *t->stack);
		if (wk->depth)
			memcpy(t->stack, wk->stack, wk->depth * sizeof *t->stack);
		taken = true;
		pthread_cond_signal(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return taken;
}

static void pool_work(struct walk *wk)
{
	struct pool *p = wk->pool;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct task t;

		while (p->n == 0 && p->busy > 0)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->n == 0) {
			pthread_cond_broadcast(&p->cv);
			break;
		}
		t = p->q[--p->n];
		p->busy++;
		pthread_mutex_unlock(&p->mu);

		buf_reset(&wk->path);
		buf_adds(&wk->path, t.path);
		if (wk->stack_alloc < t.depth + 1) {
			wk->stack_alloc = t.depth + 16;
			wk->stack = xreallocarray(wk->stack, wk->stack_alloc, sizeof *wk->stack);
		}
		if (t.depth)
			memcpy(wk->stack, t.stack, t.depth * sizeof *t.stack);
		wk->depth = t.depth;
		wk->rvalid = false;	/* the task's own range is searched from the whole index */
		wk->child_known = false;
		baseline_walk_fd(wk, t.fd, &t.st, t.private);
		free(t.path);
		free(t.stack);

		pthread_mutex_lock(&p->mu);
		p->busy--;
		if (p->n == 0 && p->busy == 0)
			pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
}

static void *pool_thread(void *arg)
{
	pool_work(arg);
	return NULL;
}

/* the per-thread parts of a copy of the scan's walk start empty */
static void walk_helper_init(struct walk *h, const struct walk *wk)
{
	*h = *wk;
	h->path = (struct buf)BUF_INIT;
	h->data = (struct buf)BUF_INIT;
	h->stack = NULL;
	h->depth = h->stack_alloc = 0;
	h->kept = NULL;
	h->nkept = 0;
	h->changes = NULL;
	h->nchanges = h->changes_alloc = 0;
	h->updates = NULL;
	h->nupdates = h->updates_alloc = 0;
	h->files = h->hashed = 0;
	h->objects_written = h->fatal = false;
	memset(&h->own_skipped, 0, sizeof h->own_skipped);
	memset(&h->own_notes, 0, sizeof h->own_notes);
	h->skipped = &h->own_skipped;
	h->notes = &h->own_notes;
}

static void append_msgs(struct store_warnings *to, struct store_warnings *from)
{
	if (from->n == 0)
		return;
	to->msgs = xreallocarray(to->msgs, to->n + from->n, sizeof *to->msgs);
	memcpy(to->msgs + to->n, from->msgs, from->n * sizeof *from->msgs);
	to->n += from->n;
	free(from->msgs);
	memset(from, 0, sizeof *from);
}

/* move what a helper found into the scan's walk, and free the helper's own parts */
static void walk_merge(struct walk *wk, struct walk *h)
{
	if (h->nchanges) {
		wk->changes = xreallocarray(wk->changes, wk->nchanges + h->nchanges, sizeof *wk->changes);
		memcpy(wk->changes + wk->nchanges, h->changes, h->nchanges * sizeof *h->changes);
		wk->nchanges += h->nchanges;
		wk->changes_alloc = wk->nchanges;
	}
	if (h->nupdates) {
		wk->updates = xreallocarray(wk->updates, wk->nupdates + h->nupdates, sizeof *wk->updates);
		memcpy(wk->updates + wk->nupdates, h->updates, h->nupdates * sizeof *h->updates);
		wk->nupdates += h->nupdates;
		wk->updates_alloc = wk->nupdates;
	}
	if (h->nkept) {
		wk->kept = xreallocarray(wk->kept, wk->nkept + h->nkept, sizeof *wk->kept);
		memcpy(wk->kept + wk->nkept, h->kept, h->nkept * sizeof *h->kept);
		wk->nkept += h->nkept;
	}
	append_msgs(wk->skipped, &h->own_skipped);
	append_msgs(wk->notes, &h->own_notes);
	wk->files += h->files;
	wk->hashed += h->hashed;
	free(h->changes);
	free(h->updates);
	free(h->kept);
	free(h->stack);
	buf_release(&h->path);
	buf_release(&h->data);
}

/* walk every watched path with one thread per CPU (see struct pool) */
void baseline_walk_threads(struct walk *wk)
{
	size_t want = wk->idx.n / POOL_FILES_PER_THREAD;

	/* a thread for each POOL_FILES_PER_THREAD files of the baseline, like git's preload, and per CPU */
	if (want >= 2) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		if (ncpu >= 1 && want > (size_t)ncpu)
			want = (size_t)ncpu;
		if (want > POOL_THREADS_MAX)
			want = POOL_THREADS_MAX;
	}
	if (baseline_threads)
		want = baseline_threads < POOL_THREADS_MAX ? baseline_threads : POOL_THREADS_MAX;
	struct walk helpers[POOL_THREADS_MAX];
	pthread_t tids[POOL_THREADS_MAX];
	size_t started = 0;
	struct pool pool;

	if (want < 2) {
		baseline_walk_all(wk, NULL);
		return;
	}
	memset(&pool, 0, sizeof pool);
	pthread_mutex_init(&pool.mu, NULL);
	pthread_cond_init(&pool.cv, NULL);
	pool.max = 4 * want;
	pool.q = xcalloc(pool.max, sizeof *pool.q);
	pool.busy = 1;		/* this thread, walking the watched paths */
	wk->pool = &pool;
	for (size_t i = 0; i + 1 < want; i++) {
		walk_helper_init(&helpers[started], wk);
		if (pthread_create(&tids[started], NULL, pool_thread, &helpers[started]) != 0) {
			walk_merge(wk, &helpers[started]);
			break;
		}
		started++;
	}
	baseline_walk_all(wk, NULL);
	pthread_mutex_lock(&pool.mu);
	pool.busy--;
	pthread_cond_broadcast(&pool.cv);
	pthread_mutex_unlock(&pool.mu);
	pool_work(wk);
	for (size_t i = 0; i < started; i++) {
		pthread_join(tids[i], NULL);
		walk_merge(wk, &helpers[i]);
	}
	wk->pool = NULL;
	free(pool.q);
	pthread_cond_destroy(&pool.cv);
	pthread_mutex_destroy(&pool.mu);
}
