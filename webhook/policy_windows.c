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
#include "verdict_cache.h"

/*
 * POLICY_VIOLATION with msg filled when the windows of the project named
 * `project` (an Application's spec.project) block a sync of app.  The
 * windows were read and compiled when the state was loaded (state.h), and
 * a verdict is taken from the project's cache while it holds
 * (verdict_cache.h): an allowing one, or a denial with its message, which
 * names the windows and the next change and is fixed over the same span.
 */
static enum policy_result blocked(const struct policy_input *in, const char *project,
                                  const struct window_app *wa, int manual, struct strbuf *msg)
{
	const struct state_project *proj = state_find_project(
		in->state, in->cfg->control_plane_namespace, project_name_or_default(project));
	struct window_verdict v = { 0 };
	struct timespec now = { in->now, 0 }, next, until;
	struct errbuf err;
	enum policy_result ret = POLICY_PASS;
	int allowed;

	if (!proj)
		return POLICY_PASS;
	if (proj->windows_error) {
		strbuf_addf(msg, "AppProject %s has unreadable sync windows (%s)", proj->name,
		            proj->windows_error);
		return POLICY_VIOLATION;
	}
	if (!proj->windows->n ||
	    (verdict_cache_get(proj->verdicts, wa, manual, in->now, &allowed) && allowed))
		return POLICY_PASS;
	if (verdict_cache_get_denial(proj->verdicts, wa, manual, in->now, msg))
		return POLICY_VIOLATION;
	if (compiled_windows_can_sync_until(proj->compiled, wa, manual, &now, &v, &until, &err)) {
		strbuf_addf(msg, "AppProject %s: %s", proj->name, err.msg);
		ret = POLICY_VIOLATION;
	} else if (!v.allowed) {
		int has_next = compiled_windows_next_change(proj->compiled, wa, manual, &now, &next,
		                                            &err) == 1;
		size_t start = msg->len;

		strbuf_addf(msg, "project %s: ", proj->name);
		windows_describe_block(msg, proj->windows, &v, has_next ? &next : NULL);
		verdict_cache_put_denial(proj->verdicts, wa, manual, in->now, &until,
		                         msg->buf + start);
		ret = POLICY_VIOLATION;
	} else {
		verdict_cache_put(proj->verdicts, wa, manual, in->now, &until, 1);
	}
	window_verdict_release(&v);
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
	struct window_app wa;
	enum policy_result ret;

	if ((req->op != OP_CREATE && req->op != OP_UPDATE) || *req->sub_resource || !op ||
	    !request_kind_is(req, "argoproj.io", "Application") ||
	    kobj_equal(op, kobj_obj(req->old_object, "operation")))
		return POLICY_PASS;
	window_app_from_json(req->object, &wa);
	ret = blocked(in, kobj_str(kobj_obj(req->object, "spec"), "project"), &wa,
	              !cJSON_IsTrue(auto_flag), &why);
	if (ret == POLICY_VIOLATION)
		strbuf_addf(msg, "%s sync of Application %s/%s is not allowed now: %s",
		            cJSON_IsTrue(auto_flag) ? "an automated" : "a manual",
		            ns ? ns : req->ns, name ? name : req->name, why.buf);
	strbuf_release(&why);
	return ret;
}

/* What controllers and the API server change in metadata. */
static int bookkeeping(const char *key)
{
	static const char *const keys[] = { "resourceVersion",
		                            "managedFields",
		                            "generation",
		                            "finalizers",
		                            "deletionTimestamp",
		                            "deletionGracePeriodSeconds",
		                            "ownerReferences",
		                            "creationTimestamp",
		                            "uid",
		                            "selfLink",
		                            NULL };

	for (const char *const *k = keys; key && *k; k++)
		if (!strcmp(key, *k))
			return 1;
	return 0;
}

static int is_status(const char *key)
{
	return key && !strcmp(key, "status");
}

static int same_top_member(const char *key, const cJSON *x, const cJSON *y)
{
	if (!strcmp(key, "metadata") && cJSON_IsObject(x) && cJSON_IsObject(y))
		return kobj_equal_members(x, y, bookkeeping, NULL);
	return kobj_equal(x, y);
}

/* 1 when an UPDATE changes only status or bookkeeping metadata: compared
 * in place, member by member, without copying either object. */
static int only_bookkeeping(const struct admission_request *req)
{
	if (req->op != OP_UPDATE || !req->old_object || !req->object)
		return 0;
	return kobj_equal_members(req->old_object, req->object, is_status, same_top_member);
}

static enum policy_result check_freeze(const struct policy_input *in, struct strbuf *msg)
{
	const struct state_app *app;
	struct strbuf why = STRBUF_INIT;
	struct window_app wa;
	enum policy_result ret;

	if (!in->owned || in->by_controller || in->by_teardown || *in->req->sub_resource ||
	    in->req->op == OP_CONNECT || only_bookkeeping(in->req))
		return POLICY_PASS;
	if (!(app = state_find_app(in->state, in->owner.ns, in->owner.name)))
		return POLICY_PASS;
	wa.name = app->name;
	wa.dest_name = app->dest_name ? app->dest_name : "";
	wa.dest_server = app->dest_server ? app->dest_server : "";
	wa.dest_namespace = app->dest_namespace ? app->dest_namespace : "";
	ret = blocked(in, app->project, &wa, 1, &why);
	if (ret == POLICY_VIOLATION) {
		describe_subject(msg, in->req);
		strbuf_addf(msg,
		            " is managed by Application %s/%s, which is in a change freeze "
		            "(%s): change it through Git once the window allows syncs",
		            in->owner.ns, in->owner.name, why.buf);
	}
	strbuf_release(&why);
	return ret;
}

const struct policy policy_sync_windows = { "sync-windows", check_sync };
const struct policy policy_change_freeze = { "change-freeze", check_freeze };
