#include "exec_credential.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base64.h"
#include "errbuf.h"
#include "strbuf.h"
#include "xalloc.h"

#define API_V1 "client.authentication.k8s.io/v1"
#define API_V1BETA1 "client.authentication.k8s.io/v1beta1"
#define STDOUT_MAX (1024 * 1024)
#define DEFAULT_TIMEOUT_SEC 60

struct exec_credential {
	char **argv; /* command first, NULL-terminated */
	char **env; /* configured "NAME=value", NULL-terminated */
	char *api_version;
	char *install_hint;
	enum exec_interactive interactive;
	int timeout_sec;
	cJSON *cluster; /* spec.cluster, or NULL */

	int cached;
	char *token, *cert, *key;
	time_t expires;
};

static size_t strv_len(const char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void strv_free(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static cJSON *build_cluster(const struct exec_config *cfg)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "server", cfg->cluster_server ? cfg->cluster_server : "");
	if (cfg->cluster_tls_server_name && *cfg->cluster_tls_server_name)
		cJSON_AddStringToObject(c, "tls-server-name", cfg->cluster_tls_server_name);
	if (cfg->cluster_insecure)
		cJSON_AddBoolToObject(c, "insecure-skip-tls-verify", 1);
	if (cfg->cluster_ca_pem && *cfg->cluster_ca_pem) {
		char *b64 = base64_encode(cfg->cluster_ca_pem, strlen(cfg->cluster_ca_pem));

		cJSON_AddStringToObject(c, "certificate-authority-data", b64);
		free(b64);
	}
	if (cfg->cluster_proxy_url && *cfg->cluster_proxy_url)
		cJSON_AddStringToObject(c, "proxy-url", cfg->cluster_proxy_url);
	if (cfg->cluster_disable_compression)
		cJSON_AddBoolToObject(c, "disable-compression", 1);
	if (cfg->cluster_config_json) {
		cJSON *conf = cJSON_Parse(cfg->cluster_config_json);

		if (conf)
			cJSON_AddItemToObject(c, "config", conf);
	}
	return c;
}

struct exec_credential *exec_credential_new(const struct exec_config *cfg)
{
	struct exec_credential *ec = xcalloc(1, sizeof(*ec));
	size_t nargs = strv_len(cfg->args), nenv = strv_len(cfg->env), i;

	ec->argv = xcalloc(nargs + 2, sizeof(char *));
	ec->argv[0] = xstrdup(cfg->command ? cfg->command : "");
	for (i = 0; i < nargs; i++)
		ec->argv[i + 1] = xstrdup(cfg->args[i]);
	ec->env = xcalloc(nenv + 1, sizeof(char *));
	for (i = 0; i < nenv; i++)
		ec->env[i] = xstrdup(cfg->env[i]);
	ec->api_version = xstrdup(cfg->api_version ? cfg->api_version : "");
	ec->install_hint = xstrdup_or_null(cfg->install_hint);
	ec->interactive = cfg->interactive;
	ec->timeout_sec = cfg->timeout_sec > 0 ? cfg->timeout_sec : DEFAULT_TIMEOUT_SEC;
	if (cfg->provide_cluster_info)
		ec->cluster = build_cluster(cfg);
	return ec;
}

void exec_credential_invalidate(struct exec_credential *ec)
{
	wipe_free(ec->token);
	wipe_free(ec->cert);
	wipe_free(ec->key);
	ec->token = ec->cert = ec->key = NULL;
	ec->expires = 0;
	ec->cached = 0;
}

void exec_credential_free(struct exec_credential *ec)
{
	if (!ec)
		return;
	exec_credential_invalidate(ec);
	strv_free(ec->argv);
	strv_free(ec->env);
	free(ec->api_version);
	free(ec->install_hint);
	cJSON_Delete(ec->cluster);
	free(ec);
}

static int decide_interactive(const struct exec_credential *ec, int *interactive, struct errbuf *err)
{
	int tty = isatty(STDIN_FILENO);

	switch (ec->interactive) {
	case EXEC_NEVER:
		*interactive = 0;
		return 0;
	case EXEC_IF_AVAILABLE:
		*interactive = tty;
		return 0;
	case EXEC_ALWAYS:
		if (!tty)
			return errbuf_set(err, "exec plugin cannot support interactive mode: "
			                       "standard input is not a terminal");
		*interactive = 1;
		return 0;
	}
	return errbuf_set(err, "exec plugin: invalid interactiveMode %d", (int)ec->interactive);
}

