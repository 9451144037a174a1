/*
 * The HTTP-facing path shared with the server: raw body in, status and body
 * out, the decision counted in the metrics and logged as one JSON line
 * without object contents.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "metrics.h"
#include "review.h"
#include "state.h"
#include "tap.h"

#define DELETE_SECRET                                                                          \
	"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","                \
	"\"request\":{\"uid\":\"u-42\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":"  \
	"\"Secret\"},"                                                                         \
	"\"operation\":\"DELETE\",\"name\":\"db\",\"namespace\":\"prod\",\"dryRun\":true,"     \
	"\"userInfo\":{\"username\":\"alice\"},\"oldObject\":{\"apiVersion\":\"v1\",\"kind\":" \
	"\"Secret\","                                                                          \
	"\"metadata\":{\"name\":\"db\",\"namespace\":\"prod\",\"annotations\":"                \
	"{\"argocd.argoproj.io/"                                                               \
	"sync-options\":\"Delete=false\"}},\"data\":{\"password\":\"c2VjcmV0LXZhbHVl\"}}}}"

/* A name that needs escapes, in the answer and in the log line. */
#define DELETE_QUOTED                                                                            \
	"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","                  \
	"\"request\":{\"uid\":\"u-43\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":"    \
	"\"Secret\"},\"operation\":\"DELETE\",\"name\":\"d\\\"b\\\\\",\"namespace\":\"prod\","   \
	"\"userInfo\":{\"username\":\"al\\tice\"},\"oldObject\":{\"metadata\":{\"annotations\":" \
	"{\"argocd.argoproj.io/sync-options\":\"Delete=false\"}}}}}"

#define V1BETA1 "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\"}"

static char *read_all(FILE *f)
{
	long n;
	char *buf;

	fflush(f);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = '\0';
	return buf;
}

struct worker {
	struct review_env env;
	int wrong;
};

static void *judge_many(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 300; i++) {
		struct strbuf out = STRBUF_INIT;
		const char *body = i % 3 ? DELETE_SECRET : "not json";
		int code = review_http(&w->env, body, strlen(body), &out);

		if (code != (i % 3 ? 200 : 400) || (i % 3 && !strstr(out.buf, "\"uid\":\"u-42\"")))
			w->wrong++;
		strbuf_release(&out);
	}
	return NULL;
}

/* Two threads share one scratch, as the server's workers do; a scratch
 * freed and made again is a new one to each thread's cached arena. */
static void test_scratch(struct webhook_config *cfg)
{
	struct worker w[2];
	pthread_t th[2];

	for (int round = 0; round < 2; round++) {
		struct review_scratch *sc = review_scratch_new();

		for (int i = 0; i < 2; i++) {
			w[i] = (struct worker){ { cfg, NULL, NULL, NULL, NULL, 0, sc }, 0 };
			pthread_create(&th[i], NULL, judge_many, &w[i]);
		}
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		ok(!w[0].wrong && !w[1].wrong,
		   "round %d: two threads judge 600 reviews on one scratch, all right", round);
		review_scratch_free(sc);
	}
}

