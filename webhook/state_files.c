#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "errbuf.h"
#include "json_arena.h"
#include "state.h"
#include "state_files.h"
#include "strbuf.h"
#include "xalloc.h"
#include "yaml_json.h"

#define MAX_STATE_FILE (64 * 1024 * 1024)
#define MAX_DEPTH 8
/* Pages of a streamed file already read are given back every so often. */
#define DROP_EVERY (1024 * 1024)

static int kind_is_list(const char *kind)
{
	size_t n = kind ? strlen(kind) : 0;

	return n >= 4 && !strcmp(kind + n - 4, "List");
}

static int is_list(const char *kind, const cJSON *items)
{
	return kind_is_list(kind) && cJSON_IsArray(items);
}

/* The records of one file, in file order. */
struct records {
	struct state_obj **v;
	size_t nr, alloc;
};

/* A borrowed document (an object, or a List of them) to records. */
static void add_tree(struct records *r, const cJSON *doc)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(doc, "items"), *it;

	if (cJSON_IsObject(doc) &&
	    is_list(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "kind")), items)) {
		cJSON_ArrayForEach (it, items)
			add_tree(r, it);
		return;
	}
	if (r->nr == r->alloc) {
		r->alloc = r->alloc ? 2 * r->alloc : 256;
		r->v = xrealloc(r->v, r->alloc * sizeof(*r->v));
	}
	r->v[r->nr++] = state_obj_from_json(doc);
}

/* Adds the records to s (when `keep`) and frees them. */
static void records_done(struct records *r, struct state_snapshot *s, int keep)
{
	for (size_t i = 0; i < r->nr; i++) {
		if (keep)
			state_snapshot_add_obj(s, r->v[i]);
		state_obj_unref(r->v[i]);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

struct stream {
	char *base, *p, *end, *dropped;
	struct arena arena;
	struct records items;
	char *kind; /* the document's kind */
};

static void skip_ws(struct stream *st)
{
	while (st->p < st->end &&
	       (*st->p == ' ' || *st->p == '\n' || *st->p == '\r' || *st->p == '\t'))
		st->p++;
}

static int punct(struct stream *st, char c)
{
	skip_ws(st);
	if (st->p >= st->end || *st->p != c)
		return 0;
	st->p++;
	return 1;
}

/* The next value, in the arena (reset by the caller). */
static cJSON *next_value(struct stream *st)
{
	struct errbuf err;
	size_t used;
	cJSON *v = json_arena_parse_prefix(&st->arena, st->p, (size_t)(st->end - st->p), &used, &err);

	if (v)
		st->p += used;
	return v;
}

/* Gives the pages read so far back to the kernel: the file stays on disk. */
static void drop_read_pages(struct stream *st)
{
	long page = sysconf(_SC_PAGESIZE);
	char *upto = st->base + ((size_t)(st->p - st->base) / (size_t)page) * (size_t)page;

	if (upto - st->dropped < DROP_EVERY)
		return;
	madvise(st->dropped, (size_t)(upto - st->dropped), MADV_DONTNEED);
	st->dropped = upto;
}

static int stream_items(struct stream *st)
{
	cJSON *item;

	if (!punct(st, '['))
		return -1;
	if (punct(st, ']'))
		return 0;
	do {
		if (!(item = next_value(st)))
			return -1;
		add_tree(&st->items, item);
		arena_reset(&st->arena);
		drop_read_pages(st);
	} while (punct(st, ','));
	return punct(st, ']') ? 0 : -1;
}

/* The top-level object member by member; 0 once it was a List. */
static int stream_document(struct stream *st)
{
	int seen_items = 0;
	cJSON *key, *v;

	if (!punct(st, '{'))
		return -1;
	if (punct(st, '}'))
		return -1;
	do {
		skip_ws(st);
		if (!(key = next_value(st)) || !cJSON_IsString(key) || !punct(st, ':'))
			return -1;
		skip_ws(st);
		if (!strcmp(key->valuestring, "items") && st->p < st->end && *st->p == '[') {
			if (seen_items++ || stream_items(st))
				return -1;
			continue;
		}
		if (!(v = next_value(st)))
			return -1;
		if (!strcmp(key->valuestring, "kind") && cJSON_IsString(v) && !st->kind)
			st->kind = xstrdup(v->valuestring);
		arena_reset(&st->arena);
	} while (punct(st, ','));
	if (!punct(st, '}'))
		return -1;
	skip_ws(st);
	return st->p == st->end && seen_items && kind_is_list(st->kind) ? 0 : -1;
}

/*
 * A JSON List (what `kubectl get -o json` and the API server give) read
 * item by item from a private mapping, so that loading 20,000
 * Applications never holds more than one of them as JSON: each item
 * becomes its record at once, and the pages already read are dropped.
 * Returns 0 when the file was such a List; -1 when it is anything else
 * (YAML, a single object, invalid JSON...), for the general path.
 */
static int load_json_list(struct state_snapshot *s, const char *path)
{
	struct stream st = { 0 };
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -1;
	void *map;

	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) || sb.st_size <= 0 || (size_t)sb.st_size > MAX_STATE_FILE) {
		close(fd);
		return -1;
	}
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	st.base = st.p = st.dropped = map;
	st.end = st.base + sb.st_size;
	arena_init(&st.arena, 64 * 1024);
	ret = stream_document(&st);
	records_done(&st.items, s, !ret);
	free(st.kind);
	arena_release(&st.arena);
	munmap(map, (size_t)sb.st_size);
	return ret;
}

static int load_file(struct state_snapshot *s, const char *path, struct errbuf *err)
{
	struct records r = { 0 };
	const cJSON *doc;
	cJSON *docs;

	if (!load_json_list(s, path))
		return 0;
	if (!(docs = yamljson_parse_file_all(path, MAX_STATE_FILE, err)))
		return -1;
	cJSON_ArrayForEach (doc, docs)
		add_tree(&r, doc);
	cJSON_Delete(docs);
	records_done(&r, s, 1);
	return 0;
}

static int wanted_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return 0;
	return (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(name + n - 4, ".yml")) || (n > 5 && !strcmp(name + n - 5, ".json"));
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_path(struct state_snapshot *s, const char *path, int depth, struct errbuf *err);

/* Files in name order, so that a later duplicate wins predictably. */
static int load_dir(struct state_snapshot *s, const char *path, int depth, struct errbuf *err)
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

static int load_path(struct state_snapshot *s, const char *path, int depth, struct errbuf *err)
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

struct state_snapshot *state_load_paths(const char *const *paths, int nr, struct errbuf *err)
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
