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
#include "tap.h"

static cJSON *obj(const char *api, const char *kind, const char *ns, const char *name,
		  const char *tag)
{
	cJSON *o = cJSON_CreateObject(), *m;

	cJSON_AddStringToObject(o, "apiVersion", api);
	cJSON_AddStringToObject(o, "kind", kind);
	m = cJSON_AddObjectToObject(o, "metadata");
	if (ns)
		cJSON_AddStringToObject(m, "namespace", ns);
	if (name)
		cJSON_AddStringToObject(m, "name", name);
	cJSON_AddStringToObject(o, "tag", tag);
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
	is_str(kobj_str(state_find_app(s, "argocd", "b"), "tag"), "second", "the later one wins");
	is_str(kobj_str(state_find_app(s, "team", "a"), "tag"), "y", "namespaces are apart");
	ok(!state_find_app(s, "argocd", "zz"), "missing app");
	ok(!state_find_app(s, "argocd", NULL), "no name");
	ok(state_find_project(s, "argocd", "default") != NULL, "project lookup");
	ok(!state_find_project(s, "other", "default"), "project in another namespace");
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

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
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
	ok(s && state_app_count(s) == 2, "a directory tree, lists, dot-dirs and other files skipped");
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

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path))
		diag("cleanup failed");
}

int main(void)
{
	test_snapshot();
	test_store();
	test_files();
	return tap_done();
}
