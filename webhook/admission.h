/*
 * admission.h - admission.k8s.io/v1 AdmissionReview in and out
 * (webhook.md §1.2, §1.3).
 *
 * admission_request_parse() accepts only apiVersion admission.k8s.io/v1,
 * kind AdmissionReview, with a request that has a uid, a known operation
 * and a kind; anything else (v1beta1 included) is an error whose message
 * says what was wrong, for a 400 answer.  Field types are checked, so the
 * policies can trust what they read through the struct.
 *
 * Ownership: every pointer points into the parsed review, which dies with
 * admission_request_release().  admission_request_parse() keeps its own
 * copy of the body; admission_request_parse_in() parses in place, in an
 * arena the caller owns (json_arena.h), which must outlive the request;
 * admission_request_from_json() takes a cJSON tree of its own.
 *
 * The two parsers leave out what no policy reads: `status` and
 * `metadata.managedFields` of object and oldObject are checked as JSON
 * but not kept in the tree (they are most of a typical object, and
 * building them was most of the parsing time).  A policy that needs them
 * must take them off ADMISSION_SKIPPED in admission.c.  The `spec` of
 * object and oldObject is checked and kept as text, and built at once only
 * for argoproj.io kinds, whose policies read it; for other kinds, a policy
 * that reads it (the change-freeze comparison) calls
 * admission_request_expand() first.
 */
#ifndef WEBHOOK_ADMISSION_H
#define WEBHOOK_ADMISSION_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "strbuf.h"

struct arena;
struct errbuf;

enum admission_op { OP_CREATE, OP_UPDATE, OP_DELETE, OP_CONNECT };

struct admission_request {
	cJSON *root;
	int root_is_cjson; /* root was made by cJSON: cJSON_Delete it */
	struct arena *own_arena; /* parse()'s copy of the body and tree */
	const char *uid;
	enum admission_op op;
	const char *operation; /* "CREATE", … */
	const char *group, *version, *kind; /* request.kind; group "" = core */
	const char *resource, *sub_resource; /* sub_resource "" for the main resource */
	const char *name, *ns; /* "" when absent */
	const char *username; /* "" when absent */
	const cJSON *groups; /* userInfo.groups array, or NULL */
	const cJSON *object; /* NULL when absent or null */
	const cJSON *old_object;
	int dry_run;
	struct arena *tree_arena; /* for admission_request_expand(); NULL: nothing deferred */
};

/* Parses a JSON body (json_arena.h: strict RFC 8259, cJSON's nesting limit). */
int admission_request_parse(struct admission_request *req, const char *buf, size_t len,
                            struct errbuf *err);
/* The same without a copy: buf is decoded in place and the tree built in
 * `a`; neither may change or go away before admission_request_release(). */
int admission_request_parse_in(struct admission_request *req, char *buf, size_t len,
                               struct arena *a, struct errbuf *err);
/* Same checks on an already parsed document, which the request then owns
 * (it is freed even on failure). */
int admission_request_from_json(struct admission_request *req, cJSON *root, struct errbuf *err);
void admission_request_release(struct admission_request *req);
/*
 * Builds the parts of object and oldObject left as text (their `spec`),
 * so that every member of both can be read.  The request is logically
 * unchanged, hence const.  0, or -1 with err set; the text was checked
 * when parsed, so only an inconsistency in json_arena could fail here.
 */
int admission_request_expand(const struct admission_request *req, struct errbuf *err);

/* 1 when the user or one of its groups is in the list. */
int admission_user_in(const struct admission_request *req, const char *const *users,
                      size_t nr_users, const char *const *groups, size_t nr_groups);

/*
 * What goes back.  `warnings` is an array of strings and `audit` an object
 * of string values; both may be NULL.  The response is owned by the caller
 * (admission_response_release).
 */
struct admission_response {
	int allowed;
	int code; /* 403 on denial */
	struct strbuf message;
	cJSON *warnings;
	cJSON *audit;
};

void admission_response_init(struct admission_response *resp);
void admission_response_release(struct admission_response *resp);
void admission_response_warn(struct admission_response *resp, const char *msg);
void admission_response_audit(struct admission_response *resp, const char *key, const char *value);

/* The AdmissionReview JSON (one line) for uid; the caller frees it. */
char *admission_response_render(const char *uid, const struct admission_response *resp);
/* The same, appended to out (no newline). */
void admission_response_render_to(struct strbuf *out, const char *uid,
                                  const struct admission_response *resp);

#endif
