/*
 * rest_config.h - everything needed to talk to one API server, resolved.
 *
 * This is the contract between the kubeconfig loader (kubeconfig.h, which
 * fills it from kubeconfig files, flags or the in-cluster service account)
 * and the REST client (kube_client.h, which only reads it).  All paths have
 * already been resolved and all *-data fields base64-decoded: the client
 * never looks at a kubeconfig file.  The PEM buffers (ca_pem,
 * client_cert_pem, client_key_pem) are also NUL-terminated, not counted in
 * their _len.  token_file, when set, was readable at load time and, if no
 * static token was configured, its trimmed content is already in token.
 *
 * Ownership: the struct owns every pointer in it.  rest_config_release()
 * frees them all (wiping secrets first); the struct itself is the caller's.
 * Secrets (token, password, key) must never be printed, at any verbosity.
 */
#ifndef REST_CONFIG_H
#define REST_CONFIG_H

#include <stddef.h>

struct exec_credential; /* exec_credential.h */

struct rest_config {
	/* Where: scheme://host:port[/prefix], no trailing slash, no query. */
	char *server;
	char *tls_server_name; /* SNI and the name verified, or NULL */
	int insecure_skip_tls_verify;
	char *ca_pem; /* CA bundle PEM bytes, NULL = system roots */
	size_t ca_pem_len;
	char *proxy_url; /* NULL = the environment's proxies */
	int disable_compression;

	/* Who.  Credentials are used only when server is https. */
	char *client_cert_pem; /* PEM, NULL if none */
	size_t client_cert_pem_len;
	char *client_key_pem;
	size_t client_key_pem_len;
	char *token; /* static bearer token, or NULL */
	char *token_file; /* re-read at most once a minute, wins over token */
	char *username, *password; /* HTTP basic auth */
	struct exec_credential *exec; /* exec plugin, or NULL; owned */

	/* Impersonation (--as, --as-group, --as-uid). */
	char *as_user;
	char *as_uid;
	char **as_groups; /* NULL-terminated, or NULL */

	/* Context facts the commands need. */
	char *namespace; /* never NULL after loading: "default" at worst */
	int namespace_explicit; /* set by -n or the context, not the default */
	char *context_name, *cluster_name, *user_name; /* informational, may be NULL */

	/* Per-request timeout in milliseconds (--request-timeout); 0 = none. */
	long request_timeout_ms;
};

void rest_config_release(struct rest_config *rc);

#endif
