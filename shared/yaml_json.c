/*
 * yaml_json.c - YAML to cJSON and back, typed the way kubectl types YAML.
 *
 * kubectl reads YAML with sigs.k8s.io/yaml: go-yaml v2 decodes into Go
 * values (YAML 1.1 scalar resolution), which are then marshalled as JSON.
 * The parser below builds cJSON directly from libyaml's events and applies
 * the same resolution (go-yaml v2's resolve.go) to every plain scalar.
 * The emitter drives libyaml's emitter, from which go-yaml's is ported,
 * with the scalar styles go-yaml v2's encoder asks for, so the output
 * matches `kubectl get -o yaml` byte for byte on ordinary objects.
 *
 * Where JSON cannot follow YAML, yaml_json.h lists what we decided.  The
 * parser attaches a collection to its parent only once it is complete, so
 * an anchor names a finished node and an error frees each open one.
 */
#include "yaml_json.h"
#include "base64.h"
#include "errbuf.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 1000
#define DEFAULT_FILE_MAX ((size_t)64 << 20)
/* Text copied by alias expansion; go-yaml shares strings, cJSON copies. */
#define MAX_ALIAS_BYTES ((size_t)64 << 20)

/* ---------------------------------------------------------------- UTF-8 */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, c &= 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, c &= 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Appends s with every byte that is not valid UTF-8 replaced by U+FFFD,
 * which is what Go's encoding/json does before kubectl prints it. */
static void add_utf8_fixed(struct strbuf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		k = utf8_len(p + i, n - i, &cp);
		if (k) {
			strbuf_add(out, p + i, k);
			i += k;
		} else {
			strbuf_addstr(out, "\xef\xbf\xbd");
			i++;
		}
	}
}

static int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		k = utf8_len(p + i, n - i, &cp);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

/* ------------------------------------------------- numbers, the Go way */

/* strtod on text known to be [-+]digits[.digits][e[-+]digits], whatever
 * LC_NUMERIC says; returns -1 if the value overflows to infinity. */
static int c_strtod(const char *s, size_t n, double *out)
{
	const char *dp = localeconv()->decimal_point;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '.')
			strbuf_addstr(&sb, dp && *dp ? dp : ".");
		else
			strbuf_addch(&sb, s[i]);
	}
	*out = strtod(sb.buf, NULL);
	strbuf_release(&sb);
	return isinf(*out) ? -1 : 0;
}

/* The shortest decimal digits that read back as v (v > 0, finite) at the
 * given precision (32 or 64 bits), and the decimal point position:
 * v = 0.DIGITS x 10^dp. */
static void shortest_digits(double v, int bits, char *dig, int *nd, int *dp)
{
	char buf[64], *p;
	int prec, n = 0;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, v);
		if (bits == 32 ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v)
			break;
	}
	for (p = buf; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			dig[n++] = *p;
	while (n > 1 && dig[n - 1] == '0')
		n--;
	dig[n] = '\0';
	*nd = n;
	*dp = atoi(p + 1) + 1;
}

/* strconv.FormatFloat(v, 'g', -1, bits), with go-yaml's names for the
 * special values. */
