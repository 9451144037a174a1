/*
 * The phase rule of argo-rollouts' GetRolloutPhase (§1.9), the derived
 * step/weight fields, and the pause line `sync` prints.
 */
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "rollout_phase.h"
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

#define CANARY_SPEC                                                                                \
	"\"spec\":{\"replicas\":4,\"strategy\":{\"canary\":{\"steps\":["                           \
	"{\"setWeight\":25},{\"pause\":{}},{\"setWeight\":50},{\"pause\":{\"duration\":\"10s\"}}," \
	"{\"setWeight\":75}]}}}"
#define BG_SPEC "\"spec\":{\"replicas\":2,\"strategy\":{\"blueGreen\":{\"activeService\":\"a\"}}}"
#define BG_POST_SPEC                                                                     \
	"\"spec\":{\"replicas\":2,\"strategy\":{\"blueGreen\":{\"activeService\":\"a\"," \
	"\"postPromotionAnalysis\":{\"templates\":[{\"templateName\":\"t\"}]}}}}"
#define DONE                                                            \
	"\"replicas\":4,\"updatedReplicas\":4,\"availableReplicas\":4," \
	"\"currentPodHash\":\"h2\",\"stableRS\":\"h2\""

static const struct {
	const char *name, *json, *phase, *msg;
} phases[] = {
	{ "generation not observed yet",
	  "{\"metadata\":{\"generation\":3}," CANARY_SPEC
	  ",\"status\":{\"observedGeneration\":\"2\","
	  "\"phase\":\"Healthy\"}}",
	  "Progressing", "waiting for rollout spec update to be observed" },
	{ "observedGeneration as a JSON number counts too",
	  "{\"metadata\":{\"generation\":3}," CANARY_SPEC ",\"status\":{\"observedGeneration\":2,"
	  "\"phase\":\"Healthy\"}}",
	  "Progressing", "waiting for rollout spec update to be observed" },
	{ "a v0.9 hash as observedGeneration counts as observed",
	  "{\"metadata\":{\"generation\":3}," CANARY_SPEC
	  ",\"status\":{\"observedGeneration\":\"5d4f7b\","
	  "\"phase\":\"Healthy\",\"message\":\"\"}}",
	  "Healthy", "" },
	{ "a numeric v0.9 hash above the generation counts as observed",
	  "{\"metadata\":{\"generation\":3}," CANARY_SPEC
	  ",\"status\":{\"observedGeneration\":\"789\","
	  "\"phase\":\"Healthy\"}}",
	  "Healthy", "" },
	{ "controllerPause without pause conditions is unpausing",
	  "{\"metadata\":{\"generation\":1}," CANARY_SPEC
	  ",\"status\":{\"observedGeneration\":\"1\","
	  "\"controllerPause\":true,\"pauseConditions\":[],\"phase\":\"Paused\"}}",
	  "Progressing", "waiting for rollout to unpause" },
	{ "the controller's phase and message win when present",
	  "{\"metadata\":{\"generation\":1}," CANARY_SPEC
	  ",\"status\":{\"observedGeneration\":\"1\","
	  "\"phase\":\"Paused\",\"message\":\"CanaryPauseStep\",\"controllerPause\":true,"
	  "\"pauseConditions\":[{\"reason\":\"CanaryPauseStep\"}]}}",
	  "Paused", "CanaryPauseStep" },
	{ "InvalidSpec condition is Degraded",
	  "{\"metadata\":{\"generation\":1}," CANARY_SPEC ",\"status\":{\"conditions\":["
	  "{\"type\":\"Progressing\",\"reason\":\"ReplicaSetUpdated\",\"message\":\"x\"},"
	  "{\"type\":\"InvalidSpec\",\"reason\":\"InvalidSpec\",\"message\":\"bad selector\"}]}}",
	  "Degraded", "InvalidSpec: bad selector" },
	{ "an aborted rollout is Degraded - RolloutAborted",
	  "{\"metadata\":{\"generation\":1}," CANARY_SPEC
	  ",\"status\":{\"abort\":true,\"conditions\":["
	  "{\"type\":\"Progressing\",\"reason\":\"RolloutAborted\","
	  "\"message\":\"Rollout aborted update to revision 2\"}]}}",
	  "Degraded", "RolloutAborted: Rollout aborted update to revision 2" },
	{ "ProgressDeadlineExceeded is Degraded",
	  "{\"metadata\":{\"generation\":1}," CANARY_SPEC ",\"status\":{\"conditions\":["
	  "{\"type\":\"Progressing\",\"reason\":\"ProgressDeadlineExceeded\",\"message\":\"too "
	  "slow\"}]}}",
	  "Degraded", "ProgressDeadlineExceeded: too slow" },
	{ "spec.paused is manually paused (before pause conditions)",
	  "{\"metadata\":{},\"spec\":{\"paused\":true,\"strategy\":{\"canary\":{}}},"
	  "\"status\":{\"pauseConditions\":[{\"reason\":\"CanaryPauseStep\"}]}}",
	  "Paused", "manually paused" },
	{ "first pause condition names the pause",
	  "{\"metadata\":{}," BG_SPEC ",\"status\":{\"pauseConditions\":["
	  "{\"reason\":\"BlueGreenPause\"},{\"reason\":\"InconclusiveAnalysisRun\"}]}}",
	  "Paused", "BlueGreenPause" },
	{ "a pending restartAt is restarting",
	  "{\"metadata\":{},\"spec\":{\"replicas\":4,\"restartAt\":\"2024-01-01T00:00:00Z\","
	  "\"strategy\":{\"canary\":{}}},\"status\":{" DONE
	  ",\"restartedAt\":\"2023-01-01T00:00:00Z\"}}",
	  "Progressing", "rollout is restarting" },
	{ "a restart already done does not count",
	  "{\"metadata\":{},\"spec\":{\"replicas\":4,\"restartAt\":\"2024-01-01T00:00:00Z\","
	  "\"strategy\":{\"canary\":{}}},\"status\":{" DONE
	  ",\"restartedAt\":\"2024-01-01T00:00:00Z\"}}",
	  "Healthy", "" },
	{ "replicas default to 1: an empty status needs updates",
	  "{\"metadata\":{},\"spec\":{\"strategy\":{\"canary\":{}}},\"status\":{}}", "Progressing",
	  "more replicas need to be updated" },
	{ "updated replicas not yet available",
	  "{\"metadata\":{}," CANARY_SPEC ",\"status\":{\"replicas\":4,\"updatedReplicas\":4,"
	  "\"availableReplicas\":3}}",
	  "Progressing", "updated replicas are still becoming available" },
	{ "canary without traffic routing with old pods left",
	  "{\"metadata\":{}," CANARY_SPEC ",\"status\":{\"replicas\":5,\"updatedReplicas\":4,"
	  "\"availableReplicas\":4,\"currentPodHash\":\"h2\",\"stableRS\":\"h1\"}}",
	  "Progressing", "old replicas are pending termination" },
	{ "canary with traffic routing skips the old-pods check",
	  "{\"metadata\":{},\"spec\":{\"replicas\":4,\"strategy\":{\"canary\":{\"trafficRouting\":{"
	  "}"
	  "}}},"
	  "\"status\":{\"replicas\":5,\"updatedReplicas\":4,\"availableReplicas\":4,"
	  "\"currentPodHash\":\"h2\",\"stableRS\":\"h1\"}}",
	  "Progressing", "waiting for all steps to complete" },
	{ "canary whose stable RS is not the current one",
	  "{\"metadata\":{}," CANARY_SPEC ",\"status\":{\"replicas\":4,\"updatedReplicas\":4,"
	  "\"availableReplicas\":4,\"currentPodHash\":\"h2\"}}",
	  "Progressing", "waiting for all steps to complete" },
	{ "a finished canary is Healthy", "{\"metadata\":{}," CANARY_SPEC ",\"status\":{" DONE "}}",
	  "Healthy", "" },
	{ "blue-green before the active cutover",
	  "{\"metadata\":{}," BG_SPEC ",\"status\":{\"replicas\":2,\"updatedReplicas\":2,"
	  "\"availableReplicas\":2,\"currentPodHash\":\"h2\",\"stableRS\":\"h1\","
	  "\"blueGreen\":{\"activeSelector\":\"h1\"}}}",
	  "Progressing", "active service cutover pending" },
	{ "blue-green cut over, stable not yet moved",
	  "{\"metadata\":{}," BG_SPEC ",\"status\":{\"replicas\":2,\"updatedReplicas\":2,"
	  "\"availableReplicas\":2,\"currentPodHash\":\"h2\",\"stableRS\":\"h1\","
	  "\"blueGreen\":{\"activeSelector\":\"h2\"}}}",
	  "Progressing", "waiting for post-promotion verification to complete" },
	{ "blue-green with post-promotion analysis still running",
	  "{\"metadata\":{}," BG_POST_SPEC ",\"status\":{\"replicas\":2,\"updatedReplicas\":2,"
	  "\"availableReplicas\":2,\"currentPodHash\":\"h2\",\"stableRS\":\"h1\","
	  "\"blueGreen\":{\"activeSelector\":\"h2\",\"postPromotionAnalysisRunStatus\":"
	  "{\"status\":\"Running\"}}}}",
	  "Progressing", "waiting for analysis to complete" },
	{ "blue-green fully promoted is Healthy",
	  "{\"metadata\":{}," BG_SPEC ",\"status\":{\"replicas\":2,\"updatedReplicas\":2,"
	  "\"availableReplicas\":2,\"currentPodHash\":\"h2\",\"stableRS\":\"h2\","
	  "\"blueGreen\":{\"activeSelector\":\"h2\"}}}",
	  "Healthy", "" },
	{ "no status at all", "{\"metadata\":{\"name\":\"x\"}}", "Progressing",
	  "more replicas need to be updated" },
};

