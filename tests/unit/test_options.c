#include "tap.h"

#include <stdlib.h>

#include "errbuf.h"
#include "options.h"
#include "ui.h"

struct opts {
	int all, watch;
	const char *ns, *output;
	long parallel;
	struct strlist apps;
};

static int parse(struct opts *o, int argc, const char **argv, const char ***args, int *nargs,
                 struct errbuf *err)
{
	const struct option own[] = {
		{ OPT_BOOL, 'A', "all-namespaces", &o->all, NULL, "all", 0 },
		{ OPT_BOOL, 'w', "watch", &o->watch, NULL, "watch", 0 },
		{ OPT_STRING, 'n', "namespace", &o->ns, "NS", "namespace", 0 },
		{ OPT_STRING, 'o', "output", &o->output, "FORMAT", "output", 0 },
		{ OPT_INT, 0, "parallel", &o->parallel, "N", "parallel", 0 },
		{ OPT_STRING_LIST, 0, "app", &o->apps, "PATTERN", "apps", 0 },
		OPT_END,
	};
	const struct option *tables[] = { own, NULL };
	static const struct command_help help = { "test", "Test.", NULL };

	return options_parse(argc, argv, tables, &help, args, nargs, err);
}

#define ARGV(...) ((const char *[]){ "cmd", __VA_ARGS__ })
#define NARGS(...) ((int)(sizeof((const char *[]){ "cmd", __VA_ARGS__ }) / sizeof(char *)))

static void syntax(void)
{
	struct opts o = { 0 };
	struct errbuf err;
	const char **args;
	int n;

	ok(!parse(&o, NARGS("--namespace=x", "a", "-o", "json", "b", "-Aw", "--parallel", "3"),
	          ARGV("--namespace=x", "a", "-o", "json", "b", "-Aw", "--parallel", "3"), &args,
	          &n, &err),
	   "--flag=v, -f v, grouped bools, flags between arguments");
	is_str(o.ns, "x", "--namespace=x");
	is_str(o.output, "json", "-o json");
	ok(o.all && o.watch, "-Aw sets both booleans");
	is_int(o.parallel, 3, "--parallel 3");
	is_int(n, 2, "two positional arguments");
	is_str(args[0], "a", "first positional");
	is_str(args[1], "b", "second positional");
	free(args);

	o = (struct opts){ 0 };
	ok(!parse(&o, NARGS("-nkube-system", "--app", "a*", "--app=b*", "--", "-x"),
	          ARGV("-nkube-system", "--app", "a*", "--app=b*", "--", "-x"), &args, &n, &err),
	   "-nVALUE, repeated list flags and --");
	is_str(o.ns, "kube-system", "-nkube-system");
	is_int(o.apps.n, 2, "--app twice");
	is_str(o.apps.items[1], "b*", "--app=b*");
	ok(n == 1 && !strcmp(args[0], "-x"), "after -- a dash argument is positional");
	free(args);
	strlist_release(&o.apps);

	o = (struct opts){ 0 };
	ok(!parse(&o, NARGS("-n=dev", "--watch=false", "-A=true"),
	          ARGV("-n=dev", "--watch=false", "-A=true"), &args, &n, &err),
	   "-n=VALUE and explicit booleans");
	is_str(o.ns, "dev", "-n=dev");
	ok(!o.watch && o.all, "--watch=false and -A=true");
	free(args);
}

static void errors(void)
{
	static const struct {
		const char *argv[3];
		int argc;
		const char *msg;
	} cases[] = {
		{ { "--bogus" }, 1, "unknown flag: --bogus" },
		{ { "-Z" }, 1, "unknown shorthand flag: 'Z' in -Z" },
		{ { "--namespace" }, 1, "flag needs an argument: --namespace" },
		{ { "-n" }, 1, "flag needs an argument: 'n' in -n" },
		{ { "--parallel", "many" },
		  2,
		  "invalid argument \"many\" for \"--parallel\" flag: strconv.ParseInt: parsing "
		  "\"many\": invalid syntax" },
		{ { "--watch=yes" },
		  1,
		  "invalid argument \"yes\" for \"--watch\" flag: strconv.ParseBool: parsing "
		  "\"yes\": invalid syntax" },
		{ { "--watch=tRuE" },
		  1,
		  "invalid argument \"tRuE\" for \"--watch\" flag: strconv.ParseBool: parsing "
		  "\"tRuE\": invalid syntax" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[4] = { "cmd", cases[i].argv[0], cases[i].argv[1], NULL };
		struct opts o = { 0 };
		struct errbuf err = { 0 };
		const char **args = NULL;
		int n;

		ok(parse(&o, cases[i].argc + 1, argv, &args, &n, &err) == -1, "%s is refused",
		   cases[i].argv[0]);
		is_str(err.msg, cases[i].msg, "with pflag's wording");
		free(args);
	}
}

static void booleans(void)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	size_t i;

	for (i = 0; i < 6; i++) {
		is_int(options_parse_bool(yes[i]), 1, "'%s' is true", yes[i]);
		is_int(options_parse_bool(no[i]), 0, "'%s' is false", no[i]);
	}
	is_int(options_parse_bool("yes"), -1, "'yes' is not a Go boolean");
	is_int(options_parse_bool(""), -1, "'' is not a boolean");
}

static void durations(void)
{
	struct errbuf err;
	int64_t ns = 7;

	ok(options_parse_duration("--timeout", NULL, &ns, &err) == 0 && ns == 7,
	   "an unset duration flag leaves the value alone");
	ok(options_parse_duration("--timeout", "90s", &ns, &err) == 0 && ns == INT64_C(90000000000),
	   "90s");
	ok(options_parse_duration("--timeout", "5", &ns, &err) == 0 && ns == INT64_C(5000000000),
	   "a bare number is seconds, as --request-timeout takes it");
	ok(options_parse_duration("--health-timeout", "soon", &ns, &err) == -1 &&
	           !strcmp(err.msg, "invalid --health-timeout \"soon\": want a duration such as "
	                            "90s or 5m"),
	   "a bad duration names the flag and the value");
	ok(options_parse_duration("--timeout", "-1s", &ns, &err) == -1,
	   "a negative one is refused");
}

int main(void)
{
	syntax();
	errors();
	booleans();
	durations();
	return tap_done();
}
