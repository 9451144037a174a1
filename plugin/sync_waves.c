/*
 * The cascade driver of `kubectl gitops sync`: within each parent, the
 * children of the first unfinished wave start (at most --parallel at
 * once, and only once the parent's own sync applied them), later waves
 * wait, and a failed wave leaves the rest "not started".
 */
#include <limits.h>
#include <string.h>

#include "json_util.h"
#include "sync_cmd.h"

/*
 * May this child start?  After its parent's operation, yes.  While the
 * parent's operation runs, only once the parent's sync has applied the
 * child: with the app-of-apps health check Argo CD recommends, the parent's
 * own sync waits for each wave of children to be healthy, which needs us
 * to sync them while it waits.
 */
static int child_ready(struct sync_cmd *c, const struct sync_node *parent,
                       const struct sync_node *child)
{
	const cJSON *r;

	if (parent->depth < 0 || parent->state == SYNC_CHILDREN)
		return 1;
	if (parent->state != SYNC_RUNNING || !parent->seen_ours)
		return 0;
	cJSON_ArrayForEach (r, json_get(sync_lookup(parent->ns, parent->name, c),
	                                "status.operationState.syncResult.resources")) {
		const char *ns = json_str(r, "namespace", "");

		if (!strcmp(json_str(r, "group", ""), "argoproj.io") &&
		    !strcmp(json_str(r, "kind", ""), "Application") &&
		    !strcmp(json_str(r, "name", ""), child->name) &&
		    (!*ns || !strcmp(ns, child->ns)) && !strcmp(json_str(r, "status", ""), "Synced"))
			return 1;
	}
	return 0;
}

static int in_flight(const struct sync_node *n, size_t first, size_t count)
{
	size_t i;
	int k = 0;

	for (i = first; i < first + count; i++) {
		enum sync_state s = n->children[i]->state;

		k += s == SYNC_RUNNING || s == SYNC_SETTLING || s == SYNC_WAITING_OP;
	}
	return k;
}

static void not_started(struct sync_node *n, int wave)
{
	size_t i;

	for (i = 0; i < n->nchildren; i++)
		if (n->children[i]->state == SYNC_PENDING)
			sync_set_state(n->children[i], SYNC_NOT_STARTED,
			               wave == INT_MIN ? "not started: its parent failed"
			               : n->children[i]->wave == wave
			                       ? "not started: its wave failed"
			                       : "not started: an earlier wave failed");
}

/* One pass over the tree; returns 1 when some node changed state. */
static int drive_group(struct sync_cmd *c, struct sync_node *n)
{
	size_t i, first, count;
	int failed, changed = 0;

	for (i = 0; i < n->nchildren; i++) {
		enum sync_state before = n->children[i]->state;

		sync_advance(c, n->children[i]);
		changed |= before != n->children[i]->state;
	}
	sync_plan_current_wave(n, &first, &count, &failed);
	if (n->depth >= 0 && sync_state_final(n->state) && !sync_state_ok(n->state)) {
		not_started(n, INT_MIN);
	} else if (failed && n->depth >= 0) {
		int wave = count ? n->children[first]->wave : 0;

		for (i = 0; i < n->nchildren; i++)
			if (n->children[i]->state == SYNC_PENDING)
				changed = 1;
		not_started(n, wave);
	} else if (count) {
		int k = in_flight(n, first, count);

		for (i = first; i < first + count && k < c->parallel; i++) {
			if (n->children[i]->state != SYNC_PENDING ||
			    !child_ready(c, n, n->children[i]))
				continue;
			sync_start(c, n->children[i]);
			changed = 1;
			k += !sync_state_final(n->children[i]->state);
		}
	}
	for (i = 0; i < n->nchildren; i++)
		if (n->children[i]->children_known)
			changed |= drive_group(c, n->children[i]);
	return changed;
}

void sync_note(struct sync_node *n, void *data)
{
	sync_progress_note(data, n);
}

int sync_all_final(const struct sync_node *root)
{
	size_t i;

	for (i = 0; i < root->nchildren; i++)
		if (!sync_state_final(root->children[i]->state))
			return 0;
	return 1;
}

void sync_drive(struct sync_cmd *c)
{
	int guard = 0;

	while (drive_group(c, c->plan_.root) && ++guard < 1000)
		;
	sync_plan_walk(c->plan_.root, sync_note, &c->pg);
	sync_progress_redraw(&c->pg, c->plan_.root, 0);
}
