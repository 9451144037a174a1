#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "xalloc.h"

#define SERIES_CAP 2000
#define NR_BUCKETS 13

static const double buckets[NR_BUCKETS] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
	                                    0.025,  0.05,    0.1,    0.25,  1,      2.5 };

struct series {
	struct series *next;
	unsigned long long value;
	char labels[]; /* rendered: a="x",b="y" */
};

struct family {
	const char *name, *help;
	struct series *head, **tail;
	size_t nr;
};

struct metrics {
	pthread_mutex_t lock;
	struct family requests, violations, http, reloads;
	unsigned long long hist[NR_BUCKETS];
	unsigned long long hist_count;
	double hist_sum;
	time_t cert_not_after;
};

static void family_init(struct family *f, const char *name, const char *help)
{
	f->name = name;
	f->help = help;
	f->head = NULL;
	f->tail = &f->head;
	f->nr = 0;
}

static void family_free(struct family *f)
{
	while (f->head) {
		struct series *n = f->head->next;

		free(f->head);
		f->head = n;
	}
}

struct metrics *metrics_new(void)
{
	struct metrics *m = xcalloc(1, sizeof(*m));

	pthread_mutex_init(&m->lock, NULL);
	family_init(&m->requests, "gitops_webhook_admission_requests_total",
	            "AdmissionReviews judged, by deciding policy and decision.");
	family_init(&m->violations, "gitops_webhook_policy_violations_total",
	            "Policy violations found, in any mode.");
	family_init(&m->http, "gitops_webhook_http_responses_total",
	            "HTTP responses sent, by status code.");
	family_init(&m->reloads, "gitops_webhook_certificate_reloads_total",
	            "Serving certificate (re)loads, by result.");
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	family_free(&m->requests);
	family_free(&m->violations);
	family_free(&m->http);
	family_free(&m->reloads);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* Called for every request: no printf, and escaping only where needed. */
static void add_label(struct strbuf *sb, const char *key, const char *value)
{
	const char *p, *run;

	if (sb->len)
		strbuf_addch(sb, ',');
	strbuf_addstr(sb, key);
	strbuf_addstr(sb, "=\"");
	for (run = p = value ? value : ""; *p; p++) {
		if (*p != '\\' && *p != '"' && *p != '\n')
			continue;
		strbuf_add(sb, run, (size_t)(p - run));
		strbuf_addstr(sb, *p == '\n' ? "\\n" : *p == '"' ? "\\\"" : "\\\\");
		run = p + 1;
	}
	strbuf_add(sb, run, (size_t)(p - run));
	strbuf_addch(sb, '"');
}

/* Called with the lock held.  Returns NULL once the family is full,
 * unless `past_cap` (for the one overflow series). */
static struct series *lookup(struct family *f, const char *labels, int past_cap)
{
	struct series *s;
	size_t n = strlen(labels);

