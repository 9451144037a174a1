/*
 * tz.h - IANA time zones read from TZif files, without the C library's
 * process-wide time zone state.
 *
 * Sync windows name a zone ("Europe/Berlin") and the webhook evaluates them
 * from several threads, so localtime()/setenv("TZ") are out.  This module
 * reads /usr/share/zoneinfo/<name> itself (RFC 8536: versions 1 to 4; the
 * 64-bit data of v2+ files, and the POSIX TZ string in the footer for
 * instants after the last transition, e.g. "CET-1CEST,M3.5.0,M10.5.0/3"),
 * and answers "what is the UTC offset at instant t".
 *
 * Ownership and threads: tz_load() hands out zones owned by a process-wide
 * cache (guarded by a mutex); they are immutable and stay valid until
 * tz_cache_clear(), so any thread may use them without locking.  Failed
 * loads are cached too, so a bad name costs one file lookup per process.
 * tz_from_tzif() returns a zone the caller owns and frees with tz_free().
 */
#ifndef TZ_H
#define TZ_H

#include <stddef.h>
#include <stdint.h>

#include "errbuf.h"

struct tz;

/* tz_next_transition() has nothing to report. */
#define TZ_NO_TRANSITION INT64_MAX

#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"

/*
 * Loads a zone by IANA name.  "" and "UTC" (and NULL) are UTC and always
 * succeed.  A name with "..", a leading '/' or '\', or one that does not
 * name a readable, well-formed TZif file is an error: then *out is still
 * set, to UTC, so callers that follow Argo CD ("invalid means UTC, log a
 * warning") can use *out and report err as the warning.  Returns 0 or -1.
 */
int tz_load(const char *name, const struct tz **out, struct errbuf *err);

/* The built-in UTC zone (never NULL, never freed). */
const struct tz *tz_utc(void);

/* The name the zone was loaded under ("UTC" for tz_utc()). */
const char *tz_name(const struct tz *zone);

/* UTC offset in seconds east of Greenwich at instant t (Unix seconds). */
int32_t tz_offset_at(const struct tz *zone, int64_t t);

/* The first instant > t at which the zone's offset rules switch (a TZif
 * transition or a footer DST start/end), or TZ_NO_TRANSITION. */
int64_t tz_next_transition(const struct tz *zone, int64_t t);

/*
 * Where tz_load() looks (default TZ_DEFAULT_DIR; NULL restores it).  Meant
 * for tests and start-up; zones loaded from another directory stay cached
 * under that directory and remain valid.
 */
void tz_set_dir(const char *dir);

/* Frees every cached zone.  Only when no thread still uses one (tests, exit). */
void tz_cache_clear(void);

/* Parses TZif bytes into a zone named `name` that the caller owns. */
struct tz *tz_from_tzif(const char *name, const unsigned char *data, size_t len, struct errbuf *err);
void tz_free(struct tz *zone);

#endif
