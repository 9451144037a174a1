/*
 * kubectl gitops rollout list: upstream's `list rollouts` table (§1.8),
 * with -o wide (message and age) and -o json (the same fields,
 * structured), and -w printing a row each time one changes.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "kube_watch.h"
#include "output.h"
#include "rollout_cli.h"
#include "rollout_phase.h"
#include "table.h"
#include "timefmt.h"
#include "ui.h"
#include "xalloc.h"

#define NCOLS_MAX 13

static const struct command_help list_help = {
	.usage = "rollout list [-A] [-w] [--name NAME] [-o wide|json] [options]",
	.description =
		"List rollouts with their strategy, status, current step, desired canary weight\n"
		"and replica counts.  -w keeps watching and prints a row whenever one changes.",
	.examples = "  # Rollouts of the current namespace\n  kubectl gitops rollout list\n\n"
		    "  # Every namespace, with the status message\n"
		    "  kubectl gitops rollout list -A -o wide\n",
};

struct list_opts {
	int all, watch, no_headers;
	const char *output, *name;
};

struct row {
	char *key; /* namespace/name */
	char *text; /* the cells joined, to notice changes */
};

struct list_state {
	const struct list_opts *o;
	struct row *rows;
	size_t n, alloc;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int wide(const struct list_opts *o)
{
	return o->output && !strcmp(o->output, "wide");
}

/* The cells of one rollout's row, into bufs (kept alive by the caller). */
static size_t row_cells(const cJSON *ro, const struct list_opts *o, const char **cells,
                        char bufs[][TIMEFMT_AGE_SIZE], struct strbuf *msg)
{
	const char *strategy = rollout_strategy(ro);
	struct timespec now, then;
	size_t n = 0;
	int idx;

	if (o->all)
		cells[n++] = json_str(ro, "metadata.namespace", "");
	cells[n++] = json_str(ro, "metadata.name", "");
	cells[n++] = *strategy ? strategy : "-";
	cells[n++] = rollout_phase(ro, msg);
	if (rollout_step(ro, &idx))
		snprintf(bufs[0], TIMEFMT_AGE_SIZE, "%d/%d", idx, rollout_step_count(ro));
	else
		strcpy(bufs[0], "-");
	cells[n++] = bufs[0];
	if (!strcmp(strategy, "Canary"))
		snprintf(bufs[1], TIMEFMT_AGE_SIZE, "%d", rollout_set_weight(ro));
	else
		strcpy(bufs[1], "-");
	cells[n++] = bufs[1];
	snprintf(bufs[2], TIMEFMT_AGE_SIZE, "%lld/%lld", json_int(ro, "status.readyReplicas", 0),
	         json_int(ro, "status.replicas", 0));
	cells[n++] = bufs[2];
	snprintf(bufs[3], TIMEFMT_AGE_SIZE, "%lld", json_int(ro, "spec.replicas", 1));
	cells[n++] = bufs[3];
	snprintf(bufs[4], TIMEFMT_AGE_SIZE, "%lld", json_int(ro, "status.updatedReplicas", 0));
	cells[n++] = bufs[4];
	snprintf(bufs[5], TIMEFMT_AGE_SIZE, "%lld", json_int(ro, "status.availableReplicas", 0));
	cells[n++] = bufs[5];
	if (wide(o)) {
		cells[n++] = msg->len ? msg->buf : "-";
		clock_gettime(CLOCK_REALTIME, &now);
		if (timefmt_parse_rfc3339(json_str(ro, "metadata.creationTimestamp", ""), &then, NULL))
			strcpy(bufs[6], "<unknown>");
		else
			timefmt_age(&then, &now, bufs[6]);
		cells[n++] = bufs[6];
	}
	return n;
}

static void table_headers(const struct list_opts *o, struct table *t)
{
	static const char *const base[] = { "NAME",    "STRATEGY",   "STATUS",
		                            "STEP",    "SET-WEIGHT", "READY",
		                            "DESIRED", "UP-TO-DATE", "AVAILABLE" };
	const char *h[NCOLS_MAX];
	size_t n = 0, i;

	if (o->all)
		h[n++] = "NAMESPACE";
	for (i = 0; i < 9; i++)
		h[n++] = base[i];
	if (wide(o)) {
		h[n++] = "MESSAGE";
		h[n++] = "AGE";
	}
	table_init(t, n, h);
	t->no_headers = o->no_headers;
}

static void add_row(struct table *t, const cJSON *ro, const struct list_opts *o)
{
	char bufs[7][TIMEFMT_AGE_SIZE];
	const char *cells[NCOLS_MAX];
	struct strbuf msg = STRBUF_INIT;

	row_cells(ro, o, cells, bufs, &msg);
	table_add(t, cells);
	strbuf_release(&msg);
}

static cJSON *row_json(const cJSON *ro)
{
	struct strbuf msg = STRBUF_INIT;
	cJSON *r = cJSON_CreateObject();
	const char *phase = rollout_phase(ro, &msg);
	int idx;

	cJSON_AddStringToObject(r, "namespace", json_str(ro, "metadata.namespace", ""));
	cJSON_AddStringToObject(r, "name", json_str(ro, "metadata.name", ""));
	cJSON_AddStringToObject(r, "strategy", rollout_strategy(ro));
	cJSON_AddStringToObject(r, "status", phase);
	cJSON_AddStringToObject(r, "message", msg.buf);
	if (rollout_step(ro, &idx)) {
		cJSON_AddNumberToObject(r, "step", idx);
		cJSON_AddNumberToObject(r, "steps", rollout_step_count(ro));
	}
	if (!strcmp(rollout_strategy(ro), "Canary"))
		cJSON_AddNumberToObject(r, "setWeight", rollout_set_weight(ro));
	cJSON_AddNumberToObject(r, "desired", (double)json_int(ro, "spec.replicas", 1));
	cJSON_AddNumberToObject(r, "current", (double)json_int(ro, "status.replicas", 0));
	cJSON_AddNumberToObject(r, "ready", (double)json_int(ro, "status.readyReplicas", 0));
	cJSON_AddNumberToObject(r, "upToDate", (double)json_int(ro, "status.updatedReplicas", 0));
	cJSON_AddNumberToObject(r, "available", (double)json_int(ro, "status.availableReplicas", 0));
	strbuf_release(&msg);
	return r;
}

static void print_json(const cJSON *items)
{
	cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "items");
	const cJSON *ro;

