/*
 * Time and day pages.  A record's time is UTC with microseconds, written
 * "2026-11-24T19:14:03.123456Z"; its day page is the calendar date of that
 * instant in the team's time zone, written "2026_11_24".  This module owns
 * both forms and the day and time syntax of the command line (today,
 * yesterday, -N, YYYY_MM_DD, YYYY-MM-DD, a date and a time, HH:MM, 2h
 * ago).  It does not know about files.
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
/*
 * A point in time as the command line writes it (--since, --until), in the
 * local (team) zone, relative to now_us:
 *
 *   a day        today, yesterday, -N (N days ago), YYYY_MM_DD, YYYY-MM-DD
 *   a time       YYYY-MM-DD HH:MM[:SS], YYYY-MM-DDTHH:MM[:SS] (or the date
 *                with underscores), HH:MM[:SS] (today)
 *   an age       N ago with N followed by min, h, d or w (minutes, hours,
 *                days of 24 hours, weeks of 7 days), one space allowed
 *                before the unit: "2h ago", "90 min ago", "3d ago"
 *
 * us is the day's first instant (its local midnight, or the first instant
 * after it when the clocks jump over midnight) or the time given; a wall
 * clock time the clocks skip is the first instant after the jump, one
 * they show twice is the first of the two.  whole_day says a day was
 * named: an end of a range then takes the whole day (day_point_end).
 * -1 and errget() ("'x': not a day or time (...)") when it is none of these.
 */
struct day_point {
	int64_t us;
	char day[DAY_LEN + 1];	/* the day page of us */
	bool whole_day;
};
int day_point_parse(const char *spec, int64_t now_us, struct day_point *p);
/* the end of a range that stops at p: the next day's first instant for a whole day, else p->us (excluded) */
int64_t day_point_end(const struct day_point *p);
/* the first instant of a valid day name in the local zone; -1 and errget() when out of range */
int day_start(const char *day, int64_t *us);
/* the day name after a valid day name (false past 9999) */
bool day_next(const char *day, char out[DAY_LEN + 1]);
/* "Tuesday 24 November 2026" for a valid day name */
void day_title(const char *day, char *out, size_t size);

#endif
