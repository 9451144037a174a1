/*
 * kubectl gitops sync: sync Applications as argocd does, then cascade into
 * the child Applications of an app-of-apps, wave by wave, waiting for each
 * wave to be Synced and Healthy before the next (../shared/docs/argocd.md
 * §1-§4).  One watch on the namespace's Applications serves every wait;
 * the state machine of each app lives in sync_plan.h's nodes.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app_common.h"
#include "commands.h"
#include "duration.h"
#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "kube_flags.h"
#include "kube_watch.h"
#include "output.h"
#include "project_match.h"
#include "resource_select.h"
#include "sync_plan.h"
#include "sync_progress.h"
#include "sync_trigger.h"
#include "sync_window.h"
#include "table.h"
#include "timefmt.h"
#include "ui.h"
#include "xalloc.h"

#define EXIT_INTERRUPTED 130

static const struct command_help sync_help = {
	.usage = "sync APP... [-n NAMESPACE] [--cascade=false] [--app PATTERN] [-l SELECTOR] "
		 "[--resource [!]GROUP:KIND:[NS/]NAME] [--parallel N] [--plan] [options]",
	.description =
		"Sync Argo CD Applications through the Kubernetes API, as argocd app sync does:\n"
		"the operation is written to the Application (refused when another operation\n"
		"is in progress or a sync window blocks a manual sync), then followed until it\n"
		"completes and the controller has reconciled.\n"
		"\n"
		"Cascade (the default): when an app succeeds, its child Applications (from\n"
		"status.resources, any depth, each app once) are synced in the order of their\n"
		"argocd.argoproj.io/sync-wave annotation.  A wave is done when each of its apps\n"
		"finished its operation with Succeeded, its own children are done, and it is\n"
		"Synced and Healthy; Degraded or a failed operation fails the wave and later\n"
		"waves are not started.  At most --parallel syncs run at once within a wave.\n"
		"Children already Synced and Healthy are not synced again (unless\n"
		"--force-children), but their children are still visited.  --app,\n"
		"--exclude-app and -l choose the children that take part (an unselected child\n"
		"is left out with its subtree).  --resource restricts each app's sync to the\n"
		"matching resources (argocd's syntax and rules); an app where nothing matches\n"
		"is not synced, and it is an error when nothing matches anywhere.\n"
		"\n"
		"Sync options from flags are merged into the app's own syncOptions (argocd\n"
		"replaces them).  Progress goes to stderr: a live tree on a terminal, else one\n"
		"timestamped line per change; the summary (or -o json) goes to stdout.\n"
		"\n"
		"Exit status: 0 every app succeeded (or was already in sync); 1 a sync failed,\n"
		"was degraded or was refused, or an API error; 2 usage error; 3 timed out\n"
		"(--timeout, or --health-timeout for an app); 130 interrupted.",
	.examples =
		"  # Sync the app-of-apps platform and all its children, wave by wave\n"
		"  kubectl gitops sync platform\n\n"
		"  # Show what would be synced, in which waves\n"
		"  kubectl gitops sync platform --plan\n\n"
		"  # Only the children named api-*, two at a time, with pruning\n"
		"  kubectl gitops sync platform --app 'api-*' --parallel 2 --prune\n\n"
		"  # Everything but Services; give up after ten minutes\n"
		"  kubectl gitops sync platform --resource '!:Service:*' --timeout 10m\n",
};

struct sync_cmd {
	/* flags */
	int cascade, force_children, async, plan, terminate_on_interrupt;
	long parallel;
	const char *output, *selector, *timeout, *health_timeout;
	const char *backoff, *backoff_max;
	struct strlist resources;
	struct sync_op_opts op;
	struct sync_select sel;

	/* state */
	struct kube_client *kc;
	struct rest_config rc;
	const char *ns;
	cJSON *cache;                   /* name -> Application, the watched namespace */
	cJSON *labelled;
	cJSON *projects;                /* name -> AppProject */
	struct resource_filters rf;
	int any_match;
	struct sync_plan plan_;
	struct sync_progress pg;
	long long health_timeout_ms, deadline_ms;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static const cJSON *lookup(const char *ns, const char *name, void *data)
{
	struct sync_cmd *c = data;

	return strcmp(ns, c->ns) ? NULL : json_get_key(c->cache, name);
}

