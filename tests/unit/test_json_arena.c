#include "tap.h"

#include <stdlib.h>

#include "arena.h"
#include "errbuf.h"
#include "json_arena.h"

/* Valid documents: the arena tree must print as cJSON's own tree does. */
static const char *const valid[] = {
	"{}",
	"[]",
	"0",
	"-0",
	"12",
	"-7",
	"3.25",
	"1e3",
	"-2.5E-2",
	"1234567890123456",
	"123456789012345678901234567890",
	"true",
	"false",
	"null",
	"\"\"",
	"  {\"a\" : [1, 2 ,{\"b\":null}] , \"c\":\"d\"}\n",
	"{\"esc\":\"q\\\"b\\\\s\\/n\\nt\\tr\\rb\\bf\\f\"}",
	"\"\\u00e9\\u20ac\\ud83d\\ude00\"",
	"{\"dup\":1,\"dup\":2}",
	"[[[[[[[[[[1]]]]]]]]]]",
	"{\"k\":\"caf\xc3\xa9\"}",
	"2147483648",
	"-2147483649",
	"1.5e300",
	"[\"a string longer than eight bytes\",\"0123456789abcdef\\\"quoted\\\"0123456789\"]",
};

static const struct {
	const char *text, *error;
} invalid[] = {
	{ "", "unexpected end at byte 0" },
	{ "   ", "unexpected end at byte 3" },
	{ "{", "expected a key at byte 1" },
	{ "{\"a\"}", "expected ':' at byte 4" },
	{ "{\"a\":1,}", "expected a key at byte 7" },
	{ "[1,]", "unexpected character at byte 3" },
	{ "[1 2]", "expected ',' or ']' at byte 3" },
	{ "{\"a\":1} x", "data after the JSON value at byte 8" },
	{ "01", "data after the JSON value at byte 1" },
	{ "-", "bad number at byte 1" },
	{ "1.", "bad number at byte 2" },
	{ "1e+", "bad number at byte 3" },
	{ "tru", "unexpected character at byte 0" },
	{ "nul", "unexpected character at byte 0" },
	{ "\"abc", "unterminated string at byte 4" },
	{ "\"a\tb\"", "control character in string at byte 2" },
	{ "\"\\x\"", "bad escape at byte 2" },
	{ "\"\\u12\"", "bad \\u escape" },
	{ "\"\\ud800\"", "unpaired high surrogate" },
	{ "\"\\udc00\"", "lone low surrogate" },
	{ "'a'", "unexpected character at byte 0" },
	{ "\"0123456789abcdefg\x01\"", "control character in string at byte 18" },
	{ "\"0123456789abcdefghijklmnop", "unterminated string at byte 27" },
};

static void test_valid(void)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(*valid); i++) {
		struct arena a = ARENA_INIT(128);
		struct errbuf err;
		char *buf = strdup(valid[i]);
		cJSON *mine = json_arena_parse(&a, buf, strlen(buf), &err);
		cJSON *ref = cJSON_Parse(valid[i]);
		char *m = mine ? cJSON_PrintUnformatted(mine) : NULL;
		char *r = ref ? cJSON_PrintUnformatted(ref) : NULL;

		if (!mine)
			printf("# %s\n", err.msg);
		is_str(m, r, "parses like cJSON: %s", valid[i]);
		/* cJSON_Compare finds the first of duplicate keys on both sides. */
		if (!strstr(valid[i], "dup"))
			ok(mine && ref && cJSON_Compare(mine, ref, 1),
			   "compares equal to cJSON's tree");
		if (mine && ref && cJSON_IsNumber(ref))
			is_int(mine->valueint, ref->valueint, "valueint like cJSON");
		free(m);
		free(r);
		cJSON_Delete(ref);
		arena_release(&a);
		free(buf);
	}
}

static void test_invalid(void)
{
	for (size_t i = 0; i < sizeof(invalid) / sizeof(*invalid); i++) {
		struct arena a = ARENA_INIT(0);
		struct errbuf err;
		char *buf = strdup(invalid[i].text);

		errbuf_clear(&err);
		ok(!json_arena_parse(&a, buf, strlen(buf), &err) && strstr(err.msg, invalid[i].error),
		   "rejects %s (%s)", invalid[i].text, err.msg);
		arena_release(&a);
		free(buf);
	}
}

static void test_nesting(void)
{
	struct arena a = ARENA_INIT(0);
	struct errbuf err;
	size_t n = CJSON_NESTING_LIMIT + 1;
	char *deep = malloc(2 * n + 1);

	for (size_t i = 0; i < n; i++) {
		deep[i] = '[';
		deep[2 * n - 1 - i] = ']';
	}
	deep[2 * n] = '\0';
	ok(!json_arena_parse(&a, deep, 2 * n, &err) && strstr(err.msg, "nested too deeply"),
	   "nesting beyond cJSON's limit is refused");
	arena_release(&a);
	free(deep);
}

