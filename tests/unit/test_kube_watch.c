/*
 * Watches: the event decoder on its own (split anywhere, bad input), then
 * the watch loops against tests/lib/kubetest_server.py: events, bookmarks,
 * a dropped stream, 410 (as an ERROR event and as an HTTP status), waiting
 * for one object, the deadline and the stop flag.
 */
#include "tap.h"
#include "kubetest.h"

#include <stdlib.h>

#include "errbuf.h"
#include "kube_client.h"
#include "kube_watch.h"
#include "rest_config.h"
#include "strbuf.h"
#include "xalloc.h"

static struct kubetest kt;

#define ROLLOUTS "/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts"
#define EXPIRING "/apis/argoproj.io/v1alpha1/namespaces/gone/rollouts"
#define APPS "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications"
#define DENIED "/apis/argoproj.io/v1alpha1/namespaces/denied/rollouts"

/* JSON with ' for "; see unquote(). */
static const char script[] =
	"{'routes': ["
	/* follow: list rv 100, watch, drop, ERROR 410, relist rv 200, watch */
	"  {'path': '" ROLLOUTS
	"', 'query': {'watch': '1', 'resourceVersion': '100'}, 'responses': [{'stream': ["
	"    {'data': {'type': 'ADDED', 'object': {'metadata': {'name': 'b', 'resourceVersion': "
	"'101'}}}},"
	"    {'data': '{\\'type\\': \\'MODIFIED\\', \\'object\\': {\\'metadata\\': {\\'name\\': "
	"\\'a\\', ', 'delay': 0.05},"
	"    {'data': '\\'resourceVersion\\': \\'102\\'}}}\\n', 'delay': 0.05},"
	"    {'data': '{\\'type\\': \\'MODIFIED\\', \\'object\\': {\\'metadata\\': {\\'name\\': "
	"\\'b\\', \\'resourceVersion\\': \\'103\\'}}}\\n"
	"{\\'type\\': \\'BOOKMARK\\', \\'object\\': {\\'metadata\\': {\\'resourceVersion\\': "
	"\\'105\\'}}}\\n'}],"
	"    'drop': true}]},"
	"  {'path': '" ROLLOUTS
	"', 'query': {'watch': '1', 'resourceVersion': '105'}, 'responses': [{'stream': ["
	"    {'data': {'type': 'ERROR', 'object': {'kind': 'Status', 'apiVersion': 'v1', 'status': "
	"'Failure',"
	"     'message': 'too old resource version: 105 (150)', 'reason': 'Expired', 'code': "
	"410}}}]}]},"
	"  {'path': '" ROLLOUTS
	"', 'query': {'watch': '1', 'resourceVersion': '200'}, 'responses': [{'stream': ["
	"    {'data': {'type': 'MODIFIED', 'object': {'metadata': {'name': 'a', 'resourceVersion': "
	"'201'}}}}],"
	"    'hold': 10}]},"
	"  {'path': '" ROLLOUTS "', 'responses': ["
	"    {'list': {'kind': 'RolloutList', 'resourceVersion': '100', 'items': [{'metadata': "
	"{'name': 'a'}}]}},"
	"    {'list': {'kind': 'RolloutList', 'resourceVersion': '200', 'items': ["
	"      {'metadata': {'name': 'a'}}, {'metadata': {'name': 'b'}}]}}]},"
	/* an HTTP 410 on the watch request */
	"  {'path': '" EXPIRING
	"', 'query': {'watch': '1', 'resourceVersion': '300'}, 'responses': [{'status': 410,"
	"    'status_error': {'reason': 'Gone', 'message': 'too old resource version: 300 "
	"(400)'}}]},"
	"  {'path': '" EXPIRING
	"', 'query': {'watch': '1', 'resourceVersion': '400'}, 'responses': [{'stream': ["
	"    {'data': {'type': 'ADDED', 'object': {'metadata': {'name': 'c', 'resourceVersion': "
	"'401'}}}}], 'hold': 10}]},"
	"  {'path': '" EXPIRING "', 'responses': ["
	"    {'list': {'resourceVersion': '300', 'items': []}},"
	"    {'list': {'resourceVersion': '400', 'items': []}}]},"
	/* one object: app1 becomes Healthy; app2 never does */
	"  {'path': '" APPS "', 'query': {'watch': '1', 'fieldSelector': 'metadata.name=app1'}, "
	"'responses': [{'stream': ["
	"    {'data': {'type': 'MODIFIED', 'object': {'metadata': {'name': 'app1', "
	"'resourceVersion': '11'},"
	"      'status': {'health': 'Progressing'}}}, 'delay': 0.05},"
	"    {'data': {'type': 'MODIFIED', 'object': {'metadata': {'name': 'app1', "
	"'resourceVersion': '12'},"
	"      'status': {'health': 'Healthy'}}}, 'delay': 0.05}], 'hold': 10}]},"
	"  {'path': '" APPS "', 'query': {'watch': '1', 'fieldSelector': "
	"'metadata.name=gone-app'}, 'responses': [{'stream': ["
	"    {'data': {'type': 'DELETED', 'object': {'metadata': {'name': 'gone-app', "
	"'resourceVersion': '21'}}}}],"
	"    'hold': 10}]},"
	"  {'path': '" APPS
	"', 'query': {'watch': '1'}, 'responses': [{'stream': [], 'hold': 10}]},"
	"  {'path': '" APPS "', 'responses': [{'list': {'resourceVersion': '10', 'items': ["
	"    {'metadata': {'name': 'app1'}, 'status': {'health': 'Progressing'}},"
	"    {'metadata': {'name': 'app2'}, 'status': {'health': 'Degraded'}},"
	"    {'metadata': {'name': 'gone-app'}, 'status': {'health': 'Healthy'}}]}}]},"
	"  {'path': '" DENIED
	"', 'responses': [{'status': 403, 'status_error': {'reason': 'Forbidden',"
	"    'message': 'rollouts.argoproj.io is forbidden: User \\'x\\' cannot list resource "
	"\\'rollouts\\''}}]}"
	"]}";

