/*
 * options.h - command-line flags with kubectl's (spf13/pflag) syntax.
 *
 * Accepted: --flag=v, --flag v, --bool, --bool=false, -n v, -n=v, -nv,
 * grouped boolean shorthands (-Aw), flags between positional arguments,
 * and `--` to end the flags.  Booleans take 1,0,t,f,true,false in any
 * case.  A command describes its flags as an array of struct option ending
 * in OPT_END; several arrays (the command's own and the Kubernetes flags
 * of kube_flags.h) are parsed together.
 *
 * Ownership: string values point into argv (never freed); a struct strlist
 * owns its array (strlist_release), not the strings.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct errbuf;

struct strlist {
	const char **items;
	size_t n, alloc;
};
#define STRLIST_INIT       \
	{                  \
		NULL, 0, 0 \
	}
void strlist_push(struct strlist *l, const char *s);
void strlist_release(struct strlist *l);

enum opt_type {
	OPT_END_ = 0,
	OPT_BOOL, /* int *: 0/1 */
	OPT_STRING, /* const char **: last one wins */
	OPT_STRING_LIST, /* struct strlist *: repeatable, also comma-free */
	OPT_INT, /* long *: decimal */
};

struct option {
	enum opt_type type;
	char short_name; /* 0 = none */
	const char *long_name;
	void *value;
	const char *argh; /* placeholder in help, e.g. "NAME" */
	const char *help;
	int hidden;
};

#define OPT_END                                        \
	{                                              \
		OPT_END_, 0, NULL, NULL, NULL, NULL, 0 \
	}

struct command_help {
	const char *usage; /* "kubectl gitops list [options]" minus the program name */
	const char *description; /* long help, may be several lines */
	const char *examples; /* "  # comment\n  command\n" blocks */
};

/*
 * Parses argv[1..argc) (argv[0] is the command name).  Positional arguments
 * are stored in *args (caller frees the array, not the strings) and
 * counted in *nargs.  Returns 0; 1 when -h/--help was given (help printed
 * to stdout); -1 on a usage error (err filled, nothing printed).
 */
int options_parse(int argc, const char **argv, const struct option *const *tables,
                  const struct command_help *help, const char ***args, int *nargs,
                  struct errbuf *err);

void options_usage(FILE *out, const struct option *const *tables, const struct command_help *help);

/* Prints "error: MSG" and the kubectl-style "See '… -h'" hint; returns EXIT_USAGE. */
int options_usage_error(const char *cmd, const struct errbuf *err);

/* Parses a pflag boolean; -1 when it is not one. */
int options_parse_bool(const char *s);

/*
 * A duration flag's value (kubectl's --request-timeout syntax: "90s",
 * "5m", or a bare number of seconds) into *ns; NULL leaves *ns alone.
 * -1 with "invalid FLAG ..." in err when it is not one or is negative.
 */
int options_parse_duration(const char *flag, const char *v, int64_t *ns, struct errbuf *err);

#endif
