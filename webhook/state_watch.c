#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decision_log.h"
#include "errbuf.h"
#include "kobj.h"
#include "kube_client.h"
#include "kube_watch.h"
#include "state.h"
#include "state_watch.h"
#include "strbuf.h"
#include "xalloc.h"

#define RETRY_PAUSE_MS 5000

/* The objects of one resource, by namespace/name (a short linear list is
 * enough: an event costs one scan, a publish one sort in state.c). */
struct kind_map {
	struct state_obj **v;
	size_t nr, alloc;
	int listed;
};

struct follower {
	struct state_watch *w;
	const char *resource; /* "applications", "appprojects" */
	struct kind_map map;
	pthread_t thread;
	int started;
};

struct state_watch {
	struct state_store *store;
	const struct rest_config *rc;
	FILE *log;
	volatile sig_atomic_t stop;
	pthread_mutex_t lock; /* both maps, and publishing */
	struct follower f[2];
};

static int same_key(const struct state_obj *a, const cJSON *b)
{
	const char *bn = kobj_namespace(b);
	const char *a_name = state_obj_name(a), *b_name = kobj_name(b);

	return a_name && b_name && !strcmp(a_name, b_name) && !strcmp(state_obj_ns(a), bn ? bn : "");
}

static void map_clear(struct kind_map *m)
{
	for (size_t i = 0; i < m->nr; i++)
		state_obj_unref(m->v[i]);
	m->nr = 0;
}

static void map_remove(struct kind_map *m, const cJSON *obj)
{
	for (size_t i = 0; i < m->nr; i++)
		if (same_key(m->v[i], obj)) {
			state_obj_unref(m->v[i]);
			m->v[i] = m->v[--m->nr];
			return;
		}
}

/* Takes obj (the map keeps its compact record, not the JSON). */
static void map_put(struct kind_map *m, cJSON *obj)
{
	map_remove(m, obj);
	if (m->nr == m->alloc) {
		m->alloc = m->alloc ? 2 * m->alloc : 64;
		m->v = xrealloc(m->v, m->alloc * sizeof(*m->v));
	}
	m->v[m->nr++] = state_obj_new(obj);
}

/* Items of a List carry no apiVersion/kind; give them the ones state.c needs. */
static void set_kind(cJSON *obj, const char *kind)
{
	if (!kobj_kind(obj)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "kind");
		cJSON_AddStringToObject(obj, "kind", kind);
	}
	if (!kobj_str(obj, "apiVersion")) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "apiVersion");
		cJSON_AddStringToObject(obj, "apiVersion", "argoproj.io/v1alpha1");
	}
}

/* Called with w->lock held. */
static void publish(struct state_watch *w)
{
	struct state_snapshot *s;

	if (!w->f[0].map.listed || !w->f[1].map.listed)
		return;
	s = state_snapshot_new();
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < w->f[k].map.nr; i++)
			state_snapshot_add_obj(s, w->f[k].map.v[i]);
	state_store_publish(w->store, s, time(NULL));
}

static int on_event(struct kube_event *ev, void *data)
{
	struct follower *f = data;
	struct state_watch *w = f->w;
	const char *kind = f == &w->f[0] ? "Application" : "AppProject";
	cJSON *items;

	pthread_mutex_lock(&w->lock);
	switch (ev->type) {
	case KUBE_EVENT_LIST:
		map_clear(&f->map);
		items = cJSON_GetObjectItemCaseSensitive(ev->object, "items");
		while (cJSON_IsArray(items) && items->child) {
			cJSON *it = cJSON_DetachItemViaPointer(items, items->child);

			set_kind(it, kind);
			map_put(&f->map, it);
		}
		f->map.listed = 1;
		publish(w);
		break;
	case KUBE_EVENT_ADDED:
	case KUBE_EVENT_MODIFIED:
		set_kind(ev->object, kind);
		map_put(&f->map, ev->object);
		ev->object = NULL;
		publish(w);
		break;
	case KUBE_EVENT_DELETED:
		map_remove(&f->map, ev->object);
		publish(w);
		break;
	default:
		state_store_touch(w->store, time(NULL));
		break;
	}
	pthread_mutex_unlock(&w->lock);
	return w->stop != 0;
}

static void pause_unless_stopped(struct state_watch *w)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };

	for (int waited = 0; !w->stop && waited < RETRY_PAUSE_MS; waited += 100)
		nanosleep(&tick, NULL);
}

static void *follow(void *data)
{
	struct follower *f = data;
	struct state_watch *w = f->w;
	struct strbuf path = STRBUF_INIT, msg = STRBUF_INIT;
	struct errbuf err;
	struct kube_watch *kw;

	kube_path(&path, "argoproj.io", "v1alpha1", f->resource, NULL, NULL, NULL);
	while (!w->stop) {
		if (!(kw = kube_watch_new(w->rc, &err))) {
			decision_log_error(w->log, "cannot create a watch", err.msg, 0, NULL, NULL);
			pause_unless_stopped(w);
			continue;
		}
		kube_watch_set_stop_flag(kw, &w->stop);
		kube_client_set_user_agent(kube_watch_client(kw), "gitops-webhook/" GITOPS_VERSION);
		if (kube_watch_follow(kw, path.buf, NULL, on_event, f, &err) == KUBE_WATCH_ERROR &&
		    !w->stop) {
			strbuf_reset(&msg);
			strbuf_addf(&msg, "watch of %s failed; serving the last state", f->resource);
			decision_log_error(w->log, msg.buf, err.msg, err.code, NULL, NULL);
			state_store_mark_stale(w->store);
		}
		kube_watch_free(kw);
		pause_unless_stopped(w);
	}
	strbuf_release(&path);
	strbuf_release(&msg);
	return NULL;
}

struct state_watch *state_watch_start(struct state_store *store, const struct rest_config *rc,
                                      FILE *log, struct errbuf *err)
{
	struct state_watch *w = xcalloc(1, sizeof(*w));
	const char *resources[2] = { "applications", "appprojects" };

	w->store = store;
	w->rc = rc;
	w->log = log;
	pthread_mutex_init(&w->lock, NULL);
	for (int k = 0; k < 2; k++) {
		w->f[k].w = w;
		w->f[k].resource = resources[k];
		if (pthread_create(&w->f[k].thread, NULL, follow, &w->f[k])) {
			errbuf_set(err, "cannot start the %s watch thread", resources[k]);
			state_watch_stop(w);
			return NULL;
		}
		w->f[k].started = 1;
	}
	return w;
}

void state_watch_stop(struct state_watch *w)
{
	if (!w)
		return;
	w->stop = 1;
	for (int k = 0; k < 2; k++) {
		if (w->f[k].started)
			pthread_join(w->f[k].thread, NULL);
		map_clear(&w->f[k].map);
		free(w->f[k].map.v);
	}
	pthread_mutex_destroy(&w->lock);
	free(w);
}
