"""The shapes of the case API (R3–R15): what clients send (pydantic, checked before any
service runs: a malformed date or an unknown choice is 422) and what they get back.

Petitioners' ID-card and phone numbers always leave the API masked; the full numbers are
only in the answer of the audited reveal endpoint (`PetitionerRevealedOut`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from huajie.accounts.policy import Action, can
from huajie.cases import services
from huajie.cases.eligibility import missing_roles
from huajie.cases.identity import mask_id_number, mask_phone
from huajie.cases.models import (
    AcceptanceRequest,
    ActivityKind,
    Attachment,
    CaseStatus,
    EscalationRequest,
    Guidance,
    LeaderActivity,
    Measure,
    MeasureKind,
    Notification,
    Origin,
    OriginalCase,
    PetitionCase,
    Petitioner,
    PetitionType,
    RiskLevel,
    Stage,
    Visit,
    VisitLevel,
)
from huajie.cases.selectors import CaseFilters, case_actions
from huajie.courts.models import Court, Person

MAX_PAGE = 200
# Beyond any real ledger, and inside every database's integer range: a larger OFFSET was a
# 500 (SQLite: "datatype mismatch"; PostgreSQL: bigint out of range), found by the fuzzer.
MAX_OFFSET = 1_000_000_000
# A row id as the databases store it (64-bit). In a list (`pk__in`) a larger one was a 500 on
# SQLite ("Python int too large to convert to SQLite INTEGER").
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]

# --- references --------------------------------------------------------------------------


class CourtRef(Schema):
    id: int
    short_name: str


class PersonRef(Schema):
    id: int
    name: str


def _person(person: Person | None) -> PersonRef | None:
    return PersonRef(id=person.pk, name=person.name) if person is not None else None


def _court(court: Court | None) -> CourtRef | None:
    return CourtRef(id=court.pk, short_name=court.short_name) if court is not None else None


def _account_name(user: Any) -> str:
    return user.display_name if user is not None else "系统"


# --- input -------------------------------------------------------------------------------


class PetitionerIn(Schema):
    name: str = Field(..., max_length=64, description="姓名")
    id_number: str = Field("", max_length=32, description="身份证号（可空）")
    phone: str = Field("", max_length=32)
    domicile: str = Field("", max_length=128, description="户籍地")
    residence: str = Field("", max_length=128, description="实际居住地")

    def to_input(self) -> services.PetitionerInput:
        return services.PetitionerInput(**self.dict())


class VisitBaseIn(Schema):
    visited_on: dt.date
    level: VisitLevel
    receiving_body: str = Field("", max_length=128)
    summary: str = Field("", max_length=255)

    def to_input(self) -> services.VisitInput:
        return services.VisitInput(
            visited_on=self.visited_on,
            level=self.level,
            receiving_body=self.receiving_body,
            summary=self.summary,
        )


class VisitIn(VisitBaseIn):
    petitioner_id: int | None = Field(None, description="本案信访人编号（可空）")


class OriginalCaseIn(Schema):
    number: str = Field(..., max_length=64, description="案号，如（2017）鲁0102民初1234号")
    trial_judge_name: str = Field("", max_length=64)
    cause: str = Field("", max_length=128, description="案由")
    stage: Stage | None = None

    def to_input(self) -> services.OriginalCaseInput:
        return services.OriginalCaseInput(
            number=self.number,
            trial_judge_name=self.trial_judge_name,
            cause=self.cause,
            stage=self.stage or "",
        )


class CaseCreateIn(Schema):
    campaign_year: int | None = Field(None, description="所属活动年度（默认最近一次活动）")
    petition_type: PetitionType
    petitioners: list[PetitionerIn]
    claims: str = ""
    risk_level: RiskLevel = RiskLevel.NORMAL
    extreme_tendency: bool = False
    is_major: bool = False
    remarks: str = ""
    ledger_no: str = Field("", max_length=32, description="台账编号（空则自动编号）")
    source_stage: Stage | None = None
    original_cases: list[OriginalCaseIn] = []
    visits: list[VisitBaseIn] = []

    def to_input(self) -> services.CaseInput:
        return services.CaseInput(
            petition_type=self.petition_type,
            petitioners=[p.to_input() for p in self.petitioners],
            claims=self.claims,
            risk_level=self.risk_level,
            extreme_tendency=self.extreme_tendency,
            is_major=self.is_major,
            remarks=self.remarks,
            ledger_no=self.ledger_no,
            source_stage=self.source_stage or "",
            original_cases=[o.to_input() for o in self.original_cases],
            visits=[v.to_input() for v in self.visits],
        )


class NewPetitionIn(CaseCreateIn):
    owner_id: int = Field(..., description="首接负责人（院长、院领导或庭长）的人员编号")
    received_on: dt.date = Field(..., description="首次接访日期")


class CaseRecordPatch(Schema):
    """Only the fields sent are changed; null is not a value for any of them."""

    petition_type: PetitionType | None = None
    claims: str | None = None
    risk_level: RiskLevel | None = None
    extreme_tendency: bool | None = None
    is_major: bool | None = None
    remarks: str | None = None
    source_stage: Stage | Literal[""] | None = None


class FlagIn(Schema):
    flawed: bool = Field(..., description="是否错案/瑕疵案")
    note: str = Field("", max_length=255)


class SourceIn(Schema):
    stage: Stage
    judge_id: int | None = Field(None, description="引发信访的承办法官的人员编号")


class AllocateIn(Schema):
    court_id: int | None = Field(None, description="人工指定的责任法院；空则按规则交办")
    reason: str = Field("", max_length=255)


class CarryOverIn(Schema):
    target_year: int | None = Field(None, description="结转到的年度（默认下一年）")


class TeamIn(Schema):
    """Any of the four places, as person ids; a place sent as null is emptied."""

    leader: int | None = None
    division_leader: int | None = None
    staff: int | None = None
    petition_contact: int | None = None


class ClassificationIn(Schema):
    solve: bool = False
    educate: bool = False
    aid: bool = False
    lawful: bool = False


class ParticipantIn(Schema):
    name: str
    identity: str = Field(..., description="、".join(services.PARTICIPANT_IDENTITIES))


class MeasureIn(Schema):
    kind: MeasureKind
    taken_on: dt.date
    summary: str
    participants: list[ParticipantIn] = []
    aid_amount: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    retrial_case_number: str = Field("", max_length=64)
    retrial_outcome: str = Field("", max_length=255)

    def to_input(self) -> services.MeasureInput:
        return services.MeasureInput(
            kind=self.kind,
            taken_on=self.taken_on,
            summary=self.summary,
            participants=[p.dict() for p in self.participants],
            aid_amount=self.aid_amount,
            retrial_case_number=self.retrial_case_number,
            retrial_outcome=self.retrial_outcome,
        )


class ActivityIn(Schema):
    happened_on: dt.date
    kind: ActivityKind
    summary: str


class WrittenPromiseIn(Schema):
    promise_on: dt.date
    attachment_id: int = Field(..., description="本案用途为“书面承诺书”的附件编号")


class OralPromiseIn(Schema):
    promise_on: dt.date


class TerminationIn(Schema):
    step: Literal["review", "filing", "handover"]
    done_on: dt.date
    department: str = Field("", max_length=128, description="接收稳控责任的部门（移交时必填）")


class AcceptanceSubmitIn(Schema):
    note: str = ""
    evidence_ids: list[RowId] = Field([], description="本案附件编号，作为验收材料")


class AcceptanceDecisionIn(Schema):
    accept: bool
    reason: str = Field("", description="退回时必填")


class ReasonIn(Schema):
    reason: str


class EscalationDecisionIn(Schema):
    approve: bool
    note: str = Field("", description="不同意时必填")


class GuidanceIn(Schema):
    text: str


class CaseFilterQuery(Schema):
    court: RowId | None = Field(None, description="法院编号")
    with_subordinates: bool = Field(True, description="含下级法院")
    status: CaseStatus | None = None
    origin: Origin | None = None
    petition_type: PetitionType | None = None
    leader: RowId | None = Field(None, description="包案领导的人员编号")
    risk_level: RiskLevel | None = None
    is_major: bool | None = None
    reopened: bool | None = Field(None, description="曾重新信访")
    possibly_nominal: bool | None = Field(None, description="疑似挂名包案")
    q: str = Field("", description="信访人姓名、身份证号后几位、台账编号或原审案号")
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def filters(self) -> CaseFilters:
        return CaseFilters(
            court_id=self.court,
            with_subordinates=self.with_subordinates,
            status=self.status,
            origin=self.origin,
            petition_type=self.petition_type,
            leader_id=self.leader,
            risk_level=self.risk_level,
            is_major=self.is_major,
            reopened=self.reopened,
            possibly_nominal=self.possibly_nominal,
            q=self.q,
        )


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


# --- output: parts of a case -------------------------------------------------------------


class PetitionerOut(Schema):
    """A petitioner with ID-card and phone numbers masked."""

    id: int
    name: str
    id_number: str
    phone: str
    domicile: str
    residence: str

    @staticmethod
    def resolve_id_number(obj: Petitioner) -> str:
        return mask_id_number(obj.id_number or "")

    @staticmethod
    def resolve_phone(obj: Petitioner) -> str:
        return mask_phone(obj.phone or "")


class PetitionerRevealedOut(Schema):
    id: int
    name: str
    id_number: str | None
    phone: str


class DuplicateOut(PetitionerOut):
    case_ids: list[int] = Field(..., description="您可见的、涉及此信访人的案件")

    @staticmethod
    def resolve_case_ids(obj: Any) -> list[int]:
        return [case.pk for case in obj.visible_cases]


class VisitOut(Schema):
    id: int
    petitioner_id: int | None
    visited_on: dt.date
    level: str
    level_label: str
    receiving_body: str
    summary: str
    reopened_case: bool

    @staticmethod
    def resolve_level_label(obj: Visit) -> str:
        return obj.get_level_display()


class OriginalCaseOut(Schema):
    id: int
    number: str
    year: int
    court: CourtRef | None
    trial_judge_name: str
    trial_judge: PersonRef | None
    cause: str
    stage: str
    is_flawed: bool
    flaw_note: str

    @staticmethod
    def resolve_court(obj: OriginalCase) -> CourtRef | None:
        return _court(obj.court)

    @staticmethod
    def resolve_trial_judge(obj: OriginalCase) -> PersonRef | None:
        return _person(obj.trial_judge)


class ParticipantOut(Schema):
    name: str
    identity: str


class MeasureOut(Schema):
    id: int
    kind: str
    kind_label: str
    taken_on: dt.date
    summary: str
    participants: list[ParticipantOut]
    aid_amount: Decimal | None
    retrial_case_number: str
    retrial_outcome: str

    @staticmethod
    def resolve_kind_label(obj: Measure) -> str:
        return obj.get_kind_display()


class LeaderActivityOut(Schema):
    id: int
    leader: PersonRef
    happened_on: dt.date
    kind: str
    kind_label: str
    summary: str

    @staticmethod
    def resolve_leader(obj: LeaderActivity) -> PersonRef | None:
        return _person(obj.leader)

    @staticmethod
    def resolve_kind_label(obj: LeaderActivity) -> str:
        return obj.get_kind_display()


class AttachmentOut(Schema):
    id: int
    purpose: str
    purpose_label: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime

    @staticmethod
    def resolve_purpose_label(obj: Attachment) -> str:
        return obj.get_purpose_display()


class AcceptanceRequestOut(Schema):
    id: int
    case_id: int
    ledger_no: str
    reviewing_court: CourtRef
    submitted_by: str
    submitted_at: dt.datetime
    note: str
    evidence_ids: list[int]
    decision: str
    decision_label: str
    reason: str
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_ledger_no(obj: AcceptanceRequest) -> str:
        return obj.case.ledger_no

    @staticmethod
    def resolve_reviewing_court(obj: AcceptanceRequest) -> CourtRef | None:
        return _court(obj.reviewing_court)

    @staticmethod
    def resolve_submitted_by(obj: AcceptanceRequest) -> str:
        return _account_name(obj.submitted_by)

    @staticmethod
    def resolve_evidence_ids(obj: AcceptanceRequest) -> list[int]:
        return [a.pk for a in obj.evidence.all()]

    @staticmethod
    def resolve_decision_label(obj: AcceptanceRequest) -> str:
        return obj.get_decision_display()


class EscalationOut(Schema):
    id: int
    case_id: int
    ledger_no: str
    from_court: CourtRef
    to_court: CourtRef
    requested_by: str
    requested_at: dt.datetime
    reason: str
    decision: str
    decision_label: str
    decision_note: str
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_ledger_no(obj: EscalationRequest) -> str:
        return obj.case.ledger_no

    @staticmethod
    def resolve_from_court(obj: EscalationRequest) -> CourtRef | None:
        return _court(obj.from_court)

    @staticmethod
    def resolve_to_court(obj: EscalationRequest) -> CourtRef | None:
        return _court(obj.to_court)

    @staticmethod
    def resolve_requested_by(obj: EscalationRequest) -> str:
        return _account_name(obj.requested_by)

    @staticmethod
    def resolve_decision_label(obj: EscalationRequest) -> str:
        return obj.get_decision_display()


class GuidanceOut(Schema):
    id: int
    court: CourtRef
    author: str
    text: str
    created_at: dt.datetime

    @staticmethod
    def resolve_court(obj: Guidance) -> CourtRef | None:
        return _court(obj.court)

    @staticmethod
    def resolve_author(obj: Guidance) -> str:
        return _account_name(obj.author)


class EventStateOut(Schema):
    event: str
    label: str
    allowed: bool
    reason: str | None


class ActionStateOut(Schema):
    action: str
    label: str
    permitted: bool = Field(..., description="按角色和可见范围是否可以执行")
    events: list[EventStateOut] = Field(..., description="该操作引起的状态变化在当前状态是否允许")


class TeamOut(Schema):
    leader: PersonRef | None
    division_leader: PersonRef | None
    staff: PersonRef | None
    petition_contact: PersonRef | None


# --- output: a case ----------------------------------------------------------------------


class CaseRowOut(Schema):
    """A case as one row of the list."""

    id: int
    ledger_no: str
    campaign_year: int
    origin: str
    petition_type: str
    status: str
    status_label: str
    court: CourtRef
    leader: PersonRef | None
    petitioner_names: list[str]
    risk_level: str
    extreme_tendency: bool
    is_major: bool
    reopen_count: int
    return_count: int
    possibly_nominal: bool
    updated_at: dt.datetime

    @staticmethod
    def resolve_campaign_year(obj: PetitionCase) -> int:
        return obj.campaign.year

    @staticmethod
    def resolve_status_label(obj: PetitionCase) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_court(obj: PetitionCase) -> CourtRef | None:
        return _court(obj.court)

    @staticmethod
    def resolve_leader(obj: PetitionCase) -> PersonRef | None:
        return _person(obj.leader)

    @staticmethod
    def resolve_petitioner_names(obj: PetitionCase) -> list[str]:
        return [p.name for p in obj.petitioners.all()]


class CasePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CaseRowOut]


class CaseDetailOut(CaseRowOut):
    """A case with everything recorded about it, and what the requesting user may do."""

    claims: str
    remarks: str
    allocation_rule: str
    allocation_reason: str
    allocated_at: dt.datetime | None
    team: TeamOut
    missing_roles: list[str]
    team_since: dt.date | None
    classifications: list[str]
    source_stage: str
    source_judge: PersonRef | None
    first_receipt_owner: PersonRef | None
    received_on: dt.date | None
    resolution_method: str
    promise_on: dt.date | None
    observation_last_day: dt.date | None
    termination_reviewed_on: dt.date | None
    termination_filed_on: dt.date | None
    handover_department: str
    handover_on: dt.date | None
    termination_missing: list[str]
    met_standard_on: dt.date | None
    accepted_on: dt.date | None
    last_returned_reason: str
    leader_last_activity_on: dt.date | None
    version: int
    petitioners: list[PetitionerOut]
    visits: list[VisitOut]
    original_cases: list[OriginalCaseOut]
    measures: list[MeasureOut]
    leader_activities: list[LeaderActivityOut]
    attachments: list[AttachmentOut]
    acceptance_requests: list[AcceptanceRequestOut]
    escalations: list[EscalationOut]
    guidance: list[GuidanceOut]
    may_reveal: bool = Field(..., description="可以查看完整身份证号和电话（查看将被记录）")
    allowed_actions: list[ActionStateOut]

    @staticmethod
    def resolve_team(obj: PetitionCase) -> TeamOut:
        return TeamOut(**{role: _person(person) for role, person in obj.team.items()})

    @staticmethod
    def resolve_missing_roles(obj: PetitionCase) -> list[str]:
        return missing_roles(obj)

    @staticmethod
    def resolve_source_judge(obj: PetitionCase) -> PersonRef | None:
        return _person(obj.source_judge)

    @staticmethod
    def resolve_first_receipt_owner(obj: PetitionCase) -> PersonRef | None:
        return _person(obj.first_receipt_owner)

    @staticmethod
    def resolve_termination_missing(obj: PetitionCase) -> list[str]:
        return services.termination_missing(obj)

    @staticmethod
    def resolve_may_reveal(obj: PetitionCase, context: dict[str, Any] | None) -> bool:
        request = (context or {}).get("request")
        return request is not None and can(request.user, Action.REVEAL_IDENTITY, obj)

    @staticmethod
    def resolve_allowed_actions(
        obj: PetitionCase, context: dict[str, Any] | None
    ) -> list[ActionStateOut]:
        return _action_states(obj, context)


def _action_states(case: PetitionCase, context: dict[str, Any] | None) -> list[ActionStateOut]:
    """The allowed actions for the user of the request being answered (none without one)."""
    request = (context or {}).get("request")
    if request is None:
        return []
    return [
        ActionStateOut(
            action=state.action.value,
            label=state.label,
            permitted=state.permitted,
            events=[
                EventStateOut(
                    event=e.event.value, label=e.label, allowed=e.allowed, reason=e.reason
                )
                for e in state.events
            ],
        )
        for state in case_actions(request.user, case)
    ]


# --- output: the rest --------------------------------------------------------------------


class SuggestionOut(Schema):
    court: CourtRef | None
    rule: str
    rule_label: str
    reason: str


class CampaignAllocationOut(Schema):
    year: int
    allocated: int
    by_rule: dict[str, int] = Field(..., description="按交办依据统计的件数")
    needs_manual: list[str] = Field(..., description="需人工指定责任法院的台账编号")


class CarryOverOut(Schema):
    from_year: int
    to_year: int
    carried: int


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    text: str
    case_id: int | None
    ledger_no: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None

    @staticmethod
    def resolve_kind_label(obj: Notification) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_ledger_no(obj: Notification) -> str | None:
        return obj.case.ledger_no if obj.case is not None else None


class NotificationPage(Schema):
    unread: int
    count: int
    items: list[NotificationOut]
