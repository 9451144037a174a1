/*
 * kubeconfig_build.c - validating the selected cluster and user as
 * client-go does and filling the rest_config from them: the normalised
 * server URL, CA and client certificate bytes (decoded or read from their
 * files now, so a missing file is reported at load time), the token, basic
 * auth and impersonation.  Contract in kubeconfig_internal.h.
 */
#include "kubeconfig_internal.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "errbuf.h"
#include "strbuf.h"
#include "xalloc.h"

#define FILE_MAX (4u << 20)

/* --- building the rest_config --- */

static int read_whole(const char *path, char **out, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;

	if (strbuf_read_file(&sb, path, FILE_MAX))
		return -1;
	*out = strbuf_detach(&sb, len);
	return 0;
}

static int decode_data(const struct named *e, const char *kind, const char *key, const char *b64,
                       char **out, size_t *len, struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;

	if (base64_decode(&sb, b64, strlen(b64))) {
		strbuf_release(&sb);
		return errbuf_set(err,
		                  "error loading config file \"%s\": %s \"%s\": \"%s\" is not "
		                  "valid base64",
		                  e ? e->file : "", kind, e ? e->name : "", key);
	}
	*out = strbuf_detach(&sb, len);
	return 0;
}

static int scheme_is(const char *url, size_t n, const char *scheme)
{
	return strlen(scheme) == n && !strncasecmp(url, scheme, n);
}

/* Only the scheme is named: a proxy URL may hold a password. */
static int check_proxy(const struct cluster_src *cs, struct errbuf *err)
{
	const char *p = cs->proxy_url, *sep;
	size_t n;

	if (!set(p))
		return 0;
	sep = strstr(p, "://");
	n = sep ? (size_t)(sep - p) : 0;
	if (!sep || !p[n + 3])
		return errbuf_set(err,
		                  "invalid configuration: proxy-url of cluster \"%s\" is not "
		                  "a URL",
		                  cs->name);
	if (!scheme_is(p, n, "http") && !scheme_is(p, n, "https") && !scheme_is(p, n, "socks5"))
		return errbuf_set(err,
		                  "invalid configuration: proxy-url of cluster \"%s\": "
		                  "unsupported scheme \"%.*s\", must be http, https, or socks5",
		                  cs->name, (int)(n > 32 ? 32 : n), p);
	return 0;
}

/* scheme://host[:port][/prefix]: query and fragment dropped, no trailing
 * '/'.  Without a scheme, https when TLS settings say so (client-go's
 * DefaultServerURL). */
static int normalize_server(const struct cluster_src *cs, char **out, struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s = cs->server, *sep = strstr(s, "://"), *rest;
	size_t n;

	if (!sep) {
		int tls = cs->insecure || set(cs->ca_file) || set(cs->ca_data) ||
		          set(cs->tls_server_name);

		strbuf_addstr(&sb, tls ? "https://" : "http://");
		rest = s;
	} else {
		n = (size_t)(sep - s);
		if (!scheme_is(s, n, "https") && !scheme_is(s, n, "http"))
			return errbuf_set(err,
			                  "invalid configuration: server \"%s\" of cluster \"%s\" "
			                  "is not an http or https URL",
			                  s, cs->name);
		strbuf_addstr(&sb, scheme_is(s, n, "https") ? "https://" : "http://");
		rest = sep + 3;
	}
	/* user:password@ in the URL would travel in error messages and logs;
	 * credentials belong in the user entry. */
	if (memchr(rest, '@', strcspn(rest, "/?#"))) {
		strbuf_release(&sb);
		return errbuf_set(err,
		                  "invalid configuration: the server URL of cluster \"%s\" "
		                  "contains credentials (user@host); put them in the user entry",
		                  cs->name);
	}
	n = strcspn(rest, "?#");
	if (!n || strchr("/?#", rest[0])) {
		strbuf_release(&sb);
		return errbuf_set(err,
		                  "invalid configuration: server \"%s\" of cluster \"%s\" has "
		                  "no host",
		                  s, cs->name);
	}
	while (n && rest[n - 1] == '/')
		n--;
	strbuf_add(&sb, rest, n);
	*out = strbuf_detach(&sb, NULL);
	return 0;
}

