#include "tap.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base64.h"
#include "errbuf.h"
#include "exec_credential.h"
#include "strbuf.h"

#define V1 "client.authentication.k8s.io/v1"
#define V1BETA1 "client.authentication.k8s.io/v1beta1"
#define SECRET "s3cr3t-t0ken"
#define CA_PEM "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

static char dir[] = "/tmp/test_exec_credential.XXXXXX";
static char plugin[256], out_json[256], counter[256];

static void write_file(const char *path, const char *content, int mode)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(content, f) < 0 || fclose(f)) {
		perror(path);
		exit(2);
	}
	chmod(path, mode);
}

static void set_output(const char *json)
{
	write_file(out_json, json, 0644);
}

/* How many times the plugin has run: it appends one line per run. */
static int runs(void)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int n = 0;

	if (strbuf_read_file(&sb, counter, 1 << 20) == 0)
		for (i = 0; i < sb.len; i++)
			n += sb.buf[i] == '\n';
	strbuf_release(&sb);
	return n;
}

static char *slurp(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	char path[300];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (strbuf_read_file(&sb, path, 1 << 20))
		return NULL;
	return strbuf_detach(&sb, NULL);
}

static struct exec_config base_config(void)
{
	struct exec_config c = { .command = plugin, .api_version = V1, .interactive = EXEC_NEVER };
	return c;
}

/* Runs a fresh credential against the current output; returns get()'s result. */
static int get_once(const struct exec_config *cfg, struct errbuf *err)
{
	struct exec_credential *ec = exec_credential_new(cfg);
	struct exec_result r;
	int ret = exec_credential_get(ec, &r, err);

	exec_credential_free(ec);
	return ret;
}

struct output_case {
	const char *name;
	const char *stdout_json;
	const char *want; /* error substring, NULL = success */
};

static const struct output_case output_cases[] = {
	{ "token",
	  "{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\","
	  "\"status\":{\"token\":\"" SECRET "\"}}",
	  NULL },
	{ "garbage", "this is not json " SECRET, "decoding stdout" },
	{ "a JSON array", "[1,2]", "decoding stdout" },
	{ "wrong apiVersion",
	  "{\"apiVersion\":\"" V1BETA1 "\",\"kind\":\"ExecCredential\","
	  "\"status\":{\"token\":\"" SECRET "\"}}",
	  "exec plugin is configured to use API version " V1 ", plugin returned version " V1BETA1 },
	{ "no apiVersion", "{\"kind\":\"ExecCredential\",\"status\":{\"token\":\"" SECRET "\"}}",
	  "decoding stdout" },
	{ "wrong kind",
	  "{\"apiVersion\":\"" V1 "\",\"kind\":\"Secret\","
	  "\"status\":{\"token\":\"" SECRET "\"}}",
	  "decoding stdout" },
	{ "no status", "{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\"}",
	  "exec plugin didn't return a status field" },
	{ "empty status", "{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\",\"status\":{}}",
	  "exec plugin didn't return a token or cert/key pair" },
	{ "cert without key",
	  "{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\","
	  "\"status\":{\"clientCertificateData\":\"CERT\"}}",
	  "exec plugin returned only certificate or key, not both" },
	{ "key without cert",
	  "{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\","
	  "\"status\":{\"token\":\"" SECRET "\",\"clientKeyData\":\"" SECRET "\"}}",
	  "exec plugin returned only certificate or key, not both" },
	{ "token of the wrong type",
	  "{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\","
	  "\"status\":{\"token\":42}}",
	  "decoding stdout" },
	{ "bad expirationTimestamp",
	  "{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\","
	  "\"status\":{\"token\":\"" SECRET "\",\"expirationTimestamp\":\"tomorrow\"}}",
	  "decoding stdout: status.expirationTimestamp" },
};

static void test_outputs(void)
{
	struct exec_config cfg = base_config();
	size_t i;

	for (i = 0; i < sizeof(output_cases) / sizeof(output_cases[0]); i++) {
		const struct output_case *c = &output_cases[i];
		struct errbuf err = { 0 };
		int ret;

		set_output(c->stdout_json);
		ret = get_once(&cfg, &err);
		if (!c->want) {
			is_int(ret, 0, "%s: accepted", c->name);
			continue;
		}
		is_int(ret, -1, "%s: refused", c->name);
		ok(strstr(err.msg, c->want), "%s: error says \"%s\" (%s)", c->name, c->want, err.msg);
		ok(!strstr(err.msg, SECRET), "%s: error does not show the token", c->name);
	}
}

