/*
 * glob.c - gobwas/glob v0.2.3 and Go's path/filepath.Match, in bounded time.
 *
 * gobwas patterns are compiled into a small Thompson NFA over runes and run
 * by keeping the set of live states, so matching costs at most
 * O(len(value) * len(pattern)) whatever the pattern: these patterns come
 * from AppProjects and the values from Applications, both untrusted in the
 * webhook, and a backtracking matcher would be exponential on `*a*a*a*…b`.
 *
 * filepath.Match needs no NFA: its chunks never backtrack into earlier
 * chunks (a `*` takes the leftmost position where the next chunk fits), so
 * porting its algorithm keeps it O(len(name) * len(pattern)).
 *
 * Both treat text as UTF-8 the way Go does: a byte that does not start a
 * valid sequence decodes as U+FFFD of width 1.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glob.h"
#include "xalloc.h"

#define RUNE_ERROR 0xFFFDu

/* Go's utf8.DecodeRuneInString on a NUL-terminated string (*s != 0). */
static uint32_t decode_rune(const unsigned char *s, size_t *width)
{
	unsigned char c = s[0];
	uint32_t r;
	size_t n, i;
	unsigned char lo = 0x80, hi = 0xBF;

	*width = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		r = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		r = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F; /* no UTF-16 surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		r = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return RUNE_ERROR;
	}
	for (i = 1; i < n; i++) {
		/* The NUL terminator is never a continuation byte. */
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xBF))
			return RUNE_ERROR;
		r = (r << 6) | (s[i] & 0x3F);
	}
	*width = n;
	return r;
}

/* ---- gobwas/glob ---------------------------------------------------- */

enum op {
	OP_RUNE, /* one rune equal to lo */
	OP_SINGLE, /* one rune that is not a separator (`?`, `*`) */
	OP_ANYRUNE, /* one rune, any (`**`) */
	OP_LIST, /* one rune in (or, neg, not in) pool[set..set+nset) */
	OP_RANGE, /* one rune in (or not in) lo..hi */
	OP_SPLIT, /* go on at x and at y */
	OP_JMP, /* go on at x */
	OP_FAIL, /* dead end */
	OP_MATCH
};

struct inst {
	enum op op;
	int neg;
	uint32_t lo, hi;
	size_t set, nset;
	int x, y;
};

struct prog {
	struct inst *in;
	int n, alloc;
	uint32_t *pool; /* runes of all [abc] lists */
	size_t npool;
	uint32_t seps[16];
	size_t nseps;
	int seps_overflow; /* more separators than fit: check the string */
	const char *sepstr;
};

/* An open `{`: its latest SPLIT and the chain of JMPs to patch at `}`. */
struct terms {
	int split;
	int chain;
};

static int emit(struct prog *p, enum op op)
{
	if (p->n == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 32;
		p->in = xrealloc(p->in, (size_t)p->alloc * sizeof(*p->in));
	}
	memset(&p->in[p->n], 0, sizeof(p->in[0]));
	p->in[p->n].op = op;
	return p->n++;
}

static void emit_rune(struct prog *p, enum op op, uint32_t r)
{
	int i = emit(p, op); /* emit() may move p->in */

	p->in[i].lo = r;
}

/* `*` or `**`: a loop around one rune. */
static void emit_star(struct prog *p, enum op each)
{
	int split = emit(p, OP_SPLIT), jmp;

	emit(p, each);
	jmp = emit(p, OP_JMP);
	p->in[jmp].x = split;
	p->in[split].x = split + 1;
	p->in[split].y = p->n;
}

static void terms_open(struct prog *p, struct terms *t)
{
	t->split = emit(p, OP_SPLIT);
	p->in[t->split].x = t->split + 1;
	t->chain = -1;
}

/* Ends the current alternative: jump to the (future) end of the group. */
static void terms_end_alt(struct prog *p, struct terms *t)
{
	int j = emit(p, OP_JMP);

	p->in[j].x = t->chain;
	t->chain = j;
	p->in[t->split].y = p->n;
}

static void terms_next(struct prog *p, struct terms *t)
{
	terms_end_alt(p, t);
	t->split = emit(p, OP_SPLIT);
	p->in[t->split].x = t->split + 1;
}

