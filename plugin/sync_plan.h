/*
 * sync_plan.h - the app-of-apps tree a cascading sync walks: nodes with
 * their state, child discovery from a parent's status.resources
 * (multi-level, cycle-safe: an Application is visited once per plan),
 * child selection (--app / --exclude-app globs, -l), and grouping of a
 * parent's children into sync waves (ascending, then by name).
 *
 * Pure: no I/O.  Applications are found through a lookup callback (the
 * caller's cache of watched objects).
 *
 * Ownership: a plan owns its nodes and their strings (sync_plan_release);
 * a node's `app` pointer is NOT owned (it points into the caller's cache
 * and may be NULL).
 */
#ifndef SYNC_PLAN_H
#define SYNC_PLAN_H

#include <stddef.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "options.h"

enum sync_state {
	SYNC_PENDING, /* waiting for its wave / a parallel slot */
	SYNC_WAITING_OP, /* someone else's operation runs; wait for it */
	SYNC_RUNNING, /* our operation was written; waiting for it to finish */
	SYNC_CHILDREN, /* succeeded; its children are being synced */
	SYNC_SETTLING, /* waiting for Synced and Healthy */
	/* final states */
	SYNC_SUCCEEDED,
	SYNC_SKIPPED, /* already Synced and Healthy, or nothing selected */
	SYNC_FAILED, /* operation failed/errored, Degraded, or API error */
	SYNC_REFUSED, /* busy, deleting, or blocked by a sync window */
	SYNC_TIMED_OUT, /* --health-timeout or --timeout */
	SYNC_NOT_STARTED, /* a wave before it failed */
};

const char *sync_state_name(enum sync_state s);
int sync_state_final(enum sync_state s);
/* Final and not a failure: SUCCEEDED or SKIPPED. */
int sync_state_ok(enum sync_state s);

struct sync_node {
	char *ns, *name;
	int wave, depth;
	struct sync_node *parent;
	struct sync_node **children;
	size_t nchildren;
	int children_known;

	enum sync_state state;
	char *message; /* why it failed/was skipped, or NULL */
	/* last seen status, for progress ("" until seen) */
	char phase[16], sync[16], health[16];
	int triggered; /* we wrote an operation */
	int seen_ours; /* a post-write state was observed */
	long long trigger_wall; /* seconds, when we wrote it */
	long long written_rv; /* resourceVersion of our write; -1 = not numeric */
	long long settle_deadline_ms; /* monotonic; 0 = none */
	struct timespec started, finished; /* wall clock; 0 = not yet */
	int partial; /* sync.resources was restricted */
};

struct sync_select {
	struct strlist apps, exclude; /* globs on child names */
	const cJSON *labelled; /* object keyed "ns/name", or NULL = no -l */
};

/* 1 when a child takes part in the sync. */
int sync_select_child(const struct sync_select *sel, const char *ns, const char *name);

typedef const cJSON *sync_lookup_fn(const char *ns, const char *name, void *data);

struct sync_plan {
	struct sync_node *root; /* pseudo-node; its children are the named apps */
	cJSON *seen; /* "ns/name" -> true */
};

void sync_plan_init(struct sync_plan *p);
void sync_plan_release(struct sync_plan *p);
/* Adds a named app under the root (wave 0: named apps are not ordered). */
struct sync_node *sync_plan_add_root(struct sync_plan *p, const char *ns, const char *name);

/*
 * Reads `app`'s status.resources for argoproj.io Applications and adds the
 * selected ones, not seen before in this plan, as children of n, sorted by
 * (wave, name).  The wave is the child's sync-wave annotation, or the
 * entry's syncWave when the child is not known.  Entries without a
 * namespace are in default_ns.  Marks n->children_known.
 */
void sync_plan_discover(struct sync_plan *p, struct sync_node *n, const cJSON *app,
                        const char *default_ns, const struct sync_select *sel,
                        sync_lookup_fn *lookup, void *data);

/*
 * The children of n that belong to the first wave with an unfinished
 * child (*first, *count index n->children), or count 0 when every child
 * is final.  `failed` is set when a finished earlier-or-this wave child
 * failed.
 */
void sync_plan_current_wave(const struct sync_node *n, size_t *first, size_t *count, int *failed);

/* Visits every node below the root, depth first, in plan order. */
void sync_plan_walk(struct sync_node *n, void (*fn)(struct sync_node *n, void *data), void *data);

#endif
