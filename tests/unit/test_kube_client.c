/*
 * The REST client against tests/lib/kubetest_server.py on 127.0.0.1:
 * TLS and credentials, Status errors, retries, timeouts, paging, writes
 * and -v logging.  Scenarios are JSON with ' for " (see kubetest.h).
 */
#include "tap.h"
#include "kubetest.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "errbuf.h"
#include "exec_credential.h"
#include "json_util.h"
#include "kube_client.h"
#include "rest_config.h"
#include "strbuf.h"
#include "xalloc.h"

static struct kubetest kt;

static const char script[] =
	"{'tokens': {'good-token': 'alice', 'file-token-1': 'file-one', 'file-token-2': 'file-two',"
	"            'exec-token-2': 'exec-user'},"
	" 'basic': {'bob': 'hunter2'},"
	" 'routes': ["
	"  {'path': '/api/v1/namespaces/default/pods/tok', 'auth': 'token',"
	"   'responses': [{'body': {'kind': 'Pod', 'metadata': {'name': 'tok'}}}]},"
	"  {'path': '/cert', 'auth': 'cert', 'responses': [{'body': {'kind': 'Pod'}}]},"
	"  {'path': '/any', 'auth': 'any', 'responses': [{'body': {'ok': true}}]},"
	"  {'path': '/open', 'responses': [{'body': {'ok': true}}]},"
	"  {'path': '/conflict', 'method': 'PUT', 'responses': [{'status': 409, 'status_error': {"
	"   'reason': 'Conflict', 'message': 'Operation cannot be fulfilled on "
	"rollouts.argoproj.io \\'x\\': the object has been modified; please apply your changes to "
	"the latest version and try again'}}]},"
	"  {'path': '/notfound', 'responses': [{'status': 404, 'status_error': {"
	"   'reason': 'NotFound', 'message': 'rollouts.argoproj.io \\'x\\' not found'}}]},"
	"  {'path': '/gone', 'responses': [{'status': 410, 'status_error': {"
	"   'reason': 'Expired', 'message': 'too old resource version: 1 (42)'}}]},"
	"  {'path': '/throttle', 'method': 'POST', 'responses': ["
	"   {'status': 429, 'headers': {'Retry-After': '1'}, 'status_error': {'reason': "
	"'TooManyRequests', 'message': 'slow down'}},"
	"   {'status': 201, 'body': {'created': true}}]},"
	"  {'path': '/huge-retry-after', 'responses': [{'status': 429,"
	"   'headers': {'Retry-After': '9223372036854775807'}, 'status_error': {'reason': "
	"'TooManyRequests', 'message': 'later'}}]},"
	"  {'path': '/flaky', 'method': 'GET', 'responses': ["
	"   {'status': 500, 'status_error': {'reason': 'InternalError', 'message': 'boom'}}, "
	"{'body': {'ok': true}}]},"
	"  {'path': '/flaky', 'method': 'POST', 'responses': ["
	"   {'status': 500, 'status_error': {'reason': 'InternalError', 'message': 'boom'}}, "
	"{'body': {'ok': true}}]},"
	"  {'path': '/reset', 'method': 'GET', 'responses': [{'reset': true}, {'body': {'ok': "
	"true}}]},"
	"  {'path': '/reset', 'method': 'POST', 'responses': [{'reset': true}, {'body': {'ok': "
	"true}}]},"
	"  {'path': '/stall', 'responses': [{'stall': 20}]},"
	"  {'path': '/bad-gateway', 'responses': [{'status': 502, 'body': 'upstream "
	"exploded\\nsecond line'}]},"
	"  {'path': '/teapot', 'responses': [{'status': 418, 'body': ''}]},"
	"  {'path': '/big', 'responses': [{'body': {'data': '"
	"%BIG%"
	"'}}]},"
	"  {'path': '/api/v1/namespaces/default/secrets/s', 'responses': [{'body': {'kind': "
	"'Secret',"
	"   'metadata': {'name': 's', 'annotations': "
	"{'kubectl.kubernetes.io/last-applied-configuration': 'LAST-APPLIED-S3CRET'}},"
	"   'data': {'password': 'DATA-S3CRET'}, 'stringData': {'k': 'STRING-S3CRET'}}}]},"
	"  {'path': '/api/v1/namespaces/default/secrets', 'responses': [{'body': {'kind': "
	"'SecretList',"
	"   'items': [{'metadata': {'name': 'a'}, 'data': {'k': 'LIST-S3CRET'}}]}}]},"
	"  {'path': '/api/v1/namespaces/default/secrets/dup', 'responses': [{'body':"
	"   "
	"'{\\'kind\\':\\'Secret\\',\\'data\\':{\\'a\\':\\'x\\',\\'a\\':\\'DUP-S3CRET\\'},\\'data\\'"
	":{\\'b\\':\\'DUP2-S3CRET\\'}}'}]},"
	"  {'path': '/api/v1/namespaces/default/secrets/raw', 'responses': [{'body': 'not json "
	"RAW-S3CRET'}]},"
	"  {'path': '/apis/authentication.k8s.io/v1/tokenreviews', 'method': 'POST', 'responses': "
	"[{'status': 201,"
	"   'body': {'kind': 'TokenReview', 'spec': {'token': 'REVIEW-S3CRET'}, 'status': "
	"{'authenticated': true}}}]},"
	"  {'path': '/escape', 'responses': [{'body': 'x\\u001b]0;pwned\\u0007y'}]},"
	"  {'path': '/warn', 'responses': [{'headers': {'Warning': '299 - \\'thing is "
	"deprecated\\''}, 'body': {}}]},"
	"  {'path': '/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts', 'method': 'GET', "
	"'responses': [{'list': {"
	"   'kind': 'RolloutList', 'apiVersion': 'argoproj.io/v1alpha1', 'resourceVersion': "
	"'4242', 'items': ["
	"    {'metadata': {'name': 'r1', 'labels': {'app': 'a'}}}, {'metadata': {'name': 'r2', "
	"'labels': {'app': 'b'}}},"
	"    {'metadata': {'name': 'r3', 'labels': {'app': 'a'}}}, {'metadata': {'name': 'r4'}},"
	"    {'metadata': {'name': 'r5', 'labels': {'app': 'a'}}}, {'metadata': {'name': 'r6'}},"
	"    {'metadata': {'name': 'r7', 'labels': {'app': 'a'}}}]}}]},"
	"  {'path': '/apis/argoproj.io/v1alpha1/namespaces/expiring/rollouts', 'responses': "
	"[{'list': {"
	"   'kind': 'RolloutList', 'resourceVersion': '77', 'expire_continue': true, 'items': ["
	"    {'metadata': {'name': 'e1'}}, {'metadata': {'name': 'e2'}}, {'metadata': {'name': "
	"'e3'}}]}}]},"
	"  {'path': '/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts', 'method': 'POST',"
	"   'responses': [{'status': 201, 'body': {'metadata': {'name': 'new'}}}]},"
	"  {'path': '/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts/x', 'method': '*',"
	"   'responses': [{'body': {'metadata': {'name': 'x'}}}]}"
	" ]}";

