/*
 * project_match.c - Argo CD's AppProject restriction checks on cJSON.
 *
 * The rules, including their oddities (a deny-only list permits the rest,
 * an explicit empty namespace whitelist permits nothing), are Argo CD's;
 * see project_match.h and ../shared/docs/argocd.md §6.2.  The repo URL
 * normalisation reproduces the part of Go's net/url that NormalizeGitURL
 * exercises, because the glob is matched against its output: a pattern
 * that Go re-escapes (say "{a,b}" in a path) no longer works as a glob.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "glob.h"
#include "project_match.h"
#include "strbuf.h"
#include "xalloc.h"

/* ---- Go net/url, as far as Parse(s).String() goes ------------------- */

enum url_enc { ENC_PATH, ENC_HOST, ENC_ZONE, ENC_USERINFO, ENC_FRAGMENT };

struct go_url {
	struct strbuf scheme, opaque, user, pass, host, rawpath, rawfrag;
	const char *query;
	size_t querylen;
	int has_user, has_pass, has_query, omit_host;
};

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int unhex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Go's shouldEscape: must byte c be %-encoded in this part of a URL? */
static int should_escape(unsigned char c, enum url_enc mode)
{
	if (is_alnum(c))
		return 0;
	if ((mode == ENC_HOST || mode == ENC_ZONE) && c && strchr("!$&'()*+,;=:[]<>\"", c))
		return 0;
	if (c == '-' || c == '_' || c == '.' || c == '~')
		return 0;
	if (c && strchr("$&+,/:;=?@", c)) {
		if (mode == ENC_PATH)
			return c == '?';
		if (mode == ENC_USERINFO)
			return c == '@' || c == '/' || c == '?' || c == ':';
		if (mode == ENC_FRAGMENT)
			return 0;
	}
	if (mode == ENC_FRAGMENT && c && strchr("!()*", c))
		return 0;
	return 1;
}

static void url_escape(struct strbuf *out, const char *s, size_t n, enum url_enc mode)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (should_escape(c, mode)) {
			strbuf_addch(out, '%');
			strbuf_addch(out, hex[c >> 4]);
			strbuf_addch(out, hex[c & 15]);
		} else {
			strbuf_addch(out, c);
		}
	}
}

/* Go's unescape: checks the %-escapes (and host bytes), decodes into out. */
static int url_unescape(struct strbuf *out, const char *s, size_t n, enum url_enc mode)
{
	size_t i;
	int v;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c != '%') {
			if ((mode == ENC_HOST || mode == ENC_ZONE) && c < 0x80 &&
			    should_escape(c, mode))
				return -1;
			strbuf_addch(out, c);
			continue;
		}
		if (i + 2 >= n || unhex(s[i + 1]) < 0 || unhex(s[i + 2]) < 0)
			return -1;
		v = unhex(s[i + 1]) << 4 | unhex(s[i + 2]);
		if (mode == ENC_HOST && unhex(s[i + 1]) < 8 && strncmp(s + i, "%25", 3))
			return -1;
		if (mode == ENC_ZONE && strncmp(s + i, "%25", 3) && v != ' ' &&
		    should_escape((unsigned char)v, ENC_HOST))
			return -1;
		strbuf_addch(out, v);
		i += 2;
	}
	return 0;
}

/* Go's validEncoded: may this raw text be output as it is? */
static int valid_encoded(const char *s, size_t n, enum url_enc mode)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr("!$&'()*+,;=:@[]%", s[i]) || !s[i])
			if (should_escape(s[i], mode))
				return 0;
	return 1;
}

/* A path or fragment as String() writes it back. */
static int add_reencoded(struct strbuf *out, const char *raw, size_t n, enum url_enc mode)
{
	struct strbuf dec = STRBUF_INIT;

	if (url_unescape(&dec, raw, n, mode)) {
		strbuf_release(&dec);
		return -1;
	}
	if (valid_encoded(raw, n, mode))
		strbuf_add(out, raw, n);
	else
		url_escape(out, dec.buf, dec.len, mode);
	strbuf_release(&dec);
	return 0;
}

