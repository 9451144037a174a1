/*
 * fuzz_admission.c - libFuzzer target: the input is an HTTP body posted to
 * /validate.  It goes through the same path as the server's: parse the
 * AdmissionReview, judge it with every policy against a small state, render
 * the response (every policy runs, sync windows and project restrictions
 * included).  Nothing may crash, leak or read out of bounds, and every
 * accepted review must give a response that is itself valid JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "config.h"
#include "review.h"
#include "state.h"
#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct webhook_config cfg;
static struct state_snapshot *snap;

static void setup(void)
{
	static const char *const apps[] = {
		"{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Application\","
		"\"metadata\":{\"name\":\"guestbook\",\"namespace\":\"argocd\",\"annotations\":"
		"{\"argocd.argoproj.io/deletion-approved\":\"2026-01-01T10:00:00Z\"}},"
		"\"spec\":{\"syncPolicy\":{\"syncOptions\":[\"Delete=false\"]}},"
		"\"status\":{\"resources\":[{\"namespace\":\"prod\"}]}}",
		"{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"AppProject\","
		"\"metadata\":{\"name\":\"default\",\"namespace\":\"argocd\"},"
		"\"spec\":{\"sourceRepos\":[\"https://git.example.com/*\",\"!*evil*\"],"
		"\"sourceNamespaces\":[\"/team-.*/\"],"
		"\"destinations\":[{\"server\":\"*\",\"namespace\":\"!kube-*\"}],"
		"\"namespaceResourceBlacklist\":[{\"group\":\"\",\"kind\":\"Secret\"}],"
		"\"syncWindows\":[{\"kind\":\"deny\",\"schedule\":\"0 22 * * *\","
		"\"duration\":\"8h\",\"applications\":[\"*\"],\"timeZone\":\"Europe/Berlin\"},"
		"{\"kind\":\"allow\",\"schedule\":\"*/5 * * * *\",\"duration\":\"1m\","
		"\"namespaces\":[\"prod\"],\"manualSync\":true}]}}",
	};

	webhook_config_init(&cfg);
	snap = state_snapshot_new();
	for (size_t i = 0; i < sizeof(apps) / sizeof(*apps); i++)
		state_snapshot_add(snap, cJSON_Parse(apps[i]));
	state_snapshot_seal(snap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct review_env env = { &cfg, NULL, NULL, NULL, NULL, 1767261900, NULL };
	struct strbuf out = STRBUF_INIT;
	cJSON *check;

	if (!snap)
		setup();
	env.snapshot = snap;
	if (review_http(&env, (const char *)data, size, &out) == 200) {
		check = cJSON_Parse(out.buf);
		if (!check)
			abort();
		cJSON_Delete(check);
	}
	strbuf_release(&out);
	return 0;
}
