#include "tap.h"

#include <stdint.h>
#include <stdlib.h>

#include "cron.h"
#include "timefmt.h"

static int64_t at(const char *rfc3339)
{
	struct timespec ts;

	if (timefmt_parse_rfc3339(rfc3339, &ts, NULL))
		abort();
	return ts.tv_sec;
}

/* robfig's messages, word for word (parser.go). */
static const struct {
	const char *spec, *msg;
} bad[] = {
	{ "", "empty spec string" },
	{ "@daily", "parser does not accept descriptors: @daily" },
	{ "@every 1h", "parser does not accept descriptors: @every 1h" },
	{ "* * *", "expected exactly 5 fields, found 3: [* * *]" },
	{ "   ", "expected exactly 5 fields, found 0: []" },
	{ "0 0 2 * * *", "expected exactly 5 fields, found 6: [0 0 2 * * *]" },
	{ "* 10 * * 7", "end of range (7) above maximum (6): 7" },
	{ "* * * * 0-7", "end of range (7) above maximum (6): 0-7" },
	{ "60 * * * *", "end of range (60) above maximum (59): 60" },
	{ "* 24 * * *", "end of range (24) above maximum (23): 24" },
	{ "* * 0 * *", "beginning of range (0) below minimum (1): 0" },
	{ "* * 32 * *", "end of range (32) above maximum (31): 32" },
	{ "* * * 0 *", "beginning of range (0) below minimum (1): 0" },
	{ "* * * 13 *", "end of range (13) above maximum (12): 13" },
	{ "5-3 * * * *", "beginning of range (5) beyond end of range (3): 5-3" },
	{ "* * * * mon-sun", "beginning of range (1) beyond end of range (0): mon-sun" },
	{ "*/0 * * * *", "step of range should be a positive number: */0" },
	{ "1-2-3 * * * *", "too many hyphens: 1-2-3" },
	{ "*/2/3 * * * *", "too many slashes: */2/3" },
	{ "*/-1 * * * *", "negative number (-1) not allowed: -1" },
	{ "-5 * * * *", "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax" },
	{ "5- * * * *", "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax" },
	{ "a * * * *", "failed to parse int from a: strconv.Atoi: parsing \"a\": invalid syntax" },
	{ "* * * foo *",
	  "failed to parse int from foo: strconv.Atoi: parsing \"foo\": invalid syntax" },
	{ "* * * * monday",
	  "failed to parse int from monday: strconv.Atoi: parsing \"monday\": invalid syntax" },
	{ "0 0 jan * *",
	  "failed to parse int from jan: strconv.Atoi: parsing \"jan\": invalid syntax" },
	{ "99999999999999999999 * * * *",
	  "failed to parse int from 99999999999999999999: strconv.Atoi: parsing "
	  "\"99999999999999999999\": value out of range" },
	{ "9223372036854775807 * * * *",
	  "end of range (9223372036854775807) above maximum (59): 9223372036854775807" },
	{ "1\x1b[2J * * * *", "failed to parse int from 1\x1b[2J: strconv.Atoi: parsing "
	                      "\"1\\x1b[2J\": invalid syntax" },
	{ "TZ=Europe/Berlin 0 0 * * *",
	  "a TZ= or CRON_TZ= prefix is not supported here; set the window's timeZone instead" },
	{ "CRON_TZ=UTC 0 0 * * *",
	  "a TZ= or CRON_TZ= prefix is not supported here; set the window's timeZone instead" },
};

#define STAR (UINT64_C(1) << 63)

