/*
 * Policy "project-restrictions": the AppProject rules Argo CD applies only
 * through argocd-server or at sync time, applied at admission time to
 * writes that bypass it (kubectl apply, app-of-apps, ApplicationSets), as
 * argocd.md §6.3 suggests.
 *
 * - CREATE/UPDATE of an Application whose spec changed: its project exists;
 *   its namespace is permitted by sourceNamespaces when outside the
 *   control-plane namespace; every source's repoURL matches sourceRepos;
 *   the destination matches destinations.  (Status writes leave the spec
 *   alone and pass.)
 * - CREATE/UPDATE of an object an Application tracks (main resource only,
 *   not status or scale): its group/kind is permitted by the project's
 *   white/blacklists and, when namespaced, its namespace by destinations.
 *   An owner or project the webhook does not know is not judged here.
 * - DELETE of an AppProject that Applications still reference.
 *
 * The matching is shared/project_match.h, i.e. Argo CD's own rules, on the
 * AppProject CR only (no project-scoped clusters or repositories).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kobj.h"
#include "policy.h"
#include "project_match.h"
#include "state.h"
#include "verdict_cache.h"

#define MAX_NAMED 3

/* The project's JSON (project_match.h reads it), or NULL when unknown. */
static const cJSON *find_project(const struct policy_input *in, const char *project)
{
	const struct state_project *p = state_find_project(
		in->state, in->cfg->control_plane_namespace, project_name_or_default(project));

	return p ? p->json : NULL;
}

static void deny_list(struct strbuf *msg, const cJSON *proj, enum project_list list)
{
	strbuf_addf(msg, " is not permitted by project %s: %s: ", kobj_name(proj),
	            project_list_field(list));
	project_describe(proj, list, msg);
}

static int check_repo(const cJSON *proj, const cJSON *src, const char *field, struct strbuf *msg)
{
	const char *repo = kobj_str(src, "repoURL");

	if (!src || project_source_permitted(proj, repo ? repo : ""))
		return 0;
	strbuf_addf(msg, "%s '%s'", field, repo ? repo : "");
	deny_list(msg, proj, PROJECT_SOURCE_REPOS);
	return 1;
}

static int check_sources(const cJSON *proj, const cJSON *spec, struct strbuf *msg)
{
	const cJSON *sources = cJSON_GetObjectItemCaseSensitive(spec, "sources"), *it;
	char field[48];
	int i = 0;

	if (check_repo(proj, kobj_obj(spec, "source"), "spec.source.repoURL", msg) ||
	    check_repo(proj, kobj_path(spec, "sourceHydrator", "drySource", NULL),
	               "spec.sourceHydrator.drySource.repoURL", msg))
		return 1;
	if (!cJSON_IsArray(sources))
		return 0;
	cJSON_ArrayForEach (it, sources) {
		snprintf(field, sizeof(field), "spec.sources[%d].repoURL", i++);
		if (check_repo(proj, it, field, msg))
			return 1;
	}
	return 0;
}

static enum policy_result check_application(const struct policy_input *in, struct strbuf *msg)
{
	const cJSON *app = in->req->object, *spec = kobj_obj(app, "spec"), *dest, *proj;
	const char *ns = kobj_namespace(app), *pname;

	if (in->req->op == OP_UPDATE && kobj_equal(spec, kobj_obj(in->req->old_object, "spec")))
		return POLICY_PASS;
	pname = project_name_or_default(kobj_str(spec, "project"));
	if (!(proj = find_project(in, kobj_str(spec, "project")))) {
		strbuf_addf(msg, "spec.project: AppProject %s/%s does not exist",
		            in->cfg->control_plane_namespace, pname);
		return POLICY_VIOLATION;
	}
	if (!ns || !*ns)
		ns = in->req->ns;
	if (!project_app_namespace_permitted(proj, ns, in->cfg->control_plane_namespace)) {
		strbuf_addf(msg, "metadata.namespace '%s'", ns);
		deny_list(msg, proj, PROJECT_SOURCE_NAMESPACES);
		return POLICY_VIOLATION;
	}
	if (check_sources(proj, spec, msg))
		return POLICY_VIOLATION;
	dest = kobj_obj(spec, "destination");
	if (!project_destination_permitted(proj, kobj_str(dest, "server"), kobj_str(dest, "name"),
	                                   kobj_str(dest, "namespace"))) {
		strbuf_addf(msg, "spec.destination (server '%s', name '%s', namespace '%s')",
		            kobj_str(dest, "server") ? kobj_str(dest, "server") : "",
		            kobj_str(dest, "name") ? kobj_str(dest, "name") : "",
		            kobj_str(dest, "namespace") ? kobj_str(dest, "namespace") : "");
		deny_list(msg, proj, PROJECT_DESTINATIONS);
		return POLICY_VIOLATION;
	}
	return POLICY_PASS;
}

/*
 * project_destination_permitted() for a managed object, remembered in the
 * project's cache: the answer depends only on the project, which a cache
 * never outlives, and the three strings, so it holds for ever.  The key
 * reads NULL as "", which project_match.h does not, so the tag ('A' to
 * 'D', apart from the windows' tags) says which of the two are NULL.
 * (Keys of different lengths or tags never meet: the tag ends the key.)
 */
