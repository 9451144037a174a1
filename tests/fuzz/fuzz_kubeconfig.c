/*
 * fuzz_kubeconfig.c - libFuzzer target: the input is a kubeconfig file,
 * loaded with --kubeconfig semantics (only that file, no in-cluster
 * fallback).  Loading never runs an exec plugin, so arbitrary input is safe
 * to feed; it may name files to read (CA, tokenFile), which is fine.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errbuf.h"
#include "kubeconfig.h"
#include "rest_config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd, null;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "/tmp/fuzz_kubeconfig.%ld", (long)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		abort();
	close(fd);
	/* A tokenFile of /dev/stdin must not block the fuzzer. */
	null = open("/dev/null", O_RDONLY);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		close(null);
	}
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kubeconfig_overrides ov = KUBECONFIG_OVERRIDES_INIT;
	struct rest_config rc;
	struct errbuf err;
	FILE *f = fopen(path, "wb");

	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	ov.kubeconfig = path;
	ov.in_cluster_sa_dir = "/nonexistent";
	if (kubeconfig_load(&rc, &ov, &err) == 0)
		rest_config_release(&rc);
	else if (!memchr(err.msg, '\0', sizeof(err.msg)))
		abort(); /* the message must be a terminated string */
	return 0;
}
