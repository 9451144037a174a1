/*
 * kubectl gitops rollout abort|retry|pause NAME... and restart NAME: one
 * merge patch each, no GET, exactly the bodies of the upstream plugin
 * (../shared/docs/rollouts-and-kubectl.md §1.3-§1.6).  Several names are
 * handled in order; the first failure stops.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "duration.h"
#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "rollout_cli.h"
#include "timefmt.h"
#include "ui.h"

struct action {
	const char *cmd;
	const char *body;
	int on_status; /* /status with the 404 fallback, else the main resource */
	const char *done; /* "aborted" in "rollout 'NAME' aborted" */
	struct command_help help;
};

static const struct action abort_action = {
	"rollout abort",
	"{\"status\":{\"abort\":true}}",
	1,
	"aborted",
	{ "rollout abort ROLLOUT_NAME... [options]",
	  "Abort a rollout: stop progressing and scale the stable ReplicaSet back up.\n"
	  "spec.template still holds the new version, so `rollout retry` tries it again;\n"
	  "change the template back (or `rollout undo`) to revert for good.",
	  "  # Abort the update in progress\n  kubectl gitops rollout abort checkout\n" },
};

static const struct action retry_action = {
	"rollout retry",
	"{\"status\":{\"abort\":false}}",
	1,
	"retried",
	{ "rollout retry ROLLOUT_NAME... [options]",
	  "Retry an aborted rollout: leave the aborted state and try the new version again.",
	  "  # Try again after an abort\n  kubectl gitops rollout retry checkout\n" },
};

static const struct action pause_action = {
	"rollout pause",
	"{\"spec\":{\"paused\":true}}",
	0,
	"paused",
	{ "rollout pause ROLLOUT_NAME... [options]",
	  "Pause a rollout (spec.paused).  `rollout promote` resumes it.",
	  "  # Hold the rollout where it is\n  kubectl gitops rollout pause checkout\n" },
};

static int patch_one(struct rollout_cli *c, const struct action *a, const char *name)
{
	struct strbuf path = STRBUF_INIT;
	const char *resource = "rollouts";
	struct errbuf err = { 0 };
	cJSON *out = NULL;
	int r;

	if (a->on_status) {
		r = rollout_patch_status(c, name, a->body, &out, &resource, &err);
	} else {
		rollout_path(&path, c->ns, name, NULL);
		r = kube_patch(c->kc, path.buf, KUBE_PATCH_MERGE, a->body, NULL, &out, &err);
	}
	strbuf_release(&path);
	if (r)
		return rollout_api_error(c, &err, "patch", resource, "argoproj.io");
	printf("rollout '%s' %s\n", json_str(out, "metadata.name", name), a->done);
	fflush(stdout);
	cJSON_Delete(out);
	return EXIT_OK;
}

static int run_action(const struct action *a, int argc, const char **argv)
{
	const struct option own[] = { OPT_END };
	struct rollout_cli cli;
	int code, i;

	code = rollout_cli_parse(&cli, a->cmd, argc, argv, own, &a->help, 1, -1);
	if (code < 0 && !(code = rollout_cli_connect(&cli)))
		for (i = 0; i < cli.nargs && !code; i++)
			code = patch_one(&cli, a, cli.args[i]);
	rollout_cli_release(&cli);
	return code;
}

int rollout_cmd_abort(int argc, const char **argv)
{
	return run_action(&abort_action, argc, argv);
}

int rollout_cmd_retry(int argc, const char **argv)
{
	return run_action(&retry_action, argc, argv);
}

int rollout_cmd_pause(int argc, const char **argv)
{
	return run_action(&pause_action, argc, argv);
}

static const struct command_help restart_help = {
	.usage = "rollout restart ROLLOUT_NAME [--in DURATION] [options]",
	.description =
		"Restart the pods of a rollout: the controller evicts every pod created before\n"
		"spec.restartAt, a few at a time.  --in schedules the restart (a Go duration:\n"
		"30s, 5m, 1h30m).",
	.examples = "  # Restart now\n  kubectl gitops rollout restart checkout\n\n"
		    "  # Restart in an hour\n  kubectl gitops rollout restart checkout --in 1h\n",
};

static int restart(struct rollout_cli *c, const char *name, int64_t in_ns)
{
	char at[TIMEFMT_RFC3339_SIZE], in[DURATION_FORMAT_SIZE];
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	struct errbuf err = { 0 };
	struct timespec now;
	cJSON *out = NULL;
	int r;

	clock_gettime(CLOCK_REALTIME, &now);
	timefmt_format_rfc3339((int64_t)now.tv_sec + in_ns / DURATION_SECOND, at);
	strbuf_addf(&body, "{\"spec\":{\"restartAt\":\"%s\"}}", at);
	rollout_path(&path, c->ns, name, NULL);
	r = kube_patch(c->kc, path.buf, KUBE_PATCH_MERGE, body.buf, NULL, &out, &err);
	strbuf_release(&path);
	strbuf_release(&body);
	if (r)
		return rollout_api_error(c, &err, "patch", "rollouts", "argoproj.io");
	printf("rollout '%s' restarts in %s\n", json_str(out, "metadata.name", name),
	       duration_format(in_ns, in));
	cJSON_Delete(out);
	return EXIT_OK;
}

int rollout_cmd_restart(int argc, const char **argv)
{
	const char *in = NULL;
	const struct option own[] = {
		{ OPT_STRING, 'i', "in", &in, "DURATION",
		  "Time to wait before restarting, e.g. 30s, 5m (default: now)", 0 },
		OPT_END,
	};
	struct rollout_cli cli;
	struct errbuf err = { 0 };
	int64_t in_ns = 0;
	int code;

	code = rollout_cli_parse(&cli, "rollout restart", argc, argv, own, &restart_help, 1, 1);
	if (code < 0 && in && duration_parse(in, &in_ns, &err))
		code = rollout_usage_error(&cli, "invalid argument \"%s\" for \"-i, --in\" flag: %s",
		                           in, err.msg);
	if (code < 0 && in_ns < 0)
		code = rollout_usage_error(&cli, "--in must not be negative, got \"%s\"", in);
	if (code < 0 && !(code = rollout_cli_connect(&cli)))
		code = restart(&cli, cli.args[0], in_ns);
	rollout_cli_release(&cli);
	return code;
}
