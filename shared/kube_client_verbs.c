/*
 * kube_client_verbs.c - the typed verbs of kube_client.h over
 * kube_request(): paths, GET, LIST with paging, create, update, patch and
 * delete, with JSON bodies in and out.
 */
#include "kube_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "xalloc.h"

/* Sends a request and parses a JSON answer into *out (NULL for an empty body). */
static int request_json(struct kube_client *kc, const char *method, const char *path,
                        const char *content_type, const char *body, cJSON **out, struct errbuf *err)
{
	struct kube_response r;
	cJSON *j = NULL;
	int ret;

	if (out)
		*out = NULL;
	ret = kube_request(kc, method, path, content_type, body, body ? strlen(body) : 0, &r, err);
	if (!ret && out && r.body.len) {
		j = cJSON_ParseWithLength(r.body.buf, r.body.len);
		if (!j)
			ret = errbuf_set(err, "the server's answer to %s %s is not valid JSON",
			                 method, path);
		*out = j;
	}
	kube_response_release(&r);
	return ret;
}

int kube_get(struct kube_client *kc, const char *path, cJSON **out, struct errbuf *err)
{
	return request_json(kc, "GET", path, NULL, NULL, out, err);
}

void kube_path_add_query(struct strbuf *sb, const char *key, const char *value)
{
	strbuf_addch(sb, strchr(sb->buf, '?') ? '&' : '?');
	strbuf_addstr(sb, key);
	strbuf_addch(sb, '=');
	strbuf_addurlenc(sb, value);
}

void kube_path(struct strbuf *sb, const char *group, const char *version, const char *resource,
               const char *ns, const char *name, const char *subresource)
{
	if (!group || !*group)
		strbuf_addf(sb, "/api/%s", version);
	else
		strbuf_addf(sb, "/apis/%s/%s", group, version);
	if (ns) {
		strbuf_addstr(sb, "/namespaces/");
		strbuf_addurlenc(sb, ns);
	}
	strbuf_addf(sb, "/%s", resource);
	if (name) {
		strbuf_addch(sb, '/');
		strbuf_addurlenc(sb, name);
		if (subresource)
			strbuf_addf(sb, "/%s", subresource);
	}
}

/* ---- LIST ---- */

static void list_page_path(struct strbuf *sb, const char *path, const struct kube_list_opts *o,
                           const char *cont)
{
	long limit = o && o->limit ? o->limit : 500;

	strbuf_addstr(sb, path);
	if (o && o->label_selector && *o->label_selector)
		kube_path_add_query(sb, "labelSelector", o->label_selector);
	if (o && o->field_selector && *o->field_selector)
		kube_path_add_query(sb, "fieldSelector", o->field_selector);
	if (limit > 0) {
		char n[32];

		snprintf(n, sizeof(n), "%ld", limit);
		kube_path_add_query(sb, "limit", n);
	}
	if (cont)
		kube_path_add_query(sb, "continue", cont);
}

/* The array of a List's items, made an empty one when null or missing. */
static cJSON *list_items(cJSON *list)
{
	cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");

	if (!cJSON_IsArray(items)) {
		cJSON_DeleteItemFromObjectCaseSensitive(list, "items");
		items = cJSON_AddArrayToObject(list, "items");
	}
	return items;
}

static char *continue_token(cJSON *list)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(list, "metadata"), "continue");

	return cJSON_IsString(c) && *c->valuestring ? xstrdup(c->valuestring) : NULL;
}

static int list_pages(struct kube_client *kc, const char *path, const struct kube_list_opts *o,
                      cJSON **out, int *expired, struct errbuf *err)
{
	struct strbuf p = STRBUF_INIT;
	cJSON *result = NULL, *page, *items, *it, *meta;
	char *cont = NULL;

	do {
		strbuf_reset(&p);
		list_page_path(&p, path, o, cont);
		if (kube_get(kc, p.buf, &page, err) < 0)
			*expired = cont && err && err->code == 410;
		else if (!cJSON_IsObject(page))
			errbuf_set(err, "the server's answer to GET %s is not a list", p.buf);
		if (!cJSON_IsObject(page)) {
			cJSON_Delete(page);
			cJSON_Delete(result);
			free(cont);
			strbuf_release(&p);
			return -1;
		}
		free(cont);
		cont = continue_token(page);
		items = list_items(page);
		if (!result) {
			result = page;
			continue;
		}
		while ((it = cJSON_DetachItemFromArray(items, 0)))
			cJSON_AddItemToArray(list_items(result), it);
		cJSON_Delete(page);
	} while (cont);
	meta = cJSON_GetObjectItemCaseSensitive(result, "metadata");
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "continue");
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "remainingItemCount");
	strbuf_release(&p);
	*out = result;
	return 0;
}

