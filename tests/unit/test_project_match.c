/*
 * test_project_match.c - AppProject restriction checks.  Most cases restate
 * Argo CD's types_test.go tables (IsSourcePermitted, IsNegatedSource…,
 * IsDestinationPermitted, IsNegatedDestination…, IsGroupKindPermitted) as
 * data; the rest pin down URL normalisation and the documented quirks.
 */
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "project_match.h"
#include "strbuf.h"

#define KDS "https://kubernetes.default.svc"

static cJSON *project(const char *spec_json)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *p;

	strbuf_addf(&sb,
	            "{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"AppProject\","
	            "\"metadata\":{\"name\":\"p\"},\"spec\":%s}",
	            spec_json);
	p = cJSON_Parse(sb.buf);
	strbuf_release(&sb);
	if (!p) {
		printf("Bail out! bad test JSON: %s\n", spec_json);
		exit(1);
	}
	return p;
}

static const struct {
	const char *in, *want;
} urls[] = {
	{ "https://github.com/argoproj/argo-cd.git", "https://github.com/argoproj/argo-cd" },
	{ "https://github.com/argoproj/argo-cd", "https://github.com/argoproj/argo-cd" },
	{ "git@github.com:argoproj/argo-cd.git", "git@github.com/argoproj/argo-cd" },
	{ "ssh://git@github.com/argoproj/argo-cd.git", "git@github.com/argoproj/argo-cd" },
	{ "  HTTPS://GitHub.com/ArgoProj/Repo.GIT \n", "https://github.com/argoproj/repo" },
	{ "\xc2\xa0https://github.com/a/b\xe3\x80\x80", "https://github.com/a/b" },
	{ "git@GITHUB.com:argoproj/test", "git@github.com/argoproj/test" },
	{ "ssh://git@github.com:22/org/repo.git", "git@github.com:22/org/repo" },
	/* Go's url.Parse rejects a non-numeric port: everything becomes "" */
	{ "ssh://git@GITHUB.com:argoproj/test", "" },
	{ "https://github.com:abc/x", "" },
	{ "https://github.com/org/repo.git/", "https://github.com/org/repo.git/" },
	{ "https://github.com/org/repo.git.git", "https://github.com/org/repo.git" },
	{ "github.com/org/repo", "github.com/org/repo" },
	{ "https://github.com/org/*", "https://github.com/org/*" },
	{ "https://gitlab.com/group/**", "https://gitlab.com/group/**" },
	{ "*", "*" },
	{ "", "" },
	{ "   ", "" },
	/* a '{' in a path makes Go re-escape the whole path, stars included */
	{ "https://github.com/{a,b}/*", "https://github.com/%7Ba,b%7D/%2A" },
	{ "https://host/a b", "https://host/a%20b" },
	{ "https://host/%41", "https://host/%41" },
	{ "https://host/%zz", "" },
	{ "https://ho{st/x", "" },
	{ "https://user:pass@host/x", "https://user:pass@host/x" },
	{ "https://user:@host/x", "https://user:@host/x" },
	{ "https://host/x?", "https://host/x?" },
	{ "https://host/x?a=1&b", "https://host/x?a=1&b" },
	{ "https://host/x#frag", "https://host/x#frag" },
	{ "https://host/x#", "https://host/x" },
	{ "https://host/x#a b", "https://host/x#a%20b" },
	{ "https://git\nhub.com/x", "" },
	{ "https://m\xc3\xbcnchen.de/x", "https://m%C3%BCnchen.de/x" },
	{ "ssh://git@[::1]:22/x", "git@[::1]:22/x" },
	{ "https://[::1/x", "" },
	{ "a:b/c", "a:b/c" },
	{ "1a:b", "" },
	{ ":foo", "" },
	{ "git@github.com:org/*", "git@github.com/org/*" },
	/* userinfo is re-escaped: '*' and an inner '@' */
	{ "*@github.com:org/*", "%2A@github.com/org/*" },
	{ "user@host@evil:x", "user%40host@evil/x" },
	{ "https://user@github.com/x", "https://user@github.com/x" },
	{ "file:///srv/git/repo.git", "file:///srv/git/repo" },
	{ "file:/srv/repo", "file:/srv/repo" },
};

