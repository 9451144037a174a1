/*
 * `rollout get`'s rendering: header, revision tree joined by owner UID
 * (objects of other owners ignored), icons, ages, escaping, and the JSON
 * form; plus the label selector string used to read only owned objects.
 */
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "rollout_cli.h"
#include "rollout_tree.h"
#include "tap.h"

static cJSON *parse(const char *s)
{
	cJSON *v = cJSON_Parse(s);

	if (!v) {
		fprintf(stderr, "bad test JSON: %s\n", s);
		exit(2);
	}
	return v;
}

#define T0 "2024-05-01T10:00:00Z"
#define T1 "2024-05-01T11:58:00Z"

static const char *rollout_json =
	"{\"metadata\":{\"name\":\"web\",\"namespace\":\"demo\",\"uid\":\"ro-1\","
	"\"creationTimestamp\":\"" T0 "\"},"
	"\"spec\":{\"replicas\":4,\"strategy\":{\"canary\":{\"steps\":[{\"setWeight\":25},"
	"{\"pause\":{}},{\"analysis\":{}},{\"setWeight\":75}]}}},"
	"\"status\":{\"phase\":\"Paused\",\"message\":\"CanaryPauseStep\",\"currentStepIndex\":1,"
	"\"currentPodHash\":\"new\",\"stableRS\":\"old\",\"replicas\":4,\"updatedReplicas\":1,"
	"\"readyReplicas\":4,\"availableReplicas\":4}}";

#define RS(name, hash, rev, owner, uid, replicas, avail, image, ts)                                  \
	"{\"metadata\":{\"name\":\"" name "\",\"uid\":\"" uid "\",\"creationTimestamp\":\"" ts "\"," \
	"\"labels\":{\"rollouts-pod-template-hash\":\"" hash "\"},"                                  \
	"\"annotations\":{\"rollout.argoproj.io/revision\":\"" rev "\"},"                            \
	"\"ownerReferences\":[{\"uid\":\"" owner "\",\"controller\":true}]},"                        \
	"\"spec\":{\"replicas\":" replicas ",\"template\":{\"spec\":{\"containers\":"                \
	"[{\"image\":\"" image "\"}]}}},\"status\":{\"replicas\":" replicas                          \
	",\"availableReplicas\":" avail "}}"

static const char *rsets_json = "[" RS(
	"web-old", "old", "1", "ro-1", "rs-old", "3", "3", "web:1",
	T0) "," RS("web-new", "new", "2", "ro-1", "rs-new", "1", "1", "web:2",
                   T1) "," RS("other-x", "x", "9", "ro-2", "rs-x", "1", "1", "other:1", T0) "]";

#define POD(name, owner, ts, extra)                                              \
	"{\"metadata\":{\"name\":\"" name "\",\"creationTimestamp\":\"" ts "\"," \
	"\"ownerReferences\":[{\"uid\":\"" owner "\"}]" extra "},"               \
	"\"spec\":{\"containers\":[{},{}]},"

static const char *pods_json = "[" POD(
	"web-old-a", "rs-old", T0,
	"") "\"status\":{\"phase\":\"Running\",\"containerStatuses\":"
	    "[{\"ready\":true,\"restartCount\":2},{\"ready\":true}]}}," POD("web-old-b", "rs-old", T0, ",\"deletionTimestamp\":\"" T1 "\"") "\"status\":{\"phase\":\"Running\"}}," POD(
		    "web-old-c\\u001b[2J", "rs-old", T0,
		    "") "\"status\":{\"phase\":\"Pending\","
			"\"containerStatuses\":[{\"ready\":false,\"state\":{\"waiting\":{"
			"\"reason\":\"CrashLoopBackOff\"}}}]}}," POD(
				"web-new-a", "rs-new", T1,
				"") "\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":"
				    "[{\"ready\":true},{\"ready\":false,\"state\":{\"waiting\":{"
				    "\"reason\":\"PodInitializing\"}}}]}}," POD(
					    "stray", "rs-x", T0,
					    "") "\"status\":{\"phase\":\"Running\"}}]";

static const char *ars_json =
	"["
	"{\"metadata\":{\"name\":\"web-new-2\",\"creationTimestamp\":\"" T1 "\","
	"\"annotations\":{\"rollout.argoproj.io/revision\":\"2\"},"
	"\"ownerReferences\":[{\"uid\":\"ro-1\"}]},"
	"\"status\":{\"phase\":\"Running\",\"metricResults\":[{\"successful\":3,\"failed\":1}]}}]";

