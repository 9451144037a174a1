#include "tz.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "timefmt.h"
#include "xalloc.h"

#define TZIF_HEADER_LEN 44
#define TZIF_MAX_FILE (512 * 1024)
#define TZ_MAX_NAME 255

/* A POSIX TZ rule date: Jn (1-365, no 29 Feb), n (0-365), or Mm.w.d. */
struct rule_date {
	char kind; /* 'J', 'N' or 'M' */
	int n, month, week, wday;
	int32_t time; /* seconds after local midnight; may be negative or > 24h */
};

struct posix_tz {
	int32_t std_off, dst_off; /* seconds east */
	int has_dst;
	struct rule_date start, end;
};

struct tz {
	char *name;
	int64_t *trans;
	unsigned char *trans_type;
	size_t ntrans;
	int32_t *type_off;
	size_t ntypes;
	int has_footer;
	struct posix_tz footer;
};

static int32_t utc_offsets[1];
static struct tz utc_zone = { "UTC", NULL, NULL, 0, utc_offsets, 1, 0, { 0 } };

const struct tz *tz_utc(void)
{
	return &utc_zone;
}

const char *tz_name(const struct tz *zone)
{
	return zone->name;
}

void tz_free(struct tz *zone)
{
	if (!zone || zone == &utc_zone)
		return;
	free(zone->name);
	free(zone->trans);
	free(zone->trans_type);
	free(zone->type_off);
	free(zone);
}

/* ---- POSIX TZ strings (the TZif footer) ---- */

static int parse_num(const char **sp, int max, int *out)
{
	const char *s = *sp;
	int v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	*sp = s;
	*out = v;
	return 0;
}

/* [+-]hh[:mm[:ss]] with hh <= max_hours; returns seconds. */
static int parse_hms(const char **sp, int max_hours, int32_t *out)
{
	const char *s = *sp;
	int sign = 1, h, m = 0, sec = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (parse_num(&s, max_hours, &h))
		return -1;
	if (*s == ':') {
		s++;
		if (parse_num(&s, 59, &m))
			return -1;
		if (*s == ':') {
			s++;
			if (parse_num(&s, 59, &sec))
				return -1;
		}
	}
	*sp = s;
	*out = sign * (h * 3600 + m * 60 + sec);
	return 0;
}

static int parse_abbrev(const char **sp)
{
	const char *s = *sp;

	if (*s == '<') {
		for (s++; *s && *s != '>'; s++)
			;
		if (*s != '>' || s - *sp < 2)
			return -1;
		*sp = s + 1;
		return 0;
	}
	while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
		s++;
	if (s - *sp < 3)
		return -1;
	*sp = s;
	return 0;
}

static int parse_rule_date(const char **sp, struct rule_date *r)
{
	const char *s = *sp;

	r->time = 2 * 3600;
	if (*s == 'J') {
		s++;
		r->kind = 'J';
		if (parse_num(&s, 365, &r->n) || r->n < 1)
			return -1;
	} else if (*s == 'M') {
		s++;
		r->kind = 'M';
		if (parse_num(&s, 12, &r->month) || r->month < 1 || *s++ != '.' ||
		    parse_num(&s, 5, &r->week) || r->week < 1 || *s++ != '.' ||
		    parse_num(&s, 6, &r->wday))
			return -1;
	} else {
		r->kind = 'N';
		if (parse_num(&s, 365, &r->n))
			return -1;
	}
	/* RFC 8536 allows transition times from -167 to 167 hours. */
	if (*s == '/') {
		s++;
		if (parse_hms(&s, 167, &r->time))
			return -1;
	}
	*sp = s;
	return 0;
}

