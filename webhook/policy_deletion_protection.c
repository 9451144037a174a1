/*
 * Policy "deletion-protection": Prune=false and Delete=false hold for
 * everyone, not only for Argo CD.
 *
 * - DELETE of an object whose sync-options annotation has Prune=false or
 *   Delete=false is denied, except to the controller: it honours both
 *   options itself, and Prune=false does not apply to an Application's
 *   cascading deletion, which the controller must be able to finish.
 * - UPDATE that drops one of those options from an object an Application
 *   tracks is allowed only to the controller, so the protection can be
 *   lifted only through Git.
 *
 * Namespace deletion.  The API server deletes a Terminating namespace's
 * contents itself, one DELETE per object, as the namespace controller.
 * Denying those cannot save the namespace (it is already being deleted and
 * cannot be revived) and would leave it stuck in Terminating for ever, so
 * the teardown users (namespaceTeardownUsers) are let through with an audit
 * note.  The decision is taken earlier, at the Namespace DELETE, which is
 * denied when the Namespace itself carries the option, or when an
 * Application known to the webhook has resources in it (status.resources)
 * and protects all of them through spec.syncPolicy.syncOptions.  A
 * per-object annotation inside the namespace cannot be seen at that point:
 * the webhook keeps no cache of arbitrary objects.  Such objects are
 * protected against direct deletes but not against the deletion of their
 * namespace; put the annotation on the Namespace (or the option on the
 * Application) to cover that.
 */
#include <string.h>

#include "kobj.h"
#include "policy.h"
#include "state.h"
#include "sync_options.h"

static const char *const protect_options[] = { "Prune=false", "Delete=false", NULL };

/* The first of protect_options in the sync-options value `opts`. */
static const char *protection(const char *opts)
{
	for (const char *const *o = protect_options; opts && *o; o++)
		if (sync_options_has(opts, *o))
			return *o;
	return NULL;
}

static const char *app_protection(const struct state_app *app)
{
	if (app->protect & STATE_APP_PRUNE_FALSE)
		return "Prune=false";
	if (app->protect & STATE_APP_DELETE_FALSE)
		return "Delete=false";
	return NULL;
}

static enum policy_result check_namespace_delete(const struct policy_input *in, struct strbuf *msg)
{
	const char *ns = *in->req->name ? in->req->name : kobj_name(in->subject);
	const char *opt = protection(in->sync_options);

	if (opt) {
		strbuf_addf(msg,
		            "Namespace %s carries %s %s: remove the option in Git before "
		            "deleting the namespace",
		            ns, SYNC_OPTIONS_ANNOTATION, opt);
		return POLICY_VIOLATION;
	}
	for (size_t i = 0; i < state_app_count(in->state); i++) {
		const struct state_app *app = state_app_at(in->state, i);

		if ((opt = app_protection(app)) && app_has_resources_in(app, ns)) {
			strbuf_addf(msg,
			            "Namespace %s holds resources of Application %s/%s, "
			            "whose syncOptions protect them with %s: remove them "
			            "through Git first",
			            ns, app->ns, app->name, opt);
			return POLICY_VIOLATION;
		}
	}
	return POLICY_PASS;
}

static enum policy_result check_delete(const struct policy_input *in, struct strbuf *msg)
{
	const char *opt;

	if (in->by_controller)
		return POLICY_PASS;
	if (request_kind_is(in->req, "", "Namespace"))
		return check_namespace_delete(in, msg);
	if (!(opt = protection(in->sync_options)))
		return POLICY_PASS;
	if (in->by_teardown) {
		strbuf_addf(msg, "allowed namespace teardown of an object protected by %s", opt);
		return POLICY_PASS;
	}
	describe_subject(msg, in->req);
	strbuf_addlit(msg, " is protected by " SYNC_OPTIONS_ANNOTATION " ");
	strbuf_addstr(msg, opt);
	strbuf_addlit(msg, ": remove the option in Git and sync before deleting it");
	return POLICY_VIOLATION;
}

static enum policy_result check_update(const struct policy_input *in, struct strbuf *msg)
{
	const cJSON *old = in->req->old_object, *cur = in->req->object;
	const char *old_opts, *cur_opts;

	if (!old || !cur || !in->owned || in->by_controller)
		return POLICY_PASS;
	/* Unchanged options (the usual update) remove none. */
	old_opts = kobj_annotation(old, SYNC_OPTIONS_ANNOTATION);
	cur_opts = in->sync_options; /* cur is the subject */
	if (!old_opts || (cur_opts && !strcmp(old_opts, cur_opts)))
		return POLICY_PASS;
	for (const char *const *o = protect_options; *o; o++) {
		if (!sync_options_has(old_opts, *o) || sync_options_has(cur_opts, *o))
			continue;
		strbuf_addlit(msg, "removing ");
		strbuf_addstr(msg, *o);
		strbuf_addlit(msg, " from the " SYNC_OPTIONS_ANNOTATION " of ");
		describe_subject(msg, in->req);
		strbuf_addlit(msg, " (managed by Application ");
		strbuf_addstr(msg, in->owner.ns);
		strbuf_addlit(msg, "/");
		strbuf_addstr(msg, in->owner.name);
		strbuf_addlit(msg, ") is reserved to the Argo CD controller: remove it in Git");
		return POLICY_VIOLATION;
	}
	return POLICY_PASS;
}

static enum policy_result check(const struct policy_input *in, struct strbuf *msg)
{
	if (in->req->op == OP_DELETE && in->subject)
		return check_delete(in, msg);
	if (in->req->op == OP_UPDATE)
		return check_update(in, msg);
	return POLICY_PASS;
}

const struct policy policy_deletion_protection = { "deletion-protection", check };
