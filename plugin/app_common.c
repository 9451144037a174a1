#include "app_common.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "rest_config.h"
#include "timefmt.h"
#include "xalloc.h"
#include "yaml_json.h"

void app_path(struct strbuf *sb, const char *ns, const char *name)
{
	kube_path(sb, "argoproj.io", "v1alpha1", "applications", ns, name, NULL);
}

void appproject_path(struct strbuf *sb, const char *ns, const char *name)
{
	kube_path(sb, "argoproj.io", "v1alpha1", "appprojects", ns, name, NULL);
}

static int get_one(struct kube_client *kc, struct strbuf *path, cJSON **out, struct errbuf *err)
{
	int rc = kube_get(kc, path->buf, out, err);

	strbuf_release(path);
	return rc;
}

int app_get(struct kube_client *kc, const char *ns, const char *name, cJSON **out, struct errbuf *err)
{
	struct strbuf path = STRBUF_INIT;

	app_path(&path, ns, name);
	return get_one(kc, &path, out, err);
}

int appproject_get(struct kube_client *kc, const char *ns, const char *name, cJSON **out,
                   struct errbuf *err)
{
	struct strbuf path = STRBUF_INIT;

	appproject_path(&path, ns, name);
	return get_one(kc, &path, out, err);
}

cJSON *app_load_file(const char *path, const char *kind, struct errbuf *err)
{
	cJSON *docs = yamljson_parse_file_all(path, 0, err), *obj;
	const char *api, *k;

	if (!docs)
		return NULL;
	if (cJSON_GetArraySize(docs) != 1) {
		errbuf_set(err, "%s: expected one %s, found %d documents", path, kind,
		           cJSON_GetArraySize(docs));
		cJSON_Delete(docs);
		return NULL;
	}
	obj = cJSON_DetachItemFromArray(docs, 0);
	cJSON_Delete(docs);
	api = json_str(obj, "apiVersion", "");
	k = json_str(obj, "kind", "");
	if (!cJSON_IsObject(obj) || strcmp(k, kind) || strncmp(api, "argoproj.io/", 12)) {
		errbuf_set(err, "%s: expected an argoproj.io %s, found %s%s%s", path, kind,
		           *api ? api : "", *api ? " " : "", *k ? k : "no kind");
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

char *app_whoami(struct kube_client *kc, const struct rest_config *rc)
{
	struct strbuf path = STRBUF_INIT;
	cJSON *req = cJSON_CreateObject(), *resp = NULL;
	const char *user;
	char *out = NULL;

	cJSON_AddStringToObject(req, "apiVersion", "authentication.k8s.io/v1");
	cJSON_AddStringToObject(req, "kind", "SelfSubjectReview");
	kube_path(&path, "authentication.k8s.io", "v1", "selfsubjectreviews", NULL, NULL, NULL);
	if (!kube_create(kc, path.buf, req, NULL, &resp, NULL)) {
		user = json_str(resp, "status.userInfo.username", NULL);
		if (user && *user)
			out = xstrdup(user);
	}
	if (!out && rc && rc->user_name && *rc->user_name)
		out = xstrdup(rc->user_name);
	cJSON_Delete(resp);
	cJSON_Delete(req);
	strbuf_release(&path);
	return out;
}

static int parse_time(const char *s, struct timespec *t)
{
	return s ? timefmt_parse_rfc3339(s, t, NULL) : -1;
}

int app_operation_in_progress(const cJSON *app)
{
	const cJSON *op = json_get(app, "operation");
	const cJSON *st = json_get(app, "status.operationState");
	struct timespec fin, rec;

	if (op && !cJSON_IsNull(op))
		return 1;
	if (!st || cJSON_IsNull(st))
		return 0;
	if (parse_time(json_str(st, "finishedAt", NULL), &fin))
		return 1;
	if (json_bool(st, "operation.sync.dryRun", 0))
		return 0;
	if (parse_time(json_str(app, "status.reconciledAt", NULL), &rec))
		return 1;
	return rec.tv_sec < fin.tv_sec || (rec.tv_sec == fin.tv_sec && rec.tv_nsec < fin.tv_nsec);
}

static int has(const cJSON *app, const char *path)
{
	const cJSON *v = json_get(app, path);

	return v && !cJSON_IsNull(v);
}

int app_terminate_operation(struct kube_client *kc, const char *ns, const char *name,
                            struct errbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int attempt, ret = -1;

	app_path(&path, ns, name);
	for (attempt = 0; attempt <= 10; attempt++) {
		cJSON *app = NULL, *st;

		if (attempt && kube_client_sleep(kc, 100)) {
			errbuf_set(err, "interrupted");
			break;
		}
		if (kube_get(kc, path.buf, &app, err))
			break;
		st = (cJSON *)json_get(app, "status.operationState");
		if (!has(app, "operation") || !cJSON_IsObject(st)) {
			cJSON_Delete(app);
			errbuf_set(err,
			           "Unable to terminate operation. No operation is in progress");
			ret = APP_NO_OPERATION;
			break;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(st, "phase");
		cJSON_AddStringToObject(st, "phase", "Terminating");
		ret = kube_update(kc, path.buf, app, NULL, NULL, err);
		cJSON_Delete(app);
		if (!ret || err->code != 409)
			break;
	}
	strbuf_release(&path);
	return ret;
}

/* Go's strconv.Atoi: optional sign, decimal digits, nothing else. */
static int atoi_go(const char *s, int *out)
{
	char *end;
	long v;

	if (!s || !*s || (s[0] != '-' && s[0] != '+' && (s[0] < '0' || s[0] > '9')))
		return -1;
	if ((s[0] == '-' || s[0] == '+') && (s[1] < '0' || s[1] > '9'))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v < INT_MIN || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

int app_wave(const cJSON *app)
{
	const cJSON *ann = json_get(app, "metadata.annotations");
	int w;

	if (!atoi_go(json_str(json_get_key(ann, ANN_SYNC_WAVE), NULL, NULL), &w))
		return w;
	if (!atoi_go(json_str(json_get_key(ann, "helm.sh/hook-weight"), NULL, NULL), &w))
		return w;
	return 0;
}

const char *app_name(const cJSON *app)
{
	return json_str(app, "metadata.name", "");
}

const char *app_ns(const cJSON *app)
{
	return json_str(app, "metadata.namespace", "");
}
