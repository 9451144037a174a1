/*
 * kubeconfig.c - kubeconfig_load() and kubeconfig_in_cluster(): files
 * (kubeconfig_files.c), then selection and flags (kubeconfig_select.c),
 * then the rest_config (kubeconfig_build.c, kubeconfig_exec.c); or, when
 * nothing is configured and the process runs in a pod, the service
 * account.  Also which namespace applies.
 */
#include "kubeconfig.h"
#include "kubeconfig_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errbuf.h"
#include "strbuf.h"
#include "xalloc.h"

#define SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"
#define NO_CONFIG                                                     \
	"invalid configuration: no configuration has been provided, " \
	"try setting the KUBECONFIG environment variable or the --kubeconfig flag"

static const struct kubeconfig_overrides no_overrides = KUBECONFIG_OVERRIDES_INIT;

/* --- namespace --- */

static int dns_label(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

static char *in_cluster_namespace(const char *sa_dir)
{
	const char *env = getenv("POD_NAMESPACE");
	struct strbuf sb = STRBUF_INIT;
	char *path;

	if (set(env))
		return xstrdup(env);
	path = kcfg_fmt("%s/namespace", sa_dir);
	if (!strbuf_read_file(&sb, path, 4096))
		kcfg_trim(&sb);
	free(path);
	if (sb.len)
		return strbuf_detach(&sb, NULL);
	strbuf_release(&sb);
	return xstrdup("default");
}

static int in_cluster_possible(const char *sa_dir)
{
	struct stat st;
	char *token = kcfg_fmt("%s/token", sa_dir);
	int ok = set(getenv("KUBERNETES_SERVICE_HOST")) && set(getenv("KUBERNETES_SERVICE_PORT")) &&
	         !stat(token, &st) && !S_ISDIR(st.st_mode);

	free(token);
	return ok;
}

static int set_namespace(struct rest_config *rc, const struct kubeconfig_overrides *ov,
                         const struct ctx_src *c, const char *sa_dir, struct errbuf *err)
{
	if (set(ov->namespace)) {
		if (!dns_label(ov->namespace))
			return errbuf_set(err,
			                  "invalid namespace \"%.100s\": it does not conform to "
			                  "the kubernetes DNS_LABEL rules",
			                  ov->namespace);
		rc->namespace = xstrdup(ov->namespace);
		rc->namespace_explicit = 1;
	} else if (c && set(c->namespace)) {
		if (!dns_label(c->namespace))
			return errbuf_set(
				err,
				"invalid configuration: namespace \"%.100s\" for context "
				"\"%s\" does not conform to the kubernetes DNS_LABEL rules",
				c->namespace, c->name);
		rc->namespace = xstrdup(c->namespace);
		rc->namespace_explicit = 1;
	} else if (in_cluster_possible(sa_dir)) {
		/* client-go: a pod's own namespace beats the implicit "default". */
		rc->namespace = in_cluster_namespace(sa_dir);
	} else {
		rc->namespace = xstrdup("default");
	}
	return 0;
}

/* --- in-cluster --- */

static int in_cluster(struct loader *L, struct rest_config *rc,
                      const struct kubeconfig_overrides *ov, const char *sa_dir, struct errbuf *err)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	struct cluster_src cs = { .name = "" };
	struct user_src us = { .name = "" };
	const char *token;

	if (!set(host) || !set(port))
		return errbuf_set(
			err, "unable to load in-cluster configuration, "
			     "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined");
	token = kcfg_keep(L, kcfg_fmt("%s/token", sa_dir));
	if (access(token, R_OK))
		return errbuf_set(err,
		                  "unable to load in-cluster configuration: cannot read the "
		                  "service account token %s: %s",
		                  token, strerror(errno));
	/* JoinHostPort: an IPv6 address is bracketed. */
	cs.server = kcfg_keep(
		L, kcfg_fmt(strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host, port));
	cs.ca_file = kcfg_keep(L, kcfg_fmt("%s/ca.crt", sa_dir));
	cs.ca_optional = 1;
	us.token_file = token;
	kcfg_cluster_overrides(&cs, ov);
	kcfg_user_overrides(&us, ov);
	if (kcfg_cluster_build(rc, &cs, err) || kcfg_user_build(rc, &us, err))
		return -1;
	rc->request_timeout_ms = ov->request_timeout_ms;
	if (set(ov->namespace))
		return set_namespace(rc, ov, NULL, sa_dir, err);
	rc->namespace = in_cluster_namespace(sa_dir);
	return 0;
}

int kubeconfig_in_cluster(struct rest_config *out, const char *sa_dir, struct errbuf *err)
{
	struct loader L = { 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	ret = in_cluster(&L, out, &no_overrides, sa_dir ? sa_dir : SA_DIR, err);
	kcfg_loader_release(&L);
	if (ret)
		rest_config_release(out);
	return ret;
}

/* --- putting it together --- */

static int from_files(struct loader *L, struct rest_config *rc,
                      const struct kubeconfig_overrides *ov, const char *sa_dir, struct errbuf *err)
{
	struct ctx_src c = { 0 };
	struct cluster_src cs = { 0 };
	struct user_src us = { 0 };

	if (kcfg_select_context(L, ov, &c, err))
		return -1;
	if (!c.name && !set(ov->cluster) && !set(ov->server)) {
		if (in_cluster_possible(sa_dir))
			return in_cluster(L, rc, ov, sa_dir, err);
		return errbuf_set(err, NO_CONFIG);
	}
	if (kcfg_select_cluster(L, ov, &c, &cs, err) || kcfg_select_user(L, ov, &c, &us, err))
		return -1;
	kcfg_cluster_overrides(&cs, ov);
	kcfg_user_overrides(&us, ov);
	if (kcfg_cluster_build(rc, &cs, err) || kcfg_user_build(rc, &us, err) ||
	    kcfg_exec_build(L, rc, &us, &cs, err) || set_namespace(rc, ov, &c, sa_dir, err))
		return -1;
	rc->context_name = xstrdup_or_null(c.name);
	rc->cluster_name = set(cs.name) ? xstrdup(cs.name) : NULL;
	rc->user_name = set(us.name) ? xstrdup(us.name) : NULL;
	rc->request_timeout_ms = ov->request_timeout_ms;
	return 0;
}

int kubeconfig_load(struct rest_config *out, const struct kubeconfig_overrides *ov, struct errbuf *err)
{
	struct loader L = { 0 };
	const char *sa_dir;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!ov)
		ov = &no_overrides;
	sa_dir = ov->in_cluster_sa_dir ? ov->in_cluster_sa_dir : SA_DIR;
	ret = kcfg_load_files(&L, ov, err);
	if (!ret)
		ret = from_files(&L, out, ov, sa_dir, err);
	kcfg_loader_release(&L);
	if (ret)
		rest_config_release(out);
	return ret;
}
