/*
 * The state machine of one app in a sync (see sync_plan.h's states): start
 * it as argocd would (busy, already in sync, sync window, trigger), then
 * follow its operation from the cached Application until it finished,
 * its children are done and it is Synced and Healthy (../shared/docs/
 * argocd.md §1.2, §1.6, §4.5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_cache.h"
#include "app_common.h"
#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "project_match.h"
#include "strbuf.h"
#include "sync_cmd.h"
#include "sync_window.h"
#include "timefmt.h"
#include "xalloc.h"

const cJSON *sync_lookup(const char *ns, const char *name, void *data)
{
	struct sync_cmd *c = data;

	return strcmp(ns, c->ns) ? NULL : json_get_key(c->cache, name);
}

void sync_set_state(struct sync_node *n, enum sync_state s, const char *msg)
{
	n->state = s;
	free(n->message);
	n->message = msg ? xstrdup(msg) : NULL;
	if (sync_state_final(s) && n->started.tv_sec && !n->finished.tv_sec)
		clock_gettime(CLOCK_REALTIME, &n->finished);
}

static void copy_field(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

void sync_observe(struct sync_node *n, const cJSON *app)
{
	copy_field(n->phase, sizeof(n->phase), json_str(app, "status.operationState.phase", ""));
	copy_field(n->sync, sizeof(n->sync), json_str(app, "status.sync.status", ""));
	copy_field(n->health, sizeof(n->health), json_str(app, "status.health.status", ""));
}

static cJSON *build_op(const cJSON *app, void *data, struct errbuf *err)
{
	struct sync_cmd *c = data;
	cJSON *res = NULL, *op;

	if (c->rf.n) {
		res = resource_filters_select(&c->rf, json_get(app, "status.resources"), err);
		if (!res)
			return NULL;
		c->any_match = 1;
	}
	op = sync_operation_build(&c->op, app, res);
	cJSON_Delete(res);
	return op;
}

static const cJSON *project_of(struct sync_cmd *c, const cJSON *app, struct errbuf *err)
{
	const char *name = project_name_or_default(json_str(app, "spec.project", NULL));
	const cJSON *p = json_get_key(c->projects, name);
	cJSON *got = NULL;

	if (p)
		return p;
	if (appproject_get(c->kc, c->ns, name, &got, err))
		return NULL;
	cJSON_AddItemToObject(c->projects, name, got);
	return got;
}

/* CanSync(manual=true); 0 allowed, -1 refused (msg filled). */
static int window_check(struct sync_cmd *c, const cJSON *app, struct strbuf *msg)
{
	struct sync_windows ws = { 0 };
	struct window_verdict v = { 0 };
	struct window_app wa;
	struct timespec now, next;
	struct errbuf err;
	const cJSON *proj = project_of(c, app, &err);
	int ret = 0, has_next;

	if (!proj) {
		strbuf_addf(msg, "cannot read its project: %s", err.msg);
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	window_app_from_json(app, &wa);
	if (sync_windows_from_project(proj, &ws, &err) ||
	    windows_can_sync(&ws, &wa, 1, NULL, &now, &v, &err)) {
		strbuf_addf(msg, "cannot sync: invalid sync window: %s", err.msg);
		ret = -1;
	} else if (!v.allowed) {
		has_next = windows_next_change(&ws, &wa, 1, &now, &next, &err);
		strbuf_addstr(msg, "cannot sync: ");
		windows_describe_block(msg, &ws, &v, has_next == 1 ? &next : NULL);
		ret = -1;
	}
	window_verdict_release(&v);
	sync_windows_release(&ws);
	return ret;
}

void sync_discover(struct sync_cmd *c, struct sync_node *n, const cJSON *app)
{
	sync_plan_discover(&c->plan_, n, app, c->ns, &c->sel, sync_lookup, c);
}

void sync_start(struct sync_cmd *c, struct sync_node *n)
{
	const cJSON *app = sync_lookup(n->ns, n->name, c);
	struct strbuf msg = STRBUF_INIT;
	cJSON *written = NULL;
	struct errbuf err;
	int r;

	if (!app) {
		sync_set_state(n, SYNC_FAILED, "application not found in the watched namespace");
		return;
	}
	sync_observe(n, app);
	if (n->depth > 0 && app_operation_in_progress(app)) {
		sync_set_state(n, SYNC_WAITING_OP, "waiting for the operation in progress");
		return;
	}
	if (n->depth > 0 && !c->force_children && !strcmp(n->sync, "Synced") &&
	    !strcmp(n->health, "Healthy")) {
		sync_set_state(n, SYNC_SKIPPED, "already Synced and Healthy");
		if (c->cascade && !c->op.dry_run) {
			sync_discover(c, n, app);
			if (n->nchildren)
				sync_set_state(n, SYNC_CHILDREN, "already Synced and Healthy");
		}
		return;
	}
	if (window_check(c, app, &msg)) {
		sync_set_state(n, SYNC_REFUSED, msg.buf);
		strbuf_release(&msg);
		return;
	}
	strbuf_release(&msg);
	r = sync_trigger(c->kc, n->ns, n->name, build_op, c, NULL, &written, &err);
	switch (r) {
	case SYNC_TRIGGERED:
		/* the watch may still deliver older states: remember where ours starts */
		n->written_rv = app_resource_version(written);
		app_cache_put(&c->cache, n->name, written);
		written = NULL;
		n->triggered = 1;
		n->partial = c->rf.n > 0;
		n->trigger_wall = time(NULL);
		clock_gettime(CLOCK_REALTIME, &n->started);
		sync_set_state(n, SYNC_RUNNING, NULL);
		break;
	case SYNC_TRIGGER_BUSY:
		if (n->depth > 0)
			sync_set_state(n, SYNC_WAITING_OP, "waiting for the operation in progress");
		else
			sync_set_state(n, SYNC_REFUSED, err.msg);
		break;
	case SYNC_TRIGGER_DECLINED:
		sync_set_state(n, SYNC_SKIPPED, err.msg);
		if (c->cascade) {
			sync_discover(c, n, app);
			if (n->nchildren)
				sync_set_state(n, SYNC_CHILDREN, err.msg);
		}
		break;
	case SYNC_TRIGGER_DELETING:
		sync_set_state(n, SYNC_REFUSED, err.msg);
		break;
	default:
		sync_set_state(n, SYNC_FAILED, err.msg);
	}
	cJSON_Delete(written);
}

/* A sync is "required to prune" as argocd counts it (ResourceResults.PruningRequired). */
static int prune_required(const cJSON *app)
{
	const cJSON *r;
	int n = 0;

	cJSON_ArrayForEach (r, json_get(app, "status.operationState.syncResult.resources"))
		if (!strcmp(json_str(r, "status", ""), "PruneSkipped") &&
		    !strstr(json_str(r, "message", ""), "no prune"))
			n++;
	return n;
}

static void settle(struct sync_cmd *c, struct sync_node *n, const cJSON *app)
{
	struct strbuf msg = STRBUF_INIT;
	int synced = n->partial || !strcmp(n->sync, "Synced");
	char *pause = NULL;

	if (n->state != SYNC_SETTLING) {
		n->state = SYNC_SETTLING;
		n->settle_deadline_ms = c->health_timeout_ms > 0
		                                ? kube_monotonic_ms() + c->health_timeout_ms
		                                : 0;
	}
	if (c->op.dry_run) {
		sync_set_state(n, SYNC_SUCCEEDED, "dry run");
	} else if (!strcmp(n->health, "Degraded")) {
		strbuf_addf(&msg, "health Degraded: %s", json_str(app, "status.health.message", ""));
		sync_set_state(n, SYNC_FAILED, msg.buf);
	} else if (synced && !strcmp(n->health, "Healthy")) {
		sync_set_state(n, SYNC_SUCCEEDED, NULL);
	} else if (!synced && !n->partial && prune_required(app)) {
		strbuf_addf(&msg, "%d resources require pruning", prune_required(app));
		sync_set_state(n, SYNC_FAILED, msg.buf);
	} else if (n->settle_deadline_ms && kube_monotonic_ms() >= n->settle_deadline_ms) {
		strbuf_addf(&msg, "not Synced and Healthy within --health-timeout (%s, %s)",
		            *n->sync ? n->sync : "Unknown", *n->health ? n->health : "Unknown");
		if (!sync_rollout_pause(c, app, &pause))
			strbuf_addf(&msg, ": %s", pause);
		sync_set_state(n, SYNC_TIMED_OUT, msg.buf);
	} else {
		/* still waiting; a paused Rollout waits for a human: say so */
		free(n->message);
		n->message = NULL;
		if (!sync_rollout_pause(c, app, &pause))
			n->message = pause, pause = NULL;
	}
	free(pause);
	strbuf_release(&msg);
}

/*
 * Is this state at or after our write?  Kubernetes calls resourceVersions
 * opaque, but they are etcd revisions and grow; when they are not numbers,
 * fall back to "our operation is there, or an operation started since".
 */
static int ours_visible(const struct sync_node *n, const cJSON *app)
{
	const cJSON *op = json_get(app, "operation"), *st = json_get(app, "status.operationState");
	long long rv = app_resource_version(app);
	struct timespec t;

	if (n->written_rv >= 0 && rv >= 0)
		return rv >= n->written_rv;
	if (op && !cJSON_IsNull(op))
		return 1;
	return st && !timefmt_parse_rfc3339(json_str(st, "startedAt", ""), &t, NULL) &&
	       t.tv_sec >= n->trigger_wall - 1 &&
	       !json_bool(st, "operation.initiatedBy.automated", 0);
}

static void children_done(struct sync_cmd *c, struct sync_node *n, const cJSON *app)
{
	size_t i, bad = 0, late = 0;
	struct strbuf msg = STRBUF_INIT;

	for (i = 0; i < n->nchildren; i++) {
		enum sync_state s = n->children[i]->state;

		if (!sync_state_final(s))
			return;
		bad += !sync_state_ok(s);
		late += s == SYNC_TIMED_OUT || s == SYNC_NOT_STARTED;
	}
	/* children that only ran out of time make the parent time out (exit 3) */
	if (bad && late == bad) {
		strbuf_addf(&msg, "%zu child application%s did not finish in time", bad,
		            bad > 1 ? "s" : "");
		sync_set_state(n, SYNC_TIMED_OUT, msg.buf);
	} else if (bad) {
		strbuf_addf(&msg, "%zu child application%s did not succeed", bad, bad > 1 ? "s" : "");
		sync_set_state(n, SYNC_FAILED, msg.buf);
	} else if (!n->triggered) {
		sync_set_state(n, SYNC_SKIPPED, n->message);
	} else {
		settle(c, n, app);
	}
	strbuf_release(&msg);
}

void sync_advance(struct sync_cmd *c, struct sync_node *n)
{
	const cJSON *app = sync_lookup(n->ns, n->name, c);

	if (n->state == SYNC_PENDING || sync_state_final(n->state))
		return;
	if (!app) {
		sync_set_state(n, SYNC_FAILED, "application was deleted");
		return;
	}
	sync_observe(n, app);
	switch (n->state) {
	case SYNC_WAITING_OP:
		if (!app_operation_in_progress(app)) {
			n->state = SYNC_PENDING;
			sync_start(c, n);
		}
		break;
	case SYNC_RUNNING:
		if (!n->seen_ours)
			n->seen_ours = ours_visible(n, app);
		if (n->seen_ours && c->cascade && !c->op.dry_run)
			sync_discover(c, n, app);
		if (!n->seen_ours || app_operation_in_progress(app)) {
			const char *m = json_str(app, "status.operationState.message", NULL);

			free(n->message);
			n->message = m && *m ? xstrdup(m) : NULL;
			break;
		}
		if (strcmp(n->phase, "Succeeded")) {
			struct strbuf msg = STRBUF_INIT;

			strbuf_addf(&msg, "operation %s: %s", *n->phase ? n->phase : "ended",
			            json_str(app, "status.operationState.message", ""));
			sync_set_state(n, SYNC_FAILED, msg.buf);
			strbuf_release(&msg);
		} else if (c->cascade) {
			sync_discover(c, n, app);
			n->state = SYNC_CHILDREN;
			children_done(c, n, app);
		} else {
			settle(c, n, app);
		}
		break;
	case SYNC_CHILDREN:
		children_done(c, n, app);
		break;
	case SYNC_SETTLING:
		settle(c, n, app);
		break;
	default:
		break;
	}
}
