/*
 * strbuf.h - a growable, always NUL-terminated byte buffer (after git).
 *
 * Ownership: a strbuf owns sb->buf.  strbuf_release() frees it and leaves
 * the strbuf ready for reuse; strbuf_detach() hands the buffer to the
 * caller (who frees it with free()).  An initialised, empty strbuf points
 * at a static "" and allocates nothing, so STRBUF_INIT is free to use.
 */
#ifndef STRBUF_H
#define STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT                  \
	{                            \
		0, 0, strbuf_slopbuf \
	}

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_reset(struct strbuf *sb);
void strbuf_setlen(struct strbuf *sb, size_t len);

/*
 * Appends are inline: the webhook makes dozens per request, and with room
 * to spare one is a compare and a copy.
 */
static inline void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (sb->alloc - sb->len <= len) /* also when alloc is 0: the static "" */
		strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

static inline void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

static inline void strbuf_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;

	strbuf_add(sb, &ch, 1);
}

/* A string literal, without a strlen. */
#define strbuf_addlit(sb, lit) strbuf_add((sb), "" lit, sizeof(lit) - 1)

__attribute__((format(printf, 2, 3))) void strbuf_addf(struct strbuf *sb, const char *fmt, ...);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Appends s percent-encoded for a URL query value or path segment. */
void strbuf_addurlenc(struct strbuf *sb, const char *s);

/* Reads the whole file; returns 0, or -1 with errno set (sb unchanged). */
int strbuf_read_file(struct strbuf *sb, const char *path, size_t max);

#endif