static void terms_close(struct prog *p, struct terms *t)
{
	int j, next, end;

	terms_end_alt(p, t);
	emit(p, OP_FAIL); /* where the last SPLIT's second arm leads */
	end = p->n;
	for (j = t->chain; j >= 0; j = next) {
		next = p->in[j].x;
		p->in[j].x = end;
	}
}

/*
 * A character class after its `[`, as gobwas's lexer reads it: an optional
 * `!`, then either exactly `lo-hi]` or a run of (escapable) characters up to
 * `]`.  Returns the position after `]`, or NULL when it does not compile.
 */
static const unsigned char *compile_class(struct prog *p, const unsigned char *s)
{
	int neg = 0, i;
	size_t w, start = p->npool;
	uint32_t r, hi;

	if (*s == '!') {
		neg = 1;
		s++;
	}
	if (!*s)
		return NULL;
	r = decode_rune(s, &w);
	if (s[w] == '-') {
		s += w + 1;
		if (!*s)
			return NULL;
		hi = decode_rune(s, &w);
		s += w;
		if (*s != ']' || hi < r)
			return NULL;
		i = emit(p, OP_RANGE);
		p->in[i].lo = r;
		p->in[i].hi = hi;
		p->in[i].neg = neg;
		return s + 1;
	}
	while (*s && *s != ']') {
		if (*s == '\\' && !*++s)
			break;
		p->pool[p->npool++] = decode_rune(s, &w);
		s += w;
	}
	if (*s != ']' || p->npool == start)
		return NULL;
	i = emit(p, OP_LIST);
	p->in[i].set = start;
	p->in[i].nset = p->npool - start;
	p->in[i].neg = neg;
	return s + 1;
}

static int valid_utf8(const unsigned char *s)
{
	size_t w;

	/* gobwas's lexer refuses U+FFFD itself as well as bad bytes. */
	for (; *s; s += w)
		if (decode_rune(s, &w) == RUNE_ERROR)
			return 0;
	return 1;
}

static int compile(struct prog *p, const char *pattern)
{
	const unsigned char *s = (const unsigned char *)pattern;
	size_t len = strlen(pattern), depth = 0, w;
	struct terms *stack;
	int ok = 1;

	if (!valid_utf8(s))
		return -1;
	stack = xmalloc((len + 1) * sizeof(*stack));
	p->pool = xmalloc((len + 1) * sizeof(*p->pool));
	while (ok && *s) {
		if (*s == '{') {
			terms_open(p, &stack[depth++]);
			s++;
		} else if (depth && *s == ',') {
			terms_next(p, &stack[depth - 1]);
			s++;
		} else if (depth && *s == '}') {
			terms_close(p, &stack[--depth]);
			s++;
		} else if (*s == '[') {
			s = compile_class(p, s + 1);
			ok = s != NULL;
		} else if (*s == '?') {
			emit(p, OP_SINGLE);
			s++;
		} else if (*s == '*') {
			emit_star(p, s[1] == '*' ? OP_ANYRUNE : OP_SINGLE);
			s += s[1] == '*' ? 2 : 1;
		} else {
			/* A trailing lone backslash escapes nothing and is dropped. */
			if (*s == '\\' && !*++s)
				break;
			emit_rune(p, OP_RUNE, decode_rune(s, &w));
			s += w;
		}
	}
	/* gobwas accepts an unclosed `{` as if it were closed at the end. */
	while (ok && depth)
		terms_close(p, &stack[--depth]);
	free(stack);
	emit(p, OP_MATCH);
	return ok ? 0 : -1;
}

static void set_separators(struct prog *p, const char *separators)
{
	const unsigned char *s = (const unsigned char *)(separators ? separators : "");
	size_t w;

	p->sepstr = (const char *)s;
	for (; *s; s += w) {
		if (p->nseps == sizeof(p->seps) / sizeof(p->seps[0])) {
			p->seps_overflow = 1;
			return;
		}
		p->seps[p->nseps++] = decode_rune(s, &w);
	}
}

static int is_separator(const struct prog *p, uint32_t r)
{
	size_t i, w;
	const unsigned char *s;

	if (!p->seps_overflow) {
		for (i = 0; i < p->nseps; i++)
			if (p->seps[i] == r)
				return 1;
		return 0;
	}
	for (s = (const unsigned char *)p->sepstr; *s; s += w)
		if (decode_rune(s, &w) == r)
			return 1;
	return 0;
}

