/*
 * commands.h - the gitops-webhook subcommands.  Each returns the process
 * exit status and prints its own errors ("error: …" on stderr).
 */
#ifndef WEBHOOK_COMMANDS_H
#define WEBHOOK_COMMANDS_H

/* check: 0 allowed, 1 denied, 2 bad input or usage. */
int webhook_cmd_check(int argc, char **argv);
/* serve: runs until SIGTERM/SIGINT; 0 after a clean shutdown, 1 on a
 * startup failure, 2 on bad usage. */
int webhook_cmd_serve(int argc, char **argv);

#endif
