"""What waits for a user: the workbench's lists, each one scoped query (no query per row).

"My court" lists hold what the user's court must act on (a team to assemble, a returned
acceptance); supervision lists hold what the user oversees in their scope (possibly nominal
leadership, observation periods ending, re-petitions).

The cases in sight are named by court id (`scope_ids_q`, one query for a province's ids), not
through the join on the court path: SQLite cannot estimate a `LIKE` on the joined path and
read the country's cases of a status, joining each to its court (the province office's
workbench 745 ms at a million cases, by ids 101 ms). PostgreSQL, which estimates the join,
pays ~10 ms for the ids (25 -> 35 ms): one formulation for both, as the ledger list and the
API have (docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Subquery

from huajie.accounts.models import Role, Scope, User
from huajie.accounts.policy import scope_courts, scope_filter, scope_ids_q
from huajie.cases.models import AcceptanceRequest, CaseStatus, Decision, PetitionCase
from huajie.cases.rows import CaseRow, cells, detail_urls, local_day
from huajie.core import clock

LIST_LIMIT = 20
OBSERVATION_WARNING_DAYS = 30


@dataclass(frozen=True, slots=True)
class PileRow(CaseRow):
    """One line of a list: the case, and the list's day (its last change; the request's
    submission; the end of its observation period)."""

    day: str


@dataclass
class Pile:
    """One list of the workbench: a title, the rows shown and how many there are in all."""

    key: str
    title: str
    hint: str
    rows: list[PileRow]
    total: int


# What a workbench row shows (cases/workbench.html), read as values: no case is built (the
# list's rows likewise, docs/performance.md). A case's, and a request's case's.
CASE_ROW = ("pk", "ledger_no", "court__short_name", "status", "leader__name")
REQUEST_ROW = (
    "case_id",
    "case__ledger_no",
    "case__court__short_name",
    "case__status",
    "case__leader__name",
)


def _cases(in_sight: Q) -> QuerySet[PetitionCase]:
    """The cases `in_sight` (a `scope_ids_q`), in a workbench list's order."""
    return PetitionCase.objects.filter(in_sight).order_by("-updated_at", "-pk")


def _own_court(user: User, qs: QuerySet[PetitionCase]) -> QuerySet[PetitionCase]:
    """The user's own court's cases, or the whole scope for the province office."""
    if user.role in (Role.PROVINCE_OFFICE, Role.ADMIN) or user.is_superuser:
        return qs
    return qs.filter(court_id=user.court.pk) if user.court else qs.none()


def _pile(
    key: str,
    title: str,
    hint: str,
    qs: QuerySet[Any],
    *,
    day: str = "updated_at",
    row: tuple[str, ...] = CASE_ROW,
) -> Pile:
    """The list `key`: its first rows (`row`'s columns and the `day` one) and its count,
    counted only when the rows fill it.

    The first rows are found by their ids, then read with their court and leader, in one
    query. Asked for the names at once, PostgreSQL joined every matching case of a
    province to its court and leader before sorting (15 ms for a list of 20; 1 ms found
    first), since the ids and the sort key alone come from an index without the table."""
    first = qs.model._default_manager.filter(pk__in=Subquery(qs.values("pk")[:LIST_LIMIT]))
    found = list(first.order_by(*qs.query.order_by).values_list(*row, day))
    total = len(found) if len(found) < LIST_LIMIT else qs.count()
    detail = detail_urls()
    rows = [
        PileRow(**cells(pk, ledger_no, court, status, leader, detail), day=_day(moment))
        for pk, ledger_no, court, status, leader, moment in found
    ]
    return Pile(key, title, hint, rows, total)


def _day(moment: dt.datetime | dt.date) -> str:
    if isinstance(moment, dt.datetime):
        return local_day(moment)
    return moment.isoformat()


def my_cases(user: User, in_sight: Q) -> QuerySet[PetitionCase]:
    person = user.person_id
    if person is None:
        return PetitionCase.objects.none()
    return (
        _cases(in_sight)
        .filter(
            Q(leader_id=person)
            | Q(division_leader_id=person)
            | Q(staff_id=person)
            | Q(petition_contact_id=person)
            | Q(first_receipt_owner_id=person)
        )
        .exclude(status=CaseStatus.ACCEPTED)
    )


