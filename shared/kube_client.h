/*
 * kube_client.h - a REST client for the Kubernetes API over libcurl.
 *
 * One struct kube_client holds one libcurl handle (connection reuse,
 * keep-alive) and the credentials of a rest_config; it is not thread-safe:
 * use one per thread.  Requests send and accept JSON.  A non-2xx answer
 * becomes -1 with err->code = HTTP status, err->reason = the Status reason
 * and err->msg = the Status message exactly as the server wrote it
 * (`applications.argoproj.io "x" not found`), so callers print it the way
 * kubectl does.  A body that is not a Status gives `the server returned
 * HTTP 502: <its first line>` and the reason that goes with the code.
 * Connection failures give code 0 and kubectl's wording (`The connection to
 * the server HOST was refused - did you specify the right host or port?`,
 * `Unable to connect to the server: ...`).
 *
 * Credentials (token, token file, basic auth, client certificate, exec
 * plugin) are sent only when the server is https, as client-go does.  The
 * token file is re-read when it changes and at least once a minute, and its
 * content wins over the static token.  The exec plugin is used only when no
 * other credential is configured; after a 401 with its credentials the
 * plugin is re-run once and the request retried once.
 *
 * Retries, at most `max_retries` (default 5) times:
 *  - 429 for any method (the server refused before acting), sleeping
 *    Retry-After seconds capped at 10, or the backoff when absent;
 *  - 5xx and dropped connections (reset, empty reply) for GET and HEAD
 *    only, with exponential backoff and jitter (Retry-After, when sent,
 *    is honoured the same way).  A refused connection, a failed TLS
 *    handshake or a timeout is not retried: it would fail again the same
 *    way, and kubectl answers at once too.
 * The per-request timeout (rc->request_timeout_ms) bounds each attempt and
 * is also sent as `?timeout=` as client-go does.
 *
 * Ownership: kube_client_new() keeps a pointer to `rc`, which must outlive
 * the client.  Every cJSON ** result is owned by the caller (cJSON_Delete);
 * passing NULL for it discards the body.  libcurl's global state is set up
 * on the first kube_client_new() and torn down at exit.
 */
#ifndef KUBE_CLIENT_H
#define KUBE_CLIENT_H

#include <signal.h>
#include <stdio.h>
#include <cjson/cJSON.h>

#include "rest_config.h"
#include "strbuf.h"

struct errbuf;
struct kube_client;

struct kube_client *kube_client_new(const struct rest_config *rc, struct errbuf *err);
void kube_client_free(struct kube_client *kc);

/*
 * kubectl's -v: 6 logs method, URL, status and latency
 * (`GET https://h/api/v1/pods 200 OK in 3 milliseconds`); 7 adds request
 * and response headers; 8 adds bodies (truncated to 4 KiB); 9 untruncated,
 * plus a curl command line.  Authorization headers are always shown as
 * `Bearer <masked>`/`Basic <masked>`; no credential is ever logged.  Log
 * goes to `log` (stderr when NULL).
 */
void kube_client_set_verbosity(struct kube_client *kc, int level, FILE *log);
void kube_client_set_max_retries(struct kube_client *kc, int n);
/* Backoff between retries: base_ms doubled per attempt up to max_ms, with
 * jitter (default 250 ms .. 5 s). */
void kube_client_set_backoff(struct kube_client *kc, long base_ms, long max_ms);
/* Largest response body accepted (default 256 MiB); beyond it the request
 * fails instead of growing without bound. */
void kube_client_set_max_body(struct kube_client *kc, size_t bytes);
/* The User-Agent, e.g. "kubectl-gitops/v0.1.0". */
void kube_client_set_user_agent(struct kube_client *kc, const char *ua);
/* How many HTTP requests this client has sent (for benchmarks and tests). */
unsigned long kube_client_request_count(const struct kube_client *kc);

/*
 * Server warnings (`Warning: 299 - "..."` headers): fn is called once per
 * warning of every successful or failed response, with the text only.
 * kubectl prints them as `Warning: <text>` on stderr; shared/ does not.
 */
void kube_client_set_warning_handler(struct kube_client *kc,
                                     void (*fn)(const char *text, void *data), void *data);

/*
 * Interruption: when *stop becomes non-zero (e.g. from a SIGINT handler)
 * the transfer in progress is aborted within about a second and no retry
 * starts; the request fails with "interrupted".  A deadline (monotonic
 * milliseconds, see kube_monotonic_ms(); 0 = none) bounds every request
 * and retry sleep the same way.  Both stay in force until changed.
 */
