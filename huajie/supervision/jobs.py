"""The worker computes each month end's progress point the night after it (issue #7).

The dashboard's progress chart shows the open tasks at every month end of concentrated
resolution (`metrics.progress_series`). A past month end's figures never change, so each is
computed once from the audit history and remembered (`ProgressMemo`). Left to the first
viewer, that first view waits for it: for the nation, one point per province (minutes at
1,000,000 cases). So the night after each month end, one job (`progress:YYYY-MM-DD`, at
01:00) computes it for every province, which remembers it for every court of the province
(one grouped count each, `metrics.progress_series`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from huajie.cases.models import Campaign
from huajie.core import clock
from huajie.courts.models import Court, CourtLevel
from huajie.supervision import metrics
from huajie.worker.registry import job_kind
from huajie.worker.schedule import Planned, schedule

KIND = "supervision.progress_point"
AFTER_MIDNIGHT = dt.timedelta(hours=1)


def _campaigns_charting(day: dt.date) -> list[Campaign]:
    """The campaigns whose progress chart has a point on `day` (a month end of
    concentrated resolution, up to the deadline)."""
    return [
        c
        for c in Campaign.objects.filter(concentrated_start__lte=day, deadline__gte=day)
        if day in metrics.progress_points(c, day + dt.timedelta(days=1))
    ]


@schedule
def month_end_progress(now: dt.datetime) -> list[Planned]:
    """The last month end's job, due at 01:00 the day after it; none outside a campaign."""
    month_end = timezone.localdate(now).replace(day=1) - dt.timedelta(days=1)
    if not _campaigns_charting(month_end):
        return []
    return [
        Planned(
            kind=KIND,
            key=f"progress:{month_end.isoformat()}",
            run_at=clock.start_of_day(month_end + dt.timedelta(days=1)) + AFTER_MIDNIGHT,
            payload={"day": month_end.isoformat()},
        )
    ]


@job_kind(KIND)
def progress_job(payload: dict[str, Any]) -> dict[str, Any]:
    """Payload {"day": "YYYY-MM-DD"}: remember every month end up to that day for every
    court, province by province. Month ends already remembered for every court are skipped,
    so the first run after an upgrade catches up on the earlier months."""
    day = dt.date.fromisoformat(str(payload["day"]))
    provinces = list(Court.objects.filter(level=CourtLevel.HIGH, parent=None))
    counted = 0
    for campaign in _campaigns_charting(day):
        month_ends = metrics.progress_points(campaign, day + dt.timedelta(days=1))[:-1]
        for province in provinces:
            counted += metrics.remember_province_points(campaign, province, month_ends)
    return {"day": day.isoformat(), "provinces": len(provinces), "counted": counted}
