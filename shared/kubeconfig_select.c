/*
 * kubeconfig_select.c - choosing the context, cluster and user to use,
 * reading the chosen entries' fields with their types checked, and laying
 * the command-line flags over them with client-go's rules.  Only the
 * selected entries are read, so only they can be at fault.  Contract in
 * kubeconfig_internal.h.
 */
#include "kubeconfig_internal.h"

#include <string.h>

#include "errbuf.h"

#define EXEC_EXTENSION "client.authentication.k8s.io/exec"

/* --- typed access to an entry's fields --- */

int kcfg_type_error(const struct named *e, const char *kind, const char *key, const char *type,
                    struct errbuf *err)
{
	return errbuf_set(err, "error loading config file \"%s\": %s \"%s\": \"%s\" must be %s",
	                  e->file, kind, e->name, key, type);
}

int kcfg_get_str(const struct named *e, const char *kind, const cJSON *obj, const char *key,
                 const char **out, struct errbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return kcfg_type_error(e, kind, key, "a string", err);
	*out = v->valuestring;
	return 0;
}

int kcfg_get_bool(const struct named *e, const char *kind, const cJSON *obj, const char *key,
                  int *out, struct errbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsBool(v))
		return kcfg_type_error(e, kind, key, "true or false", err);
	*out = cJSON_IsTrue(v);
	return 0;
}

/* A list of strings (or absent): *out is the array or NULL. */
int kcfg_get_strlist(const struct named *e, const char *kind, const cJSON *obj, const char *key,
                     const cJSON **out, struct errbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key), *it;

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v))
		return kcfg_type_error(e, kind, key, "a list of strings", err);
	cJSON_ArrayForEach (it, v)
		if (!cJSON_IsString(it))
			return kcfg_type_error(e, kind, key, "a list of strings", err);
	*out = v;
	return 0;
}

static int get_obj(const struct named *e, const char *kind, const cJSON *obj, const char *key,
                   const cJSON **out, struct errbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsObject(v))
		return kcfg_type_error(e, kind, key, "a mapping", err);
	*out = v;
	return 0;
}

/* --- context, cluster and user selection --- */

int kcfg_select_context(struct loader *L, const struct kubeconfig_overrides *ov, struct ctx_src *c,
                        struct errbuf *err)
{
	const struct named *e;

	c->name = set(ov->context) ? ov->context : L->current_context;
	if (!set(c->name)) {
		c->name = NULL;
		return 0;
	}
	e = kcfg_find(&L->contexts, c->name);
	if (!e && set(ov->context))
		return errbuf_set(err, "context \"%s\" does not exist", c->name);
	if (!e)
		return errbuf_set(err,
		                  "invalid configuration: context was not found for "
		                  "specified context: %s",
		                  c->name);
	if (kcfg_get_str(e, "context", e->body, "cluster", &c->cluster, err) ||
	    kcfg_get_str(e, "context", e->body, "user", &c->user, err) ||
	    kcfg_get_str(e, "context", e->body, "namespace", &c->namespace, err))
		return -1;
	return 0;
}

static int exec_extension(struct loader *L, const struct named *e, struct cluster_src *cs,
                          struct errbuf *err)
{
	const cJSON *exts = cJSON_GetObjectItemCaseSensitive(e->body, "extensions"), *it;

	if (!exts || cJSON_IsNull(exts))
		return 0;
	if (!cJSON_IsArray(exts))
		return kcfg_type_error(e, "cluster", "extensions", "a list", err);
	cJSON_ArrayForEach (it, exts) {
		const cJSON *ext = cJSON_GetObjectItemCaseSensitive(it, "extension");

		if (strcmp(kcfg_item_name(it), EXEC_EXTENSION) || !ext)
			continue;
		cs->exec_ext = kcfg_keep(L, cJSON_PrintUnformatted(ext));
		return 0;
	}
	return 0;
}

static int cluster_from_entry(struct loader *L, const struct named *e, struct cluster_src *cs,
                              struct errbuf *err)
{
	const char *ca;

	cs->e = e;
	if (kcfg_get_str(e, "cluster", e->body, "server", &cs->server, err) ||
	    kcfg_get_str(e, "cluster", e->body, "tls-server-name", &cs->tls_server_name, err) ||
	    kcfg_get_str(e, "cluster", e->body, "certificate-authority", &ca, err) ||
	    kcfg_get_str(e, "cluster", e->body, "certificate-authority-data", &cs->ca_data, err) ||
	    kcfg_get_str(e, "cluster", e->body, "proxy-url", &cs->proxy_url, err) ||
	    kcfg_get_bool(e, "cluster", e->body, "insecure-skip-tls-verify", &cs->insecure, err) ||
	    kcfg_get_bool(e, "cluster", e->body, "disable-compression", &cs->disable_compression, err))
		return -1;
	cs->ca_file = kcfg_resolve(L, e->dir, ca);
	return exec_extension(L, e, cs, err);
}

