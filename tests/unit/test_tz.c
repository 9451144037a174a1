#include "tap.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "timefmt.h"
#include "tz.h"

#define T(y, mo, d, h, mi) civil_to_time(y, mo, d, h, mi, 0)

static int64_t at(const char *rfc3339)
{
	struct timespec ts;

	if (timefmt_parse_rfc3339(rfc3339, &ts, NULL))
		abort();
	return ts.tv_sec;
}

/* Offsets from the system's tzdata (transitions up to 2037, then the footer). */
static const struct {
	const char *zone;
	const char *t;
	int32_t off;
	const char *what;
} offsets[] = {
	{ "Europe/Berlin", "2026-01-15T12:00:00Z", 3600, "CET in winter" },
	{ "Europe/Berlin", "2026-07-15T12:00:00Z", 7200, "CEST in summer" },
	{ "Europe/Berlin", "2026-03-29T00:59:59Z", 3600, "last second before spring forward" },
	{ "Europe/Berlin", "2026-03-29T01:00:00Z", 7200, "spring forward at 01:00Z" },
	{ "Europe/Berlin", "2026-10-25T00:59:59Z", 7200, "last second of CEST" },
	{ "Europe/Berlin", "2026-10-25T01:00:00Z", 3600, "fall back at 01:00Z" },
	{ "Europe/Berlin", "2050-01-01T00:00:00Z", 3600, "2050 winter, from the footer" },
	{ "Europe/Berlin", "2050-03-27T01:00:00Z", 7200, "2050 spring forward, from the footer" },
	{ "Europe/Berlin", "2050-03-27T00:59:59Z", 3600, "just before it" },
	{ "Europe/Berlin", "2050-10-30T01:00:00Z", 3600, "2050 fall back, from the footer" },
	{ "Europe/Berlin", "1890-01-01T00:00:00Z", 3208,
	  "local mean time before the first transition" },
	{ "America/New_York", "2026-03-08T06:59:59Z", -18000, "EST before 2am local" },
	{ "America/New_York", "2026-03-08T07:00:00Z", -14400, "EDT from 2am local" },
	{ "America/New_York", "2026-11-01T05:59:59Z", -14400, "EDT until 2am EDT" },
	{ "America/New_York", "2026-11-01T06:00:00Z", -18000, "EST again" },
	{ "America/New_York", "2060-07-04T12:00:00Z", -14400, "footer EDT" },
	{ "Asia/Kolkata", "2026-06-01T00:00:00Z", 19800, "half-hour offset" },
	{ "Asia/Kolkata", "2090-06-01T00:00:00Z", 19800, "half-hour offset from the footer" },
	{ "Asia/Kolkata", "1943-01-01T00:00:00Z", 23400, "war time +06:30" },
	{ "Australia/Sydney", "2050-01-15T00:00:00Z", 39600, "southern summer (DST over new year)" },
	{ "Australia/Sydney", "2050-07-15T00:00:00Z", 36000, "southern winter" },
	{ "Asia/Kathmandu", "2026-01-01T00:00:00Z", 20700, "quarter-hour offset" },
};

static void test_system_zones(void)
{
	const struct tz *z;
	struct errbuf err;
	size_t i;

	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		ok(tz_load(offsets[i].zone, &z, &err) == 0, "load %s", offsets[i].zone);
		is_int(tz_offset_at(z, at(offsets[i].t)), offsets[i].off, "%s: %s", offsets[i].zone,
		       offsets[i].what);
	}
	tz_load("Europe/Berlin", &z, NULL);
	is_str(tz_name(z), "Europe/Berlin", "the zone keeps its name");
	is_int(tz_next_transition(z, T(2026, 1, 1, 0, 0)), T(2026, 3, 29, 1, 0),
	       "next transition from the table");
	is_int(tz_next_transition(z, T(2026, 3, 29, 1, 0)), T(2026, 10, 25, 1, 0),
	       "strictly after a transition instant");
	is_int(tz_next_transition(z, T(2050, 1, 1, 0, 0)), T(2050, 3, 27, 1, 0),
	       "next transition from the footer");
	is_int(tz_next_transition(z, T(2050, 3, 27, 1, 0)), T(2050, 10, 30, 1, 0),
	       "and the one after");
	ok((tz_offset_at(z, INT64_MAX) == 3600 || tz_offset_at(z, INT64_MAX) == 7200) &&
	           tz_offset_at(z, INT64_MIN) == 3208,
	   "absurd instants do not overflow");
	is_int(tz_next_transition(z, INT64_MAX), TZ_NO_TRANSITION, "nothing after the end of time");
	tz_load("Asia/Kolkata", &z, NULL);
	is_int(tz_next_transition(z, T(2026, 1, 1, 0, 0)), TZ_NO_TRANSITION,
	       "a zone without DST has no next transition");
}

