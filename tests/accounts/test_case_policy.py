"""R2 applied to the ledger: who sees a case, and who may do what to it."""

from __future__ import annotations

import pytest

from huajie.accounts.policy import Action, can, is_visible
from huajie.cases.models import CaseStatus
from tests.cases.world import World, case_in

pytestmark = pytest.mark.django_db


def test_a_basic_courts_case_is_seen_by_it_its_supervisor_and_the_province(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    assert is_visible(world.lixia.office, case)
    assert is_visible(world.jinan.office, case)
    assert is_visible(world.province_office, case)
    assert not is_visible(world.shinan.office, case)


@pytest.mark.parametrize(
    ("who", "action", "allowed"),
    [
        ("lixia.office", Action.CASE_EDIT, True),
        ("lixia.office", Action.TEAM_ASSIGN, True),
        ("lixia.office", Action.CASE_ALLOCATE, False),
        ("lixia.office", Action.ACCEPTANCE_DECIDE, False),
        ("lixia.leader_user", Action.LEADER_ACTIVITY, True),
        ("lixia.leader_user", Action.CASE_WORK, True),
        ("lixia.president_user", Action.LEADER_ACTIVITY, False),  # not this case's leader
        ("lixia.judge_user", Action.CASE_WORK, False),  # not on the team
        ("lixia.judge_user", Action.REVEAL_IDENTITY, False),
        ("jinan.office", Action.ACCEPTANCE_DECIDE, True),
        ("jinan.office", Action.ESCALATION_DECIDE, True),
        ("jinan.office", Action.GUIDANCE, True),
        ("jinan.office", Action.TEAM_ASSIGN, False),
        ("jinan.office", Action.CASE_EDIT, False),
        ("province_office", Action.CASE_ALLOCATE, True),
        ("province_office", Action.ACCEPTANCE_DECIDE, True),
        ("shinan.office", Action.VIEW, False),
        ("shinan.office", Action.CASE_EDIT, False),
    ],
)
def test_case_actions_by_role(world: World, who: str, action: Action, allowed: bool) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    user = (
        world.province_office
        if who == "province_office"
        else getattr(getattr(world, who.split(".")[0]), who.split(".")[1])
    )
    assert can(user, action, case) is allowed


def test_a_team_member_without_an_office_role_may_work_the_case(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    from tests.factories import UserFactory

    staff_user = UserFactory(person=world.lixia.staff, role="judge", scope="court")
    assert can(staff_user, Action.CASE_WORK, case)
    assert not can(staff_user, Action.LEADER_ACTIVITY, case)


def test_after_escalation_the_basic_court_no_longer_sees_the_case(world: World) -> None:
    from huajie.cases import services

    case = case_in(world, CaseStatus.IN_RESOLUTION)
    case = services.case_take_up(actor=world.jinan.office, case=case, reason="提级")
    assert not is_visible(world.lixia.office, case)
    assert can(world.jinan.office, Action.TEAM_ASSIGN, case)
    assert can(world.province_office, Action.ACCEPTANCE_DECIDE, case)
    assert not can(world.jinan.office, Action.ACCEPTANCE_DECIDE, case)  # the high court reviews
