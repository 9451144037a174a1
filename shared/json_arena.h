/*
 * json_arena.h - cJSON trees whose nodes and strings live in an arena.
 *
 * cJSON's own parser makes one malloc per node and per string, and
 * cJSON_Delete() one free for each; for a request of a few kilobytes that
 * is most of the work.  These functions build ordinary cJSON trees (every
 * cJSON reader works on them: cJSON_GetObjectItemCaseSensitive,
 * cJSON_ArrayForEach, cJSON_Compare, cJSON_Print...) whose memory belongs
 * to an arena instead.  Such a tree must never be passed to cJSON_Delete()
 * or modified with cJSON's editing functions; it dies with the arena.
 *
 * json_arena_parse() parses in place: string values and keys are decoded
 * into `buf` itself and point into it, so buf must outlive the tree.  The
 * grammar is RFC 8259's, strictly: one value, surrounded only by
 * whitespace; no control characters inside strings; escapes and surrogate
 * pairs checked; at most CJSON_NESTING_LIMIT levels of nesting, as cJSON.
 * Numbers get cJSON's valuedouble and valueint.  Duplicate keys are kept
 * in order; lookups find the first, as with cJSON.
 */
#ifndef JSON_ARENA_H
#define JSON_ARENA_H

#include <stddef.h>
#include <cjson/cJSON.h>

struct arena;
struct errbuf;

/* The tree of the JSON text buf[0..len), or NULL with err set ("… at byte N"). */
cJSON *json_arena_parse(struct arena *a, char *buf, size_t len, struct errbuf *err);
/*
 * json_arena_parse(), leaving out of the tree the members at the `skip`
 * paths, which are still checked (a malformed one fails the parse, with
 * the same error) but not decoded: their bytes in buf stay as they are.  A
 * path is a NULL-terminated list of object keys from the root, such as
 * {"request", "object", "status", NULL}; `skip` is a NULL-terminated list
 * of at most 32 paths.  For documents of which a reader needs only parts:
 * nodes not built are time not spent.
 */
cJSON *json_arena_parse_except(struct arena *a, char *buf, size_t len,
                               const char *const *const *skip, struct errbuf *err);
/*
 * json_arena_parse_except(), keeping the members at the `defer` paths (at
 * most 32 paths in all) as nodes of type cJSON_Raw: valuestring points at
 * their text in buf (not NUL-terminated) and valuedouble is its length.
 * They are checked as skipped ones are, and built on demand by
 * json_arena_expand(): for members only some requests need.
 */
cJSON *json_arena_parse_deferring(struct arena *a, char *buf, size_t len,
                                  const char *const *const *skip, const char *const *const *defer,
                                  struct errbuf *err);
/* Builds a deferred node in place (its key and siblings stay), decoding its
 * text where it stands; a no-op for any other node.  0, or -1 (err). */
int json_arena_expand(struct arena *a, cJSON *node, struct errbuf *err);

/* The one value at the start of buf[0..len) (after whitespace), for
 * reading a long document piece by piece: *used gets the offset of the
 * byte after it, and nothing after that is read. */
cJSON *json_arena_parse_prefix(struct arena *a, char *buf, size_t len, size_t *used,
                               struct errbuf *err);

/* A new empty node of the given cJSON type (cJSON_Object, cJSON_Array...). */
cJSON *json_arena_new(struct arena *a, int type);
/* Appends item (an arena node) to parent under a copy of key (NULL in arrays). */
void json_arena_append(struct arena *a, cJSON *parent, const char *key, cJSON *item);

/* A deep copy of src (its key, if any, is not copied). */
cJSON *json_arena_copy(struct arena *a, const cJSON *src);
/* An upper bound of the bytes json_arena_copy() takes for src, to size an
 * arena so that the copy fits in one chunk. */
size_t json_arena_copy_size(const cJSON *src);

#endif
