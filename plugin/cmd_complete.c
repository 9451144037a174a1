#include <stdio.h>
#include <string.h>

#include "commands.h"

/*
 * Hidden `__complete ARGS... WORD`: candidates one per line, then ":4"
 * (cobra's ShellCompDirectiveNoFileComp), as kubectl expects from
 * kubectl_complete-gitops.
 */
int cmd_complete(int argc, const char **argv)
{
	const struct command *cmds;
	const char *word = argc > 1 ? argv[argc - 1] : "";
	size_t n, i;

	cmds = commands_all(&n);
	if (argc <= 2)
		for (i = 0; i < n; i++)
			if (cmds[i].group && !strncmp(cmds[i].name, word, strlen(word)))
				printf("%s\n", cmds[i].name);
	printf(":4\n");
	return 0;
}
