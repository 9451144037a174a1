/*
 * sync_window.h - Argo CD sync windows: the AppProject data, its
 * validation, and the exact "may this app sync now?" evaluation
 * (../shared/docs/argocd.md §4; Argo CD's SyncWindows.active/Matches/
 * CanSync and robfig/cron v3).
 *
 * The evaluation is Argo CD's, step for step, including its quirks:
 *  - a window is active at `now` iff a cron fire time F lies strictly
 *    between (shifted - duration) and shifted, where shifted is `now` plus
 *    the zone's UTC offset and the schedule is read as naive wall-clock
 *    time: active on the open interval (F, F + duration);
 *  - a schedule that never fires within five years (Feb 31) makes the
 *    window ALWAYS active, because robfig returns the zero time;
 *  - an empty or unknown timeZone means UTC;
 *  - deny beats allow; outside all allow windows is a denial; manualSync
 *    and syncOverrun exceptions need EVERY blocking window to grant them.
 *
 * ONE DELIBERATE DIFFERENCE: Argo CD takes the zone's UTC offset at the
 * real current time (time.Now()) even when it evaluates another instant,
 * so its answer for "tonight at 23:00" is off by an hour across a DST
 * change.  We take the offset at the instant being evaluated.  For "now"
 * the two agree; they differ only for other instants (the overrun check
 * at an operation's start time, and windows_next_change()).
 *
 * Ownership: sync_windows_from_project() builds a struct sync_windows that
 * owns copies of every string (sync_windows_release() frees them); the
 * cJSON input is only borrowed.  struct window_app only borrows its
 * strings.  A struct window_verdict owns its `blocking` array
 * (window_verdict_release()).  Evaluation is thread-safe: it only reads
 * the windows and uses the thread-safe zone cache of tz.h.
 */
#ifndef SYNC_WINDOW_H
#define SYNC_WINDOW_H

#include <stddef.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "errbuf.h"
#include "strbuf.h"

/* How far windows_next_change() looks ahead. */
#define WINDOWS_LOOKAHEAD_DAYS 366

struct window_globs {
	char **v;
	size_t n;
};

/* One entry of AppProject .spec.syncWindows[]; strings are never NULL
 * ("" when absent), kept exactly as written. */
struct sync_window {
	char *kind; /* "allow" or "deny"; anything else fails validation */
	char *schedule; /* 5-field cron, see cron.h */
	char *duration; /* Go duration, see duration.h */
	struct window_globs applications, namespaces, clusters;
	int manual_sync;
	char *time_zone; /* IANA name; "" = UTC */
	int and_operator; /* JSON "andOperator" */
	int sync_overrun;
	char *description;
};

struct sync_windows {
	struct sync_window *v;
	size_t n;
};

/* The fields of an Application that windows select on (borrowed). */
struct window_app {
	const char *name; /* metadata.name */
	const char *dest_name; /* spec.destination.name, may be "" */
	const char *dest_server; /* spec.destination.server, may be "" */
	const char *dest_namespace; /* spec.destination.namespace */
};

enum window_reason {
	WINDOW_NO_WINDOWS, /* no window matches the app: allowed */
	WINDOW_ACTIVE_ALLOW, /* an allow window is active: allowed */
	WINDOW_ONLY_INACTIVE_DENY, /* only inactive deny windows match: allowed */
	WINDOW_MANUAL_OVERRIDE, /* blocked, but every blocker has manualSync */
	WINDOW_OVERRUN, /* blocked, but every blocker has syncOverrun */
	WINDOW_ACTIVE_DENY, /* denied by active deny window(s) */
	WINDOW_OUTSIDE_ALLOW, /* denied: no allow window is active */
};

struct window_verdict {
	int allowed;
	enum window_reason reason;
	/* Indexes into the sync_windows of the windows that block (or, for the
	 * MANUAL_OVERRIDE/OVERRUN reasons, would block) the sync. */
	size_t *blocking;
	size_t n_blocking;
};

/*
 * Reads project.spec.syncWindows (absent or null: no windows).  Only the
 * JSON types are checked here (e.g. "spec.syncWindows[2].clusters: expected
 * an array of strings"); the values are checked by sync_windows_validate().
 * Returns 0, or -1 with err and *out empty.
 */
int sync_windows_from_project(const cJSON *project, struct sync_windows *out, struct errbuf *err);

/* The same for a bare JSON array of windows; `what` names it in errors. */
int sync_windows_from_json(const cJSON *array, const char *what, struct sync_windows *out,
                           struct errbuf *err);

void sync_windows_release(struct sync_windows *ws);

/* Points *out at the fields of an Application object ("" when missing). */
void window_app_from_json(const cJSON *app, struct window_app *out);

