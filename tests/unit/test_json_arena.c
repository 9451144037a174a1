#include "tap.h"

#include <stdlib.h>

#include "arena.h"
#include "errbuf.h"

/*
 * The portable build of the parser (JSON_ARENA_NO_SIMD: no SSE2 string
 * scanner) under other names, next to the library's, so that both are
 * tested on any machine.
 */
#include "json_arena_portable.h"

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

/* n arrays, each inside the one before: "[[...]]" (to free). */
static char *nested_arrays(size_t n)
{
	char *deep = malloc(2 * n + 1);

	for (size_t i = 0; i < n; i++) {
		deep[i] = '[';
		deep[2 * n - 1 - i] = ']';
	}
	deep[2 * n] = '\0';
	return deep;
}

static void test_nesting(void)
{
	struct arena a = ARENA_INIT(0);
	struct errbuf err;
	size_t n = CJSON_NESTING_LIMIT + 1;
	char *deep = nested_arrays(n);
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

typedef cJSON *except_fn(struct arena *, char *, size_t, const char *const *const *, struct errbuf *);

static const struct {
	const char *name;
	except_fn *parse;
} parsers[] = {
	{ "library", json_arena_parse_except },
	{ "portable", portable_parse_except },
};

/* The tree printed, or "error: ..." (malloc'd), of text parsed from a
 * buffer of exactly len bytes, so that a read past its end is caught. */
static char *outcome(except_fn *parse, const char *text, size_t len, const char *const *const *skip)
{
	struct arena a = ARENA_INIT(0);
	struct errbuf err;
	char *buf = malloc(len ? len : 1), *out;
	cJSON *t;

	memcpy(buf, text, len);
	errbuf_clear(&err);
	t = parse(&a, buf, len, skip, &err);
	if (t) {
		out = cJSON_PrintUnformatted(t);
	} else {
		out = malloc(strlen(err.msg) + 8);
		sprintf(out, "error: %s", err.msg);
	}
	arena_release(&a);
	free(buf);
	return out;
}

/* Both builds give the same trees and the same errors. */
static void test_portable(void)
{
	size_t n = CJSON_NESTING_LIMIT + 1;
	char *deep = nested_arrays(n);
	for (size_t i = 0;
	     i < sizeof(valid) / sizeof(*valid) + sizeof(invalid) / sizeof(*invalid) + 1; i++) {
		const char *text = i < sizeof(valid) / sizeof(*valid) ? valid[i] : deep;
		char *lib, *port;

		if (i >= sizeof(valid) / sizeof(*valid) &&
		    i - sizeof(valid) / sizeof(*valid) < sizeof(invalid) / sizeof(*invalid))
			text = invalid[i - sizeof(valid) / sizeof(*valid)].text;
		lib = outcome(json_arena_parse_except, text, strlen(text), NULL);
		port = outcome(portable_parse_except, text, strlen(text), NULL);
		is_str(port, lib, "the portable build agrees: %.40s", text);
		free(lib);
		free(port);
	}
	free(deep);
}

/* What parsing the JSON string literal body (between quotes, closed when
 * `closed`) should give: the decoding of cJSON, or an error at its offset
 * in "  \"body\"" (two spaces ahead of the string). */
static char *expected_string(const char *body, size_t len, int closed)
{
	char *text = malloc(len + 3), *out;
	cJSON *ref;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)body[i];

		if (c == '\\' && i + 1 < len && body[i + 1] == 'x') {
			out = malloc(64);
			sprintf(out, "error: bad escape at byte %zu", i + 4);
			return free(text), out;
		}
		if (c == '\\') {
			i++;
			continue;
		}
		if (c < 0x20) {
			out = malloc(64);
			sprintf(out, "error: control character in string at byte %zu", i + 3);
			return free(text), out;
		}
	}
	if (!closed) {
		out = malloc(64);
		sprintf(out, "error: unterminated string at byte %zu", len + 3);
		return free(text), out;
	}
	text[0] = '"';
	memcpy(text + 1, body, len);
	text[len + 1] = '"';
	text[len + 2] = '\0';
	ref = cJSON_Parse(text);
	out = cJSON_PrintUnformatted(ref);
	cJSON_Delete(ref);
	free(text);
	return out;
}

/* Compares the parse of one string body, at the end of the buffer and
 * before `trail` spaces, by both builds, built and skipped; 1 when all agree. */
