/*
 * resource_select.h - argocd's `--resource [!]GROUP:KIND:[NAMESPACE/]NAME`
 * selectors, and turning them into an operation's sync.resources.
 *
 * Parsing is argocd's parseSelectedResources: one leading '!' makes an
 * exclude rule; the rest must split on ':' into exactly three fields; the
 * third splits on '/' into NAMESPACE/NAME when it holds a '/', and must then
 * have exactly one.  Fields may be empty (":Service:web" is the core
 * group).  A field equal to "*" matches anything; nothing else is a
 * pattern ("web-*" is literal).  An empty or "*" namespace matches any.
 *
 * Selection is argocd's IncludeResource: with include rules a resource must
 * match one of them, with only exclude rules every resource starts
 * included, and a matching exclude rule always wins.
 *
 * Ownership: struct resource_filters owns its rules and their strings
 * (resource_filters_release); resource_filters_select() returns a new cJSON
 * array the caller deletes.  Pure: no I/O.
 */
#ifndef RESOURCE_SELECT_H
#define RESOURCE_SELECT_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct errbuf;

struct resource_filter {
	char *group, *kind, *ns, *name;
	int exclude;
	char *arg; /* the flag value as given, '!' included */
};

struct resource_filters {
	struct resource_filter *v;
	size_t n, alloc;
};
#define RESOURCE_FILTERS_INIT \
	{                     \
		NULL, 0, 0    \
	}

/*
 * Parses one --resource value and appends it.  On a malformed value it
 * returns -1 with argocd's message (first letter lowercased), e.g.
 * "resource should have GROUP:KIND:NAME, but instead got: a:b", and leaves
 * the list as it was.
 */
int resource_filters_add(struct resource_filters *f, const char *arg, struct errbuf *err);

void resource_filters_release(struct resource_filters *f);

/* IncludeResource: 1 when the rules select this resource.  NULL means "". */
int resource_filters_include(const struct resource_filters *f, const char *group, const char *kind,
                             const char *ns, const char *name);

/*
 * filterAppResources: the entries of status_resources (an Application's
 * status.resources array of {group, kind, namespace, name, …}) that the
 * rules select, in order, as a new array of
 * {"group", "kind", "name", "namespace"} objects with "group" and
 * "namespace" left out when empty, as Go's omitempty writes
 * operation.sync.resources.  With no rules it returns an empty array
 * (meaning: sync everything; leave sync.resources out).  When rules are
 * given but select nothing it returns NULL with "no matching app resources
 * found for resource filter: A, B" (the values as given).
 */
cJSON *resource_filters_select(const struct resource_filters *f, const cJSON *status_resources,
                               struct errbuf *err);

#endif
