#include <stdio.h>

#include "commands.h"

int cmd_version(int argc, const char **argv)
{
	printf("kubectl-gitops %s\n", GITOPS_VERSION);
	return 0;
}
