#include "rollout_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "rollout_phase.h"
#include "timefmt.h"
#include "xalloc.h"

#define HASH_LABEL "rollouts-pod-template-hash"
#define REVISION_ANN "rollout.argoproj.io/revision"
#define NCOLS 5

/* --- facts about one object ------------------------------------------------ */

static int owned_by(const cJSON *obj, const cJSON *owner)
{
	const char *uid = json_str(owner, "metadata.uid", NULL);
	const cJSON *ref;

	if (!uid)
		return 0;
	cJSON_ArrayForEach (ref, json_get(obj, "metadata.ownerReferences"))
		if (!strcmp(json_str(ref, "uid", ""), uid))
			return 1;
	return 0;
}

static const char *hash_of(const cJSON *obj)
{
	return json_str(json_get_key(json_get(obj, "metadata.labels"), HASH_LABEL), NULL, "");
}

static long revision_of(const cJSON *obj)
{
	const char *v = json_str(json_get_key(json_get(obj, "metadata.annotations"), REVISION_ANN),
	                         NULL, NULL);

	return v ? strtol(v, NULL, 10) : 0;
}

/* Role tags of a ReplicaSet: "stable", "canary", "active", "preview". */
static void rs_tags(const cJSON *ro, const cJSON *rs, struct strbuf *out)
{
	const char *h = hash_of(rs);
	int bluegreen = !strcmp(rollout_strategy(ro), "BlueGreen");

	if (!*h)
		return;
	if (!strcmp(h, json_str(ro, "status.stableRS", "")))
		strbuf_addstr(out, "stable");
	if (bluegreen) {
		if (!strcmp(h, json_str(ro, "status.blueGreen.activeSelector", "")))
			strbuf_addf(out, "%sactive", out->len ? "," : "");
		else if (!strcmp(h, json_str(ro, "status.blueGreen.previewSelector", "")))
			strbuf_addf(out, "%spreview", out->len ? "," : "");
	} else if (!out->len && !strcmp(h, json_str(ro, "status.currentPodHash", ""))) {
		strbuf_addstr(out, "canary");
	}
}

static const char *rs_status(const cJSON *rs)
{
	const cJSON *c;
	long long want = json_int(rs, "spec.replicas", 1);

	cJSON_ArrayForEach (c, json_get(rs, "status.conditions"))
		if (!strcmp(json_str(c, "type", ""), "ReplicaFailure") &&
		    !strcmp(json_str(c, "status", ""), "True"))
			return "ReplicaFailure";
	if (want == 0 && json_int(rs, "status.replicas", 0) == 0)
		return "ScaledDown";
	if (json_int(rs, "status.availableReplicas", 0) < want)
		return "Progressing";
	return "Healthy";
}

/* A waiting or terminated container's reason, kubectl style. */
static const char *container_reason(const cJSON *cs)
{
	const char *r = json_str(cs, "state.waiting.reason", NULL);

	if (r && *r)
		return r;
	r = json_str(cs, "state.terminated.reason", NULL);
	return r && *r ? r : NULL;
}

static const char *pod_status(const cJSON *pod, char *buf, size_t len)
{
	const cJSON *cs, *init = json_get(pod, "status.initContainerStatuses");
	const char *reason = json_str(pod, "status.reason", NULL);
	int i = 0, n = cJSON_GetArraySize(init);

	if (json_get(pod, "metadata.deletionTimestamp"))
		return "Terminating";
	cJSON_ArrayForEach (cs, init) {
		if (!json_bool(cs, "ready", 0)) {
			const char *r = container_reason(cs);

			if (r && strcmp(r, "PodInitializing"))
				snprintf(buf, len, "Init:%s", r);
			else
				snprintf(buf, len, "Init:%d/%d", i, n);
			return buf;
		}
		i++;
	}
	cJSON_ArrayForEach (cs, json_get(pod, "status.containerStatuses")) {
		const char *r = container_reason(cs);

		if (r)
			return r;
	}
	if (reason && *reason)
		return reason;
	return json_str(pod, "status.phase", "Pending");
}