static int valid_port(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return 1;
	if (s[0] != ':')
		return 0;
	for (i = 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static const char *memrchr_c(const char *s, size_t n, char c)
{
	while (n--)
		if (s[n] == c)
			return s + n;
	return NULL;
}

static int parse_host(struct go_url *u, const char *h, size_t n)
{
	const char *close, *colon, *zone;
	size_t i;

	if (n && h[0] == '[') {
		if (!(close = memrchr_c(h, n, ']')))
			return -1;
		i = close - h;
		if (!valid_port(close + 1, n - i - 1))
			return -1;
		zone = memmem(h, i, "%25", 3);
		if (zone)
			return url_unescape(&u->host, h, zone - h, ENC_HOST) ||
			                       url_unescape(&u->host, zone, close - zone, ENC_ZONE) ||
			                       url_unescape(&u->host, close, n - i, ENC_HOST)
			               ? -1
			               : 0;
	} else if ((colon = memrchr_c(h, n, ':')) && !valid_port(colon, n - (colon - h))) {
		return -1;
	}
	return url_unescape(&u->host, h, n, ENC_HOST);
}

static int valid_userinfo(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_alnum(s[i]) && (!s[i] || !strchr("-._:~!$&'()*+,;=%@", s[i])))
			return 0;
	return 1;
}

static int parse_authority(struct go_url *u, const char *a, size_t n)
{
	const char *at = memrchr_c(a, n, '@'), *colon;

	if (!at)
		return parse_host(u, a, n);
	if (parse_host(u, at + 1, n - (at - a) - 1) || !valid_userinfo(a, at - a))
		return -1;
	u->has_user = 1;
	colon = memchr(a, ':', at - a);
	if (!colon)
		return url_unescape(&u->user, a, at - a, ENC_USERINFO);
	u->has_pass = 1;
	return url_unescape(&u->user, a, colon - a, ENC_USERINFO) ||
	                       url_unescape(&u->pass, colon + 1, at - colon - 1, ENC_USERINFO)
	               ? -1
	               : 0;
}

/* Go's getScheme: the scheme length, 0 when there is none, -1 on ":…". */
static int scheme_len(const char *s)
{
	int i;

	for (i = 0; s[i]; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))
			continue;
		if ((s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' || s[i] == '.') {
			if (!i)
				return 0;
			continue;
		}
		if (s[i] == ':')
			return i ? i : -1;
		return 0;
	}
	return 0;
}

/* Go's parse(rawURL, viaRequest=false) on the part before '#'. */
static int url_parse(struct go_url *u, const char *s, size_t n)
{
	char *buf = xstrndup(s, n), *rest, *q, *slash;
	int slen, ret = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || !s[i])
			goto fail;
	if (!strcmp(buf, "*")) {
		strbuf_addstr(&u->rawpath, "*");
		goto done;
	}
	if ((slen = scheme_len(buf)) < 0)
		goto fail;
	for (i = 0; i < (size_t)slen; i++)
		strbuf_addch(&u->scheme, buf[i] >= 'A' && buf[i] <= 'Z' ? buf[i] + 32 : buf[i]);
	rest = buf + (slen ? slen + 1 : 0);
	q = strchr(rest, '?');
	if (q) {
		u->has_query = 1; /* kept verbatim, even when empty */
		*q = '\0';
		u->query = s + (q + 1 - buf);
		u->querylen = n - (q + 1 - buf);
	}
	if (rest[0] != '/') {
		if (slen) {
			strbuf_addstr(&u->opaque, rest);
			goto done;
		}
		slash = strchr(rest, '/');
		if (memchr(rest, ':', slash ? (size_t)(slash - rest) : strlen(rest)))
			goto fail;
	}
	if ((slen || strncmp(rest, "///", 3)) && !strncmp(rest, "//", 2)) {
		slash = strchr(rest + 2, '/');
		i = slash ? (size_t)(slash - rest - 2) : strlen(rest + 2);
		if (parse_authority(u, rest + 2, i))
			goto fail;
		rest += 2 + i;
	} else if (slen && rest[0] == '/') {
		u->omit_host = 1;
	}
	strbuf_addstr(&u->rawpath, rest);
	goto done;