static void set_state(struct sync_node *n, enum sync_state s, const char *msg)
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

static void observe(struct sync_node *n, const cJSON *app)
{
	copy_field(n->phase, sizeof(n->phase), json_str(app, "status.operationState.phase", ""));
	copy_field(n->sync, sizeof(n->sync), json_str(app, "status.sync.status", ""));
	copy_field(n->health, sizeof(n->health), json_str(app, "status.health.status", ""));
}

/* --- the sync of one app -------------------------------------------------- */

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

/* Adds the children not known yet (new ones can appear as the parent syncs). */
static void discover(struct sync_cmd *c, struct sync_node *n, const cJSON *app)
{
	sync_plan_discover(&c->plan_, n, app, c->ns, &c->sel, lookup, c);
}

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
	cJSON_ArrayForEach(r, json_get(lookup(parent->ns, parent->name, c),
				       "status.operationState.syncResult.resources")) {
		const char *ns = json_str(r, "namespace", "");

		if (!strcmp(json_str(r, "group", ""), "argoproj.io") &&
		    !strcmp(json_str(r, "kind", ""), "Application") &&
		    !strcmp(json_str(r, "name", ""), child->name) &&
		    (!*ns || !strcmp(ns, child->ns)) &&
		    !strcmp(json_str(r, "status", ""), "Synced"))
			return 1;
	}
	return 0;
}

/* metadata.resourceVersion as a number, -1 when it is not one. */
static long long rv_of(const cJSON *obj)
{
	const char *rv = json_str(obj, "metadata.resourceVersion", "");
	char *end;
	long long v;

	if (!*rv)
		return -1;
	v = strtoll(rv, &end, 10);
	return *end ? -1 : v;
}

static void start(struct sync_cmd *c, struct sync_node *n)
{
	const cJSON *app = lookup(n->ns, n->name, c);
	struct strbuf msg = STRBUF_INIT;
	cJSON *written = NULL;
	struct errbuf err;
	int r;

	if (!app) {
		set_state(n, SYNC_FAILED, "application not found in the watched namespace");
		return;
	}
	observe(n, app);
	if (n->depth > 0 && app_operation_in_progress(app)) {
		set_state(n, SYNC_WAITING_OP, "waiting for the operation in progress");
		return;
	}
	if (n->depth > 0 && !c->force_children && !strcmp(n->sync, "Synced") &&
	    !strcmp(n->health, "Healthy")) {
		set_state(n, SYNC_SKIPPED, "already Synced and Healthy");
		if (c->cascade && !c->op.dry_run) {
			discover(c, n, app);
			if (n->nchildren)
				set_state(n, SYNC_CHILDREN, "already Synced and Healthy");
		}
		return;
	}
	if (window_check(c, app, &msg)) {
		set_state(n, SYNC_REFUSED, msg.buf);
		strbuf_release(&msg);
		return;
	}
	strbuf_release(&msg);
	r = sync_trigger(c->kc, n->ns, n->name, build_op, c, NULL, &written, &err);
	switch (r) {
	case SYNC_TRIGGERED:
		/* the watch may still deliver older states: remember where ours starts */
		n->written_rv = rv_of(written);
		cJSON_DeleteItemFromObjectCaseSensitive(c->cache, n->name);
		cJSON_AddItemToObject(c->cache, n->name, written);
		written = NULL;
		n->triggered = 1;
		n->partial = c->rf.n > 0;
		n->trigger_wall = time(NULL);
		clock_gettime(CLOCK_REALTIME, &n->started);
		set_state(n, SYNC_RUNNING, NULL);
		break;
	case SYNC_TRIGGER_BUSY:
		if (n->depth > 0)
			set_state(n, SYNC_WAITING_OP, "waiting for the operation in progress");
		else
			set_state(n, SYNC_REFUSED, err.msg);
		break;
	case SYNC_TRIGGER_DECLINED:
		set_state(n, SYNC_SKIPPED, err.msg);
		if (c->cascade) {
			discover(c, n, app);
			if (n->nchildren)
				set_state(n, SYNC_CHILDREN, err.msg);
		}
		break;
	case SYNC_TRIGGER_DELETING:
		set_state(n, SYNC_REFUSED, err.msg);
		break;
	default:
		set_state(n, SYNC_FAILED, err.msg);
	}
	cJSON_Delete(written);
}

