#include "tap.h"

#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "strbuf.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const app_json =
	"{\"metadata\":{\"name\":\"guestbook\",\"annotations\":{"
	"\"argocd.argoproj.io/refresh\":\"hard\",\"back\\\\slash\":\"bs\"}},"
	"\"spec\":{\"steps\":[{\"setWeight\":20},{\"pause\":{}}]},"
	"\"status\":{\"operationState\":{\"phase\":\"Running\"},\"replicas\":3,"
	"\"ratio\":1.5,\"paused\":true,\"off\":false,\"msg\":\"x\",\"none\":null,"
	"\"huge\":1e300,\"neg\":-7}}";

static void test_get(const cJSON *app)
{
	const cJSON *ann = json_get(app, "metadata.annotations");

	is_str(json_str(app, "status.operationState.phase", NULL), "Running", "a dotted path");
	is_str(json_str(app, "metadata.annotations.argocd\\.argoproj\\.io/refresh", NULL), "hard",
	       "a backslash escapes a dot in a key");
	is_str(json_str(app, "metadata.annotations.back\\\\slash", NULL), "bs",
	       "a backslash escapes a backslash");
	is_str(json_str(json_get_key(ann, "argocd.argoproj.io/refresh"), NULL, NULL), "hard",
	       "json_get_key takes a key verbatim");
	ok(json_get_key(app, "metadata.name") == NULL, "json_get_key does not split on dots");
	ok(json_get_key(json_get(app, "spec.steps"), "0") == NULL, "json_get_key needs an object");
	is_int(json_int(app, "spec.steps.0.setWeight", -1), 20, "a numeric segment indexes an array");
	ok(cJSON_IsObject(json_get(app, "spec.steps.1.pause")), "an object inside an array");
	ok(json_get(app, "spec.steps.2") == NULL, "an index past the end is missing");
	ok(json_get(app, "spec.steps.x") == NULL, "a name on an array is missing");
	ok(json_get(app, "spec.steps.-1") == NULL, "a negative index is missing");
	ok(json_get(app, "metadata.name.x") == NULL, "a path through a string is missing");
	ok(json_get(app, "metadata..name") == NULL, "an empty segment is a missing key");
	ok(json_get(app, "") == app && json_get(app, NULL) == app,
	   "an empty path is the value itself");
	ok(json_get(NULL, "a.b") == NULL, "a NULL tree has nothing");
	ok(json_get(app, "status.none") && cJSON_IsNull(json_get(app, "status.none")),
	   "a null member is found as null");
}

static void test_typed(const cJSON *app)
{
	cJSON *raw = cJSON_Parse("{}");

	cJSON_AddItemToObject(raw, "big", cJSON_CreateRaw("9223372036854775807"));
	cJSON_AddItemToObject(raw, "over", cJSON_CreateRaw("9223372036854775808"));
	cJSON_AddItemToObject(raw, "text", cJSON_CreateRaw("{\"a\":1}"));
	is_str(json_str(app, "metadata.name", "-"), "guestbook", "json_str finds a string");
	is_str(json_str(app, "status.replicas", "-"), "-", "json_str falls back on a number");
	is_str(json_str(app, "status.nope", "-"), "-", "json_str falls back when missing");
	ok(json_str(app, "status.none", NULL) == NULL, "json_str falls back on null");
	is_int(json_int(app, "status.replicas", -1), 3, "json_int reads an integer");
	is_int(json_int(app, "status.neg", 0), -7, "json_int reads a negative integer");
	is_int(json_int(app, "status.ratio", -1), -1, "json_int falls back on a fraction");
	is_int(json_int(app, "status.huge", -1), -1, "json_int falls back out of range");
	is_int(json_int(app, "status.msg", -1), -1, "json_int falls back on a string");
	is_int(json_int(app, "status.paused", -1), -1, "json_int falls back on a boolean");
	ok(json_int(raw, "big", 0) == 9223372036854775807LL, "json_int reads a raw integer");
	is_int(json_int(raw, "over", -1), -1, "json_int falls back on a raw integer out of range");
	is_int(json_int(raw, "text", -1), -1, "json_int ignores raw text that is no number");
	is_int(json_bool(app, "status.paused", -1), 1, "json_bool reads true");
	is_int(json_bool(app, "status.off", -1), 0, "json_bool reads false");
	is_int(json_bool(app, "status.msg", -1), -1, "json_bool falls back on a string");
	is_int(json_bool(app, "status.nope", 7), 7, "json_bool falls back when missing");
	ok(json_is_number(json_get(raw, "big")) && !json_is_number(json_get(raw, "text")) &&
	           json_is_number(json_get(app, "status.ratio")),
	   "json_is_number knows raw numbers");
	cJSON_Delete(raw);
}

