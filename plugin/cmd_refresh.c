/*
 * kubectl gitops refresh APP [--hard]: ask the Argo CD controller to
 * compare the app with git again, then wait until it has (../shared/docs/
 * argocd.md §1.7): the annotation argocd.argoproj.io/refresh is set by a
 * merge patch, and the refresh is done when a newer resourceVersion of the
 * app no longer carries it (what argocd-server's Get waits for).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_common.h"
#include "commands.h"
#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "kube_flags.h"
#include "kube_watch.h"
#include "table.h"
#include "ui.h"

#define EXIT_INTERRUPTED 130

static const struct command_help refresh_help = {
	.usage = "refresh APP [-n NAMESPACE] [--hard] [--timeout DURATION] [options]",
	.description =
		"Refresh an Argo CD Application: the controller compares it with git again\n"
		"(--hard also drops its cached manifests) and updates its sync and health.\n"
		"The argocd.argoproj.io/refresh annotation is set, then the app is watched\n"
		"until the controller has removed it in a newer version of the object; the\n"
		"app's sync and health are then printed.\n"
		"\n"
		"Exit status: 0 refreshed; 1 an API error; 2 usage error; 3 the controller did\n"
		"not take the refresh within --timeout; 130 interrupted.",
	.examples = "  # Refresh the app guestbook and show its status\n"
		    "  kubectl gitops refresh guestbook\n\n"
		    "  # Also invalidate the manifest cache; wait at most 5 minutes\n"
		    "  kubectl gitops refresh guestbook --hard --timeout 5m\n",
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct after {
	const char *written_rv; /* the patch response's resourceVersion */
};

/*
 * Taken: the annotation is gone in a state newer than our patch.  Numeric
 * resourceVersions are compared as numbers (they are etcd revisions); others
 * only as "not the one we wrote".
 */
static int refresh_taken(const cJSON *app, void *data)
{
	const struct after *a = data;
	const char *rv;
	char *end1, *end2;
	long long mine, now;

	if (!app)
		return 1; /* deleted: nothing left to wait for */
	if (json_get_key(json_get(app, "metadata.annotations"), ANN_REFRESH))
		return 0;
	rv = json_str(app, "metadata.resourceVersion", "");
	mine = strtoll(a->written_rv, &end1, 10);
	now = strtoll(rv, &end2, 10);
	if (*a->written_rv && !*end1 && *rv && !*end2)
		return now > mine;
	return strcmp(rv, a->written_rv) != 0;
}

static void print_status(const char *name, const char *mode, const cJSON *app)
{
	static const char *const headers[] = { "NAME", "SYNC", "HEALTH", "REVISION", "MESSAGE" };
	const char *cells[5];
	struct table t;

	printf("Application '%s' refreshed (%s)\n", name, mode);
	table_init(&t, 5, headers);
	cells[0] = name;
	cells[1] = json_str(app, "status.sync.status", "Unknown");
	cells[2] = json_str(app, "status.health.status", "Unknown");
	cells[3] = json_str(app, "status.sync.revision", "");
	cells[4] = json_str(app, "status.health.message", "");
	table_add(&t, cells);
	table_print(&t, stdout);
	table_release(&t);
}

static int wait_taken(const struct rest_config *rc, const char *ns, const char *name,
                      const char *mode, const char *written_rv, int64_t timeout_ns)
{
	struct kube_watch *kw;
	struct strbuf path = STRBUF_INIT;
	struct after a = { written_rv };
	struct errbuf err;
	cJSON *last = NULL;
	int r, ret = EXIT_OK;

	kw = kube_watch_new(rc, &err);
	if (!kw)
		return error_api(&err);
	kube_watch_set_stop_flag(kw, &interrupted);
	kube_client_set_user_agent(kube_watch_client(kw), "kubectl-gitops/" GITOPS_VERSION);
	app_path(&path, ns, NULL);
	r = kube_watch_object(kw, path.buf, name,
	                      timeout_ns ? kube_monotonic_ms() + timeout_ns / 1000000 : 0,
	                      refresh_taken, &a, &last, &err);
	if (r == KUBE_WATCH_STOPPED && !last)
		ret = error("application '%s' was deleted while refreshing", name);
	else if (r == KUBE_WATCH_STOPPED)
		print_status(name, mode, last);
	else if (r == KUBE_WATCH_TIMED_OUT)
		ret = EXIT_TIMEOUT, error("timed out waiting for the controller to refresh "
		                          "application '%s'",
		                          name);
	else if (r == KUBE_WATCH_INTERRUPTED)
		ret = EXIT_INTERRUPTED, error("interrupted");
	else
		ret = error_api(&err);
	cJSON_Delete(last);
	kube_watch_free(kw);
	strbuf_release(&path);
	return ret;
}

static int refresh(struct kube_flags *kf, const char *name, const char *mode, int64_t timeout_ns)
{
	struct rest_config rc = { 0 };
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	struct kube_client *kc;
	struct errbuf err;
	cJSON *written = NULL;
	const char *ns = kf->namespace ? kf->namespace : APP_DEFAULT_NAMESPACE;
	int ret;

	kc = kube_flags_connect(kf, &rc, &err);
	if (!kc) {
		ret = err.code == -2 ? options_usage_error("refresh", &err) : error_api(&err);
		rest_config_release(&rc);
		return ret;
	}
	app_path(&path, ns, name);
	strbuf_addf(&body, "{\"metadata\":{\"annotations\":{\"%s\":\"%s\"}}}", ANN_REFRESH, mode);
	if (kube_patch(kc, path.buf, KUBE_PATCH_MERGE, body.buf, NULL, &written, &err))
		ret = error_api(&err);
	else
		ret = wait_taken(&rc, ns, name, mode,
		                 json_str(written, "metadata.resourceVersion", ""), timeout_ns);
	cJSON_Delete(written);
	strbuf_release(&path);
	strbuf_release(&body);
	kube_client_free(kc);
	rest_config_release(&rc);
	return ret;
}

/* The flags' combination; 0, or -1 with err filled. */
static int check_flags(int nargs, const char *timeout, int64_t *timeout_ns, struct errbuf *err)
{
	if (nargs != 1)
		return errbuf_set(err, "refresh takes exactly one APP");
	return options_parse_duration("--timeout", timeout, timeout_ns, err);
}

int cmd_refresh(int argc, const char **argv)
{
	int hard = 0;
	const char *timeout = "1m";
	const struct option own[] = {
		{ OPT_BOOL, 0, "hard", &hard, NULL,
		  "Also invalidate the controller's cached manifests", 0 },
		{ OPT_STRING, 0, "timeout", &timeout, "DURATION",
		  "How long to wait for the controller (default 1m; 0 = no limit)", 0 },
		OPT_END,
	};
	struct kube_flags kf;
	struct errbuf err;
	const char **args;
	int64_t timeout_ns = 0;
	int nargs, ret;

	kube_flags_init(&kf);
	ret = kube_flags_parse(&kf, "refresh", argc, argv, own, &refresh_help, &args, &nargs);
	if (ret < 0 && check_flags(nargs, timeout, &timeout_ns, &err))
		ret = options_usage_error("refresh", &err);
	if (ret < 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		ret = refresh(&kf, args[0], hard ? "hard" : "normal", timeout_ns);
	}
	free(args);
	kube_flags_release(&kf);
	return ret;
}
