/* Child discovery, selection and wave grouping of a cascading sync. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "app_common.h"
#include "strbuf.h"
#include "sync_plan.h"
#include "tap.h"

static cJSON *apps;

static const cJSON *lookup(const char *ns, const char *name, void *data)
{
	const cJSON *a;

	(void)data;
	cJSON_ArrayForEach (a, apps)
		if (!strcmp(app_name(a), name) && !strcmp(app_ns(a), ns))
			return a;
	return NULL;
}

static const cJSON *find(const char *name)
{
	return lookup("argocd", name, NULL);
}

/* Names of n's children as "a,b|c" with '|' between waves. */
static void names(const struct sync_node *n, struct strbuf *sb)
{
	size_t i;

	strbuf_reset(sb);
	for (i = 0; i < n->nchildren; i++) {
		if (i)
			strbuf_addch(sb,
			             n->children[i]->wave == n->children[i - 1]->wave ? ',' : '|');
		strbuf_addstr(sb, n->children[i]->name);
	}
}

static const char fixture[] =
	"[{\"metadata\":{\"name\":\"root\",\"namespace\":\"argocd\"},"
	"  \"status\":{\"resources\":["
	"   "
	"{\"group\":\"argoproj.io\",\"kind\":\"Application\",\"namespace\":\"argocd\",\"name\":"
	"\"web\"},"
	"   "
	"{\"group\":\"argoproj.io\",\"kind\":\"Application\",\"namespace\":\"argocd\",\"name\":"
	"\"infra\"},"
	"   {\"group\":\"argoproj.io\",\"kind\":\"Application\",\"name\":\"api\"},"
	"   "
	"{\"group\":\"argoproj.io\",\"kind\":\"Application\",\"namespace\":\"argocd\",\"name\":"
	"\"worker\"},"
	"   "
	"{\"group\":\"argoproj.io\",\"kind\":\"Application\",\"namespace\":\"argocd\",\"name\":"
	"\"root\"},"
	"   "
	"{\"group\":\"argoproj.io\",\"kind\":\"Application\",\"namespace\":\"argocd\",\"name\":"
	"\"ghost\",\"syncWave\":5},"
	"   {\"group\":\"\",\"kind\":\"ConfigMap\",\"namespace\":\"argocd\",\"name\":\"cm\"},"
	"   "
	"{\"group\":\"argoproj.io\",\"kind\":\"AppProject\",\"namespace\":\"argocd\",\"name\":"
	"\"p\"}]}},"
	" {\"metadata\":{\"name\":\"web\",\"namespace\":\"argocd\",\"annotations\":{\"argocd."
	"argoproj.io/sync-wave\":\"0\"}}},"
	" {\"metadata\":{\"name\":\"api\",\"namespace\":\"argocd\"}},"
	" {\"metadata\":{\"name\":\"infra\",\"namespace\":\"argocd\",\"annotations\":{\"argocd."
	"argoproj.io/sync-wave\":\"-1\"}}},"
	" {\"metadata\":{\"name\":\"worker\",\"namespace\":\"argocd\",\"labels\":{\"tier\":"
	"\"back\"},"
	"   \"annotations\":{\"argocd.argoproj.io/sync-wave\":\"1\"}},"
	"  \"status\":{\"resources\":["
	"   "
	"{\"group\":\"argoproj.io\",\"kind\":\"Application\",\"namespace\":\"argocd\",\"name\":"
	"\"root\"},"
	"   "
	"{\"group\":\"argoproj.io\",\"kind\":\"Application\",\"namespace\":\"argocd\",\"name\":"
	"\"web\"},"
	"   "
	"{\"group\":\"argoproj.io\",\"kind\":\"Application\",\"namespace\":\"argocd\",\"name\":"
	"\"leaf\"}]}},"
	" {\"metadata\":{\"name\":\"leaf\",\"namespace\":\"argocd\",\"annotations\":{\"argocd."
	"argoproj.io/sync-wave\":\"x1\",\"helm.sh/hook-weight\":\"3\"}}}]";

static void test_discovery(void)
{
	struct sync_plan p;
	struct sync_node *root, *worker;
	struct strbuf sb = STRBUF_INIT;

	sync_plan_init(&p);
	root = sync_plan_add_root(&p, "argocd", "root");
	ok(root && root->depth == 0, "a named app is a root at depth 0");
	ok(!sync_plan_add_root(&p, "argocd", "root"), "an app named twice is added once");
	sync_plan_discover(&p, root, find("root"), "argocd", NULL, lookup, NULL);
	names(root, &sb);
	is_str(sb.buf, "infra|api,web|worker|ghost",
	       "children: Applications only, self left out, by wave then name; unknown child uses "
	       "syncWave");
	ok(root->children_known, "discovery marks the children known");
	is_int(root->children[1]->depth, 1, "children are one level deeper");
	is_str(root->children[1]->ns, "argocd",
	       "an entry without a namespace is in the default namespace");

	worker = root->children[3];
	sync_plan_discover(&p, worker, find("worker"), "argocd", NULL, lookup, NULL);
	names(worker, &sb);
	is_str(sb.buf, "leaf",
	       "cycle-safe: the parent and an app already in the plan are not revisited");
	is_int(worker->children[0]->wave, 3, "a bad sync-wave falls back to helm.sh/hook-weight");
	sync_plan_release(&p);
	strbuf_release(&sb);
}