static void test_names(void)
{
	static const char *const utc_names[] = { "", "UTC" };
	static const struct {
		const char *name, *msg;
	} bad[] = {
		{ "Mars/Olympus_Mons", "unknown time zone 'Mars/Olympus_Mons'" },
		{ "America", "unknown time zone 'America'" },
		{ "utc", "unknown time zone 'utc'" },
		{ "../../etc/passwd", "invalid time zone name '../../etc/passwd'" },
		{ "Europe/../../../etc/passwd",
		  "invalid time zone name 'Europe/../../../etc/passwd'" },
		{ "/etc/localtime", "invalid time zone name '/etc/localtime'" },
		{ "\\windows", "invalid time zone name '\\windows'" },
		{ "Europe/Ber\x1b[2Jlin", "invalid time zone name 'Europe/Ber?[2Jlin'" },
		{ "Europe/Berlin ", "invalid time zone name 'Europe/Berlin '" },
	};
	const struct tz *z, *again;
	struct errbuf err;
	size_t i;

	for (i = 0; i < 2; i++) {
		z = NULL;
		ok(tz_load(utc_names[i], &z, &err) == 0 && z == tz_utc(), "'%s' is UTC",
		   utc_names[i]);
	}
	ok(tz_load(NULL, &z, &err) == 0 && z == tz_utc(), "NULL is UTC");
	is_int(tz_offset_at(tz_utc(), T(2026, 7, 1, 0, 0)), 0, "UTC has offset 0");
	is_int(tz_next_transition(tz_utc(), 0), TZ_NO_TRANSITION, "UTC never changes");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		z = NULL;
		ok(tz_load(bad[i].name, &z, &err) == -1 && z == tz_utc(),
		   "bad name %zu is an error but still gives UTC", i);
		is_str(err.msg, bad[i].msg, "error for bad name %zu", i);
	}
	ok(tz_load("Mars/Olympus_Mons", &z, &err) == -1, "a cached failure is still a failure");
	tz_load("Europe/Berlin", &z, NULL);
	tz_load("Europe/Berlin", &again, NULL);
	ok(z == again, "zones are cached");
}

/* ---- synthetic TZif files ---- */

static void be32(struct strbuf *sb, uint32_t v)
{
	unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };

	strbuf_add(sb, b, 4);
}

static void be64(struct strbuf *sb, int64_t v)
{
	be32(sb, (uint32_t)((uint64_t)v >> 32));
	be32(sb, (uint32_t)v);
}

struct spec {
	char version;
	size_t ntrans;
	int64_t trans[4];
	unsigned char idx[4];
	size_t ntypes;
	int32_t off[3];
	const char *footer; /* NULL: none (v1) */
};

static void add_block(struct strbuf *sb, const struct spec *s, int wide)
{
	size_t i;

	strbuf_add(sb, "TZif", 4);
	strbuf_addch(sb, s->version);
	strbuf_add(sb, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15);
	be32(sb, 0);
	be32(sb, 0);
	be32(sb, 0);
	be32(sb, (uint32_t)s->ntrans);
	be32(sb, (uint32_t)s->ntypes);
	be32(sb, 4);
	for (i = 0; i < s->ntrans; i++) {
		if (wide)
			be64(sb, s->trans[i]);
		else
			be32(sb, (uint32_t)s->trans[i]);
	}
	strbuf_add(sb, s->idx, s->ntrans);
	for (i = 0; i < s->ntypes; i++) {
		be32(sb, (uint32_t)s->off[i]);
		strbuf_addch(sb, 0);
		strbuf_addch(sb, 0);
	}
	strbuf_add(sb, "XXX\0", 4);
}

static void build(struct strbuf *sb, const struct spec *s)
{
	strbuf_reset(sb);
	add_block(sb, s, 0);
	if (s->version == '\0')
		return;
	add_block(sb, s, 1);
	strbuf_addf(sb, "\n%s\n", s->footer);
}

static const struct tz *from(struct strbuf *sb, const struct spec *s, struct tz **keep)
{
	struct errbuf err;

	build(sb, s);
	tz_free(*keep);
	*keep = tz_from_tzif("Test/Zone", (const unsigned char *)sb->buf, sb->len, &err);
	return *keep;
}

