"""Case records (R3, R15): petitioners, entering a case, original cases, descriptive
fields; visits, and the re-petition that reopens a case (R9.2, R10)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from huajie.cases import search
from huajie.cases.casenumber import CaseNumber, CaseNumberError, parse_case_number
from huajie.cases.identity import IdNumberError, normalize_id_number
from huajie.cases.models import (
    AcceptanceRequest,
    Campaign,
    CaseStatus,
    Decision,
    NotificationKind,
    Origin,
    OriginalCase,
    PetitionCase,
    Petitioner,
    PetitionType,
    ResolutionMethod,
    RiskLevel,
    Stage,
    Visit,
    VisitLevel,
)
from huajie.cases.services._base import (
    Actor,
    _audit,
    _lock,
    _move,
    _pass_observation,
    _save,
    _snapshot,
    notify,
)
from huajie.cases.transitions import Event, Refused
from huajie.core import clock
from huajie.courts.models import Court, Person


@dataclass(frozen=True)
class PetitionerInput:
    name: str
    id_number: str = ""
    phone: str = ""
    domicile: str = ""
    residence: str = ""


def petitioner_upsert(*, data: PetitionerInput) -> Petitioner:
    """The petitioner with this ID number (updated with what is new), or a new one.

    Without an ID number a new record is made; `selectors.petitioner_duplicates` then
    suggests likely duplicates for a person to merge. Nothing is merged silently."""
    name = data.name.strip()
    if not name:
        raise Refused("信访人姓名不能为空。")
    id_number = None
    if data.id_number.strip():
        try:
            id_number = normalize_id_number(data.id_number)
        except IdNumberError as exc:
            raise Refused(f"信访人{name}的身份证号有误：{exc}") from exc
    if id_number:
        existing = Petitioner.objects.filter(id_number=id_number).first()
        if existing is not None:
            if existing.name != name:
                raise Refused(
                    f"身份证号{id_number[:6]}…{id_number[-4:]}已登记为“{existing.name}”，"
                    f"与“{name}”不符，请核对。"
                )
            changed = [
                attr
                for attr in ("phone", "domicile", "residence")
                if getattr(data, attr) and getattr(data, attr) != getattr(existing, attr)
            ]
            for attr in changed:
                setattr(existing, attr, getattr(data, attr))
            if changed:
                existing.save(update_fields=changed)
            return existing
    return Petitioner.objects.create(
        name=name,
        id_number=id_number,
        phone=data.phone.strip(),
        domicile=data.domicile.strip(),
        residence=data.residence.strip(),
    )


def _next_ledger_no(campaign: Campaign, prefix: str) -> str:
    taken = PetitionCase.objects.filter(
        campaign=campaign, ledger_no__startswith=f"{prefix}-"
    ).count()
    number = taken + 1
    while PetitionCase.objects.filter(
        campaign=campaign, ledger_no=f"{prefix}-{number:04d}"
    ).exists():
        number += 1
    return f"{prefix}-{number:04d}"


@dataclass(frozen=True)
class VisitInput:
    visited_on: dt.date
    level: VisitLevel
    receiving_body: str = ""
    summary: str = ""


@dataclass(frozen=True)
class OriginalCaseInput:
    number: str
    trial_judge_name: str = ""
    cause: str = ""
    stage: str = ""


@dataclass
class CaseInput:
    petition_type: PetitionType
    petitioners: list[PetitionerInput]
    claims: str = ""
    risk_level: RiskLevel = RiskLevel.NORMAL
    extreme_tendency: bool = False
    is_major: bool = False
    remarks: str = ""
    ledger_no: str = ""
    source_stage: str = ""
    original_cases: list[OriginalCaseInput] = field(default_factory=list)
    visits: list[VisitInput] = field(default_factory=list)


def new_case_fields(
    campaign: Campaign, ledger_no: str, origin: Origin, holding_court: Court, data: CaseInput
) -> dict[str, Any]:
    """The fields of a case just entered (also the ledger import's bulk replay)."""
    return {
        "campaign": campaign,
        "first_campaign": campaign,
        "ledger_no": ledger_no,
        "origin": origin,
        "petition_type": data.petition_type,
        "claims": data.claims,
        "risk_level": data.risk_level,
        "extreme_tendency": data.extreme_tendency,
        "is_major": data.is_major,
        "remarks": data.remarks,
        "source_stage": data.source_stage,
        "court": holding_court,
        "status": CaseStatus.UNALLOCATED,
    }


def _insert_case(
    campaign: Campaign, ledger_no: str, origin: Origin, holding_court: Court, data: CaseInput
) -> PetitionCase:
    return PetitionCase.objects.create(
        **new_case_fields(campaign, ledger_no, origin, holding_court, data)
    )


@transaction.atomic
def case_create(
    *,
    actor: Actor,
    campaign: Campaign,
    holding_court: Court,
    data: CaseInput,
    origin: Origin = Origin.STOCK,
) -> PetitionCase:
    """Enter a case into the ledger, held by `holding_court` until it is allocated."""
    if not data.petitioners:
        raise Refused("至少需要一名信访人。")
    ledger_no = data.ledger_no.strip() or _next_ledger_no(
        campaign, f"{campaign.year}{'X' if origin == Origin.NEW else ''}"
    )
    if PetitionCase.objects.filter(campaign=campaign, ledger_no=ledger_no).exists():
        raise Refused(f"台账编号{ledger_no}在{campaign.year}年活动中已存在。")
    try:
        # A savepoint: another writer may take the same number between our check and insert.
        with transaction.atomic():
            case = _insert_case(campaign, ledger_no, origin, holding_court, data)
    except IntegrityError:
        raise Refused(f"台账编号{ledger_no}刚被占用，请重新提交。") from None
    case.petitioners.set([petitioner_upsert(data=p) for p in data.petitioners])
    for original in data.original_cases:
        _original_case_add(case, original)
    search.refresh(case)
    for visit in data.visits:
        Visit.objects.create(
            case=case,
            visited_on=visit.visited_on,
            level=visit.level,
            receiving_body=visit.receiving_body,
            summary=visit.summary,
            recorded_by=actor,
        )
    _audit(
        actor,
        "case.create",
        case,
        f"登记案件{ledger_no}",
        None,
        {"ledger_no": ledger_no, "court": holding_court.short_name, "origin": origin},
    )
    return case


STAGE_OF_NUMBER = {"立案": Stage.FILING, "审判": Stage.TRIAL, "执行": Stage.ENFORCEMENT}


def parse_original_number(text: str) -> CaseNumber:
    try:
        return parse_case_number(text)
    except CaseNumberError as exc:
        raise Refused(f"原审案号“{text}”有误：{exc}") from exc


def original_case_fields(
    number: CaseNumber, data: OriginalCaseInput, court: Court | None
) -> dict[str, Any]:
    """An original case's fields but its judge (also the ledger import's bulk replay)."""
    return {
        "year": number.year,
        "court_code": number.court_code,
        "type_code": number.type_code,
        "serial": number.serial,
        "court": court,
        "trial_judge_name": data.trial_judge_name.strip(),
        "cause": data.cause.strip(),
        "stage": data.stage or STAGE_OF_NUMBER[number.stage],
    }


def _original_case_add(case: PetitionCase, data: OriginalCaseInput) -> OriginalCase:
    number = parse_original_number(data.number)
    court = Court.objects.filter(code=number.court_code).first()
    judge = None
    if court is not None and data.trial_judge_name:
        judge = Person.objects.filter(court=court, name=data.trial_judge_name.strip()).first()
    original, _ = OriginalCase.objects.update_or_create(
        case=case,
        number=str(number),
        defaults={**original_case_fields(number, data, court), "trial_judge": judge},
    )
    return original


@transaction.atomic
def original_case_add(*, actor: Actor, case: PetitionCase, data: OriginalCaseInput) -> OriginalCase:
    case = _lock(case)
    original = _original_case_add(case, data)
    search.refresh(case)
    _audit(
        actor,
        "case.original_case_add",
        case,
        f"登记原审案件{original.number}",
        None,
        {
            "number": original.number,
            "court": original.court_code,
            "judge": original.trial_judge_name,
        },
        obj=original,
    )
    return original


RECORD_FIELDS = (
    "petition_type",
    "claims",
    "risk_level",
    "extreme_tendency",
    "is_major",
    "remarks",
    "source_stage",
)


@transaction.atomic
def case_update_record(
    *, actor: Actor, case: PetitionCase, changes: dict[str, Any]
) -> PetitionCase:
    """Change the descriptive fields of a case (R3, R15)."""
    unknown = set(changes) - set(RECORD_FIELDS)
    if unknown:
        raise Refused(f"不能通过此操作修改：{'、'.join(sorted(unknown))}。")
    case = _lock(case)
    if changes.get("is_major") and case.leader_id and not case.leader.has_position("president"):  # type: ignore[union-attr]
        raise Refused("重大疑难信访案件须由院长亲自包案：请先将包案领导改为院长。")
    changed = {k: v for k, v in changes.items() if getattr(case, k) != v}
    if not changed:
        return case
    before = _snapshot(case, changed)
    for name, value in changed.items():
        setattr(case, name, value)
    case.full_clean(exclude=["petitioners"], validate_unique=False, validate_constraints=False)
    _save(case, changed)
    _audit(actor, "case.update", case, "修改案件信息", before, _snapshot(case, changed))
    return case


@transaction.atomic
def source_judge_set(
    *, actor: Actor, case: PetitionCase, judge: Person | None, stage: Stage
) -> PetitionCase:
    """R15: the stage where the grievance arose and the judge whose case caused it."""
    case = _lock(case)
    before = {"source_stage": case.source_stage, "source_judge": case.source_judge_id}
    case.source_stage, case.source_judge = stage, judge
    _save(case, ["source_stage", "source_judge"])
    _audit(
        actor,
        "case.source",
        case,
        "登记问题环节与责任法官",
        before,
        {"source_stage": stage, "source_judge": judge.pk if judge else None},
    )
    return case


@transaction.atomic
def original_case_flag(
    *, actor: Actor, original: OriginalCase, flawed: bool, note: str
) -> OriginalCase:
    """R15: mark the original judgment wrong or flawed, against its judge."""
    if flawed and not note.strip():
        raise Refused("标记错案/瑕疵案须写明理由。")
    case = _lock(original.case)
    before = {"is_flawed": original.is_flawed, "flaw_note": original.flaw_note}
    original.is_flawed, original.flaw_note = flawed, note.strip()
    original.save(update_fields=["is_flawed", "flaw_note"])
    _audit(
        actor,
        "case.original_case_flag",
        case,
        f"{'标记' if flawed else '取消'}错案/瑕疵案：{original.number}",
        before,
        {"is_flawed": flawed, "flaw_note": note},
        obj=original,
    )
    return original


@transaction.atomic
def visit_record(
    *, actor: Actor, case: PetitionCase, data: VisitInput, petitioner: Petitioner | None = None
) -> Visit:
    """Record a visit. A Beijing/province visit during observation sends the case back to
    resolution; after the standard was met (or acceptance) it reopens the case (R10)."""
    case = _lock(case)
    if data.visited_on > clock.today():
        raise Refused("信访日期不能晚于今天。")
    visit = Visit.objects.create(
        case=case,
        petitioner=petitioner,
        visited_on=data.visited_on,
        level=data.level,
        receiving_body=data.receiving_body,
        summary=data.summary,
        recorded_by=actor,
    )
    _audit(
        actor,
        "case.visit",
        case,
        f"登记{visit.get_level_display()}信访（{data.visited_on}）",
        None,
        {"visited_on": data.visited_on, "level": data.level},
        obj=visit,
    )
    if not visit.counts_upward:
        return visit
    outcome = _visit_outcome(case, data.visited_on)
    if outcome == "back":
        case.resolution_method, case.promise_on, case.observation_last_day = "", None, None
        _move(
            actor,
            case,
            Event.VISIT_IN_OBSERVATION,
            "观察期内再次赴省进京信访，恢复化解",
            ["resolution_method", "promise_on", "observation_last_day"],
        )
    elif outcome == "late_back":
        _reopen(actor, case, counted=False)
    elif outcome == "reopen":
        if case.status == CaseStatus.OBSERVATION:  # the year ran out; today's tick is late
            _pass_observation(actor, case)
        _reopen(actor, case, counted=True)
    if outcome != "none":
        visit.reopened_case = True
        visit.save(update_fields=["reopened_case"])
    return visit


def _visit_outcome(case: PetitionCase, day: dt.date) -> str:
    """What a Beijing/province visit on `day` does to the case, by the visit's date:

    - "back": inside the observation year of an oral promise: the standard was never met.
    - "late_back": the same, entered only after the case was taken to have met it.
    - "reopen": on or after the day the standard was met: a re-petition (R10), counted.
    - "none": before the standard was met (history), or while the case is still open."""
    met_by_oral = case.resolution_method == ResolutionMethod.ORAL
    if case.status == CaseStatus.OBSERVATION:
        if _in_observation_window(case, day):
            return "back"
        last_day = case.observation_last_day
        return "reopen" if last_day is not None and day > last_day else "none"
    if case.status in (CaseStatus.MET_STANDARD, CaseStatus.SUBMITTED, CaseStatus.ACCEPTED):
        if met_by_oral and _in_observation_window(case, day):
            return "late_back"
        if case.met_standard_on is not None and day >= case.met_standard_on:
            return "reopen"
    return "none"


def _in_observation_window(case: PetitionCase, day: dt.date) -> bool:
    return (
        case.promise_on is not None
        and case.observation_last_day is not None
        and case.promise_on <= day <= case.observation_last_day
    )


def _reopen(actor: Actor, case: PetitionCase, *, counted: bool) -> None:
    """Back to resolution after the standard was (taken to be) met. `counted`: a real
    re-petition (R10); otherwise a visit inside the observation year entered late, which
    means the standard was never met."""
    AcceptanceRequest.objects.filter(case=case, decision=Decision.PENDING).update(
        decision=Decision.RETURNED, decided_at=clock.now(), reason="案件因再次信访而重新化解"
    )
    if counted:
        case.reopen_count += 1
    case.met_standard_on = None
    case.accepted_on = None
    case.resolution_method = ""
    case.promise_on, case.observation_last_day = None, None
    _move(
        actor,
        case,
        Event.REPETITION,
        "息诉后再次进京赴省上访，案件重新化解"
        if counted
        else "补录观察期内的赴省进京信访：未达化解标准，恢复化解",
        [
            "reopen_count",
            "met_standard_on",
            "accepted_on",
            "resolution_method",
            "promise_on",
            "observation_last_day",
        ],
    )
    if not counted:
        return
    judges = [o.trial_judge for o in case.original_cases.all() if o.trial_judge is not None]
    notify(
        [case.leader, *judges],
        case,
        NotificationKind.REPETITION,
        f"案件{case.ledger_no}的信访人息诉后再次进京赴省上访，请原审法官和包案领导重新接访处理。",
    )
