"""Resolution standards (R9): written promise, oral promise and observation, termination."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from huajie.cases import transitions
from huajie.cases.models import (
    Attachment,
    AttachmentPurpose,
    CaseStatus,
    PetitionCase,
    ResolutionMethod,
)
from huajie.cases.periods import observation_last_day
from huajie.cases.services._base import Actor, _audit, _lock, _move, _save, _snapshot
from huajie.cases.transitions import Event, Refused
from huajie.core import clock


def _check_resolution_date(case: PetitionCase, day: dt.date) -> None:
    if day > clock.today():
        raise Refused("承诺或完成日期不能晚于今天。")


@transaction.atomic
def resolution_written(
    *, actor: Actor, case: PetitionCase, promise_on: dt.date, document: Attachment
) -> PetitionCase:
    """R9.1: a written promise with the signed document attached meets the standard."""
    case = _lock(case)
    if document.case_id != case.pk or document.purpose != AttachmentPurpose.PROMISE:
        raise Refused("请附上本案信访人签字的书面承诺书（用途选“书面承诺书”）。")
    _check_resolution_date(case, promise_on)
    transitions.target(case, Event.WRITTEN_PROMISE)
    case.resolution_method = ResolutionMethod.WRITTEN
    case.promise_on = promise_on
    case.observation_last_day = None
    case.met_standard_on = promise_on
    _move(
        actor,
        case,
        Event.WRITTEN_PROMISE,
        "信访人书面承诺息诉罢访",
        ["resolution_method", "promise_on", "observation_last_day", "met_standard_on"],
    )
    return case


@transaction.atomic
def resolution_oral(*, actor: Actor, case: PetitionCase, promise_on: dt.date) -> PetitionCase:
    """R9.2: an oral promise starts a one-year observation period (see periods.py)."""
    case = _lock(case)
    _check_resolution_date(case, promise_on)
    transitions.target(case, Event.ORAL_PROMISE)
    case.resolution_method = ResolutionMethod.ORAL
    case.promise_on = promise_on
    case.observation_last_day = observation_last_day(promise_on)
    _move(
        actor,
        case,
        Event.ORAL_PROMISE,
        f"信访人口头承诺息诉罢访，观察期至{case.observation_last_day}",
        ["resolution_method", "promise_on", "observation_last_day"],
    )
    return case


TERMINATION_STEPS = {"review": "信访终结审查", "filing": "终结报备", "handover": "移交稳控责任"}


@transaction.atomic
def termination_step(
    *, actor: Actor, case: PetitionCase, step: str, done_on: dt.date, department: str = ""
) -> PetitionCase:
    """R9.3: record one of review, filing, hand-over; all three meet the standard."""
    if step not in TERMINATION_STEPS:
        raise Refused("终结步骤应为：信访终结审查、终结报备、移交稳控责任。")
    case = _lock(case)
    if case.status != CaseStatus.IN_RESOLUTION:
        raise transitions.TransitionRefused(
            f"当前状态为「{case.get_status_display()}」，只有化解中的案件可以办理依法终结。"
        )
    _check_resolution_date(case, done_on)
    if step == "review":
        case.termination_reviewed_on = done_on
        fields = ["termination_reviewed_on"]
    elif step == "filing":
        if case.termination_reviewed_on is None:
            raise Refused("请先完成信访终结审查，再办理报备。")
        case.termination_filed_on = done_on
        fields = ["termination_filed_on"]
    else:
        if not department.strip():
            raise Refused("移交稳控责任须写明接收的部门。")
        case.handover_department, case.handover_on = department.strip(), done_on
        fields = ["handover_department", "handover_on"]
    before = _snapshot(case, fields)
    _save(case, fields)
    _audit(
        actor,
        f"case.termination_{step}",
        case,
        f"依法终结：{TERMINATION_STEPS[step]}完成",
        before,
        _snapshot(case, fields),
    )
    missing = termination_missing(case)
    if not missing:
        case.resolution_method = ResolutionMethod.TERMINATION
        case.met_standard_on = max(
            d
            for d in (case.termination_reviewed_on, case.termination_filed_on, case.handover_on)
            if d
        )
        _move(
            actor,
            case,
            Event.TERMINATION_COMPLETE,
            "依法终结三项均已完成，达到化解标准",
            ["resolution_method", "met_standard_on"],
        )
    return case


def termination_missing(case: PetitionCase) -> list[str]:
    done = {
        "review": case.termination_reviewed_on is not None,
        "filing": case.termination_filed_on is not None,
        "handover": case.handover_on is not None and bool(case.handover_department),
    }
    return [TERMINATION_STEPS[step] for step, ok in done.items() if not ok]
