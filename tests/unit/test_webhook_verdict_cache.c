#include "tap.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sync_window.h"
#include "strbuf.h"
#include "verdict_cache.h"

static const struct window_app app1 = { "app1", "", "https://kubernetes.default.svc", "public" };

static const struct {
	const char *what;
	struct window_app app;
	int manual;
	time_t now;
	int hit, allowed;
} cases[] = {
	{ "the same key inside the interval",
	  { "app1", "", "https://kubernetes.default.svc", "public" },
	  1,
	  150,
	  1,
	  1 },
	{ "at the start of the interval",
	  { "app1", "", "https://kubernetes.default.svc", "public" },
	  1,
	  100,
	  1,
	  1 },
	{ "before the interval", { "app1", "", "https://kubernetes.default.svc", "public" }, 1, 99, 0, 0 },
	{ "at its end (exclusive)",
	  { "app1", "", "https://kubernetes.default.svc", "public" },
	  1,
	  200,
	  0,
	  0 },
	{ "automated is another key",
	  { "app1", "", "https://kubernetes.default.svc", "public" },
	  0,
	  150,
	  0,
	  0 },
	{ "another name", { "app2", "", "https://kubernetes.default.svc", "public" }, 1, 150, 0, 0 },
	{ "another namespace", { "app1", "", "https://kubernetes.default.svc", "other" }, 1, 150, 0, 0 },
	{ "strings are not run together",
	  { "app1", "https://kubernetes.default.svc", "", "public" },
	  1,
	  150,
	  0,
	  0 },
	{ "a NULL field is an empty one",
	  { "app1", NULL, "https://kubernetes.default.svc", "public" },
	  1,
	  150,
	  1,
	  1 },
};

struct hammer {
	struct verdict_cache *c;
	int bad;
};

static void *hammer(void *arg)
{
	struct hammer *h = arg;
	struct timespec until = { 1000, 0 };
	char name[32];
	int i, allowed;

	for (i = 0; i < 20000; i++) {
		struct window_app a = { name, "", "s", "ns" };

		snprintf(name, sizeof(name), "app-%d", i % 300);
		if (verdict_cache_get(h->c, &a, i & 1, 500, &allowed) && allowed != (i % 300) % 2)
			h->bad++;
		verdict_cache_put(h->c, &a, i & 1, 400, &until, (i % 300) % 2);
	}
	return NULL;
}

int main(void)
{
	struct verdict_cache *c = verdict_cache_new();
	struct timespec until = { 200, 0 }, half = { 300, 500000000 }, empty = { 50, 0 };
	struct hammer h[2] = { { 0, 0 }, { 0, 0 } };
	pthread_t t[2];
	char long_name[2000];
	int allowed = -1;
	size_t i;

	ok(!verdict_cache_get(c, &app1, 1, 150, &allowed), "an empty cache has nothing");
	verdict_cache_put(c, &app1, 1, 100, &until, 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int hit;

		allowed = -1;
		hit = verdict_cache_get(c, &cases[i].app, cases[i].manual, cases[i].now, &allowed);
		ok(hit == cases[i].hit && (!hit || allowed == cases[i].allowed), "%s", cases[i].what);
	}

	verdict_cache_put(c, &app1, 1, 250, &half, 0);
	ok(verdict_cache_get(c, &app1, 1, 300, &allowed) && allowed == 0,
	   "a newer verdict replaces the old; an end with nanoseconds covers its second");
	ok(!verdict_cache_get(c, &app1, 1, 150, &allowed), "the old interval is gone");
	verdict_cache_put(c, &app1, 0, 60, &empty, 1);
	ok(!verdict_cache_get(c, &app1, 0, 60, &allowed), "an empty interval is not stored");

	{
		const char *parts[] = { "https://kubernetes.default.svc", NULL, "shop" };
		struct timespec forever = { INT64_MAX, 0 };
		int v = -1;

		verdict_cache_store(c, parts, 3, 'B', 0, &forever, 0);
		ok(verdict_cache_lookup(c, parts, 3, 'B', 0, &v) && v == 0,
		   "a general key is found");
		ok(!verdict_cache_lookup(c, parts, 3, 'D', 0, &v), "another tag is another key");
		ok(!verdict_cache_lookup(c, parts, 2, 'B', 0, &v), "fewer parts are another key");
	}

	/* Keys are hashed eight bytes at a time: lengths around every word
	 * boundary, keys that differ in their last byte, the longest key. */
	{
		struct verdict_cache *k = verdict_cache_new();
		struct timespec forever = { INT64_MAX, 0 };
		char key[1100];
		const char *parts[] = { key };
		int v, wrong = 0, found = 0;

		for (size_t n = 0; n < 40; n++)
			for (char last = 'a'; last <= 'b'; last++) {
				memset(key, 'k', n);
				key[n] = last;
				key[n + 1] = '\0';
				verdict_cache_store(k, parts, 1, 't', 0, &forever, (int)n * 2 + last);
			}
		for (size_t n = 0; n < 40; n++)
			for (char last = 'a'; last <= 'b'; last++) {
				memset(key, 'k', n);
				key[n] = last;
				key[n + 1] = '\0';
				if (verdict_cache_lookup(k, parts, 1, 't', 0, &v)) {
					found++;
					wrong += v != (int)n * 2 + last;
				}
			}
		ok(found > 0 && !wrong, "keys of 1 to 40 bytes: %d of 80 kept, none confused", found);
		memset(key, 'z', 1022);
		key[1022] = '\0';
		verdict_cache_store(k, parts, 1, 't', 0, &forever, 7);
		ok(verdict_cache_lookup(k, parts, 1, 't', 0, &v) && v == 7, "the longest key kept");
		key[1021] = 'y';
		ok(!verdict_cache_lookup(k, parts, 1, 't', 0, &v), "its last byte counts");
		memset(key, 'z', 1023);
		key[1023] = '\0';
		verdict_cache_store(k, parts, 1, 't', 0, &forever, 8);
		ok(!verdict_cache_lookup(k, parts, 1, 't', 0, &v), "one byte more is too long");
		verdict_cache_free(k);
	}

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	{
		struct window_app a = { long_name, "", "s", "ns" };

		verdict_cache_put(c, &a, 1, 100, &until, 1);
		ok(!verdict_cache_get(c, &a, 1, 150, &allowed), "a key too long is not cached");
	}

	{
		struct strbuf msg = STRBUF_INIT;

		ok(!verdict_cache_get_denial(c, &app1, 1, 150, &msg) && !msg.len,
		   "no denial is cached yet");
		verdict_cache_put_denial(c, &app1, 1, 100, &until, "blocked by deny window 0");
		ok(verdict_cache_get_denial(c, &app1, 1, 150, &msg),
		   "a denial is found inside its span");
		is_str(msg.buf, "blocked by deny window 0", "with the message that explains it");
		strbuf_reset(&msg);
		ok(!verdict_cache_get_denial(c, &app1, 1, 200, &msg) && !msg.len,
		   "not at the instant the verdict may change");
		ok(!verdict_cache_get_denial(c, &app1, 0, 150, &msg),
		   "an automated sync's denial is another key");
		strbuf_release(&msg);
	}

	h[0].c = h[1].c = c;
	pthread_create(&t[0], NULL, hammer, &h[0]);
	pthread_create(&t[1], NULL, hammer, &h[1]);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	ok(h[0].bad == 0 && h[1].bad == 0,
	   "two threads storing and looking up never see another key's verdict");
	verdict_cache_free(c);
	verdict_cache_free(NULL);
	return tap_done();
}
