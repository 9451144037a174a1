/*
 * rollout_tree.h - what `rollout get` shows (../shared/docs/
 * rollouts-and-kubectl.md §1.11): the header block (status, strategy,
 * step, weights, images, replicas) and the revision tree of ReplicaSets,
 * their Pods, and AnalysisRuns, joined by ownerReference UID — as text,
 * or as the same data in JSON.
 *
 * Pure: the caller fetches the objects and gives the time; nothing here
 * does I/O.  Objects the rollout does not own are ignored, so the lists
 * may hold more than its own.  Cluster text is escaped for the terminal
 * in the text form.  Ownership: nothing passed in is kept or freed;
 * rollout_tree_json() returns a new tree for the caller to cJSON_Delete.
 */
#ifndef ROLLOUT_TREE_H
#define ROLLOUT_TREE_H

#include <time.h>
#include <cjson/cJSON.h>

#include "strbuf.h"

struct rollout_objects {
	const cJSON *rollout;
	const cJSON *replicasets; /* arrays of objects (List items) */
	const cJSON *pods;
	const cJSON *analysisruns;
};

/* now NULL prints no ages (e.g. to notice changes other than time passing). */
void rollout_tree_render(struct strbuf *out, const struct rollout_objects *o,
                         const struct timespec *now);

cJSON *rollout_tree_json(const struct rollout_objects *o);

/* The weight the canary really gets (ActualWeight in §1.9). */
int rollout_actual_weight(const struct rollout_objects *o);

#endif