static char *ca_pem, *wrong_ca_pem, *client_cert, *client_key;

/* kubetest_start() wants real JSON: ' becomes ", and \' a quote inside a string. */
static char *unquote(const char *s)
{
	char *out = xstrdup(s), *p;

	for (p = out; *p; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

static int start_server(const char *text, int tls)
{
	struct strbuf sb = STRBUF_INIT;
	char *json;
	const char *big = strstr(text, "%BIG%");
	int i, r;

	if (big) {
		strbuf_add(&sb, text, big - text);
		for (i = 0; i < 2000; i++)
			strbuf_addch(&sb, 'x');
		strbuf_addstr(&sb, big + 5);
	} else {
		strbuf_addstr(&sb, text);
	}
	json = unquote(sb.buf);
	r = kubetest_start(&kt, json, tls);
	free(json);
	strbuf_release(&sb);
	return r;
}

static void rc_init(struct rest_config *rc, const char *server, const char *ca)
{
	memset(rc, 0, sizeof(*rc));
	rc->server = xstrdup(server);
	if (ca) {
		rc->ca_pem = xstrdup(ca);
		rc->ca_pem_len = strlen(ca);
	}
	rc->namespace = xstrdup("default");
}

/* One GET with a fresh client; returns kube_get's result and the request count. */
static int get_once(const struct rest_config *rc, const char *path, cJSON **out, struct errbuf *err,
                    unsigned long *count)
{
	struct kube_client *kc = kube_client_new(rc, err);
	int r;

	if (!kc)
		return -2;
	kube_client_set_backoff(kc, 10, 50);
	r = kube_get(kc, path, out, err);
	if (count)
		*count = kube_client_request_count(kc);
	kube_client_free(kc);
	return r;
}

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void test_paths(void)
{
	static const struct {
		const char *g, *v, *res, *ns, *name, *sub, *want;
	} cases[] = {
		{ "", "v1", "pods", "default", "web-0", NULL,
		  "/api/v1/namespaces/default/pods/web-0" },
		{ NULL, "v1", "namespaces", NULL, "kube-system", NULL,
		  "/api/v1/namespaces/kube-system" },
		{ "argoproj.io", "v1alpha1", "rollouts", "ns", "r", "status",
		  "/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts/r/status" },
		{ "argoproj.io", "v1alpha1", "applications", NULL, NULL, NULL,
		  "/apis/argoproj.io/v1alpha1/applications" },
		{ "argoproj.io", "v1alpha1", "rollouts", "n s", "a/b?c", NULL,
		  "/apis/argoproj.io/v1alpha1/namespaces/n%20s/rollouts/a%2Fb%3Fc" },
	};
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf_reset(&sb);
		kube_path(&sb, cases[i].g, cases[i].v, cases[i].res, cases[i].ns, cases[i].name,
		          cases[i].sub);
		is_str(sb.buf, cases[i].want, "kube_path %s", cases[i].want);
	}
	kube_path_add_query(&sb, "labelSelector", "app=x,tier!=db");
	kube_path_add_query(&sb, "limit", "5");
	ok(strstr(sb.buf, "?labelSelector=app%3Dx%2Ctier%21%3Ddb&limit=5") != NULL,
	   "queries are joined with ? then & and URL-encoded");
	strbuf_release(&sb);
}

static void test_auth(void)
{
	struct rest_config rc;
	struct errbuf err;
	cJSON *out = NULL, *log;
	unsigned long n;
	int r;

	rc_init(&rc, kt.url, ca_pem);
	rc.token = xstrdup("good-token");
	r = get_once(&rc, "/api/v1/namespaces/default/pods/tok", &out, &err, NULL);
	is_int(r, 0, "a good bearer token is accepted");
	is_str(cJSON_GetStringValue(
		       cJSON_GetObjectItem(cJSON_GetObjectItem(out, "metadata"), "name")),
	       "tok", "the body is parsed");
	cJSON_Delete(out);
	free(rc.token);
	rc.token = xstrdup("bad-token");
	r = get_once(&rc, "/api/v1/namespaces/default/pods/tok", &out, &err, &n);
	ok(r == -1 && err.code == 401, "a wrong token gives 401");
	is_str(err.reason, "Unauthorized", "401 reason");
	is_str(err.msg, "Unauthorized", "401 message is the Status message");
	is_int(n, 1, "401 is not retried");
	rest_config_release(&rc);

	rc_init(&rc, kt.url, ca_pem);
	r = get_once(&rc, "/cert", &out, &err, NULL);
	ok(r == -1 && err.code == 401, "without a client certificate /cert is refused");
	rc.client_cert_pem = xstrdup(client_cert);
	rc.client_cert_pem_len = strlen(client_cert);
	rc.client_key_pem = xstrdup(client_key);
	rc.client_key_pem_len = strlen(client_key);
	r = get_once(&rc, "/cert", &out, &err, NULL);
	is_int(r, 0, "a client certificate is accepted");
	cJSON_Delete(out);
	rest_config_release(&rc);

	rc_init(&rc, kt.url, ca_pem);
	rc.username = xstrdup("bob");
	rc.password = xstrdup("hunter2");
	r = get_once(&rc, "/any", NULL, &err, NULL);
	is_int(r, 0, "basic auth is accepted");
	rest_config_release(&rc);

	rc_init(&rc, kt.url, ca_pem);
	rc.token = xstrdup("good-token");
	rc.as_user = xstrdup("jane");
	rc.as_uid = xstrdup("uid-1");
	rc.as_groups = xcalloc(3, sizeof(char *));
	rc.as_groups[0] = xstrdup("devs");
	rc.as_groups[1] = xstrdup("ops");
	get_once(&rc, "/open", NULL, &err, NULL);
	rest_config_release(&rc);
	log = kubetest_log(&kt);
	{
		const cJSON *e = kubetest_nth(log, "/open", 0);
		const cJSON *cert = kubetest_nth(log, "/cert", 1);

		is_str(kubetest_field(cert, "user"), "cert-user", "the server mapped the cert's CN");
		is_str(kubetest_field(kubetest_nth(log, "/any", 0), "user"), "bob", "basic user");
		is_str(kubetest_field(e, "headers.impersonate-user"), "jane", "Impersonate-User");
		is_str(kubetest_field(e, "headers.impersonate-uid"), "uid-1", "Impersonate-Uid");
		is_str(kubetest_field(e, "headers.impersonate-group"), "devs, ops",
		       "one Impersonate-Group per group");
		is_str(kubetest_field(e, "headers.accept"), "application/json", "Accept: JSON");
		ok(strncmp(kubetest_field(e, "headers.user-agent")
		                   ? kubetest_field(e, "headers.user-agent")
		                   : "",
		           "kubectl-gitops/", 15) == 0,
		   "default User-Agent");
		ok(kubetest_field(e, "headers.accept-encoding") != NULL, "compression is offered");
		ok(kubetest_field(e, "headers.content-type") == NULL,
		   "no Content-Type without a body");
	}
	cJSON_Delete(log);

	rc_init(&rc, kt.url, ca_pem);
	rc.disable_compression = 1;
	get_once(&rc, "/open", NULL, &err, NULL);
	rest_config_release(&rc);
	log = kubetest_log(&kt);
	ok(kubetest_field(kubetest_nth(log, "/open", 1), "headers.accept-encoding") == NULL,
	   "disable_compression sends no Accept-Encoding");
	cJSON_Delete(log);
}

static void test_token_file(void)
{
	struct rest_config rc;
	struct kube_client *kc;
	struct errbuf err;
	char path[128], tmp[128];
	cJSON *log;

	kubetest_write(&kt, "token", "file-token-1\n");
	kubetest_path(&kt, "token", path, sizeof(path));
	kubetest_path(&kt, "token.new", tmp, sizeof(tmp));
	rc_init(&rc, kt.url, ca_pem);
	rc.token = xstrdup("good-token");
	rc.token_file = xstrdup(path);
	kc = kube_client_new(&rc, &err);
	is_int(kube_get(kc, "/any", NULL, &err), 0, "token file: first request");
	/* Replaced by rename, as kubelet rotates projected tokens. */
	kubetest_write(&kt, "token.new", "  file-token-2  \n");
	rename(tmp, path);
	is_int(kube_get(kc, "/any", NULL, &err), 0, "token file: request after the change");
	unlink(path);
	is_int(kube_get(kc, "/any", NULL, &err), 0, "token file gone: the last content is kept");
	kube_client_free(kc);
	rest_config_release(&rc);
	log = kubetest_log(&kt);
	is_str(kubetest_field(kubetest_nth(log, "/any", 1), "user"), "file-one",
	       "the token file wins over the static token");
	is_str(kubetest_field(kubetest_nth(log, "/any", 2), "user"), "file-two",
	       "a changed token file is picked up at once, trimmed");
	is_str(kubetest_field(kubetest_nth(log, "/any", 3), "user"), "file-two",
	       "an unreadable token file keeps the last token");
	cJSON_Delete(log);
}

static void test_exec(void)
{
	struct rest_config rc;
	struct kube_client *kc;
	struct exec_config ec = { 0 };
	struct errbuf err;
	struct strbuf sh = STRBUF_INIT;
	char path[128], count_path[128], *count;

	kubetest_path(&kt, "exec.sh", path, sizeof(path));
	kubetest_path(&kt, "exec.count", count_path, sizeof(count_path));
	strbuf_addf(&sh,
	            "#!/bin/sh\nn=$(cat %s 2>/dev/null || echo 0)\nn=$((n + 1))\n"
	            "echo $n >%s\nprintf '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
	            "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"exec-token-%%s\"}}' $n\n",
	            count_path, count_path);
	kubetest_write(&kt, "exec.sh", sh.buf);
	strbuf_release(&sh);
	chmod(path, 0755);
	ec.command = path;
	ec.api_version = "client.authentication.k8s.io/v1";
	ec.interactive = EXEC_NEVER;
	rc_init(&rc, kt.url, ca_pem);
	rc.exec = exec_credential_new(&ec);
	kc = kube_client_new(&rc, &err);
	is_int(kube_get(kc, "/any", NULL, &err), 0,
	       "exec: a refused credential is renewed once and the request retried");
	is_int(kube_client_request_count(kc), 2, "exec: two requests for the 401 and the retry");
	is_int(kube_get(kc, "/any", NULL, &err), 0, "exec: the renewed credential is reused");
	count = kubetest_read(&kt, "exec.count", NULL);
	is_str(count, "2\n", "exec: the plugin ran twice in all");
	free(count);
	kube_client_free(kc);
	rest_config_release(&rc);
}

static void test_tls(void)
{
	struct rest_config rc;
	struct errbuf err;
	char url[96];
	cJSON *log;
	int r;

	rc_init(&rc, kt.url, wrong_ca_pem);
	rc.token = xstrdup("good-token");
	r = get_once(&rc, "/open", NULL, &err, NULL);
	ok(r == -1 && err.code == 0, "a server cert from another CA is rejected");
	ok(!strncmp(err.msg, "Unable to connect to the server: tls: failed to verify certificate", 66),
	   "with a clear message: %s", err.msg);
	rest_config_release(&rc);

	rc_init(&rc, kt.url, NULL);
	rc.insecure_skip_tls_verify = 1;
	is_int(get_once(&rc, "/open", NULL, &err, NULL), 0, "insecure-skip-tls-verify connects");
	rest_config_release(&rc);

	rc_init(&rc, kt.url, ca_pem);
	rc.insecure_skip_tls_verify = 1;
	ok(kube_client_new(&rc, &err) == NULL, "insecure together with a CA is refused");
	is_str(err.msg, "specifying a root certificates file with the insecure flag is not allowed",
	       "client-go's message for it");
	rest_config_release(&rc);

	rc_init(&rc, kt.url, ca_pem);
	rc.tls_server_name = xstrdup("localhost");
	is_int(get_once(&rc, "/open", NULL, &err, NULL), 0, "tls_server_name: verified as localhost");
	rest_config_release(&rc);
	log = kubetest_log(&kt);
	{
		const cJSON *last = cJSON_GetArrayItem(log, cJSON_GetArraySize(log) - 1);

		snprintf(url, sizeof(url), "127.0.0.1:%d", kt.port);
		is_str(kubetest_field(last, "sni"), "localhost", "tls_server_name is sent as SNI");
		is_str(kubetest_field(last, "headers.host"), url,
		       "the Host header keeps the server's");
	}
	cJSON_Delete(log);

	rc_init(&rc, kt.url, ca_pem);
	rc.tls_server_name = xstrdup("wrong.example");
	r = get_once(&rc, "/open", NULL, &err, NULL);
	ok(r == -1 && strstr(err.msg, "Unable to connect to the server") != NULL,
	   "a tls_server_name the certificate lacks fails verification");
	rest_config_release(&rc);
}

static void test_status_errors(void)
{
	struct rest_config rc;
	struct kube_client *kc;
	struct kube_response resp;
	struct errbuf err;
	cJSON *obj = cJSON_Parse("{\"metadata\":{\"name\":\"x\"}}");
	static const struct {
		const char *path;
		int code;
		const char *reason, *msg;
	} cases[] = {
		{ "/notfound", 404, "NotFound", "rollouts.argoproj.io \"x\" not found" },
		{ "/gone", 410, "Expired", "too old resource version: 1 (42)" },
		{ "/bad-gateway", 502, "", "the server returned HTTP 502: upstream exploded" },
		{ "/teapot", 418, "", "the server returned HTTP 418" },
		{ "/no-such-path", 404, "NotFound",
		  "the server could not find the requested resource" },
	};
	size_t i;

	rc_init(&rc, kt.url, ca_pem);
	kc = kube_client_new(&rc, &err);
	kube_client_set_backoff(kc, 10, 20);
	kube_client_set_max_retries(kc, 1);
	is_int(kube_update(kc, "/conflict", obj, NULL, NULL, &err), -1, "409 fails");
	is_int(err.code, 409, "409 code");
	is_str(err.reason, "Conflict", "409 reason");
	is_str(err.msg,
	       "Operation cannot be fulfilled on rollouts.argoproj.io \"x\": the object has been "
	       "modified; please apply your changes to the latest version and try again",
	       "409 message exactly");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		errbuf_clear(&err);
		is_int(kube_get(kc, cases[i].path, NULL, &err), -1, "%s fails", cases[i].path);
		is_int(err.code, cases[i].code, "%s code", cases[i].path);
		is_str(err.reason, cases[i].reason, "%s reason", cases[i].path);
		is_str(err.msg, cases[i].msg, "%s message", cases[i].path);
	}
	is_int(kube_request(kc, "GET", "/notfound", NULL, NULL, 0, &resp, &err), -1,
	       "kube_request fails on 404");
	ok(resp.status == 404 && strstr(resp.body.buf, "\"kind\": \"Status\"") != NULL,
	   "and still hands back the response");
	kube_response_release(&resp);
	kube_client_free(kc);
	rest_config_release(&rc);
	cJSON_Delete(obj);
}

