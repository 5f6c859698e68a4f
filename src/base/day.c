/*
 * day: UTC record times, the team's time zone and day page names.
 * Calendar arithmetic on day names is done in UTC at noon (timegm), where
 * there are no daylight saving jumps; only the instant-to-day step uses
 * the team's zone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "base/banned.h"

int64_t day_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * snprintf through va_list: the fields written here are range-checked
 * first, which gcc's truncation warning cannot see.
 */
static void put(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, size, fmt, ap);
	va_end(ap);
}

static void split_us(int64_t us, time_t *sec, long *frac)
{
	int64_t s = us / 1000000, f = us % 1000000;

	if (f < 0) {
		f += 1000000;
		s -= 1;
	}
	*sec = (time_t)s;
	*frac = (long)f;
}

void day_time_format(int64_t us, char out[DAY_TIME_LEN + 1])
{
	time_t sec;
	long frac;
	struct tm tm;

	split_us(us, &sec, &frac);
	if (!gmtime_r(&sec, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
		put(out, DAY_TIME_LEN + 1, "0000-01-01T00:00:00.000000Z");
		return;
	}
	put(out, DAY_TIME_LEN + 1, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

/* n decimal digits at s, or -1 */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

static bool valid_date(int y, int m, int d)
{
	return y >= 1970 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/*
 * Days from 1970-01-01 to y-m-d (a valid date, y >= 1970), in the
 * proleptic Gregorian calendar as timegm counts them (H. Hinnant's
 * days_from_civil).  Arithmetic, not timegm: timegm takes glibc's time
 * zone lock, and verify parses the time of every record.
 */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* a broken-down time of a date and a wall clock, the rest zero */
static void set_tm(struct tm *tm, int y, int mo, int d, int h, int mi, int se)
{
	memset(tm, 0, sizeof *tm);
	tm->tm_year = y - 1900;
	tm->tm_mon = mo - 1;
	tm->tm_mday = d;
	tm->tm_hour = h;
	tm->tm_min = mi;
	tm->tm_sec = se;
}

int day_time_parse(const char *s, size_t len, int64_t *us)
{
	int y, mo, d, h, mi, se;
	long frac;

	if (len != DAY_TIME_LEN || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z')
		goto bad;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	frac = digits(s + 20, 6);
	if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0 || frac < 0 ||
	    !valid_date(y, mo, d) || h > 23 || mi > 59 || se > 59)
		goto bad;
	*us = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + se;
	*us = *us * 1000000 + frac;
	return 0;
bad:
	errset("bad time '%.*s': expected YYYY-MM-DDTHH:MM:SS.uuuuuuZ", (int)(len > 40 ? 40 : len), s);
	return -1;
}

static const char *zoneinfo_dir(void)
{
	const char *d = getenv("TZDIR");
	return d && *d ? d : "/usr/share/zoneinfo";
}

static bool tz_name_ok(const char *tz)
{
	if (!*tz || *tz == '/' || strstr(tz, "..") || strlen(tz) > 200)
		return false;
	for (const char *p = tz; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '/' || *p == '_' || *p == '-' || *p == '+'))
			return false;
	}
	return true;
}

/* day_clock's last minute, forgotten when the zone changes; one per thread (searches format in several) */
static _Thread_local time_t cached_minute = -1;
static _Thread_local int cached_hour, cached_min;

int day_set_tz(const char *tz)
{
	if (!tz_name_ok(tz)) {
		errset("bad time zone '%s': expected a zone name such as Europe/Paris or UTC", tz);
		return -1;
	}
	/* glibc silently falls back to UTC for a zone it cannot find: check first */
	if (strcmp(tz, "UTC") != 0) {
		char *path = fs_join(zoneinfo_dir(), tz);
		struct stat st;
		int ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
		free(path);
		if (!ok) {
			errset("unknown time zone '%s' (not in %s; is the tzdata package installed?)", tz, zoneinfo_dir());
			return -1;
		}
	}
	if (setenv("TZ", tz, 1) < 0) {
		errset_sys("setenv TZ");
		return -1;
	}
	tzset();
	cached_minute = -1;
	return 0;
}

char *day_system_tz(void)
{
	const char *env = getenv("TZ");
	struct buf b = BUF_INIT;
	char link[PATH_MAX];
	ssize_t n;

	if (env && *env == ':')
		env++;
	if (env && tz_name_ok(env))
		return xstrdup(env);
	if (fs_read_file("/etc/timezone", &b) == 0) {
		while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == ' '))
			buf_truncate(&b, b.len - 1);
		if (tz_name_ok(buf_str(&b)))
			return buf_detach(&b, NULL);
	}
	buf_release(&b);
	n = readlink("/etc/localtime", link, sizeof link - 1);
	if (n > 0) {
		const char *z;
		link[n] = '\0';
		z = strstr(link, "zoneinfo/");
		if (z && tz_name_ok(z + 9))
			return xstrdup(z + 9);
	}
	return xstrdup("UTC");
}