/* The input with control characters shown as '?', for a one-line TAP description. */
static const char *printable(const char *s)
{
	static char buf[256];
	size_t i;

	for (i = 0; s[i] && i < sizeof(buf) - 1; i++)
		buf[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static void test_normalize(void)
{
	size_t i;
	char *got;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		got = project_normalize_git_url(urls[i].in);
		is_str(got, urls[i].want, "NormalizeGitURL(\"%s\")", printable(urls[i].in));
		free(got);
	}
	got = project_normalize_git_url(NULL);
	is_str(got, "", "NormalizeGitURL(NULL)");
	free(got);
}

static const struct {
	const char *repos; /* JSON for spec.sourceRepos, NULL: absent */
	const char *url;
	int want;
} sources[] = {
	/* TestAppProject_IsSourcePermitted */
	{ "[\"*\"]", "https://github.com/argoproj/test.git", 1 },
	{ "[\"https://github.com/argoproj/test.git\"]", "https://github.com/argoproj/test.git", 1 },
	{ "[\"ssh://git@GITHUB.com:argoproj/test\"]", "ssh://git@github.com:argoproj/test", 1 },
	{ "[\"https://github.com/argoproj/*\"]", "https://github.com/argoproj/argoproj.git", 1 },
	{ "[\"https://github.com/test1/test.git\",\"https://github.com/test2/test.git\"]",
	  "https://github.com/test2/test.git", 1 },
	{ "[\"https://github.com/argoproj/test1.git\"]", "https://github.com/argoproj/test2.git", 0 },
	{ "[\"https://github.com/argoproj/*.git\"]", "https://github.com/argoproj1/test2.git", 0 },
	{ "[\"https://github.com/argoproj/foo\"]", "https://github.com/argoproj/foo1", 0 },
	{ "[\"https://gitlab.com/group/*\"]", "https://gitlab.com/group/repo/owner", 0 },
	{ "[\"https://gitlab.com/group/*/*\"]", "https://gitlab.com/group/repo/owner", 1 },
	{ "[\"https://gitlab.com/group/*/*/*\"]", "https://gitlab.com/group/sub-group/repo/owner", 1 },
	{ "[\"https://gitlab.com/group/**\"]", "https://gitlab.com/group/sub-group/repo/owner", 1 },
	/* TestAppProject_IsNegatedSourcePermitted */
	{ "[\"!https://github.com/argoproj/test.git\"]", "https://github.com/argoproj/test.git", 0 },
	{ "[\"!ssh://git@GITHUB.com:argoproj/test\"]", "ssh://git@github.com:argoproj/test", 0 },
	{ "[\"!https://github.com/argoproj/*\"]", "https://github.com/argoproj/argoproj.git", 0 },
	{ "[\"https://github.com/test1/test.git\",\"!https://github.com/test2/test.git\"]",
	  "https://github.com/test2/test.git", 0 },
	{ "[\"!https://github.com/argoproj/foo*\"]", "https://github.com/argoproj/foo1", 0 },
	{ "[\"!https://gitlab.com/group/*/*\"]", "https://gitlab.com/group/repo/owner", 0 },
	{ "[\"!https://gitlab.com/group/*/*/*\"]", "https://gitlab.com/group/sub-group/repo/owner",
	  0 },
	{ "[\"!https://gitlab.com/group/**\"]", "https://gitlab.com/group/sub-group/repo/owner", 0 },
	{ "[\"https://github.com/argoproj/test1.git\",\"*\"]",
	  "https://github.com/argoproj/test2.git", 1 },
	{ "[\"!https://github.com/argoproj/*.git\",\"*\"]",
	  "https://github.com/argoproj1/test2.git", 1 },
	/* order: a deny entry rejects wherever it stands */
	{ "[\"!https://github.com/argoproj/*\",\"*\"]", "https://github.com/argoproj/x", 0 },
	{ "[\"*\",\"!https://github.com/argoproj/*\"]", "https://github.com/argoproj/x", 0 },
	/* deny-only lists permit everything else (code, not the docs) */
	{ "[\"!https://github.com/bad/*\"]", "https://github.com/good/x", 1 },
	{ "[\"!https://github.com/bad/*\"]", "https://github.com/bad/x", 0 },
	/* with '/' as separator a deny glob "dir/star" does not cover sub-paths */
	{ "[\"!https://github.com/bad/*\"]", "https://github.com/bad/sub/x", 1 },
	/* https and scp-like forms of one repo do not normalise alike */
	{ "[\"git@github.com:argoproj/test.git\"]", "https://github.com/argoproj/test", 0 },
	{ "[\"git@github.com:argoproj/test.git\"]", "git@github.com:argoproj/test", 1 },
	{ "[\"ssh://git@github.com/argoproj/test\"]", "git@github.com:argoproj/test.git", 1 },
	{ "[\"HTTPS://GITHUB.COM/ArgoProj/*\"]", "https://github.com/argoproj/test", 1 },
	{ "[\"https://github.com/{argoproj,other}/*\"]", "https://github.com/argoproj/test", 0 },
	{ "[]", "https://github.com/a/b", 0 },
	{ NULL, "https://github.com/a/b", 0 },
	{ "[42, \"*\"]", "https://github.com/a/b", 1 },
};

static void test_sources(void)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	cJSON *p;

	for (i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		strbuf_reset(&sb);
		if (sources[i].repos)
			strbuf_addf(&sb, "{\"sourceRepos\":%s}", sources[i].repos);
		else
			strbuf_addstr(&sb, "{}");
		p = project(sb.buf);
		is_int(project_source_permitted(p, sources[i].url), sources[i].want,
		       "sourceRepos %s permits %s",
		       sources[i].repos ? sources[i].repos : "(absent)", sources[i].url);
		cJSON_Delete(p);
	}
	strbuf_release(&sb);
	is_int(project_source_permitted(NULL, "https://x/y"), 0, "a NULL project permits no repo");
}

