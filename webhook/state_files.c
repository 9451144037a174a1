#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "errbuf.h"
#include "state.h"
#include "state_files.h"
#include "strbuf.h"
#include "xalloc.h"
#include "yaml_json.h"

#define MAX_STATE_FILE (64 * 1024 * 1024)
#define MAX_DEPTH 8

static void add_doc(struct state_snapshot *s, cJSON *doc)
{
	const char *kind = cJSON_IsObject(doc) ?
		cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "kind")) : NULL;
	cJSON *items = cJSON_GetObjectItemCaseSensitive(doc, "items");

	if (kind && strlen(kind) >= 4 && !strcmp(kind + strlen(kind) - 4, "List") &&
	    cJSON_IsArray(items)) {
		while (items->child)
			add_doc(s, cJSON_DetachItemViaPointer(items, items->child));
		cJSON_Delete(doc);
		return;
	}
	state_snapshot_add(s, doc);
}

static int load_file(struct state_snapshot *s, const char *path, struct errbuf *err)
{
	cJSON *docs = yamljson_parse_file_all(path, MAX_STATE_FILE, err);

	if (!docs)
		return -1;
	while (docs->child)
		add_doc(s, cJSON_DetachItemViaPointer(docs, docs->child));
	cJSON_Delete(docs);
	return 0;
}

static int wanted_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return 0;
	return (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(name + n - 4, ".yml")) ||
	       (n > 5 && !strcmp(name + n - 5, ".json"));
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_path(struct state_snapshot *s, const char *path, int depth,
		     struct errbuf *err);

/* Files in name order, so that a later duplicate wins predictably. */
static int load_dir(struct state_snapshot *s, const char *path, int depth,
		    struct errbuf *err)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t nr = 0;
	int ret = 0;

	if (!d)
		return errbuf_set(err, "%s: cannot open directory", path);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			names = xrealloc(names, (nr + 1) * sizeof(*names));
			names[nr++] = xstrdup(de->d_name);
		}
	closedir(d);
	qsort(names, nr, sizeof(*names), cmp_names);
	for (size_t i = 0; i < nr; i++) {
		struct strbuf sub = STRBUF_INIT;
		struct stat st;

		strbuf_addf(&sub, "%s/%s", path, names[i]);
		if (!ret && !stat(sub.buf, &st) &&
		    (S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && wanted_name(names[i]))))
			ret = load_path(s, sub.buf, depth + 1, err);
		strbuf_release(&sub);
		free(names[i]);
	}
	free(names);
	return ret;
}

static int load_path(struct state_snapshot *s, const char *path, int depth,
		     struct errbuf *err)
{
	struct stat st;

	if (stat(path, &st))
		return errbuf_set(err, "%s: no such file or directory", path);
	if (S_ISDIR(st.st_mode)) {
		if (depth >= MAX_DEPTH)
			return errbuf_set(err, "%s: directories nested too deep", path);
		return load_dir(s, path, depth, err);
	}
	return load_file(s, path, err);
}

struct state_snapshot *state_load_paths(const char *const *paths, int nr,
					struct errbuf *err)
{
	struct state_snapshot *s = state_snapshot_new();

	for (int i = 0; i < nr; i++)
		if (load_path(s, paths[i], 0, err)) {
			state_snapshot_unref(s);
			return NULL;
		}
	state_snapshot_seal(s);
	return s;
}
