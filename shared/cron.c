#include "cron.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strbuf.h"
#include "timefmt.h"
#include "xalloc.h"

#define STAR_BIT (UINT64_C(1) << 63)
#define NFIELDS 5
#define CIVIL_LIMIT (INT64_C(1) << 45)

struct bounds {
	uint64_t min, max;
	const char *const *names; /* names[i] is value min + i, or NULL */
};

static const char *const month_names[] = { "jan", "feb", "mar", "apr", "may", "jun", "jul",
	                                   "aug", "sep", "oct", "nov", "dec", NULL };
static const char *const dow_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL };

static const struct bounds field_bounds[NFIELDS] = {
	{ 0, 59, NULL },        { 0, 23, NULL },     { 1, 31, NULL },
	{ 1, 12, month_names }, { 0, 6, dow_names },
};

/* Go's strconv quoting of the input, for strconv's own error text. */
static void add_go_quoted(struct strbuf *sb, const char *s, size_t len)
{
	size_t i;

	strbuf_addch(sb, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			strbuf_addf(sb, "\\%c", c);
		else if (c < ' ' || c >= 0x7f)
			strbuf_addf(sb, "\\x%02x", c);
		else
			strbuf_addch(sb, c);
	}
	strbuf_addch(sb, '"');
}

static int int_error(const char *s, size_t len, const char *why, struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "failed to parse int from ");
	strbuf_add(&sb, s, len);
	strbuf_addstr(&sb, ": strconv.Atoi: parsing ");
	add_go_quoted(&sb, s, len);
	strbuf_addf(&sb, ": %s", why);
	errbuf_set(err, "%s", sb.buf);
	strbuf_release(&sb);
	return -1;
}

/* robfig's mustParseInt: strconv.Atoi (which stops at the first overflow), then no negatives. */
static int parse_int(const char *s, size_t len, uint64_t *out, struct errbuf *err)
{
	size_t i = 0;
	uint64_t v = 0, limit;
	int neg = 0;

	if (len > 0 && (s[0] == '+' || s[0] == '-'))
		neg = s[i++] == '-';
	if (i == len)
		return int_error(s, len, "invalid syntax", err);
	limit = (uint64_t)INT64_MAX + (uint64_t)neg;
	for (; i < len; i++) {
		uint64_t d = (uint64_t)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9')
			return int_error(s, len, "invalid syntax", err);
		if (v > (limit - d) / 10)
			return int_error(s, len, "value out of range", err);
		v = v * 10 + d;
	}
	if (neg && v > 0)
		return errbuf_set(err, "negative number (-%" PRIu64 ") not allowed: %.*s", v,
		                  (int)len, s);
	*out = v;
	return 0;
}

static int parse_int_or_name(const char *s, size_t len, const struct bounds *b, uint64_t *out,
                             struct errbuf *err)
{
	size_t i;

	for (i = 0; b->names && b->names[i]; i++) {
		if (strlen(b->names[i]) == len && !strncasecmp(b->names[i], s, len)) {
			*out = b->min + i;
			return 0;
		}
	}
	return parse_int(s, len, out, err);
}

static size_t count_char(const char *s, size_t len, char c)
{
	size_t n = 0, i;

	for (i = 0; i < len; i++)
		n += s[i] == c;
	return n;
}

/* The low[-high] part of one range expression (before any '/'). */
static int parse_span(const char *s, size_t len, const struct bounds *b, uint64_t *start,
                      uint64_t *end, uint64_t *extra, struct errbuf *err, const char *expr)
{
	const char *dash = memchr(s, '-', len);
	size_t first = dash ? (size_t)(dash - s) : len;

	/* robfig looks only at the first piece: "*-5" is a plain "*". */
	if ((first == 1 && (s[0] == '*' || s[0] == '?'))) {
		*start = b->min;
		*end = b->max;
		*extra = STAR_BIT;
		return 0;
	}
	if (parse_int_or_name(s, first, b, start, err))
		return -1;
	if (!dash) {
		*end = *start;
		return 0;
	}
	if (count_char(s, len, '-') > 1)
		return errbuf_set(err, "too many hyphens: %s", expr);
	return parse_int_or_name(dash + 1, len - first - 1, b, end, err);
}

