#include "kube_watch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "kube_client.h"
#include "xalloc.h"

#define DEFAULT_MAX_EVENT ((size_t)32 << 20)
/* Past the server's timeoutSeconds, a silent stream is a dead connection. */
#define STREAM_GRACE_MS 30000

struct kube_watch {
	struct kube_client *kc;
	char *rv;
	long timeout_s;
	long base_ms, max_ms;
	int max_failures;
	uint64_t rng;
};

/* ---- decoder ---- */

void kube_event_decoder_init(struct kube_event_decoder *d, size_t max_event)
{
	memset(d, 0, sizeof(*d));
	strbuf_init(&d->buf, 0);
	d->max_event = max_event ? max_event : DEFAULT_MAX_EVENT;
}

void kube_event_decoder_release(struct kube_event_decoder *d)
{
	strbuf_release(&d->buf);
	kube_event_decoder_init(d, d->max_event);
}

int kube_event_decoder_pending(const struct kube_event_decoder *d)
{
	return d->depth > 0;
}

static const char *const names[] = {
	[KUBE_EVENT_ADDED] = "ADDED",     [KUBE_EVENT_MODIFIED] = "MODIFIED",
	[KUBE_EVENT_DELETED] = "DELETED", [KUBE_EVENT_BOOKMARK] = "BOOKMARK",
	[KUBE_EVENT_ERROR] = "ERROR",
};

static const char *names_of(enum kube_event_type t)
{
	return names[t];
}

static int event_type(const char *s, enum kube_event_type *t)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*t = (enum kube_event_type)i;
			return 0;
		}
	}
	return -1;
}

/* Parses one complete event text and hands it to fn: 0, 1 (stop) or -1. */
static int dispatch(const char *text, size_t len, kube_event_fn *fn, void *fn_data, struct errbuf *err)
{
	cJSON *root = cJSON_ParseWithLength(text, len), *type;
	struct kube_event ev = { 0 };
	int ret;

	if (!root)
		return errbuf_set(err, "malformed watch event: not JSON");
	type = cJSON_GetObjectItemCaseSensitive(root, "type");
	if (!cJSON_IsString(type) || event_type(type->valuestring, &ev.type) < 0) {
		ret = errbuf_set(err, "malformed watch event: unknown type %s",
		                 cJSON_IsString(type) ? type->valuestring : "(none)");
		cJSON_Delete(root);
		return ret;
	}
	ev.object = cJSON_DetachItemFromObjectCaseSensitive(root, "object");
	cJSON_Delete(root);
	if (!cJSON_IsObject(ev.object)) {
		cJSON_Delete(ev.object);
		return errbuf_set(err, "malformed watch event: %s without an object",
		                  names_of(ev.type));
	}
	ret = fn(&ev, fn_data) ? 1 : 0;
	cJSON_Delete(ev.object);
	return ret;
}

/*
 * Finds where each top-level JSON object ends by tracking nesting outside
 * strings, resuming where the previous call stopped, so a large event
 * arriving in many pieces is scanned once.
 */
int kube_event_decoder_feed(struct kube_event_decoder *d, const char *data, size_t len,
                            kube_event_fn *fn, void *fn_data, struct errbuf *err)
{
	int ret = 0;

	strbuf_add(&d->buf, data, len);
	for (; d->scan < d->buf.len && !ret; d->scan++) {
		char c = d->buf.buf[d->scan];

		if (!d->depth) {
			if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
				continue;
			if (c != '{')
				return errbuf_set(err, "malformed watch stream: unexpected '%c'", c);
			d->start = d->scan;
			d->depth = 1;
		} else if (d->in_string) {
			if (d->escaped)
				d->escaped = 0;
			else if (c == '\\')
				d->escaped = 1;
			else if (c == '"')
				d->in_string = 0;
		} else if (c == '"') {
			d->in_string = 1;
		} else if (c == '{' || c == '[') {
			d->depth++;
		} else if ((c == '}' || c == ']') && !--d->depth) {
			if (d->scan + 1 - d->start > d->max_event)
				return errbuf_set(err, "watch event larger than %zu bytes",
				                  d->max_event);
			ret = dispatch(d->buf.buf + d->start, d->scan + 1 - d->start, fn, fn_data,
			               err);
			if (ret < 0)
				return -1;
		}
	}
	if (ret)
		return ret;
	/* Drop what was consumed, keeping only the unfinished event. */
	if (!d->depth) {
		strbuf_reset(&d->buf);
		d->scan = d->start = 0;
	} else if (d->start) {
		memmove(d->buf.buf, d->buf.buf + d->start, d->buf.len - d->start);
		strbuf_setlen(&d->buf, d->buf.len - d->start);
		d->scan -= d->start;
		d->start = 0;
	}
	if (d->buf.len > d->max_event)
		return errbuf_set(err, "watch event larger than %zu bytes", d->max_event);
	return 0;
}