static const struct {
	const char *dests;
	const char *server, *name, *ns;
	int want;
} destinations[] = {
	/* TestAppProject_IsDestinationPermitted */
	{ "[{\"server\":\"" KDS "\",\"namespace\":\"default\"}]", KDS, NULL, "default", 1 },
	{ "[{\"server\":\"" KDS "\",\"namespace\":\"default\"}]", KDS, NULL, "kube-system", 0 },
	{ "[{\"server\":\"https://my-cluster\",\"namespace\":\"default\"}]", KDS, NULL, "default", 0 },
	{ "[{\"server\":\"" KDS "\",\"namespace\":\"*\"}]", KDS, NULL, "kube-system", 1 },
	{ "[{\"server\":\"https://*.default.svc\",\"namespace\":\"default\"}]", KDS, NULL,
	  "default", 1 },
	{ "[{\"server\":\"https://team1-*\",\"namespace\":\"default\"}]",
	  "https://test2-dev-cluster", NULL, "default", 0 },
	{ "[{\"server\":\"" KDS "\",\"namespace\":\"test-*\"}]", KDS, NULL, "test-foo", 1 },
	{ "[{\"server\":\"" KDS "\",\"namespace\":\"test-*\"}]", KDS, NULL, "test", 0 },
	{ "[{\"server\":\"*\",\"namespace\":\"*\"}]", KDS, NULL, "test", 1 },
	{ "[{\"server\":\"\",\"namespace\":\"*\",\"name\":\"test\"}]", NULL, "test", "test", 1 },
	{ "[{\"server\":\"\",\"namespace\":\"*\",\"name\":\"test2\"}]", NULL, "test", "test", 0 },
	/* TestAppProject_IsNegatedDestinationPermitted */
	{ "[{\"server\":\"!" KDS "\",\"namespace\":\"default\"}]", KDS, NULL, "default", 0 },
	{ "[{\"server\":\"" KDS "\",\"namespace\":\"!default\"}]", KDS, NULL, "kube-system", 1 },
	{ "[{\"server\":\"!https://my-cluster\",\"namespace\":\"default\"}]", KDS, NULL, "default",
	  1 },
	{ "[{\"server\":\"!" KDS "\",\"namespace\":\"*\"}]", KDS, NULL, "kube-system", 0 },
	{ "[{\"server\":\"!https://*.default.svc\",\"namespace\":\"default\"}]", KDS, NULL,
	  "default", 0 },
	{ "[{\"server\":\"!https://team1-*\",\"namespace\":\"default\"}]",
	  "https://test2-dev-cluster", NULL, "default", 1 },
	{ "[{\"server\":\"" KDS "\",\"namespace\":\"!test-*\"}]", KDS, NULL, "test-foo", 0 },
	{ "[{\"server\":\"" KDS "\",\"namespace\":\"!test-*\"}]", KDS, NULL, "test", 1 },
	{ "[{\"server\":\"\",\"namespace\":\"*\",\"name\":\"!test\"}]", NULL, "test", "test", 0 },
	{ "[{\"server\":\"\",\"namespace\":\"*\",\"name\":\"!test2\"}]", NULL, "test", "test", 1 },
	{ "[{\"server\":\"*\",\"namespace\":\"kube-system\"},{\"server\":\"*\",\"namespace\":\"!"
	  "kube-system\"}]",
	  KDS, NULL, "kube-system", 0 },
	{ "[{\"server\":\"*\",\"namespace\":\"*\"},{\"server\":\"*\",\"namespace\":\"!kube-"
	  "system\"}"
	  "]",
	  KDS, NULL, "kube-system", 0 },
	{ "[{\"server\":\"" KDS "\",\"namespace\":\"*\"},{\"server\":\"!" KDS
	  "\",\"namespace\":\"*\"}]",
	  KDS, NULL, "kube-system", 0 },
	{ "[{\"server\":\"*\",\"namespace\":\"*\"},{\"server\":\"!" KDS
	  "\",\"namespace\":\"kube-system\"}]",
	  KDS, NULL, "kube-system", 0 },
	{ "[{\"server\":\"*\",\"namespace\":\"*\"},{\"server\":\"!" KDS
	  "\",\"namespace\":\"kube-system\"},"
	  "{\"server\":\"*\",\"namespace\":\"!kube-system\"}]",
	  KDS, NULL, "kube-system", 0 },
	{ "[{\"server\":\"*\",\"namespace\":\"*\"},{\"server\":\"!" KDS
	  "\",\"namespace\":\"kube-system\"},"
	  "{\"server\":\"*\",\"namespace\":\"!kube-system\"}]",
	  "https://test-dev-cluster", NULL, "kube-system", 0 },
	{ "[{\"server\":\"\",\"namespace\":\"*\",\"name\":\"test\"},{\"server\":\"\",\"namespace\":"
	  "\"*\",\"name\":\"!test\"}]",
	  NULL, "test", "test", 0 },
	/*
	 * Since #20045 a server deny entry only rejects in the namespaces it
	 * names (v2.x's tables expected 0 here): argocd.md §6.2.
	 */
	{ "[{\"server\":\"*\",\"namespace\":\"*\"},{\"server\":\"!" KDS
	  "\",\"namespace\":\"kube-system\"},"
	  "{\"server\":\"*\",\"namespace\":\"!kube-system\"}]",
	  KDS, NULL, "default", 1 },
	{ "[{\"server\":\"*\",\"namespace\":\"test\"},{\"server\":\"!https://"
	  "test-server\",\"namespace\":\"other\"}]",
	  "https://test-server", NULL, "test", 1 },
	/* …but a name deny entry rejects in every namespace (Go precedence) */
	{ "[{\"server\":\"*\",\"namespace\":\"*\"},{\"name\":\"!prod\",\"namespace\":\"kube-"
	  "system\"}]",
	  NULL, "prod", "default", 0 },
	/* deny-only: every other destination is permitted */
	{ "[{\"server\":\"*\",\"namespace\":\"!kube-system\"}]", "https://other", NULL, "apps", 1 },
	{ "[{\"server\":\"*\",\"namespace\":\"!kube-system\"}]", "https://other", NULL,
	  "kube-system", 0 },
	/* an empty pattern matches only an empty value */
	{ "[{\"server\":\"*\",\"namespace\":\"\"}]", KDS, NULL, "", 1 },
	{ "[{\"server\":\"*\",\"namespace\":\"\"}]", KDS, NULL, "default", 0 },
	/* the in-cluster destination is known under both its names */
	{ "[{\"name\":\"in-cluster\",\"namespace\":\"*\"}]", KDS, NULL, "default", 1 },
	{ "[{\"server\":\"" KDS "\",\"namespace\":\"*\"}]", NULL, "in-cluster", "default", 1 },
	/* other clusters: only what the app gives can match */
	{ "[{\"name\":\"prod\",\"namespace\":\"*\"}]", "https://prod.example", NULL, "default", 0 },
	{ "[{\"server\":\"https://prod.example\",\"namespace\":\"*\"}]", NULL, "prod", "default", 0 },
	{ "[{\"server\":\"*\",\"namespace\":\"*\"},{\"name\":\"!prod\",\"namespace\":\"*\"}]",
	  "https://prod.example", NULL, "default", 0 },
	{ "[{\"server\":\"*\",\"namespace\":\"*\"}]", NULL, NULL, "default", 0 },
	{ "[]", KDS, NULL, "default", 0 },
	{ NULL, KDS, NULL, "default", 0 },
	{ "[\"junk\",{\"server\":\"*\",\"namespace\":\"*\"}]", KDS, NULL, "default", 1 },
};

