#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "arena.h"
#include "errbuf.h"
#include "json_arena.h"
#include "json_write.h"
#include "kobj.h"
#include "xalloc.h"

#define REVIEW_API_VERSION "admission.k8s.io/v1"

static const char *const op_names[] = { "CREATE", "UPDATE", "DELETE", "CONNECT" };

/* What no policy reads (see admission.h): not built when parsing. */
static const char *const skip_status[] = { "request", "object", "status", NULL };
static const char *const skip_old_status[] = { "request", "oldObject", "status", NULL };
static const char *const skip_managed[] = { "request", "object", "metadata", "managedFields", NULL };
static const char *const skip_old_managed[] = { "request", "oldObject", "metadata", "managedFields",
	                                        NULL };
static const char *const *const ADMISSION_SKIPPED[] = { skip_status, skip_old_status, skip_managed,
	                                                skip_old_managed, NULL };

/* What only some requests need: kept as text, built on demand. */
static const char *const defer_spec[] = { "request", "object", "spec", NULL };
static const char *const defer_old_spec[] = { "request", "oldObject", "spec", NULL };
static const char *const *const ADMISSION_DEFERRED[] = { defer_spec, defer_old_spec, NULL };

/* Optional string member v: "" when absent, -1 when of another type. */
static int opt_str_of(const cJSON *v, const char **out)
{
	*out = "";
	if (!v || (v->type & 0xff) == cJSON_NULL)
		return 0;
	if (!kobj_is_string(v))
		return -1;
	*out = v->valuestring;
	return 0;
}

static int opt_str(const cJSON *obj, const char *key, const char **out)
{
	return opt_str_of(kobj_get(obj, key), out);
}

/* Optional object member v: NULL when absent or null, -1 when of another type. */
static int opt_obj_of(const cJSON *v, const cJSON **out)
{
	*out = NULL;
	if (!v || (v->type & 0xff) == cJSON_NULL)
		return 0;
	if (!kobj_is_object(v))
		return -1;
	*out = v;
	return 0;
}

/*
 * The members of request that are read, found in one pass over it rather
 * than one lookup each: each is the first member of its name, as
 * cJSON_GetObjectItemCaseSensitive() would find it.
 */
enum {
	R_UID,
	R_OPERATION,
	R_KIND,
	R_RESOURCE,
	R_SUB_RESOURCE,
	R_USER_INFO,
	R_NAME,
	R_NAMESPACE,
	R_OBJECT,
	R_OLD_OBJECT,
	R_DRY_RUN,
	R_NR
};

/* The R_* of a member name, or -1 for the members no one reads. */
static int request_key(const char *k)
{
	switch (k[0]) {
	case 'u':
		return !strcmp(k, "uid") ? R_UID : !strcmp(k, "userInfo") ? R_USER_INFO : -1;
	case 'o':
		return !strcmp(k, "operation")   ? R_OPERATION
		       : !strcmp(k, "object")    ? R_OBJECT
		       : !strcmp(k, "oldObject") ? R_OLD_OBJECT
		                                 : -1;
	case 'k':
		return !strcmp(k, "kind") ? R_KIND : -1;
	case 'r':
		return !strcmp(k, "resource") ? R_RESOURCE : -1;
	case 's':
		return !strcmp(k, "subResource") ? R_SUB_RESOURCE : -1;
	case 'n':
		return !strcmp(k, "name") ? R_NAME : !strcmp(k, "namespace") ? R_NAMESPACE : -1;
	case 'd':
		return !strcmp(k, "dryRun") ? R_DRY_RUN : -1;
	default:
		return -1;
	}
}

static void request_members(const cJSON *r, const cJSON **m)
{
	const cJSON *it;
	int k;

	memset(m, 0, R_NR * sizeof(*m));
	for (it = r->child; it && it->string; it = it->next)
		if ((k = request_key(it->string)) >= 0 && !m[k])
			m[k] = it;
}