static void test_cert_pair(void)
{
	struct exec_config cfg = base_config();
	struct exec_credential *ec;
	struct exec_result r;
	struct errbuf err = { 0 };

	cfg.api_version = V1BETA1;
	set_output("{\"apiVersion\":\"" V1BETA1 "\",\"kind\":\"ExecCredential\",\"status\":{"
	           "\"clientCertificateData\":\"-----BEGIN CERTIFICATE-----\\nC\\n\","
	           "\"clientKeyData\":\"-----BEGIN PRIVATE KEY-----\\nK\\n\"}}");
	ec = exec_credential_new(&cfg);
	is_int(exec_credential_get(ec, &r, &err), 0, "v1beta1 plugin returning a cert pair works");
	is_str(r.client_cert_pem, "-----BEGIN CERTIFICATE-----\nC\n", "certificate is PEM text");
	is_str(r.client_key_pem, "-----BEGIN PRIVATE KEY-----\nK\n", "key is PEM text");
	ok(r.token == NULL && r.expires == 0, "no token and no expiry");
	exec_credential_free(ec);
}

static void test_caching(void)
{
	struct exec_config cfg = base_config();
	struct exec_credential *ec;
	struct exec_result r;
	struct errbuf err = { 0 };
	int before;

	set_output("{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\",\"status\":"
	           "{\"token\":\"tok-1\",\"expirationTimestamp\":\"2099-01-01T01:00:00+01:00\"}}");
	ec = exec_credential_new(&cfg);
	before = runs();
	is_int(exec_credential_get(ec, &r, &err), 0, "first get runs the plugin");
	is_str(r.token, "tok-1", "token returned");
	is_int(r.expires, 4070908800LL, "expirationTimestamp with an offset is converted to UTC");
	set_output("{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\",\"status\":"
	           "{\"token\":\"tok-2\",\"expirationTimestamp\":\"2099-01-01T00:00:00.5Z\"}}");
	is_int(exec_credential_get(ec, &r, &err), 0, "second get succeeds");
	is_str(r.token, "tok-1", "an unexpired credential is served from the cache");
	is_int(runs() - before, 1, "the plugin ran once for two gets");
	exec_credential_invalidate(ec);
	is_int(exec_credential_get(ec, &r, &err), 0, "get after invalidate succeeds");
	is_str(r.token, "tok-2", "invalidate (after a 401) makes the next get re-run the plugin");
	is_int(runs() - before, 2, "the plugin ran a second time");
	exec_credential_free(ec);

	set_output("{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\",\"status\":"
	           "{\"token\":\"old\",\"expirationTimestamp\":\"2000-01-01T00:00:00Z\"}}");
	ec = exec_credential_new(&cfg);
	before = runs();
	exec_credential_get(ec, &r, &err);
	exec_credential_get(ec, &r, &err);
	is_int(runs() - before, 2, "an expired credential is fetched again on every get");
	exec_credential_free(ec);

	set_output("{\"apiVersion\":\"" V1 "\",\"kind\":\"ExecCredential\",\"status\":"
	           "{\"token\":\"forever\"}}");
	ec = exec_credential_new(&cfg);
	before = runs();
	exec_credential_get(ec, &r, &err);
	exec_credential_get(ec, &r, &err);
	is_int(runs() - before, 1, "a credential without expiry is kept for the process lifetime");
	exec_credential_free(ec);
}

