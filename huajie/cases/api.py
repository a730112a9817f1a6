"""API: the petition-case ledger (R3–R15) under /api/v1/ — cases and their records,
allocation, the team, the work and the resolution standards, acceptance, escalation and
guidance, campaigns, notifications.

Every endpoint fetches what it protects through the permission policy (`get_for_user`: 404
outside the user's scope, 403 in scope but not allowed; lists through `scope_filter`) and
then calls exactly one service. A service's refusal is 409 with its Chinese message (the
handler in `huajie.api.api`); input that cannot be read, or that names something the user
cannot see, is 422.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest
from ninja import File, Form, Query, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from huajie.accounts.models import User
from huajie.accounts.policy import Action, get_for_user, scope_filter, user_of
from huajie.cases import selectors, services
from huajie.cases.attachments import ATTACHMENT_TYPES, storage_path
from huajie.cases.keyset import counted_rows_found_by_id, rows_found_by_id
from huajie.cases.models import (
    AcceptanceRequest,
    Attachment,
    AttachmentPurpose,
    Campaign,
    EscalationRequest,
    Guidance,
    LeaderActivity,
    Measure,
    Notification,
    OriginalCase,
    PetitionCase,
    Petitioner,
    Visit,
)
from huajie.cases.page_actions import BY_NAME
from huajie.cases.schemas import (
    AcceptanceDecisionIn,
    AcceptanceRequestOut,
    AcceptanceSubmitIn,
    ActivityIn,
    AllocateIn,
    AttachmentOut,
    CampaignAllocationOut,
    CarryOverIn,
    CarryOverOut,
    CaseCreateIn,
    CaseDetailOut,
    CaseFilterQuery,
    CasePage,
    CaseRecordPatch,
    ClassificationIn,
    CourtRef,
    DuplicateOut,
    EscalationDecisionIn,
    EscalationOut,
    FlagIn,
    GuidanceIn,
    GuidanceOut,
    LeaderActivityOut,
    MeasureIn,
    MeasureOut,
    NewPetitionIn,
    NotificationOut,
    NotificationPage,
    OralPromiseIn,
    OriginalCaseIn,
    OriginalCaseOut,
    PageQuery,
    PetitionerRevealedOut,
    ReasonIn,
    SourceIn,
    SuggestionOut,
    TeamIn,
    TerminationIn,
    VisitIn,
    VisitOut,
    WrittenPromiseIn,
)
from huajie.cases.transitions import Refused
from huajie.core.api_errors import BODY, FieldInvalid, errors
from huajie.courts.models import Court, Person

router = Router(tags=["信访案件"])
campaigns_router = Router(tags=["专项活动"])
acceptance_router = Router(tags=["验收"])
escalations_router = Router(tags=["提级办理"])
notifications_router = Router(tags=["通知"])

M = TypeVar("M", bound=Model)

# --- fetching through the policy -----------------------------------------------------------


def _case(request: HttpRequest, case_id: int, action: Action = Action.VIEW) -> PetitionCase:
    """The case, if the user sees it (else 404) and may do `action` to it (else 403)."""
    return get_for_user(
        request.user,
        PetitionCase.objects.select_related("court__parent", "leader"),
        action=action,
        pk=case_id,
    )


def _detail(request: HttpRequest, case_id: int) -> PetitionCase:
    return selectors.case_detail(request.user, case_id)


def _invalid(field: str, message: str) -> HttpError:
    return FieldInvalid(field, message)


def _named(
    request: HttpRequest,
    qs: QuerySet[M],
    *,
    field: str,
    pk: int,
    noun: str,
    court_field: str | None = "court",
) -> M:
    """An object the request body names by id. One the user cannot see is answered exactly
    like a missing one: bad input (422) naming the field, so no existence is leaked."""
    try:
        return get_for_user(request.user, qs, court_field=court_field, pk=pk)
    except Http404:
        raise _invalid(field, f"编号为{pk}的{noun}不存在或无权查看。") from None


def _people() -> QuerySet[Person]:
    return Person.objects.select_related("court").prefetch_related("positions")


def _own_court(user: User) -> Court:
    court = user.court
    if court is None:
        raise HttpError(403, "您的账户没有对应的法院，不能执行此操作。")
    return court


def _guard(action_name: str, case: PetitionCase) -> None:
    """The case page's "not now" rule for an action, so the API and the page agree."""
    reason = BY_NAME[action_name].blocked(case)
    if reason:
        raise Refused(f"{reason}。")