static int check_envelope(const cJSON *root, struct errbuf *err)
{
	const cJSON *api = kobj_get(root, "apiVersion");
	const cJSON *kind = kobj_get(root, "kind");

	if (!kobj_is_object(root))
		return errbuf_set(err, "expected a JSON object (an AdmissionReview)");
	if (!kobj_is_string(api) || !kobj_is_string(kind))
		return errbuf_set(err, "missing apiVersion or kind: expected %s AdmissionReview",
		                  REVIEW_API_VERSION);
	if (strcmp(kind->valuestring, "AdmissionReview"))
		return errbuf_set(err, "unexpected kind \"%.64s\": expected AdmissionReview",
		                  kind->valuestring);
	if (strcmp(api->valuestring, REVIEW_API_VERSION))
		return errbuf_set(err,
		                  "unsupported apiVersion \"%.64s\": only %s is served "
		                  "(set admissionReviewVersions: [\"v1\"])",
		                  api->valuestring, REVIEW_API_VERSION);
	return 0;
}

static int parse_op(struct admission_request *req, const cJSON **m, struct errbuf *err)
{
	const char *op;

	if (opt_str_of(m[R_OPERATION], &op))
		return errbuf_set(err, "request.operation: expected a string");
	for (size_t i = 0; i < sizeof(op_names) / sizeof(*op_names); i++)
		if (!strcmp(op, op_names[i])) {
			req->op = (enum admission_op)i;
			req->operation = op_names[i];
			return 0;
		}
	return errbuf_set(err, "request.operation: unknown operation \"%.32s\"", op);
}

static int parse_kind(struct admission_request *req, const cJSON **m, struct errbuf *err)
{
	const cJSON *kind, *res;

	if (opt_obj_of(m[R_KIND], &kind) || !kind || opt_str(kind, "group", &req->group) ||
	    opt_str(kind, "version", &req->version) || opt_str(kind, "kind", &req->kind) ||
	    !*req->kind)
		return errbuf_set(err, "request.kind: expected {group, version, kind}");
	if (opt_obj_of(m[R_RESOURCE], &res) || opt_str(res, "resource", &req->resource) ||
	    opt_str_of(m[R_SUB_RESOURCE], &req->sub_resource))
		return errbuf_set(err, "request.resource: expected {group, version, resource}");
	return 0;
}

static int parse_user(struct admission_request *req, const cJSON **m, struct errbuf *err)
{
	const cJSON *ui, *g, *it;

	if (opt_obj_of(m[R_USER_INFO], &ui) || opt_str(ui, "username", &req->username))
		return errbuf_set(err, "request.userInfo: expected {username, groups}");
	g = kobj_get(ui, "groups");
	if (!g || (g->type & 0xff) == cJSON_NULL)
		return 0;
	if ((g->type & 0xff) != cJSON_Array)
		return errbuf_set(err, "request.userInfo.groups: expected a list of strings");
	cJSON_ArrayForEach (it, g)
		if (!kobj_is_string(it))
			return errbuf_set(err,
			                  "request.userInfo.groups: expected a list of strings");
	req->groups = g;
	return 0;
}

static int parse_request(struct admission_request *req, const cJSON *r, struct errbuf *err)
{
	const cJSON *m[R_NR], *dry;

	if (!kobj_is_object(r))
		return errbuf_set(err,
		                  "missing request: expected an AdmissionReview with a request");
	request_members(r, m);
	if (opt_str_of(m[R_UID], &req->uid) || !*req->uid)
		return errbuf_set(err, "request.uid: expected a non-empty string");
	if (parse_op(req, m, err) || parse_kind(req, m, err) || parse_user(req, m, err))
		return -1;
	if (opt_str_of(m[R_NAME], &req->name) || opt_str_of(m[R_NAMESPACE], &req->ns))
		return errbuf_set(err, "request.name and request.namespace: expected strings");
	if (opt_obj_of(m[R_OBJECT], &req->object) || opt_obj_of(m[R_OLD_OBJECT], &req->old_object))
		return errbuf_set(err, "request.object and request.oldObject: expected objects");
	dry = m[R_DRY_RUN];
	if (dry && (dry->type & 0xff) != cJSON_NULL && !(dry->type & (cJSON_True | cJSON_False)))
		return errbuf_set(err, "request.dryRun: expected a boolean");
	req->dry_run = dry && (dry->type & 0xff) == cJSON_True;
	return 0;
}

