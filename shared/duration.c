#include "duration.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

#define OVERFLOW_LIMIT (UINT64_C(1) << 63)

struct unit {
	const char *name;
	uint64_t ns;
};

static const struct unit units[] = {
	{ "ns", 1 },
	{ "us", 1000 },
	{ "\xc2\xb5s", 1000 }, /* U+00B5 micro sign */
	{ "\xce\xbcs", 1000 }, /* U+03BC Greek small letter mu */
	{ "ms", 1000000 },
	{ "s", 1000000000 },
	{ "m", UINT64_C(60000000000) },
	{ "h", UINT64_C(3600000000000) },
};

/*
 * Go's time package quotes the input in its messages and writes non-ASCII
 * and control bytes as \xNN; doing the same keeps our text identical and
 * keeps terminal escapes out of error messages.
 */
static void add_quoted(struct strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	strbuf_addch(sb, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 || c < ' ') {
			strbuf_addstr(sb, "\\x");
			strbuf_addch(sb, hex[c >> 4]);
			strbuf_addch(sb, hex[c & 0xf]);
			continue;
		}
		if (c == '"' || c == '\\')
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, c);
	}
	strbuf_addch(sb, '"');
}

static int fail(struct errbuf *err, const char *what, const char *unit, size_t unit_len,
                const char *orig)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "time: %s", what);
	if (unit) {
		strbuf_addch(&sb, ' ');
		add_quoted(&sb, unit, unit_len);
		strbuf_addstr(&sb, " in duration");
	}
	strbuf_addch(&sb, ' ');
	add_quoted(&sb, orig, strlen(orig));
	errbuf_set(err, "%s", sb.buf);
	strbuf_release(&sb);
	return -1;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Consumes [0-9]*; -1 when the value no longer fits, as Go's leadingInt. */
static int leading_int(const char **sp, uint64_t *out)
{
	const char *s = *sp;
	uint64_t x = 0;

	for (; is_digit(*s); s++) {
		if (x > OVERFLOW_LIMIT / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
		if (x > OVERFLOW_LIMIT)
			return -1;
	}
	*sp = s;
	*out = x;
	return 0;
}

/* Consumes the digits after the point; extra precision is dropped, not an error. */
static void leading_fraction(const char **sp, uint64_t *out, double *scale)
{
	const char *s = *sp;
	uint64_t x = 0;
	int overflow = 0;

	*scale = 1;
	for (; is_digit(*s); s++) {
		uint64_t y;

		if (overflow)
			continue;
		if (x > (OVERFLOW_LIMIT - 1) / 10) {
			overflow = 1;
			continue;
		}
		y = x * 10 + (uint64_t)(*s - '0');
		if (y > OVERFLOW_LIMIT) {
			overflow = 1;
			continue;
		}
		x = y;
		*scale *= 10;
	}
	*sp = s;
	*out = x;
}

static const struct unit *find_unit(const char *u, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == len && !memcmp(units[i].name, u, len))
			return &units[i];
	return NULL;
}

/* One "<number><unit>" pair; adds its value to *total. */
static int parse_pair(const char **sp, uint64_t *total, const char *orig, struct errbuf *err)
{
	const char *s = *sp, *start, *u;
	const struct unit *unit;
	uint64_t v, f = 0;
	double scale = 1;
	int pre, post = 0;

	if (!(*s == '.' || is_digit(*s)))
		return fail(err, "invalid duration", NULL, 0, orig);
	start = s;
	if (leading_int(&s, &v))
		return fail(err, "invalid duration", NULL, 0, orig);
	pre = s != start;
	if (*s == '.') {
		s++;
		start = s;
		leading_fraction(&s, &f, &scale);
		post = s != start;
	}
	if (!pre && !post)
		return fail(err, "invalid duration", NULL, 0, orig);
	for (u = s; *s && *s != '.' && !is_digit(*s); s++)
		;
	if (s == u)
		return fail(err, "missing unit in duration", NULL, 0, orig);
	unit = find_unit(u, (size_t)(s - u));
	if (!unit)
		return fail(err, "unknown unit", u, (size_t)(s - u), orig);
	if (v > OVERFLOW_LIMIT / unit->ns)
		return fail(err, "invalid duration", NULL, 0, orig);
	v *= unit->ns;
	if (f > 0) {
		/* float64, as Go does, to stay nanosecond-exact for fractions of hours */
		v += (uint64_t)((double)f * ((double)unit->ns / scale));
		if (v > OVERFLOW_LIMIT)
			return fail(err, "invalid duration", NULL, 0, orig);
	}
	*total += v;
	if (*total > OVERFLOW_LIMIT)
		return fail(err, "invalid duration", NULL, 0, orig);
	*sp = s;
	return 0;
}

