"""R11 (acceptance by the superior court), R12 (escalation and guidance), R14 (new petitions)."""

from __future__ import annotations

import pytest

from huajie.audit.models import AuditEvent
from huajie.audit.services import audit_verify
from huajie.cases import services
from huajie.cases.models import (
    AllocationRule,
    CaseStatus,
    Decision,
    NotificationKind,
    Origin,
    PetitionType,
)
from huajie.core import clock
from tests.cases.world import World, case_in
from tests.factories import tamper_audit

pytestmark = pytest.mark.django_db


def submit(world: World) -> object:
    case = case_in(world, CaseStatus.MET_STANDARD)
    return services.acceptance_submit(actor=world.lixia.office, case=case, note="书面承诺已签署")


def test_submission_goes_to_the_superior_court(world: World) -> None:
    request = submit(world)
    assert request.reviewing_court == world.tree.jinan  # type: ignore[attr-defined]
    assert request.case.status == CaseStatus.SUBMITTED  # type: ignore[attr-defined]


def test_the_high_court_reviews_its_own_cases(world: World) -> None:
    case = case_in(world, CaseStatus.UNALLOCATED)
    case = services.case_allocate(
        actor=world.province_office, case=case, court=world.tree.high, reason="省法院直接办理"
    )
    assert services.reviewing_court(case) == world.tree.high