/* A sync is "required to prune" as argocd counts it (ResourceResults.PruningRequired). */
static int prune_required(const cJSON *app)
{
	const cJSON *r;
	int n = 0;

	cJSON_ArrayForEach(r, json_get(app, "status.operationState.syncResult.resources"))
		if (!strcmp(json_str(r, "status", ""), "PruneSkipped") &&
		    !strstr(json_str(r, "message", ""), "no prune"))
			n++;
	return n;
}

static void settle(struct sync_cmd *c, struct sync_node *n, const cJSON *app)
{
	struct strbuf msg = STRBUF_INIT;
	int synced = n->partial || !strcmp(n->sync, "Synced");

	if (n->state != SYNC_SETTLING) {
		n->state = SYNC_SETTLING;
		n->settle_deadline_ms = c->health_timeout_ms > 0
			? kube_monotonic_ms() + c->health_timeout_ms : 0;
	}
	if (c->op.dry_run) {
		set_state(n, SYNC_SUCCEEDED, "dry run");
	} else if (!strcmp(n->health, "Degraded")) {
		strbuf_addf(&msg, "health Degraded: %s", json_str(app, "status.health.message", ""));
		set_state(n, SYNC_FAILED, msg.buf);
	} else if (synced && !strcmp(n->health, "Healthy")) {
		set_state(n, SYNC_SUCCEEDED, NULL);
	} else if (!synced && !n->partial && prune_required(app)) {
		strbuf_addf(&msg, "%d resources require pruning", prune_required(app));
		set_state(n, SYNC_FAILED, msg.buf);
	} else if (n->settle_deadline_ms && kube_monotonic_ms() >= n->settle_deadline_ms) {
		strbuf_addf(&msg, "not Synced and Healthy within --health-timeout (%s, %s)",
			    *n->sync ? n->sync : "Unknown", *n->health ? n->health : "Unknown");
		set_state(n, SYNC_TIMED_OUT, msg.buf);
	} else {
		free(n->message);
		n->message = NULL;
	}
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
	long long rv = rv_of(app);
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
	size_t i, bad = 0;
	struct strbuf msg = STRBUF_INIT;

	for (i = 0; i < n->nchildren; i++) {
		if (!sync_state_final(n->children[i]->state))
			return;
		bad += !sync_state_ok(n->children[i]->state);
	}
	if (bad) {
		strbuf_addf(&msg, "%zu child application%s did not succeed", bad, bad > 1 ? "s" : "");
		set_state(n, SYNC_FAILED, msg.buf);
	} else if (!n->triggered) {
		set_state(n, SYNC_SKIPPED, n->message);
	} else {
		settle(c, n, app);
	}
	strbuf_release(&msg);
}

static void advance(struct sync_cmd *c, struct sync_node *n)
{
	const cJSON *app = lookup(n->ns, n->name, c);

	if (n->state == SYNC_PENDING || sync_state_final(n->state))
		return;
	if (!app) {
		set_state(n, SYNC_FAILED, "application was deleted");
		return;
	}
	observe(n, app);
	switch (n->state) {
	case SYNC_WAITING_OP:
		if (!app_operation_in_progress(app)) {
			n->state = SYNC_PENDING;
			start(c, n);
		}
		break;
	case SYNC_RUNNING:
		if (!n->seen_ours)
			n->seen_ours = ours_visible(n, app);
		if (n->seen_ours && c->cascade && !c->op.dry_run)
			discover(c, n, app);
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
			set_state(n, SYNC_FAILED, msg.buf);
			strbuf_release(&msg);
		} else if (c->cascade) {
			discover(c, n, app);
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

/* --- waves ---------------------------------------------------------------- */

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
			set_state(n->children[i], SYNC_NOT_STARTED,
				  wave == INT_MIN ? "not started: its parent failed"
				  : n->children[i]->wave == wave ? "not started: its wave failed"
				  : "not started: an earlier wave failed");
}

/* One pass over the tree; returns 1 when some node changed state. */
static int drive_group(struct sync_cmd *c, struct sync_node *n)
{
	size_t i, first, count;
	int failed, changed = 0;

	for (i = 0; i < n->nchildren; i++) {
		enum sync_state before = n->children[i]->state;

		advance(c, n->children[i]);
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
			if (n->children[i]->state != SYNC_PENDING || !child_ready(c, n, n->children[i]))
				continue;
			start(c, n->children[i]);
			changed = 1;
			k += !sync_state_final(n->children[i]->state);
		}
	}
	for (i = 0; i < n->nchildren; i++)
		if (n->children[i]->children_known)
			changed |= drive_group(c, n->children[i]);
	return changed;
}

