"""Reads of the ledger (R3–R15) for the API: scoped by the permission policy, typed, and
shaped with select_related/prefetch_related so a list or a case page costs a fixed number of
queries however many rows, visits or measures there are.

Writes live in `huajie.cases.services`; nothing here changes the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from huajie.accounts.models import User
from huajie.accounts.policy import (
    Action,
    AnyUser,
    can,
    get_for_user,
    scope_courts,
    scope_filter,
    scope_ids_q,
)
from huajie.cases import transitions
from huajie.cases.models import (
    AcceptanceRequest,
    CaseStatus,
    EscalationRequest,
    Guidance,
    LeaderActivity,
    Notification,
    Origin,
    OriginalCase,
    PetitionCase,
    Petitioner,
    PetitionType,
    RiskLevel,
    Visit,
)
from huajie.cases.search import search_q
from huajie.cases.transitions import Event
from huajie.cases.workbench import acceptance_to_review
from huajie.courts.models import Person

# --- the case list -----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    """The filters of the case list; None (or "") means "any"."""

    court_id: int | None = None
    with_subordinates: bool = True
    status: CaseStatus | None = None
    origin: Origin | None = None
    petition_type: PetitionType | None = None
    leader_id: int | None = None
    risk_level: RiskLevel | None = None
    is_major: bool | None = None
    reopened: bool | None = None
    possibly_nominal: bool | None = None
    q: str = ""


def _by_court(user: AnyUser, f: CaseFilters) -> Q:
    """The user's cases, under the court asked for (`scope_ids_q`)."""
    if f.court_id is None:
        return scope_ids_q(user)
    court = scope_courts(user).filter(pk=f.court_id).first()
    if court is None:  # a court the user does not see has no cases for them
        return Q(pk__in=[])
    return scope_ids_q(user, court, subordinates=f.with_subordinates)


def _by_flags(qs: QuerySet[PetitionCase], f: CaseFilters) -> QuerySet[PetitionCase]:
    flags: list[tuple[bool | None, Q]] = [
        (f.is_major, Q(is_major=True)),
        (f.reopened, Q(reopen_count__gt=0)),
        (f.possibly_nominal, Q(possibly_nominal=True)),
    ]
    for wanted, condition in flags:
        if wanted is True:
            qs = qs.filter(condition)
        elif wanted is False:
            qs = qs.exclude(condition)
    return qs


def _by_search(qs: QuerySet[PetitionCase], text: str) -> QuerySet[PetitionCase]:
    return qs.filter(search_q(text)) if text.strip() else qs


def case_rows(qs: QuerySet[PetitionCase]) -> QuerySet[PetitionCase]:
    """What a list row shows, loaded with the rows: two queries for any number of rows."""
    return qs.select_related("court", "leader", "campaign").prefetch_related(
        Prefetch("petitioners", queryset=Petitioner.objects.order_by("pk"))
    )


def cases_for(user: AnyUser, *, filters: CaseFilters) -> QuerySet[PetitionCase]:
    """The cases `user` sees, filtered, newest campaign first, then by ledger number."""
    qs = PetitionCase.objects.filter(_by_court(user, filters))
    exact = {
        "status": filters.status,
        "origin": filters.origin,
        "petition_type": filters.petition_type,
        "risk_level": filters.risk_level,
        "leader_id": filters.leader_id,
    }
    qs = qs.filter(**{name: value for name, value in exact.items() if value is not None})
    qs = _by_search(_by_flags(qs, filters), filters.q)
    return case_rows(qs).order_by("-campaign__year", "ledger_no", "pk")


# --- one case ----------------------------------------------------------------------------


# A case's people, read by `with_people` in one query after the case. Joined into the
# case's own query they made it an eleven-table join that PostgreSQL took 5 ms to plan and
# 0.3 ms to run (docs/performance.md).
CASE_PEOPLE = (
    "leader",
    "division_leader",
    "staff",
    "petition_contact",
    "first_receipt_owner",
    "source_judge",
)


def with_people(case: PetitionCase) -> PetitionCase:
    """`case` with its `CASE_PEOPLE` set from one query."""
    ids = [getattr(case, f"{name}_id") for name in CASE_PEOPLE]
    people = Person.objects.in_bulk([pk for pk in ids if pk is not None])
    for name, pk in zip(CASE_PEOPLE, ids, strict=True):
        if pk is not None:
            setattr(case, name, people[pk])
    return case


