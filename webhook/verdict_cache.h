/*
 * verdict_cache.h - remembers verdicts about one AppProject, so the
 * request path works out each answer once instead of once per request:
 * its sync windows for an Application, once per stretch of time in which
 * no window starts or stops; and whether its destinations permit a
 * (server, name, namespace).
 *
 * A verdict depends only on the project's windows (fixed for the life of
 * the cache: one cache per state object, replaced with it when the
 * AppProject changes), the Application's name and destination (struct
 * window_app) and manual/automated; it holds from the instant it was
 * computed up to `until` (compiled_windows_can_sync_until()).  So the key
 * is (app name, destination name, server, namespace, manual), compared in
 * full, and an entry answers only instants inside [from, until).
 *
 * The general form (verdict_cache_lookup/_store) keys on any list of
 * strings plus a one-character tag that keeps the kinds of question
 * apart; it is only correct for answers that are a function of the
 * project and those strings (and of the instant, through the interval).
 *
 * Bounded: a fixed number of slots per cache (VERDICT_CACHE_SLOTS),
 * direct-mapped, a newer verdict replaces whatever shared its slot;
 * memory is taken on first use.  Thread-safe: one mutex per cache, held
 * for a lookup or a store (a few string compares), never while windows
 * are evaluated.  The cache copies the key strings it keeps.
 */
#ifndef WEBHOOK_VERDICT_CACHE_H
#define WEBHOOK_VERDICT_CACHE_H

#include <time.h>

struct window_app;
struct verdict_cache;

#define VERDICT_CACHE_SLOTS 64

struct verdict_cache *verdict_cache_new(void);
void verdict_cache_free(struct verdict_cache *c);

/* 1 with *value set when a value stored under (parts[0..n), tag) covers
 * `now`, else 0.  NULL parts are taken as "". */
int verdict_cache_lookup(struct verdict_cache *c, const char *const *parts, size_t n, char tag,
                         time_t now, int *value);

/* Remembers value under (parts, tag) over [from, until); an empty
 * interval, or a key too long to keep, is not stored. */
void verdict_cache_store(struct verdict_cache *c, const char *const *parts, size_t n, char tag,
                         time_t from, const struct timespec *until, int value);

/* The sync-window verdicts, keyed on the app's name and destination and
 * manual/automated (tags 'm' and 'a').
 * verdict_cache_get(): 1 with *allowed set when a verdict for (app, manual) covers `now`, else 0. */
int verdict_cache_get(struct verdict_cache *c, const struct window_app *app, int manual, time_t now,
                      int *allowed);

/* Remembers `allowed` for (app, manual) over [from, until); an empty
 * interval, or a key too long to keep, is not stored. */
void verdict_cache_put(struct verdict_cache *c, const struct window_app *app, int manual,
                       time_t from, const struct timespec *until, int allowed);

/*
 * Denials, with the message that explains them (which windows block, and
 * when the verdict next changes): both are fixed inside [from, until), and
 * working out the next change is the costly part of a denial.  Kept apart
 * from the verdicts above (tags 'M' and 'A').  get appends the message to
 * msg and returns 1 on a hit; put copies msg.
 */
struct strbuf;
int verdict_cache_get_denial(struct verdict_cache *c, const struct window_app *app, int manual,
                             time_t now, struct strbuf *msg);
void verdict_cache_put_denial(struct verdict_cache *c, const struct window_app *app, int manual,
                              time_t from, const struct timespec *until, const char *msg);

#endif
