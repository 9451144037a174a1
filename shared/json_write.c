#include <stdlib.h>

#include "json_write.h"

void json_write_string(struct strbuf *out, const char *s)
{
	const char *run;

	strbuf_addch(out, '"');
	for (run = s = s ? s : ""; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		strbuf_add(out, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"':
			strbuf_addstr(out, "\\\"");
			break;
		case '\\':
			strbuf_addstr(out, "\\\\");
			break;
		case '\b':
			strbuf_addstr(out, "\\b");
			break;
		case '\f':
			strbuf_addstr(out, "\\f");
			break;
		case '\n':
			strbuf_addstr(out, "\\n");
			break;
		case '\r':
			strbuf_addstr(out, "\\r");
			break;
		case '\t':
			strbuf_addstr(out, "\\t");
			break;
		default:
			strbuf_addf(out, "\\u%04x", c);
			break;
		}
	}
	strbuf_add(out, run, (size_t)(s - run));
	strbuf_addch(out, '"');
}

void json_write_value(struct strbuf *out, const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);

	if (s)
		strbuf_addstr(out, s);
	free(s);
}