static void on_warning(const char *text, void *data)
{
	strbuf_addf(data, "[%s]", text);
}

static void test_retries(void)
{
	struct rest_config rc;
	struct kube_client *kc;
	struct kube_response resp;
	struct errbuf err;
	struct strbuf warnings = STRBUF_INIT;
	cJSON *obj = cJSON_CreateObject(), *out = NULL, *log;
	long long start;
	int r;

	rc_init(&rc, kt.url, ca_pem);
	kc = kube_client_new(&rc, &err);
	kube_client_set_backoff(kc, 10, 50);
	start = kube_monotonic_ms();
	r = kube_create(kc, "/throttle", obj, NULL, &out, &err);
	is_int(r, 0, "429 then 201: POST succeeds on the retry");
	ok(kube_monotonic_ms() - start >= 900, "after sleeping Retry-After (1 s)");
	ok(cJSON_IsTrue(cJSON_GetObjectItem(out, "created")), "the retry's answer is returned");
	cJSON_Delete(out);
	/* A deadline ends the capped wait at once; the arithmetic must not overflow. */
	kube_client_set_deadline(kc, kube_monotonic_ms() + 5000);
	r = kube_get(kc, "/huge-retry-after", NULL, &err);
	ok(r == -1 && err.code == 429, "an absurd Retry-After is capped, not overflowed");
	kube_client_set_deadline(kc, 0);
	is_int(kube_get(kc, "/flaky", NULL, &err), 0, "500 then 200: GET is retried");
	r = kube_create(kc, "/flaky", obj, NULL, NULL, &err);
	ok(r == -1 && err.code == 500, "500 on POST is not retried");
	is_str(err.msg, "boom", "and reports the Status");
	is_int(kube_get(kc, "/reset", NULL, &err), 0, "a reset connection: GET is retried");
	r = kube_create(kc, "/reset", obj, NULL, NULL, &err);
	ok(r == -1 && err.code == 0 && !strncmp(err.msg, "Unable to connect to the server: ", 33),
	   "a reset connection fails a POST: %s", err.msg);
	kube_client_set_warning_handler(kc, on_warning, &warnings);
	is_int(kube_request(kc, "GET", "/warn", NULL, NULL, 0, &resp, &err), 0, "warning response");
	is_str(resp.warnings, "thing is deprecated", "Warning header text in the response");
	is_str(warnings.buf, "[thing is deprecated]", "and given to the warning handler");
	kube_response_release(&resp);
	kube_client_set_max_body(kc, 1024);
	r = kube_get(kc, "/big", NULL, &err);
	ok(r == -1 && strstr(err.msg, "larger than the limit of 1024 bytes"),
	   "a body over the cap is an error: %s", err.msg);
	kube_client_free(kc);
	rest_config_release(&rc);
	strbuf_release(&warnings);
	cJSON_Delete(obj);

	log = kubetest_log(&kt);
	is_int(kubetest_count(log, "POST", "/throttle"), 2, "429: the request was sent twice");
	is_int(kubetest_count(log, "GET", "/flaky"), 2, "500 on GET: sent twice");
	is_int(kubetest_count(log, "POST", "/flaky"), 1, "500 on POST: sent once");
	is_int(kubetest_count(log, "GET", "/reset"), 2, "reset on GET: sent twice");
	is_int(kubetest_count(log, "POST", "/reset"), 1, "reset on POST: sent once");
	cJSON_Delete(log);
}