static const char *status_icon(const char *s)
{
	static const char *const ok[] = { "Healthy",   "Running",   "Successful",
		                          "Succeeded", "Completed", NULL };
	static const char *const progressing[] = { "Progressing",       "Pending",
		                                   "ContainerCreating", "Terminating",
		                                   "PodInitializing",   NULL };
	static const char *const bad[] = { "Degraded",       "Failed",           "Error",
		                           "ReplicaFailure", "CrashLoopBackOff", "ImagePullBackOff",
		                           "ErrImagePull",   "OOMKilled",        NULL };
	size_t i;

	for (i = 0; ok[i]; i++)
		if (!strcmp(s, ok[i]))
			return "✔";
	for (i = 0; progressing[i]; i++)
		if (!strcmp(s, progressing[i]))
			return "◌";
	for (i = 0; bad[i]; i++)
		if (!strcmp(s, bad[i]))
			return "✖";
	if (!strcmp(s, "Paused"))
		return "॥";
	if (!strcmp(s, "Inconclusive"))
		return "⚠";
	if (!strcmp(s, "ScaledDown"))
		return "•";
	if (!strncmp(s, "Init:", 5))
		return "◌";
	return "?";
}

/* An AnalysisRun still Running is in progress, not fine yet. */
static const char *ar_icon(const char *phase)
{
	if (!strcmp(phase, "Running") || !strcmp(phase, "Pending") || !*phase)
		return "◌";
	return status_icon(phase);
}

static void pod_counts(const cJSON *pod, int *ready, int *total, long long *restarts)
{
	const cJSON *cs;

	*ready = *total = 0;
	*restarts = 0;
	*total = cJSON_GetArraySize(json_get(pod, "spec.containers"));
	cJSON_ArrayForEach (cs, json_get(pod, "status.containerStatuses")) {
		*ready += json_bool(cs, "ready", 0);
		*restarts += json_int(cs, "restartCount", 0);
	}
}

static void ar_counts(const cJSON *ar, long long n[4])
{
	static const char *const keys[] = { "successful", "failed", "inconclusive", "error" };
	const cJSON *m;
	int i;

	memset(n, 0, 4 * sizeof(n[0]));
	cJSON_ArrayForEach (m, json_get(ar, "status.metricResults"))
		for (i = 0; i < 4; i++)
			n[i] += json_int(m, keys[i], 0);
}

/* --- weights and images ----------------------------------------------------- */

static const cJSON *rs_with_hash(const struct rollout_objects *o, const char *h)
{
	const cJSON *rs;

	cJSON_ArrayForEach (rs, o->replicasets)
		if (owned_by(rs, o->rollout) && *h && !strcmp(hash_of(rs), h))
			return rs;
	return NULL;
}

int rollout_actual_weight(const struct rollout_objects *o)
{
	const cJSON *ro = o->rollout, *tr = json_get(ro, "spec.strategy.canary.trafficRouting");
	long long avail = json_int(ro, "status.availableReplicas", 0);
	int idx = (int)json_int(ro, "status.currentStepIndex", 0);
	const cJSON *w;

	if (!rollout_step_count(ro) || idx >= rollout_step_count(ro))
		return rollout_max_weight(ro);
	if (avail <= 0)
		return 0;
	if (!tr || cJSON_IsNull(tr)) {
		const cJSON *canary = rs_with_hash(o, json_str(ro, "status.currentPodHash", ""));

		return (int)(json_int(canary, "status.availableReplicas", 0) *
		             rollout_max_weight(ro) / avail);
	}
	w = json_get(ro, "status.canary.weights.canary.weight");
	return json_is_number(w) ? (int)json_int(w, NULL, 0) : rollout_set_weight(ro);
}

struct image {
	char *name;
	struct strbuf tags;
};

static int cmp_image(const void *a, const void *b)
{
	return strcmp(((const struct image *)a)->name, ((const struct image *)b)->name);
}

static void add_tags(struct strbuf *dst, const char *tags)
{
	char *copy = xstrdup(tags), *save = NULL, *t;

	for (t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!strstr(dst->buf, t))
			strbuf_addf(dst, "%s%s", dst->len ? ", " : "", t);
	free(copy);
}

/* Images of the ReplicaSets that have pods, with their tags, sorted. */
static struct image *collect_images(const struct rollout_objects *o, size_t *n)
{
	struct image *im = NULL;
	size_t alloc = 0, i;
	const cJSON *rs, *c;

