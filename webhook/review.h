/*
 * review.h - judge one AdmissionReview: parse, run the policies against a
 * state snapshot, render the response, log the decision, count it.
 *
 * Shared by the HTTPS server and the offline `check` command, so both give
 * the same answer for the same input.  Nothing here blocks on I/O except
 * the one decision-log line.
 */
#ifndef WEBHOOK_REVIEW_H
#define WEBHOOK_REVIEW_H

#include <stdio.h>
#include <time.h>

#include "strbuf.h"

struct admission_request;
struct admission_response;
struct review_scratch;
struct metrics;
struct state_snapshot;
struct state_store;
struct webhook_config;

struct review_env {
	const struct webhook_config *cfg;
	struct state_store *store; /* the live state, or NULL to use `snapshot` */
	struct state_snapshot *snapshot; /* borrowed; NULL with no store = empty state */
	struct metrics *metrics; /* NULL = not counted */
	FILE *log; /* decision log; NULL = not logged */
	time_t now; /* 0 = the wall clock at each request */
	struct review_scratch *scratch; /* reused request memory; NULL = fresh each time */
};

/*
 * Memory review_http() reuses from one request to the next: a stack of
 * arenas (arena.h), one taken per request in flight, so that a server
 * thread parses its requests without calling malloc.  Thread-safe.
 * review_scratch_free() must wait until no request uses it.
 */
struct review_scratch *review_scratch_new(void);
void review_scratch_free(struct review_scratch *sc);

/* Judges a parsed request; fills resp (initialised by the caller). */
void review_decide(const struct review_env *env, const struct admission_request *req,
                   struct admission_response *resp);

/*
 * A raw HTTP body to the HTTP status and body to send: 200 and an
 * AdmissionReview, or 400 and a metav1 Status saying what is wrong with the
 * input.  `out` is appended to.
 */
int review_http(const struct review_env *env, const char *body, size_t len, struct strbuf *out);
/*
 * review_http() parsing body in place, for a caller done with it: the
 * body's bytes are overwritten (strings are decoded where they stand), and
 * body[len] must be writable.  Saves copying it.
 */
int review_http_in_place(const struct review_env *env, char *body, size_t len, struct strbuf *out);

/* A metav1 Status document for an HTTP error. */
void review_status_body(struct strbuf *out, int code, const char *reason, const char *msg);

#endif