static int check_string(const char *body, size_t len, int closed, size_t trail)
{
	static const char *const key[] = { "s", NULL };
	static const char *const *const skip[] = { key, NULL };
	char *want = expected_string(body, len, closed), *text = malloc(len + trail + 16);
	char *member = malloc(len + trail + 16), *got = NULL;
	size_t n = 0, m = 0;
	int good = 1;

	n = (size_t)sprintf(text, "  \"");
	m = (size_t)sprintf(member, "{\"s\":\"");
	memcpy(text + n, body, len);
	memcpy(member + m, body, len);
	n += len;
	m += len;
	if (closed) {
		text[n++] = '"';
		member[m++] = '"';
		member[m++] = '}';
	}
	memset(text + n, ' ', trail);
	n += trail;
	for (size_t i = 0; i < sizeof(parsers) / sizeof(*parsers) && good; i++) {
		char *whole, *skipped;

		got = outcome(parsers[i].parse, text, closed ? n : len + 3, NULL);
		good = !strcmp(got, want);
		/* A skipped string is checked exactly as a built one. */
		whole = outcome(parsers[i].parse, member, m, NULL);
		skipped = outcome(parsers[i].parse, member, m, skip);
		good = good && !strcmp(skipped, strncmp(whole, "error", 5) ? "{}" : whole);
		if (!good)
			printf("# %s: '%.*s' (%zu trailing): got '%s', want '%s'; skipped '%s'\n",
			       parsers[i].name, (int)len, body, trail, got, want, skipped);
		free(whole);
		free(skipped);
		free(got);
	}
	free(want);
	free(text);
	free(member);
	return good;
}

/*
 * Strings of every length up to 40 with a special sequence at every
 * position, so that it falls everywhere in the scanners' 16- and 8-byte
 * blocks, with the closing quote from the end of the buffer to a block
 * after it.  The filler runs through the bytes around '"' and 0x20.
 */
static void test_string_blocks(void)
{
	static const struct {
		const char *name, *seq;
	} specials[] = {
		{ "plain", "" },
		{ "escaped quote", "\\\"" },
		{ "escaped backslash", "\\\\" },
		{ "\\u escape", "\\u00e9" },
		{ "surrogate pair", "\\ud83d\\ude00" },
		{ "newline", "\n" },
		{ "control byte 0x1f", "\x1f" },
		{ "control byte 0x01", "\x01" },
		{ "bad escape", "\\x" },
		{ "UTF-8", "caf\xc3\xa9" },
		{ "DEL and high bytes", "\x7f\x80\xff" },
	};
	static const char filler[] = " !#$%&'()*+,-./0123456789:;<=>?@[]^_`{|}~aZ";
	char body[64];

	for (size_t s = 0; s < sizeof(specials) / sizeof(*specials); s++) {
		size_t seq = strlen(specials[s].seq), bad = 0;

		for (size_t len = seq; len <= 40; len++) {
			for (size_t at = 0; at + seq <= len; at++) {
				for (size_t i = 0; i < len; i++)
					body[i] = filler[(i + len) % (sizeof(filler) - 1)];
				memcpy(body + at, specials[s].seq, seq);
				for (size_t trail = 0; trail <= 17; trail++)
					bad += !check_string(body, len, 1, trail);
				bad += !check_string(body, len, 0, 0);
				if (!seq)
					break;
			}
		}
		ok(!bad, "strings with %s at every block position (%zu wrong)", specials[s].name,
		   bad);
	}
}

/* Errors inside skipped values: the same message and byte as when built. */
static void test_skip_errors(void)
{
	static const char *const key[] = { "x", NULL };
	static const char *const *const skip[] = { key, NULL };
	static const char *const values[] = {
		"[1,]",
		"[1 2]",
		"{\"a\" 1}",
		"{\"a\":1,}",
		"{,}",
		"{\"a\":1 \"b\":2}",
		"\"\\x\"",
		"\"\\u12\"",
		"\"\\u12",
		"\"\\ud800\"",
		"\"\\ud800\\u0041\"",
		"\"\\udc00\"",
		"\"a\\",
		"\"a\x01\"",
		"\"abc",
		"tru",
		"nul",
		"fals",
		"-",
		"1.",
		"1e",
		"01",
		"'a'",
		"",
		" ",
		"[",
		"{",
		"[{\"k\":[\"0123456789abcdef\\q\"]}]",
		" { \"a\" : [ 1 , \"x\" , true , null , -0.5e+3 ] } ",
		"{\"a\":{\"b\":{},\"c\":[]},\"d\":[[],{}]}",
		"\"0123456789abcdef0123456789\\u00e9\\n\"",
	};
	char text[256];

	for (size_t i = 0; i < sizeof(values) / sizeof(*values); i++) {
		for (size_t j = 0; j < sizeof(parsers) / sizeof(*parsers); j++) {
			size_t n = (size_t)snprintf(text, sizeof(text), "{\"x\":%s,\"y\":2}",
			                            values[i]);
			char *whole = outcome(parsers[j].parse, text, n, NULL);
			char *skipped = outcome(parsers[j].parse, text, n, skip);

			is_str(skipped, strncmp(whole, "error", 5) ? "{\"y\":2}" : whole,
			       "%s: skipped %s is checked as built", parsers[j].name, values[i]);
			free(whole);
			free(skipped);
		}
	}
}