def acceptance_to_review(user: User) -> QuerySet[AcceptanceRequest]:
    """Pending requests the user's court reviews, among the cases the user can open."""
    pending = (
        AcceptanceRequest.objects.filter(decision=Decision.PENDING)
        .select_related("case__court", "case__leader", "reviewing_court", "submitted_by__person")
        .order_by("submitted_at", "pk")
    )
    if user.is_superuser or (
        user.role in (Role.PROVINCE_OFFICE, Role.ADMIN) and user.scope == Scope.PROVINCE
    ):
        # Those reviewed by a court in sight. The reviewing court is the case's court or its
        # parent (`acceptance.reviewing_court`), so for a sight that is whole trees (the
        # province, or everything) the case is in sight exactly when its reviewing court
        # is, and the cases need not be joined to check: PostgreSQL counts the province's
        # pending requests from `pending_acceptance_by_court` and reads the first page from
        # `pending_acceptance_in_order` (the two took 90 ms at a million cases, each
        # request joined to its case).
        return pending.filter(reviewing_court_id__any_of=_ids_in_sight(user))
    if user.court is None or user.role not in (Role.PETITION_OFFICE, Role.COURT_LEADER):
        return pending.none()
    return scope_filter(user, pending, court_field="case__court").filter(
        reviewing_court_id=user.court.pk
    )


def _ids_in_sight(user: User) -> list[int]:
    return list(scope_courts(user).values_list("pk", flat=True))


def escalations_to_decide(user: User, in_sight: Q) -> QuerySet[PetitionCase]:
    """Cases whose court asked the user's court to take them up (R12)."""
    if user.court is None or user.role not in (
        Role.PETITION_OFFICE,
        Role.COURT_LEADER,
        Role.PROVINCE_OFFICE,
    ):
        return PetitionCase.objects.none()
    return _cases(in_sight).filter(
        escalations__decision=Decision.PENDING, escalations__to_court_id=user.court.pk
    )


def workbench(user: User, today: dt.date | None = None) -> list[Pile]:
    day = today or clock.today()
    in_sight = scope_ids_q(user)
    cases = _cases(in_sight)
    piles = [
        _pile(
            "mine",
            "我的案件",
            "我担任包案领导、专班成员或首接负责人的未结案件",
            my_cases(user, in_sight),
        ),
        _pile(
            "review",
            "待我审查的验收申请",
            "下级法院提交、由本院验收的案件",
            acceptance_to_review(user),
            day="submitted_at",
            row=REQUEST_ROW,
        ),
        _pile(
            "escalation",
            "待决定的提级申请",
            "下级法院申请由本院提级办理的案件",
            escalations_to_decide(user, in_sight),
        ),
    ]
    if user.role in (Role.PROVINCE_OFFICE, Role.ADMIN) or user.is_superuser:
        piles.append(
            _pile(
                "unallocated",
                "待交办",
                "尚未交办到责任法院的案件",
                cases.filter(status=CaseStatus.UNALLOCATED),
            )
        )
    piles += [
        _pile(
            "team",
            "专班未配齐",
            "已交办但专班尚未配齐的本院案件",
            _own_court(user, cases).filter(status=CaseStatus.ALLOCATED),
        ),
        _pile(
            "returned",
            "验收被退回",
            "验收退回后仍在化解的本院案件",
            _own_court(user, cases).filter(status=CaseStatus.IN_RESOLUTION, return_count__gt=0),
        ),
        _pile(
            "observation",
            "观察期即将届满",
            f"{OBSERVATION_WARNING_DAYS}日内观察期届满的案件",
            cases.filter(
                status=CaseStatus.OBSERVATION,
                observation_last_day__lte=day + dt.timedelta(days=OBSERVATION_WARNING_DAYS),
            ).order_by("observation_last_day", "pk"),
            day="observation_last_day",
        ),
        _pile(
            "nominal",
            "疑似挂名包案",
            "包案领导长期没有工作记录的案件",
            cases.filter(possibly_nominal=True),
        ),
        _pile(
            "repetition",
            "重新信访",
            "息诉后再次进京赴省、正在重新化解的案件",
            cases.filter(reopen_count__gt=0, status=CaseStatus.IN_RESOLUTION),
        ),
    ]
    return piles
