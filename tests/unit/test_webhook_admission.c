/*
 * AdmissionReview parsing (bad inputs get a clear message, for a 400) and
 * the exact shape of the response (webhook.md §1.3).
 */
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "errbuf.h"
#include "tap.h"

#define REQ(body)                                                               \
	"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"," \
	"\"request\":{" body "}}"
#define MIN                                                                                        \
	"\"uid\":\"u1\",\"kind\":{\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"Deployment\"}," \
	"\"operation\":\"CREATE\""

static const struct {
	const char *what, *body, *error; /* error NULL = parses */
} parse_cases[] = {
	{ "minimal v1 review", REQ(MIN), NULL },
	{ "full review",
	  REQ(MIN
	      ",\"name\":\"web\",\"namespace\":\"prod\",\"dryRun\":true,"
	      "\"userInfo\":{\"username\":\"alice\",\"groups\":[\"a\",\"b\"]},"
	      "\"object\":{\"kind\":\"Deployment\"},\"oldObject\":null,"
	      "\"resource\":{\"group\":\"apps\",\"version\":\"v1\",\"resource\":\"deployments\"},"
	      "\"subResource\":\"scale\""),
	  NULL },
	{ "not JSON", "{\"apiVersion\":", "body is not valid JSON" },
	{ "empty body", "", "body is not valid JSON" },
	{ "trailing data", REQ(MIN) "}", "body is not valid JSON (data after the JSON value" },
	{ "an array", "[1,2]", "expected a JSON object" },
	{ "no apiVersion", "{\"kind\":\"AdmissionReview\"}", "missing apiVersion or kind" },
	{ "v1beta1", "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\"}",
	  "unsupported apiVersion \"admission.k8s.io/v1beta1\"" },
	{ "wrong kind", "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"Pod\"}",
	  "unexpected kind \"Pod\"" },
	{ "no request", "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}",
	  "missing request" },
	{ "no uid", REQ("\"operation\":\"CREATE\""), "request.uid" },
	{ "empty uid", REQ("\"uid\":\"\""), "request.uid" },
	{ "uid not a string", REQ("\"uid\":7"), "request.uid" },
	{ "unknown operation", REQ("\"uid\":\"u\",\"operation\":\"PATCH\""),
	  "unknown operation \"PATCH\"" },
	{ "no kind", REQ("\"uid\":\"u\",\"operation\":\"CREATE\""), "request.kind" },
	{ "kind without kind",
	  REQ("\"uid\":\"u\",\"operation\":\"CREATE\",\"kind\":{\"group\":\"\"}"), "request.kind" },
	{ "groups not strings", REQ(MIN ",\"userInfo\":{\"groups\":[1]}"), "userInfo.groups" },
	{ "username not a string", REQ(MIN ",\"userInfo\":{\"username\":{}}"), "request.userInfo" },
	{ "object not an object", REQ(MIN ",\"object\":\"x\""), "request.object" },
	{ "dryRun not a boolean", REQ(MIN ",\"dryRun\":\"yes\""), "request.dryRun" },
	{ "name not a string", REQ(MIN ",\"name\":5"), "request.name" },
	{ "deeply nested garbage",
	  "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
	  "body is not valid JSON" },
};

static void test_parse(void)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(*parse_cases); i++) {
		struct admission_request req;
		struct errbuf err;
		const char *b = parse_cases[i].body;
		int rc;

		errbuf_clear(&err);
		rc = admission_request_parse(&req, b, strlen(b), &err);
		if (!parse_cases[i].error) {
			ok(rc == 0, "%s parses", parse_cases[i].what);
			admission_request_release(&req);
			continue;
		}
		ok(rc == -1, "%s is rejected", parse_cases[i].what);
		if (!ok(strstr(err.msg, parse_cases[i].error) != NULL, "%s: message",
		        parse_cases[i].what))
			printf("#   got: %s\n", err.msg);
	}
}

