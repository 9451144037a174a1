/*
 * kubeconfig_files.c - reading kubeconfig files and merging them the way
 * client-go's clientcmd does: --kubeconfig alone, else each file of
 * $KUBECONFIG (de-duplicated, missing ones skipped), else ~/.kube/config;
 * the first file to name a cluster, user or context wins, whole; the first
 * non-empty current-context wins; a name twice in one file is an error.
 * Relative paths resolve against the directory of the file that defined
 * the entry.  Contract in kubeconfig_internal.h.
 */
#include "kubeconfig_internal.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errbuf.h"
#include "strbuf.h"
#include "xalloc.h"
#include "yaml_json.h"

#define CONFIG_MAX (16u << 20)

__attribute__((format(printf, 1, 2))) char *kcfg_fmt(const char *f, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, f);
	strbuf_vaddf(&sb, f, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

const char *kcfg_keep(struct loader *L, char *s)
{
	L->owned = xrealloc(L->owned, (L->nowned + 1) * sizeof(*L->owned));
	L->owned[L->nowned++] = s;
	return s;
}

void kcfg_loader_release(struct loader *L)
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
	joined = kcfg_fmt("%s/%s", cwd ? cwd : "/", path);
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
const char *kcfg_resolve(struct loader *L, const char *dir, const char *path)
{
	char *joined;
	const char *ret;

	if (!set(path) || path[0] == '/')
		return path;
	joined = kcfg_fmt("%s/%s", dir, path);
	ret = kcfg_keep(L, clean_abs(joined));
	free(joined);
	return ret;
}

const struct named *kcfg_find(const struct entries *es, const char *name)
{
	size_t i;

	for (i = 0; i < es->n; i++)
		if (!strcmp(es->v[i].name, name))
			return &es->v[i];
	return NULL;
}

const char *kcfg_item_name(const cJSON *item)
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
		return errbuf_set(err,
		                  "error loading config file \"%s\": every entry of \"%s\" "
		                  "must be a mapping",
		                  file, list);
	if (name && !cJSON_IsNull(name) && !cJSON_IsString(name))
		return errbuf_set(err,
		                  "error loading config file \"%s\": an entry of \"%s\" has "
		                  "a name that is not a string",
		                  file, list);
	if (body && !cJSON_IsNull(body) && !cJSON_IsObject(body))
		return errbuf_set(err,
		                  "error loading config file \"%s\": %s \"%s\": \"%s\" must "
		                  "be a mapping",
		                  file, key, kcfg_item_name(item), key);
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
	cJSON_ArrayForEach (item, arr) {
		const char *name;

		if (check_item(item, file, list, key, err))
			return -1;
		name = kcfg_item_name(item);
		for (prev = arr->child; prev != item; prev = prev->next)
			if (!strcmp(kcfg_item_name(prev), name))
				return errbuf_set(err,
				                  "error loading config file \"%s\": duplicate "
				                  "name \"%s\" in list \"%s\"",
				                  file, name, list);
		if (kcfg_find(es, name))
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
		return errbuf_set(err,
		                  "error loading config file \"%s\": not a kubeconfig "
		                  "(the top level is not a mapping)",
		                  path);
	file = kcfg_keep(L, xstrdup(path));
	dir = kcfg_keep(L, abs_dir(path));
	if (add_list(&L->clusters, doc, "clusters", "cluster", file, dir, err) ||
	    add_list(&L->users, doc, "users", "user", file, dir, err) ||
	    add_list(&L->contexts, doc, "contexts", "context", file, dir, err))
		return -1;
	cc = cJSON_GetObjectItemCaseSensitive(doc, "current-context");
	if (cc && !cJSON_IsNull(cc) && !cJSON_IsString(cc))
		return errbuf_set(err,
		                  "error loading config file \"%s\": \"current-context\" "
		                  "must be a string",
		                  path);
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

int kcfg_load_files(struct loader *L, const struct kubeconfig_overrides *ov, struct errbuf *err)
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
	return load_if_exists(L, kcfg_keep(L, kcfg_fmt("%s/.kube/config", home)), err);
}
