/*
 * kubectl gitops rollout undo NAME [--to-revision N]: put the pod template
 * of an older ReplicaSet back into the rollout (or its workloadRef), with
 * the JSON patch upstream sends (../shared/docs/rollouts-and-kubectl.md
 * §1.7).  Only the rollout's own ReplicaSets are read: a label-selected
 * list, kept when their controller ownerReference is the rollout's UID.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "rollout_cli.h"
#include "ui.h"

#define HASH_LABEL "rollouts-pod-template-hash"

static const struct command_help undo_help = {
	.usage = "rollout undo ROLLOUT_NAME [--to-revision N] [options]",
	.description = "Roll a rollout back to the pod template of its previous revision, or of\n"
		       "revision N.  The revisions are those of the rollout's ReplicaSets\n"
		       "(annotation rollout.argoproj.io/revision).",
	.examples =
		"  # Back to the previous revision\n  kubectl gitops rollout undo checkout\n\n"
		"  # Back to revision 3\n  kubectl gitops rollout undo checkout --to-revision 3\n",
};

static int owned_by(const cJSON *obj, const char *uid)
{
	const cJSON *ref;

	cJSON_ArrayForEach (ref, json_get(obj, "metadata.ownerReferences"))
		if (json_bool(ref, "controller", 0) && !strcmp(json_str(ref, "uid", ""), uid))
			return 1;
	return 0;
}

static long long revision_of(const cJSON *rs)
{
	const char *v = json_str(
		json_get_key(json_get(rs, "metadata.annotations"), "rollout.argoproj.io/revision"),
		NULL, NULL);
	char *end;
	long long n;

	if (!v)
		return 0;
	n = strtoll(v, &end, 10);
	return *v && !*end ? n : -1;
}

/* The ReplicaSet of revision `want` (0: the second newest); *rev gets its revision. */
static const cJSON *pick(const cJSON *items, const char *uid, long long want, long long *rev)
{
	const cJSON *rs, *latest = NULL, *previous = NULL;
	long long latest_rev = -1, previous_rev = -1, v;

	cJSON_ArrayForEach (rs, items) {
		if (!owned_by(rs, uid) || (v = revision_of(rs)) < 0)
			continue;
		if (want && v == want) {
			*rev = v;
			return rs;
		}
		if (v > latest_rev) {
			previous = latest;
			previous_rev = latest_rev;
			latest = rs;
			latest_rev = v;
		} else if (v > previous_rev) {
			previous = rs;
			previous_rev = v;
		}
	}
	*rev = previous_rev;
	return want ? NULL : previous;
}

static cJSON *template_without_hash(const cJSON *tmpl)
{
	cJSON *t = cJSON_Duplicate(tmpl, 1);
	cJSON *labels = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(t, "metadata"), "labels");

	cJSON_DeleteItemFromObjectCaseSensitive(labels, HASH_LABEL);
	return t;
}

/* Where the template lives: the rollout, or the workload it references. */
static int target_path(struct rollout_cli *c, const cJSON *ro, const char *name, struct strbuf *path)
{
	const cJSON *ref = json_get(ro, "spec.workloadRef");
	const char *kind = json_str(ref, "kind", NULL), *ref_name = json_str(ref, "name", "");

	if (!ref || cJSON_IsNull(ref)) {
		rollout_path(path, c->ns, name, NULL);
		return 0;
	}
	if (kind && !strcmp(kind, "Deployment"))
		kube_path(path, "apps", "v1", "deployments", c->ns, ref_name, NULL);
	else if (kind && !strcmp(kind, "ReplicaSet"))
		kube_path(path, "apps", "v1", "replicasets", c->ns, ref_name, NULL);
	else if (kind && !strcmp(kind, "PodTemplate"))
		kube_path(path, NULL, "v1", "podtemplates", c->ns, ref_name, NULL);
	else
		return error("workload of type %s is not supported", kind ? kind : "<none>");
	return 0;
}

static int send_undo(struct rollout_cli *c, const cJSON *ro, const char *name, cJSON *tmpl)
{
	struct strbuf path = STRBUF_INIT;
	struct errbuf err = { 0 };
	cJSON *patch = cJSON_CreateArray(), *op = cJSON_CreateObject();
	char *body;
	int r;

	if (target_path(c, ro, name, &path)) {
		strbuf_release(&path);
		cJSON_Delete(patch);
		cJSON_Delete(op);
		cJSON_Delete(tmpl);
		return EXIT_FAILURE_;
	}
	cJSON_AddStringToObject(op, "op", "replace");
	cJSON_AddStringToObject(op, "path", "/spec/template");
	cJSON_AddItemToObject(op, "value", tmpl);
	cJSON_AddItemToArray(patch, op);
	body = cJSON_PrintUnformatted(patch);
	r = kube_patch(c->kc, path.buf, KUBE_PATCH_JSON, body, NULL, NULL, &err);
	cJSON_free(body);
	cJSON_Delete(patch);
	strbuf_release(&path);
	if (r)
		return rollout_api_error(c, &err, "patch", "rollouts", "argoproj.io");
	printf("rollout '%s' undo\n", name);
	return EXIT_OK;
}

static int undo(struct rollout_cli *c, const char *name, long to_revision)
{
	struct strbuf path = STRBUF_INIT, sel = STRBUF_INIT;
	struct kube_list_opts lo = { 0 };
	struct errbuf err = { 0 };
	cJSON *ro = NULL, *list = NULL, *want, *have;
	const cJSON *rs;
	long long rev;
	int code;

	if (rollout_get(c, name, &ro, &err))
		return rollout_api_error(c, &err, "get", "rollouts", "argoproj.io");
	rollout_selector_string(&sel, json_get(ro, "spec.selector"));
	kube_path(&path, "apps", "v1", "replicasets", c->ns, NULL, NULL);
	lo.label_selector = sel.buf;
	if (kube_list(c->kc, path.buf, &lo, &list, &err)) {
		code = rollout_api_error(c, &err, "list", "replicasets", "apps");
		goto out;
	}
	rs = pick(json_get(list, "items"), json_str(ro, "metadata.uid", ""), to_revision, &rev);
	if (!rs) {
		code = to_revision ? error("unable to find specified revision %ld in history",
		                           to_revision)
		                   : error("no revision found for rollout \"%s\"", name);
		goto out;
	}
	want = template_without_hash(json_get(rs, "spec.template"));
	have = template_without_hash(json_get(ro, "spec.template"));
	if (json_equal(want, have)) {
		printf("skipped rollback (current template already matches revision %lld)\n", rev);
		cJSON_Delete(want);
		code = EXIT_OK;
	} else {
		code = send_undo(c, ro, json_str(ro, "metadata.name", name), want);
	}
	cJSON_Delete(have);
out:
	cJSON_Delete(list);
	cJSON_Delete(ro);
	strbuf_release(&path);
	strbuf_release(&sel);
	return code;
}

int rollout_cmd_undo(int argc, const char **argv)
{
	long to_revision = 0;
	const struct option own[] = {
		{ OPT_INT, 0, "to-revision", &to_revision, "N",
		  "The revision to roll back to (default 0: the previous one)", 0 },
		OPT_END,
	};
	struct rollout_cli cli;
	int code;

	code = rollout_cli_parse(&cli, "rollout undo", argc, argv, own, &undo_help, 1, 1);
	if (code < 0 && to_revision < 0)
		code = rollout_usage_error(&cli, "--to-revision must not be negative");
	if (code < 0 && !(code = rollout_cli_connect(&cli)))
		code = undo(&cli, cli.args[0], to_revision);
	rollout_cli_release(&cli);
	return code;
}
