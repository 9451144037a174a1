/*
 * kubectl gitops windows: an AppProject's sync windows at an instant, which
 * of them apply to an Application, the verdict for manual and automated
 * syncs, and when that verdict next changes.  Works on the cluster or
 * offline on files (for CI), with the evaluator of sync_window.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_common.h"
#include "commands.h"
#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "kube_flags.h"
#include "output.h"
#include "sync_window.h"
#include "table.h"
#include "timefmt.h"
#include "ui.h"

static const struct command_help windows_help = {
	.usage = "windows (PROJECT | -f APPPROJECT.yaml) [--app APP | --app-file APP.yaml] "
		 "[--at TIME] [-o json] [options]",
	.description =
		"Show an AppProject's sync windows: each window's index (the ID argocd proj\n"
		"windows uses), whether it is active at the given time, and whether it applies\n"
		"to the Application; then whether a manual and an automated sync are allowed,\n"
		"and the next time that verdict changes (searched up to a year ahead).\n"
		"\n"
		"Without an Application every window is taken to apply, so the verdict is the\n"
		"strictest one the project can impose.  The evaluation is Argo CD's\n"
		"(SyncWindows.CanSync) with one deliberate difference: a time zone's UTC offset\n"
		"is taken at the evaluated instant, where Argo CD takes it at the real current\n"
		"time; the two agree for the present and differ across a DST change.\n"
		"\n"
		"With -f the project (and --app-file the Application) are read from files and\n"
		"the cluster is not contacted.  An invalid window (bad cron, a day-of-week of 7,\n"
		"@daily, a duration such as 3600 or 1d) is an error naming the window.\n"
		"\n"
		"Exit status: 0 shown; 1 an API error; 2 a usage error or an invalid window.",
	.examples = "  # Windows of the platform project, and the verdict for the app worker\n"
		    "  kubectl gitops windows platform --app worker\n\n"
		    "  # Would a sync be allowed tonight at 23:00 UTC?  (offline, for CI)\n"
		    "  kubectl gitops windows -f project.yaml --app-file app.yaml --at "
		    "2026-03-01T23:00:00Z\n\n"
		    "  # Machine-readable\n"
		    "  kubectl gitops windows platform -o json\n",
};

struct windows_opts {
	const char *file, *app, *app_file, *at, *output;
};

struct windows_view {
	struct sync_windows ws; /* as the project has them */
	struct sync_windows eval; /* what is evaluated (shallow) */
	struct window_app app;
	int have_app;
	struct timespec at;
	int *active, *matches;
	struct window_verdict manual, automated;
	int manual_next, automated_next; /* windows_next_change() results */
	struct timespec manual_when, automated_when;
};

static const char *everything[] = { "*" };

/*
 * Without an Application every window applies: evaluate shallow copies whose
 * selector is "applications: [*]" (no strings are owned by the copies).
 */
static void eval_all(struct windows_view *v)
{
	size_t i;

	v->eval.n = v->ws.n;
	v->eval.v = calloc(v->ws.n ? v->ws.n : 1, sizeof(*v->eval.v));
	if (!v->eval.v)
		abort();
	for (i = 0; i < v->ws.n; i++) {
		v->eval.v[i] = v->ws.v[i];
		v->eval.v[i].applications.v = (char **)everything;
		v->eval.v[i].applications.n = 1;
		v->eval.v[i].namespaces.n = 0;
		v->eval.v[i].clusters.n = 0;
		v->eval.v[i].and_operator = 0;
	}
	v->app.name = v->app.dest_name = v->app.dest_server = v->app.dest_namespace = "";
}

