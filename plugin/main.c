/*
 * kubectl gitops: the entry point.  It names itself from argv[0] and
 * dispatches to one cmd_<name>() per subcommand (commands.h).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "ui.h"

int main(int argc, const char **argv)
{
	const struct command *cmd;

	ui_init(argv[0]);
	if (argc < 2) {
		commands_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		commands_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	cmd = command_find(argv[1]);
	if (!cmd) {
		error("unknown command \"%s\" for \"%s\"", argv[1], ui_progname());
		fprintf(stderr, "Run '%s --help' for usage.\n", ui_progname());
		return EXIT_USAGE;
	}
	return cmd->fn(argc - 1, argv + 1);
}