static int parse_posix_tz(const char *s, struct posix_tz *p)
{
	int32_t off;

	memset(p, 0, sizeof(*p));
	if (parse_abbrev(&s) || parse_hms(&s, 24, &off))
		return -1;
	/* POSIX counts west as positive; we count east. */
	p->std_off = -off;
	if (!*s)
		return 0;
	if (parse_abbrev(&s))
		return -1;
	p->has_dst = 1;
	p->dst_off = p->std_off + 3600;
	if (*s && *s != ',') {
		if (parse_hms(&s, 24, &off))
			return -1;
		p->dst_off = -off;
	}
	if (!*s) {
		/* No rule: Go falls back to the US rules; so do we. */
		s = ",M3.2.0,M11.1.0";
	}
	if (*s++ != ',' || parse_rule_date(&s, &p->start) || *s++ != ',' ||
	    parse_rule_date(&s, &p->end) || *s)
		return -1;
	return 0;
}

/* Day of the year (0 = 1 January) on which rule date r falls in `year`. */
static int64_t rule_yday(const struct rule_date *r, int64_t year)
{
	int64_t first, d;
	int i, mdays;

	if (r->kind == 'J')
		return r->n - 1 + (civil_is_leap(year) && r->n >= 60);
	if (r->kind == 'N')
		return r->n;
	first = civil_to_days(year, r->month, 1);
	d = ((r->wday - (first + 4) % 7) % 7 + 7) % 7;
	mdays = civil_days_in_month(year, r->month);
	for (i = 1; i < r->week && d + 7 < mdays; i++)
		d += 7;
	return first - civil_to_days(year, 1, 1) + d;
}

/* The UTC instant of a rule in `year`; `off` is the offset in force before it. */
static int64_t rule_instant(const struct rule_date *r, int64_t year, int32_t off)
{
	return civil_to_time(year, 1, 1, 0, 0, 0) + rule_yday(r, year) * 86400 + r->time - off;
}

/* Keeps the calendar arithmetic far from overflow; DST rules repeat anyway. */
static int64_t clamp(int64_t t)
{
	const int64_t limit = INT64_C(1) << 45;

	return t > limit ? limit : t < -limit ? -limit : t;
}

static int32_t posix_offset_at(const struct posix_tz *p, int64_t t)
{
	struct civil_time c;
	int64_t start, end;

	if (!p->has_dst)
		return p->std_off;
	t = clamp(t);
	time_to_civil(t, &c);
	/* Like Go, evaluate the rules for the UTC year of t. */
	start = rule_instant(&p->start, c.year, p->std_off);
	end = rule_instant(&p->end, c.year, p->dst_off);
	if (start <= end)
		return t >= start && t < end ? p->dst_off : p->std_off;
	/* Southern hemisphere: DST spans the new year. */
	return t >= end && t < start ? p->std_off : p->dst_off;
}

static int64_t posix_next_transition(const struct posix_tz *p, int64_t t)
{
	int64_t best = TZ_NO_TRANSITION, y, cand[2];
	struct civil_time c;
	int i;

	if (!p->has_dst || t != clamp(t))
		return TZ_NO_TRANSITION;
	time_to_civil(t, &c);
	for (y = c.year - 1; y <= c.year + 1; y++) {
		cand[0] = rule_instant(&p->start, y, p->std_off);
		cand[1] = rule_instant(&p->end, y, p->dst_off);
		for (i = 0; i < 2; i++)
			if (cand[i] > t && cand[i] < best)
				best = cand[i];
	}
	return best;
}

/* ---- TZif ---- */

