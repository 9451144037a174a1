#include "kubeconfig.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base64.h"
#include "errbuf.h"
#include "exec_credential.h"
#include "strbuf.h"
#include "xalloc.h"
#include "yaml_json.h"

#define SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"
#define EXEC_EXTENSION "client.authentication.k8s.io/exec"
#define API_V1 "client.authentication.k8s.io/v1"
#define API_V1BETA1 "client.authentication.k8s.io/v1beta1"
#define CONFIG_MAX (16u << 20)
#define FILE_MAX (4u << 20)
#define NO_CONFIG "invalid configuration: no configuration has been provided, " \
	"try setting the KUBECONFIG environment variable or the --kubeconfig flag"

/* One clusters/users/contexts entry, and where it came from. */
struct named {
	const char *name;
	const cJSON *body;              /* the cluster/user/context mapping, or NULL */
	const char *file;
	const char *dir;                /* absolute directory of file */
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
	const char *name;               /* NULL when no context is selected */
	const char *cluster, *user, *namespace;
};

struct cluster_src {
	const char *name;
	const struct named *e;          /* NULL: from flags or in-cluster */
	const char *server, *tls_server_name, *ca_file, *ca_data, *proxy_url;
	int insecure, disable_compression;
	const char *exec_ext;           /* JSON text of the exec extension */
	int ca_optional;                /* in-cluster: unreadable CA = system roots */
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

static const struct kubeconfig_overrides no_overrides = KUBECONFIG_OVERRIDES_INIT;

static int set(const char *s)
{
	return s && *s;
}

__attribute__((format(printf, 1, 2)))
static char *fmt(const char *f, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, f);
	strbuf_vaddf(&sb, f, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

static const char *keep(struct loader *L, char *s)
{
	L->owned = xrealloc(L->owned, (L->nowned + 1) * sizeof(*L->owned));
	L->owned[L->nowned++] = s;
	return s;
}

static void loader_release(struct loader *L)
{
	size_t i;

	for (i = 0; i < L->ndocs; i++)
		cJSON_Delete(L->docs[i]);
	free(L->docs);
	for (i = 0; i < L->nowned; i++)
		free(L->owned[i]);
	free(L->owned);
	free(L->clusters.v);
	free(L->users.v);
	free(L->contexts.v);
}

/* Go's filepath.Clean for an absolute path. */
static char *clean_abs(const char *p)
{
	struct strbuf sb = STRBUF_INIT;

	while (*p) {
		const char *end;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(sb.buf, '/');

			strbuf_setlen(&sb, slash ? (size_t)(slash - sb.buf) : 0);
		} else if (!(n == 1 && p[0] == '.')) {
			strbuf_addch(&sb, '/');
			strbuf_add(&sb, p, n);
		}
		p = end;
	}
	if (!sb.len)
		strbuf_addch(&sb, '/');
	return strbuf_detach(&sb, NULL);
}

static char *absolute(const char *path)
{
	char *cwd, *joined, *ret;

	if (path[0] == '/')
		return clean_abs(path);
	cwd = getcwd(NULL, 0);
	joined = fmt("%s/%s", cwd ? cwd : "/", path);
	ret = clean_abs(joined);
	free(cwd);
	free(joined);
	return ret;
}

static char *abs_dir(const char *file)
{
	char *p = absolute(file), *slash = strrchr(p, '/');

	if (slash == p)
		p[1] = '\0';
	else
		*slash = '\0';
	return p;
}

/* client-go's ResolvePaths: relative to the file's directory; absolute and
 * empty paths are left alone. */
static const char *resolve(struct loader *L, const char *dir, const char *path)
{
	char *joined;
	const char *ret;

	if (!set(path) || path[0] == '/')
		return path;
	joined = fmt("%s/%s", dir, path);
	ret = keep(L, clean_abs(joined));
	free(joined);
	return ret;
}

static const struct named *find(const struct entries *es, const char *name)
{
	size_t i;

	for (i = 0; i < es->n; i++)
		if (!strcmp(es->v[i].name, name))
			return &es->v[i];
	return NULL;
}

static const char *item_name(const cJSON *item)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");

	return cJSON_IsString(name) ? name->valuestring : "";
}