static int evaluate(struct windows_view *v, struct errbuf *err)
{
	size_t i;

	v->active = calloc(v->ws.n + 1, sizeof(int));
	v->matches = calloc(v->ws.n + 1, sizeof(int));
	if (!v->active || !v->matches)
		abort();
	if (v->have_app)
		v->eval = v->ws;
	else
		eval_all(v);
	for (i = 0; i < v->ws.n; i++) {
		v->active[i] = window_is_active(&v->ws.v[i], &v->at, err);
		if (v->active[i] < 0)
			return -1;
		v->matches[i] = window_matches(&v->eval.v[i], &v->app);
	}
	if (windows_can_sync(&v->eval, &v->app, 1, NULL, &v->at, &v->manual, err) ||
	    windows_can_sync(&v->eval, &v->app, 0, NULL, &v->at, &v->automated, err))
		return -1;
	v->manual_next = windows_next_change(&v->eval, &v->app, 1, &v->at, &v->manual_when, err);
	if (v->manual_next < 0)
		return -1;
	v->automated_next = windows_next_change(&v->eval, &v->app, 0, &v->at, &v->automated_when,
	                                        err);
	return v->automated_next < 0 ? -1 : 0;
}

static void view_release(struct windows_view *v)
{
	if (!v->have_app)
		free(v->eval.v);
	sync_windows_release(&v->ws);
	window_verdict_release(&v->manual);
	window_verdict_release(&v->automated);
	free(v->active);
	free(v->matches);
}

static void globs_cell(struct strbuf *sb, const struct window_globs *g)
{
	size_t i;

	strbuf_reset(sb);
	for (i = 0; i < g->n; i++)
		strbuf_addf(sb, "%s%s", i ? "," : "", g->v[i]);
	if (!g->n)
		strbuf_addstr(sb, "-");
}

static void print_table(const struct windows_view *v)
{
	static const char *const headers[] = { "ID",          "STATUS",   "KIND",
		                               "SCHEDULE",    "DURATION", "APPLICATIONS",
		                               "NAMESPACES",  "CLUSTERS", "MANUALSYNC",
		                               "SYNCOVERRUN", "TIMEZONE", "USEANDOPERATOR",
		                               "MATCHES" };
	struct strbuf a = STRBUF_INIT, n = STRBUF_INIT, c = STRBUF_INIT;
	struct table t;
	char id[24];
	size_t i;

	table_init(&t, v->have_app ? 13 : 12, headers);
	for (i = 0; i < v->ws.n; i++) {
		const struct sync_window *w = &v->ws.v[i];
		const char *cells[13];

		snprintf(id, sizeof(id), "%zu", i);
		globs_cell(&a, &w->applications);
		globs_cell(&n, &w->namespaces);
		globs_cell(&c, &w->clusters);
		cells[0] = id;
		cells[1] = v->active[i] ? "Active" : "Inactive";
		cells[2] = w->kind;
		cells[3] = w->schedule;
		cells[4] = w->duration;
		cells[5] = a.buf;
		cells[6] = n.buf;
		cells[7] = c.buf;
		cells[8] = w->manual_sync ? "Enabled" : "Disabled";
		cells[9] = w->sync_overrun ? "Enabled" : "Disabled";
		cells[10] = *w->time_zone ? w->time_zone : "UTC";
		cells[11] = w->and_operator ? "Enabled" : "Disabled";
		cells[12] = v->matches[i] ? "Yes" : "No";
		table_add(&t, cells);
	}
	if (v->ws.n)
		table_print(&t, stdout);
	else
		fprintf(stderr, "No sync windows in the project.\n");
	table_release(&t);
	strbuf_release(&a);
	strbuf_release(&n);
	strbuf_release(&c);
}

static const char *allowed_why(enum window_reason r)
{
	switch (r) {
	case WINDOW_NO_WINDOWS:
		return "no window applies";
	case WINDOW_ACTIVE_ALLOW:
		return "an allow window is active";
	case WINDOW_ONLY_INACTIVE_DENY:
		return "no deny window is active";
	case WINDOW_MANUAL_OVERRIDE:
		return "every blocking window allows manual syncs";
	case WINDOW_OVERRUN:
		return "sync overrun";
	default:
		return "";
	}
}

