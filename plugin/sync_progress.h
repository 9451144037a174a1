/*
 * sync_progress.h - what `kubectl gitops sync` shows while it works and
 * when it is done.
 *
 * While waiting (on stderr): on a terminal, a live tree (app, wave, state,
 * operation phase, sync, health, elapsed) redrawn in place at most five
 * times a second; otherwise argocd's style, one timestamped line per app
 * whose state, phase, sync, health or message changed.  At the end (on
 * stdout): a summary table, or with -o json a machine-readable result.
 * Text from the cluster is escaped (term_escape) before it is printed.
 *
 * Ownership: struct sync_progress owns its memo of printed lines
 * (sync_progress_release); nodes are borrowed.
 */
#ifndef SYNC_PROGRESS_H
#define SYNC_PROGRESS_H

#include <stdio.h>
#include <cjson/cJSON.h>

#include "sync_plan.h"

struct strbuf;

struct sync_progress {
	FILE *out;
	int live, color;
	cJSON *last; /* "ns/name" -> last line printed */
	int header_done;
	size_t drawn_lines;
	long long last_draw_ms;
	int dirty;
};

void sync_progress_init(struct sync_progress *pg, FILE *out, int live, int color);
void sync_progress_release(struct sync_progress *pg);

/* Records the node's current state; prints a change line (log mode) or
 * marks the tree for redrawing (live mode). */
void sync_progress_note(struct sync_progress *pg, const struct sync_node *n);

/* Live mode: redraws the tree under root if it changed (force: now, even
 * within 200 ms of the last redraw).  No-op in log mode. */
void sync_progress_redraw(struct sync_progress *pg, const struct sync_node *root, int force);

/* The final table, one row per app of the plan, in plan order. */
void sync_progress_summary(FILE *out, const struct sync_node *root);

/* -o json: {"result": …, "apps": [{name, namespace, parent, wave, result,
 * phase, sync, health, message, startedAt, finishedAt}, …]}. */
cJSON *sync_progress_json(const struct sync_node *root, const char *result);

/* The tree lines (also used by --plan and by `tree`): prefix "├─ " etc. */
void sync_progress_tree_prefix(const struct sync_node *n, struct strbuf *out);

#endif
