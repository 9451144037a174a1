/*
 * yaml_parse.c - YAML to cJSON, typed the way kubectl types YAML.
 *
 * kubectl reads YAML with sigs.k8s.io/yaml: go-yaml v2 decodes into Go
 * values (YAML 1.1 scalar resolution), which are then marshalled as JSON.
 * This file builds cJSON directly from libyaml's events: scalars are
 * resolved (yaml_scalar.c) and honour their tags, aliases copy their
 * anchor's value, and the finished values go to yaml_builder.c, which
 * places them.  Also the public parse functions of yaml_json.h.
 */
#include "yaml_json.h"
#include "yaml_json_internal.h"
#include "yaml_parse_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "errbuf.h"
#include "xalloc.h"

#define DEFAULT_FILE_MAX ((size_t)64 << 20)

/* ---------------------------------------------------- scalar events */

#define TAG_PREFIX "tag:yaml.org,2002:"

static const char *short_tag(const char *tag)
{
	return strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) ? tag : tag + strlen(TAG_PREFIX);
}

static const char *kind_name(enum ykind k)
{
	static const char *const names[] = { "str", "null",  "bool",     "int",
		                             "int", "float", "timestamp" };

	return names[k];
}

/* A scalar event, resolved: `text` is its (possibly base64-decoded) value. */
struct scalar {
	struct yscalar y;
	struct strbuf text;
	const yaml_mark_t *mark;
};

static int resolve_tagged(struct builder *b, const char *tag, struct scalar *sc)
{
	const char *t = short_tag(tag);
	enum ykind want, got;
	char q[200];

	if (!strcmp(t, "str") || tag == t || !strcmp(t, "merge") || !strcmp(t, "binary") ||
	    (strcmp(t, "bool") && strcmp(t, "int") && strcmp(t, "float") && strcmp(t, "null") &&
	     strcmp(t, "timestamp")))
		return 0;
	want = !strcmp(t, "bool")    ? Y_BOOL
	       : !strcmp(t, "int")   ? Y_INT
	       : !strcmp(t, "float") ? Y_FLOAT
	       : !strcmp(t, "null")  ? Y_NULL
	                             : Y_TIMESTAMP;
	got = yj_resolve_plain(sc->text.buf, sc->text.len, want == Y_TIMESTAMP, &sc->y);
	if (got == want || (want == Y_INT && got == Y_UINT))
		return 0;
	if (want == Y_FLOAT && (got == Y_INT || got == Y_UINT)) {
		sc->y.f = got == Y_INT ? (double)sc->y.i : (double)sc->y.u;
		sc->y.kind = Y_FLOAT;
		return 0;
	}
	return yj_fail(b, sc->mark, "cannot decode !!%s %s as a !!%s", kind_name(got),
	               yj_quote(q, sizeof(q), sc->text.buf), t);
}

static int decode_binary(struct builder *b, struct scalar *sc)
{
	struct strbuf raw = STRBUF_INIT;

	if (base64_decode(&raw, sc->text.buf, sc->text.len)) {
		strbuf_release(&raw);
		return yj_fail(b, sc->mark, "!!binary value contains invalid base64 data");
	}
	strbuf_reset(&sc->text);
	yj_add_utf8_fixed(&sc->text, raw.buf, raw.len);
	strbuf_release(&raw);
	return 0;
}

static int resolve_scalar(struct builder *b, const yaml_event_t *ev, struct scalar *sc)
{
	const char *tag = (const char *)ev->data.scalar.tag;

	strbuf_add(&sc->text, ev->data.scalar.value, ev->data.scalar.length);
	sc->mark = &ev->start_mark;
	memset(&sc->y, 0, sizeof(sc->y));
	if (memchr(sc->text.buf, '\0', sc->text.len))
		return yj_fail(b, sc->mark, "NUL characters in strings are not supported");
	if (!tag || !*tag) {
		if (ev->data.scalar.plain_implicit)
			yj_resolve_plain(sc->text.buf, sc->text.len, 1, &sc->y);
		return 0;
	}
	if (!strcmp(short_tag(tag), "binary"))
		return decode_binary(b, sc);
	return resolve_tagged(b, tag, sc);
}

