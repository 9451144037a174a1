/*
 * fixed-rate: an open-loop HTTPS load generator for the webhook benchmark.
 * wrk measures a server at its peak; this sends at a fixed offered rate, so
 * the latency of a server that is not saturated can be read (wrk2 is not
 * packaged in Debian).  bench/webhook.sh builds it into build/bench/.
 *
 *   fixed-rate --port P --rate R [--connections C] [--duration S]
 *              [--warmup S] [--cacert F] [--path /validate] BODY.json...
 *
 * Each of the C keep-alive connections sends R/C requests per second on a
 * fixed schedule (connection k starts k/R seconds after the first), the
 * bodies in rotation.  One thread drives all of them with non-blocking
 * sockets and ppoll(): a thread per connection cost the client nearly a
 * core at 25,000 requests/s, taken from the server it measures on a
 * 2-core machine.  Latency is measured from the time a request was due,
 * not from when it was sent: a server that falls behind delays the requests
 * queued behind a slow one, and that wait is counted (wrk2's correction for
 * coordinated omission).  The raw send-to-response time is printed as well.
 * Requests due in the warm-up are sent but not counted.
 *
 * Prints one line:
 *   FIXED offered=R achieved=A requests=N errors=E non200=X reconnects=K
 *         p50_us=.. p90_us=.. p99_us=.. p999_us=.. max_us=.. raw_p50_us=.. raw_p99_us=..
 * Exit status 0, or 2 when it cannot run (bad arguments, no connection).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

struct opts {
	int port, connections;
	double rate, duration, warmup;
	const char *cacert, *path;
	char **bodies;
	int nr_bodies;
};

struct req {
	char *buf;
	size_t len;
};

struct conn {
	const struct opts *o;
	SSL_CTX *ctx;
	const struct req *reqs;
	int nr_reqs, index;
	double t0; /* when this connection's first request is due */
	double interval;
	uint32_t *lat, *raw; /* microseconds, one per counted request */
	size_t nr, alloc;
	long errors, non200, reconnects, sent;
	SSL *ssl;
	long j; /* the request due next, or in flight */
	int busy; /* a request is in flight */
	double sent_at;
	size_t have; /* response bytes read so far */
	char buf[65536];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int make_requests(const struct opts *o, struct req **out)
{
	struct req *r = calloc((size_t)o->nr_bodies, sizeof(*r));

	for (int i = 0; r && i < o->nr_bodies; i++) {
		size_t blen;
		char *body = read_file(o->bodies[i], &blen);
		int hlen;

		if (!body) {
			fprintf(stderr, "fixed-rate: cannot read %s\n", o->bodies[i]);
			return -1;
		}
		hlen = snprintf(NULL, 0,
		                "POST %s HTTP/1.1\r\nHost: localhost\r\n"
		                "Content-Type: application/json\r\nAccept: application/json\r\n"
		                "Content-Length: %zu\r\n\r\n",
		                o->path, blen);
		r[i].buf = malloc((size_t)hlen + blen + 1);
		if (!r[i].buf)
			return -1;
		snprintf(r[i].buf, (size_t)hlen + 1,
		         "POST %s HTTP/1.1\r\nHost: localhost\r\n"
		         "Content-Type: application/json\r\nAccept: application/json\r\n"
		         "Content-Length: %zu\r\n\r\n",
		         o->path, blen);
		memcpy(r[i].buf + hlen, body, blen);
		r[i].len = (size_t)hlen + blen;
		free(body);
	}
	*out = r;
	return r ? 0 : -1;
}

static SSL *dial(struct conn *c)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)c->o->port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	SSL *ssl;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return NULL;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ssl = SSL_new(c->ctx);
	if (!ssl) {
		close(fd);
		return NULL;
	}
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, "localhost");
	SSL_set1_host(ssl, "localhost");
	if (SSL_connect(ssl) != 1) {
		SSL_free(ssl);
		close(fd);
		return NULL;
	}
	/* The handshake blocks; the requests and answers do not. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return ssl;
}

static void hang_up(SSL **ssl)
{
	int fd;

	if (!*ssl)
		return;
	fd = SSL_get_fd(*ssl);
	SSL_free(*ssl);
	close(fd);
	*ssl = NULL;
}

/* Writes all of it, waiting for room if the socket is full. */
static int write_all(SSL *ssl, const char *p, size_t n)
{
	while (n) {
		int w = SSL_write(ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);
		struct pollfd pfd = { SSL_get_fd(ssl), POLLOUT, 0 };

		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (SSL_get_error(ssl, w) != SSL_ERROR_WANT_WRITE &&
		    SSL_get_error(ssl, w) != SSL_ERROR_WANT_READ)
			return -1;
		poll(&pfd, 1, 1000);
	}
	return 0;
}

/*
 * Reads what has arrived.  Returns the status code once the whole answer
 * is in, 0 while it is not, -1 when the connection broke.
 */
