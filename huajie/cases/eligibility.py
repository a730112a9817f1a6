"""Who may hold which place in a case's team (R5, R6). Each refusal says why, in Chinese."""

from __future__ import annotations

from huajie.cases.models import PetitionCase
from huajie.courts.models import Court, Person, PositionKind

TEAM_ROLES: dict[str, str] = {
    "leader": "包案领导",
    "division_leader": "庭领导",
    "staff": "工作人员",
    "petition_contact": "信访联系人",
}


def leader_refusal(person: Person, case: PetitionCase) -> str | None:
    """None when `person` may lead `case`, else the reason they may not."""
    court: Court = case.court
    if person.court_id != court.pk:
        return f"{person.name}不是{court.short_name}的人员，包案领导须由责任法院院领导担任。"
    if not person.is_active:
        return f"{person.name}已不在岗，不能担任包案领导。"
    if case.is_major and not person.has_position(PositionKind.PRESIDENT):
        return "重大疑难信访案件须由院长亲自包案。"
    if person.has_position(PositionKind.COMMITTEE_MEMBER):
        return None
    is_leader = person.has_position(PositionKind.PRESIDENT, PositionKind.COURT_LEADER)
    if court.is_high:
        if is_leader:
            return None
        return f"{person.name}不是院领导或专职审判委员会委员，不能包案。"
    if is_leader and person.in_judge_quota:
        return None
    if is_leader:
        return f"{person.name}是未入额院领导；中级、基层法院须由入额院领导或专职审委会委员包案。"
    return f"{person.name}不是入额院领导或专职审判委员会委员，不能包案。"


_MEMBER_POSITIONS: dict[str, tuple[PositionKind, ...]] = {
    "division_leader": (PositionKind.DIVISION_LEADER,),
    "staff": (PositionKind.STAFF, PositionKind.JUDGE),
    "petition_contact": (PositionKind.PETITION_CONTACT,),
}


def member_refusal(role: str, person: Person, case: PetitionCase) -> str | None:
    """None when `person` may fill team place `role` on `case`, else why not."""
    if role == "leader":
        return leader_refusal(person, case)
    label = TEAM_ROLES[role]
    if person.court_id != case.court_id:
        return f"{person.name}不是{case.court.short_name}的人员，专班成员须来自责任法院。"
    if not person.is_active:
        return f"{person.name}已不在岗，不能担任{label}。"
    if not person.has_position(*_MEMBER_POSITIONS[role]):
        return f"{person.name}没有{label}职务，不能担任{label}。"
    return None


def missing_roles(case: PetitionCase) -> list[str]:
    """The team places still empty, as Chinese labels (R6)."""
    return [label for role, label in TEAM_ROLES.items() if getattr(case, f"{role}_id") is None]
