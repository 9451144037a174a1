/*
 * timefmt.h - instants as text: RFC 3339 in and out, kubectl's AGE column,
 * and the proleptic Gregorian calendar arithmetic the rest of shared/
 * builds on (cron, time zones, sync windows).
 *
 * An instant is seconds since the Unix epoch, UTC, in an int64_t (plus
 * nanoseconds in a struct timespec where they matter).  Leap seconds do not
 * exist here, as in Go and POSIX.  Nothing in this module consults the
 * process time zone or calls localtime()/setenv("TZ"), so it is safe from
 * any thread.  Nothing allocates; text goes into the caller's buffer.
 */
#ifndef TIMEFMT_H
#define TIMEFMT_H

#include <stdint.h>
#include <time.h>

#include "errbuf.h"

/* "2006-01-02T15:04:05Z", with room for years beyond 9999 and a sign. */
#define TIMEFMT_RFC3339_SIZE 40
/* Longest age is "<invalid>" or "106751y", well under this. */
#define TIMEFMT_AGE_SIZE 24

/* A broken-down UTC time.  wday: 0 = Sunday; yday: 0 = 1 January. */
struct civil_time {
	int64_t year;
	int month, day, hour, min, sec;
	int wday, yday;
};

/* Days since 1970-01-01 of the given date; month and day may be out of
 * range and are carried over (month 13 = January of year+1, day 32 of
 * January = 1 February, day 0 = the day before the 1st), as Go's time.Date. */
int64_t civil_to_days(int64_t year, int64_t month, int64_t day);

/* civil_to_days() plus a time of day, with the same carrying. */
int64_t civil_to_time(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t min,
                      int64_t sec);

void time_to_civil(int64_t t, struct civil_time *out);

int civil_is_leap(int64_t year);
int civil_days_in_month(int64_t year, int month);

/*
 * Parses RFC 3339 as Go's time.Parse(time.RFC3339, …) does, which is what
 * Kubernetes uses for metav1.Time: "YYYY-MM-DDTHH:MM:SS", an optional
 * fraction ('.' or ',' and 1+ digits; digits past the ninth are dropped),
 * then "Z" or "+HH:MM"/"-HH:MM".  Fields are range-checked (no 24:00, no
 * second 60, no 31 April).  Returns 0 with *out in UTC, or -1 and err.
 */
int timefmt_parse_rfc3339(const char *s, struct timespec *out, struct errbuf *err);

/* Formats t as UTC "2006-01-02T15:04:05Z" (metav1.Time's wire format). */
char *timefmt_format_rfc3339(int64_t t, char buf[TIMEFMT_RFC3339_SIZE]);

/*
 * apimachinery's duration.HumanDuration, used for kubectl's AGE column:
 * below -1s "<invalid>", then "0s", "59s", "119s", "5m30s", "45m", "2h15m",
 * "20h", "3d4h", "400d", "3y20d", "9y".  ns is a Go duration.
 */
char *timefmt_human_duration(int64_t ns, char buf[TIMEFMT_AGE_SIZE]);

/* duration.ShortHumanDuration: one unit only ("59s", "5m", "20h", "3d", "2y"). */
char *timefmt_short_human_duration(int64_t ns, char buf[TIMEFMT_AGE_SIZE]);

/* The AGE of something created at `then`, seen at `now` (HumanDuration). */
char *timefmt_age(const struct timespec *then, const struct timespec *now,
                  char buf[TIMEFMT_AGE_SIZE]);

#endif