/*
 * Argo CD's SyncWindow.Validate plus AppProject.ValidateProject's window
 * rules, naming the window by its 0-based index (the ID `argocd proj
 * windows` uses): kind allow|deny, the schedule parses (no @descriptors,
 * dow 0-6), the duration parses ("3600" and "1d" do not), description at
 * most 255 characters, at least one of applications/namespaces/clusters,
 * and no two windows identical.  An unknown timeZone is not an error (Argo
 * CD falls back to UTC); it is appended to `warnings` (may be NULL), one
 * line each.  Returns 0, or -1 with the first problem in err.
 */
int sync_window_validate(const struct sync_window *w, size_t index, struct errbuf *err);
int sync_windows_validate(const struct sync_windows *ws, struct strbuf *warnings, struct errbuf *err);

/* 1 if w is active at `now`, 0 if not, -1 (err) if its schedule or
 * duration does not parse. */
int window_is_active(const struct sync_window *w, const struct timespec *now, struct errbuf *err);

/* 1 if w applies to the app (SyncWindows.Matches, incl. andOperator). */
int window_matches(const struct sync_window *w, const struct window_app *app);

/*
 * SyncWindows.CanSync for the windows of `ws` that match `app`.  `manual`
 * is true for CLI/UI/API syncs.  `op_start` is the running operation's
 * start time for the syncOverrun rule, or NULL.  Fills *out (release it
 * with window_verdict_release()) and returns 0, or -1 (err names the
 * window) when a matching window's schedule or duration does not parse;
 * Argo CD treats that as a denial.
 */
int windows_can_sync(const struct sync_windows *ws, const struct window_app *app, int manual,
                     const struct timespec *op_start, const struct timespec *now,
                     struct window_verdict *out, struct errbuf *err);

void window_verdict_release(struct window_verdict *v);

/*
 * The next instant after `now` at which windows_can_sync(ws, app, manual,
 * NULL, t) changes its `allowed` answer, searching window starts and ends
 * and the zones' offset changes up to WINDOWS_LOOKAHEAD_DAYS ahead.  The
 * instant reported is the boundary itself: a window that ends at 06:00
 * gives 06:00:00 (already inactive then), one that starts at 08:00 gives
 * 08:00:00 (active from just after it; so if `now` is 08:00:00 exactly,
 * the answer is `now`).  The single instant where one window ends as the
 * next begins is not a change.  Returns 1 and sets *when, 0 when the
 * answer does not change within the look-ahead (or within the search's
 * step budget, about two weeks for schedules that fire every minute), -1
 * on a window that does not parse.
 */
int windows_next_change(const struct sync_windows *ws, const struct window_app *app, int manual,
                        const struct timespec *now, struct timespec *when, struct errbuf *err);

/*
 * Windows compiled ahead of time: every window's cron schedule, duration
 * and zone parsed once, for callers that evaluate the same windows many
 * times (the webhook, per request).  The compiled_windows_* functions
 * answer exactly as their windows_* counterparts do for `ws`, errors
 * included (a window that does not parse is compiled again, and fails,
 * when it matters).  sync_windows_compile() borrows ws, which must stay
 * unchanged and outlive the result (compiled_windows_free()); the result
 * is immutable, so any number of threads may evaluate it.
 */
struct compiled_windows;

struct compiled_windows *sync_windows_compile(const struct sync_windows *ws);
void compiled_windows_free(struct compiled_windows *cw);

int compiled_windows_can_sync(const struct compiled_windows *cw, const struct window_app *app,
                              int manual, const struct timespec *op_start, const struct timespec *now,
                              struct window_verdict *out, struct errbuf *err);
int compiled_windows_next_change(const struct compiled_windows *cw, const struct window_app *app,
                                 int manual, const struct timespec *now, struct timespec *when,
                                 struct errbuf *err);

/*
 * compiled_windows_can_sync() without an operation start, plus how long
 * its answer holds: the verdict (allowed, reason and blocking windows) is
 * the same for every instant in [now, *until).  *until is the first
 * instant after now at which some matching window may start or stop, or
 * its zone's offset change (not necessarily a change of the verdict, which
 * windows_next_change() finds at a higher price); it is `now` itself when
 * a window starts exactly at now, and the largest time_t when nothing
 * ever changes.  Returns 0, or -1 as windows_can_sync().
 */
int compiled_windows_can_sync_until(const struct compiled_windows *cw, const struct window_app *app,
                                    int manual, const struct timespec *now,
                                    struct window_verdict *out, struct timespec *until,
                                    struct errbuf *err);

/*
 * Appends a one-line human reason for a denied verdict, e.g.
 *   blocked by deny window 0 (schedule "0 22 * * *", duration 8h,
 *   timeZone Europe/Berlin); next sync possible at 2026-11-23T06:00:00Z
 * ("outside allow window 1 (…)" when no allow window is active).  `next`
 * is from windows_next_change(), or NULL when there is none.  Control
 * characters from the project are replaced by '?'.
 */
void windows_describe_block(struct strbuf *out, const struct sync_windows *ws,
                            const struct window_verdict *v, const struct timespec *next);

#endif