static void test_destinations(void)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	cJSON *p;

	for (i = 0; i < sizeof(destinations) / sizeof(destinations[0]); i++) {
		strbuf_reset(&sb);
		if (destinations[i].dests)
			strbuf_addf(&sb, "{\"destinations\":%s}", destinations[i].dests);
		else
			strbuf_addstr(&sb, "{}");
		p = project(sb.buf);
		is_int(project_destination_permitted(p, destinations[i].server,
		                                     destinations[i].name, destinations[i].ns),
		       destinations[i].want, "destinations %s permit server=%s name=%s ns=%s",
		       destinations[i].dests ? destinations[i].dests : "(absent)",
		       destinations[i].server ? destinations[i].server : "",
		       destinations[i].name ? destinations[i].name : "", destinations[i].ns);
		cJSON_Delete(p);
	}
	strbuf_release(&sb);
}

static const struct {
	const char *list;
	const char *ns;
	int want;
} namespaces[] = {
	{ "[\"team-*\"]", "team-a", 1 },
	{ "[\"team-*\"]", "other", 0 },
	{ "[\"*\"]", "anything", 1 },
	{ "[\"team-a\",\"team-b\"]", "team-b", 1 },
	{ "[\"/^team-[a-z]+$/\"]", "team-abc", 1 },
	{ "[\"/^team-[a-z]+$/\"]", "team-1", 0 },
	{ "[\"/team/\"]", "my-team-x", 1 }, /* searched, not anchored */
	{ "[\"/^\\\\d+$/\"]", "123", 1 },
	{ "[\"/^\\\\d+$/\"]", "12a", 0 },
	{ "[\"/^[^0-9]\\\\w*$/\"]", "a_1", 1 },
	{ "[\"/(?i)^TEAM$/\"]", "team", 1 },
	{ "[\"/^TEAM$/\"]", "team", 0 },
	{ "[\"/(a)\\\\1/\"]", "aa", 0 }, /* RE2 has no backreferences */
	{ "[\"/(?m)x/\"]", "x", 0 },
	{ "[\"/^(?:dev|qa)-[0-9]+$/\"]", "qa-12", 1 },
	{ "[\"/^(?:dev|qa)-[0-9]+$/\"]", "prod-12", 0 },
	{ "[\"/^team-[\\\\w]+$/\"]", "team-a", 0 }, /* an escape in brackets: unsupported */
	{ "[\"/[a-/\"]", "a", 0 }, /* bad regexp, bad glob */
	{ "[\"/\"]", "x", 0 },
	{ "[\"/x/\",\"y\"]", "y", 1 },
	{ "[]", "team-a", 0 },
	{ NULL, "team-a", 0 },
};

