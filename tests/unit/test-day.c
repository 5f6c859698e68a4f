/*
 * day: record times and day pages.  The instants below were computed with
 * date(1) from the Debian tzdata, e.g.
 *     date -u -d 2026-03-29T01:00:00Z +%s                  -> 1774746000
 *     TZ=Europe/Paris date -d @1774746000 '+%F %T %Z'     -> 2026-03-29 03:00:00 CEST
 *     LC_ALL=C date -d 2026-11-24 '+%A %-d %B %Y'         -> Tuesday 24 November 2026
 */
#include "unit.h"

#include <time.h>

#include "base/day.h"
#include "base/err.h"

#define S 1000000LL		/* microseconds in a second */

static void set_tz(const char *tz)
{
	if (day_set_tz(tz) < 0)
		fail_msg("day_set_tz(%s): %s", tz, errget());
}

static void time_format_and_parse_round_trip(void **state)
{
	static const struct {
		int64_t us;
		const char *text;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00.000000Z" },
		{ 1, "1970-01-01T00:00:00.000001Z" },
		{ 951782400 * S, "2000-02-29T00:00:00.000000Z" },
		{ 1709251199 * S + 999999, "2024-02-29T23:59:59.999999Z" },
		{ 1795508043 * S + 123456, "2026-11-24T08:14:03.123456Z" },
		{ 253402300799 * S, "9999-12-31T23:59:59.000000Z" },
		{ 253402300799 * S + 999999, "9999-12-31T23:59:59.999999Z" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char out[DAY_TIME_LEN + 1];
		int64_t us = -1;

		day_time_format(cases[i].us, out);
		assert_string_equal(out, cases[i].text);
		assert_int_equal(day_time_parse(cases[i].text, strlen(cases[i].text), &us), 0);
		assert_int_equal(us, cases[i].us);
	}
}

/* day_time_parse counts days itself: it must agree with timegm on every day it accepts */
static void time_parse_agrees_with_timegm_on_every_day(void **state)
{
	(void)state;
	for (int y = 1970; y <= 9999; y++) {
		for (int m = 1; m <= 12; m++) {
			for (int d = 1; d <= 31; d++) {
				char text[DAY_TIME_LEN + 1];
				struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d,
						 .tm_hour = 23, .tm_min = 59, .tm_sec = 58 };
				int64_t us;

				snprintf(text, sizeof text, "%04d-%02d-%02dT23:59:58.000007Z", y, m, d);
				if (day_time_parse(text, DAY_TIME_LEN, &us) < 0) {
					/* only days that are not, which timegm would move to the next month */
					timegm(&tm);
					assert_int_not_equal(tm.tm_mday, d);
					continue;
				}
				assert_int_equal(us, (int64_t)timegm(&tm) * S + 7);
			}
		}
	}
}