/* Checks the envelope of root; on failure the request is released. */
static int take_root(struct admission_request *req, struct errbuf *err)
{
	if (check_envelope(req->root, err) ||
	    parse_request(req, kobj_get(req->root, "request"), err)) {
		admission_request_release(req);
		return -1;
	}
	return 0;
}

int admission_request_from_json(struct admission_request *req, cJSON *root, struct errbuf *err)
{
	memset(req, 0, sizeof(*req));
	req->root = root;
	req->root_is_cjson = 1;
	return take_root(req, err);
}

int admission_request_parse_in(struct admission_request *req, char *buf, size_t len,
                               struct arena *a, struct errbuf *err)
{
	struct errbuf why;

	memset(req, 0, sizeof(*req));
	if (!(req->root = json_arena_parse_deferring(a, buf, len, ADMISSION_SKIPPED,
	                                             ADMISSION_DEFERRED, &why)))
		return errbuf_set(err, "body is not valid JSON (%s)", why.msg);
	req->tree_arena = a;
	if (take_root(req, err))
		return -1;
	/* Argo CD's own kinds: their policies read the spec every time. */
	if (!strcmp(req->group, "argoproj.io") && admission_request_expand(req, &why)) {
		admission_request_release(req);
		return errbuf_set(err, "body is not valid JSON (%s)", why.msg);
	}
	return 0;
}

/* Every member named spec: a duplicate key is deferred too. */
static int expand_spec(struct arena *a, const cJSON *obj, struct errbuf *err)
{
	for (cJSON *m = obj ? obj->child : NULL; m; m = m->next)
		if (m->type == cJSON_Raw && m->string && !strcmp(m->string, "spec") &&
		    json_arena_expand(a, m, err))
			return -1;
	return 0;
}

static cJSON *raw_spec(const cJSON *obj)
{
	cJSON *spec = (cJSON *)kobj_get(obj, "spec");

	return spec && spec->type == cJSON_Raw ? spec : NULL;
}

/*
 * An UPDATE mostly keeps the spec: the same text is the same value, so
 * the old one shares the new one's tree instead of being built again.
 */
static void share_same_spec(struct arena *a, const struct admission_request *req)
{
	cJSON *cur = raw_spec(req->object), *old = raw_spec(req->old_object);
	struct errbuf why;

	if (!cur || !old || cur->valuedouble != old->valuedouble ||
	    memcmp(cur->valuestring, old->valuestring, (size_t)cur->valuedouble) ||
	    json_arena_expand(a, cur, &why))
		return;
	old->type = cur->type;
	old->child = cur->child;
	old->valuestring = cur->valuestring;
	old->valueint = cur->valueint;
	old->valuedouble = cur->valuedouble;
}

int admission_request_expand(const struct admission_request *req, struct errbuf *err)
{
	if (!req->tree_arena)
		return 0;
	share_same_spec(req->tree_arena, req);
	return expand_spec(req->tree_arena, req->object, err) ||
	       expand_spec(req->tree_arena, req->old_object, err);
}

int admission_request_parse(struct admission_request *req, const char *buf, size_t len,
                            struct errbuf *err)
{
	struct arena *a = xmalloc(sizeof(*a));
	int ret;

	arena_init(a, len + 4096);
	ret = admission_request_parse_in(req, arena_strndup(a, buf, len), len, a, err);
	if (ret) {
		arena_release(a);
		free(a);
		return ret;
	}
	req->own_arena = a;
	return 0;
}

