#include "output.h"

#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "strbuf.h"
#include "yaml_json.h"

int output_format_valid(const char *fmt, const char *extra)
{
	return !strcmp(fmt, "json") || !strcmp(fmt, "yaml") || !strcmp(fmt, "name") ||
	       (extra && !strcmp(fmt, extra));
}

void output_json(FILE *out, const cJSON *v)
{
	char *s = cJSON_Print(v), *p;

	if (!s)
		return;
	/* cJSON indents with tabs and writes "key":\tvalue; kubectl uses four
	 * spaces and "key": value.  Raw tabs never occur inside JSON strings. */
	for (p = s; *p; p++) {
		if (*p != '\t')
			fputc(*p, out);
		else if (p > s && p[-1] == ':')
			fputc(' ', out);
		else
			fputs("    ", out);
	}
	fputc('\n', out);
	free(s);
}

static cJSON *as_kubectl_list(const cJSON *list)
{
	cJSON *l = cJSON_CreateObject(), *md = cJSON_CreateObject();

	cJSON_AddStringToObject(l, "apiVersion", "v1");
	cJSON_AddItemToObject(l, "items",
	                      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(list, "items"), 1));
	cJSON_AddStringToObject(l, "kind", "List");
	cJSON_AddStringToObject(md, "resourceVersion", "");
	cJSON_AddItemToObject(l, "metadata", md);
	return l;
}

void output_objects(FILE *out, const char *fmt, const cJSON *list, const char *kind_group)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items"), *it;
	struct strbuf sb = STRBUF_INIT;
	cJSON *l;

	if (!strcmp(fmt, "name")) {
		cJSON_ArrayForEach (it, items) {
			strbuf_reset(&sb);
			term_escape(&sb, json_str(it, "metadata.name", ""));
			fprintf(out, "%s/%s\n", kind_group, sb.buf);
		}
		strbuf_release(&sb);
		return;
	}
	l = as_kubectl_list(list);
	if (!strcmp(fmt, "json")) {
		output_json(out, l);
	} else {
		yamljson_emit(&sb, l);
		fputs(sb.buf, out);
	}
	strbuf_release(&sb);
	cJSON_Delete(l);
}
