/*
 * kobj.h - read-only accessors for Kubernetes objects held as cJSON.
 *
 * Every function tolerates NULL and malformed objects (a field of the wrong
 * type counts as absent), because admission input is untrusted.  Returned
 * strings point into the object: they live as long as it does.
 */
#ifndef WEBHOOK_KOBJ_H
#define WEBHOOK_KOBJ_H

#include <string.h>
#include <cjson/cJSON.h>

/* cJSON_IsObject() and cJSON_IsString() without a call into the library. */
static inline int kobj_is_object(const cJSON *v)
{
	return v && (v->type & 0xff) == cJSON_Object;
}

static inline int kobj_is_string(const cJSON *v)
{
	return v && (v->type & 0xff) == cJSON_String;
}

/*
 * cJSON_GetObjectItemCaseSensitive(obj, key), inline: it runs for every
 * field any policy reads, and most keys differ from the one sought in
 * their first byte, which is tested before paying for a strcmp call.
 */
static inline const cJSON *kobj_get(const cJSON *obj, const char *key)
{
	const cJSON *it;

	if (!obj)
		return NULL;
	for (it = obj->child; it && it->string; it = it->next)
		if (it->string[0] == key[0] && !strcmp(it->string, key))
			return it;
	return NULL;
}

/* obj[key] when it is a string, else NULL. */
const char *kobj_str(const cJSON *obj, const char *key);
/* obj[key] when it is an object, else NULL. */
const cJSON *kobj_obj(const cJSON *obj, const char *key);
/* obj.a.b.c... ("spec", "syncPolicy", NULL): the object at that path or NULL. */
const cJSON *kobj_path(const cJSON *obj, ...) __attribute__((sentinel));

const char *kobj_name(const cJSON *obj);
const char *kobj_namespace(const cJSON *obj);
const char *kobj_kind(const cJSON *obj);
const char *kobj_annotation(const cJSON *obj, const char *key);
const char *kobj_label(const cJSON *obj, const char *key);

/* 1 when the string array `arr` contains s. */
int kobj_array_has(const cJSON *arr, const char *s);

/*
 * cJSON_Compare(a, b, 1) without its quadratic object walk: members in the
 * same order (the usual case: both objects come from the same encoder)
 * are compared pairwise, others looked up by key.  Objects with duplicate
 * keys may compare differently from cJSON_Compare (which matches the first
 * of them on both sides); valid Kubernetes objects have none.
 */
int kobj_equal(const cJSON *a, const cJSON *b);
/* The same for two objects, ignoring the members for which skip(key) is
 * true and comparing the others with cmp(key, x, y). */
int kobj_equal_members(const cJSON *a, const cJSON *b, int (*skip)(const char *key),
                       int (*cmp)(const char *key, const cJSON *x, const cJSON *y));

#endif
