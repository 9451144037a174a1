#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "xalloc.h"

#define SERIES_CAP 2000
#define NR_BUCKETS 13
#define TABLE_SIZE 256 /* hash buckets per family, a power of two */
#define MAX_LABELS 6

static const double buckets[NR_BUCKETS] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
	                                    0.025,  0.05,    0.1,    0.25,  1,      2.5 };

/*
 * A series is found by its label values, hashed, not by its rendered
 * label text: an update then costs a hash of a few short strings and
 * one compare, and the text is rendered only when scraped.  Rendering is
 * one-to-one (values are escaped), so equal values mean equal text.
 */
struct series {
	struct series *next; /* in creation order, for rendering */
	struct series *chain; /* in its hash bucket */
	unsigned long long hash;
	unsigned long long value;
	char values[]; /* the label values, each with its NUL, in label order */
};

struct family {
	const char *name, *help;
	const char *const *labels; /* label names */
	size_t nr_labels;
	struct series *head, **tail;
	size_t nr;
	struct series *table[TABLE_SIZE];
};

struct metrics {
	pthread_mutex_t lock;
	struct family requests, violations, http, reloads;
	unsigned long long hist[NR_BUCKETS];
	unsigned long long hist_count;
	double hist_sum;
	time_t cert_not_after;
};

static const char *const review_label_names[] = { "operation", "kind", "policy",
	                                          "decision",  "mode", "dry_run" };
static const char *const violation_label_names[] = { "policy", "mode", "operation", "kind",
	                                             "dry_run" };
static const char *const http_label_names[] = { "code" };
static const char *const reload_label_names[] = { "result" };

#define FAMILY_INIT(f, n, h, l) family_init(f, n, h, l, sizeof(l) / sizeof(*(l)))

