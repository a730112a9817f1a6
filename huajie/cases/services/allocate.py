"""Allocation (R4): one case or a whole campaign, by the rules or by hand."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from huajie.cases import transitions
from huajie.cases.allocation import DomicileIndex, Suggestion, suggest
from huajie.cases.eligibility import TEAM_ROLES
from huajie.cases.models import (
    AllocationRule,
    Campaign,
    CaseStatus,
    Decision,
    EscalationRequest,
    NotificationKind,
    PetitionCase,
)
from huajie.cases.services._base import (
    Actor,
    _audit,
    _clear_team,
    _court_contacts,
    _lock,
    _save,
    notify,
)
from huajie.cases.transitions import Event, Refused
from huajie.core import clock
from huajie.courts.models import Court


def _province_of(case: PetitionCase) -> Court:
    return Court.objects.get(path=case.court.root_path())


def allocation_suggest(case: PetitionCase) -> Suggestion:
    return suggest(case, DomicileIndex(_province_of(case)))


@transaction.atomic
def case_allocate(
    *,
    actor: Actor,
    case: PetitionCase,
    court: Court | None = None,
    reason: str = "",
    domiciles: DomicileIndex | None = None,
) -> PetitionCase:
    """Allocate by the rules, or to `court` by hand with a written reason."""
    case = _lock(case)
    transitions.target(case, Event.ALLOCATE)  # refuse early, with the status's reason
    if court is None:
        suggestion = suggest(case, domiciles or DomicileIndex(_province_of(case)))
        if suggestion.court is None:
            raise Refused(f"{suggestion.reason}：请选择责任法院并写明理由。")
    else:
        if not reason.strip():
            raise Refused("人工指定责任法院必须写明理由。")
        if court.root_path() != case.court.root_path():
            raise Refused("责任法院必须在本省范围内。")
        suggestion = Suggestion(court, AllocationRule.MANUAL, reason.strip())
    target_court = suggestion.court
    assert target_court is not None
    before = {"court": case.court.short_name, "rule": case.allocation_rule}
    moved = target_court.pk != case.court_id
    case.court = target_court
    case.allocation_rule = suggestion.rule
    case.allocation_reason = suggestion.reason[:255]
    case.allocated_at = clock.now()
    fields = ["court", "allocation_rule", "allocation_reason", "allocated_at"]
    if moved and case.status == CaseStatus.ALLOCATED:
        _clear_team(case)
        fields += [*list(TEAM_ROLES), "team_since", "leader_since"]
    if moved:
        # An escalation asked of the old court's superior no longer applies.
        EscalationRequest.objects.filter(case=case, decision=Decision.PENDING).update(
            decision=Decision.RETURNED,
            decided_at=clock.now(),
            decision_note=f"案件已重新交办至{target_court.short_name}",
        )
    before_status = case.status
    transitions.apply(case, Event.ALLOCATE)
    _save(case, [*fields, "status"])
    _audit(
        actor,
        "case.allocate",
        case,
        f"交办至{target_court.short_name}（{suggestion.rule.label}）",
        {**before, "status": before_status},
        {
            "court": target_court.short_name,
            "rule": suggestion.rule,
            "reason": suggestion.reason,
            "status": case.status,
        },
    )
    notify(
        _court_contacts(target_court),
        case,
        NotificationKind.ASSIGNED,
        f"新交办案件{case.ledger_no}：{suggestion.reason}",
    )
    return case


@dataclass
class CampaignAllocation:
    by_rule: dict[str, int] = field(default_factory=dict)
    needs_manual: list[str] = field(default_factory=list)


@transaction.atomic
def campaign_allocate(*, actor: Actor, campaign: Campaign, province: Court) -> CampaignAllocation:
    """Allocate every unallocated case of the campaign in one step (R4)."""
    domiciles = DomicileIndex(province)
    result = CampaignAllocation()
    cases = (
        PetitionCase.objects.filter(
            campaign=campaign, status=CaseStatus.UNALLOCATED, court__path__startswith=province.path
        )
        .select_related("court")
        .prefetch_related("original_cases__court", "petitioners")
        .order_by("pk")
    )
    for case in cases:
        suggestion = suggest(case, domiciles)
        if suggestion.court is None:
            result.needs_manual.append(case.ledger_no)
            continue
        case_allocate(actor=actor, case=case, domiciles=domiciles)
        result.by_rule[suggestion.rule] = result.by_rule.get(suggestion.rule, 0) + 1
    return result