struct tzif_counts {
	uint32_t isut, isstd, leap, time, type, chars;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static int read_header(const unsigned char *p, size_t len, struct tzif_counts *c)
{
	if (len < TZIF_HEADER_LEN || memcmp(p, "TZif", 4))
		return -1;
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chars = be32(p + 40);
	/* Bounds that keep the size arithmetic below far from overflow. */
	if (c->type == 0 || c->type > 256 || c->time > (1u << 20) || c->leap > (1u << 16) ||
	    c->chars > (1u << 16) || c->isut > 256 || c->isstd > 256)
		return -1;
	return 0;
}

/* Size of the data block after a header, with 4- or 8-byte times. */
static size_t block_len(const struct tzif_counts *c, size_t tsize)
{
	return c->time * tsize + c->time + c->type * 6 + c->chars + c->leap * (tsize + 4) +
	       c->isstd + c->isut;
}

static int read_block(struct tz *z, const unsigned char *p, const struct tzif_counts *c, size_t tsize)
{
	const unsigned char *idx = p + c->time * tsize, *types = idx + c->time;
	size_t i;

	z->ntrans = c->time;
	z->ntypes = c->type;
	z->trans = xcalloc(c->time ? c->time : 1, sizeof(*z->trans));
	z->trans_type = xcalloc(c->time ? c->time : 1, 1);
	z->type_off = xcalloc(c->type, sizeof(*z->type_off));
	for (i = 0; i < c->time; i++) {
		z->trans[i] = tsize == 8 ? be64(p + i * 8) : (int32_t)be32(p + i * 4);
		z->trans_type[i] = idx[i];
		if (idx[i] >= c->type || (i > 0 && z->trans[i] <= z->trans[i - 1]))
			return -1;
	}
	for (i = 0; i < c->type; i++) {
		int32_t off = (int32_t)be32(types + i * 6);

		/* The range RFC 8536 recommends; anything else is a corrupt file. */
		if (off < -89999 || off > 93599)
			return -1;
		z->type_off[i] = off;
	}
	return 0;
}

static int read_footer(struct tz *z, const unsigned char *p, size_t len)
{
	char buf[128];
	const unsigned char *nl;

	if (len < 2 || p[0] != '\n')
		return -1;
	nl = memchr(p + 1, '\n', len - 1);
	if (!nl || (size_t)(nl - p - 1) >= sizeof(buf))
		return -1;
	memcpy(buf, p + 1, (size_t)(nl - p - 1));
	buf[nl - p - 1] = '\0';
	if (!buf[0])
		return 0;
	if (parse_posix_tz(buf, &z->footer))
		return -1;
	z->has_footer = 1;
	return 0;
}

static int parse_tzif(struct tz *z, const unsigned char *data, size_t len)
{
	struct tzif_counts c;
	size_t off;

	if (read_header(data, len, &c))
		return -1;
	off = TZIF_HEADER_LEN + block_len(&c, 4);
	if (data[4] == '\0') {
		if (off > len)
			return -1;
		return read_block(z, data + TZIF_HEADER_LEN, &c, 4);
	}
	/* v2+: skip the 32-bit data, use the 64-bit header, data and footer. */
	if (off > len || read_header(data + off, len - off, &c))
		return -1;
	off += TZIF_HEADER_LEN;
	if (block_len(&c, 8) > len - off || read_block(z, data + off, &c, 8))
		return -1;
	off += block_len(&c, 8);
	return read_footer(z, data + off, len - off);
}

struct tz *tz_from_tzif(const char *name, const unsigned char *data, size_t len, struct errbuf *err)
{
	struct tz *z = xcalloc(1, sizeof(*z));

