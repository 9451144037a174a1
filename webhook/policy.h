/*
 * policy.h - the policy framework: what a policy sees, how its verdict is
 * turned into an admission response according to its mode, exemptions.
 *
 * A policy is one file defining one `const struct policy policy_<name>`;
 * policy.c lists every known policy by name, in evaluation order, through
 * weak references, so a policy whose file is not built yet is simply
 * skipped (and its name is still accepted in the configuration).
 *
 * A check function is pure: it reads the request, configuration and state
 * snapshot in `policy_input` (all borrowed, read-only, shared between
 * threads) and never calls the API server.  It returns POLICY_VIOLATION
 * with `msg` set to one sentence saying what is wrong and how to fix it, or
 * POLICY_PASS; on a pass it may leave a remark in `msg`, which is recorded
 * as an audit annotation (used for allowed-but-notable requests).
 */
#ifndef WEBHOOK_POLICY_H
#define WEBHOOK_POLICY_H

#include <time.h>
#include <cjson/cJSON.h>

#include "admission.h"
#include "config.h"
#include "strbuf.h"
#include "tracking.h"

struct state_app;
struct state_snapshot;

struct policy_input {
	const struct admission_request *req;
	const struct webhook_config *cfg;
	const struct state_snapshot *state; /* never NULL */
	time_t now;
	int by_controller; /* the user is one of cfg->controller_users */
	int by_teardown; /* the user is one of cfg->teardown_users */
	const cJSON *subject; /* object, or oldObject for DELETE */
	const char *sync_options; /* subject's sync-options annotation, or NULL */
	int owned; /* subject (or oldObject) is tracked by an app */
	struct app_ref owner;
};

enum policy_result { POLICY_PASS, POLICY_VIOLATION };

struct policy {
	const char *name;
	enum policy_result (*check)(const struct policy_input *in, struct strbuf *msg);
};

/* Every policy name the configuration accepts, NULL-terminated. */
extern const char *const policy_names[];

/* Fills the derived fields of `in` (controller, owner, subject). */
void policy_input_init(struct policy_input *in, const struct admission_request *req,
                       const struct webhook_config *cfg, const struct state_snapshot *state,
                       time_t now);

#define POLICY_MAX 16

struct policy_hit {
	const char *policy;
	enum policy_mode mode;
};

/* The summary of one evaluation, for the decision log and the metrics. */
struct policy_outcome {
	int allowed;
	const char *policy; /* the deciding policy, or "" */
	enum policy_mode mode; /* its mode */
	int exempt; /* skipped by a global exemption */
	struct strbuf reason; /* why (no object contents) */
	struct policy_hit hits[POLICY_MAX]; /* every violation, in any mode */
	int nr_hits;
};

void policy_outcome_init(struct policy_outcome *out);
void policy_outcome_release(struct policy_outcome *out);

/* Runs every enabled, non-exempt policy and fills resp and out. */
void policy_evaluate(const struct policy_input *in, struct admission_response *resp,
                     struct policy_outcome *out);

/* Helpers shared by policies. */
int request_kind_is(const struct admission_request *req, const char *group, const char *kind);
/* 1 when the Application lists a managed resource in namespace ns. */
int app_has_resources_in(const struct state_app *app, const char *ns);
/* "Deployment prod/web" or "Namespace prod" for messages. */
void describe_subject(struct strbuf *sb, const struct admission_request *req);

#endif