static void test_timeouts(void)
{
	struct rest_config rc;
	struct errbuf err;
	unsigned long n;
	char url[160];
	cJSON *log;
	int r;

	rc_init(&rc, kt.url, ca_pem);
	rc.request_timeout_ms = 300;
	r = get_once(&rc, "/stall", NULL, &err, &n);
	ok(r == -1 && err.code == 0, "a stalled server hits the request timeout");
	is_str(err.msg,
	       "Unable to connect to the server: the request timed out after 300 milliseconds",
	       "timeout message");
	is_int(n, 1, "a timeout is not retried");
	rest_config_release(&rc);
	log = kubetest_log(&kt);
	is_str(kubetest_field(kubetest_nth(log, "/stall", 0), "query.timeout"), "300ms",
	       "the timeout is sent as ?timeout= in Go's format");
	cJSON_Delete(log);

	snprintf(url, sizeof(url), "https://127.0.0.1:%d", free_port());
	rc_init(&rc, url, ca_pem);
	r = get_once(&rc, "/open", NULL, &err, &n);
	ok(r == -1 && err.code == 0, "nothing listening fails");
	snprintf(url,
	         sizeof(url), "The connection to the server 127.0.0.1:%d was refused - did you specify the right host or port?",
	         atoi(strrchr(rc.server, ':') + 1));
	is_str(err.msg, url, "with kubectl's wording");
	is_int(n, 1, "a refused connection is not retried");
	rest_config_release(&rc);
}

