#include "tap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base64.h"
#include "errbuf.h"
#include "exec_credential.h"
#include "kubeconfig.h"
#include "rest_config.h"
#include "strbuf.h"

#define CA_PEM "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n"
#define CERT_PEM "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n"
#define KEY_PEM "-----BEGIN PRIVATE KEY-----\nPRIVATE-KEY-SECRET\n-----END PRIVATE KEY-----\n"
#define TOKEN "tok-secret-1"
#define PASSWORD "basic-pass-secret"
#define FILE_TOKEN "file-token-secret"

static char dir[] = "/tmp/test_kubeconfig.XXXXXX";
static char *ca_b64, *cert_b64, *key_b64;

static void write_file(const char *rel, const char *content, int mode)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	if (!f || fputs(content, f) < 0 || fclose(f)) {
		perror(path);
		exit(2);
	}
	chmod(path, mode);
}

/* Writes a kubeconfig given in JSON with ' for " (JSON is YAML too). */
__attribute__((format(printf, 2, 3))) static void kc(const char *rel, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	for (i = 0; i < sb.len; i++)
		if (sb.buf[i] == '\'')
			sb.buf[i] = '"';
	write_file(rel, sb.buf, 0644);
	strbuf_release(&sb);
}

static const char *path_of(const char *rel)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, rel);
	return buf[i];
}

static void reset_env(void)
{
	unsetenv("KUBECONFIG");
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	unsetenv("POD_NAMESPACE");
	setenv("HOME", path_of("home"), 1);
}

static int has_secret(const char *msg)
{
	return strstr(msg, TOKEN) || strstr(msg, PASSWORD) || strstr(msg, FILE_TOKEN) ||
	       strstr(msg, "PRIVATE-KEY-SECRET") || strstr(msg, key_b64);
}

/* A kubeconfig with one context "c" -> cluster "k", user "u" of the given bodies. */
__attribute__((format(printf, 2, 3))) static void one(const char *rel, const char *cluster_user_fmt,
                                                      ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, cluster_user_fmt);
	strbuf_vaddf(&sb, cluster_user_fmt, ap);
	va_end(ap);
	if (!strstr(sb.buf, "'users'"))
		strbuf_addstr(&sb, ",'users':[{'name':'u','user':{}}]");
	kc(rel,
	   "{'apiVersion':'v1','kind':'Config','current-context':'c',"
	   "'contexts':[{'name':'c','context':{'cluster':'k','user':'u'}}],%s}",
	   sb.buf);
	strbuf_release(&sb);
}

static int load_file(const char *rel, struct kubeconfig_overrides *ov, struct rest_config *rc,
                     struct errbuf *err)
{
	ov->kubeconfig = path_of(rel);
	return kubeconfig_load(rc, ov, err);
}

/* Expects loading to fail with `want` in the message and no secret in it. */
static void fails(const char *rel, struct kubeconfig_overrides *ov, const char *want, const char *what)
{
	struct rest_config rc;
	struct errbuf err = { 0 };
	int ret = load_file(rel, ov, &rc, &err);

	ok(ret == -1 && strstr(err.msg, want), "%s: error has \"%s\" (%s)", what, want, err.msg);
	ok(!has_secret(err.msg), "%s: no secret in the error", what);
	ok(rc.server == NULL && rc.token == NULL, "%s: output left empty", what);
	if (ret == 0)
		rest_config_release(&rc);
}

