/*
 * Paused Rollouts during a sync (issue 6, "Integration with sync"): an app
 * whose Rollout waits at a pause step stays Suspended or Progressing until
 * someone promotes it, so instead of a silent wait the progress and the
 * summary say where it is paused and the command that goes on.  The app
 * still counts as waiting (a human may promote it while we wait); only
 * --health-timeout or --timeout end the wait.
 *
 * The Rollouts are read only for apps in that state, and again only when
 * the Application's resourceVersion changed (its health or resources moved),
 * so a quiet wait costs no requests.
 */
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "rollout_phase.h"
#include "strbuf.h"
#include "sync_cmd.h"
#include "xalloc.h"

static int is_rollout(const cJSON *r)
{
	return !strcmp(json_str(r, "group", ""), "argoproj.io") &&
	       !strcmp(json_str(r, "kind", ""), "Rollout") && *json_str(r, "name", "");
}

/* The pause lines of the app's Rollouts, "; "-joined, into out. */
static void read_pauses(struct sync_cmd *c, const cJSON *app, struct strbuf *out)
{
	const char *app_ns = json_str(app, "spec.destination.namespace", "");
	const cJSON *r;

	cJSON_ArrayForEach (r, json_get(app, "status.resources")) {
		struct strbuf path = STRBUF_INIT, line = STRBUF_INIT;
		const char *ns = json_str(r, "namespace", app_ns);
		struct errbuf err;
		cJSON *ro = NULL;

		if (!is_rollout(r) || !*ns)
			continue;
		kube_path(&path, "argoproj.io", "v1alpha1", "rollouts", ns, json_str(r, "name", ""),
		          NULL);
		/* unreadable (RBAC, gone): say nothing rather than fail the sync */
		if (!kube_get(c->kc, path.buf, &ro, &err) && rollout_pause_summary(ro, &line))
			strbuf_addf(out, "%s%s", out->len ? "; " : "", line.buf);
		cJSON_Delete(ro);
		strbuf_release(&path);
		strbuf_release(&line);
	}
}

int sync_rollout_pause(struct sync_cmd *c, const cJSON *app, char **msg)
{
	const char *health = json_str(app, "status.health.status", "");
	const char *rv = json_str(app, "metadata.resourceVersion", "");
	struct strbuf key = STRBUF_INIT, lines = STRBUF_INIT;
	const cJSON *r, *memo;
	cJSON *entry;
	int any = 0;

	*msg = NULL;
	if (strcmp(health, "Progressing") && strcmp(health, "Suspended"))
		return -1;
	cJSON_ArrayForEach (r, json_get(app, "status.resources"))
		any |= is_rollout(r);
	if (!any)
		return -1;
	if (!c->rollouts)
		c->rollouts = cJSON_CreateObject();
	strbuf_addf(&key, "%s/%s", json_str(app, "metadata.namespace", ""),
	            json_str(app, "metadata.name", ""));
	memo = json_get_key(c->rollouts, key.buf);
	if (!memo || strcmp(json_str(memo, "rv", ""), rv) || !*rv) {
		read_pauses(c, app, &lines);
		cJSON_DeleteItemFromObjectCaseSensitive(c->rollouts, key.buf);
		entry = cJSON_AddObjectToObject(c->rollouts, key.buf);
		cJSON_AddStringToObject(entry, "rv", rv);
		cJSON_AddStringToObject(entry, "message", lines.buf);
		memo = entry;
	}
	if (*json_str(memo, "message", ""))
		*msg = xstrdup(json_str(memo, "message", ""));
	strbuf_release(&key);
	strbuf_release(&lines);
	return *msg ? 0 : -1;
}
