/*
 * kubectl gitops rollout status NAME: the phase of §1.9, printed and
 * turned into an exit code as upstream's `status` does (§1.10), plus
 * --success-on-pause (argo-rollouts #1389).  The phase rule needs only the
 * Rollout, so only the Rollout is watched (fieldSelector
 * metadata.name=NAME) — never the namespace's ReplicaSets and Pods.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"
#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "kube_watch.h"
#include "rollout_cli.h"
#include "rollout_phase.h"
#include "ui.h"

static const struct command_help status_help = {
	.usage = "rollout status ROLLOUT_NAME [-w=true|false] [-t DURATION] [--success-on-pause] "
		 "[options]",
	.description =
		"Show the status of a rollout and, by default, watch it until it is Healthy or\n"
		"Degraded, printing a line each time the status or its message changes.\n"
		"Only the Rollout itself is read and watched.\n\n"
		"Exit status: 0 Healthy (or Paused with --success-on-pause; any state with\n"
		"--watch=false except Degraded), 1 Degraded or an error, 3 timed out.",
	.examples = "  # Wait until the rollout is done, at most ten minutes\n"
		    "  kubectl gitops rollout status checkout --timeout 10m\n\n"
		    "  # In CI with a manual promotion step: succeed once it pauses\n"
		    "  kubectl gitops rollout status checkout --success-on-pause\n\n"
		    "  # One look, no waiting\n"
		    "  kubectl gitops rollout status checkout --watch=false\n",
};

struct status_state {
	int watch, success_on_pause;
	struct strbuf line, msg;
	const char *phase; /* static or "", see rollout_phase() */
	char phase_buf[64];
	int gone;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int is_done(const struct status_state *s)
{
	return rollout_phase_is_final(s->phase) ||
	       (s->success_on_pause && !strcmp(s->phase, "Paused"));
}

/* Evaluates one state; prints its line when it changed.  1 when done. */
static int observe(const cJSON *ro, void *data)
{
	struct status_state *s = data;
	struct strbuf line = STRBUF_INIT;
	const char *phase;

	if (!ro) {
		s->gone = 1;
		return 1;
	}
	strbuf_reset(&s->msg);
	phase = rollout_phase(ro, &s->msg);
	snprintf(s->phase_buf, sizeof(s->phase_buf), "%s", phase);
	s->phase = s->phase_buf;
	term_escape(&line, phase);
	if (s->msg.len && (s->watch || !rollout_phase_is_final(phase))) {
		strbuf_addstr(&line, " - ");
		term_escape(&line, s->msg.buf);
	}
	if (strcmp(line.buf, s->line.buf)) {
		printf("%s\n", line.buf);
		fflush(stdout);
		strbuf_reset(&s->line);
		strbuf_addstr(&s->line, line.buf);
	}
	strbuf_release(&line);
	return is_done(s);
}

static int watch_status(struct rollout_cli *c, const char *name, int64_t timeout_ns,
                        struct status_state *s)
{
	struct strbuf path = STRBUF_INIT;
	struct errbuf err = { 0 };
	struct kube_watch *kw = kube_watch_new(&c->rc, &err);
	long long deadline = timeout_ns > 0 ? kube_monotonic_ms() + timeout_ns / 1000000 : 0;
	int r;

	if (!kw)
		return error("%s", err.msg);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	kube_watch_set_stop_flag(kw, &interrupted);
	kube_client_set_verbosity(kube_watch_client(kw), (int)c->kf.verbosity, stderr);
	kube_client_set_user_agent(kube_watch_client(kw), "kubectl-gitops/" GITOPS_VERSION);
	rollout_path(&path, c->ns, NULL, NULL);
	r = kube_watch_object(kw, path.buf, name, deadline, observe, s, NULL, &err);
	strbuf_release(&path);
	kube_watch_free(kw);
	if (r == KUBE_WATCH_TIMED_OUT) {
		error("rollout status watch exceeded timeout");
		return EXIT_TIMEOUT;
	}
	if (r == KUBE_WATCH_INTERRUPTED)
		return error("rollout status watch interrupted");
	if (r == KUBE_WATCH_ERROR)
		return rollout_api_error(c, &err, "watch", "rollouts", "argoproj.io");
	return -1;
}

static int status(struct rollout_cli *c, const char *name, int64_t timeout_ns, struct status_state *s)
{
	struct errbuf err = { 0 };
	cJSON *ro = NULL;
	int done, code;

	if (rollout_get(c, name, &ro, &err))
		return rollout_api_error(c, &err, "get", "rollouts", "argoproj.io");
	done = observe(ro, s);
	cJSON_Delete(ro);
	if (s->watch && !done && (code = watch_status(c, name, timeout_ns, s)) >= 0)
		return code;
	if (s->gone)
		return error("rollout '%s' was deleted", name);
	if (!strcmp(s->phase, "Degraded")) {
		struct strbuf esc = STRBUF_INIT;

		term_escape(&esc, s->msg.buf);
		error("the rollout is in a degraded state with message: %s", esc.buf);
		strbuf_release(&esc);
		return EXIT_FAILURE_;
	}
	return EXIT_OK;
}

int rollout_cmd_status(int argc, const char **argv)
{
	const char *timeout = NULL;
	struct status_state s = { .watch = 1, .line = STRBUF_INIT, .msg = STRBUF_INIT, .phase = "" };
	const struct option own[] = {
		{ OPT_BOOL, 'w', "watch", &s.watch, NULL,
		  "Watch the status until it is Healthy or Degraded (default true)", 0 },
		{ OPT_STRING, 't', "timeout", &timeout, "DURATION",
		  "How long to watch before giving up, e.g. 30s, 10m (0 = forever)", 0 },
		{ OPT_BOOL, 0, "success-on-pause", &s.success_on_pause, NULL,
		  "Exit 0 as soon as the rollout is Paused (e.g. waiting for a promotion)", 0 },
		OPT_END,
	};
	struct rollout_cli cli;
	struct errbuf err = { 0 };
	int64_t timeout_ns = 0;
	int code;

	code = rollout_cli_parse(&cli, "rollout status", argc, argv, own, &status_help, 1, 1);
	if (code < 0 && timeout && duration_parse(timeout, &timeout_ns, &err))
		code = rollout_usage_error(&cli,
		                           "invalid argument \"%s\" for \"-t, --timeout\" "
		                           "flag: %s",
		                           timeout, err.msg);
	if (code < 0 && !(code = rollout_cli_connect(&cli)))
		code = status(&cli, cli.args[0], timeout_ns, &s);
	strbuf_release(&s.line);
	strbuf_release(&s.msg);
	rollout_cli_release(&cli);
	return code;
}
