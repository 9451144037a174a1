/*
 * The Prometheus text of the webhook's metrics, byte for byte: series are
 * looked up by their label values, and must render, count and overflow
 * exactly as when they were looked up by their rendered labels.
 */
#include <stdio.h>
#include <string.h>

#include "metrics.h"
#include "tap.h"

static const char expected[] =
	"# HELP gitops_webhook_admission_requests_total AdmissionReviews judged, by deciding "
	"policy and decision.\n"
	"# TYPE gitops_webhook_admission_requests_total counter\n"
	"gitops_webhook_admission_requests_total{operation=\"UPDATE\",kind=\"Deployment\",policy="
	"\"change-freeze\",decision=\"deny\",mode=\"enforce\",dry_run=\"false\"} 2\n"
	"gitops_webhook_admission_requests_total{operation=\"\",kind=\"we\\\"ird\\\\kind\\nx\","
	"policy=\"none\",decision=\"\",mode=\"none\",dry_run=\"true\"} 1\n"
	"gitops_webhook_admission_requests_total{operation=\"CREATE\",kind=\"K\",policy=\"none\","
	"decision=\"allow\",mode=\"none\",dry_run=\"false\"} 2\n"
	"# HELP gitops_webhook_policy_violations_total Policy violations found, in any mode.\n"
	"# TYPE gitops_webhook_policy_violations_total counter\n"
	"gitops_webhook_policy_violations_total{policy=\"deletion-protection\",mode=\"enforce\","
	"operation=\"DELETE\",kind=\"Secret\",dry_run=\"true\"} 2\n"
	"gitops_webhook_policy_violations_total{policy=\"\",mode=\"\",operation=\"\",kind="
	"\"a\\\"b\",dry_run=\"false\"} 1\n"
	"# HELP gitops_webhook_admission_duration_seconds Time to judge one AdmissionReview, parse "
	"to response.\n"
	"# TYPE gitops_webhook_admission_duration_seconds histogram\n"
	"gitops_webhook_admission_duration_seconds_bucket{le=\"0.0001\"} 1\n"
	"gitops_webhook_admission_duration_seconds_bucket{le=\"0.00025\"} 3\n"
	"gitops_webhook_admission_duration_seconds_bucket{le=\"0.0005\"} 3\n"
	"gitops_webhook_admission_duration_seconds_bucket{le=\"0.001\"} 3\n"
	"gitops_webhook_admission_duration_seconds_bucket{le=\"0.0025\"} 3\n"
	"gitops_webhook_admission_duration_seconds_bucket{le=\"0.005\"} 3\n"
	"gitops_webhook_admission_duration_seconds_bucket{le=\"0.01\"} 3\n"
	"gitops_webhook_admission_duration_seconds_bucket{le=\"0.025\"} 3\n"
	"gitops_webhook_admission_duration_seconds_bucket{le=\"0.05\"} 3\n"
	"gitops_webhook_admission_duration_seconds_bucket{le=\"0.1\"} 3\n"
	"gitops_webhook_admission_duration_seconds_bucket{le=\"0.25\"} 3\n"
	"gitops_webhook_admission_duration_seconds_bucket{le=\"1\"} 4\n"
	"gitops_webhook_admission_duration_seconds_bucket{le=\"2.5\"} 4\n"
	"gitops_webhook_admission_duration_seconds_bucket{le=\"+Inf\"} 5\n"
	"gitops_webhook_admission_duration_seconds_sum 3.300410000\n"
	"gitops_webhook_admission_duration_seconds_count 5\n"
	"# HELP gitops_webhook_http_responses_total HTTP responses sent, by status code.\n"
	"# TYPE gitops_webhook_http_responses_total counter\n"
	"gitops_webhook_http_responses_total{code=\"200\"} 2\n"
	"gitops_webhook_http_responses_total{code=\"404\"} 1\n"
	"gitops_webhook_http_responses_total{code=\"-1\"} 1\n"
	"# HELP gitops_webhook_certificate_reloads_total Serving certificate (re)loads, by "
	"result.\n"
	"# TYPE gitops_webhook_certificate_reloads_total counter\n"
	"gitops_webhook_certificate_reloads_total{result=\"success\"} 1\n"
	"gitops_webhook_certificate_reloads_total{result=\"failure\"} 1\n"
	"# HELP gitops_webhook_certificate_expiry_timestamp_seconds When the serving certificate "
	"expires (Unix time).\n"
	"# TYPE gitops_webhook_certificate_expiry_timestamp_seconds gauge\n"
	"gitops_webhook_certificate_expiry_timestamp_seconds 1900000000\n"
	"# HELP gitops_webhook_state_synced 1 when the Application/AppProject cache is synced and "
	"current.\n"
	"# TYPE gitops_webhook_state_synced gauge\n"
	"gitops_webhook_state_synced 0\n"
	"# HELP gitops_webhook_state_age_seconds Seconds since the cache was last known current "
	"(-1: never).\n"
	"# TYPE gitops_webhook_state_age_seconds gauge\n"
	"gitops_webhook_state_age_seconds -1\n"
	"# HELP gitops_webhook_state_objects Objects in the cache.\n"
	"# TYPE gitops_webhook_state_objects gauge\n"
	"gitops_webhook_state_objects{kind=\"Application\"} 20000\n"
	"gitops_webhook_state_objects{kind=\"AppProject\"} 1000\n";

