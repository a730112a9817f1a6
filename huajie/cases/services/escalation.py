"""Escalation and guidance (R12)."""

from __future__ import annotations

from django.db import transaction

from huajie.accounts.models import User
from huajie.cases import transitions
from huajie.cases.eligibility import TEAM_ROLES
from huajie.cases.models import (
    AllocationRule,
    Decision,
    EscalationRequest,
    Guidance,
    NotificationKind,
    PetitionCase,
)
from huajie.cases.services._base import (
    Actor,
    _audit,
    _clear_team,
    _court_contacts,
    _lock,
    _move,
    notify,
)
from huajie.cases.transitions import Event, Refused
from huajie.core import clock
from huajie.courts.models import Court


@transaction.atomic
def escalation_request(*, actor: User, case: PetitionCase, reason: str) -> EscalationRequest:
    case = _lock(case)
    if case.court.parent is None:
        raise Refused("高级法院的案件没有上级法院可以提级。")
    transitions.target(case, Event.ESCALATE)
    if not reason.strip():
        raise Refused("申请提级办理须写明理由。")
    if EscalationRequest.objects.filter(case=case, decision=Decision.PENDING).exists():
        raise Refused("该案已有待决定的提级申请。")
    request = EscalationRequest.objects.create(
        case=case,
        from_court=case.court,
        to_court=case.court.parent,
        requested_by=actor,
        requested_at=clock.now(),
        reason=reason.strip(),
    )
    _audit(
        actor,
        "case.escalation_request",
        case,
        f"申请{case.court.parent.short_name}提级办理",
        None,
        {"reason": reason},
        obj=request,
    )
    return request


@transaction.atomic
def escalation_decide(
    *, actor: User, request: EscalationRequest, approve: bool, note: str
) -> EscalationRequest:
    case = _lock(request.case)
    request = EscalationRequest.objects.select_for_update().get(pk=request.pk)
    if request.decision != Decision.PENDING:
        raise Refused("该提级申请已经决定。")
    if not approve and not note.strip():
        raise Refused("不同意提级须写明意见。")
    if approve:
        if request.from_court_id != case.court_id or case.court.parent_id != request.to_court_id:
            raise Refused(f"该提级申请已过时：案件现由{case.court.short_name}办理。")
        transitions.target(case, Event.ESCALATE)
    request.decision = Decision.ACCEPTED if approve else Decision.RETURNED
    request.decided_by, request.decided_at, request.decision_note = actor, clock.now(), note
    request.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    if approve:
        _escalate(actor, case, request.to_court, request.reason)
    else:
        _audit(actor, "case.escalation_refused", case, f"不同意提级：{note[:80]}", obj=request)
    return request


@transaction.atomic
def case_take_up(*, actor: User, case: PetitionCase, reason: str) -> PetitionCase:
    """A superior court takes a subordinate's case up on its own decision (R12)."""
    case = _lock(case)
    superior = case.court.parent
    if superior is None:
        raise Refused("高级法院的案件没有上级法院可以提级。")
    if not reason.strip():
        raise Refused("提级办理须写明理由。")
    transitions.target(case, Event.ESCALATE)
    # A pending request from the lower court is answered by this decision, not left behind
    # to move the case a second time later.
    pending = EscalationRequest.objects.filter(case=case, decision=Decision.PENDING).first()
    if pending is not None:
        pending.decision, pending.decided_by, pending.decided_at = (
            Decision.ACCEPTED,
            actor,
            clock.now(),
        )
        pending.decision_note = f"上级法院决定提级办理：{reason.strip()}"
        pending.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    else:
        EscalationRequest.objects.create(
            case=case,
            from_court=case.court,
            to_court=superior,
            requested_by=actor,
            requested_at=clock.now(),
            reason=reason.strip(),
            decision=Decision.ACCEPTED,
            decided_by=actor,
            decided_at=clock.now(),
            decision_note="上级法院决定提级办理",
        )
    _escalate(actor, case, superior, reason)
    return case


def _escalate(actor: Actor, case: PetitionCase, to_court: Court, reason: str) -> None:
    old_team = [case.leader, case.division_leader, case.staff, case.petition_contact]
    before = {"court": case.court.short_name, **{r: getattr(case, f"{r}_id") for r in TEAM_ROLES}}
    case.court = to_court
    case.allocation_rule = AllocationRule.ESCALATED
    case.allocation_reason = f"提级办理：{reason.strip()}"[:255]
    case.allocated_at = clock.now()
    _clear_team(case)
    case.leader_last_activity_on, case.possibly_nominal = None, False
    fields = [
        "court",
        "allocation_rule",
        "allocation_reason",
        "allocated_at",
        *TEAM_ROLES,
        "team_since",
        "leader_since",
        "leader_last_activity_on",
        "possibly_nominal",
        "resolution_method",
        "promise_on",
        "observation_last_day",
    ]
    case.resolution_method, case.promise_on, case.observation_last_day = "", None, None
    _move(actor, case, Event.ESCALATE, f"提级至{to_court.short_name}办理", fields)
    _audit(
        actor,
        "case.escalated",
        case,
        f"原专班解除，由{to_court.short_name}重新组建专班",
        before,
        {"court": to_court.short_name},
    )
    notify(
        old_team,
        case,
        NotificationKind.ESCALATED,
        f"案件{case.ledger_no}已提级至{to_court.short_name}办理。",
    )
    notify(
        _court_contacts(to_court),
        case,
        NotificationKind.ASSIGNED,
        f"提级办理案件{case.ledger_no}，请组建专班。",
    )


@transaction.atomic
def guidance_add(*, actor: User, case: PetitionCase, text: str) -> Guidance:
    court = actor.court
    if court is None or court.pk == case.court_id or not case.court.is_within(court):
        raise Refused("只有上级法院可以对下级法院的案件提出指导意见。")
    if not text.strip():
        raise Refused("请填写指导意见。")
    note = Guidance.objects.create(case=case, court=court, author=actor, text=text.strip())
    _audit(actor, "case.guidance", case, f"{court.short_name}指导意见：{text[:60]}", obj=note)
    notify(
        [case.leader, case.petition_contact],
        case,
        NotificationKind.GUIDANCE,
        f"{court.short_name}对案件{case.ledger_no}提出指导意见。",
    )
    return note
