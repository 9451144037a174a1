/*
 * kube_client_log.c - kubectl's -v request log (levels in kube_client.h).
 *
 * Authorization values are masked at every level, in headers and in the
 * curl command line alike: no credential is ever written.  Bodies are
 * masked too: the data of a Secret (and its last-applied annotation), the
 * token of a TokenReview or TokenRequest; a body of such a request that is
 * not JSON is not shown at all.  Userinfo in a URL is masked.  Everything
 * the server sent is passed through term_escape().
 */
#include "kube_client.h"
#include "kube_client_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json_util.h"

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
		return; /* a header we asked libcurl to drop */
	fprintf(f, "    %s\n", line);
}

#define MASKED "<masked>"

/* Replaces member v of obj with "<masked>", keeping its key. */
static void mask_item(cJSON *obj, cJSON *v)
{
	cJSON *m = cJSON_CreateString(MASKED);

	if (!m)
		abort(); /* out of memory, as xalloc does: never log unmasked */
	m->string = v->string;
	v->string = NULL;
	cJSON_ReplaceItemViaPointer(obj, v, m);
}

/* Masks every non-null member `key` of obj (a duplicated key included);
 * with key NULL, every member.  Returns how many it masked. */
static int mask_members(cJSON *obj, const char *key)
{
	cJSON *v, *next;
	int n = 0;

	for (v = cJSON_IsObject(obj) ? obj->child : NULL; v; v = next) {
		next = v->next;
		if (v->string && (!key || !strcmp(v->string, key)) && !cJSON_IsNull(v)) {
			mask_item(obj, v);
			n++;
		}
	}
	return n;
}

/* Masks every member of every object member `key` of obj. */
static int mask_values(cJSON *obj, const char *key)
{
	cJSON *v;
	int n = 0;

	for (v = cJSON_IsObject(obj) ? obj->child : NULL; v; v = v->next)
		if (v->string && !strcmp(v->string, key))
			n += mask_members(v, NULL);
	return n;
}

/* Masks the credentials in v (an object, a list of them, or a watch
 * event); secret says v is a Secret even without a kind (list items).
 * Returns how many values it masked. */
static int mask_credentials(cJSON *v, int secret)
{
	const char *kind = json_str(v, "kind", "");
	cJSON *items, *it;
	int n = 0;

	if (!cJSON_IsObject(v))
		return 0;
	if (secret || !strcmp(kind, "Secret")) {
		n += mask_values(v, "data");
		n += mask_values(v, "stringData");
		n += mask_members(
			cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(v, "metadata"), "annotations"),
			"kubectl.kubernetes.io/last-applied-configuration");
	}
	if (!strcmp(kind, "TokenReview"))
		n += mask_members(cJSON_GetObjectItemCaseSensitive(v, "spec"), "token");
	if (!strcmp(kind, "TokenRequest"))
		n += mask_members(cJSON_GetObjectItemCaseSensitive(v, "status"), "token");
	items = cJSON_GetObjectItemCaseSensitive(v, "items");
	for (it = cJSON_IsArray(items) ? items->child : NULL; it; it = it->next)
		n += mask_credentials(it, !strcmp(kind, "SecretList"));
	return n + mask_credentials(cJSON_GetObjectItemCaseSensitive(v, "object"), 0);
}

/* Whether the URL's path has a segment whose bodies carry credentials by
 * nature: secrets, tokenreviews, a serviceaccount's token. */