fail:
	ret = -1;
done:
	free(buf);
	return ret;
}

static void url_release(struct go_url *u)
{
	strbuf_release(&u->scheme);
	strbuf_release(&u->opaque);
	strbuf_release(&u->user);
	strbuf_release(&u->pass);
	strbuf_release(&u->host);
	strbuf_release(&u->rawpath);
	strbuf_release(&u->rawfrag);
}

/* Go's URL.String(). */
static int url_string(const struct go_url *u, struct strbuf *out)
{
	struct strbuf path = STRBUF_INIT;
	const char *colon, *slash;

	if (add_reencoded(&path, u->rawpath.buf, u->rawpath.len, ENC_PATH))
		goto fail;
	if (u->scheme.len)
		strbuf_addf(out, "%s:", u->scheme.buf);
	if (u->opaque.len) {
		strbuf_add(out, u->opaque.buf, u->opaque.len);
	} else {
		if ((u->scheme.len || u->host.len || u->has_user) &&
		    !(u->omit_host && !u->host.len && !u->has_user)) {
			if (u->host.len || path.len || u->has_user)
				strbuf_addstr(out, "//");
			if (u->has_user) {
				url_escape(out, u->user.buf, u->user.len, ENC_USERINFO);
				if (u->has_pass) {
					strbuf_addch(out, ':');
					url_escape(out, u->pass.buf, u->pass.len, ENC_USERINFO);
				}
				strbuf_addch(out, '@');
			}
			url_escape(out, u->host.buf, u->host.len, ENC_HOST);
		}
		if (path.len && path.buf[0] != '/' && u->host.len)
			strbuf_addch(out, '/');
		if (!out->len) {
			colon = memchr(path.buf, ':', path.len);
			slash = memchr(path.buf, '/', path.len);
			if (colon && (!slash || colon < slash))
				strbuf_addstr(out, "./");
		}
		strbuf_add(out, path.buf, path.len);
	}
	if (u->has_query) {
		strbuf_addch(out, '?');
		strbuf_add(out, u->query, u->querylen);
	}
	if (u->rawfrag.len) {
		strbuf_addch(out, '#');
		if (add_reencoded(out, u->rawfrag.buf, u->rawfrag.len, ENC_FRAGMENT))
			goto fail;
	}
	strbuf_release(&path);
	return 0;
fail:
	strbuf_release(&path);
	return -1;
}

/* url.Parse(s).String(), or -1 where Go's Parse fails. */
static int go_url_roundtrip(const char *s, struct strbuf *out)
{
	struct go_url u = { STRBUF_INIT,
		            STRBUF_INIT,
		            STRBUF_INIT,
		            STRBUF_INIT,
		            STRBUF_INIT,
		            STRBUF_INIT,
		            STRBUF_INIT,
		            NULL,
		            0,
		            0,
		            0,
		            0,
		            0 };
	const char *hash = strchr(s, '#');
	size_t n = hash ? (size_t)(hash - s) : strlen(s);
	int ret;

	ret = url_parse(&u, s, n);
	if (!ret && hash) {
		strbuf_addstr(&u.rawfrag, hash + 1);
		ret = url_string(&u, out);
	} else if (!ret) {
		ret = url_string(&u, out);
	}
	url_release(&u);
	return ret;
}

/* ---- NormalizeGitURL ------------------------------------------------ */

