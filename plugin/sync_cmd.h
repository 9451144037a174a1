/*
 * sync_cmd.h - the insides of `kubectl gitops sync`, shared by its files:
 *
 *   cmd_sync.c       flags, validation, reading the named apps, run
 *   sync_app.c       the state machine of one app (start, follow, settle)
 *   sync_waves.c     the cascade driver: waves, --parallel, "not started"
 *   sync_follow.c    one watch on the namespace's Applications feeds it all
 *   sync_interrupt.c Ctrl-C / SIGTERM: what is still running, terminating
 *   sync_report.c    the end: exit status, summary or -o json; --plan
 *   sync_rollouts.c  paused Rollouts of an app that is still settling
 *
 * Ownership: struct sync_cmd owns the cache of watched Applications (one
 * copy per name, replaced as events come), the label set, the AppProjects
 * read, the filters, the plan and the progress printer; cmd_sync() frees
 * them all.  Strings from the flags point into argv.
 */
#ifndef SYNC_CMD_H
#define SYNC_CMD_H

#include <signal.h>
#include <cjson/cJSON.h>

#include "options.h"
#include "resource_select.h"
#include "rest_config.h"
#include "sync_plan.h"
#include "sync_progress.h"
#include "sync_trigger.h"

#define EXIT_INTERRUPTED 130

struct errbuf;
struct kube_client;

struct sync_cmd {
	/* flags */
	int cascade, force_children, async, plan, terminate_on_interrupt;
	long parallel;
	const char *output, *selector, *timeout, *health_timeout;
	const char *backoff, *backoff_max;
	struct strlist resources;
	struct sync_op_opts op;
	struct sync_select sel;

	/* state */
	struct kube_client *kc;
	struct rest_config rc;
	const char *ns;
	cJSON *cache; /* name -> Application, the watched namespace (app_cache.h) */
	cJSON *labelled;
	cJSON *projects; /* name -> AppProject */
	cJSON *rollouts; /* "ns/name" -> Rollout, read while settling */
	struct resource_filters rf;
	int any_match;
	struct sync_plan plan_;
	struct sync_progress pg;
	long long health_timeout_ms, deadline_ms;
};

/* Raised by SIGINT/SIGTERM once sync_catch_signals() ran. */
extern volatile sig_atomic_t sync_interrupted;

/* sync_app.c */
/* The cached Application (data is the struct sync_cmd), or NULL. */
const cJSON *sync_lookup(const char *ns, const char *name, void *data);
/* Sets state and message (copied; NULL = none); stamps `finished`. */
void sync_set_state(struct sync_node *n, enum sync_state s, const char *msg);
/* Copies the app's operation phase, sync and health into the node. */
void sync_observe(struct sync_node *n, const cJSON *app);
/* Adds the children of n not known yet (new ones appear as the parent syncs). */
void sync_discover(struct sync_cmd *c, struct sync_node *n, const cJSON *app);
/* Checks and triggers the sync of a PENDING node. */
void sync_start(struct sync_cmd *c, struct sync_node *n);
/* Moves a started node on from the cached state of its app. */
void sync_advance(struct sync_cmd *c, struct sync_node *n);

/* sync_waves.c */
/* Advances every node and starts what may start, until nothing changes;
 * then updates the progress display. */
void sync_drive(struct sync_cmd *c);
/* 1 when every named app reached a final state. */
int sync_all_final(const struct sync_node *root);
/* sync_plan_walk() callback: data is the struct sync_progress. */
void sync_note(struct sync_node *n, void *data);

/* sync_follow.c */
/* Watches the namespace's Applications (or polls when a watch is not
 * allowed) and drives the plan until done; a KUBE_WATCH_* result. */
int sync_follow(struct sync_cmd *c, struct errbuf *err);

/* sync_interrupt.c */
void sync_catch_signals(void);
/* After an interrupt: says what still runs (terminating it with
 * --terminate-on-interrupt); returns EXIT_INTERRUPTED. */
int sync_report_interrupted(struct sync_cmd *c);

/* sync_report.c */
/* Final states, summary (or -o json) and the exit status for a
 * sync_follow() result other than KUBE_WATCH_ERROR. */
int sync_finish(struct sync_cmd *c, int watch_result);
/* --plan: the waves and apps that would be synced. */
int sync_print_plan(struct sync_cmd *c);

/* sync_rollouts.c */
/*
 * For an app that is Synced but Progressing or Suspended and lists
 * argoproj.io Rollouts in status.resources: GETs them (at most once per
 * resourceVersion change of the app) and, when one is Paused at a step,
 * puts rollout_pause_summary()'s line in *msg (caller frees).  0 when it
 * did, -1 when nothing is paused (or the Rollouts cannot be read).
 */
int sync_rollout_pause(struct sync_cmd *c, const cJSON *app, char **msg);

#endif