static void test_loading_rules(void)
{
	struct kubeconfig_overrides ov = KUBECONFIG_OVERRIDES_INIT;
	struct rest_config rc;
	struct errbuf err = { 0 };
	struct strbuf sb = STRBUF_INIT;

	reset_env();
	kc("a.yaml", "{'current-context':'ca','clusters':["
	             "{'name':'shared','cluster':{'server':'https://a.example'}},"
	             "{'name':'only-a','cluster':{'server':'https://only-a.example'}}],"
	             "'users':[{'name':'ua','user':{'token':'" TOKEN "'}}],"
	             "'contexts':[{'name':'ca','context':{'cluster':'shared','user':'ua'}}]}");
	kc("b.yaml",
	   "{'current-context':'cb','clusters':["
	   "{'name':'shared','cluster':{'server':'https://b.example','tls-server-name':'b.tls'}},"
	   "{'name':'only-b','cluster':{'server':'https://only-b.example'}}],"
	   "'contexts':[{'name':'cb','context':{'cluster':'only-b','namespace':'nb'}},"
	   "{'name':'ca','context':{'cluster':'only-b'}},"
	   "{'name':'mixed','context':{'cluster':'shared','user':'ua','namespace':'mixed'}}]}");
	kc("empty-cc.yaml", "{'current-context':'','clusters':[]}");

	strbuf_addf(&sb, "::%s:%s:%s:%s:", path_of("missing.yaml"), path_of("empty-cc.yaml"),
	            path_of("a.yaml"), path_of("b.yaml"));
	setenv("KUBECONFIG", sb.buf, 1);
	is_int(kubeconfig_load(&rc, &ov, &err), 0,
	       "KUBECONFIG list with missing and empty entries loads");
	is_str(rc.context_name, "ca", "first non-empty current-context wins");
	is_str(rc.server, "https://a.example", "first file's context and cluster win");
	is_str(rc.token, TOKEN, "user from the first file");
	rest_config_release(&rc);

	ov.context = "mixed";
	is_int(kubeconfig_load(&rc, &ov, &err), 0, "context from the second file loads");
	is_str(rc.server, "https://a.example", "entry named in both files comes from the first");
	is_str(rc.tls_server_name, NULL, "the later file's extra fields are ignored (whole entry)");
	is_str(rc.namespace, "mixed", "context namespace");
	rest_config_release(&rc);
	ov.context = NULL;

	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s:%s:%s", path_of("b.yaml"), path_of("a.yaml"), path_of("b.yaml"));
	setenv("KUBECONFIG", sb.buf, 1);
	is_int(kubeconfig_load(&rc, &ov, &err), 0, "order reversed, b listed twice");
	is_str(rc.context_name, "cb", "current-context of the first file");
	is_str(rc.server, "https://only-b.example", "b's context");
	is_str(rc.namespace, "nb", "b's namespace");
	ok(rc.namespace_explicit, "a context namespace is explicit");
	rest_config_release(&rc);

	ov.kubeconfig = path_of("a.yaml");
	ov.context = "cb";
	fails("a.yaml", &ov, "context \"cb\" does not exist",
	      "--kubeconfig reads only that file, not KUBECONFIG");
	ov.context = NULL;
	fails("nonexistent.yaml", &ov, "error loading config file \"", "--kubeconfig missing");
	fails("nonexistent.yaml", &ov, path_of("nonexistent.yaml"), "missing --kubeconfig is named");
	ov.kubeconfig = NULL;

	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s:%s", path_of("missing1"), path_of("missing2"));
	setenv("KUBECONFIG", sb.buf, 1);
	ok(kubeconfig_load(&rc, &ov, &err) == -1 &&
	           strstr(err.msg, "no configuration has been provided") &&
	           strstr(err.msg, "KUBECONFIG") && strstr(err.msg, "--kubeconfig"),
	   "only missing files: no configuration error (%s)", err.msg);

	unsetenv("KUBECONFIG");
	ok(kubeconfig_load(&rc, &ov, &err) == -1 &&
	           strstr(err.msg, "no configuration has been provided"),
	   "no KUBECONFIG and no ~/.kube/config: no configuration error");
	mkdir(path_of("home/.kube"), 0755);
	kc("home/.kube/config",
	   "{'current-context':'h','clusters':[{'name':'hk','cluster':"
	   "{'server':'https://"
	   "home.example'}}],'contexts':[{'name':'h','context':{'cluster':'hk'}}]}");
	is_int(kubeconfig_load(&rc, &ov, &err), 0, "~/.kube/config is the default");
	is_str(rc.server, "https://home.example", "server from ~/.kube/config");
	is_str(rc.namespace, "default", "no namespace anywhere: default");
	ok(!rc.namespace_explicit, "default namespace is not explicit");
	is_str(rc.user_name, NULL, "context without user: anonymous");
	rest_config_release(&rc);
	unlink(path_of("home/.kube/config"));

	kc("garbage.yaml", "{'clusters': [");
	ov.kubeconfig = path_of("garbage.yaml");
	strbuf_reset(&sb);
	strbuf_addf(&sb, "error loading config file \"%s\"", path_of("garbage.yaml"));
	fails("garbage.yaml", &ov, sb.buf, "unparsable file");
	kc("list.yaml", "[1,2]");
	fails("list.yaml", &ov, "not a kubeconfig", "top level not a mapping");
	kc("badlist.yaml", "{'clusters':{'name':'x'}}");
	fails("badlist.yaml", &ov, "\"clusters\" must be a list", "clusters not a list");
	write_file("empty.yaml", "", 0644);
	fails("empty.yaml", &ov, "no configuration has been provided", "empty file");
	strbuf_release(&sb);
}

static void test_duplicates(void)
{
	struct kubeconfig_overrides ov = KUBECONFIG_OVERRIDES_INIT;
	static const char *const lists[][2] = {
		{ "clusters", "cluster" },
		{ "users", "user" },
		{ "contexts", "context" },
	};
	char want[600], rel[64];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(rel, sizeof(rel), "dup-%s.yaml", lists[i][0]);
		kc(rel, "{'%s':[{'name':'x','%s':{}},{'name':'y'},{'name':'x','%s':{}}]}",
		   lists[i][0], lists[i][1], lists[i][1]);
		snprintf(want, sizeof(want),
		         "error loading config file \"%s\": duplicate name \"x\" "
		         "in list \"%s\"",
		         path_of(rel), lists[i][0]);
		fails(rel, &ov, want, lists[i][0]);
	}
}

