#include "timefmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define SECS_PER_DAY INT64_C(86400)
#define NS_PER_SEC INT64_C(1000000000)

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int civil_is_leap(int64_t year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int civil_days_in_month(int64_t year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month == 2 && civil_is_leap(year))
		return 29;
	return days[month - 1];
}

/* Howard Hinnant's days_from_civil, for an in-range month and day 1. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t civil_to_days(int64_t year, int64_t month, int64_t day)
{
	int64_t m0 = month - 1;

	year += floor_div(m0, 12);
	m0 -= floor_div(m0, 12) * 12;
	return days_from_civil(year, m0 + 1, 1) + day - 1;
}

int64_t civil_to_time(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t min, int64_t sec)
{
	return civil_to_days(year, month, day) * SECS_PER_DAY + hour * 3600 + min * 60 + sec;
}

void time_to_civil(int64_t t, struct civil_time *out)
{
	int64_t days = floor_div(t, SECS_PER_DAY);
	int64_t secs = t - days * SECS_PER_DAY;
	int64_t z = days + 719468, era, doe, yoe, doy, mp, y;

	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	out->year = y + (out->month <= 2);
	out->hour = (int)(secs / 3600);
	out->min = (int)(secs / 60 % 60);
	out->sec = (int)(secs % 60);
	/* 1970-01-01 was a Thursday. */
	out->wday = (int)(days - floor_div(days + 4, 7) * 7 + 4);
	out->yday = (int)(days - civil_to_days(out->year, 1, 1));
}

/* Exactly n digits; returns the value or -1. */
static int digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int expect(const char *s, size_t at, char c)
{
	return strlen(s) > at && s[at] == c;
}

/* Reads ".123" / ",123"; returns characters used (0 if none) or -1. */
static int parse_fraction(const char *s, long *nsec)
{
	long scale = 100000000;
	int i = 1;

	*nsec = 0;
	if (*s != '.' && *s != ',')
		return 0;
	if (s[1] < '0' || s[1] > '9')
		return -1;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		*nsec += (s[i] - '0') * scale;
		scale /= 10;
	}
	return i;
}

static int parse_offset(const char *s, int *offset)
{
	int hh, mm;

	if (!strcmp(s, "Z")) {
		*offset = 0;
		return 0;
	}
	if ((s[0] != '+' && s[0] != '-') || strlen(s) != 6 || s[3] != ':')
		return -1;
	hh = digits(s + 1, 2);
	mm = digits(s + 4, 2);
	if (hh < 0 || mm < 0 || hh > 23 || mm > 59)
		return -1;
	*offset = (hh * 3600 + mm * 60) * (s[0] == '-' ? -1 : 1);
	return 0;
}

int timefmt_parse_rfc3339(const char *s, struct timespec *out, struct errbuf *err)
{
	int y, mo, d, h, mi, sec, offset, n;
	long nsec;

	if (!expect(s, 4, '-') || !expect(s, 7, '-') || !expect(s, 10, 'T') ||
	    !expect(s, 13, ':') || !expect(s, 16, ':') || strlen(s) < 20)
		return errbuf_set(err, "invalid RFC 3339 time '%s': want YYYY-MM-DDTHH:MM:SSZ", s);
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0)
		return errbuf_set(err, "invalid RFC 3339 time '%s': want YYYY-MM-DDTHH:MM:SSZ", s);
	if (mo < 1 || mo > 12)
		return errbuf_set(err, "invalid RFC 3339 time '%s': month out of range", s);
	if (d < 1 || d > civil_days_in_month(y, mo))
		return errbuf_set(err, "invalid RFC 3339 time '%s': day out of range", s);
	if (h > 23 || mi > 59 || sec > 59)
		return errbuf_set(err, "invalid RFC 3339 time '%s': time of day out of range", s);
	n = parse_fraction(s + 19, &nsec);
	if (n < 0)
		return errbuf_set(err, "invalid RFC 3339 time '%s': bad fractional second", s);
	if (parse_offset(s + 19 + n, &offset))
		return errbuf_set(err, "invalid RFC 3339 time '%s': want 'Z' or a +HH:MM offset", s);
	out->tv_sec = (time_t)(civil_to_time(y, mo, d, h, mi, sec) - offset);
	out->tv_nsec = nsec;
	return 0;
}