static int cluster_check(const struct cluster_src *cs, struct errbuf *err)
{
	if (!set(cs->server))
		return errbuf_set(err, "invalid configuration: no server found for cluster \"%s\"",
		                  cs->name);
	if (set(cs->ca_file) && set(cs->ca_data))
		return errbuf_set(err,
		                  "invalid configuration: certificate-authority-data and "
		                  "certificate-authority are both specified for cluster \"%s\"; "
		                  "certificate-authority-data will override",
		                  cs->name);
	if (cs->insecure && (set(cs->ca_file) || set(cs->ca_data)))
		return errbuf_set(err,
		                  "invalid configuration: specifying a root certificates file "
		                  "with the insecure flag is not allowed (cluster \"%s\")",
		                  cs->name);
	return check_proxy(cs, err);
}

int kcfg_cluster_build(struct rest_config *rc, const struct cluster_src *cs, struct errbuf *err)
{
	if (cluster_check(cs, err) || normalize_server(cs, &rc->server, err))
		return -1;
	if (set(cs->ca_data) && decode_data(cs->e, "cluster", "certificate-authority-data",
	                                    cs->ca_data, &rc->ca_pem, &rc->ca_pem_len, err))
		return -1;
	if (set(cs->ca_file) && read_whole(cs->ca_file, &rc->ca_pem, &rc->ca_pem_len) &&
	    !cs->ca_optional)
		return errbuf_set(err,
		                  "invalid configuration: unable to read certificate-authority "
		                  "%s for cluster \"%s\": %s",
		                  cs->ca_file, cs->name, strerror(errno));
	rc->tls_server_name = set(cs->tls_server_name) ? xstrdup(cs->tls_server_name) : NULL;
	rc->insecure_skip_tls_verify = cs->insecure;
	rc->proxy_url = set(cs->proxy_url) ? xstrdup(cs->proxy_url) : NULL;
	rc->disable_compression = cs->disable_compression;
	return 0;
}

static int user_check_cert(const struct user_src *us, struct errbuf *err)
{
	const char *n = us->name;

	if (set(us->cert_file) && set(us->cert_data))
		return errbuf_set(err,
		                  "invalid configuration: client-cert-data and client-cert are "
		                  "both specified for %s; client-cert-data will override",
		                  n);
	if (set(us->key_file) && set(us->key_data))
		return errbuf_set(err,
		                  "invalid configuration: client-key-data and client-key are "
		                  "both specified for %s; client-key-data will override",
		                  n);
	if ((set(us->cert_file) || set(us->cert_data)) && !set(us->key_file) && !set(us->key_data))
		return errbuf_set(err,
		                  "invalid configuration: client-key-data or client-key must be "
		                  "specified for %s to use the clientCert authentication method",
		                  n);
	if ((set(us->key_file) || set(us->key_data)) && !set(us->cert_file) && !set(us->cert_data))
		return errbuf_set(err,
		                  "invalid configuration: client-certificate-data or "
		                  "client-certificate must be specified for %s to use the client "
		                  "key",
		                  n);
	return 0;
}

static int user_check(const struct user_src *us, struct errbuf *err)
{
	const char *n = us->name;
	int groups = us->as_groups_ov || (us->as_groups && us->as_groups->child);

	if (set(us->token) && (set(us->username) || set(us->password)))
		return errbuf_set(err,
		                  "invalid configuration: more than one authentication method "
		                  "found for %s; found [token basicAuth], only one is allowed",
		                  n);
	if (user_check_cert(us, err))
		return -1;
	if (us->exec && us->auth_provider)
		return errbuf_set(err,
		                  "invalid configuration: authProvider cannot be provided in "
		                  "combination with an exec plugin for %s",
		                  n);
	if (us->auth_provider) {
		const cJSON *pn = cJSON_GetObjectItemCaseSensitive(us->auth_provider, "name");

		return errbuf_set(
			err,
			"user \"%s\": auth-provider \"%.64s\" is not supported, use "
			"an exec credential plugin (client.authentication.k8s.io) instead",
			n, cJSON_IsString(pn) ? pn->valuestring : "");
	}
	if ((set(us->as_uid) || groups || us->has_as_extra) && !set(us->as))
		return errbuf_set(err,
		                  "invalid configuration: requesting uid, groups or user-extra "
		                  "for %s without impersonating a user",
		                  n);
	return 0;
}