static void family_init(struct family *f, const char *name, const char *help,
                        const char *const *labels, size_t nr_labels)
{
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->help = help;
	f->labels = labels;
	f->nr_labels = nr_labels;
	f->tail = &f->head;
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
	FAMILY_INIT(&m->requests, "gitops_webhook_admission_requests_total",
	            "AdmissionReviews judged, by deciding policy and decision.", review_label_names);
	FAMILY_INIT(&m->violations, "gitops_webhook_policy_violations_total",
	            "Policy violations found, in any mode.", violation_label_names);
	FAMILY_INIT(&m->http, "gitops_webhook_http_responses_total",
	            "HTTP responses sent, by status code.", http_label_names);
	FAMILY_INIT(&m->reloads, "gitops_webhook_certificate_reloads_total",
	            "Serving certificate (re)loads, by result.", reload_label_names);
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

/* Escaped as the text format wants; only at render time. */
static void add_label(struct strbuf *sb, const char *key, const char *value)
{
	const char *p, *run;

	if (sb->len)
		strbuf_addch(sb, ',');
	strbuf_addstr(sb, key);
	strbuf_addstr(sb, "=\"");
	for (run = p = value; *p; p++) {
		if (*p != '\\' && *p != '"' && *p != '\n')
			continue;
		strbuf_add(sb, run, (size_t)(p - run));
		strbuf_addstr(sb, *p == '\n' ? "\\n" : *p == '"' ? "\\\"" : "\\\\");
		run = p + 1;
	}
	strbuf_add(sb, run, (size_t)(p - run));
	strbuf_addch(sb, '"');
}

/* One lookup key: the label values (NULL taken as "", as rendered) and
 * their hash (FNV-1a over the values and their NULs), taken outside the lock. */
struct key {
	const char *v[MAX_LABELS];
	size_t len[MAX_LABELS];
	size_t nr, size;
	unsigned long long hash;
};

static void key_hash(struct key *k)
{
	unsigned long long h = 14695981039346656037ULL;

	k->size = 0;
	for (size_t i = 0; i < k->nr; i++) {
		const unsigned char *p = (const unsigned char *)(k->v[i] ? k->v[i] : "");

		k->v[i] = (const char *)p;
		for (; *p; p++)
			h = (h ^ *p) * 1099511628211ULL;
		h *= 1099511628211ULL; /* the NUL */
		k->len[i] = (size_t)(p - (const unsigned char *)k->v[i]);
		k->size += k->len[i] + 1;
	}
	k->hash = h;
}

static int key_matches(const struct series *s, const struct key *k)
{
	const char *p = s->values;

	if (s->hash != k->hash)
		return 0;
	for (size_t i = 0; i < k->nr; i++) {
		if (strcmp(p, k->v[i]))
			return 0;
		p += k->len[i] + 1;
	}
	return 1;
}

static struct series *series_new(struct family *f, const struct key *k)
{
	struct series *s = xcalloc(1, sizeof(*s) + k->size);
	char *p = s->values;
	struct series **bucket = &f->table[k->hash & (TABLE_SIZE - 1)];

	for (size_t i = 0; i < k->nr; i++) {
		memcpy(p, k->v[i], k->len[i] + 1);
		p += k->len[i] + 1;
	}
	s->hash = k->hash;
	s->chain = *bucket;
	*bucket = s;
	*f->tail = s;
	f->tail = &s->next;
	f->nr++;
	return s;
}

/* Called with the lock held.  Returns NULL once the family is full,
 * unless `past_cap` (for the one overflow series). */
static struct series *lookup(struct family *f, const struct key *k, int past_cap)
{
	struct series *s;

	for (s = f->table[k->hash & (TABLE_SIZE - 1)]; s; s = s->chain)
		if (key_matches(s, k))
			return s;
	if (f->nr >= SERIES_CAP && !past_cap)
		return NULL;
	return series_new(f, k);
}

/* The key of a review, with `kind` as given. */
static void review_key(struct key *k, const struct metrics_review *r, const char *kind)
{
	k->nr = 6;
	k->v[0] = r->operation;
	k->v[1] = kind;
	k->v[2] = r->policy && *r->policy ? r->policy : "none";
	k->v[3] = r->decision;
	k->v[4] = r->mode && *r->mode ? r->mode : "none";
	k->v[5] = r->dry_run ? "true" : "false";
	key_hash(k);
}

void metrics_observe_review(struct metrics *m, const struct metrics_review *r)
{
	struct key k, o;
	struct series *s;

	review_key(&k, r, r->kind);
	pthread_mutex_lock(&m->lock);
	/* Past the cap, the series with kind="other" (keyed only then). */
	if (!(s = lookup(&m->requests, &k, 0))) {
		review_key(&o, r, "other");
		s = lookup(&m->requests, &o, 1);
	}
	s->value++;
	for (int i = 0; i < NR_BUCKETS; i++)
		if (r->seconds <= buckets[i])
			m->hist[i]++;
	m->hist_count++;
	m->hist_sum += r->seconds;
	pthread_mutex_unlock(&m->lock);
}

static void violation_key(struct key *k, const char *policy, const char *mode,
                          const char *operation, const char *kind, int dry_run)
{
	k->nr = 5;
	k->v[0] = policy;
	k->v[1] = mode;
	k->v[2] = operation;
	k->v[3] = kind;
	k->v[4] = dry_run ? "true" : "false";
	key_hash(k);
}

void metrics_observe_violation(struct metrics *m, const char *policy, const char *mode,
                               const char *operation, const char *kind, int dry_run)
{
	struct key k, o;
	struct series *s;

	violation_key(&k, policy, mode, operation, kind, dry_run);
	pthread_mutex_lock(&m->lock);
	if (!(s = lookup(&m->violations, &k, 0))) {
		violation_key(&o, policy, mode, operation, "other", dry_run);
		s = lookup(&m->violations, &o, 1);
	}
	s->value++;
	pthread_mutex_unlock(&m->lock);
}

/* "%d", without printf: this runs for every response. */
static const char *decimal(char *end, int v)
{
	unsigned u = v < 0 ? 0 - (unsigned)v : (unsigned)v;

	*--end = '\0';
	do
		*--end = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--end = '-';
	return end;
}

void metrics_observe_http(struct metrics *m, int code)
{
	char digits[16];
	struct key k = { .nr = 1, .v = { decimal(digits + sizeof(digits), code) } };
	struct series *s;

	key_hash(&k);
	pthread_mutex_lock(&m->lock);
	if ((s = lookup(&m->http, &k, 0)))
		s->value++;
	pthread_mutex_unlock(&m->lock);
}

void metrics_observe_cert_reload(struct metrics *m, int ok, time_t not_after)
{
	struct key k = { .nr = 1, .v = { ok ? "success" : "failure" } };
	struct series *s;

	key_hash(&k);
	pthread_mutex_lock(&m->lock);
	if ((s = lookup(&m->reloads, &k, 0)))
		s->value++;
	if (ok)
		m->cert_not_after = not_after;
	pthread_mutex_unlock(&m->lock);
}

static void render_series(struct strbuf *out, const struct family *f, const struct series *s)
{
	struct strbuf l = STRBUF_INIT;
	const char *v = s->values;

	for (size_t i = 0; i < f->nr_labels; i++) {
		add_label(&l, f->labels[i], v);
		v += strlen(v) + 1;
	}
	strbuf_addf(out, "%s{%s} %llu\n", f->name, l.buf, s->value);
	strbuf_release(&l);
}

static void render_family(struct strbuf *out, const struct family *f)
{
	strbuf_addf(out, "# HELP %s %s\n# TYPE %s counter\n", f->name, f->help, f->name);
	for (const struct series *s = f->head; s; s = s->next)
		render_series(out, f, s);
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
