#include <string.h>

#include "config.h"
#include "kobj.h"
#include "tracking.h"

/* 1 when s (of length n) is "<a>/<b>" with exactly one '/'. */
static int one_slash(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);

	return slash && !memchr(slash + 1, '/', n - (size_t)(slash - s) - 1);
}

int tracking_id_instance(const char *id, char *instance, size_t size)
{
	const char *c1, *c2;

	if (!id || !(c1 = strchr(id, ':')) || !(c2 = strchr(c1 + 1, ':')) || strchr(c2 + 1, ':'))
		return -1;
	if (!one_slash(c1 + 1, (size_t)(c2 - c1 - 1)) || !one_slash(c2 + 1, strlen(c2 + 1)))
		return -1;
	if (c1 == id || (size_t)(c1 - id) >= size)
		return -1;
	memcpy(instance, id, (size_t)(c1 - id));
	instance[c1 - id] = '\0';
	return 0;
}

static int copy(char *dst, size_t size, const char *src, size_t n)
{
	if (!n || n >= size)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

int app_instance_to_ref(const char *instance, const char *control_ns, struct app_ref *out)
{
	const char *us = instance ? strchr(instance, '_') : NULL;

	if (!instance)
		return -1;
	if (!us)
		return copy(out->ns, sizeof(out->ns), control_ns, strlen(control_ns)) ||
		                       copy(out->name, sizeof(out->name), instance, strlen(instance))
		               ? -1
		               : 0;
	return copy(out->ns, sizeof(out->ns), instance, (size_t)(us - instance)) ||
	                       copy(out->name, sizeof(out->name), us + 1, strlen(us + 1))
	               ? -1
	               : 0;
}

int tracking_owner(const cJSON *obj, const struct webhook_config *cfg, struct app_ref *owner)
{
	char instance[512];

	if (!obj)
		return 0;
	if (cfg->tracking_method == TRACKING_LABEL) {
		const char *label = kobj_label(obj, cfg->instance_label_key);

		return label && !app_instance_to_ref(label, cfg->control_plane_namespace, owner);
	}
	if (tracking_id_instance(kobj_annotation(obj, TRACKING_ID_ANNOTATION), instance,
	                         sizeof(instance)))
		return 0;
	return !app_instance_to_ref(instance, cfg->control_plane_namespace, owner);
}