static void test_equal(void)
{
	static const struct {
		const char *a, *b;
		int equal;
	} cases[] = {
		{ "{\"a\":1,\"b\":[1,2]}", "{\"b\":[1,2],\"a\":1}", 1 },
		{ "{\"a\":1}", "{\"a\":1,\"b\":null}", 0 },
		{ "{\"a\":1,\"b\":null}", "{\"a\":1}", 0 },
		{ "[1,2]", "[2,1]", 0 },
		{ "[1,2]", "[1,2,3]", 0 },
		{ "[]", "{}", 0 },
		{ "1", "1.0", 1 },
		{ "1", "\"1\"", 0 },
		{ "true", "1", 0 },
		{ "true", "true", 1 },
		{ "true", "false", 0 },
		{ "null", "null", 1 },
		{ "null", "false", 0 },
		{ "\"\"", "\"\"", 1 },
		{ "\"a\"", "\"b\"", 0 },
		{ "{\"a\":{\"b\":{\"c\":[{}]}}}", "{\"a\":{\"b\":{\"c\":[{}]}}}", 1 },
		{ "{\"a\":{\"b\":{\"c\":[{}]}}}", "{\"a\":{\"b\":{\"c\":[[]]}}}", 0 },
	};
	cJSON *raw, *num;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		cJSON *a = cJSON_Parse(cases[i].a), *b = cJSON_Parse(cases[i].b);

		is_int(json_equal(a, b), cases[i].equal, "%s %s %s", cases[i].a,
		       cases[i].equal ? "==" : "!=", cases[i].b);
		cJSON_Delete(a);
		cJSON_Delete(b);
	}
	raw = cJSON_CreateRaw("4503599627370496");
	num = cJSON_CreateNumber(4503599627370496.0);
	ok(json_equal(raw, num) && json_equal(num, raw), "a raw integer equals the same double");
	cJSON_Delete(num);
	num = cJSON_CreateNumber(4503599627370497.0);
	ok(!json_equal(raw, num), "and differs from its neighbour");
	cJSON_Delete(num);
	cJSON_Delete(raw);
	num = cJSON_CreateNull();
	ok(json_equal(NULL, NULL) && !json_equal(NULL, num) && !json_equal(num, NULL),
	   "two NULL pointers are equal, and differ from JSON null");
	cJSON_Delete(num);
}

