#include "tap.h"

#include <stdint.h>
#include <stdlib.h>

#include "arena.h"

static int aligned(const void *p)
{
	return ((uintptr_t)p % _Alignof(max_align_t)) == 0;
}

int main(void)
{
	struct arena a;
	char *s, *big, *after;
	void *p, *q;
	int all_aligned = 1, intact = 1;

	arena_init(&a, 256);
	s = arena_strndup(&a, "hello world", 5);
	is_str(s, "hello", "strndup copies n bytes and terminates");
	for (int i = 0; i < 100; i++) {
		p = arena_alloc(&a, (size_t)(i % 7) + 1);
		all_aligned &= aligned(p);
		arena_strdup(&a, "x");
	}
	ok(all_aligned, "allocations are aligned for any type, also after strings");
	big = arena_alloc(&a, 10000);
	memset(big, 'b', 10000);
	after = arena_strdup(&a, "after the big one");
	is_str(after, "after the big one", "an oversized allocation does not end the chunk");
	for (int i = 0; i < 10000; i++)
		intact &= big[i] == 'b';
	ok(intact, "the oversized allocation is not overwritten");
	is_str(s, "hello", "earlier allocations stay valid");
	ok(a.used >= 10000 + 5, "used counts the bytes handed out");
	q = arena_calloc(&a, 64);
	ok(((char *)q)[0] == 0 && ((char *)q)[63] == 0, "calloc zeroes");
	arena_reset(&a);
	is_int(a.used, 0, "reset forgets every allocation");
	ok(a.head != NULL, "reset keeps a chunk for reuse");
	p = arena_alloc(&a, 16);
	ok(p != NULL, "the arena is usable after a reset");
	ok(arena_alloc(&a, 0) != NULL, "a zero-sized allocation is a valid pointer");
	arena_release(&a);
	ok(a.head == NULL, "release frees every chunk");
	arena_init(&a, 0);
	ok(a.chunk_size > 0, "chunk size 0 picks a default");
	is_str(arena_strdup(&a, ""), "", "empty string");
	arena_release(&a);
	return tap_done();
}