def _campaign(year: int | None, *, field: str | None = None) -> Campaign:
    """The campaign of `year` (the latest when None); missing is 404 for a path, else 422."""
    qs = Campaign.objects.order_by("-year")
    found = qs.first() if year is None else qs.filter(year=year).first()
    if found is not None:
        return found
    if field is None:
        raise Http404
    raise _invalid(field, f"{year}年度的专项活动不存在。" if year else "尚未创建专项活动。")


def _province_root(request: HttpRequest, action: Action) -> Court:
    """The high court of the user's own province, checked for `action`."""
    own = _own_court(user_of(request))
    return get_for_user(
        request.user, Court.objects.all(), action=action, court_field=None, path=own.root_path()
    )


# --- the case list, a case, new cases ------------------------------------------------------


@router.get(
    "/", response={200: CasePage, **errors()}, summary="案件列表（可见范围内，可筛选、分页）"
)
def case_list(request: HttpRequest, params: Query[CaseFilterQuery]) -> dict[str, Any]:
    filters = params.filters()
    qs = selectors.cases_for(request.user, filters=filters)
    start, stop = params.offset, params.offset + params.limit
    if filters.q.strip():  # the search reads every matching row: count them in that pass
        rows, count = counted_rows_found_by_id(qs, start, stop)
    else:
        rows, count = rows_found_by_id(qs, start, stop), qs.count()
    return {"count": count, "limit": params.limit, "offset": params.offset, "items": rows}


@router.get("/{int:case_id}", response={200: CaseDetailOut, **errors(404)}, summary="案件详情")
def case_get(request: HttpRequest, case_id: int) -> PetitionCase:
    return _detail(request, case_id)


@router.post(
    "/",
    response={201: CaseDetailOut, **errors(403, 409, *BODY)},
    summary="登记存量案件（本院持有，待交办）",
)
def case_create(request: HttpRequest, payload: CaseCreateIn) -> Status[PetitionCase]:
    user = user_of(request)
    court = get_for_user(
        user,
        Court.objects.all(),
        action=Action.CASE_CREATE,
        court_field=None,
        pk=_own_court(user).pk,
    )
    case = services.case_create(
        actor=user,
        campaign=_campaign(payload.campaign_year, field="campaign_year"),
        holding_court=court,
        data=payload.to_input(),
    )
    return Status(201, _detail(request, case.pk))


@router.post(
    "/new-petitions",
    response={201: CaseDetailOut, **errors(403, 404, 409, *BODY)},
    summary="登记新发信访（增量），首接负责人一办到底",
)
def new_petition_register(request: HttpRequest, payload: NewPetitionIn) -> Status[PetitionCase]:
    owner = get_for_user(request.user, _people(), action=Action.NEW_PETITION, pk=payload.owner_id)
    case = services.new_petition_register(
        actor=user_of(request),
        campaign=_campaign(payload.campaign_year, field="campaign_year"),
        owner=owner,
        received_on=payload.received_on,
        data=payload.to_input(),
    )
    return Status(201, _detail(request, case.pk))


# --- records (R3, R15) ---------------------------------------------------------------------


@router.patch(
    "/{int:case_id}",
    response={200: CaseDetailOut, **errors(403, 404, 409, *BODY)},
    summary="修改案件信息",
)
def case_update_record(
    request: HttpRequest, case_id: int, payload: CaseRecordPatch
) -> PetitionCase:
    case = _case(request, case_id, Action.CASE_EDIT)
    changes = payload.dict(exclude_unset=True)
    empty = sorted(name for name, value in changes.items() if value is None)
    if empty:
        raise _invalid("、".join(empty), "不能为空。")
    services.case_update_record(actor=user_of(request), case=case, changes=changes)
    return _detail(request, case_id)


@router.post(
    "/{int:case_id}/original-cases",
    response={201: OriginalCaseOut, **errors(403, 404, 409, *BODY)},
    summary="登记原审案件",
)
def original_case_add(
    request: HttpRequest, case_id: int, payload: OriginalCaseIn
) -> Status[OriginalCase]:
    case = _case(request, case_id, Action.CASE_EDIT)
    original = services.original_case_add(
        actor=user_of(request), case=case, data=payload.to_input()
    )
    return Status(
        201, OriginalCase.objects.select_related("court", "trial_judge").get(pk=original.pk)
    )


