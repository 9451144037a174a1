#include "kube_client.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>

#include "base64.h"
#include "duration.h"
#include "errbuf.h"
#include "exec_credential.h"
#include "xalloc.h"

#define DEFAULT_MAX_BODY ((size_t)256 << 20)
#define ERROR_BODY_MAX ((size_t)1 << 20)        /* non-2xx bodies while streaming */
#define TOKEN_FILE_MAX ((size_t)1 << 20)
#define TOKEN_FILE_TTL_MS 60000
#define RETRY_AFTER_CAP_MS 10000
#define LOG_BODY_MAX 4096
#define DEFAULT_USER_AGENT "kubectl-gitops/" GITOPS_VERSION

struct kube_client {
	const struct rest_config *rc;
	CURL *h;
	char curl_err[CURL_ERROR_SIZE];

	char *base_url;                 /* scheme://host:port/prefix, host = SNI name if any */
	char *authority;                /* host[:port] as the server URL wrote it */
	char *host_header;              /* "Host: authority" when tls_server_name, else NULL */
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

	char *exec_cert;                /* the exec client cert last installed, to spot rotation */
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
	long retry_after_s;             /* -1 when the response had none */
	struct strbuf warnings;
	struct strbuf headers;          /* response headers, for -v 7 */
};

/* What one attempt produced. */
struct outcome {
	long status;                    /* 0 when no response arrived */
	int retryable;                  /* transport failure worth retrying for GET */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init(void)
{
	curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
	/* Runs before the sanitizers' leak check, which was registered first. */
	if (curl_init_result == CURLE_OK)
		atexit(curl_global_cleanup);
}

long long kube_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int is_https(const char *url)
{
	return !strncasecmp(url, "https://", 8);
}

static const char *status_text(long code)
{
	static const struct { long code; const char *text; } tab[] = {
		{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" }, { 204, "No Content" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" }, { 406, "Not Acceptable" },
		{ 409, "Conflict" }, { 410, "Gone" }, { 413, "Request Entity Too Large" },
		{ 415, "Unsupported Media Type" }, { 422, "Unprocessable Entity" },
		{ 429, "Too Many Requests" }, { 500, "Internal Server Error" },
		{ 502, "Bad Gateway" }, { 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].code == code)
			return tab[i].text;
	return "";
}

/* The Status reason apimachinery gives a bare HTTP code (errors.FromObject's fallback). */
static const char *status_reason(long code)
{
	static const struct { long code; const char *reason; } tab[] = {
		{ 400, "BadRequest" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "NotFound" }, { 405, "MethodNotAllowed" }, { 406, "NotAcceptable" },
		{ 409, "Conflict" }, { 410, "Gone" }, { 413, "RequestEntityTooLarge" },
		{ 415, "UnsupportedMediaType" }, { 422, "Invalid" }, { 429, "TooManyRequests" },
		{ 500, "InternalError" }, { 503, "ServiceUnavailable" }, { 504, "Timeout" },
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].code == code)
			return tab[i].reason;
	return "";
}

/*
 * Splits the server URL so that tls_server_name can be both SNI and the
 * verified name: requests go to https://NAME:PORT/prefix, libcurl is told to
 * connect to the real host instead (CONNECT_TO), and the Host header keeps
 * the real authority, as Go's tls.Config.ServerName does.
 */
