/*
 * kubectl gitops rollout (alias ro): operate Argo Rollouts the way the
 * kubectl-argo-rollouts plugin does, reading only what each command needs.
 * This file only dispatches to the subcommands (rollout_cli.h).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "rollout_cli.h"
#include "ui.h"

static const struct {
	const char *name, *summary;
	int (*fn)(int argc, const char **argv);
} subcommands[] = {
	{ "promote", "Promote a paused or stepping rollout (--full: skip all steps)",
	  rollout_cmd_promote },
	{ "abort", "Abort rollouts: scale back to the stable ReplicaSet", rollout_cmd_abort },
	{ "retry", "Retry aborted rollouts", rollout_cmd_retry },
	{ "pause", "Pause rollouts (spec.paused)", rollout_cmd_pause },
	{ "restart", "Restart the pods of a rollout, now or --in a duration", rollout_cmd_restart },
	{ "undo", "Roll back to the previous (or --to-revision) pod template", rollout_cmd_undo },
	{ "status", "Show the status of a rollout; wait until it is Healthy or Degraded",
	  rollout_cmd_status },
	{ "get", "Show a rollout with its revisions, ReplicaSets, Pods and AnalysisRuns",
	  rollout_cmd_get },
	{ "list", "List rollouts with strategy, status, step and replicas", rollout_cmd_list },
};

#define NSUB (sizeof(subcommands) / sizeof(subcommands[0]))

static void rollout_usage(FILE *out)
{
	size_t i;

	fprintf(out,
	        "Operate Argo Rollouts: promote, abort, retry, pause, restart, undo, and\n"
	        "watch their status.  The namespace is -n, or the kubeconfig context's.\n\n"
	        "Aliases:\n  rollout, ro\n\n"
	        "Examples:\n"
	        "  # Promote a canary paused at a step\n"
	        "  %1$s rollout promote checkout -n shop\n\n"
	        "  # Wait in CI until the rollout is Healthy, or succeed when it pauses\n"
	        "  %1$s rollout status checkout --timeout 10m --success-on-pause\n\n"
	        "Subcommands:\n",
	        ui_progname());
	for (i = 0; i < NSUB; i++)
		fprintf(out, "  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(out,
	        "\nExit status:\n"
	        "  0 success, 1 error or a Degraded rollout, 2 usage error, 3 timed out\n\n"
	        "Usage:\n  %1$s rollout <subcommand> [options]\n\n"
	        "Use \"%1$s rollout <subcommand> --help\" for more information.\n",
	        ui_progname());
}

int cmd_rollout(int argc, const char **argv)
{
	size_t i;

	if (argc < 2) {
		rollout_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		rollout_usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < NSUB; i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	error("unknown command \"%s\" for \"%s rollout\"", argv[1], ui_progname());
	fprintf(stderr, "Run '%s rollout --help' for usage.\n", ui_progname());
	return EXIT_USAGE;
}
