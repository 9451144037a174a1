#include "tap.h"

#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "json_util.h"
#include "strbuf.h"
#include "yaml_json.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DATA "tests/unit/data/yaml/"

/* Compact JSON of the value of key "v" in the one document of `yaml`, or
 * "ERR: message".  The caller frees it. */
static char *value_of(const char *yaml)
{
	struct errbuf err = { 0 };
	cJSON *doc = yamljson_parse_one(yaml, strlen(yaml), NULL, &err);
	char *out;

	if (!doc) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "ERR: %s", err.msg);
		return strbuf_detach(&sb, NULL);
	}
	out = cJSON_PrintUnformatted(json_get(doc, "v"));
	cJSON_Delete(doc);
	return out ? out : strdup("(missing)");
}

static char *scalar_of(const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	char *out;

	strbuf_addf(&sb, "v: %s\n", text);
	out = value_of(sb.buf);
	strbuf_release(&sb);
	return out;
}

/* go-yaml v2's resolve.go, as kubectl applies it (checked against
 * `kubectl label --local -o json` of the same YAML). */
static void test_scalar_typing(void)
{
	static const struct {
		const char *yaml, *json;
	} cases[] = {
		{ "0", "0" },
		{ "\"0\"", "\"0\"" },
		{ "'0'", "\"0\"" },
		{ "-0", "0" },
		{ "+12", "12" },
		{ "00", "0" },
		{ "~", "null" },
		{ "null", "null" },
		{ "Null", "null" },
		{ "NULL", "null" },
		{ "", "null" },
		{ "nULL", "\"nULL\"" },
		{ "true", "true" },
		{ "True", "true" },
		{ "TRUE", "true" },
		{ "tRUE", "\"tRUE\"" },
		{ "yes", "true" },
		{ "Yes", "true" },
		{ "YES", "true" },
		{ "y", "true" },
		{ "Y", "true" },
		{ "on", "true" },
		{ "On", "true" },
		{ "ON", "true" },
		{ "oN", "\"oN\"" },
		{ "false", "false" },
		{ "no", "false" },
		{ "NO", "false" },
		{ "n", "false" },
		{ "N", "false" },
		{ "off", "false" },
		{ "Off", "false" },
		{ "OFF", "false" },
		{ "0x1F", "31" },
		{ "0XFF", "255" },
		{ "0x", "\"0x\"" },
		{ "0x_1F", "31" },
		{ "0o17", "15" },
		{ "0O17", "15" },
		{ "017", "15" },
		{ "0777", "511" },
		{ "08", "8" },
		{ "09", "9" },
		{ "0b101", "5" },
		{ "0B11", "3" },
		{ "-0b11", "-3" },
		{ "0b-101", "-5" },
		{ "0b", "\"0b\"" },
		{ "1_000_000", "1000000" },
		{ "1__0", "10" },
		{ "_100", "\"_100\"" },
		{ "1.5", "1.5" },
		{ "1e3", "1000" },
		{ "1.5E+3", "1500" },
		{ ".5", "0.5" },
		{ "-.5", "-0.5" },
		{ "+.5", "0.5" },
		{ "1.", "1" },
		{ "1_0.5", "10.5" },
		{ "1e", "\"1e\"" },
		{ ".e5", "\".e5\"" },
		{ "._5", "\"._5\"" },
		{ "1e400", "\"1e400\"" },
		{ "1e-400", "0" },
		{ "6.02e+23", "6.02e+23" },
		{ "+", "\"+\"" },
		{ "\"-\"", "\"-\"" },
		{ "999999999999999", "999999999999999" },
		{ "1234567890123456", "1234567890123456" },
		{ "9007199254740992", "9007199254740992" },
		{ "9007199254740993", "9007199254740993" },
		{ "9223372036854775807", "9223372036854775807" },
		{ "-9223372036854775808", "-9223372036854775808" },
		{ "12345678901234567890", "12345678901234567890" },
		{ "18446744073709551616", "1.8446744073709552e+19" },
		{ "2001-12-14", "\"2001-12-14\"" },
		{ "2001-12-14t21:59:43.10-05:00", "\"2001-12-14t21:59:43.10-05:00\"" },
		{ "1:20", "\"1:20\"" },
		{ "190:20:30", "\"190:20:30\"" },
		{ "<<", "\"<<\"" },
		{ "500m", "\"500m\"" },
		{ "1.10", "1.1" },
		{ "!!str 123", "\"123\"" },
		{ "!!str true", "\"true\"" },
		{ "!!int \"123\"", "123" },
		{ "!!int 0x10", "16" },
		{ "!!float 1", "1" },
		{ "!!float \"2.5\"", "2.5" },
		{ "!!bool yes", "true" },
		{ "!!null \"\"", "null" },
		{ "! 12", "\"12\"" },
		{ "!custom 12", "\"12\"" },
		{ "!!binary aGVsbG8=", "\"hello\"" },
		{ "!!timestamp 2001-12-14", "\"2001-12-14\"" },
		{ "[1, '2', \"3\", x]", "[1,\"2\",\"3\",\"x\"]" },
		{ "{a: 1}", "{\"a\":1}" },
		{ "{}", "{}" },
		{ "[]", "[]" },
		{ "\"tab\\there \\u00e9 \\x41\"", "\"tab\\there é A\"" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = scalar_of(cases[i].yaml);

		is_str(got, cases[i].json, "v: %s reads as %s", cases[i].yaml, cases[i].json);
		free(got);
	}
}

/* sigs.k8s.io/yaml turns go-yaml's typed keys into strings. */
static void test_keys(void)
{
	static const struct {
		const char *key, *want;
	} cases[] = {
		{ "1", "1" },
		{ "0x10", "16" },
		{ "1_000", "1000" },
		{ "'0x10'", "0x10" },
		{ "1.5", "1.5" },
		{ "3.14159265358979", "3.1415927" },
		{ "1e10", "1e+10" },
		{ "1000000.0", "1e+06" },
		{ "0.00001", "1e-05" },
		{ ".inf", ".inf" },
		{ "\"-.inf\"", "-.inf" },
		{ "-.inf", "-.inf" },
		{ ".nan", ".nan" },
		{ "yes", "true" },
		{ "n", "false" },
		{ "'n'", "n" },
		{ "2001-12-14", "2001-12-14" },
		{ "!!str 1.0", "1.0" },
		{ "\"\"", "" },
		{ "a b", "a b" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf sb = STRBUF_INIT;
		struct errbuf err = { 0 };
		cJSON *doc;

		if (cases[i].key[0] == '-')
			strbuf_addf(&sb, "? %s\n: x\n", cases[i].key);
		else
			strbuf_addf(&sb, "%s: x\n", cases[i].key);
		doc = yamljson_parse_one(sb.buf, sb.len, NULL, &err);
		ok(doc && doc->child && doc->child->string &&
		           !strcmp(doc->child->string, cases[i].want),
		   "key %s becomes \"%s\"%s%s", cases[i].key, cases[i].want, doc ? "" : ": ",
		   doc ? "" : err.msg);
		cJSON_Delete(doc);
		strbuf_release(&sb);
	}
}

static void test_errors(void)
{
	static const struct {
		const char *yaml, *want;
	} cases[] = {
		{ "a: [1, 2\n", "<input>:2:1: did not find expected ',' or ']'" },
		{ "a:\n  b: [1,\n", "<input>:3:1: did not find expected node content" },
		{ "a: \"unterminated\n", "<input>:2:1: found unexpected end of stream" },
		{ "a: b: c\n", "<input>:1:5: mapping values are not allowed in this context" },
		{ "a:\n\tb: 1\n", "<input>:2:1: found character that cannot start any token" },
		{ "a: 1\nb: 2\na: 3\n",
		  "<input>:3:1: duplicate key \"a\" (first defined at line 1)" },
		{ "{\"a\": 1, \"a\": 2}", "<input>:1:10: duplicate key \"a\"" },
		{ "1: x\n'1': y\n", "<input>:2:1: duplicate key \"1\"" },
		{ "? [a]\n: b\n", "<input>:1:3: mapping keys must be scalars" },
		{ "~: x\n", "<input>:1:1: a mapping key must not be null" },
		{ "18446744073709551615: x\n",
		  "<input>:1:1: a mapping key must not be an integer" },
		{ "v: .inf\n", "<input>:1:4: .inf cannot be represented in JSON" },
		{ "v: -.Inf\n", ".inf cannot be represented in JSON" },
		{ "v: .NaN\n", "<input>:1:4: .nan cannot be represented in JSON" },
		{ "v: *nope\n", "<input>:1:4: unknown anchor \"nope\" referenced" },
		{ "a: &x [*x]\n", "<input>:1:8: anchor \"x\" value contains itself" },
		{ "v: !!int abc\n", "<input>:1:4: cannot decode !!str \"abc\" as a !!int" },
		{ "v: !!int 1.5\n", "cannot decode !!float \"1.5\" as a !!int" },
		{ "v: !!bool 1\n", "cannot decode !!int \"1\" as a !!bool" },
		{ "v: !!null x\n", "cannot decode !!str \"x\" as a !!null" },
		{ "v: !!binary '!!'\n",
		  "<input>:1:4: !!binary value contains invalid base64 data" },
		{ "v: \"a\\0b\"\n", "<input>:1:4: NUL characters in strings are not supported" },
		{ "<<: 1\n", "<input>:1:1: map merge requires map or sequence of maps" },
		{ "a: &a 1\nb:\n  <<: [*a]\n",
		  "<input>:3:3: map merge requires map or sequence of maps" },
		{ "a: \xff\n", "<input>:1:4: invalid leading UTF-8 octet (byte 0xff)" },
		{ "a: b\nc: d\xc3\n", "<input>:2:6: invalid trailing UTF-8 octet (byte 0x0a)" },
		{ "a: b\nc: d\xc3", "<input>:2:5: incomplete UTF-8 octet sequence" },
		{ "a: \xed\xa0\x80\n", "<input>:1:4: invalid Unicode character" },
		{ "a: b\x01\n", "<input>:1:5: control characters are not allowed (byte 0x01)" },
		{ "a: 1\n---\nb: [\n", "<input>:4:1: did not find expected node content" },
		{ "a: 1\n---\nb: 2\n", "<input>: expected one YAML document, found 2" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct errbuf err = { 0 };
		cJSON *doc = yamljson_parse_one(cases[i].yaml, strlen(cases[i].yaml), NULL, &err);

		if (!ok(!doc && strstr(err.msg, cases[i].want), "error %s", cases[i].want))
			printf("#   got: '%s'\n", doc ? "(parsed)" : err.msg);
		cJSON_Delete(doc);
	}
}

static void test_anchors_and_merges(void)
{
	static const struct {
		const char *yaml, *want, *what;
	} cases[] = {
		{ "a: &x {p: 1}\nv: *x\n", "{\"p\":1}", "an alias copies a mapping" },
		{ "a: &x [1, [2]]\nv: [*x, *x]\n", "[[1,[2]],[1,[2]]]", "an alias copies a sequence" },
		{ "a: &x yes\nv: *x\n", "true", "an alias keeps the scalar's type" },
		{ "a: &x 1\na2: &x 2\nv: *x\n", "2", "a redefined anchor means its newest node" },
		{ "k: &k name\nv: {*k : 1}\n", "{\"name\":1}", "an alias can be a key" },
		{ "b: &b {a: 1, b: 2}\nv:\n  <<: *b\n  b: 3\n", "{\"a\":1,\"b\":3}",
		  "an explicit key after a merge wins" },
		{ "b: &b {a: 1, b: 2}\nv:\n  b: 3\n  <<: *b\n", "{\"b\":3,\"a\":1}",
		  "an explicit key before a merge wins too" },
		{ "p: &p {a: p}\nq: &q {a: q, b: q}\nv:\n  <<: [*p, *q]\n",
		  "{\"a\":\"p\",\"b\":\"q\"}", "earlier merge sources win" },
		{ "v:\n  <<: {a: 1}\n  c: 2\n", "{\"a\":1,\"c\":2}", "an inline mapping merges" },
		{ "p: &p {a: 1}\nq: &q {<<: *p, b: 2}\nv: {<<: *q, c: 3}\n",
		  "{\"a\":1,\"b\":2,\"c\":3}", "merges nest" },
		{ "v: {'<<': {a: 1}}\n", "{\"<<\":{\"a\":1}}", "a quoted << is an ordinary key" },
		{ "v: {!!merge <<: {a: 1}}\n", "{\"a\":1}", "!!merge marks a merge key" },
		{ "v: &s !!str 12\nw: *s\n", "\"12\"", "an anchored tagged scalar" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = value_of(cases[i].yaml);

		is_str(got, cases[i].want, "%s", cases[i].what);
		free(got);
	}
}

static void test_block_scalars(void)
{
	static const struct {
		const char *yaml, *want;
	} cases[] = {
		{ "v: |\n  a\n  b\n\n", "\"a\\nb\\n\"" },
		{ "v: |-\n  a\n  b\n\n", "\"a\\nb\"" },
		{ "v: |+\n  a\n  b\n\n", "\"a\\nb\\n\\n\"" },
		{ "v: >\n  a\n  b\n\n  c\n", "\"a b\\nc\\n\"" },
		{ "v: >-\n  a\n  b\n", "\"a b\"" },
		{ "v: >+\n  a\n\n", "\"a\\n\\n\"" },
		{ "v: |2\n   x\n  y\n", "\" x\\ny\\n\"" },
		{ "v: |\n  123\n", "\"123\\n\"" },
		{ "v: |-\n  true\n", "\"true\"" },
		{ "v: >-\n  0x10\n", "\"0x10\"" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = value_of(cases[i].yaml);

		is_str(got, cases[i].want, "block scalar %zu is a string with its chomping", i);
		free(got);
	}
}

static char *docs_of(const char *yaml)
{
	struct errbuf err = { 0 };
	cJSON *docs = yamljson_parse_all(yaml, strlen(yaml), "multi.yaml", &err);
	char *out;

	if (!docs)
		return strdup(err.msg);
	out = cJSON_PrintUnformatted(docs);
	cJSON_Delete(docs);
	return out;
}

static void test_documents(void)
{
	static const struct {
		const char *yaml, *want, *what;
	} cases[] = {
		{ "a: 1\n---\nb: 2\n", "[{\"a\":1},{\"b\":2}]", "two documents" },
		{ "---\na: 1\n---\n---\n# only a comment\n---\n~\n---\nnull\n...\n---\nb: 2\n...\n",
		  "[{\"a\":1},{\"b\":2}]", "empty and null documents are skipped" },
		{ "", "[]", "an empty stream has no documents" },
		{ "# nothing\n", "[]", "a comment alone has no documents" },
		{ "--- 5\n--- [x]\n", "[5,[\"x\"]]", "documents may be scalars or sequences" },
		{ "a: &x 1\n---\nb: *x\n", "multi.yaml:3:4: unknown anchor \"x\" referenced",
		  "anchors do not cross documents" },
		{ "{\"a\": [1, 2.5, \"x\", null, true, {\"b\": {}}]}",
		  "[{\"a\":[1,2.5,\"x\",null,true,{\"b\":{}}]}]", "JSON is YAML" },
		{ "\xef\xbb\xbf"
		  "a: 1\n",
		  "[{\"a\":1}]", "a UTF-8 byte order mark is skipped" },
		{ "a: 1\r\nb: |\r\n  x\r\n", "[{\"a\":1,\"b\":\"x\\n\"}]", "CRLF line ends" },
	};
	size_t i;
	struct errbuf err = { 0 };
	cJSON *one;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = docs_of(cases[i].yaml);

		is_str(got, cases[i].want, "%s", cases[i].what);
		free(got);
	}
	one = yamljson_parse_one("# nothing\n", 10, NULL, &err);
	ok(cJSON_IsObject(one) && !one->child, "parse_one of an empty stream is {}");
	cJSON_Delete(one);
	one = yamljson_parse_one(NULL, 0, NULL, &err);
	ok(cJSON_IsObject(one) && !one->child, "parse_one of no buffer at all is {}");
	cJSON_Delete(one);
}

static char *nested(int depth, const char *inner)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	for (i = 0; i < depth; i++)
		strbuf_addch(&sb, '[');
	strbuf_addstr(&sb, inner);
	for (i = 0; i < depth; i++)
		strbuf_addch(&sb, ']');
	return strbuf_detach(&sb, NULL);
}

static void test_depth(void)
{
	struct errbuf err = { 0 };
	char *s = nested(1000, "1");
	cJSON *v = yamljson_parse_one(s, strlen(s), NULL, &err);
	struct strbuf sb = STRBUF_INIT;
	int i;

	ok(v != NULL, "1000 levels of nesting are accepted");
	cJSON_Delete(v);
	free(s);

	s = nested(1001, "1");
	v = yamljson_parse_one(s, strlen(s), NULL, &err);
	ok(!v && strstr(err.msg, "<input>:1:1001: document nests deeper than 1000 levels"),
	   "1001 levels are refused where the 1001st starts");
	free(s);

	for (i = 0; i < 200000; i++)
		strbuf_addstr(&sb, "- ");
	strbuf_addstr(&sb, "x\n");
	v = yamljson_parse_one(sb.buf, sb.len, NULL, &err);
	ok(!v && strstr(err.msg, "deeper than 1000"), "200000 block levels fail cleanly");
	strbuf_release(&sb);

	s = nested(900, "1");
	strbuf_addf(&sb, "a: &a %s\nb: ", s);
	free(s);
	s = nested(200, "*a");
	strbuf_addstr(&sb, s);
	free(s);
	v = yamljson_parse_one(sb.buf, sb.len, NULL, &err);
	ok(!v && strstr(err.msg, "<input>:2:204: document nests deeper"),
	   "an alias cannot push nesting past the limit");
	strbuf_release(&sb);
}

static void test_bombs(void)
{
	static const char *const names = "abcdefghi";
	struct strbuf sb = STRBUF_INIT;
	struct errbuf err = { 0 };
	cJSON *v;
	int i, j;

	/* "Billion laughs": nine levels of nine aliases, 9^9 nodes if expanded. */
	strbuf_addstr(&sb, "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (i = 1; i < 9; i++) {
		strbuf_addf(&sb, "%c: &%c [", names[i], names[i]);
		for (j = 0; j < 9; j++)
			strbuf_addf(&sb, "%s*%c", j ? ", " : "", names[i - 1]);
		strbuf_addstr(&sb, "]\n");
	}
	v = yamljson_parse_all(sb.buf, sb.len, "bomb.yaml", &err);
	ok(!v && strstr(err.msg, "bomb.yaml:") &&
	           strstr(err.msg, "document contains excessive aliasing"),
	   "an alias bomb is refused");
	cJSON_Delete(v);

	/* Few nodes, much text: one 256 KiB string copied 300 times. */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "s: &s ");
	for (i = 0; i < 256 * 1024; i++)
		strbuf_addch(&sb, 'x');
	strbuf_addstr(&sb, "\nv:\n");
	for (i = 0; i < 300; i++)
		strbuf_addstr(&sb, "- *s\n");
	v = yamljson_parse_all(sb.buf, sb.len, NULL, &err);
	ok(!v && strstr(err.msg, "excessive aliasing"),
	   "copying too much text by alias is refused");
	cJSON_Delete(v);

	/* Modest reuse, as real manifests do, is fine. */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "defaults: &d {cpu: 100m, memory: 64Mi}\nitems:\n");
	for (i = 0; i < 200; i++)
		strbuf_addf(&sb, "- {<<: *d, name: item%d}\n", i);
	v = yamljson_parse_one(sb.buf, sb.len, NULL, &err);
	is_str(json_str(json_get(v, "items.199"), "memory", NULL), "64Mi",
	       "200 merges of a small anchor are fine");
	cJSON_Delete(v);
	strbuf_release(&sb);
}

static void test_files(void)
{
	struct errbuf err = { 0 };
	cJSON *v = yamljson_parse_file_all("/nonexistent/x.yaml", 0, &err);

	ok(!v && strstr(err.msg, "/nonexistent/x.yaml: No such file or directory"),
	   "a missing file names the path");
	v = yamljson_parse_file_one(DATA "deployment.json", 100, &err);
	ok(!v && strstr(err.msg, "deployment.json: file is larger than 100 bytes"),
	   "a file over the limit is refused");
	v = yamljson_parse_file_one(DATA "deployment.json", 0, &err);
	is_str(json_str(v, "metadata.name", NULL), "guestbook-ui", "a file parses");
	cJSON_Delete(v);
}

static char *emitted(const char *json)
{
	cJSON *v = cJSON_Parse(json);
	struct strbuf sb = STRBUF_INIT;

	yamljson_emit(&sb, v);
	cJSON_Delete(v);
	return strbuf_detach(&sb, NULL);
}

/* Expected lines are what kubectl v1.32 prints for the same value. */
static void test_emit_scalars(void)
{
	static const struct {
		const char *json, *yaml;
	} cases[] = {
		{ "\"0\"", "k: \"0\"\n" },
		{ "\"true\"", "k: \"true\"\n" },
		{ "\"\"", "k: \"\"\n" },
		{ "\"yes\"", "k: \"yes\"\n" },
		{ "\"y\"", "k: \"y\"\n" },
		{ "\"null\"", "k: \"null\"\n" },
		{ "\"~\"", "k: \"~\"\n" },
		{ "\"1.5\"", "k: \"1.5\"\n" },
		{ "\".inf\"", "k: \".inf\"\n" },
		{ "\"0x10\"", "k: \"0x10\"\n" },
		{ "\"0o17\"", "k: \"0o17\"\n" },
		{ "\"1e3\"", "k: \"1e3\"\n" },
		{ "\"1_0\"", "k: \"1_0\"\n" },
		{ "\"1:20\"", "k: \"1:20\"\n" },
		{ "\"2001-12-14\"", "k: \"2001-12-14\"\n" },
		{ "\"2024-03-05T10:20:30Z\"", "k: \"2024-03-05T10:20:30Z\"\n" },
		{ "\"2024-02-30\"", "k: 2024-02-30\n" },
		{ "\"a: b\"", "k: 'a: b'\n" },
		{ "\"*x\"", "k: '*x'\n" },
		{ "\"-x\"", "k: -x\n" },
		{ "\"- x\"", "k: '- x'\n" },
		{ "\"#x\"", "k: '#x'\n" },
		{ "\"a #b\"", "k: 'a #b'\n" },
		{ "\" lead\"", "k: ' lead'\n" },
		{ "\"trail \"", "k: 'trail '\n" },
		{ "\"it's\"", "k: it's\n" },
		{ "\"'x\"", "k: '''x'\n" },
		{ "\"x:\"", "k: 'x:'\n" },
		{ "\"@foo\"", "k: '@foo'\n" },
		{ "\"x]\"", "k: x]\n" },
		{ "\"x,y\"", "k: x,y\n" },
		{ "\"-\"", "k: '-'\n" },
		{ "\"...\"", "k: '...'\n" },
		{ "\"<<\"", "k: <<\n" },
		{ "\"._5\"", "k: ._5\n" },
		{ "\"500m\"", "k: 500m\n" },
		{ "\"tab\\there\"", "k: \"tab\\there\"\n" },
		{ "\"esc\\u001b[31m\"", "k: \"esc\\e[31m\"\n" },
		{ "\"a\\rb\"", "k: \"a\\rb\"\n" },
		{ "\"del\\u007f\"", "k: \"del\\x7F\"\n" },
		{ "\"\\u00e9 \\u65e5\"", "k: \u00e9 \u65e5\n" },
		{ "\"a\\nb\"", "k: |-\n  a\n  b\n" },
		{ "\"a\\nb\\n\"", "k: |\n  a\n  b\n" },
		{ "\"a\\n\\n\"", "k: |+\n  a\n\n" },
		{ "\"\\n\"", "k: |2+\n\n" },
		{ "\" x\\ny\"", "k: |2-\n   x\n  y\n" },
		{ "\"x \\ny\"", "k: \"x \\ny\"\n" },
		{ "1", "k: 1\n" },
		{ "1.5", "k: 1.5\n" },
		{ "1e20", "k: 1e+20\n" },
		{ "1e21", "k: 1e+21\n" },
		{ "0.00001", "k: 1e-05\n" },
		{ "1e-7", "k: 1e-07\n" },
		{ "123456789.123", "k: 1.23456789123e+08\n" },
		{ "-0.0", "k: 0\n" },
		{ "0.1", "k: 0.1\n" },
		{ "3.0", "k: 3\n" },
		{ "-2.5", "k: -2.5\n" },
		{ "1000000", "k: 1000000\n" },
		{ "true", "k: true\n" },
		{ "null", "k: null\n" },
		{ "{}", "k: {}\n" },
		{ "[]", "k: []\n" },
		{ "\"This is a very long string with many words in it that goes well beyond the "
		  "eighty column limit\"",
		  "k: This is a very long string with many words in it that goes well beyond the "
		  "eighty\n"
		  "  column limit\n" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf sb = STRBUF_INIT;
		char *got;

		strbuf_addf(&sb, "{\"k\": %s}", cases[i].json);
		got = emitted(sb.buf);
		is_str(got, cases[i].yaml, "emit %s", cases[i].json);
		free(got);
		strbuf_release(&sb);
	}
}

static void test_emit_structure(void)
{
	static const struct {
		const char *json, *yaml, *what;
	} cases[] = {
		{ "{\"b\":1,\"a\":{\"d\":[1,{\"y\":1,\"x\":2}],\"c\":[]}}",
		  "a:\n  c: []\n  d:\n  - 1\n  - x: 2\n    \"y\": 1\nb: 1\n",
		  "keys sorted, sequences at their key's indent" },
		{ "[[1,[2]],{}]", "- - 1\n  - - 2\n- {}\n", "nested sequences" },
		{ "{\"n10\":1,\"n9\":2,\"n1\":3,\"a01\":4,\"a1\":5,\"B\":6,\"a\":7,\"-x\":8,\"1\":"
		  "9,"
		  "\"\":0}",
		  "\"\": 0\n-x: 8\n\"1\": 9\nB: 6\na: 7\na1: 5\na01: 4\nn1: 3\nn9: 2\nn10: 1\n",
		  "keys in go-yaml's natural order" },
		{ "{\"true\":1,\"a b\":2,\"z:\":3}", "a b: 2\n\"true\": 1\n'z:': 3\n",
		  "keys quoted like values" },
		{ "\"root\"", "root\n", "a scalar document" },
		{ "12345678901234567890", "12345678901234567168\n", "a big integral double exactly" },
		{ "1e300", "1e+300\n", "a huge double in exponent form" },
	};
	size_t i;
	cJSON *raw;
	struct strbuf sb = STRBUF_INIT;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = emitted(cases[i].json);

		is_str(got, cases[i].yaml, "%s", cases[i].what);
		free(got);
	}
	raw = cJSON_CreateObject();
	cJSON_AddItemToObject(raw, "big", cJSON_CreateRaw("12345678901234567890"));
	yamljson_emit(&sb, raw);
	is_str(sb.buf, "big: 12345678901234567890\n", "a raw integer is printed exactly");
	strbuf_reset(&sb);
	cJSON_Delete(raw);

	raw = cJSON_CreateString("bad \xff utf8");
	yamljson_emit(&sb, raw);
	is_str(sb.buf, "bad \xef\xbf\xbd utf8\n", "invalid UTF-8 becomes U+FFFD, as Go prints it");
	cJSON_Delete(raw);
	strbuf_release(&sb);
}

/* kubectl label --local --overwrite --show-managed-fields -o yaml of the
 * same JSON produced deployment.kubectl.yaml. */
static void test_emit_like_kubectl(void)
{
	struct errbuf err = { 0 };
	struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
	cJSON *v = yamljson_parse_file_one(DATA "deployment.json", 0, &err);

	ok(v != NULL, "the deployment parses");
	ok(strbuf_read_file(&want, DATA "deployment.kubectl.yaml", 1 << 20) == 0,
	   "kubectl's output is there");
	yamljson_emit(&got, v);
	is_str(got.buf, want.buf, "the emitter prints a Deployment exactly as kubectl -o yaml does");
	cJSON_Delete(v);
	strbuf_release(&want);
	strbuf_release(&got);
}

static void test_round_trip(void)
{
	static const char *const values[] = {
		"\"\"",
		"\" \"",
		"\"0\"",
		"\"00\"",
		"\"-0\"",
		"\"1.0\"",
		"\"1e3\"",
		"\"0x1F\"",
		"\"0b1\"",
		"\"0o7\"",
		"\"1_0\"",
		"\"+1\"",
		"\".5\"",
		"\"true\"",
		"\"True\"",
		"\"yes\"",
		"\"No\"",
		"\"on\"",
		"\"y\"",
		"\"n\"",
		"\"~\"",
		"\"null\"",
		"\".inf\"",
		"\"-.inf\"",
		"\".nan\"",
		"\"<<\"",
		"\"2001-12-14\"",
		"\"2001-12-14 21:59:43.10\"",
		"\"1:20\"",
		"\"-\"",
		"\"- a\"",
		"\"? x\"",
		"\": x\"",
		"\"a: b\"",
		"\"a #b\"",
		"\"#\"",
		"\"&a\"",
		"\"*a\"",
		"\"!tag\"",
		"\"|\"",
		"\">\"",
		"\"%x\"",
		"\"@x\"",
		"\"`x\"",
		"\"{a}\"",
		"\"[a]\"",
		"\"'q'\"",
		"\"\\\"q\\\"\"",
		"\"\\\\\"",
		"\"\\t\"",
		"\"\\n\"",
		"\"\\n\\n\"",
		"\"a\\n\"",
		"\" a\\nb\"",
		"\"a \\nb\"",
		"\"a\\n \"",
		"\"\\r\\n\"",
		"\"\\u001b[0m\"",
		"\"\\u007f\"",
		"\"\\u0085\"",
		"\"\\u2028\"",
		"\"\\u2029x\"",
		"\"\\ufeffbom\"",
		"\"caf\\u00e9\"",
		"\"\\ud83d\\ude00\"",
		"\"---\"",
		"\"...\"",
		"\"--- x\"",
		"\"a\\n---\\nb\"",
		"\"x\\n...\\n\"",
		"\"ends with colon:\"",
		"\"a very long line of text that will certainly be folded by the emitter because "
		"it is long, yes\"",
		"\"averyveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryverylongwor"
		"dwithoutspaces\"",
		"0",
		"1",
		"-1",
		"1.5",
		"-0.25",
		"1e21",
		"1e-07",
		"123456789.123",
		"9007199254740992",
		"1.7976931348623157e308",
		"5e-324",
		"true",
		"false",
		"null",
		"{}",
		"[]",
		"[[]]",
		"[{}]",
		"{\"a\":{}}",
		"[1,\"1\",true,\"true\",null,\"null\"]",
		"{\"\":1,\" \":2,\"-\":3,\"?\":4,\"a\\nb\":5,\"true\":6,\"1\":7,\"<<\":8}",
		"{\"k\":[{\"a\":[{\"b\":[]}]}],\"l\":[[1,[2,[3]]]]}",
	};
	size_t i;
	int failures = 0;

	for (i = 0; i < ARRAY_SIZE(values); i++) {
		struct strbuf yaml = STRBUF_INIT, src = STRBUF_INIT;
		struct errbuf err = { 0 };
		cJSON *v, *back;

		strbuf_addf(&src, "{\"v\": %s}", values[i]);
		v = cJSON_Parse(src.buf);
		yamljson_emit(&yaml, v);
		back = yamljson_parse_one(yaml.buf, yaml.len, NULL, &err);
		if (!v || !json_equal(v, back)) {
			failures++;
			printf("# round trip of %s failed: '%s' %s\n", values[i], yaml.buf,
			       back ? "" : err.msg);
		}
		cJSON_Delete(v);
		cJSON_Delete(back);
		strbuf_release(&yaml);
		strbuf_release(&src);
	}
	is_int(failures, 0, "parse(emit(x)) == x for %zu values", ARRAY_SIZE(values));
}

static void test_round_trip_raw(void)
{
	static const char *const yaml =
		"a: 9223372036854775807\nb: -9007199254740993\nc: 18446744073709551615\n";
	struct errbuf err = { 0 };
	struct strbuf out = STRBUF_INIT;
	cJSON *v = yamljson_parse_one(yaml, strlen(yaml), NULL, &err);
	char *json = cJSON_PrintUnformatted(v);

	is_str(json, "{\"a\":9223372036854775807,\"b\":-9007199254740993,\"c\":18446744073709551615}",
	       "integers beyond 2^53 stay exact in JSON");
	ok(cJSON_IsRaw(json_get(v, "a")) && json_int(v, "a", 0) == 9223372036854775807LL,
	   "as raw numbers json_int reads");
	yamljson_emit(&out, v);
	is_str(out.buf, yaml, "and exact in YAML");
	free(json);
	cJSON_Delete(v);
	strbuf_release(&out);
}

int main(void)
{
	test_scalar_typing();
	test_keys();
	test_errors();
	test_anchors_and_merges();
	test_block_scalars();
	test_documents();
	test_depth();
	test_bombs();
	test_files();
	test_emit_scalars();
	test_emit_structure();
	test_emit_like_kubectl();
	test_round_trip();
	test_round_trip_raw();
	return tap_done();
}