int main(void)
{
	struct webhook_config cfg;
	struct metrics *m = metrics_new();
	struct state_store st;
	FILE *log = tmpfile();
	struct review_env env;
	struct strbuf out = STRBUF_INIT, prom = STRBUF_INIT;
	struct metrics_gauges g = { 1, 2.5, 3, 1 };
	char *logged;
	int code;

	webhook_config_init(&cfg);
	state_store_init(&st);
	env = (struct review_env){ &cfg, &st, NULL, m, log, 0, NULL };

	code = review_http(&env, DELETE_SECRET, strlen(DELETE_SECRET), &out);
	is_int(code, 200, "a review gets 200 even when denied (before the state is synced)");
	ok(strstr(out.buf, "\"uid\":\"u-42\",\"allowed\":false") != NULL, "denied, uid echoed");
	strbuf_reset(&out);

	review_http(&env, DELETE_QUOTED, strlen(DELETE_QUOTED), &out);
	ok(strstr(out.buf,
	          "\"message\":\"deletion-protection: Secret prod/d\\\"b\\\\ is protected") != NULL,
	   "a name with a quote and a backslash is escaped in the answer");
	strbuf_reset(&out);

	code = review_http(&env, V1BETA1, strlen(V1BETA1), &out);
	is_int(code, 400, "v1beta1 gets 400");
	ok(strstr(out.buf, "\"kind\":\"Status\"") && strstr(out.buf, "v1beta1") &&
	           strstr(out.buf, "\"code\":400"),
	   "with a Status saying why");
	strbuf_reset(&out);
	is_int(review_http(&env, "\x01\x02garbage", 9, &out), 400, "garbage gets 400");

	logged = read_all(log);
	ok(strstr(logged,
	          "\"msg\":\"admission decision\",\"uid\":\"u-42\",\"operation\":\"DELETE\","
	          "\"group\":\"\",\"kind\":\"Secret\",\"namespace\":\"prod\",\"name\":\"db\","
	          "\"user\":\"alice\",\"dry_run\":true,\"decision\":\"deny\","
	          "\"policy\":\"deletion-protection\",\"mode\":\"enforce\"") != NULL,
	   "the decision log line names request and verdict");
	ok(strstr(logged,
	          "\"name\":\"d\\\"b\\\\\",\"user\":\"al\\tice\",\"dry_run\":false,"
	          "\"decision\":\"deny\",\"policy\":\"deletion-protection\",\"mode\":\"enforce\","
	          "\"reason\":\"deletion-protection: Secret prod/d\\\"b\\\\ is protected") != NULL,
	   "and in the log line");
	ok(!strstr(logged, "c2VjcmV0LXZhbHVl") && !strstr(logged, "password"),
	   "the log never contains object contents");
	ok(strstr(logged, "rejected malformed AdmissionReview") != NULL, "bad input is logged");
	free(logged);

	metrics_observe_http(m, 200);
	metrics_observe_cert_reload(m, 1, 1900000000);
	metrics_render(m, &g, &prom);
	ok(strstr(prom.buf, "gitops_webhook_admission_requests_total{operation=\"DELETE\","
	                    "kind=\"Secret\",policy=\"deletion-protection\",decision=\"deny\","
	                    "mode=\"enforce\",dry_run=\"true\"} 1") != NULL,
	   "requests counted with labels");
	ok(strstr(prom.buf,
	          "gitops_webhook_policy_violations_total{policy=\"deletion-protection\","
	          "mode=\"enforce\",operation=\"DELETE\",kind=\"Secret\",dry_run=\"true\"} 1") != NULL,
	   "violations counted");
	ok(strstr(prom.buf, "gitops_webhook_admission_duration_seconds_bucket{le=\"0.0001\"}") &&
	           strstr(prom.buf, "gitops_webhook_admission_duration_seconds_count 2"),
	   "latency histogram with sub-millisecond buckets");
	ok(strstr(prom.buf, "gitops_webhook_certificate_expiry_timestamp_seconds 1900000000") != NULL,
	   "certificate expiry");
	ok(strstr(prom.buf, "gitops_webhook_state_synced 1") &&
	           strstr(prom.buf, "gitops_webhook_state_age_seconds 2.5") &&
	           strstr(prom.buf, "gitops_webhook_state_objects{kind=\"Application\"} 3"),
	   "cache gauges");

	/* Invented kinds cannot grow the series without bound. */
	for (int i = 0; i < 2100; i++) {
		char kind[32];
		struct metrics_review r = { "CREATE", kind, "", "allow", "", 0, 0.0 };

		snprintf(kind, sizeof(kind), "Kind%d", i);
		metrics_observe_review(m, &r);
	}
	strbuf_reset(&prom);
	metrics_render(m, &g, &prom);
	ok(strstr(prom.buf, "kind=\"other\",policy=\"none\",decision=\"allow\"") != NULL,
	   "past the cap, kinds are counted as other");
	ok(!strstr(prom.buf, "Kind2099"), "and not one series each");

	test_scratch(&cfg);

	strbuf_release(&out);
	strbuf_release(&prom);
	metrics_free(m);
	state_store_release(&st);
	webhook_config_release(&cfg);
	fclose(log);
	return tap_done();
}
