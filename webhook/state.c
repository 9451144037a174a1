#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "xalloc.h"

struct entry {
	const char *ns, *name; /* the object's */
	struct state_obj *obj;
};

/* A slot of the index: an entry's key hash and 1 + its position, or 0. */
struct slot {
	uint32_t hash, pos;
};

/*
 * Sorted by (ns, name) for the listing order, and indexed by a hash table
 * for lookups, which every request makes: a bsearch among 20,000
 * Applications is some 30 strcmp calls, a probe usually one pair.  The
 * hashes are the objects' own (state_obj_hash), worked out once per
 * object, not once per snapshot.
 */
struct entries {
	struct entry *v;
	size_t nr, alloc;
	struct slot *index; /* built by seal; NULL before */
	size_t mask; /* index size - 1 */
};

struct state_snapshot {
	atomic_int refs;
	int sealed;
	struct entries apps, projects;
};

struct state_snapshot *state_snapshot_new(void)
{
	struct state_snapshot *s = xcalloc(1, sizeof(*s));

	atomic_init(&s->refs, 1);
	return s;
}

/* FNV-1a over ns, a NUL and name. */
uint32_t state_key_hash(const char *ns, const char *name)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)ns; *p; p++)
		h = (h ^ *p) * 16777619u;
	h *= 16777619u;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

int state_snapshot_add_obj(struct state_snapshot *s, struct state_obj *o)
{
	struct entries *e;

	if (state_obj_app(o))
		e = &s->apps;
	else if (state_obj_project(o))
		e = &s->projects;
	else
		return 0;
	/* Added after sealing: back to the (unsorted) bsearch, as before the index. */
	free(e->index);
	e->index = NULL;
	if (e->nr == e->alloc) {
		e->alloc = e->alloc ? 2 * e->alloc : 16;
		e->v = xrealloc(e->v, e->alloc * sizeof(*e->v));
	}
	e->v[e->nr].ns = state_obj_ns(o);
	e->v[e->nr].name = state_obj_name(o);
	e->v[e->nr].obj = state_obj_ref(o);
	e->nr++;
	return 1;
}

int state_snapshot_add(struct state_snapshot *s, cJSON *obj)
{
	struct state_obj *o = state_obj_new(obj);
	int kept = state_snapshot_add_obj(s, o);

	state_obj_unref(o);
	return kept;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);

	return c ? c : strcmp(x->name, y->name);
}

/* Stable sort, then keep the last of each run of equal keys. */
static void dedupe(struct entries *e)
{
	size_t out = 0;

	for (size_t i = 0; i < e->nr; i++) {
		if (i + 1 < e->nr && !entry_cmp(&e->v[i], &e->v[i + 1])) {
			state_obj_unref(e->v[i].obj);
			continue;
		}
		e->v[out++] = e->v[i];
	}
	e->nr = out;
}