static void go_format_float(double v, int bits, char *out, size_t size)
{
	char dig[32];
	int nd, dp, exp, i;
	struct strbuf sb = STRBUF_INIT;

	if (bits == 32)
		v = (float)v;
	if (isnan(v) || isinf(v)) {
		snprintf(out, size, "%s", isnan(v) ? ".nan" : v > 0 ? ".inf" : "-.inf");
		return;
	}
	if (signbit(v))
		strbuf_addch(&sb, '-');
	v = fabs(v);
	if (v == 0) {
		strbuf_addch(&sb, '0');
		goto done;
	}
	shortest_digits(v, bits, dig, &nd, &dp);
	exp = dp - 1;
	if (exp < -4 || exp >= 6) {
		strbuf_addch(&sb, dig[0]);
		if (nd > 1)
			strbuf_addf(&sb, ".%s", dig + 1);
		strbuf_addf(&sb, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
		goto done;
	}
	if (dp <= 0)
		strbuf_addch(&sb, '0');
	for (i = 0; i < dp; i++)
		strbuf_addch(&sb, i < nd ? dig[i] : '0');
	if (nd > dp) {
		strbuf_addch(&sb, '.');
		for (i = dp; i < nd; i++)
			strbuf_addch(&sb, i < 0 ? '0' : dig[i]);
	}
done:
	snprintf(out, size, "%s", sb.buf);
	strbuf_release(&sb);
}

/* strconv.ParseUint(s, base, 64): base 0 picks 0x/0o/0b/0 prefixes.
 * Returns 0, or -1 on bad syntax or overflow. */
static int go_parse_uint(const char *s, size_t n, int base, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (!n)
		return -1;
	if (base == 0) {
		base = 10;
		if (s[0] == '0') {
			char c = n >= 3 ? (char)(s[1] | 0x20) : 0;

			base = c == 'b' ? 2 : c == 'o' ? 8 : c == 'x' ? 16 : 8;
			i = (c == 'b' || c == 'o' || c == 'x') ? 2 : 1;
		}
	}
	for (; i < n; i++) {
		int c = (unsigned char)s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
			d = (c | 0x20) - 'a' + 10;
		else
			return -1;
		if (d >= base)
			return -1;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

/* strconv.ParseInt(s, base, 64). */
static int go_parse_int(const char *s, size_t n, int base, int64_t *out)
{
	int neg = 0;
	uint64_t u;

	if (n && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		s++, n--;
	}
	if (go_parse_uint(s, n, base, &u))
		return -1;
	if (!neg && u > (uint64_t)INT64_MAX)
		return -1;
	if (neg && u > (uint64_t)INT64_MAX + 1)
		return -1;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

static size_t skip_digits(const char *s, size_t i, size_t n)
{
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* go-yaml's yamlStyleFloat:
 * ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static int yaml_style_float(const char *s, size_t n)
{
	size_t i = 0, j;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i < n && s[i] == '.') {
		j = skip_digits(s, i + 1, n);
		if (j == i + 1)
			return 0;
		i = j;
	} else {
		j = skip_digits(s, i, n);
		if (j == i)
			return 0;
		i = j;
		if (i < n && s[i] == '.')
			i = skip_digits(s, i + 1, n);
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		j = skip_digits(s, i, n);
		if (j == i)
			return 0;
		i = j;
	}
	return i == n;
}

/* ----------------------------------------------------- scalar resolution */

enum ykind { Y_STR, Y_NULL, Y_BOOL, Y_INT, Y_UINT, Y_FLOAT, Y_TIMESTAMP };

struct yscalar {
	enum ykind kind;
	int b;
	int64_t i;
	uint64_t u;
	double f;
};

static const struct {
	const char *s;
	enum ykind kind;
	double v;
} resolve_map[] = {
	{"y", Y_BOOL, 1},
	{"Y", Y_BOOL, 1},
	{"yes", Y_BOOL, 1},
	{"Yes", Y_BOOL, 1},
	{"YES", Y_BOOL, 1},
	{"true", Y_BOOL, 1},
	{"True", Y_BOOL, 1},
	{"TRUE", Y_BOOL, 1},
	{"on", Y_BOOL, 1},
	{"On", Y_BOOL, 1},
	{"ON", Y_BOOL, 1},
	{"n", Y_BOOL, 0},
	{"N", Y_BOOL, 0},
	{"no", Y_BOOL, 0},
	{"No", Y_BOOL, 0},
	{"NO", Y_BOOL, 0},
	{"false", Y_BOOL, 0},
	{"False", Y_BOOL, 0},
	{"FALSE", Y_BOOL, 0},
	{"off", Y_BOOL, 0},
	{"Off", Y_BOOL, 0},
	{"OFF", Y_BOOL, 0},
	{"", Y_NULL, 0},
	{"~", Y_NULL, 0},
	{"null", Y_NULL, 0},
	{"Null", Y_NULL, 0},
	{"NULL", Y_NULL, 0},
	{".nan", Y_FLOAT, NAN},
	{".NaN", Y_FLOAT, NAN},
	{".NAN", Y_FLOAT, NAN},
	{".inf", Y_FLOAT, INFINITY},
	{".Inf", Y_FLOAT, INFINITY},
	{".INF", Y_FLOAT, INFINITY},
	{"+.inf", Y_FLOAT, INFINITY},
	{"+.Inf", Y_FLOAT, INFINITY},
	{"+.INF", Y_FLOAT, INFINITY},
	{"-.inf", Y_FLOAT, -INFINITY},
	{"-.Inf", Y_FLOAT, -INFINITY},
	{"-.INF", Y_FLOAT, -INFINITY},
};

/* resolve.go's resolveTable: the first byte says what a plain scalar may
 * be; 0 means "only a string". */
static char resolve_hint(const char *s, size_t n)
{
	if (!n)
		return 'N';
	if (s[0] == '+' || s[0] == '-')
		return 'S';
	if (s[0] >= '0' && s[0] <= '9')
		return 'D';
	if (s[0] && strchr("yYnNtTfFoO~", s[0]))
		return 'M';
	return s[0] == '.' ? '.' : 0;
}

static int lookup_map(const char *s, size_t n, struct yscalar *r)
{
	size_t k;

	for (k = 0; k < sizeof(resolve_map) / sizeof(resolve_map[0]); k++) {
		if (strlen(resolve_map[k].s) == n && !memcmp(resolve_map[k].s, s, n)) {
			r->kind = resolve_map[k].kind;
			r->b = resolve_map[k].v != 0;
			r->f = resolve_map[k].v;
			return 1;
		}
	}
	return 0;
}

static int get_num(const char **p, const char *end, int fixed, int *out)
{
	const char *s = *p;

	if (s >= end || *s < '0' || *s > '9')
		return -1;
	if (s + 1 >= end || s[1] < '0' || s[1] > '9') {
		if (fixed)
			return -1;
		*out = s[0] - '0';
		*p = s + 1;
		return 0;
	}
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	*p = s + 2;
	return 0;
}

static int days_in(int month, int year)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* "2006-1-2" as Go's time.Parse reads it; *p moves past it. */
static int parse_date(const char **p, const char *end)
{
	const char *s = *p;
	int year, month, day;

	year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	s += 5;
	if (get_num(&s, end, 0, &month) || s >= end || *s++ != '-' || get_num(&s, end, 0, &day))
		return -1;
	if (month < 1 || month > 12 || day < 1 || day > days_in(month, year))
		return -1;
	*p = s;
	return 0;
}

/* "15:4:5" then an optional fraction ".999999999" (or ","). */
static int parse_clock(const char **p, const char *end)
{
	const char *s = *p;
	int h, m, sec;

	if (get_num(&s, end, 0, &h) || s >= end || *s++ != ':' || get_num(&s, end, 0, &m) ||
	    s >= end || *s++ != ':' || get_num(&s, end, 0, &sec))
		return -1;
	if (h > 23 || m > 59 || sec > 59)
		return -1;
	if (end - s >= 2 && (*s == '.' || *s == ',') && s[1] >= '0' && s[1] <= '9')
		for (s++; s < end && *s >= '0' && *s <= '9'; s++)
			;
	*p = s;
	return 0;
}

/* "Z07:00": Z, or +hh:mm / -hh:mm. */
static int parse_zone(const char *s, const char *end)
{
	int hh, mm;

	if (end - s == 1 && *s == 'Z')
		return 0;
	if (end - s != 6 || (*s != '+' && *s != '-') || s[3] != ':')
		return -1;
	s++;
	if (get_num(&s, end, 1, &hh) || (s++, get_num(&s, end, 1, &mm)))
		return -1;
	return hh > 24 || mm > 60 ? -1 : 0;
}

/* go-yaml's parseTimestamp: the layouts "2006-1-2T15:4:5.999999999Z07:00"
 * (T or t), "2006-1-2 15:4:5.999999999" and "2006-1-2". */
static int is_timestamp(const char *s, size_t n)
{
	const char *end = s + n, *p = s;
	char sep;

	if (n < 5 || s[4] != '-' || skip_digits(s, 0, n) != 4)
		return 0;
	if (parse_date(&p, end))
		return 0;
	if (p == end)
		return 1;
	sep = *p++;
	if (sep != 'T' && sep != 't' && sep != ' ')
		return 0;
	if (parse_clock(&p, end))
		return 0;
	if (sep == ' ')
		return p == end;
	return parse_zone(p, end) == 0;
}

/* Ints, floats and go-yaml's "0b" quirk, on the text without '_'. */
static enum ykind resolve_number(const char *plain, size_t n, struct yscalar *r)
{
	if (!go_parse_int(plain, n, 0, &r->i))
		return r->kind = Y_INT;
	if (!go_parse_uint(plain, n, 0, &r->u))
		return r->kind = Y_UINT;
	if (yaml_style_float(plain, n) && !c_strtod(plain, n, &r->f))
		return r->kind = Y_FLOAT;
	/* strconv.ParseInt(plain[2:], 2, 64) accepts a sign: "0b-101" is -5. */
	if (n > 2 && plain[0] == '0' && plain[1] == 'b' && !go_parse_int(plain + 2, n - 2, 2, &r->i))
		return r->kind = Y_INT;
	return r->kind = Y_STR;
}

static enum ykind resolve_digits(const char *s, size_t n, int try_ts, struct yscalar *r)
{
	char small[64], *plain;
	size_t i, k = 0;

	if (try_ts && is_timestamp(s, n))
		return r->kind = Y_TIMESTAMP;
	plain = n < sizeof(small) ? small : xmalloc(n + 1);
	for (i = 0; i < n; i++)
		if (s[i] != '_')
			plain[k++] = s[i];
	plain[k] = '\0';
	resolve_number(plain, k, r);
	if (plain != small)
		free(plain);
	return r->kind;
}

/* go-yaml v2's resolve("", s): what a plain scalar means. */
static enum ykind resolve_plain(const char *s, size_t n, int try_ts, struct yscalar *r)
{
	char hint = resolve_hint(s, n);

	memset(r, 0, sizeof(*r));
	r->kind = Y_STR;
	if (!hint || lookup_map(s, n, r))
		return r->kind;
	if (hint == '.') {
		if (yaml_style_float(s, n) && !c_strtod(s, n, &r->f))
			r->kind = Y_FLOAT;
		return r->kind;
	}
	if (hint == 'D' || hint == 'S')
		return resolve_digits(s, n, try_ts, r);
	return r->kind;
}

/* YAML 1.1 base 60 floats ("1:20"), which go-yaml quotes on output. */
static int is_base60_float(const char *s, size_t n)
{
	size_t i = 0, j;

	if (!n || !memchr(s, ':', n))
		return 0;
	if (s[0] == '+' || s[0] == '-')
		i++;
	if (i >= n || s[i] < '0' || s[i] > '9')
		return 0;
	while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
		i++;
	if (i >= n || s[i] != ':')
		return 0;
	while (i < n && s[i] == ':') {
		j = i + 1;
		if (j < n && s[j] >= '0' && s[j] <= '5' && j + 1 < n && s[j + 1] >= '0' &&
		    s[j + 1] <= '9')
			j += 2;
		else if (j < n && s[j] >= '0' && s[j] <= '9')
			j += 1;
		else
			return 0;
		i = j;
	}
	if (i < n && s[i] == '.')
		for (i++; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); i++)
			;
	return i == n;
}

/* ------------------------------------------------------ string tables */

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

static uint64_t hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct strent *strtab_slot(const struct strtab *t, const char *key)
{
	size_t i = (size_t)hash_str(key) & (t->cap - 1);

	while (t->e[i].key && strcmp(t->e[i].key, key))
		i = (i + 1) & (t->cap - 1);
	return &t->e[i];
}

static struct strent *strtab_find(const struct strtab *t, const char *key)
{
	struct strent *e;

	if (!t->cap)
		return NULL;
	e = strtab_slot(t, key);
	return e->key ? e : NULL;
}

/* Adds key (which must be absent) and returns its entry. */
static struct strent *strtab_add(struct strtab *t, const char *key)
{
	struct strent *e;

	if (2 * (t->used + 1) > t->cap) {
		struct strtab bigger = {NULL, t->cap ? 2 * t->cap : 8, 0};
		size_t i;

		bigger.e = xcalloc(bigger.cap, sizeof(*bigger.e));
		for (i = 0; i < t->cap; i++)
			if (t->e[i].key)
				*strtab_slot(&bigger, t->e[i].key) = t->e[i];
		bigger.used = t->used;
		free(t->e);
		*t = bigger;
	}
	e = strtab_slot(t, key);
	memset(e, 0, sizeof(*e));
	e->key = key;
	t->used++;
	return e;
}

static void strtab_release(struct strtab *t)
{
	free(t->e);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------ builder */

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

__attribute__((format(printf, 3, 4))) static int fail(struct builder *b, const yaml_mark_t *m,
                                                      const char *fmt, ...)
{
	char msg[ERRBUF_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return errbuf_set(b->err, "%s:%zu:%zu: %s", b->name, m->line + 1, m->column + 1, msg);
}

/* A scalar quoted for an error message: cut short, controls escaped. */
static const char *quote(char *buf, size_t size, const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; s[i] && i < 40; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			strbuf_addf(&sb, "\\x%02x", c);
		else
			strbuf_addch(&sb, c);
	}
	snprintf(buf, size, "\"%s%s\"", sb.buf, s[i] ? "..." : "");
	strbuf_release(&sb);
	return buf;
}

static struct frame *top(struct builder *b)
{
	return b->depth ? &b->stack[b->depth - 1] : NULL;
}

static int expecting_key(struct builder *b)
{
	struct frame *f = top(b);

	return f && f->is_map && !f->key;
}

/* go-yaml v2's allowedAliasRatio, from its decode.go. */
static double allowed_alias_ratio(size_t count)
{
	if (count <= 400000)
		return 0.99;
	if (count >= 4000000)
		return 0.10;
	return 0.99 - 0.89 * ((double)(count - 400000) / 3600000.0);
}

struct tally {
	size_t nodes, bytes, depth;
};

static void measure(const cJSON *v, size_t depth, struct tally *t)
{
	const cJSON *c;

	t->nodes++;
	if (depth > t->depth)
		t->depth = depth;
	if (v->string)
		t->bytes += strlen(v->string);
	if (v->valuestring)
		t->bytes += strlen(v->valuestring);
	for (c = v->child; c; c = c->next)
		measure(c, depth + (cJSON_IsObject(c) || cJSON_IsArray(c)), t);
}

/* Accounts for a copy of v made by an alias or a merge, against the
 * budget that stops alias bombs ("billion laughs"). */
static int charge(struct builder *b, const cJSON *v, const yaml_mark_t *m)
{
	struct tally t = {0, 0, 0};

	measure(v, cJSON_IsObject(v) || cJSON_IsArray(v), &t);
	if (b->depth + t.depth > MAX_DEPTH)
		return fail(b, m, "document nests deeper than %d levels", MAX_DEPTH);
	b->nodes += t.nodes;
	b->alias_nodes += t.nodes;
	b->alias_bytes += t.bytes;
	if (b->alias_bytes > MAX_ALIAS_BYTES ||
	    (b->alias_nodes > 100 && b->nodes > 1000 &&
	     (double)b->alias_nodes / (double)b->nodes > allowed_alias_ratio(b->nodes)))
		return fail(b, m, "document contains excessive aliasing");
	return 0;
}

static void set_anchor(struct builder *b, char *name, cJSON *value, const char *valerr, char *key,
                       const char *keyerr)
{
	struct strent *e = strtab_find(&b->anchors, name);
	struct anchor *a;

	if (e) {
		a = e->val;
		free(name);
		free(a->key);
	} else {
		a = xcalloc(1, sizeof(*a));
		a->name = name;
		strtab_add(&b->anchors, a->name)->val = a;
	}
	a->value = value;
	a->valerr = valerr;
	a->key = key;
	a->keyerr = keyerr;
}

static void clear_anchors(struct builder *b)
{
	size_t i;

	for (i = 0; i < b->anchors.cap; i++) {
		struct anchor *a = b->anchors.e[i].val;

		if (!b->anchors.e[i].key)
			continue;
		free(a->name);
		free(a->key);
		free(a);
	}
	strtab_release(&b->anchors);
}

/* Adds an explicit member; a merged one of that name gives way. */
static int add_member(struct builder *b, struct frame *f, cJSON *v)
{
	struct strent *e = strtab_find(&f->keys, f->key);
	char q[200];

	if (e && !e->merged)
		return fail(b, &f->key_mark, "duplicate key %s (first defined at line %zu)",
		            quote(q, sizeof(q), f->key), e->line);
	if (e)
		cJSON_Delete(cJSON_DetachItemViaPointer(f->node, e->val));
	cJSON_AddItemToObject(f->node, f->key, v);
	if (!e)
		e = strtab_add(&f->keys, v->string);
	e->key = v->string;
	e->val = v;
	e->line = f->key_mark.line + 1;
	e->merged = 0;
	return 0;
}

/* Copies the members of src that f lacks: explicit keys and earlier merge
 * sources take precedence. */
static int merge_object(struct builder *b, struct frame *f, const cJSON *src)
{
	const cJSON *c;

	cJSON_ArrayForEach (c, src) {
		struct strent *e;
		cJSON *copy;

		if (strtab_find(&f->keys, c->string))
			continue;
		if (charge(b, c, &f->key_mark))
			return -1;
		copy = cJSON_Duplicate(c, 1);
		cJSON_AddItemToObject(f->node, c->string, copy);
		e = strtab_add(&f->keys, copy->string);
		e->val = copy;
		e->line = f->key_mark.line + 1;
		e->merged = 1;
	}
	return 0;
}

static int merge_value(struct builder *b, struct frame *f, const cJSON *v)
{
	const cJSON *c;

	if (cJSON_IsObject(v))
		return merge_object(b, f, v);
	if (!cJSON_IsArray(v))
		goto bad;
	cJSON_ArrayForEach (c, v)
		if (!cJSON_IsObject(c))
			goto bad;
	cJSON_ArrayForEach (c, v)
		if (merge_object(b, f, c))
			return -1;
	return 0;
bad:
	return fail(b, &f->key_mark, "map merge requires map or sequence of maps as the value");
}

/* Copies made from members of an object carry their old name along. */
static void drop_name(cJSON *v)
{
	if (v->string && !(v->type & cJSON_StringIsConst))
		cJSON_free(v->string);
	v->string = NULL;
}

/* Hands a finished value to the open collection (or makes it the root);
 * takes ownership of v in every case. */
static int attach(struct builder *b, cJSON *v)
{
	struct frame *f = top(b);
	int rc = 0;

	drop_name(v);
	if (!f) {
		cJSON_Delete(b->root);
		b->root = v;
		return 0;
	}
	if (!f->is_map) {
		cJSON_AddItemToArray(f->node, v);
		return 0;
	}
	if (f->key_merge) {
		rc = merge_value(b, f, v);
		cJSON_AddItemToArray(b->keep, v); /* anchors may point into it */
	} else {
		rc = add_member(b, f, v);
		if (rc)
			cJSON_Delete(v);
	}
	free(f->key);
	f->key = NULL;
	return rc;
}

static void set_key(struct builder *b, char *key, int merge, const yaml_mark_t *m)
{
	struct frame *f = top(b);

	f->key = key;
	f->key_merge = merge;
	f->key_mark = *m;
}

/* ---------------------------------------------------- scalar events */

#define TAG_PREFIX "tag:yaml.org,2002:"

static const char *short_tag(const char *tag)
{
	return strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) ? tag : tag + strlen(TAG_PREFIX);
}

static const char *kind_name(enum ykind k)
{
	static const char *const names[] = {"str", "null",  "bool",     "int",
	                                    "int", "float", "timestamp"};

	return names[k];
}

/* A scalar event, resolved: `text` is its (possibly base64-decoded) value. */
struct scalar {
	struct yscalar y;
	struct strbuf text;
	const yaml_mark_t *mark;
};

static int resolve_tagged(struct builder *b, const char *tag, struct scalar *sc)
{
	const char *t = short_tag(tag);
	enum ykind want, got;
	char q[200];

	if (!strcmp(t, "str") || tag == t || !strcmp(t, "merge") || !strcmp(t, "binary") ||
	    (strcmp(t, "bool") && strcmp(t, "int") && strcmp(t, "float") && strcmp(t, "null") &&
	     strcmp(t, "timestamp")))
		return 0;
	want = !strcmp(t, "bool")    ? Y_BOOL
	       : !strcmp(t, "int")   ? Y_INT
	       : !strcmp(t, "float") ? Y_FLOAT
	       : !strcmp(t, "null")  ? Y_NULL
	                             : Y_TIMESTAMP;
	got = resolve_plain(sc->text.buf, sc->text.len, want == Y_TIMESTAMP, &sc->y);
	if (got == want || (want == Y_INT && got == Y_UINT))
		return 0;
	if (want == Y_FLOAT && (got == Y_INT || got == Y_UINT)) {
		sc->y.f = got == Y_INT ? (double)sc->y.i : (double)sc->y.u;
		sc->y.kind = Y_FLOAT;
		return 0;
	}
	return fail(b, sc->mark, "cannot decode !!%s %s as a !!%s", kind_name(got),
	            quote(q, sizeof(q), sc->text.buf), t);
}

static int decode_binary(struct builder *b, struct scalar *sc)
{
	struct strbuf raw = STRBUF_INIT;

	if (base64_decode(&raw, sc->text.buf, sc->text.len)) {
		strbuf_release(&raw);
		return fail(b, sc->mark, "!!binary value contains invalid base64 data");
	}
	strbuf_reset(&sc->text);
	add_utf8_fixed(&sc->text, raw.buf, raw.len);
	strbuf_release(&raw);
	return 0;
}

static int resolve_scalar(struct builder *b, const yaml_event_t *ev, struct scalar *sc)
{
	const char *tag = (const char *)ev->data.scalar.tag;

	strbuf_add(&sc->text, ev->data.scalar.value, ev->data.scalar.length);
	sc->mark = &ev->start_mark;
	memset(&sc->y, 0, sizeof(sc->y));
	if (memchr(sc->text.buf, '\0', sc->text.len))
		return fail(b, sc->mark, "NUL characters in strings are not supported");
	if (!tag || !*tag) {
		if (ev->data.scalar.plain_implicit)
			resolve_plain(sc->text.buf, sc->text.len, 1, &sc->y);
		return 0;
	}
	if (!strcmp(short_tag(tag), "binary"))
		return decode_binary(b, sc);
	return resolve_tagged(b, tag, sc);
}

/* The scalar as a JSON value, or NULL with *why set. */
static cJSON *scalar_json(const struct scalar *sc, const char **why)
{
	char num[32];

	switch (sc->y.kind) {
	case Y_NULL:
		return cJSON_CreateNull();
	case Y_BOOL:
		return cJSON_CreateBool(sc->y.b);
	case Y_INT:
		if (sc->y.i > -INT64_C(1000000000000000) && sc->y.i < INT64_C(1000000000000000))
			return cJSON_CreateNumber((double)sc->y.i);
		snprintf(num, sizeof(num), "%lld", (long long)sc->y.i);
		return cJSON_CreateRaw(num);
	case Y_UINT:
		snprintf(num, sizeof(num), "%llu", (unsigned long long)sc->y.u);
		return cJSON_CreateRaw(num);
	case Y_FLOAT:
		if (isnan(sc->y.f) || isinf(sc->y.f)) {
			*why = isnan(sc->y.f) ? ".nan cannot be represented in JSON"
			                      : ".inf cannot be represented in JSON";
			return NULL;
		}
		return cJSON_CreateNumber(sc->y.f);
	default:
		return cJSON_CreateString(sc->text.buf);
	}
}

/* The scalar as a mapping key, the way sigs.k8s.io/yaml turns go-yaml's
 * keys into strings; NULL with *why set if it cannot be one. */
static char *scalar_key(const struct scalar *sc, const char **why)
{
	char num[64];

	switch (sc->y.kind) {
	case Y_NULL:
		*why = "a mapping key must not be null";
		return NULL;
	case Y_BOOL:
		return xstrdup(sc->y.b ? "true" : "false");
	case Y_INT:
		snprintf(num, sizeof(num), "%lld", (long long)sc->y.i);
		return xstrdup(num);
	case Y_UINT:
		*why = "a mapping key must not be an integer above 2^63-1";
		return NULL;
	case Y_FLOAT:
		go_format_float(sc->y.f, 32, num, sizeof(num));
		return xstrdup(num);
	default:
		return xstrdup(sc->text.buf);
	}
}

static int is_merge_key(const yaml_event_t *ev)
{
	const char *tag = (const char *)ev->data.scalar.tag;

	if (ev->data.scalar.length != 2 || memcmp(ev->data.scalar.value, "<<", 2))
		return 0;
	if (tag && *tag)
		return !strcmp(tag, TAG_PREFIX "merge");
	return ev->data.scalar.plain_implicit;
}

static int scalar_as_key(struct builder *b, const yaml_event_t *ev, struct scalar *sc)
{
	const char *why = NULL, *valerr = NULL;
	char *key = scalar_key(sc, &why);
	cJSON *v;

	if (!key)
		return fail(b, &ev->start_mark, "%s", why);
	if (ev->data.scalar.anchor) {
		v = scalar_json(sc, &valerr);
		if (v)
			cJSON_AddItemToArray(b->keep, v);
		set_anchor(b, xstrdup((const char *)ev->data.scalar.anchor), v, valerr,
		           xstrdup(key), NULL);
	}
	set_key(b, key, is_merge_key(ev), &ev->start_mark);
	return 0;
}

static int scalar_as_value(struct builder *b, const yaml_event_t *ev, struct scalar *sc)
{
	const char *why = NULL, *keyerr = NULL;
	cJSON *v = scalar_json(sc, &why);

	if (!v)
		return fail(b, &ev->start_mark, "%s", why);
	b->nodes++;
	if (ev->data.scalar.anchor) {
		char *key = scalar_key(sc, &keyerr);

		set_anchor(b, xstrdup((const char *)ev->data.scalar.anchor), v, NULL, key, keyerr);
	}
	return attach(b, v);
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct scalar sc = {.text = STRBUF_INIT};
	int rc = resolve_scalar(b, ev, &sc);

	if (!rc)
		rc = expecting_key(b) ? scalar_as_key(b, ev, &sc) : scalar_as_value(b, ev, &sc);
	strbuf_release(&sc.text);
	return rc;
}

/* --------------------------------------------- aliases and collections */

/* An anchor is defined once its node ends, so an alias inside the node
 * finds nothing; say why. */
static int inside_anchor(const struct builder *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->depth; i++)
		if (b->stack[i].anchor && !strcmp(b->stack[i].anchor, name))
			return 1;
	return 0;
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct strent *e = strtab_find(&b->anchors, name);
	struct anchor *a = e ? e->val : NULL;
	struct frame *f = top(b);
	char q[200];

	if (!a && inside_anchor(b, name))
		return fail(b, &ev->start_mark, "anchor %s value contains itself",
		            quote(q, sizeof(q), name));
	if (!a)
		return fail(b, &ev->start_mark, "unknown anchor %s referenced",
		            quote(q, sizeof(q), name));
	if (expecting_key(b)) {
		if (!a->key)
			return fail(b, &ev->start_mark, "%s", a->keyerr);
		set_key(b, xstrdup(a->key), 0, &ev->start_mark);
		return 0;
	}
	if (!a->value)
		return fail(b, &ev->start_mark, "%s", a->valerr);
	if (charge(b, a->value, &ev->start_mark))
		return -1;
	if (f && f->is_map && f->key_merge) {
		int rc = merge_value(b, f, a->value);

		free(f->key);
		f->key = NULL;
		return rc;
	}
	return attach(b, cJSON_Duplicate(a->value, 1));
}

static int on_start(struct builder *b, const yaml_event_t *ev, int is_map)
{
	const yaml_char_t *anchor = is_map ? ev->data.mapping_start.anchor
	                                   : ev->data.sequence_start.anchor;
	struct frame *f;

	if (expecting_key(b))
		return fail(b, &ev->start_mark, "mapping keys must be scalars");
	if (b->depth >= MAX_DEPTH)
		return fail(b, &ev->start_mark, "document nests deeper than %d levels", MAX_DEPTH);
	if (b->depth == b->alloc) {
		b->alloc = b->alloc ? 2 * b->alloc : 16;
		b->stack = xrealloc(b->stack, b->alloc * sizeof(*b->stack));
	}
	f = &b->stack[b->depth++];
	memset(f, 0, sizeof(*f));
	f->is_map = is_map;
	f->node = is_map ? cJSON_CreateObject() : cJSON_CreateArray();
	f->anchor = anchor ? xstrdup((const char *)anchor) : NULL;
	b->nodes++;
	return 0;
}

static void drop_frame(struct frame *f)
{
	free(f->key);
	free(f->anchor);
	strtab_release(&f->keys);
}

static int on_end(struct builder *b)
{
	struct frame f = b->stack[--b->depth];

	if (f.anchor) {
		set_anchor(b, f.anchor, f.node, NULL, NULL, "mapping keys must be scalars");
		f.anchor = NULL;
	}
	drop_frame(&f);
	return attach(b, f.node);
}

/* ----------------------------------------------------------- documents */

static void reset_document(struct builder *b)
{
	clear_anchors(b);
	cJSON_Delete(b->keep);
	b->keep = cJSON_CreateArray();
	cJSON_Delete(b->root);
	b->root = NULL;
	b->nodes = b->alias_nodes = b->alias_bytes = 0;
}

static void end_document(struct builder *b, cJSON *docs)
{
	if (b->root && !cJSON_IsNull(b->root)) {
		cJSON_AddItemToArray(docs, b->root);
		b->root = NULL;
	}
	reset_document(b);
}

static int on_event(struct builder *b, const yaml_event_t *ev, cJSON *docs)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		reset_document(b);
		return 0;
	case YAML_DOCUMENT_END_EVENT:
		end_document(b, docs);
		return 0;
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_ALIAS_EVENT:
		return on_alias(b, ev);
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		return on_start(b, ev, ev->type == YAML_MAPPING_START_EVENT);
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		return on_end(b);
	default:
		return 0;
	}
}

