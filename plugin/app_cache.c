#include "app_cache.h"

#include <stdlib.h>

#include "app_common.h"
#include "json_util.h"
#include "kube_watch.h"

void app_cache_list(cJSON **cache, const cJSON *list)
{
	const cJSON *it;

	cJSON_Delete(*cache);
	*cache = cJSON_CreateObject();
	cJSON_ArrayForEach (it, json_get(list, "items"))
		cJSON_AddItemToObject(*cache, app_name(it), cJSON_Duplicate(it, 1));
}

void app_cache_put(cJSON **cache, const char *name, cJSON *app)
{
	if (!*cache)
		*cache = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(*cache, name);
	cJSON_AddItemToObject(*cache, name, app);
}

int app_cache_event(cJSON **cache, struct kube_event *ev, int keep_newer)
{
	const char *name = app_name(ev->object);

	switch (ev->type) {
	case KUBE_EVENT_LIST:
		app_cache_list(cache, ev->object);
		return 1;
	case KUBE_EVENT_ADDED:
	case KUBE_EVENT_MODIFIED:
		if (keep_newer && app_resource_version(ev->object) >= 0 &&
		    app_resource_version(ev->object) <
		            app_resource_version(json_get_key(*cache, name)))
			return 0;
		app_cache_put(cache, name, ev->object);
		ev->object = NULL;
		return 1;
	case KUBE_EVENT_DELETED:
		cJSON_DeleteItemFromObjectCaseSensitive(*cache, name);
		return 1;
	default:
		return -1;
	}
}

long long app_resource_version(const cJSON *obj)
{
	const char *rv = json_str(obj, "metadata.resourceVersion", "");
	char *end;
	long long v;

	if (!*rv)
		return -1;
	v = strtoll(rv, &end, 10);
	return *end ? -1 : v;
}
