/*
 * Policies "sync-windows" and "change-freeze": the AppProject's sync
 * windows (shared/sync_window.h, Argo CD's CanSync) at admission time.
 *
 * sync-windows: a CREATE/UPDATE of an Application that starts a sync (an
 * .operation that is new or different from the old one) is judged with
 * CanSync at request time, manual unless operation.initiatedBy.automated;
 * the denial names the blocking window(s) and when the app may sync next.
 * Status writes leave .operation alone and are never judged.
 *
 * change-freeze: while an Application's project windows block manual
 * syncs, a write to an object that Application tracks by anyone but the
 * controller is denied, so the cluster cannot drift from Git during a
 * freeze.  Only what Git would carry is judged: subresources (status,
 * scale) and changes confined to status or bookkeeping metadata
 * (resourceVersion, managedFields, finalizers, ...) pass, so controllers
 * and deletions keep working; so do the namespace controller's deletes.
 *
 * Neither judges an Application whose project the webhook does not know
 * (project-restrictions reports that).
 */
#include <string.h>

#include "errbuf.h"
#include "kobj.h"
#include "policy.h"
#include "project_match.h"
#include "state.h"
#include "sync_window.h"

static const cJSON *app_project(const struct policy_input *in, const cJSON *app)
{
	const char *name = project_name_or_default(kobj_str(kobj_obj(app, "spec"), "project"));

	return state_find_project(in->state, in->cfg->control_plane_namespace, name);
}

/* POLICY_VIOLATION with msg filled when the windows of app's project block a sync. */
static enum policy_result blocked(const struct policy_input *in, const cJSON *app, int manual,
				  struct strbuf *msg)
{
	const cJSON *proj = app_project(in, app);
	struct sync_windows ws = { 0 };
	struct window_verdict v = { 0 };
	struct window_app wa;
	struct timespec now = { in->now, 0 }, next;
	struct errbuf err;
	enum policy_result ret = POLICY_PASS;

	if (!proj)
		return POLICY_PASS;
	if (sync_windows_from_project(proj, &ws, &err)) {
		strbuf_addf(msg, "AppProject %s has unreadable sync windows (%s)", kobj_name(proj),
			    err.msg);
		return POLICY_VIOLATION;
	}
	window_app_from_json(app, &wa);
	if (windows_can_sync(&ws, &wa, manual, NULL, &now, &v, &err)) {
		strbuf_addf(msg, "AppProject %s: %s", kobj_name(proj), err.msg);
		ret = POLICY_VIOLATION;
	} else if (!v.allowed) {
		int has_next = windows_next_change(&ws, &wa, manual, &now, &next, &err) == 1;

		strbuf_addf(msg, "project %s: ", kobj_name(proj));
		windows_describe_block(msg, &ws, &v, has_next ? &next : NULL);
		ret = POLICY_VIOLATION;
	}
	window_verdict_release(&v);
	sync_windows_release(&ws);
	return ret;
}

static enum policy_result check_sync(const struct policy_input *in, struct strbuf *msg)
{
	const struct admission_request *req = in->req;
	const cJSON *op = kobj_obj(req->object, "operation");
	const cJSON *auto_flag = cJSON_GetObjectItemCaseSensitive(kobj_obj(op, "initiatedBy"),
								  "automated");
	const char *ns = kobj_namespace(req->object), *name = kobj_name(req->object);
	struct strbuf why = STRBUF_INIT;
	enum policy_result ret;

	if ((req->op != OP_CREATE && req->op != OP_UPDATE) || *req->sub_resource || !op ||
	    !request_kind_is(req, "argoproj.io", "Application") ||
	    cJSON_Compare(op, kobj_obj(req->old_object, "operation"), 1))
		return POLICY_PASS;
	ret = blocked(in, req->object, !cJSON_IsTrue(auto_flag), &why);
	if (ret == POLICY_VIOLATION)
		strbuf_addf(msg, "%s sync of Application %s/%s is not allowed now: %s",
			    cJSON_IsTrue(auto_flag) ? "an automated" : "a manual",
			    ns ? ns : req->ns, name ? name : req->name, why.buf);
	strbuf_release(&why);
	return ret;
}

/* A copy of obj without what controllers and the API server change. */
static cJSON *git_view(const cJSON *obj)
{
	static const char *const bookkeeping[] = {
		"resourceVersion", "managedFields", "generation", "finalizers",
		"deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences",
		"creationTimestamp", "uid", "selfLink", NULL
	};
	cJSON *copy = cJSON_Duplicate(obj, 1), *meta;

	cJSON_DeleteItemFromObjectCaseSensitive(copy, "status");
	meta = cJSON_GetObjectItemCaseSensitive(copy, "metadata");
	for (const char *const *k = bookkeeping; meta && *k; k++)
		cJSON_DeleteItemFromObjectCaseSensitive(meta, *k);
	return copy;
}

static int only_bookkeeping(const struct admission_request *req)
{
	cJSON *a, *b;
	int same;

	if (req->op != OP_UPDATE || !req->old_object || !req->object)
		return 0;
	a = git_view(req->old_object);
	b = git_view(req->object);
	same = cJSON_Compare(a, b, 1);
	cJSON_Delete(a);
	cJSON_Delete(b);
	return same;
}

static enum policy_result check_freeze(const struct policy_input *in, struct strbuf *msg)
{
	const cJSON *app;
	struct strbuf why = STRBUF_INIT;
	enum policy_result ret;

	if (!in->owned || in->by_controller || in->by_teardown || *in->req->sub_resource ||
	    in->req->op == OP_CONNECT || only_bookkeeping(in->req))
		return POLICY_PASS;
	if (!(app = state_find_app(in->state, in->owner.ns, in->owner.name)))
		return POLICY_PASS;
	ret = blocked(in, app, 1, &why);
	if (ret == POLICY_VIOLATION) {
		describe_subject(msg, in->req);
		strbuf_addf(msg, " is managed by Application %s/%s, which is in a change freeze "
			    "(%s): change it through Git once the window allows syncs",
			    in->owner.ns, in->owner.name, why.buf);
	}
	strbuf_release(&why);
	return ret;
}

const struct policy policy_sync_windows = { "sync-windows", check_sync };
const struct policy policy_change_freeze = { "change-freeze", check_freeze };