static void test_relative_paths(void)
{
	struct kubeconfig_overrides ov = KUBECONFIG_OVERRIDES_INIT;
	struct rest_config rc;
	struct errbuf err = { 0 };
	struct exec_result res;
	char *cwd = getcwd(NULL, 0);

	reset_env();
	mkdir(path_of("sub"), 0755);
	mkdir(path_of("sub/certs"), 0755);
	write_file("sub/certs/ca.crt", CA_PEM, 0644);
	write_file("sub/certs/client.crt", CERT_PEM, 0644);
	write_file("sub/certs/client.key", KEY_PEM, 0600);
	write_file("sub/certs/token", FILE_TOKEN "\n", 0600);
	write_file("sub/plugin.sh",
	           "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication."
	           "k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"x\"}}'\n",
	           0755);
	one("sub/config",
	    "'clusters':[{'name':'k','cluster':{'server':'https://k.example',"
	    "'certificate-authority':'certs/ca.crt'}}],'users':[{'name':'u','user':{"
	    "'tokenFile':'./certs/token','client-certificate':'certs/../certs/client.crt',"
	    "'client-key':'certs/client.key','exec':{'command':'./plugin.sh',"
	    "'apiVersion':'client.authentication.k8s.io/v1beta1'}}}]");

	/* A relative KUBECONFIG entry, from another working directory. */
	if (chdir(dir))
		return;
	setenv("KUBECONFIG", "sub/config", 1);
	is_int(kubeconfig_load(&rc, &ov, &err), 0, "relative paths load (%s)", err.msg);
	is_str(rc.ca_pem, CA_PEM, "certificate-authority resolved against the file's directory");
	is_str(rc.client_cert_pem, CERT_PEM, "client-certificate resolved and read");
	is_str(rc.client_key_pem, KEY_PEM, "client-key resolved and read");
	is_str(rc.token_file, path_of("sub/certs/token"),
	       "tokenFile recorded as a clean absolute path");
	is_str(rc.token, FILE_TOKEN, "tokenFile read now, trimmed");
	ok(rc.exec && exec_credential_get(rc.exec, &res, &err) == 0 && res.token &&
	           !strcmp(res.token, "x"),
	   "exec command with a '/' resolved against the file's directory");
	rest_config_release(&rc);

	one("sub/config2", "'clusters':[{'name':'k','cluster':{'server':'https://k.example'}}],"
	                   "'users':[{'name':'u','user':{'exec':{'command':'plugin.sh',"
	                   "'apiVersion':'client.authentication.k8s.io/v1beta1'}}}]");
	setenv("KUBECONFIG", "sub/config2", 1);
	is_int(kubeconfig_load(&rc, &ov, &err), 0, "bare exec command loads");
	ok(rc.exec && exec_credential_get(rc.exec, &res, &err) == -1 &&
	           !strcmp(err.msg, "exec: executable plugin.sh not found"),
	   "a bare exec command is looked up on PATH, not in the file's directory (%s)", err.msg);
	rest_config_release(&rc);

	one("sub/config3", "'clusters':[{'name':'k','cluster':{'server':'https://k.example',"
	                   "'certificate-authority':'missing-ca.crt'}}]");
	fails("sub/config3", &ov, path_of("sub/missing-ca.crt"), "missing CA file is named");
	fails("sub/config3", &ov, "for cluster \"k\"", "missing CA file names the cluster");
	if (cwd && chdir(cwd))
		diag("cannot return to the old working directory");
	free(cwd);
	unsetenv("KUBECONFIG");
}

struct sel_case {
	const char *name;
	const char *context, *cluster, *user;
	const char *want_err; /* NULL = success */
	const char *want_server, *want_user;
};

static const struct sel_case sel_cases[] = {
	{ "current context", NULL, NULL, NULL, NULL, "https://one.example", "u1" },
	{ "--context", "two", NULL, NULL, NULL, "https://two.example", "u2" },
	{ "--cluster overrides the context's", NULL, "k2", NULL, NULL, "https://two.example", "u1" },
	{ "--user overrides the context's", NULL, NULL, "u2", NULL, "https://one.example", "u2" },
	{ "unknown --context", "nope", NULL, NULL, "context \"nope\" does not exist", NULL, NULL },
	{ "unknown --cluster", NULL, "nope", NULL, "cluster \"nope\" does not exist", NULL, NULL },
	{ "unknown --user", NULL, NULL, "nope", "auth info \"nope\" does not exist", NULL, NULL },
	{ "context with a missing cluster", "dangling-cluster", NULL, NULL,
	  "cluster \"gone\" was not found for context \"dangling-cluster\"", NULL, NULL },
	{ "context with a missing user", "dangling-user", NULL, NULL,
	  "user \"gone\" was not found for context \"dangling-user\"", NULL, NULL },
	{ "context without a cluster", "no-cluster", NULL, NULL,
	  "cluster was not specified for context \"no-cluster\"", NULL, NULL },
};

static void test_selection(void)
{
	struct kubeconfig_overrides ov = KUBECONFIG_OVERRIDES_INIT;
	struct rest_config rc;
	struct errbuf err = { 0 };
	size_t i;

	reset_env();
	kc("sel.yaml",
	   "{'current-context':'one','clusters':["
	   "{'name':'k1','cluster':{'server':'https://one.example'}},"
	   "{'name':'k2','cluster':{'server':'https://two.example'}}],"
	   "'users':[{'name':'u1','user':{'token':'" TOKEN "'}},{'name':'u2','user':{}}],"
	   "'contexts':[{'name':'one','context':{'cluster':'k1','user':'u1'}},"
	   "{'name':'two','context':{'cluster':'k2','user':'u2'}},"
	   "{'name':'dangling-cluster','context':{'cluster':'gone','user':'u1'}},"
	   "{'name':'dangling-user','context':{'cluster':'k1','user':'gone'}},"
	   "{'name':'no-cluster','context':{'user':'u1'}}]}");
	for (i = 0; i < sizeof(sel_cases) / sizeof(sel_cases[0]); i++) {
		const struct sel_case *c = &sel_cases[i];

		ov.context = c->context;
		ov.cluster = c->cluster;
		ov.user = c->user;
		if (c->want_err) {
			fails("sel.yaml", &ov, c->want_err, c->name);
			continue;
		}
		is_int(load_file("sel.yaml", &ov, &rc, &err), 0, "%s: loads", c->name);
		is_str(rc.server, c->want_server, "%s: server", c->name);
		is_str(rc.user_name, c->want_user, "%s: user", c->name);
		rest_config_release(&rc);
	}

	kc("cc-gone.yaml", "{'current-context':'gone','clusters':[{'name':'k','cluster':"
	                   "{'server':'https://x'}}]}");
	ov.context = ov.cluster = ov.user = NULL;
	fails("cc-gone.yaml", &ov,
	      "invalid configuration: context was not found for specified context: gone",
	      "current-context naming a missing context");

	ov.namespace = "flag-ns";
	is_int(load_file("sel.yaml", &ov, &rc, &err), 0, "-n loads");
	is_str(rc.namespace, "flag-ns", "-n wins");
	ok(rc.namespace_explicit, "-n is explicit");
	is_str(rc.context_name, "one", "context name recorded");
	is_str(rc.cluster_name, "k1", "cluster name recorded");
	rest_config_release(&rc);
	ov.namespace = "Not_A_Label";
	fails("sel.yaml", &ov, "invalid namespace \"Not_A_Label\"", "invalid -n");
	ov.namespace = NULL;
	one("badns.yaml", "'clusters':[{'name':'k','cluster':{'server':'https://x'}}]");
	kc("badns.yaml",
	   "{'current-context':'c','clusters':[{'name':'k','cluster':{'server':'https://x'}}],"
	   "'contexts':[{'name':'c','context':{'cluster':'k','namespace':'UPPER'}}]}");
	fails("badns.yaml", &ov, "namespace \"UPPER\" for context \"c\" does not conform",
	      "invalid context namespace");

	ov.request_timeout_ms = 2500;
	is_int(load_file("sel.yaml", &ov, &rc, &err), 0, "request timeout loads");
	is_int(rc.request_timeout_ms, 2500, "request timeout copied");
	rest_config_release(&rc);
}

