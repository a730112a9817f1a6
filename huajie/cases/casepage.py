"""What the case page shows of a case's records (R3–R15), read as values.

The page shows names, dates and labels, never whole records: each section is one query of
the columns it shows, with choice values turned into their Chinese labels here. Prefetching
model instances cost the page about twice as much: most of a case page's time went into
building queries of every column and models nobody called a method on (docs/performance.md,
session 16). The case itself stays a model: the actions offered on it, the permission policy
and the transitions table ask it questions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Choices, Model
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from huajie.audit.models import AuditEvent
from huajie.cases.models import (
    AcceptanceRequest,
    ActivityKind,
    Attachment,
    AttachmentPurpose,
    Decision,
    EscalationRequest,
    Guidance,
    LeaderActivity,
    Measure,
    MeasureKind,
    OriginalCase,
    PetitionCase,
    Petitioner,
    Stage,
    Visit,
    VisitLevel,
)
from huajie.cases.selectors import CASE_PEOPLE
from huajie.core.prepared import PreparedQuery
from huajie.courts.models import Person

# The page's timeline shows the latest events, newest first.
TIMELINE_LENGTH = 200


class PetitionerRow(NamedTuple):
    name: str
    id_number: str | None
    phone: str
    domicile: str
    residence: str


class VisitRow(NamedTuple):
    visited_on: dt.date
    level: str
    receiving_body: str
    summary: str
    reopened_case: bool


class OriginalRow(NamedTuple):
    number: str
    is_flawed: bool
    flaw_note: str
    court: str  # the court's short name, or the court code of a number from elsewhere
    trial_judge_name: str
    cause: str
    stage: str


class MeasureRow(NamedTuple):
    taken_on: dt.date
    kind: str
    summary: str
    aid_amount: Decimal | None
    retrial_case_number: str
    retrial_outcome: str
    participants: list[dict[str, str]]  # {"name", "identity"}


class ActivityRow(NamedTuple):
    happened_on: dt.date
    leader: str
    kind: str
    summary: str


class AttachmentRow(NamedTuple):
    pk: int
    original_name: str
    purpose: str
    size: int
    uploaded_at: dt.datetime


class AcceptanceRow(NamedTuple):
    submitted_at: dt.datetime
    submitted_by: str
    reviewing_court: str
    decision: str
    decided_at: dt.datetime | None
    reason: str


class EscalationRow(NamedTuple):
    requested_at: dt.datetime
    from_court: str
    to_court: str
    reason: str
    decision: str
    decision_note: str
    pending: bool


class GuidanceRow(NamedTuple):
    created_at: dt.datetime
    court: str
    text: str


class EventRow(NamedTuple):
    """An event of the timeline. It writes its own `<li>` (`{{ event }}`): a case has up to
    `TIMELINE_LENGTH` of them, the longest part of its page to render."""

    at: dt.datetime
    actor_name: str
    summary: str

    def __html__(self) -> SafeString:
        at = timezone.localtime(self.at)
        return format_html(
            "<li><time>{}</time> <strong>{}</strong> {}</li>",
            at.strftime("%Y-%m-%d %H:%M"),
            self.actor_name or "系统",
            self.summary,
        )

    def __str__(self) -> str:
        return self.__html__()


@dataclass(frozen=True)
class CasePage:
    """A case's records as its page shows them; `people` maps a `CASE_PEOPLE` field to the
    person's name."""

    people: dict[str, str]
    petitioners: list[PetitionerRow]
    visits: list[VisitRow]
    originals: list[OriginalRow]
    measures: list[MeasureRow]
    activities: list[ActivityRow]
    attachments: list[AttachmentRow]
    acceptance: list[AcceptanceRow]
    escalations: list[EscalationRow]
    guidance: list[GuidanceRow]
    timeline: list[EventRow]

    @property
    def escalation_pending(self) -> bool:
        return any(row.pending for row in self.escalations)


def _labels(choices: type[Choices]) -> dict[Any, str]:
    """A choice's value to its label; a value not among them (a blank one) shows as itself,
    as `get_FOO_display` does."""
    return {value: str(label) for value, label in choices.choices}


_VISIT_LEVELS = _labels(VisitLevel)
_STAGES = _labels(Stage)
_MEASURE_KINDS = _labels(MeasureKind)
_ACTIVITY_KINDS = _labels(ActivityKind)
_PURPOSES = _labels(AttachmentPurpose)
_DECISIONS = _labels(Decision)


def _label(labels: dict[Any, str], value: Any) -> str:
    return labels.get(value, value)


def _of_case(model: type[Model], *columns: str) -> PreparedQuery:
    """A section's question: the case's records of `model`, in the model's own order, as
    `columns`."""
    return PreparedQuery(
        lambda case_id: model._default_manager.filter(case_id=case_id).values_list(*columns)
    )