	*n = 0;
	cJSON_ArrayForEach (rs, o->replicasets) {
		struct strbuf tags = STRBUF_INIT;

		if (!owned_by(rs, o->rollout) || json_int(rs, "status.replicas", 0) <= 0)
			continue;
		rs_tags(o->rollout, rs, &tags);
		cJSON_ArrayForEach (c, json_get(rs, "spec.template.spec.containers")) {
			const char *name = json_str(c, "image", "");

			for (i = 0; i < *n && strcmp(im[i].name, name); i++)
				;
			if (i == *n) {
				if (*n == alloc) {
					alloc = alloc ? 2 * alloc : 4;
					im = xrealloc(im, alloc * sizeof(*im));
				}
				im[i].name = xstrdup(name);
				strbuf_init(&im[i].tags, 0);
				(*n)++;
			}
			add_tags(&im[i].tags, tags.buf);
		}
		strbuf_release(&tags);
	}
	if (*n)
		qsort(im, *n, sizeof(*im), cmp_image);
	return im;
}

static void free_images(struct image *im, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(im[i].name);
		strbuf_release(&im[i].tags);
	}
	free(im);
}

/* --- the header ---------------------------------------------------------------- */

static void field(struct strbuf *out, const char *label, const char *value)
{
	strbuf_addf(out, "%-17s", label);
	term_escape(out, value);
	strbuf_addch(out, '\n');
}

static void header(struct strbuf *out, const struct rollout_objects *o)
{
	const cJSON *ro = o->rollout;
	struct strbuf msg = STRBUF_INIT, v = STRBUF_INIT;
	const char *phase = rollout_phase(ro, &msg);
	struct image *im;
	size_t n, i;
	int idx;

	field(out, "Name:", json_str(ro, "metadata.name", ""));
	field(out, "Namespace:", json_str(ro, "metadata.namespace", ""));
	strbuf_addf(&v, "%s %s", rollout_phase_icon(phase), phase);
	field(out, "Status:", v.buf);
	if (msg.len)
		field(out, "Message:", msg.buf);
	field(out, "Strategy:", rollout_strategy(ro));
	if (!strcmp(rollout_strategy(ro), "Canary")) {
		strbuf_reset(&v);
		if (rollout_step(ro, &idx))
			strbuf_addf(&v, "%d/%d", idx, rollout_step_count(ro));
		field(out, "  Step:", v.buf);
		strbuf_reset(&v);
		strbuf_addf(&v, "%d", rollout_set_weight(ro));
		field(out, "  SetWeight:", v.buf);
		strbuf_reset(&v);
		strbuf_addf(&v, "%d", rollout_actual_weight(o));
		field(out, "  ActualWeight:", v.buf);
	}
	im = collect_images(o, &n);
	for (i = 0; i < n; i++) {
		strbuf_reset(&v);
		strbuf_addstr(&v, im[i].name);
		if (im[i].tags.len)
			strbuf_addf(&v, " (%s)", im[i].tags.buf);
		field(out, i ? "" : "Images:", v.buf);
	}
	free_images(im, n);
	strbuf_addstr(out, "Replicas:\n");
	strbuf_addf(out, "%-17s%lld\n", "  Desired:", json_int(ro, "spec.replicas", 1));
	strbuf_addf(out, "%-17s%lld\n", "  Current:", json_int(ro, "status.replicas", 0));
	strbuf_addf(out, "%-17s%lld\n", "  Updated:", json_int(ro, "status.updatedReplicas", 0));
	strbuf_addf(out, "%-17s%lld\n", "  Ready:", json_int(ro, "status.readyReplicas", 0));
	strbuf_addf(out, "%-17s%lld\n", "  Available:", json_int(ro, "status.availableReplicas", 0));
	strbuf_release(&msg);
	strbuf_release(&v);
}

/* --- the tree ------------------------------------------------------------------- */

struct tree {
	char **cells; /* rows * NCOLS, each escaped */
	size_t rows, alloc;
	const struct timespec *now;
};

/* sicon NULL: the usual icon of `status` */
static void tree_row(struct tree *t, const char *prefix, const char *icon, const char *name,
                     const char *kind, const char *status, const char *sicon, const cJSON *obj,
                     const char *info)
{
	struct strbuf sb = STRBUF_INIT;
	char age[TIMEFMT_AGE_SIZE] = "";
	struct timespec then;

	if (t->rows == t->alloc) {
		t->alloc = t->alloc ? 2 * t->alloc : 32;
		t->cells = xrealloc(t->cells, t->alloc * NCOLS * sizeof(*t->cells));
	}
	strbuf_addf(&sb, "%s%s ", prefix, icon);
	term_escape(&sb, name);
	t->cells[t->rows * NCOLS] = strbuf_detach(&sb, NULL);
	t->cells[t->rows * NCOLS + 1] = xstrdup(kind);
	if (*status) {
		strbuf_addf(&sb, "%s ", sicon ? sicon : status_icon(status));
		term_escape(&sb, status);
	}
	t->cells[t->rows * NCOLS + 2] = strbuf_detach(&sb, NULL);
	if (obj && t->now &&
	    !timefmt_parse_rfc3339(json_str(obj, "metadata.creationTimestamp", ""), &then, NULL))
		timefmt_age(&then, t->now, age);
	t->cells[t->rows * NCOLS + 3] = xstrdup(age);
	term_escape(&sb, info);
	t->cells[t->rows * NCOLS + 4] = strbuf_detach(&sb, NULL);
	t->rows++;
}

