#include "tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "sync_window.h"
#include "timefmt.h"
#include "tz.h"
#include "xalloc.h"

/* ---- helpers ---- */

static struct timespec at(const char *rfc3339)
{
	struct timespec ts;

	if (timefmt_parse_rfc3339(rfc3339, &ts, NULL))
		abort();
	return ts;
}

/* Parses a JSON array of windows written with ' for " (readability). */
static void load(const char *json, struct sync_windows *ws)
{
	struct strbuf sb = STRBUF_INIT;
	struct errbuf err;
	cJSON *v;
	size_t i;

	strbuf_addstr(&sb, "{\"spec\":{\"syncWindows\":");
	for (i = 0; json[i]; i++)
		strbuf_addch(&sb, json[i] == '\'' ? '"' : json[i]);
	strbuf_addstr(&sb, "}}");
	v = cJSON_Parse(sb.buf);
	if (!v || sync_windows_from_project(v, ws, &err)) {
		printf("# bad test JSON: %s\n", json);
		abort();
	}
	cJSON_Delete(v);
	strbuf_release(&sb);
}

static const struct window_app test_app = { "test-app", "clusterName", "cluster1", "default" };
static const struct window_app app1 = { "app1", "", "https://kubernetes.default.svc", "public" };

static char *fmt(const struct timespec *ts, char buf[TIMEFMT_RFC3339_SIZE])
{
	return timefmt_format_rfc3339(ts->tv_sec, buf);
}

/* ---- Argo CD's TestSyncWindows_Active / InactiveAllows / TestSyncWindow_Active ---- */

/*
 * Each case lists which windows are active; Argo CD's inactiveAllows is
 * the complement for allow windows, so both of its tables fit here.  The
 * "-04:00" instants are Argo CD's NonUTC variants (the same instants).
 */
static const struct {
	const char *name, *windows, *now, *active; /* active: one char per window */
} active_cases[] = {
	{ "MatchFirst",
	  "[{'kind':'allow','schedule':'* 10 * * *','duration':'2h','applications':['*']},"
	  "{'kind':'allow','schedule':'* 14 * * *','duration':'2h','applications':['*']}]",
	  "2026-06-10T11:00:00Z", "10" },
	{ "MatchSecond",
	  "[{'kind':'allow','schedule':'* 10 * * *','duration':'2h','applications':['*']},"
	  "{'kind':'allow','schedule':'* 14 * * *','duration':'2h','applications':['*']}]",
	  "2026-06-10T15:00:00Z", "01" },
	{ "MatchBoth",
	  "[{'kind':'allow','schedule':'* 10 * * *','duration':'3h','applications':['*']},"
	  "{'kind':'allow','schedule':'* 11 * * *','duration':'3h','applications':['*']}]",
	  "2026-06-10T12:00:00Z", "11" },
	{ "MatchNone",
	  "[{'kind':'allow','schedule':'* 10 * * *','duration':'2h','applications':['*']},"
	  "{'kind':'allow','schedule':'* 14 * * *','duration':'2h','applications':['*']}]",
	  "2026-06-10T17:00:00Z", "00" },
	{ "InactiveAllows-MatchFirst",
	  "[{'kind':'allow','schedule':'* 10 * * *','duration':'2h','applications':['*']},"
	  "{'kind':'allow','schedule':'* 5 * * *','duration':'2h','applications':['*']}]",
	  "2026-06-10T06:00:00Z", "01" },
	{ "InactiveAllows-MatchNone",
	  "[{'kind':'allow','schedule':'* 10 * * *','duration':'4h','applications':['*']},"
	  "{'kind':'allow','schedule':'* 11 * * *','duration':'4h','applications':['*']}]",
	  "2026-06-10T12:00:00Z", "11" },
	{ "MatchFirst-NonUTC",
	  "[{'kind':'allow','schedule':'* 10 * * *','duration':'2h','applications':['*']},"
	  "{'kind':'allow','schedule':'* 14 * * *','duration':'2h','applications':['*']}]",
	  "2026-06-10T07:00:00-04:00", "10" },
	{ "MatchSecond-NonUTC",
	  "[{'kind':'allow','schedule':'* 10 * * *','duration':'2h','applications':['*']},"
	  "{'kind':'allow','schedule':'* 14 * * *','duration':'2h','applications':['*']}]",
	  "2026-06-10T11:00:00-04:00", "01" },
	{ "MatchNone-NonUTC",
	  "[{'kind':'allow','schedule':'* 10 * * *','duration':'2h','applications':['*']},"
	  "{'kind':'allow','schedule':'* 14 * * *','duration':'2h','applications':['*']}]",
	  "2026-06-10T13:00:00-04:00", "00" },
	{ "MatchFirst-TimeZoneSpecified",
	  "[{'kind':'allow','schedule':'* 10 * * *','duration':'2h','applications':['*'],"
	  "'timeZone':'America/New_York'},"
	  "{'kind':'allow','schedule':'* 14 * * *','duration':'2h','applications':['*'],"
	  "'timeZone':'America/New_York'}]",
	  "2026-06-10T16:00:00Z", "10" },
	{ "MatchSecond-TimeZoneSpecified",
	  "[{'kind':'allow','schedule':'* 10 * * *','duration':'2h','applications':['*'],"
	  "'timeZone':'America/New_York'},"
	  "{'kind':'allow','schedule':'* 14 * * *','duration':'2h','applications':['*'],"
	  "'timeZone':'America/New_York'}]",
	  "2026-06-10T20:00:00Z", "01" },
	{ "MatchNone-TimeZoneSpecified",
	  "[{'kind':'allow','schedule':'* 10 * * *','duration':'2h','applications':['*'],"
	  "'timeZone':'America/New_York'},"
	  "{'kind':'allow','schedule':'* 14 * * *','duration':'2h','applications':['*'],"
	  "'timeZone':'America/New_York'}]",
	  "2026-06-10T22:00:00Z", "00" },
	{ "MatchFirst-PositiveTimeZoneSpecified",
	  "[{'kind':'allow','schedule':'* 8 * * *','duration':'2h','applications':['*'],"
	  "'timeZone':'Asia/Dhaka'},"
	  "{'kind':'allow','schedule':'* 12 * * *','duration':'2h','applications':['*'],"
	  "'timeZone':'Asia/Dhaka'}]",
	  "2026-06-10T03:00:00Z", "10" },
	{ "Allow-active / Deny-inactive",
	  "[{'kind':'allow','schedule':'* 10 * * *','duration':'2h','applications':['*']},"
	  "{'kind':'deny','schedule':'* 10 * * *','duration':'2h','applications':['*']}]",
	  "2026-06-10T11:00:00Z", "11" },
	{ "Allow-inactive / Deny-inactive",
	  "[{'kind':'allow','schedule':'* 10 * * *','duration':'2h','applications':['*']},"
	  "{'kind':'deny','schedule':'* 10 * * *','duration':'2h','applications':['*']}]",
	  "2026-06-10T13:00:00Z", "00" },
	/* The open interval (F, F + duration). */
	{ "exactly at the fire time",
	  "[{'kind':'deny','schedule':'0 10 * * *','duration':'1h','applications':['*']}]",
	  "2026-06-10T10:00:00Z", "0" },
	{ "one nanosecond after the fire time",
	  "[{'kind':'deny','schedule':'0 10 * * *','duration':'1h','applications':['*']}]",
	  "2026-06-10T10:00:00.000000001Z", "1" },
	{ "the last nanosecond",
	  "[{'kind':'deny','schedule':'0 10 * * *','duration':'1h','applications':['*']}]",
	  "2026-06-10T10:59:59.999999999Z", "1" },
	{ "exactly at the end",
	  "[{'kind':'deny','schedule':'0 10 * * *','duration':'1h','applications':['*']}]",
	  "2026-06-10T11:00:00Z", "0" },
	{ "fractional duration",
	  "[{'kind':'deny','schedule':'0 10 * * *','duration':'1.5s','applications':['*']}]",
	  "2026-06-10T10:00:01.4Z", "1" },
	{ "zero and negative durations are never active",
	  "[{'kind':'deny','schedule':'* * * * *','duration':'0s','applications':['*']},"
	  "{'kind':'deny','schedule':'* * * * *','duration':'-1h','applications':['*']}]",
	  "2026-06-10T10:00:30Z", "00" },
	{ "Feb 31 never fires, so robfig's zero time makes it always active",
	  "[{'kind':'deny','schedule':'0 0 31 2 *','duration':'1m','applications':['*']},"
	  "{'kind':'allow','schedule':'0 0 30 2 *','duration':'1m','applications':['*']}]",
	  "2026-06-10T10:00:00Z", "11" },
	{ "an unknown time zone is UTC",
	  "[{'kind':'deny','schedule':'0 10 * * *','duration':'1h','applications':['*'],"
	  "'timeZone':'Mars/Olympus_Mons'}]",
	  "2026-06-10T10:30:00Z", "1" },
	{ "a window that spans midnight (Europe/Berlin, CET)",
	  "[{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*'],"
	  "'timeZone':'Europe/Berlin'}]",
	  "2026-11-23T04:59:59Z", "1" },
	{ "and ends at 06:00 local",
	  "[{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*'],"
	  "'timeZone':'Europe/Berlin'}]",
	  "2026-11-23T05:00:00Z", "0" },
	{ "22:30 local in summer (CEST) is 20:30Z",
	  "[{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*'],"
	  "'timeZone':'Europe/Berlin'}]",
	  "2026-07-01T20:30:00Z", "1" },
	{ "21:30 local in summer is outside",
	  "[{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*'],"
	  "'timeZone':'Europe/Berlin'}]",
	  "2026-07-01T19:30:00Z", "0" },
	{ "Asia/Kolkata +05:30: 09:00 local is 03:30Z",
	  "[{'kind':'allow','schedule':'0 9 * * *','duration':'1h','applications':['*'],"
	  "'timeZone':'Asia/Kolkata'}]",
	  "2026-06-10T03:30:01Z", "1" },
	{ "Asia/Kolkata, before",
	  "[{'kind':'allow','schedule':'0 9 * * *','duration':'1h','applications':['*'],"
	  "'timeZone':'Asia/Kolkata'}]",
	  "2026-06-10T03:29:59Z", "0" },
	{ "Asia/Kolkata, last second",
	  "[{'kind':'allow','schedule':'0 9 * * *','duration':'1h','applications':['*'],"
	  "'timeZone':'Asia/Kolkata'}]",
	  "2026-06-10T04:29:59Z", "1" },
	{ "Asia/Kolkata, end",
	  "[{'kind':'allow','schedule':'0 9 * * *','duration':'1h','applications':['*'],"
	  "'timeZone':'Asia/Kolkata'}]",
	  "2026-06-10T04:30:00Z", "0" },
};

