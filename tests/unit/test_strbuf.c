#include "tap.h"

#include <errno.h>
#include <stdlib.h>

#include "strbuf.h"

int main(void)
{
	struct strbuf sb = STRBUF_INIT;
	char *d;
	size_t len;
	int i;

	is_str(sb.buf, "", "an initialised strbuf is the empty string");
	strbuf_addstr(&sb, "abc");
	strbuf_addf(&sb, "-%d-%s", 42, "x");
	is_str(sb.buf, "abc-42-x", "add and addf append");
	for (i = 0; i < 1000; i++)
		strbuf_addch(&sb, 'z');
	is_int(sb.len, 1008, "growth keeps the length");
	strbuf_reset(&sb);
	strbuf_addurlenc(&sb, "app=a b/c&d");
	is_str(sb.buf, "app%3Da%20b%2Fc%26d", "url encoding escapes reserved bytes");
	d = strbuf_detach(&sb, &len);
	is_int(len, 19, "detach reports the length");
	ok(sb.len == 0 && sb.buf[0] == '\0', "detach leaves an empty strbuf");
	free(d);
	errno = 0;
	ok(strbuf_read_file(&sb, "/nonexistent/file", 100) == -1 && errno == ENOENT,
	   "reading a missing file fails with ENOENT");
	ok(strbuf_read_file(&sb, "Makefile", 10) == -1 && errno == EFBIG && sb.len == 0,
	   "a file over the cap is refused and nothing is kept");
	strbuf_release(&sb);
	return tap_done();
}