static int sensitive_url(const char *url)
{
	static const char *const segs[] = { "secrets", "tokenreviews", "tokenrequests", "token" };
	const char *p = strstr(url, "://");
	size_t i, n;

	for (p = p ? strchr(p + 3, '/') : NULL; p && *p == '/'; p += n) {
		n = strcspn(++p, "/?#");
		for (i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
			if (n == strlen(segs[i]) && !strncmp(p, segs[i], n))
				return 1;
	}
	return 0;
}

/* The URL with any user:password@ masked, escaped. */
static void add_url(struct strbuf *sb, const char *url)
{
	const char *auth = strstr(url, "://"), *end, *at;

	if (auth) {
		auth += 3;
		end = auth + strcspn(auth, "/?#");
		at = memchr(auth, '@', (size_t)(end - auth));
		if (at) {
			struct strbuf t = STRBUF_INIT;

			strbuf_add(&t, url, (size_t)(auth - url));
			strbuf_addstr(&t, MASKED);
			strbuf_addstr(&t, at);
			term_escape(sb, t.buf);
			strbuf_release(&t);
			return;
		}
	}
	term_escape(sb, url);
}

static void log_body(const struct kube_client *kc, const char *what, const char *url,
                     const char *body, size_t len)
{
	FILE *f = logf_of(kc);
	cJSON *j = cJSON_ParseWithLength(body, len);
	struct strbuf raw = STRBUF_INIT, out = STRBUF_INIT;
	char *printed = NULL;
	int parsed = j != NULL;

	/* Re-printed only when something was masked: the log shows the bytes
	 * the server sent whenever it can. */
	if (j && mask_credentials(j, 0)) {
		printed = cJSON_PrintUnformatted(j);
		if (!printed) {
			cJSON_Delete(j);
			return;
		}
		body = printed;
		len = strlen(printed);
	}
	cJSON_Delete(j);
	if (!parsed && sensitive_url(url)) {
		fprintf(f, "%s: [%zu bytes not shown: it may hold credentials]\n", what, len);
		return;
	}
	strbuf_add(&raw, body, kc->verbosity >= 9 || len <= LOG_BODY_MAX ? len : LOG_BODY_MAX);
	term_escape(&out, raw.buf);
	if (kc->verbosity >= 9 || len <= LOG_BODY_MAX)
		fprintf(f, "%s: %s\n", what, out.buf);
	else
		fprintf(f, "%s: %s [truncated %zu chars]\n", what, out.buf, len - LOG_BODY_MAX);
	strbuf_release(&raw);
	strbuf_release(&out);
	cJSON_free(printed);
}

void kube_client_log_request(const struct kube_client *kc, const char *method, const char *url,
                             const struct curl_slist *hdrs, const char *body, size_t len)
{
	FILE *f = logf_of(kc);
	const struct curl_slist *p;
	struct strbuf u = STRBUF_INIT;

	if (kc->verbosity >= 9) {
		fprintf(f, "curl -v -X%s", method);
		for (p = hdrs; p; p = p->next) {
			size_t n = strcspn(p->data, ":");

			if (n == 13 && !strncasecmp(p->data, "Authorization", 13))
				fprintf(f, " -H \"Authorization: <masked>\"");
			else if (p->data[n] == ':' && p->data[n + 1])
				fprintf(f, " -H \"%s\"", p->data);
		}
		strbuf_addch(&u, '\'');
		add_url(&u, url);
		fprintf(f, " %s'\n", u.buf);
	}
	if (kc->verbosity >= 7) {
		fprintf(f, "Request Headers:\n");
		for (p = hdrs; p; p = p->next)
			log_header_line(f, p->data);
	}
	if (kc->verbosity >= 8 && body)
		log_body(kc, "Request Body", url, body, len);
	strbuf_release(&u);
}

void kube_client_log_response(const struct kube_client *kc, const char *method, const char *url,
                              long status, long long ms, const struct xfer *x)
{
	FILE *f = logf_of(kc);
	struct strbuf sb = STRBUF_INIT;

	add_url(&sb, url);
	if (status)
		fprintf(f, "%s %s %ld %s in %lld milliseconds\n", method, sb.buf, status,
		        kube_status_text(status), ms);
	else
		fprintf(f, "%s %s  in %lld milliseconds\n", method, sb.buf, ms);
	if (kc->verbosity >= 7 && x->headers.len) {
		strbuf_reset(&sb);
		term_escape(&sb, x->headers.buf);
		fprintf(f, "Response Headers:\n%s", sb.buf);
	}
	if (kc->verbosity >= 8 && x->body && x->body->len)
		log_body(kc, "Response Body", url, x->body->buf, x->body->len);
	strbuf_release(&sb);
	fflush(f);
}
