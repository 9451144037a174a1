/*
 * emit.h must append exactly what strbuf_add() and json_write_string()
 * append: the escape test reads eight bytes at a time, so every byte
 * value is tried at every offset of strings around the word size, and
 * the appends at the edges of the buffer's room.
 */
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "json_write.h"
#include "tap.h"

static int slow_needs_escape(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
			return 1;
	return 0;
}

/* Every byte value at every offset of strings of 1 to 40 bytes. */
static void test_needs_escape(void)
{
	char s[41];
	int bad = 0;

	for (size_t n = 1; n <= 40; n++)
		for (size_t at = 0; at < n; at++)
			for (int c = 0; c < 256; c++) {
				memset(s, 'a', n);
				s[at] = (char)c;
				if (emit_needs_escape(s, n) != slow_needs_escape(s, n))
					bad++;
			}
	is_int(bad, 0, "the word-wide test agrees with the byte test, any byte, any offset");
	memset(s, 0x7f, sizeof(s));
	ok(!emit_needs_escape(s, 40), "DEL needs no escape");
	memset(s, 0x80, sizeof(s));
	ok(!emit_needs_escape(s, 40), "bytes >= 0x80 pass through");
	memset(s, ' ', sizeof(s));
	ok(!emit_needs_escape(s, 40), "space is the first plain byte");
	ok(!emit_needs_escape("", 0), "nothing to escape in nothing");
	/* A byte after the n counted ones is not looked at. */
	memcpy(s, "abcdefgh\"", 9);
	ok(!emit_needs_escape(s, 8), "only n bytes are read");
}

static int same_as_json_write(const char *s)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int same;

	strbuf_addstr(&a, "x");
	strbuf_addstr(&b, "x");
	emit_json_string(&a, s);
	json_write_string(&b, s);
	same = a.len == b.len && !memcmp(a.buf, b.buf, a.len + 1);
	strbuf_release(&a);
	strbuf_release(&b);
	return same;
}

static void test_json_string(void)
{
	static const char specials[] = { '"', '\\', '\n', '\t', '\b', '\f', '\r', 0x01, 0x1f, '/' };
	char s[64];
	int bad = 0;

	ok(same_as_json_write(NULL), "NULL is \"\"");
	ok(same_as_json_write(""), "the empty string");
	ok(same_as_json_write("deletion-protection: Deployment prod/web"), "a plain message");
	ok(same_as_json_write("caf\xc3\xa9 \xe2\x9c\x93"), "UTF-8 passes through");
	/* An escape on either side of every 8-byte boundary of the scan. */
	for (size_t n = 1; n < 40; n++)
		for (size_t at = 0; at < n; at++)
			for (size_t k = 0; k < sizeof(specials); k++) {
				memset(s, 'a' + (int)(n % 26), n);
				s[n] = '\0';
				s[at] = specials[k];
				bad += !same_as_json_write(s);
			}
	is_int(bad, 0, "escapes at every offset, as json_write_string() writes them");
	srand(7);
	for (int i = 0; i < 2000; i++) {
		size_t n = (size_t)(rand() % 63);

		for (size_t j = 0; j < n; j++)
			s[j] = (char)(rand() % 8 ? 0x20 + rand() % 0x5f : 1 + rand() % 255);
		s[n] = '\0';
		bad += !same_as_json_write(s);
	}
	is_int(bad, 0, "random strings, as json_write_string() writes them");
}

static void test_add(void)
{
	struct strbuf sb = STRBUF_INIT;
	char big[600];

	emit_add(&sb, "", 0);
	ok(sb.alloc && sb.len == 0 && sb.buf[0] == '\0', "an empty append to an empty buffer");
	strbuf_release(&sb);
	emit_lit(&sb, "ab");
	emit_str(&sb, "cd");
	is_str(sb.buf, "abcd", "literal and string appends");
	/* Fill up to the last byte before the NUL, then one more byte. */
	while (sb.alloc - sb.len > 1)
		emit_lit(&sb, "x");
	is_int(sb.alloc - sb.len, 1, "full but for the NUL");
	emit_lit(&sb, "y");
	ok(sb.len < sb.alloc && sb.buf[sb.len] == '\0' && sb.buf[sb.len - 1] == 'y',
	   "one more byte grows the buffer and keeps the NUL");
	strbuf_release(&sb);
	memset(big, 'z', sizeof(big));
	emit_add(&sb, big, sizeof(big));
	emit_json_string(&sb, "q");
	ok(sb.len == sizeof(big) + 3 && !memcmp(sb.buf + sizeof(big), "\"q\"", 4),
	   "a piece longer than the slack");
	strbuf_release(&sb);
}

int main(void)
{
	test_needs_escape();
	test_json_string();
	test_add();
	return tap_done();
}
