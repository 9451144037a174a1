/*
 * Hidden `__complete WORDS... CURRENT`: what kubectl_complete-gitops prints
 * for kubectl's shell completion (kubectl 1.26+): one candidate per line,
 * then ":4" (cobra's ShellCompDirectiveNoFileComp).
 *
 * Command and flag names are read from the commands' own --help, run in a
 * child process, so completion can never drift from what a command
 * accepts.  Application, AppProject and Rollout names come from the
 * cluster, with the --kubeconfig/--context/-n already typed.  Any failure
 * just offers nothing: completion must never print an error into a shell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "errbuf.h"
#include "json_util.h"
#include "kube_client.h"
#include "kube_flags.h"
#include "strbuf.h"

#define SHELL_COMP_NO_FILE 4

/* Runs `WORDS... --help` in a child and returns what it printed. */
static int help_of(const char **words, int n, struct strbuf *out)
{
	const struct command *cmd = command_find(words[0]);
	const char *argv[8];
	char buf[4096];
	int fd[2], i, status;
	ssize_t got;
	pid_t pid;

	if (!cmd || n > 6 || pipe(fd))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (!pid) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		if (!freopen("/dev/null", "w", stderr))
			_exit(1);
		for (i = 0; i < n; i++)
			argv[i] = words[i];
		argv[n] = "--help";
		argv[n + 1] = NULL;
		fflush(stdout);
		_exit(cmd->fn(n + 1, argv) == 0 ? (fflush(stdout), 0) : 1);
	}
	close(fd[1]);
	while ((got = read(fd[0], buf, sizeof(buf))) > 0)
		strbuf_add(out, buf, (size_t)got);
	close(fd[0]);
	waitpid(pid, &status, 0);
	return 0;
}

static int has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Flags ("--name") and subcommands listed in a command's help. */
static void offer_from_help(const char *help, const char *word, int flags)
{
	const char *line = help;
	int in_subs = 0;

	while (line && *line) {
		const char *eol = strchr(line, '\n'), *p = line;
		size_t len = eol ? (size_t)(eol - line) : strlen(line);

		if (!strncmp(line, "Subcommands:", 12))
			in_subs = 1;
		else if (len && line[0] != ' ')
			in_subs = 0;
		while (p < line + len && *p == ' ')
			p++;
		if (flags && p[0] == '-' && p[1] != '-' && p[2] == ',')
			p += 4;
		if (flags && !strncmp(p, "--", 2)) {
			size_t n = strcspn(p, " =\n");

			if (!strncmp(p, word, strlen(word)))
				printf("%.*s\n", (int)n, p);
		} else if (!flags && in_subs && p > line && *p && *p != '-') {
			size_t n = strcspn(p, " \n");

			if (!strncmp(p, word, strlen(word)))
				printf("%.*s\n", (int)n, p);
		}
		line = eol ? eol + 1 : NULL;
	}
}

/* Copies the connection flags the user already typed into kf. */
static void typed_kube_flags(struct kube_flags *kf, const char **words, int n)
{
	static const struct {
		const char *name;
		size_t off;
	} known[] = {
		{ "--kubeconfig", offsetof(struct kube_flags, kubeconfig) },
		{ "--context", offsetof(struct kube_flags, context) },
		{ "--namespace", offsetof(struct kube_flags, namespace) },
		{ "-n", offsetof(struct kube_flags, namespace) },
	};
	int i;
	size_t k;

	for (i = 0; i < n; i++)
		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
			const char *f = known[k].name, *v = NULL;
			size_t fl = strlen(f);

			if (!strcmp(words[i], f) && i + 1 < n)
				v = words[i + 1];
			else if (!strncmp(words[i], f, fl) && words[i][fl] == '=')
				v = words[i] + fl + 1;
			if (v)
				*(const char **)((char *)kf + known[k].off) = v;
		}
}

/* Names of `resource` in the namespace the user typed (or `def_ns`). */
static void offer_names(const char **words, int n, const char *resource, const char *def_ns,
                        const char *word)
{
	struct rest_config rc = { 0 };
	struct strbuf path = STRBUF_INIT;
	struct kube_flags kf;
	struct kube_client *kc;
	struct errbuf err;
	const cJSON *it;
	cJSON *list = NULL;
	const char *ns;

	kube_flags_init(&kf);
	typed_kube_flags(&kf, words, n);
	kc = kube_flags_connect(&kf, &rc, &err);
	if (!kc)
		return;
	kube_client_set_warning_handler(kc, NULL, NULL); /* nothing into the shell */
	ns = kf.namespace ? kf.namespace : def_ns ? def_ns : rc.namespace;
	kube_path(&path, "argoproj.io", "v1alpha1", resource, ns, NULL, NULL);
	if (!kube_list(kc, path.buf, NULL, &list, &err))
		cJSON_ArrayForEach (it, cJSON_GetObjectItemCaseSensitive(list, "items")) {
			const char *name = json_str(it, "metadata.name", "");

			if (has_prefix(name, word) && !strpbrk(name, "\n\r\t"))
				printf("%s\n", name);
		}
	cJSON_Delete(list);
	strbuf_release(&path);
	kube_client_free(kc);
	rest_config_release(&rc);
	kube_flags_release(&kf);
}

/* The positional argument of each command, and where its names live. */
static const struct {
	const char *command, *resource, *def_ns;
} named[] = {
	{ "sync", "applications", "argocd" },
	{ "tree", "applications", "argocd" },
	{ "terminate", "applications", "argocd" },
	{ "refresh", "applications", "argocd" },
	{ "confirm-deletion", "applications", "argocd" },
	{ "windows", "appprojects", "argocd" },
	{ "rollout", "rollouts", NULL },
	{ "ro", "rollouts", NULL },
};

int cmd_complete(int argc, const char **argv)
{
	const char **words = argv + 1;
	int n = argc - 2, i;
	const char *word = argc > 1 ? argv[argc - 1] : "";
	const struct command *cmds;
	struct strbuf help = STRBUF_INIT;
	size_t ncmds, k;

	if (n <= 0) {
		cmds = commands_all(&ncmds);
		for (k = 0; k < ncmds; k++)
			if (cmds[k].group && has_prefix(cmds[k].name, word))
				printf("%s\n", cmds[k].name);
	} else if (word[0] == '-') {
		/* rollout's flags belong to its subcommand. */
		int depth = (!strcmp(words[0], "rollout") || !strcmp(words[0], "ro")) && n > 1 ? 2
		                                                                               : 1;

		if (!help_of(words, depth, &help))
			offer_from_help(help.buf, word, 1);
	} else if ((!strcmp(words[0], "rollout") || !strcmp(words[0], "ro")) && n == 1) {
		if (!help_of(words, 1, &help))
			offer_from_help(help.buf, word, 0);
	} else if (command_find(words[0])) {
		for (i = 0; i < (int)(sizeof(named) / sizeof(named[0])); i++)
			if (!strcmp(named[i].command, words[0]))
				offer_names(words, n, named[i].resource, named[i].def_ns, word);
	}
	strbuf_release(&help);
	printf(":%d\n", SHELL_COMP_NO_FILE);
	return 0;
}
