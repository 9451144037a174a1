/*
 * kube_client_request.c - sending one request: the libcurl transfer, its
 * retries, the exec plugin's second chance after a 401, and
 * turning a failed answer into kubectl's error (kube_request, kube_stream).
 */
#include "kube_client.h"
#include "kube_client_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "duration.h"
#include "errbuf.h"
#include "exec_credential.h"
#include "xalloc.h"

#define ERROR_BODY_MAX ((size_t)1 << 20) /* non-2xx bodies while streaming */
#define RETRY_AFTER_CAP_MS 10000

/* What one attempt produced. */
struct outcome {
	long status; /* 0 when no response arrived */
	int retryable; /* transport failure worth retrying for GET */
};

/* HTTP status texts, and the Status reason apimachinery gives a bare HTTP
 * code (errors.FromObject's fallback); "" where there is none. */
static const struct http_status {
	long code;
	const char *text, *reason;
} http_statuses[] = {
	{ 200, "OK", "" },
	{ 201, "Created", "" },
	{ 202, "Accepted", "" },
	{ 204, "No Content", "" },
	{ 400, "Bad Request", "BadRequest" },
	{ 401, "Unauthorized", "Unauthorized" },
	{ 403, "Forbidden", "Forbidden" },
	{ 404, "Not Found", "NotFound" },
	{ 405, "Method Not Allowed", "MethodNotAllowed" },
	{ 406, "Not Acceptable", "NotAcceptable" },
	{ 409, "Conflict", "Conflict" },
	{ 410, "Gone", "Gone" },
	{ 413, "Request Entity Too Large", "RequestEntityTooLarge" },
	{ 415, "Unsupported Media Type", "UnsupportedMediaType" },
	{ 422, "Unprocessable Entity", "Invalid" },
	{ 429, "Too Many Requests", "TooManyRequests" },
	{ 500, "Internal Server Error", "InternalError" },
	{ 502, "Bad Gateway", "" },
	{ 503, "Service Unavailable", "ServiceUnavailable" },
	{ 504, "Gateway Timeout", "Timeout" },
};

static const struct http_status *http_status(long code)
{
	size_t i;

	for (i = 0; i < sizeof(http_statuses) / sizeof(http_statuses[0]); i++)
		if (http_statuses[i].code == code)
			return &http_statuses[i];
	return NULL;
}

const char *kube_status_text(long code)
{
	const struct http_status *s = http_status(code);

	return s ? s->text : "";
}

static const char *status_reason(long code)
{
	const struct http_status *s = http_status(code);

	return s ? s->reason : "";
}

/* ---- libcurl callbacks ---- */

size_t kube_client_write_cb(char *data, size_t size, size_t n, void *p)
{
	struct xfer *x = p;
	size_t len = size * n;
	long code = 0;

	if (x->fn) {
		curl_easy_getinfo(x->kc->h, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 200 && code < 300) {
			if (x->fn(data, len, x->arg)) {
				x->fn_stopped = 1;
				return 0;
			}
			return len;
		}
	}
	if (x->body->len + len > x->cap) {
		x->too_big = 1;
		return 0;
	}
	strbuf_add(x->body, data, len);
	return len;
}

/* The text of `Warning: 299 - "text"`, or the whole value when it is not in that form. */
static void add_warning(struct strbuf *sb, const char *v)
{
	const char *q = strchr(v, '"'), *end;

	if (sb->len)
		strbuf_addch(sb, '\n');
	if (q && (end = strrchr(q + 1, '"')) && end > q) {
		for (q++; q < end; q++) {
			if (*q == '\\' && q + 1 < end)
				q++;
			strbuf_addch(sb, *q);
		}
	} else {
		strbuf_addstr(sb, v);
	}
}