static int read_some(struct conn *c)
{
	size_t need;
	char *end, *cl;
	int status;

	for (;;) {
		int r;

		if (c->have == sizeof(c->buf) - 1)
			return -1;
		r = SSL_read(c->ssl, c->buf + c->have, (int)(sizeof(c->buf) - c->have - 1));
		if (r <= 0) {
			int e = SSL_get_error(c->ssl, r);

			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				return 0;
			return -1;
		}
		c->have += (size_t)r;
		c->buf[c->have] = '\0';
		if (!(end = strstr(c->buf, "\r\n\r\n")))
			continue;
		cl = strcasestr(c->buf, "\r\nContent-Length:");
		if (!cl || cl > end)
			return -1; /* both servers send a length */
		need = (size_t)(end + 4 - c->buf) + (size_t)strtol(cl + 17, NULL, 10);
		if (need >= sizeof(c->buf))
			return -1;
		if (c->have < need)
			continue;
		if (c->have > need || sscanf(c->buf, "HTTP/1.%*d %d", &status) != 1)
			return -1; /* nothing was asked for beyond this answer */
		c->have = 0;
		return status;
	}
}

static void record(struct conn *c, double due, double sent, double done)
{
	double lat = (done - due) * 1e6, raw = (done - sent) * 1e6;

	if (c->nr == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 4096;
		c->lat = realloc(c->lat, c->alloc * sizeof(*c->lat));
		c->raw = realloc(c->raw, c->alloc * sizeof(*c->raw));
		if (!c->lat || !c->raw)
			abort();
	}
	c->lat[c->nr] = lat > UINT32_MAX ? UINT32_MAX : (uint32_t)lat;
	c->raw[c->nr] = raw > UINT32_MAX ? UINT32_MAX : (uint32_t)raw;
	c->nr++;
}

static double due_at(const struct conn *c)
{
	return c->t0 + (double)c->j * c->interval;
}

static void broke(struct conn *c)
{
	c->errors++;
	c->reconnects++;
	hang_up(&c->ssl);
	c->busy = 0;
	c->j++;
}

/* Sends every request that is due on an idle connection. */
static void send_due(struct conn *cs, int n, double end)
{
	double now = now_s();

	for (int i = 0; i < n; i++) {
		struct conn *c = &cs[i];
		const struct req *r;

		if (c->busy || due_at(c) >= end || due_at(c) > now)
			continue;
		if (!c->ssl && !(c->ssl = dial(c))) {
			c->errors++;
			c->j++;
			continue;
		}
		r = &c->reqs[(c->index + c->j) % c->nr_reqs];
		c->sent_at = now_s();
		c->sent++;
		c->have = 0;
		if (write_all(c->ssl, r->buf, r->len)) {
			broke(c);
			continue;
		}
		c->busy = 1;
	}
}

static void answered(struct conn *c, int status)
{
	double due = due_at(c);

	if (status != 200)
		c->non200++;
	if (due >= c->t0 + c->o->warmup)
		record(c, due, c->sent_at, now_s());
	c->busy = 0;
	c->j++;
}

/* The wait until the next request is due, or 1 s when none is. */
static struct timespec next_wait(const struct conn *cs, int n, double end, int *left)
{
	double next = -1, now = now_s(), d;
	struct timespec ts = { 1, 0 };

	*left = 0;
	for (int i = 0; i < n; i++) {
		if (cs[i].busy || due_at(&cs[i]) < end)
			(*left)++;
		if (!cs[i].busy && due_at(&cs[i]) < end && (next < 0 || due_at(&cs[i]) < next))
			next = due_at(&cs[i]);
	}
	if (next >= 0) {
		d = next > now ? next - now : 0;
		ts.tv_sec = (time_t)d;
		ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
	}
	return ts;
}