static char *exec_info(const struct exec_credential *ec, int interactive)
{
	cJSON *info = cJSON_CreateObject(), *spec;
	char *s;

	cJSON_AddStringToObject(info, "kind", "ExecCredential");
	cJSON_AddStringToObject(info, "apiVersion", ec->api_version);
	spec = cJSON_AddObjectToObject(info, "spec");
	if (ec->cluster)
		cJSON_AddItemToObject(spec, "cluster", cJSON_Duplicate(ec->cluster, 1));
	cJSON_AddBoolToObject(spec, "interactive", interactive);
	s = cJSON_PrintUnformatted(info);
	cJSON_Delete(info);
	if (!s)
		abort(); /* cJSON fails only when out of memory */
	return s;
}

static int env_name_eq(const char *a, const char *b)
{
	size_t la = strcspn(a, "="), lb = strcspn(b, "=");

	return la == lb && !memcmp(a, b, la);
}

/* Is the variable `entry` names set again by a later configured entry? */
static int overridden(const struct exec_credential *ec, const char *entry, size_t from)
{
	size_t i;

	if (env_name_eq(entry, "KUBERNETES_EXEC_INFO="))
		return 1;
	for (i = from; ec->env[i]; i++)
		if (env_name_eq(entry, ec->env[i]))
			return 1;
	return 0;
}

