/*
 * The compact records of state.h, built from an object's JSON.  An
 * Application is one allocation: the struct, then its strings.  An
 * AppProject keeps a reduced copy of its JSON in an arena of its own (one
 * chunk, sized beforehand) and its sync windows as sync_window.h reads
 * them, so no request reads or compiles them again.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "errbuf.h"
#include "json_arena.h"
#include "kobj.h"
#include "state.h"
#include "sync_options.h"
#include "sync_window.h"
#include "verdict_cache.h"
#include "timefmt.h"
#include "xalloc.h"

#define APPROVAL_ANNOTATION "argocd.argoproj.io/deletion-approved"

enum obj_kind { OBJ_OTHER, OBJ_APP, OBJ_PROJECT };

struct state_obj {
	atomic_int refs;
	enum obj_kind kind;
	const char *ns, *name;
	uint32_t hash; /* state_key_hash(ns, name) */
	union {
		struct state_app app;
		struct state_project proj;
	} u;
	struct arena arena; /* a project's JSON; strings of other objects */
	struct sync_windows windows;
};

/* The lists project_match.h reads from the spec. */
static const char *const project_lists[] = { "sourceRepos",
	                                     "destinations",
	                                     "sourceNamespaces",
	                                     "clusterResourceWhitelist",
	                                     "clusterResourceBlacklist",
	                                     "namespaceResourceWhitelist",
	                                     "namespaceResourceBlacklist",
	                                     NULL };

static int is_argo(const cJSON *obj)
{
	const char *api = kobj_str(obj, "apiVersion");

	return api && !strncmp(api, "argoproj.io/", 12);
}

static const char *dup_or_null(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct status.resources[].namespace values, sorted, in *out (freed
 * by the caller); returns their number. */
static size_t resource_namespaces(const cJSON *json, const char ***out)
{
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(kobj_obj(json, "status"), "resources");
	const cJSON *it;
	const char **v;
	size_t n = 0, nr = 0;

	*out = NULL;
	if (!cJSON_IsArray(res) || !res->child)
		return 0;
	v = xmalloc((size_t)cJSON_GetArraySize(res) * sizeof(*v));
	cJSON_ArrayForEach (it, res)
		if ((v[n] = kobj_str(it, "namespace")))
			n++;
	qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < n; i++)
		if (!nr || strcmp(v[nr - 1], v[i]))
			v[nr++] = v[i];
	*out = v;
	return nr;
}