static void time_format_out_of_range_gives_a_fixed_string(void **state)
{
	char out[DAY_TIME_LEN + 1];

	(void)state;
	day_time_format(253402300800 * S, out);		/* year 10000 */
	assert_string_equal(out, "0000-01-01T00:00:00.000000Z");
	/* before the epoch: the fraction is still positive */
	day_time_format(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59.999999Z");
}

static void time_parse_rejects_near_misses(void **state)
{
	static const char *const bad[] = {
		"2026-11-24T08:14:03.123456",		/* no Z */
		"2026-11-24T08:14:03.12345Z",		/* 5 fraction digits */
		"2026-11-24T08:14:03.1234567Z",		/* 7 */
		"2026-11-24T08:14:03Z",
		"2026-13-24T08:14:03.123456Z",		/* month 13 */
		"2026-00-24T08:14:03.123456Z",
		"2026-02-30T08:14:03.123456Z",		/* Feb 30 */
		"2026-02-29T08:14:03.123456Z",		/* not a leap year */
		"2100-02-29T08:14:03.123456Z",		/* a century is not, but for every 400th */
		"2026-11-00T08:14:03.123456Z",
		"2026-11-31T08:14:03.123456Z",
		"2026-11-24T24:00:00.000000Z",
		"2026-11-24T23:60:00.000000Z",
		"2026-11-24T23:59:60.000000Z",		/* leap second */
		"2026-11-24T08:14:03.123456Zx",		/* trailing bytes */
		"2026-11-24T08:14:03.123456Z\n",
		" 2026-11-24T08:14:03.123456Z",		/* leading space */
		" 026-11-24T08:14:03.123456Z",		/* the same length, a space */
		"2026-11-24 08:14:03.123456Z",
		"2026-11-24t08:14:03.123456z",
		"2026-11-24T08:14:03,123456Z",
		"2026-11-24T08:14:03.12345aZ",
		"2026-11-24T08:14:0-.123456Z",
		"+026-11-24T08:14:03.123456Z",
		"2026/11/24T08:14:03.123456Z",
		"1969-12-31T23:59:59.999999Z",		/* before the epoch */
		"0000-01-01T00:00:00.000000Z",		/* what format writes when out of range */
		"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int64_t us = 42;
		if (day_time_parse(bad[i], strlen(bad[i]), &us) == 0)
			fail_msg("'%s' parsed as %lld", bad[i], (long long)us);
		assert_int_equal(us, 42);
	}
	assert_int_equal(day_time_parse("2026-11-24T08:14:03.123456", 26, &(int64_t){ 0 }), -1);
	assert_string_equal(errget(), "bad time '2026-11-24T08:14:03.123456': expected YYYY-MM-DDTHH:MM:SS.uuuuuuZ");
}

static void time_parse_reads_only_len_bytes(void **state)
{
	static const char nul_inside[] = "2026-11-24T08:14:03.12\0" "456Z";
	int64_t us = 0;

	(void)state;
	/* a valid time followed by more text, given its own length */
	assert_int_equal(day_time_parse("2026-11-24T08:14:03.123456Z and more", DAY_TIME_LEN, &us), 0);
	assert_int_equal(us, 1795508043 * S + 123456);
	assert_int_equal(day_time_parse(nul_inside, sizeof nul_inside - 1, &us), -1);
}

static void set_tz_accepts_known_zones(void **state)
{
	(void)state;
	assert_int_equal(day_set_tz("Europe/Paris"), 0);
	assert_string_equal(getenv("TZ"), "Europe/Paris");
	assert_int_equal(day_set_tz("America/Los_Angeles"), 0);
	assert_int_equal(day_set_tz("Etc/GMT+5"), 0);
	assert_int_equal(day_set_tz("UTC"), 0);
	assert_string_equal(getenv("TZ"), "UTC");
}

static void set_tz_rejects_unknown_zones_and_paths(void **state)
{
	static const struct {
		const char *tz;
		const char *error;
	} cases[] = {
		{ "Mars/Olympus_Mons", "unknown time zone 'Mars/Olympus_Mons' (not in /usr/share/zoneinfo; is the tzdata package installed?)" },
		{ "Europe", "unknown time zone 'Europe' (not in /usr/share/zoneinfo; is the tzdata package installed?)" },
		{ "../../etc/passwd", "bad time zone '../../etc/passwd': expected a zone name such as Europe/Paris or UTC" },
		{ "Europe/../../../etc/passwd", "bad time zone 'Europe/../../../etc/passwd': expected a zone name such as Europe/Paris or UTC" },
		{ "/etc/localtime", "bad time zone '/etc/localtime': expected a zone name such as Europe/Paris or UTC" },
		{ "Europe/Paris ", "bad time zone 'Europe/Paris ': expected a zone name such as Europe/Paris or UTC" },
		{ ":Europe/Paris", "bad time zone ':Europe/Paris': expected a zone name such as Europe/Paris or UTC" },
		{ "", "bad time zone '': expected a zone name such as Europe/Paris or UTC" },
	};

	(void)state;
	unsetenv("TZDIR");
	set_tz("UTC");
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		if (day_set_tz(cases[i].tz) == 0)
			fail_msg("'%s' accepted", cases[i].tz);
		if (strcmp(errget(), cases[i].error))
			fail_msg("'%s': got '%s'", cases[i].tz, errget());
	}
	/* a rejected zone leaves the zone that was set */
	assert_string_equal(getenv("TZ"), "UTC");
}

