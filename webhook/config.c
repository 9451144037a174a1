#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "errbuf.h"
#include "duration.h"
#include "xalloc.h"
#include "yaml_json.h"

#define MAX_CONFIG_BYTES (1024 * 1024)

static void list_add(struct string_list *l, const char *s)
{
	l->v = xrealloc(l->v, (l->nr + 1) * sizeof(*l->v));
	l->v[l->nr++] = xstrdup(s);
}

static void list_clear(struct string_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->nr = 0;
}

static void exemptions_clear(struct exemptions *e)
{
	list_clear(&e->users);
	list_clear(&e->groups);
	list_clear(&e->namespaces);
}

void webhook_config_init(struct webhook_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->control_plane_namespace = xstrdup("argocd");
	list_add(&cfg->controller_users, WEBHOOK_DEFAULT_CONTROLLER);
	list_add(&cfg->teardown_users, WEBHOOK_DEFAULT_TEARDOWN);
	cfg->tracking_method = TRACKING_ANNOTATION;
	cfg->instance_label_key = xstrdup("app.kubernetes.io/instance");
	cfg->approval_ttl_ms = 15 * 60 * 1000;
	cfg->max_body_bytes = 3 * 1024 * 1024;
	cfg->max_connections = 1000;
	cfg->idle_timeout_s = 30;
	cfg->threads = 0;
}

void webhook_config_release(struct webhook_config *cfg)
{
	free(cfg->control_plane_namespace);
	list_clear(&cfg->controller_users);
	list_clear(&cfg->teardown_users);
	free(cfg->instance_label_key);
	exemptions_clear(&cfg->exempt);
	for (size_t i = 0; i < cfg->nr_policies; i++) {
		free(cfg->policies[i].name);
		exemptions_clear(&cfg->policies[i].exempt);
	}
	free(cfg->policies);
	memset(cfg, 0, sizeof(*cfg));
}

/* Rejects keys outside `allowed` so typos do not pass silently. */
static int check_keys(const cJSON *obj, const char *where, const char *const *allowed,
                      struct errbuf *err)
{
	const cJSON *it;

	if (!cJSON_IsObject(obj))
		return errbuf_set(err, "%s: expected a mapping", where);
	cJSON_ArrayForEach (it, obj) {
		const char *const *a;

		for (a = allowed; *a && strcmp(*a, it->string); a++)
			;
		if (!*a)
			return errbuf_set(err, "%s: unknown key \"%s\"", where, it->string);
	}
	return 0;
}

static int get_string(const cJSON *obj, const char *key, const char *where, char **out,
                      struct errbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || !*v->valuestring)
		return errbuf_set(err, "%s.%s: expected a non-empty string", where, key);
	free(*out);
	*out = xstrdup(v->valuestring);
	return 0;
}

/* A list in the file replaces the default list (it does not append). */
static int get_list(const cJSON *obj, const char *key, const char *where, struct string_list *out,
                    struct errbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key), *it;

	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v))
		return errbuf_set(err, "%s.%s: expected a list of strings", where, key);
	list_clear(out);
	cJSON_ArrayForEach (it, v) {
		if (!cJSON_IsString(it))
			return errbuf_set(err, "%s.%s: expected a list of strings", where, key);
		list_add(out, it->valuestring);
	}
	return 0;
}

static int get_uint(const cJSON *obj, const char *key, const char *where, double max, double *out,
                    struct errbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v)
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > max ||
	    v->valuedouble != (double)(long long)v->valuedouble)
		return errbuf_set(err, "%s.%s: expected a whole number from 0 to %.0f", where, key,
		                  max);
	*out = v->valuedouble;
	return 0;
}

static int get_duration(const cJSON *obj, const char *key, const char *where, long long *ms,
                        struct errbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	int64_t ns;

	if (!v)
		return 0;
	if (!cJSON_IsString(v) || duration_parse(v->valuestring, &ns, NULL) || ns < DURATION_MS)
		return errbuf_set(err, "%s.%s: expected a positive duration such as \"15m\"", where,
		                  key);
	*ms = ns / DURATION_MS;
	return 0;
}

static int parse_exemptions(const cJSON *obj, const char *where, struct exemptions *e,
                            struct errbuf *err)
{
	static const char *const keys[] = { "users", "groups", "namespaces", NULL };

