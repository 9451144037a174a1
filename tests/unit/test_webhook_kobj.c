/*
 * kobj_equal() must agree with cJSON_Compare(a, b, 1) on everything that
 * has no duplicate keys, whatever the key order.
 */
#include <stdlib.h>
#include <string.h>

#include "kobj.h"
#include "tap.h"

static const struct {
	const char *a, *b;
} pairs[] = {
	{ "{}", "{}" },
	{ "{\"a\":1,\"b\":[1,2]}", "{\"b\":[1,2],\"a\":1}" },
	{ "{\"a\":1,\"b\":[1,2]}", "{\"b\":[2,1],\"a\":1}" },
	{ "{\"a\":1}", "{\"a\":1,\"b\":2}" },
	{ "{\"a\":1,\"b\":2}", "{\"a\":1}" },
	{ "{\"a\":1,\"b\":2}", "{\"a\":1,\"c\":2}" },
	{ "{\"a\":{\"x\":\"y\",\"z\":null}}", "{\"a\":{\"z\":null,\"x\":\"y\"}}" },
	{ "{\"a\":{\"x\":\"y\"}}", "{\"a\":{\"x\":\"Y\"}}" },
	{ "[1,2,3]", "[1,2]" },
	{ "[]", "{}" },
	{ "3", "3.0" },
	{ "0.1", "0.10000000000000001" },
	{ "1", "2" },
	{ "true", "true" },
	{ "true", "false" },
	{ "null", "null" },
	{ "\"s\"", "\"s\"" },
	{ "{\"A\":1}", "{\"a\":1}" },
	{ "{\"a\":[{\"k\":1,\"v\":2}]}", "{\"a\":[{\"v\":2,\"k\":1}]}" },
	/* Same order at first, then not: the pairwise walk hands over. */
	{ "{\"a\":1,\"b\":2,\"c\":3}", "{\"a\":1,\"c\":3,\"b\":2}" },
	{ "{\"a\":1,\"b\":2,\"c\":3}", "{\"a\":1,\"c\":3,\"b\":5}" },
	{ "{\"a\":1,\"b\":2}", "{\"a\":1,\"bb\":2}" },
	{ "{\"ab\":{\"x\":[1,{\"y\":\"z\"}]}}", "{\"ab\":{\"x\":[1,{\"y\":\"z\"}]}}" },
	{ "{\"ab\":{\"x\":[1,{\"y\":\"z\"}]}}", "{\"ab\":{\"x\":[1,{\"y\":\"q\"}]}}" },
};

/* kobj_get() finds what cJSON_GetObjectItemCaseSensitive() finds. */
static void test_get(void)
{
	static const char *const docs[] = {
		"{\"a\":1,\"ab\":2,\"b\":3}", "{\"k\":1,\"k\":2}", "{}", "[1,2]", "\"s\"",
		"{\"\":1,\"A\":2}",
	};
	static const char *const keys[] = { "a", "ab", "b", "k", "", "A", "x" };

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
		cJSON *d = cJSON_Parse(docs[i]);
		int same = 1;

		for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++)
			same &= kobj_get(d, keys[k]) == cJSON_GetObjectItemCaseSensitive(d, keys[k]);
		ok(same, "kobj_get agrees with cJSON on %s", docs[i]);
		cJSON_Delete(d);
	}
	ok(!kobj_get(NULL, "a"), "NULL has no members");
}

static int skip_b(const char *key)
{
	return !strcmp(key, "b");
}

/* Raw nodes: cJSON's own (NUL-terminated, as yaml_parse makes for numbers)
 * and json_arena's deferred text (a length, no terminator). */
static void test_raw(void)
{
	cJSON *one = cJSON_CreateRaw("1"), *two = cJSON_CreateRaw("2"), *one2 = cJSON_CreateRaw("1");
	char text[] = "{\"a\":1}{\"a\":1}{\"a\":2}";
	cJSON d1 = { 0 }, d2 = { 0 }, d3 = { 0 };

	ok(kobj_equal(one, one2) && !kobj_equal(one, two), "cJSON raw numbers compare as text");
	d1.type = d2.type = d3.type = cJSON_Raw;
	d1.valuestring = text;
	d2.valuestring = text + 7;
	d3.valuestring = text + 14;
	d1.valuedouble = d2.valuedouble = d3.valuedouble = 7;
	ok(kobj_equal(&d1, &d2) && !kobj_equal(&d1, &d3),
	   "deferred text compares by its length, not past it");
	cJSON_Delete(one);
	cJSON_Delete(two);
	cJSON_Delete(one2);
}

int main(void)
{
	cJSON *x, *y;

	test_get();
	test_raw();
	for (size_t i = 0; i < sizeof(pairs) / sizeof(*pairs); i++) {
		x = cJSON_Parse(pairs[i].a);
		y = cJSON_Parse(pairs[i].b);
		is_int(kobj_equal(x, y), cJSON_Compare(x, y, 1), "%s vs %s", pairs[i].a, pairs[i].b);
		is_int(kobj_equal(y, x), cJSON_Compare(y, x, 1), "and the other way round");
		cJSON_Delete(x);
		cJSON_Delete(y);
	}
	ok(!kobj_equal(NULL, NULL), "NULL equals nothing, as with cJSON_Compare");
	x = cJSON_Parse("{\"a\":1,\"b\":2,\"c\":3}");
	y = cJSON_Parse("{\"c\":3,\"a\":1,\"b\":5}");
	ok(kobj_equal_members(x, y, skip_b, NULL), "skipped members do not count");
	ok(!kobj_equal_members(x, y, NULL, NULL), "but count without the skip");
	cJSON_Delete(y);
	y = cJSON_Parse("{\"c\":3,\"a\":1}");
	ok(kobj_equal_members(x, y, skip_b, NULL), "a skipped member may be missing on one side");
	cJSON_Delete(x);
	cJSON_Delete(y);
	return tap_done();
}
