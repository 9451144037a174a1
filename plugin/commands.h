/*
 * commands.h - the subcommand table (after tmux's cmd_entry and git.c).
 *
 * Each subcommand lives in plugin/cmd_<name>.c and is one row of the table
 * in commands.c.  A handler gets argv with argv[0] = its own name and
 * returns the process exit code (ui.h: EXIT_*).
 */
#ifndef COMMANDS_H
#define COMMANDS_H

#include <stdio.h>

struct command {
	const char *name;
	const char *alias; /* or NULL */
	const char *group; /* help section; NULL = hidden */
	const char *summary;
	int (*fn)(int argc, const char **argv);
};

const struct command *command_find(const char *name);
void commands_usage(FILE *out);
/* Visits every visible command (for completion). */
const struct command *commands_all(size_t *n);

int cmd_version(int argc, const char **argv);
int cmd_list(int argc, const char **argv);
int cmd_complete(int argc, const char **argv);
int cmd_rollout(int argc, const char **argv);
int cmd_sync(int argc, const char **argv);
int cmd_tree(int argc, const char **argv);
int cmd_terminate(int argc, const char **argv);
int cmd_refresh(int argc, const char **argv);
int cmd_confirm_deletion(int argc, const char **argv);
int cmd_windows(int argc, const char **argv);
int cmd_check(int argc, const char **argv);

#endif
