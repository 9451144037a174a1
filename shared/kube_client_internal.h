/*
 * kube_client_internal.h - what the kube_client.h implementation files
 * share; not for use outside them.
 *
 *   kube_client.c          the handle, settings, clock and sleep
 *   kube_client_auth.c     TLS setup and the request headers (credentials)
 *   kube_client_log.c      the -v request log
 *   kube_client_request.c  one request: transfer, retries, errors
 *   kube_client_verbs.c    get/list/create/update/patch/delete (public API only)
 *
 * Ownership: struct kube_client owns every pointer in it except rc (the
 * caller's) and stop (the caller's flag); file_token is wiped when freed.
 * A struct xfer borrows kc and body and owns its two strbufs.
 */
#ifndef KUBE_CLIENT_INTERNAL_H
#define KUBE_CLIENT_INTERNAL_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "kube_client.h"
#include "strbuf.h"

struct errbuf;

struct kube_client {
	const struct rest_config *rc;
	CURL *h;
	char curl_err[CURL_ERROR_SIZE];

	char *base_url; /* scheme://host:port/prefix, host = SNI name if any */
	char *authority; /* host[:port] as the server URL wrote it */
	char *host_header; /* "Host: authority" when tls_server_name, else NULL */
	struct curl_slist *connect_to;
	int https;

	int verbosity;
	FILE *log;
	int max_retries;
	long backoff_base_ms, backoff_max_ms;
	size_t max_body;
	char *user_agent;
	unsigned long requests;
	uint64_t rng;
	void (*warn_fn)(const char *text, void *data);
	void *warn_data;
	volatile sig_atomic_t *stop;
	long long deadline_ms;

	/* token_file cache */
	char *file_token;
	long long file_read_ms;
	struct stat file_st;

	char *exec_cert; /* the exec client cert last installed, to spot rotation */
};

/* State of one transfer, seen by the libcurl callbacks. */
struct xfer {
	struct kube_client *kc;
	struct strbuf *body;
	size_t cap;
	int too_big;
	int (*fn)(const char *data, size_t len, void *arg);
	void *arg;
	int fn_stopped;
	long retry_after_s; /* -1 when the response had none */
	struct strbuf warnings;
	struct strbuf headers; /* response headers, for -v 7 */
};

/* --- kube_client.c --- */

/* Whether the caller's stop flag is raised. */
int kube_client_stopped(const struct kube_client *kc);
/* The wait before retry number attempt+1: the backoff doubled per attempt
 * up to its maximum, with jitter. */
long kube_client_backoff_ms(struct kube_client *kc, int attempt);

/* --- kube_client_auth.c --- */

/* Sets peer verification, the CA and the client certificate on kc->h. */
void kube_client_setup_tls(struct kube_client *kc);
/* The headers of one request, credentials included; *used_exec is set when
 * the exec plugin supplied them, *failed (with err) when it could not.
 * Free the list with kube_client_free_headers(), which wipes it. */
struct curl_slist *kube_client_build_headers(struct kube_client *kc, const char *content_type,
                                             int *used_exec, struct errbuf *err, int *failed);
void kube_client_free_headers(struct curl_slist *l);
/* Zeroes the string s, then frees it (NULL is fine). */
void kube_wipe_free(char *s);

/* --- kube_client_log.c --- */

void kube_client_log_request(const struct kube_client *kc, const char *method, const char *url,
                             const struct curl_slist *hdrs, const char *body, size_t len);
void kube_client_log_response(const struct kube_client *kc, const char *method, const char *url,
                              long status, long long ms, const struct xfer *x);

/* --- kube_client_request.c --- */

/* "Not Found" for 404; "" for a code it does not know. */
const char *kube_status_text(long code);
/* The libcurl callbacks kube_client_new() installs; their data is a struct xfer. */
size_t kube_client_write_cb(char *data, size_t size, size_t n, void *p);
size_t kube_client_header_cb(char *data, size_t size, size_t n, void *p);
int kube_client_progress_cb(void *p, curl_off_t dlt, curl_off_t dln, curl_off_t ult, curl_off_t uln);

#endif