/*
 * 02:30 local does not exist on a spring-forward day.  With the offset
 * taken at the evaluated instant, shifted time jumps from 02:00 to 03:00,
 * so the window opens at the jump and closes at 03:30 local; on the
 * fall-back day 02:30-03:30 local happens twice.
 */
static const struct {
	const char *zone, *now;
	int active;
	const char *what;
} dst_cases[] = {
	{ "Europe/Berlin", "2026-03-29T00:59:59Z", 0, "01:59:59 CET, before the jump" },
	{ "Europe/Berlin", "2026-03-29T01:00:00Z", 1, "03:00 CEST: open from the jump" },
	{ "Europe/Berlin", "2026-03-29T01:29:59Z", 1, "03:29:59 CEST" },
	{ "Europe/Berlin", "2026-03-29T01:30:00Z", 0, "03:30 CEST: closed" },
	{ "Europe/Berlin", "2026-03-30T00:30:01Z", 1, "next day 02:30:01 CEST, normal again" },
	{ "America/New_York", "2026-03-08T06:59:59Z", 0, "01:59:59 EST" },
	{ "America/New_York", "2026-03-08T07:00:00Z", 1, "03:00 EDT: open from the jump" },
	{ "America/New_York", "2026-03-08T07:29:59Z", 1, "03:29:59 EDT" },
	{ "America/New_York", "2026-03-08T07:30:00Z", 0, "03:30 EDT: closed" },
	{ "Europe/Berlin", "2026-10-25T00:30:01Z", 1, "02:30:01 CEST, first pass" },
	{ "Europe/Berlin", "2026-10-25T00:59:59Z", 1, "02:59:59 CEST" },
	{ "Europe/Berlin", "2026-10-25T01:00:00Z", 0, "02:00 CET: the clock went back" },
	{ "Europe/Berlin", "2026-10-25T01:30:01Z", 1, "02:30:01 CET, second pass" },
	{ "Europe/Berlin", "2026-10-25T02:30:00Z", 0, "03:30 CET: closed" },
	{ "America/New_York", "2026-11-01T06:30:01Z", 1,
	  "01:30:01 EST: the repeated hour opens it again" },
};

static void test_active(void)
{
	struct sync_windows ws;
	struct errbuf err;
	size_t i, j;

	for (i = 0; i < sizeof(active_cases) / sizeof(active_cases[0]); i++) {
		struct timespec now = at(active_cases[i].now);
		char got[8] = "";

		load(active_cases[i].windows, &ws);
		for (j = 0; j < ws.n && j < 7; j++) {
			int a = window_is_active(&ws.v[j], &now, &err);

			got[j] = a < 0 ? 'E' : (char)('0' + a);
		}
		got[j] = '\0';
		is_str(got, active_cases[i].active, "active: %s", active_cases[i].name);
		sync_windows_release(&ws);
	}
	for (i = 0; i < sizeof(dst_cases) / sizeof(dst_cases[0]); i++) {
		struct timespec now = at(dst_cases[i].now);
		struct sync_window w = { 0 };
		char *apps[] = { "*" };

		w.kind = "allow";
		w.schedule = "30 2 * * *";
		w.duration = "1h";
		w.time_zone = (char *)dst_cases[i].zone;
		w.description = "";
		w.applications.v = apps;
		w.applications.n = 1;
		if (i == sizeof(dst_cases) / sizeof(dst_cases[0]) - 1)
			w.schedule = "30 1 * * *";
		is_int(window_is_active(&w, &now, &err), dst_cases[i].active, "DST %s %s: %s",
		       dst_cases[i].zone, dst_cases[i].now, dst_cases[i].what);
	}
}

