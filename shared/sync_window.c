#include "sync_window.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cron.h"
#include "duration.h"
#include "glob.h"
#include "timefmt.h"
#include "tz.h"
#include "xalloc.h"

#define NS_PER_SEC INT64_C(1000000000)
#define MAX_DESCRIPTION 255
/* Bounds windows_next_change() for schedules that fire every minute. */
#define MAX_SEARCH_STEPS 20000

/* compiled_windows_can_sync_until() reports "forever" as the largest time_t. */
_Static_assert(sizeof(time_t) == sizeof(int64_t), "64-bit time_t");
#define TIME_T_MAX_SEC INT64_MAX

/* ---- reading the AppProject ---- */

static void globs_release(struct window_globs *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->v[i]);
	free(g->v);
	g->v = NULL;
	g->n = 0;
}

static void window_release(struct sync_window *w)
{
	free(w->kind);
	free(w->schedule);
	free(w->duration);
	free(w->time_zone);
	free(w->description);
	globs_release(&w->applications);
	globs_release(&w->namespaces);
	globs_release(&w->clusters);
}

void sync_windows_release(struct sync_windows *ws)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		window_release(&ws->v[i]);
	free(ws->v);
	ws->v = NULL;
	ws->n = 0;
}

static int absent(const cJSON *v)
{
	return !v || cJSON_IsNull(v);
}

static int get_string(const cJSON *obj, const char *key, char **out, const char *what, size_t idx,
                      struct errbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (absent(v)) {
		*out = xstrdup("");
		return 0;
	}
	if (!cJSON_IsString(v))
		return errbuf_set(err, "%s[%zu].%s: expected a string", what, idx, key);
	*out = xstrdup(v->valuestring);
	return 0;
}

static int get_bool(const cJSON *obj, const char *key, int *out, const char *what, size_t idx,
                    struct errbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = 0;
	if (absent(v))
		return 0;
	if (!cJSON_IsBool(v))
		return errbuf_set(err, "%s[%zu].%s: expected a boolean", what, idx, key);
	*out = cJSON_IsTrue(v);
	return 0;
}

static int get_globs(const cJSON *obj, const char *key, struct window_globs *out, const char *what,
                     size_t idx, struct errbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key), *item;

	if (absent(v))
		return 0;
	if (!cJSON_IsArray(v))
		return errbuf_set(err, "%s[%zu].%s: expected an array of strings", what, idx, key);
	out->v = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(*out->v));
	cJSON_ArrayForEach (item, v) {
		if (!cJSON_IsString(item))
			return errbuf_set(err, "%s[%zu].%s: expected an array of strings", what,
			                  idx, key);
		out->v[out->n++] = xstrdup(item->valuestring);
	}
	return 0;
}

static int read_window(const cJSON *obj, struct sync_window *w, const char *what, size_t i,
                       struct errbuf *err)
{
	if (!cJSON_IsObject(obj))
		return errbuf_set(err, "%s[%zu]: expected an object", what, i);
	if (get_string(obj, "kind", &w->kind, what, i, err) ||
	    get_string(obj, "schedule", &w->schedule, what, i, err) ||
	    get_string(obj, "duration", &w->duration, what, i, err) ||
	    get_string(obj, "timeZone", &w->time_zone, what, i, err) ||
	    get_string(obj, "description", &w->description, what, i, err) ||
	    get_globs(obj, "applications", &w->applications, what, i, err) ||
	    get_globs(obj, "namespaces", &w->namespaces, what, i, err) ||
	    get_globs(obj, "clusters", &w->clusters, what, i, err) ||
	    get_bool(obj, "manualSync", &w->manual_sync, what, i, err) ||
	    get_bool(obj, "andOperator", &w->and_operator, what, i, err) ||
	    get_bool(obj, "syncOverrun", &w->sync_overrun, what, i, err))
		return -1;
	return 0;
}

int sync_windows_from_json(const cJSON *array, const char *what, struct sync_windows *out,
                           struct errbuf *err)
{
	const cJSON *item;

