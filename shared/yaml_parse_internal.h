/*
 * yaml_parse_internal.h - the YAML parser's state, shared by yaml_parse.c
 * (libyaml events in) and yaml_builder.c (cJSON out); not for use outside
 * them.
 *
 * Ownership: a struct builder owns its stack of frames, each frame's node
 * (until attached to its parent), pending key and anchor name, the anchor
 * table with its names and keys, `keep` (values in no tree that anchors
 * point into) and `root`.  An anchor's value is borrowed from the
 * document.  A strtab's keys are borrowed from whoever owns the entry.
 * yaml_parse.c creates and releases the builder; each function below says
 * what it takes and what it borrows.
 */
#ifndef YAML_PARSE_INTERNAL_H
#define YAML_PARSE_INTERNAL_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <yaml.h>

#define MAX_DEPTH 1000

struct errbuf;

/* An open-addressing string table (yaml_builder.c). */
struct strent {
	const char *key; /* borrowed from the owner of the entry */
	void *val;
	size_t line;
	int merged;
};

struct strtab {
	struct strent *e;
	size_t cap, used;
};

struct anchor {
	char *name;
	cJSON *value; /* borrowed from the document; NULL: see valerr */
	const char *valerr;
	char *key; /* the node as a mapping key; NULL: see keyerr */
	const char *keyerr;
};

struct frame {
	cJSON *node; /* not yet attached to its parent */
	char *anchor;
	int is_map;
	struct strtab keys; /* members so far: explicit or merged */
	char *key; /* pending key; NULL while a key is expected */
	int key_merge;
	yaml_mark_t key_mark;
};

struct builder {
	const char *name;
	const char *buf;
	size_t len;
	struct errbuf *err;
	struct frame *stack;
	size_t depth, alloc;
	struct strtab anchors;
	cJSON *keep; /* values in no tree that anchors point into */
	cJSON *root;
	size_t nodes, alias_nodes, alias_bytes;
};

struct strent *yj_strtab_find(const struct strtab *t, const char *key);
void yj_strtab_release(struct strtab *t);

/* Sets b->err to "NAME:LINE:COLUMN: message" at mark m; returns -1. */
__attribute__((format(printf, 3, 4))) int yj_fail(struct builder *b, const yaml_mark_t *m,
                                                  const char *fmt, ...);
/* s quoted for an error message into buf: cut short, controls escaped. */
const char *yj_quote(char *buf, size_t size, const char *s);

/* The innermost open collection, or NULL at the top level. */
struct frame *yj_top(struct builder *b);
/* Whether the next node is a mapping key. */
int yj_expecting_key(struct builder *b);
/* Accounts for a copy of v made by an alias or a merge against the alias
 * budget and the depth limit; -1 (err set) when exceeded. */
int yj_charge(struct builder *b, const cJSON *v, const yaml_mark_t *m);
/* Defines or redefines anchor `name` (taken) as value (borrowed; NULL:
 * using it as a value fails with valerr) and key (taken; NULL: using it as
 * a key fails with keyerr). */
void yj_set_anchor(struct builder *b, char *name, cJSON *value, const char *valerr, char *key,
                   const char *keyerr);
void yj_clear_anchors(struct builder *b);
/* Merges v (a mapping or a sequence of mappings, borrowed) into f as a
 * merge key's value: keys f already has win. */
int yj_merge_value(struct builder *b, struct frame *f, const cJSON *v);
/* Hands a finished value to the open collection (or makes it the root);
 * takes ownership of v in every case. */
int yj_attach(struct builder *b, cJSON *v);
/* Records key (taken) as the pending key of the innermost mapping. */
void yj_set_key(struct builder *b, char *key, int merge, const yaml_mark_t *m);

#endif
