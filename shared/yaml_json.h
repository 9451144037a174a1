/*
 * yaml_json.h - YAML <-> cJSON with Kubernetes' typing rules.
 *
 * Parsing follows sigs.k8s.io/yaml (YAML 1.1 resolution as go-yaml v2 does
 * it, then JSON): quoted scalars stay strings, plain scalars resolve to
 * null/bool/int/float/string, anchors and aliases expand (with a budget
 * against alias bombs), block scalars keep their chomping.  A JSON document
 * is valid YAML and parses the same way.  Errors name file:line:column.
 *
 * Ownership: every cJSON returned is the caller's (cJSON_Delete).  Input
 * buffers are borrowed.  Nothing here prints or exits.
 */
#ifndef YAML_JSON_H
#define YAML_JSON_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "strbuf.h"

struct errbuf;

/* Every non-empty document of a (multi-document) stream, as a cJSON array.
 * `name` is used in error messages ("config.yaml:3:7: …"); NULL = "<input>". */
cJSON *yamljson_parse_all(const char *buf, size_t len, const char *name, struct errbuf *err);

/* Exactly one document expected (an empty stream gives an empty object). */
cJSON *yamljson_parse_one(const char *buf, size_t len, const char *name, struct errbuf *err);

/* Reads and parses a file (at most `max` bytes, 0 = 64 MiB). */
cJSON *yamljson_parse_file_all(const char *path, size_t max, struct errbuf *err);
cJSON *yamljson_parse_file_one(const char *path, size_t max, struct errbuf *err);

/* Appends v as YAML the way kubectl -o yaml prints it (block style, two
 * spaces, sequences not indented under their key, strings quoted only when
 * needed to keep their type). */
void yamljson_emit(struct strbuf *out, const cJSON *v);

#endif
