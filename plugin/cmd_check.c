/*
 * kubectl gitops check: is an Application (a file, typically from a pull
 * request) allowed by its AppProject?  The project comes from a file
 * (fully offline, for pre-merge CI) or from the cluster.  The checks are
 * the ones Argo CD applies on create (ValidatePermissions plus the
 * source-namespace rule), with project_match.h's matching.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_common.h"
#include "commands.h"
#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "kube_flags.h"
#include "output.h"
#include "project_match.h"
#include "ui.h"

static const struct command_help check_help = {
	.usage = "check -f APP.yaml [--project-file PROJECT.yaml] [-o json] [options]",
	.description =
		"Check whether an Application is allowed by its AppProject: every source\n"
		"repository (sourceRepos), the destination (destinations) and the\n"
		"Application's namespace (sourceNamespaces), matched exactly as Argo CD does\n"
		"(URL normalisation, globs, '!' deny entries).  With --project-file nothing is\n"
		"read from the cluster; otherwise the project named by spec.project is read\n"
		"from the namespace given by -n (default argocd).\n"
		"\n"
		"Only the AppProject object is read: project-scoped repositories and clusters\n"
		"and global projects, which Argo CD merges in, are not known here, so the check\n"
		"can be stricter than Argo CD.  A destination given only by name is matched by\n"
		"name (the in-cluster server and name are known to be the same cluster).\n"
		"\n"
		"Exit status: 0 allowed; 1 denied (or an API error); 2 bad input.",
	.examples =
		"  # Pre-merge check in CI, fully offline\n"
		"  kubectl gitops check -f apps/web.yaml --project-file projects/platform.yaml\n\n"
		"  # Against the project in the cluster, machine-readable\n"
		"  kubectl gitops check -f apps/web.yaml -o json\n",
};

struct check_result {
	int source_ok, dest_ok, ns_ok;
	cJSON *violations;
};

/* The entries of spec.<field> as strings, as the project wrote them. */
static cJSON *allowed_strings(const cJSON *proj, const char *field)
{
	const cJSON *list = json_get_key(json_get(proj, "spec"), field), *it;
	cJSON *out = cJSON_CreateArray();
	struct strbuf sb = STRBUF_INIT;

	cJSON_ArrayForEach (it, list) {
		if (cJSON_IsString(it)) {
			cJSON_AddItemToArray(out, cJSON_CreateString(it->valuestring));
			continue;
		}
		strbuf_reset(&sb);
		if (json_str(it, "server", NULL))
			strbuf_addf(&sb, "server=%s,", json_str(it, "server", ""));
		if (json_str(it, "name", NULL))
			strbuf_addf(&sb, "name=%s,", json_str(it, "name", ""));
		strbuf_addf(&sb, "namespace=%s", json_str(it, "namespace", ""));
		cJSON_AddItemToArray(out, cJSON_CreateString(sb.buf));
	}
	strbuf_release(&sb);
	return out;
}

static void violation(struct check_result *r, const cJSON *proj, const char *field,
                      const char *value, const char *list)
{
	cJSON *v = cJSON_CreateObject();

	cJSON_AddStringToObject(v, "field", field);
	cJSON_AddStringToObject(v, "value", value);
	cJSON_AddItemToObject(v, "allowed", allowed_strings(proj, list));
	cJSON_AddItemToArray(r->violations, v);
}

static void check_source(struct check_result *r, const cJSON *proj, const char *field,
                         const cJSON *src)
{
	const char *url = json_str(src, "repoURL", NULL);

	if (!src || !url)
		return;
	if (!project_source_permitted(proj, url)) {
		r->source_ok = 0;
		violation(r, proj, field, url, "sourceRepos");
	}
}

static void check_app(struct check_result *r, const cJSON *proj, const cJSON *app)
{
	const cJSON *spec = json_get(app, "spec"), *s;
	const char *server = json_str(spec, "destination.server", "");
	const char *name = json_str(spec, "destination.name", "");
	const char *dns = json_str(spec, "destination.namespace", "");
	const char *cp = json_str(proj, "metadata.namespace", APP_DEFAULT_NAMESPACE);
	struct strbuf sb = STRBUF_INIT;
	int i = 0;

	r->source_ok = r->dest_ok = r->ns_ok = 1;
	r->violations = cJSON_CreateArray();
	check_source(r, proj, "spec.source.repoURL", json_get(spec, "source"));
	cJSON_ArrayForEach (s, json_get(spec, "sources")) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "spec.sources[%d].repoURL", i++);
		check_source(r, proj, sb.buf, s);
	}
	check_source(r, proj, "spec.sourceHydrator.drySource.repoURL",
	             json_get(spec, "sourceHydrator.drySource"));
	if (!project_destination_permitted(proj, server, name, dns)) {
		r->dest_ok = 0;
		strbuf_reset(&sb);
		if (*server)
			strbuf_addf(&sb, "server=%s,", server);
		if (*name)
			strbuf_addf(&sb, "name=%s,", name);
		strbuf_addf(&sb, "namespace=%s", dns);
		violation(r, proj, "spec.destination", sb.buf, "destinations");
	}
	if (!project_app_namespace_permitted(proj, app_ns(app), cp)) {
		r->ns_ok = 0;
		violation(r, proj, "metadata.namespace", app_ns(app), "sourceNamespaces");
	}
	strbuf_release(&sb);
}