static void test_active_errors(void)
{
	static const struct {
		const char *windows, *msg;
	} cases[] = {
		{ "[{'kind':'allow','schedule':'* 10 * * 7','duration':'2h'}]",
		  "cannot parse schedule '* 10 * * 7': end of range (7) above maximum (6): 7" },
		{ "[{'kind':'deny','schedule':'* 10 * * *','duration':'2a'}]",
		  "cannot parse duration '2a': time: unknown unit \"a\" in duration \"2a\"" },
	};
	struct timespec now = at("2026-06-10T11:00:00Z");
	struct sync_windows ws;
	struct errbuf err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		load(cases[i].windows, &ws);
		ok(window_is_active(&ws.v[0], &now, &err) == -1, "invalid window %zu is an error", i);
		is_str(err.msg, cases[i].msg, "and says why (%zu)", i);
		sync_windows_release(&ws);
	}
}

/* ---- Argo CD's TestSyncWindows_Matches, plus the AND operator ---- */

static const struct {
	const char *name, *window;
	const struct window_app *app;
	int want;
} match_cases[] = {
	{ "NoMatch", "{'applications':['app1'],'namespaces':['public']}", &test_app, 0 },
	{ "MatchNamespace", "{'applications':['app1'],'namespaces':['default']}", &test_app, 1 },
	{ "MatchCluster (server)", "{'applications':['app1'],'clusters':['cluster1']}", &test_app, 1 },
	{ "MatchClusterName", "{'applications':['app1'],'clusters':['clusterName']}", &test_app, 1 },
	{ "MatchAppName", "{'applications':['test-app']}", &test_app, 1 },
	{ "MatchWildcardAppName", "{'applications':['test-*']}", &test_app, 1 },
	{ "no selectors never match", "{}", &test_app, 0 },
	{ "empty lists never match", "{'applications':[],'namespaces':[],'clusters':[]}", &test_app,
	  0 },
	{ "'*' matches a server with slashes", "{'clusters':['https://*']}", &app1, 1 },
	{ "a '*' cluster needs a non-empty name or server", "{'clusters':['*']}",
	  &(const struct window_app){ "a", "", "", "ns" }, 0 },
	{ "glob alternatives", "{'applications':['{foo,test}-app']}", &test_app, 1 },
	{ "character classes", "{'namespaces':['def[a-z]ult']}", &test_app, 1 },
	{ "no negation in windows", "{'applications':['!other']}", &test_app, 0 },
	{ "OR: the second list matches", "{'applications':['x'],'namespaces':['default']}",
	  &test_app, 1 },
	{ "OR: nothing matches", "{'applications':['x'],'clusters':['y'],'namespaces':['z']}",
	  &test_app, 0 },
	{ "AND: app and namespace match",
	  "{'andOperator':true,'applications':['test-*'],'namespaces':['default']}", &test_app, 1 },
	{ "AND: namespace misses",
	  "{'andOperator':true,'applications':['test-*'],'namespaces':['other']}", &test_app, 0 },
	{ "AND: app misses", "{'andOperator':true,'applications':['x'],'namespaces':['default']}",
	  &test_app, 0 },
	{ "AND: app and cluster match, no namespaces (the match carries)",
	  "{'andOperator':true,'applications':['test-*'],'clusters':['cluster1']}", &test_app, 1 },
	{ "AND: cluster misses",
	  "{'andOperator':true,'applications':['test-*'],'clusters':['nope'],"
	  "'namespaces':['default']}",
	  &test_app, 0 },
	{ "AND: all three match",
	  "{'andOperator':true,'applications':['*'],'clusters':['clusterName'],"
	  "'namespaces':['def*']}",
	  &test_app, 1 },
	{ "AND: a namespace list alone", "{'andOperator':true,'namespaces':['default']}", &test_app,
	  1 },
};

static void test_matches(void)
{
	struct sync_windows ws;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "[%s]", match_cases[i].window);
		load(sb.buf, &ws);
		is_int(window_matches(&ws.v[0], match_cases[i].app), match_cases[i].want,
		       "matches: %s", match_cases[i].name);
		sync_windows_release(&ws);
	}
	strbuf_release(&sb);
}

/* ---- Argo CD's TestSyncWindows_CanSync matrix ---- */

/*
 * Argo CD's projectBuilder: active windows are "* * * * *" for 1h,
 * inactive ones start ten hours from now; all select app1 / public.
 * Letters: A/a active/inactive allow, D/d active/inactive deny; a '+'
 * after a letter sets manualSync.
 */
static void build_windows(const char *shape, struct strbuf *sb)
{
	const char *p;

	strbuf_addch(sb, '[');
	for (p = shape; *p; p++) {
		int manual = p[1] == '+';

		if (*p == '+')
			continue;
		if (sb->len > 1)
			strbuf_addch(sb, ',');
		strbuf_addf(sb,
		            "{'kind':'%s','schedule':'%s','duration':'1h',"
		            "'applications':['app1'],'namespaces':['public'],'manualSync':%s}",
		            *p == 'A' || *p == 'a' ? "allow" : "deny",
		            *p == 'A' || *p == 'D' ? "* * * * *" : "0 22 * * *",
		            manual ? "true" : "false");
	}
	strbuf_addch(sb, ']');
}

static const struct {
	const char *name, *shape;
	int manual, want;
} cansync_cases[] = {
	{ "will allow manual sync if inactive-deny-window set with manual true", "d+", 1, 1 },
	{ "will allow manual sync if inactive-deny-window set with manual false", "d", 1, 1 },
	{ "will deny manual sync if one inactive-allow-windows set with manual false", "a+a", 1, 0 },
	{ "will allow manual sync if on active-allow-window set with manual true", "A+", 1, 1 },
	{ "will allow manual sync if on active-allow-window set with manual false", "A", 1, 1 },
	{ "will allow auto sync if on active-allow-window", "A", 0, 1 },
	{ "will allow manual sync active-allow and inactive-deny", "Ad", 1, 1 },
	{ "will allow auto sync active-allow and inactive-deny", "Ad", 0, 1 },
	{ "will deny manual sync inactive-allow", "a", 1, 0 },
	{ "will deny auto sync inactive-allow", "a", 0, 0 },
	{ "will allow manual sync inactive-allow with ManualSync enabled", "a+", 1, 1 },
	{ "will deny auto sync inactive-allow with ManualSync enabled", "a+", 0, 0 },
	{ "will deny manual sync with inactive-allow and inactive-deny", "ad", 1, 0 },
	{ "will deny auto sync with inactive-allow and inactive-deny", "ad", 0, 0 },
	{ "will allow auto sync with active-allow and inactive-allow", "Aa", 0, 1 },
	{ "will deny manual sync with active-deny", "D", 1, 0 },
	{ "will deny auto sync with active-deny", "D", 0, 0 },
	{ "will allow manual sync with active-deny with ManualSync enabled", "D+", 1, 1 },
	{ "will deny auto sync with active-deny with ManualSync enabled", "D+", 0, 0 },
	{ "will deny manual sync with many active-deny having one with ManualSync disabled",
	  "D+D+D+D", 1, 0 },
	{ "will deny auto sync with many active-deny having one with ManualSync disabled",
	  "D+D+D+D", 0, 0 },
	{ "will deny manual sync with active-deny and active-allow windows with ManualSync "
	  "disabled",
	  "AD", 1, 0 },
	{ "will allow manual sync with active-deny and active-allow windows with ManualSync "
	  "enabled",
	  "AD+", 1, 1 },
	{ "will deny auto sync with active-deny and active-allow windows with ManualSync enabled",
	  "AD+", 0, 0 },
	{ "no windows at all", "", 0, 1 },
};

