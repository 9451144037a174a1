#include <ctype.h>
#include <string.h>

#include "kobj.h"
#include "sync_options.h"

int sync_options_has(const char *value, const char *option)
{
	size_t olen = option ? strlen(option) : 0;

	if (!value || !olen)
		return 0;
	while (*value) {
		const char *end = strchr(value, ',');
		const char *stop = end ? end : value + strlen(value);

		while (value < stop && isspace((unsigned char)*value))
			value++;
		while (stop > value && isspace((unsigned char)stop[-1]))
			stop--;
		if ((size_t)(stop - value) == olen && !memcmp(value, option, olen))
			return 1;
		if (!end)
			break;
		value = end + 1;
	}
	return 0;
}

int object_has_sync_option(const cJSON *obj, const char *option)
{
	return sync_options_has(kobj_annotation(obj, SYNC_OPTIONS_ANNOTATION), option);
}

int app_has_sync_option(const cJSON *app, const char *option)
{
	const cJSON *opts = cJSON_GetObjectItemCaseSensitive(
		kobj_path(app, "spec", "syncPolicy", NULL), "syncOptions");
	const cJSON *it;

	if (!cJSON_IsArray(opts))
		return 0;
	cJSON_ArrayForEach (it, opts)
		if (cJSON_IsString(it) && sync_options_has(it->valuestring, option))
			return 1;
	return 0;
}