/* The scalar as a JSON value, or NULL with *why set. */
static cJSON *scalar_json(const struct scalar *sc, const char **why)
{
	char num[32];

	switch (sc->y.kind) {
	case Y_NULL:
		return cJSON_CreateNull();
	case Y_BOOL:
		return cJSON_CreateBool(sc->y.b);
	case Y_INT:
		if (sc->y.i > -INT64_C(1000000000000000) && sc->y.i < INT64_C(1000000000000000))
			return cJSON_CreateNumber((double)sc->y.i);
		snprintf(num, sizeof(num), "%lld", (long long)sc->y.i);
		return cJSON_CreateRaw(num);
	case Y_UINT:
		snprintf(num, sizeof(num), "%llu", (unsigned long long)sc->y.u);
		return cJSON_CreateRaw(num);
	case Y_FLOAT:
		if (isnan(sc->y.f) || isinf(sc->y.f)) {
			*why = isnan(sc->y.f) ? ".nan cannot be represented in JSON"
			                      : ".inf cannot be represented in JSON";
			return NULL;
		}
		return cJSON_CreateNumber(sc->y.f);
	default:
		return cJSON_CreateString(sc->text.buf);
	}
}

/* The scalar as a mapping key, the way sigs.k8s.io/yaml turns go-yaml's
 * keys into strings; NULL with *why set if it cannot be one. */
static char *scalar_key(const struct scalar *sc, const char **why)
{
	char num[64];

	switch (sc->y.kind) {
	case Y_NULL:
		*why = "a mapping key must not be null";
		return NULL;
	case Y_BOOL:
		return xstrdup(sc->y.b ? "true" : "false");
	case Y_INT:
		snprintf(num, sizeof(num), "%lld", (long long)sc->y.i);
		return xstrdup(num);
	case Y_UINT:
		*why = "a mapping key must not be an integer above 2^63-1";
		return NULL;
	case Y_FLOAT:
		yj_go_format_float(sc->y.f, 32, num, sizeof(num));
		return xstrdup(num);
	default:
		return xstrdup(sc->text.buf);
	}
}

static int is_merge_key(const yaml_event_t *ev)
{
	const char *tag = (const char *)ev->data.scalar.tag;

	if (ev->data.scalar.length != 2 || memcmp(ev->data.scalar.value, "<<", 2))
		return 0;
	if (tag && *tag)
		return !strcmp(tag, TAG_PREFIX "merge");
	return ev->data.scalar.plain_implicit;
}

static int scalar_as_key(struct builder *b, const yaml_event_t *ev, struct scalar *sc)
{
	const char *why = NULL, *valerr = NULL;
	char *key = scalar_key(sc, &why);
	cJSON *v;

	if (!key)
		return yj_fail(b, &ev->start_mark, "%s", why);
	if (ev->data.scalar.anchor) {
		v = scalar_json(sc, &valerr);
		if (v)
			cJSON_AddItemToArray(b->keep, v);
		yj_set_anchor(b, xstrdup((const char *)ev->data.scalar.anchor), v, valerr,
		              xstrdup(key), NULL);
	}
	yj_set_key(b, key, is_merge_key(ev), &ev->start_mark);
	return 0;
}

static int scalar_as_value(struct builder *b, const yaml_event_t *ev, struct scalar *sc)
{
	const char *why = NULL, *keyerr = NULL;
	cJSON *v = scalar_json(sc, &why);

	if (!v)
		return yj_fail(b, &ev->start_mark, "%s", why);
	b->nodes++;
	if (ev->data.scalar.anchor) {
		char *key = scalar_key(sc, &keyerr);

		yj_set_anchor(b, xstrdup((const char *)ev->data.scalar.anchor), v, NULL, key, keyerr);
	}
	return yj_attach(b, v);
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct scalar sc = { .text = STRBUF_INIT };
	int rc = resolve_scalar(b, ev, &sc);

	if (!rc)
		rc = yj_expecting_key(b) ? scalar_as_key(b, ev, &sc) : scalar_as_value(b, ev, &sc);
	strbuf_release(&sc.text);
	return rc;
}