static void run(struct conn *cs, int n, double end)
{
	struct pollfd *pfd = calloc((size_t)n, sizeof(*pfd));
	int left;

	if (!pfd)
		abort();
	for (;;) {
		struct timespec wait;

		send_due(cs, n, end);
		wait = next_wait(cs, n, end, &left);
		if (!left)
			break;
		for (int i = 0; i < n; i++) {
			pfd[i].fd = cs[i].busy ? SSL_get_fd(cs[i].ssl) : -1;
			pfd[i].events = POLLIN;
			/* Bytes OpenSSL already holds are not seen by poll. */
			if (cs[i].busy && SSL_has_pending(cs[i].ssl))
				wait = (struct timespec){ 0, 0 };
		}
		if (ppoll(pfd, (nfds_t)n, &wait, NULL) < 0 && errno != EINTR)
			abort();
		for (int i = 0; i < n; i++) {
			int status;

			if (!cs[i].busy || (!pfd[i].revents && !SSL_has_pending(cs[i].ssl)))
				continue;
			status = read_some(&cs[i]);
			if (status < 0)
				broke(&cs[i]);
			else if (status > 0)
				answered(&cs[i], status);
		}
	}
	free(pfd);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static uint32_t pct(const uint32_t *v, size_t n, double p)
{
	size_t i;

	if (!n)
		return 0;
	i = (size_t)(p / 100.0 * (double)n);
	return v[i >= n ? n - 1 : i];
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){
		.connections = 16, .duration = 10, .warmup = 1, .path = "/validate?timeout=10s"
	};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (a[0] != '-') {
			o->bodies = argv + i;
			o->nr_bodies = argc - i;
			break;
		}
		if (!v)
			return -1;
		i++;
		if (!strcmp(a, "--port"))
			o->port = atoi(v);
		else if (!strcmp(a, "--rate"))
			o->rate = atof(v);
		else if (!strcmp(a, "--connections"))
			o->connections = atoi(v);
		else if (!strcmp(a, "--duration"))
			o->duration = atof(v);
		else if (!strcmp(a, "--warmup"))
			o->warmup = atof(v);
		else if (!strcmp(a, "--cacert"))
			o->cacert = v;
		else if (!strcmp(a, "--path"))
			o->path = v;
		else
			return -1;
	}
	if (o->port <= 0 || o->port > 65535 || o->rate <= 0 || o->connections <= 0 ||
	    o->duration <= 0 || o->warmup < 0 || !o->nr_bodies)
		return -1;
	return 0;
}

static SSL_CTX *make_ctx(const struct opts *o)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* One read for a record's header and body, not two. */
	SSL_CTX_set_read_ahead(ctx, 1);
	if (o->cacert) {
		if (SSL_CTX_load_verify_locations(ctx, o->cacert, NULL) != 1) {
			SSL_CTX_free(ctx);
			return NULL;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	return ctx;
}

static void report(const struct opts *o, struct conn *cs, double elapsed)
{
	size_t n = 0, k = 0;
	long errors = 0, non200 = 0, reconnects = 0;
	uint32_t *lat, *raw;

	for (int i = 0; i < o->connections; i++) {
		n += cs[i].nr;
		errors += cs[i].errors;
		non200 += cs[i].non200;
		reconnects += cs[i].reconnects;
	}
	lat = malloc((n + 1) * sizeof(*lat));
	raw = malloc((n + 1) * sizeof(*raw));
	if (!lat || !raw)
		abort();
	for (int i = 0; i < o->connections; i++) {
		memcpy(lat + k, cs[i].lat, cs[i].nr * sizeof(*lat));
		memcpy(raw + k, cs[i].raw, cs[i].nr * sizeof(*raw));
		k += cs[i].nr;
	}
	qsort(lat, n, sizeof(*lat), cmp_u32);
	qsort(raw, n, sizeof(*raw), cmp_u32);
	printf("FIXED offered=%.0f achieved=%.1f requests=%zu errors=%ld non200=%ld "
	       "reconnects=%ld p50_us=%u p90_us=%u p99_us=%u p999_us=%u max_us=%u "
	       "raw_p50_us=%u raw_p99_us=%u\n",
	       o->rate, (double)n / elapsed, n, errors, non200, reconnects, pct(lat, n, 50),
	       pct(lat, n, 90), pct(lat, n, 99), pct(lat, n, 99.9), n ? lat[n - 1] : 0,
	       pct(raw, n, 50), pct(raw, n, 99));
	free(lat);
	free(raw);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct req *reqs;
	struct conn *cs;
	SSL_CTX *ctx;
	double start;
	int failed = 0;

	if (parse_args(argc, argv, &o)) {
		fprintf(stderr,
		        "usage: fixed-rate --port P --rate R [--connections C] "
		        "[--duration S] [--warmup S] [--cacert F] [--path P] BODY.json...\n");
		return 2;
	}
	if (make_requests(&o, &reqs) || !(ctx = make_ctx(&o))) {
		fprintf(stderr, "fixed-rate: cannot prepare the requests or the TLS context\n");
		return 2;
	}
	cs = calloc((size_t)o.connections, sizeof(*cs));
	if (!cs)
		return 2;
	for (int i = 0; i < o.connections; i++) {
		cs[i] = (struct conn){ .o = &o,
			               .ctx = ctx,
			               .reqs = reqs,
			               .nr_reqs = o.nr_bodies,
			               .index = i,
			               .interval = o.connections / o.rate };
		if (!(cs[i].ssl = dial(&cs[i])))
			failed++;
	}
	if (failed) {
		fprintf(stderr, "fixed-rate: %d of %d connections could not be made\n", failed,
		        o.connections);
		return 2;
	}
	start = now_s() + 0.05;
	for (int i = 0; i < o.connections; i++)
		cs[i].t0 = start + i / o.rate;
	run(cs, o.connections, start + o.warmup + o.duration);
	report(&o, cs, o.duration);
	return 0;
}
