/* The .operation a sync writes, built from the flags (argocd.md §1.1, §2.3),
 * and the small app helpers it relies on. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "app_common.h"
#include "duration.h"
#include "errbuf.h"
#include "sync_trigger.h"
#include "tap.h"

static char *build(const struct sync_op_opts *o, const char *app_json, const char *res_json)
{
	cJSON *app = cJSON_Parse(app_json), *res = res_json ? cJSON_Parse(res_json) : NULL;
	cJSON *op = sync_operation_build(o, app, res);
	char *s = cJSON_PrintUnformatted(op);

	cJSON_Delete(op);
	cJSON_Delete(app);
	cJSON_Delete(res);
	return s;
}

static void test_build(void)
{
	static const char plain[] = "{\"metadata\":{\"name\":\"a\"},\"spec\":{}}";
	static const char policy[] =
		"{\"spec\":{\"syncPolicy\":{\"syncOptions\":[\"CreateNamespace=true\","
		"\"ServerSideApply=false\"],\"retry\":{\"limit\":2}}}}";
	struct sync_op_opts o;
	char *s;

	memset(&o, 0, sizeof(o));
	s = build(&o, plain, NULL);
	is_str(s, "{\"sync\":{\"syncStrategy\":{\"hook\":{}}},\"initiatedBy\":{\"automated\":false}}",
	       "defaults: hook strategy, not automated, nothing else");
	free(s);

	o.username = "alice";
	o.prune = o.dry_run = o.force = 1;
	o.strategy = "apply";
	o.revision = "v1.2.3";
	s = build(&o, plain, "[{\"kind\":\"Service\",\"name\":\"web\"}]");
	is_str(s,
	       "{\"sync\":{\"revision\":\"v1.2.3\",\"prune\":true,\"dryRun\":true,"
	       "\"syncStrategy\":{\"apply\":{\"force\":true}},"
	       "\"resources\":[{\"kind\":\"Service\",\"name\":\"web\"}]},"
	       "\"initiatedBy\":{\"username\":\"alice\",\"automated\":false}}",
	       "flags map to revision, prune, dryRun, apply+force, resources and the user");
	free(s);

	memset(&o, 0, sizeof(o));
	s = build(&o, policy, "[]");
	is_str(s,
	       "{\"sync\":{\"syncStrategy\":{\"hook\":{}},"
	       "\"syncOptions\":[\"CreateNamespace=true\",\"ServerSideApply=false\"]},"
	       "\"initiatedBy\":{\"automated\":false},\"retry\":{\"limit\":2}}",
	       "the app's syncOptions and retry are used; an empty resource list is a full sync");
	free(s);

	o.server_side = o.replace = o.apply_out_of_sync_only = 1;
	o.retry_limit = -1;
	o.retry_backoff_ns = 90 * DURATION_SECOND;
	o.retry_factor = 3;
	strlist_push(&o.info, "Reason=deploy=now");
	strlist_push(&o.info, "Ticket=");
	s = build(&o, policy, NULL);
	is_str(s,
	       "{\"sync\":{\"syncStrategy\":{\"hook\":{}},"
	       "\"syncOptions\":[\"CreateNamespace=true\",\"ServerSideApply=true\","
	       "\"Replace=true\",\"ApplyOutOfSyncOnly=true\"]},"
	       "\"initiatedBy\":{\"automated\":false},"
	       "\"info\":[{\"name\":\"Reason\",\"value\":\"deploy=now\"},"
	       "{\"name\":\"Ticket\",\"value\":\"\"}],"
	       "\"retry\":{\"limit\":-1,\"backoff\":{\"duration\":\"1m30s\",\"factor\":3,"
	       "\"maxDuration\":\"3m0s\"}}}",
	       "flag options merge into the app's (same key replaced), info splits at the first "
	       "'=', retry flags win with Go durations");
	free(s);
	strlist_release(&o.info);
}

static void test_check(void)
{
	static const struct {
		const char *strategy, *info;
		long limit;
		int64_t backoff;
		int ok;
	} cases[] = {
		{ NULL, NULL, 0, 0, 1 },      { "hook", NULL, 0, 0, 1 },
		{ "apply", "a=b", 3, 1, 1 },  { "replace", NULL, 0, 0, 0 },
		{ NULL, "novalue", 0, 0, 0 }, { NULL, "=v", 0, 0, 0 },
		{ NULL, NULL, 0, 5, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sync_op_opts o;
		struct errbuf err;

		memset(&o, 0, sizeof(o));
		o.strategy = cases[i].strategy;
		if (cases[i].info)
			strlist_push(&o.info, cases[i].info);
		o.retry_limit = cases[i].limit;
		o.retry_backoff_ns = cases[i].backoff;
		is_int(sync_op_opts_check(&o, &err) == 0, cases[i].ok, "option check case %zu", i);
		strlist_release(&o.info);
	}
}

int main(void)
{
	test_build();
	test_check();
	return tap_done();
}
