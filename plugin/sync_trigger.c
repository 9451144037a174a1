#include "sync_trigger.h"

#include <stdlib.h>
#include <string.h>

#include "app_common.h"
#include "duration.h"
#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "xalloc.h"

#define MAX_CONFLICTS 10

int sync_op_opts_check(const struct sync_op_opts *o, struct errbuf *err)
{
	size_t i;

	if (o->strategy && *o->strategy && strcmp(o->strategy, "hook") && strcmp(o->strategy, "apply"))
		return errbuf_set(err, "unknown --strategy \"%s\": use apply or hook", o->strategy);
	for (i = 0; i < o->info.n; i++) {
		const char *eq = strchr(o->info.items[i], '=');

		if (!eq || eq == o->info.items[i])
			return errbuf_set(err, "--info \"%s\": want NAME=VALUE", o->info.items[i]);
	}
	if (o->retry_limit == 0 && (o->retry_backoff_ns || o->retry_backoff_max_ns || o->retry_factor))
		return errbuf_set(err, "the --retry-backoff-* flags need --retry-limit");
	return 0;
}

/* Adds `opt` to the list, replacing an entry with the same "Key=" prefix. */
static void add_option(cJSON *list, const char *opt)
{
	size_t klen = strcspn(opt, "=") + 1;
	cJSON *it;
	int i = 0;

	cJSON_ArrayForEach (it, list) {
		if (cJSON_IsString(it) && !strncmp(it->valuestring, opt, klen)) {
			cJSON_ReplaceItemInArray(list, i, cJSON_CreateString(opt));
			return;
		}
		i++;
	}
	cJSON_AddItemToArray(list, cJSON_CreateString(opt));
}

static void add_sync_options(cJSON *sync, const struct sync_op_opts *o, const cJSON *app)
{
	const cJSON *own = json_get(app, "spec.syncPolicy.syncOptions"), *it;
	cJSON *list = cJSON_CreateArray();

	cJSON_ArrayForEach (it, own)
		if (cJSON_IsString(it))
			add_option(list, it->valuestring);
	if (o->replace)
		add_option(list, "Replace=true");
	if (o->server_side)
		add_option(list, "ServerSideApply=true");
	if (o->apply_out_of_sync_only)
		add_option(list, "ApplyOutOfSyncOnly=true");
	if (cJSON_GetArraySize(list))
		cJSON_AddItemToObject(sync, "syncOptions", list);
	else
		cJSON_Delete(list);
}

static cJSON *build_retry(const struct sync_op_opts *o, const cJSON *app)
{
	char buf[DURATION_FORMAT_SIZE];
	cJSON *retry, *backoff;

	if (!o->retry_limit) {
		const cJSON *own = json_get(app, "spec.syncPolicy.retry");

		return cJSON_IsObject(own) ? cJSON_Duplicate(own, 1) : NULL;
	}
	retry = cJSON_CreateObject();
	cJSON_AddNumberToObject(retry, "limit", (double)o->retry_limit);
	backoff = cJSON_AddObjectToObject(retry, "backoff");
	cJSON_AddStringToObject(
		backoff, "duration",
		duration_format(o->retry_backoff_ns ? o->retry_backoff_ns : 5 * DURATION_SECOND, buf));
	cJSON_AddNumberToObject(backoff, "factor", o->retry_factor ? (double)o->retry_factor : 2);
	cJSON_AddStringToObject(backoff, "maxDuration",
	                        duration_format(o->retry_backoff_max_ns ? o->retry_backoff_max_ns
	                                                                : 3 * DURATION_MINUTE,
	                                        buf));
	return retry;
}

cJSON *sync_operation_build(const struct sync_op_opts *o, const cJSON *app, const cJSON *resources)
{
	cJSON *op = cJSON_CreateObject(), *sync = cJSON_AddObjectToObject(op, "sync");
	cJSON *strategy, *kind, *by, *retry;
	int apply = o->strategy && !strcmp(o->strategy, "apply");
	size_t i;

	if (o->revision && *o->revision)
		cJSON_AddStringToObject(sync, "revision", o->revision);
	if (o->prune)
		cJSON_AddBoolToObject(sync, "prune", 1);
	if (o->dry_run)
		cJSON_AddBoolToObject(sync, "dryRun", 1);
	strategy = cJSON_AddObjectToObject(sync, "syncStrategy");
	kind = cJSON_AddObjectToObject(strategy, apply ? "apply" : "hook");
	if (o->force)
		cJSON_AddBoolToObject(kind, "force", 1);
	if (cJSON_GetArraySize(resources))
		cJSON_AddItemToObject(sync, "resources", cJSON_Duplicate(resources, 1));
	add_sync_options(sync, o, app);

	by = cJSON_AddObjectToObject(op, "initiatedBy");
	if (o->username)
		cJSON_AddStringToObject(by, "username", o->username);
	cJSON_AddBoolToObject(by, "automated", 0);
	if (o->info.n) {
		cJSON *info = cJSON_AddArrayToObject(op, "info");

		for (i = 0; i < o->info.n; i++) {
			const char *kv = o->info.items[i], *eq = strchr(kv, '=');
			cJSON *e = cJSON_CreateObject();
			char *k = xstrndup(kv, eq ? (size_t)(eq - kv) : strlen(kv));

			cJSON_AddStringToObject(e, "name", k);
			cJSON_AddStringToObject(e, "value", eq ? eq + 1 : "");
			cJSON_AddItemToArray(info, e);
			free(k);
		}
	}
	retry = build_retry(o, app);
	if (retry)
		cJSON_AddItemToObject(op, "retry", retry);
	return op;
}

static int busy(const cJSON *app)
{
	const cJSON *op = json_get(app, "operation");
	const char *phase = json_str(app, "status.operationState.phase", "");

	return (op && !cJSON_IsNull(op)) || !strcmp(phase, "Running") ||
	       !strcmp(phase, "Terminating");
}

int sync_trigger(struct kube_client *kc, const char *ns, const char *name, sync_build_fn *build,
                 void *data, int *conflicts, cJSON **written, struct errbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int attempt, ret = SYNC_TRIGGER_ERROR;

	app_path(&path, ns, name);
	for (attempt = 0; attempt <= MAX_CONFLICTS; attempt++) {
		cJSON *app = NULL, *op, *status;
		const cJSON *del;

		if (kube_get(kc, path.buf, &app, err))
			break;
		del = json_get(app, "metadata.deletionTimestamp");
		if (del && !cJSON_IsNull(del)) {
			cJSON_Delete(app);
			ret = SYNC_TRIGGER_DELETING;
			errbuf_set(err, "application is deleting");
			break;
		}
		if (busy(app)) {
			cJSON_Delete(app);
			ret = SYNC_TRIGGER_BUSY;
			errbuf_set(err, "another operation is already in progress");
			break;
		}
		op = build(app, data, err);
		if (!op) {
			cJSON_Delete(app);
			ret = SYNC_TRIGGER_DECLINED;
			break;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(app, "operation");
		cJSON_AddItemToObject(app, "operation", op);
		status = cJSON_GetObjectItemCaseSensitive(app, "status");
		if (cJSON_IsObject(status))
			cJSON_DeleteItemFromObjectCaseSensitive(status, "operationState");
		ret = kube_update(kc, path.buf, app, NULL, written, err) ? SYNC_TRIGGER_ERROR
		                                                         : SYNC_TRIGGERED;
		cJSON_Delete(app);
		if (ret == SYNC_TRIGGERED || err->code != 409)
			break;
		if (conflicts)
			(*conflicts)++;
	}
	strbuf_release(&path);
	return ret;
}