struct field_case {
	const char *name;
	const char *cluster; /* body of cluster "k" */
	const char *user; /* body of user "u" */
	const char *want_err; /* NULL = success */
};

static const struct field_case field_cases[] = {
	{ "no server", "{'insecure-skip-tls-verify':true}", "{}",
	  "no server found for cluster \"k\"" },
	{ "CA file and data",
	  "{'server':'https://x','certificate-authority':'/etc/hostname',"
	  "'certificate-authority-data':'Q0E='}",
	  "{}", "certificate-authority-data and certificate-authority are both specified for cluster \"k\"" },
	{ "insecure with a CA",
	  "{'server':'https://x','insecure-skip-tls-verify':true,"
	  "'certificate-authority-data':'Q0E='}",
	  "{}", "specifying a root certificates file with the insecure flag is not allowed" },
	{ "proxy scheme", "{'server':'https://x','proxy-url':'ftp://user:" PASSWORD "@p:21'}", "{}",
	  "proxy-url of cluster \"k\": unsupported scheme \"ftp\"" },
	{ "server scheme", "{'server':'ftp://x'}", "{}", "is not an http or https URL" },
	{ "server without host", "{'server':'https:///path'}", "{}", "has no host" },
	{ "credentials in the server URL", "{'server':'https://me:" PASSWORD "@x:6443/k8s'}", "{}",
	  "the server URL of cluster \"k\" contains credentials (user@host); put them in the user "
	  "entry" },
	{ "bad base64", "{'server':'https://x','certificate-authority-data':'not base64!'}", "{}",
	  "cluster \"k\": \"certificate-authority-data\" is not valid base64" },
	{ "server not a string", "{'server':6443}", "{}",
	  "cluster \"k\": \"server\" must be a string" },
	{ "insecure not a bool", "{'server':'https://x','insecure-skip-tls-verify':'true'}", "{}",
	  "\"insecure-skip-tls-verify\" must be true or false" },
	{ "token and basic auth", "{'server':'https://x'}",
	  "{'token':'" TOKEN "','username':'me','password':'" PASSWORD "'}",
	  "more than one authentication method found for u; found [token basicAuth], only one is "
	  "allowed" },
	{ "cert without key", "{'server':'https://x'}", "{'client-certificate-data':'Q0E='}",
	  "client-key-data or client-key must be specified for u" },
	{ "key without cert", "{'server':'https://x'}", "{'client-key-data':'%K'}",
	  "client-certificate-data or client-certificate must be specified for u" },
	{ "cert file and data", "{'server':'https://x'}",
	  "{'client-certificate':'/c','client-certificate-data':'Q0E=','client-key-data':'%K'}",
	  "client-cert-data and client-cert are both specified for u" },
	{ "missing key file", "{'server':'https://x'}",
	  "{'client-certificate-data':'Q0E=','client-key':'/nonexistent/k.pem'}",
	  "unable to read client-key /nonexistent/k.pem for u" },
	{ "missing token file", "{'server':'https://x'}", "{'tokenFile':'/nonexistent/tok'}",
	  "unable to read tokenFile /nonexistent/tok for user \"u\"" },
	{ "as-groups without as", "{'server':'https://x'}", "{'as-groups':['g']}",
	  "requesting uid, groups or user-extra for u without impersonating a user" },
	{ "as-uid without as", "{'server':'https://x'}", "{'as-uid':'42'}",
	  "requesting uid, groups or user-extra for u without impersonating a user" },
	{ "auth-provider", "{'server':'https://x'}",
	  "{'auth-provider':{'name':'oidc','config':"
	  "{'id-token':'" TOKEN "'}}}",
	  "user \"u\": auth-provider \"oidc\" is not supported" },
	{ "auth-provider with exec", "{'server':'https://x'}",
	  "{'auth-provider':{'name':'gcp'},"
	  "'exec':{'command':'x','apiVersion':'client.authentication.k8s.io/"
	  "v1','interactiveMode':'Never'}}",
	  "authProvider cannot be provided in combination with an exec plugin for u" },
	{ "exec without command", "{'server':'https://x'}",
	  "{'exec':{'apiVersion':'client.authentication.k8s.io/v1','interactiveMode':'Never'}}",
	  "command must be specified for u to use exec authentication plugin" },
	{ "exec without apiVersion", "{'server':'https://x'}", "{'exec':{'command':'x'}}",
	  "apiVersion must be specified for u to use exec authentication plugin" },
	{ "exec bad apiVersion", "{'server':'https://x'}",
	  "{'exec':{'command':'x','apiVersion':'client.authentication.k8s.io/v1alpha1'}}",
	  "exec plugin: invalid apiVersion \"client.authentication.k8s.io/v1alpha1\"" },
	{ "exec v1 without interactiveMode", "{'server':'https://x'}",
	  "{'exec':{'command':'x','apiVersion':'client.authentication.k8s.io/v1'}}",
	  "interactiveMode must be specified for u to use exec authentication plugin" },
	{ "exec bad interactiveMode",
	  "{'server':'https://x'}", "{'exec':{'command':'x','apiVersion':'client.authentication.k8s.io/v1','interactiveMode':'Sometimes'}}",
	  "invalid interactiveMode for u: \"Sometimes\"" },
	{ "exec env without name",
	  "{'server':'https://x'}", "{'exec':{'command':'x','apiVersion':'client.authentication.k8s.io/v1beta1','env':[{'value':'v'}]}}",
	  "env variable name must be specified for u" },
	{ "exec v1beta1 defaults interactiveMode", "{'server':'https://x'}",
	  "{'exec':{'command':'x','apiVersion':'client.authentication.k8s.io/v1beta1'}}", NULL },
	{ "http server with credentials", "{'server':'http://x'}", "{'token':'" TOKEN "'}", NULL },
};