int kube_list(struct kube_client *kc, const char *path, const struct kube_list_opts *o, cJSON **out,
              struct errbuf *err)
{
	int expired = 0;

	*out = NULL;
	if (!list_pages(kc, path, o, out, &expired, err))
		return 0;
	/* The continue token outlived etcd's compaction window: start over, once. */
	if (expired)
		return list_pages(kc, path, o, out, &expired, err);
	return -1;
}

/* ---- writes ---- */

static void write_path(struct strbuf *sb, const char *path, const struct kube_write_opts *o, int apply)
{
	strbuf_addstr(sb, path);
	if (!o)
		return;
	if (o->dry_run)
		kube_path_add_query(sb, "dryRun", "All");
	if (o->field_manager)
		kube_path_add_query(sb, "fieldManager", o->field_manager);
	if (apply && o->force)
		kube_path_add_query(sb, "force", "true");
}

static int write_object(struct kube_client *kc, const char *method, const char *path,
                        const cJSON *obj, const struct kube_write_opts *o, cJSON **out,
                        struct errbuf *err)
{
	struct strbuf p = STRBUF_INIT;
	char *body = cJSON_PrintUnformatted(obj);
	int ret;

	if (out)
		*out = NULL;
	if (!body)
		return errbuf_set(err, "cannot encode the object as JSON");
	write_path(&p, path, o, 0);
	ret = request_json(kc, method, p.buf, "application/json", body, out, err);
	free(body);
	strbuf_release(&p);
	return ret;
}

int kube_create(struct kube_client *kc, const char *collection_path, const cJSON *obj,
                const struct kube_write_opts *o, cJSON **out, struct errbuf *err)
{
	return write_object(kc, "POST", collection_path, obj, o, out, err);
}

int kube_update(struct kube_client *kc, const char *path, const cJSON *obj,
                const struct kube_write_opts *o, cJSON **out, struct errbuf *err)
{
	return write_object(kc, "PUT", path, obj, o, out, err);
}

int kube_patch(struct kube_client *kc, const char *path, enum kube_patch_type type,
               const char *body, const struct kube_write_opts *o, cJSON **out, struct errbuf *err)
{
	static const char *const ctypes[] = {
		[KUBE_PATCH_MERGE] = "application/merge-patch+json",
		[KUBE_PATCH_JSON] = "application/json-patch+json",
		[KUBE_PATCH_STRATEGIC] = "application/strategic-merge-patch+json",
		[KUBE_PATCH_APPLY] = "application/apply-patch+yaml",
	};
	struct strbuf p = STRBUF_INIT;
	int ret;

	if (out)
		*out = NULL;
	if ((unsigned)type >= sizeof(ctypes) / sizeof(ctypes[0]))
		return errbuf_set(err, "unknown patch type %d", (int)type);
	if (type == KUBE_PATCH_APPLY && (!o || !o->field_manager || !*o->field_manager))
		return errbuf_set(err, "server-side apply needs a field manager");
	write_path(&p, path, o, type == KUBE_PATCH_APPLY);
	ret = request_json(kc, "PATCH", p.buf, ctypes[type], body ? body : "", out, err);
	strbuf_release(&p);
	return ret;
}

int kube_delete(struct kube_client *kc, const char *path, const struct kube_delete_opts *o,
                cJSON **out, struct errbuf *err)
{
	cJSON *opts = cJSON_CreateObject(), *pre;
	char *body;
	int ret;

	cJSON_AddStringToObject(opts, "kind", "DeleteOptions");
	cJSON_AddStringToObject(opts, "apiVersion", "v1");
	if (o && o->propagation_policy)
		cJSON_AddStringToObject(opts, "propagationPolicy", o->propagation_policy);
	if (o && (o->precondition_uid || o->precondition_resource_version)) {
		pre = cJSON_AddObjectToObject(opts, "preconditions");
		if (o->precondition_uid)
			cJSON_AddStringToObject(pre, "uid", o->precondition_uid);
		if (o->precondition_resource_version)
			cJSON_AddStringToObject(pre, "resourceVersion",
			                        o->precondition_resource_version);
	}
	if (o && o->dry_run)
		cJSON_AddItemToObject(opts, "dryRun",
		                      cJSON_CreateStringArray((const char *[]){ "All" }, 1));
	body = cJSON_PrintUnformatted(opts);
	cJSON_Delete(opts);
	if (!body) {
		if (out)
			*out = NULL;
		return errbuf_set(err, "cannot encode the delete options as JSON");
	}
	ret = request_json(kc, "DELETE", path, "application/json", body, out, err);
	free(body);
	return ret;
}