static void note(struct sync_node *n, void *data)
{
	sync_progress_note(data, n);
}

static int all_final(const struct sync_node *root)
{
	size_t i;

	for (i = 0; i < root->nchildren; i++)
		if (!sync_state_final(root->children[i]->state))
			return 0;
	return 1;
}

static void drive(struct sync_cmd *c)
{
	int guard = 0;

	while (drive_group(c, c->plan_.root) && ++guard < 1000)
		;
	sync_plan_walk(c->plan_.root, note, &c->pg);
	sync_progress_redraw(&c->pg, c->plan_.root, 0);
}

/* --- following the namespace ---------------------------------------------- */

static void cache_list(struct sync_cmd *c, const cJSON *list)
{
	const cJSON *it;

	cJSON_Delete(c->cache);
	c->cache = cJSON_CreateObject();
	cJSON_ArrayForEach(it, json_get(list, "items"))
		cJSON_AddItemToObject(c->cache, app_name(it), cJSON_Duplicate(it, 1));
}

static int on_event(struct kube_event *ev, void *data)
{
	struct sync_cmd *c = data;
	const char *name = app_name(ev->object);

	switch (ev->type) {
	case KUBE_EVENT_LIST:
		cache_list(c, ev->object);
		break;
	case KUBE_EVENT_ADDED:
	case KUBE_EVENT_MODIFIED:
		/* older than what we hold (our own write's response): drop it */
		if (rv_of(ev->object) >= 0 &&
		    rv_of(ev->object) < rv_of(json_get_key(c->cache, name)))
			return 0;
		cJSON_DeleteItemFromObjectCaseSensitive(c->cache, name);
		cJSON_AddItemToObject(c->cache, name, ev->object);
		ev->object = NULL;
		break;
	case KUBE_EVENT_DELETED:
		cJSON_DeleteItemFromObjectCaseSensitive(c->cache, name);
		break;
	default:
		break;
	}
	drive(c);
	return c->async || all_final(c->plan_.root);
}

static long long earliest_deadline(const struct sync_node *n, long long best)
{
	size_t i;

	for (i = 0; i < n->nchildren; i++) {
		const struct sync_node *k = n->children[i];

		if (k->state == SYNC_SETTLING && k->settle_deadline_ms &&
		    (!best || k->settle_deadline_ms < best))
			best = k->settle_deadline_ms;
		best = earliest_deadline(k, best);
	}
	return best;
}

/* Without a watch: list every second (only when watching is not allowed). */
static int poll_loop(struct sync_cmd *c, const char *path, struct errbuf *err)
{
	struct kube_event ev = { KUBE_EVENT_LIST, NULL, 0 };

	kube_client_set_stop_flag(c->kc, &interrupted);
	for (;;) {
		cJSON *list = NULL;

		if (kube_list(c->kc, path, NULL, &list, err))
			return interrupted ? KUBE_WATCH_INTERRUPTED : KUBE_WATCH_ERROR;
		ev.object = list;
		if (on_event(&ev, c)) {
			cJSON_Delete(list);
			return KUBE_WATCH_STOPPED;
		}
		cJSON_Delete(list);
		if (c->deadline_ms && kube_monotonic_ms() >= c->deadline_ms)
			return KUBE_WATCH_TIMED_OUT;
		if (kube_client_sleep(c->kc, 1000))
			return interrupted ? KUBE_WATCH_INTERRUPTED : KUBE_WATCH_TIMED_OUT;
	}
}