/* Replaces %K in a case's user body with the base64 key (no printf: bodies have quotes). */
static void subst_key(struct strbuf *sb, const char *body)
{
	const char *p;

	for (p = body; *p; p++) {
		if (p[0] == '%' && p[1] == 'K') {
			strbuf_addstr(sb, key_b64);
			p++;
		} else {
			strbuf_addch(sb, *p);
		}
	}
}

static void test_fields(void)
{
	struct kubeconfig_overrides ov = KUBECONFIG_OVERRIDES_INIT;
	struct rest_config rc;
	struct errbuf err = { 0 };
	size_t i;

	reset_env();
	for (i = 0; i < sizeof(field_cases) / sizeof(field_cases[0]); i++) {
		const struct field_case *c = &field_cases[i];
		struct strbuf user = STRBUF_INIT;

		subst_key(&user, c->user);
		one("fields.yaml",
		    "'clusters':[{'name':'k','cluster':%s}],"
		    "'users':[{'name':'u','user':%s}]",
		    c->cluster, user.buf);
		strbuf_release(&user);
		if (c->want_err) {
			fails("fields.yaml", &ov, c->want_err, c->name);
			continue;
		}
		is_int(load_file("fields.yaml", &ov, &rc, &err), 0, "%s: loads (%s)", c->name,
		       err.msg);
		rest_config_release(&rc);
	}
}

static void test_cluster_and_user_values(void)
{
	struct kubeconfig_overrides ov = KUBECONFIG_OVERRIDES_INIT;
	struct rest_config rc;
	struct errbuf err = { 0 };

	reset_env();
	one("vals.yaml",
	    "'clusters':[{'name':'k','cluster':{"
	    "'server':'https://h.example:6443/k8s/clusters/c-1/?x=1#frag',"
	    "'certificate-authority-data':'%s','tls-server-name':'api.internal',"
	    "'proxy-url':'socks5://proxy:1080','disable-compression':true}}],"
	    "'users':[{'name':'u','user':{'client-certificate-data':'%s','client-key-data':'%s',"
	    "'token':'" TOKEN "','as':'alice','as-uid':'1000','as-groups':['dev','ops']}}]",
	    ca_b64, cert_b64, key_b64);
	is_int(load_file("vals.yaml", &ov, &rc, &err), 0, "full cluster and user load (%s)", err.msg);
	is_str(rc.server, "https://h.example:6443/k8s/clusters/c-1",
	       "server keeps its path prefix, loses query, fragment and trailing slash");
	is_str(rc.ca_pem, CA_PEM, "certificate-authority-data decoded");
	is_int(rc.ca_pem_len, strlen(CA_PEM), "CA length");
	is_str(rc.tls_server_name, "api.internal", "tls-server-name");
	is_str(rc.proxy_url, "socks5://proxy:1080", "proxy-url");
	ok(rc.disable_compression && !rc.insecure_skip_tls_verify,
	   "disable-compression, not insecure");
	is_str(rc.client_cert_pem, CERT_PEM, "client-certificate-data decoded");
	is_str(rc.client_key_pem, KEY_PEM, "client-key-data decoded");
	is_int(rc.client_key_pem_len, strlen(KEY_PEM), "key length");
	is_str(rc.token, TOKEN, "token");
	is_str(rc.token_file, NULL, "no token file");
	is_str(rc.as_user, "alice", "as");
	is_str(rc.as_uid, "1000", "as-uid");
	ok(rc.as_groups && !strcmp(rc.as_groups[0], "dev") && !strcmp(rc.as_groups[1], "ops") &&
	           !rc.as_groups[2],
	   "as-groups");
	ok(rc.exec == NULL, "no exec");
	rest_config_release(&rc);

	one("noscheme.yaml", "'clusters':[{'name':'k','cluster':{'server':'h.example:8443'}}]");
	is_int(load_file("noscheme.yaml", &ov, &rc, &err), 0, "server without a scheme loads");
	is_str(rc.server, "http://h.example:8443", "no TLS settings: http");
	rest_config_release(&rc);
	one("noscheme.yaml", "'clusters':[{'name':'k','cluster':{'server':'h.example:8443/',"
	                     "'insecure-skip-tls-verify':true}}]");
	is_int(load_file("noscheme.yaml", &ov, &rc, &err), 0,
	       "insecure server without a scheme loads");
	is_str(rc.server, "https://h.example:8443", "TLS settings: https");
	ok(rc.insecure_skip_tls_verify, "insecure-skip-tls-verify");
	rest_config_release(&rc);
}

