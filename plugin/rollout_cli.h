/*
 * rollout_cli.h - what every `kubectl gitops rollout …` subcommand shares:
 * flag parsing with the Kubernetes flags, the connection, Rollout paths,
 * GET, the status-subresource patch with upstream's 404 fallback, and
 * printing API failures (a 403 names the RBAC verb and resource missing).
 *
 * The subcommands themselves (one handler each, argv[0] = the subcommand's
 * name) are declared here too and dispatched by cmd_rollout.c.
 *
 * Ownership: struct rollout_cli owns its client, rest_config and the
 * positional-argument array; rollout_cli_release() frees them.  cJSON **
 * results are the caller's.
 */
#ifndef ROLLOUT_CLI_H
#define ROLLOUT_CLI_H

#include <cjson/cJSON.h>

#include "kube_flags.h"
#include "strbuf.h"

struct errbuf;
struct kube_client;

struct rollout_cli {
	const char *cmd; /* "rollout promote", for messages */
	struct kube_flags kf;
	struct rest_config rc;
	struct kube_client *kc;
	const char *ns; /* after connecting: -n or the context's */
	const char **args;
	int nargs;
};

/*
 * Parses argv (argv[0] = subcommand) with the command's own options and the
 * Kubernetes flags, and checks that there are min_args..max_args (< 0: no
 * limit) positional arguments.  Returns -1 to go on, or the exit code the
 * command should return at once (0 after -h, 2 after a usage error, which
 * was printed).
 */
int rollout_cli_parse(struct rollout_cli *c, const char *cmd, int argc, const char **argv,
                      const struct option *own, const struct command_help *help, int min_args,
                      int max_args);
/* Connects; returns 0, or the exit code after printing the error. */
int rollout_cli_connect(struct rollout_cli *c);
void rollout_cli_release(struct rollout_cli *c);

/* A usage error of this command (prints, returns 2). */
int rollout_usage_error(const struct rollout_cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* /apis/argoproj.io/v1alpha1/namespaces/NS/rollouts[/NAME[/SUB]] */
void rollout_path(struct strbuf *sb, const char *ns, const char *name, const char *sub);

/*
 * Prints an API failure as `error: …`: the server's message as it is
 * (`rollouts.argoproj.io "x" not found`); for a 403 the message names what
 * RBAC must grant (verb, resource such as "rollouts/status", API group
 * ("argoproj.io", "apps", "" for core), namespace).  A 401 or a
 * connection failure is printed as kubectl does.  Returns 1.
 */
int rollout_api_error(const struct rollout_cli *c, const struct errbuf *err, const char *verb,
                      const char *resource, const char *group);

int rollout_get(struct rollout_cli *c, const char *name, cJSON **out, struct errbuf *err);

/*
 * A merge patch on /status; when that answers 404 (a controller without
 * the status subresource, Rollouts v0.9) the same body goes to the main
 * resource.  On failure *resource names what was refused ("rollouts/status"
 * or "rollouts").
 */
int rollout_patch_status(struct rollout_cli *c, const char *name, const char *body, cJSON **out,
                         const char **resource, struct errbuf *err);

/* "key=value,key in (a,b),!key" from a metav1.LabelSelector, as
 * LabelSelectorAsSelector writes it (requirements sorted by key). */
void rollout_selector_string(struct strbuf *sb, const cJSON *selector);

/* The subcommands. */
int rollout_cmd_promote(int argc, const char **argv);
int rollout_cmd_abort(int argc, const char **argv);
int rollout_cmd_retry(int argc, const char **argv);
int rollout_cmd_pause(int argc, const char **argv);
int rollout_cmd_restart(int argc, const char **argv);
int rollout_cmd_undo(int argc, const char **argv);
int rollout_cmd_status(int argc, const char **argv);
int rollout_cmd_get(int argc, const char **argv);
int rollout_cmd_list(int argc, const char **argv);

#endif