/* RFC 7386, appendix A, plus a few of our own. */
static const struct {
	const char *target, *patch, *result;
} patch_cases[] = {
	{ "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
	{ "{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}" },
	{ "{\"a\":\"b\"}", "{\"a\":null}", "{}" },
	{ "{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}" },
	{ "{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
	{ "{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}" },
	{ "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}" },
	{ "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}" },
	{ "[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]" },
	{ "{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]" },
	{ "{\"a\":\"foo\"}", "null", "null" },
	{ "{\"a\":\"foo\"}", "\"bar\"", "\"bar\"" },
	{ "{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}" },
	{ "[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}" },
	{ "{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}" },
	{ "{\"spec\":{\"paused\":false,\"replicas\":2}}", "{\"spec\":{\"paused\":true}}",
	  "{\"spec\":{\"paused\":true,\"replicas\":2}}" },
	{ "{\"metadata\":{\"annotations\":{\"x\":\"1\"}}}",
	  "{\"metadata\":{\"annotations\":{\"argocd.argoproj.io/refresh\":\"normal\"}}}",
	  "{\"metadata\":{\"annotations\":{\"x\":\"1\",\"argocd.argoproj.io/"
	  "refresh\":\"normal\"}}}" },
	{ "{\"status\":{\"abort\":true}}", "{\"status\":null}", "{}" },
	{ "5", "{\"a\":null}", "{}" },
};

static void test_merge_patch(void)
{
	size_t i;
	cJSON *t, *r;

	for (i = 0; i < ARRAY_SIZE(patch_cases); i++) {
		cJSON *target = cJSON_Parse(patch_cases[i].target);
		cJSON *patch = cJSON_Parse(patch_cases[i].patch);
		cJSON *want = cJSON_Parse(patch_cases[i].result);
		char *before = cJSON_PrintUnformatted(target);
		cJSON *got = json_merge_patch(target, patch);
		char *after = cJSON_PrintUnformatted(target), *s = cJSON_PrintUnformatted(got);

		if (!ok(json_equal(got, want), "merge %s into %s", patch_cases[i].patch,
		        patch_cases[i].target))
			printf("#   got: %s\n", s);
		ok(!strcmp(before, after), "the target is left alone");
		free(before);
		free(after);
		free(s);
		cJSON_Delete(target);
		cJSON_Delete(patch);
		cJSON_Delete(want);
		cJSON_Delete(got);
	}
	t = cJSON_Parse("{\"a\":1}");
	r = json_merge_patch(NULL, t);
	ok(json_equal(r, t), "a NULL target is absent");
	cJSON_Delete(r);
	cJSON_Delete(t);
}

static void test_merge_diff(void)
{
	static const struct {
		const char *old, *new, *patch;
	} cases[] = {
		{ "{\"a\":1,\"b\":{\"c\":1,\"d\":2}}",
		  "{\"a\":1,\"b\":{\"c\":1,\"d\":3},\"e\":[1]}", "{\"b\":{\"d\":3},\"e\":[1]}" },
		{ "{\"a\":1,\"b\":2}", "{\"b\":2}", "{\"a\":null}" },
		{ "{\"a\":{\"x\":1}}", "{\"a\":{\"x\":1}}", "{}" },
		{ "{\"a\":[1,2]}", "{\"a\":[1]}", "{\"a\":[1]}" },
		{ "{\"a\":{\"x\":1}}", "{\"a\":5}", "{\"a\":5}" },
		{ "{\"a\":5}", "{\"a\":{\"x\":1}}", "{\"a\":{\"x\":1}}" },
		{ "[1]", "{\"a\":1}", "{\"a\":1}" },
		{ "{\"a\":1}", "[1]", "[1]" },
		{ "7", "7", "7" },
		{ "{\"spec\":{\"paused\":true}}", "{\"spec\":{}}", "{\"spec\":{\"paused\":null}}" },
	};
	size_t i;
	int bad = 0;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		cJSON *old = cJSON_Parse(cases[i].old), *new = cJSON_Parse(cases[i].new);
		cJSON *want = cJSON_Parse(cases[i].patch), *got = json_merge_diff(old, new);
		cJSON *applied = json_merge_patch(old, got);
		char *s = cJSON_PrintUnformatted(got);

		if (!ok(json_equal(got, want), "diff %s -> %s", cases[i].old, cases[i].new))
			printf("#   got: %s\n", s);
		ok(json_equal(applied, new), "and the diff applied gives the new value");
		free(s);
		cJSON_Delete(old);
		cJSON_Delete(new);
		cJSON_Delete(want);
		cJSON_Delete(got);
		cJSON_Delete(applied);
	}
	/* Property: every RFC example's result is reached from its target. */
	for (i = 0; i < ARRAY_SIZE(patch_cases); i++) {
		cJSON *old = cJSON_Parse(patch_cases[i].target),
		      *new = cJSON_Parse(patch_cases[i].result);
		cJSON *d = json_merge_diff(old, new), *applied = json_merge_patch(old, d);

		if (!json_equal(applied, new)) {
			bad++;
			printf("# diff of %s -> %s does not apply\n", patch_cases[i].target,
			       patch_cases[i].result);
		}
		cJSON_Delete(old);
		cJSON_Delete(new);
		cJSON_Delete(d);
		cJSON_Delete(applied);
	}
	is_int(bad, 0, "merge_patch(a, merge_diff(a, b)) == b for the RFC examples");
}

static void test_term_escape(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain text", "plain text" },
		{ "", "" },
		{ "red \x1b[31mALERT\x1b[0m", "red ^[[31mALERT^[[0m" },
		{ "over\rwrite", "over\\rwrite" },
		{ "tab\tand\nnewline", "tab\tand\nnewline" },
		{ "\x01\x07\x08\x7f", "^A^G^H^?" },
		{ "\x1b]0;title\x07", "^[]0;title^G" },
		{ "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
		  "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80" },
		{ "c1 \xc2\x9b"
		  "31m",
		  "c1 \\u009b31m" },
		{ "nel\xc2\x85", "nel\\u0085" },
		{ "bidi \xe2\x80\xae"
		  "txt.exe",
		  "bidi \\u202etxt.exe" },
		{ "isolate \xe2\x81\xa6x", "isolate \\u2066x" },
		{ "bad \xff byte", "bad \\xff byte" },
		{ "cut \xe6\x97", "cut \\xe6\\x97" },
		{ "overlong \xc0\xaf", "overlong \\xc0\\xaf" },
		{ "surrogate \xed\xa0\x80", "surrogate \\xed\\xa0\\x80" },
		{ "nbsp\xc2\xa0ok", "nbsp\xc2\xa0ok" },
	};
	size_t i;
	char *s;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addstr(&sb, "> ");
		term_escape(&sb, cases[i].in);
		is_str(sb.buf + 2, cases[i].out, "term_escape case %zu", i);
		ok(!strncmp(sb.buf, "> ", 2), "appends to what is there");
		strbuf_release(&sb);
	}
	s = term_escaped(NULL);
	is_str(s, "", "term_escaped(NULL) is empty");
	free(s);
	s = term_escaped("a\x1b"
	                 "b");
	is_str(s, "a^[b", "term_escaped returns a new string");
	free(s);
}

int main(void)
{
	cJSON *app = cJSON_Parse(app_json);

	ok(app != NULL, "the fixture parses");
	test_get(app);
	test_typed(app);
	test_equal();
	test_merge_patch();
	test_merge_diff();
	test_term_escape();
	cJSON_Delete(app);
	return tap_done();
}
