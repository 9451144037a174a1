/*
 * gitops-webhook serve --tls-cert-file F --tls-private-key-file F
 *     [--listen 0.0.0.0:8443] [--metrics-listen ADDR] [--config FILE]
 *     [--state DIR|FILE]... [--kubeconfig F] [--shutdown-grace 10s]
 *
 * Without --state, Applications and AppProjects are watched through the
 * API server (kubeconfig, or the in-cluster service account).
 * The main thread only waits for signals, once a second checking the
 * certificate files: SIGTERM/SIGINT drain and stop, SIGHUP re-reads the
 * --state files (keeping the old state if they do not parse).
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "decision_log.h"
#include "duration.h"
#include "errbuf.h"
#include "kubeconfig.h"
#include "log_async.h"
#include "metrics.h"
#include "policy.h"
#include "server.h"
#include "state.h"
#include "state_files.h"
#include "state_watch.h"
#include "strbuf.h"
#include "tls_certs.h"
#include "xalloc.h"

struct serve_opts {
	const char *cert, *key, *listen, *metrics_listen, *config, *kubeconfig;
	const char **state;
	int nr_state;
	int grace_ms;
};

static void serve_usage(FILE *out)
{
	fprintf(out,
	        "Usage: gitops-webhook serve --tls-cert-file F --tls-private-key-file F "
	        "[options]\n\n"
	        "Options:\n"
	        "  --listen ADDR            HTTPS address (default 0.0.0.0:8443)\n"
	        "  --metrics-listen ADDR    also serve /metrics, /healthz, /readyz over plain "
	        "HTTP\n"
	        "  --config FILE            policy configuration (YAML)\n"
	        "  --state DIR|FILE         serve from AppProject/Application files (repeatable)\n"
	        "  --kubeconfig FILE        without --state: the API server to watch\n"
	        "                           (default: $KUBECONFIG, ~/.kube/config, in-cluster)\n"
	        "  --shutdown-grace DUR     how long SIGTERM waits for requests (default 10s)\n");
}

static void add_state(struct serve_opts *o, const char *path)
{
	o->state = xrealloc(o->state, (o->nr_state + 1) * sizeof(*o->state));
	o->state[o->nr_state++] = path;
}

static int parse_grace(const char *s, int *ms)
{
	int64_t ns;
	struct errbuf err;

	if (duration_parse(s, &ns, &err) || ns < 0 || ns > 3600 * DURATION_SECOND) {
		fprintf(stderr, "error: --shutdown-grace: expected a duration such as 10s\n");
		return -1;
	}
	*ms = (int)(ns / DURATION_MS);
	return 0;
}

static int parse_serve_args(int argc, char **argv, struct serve_opts *o)
{
	static const struct option longopts[] = { { "tls-cert-file", required_argument, NULL, 'C' },
		                                  { "tls-private-key-file", required_argument, NULL,
		                                    'K' },
		                                  { "listen", required_argument, NULL, 'l' },
		                                  { "metrics-listen", required_argument, NULL, 'm' },
		                                  { "config", required_argument, NULL, 'c' },
		                                  { "state", required_argument, NULL, 's' },
		                                  { "kubeconfig", required_argument, NULL, 'k' },
		                                  { "shutdown-grace", required_argument, NULL, 'g' },
		                                  { "help", no_argument, NULL, 'h' },
		                                  { NULL, 0, NULL, 0 } };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'C') {
			o->cert = optarg;
		} else if (c == 'K') {
			o->key = optarg;
		} else if (c == 'l') {
			o->listen = optarg;
		} else if (c == 'm') {
			o->metrics_listen = optarg;
		} else if (c == 'c') {
			o->config = optarg;
		} else if (c == 's') {
			add_state(o, optarg);
		} else if (c == 'k') {
			o->kubeconfig = optarg;
		} else if (c == 'g') {
			if (parse_grace(optarg, &o->grace_ms))
				return -1;
		} else if (c == 'h') {
			serve_usage(stdout);
			return 1;
		} else {
			serve_usage(stderr);
			return -1;
		}
	}
	if (optind < argc || !o->cert || !o->key) {
		fprintf(stderr, "error: %s\n",
		        optind < argc ? "unexpected argument"
		                      : "--tls-cert-file and --tls-private-key-file are required");
		serve_usage(stderr);
		return -1;
	}
	return 0;
}

static int load_state(const struct serve_opts *o, struct state_store *store)
{
	struct errbuf err;
	struct state_snapshot *snap = state_load_paths(o->state, o->nr_state, &err);
	struct strbuf msg = STRBUF_INIT;

	if (!snap) {
		decision_log_error(stderr, "cannot load --state; keeping the previous state",
		                   err.msg, 0, NULL, NULL);
		return -1;
	}
	strbuf_addf(&msg, "state loaded: %zu Applications, %zu AppProjects", state_app_count(snap),
	            state_project_count(snap));
	decision_log_info(stderr, msg.buf);
	strbuf_release(&msg);
	state_store_publish(store, snap, time(NULL));
	return 0;
}

static void reload_certs(struct metrics *m)
{
	struct errbuf err;

	switch (tls_certs_maybe_reload(&err)) {
	case 1:
		decision_log_info(stderr, "serving certificate reloaded");
		metrics_observe_cert_reload(m, 1, tls_certs_not_after());
		break;
	case -1:
		decision_log_error(stderr, "new certificate refused; still serving the old one",
		                   err.msg, 0, NULL, NULL);
		metrics_observe_cert_reload(m, 0, 0);
		break;
	}
}

static void wait_for_signals(const struct serve_opts *o, struct state_store *store,
                             struct metrics *m, const sigset_t *set)
{
	struct timespec second = { 1, 0 };

	for (;;) {
		int sig = sigtimedwait(set, NULL, &second);

		if (sig == SIGTERM || sig == SIGINT)
			return;
		if (sig == SIGHUP && o->nr_state)
			load_state(o, store);
		reload_certs(m);
	}
}

/* The state source: files (loaded now), or a watch (synced in the background). */
static int start_state(const struct serve_opts *o, struct state_store *store,
                       struct rest_config *rc, struct state_watch **watch)
{
	struct kubeconfig_overrides ov = KUBECONFIG_OVERRIDES_INIT;
	struct errbuf err;