static const struct {
	const char *footer;
	const char *t;
	int32_t off;
	const char *what;
} footers[] = {
	{ "<+0530>-5:30", "2026-01-01T00:00:00Z", 19800, "quoted abbreviation, minutes" },
	{ "<-03>3", "2026-01-01T00:00:00Z", -10800, "negative quoted abbreviation" },
	{ "EST5EDT,M3.2.0,M11.1.0", "2030-03-10T06:59:59Z", -18000, "before US DST" },
	{ "EST5EDT,M3.2.0,M11.1.0", "2030-03-10T07:00:00Z", -14400, "US DST starts 2nd Sunday" },
	{ "EST5EDT", "2030-07-01T00:00:00Z", -14400, "no rule: Go's US default" },
	{ "XXX3YYY,J60/0,300/0", "2030-03-01T02:59:59Z", -10800, "Julian J60 is 1 March" },
	{ "XXX3YYY,J60/0,300/0", "2030-03-01T03:00:00Z", -7200, "DST from J60" },
	{ "XXX3YYY,J60/0,300/0", "2030-10-28T01:59:59Z", -7200, "zero-based day 300 (2030)" },
	{ "XXX3YYY,J60/0,300/0", "2030-10-28T02:00:00Z", -10800, "ends on 28 October" },
	{ "XXX3YYY,J60/0,300/0", "2032-03-01T03:00:00Z", -7200, "J60 skips 29 February" },
	{ "XXX3YYY,J60/0,300/0", "2032-10-27T02:00:00Z", -10800, "day 300 counts it (2032)" },
	{ "AEST-10AEDT,M10.1.0,M4.1.0/3", "2030-01-15T00:00:00Z", 39600, "southern DST in January" },
	{ "AEST-10AEDT,M10.1.0,M4.1.0/3", "2030-07-15T00:00:00Z", 36000, "southern standard time" },
	{ "AAA-1BBB-3,M3.5.0/-1,M10.5.0/25", "2030-03-30T22:00:00Z", 10800,
	  "explicit DST offset; negative rule time (Sat 23:00 local std)" },
	{ "AAA-1BBB-3,M3.5.0/-1,M10.5.0/25", "2030-03-30T21:59:59Z", 3600, "just before" },
	{ "AAA-1BBB-3,M3.5.0/-1,M10.5.0/25", "2030-10-27T21:59:59Z", 10800, "DST until" },
	{ "AAA-1BBB-3,M3.5.0/-1,M10.5.0/25", "2030-10-27T22:00:00Z", 3600,
	  "rule time past 24h (Mon 01:00 local DST)" },
};

