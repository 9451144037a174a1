/*
 * kubectl gitops rollout get NAME: the rollout and its revision tree
 * (rollout_tree.h).  Reads only what the rollout owns: its ReplicaSets and
 * Pods by the rollout's label selector, its AnalysisRuns by the pod
 * template hashes of those ReplicaSets — never a namespace-wide list.
 * With -w it redraws (on a terminal) or prints each change (otherwise) and
 * exits once the rollout is Healthy (0) or Degraded (1), fixing
 * argo-rollouts #1172.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "duration.h"
#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "kube_watch.h"
#include "output.h"
#include "rollout_cli.h"
#include "rollout_phase.h"
#include "rollout_tree.h"
#include "ui.h"
#include "yaml_json.h"

/* Pods change without the Rollout changing: redraw at least this often. */
#define REDRAW_MS 1000

static const struct command_help get_help = {
	.usage = "rollout get ROLLOUT_NAME [-w] [--timeout DURATION] [-o json|yaml] [options]",
	.description =
		"Show a rollout: status, strategy, step and weights, images, replicas, and a\n"
		"tree of its revisions with their ReplicaSets, Pods and AnalysisRuns.\n"
		"-w redraws until the rollout is Healthy (exit 0) or Degraded (exit 1).\n\n"
		"Icons: ⟳ Rollout, # revision, ⧉ ReplicaSet, □ Pod, α AnalysisRun;\n"
		"✔ healthy/ok, ✖ degraded/failed, ◌ progressing, ॥ paused, ⚠ inconclusive,\n"
		"• scaled down, ? unknown.",
	.examples =
		"  # Where is the canary?\n  kubectl gitops rollout get checkout\n\n"
		"  # Follow it until it is done\n  kubectl gitops rollout get checkout -w\n\n"
		"  # The same data for scripts\n  kubectl gitops rollout get checkout -o json\n",
};

