/*
 * yaml_emit.c - cJSON to YAML, as `kubectl get -o yaml` prints it.
 *
 * Drives libyaml's emitter, from which go-yaml's is ported, with the
 * scalar styles go-yaml v2's encoder asks for and its key order, so the
 * output matches kubectl byte for byte on ordinary objects.  The public
 * yamljson_emit() of yaml_json.h.
 */
#include "yaml_json.h"
#include "yaml_json_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "xalloc.h"

/* ------------------------------------------------------------- emitter */

struct emitter {
	yaml_emitter_t em;
	int failed;
};

/* Takes ownership of ev if it was initialised (ok). */
static void emit_event(struct emitter *e, yaml_event_t *ev, int ok)
{
	if (!ok) {
		e->failed = 1;
		return;
	}
	if (e->failed) {
		yaml_event_delete(ev);
		return;
	}
	if (!yaml_emitter_emit(&e->em, ev))
		e->failed = 1;
}

static void emit_scalar(struct emitter *e, const char *s, size_t n, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	int ok = yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)n, 1, 1, style);

	emit_event(e, &ev, ok);
}

/* go-yaml v2's stringv: multi-line strings as literal blocks, strings that
 * would read back as another type double-quoted, the rest plain (libyaml
 * falls back to quotes where plain text would not parse).  Unlike go-yaml,
 * a key "<<" is quoted, or it would read back as a merge key. */
static void emit_string(struct emitter *e, const char *s, int is_key)
{
	struct strbuf fixed = STRBUF_INIT;
	size_t n = strlen(s);
	struct yscalar y;
	yaml_scalar_style_t style;

	if (!yj_utf8_valid(s, n)) {
		yj_add_utf8_fixed(&fixed, s, n);
		s = fixed.buf;
		n = fixed.len;
	}
	if (memchr(s, '\n', n))
		style = YAML_LITERAL_SCALAR_STYLE;
	else if (yj_resolve_plain(s, n, 1, &y) != Y_STR || yj_is_base60_float(s, n) ||
	         (is_key && !strcmp(s, "<<")))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	else
		style = YAML_PLAIN_SCALAR_STYLE;
	emit_scalar(e, s, n, style);
	strbuf_release(&fixed);
}

/* As kubectl prints numbers after its JSON round trip: integral values
 * that fit an int64 or uint64 in full, others as Go's %g-like shortest
 * form ("1.5", "1e+21", "1e-07").  (encoding/json would print an integral
 * double above 2^53 with its shortest digits padded with zeros; printing
 * it exactly instead keeps parse(emit(x)) == x.) */
static void emit_number(struct emitter *e, const cJSON *v)
{
	char buf[64];
	double d = v->valuedouble;

	if (d == 0)
		snprintf(buf, sizeof(buf), "0");
	else if (d == floor(d) && d >= -9223372036854775808.0 && d < 18446744073709551616.0)
		snprintf(buf, sizeof(buf), "%.0f", d);
	else
		yj_go_format_float(d, 64, buf, sizeof(buf));
	emit_scalar(e, buf, strlen(buf), YAML_PLAIN_SCALAR_STYLE);
}

struct sortkey {
	const cJSON *item;
	uint32_t *r; /* the key as code points, as Go's []rune */
	size_t n;
};

static int go_is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

/* unicode.IsLetter: exact for Latin-1, an approximation above it (marks,
 * punctuation, symbols, private use and emoji blocks are not letters). */
static int go_is_letter(uint32_t c)
{
	if (c < 0x80)
		return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
	if (c < 0x100)
		return c == 0xaa || c == 0xb5 || c == 0xba || (c >= 0xc0 && c != 0xd7 && c != 0xf7);
	return !((c >= 0x300 && c <= 0x36f) || (c >= 0x2000 && c <= 0x2bff) ||
	         (c >= 0x3000 && c <= 0x303f) || (c >= 0xe000 && c <= 0xf8ff) ||
	         (c >= 0xfe00 && c <= 0xfe6f) || (c >= 0xff00 && c <= 0xff20) ||
	         (c >= 0x1f000 && c <= 0x1faff));
}

static void to_runes(struct sortkey *k, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, step;
	uint32_t cp;

	k->r = xmalloc((len + 1) * sizeof(*k->r));
	k->n = 0;
	while (i < len) {
		step = yj_utf8_len(p + i, len - i, &cp);
		k->r[k->n++] = step ? cp : 0xfffd;
		i += step ? step : 1;
	}
}

static void digit_run(const uint32_t *r, size_t n, size_t i, uint64_t *v, size_t *end)
{
	for (; i < n && go_is_digit(r[i]); i++)
		*v = *v * 10 + (r[i] - '0');
	*end = i;
}

/* go-yaml v2's keyList.Less for strings: letters by code point, before
 * anything else; runs of digits by numeric value. */
