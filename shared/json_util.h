/*
 * json_util.h - small helpers over cJSON that the plugin and the webhook
 * both need: path lookups with defaults, deep equality, JSON merge patch
 * (RFC 7386) apply and create, and escaping of cluster-supplied text
 * before it reaches a terminal.
 *
 * Paths are dotted key names: "status.operationState.phase".  A backslash
 * escapes the next character, so a key containing dots is written
 * "metadata.annotations.argocd\\.argoproj\\.io/refresh" (in C source);
 * json_get_key() looks up one key verbatim, without any path syntax.  A
 * segment made only of digits indexes an array ("spec.steps.0.setWeight").
 *
 * Numbers: yaml_parse.c keeps integers of 16 digits or more exact as raw text
 * (cJSON_IsRaw), so json_int(), json_is_number() and json_equal() accept
 * such raw numbers as well as ordinary cJSON numbers.
 *
 * Ownership: lookups return pointers borrowed from the tree passed in (valid
 * while that tree lives and is not modified).  json_merge_patch() and
 * json_merge_diff() return new trees the caller frees with cJSON_Delete();
 * their inputs are never modified.  Nothing here prints or exits.
 */
#ifndef JSON_UTIL_H
#define JSON_UTIL_H

#include <cjson/cJSON.h>

#include "strbuf.h"

/* The value at `path` below v, or NULL if any step is missing.  NULL or
 * "" as path returns v itself. */
const cJSON *json_get(const cJSON *v, const char *path);

/* The member `key` of object v (case-sensitive, no path syntax), or NULL. */
const cJSON *json_get_key(const cJSON *v, const char *key);

/* The string at path, or `fallback` if it is missing or not a string. */
const char *json_str(const cJSON *v, const char *path, const char *fallback);

/* The integer at path (a number with no fraction, in range, or a raw
 * integer), or `fallback`. */
long long json_int(const cJSON *v, const char *path, long long fallback);

/* 1 for true, 0 for false, `fallback` if missing or not a boolean. */
int json_bool(const cJSON *v, const char *path, int fallback);

/* 1 if v is a number, including a raw number kept exact by yaml_parse.c. */
int json_is_number(const cJSON *v);

/* Deep equality: objects compare by key set regardless of order, arrays
 * element by element, numbers by value (a raw integer equals a cJSON
 * number of the same value).  Two NULL pointers are equal. */
int json_equal(const cJSON *a, const cJSON *b);

/* RFC 7386: the result of applying `patch` to `target` (a NULL target is
 * absent, a NULL patch changes nothing).  Objects merge recursively, null
 * removes a member, everything else replaces. */
cJSON *json_merge_patch(const cJSON *target, const cJSON *patch);

/* The merge patch that turns `old` into `new` (json_merge_patch(old,
 * result) equals new), {} when they are equal.  RFC 7386 cannot express a
 * member whose value is null: applying the patch removes such a member of
 * `new` instead of keeping it as null. */
cJSON *json_merge_diff(const cJSON *old, const cJSON *new);

/*
 * Appends s with the characters that could control a terminal made
 * visible: ESC as "^[" and CR as "\r" (as kubectl's cli-runtime printers
 * do), every other C0 control except tab and newline, and DEL, in caret
 * notation ("^A", "^?"); C1 controls and the bidirectional overrides
 * (U+202A-U+202E, U+2066-U+2069) as "\u0085"; bytes that are not valid
 * UTF-8 as "\xff".  Valid UTF-8 text passes unchanged.
 */
void term_escape(struct strbuf *out, const char *s);

/* term_escape() into a new malloc'd string (never NULL; NULL s gives ""). */
char *term_escaped(const char *s);

#endif
