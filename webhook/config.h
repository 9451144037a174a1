/*
 * config.h - the webhook's policy configuration (--config FILE).
 *
 * The file is YAML (or JSON); every key is optional and has the default
 * written next to it below.  Unknown keys are an error, so a typo cannot
 * silently switch a protection off.  Example with every default:
 *
 *   controlPlaneNamespace: argocd
 *   controllerUsers: [system:serviceaccount:argocd:argocd-application-controller]
 *   namespaceTeardownUsers: [system:serviceaccount:kube-system:namespace-controller]
 *   tracking:
 *     method: annotation            # annotation | label | annotation+label
 *     labelKey: app.kubernetes.io/instance
 *   deletionApproval:
 *     ttl: 15m                      # how long a deletion-approved stamp counts
 *   maxRequestBytes: 3145728        # larger AdmissionReviews get 413
 *   exemptions:                     # requests no policy judges
 *     users: []
 *     groups: []
 *     namespaces: []
 *   policies:                       # per policy: mode and extra exemptions
 *     deletion-protection: {mode: enforce}
 *     deletion-confirmation: {mode: enforce}
 *     sync-windows: {mode: enforce}
 *     change-freeze: {mode: enforce}
 *     project-restrictions: {mode: enforce}
 *   server:
 *     maxConnections: 1000
 *     idleTimeout: 30s              # closes idle keep-alive and slow clients
 *     threads: 0                    # 0 = one per CPU core
 *
 * Modes: enforce (deny), warn (allow with a warning), audit (allow, record
 * an audit annotation and log), off.
 *
 * Ownership: the struct owns every string and list in it;
 * webhook_config_release() frees them.  A loaded config is read-only and
 * may be shared by every request thread.
 */
#ifndef WEBHOOK_CONFIG_H
#define WEBHOOK_CONFIG_H

#include <stddef.h>
#include <cjson/cJSON.h>

struct errbuf;

enum policy_mode { POLICY_OFF, POLICY_AUDIT, POLICY_WARN, POLICY_ENFORCE };
enum tracking_method { TRACKING_ANNOTATION, TRACKING_LABEL, TRACKING_ANNOTATION_LABEL };

struct string_list {
	char **v;
	size_t nr;
};

struct exemptions {
	struct string_list users, groups, namespaces;
};

struct policy_config {
	char *name;
	enum policy_mode mode;
	struct exemptions exempt;
};

struct webhook_config {
	char *control_plane_namespace;
	struct string_list controller_users;
	struct string_list teardown_users;
	enum tracking_method tracking_method;
	char *instance_label_key;
	long long approval_ttl_ms;
	size_t max_body_bytes;
	struct exemptions exempt;
	struct policy_config *policies; /* only the ones the file names */
	size_t nr_policies;
	unsigned max_connections;
	unsigned idle_timeout_s;
	unsigned threads;
};

#define WEBHOOK_DEFAULT_CONTROLLER "system:serviceaccount:argocd:argocd-application-controller"
#define WEBHOOK_DEFAULT_TEARDOWN "system:serviceaccount:kube-system:namespace-controller"

/* Fills cfg with the defaults. */
void webhook_config_init(struct webhook_config *cfg);
void webhook_config_release(struct webhook_config *cfg);

/* Applies a parsed document on top of cfg.  `known_policies` is the
 * NULL-terminated list of policy names the file may configure. */
int webhook_config_apply(struct webhook_config *cfg, const cJSON *doc,
                         const char *const *known_policies, struct errbuf *err);
/* Reads a YAML or JSON file and applies it. */
int webhook_config_load(struct webhook_config *cfg, const char *path,
                        const char *const *known_policies, struct errbuf *err);

/* The settings for one policy, or NULL when the file does not name it. */
const struct policy_config *webhook_config_policy(const struct webhook_config *cfg, const char *name);

int string_list_has(const struct string_list *l, const char *s);
const char *policy_mode_name(enum policy_mode m);
const char *tracking_method_name(enum tracking_method m);

#endif