/* Bytes of Unicode white space (Go's unicode.IsSpace) starting at s, or 0. */
static size_t space_len(const unsigned char *s)
{
	if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		return 1;
	if (s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0))
		return 2;
	if ((s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80) ||
	    (s[0] == 0xE2 && s[1] == 0x80 &&
	     ((s[2] >= 0x80 && s[2] <= 0x8A) || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF)) ||
	    (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F) ||
	    (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80))
		return 3;
	return 0;
}

/* strings.ToLower(strings.TrimSpace(s)), lowercasing ASCII only. */
static void trim_lower(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w, i, end = 0;

	while ((w = space_len(p)))
		p += w;
	strbuf_addstr(sb, (const char *)p);
	for (i = 0; i < sb->len; i += w) {
		w = space_len((unsigned char *)sb->buf + i);
		if (w)
			continue;
		/* a non-space rune: step over its continuation bytes */
		for (w = 1; ((unsigned char)sb->buf[i + w] & 0xC0) == 0x80; w++)
			;
		end = i + w;
	}
	strbuf_setlen(sb, end);
	for (i = 0; i < sb->len; i++)
		if (sb->buf[i] >= 'A' && sb->buf[i] <= 'Z')
			sb->buf[i] += 32;
}

/* util/git IsSSHURL: ^(ssh://)?([^/:]*?)@[^@]+$ */
static int user_at_host(const char *s)
{
	const char *at = strrchr(s, '@');

	return at && at[1] && strcspn(s, "/:") >= (size_t)(at - s);
}

static int is_ssh_url(const char *s)
{
	return user_at_host(s) || (!strncmp(s, "ssh://", 6) && user_at_host(s + 6));
}

char *project_normalize_git_url(const char *url)
{
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT;
	char *colon, *tmp;

	trim_lower(&sb, url ? url : "");
	if (is_ssh_url(sb.buf) && strncmp(sb.buf, "ssh://", 6)) {
		/* scp-like syntax: the first ':' separates host and path */
		if ((colon = strchr(sb.buf, ':')))
			*colon = '/';
		tmp = strbuf_detach(&sb, NULL);
		strbuf_addf(&sb, "ssh://%s", tmp);
		free(tmp);
	}
	if (sb.len >= 4 && !strcmp(sb.buf + sb.len - 4, ".git"))
		strbuf_setlen(&sb, sb.len - 4);
	if (go_url_roundtrip(sb.buf, &out))
		strbuf_reset(&out);
	strbuf_release(&sb);
	if (!strncmp(out.buf, "ssh://", 6)) {
		strbuf_addstr(&sb, out.buf + 6);
		strbuf_release(&out);
		return strbuf_detach(&sb, NULL);
	}
	return strbuf_detach(&out, NULL);
}

/* ---- spec access ---------------------------------------------------- */

static const cJSON *spec_item(const cJSON *proj, const char *field)
{
	const cJSON *spec = proj ? cJSON_GetObjectItemCaseSensitive(proj, "spec") : NULL;

	return cJSON_IsObject(spec) ? cJSON_GetObjectItemCaseSensitive(spec, field) : NULL;
}

/* A list the way Go decodes it: absent/null is nil, [] is empty. */
static const cJSON *spec_list(const cJSON *proj, const char *field, int *present)
{
	const cJSON *list = spec_item(proj, field);

	*present = cJSON_IsArray(list);
	return *present ? list : NULL;
}