/* Our environment + the configured env + KUBERNETES_EXEC_INFO, later wins. */
static char **build_envp(const struct exec_credential *ec, const char *info)
{
	size_t n = strv_len((const char *const *)environ) + strv_len((const char *const *)ec->env) +
	           2;
	char **envp = xcalloc(n, sizeof(char *));
	size_t i, k = 0;
	struct strbuf sb = STRBUF_INIT;

	for (i = 0; environ[i]; i++)
		if (!overridden(ec, environ[i], 0))
			envp[k++] = xstrdup(environ[i]);
	for (i = 0; ec->env[i]; i++)
		if (!overridden(ec, ec->env[i], i + 1))
			envp[k++] = xstrdup(ec->env[i]);
	strbuf_addf(&sb, "KUBERNETES_EXEC_INFO=%s", info);
	envp[k] = strbuf_detach(&sb, NULL);
	return envp;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

enum run_end { RUN_OK, RUN_TIMEOUT, RUN_TOO_BIG, RUN_IO };

/* Reads the plugin's stdout until EOF, the size cap or the deadline. */
static enum run_end read_stdout(int fd, struct strbuf *out, long deadline)
{
	char chunk[8192];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int timeout = deadline ? (int)(deadline - now_ms()) : -1;
		ssize_t n;

		if (deadline && timeout <= 0)
			return RUN_TIMEOUT;
		n = poll(&p, 1, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return RUN_IO;
		if (n == 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return RUN_IO;
		if (n == 0)
			return RUN_OK;
		if (out->len + (size_t)n > STDOUT_MAX)
			return RUN_TOO_BIG;
		strbuf_add(out, chunk, (size_t)n);
	}
}

/* Waits for the child; polls so that a plugin that closed stdout but
 * lingers still meets the deadline.  -1 on timeout. */
static int wait_child(pid_t pid, int *status, long deadline)
{
	for (;;) {
		pid_t r = waitpid(pid, status, deadline ? WNOHANG : 0);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -2;
		if (deadline && now_ms() >= deadline)
			return -1;
		if (r == 0) {
			struct timespec ts = { 0, 10 * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
}

static int spawn_error(const struct exec_credential *ec, int e, struct errbuf *err)
{
	if (e == ENOENT) {
		if (ec->install_hint && *ec->install_hint)
			return errbuf_set(err, "exec: executable %s not found\n\n%s", ec->argv[0],
			                  ec->install_hint);
		return errbuf_set(err, "exec: executable %s not found", ec->argv[0]);
	}
	return errbuf_set(err, "exec: %s: %s", ec->argv[0], strerror(e));
}

static int is_executable(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

/*
 * Go's exec.LookPath: a command with a '/' is used as it is, a bare name is
 * searched on $PATH (an empty entry meaning the current directory).  Doing
 * it here rather than trusting posix_spawnp() to report ENOENT keeps "not
 * found" reliable where the exec failure only shows as exit status 127
 * (older libcs, valgrind).
 */
static char *look_path(const char *cmd)
{
	const char *path = getenv("PATH"), *p, *end;
	struct strbuf sb = STRBUF_INIT;

	if (strchr(cmd, '/'))
		return is_executable(cmd) ? xstrdup(cmd) : NULL;
	for (p = path; p && *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		strbuf_reset(&sb);
		if (end == p)
			strbuf_addstr(&sb, ".");
		else
			strbuf_add(&sb, p, (size_t)(end - p));
		strbuf_addf(&sb, "/%s", cmd);
		if (is_executable(sb.buf))
			return strbuf_detach(&sb, NULL);
	}
	strbuf_release(&sb);
	return NULL;
}

static int spawn(const struct exec_credential *ec, int interactive, int out_fd, pid_t *pid,
                 struct errbuf *err)
{
	posix_spawn_file_actions_t fa;
	char *file = look_path(ec->argv[0]), *info, **envp;
	int e;

	if (!file)
		return spawn_error(
			ec, strchr(ec->argv[0], '/') && !access(ec->argv[0], F_OK) ? EACCES : ENOENT,
			err);
	info = exec_info(ec, interactive);
	envp = build_envp(ec, info);
	posix_spawn_file_actions_init(&fa);
	if (!interactive)
		posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	e = posix_spawn(pid, file, &fa, NULL, ec->argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	strv_free(envp);
	free(info);
	free(file);
	return e ? spawn_error(ec, e, err) : 0;
}

static int exit_error(const struct exec_credential *ec, int status, struct errbuf *err)
{
	if (WIFEXITED(status))
		return errbuf_set(err, "exec: executable %s failed with exit code %d", ec->argv[0],
		                  WEXITSTATUS(status));
	return errbuf_set(err, "exec: executable %s was killed by signal %d", ec->argv[0],
	                  WTERMSIG(status));
}

static int end_error(const struct exec_credential *ec, enum run_end end, struct errbuf *err)
{
	if (end == RUN_TIMEOUT)
		return errbuf_set(err, "exec: executable %s did not finish within %d seconds",
		                  ec->argv[0], ec->timeout_sec);
	if (end == RUN_TOO_BIG)
		return errbuf_set(err,
		                  "exec: executable %s wrote more than %d bytes to standard output",
		                  ec->argv[0], STDOUT_MAX);
	return errbuf_set(err, "exec: reading the output of %s: %s", ec->argv[0], strerror(errno));
}

/* Runs the plugin and captures its stdout into out. */
static int run_plugin(const struct exec_credential *ec, struct strbuf *out, struct errbuf *err)
{
	int interactive = 0, fds[2], status = 0, w;
	enum run_end end;
	long deadline;
	pid_t pid;

	if (decide_interactive(ec, &interactive, err))
		return -1;
	if (pipe2(fds, O_CLOEXEC))
		return errbuf_set(err, "exec: pipe: %s", strerror(errno));
	if (spawn(ec, interactive, fds[1], &pid, err)) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	close(fds[1]);
	deadline = interactive ? 0 : now_ms() + ec->timeout_sec * 1000L;
	end = read_stdout(fds[0], out, deadline);
	close(fds[0]);
	w = end == RUN_OK ? wait_child(pid, &status, deadline) : -1;
	if (w == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return end_error(ec, end == RUN_OK ? RUN_TIMEOUT : end, err);
	}
	if (w < 0)
		return errbuf_set(err, "exec: waiting for %s: %s", ec->argv[0], strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return exit_error(ec, status, err);
	return 0;
}

static int parse_digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* RFC 3339 as Go's time.RFC3339 parses it: 2006-01-02T15:04:05[.frac](Z|±hh:mm). */
static int parse_rfc3339(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	const char *p = s + 19;

	if (strlen(s) < 20 || parse_digits(s, 4, &y) || s[4] != '-' ||
	    parse_digits(s + 5, 2, &mo) || s[7] != '-' || parse_digits(s + 8, 2, &d) ||
	    s[10] != 'T' || parse_digits(s + 11, 2, &h) || s[13] != ':' ||
	    parse_digits(s + 14, 2, &mi) || s[16] != ':' || parse_digits(s + 17, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
		return -1;
	if (*p == '.') {
		if (!(p[1] >= '0' && p[1] <= '9'))
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (parse_digits(p + 1, 2, &oh) || p[3] != ':' || parse_digits(p + 4, 2, &om) ||
		    oh > 23 || om > 59)
			return -1;
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = timegm(&tm) - sign * (oh * 3600 + om * 60);
	return 0;
}

/* A status string field: absent or null gives NULL; another type is an error. */
static int status_string(const cJSON *status, const char *key, const char **out, struct errbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(status, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return errbuf_set(err, "decoding stdout: status.%s must be a string", key);
	if (*v->valuestring)
		*out = v->valuestring;
	return 0;
}

static int check_header(const struct exec_credential *ec, const cJSON *cred, struct errbuf *err)
{
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(cred, "kind");
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(cred, "apiVersion");

	if (!cJSON_IsString(ver) || !*ver->valuestring)
		return errbuf_set(err, "decoding stdout: apiVersion is missing");
	if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "ExecCredential"))
		return errbuf_set(err, "decoding stdout: kind is not ExecCredential");
	if (strcmp(ver->valuestring, ec->api_version))
		return errbuf_set(err,
		                  "exec plugin is configured to use API version %s, "
		                  "plugin returned version %.100s",
		                  ec->api_version, ver->valuestring);
	return 0;
}

static int parse_status(struct exec_credential *ec, const cJSON *status, struct errbuf *err)
{
	const char *token, *cert, *key, *exp;
	time_t expires = 0;

	if (!status || cJSON_IsNull(status))
		return errbuf_set(err, "exec plugin didn't return a status field");
	if (!cJSON_IsObject(status))
		return errbuf_set(err, "decoding stdout: status must be an object");
	if (status_string(status, "token", &token, err) ||
	    status_string(status, "clientCertificateData", &cert, err) ||
	    status_string(status, "clientKeyData", &key, err) ||
	    status_string(status, "expirationTimestamp", &exp, err))
		return -1;
	if (exp && parse_rfc3339(exp, &expires))
		return errbuf_set(err,
		                  "decoding stdout: status.expirationTimestamp \"%.64s\" "
		                  "is not an RFC 3339 time",
		                  exp);
	if (!token && !cert && !key)
		return errbuf_set(err, "exec plugin didn't return a token or cert/key pair");
	if (!cert != !key)
		return errbuf_set(err, "exec plugin returned only certificate or key, not both");
	ec->token = xstrdup_or_null(token);
	ec->cert = xstrdup_or_null(cert);
	ec->key = xstrdup_or_null(key);
	ec->expires = expires;
	ec->cached = 1;
	return 0;
}

/* Overwrites every string in the tree: plugin output holds secrets. */
static void wipe_json(cJSON *v)
{
	for (; v; v = v->next) {
		if (cJSON_IsString(v) && v->valuestring)
			explicit_bzero(v->valuestring, strlen(v->valuestring));
		wipe_json(v->child);
	}
}

static int parse_output(struct exec_credential *ec, const struct strbuf *out, struct errbuf *err)
{
	cJSON *cred = cJSON_ParseWithLength(out->buf, out->len);
	int ret;

	if (!cJSON_IsObject(cred))
		ret = errbuf_set(err, "decoding stdout: the output of %s is not a JSON object",
		                 ec->argv[0]);
	else if (check_header(ec, cred, err))
		ret = -1;
	else
		ret = parse_status(ec, cJSON_GetObjectItemCaseSensitive(cred, "status"), err);
	wipe_json(cred);
	cJSON_Delete(cred);
	return ret;
}

static int valid_api_version(const char *v)
{
	return !strcmp(v, API_V1) || !strcmp(v, API_V1BETA1);
}

int exec_credential_get(struct exec_credential *ec, struct exec_result *out, struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	memset(out, 0, sizeof(*out));
	/* client-go treats a credential as valid up to and including its expiry. */
	if (!ec->cached || (ec->expires && time(NULL) > ec->expires)) {
		exec_credential_invalidate(ec);
		if (!valid_api_version(ec->api_version))
			return errbuf_set(err, "exec plugin: invalid apiVersion \"%s\"",
			                  ec->api_version);
		if (!*ec->argv[0])
			return errbuf_set(err, "exec plugin: no command given");
		ret = run_plugin(ec, &sb, err);
		if (!ret)
			ret = parse_output(ec, &sb, err);
		explicit_bzero(sb.buf, sb.len);
		strbuf_release(&sb);
		if (ret)
			return -1;
	}
	out->token = ec->token;
	out->client_cert_pem = ec->cert;
	out->client_key_pem = ec->key;
	out->expires = ec->expires;
	return 0;
}