static int inst_accepts(const struct prog *p, const struct inst *in, uint32_t r)
{
	size_t i;
	int hit = 0;

	switch (in->op) {
	case OP_RUNE:
		return r == in->lo;
	case OP_SINGLE:
		return !is_separator(p, r);
	case OP_ANYRUNE:
		return 1;
	case OP_RANGE:
		return (r >= in->lo && r <= in->hi) != in->neg;
	case OP_LIST:
		for (i = 0; i < in->nset && !hit; i++)
			hit = p->pool[in->set + i] == r;
		return hit != in->neg;
	default:
		return 0;
	}
}

struct nfa_run {
	int *cur, *next, *stack;
	unsigned *mark;
	int ncur, nnext;
	unsigned gen;
};

/* Adds pc and everything reachable from it without consuming a rune. */
static void add_state(const struct prog *p, struct nfa_run *run, int pc)
{
	int sp = 0;

	run->stack[sp++] = pc;
	while (sp) {
		pc = run->stack[--sp];
		if (run->mark[pc] == run->gen)
			continue;
		run->mark[pc] = run->gen;
		switch (p->in[pc].op) {
		case OP_JMP:
			run->stack[sp++] = p->in[pc].x;
			break;
		case OP_SPLIT:
			run->stack[sp++] = p->in[pc].y;
			run->stack[sp++] = p->in[pc].x;
			break;
		case OP_FAIL:
			break;
		default:
			run->next[run->nnext++] = pc;
		}
	}
}

static void swap_states(struct nfa_run *run)
{
	int *t = run->cur;

	run->cur = run->next;
	run->next = t;
	run->ncur = run->nnext;
	run->nnext = 0;
	run->gen++;
}

static int run_nfa(const struct prog *p, const char *value)
{
	const unsigned char *s = (const unsigned char *)value;
	struct nfa_run run;
	size_t n = (size_t)p->n, w;
	int i, matched = 0;
	uint32_t r;

	run.cur = xmalloc(n * sizeof(int));
	run.next = xmalloc(n * sizeof(int));
	/* Each state is expanded once per step and pushes at most two. */
	run.stack = xmalloc((2 * n + 2) * sizeof(int));
	run.mark = xcalloc(n, sizeof(unsigned));
	run.gen = 1;
	run.nnext = 0;
	add_state(p, &run, 0);
	swap_states(&run);
	for (; *s && run.ncur; s += w) {
		r = decode_rune(s, &w);
		for (i = 0; i < run.ncur; i++)
			if (inst_accepts(p, &p->in[run.cur[i]], r))
				add_state(p, &run, run.cur[i] + 1);
		swap_states(&run);
	}
	for (i = 0; i < run.ncur && !*s; i++)
		matched |= p->in[run.cur[i]].op == OP_MATCH;
	free(run.cur);
	free(run.next);
	free(run.stack);
	free(run.mark);
	return matched;
}

static void prog_release(struct prog *p)
{
	free(p->in);
	free(p->pool);
}

int glob_match(const char *pattern, const char *value, const char *separators)
{
	struct prog p = { 0 };
	int ret = 0;

	if (!pattern || !value)
		return 0;
	set_separators(&p, separators);
	if (!compile(&p, pattern))
		ret = run_nfa(&p, value);
	prog_release(&p);
	return ret;
}

int glob_valid(const char *pattern)
{
	struct prog p = { 0 };
	int ret;

	if (!pattern)
		return 0;
	ret = compile(&p, pattern) == 0;
	prog_release(&p);
	return ret;
}

int glob_argo_match(const char *pattern, const char *value, int allow_negation, const char *separators)
{
	if (!pattern || !value)
		return 0;
	if (allow_negation && pattern[0] == '!')
		return !glob_match(pattern + 1, value, separators);
	if (!strcmp(pattern, "*"))
		return 1;
	return glob_match(pattern, value, separators);
}

/* ---- path/filepath.Match -------------------------------------------- */

/*
 * A chunk is a run of single-rune operators (literals, `?`, classes) that
 * may be preceded by stars.  *star says whether it was; the chunk ends at
 * the next `*` outside a class or at the end of the pattern.
 */