	out->v = NULL;
	out->n = 0;
	if (absent(array))
		return 0;
	if (!cJSON_IsArray(array))
		return errbuf_set(err, "%s: expected an array", what);
	out->v = xcalloc((size_t)cJSON_GetArraySize(array) + 1, sizeof(*out->v));
	cJSON_ArrayForEach (item, array) {
		size_t i = out->n++;

		/* Counted before reading, so a half-read window is released too. */
		if (read_window(item, &out->v[i], what, i, err)) {
			sync_windows_release(out);
			return -1;
		}
	}
	return 0;
}

int sync_windows_from_project(const cJSON *project, struct sync_windows *out, struct errbuf *err)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(project, "spec");

	return sync_windows_from_json(cJSON_GetObjectItemCaseSensitive(spec, "syncWindows"),
	                              "spec.syncWindows", out, err);
}

static const char *str_at(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

void window_app_from_json(const cJSON *app, struct window_app *out)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(app, "spec");
	const cJSON *dest = cJSON_GetObjectItemCaseSensitive(spec, "destination");

	out->name = str_at(cJSON_GetObjectItemCaseSensitive(app, "metadata"), "name");
	out->dest_name = str_at(dest, "name");
	out->dest_server = str_at(dest, "server");
	out->dest_namespace = str_at(dest, "namespace");
}

/* ---- validation ---- */

static size_t utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int has_selectors(const struct sync_window *w)
{
	return w->applications.n || w->namespaces.n || w->clusters.n;
}

int sync_window_validate(const struct sync_window *w, size_t index, struct errbuf *err)
{
	struct cron_schedule sched;
	int64_t dur;

	if (strcmp(w->kind, "allow") && strcmp(w->kind, "deny"))
		return errbuf_set(err,
		                  "sync window %zu: kind '%s' mismatch: can only be allow or deny",
		                  index, w->kind);
	if (cron_parse(w->schedule, &sched, err))
		return errbuf_prefix(err, "sync window %zu: cannot parse schedule '%s'", index,
		                     w->schedule);
	if (duration_parse(w->duration, &dur, err))
		return errbuf_prefix(err, "sync window %zu: cannot parse duration '%s'", index,
		                     w->duration);
	if (utf8_length(w->description) > MAX_DESCRIPTION)
		return errbuf_set(err, "sync window %zu: description is longer than %d characters",
		                  index, MAX_DESCRIPTION);
	if (!has_selectors(w))
		return errbuf_set(err,
		                  "sync window %zu: requires one of application, cluster or "
		                  "namespace",
		                  index);
	return 0;
}

static int same_globs(const struct window_globs *a, const struct window_globs *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return 0;
	return 1;
}

/* The fields of Argo CD's window identity hash. */
static int same_window(const struct sync_window *a, const struct sync_window *b)
{
	return !strcmp(a->kind, b->kind) && !strcmp(a->schedule, b->schedule) &&
	       !strcmp(a->duration, b->duration) && !strcmp(a->time_zone, b->time_zone) &&
	       a->and_operator == b->and_operator && same_globs(&a->applications, &b->applications) &&
	       same_globs(&a->namespaces, &b->namespaces) && same_globs(&a->clusters, &b->clusters);
}

int sync_windows_validate(const struct sync_windows *ws, struct strbuf *warnings, struct errbuf *err)
{
	const struct tz *zone;
	struct errbuf tzerr;
	size_t i, j;

	for (i = 0; i < ws->n; i++) {
		if (sync_window_validate(&ws->v[i], i, err))
			return -1;
		for (j = 0; j < i; j++)
			if (same_window(&ws->v[j], &ws->v[i]))
				return errbuf_set(err, "sync window %zu: same as window %zu", i, j);
		if (warnings && tz_load(ws->v[i].time_zone, &zone, &tzerr))
			strbuf_addf(warnings, "sync window %zu: %s, using UTC\n", i, tzerr.msg);
	}
	return 0;
}

/* ---- matching ---- */

static int any_glob(const struct window_globs *g, const char *value)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (!strcmp(g->v[i], "*") || glob_match(g->v[i], value, NULL))
			return 1;
	return 0;
}