	for (s = f->head; s; s = s->next)
		if (!strcmp(s->labels, labels))
			return s;
	if (f->nr >= SERIES_CAP && !past_cap)
		return NULL;
	s = xcalloc(1, sizeof(*s) + n + 1);
	memcpy(s->labels, labels, n + 1);
	*f->tail = s;
	f->tail = &s->next;
	f->nr++;
	return s;
}

/* The labels of a review, with `kind` as given. */
static void review_labels(struct strbuf *sb, const struct metrics_review *r, const char *kind)
{
	add_label(sb, "operation", r->operation);
	add_label(sb, "kind", kind);
	add_label(sb, "policy", r->policy && *r->policy ? r->policy : "none");
	add_label(sb, "decision", r->decision);
	add_label(sb, "mode", r->mode && *r->mode ? r->mode : "none");
	add_label(sb, "dry_run", r->dry_run ? "true" : "false");
}

void metrics_observe_review(struct metrics *m, const struct metrics_review *r)
{
	struct strbuf l = STRBUF_INIT, o = STRBUF_INIT;
	struct series *s;

	review_labels(&l, r, r->kind);
	pthread_mutex_lock(&m->lock);
	/* Past the cap, the series with kind="other" (built only then). */
	if (!(s = lookup(&m->requests, l.buf, 0))) {
		review_labels(&o, r, "other");
		s = lookup(&m->requests, o.buf, 1);
	}
	s->value++;
	for (int i = 0; i < NR_BUCKETS; i++)
		if (r->seconds <= buckets[i])
			m->hist[i]++;
	m->hist_count++;
	m->hist_sum += r->seconds;
	pthread_mutex_unlock(&m->lock);
	strbuf_release(&l);
	strbuf_release(&o);
}

static void violation_labels(struct strbuf *sb, const char *policy, const char *mode,
                             const char *operation, const char *kind, int dry_run)
{
	add_label(sb, "policy", policy);
	add_label(sb, "mode", mode);
	add_label(sb, "operation", operation);
	add_label(sb, "kind", kind);
	add_label(sb, "dry_run", dry_run ? "true" : "false");
}

void metrics_observe_violation(struct metrics *m, const char *policy, const char *mode,
                               const char *operation, const char *kind, int dry_run)
{
	struct strbuf l = STRBUF_INIT, o = STRBUF_INIT;
	struct series *s;

	violation_labels(&l, policy, mode, operation, kind, dry_run);
	pthread_mutex_lock(&m->lock);
	if (!(s = lookup(&m->violations, l.buf, 0))) {
		violation_labels(&o, policy, mode, operation, "other", dry_run);
		s = lookup(&m->violations, o.buf, 1);
	}
	s->value++;
	pthread_mutex_unlock(&m->lock);
	strbuf_release(&l);
	strbuf_release(&o);
}

void metrics_observe_http(struct metrics *m, int code)
{
	char l[32];
	struct series *s;

	snprintf(l, sizeof(l), "code=\"%d\"", code);
	pthread_mutex_lock(&m->lock);
	if ((s = lookup(&m->http, l, 0)))
		s->value++;
	pthread_mutex_unlock(&m->lock);
}

void metrics_observe_cert_reload(struct metrics *m, int ok, time_t not_after)
{
	struct strbuf l = STRBUF_INIT;
	struct series *s;

	add_label(&l, "result", ok ? "success" : "failure");
	pthread_mutex_lock(&m->lock);
	if ((s = lookup(&m->reloads, l.buf, 0)))
		s->value++;
	if (ok)
		m->cert_not_after = not_after;
	pthread_mutex_unlock(&m->lock);
	strbuf_release(&l);
}

static void render_family(struct strbuf *out, const struct family *f)
{
	strbuf_addf(out, "# HELP %s %s\n# TYPE %s counter\n", f->name, f->help, f->name);
	for (const struct series *s = f->head; s; s = s->next)
		strbuf_addf(out, "%s{%s} %llu\n", f->name, s->labels, s->value);
}

static void gauge(struct strbuf *out, const char *name, const char *help, double v)
{
	strbuf_addf(out, "# HELP %s %s\n# TYPE %s gauge\n%s %.17g\n", name, help, name, name, v);
}

static void render_histogram(struct metrics *m, struct strbuf *out)
{
	const char *name = "gitops_webhook_admission_duration_seconds";

	strbuf_addf(out,
	            "# HELP %s Time to judge one AdmissionReview, parse to response.\n"
	            "# TYPE %s histogram\n",
	            name, name);
	for (int i = 0; i < NR_BUCKETS; i++)
		strbuf_addf(out, "%s_bucket{le=\"%g\"} %llu\n", name, buckets[i], m->hist[i]);
	strbuf_addf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.9f\n%s_count %llu\n", name,
	            m->hist_count, name, m->hist_sum, name, m->hist_count);
}

void metrics_render(struct metrics *m, const struct metrics_gauges *g, struct strbuf *out)
{
	pthread_mutex_lock(&m->lock);
	render_family(out, &m->requests);
	render_family(out, &m->violations);
	render_histogram(m, out);
	render_family(out, &m->http);
	render_family(out, &m->reloads);
	if (m->cert_not_after)
		gauge(out, "gitops_webhook_certificate_expiry_timestamp_seconds",
		      "When the serving certificate expires (Unix time).", (double)m->cert_not_after);
	pthread_mutex_unlock(&m->lock);
	gauge(out, "gitops_webhook_state_synced",
	      "1 when the Application/AppProject cache is synced and current.", g->state_synced);
	gauge(out, "gitops_webhook_state_age_seconds",
	      "Seconds since the cache was last known current (-1: never).", g->state_age_seconds);
	strbuf_addstr(out, "# HELP gitops_webhook_state_objects Objects in the cache.\n"
	                   "# TYPE gitops_webhook_state_objects gauge\n");
	strbuf_addf(out, "gitops_webhook_state_objects{kind=\"Application\"} %lu\n", g->apps);
	strbuf_addf(out, "gitops_webhook_state_objects{kind=\"AppProject\"} %lu\n", g->projects);
}
