/*
 * fuzz_json_arena.c - libFuzzer target: the input is a JSON text for the
 * arena parser.  The library's build (with the SSE2 string scanner on
 * x86-64) and the portable one (JSON_ARENA_NO_SIMD) must give the same
 * tree or the same error; skip paths must not change whether, or where,
 * a text is refused; and nothing may read outside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "errbuf.h"

/* The portable build under other names, next to the library's. */
#include "../lib/json_arena_portable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef cJSON *except_fn(struct arena *, char *, size_t, const char *const *const *, struct errbuf *);

static const char *const status[] = { "request", "object", "status", NULL };
static const char *const managed[] = { "request", "object", "metadata", "managedFields", NULL };
static const char *const top[] = { "a", NULL };
static const char *const *const skip[] = { status, managed, top, NULL };

/* The tree printed, or the error, of data parsed from a copy of exactly
 * size bytes (malloc'd). */
static char *outcome(except_fn *parse, const uint8_t *data, size_t size,
                     const char *const *const *paths, int *parsed)
{
	struct arena a = ARENA_INIT(0);
	struct errbuf err;
	char *buf = malloc(size ? size : 1), *out;
	cJSON *t;

	memcpy(buf, data, size);
	errbuf_clear(&err);
	t = parse(&a, buf, size, paths, &err);
	*parsed = t != NULL;
	out = t ? cJSON_PrintUnformatted(t) : strdup(err.msg);
	if (!out)
		abort();
	arena_release(&a);
	free(buf);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int lib_ok, port_ok, lib_skip_ok, port_skip_ok;
	char *lib = outcome(json_arena_parse_except, data, size, NULL, &lib_ok);
	char *port = outcome(portable_parse_except, data, size, NULL, &port_ok);
	char *lib_skip = outcome(json_arena_parse_except, data, size, skip, &lib_skip_ok);
	char *port_skip = outcome(portable_parse_except, data, size, skip, &port_skip_ok);

	if (lib_ok != port_ok || strcmp(lib, port))
		abort();
	if (lib_skip_ok != port_skip_ok || strcmp(lib_skip, port_skip))
		abort();
	if (lib_skip_ok != lib_ok || (!lib_ok && strcmp(lib_skip, lib)))
		abort();
	free(lib);
	free(port);
	free(lib_skip);
	free(port_skip);
	return 0;
}
