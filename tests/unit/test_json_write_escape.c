/*
 * json_write_string() scans for bytes to escape eight at a time, so every
 * byte value is tried at every offset of strings around the word size,
 * against cJSON's own printing; and strbuf's inline appends at the edge of
 * the buffer's room.
 */
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "json_write.h"
#include "tap.h"

static int same_as_cjson(const char *s)
{
	struct strbuf a = STRBUF_INIT;
	cJSON *str = cJSON_CreateString(s ? s : "");
	char *ref = cJSON_PrintUnformatted(str);
	int same;

	strbuf_addlit(&a, "x");
	json_write_string(&a, s);
	same = !strcmp(a.buf + 1, ref);
	free(ref);
	cJSON_Delete(str);
	strbuf_release(&a);
	return same;
}

static void test_escapes(void)
{
	char s[64];
	int bad = 0;

	ok(same_as_cjson(NULL), "NULL is \"\"");
	ok(same_as_cjson(""), "the empty string");
	ok(same_as_cjson("caf\xc3\xa9 \xe2\x9c\x93"), "UTF-8 passes through");
	/* Every byte value (but NUL) at every offset of strings of 1 to 40 bytes. */
	for (size_t n = 1; n <= 40; n++)
		for (size_t at = 0; at < n; at++)
			for (int c = 1; c < 256; c++) {
				memset(s, 'a', n);
				s[n] = '\0';
				s[at] = (char)c;
				bad += !same_as_cjson(s);
			}
	is_int(bad, 0, "any byte at any offset is written as cJSON prints it");
	srand(7);
	for (int i = 0; i < 2000; i++) {
		size_t n = (size_t)(rand() % 63);

		for (size_t j = 0; j < n; j++)
			s[j] = (char)(rand() % 8 ? 0x20 + rand() % 0x5f : 1 + rand() % 255);
		s[n] = '\0';
		bad += !same_as_cjson(s);
	}
	is_int(bad, 0, "random strings too");
}

static void test_add(void)
{
	struct strbuf sb = STRBUF_INIT;
	char big[600];

	strbuf_add(&sb, "", 0);
	ok(sb.alloc && sb.len == 0 && sb.buf[0] == '\0', "an empty append to an empty buffer");
	strbuf_release(&sb);
	strbuf_addlit(&sb, "ab");
	strbuf_addstr(&sb, "cd");
	is_str(sb.buf, "abcd", "literal and string appends");
	/* Fill up to the last byte before the NUL, then one more byte. */
	while (sb.alloc - sb.len > 1)
		strbuf_addch(&sb, 'x');
	is_int((int)(sb.alloc - sb.len), 1, "full but for the NUL");
	strbuf_addlit(&sb, "y");
	ok(sb.len < sb.alloc && sb.buf[sb.len] == '\0' && sb.buf[sb.len - 1] == 'y',
	   "one more byte grows the buffer and keeps the NUL");
	strbuf_release(&sb);
	memset(big, 'z', sizeof(big));
	strbuf_add(&sb, big, sizeof(big));
	json_write_string(&sb, "q");
	ok(sb.len == sizeof(big) + 3 && !memcmp(sb.buf + sizeof(big), "\"q\"", 4),
	   "a quoted string after a long piece");
	strbuf_release(&sb);
}

int main(void)
{
	test_escapes();
	test_add();
	return tap_done();
}
