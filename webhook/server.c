#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "config.h"
#include "decision_log.h"
#include "errbuf.h"
#include "metrics.h"
#include "server.h"
#include "state.h"
#include "tls_certs.h"
#include "xalloc.h"

/*
 * libmicrohttpd zeroes a connection's whole memory pool (32 KiB by default)
 * before each request; an AdmissionReview request's headers and the read
 * buffer it streams the body through fit in much less.
 */
#define CONNECTION_MEMORY (16 * 1024)

#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

struct server {
	struct server_opts o;
	struct MHD_Daemon *tls_d, *plain_d;
	MHD_socket quiesced_fd, quiesced_plain_fd;
	atomic_int in_flight;
	atomic_int draining;
	struct review_scratch *own_scratch; /* request memory, when the caller gave none */
};

/* Per-request state, in *con_cls. */
struct request {
	struct strbuf body;
	int validate; /* POST /validate accepted, body expected */
	gnutls_session_t corked; /* response held for one TLS record, see cork_response() */
};

/* Per-connection state, in the socket context. */
struct conn {
	int tcp_uncorked; /* TCP_CORK lifted once, see flush_response() */
};

/*
 * libmicrohttpd hands GnuTLS the status line and headers and then the body
 * in two writes, which makes two TLS records and two segments: the client
 * wakes twice per answer.  Corking the session for the response turns them
 * into one record, sent by flush_response() when the request completes
 * (before libmicrohttpd reuses or closes the connection).  Only small
 * answers are held: they fit in any socket's send buffer, so the flush
 * does not have to wait.
 */
#define CORK_MAX_BYTES 4096

static void cork_response(struct MHD_Connection *c, struct request *rq, size_t len)
{
	const union MHD_ConnectionInfo *i;

	if (!rq || rq->corked || len > CORK_MAX_BYTES)
		return;
	i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!i || !i->tls_session)
		return;
	rq->corked = i->tls_session;
	gnutls_record_cork(rq->corked);
}

/*
 * libmicrohttpd leaves a TLS socket TCP_CORKed and pushes each answer with
 * TCP_NODELAY after its last write, which comes before this flush; lifting
 * the cork once lets this and every later flush leave at once.  Only a
 * client that pipelines requests and stops reading the answers can fill
 * the send buffer: its connection is cut rather than left holding an
 * answer nobody will flush.
 */
static void flush_response(struct MHD_Connection *c, struct request *rq)
{
	const union MHD_ConnectionInfo *fd, *sc;
	struct conn *cn;
	int off = 0;

	if (!rq->corked)
		return;
	fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	sc = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	cn = sc ? sc->socket_context : NULL;
	if (gnutls_record_uncork(rq->corked, 0) < 0 && gnutls_record_check_corked(rq->corked)) {
		if (fd)
			shutdown(fd->connect_fd, SHUT_RDWR);
	} else if (fd && cn && !cn->tcp_uncorked) {
		setsockopt(fd->connect_fd, IPPROTO_TCP, TCP_CORK, &off, sizeof(off));
		cn->tcp_uncorked = 1;
	}
	rq->corked = NULL;
}

static void notify_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)c;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = xcalloc(1, sizeof(struct conn));
	} else {
		free(*socket_context);
		*socket_context = NULL;
	}
}