/* ---- the watch object ---- */

struct kube_watch *kube_watch_new(const struct rest_config *rc, struct errbuf *err)
{
	struct kube_watch *kw;
	struct kube_client *kc = kube_client_new(rc, err);

	if (!kc)
		return NULL;
	kw = xcalloc(1, sizeof(*kw));
	kw->kc = kc;
	kw->base_ms = 500;
	kw->max_ms = 30000;
	kw->max_failures = 10;
	kw->rng = (uint64_t)kube_monotonic_ms() * 0x9e3779b97f4a7c15ULL ^ (uintptr_t)kw;
	return kw;
}

void kube_watch_free(struct kube_watch *kw)
{
	if (!kw)
		return;
	kube_client_free(kw->kc);
	free(kw->rv);
	free(kw);
}

struct kube_client *kube_watch_client(struct kube_watch *kw)
{
	return kw->kc;
}

void kube_watch_set_stop_flag(struct kube_watch *kw, volatile sig_atomic_t *stop)
{
	kube_client_set_stop_flag(kw->kc, stop);
}

void kube_watch_set_timeout_seconds(struct kube_watch *kw, long seconds)
{
	kw->timeout_s = seconds > 0 ? seconds : 0;
}

void kube_watch_set_reconnect(struct kube_watch *kw, long base_ms, long max_ms, int max_failures)
{
	kw->base_ms = base_ms > 0 ? base_ms : 1;
	kw->max_ms = max_ms > kw->base_ms ? max_ms : kw->base_ms;
	kw->max_failures = max_failures > 0 ? max_failures : 1;
}

const char *kube_watch_resource_version(const struct kube_watch *kw)
{
	return kw->rv;
}

static uint64_t next_random(struct kube_watch *kw)
{
	kw->rng ^= kw->rng << 13;
	kw->rng ^= kw->rng >> 7;
	kw->rng ^= kw->rng << 17;
	return kw->rng;
}

static void set_rv(struct kube_watch *kw, const cJSON *obj)
{
	const cJSON *rv = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "resourceVersion");

	if (cJSON_IsString(rv) && *rv->valuestring) {
		free(kw->rv);
		kw->rv = xstrdup(rv->valuestring);
	}
}

/* ---- one watch request ---- */

struct stream_ctx {
	struct kube_watch *kw;
	struct kube_event_decoder dec;
	kube_event_fn *fn;
	void *data;
	int deliver_errors;
	int events;
	int user_stopped, expired, failed;
	struct errbuf *err;
};

static int on_event(struct kube_event *ev, void *p)
{
	struct stream_ctx *s = p;

	s->events++;
	if (ev->type != KUBE_EVENT_ERROR) {
		set_rv(s->kw, ev->object);
		if (s->fn(ev, s->data)) {
			s->user_stopped = 1;
			return 1;
		}
		return 0;
	} else {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(ev->object, "code");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(ev->object, "message");
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(ev->object, "reason");
		int c = cJSON_IsNumber(code) ? code->valueint : 0;

		if (s->deliver_errors && s->fn(ev, s->data)) {
			s->user_stopped = 1;
			return 1;
		}
		if (c == 410) {
			s->expired = 1;
			return 1;
		}
		/* Any other ERROR ends this stream; the caller decides what next. */
		errbuf_set(s->err, "watch error: %s",
		           cJSON_IsString(msg) ? msg->valuestring : "unknown");
		if (s->err) {
			s->err->code = c;
			snprintf(s->err->reason, sizeof(s->err->reason), "%s",
			         cJSON_IsString(reason) ? reason->valuestring : "");
		}
		s->failed = 1;
		return 1;
	}
}

static int on_bytes(const char *data, size_t len, void *p)
{
	struct stream_ctx *s = p;
	int r = kube_event_decoder_feed(&s->dec, data, len, on_event, s, s->err);

	if (r < 0)
		s->failed = 1;
	return r != 0;
}

