"""The one place that says what "now" and "today" are, in the courts' time zone.

Everything time-driven (observation periods, nominal-leadership flags, bulletins) asks here.
`HUAJIE_DEMO_DATE` (set by `huajie demo` to its campaign's day) pins the calendar date, so
the demo's worker ticks the demo's day and not the real one.
Tests freeze time with time-machine; the demo loader and `huajie tick --as-of` replay past
days with `travel(moment)`, which moves this clock only (not the process's), for the code
running inside the `with` block in this thread or task.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone

_override: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar(
    "huajie_clock_override", default=None
)


def now() -> dt.datetime:
    override = _override.get()
    if override is not None:
        return override
    demo_day = _demo_day()
    if demo_day is not None:
        # The demo lives on one day of its campaign: that date, at the present time of day.
        current = timezone.localtime()
        return timezone.make_aware(dt.datetime.combine(demo_day, current.time()))
    return timezone.now()


def _demo_day() -> dt.date | None:
    raw = getattr(settings, "HUAJIE_DEMO_DATE", "")
    return dt.date.fromisoformat(raw) if raw else None


def today() -> dt.date:
    return timezone.localdate(now())


def start_of_day(day: dt.date) -> dt.datetime:
    """The aware datetime at 00:00 of `day` in the configured time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@contextmanager
def travel(moment: dt.datetime | dt.date) -> Iterator[None]:
    """Let now() answer `moment` (a date means 09:00 that day) inside the block."""
    if not isinstance(moment, dt.datetime):
        moment = start_of_day(moment) + dt.timedelta(hours=9)
    if timezone.is_naive(moment):
        raise ValueError("travel() needs an aware datetime")
    token = _override.set(moment)
    try:
        yield
    finally:
        _override.reset(token)
