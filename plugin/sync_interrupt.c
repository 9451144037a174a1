/*
 * Ctrl-C and SIGTERM during a sync: the waits stop (the watch and client
 * see the flag within a second), the user learns which operations still
 * run in the cluster, and with --terminate-on-interrupt the ones this sync
 * started are terminated (../shared/docs/argocd.md §1.5).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "app_common.h"
#include "errbuf.h"
#include "kube_client.h"
#include "sync_cmd.h"
#include "ui.h"

volatile sig_atomic_t sync_interrupted;

static void on_signal(int sig)
{
	(void)sig;
	sync_interrupted = 1;
}

void sync_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void terminate_op(struct sync_cmd *c, struct sync_node *n)
{
	struct errbuf err;

	if (app_terminate_operation(c->kc, n->ns, n->name, &err))
		error("cannot terminate the operation of '%s': %s", n->name, err.msg);
	else
		fprintf(stderr, "application '%s' operation terminating\n", n->name);
}

static void report_running(struct sync_node *n, void *data)
{
	struct sync_cmd *c = data;

	if (n->state != SYNC_RUNNING)
		return;
	fprintf(stderr, "  %s (operation %s)\n", n->name, *n->phase ? n->phase : "starting");
	if (c->terminate_on_interrupt && n->triggered)
		terminate_op(c, n);
}

static void count_running(struct sync_node *n, void *data)
{
	*(int *)data += n->state == SYNC_RUNNING;
}

int sync_report_interrupted(struct sync_cmd *c)
{
	int running = 0;

	sync_progress_redraw(&c->pg, c->plan_.root, 1);
	sync_plan_walk(c->plan_.root, count_running, &running);
	fprintf(stderr, "interrupted; %s\n",
	        running ? "still running in the cluster:" : "nothing is running in the cluster");
	/* the client may share the raised stop flag (polling): terminating needs it */
	kube_client_set_stop_flag(c->kc, NULL);
	sync_plan_walk(c->plan_.root, report_running, c);
	return EXIT_INTERRUPTED;
}