static void test_exit_and_spawn_errors(void)
{
	struct exec_config cfg = base_config();
	const char *const fail_args[] = { "--exit", "3", NULL };
	const char *const sig_args[] = { "--kill", NULL };
	struct errbuf err = { 0 };
	char want[512], path[4096], noexec[300], *cwd = getcwd(NULL, 0);

	snprintf(path, sizeof(path), "%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	snprintf(noexec, sizeof(noexec), "%s/noexec.sh", dir);
	if (!cwd || chdir(dir))
		return;

	cfg.args = fail_args;
	is_int(get_once(&cfg, &err), -1, "a plugin exiting non-zero fails");
	snprintf(want, sizeof(want), "exec: executable %s failed with exit code 3", plugin);
	is_str(err.msg, want, "exit code error names the executable and the code");

	cfg.args = sig_args;
	is_int(get_once(&cfg, &err), -1, "a plugin killed by a signal fails");
	ok(strstr(err.msg, "killed by signal 9"), "signal is named (%s)", err.msg);

	cfg = base_config();
	cfg.command = "/nonexistent/dir/kubelogin";
	cfg.install_hint = "install kubelogin from https://example.com/kubelogin";
	is_int(get_once(&cfg, &err), -1, "a missing executable fails");
	is_str(err.msg,
	       "exec: executable /nonexistent/dir/kubelogin not found\n\n"
	       "install kubelogin from https://example.com/kubelogin",
	       "not-found error carries the install hint");
	cfg.command = "no-such-credential-plugin-xyz";
	cfg.install_hint = NULL;
	is_int(get_once(&cfg, &err), -1, "a bare name missing from PATH fails");
	is_str(err.msg, "exec: executable no-such-credential-plugin-xyz not found",
	       "bare name not found on PATH");

	cfg.command = "plugin.sh";
	is_int(get_once(&cfg, &err), -1, "a bare name is not looked up in the current directory");
	{
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "/nonexistent:%s:%s", dir, path);
		setenv("PATH", sb.buf, 1);
		strbuf_release(&sb);
	}
	is_int(get_once(&cfg, &err), 0, "a bare name is found on PATH (%s)", err.msg);
	setenv("PATH", path, 1);
	write_file(noexec, "#!/bin/sh\n", 0644);
	cfg.command = noexec;
	is_int(get_once(&cfg, &err), -1, "a file that is not executable fails");
	ok(strstr(err.msg, "Permission denied"), "and says why (%s)", err.msg);

	cfg = base_config();
	cfg.api_version = "client.authentication.k8s.io/v1alpha1";
	is_int(get_once(&cfg, &err), -1, "v1alpha1 is refused");
	is_str(err.msg, "exec plugin: invalid apiVersion \"client.authentication.k8s.io/v1alpha1\"",
	       "invalid apiVersion wording");
	if (chdir(cwd))
		diag("cannot return to the old working directory");
	free(cwd);
}

static void test_limits(void)
{
	struct exec_config cfg = base_config();
	const char *const sleep_args[] = { "--sleep", NULL };
	const char *const big_args[] = { "--big", NULL };
	struct errbuf err = { 0 };

	cfg.args = sleep_args;
	cfg.timeout_sec = 1;
	is_int(get_once(&cfg, &err), -1, "a plugin that hangs is stopped");
	ok(strstr(err.msg, "did not finish within 1 seconds"), "timeout error (%s)", err.msg);

	cfg.args = big_args;
	cfg.timeout_sec = 0;
	is_int(get_once(&cfg, &err), -1, "more than 1 MiB of output is refused");
	ok(strstr(err.msg, "wrote more than"), "output cap error (%s)", err.msg);
}

static void test_interactive(void)
{
	struct exec_config cfg = base_config();
	struct errbuf err = { 0 };
	char *stdin_seen, input[300];
	int fd, saved;

	/* main() connected our stdin to /dev/null, so it is not a terminal. */
	cfg.interactive = EXEC_ALWAYS;
	is_int(get_once(&cfg, &err), -1, "interactiveMode Always without a terminal fails");
	is_str(err.msg,
	       "exec plugin cannot support interactive mode: standard input is not a terminal",
	       "Always error wording");

	/* Our stdin becomes a file with content: not a terminal, so not passed on. */
	snprintf(input, sizeof(input), "%s/input", dir);
	write_file(input, "typed by the user\n", 0600);
	fd = open(input, O_RDONLY);
	saved = dup(STDIN_FILENO);
	dup2(fd, STDIN_FILENO);
	close(fd);
	set_output("{\"apiVersion\":\"" V1
	           "\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"t\"}}");
	cfg.interactive = EXEC_IF_AVAILABLE;
	is_int(get_once(&cfg, &err), 0, "IfAvailable without a terminal runs non-interactively");
	stdin_seen = slurp("stdin");
	is_str(stdin_seen, "", "the plugin's stdin is not connected to ours");
	free(stdin_seen);
	dup2(saved, STDIN_FILENO);
	close(saved);
}

