/*
 * emit.h - appending to a strbuf on the per-request path (the answer, the
 * decision-log line, policy messages).
 *
 * strbuf_add() is a call into shared/ that calls strbuf_grow() and memcpy
 * in turn, and strbuf_addf() runs vsnprintf twice when the buffer is
 * short; a request appends a few dozen short pieces, so these inline
 * versions grow only when needed and copy literals with a known length.
 * The bytes appended are exactly those of the strbuf_* and json_write_*
 * calls they replace.
 */
#ifndef WEBHOOK_EMIT_H
#define WEBHOOK_EMIT_H

#include <stdint.h>
#include <string.h>

#include "strbuf.h"

/*
 * Room for n more bytes and the NUL.  A message or line is built from
 * many short pieces, so growth takes some slack: one allocation instead
 * of a realloc every few pieces.
 */
#define EMIT_SLACK 256

static inline void emit_room(struct strbuf *sb, size_t n)
{
	/* (No slack for an absurd n: strbuf_grow() must see it to abort.) */
	if (sb->alloc - sb->len <= n)
		strbuf_grow(sb, n < SIZE_MAX - EMIT_SLACK ? n + EMIT_SLACK : n);
}

static inline void emit_add(struct strbuf *sb, const char *s, size_t n)
{
	emit_room(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

/* A string literal, without a strlen. */
#define emit_lit(sb, lit) emit_add((sb), "" lit, sizeof(lit) - 1)

static inline void emit_str(struct strbuf *sb, const char *s)
{
	emit_add(sb, s, strlen(s));
}

/* 1 when one of the n bytes at s is escaped in JSON (json_write.h). */
int emit_needs_escape(const char *s, size_t n);
/* json_write_string(sb, s): s quoted, escaped as cJSON escapes it. */
void emit_json_string(struct strbuf *sb, const char *s);

#endif
