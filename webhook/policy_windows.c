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

static void deny_sync(struct strbuf *msg, const struct admission_request *req, int automated,
                      const char *why)
{
	const char *ns = kobj_namespace(req->object), *name = kobj_name(req->object);

	if (automated)
		strbuf_addlit(msg, "an automated sync of Application ");
	else
		strbuf_addlit(msg, "a manual sync of Application ");
	strbuf_addstr(msg, ns ? ns : req->ns);
	strbuf_addlit(msg, "/");
	strbuf_addstr(msg, name ? name : req->name);
	strbuf_addlit(msg, " is not allowed now: ");
	strbuf_addstr(msg, why);
}

static enum policy_result check_sync(const struct policy_input *in, struct strbuf *msg)
{
	const struct admission_request *req = in->req;
	const cJSON *op, *auto_flag;
	struct strbuf why = STRBUF_INIT;
	struct window_app wa;
	enum policy_result ret;
	int automated;

	if ((req->op != OP_CREATE && req->op != OP_UPDATE) || *req->sub_resource ||
	    !request_kind_is(req, "argoproj.io", "Application"))
		return POLICY_PASS;
	op = kobj_obj(req->object, "operation");
	if (!op || kobj_equal(op, kobj_obj(req->old_object, "operation")))
		return POLICY_PASS;
	auto_flag = kobj_get(kobj_obj(op, "initiatedBy"), "automated");
	automated = auto_flag && (auto_flag->type & 0xff) == cJSON_True;
	window_app_from_json(req->object, &wa);
	ret = blocked(in, kobj_str(kobj_obj(req->object, "spec"), "project"), &wa, !automated, &why);
	if (ret == POLICY_VIOLATION)
		deny_sync(msg, req, automated, why.buf);
	strbuf_release(&why);
	return ret;
}

/* What controllers and the API server change in metadata.  Called for
 * every member compared: the first byte rules out most keys at once. */
static int bookkeeping(const char *key)
{
	if (!key)
		return 0;
	switch (key[0]) {
	case 'r':
		return !strcmp(key, "resourceVersion");
	case 'm':
		return !strcmp(key, "managedFields");
	case 'g':
		return !strcmp(key, "generation");
	case 'f':
		return !strcmp(key, "finalizers");
	case 'd':
		return !strcmp(key, "deletionTimestamp") ||
		       !strcmp(key, "deletionGracePeriodSeconds");
	case 'o':
		return !strcmp(key, "ownerReferences");
	case 'c':
		return !strcmp(key, "creationTimestamp");
	case 'u':
		return !strcmp(key, "uid");
	case 's':
		return !strcmp(key, "selfLink");
	default:
		return 0;
	}
}

static int is_status(const char *key)
{
	return key && key[0] == 's' && !strcmp(key, "status");
}

static int same_top_member(const char *key, const cJSON *x, const cJSON *y)
{
	if (key[0] == 'm' && !strcmp(key, "metadata") && kobj_is_object(x) && kobj_is_object(y))
		return kobj_equal_members(x, y, bookkeeping, NULL);
	return kobj_equal(x, y);
}

/* 1 when an UPDATE changes only status or bookkeeping metadata: compared
 * in place, member by member, without copying either object. */
static int only_bookkeeping(const struct admission_request *req)
{
	struct errbuf err;

	/* An object that cannot be read whole is not known to be unchanged. */
	if (req->op != OP_UPDATE || !req->old_object || !req->object ||
	    admission_request_expand(req, &err))
		return 0;
	return kobj_equal_members(req->old_object, req->object, is_status, same_top_member);
}

static void deny_freeze(struct strbuf *msg, const struct policy_input *in, const char *why)
{
	describe_subject(msg, in->req);
	strbuf_addlit(msg, " is managed by Application ");
	strbuf_addstr(msg, in->owner.ns);
	strbuf_addlit(msg, "/");
	strbuf_addstr(msg, in->owner.name);
	strbuf_addlit(msg, ", which is in a change freeze (");
	strbuf_addstr(msg, why);
	strbuf_addlit(msg, "): change it through Git once the window allows syncs");
}

/*
 * The windows are asked first: they are usually open, and their verdict
 * is cached, while telling a bookkeeping-only update apart means comparing
 * both objects in full.
 */
static enum policy_result check_freeze(const struct policy_input *in, struct strbuf *msg)
{
	const struct state_app *app;
	struct strbuf why = STRBUF_INIT;
	struct window_app wa;
	enum policy_result ret;

	if (!in->owned || in->by_controller || in->by_teardown || *in->req->sub_resource ||
	    in->req->op == OP_CONNECT)
		return POLICY_PASS;
	if (!(app = state_find_app(in->state, in->owner.ns, in->owner.name)))
		return POLICY_PASS;
	wa.name = app->name;
	wa.dest_name = app->dest_name ? app->dest_name : "";
	wa.dest_server = app->dest_server ? app->dest_server : "";
	wa.dest_namespace = app->dest_namespace ? app->dest_namespace : "";
	ret = blocked(in, app->project, &wa, 1, &why);
	if (ret == POLICY_VIOLATION && only_bookkeeping(in->req))
		ret = POLICY_PASS;
	if (ret == POLICY_VIOLATION)
		deny_freeze(msg, in, why.buf);
	strbuf_release(&why);
	return ret;
}

const struct policy policy_sync_windows = { "sync-windows", check_sync };
const struct policy policy_change_freeze = { "change-freeze", check_freeze };