static const struct {
	const char *spec;
	uint64_t minute, hour, dom, month, dow;
} good[] = {
	{ "0 22 * * *", 1, 1 << 22, 0xfffffffe | STAR, 0x1ffe | STAR, 0x7f | STAR },
	{ "*/15 9-11 1,15 * 1-5", (1ULL << 0) | (1ULL << 15) | (1ULL << 30) | (1ULL << 45), 7 << 9,
	  (1 << 1) | (1 << 15), 0x1ffe | STAR, 0x3e },
	{ "? ? ? ? ?", 0x0fffffffffffffffULL | STAR, 0xffffff | STAR, 0xfffffffe | STAR,
	  0x1ffe | STAR, 0x7f | STAR },
	{ "0 0 * JAN,jul sUn", 1, 1, 0xfffffffe | STAR, (1 << 1) | (1 << 7), 1 },
	{ "0 0 * * */1", 1, 1, 0xfffffffe | STAR, 0x1ffe | STAR, 0x7f | STAR },
	{ "0 0 * * */2", 1, 1, 0xfffffffe | STAR, 0x1ffe | STAR, 0x55 },
	{ "0 0 * * 5/1", 1, 1, 0xfffffffe | STAR, 0x1ffe | STAR, 0x60 },
	{ "0 0 * * 1-5/2", 1, 1, 0xfffffffe | STAR, 0x1ffe | STAR, 0x2a },
	{ "*-5 0 1 1 0", 0x0fffffffffffffffULL | STAR, 1, 2, 2, 1 },
	{ "+5,,7, 0 1 1 0", (1 << 5) | (1 << 7), 1, 2, 2, 1 },
	{ "\t0  0\n1 1 0 ", 1, 1, 2, 2, 1 },
};

/* robfig's spec_test.go TestNext cases, less the seconds field, in UTC. */
static const struct {
	const char *from, *spec, *want; /* want NULL: CRON_NONE */
} next[] = {
	{ "2012-07-09T14:45:00Z", "0/15 * * * *", "2012-07-09T15:00:00Z" },
	{ "2012-07-09T14:59:00Z", "0/15 * * * *", "2012-07-09T15:00:00Z" },
	{ "2012-07-09T14:59:59Z", "0/15 * * * *", "2012-07-09T15:00:00Z" },
	{ "2012-07-09T15:45:00Z", "20-35/15 * * * *", "2012-07-09T16:20:00Z" },
	{ "2012-07-09T23:46:00Z", "*/15 * * * *", "2012-07-10T00:00:00Z" },
	{ "2012-07-09T23:45:00Z", "20-35/15 * * * *", "2012-07-10T00:20:00Z" },
	{ "2012-07-09T23:35:51Z", "20-35/15 1/2 * * *", "2012-07-10T01:20:00Z" },
	{ "2012-07-09T23:35:51Z", "20-35/15 10-12 * * *", "2012-07-10T10:20:00Z" },
	{ "2012-07-09T23:35:51Z", "20-35/15 1/2 */2 * *", "2012-07-11T01:20:00Z" },
	{ "2012-07-09T23:35:51Z", "20-35/15 * 9-20 * *", "2012-07-10T00:20:00Z" },
	{ "2012-07-09T23:35:51Z", "20-35/15 * 9-20 Jul *", "2012-07-10T00:20:00Z" },
	{ "2012-07-09T23:35:00Z", "0 0 9 Apr-Oct ?", "2012-08-09T00:00:00Z" },
	{ "2012-07-09T23:35:00Z", "0 0 */5 Apr,Aug,Oct Mon", "2012-08-01T00:00:00Z" },
	{ "2012-07-09T23:35:00Z", "0 0 */5 Oct Mon", "2012-10-01T00:00:00Z" },
	{ "2012-07-09T23:35:00Z", "0 0 * Feb Mon", "2013-02-04T00:00:00Z" },
	{ "2012-07-09T23:35:00Z", "0 0 * Feb Mon/2", "2013-02-01T00:00:00Z" },
	{ "2012-12-31T23:59:45Z", "* * * * *", "2013-01-01T00:00:00Z" },
	{ "2012-07-09T23:35:00Z", "0 0 29 Feb ?", "2016-02-29T00:00:00Z" },
	{ "2012-07-09T23:35:00Z", "0 0 30 Feb ?", NULL },
	{ "2012-07-09T23:35:00Z", "0 0 31 Apr ?", NULL },
	/* strictly after, and day-of-month/day-of-week combination */
	{ "2012-07-09T15:00:00Z", "*/15 * * * *", "2012-07-09T15:15:00Z" },
	{ "2026-06-02T00:00:00Z", "0 0 1 * 1", "2026-06-08T00:00:00Z" },
	{ "2026-06-02T00:00:00Z", "0 0 1 * *", "2026-07-01T00:00:00Z" },
	{ "2026-06-02T00:00:00Z", "0 0 */1 * 1", "2026-06-08T00:00:00Z" },
	{ "2026-06-02T00:00:00Z", "0 0 * * 1", "2026-06-08T00:00:00Z" },
	{ "2026-06-02T00:00:00Z", "0 0 1-31/2 * 1", "2026-06-03T00:00:00Z" },
	{ "2026-06-02T00:00:00Z", "0 0 2-30/2 * 1", "2026-06-04T00:00:00Z" },
	{ "2026-06-02T00:00:00Z", "0 0 * * */2", "2026-06-04T00:00:00Z" },
	{ "2026-06-01T23:00:00Z", "0 0 * * */2", "2026-06-02T00:00:00Z" },
	{ "2026-06-02T00:00:00Z", "0 0 13 * 5", "2026-06-05T00:00:00Z" },
	{ "2026-06-02T00:00:00Z", "0 0 31 2 *", NULL },
	{ "2026-06-02T00:00:00Z", "0 0 30,31 2 *", NULL },
	{ "2026-06-02T00:00:00Z", ", * * * *", NULL },
	{ "2028-02-28T23:59:59Z", "0 0 29 2 *", "2028-02-29T00:00:00Z" },
	{ "2024-03-01T00:00:00Z", "0 0 29 2 *", "2028-02-29T00:00:00Z" },
	{ "2100-01-01T00:00:00Z", "0 0 29 2 *", "2104-02-29T00:00:00Z" },
	{ "2097-03-01T00:00:00Z", "0 0 29 2 *", NULL },
	{ "1969-06-01T00:00:00Z", "0 0 1 1 *", "1970-01-01T00:00:00Z" },
	{ "2026-11-22T21:59:00Z", "0 22 * * *", "2026-11-22T22:00:00Z" },
	{ "2026-12-31T23:30:00Z", "30 23 31 12 *", "2027-12-31T23:30:00Z" },
};

