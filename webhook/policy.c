#include <stdlib.h>
#include <string.h>

#include "kobj.h"
#include "policy.h"
#include "state.h"
#include "sync_options.h"

/*
 * The registry.  A policy not linked in is a NULL weak reference and is
 * skipped, so adding policy_windows.c or policy_project.c needs no other
 * change.
 */
extern const struct policy policy_deletion_protection __attribute__((weak));
extern const struct policy policy_deletion_confirmation __attribute__((weak));
extern const struct policy policy_sync_windows __attribute__((weak));
extern const struct policy policy_change_freeze __attribute__((weak));
extern const struct policy policy_project_restrictions __attribute__((weak));

const char *const policy_names[] = { "deletion-protection", "deletion-confirmation", "sync-windows",
	                             "change-freeze",       "project-restrictions",  NULL };

static const struct policy *registry(size_t i)
{
	const struct policy *all[] = {
		&policy_deletion_protection, &policy_deletion_confirmation, &policy_sync_windows,
		&policy_change_freeze,       &policy_project_restrictions,
	};

	return i < sizeof(all) / sizeof(*all) ? all[i] : NULL;
}

static size_t registry_size(void)
{
	return sizeof(policy_names) / sizeof(*policy_names) - 1;
}

void policy_input_init(struct policy_input *in, const struct admission_request *req,
                       const struct webhook_config *cfg, const struct state_snapshot *state,
                       time_t now)
{
	memset(in, 0, sizeof(*in));
	in->req = req;
	in->cfg = cfg;
	in->state = state;
	in->now = now;
	in->by_controller = string_list_has(&cfg->controller_users, req->username);
	in->by_teardown = string_list_has(&cfg->teardown_users, req->username);
	in->subject = req->op == OP_DELETE ? req->old_object : req->object;
	in->sync_options = kobj_annotation(in->subject, SYNC_OPTIONS_ANNOTATION);
	in->owned = tracking_owner(in->subject, cfg, &in->owner) ||
	            tracking_owner(req->old_object, cfg, &in->owner);
}

void policy_outcome_init(struct policy_outcome *out)
{
	memset(out, 0, sizeof(*out));
	out->allowed = 1;
	out->policy = "";
	strbuf_init(&out->reason, 0);
}

void policy_outcome_release(struct policy_outcome *out)
{
	strbuf_release(&out->reason);
}

static int exempt(const struct exemptions *e, const struct admission_request *req)
{
	const cJSON *g;

	if (string_list_has(&e->users, req->username) || string_list_has(&e->namespaces, req->ns))
		return 1;
	cJSON_ArrayForEach (g, req->groups)
		if (string_list_has(&e->groups, g->valuestring))
			return 1;
	return 0;
}

static void record(struct policy_outcome *out, const char *name, enum policy_mode mode)
{
	if (out->nr_hits < POLICY_MAX) {
		out->hits[out->nr_hits].policy = name;
		out->hits[out->nr_hits].mode = mode;
		out->nr_hits++;
	}
}

/* "<policy>: <msg>", as messages, reasons and annotations quote a violation. */
static void add_violation(struct strbuf *sb, const char *name, const char *msg)
{
	strbuf_addstr(sb, name);
	strbuf_addlit(sb, ": ");
	strbuf_addstr(sb, msg);
}

static void apply_enforce(const char *name, const char *msg, struct admission_response *resp,
                          struct policy_outcome *out)
{
	if (resp->allowed) {
		out->policy = name;
		out->mode = POLICY_ENFORCE;
		strbuf_reset(&out->reason);
	} else {
		strbuf_addlit(&resp->message, "; ");
		strbuf_addlit(&out->reason, "; ");
	}
	resp->allowed = out->allowed = 0;
	resp->code = 403;
	add_violation(&resp->message, name, msg);
	add_violation(&out->reason, name, msg);
}

/* The first enforce violation decides; else the first warn/audit one is reported. */
static void apply_violation(const char *name, enum policy_mode mode, const char *msg,
                            struct admission_response *resp, struct policy_outcome *out)
{
	struct strbuf sb = STRBUF_INIT;

	record(out, name, mode);
	if (mode == POLICY_ENFORCE) {
		apply_enforce(name, msg, resp, out);
		return;
	}
	add_violation(&sb, name, msg);
	if (mode == POLICY_WARN) {
		struct strbuf w = STRBUF_INIT;

		strbuf_addlit(&w, "would be denied in enforce mode: ");
		strbuf_add(&w, sb.buf, sb.len);
		admission_response_warn(resp, w.buf);
		strbuf_release(&w);
	}
	admission_response_audit(resp, name, sb.buf);
	if (out->allowed && !*out->policy) {
		out->policy = name;
		out->mode = mode;
		strbuf_add(&out->reason, sb.buf, sb.len);
	}
	strbuf_release(&sb);
}

void policy_evaluate(const struct policy_input *in, struct admission_response *resp,
                     struct policy_outcome *out)
{
	struct strbuf msg = STRBUF_INIT;

	if (exempt(&in->cfg->exempt, in->req)) {
		out->exempt = 1;
		strbuf_addstr(&out->reason, "exempt by configuration");
		return;
	}
	for (size_t i = 0; i < registry_size(); i++) {
		const struct policy *p = registry(i);
		const struct policy_config *pc;
		enum policy_mode mode;

		if (!p)
			continue;
		pc = webhook_config_policy(in->cfg, p->name);
		mode = pc ? pc->mode : POLICY_ENFORCE;
		if (mode == POLICY_OFF || (pc && exempt(&pc->exempt, in->req)))
			continue;
		strbuf_reset(&msg);
		if (p->check(in, &msg) == POLICY_VIOLATION)
			apply_violation(p->name, mode, msg.buf, resp, out);
		else if (msg.len)
			admission_response_audit(resp, p->name, msg.buf);
	}
	strbuf_release(&msg);
}

int request_kind_is(const struct admission_request *req, const char *group, const char *kind)
{
	return !strcmp(req->group, group) && !strcmp(req->kind, kind);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int app_has_resources_in(const struct state_app *app, const char *ns)
{
	/* resource_ns is sorted and distinct (state.h). */
	return ns && app->nr_resource_ns &&
	       bsearch(&ns, app->resource_ns, app->nr_resource_ns, sizeof(*app->resource_ns),
	               cmp_str);
}

void describe_subject(struct strbuf *sb, const struct admission_request *req)
{
	const char *name = *req->name ? req->name : kobj_name(req->object);

	strbuf_addstr(sb, req->kind);
	strbuf_addlit(sb, " ");
	if (*req->ns && !request_kind_is(req, "", "Namespace")) {
		strbuf_addstr(sb, req->ns);
		strbuf_addlit(sb, "/");
	}
	strbuf_addstr(sb, name && *name ? name : "(unnamed)");
}
