/*
 * xalloc.h - allocation that cannot fail.
 *
 * Out of memory is the one condition shared/ does not report to its caller:
 * every x*() function aborts the process with a message on stderr instead
 * of returning NULL.  Buffers that hold network input are bounded by their
 * own modules, so an attacker cannot reach this path by sending a large body.
 */
#ifndef XALLOC_H
#define XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* xstrdup() that maps NULL to NULL. */
char *xstrdup_or_null(const char *s);

#endif