static int check_item(const cJSON *item, const char *file, const char *list, const char *key,
		      struct errbuf *err)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(item, key);

	if (!cJSON_IsObject(item))
		return errbuf_set(err, "error loading config file \"%s\": every entry of \"%s\" "
				  "must be a mapping", file, list);
	if (name && !cJSON_IsNull(name) && !cJSON_IsString(name))
		return errbuf_set(err, "error loading config file \"%s\": an entry of \"%s\" has "
				  "a name that is not a string", file, list);
	if (body && !cJSON_IsNull(body) && !cJSON_IsObject(body))
		return errbuf_set(err, "error loading config file \"%s\": %s \"%s\": \"%s\" must "
				  "be a mapping", file, key, item_name(item), key);
	return 0;
}

/* Adds a file's list; an entry named in an earlier file wins, whole. */
static int add_list(struct entries *es, const cJSON *doc, const char *list, const char *key,
		    const char *file, const char *dir, struct errbuf *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, list), *item, *prev;

	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr))
		return errbuf_set(err, "error loading config file \"%s\": \"%s\" must be a list",
				  file, list);
	cJSON_ArrayForEach(item, arr) {
		const char *name;

		if (check_item(item, file, list, key, err))
			return -1;
		name = item_name(item);
		for (prev = arr->child; prev != item; prev = prev->next)
			if (!strcmp(item_name(prev), name))
				return errbuf_set(err, "error loading config file \"%s\": duplicate "
						  "name \"%s\" in list \"%s\"", file, name, list);
		if (find(es, name))
			continue;
		if (es->n == es->alloc) {
			es->alloc = es->alloc ? 2 * es->alloc : 8;
			es->v = xrealloc(es->v, es->alloc * sizeof(*es->v));
		}
		es->v[es->n].name = name;
		es->v[es->n].body = cJSON_GetObjectItemCaseSensitive(item, key);
		es->v[es->n].file = file;
		es->v[es->n].dir = dir;
		es->n++;
	}
	return 0;
}

static int load_file(struct loader *L, const char *path, struct errbuf *err)
{
	cJSON *doc = yamljson_parse_file_one(path, CONFIG_MAX, err);
	const cJSON *cc;
	const char *file, *dir;

	if (!doc)
		return errbuf_prefix(err, "error loading config file \"%s\"", path);
	L->docs = xrealloc(L->docs, (L->ndocs + 1) * sizeof(*L->docs));
	L->docs[L->ndocs++] = doc;
	if (cJSON_IsNull(doc))
		return 0;
	if (!cJSON_IsObject(doc))
		return errbuf_set(err, "error loading config file \"%s\": not a kubeconfig "
				  "(the top level is not a mapping)", path);
	file = keep(L, xstrdup(path));
	dir = keep(L, abs_dir(path));
	if (add_list(&L->clusters, doc, "clusters", "cluster", file, dir, err) ||
	    add_list(&L->users, doc, "users", "user", file, dir, err) ||
	    add_list(&L->contexts, doc, "contexts", "context", file, dir, err))
		return -1;
	cc = cJSON_GetObjectItemCaseSensitive(doc, "current-context");
	if (cc && !cJSON_IsNull(cc) && !cJSON_IsString(cc))
		return errbuf_set(err, "error loading config file \"%s\": \"current-context\" "
				  "must be a string", path);
	if (!set(L->current_context) && cJSON_IsString(cc))
		L->current_context = cc->valuestring;
	return 0;
}

static int load_if_exists(struct loader *L, const char *path, struct errbuf *err)
{
	struct stat st;

	if (stat(path, &st) && errno == ENOENT)
		return 0;
	return load_file(L, path, err);
}

/* $KUBECONFIG: ':'-separated, empty entries skipped, first occurrence kept. */
static int load_env_list(struct loader *L, const char *list, struct errbuf *err)
{
	char *copy = xstrdup(list), *save = NULL, *p;
	char **seen = xcalloc(strlen(list) + 1, sizeof(char *));
	size_t nseen = 0, i;
	int ret = 0;

	for (p = strtok_r(copy, ":", &save); p && !ret; p = strtok_r(NULL, ":", &save)) {
		for (i = 0; i < nseen && strcmp(seen[i], p); i++)
			;
		if (i < nseen)
			continue;
		seen[nseen++] = p;
		ret = load_if_exists(L, p, err);
	}
	free(seen);
	free(copy);
	return ret;
}

