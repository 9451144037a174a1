/*
 * tracking.h - which Argo CD Application owns an object (argocd.md §3.1).
 *
 * Annotation tracking (the v3 default, and annotation+label) reads
 * argocd.argoproj.io/tracking-id = "<app-instance>:<group>/<kind>:<ns>/<name>",
 * split on ':' into exactly three parts and the last two on '/' into
 * exactly two each, as Argo CD's ParseAppInstanceValue does.  Label
 * tracking reads the instance label (app.kubernetes.io/instance unless
 * configured).  The app-instance is "<name>" for an Application in the
 * control-plane namespace and "<namespace>_<name>" otherwise; '_' cannot
 * occur in a Kubernetes name, so the first '_' separates the two.
 *
 * Nothing is allocated: struct app_ref holds copies in fixed buffers
 * (Kubernetes names are at most 253 bytes).
 */
#ifndef WEBHOOK_TRACKING_H
#define WEBHOOK_TRACKING_H

#include <cjson/cJSON.h>

struct webhook_config;

#define TRACKING_ID_ANNOTATION "argocd.argoproj.io/tracking-id"

struct app_ref {
	char ns[254];
	char name[254];
};

/* The app-instance part of a tracking id, or -1 if the id is malformed.
 * Copies at most size-1 bytes into instance. */
int tracking_id_instance(const char *id, char *instance, size_t size);

/* "<ns>_<name>" or "<name>" (in control_ns) to an app_ref; -1 if empty or
 * too long. */
int app_instance_to_ref(const char *instance, const char *control_ns, struct app_ref *out);

/* 1 and *owner filled when obj carries a valid tracking mark for the
 * configured method, 0 when it does not. */
int tracking_owner(const cJSON *obj, const struct webhook_config *cfg, struct app_ref *owner);

#endif