static void print_verdict(const char *label, const struct windows_view *v,
                          const struct window_verdict *vd, int has_next, const struct timespec *when)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[TIMEFMT_RFC3339_SIZE];

	if (vd->allowed)
		strbuf_addf(&sb, "allowed (%s)", allowed_why(vd->reason));
	else {
		strbuf_addstr(&sb, "denied (");
		windows_describe_block(&sb, &v->ws, vd, NULL);
		/* describe_block adds the look-ahead note when next is NULL; cut it. */
		{
			char *semi = strstr(sb.buf, "; no sync possible");

			if (semi)
				strbuf_setlen(&sb, (size_t)(semi - sb.buf));
		}
		strbuf_addch(&sb, ')');
	}
	printf("%-16s%s\n", label, sb.buf);
	if (has_next)
		printf("%-16s%s\n", "  changes at",
		       timefmt_format_rfc3339((int64_t)when->tv_sec + (when->tv_nsec > 0), buf));
	else
		printf("%-16s%s\n", "  changes at", "not within a year");
	strbuf_release(&sb);
}

/* The earlier of the two verdict changes, which is when "the verdict" changes. */
static const struct timespec *next_change(const struct windows_view *v)
{
	if (v->manual_next && v->automated_next)
		return v->manual_when.tv_sec < v->automated_when.tv_sec ||
		                       (v->manual_when.tv_sec == v->automated_when.tv_sec &&
		                        v->manual_when.tv_nsec <= v->automated_when.tv_nsec)
		               ? &v->manual_when
		               : &v->automated_when;
	if (v->manual_next)
		return &v->manual_when;
	if (v->automated_next)
		return &v->automated_when;
	return NULL;
}

static void print_json(const struct windows_view *v)
{
	cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "windows");
	cJSON *verdict = cJSON_AddObjectToObject(root, "verdict");
	const struct timespec *next = next_change(v);
	char buf[TIMEFMT_RFC3339_SIZE];
	size_t i;

	for (i = 0; i < v->ws.n; i++) {
		const struct sync_window *w = &v->ws.v[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "index", (double)i);
		cJSON_AddStringToObject(o, "kind", w->kind);
		cJSON_AddStringToObject(o, "schedule", w->schedule);
		cJSON_AddStringToObject(o, "duration", w->duration);
		cJSON_AddStringToObject(o, "timeZone", *w->time_zone ? w->time_zone : "UTC");
		cJSON_AddBoolToObject(o, "active", v->active[i]);
		cJSON_AddBoolToObject(o, "matches", v->matches[i]);
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_AddBoolToObject(verdict, "manual", v->manual.allowed);
	cJSON_AddBoolToObject(verdict, "automated", v->automated.allowed);
	if (next)
		cJSON_AddStringToObject(
			root, "nextChange",
			timefmt_format_rfc3339((int64_t)next->tv_sec + (next->tv_nsec > 0), buf));
	else
		cJSON_AddNullToObject(root, "nextChange");
	output_json(stdout, root);
	cJSON_Delete(root);
}

/* Fills project and app from files or the cluster; 0, -1 (API error) or -2 (input). */
static int load(struct windows_opts *o, struct kube_flags *kf, const char *project, cJSON **proj,
                cJSON **app, struct errbuf *err)
{
	struct rest_config rc = { 0 };
	struct kube_client *kc;
	const char *ns = kf->namespace ? kf->namespace : APP_DEFAULT_NAMESPACE;
	int ret = 0;

	if (o->file) {
		*proj = app_load_file(o->file, "AppProject", err);
		if (*proj && o->app_file)
			*app = app_load_file(o->app_file, "Application", err);
		return *proj && (!o->app_file || *app) ? 0 : -2;
	}
	kc = kube_flags_connect(kf, &rc, err);
	if (!kc) {
		ret = err->code == -2 ? -2 : -1;
	} else if (appproject_get(kc, ns, project, proj, err)) {
		ret = -1;
	} else if (o->app_file) {
		*app = app_load_file(o->app_file, "Application", err);
		ret = *app ? 0 : -2;
	} else if (o->app && app_get(kc, ns, o->app, app, err)) {
		ret = -1;
	}
	kube_client_free(kc);
	rest_config_release(&rc);
	return ret;
}

