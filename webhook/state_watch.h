/*
 * state_watch.h - keep the state store current by LIST+WATCH of
 * Applications and AppProjects in all namespaces (kube_watch.h).
 *
 * One thread per resource follows its collection.  The store gets its first
 * snapshot once both initial LISTs are in (so /readyz stays 503 until
 * then), and a new one after every change; objects are shared between
 * snapshots, so a publish costs pointers, not copies.  When a watch fails
 * beyond kube_watch's own retries, the store is marked stale (the last
 * state keeps serving; /metrics shows its age), and the thread starts over
 * with a fresh LIST after a pause.  Never used in the request path.
 *
 * Ownership: the watcher borrows `store` and `rc`, which must outlive
 * state_watch_stop(); `log` may be NULL.
 */
#ifndef WEBHOOK_STATE_WATCH_H
#define WEBHOOK_STATE_WATCH_H

#include <stdio.h>

struct errbuf;
struct rest_config;
struct state_store;
struct state_watch;

struct state_watch *state_watch_start(struct state_store *store, const struct rest_config *rc,
                                      FILE *log, struct errbuf *err);
/* Stops both threads (within about a second) and frees the watcher. */
void state_watch_stop(struct state_watch *w);

#endif
