/*
 * The state snapshot (lookups, duplicates, what is kept), the store
 * (publish, acquire across a swap, staleness) and loading from files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errbuf.h"
#include "kobj.h"
#include "state.h"
#include "state_files.h"
#include "sync_window.h"
#include "tap.h"

static cJSON *obj(const char *api, const char *kind, const char *ns, const char *name, const char *tag)
{
	cJSON *o = cJSON_CreateObject(), *m;

	cJSON_AddStringToObject(o, "apiVersion", api);
	cJSON_AddStringToObject(o, "kind", kind);
	m = cJSON_AddObjectToObject(o, "metadata");
	if (ns)
		cJSON_AddStringToObject(m, "namespace", ns);
	if (name)
		cJSON_AddStringToObject(m, "name", name);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "spec"), "project", tag);
	return o;
}

static void test_snapshot(void)
{
	struct state_snapshot *s = state_snapshot_new();
	const char *a = "argoproj.io/v1alpha1";

	ok(state_snapshot_add(s, obj(a, "Application", "argocd", "b", "first")), "app kept");
	ok(state_snapshot_add(s, obj(a, "Application", "argocd", "a", "x")), "app kept");
	ok(state_snapshot_add(s, obj(a, "Application", "team", "a", "y")), "app kept");
	ok(state_snapshot_add(s, obj(a, "Application", "argocd", "b", "second")), "dup kept");
	ok(state_snapshot_add(s, obj(a, "AppProject", "argocd", "default", "p")), "project kept");
	ok(!state_snapshot_add(s, obj("v1", "ConfigMap", "argocd", "c", "")), "ConfigMap dropped");
	ok(!state_snapshot_add(s, obj("example.com/v1", "Application", "x", "y", "")),
	   "another group's Application dropped");
	ok(!state_snapshot_add(s, obj(a, "Application", "argocd", NULL, "")), "nameless dropped");
	ok(!state_snapshot_add(s, cJSON_CreateString("x")), "not an object dropped");
	state_snapshot_seal(s);
	is_int(state_app_count(s), 3, "duplicates collapse");
	is_str(state_find_app(s, "argocd", "b")->project, "second", "the later one wins");
	is_str(state_find_app(s, "team", "a")->project, "y", "namespaces are apart");
	ok(!state_find_app(s, "argocd", "zz"), "missing app");
	ok(!state_find_app(s, "argocd", NULL), "no name");
	ok(state_find_project(s, "argocd", "default") != NULL, "project lookup");
	ok(!state_find_project(s, "other", "default"), "project in another namespace");
	state_snapshot_unref(s);
}

/* Lookups go through a hash index built by seal: every object is found
 * under its own namespace and name and under nothing else. */
static void test_index(void)
{
	struct state_snapshot *s = state_snapshot_new();
	const char *a = "argoproj.io/v1alpha1";
	char ns[32], name[32], tag[32];
	int found = 0, wrong = 0, missed = 0;

	for (int i = 0; i < 5000; i++) {
		snprintf(ns, sizeof(ns), "ns-%d", i % 7);
		snprintf(name, sizeof(name), "app-%d", i);
		snprintf(tag, sizeof(tag), "p%d", i);
		state_snapshot_add(s, obj(a, "Application", i % 5 ? ns : NULL, name, tag));
	}
	state_snapshot_add(s, obj(a, "AppProject", "argocd", "default", "p"));
	state_snapshot_seal(s);
	for (int i = 0; i < 5000; i++) {
		const struct state_app *app;

		snprintf(ns, sizeof(ns), "ns-%d", i % 7);
		snprintf(name, sizeof(name), "app-%d", i);
		snprintf(tag, sizeof(tag), "p%d", i);
		app = state_find_app(s, i % 5 ? ns : "", name);
		found += app && !strcmp(app->project, tag);
		snprintf(ns, sizeof(ns), "ns-%d", (i + 1) % 7);
		wrong += state_find_app(s, ns, name) != NULL;
		snprintf(name, sizeof(name), "app-%d", i + 5000);
		missed += state_find_app(s, i % 5 ? ns : "", name) == NULL;
	}
	is_int(found, 5000, "every Application found by namespace and name");
	is_int(wrong, 0, "none under another namespace");
	is_int(missed, 5000, "names never added are not found");
	ok(state_find_app(s, NULL, "app-0") && state_find_app(s, "", "app-5"),
	   "a NULL namespace is the empty one");
	ok(!state_find_app(s, "ns-0", ""), "an empty name");
	ok(state_find_project(s, "argocd", "default") && !state_find_app(s, "argocd", "default"),
	   "projects and Applications are apart");
	state_snapshot_add(s, obj(a, "Application", "late", "one", "l"));
	state_snapshot_seal(s);
	ok(state_find_app(s, "late", "one") && state_find_app(s, "ns-3", "app-3"),
	   "sealing again indexes what was added since");
	state_snapshot_unref(s);
}