/* Display width: code points (the tree and status glyphs are one column). */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void tree_print(struct tree *t, struct strbuf *out)
{
	static const char *const heads[NCOLS] = { "NAME", "KIND", "STATUS", "AGE", "INFO" };
	size_t w[NCOLS], r, c;

	for (c = 0; c < NCOLS; c++)
		w[c] = strlen(heads[c]);
	for (r = 0; r < t->rows; r++)
		for (c = 0; c < NCOLS; c++)
			if (width(t->cells[r * NCOLS + c]) > w[c])
				w[c] = width(t->cells[r * NCOLS + c]);
	for (r = 0; r <= t->rows; r++) {
		size_t start = out->len, pad = 0;

		for (c = 0; c < NCOLS; c++) {
			const char *s = r ? t->cells[(r - 1) * NCOLS + c] : heads[c];

			strbuf_addf(out, "%*s%s", (int)pad, "", s);
			pad = w[c] - width(s) + 2;
		}
		while (out->len > start && out->buf[out->len - 1] == ' ')
			strbuf_setlen(out, out->len - 1);
		strbuf_addch(out, '\n');
	}
	for (r = 0; r < t->rows * NCOLS; r++)
		free(t->cells[r]);
	free(t->cells);
}

static int cmp_long_desc(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x < y) - (x > y);
}

/* Distinct revisions of the rollout's ReplicaSets and AnalysisRuns, newest first. */
static long *revisions(const struct rollout_objects *o, size_t *n)
{
	const cJSON *lists[2] = { o->replicasets, o->analysisruns }, *it;
	long *revs = xcalloc((size_t)cJSON_GetArraySize(o->replicasets) +
	                             (size_t)cJSON_GetArraySize(o->analysisruns) + 1,
	                     sizeof(*revs));
	size_t i, k;

	*n = 0;
	for (k = 0; k < 2; k++)
		cJSON_ArrayForEach (it, lists[k]) {
			long r = revision_of(it);

			if (!owned_by(it, o->rollout))
				continue;
			for (i = 0; i < *n && revs[i] != r; i++)
				;
			if (i == *n)
				revs[(*n)++] = r;
		}
	qsort(revs, *n, sizeof(*revs), cmp_long_desc);
	return revs;
}

static void pod_rows(struct tree *t, const struct rollout_objects *o, const cJSON *rs,
                     const char *indent)
{
	const cJSON *pod, *last = NULL;
	struct strbuf prefix = STRBUF_INIT, info = STRBUF_INIT;
	char buf[64];
	int ready, total;
	long long restarts;

	cJSON_ArrayForEach (pod, o->pods)
		if (owned_by(pod, rs))
			last = pod;
	cJSON_ArrayForEach (pod, o->pods) {
		if (!owned_by(pod, rs))
			continue;
		strbuf_reset(&prefix);
		strbuf_reset(&info);
		strbuf_addf(&prefix, "%s%s", indent, pod == last ? "└──" : "├──");
		pod_counts(pod, &ready, &total, &restarts);
		strbuf_addf(&info, "ready:%d/%d", ready, total);
		if (restarts)
			strbuf_addf(&info, ",restarts:%lld", restarts);
		tree_row(t, prefix.buf, "□", json_str(pod, "metadata.name", ""), "Pod",
		         pod_status(pod, buf, sizeof(buf)), NULL, pod, info.buf);
	}
	strbuf_release(&prefix);
	strbuf_release(&info);
}

static void ar_info(const cJSON *ar, struct strbuf *info)
{
	static const char *const icons[] = { "✔", "✖", "?", "⚠" };
	long long n[4];
	int i;

	ar_counts(ar, n);
	for (i = 0; i < 4; i++)
		if (n[i])
			strbuf_addf(info, "%s%s %lld", info->len ? "," : "", icons[i], n[i]);
}

