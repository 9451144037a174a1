"""AppProject sync windows (argocd.md section 4): robfig/cron's five-field
dialect, "is this window active now", which windows match an app, and
SyncWindows.CanSync(isManual, operationStartTime)."""

import datetime
import time
import zoneinfo

from .common import parse_go_duration
from .globs import glob_match

_FIELDS = (  # (min, max, names)
    (0, 59, None),
    (0, 23, None),
    (1, 31, None),
    (1, 12, {n: i + 1 for i, n in enumerate(
        'jan feb mar apr may jun jul aug sep oct nov dec'.split())}),
    (0, 6, {n: i for i, n in enumerate('sun mon tue wed thu fri sat'.split())}),
)


class CronError(ValueError):
    pass


def _value(s, names):
    if names and s.lower() in names:
        return names[s.lower()]
    if not s.isdigit():
        raise CronError('failed to parse int from %s' % s)
    return int(s)


def _field(expr, lo, hi, names):
    """Returns (set of values, star) for one comma-separated field."""
    values = set()
    star = False
    for part in expr.split(','):
        rng, _, step_s = part.partition('/')
        step = 1
        if '/' in part:
            if not step_s.isdigit() or int(step_s) == 0:
                raise CronError('invalid step in %s' % part)
            step = int(step_s)
        if rng in ('*', '?'):
            start, end = lo, hi
            if step == 1:
                star = True
        else:
            a, dash, b = rng.partition('-')
            start = _value(a, names)
            end = _value(b, names) if dash else (hi if '/' in part else start)
        if start < lo or end > hi or start > end:
            raise CronError('value out of range (%d-%d) in %s' % (lo, hi, part))
        values.update(range(start, end + 1, step))
    return values, star


class Schedule:
    def __init__(self, spec):
        fields = spec.split()
        if len(fields) != 5:
            raise CronError('expected exactly 5 fields, found %d: %s'
                            % (len(fields), spec))
        if spec.strip().startswith('@'):
            raise CronError('parser does not accept descriptors: %s' % spec)
        parsed = [_field(f, *_FIELDS[i]) for i, f in enumerate(fields)]
        self.minute, self.hour = parsed[0][0], parsed[1][0]
        self.dom, dom_star = parsed[2]
        self.month = parsed[3][0]
        self.dow, dow_star = parsed[4]
        self.either_star = dom_star or dow_star

    def _day_ok(self, d):
        dom = d.day in self.dom
        dow = (d.weekday() + 1) % 7 in self.dow
        return (dom and dow) if self.either_star else (dom or dow)

    def next(self, t):
        """First fire time strictly after naive-UTC datetime t, or None
        (robfig gives the zero time) when nothing fires within five years."""
        start = t.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
        day = start.date()
        for _ in range(5 * 366 + 1):
            if day.month in self.month and self._day_ok(day):
                for h in sorted(self.hour):
                    for m in sorted(self.minute):
                        c = datetime.datetime(day.year, day.month, day.day, h, m)
                        if c >= start:
                            return c
            day += datetime.timedelta(days=1)
        return None


def _zone_offset(name):
    if not name:
        return datetime.timedelta(0)
    try:
        z = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.timedelta(0)
    # Argo CD takes the offset at the real current time, whatever instant
    # is being evaluated.
    return datetime.datetime.now(z).utcoffset() or datetime.timedelta(0)


def window_active(w, t):
    """Raises ValueError for an unparseable schedule or duration."""
    sched = Schedule(w.get('schedule') or '')
    dur = parse_go_duration(w.get('duration') or '')
    shifted = datetime.datetime.fromtimestamp(t, datetime.timezone.utc) \
        .replace(tzinfo=None) + _zone_offset(w.get('timeZone') or '')
    f = sched.next(shifted - datetime.timedelta(seconds=dur))
    if f is None:
        return True
    return f < shifted


def window_matches(w, app):
    name = (app.get('metadata') or {}).get('name', '')
    dest = (app.get('spec') or {}).get('destination') or {}
    use_and = bool(w.get('andOperator'))
    matched = False
    apps = w.get('applications') or []
    if apps:
        matched = any(glob_match(p, name) for p in apps)
        if use_and and not matched:
            return False
        if not use_and and matched:
            return True
    clusters = w.get('clusters') or []
    if clusters:
        matched = False
        for p in clusters:
            if (dest.get('name') and glob_match(p, dest['name'])) or \
                    (dest.get('server') and glob_match(p, dest['server'])):
                matched = True
        if use_and and not matched:
            return False
        if not use_and and matched:
            return True
    nss = w.get('namespaces') or []
    if nss:
        matched = any(glob_match(p, dest.get('namespace', '')) for p in nss)
    return matched


def _decide(wins, manual, t, start_time):
    active = [w for w in wins if window_active(w, t)]
    denies = [w for w in active if w.get('kind') == 'deny']
    if denies:
        blocking = denies
    elif any(w.get('kind') == 'allow' for w in active):
        return True
    else:
        blocking = [w for w in wins if w.get('kind') == 'allow' and w not in active]
        if not blocking:
            return True
    # deny beats allow; outside every allow window counts as denied too
    if manual and all(w.get('manualSync') for w in blocking):
        return True
    if start_time is not None and all(w.get('syncOverrun') for w in blocking):
        return _decide(wins, manual, start_time, None)
    return False


def can_sync(project, app, manual, start_time=None, t=None):
    """SyncWindows.Matches(app).CanSync(manual, start).  Raises ValueError
    for an invalid window, which callers treat as a denial."""
    if t is None:
        t = time.time()
    wins = [w for w in ((project or {}).get('spec') or {}).get('syncWindows') or []
            if window_matches(w, app)]
    if not wins:
        return True
    return _decide(wins, manual, t, start_time)