static void test_selection(void)
{
	static const struct {
		const char *apps, *exclude;
		int labelled;
		const char *want;
	} cases[] = {
		{ NULL, NULL, 0, "infra|api,web|worker|ghost" },
		{ "w*", NULL, 0, "web|worker" },
		{ "api,infra", NULL, 0, "infra|api" },
		{ NULL, "w*", 0, "infra|api|ghost" },
		{ "*", "ghost", 1, "worker" },
		{ "[", NULL, 0, "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sync_select sel = { STRLIST_INIT, STRLIST_INIT, NULL };
		struct strbuf sb = STRBUF_INIT;
		cJSON *labelled = cJSON_CreateObject();
		struct sync_plan p;
		struct sync_node *root;
		char *list = NULL, *tok, *save;

		if (cases[i].apps) {
			list = strdup(cases[i].apps);
			for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				strlist_push(&sel.apps, tok);
		}
		if (cases[i].exclude)
			strlist_push(&sel.exclude, cases[i].exclude);
		if (cases[i].labelled) {
			cJSON_AddTrueToObject(labelled, "argocd/worker");
			sel.labelled = labelled;
		}
		sync_plan_init(&p);
		root = sync_plan_add_root(&p, "argocd", "root");
		sync_plan_discover(&p, root, find("root"), "argocd", &sel, lookup, NULL);
		names(root, &sb);
		is_str(sb.buf, cases[i].want, "selection case %zu (--app %s --exclude-app %s%s)", i,
		       cases[i].apps ? cases[i].apps : "-",
		       cases[i].exclude ? cases[i].exclude : "-", cases[i].labelled ? " -l" : "");
		sync_plan_release(&p);
		strlist_release(&sel.apps);
		strlist_release(&sel.exclude);
		cJSON_Delete(labelled);
		strbuf_release(&sb);
		free(list);
	}
}

static void test_waves(void)
{
	struct sync_plan p;
	struct sync_node *root;
	size_t first, count;
	int failed;

	sync_plan_init(&p);
	root = sync_plan_add_root(&p, "argocd", "root");
	sync_plan_discover(&p, root, find("root"), "argocd", NULL, lookup, NULL);
	/* infra | api, web | worker | ghost */
	sync_plan_current_wave(root, &first, &count, &failed);
	ok(first == 0 && count == 1 && !failed, "the first wave is the lowest (-1: infra)");
	root->children[0]->state = SYNC_RUNNING;
	sync_plan_current_wave(root, &first, &count, &failed);
	ok(first == 0 && count == 1, "a running app keeps its wave current");
	root->children[0]->state = SYNC_SKIPPED;
	sync_plan_current_wave(root, &first, &count, &failed);
	ok(first == 1 && count == 2 && !failed,
	   "a skipped app finishes its wave; the next has two apps");
	root->children[1]->state = SYNC_SUCCEEDED;
	root->children[2]->state = SYNC_FAILED;
	sync_plan_current_wave(root, &first, &count, &failed);
	ok(count == 0 && failed, "a failed wave stops: no current wave, failure reported");
	root->children[2]->state = SYNC_SETTLING;
	root->children[1]->state = SYNC_TIMED_OUT;
	sync_plan_current_wave(root, &first, &count, &failed);
	ok(first == 1 && count == 2 && failed,
	   "a failure inside an unfinished wave is reported with it");
	root->children[1]->state = root->children[2]->state = SYNC_SUCCEEDED;
	root->children[3]->state = root->children[4]->state = SYNC_SUCCEEDED;
	sync_plan_current_wave(root, &first, &count, &failed);
	ok(count == 0 && !failed, "all waves done");
	ok(sync_state_final(SYNC_NOT_STARTED) && !sync_state_ok(SYNC_NOT_STARTED) &&
	           !sync_state_final(SYNC_WAITING_OP) && sync_state_ok(SYNC_SKIPPED),
	   "final and ok states");
	is_str(sync_state_name(SYNC_TIMED_OUT), "TimedOut", "state names");
	sync_plan_release(&p);
}

int main(void)
{
	apps = cJSON_Parse(fixture);
	ok(apps != NULL, "fixture parses");
	test_discovery();
	test_selection();
	test_waves();
	cJSON_Delete(apps);
	return tap_done();
}
