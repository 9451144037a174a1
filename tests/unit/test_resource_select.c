/*
 * test_resource_select.c - argocd's --resource parsing and selection,
 * restating the examples of `argocd app sync --help`, argocd.md §2.1 and
 * util/argo IncludeResource's tests as data.
 */
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "errbuf.h"
#include "resource_select.h"

static const struct {
	const char *arg;
	const char *group, *kind, *ns, *name;
	int exclude;
	const char *error; /* NULL: parses */
} parses[] = {
	{ ":Service:my-service", "", "Service", "", "my-service", 0, NULL },
	{ "argoproj.io:Rollout:my-rollout", "argoproj.io", "Rollout", "", "my-rollout", 0, NULL },
	{ "!apps:Deployment:my-service", "apps", "Deployment", "", "my-service", 1, NULL },
	{ "!*:Service:*", "*", "Service", "", "*", 1, NULL },
	{ "argoproj.io:Rollout:my-namespace/my-rollout", "argoproj.io", "Rollout", "my-namespace",
	  "my-rollout", 0, NULL },
	{ "apps:Deployment:/web", "apps", "Deployment", "", "web", 0, NULL },
	{ "apps:Deployment:prod/", "apps", "Deployment", "prod", "", 0, NULL },
	{ "::", "", "", "", "", 0, NULL },
	{ "*:*:*/*", "*", "*", "*", "*", 0, NULL },
	{ "apps:Deployment:web-*", "apps", "Deployment", "", "web-*", 0, NULL },
	/* only one '!' is the exclude marker */
	{ "!!apps:Deployment:web", "!apps", "Deployment", "", "web", 1, NULL },
	{ "apps:!Deployment:web", "apps", "!Deployment", "", "web", 0, NULL },
	/* malformed */
	{ "apps:Deployment", NULL, NULL, NULL, NULL, 0,
	  "resource should have GROUP:KIND:NAME, but instead got: apps:Deployment" },
	{ "!apps:Deployment", NULL, NULL, NULL, NULL, 0,
	  "resource should have GROUP:KIND:NAME, but instead got: apps:Deployment" },
	{ "a:b:c:d", NULL, NULL, NULL, NULL, 0,
	  "resource should have GROUP:KIND:NAME, but instead got: a:b:c:d" },
	{ "apps:Deployment:ns/na:me", NULL, NULL, NULL, NULL, 0,
	  "resource should have GROUP:KIND:NAME, but instead got: apps:Deployment:ns/na:me" },
	{ "", NULL, NULL, NULL, NULL, 0, "resource should have GROUP:KIND:NAME, but instead got: " },
	{ "!", NULL, NULL, NULL, NULL, 0, "resource should have GROUP:KIND:NAME, but instead got: " },
	{ "web", NULL, NULL, NULL, NULL, 0,
	  "resource should have GROUP:KIND:NAME, but instead got: web" },
	{ "apps:Deployment:a/b/c", NULL, NULL, NULL, NULL,
	  0, "resource with namespace should have GROUP:KIND:NAMESPACE/NAME, but instead got: apps:Deployment:a/b/c" },
	{ "!apps:Deployment:a//c", NULL, NULL, NULL, NULL,
	  0, "resource with namespace should have GROUP:KIND:NAMESPACE/NAME, but instead got: apps:Deployment:a//c" },
	/* a '/' in group or kind is not the namespace separator */
	{ "a/b:K:n", "a/b", "K", "", "n", 0, NULL },
};

