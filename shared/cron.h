/*
 * cron.h - cron schedules as Argo CD reads them: robfig/cron v3 with
 * NewParser(Minute | Hour | Dom | Month | Dow), see
 * ../shared/docs/argocd.md §4.2.
 *
 * Exactly five whitespace-separated fields: minute 0-59, hour 0-23, day of
 * month 1-31, month 1-12 or jan-dec, day of week 0-6 or sun-sat (names in
 * any case; 7 is NOT Sunday).  Each field is a comma list of `*`, `?`, a
 * number or name, a range `a-b`, each optionally `/step` (`a/step` runs to
 * the field's maximum).  No descriptors (`@daily` is rejected), no seconds
 * field.  Error messages are robfig's ("end of range (7) above maximum (6):
 * 7", "expected exactly 5 fields, found 6: [0 0 2 * * *]").
 *
 * Deliberate difference: robfig accepts a leading "TZ=zone " or
 * "CRON_TZ=zone " prefix; in a sync window it would shift the schedule a
 * second time on top of timeZone, so we reject it with an error that says
 * to use timeZone.
 *
 * A parsed schedule is a plain value: nothing to free, safe to share.
 */
#ifndef CRON_H
#define CRON_H

#include <stdint.h>

#include "errbuf.h"

/* cron_next() found no fire time within five years (robfig's zero time). */
#define CRON_NONE INT64_MIN

/* Bit sets, bit n = value n; bit 63 marks a field written as `*` or `?`
 * (a step > 1 clears it), which decides how dom and dow combine. */
struct cron_schedule {
	uint64_t minute, hour, dom, month, dow;
};

/* Returns 0 and fills *out, or -1 with robfig's message in err. */
int cron_parse(const char *spec, struct cron_schedule *out, struct errbuf *err);

/*
 * robfig's SpecSchedule.Next with the schedule and t both in UTC: the first
 * fire time strictly after t (Unix seconds; fire times are whole minutes).
 * robfig first rounds up to the next second, so for an instant with a
 * fraction pass its tv_sec.  Returns CRON_NONE when nothing matches within
 * five years (e.g. "0 0 31 2 *"), where robfig returns the zero time.
 */
int64_t cron_next(const struct cron_schedule *s, int64_t t);

#endif