int main(void)
{
	char buf[TIMEFMT_RFC3339_SIZE];
	struct cron_schedule s;
	struct errbuf err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		ok(cron_parse(bad[i].spec, &s, &err) == -1, "reject bad spec %zu", i);
		is_str(err.msg, bad[i].msg, "message for bad spec %zu", i);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&s, 0xa5, sizeof(s));
		ok(cron_parse(good[i].spec, &s, &err) == 0 && s.minute == good[i].minute &&
		           s.hour == good[i].hour && s.dom == good[i].dom &&
		           s.month == good[i].month && s.dow == good[i].dow,
		   "parse good spec %zu", i);
	}
	for (i = 0; i < sizeof(next) / sizeof(next[0]); i++) {
		int64_t got;

		if (cron_parse(next[i].spec, &s, &err)) {
			ok(0, "parse '%s': %s", next[i].spec, err.msg);
			continue;
		}
		got = cron_next(&s, at(next[i].from));
		if (!next[i].want)
			ok(got == CRON_NONE, "'%s' after %s never fires within five years",
			   next[i].spec, next[i].from);
		else
			is_str(got == CRON_NONE ? "none" : timefmt_format_rfc3339(got, buf),
			       next[i].want, "'%s' after %s", next[i].spec, next[i].from);
	}
	cron_parse("0 0 * * *", &s, NULL);
	ok(cron_next(&s, at("2026-01-01T00:00:00Z") - 1) == at("2026-01-01T00:00:00Z"),
	   "one second before a fire time gives that fire time");
	ok(cron_next(&s, INT64_MAX) == CRON_NONE && cron_next(&s, INT64_MIN) == CRON_NONE,
	   "absurd instants give no fire time instead of overflowing");
	return tap_done();
}