void kcfg_trim(struct strbuf *sb)
{
	size_t start = 0, end = sb->len;

	while (start < end && strchr(" \t\r\n", sb->buf[start]))
		start++;
	while (end > start && strchr(" \t\r\n", sb->buf[end - 1]))
		end--;
	memmove(sb->buf, sb->buf + start, end - start);
	strbuf_setlen(sb, end - start);
}

static int read_token_file(struct rest_config *rc, const struct user_src *us, struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;

	if (strbuf_read_file(&sb, us->token_file, FILE_MAX))
		return errbuf_set(err,
		                  "invalid configuration: unable to read tokenFile %s for "
		                  "user \"%s\": %s",
		                  us->token_file, us->name, strerror(errno));
	kcfg_trim(&sb);
	rc->token = strbuf_detach(&sb, NULL);
	return 0;
}

static int read_pem(const struct user_src *us, const char *what, const char *path, char **out,
                    size_t *len, struct errbuf *err)
{
	if (read_whole(path, out, len))
		return errbuf_set(err, "invalid configuration: unable to read %s %s for %s: %s",
		                  what, path, us->name, strerror(errno));
	return 0;
}

static void copy_groups(struct rest_config *rc, const struct user_src *us)
{
	size_t n = 0, i;
	const cJSON *it;

	if (us->as_groups_ov) {
		while (us->as_groups_ov[n])
			n++;
		rc->as_groups = xcalloc(n + 1, sizeof(char *));
		for (i = 0; i < n; i++)
			rc->as_groups[i] = xstrdup(us->as_groups_ov[i]);
	} else if (us->as_groups && us->as_groups->child) {
		n = (size_t)cJSON_GetArraySize(us->as_groups);
		rc->as_groups = xcalloc(n + 1, sizeof(char *));
		i = 0;
		cJSON_ArrayForEach (it, us->as_groups)
			rc->as_groups[i++] = xstrdup(it->valuestring);
	}
}

int kcfg_user_build(struct rest_config *rc, const struct user_src *us, struct errbuf *err)
{
	if (user_check(us, err))
		return -1;
	if (set(us->token))
		rc->token = xstrdup(us->token);
	if (set(us->token_file)) {
		rc->token_file = xstrdup(us->token_file);
		if (!rc->token && read_token_file(rc, us, err))
			return -1;
	}
	if (set(us->cert_data) ? decode_data(us->e, "user", "client-certificate-data", us->cert_data,
	                                     &rc->client_cert_pem, &rc->client_cert_pem_len, err)
	                       : set(us->cert_file) && read_pem(us, "client-cert", us->cert_file,
	                                                        &rc->client_cert_pem,
	                                                        &rc->client_cert_pem_len, err))
		return -1;
	if (set(us->key_data) ? decode_data(us->e, "user", "client-key-data", us->key_data,
	                                    &rc->client_key_pem, &rc->client_key_pem_len, err)
	                      : set(us->key_file) &&
	                                read_pem(us, "client-key", us->key_file,
	                                         &rc->client_key_pem, &rc->client_key_pem_len, err))
		return -1;
	rc->username = set(us->username) ? xstrdup(us->username) : NULL;
	rc->password = set(us->password) ? xstrdup(us->password) : NULL;
	rc->as_user = set(us->as) ? xstrdup(us->as) : NULL;
	rc->as_uid = set(us->as_uid) ? xstrdup(us->as_uid) : NULL;
	copy_groups(rc, us);
	return 0;
}