static int cluster_glob(const struct window_globs *g, const struct window_app *app)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		const char *p = g->v[i];

		if (*app->dest_name && (!strcmp(p, "*") || glob_match(p, app->dest_name, NULL)))
			return 1;
		if (*app->dest_server && (!strcmp(p, "*") || glob_match(p, app->dest_server, NULL)))
			return 1;
	}
	return 0;
}

/*
 * Argo CD's Matches, keeping its shape: each non-empty selector list
 * resets `matched`; OR mode accepts on the first match, AND mode rejects
 * on the first miss, and an earlier match carries over empty lists.
 */
int window_matches(const struct sync_window *w, const struct window_app *app)
{
	int matched = 0, set = 0;

	if (w->applications.n) {
		set = 1;
		matched = any_glob(&w->applications, app->name);
	}
	if (w->and_operator && set && !matched)
		return 0;
	if (!w->and_operator && matched)
		return 1;
	if (w->clusters.n) {
		set = 1;
		matched = cluster_glob(&w->clusters, app);
	}
	if (w->and_operator && set && !matched)
		return 0;
	if (!w->and_operator && matched)
		return 1;
	if (w->namespaces.n)
		matched = any_glob(&w->namespaces, app->dest_namespace);
	return matched;
}

/* ---- evaluation ---- */

enum kind { KIND_OTHER, KIND_ALLOW, KIND_DENY };

/* An instant with nanoseconds; seconds are Unix seconds, or "naive local". */
struct instant {
	int64_t sec;
	int64_t nsec;
};

/*
 * A window whose schedule fires every day, with no gap between two fires
 * (in local time) longer than its duration, never closes: "* * * * *" for
 * 1h, "0 0 * * *" for 24h.  Its state never changes, so the searches below
 * skip its fire times, which would otherwise be every minute for a year.
 */
enum cover {
	COVER_NONE, /* opens and closes */
	COVER_BUT_FIRES, /* gap == duration: closed only at the instant of each fire */
	COVER_ALWAYS, /* gap < duration: active at every instant */
};

struct compiled {
	const struct sync_window *w;
	size_t index;
	enum kind kind;
	struct cron_schedule sched;
	int64_t dur;
	const struct tz *zone;
	enum cover cover;
};

static struct instant normalize(struct instant t)
{
	if (t.nsec < 0) {
		t.nsec += NS_PER_SEC;
		t.sec--;
	} else if (t.nsec >= NS_PER_SEC) {
		t.nsec -= NS_PER_SEC;
		t.sec++;
	}
	return t;
}

/* Written without negating ns, which would overflow for INT64_MIN. */
static struct instant instant_sub(struct instant t, int64_t ns)
{
	t.sec -= ns / NS_PER_SEC;
	t.nsec -= ns % NS_PER_SEC;
	return normalize(t);
}

static struct instant instant_add(struct instant t, int64_t ns)
{
	t.sec += ns / NS_PER_SEC;
	t.nsec += ns % NS_PER_SEC;
	return normalize(t);
}

static int instant_before(struct instant a, struct instant b)
{
	return a.sec < b.sec || (a.sec == b.sec && a.nsec < b.nsec);
}

static struct instant from_timespec(const struct timespec *ts)
{
	struct instant t = { (int64_t)ts->tv_sec, (int64_t)ts->tv_nsec };

	return t;
}

static int has_bits(uint64_t set, int from, int to)
{
	for (int i = from; i <= to; i++)
		if (!(set >> i & 1))
			return 0;
	return 1;
}

/* The longest wait, in seconds, between two fires when the schedule fires
 * every day (whatever dom and dow's combination rule), else -1. */
static int64_t daily_max_gap(const struct cron_schedule *s)
{
	int first = -1, last = -1, gap = 0;

	if (!has_bits(s->month, 1, 12) || !has_bits(s->dom, 1, 31) || !has_bits(s->dow, 0, 6))
		return -1;
	for (int m = 0; m < 1440; m++) {
		if (!(s->hour >> (m / 60) & 1) || !(s->minute >> (m % 60) & 1))
			continue;
		if (last >= 0 && m - last > gap)
			gap = m - last;
		if (first < 0)
			first = m;
		last = m;
	}
	if (first < 0)
		return -1;
	if (first + 1440 - last > gap)
		gap = first + 1440 - last;
	return (int64_t)gap * 60;
}

