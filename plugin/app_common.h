/*
 * app_common.h - what every Application command needs: where Applications
 * and AppProjects live in the API, reading them (from the cluster or from a
 * file), who the caller is, and Argo CD's "is an operation in progress?"
 * rule (../shared/docs/argocd.md §1.6).
 *
 * Ownership: every cJSON ** result and every returned char * is the
 * caller's (cJSON_Delete / free).  Inputs are borrowed.  Nothing here
 * prints or exits.
 */
#ifndef APP_COMMON_H
#define APP_COMMON_H

#include <cjson/cJSON.h>

#include "strbuf.h"

struct errbuf;
struct kube_client;
struct rest_config;

/* Where Applications live when -n is not given: the control-plane namespace. */
#define APP_DEFAULT_NAMESPACE "argocd"

#define ANN_SYNC_WAVE "argocd.argoproj.io/sync-wave"
#define ANN_REFRESH "argocd.argoproj.io/refresh"
#define ANN_DELETION_APPROVED "argocd.argoproj.io/deletion-approved"

/* ns NULL = all namespaces; name NULL = the collection. */
void app_path(struct strbuf *sb, const char *ns, const char *name);
void appproject_path(struct strbuf *sb, const char *ns, const char *name);

int app_get(struct kube_client *kc, const char *ns, const char *name, cJSON **out,
            struct errbuf *err);
int appproject_get(struct kube_client *kc, const char *ns, const char *name, cJSON **out,
                   struct errbuf *err);

/*
 * Reads a YAML or JSON file holding exactly one object of `kind`
 * ("Application", "AppProject") in group argoproj.io.  A file with several
 * documents, or of another kind, is an error naming the file.
 */
cJSON *app_load_file(const char *path, const char *kind, struct errbuf *err);

/*
 * The caller's Kubernetes user name as the API server sees it (a
 * SelfSubjectReview), or when that is not possible (an old server, RBAC)
 * the kubeconfig's user name, or NULL.  Never fails.
 */
char *app_whoami(struct kube_client *kc, const struct rest_config *rc);

/*
 * argocd app wait's rule: an operation is in progress while .operation is
 * set, while status.operationState has no finishedAt, or, after a non-dry
 * run, until status.reconciledAt is at or after finishedAt.  1 or 0.
 */
int app_operation_in_progress(const cJSON *app);

/*
 * argocd app terminate-op (../shared/docs/argocd.md §1.5): GET the app;
 * unless both .operation and status.operationState are set, fail with
 * "Unable to terminate operation. No operation is in progress" (err->code
 * 0, APP_NO_OPERATION returned); else set status.operationState.phase to
 * Terminating and PUT the app with its resourceVersion, starting over on
 * 409 Conflict (at most 10 times, 100 ms apart).  0, or -1 on an API error.
 */
#define APP_NO_OPERATION (-2)
int app_terminate_operation(struct kube_client *kc, const char *ns, const char *name,
                            struct errbuf *err);

/* The sync-wave annotation as Argo CD reads it (Atoi; 0 when absent or
 * not an integer). */
int app_wave(const cJSON *app);

/* metadata.name / metadata.namespace ("" when missing). */
const char *app_name(const cJSON *app);
const char *app_ns(const cJSON *app);

#endif
