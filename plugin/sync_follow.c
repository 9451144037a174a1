/*
 * One watch on the Applications of the namespace serves every wait of a
 * sync: each event updates the cache (never with a state older than our
 * own write's response) and drives the plan.  The watch is re-opened for
 * the earliest --health-timeout; without permission to watch it polls.
 */
#include <string.h>

#include "app_cache.h"
#include "app_common.h"
#include "errbuf.h"
#include "kube_client.h"
#include "kube_watch.h"
#include "strbuf.h"
#include "sync_cmd.h"

static int on_event(struct kube_event *ev, void *data)
{
	struct sync_cmd *c = data;

	/* older than what we hold (our own write's response): dropped */
	if (app_cache_event(&c->cache, ev, 1) == 0)
		return 0;
	sync_drive(c);
	return c->async || sync_all_final(c->plan_.root);
}

static long long earliest_deadline(const struct sync_node *n, long long best)
{
	size_t i;

	for (i = 0; i < n->nchildren; i++) {
		const struct sync_node *k = n->children[i];

		if (k->state == SYNC_SETTLING && k->settle_deadline_ms &&
		    (!best || k->settle_deadline_ms < best))
			best = k->settle_deadline_ms;
		best = earliest_deadline(k, best);
	}
	return best;
}

/* Without a watch: list every second (only when watching is not allowed). */
static int poll_loop(struct sync_cmd *c, const char *path, struct errbuf *err)
{
	struct kube_event ev = { KUBE_EVENT_LIST, NULL, 0 };

	kube_client_set_stop_flag(c->kc, &sync_interrupted);
	for (;;) {
		cJSON *list = NULL;

		if (kube_list(c->kc, path, NULL, &list, err))
			return sync_interrupted ? KUBE_WATCH_INTERRUPTED : KUBE_WATCH_ERROR;
		ev.object = list;
		if (on_event(&ev, c)) {
			cJSON_Delete(list);
			return KUBE_WATCH_STOPPED;
		}
		cJSON_Delete(list);
		if (c->deadline_ms && kube_monotonic_ms() >= c->deadline_ms)
			return KUBE_WATCH_TIMED_OUT;
		if (kube_client_sleep(c->kc, 1000))
			return sync_interrupted ? KUBE_WATCH_INTERRUPTED : KUBE_WATCH_TIMED_OUT;
	}
}

int sync_follow(struct sync_cmd *c, struct errbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct kube_watch *kw = kube_watch_new(&c->rc, err);
	int r = KUBE_WATCH_ERROR;

	app_path(&path, c->ns, NULL);
	if (kw) {
		kube_watch_set_stop_flag(kw, &sync_interrupted);
		kube_client_set_user_agent(kube_watch_client(kw), "kubectl-gitops/" GITOPS_VERSION);
	}
	while (kw) {
		struct kube_watch_opts wo = { 0 };
		long long d = earliest_deadline(c->plan_.root, c->deadline_ms);

		wo.deadline_ms = d;
		r = kube_watch_follow(kw, path.buf, &wo, on_event, c, err);
		if (r == KUBE_WATCH_ERROR && (err->code == 403 || err->code == 405)) {
			r = poll_loop(c, path.buf, err);
			break;
		}
		if (r != KUBE_WATCH_TIMED_OUT ||
		    (c->deadline_ms && kube_monotonic_ms() >= c->deadline_ms))
			break;
		sync_drive(c); /* a --health-timeout passed */
		if (sync_all_final(c->plan_.root)) {
			r = KUBE_WATCH_STOPPED;
			break;
		}
	}
	kube_watch_free(kw);
	strbuf_release(&path);
	return r;
}
