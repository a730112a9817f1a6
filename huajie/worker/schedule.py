"""Recurring work. A schedule is a function from "now" to the jobs that should exist by now,
each with a key naming its period (e.g. "tick:2019-05-01"), so the worker may call every
schedule on every loop and each period's job is queued exactly once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from huajie.core import clock
from huajie.worker.queue import job_enqueue


@dataclass(frozen=True)
class Planned:
    kind: str
    key: str
    run_at: dt.datetime
    payload: dict[str, Any] = field(default_factory=dict)


Schedule = Callable[[dt.datetime], Iterable[Planned]]


def daily(
    kind: str,
    now: dt.datetime,
    after_midnight: dt.timedelta,
    payload: dict[str, Any] | None = None,
) -> Planned:
    """The job of `now`'s local calendar day, due `after_midnight` into it and keyed by the
    day (`<kind without its room>:YYYY-MM-DD`)."""
    day = timezone.localdate(now)
    return Planned(
        kind=kind,
        key=f"{kind.split('.')[-1]}:{day.isoformat()}",
        run_at=clock.start_of_day(day) + after_midnight,
        payload=payload or {},
    )


_SCHEDULES: list[Schedule] = []


def schedule(fn: Schedule) -> Schedule:
    if fn not in _SCHEDULES:
        _SCHEDULES.append(fn)
    return fn


def schedules_enqueue(now: dt.datetime) -> int:
    """Queue every planned job that is not queued yet; returns how many were planned."""
    count = 0
    for plan in _SCHEDULES:
        for planned in plan(now):
            job_enqueue(
                kind=planned.kind, key=planned.key, run_at=planned.run_at, payload=planned.payload
            )
            count += 1
    return count
