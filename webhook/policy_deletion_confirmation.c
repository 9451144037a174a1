/*
 * Policy "deletion-confirmation": Delete=confirm and Prune=confirm hold for
 * everyone.  A DELETE of an object carrying either option (or of an
 * Application carrying it in its annotation or spec.syncPolicy.syncOptions)
 * is allowed only while the owning Application has a recent
 * argocd.argoproj.io/deletion-approved timestamp: not older than
 * deletionApproval.ttl (15m) and not more than a minute in the future
 * (clock skew).  `kubectl gitops confirm-deletion APP -n NS` writes it, as
 * `argocd app confirm-deletion` does.
 *
 * An Application is approved by its own annotation, or by the one of the
 * Application that tracks it (app-of-apps).  The Argo CD controller is not
 * judged: it deletes such objects only after its own confirmation check.
 * The namespace controller is let through as in deletion-protection (see
 * policy_deletion_protection.c); a Namespace DELETE is judged like any
 * other object, so Delete=confirm on a Namespace needs an approval.
 */
#include <stdio.h>
#include <string.h>

#include "kobj.h"
#include "policy.h"
#include "state.h"
#include "sync_options.h"
#include "duration.h"
#include "timefmt.h"

#define APPROVAL_ANNOTATION "argocd.argoproj.io/deletion-approved"
#define MAX_SKEW_S 60

static const char *const confirm_options[] = { "Delete=confirm", "Prune=confirm", NULL };

/* `opts` is obj's sync-options annotation. */
static const char *confirm_option(const cJSON *obj, const char *opts, int is_app)
{
	for (const char *const *o = confirm_options; *o; o++)
		if (sync_options_has(opts, *o) || (is_app && app_has_sync_option(obj, *o)))
			return *o;
	return NULL;
}

/* 1 when an approval stamped at `at` is recent at `now`. */
static int recent(time_t at, const struct policy_input *in)
{
	return at <= in->now + MAX_SKEW_S &&
	       (long long)(in->now - at) * 1000 <= in->cfg->approval_ttl_ms;
}

/* 1 when the Application in the request carries a recent approval. */
static int approved(const cJSON *app, const struct policy_input *in)
{
	const char *stamp = kobj_annotation(app, APPROVAL_ANNOTATION);
	struct timespec ts;

	return stamp && !timefmt_parse_rfc3339(stamp, &ts, NULL) && recent(ts.tv_sec, in);
}

static void how_to_approve(struct strbuf *msg, const struct policy_input *in, const char *ns,
                           const char *name)
{
	char ttl[DURATION_FORMAT_SIZE];

	duration_format(in->cfg->approval_ttl_ms * DURATION_MS, ttl);
	strbuf_addf(msg,
	            ": approve it first with \"kubectl gitops confirm-deletion %s -n %s\" "
	            "(an approval counts for %s)",
	            name, ns, ttl);
}

static enum policy_result check(const struct policy_input *in, struct strbuf *msg)
{
	int is_app;
	const char *opt;
	const struct state_app *owner_app = NULL;

	if (in->req->op != OP_DELETE || !in->subject)
		return POLICY_PASS;
	is_app = request_kind_is(in->req, "argoproj.io", "Application");
	if (!(opt = confirm_option(in->subject, in->sync_options, is_app)))
		return POLICY_PASS;
	if (in->by_controller)
		return POLICY_PASS;
	if (in->by_teardown) {
		strbuf_addf(msg, "allowed namespace teardown of an object with %s", opt);
		return POLICY_PASS;
	}
	if (is_app && approved(in->subject, in))
		return POLICY_PASS;
	if (in->owned) {
		owner_app = state_find_app(in->state, in->owner.ns, in->owner.name);
		if (owner_app && owner_app->approved && recent(owner_app->approved_at, in))
			return POLICY_PASS;
	}
	describe_subject(msg, in->req);
	strbuf_addf(msg, " has %s", opt);
	if (is_app) {
		const char *ns = kobj_namespace(in->subject), *name = kobj_name(in->subject);

		how_to_approve(msg, in, ns ? ns : in->req->ns, name ? name : in->req->name);
	} else if (!in->owned) {
		strbuf_addstr(msg, " but no Application tracks it, so its deletion cannot be "
		                   "approved: remove the option first");
	} else if (!owner_app) {
		strbuf_addf(msg,
		            " and its Application %s/%s is unknown to the webhook, so the "
		            "approval cannot be checked",
		            in->owner.ns, in->owner.name);
	} else {
		how_to_approve(msg, in, in->owner.ns, in->owner.name);
	}
	return POLICY_VIOLATION;
}

const struct policy policy_deletion_confirmation = { "deletion-confirmation", check };