@router.post(
    "/{int:case_id}/original-cases/{int:original_id}/flag",
    response={200: OriginalCaseOut, **errors(403, 404, 409, *BODY)},
    summary="标记或取消错案/瑕疵案",
)
def original_case_flag(
    request: HttpRequest, case_id: int, original_id: int, payload: FlagIn
) -> OriginalCase:
    case = _case(request, case_id, Action.CASE_EDIT)
    original = (
        case.original_cases.select_related("case", "court", "trial_judge")
        .filter(pk=original_id)
        .first()
    )
    if original is None:
        raise Http404
    return services.original_case_flag(
        actor=user_of(request), original=original, flawed=payload.flawed, note=payload.note
    )


@router.post(
    "/{int:case_id}/source",
    response={200: CaseDetailOut, **errors(403, 404, 409, *BODY)},
    summary="登记问题环节与承办法官",
)
def source_judge_set(request: HttpRequest, case_id: int, payload: SourceIn) -> PetitionCase:
    case = _case(request, case_id, Action.CASE_EDIT)
    judge = None
    if payload.judge_id is not None:
        judge = _named(request, _people(), field="judge_id", pk=payload.judge_id, noun="人员")
    services.source_judge_set(actor=user_of(request), case=case, judge=judge, stage=payload.stage)
    return _detail(request, case_id)


@router.post(
    "/{int:case_id}/visits",
    response={201: VisitOut, **errors(403, 404, 409, *BODY)},
    summary="登记信访（息诉后进京赴省将重新化解）",
)
def visit_record(request: HttpRequest, case_id: int, payload: VisitIn) -> Status[Visit]:
    case = _case(request, case_id, Action.CASE_EDIT)
    petitioner = None
    if payload.petitioner_id is not None:
        petitioner = case.petitioners.filter(pk=payload.petitioner_id).first()
        if petitioner is None:
            raise _invalid("petitioner_id", f"本案没有编号为{payload.petitioner_id}的信访人。")
    visit = services.visit_record(
        actor=user_of(request), case=case, data=payload.to_input(), petitioner=petitioner
    )
    return Status(201, visit)


# --- identity (R3): masked everywhere, revealed on request and audited ----------------------


@router.post(
    "/{int:case_id}/petitioners/{int:petitioner_id}/reveal",
    response={200: PetitionerRevealedOut, **errors(403, 404)},
    summary="查看信访人完整身份证号和电话（记录查看行为）",
)
def petitioner_reveal(request: HttpRequest, case_id: int, petitioner_id: int) -> Petitioner:
    case = _case(request, case_id, Action.REVEAL_IDENTITY)
    petitioner = case.petitioners.filter(pk=petitioner_id).first()
    if petitioner is None:
        raise Http404
    services.identity_reveal(actor=user_of(request), case=case, petitioners=[petitioner])
    return petitioner


@router.get(
    "/{int:case_id}/petitioners/{int:petitioner_id}/duplicates",
    response={200: list[DuplicateOut], **errors(404)},
    summary="疑似重复的信访人（供人工合并，不自动合并）",
)
def petitioner_duplicates(request: HttpRequest, case_id: int, petitioner_id: int) -> list[Any]:
    case = _case(request, case_id)
    petitioner = case.petitioners.filter(pk=petitioner_id).first()
    if petitioner is None:
        raise Http404
    visible_cases = scope_filter(request.user, PetitionCase.objects.order_by("pk"))
    seen = scope_filter(request.user, Petitioner.objects.all(), court_field="cases__court")
    return list(
        selectors.petitioner_duplicates(petitioner)
        .filter(pk__in=seen.values("pk"))
        .prefetch_related(Prefetch("cases", queryset=visible_cases, to_attr="visible_cases"))
    )


# --- allocation (R4) and campaigns (R13) ---------------------------------------------------


@router.get(
    "/{int:case_id}/allocation-suggestion",
    response={200: SuggestionOut, **errors(403, 404)},
    summary="按规则建议的责任法院",
)
def allocation_suggestion(request: HttpRequest, case_id: int) -> SuggestionOut:
    case = _case(request, case_id, Action.CASE_ALLOCATE)
    suggestion = services.allocation_suggest(case)
    court = suggestion.court
    return SuggestionOut(
        court=CourtRef(id=court.pk, short_name=court.short_name) if court else None,
        rule=suggestion.rule.value,
        rule_label=suggestion.rule.label,
        reason=suggestion.reason,
    )


