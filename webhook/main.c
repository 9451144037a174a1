/*
 * gitops-webhook: the validating admission webhook.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "commands.h"
#include "xalloc.h"

static void usage(FILE *out)
{
	fprintf(out,
	        "gitops-webhook: a validating admission webhook that makes Argo CD's safety rules\n"
	        "hold for every write to the cluster.\n\n"
	        "Usage:\n"
	        "  gitops-webhook serve --tls-cert-file F --tls-private-key-file F [options]\n"
	        "  gitops-webhook check --review FILE [--state DIR|FILE]... [--now RFC3339]\n"
	        "                       [--config FILE]\n"
	        "  gitops-webhook version\n\n"
	        "Run \"gitops-webhook COMMAND --help\" for a command's options.\n");
}

static void *json_alloc(size_t n)
{
	return xmalloc(n);
}

int main(int argc, char **argv)
{
	/* cJSON's allocations then abort on OOM like ours, never return NULL. */
	cJSON_Hooks hooks = { json_alloc, free };

	cJSON_InitHooks(&hooks);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("gitops-webhook %s\n", GITOPS_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "check"))
		return webhook_cmd_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "serve"))
		return webhook_cmd_serve(argc - 1, argv + 1);
	fprintf(stderr, "error: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