static const char *home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (set(home))
		return home;
	pw = getpwuid(getuid());
	return pw ? pw->pw_dir : NULL;
}

static int load_files(struct loader *L, const struct kubeconfig_overrides *ov,
		      struct errbuf *err)
{
	const char *env = getenv("KUBECONFIG"), *home;
	struct stat st;

	if (set(ov->kubeconfig)) {
		if (stat(ov->kubeconfig, &st))
			return errbuf_set(err, "error loading config file \"%s\": %s",
					  ov->kubeconfig, strerror(errno));
		return load_file(L, ov->kubeconfig, err);
	}
	if (set(env))
		return load_env_list(L, env, err);
	home = home_dir();
	if (!home)
		return 0;
	return load_if_exists(L, keep(L, fmt("%s/.kube/config", home)), err);
}

/* --- typed access to an entry's fields --- */

static int type_error(const struct named *e, const char *kind, const char *key,
		      const char *type, struct errbuf *err)
{
	return errbuf_set(err, "error loading config file \"%s\": %s \"%s\": \"%s\" must be %s",
			  e->file, kind, e->name, key, type);
}

static int get_str(const struct named *e, const char *kind, const cJSON *obj, const char *key,
		   const char **out, struct errbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return type_error(e, kind, key, "a string", err);
	*out = v->valuestring;
	return 0;
}

static int get_bool(const struct named *e, const char *kind, const cJSON *obj, const char *key,
		    int *out, struct errbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsBool(v))
		return type_error(e, kind, key, "true or false", err);
	*out = cJSON_IsTrue(v);
	return 0;
}

/* A list of strings (or absent): *out is the array or NULL. */
static int get_strlist(const struct named *e, const char *kind, const cJSON *obj,
		       const char *key, const cJSON **out, struct errbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key), *it;

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v))
		return type_error(e, kind, key, "a list of strings", err);
	cJSON_ArrayForEach(it, v)
		if (!cJSON_IsString(it))
			return type_error(e, kind, key, "a list of strings", err);
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
		return type_error(e, kind, key, "a mapping", err);
	*out = v;
	return 0;
}

/* --- context, cluster and user selection --- */

static int select_context(struct loader *L, const struct kubeconfig_overrides *ov,
			  struct ctx_src *c, struct errbuf *err)
{
	const struct named *e;

	c->name = set(ov->context) ? ov->context : L->current_context;
	if (!set(c->name)) {
		c->name = NULL;
		return 0;
	}
	e = find(&L->contexts, c->name);
	if (!e && set(ov->context))
		return errbuf_set(err, "context \"%s\" does not exist", c->name);
	if (!e)
		return errbuf_set(err, "invalid configuration: context was not found for "
				  "specified context: %s", c->name);
	if (get_str(e, "context", e->body, "cluster", &c->cluster, err) ||
	    get_str(e, "context", e->body, "user", &c->user, err) ||
	    get_str(e, "context", e->body, "namespace", &c->namespace, err))
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
		return type_error(e, "cluster", "extensions", "a list", err);
	cJSON_ArrayForEach(it, exts) {
		const cJSON *ext = cJSON_GetObjectItemCaseSensitive(it, "extension");

		if (strcmp(item_name(it), EXEC_EXTENSION) || !ext)
			continue;
		cs->exec_ext = keep(L, cJSON_PrintUnformatted(ext));
		return 0;
	}
	return 0;
}

static int cluster_from_entry(struct loader *L, const struct named *e, struct cluster_src *cs,
			      struct errbuf *err)
{
	const char *ca;

	cs->e = e;
	if (get_str(e, "cluster", e->body, "server", &cs->server, err) ||
	    get_str(e, "cluster", e->body, "tls-server-name", &cs->tls_server_name, err) ||
	    get_str(e, "cluster", e->body, "certificate-authority", &ca, err) ||
	    get_str(e, "cluster", e->body, "certificate-authority-data", &cs->ca_data, err) ||
	    get_str(e, "cluster", e->body, "proxy-url", &cs->proxy_url, err) ||
	    get_bool(e, "cluster", e->body, "insecure-skip-tls-verify", &cs->insecure, err) ||
	    get_bool(e, "cluster", e->body, "disable-compression", &cs->disable_compression, err))
		return -1;
	cs->ca_file = resolve(L, e->dir, ca);
	return exec_extension(L, e, cs, err);
}

