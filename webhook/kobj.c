#include <stdarg.h>
#include <string.h>

#include "kobj.h"

const char *kobj_str(const cJSON *obj, const char *key)
{
	const cJSON *v;

	if (!cJSON_IsObject(obj))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const cJSON *kobj_obj(const cJSON *obj, const char *key)
{
	const cJSON *v;

	if (!cJSON_IsObject(obj))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsObject(v) ? v : NULL;
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

const char *kobj_annotation(const cJSON *obj, const char *key)
{
	return kobj_str(kobj_path(obj, "metadata", "annotations", NULL), key);
}

const char *kobj_label(const cJSON *obj, const char *key)
{
	return kobj_str(kobj_path(obj, "metadata", "labels", NULL), key);
}

int kobj_array_has(const cJSON *arr, const char *s)
{
	const cJSON *it;

	if (!cJSON_IsArray(arr) || !s)
		return 0;
	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && !strcmp(it->valuestring, s))
			return 1;
	return 0;
}