static int go_key_less(const struct sortkey *a, const struct sortkey *b)
{
	size_t i, j, ai, bi;

	for (i = 0; i < a->n && i < b->n; i++) {
		uint32_t ra = a->r[i], rb = b->r[i];
		int al, bl;
		uint64_t an = 0, bn = 0;

		if (ra == rb)
			continue;
		al = go_is_letter(ra);
		bl = go_is_letter(rb);
		if (al && bl)
			return ra < rb;
		if (al || bl)
			return bl;
		if (ra == '0' || rb == '0') {
			for (j = i; j-- > 0 && go_is_digit(a->r[j]);) {
				if (a->r[j] != '0') {
					an = bn = 1;
					break;
				}
			}
		}
		digit_run(a->r, a->n, i, &an, &ai);
		digit_run(b->r, b->n, i, &bn, &bi);
		if (an != bn)
			return (int64_t)an < (int64_t)bn;
		if (ai != bi)
			return ai < bi;
		return ra < rb;
	}
	return a->n < b->n;
}

static int cmp_keys(const void *x, const void *y)
{
	const struct sortkey *a = x, *b = y;

	if (go_key_less(a, b))
		return -1;
	return go_key_less(b, a) ? 1 : 0;
}

static void emit_value(struct emitter *e, const cJSON *v);

static void emit_mapping(struct emitter *e, const cJSON *v)
{
	struct sortkey *keys;
	const cJSON *c;
	yaml_event_t ev;
	size_t n = 0, i;

	emit_event(e, &ev,
	           yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
	for (c = v->child; c; c = c->next)
		n++;
	keys = xcalloc(n + 1, sizeof(*keys));
	for (i = 0, c = v->child; c; c = c->next, i++) {
		keys[i].item = c;
		to_runes(&keys[i], c->string ? c->string : "");
	}
	qsort(keys, n, sizeof(*keys), cmp_keys);
	for (i = 0; i < n; i++) {
		emit_string(e, keys[i].item->string ? keys[i].item->string : "", 1);
		emit_value(e, keys[i].item);
		free(keys[i].r);
	}
	free(keys);
	emit_event(e, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void emit_sequence(struct emitter *e, const cJSON *v)
{
	const cJSON *c;
	yaml_event_t ev;

	emit_event(e, &ev,
	           yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
	                                                YAML_BLOCK_SEQUENCE_STYLE));
	for (c = v->child; c; c = c->next)
		emit_value(e, c);
	emit_event(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void emit_value(struct emitter *e, const cJSON *v)
{
	if (cJSON_IsObject(v))
		emit_mapping(e, v);
	else if (cJSON_IsArray(v))
		emit_sequence(e, v);
	else if (cJSON_IsString(v))
		emit_string(e, v->valuestring ? v->valuestring : "", 0);
	else if (cJSON_IsNumber(v))
		emit_number(e, v);
	else if (cJSON_IsRaw(v) && v->valuestring)
		emit_scalar(e, v->valuestring, strlen(v->valuestring), YAML_PLAIN_SCALAR_STYLE);
	else if (cJSON_IsBool(v))
		emit_scalar(e, cJSON_IsTrue(v) ? "true" : "false", cJSON_IsTrue(v) ? 4 : 5,
		            YAML_PLAIN_SCALAR_STYLE);
	else
		emit_scalar(e, "null", 4, YAML_PLAIN_SCALAR_STYLE);
}

static int write_out(void *data, unsigned char *buf, size_t size)
{
	strbuf_add(data, buf, size);
	return 1;
}

static int emit_document(struct strbuf *out, const cJSON *v)
{
	struct emitter e;
	yaml_event_t ev;

	memset(&e, 0, sizeof(e));
	if (!yaml_emitter_initialize(&e.em))
		return -1;
	yaml_emitter_set_output(&e.em, write_out, out);
	yaml_emitter_set_unicode(&e.em, 1);
	emit_event(&e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	emit_event(&e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	emit_value(&e, v);
	emit_event(&e, &ev, yaml_document_end_event_initialize(&ev, 1));
	/* As go-yaml does: no "..." after a document that ends open. */
	e.em.open_ended = 0;
	emit_event(&e, &ev, yaml_stream_end_event_initialize(&ev));
	if (!e.failed && !yaml_emitter_flush(&e.em))
		e.failed = 1;
	yaml_emitter_delete(&e.em);
	return e.failed ? -1 : 0;
}

void yamljson_emit(struct strbuf *out, const cJSON *v)
{
	struct strbuf doc = STRBUF_INIT;
	char *json;

	if (!emit_document(&doc, v)) {
		strbuf_add(out, doc.buf, doc.len);
	} else {
		/* Cannot happen with valid cJSON; JSON is YAML, so stay useful. */
		json = cJSON_Print(v);
		strbuf_addstr(out, json ? json : "null");
		strbuf_addch(out, '\n');
		free(json);
	}
	strbuf_release(&doc);
}
