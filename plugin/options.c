#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "errbuf.h"
#include "ui.h"
#include "xalloc.h"

void strlist_push(struct strlist *l, const char *s)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 4;
		l->items = xrealloc(l->items, l->alloc * sizeof(*l->items));
	}
	l->items[l->n++] = s;
}

void strlist_release(struct strlist *l)
{
	free(l->items);
	l->items = NULL;
	l->n = l->alloc = 0;
}

/* Exactly the spellings Go's strconv.ParseBool accepts: "tRuE" is not one. */
int options_parse_duration(const char *flag, const char *v, int64_t *ns, struct errbuf *err)
{
	if (!v)
		return 0;
	if (duration_parse_request_timeout(v, ns, err) || *ns < 0)
		return errbuf_set(err, "invalid %s \"%s\": want a duration such as 90s or 5m", flag,
		                  v);
	return 0;
}

int options_parse_bool(const char *s)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i]))
			return 1;
		if (!strcmp(s, no[i]))
			return 0;
	}
	return -1;
}

static const struct option *find_long(const struct option *const *tables, const char *name, size_t len)
{
	const struct option *o;

	for (; *tables; tables++)
		for (o = *tables; o->type != OPT_END_; o++)
			if (o->long_name && strlen(o->long_name) == len &&
			    !strncmp(o->long_name, name, len))
				return o;
	return NULL;
}

static const struct option *find_short(const struct option *const *tables, char c)
{
	const struct option *o;

	for (; *tables; tables++)
		for (o = *tables; o->type != OPT_END_; o++)
			if (o->short_name == c)
				return o;
	return NULL;
}

static int set_value(const struct option *o, const char *v, const char *shown, struct errbuf *err)
{
	char *end;
	long n;
	int b;

	switch (o->type) {
	case OPT_BOOL:
		b = options_parse_bool(v);
		if (b < 0)
			return errbuf_set(err,
			                  "invalid argument \"%s\" for \"%s\" flag: "
			                  "strconv.ParseBool: parsing \"%s\": invalid syntax",
			                  v, shown, v);
		*(int *)o->value = b;
		return 0;
	case OPT_STRING:
		*(const char **)o->value = v;
		return 0;
	case OPT_STRING_LIST:
		strlist_push(o->value, v);
		return 0;
	case OPT_INT:
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || !*v || *end)
			return errbuf_set(err,
			                  "invalid argument \"%s\" for \"%s\" flag: "
			                  "strconv.ParseInt: parsing \"%s\": invalid syntax",
			                  v, shown, v);
		*(long *)o->value = n;
		return 0;
	default:
		return errbuf_set(err, "internal error: bad option type");
	}
}

/* Handles argv[*i] = "--name[=value]"; may consume the next argument. */
static int parse_long(int argc, const char **argv, int *i, const struct option *const *tables,
                      struct errbuf *err)
{
	const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct option *o = find_long(tables, arg, len);
	char shown[128];

	snprintf(shown, sizeof(shown), "--%.*s", (int)len, arg);
	if (!o)
		return errbuf_set(err, "unknown flag: %s", shown);
	if (eq)
		return set_value(o, eq + 1, shown, err);
	if (o->type == OPT_BOOL)
		return set_value(o, "true", shown, err);
	if (*i + 1 >= argc)
		return errbuf_set(err, "flag needs an argument: %s", shown);
	return set_value(o, argv[++*i], shown, err);
}

/* Handles "-abc", "-nVALUE", "-n=VALUE" and "-n VALUE". */
static int parse_short(int argc, const char **argv, int *i, const struct option *const *tables,
                       struct errbuf *err)
{
	const char *p = argv[*i] + 1;
	char shown[3] = "-?";

	for (; *p; p++) {
		const struct option *o = find_short(tables, *p);

		shown[1] = *p;
		if (!o)
			return errbuf_set(err, "unknown shorthand flag: '%c' in %s", *p, argv[*i]);
		if (o->type == OPT_BOOL) {
			if (p[1] == '=')
				return set_value(o, p + 2, shown, err);
			if (set_value(o, "true", shown, err))
				return -1;
			continue;
		}
		if (p[1])
			return set_value(o, p[1] == '=' ? p + 2 : p + 1, shown, err);
		if (*i + 1 >= argc)
			return errbuf_set(err, "flag needs an argument: '%c' in %s", *p, argv[*i]);
		return set_value(o, argv[++*i], shown, err);
	}
	return 0;
}

int options_parse(int argc, const char **argv, const struct option *const *tables,
                  const struct command_help *help, const char ***args, int *nargs, struct errbuf *err)
{
	const char **pos = xcalloc((size_t)argc + 1, sizeof(*pos));
	int i, n = 0, rc = 0;

	for (i = 1; i < argc && !rc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			while (++i < argc)
				pos[n++] = argv[i];
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			options_usage(stdout, tables, help);
			free(pos);
			return 1;
		}
		if (a[0] == '-' && a[1] == '-')
			rc = parse_long(argc, argv, &i, tables, err);
		else if (a[0] == '-' && a[1])
			rc = parse_short(argc, argv, &i, tables, err);
		else
			pos[n++] = a;
	}
	if (rc) {
		free(pos);
		return -1;
	}
	*args = pos;
	*nargs = n;
	return 0;
}

static void print_table(FILE *out, const struct option *o)
{
	char left[96];

	for (; o->type != OPT_END_; o++) {
		if (o->hidden)
			continue;
		snprintf(left, sizeof(left), "%s%c%s--%s%s%s", o->short_name ? "-" : "   ",
		         o->short_name ? o->short_name : ' ', o->short_name ? ", " : "",
		         o->long_name, o->argh ? " " : "", o->argh ? o->argh : "");
		if (strlen(left) > 30)
			fprintf(out, "  %s\n  %-32s%s\n", left, "", o->help);
		else
			fprintf(out, "  %-32s%s\n", left, o->help);
	}
}

void options_usage(FILE *out, const struct option *const *tables, const struct command_help *help)
{
	int i;

	if (help->description)
		fprintf(out, "%s\n\n", help->description);
	if (help->examples)
		fprintf(out, "Examples:\n%s\n", help->examples);
	for (i = 0; tables[i]; i++) {
		fprintf(out, "%s:\n", i == 0 ? "Options" : "Kubernetes options");
		print_table(out, tables[i]);
		fputc('\n', out);
	}
	fprintf(out, "Usage:\n  %s %s\n", ui_progname(), help->usage);
}

int options_usage_error(const char *cmd, const struct errbuf *err)
{
	fprintf(stderr, "error: %s\nSee '%s %s -h' for help and examples.\n", err->msg,
	        ui_progname(), cmd);
	return EXIT_USAGE;
}
