/*
 * kubeconfig.h - load a rest_config exactly as client-go's clientcmd does.
 *
 * Order: --kubeconfig (only that file, must exist), else $KUBECONFIG (':'
 * separated, de-duplicated, missing files skipped, first file wins per
 * named entry, first non-empty current-context wins), else ~/.kube/config;
 * when none of that yields a configuration and the process runs in a pod,
 * the in-cluster service account.  Relative paths resolve against the file
 * that defined the entry.  Flags in struct kubeconfig_overrides override
 * the file with client-go's rules (--token clears tokenFile, …).
 *
 * "Nothing configured" means: no context selected (no --context and no
 * current-context), no --cluster and no --server.  Then, in a pod
 * ($KUBERNETES_SERVICE_HOST/_PORT set and the service-account token
 * present) the in-cluster config is used with --token,
 * --certificate-authority, --insecure-skip-tls-verify, -n, --as... applied;
 * elsewhere it is the error "no configuration has been provided, ...".
 * Only the selected context, cluster and user are validated (as client-go
 * does); CA, client certificate/key and token files are read at load time,
 * so a missing one is reported here, naming it.  The user's exec stanza
 * becomes out->exec even when the user also has a token or certificate:
 * the client decides which credential to use.  Unsupported: auth-provider
 * (an error naming the user), as-user-extra (validated, not sent), the
 * legacy ~/.kube/.kubeconfig migration.
 *
 * Every error is one sentence that names the file or entry at fault, and
 * never contains a credential.
 *
 * Ownership: the overrides are borrowed; `out` is filled with owned copies
 * and released with rest_config_release().  On error `out` is left empty.
 */
#ifndef KUBECONFIG_H
#define KUBECONFIG_H

#include "rest_config.h"

struct errbuf;

struct kubeconfig_overrides {
	const char *kubeconfig; /* --kubeconfig */
	const char *context; /* --context */
	const char *cluster; /* --cluster */
	const char *user; /* --user */
	const char *namespace; /* -n/--namespace */
	const char *server; /* -s/--server */
	const char *tls_server_name;
	const char *certificate_authority;
	const char *client_certificate;
	const char *client_key;
	const char *token;
	const char *username, *password;
	int insecure_skip_tls_verify; /* -1 unset, 0 false, 1 true */
	const char *as_user, *as_uid;
	const char *const *as_groups; /* NULL-terminated or NULL */
	long request_timeout_ms; /* 0 = none */
	/* The service-account directory for the in-cluster fallback and its
	 * namespace; NULL = /var/run/secrets/kubernetes.io/serviceaccount.
	 * Only tests set it. */
	const char *in_cluster_sa_dir;
};

#define KUBECONFIG_OVERRIDES_INIT              \
	{                                      \
		.insecure_skip_tls_verify = -1 \
	}

/* Loads from files/flags, falling back to in-cluster; 0 or -1. */
int kubeconfig_load(struct rest_config *out, const struct kubeconfig_overrides *ov,
                    struct errbuf *err);

/*
 * In-cluster config from the service-account directory `sa_dir` (NULL =
 * /var/run/secrets/kubernetes.io/serviceaccount) and $KUBERNETES_SERVICE_HOST
 * and _PORT.  The token is recorded as token_file so that rotation is seen.
 */
int kubeconfig_in_cluster(struct rest_config *out, const char *sa_dir, struct errbuf *err);

#endif