static char *unquote(const char *s)
{
	char *out = xstrdup(s), *p;

	for (p = out; *p; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

/* ---- the decoder on its own ---- */

static int record(struct kube_event *ev, void *data)
{
	static const char *const names[] = { "ADDED",    "MODIFIED", "DELETED",
		                             "BOOKMARK", "ERROR",    "LIST" };
	struct strbuf *sb = data;
	const cJSON *meta = cJSON_GetObjectItem(ev->object, "metadata");
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(meta, "name"));
	const char *rv = cJSON_GetStringValue(cJSON_GetObjectItem(meta, "resourceVersion"));

	strbuf_addf(sb, "%s%s", sb->len ? " " : "", names[ev->type]);
	if (ev->type == KUBE_EVENT_LIST) {
		const cJSON *it;

		strbuf_addf(sb, "%d(", ev->resync);
		cJSON_ArrayForEach (it, cJSON_GetObjectItem(ev->object, "items"))
			strbuf_addf(sb, "%s%s",
			            it == cJSON_GetObjectItem(ev->object, "items")->child ? "" : ",",
			            cJSON_GetStringValue(cJSON_GetObjectItem(
					    cJSON_GetObjectItem(it, "metadata"), "name")));
		strbuf_addch(sb, ')');
	} else if (name) {
		strbuf_addf(sb, "(%s)", name);
	}
	if (rv)
		strbuf_addf(sb, "@%s", rv);
	return 0;
}

static void test_decoder(void)
{
	static const char stream[] =
		"{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a}\\\"{[\","
		"\"resourceVersion\":\"1\"}}}\n"
		"{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"b\","
		"\"resourceVersion\":\"2\"},\"x\":[{},[]]}}"
		"{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"3\"}}}\r\n";
	static const char want[] = "ADDED(a}\"{[)@1 MODIFIED(b)@2 BOOKMARK@3";
	static const struct {
		const char *input, *why;
	} bad[] = {
		{ "[1,2]\n", "a value that is not an object" },
		{ "{\"type\":\"NOPE\",\"object\":{}}\n", "an unknown event type" },
		{ "{\"type\":\"ADDED\"}\n", "an event without an object" },
		{ "{\"type\":\"ADDED\",\"object\":{}}x", "garbage after an event" },
		{ "{\"type\" \"ADDED\"}", "an object that is not JSON" },
		{ "{\"type\":\"ADDED\",\"object\":{\"data\":\""
		  "0123456789012345678901234567890123456789"
		  "0123456789012345678901234567890123456789\"}}",
		  "an event over the size limit" },
	};
	struct kube_event_decoder d;
	struct strbuf got = STRBUF_INIT;
	struct errbuf err;
	size_t n = strlen(stream), i;
	int all_ok = 1, r;

	for (i = 0; i <= n; i++) {
		strbuf_reset(&got);
		kube_event_decoder_init(&d, 0);
		r = kube_event_decoder_feed(&d, stream, i, record, &got, &err);
		r |= kube_event_decoder_feed(&d, stream + i, n - i, record, &got, &err);
		if (r || strcmp(got.buf, want) || kube_event_decoder_pending(&d)) {
			all_ok = 0;
			printf("# split at %zu: %s\n", i, got.buf);
		}
		kube_event_decoder_release(&d);
	}
	ok(all_ok, "events split at any byte decode the same");

	strbuf_reset(&got);
	kube_event_decoder_init(&d, 0);
	for (i = 0, r = 0; i < n && !r; i++)
		r = kube_event_decoder_feed(&d, stream + i, 1, record, &got, &err);
	is_str(got.buf, want, "events fed byte by byte");
	kube_event_decoder_release(&d);

	strbuf_reset(&got);
	kube_event_decoder_init(&d, 0);
	kube_event_decoder_feed(&d, "{\"type\":\"ADDED\",\"obj", 20, record, &got, &err);
	ok(kube_event_decoder_pending(&d) && got.len == 0, "half an event is kept pending");
	kube_event_decoder_release(&d);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strbuf_reset(&got);
		kube_event_decoder_init(&d, 64);
		errbuf_clear(&err);
		r = kube_event_decoder_feed(&d, bad[i].input, strlen(bad[i].input), record, &got,
		                            &err);
		ok(r == -1 && err.msg[0], "rejected: %s (%s)", bad[i].why, err.msg);
		kube_event_decoder_release(&d);
	}
	strbuf_release(&got);
}

