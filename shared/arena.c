#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "xalloc.h"

#define DEFAULT_CHUNK (64 * 1024)
#define ALIGN alignof(max_align_t)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used; /* of data[] */
	alignas(max_align_t) unsigned char data[];
};

void arena_init(struct arena *a, size_t chunk_size)
{
	a->head = NULL;
	a->chunk_size = chunk_size ? chunk_size : DEFAULT_CHUNK;
	a->used = 0;
}

static void free_chunks(struct arena_chunk *c)
{
	while (c) {
		struct arena_chunk *next = c->next;

		free(c);
		c = next;
	}
}

void arena_release(struct arena *a)
{
	free_chunks(a->head);
	a->head = NULL;
	a->used = 0;
}

void arena_reset(struct arena *a)
{
	struct arena_chunk *keep = NULL, **p = &a->head;

	/* Keep the first normal-sized chunk; oversized ones served one big request. */
	while (*p) {
		struct arena_chunk *c = *p;

		if (!keep && c->size == a->chunk_size) {
			*p = c->next;
			keep = c;
			continue;
		}
		p = &c->next;
	}
	free_chunks(a->head);
	a->head = keep;
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
	}
	a->used = 0;
}

static struct arena_chunk *new_chunk(struct arena *a, size_t need)
{
	size_t size = need > a->chunk_size ? need : a->chunk_size;
	struct arena_chunk *c;

	if (size > SIZE_MAX - sizeof(*c))
		xmalloc(SIZE_MAX); /* aborts with xalloc's message */
	c = xmalloc(sizeof(*c) + size);
	c->size = size;
	c->used = 0;
	return c;
}

/* size bytes at a multiple of align (a power of two) from a's chunks. */
static void *bump(struct arena *a, size_t size, size_t align)
{
	struct arena_chunk *c = a->head, *n;
	size_t off;

	if (c) {
		off = (c->used + align - 1) & ~(align - 1);
		if (off <= c->size && c->size - off >= size) {
			c->used = off + size;
			a->used += size;
			return c->data + off;
		}
	}
	n = new_chunk(a, size);
	n->used = size;
	a->used += size;
	/* A one-off big chunk goes behind the current one, which stays in use. */
	if (c && size > a->chunk_size) {
		n->next = c->next;
		c->next = n;
	} else {
		n->next = c;
		a->head = n;
	}
	return n->data;
}

void *arena_alloc(struct arena *a, size_t size)
{
	return bump(a, size ? size : 1, ALIGN);
}

void *arena_calloc(struct arena *a, size_t size)
{
	return memset(arena_alloc(a, size), 0, size);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		xmalloc(SIZE_MAX);
	p = bump(a, n + 1, 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}
