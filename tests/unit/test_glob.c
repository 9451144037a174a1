/*
 * test_glob.c - gobwas/glob v0.2.3, Argo's globMatch wrapper and Go's
 * filepath.Match.  The cases restate gobwas's glob_test.go, Go's
 * path/filepath match_test.go and Argo CD's util/glob tests as data.
 */
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#include "glob.h"

struct gcase {
	const char *pattern;
	const char *value;
	const char *seps; /* NULL: no separators */
	int want;
};

static const struct gcase gobwas_cases[] = {
	/* literals and the empty pattern */
	{ "abc", "abc", NULL, 1 },
	{ "", "", NULL, 1 },
	{ "", "b", NULL, 0 },
	{ "sta", "stagnation", NULL, 0 },
	{ "google.com", "google.com", NULL, 1 },
	{ "google.com", "gobwas.com", NULL, 0 },
	/* `*` and `?`, without separators they cross everything */
	{ "*", "abc", NULL, 1 },
	{ "*", "", NULL, 1 },
	{ "*", "a/b.c", NULL, 1 },
	{ "a*c", "abc", NULL, 1 },
	{ "a*c", "a12345c", NULL, 1 },
	{ "a?c", "a1c", NULL, 1 },
	{ "?at", "cat", NULL, 1 },
	{ "?at", "at", NULL, 0 },
	{ "*a*", "a", NULL, 1 },
	{ "*test", "this is a test", NULL, 1 },
	{ "this*", "this is a test", NULL, 1 },
	{ "*is *", "this is a test", NULL, 1 },
	{ "*is*a*", "this is a test", NULL, 1 },
	{ "**test**", "this is a test", NULL, 1 },
	{ "**is**a***test*", "this is a test", NULL, 1 },
	{ "*test*", "test", NULL, 1 },
	{ "*is", "this is a test", NULL, 0 },
	{ "*no*", "this is a test", NULL, 0 },
	{ "*abc", "abcabc", NULL, 1 },
	{ "**abc", "abcabc", NULL, 1 },
	{ "???", "abc", NULL, 1 },
	{ "?*?", "abc", NULL, 1 },
	{ "?*?", "ac", NULL, 1 },
	{ "?*?", "a", NULL, 0 },
	{ "sta*", "stagnation", NULL, 1 },
	{ "sta?", "stagnation", NULL, 0 },
	{ "sta?n", "stagnation", NULL, 0 },
	{ "* ?at * eyes", "my cat has very bright eyes", NULL, 1 },
	{ "abc*", "af", NULL, 0 },
	{ "*def", "af", NULL, 0 },
	{ "ab*ef", "abcdef", NULL, 1 },
	{ "ab*ef", "af", NULL, 0 },
	/* `?` and `[...]` work on runes, not bytes */
	{ "*\xc3\xa4", "\xc3\xa5\xc3\xa4", NULL, 1 },
	{ "a?b",
	  "a\xe2\x98\xba"
	  "b",
	  NULL, 1 },
	{ "a???b",
	  "a\xe2\x98\xba"
	  "b",
	  NULL, 0 },
	{ "[!a]", "\xe2\x98\xba", NULL, 1 },
	/* an invalid byte in the value is one U+FFFD rune */
	{ "a?b",
	  "a\xff"
	  "b",
	  NULL, 1 },
	{ "a\xff"
	  "b",
	  "a\xff"
	  "b",
	  NULL, 0 },
	/* separators */
	{ "a.b", "a.b", ".", 1 },
	{ "a.*", "a.b", ".", 1 },
	{ "a.**", "a.b.c", ".", 1 },
	{ "a.?.c", "a.b.c", ".", 1 },
	{ "a.?.?", "a.b.c", ".", 1 },
	{ "**", "a.b.c", ".", 1 },
	{ "?at", "fat", "f", 0 },
	{ "a.*", "a.b.c", ".", 0 },
	{ "a.?.c", "a.bb.c", ".", 0 },
	{ "*", "a.b.c", ".", 0 },
	{ "**a*b", ".a.ab", ".", 1 },
	{ "**a*b", "a.axb", ".", 1 },
	{ "*a**b", "xa.b", ".", 1 },
	{ "**.x", "a.b.x", ".", 1 },
	{ "*a**b", "x.ab", ".", 0 },
	{ "https://gitlab.com/group/*", "https://gitlab.com/group/repo", "/", 1 },
	{ "https://gitlab.com/group/*", "https://gitlab.com/group/sub/repo", "/", 0 },
	{ "https://gitlab.com/group/**", "https://gitlab.com/group/sub/repo", "/", 1 },
	{ "a*", "a/b", "./", 0 },
	{ "a*", "a.b", "./", 0 },
	/* a negated class is not limited by separators */
	{ "a[!x]b", "a.b", ".", 1 },
	/* character classes */
	{ "[!a]*", "this is a test3", NULL, 1 },
	{ "[!a]*", "a test", NULL, 0 },
	{ "[abc]", "b", NULL, 1 },
	{ "[abc]", "d", NULL, 0 },
	{ "[!abc]", "d", NULL, 1 },
	{ "[a-c]", "b", NULL, 1 },
	{ "[a-c]", "d", NULL, 0 },
	{ "[!a-c]", "d", NULL, 1 },
	{ "[!a-c]", "a", NULL, 0 },
	{ "[a-a]", "a", NULL, 1 },
	{ "[-a]", "-", NULL, 1 }, /* no range: the list "-a" */
	{ "[ab-c]", "-", NULL, 1 }, /* only "[x-y]" alone is a range */
	{ "[ab-c]", "b", NULL, 1 },
	{ "[\\]]", "]", NULL, 1 },
	{ "[\\-a]", "_", NULL, 1 }, /* range from '\' to 'a' */
	{ "[]-a]", "^", NULL, 1 }, /* range from ']' to 'a' */
	{ "[!!]", "a", NULL, 1 },
	{ "[!!]", "!", NULL, 0 },
	{ "[a-z][!a-x]*cat*[h][!b]*eyes*", "my cat has very bright eyes", NULL, 1 },
	{ "[a-z][!a-x]*cat*[h][!b]*eyes*", "my dog has very bright eyes", NULL, 0 },
	/* alternatives */
	{ "{abc,def}ghi", "defghi", NULL, 1 },
	{ "{abc,abcd}a", "abcda", NULL, 1 },
	{ "{a,ab}c", "abc", NULL, 1 },
	{ "{,a}", "", NULL, 1 },
	{ "{a,}", "", NULL, 1 },
	{ "{}", "", NULL, 1 },
	{ "{}", "a", NULL, 0 },
	{ "{a,ab}{bc,f}", "abc", NULL, 1 },
	{ "{*,**}{a,b}", "ab", NULL, 1 },
	{ "{*,**}{a,b}", "ac", NULL, 0 },
	{ "/{rate,[a-z][a-z][a-z]}*", "/rate", NULL, 1 },
	{ "/{rate,[0-9][0-9][0-9]}*", "/rate", NULL, 1 },
	{ "/{rate,[a-z][a-z][a-z]}*", "/usd", NULL, 1 },
	{ "{*.google.*,*.yandex.*}", "www.google.com", ".", 1 },
	{ "{*.google.*,*.yandex.*}", "www.yandex.com", ".", 1 },
	{ "{*.google.*,*.yandex.*}", "yandex.com", ".", 0 },
	{ "{*.google.*,*.yandex.*}", "google.com", ".", 0 },
	{ "{*.google.*,yandex.*}", "yandex.com", ".", 1 },
	{ "{*.google.*,yandex.*}", "www.yandex.com", ".", 0 },
	{ "*//{,*.}example.com", "https://www.example.com", NULL, 1 },
	{ "*//{,*.}example.com", "http://example.com", NULL, 1 },
	{ "*//{,*.}example.com", "http://example.com.net", NULL, 0 },
	{ "{a*,b}c", "abc", ".", 1 },
	{ "https://*.google.*", "https://account.google.com", NULL, 1 },
	{ "https://*.google.*", "https://google.com", NULL, 0 },
	{ "{https://*.google.*,*yandex.*,*yahoo.*,*mail.ru}", "http://yahoo.com", NULL, 1 },
	{ "{https://*.google.*,*yandex.*,*yahoo.*,*mail.ru}", "http://google.com", NULL, 0 },
	{ "{https://*gobwas.com,http://exclude.gobwas.com}", "https://safe.gobwas.com", NULL, 1 },
	{ "{https://*gobwas.com,http://exclude.gobwas.com}", "http://safe.gobwas.com", NULL, 0 },
	{ "{https://*gobwas.com,http://exclude.gobwas.com}", "http://exclude.gobwas.com", NULL, 1 },
	{ "{abc*[a-c]def,abc?[d-g]def,abc[zte]?def}", "abczqdef", NULL, 1 },
	{ "{abc*def,abc?def,abc[zte]def}", "abczdef", NULL, 1 },
	{ "{a,ab,abc}", "ab", NULL, 1 },
	{ "{a,ab,abc}", "", NULL, 0 },
	{ "{a,ab,abc,abcd}{b,bc,bcd,bcde}{c,cd,cde,cdef}", "abcdbcdecdef", NULL, 1 },
	{ "{{a,b},c}", "a", NULL, 1 },
	{ "{{a,b},c}", "c", NULL, 1 },
	{ "{{a,b},c}", "d", NULL, 0 },
	{ "*{*0,}", "1", NULL, 1 },
	{ "{ab*}x", "abzx", NULL, 1 },
	{ "{ab*}x", "zzx", NULL, 0 },
	/* `,` and `}` are literal outside braces, `]` outside a class */
	{ "a,b", "a,b", NULL, 1 },
	{ "a}b", "a}b", NULL, 1 },
	{ "a]b", "a]b", NULL, 1 },
	{ "{a,b}}", "a}", NULL, 1 },
	/* v0.2.3 closes an unclosed `{` at the end of the pattern */
	{ "{a,b", "b", NULL, 1 },
	{ "x{a,{b", "xb", NULL, 1 },
	/* escapes */
	{ "\\*", "*", NULL, 1 },
	{ "\\*", "a", NULL, 0 },
	{ "a\\?c", "a?c", NULL, 1 },
	{ "a\\?c", "abc", NULL, 0 },
	{ "\\{a,b\\}", "{a,b}", NULL, 1 },
	{ "{a\\,b,c}", "a,b", NULL, 1 },
	{ "{a\\,b,c}", "b", NULL, 0 },
	{ "\\[a]", "[a]", NULL, 1 },
	/* v0.2.3 drops a trailing lone backslash */
	{ "a\\", "a", NULL, 1 },
};