static const char *scan_chunk(const char *pat, int *star, const char **end)
{
	int inrange = 0;
	const char *q;

	*star = 0;
	while (*pat == '*') {
		pat++;
		*star = 1;
	}
	for (q = pat; *q; q++) {
		if (*q == '\\' && q[1])
			q++;
		else if (*q == '[')
			inrange = 1;
		else if (*q == ']')
			inrange = 0;
		else if (*q == '*' && !inrange)
			break;
	}
	*end = q;
	return pat;
}

/* One possibly escaped rune of a class; NULL when the class is malformed. */
static const char *class_rune(const char *c, const char *end, uint32_t *r)
{
	size_t w;

	if (c >= end || *c == '-' || *c == ']')
		return NULL;
	if (*c == '\\' && ++c >= end)
		return NULL;
	*r = decode_rune((const unsigned char *)c, &w);
	if (*r == RUNE_ERROR && w == 1)
		return NULL;
	c += w;
	return c < end ? c : NULL; /* a class must still be closed */
}

/* A class after its `[`; sets *hit on whether rune r is in it. */
static const char *match_class(const char *c, const char *end, uint32_t r, int *hit)
{
	int negated = 0, nrange = 0, in = 0;
	uint32_t lo, hi;

	if (c < end && *c == '^') {
		negated = 1;
		c++;
	}
	for (;;) {
		if (c < end && *c == ']' && nrange) {
			c++;
			break;
		}
		if (!(c = class_rune(c, end, &lo)))
			return NULL;
		hi = lo;
		if (*c == '-' && !(c = class_rune(c + 1, end, &hi)))
			return NULL;
		if (lo <= r && r <= hi)
			in = 1;
		nrange++;
	}
	*hit = in != negated;
	return c;
}

/*
 * Matches chunk [c, end) against the start of s.  Returns 1 and sets *rest
 * on a match, 0 on none, -1 when the chunk is malformed.  Like Go, it reads
 * the whole chunk even after a mismatch, so a bad pattern is always seen.
 */
static int match_chunk(const char *c, const char *end, const char *s, const char **rest)
{
	int failed = 0, hit;
	uint32_t r;
	size_t w;

	while (c < end) {
		if (!failed && !*s)
			failed = 1;
		if (*c == '[') {
			r = 0;
			if (!failed) {
				r = decode_rune((const unsigned char *)s, &w);
				s += w;
			}
			if (!(c = match_class(c + 1, end, r, &hit)))
				return -1;
			failed |= !hit;
		} else if (*c == '?') {
			if (!failed) {
				failed = *s == '/';
				decode_rune((const unsigned char *)s, &w);
				s += w;
			}
			c++;
		} else {
			if (*c == '\\' && ++c >= end)
				return -1;
			if (!failed)
				failed = *c != *s++;
			c++;
		}
	}
	if (failed)
		return 0;
	*rest = s;
	return 1;
}

/* After a mismatch Go still reports a malformed rest of the pattern. */
static int rest_valid(const char *pat)
{
	const char *chunk, *end, *dummy;
	int star;

	while (*pat) {
		chunk = scan_chunk(pat, &star, &end);
		if (match_chunk(chunk, end, "", &dummy) < 0)
			return 0;
		pat = end;
	}
	return 1;
}

/* Tries chunk after a star at each later position, never crossing '/'. */
static int match_after_star(const char *chunk, const char *end, int last, const char **name)
{
	const char *s, *t;
	int m;

	for (s = *name; *s && *s != '/'; s++) {
		m = match_chunk(chunk, end, s + 1, &t);
		if (m < 0)
			return -1;
		if (m && !(last && *t)) {
			*name = t;
			return 1;
		}
	}
	return 0;
}

int glob_filepath_match(const char *pattern, const char *name)
{
	const char *chunk, *end, *t;
	int star, m;

	if (!pattern || !name)
		return -1;
	while (*pattern) {
		chunk = scan_chunk(pattern, &star, &end);
		if (star && chunk == end)
			return strchr(name, '/') == NULL;
		m = match_chunk(chunk, end, name, &t);
		if (m > 0 && (!*t || *end)) {
			name = t;
			pattern = end;
			continue;
		}
		if (m < 0)
			return -1;
		if (star) {
			m = match_after_star(chunk, end, !*end, &name);
			if (m < 0)
				return -1;
			if (m) {
				pattern = end;
				continue;
			}
		}
		return rest_valid(end) ? 0 : -1;
	}
	return !*name;
}