static const char *want_text =
	"Name:            web\n"
	"Namespace:       demo\n"
	"Status:          ॥ Paused\n"
	"Message:         CanaryPauseStep\n"
	"Strategy:        Canary\n"
	"  Step:          1/4\n"
	"  SetWeight:     25\n"
	"  ActualWeight:  25\n"
	"Images:          web:1 (stable)\n"
	"                 web:2 (canary)\n"
	"Replicas:\n"
	"  Desired:       4\n"
	"  Current:       4\n"
	"  Updated:       1\n"
	"  Ready:         4\n"
	"  Available:     4\n"
	"\n"
	"NAME                       KIND         STATUS              AGE   INFO\n"
	"⟳ web                      Rollout      ॥ Paused            120m\n"
	"├──# revision:2\n"
	"│  ├──⧉ web-new            ReplicaSet   ✔ Healthy           2m    canary\n"
	"│  │  └──□ web-new-a       Pod          ◌ Init:1/2          2m    ready:0/2\n"
	"│  └──α web-new-2          AnalysisRun  ◌ Running           2m    ✔ 3,✖ 1\n"
	"└──# revision:1\n"
	"   └──⧉ web-old            ReplicaSet   ✔ Healthy           120m  stable\n"
	"      ├──□ web-old-a       Pod          ✔ Running           120m  ready:2/2,restarts:2\n"
	"      ├──□ web-old-b       Pod          ◌ Terminating       120m  ready:0/2\n"
	"      └──□ web-old-c^[[2J  Pod          ✖ CrashLoopBackOff  120m  ready:0/2\n";

static void test_render(void)
{
	cJSON *ro = parse(rollout_json), *rs = parse(rsets_json), *pods = parse(pods_json),
	      *ars = parse(ars_json);
	struct rollout_objects o = { ro, rs, pods, ars };
	struct timespec now = { 0, 0 };
	struct strbuf sb = STRBUF_INIT, noage = STRBUF_INIT;
	cJSON *j;

	/* 2024-05-01T12:00:00Z */
	now.tv_sec = 1714564800;
	rollout_tree_render(&sb, &o, &now);
	is_str(sb.buf, want_text, "the whole get output");
	ok(!strstr(sb.buf, "other") && !strstr(sb.buf, "stray"),
	   "objects of another owner are left out");
	rollout_tree_render(&noage, &o, NULL);
	ok(!strstr(noage.buf, "120m") && strstr(noage.buf, "web-old-a"), "no ages without a clock");
	is_int(rollout_actual_weight(&o), 25, "actual weight: 1 of 4 available pods is the canary");

	j = rollout_tree_json(&o);
	is_str(json_str(j, "status", NULL), "Paused", "json: status");
	is_int(json_int(j, "step", -1), 1, "json: step");
	is_int(json_int(j, "revisions.0.revision", -1), 2, "json: newest revision first");
	is_str(json_str(j, "revisions.0.analysisRuns.0.status", NULL), "Running",
	       "json: analysis run");
	is_int(json_int(j, "revisions.0.analysisRuns.0.failed", -1), 1, "json: failed measurements");
	is_int(cJSON_GetArraySize(json_get(j, "revisions.1.replicaSets.0.pods")), 3,
	       "json: the stable ReplicaSet's three pods");
	is_str(json_str(j, "revisions.1.replicaSets.0.pods.2.status", NULL), "CrashLoopBackOff",
	       "json: pod status");
	is_int(cJSON_GetArraySize(json_get(j, "revisions")), 2,
	       "json: other owners' revisions left out");
	cJSON_Delete(j);
	strbuf_release(&sb);
	strbuf_release(&noage);
	cJSON_Delete(ro);
	cJSON_Delete(rs);
	cJSON_Delete(pods);
	cJSON_Delete(ars);
}

static void test_empty(void)
{
	cJSON *ro = parse(
		"{\"metadata\":{\"name\":\"bg\"},\"spec\":{\"strategy\":{\"blueGreen\":{}}}}");
	cJSON *none = parse("[]");
	struct rollout_objects o = { ro, none, none, none };
	struct strbuf sb = STRBUF_INIT;

	rollout_tree_render(&sb, &o, NULL);
	ok(strstr(sb.buf, "Strategy:        BlueGreen\nReplicas:\n") != NULL,
	   "blue-green: no step or weights, no images");
	ok(strstr(sb.buf, "⟳ bg  Rollout  ◌ Progressing\n") != NULL && !strstr(sb.buf, "revision"),
	   "a rollout with nothing yet: just the root");
	strbuf_release(&sb);
	cJSON_Delete(ro);
	cJSON_Delete(none);
}

static void test_selector(void)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "{\"matchLabels\":{\"app\":\"web\"}}", "app=web" },
		{ "{\"matchLabels\":{\"tier\":\"front\",\"app\":\"web\"}}", "app=web,tier=front" },
		{ "{\"matchExpressions\":[{\"key\":\"env\",\"operator\":\"In\",\"values\":["
		  "\"prod\","
		  "\"dev\"]},"
		  "{\"key\":\"canary\",\"operator\":\"DoesNotExist\"},{\"key\":\"b\",\"operator\":"
		  "\"Exists\"},"
		  "{\"key\":\"z\",\"operator\":\"NotIn\",\"values\":[\"x\"]}],\"matchLabels\":{"
		  "\"app\":\"w\"}}",
		  "app=w,b,!canary,env in (dev,prod),z notin (x)" },
		{ "{}", "" },
		{ "null", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		cJSON *sel = parse(cases[i].json);

		rollout_selector_string(&sb, sel);
		is_str(sb.buf, cases[i].want, "selector %s", cases[i].json);
		strbuf_release(&sb);
		cJSON_Delete(sel);
	}
}

int main(void)
{
	test_render();
	test_empty();
	test_selector();
	return tap_done();
}