static int select_cluster(struct loader *L, const struct kubeconfig_overrides *ov,
			  const struct ctx_src *c, struct cluster_src *cs, struct errbuf *err)
{
	const char *name = set(ov->cluster) ? ov->cluster : c->cluster;
	const struct named *e;

	cs->name = set(name) ? name : "";
	if (!set(name)) {
		if (set(ov->server))
			return 0;
		return errbuf_set(err, "invalid configuration: cluster was not specified for "
				  "context \"%s\"", c->name ? c->name : "");
	}
	e = find(&L->clusters, name);
	if (!e && set(ov->cluster))
		return errbuf_set(err, "cluster \"%s\" does not exist", name);
	if (!e)
		return errbuf_set(err, "invalid configuration: cluster \"%s\" was not found for "
				  "context \"%s\"", name, c->name);
	return cluster_from_entry(L, e, cs, err);
}

static int user_from_entry(struct loader *L, const struct named *e, struct user_src *us,
			   struct errbuf *err)
{
	const char *tf, *cf, *kf;
	const cJSON *extra;

	us->e = e;
	if (get_str(e, "user", e->body, "token", &us->token, err) ||
	    get_str(e, "user", e->body, "tokenFile", &tf, err) ||
	    get_str(e, "user", e->body, "client-certificate", &cf, err) ||
	    get_str(e, "user", e->body, "client-certificate-data", &us->cert_data, err) ||
	    get_str(e, "user", e->body, "client-key", &kf, err) ||
	    get_str(e, "user", e->body, "client-key-data", &us->key_data, err) ||
	    get_str(e, "user", e->body, "username", &us->username, err) ||
	    get_str(e, "user", e->body, "password", &us->password, err) ||
	    get_str(e, "user", e->body, "as", &us->as, err) ||
	    get_str(e, "user", e->body, "as-uid", &us->as_uid, err) ||
	    get_strlist(e, "user", e->body, "as-groups", &us->as_groups, err) ||
	    get_obj(e, "user", e->body, "as-user-extra", &extra, err) ||
	    get_obj(e, "user", e->body, "exec", &us->exec, err) ||
	    get_obj(e, "user", e->body, "auth-provider", &us->auth_provider, err))
		return -1;
	us->has_as_extra = extra && extra->child;
	us->token_file = resolve(L, e->dir, tf);
	us->cert_file = resolve(L, e->dir, cf);
	us->key_file = resolve(L, e->dir, kf);
	return 0;
}

static int select_user(struct loader *L, const struct kubeconfig_overrides *ov,
		       const struct ctx_src *c, struct user_src *us, struct errbuf *err)
{
	const char *name = set(ov->user) ? ov->user : c->user;
	const struct named *e;

	us->name = set(name) ? name : "";
	if (!set(name))
		return 0;
	e = find(&L->users, name);
	if (!e && set(ov->user))
		return errbuf_set(err, "auth info \"%s\" does not exist", name);
	if (!e)
		return errbuf_set(err, "invalid configuration: user \"%s\" was not found for "
				  "context \"%s\"", name, c->name);
	return user_from_entry(L, e, us, err);
}

/* --- flags over the file, client-go's rules --- */

static void cluster_overrides(struct cluster_src *cs, const struct kubeconfig_overrides *ov)
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

static void user_overrides(struct user_src *us, const struct kubeconfig_overrides *ov)
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

/* --- building the rest_config --- */

static int read_whole(const char *path, char **out, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;

	if (strbuf_read_file(&sb, path, FILE_MAX))
		return -1;
	*out = strbuf_detach(&sb, len);
	return 0;
}

static int decode_data(const struct named *e, const char *kind, const char *key,
		       const char *b64, char **out, size_t *len, struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;

	if (base64_decode(&sb, b64, strlen(b64))) {
		strbuf_release(&sb);
		return errbuf_set(err, "error loading config file \"%s\": %s \"%s\": \"%s\" is not "
				  "valid base64", e ? e->file : "", kind, e ? e->name : "", key);
	}
	*out = strbuf_detach(&sb, len);
	return 0;
}

static int scheme_is(const char *url, size_t n, const char *scheme)
{
	return strlen(scheme) == n && !strncasecmp(url, scheme, n);
}

