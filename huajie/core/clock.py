"""The one place that says what "now" and "today" are, in the courts' time zone.

Everything time-driven (observation periods, nominal-leadership flags, bulletins) asks here.
Tests freeze time with time-machine; the demo loader and `huajie tick --as-of` replay past
days with `travel(moment)`, which moves this clock only (not the process's), for the code
running inside the `with` block in this thread or task.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_override: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar(
    "huajie_clock_override", default=None
)


def now() -> dt.datetime:
    return _override.get() or timezone.now()


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