static void test_length_and_copy(void)
{
	struct arena a = ARENA_INIT(0), b;
	struct errbuf err;
	char buf[] = "{\"a\":[1,\"x\"]}trailing bytes not parsed";
	cJSON *t = json_arena_parse(&a, buf, 13, &err), *c;
	char *s;

	ok(t && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(t, "a")), "only len bytes are read");
	arena_init(&b, json_arena_copy_size(t));
	c = json_arena_copy(&b, t);
	arena_release(&a);
	s = cJSON_PrintUnformatted(c);
	is_str(s, "{\"a\":[1,\"x\"]}", "a copy outlives the original's arena");
	ok(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, "a")) == 2,
	   "the copy's arrays are intact");
	ok(json_arena_copy(&b, NULL) == NULL && json_arena_copy_size(NULL) == 0,
	   "NULL copies to NULL");
	free(s);
	arena_release(&b);
}

static void test_prefix(void)
{
	struct arena a = ARENA_INIT(0);
	struct errbuf err;
	char buf[] = "  {\"k\":[1]} , \"next\"";
	size_t used = 0;
	cJSON *v = json_arena_parse_prefix(&a, buf, strlen(buf), &used, &err);

	ok(v && cJSON_IsObject(v) && used == 11, "a prefix parses up to the end of its value");
	v = json_arena_parse_prefix(&a, buf + used + 2, strlen(buf + used + 2), &used, &err);
	ok(v && cJSON_IsString(v) && !strcmp(v->valuestring, "next"), "and the next one after it");
	ok(!json_arena_parse_prefix(&a, buf, 4, &used, &err) && strstr(err.msg, "at byte 4"),
	   "a value cut short is an error");
	arena_release(&a);
}

static void test_except(void)
{
	static const char *const p1[] = { "r", "o", "status", NULL };
	static const char *const p2[] = { "r", "o", "metadata", "managed", NULL };
	static const char *const p3[] = { "top", NULL };
	static const char *const *const skip[] = { p1, p2, p3, NULL };
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "{\"r\":{\"o\":{\"a\":1,\"status\":{\"x\":[1,{\"y\":\"\\u00e9\"}]},\"metadata\":"
		  "{\"name\":\"n\",\"managed\":[{}],\"uid\":\"u\"}},\"status\":2},\"top\":[],\"z\":"
		  "null}",
		  "{\"r\":{\"o\":{\"a\":1,\"metadata\":{\"name\":\"n\",\"uid\":\"u\"}},\"status\":"
		  "2}"
		  ",\"z\":null}" },
		{ "{\"r\":[{\"o\":{\"status\":1}}]}", "{\"r\":[{\"o\":{\"status\":1}}]}" },
		{ "{\"top\":1}", "{}" },
		{ "{\"r\":{\"o\":{\"status\":{\"a\":1,}}}}", NULL },
		{ "{\"r\":{\"o\":{\"status\":[1 2]}}}", NULL },
		{ "{\"r\":{\"o\":{\"status\":\"\\x\"}}}", NULL },
		{ "{\"top\":{\"k\" 1}}", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct arena a = ARENA_INIT(0);
		struct errbuf err;
		char *buf = strdup(cases[i].in), *text;
		cJSON *t = json_arena_parse_except(&a, buf, strlen(buf), skip, &err);

		text = t ? cJSON_PrintUnformatted(t) : NULL;
		is_str(text, cases[i].out, "skip paths, case %zu", i);
		free(text);
		arena_release(&a);
		free(buf);
	}
}

static void test_build(void)
{
	struct arena a = ARENA_INIT(0);
	cJSON *o = json_arena_new(&a, cJSON_Object), *arr = json_arena_new(&a, cJSON_Array);
	cJSON *s1 = json_arena_new(&a, cJSON_String), *s2 = json_arena_new(&a, cJSON_String);
	char *text;

	s1->valuestring = arena_strdup(&a, "x");
	s2->valuestring = arena_strdup(&a, "y");
	json_arena_append(&a, arr, NULL, s1);
	json_arena_append(&a, arr, NULL, s2);
	json_arena_append(&a, o, "list", arr);
	json_arena_append(&a, o, "empty", json_arena_new(&a, cJSON_NULL));
	text = cJSON_PrintUnformatted(o);
	is_str(text, "{\"list\":[\"x\",\"y\"],\"empty\":null}", "a tree built in the arena");
	ok(cJSON_GetArrayItem(arr, 1) == s2 && arr->child->prev == s2,
	   "appends keep cJSON's links");
	free(text);
	arena_release(&a);
}

int main(void)
{
	test_valid();
	test_invalid();
	test_nesting();
	test_length_and_copy();
	test_build();
	test_prefix();
	test_except();
	return tap_done();
}