static void test_can_sync(void)
{
	struct timespec now = at("2026-06-10T12:00:00Z");
	struct strbuf sb = STRBUF_INIT;
	struct window_verdict v;
	struct sync_windows ws;
	struct errbuf err;
	size_t i;

	for (i = 0; i < sizeof(cansync_cases) / sizeof(cansync_cases[0]); i++) {
		strbuf_reset(&sb);
		build_windows(cansync_cases[i].shape, &sb);
		load(sb.buf, &ws);
		ok(windows_can_sync(&ws, &app1, cansync_cases[i].manual, NULL, &now, &v, &err) == 0 &&
		           v.allowed == cansync_cases[i].want,
		   "CanSync: %s", cansync_cases[i].name);
		window_verdict_release(&v);
		ok(windows_can_sync(&ws, &test_app, cansync_cases[i].manual, NULL, &now, &v, &err) ==
		                   0 &&
		           v.allowed && v.reason == WINDOW_NO_WINDOWS,
		   "windows that do not match the app do not apply (%zu)", i);
		window_verdict_release(&v);
		sync_windows_release(&ws);
	}
	load("[{'kind':'allow','schedule':'* 10 * * 7','duration':'1h','applications':['app1']},"
	     "{'kind':'deny','schedule':'* 10 * * 7','duration':'1h','applications':['app1']}]",
	     &ws);
	ok(windows_can_sync(&ws, &app1, 0, NULL, &now, &v, &err) == -1,
	   "will deny and return error with invalid windows");
	is_str(err.msg,
	       "sync window 0: cannot parse schedule '* 10 * * 7': end of range (7) above "
	       "maximum (6): 7",
	       "the error names the window");
	ok(windows_can_sync(&ws, &test_app, 0, NULL, &now, &v, &err) == 0 && v.allowed,
	   "invalid windows that do not match the app are not evaluated");
	window_verdict_release(&v);
	sync_windows_release(&ws);
	strbuf_release(&sb);
}

static void test_verdict_details(void)
{
	struct timespec now = at("2026-06-10T12:00:00Z");
	struct window_verdict v;
	struct sync_windows ws;
	struct errbuf err;

	load("[{'kind':'allow','schedule':'* * * * *','duration':'1h','applications':['app1']},"
	     "{'kind':'deny','schedule':'* * * * *','duration':'1h','applications':['other']},"
	     "{'kind':'deny','schedule':'* * * * *','duration':'1h','applications':['app1'],"
	     "'manualSync':true},"
	     "{'kind':'deny','schedule':'* * * * *','duration':'1h','namespaces':['public']}]",
	     &ws);
	windows_can_sync(&ws, &app1, 0, NULL, &now, &v, &err);
	ok(!v.allowed && v.reason == WINDOW_ACTIVE_DENY && v.n_blocking == 2 &&
	           v.blocking[0] == 2 && v.blocking[1] == 3,
	   "deny beats allow; blockers are 2 and 3");
	window_verdict_release(&v);
	windows_can_sync(&ws, &app1, 1, NULL, &now, &v, &err);
	ok(!v.allowed && v.n_blocking == 1 && v.blocking[0] == 3,
	   "a manual sync is blocked only by the window without manualSync");
	window_verdict_release(&v);
	sync_windows_release(&ws);

	load("[{'kind':'deny','schedule':'0 22 * * *','duration':'1h','applications':['app1']},"
	     "{'kind':'bogus','schedule':'* * * * *','duration':'1h','applications':['app1']}]",
	     &ws);
	windows_can_sync(&ws, &app1, 0, NULL, &now, &v, &err);
	ok(v.allowed && v.reason == WINDOW_ONLY_INACTIVE_DENY,
	   "only inactive deny windows (and unknown kinds) allow");
	window_verdict_release(&v);
	sync_windows_release(&ws);

	load("[{'kind':'allow','schedule':'0 22 * * *','duration':'1h','applications':['app1'],"
	     "'manualSync':true}]",
	     &ws);
	windows_can_sync(&ws, &app1, 1, NULL, &now, &v, &err);
	ok(v.allowed && v.reason == WINDOW_MANUAL_OVERRIDE && v.n_blocking == 1,
	   "a manual override reports the window it overrode");
	window_verdict_release(&v);
	sync_windows_release(&ws);
}

/* ---- syncOverrun (§4.5) ---- */

static const struct {
	const char *name, *windows, *now, *start; /* start NULL: no operation */
	int manual, want;
	enum window_reason reason;
} overrun_cases[] = {
	{ "a sync started before the deny window may finish",
	  "[{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*'],"
	  "'syncOverrun':true}]",
	  "2026-06-10T23:00:00Z", "2026-06-10T21:30:00Z", 0, 1, WINDOW_OVERRUN },
	{ "not without syncOverrun",
	  "[{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*']}]",
	  "2026-06-10T23:00:00Z", "2026-06-10T21:30:00Z", 0, 0, WINDOW_ACTIVE_DENY },
	{ "not without a start time",
	  "[{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*'],"
	  "'syncOverrun':true}]",
	  "2026-06-10T23:00:00Z", NULL, 0, 0, WINDOW_ACTIVE_DENY },
	{ "not when it started inside the deny window",
	  "[{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*'],"
	  "'syncOverrun':true}]",
	  "2026-06-10T23:00:00Z", "2026-06-10T22:30:00Z", 0, 0, WINDOW_ACTIVE_DENY },
	{ "every active deny window must allow overrun",
	  "[{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*'],"
	  "'syncOverrun':true},"
	  "{'kind':'deny','schedule':'0 21 * * *','duration':'8h','namespaces':['*']}]",
	  "2026-06-10T23:00:00Z", "2026-06-10T20:30:00Z", 0, 0, WINDOW_ACTIVE_DENY },
	{ "a sync started inside an allow window may run past its end",
	  "[{'kind':'allow','schedule':'0 9 * * *','duration':'1h','applications':['*'],"
	  "'syncOverrun':true}]",
	  "2026-06-10T10:30:00Z", "2026-06-10T09:45:00Z", 0, 1, WINDOW_OVERRUN },
	{ "not one that started outside it",
	  "[{'kind':'allow','schedule':'0 9 * * *','duration':'1h','applications':['*'],"
	  "'syncOverrun':true}]",
	  "2026-06-10T10:30:00Z", "2026-06-10T08:45:00Z", 0, 0, WINDOW_OUTSIDE_ALLOW },
	{ "every inactive allow window must allow overrun",
	  "[{'kind':'allow','schedule':'0 9 * * *','duration':'1h','applications':['*'],"
	  "'syncOverrun':true},"
	  "{'kind':'allow','schedule':'0 15 * * *','duration':'1h','applications':['*']}]",
	  "2026-06-10T10:30:00Z", "2026-06-10T09:45:00Z", 0, 0, WINDOW_OUTSIDE_ALLOW },
	{ "the start-time check keeps the manual flag",
	  "[{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*'],"
	  "'syncOverrun':true},"
	  "{'kind':'deny','schedule':'0 21 * * *','duration':'30m','applications':['*'],"
	  "'manualSync':true}]",
	  "2026-06-10T23:00:00Z", "2026-06-10T21:10:00Z", 1, 1, WINDOW_OVERRUN },
	{ "and an automated sync is still refused then",
	  "[{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*'],"
	  "'syncOverrun':true},"
	  "{'kind':'deny','schedule':'0 21 * * *','duration':'30m','applications':['*'],"
	  "'manualSync':true}]",
	  "2026-06-10T23:00:00Z", "2026-06-10T21:10:00Z", 0, 0, WINDOW_ACTIVE_DENY },
};

