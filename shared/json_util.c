#include "json_util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies the next path segment (up to an unescaped '.') into seg and
 * returns where the following one starts, or NULL at the end. */
static const char *next_segment(const char *p, struct strbuf *seg)
{
	strbuf_reset(seg);
	for (; *p && *p != '.'; p++) {
		if (*p == '\\' && p[1])
			p++;
		strbuf_addch(seg, *p);
	}
	return *p == '.' ? p + 1 : NULL;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static const cJSON *step(const cJSON *v, const char *seg)
{
	if (cJSON_IsObject(v))
		return cJSON_GetObjectItemCaseSensitive(v, seg);
	if (cJSON_IsArray(v) && all_digits(seg) && strlen(seg) < 10)
		return cJSON_GetArrayItem(v, atoi(seg));
	return NULL;
}

const cJSON *json_get(const cJSON *v, const char *path)
{
	struct strbuf seg = STRBUF_INIT;
	const char *p = path;

	if (!path || !*path)
		return v;
	while (v && p) {
		p = next_segment(p, &seg);
		v = step(v, seg.buf);
	}
	strbuf_release(&seg);
	return v;
}

const cJSON *json_get_key(const cJSON *v, const char *key)
{
	if (!cJSON_IsObject(v) || !key)
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(v, key);
}

const char *json_str(const cJSON *v, const char *path, const char *fallback)
{
	const cJSON *s = json_get(v, path);

	return cJSON_IsString(s) && s->valuestring ? s->valuestring : fallback;
}

/* A JSON number's grammar: -?int(.digits)?([eE][+-]?digits)? */
static int is_number_text(const char *s)
{
	const char *d;

	if (!s)
		return 0;
	if (*s == '-')
		s++;
	for (d = s; *s >= '0' && *s <= '9'; s++)
		;
	if (s == d)
		return 0;
	if (*s == '.') {
		for (d = ++s; *s >= '0' && *s <= '9'; s++)
			;
		if (s == d)
			return 0;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		for (d = s; *s >= '0' && *s <= '9'; s++)
			;
		if (s == d)
			return 0;
	}
	return *s == '\0';
}

int json_is_number(const cJSON *v)
{
	return cJSON_IsNumber(v) || (cJSON_IsRaw(v) && is_number_text(v->valuestring));
}

long long json_int(const cJSON *v, const char *path, long long fallback)
{
	const cJSON *n = json_get(v, path);

	if (cJSON_IsNumber(n)) {
		double d = n->valuedouble;

		/* 2^63 is exact as a double; anything below it converts safely. */
		if (d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
			return (long long)d;
		return fallback;
	}
	if (cJSON_IsRaw(n) && is_number_text(n->valuestring)) {
		char *end;
		long long r;

		errno = 0;
		r = strtoll(n->valuestring, &end, 10);
		if (errno || *end)
			return fallback;
		return r;
	}
	return fallback;
}

int json_bool(const cJSON *v, const char *path, int fallback)
{
	const cJSON *b = json_get(v, path);

	if (cJSON_IsTrue(b))
		return 1;
	if (cJSON_IsFalse(b))
		return 0;
	return fallback;
}

/* A number as canonical text, so a raw integer and a double can be compared
 * exactly: integral doubles print in full, others with round-trip digits. */
static void number_text(const cJSON *v, char *buf, size_t len)
{
	double d;

	if (cJSON_IsRaw(v)) {
		snprintf(buf, len, "%s", v->valuestring);
		return;
	}
	d = v->valuedouble;
	if (d == 0)
		snprintf(buf, len, "0");
	else if (d == floor(d) && fabs(d) < 1e21)
		snprintf(buf, len, "%.0f", d);
	else
		snprintf(buf, len, "%.17g", d);
}

static int numbers_equal(const cJSON *a, const cJSON *b)
{
	char ta[512], tb[512];

	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return a->valuedouble == b->valuedouble;
	number_text(a, ta, sizeof(ta));
	number_text(b, tb, sizeof(tb));
	return strcmp(ta, tb) == 0;
}

static int objects_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *x;
	int na = 0, nb = 0;

	cJSON_ArrayForEach (x, a) {
		na++;
		if (!json_equal(x, cJSON_GetObjectItemCaseSensitive(b, x->string)))
			return 0;
	}
	cJSON_ArrayForEach (x, b)
		nb++;
	return na == nb;
}

static int arrays_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *x = a->child, *y = b->child;

	for (; x && y; x = x->next, y = y->next)
		if (!json_equal(x, y))
			return 0;
	return !x && !y;
}