void kube_client_set_stop_flag(struct kube_client *kc, volatile sig_atomic_t *stop);
void kube_client_set_deadline(struct kube_client *kc, long long deadline_ms);
/* CLOCK_MONOTONIC in milliseconds, the clock deadlines are measured on. */
long long kube_monotonic_ms(void);
/* Sleeps ms unless the stop flag or the deadline comes first; 0 when the
 * full time was slept, -1 otherwise (returning at once if the deadline
 * would pass during the sleep). */
int kube_client_sleep(struct kube_client *kc, long ms);

/* Path builder: appends /api/v1/... for group "" (or NULL) and
 * /apis/G/V/... otherwise; ns and name are URL-encoded.
 * ns NULL = cluster scope or all namespaces; name and subresource optional. */
void kube_path(struct strbuf *sb, const char *group, const char *version, const char *resource,
               const char *ns, const char *name, const char *subresource);

/* Appends `?key=value` or `&key=value` to a path, URL-encoding value. */
void kube_path_add_query(struct strbuf *sb, const char *key, const char *value);

/*
 * Raw request; path may contain a query.  body may be NULL (then
 * content_type is ignored).  resp is always initialised, also on failure,
 * and holds the last response received (status 0 when none came); the
 * caller releases it with kube_response_release().
 */
struct kube_response {
	long status;
	struct strbuf body;
	char *warnings; /* Warning: texts joined by '\n', or NULL */
};
void kube_response_release(struct kube_response *r);
int kube_request(struct kube_client *kc, const char *method, const char *path,
                 const char *content_type, const char *body, size_t body_len,
                 struct kube_response *resp, struct errbuf *err);

/*
 * Streaming GET, for watches: the body is handed to fn piece by piece as it
 * arrives; fn returns non-zero to end the transfer.  No retries; timeout_ms
 * (0 = none) bounds the whole stream instead of rc->request_timeout_ms.
 * Returns 0 when the server ended a 2xx response, 1 when fn stopped it, and
 * -1 on failure: a non-2xx answer (err as for kube_request), a connection
 * that broke mid-stream, the stop flag or the deadline.
 */
int kube_stream(struct kube_client *kc, const char *path, long timeout_ms,
                int (*fn)(const char *data, size_t len, void *arg), void *arg, struct errbuf *err);

int kube_get(struct kube_client *kc, const char *path, cJSON **out, struct errbuf *err);

struct kube_list_opts {
	const char *label_selector;
	const char *field_selector;
	long limit; /* page size; 0 = 500 as kubectl, < 0 = unpaged */
};

/* LIST following `continue` until done; *out is a List whose items hold
 * every page and whose metadata.resourceVersion is the first page's.  When
 * a continue token has expired (410) the list restarts once from scratch.
 * o may be NULL. */
int kube_list(struct kube_client *kc, const char *path, const struct kube_list_opts *o, cJSON **out,
              struct errbuf *err);

struct kube_write_opts {
	int dry_run; /* dryRun=All */
	const char *field_manager;
	int force; /* apply only */
};

enum kube_patch_type {
	KUBE_PATCH_MERGE, /* application/merge-patch+json */
	KUBE_PATCH_JSON, /* application/json-patch+json */
	KUBE_PATCH_STRATEGIC, /* application/strategic-merge-patch+json */
	KUBE_PATCH_APPLY, /* application/apply-patch+yaml (needs field_manager) */
};

/* The write options may be NULL. */
int kube_create(struct kube_client *kc, const char *collection_path, const cJSON *obj,
                const struct kube_write_opts *o, cJSON **out, struct errbuf *err);
int kube_update(struct kube_client *kc, const char *path, const cJSON *obj,
                const struct kube_write_opts *o, cJSON **out, struct errbuf *err);
int kube_patch(struct kube_client *kc, const char *path, enum kube_patch_type type,
               const char *body, const struct kube_write_opts *o, cJSON **out, struct errbuf *err);

struct kube_delete_opts {
	const char *propagation_policy; /* Foreground, Background, Orphan, or NULL */
	const char *precondition_uid;
	const char *precondition_resource_version;
	int dry_run;
};
/* Sends a DeleteOptions body built from o (which may be NULL). */
int kube_delete(struct kube_client *kc, const char *path, const struct kube_delete_opts *o,
                cJSON **out, struct errbuf *err);

#endif
