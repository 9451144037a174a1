/*
 * duration.h - Go's time.Duration: parsing, formatting, and kubectl's
 * --request-timeout flag.
 *
 * A duration is an int64_t count of nanoseconds, as in Go, so the range is
 * about +-292 years.  duration_parse() accepts exactly what Go's
 * time.ParseDuration accepts (see ../shared/docs/rollouts-and-kubectl.md
 * §2.2 and argocd.md §4.1): an optional sign, then one or more
 * "<number><unit>" pairs where the number may have a fraction ("1.5h",
 * ".5s") and the unit is one of ns, us, µs (U+00B5), μs (U+03BC), ms, s, m,
 * h.  "0" alone is zero; any other number needs a unit, so "3600" and "1d"
 * are errors.  Error messages are Go's own text ("time: unknown unit \"d\"
 * in duration \"1d\""), because Argo CD shows that text to its users too.
 *
 * Nothing here allocates; output goes into the caller's buffer.
 */
#ifndef DURATION_H
#define DURATION_H

#include <stdint.h>

#include "errbuf.h"

#define DURATION_NS INT64_C(1)
#define DURATION_US INT64_C(1000)
#define DURATION_MS INT64_C(1000000)
#define DURATION_SECOND INT64_C(1000000000)
#define DURATION_MINUTE (60 * DURATION_SECOND)
#define DURATION_HOUR (60 * DURATION_MINUTE)

/* Big enough for the longest Go duration string, "-2562047h47m16.854775808s". */
#define DURATION_FORMAT_SIZE 32

/* Go's time.ParseDuration.  Returns 0 and sets *ns, or -1 (err filled,
 * *ns untouched) on a syntax error, unknown unit or overflow. */
int duration_parse(const char *s, int64_t *ns, struct errbuf *err);

/* Go's Duration.String(): "1h30m0s", "1.5s", "300ms", "2µs", "0s".
 * Writes into buf and returns it. */
char *duration_format(int64_t ns, char buf[DURATION_FORMAT_SIZE]);

/*
 * kubectl's --request-timeout (client-go clientcmd.ParseTimeout): a
 * non-negative integer is seconds, anything else must be a Go duration;
 * "0" means no timeout.  On failure the error is kubectl's exact text
 * (which, unlike ours, starts with a capital letter).  As in kubectl a
 * negative Go duration ("-1s") is accepted and returned as is; callers
 * treat a value <= 0 as "no timeout".  Unlike kubectl, an integer whose
 * seconds overflow the nanosecond range is an error instead of wrapping.
 */
int duration_parse_request_timeout(const char *s, int64_t *ns, struct errbuf *err);

#endif
