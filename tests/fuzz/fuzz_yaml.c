/*
 * fuzz_yaml.c - libFuzzer target for the yaml_json.h module (shared/yaml_*.c).
 *
 * Parses the input as a YAML stream; every document must then survive the
 * round trip parse(emit(doc)) == doc.  A parse error is fine, a crash, a
 * sanitizer report, a leak or a round trip that changes a value is not.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "errbuf.h"
#include "json_util.h"
#include "strbuf.h"
#include "yaml_json.h"

static void check_round_trip(const cJSON *doc)
{
	struct strbuf yaml = STRBUF_INIT;
	struct errbuf err = { 0 };
	cJSON *back;

	yamljson_emit(&yaml, doc);
	back = yamljson_parse_one(yaml.buf, yaml.len, "emitted", &err);
	if (!back || !json_equal(doc, back)) {
		char *json = cJSON_PrintUnformatted(doc);

		fprintf(stderr, "round trip failed: %s\nvalue: %s\nemitted:\n%s\n",
		        back ? "value changed" : err.msg, json ? json : "?", yaml.buf);
		abort();
	}
	cJSON_Delete(back);
	strbuf_release(&yaml);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errbuf err = { 0 };
	cJSON *docs = yamljson_parse_all((const char *)data, size, "fuzz", &err);
	const cJSON *doc;

	if (!docs)
		return 0;
	cJSON_ArrayForEach (doc, docs)
		check_round_trip(doc);
	cJSON_Delete(docs);
	return 0;
}
