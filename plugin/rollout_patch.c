#include "rollout_patch.h"

#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "json_util.h"
#include "rollout_phase.h"
#include "strbuf.h"
#include "xalloc.h"

/* Upstream's bodies, spaces included, so the wire bytes match. */
#define UNPAUSE "{\"spec\":{\"paused\":false}}"
#define CLEAR_PAUSE "{\"status\":{\"pauseConditions\":null}}"
#define CLEAR_PAUSE_AND_CONTROLLER                                           \
	"{\"status\":{\"pauseConditions\":null, \"controllerPause\":false, " \
	"\"currentStepIndex\":%d}}"
#define UNPAUSE_AND_CLEAR "{\"spec\":{\"paused\":false},\"status\":{\"pauseConditions\":null}}"
#define CLEAR_PAUSE_WITH_STEP "{\"status\":{\"pauseConditions\":null, \"currentStepIndex\":%d}}"
#define UNPAUSE_AND_CLEAR_WITH_STEP                                           \
	"{\"spec\":{\"paused\":false},\"status\":{\"pauseConditions\":null, " \
	"\"currentStepIndex\":%d}}"
#define PROMOTE_FULL_BODY "{\"status\":{\"promoteFull\":true}}"
#define UNPAUSE_AND_PROMOTE_FULL "{\"spec\":{\"paused\":false},\"status\":{\"promoteFull\":true}}"
#define SET_STEP "{\"status\":{\"currentStepIndex\":%d}}"

static int canary_with_steps(const cJSON *ro)
{
	return !strcmp(rollout_strategy(ro), "Canary") && rollout_step_count(ro) > 0;
}

int rollout_next_step(const cJSON *ro)
{
	int idx = (int)json_int(ro, "status.currentStepIndex", 0);

	return idx < rollout_step_count(ro) ? idx + 1 : idx;
}

/* body with the resourceVersion guard put in front of its first member. */
static char *guarded(const char *rv, const char *fmt, int step)
{
	struct strbuf sb = STRBUF_INIT;

	if (rv) {
		cJSON *s = cJSON_CreateString(rv);
		char *q = cJSON_PrintUnformatted(s);

		strbuf_addf(&sb, "{\"metadata\":{\"resourceVersion\":%s},", q);
		cJSON_free(q);
		cJSON_Delete(s);
		fmt++; /* past the body's own '{' */
	}
	strbuf_addf(&sb, fmt, step);
	return strbuf_detach(&sb, NULL);
}

static int skip_patches(const cJSON *ro, enum promote_mode mode, const char *rv,
                        struct rollout_patches *out, struct errbuf *err)
{
	int step;

	if (!strcmp(rollout_strategy(ro), "BlueGreen"))
		return errbuf_set(err,
		                  "cannot skip steps of a bluegreen rollout. Run without a flags");
	if (!canary_with_steps(ro))
		return errbuf_set(err, "cannot skip steps of a rollout without steps");
	step = mode == PROMOTE_SKIP_ALL_STEPS ? rollout_step_count(ro) : rollout_next_step(ro);
	out->status = guarded(rv, SET_STEP, step);
	out->unified = guarded(rv, SET_STEP, step);
	return 0;
}

static void full_patches(const cJSON *ro, const char *rv, struct rollout_patches *out)
{
	const char *hash = json_str(ro, "status.currentPodHash", "");
	const char *stable = json_str(ro, "status.stableRS", "");

	if (json_bool(ro, "spec.paused", 0))
		out->spec = guarded(rv, UNPAUSE, 0);
	if (strcmp(hash, stable))
		out->status = guarded(rv, PROMOTE_FULL_BODY, 0);
	out->unified = guarded(rv, UNPAUSE_AND_PROMOTE_FULL, 0);
}

static int has_pause_conditions(const cJSON *ro)
{
	return cJSON_GetArraySize(json_get(ro, "status.pauseConditions")) > 0;
}

static void default_patches(const cJSON *ro, const char *rv, struct rollout_patches *out)
{
	const char *ar = json_str(ro, "status.canary.currentStepAnalysisRunStatus.status", "");

	out->unified = guarded(rv, UNPAUSE_AND_CLEAR, 0);
	if (json_bool(ro, "spec.paused", 0))
		out->spec = guarded(rv, UNPAUSE, 0);
	if (canary_with_steps(ro) && !strcmp(ar, "Inconclusive") && has_pause_conditions(ro) &&
	    json_bool(ro, "status.controllerPause", 0)) {
		out->status = guarded(rv, CLEAR_PAUSE_AND_CONTROLLER, rollout_next_step(ro));
	} else if (has_pause_conditions(ro)) {
		out->status = guarded(rv, CLEAR_PAUSE, 0);
	} else if (canary_with_steps(ro)) {
		/* Mid analysis or experiment step: move on one step (never both
		 * clear and advance; two analysis steps in a row are upstream's
		 * known limitation, issue #1203). */
		free(out->unified);
		out->status = guarded(rv, CLEAR_PAUSE_WITH_STEP, rollout_next_step(ro));
		out->unified = guarded(rv, UNPAUSE_AND_CLEAR_WITH_STEP, rollout_next_step(ro));
	}
}

int rollout_promote_patches(const cJSON *ro, enum promote_mode mode, const char *rv,
                            struct rollout_patches *out, struct errbuf *err)
{
	memset(out, 0, sizeof(*out));
	switch (mode) {
	case PROMOTE_SKIP_CURRENT_STEP:
	case PROMOTE_SKIP_ALL_STEPS:
		return skip_patches(ro, mode, rv, out, err);
	case PROMOTE_FULL:
		full_patches(ro, rv, out);
		return 0;
	case PROMOTE_DEFAULT:
		break;
	}
	default_patches(ro, rv, out);
	return 0;
}

void rollout_patches_release(struct rollout_patches *p)
{
	free(p->spec);
	free(p->status);
	free(p->unified);
	memset(p, 0, sizeof(*p));
}