/* Only the scheme is named: a proxy URL may hold a password. */
static int check_proxy(const struct cluster_src *cs, struct errbuf *err)
{
	const char *p = cs->proxy_url, *sep;
	size_t n;

	if (!set(p))
		return 0;
	sep = strstr(p, "://");
	n = sep ? (size_t)(sep - p) : 0;
	if (!sep || !p[n + 3])
		return errbuf_set(err, "invalid configuration: proxy-url of cluster \"%s\" is not "
				  "a URL", cs->name);
	if (!scheme_is(p, n, "http") && !scheme_is(p, n, "https") && !scheme_is(p, n, "socks5"))
		return errbuf_set(err, "invalid configuration: proxy-url of cluster \"%s\": "
				  "unsupported scheme \"%.*s\", must be http, https, or socks5",
				  cs->name, (int)(n > 32 ? 32 : n), p);
	return 0;
}

/* scheme://host[:port][/prefix]: query and fragment dropped, no trailing
 * '/'.  Without a scheme, https when TLS settings say so (client-go's
 * DefaultServerURL). */
static int normalize_server(const struct cluster_src *cs, char **out, struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s = cs->server, *sep = strstr(s, "://"), *rest;
	size_t n;

	if (!sep) {
		int tls = cs->insecure || set(cs->ca_file) || set(cs->ca_data) ||
			  set(cs->tls_server_name);

		strbuf_addstr(&sb, tls ? "https://" : "http://");
		rest = s;
	} else {
		n = (size_t)(sep - s);
		if (!scheme_is(s, n, "https") && !scheme_is(s, n, "http"))
			return errbuf_set(err, "invalid configuration: server \"%s\" of cluster \"%s\" "
					  "is not an http or https URL", s, cs->name);
		strbuf_addstr(&sb, scheme_is(s, n, "https") ? "https://" : "http://");
		rest = sep + 3;
	}
	n = strcspn(rest, "?#");
	if (!n || strchr("/?#", rest[0])) {
		strbuf_release(&sb);
		return errbuf_set(err, "invalid configuration: server \"%s\" of cluster \"%s\" has "
				  "no host", s, cs->name);
	}
	while (n && rest[n - 1] == '/')
		n--;
	strbuf_add(&sb, rest, n);
	*out = strbuf_detach(&sb, NULL);
	return 0;
}

static int cluster_check(const struct cluster_src *cs, struct errbuf *err)
{
	if (!set(cs->server))
		return errbuf_set(err, "invalid configuration: no server found for cluster \"%s\"",
				  cs->name);
	if (set(cs->ca_file) && set(cs->ca_data))
		return errbuf_set(err, "invalid configuration: certificate-authority-data and "
				  "certificate-authority are both specified for cluster \"%s\"; "
				  "certificate-authority-data will override", cs->name);
	if (cs->insecure && (set(cs->ca_file) || set(cs->ca_data)))
		return errbuf_set(err, "invalid configuration: specifying a root certificates file "
				  "with the insecure flag is not allowed (cluster \"%s\")", cs->name);
	return check_proxy(cs, err);
}

static int cluster_build(struct rest_config *rc, const struct cluster_src *cs,
			 struct errbuf *err)
{
	if (cluster_check(cs, err) || normalize_server(cs, &rc->server, err))
		return -1;
	if (set(cs->ca_data) &&
	    decode_data(cs->e, "cluster", "certificate-authority-data", cs->ca_data, &rc->ca_pem,
			&rc->ca_pem_len, err))
		return -1;
	if (set(cs->ca_file) && read_whole(cs->ca_file, &rc->ca_pem, &rc->ca_pem_len) &&
	    !cs->ca_optional)
		return errbuf_set(err, "invalid configuration: unable to read certificate-authority "
				  "%s for cluster \"%s\": %s", cs->ca_file, cs->name, strerror(errno));
	rc->tls_server_name = set(cs->tls_server_name) ? xstrdup(cs->tls_server_name) : NULL;
	rc->insecure_skip_tls_verify = cs->insecure;
	rc->proxy_url = set(cs->proxy_url) ? xstrdup(cs->proxy_url) : NULL;
	rc->disable_compression = cs->disable_compression;
	return 0;
}