int kcfg_select_cluster(struct loader *L, const struct kubeconfig_overrides *ov,
                        const struct ctx_src *c, struct cluster_src *cs, struct errbuf *err)
{
	const char *name = set(ov->cluster) ? ov->cluster : c->cluster;
	const struct named *e;

	cs->name = set(name) ? name : "";
	if (!set(name)) {
		if (set(ov->server))
			return 0;
		return errbuf_set(err,
		                  "invalid configuration: cluster was not specified for "
		                  "context \"%s\"",
		                  c->name ? c->name : "");
	}
	e = kcfg_find(&L->clusters, name);
	if (!e && set(ov->cluster))
		return errbuf_set(err, "cluster \"%s\" does not exist", name);
	if (!e)
		return errbuf_set(err,
		                  "invalid configuration: cluster \"%s\" was not found for "
		                  "context \"%s\"",
		                  name, c->name);
	return cluster_from_entry(L, e, cs, err);
}

static int user_from_entry(struct loader *L, const struct named *e, struct user_src *us,
                           struct errbuf *err)
{
	const char *tf, *cf, *kf;
	const cJSON *extra;

	us->e = e;
	if (kcfg_get_str(e, "user", e->body, "token", &us->token, err) ||
	    kcfg_get_str(e, "user", e->body, "tokenFile", &tf, err) ||
	    kcfg_get_str(e, "user", e->body, "client-certificate", &cf, err) ||
	    kcfg_get_str(e, "user", e->body, "client-certificate-data", &us->cert_data, err) ||
	    kcfg_get_str(e, "user", e->body, "client-key", &kf, err) ||
	    kcfg_get_str(e, "user", e->body, "client-key-data", &us->key_data, err) ||
	    kcfg_get_str(e, "user", e->body, "username", &us->username, err) ||
	    kcfg_get_str(e, "user", e->body, "password", &us->password, err) ||
	    kcfg_get_str(e, "user", e->body, "as", &us->as, err) ||
	    kcfg_get_str(e, "user", e->body, "as-uid", &us->as_uid, err) ||
	    kcfg_get_strlist(e, "user", e->body, "as-groups", &us->as_groups, err) ||
	    get_obj(e, "user", e->body, "as-user-extra", &extra, err) ||
	    get_obj(e, "user", e->body, "exec", &us->exec, err) ||
	    get_obj(e, "user", e->body, "auth-provider", &us->auth_provider, err))
		return -1;
	us->has_as_extra = extra && extra->child;
	us->token_file = kcfg_resolve(L, e->dir, tf);
	us->cert_file = kcfg_resolve(L, e->dir, cf);
	us->key_file = kcfg_resolve(L, e->dir, kf);
	return 0;
}

int kcfg_select_user(struct loader *L, const struct kubeconfig_overrides *ov,
                     const struct ctx_src *c, struct user_src *us, struct errbuf *err)
{
	const char *name = set(ov->user) ? ov->user : c->user;
	const struct named *e;

	us->name = set(name) ? name : "";
	if (!set(name))
		return 0;
	e = kcfg_find(&L->users, name);
	if (!e && set(ov->user))
		return errbuf_set(err, "auth info \"%s\" does not exist", name);
	if (!e)
		return errbuf_set(err,
		                  "invalid configuration: user \"%s\" was not found for "
		                  "context \"%s\"",
		                  name, c->name);
	return user_from_entry(L, e, us, err);
}

/* --- flags over the file, client-go's rules --- */

void kcfg_cluster_overrides(struct cluster_src *cs, const struct kubeconfig_overrides *ov)
{
	if (set(ov->server))
		cs->server = ov->server;
	if (set(ov->server) || set(ov->tls_server_name))
		cs->tls_server_name = ov->tls_server_name;
	if (ov->insecure_skip_tls_verify == 1 || set(ov->certificate_authority)) {
		cs->insecure = ov->insecure_skip_tls_verify == 1;
		cs->ca_file = ov->certificate_authority;
		cs->ca_data = NULL;
		cs->ca_optional = 0;
	}
}

void kcfg_user_overrides(struct user_src *us, const struct kubeconfig_overrides *ov)
{
	if (set(ov->token)) {
		us->token = ov->token;
		us->token_file = NULL;
	}
	if (set(ov->client_certificate)) {
		us->cert_file = ov->client_certificate;
		us->cert_data = NULL;
	}
	if (set(ov->client_key)) {
		us->key_file = ov->client_key;
		us->key_data = NULL;
	}
	if (set(ov->username))
		us->username = ov->username;
	if (set(ov->password))
		us->password = ov->password;
	if (set(ov->as_user))
		us->as = ov->as_user;
	if (set(ov->as_uid))
		us->as_uid = ov->as_uid;
	if (ov->as_groups && ov->as_groups[0])
		us->as_groups_ov = ov->as_groups;
}