	cJSON_ArrayForEach (ro, items)
		cJSON_AddItemToArray(arr, row_json(ro));
	output_json(stdout, out);
	cJSON_Delete(out);
}

/* Remembers a rollout's row; 1 when it is new or changed. */
static int remember(struct list_state *s, const cJSON *ro)
{
	char bufs[7][TIMEFMT_AGE_SIZE];
	const char *cells[NCOLS_MAX];
	struct strbuf key = STRBUF_INIT, text = STRBUF_INIT, msg = STRBUF_INIT;
	size_t n = row_cells(ro, s->o, cells, bufs, &msg), i;

	for (i = 0; i < n; i++)
		if (!wide(s->o) || i + 1 < n) /* the age alone is no change */
			strbuf_addf(&text, "%s\t", cells[i]);
	strbuf_addf(&key, "%s/%s", json_str(ro, "metadata.namespace", ""),
	            json_str(ro, "metadata.name", ""));
	strbuf_release(&msg);
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->rows[i].key, key.buf))
			break;
	if (i == s->n) {
		if (s->n == s->alloc) {
			s->alloc = s->alloc ? 2 * s->alloc : 16;
			s->rows = xrealloc(s->rows, s->alloc * sizeof(*s->rows));
		}
		s->rows[s->n].key = strbuf_detach(&key, NULL);
		s->rows[s->n++].text = strbuf_detach(&text, NULL);
		return 1;
	}
	strbuf_release(&key);
	if (!strcmp(s->rows[i].text, text.buf)) {
		strbuf_release(&text);
		return 0;
	}
	free(s->rows[i].text);
	s->rows[i].text = strbuf_detach(&text, NULL);
	return 1;
}

static void print_rows(struct list_state *s, const cJSON *items, int headers, int only_changed)
{
	struct table t;
	const cJSON *ro;
	size_t added = 0;

	table_headers(s->o, &t);
	t.no_headers = !headers || s->o->no_headers;
	cJSON_ArrayForEach (ro, items)
		if (remember(s, ro) || !only_changed) {
			add_row(&t, ro, s->o);
			added++;
		}
	if (added || headers)
		table_print(&t, stdout);
	fflush(stdout);
	table_release(&t);
}