static void test_list(void)
{
	struct rest_config rc;
	struct kube_client *kc;
	struct kube_list_opts lo = { .limit = 3 };
	struct errbuf err;
	cJSON *out = NULL, *items, *log;
	const char *path = "/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts";
	const cJSON *meta;

	rc_init(&rc, kt.url, ca_pem);
	kc = kube_client_new(&rc, &err);
	is_int(kube_list(kc, path, &lo, &out, &err), 0, "LIST over 3 pages");
	items = cJSON_GetObjectItem(out, "items");
	is_int(cJSON_GetArraySize(items), 7, "all items merged");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(
		       cJSON_GetObjectItem(cJSON_GetArrayItem(items, 6), "metadata"), "name")),
	       "r7", "in order");
	meta = cJSON_GetObjectItem(out, "metadata");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(meta, "resourceVersion")), "4242",
	       "the first page's resourceVersion");
	ok(!cJSON_GetObjectItem(meta, "continue") &&
	           !cJSON_GetObjectItem(meta, "remainingItemCount"),
	   "no continue token left in the merged list");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(out, "kind")), "RolloutList", "kind kept");
	cJSON_Delete(out);

	lo.label_selector = "app=a";
	lo.limit = 0;
	is_int(kube_list(kc, path, &lo, &out, &err), 0, "LIST with a label selector");
	is_int(cJSON_GetArraySize(cJSON_GetObjectItem(out, "items")), 4, "the selector filtered");
	cJSON_Delete(out);

	lo.label_selector = NULL;
	lo.limit = 2;
	is_int(kube_list(kc, "/apis/argoproj.io/v1alpha1/namespaces/expiring/rollouts", &lo, &out,
	                 &err),
	       0, "a continue token that expired restarts the list");
	is_int(cJSON_GetArraySize(cJSON_GetObjectItem(out, "items")), 3, "without duplicates");
	cJSON_Delete(out);

	ok(kube_list(kc, "/no-such-path", NULL, &out, &err) == -1 && err.code == 404 && !out,
	   "a failing LIST returns nothing");
	kube_client_free(kc);
	rest_config_release(&rc);

	log = kubetest_log(&kt);
	is_str(kubetest_field(kubetest_nth(log, path, 0), "query.limit"), "3", "limit sent");
	is_str(kubetest_field(kubetest_nth(log, path, 1), "query.continue"), "page-3",
	       "the continue token is passed back");
	is_int(kubetest_count(log, "GET", path), 4, "3 pages + 1 selector LIST");
	is_str(kubetest_field(kubetest_nth(log, path, 3), "query.labelSelector"), "app=a",
	       "labelSelector sent");
	is_str(kubetest_field(kubetest_nth(log, path, 3), "query.limit"), "500",
	       "default page size 500");
	is_int(kubetest_count(log, "GET", "/apis/argoproj.io/v1alpha1/namespaces/expiring/rollouts"),
	       4, "expired list: page, 410, then page, page");
	cJSON_Delete(log);
}

