#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "arena.h"
#include "errbuf.h"
#include "json_arena.h"
#include "json_write.h"
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

/* Optional string field: "" when absent, -1 when of another type. */
static int opt_str(const cJSON *obj, const char *key, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = "";
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return -1;
	*out = v->valuestring;
	return 0;
}

/* Optional object field: NULL when absent or null, -1 when of another type. */
static int opt_obj(const cJSON *obj, const char *key, const cJSON **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsObject(v))
		return -1;
	*out = v;
	return 0;
}

static int check_envelope(const cJSON *root, struct errbuf *err)
{
	const cJSON *api = cJSON_GetObjectItemCaseSensitive(root, "apiVersion");
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "kind");

	if (!cJSON_IsObject(root))
		return errbuf_set(err, "expected a JSON object (an AdmissionReview)");
	if (!cJSON_IsString(api) || !cJSON_IsString(kind))
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

static int parse_op(struct admission_request *req, const cJSON *r, struct errbuf *err)
{
	const char *op;

	if (opt_str(r, "operation", &op))
		return errbuf_set(err, "request.operation: expected a string");
	for (size_t i = 0; i < sizeof(op_names) / sizeof(*op_names); i++)
		if (!strcmp(op, op_names[i])) {
			req->op = (enum admission_op)i;
			req->operation = op_names[i];
			return 0;
		}
	return errbuf_set(err, "request.operation: unknown operation \"%.32s\"", op);
}

static int parse_kind(struct admission_request *req, const cJSON *r, struct errbuf *err)
{
	const cJSON *kind, *res;

	if (opt_obj(r, "kind", &kind) || !kind || opt_str(kind, "group", &req->group) ||
	    opt_str(kind, "version", &req->version) || opt_str(kind, "kind", &req->kind) ||
	    !*req->kind)
		return errbuf_set(err, "request.kind: expected {group, version, kind}");
	if (opt_obj(r, "resource", &res) || opt_str(res, "resource", &req->resource) ||
	    opt_str(r, "subResource", &req->sub_resource))
		return errbuf_set(err, "request.resource: expected {group, version, resource}");
	return 0;
}

static int parse_user(struct admission_request *req, const cJSON *r, struct errbuf *err)
{
	const cJSON *ui, *g, *it;

	if (opt_obj(r, "userInfo", &ui) || opt_str(ui, "username", &req->username))
		return errbuf_set(err, "request.userInfo: expected {username, groups}");
	g = cJSON_GetObjectItemCaseSensitive(ui, "groups");
	if (!g || cJSON_IsNull(g))
		return 0;
	if (!cJSON_IsArray(g))
		return errbuf_set(err, "request.userInfo.groups: expected a list of strings");
	cJSON_ArrayForEach (it, g)
		if (!cJSON_IsString(it))
			return errbuf_set(err,
			                  "request.userInfo.groups: expected a list of strings");
	req->groups = g;
	return 0;
}

static int parse_request(struct admission_request *req, const cJSON *r, struct errbuf *err)
{
	const cJSON *dry;

	if (!cJSON_IsObject(r))
		return errbuf_set(err,
		                  "missing request: expected an AdmissionReview with a request");
	if (opt_str(r, "uid", &req->uid) || !*req->uid)
		return errbuf_set(err, "request.uid: expected a non-empty string");
	if (parse_op(req, r, err) || parse_kind(req, r, err) || parse_user(req, r, err))
		return -1;
	if (opt_str(r, "name", &req->name) || opt_str(r, "namespace", &req->ns))
		return errbuf_set(err, "request.name and request.namespace: expected strings");
	if (opt_obj(r, "object", &req->object) || opt_obj(r, "oldObject", &req->old_object))
		return errbuf_set(err, "request.object and request.oldObject: expected objects");
	dry = cJSON_GetObjectItemCaseSensitive(r, "dryRun");
	if (dry && !cJSON_IsNull(dry) && !cJSON_IsBool(dry))
		return errbuf_set(err, "request.dryRun: expected a boolean");
	req->dry_run = cJSON_IsTrue(dry);
	return 0;
}

/* Checks the envelope of root; on failure the request is released. */
static int take_root(struct admission_request *req, struct errbuf *err)
{
	if (check_envelope(req->root, err) ||
	    parse_request(req, cJSON_GetObjectItemCaseSensitive(req->root, "request"), err)) {
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
	if (!(req->root = json_arena_parse_except(a, buf, len, ADMISSION_SKIPPED, &why)))
		return errbuf_set(err, "body is not valid JSON (%s)", why.msg);
	return take_root(req, err);
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

/* Byte for byte what cJSON_PrintUnformatted gave, without building a tree. */
void admission_response_render_to(struct strbuf *out, const char *uid,
                                  const struct admission_response *resp)
{
	strbuf_addstr(out, "{\"apiVersion\":\"" REVIEW_API_VERSION "\","
	                   "\"kind\":\"AdmissionReview\",\"response\":{\"uid\":");
	json_write_string(out, uid);
	strbuf_addstr(out, resp->allowed ? ",\"allowed\":true" : ",\"allowed\":false");
	if (!resp->allowed) {
		strbuf_addf(out, ",\"status\":{\"code\":%d,\"reason\":\"%s\",\"message\":",
		            resp->code ? resp->code : 403,
		            resp->code >= 500 ? "InternalError" : "Forbidden");
		json_write_string(out, resp->message.buf);
		strbuf_addch(out, '}');
	}
	if (resp->warnings && resp->warnings->child) {
		strbuf_addstr(out, ",\"warnings\":");
		json_write_value(out, resp->warnings);
	}
	if (resp->audit && resp->audit->child) {
		strbuf_addstr(out, ",\"auditAnnotations\":");
		json_write_value(out, resp->audit);
	}
	strbuf_addstr(out, "}}");
}

char *admission_response_render(const char *uid, const struct admission_response *resp)
{
	struct strbuf sb = STRBUF_INIT;

	admission_response_render_to(&sb, uid, resp);
	return strbuf_detach(&sb, NULL);
}