/* text (len bytes) parsed whole and with member "x" skipped: the same
 * error, or the same tree without "x" (given as expect). */
static void skip_agrees(const char *text, size_t len, const char *expect, const char *what)
{
	static const char *const key[] = { "x", NULL };
	static const char *const *const skip[] = { key, NULL };

	for (size_t j = 0; j < sizeof(parsers) / sizeof(*parsers); j++) {
		char *whole = outcome(parsers[j].parse, text, len, NULL);
		char *skipped = outcome(parsers[j].parse, text, len, skip);

		is_str(skipped, strncmp(whole, "error", 5) ? expect : whole,
		       "%s: skipped %s (%zu bytes) is checked as built", parsers[j].name, what, len);
		free(whole);
		free(skipped);
	}
}

/* The values skip_value() settles in one scan, and each way out of it. */
static void test_fast_skip(void)
{
	static const char *const values[] = {
		"{\"f:metadata\":{\"f:labels\":{\".\":{},\"f:app\":{}}},\"f:spec\":{}}",
		"[{\"manager\":\"kubectl\",\"operation\":\"Update\",\"time\":\"2026\"}]",
		"{\"a\":true,\"b\":false,\"c\":null,\"d\":0,\"e\":-12,\"f\":123456789}",
		"{\"k:{\\\"name\\\":\\\"app\\\"}\":{\".\":{}}}",
		"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
		"\"0123456789abcdef\\n0123456789abcdef\"",
		"\"\\u00e9\"",
		"[\"a\",\"\\x\"]",
		"[\"a\x1f\"]",
		"[\"a\x7f\"]",
		"{\"a\x01\":1}",
		"[1.5]",
		"[1e3]",
		"[-0E+1]",
		"[-0.0]",
		"[0,-0]",
		"[00]",
		"[-]",
		"[-a]",
		"[1x]",
		"[truex]",
		"[tru]",
		"{\"a\":nul}",
		"{\"a\":fals}",
		"{\"a\" :1}",
		"{ \"a\"\t:\r\n1 , \"b\" : [ ] , \"c\" : { } }",
		"[ 1 , [ ] , { } ]",
		"{\"a\":1,}",
		"[1,]",
		"{\"a\":1]",
		"[1}",
		"{1:2}",
		"{\"a\"}",
		"[,1]",
		"{}",
		"[]",
		"[[]]",
		"[{}]",
	};
	char text[256];

	for (size_t i = 0; i < sizeof(values) / sizeof(*values); i++) {
		size_t n = (size_t)snprintf(text, sizeof(text), "{\"x\":%s,\"y\":2}", values[i]);

		skip_agrees(text, n, "{\"y\":2}", values[i]);
	}
}

/* A managedFields-like value cut at every byte: the same error both ways. */
static void test_fast_skip_truncated(void)
{
	static const char text[] =
		"{\"x\":[{\"manager\":\"argocd-controller\",\"operation\":\"Apply\","
		"\"apiVersion\":\"apps/v1\",\"time\":\"2026-01-11T15:30:00Z\","
		"\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:metadata\":{\"f:annotations\":"
		"{\"f:argocd.argoproj.io/tracking-id\":{}},\"f:labels\":{\".\":{}}},"
		"\"f:spec\":{\"f:replicas\":{},\"f:template\":{\"f:spec\":{\"f:containers\":"
		"{\"k:{\\\"name\\\":\\\"app\\\"}\":{\".\":{},\"f:image\":{}}}}}}},"
		"\"subresource\":\"status\",\"replicas\":3,\"ready\":true,\"x\":null}],\"y\":2}";
	char label[32];

	for (size_t n = 0; n <= sizeof(text) - 1; n++) {
		snprintf(label, sizeof(label), "managedFields cut at %zu", n);
		skip_agrees(text, n, "{\"y\":2}", label);
	}
}