static void watch_path(struct kube_watch *kw, struct strbuf *sb, const char *path,
                       const struct kube_watch_opts *o, const char *rv, long timeout_s)
{
	char n[32];

	strbuf_addstr(sb, path);
	kube_path_add_query(sb, "watch", "1");
	kube_path_add_query(sb, "allowWatchBookmarks", "true");
	if (rv && *rv)
		kube_path_add_query(sb, "resourceVersion", rv);
	snprintf(n, sizeof(n), "%ld", timeout_s);
	kube_path_add_query(sb, "timeoutSeconds", n);
	if (o && o->label_selector && *o->label_selector)
		kube_path_add_query(sb, "labelSelector", o->label_selector);
	if (o && o->field_selector && *o->field_selector)
		kube_path_add_query(sb, "fieldSelector", o->field_selector);
}

/* TIMED_OUT or INTERRUPTED when the deadline passed or the stop flag is up, else 0. */
static int ended(struct kube_watch *kw, long long deadline_ms)
{
	if (deadline_ms && kube_monotonic_ms() >= deadline_ms)
		return KUBE_WATCH_TIMED_OUT;
	/* A zero sleep only reports whether the stop flag is raised. */
	if (kube_client_sleep(kw->kc, 0) < 0)
		return KUBE_WATCH_INTERRUPTED;
	return 0;
}

/* Why a request failed: the deadline, the stop flag, or a real error. */
static int failure_result(struct kube_watch *kw, long long deadline_ms)
{
	int r = ended(kw, deadline_ms);

	return r ? r : KUBE_WATCH_ERROR;
}

static int watch_stream(struct kube_watch *kw, const char *path, const struct kube_watch_opts *o,
                        const char *rv, struct stream_ctx *s, struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	long timeout_s = kw->timeout_s ? kw->timeout_s : 300 + (long)(next_random(kw) % 300);
	long long deadline = o ? o->deadline_ms : 0;
	int r;

	s->kw = kw;
	s->err = err;
	kube_event_decoder_init(&s->dec, 0);
	watch_path(kw, &sb, path, o, rv, timeout_s);
	kube_client_set_deadline(kw->kc, deadline);
	r = kube_stream(kw->kc, sb.buf, timeout_s * 1000 + STREAM_GRACE_MS, on_bytes, s, err);
	kube_client_set_deadline(kw->kc, 0);
	strbuf_release(&sb);
	if (r == 0 && kube_event_decoder_pending(&s->dec)) {
		errbuf_set(err, "the watch stream ended in the middle of an event");
		r = -1;
	}
	kube_event_decoder_release(&s->dec);

	if (s->user_stopped)
		return KUBE_WATCH_STOPPED;
	if (s->expired)
		return KUBE_WATCH_EXPIRED;
	if (s->failed)
		return KUBE_WATCH_ERROR;
	if (r == 0)
		return KUBE_WATCH_ENDED;
	if (err && err->code == 410)
		return KUBE_WATCH_EXPIRED;
	return failure_result(kw, deadline);
}

int kube_watch_once(struct kube_watch *kw, const char *path, const struct kube_watch_opts *o,
                    kube_event_fn *fn, void *data, struct errbuf *err)
{
	struct stream_ctx s = { .fn = fn, .data = data, .deliver_errors = 1 };

	return watch_stream(kw, path, o, o ? o->resource_version : NULL, &s, err);
}

/* ---- the LIST+WATCH loop ---- */

/* Sleeps the reconnect backoff, never past the deadline. */
static void backoff(struct kube_watch *kw, int failures, long long deadline_ms)
{
	long d = kw->base_ms;
	int i;

	for (i = 1; i < failures && d < kw->max_ms; i++)
		d *= 2;
	if (d > kw->max_ms)
		d = kw->max_ms;
	d = d / 2 + (long)(next_random(kw) % (uint64_t)(d / 2 + 1));
	if (deadline_ms) {
		long long left = deadline_ms - kube_monotonic_ms();

		if (left < d)
			d = left > 0 ? (long)left : 0;
	}
	kube_client_sleep(kw->kc, d);
}

/* Whether a failed request is worth another try: not a 4xx the server means. */
static int retryable(const struct errbuf *err)
{
	return !err || err->code == 0 || err->code == 429 || err->code >= 500;
}

