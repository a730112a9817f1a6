"""R4: allocation by 谁办案, else 属地, else manual; the rule and reason are recorded."""

from __future__ import annotations

import pytest

from huajie.audit.models import AuditEvent
from huajie.cases import services
from huajie.cases.models import AllocationRule, CaseStatus, Notification
from tests.cases.world import World, new_case

pytestmark = pytest.mark.django_db


def test_it_allocates_to_the_court_of_the_latest_original_case(world: World) -> None:
    case = new_case(world, number="(2016)鲁0102民初12号")
    services.original_case_add(
        actor=world.province_office,
        case=case,
        data=services.OriginalCaseInput(number="(2017)鲁01民终345号"),
    )
    case = services.case_allocate(actor=world.province_office, case=case)
    assert case.court == world.tree.jinan
    assert case.allocation_rule == AllocationRule.WHO_HANDLED
    assert "(2017)鲁01民终345号" in case.allocation_reason
    assert case.status == CaseStatus.ALLOCATED


def test_a_retrial_review_counts_as_later_than_an_appeal_of_the_same_year(world: World) -> None:
    case = new_case(world, number="(2017)鲁01民终345号")
    services.original_case_add(
        actor=world.province_office,
        case=case,
        data=services.OriginalCaseInput(number="(2017)鲁民申9号"),
    )
    case = services.case_allocate(actor=world.province_office, case=case)
    assert case.court == world.tree.high


def test_without_a_known_original_court_it_allocates_by_domicile(world: World) -> None:
    case = new_case(world, number="", domicile="山东省青岛市市南区香港中路10号")
    case = services.case_allocate(actor=world.province_office, case=case)
    assert case.court == world.tree.shinan
    assert case.allocation_rule == AllocationRule.DOMICILE
    assert "香港中路" in case.allocation_reason


def test_an_original_court_outside_the_system_falls_back_to_domicile(world: World) -> None:
    case = new_case(world, number="(2017)京0105民初1号", domicile="济南市历下区")
    case = services.case_allocate(actor=world.province_office, case=case)
    assert case.court == world.tree.lixia
    assert case.allocation_rule == AllocationRule.DOMICILE


def test_without_court_or_domicile_it_asks_for_a_manual_choice(world: World) -> None:
    case = new_case(world, number="", domicile="外省某地")
    with pytest.raises(services.Refused, match=r"人工指定|请选择责任法院"):
        services.case_allocate(actor=world.province_office, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.UNALLOCATED


def test_a_manual_override_needs_a_written_reason(world: World) -> None:
    case = new_case(world)
    with pytest.raises(services.Refused, match="写明理由"):
        services.case_allocate(actor=world.province_office, case=case, court=world.tree.shinan)
    case = services.case_allocate(
        actor=world.province_office,
        case=case,
        court=world.tree.shinan,
        reason="信访人现居青岛，便于就地化解",
    )
    assert case.court == world.tree.shinan
    assert case.allocation_rule == AllocationRule.MANUAL
    assert case.allocation_reason == "信访人现居青岛，便于就地化解"


def test_a_manual_override_cannot_leave_the_province(world: World) -> None:
    case = new_case(world)
    with pytest.raises(services.Refused, match="本省"):
        services.case_allocate(
            actor=world.province_office, case=case, court=world.tree.xuanwu, reason="x"
        )


def test_allocation_is_audited_and_notifies_the_courts_petition_office(world: World) -> None:
    case = services.case_allocate(actor=world.province_office, case=new_case(world))
    event = AuditEvent.objects.filter(case_id=case.pk, verb="case.allocate").get()
    assert event.after["rule"] == AllocationRule.WHO_HANDLED
    assert event.before["status"] == CaseStatus.UNALLOCATED
    assert Notification.objects.filter(recipient=world.lixia.office, case=case).exists()


def test_a_whole_campaign_is_allocated_in_one_step(world: World) -> None:
    new_case(world, number="(2017)鲁0102民初1号")
    new_case(world, number="(2017)鲁0202民初2号")
    new_case(world, number="", domicile="山东省济南市历下区")
    stray = new_case(world, number="", domicile="无法识别")
    result = services.campaign_allocate(
        actor=world.province_office, campaign=world.campaign, province=world.tree.high
    )
    assert result.by_rule == {AllocationRule.WHO_HANDLED: 2, AllocationRule.DOMICILE: 1}
    assert result.needs_manual == [stray.ledger_no]
