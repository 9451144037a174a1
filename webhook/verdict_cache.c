#include "verdict_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "sync_window.h"
#include "xalloc.h"

/* Longer keys (names are at most 253 bytes, but servers are URLs) are
 * simply not cached. */
#define KEY_MAX 1024

struct slot {
	char *key; /* NULL when empty */
	size_t len;
	time_t from;
	struct timespec until;
	int value;
	char *text; /* a denial's message, or NULL */
};

struct verdict_cache {
	pthread_mutex_t lock;
	struct slot *slots; /* VERDICT_CACHE_SLOTS, allocated on first store */
};

struct verdict_cache *verdict_cache_new(void)
{
	struct verdict_cache *c = xcalloc(1, sizeof(*c));

	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void verdict_cache_free(struct verdict_cache *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; c->slots && i < VERDICT_CACHE_SLOTS; i++) {
		free(c->slots[i].key);
		free(c->slots[i].text);
	}
	free(c->slots);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* A key buffer: the key, then zeros up to the next multiple of 8. */
#define KEY_BUF (KEY_MAX + 8)

/* The key: the parts with their NULs (NULL as ""), then the tag.
 * Returns its length, or 0 when it does not fit. */
static size_t make_key(char *buf, const char *const *parts, size_t n, char tag)
{
	size_t len = 0, i;

	for (i = 0; i < n; i++) {
		const char *s = parts[i] ? parts[i] : "";
		size_t l = strlen(s) + 1;

		if (len + l >= KEY_MAX)
			return 0;
		memcpy(buf + len, s, l);
		len += l;
	}
	buf[len++] = tag;
	memset(buf + len, 0, 8);
	return len;
}

/* Eight bytes a step (the key is padded, see KEY_BUF): every request
 * hashes a key or two, of names and a server URL. */
static size_t slot_of(const char *key, size_t len)
{
	uint64_t h = len, w;

	for (size_t i = 0; i < len; i += 8) {
		memcpy(&w, key + i, 8);
		h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
		h ^= h >> 29;
	}
	h ^= h >> 32;
	return (size_t)(h % VERDICT_CACHE_SLOTS);
}

/* Whole seconds `now` before until. */
static int before(time_t now, const struct timespec *until)
{
	return now < until->tv_sec || (now == until->tv_sec && until->tv_nsec > 0);
}

static int lookup(struct verdict_cache *c, const char *const *parts, size_t n, char tag, time_t now,
                  int *value, struct strbuf *text)
{
	char key[KEY_BUF];
	size_t len = make_key(key, parts, n, tag);
	const struct slot *s;
	int hit = 0;

	if (!len)
		return 0;
	pthread_mutex_lock(&c->lock);
	if (c->slots) {
		s = &c->slots[slot_of(key, len)];
		if (s->key && s->len == len && !memcmp(s->key, key, len) && s->from <= now &&
		    before(now, &s->until)) {
			*value = s->value;
			if (text && s->text)
				strbuf_addstr(text, s->text);
			hit = 1;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return hit;
}

static void store(struct verdict_cache *c, const char *const *parts, size_t n, char tag,
                  time_t from, const struct timespec *until, int value, const char *text)
{
	char key[KEY_BUF];
	size_t len = make_key(key, parts, n, tag);
	char *copy;
	struct slot *s;

	if (!len || !before(from, until))
		return;
	copy = xmalloc(len);
	memcpy(copy, key, len);
	pthread_mutex_lock(&c->lock);
	if (!c->slots)
		c->slots = xcalloc(VERDICT_CACHE_SLOTS, sizeof(*c->slots));
	s = &c->slots[slot_of(key, len)];
	free(s->key);
	free(s->text);
	s->text = text ? xstrdup(text) : NULL;
	s->key = copy;
	s->len = len;
	s->from = from;
	s->until = *until;
	s->value = value;
	pthread_mutex_unlock(&c->lock);
}

int verdict_cache_lookup(struct verdict_cache *c, const char *const *parts, size_t n, char tag,
                         time_t now, int *value)
{
	return lookup(c, parts, n, tag, now, value, NULL);
}

void verdict_cache_store(struct verdict_cache *c, const char *const *parts, size_t n, char tag,
                         time_t from, const struct timespec *until, int value)
{
	store(c, parts, n, tag, from, until, value, NULL);
}

int verdict_cache_get(struct verdict_cache *c, const struct window_app *app, int manual, time_t now,
                      int *allowed)
{
	const char *parts[] = { app->name, app->dest_name, app->dest_server, app->dest_namespace };

	return verdict_cache_lookup(c, parts, 4, manual ? 'm' : 'a', now, allowed);
}

void verdict_cache_put(struct verdict_cache *c, const struct window_app *app, int manual,
                       time_t from, const struct timespec *until, int allowed)
{
	const char *parts[] = { app->name, app->dest_name, app->dest_server, app->dest_namespace };

	verdict_cache_store(c, parts, 4, manual ? 'm' : 'a', from, until, allowed);
}

int verdict_cache_get_denial(struct verdict_cache *c, const struct window_app *app, int manual,
                             time_t now, struct strbuf *msg)
{
	const char *parts[] = { app->name, app->dest_name, app->dest_server, app->dest_namespace };
	int denied;

	return lookup(c, parts, 4, manual ? 'M' : 'A', now, &denied, msg);
}

void verdict_cache_put_denial(struct verdict_cache *c, const struct window_app *app, int manual,
                              time_t from, const struct timespec *until, const char *msg)
{
	const char *parts[] = { app->name, app->dest_name, app->dest_server, app->dest_namespace };

	store(c, parts, 4, manual ? 'M' : 'A', from, until, 1, msg);
}
