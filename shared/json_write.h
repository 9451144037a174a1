/*
 * json_write.h - append JSON text to a strbuf without building a cJSON tree.
 *
 * For hot paths that emit a fixed shape (an AdmissionReview response, a
 * log line): strings are escaped exactly as cJSON_PrintUnformatted escapes
 * them (", \ and control characters; bytes >= 0x80 pass through), so the
 * output is byte for byte what cJSON printed before.
 */
#ifndef JSON_WRITE_H
#define JSON_WRITE_H

#include <cjson/cJSON.h>

#include "strbuf.h"

/* "s" quoted and escaped; NULL is written as "". */
void json_write_string(struct strbuf *out, const char *s);
/* Any value, as cJSON_PrintUnformatted prints it. */
void json_write_value(struct strbuf *out, const cJSON *v);

#endif
