#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "errbuf.h"
#include "json_arena.h"
#include "xalloc.h"

struct parser {
	char *start, *p, *end;
	struct arena *a;
	int depth;
	const char *error; /* what went wrong, at p */
	const char *const *const *skip; /* paths left out of the tree, or NULL */
};

#define MAX_SKIP 32

static cJSON *new_node(struct arena *a, int type)
{
	cJSON *n = arena_alloc(a, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->type = type;
	return n;
}

static int fail(struct parser *ps, const char *what)
{
	if (!ps->error)
		ps->error = what;
	return -1;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
		ps->p++;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *w, unsigned cp)
{
	if (cp < 0x80) {
		*w++ = (char)cp;
	} else if (cp < 0x800) {
		*w++ = (char)(0xc0 | (cp >> 6));
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*w++ = (char)(0xe0 | (cp >> 12));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*w++ = (char)(0xf0 | (cp >> 18));
		*w++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	}
	return w;
}

/* A \uXXXX escape (or a surrogate pair) at r (after the backslash-u) to w. */
static int unicode_escape(struct parser *ps, char **r, char **w)
{
	unsigned cp, lo;

	if (ps->end - *r < 4 || hex4(*r, &cp))
		return fail(ps, "bad \\u escape");
	*r += 4;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(ps, "lone low surrogate");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (ps->end - *r < 6 || (*r)[0] != '\\' || (*r)[1] != 'u' || hex4(*r + 2, &lo) ||
		    lo < 0xdc00 || lo > 0xdfff)
			return fail(ps, "unpaired high surrogate");
		*r += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	*w = put_utf8(*w, cp);
	return 0;
}

/* Decodes escapes from r on, writing at w (never ahead of r), to the quote. */
static char *decode_escaped(struct parser *ps, char *r, char *w)
{
	while (r < ps->end) {
		unsigned char c = (unsigned char)*r;

		if (c == '"') {
			*w = '\0';
			ps->p = r + 1;
			return w;
		}
		if (c < 0x20) {
			ps->p = r;
			fail(ps, "control character in string");
			return NULL;
		}
		if (c != '\\') {
			*w++ = *r++;
			continue;
		}
		if (++r >= ps->end)
			break;
		switch (*r++) {
		case '"':
			*w++ = '"';
			break;
		case '\\':
			*w++ = '\\';
			break;
		case '/':
			*w++ = '/';
			break;
		case 'b':
			*w++ = '\b';
			break;
		case 'f':
			*w++ = '\f';
			break;
		case 'n':
			*w++ = '\n';
			break;
		case 'r':
			*w++ = '\r';
			break;
		case 't':
			*w++ = '\t';
			break;
		case 'u':
			if (unicode_escape(ps, &r, &w)) {
				ps->p = r;
				return NULL;
			}
			break;
		default:
			ps->p = r - 1;
			fail(ps, "bad escape");
			return NULL;
		}
	}
	ps->p = ps->end;
	fail(ps, "unterminated string");
	return NULL;
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Non-zero when one of the 8 bytes in w is '"', '\\' or below 0x20. */
static uint64_t special_bytes(uint64_t w)
{
	uint64_t quote = w ^ (ONES * '"'), bslash = w ^ (ONES * '\\');

	return ((quote - ONES) & ~quote & HIGHS) | ((bslash - ONES) & ~bslash & HIGHS) |
	       ((w - ONES * 0x20) & ~w & HIGHS);
}

/* At the opening quote: the string, decoded and NUL-terminated in place. */
static char *parse_string(struct parser *ps)
{
	char *s = ps->p + 1, *r = s;

	for (;;) {
		unsigned char c;

		/* Eight bytes at a time; on a little-endian machine the lowest
		 * flagged byte is the first special one (a false flag can only
		 * follow a true one, through a borrow). */
		if (ps->end - r >= 8 && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) {
			uint64_t w, m;

			memcpy(&w, r, sizeof(w));
			if (!(m = special_bytes(w))) {
				r += 8;
				continue;
			}
			r += __builtin_ctzll(m) >> 3;
		} else {
			while (r < ps->end && (unsigned char)*r >= 0x20 && *r != '"' && *r != '\\')
				r++;
			if (r == ps->end) {
				ps->p = r;
				fail(ps, "unterminated string");
				return NULL;
			}
		}
		c = (unsigned char)*r;
		if (c == '"') {
			*r = '\0';
			ps->p = r + 1;
			return s;
		}
		if (c == '\\')
			return decode_escaped(ps, r, r) ? s : NULL;
		ps->p = r;
		fail(ps, "control character in string");
		return NULL;
	}
}

static int digits(struct parser *ps)
{
	const char *from = ps->p;

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	return ps->p > from ? 0 : fail(ps, "bad number");
}

static void set_number(cJSON *n, double d)
{
	n->valuedouble = d;
	if (d >= INT_MAX)
		n->valueint = INT_MAX;
	else if (d <= (double)INT_MIN)
		n->valueint = INT_MIN;
	else
		n->valueint = (int)d;
}

static int parse_number(struct parser *ps, cJSON *n)
{
	char *from = ps->p, tmp[64], *copy;
	int simple = 1;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '0')
		ps->p++;
	else if (digits(ps))
		return -1;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		simple = 0;
		if (digits(ps))
			return -1;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		simple = 0;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (digits(ps))
			return -1;
	}
	n->type = cJSON_Number;
	if (simple && ps->p - from <= 16) {
		long long v = 0;

		for (const char *q = *from == '-' ? from + 1 : from; q < ps->p; q++)
			v = v * 10 + (*q - '0');
		set_number(n, *from == '-' ? -(double)v : (double)v);
		return 0;
	}
	/* strtod needs a terminator, and the byte after the number is not ours. */
	copy = (size_t)(ps->p - from) < sizeof(tmp) ? tmp : xmalloc((size_t)(ps->p - from) + 1);
	memcpy(copy, from, (size_t)(ps->p - from));
	copy[ps->p - from] = '\0';
	set_number(n, strtod(copy, NULL));
	if (copy != tmp)
		free(copy);
	return 0;
}