	if (!obj)
		return 0;
	if (check_keys(obj, where, keys, err) || get_list(obj, "users", where, &e->users, err) ||
	    get_list(obj, "groups", where, &e->groups, err) ||
	    get_list(obj, "namespaces", where, &e->namespaces, err))
		return -1;
	return 0;
}

static int parse_mode(const char *s, enum policy_mode *m)
{
	static const enum policy_mode modes[] = { POLICY_OFF, POLICY_AUDIT, POLICY_WARN,
		                                  POLICY_ENFORCE };

	for (size_t i = 0; i < sizeof(modes) / sizeof(*modes); i++)
		if (!strcmp(s, policy_mode_name(modes[i]))) {
			*m = modes[i];
			return 0;
		}
	return -1;
}

static struct policy_config *policy_slot(struct webhook_config *cfg, const char *name)
{
	struct policy_config *p;

	for (size_t i = 0; i < cfg->nr_policies; i++)
		if (!strcmp(cfg->policies[i].name, name))
			return &cfg->policies[i];
	cfg->policies = xrealloc(cfg->policies, (cfg->nr_policies + 1) * sizeof(*cfg->policies));
	p = &cfg->policies[cfg->nr_policies++];
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->mode = POLICY_ENFORCE;
	return p;
}

static int parse_policy(struct webhook_config *cfg, const cJSON *item, const char *const *known,
                        struct errbuf *err)
{
	static const char *const keys[] = { "mode", "exemptions", NULL };
	const char *const *k;
	struct policy_config *p;
	const cJSON *mode;
	char where[160];

	for (k = known; *k && strcmp(*k, item->string); k++)
		;
	if (!*k)
		return errbuf_set(err, "policies: unknown policy \"%s\"", item->string);
	snprintf(where, sizeof(where), "policies.%s", item->string);
	if (check_keys(item, where, keys, err))
		return -1;
	p = policy_slot(cfg, item->string);
	mode = cJSON_GetObjectItemCaseSensitive(item, "mode");
	/* YAML 1.1 reads a bare `off` as false. */
	if (cJSON_IsFalse(mode))
		p->mode = POLICY_OFF;
	else if (mode && (!cJSON_IsString(mode) || parse_mode(mode->valuestring, &p->mode)))
		return errbuf_set(err, "%s.mode: expected enforce, warn, audit or off", where);
	strncat(where, ".exemptions", sizeof(where) - strlen(where) - 1);
	return parse_exemptions(cJSON_GetObjectItemCaseSensitive(item, "exemptions"), where,
	                        &p->exempt, err);
}

static int parse_policies(struct webhook_config *cfg, const cJSON *obj, const char *const *known,
                          struct errbuf *err)
{
	const cJSON *it;

	if (!obj)
		return 0;
	if (!cJSON_IsObject(obj))
		return errbuf_set(err, "policies: expected a mapping of policy names");
	cJSON_ArrayForEach (it, obj)
		if (parse_policy(cfg, it, known, err))
			return -1;
	return 0;
}

static int parse_tracking(struct webhook_config *cfg, const cJSON *obj, struct errbuf *err)
{
	static const char *const keys[] = { "method", "labelKey", NULL };
	static const enum tracking_method methods[] = { TRACKING_ANNOTATION, TRACKING_LABEL,
		                                        TRACKING_ANNOTATION_LABEL };
	const cJSON *m;

	if (!obj)
		return 0;
	if (check_keys(obj, "tracking", keys, err) ||
	    get_string(obj, "labelKey", "tracking", &cfg->instance_label_key, err))
		return -1;
	m = cJSON_GetObjectItemCaseSensitive(obj, "method");
	if (!m)
		return 0;
	for (size_t i = 0; cJSON_IsString(m) && i < sizeof(methods) / sizeof(*methods); i++)
		if (!strcmp(m->valuestring, tracking_method_name(methods[i]))) {
			cfg->tracking_method = methods[i];
			return 0;
		}
	return errbuf_set(err, "tracking.method: expected annotation, label or annotation+label");
}