static int list_and_deliver(struct kube_watch *kw, const char *path, const struct kube_watch_opts *o,
                            int resync, kube_event_fn *fn, void *data, struct errbuf *err)
{
	struct kube_list_opts lo = { 0 };
	struct kube_event ev = { KUBE_EVENT_LIST, NULL, resync };
	long long deadline = o ? o->deadline_ms : 0;
	int r;

	if (o) {
		lo.label_selector = o->label_selector;
		lo.field_selector = o->field_selector;
	}
	kube_client_set_deadline(kw->kc, deadline);
	r = kube_list(kw->kc, path, &lo, &ev.object, err);
	kube_client_set_deadline(kw->kc, 0);
	if (r < 0)
		return failure_result(kw, deadline);
	free(kw->rv);
	kw->rv = NULL;
	set_rv(kw, ev.object);
	r = fn(&ev, data);
	cJSON_Delete(ev.object);
	return r ? KUBE_WATCH_STOPPED : KUBE_WATCH_ENDED;
}

int kube_watch_follow(struct kube_watch *kw, const char *path, const struct kube_watch_opts *o,
                      kube_event_fn *fn, void *data, struct errbuf *err)
{
	long long deadline = o ? o->deadline_ms : 0;
	int need_list = 1, listed = 0, failures = 0, r;

	for (;;) {
		struct stream_ctx s = { .fn = fn, .data = data };

		r = ended(kw, deadline);
		if (r)
			return r;
		if (need_list) {
			r = list_and_deliver(kw, path, o, listed, fn, data, err);
			if (r == KUBE_WATCH_STOPPED || r == KUBE_WATCH_TIMED_OUT ||
			    r == KUBE_WATCH_INTERRUPTED)
				return r;
			if (r == KUBE_WATCH_ERROR) {
				if (!retryable(err) || ++failures >= kw->max_failures)
					return KUBE_WATCH_ERROR;
				backoff(kw, failures, deadline);
				continue;
			}
			need_list = 0;
			listed = 1;
		}
		r = watch_stream(kw, path, o, kw->rv, &s, err);
		if (s.events)
			failures = 0;
		switch (r) {
		case KUBE_WATCH_STOPPED:
		case KUBE_WATCH_TIMED_OUT:
		case KUBE_WATCH_INTERRUPTED:
			return r;
		case KUBE_WATCH_EXPIRED:
			need_list = 1;
			break;
		case KUBE_WATCH_ENDED:
			/* A stream the server closes at once, again and again, must not spin. */
			if (!s.events)
				backoff(kw, 1, deadline);
			break;
		default:
			if (!retryable(err) || ++failures >= kw->max_failures)
				return KUBE_WATCH_ERROR;
			backoff(kw, failures, deadline);
			break;
		}
	}
}

/* ---- following one object ---- */

struct object_ctx {
	const char *name;
	int (*pred)(const cJSON *obj, void *data);
	void *data;
	cJSON *last;
};

static cJSON *find_named(const cJSON *list, const char *name)
{
	const cJSON *it;

	cJSON_ArrayForEach (it, cJSON_GetObjectItemCaseSensitive(list, "items")) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(it, "metadata"), "name");

		if (cJSON_IsString(n) && !strcmp(n->valuestring, name))
			return (cJSON *)it;
	}
	return NULL;
}

static int on_object_event(struct kube_event *ev, void *p)
{
	struct object_ctx *c = p;
	const cJSON *obj;

	switch (ev->type) {
	case KUBE_EVENT_LIST:
		obj = find_named(ev->object, c->name);
		break;
	case KUBE_EVENT_ADDED:
	case KUBE_EVENT_MODIFIED:
		obj = ev->object;
		break;
	case KUBE_EVENT_DELETED:
		obj = NULL;
		break;
	default:
		return 0;
	}
	cJSON_Delete(c->last);
	c->last = obj ? cJSON_Duplicate(obj, 1) : NULL;
	return c->pred(obj, c->data) != 0;
}

int kube_watch_object(struct kube_watch *kw, const char *path, const char *name,
                      long long deadline_ms, int (*pred)(const cJSON *obj, void *data), void *data,
                      cJSON **last, struct errbuf *err)
{
	struct object_ctx c = { name, pred, data, NULL };
	struct kube_watch_opts o = { .deadline_ms = deadline_ms };
	struct strbuf sel = STRBUF_INIT;
	int r;

	strbuf_addf(&sel, "metadata.name=%s", name);
	o.field_selector = sel.buf;
	r = kube_watch_follow(kw, path, &o, on_object_event, &c, err);
	strbuf_release(&sel);
	if (last)
		*last = c.last;
	else
		cJSON_Delete(c.last);
	return r;
}