char *timefmt_format_rfc3339(int64_t t, char buf[TIMEFMT_RFC3339_SIZE])
{
	struct civil_time c;

	time_to_civil(t, &c);
	snprintf(buf, TIMEFMT_RFC3339_SIZE, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", c.year,
	         c.month, c.day, c.hour, c.min, c.sec);
	return buf;
}

char *timefmt_short_human_duration(int64_t ns, char buf[TIMEFMT_AGE_SIZE])
{
	int64_t secs = ns / NS_PER_SEC, hours = secs / 3600;

	if (secs < -1)
		snprintf(buf, TIMEFMT_AGE_SIZE, "<invalid>");
	else if (secs < 0)
		snprintf(buf, TIMEFMT_AGE_SIZE, "0s");
	else if (secs < 60)
		snprintf(buf, TIMEFMT_AGE_SIZE, "%" PRId64 "s", secs);
	else if (secs / 60 < 60)
		snprintf(buf, TIMEFMT_AGE_SIZE, "%" PRId64 "m", secs / 60);
	else if (hours < 24)
		snprintf(buf, TIMEFMT_AGE_SIZE, "%" PRId64 "h", hours);
	else if (hours < 24 * 365)
		snprintf(buf, TIMEFMT_AGE_SIZE, "%" PRId64 "d", hours / 24);
	else
		snprintf(buf, TIMEFMT_AGE_SIZE, "%" PRId64 "y", hours / 24 / 365);
	return buf;
}

/* Two units where they fit, as HumanDuration: "5m30s", "2h15m", "3d4h", "3y20d". */
static void two_units(char *buf, int64_t big, const char *bu, int64_t small, const char *su)
{
	if (small == 0)
		snprintf(buf, TIMEFMT_AGE_SIZE, "%" PRId64 "%s", big, bu);
	else
		snprintf(buf, TIMEFMT_AGE_SIZE, "%" PRId64 "%s%" PRId64 "%s", big, bu, small, su);
}

static void human_long(char *buf, int64_t secs)
{
	int64_t hours = secs / 3600;

	if (hours < 8)
		two_units(buf, hours, "h", secs / 60 % 60, "m");
	else if (hours < 48)
		snprintf(buf, TIMEFMT_AGE_SIZE, "%" PRId64 "h", hours);
	else if (hours < 24 * 8)
		two_units(buf, hours / 24, "d", hours % 24, "h");
	else if (hours < 24 * 365 * 2)
		snprintf(buf, TIMEFMT_AGE_SIZE, "%" PRId64 "d", hours / 24);
	else if (hours < 24 * 365 * 8)
		two_units(buf, hours / 24 / 365, "y", hours / 24 % 365, "d");
	else
		snprintf(buf, TIMEFMT_AGE_SIZE, "%" PRId64 "y", hours / 24 / 365);
}

char *timefmt_human_duration(int64_t ns, char buf[TIMEFMT_AGE_SIZE])
{
	int64_t secs = ns / NS_PER_SEC, minutes = secs / 60;

	if (secs < -1)
		snprintf(buf, TIMEFMT_AGE_SIZE, "<invalid>");
	else if (secs < 0)
		snprintf(buf, TIMEFMT_AGE_SIZE, "0s");
	else if (secs < 60 * 2)
		snprintf(buf, TIMEFMT_AGE_SIZE, "%" PRId64 "s", secs);
	else if (minutes < 10)
		two_units(buf, minutes, "m", secs % 60, "s");
	else if (minutes < 60 * 3)
		snprintf(buf, TIMEFMT_AGE_SIZE, "%" PRId64 "m", minutes);
	else
		human_long(buf, secs);
	return buf;
}

char *timefmt_age(const struct timespec *then, const struct timespec *now, char buf[TIMEFMT_AGE_SIZE])
{
	int64_t dsec = (int64_t)now->tv_sec - (int64_t)then->tv_sec;
	int64_t ns;

	/* Saturate instead of overflowing for absurd timestamps. */
	if (dsec > INT64_MAX / NS_PER_SEC - 1)
		ns = INT64_MAX;
	else if (dsec < INT64_MIN / NS_PER_SEC + 1)
		ns = INT64_MIN;
	else
		ns = dsec * NS_PER_SEC + (now->tv_nsec - then->tv_nsec);
	return timefmt_human_duration(ns, buf);
}
