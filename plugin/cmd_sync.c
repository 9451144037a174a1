/*
 * kubectl gitops sync: sync Applications as argocd does, then cascade into
 * the child Applications of an app-of-apps, wave by wave, waiting for each
 * wave to be Synced and Healthy before the next (../shared/docs/argocd.md
 * §1-§4).  This file is the command line: flags, their validation, and
 * reading the named apps; sync_cmd.h says where the rest lives.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app_cache.h"
#include "app_common.h"
#include "commands.h"
#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "kube_flags.h"
#include "kube_watch.h"
#include "sync_cmd.h"
#include "ui.h"

static const struct command_help sync_help = {
	.usage = "sync APP... [-n NAMESPACE] [--cascade=false] [--app PATTERN] [-l SELECTOR] "
		 "[--resource [!]GROUP:KIND:[NS/]NAME] [--parallel N] [--plan] [options]",
	.description =
		"Sync Argo CD Applications through the Kubernetes API, as argocd app sync does:\n"
		"the operation is written to the Application (refused when another operation\n"
		"is in progress or a sync window blocks a manual sync), then followed until it\n"
		"completes and the controller has reconciled.\n"
		"\n"
		"Cascade (the default): when an app succeeds, its child Applications (from\n"
		"status.resources, any depth, each app once) are synced in the order of their\n"
		"argocd.argoproj.io/sync-wave annotation.  A wave is done when each of its apps\n"
		"finished its operation with Succeeded, its own children are done, and it is\n"
		"Synced and Healthy; Degraded or a failed operation fails the wave and later\n"
		"waves are not started.  At most --parallel syncs run at once within a wave.\n"
		"Children already Synced and Healthy are not synced again (unless\n"
		"--force-children), but their children are still visited.  --app,\n"
		"--exclude-app and -l choose the children that take part (an unselected child\n"
		"is left out with its subtree).  --resource restricts each app's sync to the\n"
		"matching resources (argocd's syntax and rules); an app where nothing matches\n"
		"is not synced, and it is an error when nothing matches anywhere.\n"
		"\n"
		"An app whose Argo Rollout is paused at a step (Suspended or Progressing) is\n"
		"waiting for a human: the progress and the summary show the step and the\n"
		"`kubectl gitops rollout promote` command that goes on, and the sync keeps\n"
		"waiting (promote from another terminal) until --health-timeout or --timeout.\n"
		"\n"
		"Sync options from flags are merged into the app's own syncOptions (argocd\n"
		"replaces them).  Progress goes to stderr: a live tree on a terminal, else one\n"
		"timestamped line per change; the summary (or -o json) goes to stdout.\n"
		"\n"
		"Exit status: 0 every app succeeded (or was already in sync); 1 a sync failed,\n"
		"was degraded or was refused, or an API error; 2 usage error; 3 timed out\n"
		"(--timeout, or --health-timeout for an app); 130 interrupted.",
	.examples = "  # Sync the app-of-apps platform and all its children, wave by wave\n"
		    "  kubectl gitops sync platform\n\n"
		    "  # Show what would be synced, in which waves\n"
		    "  kubectl gitops sync platform --plan\n\n"
		    "  # Only the children named api-*, two at a time, with pruning\n"
		    "  kubectl gitops sync platform --app 'api-*' --parallel 2 --prune\n\n"
		    "  # Everything but Services; give up after ten minutes\n"
		    "  kubectl gitops sync platform --resource '!:Service:*' --timeout 10m\n",
};
static int check_flags(struct sync_cmd *c, int nargs, struct errbuf *err)
{
	int64_t t = 0, h = 0;
	size_t i;

	if (!nargs)
		return errbuf_set(err, "at least one APP is required");
	if (c->output && strcmp(c->output, "json"))
		return errbuf_set(err,
		                  "unable to match a printer suitable for the output format "
		                  "\"%s\", allowed formats are: json",
		                  c->output);
	if (c->parallel < 1)
		return errbuf_set(err, "--parallel must be at least 1");
	if (options_parse_duration("--timeout", c->timeout, &t, err) ||
	    options_parse_duration("--health-timeout", c->health_timeout, &h, err) ||
	    options_parse_duration("--retry-backoff-duration", c->backoff, &c->op.retry_backoff_ns,
	                           err) ||
	    options_parse_duration("--retry-backoff-max-duration", c->backoff_max,
	                           &c->op.retry_backoff_max_ns, err))
		return -1;
	c->deadline_ms = t ? kube_monotonic_ms() + t / 1000000 : 0;
	c->health_timeout_ms = h / 1000000;
	for (i = 0; i < c->resources.n; i++)
		if (resource_filters_add(&c->rf, c->resources.items[i], err))
			return -1;
	return sync_op_opts_check(&c->op, err);
}

static int load_labelled(struct sync_cmd *c, struct errbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct kube_list_opts lo = { 0 };
	cJSON *list = NULL;
	const cJSON *it;
	int ret;

	app_path(&path, c->ns, NULL);
	lo.label_selector = c->selector;
	ret = kube_list(c->kc, path.buf, &lo, &list, err);
	c->labelled = cJSON_CreateObject();
	cJSON_ArrayForEach (it, json_get(list, "items")) {
		struct strbuf key = STRBUF_INIT;

		strbuf_addf(&key, "%s/%s", app_ns(it), app_name(it));
		cJSON_AddTrueToObject(c->labelled, key.buf);
		strbuf_release(&key);
	}
	c->sel.labelled = c->labelled;
	cJSON_Delete(list);
	strbuf_release(&path);
	return ret;
}

/* Reads the named apps (NotFound fails early, as argocd does) and the cache. */
static int prepare(struct sync_cmd *c, const char **args, int nargs, struct errbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	cJSON *list = NULL;
	int i, ret = 0;

	app_path(&path, c->ns, NULL);
	if (kube_list(c->kc, path.buf, NULL, &list, err))
		ret = -1;
	else
		app_cache_list(&c->cache, list);
	for (i = 0; !ret && i < nargs; i++) {
		cJSON *app = NULL;

		if (app_get(c->kc, c->ns, args[i], &app, err))
			ret = -1;
		cJSON_Delete(app);
		if (!ret && !sync_plan_add_root(&c->plan_, c->ns, args[i]))
			warning("application '%s' is named twice", args[i]);
	}
	if (!ret && c->selector)
		ret = load_labelled(c, err);
	cJSON_Delete(list);
	strbuf_release(&path);
	return ret;
}

