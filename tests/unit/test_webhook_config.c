/*
 * The configuration file: documented defaults, every key, and the errors a
 * typo gets instead of silently weakening a policy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "errbuf.h"
#include "policy.h"
#include "tap.h"

static int load_text(struct webhook_config *cfg, const char *yaml, struct errbuf *err)
{
	char path[] = "/tmp/test_webhook_config_XXXXXX";
	int fd = mkstemp(path), rc;

	if (fd < 0 || write(fd, yaml, strlen(yaml)) != (ssize_t)strlen(yaml))
		return errbuf_set(err, "cannot write a temporary file");
	close(fd);
	rc = webhook_config_load(cfg, path, policy_names, err);
	unlink(path);
	return rc;
}

static void test_defaults(void)
{
	struct webhook_config cfg;

	webhook_config_init(&cfg);
	is_str(cfg.control_plane_namespace, "argocd", "default control-plane namespace");
	ok(cfg.controller_users.nr == 1 &&
	           !strcmp(cfg.controller_users.v[0],
	                   "system:serviceaccount:argocd:argocd-application-controller"),
	   "default controller identity");
	ok(string_list_has(&cfg.teardown_users,
	                   "system:serviceaccount:kube-system:namespace-controller"),
	   "the namespace controller tears namespaces down");
	is_int(cfg.tracking_method, TRACKING_ANNOTATION, "annotation tracking by default");
	is_str(cfg.instance_label_key, "app.kubernetes.io/instance", "default label key");
	is_int(cfg.approval_ttl_ms, 15 * 60 * 1000, "approval TTL 15m");
	is_int(cfg.max_body_bytes, 3 * 1024 * 1024, "body limit 3 MiB");
	ok(webhook_config_policy(&cfg, "deletion-protection") == NULL, "no per-policy settings");
	webhook_config_release(&cfg);
}

static void test_full(void)
{
	struct webhook_config cfg;
	struct errbuf err;
	const struct policy_config *p;

	webhook_config_init(&cfg);
	if (!ok(load_text(&cfg,
	                  "# every key\n"
	                  "controlPlaneNamespace: gitops\n"
	                  "controllerUsers: [system:serviceaccount:gitops:controller, ci-bot]\n"
	                  "namespaceTeardownUsers: []\n"
	                  "tracking: {method: annotation+label, labelKey: example.com/app}\n"
	                  "deletionApproval: {ttl: 1h30m}\n"
	                  "maxRequestBytes: 1048576\n"
	                  "exemptions:\n  users: [root]\n  groups: [system:masters]\n"
	                  "  namespaces: [kube-system]\n"
	                  "policies:\n"
	                  "  deletion-protection: {mode: warn, exemptions: {users: [bob]}}\n"
	                  "  sync-windows: {mode: off}\n"
	                  "  change-freeze: {mode: audit}\n"
	                  "server: {maxConnections: 50, idleTimeout: 1m, threads: 3}\n",
	                  &err) == 0,
	        "a file with every key loads"))
		diag(err.msg);
	is_str(cfg.control_plane_namespace, "gitops", "control-plane namespace");
	ok(cfg.controller_users.nr == 2 && string_list_has(&cfg.controller_users, "ci-bot"),
	   "a list replaces the default");
	is_int(cfg.teardown_users.nr, 0, "an empty list empties it");
	is_int(cfg.tracking_method, TRACKING_ANNOTATION_LABEL, "tracking method");
	is_str(cfg.instance_label_key, "example.com/app", "label key");
	is_int(cfg.approval_ttl_ms, 90 * 60 * 1000, "TTL");
	is_int(cfg.max_body_bytes, 1048576, "body limit");
	ok(string_list_has(&cfg.exempt.groups, "system:masters"), "exempt groups");
	p = webhook_config_policy(&cfg, "deletion-protection");
	ok(p && p->mode == POLICY_WARN && string_list_has(&p->exempt.users, "bob"),
	   "per-policy mode and exemptions");
	p = webhook_config_policy(&cfg, "sync-windows");
	ok(p && p->mode == POLICY_OFF, "a policy switched off (YAML's bare off)");
	p = webhook_config_policy(&cfg, "change-freeze");
	ok(p && p->mode == POLICY_AUDIT, "audit mode");
	ok(cfg.max_connections == 50 && cfg.idle_timeout_s == 60 && cfg.threads == 3,
	   "server settings");
	webhook_config_release(&cfg);
}

static const struct {
	const char *yaml, *error;
} bad[] = {
	{ "controlPlaneNamspace: argocd\n", "config: unknown key \"controlPlaneNamspace\"" },
	{ "tracking: {metod: label}\n", "tracking: unknown key \"metod\"" },
	{ "tracking: {method: labels}\n", "tracking.method: expected annotation, label" },
	{ "policies: {deletion-protection: {mode: block}}\n",
	  "policies.deletion-protection.mode: expected enforce, warn, audit or off" },
	{ "policies: {prune-protection: {mode: warn}}\n", "unknown policy \"prune-protection\"" },
	{ "deletionApproval: {ttl: 15}\n", "deletionApproval.ttl: expected a positive duration" },
	{ "deletionApproval: {ttl: -5m}\n", "deletionApproval.ttl: expected a positive duration" },
	{ "maxRequestBytes: 12\n", "maxRequestBytes: must be at least 1024" },
	{ "maxRequestBytes: 1.5\n", "expected a whole number" },
	{ "controllerUsers: system:serviceaccount:argocd:x\n", "expected a list of strings" },
	{ "controllerUsers: [1, 2]\n", "expected a list of strings" },
	{ "exemptions: [alice]\n", "exemptions: expected a mapping" },
	{ "server: {idleTimeout: 10ms}\n", "server.idleTimeout: must be at least 1s" },
	{ "server: {maxConnections: 0}\n", "server.maxConnections: must be at least 1" },
	{ "- a\n- b\n", "config: expected a mapping" },
	{ "key: [unclosed\n", "" },
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct webhook_config cfg;
		struct errbuf err;

		webhook_config_init(&cfg);
		errbuf_clear(&err);
		ok(load_text(&cfg, bad[i].yaml, &err) == -1 && strstr(err.msg, bad[i].error),
		   "rejected: %s", bad[i].error[0] ? bad[i].error : "invalid YAML");
		if (!strstr(err.msg, bad[i].error))
			printf("#   got: %s\n", err.msg);
		webhook_config_release(&cfg);
	}
}

static void test_empty(void)
{
	struct webhook_config cfg;
	struct errbuf err;

	webhook_config_init(&cfg);
	ok(load_text(&cfg, "# nothing set\n", &err) == 0 && cfg.approval_ttl_ms == 15 * 60 * 1000,
	   "an empty file keeps the defaults");
	ok(webhook_config_load(&cfg, "/nonexistent/config.yaml", policy_names, &err) == -1,
	   "a missing file is an error");
	webhook_config_release(&cfg);
}

int main(void)
{
	test_defaults();
	test_full();
	test_errors();
	test_empty();
	return tap_done();
}