static void test_writes(void)
{
	struct rest_config rc;
	struct kube_client *kc;
	struct errbuf err;
	struct kube_write_opts wo = { .dry_run = 1, .field_manager = "kubectl-gitops", .force = 1 };
	struct kube_delete_opts dopt = { .propagation_policy = "Foreground",
		                         .precondition_uid = "u-1",
		                         .dry_run = 1 };
	const char *coll = "/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts";
	const char *one = "/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts/x";
	cJSON *obj = cJSON_Parse("{\"metadata\":{\"name\":\"new\"}}"), *out = NULL, *log, *body;
	const cJSON *e;
	unsigned long before;

	rc_init(&rc, kt.url, ca_pem);
	kc = kube_client_new(&rc, &err);
	is_int(kube_create(kc, coll, obj, &wo, &out, &err), 0, "create");
	is_str(cJSON_GetStringValue(
		       cJSON_GetObjectItem(cJSON_GetObjectItem(out, "metadata"), "name")),
	       "new", "create returns the object");
	cJSON_Delete(out);
	is_int(kube_patch(kc, one, KUBE_PATCH_MERGE, "{\"spec\":{\"paused\":true}}", NULL, NULL, &err),
	       0, "merge patch");
	is_int(kube_patch(kc, one, KUBE_PATCH_JSON, "[]", NULL, NULL, &err), 0, "json patch");
	is_int(kube_patch(kc, one, KUBE_PATCH_APPLY, "{}", &wo, NULL, &err), 0, "apply patch");
	before = kube_client_request_count(kc);
	is_int(kube_patch(kc, one, KUBE_PATCH_APPLY, "{}", NULL, NULL, &err), -1,
	       "apply without a field manager fails");
	is_str(err.msg, "server-side apply needs a field manager", "and says why");
	is_int(kube_client_request_count(kc), before, "without asking the server");
	is_int(kube_delete(kc, one, &dopt, &out, &err), 0, "delete");
	cJSON_Delete(out);
	kube_client_free(kc);
	rest_config_release(&rc);
	cJSON_Delete(obj);

	log = kubetest_log(&kt);
	e = kubetest_nth(log, coll, kubetest_count(log, NULL, coll) - 1);
	is_str(kubetest_field(e, "method"), "POST", "create is a POST");
	is_str(kubetest_field(e, "headers.content-type"), "application/json", "create content type");
	is_str(kubetest_field(e, "query.dryRun"), "All", "dryRun=All");
	is_str(kubetest_field(e, "query.fieldManager"), "kubectl-gitops", "fieldManager");
	ok(kubetest_field(e, "query.force") == NULL, "force only for apply");
	is_str(kubetest_field(e, "body"), "{\"metadata\":{\"name\":\"new\"}}", "create body");
	is_str(kubetest_field(kubetest_nth(log, one, 0), "headers.content-type"),
	       "application/merge-patch+json", "merge patch content type");
	is_str(kubetest_field(kubetest_nth(log, one, 1), "headers.content-type"),
	       "application/json-patch+json", "json patch content type");
	e = kubetest_nth(log, one, 2);
	is_str(kubetest_field(e, "headers.content-type"), "application/apply-patch+yaml",
	       "apply content type");
	is_str(kubetest_field(e, "query.force"), "true", "apply force=true");
	e = kubetest_nth(log, one, 3);
	is_str(kubetest_field(e, "method"), "DELETE", "delete method");
	body = cJSON_Parse(kubetest_field(e, "body"));
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(body, "kind")), "DeleteOptions",
	       "delete sends DeleteOptions");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(body, "propagationPolicy")), "Foreground",
	       "propagationPolicy");
	is_str(cJSON_GetStringValue(
		       cJSON_GetObjectItem(cJSON_GetObjectItem(body, "preconditions"), "uid")),
	       "u-1", "preconditions.uid");
	is_str(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(body, "dryRun"), 0)),
	       "All", "dryRun in the body");
	cJSON_Delete(body);
	cJSON_Delete(log);
}