static int user_check_cert(const struct user_src *us, struct errbuf *err)
{
	const char *n = us->name;

	if (set(us->cert_file) && set(us->cert_data))
		return errbuf_set(err, "invalid configuration: client-cert-data and client-cert are "
				  "both specified for %s; client-cert-data will override", n);
	if (set(us->key_file) && set(us->key_data))
		return errbuf_set(err, "invalid configuration: client-key-data and client-key are "
				  "both specified for %s; client-key-data will override", n);
	if ((set(us->cert_file) || set(us->cert_data)) && !set(us->key_file) && !set(us->key_data))
		return errbuf_set(err, "invalid configuration: client-key-data or client-key must be "
				  "specified for %s to use the clientCert authentication method", n);
	if ((set(us->key_file) || set(us->key_data)) && !set(us->cert_file) && !set(us->cert_data))
		return errbuf_set(err, "invalid configuration: client-certificate-data or "
				  "client-certificate must be specified for %s to use the client "
				  "key", n);
	return 0;
}

static int user_check(const struct user_src *us, struct errbuf *err)
{
	const char *n = us->name;
	int groups = us->as_groups_ov || (us->as_groups && us->as_groups->child);

	if (set(us->token) && (set(us->username) || set(us->password)))
		return errbuf_set(err, "invalid configuration: more than one authentication method "
				  "found for %s; found [token basicAuth], only one is allowed", n);
	if (user_check_cert(us, err))
		return -1;
	if (us->exec && us->auth_provider)
		return errbuf_set(err, "invalid configuration: authProvider cannot be provided in "
				  "combination with an exec plugin for %s", n);
	if (us->auth_provider) {
		const cJSON *pn = cJSON_GetObjectItemCaseSensitive(us->auth_provider, "name");

		return errbuf_set(err, "user \"%s\": auth-provider \"%.64s\" is not supported, use "
				  "an exec credential plugin (client.authentication.k8s.io) instead",
				  n, cJSON_IsString(pn) ? pn->valuestring : "");
	}
	if ((set(us->as_uid) || groups || us->has_as_extra) && !set(us->as))
		return errbuf_set(err, "invalid configuration: requesting uid, groups or user-extra "
				  "for %s without impersonating a user", n);
	return 0;
}

static void trim(struct strbuf *sb)
{
	size_t start = 0, end = sb->len;

	while (start < end && strchr(" \t\r\n", sb->buf[start]))
		start++;
	while (end > start && strchr(" \t\r\n", sb->buf[end - 1]))
		end--;
	memmove(sb->buf, sb->buf + start, end - start);
	strbuf_setlen(sb, end - start);
}

static int read_token_file(struct rest_config *rc, const struct user_src *us,
			   struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;

	if (strbuf_read_file(&sb, us->token_file, FILE_MAX))
		return errbuf_set(err, "invalid configuration: unable to read tokenFile %s for "
				  "user \"%s\": %s", us->token_file, us->name, strerror(errno));
	trim(&sb);
	rc->token = strbuf_detach(&sb, NULL);
	return 0;
}

static int read_pem(const struct user_src *us, const char *what, const char *path, char **out,
		    size_t *len, struct errbuf *err)
{
	if (read_whole(path, out, len))
		return errbuf_set(err, "invalid configuration: unable to read %s %s for %s: %s",
				  what, path, us->name, strerror(errno));
	return 0;
}

static void copy_groups(struct rest_config *rc, const struct user_src *us)
{
	size_t n = 0, i;
	const cJSON *it;

	if (us->as_groups_ov) {
		while (us->as_groups_ov[n])
			n++;
		rc->as_groups = xcalloc(n + 1, sizeof(char *));
		for (i = 0; i < n; i++)
			rc->as_groups[i] = xstrdup(us->as_groups_ov[i]);
	} else if (us->as_groups && us->as_groups->child) {
		n = (size_t)cJSON_GetArraySize(us->as_groups);
		rc->as_groups = xcalloc(n + 1, sizeof(char *));
		i = 0;
		cJSON_ArrayForEach(it, us->as_groups)
			rc->as_groups[i++] = xstrdup(it->valuestring);
	}
}