static void test_synthetic(void)
{
	static const char *const bad_footers[] = {
		"garbage",
		"AB5",
		"EST",
		"EST5EDT,M13.1.0,M11.1.0",
		"EST5EDT,M3.6.0,M11.1.0",
		"EST5EDT,M3.2.7,M11.1.0",
		"EST5EDT,J0,J365",
		"EST5EDT,366,1",
		"EST5EDT,M3.2.0",
		"EST5EDT,M3.2.0/168,M11.1.0",
		"<+05>",
		"<>5",
		"EST25",
	};
	struct spec v1 = { '\0', 2, { 1000, 2000 }, { 1, 0 }, 2, { 3600, 7200 }, NULL };
	struct spec v2 = { '2', 1, { 0 }, { 0 }, 1, { -18000 }, "" };
	struct strbuf sb = STRBUF_INIT;
	struct tz *keep = NULL;
	const struct tz *z;
	struct errbuf err;
	size_t i;

	z = from(&sb, &v1, &keep);
	ok(z != NULL, "a version 1 file loads");
	is_int(tz_offset_at(z, -5), 3600, "before the first transition: type 0");
	is_int(tz_offset_at(z, 1000), 7200, "at the first transition");
	is_int(tz_offset_at(z, 2500), 3600, "after the last transition");
	is_int(tz_next_transition(z, 0), 1000, "next transition");
	is_int(tz_next_transition(z, 2000), TZ_NO_TRANSITION, "none after the last");
	v1.version = '3';
	v1.footer = "";
	z = from(&sb, &v1, &keep);
	ok(z && tz_offset_at(z, 1500) == 7200, "version 3 uses the 64-bit block");
	for (i = 0; i < sizeof(footers) / sizeof(footers[0]); i++) {
		v2.footer = footers[i].footer;
		z = from(&sb, &v2, &keep);
		ok(z && tz_offset_at(z, at(footers[i].t)) == footers[i].off, "footer %s: %s (got %d)",
		   footers[i].footer, footers[i].what, z ? tz_offset_at(z, at(footers[i].t)) : -1);
	}
	v2.footer = "EST5EDT,M3.2.0,M11.1.0";
	z = from(&sb, &v2, &keep);
	is_int(tz_next_transition(z, T(2030, 1, 1, 0, 0)), T(2030, 3, 10, 7, 0),
	       "next transition from a footer rule");
	is_int(tz_next_transition(z, T(2030, 12, 1, 0, 0)), T(2031, 3, 9, 7, 0),
	       "it crosses into next year");
	v2.ntrans = 0;
	v2.footer = "<+0530>-5:30";
	z = from(&sb, &v2, &keep);
	ok(z && tz_offset_at(z, 0) == 19800, "no transitions: the footer applies");
	v2.ntrans = 1;
	for (i = 0; i < sizeof(bad_footers) / sizeof(bad_footers[0]); i++) {
		v2.footer = bad_footers[i];
		build(&sb, &v2);
		err.msg[0] = '\0';
		ok(!tz_from_tzif("Test/Zone", (const unsigned char *)sb.buf, sb.len, &err) &&
		           !strcmp(err.msg, "time zone 'Test/Zone': not a valid TZif file"),
		   "bad footer '%s' is refused", bad_footers[i]);
	}
	v2.footer = "";
	build(&sb, &v2);
	for (i = 0; i < sb.len; i++)
		ok(!tz_from_tzif("Test/Zone", (const unsigned char *)sb.buf, i, NULL),
		   "truncated at %zu bytes", i);
	sb.buf[0] = 'X';
	ok(!tz_from_tzif("Test/Zone", (const unsigned char *)sb.buf, sb.len, NULL), "bad magic");
	v1.version = '\0';
	v1.idx[0] = 2;
	build(&sb, &v1);
	ok(!tz_from_tzif("Test/Zone", (const unsigned char *)sb.buf, sb.len, NULL),
	   "a type index out of range");
	v1.idx[0] = 1;
	v1.trans[1] = 500;
	build(&sb, &v1);
	ok(!tz_from_tzif("Test/Zone", (const unsigned char *)sb.buf, sb.len, NULL),
	   "unsorted transitions");
	v1.trans[1] = 2000;
	v1.ntypes = 0;
	v1.ntrans = 0;
	build(&sb, &v1);
	ok(!tz_from_tzif("Test/Zone", (const unsigned char *)sb.buf, sb.len, NULL),
	   "no time types");
	tz_free(keep);
	strbuf_release(&sb);
}

static void test_dir_override(void)
{
	char dir[] = "/tmp/test_tz.XXXXXX";
	struct spec s = { '2', 0, { 0 }, { 0 }, 1, { 0 }, "<+0545>-5:45" };
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	const struct tz *z;
	FILE *f;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	build(&sb, &s);
	strbuf_addf(&path, "%s/Test", dir);
	mkdir(path.buf, 0700);
	strbuf_addstr(&path, "/Zone");
	f = fopen(path.buf, "wb");
	fwrite(sb.buf, 1, sb.len, f);
	fclose(f);
	tz_set_dir(dir);
	ok(tz_load("Test/Zone", &z, NULL) == 0 && tz_offset_at(z, 0) == 20700,
	   "zones load from the overridden directory");
	ok(tz_load("Europe/Berlin", &z, NULL) == -1, "and only from there");
	tz_set_dir(NULL);
	ok(tz_load("Test/Zone", &z, NULL) == -1, "the default directory is back");
	ok(tz_load("Europe/Berlin", &z, NULL) == 0, "with its zones");
	unlink(path.buf);
	strbuf_setlen(&path, path.len - 5);
	rmdir(path.buf);
	rmdir(dir);
	strbuf_release(&sb);
	strbuf_release(&path);
}

static void *worker(void *arg)
{
	static const char *const zones[] = { "Europe/Berlin", "America/New_York", "Asia/Kolkata",
		                             "Europe/London", "Asia/Tokyo",       "Africa/Cairo" };
	int i, *bad = arg;

	for (i = 0; i < 600; i++) {
		const struct tz *z;

		tz_load(zones[i % 6], &z, NULL);
		if (i % 6 == 2 && tz_offset_at(z, T(2026, 1, 1, 0, 0)) != 19800)
			(*bad)++;
	}
	return NULL;
}

static void test_threads(void)
{
	pthread_t th[4];
	int bad[4] = { 0 }, i, total = 0;

	tz_cache_clear();
	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, worker, &bad[i]);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		total += bad[i];
	}
	is_int(total, 0, "concurrent loads from four threads agree");
}

int main(void)
{
	test_system_zones();
	test_names();
	test_synthetic();
	test_dir_override();
	test_threads();
	tz_cache_clear();
	return tap_done();
}
