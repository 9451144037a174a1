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
 * Ownership: the struct owns `root` (the whole parsed review); every other
 * pointer points into it and dies with admission_request_release().
 */
#ifndef WEBHOOK_ADMISSION_H
#define WEBHOOK_ADMISSION_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "strbuf.h"

struct errbuf;

enum admission_op { OP_CREATE, OP_UPDATE, OP_DELETE, OP_CONNECT };

struct admission_request {
	cJSON *root;
	const char *uid;
	enum admission_op op;
	const char *operation;          /* "CREATE", … */
	const char *group, *version, *kind;  /* request.kind; group "" = core */
	const char *resource, *sub_resource; /* sub_resource "" for the main resource */
	const char *name, *ns;          /* "" when absent */
	const char *username;           /* "" when absent */
	const cJSON *groups;            /* userInfo.groups array, or NULL */
	const cJSON *object;            /* NULL when absent or null */
	const cJSON *old_object;
	int dry_run;
};

/* Parses a JSON body (cJSON nesting limit applies). */
int admission_request_parse(struct admission_request *req, const char *buf, size_t len,
			    struct errbuf *err);
/* Same checks on an already parsed document, which the request then owns
 * (it is freed even on failure). */
int admission_request_from_json(struct admission_request *req, cJSON *root,
				struct errbuf *err);
void admission_request_release(struct admission_request *req);

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
	int code;                       /* 403 on denial */
	struct strbuf message;
	cJSON *warnings;
	cJSON *audit;
};

void admission_response_init(struct admission_response *resp);
void admission_response_release(struct admission_response *resp);
void admission_response_warn(struct admission_response *resp, const char *msg);
void admission_response_audit(struct admission_response *resp, const char *key,
			      const char *value);

/* The AdmissionReview JSON (one line) for uid; the caller frees it. */
char *admission_response_render(const char *uid, const struct admission_response *resp);

#endif
