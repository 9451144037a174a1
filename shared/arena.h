/*
 * arena.h - a bump allocator: many small allocations, freed all at once.
 *
 * For data whose pieces all die together (one request's parsed JSON, one
 * AppProject's compact copy): an allocation is a pointer bump inside a
 * chunk, there is no per-object free, and arena_reset() makes the memory
 * reusable without returning it to malloc.  Not thread-safe: an arena
 * belongs to one thread at a time.
 *
 * Ownership: the arena owns every chunk; pointers it returned are valid
 * until arena_reset() or arena_release().  Allocation failure aborts, as
 * with xmalloc().
 */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head; /* the chunk being filled; older ones follow */
	size_t chunk_size; /* the size of a normal chunk */
	size_t used; /* bytes handed out since the last reset */
};

#define ARENA_INIT(size)        \
	{                       \
		NULL, (size), 0 \
	}

/* chunk_size 0 picks a default (64 KiB). */
void arena_init(struct arena *a, size_t chunk_size);
/* Frees every chunk; the arena is empty and usable again. */
void arena_release(struct arena *a);
/* Forgets every allocation but keeps one normal chunk for reuse, so a
 * request-sized arena settles at one chunk and stops calling malloc. */
void arena_reset(struct arena *a);

/* size bytes aligned for any type (max_align_t). */
void *arena_alloc(struct arena *a, size_t size);
/* Zeroed. */
void *arena_calloc(struct arena *a, size_t size);
/* A NUL-terminated copy of the n bytes at s. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);

#endif
