/*
 * metrics.h - the webhook's Prometheus metrics, rendered as text format 0.0.4.
 *
 *   gitops_webhook_admission_requests_total{operation,kind,policy,decision,mode,dry_run}
 *       one per judged AdmissionReview; policy/mode name the deciding policy
 *       ("none" when no policy objected)
 *   gitops_webhook_policy_violations_total{policy,mode,operation,kind,dry_run}
 *       every violation, whatever the mode (enforce, warn, audit)
 *   gitops_webhook_admission_duration_seconds   histogram, sub-millisecond buckets
 *   gitops_webhook_http_responses_total{code}
 *   gitops_webhook_state_synced, _state_age_seconds, _state_objects{kind}
 *   gitops_webhook_certificate_expiry_timestamp_seconds
 *   gitops_webhook_certificate_reloads_total{result}
 *
 * Thread-safe (one mutex; every update is a few hash lookups).  Label sets
 * per family are capped; past the cap the kind label becomes "other", so a
 * stream of invented kinds cannot grow memory without bound.
 */
#ifndef WEBHOOK_METRICS_H
#define WEBHOOK_METRICS_H

#include <time.h>

#include "strbuf.h"

struct metrics;

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

struct metrics_review {
	const char *operation, *kind, *policy, *decision, *mode;
	int dry_run;
	double seconds;
};
void metrics_observe_review(struct metrics *m, const struct metrics_review *r);
void metrics_observe_violation(struct metrics *m, const char *policy, const char *mode,
                               const char *operation, const char *kind, int dry_run);
void metrics_observe_http(struct metrics *m, int code);
void metrics_observe_cert_reload(struct metrics *m, int ok, time_t not_after);

/* Gauges sampled at scrape time. */
struct metrics_gauges {
	int state_synced;
	double state_age_seconds; /* < 0: never synced */
	unsigned long apps, projects;
};
void metrics_render(struct metrics *m, const struct metrics_gauges *g, struct strbuf *out);

#endif