/* The children of one revision node: its ReplicaSets (with pods), then its AnalysisRuns. */
static void revision_rows(struct tree *t, const struct rollout_objects *o, long rev,
                          const char *indent)
{
	const cJSON *lists[2] = { o->replicasets, o->analysisruns }, *it, *last = NULL;
	struct strbuf prefix = STRBUF_INIT, sub = STRBUF_INIT, info = STRBUF_INIT;
	const char *phase;
	size_t k;

	for (k = 0; k < 2; k++)
		cJSON_ArrayForEach (it, lists[k])
			if (owned_by(it, o->rollout) && revision_of(it) == rev)
				last = it;
	for (k = 0; k < 2; k++)
		cJSON_ArrayForEach (it, lists[k]) {
			if (!owned_by(it, o->rollout) || revision_of(it) != rev)
				continue;
			strbuf_reset(&prefix);
			strbuf_reset(&sub);
			strbuf_reset(&info);
			strbuf_addf(&prefix, "%s%s", indent, it == last ? "└──" : "├──");
			strbuf_addf(&sub, "%s%s", indent, it == last ? "   " : "│  ");
			if (k == 0) {
				rs_tags(o->rollout, it, &info);
				tree_row(t, prefix.buf, "⧉", json_str(it, "metadata.name", ""),
				         "ReplicaSet", rs_status(it), NULL, it, info.buf);
				pod_rows(t, o, it, sub.buf);
			} else {
				ar_info(it, &info);
				phase = json_str(it, "status.phase", "Pending");
				tree_row(t, prefix.buf, "α", json_str(it, "metadata.name", ""),
				         "AnalysisRun", phase, ar_icon(phase), it, info.buf);
			}
		}
	strbuf_release(&prefix);
	strbuf_release(&sub);
	strbuf_release(&info);
}

void rollout_tree_render(struct strbuf *out, const struct rollout_objects *o,
                         const struct timespec *now)
{
	struct tree t = { NULL, 0, 0, now };
	struct strbuf msg = STRBUF_INIT, name = STRBUF_INIT;
	const char *phase;
	size_t n, i;
	long *revs = revisions(o, &n);

	header(out, o);
	strbuf_addch(out, '\n');
	phase = rollout_phase(o->rollout, &msg);
	tree_row(&t, "", "⟳", json_str(o->rollout, "metadata.name", ""), "Rollout", phase,
	         rollout_phase_icon(phase), o->rollout, "");
	for (i = 0; i < n; i++) {
		strbuf_reset(&name);
		strbuf_addf(&name, "revision:%ld", revs[i]);
		tree_row(&t, i + 1 == n ? "└──" : "├──", "#", name.buf, "", "", NULL, NULL, "");
		revision_rows(&t, o, revs[i], i + 1 == n ? "   " : "│  ");
	}
	tree_print(&t, out);
	free(revs);
	strbuf_release(&msg);
	strbuf_release(&name);
}

/* --- the same as JSON ------------------------------------------------------------- */

static cJSON *pod_json(const cJSON *pod)
{
	cJSON *p = cJSON_CreateObject();
	char buf[64];
	int ready, total;
	long long restarts;

	pod_counts(pod, &ready, &total, &restarts);
	cJSON_AddStringToObject(p, "name", json_str(pod, "metadata.name", ""));
	cJSON_AddStringToObject(p, "status", pod_status(pod, buf, sizeof(buf)));
	cJSON_AddNumberToObject(p, "ready", ready);
	cJSON_AddNumberToObject(p, "containers", total);
	cJSON_AddNumberToObject(p, "restarts", (double)restarts);
	cJSON_AddStringToObject(p, "creationTimestamp",
	                        json_str(pod, "metadata.creationTimestamp", ""));
	return p;
}

static cJSON *rs_json(const struct rollout_objects *o, const cJSON *rs)
{
	cJSON *r = cJSON_CreateObject(), *pods;
	struct strbuf tags = STRBUF_INIT;
	const cJSON *pod;

	rs_tags(o->rollout, rs, &tags);
	cJSON_AddStringToObject(r, "name", json_str(rs, "metadata.name", ""));
	cJSON_AddStringToObject(r, "status", rs_status(rs));
	cJSON_AddStringToObject(r, "podTemplateHash", hash_of(rs));
	cJSON_AddStringToObject(r, "tags", tags.buf);
	cJSON_AddNumberToObject(r, "replicas", (double)json_int(rs, "status.replicas", 0));
	cJSON_AddNumberToObject(r, "available", (double)json_int(rs, "status.availableReplicas", 0));
	cJSON_AddStringToObject(r, "creationTimestamp",
	                        json_str(rs, "metadata.creationTimestamp", ""));
	pods = cJSON_AddArrayToObject(r, "pods");
	cJSON_ArrayForEach (pod, o->pods)
		if (owned_by(pod, rs))
			cJSON_AddItemToArray(pods, pod_json(pod));
	strbuf_release(&tags);
	return r;
}

