/*
 * json_arena_portable.h - the portable build of shared/json_arena.c
 * (JSON_ARENA_NO_SIMD: no SSE2 string scanner) under the names
 * portable_parse, portable_parse_except, portable_parse_prefix, ..., next
 * to the library's own, so that a test or fuzz target compares both on
 * any machine.  Include it once, before json_arena.h.
 */
#ifndef JSON_ARENA_PORTABLE_H
#define JSON_ARENA_PORTABLE_H

#define JSON_ARENA_NO_SIMD
#define json_arena_parse portable_parse
#define json_arena_parse_except portable_parse_except
#define json_arena_parse_prefix portable_parse_prefix
#define json_arena_parse_deferring portable_parse_deferring
#define json_arena_expand portable_expand
#define json_arena_new portable_new
#define json_arena_append portable_append
#define json_arena_copy portable_copy
#define json_arena_copy_size portable_copy_size
#include "json_arena.c"
#undef json_arena_parse
#undef json_arena_parse_except
#undef json_arena_parse_prefix
#undef json_arena_parse_deferring
#undef json_arena_expand
#undef json_arena_new
#undef json_arena_append
#undef json_arena_copy
#undef json_arena_copy_size
#undef JSON_ARENA_NO_SIMD
#undef JSON_ARENA_H
#include "json_arena.h"

#endif
