/*
 * app_cache.h - the Applications of one namespace by name, as a LIST and
 * the watch events after it leave them: what `tree -w` and `sync` follow.
 *
 * The cache is a cJSON object (name -> Application); NULL is an empty
 * cache.  Look an app up with json_get_key(cache, name).
 *
 * Ownership: the holder owns the cache and frees it with cJSON_Delete().
 * app_cache_list() stores copies of the list's items (the list stays the
 * caller's).  app_cache_put() takes the app it is given.  app_cache_event()
 * takes an ADDED/MODIFIED event's object when it stores it, setting
 * ev->object to NULL (kube_watch.h: the watch then does not free it); the
 * other events' objects stay the watch's.
 */
#ifndef APP_CACHE_H
#define APP_CACHE_H

#include <cjson/cJSON.h>

struct kube_event;

/* Replaces the whole cache with copies of the items of an ApplicationList. */
void app_cache_list(cJSON **cache, const cJSON *list);

/* Stores app under name (taking it), replacing the one held. */
void app_cache_put(cJSON **cache, const char *name, cJSON *app);

/*
 * Applies a watch event: LIST replaces everything (as app_cache_list),
 * ADDED and MODIFIED store the object, DELETED removes the app.  With
 * keep_newer, an ADDED/MODIFIED object older (by resourceVersion) than the
 * one held is dropped: the holder wrote a newer state itself and the watch
 * has not caught up.  Returns 1 when applied, 0 when dropped as older, -1
 * for other events (BOOKMARK, ERROR), which leave the cache alone.
 */
int app_cache_event(cJSON **cache, struct kube_event *ev, int keep_newer);

/* metadata.resourceVersion as a number, -1 when it is not one. */
long long app_resource_version(const cJSON *obj);

#endif