static int parse_server(struct kube_client *kc, struct errbuf *err)
{
	const char *server = kc->rc->server, *scheme_end, *auth, *auth_end, *port;
	char *host;
	const char *sni = kc->rc->tls_server_name;
	struct strbuf sb = STRBUF_INIT;

	if (!server || !*server)
		return errbuf_set(err, "no server found in the configuration");
	scheme_end = strstr(server, "://");
	if (!scheme_end || (strncasecmp(server, "https://", 8) && strncasecmp(server, "http://", 7)))
		return errbuf_set(err, "server \"%s\" is not an http or https URL", server);
	auth = scheme_end + 3;
	auth_end = auth + strcspn(auth, "/?#");
	if (auth_end == auth)
		return errbuf_set(err, "server \"%s\" has no host", server);
	kc->authority = xstrndup(auth, auth_end - auth);
	kc->https = is_https(server);

	strbuf_add(&sb, server, auth_end - server);
	/* Keep a path prefix (Rancher-style proxies), drop query and fragment. */
	if (*auth_end == '/')
		strbuf_add(&sb, auth_end, strcspn(auth_end, "?#"));
	while (sb.len && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);

	if (!sni || !*sni || !kc->https) {
		kc->base_url = strbuf_detach(&sb, NULL);
		return 0;
	}
	if (kc->authority[0] == '[') {
		const char *close = strchr(kc->authority, ']');

		if (!close) {
			strbuf_release(&sb);
			return errbuf_set(err, "server \"%s\" has a malformed IPv6 host", server);
		}
		host = xstrndup(kc->authority, close - kc->authority + 1);
		port = close[1] == ':' ? close + 2 : "443";
	} else {
		const char *colon = strrchr(kc->authority, ':');

		host = colon ? xstrndup(kc->authority, colon - kc->authority)
			     : xstrdup(kc->authority);
		port = colon ? colon + 1 : "443";
	}
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s:%s:%s:%s", sni, port, host, port);
	kc->connect_to = curl_slist_append(NULL, sb.buf);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "https://%s:%s", sni, port);
	if (*auth_end == '/')
		strbuf_add(&sb, auth_end, strcspn(auth_end, "?#"));
	while (sb.len && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	kc->base_url = strbuf_detach(&sb, NULL);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "Host: %s", kc->authority);
	kc->host_header = strbuf_detach(&sb, NULL);
	free(host);
	return 0;
}