	z->name = xstrdup(name);
	if (parse_tzif(z, data, len)) {
		tz_free(z);
		errbuf_set(err, "time zone '%s': not a valid TZif file", name);
		return NULL;
	}
	return z;
}

/* Index of the last transition <= t; -1 when t is before all of them. */
static ptrdiff_t find_transition(const struct tz *z, int64_t t)
{
	size_t lo = 0, hi = z->ntrans;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->trans[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ptrdiff_t)lo - 1;
}

int32_t tz_offset_at(const struct tz *zone, int64_t t)
{
	ptrdiff_t i;

	if (zone->ntrans == 0)
		return zone->has_footer ? posix_offset_at(&zone->footer, t) : zone->type_off[0];
	i = find_transition(zone, t);
	/* RFC 8536: before the first transition, time type 0 applies. */
	if (i < 0)
		return zone->type_off[0];
	if ((size_t)i == zone->ntrans - 1 && zone->has_footer)
		return posix_offset_at(&zone->footer, t);
	return zone->type_off[zone->trans_type[i]];
}

int64_t tz_next_transition(const struct tz *zone, int64_t t)
{
	ptrdiff_t i = find_transition(zone, t);

	if ((size_t)(i + 1) < zone->ntrans)
		return zone->trans[i + 1];
	return zone->has_footer ? posix_next_transition(&zone->footer, t) : TZ_NO_TRANSITION;
}

/* ---- the cache ---- */

struct cache_entry {
	char *dir, *name;
	struct tz *zone; /* NULL when loading failed */
	char *error;
	struct cache_entry *next;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cache_entry *cache;
static char *zone_dir;

void tz_set_dir(const char *dir)
{
	pthread_mutex_lock(&cache_lock);
	free(zone_dir);
	zone_dir = dir ? xstrdup(dir) : NULL;
	pthread_mutex_unlock(&cache_lock);
}

void tz_cache_clear(void)
{
	struct cache_entry *e, *next;

	pthread_mutex_lock(&cache_lock);
	for (e = cache; e; e = next) {
		next = e->next;
		free(e->dir);
		free(e->name);
		free(e->error);
		tz_free(e->zone);
		free(e);
	}
	cache = NULL;
	free(zone_dir);
	zone_dir = NULL;
	pthread_mutex_unlock(&cache_lock);
}

static int valid_name(const char *name)
{
	const char *p;

	if (strlen(name) > TZ_MAX_NAME || name[0] == '/' || name[0] == '\\' || strstr(name, ".."))
		return 0;
	/* Zone names are printable ASCII; this also keeps escapes out of messages. */
	for (p = name; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return 0;
	return 1;
}

static struct cache_entry *load_entry(const char *dir, const char *name)
{
	struct cache_entry *e = xcalloc(1, sizeof(*e));
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT;
	struct errbuf err;

	e->dir = xstrdup(dir);
	e->name = xstrdup(name);
	strbuf_addf(&path, "%s/%s", dir, name);
	if (strbuf_read_file(&data, path.buf, TZIF_MAX_FILE)) {
		errbuf_set(&err, "unknown time zone '%s'", name);
		e->error = xstrdup(err.msg);
	} else {
		e->zone = tz_from_tzif(name, (const unsigned char *)data.buf, data.len, &err);
		if (!e->zone)
			e->error = xstrdup(err.msg);
	}
	strbuf_release(&path);
	strbuf_release(&data);
	return e;
}

/* Called with cache_lock held. */
static struct cache_entry *lookup(const char *name)
{
	const char *dir = zone_dir ? zone_dir : TZ_DEFAULT_DIR;
	struct cache_entry *e;

	for (e = cache; e; e = e->next)
		if (!strcmp(e->dir, dir) && !strcmp(e->name, name))
			return e;
	e = load_entry(dir, name);
	e->next = cache;
	cache = e;
	return e;
}

int tz_load(const char *name, const struct tz **out, struct errbuf *err)
{
	struct cache_entry *e;
	int ret = 0;

	*out = &utc_zone;
	if (!name || !*name || !strcmp(name, "UTC"))
		return 0;
	if (!valid_name(name)) {
		char shown[65];
		size_t i;

		/* Never echo control bytes back into a message. */
		for (i = 0; name[i] && i < sizeof(shown) - 1; i++)
			shown[i] = (unsigned char)name[i] < ' ' || (unsigned char)name[i] >= 0x7f
			                   ? '?'
			                   : name[i];
		shown[i] = '\0';
		return errbuf_set(err, "invalid time zone name '%s'", shown);
	}
	pthread_mutex_lock(&cache_lock);
	e = lookup(name);
	if (e->zone)
		*out = e->zone;
	else
		ret = errbuf_set(err, "%s", e->error);
	pthread_mutex_unlock(&cache_lock);
	return ret;
}