/* ---- against the server ---- */

static void rc_init(struct rest_config *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->server = xstrdup(kt.url);
	rc->ca_pem = kubetest_read(&kt, "ca.crt", &rc->ca_pem_len);
	rc->namespace = xstrdup("ns");
}

struct follow_state {
	struct strbuf seen;
	const char *stop_at_rv;
};

static int follow_cb(struct kube_event *ev, void *data)
{
	struct follow_state *st = data;
	const char *rv = cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(ev->object, "metadata"), "resourceVersion"));

	record(ev, &st->seen);
	return rv && !strcmp(rv, st->stop_at_rv);
}

static void test_follow(struct kube_watch *kw)
{
	struct follow_state st = { STRBUF_INIT, "201" };
	struct errbuf err;
	const cJSON *e;
	cJSON *log;
	int r, i, n;

	r = kube_watch_follow(kw, ROLLOUTS, NULL, follow_cb, &st, &err);
	is_int(r, KUBE_WATCH_STOPPED, "follow: stopped by the callback (%s)", r < 0 ? err.msg : "");
	is_str(st.seen.buf,
	       "LIST0(a)@100 ADDED(b)@101 MODIFIED(a)@102 MODIFIED(b)@103 BOOKMARK@105 "
	       "LIST1(a,b)@200 MODIFIED(a)@201",
	       "follow: list, events split and merged across chunks, bookmark, resync after 410");
	is_str(kube_watch_resource_version(kw), "201", "the last resourceVersion is kept");
	strbuf_release(&st.seen);

	log = kubetest_log(&kt);
	n = kubetest_count(log, "GET", ROLLOUTS);
	is_int(n, 5, "follow: list, watch, re-watch, relist, watch");
	{
		static const char *const want[][2] = {
			{ NULL, NULL }, { "1", "100" }, { "1", "105" },
			{ NULL, NULL }, { "1", "200" },
		};

		for (i = 0; i < n && i < 5; i++) {
			e = kubetest_nth(log, ROLLOUTS, i);
			is_str(kubetest_field(e, "query.watch"), want[i][0], "request %d watch", i);
			is_str(kubetest_field(e, "query.resourceVersion"), want[i][1],
			       "request %d resourceVersion", i);
		}
		e = kubetest_nth(log, ROLLOUTS, 2);
		is_str(kubetest_field(e, "query.allowWatchBookmarks"), "true", "bookmarks asked for");
		ok(kubetest_field(e, "query.timeoutSeconds") != NULL, "timeoutSeconds sent");
		is_str(kubetest_field(kubetest_nth(log, ROLLOUTS, 0), "query.limit"), "500",
		       "the LIST is paged");
	}
	cJSON_Delete(log);

	st.stop_at_rv = "401";
	strbuf_init(&st.seen, 0);
	r = kube_watch_follow(kw, EXPIRING, NULL, follow_cb, &st, &err);
	is_int(r, KUBE_WATCH_STOPPED, "follow: HTTP 410 on the watch");
	is_str(st.seen.buf, "LIST0()@300 LIST1()@400 ADDED(c)@401", "follow: HTTP 410 relists");
	strbuf_release(&st.seen);

	st.stop_at_rv = "never";
	strbuf_init(&st.seen, 0);
	r = kube_watch_follow(kw, DENIED, NULL, follow_cb, &st, &err);
	ok(r == KUBE_WATCH_ERROR && err.code == 403, "follow: 403 is not retried");
	is_str(err.msg,
	       "rollouts.argoproj.io is forbidden: User \"x\" cannot list resource \"rollouts\"",
	       "follow: and its Status is reported");
	ok(st.seen.len == 0, "follow: nothing delivered on error");
	strbuf_release(&st.seen);
}