static void print_json(const struct check_result *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "allowed", !cJSON_GetArraySize(r->violations));
	cJSON_AddBoolToObject(o, "sourcePermitted", r->source_ok);
	cJSON_AddBoolToObject(o, "destinationPermitted", r->dest_ok);
	cJSON_AddItemReferenceToObject(o, "violations", r->violations);
	output_json(stdout, o);
	cJSON_Delete(o);
}

static enum project_list list_of(const char *field)
{
	if (!strcmp(field, "spec.destination"))
		return PROJECT_DESTINATIONS;
	if (!strcmp(field, "metadata.namespace"))
		return PROJECT_SOURCE_NAMESPACES;
	return PROJECT_SOURCE_REPOS;
}

static void print_text(const struct check_result *r, const cJSON *proj, const cJSON *app)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *v;
	char *an = term_escaped(app_name(app)), *pn = term_escaped(app_name(proj));

	if (!cJSON_GetArraySize(r->violations))
		printf("application '%s' is allowed by project '%s'\n", an, pn);
	else
		printf("application '%s' is not allowed by project '%s':\n", an, pn);
	cJSON_ArrayForEach (v, r->violations) {
		const char *field = json_str(v, "field", "");
		char *val, *desc;

		strbuf_reset(&sb);
		project_describe(proj, list_of(field), &sb);
		val = term_escaped(json_str(v, "value", ""));
		desc = term_escaped(sb.buf);
		printf("  %s: '%s' is not permitted by %s\n", field, val, desc);
		free(val);
		free(desc);
	}
	free(an);
	free(pn);
	strbuf_release(&sb);
}

/* Reads the app and its project; 0, -1 (API error) or -2 (bad input). */
static int load(const char *file, const char *project_file, struct kube_flags *kf, cJSON **app,
                cJSON **proj, struct errbuf *err)
{
	struct rest_config rc = { 0 };
	struct kube_client *kc;
	const char *pname;
	int ret = 0;

	*app = app_load_file(file, "Application", err);
	if (!*app)
		return -2;
	pname = project_name_or_default(json_str(*app, "spec.project", NULL));
	if (project_file) {
		*proj = app_load_file(project_file, "AppProject", err);
		if (!*proj)
			return -2;
		if (strcmp(app_name(*proj), pname)) {
			errbuf_set(err, "%s uses project '%s', but %s holds project '%s'", file,
			           pname, project_file, app_name(*proj));
			return -2;
		}
		return 0;
	}
	kc = kube_flags_connect(kf, &rc, err);
	if (!kc)
		ret = err->code == -2 ? -2 : -1;
	else if (appproject_get(kc, kf->namespace ? kf->namespace : APP_DEFAULT_NAMESPACE, pname,
	                        proj, err))
		ret = -1;
	kube_client_free(kc);
	rest_config_release(&rc);
	return ret;
}

/* Checks and prints; returns the exit code. */
static int report(const cJSON *proj, const cJSON *app, const char *output)
{
	struct check_result r = { 0 };
	int ret;

	check_app(&r, proj, app);
	if (output)
		print_json(&r);
	else
		print_text(&r, proj, app);
	ret = cJSON_GetArraySize(r.violations) ? EXIT_FAILURE_ : EXIT_OK;
	cJSON_Delete(r.violations);
	return ret;
}

/* The flags' combination; 0, or -1 with err filled. */
static int check_flags(int nargs, const char *file, const char *output, struct errbuf *err)
{
	if (nargs)
		return errbuf_set(err, "check takes no arguments; use -f APP.yaml");
	if (!file)
		return errbuf_set(err, "-f APP.yaml is required");
	if (output && strcmp(output, "json"))
		return errbuf_set(err,
		                  "unable to match a printer suitable for the output "
		                  "format \"%s\", allowed formats are: json",
		                  output);
	return 0;
}

int cmd_check(int argc, const char **argv)
{
	const char *file = NULL, *project_file = NULL, *output = NULL;
	struct kube_flags kf;
	const struct option own[] = {
		{ OPT_STRING, 'f', "filename", &file, "FILE", "The Application to check", 0 },
		{ OPT_STRING, 0, "project-file", &project_file, "FILE",
		  "Read the AppProject from this file instead of the cluster", 0 },
		{ OPT_STRING, 'o', "output", &output, "FORMAT", "Output format: json", 0 },
		OPT_END,
	};
	cJSON *app = NULL, *proj = NULL;
	struct errbuf err;
	const char **args;
	int nargs, ret;

	kube_flags_init(&kf);
	ret = kube_flags_parse(&kf, "check", argc, argv, own, &check_help, &args, &nargs);
	if (ret < 0 && check_flags(nargs, file, output, &err))
		ret = options_usage_error("check", &err);
	if (ret < 0) {
		ret = load(file, project_file, &kf, &app, &proj, &err);
		ret = ret ? error_load(ret, &err) : report(proj, app, output);
	}
	free(args);
	cJSON_Delete(app);
	cJSON_Delete(proj);
	kube_flags_release(&kf);
	return ret;
}
