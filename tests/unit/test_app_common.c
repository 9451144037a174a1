/*
 * app_common: Argo CD's "operation in progress" rule and the sync-wave
 * annotation (pure, table-driven), and app_terminate_operation() against
 * tests/lib/kubetest_server.py: refusal without an operation, the PUT
 * carrying the resourceVersion read, the re-read after a 409, errors.
 */
#include <stdlib.h>
#include <string.h>

#include "app_common.h"
#include "errbuf.h"
#include "kube_client.h"
#include "kubetest.h"
#include "rest_config.h"
#include "tap.h"
#include "xalloc.h"

static struct kubetest kt;

static void test_in_progress(void)
{
	static const struct {
		const char *json;
		int want;
		const char *what;
	} cases[] = {
		{ "{}", 0, "no operation, no state" },
		{ "{\"operation\":{\"sync\":{}}}", 1, ".operation set" },
		{ "{\"operation\":null}", 0, ".operation null" },
		{ "{\"status\":{\"operationState\":{\"phase\":\"Running\"}}}", 1, "no finishedAt" },
		{ "{\"status\":{\"operationState\":{\"finishedAt\":\"2030-01-01T00:00:05Z\"}}}", 1,
		  "finished, never reconciled" },
		{ "{\"status\":{\"reconciledAt\":\"2030-01-01T00:00:04Z\",\"operationState\":"
		  "{\"finishedAt\":\"2030-01-01T00:00:05Z\"}}}",
		  1, "reconciled before it finished" },
		{ "{\"status\":{\"reconciledAt\":\"2030-01-01T00:00:05Z\",\"operationState\":"
		  "{\"finishedAt\":\"2030-01-01T00:00:05Z\"}}}",
		  0, "reconciled at finishedAt" },
		{ "{\"status\":{\"operationState\":{\"finishedAt\":\"2030-01-01T00:00:05Z\","
		  "\"operation\":{\"sync\":{\"dryRun\":true}}}}}",
		  0, "a dry run needs no reconcile" },
		{ "{\"status\":{\"reconciledAt\":\"garbage\",\"operationState\":"
		  "{\"finishedAt\":\"2030-01-01T00:00:05Z\"}}}",
		  1, "unparseable reconciledAt" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *app = cJSON_Parse(cases[i].json);

		is_int(app_operation_in_progress(app), cases[i].want, "in progress: %s",
		       cases[i].what);
		cJSON_Delete(app);
	}
}

static void test_wave(void)
{
	static const struct {
		const char *ann; /* metadata.annotations */
		int want;
	} cases[] = {
		{ "{}", 0 },
		{ "{\"argocd.argoproj.io/sync-wave\":\"3\"}", 3 },
		{ "{\"argocd.argoproj.io/sync-wave\":\"-2\"}", -2 },
		{ "{\"argocd.argoproj.io/sync-wave\":\"+4\"}", 4 },
		{ "{\"argocd.argoproj.io/sync-wave\":\"\"}", 0 },
		{ "{\"argocd.argoproj.io/sync-wave\":\"1.5\"}", 0 },
		{ "{\"argocd.argoproj.io/sync-wave\":\" 1\"}", 0 },
		{ "{\"argocd.argoproj.io/sync-wave\":\"99999999999\"}", 0 },
		{ "{\"argocd.argoproj.io/sync-wave\":3}", 0 },
		{ "{\"argocd.argoproj.io/sync-wave\":\"1.5\",\"helm.sh/hook-weight\":\"4\"}", 4 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *app = cJSON_CreateObject(), *md = cJSON_AddObjectToObject(app, "metadata");

		cJSON_AddItemToObject(md, "annotations", cJSON_Parse(cases[i].ann));
		is_int(app_wave(app), cases[i].want, "wave of %s", cases[i].ann);
		cJSON_Delete(app);
	}
}

#define APPS "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/"
#define APP(name, rv, extra)                                                                     \
	"{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Application\","                     \
	"\"metadata\":{\"name\":\"" name "\",\"namespace\":\"argocd\",\"resourceVersion\":\"" rv \
	"\"}" extra "}"
#define RUNNING \
	",\"operation\":{\"sync\":{}},\"status\":{\"operationState\":{\"phase\":\"Running\"}}"
#define CONFLICT \
	"{\"status\":409,\"status_error\":{\"reason\":\"Conflict\",\"message\":\"modified\"}}"

static const char script[] =
	"{\"routes\":["
	"{\"path\":\"" APPS "idle\",\"responses\":[{\"body\":" APP(
		"idle", "3",
		"") "}]},"
		    "{\"path\":\"" APPS "queued\",\"responses\":[{\"body\":" APP(
			    "queued", "3",
			    ",\"operation\":{\"sync\":{}}") "}]},"
							    "{\"path\":\"" APPS
							    "gone\",\"responses\":[{\"status\":404,"
							    "\"status_error\":"
							    "{\"reason\":\"NotFound\",\"message\":"
							    "\"applications.argoproj.io "
							    "\\\"gone\\\" not found\"}}]},"
							    "{\"path\":\"" APPS
							    "run\",\"responses\":[{\"body\":" APP(
								    "run", "7",
								    RUNNING) "}]},"
									     "{\"method\":\"PUT\","
									     "\"path\":\"" APPS
									     "run\",\"responses\":["
									     "{\"body\":{}}]},"
									     "{\"path\":\"" APPS
									     "race\",\"responses\":"
									     "[{\"body\":" APP(
										     "race",
										     "7", RUNNING) "},"
												   "{\"body\":" APP(
													   "race",
													   "8",
													   RUNNING) "}]},"
														    "{\"method\":\"PUT\",\"path\":\"" APPS
														    "race\",\"responses\":[" CONFLICT
														    ",{\"body\":{}}]},"
														    "{\"path\":\"" APPS
														    "busy\",\"responses\":[{\"body\":" APP(
															    "busy",
															    "7",
															    RUNNING) "}]},"
																     "{\"method\":\"PUT\",\"path\":\"" APPS
																     "busy\",\"responses\":[" CONFLICT
																     "]}"
																     "]}";

/* The PUT body's metadata.resourceVersion and status.operationState.phase. */
static void put_fields(const cJSON *log, const char *path, int nth, char *out, size_t size)
{
	const cJSON *e;
	int k = 0;

	snprintf(out, size, "(none)");
	cJSON_ArrayForEach (e, log) {
		cJSON *body;

		if (strcmp(kubetest_field(e, "path"), path) ||
		    strcmp(kubetest_field(e, "method"), "PUT") || k++ != nth)
			continue;
		body = cJSON_Parse(kubetest_field(e, "body"));
		snprintf(out, size, "%s %s %s",
		         cJSON_GetStringValue(cJSON_GetObjectItem(
				 cJSON_GetObjectItem(body, "metadata"), "resourceVersion")),
		         cJSON_GetStringValue(cJSON_GetObjectItem(
				 cJSON_GetObjectItem(cJSON_GetObjectItem(body, "status"),
		                                     "operationState"),
				 "phase")),
		         cJSON_GetObjectItem(body, "operation") ? "op" : "no-op");
		cJSON_Delete(body);
	}
}

static void test_terminate(struct kube_client *kc)
{
	struct errbuf err;
	char got[128];
	cJSON *log;

	is_int(app_terminate_operation(kc, "argocd", "idle", &err), APP_NO_OPERATION,
	       "no operation: refused");
	is_str(err.msg, "Unable to terminate operation. No operation is in progress",
	       "with argocd's message");
	is_int(app_terminate_operation(kc, "argocd", "queued", &err), APP_NO_OPERATION,
	       "an operation the controller has not started (no operationState): refused");
	is_int(app_terminate_operation(kc, "argocd", "gone", &err), -1, "unknown app: an error");
	is_int(err.code, 404, "the API's 404");
	is_int(app_terminate_operation(kc, "argocd", "run", &err), 0, "running: terminated");
	is_int(app_terminate_operation(kc, "argocd", "race", &err), 0, "409 once: terminated");
	is_int(app_terminate_operation(kc, "argocd", "busy", &err), -1, "409 every time: gives up");
	is_int(err.code, 409, "with the conflict");

	log = kubetest_log(&kt);
	is_int(kubetest_count(log, "PUT", APPS "idle") + kubetest_count(log, "PUT", APPS "queued"),
	       0, "nothing is written when refused");
	put_fields(log, APPS "run", 0, got, sizeof(got));
	is_str(got, "7 Terminating op",
	       "the PUT sets Terminating on the object read, resourceVersion kept");
	is_int(kubetest_count(log, "GET", APPS "race"), 2, "409: the app is read again");
	put_fields(log, APPS "race", 1, got, sizeof(got));
	is_str(got, "8 Terminating op", "and written with the new resourceVersion");
	is_int(kubetest_count(log, "PUT", APPS "busy"), 11, "at most 10 retries, as argocd-server");
	cJSON_Delete(log);
}

int main(void)
{
	struct rest_config rc = { 0 };
	struct kube_client *kc;
	struct errbuf err;

	test_in_progress();
	test_wave();
	if (kubetest_init(&kt) < 0 || kubetest_start(&kt, script, 1) < 0) {
		ok(0, "test server started (run from the top of the tree)");
		kubetest_cleanup(&kt);
		return tap_done();
	}
	rc.server = xstrdup(kt.url);
	rc.ca_pem = kubetest_read(&kt, "ca.crt", &rc.ca_pem_len);
	kc = kube_client_new(&rc, &err);
	ok(kc != NULL, "client created");
	if (kc)
		test_terminate(kc);
	kube_client_free(kc);
	rest_config_release(&rc);
	kubetest_cleanup(&kt);
	return tap_done();
}