/* A string field of an object, "" when missing (Go's zero value). */
static const char *str_field(const cJSON *obj, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

const char *project_name_or_default(const char *name)
{
	return name && *name ? name : PROJECT_DEFAULT_NAME;
}

/* ---- sourceRepos ---------------------------------------------------- */

static char *normalize_pattern(const char *pattern)
{
	char *norm, *neg;

	if (pattern[0] != '!')
		return project_normalize_git_url(pattern);
	norm = project_normalize_git_url(pattern + 1);
	neg = xmalloc(strlen(norm) + 2);
	neg[0] = '!';
	strcpy(neg + 1, norm);
	free(norm);
	return neg;
}

int project_source_permitted(const cJSON *proj, const char *repo_url)
{
	const cJSON *list, *e;
	char *src, *norm;
	int present, any = 0, denied = 0, m;

	list = spec_list(proj, "sourceRepos", &present);
	src = project_normalize_git_url(or_empty(repo_url));
	cJSON_ArrayForEach (e, list) {
		if (!cJSON_IsString(e) || !e->valuestring)
			continue;
		norm = normalize_pattern(e->valuestring);
		m = glob_argo_match(norm, src, 1, "/");
		if (m)
			any = 1;
		else if (norm[0] == '!')
			denied = 1;
		free(norm);
		if (denied)
			break;
	}
	free(src);
	return any && !denied;
}

/* ---- destinations --------------------------------------------------- */

/* 1 matched, 0 no opinion, -1 deny (argocd.md §6.2, note the precedence). */
static int destination_entry(const cJSON *e, const char *server, const char *name, const char *ns)
{
	const char *es = str_field(e, "server"), *en = str_field(e, "name");
	const char *ens = str_field(e, "namespace");
	int name_ok = *name && glob_argo_match(en, name, 1, NULL);
	int server_ok = *server && glob_argo_match(es, server, 1, NULL);
	int ns_ok = glob_argo_match(ens, ns, 1, NULL);

	if ((server_ok || name_ok) && ns_ok)
		return 1;
	if ((!name_ok && en[0] == '!') || (!server_ok && es[0] == '!' && ns_ok))
		return -1;
	if (!ns_ok && ens[0] == '!' && server_ok)
		return -1;
	return 0;
}

int project_destination_permitted(const cJSON *proj, const char *server, const char *name,
                                  const char *ns)
{
	const cJSON *list, *e;
	int present, any = 0, r;

	server = or_empty(server);
	name = or_empty(name);
	if (!*name && !strcmp(server, PROJECT_IN_CLUSTER_SERVER))
		name = PROJECT_IN_CLUSTER_NAME;
	else if (!*server && !strcmp(name, PROJECT_IN_CLUSTER_NAME))
		server = PROJECT_IN_CLUSTER_SERVER;
	list = spec_list(proj, "destinations", &present);
	cJSON_ArrayForEach (e, list) {
		if (!cJSON_IsObject(e))
			continue;
		r = destination_entry(e, server, name, or_empty(ns));
		if (r < 0)
			return 0;
		any |= r;
	}
	return any;
}

/* ---- sourceNamespaces ----------------------------------------------- */

static const char *class_for(char c)
{
	switch (c) {
	case 'd':
		return "[0-9]";
	case 'D':
		return "[^0-9]";
	case 'w':
		return "[0-9A-Za-z_]";
	case 'W':
		return "[^0-9A-Za-z_]";
	case 's':
		return "[\t\n\f\r ]";
	case 'S':
		return "[^\t\n\f\r ]";
	default:
		return NULL;
	}
}

/* RE2 syntax to POSIX ERE, as far as it goes; -1 where it does not. */
static int re2_to_ere(const char *re, size_t n, struct strbuf *out, int *icase)
{
	size_t i;
	int in_bracket = 0;
	const char *cls;

	*icase = 0;
	if (n >= 4 && !strncmp(re, "(?i)", 4)) {
		*icase = 1;
		re += 4;
		n -= 4;
	}
	for (i = 0; i < n; i++) {
		if (!re[i])
			return -1;
		if (in_bracket) {
			if (re[i] == '\\')
				return -1;
			/* a ']' right after '[' or '[^' is a member */
			if (re[i] == ']' && re[i - 1] != '[' &&
			    !(re[i - 1] == '^' && re[i - 2] == '['))
				in_bracket = 0;
			strbuf_addch(out, re[i]);
			continue;
		}
		if (re[i] == '[') {
			in_bracket = 1;
			strbuf_addch(out, re[i]);
		} else if (re[i] == '(' && i + 2 < n && re[i + 1] == '?' && re[i + 2] == ':') {
			strbuf_addch(out, '('); /* non-capturing is all the same here */
			i += 2;
		} else if (re[i] == '(' && i + 1 < n && re[i + 1] == '?') {
			return -1;
		} else if (re[i] == '\\') {
			if (++i >= n || (re[i] >= '0' && re[i] <= '9'))
				return -1;
			if ((cls = class_for(re[i])))
				strbuf_addstr(out, cls);
			else if (is_alnum(re[i]))
				return -1;
			else
				strbuf_addf(out, "\\%c", re[i]);
		} else {
			strbuf_addch(out, re[i]);
		}
	}
	return in_bracket ? -1 : 0;
}

static int regex_search(const char *re, size_t n, const char *text)
{
	struct strbuf ere = STRBUF_INIT;
	regex_t rx;
	int icase, ret = 0;

	if (!re2_to_ere(re, n, &ere, &icase) &&
	    !regcomp(&rx, ere.buf, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0))) {
		ret = regexec(&rx, text, 0, NULL, 0) == 0;
		regfree(&rx);
	}
	strbuf_release(&ere);
	return ret;
}

