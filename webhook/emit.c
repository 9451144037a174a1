#include <stdint.h>

#include "emit.h"
#include "json_write.h"

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Nonzero when one of the 8 bytes of w is a byte json_write_string()
 * escapes: a control character (< 0x20), '"' or '\\'.  Exact as a yes/no
 * (the classic has-less-than and has-zero-byte tests). */
static uint64_t word_needs_escape(uint64_t w)
{
	uint64_t quote = w ^ (ONES * '"'), bslash = w ^ (ONES * '\\');

	return ((w - ONES * 0x20) & ~w & HIGHS) | ((quote - ONES) & ~quote & HIGHS) |
	       ((bslash - ONES) & ~bslash & HIGHS);
}

static int byte_needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/* Eight bytes at a time, in bounds (memcpy compiles to one load); a
 * string of 8 bytes or more ends with a last word overlapping the one
 * before, not byte by byte. */
static inline int needs_escape(const char *s, size_t n)
{
	uint64_t w;
	size_t i;

	if (n < 8) {
		for (i = 0; i < n; i++)
			if (byte_needs_escape((unsigned char)s[i]))
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

int emit_needs_escape(const char *s, size_t n)
{
	return needs_escape(s, n);
}

/* Most strings need no escape (names, kinds, policy messages): one scan
 * and one copy; the rare others go through json_write_string(). */
void emit_json_string(struct strbuf *sb, const char *s)
{
	const char *p = s ? s : "";
	size_t n = strlen(p);

	if (needs_escape(p, n)) {
		json_write_string(sb, p);
		return;
	}
	emit_room(sb, n + 2);
	sb->buf[sb->len] = '"';
	memcpy(sb->buf + sb->len + 1, p, n);
	sb->buf[sb->len + 1 + n] = '"';
	sb->len += n + 2;
	sb->buf[sb->len] = '\0';
}
