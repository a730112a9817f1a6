"""R5, R6: the case leader's eligibility and the four-person team."""

from __future__ import annotations

import pytest

from huajie.cases import services
from huajie.cases.models import CaseStatus
from tests.cases.world import World, case_in, staff_court

pytestmark = pytest.mark.django_db


def test_a_full_team_puts_the_case_in_resolution(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    case = services.team_assign(actor=world.lixia.office, case=case, members=world.lixia.team)
    assert case.status == CaseStatus.IN_RESOLUTION
    assert case.team_since is not None


def test_a_partial_team_leaves_the_case_waiting_and_says_who_is_missing(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    members = {"leader": world.lixia.leader, "staff": world.lixia.staff}
    case = services.team_assign(actor=world.lixia.office, case=case, members=members)
    assert case.status == CaseStatus.ALLOCATED
    from huajie.cases.eligibility import missing_roles

    assert missing_roles(case) == ["庭领导", "信访联系人"]


def test_removing_a_member_sends_the_case_back_to_waiting_for_a_team(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    case = services.team_assign(
        actor=world.lixia.office, case=case, members={"petition_contact": None}
    )
    assert case.status == CaseStatus.ALLOCATED


def test_a_leader_outside_the_judge_quota_is_refused_at_a_basic_court(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    with pytest.raises(services.Refused, match="未入额院领导"):
        services.team_assign(
            actor=world.lixia.office,
            case=case,
            members={"leader": world.lixia.leader_outside_quota},
        )


def test_a_full_time_committee_member_may_lead(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    case = services.team_assign(
        actor=world.lixia.office, case=case, members={"leader": world.lixia.committee}
    )
    assert case.leader == world.lixia.committee


def test_a_division_leader_may_not_lead_a_case(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    with pytest.raises(services.Refused, match="不是入额院领导或专职审判委员会委员"):
        services.team_assign(
            actor=world.lixia.office, case=case, members={"leader": world.lixia.division_leader}
        )


def test_at_the_high_court_any_court_leader_may_lead(world: World) -> None:
    case = new = case_in(world, CaseStatus.UNALLOCATED)
    case = services.case_allocate(
        actor=world.province_office, case=new, court=world.tree.high, reason="省法院直接办理"
    )
    case = services.team_assign(
        actor=world.province_office, case=case, members={"leader": world.high.leader_outside_quota}
    )
    assert case.leader == world.high.leader_outside_quota


def test_a_major_case_must_be_led_by_the_president(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED, is_major=True)
    with pytest.raises(services.Refused, match="院长亲自包案"):
        services.team_assign(
            actor=world.lixia.office, case=case, members={"leader": world.lixia.leader}
        )
    case = services.team_assign(
        actor=world.lixia.office, case=case, members={"leader": world.lixia.president}
    )
    assert case.leader == world.lixia.president


def test_marking_a_case_major_needs_the_president_as_leader(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    with pytest.raises(services.Refused, match="院长"):
        services.case_update_record(actor=world.lixia.office, case=case, changes={"is_major": True})


def test_team_members_must_come_from_the_responsible_court(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    with pytest.raises(services.Refused, match="专班成员须来自责任法院") as caught:
        services.team_assign(
            actor=world.lixia.office, case=case, members={"staff": world.shinan.staff}
        )
    assert world.shinan.staff.name in str(caught.value)


def test_each_place_needs_the_matching_position(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    with pytest.raises(services.Refused, match="没有信访联系人职务"):
        services.team_assign(
            actor=world.lixia.office, case=case, members={"petition_contact": world.lixia.judge}
        )


def test_every_refusal_is_reported_at_once(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    with pytest.raises(services.Refused) as caught:
        services.team_assign(
            actor=world.lixia.office,
            case=case,
            members={"leader": world.lixia.division_leader, "petition_contact": world.lixia.judge},
        )
    assert "包案" in str(caught.value) and "信访联系人" in str(caught.value)


def test_an_inactive_person_cannot_join(world: World) -> None:
    world.lixia.staff.is_active = False
    world.lixia.staff.save()
    case = case_in(world, CaseStatus.ALLOCATED)
    with pytest.raises(services.Refused, match="不在岗"):
        services.team_assign(
            actor=world.lixia.office, case=case, members={"staff": world.lixia.staff}
        )


def test_the_team_cannot_change_during_acceptance(world: World) -> None:
    case = case_in(world, CaseStatus.SUBMITTED)
    with pytest.raises(services.Refused, match="验收"):
        services.team_assign(
            actor=world.lixia.office, case=case, members={"staff": world.lixia.judge}
        )


def test_an_unallocated_case_gets_no_team(world: World) -> None:
    case = case_in(world, CaseStatus.UNALLOCATED)
    with pytest.raises(services.Refused, match="尚未交办"):
        services.team_assign(actor=world.province_office, case=case, members=world.high.team)


def test_reallocating_to_another_court_clears_the_old_team(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    case = services.team_assign(
        actor=world.lixia.office, case=case, members={"leader": world.lixia.leader}
    )
    case = services.case_allocate(
        actor=world.province_office, case=case, court=world.tree.shizhong, reason="原审法院回避"
    )
    staff_court(world.tree.shizhong)
    assert case.leader is None
    assert case.court == world.tree.shizhong


@pytest.mark.parametrize(
    "status", [CaseStatus.OBSERVATION, CaseStatus.MET_STANDARD, CaseStatus.ACCEPTED]
)
def test_after_resolution_members_are_replaced_never_removed(
    world: World, status: CaseStatus
) -> None:
    case = case_in(world, status)
    with pytest.raises(services.Refused, match="不能空缺"):
        services.team_assign(actor=world.lixia.office, case=case, members={"staff": None})
    case = services.team_assign(
        actor=world.lixia.office, case=case, members={"staff": world.lixia.judge}
    )
    assert case.staff == world.lixia.judge and case.status == status