static void test_verbose_log(void)
{
	struct rest_config rc;
	struct kube_client *kc;
	struct errbuf err;
	char *text = NULL, line[160];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	rc_init(&rc, kt.url, ca_pem);
	rc.token = xstrdup("good-token");
	kc = kube_client_new(&rc, &err);
	kube_client_set_verbosity(kc, 8, f);
	kube_get(kc, "/api/v1/namespaces/default/pods/tok", NULL, &err);
	kube_client_set_verbosity(kc, 9, f);
	kube_get(kc, "/notfound", NULL, &err);
	kube_client_free(kc);
	rest_config_release(&rc);
	fclose(f);

	snprintf(line, sizeof(line), "GET %s/api/v1/namespaces/default/pods/tok 200 OK in ", kt.url);
	ok(strstr(text, line) != NULL, "-v 6 line: method, URL, status, latency");
	ok(strstr(text, "Authorization: Bearer <masked>") != NULL,
	   "-v 7 shows Authorization masked");
	ok(strstr(text, "Response Body: {\"kind\": \"Pod\"") != NULL,
	   "-v 8 shows the response body");
	ok(strstr(text, "404 Not Found in ") != NULL, "-v 6 line for an error status");
	ok(strstr(text, "curl -v -XGET") != NULL, "-v 9 shows a curl command");
	ok(strstr(text, "good-token") == NULL, "the token never appears in the log");
	free(text);
}