static int follow(struct sync_cmd *c, struct errbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct kube_watch *kw = kube_watch_new(&c->rc, err);
	int r = KUBE_WATCH_ERROR;

	app_path(&path, c->ns, NULL);
	if (kw) {
		kube_watch_set_stop_flag(kw, &interrupted);
		kube_client_set_user_agent(kube_watch_client(kw), "kubectl-gitops/" GITOPS_VERSION);
	}
	while (kw) {
		struct kube_watch_opts wo = { 0 };
		long long d = earliest_deadline(c->plan_.root, c->deadline_ms);

		wo.deadline_ms = d;
		r = kube_watch_follow(kw, path.buf, &wo, on_event, c, err);
		if (r == KUBE_WATCH_ERROR && (err->code == 403 || err->code == 405)) {
			r = poll_loop(c, path.buf, err);
			break;
		}
		if (r != KUBE_WATCH_TIMED_OUT ||
		    (c->deadline_ms && kube_monotonic_ms() >= c->deadline_ms))
			break;
		drive(c);       /* a --health-timeout passed */
		if (all_final(c->plan_.root)) {
			r = KUBE_WATCH_STOPPED;
			break;
		}
	}
	kube_watch_free(kw);
	strbuf_release(&path);
	return r;
}

/* --- interruption, results -------------------------------------------------- */

static void terminate_op(struct sync_cmd *c, struct sync_node *n)
{
	static const char patch[] =
		"[{\"op\":\"test\",\"path\":\"/status/operationState/phase\",\"value\":\"Running\"},"
		"{\"op\":\"replace\",\"path\":\"/status/operationState/phase\",\"value\":\"Terminating\"}]";
	struct strbuf path = STRBUF_INIT;
	struct errbuf err;

	app_path(&path, n->ns, n->name);
	if (kube_patch(c->kc, path.buf, KUBE_PATCH_JSON, patch, NULL, NULL, &err))
		error("cannot terminate the operation of '%s': %s", n->name, err.msg);
	else
		fprintf(stderr, "application '%s' operation terminating\n", n->name);
	strbuf_release(&path);
}

static void report_running(struct sync_node *n, void *data)
{
	struct sync_cmd *c = data;

	if (n->state != SYNC_RUNNING)
		return;
	fprintf(stderr, "  %s (operation %s)\n", n->name, *n->phase ? n->phase : "starting");
	if (c->terminate_on_interrupt && n->triggered)
		terminate_op(c, n);
}

static void count_states(struct sync_node *n, void *data)
{
	int *k = data;

	if (n->state == SYNC_FAILED || n->state == SYNC_REFUSED)
		k[0]++;
	else if (n->state == SYNC_TIMED_OUT || !sync_state_final(n->state))
		k[1]++;
	if (n->state == SYNC_RUNNING)
		k[2]++;
}

static void mark_unfinished(struct sync_node *n, void *data)
{
	if (!sync_state_final(n->state))
		set_state(n, data ? SYNC_TIMED_OUT : n->state, data);
}