@router.post(
    "/{int:case_id}/allocate",
    response={200: CaseDetailOut, **errors(403, 404, 409, *BODY)},
    summary="交办（按规则，或人工指定责任法院并写明理由）",
)
def case_allocate(request: HttpRequest, case_id: int, payload: AllocateIn) -> PetitionCase:
    case = _case(request, case_id, Action.CASE_ALLOCATE)
    court = None
    if payload.court_id is not None:
        court = _named(
            request,
            Court.objects.all(),
            field="court_id",
            pk=payload.court_id,
            noun="法院",
            court_field=None,
        )
    services.case_allocate(actor=user_of(request), case=case, court=court, reason=payload.reason)
    return _detail(request, case_id)


@campaigns_router.post(
    "/{int:year}/allocate",
    response={200: CampaignAllocationOut, **errors(403, 404, 409)},
    summary="一键交办本省该年度全部待交办案件",
)
def campaign_allocate(request: HttpRequest, year: int) -> CampaignAllocationOut:
    province = _province_root(request, Action.CAMPAIGN_MANAGE)
    result = services.campaign_allocate(
        actor=user_of(request), campaign=_campaign(year), province=province
    )
    return CampaignAllocationOut(
        year=year,
        allocated=sum(result.by_rule.values()),
        by_rule=result.by_rule,
        needs_manual=result.needs_manual,
    )


@campaigns_router.post(
    "/{int:year}/carry-over",
    response={200: CarryOverOut, **errors(403, 404, 409, *BODY)},
    summary="未结案件结转到以后年度的活动",
)
def campaign_carry_over(request: HttpRequest, year: int, payload: CarryOverIn) -> CarryOverOut:
    province = _province_root(request, Action.CAMPAIGN_MANAGE)
    source = _campaign(year)
    target_year = payload.target_year if payload.target_year is not None else year + 1
    target = _campaign(target_year, field="target_year")
    carried = services.campaign_carry_over(
        actor=user_of(request), source=source, target=target, province=province
    )
    return CarryOverOut(from_year=year, to_year=target_year, carried=carried)


# --- the team (R5, R6) ---------------------------------------------------------------------


@router.put(
    "/{int:case_id}/team",
    response={200: CaseDetailOut, **errors(403, 404, 409, *BODY)},
    summary="组建/调整专班（包案领导、庭领导、工作人员、信访联系人）",
)
def team_assign(request: HttpRequest, case_id: int, payload: TeamIn) -> PetitionCase:
    case = _case(request, case_id, Action.TEAM_ASSIGN)
    members: dict[str, Person | None] = {
        role: None
        if person_id is None
        else _named(request, _people(), field=role, pk=person_id, noun="人员")
        for role, person_id in payload.dict(exclude_unset=True).items()
    }
    services.team_assign(actor=user_of(request), case=case, members=members)
    return _detail(request, case_id)


# --- the work (R7, R8) ---------------------------------------------------------------------


@router.post(
    "/{int:case_id}/classification",
    response={200: CaseDetailOut, **errors(403, 404, 409, *BODY)},
    summary="化解分类",
)
def case_classify(request: HttpRequest, case_id: int, payload: ClassificationIn) -> PetitionCase:
    case = _case(request, case_id, Action.CASE_WORK)
    _guard("classify", case)
    services.case_classify(actor=user_of(request), case=case, **payload.dict())
    return _detail(request, case_id)


@router.post(
    "/{int:case_id}/measures",
    response={201: MeasureOut, **errors(403, 404, 409, *BODY)},
    summary="登记化解措施",
)
def measure_record(request: HttpRequest, case_id: int, payload: MeasureIn) -> Status[Measure]:
    case = _case(request, case_id, Action.CASE_WORK)
    _guard("measure", case)
    return Status(
        201, services.measure_record(actor=user_of(request), case=case, data=payload.to_input())
    )


@router.post(
    "/{int:case_id}/attachments",
    response={201: AttachmentOut, **errors(400, 403, 404, 409, 413)},
    summary="上传附件（PDF、图片、Word、OFD，按内容判断类型）",
)
def attachment_add(
    request: HttpRequest,
    case_id: int,
    purpose: Form[AttachmentPurpose],
    file: File[UploadedFile],
) -> Status[Attachment]:
    case = _case(request, case_id, Action.CASE_WORK)
    _guard("attachment", case)
    attachment = services.attachment_add(
        actor=user_of(request), case=case, purpose=purpose, name=file.name or "", stream=file
    )
    return Status(201, attachment)