static void test_once(struct kube_watch *kw)
{
	struct kube_watch_opts o = { .resource_version = "105" };
	struct strbuf seen = STRBUF_INIT;
	struct errbuf err;
	int r;

	r = kube_watch_once(kw, ROLLOUTS, &o, record, &seen, &err);
	is_int(r, KUBE_WATCH_EXPIRED, "once: an ERROR 410 event means expired");
	is_str(seen.buf, "ERROR", "once: the ERROR event is delivered");
	strbuf_release(&seen);
}

static int healthy(const cJSON *obj, void *data)
{
	const char *h = cJSON_GetStringValue(
		cJSON_GetObjectItem(cJSON_GetObjectItem(obj, "status"), "health"));

	(*(int *)data)++;
	return h && !strcmp(h, "Healthy");
}

static int absent(const cJSON *obj, void *data)
{
	return obj == NULL;
}

static int raise_stop(const cJSON *obj, void *data)
{
	*(volatile sig_atomic_t *)data = 1;
	return 0;
}

static void test_object(struct kube_watch *kw)
{
	static volatile sig_atomic_t stop;
	struct errbuf err;
	cJSON *last = NULL, *log;
	int calls = 0, r;

	r = kube_watch_object(kw, APPS, "app1", 0, healthy, &calls, &last, &err);
	is_int(r, KUBE_WATCH_STOPPED, "object: the predicate became true");
	is_int(calls, 3, "object: checked on the list and on each change");
	is_str(cJSON_GetStringValue(
		       cJSON_GetObjectItem(cJSON_GetObjectItem(last, "status"), "health")),
	       "Healthy", "object: the last state is handed back");
	cJSON_Delete(last);
	log = kubetest_log(&kt);
	is_str(kubetest_field(kubetest_nth(log, APPS, 0), "query.fieldSelector"),
	       "metadata.name=app1", "object: selected by name");
	cJSON_Delete(log);

	r = kube_watch_object(kw, APPS, "gone-app", 0, absent, NULL, &last, &err);
	ok(r == KUBE_WATCH_STOPPED && last == NULL, "object: waiting for deletion ends on DELETED");

	calls = 0;
	r = kube_watch_object(kw, APPS, "app2", kube_monotonic_ms() + 1500, healthy, &calls, &last,
	                      &err);
	is_int(r, KUBE_WATCH_TIMED_OUT, "object: the deadline gives timed out");
	is_str(cJSON_GetStringValue(
		       cJSON_GetObjectItem(cJSON_GetObjectItem(last, "status"), "health")),
	       "Degraded", "object: with the state seen last");
	cJSON_Delete(last);

	kube_watch_set_stop_flag(kw, &stop);
	r = kube_watch_object(kw, APPS, "app2", kube_monotonic_ms() + 5000, raise_stop,
	                      (void *)&stop, NULL, &err);
	is_int(r, KUBE_WATCH_INTERRUPTED, "object: the stop flag interrupts the watch");
	kube_watch_set_stop_flag(kw, NULL);
}

int main(void)
{
	struct rest_config rc;
	struct kube_watch *kw;
	struct errbuf err;
	char *json;

	test_decoder();
	json = unquote(script);
	if (kubetest_init(&kt) < 0 || kubetest_start(&kt, json, 1) < 0) {
		ok(0, "test server started (run from the top of the tree)");
		free(json);
		kubetest_cleanup(&kt);
		return tap_done();
	}
	free(json);
	rc_init(&rc);
	kw = kube_watch_new(&rc, &err);
	ok(kw != NULL, "watch created");
	kube_watch_set_reconnect(kw, 10, 50, 3);
	kube_watch_set_timeout_seconds(kw, 30);

	test_follow(kw);
	test_once(kw);
	test_object(kw);

	kube_watch_free(kw);
	rest_config_release(&rc);
	kubetest_cleanup(&kt);
	return tap_done();
}
