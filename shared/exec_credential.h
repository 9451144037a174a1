/*
 * exec_credential.h - client-go exec credential plugins
 * (client.authentication.k8s.io/v1 and v1beta1).
 *
 * The kubeconfig loader builds one struct exec_credential per user entry
 * with an `exec` stanza; the REST client asks it for credentials before a
 * request and tells it when the server answered 401.  Credentials are cached
 * until status.expirationTimestamp (or for the process lifetime when the
 * plugin gives none).
 *
 * Ownership: exec_credential_new() copies everything it is given; the
 * returned object is freed by exec_credential_free().  Strings returned by
 * exec_credential_get() stay owned by the object and remain valid until the
 * next exec_credential_get()/_invalidate()/_free() on it.  An object is not
 * thread-safe: one thread at a time may use it.
 *
 * Running the plugin: fork/exec without a shell (a bare command is looked up
 * on $PATH); environment = ours + cfg->env (later entries win) +
 * KUBERNETES_EXEC_INFO; stdin is connected only when the run is interactive
 * (Never: /dev/null; IfAvailable: iff our stdin is a terminal; Always: an
 * error unless it is), stderr is passed through, stdout is captured (at most
 * 1 MiB).  A non-interactive run is killed after cfg->timeout_sec (default
 * 60 s) - client-go has no limit, but a hung plugin must not hang us.
 *
 * Errors use client-go's words ("exec: executable X not found" followed by
 * the install hint, "exec: executable X failed with exit code N",
 * "exec plugin didn't return a status field", ...) and never contain the
 * plugin's output.  kubectl shows them as "getting credentials: <msg>"; that
 * prefix is the caller's to add.
 */
#ifndef EXEC_CREDENTIAL_H
#define EXEC_CREDENTIAL_H

#include <stddef.h>
#include <time.h>

struct errbuf;

enum exec_interactive { EXEC_NEVER, EXEC_IF_AVAILABLE, EXEC_ALWAYS };

struct exec_config {
	const char *command; /* resolved against the kubeconfig's dir if it has a '/' */
	const char *const *args; /* NULL-terminated, may be NULL */
	const char *const *env; /* "NAME=value" pairs, NULL-terminated, may be NULL */
	const char *api_version; /* client.authentication.k8s.io/v1 or /v1beta1 */
	const char *install_hint;
	enum exec_interactive interactive;
	int provide_cluster_info;
	/* Cluster facts for KUBERNETES_EXEC_INFO when provide_cluster_info. */
	const char *cluster_server;
	const char *cluster_tls_server_name;
	int cluster_insecure;
	const char *cluster_ca_pem; /* inlined, base64-encoded into the info */
	const char *cluster_config_json; /* the client.authentication.k8s.io/exec extension, or NULL */
	const char *cluster_proxy_url;
	int cluster_disable_compression;
	int timeout_sec; /* 0 = 60; not applied to interactive runs */
};

struct exec_result {
	const char *token; /* bearer token, or NULL */
	const char *client_cert_pem; /* PEM text, or NULL */
	const char *client_key_pem;
	time_t expires; /* 0 = never */
};

struct exec_credential *exec_credential_new(const struct exec_config *cfg);
void exec_credential_free(struct exec_credential *ec);

/* Runs the plugin if nothing valid is cached; 0 and *out filled, or -1. */
int exec_credential_get(struct exec_credential *ec, struct exec_result *out, struct errbuf *err);

/* After a 401: forget the cached credential so the next get re-runs it. */
void exec_credential_invalidate(struct exec_credential *ec);

#endif