static const struct {
	const char *pattern;
	int valid;
} validity[] = {
	{ "", 1 },
	{ "*", 1 },
	{ "a{b,c}", 1 },
	{ "{a,b", 1 },
	{ "a\\", 1 },
	{ "[a-c]", 1 },
	{ "[abc", 0 },
	{ "[a-cx]", 0 },
	{ "[c-a]", 0 },
	{ "[]", 0 },
	{ "[!]", 0 },
	{ "[a-", 0 },
	{ "[a-]", 0 },
	{ "[", 0 },
	{ "a[\\]", 0 },
	{ "a\xff"
	  "b",
	  0 }, /* invalid UTF-8 */
	{ "a\xef\xbf\xbd"
	  "b",
	  0 }, /* v0.2.3 refuses U+FFFD too */
	{ "\xed\xa0\x80", 0 }, /* a UTF-16 surrogate */
	{ "\xc0\xaf", 0 }, /* an overlong '/' */
};

/* Argo's globMatch: `!` negation and the "*" shortcut. */
static const struct {
	const char *pattern;
	const char *value;
	int negation;
	const char *seps;
	int want;
} argo_cases[] = {
	{ "*", "anything/at all", 0, "/", 1 }, /* "*" short-cuts the separators */
	{ "*", "", 1, NULL, 1 },
	{ "!*", "x", 1, NULL, 0 },
	{ "!*", "", 1, NULL, 0 },
	{ "!kube-system", "kube-system", 1, NULL, 0 },
	{ "!kube-system", "default", 1, NULL, 1 },
	{ "!kube-*", "kube-public", 1, NULL, 0 },
	{ "!kube-*", "apps", 1, NULL, 1 },
	{ "!kube-system", "!kube-system", 0, NULL, 1 }, /* literal without negation */
	{ "!kube-system", "kube-system", 0, NULL, 0 },
	{ "!a[", "a", 1, NULL, 1 }, /* a bad pattern never matches, so "!bad" always does */
	{ "a[", "a[", 0, NULL, 0 },
	{ "!https://github.com/*", "https://github.com/a/b", 1, "/", 1 },
	{ "!https://github.com/**", "https://github.com/a/b", 1, "/", 0 },
	{ "dev-*", "dev-team", 1, NULL, 1 },
	{ "", "", 1, NULL, 1 },
	{ "", "x", 1, NULL, 0 },
};