size_t kube_client_header_cb(char *data, size_t size, size_t n, void *p)
{
	struct xfer *x = p;
	size_t len = size * n;
	char *line, *v;

	while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	line = xstrndup(data, len);
	if (!strncmp(line, "HTTP/", 5)) {
		/* A new response (after 100 Continue, say): forget the previous one. */
		x->retry_after_s = -1;
		strbuf_reset(&x->warnings);
		strbuf_reset(&x->headers);
	} else if ((v = strchr(line, ':'))) {
		*v++ = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		if (!strcasecmp(line, "Retry-After")) {
			char *end;
			long s = strtol(v, &end, 10);

			if (end != v && !*end && s >= 0)
				x->retry_after_s = s;
		} else if (!strcasecmp(line, "Warning")) {
			add_warning(&x->warnings, v);
		}
		if (x->kc->verbosity >= 7)
			strbuf_addf(&x->headers, "    %s: %s\n", line, v);
	}
	free(line);
	return size * n;
}

int kube_client_progress_cb(void *p, curl_off_t dlt, curl_off_t dln, curl_off_t ult, curl_off_t uln)
{
	struct xfer *x = p;

	return kube_client_stopped(x->kc);
}

/* ---- one attempt ---- */

static void set_method(CURL *h, const char *method, const char *body, size_t len)
{
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
	if (body) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		if (strcmp(method, "POST"))
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	} else if (!strcmp(method, "HEAD")) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		if (strcmp(method, "GET"))
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}
}

static int transport_error(struct kube_client *kc, CURLcode rc, const struct xfer *x,
                           long timeout_ms, struct outcome *o, struct errbuf *err)
{
	long oserr = 0;
	const char *detail = kc->curl_err[0] ? kc->curl_err : curl_easy_strerror(rc);

	curl_easy_getinfo(kc->h, CURLINFO_OS_ERRNO, &oserr);
	switch (rc) {
	case CURLE_ABORTED_BY_CALLBACK:
		return errbuf_set(err, "interrupted");
	case CURLE_WRITE_ERROR:
		if (x->too_big)
			return errbuf_set(
				err, "the server's response is larger than the limit of %zu bytes",
				x->cap);
		break;
	case CURLE_COULDNT_CONNECT:
		if (oserr == ECONNREFUSED)
			return errbuf_set(
				err, "The connection to the server %s was refused - did you specify the right host or port?",
				kc->authority);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		if (kc->deadline_ms && kube_monotonic_ms() >= kc->deadline_ms)
			return errbuf_set(err, "timed out waiting for the server");
		return errbuf_set(
			err, "Unable to connect to the server: the request timed out after %ld milliseconds",
			timeout_ms);
	case CURLE_PEER_FAILED_VERIFICATION:
		return errbuf_set(
			err, "Unable to connect to the server: tls: failed to verify certificate: %s",
			detail);
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		o->retryable = 1;
		break;
	default:
		break;
	}
	return errbuf_set(err, "Unable to connect to the server: %s", detail);
}

/*
 * One HTTP exchange.  Returns 0 when a response arrived (o->status set,
 * whatever the status), -1 when none did (err filled).
 */
static int perform(struct kube_client *kc, const char *method, const char *url,
                   struct curl_slist *hdrs, const char *body, size_t len, long timeout_ms,
                   struct xfer *x, struct outcome *o, struct errbuf *err)
{
	long long start, ms;
	CURLcode rc;
	long status = 0;