static void test_fields(void)
{
	const char *b = REQ(MIN ",\"name\":\"web\",\"namespace\":\"prod\",\"dryRun\":true,"
	                        "\"userInfo\":{\"username\":\"alice\",\"groups\":[\"devs\"]},"
	                        "\"oldObject\":{\"kind\":\"Deployment\"}");
	const char *users[] = { "bob" }, *groups[] = { "devs" };
	struct admission_request req;

	if (!ok(admission_request_parse(&req, b, strlen(b), NULL) == 0, "fields: parses"))
		return;
	is_str(req.uid, "u1", "uid");
	is_int(req.op, OP_CREATE, "operation");
	is_str(req.group, "apps", "group");
	is_str(req.kind, "Deployment", "kind");
	is_str(req.ns, "prod", "namespace");
	is_str(req.username, "alice", "username");
	is_str(req.sub_resource, "", "absent subResource is empty");
	ok(req.dry_run, "dryRun");
	ok(req.object == NULL && req.old_object != NULL, "object absent, oldObject present");
	ok(admission_user_in(&req, users, 1, groups, 1), "matched through a group");
	ok(!admission_user_in(&req, users, 1, users, 1), "no match");
	admission_request_release(&req);
}

/* The request's members are found in one pass: the first of a name wins,
 * as with cJSON_GetObjectItemCaseSensitive(), and order does not matter. */
static void test_members(void)
{
	const char *b = REQ("\"options\":{\"kind\":\"x\"},\"dryRun\":true,\"namespace\":\"prod\","
	                    "\"requestKind\":{\"kind\":\"R\"},\"oldObject\":{\"a\":1},"
	                    "\"name\":\"web\",\"operation\":\"DELETE\",\"uid\":\"first\","
	                    "\"kind\":{\"kind\":\"Pod\"},\"uid\":\"second\","
	                    "\"operation\":\"CREATE\",\"dryRun\":7,\"subResource\":\"status\","
	                    "\"userInfo\":{\"username\":\"u\"},\"object\":null,"
	                    "\"resource\":{\"resource\":\"pods\"},\"requestResource\":{}");
	struct admission_request req;

	if (!ok(admission_request_parse(&req, b, strlen(b), NULL) == 0,
	        "members in any order, duplicates after the first ignored"))
		return;
	ok(!strcmp(req.uid, "first") && req.op == OP_DELETE && req.dry_run &&
	           !strcmp(req.kind, "Pod") && !strcmp(req.name, "web") && !strcmp(req.ns, "prod") &&
	           !strcmp(req.sub_resource, "status") && !strcmp(req.resource, "pods") &&
	           !strcmp(req.username, "u") && !req.object && req.old_object,
	   "each field from the first member of its name");
	admission_request_release(&req);
}

/* status and managedFields are checked but not kept (admission.h). */
static void test_skipped(void)
{
	const char *b = REQ(
		MIN ",\"object\":{\"metadata\":{\"name\":\"web\",\"managedFields\":[{"
		    "\"manager\":\"kubectl\"}]},\"spec\":{\"status\":1},\"status\":{\"x\":1}},"
		    "\"oldObject\":{\"status\":[],\"metadata\":{\"managedFields\":null}}");
	const char *bad = REQ(MIN ",\"object\":{\"status\":{\"x\":}}");
	struct admission_request req;
	struct errbuf err;
	const cJSON *meta;

	if (!ok(admission_request_parse(&req, b, strlen(b), &err) == 0, "skipped: parses"))
		return;
	meta = cJSON_GetObjectItemCaseSensitive(req.object, "metadata");
	ok(!cJSON_GetObjectItemCaseSensitive(req.object, "status") &&
	           !cJSON_GetObjectItemCaseSensitive(req.old_object, "status"),
	   "status is left out");
	ok(meta && !cJSON_GetObjectItemCaseSensitive(meta, "managedFields") &&
	           cJSON_GetObjectItemCaseSensitive(meta, "name"),
	   "managedFields is left out, name kept");
	ok(cJSON_GetObjectItemCaseSensitive(req.object, "spec")->type == cJSON_Raw,
	   "a Deployment's spec is kept as text until a policy needs it");
	ok(admission_request_expand(&req, &err) == 0 &&
	           cJSON_GetObjectItemCaseSensitive(
			   cJSON_GetObjectItemCaseSensitive(req.object, "spec"), "status") != NULL,
	   "a status deeper down is kept");
	admission_request_release(&req);
	errbuf_clear(&err);
	ok(admission_request_parse(&req, bad, strlen(bad), &err) == -1 &&
	           strstr(err.msg, "body is not valid JSON"),
	   "a malformed status still fails the parse");
}

/* Parses body, builds its deferred spec, and points at object's and oldObject's. */
static void expanded_specs(struct admission_request *req, const char *body, const cJSON **cur,
                           const cJSON **old)
{
	struct errbuf err;

	admission_request_parse(req, body, strlen(body), NULL);
	admission_request_expand(req, &err);
	*cur = cJSON_GetObjectItemCaseSensitive(req->object, "spec");
	*old = cJSON_GetObjectItemCaseSensitive(req->old_object, "spec");
}