static void test_exec_info_and_env(void)
{
	struct exec_config cfg = base_config();
	const char *const args[] = { "--args-check", "two words", NULL };
	const char *const env[] = { "FOO=first", "HOME=/plugin-home", "FOO=bar", NULL };
	struct errbuf err = { 0 };
	char *info_s, *env_s, *args_s, *ca_b64;
	cJSON *info, *spec, *cluster;

	set_output("{\"apiVersion\":\"" V1
	           "\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"t\"}}");
	cfg.args = args;
	cfg.env = env;
	cfg.provide_cluster_info = 1;
	cfg.cluster_server = "https://k8s.example.com:6443/prefix";
	cfg.cluster_tls_server_name = "k8s.internal";
	cfg.cluster_ca_pem = CA_PEM;
	cfg.cluster_config_json = "{\"audience\":\"prod\"}";
	cfg.cluster_proxy_url = "socks5://proxy:1080";
	is_int(get_once(&cfg, &err), 0, "plugin with cluster info and env runs");

	args_s = slurp("args");
	is_str(args_s, "--args-check|two words\n", "arguments are passed without a shell");
	env_s = slurp("env");
	is_str(env_s, "FOO=bar HOME=/plugin-home OTHER=kept\n",
	       "configured env is added, later entries win, the rest of the environment is kept");
	info_s = slurp("info");
	info = info_s ? cJSON_Parse(info_s) : NULL;
	ok(cJSON_IsObject(info), "KUBERNETES_EXEC_INFO is JSON");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(info, "kind")), "ExecCredential",
	       "info kind");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(info, "apiVersion")), V1, "info apiVersion");
	spec = cJSON_GetObjectItem(info, "spec");
	ok(cJSON_IsFalse(cJSON_GetObjectItem(spec, "interactive")), "spec.interactive is false");
	cluster = cJSON_GetObjectItem(spec, "cluster");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(cluster, "server")),
	       "https://k8s.example.com:6443/prefix", "spec.cluster.server");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(cluster, "tls-server-name")),
	       "k8s.internal", "spec.cluster.tls-server-name");
	ca_b64 = base64_encode(CA_PEM, strlen(CA_PEM));
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(cluster, "certificate-authority-data")),
	       ca_b64, "spec.cluster.certificate-authority-data is the base64 CA");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(cluster, "proxy-url")),
	       "socks5://proxy:1080", "spec.cluster.proxy-url");
	ok(!cJSON_GetObjectItem(cluster, "insecure-skip-tls-verify"),
	   "insecure-skip-tls-verify omitted when false");
	is_str(cJSON_GetStringValue(
		       cJSON_GetObjectItem(cJSON_GetObjectItem(cluster, "config"), "audience")),
	       "prod", "spec.cluster.config is the exec extension");
	free(ca_b64);
	cJSON_Delete(info);
	free(info_s);
	free(env_s);
	free(args_s);

	cfg = base_config();
	is_int(get_once(&cfg, &err), 0, "plugin without cluster info runs");
	info_s = slurp("info");
	is_str(info_s,
	       "{\"kind\":\"ExecCredential\",\"apiVersion\":\"" V1 "\","
	       "\"spec\":{\"interactive\":false}}\n",
	       "no spec.cluster without provideClusterInfo");
	free(info_s);
}

static void make_plugin(void)
{
	struct strbuf sb = STRBUF_INIT;

	snprintf(plugin, sizeof(plugin), "%s/plugin.sh", dir);
	snprintf(out_json, sizeof(out_json), "%s/out.json", dir);
	snprintf(counter, sizeof(counter), "%s/count", dir);
	strbuf_addf(&sb,
	            "#!/bin/sh\n"
	            "d='%s'\n"
	            "echo run >>\"$d/count\"\n"
	            "printf '%%s\\n' \"$KUBERNETES_EXEC_INFO\" >\"$d/info\"\n"
	            "echo \"FOO=$FOO HOME=$HOME OTHER=$OTHER\" >\"$d/env\"\n"
	            "cat >\"$d/stdin\"\n"
	            "case \"$1\" in\n"
	            "--exit) echo 'plugin failed' >&2; exit \"$2\" ;;\n"
	            "--kill) kill -9 $$ ;;\n"
	            "--sleep) exec sleep 30 ;;\n"
	            "--big) head -c 2000000 /dev/zero; exit 0 ;;\n"
	            "--args-check) echo \"$1|$2\" >\"$d/args\" ;;\n"
	            "esac\n"
	            "cat \"$d/out.json\"\n",
	            dir);
	write_file(plugin, sb.buf, 0755);
	strbuf_release(&sb);
}

int main(void)
{
	int null = open("/dev/null", O_RDONLY);
	char cmd[300];

	if (!mkdtemp(dir) || null < 0 || dup2(null, STDIN_FILENO) < 0)
		return 2;
	close(null);
	setenv("OTHER", "kept", 1);
	setenv("FOO", "from-parent", 1);
	make_plugin();

	test_outputs();
	test_cert_pair();
	test_caching();
	test_exit_and_spawn_errors();
	test_limits();
	test_interactive();
	test_exec_info_and_env();

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove the temp dir");
	return tap_done();
}
