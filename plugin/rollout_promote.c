/*
 * kubectl gitops rollout promote NAME [--full]: GET, then the patches of
 * rollout_patch.h — /status first (falling back to the unified patch on
 * the main resource when /status is 404), then the spec.  Each patch
 * carries the resourceVersion it was computed from; on 409 the rollout is
 * read again and the patch recomputed, so a promote never applies to a
 * state it did not see.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "rollout_cli.h"
#include "rollout_patch.h"
#include "ui.h"

#define PROMOTE_ATTEMPTS 10

static const struct command_help promote_help = {
	.usage = "rollout promote ROLLOUT_NAME [--full] [options]",
	.description =
		"Promote a rollout: continue past a pause (a canary pause step, a blue-green\n"
		"pre-promotion pause, an inconclusive analysis) or the step in progress, as\n"
		"`kubectl argo rollouts promote` does.  With --full, skip every remaining step,\n"
		"pause and analysis and go to the new version at once.\n\n"
		"The patches carry the resourceVersion read, so a promote computed from a\n"
		"state the controller has since changed is recomputed instead of applied.",
	.examples = "  # Go on from the current pause\n"
		    "  kubectl gitops rollout promote checkout\n\n"
		    "  # Skip all remaining steps\n"
		    "  kubectl gitops rollout promote checkout --full\n",
};

struct promote {
	struct rollout_cli *cli;
	const char *name;
	enum promote_mode mode;
	cJSON *ro; /* latest state known */
	int status_done, unified;
	const char *verb_resource;
	struct errbuf err;
};

/* 1 to recompute after a conflict, 0 when done, -1 on failure. */
static int send_status(struct promote *p, const struct rollout_patches *pt)
{
	struct strbuf path = STRBUF_INIT;
	cJSON *out = NULL;
	int r;

	if (p->status_done || !pt->status)
		return 0;
	rollout_path(&path, p->cli->ns, p->name, "status");
	p->verb_resource = "rollouts/status";
	r = kube_patch(p->cli->kc, path.buf, KUBE_PATCH_MERGE, pt->status, NULL, &out, &p->err);
	strbuf_release(&path);
	if (!r) {
		p->status_done = 1;
		cJSON_Delete(p->ro);
		p->ro = out;
		return 1; /* recompute the spec patch against the new resourceVersion */
	}
	if (p->err.code == 404) {
		/* No status subresource (Rollouts v0.9): the unified patch does both. */
		p->status_done = p->unified = 1;
		return 0;
	}
	return p->err.code == 409 ? 1 : -1;
}

static int send_spec(struct promote *p, const struct rollout_patches *pt)
{
	const char *body = p->unified ? pt->unified : pt->spec;
	struct strbuf path = STRBUF_INIT;
	cJSON *out = NULL;
	int r;

	if (!body)
		return 0;
	rollout_path(&path, p->cli->ns, p->name, NULL);
	p->verb_resource = "rollouts";
	r = kube_patch(p->cli->kc, path.buf, KUBE_PATCH_MERGE, body, NULL, &out, &p->err);
	strbuf_release(&path);
	if (!r) {
		cJSON_Delete(p->ro);
		p->ro = out;
		return 0;
	}
	return p->err.code == 409 ? 1 : -1;
}

static int promote_step(struct promote *p)
{
	struct rollout_patches pt;
	int r;

	if (!p->ro) {
		p->verb_resource = "rollouts";
		if (rollout_get(p->cli, p->name, &p->ro, &p->err))
			return -1;
	}
	if (rollout_promote_patches(p->ro, p->mode,
	                            json_str(p->ro, "metadata.resourceVersion", NULL), &pt, &p->err))
		return -2;
	r = send_status(p, &pt);
	if (!r)
		r = send_spec(p, &pt);
	rollout_patches_release(&pt);
	if (r == 1 && p->err.code == 409) {
		/* Someone wrote in between: read again before deciding anything. */
		cJSON_Delete(p->ro);
		p->ro = NULL;
		p->err.code = 0;
	}
	return r;
}

static int run_promote(struct promote *p)
{
	int i, r = 1;

	for (i = 0; i < PROMOTE_ATTEMPTS && r == 1; i++)
		r = promote_step(p);
	if (r == -2)
		return error("%s", p->err.msg);
	if (r == -1)
		return rollout_api_error(p->cli, &p->err, p->ro ? "patch" : "get", p->verb_resource,
		                         "argoproj.io");
	if (r == 1)
		return error("rollout '%s' kept changing while promoting it; nothing more was sent "
		             "after %d attempts",
		             p->name, PROMOTE_ATTEMPTS);
	printf("rollout '%s' %s\n", json_str(p->ro, "metadata.name", p->name),
	       p->mode == PROMOTE_FULL ? "fully promoted" : "promoted");
	return EXIT_OK;
}

int rollout_cmd_promote(int argc, const char **argv)
{
	int full = 0, skip_current = 0, skip_all = 0, code;
	const struct option own[] = {
		{ OPT_BOOL, 0, "full", &full, NULL,
		  "Perform a full promotion, skipping analysis, pauses, and steps", 0 },
		{ OPT_BOOL, 'c', "skip-current-step", &skip_current, NULL,
		  "Deprecated: use without the flag instead", 1 },
		{ OPT_BOOL, 'a', "skip-all-steps", &skip_all, NULL,
		  "Deprecated: use --full instead", 1 },
		OPT_END,
	};
	struct rollout_cli cli;
	struct promote p = { 0 };

	code = rollout_cli_parse(&cli, "rollout promote", argc, argv, own, &promote_help, 1, 1);
	if (code < 0 && skip_current && skip_all)
		code = rollout_usage_error(&cli, "cannot use skip-current-step and skip-all-steps "
		                                 "flags at the same time");
	if (code < 0 && full && (skip_current || skip_all))
		code = rollout_usage_error(&cli, "--full cannot be combined with the skip flags");
	if (code < 0 && !(code = rollout_cli_connect(&cli))) {
		if (skip_current || skip_all)
			warning("--skip-%s is deprecated; use %s",
			        skip_all ? "all-steps" : "current-step",
			        skip_all ? "--full" : "promote without the flag");
		p.cli = &cli;
		p.name = cli.args[0];
		p.mode = full           ? PROMOTE_FULL
		         : skip_all     ? PROMOTE_SKIP_ALL_STEPS
		         : skip_current ? PROMOTE_SKIP_CURRENT_STEP
		                        : PROMOTE_DEFAULT;
		code = run_promote(&p);
		cJSON_Delete(p.ro);
	}
	rollout_cli_release(&cli);
	return code;
}