/*
 * The offset is taken at the evaluated instant, so a window is active at t
 * when a fire lies within `dur` before t's local time: covering every local
 * time of the day covers every instant, across offset changes too.
 */
static enum cover cover_of(const struct compiled *c)
{
	int64_t gap = daily_max_gap(&c->sched);

	if (gap < 0 || c->dur < gap * NS_PER_SEC)
		return COVER_NONE;
	return c->dur == gap * NS_PER_SEC ? COVER_BUT_FIRES : COVER_ALWAYS;
}

static int compile(const struct sync_window *w, size_t index, struct compiled *c, struct errbuf *err)
{
	c->w = w;
	c->index = index;
	c->kind = !strcmp(w->kind, "deny")    ? KIND_DENY
	          : !strcmp(w->kind, "allow") ? KIND_ALLOW
	                                      : KIND_OTHER;
	if (cron_parse(w->schedule, &c->sched, err))
		return errbuf_prefix(err, "cannot parse schedule '%s'", w->schedule);
	if (duration_parse(w->duration, &c->dur, err))
		return errbuf_prefix(err, "cannot parse duration '%s'", w->duration);
	/* Unknown zones are UTC, as in Argo CD; validation reports them. */
	tz_load(w->time_zone, &c->zone, NULL);
	c->cover = cover_of(c);
	return 0;
}

/* §4.3, with the offset taken at t itself (see the header). */
static int active_at(const struct compiled *c, struct instant t)
{
	struct instant shifted = t, fire = { 0, 0 };

	shifted.sec += tz_offset_at(c->zone, t.sec);
	fire.sec = cron_next(&c->sched, instant_sub(shifted, c->dur).sec);
	/* robfig's zero time is before everything: "always active". */
	return fire.sec == CRON_NONE || instant_before(fire, shifted);
}

int window_is_active(const struct sync_window *w, const struct timespec *now, struct errbuf *err)
{
	struct compiled c;

	if (compile(w, 0, &c, err))
		return -1;
	return active_at(&c, from_timespec(now));
}

/* Collects the windows that block; `manual` drops those with manualSync. */
static void set_blockers(struct window_verdict *out, const struct compiled *w, const int *pick,
                         size_t n, int manual)
{
	size_t i;

	out->n_blocking = 0;
	for (i = 0; i < n; i++)
		if (pick[i] && !(manual && w[i].w->manual_sync))
			out->blocking[out->n_blocking++] = w[i].index;
}

static int all_have(const struct compiled *w, const int *pick, size_t n, int overrun)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pick[i] && !(overrun ? w[i].w->sync_overrun : w[i].w->manual_sync))
			return 0;
	return 1;
}

static void verdict_at(const struct compiled *w, size_t n, int manual,
                       const struct instant *op_start, struct instant t, struct window_verdict *out);

/* The exceptions of §4.5 steps 3 and 5 for a set of blocking windows. */
static void blocked(const struct compiled *w, const int *pick, size_t n, int manual,
                    const struct instant *op_start, enum window_reason denial,
                    struct window_verdict *out)
{
	set_blockers(out, w, pick, n, 0);
	out->allowed = 1;
	if (manual && all_have(w, pick, n, 0)) {
		out->reason = WINDOW_MANUAL_OVERRIDE;
		return;
	}
	/* Overrun: the same rules, without overrun, at the operation's start. */
	if (op_start && all_have(w, pick, n, 1)) {
		struct window_verdict then = { 0, WINDOW_NO_WINDOWS, xcalloc(n + 1, sizeof(size_t)),
			                       0 };
		int allowed_then;

		verdict_at(w, n, manual, NULL, *op_start, &then);
		allowed_then = then.allowed;
		window_verdict_release(&then);
		if (allowed_then) {
			out->reason = WINDOW_OVERRUN;
			return;
		}
	}
	out->allowed = 0;
	out->reason = denial;
	set_blockers(out, w, pick, n, manual);
}