static void test_overrun(void)
{
	struct window_verdict v;
	struct sync_windows ws;
	struct errbuf err;
	size_t i;

	for (i = 0; i < sizeof(overrun_cases) / sizeof(overrun_cases[0]); i++) {
		struct timespec now = at(overrun_cases[i].now), start;

		if (overrun_cases[i].start)
			start = at(overrun_cases[i].start);
		load(overrun_cases[i].windows, &ws);
		ok(windows_can_sync(&ws, &app1, overrun_cases[i].manual,
		                    overrun_cases[i].start ? &start : NULL, &now, &v, &err) == 0 &&
		           v.allowed == overrun_cases[i].want && v.reason == overrun_cases[i].reason,
		   "overrun: %s", overrun_cases[i].name);
		window_verdict_release(&v);
		sync_windows_release(&ws);
	}
}

/* ---- when does the answer change? ---- */

static const struct {
	const char *name, *windows, *now;
	int manual;
	const char *want; /* NULL: no change within the look-ahead */
} change_cases[] = {
	{ "the end of a deny window in Europe/Berlin (06:00 CET)",
	  "[{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*'],"
	  "'timeZone':'Europe/Berlin'}]",
	  "2026-11-22T22:00:00Z", 0, "2026-11-23T05:00:00Z" },
	{ "the start of that deny window",
	  "[{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*'],"
	  "'timeZone':'Europe/Berlin'}]",
	  "2026-11-22T12:00:00Z", 0, "2026-11-22T21:00:00Z" },
	{ "over a weekend to Monday's allow window",
	  "[{'kind':'allow','schedule':'0 9 * * 1-5','duration':'8h','applications':['*']}]",
	  "2026-06-13T12:00:00Z", 0, "2026-06-15T09:00:00Z" },
	{ "a deny window inside an allow window",
	  "[{'kind':'allow','schedule':'0 9 * * *','duration':'8h','applications':['*']},"
	  "{'kind':'deny','schedule':'0 12 * * *','duration':'1h','applications':['*']}]",
	  "2026-06-10T10:00:00Z", 0, "2026-06-10T12:00:00Z" },
	{ "and its end",
	  "[{'kind':'allow','schedule':'0 9 * * *','duration':'8h','applications':['*']},"
	  "{'kind':'deny','schedule':'0 12 * * *','duration':'1h','applications':['*']}]",
	  "2026-06-10T12:30:00Z", 0, "2026-06-10T13:00:00Z" },
	{ "overlapping deny windows end together",
	  "[{'kind':'deny','schedule':'0 12 * * *','duration':'2h','applications':['*']},"
	  "{'kind':'deny','schedule':'0 13 * * *','duration':'2h','applications':['*']}]",
	  "2026-06-10T12:30:00Z", 0, "2026-06-10T15:00:00Z" },
	{ "a window that only opens at the spring-forward jump",
	  "[{'kind':'allow','schedule':'30 2 29 3 *','duration':'1h','applications':['*'],"
	  "'timeZone':'Europe/Berlin'}]",
	  "2026-03-29T00:00:00Z", 0, "2026-03-29T01:00:00Z" },
	{ "and closes at 03:30 local",
	  "[{'kind':'allow','schedule':'30 2 29 3 *','duration':'1h','applications':['*'],"
	  "'timeZone':'Europe/Berlin'}]",
	  "2026-03-29T01:10:00Z", 0, "2026-03-29T01:30:00Z" },
	{ "now is the fire time itself: the window opens right after",
	  "[{'kind':'allow','schedule':'0 8 * * *','duration':'1h','applications':['*']}]",
	  "2026-06-10T08:00:00Z", 0, "2026-06-10T08:00:00Z" },
	{ "windows that touch are one stretch",
	  "[{'kind':'allow','schedule':'0 * * * *','duration':'1h','applications':['*']},"
	  "{'kind':'allow','schedule':'0 0 1 1 *','duration':'1h','namespaces':['other']}]",
	  "2026-06-10T08:30:00Z", 0, NULL },
	{ "a yearly window far ahead",
	  "[{'kind':'allow','schedule':'0 0 1 1 *','duration':'1h','applications':['*']}]",
	  "2026-06-10T00:00:00Z", 0, "2027-01-01T00:00:00Z" },
	{ "manual syncs through a manualSync deny window never change",
	  "[{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*'],"
	  "'manualSync':true}]",
	  "2026-06-10T23:00:00Z", 1, NULL },
	{ "but automated ones do",
	  "[{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*'],"
	  "'manualSync':true}]",
	  "2026-06-10T23:00:00Z", 0, "2026-06-11T06:00:00Z" },
	{ "a Feb 31 deny window blocks forever",
	  "[{'kind':'deny','schedule':'0 0 31 2 *','duration':'1h','applications':['*']}]",
	  "2026-06-10T00:00:00Z", 0, NULL },
	{ "no matching windows",
	  "[{'kind':'deny','schedule':'0 0 * * *','duration':'1h','applications':['other']}]",
	  "2026-06-10T00:00:00Z", 0, NULL },
	{ "a window that fires every minute stays open",
	  "[{'kind':'allow','schedule':'* * * * *','duration':'1h','applications':['*']}]",
	  "2026-06-10T00:00:00Z", 0, NULL },
	{ "a change freeze that never lifts (every minute for 1h) never changes",
	  "[{'kind':'deny','schedule':'* * * * *','duration':'1h','applications':['*']},"
	  "{'kind':'allow','schedule':'0 9 * * 1-5','duration':'8h','applications':['*']}]",
	  "2026-06-10T00:00:00Z", 0, NULL },
	{ "a daily 24h freeze across the autumn DST change never lifts",
	  "[{'kind':'deny','schedule':'0 0 * * *','duration':'24h','applications':['*'],"
	  "'timeZone':'Europe/Berlin'}]",
	  "2026-10-24T12:00:00Z", 0, NULL },
	{ "a daily 23h freeze does lift, at 23:00 local",
	  "[{'kind':'deny','schedule':'0 0 * * *','duration':'23h','applications':['*'],"
	  "'timeZone':'Europe/Berlin'}]",
	  "2026-10-24T12:00:00Z", 0, "2026-10-24T21:00:00Z" },
	{ "a never-ending freeze with manualSync: the allow window decides manual syncs",
	  "[{'kind':'deny','schedule':'*/5 * * * *','duration':'5m','applications':['*'],"
	  "'manualSync':true},"
	  "{'kind':'deny','schedule':'0 9 * * 1-5','duration':'8h','applications':['*']}]",
	  "2026-06-13T12:00:00Z", 1, "2026-06-15T09:00:00Z" },
	{ "an every-minute allow window does not hide a monthly deny weeks ahead",
	  "[{'kind':'allow','schedule':'* * * * *','duration':'5m','applications':['*']},"
	  "{'kind':'deny','schedule':'15 3 1 * *','duration':'10m','applications':['*']}]",
	  "2026-06-02T00:00:00Z", 0, "2026-07-01T03:15:00Z" },
	{ "a leap-day window beyond the look-ahead",
	  "[{'kind':'allow','schedule':'0 0 29 2 *','duration':'1h','applications':['*']}]",
	  "2026-06-10T00:00:00Z", 0, NULL },
};