static void test_phases(void)
{
	size_t i;

	for (i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		struct strbuf msg = STRBUF_INIT;
		cJSON *ro = parse(phases[i].json);
		const char *phase = rollout_phase(ro, &msg);

		is_str(phase, phases[i].phase, "phase: %s", phases[i].name);
		is_str(msg.buf, phases[i].msg, "message: %s", phases[i].name);
		strbuf_release(&msg);
		cJSON_Delete(ro);
	}
}

static void test_derived(void)
{
	static const struct {
		const char *name, *status;
		int has_step, step, weight;
	} cases[] = {
		{ "no index yet", "{}", 0, 0, 25 },
		{ "first step", "{\"currentStepIndex\":0}", 1, 0, 25 },
		{ "pause after setWeight 25", "{\"currentStepIndex\":1}", 1, 1, 25 },
		{ "at setWeight 50", "{\"currentStepIndex\":2}", 1, 2, 50 },
		{ "past the last step", "{\"currentStepIndex\":5}", 1, 5, 100 },
		{ "aborted", "{\"currentStepIndex\":3,\"abort\":true}", 1, 3, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		cJSON *ro;
		int idx = -1, has;

		strbuf_addf(&sb, "{\"metadata\":{}," CANARY_SPEC ",\"status\":%s}", cases[i].status);
		ro = parse(sb.buf);
		has = rollout_step(ro, &idx);
		is_int(has, cases[i].has_step, "step present: %s", cases[i].name);
		if (has)
			is_int(idx, cases[i].step, "step index: %s", cases[i].name);
		is_int(rollout_set_weight(ro), cases[i].weight, "set weight: %s", cases[i].name);
		is_int(rollout_step_count(ro), 5, "five steps: %s", cases[i].name);
		is_str(rollout_strategy(ro), "Canary", "strategy: %s", cases[i].name);
		cJSON_Delete(ro);
		strbuf_release(&sb);
	}
}

static void test_derived_other(void)
{
	cJSON *bg = parse("{\"metadata\":{}," BG_SPEC ",\"status\":{\"currentStepIndex\":1}}");
	cJSON *nosteps = parse("{\"spec\":{\"strategy\":{\"canary\":{\"trafficRouting\":"
	                       "{\"maxTrafficWeight\":1000}}}},\"status\":{}}");
	cJSON *first = parse("{\"spec\":{\"strategy\":{\"canary\":{\"steps\":[{\"pause\":{}},"
	                     "{\"setWeight\":10}]}}},\"status\":{\"currentStepIndex\":0}}");
	int idx = -1;

	is_str(rollout_strategy(bg), "BlueGreen", "blue-green strategy");
	ok(!rollout_step(bg, &idx), "blue-green has no step");
	is_int(rollout_step_count(bg), 0, "blue-green has no steps");
	ok(!rollout_step(nosteps, &idx), "canary without steps has no step");
	is_int(rollout_set_weight(nosteps), 1000, "no current step: maxTrafficWeight");
	is_int(rollout_set_weight(first), 0, "a pause before any setWeight weighs 0");
	is_str(rollout_strategy(cJSON_GetObjectItem(bg, "status")), "", "no strategy");
	cJSON_Delete(bg);
	cJSON_Delete(nosteps);
	cJSON_Delete(first);
}

static void test_icons(void)
{
	is_str(rollout_phase_icon("Healthy"), "✔", "Healthy icon");
	is_str(rollout_phase_icon("Degraded"), "✖", "Degraded icon");
	is_str(rollout_phase_icon("Progressing"), "◌", "Progressing icon");
	is_str(rollout_phase_icon("Paused"), "॥", "Paused icon");
	is_str(rollout_phase_icon("Weird"), "?", "unknown icon");
	ok(rollout_phase_is_final("Healthy") && rollout_phase_is_final("Degraded"),
	   "Healthy and Degraded end a watch");
	ok(!rollout_phase_is_final("Paused") && !rollout_phase_is_final("Progressing") &&
	           !rollout_phase_is_final(NULL),
	   "Paused and Progressing do not");
}

static void test_pause_summary(void)
{
	static const struct {
		const char *name, *json, *want;
		int paused;
	} cases[] = {
		{ "canary at a pause step",
		  "{\"metadata\":{\"name\":\"canary\",\"namespace\":\"demo\"}," CANARY_SPEC
		  ",\"status\":{\"currentStepIndex\":1,\"phase\":\"Paused\",\"message\":"
		  "\"CanaryPauseStep\","
		  "\"controllerPause\":true,\"pauseConditions\":[{\"reason\":\"CanaryPauseStep\"}]}"
		  "}",
		  "paused at step 1/5 (CanaryPauseStep) — promote with "
		  "`kubectl gitops rollout promote canary -n demo`",
		  1 },
		{ "blue-green waiting for promotion",
		  "{\"metadata\":{\"name\":\"bg\"}," BG_SPEC ",\"status\":{\"pauseConditions\":"
		  "[{\"reason\":\"BlueGreenPause\"}],\"controllerPause\":true}}",
		  "paused (BlueGreenPause) — promote with `kubectl gitops rollout promote bg`", 1 },
		{ "cluster text is escaped",
		  "{\"metadata\":{\"name\":\"e\\u001b[2J\"}," BG_SPEC
		  ",\"status\":{\"phase\":\"Paused\","
		  "\"message\":\"x\\u001b[31m\"}}",
		  "paused (x^[[31m) — promote with `kubectl gitops rollout promote e^[[2J`", 1 },
		{ "a healthy rollout says nothing",
		  "{\"metadata\":{\"name\":\"c\"}," CANARY_SPEC ",\"status\":{" DONE "}}", "", 0 },
		{ "an aborted rollout is not paused",
		  "{\"metadata\":{\"name\":\"c\"}," CANARY_SPEC
		  ",\"status\":{\"phase\":\"Degraded\","
		  "\"message\":\"RolloutAborted: x\"}}",
		  "", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		cJSON *ro = parse(cases[i].json);

		is_int(rollout_pause_summary(ro, &sb), cases[i].paused, "paused? %s", cases[i].name);
		is_str(sb.buf, cases[i].want, "line: %s", cases[i].name);
		strbuf_release(&sb);
		cJSON_Delete(ro);
	}
}

int main(void)
{
	test_phases();
	test_derived();
	test_derived_other();
	test_icons();
	test_pause_summary();
	return tap_done();
}