/* §4.5 for the matching windows w[0..n); out->blocking has room for n. */
static void verdict_at(const struct compiled *w, size_t n, int manual,
                       const struct instant *op_start, struct instant t, struct window_verdict *out)
{
	/* windows_next_change() calls this a lot; most projects have few windows. */
	int small[2][32], *active_deny = small[0], *inactive_allow = small[1];
	int any_deny = 0, any_allow = 0, any_inactive_allow = 0;
	size_t i;

	if (n > 32) {
		active_deny = xcalloc(n, sizeof(int));
		inactive_allow = xcalloc(n, sizeof(int));
	}
	for (i = 0; i < n; i++) {
		int active = active_at(&w[i], t);

		active_deny[i] = active && w[i].kind == KIND_DENY;
		inactive_allow[i] = !active && w[i].kind == KIND_ALLOW;
		any_deny |= active_deny[i];
		any_allow |= active && w[i].kind == KIND_ALLOW;
		any_inactive_allow |= inactive_allow[i];
	}
	out->n_blocking = 0;
	out->allowed = 1;
	if (n == 0)
		out->reason = WINDOW_NO_WINDOWS;
	else if (any_deny)
		blocked(w, active_deny, n, manual, op_start, WINDOW_ACTIVE_DENY, out);
	else if (any_allow)
		out->reason = WINDOW_ACTIVE_ALLOW;
	else if (any_inactive_allow)
		blocked(w, inactive_allow, n, manual, op_start, WINDOW_OUTSIDE_ALLOW, out);
	else
		out->reason = WINDOW_ONLY_INACTIVE_DENY;
	if (n > 32) {
		free(active_deny);
		free(inactive_allow);
	}
}

/* A window compiled ahead of time; ok is 0 when it does not parse (the
 * error is then produced again, and named, when it is evaluated). */
struct precompiled {
	int ok;
	struct compiled c;
};

struct compiled_windows {
	const struct sync_windows *ws;
	struct precompiled *v;
};

struct compiled_windows *sync_windows_compile(const struct sync_windows *ws)
{
	struct compiled_windows *cw = xcalloc(1, sizeof(*cw));
	size_t i;

	cw->ws = ws;
	cw->v = xcalloc(ws->n + 1, sizeof(*cw->v));
	for (i = 0; i < ws->n; i++)
		cw->v[i].ok = !compile(&ws->v[i], i, &cw->v[i].c, NULL);
	return cw;
}

void compiled_windows_free(struct compiled_windows *cw)
{
	if (!cw)
		return;
	free(cw->v);
	free(cw);
}

/* Compiles (or, with pre, copies) the windows of ws that match app; *n
 * gets their number. */
static int compile_matching(const struct sync_windows *ws, const struct precompiled *pre,
                            const struct window_app *app, struct compiled **out, size_t *n,
                            struct errbuf *err)
{
	size_t i;

	*out = xcalloc(ws->n + 1, sizeof(**out));
	*n = 0;
	for (i = 0; i < ws->n; i++) {
		if (!window_matches(&ws->v[i], app))
			continue;
		if (pre && pre[i].ok) {
			(*out)[(*n)++] = pre[i].c;
			continue;
		}
		if (compile(&ws->v[i], i, &(*out)[*n], err)) {
			free(*out);
			*out = NULL;
			return errbuf_prefix(err, "sync window %zu", i);
		}
		(*n)++;
	}
	return 0;
}

static int can_sync(const struct sync_windows *ws, const struct precompiled *pre,
                    const struct window_app *app, int manual, const struct timespec *op_start,
                    const struct timespec *now, struct window_verdict *out, struct errbuf *err)
{
	struct compiled *w;
	struct instant start;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (compile_matching(ws, pre, app, &w, &n, err))
		return -1;
	if (op_start)
		start = from_timespec(op_start);
	out->blocking = xcalloc(n + 1, sizeof(*out->blocking));
	verdict_at(w, n, manual, op_start ? &start : NULL, from_timespec(now), out);
	free(w);
	return 0;
}

int windows_can_sync(const struct sync_windows *ws, const struct window_app *app, int manual,
                     const struct timespec *op_start, const struct timespec *now,
                     struct window_verdict *out, struct errbuf *err)
{
	return can_sync(ws, NULL, app, manual, op_start, now, out, err);
}