static int on_event(struct kube_event *ev, void *data)
{
	struct list_state *s = data;
	cJSON *one;

	if (ev->type == KUBE_EVENT_LIST) {
		print_rows(s, json_get(ev->object, "items"), 0, 1);
		return 0;
	}
	if (ev->type != KUBE_EVENT_ADDED && ev->type != KUBE_EVENT_MODIFIED)
		return 0;
	one = cJSON_CreateArray();
	cJSON_AddItemReferenceToArray(one, ev->object);
	print_rows(s, one, 0, 1);
	cJSON_Delete(one);
	return 0;
}

static int watch_list(struct rollout_cli *c, const char *path, const struct kube_watch_opts *wo,
                      struct list_state *s)
{
	struct errbuf err = { 0 };
	struct kube_watch *kw = kube_watch_new(&c->rc, &err);
	int r;

	if (!kw)
		return error("%s", err.msg);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	kube_watch_set_stop_flag(kw, &interrupted);
	kube_client_set_verbosity(kube_watch_client(kw), (int)c->kf.verbosity, stderr);
	r = kube_watch_follow(kw, path, wo, on_event, s, &err);
	kube_watch_free(kw);
	if (r == KUBE_WATCH_ERROR)
		return rollout_api_error(c, &err, "watch", "rollouts", "argoproj.io");
	return EXIT_OK;
}

static int list(struct rollout_cli *c, const struct list_opts *o)
{
	struct strbuf path = STRBUF_INIT, fs = STRBUF_INIT;
	struct kube_list_opts lo = { 0 };
	struct kube_watch_opts wo = { 0 };
	struct list_state s = { o, NULL, 0, 0 };
	struct errbuf err = { 0 };
	const cJSON *items;
	cJSON *l = NULL;
	int code = EXIT_OK;
	size_t i;

	rollout_path(&path, o->all ? NULL : c->ns, NULL, NULL);
	if (o->name)
		strbuf_addf(&fs, "metadata.name=%s", o->name);
	lo.field_selector = wo.field_selector = o->name ? fs.buf : NULL;
	if (kube_list(c->kc, path.buf, &lo, &l, &err)) {
		code = rollout_api_error(c, &err, "list", "rollouts", "argoproj.io");
		goto out;
	}
	items = json_get(l, "items");
	if (o->output && !strcmp(o->output, "json"))
		print_json(items);
	else if (!cJSON_GetArraySize(items) && !o->watch)
		o->all ? fprintf(stderr, "No resources found\n")
		       : fprintf(stderr, "No resources found in %s namespace.\n", c->ns);
	else
		print_rows(&s, items, 1, 0);
	if (o->watch)
		code = watch_list(c, path.buf, &wo, &s);
out:
	for (i = 0; i < s.n; i++) {
		free(s.rows[i].key);
		free(s.rows[i].text);
	}
	free(s.rows);
	cJSON_Delete(l);
	strbuf_release(&path);
	strbuf_release(&fs);
	return code;
}

int rollout_cmd_list(int argc, const char **argv)
{
	struct list_opts o = { 0 };
	const struct option own[] = {
		{ OPT_BOOL, 'A', "all-namespaces", &o.all, NULL, "List rollouts in every namespace",
		  0 },
		{ OPT_BOOL, 'w', "watch", &o.watch, NULL, "Keep watching; print rows that change", 0 },
		{ OPT_STRING, 0, "name", &o.name, "NAME", "Only the rollout of this name", 0 },
		{ OPT_STRING, 'o', "output", &o.output, "FORMAT", "Output format: wide or json", 0 },
		{ OPT_BOOL, 0, "no-headers", &o.no_headers, NULL, "Do not print the table header", 0 },
		OPT_END,
	};
	struct rollout_cli cli;
	int code;

	code = rollout_cli_parse(&cli, "rollout list", argc, argv, own, &list_help, 0, 0);
	if (code < 0 && o.output && strcmp(o.output, "wide") && strcmp(o.output, "json"))
		code = rollout_usage_error(&cli,
		                           "unable to match a printer suitable for the output "
		                           "format \"%s\", allowed formats are: json,wide",
		                           o.output);
	if (code < 0 && o.watch && o.output && !strcmp(o.output, "json"))
		code = rollout_usage_error(&cli, "-w cannot be combined with -o json");
	if (code < 0 && !(code = rollout_cli_connect(&cli)))
		code = list(&cli, &o);
	rollout_cli_release(&cli);
	return code;
}
