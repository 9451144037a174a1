/*
 * output.h - kubectl's -o json|yaml|name printers for API objects.
 *
 * Several objects are printed as one `kind: List`, as kubectl get does;
 * JSON is indented with four spaces like kubectl's.  Nothing here owns
 * what it prints.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdio.h>
#include <cjson/cJSON.h>

/* 1 when fmt is json, yaml, name, or the command's own `extra` (may be NULL). */
int output_format_valid(const char *fmt, const char *extra);

/* Prints `list` (a List with items) as json, yaml or name; `kind_group`
 * names the resource for -o name, e.g. "application.argoproj.io". */
void output_objects(FILE *out, const char *fmt, const cJSON *list, const char *kind_group);

/* Prints one value as kubectl-style indented JSON. */
void output_json(FILE *out, const cJSON *v);

#endif
