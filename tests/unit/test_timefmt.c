#include "tap.h"

#include <stdint.h>

#include "duration.h"
#include "timefmt.h"

#define S DURATION_SECOND
#define MIN DURATION_MINUTE
#define H DURATION_HOUR
#define D (24 * H)

static const struct {
	const char *in;
	int64_t sec;
	long nsec;
} good[] = {
	{ "1970-01-01T00:00:00Z", 0, 0 },
	{ "2006-01-02T15:04:05Z", 1136214245, 0 },
	{ "2006-01-02T15:04:05+07:00", 1136214245 - 7 * 3600, 0 },
	{ "2006-01-02T15:04:05-07:30", 1136214245 + 7 * 3600 + 1800, 0 },
	{ "2006-01-02T15:04:05.5Z", 1136214245, 500000000 },
	{ "2006-01-02T15:04:05,25Z", 1136214245, 250000000 },
	{ "2006-01-02T15:04:05.123456789Z", 1136214245, 123456789 },
	{ "2006-01-02T15:04:05.1234567891234Z", 1136214245, 123456789 },
	{ "2024-02-29T23:59:59Z", 1709251199, 0 },
	{ "2000-02-29T00:00:00+00:00", 951782400, 0 },
	{ "1969-12-31T23:59:59Z", -1, 0 },
	{ "0001-01-01T00:00:00Z", INT64_C(-62135596800), 0 },
	{ "9999-12-31T23:59:59Z", INT64_C(253402300799), 0 },
	{ "2026-03-29T01:00:00Z", 1774746000, 0 },
};

static const char *const bad[] = {
	"",
	"2006-01-02",
	"2006-01-02 15:04:05Z",
	"2006-01-02t15:04:05Z",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05z",
	"2006-13-02T15:04:05Z",
	"2006-00-02T15:04:05Z",
	"2006-04-31T15:04:05Z",
	"2023-02-29T00:00:00Z",
	"1900-02-29T00:00:00Z",
	"2006-01-02T24:00:00Z",
	"2006-01-02T23:60:00Z",
	"2006-01-02T23:59:60Z",
	"2006-01-02T15:04:05.Z",
	"2006-01-02T15:04:05+0700",
	"2006-01-02T15:04:05+24:00",
	"2006-01-02T15:04:05+07:60",
	"2006-01-02T15:04:05Z ",
	" 2006-01-02T15:04:05Z",
	"206-01-02T15:04:05Z",
	"2006-1-02T15:04:05Z",
	"+2006-01-02T15:04:05Z",
	"2006-01-02T15:04:5Z",
	"2006-01-02T15:04:05ZZ",
};

/* apimachinery duration_test.go cases, plus the boundaries of every branch. */
static const struct {
	int64_t in;
	const char *human, *brief;
} ages[] = {
	{ -2 * S, "<invalid>", "<invalid>" },
	{ -S - 999999999, "0s", "0s" },
	{ -S, "0s", "0s" },
	{ 0, "0s", "0s" },
	{ S, "1s", "1s" },
	{ 59 * S, "59s", "59s" },
	{ 60 * S, "60s", "1m" },
	{ 119 * S, "119s", "1m" },
	{ 2 * MIN, "2m", "2m" },
	{ 5 * MIN + 30 * S, "5m30s", "5m" },
	{ 9 * MIN + 59 * S, "9m59s", "9m" },
	{ 10 * MIN + 30 * S, "10m", "10m" },
	{ 179 * MIN, "179m", "2h" },
	{ 3 * H, "3h", "3h" },
	{ 2 * H + 15 * MIN + 30 * S, "135m", "2h" },
	{ 3 * H + 15 * MIN, "3h15m", "3h" },
	{ 7 * H + 59 * MIN, "7h59m", "7h" },
	{ 8 * H + 59 * MIN, "8h", "8h" },
	{ 20 * H, "20h", "20h" },
	{ 47 * H + 59 * MIN, "47h", "1d" },
	{ 48 * H, "2d", "2d" },
	{ 3 * D + 4 * H, "3d4h", "3d" },
	{ 7 * D + 23 * H, "7d23h", "7d" },
	{ 8 * D, "8d", "8d" },
	{ 400 * D, "400d", "1y" },
	{ 729 * D + 23 * H, "729d", "1y" },
	{ 730 * D, "2y", "2y" },
	{ 3 * 365 * D + 20 * D, "3y20d", "3y" },
	{ 8 * 365 * D - H, "7y364d", "7y" },
	{ 8 * 365 * D, "8y", "8y" },
	{ 9 * 365 * D + 100 * D, "9y", "9y" },
	{ INT64_MAX, "292y", "292y" },
};

