"""The actions of the case page: one registry, so the page, its permission checks and its
"why not" explanations never drift apart.

Each action names its policy `Action` (who may), a `blocked` check (why not now, in Chinese,
from the case's state) and how to perform it through one service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import QuerySet

from huajie.accounts.models import User
from huajie.accounts.policy import Action, can
from huajie.cases import forms as f
from huajie.cases import services, transitions
from huajie.cases.eligibility import missing_roles
from huajie.cases.models import (
    AttachmentPurpose,
    CaseStatus,
    DecidedRequest,
    Decision,
    PetitionCase,
)
from huajie.cases.transitions import Event, Refused

R = TypeVar("R", bound=DecidedRequest)


@dataclass(frozen=True)
class PageAction:
    name: str
    label: str
    section: str  # where on the case page the form sits
    permission: Action
    form: type[f.CaseForm]
    perform: Callable[[User, PetitionCase, Any], str]  # returns the success message
    blocked: Callable[[PetitionCase], str | None] = lambda case: None
    multipart: bool = False


def _needs(event: Event) -> Callable[[PetitionCase], str | None]:
    """Blocked unless the transitions table allows `event` now; says what is missing."""

    def check(case: PetitionCase) -> str | None:
        if transitions.allowed(case, event):
            return None
        if case.status == CaseStatus.ALLOCATED:
            return f"专班未配齐：缺少{'、'.join(missing_roles(case))}"
        try:
            transitions.target(case, event)
        except transitions.TransitionRefused as exc:
            return str(exc)
        return None

    return check


def _team_blocked(case: PetitionCase) -> str | None:
    if case.status == CaseStatus.UNALLOCATED:
        return "案件尚未交办，不能组建专班"
    if case.status == CaseStatus.SUBMITTED:
        return "案件正在验收中，验收结束前不能调整专班"
    return None


def _work_blocked(case: PetitionCase) -> str | None:
    return "案件尚未交办" if case.status == CaseStatus.UNALLOCATED else None


def _activity_blocked(case: PetitionCase) -> str | None:
    return None if case.leader_id else "尚未确定包案领导"


def _decide_blocked(case: PetitionCase) -> str | None:
    if case.status != CaseStatus.SUBMITTED:
        return "案件没有待审查的验收申请"
    return None


def _escalation_blocked(case: PetitionCase) -> str | None:
    if case.court.parent_id is None:
        return "高级法院的案件没有上级法院可以提级"
    if case.has_pending_escalation:
        return "已有待决定的提级申请"
    return _needs(Event.ESCALATE)(case)


def _escalation_decide_blocked(case: PetitionCase) -> str | None:
    if not case.has_pending_escalation:
        return "没有待决定的提级申请"
    return None


# --- performers (one service each) -----------------------------------------------------


def _allocate(user: User, case: PetitionCase, form: f.AllocateForm) -> str:
    d = form.cleaned_data
    case = services.case_allocate(actor=user, case=case, court=d["court"], reason=d["reason"])
    return f"已交办至{case.court.short_name}（{case.get_allocation_rule_display()}）。"


def _team(user: User, case: PetitionCase, form: f.TeamForm) -> str:
    case = services.team_assign(actor=user, case=case, members=form.members())
    missing = missing_roles(case)
    return (
        "专班已配齐，案件进入化解。" if not missing else f"已保存。专班还缺少{'、'.join(missing)}。"
    )


def _classify(user: User, case: PetitionCase, form: f.ClassifyForm) -> str:
    services.case_classify(actor=user, case=case, **form.cleaned_data)
    return "化解分类已保存。"


def _measure(user: User, case: PetitionCase, form: f.MeasureForm) -> str:
    services.measure_record(actor=user, case=case, data=services.MeasureInput(**form.cleaned_data))
    return "化解措施已登记。"


def _activity(user: User, case: PetitionCase, form: f.ActivityForm) -> str:
    services.leader_activity_record(actor=user, case=case, **form.cleaned_data)
    return "包案领导活动已登记。"


def _visit(user: User, case: PetitionCase, form: f.VisitForm) -> str:
    visit = services.visit_record(
        actor=user, case=case, data=services.VisitInput(**form.cleaned_data)
    )
    return "信访记录已登记，案件重新进入化解。" if visit.reopened_case else "信访记录已登记。"


def _original(user: User, case: PetitionCase, form: f.OriginalCaseForm) -> str:
    services.original_case_add(
        actor=user, case=case, data=services.OriginalCaseInput(**form.cleaned_data)
    )
    return "原审案件已登记。"


def _attachment(user: User, case: PetitionCase, form: f.AttachmentForm) -> str:
    upload = form.cleaned_data["file"]
    services.attachment_add(
        actor=user, case=case, purpose=form.cleaned_data["purpose"], name=upload.name, stream=upload
    )
    return "附件已上传。"


def _written(user: User, case: PetitionCase, form: f.WrittenPromiseForm) -> str:
    upload = form.cleaned_data["document"]
    document = services.attachment_add(
        actor=user, case=case, purpose=AttachmentPurpose.PROMISE, name=upload.name, stream=upload
    )
    services.resolution_written(
        actor=user, case=case, promise_on=form.cleaned_data["promise_on"], document=document
    )
    return "已登记书面承诺，案件达到化解标准，可以提交验收。"


def _oral(user: User, case: PetitionCase, form: f.OralPromiseForm) -> str:
    case = services.resolution_oral(actor=user, case=case, **form.cleaned_data)
    return f"已登记口头承诺，观察期至{case.observation_last_day}。"


def _termination(user: User, case: PetitionCase, form: f.TerminationForm) -> str:
    case = services.termination_step(actor=user, case=case, **form.cleaned_data)
    missing = services.termination_missing(case)
    return (
        "依法终结三项均已完成，达到化解标准。"
        if not missing
        else (f"已登记。依法终结还需：{'、'.join(missing)}。")
    )


def _submit(user: User, case: PetitionCase, form: f.SubmitForm) -> str:
    request = services.acceptance_submit(
        actor=user, case=case, note=form.cleaned_data["note"], evidence=list(case.attachments.all())
    )
    return f"已提交{request.reviewing_court.short_name}验收。"


def _request_to_decide(requests: QuerySet[R]) -> R:
    """The pending request; or, when another user decided it after this page read the case,
    the latest one, which the service then refuses with a clear message (not a 500)."""
    request = requests.filter(decision=Decision.PENDING).first() or requests.order_by("-pk").first()
    if request is None:
        raise Refused("该案件没有待审查的申请，请刷新页面。")
    return request


def _decide(user: User, case: PetitionCase, form: f.DecideForm) -> str:
    request = _request_to_decide(case.acceptance_requests.all())
    accept = form.cleaned_data["decision"] == "accept"
    services.acceptance_decide(
        actor=user, request=request, accept=accept, reason=form.cleaned_data["reason"]
    )
    return "验收通过。" if accept else "已退回，并通知责任法院。"


def _escalation_request(user: User, case: PetitionCase, form: f.ReasonForm) -> str:
    request = services.escalation_request(actor=user, case=case, reason=form.cleaned_data["reason"])
    return f"已申请{request.to_court.short_name}提级办理。"


def _escalation_decide(user: User, case: PetitionCase, form: f.EscalationDecideForm) -> str:
    request = _request_to_decide(case.escalations.all())
    approve = form.cleaned_data["decision"] == "approve"
    services.escalation_decide(
        actor=user, request=request, approve=approve, note=form.cleaned_data["note"]
    )
    return "已同意提级办理，请组建专班。" if approve else "已决定不提级。"


def _take_up(user: User, case: PetitionCase, form: f.ReasonForm) -> str:
    case = services.case_take_up(actor=user, case=case, reason=form.cleaned_data["reason"])
    return f"已提级至{case.court.short_name}办理，请组建专班。"


def _guidance(user: User, case: PetitionCase, form: f.GuidanceForm) -> str:
    services.guidance_add(actor=user, case=case, text=form.cleaned_data["text"])
    return "指导意见已发送。"


ACTIONS: tuple[PageAction, ...] = (
    PageAction(
        "allocate",
        "交办",
        "responsibility",
        Action.CASE_ALLOCATE,
        f.AllocateForm,
        _allocate,
        _needs(Event.ALLOCATE),
    ),
    PageAction(
        "team",
        "组建/调整专班",
        "responsibility",
        Action.TEAM_ASSIGN,
        f.TeamForm,
        _team,
        _team_blocked,
    ),
    PageAction("visit", "登记信访", "visits", Action.CASE_EDIT, f.VisitForm, _visit),
    PageAction(
        "original", "登记原审案件", "originals", Action.CASE_EDIT, f.OriginalCaseForm, _original
    ),
    PageAction(
        "classify",
        "化解分类",
        "measures",
        Action.CASE_WORK,
        f.ClassifyForm,
        _classify,
        _work_blocked,
    ),
    PageAction(
        "measure",
        "登记化解措施",
        "measures",
        Action.CASE_WORK,
        f.MeasureForm,
        _measure,
        _work_blocked,
    ),
    PageAction(
        "activity",
        "登记包案领导活动",
        "activities",
        Action.LEADER_ACTIVITY,
        f.ActivityForm,
        _activity,
        _activity_blocked,
    ),
    PageAction(
        "attachment",
        "上传附件",
        "attachments",
        Action.CASE_WORK,
        f.AttachmentForm,
        _attachment,
        multipart=True,
    ),
    PageAction(
        "written",
        "书面承诺息诉罢访",
        "resolution",
        Action.CASE_WORK,
        f.WrittenPromiseForm,
        _written,
        _needs(Event.WRITTEN_PROMISE),
        multipart=True,
    ),
    PageAction(
        "oral",
        "口头承诺息诉罢访",
        "resolution",
        Action.CASE_WORK,
        f.OralPromiseForm,
        _oral,
        _needs(Event.ORAL_PROMISE),
    ),
    PageAction(
        "termination",
        "依法终结",
        "resolution",
        Action.CASE_WORK,
        f.TerminationForm,
        _termination,
        _needs(Event.TERMINATION_COMPLETE),
    ),
    PageAction(
        "submit",
        "提交验收",
        "acceptance",
        Action.ACCEPTANCE_SUBMIT,
        f.SubmitForm,
        _submit,
        _needs(Event.SUBMIT),
    ),
    PageAction(
        "decide",
        "验收审查",
        "acceptance",
        Action.ACCEPTANCE_DECIDE,
        f.DecideForm,
        _decide,
        _decide_blocked,
    ),
    PageAction(
        "escalation_request",
        "申请提级办理",
        "escalation",
        Action.ESCALATION_REQUEST,
        f.ReasonForm,
        _escalation_request,
        _escalation_blocked,
    ),
    PageAction(
        "escalation_decide",
        "决定是否提级",
        "escalation",
        Action.ESCALATION_DECIDE,
        f.EscalationDecideForm,
        _escalation_decide,
        _escalation_decide_blocked,
    ),
    PageAction(
        "take_up",
        "提级办理",
        "escalation",
        Action.ESCALATION_DECIDE,
        f.ReasonForm,
        _take_up,
        _needs(Event.ESCALATE),
    ),
    PageAction("guidance", "指导意见", "escalation", Action.GUIDANCE, f.GuidanceForm, _guidance),
)

BY_NAME = {action.name: action for action in ACTIONS}


@dataclass(frozen=True)
class Offer:
    """One action as the page shows it to one user: a form, or the reason it is closed."""

    action: PageAction
    reason: str | None


def offers_for(user: User, case: PetitionCase) -> dict[str, list[Offer]]:
    """The actions this user may take on this case, by section; each open or with a reason.

    Actions the user's role may never take are not shown at all."""
    by_section: dict[str, list[Offer]] = {}
    for action in ACTIONS:
        if not can(user, action.permission, case):
            continue
        by_section.setdefault(action.section, []).append(Offer(action, action.blocked(case)))
    return by_section
