/*
 * state.h - the Argo CD objects the policies consult: AppProjects and
 * Applications, held in memory.
 *
 * A snapshot is built once (state_snapshot_add() then _seal()), and is
 * immutable from then on, so any number of request threads read it without
 * locks.  The store publishes snapshots: a reader takes a reference
 * (state_store_acquire) for the length of one request, a writer swaps in a
 * new snapshot (state_store_publish) and the old one is freed when its last
 * reader lets go.  The request path never blocks on a writer for longer
 * than a pointer copy.
 *
 * Objects are shared between snapshots (struct state_obj, reference
 * counted), so publishing after a watch event copies pointers, not JSON.
 *
 * An object is kept as a compact record of what the policies read, not as
 * its JSON (20,000 Applications as cJSON took 360 MiB; as records a few
 * MiB): struct state_app and struct state_project below.  The JSON an
 * object is made from is only read while the record is built.
 *
 * Ownership: a snapshot holds a reference to every object added to it;
 * lookups return borrowed pointers valid while the caller holds its
 * reference to the snapshot.  A state_obj never changes once made, except
 * for an AppProject's verdict cache, which does its own locking and only
 * ever holds answers computed from that same object.
 */
#ifndef WEBHOOK_STATE_H
#define WEBHOOK_STATE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cjson/cJSON.h>

struct state_snapshot;
struct state_obj;
struct sync_windows;
struct compiled_windows;
struct verdict_cache;

/* spec.syncPolicy.syncOptions that protect every resource of an Application. */
#define STATE_APP_PRUNE_FALSE 1u
#define STATE_APP_DELETE_FALSE 2u

/* An Application, reduced to the fields the policies read. */
struct state_app {
	const char *ns, *name; /* metadata ("" for a missing namespace) */
	const char *project; /* spec.project; NULL when absent */
	/* spec.destination.server/name/namespace; NULL when absent */
	const char *dest_server, *dest_name, *dest_namespace;
	unsigned protect; /* STATE_APP_PRUNE_FALSE | STATE_APP_DELETE_FALSE */
	int approved; /* deletion-approved is a valid RFC 3339 time... */
	time_t approved_at; /* ...this one */
	const char *const *resource_ns; /* distinct status.resources[].namespace */
	size_t nr_resource_ns;
};

/* An AppProject: what project_match.h reads, and its windows, read once. */
struct state_project {
	const char *ns, *name;
	/* metadata.name/namespace and the spec lists of project_match.h
	 * (sourceRepos, destinations, sourceNamespaces, the resource white-
	 * and blacklists), as they were in the object */
	const cJSON *json;
	const struct sync_windows *windows; /* spec.syncWindows (empty on error) */
	const char *windows_error; /* why spec.syncWindows is unreadable, or NULL */
	/* the windows compiled once (cron, duration, zone), and the verdicts
	 * found with them; the cache is the only mutable part of an object and
	 * does its own locking (verdict_cache.h) */
	const struct compiled_windows *compiled;
	struct verdict_cache *verdicts;
};

/*
 * The record of one object.  state_obj_new() takes json and frees it once
 * the record is built; state_obj_from_json() only reads it.  Objects that
 * are not argoproj.io Applications or AppProjects are made too (so a
 * watch can track deletions by name) but no snapshot keeps them.
 */
struct state_obj *state_obj_new(cJSON *json);
struct state_obj *state_obj_from_json(const cJSON *json);
struct state_obj *state_obj_ref(struct state_obj *o);
void state_obj_unref(struct state_obj *o);
/* metadata.namespace ("" when absent) and metadata.name (NULL when absent). */
const char *state_obj_ns(const struct state_obj *o);
const char *state_obj_name(const struct state_obj *o);
/* state_key_hash() of its namespace and name ("" when absent), kept. */
uint32_t state_obj_hash(const struct state_obj *o);
/* The hash the snapshot's lookup index is keyed by. */
uint32_t state_key_hash(const char *ns, const char *name);
/* The record, or NULL when o is not of that kind. */
const struct state_app *state_obj_app(const struct state_obj *o);
const struct state_project *state_obj_project(const struct state_obj *o);

struct state_snapshot *state_snapshot_new(void);
/* Takes ownership of obj.  Objects other than argoproj.io Applications and
 * AppProjects, or without a name, are dropped (freed); returns 1 if kept.
 * A later object with the same namespace/name replaces an earlier one. */
int state_snapshot_add(struct state_snapshot *s, cJSON *obj);
/* The same for a shared object: the snapshot takes its own reference. */
int state_snapshot_add_obj(struct state_snapshot *s, struct state_obj *o);
/* Builds the lookup indexes; call once, before publishing or looking up. */
void state_snapshot_seal(struct state_snapshot *s);

const struct state_app *state_find_app(const struct state_snapshot *s, const char *ns,
                                       const char *name);
const struct state_project *state_find_project(const struct state_snapshot *s, const char *ns,
                                               const char *name);
size_t state_app_count(const struct state_snapshot *s);
const struct state_app *state_app_at(const struct state_snapshot *s, size_t i);
size_t state_project_count(const struct state_snapshot *s);

struct state_snapshot *state_snapshot_ref(struct state_snapshot *s);
void state_snapshot_unref(struct state_snapshot *s);

struct state_store {
	pthread_mutex_t lock;
	struct state_snapshot *cur; /* NULL until the first publish */
	time_t synced_at; /* when cur was last confirmed current */
	int stale; /* the source broke; cur is the last good one */
};

void state_store_init(struct state_store *st);
void state_store_release(struct state_store *st);
/* Takes the caller's reference to s; marks the store synced at `now`. */
void state_store_publish(struct state_store *st, struct state_snapshot *s, time_t now);
/* The source (a watch) broke: keep serving cur, but report it as stale. */
void state_store_mark_stale(struct state_store *st);
/* The source confirmed cur is current (an event or bookmark) at `now`. */
void state_store_touch(struct state_store *st, time_t now);
/* A reference to the current snapshot, or NULL before the first publish. */
struct state_snapshot *state_store_acquire(struct state_store *st);

struct state_status {
	int synced; /* a snapshot is there and not stale */
	int has_snapshot;
	time_t synced_at;
	size_t apps, projects;
};
void state_store_status(struct state_store *st, struct state_status *out);

#endif
