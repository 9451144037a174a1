/*
 * fuzz_resource_select.c - libFuzzer target for the --resource selector
 * parser and selection (plugin/resource_select.c).  Each input line is one
 * --resource value; the valid ones then select from a fixed
 * status.resources list.  Checks, beyond memory safety, that the output
 * only ever holds resources of that list and that a failing selection
 * explains itself.
 *
 * Links: plugin/resource_select.c and libgitops.a (errbuf, strbuf, xalloc),
 * with cJSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "errbuf.h"
#include "resource_select.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char status_json[] =
	"[{\"kind\":\"Service\",\"namespace\":\"prod\",\"name\":\"web\"},"
	" {\"group\":\"apps\",\"kind\":\"Deployment\",\"namespace\":\"prod\",\"name\":\"web\"},"
	" {\"group\":\"apps\",\"kind\":\"Deployment\",\"namespace\":\"dev\",\"name\":\"*\"},"
	" {\"kind\":\"Namespace\",\"name\":\"prod\"},"
	" {\"group\":\"\",\"kind\":\"\",\"namespace\":\"\",\"name\":\"\"}]";

static int in_status(const cJSON *status, const cJSON *r)
{
	const cJSON *e;
	const char *fields[] = { "group", "kind", "namespace", "name" };
	size_t i;
	int same;

	cJSON_ArrayForEach (e, status) {
		same = 1;
		for (i = 0; i < 4 && same; i++) {
			const cJSON *a = cJSON_GetObjectItemCaseSensitive(e, fields[i]);
			const cJSON *b = cJSON_GetObjectItemCaseSensitive(r, fields[i]);
			const char *as = cJSON_IsString(a) ? a->valuestring : "";
			const char *bs = cJSON_IsString(b) ? b->valuestring : "";

			same = !strcmp(as, bs);
		}
		if (same)
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct resource_filters f = RESOURCE_FILTERS_INIT;
	struct errbuf err;
	char *buf = xstrndup((const char *)data, size), *line, *next;
	cJSON *status = cJSON_Parse(status_json), *got;
	const cJSON *r;

	if (!status)
		abort();
	for (line = buf; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		resource_filters_add(&f, line, &err);
	}
	err.msg[0] = '\0';
	got = resource_filters_select(&f, status, &err);
	if (!got && (!f.n || !err.msg[0]))
		abort(); /* a failure must come with a message */
	cJSON_ArrayForEach (r, got)
		if (!in_status(status, r))
			abort();
	cJSON_Delete(got);
	cJSON_Delete(status);
	resource_filters_release(&f);
	free(buf);
	return 0;
}
