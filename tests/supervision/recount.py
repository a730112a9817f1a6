"""The supervision figures counted again, plainly, from the case records as they are now.

Deliberately independent of `huajie.supervision.metrics` and of the audit trail: it reads
the cases' current fields and the dated records (visits, acceptance decisions) with plain
loops. Taken right after the generator has played up to day D, it gives the figures "as of
D"; the difference of two counts gives a period's figures (see `tests/supervision/province`
for why a case's events all happened at the court that holds it now).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from huajie.cases.models import AcceptanceRequest, PetitionCase, Visit
from huajie.courts.models import Court

MET = {"met_standard", "submitted", "accepted"}


@dataclass
class Count:
    tasks: int = 0
    statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    met: int = 0
    accepted: int = 0
    new: int = 0
    new_accepted: int = 0
    nominal: int = 0
    reopened_cases: int = 0
    reopen_events: int = 0  # sum of reopen_count, all cases
    return_events: int = 0  # sum of return_count, all cases
    stock_reopen_events: int = 0
    stock_return_events: int = 0
    exemplary: int = 0

    def rate(self) -> float | None:
        return self.accepted / self.tasks if self.tasks else None


def recount() -> dict[int, Count]:
    """Per court (by its id): the figures of its cases now."""
    counts: dict[int, Count] = defaultdict(Count)
    for case in PetitionCase.objects.all():
        c = counts[case.court_id]
        if case.origin == "stock":
            c.tasks += 1
            c.statuses[case.status] += 1
            c.met += case.status in MET
            c.accepted += case.status == "accepted"
            c.stock_reopen_events += case.reopen_count
            c.stock_return_events += case.return_count
        else:
            c.new += 1
            c.new_accepted += case.status == "accepted"
        c.nominal += case.possibly_nominal
        c.reopened_cases += case.reopen_count > 0
        c.reopen_events += case.reopen_count
        c.return_events += case.return_count
        c.exemplary += case.is_exemplary
    return counts


def area_total(counts: dict[int, Count], court: Court) -> Count:
    """The sum over `court` and every court below it."""
    total = Count()
    for other in Court.objects.filter(path__startswith=court.path):
        c = counts.get(other.pk)
        if c is None:
            continue
        for name in (
            "tasks",
            "met",
            "accepted",
            "new",
            "new_accepted",
            "nominal",
            "reopened_cases",
            "reopen_events",
            "return_events",
            "stock_reopen_events",
            "stock_return_events",
            "exemplary",
        ):
            setattr(total, name, getattr(total, name) + getattr(c, name))
        for status, n in c.statuses.items():
            total.statuses[status] += n
    return total


def visits_between(first: dt.date, last: dt.date) -> dict[int, dict[str, int]]:
    """Beijing and province visits dated first..last, by the court holding the case now."""
    result: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for visit in Visit.objects.select_related("case"):
        if visit.level in ("beijing", "province") and first <= visit.visited_on <= last:
            result[visit.case.court_id][visit.level] += 1
    return result


def accepted_between(first: dt.date, last: dt.date) -> dict[int, int]:
    """Acceptances of stock cases decided first..last, by the court holding the case now."""
    result: dict[int, int] = defaultdict(int)
    for request in AcceptanceRequest.objects.select_related("case"):
        if request.decision != "accepted" or request.case.origin != "stock":
            continue
        assert request.decided_at is not None
        decided = timezone.localdate(request.decided_at)
        if first <= decided <= last:
            result[request.case.court_id] += 1
    return result