static int is_json(const char *ct)
{
	size_t n = strlen("application/json");

	if (!ct)
		return 0;
	while (*ct == ' ')
		ct++;
	return !strncasecmp(ct, "application/json", n) &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static enum MHD_Result reply(struct server *s, struct MHD_Connection *c, struct request *rq,
                             int code, const char *ctype, struct strbuf *body)
{
	size_t len;
	char *buf = strbuf_detach(body, &len);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (atomic_load(&s->draining))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	cork_response(c, rq, len);
	ret = MHD_queue_response(c, (unsigned int)code, r);
	MHD_destroy_response(r);
	if (s->o.env.metrics)
		metrics_observe_http(s->o.env.metrics, code);
	return ret;
}

static enum MHD_Result send_error(struct server *s, struct MHD_Connection *c, struct request *rq,
                                  int code, const char *reason, const char *msg, const char *method,
                                  const char *path)
{
	struct strbuf body = STRBUF_INIT;

	decision_log_error(s->o.env.log, "rejected HTTP request", msg, code, method, path);
	review_status_body(&body, code, reason, msg);
	return reply(s, c, rq, code, "application/json", &body);
}

static enum MHD_Result send_text(struct server *s, struct MHD_Connection *c, struct request *rq,
                                 int code, const char *text)
{
	struct strbuf body = STRBUF_INIT;

	strbuf_addstr(&body, text);
	return reply(s, c, rq, code, "text/plain; charset=utf-8", &body);
}

static int ready(struct server *s, struct strbuf *why)
{
	struct state_status st;

	if (atomic_load(&s->draining)) {
		strbuf_addstr(why, "shutting down\n");
		return 0;
	}
	if (s->o.tls && !tls_certs_loaded()) {
		strbuf_addstr(why, "no serving certificate\n");
		return 0;
	}
	if (s->o.env.store) {
		state_store_status(s->o.env.store, &st);
		if (!st.synced) {
			strbuf_addstr(why, st.has_snapshot ? "state is stale\n"
			                                   : "state not synced yet\n");
			return 0;
		}
	}
	return 1;
}

static enum MHD_Result send_metrics(struct server *s, struct MHD_Connection *c, struct request *rq)
{
	struct strbuf body = STRBUF_INIT;
	struct metrics_gauges g = { 0, -1, 0, 0 };
	struct state_status st;

	if (s->o.env.store) {
		state_store_status(s->o.env.store, &st);
		g.state_synced = st.synced;
		g.state_age_seconds = st.has_snapshot ? difftime(time(NULL), st.synced_at) : -1;
		g.apps = st.apps;
		g.projects = st.projects;
	}
	if (s->o.env.metrics)
		metrics_render(s->o.env.metrics, &g, &body);
	return reply(s, c, rq, 200, "text/plain; version=0.0.4; charset=utf-8", &body);
}

static enum MHD_Result serve_get(struct server *s, struct MHD_Connection *c, struct request *rq,
                                 const char *url, const char *method)
{
	struct strbuf why = STRBUF_INIT;
	enum MHD_Result ret;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return send_error(s, c, rq, 405, "MethodNotAllowed", "only GET is allowed here",
		                  method, url);
	if (!strcmp(url, "/healthz"))
		return send_text(s, c, rq, 200, "ok\n");
	if (!strcmp(url, "/metrics"))
		return send_metrics(s, c, rq);
	if (ready(s, &why))
		ret = send_text(s, c, rq, 200, "ok\n");
	else
		ret = send_text(s, c, rq, 503, why.buf);
	strbuf_release(&why);
	return ret;
}

static int is_probe(const char *url)
{
	return !strcmp(url, "/healthz") || !strcmp(url, "/readyz") || !strcmp(url, "/metrics");
}

/* First call for a request: route it, and answer at once unless a body is due. */
static enum MHD_Result start_request(struct server *s, struct MHD_Connection *c, const char *url,
                                     const char *method, struct request *rq, int plain)
{
	const char *len_hdr, *ct;
	unsigned long long len;
	char *end;

	if (is_probe(url))
		return serve_get(s, c, rq, url, method);
	if (plain || strcmp(url, "/validate"))
		return send_error(s, c, rq, 404, "NotFound", "no such path: POST /validate", method,
		                  url);
	if (strcmp(method, MHD_HTTP_METHOD_POST))
		return send_error(s, c, rq, 405, "MethodNotAllowed", "/validate takes POST", method,
		                  url);
	ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!is_json(ct))
		return send_error(s, c, rq, 415, "UnsupportedMediaType",
		                  "Content-Type must be application/json", method, url);
	len_hdr = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (len_hdr && ((len = strtoull(len_hdr, &end, 10)), *end == '\0')) {
		if (len > s->o.env.cfg->max_body_bytes)
			return send_error(s, c, rq, 413, "RequestEntityTooLarge",
			                  "AdmissionReview larger than maxRequestBytes", method, url);
		/* One allocation for the body instead of a dozen as it grows. */
		strbuf_grow(&rq->body, (size_t)len);
	}
	rq->validate = 1;
	return MHD_YES;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls, int plain)
{
	struct server *s = cls;
	struct request *rq = *con_cls;
	struct strbuf out = STRBUF_INIT;
	int code;

	if (!rq) {
		rq = xcalloc(1, sizeof(*rq));
		strbuf_init(&rq->body, 0);
		*con_cls = rq;
		atomic_fetch_add(&s->in_flight, 1);
		return start_request(s, c, url, method, rq, plain);
	}
	if (*upload_data_size) {
		if (rq->body.len + *upload_data_size > s->o.env.cfg->max_body_bytes) {
			decision_log_error(s->o.env.log, "closed connection",
			                   "body grew past maxRequestBytes", 413, method, url);
			return MHD_NO;
		}
		strbuf_add(&rq->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	/* The body is ours and done with once judged: parsed where it stands. */
	code = review_http_in_place(&s->o.env, rq->body.buf, rq->body.len, &out);
	return reply(s, c, rq, code, "application/json", &out);
}

static enum MHD_Result handle_tls(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	return handle(cls, c, url, method, version, upload_data, upload_data_size, con_cls, 0);
}

static enum MHD_Result handle_plain(void *cls, struct MHD_Connection *c, const char *url,
                                    const char *method, const char *version, const char *upload_data,
                                    size_t *upload_data_size, void **con_cls)
{
	return handle(cls, c, url, method, version, upload_data, upload_data_size, con_cls, 1);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct request *rq = *con_cls;

	if (!rq)
		return;
	flush_response(c, rq);
	strbuf_release(&rq->body);
	free(rq);
	*con_cls = NULL;
	atomic_fetch_sub(&s->in_flight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct server *s = cls;
	struct strbuf sb = STRBUF_INIT;

	strbuf_vaddf(&sb, fmt, ap);
	while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == ' '))
		strbuf_setlen(&sb, sb.len - 1);
	decision_log_error(s->o.env.log, "libmicrohttpd", sb.buf, 0, NULL, NULL);
	strbuf_release(&sb);
}

int server_parse_addr(const char *addr, struct sockaddr_storage *out, int *is_v6, struct errbuf *err)
{
	const char *colon = strrchr(addr, ':');
	char host[INET6_ADDRSTRLEN + 2];
	unsigned long port;
	size_t hlen;
	char *end;

	memset(out, 0, sizeof(*out));
	if (!colon || !colon[1])
		return errbuf_set(err, "listen address \"%s\": expected host:port", addr);
	port = strtoul(colon + 1, &end, 10);
	hlen = (size_t)(colon - addr);
	if (*end || port > 65535 || hlen >= sizeof(host))
		return errbuf_set(err, "listen address \"%s\": bad port", addr);
	memcpy(host, addr, hlen);
	host[hlen] = '\0';
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;

		host[hlen - 1] = '\0';
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((unsigned short)port);
		*is_v6 = 1;
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			return errbuf_set(err, "listen address \"%s\": bad IPv6 address", addr);
		return 0;
	}
	{
		struct sockaddr_in *a4 = (struct sockaddr_in *)out;

		a4->sin_family = AF_INET;
		a4->sin_port = htons((unsigned short)port);
		*is_v6 = 0;
		if (!*host)
			a4->sin_addr.s_addr = htonl(INADDR_ANY);
		else if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return errbuf_set(err, "listen address \"%s\": expected an IP address", addr);
	}
	return 0;
}