static int user_build(struct rest_config *rc, const struct user_src *us, struct errbuf *err)
{
	if (user_check(us, err))
		return -1;
	if (set(us->token))
		rc->token = xstrdup(us->token);
	if (set(us->token_file)) {
		rc->token_file = xstrdup(us->token_file);
		if (!rc->token && read_token_file(rc, us, err))
			return -1;
	}
	if (set(us->cert_data) ? decode_data(us->e, "user", "client-certificate-data", us->cert_data,
					     &rc->client_cert_pem, &rc->client_cert_pem_len, err)
	    : set(us->cert_file) && read_pem(us, "client-cert", us->cert_file, &rc->client_cert_pem,
					     &rc->client_cert_pem_len, err))
		return -1;
	if (set(us->key_data) ? decode_data(us->e, "user", "client-key-data", us->key_data,
					    &rc->client_key_pem, &rc->client_key_pem_len, err)
	    : set(us->key_file) && read_pem(us, "client-key", us->key_file, &rc->client_key_pem,
					    &rc->client_key_pem_len, err))
		return -1;
	rc->username = set(us->username) ? xstrdup(us->username) : NULL;
	rc->password = set(us->password) ? xstrdup(us->password) : NULL;
	rc->as_user = set(us->as) ? xstrdup(us->as) : NULL;
	rc->as_uid = set(us->as_uid) ? xstrdup(us->as_uid) : NULL;
	copy_groups(rc, us);
	return 0;
}

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
		return errbuf_set(err, "invalid configuration: interactiveMode must be specified "
				  "for %s to use exec authentication plugin", us->name);
	}
	if (!strcmp(mode, "Never"))
		*out = EXEC_NEVER;
	else if (!strcmp(mode, "IfAvailable"))
		*out = EXEC_IF_AVAILABLE;
	else if (!strcmp(mode, "Always"))
		*out = EXEC_ALWAYS;
	else
		return errbuf_set(err, "invalid configuration: invalid interactiveMode for %s: "
				  "\"%.64s\"", us->name, mode);
	return 0;
}

/* env entries as "NAME=value" strings in *out (NULL-terminated, caller frees). */
static int exec_env(const struct user_src *us, const cJSON *env, char ***out,
		    struct errbuf *err)
{
	const cJSON *it;
	size_t i = 0;

	*out = xcalloc((size_t)cJSON_GetArraySize(env) + 1, sizeof(char *));
	cJSON_ArrayForEach(it, env) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
		const cJSON *value = cJSON_GetObjectItemCaseSensitive(it, "value");

