#include "ui.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errbuf.h"

static char progname[64] = "kubectl gitops";
static enum ui_color color_mode = UI_COLOR_AUTO;

void ui_init(const char *argv0)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;
	const char *dash;

	base = base ? base + 1 : argv0;
	if (!base || !*base)
		return;
	/* kubectl runs us as .../kubectl-gitops; users know us as "kubectl gitops". */
	dash = strchr(base, '-');
	if (dash && !strncmp(base, "kubectl-", 8))
		snprintf(progname, sizeof(progname), "kubectl %s", dash + 1);
	else
		snprintf(progname, sizeof(progname), "%s", base);
}

const char *ui_progname(void)
{
	return progname;
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE_);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap);
	va_end(ap);
	return EXIT_FAILURE_;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

int error_api(const struct errbuf *err)
{
	if (err->code == 401)
		fprintf(stderr, "error: You must be logged in to the server (%s)\n",
			err->reason[0] ? err->reason : "Unauthorized");
	else if (err->code >= 400 && err->reason[0])
		fprintf(stderr, "Error from server (%s): %s\n", err->reason, err->msg);
	else if (err->code >= 400)
		fprintf(stderr, "Error from server: %s\n", err->msg);
	else
		fprintf(stderr, "error: %s\n", err->msg);
	return EXIT_FAILURE_;
}

void ui_set_color(enum ui_color mode)
{
	color_mode = mode;
}

int ui_use_color(FILE *stream)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (color_mode != UI_COLOR_AUTO)
		return color_mode == UI_COLOR_ALWAYS;
	if (no && *no)
		return 0;
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(fileno(stream));
}