/* Go's path/filepath match_test.go (Unix), -1 for ErrBadPattern. */
static const struct {
	const char *pattern;
	const char *name;
	int want;
} fp_cases[] = {
	{ "abc", "abc", 1 },
	{ "*", "abc", 1 },
	{ "*c", "abc", 1 },
	{ "a*", "a", 1 },
	{ "a*", "abc", 1 },
	{ "a*", "ab/c", 0 },
	{ "a*/b", "abc/b", 1 },
	{ "a*/b", "a/c/b", 0 },
	{ "a*b*c*d*e*/f", "axbxcxdxe/f", 1 },
	{ "a*b*c*d*e*/f", "axbxcxdxexxx/f", 1 },
	{ "a*b*c*d*e*/f", "axbxcxdxe/xxx/f", 0 },
	{ "a*b*c*d*e*/f", "axbxcxdxexxx/fff", 0 },
	{ "a*b?c*x", "abxbbxdbxebxczzx", 1 },
	{ "a*b?c*x", "abxbbxdbxebxczzy", 0 },
	{ "ab[c]", "abc", 1 },
	{ "ab[b-d]", "abc", 1 },
	{ "ab[e-g]", "abc", 0 },
	{ "ab[^c]", "abc", 0 },
	{ "ab[^b-d]", "abc", 0 },
	{ "ab[^e-g]", "abc", 1 },
	{ "a\\*b", "a*b", 1 },
	{ "a\\*b", "ab", 0 },
	{ "a?b",
	  "a\xe2\x98\xba"
	  "b",
	  1 },
	{ "a[^a]b",
	  "a\xe2\x98\xba"
	  "b",
	  1 },
	{ "a???b",
	  "a\xe2\x98\xba"
	  "b",
	  0 },
	{ "a[^a][^a][^a]b",
	  "a\xe2\x98\xba"
	  "b",
	  0 },
	{ "[a-\xce\xb6]*", "\xce\xb1", 1 },
	{ "*[a-\xce\xb6]", "A", 0 },
	{ "a?b", "a/b", 0 },
	{ "a*b", "a/b", 0 },
	{ "[\\]a]", "]", 1 },
	{ "[\\-]", "-", 1 },
	{ "[x\\-]", "x", 1 },
	{ "[x\\-]", "-", 1 },
	{ "[x\\-]", "z", 0 },
	{ "[\\-x]", "x", 1 },
	{ "[\\-x]", "-", 1 },
	{ "[\\-x]", "a", 0 },
	{ "[]a]", "]", -1 },
	{ "[-]", "-", -1 },
	{ "[x-]", "x", -1 },
	{ "[x-]", "-", -1 },
	{ "[x-]", "z", -1 },
	{ "[-x]", "x", -1 },
	{ "[-x]", "-", -1 },
	{ "[-x]", "a", -1 },
	{ "\\", "a", -1 },
	{ "[a-b-c]", "a", -1 },
	{ "[", "a", -1 },
	{ "[^", "a", -1 },
	{ "[^bc", "a", -1 },
	{ "a[", "a", -1 },
	{ "a[", "ab", -1 },
	{ "a[", "x", -1 },
	{ "a/b[", "x", -1 },
	{ "*x", "xxx", 1 },
	/* as Argo uses it on groups and kinds */
	{ "", "", 1 },
	{ "", "apps", 0 },
	{ "*", "", 1 },
	{ "*.k8s.io", "rbac.authorization.k8s.io", 1 },
	{ "Cluster*", "ClusterRole", 1 },
	{ "Cluster*", "Role", 0 },
	{ "[CR]ole", "Role", 1 },
	{ "{a,b}", "a", 0 }, /* no alternatives in filepath.Match */
	{ "{a,b}", "{a,b}", 1 },
};

