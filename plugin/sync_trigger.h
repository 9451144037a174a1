/*
 * sync_trigger.h - starting an Argo CD sync the way argocd-server does it
 * (../shared/docs/argocd.md §1.2, §2.3): build the `.operation` object
 * from the flags, then GET / refuse if busy / PUT with the object's
 * resourceVersion, again on 409 Conflict.
 *
 * Deliberate difference from argocd: the flag sync options (--server-side,
 * --replace, --apply-out-of-sync-only) are MERGED into the app's
 * spec.syncPolicy.syncOptions; argocd-server replaces the app's list.
 *
 * Ownership: sync_operation_build() returns a new tree (cJSON_Delete).
 * The options only borrow their strings.  Nothing here prints.
 */
#ifndef SYNC_TRIGGER_H
#define SYNC_TRIGGER_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "options.h"

struct errbuf;
struct kube_client;

struct sync_op_opts {
	int prune, dry_run, force, server_side, apply_out_of_sync_only, replace;
	const char *strategy; /* "hook" (default, also NULL/"") or "apply" */
	const char *revision; /* NULL = let the controller resolve */
	long retry_limit; /* 0 = use the app's spec.syncPolicy.retry */
	int64_t retry_backoff_ns, retry_backoff_max_ns; /* 0 = 5s, 3m */
	long retry_factor; /* 0 = 2 */
	struct strlist info; /* "k=v" */
	const char *username; /* initiatedBy.username, may be NULL */
};

/* 0, or -1 with err for a bad --strategy or --info value. */
int sync_op_opts_check(const struct sync_op_opts *o, struct errbuf *err);

/*
 * The `.operation` for `app`: sync (revision, prune, dryRun, syncStrategy,
 * syncOptions, resources), initiatedBy {username, automated: false}, info
 * and retry.  `resources` is a concrete sync.resources array (copied) or
 * NULL/empty for a full sync.
 */
cJSON *sync_operation_build(const struct sync_op_opts *o, const cJSON *app, const cJSON *resources);

enum sync_trigger_result {
	SYNC_TRIGGERED = 0,
	SYNC_TRIGGER_ERROR = -1, /* API error, err filled */
	SYNC_TRIGGER_BUSY = -2, /* another operation is in progress */
	SYNC_TRIGGER_DELETING = -3, /* the app has a deletionTimestamp */
	SYNC_TRIGGER_DECLINED = -4, /* build() returned NULL (err filled by it) */
};

/* Builds the operation for the app as just read; NULL (and err) to decline. */
typedef cJSON *sync_build_fn(const cJSON *app, void *data, struct errbuf *err);

/*
 * argo.SetAppOperation: GET the app, refuse when .operation is set (or the
 * last operation is still Running/Terminating), set .operation = build(app)
 * and status.operationState = null, PUT; on 409 start over (at most 10
 * times).  *conflicts (may be NULL) counts the 409s seen; *written (may be
 * NULL) receives the object as the server stored it (the caller's).
 */
int sync_trigger(struct kube_client *kc, const char *ns, const char *name, sync_build_fn *build,
                 void *data, int *conflicts, cJSON **written, struct errbuf *err);

#endif