int duration_parse(const char *orig, int64_t *ns, struct errbuf *err)
{
	const char *s = orig;
	uint64_t d = 0;
	int neg = 0;

	if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
	}
	if (!strcmp(s, "0")) {
		*ns = 0;
		return 0;
	}
	if (!*s)
		return fail(err, "invalid duration", NULL, 0, orig);
	while (*s)
		if (parse_pair(&s, &d, orig, err))
			return -1;
	if (neg) {
		*ns = d == OVERFLOW_LIMIT ? INT64_MIN : -(int64_t)d;
		return 0;
	}
	if (d > (uint64_t)INT64_MAX)
		return fail(err, "invalid duration", NULL, 0, orig);
	*ns = (int64_t)d;
	return 0;
}

/* Writes v / 10^prec's fraction, without trailing zeros, ending at *w. */
static uint64_t put_frac(char *buf, int *w, uint64_t v, int prec)
{
	int print = 0, i;

	for (i = 0; i < prec; i++) {
		int digit = (int)(v % 10);

		print = print || digit != 0;
		if (print)
			buf[--*w] = (char)('0' + digit);
		v /= 10;
	}
	if (print)
		buf[--*w] = '.';
	return v;
}

static void put_int(char *buf, int *w, uint64_t v)
{
	if (v == 0) {
		buf[--*w] = '0';
		return;
	}
	while (v > 0) {
		buf[--*w] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Below one second Go switches to the largest unit that keeps an integer part. */
static void put_small(char *buf, int *w, uint64_t u)
{
	int prec;

	buf[--*w] = 's';
	if (u == 0) {
		buf[--*w] = '0';
		return;
	}
	if (u < 1000) {
		prec = 0;
		buf[--*w] = 'n';
	} else if (u < 1000000) {
		prec = 3;
		buf[--*w] = '\xb5';
		buf[--*w] = '\xc2';
	} else {
		prec = 6;
		buf[--*w] = 'm';
	}
	u = put_frac(buf, w, u, prec);
	put_int(buf, w, u);
}

char *duration_format(int64_t ns, char buf[DURATION_FORMAT_SIZE])
{
	char tmp[DURATION_FORMAT_SIZE];
	int w = DURATION_FORMAT_SIZE;
	uint64_t u = (uint64_t)ns;

	if (ns < 0)
		u = -u;
	if (u < (uint64_t)DURATION_SECOND) {
		put_small(tmp, &w, u);
	} else {
		tmp[--w] = 's';
		u = put_frac(tmp, &w, u, 9);
		put_int(tmp, &w, u % 60);
		u /= 60;
		if (u > 0) {
			tmp[--w] = 'm';
			put_int(tmp, &w, u % 60);
			u /= 60;
			/* Go stops at hours: days have different lengths. */
			if (u > 0) {
				tmp[--w] = 'h';
				put_int(tmp, &w, u);
			}
		}
	}
	if (ns < 0)
		tmp[--w] = '-';
	memcpy(buf, tmp + w, (size_t)(DURATION_FORMAT_SIZE - w));
	buf[DURATION_FORMAT_SIZE - w] = '\0';
	return buf;
}

static const char timeout_error[] =
	"Invalid timeout value. Timeout must be a single integer in seconds, or an integer "
	"followed by a corresponding time unit (e.g. 1s | 2m | 3h)";

/* strconv.ParseInt(s, 10, 64): optional sign, decimal digits only. */
static int parse_go_int(const char *s, long long *out)
{
	char *end;

	if (!*s || !(is_digit(*s) || ((*s == '+' || *s == '-') && is_digit(s[1]))))
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || *end ? -1 : 0;
}

int duration_parse_request_timeout(const char *s, int64_t *ns, struct errbuf *err)
{
	long long secs;

	if (!parse_go_int(s, &secs) && secs >= 0) {
		if (secs > INT64_MAX / DURATION_SECOND)
			return errbuf_set(err, "%s", timeout_error);
		*ns = (int64_t)secs * DURATION_SECOND;
		return 0;
	}
	if (!duration_parse(s, ns, NULL))
		return 0;
	return errbuf_set(err, "%s", timeout_error);
}
