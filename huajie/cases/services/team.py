"""The team (R5, R6): four places, eligibility checked, in resolution when complete."""

from __future__ import annotations

from django.db import transaction

from huajie.cases.eligibility import TEAM_ROLES, member_refusal, missing_roles
from huajie.cases.models import (
    CaseStatus,
    NotificationKind,
    PetitionCase,
)
from huajie.cases.services._base import Actor, _audit, _lock, _move, _save, notify
from huajie.cases.transitions import Event, Refused
from huajie.core import clock
from huajie.courts.models import Person

_PAST_RESOLUTION = (CaseStatus.OBSERVATION, CaseStatus.MET_STANDARD, CaseStatus.ACCEPTED)


@transaction.atomic
def team_assign(
    *, actor: Actor, case: PetitionCase, members: dict[str, Person | None]
) -> PetitionCase:
    """Set some or all of the four team places. When all four are filled the case is in
    resolution (R6); every refusal names the person and the reason."""
    unknown = set(members) - set(TEAM_ROLES)
    if unknown:
        raise Refused(f"未知的专班角色：{'、'.join(sorted(unknown))}。")
    case = _lock(case)
    if case.status in (CaseStatus.UNALLOCATED,):
        raise Refused("案件尚未交办，不能组建专班。")
    if case.status in (CaseStatus.SUBMITTED,):
        raise Refused("案件正在验收中，验收结束前不能调整专班。")
    if case.status in _PAST_RESOLUTION and any(person is None for person in members.values()):
        # After the standard is met the team answers for the result: members may be
        # replaced (a leader retires) but no place may be left empty.
        raise Refused("案件已进入观察期或已达化解标准，专班成员只能更换，不能空缺。")
    refusals = [
        reason
        for role, person in members.items()
        if person is not None and (reason := member_refusal(role, person, case))
    ]
    if refusals:
        raise Refused("；".join(refusals))
    before = {role: getattr(case, f"{role}_id") for role in TEAM_ROLES}
    for role, person in members.items():
        setattr(case, role, person)
    after = {role: getattr(case, f"{role}_id") for role in TEAM_ROLES}
    if before == after:
        return case
    fields = list(members)
    if case.leader_id != before["leader"]:
        # A new leader's silence is counted from the day they took the case (R8).
        case.leader_since = clock.today() if case.leader_id else None
        case.leader_last_activity_on = None
        case.possibly_nominal = False
        fields += ["leader_since", "leader_last_activity_on", "possibly_nominal"]
    if case.team_since is None and not missing_roles(case):
        case.team_since = clock.today()
        fields.append("team_since")
    _save(case, fields)
    _audit(actor, "case.team", case, "调整专班", before, after)
    newcomers = [p for role, p in members.items() if p is not None and before[role] != p.pk]
    notify(newcomers, case, NotificationKind.TEAM, f"您已列入案件{case.ledger_no}的化解专班。")
    if not missing_roles(case) and case.status == CaseStatus.ALLOCATED:
        _move(actor, case, Event.TEAM_COMPLETE, "专班配齐，进入化解")
    elif missing_roles(case) and case.status == CaseStatus.IN_RESOLUTION:
        _move(actor, case, Event.TEAM_INCOMPLETE, f"专班缺少{'、'.join(missing_roles(case))}")
    return case