/* One range expression: number | name | `*` | `?`, [-high], [/step]. */
static int parse_range(const char *expr, const struct bounds *b, uint64_t *bits, struct errbuf *err)
{
	const char *slash = strchr(expr, '/');
	size_t span_len = slash ? (size_t)(slash - expr) : strlen(expr);
	uint64_t start, end, step = 1, extra = 0, v;

	if (parse_span(expr, span_len, b, &start, &end, &extra, err, expr))
		return -1;
	if (slash) {
		if (strchr(slash + 1, '/'))
			return errbuf_set(err, "too many slashes: %s", expr);
		if (parse_int(slash + 1, strlen(slash + 1), &step, err))
			return -1;
		/* "N/step" means "N-max/step". */
		if (!memchr(expr, '-', span_len))
			end = b->max;
		if (step > 1)
			extra = 0;
	}
	if (start < b->min)
		return errbuf_set(
			err, "beginning of range (%" PRIu64 ") below minimum (%" PRIu64 "): %s",
			start, b->min, expr);
	if (end > b->max)
		return errbuf_set(err, "end of range (%" PRIu64 ") above maximum (%" PRIu64 "): %s",
		                  end, b->max, expr);
	if (start > end)
		return errbuf_set(err,
		                  "beginning of range (%" PRIu64 ") beyond end of range (%" PRIu64
		                  "): %s",
		                  start, end, expr);
	if (step == 0)
		return errbuf_set(err, "step of range should be a positive number: %s", expr);
	for (v = start; v <= end; v += step)
		*bits |= UINT64_C(1) << v;
	*bits |= extra;
	return 0;
}

