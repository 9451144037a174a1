/*
 * server.h - the HTTPS admission server (libmicrohttpd, GnuTLS).
 *
 * Routes on the path only (the API server appends ?timeout=10s):
 *   POST /validate   AdmissionReview in, AdmissionReview out (review.h)
 *   GET  /healthz    200 while the process serves
 *   GET  /readyz     200 once a certificate is loaded and the state synced,
 *                    503 before that and while draining
 *   GET  /metrics    Prometheus text (metrics.h)
 * Anything else is a 4xx with a metav1 Status body, logged: 404 unknown
 * path, 405 wrong method, 415 not application/json, 413 body over
 * cfg->max_body_bytes (answered from Content-Length before reading it; a
 * chunked body that grows past the cap has its connection closed).
 *
 * Threads: an epoll thread pool of cfg->threads (0 = one per core); a
 * connection limit of cfg->max_connections; connections idle for
 * cfg->idle_timeout_s (slow or silent clients, dead keep-alives) are closed.
 * TLS 1.2 and 1.3 only; the certificate comes from tls_certs.h.
 *
 * An optional plain-HTTP listener serves /metrics, /healthz and /readyz
 * only, for scrapers that do not speak TLS to the pod.
 *
 * Ownership: the server borrows everything in server_opts; they must
 * outlive server_stop().
 */
#ifndef WEBHOOK_SERVER_H
#define WEBHOOK_SERVER_H

#include "review.h"

struct errbuf;
struct metrics;
struct server;
struct state_store;

struct server_opts {
	const char *listen; /* "host:port", "[v6]:port" or ":port" */
	const char *metrics_listen; /* NULL = no plain-HTTP listener */
	struct review_env env; /* cfg, store, metrics, log */
	int tls; /* 0 only in tests of the HTTP layer */
};

struct server *server_start(const struct server_opts *o, struct errbuf *err);
/* The ports actually bound (useful with port 0). */
unsigned short server_port(const struct server *s);
unsigned short server_metrics_port(const struct server *s);

/*
 * Graceful stop: readiness turns 503, new connections are refused, requests
 * already received are answered (with Connection: close), then the daemon
 * stops.  Waits at most `grace_ms` for the in-flight requests.
 */
void server_stop(struct server *s, int grace_ms);

/* "host:port" to a socket address; -1 on a malformed address. */
struct sockaddr_storage;
int server_parse_addr(const char *addr, struct sockaddr_storage *out, int *is_v6, struct errbuf *err);

#endif
