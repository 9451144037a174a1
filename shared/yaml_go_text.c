/*
 * yaml_go_text.c - UTF-8 and number text, read and written the way Go does.
 *
 * go-yaml and encoding/json sit on Go's unicode/utf8 and strconv; matching
 * kubectl byte for byte means matching them: which bytes are valid UTF-8
 * (and become U+FFFD when not), which integer texts ParseInt/ParseUint
 * accept, and the shortest float text FormatFloat prints.  Contract in
 * yaml_json_internal.h.
 */
#include "yaml_json_internal.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- UTF-8 */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
size_t yj_utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
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
void yj_add_utf8_fixed(struct strbuf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		k = yj_utf8_len(p + i, n - i, &cp);
		if (k) {
			strbuf_add(out, p + i, k);
			i += k;
		} else {
			strbuf_addstr(out, "\xef\xbf\xbd");
			i++;
		}
	}
}

int yj_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		k = yj_utf8_len(p + i, n - i, &cp);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

/* ------------------------------------------------- numbers, the Go way */

/* strtod on text known to be [-+]digits[.digits][e[-+]digits], whatever
 * LC_NUMERIC says; returns -1 if the value overflows to infinity. */
int yj_strtod(const char *s, size_t n, double *out)
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
void yj_go_format_float(double v, int bits, char *out, size_t size)
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
int yj_go_parse_uint(const char *s, size_t n, int base, uint64_t *out)
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
int yj_go_parse_int(const char *s, size_t n, int base, int64_t *out)
{
	int neg = 0;
	uint64_t u;

	if (n && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		s++, n--;
	}
	if (yj_go_parse_uint(s, n, base, &u))
		return -1;
	if (!neg && u > (uint64_t)INT64_MAX)
		return -1;
	if (neg && u > (uint64_t)INT64_MAX + 1)
		return -1;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}