static void test_gobwas(void)
{
	size_t i;
	const struct gcase *c;

	for (i = 0; i < sizeof(gobwas_cases) / sizeof(gobwas_cases[0]); i++) {
		c = &gobwas_cases[i];
		is_int(glob_match(c->pattern, c->value, c->seps), c->want,
		       "glob_match(\"%s\", \"%s\", sep \"%s\")", c->pattern, c->value,
		       c->seps ? c->seps : "");
	}
	is_int(glob_match(NULL, "a", NULL), 0, "a NULL pattern matches nothing");
	is_int(glob_match("*", NULL, NULL), 0, "a NULL value matches nothing");
	is_int(glob_match("*", "a.b", ""), 1, "an empty separator string means none");
	is_int(glob_match("a?b",
	                  "a\xe2\x98\xba"
	                  "b",
	                  "\xe2\x98\xba"),
	       0, "a multi-byte separator stops `?`");
	is_int(glob_match("*b", "a;b", "0123456789ABCDEFGHIJKLMNOPQ;"), 0,
	       "the 28th of 28 separators still stops `*`");
	is_int(glob_match("*;b", "a;b", "0123456789ABCDEFGHIJKLMNOPQ;"), 1,
	       "and can still be matched literally");
	is_int(glob_match("*b", "a-b", "0123456789ABCDEFGHIJKLMNOPQ;"), 1,
	       "a long separator list does not stop other runes");
}

