#include "ui.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errbuf.h"
#include "json_util.h"
#include "strbuf.h"

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

/* Messages carry server text (Status messages, names): escape it all
 * rather than trust every caller to have done so. */
static void put_escaped(const char *prefix, const char *msg)
{
	struct strbuf sb = STRBUF_INIT;

	term_escape(&sb, msg);
	fprintf(stderr, "%s%s\n", prefix, sb.buf);
	strbuf_release(&sb);
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	struct strbuf msg = STRBUF_INIT;

	strbuf_vaddf(&msg, fmt, ap);
	put_escaped(prefix, msg.buf);
	strbuf_release(&msg);
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
	struct strbuf sb = STRBUF_INIT;

	if (err->code == 401)
		strbuf_addf(&sb, "error: You must be logged in to the server (%s)",
		            err->reason[0] ? err->reason : "Unauthorized");
	else if (err->code >= 400 && err->reason[0])
		strbuf_addf(&sb, "Error from server (%s): %s", err->reason, err->msg);
	else if (err->code >= 400)
		strbuf_addf(&sb, "Error from server: %s", err->msg);
	else
		strbuf_addf(&sb, "error: %s", err->msg);
	put_escaped("", sb.buf);
	strbuf_release(&sb);
	return EXIT_FAILURE_;
}

int error_load(int r, const struct errbuf *err)
{
	if (r == -2)
		return (error("%s", err->msg), EXIT_USAGE);
	return error_api(err);
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