static void system_tz_comes_from_tz_first(void **state)
{
	char *tz;

	(void)state;
	setenv("TZ", ":America/Los_Angeles", 1);
	tz = day_system_tz();
	assert_string_equal(tz, "America/Los_Angeles");
	free(tz);
	set_tz("UTC");
}

static void assert_day_of(int64_t us, const char *day, const char *clock)
{
	char d[DAY_LEN + 1], c[9];

	assert_int_equal(day_of(us, d), 0);
	day_clock(us, c);
	if (strcmp(d, day) || strcmp(c, clock))
		fail_msg("%lld: got %s %s, expected %s %s", (long long)us, d, c, day, clock);
}

static void day_clock_follows_the_zone_and_every_second_of_a_minute(void **state)
{
	char c[9];
	int64_t t = INT64_C(1774745999) * S;	/* 2026-03-29T00:59:59Z: 01:59:59 in Paris, a second before summer time */

	(void)state;
	set_tz("UTC");
	day_clock(t, c);
	assert_string_equal(c, "00:59:59");
	/* the same minute, another zone: not the cached one */
	set_tz("Europe/Paris");
	day_clock(t, c);
	assert_string_equal(c, "01:59:59");
	day_clock(t + S, c);
	assert_string_equal(c, "03:00:00");
	day_clock(t + 2 * S, c);
	assert_string_equal(c, "03:00:01");
	day_clock(t - 59 * S, c);
	assert_string_equal(c, "01:59:00");
	/* before 1970 */
	set_tz("UTC");
	day_clock(-1 * S, c);
	assert_string_equal(c, "23:59:59");
}

static void day_of_follows_paris_into_summer_time(void **state)
{
	(void)state;
	set_tz("Europe/Paris");
	/* 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00 UTC */
	assert_day_of(1774738799 * S + 999999, "2026_03_28", "23:59:59");
	assert_day_of(1774738800 * S, "2026_03_29", "00:00:00");
	assert_day_of(1774745999 * S, "2026_03_29", "01:59:59");
	assert_day_of(1774746000 * S, "2026_03_29", "03:00:00");
	/* that day ends at 22:00 UTC, an hour earlier than the day before */
	assert_day_of(1774821599 * S, "2026_03_29", "23:59:59");
	assert_day_of(1774821600 * S, "2026_03_30", "00:00:00");
	set_tz("UTC");
	assert_day_of(1774821600 * S, "2026_03_29", "22:00:00");
}

static void day_of_follows_paris_back_to_winter_time(void **state)
{
	(void)state;
	set_tz("Europe/Paris");
	/* 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00 UTC */
	assert_day_of(1792879199 * S, "2026_10_24", "23:59:59");
	assert_day_of(1792879200 * S, "2026_10_25", "00:00:00");
	assert_day_of(1792889999 * S, "2026_10_25", "02:59:59");
	assert_day_of(1792890000 * S, "2026_10_25", "02:00:00");
	/* a 25-hour day: it ends at 23:00 UTC */
	assert_day_of(1792969199 * S, "2026_10_25", "23:59:59");
	assert_day_of(1792969200 * S, "2026_10_26", "00:00:00");
	set_tz("UTC");
}

static void the_same_instant_is_on_different_days_in_los_angeles_and_utc(void **state)
{
	(void)state;
	set_tz("America/Los_Angeles");
	assert_day_of(1795575600 * S, "2026_11_24", "19:00:00");
	assert_day_of(1795593599 * S + 999999, "2026_11_24", "23:59:59");
	assert_day_of(1795593600 * S, "2026_11_25", "00:00:00");
	set_tz("UTC");
	assert_day_of(1795575600 * S, "2026_11_25", "03:00:00");
	assert_day_of(0, "1970_01_01", "00:00:00");
}

static void day_of_rejects_days_outside_1970_to_9999(void **state)
{
	char d[DAY_LEN + 1];

	(void)state;
	set_tz("America/Los_Angeles");
	assert_int_equal(day_of(0, d), -1);		/* 1969-12-31 16:00 PST */
	assert_string_equal(errget(), "time out of range");
	set_tz("Europe/Paris");
	assert_int_equal(day_of(253402300799 * S, d), -1);	/* 10000-01-01 00:59:59 CET */
	set_tz("UTC");
	assert_int_equal(day_of(253402300799 * S, d), 0);
	assert_string_equal(d, "9999_12_31");
	assert_int_equal(day_of(-1, d), -1);
}