static int finish(struct sync_cmd *c, int wr)
{
	int k[3] = { 0, 0, 0 }, ret;
	const char *result;

	if (wr == KUBE_WATCH_INTERRUPTED) {
		sync_progress_redraw(&c->pg, c->plan_.root, 1);
		sync_plan_walk(c->plan_.root, count_states, k);
		fprintf(stderr, "interrupted; %s\n", k[2] ? "still running in the cluster:"
							  : "nothing is running in the cluster");
		sync_plan_walk(c->plan_.root, report_running, c);
		return EXIT_INTERRUPTED;
	}
	if (wr == KUBE_WATCH_TIMED_OUT)
		sync_plan_walk(c->plan_.root, mark_unfinished, "timed out (--timeout)");
	sync_plan_walk(c->plan_.root, note, &c->pg);
	sync_progress_redraw(&c->pg, c->plan_.root, 1);
	sync_plan_walk(c->plan_.root, count_states, k);
	if (c->async) {
		ret = k[0] ? EXIT_FAILURE_ : EXIT_OK;
		result = k[0] ? "Failed" : "Triggered";
	} else if (k[0]) {
		ret = EXIT_FAILURE_, result = "Failed";
	} else if (k[1]) {
		ret = EXIT_TIMEOUT, result = "TimedOut";
	} else {
		ret = EXIT_OK, result = "Succeeded";
	}
	if (c->rf.n && !c->any_match && !k[0]) {
		struct strbuf sb = STRBUF_INIT;
		size_t i;

		for (i = 0; i < c->rf.n; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", c->rf.v[i].arg);
		error("no matching app resources found for resource filter: %s", sb.buf);
		strbuf_release(&sb);
		ret = EXIT_FAILURE_, result = "Failed";
	}
	if (c->output) {
		cJSON *j = sync_progress_json(c->plan_.root, result);

		output_json(stdout, j);
		cJSON_Delete(j);
	} else {
		sync_progress_summary(stdout, c->plan_.root);
	}
	return ret;
}

/* --- --plan ----------------------------------------------------------------- */

static void plan_node(struct sync_cmd *c, struct sync_node *n)
{
	const cJSON *app = lookup(n->ns, n->name, c);
	size_t i;

	if (!app) {
		set_state(n, SYNC_PENDING, "not created yet: its parent's sync creates it");
		return;
	}
	observe(n, app);
	if (n->depth > 0 && !c->force_children && !strcmp(n->sync, "Synced") &&
	    !strcmp(n->health, "Healthy"))
		set_state(n, SYNC_SKIPPED, "already Synced and Healthy");
	if (!c->cascade)
		return;
	discover(c, n, app);
	if (!n->nchildren && n->state != SYNC_SKIPPED)
		set_state(n, n->state, "children are known after it syncs");
	for (i = 0; i < n->nchildren; i++)
		plan_node(c, n->children[i]);
}

static void plan_row(struct sync_node *n, void *data)
{
	struct strbuf name = STRBUF_INIT, wave = STRBUF_INIT;
	const char *cells[6];

	sync_progress_tree_prefix(n, &name);
	strbuf_addstr(&name, n->name);
	strbuf_addf(&wave, "%d", n->wave);
	cells[0] = name.buf;
	cells[1] = wave.buf;
	cells[2] = n->state == SYNC_SKIPPED ? "skip" : "sync";
	cells[3] = *n->sync ? n->sync : "-";
	cells[4] = *n->health ? n->health : "-";
	cells[5] = n->message ? n->message : "";
	table_add(data, cells);
	strbuf_release(&name);
	strbuf_release(&wave);
}

static int print_plan(struct sync_cmd *c)
{
	static const char *const headers[] = { "APP", "WAVE", "ACTION", "SYNC", "HEALTH", "NOTE" };
	struct table t;
	size_t i;

	for (i = 0; i < c->plan_.root->nchildren; i++)
		plan_node(c, c->plan_.root->children[i]);
	if (c->output) {
		cJSON *j = sync_progress_json(c->plan_.root, "Plan");

		output_json(stdout, j);
		cJSON_Delete(j);
		return 0;
	}
	table_init(&t, 6, headers);
	sync_plan_walk(c->plan_.root, plan_row, &t);
	table_print(&t, stdout);
	table_release(&t);
	return 0;
}

/* --- setup ------------------------------------------------------------------ */

static int parse_dur(const char *flag, const char *v, int64_t *ns, struct errbuf *err)
{
	if (!v)
		return 0;
	if (duration_parse_request_timeout(v, ns, err) || *ns < 0)
		return errbuf_set(err, "invalid %s \"%s\": want a duration such as 90s or 5m",
				  flag, v);
	return 0;
}

static int check_flags(struct sync_cmd *c, int nargs, struct errbuf *err)
{
	int64_t t = 0, h = 0;
	size_t i;

	if (!nargs)
		return errbuf_set(err, "at least one APP is required");
	if (c->output && strcmp(c->output, "json"))
		return errbuf_set(err, "unable to match a printer suitable for the output format "
				  "\"%s\", allowed formats are: json", c->output);
	if (c->parallel < 1)
		return errbuf_set(err, "--parallel must be at least 1");
	if (parse_dur("--timeout", c->timeout, &t, err) ||
	    parse_dur("--health-timeout", c->health_timeout, &h, err) ||
	    parse_dur("--retry-backoff-duration", c->backoff, &c->op.retry_backoff_ns, err) ||
	    parse_dur("--retry-backoff-max-duration", c->backoff_max,
		      &c->op.retry_backoff_max_ns, err))
		return -1;
	c->deadline_ms = t ? kube_monotonic_ms() + t / 1000000 : 0;
	c->health_timeout_ms = h / 1000000;
	for (i = 0; i < c->resources.n; i++)
		if (resource_filters_add(&c->rf, c->resources.items[i], err))
			return -1;
	return sync_op_opts_check(&c->op, err);
}

static int load_labelled(struct sync_cmd *c, struct errbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct kube_list_opts lo = { 0 };
	cJSON *list = NULL;
	const cJSON *it;
	int ret;

	app_path(&path, c->ns, NULL);
	lo.label_selector = c->selector;
	ret = kube_list(c->kc, path.buf, &lo, &list, err);
	c->labelled = cJSON_CreateObject();
	cJSON_ArrayForEach(it, json_get(list, "items")) {
		struct strbuf key = STRBUF_INIT;

		strbuf_addf(&key, "%s/%s", app_ns(it), app_name(it));
		cJSON_AddTrueToObject(c->labelled, key.buf);
		strbuf_release(&key);
	}
	c->sel.labelled = c->labelled;
	cJSON_Delete(list);
	strbuf_release(&path);
	return ret;
}

/* Reads the named apps (NotFound fails early, as argocd does) and the cache. */
static int prepare(struct sync_cmd *c, const char **args, int nargs, struct errbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	cJSON *list = NULL;
	int i, ret = 0;

	app_path(&path, c->ns, NULL);
	if (kube_list(c->kc, path.buf, NULL, &list, err))
		ret = -1;
	else
		cache_list(c, list);
	for (i = 0; !ret && i < nargs; i++) {
		cJSON *app = NULL;

		if (app_get(c->kc, c->ns, args[i], &app, err))
			ret = -1;
		cJSON_Delete(app);
		if (!ret && !sync_plan_add_root(&c->plan_, c->ns, args[i]))
			warning("application '%s' is named twice", args[i]);
	}
	if (!ret && c->selector)
		ret = load_labelled(c, err);
	cJSON_Delete(list);
	strbuf_release(&path);
	return ret;
}

static int run(struct sync_cmd *c, struct kube_flags *kf, const char **args, int nargs)
{
	struct sigaction sa;
	struct errbuf err;
	int wr, ret;

	c->kc = kube_flags_connect(kf, &c->rc, &err);
	if (!c->kc)
		return err.code == -2 ? options_usage_error("sync", &err) : error_api(&err);
	c->ns = kf->namespace ? kf->namespace : APP_DEFAULT_NAMESPACE;
	if (prepare(c, args, nargs, &err))
		return error_api(&err);
	if (c->plan)
		return print_plan(c);
	c->op.username = app_whoami(c->kc, &c->rc);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sync_progress_init(&c->pg, stderr, !c->async && isatty(fileno(stderr)),
			   ui_use_color(stderr));
	wr = follow(c, &err);
	if (wr == KUBE_WATCH_ERROR) {
		ret = error_api(&err);
	} else {
		ret = finish(c, wr);
	}
	free((char *)c->op.username);
	sync_progress_release(&c->pg);
	return ret;
}

int cmd_sync(int argc, const char **argv)
{
	struct sync_cmd c = { .cascade = 1, .parallel = 8 };
	struct kube_flags kf;
	const struct option own[] = {
		{ OPT_BOOL, 0, "cascade", &c.cascade, NULL,
		  "Also sync child Applications, wave by wave (default true)", 0 },
		{ OPT_BOOL, 0, "force-children", &c.force_children, NULL,
		  "Sync children even when they are already Synced and Healthy", 0 },
		{ OPT_STRING_LIST, 0, "app", &c.sel.apps, "PATTERN",
		  "Only children whose name matches this glob (repeatable)", 0 },
		{ OPT_STRING_LIST, 0, "exclude-app", &c.sel.exclude, "PATTERN",
		  "Leave out children whose name matches this glob (repeatable)", 0 },
		{ OPT_STRING, 'l', "selector", &c.selector, "SELECTOR",
		  "Only children matching this label selector", 0 },
		{ OPT_STRING_LIST, 0, "resource", &c.resources, "[!]GROUP:KIND:[NS/]NAME",
		  "Sync only matching resources; '!' excludes, '*' is any (repeatable)", 0 },
		{ OPT_INT, 0, "parallel", &c.parallel, "N",
		  "At most N syncs at once within a wave (default 8)", 0 },
		{ OPT_BOOL, 0, "plan", &c.plan, NULL,
		  "Print the waves and apps that would be synced, and exit", 0 },
		{ OPT_BOOL, 0, "prune", &c.op.prune, NULL, "Allow deleting unwanted resources", 0 },
		{ OPT_BOOL, 0, "dry-run", &c.op.dry_run, NULL, "Preview the sync without applying", 0 },
		{ OPT_BOOL, 0, "force", &c.op.force, NULL, "Use a force apply", 0 },
		{ OPT_STRING, 0, "strategy", &c.op.strategy, "STRATEGY",
		  "Sync strategy: hook (default) or apply", 0 },
		{ OPT_BOOL, 0, "server-side", &c.op.server_side, NULL, "Use server-side apply", 0 },
		{ OPT_BOOL, 0, "apply-out-of-sync-only", &c.op.apply_out_of_sync_only, NULL,
		  "Apply only the resources that are OutOfSync", 0 },
		{ OPT_BOOL, 0, "replace", &c.op.replace, NULL,
		  "Use kubectl replace/create instead of apply", 0 },
		{ OPT_STRING, 0, "revision", &c.op.revision, "REVISION",
		  "Sync to this revision instead of the target revision", 0 },
		{ OPT_INT, 0, "retry-limit", &c.op.retry_limit, "N",
		  "Retry a failed sync N times (negative: forever)", 0 },
		{ OPT_STRING, 0, "retry-backoff-duration", &c.backoff, "DURATION",
		  "First retry backoff (default 5s)", 0 },
		{ OPT_INT, 0, "retry-backoff-factor", &c.op.retry_factor, "N",
		  "Backoff growth factor (default 2)", 0 },
		{ OPT_STRING, 0, "retry-backoff-max-duration", &c.backoff_max, "DURATION",
		  "Largest retry backoff (default 3m0s)", 0 },
		{ OPT_STRING_LIST, 0, "info", &c.op.info, "NAME=VALUE",
		  "Add an info item to the operation (repeatable)", 0 },
		{ OPT_BOOL, 0, "async", &c.async, NULL,
		  "Trigger the named apps and return without waiting (no cascade)", 0 },
		{ OPT_STRING, 0, "timeout", &c.timeout, "DURATION",
		  "Give up after this long in all (exit 3; default: no limit)", 0 },
		{ OPT_STRING, 0, "health-timeout", &c.health_timeout, "DURATION",
		  "Give up on an app not Synced and Healthy this long after its sync (exit 3)", 0 },
		{ OPT_BOOL, 0, "terminate-on-interrupt", &c.terminate_on_interrupt, NULL,
		  "On Ctrl-C or SIGTERM also terminate the operations started", 0 },
		{ OPT_STRING, 'o', "output", &c.output, "FORMAT", "Output format: json", 0 },
		OPT_END,
	};
	const struct option *tables[3];
	struct errbuf err;
	const char **args = NULL;
	int nargs, ret;

	kube_flags_init(&kf);
	sync_plan_init(&c.plan_);
	c.projects = cJSON_CreateObject();
	tables[0] = own;
	tables[1] = kube_flags_options(&kf);
	tables[2] = NULL;
	ret = options_parse(argc, argv, tables, &sync_help, &args, &nargs, &err);
	if (ret == 0 && check_flags(&c, nargs, &err))
		ret = -1;
	if (ret == 1)
		ret = EXIT_OK;
	else if (ret == -1)
		ret = options_usage_error("sync", &err);
	else
		ret = run(&c, &kf, args, nargs);
	free(args);
	kube_client_free(c.kc);
	rest_config_release(&c.rc);
	cJSON_Delete(c.cache);
	cJSON_Delete(c.labelled);
	cJSON_Delete(c.projects);
	resource_filters_release(&c.rf);
	sync_plan_release(&c.plan_);
	strlist_release(&c.sel.apps);
	strlist_release(&c.sel.exclude);
	strlist_release(&c.resources);
	strlist_release(&c.op.info);
	kube_flags_release(&kf);
	return ret;
}