def _file_response(types: tuple[str, ...]) -> dict[str, Any]:
    """The OpenAPI entry for a 200 that is a file of one of `types`, not JSON."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {"200": {"description": "文件", "content": dict.fromkeys(types, binary)}}}


@router.get(
    "/{int:case_id}/attachments/{int:attachment_id}",
    response=errors(404),
    openapi_extra=_file_response(ATTACHMENT_TYPES),
    summary="下载附件",
)
def attachment_download(request: HttpRequest, case_id: int, attachment_id: int) -> FileResponse:
    case = _case(request, case_id)
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    path = storage_path(attachment.sha256)
    if not path.exists():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post(
    "/{int:case_id}/leader-activities",
    response={201: LeaderActivityOut, **errors(403, 404, 409, *BODY)},
    summary="登记包案领导亲自开展的工作",
)
def leader_activity_record(
    request: HttpRequest, case_id: int, payload: ActivityIn
) -> Status[LeaderActivity]:
    case = _case(request, case_id, Action.LEADER_ACTIVITY)
    activity = services.leader_activity_record(
        actor=user_of(request),
        case=case,
        happened_on=payload.happened_on,
        kind=payload.kind,
        summary=payload.summary,
    )
    return Status(201, activity)


# --- resolution standards (R9) -------------------------------------------------------------


@router.post(
    "/{int:case_id}/resolution/written",
    response={200: CaseDetailOut, **errors(403, 404, 409, *BODY)},
    summary="书面承诺息诉罢访（附签字的承诺书）",
)
def resolution_written(
    request: HttpRequest, case_id: int, payload: WrittenPromiseIn
) -> PetitionCase:
    case = _case(request, case_id, Action.CASE_WORK)
    document = case.attachments.filter(pk=payload.attachment_id).first()
    if document is None:
        raise _invalid("attachment_id", f"本案没有编号为{payload.attachment_id}的附件。")
    services.resolution_written(
        actor=user_of(request), case=case, promise_on=payload.promise_on, document=document
    )
    return _detail(request, case_id)


@router.post(
    "/{int:case_id}/resolution/oral",
    response={200: CaseDetailOut, **errors(403, 404, 409, *BODY)},
    summary="口头承诺息诉罢访（进入一年观察期）",
)
def resolution_oral(request: HttpRequest, case_id: int, payload: OralPromiseIn) -> PetitionCase:
    case = _case(request, case_id, Action.CASE_WORK)
    services.resolution_oral(actor=user_of(request), case=case, promise_on=payload.promise_on)
    return _detail(request, case_id)


@router.post(
    "/{int:case_id}/resolution/termination",
    response={200: CaseDetailOut, **errors(403, 404, 409, *BODY)},
    summary="依法终结的一个步骤（终结审查、报备、移交稳控）",
)
def termination_step(request: HttpRequest, case_id: int, payload: TerminationIn) -> PetitionCase:
    case = _case(request, case_id, Action.CASE_WORK)
    services.termination_step(
        actor=user_of(request),
        case=case,
        step=payload.step,
        done_on=payload.done_on,
        department=payload.department,
    )
    return _detail(request, case_id)


# --- acceptance (R11) ----------------------------------------------------------------------


def _acceptance(pk: int) -> AcceptanceRequest:
    return (
        AcceptanceRequest.objects.select_related("case", "reviewing_court", "submitted_by__person")
        .prefetch_related("evidence")
        .get(pk=pk)
    )


@router.post(
    "/{int:case_id}/acceptance",
    response={201: AcceptanceRequestOut, **errors(403, 404, 409, *BODY)},
    summary="提交验收（附验收材料）",
)
def acceptance_submit(
    request: HttpRequest, case_id: int, payload: AcceptanceSubmitIn
) -> Status[AcceptanceRequest]:
    case = _case(request, case_id, Action.ACCEPTANCE_SUBMIT)
    wanted = set(payload.evidence_ids)
    evidence = list(case.attachments.filter(pk__in=wanted).order_by("pk"))
    missing = wanted - {a.pk for a in evidence}
    if missing:
        numbers = "、".join(str(pk) for pk in sorted(missing))
        raise _invalid("evidence_ids", f"本案没有编号为{numbers}的附件。")
    submitted = services.acceptance_submit(
        actor=user_of(request), case=case, note=payload.note, evidence=evidence
    )
    return Status(201, _acceptance(submitted.pk))


@acceptance_router.get(
    "/pending",
    response={200: list[AcceptanceRequestOut], **errors()},
    summary="待本院审查的验收申请",
)
def acceptance_pending(request: HttpRequest) -> list[AcceptanceRequest]:
    return list(selectors.acceptance_pending(user_of(request)))


@acceptance_router.post(
    "/{int:request_id}/decision",
    response={200: AcceptanceRequestOut, **errors(403, 404, 409, *BODY)},
    summary="验收审查：通过，或写明理由退回",
)
def acceptance_decide(
    request: HttpRequest, request_id: int, payload: AcceptanceDecisionIn
) -> AcceptanceRequest:
    case = get_for_user(
        request.user,
        PetitionCase.objects.select_related("court__parent"),
        action=Action.ACCEPTANCE_DECIDE,
        acceptance_requests__pk=request_id,
    )
    pending = case.acceptance_requests.get(pk=request_id)
    services.acceptance_decide(
        actor=user_of(request), request=pending, accept=payload.accept, reason=payload.reason
    )
    return _acceptance(request_id)


# --- escalation and guidance (R12) ---------------------------------------------------------


def _escalation(pk: int) -> EscalationRequest:
    return EscalationRequest.objects.select_related(
        "case", "from_court", "to_court", "requested_by__person"
    ).get(pk=pk)


@router.post(
    "/{int:case_id}/escalation",
    response={201: EscalationOut, **errors(403, 404, 409, *BODY)},
    summary="申请上级法院提级办理",
)
def escalation_request(
    request: HttpRequest, case_id: int, payload: ReasonIn
) -> Status[EscalationRequest]:
    case = _case(request, case_id, Action.ESCALATION_REQUEST)
    created = services.escalation_request(actor=user_of(request), case=case, reason=payload.reason)
    return Status(201, _escalation(created.pk))


@escalations_router.post(
    "/{int:request_id}/decision",
    response={200: EscalationOut, **errors(403, 404, 409, *BODY)},
    summary="决定是否提级办理",
)
def escalation_decide(
    request: HttpRequest, request_id: int, payload: EscalationDecisionIn
) -> EscalationRequest:
    case = get_for_user(
        request.user,
        PetitionCase.objects.select_related("court__parent"),
        action=Action.ESCALATION_DECIDE,
        escalations__pk=request_id,
    )
    pending = case.escalations.get(pk=request_id)
    services.escalation_decide(
        actor=user_of(request), request=pending, approve=payload.approve, note=payload.note
    )
    return _escalation(request_id)


@router.post(
    "/{int:case_id}/take-up",
    response={200: CaseDetailOut, **errors(403, 404, 409, *BODY)},
    summary="上级法院决定提级办理",
)
def case_take_up(request: HttpRequest, case_id: int, payload: ReasonIn) -> PetitionCase:
    case = _case(request, case_id, Action.ESCALATION_DECIDE)
    services.case_take_up(actor=user_of(request), case=case, reason=payload.reason)
    return _detail(request, case_id)


@router.post(
    "/{int:case_id}/guidance",
    response={201: GuidanceOut, **errors(403, 404, 409, *BODY)},
    summary="上级法院指导意见",
)
def guidance_add(request: HttpRequest, case_id: int, payload: GuidanceIn) -> Status[Guidance]:
    case = _case(request, case_id, Action.GUIDANCE)
    note = services.guidance_add(actor=user_of(request), case=case, text=payload.text)
    return Status(201, note)


# --- notifications -------------------------------------------------------------------------


@notifications_router.get("", response={200: NotificationPage, **errors()}, summary="我的通知")
def notification_list(request: HttpRequest, params: Query[PageQuery]) -> dict[str, Any]:
    user = user_of(request)
    qs = selectors.notifications_for(user)
    return {
        "unread": selectors.unread_count(user),
        "count": qs.count(),
        "items": list(qs[params.offset : params.offset + params.limit]),
    }


@notifications_router.post(
    "/{int:notification_id}/read",
    response={200: NotificationOut, **errors(404)},
    summary="标记通知为已读",
)
def notification_read(request: HttpRequest, notification_id: int) -> Notification:
    """Only the recipient's own notifications exist for them; anyone else's is 404."""
    return services.notification_mark_read(user=user_of(request), notification_id=notification_id)
