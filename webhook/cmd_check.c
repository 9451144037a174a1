/*
 * gitops-webhook check --review FILE [--state DIR|FILE]... [--now RFC3339]
 *                      [--config FILE] [-v]
 *
 * Judges one AdmissionReview (JSON or YAML; "-" reads stdin) exactly as the
 * server would, against state read from files, and prints the
 * AdmissionReview response on stdout.  -v also writes the decision log line
 * to stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admission.h"
#include "commands.h"
#include "config.h"
#include "errbuf.h"
#include "policy.h"
#include "review.h"
#include "state.h"
#include "state_files.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xalloc.h"
#include "yaml_json.h"

#define MAX_REVIEW (64 * 1024 * 1024)

struct check_opts {
	const char *review, *config, *now;
	const char **state;
	int nr_state, verbose;
};

static void check_usage(FILE *out)
{
	fprintf(out,
	        "Usage: gitops-webhook check --review FILE [--state DIR|FILE]... [--now RFC3339]\n"
	        "                            [--config FILE] [-v]\n\n"
	        "Judges one AdmissionReview offline and prints the response.\n"
	        "Exit status: 0 allowed, 1 denied, 2 bad input.\n");
}

static int parse_check_args(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = { { "review", required_argument, NULL, 'r' },
		                                  { "state", required_argument, NULL, 's' },
		                                  { "now", required_argument, NULL, 'n' },
		                                  { "config", required_argument, NULL, 'c' },
		                                  { "verbose", no_argument, NULL, 'v' },
		                                  { "help", no_argument, NULL, 'h' },
		                                  { NULL, 0, NULL, 0 } };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:s:n:c:vh", longopts, NULL)) != -1) {
		if (c == 'r') {
			o->review = optarg;
		} else if (c == 'c') {
			o->config = optarg;
		} else if (c == 'n') {
			o->now = optarg;
		} else if (c == 'v') {
			o->verbose = 1;
		} else if (c == 's') {
			o->state = xrealloc(o->state, (o->nr_state + 1) * sizeof(*o->state));
			o->state[o->nr_state++] = optarg;
		} else if (c == 'h') {
			check_usage(stdout);
			return 1;
		} else {
			check_usage(stderr);
			return -1;
		}
	}
	/* Extra operands are more state paths: --state a b c. */
	for (; optind < argc; optind++) {
		o->state = xrealloc(o->state, (o->nr_state + 1) * sizeof(*o->state));
		o->state[o->nr_state++] = argv[optind];
	}
	if (!o->review) {
		fprintf(stderr, "error: --review is required\n");
		check_usage(stderr);
		return -1;
	}
	return 0;
}

static cJSON *read_review(const char *path, struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *doc;
	char chunk[65536];
	size_t n;

	if (strcmp(path, "-"))
		return yamljson_parse_file_one(path, MAX_REVIEW, err);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0 && sb.len < MAX_REVIEW)
		strbuf_add(&sb, chunk, n);
	doc = yamljson_parse_one(sb.buf, sb.len, "<stdin>", err);
	strbuf_release(&sb);
	return doc;
}

static int judge(const struct check_opts *o, struct webhook_config *cfg, time_t now,
                 struct state_snapshot *snap)
{
	struct admission_request req;
	struct admission_response resp;
	struct review_env env = { cfg, NULL, snap, NULL, o->verbose ? stderr : NULL, now, NULL };
	struct errbuf err;
	cJSON *doc = read_review(o->review, &err);
	char *out;
	int allowed;

	if (!doc || admission_request_from_json(&req, doc, &err)) {
		fprintf(stderr, "error: %s: %s\n", o->review, err.msg);
		return 2;
	}
	admission_response_init(&resp);
	review_decide(&env, &req, &resp);
	out = admission_response_render(req.uid, &resp);
	puts(out);
	free(out);
	allowed = resp.allowed;
	admission_response_release(&resp);
	admission_request_release(&req);
	return allowed ? 0 : 1;
}

int webhook_cmd_check(int argc, char **argv)
{
	struct check_opts o = { 0 };
	struct webhook_config cfg;
	struct state_snapshot *snap = NULL;
	struct timespec ts;
	struct errbuf err;
	time_t now = time(NULL);
	int ret = 2;

	webhook_config_init(&cfg);
	switch (parse_check_args(argc, argv, &o)) {
	case 1:
		ret = 0;
		goto out;
	case -1:
		goto out;
	}
	if (o.now) {
		if (timefmt_parse_rfc3339(o.now, &ts, &err)) {
			fprintf(stderr, "error: --now: %s\n", err.msg);
			goto out;
		}
		now = ts.tv_sec;
	}
	if (o.config && webhook_config_load(&cfg, o.config, policy_names, &err)) {
		fprintf(stderr, "error: %s\n", err.msg);
		goto out;
	}
	if (!(snap = state_load_paths(o.state, o.nr_state, &err))) {
		fprintf(stderr, "error: %s\n", err.msg);
		goto out;
	}
	ret = judge(&o, &cfg, now, snap);
out:
	state_snapshot_unref(snap);
	webhook_config_release(&cfg);
	free(o.state);
	return ret;
}