# Each section's question, compiled to SQL once (`PreparedQuery`), asked with the case's id.
_PEOPLE = PreparedQuery(
    lambda *ids: Person.objects.filter(pk__in=ids).values_list("pk", "name"),
    parameters=len(CASE_PEOPLE),
)
_PETITIONERS = PreparedQuery(
    lambda case_id: (
        Petitioner.objects.filter(cases__id=case_id)
        .order_by("pk")
        .values_list("name", "id_number", "phone", "domicile", "residence")
    )
)
_VISITS = _of_case(Visit, "visited_on", "level", "receiving_body", "summary", "reopened_case")
_ORIGINALS = _of_case(
    OriginalCase,
    "number",
    "is_flawed",
    "flaw_note",
    "court__short_name",
    "court_code",
    "trial_judge_name",
    "cause",
    "stage",
)
_MEASURES = _of_case(
    Measure,
    "taken_on",
    "kind",
    "summary",
    "aid_amount",
    "retrial_case_number",
    "retrial_outcome",
    "participants",
)
_ACTIVITIES = _of_case(LeaderActivity, "happened_on", "leader__name", "kind", "summary")
_ATTACHMENTS = _of_case(Attachment, "pk", "original_name", "purpose", "size", "uploaded_at")
_ACCEPTANCE = _of_case(
    AcceptanceRequest,
    "submitted_at",
    "submitted_by__person__name",
    "submitted_by__username",
    "reviewing_court__short_name",
    "decision",
    "decided_at",
    "reason",
)
_ESCALATIONS = _of_case(
    EscalationRequest,
    "requested_at",
    "from_court__short_name",
    "to_court__short_name",
    "reason",
    "decision",
    "decision_note",
)
_GUIDANCE = _of_case(Guidance, "created_at", "court__short_name", "text")
_TIMELINE = PreparedQuery(
    lambda case_id: (
        AuditEvent.objects.filter(case_id=case_id)
        .order_by("-id")
        .values_list("at", "actor_name", "summary")[:TIMELINE_LENGTH]
    )
)


def people_names(case: PetitionCase) -> dict[str, str]:
    """The names of the case's people, by field; a place not filled is left out."""
    ids = {name: getattr(case, f"{name}_id") for name in CASE_PEOPLE}
    names = dict(_PEOPLE(*ids.values()))
    return {name: names[pk] for name, pk in ids.items() if pk in names}


def petitioners(case_id: int) -> list[PetitionerRow]:
    return [PetitionerRow(*row) for row in _PETITIONERS(case_id)]


def _visits(case_id: int) -> Iterator[VisitRow]:
    for on, level, body, summary, reopened in _VISITS(case_id):
        yield VisitRow(on, _label(_VISIT_LEVELS, level), body, summary, reopened)


def _originals(case_id: int) -> Iterator[OriginalRow]:
    for number, flawed, note, court, court_code, judge, cause, stage in _ORIGINALS(case_id):
        yield OriginalRow(
            number, flawed, note, court or court_code, judge, cause, _label(_STAGES, stage)
        )


def _measures(case_id: int) -> Iterator[MeasureRow]:
    for on, kind, summary, aid, retrial_no, retrial_outcome, people in _MEASURES(case_id):
        kind_label = _label(_MEASURE_KINDS, kind)
        yield MeasureRow(on, kind_label, summary, aid, retrial_no, retrial_outcome, people)


def _activities(case_id: int) -> Iterator[ActivityRow]:
    for on, leader, kind, summary in _ACTIVITIES(case_id):
        yield ActivityRow(on, leader, _label(_ACTIVITY_KINDS, kind), summary)


def _attachments(case_id: int) -> Iterator[AttachmentRow]:
    for pk, name, purpose, size, at in _ATTACHMENTS(case_id):
        yield AttachmentRow(pk, name, _label(_PURPOSES, purpose), size, at)


def _acceptance(case_id: int) -> Iterator[AcceptanceRow]:
    for at, person, username, court, decision, decided_at, reason in _ACCEPTANCE(case_id):
        # As `User.display_name`: the person's name, or the account's for one without.
        yield AcceptanceRow(
            at, person or username, court, _label(_DECISIONS, decision), decided_at, reason
        )


def _escalations(case_id: int) -> Iterator[EscalationRow]:
    for at, from_court, to_court, reason, decision, note in _ESCALATIONS(case_id):
        pending = decision == Decision.PENDING
        label = _label(_DECISIONS, decision)
        yield EscalationRow(at, from_court, to_court, reason, label, note, pending)


def _guidance(case_id: int) -> Iterator[GuidanceRow]:
    return (GuidanceRow(*row) for row in _GUIDANCE(case_id))


def _timeline(case_id: int) -> Iterator[EventRow]:
    return (EventRow(*row) for row in _TIMELINE(case_id))


def read(case: PetitionCase) -> CasePage:
    """Everything the case page shows of `case` besides the case itself: one query for
    each section, whatever its length."""
    pk = case.pk
    return CasePage(
        people=people_names(case),
        petitioners=petitioners(pk),
        visits=list(_visits(pk)),
        originals=list(_originals(pk)),
        measures=list(_measures(pk)),
        activities=list(_activities(pk)),
        attachments=list(_attachments(pk)),
        acceptance=list(_acceptance(pk)),
        escalations=list(_escalations(pk)),
        guidance=list(_guidance(pk)),
        timeline=list(_timeline(pk)),
    )
