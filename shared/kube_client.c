/*
 * kube_client.c - the client handle: libcurl set up for one API server,
 * the settings of kube_client.h, and the clock, interruptible sleep and
 * backoff that requests and retries are timed with.
 *
 * Requests are sent by kube_client_request.c, credentials and TLS come from
 * kube_client_auth.c, -v logging from kube_client_log.c, and the typed
 * verbs are in kube_client_verbs.c; kube_client_internal.h is what they
 * share.
 */
#include "kube_client.h"
#include "kube_client_internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "errbuf.h"
#include "xalloc.h"

#define DEFAULT_MAX_BODY ((size_t)256 << 20)
#define DEFAULT_USER_AGENT "kubectl-gitops/" GITOPS_VERSION

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

/* Keeps a path prefix (Rancher-style proxies), drops query and fragment,
 * and trailing slashes. */
static void add_path_prefix(struct strbuf *sb, const char *after_authority)
{
	if (*after_authority == '/')
		strbuf_add(sb, after_authority, strcspn(after_authority, "?#"));
	while (sb->len && sb->buf[sb->len - 1] == '/')
		strbuf_setlen(sb, sb->len - 1);
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
	add_path_prefix(&sb, auth_end);

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
	add_path_prefix(&sb, auth_end);
	kc->base_url = strbuf_detach(&sb, NULL);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "Host: %s", kc->authority);
	kc->host_header = strbuf_detach(&sb, NULL);
	free(host);
	return 0;
}

struct kube_client *kube_client_new(const struct rest_config *rc, struct errbuf *err)
{
	struct kube_client *kc;

	pthread_once(&curl_once, curl_init);
	if (curl_init_result != CURLE_OK) {
		errbuf_set(err, "cannot initialise libcurl: %s",
		           curl_easy_strerror(curl_init_result));
		return NULL;
	}
	if (rc->insecure_skip_tls_verify && rc->ca_pem) {
		errbuf_set(err, "specifying a root certificates file with the insecure flag is not "
		                "allowed");
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
	curl_easy_setopt(kc->h, CURLOPT_WRITEFUNCTION, kube_client_write_cb);
	curl_easy_setopt(kc->h, CURLOPT_HEADERFUNCTION, kube_client_header_cb);
	curl_easy_setopt(kc->h, CURLOPT_XFERINFOFUNCTION, kube_client_progress_cb);
	curl_easy_setopt(kc->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(kc->h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(kc->h, CURLOPT_CONNECTTIMEOUT_MS, 30000L);
	if (!rc->disable_compression)
		curl_easy_setopt(kc->h, CURLOPT_ACCEPT_ENCODING, "");
	if (rc->proxy_url)
		curl_easy_setopt(kc->h, CURLOPT_PROXY, rc->proxy_url);
	if (kc->connect_to)
		curl_easy_setopt(kc->h, CURLOPT_CONNECT_TO, kc->connect_to);
	kube_client_setup_tls(kc);
	return kc;
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
	kube_wipe_free(kc->file_token);
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

int kube_client_stopped(const struct kube_client *kc)
{
	return kc->stop && *kc->stop;
}

int kube_client_sleep(struct kube_client *kc, long ms)
{
	long long end = kube_monotonic_ms() + ms, now;

	if (kc->deadline_ms && end > kc->deadline_ms)
		return -1;
	/* Short naps, so that a raised stop flag is seen promptly. */
	while (!kube_client_stopped(kc) && (now = kube_monotonic_ms()) < end) {
		long left = (long)(end - now);
		struct timespec ts = { 0, (left > 50 ? 50 : left) * 1000000L };

		nanosleep(&ts, NULL);
	}
	return kube_client_stopped(kc) ? -1 : 0;
}

long kube_client_backoff_ms(struct kube_client *kc, int attempt)
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