static int run(struct windows_opts *o, const cJSON *proj, const cJSON *app)
{
	struct windows_view v = { 0 };
	struct strbuf warn = STRBUF_INIT;
	struct errbuf err;
	int ret = EXIT_OK;

	if (o->at) {
		if (timefmt_parse_rfc3339(o->at, &v.at, &err)) {
			errbuf_prefix(&err, "invalid --at");
			return options_usage_error("windows", &err);
		}
	} else {
		clock_gettime(CLOCK_REALTIME, &v.at);
	}
	if (sync_windows_from_project(proj, &v.ws, &err))
		return error("%s", err.msg), EXIT_USAGE;
	if (sync_windows_validate(&v.ws, &warn, &err)) {
		error("%s", err.msg);
		ret = EXIT_USAGE;
		goto out;
	}
	if (warn.len) {
		char *line = strtok(warn.buf, "\n");

		for (; line; line = strtok(NULL, "\n"))
			warning("%s", line);
	}
	if (app) {
		window_app_from_json(app, &v.app);
		v.have_app = 1;
	}
	if (evaluate(&v, &err)) {
		error("%s", err.msg);
		ret = EXIT_USAGE;
		goto out;
	}
	if (o->output) {
		print_json(&v);
	} else {
		print_table(&v);
		printf("\n");
		print_verdict("Manual sync:", &v, &v.manual, v.manual_next, &v.manual_when);
		print_verdict("Automated sync:", &v, &v.automated, v.automated_next,
		              &v.automated_when);
	}
out:
	strbuf_release(&warn);
	view_release(&v);
	return ret;
}

/* The flags' combination; 0, or -1 with err filled. */
static int check_flags(const struct windows_opts *o, int nargs, struct errbuf *err)
{
	if (o->output && strcmp(o->output, "json"))
		return errbuf_set(err,
		                  "unable to match a printer suitable for the output "
		                  "format \"%s\", allowed formats are: json",
		                  o->output);
	if (o->file ? nargs != 0 : nargs != 1)
		return errbuf_set(err, o->file ? "a PROJECT argument cannot be combined with -f"
		                               : "windows takes exactly one PROJECT (or -f FILE)");
	if (o->app && o->app_file)
		return errbuf_set(err, "--app and --app-file cannot be combined");
	if (o->file && o->app)
		return errbuf_set(err, "--app reads the cluster; with -f use --app-file");
	return 0;
}

int cmd_windows(int argc, const char **argv)
{
	struct windows_opts o = { 0 };
	struct kube_flags kf;
	const struct option own[] = {
		{ OPT_STRING, 'f', "filename", &o.file, "FILE",
		  "Read the AppProject from this file instead of the cluster", 0 },
		{ OPT_STRING, 0, "app", &o.app, "APP",
		  "Evaluate for this Application (read from the cluster)", 0 },
		{ OPT_STRING, 0, "app-file", &o.app_file, "FILE",
		  "Evaluate for the Application in this file", 0 },
		{ OPT_STRING, 0, "at", &o.at, "TIME",
		  "Evaluate at this RFC 3339 instant instead of now", 0 },
		{ OPT_STRING, 'o', "output", &o.output, "FORMAT", "Output format: json", 0 },
		OPT_END,
	};
	cJSON *proj = NULL, *app = NULL;
	struct errbuf err;
	const char **args;
	int nargs, ret;

	kube_flags_init(&kf);
	ret = kube_flags_parse(&kf, "windows", argc, argv, own, &windows_help, &args, &nargs);
	if (ret < 0 && check_flags(&o, nargs, &err))
		ret = options_usage_error("windows", &err);
	if (ret < 0) {
		ret = load(&o, &kf, nargs ? args[0] : NULL, &proj, &app, &err);
		ret = ret ? error_load(ret, &err) : run(&o, proj, app);
	}
	free(args);
	cJSON_Delete(proj);
	cJSON_Delete(app);
	kube_flags_release(&kf);
	return ret;
}