static void test_next_change(void)
{
	char buf[TIMEFMT_RFC3339_SIZE];
	struct sync_windows ws;
	struct timespec when;
	struct errbuf err;
	size_t i;

	for (i = 0; i < sizeof(change_cases) / sizeof(change_cases[0]); i++) {
		struct timespec now = at(change_cases[i].now);
		int r;

		load(change_cases[i].windows, &ws);
		r = windows_next_change(&ws, &app1, change_cases[i].manual, &now, &when, &err);
		if (change_cases[i].want)
			is_str(r == 1 ? fmt(&when, buf) : "none", change_cases[i].want,
			       "next change: %s", change_cases[i].name);
		else
			ok(r == 0, "next change: %s (none)", change_cases[i].name);
		sync_windows_release(&ws);
	}
	load("[{'kind':'allow','schedule':'0 9 * * *','duration':'1.5s','applications':['*']}]", &ws);
	{
		struct timespec now = at("2026-06-10T09:00:00.5Z");

		ok(windows_next_change(&ws, &app1, 0, &now, &when, &err) == 1 &&
		           when.tv_sec == at("2026-06-10T09:00:01Z").tv_sec &&
		           when.tv_nsec == 500000000,
		   "sub-second window ends are exact");
	}
	sync_windows_release(&ws);
	load("[{'kind':'allow','schedule':'0 9 * * 8','duration':'1h','applications':['*']}]", &ws);
	ok(windows_next_change(&ws, &app1, 0, &when, &when, &err) == -1 &&
	           !strcmp(err.msg,
	                   "sync window 0: cannot parse schedule '0 9 * * 8': end of range (8) "
	                   "above maximum (6): 8"),
	   "a bad window is an error");
	sync_windows_release(&ws);
}

static void test_describe(void)
{
	struct timespec now = at("2026-11-22T22:00:00Z"), next;
	struct strbuf sb = STRBUF_INIT;
	struct window_verdict v;
	struct sync_windows ws;
	struct errbuf err;

	load("[{'kind':'allow','schedule':'0 9 * * *','duration':'1h','applications':['x']},"
	     "{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*'],"
	     "'timeZone':'Europe/Berlin'}]",
	     &ws);
	windows_can_sync(&ws, &app1, 0, NULL, &now, &v, &err);
	windows_next_change(&ws, &app1, 0, &now, &next, &err);
	windows_describe_block(&sb, &ws, &v, &next);
	is_str(sb.buf,
	       "blocked by deny window 1 (schedule \"0 22 * * *\", duration 8h, timeZone "
	       "Europe/Berlin); next sync possible at 2026-11-23T05:00:00Z",
	       "deny reason");
	window_verdict_release(&v);
	sync_windows_release(&ws);

	strbuf_reset(&sb);
	load("[{'kind':'allow','schedule':'0 9 * * 1-5','duration':'8h','applications':['*']},"
	     "{'kind':'allow','schedule':'0\\u001b 9 * * 6','duration':'1h','applications':['*']}]",
	     &ws);
	now = at("2026-06-13T18:00:00Z");
	ws.v[1].schedule[1] = ' ';
	windows_can_sync(&ws, &app1, 0, NULL, &now, &v, &err);
	windows_describe_block(&sb, &ws, &v, NULL);
	is_str(sb.buf,
	       "outside allow window 0 (schedule \"0 9 * * 1-5\", duration 8h, timeZone "
	       "UTC), allow window 1 (schedule \"0  9 * * 6\", duration 1h, timeZone UTC); no sync "
	       "possible within 366 days",
	       "outside-allow reason lists every window");
	window_verdict_release(&v);
	sync_windows_release(&ws);

	strbuf_reset(&sb);
	load("[{'kind':'deny','schedule':'0 9 * * *','duration':'1h','applications':['*'],"
	     "'timeZone':'Bad\\u001b[2J/Zone'}]",
	     &ws);
	now = at("2026-06-13T09:30:00Z");
	windows_can_sync(&ws, &app1, 0, NULL, &now, &v, &err);
	next = at("2026-06-13T10:00:00.25Z");
	windows_describe_block(&sb, &ws, &v, &next);
	is_str(sb.buf,
	       "blocked by deny window 0 (schedule \"0 9 * * *\", duration 1h, timeZone "
	       "Bad?[2J/Zone); next sync possible at 2026-06-13T10:00:01Z",
	       "control characters are replaced and a fractional instant rounds up");
	window_verdict_release(&v);
	sync_windows_release(&ws);

	strbuf_reset(&sb);
	v.allowed = 1;
	v.n_blocking = 0;
	windows_describe_block(&sb, &ws, &v, NULL);
	is_str(sb.buf, "not blocked by any sync window", "an allowed verdict");
	strbuf_release(&sb);
}

/* ---- reading and validating the AppProject ---- */

static void test_from_json(void)
{
	static const struct {
		const char *json, *msg;
	} bad[] = {
		{ "{'spec':{'syncWindows':{}}}", "spec.syncWindows: expected an array" },
		{ "{'spec':{'syncWindows':[1]}}", "spec.syncWindows[0]: expected an object" },
		{ "{'spec':{'syncWindows':[{},{'kind':5}]}}",
		  "spec.syncWindows[1].kind: expected a string" },
		{ "{'spec':{'syncWindows':[{'applications':'app'}]}}",
		  "spec.syncWindows[0].applications: expected an array of strings" },
		{ "{'spec':{'syncWindows':[{'clusters':['a',1]}]}}",
		  "spec.syncWindows[0].clusters: expected an array of strings" },
		{ "{'spec':{'syncWindows':[{'manualSync':'true'}]}}",
		  "spec.syncWindows[0].manualSync: expected a boolean" },
		{ "{'spec':{'syncWindows':[{'timeZone':null,'andOperator':1}]}}",
		  "spec.syncWindows[0].andOperator: expected a boolean" },
	};
	struct strbuf sb = STRBUF_INIT;
	struct window_app app;
	struct sync_windows ws;
	struct errbuf err;
	cJSON *v;
	size_t i, j;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strbuf_reset(&sb);
		for (j = 0; bad[i].json[j]; j++)
			strbuf_addch(&sb, bad[i].json[j] == '\'' ? '"' : bad[i].json[j]);
		v = cJSON_Parse(sb.buf);
		ws.n = 99;
		ok(sync_windows_from_project(v, &ws, &err) == -1 && ws.n == 0 && !ws.v,
		   "bad project %zu is refused", i);
		is_str(err.msg, bad[i].msg, "with a message naming the field (%zu)", i);
		cJSON_Delete(v);
	}
	v = cJSON_Parse("{\"metadata\":{\"name\":\"p\"}}");
	ok(sync_windows_from_project(v, &ws, &err) == 0 && ws.n == 0, "no spec: no windows");
	cJSON_Delete(v);
	v = cJSON_Parse("{\"spec\":{\"syncWindows\":null}}");
	ok(sync_windows_from_project(v, &ws, &err) == 0 && ws.n == 0, "null: no windows");
	cJSON_Delete(v);

	load("[{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['a','b*'],"
	     "'namespaces':['ns'],'clusters':['in-cluster'],'manualSync':true,"
	     "'timeZone':'Europe/Berlin','andOperator':true,'syncOverrun':true,"
	     "'description':'nightly freeze'},{}]",
	     &ws);
	ok(ws.n == 2 && !strcmp(ws.v[0].kind, "deny") && !strcmp(ws.v[0].schedule, "0 22 * * *") &&
	           !strcmp(ws.v[0].duration, "8h") && ws.v[0].applications.n == 2 &&
	           !strcmp(ws.v[0].applications.v[1], "b*") && ws.v[0].namespaces.n == 1 &&
	           !strcmp(ws.v[0].clusters.v[0], "in-cluster") && ws.v[0].manual_sync &&
	           !strcmp(ws.v[0].time_zone, "Europe/Berlin") && ws.v[0].and_operator &&
	           ws.v[0].sync_overrun && !strcmp(ws.v[0].description, "nightly freeze"),
	   "every field is read");
	ok(!strcmp(ws.v[1].kind, "") && !strcmp(ws.v[1].time_zone, "") && !ws.v[1].manual_sync &&
	           ws.v[1].applications.n == 0,
	   "absent fields are empty");
	sync_windows_release(&ws);

	v = cJSON_Parse("{\"metadata\":{\"name\":\"guestbook\"},\"spec\":{\"destination\":"
	                "{\"server\":\"https://kubernetes.default.svc\",\"namespace\":\"web\"}}}");
	window_app_from_json(v, &app);
	ok(!strcmp(app.name, "guestbook") &&
	           !strcmp(app.dest_server, "https://kubernetes.default.svc") &&
	           !strcmp(app.dest_name, "") && !strcmp(app.dest_namespace, "web"),
	   "an Application's selector fields");
	cJSON_Delete(v);
	window_app_from_json(NULL, &app);
	ok(!strcmp(app.name, "") && !strcmp(app.dest_namespace, ""),
	   "a NULL app gives empty fields");
	strbuf_release(&sb);
}