static int literal(struct parser *ps, const char *word, size_t len)
{
	if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, word, len))
		return fail(ps, "unexpected character");
	ps->p += len;
	return 0;
}

/*
 * `mask` has bit i set while the keys from the root to this value are a
 * prefix of skip path i; `level` is the number of keys so far.
 */
static int parse_value(struct parser *ps, cJSON *n, uint32_t mask, int level);
static int skip_value(struct parser *ps);

static void append(cJSON *parent, cJSON **last, cJSON *item)
{
	if (!*last) {
		parent->child = item;
	} else {
		(*last)->next = item;
		item->prev = *last;
	}
	*last = item;
	parent->child->prev = item; /* cJSON keeps the tail in child->prev */
}

static int enter(struct parser *ps)
{
	if (++ps->depth > CJSON_NESTING_LIMIT)
		return fail(ps, "nested too deeply");
	ps->p++;
	skip_ws(ps);
	return 0;
}

/* After a member or element: 1 at ',', 0 at the closing bracket, -1 else. */
static int next_or_close(struct parser *ps, char close, const char *what)
{
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ',') {
		ps->p++;
		skip_ws(ps);
		return 1;
	}
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return 0;
	}
	return fail(ps, what);
}

static int parse_array(struct parser *ps, cJSON *n)
{
	cJSON *last = NULL;
	int more;

	n->type = cJSON_Array;
	if (enter(ps))
		return -1;
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		ps->depth--;
		return 0;
	}
	do {
		cJSON *item = new_node(ps->a, cJSON_Invalid);

		if (parse_value(ps, item, 0, 0))
			return -1;
		append(n, &last, item);
	} while ((more = next_or_close(ps, ']', "expected ',' or ']'")) == 1);
	return more;
}

/* The skip paths among `mask` that go on with key at `level`; *drop is
 * set when one of them ends there. */
static uint32_t follow(struct parser *ps, uint32_t mask, int level, const char *key, int *drop)
{
	uint32_t out = 0;

	*drop = 0;
	for (int i = 0; i < MAX_SKIP && (mask >> i); i++) {
		const char *const *path = ps->skip[i];

		if (!((mask >> i) & 1) || path[level][0] != key[0] || strcmp(path[level], key))
			continue;
		if (!path[level + 1])
			*drop = 1;
		else
			out |= UINT32_C(1) << i;
	}
	return out;
}

static int parse_member(struct parser *ps, cJSON *n, cJSON **last, uint32_t mask, int level)
{
	cJSON *item = new_node(ps->a, cJSON_Invalid);
	uint32_t sub = 0;
	int drop = 0;

	if (ps->p >= ps->end || *ps->p != '"')
		return fail(ps, "expected a key");
	if (!(item->string = parse_string(ps)))
		return -1;
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != ':')
		return fail(ps, "expected ':'");
	ps->p++;
	if (mask)
		sub = follow(ps, mask, level, item->string, &drop);
	if (drop)
		return skip_value(ps);
	if (parse_value(ps, item, sub, level + 1))
		return -1;
	append(n, last, item);
	return 0;
}

static int parse_object(struct parser *ps, cJSON *n, uint32_t mask, int level)
{
	cJSON *last = NULL;
	int more;

	n->type = cJSON_Object;
	if (enter(ps))
		return -1;
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		ps->depth--;
		return 0;
	}
	do {
		if (parse_member(ps, n, &last, mask, level))
			return -1;
	} while ((more = next_or_close(ps, '}', "expected ',' or '}'")) == 1);
	return more;
}