int project_app_namespace_permitted(const cJSON *proj, const char *app_ns,
                                    const char *control_plane_ns)
{
	const cJSON *list, *e;
	const char *p;
	size_t len;
	int present;

	if (!app_ns || !*app_ns || (control_plane_ns && !strcmp(app_ns, control_plane_ns)))
		return 1;
	list = spec_list(proj, "sourceNamespaces", &present);
	cJSON_ArrayForEach (e, list) {
		if (!cJSON_IsString(e) || !(p = e->valuestring))
			continue;
		len = strlen(p);
		/* Go would panic on "/" alone; here it is just a glob */
		if (len >= 2 && p[0] == '/' && p[len - 1] == '/' &&
		    regex_search(p + 1, len - 2, app_ns))
			return 1;
		if (glob_match(p, app_ns, NULL))
			return 1;
	}
	return 0;
}

/* ---- resource kinds ------------------------------------------------- */

static int fp_match(const char *pattern, const char *value)
{
	return glob_filepath_match(pattern, value) == 1;
}

/* isResourceInList / isNamedResourceInList; name NULL: unnamed entries only. */
static int kind_in_list(const cJSON *list, const char *group, const char *kind, const char *name,
                        int named)
{
	const cJSON *e;
	const char *en;

	cJSON_ArrayForEach (e, list) {
		if (!cJSON_IsObject(e) || !fp_match(str_field(e, "kind"), kind) ||
		    !fp_match(str_field(e, "group"), group))
			continue;
		en = named ? str_field(e, "name") : "";
		if (!*en || (name && fp_match(en, name)))
			return 1;
	}
	return 0;
}

int project_group_kind_name_permitted(const cJSON *proj, const char *group, const char *kind,
                                      const char *name, int namespaced)
{
	const cJSON *white, *black;
	int wpresent, bpresent, whitelisted, blacklisted;

	group = or_empty(group);
	kind = or_empty(kind);
	if (namespaced) {
		white = spec_list(proj, "namespaceResourceWhitelist", &wpresent);
		black = spec_list(proj, "namespaceResourceBlacklist", &bpresent);
		whitelisted = !wpresent || (cJSON_GetArraySize(white) &&
		                            kind_in_list(white, group, kind, NULL, 0));
		blacklisted = bpresent && cJSON_GetArraySize(black) &&
		              kind_in_list(black, group, kind, NULL, 0);
		return whitelisted && !blacklisted;
	}
	white = spec_list(proj, "clusterResourceWhitelist", &wpresent);
	black = spec_list(proj, "clusterResourceBlacklist", &bpresent);
	whitelisted = wpresent && cJSON_GetArraySize(white) &&
	              kind_in_list(white, group, kind, name, 1);
	blacklisted = bpresent && cJSON_GetArraySize(black) &&
	              kind_in_list(black, group, kind, name, 1);
	return whitelisted && !blacklisted;
}