	if (o->nr_state)
		return load_state(o, store);
	ov.kubeconfig = o->kubeconfig;
	if (kubeconfig_load(rc, &ov, &err) || !(*watch = state_watch_start(store, rc, stderr, &err))) {
		fprintf(stderr, "error: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int run(const struct serve_opts *o, struct webhook_config *cfg, const sigset_t *set)
{
	struct state_store store;
	struct rest_config rc = { 0 };
	struct state_watch *watch = NULL;
	struct metrics *m = metrics_new();
	struct server_opts so = {
		o->listen, o->metrics_listen, { cfg, &store, NULL, m, stderr, 0, NULL }, 1
	};
	struct server *srv;
	struct errbuf err;
	struct strbuf msg = STRBUF_INIT;
	int ret = 1;

	state_store_init(&store);
	if (tls_certs_init(o->cert, o->key, &err)) {
		fprintf(stderr, "error: TLS certificate: %s\n", err.msg);
		goto out;
	}
	metrics_observe_cert_reload(m, 1, tls_certs_not_after());
	if (start_state(o, &store, &rc, &watch))
		goto out;
	/* Decisions are logged by a background writer from now on (log_async.h). */
	log_async_start(fileno(stderr));
	if (!(srv = server_start(&so, &err))) {
		fprintf(stderr, "error: %s\n", err.msg);
		goto out;
	}
	strbuf_addf(&msg, "serving HTTPS on %s (port %u)", o->listen, server_port(srv));
	if (o->metrics_listen)
		strbuf_addf(&msg, ", metrics on %s (port %u)", o->metrics_listen,
		            server_metrics_port(srv));
	decision_log_info(stderr, msg.buf);
	wait_for_signals(o, &store, m, set);
	decision_log_info(stderr, "shutting down: draining requests");
	server_stop(srv, o->grace_ms);
	decision_log_info(stderr, "stopped");
	ret = 0;
out:
	state_watch_stop(watch);
	log_async_stop();
	rest_config_release(&rc);
	strbuf_release(&msg);
	tls_certs_shutdown();
	state_store_release(&store);
	metrics_free(m);
	return ret;
}

int webhook_cmd_serve(int argc, char **argv)
{
	struct serve_opts o = { .listen = "0.0.0.0:8443", .grace_ms = 10000 };
	struct webhook_config cfg;
	struct errbuf err;
	sigset_t set;
	int ret = 2;

	webhook_config_init(&cfg);
	switch (parse_serve_args(argc, argv, &o)) {
	case 1:
		ret = 0;
		goto out;
	case -1:
		goto out;
	}
	if (o.config && webhook_config_load(&cfg, o.config, policy_names, &err)) {
		fprintf(stderr, "error: %s\n", err.msg);
		goto out;
	}
	/* Block the signals before any thread starts, so only sigtimedwait sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	ret = run(&o, &cfg, &set);
out:
	webhook_config_release(&cfg);
	free(o.state);
	return ret;
}