/* Strings, numbers and literals. */
static int parse_scalar(struct parser *ps, cJSON *n)
{
	switch (*ps->p) {
	case '"':
		n->type = cJSON_String;
		return (n->valuestring = parse_string(ps)) ? 0 : -1;
	case 't':
		n->type = cJSON_True;
		n->valueint = 1;
		return literal(ps, "true", 4);
	case 'f':
		n->type = cJSON_False;
		return literal(ps, "false", 5);
	case 'n':
		n->type = cJSON_NULL;
		return literal(ps, "null", 4);
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return parse_number(ps, n);
		return fail(ps, "unexpected character");
	}
}

static int parse_value(struct parser *ps, cJSON *n, uint32_t mask, int level)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end");
	if (*ps->p == '{')
		return parse_object(ps, n, mask, level);
	if (*ps->p == '[')
		return parse_array(ps, n);
	return parse_scalar(ps, n);
}

/* Checks a value as parse_value() would, without building it. */
static int skip_value(struct parser *ps)
{
	char close;
	int more;

	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end");
	if (*ps->p != '{' && *ps->p != '[') {
		cJSON scratch = { 0 };

		return parse_scalar(ps, &scratch);
	}
	close = *ps->p == '{' ? '}' : ']';
	if (enter(ps))
		return -1;
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return 0;
	}
	do {
		if (close == '}') {
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, "expected a key");
			if (!parse_string(ps))
				return -1;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, "expected ':'");
			ps->p++;
		}
		if (skip_value(ps))
			return -1;
	} while ((more = next_or_close(ps, close,
	                               close == '}' ? "expected ',' or '}'"
	                                            : "expected ',' or ']'")) == 1);
	return more;
}

static uint32_t all_paths(const char *const *const *skip)
{
	uint32_t mask = 0;

	for (int i = 0; skip && skip[i] && i < MAX_SKIP; i++)
		if (skip[i][0])
			mask |= UINT32_C(1) << i;
	return mask;
}

static cJSON *parse_all(struct arena *a, char *buf, size_t len, const char *const *const *skip,
                        struct errbuf *err)
{
	struct parser ps = { buf, buf, buf + len, a, 0, NULL, skip };
	cJSON *root = new_node(a, cJSON_Invalid);

	if (!parse_value(&ps, root, all_paths(skip), 0)) {
		skip_ws(&ps);
		if (ps.p == ps.end)
			return root;
		fail(&ps, "data after the JSON value");
	}
	errbuf_set(err, "%s at byte %zu", ps.error, (size_t)(ps.p - ps.start));
	return NULL;
}

cJSON *json_arena_parse(struct arena *a, char *buf, size_t len, struct errbuf *err)
{
	return parse_all(a, buf, len, NULL, err);
}

cJSON *json_arena_parse_except(struct arena *a, char *buf, size_t len,
                               const char *const *const *skip, struct errbuf *err)
{
	return parse_all(a, buf, len, skip, err);
}

cJSON *json_arena_parse_prefix(struct arena *a, char *buf, size_t len, size_t *used,
                               struct errbuf *err)
{
	struct parser ps = { buf, buf, buf + len, a, 0, NULL, NULL };
	cJSON *root = new_node(a, cJSON_Invalid);

	if (!parse_value(&ps, root, 0, 0)) {
		*used = (size_t)(ps.p - ps.start);
		return root;
	}
	errbuf_set(err, "%s at byte %zu", ps.error, (size_t)(ps.p - ps.start));
	return NULL;
}

static cJSON *copy_node(struct arena *a, const cJSON *src)
{
	cJSON *n = new_node(a, src->type & 0xff);
	cJSON *last = NULL;

	n->valueint = src->valueint;
	n->valuedouble = src->valuedouble;
	if (src->valuestring)
		n->valuestring = arena_strdup(a, src->valuestring);
	for (const cJSON *c = src->child; c; c = c->next) {
		cJSON *item = copy_node(a, c);

		if (c->string)
			item->string = arena_strdup(a, c->string);
		append(n, &last, item);
	}
	return n;
}

cJSON *json_arena_new(struct arena *a, int type)
{
	return new_node(a, type);
}

void json_arena_append(struct arena *a, cJSON *parent, const char *key, cJSON *item)
{
	cJSON *last = parent->child ? parent->child->prev : NULL;

	item->string = key ? arena_strdup(a, key) : NULL;
	append(parent, &last, item);
}

cJSON *json_arena_copy(struct arena *a, const cJSON *src)
{
	return src ? copy_node(a, src) : NULL;
}

size_t json_arena_copy_size(const cJSON *src)
{
	/* A node, its alignment after a string, and its strings. */
	size_t n = sizeof(cJSON) + 16;

	if (!src)
		return 0;
	if (src->valuestring)
		n += strlen(src->valuestring) + 1;
	if (src->string)
		n += strlen(src->string) + 1;
	for (const cJSON *c = src->child; c; c = c->next)
		n += json_arena_copy_size(c);
	return n;
}