static void test_app_namespaces(void)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	cJSON *p;

	for (i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
		strbuf_reset(&sb);
		if (namespaces[i].list)
			strbuf_addf(&sb, "{\"sourceNamespaces\":%s}", namespaces[i].list);
		else
			strbuf_addstr(&sb, "{}");
		p = project(sb.buf);
		is_int(project_app_namespace_permitted(p, namespaces[i].ns, "argocd"),
		       namespaces[i].want, "sourceNamespaces %s permit %s",
		       namespaces[i].list ? namespaces[i].list : "(absent)", namespaces[i].ns);
		cJSON_Delete(p);
	}
	strbuf_release(&sb);
	p = project("{}");
	ok(project_app_namespace_permitted(p, "argocd", "argocd"),
	   "the control-plane namespace is always permitted");
	ok(project_app_namespace_permitted(p, "", "argocd"), "an empty namespace is permitted");
	ok(project_app_namespace_permitted(p, NULL, "argocd"), "a NULL namespace is permitted");
	ok(!project_app_namespace_permitted(p, "team", NULL),
	   "without a control-plane namespace, the list decides");
	cJSON_Delete(p);
}

static const struct {
	const char *spec;
	const char *group, *kind, *name;
	int namespaced, want;
} kinds[] = {
	/* TestAppProject_IsGroupKindPermitted */
	{ "{\"namespaceResourceWhitelist\":[],\"namespaceResourceBlacklist\":[{\"group\":\"apps\","
	  "\"kind\":\"Deployment\"}]}",
	  "apps", "ReplicaSet", NULL, 1, 0 },
	{ "{\"namespaceResourceWhitelist\":[],\"namespaceResourceBlacklist\":[{\"group\":\"apps\","
	  "\"kind\":\"Deployment\"}]}",
	  "apps", "Deployment", NULL, 1, 0 },
	{ "{\"namespaceResourceWhitelist\":[{\"group\":\"apps\",\"kind\":\"ReplicaSet\"}],"
	  "\"namespaceResourceBlacklist\":[{\"group\":\"apps\",\"kind\":\"Deployment\"}]}",
	  "apps", "ReplicaSet", NULL, 1, 1 },
	{ "{\"namespaceResourceWhitelist\":[{\"group\":\"apps\",\"kind\":\"ReplicaSet\"}],"
	  "\"namespaceResourceBlacklist\":[{\"group\":\"apps\",\"kind\":\"Deployment\"}]}",
	  "apps", "Action", NULL, 1, 0 },
	{ "{\"clusterResourceBlacklist\":[{\"group\":\"\",\"kind\":\"Namespace\"}]}", "",
	  "Namespace", NULL, 0, 0 },
	{ "{\"clusterResourceWhitelist\":[{\"group\":\"*\",\"kind\":\"*\"}],"
	  "\"clusterResourceBlacklist\":[{\"group\":\"*\",\"kind\":\"*\"}]}",
	  "", "Namespace", NULL, 0, 0 },
	{ "{\"clusterResourceWhitelist\":[{\"group\":\"*\",\"kind\":\"*\"}],"
	  "\"clusterResourceBlacklist\":[{\"group\":\"*\",\"kind\":\"*\"}]}",
	  "apps", "Action", NULL, 1, 1 },
	{ "{\"clusterResourceWhitelist\":[],\"namespaceResourceWhitelist\":[{\"group\":\"*\","
	  "\"kind\":\"*\"}]}",
	  "", "Namespace", NULL, 0, 0 },
	{ "{\"clusterResourceWhitelist\":[],\"namespaceResourceWhitelist\":[{\"group\":\"*\","
	  "\"kind\":\"*\"}]}",
	  "apps", "Action", NULL, 1, 1 },
	{ "{}", "", "Namespace", NULL, 0, 0 },
	{ "{}", "apps", "Action", NULL, 1, 1 },
	/* nil vs empty: null decodes to nil */
	{ "{\"namespaceResourceWhitelist\":null}", "apps", "Deployment", NULL, 1, 1 },
	{ "{\"namespaceResourceWhitelist\":[]}", "apps", "Deployment", NULL, 1, 0 },
	{ "{\"clusterResourceWhitelist\":null}", "", "Namespace", NULL, 0, 0 },
	{ "{\"namespaceResourceBlacklist\":[]}", "apps", "Deployment", NULL, 1, 1 },
	/* filepath.Match: "" is the core group only, globs do not cross '/' */
	{ "{\"namespaceResourceWhitelist\":[{\"group\":\"\",\"kind\":\"*\"}]}", "apps",
	  "Deployment", NULL, 1, 0 },
	{ "{\"namespaceResourceWhitelist\":[{\"group\":\"\",\"kind\":\"*\"}]}", "", "ConfigMap",
	  NULL, 1, 1 },
	{ "{\"namespaceResourceBlacklist\":[{\"group\":\"*.k8s.io\",\"kind\":\"*\"}]}",
	  "rbac.authorization.k8s.io", "Role", NULL, 1, 0 },
	{ "{\"namespaceResourceBlacklist\":[{\"group\":\"*.k8s.io\",\"kind\":\"*\"}]}", "apps",
	  "Deployment", NULL, 1, 1 },
	{ "{\"namespaceResourceWhitelist\":[{\"group\":\"apps\",\"kind\":\"[\"}]}", "apps", "[",
	  NULL, 1, 0 },
	{ "{\"namespaceResourceWhitelist\":[{\"group\":\"apps\",\"kind\":\"*Set\"}]}", "apps",
	  "ReplicaSet", NULL, 1, 1 },
	{ "{\"namespaceResourceWhitelist\":[{\"kind\":\"*\"}]}", "", "Service", NULL, 1, 1 },
	/* named cluster entries (Argo CD 3.3) */
	{ "{\"clusterResourceWhitelist\":[{\"group\":\"rbac.authorization.k8s.io\",\"kind\":"
	  "\"ClusterRole\",\"name\":\"team-*\"}]}",
	  "rbac.authorization.k8s.io", "ClusterRole", "team-a", 0, 1 },
	{ "{\"clusterResourceWhitelist\":[{\"group\":\"rbac.authorization.k8s.io\",\"kind\":"
	  "\"ClusterRole\",\"name\":\"team-*\"}]}",
	  "rbac.authorization.k8s.io", "ClusterRole", "admin", 0, 0 },
	{ "{\"clusterResourceWhitelist\":[{\"group\":\"rbac.authorization.k8s.io\",\"kind\":"
	  "\"ClusterRole\",\"name\":\"team-*\"}]}",
	  "rbac.authorization.k8s.io", "ClusterRole", NULL, 0, 0 },
	{ "{\"clusterResourceWhitelist\":[{\"group\":\"*\",\"kind\":\"*\"}],"
	  "\"clusterResourceBlacklist\":[{\"group\":\"\",\"kind\":\"Namespace\",\"name\":\"kube-*"
	  "\"}"
	  "]}",
	  "", "Namespace", "kube-system", 0, 0 },
	{ "{\"clusterResourceWhitelist\":[{\"group\":\"*\",\"kind\":\"*\"}],"
	  "\"clusterResourceBlacklist\":[{\"group\":\"\",\"kind\":\"Namespace\",\"name\":\"kube-*"
	  "\"}"
	  "]}",
	  "", "Namespace", "team", 0, 1 },
	{ "{\"clusterResourceWhitelist\":[{\"group\":\"*\",\"kind\":\"*\"}],"
	  "\"clusterResourceBlacklist\":[{\"group\":\"\",\"kind\":\"Namespace\",\"name\":\"kube-*"
	  "\"}"
	  "]}",
	  "", "Namespace", NULL, 0, 1 },
	{ "{\"clusterResourceWhitelist\":[{\"group\":\"*\",\"kind\":\"*\",\"name\":\"\"}]}", "",
	  "Namespace", "x", 0, 1 },
	/* names in namespaced lists are not part of the schema: ignored */
	{ "{\"namespaceResourceWhitelist\":[{\"group\":\"*\",\"kind\":\"*\",\"name\":\"nope\"}]}",
	  "", "ConfigMap", "cm", 1, 1 },
};