def test_a_case_that_has_not_met_the_standard_cannot_be_submitted(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    with pytest.raises(services.Refused, match="化解中"):
        services.acceptance_submit(actor=world.lixia.office, case=case, note="")


def test_only_one_submission_is_open_at_a_time(world: World) -> None:
    request = submit(world)
    with pytest.raises(services.Refused, match="待验收"):
        services.acceptance_submit(actor=world.lixia.office, case=request.case, note="")  # type: ignore[attr-defined]


def test_accepting_resolves_the_case(world: World) -> None:
    request = submit(world)
    services.acceptance_decide(actor=world.jinan.office, request=request, accept=True, reason="")  # type: ignore[arg-type]
    case = request.case  # type: ignore[attr-defined]
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.is_resolved
    assert case.accepted_on is not None


def test_returning_needs_a_reason_and_is_counted(world: World) -> None:
    request = submit(world)
    with pytest.raises(services.Refused, match="理由"):
        services.acceptance_decide(
            actor=world.jinan.office,
            request=request,
            accept=False,  # type: ignore[arg-type]
            reason="",
        )
    services.acceptance_decide(
        actor=world.jinan.office,
        request=request,
        accept=False,  # type: ignore[arg-type]
        reason="承诺书未见信访人签名",
    )
    case = request.case  # type: ignore[attr-defined]
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_RESOLUTION
    assert case.return_count == 1
    assert case.last_returned_reason == "承诺书未见信访人签名"
    assert case.resolution_method == "" and case.met_standard_on is None
    assert case.notifications.filter(kind=NotificationKind.RETURNED).exists()


def test_a_decision_cannot_be_taken_twice(world: World) -> None:
    request = submit(world)
    services.acceptance_decide(actor=world.jinan.office, request=request, accept=True, reason="")  # type: ignore[arg-type]
    with pytest.raises(services.Refused, match="不能重复审查"):
        services.acceptance_decide(
            actor=world.jinan.office,
            request=request,
            accept=False,  # type: ignore[arg-type]
            reason="再看看",
        )


# --- escalation and guidance (R12) ---------------------------------------------------------


def test_an_approved_escalation_moves_the_case_up_and_needs_a_new_team(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    history = AuditEvent.objects.filter(case_id=case.pk).count()
    request = services.escalation_request(
        actor=world.lixia.office, case=case, reason="涉及多个法院，基层法院难以化解"
    )
    services.escalation_decide(actor=world.jinan.office, request=request, approve=True, note="同意")
    case.refresh_from_db()
    assert case.court == world.tree.jinan
    assert case.allocation_rule == AllocationRule.ESCALATED
    assert case.status == CaseStatus.ALLOCATED and case.leader is None
    assert AuditEvent.objects.filter(case_id=case.pk).count() > history  # history is kept
    case = services.team_assign(actor=world.jinan.office, case=case, members=world.jinan.team)
    assert case.status == CaseStatus.IN_RESOLUTION


def test_a_refused_escalation_needs_a_note_and_leaves_the_case(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    request = services.escalation_request(actor=world.lixia.office, case=case, reason="难以化解")
    with pytest.raises(services.Refused, match="意见"):
        services.escalation_decide(
            actor=world.jinan.office, request=request, approve=False, note=""
        )
    services.escalation_decide(
        actor=world.jinan.office, request=request, approve=False, note="请继续做工作，中院予以指导"
    )
    case.refresh_from_db()
    assert case.court == world.tree.lixia


def test_a_superior_court_can_take_a_case_up(world: World) -> None:
    case = case_in(world, CaseStatus.OBSERVATION)
    case = services.case_take_up(actor=world.jinan.office, case=case, reason="上级法院提级办理")
    assert case.court == world.tree.jinan
    assert case.status == CaseStatus.ALLOCATED
    assert case.escalations.get().decision == Decision.ACCEPTED


def test_a_case_that_met_the_standard_is_not_escalated(world: World) -> None:
    case = case_in(world, CaseStatus.MET_STANDARD)
    with pytest.raises(services.Refused, match="不能提级办理"):
        services.case_take_up(actor=world.jinan.office, case=case, reason="x")


def test_the_high_courts_cases_have_nowhere_to_go(world: World) -> None:
    case = case_in(world, CaseStatus.UNALLOCATED)
    case = services.case_allocate(
        actor=world.province_office, case=case, court=world.tree.high, reason="省法院直接办理"
    )
    with pytest.raises(services.Refused, match="没有上级法院"):
        services.escalation_request(actor=world.province_office, case=case, reason="x")


def test_guidance_comes_only_from_above(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    note = services.guidance_add(actor=world.jinan.office, case=case, text="建议组织公开听证")
    assert note.court == world.tree.jinan
    with pytest.raises(services.Refused, match="上级法院"):
        services.guidance_add(actor=world.lixia.office, case=case, text="自我指导")
    with pytest.raises(services.Refused, match="上级法院"):
        services.guidance_add(actor=world.shinan.office, case=case, text="越界指导")


# --- new petitions (R14) --------------------------------------------------------------------


def test_a_new_petition_is_kept_by_its_first_receiver(world: World) -> None:
    data = services.CaseInput(
        petition_type=PetitionType.PROVINCE, petitioners=[services.PetitionerInput(name="李四")]
    )
    case = services.new_petition_register(
        actor=world.lixia.office,
        campaign=world.campaign,
        owner=world.lixia.division_leader,
        received_on=clock.today(),
        data=data,
    )
    assert case.origin == Origin.NEW
    assert case.court == world.tree.lixia
    assert case.first_receipt_owner == world.lixia.division_leader
    assert case.allocation_rule == AllocationRule.FIRST_RECEIPT
    assert case.status == CaseStatus.ALLOCATED
    assert case.ledger_no.startswith("2019X-")


def test_only_a_president_or_division_head_is_a_first_receiver(world: World) -> None:
    data = services.CaseInput(
        petition_type=PetitionType.PROVINCE, petitioners=[services.PetitionerInput(name="李四")]
    )
    with pytest.raises(services.Refused, match="院庭长"):
        services.new_petition_register(
            actor=world.lixia.office,
            campaign=world.campaign,
            owner=world.lixia.judge,
            received_on=clock.today(),
            data=data,
        )


def test_the_audit_chain_is_whole_after_a_full_lifecycle(world: World) -> None:
    case_in(world, CaseStatus.ACCEPTED)
    assert audit_verify() is None
    first = AuditEvent.objects.order_by("id").first()
    tamper_audit("UPDATE {table} SET summary = %s WHERE id = %s", "被篡改", first.pk)  # type: ignore[union-attr]
    broken = audit_verify()
    assert broken is not None and broken.event_id == first.pk  # type: ignore[union-attr]


def test_a_return_is_mailed_to_team_members_with_an_address_after_commit(
    world: World, django_capture_on_commit_callbacks: object, mailoutbox: list[object]
) -> None:
    world.lixia.leader_user.email = "leader@lixia.court"
    world.lixia.leader_user.save()
    request = submit(world)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.acceptance_decide(
            actor=world.jinan.office,
            request=request,
            accept=False,  # type: ignore[arg-type]
            reason="材料不全",
        )
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["leader@lixia.court"]  # type: ignore[attr-defined]
    assert "验收退回" in message.subject and "材料不全" in message.body  # type: ignore[attr-defined]


def test_taking_a_case_up_answers_the_pending_request_so_it_cannot_move_it_again(
    world: World,
) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    request = services.escalation_request(actor=world.lixia.office, case=case, reason="难以化解")
    case = services.case_take_up(actor=world.jinan.office, case=case, reason="中院直接提级")
    request.refresh_from_db()
    assert request.decision == Decision.ACCEPTED
    services.team_assign(actor=world.jinan.office, case=case, members=world.jinan.team)
    with pytest.raises(services.Refused, match="已经决定"):
        services.escalation_decide(actor=world.jinan.office, request=request, approve=True, note="")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_RESOLUTION and case.leader == world.jinan.leader


def test_a_stale_escalation_request_cannot_move_the_case(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    request = services.escalation_request(actor=world.lixia.office, case=case, reason="难以化解")
    EscalationRequestModel = type(request)
    # The request is left pending while the case is reallocated elsewhere, by hand.
    EscalationRequestModel.objects.filter(pk=request.pk).update(decision=Decision.PENDING)
    case.court = world.tree.shinan
    case.save(update_fields=["court"])
    with pytest.raises(services.Refused, match="已过时"):
        services.escalation_decide(
            actor=world.province_office, request=request, approve=True, note=""
        )


def test_reallocating_a_case_closes_its_pending_escalation(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    request = services.escalation_request(actor=world.lixia.office, case=case, reason="难以化解")
    services.case_allocate(
        actor=world.province_office, case=case, court=world.tree.shinan, reason="改由市南法院办理"
    )
    request.refresh_from_db()
    assert request.decision == Decision.RETURNED