static void test_overrides(void)
{
	struct kubeconfig_overrides ov = KUBECONFIG_OVERRIDES_INIT;
	struct rest_config rc;
	struct errbuf err = { 0 };
	const char *const groups[] = { "flag-group", NULL };

	reset_env();
	write_file("ov-token", "from-file\n", 0600);
	write_file("ov-ca.crt", "FLAG CA", 0644);
	write_file("ov-cert.pem", "FLAG CERT", 0644);
	write_file("ov-key.pem", "FLAG KEY", 0600);
	one("ov.yaml",
	    "'clusters':[{'name':'k','cluster':{'server':'https://file.example',"
	    "'certificate-authority-data':'%s','tls-server-name':'file.tls'}}],"
	    "'users':[{'name':'u','user':{'tokenFile':'%s','client-certificate-data':'%s',"
	    "'client-key-data':'%s','as':'file-user','as-groups':['file-group']}}]",
	    ca_b64, path_of("ov-token"), cert_b64, key_b64);

	ov.token = "flag-token";
	ov.client_certificate = path_of("ov-cert.pem");
	ov.client_key = path_of("ov-key.pem");
	ov.as_user = "flag-user";
	ov.as_groups = groups;
	is_int(load_file("ov.yaml", &ov, &rc, &err), 0, "user flags load (%s)", err.msg);
	is_str(rc.token, "flag-token", "--token wins");
	is_str(rc.token_file, NULL, "--token clears tokenFile");
	is_str(rc.client_cert_pem, "FLAG CERT", "--client-certificate replaces the -data");
	is_str(rc.client_key_pem, "FLAG KEY", "--client-key replaces the -data");
	is_str(rc.as_user, "flag-user", "--as wins");
	ok(rc.as_groups && !strcmp(rc.as_groups[0], "flag-group") && !rc.as_groups[1],
	   "--as-group wins");
	rest_config_release(&rc);
	ov = (struct kubeconfig_overrides)KUBECONFIG_OVERRIDES_INIT;

	is_int(load_file("ov.yaml", &ov, &rc, &err), 0, "without flags");
	is_str(rc.token, "from-file", "tokenFile read");
	is_str(rc.token_file, path_of("ov-token"), "tokenFile path recorded");
	rest_config_release(&rc);
	write_file("ov-token", "rotated\n", 0600);
	is_int(load_file("ov.yaml", &ov, &rc, &err), 0, "after the token file changed");
	is_str(rc.token, "rotated", "a changed token file is seen");
	rest_config_release(&rc);

	ov.insecure_skip_tls_verify = 1;
	is_int(load_file("ov.yaml", &ov, &rc, &err), 0, "--insecure-skip-tls-verify over a CA loads");
	ok(rc.insecure_skip_tls_verify && rc.ca_pem == NULL,
	   "--insecure-skip-tls-verify clears the kubeconfig's CA");
	rest_config_release(&rc);
	ov.insecure_skip_tls_verify = -1;

	ov.certificate_authority = path_of("ov-ca.crt");
	is_int(load_file("ov.yaml", &ov, &rc, &err), 0, "--certificate-authority loads");
	is_str(rc.ca_pem, "FLAG CA", "--certificate-authority replaces certificate-authority-data");
	is_str(rc.tls_server_name, "file.tls", "tls-server-name kept without --server");
	rest_config_release(&rc);
	ov.certificate_authority = "/nonexistent/flag-ca.crt";
	fails("ov.yaml", &ov, "unable to read certificate-authority /nonexistent/flag-ca.crt",
	      "missing --certificate-authority file");
	ov.certificate_authority = NULL;

	ov.server = "https://flag.example/";
	is_int(load_file("ov.yaml", &ov, &rc, &err), 0, "--server loads");
	is_str(rc.server, "https://flag.example", "--server wins");
	is_str(rc.tls_server_name, NULL, "--server clears the kubeconfig's tls-server-name");
	rest_config_release(&rc);
	ov.tls_server_name = "flag.tls";
	is_int(load_file("ov.yaml", &ov, &rc, &err), 0, "--server --tls-server-name loads");
	is_str(rc.tls_server_name, "flag.tls", "--tls-server-name wins");
	rest_config_release(&rc);
	ov.server = ov.tls_server_name = NULL;

	ov.token = TOKEN;
	ov.username = "me";
	ov.password = PASSWORD;
	fails("ov.yaml", &ov, "more than one authentication method found for u",
	      "--token with --username/--password");

	/* Flags alone, without any kubeconfig. */
	ov = (struct kubeconfig_overrides)KUBECONFIG_OVERRIDES_INIT;
	ov.server = "http://127.0.0.1:8001";
	is_int(kubeconfig_load(&rc, &ov, &err), 0, "--server alone needs no kubeconfig (%s)",
	       err.msg);
	is_str(rc.server, "http://127.0.0.1:8001", "server from the flag");
	is_str(rc.namespace, "default", "default namespace");
	is_str(rc.context_name, NULL, "no context");
	rest_config_release(&rc);
}