static void day_now_is_the_real_time(void **state)
{
	struct timespec before, after;
	int64_t now;

	(void)state;
	clock_gettime(CLOCK_REALTIME, &before);
	now = day_now_us();
	clock_gettime(CLOCK_REALTIME, &after);
	assert_true(now >= (int64_t)before.tv_sec * S + before.tv_nsec / 1000);
	assert_true(now <= (int64_t)after.tv_sec * S + after.tv_nsec / 1000);
}

static void day_valid_accepts_real_dates_written_with_underscores(void **state)
{
	static const char *const good[] = {
		"2024_02_29", "2000_02_29", "1970_01_01", "9999_12_31", "2026_11_24", "2026_12_31",
	};
	static const char *const bad[] = {
		"2026_02_29", "2100_02_29", "2026_04_31", "2026_13_01", "2026_00_10", "2026_01_00",
		"1969_12_31", "2026-11-24", "2026_1_24", "2026_11_24 ", " 2026_11_24", "2026_11_24x",
		"2026_11", "", "today", "+026_11_24", "2026_11_2a",
	};

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		if (!day_valid(good[i]))
			fail_msg("'%s' is not valid", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (day_valid(bad[i]))
			fail_msg("'%s' is valid", bad[i]);
}

static void assert_parse(const char *spec, int64_t now, const char *expected)
{
	char out[DAY_LEN + 1];

	if (day_parse(spec, now, out) < 0)
		fail_msg("'%s': %s", spec, errget());
	if (strcmp(out, expected))
		fail_msg("'%s': got %s, expected %s", spec, out, expected);
}

static void day_parse_counts_days_back_from_now(void **state)
{
	const int64_t now = 1772366400 * S;	/* 2026-03-01T12:00:00Z */

	(void)state;
	set_tz("UTC");
	assert_parse("today", now, "2026_03_01");
	assert_parse("yesterday", now, "2026_02_28");
	assert_parse("-0", now, "2026_03_01");
	assert_parse("-1", now, "2026_02_28");
	assert_parse("-01", now, "2026_02_28");
	assert_parse("-400", now, "2025_01_25");
	assert_parse("-20513", now, "1970_01_01");
	/* in a leap year */
	assert_parse("yesterday", 1709253000 * S, "2024_02_29");
}

static void day_parse_starts_from_today_in_the_team_zone(void **state)
{
	const int64_t now = 1795575600 * S;	/* 2026-11-25T03:00:00Z, 19:00 the day before in LA */
	const int64_t after_dst = (1774821600 + 1800) * S;	/* 2026-03-30 00:30 CEST */

	(void)state;
	set_tz("America/Los_Angeles");
	assert_parse("today", now, "2026_11_24");
	assert_parse("yesterday", now, "2026_11_23");
	set_tz("UTC");
	assert_parse("today", now, "2026_11_25");
	/* the 23-hour day is one day like any other */
	set_tz("Europe/Paris");
	assert_parse("today", after_dst, "2026_03_30");
	assert_parse("-1", after_dst, "2026_03_29");
	assert_parse("-2", after_dst, "2026_03_28");
	set_tz("UTC");
}

static void day_parse_takes_dates_in_both_forms(void **state)
{
	(void)state;
	set_tz("UTC");
	assert_parse("2026_11_24", 0, "2026_11_24");
	assert_parse("2026-11-24", 0, "2026_11_24");
	assert_parse("2024-02-29", 0, "2024_02_29");
	assert_parse("9999_12_31", 0, "9999_12_31");
}

static void day_parse_rejects_what_it_does_not_know(void **state)
{
	static const char *const bad[] = {
		"tomorrow", "-", "-1x", "2026_13_01", "", "2026-02-29", "2026_02_29", " -1", "-1 ",
		"+1", "--1", "-0x1", "-1.5", "- 1", "TODAY", "Today", "today ", "2026/11/24",
		"2026_11-24", "20261124", "-99999999999999999999999", "-2928001",
	};
	const int64_t now = 1772366400 * S;
	char out[DAY_LEN + 1];

	(void)state;
	set_tz("UTC");
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char expected[200];

		if (day_parse(bad[i], now, out) == 0)
			fail_msg("'%s' parsed as %s", bad[i], out);
		snprintf(expected, sizeof expected,
			 "bad day '%s': expected today, yesterday, -N (days ago), YYYY_MM_DD or YYYY-MM-DD", bad[i]);
		if (strcmp(errget(), expected))
			fail_msg("'%s': got '%s'", bad[i], errget());
	}
	/* far back, but not too far to count: the day is before the first one */
	assert_int_equal(day_parse("-20514", now, out), -1);
	assert_string_equal(errget(), "bad day '-20514': before 1970");
	assert_int_equal(day_parse("-2928000", now, out), -1);
	assert_string_equal(errget(), "bad day '-2928000': before 1970");
}

