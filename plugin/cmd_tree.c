/*
 * kubectl gitops tree APP: the app-of-apps tree under an Application, from
 * each app's status.resources (any depth, each app once: sync_plan.h),
 * with wave, sync, health, operation phase and message per app; -w
 * follows it with one watch on the namespace's Applications.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app_cache.h"
#include "app_common.h"
#include "commands.h"
#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "kube_flags.h"
#include "kube_watch.h"
#include "output.h"
#include "sync_plan.h"
#include "sync_progress.h"
#include "table.h"
#include "timefmt.h"
#include "ui.h"
#include "xalloc.h"
#include "yaml_json.h"

#define EXIT_INTERRUPTED 130

static const struct command_help tree_help = {
	.usage = "tree APP [-n NAMESPACE] [-o json|yaml|wide] [-w [--timeout DURATION]] [options]",
	.description =
		"Show the app-of-apps tree under an Argo CD Application: its child Applications\n"
		"(from status.resources, at any depth; an app listed by several parents, or by\n"
		"itself, is shown once) ordered by sync wave, with their sync status, health,\n"
		"last operation phase and message.  Children not created yet show as Missing.\n"
		"\n"
		"-w follows the tree live with one watch on the namespace's Applications: on a\n"
		"terminal it is redrawn in place, otherwise one timestamped line is printed per\n"
		"app that changed.  It stops, with exit status 0, once every app of the tree\n"
		"exists, is Synced and Healthy, and has no operation in progress (argocd app\n"
		"wait's rule, including the reconcile after a sync); or on Ctrl-C (exit 130);\n"
		"or after --timeout (exit 3).\n"
		"\n"
		"Exit status: 0 success; 1 an API error; 2 usage error; 3 timed out; 130\n"
		"interrupted.",
	.examples = "  # The tree under the app-of-apps platform\n"
		    "  kubectl gitops tree platform\n\n"
		    "  # Follow it until everything is in sync, at most ten minutes\n"
		    "  kubectl gitops tree platform -w --timeout 10m\n\n"
		    "  # For scripts: the tree as nested JSON\n"
		    "  kubectl gitops tree platform -o json\n",
};

struct tree_cmd {
	const char *output, *timeout;
	int watch, wide;
	const char *ns, *name;
	cJSON *cache; /* name -> Application */
	struct sync_plan plan;
	/* -w */
	int live;
	cJSON *last; /* "ns/name" -> last line printed */
	int header_done;
	size_t drawn_lines;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static const cJSON *lookup(const char *ns, const char *name, void *data)
{
	struct tree_cmd *c = data;

	return strcmp(ns, c->ns) ? NULL : json_get_key(c->cache, name);
}

