/*
 * Which patches `rollout promote` sends for each state of a Rollout
 * (§1.2), byte for byte, with and without the resourceVersion guard.
 */
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "rollout_patch.h"
#include "tap.h"

#define STEPS "\"steps\":[{\"setWeight\":25},{\"pause\":{}},{\"analysis\":{}},{\"setWeight\":75}]"
#define CANARY "\"strategy\":{\"canary\":{" STEPS "}}"
#define BG "\"strategy\":{\"blueGreen\":{\"activeService\":\"a\"}}"

static const struct {
	const char *name;
	enum promote_mode mode;
	const char *json, *spec, *status, *unified;
} cases[] = {
	{ "canary paused at a pause step: clear the pause conditions", PROMOTE_DEFAULT,
	  "{\"spec\":{" CANARY "},\"status\":{\"currentStepIndex\":1,\"controllerPause\":true,"
	  "\"pauseConditions\":[{\"reason\":\"CanaryPauseStep\"}]}}",
	  NULL, "{\"status\":{\"pauseConditions\":null}}",
	  "{\"spec\":{\"paused\":false},\"status\":{\"pauseConditions\":null}}" },
	{ "manually paused canary at a pause step: unpause and clear", PROMOTE_DEFAULT,
	  "{\"spec\":{\"paused\":true," CANARY "},\"status\":{\"currentStepIndex\":1,"
	  "\"pauseConditions\":[{\"reason\":\"CanaryPauseStep\"}]}}",
	  "{\"spec\":{\"paused\":false}}", "{\"status\":{\"pauseConditions\":null}}",
	  "{\"spec\":{\"paused\":false},\"status\":{\"pauseConditions\":null}}" },
	{ "inconclusive analysis: clear, release the controller pause, next step", PROMOTE_DEFAULT,
	  "{\"spec\":{" CANARY "},\"status\":{\"currentStepIndex\":2,\"controllerPause\":true,"
	  "\"pauseConditions\":[{\"reason\":\"InconclusiveAnalysisRun\"}],"
	  "\"canary\":{\"currentStepAnalysisRunStatus\":{\"status\":\"Inconclusive\"}}}}",
	  NULL, "{\"status\":{\"pauseConditions\":null, \"controllerPause\":false, \"currentStepIndex\":3}}",
	  "{\"spec\":{\"paused\":false},\"status\":{\"pauseConditions\":null}}" },
	{ "inconclusive analysis without controllerPause: plain clear", PROMOTE_DEFAULT,
	  "{\"spec\":{" CANARY "},\"status\":{\"currentStepIndex\":2,"
	  "\"pauseConditions\":[{\"reason\":\"InconclusiveAnalysisRun\"}],"
	  "\"canary\":{\"currentStepAnalysisRunStatus\":{\"status\":\"Inconclusive\"}}}}",
	  NULL, "{\"status\":{\"pauseConditions\":null}}",
	  "{\"spec\":{\"paused\":false},\"status\":{\"pauseConditions\":null}}" },
	{ "canary mid analysis step: advance one step", PROMOTE_DEFAULT,
	  "{\"spec\":{" CANARY "},\"status\":{\"currentStepIndex\":2}}", NULL,
	  "{\"status\":{\"pauseConditions\":null, \"currentStepIndex\":3}}",
	  "{\"spec\":{\"paused\":false},\"status\":{\"pauseConditions\":null, "
	  "\"currentStepIndex\":3}}" },
	{ "canary with no index yet: step 0 -> 1", PROMOTE_DEFAULT,
	  "{\"spec\":{" CANARY "},\"status\":{}}", NULL,
	  "{\"status\":{\"pauseConditions\":null, \"currentStepIndex\":1}}",
	  "{\"spec\":{\"paused\":false},\"status\":{\"pauseConditions\":null, "
	  "\"currentStepIndex\":1}}" },
	{ "canary past its last step: never beyond the end", PROMOTE_DEFAULT,
	  "{\"spec\":{" CANARY "},\"status\":{\"currentStepIndex\":4}}", NULL,
	  "{\"status\":{\"pauseConditions\":null, \"currentStepIndex\":4}}",
	  "{\"spec\":{\"paused\":false},\"status\":{\"pauseConditions\":null, "
	  "\"currentStepIndex\":4}}" },
	{ "canary without steps: nothing to send", PROMOTE_DEFAULT,
	  "{\"spec\":{\"strategy\":{\"canary\":{}}},\"status\":{}}", NULL, NULL,
	  "{\"spec\":{\"paused\":false},\"status\":{\"pauseConditions\":null}}" },
	{ "blue-green waiting for promotion: clear the pause", PROMOTE_DEFAULT,
	  "{\"spec\":{" BG "},\"status\":{\"controllerPause\":true,"
	  "\"pauseConditions\":[{\"reason\":\"BlueGreenPause\"}]}}",
	  NULL, "{\"status\":{\"pauseConditions\":null}}",
	  "{\"spec\":{\"paused\":false},\"status\":{\"pauseConditions\":null}}" },
	{ "blue-green not paused: no request", PROMOTE_DEFAULT, "{\"spec\":{" BG "},\"status\":{}}",
	  NULL, NULL, "{\"spec\":{\"paused\":false},\"status\":{\"pauseConditions\":null}}" },
	{ "blue-green manually paused: spec only", PROMOTE_DEFAULT,
	  "{\"spec\":{\"paused\":true," BG "},\"status\":{}}", "{\"spec\":{\"paused\":false}}",
	  NULL, "{\"spec\":{\"paused\":false},\"status\":{\"pauseConditions\":null}}" },
	{ "--full mid rollout", PROMOTE_FULL,
	  "{\"spec\":{" CANARY "},\"status\":{\"currentPodHash\":\"b\",\"stableRS\":\"a\"}}", NULL,
	  "{\"status\":{\"promoteFull\":true}}",
	  "{\"spec\":{\"paused\":false},\"status\":{\"promoteFull\":true}}" },
	{ "--full on a manually paused rollout also unpauses", PROMOTE_FULL,
	  "{\"spec\":{\"paused\":true," BG
	  "},\"status\":{\"currentPodHash\":\"b\",\"stableRS\":\"a\"}}",
	  "{\"spec\":{\"paused\":false}}", "{\"status\":{\"promoteFull\":true}}",
	  "{\"spec\":{\"paused\":false},\"status\":{\"promoteFull\":true}}" },
	{ "--full on a fully promoted rollout: no request", PROMOTE_FULL,
	  "{\"spec\":{" CANARY "},\"status\":{\"currentPodHash\":\"a\",\"stableRS\":\"a\"}}", NULL,
	  NULL, "{\"spec\":{\"paused\":false},\"status\":{\"promoteFull\":true}}" },
	{ "deprecated skip-current-step", PROMOTE_SKIP_CURRENT_STEP,
	  "{\"spec\":{" CANARY "},\"status\":{\"currentStepIndex\":1}}", NULL,
	  "{\"status\":{\"currentStepIndex\":2}}", "{\"status\":{\"currentStepIndex\":2}}" },
	{ "deprecated skip-all-steps", PROMOTE_SKIP_ALL_STEPS,
	  "{\"spec\":{" CANARY "},\"status\":{\"currentStepIndex\":1}}", NULL,
	  "{\"status\":{\"currentStepIndex\":4}}", "{\"status\":{\"currentStepIndex\":4}}" },
};