/* qsort is not stable; sort (key, insertion order) by merge sort instead. */
static void merge_sort(struct entry *v, struct entry *tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	merge_sort(v, tmp, mid);
	merge_sort(v + mid, tmp, n - mid);
	while (i < mid && j < n)
		tmp[k++] = entry_cmp(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

static void sort_entries(struct entries *e)
{
	struct entry *tmp;

	if (e->nr < 2)
		return;
	tmp = xmalloc(e->nr * sizeof(*tmp));
	merge_sort(e->v, tmp, e->nr);
	free(tmp);
	dedupe(e);
}

/* Open addressing, linear probing, at most two thirds full; keys are
 * distinct once sorted and deduplicated. */
static void index_entries(struct entries *e)
{
	size_t size = 16;

	while (2 * size < 3 * e->nr)
		size *= 2;
	free(e->index);
	e->index = xcalloc(size, sizeof(*e->index));
	e->mask = size - 1;
	for (size_t i = 0; i < e->nr; i++) {
		uint32_t h = state_obj_hash(e->v[i].obj);
		size_t at = h & e->mask;

		while (e->index[at].pos)
			at = (at + 1) & e->mask;
		e->index[at].hash = h;
		e->index[at].pos = (uint32_t)(i + 1);
	}
}

void state_snapshot_seal(struct state_snapshot *s)
{
	sort_entries(&s->apps);
	sort_entries(&s->projects);
	index_entries(&s->apps);
	index_entries(&s->projects);
	s->sealed = 1;
}

static const struct state_obj *find(const struct entries *e, const char *ns, const char *name)
{
	struct entry key = { ns ? ns : "", name, NULL }, *hit;
	uint32_t h;

	if (!name || !e->nr)
		return NULL;
	if (!e->index) {
		hit = bsearch(&key, e->v, e->nr, sizeof(*e->v), entry_cmp);
		return hit ? hit->obj : NULL;
	}
	h = state_key_hash(key.ns, name);
	for (size_t at = h & e->mask; e->index[at].pos; at = (at + 1) & e->mask) {
		if (e->index[at].hash != h)
			continue;
		hit = &e->v[e->index[at].pos - 1];
		if (!strcmp(hit->name, name) && !strcmp(hit->ns, key.ns))
			return hit->obj;
	}
	return NULL;
}

const struct state_app *state_find_app(const struct state_snapshot *s, const char *ns,
                                       const char *name)
{
	return s ? state_obj_app(find(&s->apps, ns, name)) : NULL;
}

const struct state_project *state_find_project(const struct state_snapshot *s, const char *ns,
                                               const char *name)
{
	return s ? state_obj_project(find(&s->projects, ns, name)) : NULL;
}

size_t state_app_count(const struct state_snapshot *s)
{
	return s ? s->apps.nr : 0;
}

const struct state_app *state_app_at(const struct state_snapshot *s, size_t i)
{
	return s && i < s->apps.nr ? state_obj_app(s->apps.v[i].obj) : NULL;
}

size_t state_project_count(const struct state_snapshot *s)
{
	return s ? s->projects.nr : 0;
}

struct state_snapshot *state_snapshot_ref(struct state_snapshot *s)
{
	if (s)
		atomic_fetch_add(&s->refs, 1);
	return s;
}

static void free_entries(struct entries *e)
{
	for (size_t i = 0; i < e->nr; i++)
		state_obj_unref(e->v[i].obj);
	free(e->v);
	free(e->index);
}

void state_snapshot_unref(struct state_snapshot *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	free_entries(&s->apps);
	free_entries(&s->projects);
	free(s);
}

void state_store_init(struct state_store *st)
{
	memset(st, 0, sizeof(*st));
	pthread_mutex_init(&st->lock, NULL);
}

void state_store_release(struct state_store *st)
{
	state_snapshot_unref(st->cur);
	pthread_mutex_destroy(&st->lock);
	memset(st, 0, sizeof(*st));
}

void state_store_publish(struct state_store *st, struct state_snapshot *s, time_t now)
{
	struct state_snapshot *old;

	if (!s->sealed)
		state_snapshot_seal(s);
	pthread_mutex_lock(&st->lock);
	old = st->cur;
	st->cur = s;
	st->synced_at = now;
	st->stale = 0;
	pthread_mutex_unlock(&st->lock);
	state_snapshot_unref(old);
}

void state_store_mark_stale(struct state_store *st)
{
	pthread_mutex_lock(&st->lock);
	st->stale = 1;
	pthread_mutex_unlock(&st->lock);
}

void state_store_touch(struct state_store *st, time_t now)
{
	pthread_mutex_lock(&st->lock);
	if (st->cur) {
		st->synced_at = now;
		st->stale = 0;
	}
	pthread_mutex_unlock(&st->lock);
}

struct state_snapshot *state_store_acquire(struct state_store *st)
{
	struct state_snapshot *s;

	pthread_mutex_lock(&st->lock);
	s = state_snapshot_ref(st->cur);
	pthread_mutex_unlock(&st->lock);
	return s;
}

void state_store_status(struct state_store *st, struct state_status *out)
{
	pthread_mutex_lock(&st->lock);
	out->has_snapshot = st->cur != NULL;
	out->synced = st->cur && !st->stale;
	out->synced_at = st->synced_at;
	out->apps = state_app_count(st->cur);
	out->projects = state_project_count(st->cur);
	pthread_mutex_unlock(&st->lock);
}
