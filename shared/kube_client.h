/*
 * kube_client.h - a REST client for the Kubernetes API over libcurl.
 *
 * One struct kube_client holds one libcurl handle (connection reuse,
 * keep-alive) and the credentials of a rest_config; it is not thread-safe:
 * use one per thread.  Requests send and accept JSON.  A non-2xx answer
 * becomes -1 with err->code = HTTP status, err->reason = the Status reason
 * and err->msg = the Status message exactly as the server wrote it
 * (`applications.argoproj.io "x" not found`), so callers print it the way
 * kubectl does.  Connection failures give code 0 and kubectl's wording.
 *
 * Retries: 429 (sleeping Retry-After, capped), and 5xx or connection
 * failures for idempotent requests only (GET, LIST, PUT with a
 * resourceVersion is NOT retried blindly - only GET/HEAD), with exponential
 * backoff, at most `max_retries` times.
 *
 * Ownership: kube_client_new() keeps a pointer to `rc`, which must outlive
 * the client.  Every cJSON ** result is owned by the caller (cJSON_Delete).
 */
#ifndef KUBE_CLIENT_H
#define KUBE_CLIENT_H

#include <stdio.h>
#include <cjson/cJSON.h>

#include "rest_config.h"
#include "strbuf.h"

struct errbuf;
struct kube_client;

struct kube_client *kube_client_new(const struct rest_config *rc, struct errbuf *err);
void kube_client_free(struct kube_client *kc);

/*
 * kubectl's -v: 6 logs method, URL, status and latency; 7 adds request
 * headers; 8 adds bodies (truncated); 9 untruncated.  Authorization and
 * other credential headers are always shown as <masked>.  Log goes to `log`
 * (stderr when NULL).
 */
void kube_client_set_verbosity(struct kube_client *kc, int level, FILE *log);
void kube_client_set_max_retries(struct kube_client *kc, int n);
/* The User-Agent, e.g. "kubectl-gitops/v0.1.0". */
void kube_client_set_user_agent(struct kube_client *kc, const char *ua);
/* How many HTTP requests this client has sent (for benchmarks and tests). */
unsigned long kube_client_request_count(const struct kube_client *kc);

/* Path builder: /api/v1/... for group "" and /apis/G/V/... otherwise.
 * ns NULL = cluster scope or all namespaces; name and subresource optional. */
void kube_path(struct strbuf *sb, const char *group, const char *version,
	       const char *resource, const char *ns, const char *name,
	       const char *subresource);

/* Raw request; path may contain a query.  body may be NULL. */
struct kube_response {
	long status;
	struct strbuf body;
	char *warnings;                 /* Warning: headers joined by '\n', or NULL */
};
void kube_response_release(struct kube_response *r);
int kube_request(struct kube_client *kc, const char *method, const char *path,
		 const char *content_type, const char *body, size_t body_len,
		 struct kube_response *resp, struct errbuf *err);

int kube_get(struct kube_client *kc, const char *path, cJSON **out, struct errbuf *err);

struct kube_list_opts {
	const char *label_selector;
	const char *field_selector;
	long limit;                     /* page size; 0 = 500 as kubectl */
};

/* LIST following `continue` until done; *out is a List whose items hold
 * every page and whose metadata.resourceVersion is the first page's. */
int kube_list(struct kube_client *kc, const char *path, const struct kube_list_opts *o,
	      cJSON **out, struct errbuf *err);

struct kube_write_opts {
	int dry_run;                    /* dryRun=All */
	const char *field_manager;
	int force;                      /* apply only */
};

enum kube_patch_type {
	KUBE_PATCH_MERGE,               /* application/merge-patch+json */
	KUBE_PATCH_JSON,                /* application/json-patch+json */
	KUBE_PATCH_STRATEGIC,           /* application/strategic-merge-patch+json */
	KUBE_PATCH_APPLY,               /* application/apply-patch+yaml (needs field_manager) */
};

int kube_create(struct kube_client *kc, const char *collection_path, const cJSON *obj,
		const struct kube_write_opts *o, cJSON **out, struct errbuf *err);
int kube_update(struct kube_client *kc, const char *path, const cJSON *obj,
		const struct kube_write_opts *o, cJSON **out, struct errbuf *err);
int kube_patch(struct kube_client *kc, const char *path, enum kube_patch_type type,
	       const char *body, const struct kube_write_opts *o, cJSON **out,
	       struct errbuf *err);

struct kube_delete_opts {
	const char *propagation_policy; /* Foreground, Background, Orphan, or NULL */
	const char *precondition_uid;
	const char *precondition_resource_version;
	int dry_run;
};
int kube_delete(struct kube_client *kc, const char *path, const struct kube_delete_opts *o,
		cJSON **out, struct errbuf *err);

#endif