static void test_civil(void)
{
	struct civil_time c;

	time_to_civil(0, &c);
	ok(c.year == 1970 && c.month == 1 && c.day == 1 && c.wday == 4 && c.yday == 0,
	   "the epoch is Thursday 1970-01-01");
	time_to_civil(-1, &c);
	ok(c.year == 1969 && c.month == 12 && c.day == 31 && c.hour == 23 && c.sec == 59 &&
	           c.wday == 3 && c.yday == 364,
	   "one second before the epoch");
	time_to_civil(1709251199, &c);
	ok(c.month == 2 && c.day == 29 && c.wday == 4 && c.yday == 59, "leap day 2024");
	is_int(civil_to_days(2024, 13, 1), civil_to_days(2025, 1, 1), "month 13 carries over");
	is_int(civil_to_days(2024, 1, 32), civil_to_days(2024, 2, 1), "day 32 carries over");
	is_int(civil_to_days(2024, 3, 0), civil_to_days(2024, 2, 29), "day 0 is the day before");
	is_int(civil_to_days(2024, 0, 1), civil_to_days(2023, 12, 1), "month 0 is December");
	is_int(civil_days_in_month(2100, 2), 28, "2100 is not a leap year");
	is_int(civil_days_in_month(2000, 2), 29, "2000 is");
	is_int(civil_to_time(2026, 11, 23, 6, 0, 0), 1795413600, "civil_to_time");
}

int main(void)
{
	char buf[TIMEFMT_RFC3339_SIZE], age[TIMEFMT_AGE_SIZE];
	struct timespec ts, then, now;
	struct errbuf err;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ok(timefmt_parse_rfc3339(good[i].in, &ts, &err) == 0 && ts.tv_sec == good[i].sec &&
		           ts.tv_nsec == good[i].nsec,
		   "parse %s", good[i].in);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		ok(timefmt_parse_rfc3339(bad[i], &ts, &err) == -1 &&
		           strstr(err.msg, "invalid RFC 3339"),
		   "reject '%s' (%s)", bad[i], err.msg);
	}
	timefmt_parse_rfc3339("2023-02-29T00:00:00Z", &ts, &err);
	is_str(err.msg, "invalid RFC 3339 time '2023-02-29T00:00:00Z': day out of range",
	       "the error says which field is wrong");
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char want[TIMEFMT_RFC3339_SIZE];

		if (good[i].nsec || strlen(good[i].in) != 20 || good[i].in[19] != 'Z')
			continue;
		memcpy(want, good[i].in, 21);
		is_str(timefmt_format_rfc3339(good[i].sec, buf), want, "format round trip %s", want);
	}
	is_str(timefmt_format_rfc3339(1136214245 - 7 * 3600, buf), "2006-01-02T08:04:05Z",
	       "formatting is always UTC");
	for (i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
		is_str(timefmt_human_duration(ages[i].in, age), ages[i].human, "HumanDuration %lld",
		       (long long)ages[i].in);
		is_str(timefmt_short_human_duration(ages[i].in, age), ages[i].brief,
		       "ShortHumanDuration %lld", (long long)ages[i].in);
	}
	timefmt_parse_rfc3339("2024-01-01T00:00:00Z", &then, NULL);
	timefmt_parse_rfc3339("2024-01-04T04:30:00.5Z", &now, NULL);
	is_str(timefmt_age(&then, &now, age), "3d4h", "age between two timestamps");
	is_str(timefmt_age(&now, &then, age), "<invalid>", "a creation time in the future");
	then.tv_sec = INT64_MIN / 2;
	is_str(timefmt_age(&then, &now, age), "292y", "absurd ages saturate instead of overflowing");
	test_civil();
	return tap_done();
}