int compiled_windows_can_sync(const struct compiled_windows *cw, const struct window_app *app,
                              int manual, const struct timespec *op_start, const struct timespec *now,
                              struct window_verdict *out, struct errbuf *err)
{
	return can_sync(cw->ws, cw->v, app, manual, op_start, now, out, err);
}

void window_verdict_release(struct window_verdict *v)
{
	free(v->blocking);
	v->blocking = NULL;
	v->n_blocking = 0;
}

/* ---- when does the answer change? ---- */

static void take_min(struct instant *best, int *found, struct instant cand)
{
	if (!*found || instant_before(cand, *best)) {
		*best = cand;
		*found = 1;
	}
}

/*
 * The next instant after t at which window c may start or stop being
 * active: its next fire time, the end of the first interval that ends
 * after t, or a change of its zone's offset.  With the offset fixed until
 * that change, the first two are exact.
 */
static void window_candidates(const struct compiled *c, struct instant t, struct instant *best,
                              int *found)
{
	int32_t off = tz_offset_at(c->zone, t.sec);
	struct instant shifted = t, cand = { 0, 0 };
	int64_t fire, change;

	shifted.sec += off;
	fire = cron_next(&c->sched, shifted.sec);
	if (fire != CRON_NONE) {
		cand.sec = fire - off;
		take_min(best, found, cand);
	}
	fire = cron_next(&c->sched, instant_sub(shifted, c->dur).sec);
	if (fire != CRON_NONE) {
		cand.sec = fire - off;
		cand.nsec = 0;
		take_min(best, found, instant_add(cand, c->dur));
	}
	change = tz_next_transition(c->zone, t.sec);
	if (change != TZ_NO_TRANSITION) {
		cand.sec = change;
		cand.nsec = 0;
		take_min(best, found, cand);
	}
}

static int allowed_at(const struct compiled *w, size_t n, int manual, struct instant t,
                      size_t *scratch)
{
	struct window_verdict v = { 0, WINDOW_NO_WINDOWS, scratch, 0 };

	verdict_at(w, n, manual, NULL, t, &v);
	return v.allowed;
}

/*
 * A deny window that never closes and is not lifted by manualSync denies
 * at every open stretch from now on, whatever the other windows do.
 */
static int forever_denied(const struct compiled *w, size_t n, int manual)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].cover != COVER_NONE && w[i].kind == KIND_DENY &&
		    !(manual && w[i].w->manual_sync))
			return 1;
	return 0;
}

static int search_change(const struct compiled *w, size_t n, int manual, struct instant t,
                         struct instant *when)
{
	size_t *scratch = xcalloc(n + 1, sizeof(*scratch));
	int64_t limit = t.sec + (int64_t)WINDOWS_LOOKAHEAD_DAYS * 86400;
	int now_allowed = allowed_at(w, n, manual, t, scratch), steps, ret = 0;

	/* `now` may itself be a fire time: closed at that instant, open right after. */
	if (allowed_at(w, n, manual, instant_add(t, 1), scratch) != now_allowed) {
		*when = t;
		free(scratch);
		return 1;
	}
	if (forever_denied(w, n, manual)) {
		free(scratch);
		return 0;
	}
	for (steps = 0; steps < MAX_SEARCH_STEPS; steps++) {
		struct instant b = { 0, 0 }, after;
		int found = 0;
		size_t i;

		for (i = 0; i < n; i++)
			if (w[i].cover == COVER_NONE)
				window_candidates(&w[i], t, &b, &found);
		if (!found || b.sec > limit)
			break;
		/*
		 * Judge the open stretch that starts at b: a window that ends at b
		 * is already closed there, one that starts at b opens just after,
		 * and one that ends exactly where the next begins is no change.
		 */
		after = instant_add(b, 1);
		if (allowed_at(w, n, manual, after, scratch) != now_allowed) {
			*when = b;
			ret = 1;
			break;
		}
		t = b;
	}
	free(scratch);
	return ret;
}

static int next_change(const struct sync_windows *ws, const struct precompiled *pre,
                       const struct window_app *app, int manual, const struct timespec *now,
                       struct timespec *when, struct errbuf *err)
{
	struct compiled *w;
	struct instant found;
	size_t n;
	int ret;