/* Nesting around the fast path's own depth and around the limit. */
static void test_fast_skip_nesting(void)
{
	static const size_t depths[] = { 1,
		                         31,
		                         32,
		                         33,
		                         34,
		                         64,
		                         CJSON_NESTING_LIMIT - 2,
		                         CJSON_NESTING_LIMIT - 1,
		                         CJSON_NESTING_LIMIT };
	char label[48];

	for (size_t i = 0; i < sizeof(depths) / sizeof(*depths); i++) {
		for (int obj = 0; obj < 2; obj++) {
			size_t d = depths[i], n = 0;
			char *text = malloc(16 * d + 32);

			n += (size_t)sprintf(text, "{\"x\":");
			for (size_t k = 0; k < d; k++)
				n += (size_t)sprintf(text + n, obj ? "{\"k\":" : "[");
			n += (size_t)sprintf(text + n, "1");
			for (size_t k = 0; k < d; k++)
				text[n++] = obj ? '}' : ']';
			n += (size_t)sprintf(text + n, ",\"y\":2}");
			snprintf(label, sizeof(label), "%s nested %zu deep",
			         obj ? "objects" : "arrays", d);
			skip_agrees(text, n, "{\"y\":2}", label);
			free(text);
		}
	}
}

/*
 * A deferred member is checked as a skipped one, kept as its text, and
 * built by json_arena_expand() into what a full parse gives.
 */
static void test_defer(void)
{
	static const char *const key[] = { "x", NULL };
	static const char *const *const defer[] = { key, NULL };
	static const char *const values[] = {
		"[1,]",
		"\"\\x\"",
		"\"\\ud800\"",
		"tru",
		"01",
		"{",
		"{\"a\":{\"b\":{},\"c\":[]},\"d\":[[],{}]}",
		"[1,\"x\",true,null,-0.5e+3]",
		"\"0123456789abcdef0123456789\\u00e9\\n\"",
		"{\"spec\":{\"k\":\"v\\\"q\"},\"n\":7}",
	};
	char text[256];

	for (size_t i = 0; i < sizeof(values) / sizeof(*values); i++) {
		size_t n = (size_t)snprintf(text, sizeof(text), "{\"x\": %s ,\"y\":2}", values[i]);
		char *whole = outcome(json_arena_parse_except, text, n, NULL), *got;
		struct arena a = ARENA_INIT(0);
		struct errbuf err;
		char *buf = malloc(n);
		cJSON *t, *x;

		memcpy(buf, text, n);
		errbuf_clear(&err);
		t = json_arena_parse_deferring(&a, buf, n, NULL, defer, &err);
		x = t ? cJSON_GetObjectItemCaseSensitive(t, "x") : NULL;
		if (!t) {
			size_t len = strlen(err.msg) + 8;

			got = malloc(len);
			snprintf(got, len, "error: %s", err.msg);
			is_str(got, whole, "deferred %s: the same error", values[i]);
		} else {
			ok(x && x->type == cJSON_Raw && (size_t)x->valuedouble == strlen(values[i]) &&
			           !memcmp(x->valuestring, values[i], strlen(values[i])),
			   "deferred %s: kept as its text", values[i]);
			ok(!json_arena_expand(&a, x, &err), "deferred %s: expands", values[i]);
			got = cJSON_PrintUnformatted(t);
			is_str(got, whole, "deferred %s: expanded as parsed", values[i]);
		}
		free(got);
		free(whole);
		free(buf);
		arena_release(&a);
	}
	{
		cJSON plain = { 0 };
		struct arena a = ARENA_INIT(0);
		struct errbuf err;

		plain.type = cJSON_Number;
		ok(!json_arena_expand(&a, &plain, &err) && plain.type == cJSON_Number,
		   "expanding a node that is not deferred changes nothing");
	}
}

/* Nodes come from the arena in batches: trees of many nodes and tiny ones. */
static void test_batches(void)
{
	char *text = malloc(8192), *mine;
	size_t n = 0;
	cJSON *ref;

	n += (size_t)sprintf(text + n, "[");
	for (int i = 0; i < 300; i++)
		n += (size_t)sprintf(text + n, "%s{\"k%d\":[%d,\"v\"]}", i ? "," : "", i, i);
	n += (size_t)sprintf(text + n, "]");
	ref = cJSON_Parse(text);
	mine = cJSON_PrintUnformatted(ref);
	for (size_t i = 0; i < sizeof(parsers) / sizeof(*parsers); i++) {
		char *got = outcome(parsers[i].parse, text, n, NULL);

		is_str(got, mine, "%s: 1200 nodes, many batches", parsers[i].name);
		free(got);
	}
	for (size_t i = 0; i < sizeof(parsers) / sizeof(*parsers); i++) {
		char *got = outcome(parsers[i].parse, "[1]", 3, NULL);

		is_str(got, "[1]", "%s: a tiny document", parsers[i].name);
		free(got);
	}
	cJSON_Delete(ref);
	free(mine);
	free(text);
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
	test_portable();
	test_string_blocks();
	test_skip_errors();
	test_fast_skip();
	test_fast_skip_truncated();
	test_fast_skip_nesting();
	test_batches();
	test_defer();
	return tap_done();
}
