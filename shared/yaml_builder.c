/*
 * yaml_builder.c - assembling cJSON from the YAML parser's nodes.
 *
 * The parser (yaml_parse.c) turns libyaml's events into values; this file
 * keeps the open collections, hands each finished value to its parent
 * (explicit keys, duplicate keys, merge keys), records anchors, and charges
 * every copy an alias or a merge makes against the budget that stops alias
 * bombs.  A collection is attached to its parent only once complete, so an
 * anchor names a finished node and an error frees each open one.
 * Contract in yaml_parse_internal.h.
 */
#include "yaml_parse_internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "strbuf.h"
#include "xalloc.h"

/* Text copied by alias expansion; go-yaml shares strings, cJSON copies. */
#define MAX_ALIAS_BYTES ((size_t)64 << 20)

/* ------------------------------------------------------ string tables */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct strent *strtab_slot(const struct strtab *t, const char *key)
{
	size_t i = (size_t)hash_str(key) & (t->cap - 1);

	while (t->e[i].key && strcmp(t->e[i].key, key))
		i = (i + 1) & (t->cap - 1);
	return &t->e[i];
}

struct strent *yj_strtab_find(const struct strtab *t, const char *key)
{
	struct strent *e;

	if (!t->cap)
		return NULL;
	e = strtab_slot(t, key);
	return e->key ? e : NULL;
}

/* Adds key (which must be absent) and returns its entry. */
static struct strent *strtab_add(struct strtab *t, const char *key)
{
	struct strent *e;

	if (2 * (t->used + 1) > t->cap) {
		struct strtab bigger = { NULL, t->cap ? 2 * t->cap : 8, 0 };
		size_t i;

		bigger.e = xcalloc(bigger.cap, sizeof(*bigger.e));
		for (i = 0; i < t->cap; i++)
			if (t->e[i].key)
				*strtab_slot(&bigger, t->e[i].key) = t->e[i];
		bigger.used = t->used;
		free(t->e);
		*t = bigger;
	}
	e = strtab_slot(t, key);
	memset(e, 0, sizeof(*e));
	e->key = key;
	t->used++;
	return e;
}

