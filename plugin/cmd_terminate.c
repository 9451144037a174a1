/*
 * kubectl gitops terminate APP: stop the operation running on an
 * Application, as `argocd app terminate-op` does (../shared/docs/argocd.md
 * §1.5): the phase becomes Terminating and the controller ends the
 * operation as Failed "Operation terminated".
 */
#include <stdio.h>
#include <stdlib.h>

#include "app_common.h"
#include "commands.h"
#include "errbuf.h"
#include "kube_client.h"
#include "kube_flags.h"
#include "ui.h"

static const struct command_help terminate_help = {
	.usage = "terminate APP [-n NAMESPACE] [options]",
	.description =
		"Terminate the operation in progress on an Argo CD Application, as argocd app\n"
		"terminate-op does: status.operationState.phase is set to Terminating by an\n"
		"update carrying the resourceVersion just read (read again and retried on a\n"
		"conflict), and the controller stops the sync.  Refused when no operation is\n"
		"in progress.  It does not wait for the controller.\n"
		"\n"
		"Exit status: 0 the operation is terminating; 1 no operation is in progress,\n"
		"or an API error; 2 usage error.",
	.examples = "  # Stop the sync running on the app guestbook\n"
		    "  kubectl gitops terminate guestbook\n",
};

/* Connects and terminates; returns the exit code. */
static int terminate(struct kube_flags *kf, const char *name)
{
	struct rest_config rc = { 0 };
	struct kube_client *kc;
	struct errbuf err;
	int ret;

	kc = kube_flags_connect(kf, &rc, &err);
	if (!kc) {
		ret = err.code == -2 ? options_usage_error("terminate", &err) : error_api(&err);
	} else {
		const char *ns = kf->namespace ? kf->namespace : APP_DEFAULT_NAMESPACE;

		ret = app_terminate_operation(kc, ns, name, &err);
		if (ret == APP_NO_OPERATION)
			ret = error("%s", err.msg);
		else if (ret)
			ret = error_api(&err);
		else
			printf("Application '%s' operation terminating\n", name);
	}
	kube_client_free(kc);
	rest_config_release(&rc);
	return ret ? EXIT_FAILURE_ : EXIT_OK;
}

int cmd_terminate(int argc, const char **argv)
{
	const struct option own[] = { OPT_END };
	struct kube_flags kf;
	const char **args;
	int nargs, ret;

	kube_flags_init(&kf);
	ret = kube_flags_parse(&kf, "terminate", argc, argv, own, &terminate_help, &args, &nargs);
	if (ret < 0 && nargs != 1)
		ret = options_usage_error(
			"terminate", &(struct errbuf){ .msg = "terminate takes exactly one APP" });
	if (ret < 0)
		ret = terminate(&kf, args[0]);
	free(args);
	kube_flags_release(&kf);
	return ret;
}