static unsigned int pool_size(const struct webhook_config *cfg)
{
	long n = cfg->threads ? (long)cfg->threads : sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
}

static struct MHD_Daemon *start_daemon(struct server *s, const char *addr, int tls, struct errbuf *err)
{
	const struct webhook_config *cfg = s->o.env.cfg;
	struct sockaddr_storage sa;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
	                     MHD_USE_ERROR_LOG;
	struct MHD_Daemon *d;
	int v6;

	if (server_parse_addr(addr, &sa, &v6, err))
		return NULL;
	if (v6)
		flags |= MHD_USE_IPv6;
	if (tls)
		d = MHD_start_daemon(
			flags | MHD_USE_TLS, 0, NULL, NULL, handle_tls, s,
			MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s, MHD_OPTION_SOCK_ADDR,
			(struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, pool_size(cfg),
			MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->max_connections,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->idle_timeout_s,
			MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_NOTIFY_CONNECTION,
			notify_connection, NULL, MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
			MHD_OPTION_HTTPS_CERT_CALLBACK, tls_certs_callback(), MHD_OPTION_END);
	else
		d = MHD_start_daemon(flags, 0, NULL, NULL, handle_plain, s,
		                     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s, MHD_OPTION_SOCK_ADDR,
		                     (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_LIMIT, 64u,
		                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->idle_timeout_s,
		                     MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_END);
	if (!d)
		errbuf_set(err, "cannot listen on %s%s", addr,
		           tls ? " with TLS (address in use, or no usable certificate)" : "");
	return d;
}

struct server *server_start(const struct server_opts *o, struct errbuf *err)
{
	struct server *s = xcalloc(1, sizeof(*s));

	s->o = *o;
	if (!s->o.env.scratch)
		s->o.env.scratch = s->own_scratch = review_scratch_new();
	s->quiesced_fd = s->quiesced_plain_fd = MHD_INVALID_SOCKET;
	if (o->tls && !MHD_is_feature_supported(MHD_FEATURE_TLS)) {
		errbuf_set(err, "this libmicrohttpd was built without TLS support");
		review_scratch_free(s->own_scratch);
		free(s);
		return NULL;
	}
	s->tls_d = start_daemon(s, o->listen, o->tls, err);
	if (s->tls_d && o->metrics_listen)
		s->plain_d = start_daemon(s, o->metrics_listen, 0, err);
	if (!s->tls_d || (o->metrics_listen && !s->plain_d)) {
		if (s->tls_d)
			MHD_stop_daemon(s->tls_d);
		review_scratch_free(s->own_scratch);
		free(s);
		return NULL;
	}
	return s;
}

static unsigned short daemon_port(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *i;

	if (!d || !(i = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)))
		return 0;
	return i->port;
}

unsigned short server_port(const struct server *s)
{
	return daemon_port(s->tls_d);
}

unsigned short server_metrics_port(const struct server *s)
{
	return daemon_port(s->plain_d);
}

void server_stop(struct server *s, int grace_ms)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	if (!s)
		return;
	atomic_store(&s->draining, 1);
	s->quiesced_fd = MHD_quiesce_daemon(s->tls_d);
	if (s->plain_d)
		s->quiesced_plain_fd = MHD_quiesce_daemon(s->plain_d);
	for (int waited = 0; atomic_load(&s->in_flight) > 0 && waited < grace_ms; waited += 10)
		nanosleep(&tick, NULL);
	MHD_stop_daemon(s->tls_d);
	if (s->plain_d)
		MHD_stop_daemon(s->plain_d);
	if (s->quiesced_fd != MHD_INVALID_SOCKET)
		close(s->quiesced_fd);
	if (s->quiesced_plain_fd != MHD_INVALID_SOCKET)
		close(s->quiesced_plain_fd);
	review_scratch_free(s->own_scratch);
	free(s);
}