/* spec: built at once for Argo CD's kinds, on demand for the others. */
static void test_deferred_spec(void)
{
	const char *app = REQ(
		"\"uid\":\"u1\",\"kind\":{\"group\":\"argoproj.io\",\"version\":\"v1alpha1\","
		"\"kind\":\"Application\"},\"operation\":\"UPDATE\","
		"\"object\":{\"spec\":{\"project\":\"p\"}},\"oldObject\":{\"spec\":{\"project\":"
		"\"q\"}}");
	const char *same = REQ(MIN ",\"object\":{\"spec\":{\"replicas\":2,\"x\":\"a\\nb\"}},"
	                           "\"oldObject\":{\"spec\":{\"replicas\":2,\"x\":\"a\\nb\"}}");
	const char *changed = REQ(MIN ",\"object\":{\"spec\":{\"replicas\":2}},"
	                              "\"oldObject\":{\"spec\":{\"replicas\":3}}");
	struct admission_request req;
	const cJSON *cur, *old;
	struct errbuf err;

	if (!ok(admission_request_parse(&req, app, strlen(app), NULL) == 0, "deferred: parses"))
		return;
	ok(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(req.object, "spec")) &&
	           cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(req.old_object, "spec")),
	   "an Application's spec and old spec are built at once");
	admission_request_release(&req);

	expanded_specs(&req, same, &cur, &old);
	ok(cJSON_IsObject(cur) && cJSON_IsObject(old) && cur->child == old->child &&
	           !strcmp(cJSON_GetObjectItemCaseSensitive(cur, "x")->valuestring, "a\nb"),
	   "the same spec text on both sides is built once and shared");
	admission_request_release(&req);

	expanded_specs(&req, changed, &cur, &old);
	ok(cJSON_GetObjectItemCaseSensitive(cur, "replicas")->valueint == 2 &&
	           cJSON_GetObjectItemCaseSensitive(old, "replicas")->valueint == 3,
	   "different specs are built each");
	ok(admission_request_expand(&req, &err) == 0, "expanding again changes nothing");
	admission_request_release(&req);
}

static void test_render(void)
{
	struct admission_response r;
	char *s;

	admission_response_init(&r);
	s = admission_response_render("abc", &r);
	is_str(s,
	       "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
	       "\"response\":{\"uid\":\"abc\",\"allowed\":true}}",
	       "allow response");
	free(s);
	r.allowed = 0;
	r.code = 403;
	strbuf_addstr(&r.message, "no \"way\"");
	s = admission_response_render("abc", &r);
	is_str(s,
	       "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
	       "\"response\":{\"uid\":\"abc\",\"allowed\":false,\"status\":{\"code\":403,"
	       "\"reason\":\"Forbidden\",\"message\":\"no \\\"way\\\"\"}}}",
	       "deny response");
	free(s);
	admission_response_release(&r);

	admission_response_init(&r);
	r.allowed = 0;
	strbuf_addstr(&r.message, "m");
	s = admission_response_render("u", &r);
	ok(strstr(s, "\"status\":{\"code\":403,\"reason\":\"Forbidden\",\"message\":\"m\"}}}") != NULL,
	   "no code: 403");
	free(s);
	r.code = 500;
	s = admission_response_render("u", &r);
	ok(strstr(s, "{\"code\":500,\"reason\":\"InternalError\",\"message\":\"m\"}") != NULL,
	   "500 and up: InternalError");
	free(s);
	r.code = 429;
	s = admission_response_render("u", &r);
	ok(strstr(s, "{\"code\":429,\"reason\":\"Forbidden\",\"message\":\"m\"}") != NULL,
	   "other codes as given");
	free(s);
	admission_response_release(&r);

	admission_response_init(&r);
	admission_response_warn(&r, "w1");
	admission_response_audit(&r, "k", "v1");
	admission_response_audit(&r, "k", "v2");
	s = admission_response_render("u", &r);
	is_str(s,
	       "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
	       "\"response\":{\"uid\":\"u\",\"allowed\":true,\"warnings\":[\"w1\"],"
	       "\"auditAnnotations\":{\"k\":\"v2\"}}}",
	       "warnings and audit annotations, last wins");
	ok(!strstr(s, "patch"), "a validating webhook never returns a patch");
	free(s);
	admission_response_release(&r);
}

int main(void)
{
	test_parse();
	test_fields();
	test_members();
	test_skipped();
	test_deferred_spec();
	test_render();
	return tap_done();
}
