/*
 * How a sync ends: unfinished apps after --timeout, the exit status
 * (documented in `sync --help`), the summary table or -o json on stdout;
 * and --plan, which shows the same tree before anything is written.
 */
#include <stdio.h>
#include <string.h>

#include "json_util.h"
#include "kube_watch.h"
#include "output.h"
#include "strbuf.h"
#include "sync_cmd.h"
#include "table.h"
#include "ui.h"

static void count_states(struct sync_node *n, void *data)
{
	int *k = data;

	if (n->state == SYNC_FAILED || n->state == SYNC_REFUSED)
		k[0]++;
	else if (n->state == SYNC_TIMED_OUT || !sync_state_final(n->state))
		k[1]++;
}

/* Keeps what the app was waiting for (a paused Rollout, an operation's step). */
static void mark_unfinished(struct sync_node *n, void *data)
{
	struct strbuf msg = STRBUF_INIT;

	if (sync_state_final(n->state))
		return;
	strbuf_addstr(&msg, data);
	if (n->message && n->state != SYNC_PENDING)
		strbuf_addf(&msg, ": %s", n->message);
	sync_set_state(n, SYNC_TIMED_OUT, msg.buf);
	strbuf_release(&msg);
}

int sync_finish(struct sync_cmd *c, int wr)
{
	int k[2] = { 0, 0 }, ret;
	const char *result;

	if (wr == KUBE_WATCH_INTERRUPTED)
		return sync_report_interrupted(c);
	if (wr == KUBE_WATCH_TIMED_OUT)
		sync_plan_walk(c->plan_.root, mark_unfinished, "timed out (--timeout)");
	sync_plan_walk(c->plan_.root, sync_note, &c->pg);
	sync_progress_redraw(&c->pg, c->plan_.root, 1);
	sync_plan_walk(c->plan_.root, count_states, k);
	if (c->async) {
		ret = k[0] ? EXIT_FAILURE_ : EXIT_OK;
		result = k[0] ? "Failed" : "Triggered";
	} else if (k[0]) {
		ret = EXIT_FAILURE_, result = "Failed";
	} else if (k[1]) {
		ret = EXIT_TIMEOUT, result = "TimedOut";
	} else {
		ret = EXIT_OK, result = "Succeeded";
	}
	if (c->rf.n && !c->any_match && !k[0]) {
		struct strbuf sb = STRBUF_INIT;
		size_t i;

		for (i = 0; i < c->rf.n; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", c->rf.v[i].arg);
		error("no matching app resources found for resource filter: %s", sb.buf);
		strbuf_release(&sb);
		ret = EXIT_FAILURE_, result = "Failed";
	}
	if (c->output) {
		cJSON *j = sync_progress_json(c->plan_.root, result);

		output_json(stdout, j);
		cJSON_Delete(j);
	} else {
		sync_progress_summary(stdout, c->plan_.root);
	}
	return ret;
}

static void plan_node(struct sync_cmd *c, struct sync_node *n)
{
	const cJSON *app = sync_lookup(n->ns, n->name, c);
	size_t i;

	if (!app) {
		sync_set_state(n, SYNC_PENDING, "not created yet: its parent's sync creates it");
		return;
	}
	sync_observe(n, app);
	if (n->depth > 0 && !c->force_children && !strcmp(n->sync, "Synced") &&
	    !strcmp(n->health, "Healthy"))
		sync_set_state(n, SYNC_SKIPPED, "already Synced and Healthy");
	if (!c->cascade)
		return;
	sync_discover(c, n, app);
	if (!n->nchildren && n->state != SYNC_SKIPPED)
		sync_set_state(n, n->state, "children are known after it syncs");
	for (i = 0; i < n->nchildren; i++)
		plan_node(c, n->children[i]);
}

static void plan_row(struct sync_node *n, void *data)
{
	struct strbuf name = STRBUF_INIT, wave = STRBUF_INIT;
	const char *cells[6];

	sync_progress_tree_prefix(n, &name);
	strbuf_addstr(&name, n->name);
	strbuf_addf(&wave, "%d", n->wave);
	cells[0] = name.buf;
	cells[1] = wave.buf;
	cells[2] = n->state == SYNC_SKIPPED ? "skip" : "sync";
	cells[3] = *n->sync ? n->sync : "-";
	cells[4] = *n->health ? n->health : "-";
	cells[5] = n->message ? n->message : "";
	table_add(data, cells);
	strbuf_release(&name);
	strbuf_release(&wave);
}

int sync_print_plan(struct sync_cmd *c)
{
	static const char *const headers[] = { "APP", "WAVE", "ACTION", "SYNC", "HEALTH", "NOTE" };
	struct table t;
	size_t i;

	for (i = 0; i < c->plan_.root->nchildren; i++)
		plan_node(c, c->plan_.root->children[i]);
	if (c->output) {
		cJSON *j = sync_progress_json(c->plan_.root, "Plan");

		output_json(stdout, j);
		cJSON_Delete(j);
		return 0;
	}
	table_init(&t, 6, headers);
	sync_plan_walk(c->plan_.root, plan_row, &t);
	table_print(&t, stdout);
	table_release(&t);
	return 0;
}