struct get_data {
	cJSON *ro, *rsets, *pods, *ars;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void get_data_release(struct get_data *d)
{
	cJSON_Delete(d->ro);
	cJSON_Delete(d->rsets);
	cJSON_Delete(d->pods);
	cJSON_Delete(d->ars);
	memset(d, 0, sizeof(*d));
}

static int list_into(struct rollout_cli *c, const char *group, const char *resource,
                     const char *selector, cJSON **out, struct errbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct kube_list_opts lo = { 0 };
	cJSON *l = NULL;
	int r;

	kube_path(&path, group, group && !strcmp(group, "argoproj.io") ? "v1alpha1" : "v1",
	          resource, c->ns, NULL, NULL);
	lo.label_selector = selector;
	r = kube_list(c->kc, path.buf, &lo, &l, err);
	strbuf_release(&path);
	if (r)
		return -1;
	*out = cJSON_DetachItemFromObjectCaseSensitive(l, "items");
	cJSON_Delete(l);
	if (!*out)
		*out = cJSON_CreateArray();
	return 0;
}

/* "rollouts-pod-template-hash in (h1,h2)" for the rollout's ReplicaSets. */
static void hash_selector(const cJSON *ro, const cJSON *rsets, struct strbuf *sel)
{
	const char *uid = json_str(ro, "metadata.uid", "");
	const cJSON *rs, *ref;
	size_t n = 0;

	strbuf_addstr(sel, "rollouts-pod-template-hash in (");
	cJSON_ArrayForEach (rs, rsets)
		cJSON_ArrayForEach (ref, json_get(rs, "metadata.ownerReferences"))
			if (!strcmp(json_str(ref, "uid", ""), uid)) {
				const char *h = json_str(
					json_get_key(json_get(rs, "metadata.labels"),
				                     "rollouts-pod-template-hash"),
					NULL, NULL);

				if (h)
					strbuf_addf(sel, "%s%s", n++ ? "," : "", h);
				break;
			}
	strbuf_addch(sel, ')');
	if (!n)
		strbuf_reset(sel);
}

static int fetch(struct rollout_cli *c, const char *name, struct get_data *d)
{
	struct strbuf sel = STRBUF_INIT, hashes = STRBUF_INIT;
	struct errbuf err = { 0 };
	int code = 0;

	if (rollout_get(c, name, &d->ro, &err))
		return rollout_api_error(c, &err, "get", "rollouts", "argoproj.io");
	rollout_selector_string(&sel, json_get(d->ro, "spec.selector"));
	if (!sel.len) {
		/* An empty selector would match everything: read nothing instead. */
		d->rsets = cJSON_CreateArray();
		d->pods = cJSON_CreateArray();
	} else if (list_into(c, "apps", "replicasets", sel.buf, &d->rsets, &err)) {
		code = rollout_api_error(c, &err, "list", "replicasets", "apps");
	} else if (list_into(c, NULL, "pods", sel.buf, &d->pods, &err)) {
		code = rollout_api_error(c, &err, "list", "pods", "");
	}
	if (!code) {
		hash_selector(d->ro, d->rsets, &hashes);
		if (!hashes.len)
			d->ars = cJSON_CreateArray();
		else if (list_into(c, "argoproj.io", "analysisruns", hashes.buf, &d->ars, &err) &&
		         err.code != 404)
			code = rollout_api_error(c, &err, "list", "analysisruns", "argoproj.io");
		else if (!d->ars)
			d->ars = cJSON_CreateArray(); /* AnalysisRun CRD not installed */
	}
	strbuf_release(&sel);
	strbuf_release(&hashes);
	return code;
}

static void objects_of(const struct get_data *d, struct rollout_objects *o)
{
	o->rollout = d->ro;
	o->replicasets = d->rsets;
	o->pods = d->pods;
	o->analysisruns = d->ars;
}

static int print_once(const struct get_data *d, const char *output)
{
	struct rollout_objects o;
	struct strbuf sb = STRBUF_INIT;
	struct timespec now;
	cJSON *j;

	objects_of(d, &o);
	if (output) {
		j = rollout_tree_json(&o);
		if (!strcmp(output, "json")) {
			output_json(stdout, j);
		} else {
			yamljson_emit(&sb, j);
			fputs(sb.buf, stdout);
		}
		cJSON_Delete(j);
	} else {
		clock_gettime(CLOCK_REALTIME, &now);
		rollout_tree_render(&sb, &o, &now);
		fputs(sb.buf, stdout);
	}
	strbuf_release(&sb);
	return EXIT_OK;
}

struct rv_wait {
	const char *rv;
};

static int rv_changed(const cJSON *ro, void *data)
{
	const struct rv_wait *w = data;

	return !ro || strcmp(json_str(ro, "metadata.resourceVersion", ""), w->rv);
}

/* Waits until the rollout changes or REDRAW_MS pass; -1 on a watch failure. */
static int wait_change(struct rollout_cli *c, struct kube_watch *kw, const struct get_data *d,
                       long long deadline, int *code)
{
	struct strbuf path = STRBUF_INIT;
	struct rv_wait w = { json_str(d->ro, "metadata.resourceVersion", "") };
	long long until = kube_monotonic_ms() + REDRAW_MS;
	struct errbuf err = { 0 };
	int r;

	if (deadline && deadline < until)
		until = deadline;
	rollout_path(&path, c->ns, NULL, NULL);
	r = kube_watch_object(kw, path.buf, json_str(d->ro, "metadata.name", ""), until, rv_changed,
	                      &w, NULL, &err);
	strbuf_release(&path);
	if (r == KUBE_WATCH_ERROR) {
		*code = rollout_api_error(c, &err, "watch", "rollouts", "argoproj.io");
		return -1;
	}
	if (r == KUBE_WATCH_INTERRUPTED) {
		*code = error("interrupted");
		return -1;
	}
	if (deadline && kube_monotonic_ms() >= deadline) {
		*code = EXIT_TIMEOUT;
		error("rollout get watch exceeded timeout");
		return -1;
	}
	return 0;
}

static void draw(const struct get_data *d, int tty, struct strbuf *last)
{
	struct rollout_objects o;
	struct strbuf sb = STRBUF_INIT, ageless = STRBUF_INIT;
	struct timespec now;

	objects_of(d, &o);
	clock_gettime(CLOCK_REALTIME, &now);
	rollout_tree_render(&sb, &o, &now);
	if (tty) {
		printf("\033[H\033[2J%s", sb.buf);
	} else {
		/* Not a terminal: print a state when it differs, ages aside. */
		rollout_tree_render(&ageless, &o, NULL);
		if (strcmp(ageless.buf, last->buf)) {
			printf("%s%s", last->len ? "\n" : "", sb.buf);
			strbuf_reset(last);
			strbuf_addstr(last, ageless.buf);
		}
	}
	fflush(stdout);
	strbuf_release(&sb);
	strbuf_release(&ageless);
}

static int watch_get(struct rollout_cli *c, const char *name, struct get_data *d, int64_t timeout_ns)
{
	struct strbuf last = STRBUF_INIT, msg = STRBUF_INIT;
	struct errbuf err = { 0 };
	struct kube_watch *kw = kube_watch_new(&c->rc, &err);
	long long deadline = timeout_ns > 0 ? kube_monotonic_ms() + timeout_ns / 1000000 : 0;
	int tty = isatty(fileno(stdout)), code = -1;
	const char *phase;

	if (!kw)
		return error("%s", err.msg);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	kube_watch_set_stop_flag(kw, &interrupted);
	kube_client_set_stop_flag(c->kc, &interrupted);
	while (code < 0) {
		draw(d, tty, &last);
		strbuf_reset(&msg);
		phase = rollout_phase(d->ro, &msg);
		if (!strcmp(phase, "Healthy"))
			code = EXIT_OK;
		else if (!strcmp(phase, "Degraded"))
			code = EXIT_FAILURE_;
		else if (wait_change(c, kw, d, deadline, &code) == 0) {
			get_data_release(d);
			if ((code = fetch(c, name, d)) == 0)
				code = -1;
		}
	}
	kube_watch_free(kw);
	strbuf_release(&last);
	strbuf_release(&msg);
	return code;
}

int rollout_cmd_get(int argc, const char **argv)
{
	const char *output = NULL, *timeout = NULL;
	int watch = 0, code;
	const struct option own[] = {
		{ OPT_BOOL, 'w', "watch", &watch, NULL,
		  "Redraw until the rollout is Healthy or Degraded", 0 },
		{ OPT_STRING, 't', "timeout", &timeout, "DURATION",
		  "With -w, give up after this long (0 = never), e.g. 10m", 0 },
		{ OPT_STRING, 'o', "output", &output, "FORMAT", "Output format: json or yaml", 0 },
		OPT_END,
	};
	struct rollout_cli cli;
	struct get_data d = { 0 };
	struct errbuf err = { 0 };
	int64_t timeout_ns = 0;

	code = rollout_cli_parse(&cli, "rollout get", argc, argv, own, &get_help, 1, 1);
	if (code < 0 && output && strcmp(output, "json") && strcmp(output, "yaml"))
		code = rollout_usage_error(&cli,
		                           "unable to match a printer suitable for the output "
		                           "format \"%s\", allowed formats are: json,yaml",
		                           output);
	if (code < 0 && watch && output)
		code = rollout_usage_error(&cli, "-w cannot be combined with -o");
	if (code < 0 && timeout && duration_parse(timeout, &timeout_ns, &err))
		code = rollout_usage_error(&cli,
		                           "invalid argument \"%s\" for \"-t, --timeout\" "
		                           "flag: %s",
		                           timeout, err.msg);
	if (code < 0 && !(code = rollout_cli_connect(&cli)) && !(code = fetch(&cli, cli.args[0], &d)))
		code = watch ? watch_get(&cli, cli.args[0], &d, timeout_ns) : print_once(&d, output);
	get_data_release(&d);
	rollout_cli_release(&cli);
	return code;
}
