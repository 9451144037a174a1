/*
 * kube_client_log.c - kubectl's -v request log (levels in kube_client.h).
 *
 * Authorization values are masked at every level, in headers and in the
 * curl command line alike: no credential is ever written.
 */
#include "kube_client.h"
#include "kube_client_internal.h"

#include <string.h>
#include <strings.h>

#define LOG_BODY_MAX 4096

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

void kube_client_log_request(const struct kube_client *kc, const char *method, const char *url,
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

void kube_client_log_response(const struct kube_client *kc, const char *method, const char *url,
			      long status, long long ms, const struct xfer *x)
{
	FILE *f = logf_of(kc);

	if (status)
		fprintf(f, "%s %s %ld %s in %lld milliseconds\n", method, url, status,
			kube_status_text(status), ms);
	else
		fprintf(f, "%s %s  in %lld milliseconds\n", method, url, ms);
	if (kc->verbosity >= 7 && x->headers.len)
		fprintf(f, "Response Headers:\n%s", x->headers.buf);
	if (kc->verbosity >= 8 && x->body && x->body->len)
		log_body(kc, "Response Body", x->body->buf, x->body->len);
	fflush(f);
}
