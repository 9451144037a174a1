/*
 * kube_flags.h - the standard Kubernetes flags every command takes
 * (cli-runtime's ConfigFlags), and turning them into a connected client.
 *
 * A command embeds one struct kube_flags (kube_flags_init() ...
 * kube_flags_release()), parses its argv with kube_flags_parse(), and calls
 * kube_flags_connect() after parsing.
 *
 * Ownership: kube_flags_parse() hands the caller the array of positional
 * arguments (free() it; the strings point into argv).  kube_flags_connect()
 * fills the caller's rest_config (release with rest_config_release()) and
 * returns a client the caller frees with kube_client_free() before
 * releasing the rest_config.
 */
#ifndef KUBE_FLAGS_H
#define KUBE_FLAGS_H

#include "options.h"
#include "rest_config.h"

struct kube_client;
struct errbuf;

struct kube_flags {
	const char *kubeconfig, *context, *cluster, *user, *namespace;
	const char *server, *tls_server_name, *certificate_authority;
	const char *client_certificate, *client_key, *token, *username, *password;
	int insecure_skip_tls_verify;
	const char *as_user, *as_uid;
	struct strlist as_groups;
	const char *request_timeout;
	long verbosity;
};

void kube_flags_init(struct kube_flags *kf);
void kube_flags_release(struct kube_flags *kf);
const struct option *kube_flags_options(struct kube_flags *kf);

/*
 * Parses argv (argv[0] = the command's name, cmd, used in messages) with
 * the command's own options (ending in OPT_END) followed by the Kubernetes
 * flags into kf, which the caller has set up with kube_flags_init().
 * Returns -1 to go on: *args is the array of positional arguments (the
 * caller frees it, not the strings, which point into argv) and *nargs
 * their count; checking them is the caller's.  Otherwise the exit code the
 * command returns at once: EXIT_OK after -h/--help (help printed on
 * stdout), EXIT_USAGE after a usage error (printed, with cmd's -h hint);
 * *args is NULL then, so the caller may free it on every path.
 */
int kube_flags_parse(struct kube_flags *kf, const char *cmd, int argc, const char **argv,
                     const struct option *own, const struct command_help *help, const char ***args,
                     int *nargs);

/*
 * Loads the kubeconfig with the flags' overrides and makes a client.
 * Returns the client, or NULL with err filled (a usage error such as a bad
 * --request-timeout sets err->code to -2 so the caller can exit 2).
 */
struct kube_client *kube_flags_connect(struct kube_flags *kf, struct rest_config *rc,
                                       struct errbuf *err);

#endif