static void test_parse(void)
{
	struct resource_filters f = RESOURCE_FILTERS_INIT;
	struct errbuf err;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		errbuf_clear(&err);
		rc = resource_filters_add(&f, parses[i].arg, &err);
		if (parses[i].error) {
			is_int(rc, -1, "'%s' is rejected", parses[i].arg);
			is_str(err.msg, parses[i].error, "  with argocd's message");
			continue;
		}
		if (!ok(rc == 0, "'%s' parses", parses[i].arg) || !f.n)
			continue;
		is_str(f.v[f.n - 1].group, parses[i].group, "  group");
		is_str(f.v[f.n - 1].kind, parses[i].kind, "  kind");
		is_str(f.v[f.n - 1].ns, parses[i].ns, "  namespace");
		is_str(f.v[f.n - 1].name, parses[i].name, "  name");
		is_int(f.v[f.n - 1].exclude, parses[i].exclude, "  exclude");
		is_str(f.v[f.n - 1].arg, parses[i].arg, "  the value is kept as given");
	}
	is_int(f.n, 13, "only the valid values were added");
	resource_filters_release(&f);
	is_int(f.n, 0, "release empties the list");
	ok(resource_filters_add(&f, NULL, NULL) == -1,
	   "NULL is malformed, and a NULL errbuf is fine");
	resource_filters_release(&f);
}

/* Resources as in an Application's status.resources. */
static const char *status_json = "[{\"version\":\"v1\",\"kind\":\"Service\",\"namespace\":\"prod\","
				 "\"name\":\"web\",\"status\":\"Synced\"},"
				 " {\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"Deployment\","
				 "\"namespace\":\"prod\",\"name\":\"web\"},"
				 " {\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"Deployment\","
				 "\"namespace\":\"staging\",\"name\":\"web\"},"
				 " {\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"Deployment\","
				 "\"namespace\":\"prod\",\"name\":\"worker\"},"
				 " {\"version\":\"v1\",\"kind\":\"Namespace\",\"name\":\"prod\"},"
				 " {\"group\":\"argoproj.io\",\"kind\":\"Rollout\",\"namespace\":"
				 "\"prod\",\"name\":\"web-canary\"},"
				 " \"not an object\"]";

static const struct {
	const char *args[4];
	const char *want; /* compact JSON, or the error */
} selects[] = {
	{ { ":Service:web" }, "[{\"kind\":\"Service\",\"name\":\"web\",\"namespace\":\"prod\"}]" },
	{ { "apps:Deployment:web" },
	  "[{\"group\":\"apps\",\"kind\":\"Deployment\",\"name\":\"web\",\"namespace\":\"prod\"},"
	  "{\"group\":\"apps\",\"kind\":\"Deployment\",\"name\":\"web\",\"namespace\":\"staging\"}"
	  "]" },
	{ { "apps:Deployment:staging/web" },
	  "[{\"group\":\"apps\",\"kind\":\"Deployment\",\"name\":\"web\",\"namespace\":\"staging\"}"
	  "]" },
	{ { "apps:Deployment:*/web" },
	  "[{\"group\":\"apps\",\"kind\":\"Deployment\",\"name\":\"web\",\"namespace\":\"prod\"},"
	  "{\"group\":\"apps\",\"kind\":\"Deployment\",\"name\":\"web\",\"namespace\":\"staging\"}"
	  "]" },
	{ { "*:*:web" },
	  "[{\"kind\":\"Service\",\"name\":\"web\",\"namespace\":\"prod\"},"
	  "{\"group\":\"apps\",\"kind\":\"Deployment\",\"name\":\"web\",\"namespace\":\"prod\"},"
	  "{\"group\":\"apps\",\"kind\":\"Deployment\",\"name\":\"web\",\"namespace\":\"staging\"}"
	  "]" },
	/* a cluster-scoped resource: no namespace in the output */
	{ { ":Namespace:prod" }, "[{\"kind\":\"Namespace\",\"name\":\"prod\"}]" },
	/* a namespace in the rule does not match a cluster-scoped resource */
	{ { ":Namespace:prod/prod" },
	  "no matching app resources found for resource filter: :Namespace:prod/prod" },
	/* only excludes: everything else */
	{ { "!apps:Deployment:*", "!:Namespace:*" },
	  "[{\"kind\":\"Service\",\"name\":\"web\",\"namespace\":\"prod\"},"
	  "{\"group\":\"argoproj.io\",\"kind\":\"Rollout\",\"name\":\"web-canary\",\"namespace\":"
	  "\"prod\"}]" },
	/* exclude wins over include, in any order */
	{ { "!apps:Deployment:staging/web", "apps:Deployment:web" },
	  "[{\"group\":\"apps\",\"kind\":\"Deployment\",\"name\":\"web\",\"namespace\":\"prod\"}"
	  "]" },
	{ { "apps:Deployment:*", "!*:*:worker" },
	  "[{\"group\":\"apps\",\"kind\":\"Deployment\",\"name\":\"web\",\"namespace\":\"prod\"},"
	  "{\"group\":\"apps\",\"kind\":\"Deployment\",\"name\":\"web\",\"namespace\":\"staging\"}"
	  "]" },
	/* several includes: any of them */
	{ { "apps:Deployment:prod/worker", ":Service:web" },
	  "[{\"kind\":\"Service\",\"name\":\"web\",\"namespace\":\"prod\"},"
	  "{\"group\":\"apps\",\"kind\":\"Deployment\",\"name\":\"worker\",\"namespace\":\"prod\"}"
	  "]" },
	/* "*" is a whole-field wildcard, not a glob */
	{ { "argoproj.io:Rollout:web-*" },
	  "no matching app resources found for resource filter: argoproj.io:Rollout:web-*" },
	/* the core group is "", not "*" and not "v1" */
	{ { "v1:Service:web" },
	  "no matching app resources found for resource filter: v1:Service:web" },
	/* everything excluded */
	{ { "!*:*:*" }, "no matching app resources found for resource filter: !*:*:*" },
	{ { "apps:Deployment:web", "!apps:Deployment:web" },
	  "no matching app resources found for resource filter: apps:Deployment:web, "
	  "!apps:Deployment:web" },
	/* matching is case-sensitive */
	{ { ":service:web" }, "no matching app resources found for resource filter: :service:web" },
};

