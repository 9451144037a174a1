/*
 * state_files.h - fill a state snapshot from files (--state DIR|FILE...).
 *
 * A path is a YAML or JSON file (any number of documents; a document may be
 * a List such as `kubectl get -o yaml` prints) or a directory, read
 * recursively for *.yaml, *.yml and *.json, skipping names that start with
 * '.' (Kubernetes volume mounts keep their "..data" links there).  Objects
 * that are not Applications or AppProjects are ignored.
 *
 * Ownership: the returned snapshot is the caller's (one reference), sealed.
 */
#ifndef WEBHOOK_STATE_FILES_H
#define WEBHOOK_STATE_FILES_H

struct errbuf;
struct state_snapshot;

struct state_snapshot *state_load_paths(const char *const *paths, int nr, struct errbuf *err);

#endif