static const struct {
	const char *windows, *msg;
} invalid_cases[] = {
	{ "[{'kind':'wrong','schedule':'* * * * *','duration':'1h','applications':['*']}]",
	  "sync window 0: kind 'wrong' mismatch: can only be allow or deny" },
	{ "[{'schedule':'* * * * *','duration':'1h','applications':['*']}]",
	  "sync window 0: kind '' mismatch: can only be allow or deny" },
	{ "[{'kind':'Allow','schedule':'* * * * *','duration':'1h','applications':['*']}]",
	  "sync window 0: kind 'Allow' mismatch: can only be allow or deny" },
	{ "[{'kind':'allow','schedule':'* * *','duration':'1h','applications':['*']}]",
	  "sync window 0: cannot parse schedule '* * *': expected exactly 5 fields, found 3: "
	  "[* * *]" },
	{ "[{'kind':'allow','schedule':'0 0 * * 7','duration':'1h','applications':['*']}]",
	  "sync window 0: cannot parse schedule '0 0 * * 7': end of range (7) above maximum (6): "
	  "7" },
	{ "[{'kind':'allow','schedule':'@daily','duration':'1h','applications':['*']}]",
	  "sync window 0: cannot parse schedule '@daily': parser does not accept descriptors: "
	  "@daily" },
	{ "[{'kind':'allow','schedule':'0 0 2 * * *','duration':'1h','applications':['*']}]",
	  "sync window 0: cannot parse schedule '0 0 2 * * *': expected exactly 5 fields, found 6: "
	  "[0 0 2 * * *]" },
	{ "[{'kind':'allow','schedule':'0 0 * * *','duration':'3600','applications':['*']}]",
	  "sync window 0: cannot parse duration '3600': time: missing unit in duration \"3600\"" },
	{ "[{'kind':'allow','schedule':'0 0 * * *','duration':'1d','applications':['*']}]",
	  "sync window 0: cannot parse duration '1d': time: unknown unit \"d\" in duration "
	  "\"1d\"" },
	{ "[{'kind':'allow','schedule':'0 0 * * *','applications':['*']}]",
	  "sync window 0: cannot parse duration '': time: invalid duration \"\"" },
	{ "[{'kind':'allow','schedule':'0 0 * * *','duration':'1h'}]",
	  "sync window 0: requires one of application, cluster or namespace" },
	{ "[{'kind':'allow','schedule':'0 0 * * *','duration':'1h','applications':[]}]",
	  "sync window 0: requires one of application, cluster or namespace" },
	{ "[{'kind':'allow','schedule':'0 0 * * *','duration':'1h','clusters':['*']},"
	  "{'kind':'deny','schedule':'0 0 * * *','duration':'1x','clusters':['*']}]",
	  "sync window 1: cannot parse duration '1x': time: unknown unit \"x\" in duration "
	  "\"1x\"" },
	{ "[{'kind':'allow','schedule':'0 0 * * *','duration':'1h','clusters':['*']},"
	  "{'kind':'deny','schedule':'0 1 * * *','duration':'1h','clusters':['*']},"
	  "{'kind':'allow','schedule':'0 0 * * *','duration':'1h','clusters':['*'],"
	  "'manualSync':true}]",
	  "sync window 2: same as window 0" },
};

static void test_validate(void)
{
	struct strbuf warnings = STRBUF_INIT, sb = STRBUF_INIT;
	struct sync_windows ws;
	struct errbuf err;
	size_t i;

	for (i = 0; i < sizeof(invalid_cases) / sizeof(invalid_cases[0]); i++) {
		load(invalid_cases[i].windows, &ws);
		err.msg[0] = '\0';
		ok(sync_windows_validate(&ws, NULL, &err) == -1, "invalid project %zu", i);
		is_str(err.msg, invalid_cases[i].msg, "its message (%zu)", i);
		sync_windows_release(&ws);
	}
	load("[{'kind':'allow','schedule':'*/15 9-17 * jan-mar mon-fri','duration':'1h30m',"
	     "'applications':['*']},{'kind':'deny','schedule':'0 22 * * ?','duration':'8h',"
	     "'namespaces':['prod-*'],'timeZone':'Mars/Olympus_Mons'},"
	     "{'kind':'deny','schedule':'0 22 * * ?','duration':'8h','namespaces':['prod-*'],"
	     "'timeZone':'Europe/Berlin'}]",
	     &ws);
	ok(sync_windows_validate(&ws, &warnings, &err) == 0, "a valid project validates");
	is_str(warnings.buf, "sync window 1: unknown time zone 'Mars/Olympus_Mons', using UTC\n",
	       "an unknown time zone is only a warning");
	sync_windows_release(&ws);

	strbuf_addstr(&sb, "[{'kind':'allow','schedule':'0 0 * * *','duration':'1h',"
	                   "'applications':['*'],'description':'");
	for (i = 0; i < 255; i++)
		strbuf_addstr(&sb, "\xc3\xa9");
	strbuf_addstr(&sb, "'}]");
	load(sb.buf, &ws);
	ok(sync_windows_validate(&ws, NULL, &err) == 0, "255 characters of description are fine");
	sync_windows_release(&ws);
	strbuf_setlen(&sb, sb.len - 3);
	strbuf_addstr(&sb, "x'}]");
	load(sb.buf, &ws);
	ok(sync_windows_validate(&ws, NULL, &err) == -1 &&
	           !strcmp(err.msg, "sync window 0: description is longer than 255 characters"),
	   "256 are not");
	sync_windows_release(&ws);
	strbuf_release(&sb);
	strbuf_release(&warnings);
}

/* ---- compiled windows ---- */

static int same_verdict(const struct window_verdict *a, const struct window_verdict *b)
{
	size_t i;

	if (a->allowed != b->allowed || a->reason != b->reason || a->n_blocking != b->n_blocking)
		return 0;
	for (i = 0; i < a->n_blocking; i++)
		if (a->blocking[i] != b->blocking[i])
			return 0;
	return 1;
}

