"""The one table of case status transitions (R6, R9, R10, R11, R12).

Every status change in the system is `apply(case, event)`: the table says which events are
allowed from which status and where they lead. Anything not in the table is refused with a
Chinese message that says what the case is waiting for.
"""

from __future__ import annotations

from enum import StrEnum

from huajie.cases.models import CaseStatus, PetitionCase

S = CaseStatus


class Event(StrEnum):
    ALLOCATE = "allocate"  # 交办 to a court
    TEAM_COMPLETE = "team_complete"  # all four team members set (R6)
    TEAM_INCOMPLETE = "team_incomplete"  # a member removed
    WRITTEN_PROMISE = "written_promise"  # R9.1
    ORAL_PROMISE = "oral_promise"  # R9.2: observation starts
    OBSERVATION_PASSED = "observation_passed"  # R9.2: a year without a visit
    VISIT_IN_OBSERVATION = "visit_in_observation"  # R9.2: back to resolution
    TERMINATION_COMPLETE = "termination_complete"  # R9.3: review, filing, hand-over
    SUBMIT = "submit"  # R11
    ACCEPT = "accept"
    RETURN = "return"
    REPETITION = "repetition"  # R10: a Beijing/province visit after the standard was met
    ESCALATE = "escalate"  # R12: moves to the superior court, needs a new team


ESCALATABLE = (S.UNALLOCATED, S.ALLOCATED, S.IN_RESOLUTION, S.OBSERVATION)

TRANSITIONS: dict[tuple[CaseStatus, Event], CaseStatus] = {
    (S.UNALLOCATED, Event.ALLOCATE): S.ALLOCATED,
    (S.ALLOCATED, Event.ALLOCATE): S.ALLOCATED,  # re-allocation before work starts
    (S.ALLOCATED, Event.TEAM_COMPLETE): S.IN_RESOLUTION,
    (S.IN_RESOLUTION, Event.TEAM_INCOMPLETE): S.ALLOCATED,
    (S.IN_RESOLUTION, Event.WRITTEN_PROMISE): S.MET_STANDARD,
    (S.IN_RESOLUTION, Event.ORAL_PROMISE): S.OBSERVATION,
    (S.IN_RESOLUTION, Event.TERMINATION_COMPLETE): S.MET_STANDARD,
    (S.OBSERVATION, Event.OBSERVATION_PASSED): S.MET_STANDARD,
    (S.OBSERVATION, Event.VISIT_IN_OBSERVATION): S.IN_RESOLUTION,
    (S.OBSERVATION, Event.WRITTEN_PROMISE): S.MET_STANDARD,  # a written promise ends waiting
    (S.MET_STANDARD, Event.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, Event.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, Event.RETURN): S.IN_RESOLUTION,
    (S.MET_STANDARD, Event.REPETITION): S.IN_RESOLUTION,
    (S.SUBMITTED, Event.REPETITION): S.IN_RESOLUTION,
    (S.ACCEPTED, Event.REPETITION): S.IN_RESOLUTION,
    **{(status, Event.ESCALATE): S.ALLOCATED for status in ESCALATABLE},
}

# What a case in each status is waiting for, to explain a refusal.
WAITING_FOR: dict[CaseStatus, str] = {
    S.UNALLOCATED: "案件尚未交办到责任法院",
    S.ALLOCATED: "专班尚未配齐（包案领导、庭领导、工作人员、信访联系人）",
    S.IN_RESOLUTION: "案件正在化解中，尚未达到化解标准",
    S.OBSERVATION: "案件在口头承诺后的观察期内",
    S.MET_STANDARD: "案件已达化解标准，等待提交验收",
    S.SUBMITTED: "案件已提交验收，等待上级法院审查",
    S.ACCEPTED: "案件已验收通过",
}

EVENT_NAMES: dict[Event, str] = {
    Event.ALLOCATE: "交办",
    Event.TEAM_COMPLETE: "进入化解",
    Event.TEAM_INCOMPLETE: "退回待组建专班",
    Event.WRITTEN_PROMISE: "登记书面承诺",
    Event.ORAL_PROMISE: "登记口头承诺",
    Event.OBSERVATION_PASSED: "观察期届满",
    Event.VISIT_IN_OBSERVATION: "观察期内再次信访",
    Event.TERMINATION_COMPLETE: "依法终结",
    Event.SUBMIT: "提交验收",
    Event.ACCEPT: "验收通过",
    Event.RETURN: "验收退回",
    Event.REPETITION: "重新信访",
    Event.ESCALATE: "提级办理",
}


class Refused(Exception):
    """A domain rule refuses the action; str() is the Chinese reason and what to do."""


class TransitionRefused(Refused):
    """A status change the table does not allow."""


def target(case: PetitionCase, event: Event) -> CaseStatus:
    status = CaseStatus(case.status)
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise TransitionRefused(
            f"当前状态为「{status.label}」，不能{EVENT_NAMES[event]}：{WAITING_FOR[status]}。"
        ) from None


def allowed(case: PetitionCase, event: Event) -> bool:
    return (CaseStatus(case.status), event) in TRANSITIONS


def apply(case: PetitionCase, event: Event) -> tuple[CaseStatus, CaseStatus]:
    """Move `case` along the table (in memory); returns (before, after). Services save."""
    before = CaseStatus(case.status)
    after = target(case, event)
    case.status = after
    return before, after