static void test_render(void)
{
	struct metrics *m = metrics_new();
	struct strbuf out = STRBUF_INIT;
	struct metrics_gauges g = { 0, -1, 20000, 1000 };
	struct metrics_review r1 = { "UPDATE", "Deployment", "change-freeze", "deny", "enforce",
		                     0,        0.0002 };
	struct metrics_review r2 = { NULL, "we\"ird\\kind\nx", NULL, NULL, NULL, 1, 0.3 };
	struct metrics_review r3 = { "CREATE", "K", "none", "allow", "none", 0, 0.00001 };
	struct metrics_review r4 = { "CREATE", "K", "", "allow", "", 0, 3 };

	metrics_observe_review(m, &r1);
	metrics_observe_review(m, &r2);
	metrics_observe_review(m, &r3);
	metrics_observe_review(m, &r4);
	metrics_observe_review(m, &r1);
	metrics_observe_violation(m, "deletion-protection", "enforce", "DELETE", "Secret", 1);
	metrics_observe_violation(m, NULL, "", NULL, "a\"b", 0);
	metrics_observe_violation(m, "deletion-protection", "enforce", "DELETE", "Secret", 1);
	metrics_observe_http(m, 200);
	metrics_observe_http(m, 404);
	metrics_observe_http(m, -1);
	metrics_observe_http(m, 200);
	metrics_observe_cert_reload(m, 1, 1900000000);
	metrics_observe_cert_reload(m, 0, 5);
	metrics_render(m, &g, &out);
	is_str(out.buf, expected,
	       "series in creation order; escaped labels; NULL as \"\", \"\" and none alike");
	metrics_free(m);
	strbuf_release(&out);
}

/* How many lines of out contain s. */
static int lines_with(const char *out, const char *s)
{
	int n = 0;

	for (const char *p = out; (p = strstr(p, s)); p += strlen(s))
		n++;
	return n;
}

static void test_cap(void)
{
	struct metrics *m = metrics_new();
	struct strbuf out = STRBUF_INIT;
	struct metrics_gauges g = { 1, 0, 0, 0 };
	char kind[32];

	for (int i = 0; i < 2100; i++) {
		struct metrics_review r = { "CREATE", kind, "", "allow", "", 0, 0.0 };

		snprintf(kind, sizeof(kind), "Kind%d", i);
		metrics_observe_review(m, &r);
		metrics_observe_violation(m, "p", "warn", "UPDATE", kind, 0);
	}
	for (int i = 0; i < 3; i++) {
		struct metrics_review r = { "CREATE", "Kind7", "", "allow", "", 0, 0.0 };

		metrics_observe_review(m, &r);
	}
	metrics_render(m, &g, &out);
	is_int(lines_with(out.buf, "gitops_webhook_admission_requests_total{"), 2001,
	       "2000 series and the overflow one");
	ok(strstr(out.buf, "{operation=\"CREATE\",kind=\"other\",policy=\"none\","
	                   "decision=\"allow\",mode=\"none\",dry_run=\"false\"} 100\n") != NULL,
	   "past the cap, kinds are counted as other");
	ok(strstr(out.buf, "kind=\"Kind7\",policy=\"none\",decision=\"allow\",mode=\"none\","
	                   "dry_run=\"false\"} 4\n") != NULL,
	   "a series made before the cap is still counted after it");
	ok(!strstr(out.buf, "Kind2000"), "and no series past the cap");
	is_int(lines_with(out.buf, "gitops_webhook_policy_violations_total{"), 2001,
	       "violations are capped too");
	ok(strstr(out.buf, "{policy=\"p\",mode=\"warn\",operation=\"UPDATE\",kind=\"other\","
	                   "dry_run=\"false\"} 100\n") != NULL,
	   "with their own overflow series");
	metrics_free(m);
	strbuf_release(&out);
}

int main(void)
{
	test_render();
	test_cap();
	return tap_done();
}
