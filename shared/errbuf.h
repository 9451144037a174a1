/*
 * errbuf.h - how shared/ reports errors.
 *
 * shared/ never prints and never exits.  A function that can fail returns
 * 0 on success and -1 on failure, and fills the caller's struct errbuf with
 * one lowercase sentence (git's wording rules: no trailing full stop) and,
 * for API errors, the HTTP status in `code` (0 otherwise).  The caller owns
 * the errbuf; it lives on the stack and needs no freeing.  Passing NULL is
 * allowed where the caller does not care why.
 */
#ifndef ERRBUF_H
#define ERRBUF_H

#define ERRBUF_MAX 1024

struct errbuf {
	int code; /* HTTP status for API errors, else 0 */
	char reason[48]; /* Kubernetes Status reason ("NotFound"), or "" */
	char msg[ERRBUF_MAX];
};

/* Fills err (if not NULL) and returns -1, so `return errbuf_set(err, …);` reads well. */
__attribute__((format(printf, 2, 3))) int errbuf_set(struct errbuf *err, const char *fmt, ...);

/* Prepends "what: " to the message already in err; returns -1. */
__attribute__((format(printf, 2, 3))) int errbuf_prefix(struct errbuf *err, const char *fmt, ...);

void errbuf_clear(struct errbuf *err);

#endif
