"""The time-driven rules, run once a day (observation periods, nominal leadership)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from huajie.cases.models import (
    CaseStatus,
    PetitionCase,
)
from huajie.cases.services._base import _audit, _lock, _pass_observation, _save


@dataclass
class TickResult:
    day: dt.date
    observation_passed: int = 0
    flagged_nominal: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "observation_passed": self.observation_passed,
            "flagged_nominal": self.flagged_nominal,
        }


def nominal_after_days() -> int:
    from django.conf import settings

    return int(getattr(settings, "HUAJIE_NOMINAL_AFTER_DAYS", 30))


@transaction.atomic
def tick(*, as_of: dt.date) -> TickResult:
    """Run the day's rules. Each acts on state, not on the calendar alone, so running a day
    twice changes nothing the second time."""
    result = TickResult(day=as_of)
    due = PetitionCase.objects.filter(
        status=CaseStatus.OBSERVATION, observation_last_day__lt=as_of
    ).order_by("pk")
    for case in due:
        _pass_observation(None, _lock(case))
        result.observation_passed += 1
    cutoff = as_of - dt.timedelta(days=nominal_after_days())
    stale = PetitionCase.objects.filter(
        status__in=(CaseStatus.IN_RESOLUTION, CaseStatus.OBSERVATION),
        possibly_nominal=False,
        leader_since__lte=cutoff,
    ).filter(Q(leader_last_activity_on__isnull=True) | Q(leader_last_activity_on__lte=cutoff))
    for case in stale.order_by("pk"):
        case = _lock(case)
        case.possibly_nominal = True
        _save(case, ["possibly_nominal"])
        _audit(
            None,
            "case.nominal_flag",
            case,
            f"包案领导{nominal_after_days()}日以上无工作记录，疑似挂名包案",
            {"possibly_nominal": False},
            {"possibly_nominal": True},
        )
        result.flagged_nominal += 1
    return result