/* --------------------------------------------- aliases and collections */

/* An anchor is defined once its node ends, so an alias inside the node
 * finds nothing; say why. */
static int inside_anchor(const struct builder *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->depth; i++)
		if (b->stack[i].anchor && !strcmp(b->stack[i].anchor, name))
			return 1;
	return 0;
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct strent *e = yj_strtab_find(&b->anchors, name);
	struct anchor *a = e ? e->val : NULL;
	struct frame *f = yj_top(b);
	char q[200];

	if (!a && inside_anchor(b, name))
		return yj_fail(b, &ev->start_mark, "anchor %s value contains itself",
		               yj_quote(q, sizeof(q), name));
	if (!a)
		return yj_fail(b, &ev->start_mark, "unknown anchor %s referenced",
		               yj_quote(q, sizeof(q), name));
	if (yj_expecting_key(b)) {
		if (!a->key)
			return yj_fail(b, &ev->start_mark, "%s", a->keyerr);
		yj_set_key(b, xstrdup(a->key), 0, &ev->start_mark);
		return 0;
	}
	if (!a->value)
		return yj_fail(b, &ev->start_mark, "%s", a->valerr);
	if (yj_charge(b, a->value, &ev->start_mark))
		return -1;
	if (f && f->is_map && f->key_merge) {
		int rc = yj_merge_value(b, f, a->value);

		free(f->key);
		f->key = NULL;
		return rc;
	}
	return yj_attach(b, cJSON_Duplicate(a->value, 1));
}

static int on_start(struct builder *b, const yaml_event_t *ev, int is_map)
{
	const yaml_char_t *anchor = is_map ? ev->data.mapping_start.anchor
	                                   : ev->data.sequence_start.anchor;
	struct frame *f;

	if (yj_expecting_key(b))
		return yj_fail(b, &ev->start_mark, "mapping keys must be scalars");
	if (b->depth >= MAX_DEPTH)
		return yj_fail(b, &ev->start_mark, "document nests deeper than %d levels", MAX_DEPTH);
	if (b->depth == b->alloc) {
		b->alloc = b->alloc ? 2 * b->alloc : 16;
		b->stack = xrealloc(b->stack, b->alloc * sizeof(*b->stack));
	}
	f = &b->stack[b->depth++];
	memset(f, 0, sizeof(*f));
	f->is_map = is_map;
	f->node = is_map ? cJSON_CreateObject() : cJSON_CreateArray();
	f->anchor = anchor ? xstrdup((const char *)anchor) : NULL;
	b->nodes++;
	return 0;
}

static void drop_frame(struct frame *f)
{
	free(f->key);
	free(f->anchor);
	yj_strtab_release(&f->keys);
}

static int on_end(struct builder *b)
{
	struct frame f = b->stack[--b->depth];

	if (f.anchor) {
		yj_set_anchor(b, f.anchor, f.node, NULL, NULL, "mapping keys must be scalars");
		f.anchor = NULL;
	}
	drop_frame(&f);
	return yj_attach(b, f.node);
}

/* ----------------------------------------------------------- documents */

static void reset_document(struct builder *b)
{
	yj_clear_anchors(b);
	cJSON_Delete(b->keep);
	b->keep = cJSON_CreateArray();
	cJSON_Delete(b->root);
	b->root = NULL;
	b->nodes = b->alias_nodes = b->alias_bytes = 0;
}

static void end_document(struct builder *b, cJSON *docs)
{
	if (b->root && !cJSON_IsNull(b->root)) {
		cJSON_AddItemToArray(docs, b->root);
		b->root = NULL;
	}
	reset_document(b);
}

static int on_event(struct builder *b, const yaml_event_t *ev, cJSON *docs)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		reset_document(b);
		return 0;
	case YAML_DOCUMENT_END_EVENT:
		end_document(b, docs);
		return 0;
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_ALIAS_EVENT:
		return on_alias(b, ev);
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		return on_start(b, ev, ev->type == YAML_MAPPING_START_EVENT);
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		return on_end(b);
	default:
		return 0;
	}
}

