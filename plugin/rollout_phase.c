#include "rollout_phase.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "ui.h"

static const cJSON *canary_of(const cJSON *ro)
{
	const cJSON *c = json_get(ro, "spec.strategy.canary");

	return cJSON_IsObject(c) ? c : NULL;
}

static const cJSON *bluegreen_of(const cJSON *ro)
{
	const cJSON *b = json_get(ro, "spec.strategy.blueGreen");

	return cJSON_IsObject(b) ? b : NULL;
}

/* Go's strconv.Atoi: optional sign, then decimal digits only. */
static int parse_atoi(const char *s, long long *out)
{
	char *end;
	const char *p = s;

	if (*p == '+' || *p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/*
 * A non-numeric observedGeneration is a v0.9 template hash, which says
 * nothing about generations: treat it as observed, as upstream does.
 */
static int generation_observed(const cJSON *ro)
{
	const cJSON *og = json_get(ro, "status.observedGeneration");
	long long gen = json_int(ro, "metadata.generation", 0), seen;

	if (json_is_number(og))
		seen = json_int(og, NULL, 0);
	else if (!cJSON_IsString(og) || parse_atoi(og->valuestring, &seen))
		return 1;
	return seen >= gen;
}

static int pause_condition_count(const cJSON *ro)
{
	const cJSON *pc = json_get(ro, "status.pauseConditions");

	return cJSON_IsArray(pc) ? cJSON_GetArraySize(pc) : 0;
}

static int str_eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static int analysis_completed(const char *phase)
{
	return str_eq(phase, "Successful") || str_eq(phase, "Failed") || str_eq(phase, "Error") ||
	       str_eq(phase, "Inconclusive");
}

/* The degraded conditions: InvalidSpec, RolloutAborted, ProgressDeadlineExceeded. */
static const char *degraded_condition(const cJSON *ro, struct strbuf *msg)
{
	const cJSON *c;

	cJSON_ArrayForEach (c, json_get(ro, "status.conditions")) {
		const char *type = json_str(c, "type", ""), *reason = json_str(c, "reason", "");

		if (!strcmp(type, "InvalidSpec")) {
			strbuf_addf(msg, "InvalidSpec: %s", json_str(c, "message", ""));
			return "Degraded";
		}
		if (!strcmp(reason, "RolloutAborted") ||
		    !strcmp(reason, "ProgressDeadlineExceeded")) {
			strbuf_addf(msg, "%s: %s", reason, json_str(c, "message", ""));
			return "Degraded";
		}
	}
	return NULL;
}

static const char *progressing(struct strbuf *msg, const char *why)
{
	strbuf_addstr(msg, why);
	return "Progressing";
}

static const char *bluegreen_phase(const cJSON *ro, const cJSON *bg, struct strbuf *msg)
{
	const char *hash = json_str(ro, "status.currentPodHash", "");
	const char *active = json_str(ro, "status.blueGreen.activeSelector", "");
	const char *stable = json_str(ro, "status.stableRS", "");
	const char *post = json_str(ro, "status.blueGreen.postPromotionAnalysisRunStatus.status", "");

	if (!*active || strcmp(active, hash))
		return progressing(msg, "active service cutover pending");
	if (!*stable || strcmp(stable, hash)) {
		if (cJSON_IsObject(json_get(bg, "postPromotionAnalysis")) && !analysis_completed(post))
			return progressing(msg, "waiting for analysis to complete");
		return progressing(msg, "waiting for post-promotion verification to complete");
	}
	return NULL;
}

static const char *canary_phase(const cJSON *ro, const cJSON *canary, struct strbuf *msg)
{
	const char *hash = json_str(ro, "status.currentPodHash", "");
	const char *stable = json_str(ro, "status.stableRS", "");
	const cJSON *tr = json_get(canary, "trafficRouting");

	if ((!tr || cJSON_IsNull(tr)) &&
	    json_int(ro, "status.replicas", 0) > json_int(ro, "status.updatedReplicas", 0))
		return progressing(msg, "old replicas are pending termination");
	if (!*stable || strcmp(stable, hash))
		return progressing(msg, "waiting for all steps to complete");
	return NULL;
}

/* CalculateRolloutPhase: what controllers before v1.0 left to clients. */
static const char *calculated_phase(const cJSON *ro, struct strbuf *msg)
{
	const char *phase, *restart_at = json_str(ro, "spec.restartAt", NULL);
	long long want = json_int(ro, "spec.replicas", 1);
	long long updated = json_int(ro, "status.updatedReplicas", 0);

	if ((phase = degraded_condition(ro, msg)))
		return phase;
	if (json_bool(ro, "spec.paused", 0)) {
		strbuf_addstr(msg, "manually paused");
		return "Paused";
	}
	if (pause_condition_count(ro)) {
		strbuf_addstr(msg, json_str(ro, "status.pauseConditions.0.reason", ""));
		return "Paused";
	}
	if (restart_at && *restart_at && !str_eq(restart_at, json_str(ro, "status.restartedAt", "")))
		return progressing(msg, "rollout is restarting");
	if (updated < want)
		return progressing(msg, "more replicas need to be updated");
	if (json_int(ro, "status.availableReplicas", 0) < updated)
		return progressing(msg, "updated replicas are still becoming available");
	if (bluegreen_of(ro))
		phase = bluegreen_phase(ro, bluegreen_of(ro), msg);
	else if (canary_of(ro))
		phase = canary_phase(ro, canary_of(ro), msg);
	return phase ? phase : "Healthy";
}

const char *rollout_phase(const cJSON *ro, struct strbuf *msg)
{
	const char *phase = json_str(ro, "status.phase", "");

	if (!generation_observed(ro))
		return progressing(msg, "waiting for rollout spec update to be observed");
	if (json_bool(ro, "status.controllerPause", 0) && !pause_condition_count(ro))
		return progressing(msg, "waiting for rollout to unpause");
	if (*phase) {
		strbuf_addstr(msg, json_str(ro, "status.message", ""));
		return phase;
	}
	return calculated_phase(ro, msg);
}

int rollout_phase_is_final(const char *phase)
{
	return str_eq(phase, "Healthy") || str_eq(phase, "Degraded");
}

const char *rollout_phase_icon(const char *phase)
{
	if (str_eq(phase, "Healthy"))
		return "✔";
	if (str_eq(phase, "Degraded"))
		return "✖";
	if (str_eq(phase, "Progressing"))
		return "◌";
	if (str_eq(phase, "Paused"))
		return "॥";
	return "?";
}

const char *rollout_strategy(const cJSON *ro)
{
	if (canary_of(ro))
		return "Canary";
	if (bluegreen_of(ro))
		return "BlueGreen";
	return "";
}

int rollout_step_count(const cJSON *ro)
{
	const cJSON *steps = json_get(canary_of(ro), "steps");

	return cJSON_IsArray(steps) ? cJSON_GetArraySize(steps) : 0;
}

int rollout_step(const cJSON *ro, int *idx)
{
	const cJSON *i = json_get(ro, "status.currentStepIndex");

	if (!rollout_step_count(ro) || !json_is_number(i))
		return 0;
	*idx = (int)json_int(i, NULL, 0);
	return 1;
}

int rollout_max_weight(const cJSON *ro)
{
	return (int)json_int(canary_of(ro), "trafficRouting.maxTrafficWeight", 100);
}

int rollout_set_weight(const cJSON *ro)
{
	const cJSON *steps = json_get(canary_of(ro), "steps");
	int n = rollout_step_count(ro), idx;

	if (json_bool(ro, "status.abort", 0))
		return 0;
	idx = (int)json_int(ro, "status.currentStepIndex", 0);
	if (!n || idx >= n || idx < 0)
		return rollout_max_weight(ro);
	for (; idx >= 0; idx--) {
		const cJSON *w = json_get(cJSON_GetArrayItem(steps, idx), "setWeight");

		if (json_is_number(w))
			return (int)json_int(w, NULL, 0);
	}
	return 0;
}

int rollout_pause_summary(const cJSON *ro, struct strbuf *out)
{
	struct strbuf msg = STRBUF_INIT;
	const char *phase = rollout_phase(ro, &msg);
	const char *ns = json_str(ro, "metadata.namespace", NULL);
	int idx;

	if (!str_eq(phase, "Paused")) {
		strbuf_release(&msg);
		return 0;
	}
	if (rollout_step(ro, &idx))
		strbuf_addf(out, "paused at step %d/%d", idx, rollout_step_count(ro));
	else
		strbuf_addstr(out, "paused");
	if (msg.len) {
		strbuf_addstr(out, " (");
		term_escape(out, msg.buf);
		strbuf_addch(out, ')');
	}
	strbuf_addf(out, " — promote with `%s rollout promote ", ui_progname());
	term_escape(out, json_str(ro, "metadata.name", ""));
	if (ns) {
		strbuf_addstr(out, " -n ");
		term_escape(out, ns);
	}
	strbuf_addch(out, '`');
	strbuf_release(&msg);
	return 1;
}
