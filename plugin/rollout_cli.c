#include "rollout_cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "ui.h"
#include "xalloc.h"

int rollout_cli_parse(struct rollout_cli *c, const char *cmd, int argc, const char **argv,
                      const struct option *own, const struct command_help *help, int min_args,
                      int max_args)
{
	int code;

	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	kube_flags_init(&c->kf);
	code = kube_flags_parse(&c->kf, cmd, argc, argv, own, help, &c->args, &c->nargs);
	if (code >= 0)
		return code;
	if (c->nargs < min_args)
		return rollout_usage_error(c, min_args == 1 && max_args == 1
		                                      ? "expected one ROLLOUT_NAME"
		                                      : "expected at least one ROLLOUT_NAME");
	if (max_args >= 0 && c->nargs > max_args)
		return max_args ? rollout_usage_error(c, "expected one ROLLOUT_NAME, got %d", c->nargs)
		                : rollout_usage_error(c, "%s takes no arguments", cmd);
	return -1;
}

int rollout_usage_error(const struct rollout_cli *c, const char *fmt, ...)
{
	struct errbuf err;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	return options_usage_error(c->cmd, &err);
}

int rollout_cli_connect(struct rollout_cli *c)
{
	struct errbuf err = { 0 };

	c->kc = kube_flags_connect(&c->kf, &c->rc, &err);
	if (!c->kc)
		return err.code == -2 ? options_usage_error(c->cmd, &err) : error_api(&err);
	c->ns = c->rc.namespace;
	return 0;
}

void rollout_cli_release(struct rollout_cli *c)
{
	if (c->kc) {
		kube_client_free(c->kc);
		rest_config_release(&c->rc);
	}
	free(c->args);
	kube_flags_release(&c->kf);
	c->kc = NULL;
	c->args = NULL;
}

void rollout_path(struct strbuf *sb, const char *ns, const char *name, const char *sub)
{
	kube_path(sb, "argoproj.io", "v1alpha1", "rollouts", ns, name, sub);
}

int rollout_api_error(const struct rollout_cli *c, const struct errbuf *err, const char *verb,
                      const char *resource, const char *group)
{
	if (err->code == 401 || err->code <= 0)
		return error_api(err);
	if (err->code != 403)
		return error("%s", err->msg);
	return error("forbidden: RBAC does not allow verb \"%s\" on resource \"%s\" in API "
	             "group \"%s\" in namespace \"%s\" (server said: %s)",
	             verb, resource, group, c->ns ? c->ns : "", err->msg);
}

int rollout_get(struct rollout_cli *c, const char *name, cJSON **out, struct errbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int r;

	rollout_path(&path, c->ns, name, NULL);
	r = kube_get(c->kc, path.buf, out, err);
	strbuf_release(&path);
	return r;
}

int rollout_patch_status(struct rollout_cli *c, const char *name, const char *body, cJSON **out,
                         const char **resource, struct errbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int r;

	rollout_path(&path, c->ns, name, "status");
	*resource = "rollouts/status";
	r = kube_patch(c->kc, path.buf, KUBE_PATCH_MERGE, body, NULL, out, err);
	if (r && err->code == 404) {
		strbuf_reset(&path);
		rollout_path(&path, c->ns, name, NULL);
		*resource = "rollouts";
		r = kube_patch(c->kc, path.buf, KUBE_PATCH_MERGE, body, NULL, out, err);
	}
	strbuf_release(&path);
	return r;
}

struct requirement {
	const char *key;
	char *text;
	size_t order;
};

static int cmp_requirement(const void *a, const void *b)
{
	const struct requirement *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *expression_text(const cJSON *e)
{
	const char *key = json_str(e, "key", ""), *op = json_str(e, "operator", "");
	const cJSON *vals = json_get(e, "values"), *v;
	struct strbuf sb = STRBUF_INIT;
	const char **sorted;
	size_t n = 0, i;

	if (!strcmp(op, "Exists")) {
		strbuf_addstr(&sb, key);
	} else if (!strcmp(op, "DoesNotExist")) {
		strbuf_addf(&sb, "!%s", key);
	} else {
		sorted = xcalloc((size_t)cJSON_GetArraySize(vals) + 1, sizeof(*sorted));
		cJSON_ArrayForEach (v, vals)
			if (cJSON_IsString(v))
				sorted[n++] = v->valuestring;
		qsort(sorted, n, sizeof(*sorted), cmp_str);
		strbuf_addf(&sb, "%s %s (", key, !strcmp(op, "NotIn") ? "notin" : "in");
		for (i = 0; i < n; i++)
			strbuf_addf(&sb, "%s%s", i ? "," : "", sorted[i]);
		strbuf_addch(&sb, ')');
		free(sorted);
	}
	return strbuf_detach(&sb, NULL);
}

void rollout_selector_string(struct strbuf *sb, const cJSON *selector)
{
	const cJSON *ml = json_get(selector, "matchLabels"),
		    *me = json_get(selector, "matchExpressions");
	size_t n = 0, i, max = (size_t)cJSON_GetArraySize(ml) + (size_t)cJSON_GetArraySize(me);
	struct requirement *reqs = xcalloc(max + 1, sizeof(*reqs));
	const cJSON *it;

	cJSON_ArrayForEach (it, ml) {
		struct strbuf t = STRBUF_INIT;

		strbuf_addf(&t, "%s=%s", it->string, cJSON_IsString(it) ? it->valuestring : "");
		reqs[n].key = it->string;
		reqs[n].order = n;
		reqs[n++].text = strbuf_detach(&t, NULL);
	}
	cJSON_ArrayForEach (it, me) {
		reqs[n].key = json_str(it, "key", "");
		reqs[n].order = n;
		reqs[n++].text = expression_text(it);
	}
	qsort(reqs, n, sizeof(*reqs), cmp_requirement);
	for (i = 0; i < n; i++) {
		strbuf_addf(sb, "%s%s", i ? "," : "", reqs[i].text);
		free(reqs[i].text);
	}
	free(reqs);
}
