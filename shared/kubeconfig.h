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
	const char *kubeconfig;         /* --kubeconfig */
	const char *context;            /* --context */
	const char *cluster;            /* --cluster */
	const char *user;               /* --user */
	const char *namespace;          /* -n/--namespace */
	const char *server;             /* -s/--server */
	const char *tls_server_name;
	const char *certificate_authority;
	const char *client_certificate;
	const char *client_key;
	const char *token;
	const char *username, *password;
	int insecure_skip_tls_verify;   /* -1 unset, 0 false, 1 true */
	const char *as_user, *as_uid;
	const char *const *as_groups;   /* NULL-terminated or NULL */
	long request_timeout_ms;        /* 0 = none */
};

#define KUBECONFIG_OVERRIDES_INIT { .insecure_skip_tls_verify = -1 }

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
