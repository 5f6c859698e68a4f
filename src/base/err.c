/*
 * err: the last error message of a library call, and the functions that
 * print messages in the one format every command uses.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/banned.h"

/* one per thread: a command may read files in several (verify) */
static _Thread_local struct buf last = BUF_INIT;

void err_release(void)
{
	buf_release(&last);
}

void errset(const char *fmt, ...)
{
	va_list ap;

	buf_reset(&last);
	va_start(ap, fmt);
	buf_vaddf(&last, fmt, ap);
	va_end(ap);
}

void errset_sys(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	buf_reset(&last);
	va_start(ap, fmt);
	buf_vaddf(&last, fmt, ap);
	va_end(ap);
	buf_addf(&last, ": %s", strerror(saved));
	errno = saved;
}

void errprefix(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	buf_adds(&b, ": ");
	buf_add(&b, buf_str(&last), last.len);
	buf_release(&last);
	last = b;
}

const char *errget(void)
{
	return buf_str(&last);
}

static void vprint(const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "logbook: ");
	buf_vaddf(&b, fmt, ap);
	buf_addc(&b, '\n');
	fflush(stdout);
	fwrite(b.data, 1, b.len, stderr);
	fflush(stderr);
	buf_release(&b);
}

void warn_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	exit(EXIT_FAIL);
}

void die_err(void)
{
	die("%s", errget());
}
