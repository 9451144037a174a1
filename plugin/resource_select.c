/*
 * resource_select.c - argocd's --resource selectors (cmd/argocd/commands/
 * app.go parseSelectedResources and filterAppResources, util/argo
 * IncludeResource, SyncOperationResource.Compare).
 */
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "resource_select.h"
#include "strbuf.h"
#include "xalloc.h"

static size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

int resource_filters_add(struct resource_filters *f, const char *arg, struct errbuf *err)
{
	struct resource_filter r = { 0 };
	const char *res = arg ? arg : "", *c1, *c2, *slash;

	if (*res == '!') {
		r.exclude = 1;
		res++;
	}
	/* argocd quotes the value without its '!' */
	if (count_char(res, ':') != 2)
		return errbuf_set(err, "resource should have GROUP:KIND:NAME, but instead got: %s",
		                  res);
	c1 = strchr(res, ':');
	c2 = strchr(c1 + 1, ':');
	slash = strchr(c2 + 1, '/');
	if (slash && count_char(slash + 1, '/'))
		return errbuf_set(err,
		                  "resource with namespace should have GROUP:KIND:NAMESPACE/NAME, "
		                  "but instead got: %s",
		                  res);
	r.group = xstrndup(res, c1 - res);
	r.kind = xstrndup(c1 + 1, c2 - c1 - 1);
	if (slash) {
		r.ns = xstrndup(c2 + 1, slash - c2 - 1);
		r.name = xstrdup(slash + 1);
	} else {
		r.ns = xstrdup("");
		r.name = xstrdup(c2 + 1);
	}
	r.arg = xstrdup(arg ? arg : "");
	if (f->n == f->alloc) {
		f->alloc = f->alloc ? 2 * f->alloc : 4;
		f->v = xrealloc(f->v, f->alloc * sizeof(*f->v));
	}
	f->v[f->n++] = r;
	return 0;
}

void resource_filters_release(struct resource_filters *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].group);
		free(f->v[i].kind);
		free(f->v[i].ns);
		free(f->v[i].name);
		free(f->v[i].arg);
	}
	free(f->v);
	f->v = NULL;
	f->n = f->alloc = 0;
}

static int field_matches(const char *rule, const char *value)
{
	return !strcmp(rule, "*") || !strcmp(rule, value);
}

/* SyncOperationResource.Compare */
static int rule_matches(const struct resource_filter *r, const char *group, const char *kind,
                        const char *ns, const char *name)
{
	return field_matches(r->group, group) && field_matches(r->kind, kind) &&
	       field_matches(r->name, name) && (!*r->ns || field_matches(r->ns, ns));
}

int resource_filters_include(const struct resource_filters *f, const char *group, const char *kind,
                             const char *ns, const char *name)
{
	size_t i;
	int has_include = 0, included = 0;

	group = group ? group : "";
	kind = kind ? kind : "";
	ns = ns ? ns : "";
	name = name ? name : "";
	for (i = 0; i < f->n && !included; i++) {
		if (f->v[i].exclude)
			continue;
		has_include = 1;
		included = rule_matches(&f->v[i], group, kind, ns, name);
	}
	if (has_include && !included)
		return 0;
	for (i = 0; i < f->n; i++)
		if (f->v[i].exclude && rule_matches(&f->v[i], group, kind, ns, name))
			return 0;
	return 1;
}

static const char *str_field(const cJSON *obj, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

/* A sync.resources entry, with Go's omitempty on group and namespace. */
static cJSON *sync_resource(const char *group, const char *kind, const char *ns, const char *name)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		abort();
	if ((*group && !cJSON_AddStringToObject(o, "group", group)) ||
	    !cJSON_AddStringToObject(o, "kind", kind) || !cJSON_AddStringToObject(o, "name", name) ||
	    (*ns && !cJSON_AddStringToObject(o, "namespace", ns)))
		abort(); /* cJSON fails only when out of memory */
	return o;
}

static int no_match(const struct resource_filters *f, struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < f->n; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", f->v[i].arg);
	errbuf_set(err, "no matching app resources found for resource filter: %s", sb.buf);
	strbuf_release(&sb);
	return -1;
}

cJSON *resource_filters_select(const struct resource_filters *f, const cJSON *status_resources,
                               struct errbuf *err)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *e;
	const char *group, *kind, *ns, *name;

	if (!out)
		abort();
	if (!f->n)
		return out;
	cJSON_ArrayForEach (e, status_resources) {
		if (!cJSON_IsObject(e))
			continue;
		group = str_field(e, "group");
		kind = str_field(e, "kind");
		ns = str_field(e, "namespace");
		name = str_field(e, "name");
		if (resource_filters_include(f, group, kind, ns, name))
			cJSON_AddItemToArray(out, sync_resource(group, kind, ns, name));
	}
	if (!cJSON_GetArraySize(out)) {
		cJSON_Delete(out);
		no_match(f, err);
		return NULL;
	}
	return out;
}
