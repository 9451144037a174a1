/*
 * Ownership (tracking id and instance label, argocd.md §3.1) and the
 * sync-options list syntax (argocd.md §5).
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "sync_options.h"
#include "tap.h"
#include "tracking.h"

static const struct {
	const char *id, *instance; /* instance NULL = malformed */
} ids[] = {
	{ "guestbook:apps/Deployment:prod/web", "guestbook" },
	{ "team-a_shop:/ConfigMap:prod/cm", "team-a_shop" },
	{ "root:argoproj.io/Application:argocd/child-a", "root" },
	{ "a:/Namespace:/prod", "a" },
	{ "guestbook:apps/Deployment:prod/web:extra", NULL },
	{ "guestbook:apps/Deployment", NULL },
	{ "guestbook:Deployment:prod/web", NULL },
	{ "guestbook:apps/v1/Deployment:prod/web", NULL },
	{ "guestbook:apps/Deployment:prod", NULL },
	{ "guestbook:apps/Deployment:a/b/c", NULL },
	{ ":apps/Deployment:prod/web", NULL },
	{ "", NULL },
};

static const struct {
	const char *instance, *ns, *name; /* ns NULL = invalid */
} instances[] = {
	{ "guestbook", "argocd", "guestbook" },
	{ "team-a_shop", "team-a", "shop" },
	{ "_shop", NULL, NULL },
	{ "team-a_", NULL, NULL },
	{ "", NULL, NULL },
};

static const struct {
	const char *value, *option;
	int has;
} options[] = {
	{ "Prune=false", "Prune=false", 1 },
	{ "Replace=true,Prune=false", "Prune=false", 1 },
	{ "  Prune=false  ,Replace=true", "Prune=false", 1 },
	{ "Prune=false\t", "Prune=false", 1 },
	{ "Prune=falsey", "Prune=false", 0 },
	{ "prune=false", "Prune=false", 0 },
	{ "XPrune=false", "Prune=false", 0 },
	{ ",,", "Prune=false", 0 },
	{ "", "Prune=false", 0 },
	{ "Delete=confirm,", "Delete=confirm", 1 },
};

static void test_ids(void)
{
	for (size_t i = 0; i < sizeof(ids) / sizeof(*ids); i++) {
		char inst[64] = "";
		int rc = tracking_id_instance(ids[i].id, inst, sizeof(inst));

		if (ids[i].instance)
			is_str(rc ? NULL : inst, ids[i].instance, "tracking id \"%s\"", ids[i].id);
		else
			ok(rc == -1, "malformed tracking id \"%s\"", ids[i].id);
	}
	ok(tracking_id_instance(NULL, NULL, 0) == -1, "no tracking id");
}

static void test_instances(void)
{
	for (size_t i = 0; i < sizeof(instances) / sizeof(*instances); i++) {
		struct app_ref ref;
		int rc = app_instance_to_ref(instances[i].instance, "argocd", &ref);

		if (!instances[i].ns) {
			ok(rc == -1, "invalid instance \"%s\"", instances[i].instance);
			continue;
		}
		ok(rc == 0 && !strcmp(ref.ns, instances[i].ns) && !strcmp(ref.name, instances[i].name),
		   "instance \"%s\" is %s/%s", instances[i].instance, instances[i].ns,
		   instances[i].name);
	}
}

static void test_owner(void)
{
	struct webhook_config cfg;
	struct app_ref ref;
	cJSON *obj = cJSON_Parse(
		"{\"metadata\":{\"labels\":{\"app.kubernetes.io/instance\":\"lbl\","
		"\"custom\":\"ns1_cst\"},\"annotations\":{"
		"\"argocd.argoproj.io/tracking-id\":\"ann:apps/Deployment:prod/web\"}}}");

	webhook_config_init(&cfg);
	ok(tracking_owner(obj, &cfg, &ref) && !strcmp(ref.name, "ann"),
	   "annotation tracking reads the tracking id");
	cfg.tracking_method = TRACKING_ANNOTATION_LABEL;
	ok(tracking_owner(obj, &cfg, &ref) && !strcmp(ref.name, "ann"),
	   "annotation+label tracking reads the tracking id too");
	cfg.tracking_method = TRACKING_LABEL;
	ok(tracking_owner(obj, &cfg, &ref) && !strcmp(ref.name, "lbl") && !strcmp(ref.ns, "argocd"),
	   "label tracking reads the instance label");
	free(cfg.instance_label_key);
	cfg.instance_label_key = strdup("custom");
	ok(tracking_owner(obj, &cfg, &ref) && !strcmp(ref.ns, "ns1") && !strcmp(ref.name, "cst"),
	   "a configured label key");
	ok(!tracking_owner(NULL, &cfg, &ref), "no object, no owner");
	cJSON_Delete(obj);
	webhook_config_release(&cfg);
}

static void test_options(void)
{
	cJSON *app;

	for (size_t i = 0; i < sizeof(options) / sizeof(*options); i++)
		ok(sync_options_has(options[i].value, options[i].option) == options[i].has,
		   "\"%s\" %s %s", options[i].value, options[i].has ? "has" : "lacks",
		   options[i].option);
	ok(!sync_options_has(NULL, "Prune=false"), "no annotation");
	app = cJSON_Parse("{\"spec\":{\"syncPolicy\":{\"syncOptions\":[\"CreateNamespace=true\","
	                  "\"Delete=confirm\"]}}}");
	ok(app_has_sync_option(app, "Delete=confirm"), "app-level syncOptions");
	ok(!app_has_sync_option(app, "Prune=false"), "app-level syncOptions lack an option");
	cJSON_Delete(app);
}

int main(void)
{
	test_ids();
	test_instances();
	test_owner();
	test_options();
	return tap_done();
}
