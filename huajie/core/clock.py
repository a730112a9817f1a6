"""The one place that says what "now" and "today" are, in the courts' time zone.

Everything time-driven (observation periods, nominal-leadership flags, bulletins) asks here,
so tests freeze time with time-machine and `huajie tick --as-of` can replay a day.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate()


def start_of_day(day: dt.date) -> dt.datetime:
    """The aware datetime at 00:00 of `day` in the configured time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
