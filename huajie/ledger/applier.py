"""Performing a row's plan through the services, in the order they need: create, allocate,
record changes (before the team when a case stops being major, after it otherwise), team,
original cases, classification, oral promise. Every write is a service call, so every
change is audited with the importing account as its actor.

A service that refuses (`Refused`) becomes a problem on the row's most relevant column; the
caller rolls the whole import back when any row has a problem.
"""

from __future__ import annotations

from collections.abc import Callable

from huajie.cases import services
from huajie.cases.allocation import DomicileIndex
from huajie.cases.models import PetitionCase
from huajie.cases.transitions import Refused
from huajie.courts.models import Person
from huajie.ledger.plan import Importer, RowPlan
from huajie.ledger.planner import Planner


def apply_plan(plan: RowPlan, planner: Planner) -> PetitionCase | None:
    """Do what `plan` says; on a refusal, record it on the plan and stop the row."""
    importer = planner.importer
    case = plan.case
    steps: list[tuple[str, Callable[[PetitionCase | None], PetitionCase | None]]] = [
        ("petitioners", lambda c: _create(plan, importer) if plan.create else c),
        ("court", lambda c: _allocate(plan, importer, c, planner.domiciles)),
    ]
    if plan.record_first:
        steps.append(("is_major", lambda c: _record(plan, importer, c)))
    steps.append(("leader", lambda c: _team(plan, importer, c)))
    if not plan.record_first:
        steps.append(("claims", lambda c: _record(plan, importer, c)))
    steps += [
        ("original_numbers", lambda c: _originals(plan, importer, c)),
        ("classification", lambda c: _classify(plan, importer, c)),
        ("resolution_method", lambda c: _oral(plan, importer, c)),
    ]
    for key, step in steps:
        try:
            case = step(case)
        except Refused as exc:
            planner.problem(plan, key, str(exc).rstrip("。"), "请按提示改正后重新导入")
            return None
    return case


def _create(plan: RowPlan, importer: Importer) -> PetitionCase:
    assert plan.create is not None
    case = services.case_create(
        actor=importer.actor,
        campaign=importer.campaign,
        holding_court=importer.holding_court,
        data=plan.create,
    )
    if not plan.line.ledger_no:
        plan.line.ledger_no, plan.line.generated = case.ledger_no, True
    return case


def _allocate(
    plan: RowPlan, importer: Importer, case: PetitionCase | None, domiciles: DomicileIndex
) -> PetitionCase | None:
    if plan.allocate is None or case is None:
        return case
    court, reason = plan.allocate
    return services.case_allocate(
        actor=importer.actor, case=case, court=court, reason=reason, domiciles=domiciles
    )


def _record(plan: RowPlan, importer: Importer, case: PetitionCase | None) -> PetitionCase | None:
    if not plan.record or case is None:
        return case
    return services.case_update_record(actor=importer.actor, case=case, changes=plan.record)


def _team(plan: RowPlan, importer: Importer, case: PetitionCase | None) -> PetitionCase | None:
    if not plan.team or case is None:
        return case
    members: dict[str, Person | None] = {**plan.team}
    return services.team_assign(actor=importer.actor, case=case, members=members)


def _originals(plan: RowPlan, importer: Importer, case: PetitionCase | None) -> PetitionCase | None:
    if case is None:
        return case
    for data in plan.originals:
        services.original_case_add(actor=importer.actor, case=case, data=data)
    return case


def _classify(plan: RowPlan, importer: Importer, case: PetitionCase | None) -> PetitionCase | None:
    if plan.classify is None or case is None:
        return case
    return services.case_classify(actor=importer.actor, case=case, **plan.classify)


def _oral(plan: RowPlan, importer: Importer, case: PetitionCase | None) -> PetitionCase | None:
    if plan.oral_on is None or case is None:
        return case
    return services.resolution_oral(actor=importer.actor, case=case, promise_on=plan.oral_on)