int project_group_kind_permitted(const cJSON *proj, const char *group, const char *kind,
                                 int namespaced)
{
	return project_group_kind_name_permitted(proj, group, kind, NULL, namespaced);
}

int project_resource_permitted(const cJSON *proj, const char *group, const char *kind,
                               const char *name, const char *ns, const char *server,
                               const char *cluster_name)
{
	int namespaced = ns && *ns;

	if (!project_group_kind_name_permitted(proj, group, kind, name, namespaced))
		return 0;
	return !namespaced || project_destination_permitted(proj, server, cluster_name, ns);
}

/* ---- descriptions --------------------------------------------------- */

static const char *const list_fields[] = {
	[PROJECT_SOURCE_REPOS] = "sourceRepos",
	[PROJECT_DESTINATIONS] = "destinations",
	[PROJECT_SOURCE_NAMESPACES] = "sourceNamespaces",
	[PROJECT_CLUSTER_WHITELIST] = "clusterResourceWhitelist",
	[PROJECT_CLUSTER_BLACKLIST] = "clusterResourceBlacklist",
	[PROJECT_NAMESPACE_WHITELIST] = "namespaceResourceWhitelist",
	[PROJECT_NAMESPACE_BLACKLIST] = "namespaceResourceBlacklist",
};

const char *project_list_field(enum project_list list)
{
	if ((unsigned)list >= sizeof(list_fields) / sizeof(list_fields[0]))
		return "";
	return list_fields[list];
}

static void describe_entry(const cJSON *e, enum project_list list, struct strbuf *out)
{
	const char *v;

	if (list == PROJECT_SOURCE_REPOS || list == PROJECT_SOURCE_NAMESPACES) {
		strbuf_addf(out, "'%s'", e->valuestring);
	} else if (list == PROJECT_DESTINATIONS) {
		if (*(v = str_field(e, "server")))
			strbuf_addf(out, "server '%s' ", v);
		if (*(v = str_field(e, "name")))
			strbuf_addf(out, "name '%s' ", v);
		strbuf_addf(out, "namespace '%s'", str_field(e, "namespace"));
	} else {
		strbuf_addf(out, "%s:%s", str_field(e, "group"), str_field(e, "kind"));
		if (*(v = str_field(e, "name")))
			strbuf_addf(out, ":%s", v);
	}
}

static const char *describe_nothing(enum project_list list, int present)
{
	switch (list) {
	case PROJECT_NAMESPACE_WHITELIST:
		return present ? "(empty: no namespaced kind)" : "(absent: every namespaced kind)";
	case PROJECT_CLUSTER_WHITELIST:
		return "(empty: no cluster-scoped kind)";
	case PROJECT_SOURCE_REPOS:
	case PROJECT_DESTINATIONS:
		return "(empty: none)";
	case PROJECT_SOURCE_NAMESPACES:
		return "(empty: only the control-plane namespace)";
	default:
		return "(empty)";
	}
}

void project_describe(const cJSON *proj, enum project_list list, struct strbuf *out)
{
	const cJSON *items, *e;
	int present, n = 0, wants_string;

	items = spec_list(proj, project_list_field(list), &present);
	wants_string = list == PROJECT_SOURCE_REPOS || list == PROJECT_SOURCE_NAMESPACES;
	cJSON_ArrayForEach (e, items) {
		if (wants_string ? !cJSON_IsString(e) || !e->valuestring : !cJSON_IsObject(e))
			continue;
		if (n++)
			strbuf_addstr(out, ", ");
		describe_entry(e, list, out);
	}
	if (!n)
		strbuf_addstr(out, describe_nothing(list, present));
}
