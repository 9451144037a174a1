/*
 * yaml_json_internal.h - what the yaml_json.h implementation files share;
 * not for use outside them.
 *
 *   yaml_go_text.c  UTF-8 and number text the way Go's utf8/strconv do it
 *   yaml_scalar.c   go-yaml v2's resolution of plain scalars
 *   yaml_parse.c    YAML to cJSON (with yaml_builder.c), the parse API
 *   yaml_emit.c     cJSON to YAML, yamljson_emit()
 *
 * Nothing here allocates except yj_add_utf8_fixed(), which appends to the
 * caller's strbuf; every pointer argument is borrowed.
 */
#ifndef YAML_JSON_INTERNAL_H
#define YAML_JSON_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* --- yaml_go_text.c --- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0; the
 * code point goes to *cp. */
size_t yj_utf8_len(const unsigned char *s, size_t n, uint32_t *cp);
/* Appends s with every byte that is not valid UTF-8 replaced by U+FFFD. */
void yj_add_utf8_fixed(struct strbuf *out, const char *s, size_t n);
int yj_utf8_valid(const char *s, size_t n);

/* strtod on text known to be [-+]digits[.digits][e[-+]digits], whatever
 * LC_NUMERIC says; -1 if the value overflows to infinity. */
int yj_strtod(const char *s, size_t n, double *out);
/* strconv.FormatFloat(v, 'g', -1, bits) with go-yaml's .nan/.inf/-.inf;
 * bits is 32 or 64. */
void yj_go_format_float(double v, int bits, char *out, size_t size);
/* strconv.ParseUint/ParseInt(s, base, 64); base 0 reads 0x/0o/0b/0
 * prefixes.  0, or -1 on bad syntax or overflow. */
int yj_go_parse_uint(const char *s, size_t n, int base, uint64_t *out);
int yj_go_parse_int(const char *s, size_t n, int base, int64_t *out);

/* --- yaml_scalar.c --- */

enum ykind { Y_STR, Y_NULL, Y_BOOL, Y_INT, Y_UINT, Y_FLOAT, Y_TIMESTAMP };

struct yscalar {
	enum ykind kind;
	int b;
	int64_t i;
	uint64_t u;
	double f;
};

/* go-yaml v2's resolve("", s): what the plain scalar s means, into *r;
 * timestamps are recognised only when try_ts is set. */
enum ykind yj_resolve_plain(const char *s, size_t n, int try_ts, struct yscalar *r);
/* YAML 1.1 base 60 floats ("1:20"), which go-yaml quotes on output. */
int yj_is_base60_float(const char *s, size_t n);

#endif