static cJSON *ar_json(const cJSON *ar)
{
	cJSON *a = cJSON_CreateObject();
	long long n[4];

	ar_counts(ar, n);
	cJSON_AddStringToObject(a, "name", json_str(ar, "metadata.name", ""));
	cJSON_AddStringToObject(a, "status", json_str(ar, "status.phase", "Pending"));
	cJSON_AddNumberToObject(a, "successful", (double)n[0]);
	cJSON_AddNumberToObject(a, "failed", (double)n[1]);
	cJSON_AddNumberToObject(a, "inconclusive", (double)n[2]);
	cJSON_AddNumberToObject(a, "error", (double)n[3]);
	cJSON_AddStringToObject(a, "creationTimestamp",
	                        json_str(ar, "metadata.creationTimestamp", ""));
	return a;
}

static void summary_json(cJSON *out, const struct rollout_objects *o)
{
	const cJSON *ro = o->rollout;
	struct strbuf msg = STRBUF_INIT;
	cJSON *imgs, *reps;
	struct image *im;
	size_t n, i;
	int idx;

	cJSON_AddStringToObject(out, "name", json_str(ro, "metadata.name", ""));
	cJSON_AddStringToObject(out, "namespace", json_str(ro, "metadata.namespace", ""));
	cJSON_AddStringToObject(out, "status", rollout_phase(ro, &msg));
	cJSON_AddStringToObject(out, "message", msg.buf);
	cJSON_AddStringToObject(out, "strategy", rollout_strategy(ro));
	if (rollout_step(ro, &idx)) {
		cJSON_AddNumberToObject(out, "step", idx);
		cJSON_AddNumberToObject(out, "steps", rollout_step_count(ro));
	}
	if (!strcmp(rollout_strategy(ro), "Canary")) {
		cJSON_AddNumberToObject(out, "setWeight", rollout_set_weight(ro));
		cJSON_AddNumberToObject(out, "actualWeight", rollout_actual_weight(o));
	}
	imgs = cJSON_AddArrayToObject(out, "images");
	im = collect_images(o, &n);
	for (i = 0; i < n; i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "image", im[i].name);
		cJSON_AddStringToObject(e, "tags", im[i].tags.buf);
		cJSON_AddItemToArray(imgs, e);
	}
	free_images(im, n);
	reps = cJSON_AddObjectToObject(out, "replicas");
	cJSON_AddNumberToObject(reps, "desired", (double)json_int(ro, "spec.replicas", 1));
	cJSON_AddNumberToObject(reps, "current", (double)json_int(ro, "status.replicas", 0));
	cJSON_AddNumberToObject(reps, "updated", (double)json_int(ro, "status.updatedReplicas", 0));
	cJSON_AddNumberToObject(reps, "ready", (double)json_int(ro, "status.readyReplicas", 0));
	cJSON_AddNumberToObject(reps, "available",
	                        (double)json_int(ro, "status.availableReplicas", 0));
	strbuf_release(&msg);
}

cJSON *rollout_tree_json(const struct rollout_objects *o)
{
	cJSON *out = cJSON_CreateObject(), *revs_json;
	size_t n, i;
	long *revs = revisions(o, &n);
	const cJSON *it;

	summary_json(out, o);
	revs_json = cJSON_AddArrayToObject(out, "revisions");
	for (i = 0; i < n; i++) {
		cJSON *r = cJSON_CreateObject(), *rsets, *ars;

		cJSON_AddNumberToObject(r, "revision", revs[i]);
		rsets = cJSON_AddArrayToObject(r, "replicaSets");
		ars = cJSON_AddArrayToObject(r, "analysisRuns");
		cJSON_ArrayForEach (it, o->replicasets)
			if (owned_by(it, o->rollout) && revision_of(it) == revs[i])
				cJSON_AddItemToArray(rsets, rs_json(o, it));
		cJSON_ArrayForEach (it, o->analysisruns)
			if (owned_by(it, o->rollout) && revision_of(it) == revs[i])
				cJSON_AddItemToArray(ars, ar_json(it));
		cJSON_AddItemToArray(revs_json, r);
	}
	free(revs);
	return out;
}
