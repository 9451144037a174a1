/*
 * kubeconfig_internal.h - what the kubeconfig.h implementation files
 * share; not for use outside them.
 *
 *   kubeconfig_files.c   reading and merging the files into a loader
 *   kubeconfig_select.c  context/cluster/user selection, typed fields, flags
 *   kubeconfig_build.c   validation, and the rest_config from cluster and user
 *   kubeconfig_exec.c    the exec stanza
 *   kubeconfig.c         the public functions, in-cluster, the namespace
 *
 * Ownership: a struct loader owns the parsed documents and every string
 * handed to kcfg_keep(); the named entries and the *_src structs only
 * borrow from it (or from the overrides), so they live until
 * kcfg_loader_release().  The kcfg_*_build() functions fill a rest_config
 * with copies the rest_config owns.
 */
#ifndef KUBECONFIG_INTERNAL_H
#define KUBECONFIG_INTERNAL_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "kubeconfig.h"
#include "rest_config.h"

struct errbuf;
struct strbuf;

/* One clusters/users/contexts entry, and where it came from. */
struct named {
	const char *name;
	const cJSON *body; /* the cluster/user/context mapping, or NULL */
	const char *file;
	const char *dir; /* absolute directory of file */
};

struct entries {
	struct named *v;
	size_t n, alloc;
};

/* Everything borrowed by the *_src structs below lives here until the end. */
struct loader {
	cJSON **docs;
	size_t ndocs;
	char **owned;
	size_t nowned;
	struct entries clusters, users, contexts;
	const char *current_context;
};

struct ctx_src {
	const char *name; /* NULL when no context is selected */
	const char *cluster, *user, *namespace;
};

struct cluster_src {
	const char *name;
	const struct named *e; /* NULL: from flags or in-cluster */
	const char *server, *tls_server_name, *ca_file, *ca_data, *proxy_url;
	int insecure, disable_compression;
	const char *exec_ext; /* JSON text of the exec extension */
	int ca_optional; /* in-cluster: unreadable CA = system roots */
};

struct user_src {
	const char *name;
	const struct named *e;
	const char *token, *token_file, *cert_file, *cert_data, *key_file, *key_data;
	const char *username, *password, *as, *as_uid;
	const cJSON *as_groups;
	const char *const *as_groups_ov;
	int has_as_extra;
	const cJSON *exec, *auth_provider;
};

/* Whether s is a non-empty string. */
static inline int set(const char *s)
{
	return s && *s;
}

/* --- kubeconfig_files.c --- */

/* A formatted, newly allocated string. */
__attribute__((format(printf, 1, 2))) char *kcfg_fmt(const char *f, ...);
/* Hands s to the loader, which frees it at the end; returns s. */
const char *kcfg_keep(struct loader *L, char *s);
void kcfg_loader_release(struct loader *L);
/* path resolved against dir (client-go's ResolvePaths); absolute and
 * empty paths are returned as they are. */
const char *kcfg_resolve(struct loader *L, const char *dir, const char *path);
const struct named *kcfg_find(const struct entries *es, const char *name);
/* The entry's "name", or "". */
const char *kcfg_item_name(const cJSON *item);
/* Loads the files the overrides and the environment name into L. */
int kcfg_load_files(struct loader *L, const struct kubeconfig_overrides *ov, struct errbuf *err);

/* --- kubeconfig_select.c --- */

/* Typed fields of an entry's mapping: absent or null gives NULL/0;
 * another type is an error naming the file, the entry and the key. */
int kcfg_type_error(const struct named *e, const char *kind, const char *key, const char *type,
                    struct errbuf *err);
int kcfg_get_str(const struct named *e, const char *kind, const cJSON *obj, const char *key,
                 const char **out, struct errbuf *err);
int kcfg_get_bool(const struct named *e, const char *kind, const cJSON *obj, const char *key,
                  int *out, struct errbuf *err);
int kcfg_get_strlist(const struct named *e, const char *kind, const cJSON *obj, const char *key,
                     const cJSON **out, struct errbuf *err);

int kcfg_select_context(struct loader *L, const struct kubeconfig_overrides *ov, struct ctx_src *c,
                        struct errbuf *err);
int kcfg_select_cluster(struct loader *L, const struct kubeconfig_overrides *ov,
                        const struct ctx_src *c, struct cluster_src *cs, struct errbuf *err);
int kcfg_select_user(struct loader *L, const struct kubeconfig_overrides *ov,
                     const struct ctx_src *c, struct user_src *us, struct errbuf *err);
void kcfg_cluster_overrides(struct cluster_src *cs, const struct kubeconfig_overrides *ov);
void kcfg_user_overrides(struct user_src *us, const struct kubeconfig_overrides *ov);

/* --- kubeconfig_build.c --- */

int kcfg_cluster_build(struct rest_config *rc, const struct cluster_src *cs, struct errbuf *err);
int kcfg_user_build(struct rest_config *rc, const struct user_src *us, struct errbuf *err);
/* Strips leading and trailing whitespace. */
void kcfg_trim(struct strbuf *sb);

/* --- kubeconfig_exec.c --- */

/* rc->exec from the user's exec stanza, if any; needs the cluster built. */
int kcfg_exec_build(struct loader *L, struct rest_config *rc, const struct user_src *us,
                    const struct cluster_src *cs, struct errbuf *err);

#endif