static void test_kinds(void)
{
	size_t i;
	cJSON *p;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		p = project(kinds[i].spec);
		is_int(project_group_kind_name_permitted(p, kinds[i].group, kinds[i].kind,
		                                         kinds[i].name, kinds[i].namespaced),
		       kinds[i].want, "%s permits %s %s:%s:%s", kinds[i].spec,
		       kinds[i].namespaced ? "namespaced" : "cluster-scoped", kinds[i].group,
		       kinds[i].kind, kinds[i].name ? kinds[i].name : "");
		if (!kinds[i].name)
			is_int(project_group_kind_permitted(p, kinds[i].group, kinds[i].kind,
			                                    kinds[i].namespaced),
			       kinds[i].want, "  and without a name too");
		cJSON_Delete(p);
	}
	is_int(project_group_kind_permitted(NULL, "apps", "Deployment", 1), 1,
	       "a NULL project has no namespaced whitelist");
	is_int(project_group_kind_permitted(NULL, "", "Namespace", 0), 0,
	       "nor any cluster whitelist");
}

static void test_resources(void)
{
	cJSON *p = project(
		"{\"destinations\":[{\"server\":\"" KDS "\",\"namespace\":\"apps\"}],"
		"\"clusterResourceWhitelist\":[{\"group\":\"\",\"kind\":\"Namespace\"}],"
		"\"namespaceResourceBlacklist\":[{\"group\":\"\",\"kind\":\"Secret\"}]}");

	ok(project_resource_permitted(p, "apps", "Deployment", "web", "apps", KDS, NULL),
	   "a Deployment in a permitted namespace");
	ok(!project_resource_permitted(p, "apps", "Deployment", "web", "other", KDS, NULL),
	   "a Deployment in another namespace is checked against destinations");
	ok(!project_resource_permitted(p, "", "Secret", "s", "apps", KDS, NULL),
	   "a blacklisted kind");
	ok(project_resource_permitted(p, "", "Namespace", "apps", "", KDS, NULL),
	   "a whitelisted cluster-scoped kind needs no destination");
	ok(project_resource_permitted(p, "", "Namespace", "apps", NULL, NULL, NULL),
	   "NULL namespace is cluster-scoped");
	ok(!project_resource_permitted(p, "rbac.authorization.k8s.io", "ClusterRole", "x", "", KDS,
	                               NULL),
	   "a cluster-scoped kind not whitelisted");
	cJSON_Delete(p);
}

