/*
 * gitops-webhook: the validating admission webhook.
 */
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out,
		"gitops-webhook: a validating admission webhook that makes Argo CD's safety rules\n"
		"hold for every write to the cluster.\n\n"
		"Usage:\n"
		"  gitops-webhook serve --tls-cert-file F --tls-private-key-file F [options]\n"
		"  gitops-webhook check --review FILE [--state DIR|FILE...] [--now RFC3339]\n"
		"  gitops-webhook version\n");
}

int main(int argc, char **argv)
{
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
	fprintf(stderr, "error: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
