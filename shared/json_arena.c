#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && !defined(JSON_ARENA_NO_SIMD)
#include <emmintrin.h>
#define JSON_ARENA_SSE2
#endif

#include "arena.h"
#include "errbuf.h"
#include "json_arena.h"
#include "xalloc.h"

struct parser {
	char *start, *p, *end;
	struct arena *a;
	cJSON *pool, *pool_end; /* zeroed nodes from a, not handed out yet */
	size_t batch; /* nodes per refill of the pool */
	int depth;
	const char *error; /* what went wrong, at p */
	const char *const *const *skip; /* paths left out of the tree, or NULL */
	uint32_t defer; /* the skip paths kept as raw text instead (json_arena_expand) */
	const char *no_fast_before; /* where fast_skip() last gave up */
};

#define MAX_SKIP 32

static cJSON *new_node(struct arena *a, int type)
{
	cJSON *n = arena_alloc(a, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->type = type;
	return n;
}

/* One arena call for `batch` nodes: a node then costs a pointer bump. */
__attribute__((noinline)) static void refill(struct parser *ps)
{
	ps->pool = arena_calloc(ps->a, ps->batch * sizeof(cJSON));
	ps->pool_end = ps->pool + ps->batch;
}

static inline cJSON *parser_node(struct parser *ps)
{
	if (ps->pool == ps->pool_end)
		refill(ps);
	return ps->pool++;
}

static int fail(struct parser *ps, const char *what)
{
	if (!ps->error)
		ps->error = what;
	return -1;
}

static int fail_at(struct parser *ps, char *p, const char *what)
{
	ps->p = p;
	return fail(ps, what);
}

static inline void skip_ws(struct parser *ps)
{
	/* Compact JSON has no whitespace between tokens: one test settles it. */
	if (ps->p < ps->end && (unsigned char)*ps->p > ' ')
		return;
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
		ps->p++;
}

/* Whether the next token starts with c; whitespace is skipped only when
 * the byte at p is not c already. */
static inline int at(struct parser *ps, char c)
{
	if (ps->p < ps->end && *ps->p == c)
		return 1;
	skip_ws(ps);
	return ps->p < ps->end && *ps->p == c;
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

/* The \uXXXX escape (or surrogate pair) at *r, after the backslash-u. */
static int unicode_escape(struct parser *ps, char **r, unsigned *cp)
{
	unsigned lo;

	if (ps->end - *r < 4 || hex4(*r, cp))
		return fail_at(ps, *r, "bad \\u escape");
	*r += 4;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return fail_at(ps, *r, "lone low surrogate");
	if (*cp >= 0xd800 && *cp <= 0xdbff) {
		if (ps->end - *r < 6 || (*r)[0] != '\\' || (*r)[1] != 'u' || hex4(*r + 2, &lo) ||
		    lo < 0xdc00 || lo > 0xdfff)
			return fail_at(ps, *r, "unpaired high surrogate");
		*r += 6;
		*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	return 0;
}

/* The escape at *r, after a backslash and before the end: its code point. */
static int escape(struct parser *ps, char **r, unsigned *cp)
{
	/* Pairs: the letter after the backslash, the byte it stands for. */
	static const char plain[] = "\"\"\\\\//b\bf\fn\nr\rt\t";

	if (**r == 'u') {
		++*r;
		return unicode_escape(ps, r, cp);
	}
	for (size_t i = 0; i < sizeof(plain) - 1; i += 2) {
		if (**r == plain[i]) {
			*cp = (unsigned char)plain[i + 1];
			++*r;
			return 0;
		}
	}
	return fail_at(ps, *r, "bad escape");
}

#ifdef JSON_ARENA_SSE2
#define BLOCK 16

/* Bit i set when byte i of the 16 at r is '"', '\\' or below 0x20. */
static inline uint64_t block_specials(const char *r)
{
	const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)r);
	/* byte ^ 2 is at most 0x20 for exactly the control bytes (which it
	 * permutes) and '"' (0x22 becomes 0x20): one unsigned compare,
	 * min(x, 0x20) == x, finds both. */
	__m128i low = _mm_xor_si128(v, _mm_set1_epi8(0x02));

	low = _mm_cmpeq_epi8(_mm_min_epu8(low, _mm_set1_epi8(0x20)), low);
	return (unsigned)_mm_movemask_epi8(_mm_or_si128(low, _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
}

static inline size_t first_special(uint64_t m)
{
	return (unsigned)__builtin_ctzll(m);
}
#else
#define BLOCK 8
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Bit 8i+7 set when byte i of the 8 at r is '"', '\\' or below 0x20; a
 * false flag can only follow a true one (through a borrow), so the lowest
 * flag is the first special byte. */
static inline uint64_t block_specials(const char *r)
{
	uint64_t w, quote, bslash;

	memcpy(&w, r, sizeof(w));
	if (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
		w = __builtin_bswap64(w); /* byte 0 lowest, as below */
	quote = w ^ (ONES * '"');
	bslash = w ^ (ONES * '\\');
	return ((quote - ONES) & ~quote & HIGHS) | ((bslash - ONES) & ~bslash & HIGHS) |
	       ((w - ONES * 0x20) & ~w & HIGHS);
}

static inline size_t first_special(uint64_t m)
{
	return (unsigned)__builtin_ctzll(m) >> 3;
}
#endif

static inline int special(char c)
{
	return (unsigned char)c < 0x20 || c == '"' || c == '\\';
}

/* The first '"', '\\' or control byte in [r, end), or end. */
static char *find_special(char *r, const char *end)
{
	for (; end - r >= BLOCK; r += BLOCK) {
		uint64_t m = block_specials(r);

		if (m)
			return r + first_special(m);
	}
	while (r < end && !special(*r))
		r++;
	return r;
}

/* The closing quote when the string from r has no escape and ends a block
 * or more before the end of the buffer (almost all do); NULL otherwise. */
static inline char *quick_quote(char *r, const char *end)
{
	const char *last;

	if (end - r < BLOCK)
		return NULL;
	last = end - BLOCK;
	do {
		uint64_t m = block_specials(r);

		if (m) {
			r += first_special(m);
			return *r == '"' ? r : NULL;
		}
		r += BLOCK;
	} while (r <= last);
	return NULL;
}

/*
 * A string from r, after its opening quote, to its closing one: escapes
 * are checked, and decoded to w (never ahead of r) unless w is NULL.  For
 * the strings quick_quote() does not settle.
 */
__attribute__((noinline)) static int string_tail(struct parser *ps, char *r, char *w)
{
	unsigned cp;

	for (;;) {
		char *q = find_special(r, ps->end);

		if (w) {
			if (w != r)
				memmove(w, r, (size_t)(q - r));
			w += q - r;
		}
		r = q;
		if (r < ps->end && *r == '"') {
			if (w)
				*w = '\0';
			ps->p = r + 1;
			return 0;
		}
		if (r < ps->end && *r != '\\')
			return fail_at(ps, r, "control character in string");
		if (r == ps->end || ++r == ps->end)
			return fail_at(ps, r, "unterminated string");
		if (escape(ps, &r, &cp))
			return -1;
		if (w)
			w = put_utf8(w, cp);
	}
}

/* parse_string() when quick_quote() did not find the end. */
__attribute__((noinline)) static char *parse_string_slow(struct parser *ps, char *s)
{
	return string_tail(ps, s, s) ? NULL : s;
}

/* At the opening quote: the string, decoded and NUL-terminated in place. */
static char *parse_string(struct parser *ps)
{
	char *s = ps->p + 1, *q = quick_quote(s, ps->end);

	if (!q)
		return parse_string_slow(ps, s);
	*q = '\0';
	ps->p = q + 1;
	return s;
}

/* parse_string() without decoding: the buffer is left as it is. */
static int skip_string(struct parser *ps)
{
	char *q = quick_quote(ps->p + 1, ps->end);

	if (!q)
		return string_tail(ps, ps->p + 1, NULL);
	ps->p = q + 1;
	return 0;
}

static int digits(struct parser *ps)
{
	const char *from = ps->p;

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	return ps->p > from ? 0 : fail(ps, "bad number");
}

/* Moves past the number at p; *simple is cleared by a fraction or exponent. */
static int scan_number(struct parser *ps, int *simple)
{
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '0')
		ps->p++;
	else if (digits(ps))
		return -1;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		*simple = 0;
		if (digits(ps))
			return -1;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		*simple = 0;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (digits(ps))
			return -1;
	}
	return 0;
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

	if (scan_number(ps, &simple))
		return -1;
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
	return 0;
}

/* After a member or element: 1 at ',', 0 at the closing bracket, -1 else.
 * The whitespace after ',' is left to the key or value that follows. */
static inline int next_or_close(struct parser *ps, char close, const char *what)
{
	if (at(ps, ',')) {
		ps->p++;
		return 1;
	}
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return 0;
	}
	return fail(ps, what);
}

/* After enter(): 1 when the container is empty (and now closed). */
static inline int empty(struct parser *ps, char close)
{
	if (at(ps, close)) {
		ps->p++;
		ps->depth--;
		return 1;
	}
	return 0;
}

/* parse_value() after a colon or comma: a string, the most common value,
 * without a call. */
static inline int parse_item(struct parser *ps, cJSON *n, uint32_t mask, int level)
{
	if (ps->p < ps->end && *ps->p == '"') {
		n->type = cJSON_String;
		return (n->valuestring = parse_string(ps)) ? 0 : -1;
	}
	return parse_value(ps, n, mask, level);
}

static int parse_array(struct parser *ps, cJSON *n)
{
	cJSON *last = NULL;
	int more;

	n->type = cJSON_Array;
	if (enter(ps))
		return -1;
	if (empty(ps, ']'))
		return 0;
	do {
		cJSON *item = parser_node(ps);

		if (parse_item(ps, item, 0, 0))
			return -1;
		append(n, &last, item);
	} while ((more = next_or_close(ps, ']', "expected ',' or ']'")) == 1);
	return more;
}

/* The skip paths among `mask` that go on with key at `level`; *drop is
 * 1 when one of them ends there, 2 when that one is deferred. */
static uint32_t follow(struct parser *ps, uint32_t mask, int level, const char *key, int *drop)
{
	uint32_t out = 0;

	*drop = 0;
	for (; mask; mask &= mask - 1) {
		int i = __builtin_ctz(mask);
		const char *const *path = ps->skip[i];

		if (path[level][0] != key[0] || strcmp(path[level], key))
			continue;
		if (!path[level + 1])
			*drop = (ps->defer >> i & 1) ? 2 : 1;
		else
			out |= UINT32_C(1) << i;
	}
	return out;
}

/* A key and the colon after it. */
static char *parse_key(struct parser *ps)
{
	char *key;

	if (!at(ps, '"')) {
		fail(ps, "expected a key");
		return NULL;
	}
	if (!(key = parse_string(ps)))
		return NULL;
	if (!at(ps, ':')) {
		fail(ps, "expected ':'");
		return NULL;
	}
	ps->p++;
	return key;
}

static int skip_key(struct parser *ps)
{
	if (!at(ps, '"'))
		return fail(ps, "expected a key");
	if (skip_string(ps))
		return -1;
	if (!at(ps, ':'))
		return fail(ps, "expected ':'");
	ps->p++;
	return 0;
}

/* A deferred member: checked as a skipped one, kept as its raw text. */
static int defer_member(struct parser *ps, cJSON *n, cJSON **last, char *key)
{
	cJSON *item;
	char *from;

	skip_ws(ps);
	from = ps->p;
	if (skip_value(ps))
		return -1;
	item = parser_node(ps);
	item->string = key;
	item->type = cJSON_Raw;
	item->valuestring = from;
	item->valuedouble = (double)(ps->p - from);
	append(n, last, item);
	return 0;
}

static int parse_member(struct parser *ps, cJSON *n, cJSON **last, uint32_t mask, int level)
{
	char *key = parse_key(ps);
	cJSON *item;
	uint32_t sub = 0;
	int drop = 0;

	if (!key)
		return -1;
	if (mask)
		sub = follow(ps, mask, level, key, &drop);
	if (drop == 2)
		return defer_member(ps, n, last, key);
	if (drop)
		return skip_value(ps);
	item = parser_node(ps);
	item->string = key;
	if (parse_item(ps, item, sub, level + 1))
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
	if (empty(ps, '}'))
		return 0;
	do {
		if (parse_member(ps, n, &last, mask, level))
			return -1;
	} while ((more = next_or_close(ps, '}', "expected ',' or '}'")) == 1);
	return more;
}

/* Numbers and literals. */
static int parse_scalar(struct parser *ps, cJSON *n)
{
	switch (*ps->p) {
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
	switch (*ps->p) {
	case '"':
		n->type = cJSON_String;
		return (n->valuestring = parse_string(ps)) ? 0 : -1;
	case '{':
		return parse_object(ps, n, mask, level);
	case '[':
		return parse_array(ps, n);
	default:
		return parse_scalar(ps, n);
	}
}

/* skip_value() of the rest of a member or element: strings, the most
 * common values, without a call. */
static inline int skip_item(struct parser *ps)
{
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '"')
		return skip_string(ps);
	return skip_value(ps);
}

/* skip_value() of an object, after enter(). */
static int skip_object(struct parser *ps)
{
	int more;

	if (empty(ps, '}'))
		return 0;
	do {
		if (skip_key(ps) || skip_item(ps))
			return -1;
	} while ((more = next_or_close(ps, '}', "expected ',' or '}'")) == 1);
	return more;
}

/* skip_value() of an array, after enter(). */
static int skip_array(struct parser *ps)
{
	int more;

	if (empty(ps, ']'))
		return 0;
	do {
		if (skip_item(ps))
			return -1;
	} while ((more = next_or_close(ps, ']', "expected ',' or ']'")) == 1);
	return more;
}

/* The fast path of skip_value(): the values of skipped members are
 * mostly small objects of short plain strings, small integers, true,
 * false and null.  A scanner for just these, with no call per level, is
 * cheaper than the exact recursion; it gives up (NULL) on anything else,
 * and skip_value() then checks the value again the exact way.  So it
 * must only accept what skip_value() accepts, and end where it ends. */
#define FAST_DEPTH 32

static inline char *fast_ws(char *p, const char *end)
{
	if (p < end && (unsigned char)*p > ' ')
		return p;
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

/* After the opening quote: past the closing one, when the string has
 * no escape other than a one-letter one. */
static inline __attribute__((always_inline)) char *fast_string(char *r, const char *end)
{
	char *q = quick_quote(r, end);

	if (q)
		return q + 1;
	for (;;) {
		q = find_special(r, end);
		if (q == end)
			return NULL;
		if (*q == '"')
			return q + 1;
		if (*q != '\\' || end - q < 2 || !q[1] || !strchr("\"\\/bfnrt", q[1]))
			return NULL;
		r = q + 2;
	}
}

/* An integer without fraction or exponent. */
static inline char *fast_number(char *p, const char *end)
{
	if (*p == '-' && ++p == end)
		return NULL;
	if (*p == '0') {
		p++;
	} else {
		if (*p < '1' || *p > '9')
			return NULL;
		while (++p < end && *p >= '0' && *p <= '9')
			;
	}
	if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
		return NULL;
	return p;
}

static inline char *fast_word(char *p, const char *end, const char *word, size_t len)
{
	return (size_t)(end - p) >= len && !memcmp(p, word, len) ? p + len : NULL;
}

static inline char *fast_scalar(char *p, const char *end)
{
	switch (*p) {
	case '"':
		return fast_string(p + 1, end);
	case 't':
		return fast_word(p, end, "true", 4);
	case 'f':
		return fast_word(p, end, "false", 5);
	case 'n':
		return fast_word(p, end, "null", 4);
	default:
		if (*p == '-' || (*p >= '0' && *p <= '9'))
			return fast_number(p, end);
		return NULL;
	}
}

/* A key and its colon. */
static inline __attribute__((always_inline)) char *fast_key(char *p, const char *end)
{
	p = fast_ws(p, end);
	if (p == end || *p != '"' || !(p = fast_string(p + 1, end)))
		return NULL;
	if (p < end && *p == ':')
		return p + 1;
	p = fast_ws(p, end);
	return p < end && *p == ':' ? p + 1 : NULL;
}

/* The end of the value at p, or NULL; room is how many levels may still
 * be entered before the nesting limit. */
static char *fast_scan(char *p, const char *end, int room, char **stop)
{
	char close[FAST_DEPTH], *next = NULL;
	int d = 0;

	if (room > FAST_DEPTH)
		room = FAST_DEPTH;
	/* At each give-up, p is where the part that could not be read starts. */
	for (;;) {
		p = fast_ws(p, end);
		if (p == end)
			goto give_up;
		if (*p == '{' || *p == '[') {
			if (d >= room)
				goto give_up;
			close[d++] = (char)(*p + 2); /* '}' or ']' */
			p = fast_ws(p + 1, end);
			if (p < end && *p == close[d - 1]) {
				p++;
				d--;
			} else {
				if (close[d - 1] == '}') {
					if (!(next = fast_key(p, end)))
						goto give_up;
					p = next;
				}
				continue;
			}
		} else if (!(next = fast_scalar(p, end))) {
			goto give_up;
		} else {
			p = next;
		}
		/* After a value: close what ends here, then go on after ','. */
		for (;;) {
			if (!d)
				return p;
			p = fast_ws(p, end);
			if (p == end)
				goto give_up;
			if (*p != close[d - 1])
				break;
			p++;
			d--;
		}
		if (*p != ',')
			goto give_up;
		p++;
		if (close[d - 1] == '}') {
			if (!(next = fast_key(p, end)))
				goto give_up;
			p = next;
		}
	}
give_up:
	*stop = p;
	return NULL;
}

/* Checks a value as parse_value() would, without building it. */
/*
 * fast_scan() where it may pay: not again inside a value it gave up on
 * before the point where it did, so that the exact path, which calls
 * skip_value() level by level, does not have every level scanned anew.
 */
static char *fast_skip(struct parser *ps)
{
	char *q, *stop = ps->p;

	if (ps->p < ps->no_fast_before)
		return NULL;
	q = fast_scan(ps->p, ps->end, CJSON_NESTING_LIMIT - ps->depth, &stop);
	if (!q)
		ps->no_fast_before = stop;
	return q;
}

static int skip_value(struct parser *ps)
{
	char *q = fast_skip(ps);
	int simple;

	if (q) {
		ps->p = q;
		return 0;
	}

	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end");
	switch (*ps->p) {
	case '"':
		return skip_string(ps);
	case '{':
		return enter(ps) ? -1 : skip_object(ps);
	case '[':
		return enter(ps) ? -1 : skip_array(ps);
	case 't':
		return literal(ps, "true", 4);
	case 'f':
		return literal(ps, "false", 5);
	case 'n':
		return literal(ps, "null", 4);
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return scan_number(ps, &simple);
		return fail(ps, "unexpected character");
	}
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
                        uint32_t defer, struct errbuf *err)
{
	/* The nodes left in the pool at the end are lost: a batch is kept
	 * to len bytes of nodes at most. */
	size_t batch = len / sizeof(cJSON) < 32 ? len / sizeof(cJSON) + 1 : 32;
	struct parser ps = { buf, buf, buf + len, a, NULL, NULL, batch, 0, NULL, skip, defer, buf };
	cJSON *root = parser_node(&ps);

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
	return parse_all(a, buf, len, NULL, 0, err);
}

cJSON *json_arena_parse_except(struct arena *a, char *buf, size_t len,
                               const char *const *const *skip, struct errbuf *err)
{
	return parse_all(a, buf, len, skip, 0, err);
}

cJSON *json_arena_parse_deferring(struct arena *a, char *buf, size_t len,
                                  const char *const *const *skip, const char *const *const *defer,
                                  struct errbuf *err)
{
	const char *const *paths[MAX_SKIP + 1];
	uint32_t mask = 0;
	int n = 0;

	for (int i = 0; skip && skip[i] && n < MAX_SKIP; i++)
		paths[n++] = skip[i];
	for (int i = 0; defer && defer[i] && n < MAX_SKIP; i++) {
		mask |= UINT32_C(1) << n;
		paths[n++] = defer[i];
	}
	paths[n] = NULL;
	return parse_all(a, buf, len, paths, mask, err);
}

int json_arena_expand(struct arena *a, cJSON *node, struct errbuf *err)
{
	cJSON *v;

	if (!node || node->type != cJSON_Raw)
		return 0;
	/* Checked when it was skipped: only memory could fail here. */
	v = json_arena_parse(a, node->valuestring, (size_t)node->valuedouble, err);
	if (!v)
		return -1;
	node->type = v->type;
	node->child = v->child;
	node->valuestring = v->valuestring;
	node->valueint = v->valueint;
	node->valuedouble = v->valuedouble;
	return 0;
}

cJSON *json_arena_parse_prefix(struct arena *a, char *buf, size_t len, size_t *used,
                               struct errbuf *err)
{
	/* Called value after value on one arena (a file of many documents):
	 * one node at a time, so that nothing is lost between them. */
	struct parser ps = { buf, buf, buf + len, a, NULL, NULL, 1, 0, NULL, NULL, 0, buf };
	cJSON *root = parser_node(&ps);

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
