/*
 * ui.h - how the plugin talks to its user (after git's usage.c).
 *
 * die()/error()/warning() print kubectl-style diagnostics to stderr:
 * "error: <lowercase message>".  die_api() prints an API failure as kubectl
 * does ("Error from server (NotFound): …").  Results go to stdout, every
 * diagnostic to stderr.  Colour is decided per stream: a terminal, NO_COLOR
 * unset or empty, TERM not "dumb" (overridable with --color).
 */
#ifndef UI_H
#define UI_H

#include <stdio.h>

struct errbuf;

/* Exit codes, documented in --help and the README. */
#define EXIT_OK 0
#define EXIT_FAILURE_ 1 /* runtime/API error, or a sync/rollout that failed */
#define EXIT_USAGE 2
#define EXIT_TIMEOUT 3

void ui_init(const char *argv0);
/* "kubectl gitops" when run as kubectl-gitops (by kubectl or by hand). */
const char *ui_progname(void);

__attribute__((format(printf, 1, 2), noreturn)) void die(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) int error(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void warning(const char *fmt, ...);

/* Prints err the way kubectl prints a failed request; returns 1. */
int error_api(const struct errbuf *err);

/*
 * For a command's loader that failed with r: -2 is bad input (a file, a
 * value), printed as "error: MSG", returns EXIT_USAGE; anything else is an
 * API failure, printed by error_api(), returns 1.
 */
int error_load(int r, const struct errbuf *err);

enum ui_color { UI_COLOR_AUTO, UI_COLOR_ALWAYS, UI_COLOR_NEVER };
void ui_set_color(enum ui_color mode);
int ui_use_color(FILE *stream);

#endif