/* Reader errors carry a byte offset, not a mark: count lines ourselves. */
static int reader_error(struct builder *b, const yaml_parser_t *p)
{
	yaml_mark_t m = {0, 0, 0};
	size_t i;

	for (i = 0; i < p->problem_offset && i < b->len; i++) {
		unsigned char c = (unsigned char)b->buf[i];

		if (c == '\n')
			m.line++, m.column = 0;
		else if ((c & 0xc0) != 0x80)
			m.column++;
	}
	if (p->problem_value >= 0)
		return fail(b, &m, "%s (byte 0x%02x)", p->problem, (unsigned)p->problem_value);
	return fail(b, &m, "%s", p->problem);
}

static int parser_error(struct builder *b, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		return errbuf_set(b->err, "%s: out of memory parsing YAML", b->name);
	if (p->error == YAML_READER_ERROR)
		return reader_error(b, p);
	if (p->context)
		return fail(b, &p->problem_mark, "%s (%s at line %zu column %zu)",
		            p->problem ? p->problem : "syntax error", p->context,
		            p->context_mark.line + 1, p->context_mark.column + 1);
	return fail(b, &p->problem_mark, "%s", p->problem ? p->problem : "syntax error");
}

static void builder_release(struct builder *b)
{
	while (b->depth) {
		struct frame *f = &b->stack[--b->depth];

		cJSON_Delete(f->node);
		drop_frame(f);
	}
	free(b->stack);
	clear_anchors(b);
	cJSON_Delete(b->keep);
	cJSON_Delete(b->root);
}