static void day_title_names_weekday_day_month_and_year(void **state)
{
	static const struct {
		const char *day, *title;
	} cases[] = {
		{ "2026_11_24", "Tuesday 24 November 2026" },
		{ "2024_02_29", "Thursday 29 February 2024" },
		{ "1970_01_01", "Thursday 1 January 1970" },
		{ "2000_01_01", "Saturday 1 January 2000" },
		{ "9999_12_31", "Friday 31 December 9999" },
		/* not a day: given back as it is */
		{ "2026_02_30", "2026_02_30" },
		{ "notes", "notes" },
	};
	char out[64];

	(void)state;
	set_tz("Pacific/Kiritimati");	/* UTC+14: the title does not depend on the zone */
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		day_title(cases[i].day, out, sizeof out);
		assert_string_equal(out, cases[i].title);
	}
	set_tz("UTC");
}

/* now: 2026-12-05T13:00:00Z, a Saturday */
#define NOW_DEC5 (1796475600 * S)

static void assert_point(const char *spec, int64_t now, int64_t us, const char *day, bool whole_day)
{
	struct day_point p;

	if (day_point_parse(spec, now, &p) < 0)
		fail_msg("day_point_parse(%s): %s", spec, errget());
	if (p.us != us)
		fail_msg("day_point_parse(%s): %lld, expected %lld", spec, (long long)p.us, (long long)us);
	assert_string_equal(p.day, day);
	assert_int_equal(p.whole_day, whole_day);
}

static void point_parse_takes_days_times_and_ages(void **state)
{
	(void)state;
	set_tz("UTC");
	assert_point("today", NOW_DEC5, 1796428800 * S, "2026_12_05", true);
	assert_point("yesterday", NOW_DEC5, (1796428800 - 86400) * S, "2026_12_04", true);
	assert_point("-3", NOW_DEC5, (1796428800 - 3 * 86400) * S, "2026_12_02", true);
	assert_point("2026_12_05", NOW_DEC5, 1796428800 * S, "2026_12_05", true);
	assert_point("2026-12-05", NOW_DEC5, 1796428800 * S, "2026_12_05", true);
	assert_point("2026-12-05 14:00", NOW_DEC5, 1796479200 * S, "2026_12_05", false);
	assert_point("2026-12-05T14:00", NOW_DEC5, 1796479200 * S, "2026_12_05", false);
	assert_point("2026_12_05 14:00:07", NOW_DEC5, (1796479200 + 7) * S, "2026_12_05", false);
	assert_point("14:00", NOW_DEC5, 1796479200 * S, "2026_12_05", false);
	assert_point("00:00:01", NOW_DEC5, (1796428800 + 1) * S, "2026_12_05", false);
	assert_point("2h ago", NOW_DEC5, NOW_DEC5 - 7200 * S, "2026_12_05", false);
	assert_point("2 h ago", NOW_DEC5, NOW_DEC5 - 7200 * S, "2026_12_05", false);
	assert_point("90min ago", NOW_DEC5, NOW_DEC5 - 5400 * S, "2026_12_05", false);
	assert_point("14h ago", NOW_DEC5, NOW_DEC5 - 14 * 3600 * S, "2026_12_04", false);
	assert_point("3d ago", NOW_DEC5, NOW_DEC5 - 3 * 86400 * S, "2026_12_02", false);
	assert_point("1w ago", NOW_DEC5, NOW_DEC5 - 7 * 86400 * S, "2026_11_28", false);
	assert_point("0min ago", NOW_DEC5, NOW_DEC5, "2026_12_05", false);
}