int json_equal(const cJSON *a, const cJSON *b)
{
	if (!a || !b)
		return a == b;
	if (json_is_number(a) && json_is_number(b))
		return numbers_equal(a, b);
	if ((a->type & 0xff) != (b->type & 0xff))
		return 0;
	if (cJSON_IsString(a) || cJSON_IsRaw(a))
		return strcmp(a->valuestring ? a->valuestring : "",
		              b->valuestring ? b->valuestring : "") == 0;
	if (cJSON_IsObject(a))
		return objects_equal(a, b);
	if (cJSON_IsArray(a))
		return arrays_equal(a, b);
	return 1; /* null, true, false */
}

static void set_member(cJSON *obj, const char *key, cJSON *val)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, val);
	else
		cJSON_AddItemToObject(obj, key, val);
}

cJSON *json_merge_patch(const cJSON *target, const cJSON *patch)
{
	const cJSON *p;
	cJSON *result;

	if (!patch)
		return target ? cJSON_Duplicate(target, 1) : NULL;
	if (!cJSON_IsObject(patch))
		return cJSON_Duplicate(patch, 1);
	result = cJSON_IsObject(target) ? cJSON_Duplicate(target, 1) : cJSON_CreateObject();
	cJSON_ArrayForEach (p, patch) {
		const cJSON *cur = cJSON_GetObjectItemCaseSensitive(result, p->string);

		if (cJSON_IsNull(p))
			cJSON_DeleteItemFromObjectCaseSensitive(result, p->string);
		else
			set_member(result, p->string, json_merge_patch(cur, p));
	}
	return result;
}

cJSON *json_merge_diff(const cJSON *old, const cJSON *new)
{
	const cJSON *o, *n;
	cJSON *patch;

	if (!cJSON_IsObject(old) || !cJSON_IsObject(new))
		return new ? cJSON_Duplicate(new, 1) : cJSON_CreateNull();
	patch = cJSON_CreateObject();
	cJSON_ArrayForEach (o, old)
		if (!cJSON_GetObjectItemCaseSensitive(new, o->string))
			cJSON_AddItemToObject(patch, o->string, cJSON_CreateNull());
	cJSON_ArrayForEach (n, new) {
		o = cJSON_GetObjectItemCaseSensitive(old, n->string);
		if (o && json_equal(o, n))
			continue;
		if (cJSON_IsNull(n) && !o)
			continue; /* absent already reads as what a patch can say */
		cJSON_AddItemToObject(patch, n->string, json_merge_diff(o, n));
	}
	return patch;
}

/* Length of the valid UTF-8 sequence at s and its code point, or 0. */
static size_t utf8_seq(const unsigned char *s, unsigned *cp)
{
	size_t n, i;
	unsigned c = s[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static int is_invisible_control(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

void term_escape(struct strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (p && *p) {
		unsigned cp;
		size_t n = utf8_seq(p, &cp);

		if (!n) {
			strbuf_addf(out, "\\x%02x", *p++);
			continue;
		}
		if (cp == '\r') {
			strbuf_addstr(out, "\\r");
		} else if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7f) {
			strbuf_addch(out, '^');
			strbuf_addch(out, cp == 0x7f ? '?' : (int)cp + 0x40);
		} else if (is_invisible_control(cp)) {
			strbuf_addf(out, "\\u%04x", cp);
		} else {
			strbuf_add(out, p, n);
		}
		p += n;
	}
}

char *term_escaped(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	term_escape(&sb, s);
	return strbuf_detach(&sb, NULL);
}
