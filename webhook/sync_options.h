/*
 * sync_options.h - Argo CD's argocd.argoproj.io/sync-options (argocd.md §5).
 *
 * The annotation value is split on ',', each item trimmed of whitespace,
 * and boolean options match as exact strings ("Prune=false"), as in
 * gitops-engine's resource annotations code.  Nothing is allocated.
 */
#ifndef WEBHOOK_SYNC_OPTIONS_H
#define WEBHOOK_SYNC_OPTIONS_H

#include <cjson/cJSON.h>

#define SYNC_OPTIONS_ANNOTATION "argocd.argoproj.io/sync-options"

/* 1 when the comma-separated list `value` contains exactly `option`. */
int sync_options_has(const char *value, const char *option);

/* 1 when obj's sync-options annotation contains `option`. */
int object_has_sync_option(const cJSON *obj, const char *option);

/* 1 when the Application's spec.syncPolicy.syncOptions contains `option`. */
int app_has_sync_option(const cJSON *app, const char *option);

#endif
