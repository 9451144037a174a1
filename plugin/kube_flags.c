#include "kube_flags.h"

#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "kubeconfig.h"
#include "ui.h"
#include "xalloc.h"

void kube_flags_init(struct kube_flags *kf)
{
	memset(kf, 0, sizeof(*kf));
	kf->insecure_skip_tls_verify = -1;
}

void kube_flags_release(struct kube_flags *kf)
{
	strlist_release(&kf->as_groups);
}

const struct option *kube_flags_options(struct kube_flags *kf)
{
	/* Rebuilt per call: the table points into this kf. */
	static struct option t[24];
	struct option o[] = {
		{ OPT_STRING, 'n', "namespace", &kf->namespace, "NAMESPACE",
		  "If present, the namespace scope for this CLI request", 0 },
		{ OPT_STRING, 0, "kubeconfig", &kf->kubeconfig, "FILE",
		  "Path to the kubeconfig file to use for CLI requests", 0 },
		{ OPT_STRING, 0, "context", &kf->context, "NAME",
		  "The name of the kubeconfig context to use", 0 },
		{ OPT_STRING, 0, "cluster", &kf->cluster, "NAME",
		  "The name of the kubeconfig cluster to use", 0 },
		{ OPT_STRING, 0, "user", &kf->user, "NAME",
		  "The name of the kubeconfig user to use", 0 },
		{ OPT_STRING, 's', "server", &kf->server, "URL",
		  "The address and port of the Kubernetes API server", 0 },
		{ OPT_STRING, 0, "tls-server-name", &kf->tls_server_name, "NAME",
		  "Server name to use for server certificate validation", 0 },
		{ OPT_BOOL, 0, "insecure-skip-tls-verify", &kf->insecure_skip_tls_verify, NULL,
		  "Do not check the server's certificate (insecure)", 0 },
		{ OPT_STRING, 0, "certificate-authority", &kf->certificate_authority, "FILE",
		  "Path to a cert file for the certificate authority", 0 },
		{ OPT_STRING, 0, "client-certificate", &kf->client_certificate, "FILE",
		  "Path to a client certificate file for TLS", 0 },
		{ OPT_STRING, 0, "client-key", &kf->client_key, "FILE",
		  "Path to a client key file for TLS", 0 },
		{ OPT_STRING, 0, "token", &kf->token, "TOKEN",
		  "Bearer token for authentication to the API server", 0 },
		{ OPT_STRING, 0, "username", &kf->username, "NAME",
		  "Username for basic authentication to the API server", 1 },
		{ OPT_STRING, 0, "password", &kf->password, "PASSWORD",
		  "Password for basic authentication to the API server", 1 },
		{ OPT_STRING, 0, "as", &kf->as_user, "USER",
		  "Username to impersonate for the operation", 0 },
		{ OPT_STRING, 0, "as-uid", &kf->as_uid, "UID",
		  "UID to impersonate for the operation", 0 },
		{ OPT_STRING_LIST, 0, "as-group", &kf->as_groups, "GROUP",
		  "Group to impersonate for the operation (repeatable)", 0 },
		{ OPT_STRING, 0, "request-timeout", &kf->request_timeout, "DURATION",
		  "How long to wait for a single server request (0 = no timeout), e.g. 1s, 2m", 0 },
		{ OPT_INT, 'v', "v", &kf->verbosity, "LEVEL",
		  "Log level: 6 requests, 7 headers, 8 bodies (credentials are never shown)", 0 },
		OPT_END,
	};

	memcpy(t, o, sizeof(o));
	return t;
}

int kube_flags_parse(struct kube_flags *kf, const char *cmd, int argc, const char **argv,
                     const struct option *own, const struct command_help *help, const char ***args,
                     int *nargs)
{
	const struct option *tables[] = { own, kube_flags_options(kf), NULL };
	struct errbuf err;

	*args = NULL;
	*nargs = 0;
	switch (options_parse(argc, argv, tables, help, args, nargs, &err)) {
	case 1:
		return EXIT_OK;
	case -1:
		return options_usage_error(cmd, &err);
	}
	return -1;
}

/* client-go's default warning handler: "Warning: <text>" on stderr. */
static void print_warning(const char *text, void *data)
{
	char *esc = term_escaped(text);

	(void)data;
	fprintf(stderr, "Warning: %s\n", esc);
	free(esc);
}

struct kube_client *kube_flags_connect(struct kube_flags *kf, struct rest_config *rc,
                                       struct errbuf *err)
{
	struct kubeconfig_overrides ov = KUBECONFIG_OVERRIDES_INIT;
	const char **groups = NULL;
	struct kube_client *kc;
	int64_t timeout_ns = 0;
	size_t i;

	if (kf->request_timeout &&
	    duration_parse_request_timeout(kf->request_timeout, &timeout_ns, err)) {
		err->code = -2;
		return NULL;
	}
	if (kf->as_groups.n) {
		groups = xcalloc(kf->as_groups.n + 1, sizeof(*groups));
		for (i = 0; i < kf->as_groups.n; i++)
			groups[i] = kf->as_groups.items[i];
	}
	ov.kubeconfig = kf->kubeconfig;
	ov.context = kf->context;
	ov.cluster = kf->cluster;
	ov.user = kf->user;
	ov.namespace = kf->namespace;
	ov.server = kf->server;
	ov.tls_server_name = kf->tls_server_name;
	ov.certificate_authority = kf->certificate_authority;
	ov.client_certificate = kf->client_certificate;
	ov.client_key = kf->client_key;
	ov.token = kf->token;
	ov.username = kf->username;
	ov.password = kf->password;
	ov.insecure_skip_tls_verify = kf->insecure_skip_tls_verify;
	ov.as_user = kf->as_user;
	ov.as_uid = kf->as_uid;
	ov.as_groups = groups;
	ov.request_timeout_ms = (long)(timeout_ns / 1000000);
	if (kubeconfig_load(rc, &ov, err)) {
		free(groups);
		return NULL;
	}
	free(groups);
	kc = kube_client_new(rc, err);
	if (!kc) {
		rest_config_release(rc);
		return NULL;
	}
	kube_client_set_verbosity(kc, (int)kf->verbosity, stderr);
	kube_client_set_user_agent(kc, "kubectl-gitops/" GITOPS_VERSION);
	kube_client_set_warning_handler(kc, print_warning, NULL);
	return kc;
}
