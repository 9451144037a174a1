#include "sync_plan.h"

#include <stdlib.h>
#include <string.h>

#include "app_common.h"
#include "glob.h"
#include "json_util.h"
#include "strbuf.h"
#include "xalloc.h"

static const char *const state_names[] = {
	[SYNC_PENDING] = "Pending",        [SYNC_WAITING_OP] = "Waiting",
	[SYNC_RUNNING] = "Syncing",        [SYNC_CHILDREN] = "Children",
	[SYNC_SETTLING] = "Settling",      [SYNC_SUCCEEDED] = "Succeeded",
	[SYNC_SKIPPED] = "Skipped",        [SYNC_FAILED] = "Failed",
	[SYNC_REFUSED] = "Refused",        [SYNC_TIMED_OUT] = "TimedOut",
	[SYNC_NOT_STARTED] = "NotStarted",
};

const char *sync_state_name(enum sync_state s)
{
	return state_names[s];
}

int sync_state_final(enum sync_state s)
{
	return s >= SYNC_SUCCEEDED;
}

int sync_state_ok(enum sync_state s)
{
	return s == SYNC_SUCCEEDED || s == SYNC_SKIPPED;
}

static int any_glob(const struct strlist *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (glob_match(l->items[i], name, NULL))
			return 1;
	return 0;
}

int sync_select_child(const struct sync_select *sel, const char *ns, const char *name)
{
	struct strbuf key = STRBUF_INIT;
	int ok = 1;

	if (!sel)
		return 1;
	if (sel->apps.n && !any_glob(&sel->apps, name))
		ok = 0;
	if (ok && any_glob(&sel->exclude, name))
		ok = 0;
	if (ok && sel->labelled) {
		strbuf_addf(&key, "%s/%s", ns, name);
		ok = json_get_key(sel->labelled, key.buf) != NULL;
	}
	strbuf_release(&key);
	return ok;
}

static struct sync_node *node_new(const char *ns, const char *name, int wave, struct sync_node *parent)
{
	struct sync_node *n = xcalloc(1, sizeof(*n));

	n->ns = xstrdup(ns);
	n->name = xstrdup(name);
	n->wave = wave;
	n->parent = parent;
	n->depth = parent ? parent->depth + 1 : -1;
	if (parent) {
		parent->children = xrealloc(parent->children,
		                            (parent->nchildren + 1) * sizeof(*parent->children));
		parent->children[parent->nchildren++] = n;
	}
	return n;
}

static void node_free(struct sync_node *n)
{
	size_t i;

	for (i = 0; i < n->nchildren; i++)
		node_free(n->children[i]);
	free(n->children);
	free(n->ns);
	free(n->name);
	free(n->message);
	free(n);
}

void sync_plan_init(struct sync_plan *p)
{
	p->root = node_new("", "", 0, NULL);
	p->root->children_known = 1;
	p->seen = cJSON_CreateObject();
}

void sync_plan_release(struct sync_plan *p)
{
	if (p->root)
		node_free(p->root);
	cJSON_Delete(p->seen);
	p->root = NULL;
	p->seen = NULL;
}

/* 1 the first time ns/name is seen in this plan. */
static int first_visit(struct sync_plan *p, const char *ns, const char *name)
{
	struct strbuf key = STRBUF_INIT;
	int first;

	strbuf_addf(&key, "%s/%s", ns, name);
	first = !json_get_key(p->seen, key.buf);
	if (first)
		cJSON_AddTrueToObject(p->seen, key.buf);
	strbuf_release(&key);
	return first;
}

struct sync_node *sync_plan_add_root(struct sync_plan *p, const char *ns, const char *name)
{
	if (!first_visit(p, ns, name))
		return NULL;
	return node_new(ns, name, 0, p->root);
}

static int by_wave_then_name(const void *a, const void *b)
{
	const struct sync_node *x = *(struct sync_node *const *)a;
	const struct sync_node *y = *(struct sync_node *const *)b;
	int c;

	if (x->wave != y->wave)
		return x->wave < y->wave ? -1 : 1;
	c = strcmp(x->ns, y->ns);
	return c ? c : strcmp(x->name, y->name);
}

void sync_plan_discover(struct sync_plan *p, struct sync_node *n, const cJSON *app,
                        const char *default_ns, const struct sync_select *sel,
                        sync_lookup_fn *lookup, void *data)
{
	const cJSON *r;

	n->children_known = 1;
	cJSON_ArrayForEach (r, json_get(app, "status.resources")) {
		const char *ns = json_str(r, "namespace", ""), *name = json_str(r, "name", "");
		const cJSON *child;
		int wave;

		if (strcmp(json_str(r, "group", ""), "argoproj.io") ||
		    strcmp(json_str(r, "kind", ""), "Application") || !*name)
			continue;
		if (!*ns)
			ns = default_ns;
		if (!sync_select_child(sel, ns, name) || !first_visit(p, ns, name))
			continue;
		child = lookup ? lookup(ns, name, data) : NULL;
		wave = child ? app_wave(child) : (int)json_int(r, "syncWave", 0);
		node_new(ns, name, wave, n);
	}
	if (n->nchildren > 1)
		qsort(n->children, n->nchildren, sizeof(*n->children), by_wave_then_name);
}

void sync_plan_current_wave(const struct sync_node *n, size_t *first, size_t *count, int *failed)
{
	size_t i = 0, j;

	*failed = 0;
	*first = *count = 0;
	while (i < n->nchildren) {
		int wave = n->children[i]->wave, done = 1;

		for (j = i; j < n->nchildren && n->children[j]->wave == wave; j++) {
			if (!sync_state_final(n->children[j]->state))
				done = 0;
			else if (!sync_state_ok(n->children[j]->state))
				*failed = 1;
		}
		if (!done) {
			*first = i;
			*count = j - i;
			return;
		}
		if (*failed)
			return;
		i = j;
	}
}

void sync_plan_walk(struct sync_node *n, void (*fn)(struct sync_node *n, void *data), void *data)
{
	size_t i;

	for (i = 0; i < n->nchildren; i++) {
		fn(n->children[i], data);
		sync_plan_walk(n->children[i], fn, data);
	}
}