static void test_select(void)
{
	cJSON *status = cJSON_Parse(status_json), *got;
	struct resource_filters f = RESOURCE_FILTERS_INIT;
	struct errbuf err;
	char *text;
	size_t i, j;

	if (!status) {
		printf("Bail out! bad status JSON\n");
		exit(1);
	}
	for (i = 0; i < sizeof(selects) / sizeof(selects[0]); i++) {
		for (j = 0; j < 4 && selects[i].args[j]; j++)
			if (resource_filters_add(&f, selects[i].args[j], NULL))
				printf("# cannot parse %s\n", selects[i].args[j]);
		errbuf_clear(&err);
		got = resource_filters_select(&f, status, &err);
		text = got ? cJSON_PrintUnformatted(got) : NULL;
		is_str(got ? text : err.msg, selects[i].want, "select with %s%s%s",
		       selects[i].args[0], selects[i].args[1] ? " " : "",
		       selects[i].args[1] ? selects[i].args[1] : "");
		free(text);
		cJSON_Delete(got);
		resource_filters_release(&f);
	}

	got = resource_filters_select(&f, status, &err);
	text = cJSON_PrintUnformatted(got);
	is_str(text, "[]", "no rules: an empty array (sync everything)");
	free(text);
	cJSON_Delete(got);

	resource_filters_add(&f, "*:*:*", NULL);
	got = resource_filters_select(&f, NULL, &err);
	ok(!got, "rules against no status.resources select nothing");
	is_str(err.msg, "no matching app resources found for resource filter: *:*:*", "  and say so");
	resource_filters_release(&f);
	cJSON_Delete(status);
}

static void test_include(void)
{
	struct resource_filters f = RESOURCE_FILTERS_INIT;

	ok(resource_filters_include(&f, "apps", "Deployment", "x", "y"),
	   "no rules include everything");
	resource_filters_add(&f, "apps:Deployment:web", NULL);
	ok(resource_filters_include(&f, "apps", "Deployment", "any-ns", "web"),
	   "a rule without namespace matches any namespace");
	ok(resource_filters_include(&f, "apps", "Deployment", NULL, "web"),
	   "and a cluster-scoped resource");
	ok(!resource_filters_include(&f, "apps", "Deployment", "ns", "api"),
	   "another name is not included");
	ok(!resource_filters_include(&f, NULL, "Deployment", "ns", "web"),
	   "NULL group is the core group");
	resource_filters_release(&f);
}

int main(void)
{
	test_parse();
	test_select();
	test_include();
	return tap_done();
}
