/*
 * yaml_scalar.c - what a plain YAML scalar means, as go-yaml v2 resolves it.
 *
 * A port of go-yaml v2's resolve.go (YAML 1.1): the table of null and bool
 * spellings, ints in every base with '_' separators, floats in
 * yamlStyleFloat's syntax, and timestamps in the layouts parseTimestamp
 * accepts; plus the base 60 floats its encoder quotes.  The parser types
 * values with it and the emitter quotes strings that would read back as
 * another type.  Contract in yaml_json_internal.h.
 */
#include "yaml_json_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

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

static const struct {
	const char *s;
	enum ykind kind;
	double v;
} resolve_map[] = {
	{ "y", Y_BOOL, 1 },
	{ "Y", Y_BOOL, 1 },
	{ "yes", Y_BOOL, 1 },
	{ "Yes", Y_BOOL, 1 },
	{ "YES", Y_BOOL, 1 },
	{ "true", Y_BOOL, 1 },
	{ "True", Y_BOOL, 1 },
	{ "TRUE", Y_BOOL, 1 },
	{ "on", Y_BOOL, 1 },
	{ "On", Y_BOOL, 1 },
	{ "ON", Y_BOOL, 1 },
	{ "n", Y_BOOL, 0 },
	{ "N", Y_BOOL, 0 },
	{ "no", Y_BOOL, 0 },
	{ "No", Y_BOOL, 0 },
	{ "NO", Y_BOOL, 0 },
	{ "false", Y_BOOL, 0 },
	{ "False", Y_BOOL, 0 },
	{ "FALSE", Y_BOOL, 0 },
	{ "off", Y_BOOL, 0 },
	{ "Off", Y_BOOL, 0 },
	{ "OFF", Y_BOOL, 0 },
	{ "", Y_NULL, 0 },
	{ "~", Y_NULL, 0 },
	{ "null", Y_NULL, 0 },
	{ "Null", Y_NULL, 0 },
	{ "NULL", Y_NULL, 0 },
	{ ".nan", Y_FLOAT, NAN },
	{ ".NaN", Y_FLOAT, NAN },
	{ ".NAN", Y_FLOAT, NAN },
	{ ".inf", Y_FLOAT, INFINITY },
	{ ".Inf", Y_FLOAT, INFINITY },
	{ ".INF", Y_FLOAT, INFINITY },
	{ "+.inf", Y_FLOAT, INFINITY },
	{ "+.Inf", Y_FLOAT, INFINITY },
	{ "+.INF", Y_FLOAT, INFINITY },
	{ "-.inf", Y_FLOAT, -INFINITY },
	{ "-.Inf", Y_FLOAT, -INFINITY },
	{ "-.INF", Y_FLOAT, -INFINITY },
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
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
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
	if (!yj_go_parse_int(plain, n, 0, &r->i))
		return r->kind = Y_INT;
	if (!yj_go_parse_uint(plain, n, 0, &r->u))
		return r->kind = Y_UINT;
	if (yaml_style_float(plain, n) && !yj_strtod(plain, n, &r->f))
		return r->kind = Y_FLOAT;
	/* strconv.ParseInt(plain[2:], 2, 64) accepts a sign: "0b-101" is -5. */
	if (n > 2 && plain[0] == '0' && plain[1] == 'b' &&
	    !yj_go_parse_int(plain + 2, n - 2, 2, &r->i))
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
enum ykind yj_resolve_plain(const char *s, size_t n, int try_ts, struct yscalar *r)
{
	char hint = resolve_hint(s, n);

	memset(r, 0, sizeof(*r));
	r->kind = Y_STR;
	if (!hint || lookup_map(s, n, r))
		return r->kind;
	if (hint == '.') {
		if (yaml_style_float(s, n) && !yj_strtod(s, n, &r->f))
			r->kind = Y_FLOAT;
		return r->kind;
	}
	if (hint == 'D' || hint == 'S')
		return resolve_digits(s, n, try_ts, r);
	return r->kind;
}

/* YAML 1.1 base 60 floats ("1:20"), which go-yaml quotes on output. */
int yj_is_base60_float(const char *s, size_t n)
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