void admission_request_release(struct admission_request *req)
{
	if (req->root_is_cjson)
		cJSON_Delete(req->root);
	if (req->own_arena) {
		arena_release(req->own_arena);
		free(req->own_arena);
	}
	memset(req, 0, sizeof(*req));
}

int admission_user_in(const struct admission_request *req, const char *const *users,
                      size_t nr_users, const char *const *groups, size_t nr_groups)
{
	const cJSON *it;

	for (size_t i = 0; i < nr_users; i++)
		if (!strcmp(users[i], req->username))
			return 1;
	cJSON_ArrayForEach (it, req->groups)
		for (size_t i = 0; i < nr_groups; i++)
			if (!strcmp(groups[i], it->valuestring))
				return 1;
	return 0;
}

void admission_response_init(struct admission_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->allowed = 1;
	strbuf_init(&resp->message, 0);
}

void admission_response_release(struct admission_response *resp)
{
	strbuf_release(&resp->message);
	cJSON_Delete(resp->warnings);
	cJSON_Delete(resp->audit);
	resp->warnings = resp->audit = NULL;
}

void admission_response_warn(struct admission_response *resp, const char *msg)
{
	if (!resp->warnings)
		resp->warnings = cJSON_CreateArray();
	cJSON_AddItemToArray(resp->warnings, cJSON_CreateString(msg));
}

void admission_response_audit(struct admission_response *resp, const char *key, const char *value)
{
	if (!resp->audit)
		resp->audit = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(resp->audit, key);
	cJSON_AddStringToObject(resp->audit, key, value);
}

/* The status of a denial, as cJSON printed {"code":…,"reason":…}. */
static void render_status(struct strbuf *out, int code)
{
	char digits[16], *p = digits + sizeof(digits);
	unsigned u = code < 0 ? 0 - (unsigned)code : (unsigned)code;

	if (code == 403) {
		strbuf_addlit(out,
		              ",\"status\":{\"code\":403,\"reason\":\"Forbidden\",\"message\":");
		return;
	}
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (code < 0)
		*--p = '-';
	strbuf_addlit(out, ",\"status\":{\"code\":");
	strbuf_add(out, p, (size_t)(digits + sizeof(digits) - p));
	if (code >= 500)
		strbuf_addlit(out, ",\"reason\":\"InternalError\",\"message\":");
	else
		strbuf_addlit(out, ",\"reason\":\"Forbidden\",\"message\":");
}

/* Byte for byte what cJSON_PrintUnformatted gave, without building a tree. */
void admission_response_render_to(struct strbuf *out, const char *uid,
                                  const struct admission_response *resp)
{
	strbuf_addlit(out, "{\"apiVersion\":\"" REVIEW_API_VERSION "\","
	                   "\"kind\":\"AdmissionReview\",\"response\":{\"uid\":");
	json_write_string(out, uid);
	if (resp->allowed) {
		strbuf_addlit(out, ",\"allowed\":true");
	} else {
		strbuf_addlit(out, ",\"allowed\":false");
		render_status(out, resp->code ? resp->code : 403);
		json_write_string(out, resp->message.buf);
		strbuf_addlit(out, "}");
	}
	if (resp->warnings && resp->warnings->child) {
		strbuf_addlit(out, ",\"warnings\":");
		json_write_value(out, resp->warnings);
	}
	if (resp->audit && resp->audit->child) {
		strbuf_addlit(out, ",\"auditAnnotations\":");
		json_write_value(out, resp->audit);
	}
	strbuf_addlit(out, "}}");
}

char *admission_response_render(const char *uid, const struct admission_response *resp)
{
	struct strbuf sb = STRBUF_INIT;

	admission_response_render_to(&sb, uid, resp);
	return strbuf_detach(&sb, NULL);
}
