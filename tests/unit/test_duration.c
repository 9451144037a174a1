#include "tap.h"

#include <stdint.h>

#include "duration.h"

#define S DURATION_SECOND
#define MS DURATION_MS
#define US DURATION_US
#define MIN DURATION_MINUTE
#define H DURATION_HOUR

/* Go's own time.ParseDuration cases (time_test.go), plus Argo CD's examples. */
static const struct {
	const char *in;
	int64_t want;
} good[] = {
	{ "0", 0 },
	{ "-0", 0 },
	{ "+0", 0 },
	{ "5s", 5 * S },
	{ "30s", 30 * S },
	{ "1478s", 1478 * S },
	{ "-5s", -5 * S },
	{ "+5s", 5 * S },
	{ "5.0s", 5 * S },
	{ "5.6s", 5 * S + 600 * MS },
	{ "5.s", 5 * S },
	{ ".5s", 500 * MS },
	{ "1.0s", S },
	{ "1.00s", S },
	{ "1.004s", S + 4 * MS },
	{ "1.0040s", S + 4 * MS },
	{ "100.00100s", 100 * S + MS },
	{ "10ns", 10 },
	{ "11us", 11 * US },
	{ "12\xc2\xb5s", 12 * US },
	{ "12\xce\xbcs", 12 * US },
	{ "13ms", 13 * MS },
	{ "14s", 14 * S },
	{ "15m", 15 * MIN },
	{ "16h", 16 * H },
	{ "3h30m", 3 * H + 30 * MIN },
	{ "10.5s4m", 4 * MIN + 10 * S + 500 * MS },
	{ "-2m3.4s", -(2 * MIN + 3 * S + 400 * MS) },
	{ "1h2m3s4ms5us6ns", H + 2 * MIN + 3 * S + 4 * MS + 5 * US + 6 },
	{ "39h9m14.425s", 39 * H + 9 * MIN + 14 * S + 425 * MS },
	{ "52763797000ns", INT64_C(52763797000) },
	{ "0.3333333333333333333h", 20 * MIN },
	{ "9007199254740993ns", (INT64_C(1) << 53) + 1 },
	{ "9223372036854775807ns", INT64_MAX },
	{ "9223372036854775.807us", INT64_MAX },
	{ "9223372036s854ms775us807ns", INT64_MAX },
	{ "-9223372036854775808ns", INT64_MIN },
	{ "-9223372036854775.808us", INT64_MIN },
	{ "-9223372036s854ms775us808ns", INT64_MIN },
	{ "-2562047h47m16.854775808s", INT64_MIN },
	{ "0.100000000000000000000h", 6 * MIN },
	{ "0.830103483285477580700h", 49 * MIN + 48 * S + 372539827 },
	/* the sync-window durations of argocd.md §4.1 */
	{ "30m", 30 * MIN },
	{ "1h", H },
	{ "1h30m", 90 * MIN },
	{ "1.5h", 90 * MIN },
	{ "90s", 90 * S },
	{ "300ms", 300 * MS },
	{ "-1.5h", -90 * MIN },
	{ "2h45m", 165 * MIN },
};

static const struct {
	const char *in, *msg;
} bad[] = {
	{ "", "time: invalid duration \"\"" },
	{ "3", "time: missing unit in duration \"3\"" },
	{ "3600", "time: missing unit in duration \"3600\"" },
	{ "1d", "time: unknown unit \"d\" in duration \"1d\"" },
	{ "1000days", "time: unknown unit \"days\" in duration \"1000days\"" },
	{ "33mm", "time: unknown unit \"mm\" in duration \"33mm\"" },
	{ "2a", "time: unknown unit \"a\" in duration \"2a\"" },
	{ "-", "time: invalid duration \"-\"" },
	{ "s", "time: invalid duration \"s\"" },
	{ ".", "time: invalid duration \".\"" },
	{ "-.", "time: invalid duration \"-.\"" },
	{ ".s", "time: invalid duration \".s\"" },
	{ "+.s", "time: invalid duration \"+.s\"" },
	{ "1h ", "time: unknown unit \"h \" in duration \"1h \"" },
	{ " 1h", "time: invalid duration \" 1h\"" },
	{ "\x85\x85", "time: invalid duration \"\\x85\\x85\"" },
	{ "\xff"
	  "ff",
	  "time: invalid duration \"\\xffff\"" },
	{ "1\x1b[31ms", "time: unknown unit \"\\x1b[\" in duration \"1\\x1b[31ms\"" },
	{ "9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\"" },
	{ "9223372036854775.808us", "time: invalid duration \"9223372036854775.808us\"" },
	{ "9223372036854ms775us808ns", "time: invalid duration \"9223372036854ms775us808ns\"" },
	{ "-9223372036854775809ns", "time: invalid duration \"-9223372036854775809ns\"" },
	{ "3000000h", "time: invalid duration \"3000000h\"" },
};

