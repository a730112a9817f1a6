"""The supervision writes: exemplary cases (R21) and the one-vote veto (R16).

Like the ledger's services: keyword-only, one transaction, the row locked, an audit event with
before and after; who may call them is the policy's business, asked by the views.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from huajie.accounts.models import User
from huajie.audit.services import audit_record
from huajie.cases.models import Campaign, CaseStatus, PetitionCase
from huajie.cases.transitions import Refused
from huajie.core import clock
from huajie.courts.models import Court
from huajie.supervision.models import CourtVeto

EXEMPLARY_VERB = "case.exemplary"


@transaction.atomic
def case_mark_exemplary(
    *, actor: User, case: PetitionCase, exemplary: bool, note: str = ""
) -> PetitionCase:
    """R21: mark a resolved case as an example worth learning from, with what to learn
    (the note goes into the audit trail and the bulletin), or take the mark away."""
    case = PetitionCase.objects.select_for_update().get(pk=case.pk)
    if exemplary and case.status != CaseStatus.ACCEPTED:
        raise Refused(
            f"只有已验收的案件可以评为先进典型；该案当前状态为「{case.get_status_display()}」。"
        )
    if exemplary and not note.strip():
        raise Refused("请写明典型事迹（化解经验），以便通报推广。")
    if case.is_exemplary == exemplary:
        raise Refused("该案已是先进典型。" if exemplary else "该案不是先进典型。")
    PetitionCase.objects.filter(pk=case.pk).update(
        is_exemplary=exemplary, version=F("version") + 1, updated_at=clock.now()
    )
    audit_record(
        actor=actor,
        verb=EXEMPLARY_VERB,
        obj=case,
        court_id=case.court_id,
        case_id=case.pk,
        summary=("评为先进典型：" if exemplary else "取消先进典型：") + note.strip()[:100],
        before={"is_exemplary": case.is_exemplary},
        after={"is_exemplary": exemplary, "note": note.strip()},
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def veto_set(*, actor: User, campaign: Campaign, court: Court, reason: str) -> CourtVeto:
    """R16: 一票否决 for poor work or falsified data, with the reason in writing."""
    if not reason.strip():
        raise Refused("实行一票否决必须写明理由。")
    Court.objects.select_for_update().filter(pk=court.pk).first()
    if CourtVeto.objects.filter(campaign=campaign, court=court, lifted_at__isnull=True).exists():
        raise Refused(f"{court.short_name}已被一票否决，不能重复决定。")
    veto = CourtVeto.objects.create(
        campaign=campaign, court=court, reason=reason.strip(), set_by=actor, set_at=clock.now()
    )
    audit_record(
        actor=actor,
        verb="assessment.veto",
        obj=veto,
        court_id=court.pk,
        summary=f"{court.short_name}一票否决：{reason.strip()[:100]}",
        after={"campaign": campaign.year, "court": court.pk, "reason": reason.strip()},
    )
    return veto


@transaction.atomic
def veto_lift(*, actor: User, veto: CourtVeto, reason: str) -> CourtVeto:
    if not reason.strip():
        raise Refused("撤销一票否决必须写明理由。")
    veto = CourtVeto.objects.select_for_update().select_related("court").get(pk=veto.pk)
    if veto.lifted_at is not None:
        raise Refused("该一票否决已经撤销。")
    veto.lifted_by, veto.lifted_at, veto.lift_reason = actor, clock.now(), reason.strip()
    veto.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    audit_record(
        actor=actor,
        verb="assessment.veto_lift",
        obj=veto,
        court_id=veto.court_id,
        summary=f"撤销{veto.court.short_name}一票否决：{reason.strip()[:100]}",
        before={"active": True},
        after={"active": False, "reason": reason.strip()},
    )
    return veto