static int parse_server(struct webhook_config *cfg, const cJSON *obj, struct errbuf *err)
{
	static const char *const keys[] = { "maxConnections", "idleTimeout", "threads", NULL };
	double conns = cfg->max_connections, threads = cfg->threads;
	long long idle_ms = cfg->idle_timeout_s * 1000LL;

	if (!obj)
		return 0;
	if (check_keys(obj, "server", keys, err) ||
	    get_uint(obj, "maxConnections", "server", 100000, &conns, err) ||
	    get_uint(obj, "threads", "server", 256, &threads, err) ||
	    get_duration(obj, "idleTimeout", "server", &idle_ms, err))
		return -1;
	if (conns < 1)
		return errbuf_set(err, "server.maxConnections: must be at least 1");
	if (idle_ms < 1000)
		return errbuf_set(err, "server.idleTimeout: must be at least 1s");
	cfg->max_connections = (unsigned)conns;
	cfg->threads = (unsigned)threads;
	cfg->idle_timeout_s = (unsigned)(idle_ms / 1000);
	return 0;
}

int webhook_config_apply(struct webhook_config *cfg, const cJSON *doc,
                         const char *const *known_policies, struct errbuf *err)
{
	static const char *const keys[] = { "controlPlaneNamespace",
		                            "controllerUsers",
		                            "namespaceTeardownUsers",
		                            "tracking",
		                            "deletionApproval",
		                            "maxRequestBytes",
		                            "exemptions",
		                            "policies",
		                            "server",
		                            NULL };
	static const char *const approval_keys[] = { "ttl", NULL };
	const cJSON *approval = cJSON_GetObjectItemCaseSensitive(doc, "deletionApproval");
	double body = (double)cfg->max_body_bytes;

	if (cJSON_IsObject(doc) && !doc->child)
		return 0;
	if (check_keys(doc, "config", keys, err) ||
	    get_string(doc, "controlPlaneNamespace", "config", &cfg->control_plane_namespace, err) ||
	    get_list(doc, "controllerUsers", "config", &cfg->controller_users, err) ||
	    get_list(doc, "namespaceTeardownUsers", "config", &cfg->teardown_users, err) ||
	    parse_tracking(cfg, cJSON_GetObjectItemCaseSensitive(doc, "tracking"), err) ||
	    (approval &&
	     (check_keys(approval, "deletionApproval", approval_keys, err) ||
	      get_duration(approval, "ttl", "deletionApproval", &cfg->approval_ttl_ms, err))) ||
	    get_uint(doc, "maxRequestBytes", "config", 64.0 * 1024 * 1024, &body, err) ||
	    parse_exemptions(cJSON_GetObjectItemCaseSensitive(doc, "exemptions"), "exemptions",
	                     &cfg->exempt, err) ||
	    parse_policies(cfg, cJSON_GetObjectItemCaseSensitive(doc, "policies"), known_policies,
	                   err) ||
	    parse_server(cfg, cJSON_GetObjectItemCaseSensitive(doc, "server"), err))
		return -1;
	if (body < 1024)
		return errbuf_set(err, "maxRequestBytes: must be at least 1024");
	cfg->max_body_bytes = (size_t)body;
	return 0;
}

int webhook_config_load(struct webhook_config *cfg, const char *path,
                        const char *const *known_policies, struct errbuf *err)
{
	cJSON *doc = yamljson_parse_file_one(path, MAX_CONFIG_BYTES, err);
	int ret;

	if (!doc)
		return -1;
	ret = webhook_config_apply(cfg, doc, known_policies, err);
	cJSON_Delete(doc);
	if (ret)
		return errbuf_prefix(err, "%s", path);
	return 0;
}

const struct policy_config *webhook_config_policy(const struct webhook_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nr_policies; i++)
		if (!strcmp(cfg->policies[i].name, name))
			return &cfg->policies[i];
	return NULL;
}

int string_list_has(const struct string_list *l, const char *s)
{
	if (!s)
		return 0;
	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->v[i], s))
			return 1;
	return 0;
}

const char *policy_mode_name(enum policy_mode m)
{
	switch (m) {
	case POLICY_OFF:
		return "off";
	case POLICY_AUDIT:
		return "audit";
	case POLICY_WARN:
		return "warn";
	case POLICY_ENFORCE:
		break;
	}
	return "enforce";
}

const char *tracking_method_name(enum tracking_method m)
{
	switch (m) {
	case TRACKING_LABEL:
		return "label";
	case TRACKING_ANNOTATION_LABEL:
		return "annotation+label";
	case TRACKING_ANNOTATION:
		break;
	}
	return "annotation";
}