/* Go's Duration.String cases. */
static const struct {
	int64_t in;
	const char *want;
} formats[] = {
	{ 0, "0s" },
	{ 1, "1ns" },
	{ 1100, "1.1\xc2\xb5s" },
	{ 2200 * US, "2.2ms" },
	{ 3300 * MS, "3.3s" },
	{ 4 * MIN + 5 * S, "4m5s" },
	{ 4 * MIN + 5001 * MS, "4m5.001s" },
	{ 5 * H + 6 * MIN + 7001 * MS, "5h6m7.001s" },
	{ 8 * MIN + 1, "8m0.000000001s" },
	{ INT64_MAX, "2562047h47m16.854775807s" },
	{ INT64_MIN, "-2562047h47m16.854775808s" },
	{ 90 * MIN, "1h30m0s" },
	{ -90 * MIN, "-1h30m0s" },
	{ 300 * MS, "300ms" },
	{ 8 * H, "8h0m0s" },
	{ 59 * S, "59s" },
};

static const struct {
	const char *in;
	int ok;
	int64_t want;
} timeouts[] = {
	{ "0", 1, 0 },          { "5", 1, 5 * S },
	{ "+5", 1, 5 * S },     { "007", 1, 7 * S },
	{ "1s", 1, S },         { "2m", 1, 2 * MIN },
	{ "3h", 1, 3 * H },     { "1m30s", 1, 90 * S },
	{ "-1s", 1, -S },       { "-5", 0, 0 },
	{ "abc", 0, 0 },        { "1.5", 0, 0 },
	{ "", 0, 0 },           { "5 ", 0, 0 },
	{ "1d", 0, 0 },         { "99999999999999999999", 0, 0 },
	{ "9300000000", 0, 0 },
};

int main(void)
{
	char buf[DURATION_FORMAT_SIZE];
	struct errbuf err;
	int64_t ns;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ns = -42;
		ok(duration_parse(good[i].in, &ns, &err) == 0 && ns == good[i].want,
		   "parse '%s' = %lld (got %lld)", good[i].in, (long long)good[i].want,
		   (long long)ns);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ns = 42;
		err.msg[0] = '\0';
		ok(duration_parse(bad[i].in, &ns, &err) == -1 && ns == 42,
		   "parse rejects bad input %zu", i);
		is_str(err.msg, bad[i].msg, "error text for bad input %zu", i);
	}
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		is_str(duration_format(formats[i].in, buf), formats[i].want, "format %lld",
		       (long long)formats[i].in);
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		ok(duration_parse(formats[i].want, &ns, NULL) == 0 && ns == formats[i].in,
		   "format output '%s' parses back", formats[i].want);
	for (i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++) {
		int r = duration_parse_request_timeout(timeouts[i].in, &ns, &err);

		if (timeouts[i].ok)
			ok(r == 0 && ns == timeouts[i].want, "--request-timeout '%s'",
			   timeouts[i].in);
		else
			ok(r == -1 && !strcmp(err.msg,
			                      "Invalid timeout value. Timeout must be a single "
			                      "integer in seconds, or an integer followed by a "
			                      "corresponding time unit (e.g. 1s | 2m | 3h)"),
			   "--request-timeout rejects '%s' with kubectl's text", timeouts[i].in);
	}
	ok(duration_parse("1h", &ns, NULL) == 0, "a NULL errbuf is allowed on success");
	ok(duration_parse("1d", &ns, NULL) == -1, "and on failure");
	return tap_done();
}
