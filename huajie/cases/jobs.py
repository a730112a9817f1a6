"""The ledger's daily work for the worker: the time-driven rules (R8, R9.2) once a day, and
on SQLite the query planner's statistics once a night.

`run_tick(day)` is what both `huajie tick --as-of` and the `cases.tick` job do: run
`services.tick` as of `day` with the clock set to that day, and record the run in `TickRun`.
The rules act on state, so running a day again changes no case; the schedule queues one job
per calendar day (key `tick:YYYY-MM-DD`, 00:30 local time).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils import timezone

from huajie.cases import services
from huajie.cases.models import PetitionCase, TickRun
from huajie.core import clock
from huajie.core.planner import gathers_statistics_itself, refresh_statistics
from huajie.worker.registry import job_kind
from huajie.worker.schedule import Planned, daily, schedule

TICK_KIND = "cases.tick"
TICK_AFTER_MIDNIGHT = dt.timedelta(minutes=30)  # the daily job is due at 00:30 local time
COUNTED = ("observation_passed", "flagged_nominal")


@contextmanager
def _as_of(day: dt.date) -> Iterator[None]:
    """The clock on `day`: the real moment when `day` is today, else that day (09:00)."""
    if day == clock.today():
        yield
        return
    with clock.travel(day):
        yield


@transaction.atomic
def run_tick(day: dt.date) -> services.TickResult:
    """Run the day's rules as of `day` and record the run (one `TickRun` row per day)."""
    ran_at = clock.now()
    with _as_of(day):
        result = services.tick(as_of=day)
    previous = TickRun.objects.filter(day=day).values_list("result", flat=True).first() or {}
    totals: dict[str, Any] = result.as_dict()
    for name in COUNTED:
        totals[name] += int(previous.get(name, 0))
    totals["runs"] = int(previous.get("runs", 0)) + 1
    TickRun.objects.update_or_create(day=day, defaults={"ran_at": ran_at, "result": totals})
    return result


def describe(result: services.TickResult) -> str:
    """The run in words, for the command line and logs."""
    return (
        f"{result.day.isoformat()}：观察期届满 {result.observation_passed} 件，"
        f"疑似挂名包案 {result.flagged_nominal} 件"
    )


@job_kind(TICK_KIND)
def tick_job(payload: dict[str, Any]) -> dict[str, Any]:
    """Payload {"day": "YYYY-MM-DD"}."""
    day = dt.date.fromisoformat(str(payload["day"]))
    return run_tick(day).as_dict()


@schedule
def daily_tick(now: dt.datetime) -> list[Planned]:
    """One `cases.tick` per calendar day, due at 00:30 local time of that day.

    Nothing is planned while the ledger holds no case: there is nothing to time."""
    if not PetitionCase.objects.exists():
        return []
    day = timezone.localdate(now)
    return [daily(TICK_KIND, now, TICK_AFTER_MIDNIGHT, payload={"day": day.isoformat()})]


STATISTICS_KIND = "cases.statistics"
STATISTICS_AFTER_MIDNIGHT = dt.timedelta(hours=3)  # after the rules at 00:30, before work


@job_kind(STATISTICS_KIND)
def statistics_job(payload: dict[str, Any]) -> dict[str, Any]:
    """Gather the query planner's statistics (`core.planner`: SQLite keeps none itself)."""
    started = time.monotonic()
    refresh_statistics()
    return {"seconds": round(time.monotonic() - started, 3)}


@schedule
def nightly_statistics(now: dt.datetime) -> list[Planned]:
    """One ANALYZE a night, at 03:00 local time, where the database does not keep its
    statistics itself (SQLite; PostgreSQL's autovacuum does). None while the ledger holds
    no case: the tables are small and the plans the same."""
    if gathers_statistics_itself() or not PetitionCase.objects.exists():
        return []
    return [daily(STATISTICS_KIND, now, STATISTICS_AFTER_MIDNIGHT)]