static void test_exec_from_kubeconfig(void)
{
	struct kubeconfig_overrides ov = KUBECONFIG_OVERRIDES_INIT;
	struct rest_config rc;
	struct errbuf err = { 0 };
	struct exec_result res;
	struct strbuf sb = STRBUF_INIT;
	cJSON *info, *cluster;

	reset_env();
	strbuf_addf(
		&sb,
		"#!/bin/sh\nprintf '%%s' \"$KUBERNETES_EXEC_INFO\" >'%s/seen-info'\n"
		"echo \"$MODE $1\" >'%s/seen-env'\n"
		"echo "
		"'{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
		"\"status\":{\"token\":\"exec-token\"}}'\n",
		dir, dir);
	write_file("exec-plugin.sh", sb.buf, 0755);
	strbuf_release(&sb);
	one("exec.yaml",
	    "'clusters':[{'name':'k','cluster':{'server':'https://exec.example/',"
	    "'certificate-authority-data':'%s','extensions':[{'name':'other','extension':{'a':1}},"
	    "{'name':'client.authentication.k8s.io/exec','extension':{'audience':'prod'}}]}}],"
	    "'users':[{'name':'u','user':{'exec':{'command':'./exec-plugin.sh','args':['--flag'],"
	    "'env':[{'name':'MODE','value':'test'}],'apiVersion':'client.authentication.k8s.io/v1',"
	    "'interactiveMode':'Never','provideClusterInfo':true}}}]",
	    ca_b64);
	is_int(load_file("exec.yaml", &ov, &rc, &err), 0, "exec user loads (%s)", err.msg);
	ok(rc.exec != NULL, "exec credential built");
	is_int(rc.exec ? exec_credential_get(rc.exec, &res, &err) : -1, 0, "plugin runs (%s)",
	       err.msg);
	is_str(res.token, "exec-token", "exec token");
	{
		char *seen = NULL;
		struct strbuf s2 = STRBUF_INIT;

		if (!strbuf_read_file(&s2, path_of("seen-env"), 4096))
			seen = strbuf_detach(&s2, NULL);
		is_str(seen, "test --flag\n", "args and env from the kubeconfig reach the plugin");
		free(seen);
		if (!strbuf_read_file(&s2, path_of("seen-info"), 1 << 16))
			seen = strbuf_detach(&s2, NULL);
		info = seen ? cJSON_Parse(seen) : NULL;
		free(seen);
	}
	cluster = cJSON_GetObjectItem(cJSON_GetObjectItem(info, "spec"), "cluster");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(cluster, "server")), "https://exec.example",
	       "cluster info carries the normalised server");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(cluster, "certificate-authority-data")),
	       ca_b64, "cluster info carries the CA, base64");
	is_str(cJSON_GetStringValue(
		       cJSON_GetObjectItem(cJSON_GetObjectItem(cluster, "config"), "audience")),
	       "prod", "cluster info config is the client.authentication.k8s.io/exec extension");
	cJSON_Delete(info);
	rest_config_release(&rc);
}

static void make_sa_dir(const char *ns)
{
	mkdir(path_of("sa"), 0755);
	write_file("sa/token", "sa-token\n", 0600);
	write_file("sa/ca.crt", CA_PEM, 0644);
	if (ns)
		write_file("sa/namespace", ns, 0644);
	else
		unlink(path_of("sa/namespace"));
}

static void test_in_cluster(void)
{
	struct kubeconfig_overrides ov = KUBECONFIG_OVERRIDES_INIT;
	struct rest_config rc;
	struct errbuf err = { 0 };

	reset_env();
	make_sa_dir("team-a\n");
	ok(kubeconfig_in_cluster(&rc, path_of("sa"), &err) == -1 &&
	           strstr(err.msg,
	                  "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined"),
	   "in-cluster without the service env fails (%s)", err.msg);
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	is_int(kubeconfig_in_cluster(&rc, path_of("sa"), &err), 0, "in-cluster loads (%s)", err.msg);
	is_str(rc.server, "https://10.96.0.1:443", "server from the service env");
	is_str(rc.token_file, path_of("sa/token"), "token recorded as a file, so rotation is seen");
	is_str(rc.token, "sa-token", "token read and trimmed");
	is_str(rc.ca_pem, CA_PEM, "ca.crt read");
	is_str(rc.namespace, "team-a", "namespace from the service-account directory");
	ok(!rc.namespace_explicit, "in-cluster namespace is not explicit");
	rest_config_release(&rc);

	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	setenv("POD_NAMESPACE", "from-env", 1);
	unlink(path_of("sa/ca.crt"));
	is_int(kubeconfig_in_cluster(&rc, path_of("sa"), &err), 0, "IPv6 in-cluster loads");
	is_str(rc.server, "https://[fd00::1]:443", "IPv6 host bracketed");
	is_str(rc.namespace, "from-env", "$POD_NAMESPACE wins");
	ok(rc.ca_pem == NULL, "unreadable ca.crt: system roots");
	rest_config_release(&rc);
	unsetenv("POD_NAMESPACE");
	make_sa_dir(NULL);
	is_int(kubeconfig_in_cluster(&rc, path_of("sa"), &err), 0, "no namespace file loads");
	is_str(rc.namespace, "default", "no namespace anywhere: default");
	rest_config_release(&rc);
	unlink(path_of("sa/token"));
	ok(kubeconfig_in_cluster(&rc, path_of("sa"), &err) == -1 &&
	           strstr(err.msg, path_of("sa/token")),
	   "missing token file is named (%s)", err.msg);

	/* Fallback from kubeconfig_load when nothing is configured. */
	make_sa_dir("team-b");
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	ov.in_cluster_sa_dir = path_of("sa");
	is_int(kubeconfig_load(&rc, &ov, &err), 0, "nothing configured in a pod: in-cluster (%s)",
	       err.msg);
	is_str(rc.server, "https://10.96.0.1:443", "in-cluster server");
	is_str(rc.token_file, path_of("sa/token"), "in-cluster token file");
	is_str(rc.namespace, "team-b", "in-cluster namespace");
	rest_config_release(&rc);
	ov.token = "flag-token";
	ov.namespace = "flag-ns";
	ov.insecure_skip_tls_verify = 1;
	is_int(kubeconfig_load(&rc, &ov, &err), 0, "in-cluster with flags");
	is_str(rc.token, "flag-token", "--token overrides the service account");
	is_str(rc.token_file, NULL, "and clears its token file");
	is_str(rc.namespace, "flag-ns", "-n overrides");
	ok(rc.namespace_explicit, "-n is explicit");
	ok(rc.insecure_skip_tls_verify && !rc.ca_pem, "--insecure-skip-tls-verify drops the CA");
	rest_config_release(&rc);
	ov.token = ov.namespace = NULL;
	ov.insecure_skip_tls_verify = -1;

	/* A kubeconfig without a context namespace, inside a pod. */
	one("pod.yaml", "'clusters':[{'name':'k','cluster':{'server':'https://x'}}]");
	is_int(load_file("pod.yaml", &ov, &rc, &err), 0, "kubeconfig in a pod loads");
	is_str(rc.server, "https://x", "the kubeconfig wins over in-cluster");
	is_str(rc.namespace, "team-b", "no context namespace: the pod's namespace");
	ok(!rc.namespace_explicit, "and it is not explicit");
	rest_config_release(&rc);
	reset_env();
}