/* Reader errors carry a byte offset, not a mark: count lines ourselves. */
static int reader_error(struct builder *b, const yaml_parser_t *p)
{
	yaml_mark_t m = { 0, 0, 0 };
	size_t i;

	for (i = 0; i < p->problem_offset && i < b->len; i++) {
		unsigned char c = (unsigned char)b->buf[i];

		if (c == '\n')
			m.line++, m.column = 0;
		else if ((c & 0xc0) != 0x80)
			m.column++;
	}
	if (p->problem_value >= 0)
		return yj_fail(b, &m, "%s (byte 0x%02x)", p->problem, (unsigned)p->problem_value);
	return yj_fail(b, &m, "%s", p->problem);
}

static int parser_error(struct builder *b, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		return errbuf_set(b->err, "%s: out of memory parsing YAML", b->name);
	if (p->error == YAML_READER_ERROR)
		return reader_error(b, p);
	if (p->context)
		return yj_fail(b, &p->problem_mark, "%s (%s at line %zu column %zu)",
		               p->problem ? p->problem : "syntax error", p->context,
		               p->context_mark.line + 1, p->context_mark.column + 1);
	return yj_fail(b, &p->problem_mark, "%s", p->problem ? p->problem : "syntax error");
}

static void builder_release(struct builder *b)
{
	while (b->depth) {
		struct frame *f = &b->stack[--b->depth];

		cJSON_Delete(f->node);
		drop_frame(f);
	}
	free(b->stack);
	yj_clear_anchors(b);
	cJSON_Delete(b->keep);
	cJSON_Delete(b->root);
}

static int run_parser(struct builder *b, cJSON *docs)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int rc = 0, done = 0;

	if (!yaml_parser_initialize(&parser))
		return errbuf_set(b->err, "%s: out of memory parsing YAML", b->name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)b->buf, b->len);
	while (!rc && !done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = parser_error(b, &parser);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = on_event(b, &ev, docs);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

cJSON *yamljson_parse_all(const char *buf, size_t len, const char *name, struct errbuf *err)
{
	struct builder b;
	cJSON *docs = cJSON_CreateArray();
	int rc;

	memset(&b, 0, sizeof(b));
	b.name = name ? name : "<input>";
	b.buf = buf ? buf : "";
	b.len = buf ? len : 0;
	b.err = err;
	b.keep = cJSON_CreateArray();
	rc = run_parser(&b, docs);
	builder_release(&b);
	if (rc) {
		cJSON_Delete(docs);
		return NULL;
	}
	return docs;
}

cJSON *yamljson_parse_one(const char *buf, size_t len, const char *name, struct errbuf *err)
{
	cJSON *docs = yamljson_parse_all(buf, len, name, err), *one;
	int n;

	if (!docs)
		return NULL;
	n = cJSON_GetArraySize(docs);
	if (n > 1) {
		cJSON_Delete(docs);
		errbuf_set(err, "%s: expected one YAML document, found %d", name ? name : "<input>",
		           n);
		return NULL;
	}
	one = n ? cJSON_DetachItemFromArray(docs, 0) : cJSON_CreateObject();
	cJSON_Delete(docs);
	return one;
}

static cJSON *parse_file(const char *path, size_t max, int all, struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *v;

	if (!max)
		max = DEFAULT_FILE_MAX;
	if (strbuf_read_file(&sb, path, max)) {
		if (errno == EFBIG)
			errbuf_set(err, "%s: file is larger than %zu bytes", path, max);
		else
			errbuf_set(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	v = all ? yamljson_parse_all(sb.buf, sb.len, path, err)
	        : yamljson_parse_one(sb.buf, sb.len, path, err);
	strbuf_release(&sb);
	return v;
}

cJSON *yamljson_parse_file_all(const char *path, size_t max, struct errbuf *err)
{
	return parse_file(path, max, 1, err);
}

cJSON *yamljson_parse_file_one(const char *path, size_t max, struct errbuf *err)
{
	return parse_file(path, max, 0, err);
}
