/*
 * kube_client_auth.c - who the client says it is: TLS trust and client
 * certificates, and the headers of each request (bearer token, token file,
 * basic auth, exec plugin credentials, impersonation).
 *
 * Credentials go only to https servers, as client-go does.  Every buffer
 * that held a credential is wiped before it is freed.
 */
#include "kube_client.h"
#include "kube_client_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base64.h"
#include "errbuf.h"
#include "exec_credential.h"
#include "xalloc.h"

#define TOKEN_FILE_MAX ((size_t)1 << 20)
#define TOKEN_FILE_TTL_MS 60000

/* Installs a PEM client certificate and key (a length of 0 = strlen). */
static void set_client_cert(CURL *h, const char *cert, size_t cert_len, const char *key,
                            size_t key_len)
{
	struct curl_blob blob;

	blob.flags = CURL_BLOB_COPY;
	blob.data = (void *)cert;
	blob.len = cert_len ? cert_len : strlen(cert);
	curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
	curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &blob);
	blob.data = (void *)key;
	blob.len = key_len ? key_len : strlen(key);
	curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
	curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &blob);
}

void kube_client_setup_tls(struct kube_client *kc)
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
	if (rc->client_cert_pem && rc->client_key_pem)
		set_client_cert(kc->h, rc->client_cert_pem, rc->client_cert_pem_len,
		                rc->client_key_pem, rc->client_key_pem_len);
}

void kube_wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
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
		kube_wipe_free(kc->file_token);
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
	if (!r->client_cert_pem || !r->client_key_pem)
		return;
	set_client_cert(kc->h, r->client_cert_pem, 0, r->client_key_pem, 0);
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

/* A value with CR or LF would end the header and start another one (header
 * injection from a token file or an --as value); Go's net/http refuses
 * such values too. */
static int header_value_ok(const char *v)
{
	return !strpbrk(v, "\r\n");
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
		kube_wipe_free(b64);
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
	if (sb.len && !header_value_ok(sb.buf)) {
		errbuf_set(err, "the credentials contain a line break; refusing to send them");
		*failed = 1;
	} else if (sb.len) {
		l = add_header(l, "Authorization", sb.buf);
	}
	explicit_bzero(sb.buf, sb.len);
	strbuf_release(&sb);
	return l;
}

void kube_client_free_headers(struct curl_slist *l)
{
	struct curl_slist *p;

	/* The list may hold a bearer token: leave nothing behind in the heap. */
	for (p = l; p; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

struct curl_slist *kube_client_build_headers(struct kube_client *kc, const char *content_type,
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
	if ((rc->as_user && !header_value_ok(rc->as_user)) ||
	    (rc->as_uid && !header_value_ok(rc->as_uid))) {
		errbuf_set(err, "an impersonation value contains a line break");
		*failed = 1;
		return l;
	}
	if (rc->as_user)
		l = add_header(l, "Impersonate-User", rc->as_user);
	if (rc->as_uid)
		l = add_header(l, "Impersonate-Uid", rc->as_uid);
	for (g = rc->as_groups; g && *g; g++) {
		if (!header_value_ok(*g)) {
			errbuf_set(err, "an impersonation value contains a line break");
			*failed = 1;
			return l;
		}
		l = add_header(l, "Impersonate-Group", *g);
	}
	return add_auth(kc, l, used_exec, err, failed);
}
