/*
 * threads: what records say about other records, derived when read:
 * replies (notes with "reply"), things left to do (todo add and done) and
 * who took an alert (ack).  All of it is records in the journal; this
 * module keeps no state of its own but a disposable cache,
 * .state/threads, of the lines of those kinds and how far into the
 * search index it has read them (the index's generation and last row), so
 * that a shell start reads one small file and the rows indexed since, not
 * the journal.  Deleting it loses nothing.  This module never prints and
 * never writes a record.
 */
#ifndef LOGBOOK_THREADS_H
#define LOGBOOK_THREADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/day.h"
#include "journal/journal.h"
#include "journal/ref.h"

#define THREADS_FILE JOURNAL_STATE "/threads"

struct thread_reply {
	char ref[REF_MAX + 1];		/* the reply */
	char target[REF_MAX + 1];	/* what it answers */
	char *admin, *text;		/* text readable, not escaped */
	int64_t time;
};

struct thread_todo {
	char ref[REF_MAX + 1];		/* the add record: what todo done names */
	char *about;			/* the host it is about */
	char *admin, *text, *due;	/* due: a day page, or NULL */
	int64_t time;
	char *done_by;			/* NULL while open */
	int64_t done_time;
};

struct thread_ack {
	char ref[REF_MAX + 1];		/* the ack */
	char *target;			/* HOST:SEQ of an event, or an advisory id */
	char *admin;
	int64_t time;
};

struct threads {
	struct thread_reply *replies;	/* in the order of their time */
	size_t nreplies;
	struct thread_todo *todos;	/* in the order of their time */
	size_t ntodos;
	struct thread_ack *acks;	/* in the order of their time */
	size_t nacks;
};

/*
 * Load every reply, todo and ack of the journal.  How much it may cost:
 *   THREADS_UPDATE  bring the index up to date (building it if need be)
 *                   and read the rows the cache has not seen (all of them
 *                   when the index was rebuilt); keep the cache
 *   THREADS_QUICK   the cache alone while the store and sync wrote
 *                   nothing since it was kept (the hosts' chain heads and
 *                   the refs sync moves are as they were), else the same
 *                   as UPDATE when the index exists and can be brought up
 *                   to date, else the cache as it is: never builds the
 *                   index nor reads record files (a shell start; a file
 *                   restored by hand is seen by the next UPDATE)
 *   THREADS_CACHED  the cache as it is, touching nothing (show only reads;
 *                   every command that writes or syncs such records, and
 *                   news, digest and export, keep the cache up to date)
 *   THREADS_WRITTEN what sync needs after writing records: the cache
 *                   alone while the store and sync wrote nothing since it
 *                   was kept and the index exists, else the same as UPDATE
 *                   (a file restored by hand is seen by the next UPDATE)
 * 0, or -1 and errget().
 */
enum threads_how { THREADS_UPDATE, THREADS_QUICK, THREADS_CACHED, THREADS_WRITTEN };
int threads_load(struct journal *j, enum threads_how how, struct threads *t);
/* the same without reading the cache's records: only brings the cache up to date */
int threads_refresh(struct journal *j, enum threads_how how);
void threads_release(struct threads *t);

/* the replies to ref, in time order: indices into t->replies; the caller frees *out */
size_t threads_replies_to(const struct threads *t, const char *ref, size_t **out);
/* the first ack of target (a reference or an advisory id), or NULL */
const struct thread_ack *threads_ack_of(const struct threads *t, const char *target);
/* the todo whose add record is ref, or NULL */
const struct thread_todo *threads_todo(const struct threads *t, const char *ref);

/*
 * The record ref names, from the index (brought up to date), parsed: *out
 * (rec_free) and 1 when found, 0 when this replica has no such record,
 * -1 and errget() on failure.  day: its day page, when not NULL.
 */
int threads_find(struct journal *j, const struct rec_ref *ref, struct record **out, char day[DAY_LEN + 1]);

/*
 * The open todos as lines for a person: "  web1:42 remove nginx.conf.orig
 * (alice, due 2026_12_10)", text escaped for a terminal (its first line),
 * every open one when host is NULL, else those about host.  Returns how
 * many.
 */
size_t threads_todo_lines(const struct threads *t, const char *host, const char *indent, struct buf *out);

#endif