/* Credentials in bodies never reach the -v log, nor does raw server text. */
static void test_verbose_log_masks(void)
{
	struct rest_config rc;
	struct kube_client *kc;
	struct kube_response resp;
	struct errbuf err;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	cJSON *obj = NULL;
	static const char review[] =
		"{\"kind\":\"TokenReview\",\"apiVersion\":\"authentication.k8s.io/v1\","
		"\"spec\":{\"token\":\"REQUEST-S3CRET\"}}";

	rc_init(&rc, kt.url, ca_pem);
	rc.token = xstrdup("good-token");
	kc = kube_client_new(&rc, &err);
	kube_client_set_verbosity(kc, 9, f);
	ok(!kube_get(kc, "/api/v1/namespaces/default/secrets/s", &obj, &err), "get a Secret");
	is_str(json_str(obj, "data.password", ""), "DATA-S3CRET", "the caller gets the real data");
	cJSON_Delete(obj);
	obj = NULL;
	ok(!kube_get(kc, "/api/v1/namespaces/default/secrets", &obj, &err), "list Secrets");
	cJSON_Delete(obj);
	obj = NULL;
	kube_get(kc, "/api/v1/namespaces/default/secrets/dup", &obj, &err);
	cJSON_Delete(obj);
	obj = NULL;
	kube_get(kc, "/api/v1/namespaces/default/secrets/raw", &obj, &err);
	cJSON_Delete(obj);
	obj = NULL;
	ok(!kube_request(kc, "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
	                 "application/json", review, strlen(review), &resp, &err),
	   "post a TokenReview");
	kube_response_release(&resp);
	kube_get(kc, "/escape", &obj, &err);
	cJSON_Delete(obj);
	kube_client_free(kc);
	rest_config_release(&rc);
	fclose(f);

	ok(strstr(text, "\"password\":\"<masked>\"") != NULL, "a Secret's data is shown masked");
	ok(!strstr(text, "DATA-S3CRET"), "Secret data is not logged");
	ok(!strstr(text, "STRING-S3CRET"), "Secret stringData is not logged");
	ok(!strstr(text, "LAST-APPLIED-S3CRET"),
	   "a Secret's last-applied annotation is not logged");
	ok(!strstr(text, "LIST-S3CRET"), "SecretList items are masked");
	ok(!strstr(text, "DUP-S3CRET") && !strstr(text, "DUP2-S3CRET"),
	   "duplicated keys in a Secret are all masked");
	ok(!strstr(text, "RAW-S3CRET"), "a non-JSON body from a secrets path is not logged");
	ok(!strstr(text, "REQUEST-S3CRET"), "a TokenReview request's token is not logged");
	ok(!strstr(text, "REVIEW-S3CRET"), "a TokenReview response's token is not logged");
	ok(!strchr(text, '\x1b') && !strchr(text, '\x07'), "no raw control character in the log");
	ok(strstr(text, "x^[]0;pwned^Gy") != NULL, "server text in the log is escaped");
	free(text);
}

static void test_plain_http(void)
{
	struct rest_config rc;
	struct errbuf err;
	cJSON *log;

	kubetest_stop(&kt);
	if (start_server("{'routes': [{'path': '/open', 'responses': [{'body': {}}]}]}", 0) < 0) {
		ok(0, "plain http server started");
		return;
	}
	rc_init(&rc, kt.url, ca_pem);
	rc.token = xstrdup("good-token");
	rc.username = xstrdup("bob");
	rc.password = xstrdup("hunter2");
	is_int(get_once(&rc, "/open", NULL, &err, NULL), 0, "an http:// server is reachable");
	rest_config_release(&rc);
	log = kubetest_log(&kt);
	ok(kubetest_count(log, "GET", "/open") == 1 &&
	           !kubetest_field(kubetest_nth(log, "/open", 0), "headers.authorization"),
	   "an http:// server gets no Authorization header");
	cJSON_Delete(log);
}

int main(void)
{
	test_paths();
	if (kubetest_init(&kt) < 0 || start_server(script, 1) < 0) {
		ok(0, "test server started (run from the top of the tree)");
		kubetest_cleanup(&kt);
		return tap_done();
	}
	ca_pem = kubetest_read(&kt, "ca.crt", NULL);
	wrong_ca_pem = kubetest_read(&kt, "wrong-ca.crt", NULL);
	client_cert = kubetest_read(&kt, "client.crt", NULL);
	client_key = kubetest_read(&kt, "client.key", NULL);

	test_auth();
	test_token_file();
	test_exec();
	test_tls();
	test_status_errors();
	test_retries();
	test_timeouts();
	test_list();
	test_writes();
	test_verbose_log();
	test_verbose_log_masks();
	test_plain_http();

	kubetest_cleanup(&kt);
	free(ca_pem);
	free(wrong_ca_pem);
	free(client_cert);
	free(client_key);
	return tap_done();
}
