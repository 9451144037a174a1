/*
 * kubectl gitops list: the Applications of a namespace (or all), as a
 * table like `kubectl get`, or as json/yaml/name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "kube_flags.h"
#include "output.h"
#include "table.h"
#include "timefmt.h"
#include "ui.h"

static const struct command_help list_help = {
	.usage = "list [-n NAMESPACE | -A] [-l SELECTOR] [-o wide|json|yaml|name] [options]",
	.description =
		"List Argo CD Applications with their project, sync and health status, sync wave\n"
		"and last operation.  Applications are read from the namespace given by -n, or\n"
		"from \"argocd\", the control-plane namespace, when -n is not given.",
	.examples = "  # List the Applications in the argocd namespace\n"
		    "  kubectl gitops list\n\n"
		    "  # List Applications in every namespace, with destinations and sources\n"
		    "  kubectl gitops list -A -o wide\n\n"
		    "  # Names only, for scripts\n"
		    "  kubectl gitops list -l team=payments -o name\n",
};

struct list_opts {
	int all_namespaces, no_headers;
	const char *output, *selector;
};

static const char *wave_of(const cJSON *app)
{
	const cJSON *w = json_get_key(json_get(app, "metadata.annotations"),
	                              "argocd.argoproj.io/sync-wave");

	return cJSON_IsString(w) ? w->valuestring : "0";
}

/* kubectl's AGE column: "<unknown>" when there is no usable timestamp. */
static const char *age_of(const cJSON *obj, const struct timespec *now, char *buf)
{
	const char *ts = json_str(obj, "metadata.creationTimestamp", NULL);
	struct timespec then;

	if (!ts || timefmt_parse_rfc3339(ts, &then, NULL))
		return "<unknown>";
	return timefmt_age(&then, now, buf);
}

static void add_row(struct table *t, const cJSON *app, const struct list_opts *o,
                    const struct timespec *now)
{
	char age[TIMEFMT_AGE_SIZE];
	const char *cells[12];
	size_t n = 0;

	if (o->all_namespaces)
		cells[n++] = json_str(app, "metadata.namespace", "");
	cells[n++] = json_str(app, "metadata.name", "");
	cells[n++] = json_str(app, "spec.project", "default");
	cells[n++] = json_str(app, "status.sync.status", "Unknown");
	cells[n++] = json_str(app, "status.health.status", "Unknown");
	cells[n++] = wave_of(app);
	cells[n++] = json_str(app, "status.operationState.phase", "<none>");
	cells[n++] = age_of(app, now, age);
	if (o->output && !strcmp(o->output, "wide")) {
		const char *server = json_str(app, "spec.destination.server", NULL);

		cells[n++] = server ? server : json_str(app, "spec.destination.name", "<none>");
		cells[n++] = json_str(app, "spec.destination.namespace", "<none>");
		cells[n++] = json_str(app, "spec.source.repoURL", "<none>");
		cells[n++] = json_str(app, "spec.source.path", "<none>");
		cells[n++] = json_str(app, "status.sync.revision", "<none>");
	}
	table_add(t, cells);
}

static void print_table(const cJSON *items, const struct list_opts *o)
{
	static const char *const base[] = { "NAME", "PROJECT",   "SYNC", "HEALTH",
		                            "WAVE", "OPERATION", "AGE" };
	static const char *const wide[] = { "CLUSTER", "NAMESPACE", "REPO", "PATH", "REVISION" };
	const char *headers[14];
	size_t n = 0, i;
	struct table t;
	const cJSON *app;
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);

	if (o->all_namespaces)
		headers[n++] = "NAMESPACE";
	for (i = 0; i < 7; i++)
		headers[n++] = base[i];
	if (o->output && !strcmp(o->output, "wide"))
		for (i = 0; i < 5; i++)
			headers[n++] = wide[i];
	table_init(&t, n, headers);
	t.no_headers = o->no_headers;
	cJSON_ArrayForEach (app, items)
		add_row(&t, app, o, &now);
	table_print(&t, stdout);
	table_release(&t);
}

/* Lists and prints; returns the exit code. */
static int list_run(const struct list_opts *o, struct kube_flags *kf)
{
	struct kube_list_opts lo = { 0 };
	struct rest_config rc = { 0 };
	struct strbuf path = STRBUF_INIT;
	struct kube_client *kc;
	struct errbuf err;
	cJSON *list = NULL;
	const char *ns;
	int code = 0;

	kc = kube_flags_connect(kf, &rc, &err);
	if (!kc)
		return err.code == -2 ? options_usage_error("list", &err) : error_api(&err);
	ns = o->all_namespaces ? NULL : kf->namespace ? kf->namespace : "argocd";
	kube_path(&path, "argoproj.io", "v1alpha1", "applications", ns, NULL, NULL);
	lo.label_selector = o->selector;
	if (kube_list(kc, path.buf, &lo, &list, &err)) {
		code = error_api(&err);
	} else {
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");

		if (!cJSON_GetArraySize(items) && (!o->output || !strcmp(o->output, "wide")))
			ns ? fprintf(stderr, "No resources found in %s namespace.\n", ns)
			   : fprintf(stderr, "No resources found\n");
		else if (o->output && strcmp(o->output, "wide"))
			output_objects(stdout, o->output, list, "application.argoproj.io");
		else
			print_table(items, o);
	}
	cJSON_Delete(list);
	strbuf_release(&path);
	kube_client_free(kc);
	rest_config_release(&rc);
	return code;
}

/* Parses and checks the flags; -1 to go on, else the exit code. */
static int list_parse(int argc, const char **argv, struct list_opts *o, struct kube_flags *kf)
{
	const struct option own[] = {
		{ OPT_BOOL, 'A', "all-namespaces", &o->all_namespaces, NULL,
		  "List Applications across all namespaces", 0 },
		{ OPT_STRING, 'l', "selector", &o->selector, "SELECTOR",
		  "Label selector to filter on (e.g. -l team=payments)", 0 },
		{ OPT_STRING, 'o', "output", &o->output, "FORMAT",
		  "Output format: wide, json, yaml or name", 0 },
		{ OPT_BOOL, 0, "no-headers", &o->no_headers, NULL, "Do not print the table header",
		  0 },
		OPT_END,
	};
	struct errbuf err = { 0 };
	const char **args;
	int nargs, code;

	code = kube_flags_parse(kf, "list", argc, argv, own, &list_help, &args, &nargs);
	free(args);
	if (code >= 0)
		return code;
	if (nargs)
		snprintf(err.msg, sizeof(err.msg),
		         "list takes no arguments; use -l to select Applications");
	else if (o->output && !output_format_valid(o->output, "wide"))
		snprintf(err.msg, sizeof(err.msg),
		         "unable to match a printer suitable for the output format, allowed "
		         "formats are: json,name,wide,yaml");
	return err.msg[0] ? options_usage_error("list", &err) : -1;
}

int cmd_list(int argc, const char **argv)
{
	struct list_opts o = { 0 };
	struct kube_flags kf;
	int code;

	kube_flags_init(&kf);
	code = list_parse(argc, argv, &o, &kf);
	if (code < 0)
		code = list_run(&o, &kf);
	kube_flags_release(&kf);
	return code;
}