static int destination_permitted(const struct state_project *p, const struct state_app *app,
                                 const char *ns)
{
	const char *parts[] = { app->dest_server, app->dest_name, ns };
	char tag = (char)('A' + (app->dest_server ? 1 : 0) + (app->dest_name ? 2 : 0));
	struct timespec forever = { INT64_MAX, 0 };
	int permitted;

	if (verdict_cache_lookup(p->verdicts, parts, 3, tag, 0, &permitted))
		return permitted;
	permitted = project_destination_permitted(p->json, app->dest_server, app->dest_name, ns);
	verdict_cache_store(p->verdicts, parts, 3, tag, 0, &forever, permitted);
	return permitted;
}

/*
 * project_group_kind_name_permitted(), remembered like the destinations
 * above: a namespaced kind is judged by group and kind alone (tag 'k'),
 * a cluster-scoped one with its name too ('K').
 */
static int kind_permitted(const struct state_project *p, const char *group, const char *kind,
                          const char *name, int namespaced)
{
	const char *parts[] = { group, kind, name };
	struct timespec forever = { INT64_MAX, 0 };
	size_t n = namespaced ? 2 : 3;
	char tag = namespaced ? 'k' : 'K';
	int permitted;

	if (verdict_cache_lookup(p->verdicts, parts, n, tag, 0, &permitted))
		return permitted;
	permitted = project_group_kind_name_permitted(p->json, group, kind, name, namespaced);
	verdict_cache_store(p->verdicts, parts, n, tag, 0, &forever, permitted);
	return permitted;
}

static enum policy_result check_managed(const struct policy_input *in, struct strbuf *msg)
{
	const struct state_app *app = state_find_app(in->state, in->owner.ns, in->owner.name);
	const struct state_project *p;
	const cJSON *proj;
	const char *ns = in->req->ns, *name = in->req->name;
	int namespaced = *ns != '\0';

	if (!app ||
	    !(p = state_find_project(in->state, in->cfg->control_plane_namespace,
	                             project_name_or_default(app->project))) ||
	    !(proj = p->json))
		return POLICY_PASS;
	if (!*name)
		name = kobj_name(in->req->object) ? kobj_name(in->req->object) : "";
	if (!kind_permitted(p, in->req->group, in->req->kind, name, namespaced)) {
		strbuf_addf(msg, "kind %s:%s (Application %s/%s)", in->req->group, in->req->kind,
		            in->owner.ns, in->owner.name);
		deny_list(msg, proj,
		          namespaced ? PROJECT_NAMESPACE_WHITELIST : PROJECT_CLUSTER_WHITELIST);
		strbuf_addstr(msg, "; ");
		strbuf_addstr(msg, project_list_field(namespaced ? PROJECT_NAMESPACE_BLACKLIST
		                                                 : PROJECT_CLUSTER_BLACKLIST));
		strbuf_addstr(msg, ": ");
		project_describe(proj,
		                 namespaced ? PROJECT_NAMESPACE_BLACKLIST : PROJECT_CLUSTER_BLACKLIST,
		                 msg);
		return POLICY_VIOLATION;
	}
	/* Without a destination cluster there is nothing to match against. */
	if (!app->dest_server && !app->dest_name)
		return POLICY_PASS;
	if (namespaced && !destination_permitted(p, app, ns)) {
		strbuf_addf(msg, "namespace '%s' (Application %s/%s)", ns, in->owner.ns,
		            in->owner.name);
		deny_list(msg, proj, PROJECT_DESTINATIONS);
		return POLICY_VIOLATION;
	}
	return POLICY_PASS;
}

static enum policy_result check_project_delete(const struct policy_input *in, struct strbuf *msg)
{
	const char *pname = *in->req->name ? in->req->name : kobj_name(in->subject);
	struct strbuf names = STRBUF_INIT;
	size_t users = 0;

	if (!pname || strcmp(in->req->ns, in->cfg->control_plane_namespace))
		return POLICY_PASS;
	for (size_t i = 0; i < state_app_count(in->state); i++) {
		const struct state_app *app = state_app_at(in->state, i);

		if (strcmp(project_name_or_default(app->project), pname))
			continue;
		if (users < MAX_NAMED)
			strbuf_addf(&names, "%s%s/%s", users ? ", " : "", app->ns, app->name);
		users++;
	}
	if (users > MAX_NAMED)
		strbuf_addf(&names, " and %zu more", users - MAX_NAMED);
	if (users)
		strbuf_addf(msg,
		            "AppProject %s is still used by Application%s %s: move or "
		            "delete them first",
		            pname, users > 1 ? "s" : "", names.buf);
	strbuf_release(&names);
	return users ? POLICY_VIOLATION : POLICY_PASS;
}

static enum policy_result check(const struct policy_input *in, struct strbuf *msg)
{
	const struct admission_request *req = in->req;

	if (req->op == OP_DELETE)
		return request_kind_is(req, "argoproj.io", "AppProject")
		               ? check_project_delete(in, msg)
		               : POLICY_PASS;
	if ((req->op != OP_CREATE && req->op != OP_UPDATE) || !req->object || *req->sub_resource)
		return POLICY_PASS;
	if (request_kind_is(req, "argoproj.io", "Application")) {
		if (check_application(in, msg) == POLICY_VIOLATION)
			return POLICY_VIOLATION;
		strbuf_reset(msg);
	}
	return in->owned ? check_managed(in, msg) : POLICY_PASS;
}

const struct policy policy_project_restrictions = { "project-restrictions", check };
