/*
 * kubeconfig_exec.c - the user's exec stanza (client.authentication.k8s.io
 * v1 and v1beta1), checked as client-go checks it and turned into the
 * rest_config's exec credential plugin.  Contract in kubeconfig_internal.h.
 */
#include "kubeconfig_internal.h"

#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "exec_credential.h"
#include "xalloc.h"

#define API_V1 "client.authentication.k8s.io/v1"
#define API_V1BETA1 "client.authentication.k8s.io/v1beta1"

/* --- the exec stanza --- */

static int exec_mode(const struct user_src *us, const char *api, const char *mode,
                     enum exec_interactive *out, struct errbuf *err)
{
	if (!set(mode)) {
		/* client-go's defaulting: IfAvailable for v1beta1, required for v1. */
		if (!strcmp(api, API_V1BETA1)) {
			*out = EXEC_IF_AVAILABLE;
			return 0;
		}
		return errbuf_set(err,
		                  "invalid configuration: interactiveMode must be specified "
		                  "for %s to use exec authentication plugin",
		                  us->name);
	}
	if (!strcmp(mode, "Never"))
		*out = EXEC_NEVER;
	else if (!strcmp(mode, "IfAvailable"))
		*out = EXEC_IF_AVAILABLE;
	else if (!strcmp(mode, "Always"))
		*out = EXEC_ALWAYS;
	else
		return errbuf_set(err,
		                  "invalid configuration: invalid interactiveMode for %s: "
		                  "\"%.64s\"",
		                  us->name, mode);
	return 0;
}

/* env entries as "NAME=value" strings in *out (NULL-terminated, caller frees). */
static int exec_env(const struct user_src *us, const cJSON *env, char ***out, struct errbuf *err)
{
	const cJSON *it;
	size_t i = 0;

	*out = xcalloc((size_t)cJSON_GetArraySize(env) + 1, sizeof(char *));
	cJSON_ArrayForEach (it, env) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
		const cJSON *value = cJSON_GetObjectItemCaseSensitive(it, "value");

		if (!cJSON_IsString(name) || !*name->valuestring)
			return errbuf_set(err,
			                  "invalid configuration: env variable name must be "
			                  "specified for %s to use exec authentication plugin",
			                  us->name);
		if (value && !cJSON_IsNull(value) && !cJSON_IsString(value))
			return kcfg_type_error(us->e, "user", "exec.env[].value", "a string", err);
		(*out)[i++] = kcfg_fmt("%s=%s", name->valuestring,
		                       cJSON_IsString(value) ? value->valuestring : "");
	}
	return 0;
}

static void free_strv(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static const char **str_array(const cJSON *arr)
{
	const char **v = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(char *));
	const cJSON *it;
	size_t i = 0;

	cJSON_ArrayForEach (it, arr)
		v[i++] = it->valuestring;
	return v;
}

static int exec_fields(struct loader *L, const struct user_src *us, struct exec_config *cfg,
                       const cJSON **args, const cJSON **env, struct errbuf *err)
{
	const struct named *e = us->e;
	const cJSON *x = us->exec;
	const char *mode;

	if (kcfg_get_str(e, "user", x, "command", &cfg->command, err) ||
	    kcfg_get_str(e, "user", x, "apiVersion", &cfg->api_version, err) ||
	    kcfg_get_str(e, "user", x, "installHint", &cfg->install_hint, err) ||
	    kcfg_get_str(e, "user", x, "interactiveMode", &mode, err) ||
	    kcfg_get_bool(e, "user", x, "provideClusterInfo", &cfg->provide_cluster_info, err) ||
	    kcfg_get_strlist(e, "user", x, "args", args, err))
		return -1;
	*env = cJSON_GetObjectItemCaseSensitive(x, "env");
	if (*env && !cJSON_IsNull(*env) && !cJSON_IsArray(*env))
		return kcfg_type_error(e, "user", "exec.env", "a list", err);
	if (!set(cfg->command))
		return errbuf_set(err,
		                  "invalid configuration: command must be specified for %s to "
		                  "use exec authentication plugin",
		                  us->name);
	if (!set(cfg->api_version))
		return errbuf_set(err,
		                  "invalid configuration: apiVersion must be specified for %s "
		                  "to use exec authentication plugin",
		                  us->name);
	if (strcmp(cfg->api_version, API_V1) && strcmp(cfg->api_version, API_V1BETA1))
		return errbuf_set(err, "exec plugin: invalid apiVersion \"%.100s\" for user \"%s\"",
		                  cfg->api_version, us->name);
	/* A bare name is looked up on PATH; anything with a '/' is a path. */
	if (strchr(cfg->command, '/'))
		cfg->command = kcfg_resolve(L, e->dir, cfg->command);
	return exec_mode(us, cfg->api_version, mode, &cfg->interactive, err);
}

int kcfg_exec_build(struct loader *L, struct rest_config *rc, const struct user_src *us,
                    const struct cluster_src *cs, struct errbuf *err)
{
	struct exec_config cfg = { 0 };
	const cJSON *args, *env;
	const char **argv = NULL;
	char **envv = NULL;
	int ret = -1;

	if (!us->exec)
		return 0;
	if (exec_fields(L, us, &cfg, &args, &env, err))
		return -1;
	if (cJSON_IsArray(env) && exec_env(us, env, &envv, err))
		goto out;
	argv = args ? str_array(args) : NULL;
	cfg.args = argv;
	cfg.env = (const char *const *)envv;
	cfg.cluster_server = rc->server;
	cfg.cluster_tls_server_name = rc->tls_server_name;
	cfg.cluster_insecure = rc->insecure_skip_tls_verify;
	cfg.cluster_ca_pem = rc->ca_pem;
	cfg.cluster_config_json = cs->exec_ext;
	cfg.cluster_proxy_url = rc->proxy_url;
	cfg.cluster_disable_compression = rc->disable_compression;
	rc->exec = exec_credential_new(&cfg);
	ret = 0;
out:
	free(argv);
	free_strv(envv);
	return ret;
}
