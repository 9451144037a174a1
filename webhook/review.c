#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admission.h"
#include "arena.h"
#include "decision_log.h"
#include "errbuf.h"
#include "metrics.h"
#include "policy.h"
#include "review.h"
#include "state.h"
#include "xalloc.h"

/* Most AdmissionReviews and their trees fit; bigger ones get a one-off chunk. */
#define SCRATCH_CHUNK (64 * 1024)

struct review_scratch {
	pthread_mutex_t lock;
	unsigned long id; /* tells this scratch from one freed at the same address */
	struct arena **free; /* idle arenas */
	size_t nr, alloc;
	struct arena **all; /* every arena made, for review_scratch_free() */
	size_t nr_all, alloc_all;
};

static atomic_ulong scratch_ids;

/*
 * The arena a thread gave back last, kept for its next request: the server's
 * worker threads would otherwise pass the lock, and its cache line, back and
 * forth twice per request.  It stays on its scratch's `all` list.
 */
static _Thread_local struct {
	unsigned long id;
	struct arena *a;
} mine;

struct review_scratch *review_scratch_new(void)
{
	struct review_scratch *sc = xcalloc(1, sizeof(*sc));

	pthread_mutex_init(&sc->lock, NULL);
	sc->id = atomic_fetch_add(&scratch_ids, 1) + 1;
	return sc;
}

void review_scratch_free(struct review_scratch *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->nr_all; i++) {
		arena_release(sc->all[i]);
		free(sc->all[i]);
	}
	free(sc->all);
	free(sc->free);
	pthread_mutex_destroy(&sc->lock);
	free(sc);
}

static void push(struct arena ***v, size_t *nr, size_t *alloc, struct arena *a)
{
	if (*nr == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 8;
		*v = xrealloc(*v, *alloc * sizeof(**v));
	}
	(*v)[(*nr)++] = a;
}

static struct arena *scratch_take(struct review_scratch *sc)
{
	struct arena *a = NULL;

	if (sc && mine.id == sc->id && mine.a) {
		a = mine.a;
		mine.a = NULL;
		return a;
	}
	if (sc) {
		pthread_mutex_lock(&sc->lock);
		if (sc->nr)
			a = sc->free[--sc->nr];
		pthread_mutex_unlock(&sc->lock);
	}
	if (!a) {
		a = xmalloc(sizeof(*a));
		arena_init(a, SCRATCH_CHUNK);
		if (sc) {
			pthread_mutex_lock(&sc->lock);
			push(&sc->all, &sc->nr_all, &sc->alloc_all, a);
			pthread_mutex_unlock(&sc->lock);
		}
	}
	return a;
}

static void scratch_give(struct review_scratch *sc, struct arena *a)
{
	if (!sc) {
		arena_release(a);
		free(a);
		return;
	}
	arena_reset(a);
	if (mine.id != sc->id || !mine.a) {
		mine.id = sc->id;
		mine.a = a;
		return;
	}
	pthread_mutex_lock(&sc->lock);
	push(&sc->free, &sc->nr, &sc->alloc, a);
	pthread_mutex_unlock(&sc->lock);
}

static long long micros_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000000LL + (t1.tv_nsec - t0->tv_nsec) / 1000;
}

static struct state_snapshot *take_snapshot(const struct review_env *env)
{
	struct state_snapshot *s = NULL;

	if (env->store)
		s = state_store_acquire(env->store);
	else if (env->snapshot)
		s = state_snapshot_ref(env->snapshot);
	if (!s) {
		/* Not synced yet: judge against nothing rather than guess. */
		s = state_snapshot_new();
		state_snapshot_seal(s);
	}
	return s;
}

static void count(const struct review_env *env, const struct admission_request *req,
                  const struct policy_outcome *out, long long micros)
{
	struct metrics_review r = {
		.operation = req->operation,
		.kind = req->kind,
		.policy = out->policy,
		.decision = out->allowed ? "allow" : "deny",
		.mode = *out->policy ? policy_mode_name(out->mode) : "",
		.dry_run = req->dry_run,
		.seconds = micros / 1e6,
	};

	if (!env->metrics)
		return;
	metrics_observe_review(env->metrics, &r);
	for (int i = 0; i < out->nr_hits; i++)
		metrics_observe_violation(env->metrics, out->hits[i].policy,
		                          policy_mode_name(out->hits[i].mode), req->operation,
		                          req->kind, req->dry_run);
}

void review_decide(const struct review_env *env, const struct admission_request *req,
                   struct admission_response *resp)
{
	struct state_snapshot *snap = take_snapshot(env);
	struct policy_outcome out;
	struct policy_input in;
	struct timespec t0;
	long long micros;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	policy_outcome_init(&out);
	policy_input_init(&in, req, env->cfg, snap, env->now ? env->now : time(NULL));
	policy_evaluate(&in, resp, &out);
	micros = micros_since(&t0);
	decision_log_write(env->log, req, &out, micros);
	count(env, req, &out, micros);
	policy_outcome_release(&out);
	state_snapshot_unref(snap);
}

void review_status_body(struct strbuf *out, int code, const char *reason, const char *msg)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(o, "kind", "Status");
	cJSON_AddStringToObject(o, "status", "Failure");
	cJSON_AddStringToObject(o, "message", msg);
	cJSON_AddStringToObject(o, "reason", reason);
	cJSON_AddNumberToObject(o, "code", code);
	s = cJSON_PrintUnformatted(o);
	if (s)
		strbuf_addstr(out, s);
	strbuf_addch(out, '\n');
	free(s);
	cJSON_Delete(o);
}

static int judge(const struct review_env *env, struct arena *a, char *body, size_t len,
                 struct strbuf *out)
{
	struct admission_request req;
	struct admission_response resp;
	struct errbuf err;

	errbuf_clear(&err);
	if (admission_request_parse_in(&req, body, len, a, &err)) {
		decision_log_error(env->log, "rejected malformed AdmissionReview", err.msg, 400,
		                   "POST", NULL);
		review_status_body(out, 400, "BadRequest", err.msg);
		return 400;
	}
	admission_response_init(&resp);
	review_decide(env, &req, &resp);
	admission_response_render_to(out, req.uid, &resp);
	strbuf_addch(out, '\n');
	admission_response_release(&resp);
	admission_request_release(&req);
	return 200;
}

int review_http(const struct review_env *env, const char *body, size_t len, struct strbuf *out)
{
	struct arena *a = scratch_take(env->scratch);
	int code = judge(env, a, arena_strndup(a, body, len), len, out);

	scratch_give(env->scratch, a);
	return code;
}

int review_http_in_place(const struct review_env *env, char *body, size_t len, struct strbuf *out)
{
	struct arena *a = scratch_take(env->scratch);
	int code = judge(env, a, body, len, out);

	scratch_give(env->scratch, a);
	return code;
}