/* A comma list; empty items are skipped, as strings.FieldsFunc does. */
static int parse_field(char *field, const struct bounds *b, uint64_t *bits, struct errbuf *err)
{
	char *item, *save = NULL;

	*bits = 0;
	for (item = strtok_r(field, ",", &save); item; item = strtok_r(NULL, ",", &save))
		if (parse_range(item, b, bits, err))
			return -1;
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Splits copy in place into at most max fields; returns the field count. */
static size_t split_fields(char *copy, char **fields, size_t max)
{
	size_t n = 0;
	char *p = copy;

	for (;;) {
		while (is_space(*p))
			*p++ = '\0';
		if (!*p)
			return n;
		if (n < max)
			fields[n] = p;
		n++;
		while (*p && !is_space(*p))
			p++;
	}
}

static int field_count_error(const char *spec, size_t n, struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = spec;
	int first = 1;

	/* Go prints the []string as "[a b c]". */
	strbuf_addch(&sb, '[');
	while (*p) {
		const char *start;

		while (is_space(*p))
			p++;
		if (!*p)
			break;
		for (start = p; *p && !is_space(*p); p++)
			;
		if (!first)
			strbuf_addch(&sb, ' ');
		strbuf_add(&sb, start, (size_t)(p - start));
		first = 0;
	}
	strbuf_addch(&sb, ']');
	errbuf_set(err, "expected exactly %d fields, found %zu: %s", NFIELDS, n, sb.buf);
	strbuf_release(&sb);
	return -1;
}

int cron_parse(const char *spec, struct cron_schedule *out, struct errbuf *err)
{
	uint64_t *bits[NFIELDS] = { &out->minute, &out->hour, &out->dom, &out->month, &out->dow };
	char *copy, *fields[NFIELDS];
	size_t n, i;
	int ret = 0;

	if (!*spec)
		return errbuf_set(err, "empty spec string");
	if (!strncmp(spec, "TZ=", 3) || !strncmp(spec, "CRON_TZ=", 8))
		return errbuf_set(err, "a TZ= or CRON_TZ= prefix is not supported here; "
		                       "set the window's timeZone instead");
	if (spec[0] == '@')
		return errbuf_set(err, "parser does not accept descriptors: %s", spec);
	copy = xstrdup(spec);
	n = split_fields(copy, fields, NFIELDS);
	if (n != NFIELDS)
		ret = field_count_error(spec, n, err);
	for (i = 0; !ret && i < NFIELDS; i++)
		ret = parse_field(fields[i], &field_bounds[i], bits[i], err);
	free(copy);
	return ret;
}

static int has(uint64_t bits, int v)
{
	return (bits >> v) & 1;
}

/* robfig's dayMatches: AND when either field was a star, else OR. */
static int day_matches(const struct cron_schedule *s, const struct civil_time *c)
{
	int dom = has(s->dom, c->day), dow = has(s->dow, c->wday);

	if ((s->dom & STAR_BIT) || (s->dow & STAR_BIT))
		return dom && dow;
	return dom || dow;
}

static int64_t floor_to(int64_t t, int64_t unit)
{
	int64_t r = t % unit;

	return r < 0 ? t - r - unit : t - r;
}

/*
 * A field that can never match would make the search below walk five years
 * minute by minute before giving up; the answer is known up front.
 */
static int unsatisfiable(const struct cron_schedule *s)
{
	int no_dom = !(s->dom & ~STAR_BIT), no_dow = !(s->dow & ~STAR_BIT);
	int and_days = (s->dom & STAR_BIT) || (s->dow & STAR_BIT);

	if (!(s->minute & ~STAR_BIT) || !(s->hour & ~STAR_BIT) || !(s->month & ~STAR_BIT))
		return 1;
	return and_days ? no_dom || no_dow : no_dom && no_dow;
}

/*
 * Follows robfig's Next step by step, including its "added" flag and the
 * jumps back to WRAP, so that corner cases give the same answers.  In UTC
 * there are no DST gaps, so robfig's DST fix-ups are not needed.
 */
int64_t cron_next(const struct cron_schedule *s, int64_t t)
{
	struct civil_time c;
	int64_t year_limit;
	int added = 0;

	/* Beyond a million years the calendar arithmetic could overflow. */
	if (unsatisfiable(s) || t > CIVIL_LIMIT || t < -CIVIL_LIMIT)
		return CRON_NONE;
	t += 1;
	time_to_civil(t, &c);
	year_limit = c.year + 5;
wrap:
	time_to_civil(t, &c);
	if (c.year > year_limit)
		return CRON_NONE;
	while (!has(s->month, c.month)) {
		if (!added) {
			added = 1;
			t = civil_to_time(c.year, c.month, 1, 0, 0, 0);
			time_to_civil(t, &c);
		}
		t = civil_to_time(c.year, c.month + 1, c.day, c.hour, c.min, c.sec);
		time_to_civil(t, &c);
		if (c.month == 1)
			goto wrap;
	}
	while (!day_matches(s, &c)) {
		if (!added) {
			added = 1;
			t = floor_to(t, 86400);
		}
		t += 86400;
		time_to_civil(t, &c);
		if (c.day == 1)
			goto wrap;
	}
	while (!has(s->hour, c.hour)) {
		if (!added) {
			added = 1;
			t = floor_to(t, 3600);
		}
		t += 3600;
		time_to_civil(t, &c);
		if (c.hour == 0)
			goto wrap;
	}
	while (!has(s->minute, c.min)) {
		if (!added) {
			added = 1;
			t = floor_to(t, 60);
		}
		t += 60;
		time_to_civil(t, &c);
		if (c.min == 0)
			goto wrap;
	}
	/* The implicit seconds field is "0". */
	while (c.sec != 0) {
		added = 1;
		t += 1;
		time_to_civil(t, &c);
		if (c.sec == 0)
			goto wrap;
	}
	return t;
}
