/*
 * yaml_json.h - YAML <-> cJSON with Kubernetes' typing rules.
 *
 * Parsing follows sigs.k8s.io/yaml (YAML 1.1 resolution as go-yaml v2 does
 * it, then JSON): quoted scalars stay strings, plain scalars resolve to
 * null/bool/int/float/string, anchors and aliases expand (with a budget
 * against alias bombs), block scalars keep their chomping.  A JSON document
 * is valid YAML and parses the same way.  Errors name file:line:column.
 *
 * What kubectl does, and so do we:
 *  - plain scalars: ~ null Null NULL and empty are null; y Y yes Yes YES
 *    on On ON true True TRUE (and the n/no/off/false family) are booleans;
 *    0x1F, 0o17, 017, 0b101, +12, 1_000 are integers; 1.5, .5, 1e3 are
 *    floats; everything else ("0.1.2", "2001-12-14", "1:20") is a string;
 *  - tags !!str !!int !!float !!bool !!null !!binary are honoured, other
 *    tags leave the text a string;
 *  - mapping keys become strings: `1: a` is "1", `yes: a` is "true",
 *    `1.5: a` is "1.5"; a null or collection key is an error;
 *  - merge keys (<<) take a mapping or a sequence of mappings;
 *  - empty and null documents of a stream are skipped.
 * Decisions where JSON cannot follow:
 *  - integers of 16 digits or more are kept exact as raw number text
 *    (cJSON_IsRaw; cJSON_Print prints them verbatim, json_util.h reads
 *    them), since a double loses them and cJSON prints 15 digits;
 *  - .inf and .nan as values are an error (JSON has no such numbers);
 *  - a string with a NUL character is an error (cJSON cannot hold one);
 *  - a duplicate key is an error (sigs.k8s.io/yaml's strict mode); keys a
 *    merge brings in never clash: explicit keys win wherever they appear,
 *    earlier merge sources win over later ones (the merge-key spec);
 *  - nesting deeper than 1000 levels is an error, as is alias expansion
 *    beyond go-yaml's ratio of aliased to plain nodes or 64 MiB of copied
 *    text ("document contains excessive aliasing");
 *  - an alias inside the node it names is an error.
 *
 * Ownership: every cJSON returned is the caller's (cJSON_Delete).  Input
 * buffers are borrowed.  Nothing here prints or exits.  Numbers are read
 * and written with '.' whatever LC_NUMERIC says.
 */
#ifndef YAML_JSON_H
#define YAML_JSON_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "strbuf.h"

struct errbuf;

/* Every non-empty document of a (multi-document) stream, as a cJSON array.
 * `name` is used in error messages ("config.yaml:3:7: …"); NULL = "<input>".
 * Input that is not UTF-8 (or UTF-16 with a BOM) is an error. */
cJSON *yamljson_parse_all(const char *buf, size_t len, const char *name, struct errbuf *err);

/* Exactly one document expected (an empty stream gives an empty object). */
cJSON *yamljson_parse_one(const char *buf, size_t len, const char *name, struct errbuf *err);

/* Reads and parses a file (at most `max` bytes, 0 = 64 MiB). */
cJSON *yamljson_parse_file_all(const char *path, size_t max, struct errbuf *err);
cJSON *yamljson_parse_file_one(const char *path, size_t max, struct errbuf *err);

/* Appends v as YAML the way kubectl -o yaml prints it (block style, two
 * spaces, sequences not indented under their key, keys in go-yaml's
 * natural order, strings quoted only when needed to keep their type, long
 * lines folded at 80 columns, multi-line strings as | blocks).  Appends one
 * document without a "---" line.  Bytes that are not UTF-8 become U+FFFD;
 * a key "<<" is quoted so that it does not read back as a merge. */
void yamljson_emit(struct strbuf *out, const cJSON *v);

#endif
