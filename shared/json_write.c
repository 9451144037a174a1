#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_write.h"

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Nonzero when one of the 8 bytes of w is escaped: below 0x20, '"' or
 * '\\' (the has-less-than and has-zero-byte tests, exact as a yes/no). */
static uint64_t word_needs_escape(uint64_t w)
{
	uint64_t quote = w ^ (ONES * '"'), bslash = w ^ (ONES * '\\');

	return ((w - ONES * 0x20) & ~w & HIGHS) | ((quote - ONES) & ~quote & HIGHS) |
	       ((bslash - ONES) & ~bslash & HIGHS);
}

/* Eight bytes at a time (memcpy is one load); a string of 8 bytes or more
 * ends with a word overlapping the one before. */
static int needs_escape(const char *s, size_t n)
{
	uint64_t w;
	size_t i;

	if (n < 8) {
		for (i = 0; i < n; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
				return 1;
		return 0;
	}
	for (i = 0; i + 8 < n; i += 8) {
		memcpy(&w, s + i, 8);
		if (word_needs_escape(w))
			return 1;
	}
	memcpy(&w, s + n - 8, 8);
	return word_needs_escape(w) != 0;
}

void json_write_string(struct strbuf *out, const char *s)
{
	const char *run;
	size_t n;

	/* Names, kinds and messages mostly need no escape: one scan, one copy. */
	s = s ? s : "";
	n = strlen(s);
	if (!needs_escape(s, n)) {
		strbuf_grow(out, n + 2);
		out->buf[out->len] = '"';
		memcpy(out->buf + out->len + 1, s, n);
		out->buf[out->len + 1 + n] = '"';
		out->len += n + 2;
		out->buf[out->len] = '\0';
		return;
	}
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
