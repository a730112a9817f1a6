"""Acceptance (R11): submit with evidence; the reviewing court accepts or returns."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from huajie.accounts.models import User
from huajie.cases import transitions
from huajie.cases.models import (
    AcceptanceRequest,
    Attachment,
    AttachmentPurpose,
    Decision,
    NotificationKind,
    PetitionCase,
    ResolutionMethod,
)
from huajie.cases.services._base import _lock, _move, notify
from huajie.cases.transitions import Event, Refused
from huajie.core import clock
from huajie.courts.models import Court


def reviewing_court(case: PetitionCase) -> Court:
    """The superior court reviews; the high court reviews its own cases."""
    return case.court.parent or case.court


@transaction.atomic
def acceptance_submit(
    *, actor: User, case: PetitionCase, note: str, evidence: Sequence[Attachment] = ()
) -> AcceptanceRequest:
    case = _lock(case)
    transitions.target(case, Event.SUBMIT)
    if (
        case.resolution_method == ResolutionMethod.WRITTEN
        and not case.attachments.filter(purpose=AttachmentPurpose.PROMISE).exists()
    ):
        raise Refused("书面承诺方式须附信访人签字的承诺书。")
    foreign = [a for a in evidence if a.case_id != case.pk]
    if foreign:
        raise Refused("验收材料须是本案的附件。")
    request = AcceptanceRequest.objects.create(
        case=case,
        reviewing_court=reviewing_court(case),
        submitted_by=actor,
        submitted_at=clock.now(),
        note=note.strip(),
    )
    request.evidence.set(evidence)
    _move(actor, case, Event.SUBMIT, f"提交{request.reviewing_court.short_name}验收")
    return request


@transaction.atomic
def acceptance_decide(
    *, actor: User, request: AcceptanceRequest, accept: bool, reason: str
) -> AcceptanceRequest:
    case = _lock(request.case)
    request = AcceptanceRequest.objects.select_for_update().get(pk=request.pk)
    if request.decision != Decision.PENDING:
        raise Refused(f"该验收申请已经{request.get_decision_display()}，不能重复审查。")
    if not accept and not reason.strip():
        raise Refused("退回验收申请必须写明理由。")
    request.decision = Decision.ACCEPTED if accept else Decision.RETURNED
    request.decided_by, request.decided_at, request.reason = actor, clock.now(), reason.strip()
    request.save(update_fields=["decision", "decided_by", "decided_at", "reason"])
    if accept:
        case.accepted_on = clock.today()
        _move(
            actor,
            case,
            Event.ACCEPT,
            f"{request.reviewing_court.short_name}验收通过",
            ["accepted_on"],
        )
        notify(
            [case.leader, case.petition_contact],
            case,
            NotificationKind.ACCEPTANCE_DECIDED,
            f"案件{case.ledger_no}已验收通过。",
        )
    else:
        case.return_count += 1
        case.last_returned_reason = reason.strip()[:255]
        case.resolution_method, case.met_standard_on = "", None
        case.promise_on, case.observation_last_day = None, None
        _move(
            actor,
            case,
            Event.RETURN,
            f"验收退回：{reason.strip()[:100]}",
            [
                "return_count",
                "last_returned_reason",
                "resolution_method",
                "met_standard_on",
                "promise_on",
                "observation_last_day",
            ],
        )
        notify(
            [case.leader, case.petition_contact],
            case,
            NotificationKind.RETURNED,
            f"案件{case.ledger_no}验收被退回：{reason.strip()[:100]}",
        )
    return request
