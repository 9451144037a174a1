#include "base64.h"

#include "xalloc.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		*o++ = alphabet[p[i] >> 2];
		*o++ = alphabet[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		*o++ = alphabet[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		*o++ = alphabet[p[i + 2] & 63];
	}
	if (i < len) {
		*o++ = alphabet[p[i] >> 2];
		if (i + 1 < len) {
			*o++ = alphabet[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
			*o++ = alphabet[(p[i + 1] & 15) << 2];
		} else {
			*o++ = alphabet[(p[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int sextet(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decodes one group of 4 characters (pad = how many of them are '='). */
static int put_quad(struct strbuf *out, const int q[4], int pad)
{
	unsigned long v = ((unsigned long)q[0] << 18) | ((unsigned long)q[1] << 12) |
	                  ((unsigned long)q[2] << 6) | (unsigned long)q[3];

	/* Go rejects non-zero bits hidden under the padding. */
	if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff)))
		return -1;
	strbuf_addch(out, (int)(v >> 16));
	if (pad < 2)
		strbuf_addch(out, (int)((v >> 8) & 0xff));
	if (pad < 1)
		strbuf_addch(out, (int)(v & 0xff));
	return 0;
}

int base64_decode(struct strbuf *out, const char *s, size_t len)
{
	size_t start = out->len, i;
	int q[4], n = 0, pad = 0, done = 0;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i], v;

		if (c == '\r' || c == '\n')
			continue;
		if (done)
			goto bad;
		if (c == '=') {
			/* Padding only in the last two places of a group. */
			if (n < 2)
				goto bad;
			pad++;
			q[n++] = 0;
		} else {
			if (pad || (v = sextet(c)) < 0)
				goto bad;
			q[n++] = v;
		}
		if (n == 4) {
			if (put_quad(out, q, pad))
				goto bad;
			done = pad > 0;
			n = 0;
		}
	}
	if (n)
		goto bad;
	return 0;
bad:
	strbuf_setlen(out, start);
	return -1;
}