	if (compile_matching(ws, pre, app, &w, &n, err))
		return -1;
	ret = n ? search_change(w, n, manual, from_timespec(now), &found) : 0;
	free(w);
	if (ret) {
		when->tv_sec = (time_t)found.sec;
		when->tv_nsec = (long)found.nsec;
	}
	return ret;
}

int windows_next_change(const struct sync_windows *ws, const struct window_app *app, int manual,
                        const struct timespec *now, struct timespec *when, struct errbuf *err)
{
	return next_change(ws, NULL, app, manual, now, when, err);
}

int compiled_windows_next_change(const struct compiled_windows *cw, const struct window_app *app,
                                 int manual, const struct timespec *now, struct timespec *when,
                                 struct errbuf *err)
{
	return next_change(cw->ws, cw->v, app, manual, now, when, err);
}

/*
 * Every window keeps its state (active or not) from t up to the first of
 * their candidates, provided none starts exactly at t: a window is inactive
 * at its fire time and active just after.  Then the whole verdict holds on
 * [t, until).  Otherwise it is only known at t: until = t.
 */
static struct instant steady_until(const struct compiled *w, size_t n, struct instant t)
{
	struct instant until = { INT64_MAX, 0 };
	int found = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (active_at(&w[i], t) != active_at(&w[i], instant_add(t, 1)))
			return t;
	for (i = 0; i < n; i++)
		if (w[i].cover != COVER_ALWAYS)
			window_candidates(&w[i], t, &until, &found);
	return found ? until : (struct instant){ INT64_MAX, 0 };
}

int compiled_windows_can_sync_until(const struct compiled_windows *cw, const struct window_app *app,
                                    int manual, const struct timespec *now,
                                    struct window_verdict *out, struct timespec *until,
                                    struct errbuf *err)
{
	struct compiled *w;
	struct instant t = from_timespec(now), u;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (compile_matching(cw->ws, cw->v, app, &w, &n, err))
		return -1;
	out->blocking = xcalloc(n + 1, sizeof(*out->blocking));
	verdict_at(w, n, manual, NULL, t, out);
	u = steady_until(w, n, t);
	free(w);
	until->tv_sec = (time_t)u.sec;
	until->tv_nsec = (long)u.nsec;
	return 0;
}

/* ---- explaining a denial ---- */

static void add_clean(struct strbuf *out, const char *s)
{
	for (; *s; s++)
		strbuf_addch(out, (unsigned char)*s < ' ' || *s == 0x7f ? '?' : *s);
}

static void describe_window(struct strbuf *out, const struct sync_window *w, size_t index)
{
	strbuf_addf(out, "%s window %zu (schedule \"", *w->kind == 'd' ? "deny" : "allow", index);
	add_clean(out, w->schedule);
	strbuf_addstr(out, "\", duration ");
	add_clean(out, w->duration);
	strbuf_addstr(out, ", timeZone ");
	add_clean(out, *w->time_zone ? w->time_zone : "UTC");
	strbuf_addch(out, ')');
}

void windows_describe_block(struct strbuf *out, const struct sync_windows *ws,
                            const struct window_verdict *v, const struct timespec *next)
{
	char buf[TIMEFMT_RFC3339_SIZE];
	size_t i;

	if (v->allowed) {
		strbuf_addstr(out, "not blocked by any sync window");
		return;
	}
	strbuf_addstr(out, v->reason == WINDOW_OUTSIDE_ALLOW ? "outside " : "blocked by ");
	for (i = 0; i < v->n_blocking; i++) {
		if (i)
			strbuf_addstr(out, ", ");
		if (v->blocking[i] < ws->n)
			describe_window(out, &ws->v[v->blocking[i]], v->blocking[i]);
	}
	if (!next) {
		strbuf_addf(out, "; no sync possible within %d days", WINDOWS_LOOKAHEAD_DAYS);
		return;
	}
	/* Round up: "possible at" must not name an instant that is still blocked. */
	strbuf_addf(out, "; next sync possible at %s",
	            timefmt_format_rfc3339((int64_t)next->tv_sec + (next->tv_nsec > 0), buf));
}
