/*
 * What the files of the baseline share, and nothing outside them may
 * include: baseline.h is the module's contract.  The module is one job
 * cut along its seams:
 *
 *   baseline.c          the public functions: scan, take, rewatch,
 *                       accept, the contents of a change, and how paths
 *                       are shown in messages
 *   baseline-state.c    the files index and seen (parsed, written whole)
 *                       and the lock every writer of them holds
 *   baseline-object.c   SHA-256 in hex and the content-addressed objects
 *   baseline-capture.c  looking at one file: opened without following a
 *                       symlink, hashed, its content kept
 *   baseline-pattern.c  exclusion and sensitive patterns, prepared once
 *   baseline-walk.c     the walk of the watched trees into a struct walk
 *   baseline-pool.c     the threads a scan walks with
 *
 * The invariants stated in baseline.c hold across all of them.
 */
#ifndef LOGBOOK_BASELINE_INT_H
#define LOGBOOK_BASELINE_INT_H


#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "capture/redact.h"
#include "files/baseline.h"
#include "files/watch.h"
#include "journal/journal.h"
#include "journal/store.h"

/* ---- small helpers ---- */

/* qsort, but not on an empty array (whose pointer may be NULL: undefined for qsort) */
static inline void sort_array(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(v, n, size, cmp);
}

static inline int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* root holds path: equal, or path goes on with '/' after it */
static inline bool holds(const char *root, const char *path)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return path[0] == '/';
	return !strncmp(root, path, n) && (path[n] == '\0' || path[n] == '/');
}

static inline void fstate_release(struct fstate *s)
{
	free(s->target);
	s->target = NULL;
}

static inline void fstate_copy(struct fstate *dst, const struct fstate *src)
{
	*dst = *src;
	dst->target = src->target ? xstrdup(src->target) : NULL;
}

static inline bool mode_private(const struct stat *st)
{
	return !S_ISLNK(st->st_mode) && (st->st_mode & (S_IRGRP | S_IROTH)) != (S_IRGRP | S_IROTH);
}

static inline bool dir_private(const struct stat *st)
{
	return (st->st_mode & (S_IXGRP | S_IXOTH)) != (S_IXGRP | S_IXOTH);
}