static void copy_field(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static void fill(struct tree_cmd *c, struct sync_node *n)
{
	const cJSON *app = lookup(n->ns, n->name, c);
	const char *m;
	size_t i;

	free(n->message);
	n->message = NULL;
	if (!app) {
		copy_field(n->health, sizeof(n->health), "Missing");
		n->message = xstrdup("application not found");
		return;
	}
	copy_field(n->phase, sizeof(n->phase), json_str(app, "status.operationState.phase", ""));
	copy_field(n->sync, sizeof(n->sync), json_str(app, "status.sync.status", ""));
	copy_field(n->health, sizeof(n->health), json_str(app, "status.health.status", ""));
	m = json_str(app, "status.operationState.message", "");
	if (!*m || !strcmp(n->phase, "Succeeded"))
		m = json_str(app, "status.health.message", m);
	n->message = *m ? xstrdup(m) : NULL;
	sync_plan_discover(&c->plan, n, app, c->ns, NULL, lookup, c);
	for (i = 0; i < n->nchildren; i++)
		fill(c, n->children[i]);
}

/* Rebuilds the tree from the cache (cheap: no requests). */
static void build(struct tree_cmd *c)
{
	sync_plan_release(&c->plan);
	sync_plan_init(&c->plan);
	fill(c, sync_plan_add_root(&c->plan, c->ns, c->name));
}

/* --- printing --------------------------------------------------------------- */

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

struct rows {
	struct tree_cmd *c;
	struct table t;
};

static void add_row(struct sync_node *n, void *data)
{
	struct rows *r = data;
	const cJSON *app = lookup(n->ns, n->name, r->c);
	struct strbuf name = STRBUF_INIT, wave = STRBUF_INIT;
	const char *cells[9];
	size_t k = 0;

	sync_progress_tree_prefix(n, &name);
	strbuf_addstr(&name, n->name);
	strbuf_addf(&wave, "%d", n->wave);
	cells[k++] = name.buf;
	if (r->c->wide) {
		cells[k++] = n->ns;
		cells[k++] = or_dash(json_str(app, "spec.project", ""));
	}
	cells[k++] = wave.buf;
	cells[k++] = or_dash(n->sync);
	cells[k++] = or_dash(n->health);
	cells[k++] = or_dash(n->phase);
	if (r->c->wide)
		cells[k++] = or_dash(json_str(app, "status.sync.revision", ""));
	cells[k++] = n->message ? n->message : "";
	table_add(&r->t, cells);
	strbuf_release(&name);
	strbuf_release(&wave);
}

static void print_table(struct tree_cmd *c, FILE *out)
{
	static const char *const narrow[] = { "APP",    "WAVE",      "SYNC",
		                              "HEALTH", "OPERATION", "MESSAGE" };
	static const char *const wide[] = { "APP",    "NAMESPACE", "PROJECT",  "WAVE",   "SYNC",
		                            "HEALTH", "OPERATION", "REVISION", "MESSAGE" };
	struct rows r = { c, { 0 } };

	table_init(&r.t, c->wide ? 9 : 6, c->wide ? wide : narrow);
	sync_plan_walk(c->plan.root, add_row, &r);
	table_print(&r.t, out);
	table_release(&r.t);
}

static void add_str(cJSON *o, const char *key, const char *v)
{
	if (v && *v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *node_json(struct tree_cmd *c, const struct sync_node *n)
{
	const cJSON *app = lookup(n->ns, n->name, c);
	cJSON *o = cJSON_CreateObject(), *kids;
	size_t i;

	cJSON_AddStringToObject(o, "name", n->name);
	cJSON_AddStringToObject(o, "namespace", n->ns);
	cJSON_AddNumberToObject(o, "wave", n->wave);
	cJSON_AddBoolToObject(o, "exists", app != NULL);
	add_str(o, "sync", n->sync);
	add_str(o, "health", n->health);
	add_str(o, "phase", n->phase);
	add_str(o, "message", n->message);
	add_str(o, "revision", json_str(app, "status.sync.revision", ""));
	add_str(o, "startedAt", json_str(app, "status.operationState.startedAt", ""));
	add_str(o, "finishedAt", json_str(app, "status.operationState.finishedAt", ""));
	kids = cJSON_AddArrayToObject(o, "children");
	for (i = 0; i < n->nchildren; i++)
		cJSON_AddItemToArray(kids, node_json(c, n->children[i]));
	return o;
}

static void print_once(struct tree_cmd *c)
{
	cJSON *j;

	if (!c->output || c->wide) {
		print_table(c, stdout);
		return;
	}
	j = node_json(c, c->plan.root->children[0]);
	if (!strcmp(c->output, "json")) {
		output_json(stdout, j);
	} else {
		struct strbuf sb = STRBUF_INIT;

		yamljson_emit(&sb, j);
		fputs(sb.buf, stdout);
		strbuf_release(&sb);
	}
	cJSON_Delete(j);
}

/* --- -w ------------------------------------------------------------------------ */

static void done_walk(struct sync_node *n, void *data)
{
	struct tree_cmd *c = ((void **)data)[0];
	int *done = ((void **)data)[1];
	const cJSON *app = lookup(n->ns, n->name, c);

	if (!app || strcmp(n->sync, "Synced") || strcmp(n->health, "Healthy") ||
	    app_operation_in_progress(app))
		*done = 0;
}

/* Every app exists, is Synced and Healthy, with no operation in progress. */
static int tree_done(struct tree_cmd *c)
{
	int done = 1;
	void *data[2] = { c, &done };

	sync_plan_walk(c->plan.root, done_walk, data);
	return done;
}

static void change_line(struct sync_node *n, void *data)
{
	struct tree_cmd *c = data;
	struct strbuf line = STRBUF_INIT, key = STRBUF_INIT;
	char ts[TIMEFMT_RFC3339_SIZE];
	const cJSON *old;

	term_escape(&line, n->name);
	strbuf_addf(&line, " %d %s %s %s", n->wave, or_dash(n->sync), or_dash(n->health),
	            or_dash(n->phase));
	if (n->message) {
		strbuf_addch(&line, ' ');
		term_escape(&line, n->message);
	}
	strbuf_addf(&key, "%s/%s", n->ns, n->name);
	old = json_get_key(c->last, key.buf);
	if (!old || strcmp(old->valuestring, line.buf)) {
		cJSON_DeleteItemFromObjectCaseSensitive(c->last, key.buf);
		cJSON_AddStringToObject(c->last, key.buf, line.buf);
		if (!c->header_done++)
			printf("%-20s %-28s %5s  %-9s %-11s %-11s %s\n", "TIMESTAMP", "APP", "WAVE",
			       "SYNC", "HEALTH", "OPERATION", "MESSAGE");
		strbuf_reset(&line);
		term_escape(&line, n->name);
		printf("%-20s %-28s %5d  %-9s %-11s %-11s ", timefmt_format_rfc3339(time(NULL), ts),
		       line.buf, n->wave, or_dash(n->sync), or_dash(n->health), or_dash(n->phase));
		strbuf_reset(&line);
		if (n->message)
			term_escape(&line, n->message);
		printf("%s\n", line.buf);
	}
	strbuf_release(&line);
	strbuf_release(&key);
}

static void redraw(struct tree_cmd *c)
{
	char *buf = NULL;
	size_t len = 0, i, lines = 0;
	FILE *mem = open_memstream(&buf, &len);

	if (!mem)
		return;
	print_table(c, mem);
	fclose(mem);
	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	if (c->drawn_lines)
		printf("\033[%zuA\r\033[J", c->drawn_lines);
	fputs(buf, stdout);
	c->drawn_lines = lines;
	free(buf);
}

static void show(struct tree_cmd *c)
{
	if (c->live)
		redraw(c);
	else
		sync_plan_walk(c->plan.root, change_line, c);
	fflush(stdout);
}

static int on_event(struct kube_event *ev, void *data)
{
	struct tree_cmd *c = data;

	if (app_cache_event(&c->cache, ev, 0) < 0)
		return 0;
	build(c);
	show(c);
	return tree_done(c);
}

static int watch_tree(struct tree_cmd *c, const struct rest_config *rc, int64_t timeout_ns)
{
	struct kube_watch_opts wo = { 0 };
	struct strbuf path = STRBUF_INIT;
	struct sigaction sa;
	struct errbuf err;
	struct kube_watch *kw = kube_watch_new(rc, &err);
	int r;

	if (!kw)
		return error_api(&err);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	kube_watch_set_stop_flag(kw, &interrupted);
	kube_client_set_user_agent(kube_watch_client(kw), "kubectl-gitops/" GITOPS_VERSION);
	c->live = isatty(fileno(stdout));
	c->last = cJSON_CreateObject();
	wo.deadline_ms = timeout_ns ? kube_monotonic_ms() + timeout_ns / 1000000 : 0;
	app_path(&path, c->ns, NULL);
	r = kube_watch_follow(kw, path.buf, &wo, on_event, c, &err);
	kube_watch_free(kw);
	strbuf_release(&path);
	switch (r) {
	case KUBE_WATCH_STOPPED:
		return EXIT_OK;
	case KUBE_WATCH_TIMED_OUT:
		error("timed out waiting for the tree of '%s' to be Synced and Healthy", c->name);
		return EXIT_TIMEOUT;
	case KUBE_WATCH_INTERRUPTED:
		return EXIT_INTERRUPTED;
	default:
		return error_api(&err);
	}
}

/* --- setup ----------------------------------------------------------------------- */

static int run(struct tree_cmd *c, struct kube_flags *kf, int64_t timeout_ns)
{
	struct rest_config rc = { 0 };
	struct strbuf path = STRBUF_INIT;
	struct kube_client *kc;
	struct errbuf err;
	cJSON *list = NULL, *app = NULL;
	int ret = EXIT_OK;

	kc = kube_flags_connect(kf, &rc, &err);
	if (!kc) {
		rest_config_release(&rc);
		return err.code == -2 ? options_usage_error("tree", &err) : error_api(&err);
	}
	c->ns = kf->namespace ? kf->namespace : APP_DEFAULT_NAMESPACE;
	app_path(&path, c->ns, NULL);
	if (kube_list(kc, path.buf, NULL, &list, &err)) {
		ret = error_api(&err);
	} else {
		app_cache_list(&c->cache, list);
		/* not listed: let the server say why, in its words */
		if (!json_get_key(c->cache, c->name) && app_get(kc, c->ns, c->name, &app, &err))
			ret = error_api(&err);
		else if (!json_get_key(c->cache, c->name))
			app_cache_put(&c->cache, c->name, app), app = NULL;
	}
	if (ret == EXIT_OK) {
		build(c);
		if (!c->watch)
			print_once(c);
		else
			ret = watch_tree(c, &rc, timeout_ns);
	}
	cJSON_Delete(list);
	cJSON_Delete(app);
	strbuf_release(&path);
	kube_client_free(kc);
	rest_config_release(&rc);
	return ret;
}

static int check_flags(struct tree_cmd *c, int nargs, int64_t *timeout_ns, struct errbuf *err)
{
	if (nargs != 1)
		return errbuf_set(err, "tree takes exactly one APP");
	if (c->output && strcmp(c->output, "json") && strcmp(c->output, "yaml") &&
	    strcmp(c->output, "wide"))
		return errbuf_set(err,
		                  "unable to match a printer suitable for the output format "
		                  "\"%s\", allowed formats are: json,wide,yaml",
		                  c->output);
	c->wide = c->output && !strcmp(c->output, "wide");
	if (c->watch && c->output && !c->wide)
		return errbuf_set(err, "-w prints a table: it cannot be combined with -o %s",
		                  c->output);
	if (c->timeout && !c->watch)
		return errbuf_set(err, "--timeout is only for -w");
	return options_parse_duration("--timeout", c->timeout, timeout_ns, err);
}

int cmd_tree(int argc, const char **argv)
{
	struct tree_cmd c = { 0 };
	const struct option own[] = {
		{ OPT_STRING, 'o', "output", &c.output, "FORMAT",
		  "Output format: wide, json or yaml", 0 },
		{ OPT_BOOL, 'w', "watch", &c.watch, NULL,
		  "Follow the tree until it is Synced and Healthy", 0 },
		{ OPT_STRING, 0, "timeout", &c.timeout, "DURATION",
		  "With -w: give up after this long (exit 3; default: no limit)", 0 },
		OPT_END,
	};
	struct kube_flags kf;
	struct errbuf err;
	const char **args;
	int64_t timeout_ns = 0;
	int nargs, ret;

	kube_flags_init(&kf);
	sync_plan_init(&c.plan);
	ret = kube_flags_parse(&kf, "tree", argc, argv, own, &tree_help, &args, &nargs);
	if (ret < 0 && check_flags(&c, nargs, &timeout_ns, &err))
		ret = options_usage_error("tree", &err);
	if (ret < 0) {
		c.name = args[0];
		ret = run(&c, &kf, timeout_ns);
	}
	free(args);
	cJSON_Delete(c.cache);
	cJSON_Delete(c.last);
	sync_plan_release(&c.plan);
	kube_flags_release(&kf);
	return ret;
}