	o->status = 0;
	o->retryable = 0;
	if (kube_client_stopped(kc))
		return errbuf_set(err, "interrupted");
	if (kc->deadline_ms) {
		long long left = kc->deadline_ms - kube_monotonic_ms();

		if (left <= 0)
			return errbuf_set(err, "timed out waiting for the server");
		if (!timeout_ms || left < timeout_ms)
			timeout_ms = (long)left;
	}
	curl_easy_setopt(kc->h, CURLOPT_URL, url);
	curl_easy_setopt(kc->h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(kc->h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(kc->h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(kc->h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(kc->h, CURLOPT_XFERINFODATA, x);
	set_method(kc->h, method, body, len);
	/*
	 * libcurl silently resends a request when a reused connection dies
	 * before the first byte of the answer, even if the server got it.  Only
	 * GET and HEAD may be sent twice, so anything else gets a connection of
	 * its own.
	 */
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		curl_easy_setopt(kc->h, CURLOPT_FRESH_CONNECT, 1L);
	if (kc->verbosity >= 7)
		kube_client_log_request(kc, method, url, hdrs, body, len);

	kc->curl_err[0] = '\0';
	x->retry_after_s = -1;
	start = kube_monotonic_ms();
	kc->requests++;
	rc = curl_easy_perform(kc->h);
	ms = kube_monotonic_ms() - start;
	curl_easy_setopt(kc->h, CURLOPT_FRESH_CONNECT, 0L);
	/* The handle must not keep pointers to the caller's buffers. */
	curl_easy_setopt(kc->h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(kc->h, CURLOPT_POSTFIELDS, NULL);
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && x->fn_stopped))
		curl_easy_getinfo(kc->h, CURLINFO_RESPONSE_CODE, &status);
	if (kc->verbosity >= 6)
		kube_client_log_response(kc, method, url, status, ms, x);
	if (!status)
		return transport_error(kc, rc, x, timeout_ms, o, err);
	o->status = status;
	return 0;
}

/* ---- errors from responses ---- */

static void status_error(long status, const struct strbuf *body, struct errbuf *err)
{
	cJSON *j = body->len ? cJSON_ParseWithLength(body->buf, body->len) : NULL;
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(j, "message");
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(j, "reason");
	const char *r = status_reason(status);

	if (cJSON_IsString(kind) && !strcmp(kind->valuestring, "Status") && cJSON_IsString(msg) &&
	    *msg->valuestring) {
		errbuf_set(err, "%s", msg->valuestring);
		if (cJSON_IsString(reason) && *reason->valuestring)
			r = reason->valuestring;
	} else if (body->len) {
		size_t n = strcspn(body->buf, "\r\n");

		errbuf_set(err, "the server returned HTTP %ld: %.*s", status,
		           (int)(n > 200 ? 200 : n), body->buf);
	} else {
		errbuf_set(err, "the server returned HTTP %ld%s%s", status,
		           *kube_status_text(status) ? " " : "", kube_status_text(status));
	}
	if (err) {
		err->code = (int)status;
		snprintf(err->reason, sizeof(err->reason), "%s", r);
	}
	cJSON_Delete(j);
}

/* ---- requests ---- */

static void build_url(const struct kube_client *kc, const char *path, int with_timeout,
                      struct strbuf *url)
{
	strbuf_addstr(url, kc->base_url);
	if (*path != '/')
		strbuf_addch(url, '/');
	strbuf_addstr(url, path);
	if (with_timeout && kc->rc->request_timeout_ms > 0) {
		char d[DURATION_FORMAT_SIZE];

		kube_path_add_query(
			url, "timeout",
			duration_format((int64_t)kc->rc->request_timeout_ms * DURATION_MS, d));
	}
}

static void deliver_warnings(struct kube_client *kc, const struct xfer *x)
{
	const char *p = x->warnings.buf, *nl;

	if (!kc->warn_fn || !x->warnings.len)
		return;
	for (; *p; p = *nl ? nl + 1 : nl) {
		char *one;

		nl = p + strcspn(p, "\n");
		one = xstrndup(p, nl - p);
		kc->warn_fn(one, kc->warn_data);
		free(one);
	}
}

static void xfer_init(struct xfer *x, struct kube_client *kc, struct strbuf *body, size_t cap)
{
	memset(x, 0, sizeof(*x));
	x->kc = kc;
	x->body = body;
	x->cap = cap;
	x->retry_after_s = -1;
	strbuf_init(&x->warnings, 0);
	strbuf_init(&x->headers, 0);
}

static void xfer_release(struct xfer *x)
{
	strbuf_release(&x->warnings);
	strbuf_release(&x->headers);
}

void kube_response_release(struct kube_response *r)
{
	strbuf_release(&r->body);
	free(r->warnings);
	r->warnings = NULL;
	r->status = 0;
}

/* Whether to try again after this outcome; sleeps the wait if so. */
static int should_retry(struct kube_client *kc, int idempotent, int attempt,
                        const struct outcome *o, const struct xfer *x)
{
	long wait;

	if (attempt >= kc->max_retries || kube_client_stopped(kc))
		return 0;
	if (!o->status) {
		if (!idempotent || !o->retryable)
			return 0;
		wait = kube_client_backoff_ms(kc, attempt);
	} else if (o->status == 429 || (idempotent && o->status >= 500 && o->status != 501)) {
		if (x->retry_after_s >= 0)
			wait = x->retry_after_s > RETRY_AFTER_CAP_MS / 1000
			               ? RETRY_AFTER_CAP_MS
			               : x->retry_after_s * 1000;
		else
			wait = kube_client_backoff_ms(kc, attempt);
	} else {
		return 0;
	}
	return kube_client_sleep(kc, wait) == 0;
}

int kube_request(struct kube_client *kc, const char *method, const char *path,
                 const char *content_type, const char *body, size_t body_len,
                 struct kube_response *resp, struct errbuf *err)
{
	int idempotent = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	int attempt, exec_retried = 0, ret = -1;
	struct strbuf url = STRBUF_INIT;
	struct outcome o = { 0, 0 };
	struct xfer x;

	resp->status = 0;
	strbuf_init(&resp->body, 0);
	resp->warnings = NULL;
	xfer_init(&x, kc, &resp->body, kc->max_body);
	build_url(kc, path, 1, &url);
	for (attempt = 0;; attempt++) {
		int used_exec = 0, failed = 0;
		struct curl_slist *hdrs = kube_client_build_headers(kc, body ? content_type : NULL,
		                                                    &used_exec, err, &failed);

		if (failed) {
			kube_client_free_headers(hdrs);
			ret = -1;
			o.status = 0;
			break;
		}
		xfer_release(&x);
		strbuf_reset(&resp->body);
		xfer_init(&x, kc, &resp->body, kc->max_body);
		ret = perform(kc, method, url.buf, hdrs, body, body_len, kc->rc->request_timeout_ms,
		              &x, &o, err);
		kube_client_free_headers(hdrs);
		resp->status = o.status;
		if (o.status == 401 && used_exec && !exec_retried) {
			/* The plugin's credential was refused: run it again, once. */
			exec_credential_invalidate(kc->rc->exec);
			exec_retried = 1;
			attempt--;
			continue;
		}
		if (!should_retry(kc, idempotent, attempt, &o, &x))
			break;
	}
	if (x.warnings.len)
		resp->warnings = xstrdup(x.warnings.buf);
	deliver_warnings(kc, &x);
	xfer_release(&x);
	strbuf_release(&url);
	if (ret == 0 && (o.status < 200 || o.status >= 300)) {
		status_error(o.status, &resp->body, err);
		ret = -1;
	}
	return ret;
}

int kube_stream(struct kube_client *kc, const char *path, long timeout_ms,
                int (*fn)(const char *data, size_t len, void *arg), void *arg, struct errbuf *err)
{
	struct strbuf url = STRBUF_INIT, body = STRBUF_INIT;
	struct curl_slist *hdrs;
	int used_exec = 0, failed = 0, ret = -1;
	struct outcome o;
	struct xfer x;

	hdrs = kube_client_build_headers(kc, NULL, &used_exec, err, &failed);
	if (failed) {
		kube_client_free_headers(hdrs);
		return -1;
	}
	build_url(kc, path, 0, &url);
	xfer_init(&x, kc, &body, ERROR_BODY_MAX);
	x.fn = fn;
	x.arg = arg;
	ret = perform(kc, "GET", url.buf, hdrs, NULL, 0, timeout_ms, &x, &o, err);
	kube_client_free_headers(hdrs);
	if (o.status == 401 && used_exec)
		exec_credential_invalidate(kc->rc->exec);
	deliver_warnings(kc, &x);
	if (ret == 0) {
		if (x.fn_stopped) {
			ret = 1;
		} else if (o.status < 200 || o.status >= 300) {
			status_error(o.status, &body, err);
			ret = -1;
		}
	}
	xfer_release(&x);
	strbuf_release(&body);
	strbuf_release(&url);
	return ret;
}