static int run(struct sync_cmd *c, struct kube_flags *kf, const char **args, int nargs)
{
	struct errbuf err;
	int wr, ret;

	c->kc = kube_flags_connect(kf, &c->rc, &err);
	if (!c->kc)
		return err.code == -2 ? options_usage_error("sync", &err) : error_api(&err);
	c->ns = kf->namespace ? kf->namespace : APP_DEFAULT_NAMESPACE;
	if (prepare(c, args, nargs, &err))
		return error_api(&err);
	if (c->plan)
		return sync_print_plan(c);
	c->op.username = app_whoami(c->kc, &c->rc);
	sync_catch_signals();
	sync_progress_init(&c->pg, stderr, !c->async && isatty(fileno(stderr)), ui_use_color(stderr));
	wr = sync_follow(c, &err);
	if (wr == KUBE_WATCH_ERROR) {
		ret = error_api(&err);
	} else {
		ret = sync_finish(c, wr);
	}
	free((char *)c->op.username);
	sync_progress_release(&c->pg);
	return ret;
}

int cmd_sync(int argc, const char **argv)
{
	struct sync_cmd c = { .cascade = 1, .parallel = 8 };
	struct kube_flags kf;
	const struct option own[] = {
		{ OPT_BOOL, 0, "cascade", &c.cascade, NULL,
		  "Also sync child Applications, wave by wave (default true)", 0 },
		{ OPT_BOOL, 0, "force-children", &c.force_children, NULL,
		  "Sync children even when they are already Synced and Healthy", 0 },
		{ OPT_STRING_LIST, 0, "app", &c.sel.apps, "PATTERN",
		  "Only children whose name matches this glob (repeatable)", 0 },
		{ OPT_STRING_LIST, 0, "exclude-app", &c.sel.exclude, "PATTERN",
		  "Leave out children whose name matches this glob (repeatable)", 0 },
		{ OPT_STRING, 'l', "selector", &c.selector, "SELECTOR",
		  "Only children matching this label selector", 0 },
		{ OPT_STRING_LIST, 0, "resource", &c.resources, "[!]GROUP:KIND:[NS/]NAME",
		  "Sync only matching resources; '!' excludes, '*' is any (repeatable)", 0 },
		{ OPT_INT, 0, "parallel", &c.parallel, "N",
		  "At most N syncs at once within a wave (default 8)", 0 },
		{ OPT_BOOL, 0, "plan", &c.plan, NULL,
		  "Print the waves and apps that would be synced, and exit", 0 },
		{ OPT_BOOL, 0, "prune", &c.op.prune, NULL, "Allow deleting unwanted resources", 0 },
		{ OPT_BOOL, 0, "dry-run", &c.op.dry_run, NULL, "Preview the sync without applying",
		  0 },
		{ OPT_BOOL, 0, "force", &c.op.force, NULL, "Use a force apply", 0 },
		{ OPT_STRING, 0, "strategy", &c.op.strategy, "STRATEGY",
		  "Sync strategy: hook (default) or apply", 0 },
		{ OPT_BOOL, 0, "server-side", &c.op.server_side, NULL, "Use server-side apply", 0 },
		{ OPT_BOOL, 0, "apply-out-of-sync-only", &c.op.apply_out_of_sync_only, NULL,
		  "Apply only the resources that are OutOfSync", 0 },
		{ OPT_BOOL, 0, "replace", &c.op.replace, NULL,
		  "Use kubectl replace/create instead of apply", 0 },
		{ OPT_STRING, 0, "revision", &c.op.revision, "REVISION",
		  "Sync to this revision instead of the target revision", 0 },
		{ OPT_INT, 0, "retry-limit", &c.op.retry_limit, "N",
		  "Retry a failed sync N times (negative: forever)", 0 },
		{ OPT_STRING, 0, "retry-backoff-duration", &c.backoff, "DURATION",
		  "First retry backoff (default 5s)", 0 },
		{ OPT_INT, 0, "retry-backoff-factor", &c.op.retry_factor, "N",
		  "Backoff growth factor (default 2)", 0 },
		{ OPT_STRING, 0, "retry-backoff-max-duration", &c.backoff_max, "DURATION",
		  "Largest retry backoff (default 3m0s)", 0 },
		{ OPT_STRING_LIST, 0, "info", &c.op.info, "NAME=VALUE",
		  "Add an info item to the operation (repeatable)", 0 },
		{ OPT_BOOL, 0, "async", &c.async, NULL,
		  "Trigger the named apps and return without waiting (no cascade)", 0 },
		{ OPT_STRING, 0, "timeout", &c.timeout, "DURATION",
		  "Give up after this long in all (exit 3; default: no limit)", 0 },
		{ OPT_STRING, 0, "health-timeout", &c.health_timeout, "DURATION",
		  "Give up on an app not Synced and Healthy this long after its sync (exit 3)", 0 },
		{ OPT_BOOL, 0, "terminate-on-interrupt", &c.terminate_on_interrupt, NULL,
		  "On Ctrl-C or SIGTERM also terminate the operations started", 0 },
		{ OPT_STRING, 'o', "output", &c.output, "FORMAT", "Output format: json", 0 },
		OPT_END,
	};
	struct errbuf err;
	const char **args;
	int nargs, ret;

	kube_flags_init(&kf);
	sync_plan_init(&c.plan_);
	c.projects = cJSON_CreateObject();
	ret = kube_flags_parse(&kf, "sync", argc, argv, own, &sync_help, &args, &nargs);
	if (ret < 0 && check_flags(&c, nargs, &err))
		ret = options_usage_error("sync", &err);
	if (ret < 0)
		ret = run(&c, &kf, args, nargs);
	free(args);
	kube_client_free(c.kc);
	rest_config_release(&c.rc);
	cJSON_Delete(c.cache);
	cJSON_Delete(c.labelled);
	cJSON_Delete(c.projects);
	cJSON_Delete(c.rollouts);
	resource_filters_release(&c.rf);
	sync_plan_release(&c.plan_);
	strlist_release(&c.sel.apps);
	strlist_release(&c.sel.exclude);
	strlist_release(&c.resources);
	strlist_release(&c.op.info);
	kube_flags_release(&kf);
	return ret;
}