static void point_end_takes_the_whole_day_or_stops_at_the_time(void **state)
{
	struct day_point p;

	(void)state;
	set_tz("UTC");
	assert_int_equal(day_point_parse("2026_12_05", NOW_DEC5, &p), 0);
	assert_int_equal(day_point_end(&p), 1796515200 * S);
	assert_int_equal(day_point_parse("2026-12-05 14:00", NOW_DEC5, &p), 0);
	assert_int_equal(day_point_end(&p), 1796479200 * S);
	/* the last day there is: open at the end */
	assert_int_equal(day_point_parse("9999_12_31", NOW_DEC5, &p), 0);
	assert_int_equal(day_point_end(&p), INT64_MAX);
}

static void point_parse_works_in_the_team_zone(void **state)
{
	struct day_point p;

	(void)state;
	/* Paris in winter is UTC+1: today began at 23:00 UTC the day before */
	set_tz("Europe/Paris");
	assert_point("today", NOW_DEC5, 1796425200 * S, "2026_12_05", true);
	assert_point("14:00", NOW_DEC5, (1796479200 - 3600) * S, "2026_12_05", false);
	/* 23:30 UTC on 5 December is already the 6th in Paris */
	assert_point("30min ago", NOW_DEC5 + 11 * 3600 * S, NOW_DEC5 + (11 * 3600 - 1800) * S, "2026_12_06", false);
	assert_int_equal(day_point_parse("2026_12_05", NOW_DEC5, &p), 0);
	assert_int_equal(day_point_end(&p), (1796515200 - 3600) * S);
	set_tz("UTC");
}

static void point_parse_follows_daylight_saving(void **state)
{
	struct day_point p;

	(void)state;
	set_tz("Europe/Paris");
	/* 29 March 2026: the clocks jump from 02:00 CET to 03:00 CEST (01:00 UTC), a day of 23 hours */
	assert_point("2026_03_29", NOW_DEC5, 1774738800 * S, "2026_03_29", true);
	assert_int_equal(day_point_parse("2026_03_29", NOW_DEC5, &p), 0);
	assert_int_equal(day_point_end(&p), 1774821600 * S);
	assert_int_equal(day_point_end(&p) - p.us, 23 * 3600 * S);
	assert_point("2026-03-29 01:59:59", NOW_DEC5, (1774746000 - 1) * S, "2026_03_29", false);
	/* a time the clocks skip is the first instant after the jump */
	assert_point("2026-03-29 02:30", NOW_DEC5, 1774746000 * S, "2026_03_29", false);
	assert_point("2026-03-29 03:00", NOW_DEC5, 1774746000 * S, "2026_03_29", false);
	/* 25 October 2026: 02:30 happens twice, in CEST (00:30 UTC) then in CET: the first */
	assert_point("2026-10-25 02:30", NOW_DEC5, 1792888200 * S, "2026_10_25", false);
	assert_point("2026-10-25 03:00", NOW_DEC5, (1792888200 + 5400) * S, "2026_10_25", false);
	assert_int_equal(day_point_parse("2026_10_25", NOW_DEC5, &p), 0);
	assert_int_equal(day_point_end(&p) - p.us, 25 * 3600 * S);

	/* Santiago jumps over midnight on 6 September 2026: the day starts at 01:00 (04:00 UTC) */
	set_tz("America/Santiago");
	assert_point("2026_09_06", NOW_DEC5, 1788667200 * S, "2026_09_06", true);
	assert_point("2026-09-06 00:30", NOW_DEC5, 1788667200 * S, "2026_09_06", false);
	/* and goes back over it on 4 April 2026: 23:30 happens twice, the first is at 02:30 UTC */
	assert_point("2026-04-04 23:30", NOW_DEC5, 1775356200 * S, "2026_04_04", false);
	assert_point("2026_04_05", NOW_DEC5, 1775361600 * S, "2026_04_05", true);
	set_tz("UTC");
}

