/*
 * Time and day pages.  A record's time is UTC with microseconds, written
 * "2026-11-24T19:14:03.123456Z"; its day page is the calendar date of that
 * instant in the team's time zone, written "2026_11_24".  This module owns
 * both forms and the day syntax of the command line (today, yesterday,
 * -N, YYYY_MM_DD, YYYY-MM-DD).  It does not know about files.
 *
 * The team time zone is process-wide state (TZ): set it once with
 * day_set_tz before calling the functions that work in local time.
 */
#ifndef LOGBOOK_DAY_H
#define LOGBOOK_DAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DAY_LEN 10		/* "YYYY_MM_DD" */
#define DAY_TIME_LEN 27		/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" */

/* microseconds since the epoch, now */
int64_t day_now_us(void);

/* UTC time <-> its record form; parse accepts exactly the form format writes */
void day_time_format(int64_t us, char out[DAY_TIME_LEN + 1]);
int day_time_parse(const char *s, size_t len, int64_t *us);

/* check that tz names a zone this machine knows and make it the local zone */
int day_set_tz(const char *tz);
/* the system's time zone name, for new journals ("UTC" when unknown); allocated */
char *day_system_tz(void);

/* the day page of an instant, in the local (team) zone */
int day_of(int64_t us, char out[DAY_LEN + 1]);
/* the local wall clock of an instant, "HH:MM:SS" */
void day_clock(int64_t us, char out[9]);

/* a real date written YYYY_MM_DD */
bool day_valid(const char *name);
/* command-line day syntax relative to now; -1 and errget() when unknown */
int day_parse(const char *spec, int64_t now_us, char out[DAY_LEN + 1]);
/* "Tuesday 24 November 2026" for a valid day name */
void day_title(const char *day, char *out, size_t size);

#endif
