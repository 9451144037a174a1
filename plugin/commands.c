#include "commands.h"

#include <string.h>

#include "ui.h"

static const struct command commands[] = {
	{ "list", "ls", "Basic Commands", "List Argo CD Applications", cmd_list },
	{ "sync", NULL, "Sync Commands", "Sync Applications and cascade into app-of-apps children",
	  cmd_sync },
	{ "tree", NULL, "Sync Commands",
	  "Show the app-of-apps tree with sync, health and operations", cmd_tree },
	{ "terminate", NULL, "Sync Commands", "Terminate the operation running on an Application",
	  cmd_terminate },
	{ "refresh", NULL, "Sync Commands", "Refresh an Application and wait for the controller",
	  cmd_refresh },
	{ "confirm-deletion", NULL, "Sync Commands",
	  "Approve the deletions an Application waits for", cmd_confirm_deletion },
	{ "windows", NULL, "Sync Commands", "Show a project's sync windows and the sync verdict",
	  cmd_windows },
	{ "check", NULL, "Sync Commands", "Check an Application against its AppProject", cmd_check },
	{ "rollout", "ro", "Rollout Commands", "Promote, abort, watch and inspect Argo Rollouts",
	  cmd_rollout },
	{ "version", NULL, "Other Commands", "Print the version", cmd_version },
	{ "__complete", NULL, NULL, "Shell completion candidates", cmd_complete },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct command *command_find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name) ||
		    (commands[i].alias && !strcmp(commands[i].alias, name)))
			return &commands[i];
	return NULL;
}

const struct command *commands_all(size_t *n)
{
	*n = NCOMMANDS;
	return commands;
}

void commands_usage(FILE *out)
{
	const char *group = NULL;
	size_t i;

	fprintf(out, "Drive Argo CD Applications and Argo Rollouts through the Kubernetes API\n"
	             "with your kubeconfig: no argocd-server, no login.\n\n");
	for (i = 0; i < NCOMMANDS; i++) {
		if (!commands[i].group)
			continue;
		if (!group || strcmp(group, commands[i].group)) {
			group = commands[i].group;
			fprintf(out, "%s%s:\n", i ? "\n" : "", group);
		}
		fprintf(out, "  %-17s %s\n", commands[i].name, commands[i].summary);
	}
	fprintf(out,
	        "\nUsage:\n  %s <command> [options]\n\n"
	        "Use \"%s <command> --help\" for more information about a given command.\n",
	        ui_progname(), ui_progname());
}