static void setup_tls(struct kube_client *kc)
{
	const struct rest_config *rc = kc->rc;
	struct curl_blob blob;

	if (rc->insecure_skip_tls_verify) {
		curl_easy_setopt(kc->h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(kc->h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		curl_easy_setopt(kc->h, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(kc->h, CURLOPT_SSL_VERIFYHOST, 2L);
	}
	if (rc->ca_pem && rc->ca_pem_len) {
		blob.data = rc->ca_pem;
		blob.len = rc->ca_pem_len;
		blob.flags = CURL_BLOB_COPY;
		curl_easy_setopt(kc->h, CURLOPT_CAINFO_BLOB, &blob);
		/* Only the configured CA is trusted, not the system directory too. */
		curl_easy_setopt(kc->h, CURLOPT_CAPATH, NULL);
	}
	if (!kc->https)
		return;
	if (rc->client_cert_pem && rc->client_key_pem) {
		blob.data = rc->client_cert_pem;
		blob.len = rc->client_cert_pem_len ? rc->client_cert_pem_len
						   : strlen(rc->client_cert_pem);
		blob.flags = CURL_BLOB_COPY;
		curl_easy_setopt(kc->h, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(kc->h, CURLOPT_SSLCERT_BLOB, &blob);
		blob.data = rc->client_key_pem;
		blob.len = rc->client_key_pem_len ? rc->client_key_pem_len
						  : strlen(rc->client_key_pem);
		curl_easy_setopt(kc->h, CURLOPT_SSLKEYTYPE, "PEM");
		curl_easy_setopt(kc->h, CURLOPT_SSLKEY_BLOB, &blob);
	}
}

static size_t write_cb(char *data, size_t size, size_t n, void *p);
static size_t header_cb(char *data, size_t size, size_t n, void *p);
static int progress_cb(void *p, curl_off_t dlt, curl_off_t dln, curl_off_t ult, curl_off_t uln);

struct kube_client *kube_client_new(const struct rest_config *rc, struct errbuf *err)
{
	struct kube_client *kc;

	pthread_once(&curl_once, curl_init);
	if (curl_init_result != CURLE_OK) {
		errbuf_set(err, "cannot initialise libcurl: %s", curl_easy_strerror(curl_init_result));
		return NULL;
	}
	if (rc->insecure_skip_tls_verify && rc->ca_pem) {
		errbuf_set(err, "specifying a root certificates file with the insecure flag is not allowed");
		return NULL;
	}
	kc = xcalloc(1, sizeof(*kc));
	kc->rc = rc;
	kc->max_retries = 5;
	kc->backoff_base_ms = 250;
	kc->backoff_max_ms = 5000;
	kc->max_body = DEFAULT_MAX_BODY;
	kc->user_agent = xstrdup(DEFAULT_USER_AGENT);
	kc->rng = (uint64_t)kube_monotonic_ms() ^ (uint64_t)(uintptr_t)kc ^ 0x9e3779b97f4a7c15ULL;
	if (parse_server(kc, err) < 0) {
		kube_client_free(kc);
		return NULL;
	}
	kc->h = curl_easy_init();
	if (!kc->h) {
		errbuf_set(err, "cannot create a libcurl handle");
		kube_client_free(kc);
		return NULL;
	}
	curl_easy_setopt(kc->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(kc->h, CURLOPT_ERRORBUFFER, kc->curl_err);
	curl_easy_setopt(kc->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(kc->h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(kc->h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(kc->h, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(kc->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(kc->h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(kc->h, CURLOPT_CONNECTTIMEOUT_MS, 30000L);
	if (!rc->disable_compression)
		curl_easy_setopt(kc->h, CURLOPT_ACCEPT_ENCODING, "");
	if (rc->proxy_url)
		curl_easy_setopt(kc->h, CURLOPT_PROXY, rc->proxy_url);
	if (kc->connect_to)
		curl_easy_setopt(kc->h, CURLOPT_CONNECT_TO, kc->connect_to);
	setup_tls(kc);
	return kc;
}

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void kube_client_free(struct kube_client *kc)
{
	if (!kc)
		return;
	if (kc->h)
		curl_easy_cleanup(kc->h);
	free(kc->base_url);
	free(kc->authority);
	free(kc->host_header);
	curl_slist_free_all(kc->connect_to);
	free(kc->user_agent);
	wipe_free(kc->file_token);
	free(kc->exec_cert);
	free(kc);
}

void kube_client_set_verbosity(struct kube_client *kc, int level, FILE *log)
{
	kc->verbosity = level;
	kc->log = log;
}

void kube_client_set_max_retries(struct kube_client *kc, int n)
{
	kc->max_retries = n < 0 ? 0 : n;
}

void kube_client_set_backoff(struct kube_client *kc, long base_ms, long max_ms)
{
	kc->backoff_base_ms = base_ms > 0 ? base_ms : 1;
	kc->backoff_max_ms = max_ms > kc->backoff_base_ms ? max_ms : kc->backoff_base_ms;
}

void kube_client_set_max_body(struct kube_client *kc, size_t bytes)
{
	kc->max_body = bytes;
}

void kube_client_set_user_agent(struct kube_client *kc, const char *ua)
{
	free(kc->user_agent);
	kc->user_agent = xstrdup(ua);
}

unsigned long kube_client_request_count(const struct kube_client *kc)
{
	return kc->requests;
}

void kube_client_set_warning_handler(struct kube_client *kc,
				     void (*fn)(const char *text, void *data), void *data)
{
	kc->warn_fn = fn;
	kc->warn_data = data;
}

void kube_client_set_stop_flag(struct kube_client *kc, volatile sig_atomic_t *stop)
{
	kc->stop = stop;
}

void kube_client_set_deadline(struct kube_client *kc, long long deadline_ms)
{
	kc->deadline_ms = deadline_ms;
}

static int stopped(const struct kube_client *kc)
{
	return kc->stop && *kc->stop;
}

int kube_client_sleep(struct kube_client *kc, long ms)
{
	long long end = kube_monotonic_ms() + ms, now;

	if (kc->deadline_ms && end > kc->deadline_ms)
		return -1;
	/* Short naps, so that a raised stop flag is seen promptly. */
	while (!stopped(kc) && (now = kube_monotonic_ms()) < end) {
		long left = (long)(end - now);
		struct timespec ts = { 0, (left > 50 ? 50 : left) * 1000000L };

		nanosleep(&ts, NULL);
	}
	return stopped(kc) ? -1 : 0;
}

static long backoff_ms(struct kube_client *kc, int attempt)
{
	long d = kc->backoff_base_ms;

	while (attempt-- > 0 && d < kc->backoff_max_ms)
		d *= 2;
	if (d > kc->backoff_max_ms)
		d = kc->backoff_max_ms;
	/* xorshift64: jitter needs no quality, only spread between clients. */
	kc->rng ^= kc->rng << 13;
	kc->rng ^= kc->rng >> 7;
	kc->rng ^= kc->rng << 17;
	return d / 2 + (long)(kc->rng % (uint64_t)(d / 2 + 1));
}

/* ---- credentials ---- */

/*
 * client-go's cached file token source: the file wins over the static
 * token, is re-read when it changes or a minute has passed, and a read
 * failure falls back to the last good content, then to the static token.
 */
static const char *file_token(struct kube_client *kc)
{
	const char *path = kc->rc->token_file;
	struct stat st;
	long long now = kube_monotonic_ms();
	struct strbuf sb = STRBUF_INIT;
	size_t b, e;
	int changed;

	if (stat(path, &st) < 0)
		return kc->file_token;
	changed = !kc->file_token || st.st_ino != kc->file_st.st_ino ||
		  st.st_dev != kc->file_st.st_dev || st.st_size != kc->file_st.st_size ||
		  st.st_mtim.tv_sec != kc->file_st.st_mtim.tv_sec ||
		  st.st_mtim.tv_nsec != kc->file_st.st_mtim.tv_nsec;
	if (!changed && now - kc->file_read_ms < TOKEN_FILE_TTL_MS)
		return kc->file_token;
	if (strbuf_read_file(&sb, path, TOKEN_FILE_MAX) < 0)
		return kc->file_token;
	for (b = 0; b < sb.len && isspace((unsigned char)sb.buf[b]); b++)
		;
	for (e = sb.len; e > b && isspace((unsigned char)sb.buf[e - 1]); e--)
		;
	if (e > b) {
		wipe_free(kc->file_token);
		kc->file_token = xstrndup(sb.buf + b, e - b);
		kc->file_st = st;
		kc->file_read_ms = now;
	}
	explicit_bzero(sb.buf, sb.len);
	strbuf_release(&sb);
	return kc->file_token;
}

static int use_exec(const struct kube_client *kc)
{
	const struct rest_config *rc = kc->rc;

	return kc->https && rc->exec && !rc->token && !rc->token_file && !rc->username &&
	       !rc->client_cert_pem;
}

static void install_exec_cert(struct kube_client *kc, const struct exec_result *r)
{
	struct curl_blob blob;

	if (!r->client_cert_pem || !r->client_key_pem)
		return;
	blob.flags = CURL_BLOB_COPY;
	blob.data = (void *)r->client_cert_pem;
	blob.len = strlen(r->client_cert_pem);
	curl_easy_setopt(kc->h, CURLOPT_SSLCERTTYPE, "PEM");
	curl_easy_setopt(kc->h, CURLOPT_SSLCERT_BLOB, &blob);
	blob.data = (void *)r->client_key_pem;
	blob.len = strlen(r->client_key_pem);
	curl_easy_setopt(kc->h, CURLOPT_SSLKEYTYPE, "PEM");
	curl_easy_setopt(kc->h, CURLOPT_SSLKEY_BLOB, &blob);
	/* A rotated certificate must not ride on a connection made with the old one. */
	if (kc->exec_cert && strcmp(kc->exec_cert, r->client_cert_pem))
		curl_easy_setopt(kc->h, CURLOPT_FRESH_CONNECT, 1L);
	free(kc->exec_cert);
	kc->exec_cert = xstrdup(r->client_cert_pem);
}

static struct curl_slist *add_header(struct curl_slist *l, const char *name, const char *value)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s: %s", name, value);
	l = curl_slist_append(l, sb.buf);
	explicit_bzero(sb.buf, sb.len);
	strbuf_release(&sb);
	return l;
}

static struct curl_slist *add_auth(struct kube_client *kc, struct curl_slist *l, int *used_exec,
				   struct errbuf *err, int *failed)
{
	const struct rest_config *rc = kc->rc;
	const char *token = NULL;
	struct strbuf sb = STRBUF_INIT;

	if (!kc->https)
		return l;
	if (rc->token_file)
		token = file_token(kc);
	if (!token)
		token = rc->token;
	if (token && *token) {
		strbuf_addf(&sb, "Bearer %s", token);
	} else if (rc->username || rc->password) {
		char *b64;

		strbuf_addf(&sb, "%s:%s", rc->username ? rc->username : "",
			    rc->password ? rc->password : "");
		b64 = base64_encode(sb.buf, sb.len);
		explicit_bzero(sb.buf, sb.len);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "Basic %s", b64);
		wipe_free(b64);
	} else if (use_exec(kc)) {
		struct exec_result r;

		if (exec_credential_get(rc->exec, &r, err) < 0) {
			errbuf_prefix(err, "getting credentials");
			*failed = 1;
			return l;
		}
		*used_exec = 1;
		install_exec_cert(kc, &r);
		if (r.token && *r.token)
			strbuf_addf(&sb, "Bearer %s", r.token);
	}
	if (sb.len)
		l = add_header(l, "Authorization", sb.buf);
	explicit_bzero(sb.buf, sb.len);
	strbuf_release(&sb);
	return l;
}

static void free_headers(struct curl_slist *l)
{
	struct curl_slist *p;

	/* The list may hold a bearer token: leave nothing behind in the heap. */
	for (p = l; p; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

static struct curl_slist *build_headers(struct kube_client *kc, const char *content_type,
					int *used_exec, struct errbuf *err, int *failed)
{
	const struct rest_config *rc = kc->rc;
	struct curl_slist *l = NULL;
	char **g;

	l = add_header(l, "Accept", "application/json");
	if (content_type)
		l = add_header(l, "Content-Type", content_type);
	l = add_header(l, "User-Agent", kc->user_agent);
	if (kc->host_header)
		l = curl_slist_append(l, kc->host_header);
	/* libcurl would otherwise wait for 100-continue before large bodies. */
	l = curl_slist_append(l, "Expect:");
	if (rc->as_user)
		l = add_header(l, "Impersonate-User", rc->as_user);
	if (rc->as_uid)
		l = add_header(l, "Impersonate-Uid", rc->as_uid);
	for (g = rc->as_groups; g && *g; g++)
		l = add_header(l, "Impersonate-Group", *g);
	return add_auth(kc, l, used_exec, err, failed);
}

/* ---- logging ---- */

static FILE *logf_of(const struct kube_client *kc)
{
	return kc->log ? kc->log : stderr;
}

static void log_header_line(FILE *f, const char *line)
{
	const char *v;
	size_t n = strcspn(line, ":");

	if (n == 13 && !strncasecmp(line, "Authorization", 13)) {
		v = line + n + 1;
		while (*v == ' ')
			v++;
		if (!strncasecmp(v, "Bearer ", 7))
			fprintf(f, "    %.*s: Bearer <masked>\n", (int)n, line);
		else if (!strncasecmp(v, "Basic ", 6))
			fprintf(f, "    %.*s: Basic <masked>\n", (int)n, line);
		else
			fprintf(f, "    %.*s: <masked>\n", (int)n, line);
		return;
	}
	if (line[n] == ':' && line[n + 1] == '\0')
		return;         /* a header we asked libcurl to drop */
	fprintf(f, "    %s\n", line);
}

static void log_body(const struct kube_client *kc, const char *what, const char *body, size_t len)
{
	FILE *f = logf_of(kc);

	if (kc->verbosity >= 9 || len <= LOG_BODY_MAX)
		fprintf(f, "%s: %.*s\n", what, (int)len, body);
	else
		fprintf(f, "%s: %.*s [truncated %zu chars]\n", what, LOG_BODY_MAX, body,
			len - LOG_BODY_MAX);
}

static void log_request(const struct kube_client *kc, const char *method, const char *url,
			const struct curl_slist *hdrs, const char *body, size_t len)
{
	FILE *f = logf_of(kc);
	const struct curl_slist *p;

	if (kc->verbosity >= 9) {
		fprintf(f, "curl -v -X%s", method);
		for (p = hdrs; p; p = p->next) {
			size_t n = strcspn(p->data, ":");

			if (n == 13 && !strncasecmp(p->data, "Authorization", 13))
				fprintf(f, " -H \"Authorization: <masked>\"");
			else if (p->data[n] == ':' && p->data[n + 1])
				fprintf(f, " -H \"%s\"", p->data);
		}
		fprintf(f, " '%s'\n", url);
	}
	if (kc->verbosity >= 7) {
		fprintf(f, "Request Headers:\n");
		for (p = hdrs; p; p = p->next)
			log_header_line(f, p->data);
	}
	if (kc->verbosity >= 8 && body)
		log_body(kc, "Request Body", body, len);
}

static void log_response(const struct kube_client *kc, const char *method, const char *url,
			 long status, long long ms, const struct xfer *x)
{
	FILE *f = logf_of(kc);

	if (status)
		fprintf(f, "%s %s %ld %s in %lld milliseconds\n", method, url, status,
			status_text(status), ms);
	else
		fprintf(f, "%s %s  in %lld milliseconds\n", method, url, ms);
	if (kc->verbosity >= 7 && x->headers.len)
		fprintf(f, "Response Headers:\n%s", x->headers.buf);
	if (kc->verbosity >= 8 && x->body && x->body->len)
		log_body(kc, "Response Body", x->body->buf, x->body->len);
	fflush(f);
}

/* ---- libcurl callbacks ---- */

static size_t write_cb(char *data, size_t size, size_t n, void *p)
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

static size_t header_cb(char *data, size_t size, size_t n, void *p)
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

static int progress_cb(void *p, curl_off_t dlt, curl_off_t dln, curl_off_t ult, curl_off_t uln)
{
	struct xfer *x = p;

	return stopped(x->kc);
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
			return errbuf_set(err, "the server's response is larger than the limit of %zu bytes",
					  x->cap);
		break;
	case CURLE_COULDNT_CONNECT:
		if (oserr == ECONNREFUSED)
			return errbuf_set(err, "The connection to the server %s was refused - did you specify the right host or port?",
					  kc->authority);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		if (kc->deadline_ms && kube_monotonic_ms() >= kc->deadline_ms)
			return errbuf_set(err, "timed out waiting for the server");
		return errbuf_set(err, "Unable to connect to the server: the request timed out after %ld milliseconds",
				  timeout_ms);
	case CURLE_PEER_FAILED_VERIFICATION:
		return errbuf_set(err, "Unable to connect to the server: tls: failed to verify certificate: %s",
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
	if (stopped(kc))
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
		log_request(kc, method, url, hdrs, body, len);

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
		log_response(kc, method, url, status, ms, x);
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

	if (cJSON_IsString(kind) && !strcmp(kind->valuestring, "Status") &&
	    cJSON_IsString(msg) && *msg->valuestring) {
		errbuf_set(err, "%s", msg->valuestring);
		if (cJSON_IsString(reason) && *reason->valuestring)
			r = reason->valuestring;
	} else if (body->len) {
		size_t n = strcspn(body->buf, "\r\n");

		errbuf_set(err, "the server returned HTTP %ld: %.*s", status, (int)(n > 200 ? 200 : n),
			   body->buf);
	} else {
		errbuf_set(err, "the server returned HTTP %ld%s%s", status,
			   *status_text(status) ? " " : "", status_text(status));
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

		kube_path_add_query(url, "timeout",
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

	if (attempt >= kc->max_retries || stopped(kc))
		return 0;
	if (!o->status) {
		if (!idempotent || !o->retryable)
			return 0;
		wait = backoff_ms(kc, attempt);
	} else if (o->status == 429 || (idempotent && o->status >= 500 && o->status != 501)) {
		if (x->retry_after_s >= 0)
			wait = x->retry_after_s * 1000 > RETRY_AFTER_CAP_MS ? RETRY_AFTER_CAP_MS
									  : x->retry_after_s * 1000;
		else
			wait = backoff_ms(kc, attempt);
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
		struct curl_slist *hdrs = build_headers(kc, body ? content_type : NULL, &used_exec,
							err, &failed);

		if (failed) {
			free_headers(hdrs);
			ret = -1;
			o.status = 0;
			break;
		}
		xfer_release(&x);
		strbuf_reset(&resp->body);
		xfer_init(&x, kc, &resp->body, kc->max_body);
		ret = perform(kc, method, url.buf, hdrs, body, body_len, kc->rc->request_timeout_ms,
			      &x, &o, err);
		free_headers(hdrs);
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
		int (*fn)(const char *data, size_t len, void *arg), void *arg,
		struct errbuf *err)
{
	struct strbuf url = STRBUF_INIT, body = STRBUF_INIT;
	struct curl_slist *hdrs;
	int used_exec = 0, failed = 0, ret = -1;
	struct outcome o;
	struct xfer x;

	hdrs = build_headers(kc, NULL, &used_exec, err, &failed);
	if (failed) {
		free_headers(hdrs);
		return -1;
	}
	build_url(kc, path, 0, &url);
	xfer_init(&x, kc, &body, ERROR_BODY_MAX);
	x.fn = fn;
	x.arg = arg;
	ret = perform(kc, "GET", url.buf, hdrs, NULL, 0, timeout_ms, &x, &o, err);
	free_headers(hdrs);
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

/* Sends a request and parses a JSON answer into *out (NULL for an empty body). */
static int request_json(struct kube_client *kc, const char *method, const char *path,
			const char *content_type, const char *body, cJSON **out,
			struct errbuf *err)
{
	struct kube_response r;
	cJSON *j = NULL;
	int ret;

	if (out)
		*out = NULL;
	ret = kube_request(kc, method, path, content_type, body, body ? strlen(body) : 0, &r, err);
	if (!ret && out && r.body.len) {
		j = cJSON_ParseWithLength(r.body.buf, r.body.len);
		if (!j)
			ret = errbuf_set(err, "the server's answer to %s %s is not valid JSON", method,
					 path);
		*out = j;
	}
	kube_response_release(&r);
	return ret;
}

int kube_get(struct kube_client *kc, const char *path, cJSON **out, struct errbuf *err)
{
	return request_json(kc, "GET", path, NULL, NULL, out, err);
}

void kube_path_add_query(struct strbuf *sb, const char *key, const char *value)
{
	strbuf_addch(sb, strchr(sb->buf, '?') ? '&' : '?');
	strbuf_addstr(sb, key);
	strbuf_addch(sb, '=');
	strbuf_addurlenc(sb, value);
}

void kube_path(struct strbuf *sb, const char *group, const char *version,
	       const char *resource, const char *ns, const char *name,
	       const char *subresource)
{
	if (!group || !*group)
		strbuf_addf(sb, "/api/%s", version);
	else
		strbuf_addf(sb, "/apis/%s/%s", group, version);
	if (ns) {
		strbuf_addstr(sb, "/namespaces/");
		strbuf_addurlenc(sb, ns);
	}
	strbuf_addf(sb, "/%s", resource);
	if (name) {
		strbuf_addch(sb, '/');
		strbuf_addurlenc(sb, name);
		if (subresource)
			strbuf_addf(sb, "/%s", subresource);
	}
}

/* ---- LIST ---- */

static void list_page_path(struct strbuf *sb, const char *path, const struct kube_list_opts *o,
			   const char *cont)
{
	long limit = o && o->limit ? o->limit : 500;

	strbuf_addstr(sb, path);
	if (o && o->label_selector && *o->label_selector)
		kube_path_add_query(sb, "labelSelector", o->label_selector);
	if (o && o->field_selector && *o->field_selector)
		kube_path_add_query(sb, "fieldSelector", o->field_selector);
	if (limit > 0) {
		char n[32];

		snprintf(n, sizeof(n), "%ld", limit);
		kube_path_add_query(sb, "limit", n);
	}
	if (cont)
		kube_path_add_query(sb, "continue", cont);
}

/* The array of a List's items, made an empty one when null or missing. */
static cJSON *list_items(cJSON *list)
{
	cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");

	if (!cJSON_IsArray(items)) {
		cJSON_DeleteItemFromObjectCaseSensitive(list, "items");
		items = cJSON_AddArrayToObject(list, "items");
	}
	return items;
}

static char *continue_token(cJSON *list)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(list, "metadata"), "continue");

	return cJSON_IsString(c) && *c->valuestring ? xstrdup(c->valuestring) : NULL;
}

static int list_pages(struct kube_client *kc, const char *path, const struct kube_list_opts *o,
		      cJSON **out, int *expired, struct errbuf *err)
{
	struct strbuf p = STRBUF_INIT;
	cJSON *result = NULL, *page, *items, *it, *meta;
	char *cont = NULL;

	do {
		strbuf_reset(&p);
		list_page_path(&p, path, o, cont);
		if (kube_get(kc, p.buf, &page, err) < 0)
			*expired = cont && err && err->code == 410;
		else if (!cJSON_IsObject(page))
			errbuf_set(err, "the server's answer to GET %s is not a list", p.buf);
		if (!cJSON_IsObject(page)) {
			cJSON_Delete(page);
			cJSON_Delete(result);
			free(cont);
			strbuf_release(&p);
			return -1;
		}
		free(cont);
		cont = continue_token(page);
		items = list_items(page);
		if (!result) {
			result = page;
			continue;
		}
		while ((it = cJSON_DetachItemFromArray(items, 0)))
			cJSON_AddItemToArray(list_items(result), it);
		cJSON_Delete(page);
	} while (cont);
	meta = cJSON_GetObjectItemCaseSensitive(result, "metadata");
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "continue");
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "remainingItemCount");
	strbuf_release(&p);
	*out = result;
	return 0;
}

int kube_list(struct kube_client *kc, const char *path, const struct kube_list_opts *o,
	      cJSON **out, struct errbuf *err)
{
	int expired = 0;

	*out = NULL;
	if (!list_pages(kc, path, o, out, &expired, err))
		return 0;
	/* The continue token outlived etcd's compaction window: start over, once. */
	if (expired)
		return list_pages(kc, path, o, out, &expired, err);
	return -1;
}

/* ---- writes ---- */

static void write_path(struct strbuf *sb, const char *path, const struct kube_write_opts *o,
		       int apply)
{
	strbuf_addstr(sb, path);
	if (!o)
		return;
	if (o->dry_run)
		kube_path_add_query(sb, "dryRun", "All");
	if (o->field_manager)
		kube_path_add_query(sb, "fieldManager", o->field_manager);
	if (apply && o->force)
		kube_path_add_query(sb, "force", "true");
}

static int write_object(struct kube_client *kc, const char *method, const char *path,
			const cJSON *obj, const struct kube_write_opts *o, cJSON **out,
			struct errbuf *err)
{
	struct strbuf p = STRBUF_INIT;
	char *body = cJSON_PrintUnformatted(obj);
	int ret;

	if (out)
		*out = NULL;
	if (!body)
		return errbuf_set(err, "cannot encode the object as JSON");
	write_path(&p, path, o, 0);
	ret = request_json(kc, method, p.buf, "application/json", body, out, err);
	free(body);
	strbuf_release(&p);
	return ret;
}

int kube_create(struct kube_client *kc, const char *collection_path, const cJSON *obj,
		const struct kube_write_opts *o, cJSON **out, struct errbuf *err)
{
	return write_object(kc, "POST", collection_path, obj, o, out, err);
}

int kube_update(struct kube_client *kc, const char *path, const cJSON *obj,
		const struct kube_write_opts *o, cJSON **out, struct errbuf *err)
{
	return write_object(kc, "PUT", path, obj, o, out, err);
}

int kube_patch(struct kube_client *kc, const char *path, enum kube_patch_type type,
	       const char *body, const struct kube_write_opts *o, cJSON **out,
	       struct errbuf *err)
{
	static const char *const ctypes[] = {
		[KUBE_PATCH_MERGE] = "application/merge-patch+json",
		[KUBE_PATCH_JSON] = "application/json-patch+json",
		[KUBE_PATCH_STRATEGIC] = "application/strategic-merge-patch+json",
		[KUBE_PATCH_APPLY] = "application/apply-patch+yaml",
	};
	struct strbuf p = STRBUF_INIT;
	int ret;

	if (out)
		*out = NULL;
	if ((unsigned)type >= sizeof(ctypes) / sizeof(ctypes[0]))
		return errbuf_set(err, "unknown patch type %d", (int)type);
	if (type == KUBE_PATCH_APPLY && (!o || !o->field_manager || !*o->field_manager))
		return errbuf_set(err, "server-side apply needs a field manager");
	write_path(&p, path, o, type == KUBE_PATCH_APPLY);
	ret = request_json(kc, "PATCH", p.buf, ctypes[type], body ? body : "", out, err);
	strbuf_release(&p);
	return ret;
}

int kube_delete(struct kube_client *kc, const char *path, const struct kube_delete_opts *o,
		cJSON **out, struct errbuf *err)
{
	cJSON *opts = cJSON_CreateObject(), *pre;
	char *body;
	int ret;

	cJSON_AddStringToObject(opts, "kind", "DeleteOptions");
	cJSON_AddStringToObject(opts, "apiVersion", "v1");
	if (o && o->propagation_policy)
		cJSON_AddStringToObject(opts, "propagationPolicy", o->propagation_policy);
	if (o && (o->precondition_uid || o->precondition_resource_version)) {
		pre = cJSON_AddObjectToObject(opts, "preconditions");
		if (o->precondition_uid)
			cJSON_AddStringToObject(pre, "uid", o->precondition_uid);
		if (o->precondition_resource_version)
			cJSON_AddStringToObject(pre, "resourceVersion",
						o->precondition_resource_version);
	}
	if (o && o->dry_run)
		cJSON_AddItemToObject(opts, "dryRun", cJSON_CreateStringArray((const char *[]){ "All" }, 1));
	body = cJSON_PrintUnformatted(opts);
	cJSON_Delete(opts);
	if (!body) {
		if (out)
			*out = NULL;
		return errbuf_set(err, "cannot encode the delete options as JSON");
	}
	ret = request_json(kc, "DELETE", path, "application/json", body, out, err);
	free(body);
	return ret;
}