static void test_describe(void)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *p = project(
		"{\"sourceRepos\":[\"https://github.com/org/app\",\"!https://github.com/org/"
		"secret\"],"
		"\"destinations\":[{\"server\":\"" KDS
		"\",\"namespace\":\"dev-*\"},{\"name\":\"prod\",\"namespace\":\"!kube-system\"}],"
		"\"sourceNamespaces\":[\"team-*\"],"
		"\"clusterResourceWhitelist\":[{\"group\":\"\",\"kind\":\"Namespace\"},{\"group\":"
		"\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"team-*\"}],"
		"\"namespaceResourceWhitelist\":[]}");
	cJSON *empty = project("{}");

	project_describe(p, PROJECT_SOURCE_REPOS, &sb);
	is_str(sb.buf, "'https://github.com/org/app', '!https://github.com/org/secret'",
	       "describe sourceRepos");
	strbuf_reset(&sb);
	project_describe(p, PROJECT_DESTINATIONS, &sb);
	is_str(sb.buf, "server '" KDS "' namespace 'dev-*', name 'prod' namespace '!kube-system'",
	       "describe destinations");
	strbuf_reset(&sb);
	project_describe(p, PROJECT_SOURCE_NAMESPACES, &sb);
	is_str(sb.buf, "'team-*'", "describe sourceNamespaces");
	strbuf_reset(&sb);
	project_describe(p, PROJECT_CLUSTER_WHITELIST, &sb);
	is_str(sb.buf, ":Namespace, rbac.authorization.k8s.io:ClusterRole:team-*",
	       "describe clusterResourceWhitelist");
	strbuf_reset(&sb);
	project_describe(p, PROJECT_NAMESPACE_WHITELIST, &sb);
	is_str(sb.buf, "(empty: no namespaced kind)",
	       "describe an explicit empty namespace whitelist");
	strbuf_reset(&sb);
	project_describe(empty, PROJECT_NAMESPACE_WHITELIST, &sb);
	is_str(sb.buf, "(absent: every namespaced kind)", "describe an absent namespace whitelist");
	strbuf_reset(&sb);
	project_describe(empty, PROJECT_CLUSTER_WHITELIST, &sb);
	is_str(sb.buf, "(empty: no cluster-scoped kind)", "describe an absent cluster whitelist");
	strbuf_reset(&sb);
	project_describe(empty, PROJECT_SOURCE_REPOS, &sb);
	is_str(sb.buf, "(empty: none)", "describe absent sourceRepos");
	strbuf_reset(&sb);
	project_describe(empty, PROJECT_NAMESPACE_BLACKLIST, &sb);
	is_str(sb.buf, "(empty)", "describe an absent blacklist");
	strbuf_release(&sb);

	is_str(project_list_field(PROJECT_SOURCE_REPOS), "sourceRepos", "field name of sourceRepos");
	is_str(project_list_field(PROJECT_NAMESPACE_BLACKLIST), "namespaceResourceBlacklist",
	       "field name of namespaceResourceBlacklist");
	is_str(project_list_field((enum project_list)99), "", "no field name for a bad list");
	is_str(project_name_or_default(""), "default", "an empty project is \"default\"");
	is_str(project_name_or_default(NULL), "default", "a NULL project is \"default\"");
	is_str(project_name_or_default("team"), "team", "a named project is itself");
	cJSON_Delete(p);
	cJSON_Delete(empty);
}

int main(void)
{
	test_normalize();
	test_sources();
	test_destinations();
	test_app_namespaces();
	test_kinds();
	test_resources();
	test_describe();
	return tap_done();
}
