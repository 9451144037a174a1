/*
 * ui: diagnostics are worded as kubectl words them, and server text in
 * them (Status messages and reasons, names) reaches the terminal escaped.
 */
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errbuf.h"
#include "ui.h"

static FILE *capture;
static int saved_stderr = -1;

static void capture_start(void)
{
	fflush(stderr);
	capture = tmpfile();
	saved_stderr = dup(STDERR_FILENO);
	dup2(fileno(capture), STDERR_FILENO);
}

/* Stops capturing and returns what was written (caller frees). */
static char *capture_end(void)
{
	char *text;
	long n;

	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	n = ftell(capture);
	text = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
	rewind(capture);
	if (n > 0 && fread(text, 1, (size_t)n, capture) != (size_t)n)
		text[0] = '\0';
	fclose(capture);
	return text;
}

static void api_case(int code, const char *reason, const char *msg, const char *want, const char *name)
{
	struct errbuf err;
	char *got;
	int rc;

	errbuf_clear(&err);
	err.code = code;
	snprintf(err.reason, sizeof(err.reason), "%s", reason);
	snprintf(err.msg, sizeof(err.msg), "%s", msg);
	capture_start();
	rc = error_api(&err);
	got = capture_end();
	is_str(got, want, "%s", name);
	is_int(rc, 1, "error_api returns 1");
	free(got);
}

int main(void)
{
	char *got;

	api_case(404, "NotFound", "rollouts.argoproj.io \"x\" not found",
	         "Error from server (NotFound): rollouts.argoproj.io \"x\" not found\n",
	         "a Status error is printed as kubectl does");
	api_case(500, "", "boom", "Error from server: boom\n", "no reason: no parentheses");
	api_case(0, "", "connection refused", "error: connection refused\n",
	         "a transport error is an error:");
	api_case(401, "Unauthorized", "Unauthorized",
	         "error: You must be logged in to the server (Unauthorized)\n", "401");
	api_case(409, "Conflict", "x \x1b]0;owned\x07 \x1b[2J\r\xff done",
	         "Error from server (Conflict): x ^[]0;owned^G ^[[2J\\r\\xff done\n",
	         "control sequences in a server message are escaped");
	api_case(422, "In\x1b[31mvalid", "bad", "Error from server (In^[[31mvalid): bad\n",
	         "control sequences in a server reason are escaped");
	api_case(403, "Forbidden", "line one\n\tline two \xe2\x80\xae rtl",
	         "Error from server (Forbidden): line one\n\tline two \\u202e rtl\n",
	         "newline and tab kept, bidi override escaped");

	capture_start();
	error("rollout \"%s\" failed: %s", "web", "\x1b[31mred");
	got = capture_end();
	is_str(got, "error: rollout \"web\" failed: ^[[31mred\n", "error() escapes its arguments");
	free(got);

	capture_start();
	warning("%s", "step \x1b[1mpaused\x1b[0m");
	got = capture_end();
	is_str(got, "warning: step ^[[1mpaused^[[0m\n", "warning() escapes its arguments");
	free(got);

	capture_start();
	error("%s", "plain text, caf\xc3\xa9");
	got = capture_end();
	is_str(got, "error: plain text, caf\xc3\xa9\n", "valid UTF-8 text passes unchanged");
	free(got);

	return tap_done();
}