		if (!cJSON_IsString(name) || !*name->valuestring)
			return errbuf_set(err, "invalid configuration: env variable name must be "
					  "specified for %s to use exec authentication plugin",
					  us->name);
		if (value && !cJSON_IsNull(value) && !cJSON_IsString(value))
			return type_error(us->e, "user", "exec.env[].value", "a string", err);
		(*out)[i++] = fmt("%s=%s", name->valuestring,
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

	cJSON_ArrayForEach(it, arr)
		v[i++] = it->valuestring;
	return v;
}

static int exec_fields(struct loader *L, const struct user_src *us, struct exec_config *cfg,
		       const cJSON **args, const cJSON **env, struct errbuf *err)
{
	const struct named *e = us->e;
	const cJSON *x = us->exec;
	const char *mode;

	if (get_str(e, "user", x, "command", &cfg->command, err) ||
	    get_str(e, "user", x, "apiVersion", &cfg->api_version, err) ||
	    get_str(e, "user", x, "installHint", &cfg->install_hint, err) ||
	    get_str(e, "user", x, "interactiveMode", &mode, err) ||
	    get_bool(e, "user", x, "provideClusterInfo", &cfg->provide_cluster_info, err) ||
	    get_strlist(e, "user", x, "args", args, err))
		return -1;
	*env = cJSON_GetObjectItemCaseSensitive(x, "env");
	if (*env && !cJSON_IsNull(*env) && !cJSON_IsArray(*env))
		return type_error(e, "user", "exec.env", "a list", err);
	if (!set(cfg->command))
		return errbuf_set(err, "invalid configuration: command must be specified for %s to "
				  "use exec authentication plugin", us->name);
	if (!set(cfg->api_version))
		return errbuf_set(err, "invalid configuration: apiVersion must be specified for %s "
				  "to use exec authentication plugin", us->name);
	if (strcmp(cfg->api_version, API_V1) && strcmp(cfg->api_version, API_V1BETA1))
		return errbuf_set(err, "exec plugin: invalid apiVersion \"%.100s\" for user \"%s\"",
				  cfg->api_version, us->name);
	/* A bare name is looked up on PATH; anything with a '/' is a path. */
	if (strchr(cfg->command, '/'))
		cfg->command = resolve(L, e->dir, cfg->command);
	return exec_mode(us, cfg->api_version, mode, &cfg->interactive, err);
}

static int exec_build(struct loader *L, struct rest_config *rc, const struct user_src *us,
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
	path = fmt("%s/namespace", sa_dir);
	if (!strbuf_read_file(&sb, path, 4096))
		trim(&sb);
	free(path);
	if (sb.len)
		return strbuf_detach(&sb, NULL);
	strbuf_release(&sb);
	return xstrdup("default");
}

static int in_cluster_possible(const char *sa_dir)
{
	struct stat st;
	char *token = fmt("%s/token", sa_dir);
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
			return errbuf_set(err, "invalid namespace \"%.100s\": it does not conform to "
					  "the kubernetes DNS_LABEL rules", ov->namespace);
		rc->namespace = xstrdup(ov->namespace);
		rc->namespace_explicit = 1;
	} else if (c && set(c->namespace)) {
		if (!dns_label(c->namespace))
			return errbuf_set(err, "invalid configuration: namespace \"%.100s\" for context "
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
		      const struct kubeconfig_overrides *ov, const char *sa_dir,
		      struct errbuf *err)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	struct cluster_src cs = { .name = "" };
	struct user_src us = { .name = "" };
	const char *token;

	if (!set(host) || !set(port))
		return errbuf_set(err, "unable to load in-cluster configuration, "
				  "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined");
	token = keep(L, fmt("%s/token", sa_dir));
	if (access(token, R_OK))
		return errbuf_set(err, "unable to load in-cluster configuration: cannot read the "
				  "service account token %s: %s", token, strerror(errno));
	/* JoinHostPort: an IPv6 address is bracketed. */
	cs.server = keep(L, fmt(strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host, port));
	cs.ca_file = keep(L, fmt("%s/ca.crt", sa_dir));
	cs.ca_optional = 1;
	us.token_file = token;
	cluster_overrides(&cs, ov);
	user_overrides(&us, ov);
	if (cluster_build(rc, &cs, err) || user_build(rc, &us, err))
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
	loader_release(&L);
	if (ret)
		rest_config_release(out);
	return ret;
}

/* --- putting it together --- */

static int from_files(struct loader *L, struct rest_config *rc,
		      const struct kubeconfig_overrides *ov, const char *sa_dir,
		      struct errbuf *err)
{
	struct ctx_src c = { 0 };
	struct cluster_src cs = { 0 };
	struct user_src us = { 0 };

	if (select_context(L, ov, &c, err))
		return -1;
	if (!c.name && !set(ov->cluster) && !set(ov->server)) {
		if (in_cluster_possible(sa_dir))
			return in_cluster(L, rc, ov, sa_dir, err);
		return errbuf_set(err, NO_CONFIG);
	}
	if (select_cluster(L, ov, &c, &cs, err) || select_user(L, ov, &c, &us, err))
		return -1;
	cluster_overrides(&cs, ov);
	user_overrides(&us, ov);
	if (cluster_build(rc, &cs, err) || user_build(rc, &us, err) ||
	    exec_build(L, rc, &us, &cs, err) || set_namespace(rc, ov, &c, sa_dir, err))
		return -1;
	rc->context_name = xstrdup_or_null(c.name);
	rc->cluster_name = set(cs.name) ? xstrdup(cs.name) : NULL;
	rc->user_name = set(us.name) ? xstrdup(us.name) : NULL;
	rc->request_timeout_ms = ov->request_timeout_ms;
	return 0;
}

int kubeconfig_load(struct rest_config *out, const struct kubeconfig_overrides *ov,
		    struct errbuf *err)
{
	struct loader L = { 0 };
	const char *sa_dir;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!ov)
		ov = &no_overrides;
	sa_dir = ov->in_cluster_sa_dir ? ov->in_cluster_sa_dir : SA_DIR;
	ret = load_files(&L, ov, err);
	if (!ret)
		ret = from_files(&L, out, ov, sa_dir, err);
	loader_release(&L);
	if (ret)
		rest_config_release(out);
	return ret;
}
