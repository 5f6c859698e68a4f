/*
 * Errors, OpenBSD style.  Library modules never print and never exit: they
 * return -1 or NULL and leave a one-line message with errset(); the command
 * that called them decides to report it (die, warn) and how to exit.
 * Messages read "<what>: <why>", with "file:line: " in front for data
 * errors; the "logbook: " prefix is added when printed.
 */
#ifndef LOGBOOK_ERR_H
#define LOGBOOK_ERR_H

#include <stdnoreturn.h>

/* exit statuses every command uses */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,	/* the job could not be done */
	EXIT_USAGE = 2,	/* the command line was wrong */
};

/* remember a message for the caller; errset_sys appends ": strerror(errno)" */
void errset(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void errset_sys(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* prefix the remembered message with "<what>: " */
void errprefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* the last message remembered, "" if none; each thread has its own */
const char *errget(void);
/* free the calling thread's message, before the thread ends */
void err_release(void);

/* print "logbook: <message>" on stderr */
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* print and exit with EXIT_FAIL */
noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* print the remembered message and exit with EXIT_FAIL */
noreturn void die_err(void);

#endif
