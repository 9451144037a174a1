/*
 * rollout_phase.h - what a Rollout is doing, from its JSON alone: the
 * phase and message rule of argo-rollouts' GetRolloutPhase (see
 * ../shared/docs/rollouts-and-kubectl.md §1.9), the derived step and
 * weight fields that `get` and `list` show, and the one-line pause
 * description `sync` prints.
 *
 * Everything here is pure: no I/O, no clock.  Returned strings are either
 * static or borrowed from the Rollout passed in (valid while it lives);
 * text goes into the caller's strbuf.
 */
#ifndef ROLLOUT_PHASE_H
#define ROLLOUT_PHASE_H

#include <cjson/cJSON.h>

#include "strbuf.h"

/*
 * The phase ("Healthy", "Degraded", "Progressing", "Paused", or whatever
 * the controller wrote in status.phase) with its message appended to msg
 * (nothing appended when the message is empty).
 */
const char *rollout_phase(const cJSON *ro, struct strbuf *msg);

/* 1 for the phases where `status` stops watching: Healthy and Degraded. */
int rollout_phase_is_final(const char *phase);

/* The status icon argo-rollouts draws for a phase: ✔ ✖ ◌ ॥, ? otherwise. */
const char *rollout_phase_icon(const char *phase);

/* "Canary", "BlueGreen", or "" when the spec has neither. */
const char *rollout_strategy(const cJSON *ro);

/* Number of canary steps (0 for blue-green or a canary without steps). */
int rollout_step_count(const cJSON *ro);

/*
 * The "Step" field: 1 and *idx = status.currentStepIndex when the rollout
 * is a canary with steps and the index is present; 0 otherwise.
 */
int rollout_step(const cJSON *ro, int *idx);

/* Desired canary weight (GetCurrentSetWeight): 0 when aborted, the maximum
 * weight when there is no current step, else the last setWeight at or
 * before the current step. */
int rollout_set_weight(const cJSON *ro);

/* 100, or spec.strategy.canary.trafficRouting.maxTrafficWeight. */
int rollout_max_weight(const cJSON *ro);

/*
 * For `kubectl gitops sync`: when the Rollout is Paused, appends one line
 * saying where and how to go on, e.g.
 *   paused at step 1/5 (CanaryPauseStep) — promote with
 *   `kubectl gitops rollout promote canary -n demo`
 * (on one line) and returns 1.  Returns 0, appending nothing, when it is
 * not paused.  Steps are shown as argo-rollouts shows them: the index of
 * the current step (0-based, = steps completed) over the number of steps.
 * Cluster text in the line is escaped for the terminal.
 */
int rollout_pause_summary(const cJSON *ro, struct strbuf *out);

#endif
