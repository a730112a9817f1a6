"""The worker issues each period's bulletin the morning after the period ends (R17).

The schedule plans, for every province (high court) and campaign in concentrated resolution,
one job per period that has ended, keyed `bulletin:<province>:<year>:<number>`, so each
period is queued once however many workers plan it; the job skips a period already issued
on demand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from huajie.bulletins.services import bulletin_issue, existing
from huajie.cases.models import Campaign
from huajie.core import clock
from huajie.courts.models import Court
from huajie.supervision import metrics
from huajie.worker.registry import job_kind
from huajie.worker.schedule import Planned, schedule

KIND = "bulletin.issue"
ISSUE_HOUR = 8  # the morning after the period's last day


def job_key(province: Court, campaign: Campaign, number: int) -> str:
    return f"bulletin:{province.code}:{campaign.year}:{number:02d}"


@schedule
def bulletin_schedule(now: dt.datetime) -> Iterator[Planned]:
    today = timezone.localdate(now)
    campaigns = list(Campaign.objects.filter(concentrated_start__lt=today))
    if not campaigns:
        return
    for province in Court.objects.filter(parent__isnull=True):
        for campaign in campaigns:
            for number in range(1, metrics.last_period_number(campaign) + 1):
                period = metrics.bulletin_period(campaign, number)
                if period.end >= today:
                    break
                run_at = clock.start_of_day(period.end + dt.timedelta(days=1))
                yield Planned(
                    kind=KIND,
                    key=job_key(province, campaign, number),
                    run_at=run_at + dt.timedelta(hours=ISSUE_HOUR),
                    payload={"province": province.pk, "campaign": campaign.year, "number": number},
                )


@job_kind(KIND)
def issue_job(payload: dict[str, Any]) -> dict[str, Any]:
    province = Court.objects.get(pk=payload["province"])
    campaign = Campaign.objects.get(year=payload["campaign"])
    number = int(payload["number"])
    found = existing(province, campaign, number)
    if found is not None:
        return {"skipped": f"第{number}期已发布", "bulletin": found.pk}
    period = metrics.bulletin_period(campaign, number)
    bulletin = bulletin_issue(province=province, campaign=campaign, as_of=period.end, actor=None)
    return {"bulletin": bulletin.pk, "number": number}
