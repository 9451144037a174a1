#include "sync_progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json_util.h"
#include "kube_client.h"
#include "strbuf.h"
#include "table.h"
#include "timefmt.h"

#define REDRAW_MS 200

void sync_progress_init(struct sync_progress *pg, FILE *out, int live, int color)
{
	memset(pg, 0, sizeof(*pg));
	pg->out = out;
	pg->live = live;
	pg->color = color;
	pg->last = cJSON_CreateObject();
}

void sync_progress_release(struct sync_progress *pg)
{
	cJSON_Delete(pg->last);
	pg->last = NULL;
}

static int is_last_child(const struct sync_node *n)
{
	return !n->parent || n->parent->children[n->parent->nchildren - 1] == n;
}

static void ancestors(const struct sync_node *n, struct strbuf *out)
{
	if (!n || n->depth <= 0)
		return;
	ancestors(n->parent, out);
	strbuf_addstr(out, is_last_child(n) ? "   " : "│  ");
}

void sync_progress_tree_prefix(const struct sync_node *n, struct strbuf *out)
{
	if (n->depth <= 0)
		return;
	ancestors(n->parent, out);
	strbuf_addstr(out, is_last_child(n) ? "└─ " : "├─ ");
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static const char *state_color(enum sync_state s)
{
	switch (s) {
	case SYNC_SUCCEEDED:
	case SYNC_SKIPPED:
		return "\033[32m";
	case SYNC_FAILED:
	case SYNC_REFUSED:
	case SYNC_TIMED_OUT:
		return "\033[31m";
	case SYNC_RUNNING:
	case SYNC_CHILDREN:
	case SYNC_SETTLING:
		return "\033[94m";
	default:
		return "\033[33m";
	}
}

static void elapsed(const struct sync_node *n, char buf[TIMEFMT_AGE_SIZE])
{
	struct timespec now;

	if (!n->started.tv_sec) {
		strcpy(buf, "-");
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	if (n->finished.tv_sec)
		now = n->finished;
	timefmt_human_duration((int64_t)(now.tv_sec - n->started.tv_sec) * 1000000000LL, buf);
}

/* "NAME WAVE STATE PHASE SYNC HEALTH MESSAGE", escaped, no timestamp. */
static void format_line(struct strbuf *sb, const struct sync_node *n, int color, int with_prefix)
{
	struct strbuf name = STRBUF_INIT;

	if (with_prefix)
		sync_progress_tree_prefix(n, &name);
	term_escape(&name, n->name);
	strbuf_addf(sb, "%-28s %5d  %s%-10s%s %-11s %-10s %-11s", name.buf, n->wave,
	            color ? state_color(n->state) : "", sync_state_name(n->state),
	            color ? "\033[0m" : "", or_dash(n->phase), or_dash(n->sync), or_dash(n->health));
	if (n->message) {
		strbuf_addch(sb, ' ');
		term_escape(sb, n->message);
	}
	strbuf_release(&name);
}

void sync_progress_note(struct sync_progress *pg, const struct sync_node *n)
{
	struct strbuf line = STRBUF_INIT, key = STRBUF_INIT;
	char ts[TIMEFMT_RFC3339_SIZE];
	const cJSON *old;
	struct timespec now;

	format_line(&line, n, 0, 0);
	strbuf_addf(&key, "%s/%s", n->ns, n->name);
	old = json_get_key(pg->last, key.buf);
	if (old && !strcmp(old->valuestring, line.buf))
		goto out;
	cJSON_DeleteItemFromObjectCaseSensitive(pg->last, key.buf);
	cJSON_AddStringToObject(pg->last, key.buf, line.buf);
	if (pg->live) {
		pg->dirty = 1;
		goto out;
	}
	if (!pg->header_done) {
		fprintf(pg->out, "%-20s %-28s %5s  %-10s %-11s %-10s %-11s %s\n", "TIMESTAMP",
		        "APP", "WAVE", "STATE", "PHASE", "SYNC", "HEALTH", "MESSAGE");
		pg->header_done = 1;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	strbuf_reset(&line);
	format_line(&line, n, pg->color, 0);
	fprintf(pg->out, "%-20s %s\n", timefmt_format_rfc3339(now.tv_sec, ts), line.buf);
	fflush(pg->out);
out:
	strbuf_release(&line);
	strbuf_release(&key);
}

struct draw {
	struct strbuf sb;
	size_t lines;
	int color;
};

static void draw_node(struct sync_node *n, void *data)
{
	struct draw *d = data;
	char el[TIMEFMT_AGE_SIZE];

	format_line(&d->sb, n, d->color, 1);
	elapsed(n, el);
	strbuf_addf(&d->sb, "  %s\n", el);
	d->lines++;
}

void sync_progress_redraw(struct sync_progress *pg, const struct sync_node *root, int force)
{
	struct draw d = { STRBUF_INIT, 0, pg->color };
	long long now = kube_monotonic_ms();

	if (!pg->live || (!force && (!pg->dirty || now - pg->last_draw_ms < REDRAW_MS)))
		return;
	strbuf_addf(&d.sb, "%-28s %5s  %-10s %-11s %-10s %-11s\n", "APP", "WAVE", "STATE", "PHASE",
	            "SYNC", "HEALTH");
	d.lines = 1;
	sync_plan_walk((struct sync_node *)root, draw_node, &d);
	if (pg->drawn_lines)
		fprintf(pg->out, "\033[%zuA\r\033[J", pg->drawn_lines);
	fputs(d.sb.buf, pg->out);
	fflush(pg->out);
	pg->drawn_lines = d.lines;
	pg->last_draw_ms = now;
	pg->dirty = 0;
	strbuf_release(&d.sb);
}

static void summary_row(struct sync_node *n, void *data)
{
	struct table *t = data;
	struct strbuf name = STRBUF_INIT, wave = STRBUF_INIT;
	char el[TIMEFMT_AGE_SIZE];
	const char *cells[8];

	sync_progress_tree_prefix(n, &name);
	strbuf_addstr(&name, n->name);
	strbuf_addf(&wave, "%d", n->wave);
	elapsed(n, el);
	cells[0] = name.buf;
	cells[1] = wave.buf;
	cells[2] = sync_state_name(n->state);
	cells[3] = or_dash(n->phase);
	cells[4] = or_dash(n->sync);
	cells[5] = or_dash(n->health);
	cells[6] = el;
	cells[7] = or_dash(n->message);
	table_add(t, cells);
	strbuf_release(&name);
	strbuf_release(&wave);
}

void sync_progress_summary(FILE *out, const struct sync_node *root)
{
	static const char *const headers[] = { "APP",  "WAVE",   "RESULT",   "PHASE",
		                               "SYNC", "HEALTH", "DURATION", "MESSAGE" };
	struct table t;

	table_init(&t, 8, headers);
	sync_plan_walk((struct sync_node *)root, summary_row, &t);
	table_print(&t, out);
	table_release(&t);
}

static void add_time(cJSON *o, const char *key, const struct timespec *t)
{
	char buf[TIMEFMT_RFC3339_SIZE];

	if (t->tv_sec)
		cJSON_AddStringToObject(o, key, timefmt_format_rfc3339(t->tv_sec, buf));
	else
		cJSON_AddNullToObject(o, key);
}

static void add_str(cJSON *o, const char *key, const char *v)
{
	if (v && *v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static void json_row(struct sync_node *n, void *data)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", n->name);
	cJSON_AddStringToObject(o, "namespace", n->ns);
	add_str(o, "parent", n->parent ? n->parent->name : NULL);
	cJSON_AddNumberToObject(o, "wave", n->wave);
	cJSON_AddStringToObject(o, "result", sync_state_name(n->state));
	add_str(o, "phase", n->phase);
	add_str(o, "sync", n->sync);
	add_str(o, "health", n->health);
	add_str(o, "message", n->message);
	add_time(o, "startedAt", &n->started);
	add_time(o, "finishedAt", &n->finished);
	cJSON_AddItemToArray(data, o);
}

cJSON *sync_progress_json(const struct sync_node *root, const char *result)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "result", result);
	sync_plan_walk((struct sync_node *)root, json_row, cJSON_AddArrayToObject(o, "apps"));
	return o;
}
