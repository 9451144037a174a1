#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "kobj.h"

const char *kobj_str(const cJSON *obj, const char *key)
{
	const cJSON *v;

	if (!kobj_is_object(obj))
		return NULL;
	v = kobj_get(obj, key);
	return kobj_is_string(v) ? v->valuestring : NULL;
}

const cJSON *kobj_obj(const cJSON *obj, const char *key)
{
	const cJSON *v;

	if (!kobj_is_object(obj))
		return NULL;
	v = kobj_get(obj, key);
	return kobj_is_object(v) ? v : NULL;
}

const cJSON *kobj_path(const cJSON *obj, ...)
{
	va_list ap;
	const char *key;

	va_start(ap, obj);
	while (obj && (key = va_arg(ap, const char *)))
		obj = kobj_obj(obj, key);
	va_end(ap);
	return obj;
}

const char *kobj_name(const cJSON *obj)
{
	return kobj_str(kobj_obj(obj, "metadata"), "name");
}

const char *kobj_namespace(const cJSON *obj)
{
	return kobj_str(kobj_obj(obj, "metadata"), "namespace");
}

const char *kobj_kind(const cJSON *obj)
{
	return kobj_str(obj, "kind");
}

/* kobj_path() spelt out: these run several times per request. */
const char *kobj_annotation(const cJSON *obj, const char *key)
{
	return kobj_str(kobj_obj(kobj_obj(obj, "metadata"), "annotations"), key);
}

const char *kobj_label(const cJSON *obj, const char *key)
{
	return kobj_str(kobj_obj(kobj_obj(obj, "metadata"), "labels"), key);
}

int kobj_array_has(const cJSON *arr, const char *s)
{
	const cJSON *it;

	if (!cJSON_IsArray(arr) || !s)
		return 0;
	cJSON_ArrayForEach (it, arr)
		if (cJSON_IsString(it) && !strcmp(it->valuestring, s))
			return 1;
	return 0;
}

static int same_double(double a, double b)
{
	double max = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

	return fabs(a - b) <= max * DBL_EPSILON;
}

static int plain_cmp(const char *key, const cJSON *x, const cJSON *y)
{
	(void)key;
	return kobj_equal(x, y);
}

static const cJSON *next_member(const cJSON *it, int (*skip)(const char *key))
{
	while (it && skip && skip(it->string))
		it = it->next;
	return it;
}

/* The first member named key, as cJSON_GetObjectItemCaseSensitive finds it. */
static const cJSON *member(const cJSON *obj, const char *key)
{
	for (const cJSON *it = obj->child; it; it = it->next)
		if (it->string && it->string[0] == key[0] && !strcmp(it->string, key))
			return it;
	return NULL;
}

int kobj_equal_members(const cJSON *a, const cJSON *b, int (*skip)(const char *key),
                       int (*cmp)(const char *key, const cJSON *x, const cJSON *y))
{
	const cJSON *x = next_member(a->child, skip), *y = next_member(b->child, skip);
	size_t na = 0, nb = 0;

	if (!cmp)
		cmp = plain_cmp;
	/* Same keys in the same order: pairwise. */
	while (x && y && x->string && y->string && !strcmp(x->string, y->string)) {
		if (!cmp(x->string, x, y))
			return 0;
		x = next_member(x->next, skip);
		y = next_member(y->next, skip);
	}
	if (!x && !y)
		return 1;
	/* Otherwise by key, and the same number of members on both sides. */
	for (x = next_member(a->child, skip); x; x = next_member(x->next, skip), na++)
		if (!x->string || !(y = member(b, x->string)) || !cmp(x->string, x, y))
			return 0;
	for (y = next_member(b->child, skip); y; y = next_member(y->next, skip))
		nb++;
	return na == nb;
}

static int same_key(const cJSON *x, const cJSON *y)
{
	return x->string && y->string && x->string[0] == y->string[0] &&
	       !strcmp(x->string, y->string);
}

/* kobj_equal_members(a, b, NULL, NULL) without its callbacks on the usual
 * path, members in the same order; any other order takes the general one. */
static int equal_objects(const cJSON *a, const cJSON *b)
{
	const cJSON *x = a->child, *y = b->child;

	for (; x && y && same_key(x, y); x = x->next, y = y->next)
		if (!kobj_equal(x, y))
			return 0;
	if (!x && !y)
		return 1;
	return kobj_equal_members(a, b, NULL, NULL);
}

int kobj_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;

	if (!a || !b || (a->type & 0xff) != (b->type & 0xff) || (a->type & 0xff) == cJSON_Invalid)
		return 0;
	if (a == b)
		return 1;
	switch (a->type & 0xff) {
	case cJSON_False:
	case cJSON_True:
	case cJSON_NULL:
		return 1;
	case cJSON_Number:
		return same_double(a->valuedouble, b->valuedouble);
	case cJSON_String:
		return a->valuestring && b->valuestring && !strcmp(a->valuestring, b->valuestring);
	case cJSON_Raw:
		if (!a->valuestring || !b->valuestring)
			return 0;
		/* A member json_arena left as text is not NUL-terminated: its
		 * length is in valuedouble (cJSON_CreateRaw's, as yaml_parse
		 * makes for numbers, have 0 there).  The same text is the same value. */
		if (a->valuedouble > 0 || b->valuedouble > 0)
			return a->valuedouble == b->valuedouble &&
			       !memcmp(a->valuestring, b->valuestring, (size_t)a->valuedouble);
		return !strcmp(a->valuestring, b->valuestring);
	case cJSON_Array:
		for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
			if (!kobj_equal(x, y))
				return 0;
		return !x && !y;
	case cJSON_Object:
		return equal_objects(a, b);
	default:
		return 0;
	}
}