def case_detail_queryset() -> QuerySet[PetitionCase]:
    """Everything the case detail shows but its people (`with_people`), in a fixed number
    of queries."""
    return PetitionCase.objects.select_related("court__parent", "campaign").prefetch_related(
        Prefetch("petitioners", queryset=Petitioner.objects.order_by("pk")),
        Prefetch("visits", queryset=Visit.objects.all()),
        Prefetch(
            "original_cases",
            queryset=OriginalCase.objects.select_related("court", "trial_judge"),
        ),
        "measures",
        Prefetch("leader_activities", queryset=LeaderActivity.objects.select_related("leader")),
        "attachments",
        Prefetch(
            "acceptance_requests",
            queryset=AcceptanceRequest.objects.select_related(
                "case", "reviewing_court", "submitted_by__person"
            ).prefetch_related("evidence"),
        ),
        Prefetch(
            "escalations",
            queryset=EscalationRequest.objects.select_related(
                "case", "from_court", "to_court", "requested_by__person"
            ),
        ),
        Prefetch("guidance", queryset=Guidance.objects.select_related("court", "author__person")),
    )


def case_detail(user: AnyUser, pk: int) -> PetitionCase:
    """The case with everything recorded about it; 404 when the user does not see it."""
    return with_people(get_for_user(user, case_detail_queryset(), pk=pk))


@dataclass(frozen=True)
class EventState:
    """Whether the case's status allows `event` now, and if not, what it is waiting for."""

    event: Event
    label: str
    allowed: bool
    reason: str | None


@dataclass(frozen=True)
class ActionState:
    """One policy action on one case for one user: permitted by role and scope, and the
    status transitions it would make, each allowed or not in the case's present status."""

    action: Action
    label: str
    permitted: bool
    events: list[EventState]


# The actions that act on a case, with their Chinese names and the transitions they drive.
CASE_ACTIONS: dict[Action, tuple[str, tuple[Event, ...]]] = {
    Action.CASE_EDIT: ("修改案件记录（信访人、信访记录、原审案件）", ()),
    Action.CASE_ALLOCATE: ("交办", (Event.ALLOCATE,)),
    Action.TEAM_ASSIGN: ("组建/调整专班", ()),
    Action.CASE_WORK: (
        "化解工作（分类、措施、附件、化解标准）",
        (Event.WRITTEN_PROMISE, Event.ORAL_PROMISE, Event.TERMINATION_COMPLETE),
    ),
    Action.LEADER_ACTIVITY: ("登记包案领导活动", ()),
    Action.ACCEPTANCE_SUBMIT: ("提交验收", (Event.SUBMIT,)),
    Action.ACCEPTANCE_DECIDE: ("验收审查", (Event.ACCEPT, Event.RETURN)),
    Action.ESCALATION_REQUEST: ("申请提级办理", (Event.ESCALATE,)),
    Action.ESCALATION_DECIDE: ("决定提级办理", (Event.ESCALATE,)),
    Action.GUIDANCE: ("提出指导意见", ()),
    Action.REVEAL_IDENTITY: ("查看完整身份证号和电话", ()),
}


def _event_state(case: PetitionCase, event: Event) -> EventState:
    label = transitions.EVENT_NAMES[event]
    try:
        transitions.target(case, event)
    except transitions.TransitionRefused as exc:
        return EventState(event, label, False, str(exc))
    return EventState(event, label, True, None)


def case_actions(user: AnyUser, case: PetitionCase) -> list[ActionState]:
    """For each case action: may `user` take it, and does the case's status allow it now.

    Pure: answers from the loaded case (court and its parent select_related)."""
    return [
        ActionState(
            action,
            label,
            can(user, action, case),
            [_event_state(case, event) for event in events],
        )
        for action, (label, events) in CASE_ACTIONS.items()
    ]


# --- petitioners -------------------------------------------------------------------------


def _lacks_id() -> Q:
    return Q(id_number__isnull=True) | Q(id_number="")


def petitioner_duplicates(petitioner: Petitioner) -> QuerySet[Petitioner]:
    """Likely duplicates of `petitioner` (R3), to suggest for merging, never merged silently:
    the same name and the same phone, or the same name and the same domicile, where at least
    one of the two has no ID number (two different ID numbers are two different people)."""
    same_contact = Q()
    if petitioner.phone.strip():
        same_contact |= Q(phone=petitioner.phone)
    if petitioner.domicile.strip():
        same_contact |= Q(domicile=petitioner.domicile)
    if not same_contact:
        return Petitioner.objects.none()
    qs = Petitioner.objects.filter(same_contact, name=petitioner.name).exclude(pk=petitioner.pk)
    if petitioner.id_number:
        qs = qs.filter(_lacks_id())
    return qs.order_by("pk")


# --- acceptance --------------------------------------------------------------------------


def acceptance_pending(user: User) -> QuerySet[AcceptanceRequest]:
    """Pending acceptance requests the user's court must review, limited to cases the user
    sees (a reviewer who cannot open the case could not decide it either)."""
    return scope_filter(
        user, acceptance_to_review(user), court_field="case__court"
    ).prefetch_related("evidence")


# --- notifications -----------------------------------------------------------------------


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first, with their case."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("case")
        .order_by("-created_at", "-pk")
    )


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
