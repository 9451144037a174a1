#include "tap.h"

#include <stdlib.h>

#include "json_write.h"

static const char *const strings[] = {
	"",
	"plain",
	"quote \" backslash \\ slash /",
	"nl\ncr\rtab\tbs\bff\f",
	"ctl \x01\x1f del \x7f",
	"utf-8 caf\xc3\xa9 \xe2\x82\xac",
	"<script>&amp;",
};

int main(void)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *arr = cJSON_CreateArray();
	char *ref;

	for (size_t i = 0; i < sizeof(strings) / sizeof(*strings); i++) {
		cJSON *s = cJSON_CreateString(strings[i]);

		ref = cJSON_PrintUnformatted(s);
		strbuf_reset(&sb);
		json_write_string(&sb, strings[i]);
		is_str(sb.buf, ref, "string %zu escaped as cJSON does", i);
		free(ref);
		cJSON_AddItemToArray(arr, s);
	}
	strbuf_reset(&sb);
	json_write_string(&sb, NULL);
	is_str(sb.buf, "\"\"", "NULL is the empty string");
	strbuf_reset(&sb);
	json_write_value(&sb, arr);
	ref = cJSON_PrintUnformatted(arr);
	is_str(sb.buf, ref, "a value prints as cJSON_PrintUnformatted");
	free(ref);
	cJSON_Delete(arr);
	strbuf_release(&sb);
	return tap_done();
}