static void point_parse_rejects_what_it_does_not_know(void **state)
{
	static const char *const bad[] = {
		"", "2h agoo", "2h", "ago", "h ago", "2  h ago", "2hours ago", "2m ago", "-2h ago", "2h ago ",
		"1234567890h ago", "24:00", "12:60", "12:00:60", "9:30", "12:3", "2026-12-05 14", "2026-12-05  14:00",
		"2026-12-05X14:00", "2026-02-30 10:00", "2026/12/05", "2026-12-05 14:00Z", "tomorrow", "--3", "- 3",
	};
	struct day_point p;

	(void)state;
	set_tz("UTC");
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (day_point_parse(bad[i], NOW_DEC5, &p) == 0)
			fail_msg("day_point_parse(%s) accepted it", bad[i]);
		if (!strstr(errget(), "not a day or time (today, yesterday, -3, 2026-12-05, 2026-12-05 14:00, 2h ago)"))
			fail_msg("day_point_parse(%s): %s", bad[i], errget());
	}
	/* well formed but before 1970 */
	assert_int_equal(day_point_parse("3000w ago", NOW_DEC5, &p), -1);
	assert_non_null(strstr(errget(), "before 1970"));
	assert_int_equal(day_point_parse("-30000", NOW_DEC5, &p), -1);
	assert_non_null(strstr(errget(), "before 1970"));
}

static void day_next_crosses_months_years_and_leap_days(void **state)
{
	char out[DAY_LEN + 1];

	(void)state;
	assert_true(day_next("2024_02_28", out));
	assert_string_equal(out, "2024_02_29");
	assert_true(day_next("2024_02_29", out));
	assert_string_equal(out, "2024_03_01");
	assert_true(day_next("2026_12_31", out));
	assert_string_equal(out, "2027_01_01");
	assert_false(day_next("9999_12_31", out));
	assert_false(day_next("2026_13_01", out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(time_format_and_parse_round_trip),
		cmocka_unit_test(time_parse_agrees_with_timegm_on_every_day),
		cmocka_unit_test(time_format_out_of_range_gives_a_fixed_string),
		cmocka_unit_test(time_parse_rejects_near_misses),
		cmocka_unit_test(time_parse_reads_only_len_bytes),
		cmocka_unit_test(set_tz_accepts_known_zones),
		cmocka_unit_test(set_tz_rejects_unknown_zones_and_paths),
		cmocka_unit_test(system_tz_comes_from_tz_first),
		cmocka_unit_test(day_of_follows_paris_into_summer_time),
		cmocka_unit_test(day_of_follows_paris_back_to_winter_time),
		cmocka_unit_test(the_same_instant_is_on_different_days_in_los_angeles_and_utc),
		cmocka_unit_test(day_of_rejects_days_outside_1970_to_9999),
		cmocka_unit_test(day_now_is_the_real_time),
		cmocka_unit_test(day_valid_accepts_real_dates_written_with_underscores),
		cmocka_unit_test(day_parse_counts_days_back_from_now),
		cmocka_unit_test(day_parse_starts_from_today_in_the_team_zone),
		cmocka_unit_test(day_parse_takes_dates_in_both_forms),
		cmocka_unit_test(day_parse_rejects_what_it_does_not_know),
		cmocka_unit_test(day_title_names_weekday_day_month_and_year),
		cmocka_unit_test(day_clock_follows_the_zone_and_every_second_of_a_minute),
		cmocka_unit_test(point_parse_takes_days_times_and_ages),
		cmocka_unit_test(point_end_takes_the_whole_day_or_stops_at_the_time),
		cmocka_unit_test(point_parse_works_in_the_team_zone),
		cmocka_unit_test(point_parse_follows_daylight_saving),
		cmocka_unit_test(point_parse_rejects_what_it_does_not_know),
		cmocka_unit_test(day_next_crosses_months_years_and_leap_days),
	};
	return cmocka_run_group_tests_name("day", tests, NULL, NULL);
}