static void test_store(void)
{
	struct state_store st;
	struct state_status status;
	struct state_snapshot *s1 = state_snapshot_new(), *s2 = state_snapshot_new(), *held;

	state_store_init(&st);
	state_store_status(&st, &status);
	ok(!status.synced && !status.has_snapshot, "not synced before the first publish");
	ok(state_store_acquire(&st) == NULL, "nothing to acquire yet");
	state_snapshot_add(s1, obj("argoproj.io/v1alpha1", "Application", "argocd", "one", "1"));
	state_store_publish(&st, s1, 100);
	held = state_store_acquire(&st);
	state_store_status(&st, &status);
	ok(status.synced && status.synced_at == 100 && status.apps == 1, "synced after publish");
	state_store_publish(&st, s2, 200);
	ok(state_find_app(held, "argocd", "one") != NULL,
	   "a reader keeps its snapshot across a swap");
	state_snapshot_unref(held);
	state_store_mark_stale(&st);
	state_store_status(&st, &status);
	ok(!status.synced && status.has_snapshot && status.apps == 0,
	   "stale: still serving the last snapshot, not synced");
	state_store_release(&st);
}

#define APP_JSON                                                                        \
	"{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Application\","            \
	"\"metadata\":{\"name\":\"web\",\"namespace\":\"argocd\",\"annotations\":"      \
	"{\"argocd.argoproj.io/deletion-approved\":\"2026-01-01T10:00:00Z\"}},"         \
	"\"spec\":{\"project\":\"team\",\"destination\":{\"server\":\"https://k\","     \
	"\"namespace\":\"prod\"},\"syncPolicy\":{\"syncOptions\":[\"Delete=false\"]}}," \
	"\"status\":{\"resources\":[{\"namespace\":\"prod\"},{\"namespace\":\"db\"},"   \
	"{\"namespace\":\"prod\"},{\"kind\":\"Namespace\"}],\"history\":[1,2,3]}}"

#define PROJECT_JSON                                                                               \
	"{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"AppProject\","                        \
	"\"metadata\":{\"name\":\"team\",\"namespace\":\"argocd\",\"labels\":{\"a\":\"b\"}},"      \
	"\"spec\":{\"description\":\"d\",\"sourceRepos\":[\"*\"],\"namespaceResourceWhitelist\":"  \
	"null,"                                                                                    \
	"\"destinations\":[{\"server\":\"*\",\"namespace\":\"prod\"}],\"roles\":[{\"name\":\"r\"}" \
	"],"                                                                                       \
	"\"syncWindows\":[{\"kind\":\"deny\",\"schedule\":\"0 22 * * *\",\"duration\":\"1h\","     \
	"\"applications\":[\"*\"]}]}}"

