/*
 * fuzz-day: the two string forms day.c reads, on arbitrary bytes (given as
 * a NUL-terminated copy, and to day_time_parse with their length too).
 *
 * When day_time_parse accepts a string, day_time_format of the instant
 * gives back the same 27 bytes, and the instant has a day page and a
 * clock in the team zone (Europe/Paris, for its daylight saving).  When
 * day_parse accepts a string, the day it gives is a valid day name,
 * day_title names it (ending with its year), and a string that is itself
 * a valid day name is given back unchanged.  When day_point_parse accepts
 * a string, its instant is on the day it names, a whole day starts at
 * day_start and ends after it began, a day spec gives the same day as
 * day_parse, and an age is never after now.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/day.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (day_set_tz("Europe/Paris") < 0)
		abort();
	return 0;
}

static void time_round_trip(const char *s, size_t len)
{
	char out[DAY_TIME_LEN + 1], day[DAY_LEN + 1], clock[9];
	int64_t us;

	if (day_time_parse(s, len, &us) < 0)
		return;
	day_time_format(us, out);
	if (len != DAY_TIME_LEN || memcmp(out, s, len))
		abort();
	if (day_of(us, day) == 0 && !day_valid(day))
		abort();
	day_clock(us, clock);
	if (strlen(clock) != 8)
		abort();
}

static void day_spec(const char *s)
{
	/* 2026-11-24T08:14:03.123456Z: -N reaches back to 1970 and not further */
	const int64_t now = 1795508043123456;
	char out[DAY_LEN + 1], title[64];
	size_t n;

	if (day_parse(s, now, out) < 0) {
		if (day_valid(s))
			abort();
		return;
	}
	if (!day_valid(out))
		abort();
	if (day_valid(s) && strcmp(s, out))
		abort();
	day_title(out, title, sizeof title);
	n = strlen(title);
	if (n < 4 || memcmp(title + n - 4, out, 4) || title[n - 5] != ' ')
		abort();
}

static void point_spec(const char *s)
{
	const int64_t now = 1795508043123456;
	struct day_point p;
	char day[DAY_LEN + 1];
	int64_t start;

	if (day_point_parse(s, now, &p) < 0)
		return;
	if (!day_valid(p.day) || day_of(p.us, day) < 0 || strcmp(day, p.day))
		abort();
	if (p.whole_day) {
		if (day_start(p.day, &start) < 0 || start != p.us || day_point_end(&p) <= p.us)
			abort();
		if (day_parse(s, now, day) < 0 || strcmp(day, p.day))
			abort();
	} else if (day_point_end(&p) != p.us || (strstr(s, " ago") && p.us > now)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	time_round_trip(s, size);
	if (size > DAY_TIME_LEN)
		time_round_trip(s, DAY_TIME_LEN);
	day_spec(s);
	point_spec(s);
	free(s);
	return 0;
}
