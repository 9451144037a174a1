/*
 * project_match.h - does an AppProject permit this source repo, destination,
 * Application namespace or resource kind?
 *
 * These are Argo CD's AppProject checks (app_project_types.go, util/glob,
 * util/git NormalizeGitURL) evaluated directly on the AppProject's JSON, as
 * ../shared/docs/argocd.md §6.2 describes them.  `proj` is the whole
 * AppProject object (its "spec" is read); NULL or a project without a spec
 * behaves like an empty spec.  Every predicate returns 1 (permitted) or 0.
 * An entry of the wrong JSON type is skipped: the CRD schema rules it out.
 *
 * Only the AppProject CR is read.  Argo CD evaluates a "virtual" project
 * that also holds project-scoped repositories and clusters and the lists of
 * global projects, and enforces permitOnlyProjectScopedClusters against
 * cluster secrets; a caller that knows none of these is stricter than Argo
 * CD for the first two and ignores the third.
 *
 * Nothing returned needs freeing except what a function says it allocates.
 */
#ifndef PROJECT_MATCH_H
#define PROJECT_MATCH_H

#include <cjson/cJSON.h>

struct strbuf;

#define PROJECT_DEFAULT_NAME "default"
#define PROJECT_IN_CLUSTER_SERVER "https://kubernetes.default.svc"
#define PROJECT_IN_CLUSTER_NAME "in-cluster"

/* An Application's spec.project, where "" or NULL means "default". */
const char *project_name_or_default(const char *name);

/*
 * util/git NormalizeGitURL: lowercase and trim, turn scp-like
 * "user@host:path" into "user@host/path", drop one trailing ".git", and
 * round-trip through Go's url.Parse/String (which re-escapes some
 * characters and yields "" when Go cannot parse the URL, for instance a
 * non-numeric port: "ssh://git@host:org/repo").  Only ASCII is lowercased.
 * Returns a string the caller frees.
 */
char *project_normalize_git_url(const char *url);

/*
 * spec.sourceRepos: both sides normalised, globs with '/' as separator,
 * "!pattern" entries deny.  In order: an entry that matches permits (a deny
 * entry "matches" every URL it does not deny), a deny entry that does not
 * match rejects at once.  So a list of deny entries only permits every other
 * repo, and an empty list permits nothing.
 */
int project_source_permitted(const cJSON *proj, const char *repo_url);

/*
 * spec.destinations: server, name and namespace globs (no separators, "!"
 * negation).  An entry matches when (server or name matches) and the
 * namespace matches; a non-matching entry rejects at once when its name is
 * a deny pattern that did not match, when its server is a deny pattern that
 * did not match while the namespace did, or when its namespace is a deny
 * pattern that did not match while the server did (argocd.md §6.2).
 *
 * Argo CD compares the *resolved* cluster, knowing both its server and
 * name.  This function compares what it is given: with only a name, only
 * the name can match (and a "!name" entry denies an app that gives only a
 * server).  The one cluster known without cluster secrets is filled in: a
 * server of PROJECT_IN_CLUSTER_SERVER implies the name "in-cluster" and
 * vice versa.  NULL means "".
 */
int project_destination_permitted(const cJSON *proj, const char *server, const char *name,
                                  const char *ns);

/*
 * spec.sourceNamespaces: an Application in control_plane_ns, or with an
 * empty namespace, is always permitted; otherwise app_ns must match an
 * entry, which is a regexp when wrapped in slashes ("/team-.*\/") and a
 * glob otherwise.  The regexp is Go RE2 run as a POSIX extended regexp
 * with \d \D \w \W \s \S, (?:…) and a leading (?i) translated; what does
 * not translate (backreferences, other flags, escapes inside brackets)
 * matches nothing.  A regexp is searched for, not anchored, as in Go.
 * Kubernetes keeps namespaces to 63 characters, which bounds the search.
 */
int project_app_namespace_permitted(const cJSON *proj, const char *app_ns,
                                    const char *control_plane_ns);

/*
 * The resource kind lists, matched with Go's filepath.Match ("" matches
 * only the core group).  Namespaced: whitelisted when
 * namespaceResourceWhitelist is absent (or null), or non-empty and
 * contains it — an explicit [] permits nothing — and not in
 * namespaceResourceBlacklist.  Cluster-scoped: clusterResourceWhitelist
 * must be non-empty and contain it, clusterResourceBlacklist must not.
 *
 * Cluster list entries may also carry a name glob (Argo CD 3.3); an entry
 * without one covers every name.  project_group_kind_permitted() has no
 * name, so entries restricted to names neither permit nor deny there.
 */
int project_group_kind_permitted(const cJSON *proj, const char *group, const char *kind,
                                 int namespaced);
int project_group_kind_name_permitted(const cJSON *proj, const char *group, const char *kind,
                                      const char *name, int namespaced);

/*
 * IsResourcePermitted: the kind check, and for a namespaced resource
 * (ns != "") the destination check on the resource's own namespace.
 */
int project_resource_permitted(const cJSON *proj, const char *group, const char *kind,
                               const char *name, const char *ns, const char *server,
                               const char *cluster_name);

/* The lists a denial message can quote. */
enum project_list {
	PROJECT_SOURCE_REPOS,
	PROJECT_DESTINATIONS,
	PROJECT_SOURCE_NAMESPACES,
	PROJECT_CLUSTER_WHITELIST,
	PROJECT_CLUSTER_BLACKLIST,
	PROJECT_NAMESPACE_WHITELIST,
	PROJECT_NAMESPACE_BLACKLIST
};

/* The field's name in the spec, e.g. "sourceRepos". */
const char *project_list_field(enum project_list list);

/*
 * Appends a one-line description of the list to out, for messages such as
 * "repo X is not permitted: sourceRepos: 'https://git.example/app', '!https://…'".
 * Entries are quoted as written; destinations read
 * "server 'S' namespace 'N'" (or "name 'C' …"), kinds read "group:kind"
 * (":Service" for the core group) with ":name" for a named cluster entry.
 * An absent or empty list says what that means, e.g. "(absent: every
 * namespaced kind)" or "(empty: none)".
 */
void project_describe(const cJSON *proj, enum project_list list, struct strbuf *out);

#endif
