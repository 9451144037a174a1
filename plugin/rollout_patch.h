/*
 * rollout_patch.h - the merge patches `rollout promote` sends, chosen
 * exactly as argo-rollouts' getPatches does (../shared/docs/
 * rollouts-and-kubectl.md §1.2), so the bodies are byte-compatible with
 * the upstream plugin's, plus one guard upstream lacks: when a
 * resourceVersion is given, every body starts with
 * {"metadata":{"resourceVersion":"RV"}, so a patch computed from a stale
 * read fails with 409 Conflict instead of applying to a rollout that has
 * moved on.
 *
 * Pure: no I/O.  Ownership: the strings in struct rollout_patches are the
 * caller's, freed by rollout_patches_release().
 */
#ifndef ROLLOUT_PATCH_H
#define ROLLOUT_PATCH_H

#include <cjson/cJSON.h>

struct errbuf;

enum promote_mode {
	PROMOTE_DEFAULT,
	PROMOTE_FULL, /* --full */
	PROMOTE_SKIP_CURRENT_STEP, /* deprecated -c */
	PROMOTE_SKIP_ALL_STEPS, /* deprecated -a */
};

struct rollout_patches {
	char *spec; /* merge patch for the main resource, or NULL */
	char *status; /* merge patch for /status, or NULL */
	char *unified; /* spec+status on the main resource, for controllers
			 * without the status subresource (v0.9), or NULL */
};

/*
 * Fills *out from the rollout `ro` (as read by GET).  rv may be NULL (no
 * guard).  Returns 0, or -1 with err for the flag combinations upstream
 * refuses (a skip flag on blue-green or on a canary without steps).
 */
int rollout_promote_patches(const cJSON *ro, enum promote_mode mode, const char *rv,
                            struct rollout_patches *out, struct errbuf *err);
void rollout_patches_release(struct rollout_patches *p);

/* The next step index: index+1, but never past the number of steps. */
int rollout_next_step(const cJSON *ro);

#endif
