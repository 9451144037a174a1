/*
 * kubetest.h - run tests/lib/kubetest_server.py from a C unit test.
 *
 * kubetest_init() makes a temporary directory holding fresh certificates
 * (tests/lib/certs.sh); kubetest_start() writes a scenario there and starts
 * the server as a child process on 127.0.0.1, over TLS (requesting client
 * certificates signed by the test CA) or plain http; kubetest_log() reads
 * back the requests it recorded; kubetest_stop() kills it, and
 * kubetest_cleanup() removes the directory.  Tests run from the top of the
 * source tree, as tests/run-tests does.
 *
 * Everything is static inline, like tap.h, and returns 0/-1 or NULL; what
 * it allocates is the caller's to free().
 */
#ifndef KUBETEST_H
#define KUBETEST_H

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

struct kubetest {
	char dir[64];
	pid_t pid;
	int port;
	char url[64]; /* scheme://127.0.0.1:PORT */
	int runs; /* servers started, to name their files */
};

static inline int kubetest_init(struct kubetest *kt)
{
	char cmd[256];

	memset(kt, 0, sizeof(*kt));
	snprintf(kt->dir, sizeof(kt->dir), "/tmp/kubetest.XXXXXX");
	if (!mkdtemp(kt->dir))
		return -1;
	snprintf(cmd, sizeof(cmd), "sh tests/lib/certs.sh %s", kt->dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A file of the test directory, e.g. "ca.crt"; malloc'd, NUL-terminated. */
static inline char *kubetest_read(const struct kubetest *kt, const char *name, size_t *len)
{
	char path[128], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", kt->dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = n;
	}
	return buf;
}

static inline int kubetest_write(const struct kubetest *kt, const char *name, const char *text)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", kt->dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static inline void kubetest_path(const struct kubetest *kt, const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s/%s", kt->dir, name);
}

/* Starts a server playing `script` (JSON text); tls = 0 for plain http. */
static inline int kubetest_start(struct kubetest *kt, const char *script, int tls)
{
	char name[32], spath[128], lpath[128], cert[128], key[128], ca[128], epath[128], line[32];
	int fds[2], efd;
	ssize_t n;
	size_t got = 0;

	kt->runs++;
	snprintf(name, sizeof(name), "script%d.json", kt->runs);
	if (kubetest_write(kt, name, script) < 0 || pipe(fds) < 0)
		return -1;
	kubetest_path(kt, name, spath, sizeof(spath));
	snprintf(name, sizeof(name), "log%d.jsonl", kt->runs);
	kubetest_path(kt, name, lpath, sizeof(lpath));
	kubetest_path(kt, "server.crt", cert, sizeof(cert));
	kubetest_path(kt, "server.key", key, sizeof(key));
	kubetest_path(kt, "ca.crt", ca, sizeof(ca));
	kubetest_path(kt, "server.err", epath, sizeof(epath));
	fflush(stdout);
	kt->pid = fork();
	if (kt->pid < 0)
		return -1;
	if (!kt->pid) {
		/* Its stderr goes to a file, so TAP lines stay whole; kubetest_stop() shows it. */
		efd = open(epath, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (efd >= 0)
			dup2(efd, 2);
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		if (tls)
			execlp("python3", "python3", "tests/lib/kubetest_server.py", "--script",
			       spath, "--log", lpath, "--cert", cert, "--key", key, "--client-ca",
			       ca, (char *)NULL);
		else
			execlp("python3", "python3", "tests/lib/kubetest_server.py", "--script",
			       spath, "--log", lpath, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (got < sizeof(line) - 1 && (n = read(fds[0], line + got, 1)) == 1 && line[got] != '\n')
		got++;
	close(fds[0]);
	line[got] = '\0';
	kt->port = atoi(line);
	snprintf(kt->url, sizeof(kt->url), "%s://127.0.0.1:%d", tls ? "https" : "http", kt->port);
	return kt->port > 0 ? 0 : -1;
}

static inline void kubetest_stop(struct kubetest *kt)
{
	char *errs, *line, *nl;

	if (kt->pid > 0) {
		kill(kt->pid, SIGTERM);
		waitpid(kt->pid, NULL, 0);
	}
	kt->pid = 0;
	errs = kubetest_read(kt, "server.err", NULL);
	for (line = errs; line && *line; line = *nl ? nl + 1 : nl) {
		nl = line + strcspn(line, "\n");
		printf("# server: %.*s\n", (int)(nl - line), line);
	}
	free(errs);
	kubetest_write(kt, "server.err", "");
}

/* The requests the current server recorded, as a JSON array. */
static inline cJSON *kubetest_log(const struct kubetest *kt)
{
	char name[32], *text, *line, *nl;
	cJSON *all = cJSON_CreateArray(), *entry;

	snprintf(name, sizeof(name), "log%d.jsonl", kt->runs);
	text = kubetest_read(kt, name, NULL);
	for (line = text; line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		entry = cJSON_Parse(line);
		if (entry)
			cJSON_AddItemToArray(all, entry);
	}
	free(text);
	return all;
}

/* How many recorded requests went to `path` (with `method`, unless NULL). */
static inline int kubetest_count(const cJSON *log, const char *method, const char *path)
{
	const cJSON *e;
	int n = 0;

	cJSON_ArrayForEach (e, log) {
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(e, "method"));
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(e, "path"));

		if (p && !strcmp(p, path) && (!method || (m && !strcmp(m, method))))
			n++;
	}
	return n;
}

/* The nth (0-based) recorded request to `path`, or NULL. */
static inline const cJSON *kubetest_nth(const cJSON *log, const char *path, int nth)
{
	const cJSON *e;

	cJSON_ArrayForEach (e, log) {
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(e, "path"));

		if (p && !strcmp(p, path) && nth-- == 0)
			return e;
	}
	return NULL;
}

/* A string field of a log entry: "method", or "headers.accept", "query.limit". */
static inline const char *kubetest_field(const cJSON *entry, const char *field)
{
	const char *dot = strchr(field, '.');
	char top[32];

	if (!entry)
		return NULL;
	if (!dot)
		return cJSON_GetStringValue(cJSON_GetObjectItem(entry, field));
	snprintf(top, sizeof(top), "%.*s", (int)(dot - field), field);
	return cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(entry, top), dot + 1));
}

static inline void kubetest_cleanup(struct kubetest *kt)
{
	char cmd[128];

	kubetest_stop(kt);
	if (kt->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", kt->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", kt->dir);
	}
}

#endif