static void test_validity(void)
{
	size_t i;

	for (i = 0; i < sizeof(validity) / sizeof(validity[0]); i++)
		is_int(glob_valid(validity[i].pattern), validity[i].valid, "glob_valid(\"%s\")",
		       validity[i].pattern);
	is_int(glob_valid(NULL), 0, "glob_valid(NULL)");
	ok(!glob_match("[abc", "[abc", NULL), "a pattern that does not compile matches nothing");
	ok(!glob_match("[abc", "a", NULL), "not even what it looks like");
}

static void test_argo(void)
{
	size_t i;

	for (i = 0; i < sizeof(argo_cases) / sizeof(argo_cases[0]); i++)
		is_int(glob_argo_match(argo_cases[i].pattern, argo_cases[i].value,
		                       argo_cases[i].negation, argo_cases[i].seps),
		       argo_cases[i].want, "glob_argo_match(\"%s\", \"%s\", negation %d)",
		       argo_cases[i].pattern, argo_cases[i].value, argo_cases[i].negation);
}

static void test_filepath(void)
{
	size_t i;

	for (i = 0; i < sizeof(fp_cases) / sizeof(fp_cases[0]); i++)
		is_int(glob_filepath_match(fp_cases[i].pattern, fp_cases[i].name), fp_cases[i].want,
		       "filepath.Match(\"%s\", \"%s\")", fp_cases[i].pattern, fp_cases[i].name);
	is_int(glob_filepath_match(NULL, "a"), -1, "filepath.Match with a NULL pattern");
}

static char *repeat(const char *unit, size_t n, const char *tail)
{
	size_t ul = strlen(unit), tl = strlen(tail), i;
	char *s = malloc(ul * n + tl + 1);

	if (!s)
		abort();
	for (i = 0; i < n; i++)
		memcpy(s + i * ul, unit, ul);
	memcpy(s + ul * n, tail, tl + 1);
	return s;
}

/*
 * A backtracking matcher needs about C(n, k) steps on these; the NFA needs
 * len(value) * len(pattern).  Counting outcomes, not time: if the matcher
 * were exponential the test would simply never finish.
 */
static void test_pathological(void)
{
	char *pat = repeat("*a", 40, "*b");
	char *val = repeat("a", 4000, "");
	char *valb = repeat("a", 4000, "b");
	char *alts = repeat("{a,a*}", 40, "b");
	char *fpat = repeat("a*", 40, "b");

	ok(!glob_match(pat, val, NULL), "*a*a*…*b against a…a (no b) is a quick mismatch");
	ok(glob_match(pat, valb, NULL), "*a*a*…*b against a…ab matches");
	ok(!glob_match(pat, val, "/"), "the same with separators");
	ok(!glob_match(alts, val, NULL), "nested alternatives do not blow up");
	ok(!glob_filepath_match(fpat, val), "filepath.Match a*a*…b does not backtrack");
	free(pat);
	free(val);
	free(valb);
	free(alts);
	free(fpat);

	pat = repeat("{", 20000, "a");
	ok(glob_match(pat, "a", NULL), "20000 unclosed braces neither recurse nor crash");
	free(pat);
	pat = repeat("{a,", 5000, "b");
	ok(glob_match(pat, "b", NULL), "5000 nested alternatives reach the innermost one");
	ok(!glob_match(pat, "ab", NULL), "and accept nothing else");
	free(pat);
}

int main(void)
{
	test_gobwas();
	test_validity();
	test_argo();
	test_filepath();
	test_pathological();
	return tap_done();
}
