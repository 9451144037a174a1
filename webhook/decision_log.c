/*
 * Lines are formatted by hand (json_write.h) and written with one
 * write(2) each, straight to the stream's descriptor: no cJSON tree, no
 * stdio lock held across the write, no fflush.  The server hands its log
 * descriptor to a background writer (log_async.h), which batches them.  The kernel keeps one
 * write(2) to a file or pipe together, so concurrent lines do not mix (for
 * a pipe only up to PIPE_BUF bytes: longer lines take a lock).  A stream
 * without a descriptor (a memory stream in a test) gets one fwrite under
 * its lock.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "admission.h"
#include "config.h"
#include "decision_log.h"
#include "json_write.h"
#include "log_async.h"
#include "policy.h"
#include "strbuf.h"
#include "timefmt.h"

static pthread_mutex_t long_lines = PTHREAD_MUTEX_INITIALIZER;

/* The timestamp, formatted once a second per thread. */
static const char *now_rfc3339(void)
{
	static _Thread_local time_t last = -1;
	static _Thread_local char ts[TIMEFMT_RFC3339_SIZE];
	time_t now = time(NULL);

	if (now != last) {
		timefmt_format_rfc3339(now, ts);
		last = now;
	}
	return ts;
}

static void line_start(struct strbuf *sb, const char *level, const char *msg)
{
	strbuf_addstr(sb, "{\"time\":\"");
	strbuf_addstr(sb, now_rfc3339());
	strbuf_addstr(sb, "\",\"level\":\"");
	strbuf_addstr(sb, level);
	strbuf_addstr(sb, "\",\"msg\":");
	json_write_string(sb, msg);
}

static void field(struct strbuf *sb, const char *key, const char *value)
{
	strbuf_addstr(sb, ",\"");
	strbuf_addstr(sb, key);
	strbuf_addstr(sb, "\":");
	json_write_string(sb, value);
}

static void number(struct strbuf *sb, const char *key, long long v)
{
	char digits[24], *p = digits + sizeof(digits);
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	strbuf_addlit(sb, ",\"");
	strbuf_addstr(sb, key);
	strbuf_addlit(sb, "\":");
	strbuf_add(sb, p, (size_t)(digits + sizeof(digits) - p));
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void line_emit(FILE *f, struct strbuf *sb)
{
	int fd = fileno(f);

	strbuf_addlit(sb, "}\n");
	if (fd >= 0 && log_async_write(fd, sb->buf, sb->len)) {
		/* Taken by the background writer (log_async.h). */
	} else if (fd < 0 || __fpending(f)) {
		/* No descriptor, or stdio data of its own to keep in order. */
		flockfile(f);
		fwrite(sb->buf, 1, sb->len, f);
		fflush(f);
		funlockfile(f);
	} else if (sb->len > PIPE_BUF) {
		pthread_mutex_lock(&long_lines);
		write_all(fd, sb->buf, sb->len);
		pthread_mutex_unlock(&long_lines);
	} else {
		write_all(fd, sb->buf, sb->len);
	}
	strbuf_release(sb);
}

/* The decision line's fields, keys quoted in advance. */
#define FIELD(sb, key, value)                       \
	do {                                        \
		strbuf_addlit(sb, ",\"" key "\":"); \
		json_write_string(sb, value);       \
	} while (0)

/* The same for a value that is one of our own names (operation, policy,
 * mode, decision), which never needs an escape. */
#define NAME_FIELD(sb, key, value)                    \
	do {                                          \
		strbuf_addlit(sb, ",\"" key "\":\""); \
		strbuf_addstr(sb, value);             \
		strbuf_addlit(sb, "\"");              \
	} while (0)

void decision_log_write(FILE *f, const struct admission_request *req,
                        const struct policy_outcome *out, long long micros)
{
	struct strbuf sb;
	const char *decision = out->allowed ? "allow" : "deny";

	if (!f)
		return;
	/* Most lines fit; small enough for malloc's per-thread cache. */
	strbuf_init(&sb, 512);
	strbuf_addlit(&sb, "{\"time\":\"");
	strbuf_addstr(&sb, now_rfc3339());
	if (out->allowed)
		strbuf_addlit(&sb, "\",\"level\":\"info\",\"msg\":\"admission decision\"");
	else
		strbuf_addlit(&sb, "\",\"level\":\"warn\",\"msg\":\"admission decision\"");
	FIELD(&sb, "uid", req->uid);
	NAME_FIELD(&sb, "operation", req->operation);
	FIELD(&sb, "group", req->group);
	FIELD(&sb, "kind", req->kind);
	if (*req->sub_resource)
		FIELD(&sb, "subresource", req->sub_resource);
	FIELD(&sb, "namespace", req->ns);
	FIELD(&sb, "name", req->name);
	FIELD(&sb, "user", req->username);
	if (req->dry_run)
		strbuf_addlit(&sb, ",\"dry_run\":true");
	else
		strbuf_addlit(&sb, ",\"dry_run\":false");
	if (out->allowed && out->nr_hits)
		decision = out->mode == POLICY_WARN ? "warn" : "audit";
	NAME_FIELD(&sb, "decision", decision);
	NAME_FIELD(&sb, "policy", out->policy);
	if (*out->policy)
		NAME_FIELD(&sb, "mode", policy_mode_name(out->mode));
	FIELD(&sb, "reason", out->reason.buf);
	number(&sb, "micros", micros);
	line_emit(f, &sb);
}

void decision_log_error(FILE *f, const char *msg, const char *error, int code, const char *method,
                        const char *path)
{
	struct strbuf sb;

	if (!f)
		return;
	strbuf_init(&sb, 256);
	line_start(&sb, "warn", msg);
	if (error)
		field(&sb, "error", error);
	if (code)
		number(&sb, "code", code);
	if (method)
		field(&sb, "method", method);
	if (path)
		field(&sb, "path", path);
	line_emit(f, &sb);
}

void decision_log_info(FILE *f, const char *msg)
{
	struct strbuf sb;

	if (!f)
		return;
	strbuf_init(&sb, 128);
	line_start(&sb, "info", msg);
	line_emit(f, &sb);
}
