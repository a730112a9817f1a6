"""The case page's records read as values (R3–R15, issue #7): each section shows what the
models themselves say, labels included, in the models' own order."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from huajie.audit.models import AuditEvent
from huajie.cases import casepage, services
from huajie.cases.models import (
    ActivityKind,
    AttachmentPurpose,
    CaseStatus,
    MeasureKind,
    PetitionCase,
    VisitLevel,
)
from tests.cases.world import PDF, World, case_in

pytestmark = pytest.mark.django_db


def _busy_case(world: World) -> PetitionCase:
    """A submitted case with records in every section, two of each where it can have two."""
    case = case_in(world, CaseStatus.IN_RESOLUTION, id_number="11010519491231002X")
    office = world.lixia.office
    services.visit_record(
        actor=office,
        case=case,
        data=services.VisitInput(
            visited_on=dt.date(2019, 2, 1), level=VisitLevel.PROVINCE, summary="到省法院"
        ),
    )
    for day, kind, aid in (
        (3, MeasureKind.JUDICIAL_AID, Decimal("5000.50")),
        (2, "reception", None),
    ):
        services.measure_record(
            actor=office,
            case=case,
            data=services.MeasureInput(
                kind=MeasureKind(kind),
                taken_on=dt.date(2019, 3, day),
                summary="措施",
                aid_amount=aid,
                participants=[{"name": "李四", "identity": "人大代表"}],
            ),
        )
    services.leader_activity_record(
        actor=office,
        case=case,
        happened_on=dt.date(2019, 3, 5),
        kind=ActivityKind.MEETING,
        summary="接谈",
    )
    services.attachment_add(
        actor=office,
        case=case,
        purpose=AttachmentPurpose.OTHER,
        name="材料.pdf",
        stream=io.BytesIO(PDF),
    )
    services.escalation_request(actor=office, case=case, reason="案情复杂")
    services.guidance_add(actor=world.jinan.office, case=case, text="加强沟通")
    return PetitionCase.objects.get(pk=case.pk)


def test_each_section_shows_what_its_records_say(world: World) -> None:
    case = _busy_case(world)
    page = casepage.read(case)

    assert [(p.name, p.id_number) for p in page.petitioners] == [
        (p.name, p.id_number) for p in case.petitioners.order_by("pk")
    ]
    assert page.visits == [
        casepage.VisitRow(
            v.visited_on, v.get_level_display(), v.receiving_body, v.summary, v.reopened_case
        )
        for v in case.visits.all()
    ]
    assert [o.number for o in page.originals] == [o.number for o in case.original_cases.all()]
    assert [o.court for o in page.originals] == [
        o.court.short_name if o.court else o.court_code for o in case.original_cases.all()
    ]
    assert page.measures == [
        casepage.MeasureRow(
            m.taken_on,
            m.get_kind_display(),
            m.summary,
            m.aid_amount,
            m.retrial_case_number,
            m.retrial_outcome,
            m.participants,
        )
        for m in case.measures.all()
    ]
    assert [m.taken_on.day for m in page.measures] == [2, 3]  # the models' order: by date
    assert page.measures[1].aid_amount == Decimal("5000.50")
    assert page.measures[1].participants == [{"name": "李四", "identity": "人大代表"}]
    assert page.activities == [
        casepage.ActivityRow(a.happened_on, a.leader.name, a.get_kind_display(), a.summary)
        for a in case.leader_activities.all()
    ]
    assert page.attachments == [
        casepage.AttachmentRow(
            a.pk, a.original_name, a.get_purpose_display(), a.size, a.uploaded_at
        )
        for a in case.attachments.all()
    ]
    assert page.escalations == [
        casepage.EscalationRow(
            e.requested_at,
            e.from_court.short_name,
            e.to_court.short_name,
            e.reason,
            e.get_decision_display(),
            e.decision_note,
            e.is_pending,
        )
        for e in case.escalations.all()
    ]
    assert page.escalation_pending and case.has_pending_escalation
    assert page.guidance == [
        casepage.GuidanceRow(g.created_at, g.court.short_name, g.text) for g in case.guidance.all()
    ]
    events = AuditEvent.objects.filter(case_id=case.pk).order_by("-id")
    assert page.timeline == [casepage.EventRow(e.at, e.actor_name, e.summary) for e in events]
    assert page.timeline[0].at.tzinfo is not None  # aware, as the models' (on SQLite too)
    assert page.people == {
        "leader": world.lixia.leader.name,
        "division_leader": world.lixia.division_leader.name,
        "staff": world.lixia.staff.name,
        "petition_contact": world.lixia.contact.name,
    }


def test_acceptance_shows_who_submitted_and_the_decision(world: World) -> None:
    case = case_in(world, CaseStatus.ACCEPTED)
    (row,) = casepage.read(case).acceptance
    request = case.acceptance_requests.get()
    assert row == casepage.AcceptanceRow(
        request.submitted_at,
        request.submitted_by.display_name,
        request.reviewing_court.short_name,
        request.get_decision_display(),
        request.decided_at,
        request.reason,
    )
    assert row.decision == "通过"


def test_a_case_without_records_shows_empty_sections(world: World) -> None:
    case = case_in(world, CaseStatus.UNALLOCATED, number="")
    page = casepage.read(case)
    assert page.people == {} and page.measures == [] and page.originals == []
    assert not page.escalation_pending


def test_the_timeline_shows_the_latest_events_only(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    total = AuditEvent.objects.filter(case_id=case.pk).count()
    assert total > 2
    monkeypatch.setattr(casepage, "TIMELINE_LENGTH", 2)  # read when the query is compiled
    monkeypatch.setattr(casepage._TIMELINE, "_compiled", {})
    latest = list(AuditEvent.objects.filter(case_id=case.pk).order_by("-id")[:2])
    assert [e.at for e in casepage.read(case).timeline] == [e.at for e in latest]


def test_the_page_offers_escalation_from_the_requests_it_read(world: World) -> None:
    """The offers ask whether a request is pending; the page answers from the rows it read
    for its section, without a second query of the requests."""
    case = _busy_case(world)
    client = Client()
    client.force_login(world.lixia.office)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "已有待决定的提级申请" in page
    asked = [q["sql"] for q in ctx.captured_queries if "cases_escalationrequest" in q["sql"]]
    assert len(asked) == 1


def test_a_timeline_event_writes_itself_escaped_in_local_time() -> None:
    at = dt.datetime(2019, 3, 1, 16, 30, tzinfo=dt.UTC)  # 00:30 the next day in Beijing
    event = casepage.EventRow(at, "<script>", "交办 & 组建专班")
    assert str(event) == (
        "<li><time>2019-03-02 00:30</time> <strong>&lt;script&gt;</strong> 交办 &amp; 组建专班</li>"
    )
    assert "<strong>系统</strong>" in str(casepage.EventRow(at, "", "自动提醒"))