static int run_parser(struct builder *b, cJSON *docs)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int rc = 0, done = 0;

	if (!yaml_parser_initialize(&parser))
		return errbuf_set(b->err, "%s: out of memory parsing YAML", b->name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)b->buf, b->len);
	while (!rc && !done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = parser_error(b, &parser);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = on_event(b, &ev, docs);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

cJSON *yamljson_parse_all(const char *buf, size_t len, const char *name, struct errbuf *err)
{
	struct builder b;
	cJSON *docs = cJSON_CreateArray();
	int rc;

	memset(&b, 0, sizeof(b));
	b.name = name ? name : "<input>";
	b.buf = buf ? buf : "";
	b.len = buf ? len : 0;
	b.err = err;
	b.keep = cJSON_CreateArray();
	rc = run_parser(&b, docs);
	builder_release(&b);
	if (rc) {
		cJSON_Delete(docs);
		return NULL;
	}
	return docs;
}

cJSON *yamljson_parse_one(const char *buf, size_t len, const char *name, struct errbuf *err)
{
	cJSON *docs = yamljson_parse_all(buf, len, name, err), *one;
	int n;

	if (!docs)
		return NULL;
	n = cJSON_GetArraySize(docs);
	if (n > 1) {
		cJSON_Delete(docs);
		errbuf_set(err, "%s: expected one YAML document, found %d", name ? name : "<input>",
		           n);
		return NULL;
	}
	one = n ? cJSON_DetachItemFromArray(docs, 0) : cJSON_CreateObject();
	cJSON_Delete(docs);
	return one;
}

static cJSON *parse_file(const char *path, size_t max, int all, struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *v;

	if (!max)
		max = DEFAULT_FILE_MAX;
	if (strbuf_read_file(&sb, path, max)) {
		if (errno == EFBIG)
			errbuf_set(err, "%s: file is larger than %zu bytes", path, max);
		else
			errbuf_set(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	v = all ? yamljson_parse_all(sb.buf, sb.len, path, err)
	        : yamljson_parse_one(sb.buf, sb.len, path, err);
	strbuf_release(&sb);
	return v;
}

cJSON *yamljson_parse_file_all(const char *path, size_t max, struct errbuf *err)
{
	return parse_file(path, max, 1, err);
}

cJSON *yamljson_parse_file_one(const char *path, size_t max, struct errbuf *err)
{
	return parse_file(path, max, 0, err);
}

/* ------------------------------------------------------------- emitter */

struct emitter {
	yaml_emitter_t em;
	int failed;
};

/* Takes ownership of ev if it was initialised (ok). */
static void emit_event(struct emitter *e, yaml_event_t *ev, int ok)
{
	if (!ok) {
		e->failed = 1;
		return;
	}
	if (e->failed) {
		yaml_event_delete(ev);
		return;
	}
	if (!yaml_emitter_emit(&e->em, ev))
		e->failed = 1;
}

static void emit_scalar(struct emitter *e, const char *s, size_t n, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	int ok = yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)n, 1, 1, style);

	emit_event(e, &ev, ok);
}

/* go-yaml v2's stringv: multi-line strings as literal blocks, strings that
 * would read back as another type double-quoted, the rest plain (libyaml
 * falls back to quotes where plain text would not parse).  Unlike go-yaml,
 * a key "<<" is quoted, or it would read back as a merge key. */
static void emit_string(struct emitter *e, const char *s, int is_key)
{
	struct strbuf fixed = STRBUF_INIT;
	size_t n = strlen(s);
	struct yscalar y;
	yaml_scalar_style_t style;

	if (!utf8_valid(s, n)) {
		add_utf8_fixed(&fixed, s, n);
		s = fixed.buf;
		n = fixed.len;
	}
	if (memchr(s, '\n', n))
		style = YAML_LITERAL_SCALAR_STYLE;
	else if (resolve_plain(s, n, 1, &y) != Y_STR || is_base60_float(s, n) ||
	         (is_key && !strcmp(s, "<<")))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	else
		style = YAML_PLAIN_SCALAR_STYLE;
	emit_scalar(e, s, n, style);
	strbuf_release(&fixed);
}

/* As kubectl prints numbers after its JSON round trip: integral values
 * that fit an int64 or uint64 in full, others as Go's %g-like shortest
 * form ("1.5", "1e+21", "1e-07").  (encoding/json would print an integral
 * double above 2^53 with its shortest digits padded with zeros; printing
 * it exactly instead keeps parse(emit(x)) == x.) */
static void emit_number(struct emitter *e, const cJSON *v)
{
	char buf[64];
	double d = v->valuedouble;

	if (d == 0)
		snprintf(buf, sizeof(buf), "0");
	else if (d == floor(d) && d >= -9223372036854775808.0 && d < 18446744073709551616.0)
		snprintf(buf, sizeof(buf), "%.0f", d);
	else
		go_format_float(d, 64, buf, sizeof(buf));
	emit_scalar(e, buf, strlen(buf), YAML_PLAIN_SCALAR_STYLE);
}

struct sortkey {
	const cJSON *item;
	uint32_t *r; /* the key as code points, as Go's []rune */
	size_t n;
};

static int go_is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

/* unicode.IsLetter: exact for Latin-1, an approximation above it (marks,
 * punctuation, symbols, private use and emoji blocks are not letters). */
static int go_is_letter(uint32_t c)
{
	if (c < 0x80)
		return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
	if (c < 0x100)
		return c == 0xaa || c == 0xb5 || c == 0xba || (c >= 0xc0 && c != 0xd7 && c != 0xf7);
	return !((c >= 0x300 && c <= 0x36f) || (c >= 0x2000 && c <= 0x2bff) ||
	         (c >= 0x3000 && c <= 0x303f) || (c >= 0xe000 && c <= 0xf8ff) ||
	         (c >= 0xfe00 && c <= 0xfe6f) || (c >= 0xff00 && c <= 0xff20) ||
	         (c >= 0x1f000 && c <= 0x1faff));
}

static void to_runes(struct sortkey *k, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, step;
	uint32_t cp;

	k->r = xmalloc((len + 1) * sizeof(*k->r));
	k->n = 0;
	while (i < len) {
		step = utf8_len(p + i, len - i, &cp);
		k->r[k->n++] = step ? cp : 0xfffd;
		i += step ? step : 1;
	}
}

static void digit_run(const uint32_t *r, size_t n, size_t i, uint64_t *v, size_t *end)
{
	for (; i < n && go_is_digit(r[i]); i++)
		*v = *v * 10 + (r[i] - '0');
	*end = i;
}

/* go-yaml v2's keyList.Less for strings: letters by code point, before
 * anything else; runs of digits by numeric value. */
static int go_key_less(const struct sortkey *a, const struct sortkey *b)
{
	size_t i, j, ai, bi;

	for (i = 0; i < a->n && i < b->n; i++) {
		uint32_t ra = a->r[i], rb = b->r[i];
		int al, bl;
		uint64_t an = 0, bn = 0;

		if (ra == rb)
			continue;
		al = go_is_letter(ra);
		bl = go_is_letter(rb);
		if (al && bl)
			return ra < rb;
		if (al || bl)
			return bl;
		if (ra == '0' || rb == '0') {
			for (j = i; j-- > 0 && go_is_digit(a->r[j]);) {
				if (a->r[j] != '0') {
					an = bn = 1;
					break;
				}
			}
		}
		digit_run(a->r, a->n, i, &an, &ai);
		digit_run(b->r, b->n, i, &bn, &bi);
		if (an != bn)
			return (int64_t)an < (int64_t)bn;
		if (ai != bi)
			return ai < bi;
		return ra < rb;
	}
	return a->n < b->n;
}

static int cmp_keys(const void *x, const void *y)
{
	const struct sortkey *a = x, *b = y;

	if (go_key_less(a, b))
		return -1;
	return go_key_less(b, a) ? 1 : 0;
}

static void emit_value(struct emitter *e, const cJSON *v);

static void emit_mapping(struct emitter *e, const cJSON *v)
{
	struct sortkey *keys;
	const cJSON *c;
	yaml_event_t ev;
	size_t n = 0, i;

	emit_event(e, &ev,
	           yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
	for (c = v->child; c; c = c->next)
		n++;
	keys = xcalloc(n + 1, sizeof(*keys));
	for (i = 0, c = v->child; c; c = c->next, i++) {
		keys[i].item = c;
		to_runes(&keys[i], c->string ? c->string : "");
	}
	qsort(keys, n, sizeof(*keys), cmp_keys);
	for (i = 0; i < n; i++) {
		emit_string(e, keys[i].item->string ? keys[i].item->string : "", 1);
		emit_value(e, keys[i].item);
		free(keys[i].r);
	}
	free(keys);
	emit_event(e, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void emit_sequence(struct emitter *e, const cJSON *v)
{
	const cJSON *c;
	yaml_event_t ev;

	emit_event(e, &ev,
	           yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
	                                                YAML_BLOCK_SEQUENCE_STYLE));
	for (c = v->child; c; c = c->next)
		emit_value(e, c);
	emit_event(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void emit_value(struct emitter *e, const cJSON *v)
{
	if (cJSON_IsObject(v))
		emit_mapping(e, v);
	else if (cJSON_IsArray(v))
		emit_sequence(e, v);
	else if (cJSON_IsString(v))
		emit_string(e, v->valuestring ? v->valuestring : "", 0);
	else if (cJSON_IsNumber(v))
		emit_number(e, v);
	else if (cJSON_IsRaw(v) && v->valuestring)
		emit_scalar(e, v->valuestring, strlen(v->valuestring), YAML_PLAIN_SCALAR_STYLE);
	else if (cJSON_IsBool(v))
		emit_scalar(e, cJSON_IsTrue(v) ? "true" : "false", cJSON_IsTrue(v) ? 4 : 5,
		            YAML_PLAIN_SCALAR_STYLE);
	else
		emit_scalar(e, "null", 4, YAML_PLAIN_SCALAR_STYLE);
}

static int write_out(void *data, unsigned char *buf, size_t size)
{
	strbuf_add(data, buf, size);
	return 1;
}

static int emit_document(struct strbuf *out, const cJSON *v)
{
	struct emitter e;
	yaml_event_t ev;

	memset(&e, 0, sizeof(e));
	if (!yaml_emitter_initialize(&e.em))
		return -1;
	yaml_emitter_set_output(&e.em, write_out, out);
	yaml_emitter_set_unicode(&e.em, 1);
	emit_event(&e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	emit_event(&e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	emit_value(&e, v);
	emit_event(&e, &ev, yaml_document_end_event_initialize(&ev, 1));
	/* As go-yaml does: no "..." after a document that ends open. */
	e.em.open_ended = 0;
	emit_event(&e, &ev, yaml_stream_end_event_initialize(&ev));
	if (!e.failed && !yaml_emitter_flush(&e.em))
		e.failed = 1;
	yaml_emitter_delete(&e.em);
	return e.failed ? -1 : 0;
}

void yamljson_emit(struct strbuf *out, const cJSON *v)
{
	struct strbuf doc = STRBUF_INIT;
	char *json;

	if (!emit_document(&doc, v)) {
		strbuf_add(out, doc.buf, doc.len);
	} else {
		/* Cannot happen with valid cJSON; JSON is YAML, so stay useful. */
		json = cJSON_Print(v);
		strbuf_addstr(out, json ? json : "null");
		strbuf_addch(out, '\n');
		free(json);
	}
	strbuf_release(&doc);
}