void yj_strtab_release(struct strtab *t)
{
	free(t->e);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------ builder */

int yj_fail(struct builder *b, const yaml_mark_t *m, const char *fmt, ...)
{
	char msg[ERRBUF_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return errbuf_set(b->err, "%s:%zu:%zu: %s", b->name, m->line + 1, m->column + 1, msg);
}

/* A scalar quoted for an error message: cut short, controls escaped. */
const char *yj_quote(char *buf, size_t size, const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; s[i] && i < 40; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			strbuf_addf(&sb, "\\x%02x", c);
		else
			strbuf_addch(&sb, c);
	}
	snprintf(buf, size, "\"%s%s\"", sb.buf, s[i] ? "..." : "");
	strbuf_release(&sb);
	return buf;
}

struct frame *yj_top(struct builder *b)
{
	return b->depth ? &b->stack[b->depth - 1] : NULL;
}

int yj_expecting_key(struct builder *b)
{
	struct frame *f = yj_top(b);

	return f && f->is_map && !f->key;
}

/* go-yaml v2's allowedAliasRatio, from its decode.go. */
static double allowed_alias_ratio(size_t count)
{
	if (count <= 400000)
		return 0.99;
	if (count >= 4000000)
		return 0.10;
	return 0.99 - 0.89 * ((double)(count - 400000) / 3600000.0);
}

struct tally {
	size_t nodes, bytes, depth;
};

static void measure(const cJSON *v, size_t depth, struct tally *t)
{
	const cJSON *c;

	t->nodes++;
	if (depth > t->depth)
		t->depth = depth;
	if (v->string)
		t->bytes += strlen(v->string);
	if (v->valuestring)
		t->bytes += strlen(v->valuestring);
	for (c = v->child; c; c = c->next)
		measure(c, depth + (cJSON_IsObject(c) || cJSON_IsArray(c)), t);
}

/* Accounts for a copy of v made by an alias or a merge, against the
 * budget that stops alias bombs ("billion laughs"). */
int yj_charge(struct builder *b, const cJSON *v, const yaml_mark_t *m)
{
	struct tally t = { 0, 0, 0 };

	measure(v, cJSON_IsObject(v) || cJSON_IsArray(v), &t);
	if (b->depth + t.depth > MAX_DEPTH)
		return yj_fail(b, m, "document nests deeper than %d levels", MAX_DEPTH);
	b->nodes += t.nodes;
	b->alias_nodes += t.nodes;
	b->alias_bytes += t.bytes;
	if (b->alias_bytes > MAX_ALIAS_BYTES ||
	    (b->alias_nodes > 100 && b->nodes > 1000 &&
	     (double)b->alias_nodes / (double)b->nodes > allowed_alias_ratio(b->nodes)))
		return yj_fail(b, m, "document contains excessive aliasing");
	return 0;
}

void yj_set_anchor(struct builder *b, char *name, cJSON *value, const char *valerr, char *key,
                   const char *keyerr)
{
	struct strent *e = yj_strtab_find(&b->anchors, name);
	struct anchor *a;

	if (e) {
		a = e->val;
		free(name);
		free(a->key);
	} else {
		a = xcalloc(1, sizeof(*a));
		a->name = name;
		strtab_add(&b->anchors, a->name)->val = a;
	}
	a->value = value;
	a->valerr = valerr;
	a->key = key;
	a->keyerr = keyerr;
}

void yj_clear_anchors(struct builder *b)
{
	size_t i;

	for (i = 0; i < b->anchors.cap; i++) {
		struct anchor *a = b->anchors.e[i].val;

		if (!b->anchors.e[i].key)
			continue;
		free(a->name);
		free(a->key);
		free(a);
	}
	yj_strtab_release(&b->anchors);
}

/* Adds an explicit member; a merged one of that name gives way. */
static int add_member(struct builder *b, struct frame *f, cJSON *v)
{
	struct strent *e = yj_strtab_find(&f->keys, f->key);
	char q[200];

	if (e && !e->merged)
		return yj_fail(b, &f->key_mark, "duplicate key %s (first defined at line %zu)",
		               yj_quote(q, sizeof(q), f->key), e->line);
	if (e)
		cJSON_Delete(cJSON_DetachItemViaPointer(f->node, e->val));
	cJSON_AddItemToObject(f->node, f->key, v);
	if (!e)
		e = strtab_add(&f->keys, v->string);
	e->key = v->string;
	e->val = v;
	e->line = f->key_mark.line + 1;
	e->merged = 0;
	return 0;
}

/* Copies the members of src that f lacks: explicit keys and earlier merge
 * sources take precedence. */
static int merge_object(struct builder *b, struct frame *f, const cJSON *src)
{
	const cJSON *c;

	cJSON_ArrayForEach (c, src) {
		struct strent *e;
		cJSON *copy;

		if (yj_strtab_find(&f->keys, c->string))
			continue;
		if (yj_charge(b, c, &f->key_mark))
			return -1;
		copy = cJSON_Duplicate(c, 1);
		cJSON_AddItemToObject(f->node, c->string, copy);
		e = strtab_add(&f->keys, copy->string);
		e->val = copy;
		e->line = f->key_mark.line + 1;
		e->merged = 1;
	}
	return 0;
}

int yj_merge_value(struct builder *b, struct frame *f, const cJSON *v)
{
	const cJSON *c;

	if (cJSON_IsObject(v))
		return merge_object(b, f, v);
	if (!cJSON_IsArray(v))
		goto bad;
	cJSON_ArrayForEach (c, v)
		if (!cJSON_IsObject(c))
			goto bad;
	cJSON_ArrayForEach (c, v)
		if (merge_object(b, f, c))
			return -1;
	return 0;
bad:
	return yj_fail(b, &f->key_mark, "map merge requires map or sequence of maps as the value");
}

/* Copies made from members of an object carry their old name along. */
static void drop_name(cJSON *v)
{
	if (v->string && !(v->type & cJSON_StringIsConst))
		cJSON_free(v->string);
	v->string = NULL;
}

/* Hands a finished value to the open collection (or makes it the root);
 * takes ownership of v in every case. */
int yj_attach(struct builder *b, cJSON *v)
{
	struct frame *f = yj_top(b);
	int rc = 0;

	drop_name(v);
	if (!f) {
		cJSON_Delete(b->root);
		b->root = v;
		return 0;
	}
	if (!f->is_map) {
		cJSON_AddItemToArray(f->node, v);
		return 0;
	}
	if (f->key_merge) {
		rc = yj_merge_value(b, f, v);
		cJSON_AddItemToArray(b->keep, v); /* anchors may point into it */
	} else {
		rc = add_member(b, f, v);
		if (rc)
			cJSON_Delete(v);
	}
	free(f->key);
	f->key = NULL;
	return rc;
}

void yj_set_key(struct builder *b, char *key, int merge, const yaml_mark_t *m)
{
	struct frame *f = yj_top(b);

	f->key = key;
	f->key_merge = merge;
	f->key_mark = *m;
}
