/*
 * kube_watch.h - Kubernetes watches: the event stream decoder, a single
 * watch request, an informer-style LIST+WATCH loop, and "wait until this
 * object satisfies a predicate".
 *
 * A struct kube_watch owns its own kube_client, made from the rest_config,
 * so it has its own connection: a command can watch with it and write with
 * its main client at the same time (from one thread, or one per thread).
 * Like kube_client it is not thread-safe.
 *
 * Semantics follow client-go's Reflector (see ../shared/docs/
 * rollouts-and-kubectl.md §2.7): LIST (paged) and hand the whole list to
 * the callback, WATCH from the list's resourceVersion with bookmarks,
 * remember the resourceVersion of every event, re-watch from it when the
 * server ends the stream, reconnect with backoff when the connection
 * drops, and LIST again ("resync") when the server says 410 Gone/Expired.
 *
 * Ownership: kube_watch_new() keeps a pointer to `rc`, which must outlive
 * the watch.  An event's object belongs to the watch and is freed after the
 * callback returns, unless the callback takes it by setting ev->object to
 * NULL (it then calls cJSON_Delete on it).  kube_watch_object()'s *last is
 * the caller's.
 */
#ifndef KUBE_WATCH_H
#define KUBE_WATCH_H

#include <signal.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "rest_config.h"
#include "strbuf.h"

struct errbuf;
struct kube_client;
struct kube_watch;

enum kube_event_type {
	KUBE_EVENT_ADDED,
	KUBE_EVENT_MODIFIED,
	KUBE_EVENT_DELETED, /* object = its last state */
	KUBE_EVENT_BOOKMARK, /* object has only metadata.resourceVersion */
	KUBE_EVENT_ERROR, /* object is a Status (kube_watch_once only) */
	KUBE_EVENT_LIST, /* object is the whole List (kube_watch_follow only) */
};

struct kube_event {
	enum kube_event_type type;
	cJSON *object; /* see Ownership above */
	/* KUBE_EVENT_LIST: 0 for the first list, 1 when it replaces everything
	 * known so far because the watch expired (the caller resets its state). */
	int resync;
};

/* A watch callback returns 0 to keep watching and non-zero to stop. */
typedef int kube_event_fn(struct kube_event *ev, void *data);

/*
 * The incremental decoder of a watch body: a stream of JSON objects
 * `{"type":...,"object":{...}}`, usually one per line, cut anywhere by the
 * network.  Fields are private; it lives wherever the caller likes.
 */
struct kube_event_decoder {
	struct strbuf buf;
	size_t scan, start, max_event;
	int depth, in_string, escaped;
};

/* max_event bounds one event's size (0 = 32 MiB). */
void kube_event_decoder_init(struct kube_event_decoder *d, size_t max_event);
void kube_event_decoder_release(struct kube_event_decoder *d);
/* Hands every event completed by these bytes to fn.  Returns 0, 1 when fn
 * asked to stop (later events in the bytes are dropped), or -1 on a
 * malformed or oversized event. */
int kube_event_decoder_feed(struct kube_event_decoder *d, const char *data, size_t len,
                            kube_event_fn *fn, void *fn_data, struct errbuf *err);
/* 1 when bytes of an unfinished event are buffered, else 0. */
int kube_event_decoder_pending(const struct kube_event_decoder *d);

/* Results of the watch functions. */
enum kube_watch_result {
	KUBE_WATCH_ERROR = -1, /* err filled */
	KUBE_WATCH_STOPPED = 0, /* the callback (or predicate) said stop */
	KUBE_WATCH_ENDED = 1, /* kube_watch_once: the server closed the stream */
	KUBE_WATCH_EXPIRED = 2, /* kube_watch_once: 410, resourceVersion too old */
	KUBE_WATCH_TIMED_OUT = 3, /* the deadline passed (commands exit 3) */
	KUBE_WATCH_INTERRUPTED = 4, /* the stop flag was raised */
};

struct kube_watch *kube_watch_new(const struct rest_config *rc, struct errbuf *err);
void kube_watch_free(struct kube_watch *kw);

/* The watch's own client: set verbosity, user agent, warning handler here.
 * Its deadline is the watch's to manage (from kube_watch_opts). */
struct kube_client *kube_watch_client(struct kube_watch *kw);
/* Raised (e.g. by a SIGINT handler), it ends any watch within about a second. */
void kube_watch_set_stop_flag(struct kube_watch *kw, volatile sig_atomic_t *stop);
/* The server-side timeoutSeconds of each watch request; 0 = random in
 * [300, 600) as client-go. */
void kube_watch_set_timeout_seconds(struct kube_watch *kw, long seconds);
/* Reconnection after failures: base_ms doubled per consecutive failure up to
 * max_ms, with jitter; give up after max_failures failures in a row without
 * any event (defaults 500 ms, 30 s, 10). */
void kube_watch_set_reconnect(struct kube_watch *kw, long base_ms, long max_ms, int max_failures);

struct kube_watch_opts {
	const char *label_selector;
	const char *field_selector;
	/* kube_watch_once only: where to start.  NULL or "" = now, with
	 * synthetic ADDED events for what exists; "0" = any; else exactly. */
	const char *resource_version;
	long long deadline_ms; /* kube_monotonic_ms() based; 0 = none */
};

/* The resourceVersion of the last event or list seen (NULL before any). */
const char *kube_watch_resource_version(const struct kube_watch *kw);

/*
 * One watch request on a collection path (`/api/v1/namespaces/ns/pods`):
 * every event, ERROR included, goes to fn.  Returns STOPPED, ENDED,
 * EXPIRED (after delivering a 410 ERROR event, or on an HTTP 410),
 * TIMED_OUT, INTERRUPTED, or ERROR (a non-410 ERROR event, a dropped
 * connection, or a failed request).  o may be NULL.
 */
int kube_watch_once(struct kube_watch *kw, const char *path, const struct kube_watch_opts *o,
                    kube_event_fn *fn, void *data, struct errbuf *err);

/*
 * The LIST+WATCH loop: fn first gets a KUBE_EVENT_LIST with the current
 * state, then ADDED/MODIFIED/DELETED/BOOKMARK events, and another LIST
 * (resync = 1) whenever the watch expired.  Runs until fn says stop
 * (STOPPED), the deadline (TIMED_OUT), the stop flag (INTERRUPTED), or an
 * error that retrying cannot fix: a 4xx other than 410/429, or too many
 * failures in a row (ERROR).  o->resource_version is ignored.
 */
int kube_watch_follow(struct kube_watch *kw, const char *path, const struct kube_watch_opts *o,
                      kube_event_fn *fn, void *data, struct errbuf *err);

/*
 * Follows the object `name` in the collection `path` (fieldSelector
 * metadata.name=NAME) until pred returns non-zero for it.  pred gets the
 * object's current state on every change, or NULL while it does not exist
 * (so a wait for deletion is a predicate true on NULL).  Returns STOPPED
 * when pred was satisfied, TIMED_OUT at deadline_ms (0 = none),
 * INTERRUPTED or ERROR.  When last is not NULL, *last receives a copy of
 * the last state seen (NULL if none), also on timeout, for the caller to
 * show and free.
 */
int kube_watch_object(struct kube_watch *kw, const char *path, const char *name,
                      long long deadline_ms, int (*pred)(const cJSON *obj, void *data), void *data,
                      cJSON **last, struct errbuf *err);

#endif