static const char *const compiled_sets[] = {
	"[{'kind':'allow','schedule':'0 9 * * *','duration':'1h','applications':['x']},"
	"{'kind':'deny','schedule':'0 22 * * *','duration':'8h','applications':['*'],"
	"'timeZone':'Europe/Berlin'}]",
	"[{'kind':'allow','schedule':'*/10 * * * *','duration':'3m','namespaces':['pub*']},"
	"{'kind':'deny','schedule':'30 1 * * 0','duration':'2h','clusters':['*'],"
	"'manualSync':true,'timeZone':'America/New_York'}]",
	"[{'kind':'deny','schedule':'0 0 31 2 *','duration':'1h','applications':['*']}]",
	"[{'kind':'allow','schedule':'0 2 * * *','duration':'1h','applications':['*'],"
	"'timeZone':'Europe/London'}]",
};

/*
 * The compiled forms answer as the plain ones at every instant of a walk
 * in uneven steps over a DST change, and each verdict of
 * compiled_windows_can_sync_until() holds over its whole interval.
 */
static void test_compiled(void)
{
	struct timespec start = at("2026-03-28T20:00:00Z");
	size_t i;

	for (i = 0; i < sizeof(compiled_sets) / sizeof(compiled_sets[0]); i++) {
		int same = 1, holds = 1, moves = 1, manual;
		struct compiled_windows *cw;
		struct sync_windows ws;
		struct errbuf err;
		int64_t s;

		load(compiled_sets[i], &ws);
		cw = sync_windows_compile(&ws);
		for (manual = 0; manual < 2; manual++)
			for (s = 0; s < 2 * 86400; s += 599) {
				struct timespec now = { start.tv_sec + s, 0 }, until, w1, w2, mid;
				struct window_verdict a, b, c, d;
				int r1, r2;

				windows_can_sync(&ws, &app1, manual, NULL, &now, &a, &err);
				compiled_windows_can_sync(cw, &app1, manual, NULL, &now, &b, &err);
				compiled_windows_can_sync_until(cw, &app1, manual, &now, &c, &until,
				                                &err);
				r1 = windows_next_change(&ws, &app1, manual, &now, &w1, &err);
				r2 = compiled_windows_next_change(cw, &app1, manual, &now, &w2, &err);
				same &= same_verdict(&a, &b) && same_verdict(&a, &c) && r1 == r2 &&
				        (r1 != 1 ||
				         (w1.tv_sec == w2.tv_sec && w1.tv_nsec == w2.tv_nsec));
				moves &= until.tv_sec > now.tv_sec ||
				         (until.tv_sec == now.tv_sec && until.tv_nsec >= 0);
				/* The last whole second inside [now, until). */
				mid = now;
				if (until.tv_sec - 1 > now.tv_sec &&
				    until.tv_sec < now.tv_sec + 400 * 86400)
					mid.tv_sec = until.tv_sec - 1;
				windows_can_sync(&ws, &app1, manual, NULL, &mid, &d, &err);
				holds &= same_verdict(&c, &d);
				window_verdict_release(&a);
				window_verdict_release(&b);
				window_verdict_release(&c);
				window_verdict_release(&d);
			}
		ok(same, "compiled windows answer as plain ones: set %zu", i);
		ok(holds && moves, "a verdict holds up to its until: set %zu", i);
		compiled_windows_free(cw);
		sync_windows_release(&ws);
	}
}

static void test_compiled_edges(void)
{
	struct timespec now = at("2026-06-10T09:00:00Z"), until, inside = at("2026-06-10T09:30:00Z");
	struct compiled_windows *cw;
	struct window_verdict v;
	struct sync_windows ws;
	struct errbuf err;

	load("[{'kind':'allow','schedule':'0 9 * * *','duration':'1h','applications':['*']}]", &ws);
	cw = sync_windows_compile(&ws);
	compiled_windows_can_sync_until(cw, &app1, 0, &now, &v, &until, &err);
	ok(!v.allowed && until.tv_sec == now.tv_sec && until.tv_nsec == 0,
	   "a window starting at now: the verdict holds only at now");
	window_verdict_release(&v);
	compiled_windows_can_sync_until(cw, &app1, 0, &inside, &v, &until, &err);
	ok(v.allowed && until.tv_sec == at("2026-06-10T10:00:00Z").tv_sec,
	   "inside the window: holds until it ends");
	window_verdict_release(&v);
	compiled_windows_free(cw);
	sync_windows_release(&ws);

	load("[{'kind':'deny','schedule':'* * * * *','duration':'1h','applications':['*']}]", &ws);
	cw = sync_windows_compile(&ws);
	compiled_windows_can_sync_until(cw, &app1, 0, &now, &v, &until, &err);
	ok(!v.allowed && until.tv_sec == INT64_MAX,
	   "a freeze that never lifts: denied for ever, not until the next minute");
	window_verdict_release(&v);
	compiled_windows_free(cw);
	sync_windows_release(&ws);

	load("[{'kind':'deny','schedule':'* * * * *','duration':'1m','applications':['*']}]", &ws);
	cw = sync_windows_compile(&ws);
	compiled_windows_can_sync_until(cw, &app1, 0, &inside, &v, &until, &err);
	ok(v.allowed && until.tv_sec == inside.tv_sec,
	   "every minute for 1m: open at each fire instant, so that verdict holds only then");
	window_verdict_release(&v);
	inside.tv_sec += 30;
	compiled_windows_can_sync_until(cw, &app1, 0, &inside, &v, &until, &err);
	ok(!v.allowed && until.tv_sec == inside.tv_sec + 30,
	   "and closed between them until the next fire");
	window_verdict_release(&v);
	compiled_windows_free(cw);
	sync_windows_release(&ws);

	load("[]", &ws);
	cw = sync_windows_compile(&ws);
	compiled_windows_can_sync_until(cw, &app1, 0, &now, &v, &until, &err);
	ok(v.allowed && v.reason == WINDOW_NO_WINDOWS && until.tv_sec == INT64_MAX,
	   "no windows: allowed for ever");
	window_verdict_release(&v);
	compiled_windows_free(cw);
	sync_windows_release(&ws);

	load("[{'kind':'allow','schedule':'0 9 * * 8','duration':'1h','applications':['*']},"
	     "{'kind':'deny','schedule':'0 9 * * *','duration':'1x','applications':['other']}]",
	     &ws);
	cw = sync_windows_compile(&ws);
	ok(compiled_windows_can_sync_until(cw, &app1, 0, &now, &v, &until, &err) == -1 &&
	           !strcmp(err.msg,
	                   "sync window 0: cannot parse schedule '0 9 * * 8': end of range (8) "
	                   "above maximum (6): 8"),
	   "a bad window that matches is an error, named as before");
	window_verdict_release(&v);
	ok(compiled_windows_can_sync(cw, &test_app, 0, NULL, &now, &v, &err) == -1 &&
	           !strncmp(err.msg, "sync window 0: ", 15),
	   "compiled can_sync reports it too");
	window_verdict_release(&v);
	compiled_windows_free(cw);
	sync_windows_release(&ws);
}

int main(void)
{
	test_active();
	test_active_errors();
	test_matches();
	test_can_sync();
	test_verdict_details();
	test_overrun();
	test_next_change();
	test_describe();
	test_from_json();
	test_validate();
	test_compiled();
	test_compiled_edges();
	tz_cache_clear();
	return tap_done();
}