static size_t len0(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static void build_app(struct state_obj *o, const cJSON *json)
{
	struct state_app *app = &o->u.app;
	const cJSON *spec = kobj_obj(json, "spec"), *dest = kobj_obj(spec, "destination");
	const char *stamp = kobj_annotation(json, APPROVAL_ANNOTATION);
	const char *project = kobj_str(spec, "project"), *server = kobj_str(dest, "server");
	const char *dname = kobj_str(dest, "name"), *dns = kobj_str(dest, "namespace");
	const char **rns;
	size_t nr = resource_namespaces(json, &rns);
	size_t need = len0(o->ns) + len0(o->name) + len0(project) + len0(server) + len0(dname) +
	              len0(dns) + nr * sizeof(char *) + 32;
	const char **keep;
	struct timespec ts;

	for (size_t i = 0; i < nr; i++)
		need += strlen(rns[i]) + 1;
	/* One chunk that holds every string exactly. */
	arena_init(&o->arena, need);
	app->ns = o->ns = arena_strdup(&o->arena, o->ns);
	app->name = o->name = arena_strdup(&o->arena, o->name);
	app->project = dup_or_null(&o->arena, project);
	app->dest_server = dup_or_null(&o->arena, server);
	app->dest_name = dup_or_null(&o->arena, dname);
	app->dest_namespace = dup_or_null(&o->arena, dns);
	if (nr) {
		keep = arena_alloc(&o->arena, nr * sizeof(*keep));
		for (size_t i = 0; i < nr; i++)
			keep[i] = arena_strdup(&o->arena, rns[i]);
		app->resource_ns = keep;
		app->nr_resource_ns = nr;
	}
	free(rns);
	if (app_has_sync_option(json, "Prune=false"))
		app->protect |= STATE_APP_PRUNE_FALSE;
	if (app_has_sync_option(json, "Delete=false"))
		app->protect |= STATE_APP_DELETE_FALSE;
	if (stamp && !timefmt_parse_rfc3339(stamp, &ts, NULL)) {
		app->approved = 1;
		app->approved_at = ts.tv_sec;
	}
}

static size_t project_json_size(const cJSON *json)
{
	const cJSON *spec = kobj_obj(json, "spec");
	size_t n = 8 * (sizeof(cJSON) + 32);

	for (const char *const *k = project_lists; *k; k++)
		n += json_arena_copy_size(cJSON_GetObjectItemCaseSensitive(spec, *k)) + 64;
	return n;
}

static cJSON *str_node(struct arena *a, const char *s)
{
	cJSON *n = json_arena_new(a, cJSON_String);

	n->valuestring = arena_strdup(a, s);
	return n;
}

/* {"metadata":{"name","namespace"},"spec":{the lists, as they are}}. */
static cJSON *project_json(struct arena *a, const cJSON *json, const char *ns, const char *name)
{
	cJSON *root = json_arena_new(a, cJSON_Object), *meta = json_arena_new(a, cJSON_Object);
	const cJSON *spec = kobj_obj(json, "spec");
	cJSON *reduced = json_arena_new(a, cJSON_Object);

	json_arena_append(a, meta, "name", str_node(a, name));
	if (*ns)
		json_arena_append(a, meta, "namespace", str_node(a, ns));
	json_arena_append(a, root, "metadata", meta);
	for (const char *const *k = project_lists; *k; k++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(spec, *k);

		if (v)
			json_arena_append(a, reduced, *k, json_arena_copy(a, v));
	}
	json_arena_append(a, root, "spec", reduced);
	return root;
}

static void build_project(struct state_obj *o, const cJSON *json)
{
	struct state_project *p = &o->u.proj;
	struct errbuf err;

	arena_init(&o->arena, project_json_size(json) + len0(o->ns) + len0(o->name));
	o->ns = arena_strdup(&o->arena, o->ns);
	o->name = arena_strdup(&o->arena, o->name);

	p->ns = o->ns;
	p->name = o->name;
	p->json = project_json(&o->arena, json, o->ns, o->name);
	if (sync_windows_from_project(json, &o->windows, &err))
		p->windows_error = arena_strdup(&o->arena, err.msg);
	p->windows = &o->windows;
	p->compiled = sync_windows_compile(&o->windows);
	p->verdicts = verdict_cache_new();
}

struct state_obj *state_obj_from_json(const cJSON *json)
{
	struct state_obj *o = xcalloc(1, sizeof(*o));
	const char *kind = kobj_kind(json), *name = kobj_name(json), *ns = kobj_namespace(json);

	atomic_init(&o->refs, 1);
	if (is_argo(json) && kind && name && *name)
		o->kind = !strcmp(kind, "Application")  ? OBJ_APP
		          : !strcmp(kind, "AppProject") ? OBJ_PROJECT
		                                        : OBJ_OTHER;
	/* Borrowed until the builders copy them into the object's arena. */
	o->ns = ns ? ns : "";
	o->name = name;
	if (o->kind == OBJ_APP) {
		build_app(o, json);
	} else if (o->kind == OBJ_PROJECT) {
		build_project(o, json);
	} else {
		arena_init(&o->arena, len0(o->ns) + len0(o->name) + 32);
		o->ns = arena_strdup(&o->arena, o->ns);
		o->name = dup_or_null(&o->arena, o->name);
	}
	o->hash = state_key_hash(o->ns, o->name ? o->name : "");
	return o;
}

struct state_obj *state_obj_new(cJSON *json)
{
	struct state_obj *o = state_obj_from_json(json);

	cJSON_Delete(json);
	return o;
}

struct state_obj *state_obj_ref(struct state_obj *o)
{
	if (o)
		atomic_fetch_add(&o->refs, 1);
	return o;
}

void state_obj_unref(struct state_obj *o)
{
	if (!o || atomic_fetch_sub(&o->refs, 1) != 1)
		return;
	if (o->kind == OBJ_PROJECT) {
		compiled_windows_free((struct compiled_windows *)o->u.proj.compiled);
		verdict_cache_free(o->u.proj.verdicts);
	}
	sync_windows_release(&o->windows);
	arena_release(&o->arena);
	free(o);
}

const char *state_obj_ns(const struct state_obj *o)
{
	return o->ns;
}

const char *state_obj_name(const struct state_obj *o)
{
	return o->name;
}

uint32_t state_obj_hash(const struct state_obj *o)
{
	return o->hash;
}

const struct state_app *state_obj_app(const struct state_obj *o)
{
	return o && o->kind == OBJ_APP ? &o->u.app : NULL;
}

const struct state_project *state_obj_project(const struct state_obj *o)
{
	return o && o->kind == OBJ_PROJECT ? &o->u.proj : NULL;
}
