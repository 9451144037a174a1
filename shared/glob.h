/*
 * glob.h - the glob matching Argo CD uses (gobwas/glob v0.2.3 and Go's
 * path/filepath.Match), plus Argo CD's `!` negation wrapper.
 *
 * Argo CD compiles patterns with gobwas/glob: `*` matches any run of
 * characters except the separators given (none for sync windows, so `*`
 * also crosses `/`), `?` one character, `[abc]`, `[!abc]`, `[a-z]`, `{a,b}`
 * alternatives, `\` escapes; `**` crosses separators, a `[...]` class
 * ignores them.  A pattern that does not compile never matches.  See
 * ../shared/docs/argocd.md §4.4 and §6.2.
 *
 * Text is UTF-8 and matched per rune, as in Go: an invalid byte in the
 * value is one U+FFFD rune; a pattern with invalid UTF-8 (or U+FFFD) does
 * not compile.  v0.2.3 quirks kept: an unclosed `{` is closed at the end
 * of the pattern, a trailing lone `\` is dropped, and only `[x-y]` with
 * nothing else between the brackets is a range (`[ab-c]` is a, b, -, c).
 *
 * Cost: time O(len(pattern) * len(value)) and memory O(len(pattern)) in
 * the worst case (no backtracking, so `*a*a*…b` is harmless); callers fed
 * by the network should still bound both lengths.  Nothing here allocates
 * anything the caller must free.
 */
#ifndef GLOB_H
#define GLOB_H

/* gobwas/glob semantics; `separators` is a UTF-8 string of separator
 * characters, NULL or "" for none.  Returns 1 on match, 0 otherwise (also
 * on a bad pattern or a NULL argument). */
int glob_match(const char *pattern, const char *value, const char *separators);

/* 1 when the pattern compiles under gobwas/glob, else 0. */
int glob_valid(const char *pattern);

/*
 * Argo CD's globMatch (app_project_types.go): with allow_negation, a
 * pattern "!rest" yields the opposite of glob_match(rest, …); otherwise
 * "*" is always true and anything else is glob_match.  Note "!*" is false
 * for every value when there are no separators.
 */
int glob_argo_match(const char *pattern, const char *value, int allow_negation,
                    const char *separators);

/*
 * Go's path/filepath.Match on Unix: `*` and `?` stop at '/', classes are
 * `[abc]`, `[a-z]`, `[^a]`, `\` escapes, no `{}`.  Returns 1, 0, or -1 for
 * a malformed pattern (ErrBadPattern), reported whatever the name, as
 * Go >= 1.16 does.  Argo CD treats -1 as no match.
 */
int glob_filepath_match(const char *pattern, const char *name);

#endif