/* The compact records keep exactly what the policies read. */
static void test_records(void)
{
	struct state_snapshot *s = state_snapshot_new();
	const struct state_app *app;
	const struct state_project *proj;
	char *text;

	state_snapshot_add(s, cJSON_Parse(APP_JSON));
	state_snapshot_add(s, cJSON_Parse(PROJECT_JSON));
	state_snapshot_add(s, cJSON_Parse("{\"apiVersion\":\"argoproj.io/v1alpha1\","
	                                  "\"kind\":\"AppProject\",\"metadata\":{\"name\":"
	                                  "\"broken\",\"namespace\":\"argocd\"},"
	                                  "\"spec\":{\"syncWindows\":[{\"kind\":7}]}}"));
	state_snapshot_add(
		s, cJSON_Parse("{\"apiVersion\":\"argoproj.io/v1alpha1\","
	                       "\"kind\":\"Application\",\"metadata\":{\"name\":\"bare\"}}"));
	state_snapshot_seal(s);
	app = state_find_app(s, "argocd", "web");
	if (!ok(app != NULL, "the Application is kept"))
		goto out;
	is_str(app->project, "team", "spec.project");
	ok(!strcmp(app->dest_server, "https://k") && !app->dest_name &&
	           !strcmp(app->dest_namespace, "prod"),
	   "spec.destination, NULL when absent");
	is_int(app->protect, STATE_APP_DELETE_FALSE, "syncOptions protection");
	ok(app->approved && app->approved_at == 1767261600, "deletion-approved parsed");
	ok(app->nr_resource_ns == 2 && !strcmp(app->resource_ns[0], "db") &&
	           !strcmp(app->resource_ns[1], "prod"),
	   "status.resources namespaces, distinct and sorted");
	app = state_find_app(s, "", "bare");
	ok(app && !app->project && !app->dest_server && !app->approved && !app->nr_resource_ns &&
	           !app->protect,
	   "an Application with nothing but a name");
	proj = state_find_project(s, "argocd", "team");
	if (!ok(proj != NULL, "the AppProject is kept"))
		goto out;
	text = cJSON_PrintUnformatted(proj->json);
	is_str(text,
	       "{\"metadata\":{\"name\":\"team\",\"namespace\":\"argocd\"},\"spec\":"
	       "{\"sourceRepos\":[\"*\"],\"destinations\":[{\"server\":\"*\",\"namespace\":"
	       "\"prod\"}],"
	       "\"namespaceResourceWhitelist\":null}}",
	       "the project keeps the lists project_match reads");
	free(text);
	ok(proj->windows && proj->windows->n == 1 && !proj->windows_error,
	   "sync windows read once");
	proj = state_find_project(s, "argocd", "broken");
	ok(proj && proj->windows_error && strstr(proj->windows_error, "spec.syncWindows[0].kind"),
	   "unreadable windows are kept as an error (%s)", proj ? proj->windows_error : "");
out:
	state_snapshot_unref(s);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

/* JSON Lists are read item by item (state_files.c); anything else as before. */
static void test_json_files(const char *dir)
{
	char path[512];
	const char *one[1] = { path };
	struct state_snapshot *s;
	struct strbuf big = STRBUF_INIT;
	struct errbuf err;
	FILE *f;

	snprintf(path, sizeof(path), "%s/list.json", dir);
	write_file(path, " {\"apiVersion\":\"v1\",\"items\":[" APP_JSON ",\n"
	                 "{\"kind\":\"List\",\"items\":[" PROJECT_JSON "]},"
	                 "{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Application\","
	                 "\"metadata\":{\"name\":\"e\\u0301\",\"namespace\":\"argocd\"}}],"
	                 "\"kind\":\"List\",\"metadata\":{}}\n");
	s = state_load_paths(one, 1, &err);
	ok(s && state_app_count(s) == 2 && state_project_count(s) == 1,
	   "a JSON List, kind after items, a List inside it");
	ok(s && state_find_app(s, "argocd", "web") &&
	           !strcmp(state_find_app(s, "argocd", "web")->project, "team") &&
	           state_find_app(s, "argocd", "e\xcc\x81"),
	   "items read in place, escapes decoded");
	state_snapshot_unref(s);

	write_file(path,
	           "{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Application\","
	           "\"metadata\":{\"name\":\"single\",\"namespace\":\"argocd\"},\"items\":[1]}");
	s = state_load_paths(one, 1, &err);
	ok(s && state_find_app(s, "argocd", "single"), "an object that is no List is one object");
	state_snapshot_unref(s);

	write_file(path, "{\"kind\":\"List\",\"items\":[" APP_JSON "]} trailing");
	errbuf_clear(&err);
	ok(!state_load_paths(one, 1, &err) && strstr(err.msg, "list.json"),
	   "a JSON file with trailing garbage fails as before");

	/* More than a megabyte, so that pages read are given back on the way. */
	strbuf_addstr(&big, "{\"kind\":\"ApplicationList\",\"items\":[");
	for (int i = 0; i < 3000; i++)
		strbuf_addf(&big,
		            "%s{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Application\","
		            "\"metadata\":{\"name\":\"app-%d\",\"namespace\":\"argocd\"},"
		            "\"spec\":{\"project\":\"p%d\"},\"status\":{\"pad\":\"%0400d\"}}",
		            i ? "," : "", i, i % 7, i);
	strbuf_addstr(&big, "]}");
	f = fopen(path, "w");
	fwrite(big.buf, 1, big.len, f);
	fclose(f);
	s = state_load_paths(one, 1, &err);
	ok(s && state_app_count(s) == 3000 && state_find_app(s, "argocd", "app-2999") &&
	           !strcmp(state_find_app(s, "argocd", "app-1234")->project, "p2"),
	   "a big JSON List is read whole");
	state_snapshot_unref(s);
	strbuf_release(&big);
	unlink(path);
}

static void test_files(void)
{
	char dir[] = "/tmp/test_webhook_state_XXXXXX", path[512];
	struct state_snapshot *s;
	struct errbuf err;
	const char *one[1];

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/sub", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/sub/apps.yml", dir);
	write_file(path, "apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
	                 "metadata: {name: a, namespace: argocd}\n---\n---\n"
	                 "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationList\nitems:\n"
	                 "- apiVersion: argoproj.io/v1alpha1\n  kind: Application\n"
	                 "  metadata: {name: b, namespace: argocd}\n");
	snprintf(path, sizeof(path), "%s/..data", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/..data/broken.yaml", dir);
	write_file(path, "a: [\n");
	snprintf(path, sizeof(path), "%s/README.md", dir);
	write_file(path, "not yaml: [\n");
	one[0] = dir;
	s = state_load_paths(one, 1, &err);
	ok(s && state_app_count(s) == 2,
	   "a directory tree, lists, dot-dirs and other files skipped");
	state_snapshot_unref(s);

	snprintf(path, sizeof(path), "%s/bad.yaml", dir);
	write_file(path, "apiVersion: [\n");
	errbuf_clear(&err);
	ok(!state_load_paths(one, 1, &err) && strstr(err.msg, "bad.yaml"),
	   "a broken file fails the load and is named");
	unlink(path);
	one[0] = "/nonexistent/state";
	ok(!state_load_paths(one, 1, &err) && strstr(err.msg, "/nonexistent/state"),
	   "a missing path is an error");
	s = state_load_paths(NULL, 0, &err);
	ok(s && state_app_count(s) == 0, "no paths: empty state");
	state_snapshot_unref(s);

	test_json_files(dir);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path))
		diag("cleanup failed");
}

int main(void)
{
	test_snapshot();
	test_index();
	test_records();
	test_store();
	test_files();
	return tap_done();
}