static void test_yaml(void)
{
	struct kubeconfig_overrides ov = KUBECONFIG_OVERRIDES_INIT;
	struct rest_config rc;
	struct errbuf err = { 0 };
	struct strbuf sb = STRBUF_INIT;

	reset_env();
	strbuf_addf(&sb,
	            "apiVersion: v1\n"
	            "kind: Config\n"
	            "current-context: prod\n"
	            "clusters:\n"
	            "- name: prod-cluster\n"
	            "  cluster:\n"
	            "    server: https://prod.example:6443/\n"
	            "    certificate-authority-data: %s\n"
	            "contexts:\n"
	            "- name: prod\n"
	            "  context:\n"
	            "    cluster: prod-cluster\n"
	            "    user: admin\n"
	            "    namespace: apps\n"
	            "users:\n"
	            "- name: admin\n"
	            "  user:\n"
	            "    token: " TOKEN "\n"
	            "    as-groups: [\"system:masters\"]\n"
	            "    as: root\n",
	            ca_b64);
	write_file("real.yaml", sb.buf, 0600);
	strbuf_release(&sb);
	is_int(load_file("real.yaml", &ov, &rc, &err), 0, "a YAML kubeconfig loads (%s)", err.msg);
	is_str(rc.server, "https://prod.example:6443", "YAML: server");
	is_str(rc.ca_pem, CA_PEM, "YAML: CA");
	is_str(rc.namespace, "apps", "YAML: namespace");
	is_str(rc.token, TOKEN, "YAML: token");
	ok(rc.as_groups && !strcmp(rc.as_groups[0], "system:masters"), "YAML: as-groups");
	rest_config_release(&rc);

	write_file("bad.yaml", "clusters:\n- name: a\n  cluster: {server: [\n", 0600);
	fails("bad.yaml", &ov, "error loading config file", "YAML syntax error");
	write_file("typed.yaml",
	           "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k}\n"
	           "clusters:\n- name: k\n  cluster:\n    server: https://x\n"
	           "    insecure-skip-tls-verify: yes\n",
	           0600);
	is_int(load_file("typed.yaml", &ov, &rc, &err), 0, "YAML 1.1 'yes' loads (%s)", err.msg);
	ok(rc.insecure_skip_tls_verify, "'yes' is true, as sigs.k8s.io/yaml reads it");
	rest_config_release(&rc);
	write_file("typed.yaml",
	           "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k}\n"
	           "clusters:\n- name: k\n  cluster:\n    server: https://x\n"
	           "    insecure-skip-tls-verify: \"true\"\n",
	           0600);
	fails("typed.yaml", &ov, "\"insecure-skip-tls-verify\" must be true or false",
	      "a quoted \"true\" is a string, not a boolean");
}

struct b64_case {
	const char *in;
	const char *out; /* NULL = invalid */
};

static const struct b64_case b64_cases[] = {
	{ "", "" },
	{ "Zg==", "f" },
	{ "Zm8=", "fo" },
	{ "Zm9v", "foo" },
	{ "Zm9v\nYmFy\r\n", "foobar" },
	{ "Zm9vYg==", "foob" },
	{ "Zg", NULL }, /* Go's StdEncoding wants the padding */
	{ "Zh==", NULL }, /* bits under the padding */
	{ "Zg==Zg==", NULL }, /* data after the padding */
	{ "Z===", NULL },
	{ "Zm9v YmFy", NULL },
	{ "Zm9-", NULL }, /* URL alphabet */
};

static void test_base64(void)
{
	size_t i;

	for (i = 0; i < sizeof(b64_cases) / sizeof(b64_cases[0]); i++) {
		const struct b64_case *c = &b64_cases[i];
		struct strbuf sb = STRBUF_INIT;
		int ret = base64_decode(&sb, c->in, strlen(c->in));

		if (c->out)
			ok(ret == 0 && !strcmp(sb.buf, c->out), "base64 case %zu decodes", i);
		else
			ok(ret == -1 && sb.len == 0, "base64 case %zu is refused", i);
		if (c->out && *c->out) {
			char *enc = base64_encode(c->out, strlen(c->out));

			ok(!strcmp(enc, c->in) || strchr(c->in, '\n'), "base64 \"%s\" round-trips",
			   c->out);
			free(enc);
		}
		strbuf_release(&sb);
	}
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir))
		return 2;
	mkdir(path_of("home"), 0755);
	ca_b64 = base64_encode(CA_PEM, strlen(CA_PEM));
	cert_b64 = base64_encode(CERT_PEM, strlen(CERT_PEM));
	key_b64 = base64_encode(KEY_PEM, strlen(KEY_PEM));

	test_loading_rules();
	test_duplicates();
	test_relative_paths();
	test_selection();
	test_fields();
	test_cluster_and_user_values();
	test_overrides();
	test_exec_from_kubeconfig();
	test_in_cluster();
	test_yaml();
	test_base64();

	free(ca_b64);
	free(cert_b64);
	free(key_b64);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove the temp dir");
	return tap_done();
}
