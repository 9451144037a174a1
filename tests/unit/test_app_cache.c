/*
 * app_cache: the name -> Application cache that tree -w and sync keep from
 * a LIST and watch events: copies from the list, ownership of the events'
 * objects, and dropping states older than the one held (keep_newer).
 */
#include <stdlib.h>

#include "app_cache.h"
#include "json_util.h"
#include "kube_watch.h"
#include "tap.h"

static cJSON *app(const char *name, const char *rv)
{
	cJSON *a = cJSON_CreateObject(), *md = cJSON_AddObjectToObject(a, "metadata");

	cJSON_AddStringToObject(md, "name", name);
	if (rv)
		cJSON_AddStringToObject(md, "resourceVersion", rv);
	return a;
}

static const char *rv_held(const cJSON *cache, const char *name)
{
	return json_str(json_get_key(cache, name), "metadata.resourceVersion", NULL);
}

/* Feeds one event as the watch would: frees the object unless taken. */
static int feed(cJSON **cache, enum kube_event_type type, cJSON *obj, int keep_newer, int *taken)
{
	struct kube_event ev = { type, obj, 0 };
	int r = app_cache_event(cache, &ev, keep_newer);

	*taken = ev.object == NULL;
	cJSON_Delete(ev.object);
	return r;
}

static void test_list_and_events(void)
{
	cJSON *cache = NULL, *list = cJSON_CreateObject();
	cJSON *items = cJSON_AddArrayToObject(list, "items");
	int taken;

	cJSON_AddItemToArray(items, app("a", "5"));
	cJSON_AddItemToArray(items, app("b", "6"));
	app_cache_list(&cache, list);
	is_int(cJSON_GetArraySize(cache), 2, "a list fills the cache");
	cJSON_Delete(list);
	is_str(rv_held(cache, "b"), "6", "the cache holds copies: the list is freed");

	is_int(feed(&cache, KUBE_EVENT_MODIFIED, app("a", "7"), 0, &taken), 1, "MODIFIED applies");
	ok(taken, "the stored object is taken from the event");
	is_str(rv_held(cache, "a"), "7", "the new state replaces the old");
	is_int(cJSON_GetArraySize(cache), 2, "one entry per name");

	is_int(feed(&cache, KUBE_EVENT_MODIFIED, app("a", "3"), 0, &taken), 1,
	       "without keep_newer an older state is applied too");
	is_str(rv_held(cache, "a"), "3", "it is held");

	is_int(feed(&cache, KUBE_EVENT_ADDED, app("c", "8"), 0, &taken), 1, "ADDED applies");
	is_int(feed(&cache, KUBE_EVENT_DELETED, app("b", "9"), 0, &taken), 1, "DELETED applies");
	ok(!taken && !json_get_key(cache, "b"),
	   "DELETED removes the app, the object stays the watch's");
	is_int(feed(&cache, KUBE_EVENT_BOOKMARK, app("", "10"), 0, &taken), -1,
	       "a BOOKMARK is not applied");
	ok(!taken && cJSON_GetArraySize(cache) == 2, "and leaves the cache alone");

	list = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(list, "items"), app("z", "11"));
	is_int(feed(&cache, KUBE_EVENT_LIST, list, 0, &taken), 1, "a LIST event applies");
	ok(!taken && cJSON_GetArraySize(cache) == 1 && json_get_key(cache, "z"),
	   "it replaces everything, the list stays the watch's");
	cJSON_Delete(cache);
}

static void test_keep_newer(void)
{
	cJSON *cache = NULL;
	int taken;

	app_cache_put(&cache, "a", app("a", "20"));
	is_str(rv_held(cache, "a"), "20", "put on an empty cache stores the app");
	is_int(feed(&cache, KUBE_EVENT_MODIFIED, app("a", "19"), 1, &taken), 0,
	       "keep_newer: an older state is dropped");
	ok(!taken && !strcmp(rv_held(cache, "a"), "20"),
	   "the newer one stays, the event's is freed");
	is_int(feed(&cache, KUBE_EVENT_MODIFIED, app("a", "20"), 1, &taken), 1,
	       "the same resourceVersion applies");
	is_int(feed(&cache, KUBE_EVENT_MODIFIED, app("a", "x1"), 1, &taken), 1,
	       "a resourceVersion that is not a number applies");
	is_int(feed(&cache, KUBE_EVENT_MODIFIED, app("a", "2"), 1, &taken), 1,
	       "after it, any number applies");
	is_int(feed(&cache, KUBE_EVENT_ADDED, app("new", "1"), 1, &taken), 1,
	       "an app not held applies");
	app_cache_put(&cache, "new", app("new", "30"));
	is_str(rv_held(cache, "new"), "30", "put replaces the app held");
	is_int(cJSON_GetArraySize(cache), 2, "one entry per name");
	cJSON_Delete(cache);
}

static void test_resource_version(void)
{
	cJSON *a = app("a", "123"), *b = app("b", NULL), *c = app("c", "12x");

	is_int(app_resource_version(a), 123, "a decimal resourceVersion");
	is_int(app_resource_version(b), -1, "none: -1");
	is_int(app_resource_version(c), -1, "not a number: -1");
	is_int(app_resource_version(NULL), -1, "no object: -1");
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
}

int main(void)
{
	test_list_and_events();
	test_keep_newer();
	test_resource_version();
	return tap_done();
}
