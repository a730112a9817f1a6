"""Campaigns (R13): creation and carrying open cases over to a later year."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from huajie.cases.models import (
    OPEN_STATUSES,
    Campaign,
    PetitionCase,
)
from huajie.cases.services._base import Actor, _audit, _save
from huajie.cases.transitions import Refused
from huajie.courts.models import Court


def campaign_create(*, year: int, name: str = "") -> Campaign:
    campaign, _ = Campaign.objects.get_or_create(
        year=year,
        defaults={
            "name": name or f"{year}年防范和化解涉诉信访案件工作落实年活动",
            "mobilization_start": dt.date(year, 2, 1),
            "concentrated_start": dt.date(year, 3, 1),
            "deadline": dt.date(year, 12, 31),
        },
    )
    return campaign


@transaction.atomic
def campaign_carry_over(
    *, actor: Actor, source: Campaign, target: Campaign, province: Court
) -> int:
    """Open cases of `source` in `province` continue in `target` (the stock carries over,
    R13). Campaign years are shared by every province; each carries over its own cases."""
    if target.year <= source.year:
        raise Refused("只能结转到以后年度的活动。")
    open_cases = PetitionCase.objects.filter(
        campaign=source, status__in=OPEN_STATUSES, court__path__startswith=province.path
    )
    clashes = PetitionCase.objects.filter(
        campaign=target, ledger_no__in=open_cases.values("ledger_no")
    )
    if clashes.exists():
        raise Refused(f"目标活动已有相同台账编号的案件：{clashes.first()}，请先处理。")
    cases = list(open_cases.select_for_update(of=("self",)).order_by("pk"))  # not the courts
    for case in cases:
        case.campaign = target
        _save(case, ["campaign"])
        _audit(
            actor,
            "case.carry_over",
            case,
            f"结转至{target.name}",
            {"campaign": source.year},
            {"campaign": target.year},
        )
    return len(cases)