/* "path: why" into w (may be NULL), the path as messages show it */
void baseline_warn_addf(struct store_warnings *w, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- the index and seen (baseline-state.c) ---- */

struct entry {
	char *path;		/* into the index's text, or allocated when owned */
	struct fstate st;
	bool matched;		/* the walk saw it */
	bool owned;
};

struct index {
	struct entry *v;
	size_t n, alloc;
	unsigned long long generation;
	char *text;		/* the file as read: most paths point into it */
};

struct seen_entry {
	char *path;
	int64_t first_seen;
	unsigned what;
	struct fstate st;	/* the new state; no target */
};

struct seen {
	struct seen_entry *v;
	size_t n;
};

void baseline_entry_free(struct entry *e);
void baseline_index_free(struct index *idx);
int baseline_cmp_entry(const void *a, const void *b);
struct entry *baseline_index_find(const struct index *idx, const char *path);
int baseline_index_load(struct journal *j, struct index *idx);
int baseline_index_generation(struct journal *j, unsigned long long *gen);
int baseline_index_write(struct journal *j, struct index *idx);
void baseline_seen_free(struct seen *s);
struct seen_entry *baseline_seen_find(const struct seen *s, const char *path);
void baseline_seen_load(struct journal *j, struct seen *s);
int baseline_seen_write(struct journal *j, const struct seen *s);
bool baseline_same_change(const struct seen_entry *e, unsigned what, const struct fstate *n);
int baseline_lock(struct journal *j, unsigned wait_ms);
void baseline_unlock(int fd);

/* ---- hashes and objects (baseline-object.c) ---- */

/* md: a SHA-256 digest, SHA256_DIGEST_LENGTH bytes */
void baseline_hex_of(const unsigned char *md, char out[65]);
void baseline_hash_bytes(const char *data, size_t len, char out[65]);
bool baseline_is_hex64(const char *s, size_t len);
char *baseline_object_rel(const char *hash);
int baseline_object_write(struct journal *j, const struct redactor *red, const unsigned char *key, const char *path,
			  const char *hash, const char *data, size_t len, bool *written);
int baseline_object_read(int fd, const char *hash, const char *what, struct buf *out, struct buf *tags);
int baseline_objects_sync(struct journal *j);
void baseline_objects_gc(struct journal *j, const struct index *idx, char **dropped, size_t ndropped);
bool baseline_object_exists(struct journal *j, const char *hash);

/* ---- patterns (baseline-pattern.c) ---- */

enum { PAT_LITERAL, PAT_SUFFIX, PAT_FNMATCH, PAT_WHOLE };

struct pat {
	const char *whole;	/* the pattern as written */
	char *dir;		/* full-path patterns: the part before the last '/'; NULL for base names */
	const char *base;	/* what the name must match */
	size_t len;		/* literal, suffix: its length */
	int kind;		/* PAT_WHOLE: '[' in a full-path pattern, matched on the whole path */
};

struct patset {
	struct pat *v;
	size_t n;
};

void baseline_patset_init(struct patset *ps, char *const *patterns, size_t n);
void baseline_patset_free(struct patset *ps);
size_t baseline_patset_for_dir(const struct patset *ps, const char *dir, const struct pat **active);
bool baseline_patset_match(const struct pat *const *active, size_t n, const char *name, size_t len,
			   const char *path);

/* ---- the walk (baseline-walk.c, baseline-capture.c, baseline-pool.c) ---- */

enum { CAP_OK, CAP_ABSENT, CAP_SKIPPED, CAP_FATAL };

struct walk {
	struct journal *j;
	const struct watch_list *w;	/* NULL: accept, which has no list (mode bits only) */
	int mode;
	const struct watch_list *before;	/* rewatch */
	const char *limit;		/* take: only under this path */
	struct index idx;
	struct seen seen;
	int64_t start_ns;
	struct buf path;
	struct buf data;
	struct dirid {
		dev_t dev;
		ino_t ino;
	} *stack;
	size_t depth, stack_alloc;
	struct stat journal_st;
	bool have_journal;
	char **kept;		/* paths not looked at: their entries stay as they are */
	size_t nkept;
	struct store_warnings *skipped, *notes;
	struct change *changes;
	size_t nchanges, changes_alloc;
	struct entry *updates;	/* new index entries (type 0: drop) */
	size_t nupdates, updates_alloc;
	size_t files, hashed;
	bool objects_written;
	bool fatal;
	/* for the objects (baseline_walk_objects) */
	struct redactor *red;
	char *red_error;	/* why red is NULL: a bad pattern in team.conf */
	unsigned char key[BASELINE_TAG_KEY_LEN];	/* the line tags' key, when have_key */
	bool have_key;
	struct patset excludes, sensitive;	/* of w, prepared (shared by the threads) */
	struct pool *pool;	/* scan: the threads that share the walk, or NULL */
	/* the index entries under the directory being walked: [rlo, rhi), all starting with rplen bytes of its path and '/' */
	size_t rlo, rhi, rplen;
	bool rvalid;
	/* baseline_walk_fd's verdict on the sensitive patterns for the name in wk->path */
	bool child_known, child_sensitive;
	struct store_warnings own_skipped, own_notes;	/* a helper thread's, merged at the end */
};

enum { WALK_SCAN, WALK_TAKE, WALK_REWATCH, WALK_ACCEPT };

int baseline_open_parent(const char *path, const char **name, bool *private, char **link);
int baseline_open_regular(int dfd, const char *name, struct stat *st);
int baseline_capture(struct walk *wk, int dfd, const char *name, const struct stat *lst, bool private,
		     bool store, struct fstate *out);
int baseline_capture_path(struct walk *wk, const char *path, bool was_sensitive, struct fstate *out);

void baseline_walk_init(struct walk *wk, struct journal *j, const struct watch_list *w, int mode);
void baseline_walk_objects(struct walk *wk);
void baseline_walk_release(struct walk *wk);
void baseline_walk_all(struct walk *wk, const char *limit);
void baseline_walk_fd(struct walk *wk, int fd, const struct stat *st, bool private);
bool baseline_is_kept(const struct walk *wk, const char *path);
void baseline_add_update(struct walk *wk, const char *path, const struct fstate *st);
void baseline_add_change(struct walk *wk, const char *path, unsigned what, const struct fstate *old,
			 const struct fstate *new);
bool baseline_sensitive_now(const struct walk *wk, const char *path, const struct stat *st, bool private);

bool baseline_pool_offer(struct walk *wk, int fd, const struct stat *st, bool private);
void baseline_walk_threads(struct walk *wk);

#endif