int day_of(int64_t us, char out[DAY_LEN + 1])
{
	time_t sec;
	long frac;
	struct tm tm;

	split_us(us, &sec, &frac);
	if (!localtime_r(&sec, &tm) || tm.tm_year + 1900 < 1970 || tm.tm_year + 1900 > 9999) {
		errset("time out of range");
		return -1;
	}
	put(out, DAY_LEN + 1, "%04d_%02d_%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	return 0;
}

void day_clock(int64_t us, char out[9])
{
	/*
	 * Searches print hundreds of thousands of times in order: the local
	 * hour and minute of the last minute looked up serve the next times
	 * of that minute (zones move by whole minutes since the 1970s; one
	 * that does not is looked up every time).
	 */
	time_t sec, minute;
	long frac;
	struct tm tm;
	int s;

	split_us(us, &sec, &frac);
	minute = sec >= 0 ? sec / 60 : -1;
	if (minute < 0 || minute != cached_minute) {
		if (!localtime_r(&sec, &tm)) {
			put(out, 9, "??:??:??");
			return;
		}
		cached_minute = minute >= 0 && tm.tm_sec == sec % 60 ? minute : -1;
		cached_hour = tm.tm_hour;
		cached_min = tm.tm_min;
		s = tm.tm_sec;
	} else {
		s = (int)(sec % 60);
	}
	out[0] = (char)('0' + cached_hour / 10);
	out[1] = (char)('0' + cached_hour % 10);
	out[2] = ':';
	out[3] = (char)('0' + cached_min / 10);
	out[4] = (char)('0' + cached_min % 10);
	out[5] = ':';
	out[6] = (char)('0' + s / 10);
	out[7] = (char)('0' + s % 10);
	out[8] = '\0';
}

/* YYYY?MM?DD with sep as '?' */
static bool split_date(const char *s, char sep, int *y, int *m, int *d)
{
	if (strlen(s) != DAY_LEN || s[4] != sep || s[7] != sep)
		return false;
	*y = digits(s, 4);
	*m = digits(s + 5, 2);
	*d = digits(s + 8, 2);
	return *y >= 0 && *m >= 0 && *d >= 0 && valid_date(*y, *m, *d);
}

bool day_valid(const char *name)
{
	int y, m, d;
	return split_date(name, '_', &y, &m, &d);
}

/* the day a day spec names: 0, 1 when spec is not a day spec, -1 and errget() when out of range */
static int parse_day(const char *spec, int64_t now_us, char out[DAY_LEN + 1])
{
	int y, m, d;
	long back = -1;

	if (split_date(spec, '_', &y, &m, &d) || split_date(spec, '-', &y, &m, &d)) {
		put(out, DAY_LEN + 1, "%04d_%02d_%02d", y, m, d);
		return 0;
	}
	if (!strcmp(spec, "today"))
		back = 0;
	else if (!strcmp(spec, "yesterday"))
		back = 1;
	else if (spec[0] == '-' && spec[1] >= '0' && spec[1] <= '9') {
		char *end;
		errno = 0;
		back = strtol(spec + 1, &end, 10);
		if (*end || errno || back > 366L * 8000)
			back = -1;
	}
	if (back >= 0) {
		char today[DAY_LEN + 1];
		struct tm tm;
		time_t t;

		if (day_of(now_us, today) < 0)
			return -1;
		split_date(today, '_', &y, &m, &d);
		set_tm(&tm, y, m, d, 12, 0, 0);
		t = timegm(&tm) - (time_t)back * 86400;
		if (!gmtime_r(&t, &tm) || !valid_date(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday)) {
			errset("bad day '%s': before 1970", spec);
			return -1;
		}
		put(out, DAY_LEN + 1, "%04d_%02d_%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		return 0;
	}
	return 1;
}

int day_parse(const char *spec, int64_t now_us, char out[DAY_LEN + 1])
{
	int rc = parse_day(spec, now_us, out);

	if (rc > 0)
		errset("bad day '%s': expected today, yesterday, -N (days ago), YYYY_MM_DD or YYYY-MM-DD", spec);
	return rc ? -1 : 0;
}

/* the local wall clock of t as the number YYYYMMDDhhmmss; -1 when out of range */
static int64_t wall_key(time_t t)
{
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return -1;
	return ((((int64_t)(tm.tm_year + 1900) * 100 + tm.tm_mon + 1) * 100 + tm.tm_mday) * 100 + tm.tm_hour) * 10000 +
	       tm.tm_min * 100 + tm.tm_sec;
}

/*
 * The first instant whose local wall clock shows y-mo-d h:mi:s: of two
 * (the clocks went back) the earlier; none (the clocks jumped over it)
 * the first instant after the jump.  mktime proposes, as standard and as
 * summer time; the wall clock of each proposal decides.
 */
static time_t local_instant(int y, int mo, int d, int h, int mi, int s)
{
	int64_t target = ((((int64_t)y * 100 + mo) * 100 + d) * 100 + h) * 10000 + mi * 100 + s;
	struct tm tm;
	time_t best = 0, lo, hi;
	bool found = false;

	set_tm(&tm, y, mo, d, h, mi, s);
	for (int isdst = -1; isdst <= 1; isdst++) {
		struct tm c = tm;
		time_t t;

		c.tm_isdst = isdst;
		t = mktime(&c);
		if (wall_key(t) == target && (!found || t < best)) {
			best = t;
			found = true;
		}
	}
	if (found)
		return best;
	/* skipped: zones are within a day of UTC, and the clocks move forward there */
	lo = timegm(&tm) - 26 * 3600;
	hi = timegm(&tm) + 26 * 3600;
	while (lo < hi) {
		time_t mid = lo + (hi - lo) / 2;
		if (wall_key(mid) >= target)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int day_start(const char *day, int64_t *us)
{
	int y, m, d;

	if (!split_date(day, '_', &y, &m, &d)) {
		errset("bad day '%s'", day);
		return -1;
	}
	*us = (int64_t)local_instant(y, m, d, 0, 0, 0) * 1000000;
	return 0;
}

bool day_next(const char *day, char out[DAY_LEN + 1])
{
	int y, m, d;

	if (!split_date(day, '_', &y, &m, &d))
		return false;
	if (++d > days_in_month(y, m)) {
		d = 1;
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	if (!valid_date(y, m, d))
		return false;
	put(out, DAY_LEN + 1, "%04d_%02d_%02d", y, m, d);
	return true;
}

int64_t day_point_end(const struct day_point *p)
{
	char next[DAY_LEN + 1];
	int64_t us;

	if (!p->whole_day)
		return p->us;
	if (!day_next(p->day, next) || day_start(next, &us) < 0)
		return INT64_MAX;
	return us;
}

/* HH:MM or HH:MM:SS, all of s */
static bool split_clock(const char *s, int *h, int *mi, int *se)
{
	size_t len = strlen(s);

	if ((len != 5 && len != 8) || s[2] != ':' || (len == 8 && s[5] != ':'))
		return false;
	*h = digits(s, 2);
	*mi = digits(s + 3, 2);
	*se = len == 8 ? digits(s + 6, 2) : 0;
	return *h >= 0 && *h <= 23 && *mi >= 0 && *mi <= 59 && *se >= 0 && *se <= 59;
}

/* N<unit> ago, one space allowed before the unit: the age in seconds */
static bool split_age(const char *s, int64_t *secs)
{
	static const struct {
		const char *name;
		int64_t secs;
	} units[] = { { "min", 60 }, { "h", 3600 }, { "d", 86400 }, { "w", 7 * 86400 } };
	size_t n = strspn(s, "0123456789");
	int64_t v = 0;

	if (n == 0 || n > 9)
		return false;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	s += n;
	if (*s == ' ')
		s++;
	for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
		size_t ul = strlen(units[i].name);
		if (!strncmp(s, units[i].name, ul) && !strcmp(s + ul, " ago")) {
			*secs = v * units[i].secs;
			return true;
		}
	}
	return false;
}

int day_point_parse(const char *spec, int64_t now_us, struct day_point *p)
{
	char date[DAY_LEN + 1];
	int y, m, d, h, mi, se, rc;
	int64_t age;

	memset(p, 0, sizeof *p);
	rc = parse_day(spec, now_us, p->day);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		p->whole_day = true;
		return day_start(p->day, &p->us);
	}
	if (strlen(spec) > DAY_LEN && (spec[DAY_LEN] == ' ' || spec[DAY_LEN] == 'T') &&
	    split_clock(spec + DAY_LEN + 1, &h, &mi, &se)) {
		memcpy(date, spec, DAY_LEN);
		date[DAY_LEN] = '\0';
		if (!split_date(date, '-', &y, &m, &d) && !split_date(date, '_', &y, &m, &d))
			goto bad;
	} else if (split_clock(spec, &h, &mi, &se)) {
		if (day_of(now_us, date) < 0)
			return -1;
		split_date(date, '_', &y, &m, &d);
	} else if (split_age(spec, &age)) {
		if (age > now_us / 1000000) {
			errset("'%s': before 1970", spec);
			return -1;
		}
		p->us = now_us - age * 1000000;
		return day_of(p->us, p->day);
	} else {
		goto bad;
	}
	p->us = (int64_t)local_instant(y, m, d, h, mi, se) * 1000000;
	return day_of(p->us, p->day);
bad:
	errset("'%s': not a day or time (today, yesterday, -3, 2026-12-05, 2026-12-05 14:00, 2h ago)", spec);
	return -1;
}

void day_title(const char *day, char *out, size_t size)
{
	int y, m, d;
	struct tm tm;
	time_t t;

	if (!split_date(day, '_', &y, &m, &d)) {
		put(out, size, "%s", day);
		return;
	}
	set_tm(&tm, y, m, d, 12, 0, 0);
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	strftime(out, size, "%A %-d %B %Y", &tm);
}