static void test_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *ro = cJSON_Parse(cases[i].json);
		struct rollout_patches p;
		struct errbuf err = { 0 };

		is_int(rollout_promote_patches(ro, cases[i].mode, NULL, &p, &err), 0,
		       "accepted: %s", cases[i].name);
		is_str(p.spec, cases[i].spec, "spec patch: %s", cases[i].name);
		is_str(p.status, cases[i].status, "status patch: %s", cases[i].name);
		is_str(p.unified, cases[i].unified, "unified patch: %s", cases[i].name);
		rollout_patches_release(&p);
		cJSON_Delete(ro);
	}
}

static void test_guard(void)
{
	cJSON *ro = cJSON_Parse("{\"spec\":{\"paused\":true," CANARY "},\"status\":{"
	                        "\"pauseConditions\":[{\"reason\":\"CanaryPauseStep\"}]}}");
	struct rollout_patches p;

	rollout_promote_patches(ro, PROMOTE_DEFAULT, "4711", &p, NULL);
	is_str(p.status, "{\"metadata\":{\"resourceVersion\":\"4711\"},\"status\":{\"pauseConditions\":null}}",
	       "the status patch carries the resourceVersion read");
	is_str(p.spec, "{\"metadata\":{\"resourceVersion\":\"4711\"},\"spec\":{\"paused\":false}}",
	       "the spec patch carries it too");
	rollout_patches_release(&p);
	rollout_promote_patches(ro, PROMOTE_DEFAULT, "a\"b", &p, NULL);
	is_str(p.spec, "{\"metadata\":{\"resourceVersion\":\"a\\\"b\"},\"spec\":{\"paused\":false}}",
	       "a strange resourceVersion is JSON-escaped");
	rollout_patches_release(&p);
	ok(!p.spec && !p.status && !p.unified, "release leaves the struct empty");
	cJSON_Delete(ro);
}

static void test_refused(void)
{
	static const struct {
		const char *name, *json, *msg;
		enum promote_mode mode;
	} bad[] = {
		{ "skip on blue-green", "{\"spec\":{" BG "}}",
		  "cannot skip steps of a bluegreen rollout. Run without a flags",
		  PROMOTE_SKIP_CURRENT_STEP },
		{ "skip on a canary without steps", "{\"spec\":{\"strategy\":{\"canary\":{}}}}",
		  "cannot skip steps of a rollout without steps", PROMOTE_SKIP_ALL_STEPS },
		{ "skip on a spec without strategy", "{\"spec\":{}}",
		  "cannot skip steps of a rollout without steps", PROMOTE_SKIP_ALL_STEPS },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *ro = cJSON_Parse(bad[i].json);
		struct rollout_patches p;
		struct errbuf err = { 0 };

		is_int(rollout_promote_patches(ro, bad[i].mode, "1", &p, &err), -1, "refused: %s",
		       bad[i].name);
		is_str(err.msg, bad[i].msg, "message: %s", bad[i].name);
		ok(!p.spec && !p.status && !p.unified, "nothing allocated: %s", bad[i].name);
		cJSON_Delete(ro);
	}
}

int main(void)
{
	test_cases();
	test_guard();
	test_refused();
	return tap_done();
}
