"""The case API (R3–R15 over /api/v1/): every endpoint's permission matrix, one case's whole
life, error answers, masked identities, fixed query counts, the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from huajie.accounts.models import User
from huajie.audit.models import AuditEvent
from huajie.cases import services
from huajie.cases.models import (
    ActivityKind,
    AllocationRule,
    CaseStatus,
    MeasureKind,
    NotificationKind,
    PetitionCase,
    Petitioner,
    VisitLevel,
)
from huajie.core import clock
from tests.cases.world import PDF, World, case_in, new_case, promise_document
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

API = "/api/v1"
ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"

# --- clients -------------------------------------------------------------------------------


class ApiClient:
    """A bearer-token client for one user, sending and reading JSON."""

    def __init__(self, user: User) -> None:
        response = Client().post(
            f"{API}/auth/token",
            data=json.dumps({"username": user.username, "password": PASSWORD}),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")

    def get(self, path: str, **params: Any) -> HttpResponse:
        return self.client.get(f"{API}{path}", params)

    def send(self, method: str, path: str, body: dict[str, Any] | None = None) -> HttpResponse:
        call = getattr(self.client, method.lower())
        return call(f"{API}{path}", data=json.dumps(body or {}), content_type="application/json")

    def post(self, path: str, body: dict[str, Any] | None = None) -> HttpResponse:
        return self.send("POST", path, body)

    def upload(self, path: str, purpose: str, name: str, content: bytes) -> HttpResponse:
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
        return self.client.post(f"{API}{path}", data={"purpose": purpose, "file": upload})


def as_(user: User) -> ApiClient:
    return ApiClient(user)


def today() -> str:
    return clock.today().isoformat()


def ok(response: HttpResponse, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return (
        response.json() if response.get("Content-Type", "").startswith("application/json") else None
    )


# --- the permission matrix: every endpoint -------------------------------------------------

Who = Callable[[World], User]
Make = Callable[[World, PetitionCase | None], Any]


def _pending_acceptance(world: World, case: PetitionCase | None) -> int:
    assert case is not None
    return case.acceptance_requests.get(decision="pending").pk


def _pending_escalation(world: World, case: PetitionCase | None) -> int:
    assert case is not None
    return services.escalation_request(actor=world.lixia.office, case=case, reason="难以化解").pk


def _attachment(world: World, case: PetitionCase | None) -> int:
    assert case is not None
    return promise_document(world, case).pk


def _petitioner(case: PetitionCase | None) -> int:
    assert case is not None
    return case.petitioners.get().pk


def _original(case: PetitionCase | None) -> int:
    assert case is not None
    return case.original_cases.get().pk


def _team_ids(world: World) -> dict[str, int]:
    return {role: person.pk for role, person in world.lixia.team.items()}


def _petition_body(world: World) -> dict[str, Any]:
    return {
        "petition_type": "province",
        "petitioners": [{"name": "李四", "domicile": "山东省济南市历下区"}],
        "claims": "要求执行到位",
    }


def _carry_over_body(world: World, case: PetitionCase | None) -> dict[str, Any]:
    services.campaign_create(year=2020)
    return {"target_year": 2020}


@dataclass(frozen=True)
class Endpoint:
    """One endpoint, the case it acts on, who may call it and who sees but may not."""

    name: str
    method: str
    status: CaseStatus | None  # the case made first (None: no case)
    path: Callable[[World, PetitionCase | None], str]
    allowed: Who
    forbidden: Who | None  # sees the object but may not act (None: a read, no 403)
    body: Make = field(default=lambda world, case: {})
    ok: int = 200
    other_city_404: bool = True  # False where nothing of another city is named
    upload: bool = False


def _c(suffix: str = "") -> Callable[[World, PetitionCase | None], str]:
    def path(world: World, case: PetitionCase | None) -> str:
        assert case is not None
        return f"/cases/{case.pk}{suffix}"

    return path


S = CaseStatus
office: Who = lambda w: w.lixia.office  # noqa: E731
judge: Who = lambda w: w.lixia.judge_user  # noqa: E731
supervisor: Who = lambda w: w.jinan.office  # noqa: E731
province: Who = lambda w: w.province_office  # noqa: E731
high_leader: Who = lambda w: w.high.leader_user  # noqa: E731

ENDPOINTS = [
    Endpoint("case-detail", "GET", S.IN_RESOLUTION, _c(), judge, None),
    Endpoint(
        "case-create",
        "POST",
        None,
        lambda w, c: "/cases/",
        office,
        judge,
        lambda w, c: _petition_body(w),
        ok=201,
        other_city_404=False,  # a case is entered at the user's own court
    ),
    Endpoint(
        "new-petition",
        "POST",
        None,
        lambda w, c: "/cases/new-petitions",
        office,
        judge,
        lambda w, c: {
            **_petition_body(w),
            "owner_id": w.lixia.president.pk,
            "received_on": today(),
        },
        ok=201,
    ),
    Endpoint(
        "record",
        "PATCH",
        S.IN_RESOLUTION,
        _c(),
        office,
        supervisor,
        lambda w, c: {"claims": "新诉求"},
    ),
    Endpoint(
        "original-case",
        "POST",
        S.IN_RESOLUTION,
        _c("/original-cases"),
        office,
        supervisor,
        lambda w, c: {"number": "(2018)鲁01民终55号", "cause": "民间借贷纠纷"},
        ok=201,
    ),
    Endpoint(
        "flag",
        "POST",
        S.IN_RESOLUTION,
        lambda w, c: f"/cases/{c.pk}/original-cases/{_original(c)}/flag",  # type: ignore[union-attr]
        office,
        supervisor,
        lambda w, c: {"flawed": True, "note": "事实认定有误"},
    ),
    Endpoint(
        "source",
        "POST",
        S.IN_RESOLUTION,
        _c("/source"),
        office,
        supervisor,
        lambda w, c: {"stage": "trial", "judge_id": w.lixia.judge.pk},
    ),
    Endpoint(
        "visit",
        "POST",
        S.IN_RESOLUTION,
        _c("/visits"),
        office,
        supervisor,
        lambda w, c: {"visited_on": today(), "level": "local", "summary": "来院"},
        ok=201,
    ),
    Endpoint(
        "reveal",
        "POST",
        S.IN_RESOLUTION,
        lambda w, c: f"/cases/{c.pk}/petitioners/{_petitioner(c)}/reveal",  # type: ignore[union-attr]
        office,
        judge,
    ),
    Endpoint(
        "duplicates",
        "GET",
        S.IN_RESOLUTION,
        lambda w, c: f"/cases/{c.pk}/petitioners/{_petitioner(c)}/duplicates",  # type: ignore[union-attr]
        judge,
        None,
    ),
    Endpoint("suggestion", "GET", S.ALLOCATED, _c("/allocation-suggestion"), province, judge),
    Endpoint("allocate", "POST", S.ALLOCATED, _c("/allocate"), province, judge),
    Endpoint(
        "campaign-allocate",
        "POST",
        S.UNALLOCATED,
        lambda w, c: "/campaigns/2019/allocate",
        province,
        high_leader,
    ),
    Endpoint(
        "carry-over",
        "POST",
        S.IN_RESOLUTION,
        lambda w, c: "/campaigns/2019/carry-over",
        province,
        high_leader,
        _carry_over_body,
    ),
    Endpoint(
        "team", "PUT", S.ALLOCATED, _c("/team"), office, supervisor, lambda w, c: _team_ids(w)
    ),
    Endpoint(
        "classification",
        "POST",
        S.IN_RESOLUTION,
        _c("/classification"),
        office,
        supervisor,
        lambda w, c: {"solve": True, "aid": True},
    ),
    Endpoint(
        "measure",
        "POST",
        S.IN_RESOLUTION,
        _c("/measures"),
        office,
        supervisor,
        lambda w, c: {"kind": "reception", "taken_on": today(), "summary": "接谈信访人"},
        ok=201,
    ),
    Endpoint(
        "upload",
        "POST",
        S.IN_RESOLUTION,
        _c("/attachments"),
        office,
        supervisor,
        ok=201,
        upload=True,
    ),
    Endpoint(
        "download",
        "GET",
        S.IN_RESOLUTION,
        lambda w, c: f"/cases/{c.pk}/attachments/{_attachment(w, c)}",  # type: ignore[union-attr]
        judge,
        None,
    ),
    Endpoint(
        "leader-activity",
        "POST",
        S.IN_RESOLUTION,
        _c("/leader-activities"),
        lambda w: w.lixia.leader_user,
        judge,
        lambda w, c: {"happened_on": today(), "kind": "reception", "summary": "亲自接访"},
        ok=201,
    ),
    Endpoint(
        "written",
        "POST",
        S.IN_RESOLUTION,
        _c("/resolution/written"),
        office,
        supervisor,
        lambda w, c: {"promise_on": today(), "attachment_id": _attachment(w, c)},
    ),
    Endpoint(
        "oral",
        "POST",
        S.IN_RESOLUTION,
        _c("/resolution/oral"),
        office,
        supervisor,
        lambda w, c: {"promise_on": today()},
    ),
    Endpoint(
        "termination",
        "POST",
        S.IN_RESOLUTION,
        _c("/resolution/termination"),
        office,
        supervisor,
        lambda w, c: {"step": "review", "done_on": today()},
    ),
    Endpoint(
        "acceptance-submit",
        "POST",
        S.MET_STANDARD,
        _c("/acceptance"),
        office,
        judge,
        lambda w, c: {"note": "已书面承诺"},
        ok=201,
    ),
    Endpoint(
        "acceptance-decide",
        "POST",
        S.SUBMITTED,
        lambda w, c: f"/acceptance/{_pending_acceptance(w, c)}/decision",
        supervisor,
        office,
        lambda w, c: {"accept": True},
    ),
    Endpoint(
        "escalation-request",
        "POST",
        S.IN_RESOLUTION,
        _c("/escalation"),
        office,
        judge,
        lambda w, c: {"reason": "本院难以化解"},
        ok=201,
    ),
    Endpoint(
        "escalation-decide",
        "POST",
        S.IN_RESOLUTION,
        lambda w, c: f"/escalations/{_pending_escalation(w, c)}/decision",
        supervisor,
        office,
        lambda w, c: {"approve": True},
    ),
    Endpoint(
        "take-up",
        "POST",
        S.IN_RESOLUTION,
        _c("/take-up"),
        supervisor,
        office,
        lambda w, c: {"reason": "案情重大，中院提级"},
    ),
    Endpoint(
        "guidance",
        "POST",
        S.IN_RESOLUTION,
        _c("/guidance"),
        supervisor,
        office,
        lambda w, c: {"text": "请加强释法说理"},
        ok=201,
    ),
]

BY_NAME = {e.name: e for e in ENDPOINTS}


@dataclass(frozen=True)
class Prepared:
    """An endpoint with its case made and its path and body worked out, ready to call."""

    endpoint: Endpoint
    path: str
    body: dict[str, Any]

    def call(self, user: User) -> HttpResponse:
        client = as_(user)
        if self.endpoint.upload:
            return client.upload(self.path, "other", "材料.pdf", PDF)
        if self.endpoint.method == "GET":
            return client.get(self.path)
        return client.send(self.endpoint.method, self.path, self.body)


def prepare(world: World, endpoint: Endpoint) -> Prepared:
    case = case_in(world, endpoint.status) if endpoint.status is not None else None
    return Prepared(endpoint, endpoint.path(world, case), endpoint.body(world, case))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_an_allowed_user_succeeds(world: World, endpoint: Endpoint) -> None:
    response = prepare(world, endpoint).call(endpoint.allowed(world))
    assert response.status_code == endpoint.ok, response.content.decode()


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.other_city_404], ids=lambda e: e.name
)
def test_a_user_of_another_city_gets_404_and_changes_nothing(
    world: World, endpoint: Endpoint
) -> None:
    prepared = prepare(world, endpoint)
    events = AuditEvent.objects.count()
    response = prepared.call(world.shinan.office)
    assert response.status_code == 404, response.content.decode()
    assert response.json() == {"detail": "不存在或无权查看"}
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.forbidden is not None], ids=lambda e: e.name
)
def test_a_user_who_sees_but_may_not_act_gets_403(world: World, endpoint: Endpoint) -> None:
    assert endpoint.forbidden is not None
    prepared = prepare(world, endpoint)
    events = AuditEvent.objects.count()
    response = prepared.call(endpoint.forbidden(world))
    assert response.status_code == 403, response.content.decode()
    assert "权限" in response.json()["detail"]
    assert AuditEvent.objects.count() == events


def test_the_list_is_scoped(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    listed = ok(as_(world.lixia.judge_user).get("/cases/"))
    assert listed["count"] == 1 and listed["items"][0]["id"] == case.pk
    assert listed["items"][0]["court"]["short_name"] == world.tree.lixia.short_name
    assert ok(as_(world.shinan.office).get("/cases/")) == {
        "count": 0,
        "limit": 50,
        "offset": 0,
        "items": [],
    }


def test_pending_acceptance_lists_what_the_users_court_reviews(world: World) -> None:
    case = case_in(world, CaseStatus.SUBMITTED)
    pending = ok(as_(world.jinan.office).get("/acceptance/pending"))
    assert [(r["case_id"], r["reviewing_court"]["id"]) for r in pending] == [
        (case.pk, world.tree.jinan.pk)
    ]
    assert ok(as_(world.shinan.office).get("/acceptance/pending")) == []
    assert ok(as_(world.lixia.office).get("/acceptance/pending")) == []


def test_notifications_are_the_users_own(world: World) -> None:
    case_in(world, CaseStatus.IN_RESOLUTION)  # the team is notified
    mine = ok(as_(world.lixia.leader_user).get("/notifications"))
    assert mine["unread"] == 1 and mine["count"] == 1
    note = mine["items"][0]
    assert note["kind"] == NotificationKind.TEAM and note["read_at"] is None
    assert ok(as_(world.shinan.office).get("/notifications"))["count"] == 0

    other = as_(world.shinan.office).post(f"/notifications/{note['id']}/read")
    assert other.status_code == 404
    read = ok(as_(world.lixia.leader_user).post(f"/notifications/{note['id']}/read"))
    assert read["read_at"] is not None
    assert ok(as_(world.lixia.leader_user).get("/notifications"))["unread"] == 0


# --- one case's whole life -----------------------------------------------------------------


def test_the_whole_life_of_a_case_through_the_api(world: World) -> None:
    high, lixia, jinan = (
        as_(world.province_office),
        as_(world.lixia.office),
        as_(world.jinan.office),
    )
    leader = as_(world.lixia.leader_user)

    created = ok(
        high.post(
            "/cases/",
            {
                "petition_type": "beijing",
                "petitioners": [{"name": "王五", "domicile": "山东省济南市历下区"}],
                "claims": "要求再审",
                "original_cases": [{"number": "(2017)鲁0102民初1234号", "cause": "借款纠纷"}],
                "visits": [{"visited_on": "2018-12-01", "level": "beijing"}],
            },
        ),
        201,
    )
    case_id = created["id"]
    assert created["status"] == CaseStatus.UNALLOCATED
    assert created["court"]["id"] == world.tree.high.pk

    suggestion = ok(high.get(f"/cases/{case_id}/allocation-suggestion"))
    assert suggestion["rule"] == AllocationRule.WHO_HANDLED
    assert suggestion["court"]["id"] == world.tree.lixia.pk
    allocated = ok(high.post(f"/cases/{case_id}/allocate"))
    assert allocated["status"] == CaseStatus.ALLOCATED
    assert allocated["allocation_rule"] == AllocationRule.WHO_HANDLED
    assert allocated["court"]["id"] == world.tree.lixia.pk

    teamed = ok(lixia.send("PUT", f"/cases/{case_id}/team", _team_ids(world)))
    assert teamed["status"] == CaseStatus.IN_RESOLUTION and teamed["missing_roles"] == []

    ok(
        leader.post(
            f"/cases/{case_id}/leader-activities",
            {"happened_on": today(), "kind": "reception", "summary": "亲自接访王五"},
        ),
        201,
    )

    def promise() -> dict[str, Any]:
        upload = ok(
            lixia.upload(f"/cases/{case_id}/attachments", "promise", "承诺书.pdf", PDF), 201
        )
        assert upload["content_type"] == "application/pdf"
        met = ok(
            lixia.post(
                f"/cases/{case_id}/resolution/written",
                {"promise_on": today(), "attachment_id": upload["id"]},
            )
        )
        assert met["status"] == CaseStatus.MET_STANDARD
        submitted = ok(
            lixia.post(
                f"/cases/{case_id}/acceptance",
                {"note": "已书面承诺", "evidence_ids": [upload["id"]]},
            ),
            201,
        )
        assert submitted["reviewing_court"]["id"] == world.tree.jinan.pk
        assert submitted["evidence_ids"] == [upload["id"]]
        return submitted

    first = promise()
    returned = ok(
        jinan.post(
            f"/acceptance/{first['id']}/decision", {"accept": False, "reason": "承诺书未签名"}
        )
    )
    assert returned["decision"] == "returned"
    after_return = ok(lixia.get(f"/cases/{case_id}"))
    assert after_return["status"] == CaseStatus.IN_RESOLUTION
    assert after_return["return_count"] == 1
    assert after_return["last_returned_reason"] == "承诺书未签名"

    second = promise()
    accepted = ok(jinan.post(f"/acceptance/{second['id']}/decision", {"accept": True}))
    assert accepted["decision"] == "accepted"
    assert ok(lixia.get(f"/cases/{case_id}"))["status"] == CaseStatus.ACCEPTED

    visit = ok(
        lixia.post(f"/cases/{case_id}/visits", {"visited_on": today(), "level": "beijing"}), 201
    )
    assert visit["reopened_case"] is True
    reopened = ok(lixia.get(f"/cases/{case_id}"))
    assert reopened["status"] == CaseStatus.IN_RESOLUTION
    assert reopened["reopen_count"] == 1
    kinds = [(n["kind"], n["case_id"]) for n in ok(leader.get("/notifications"))["items"]]
    assert (NotificationKind.REPETITION, case_id) in kinds


def test_a_new_petition_keeps_its_first_receipt_owner(world: World) -> None:
    created = ok(
        as_(world.lixia.office).post(
            "/cases/new-petitions",
            {**_petition_body(world), "owner_id": world.lixia.president.pk, "received_on": today()},
        ),
        201,
    )
    assert created["origin"] == "new" and created["status"] == CaseStatus.ALLOCATED
    assert created["first_receipt_owner"]["id"] == world.lixia.president.pk
    assert created["allocation_rule"] == AllocationRule.FIRST_RECEIPT


def test_campaign_allocation_reports_rules_and_manual_cases(world: World) -> None:
    new_case(world)  # who handled: 历下法院
    new_case(world, number="", domicile="")  # nothing to go by
    result = ok(as_(world.province_office).post("/campaigns/2019/allocate"))
    assert result["allocated"] == 1
    assert result["by_rule"] == {AllocationRule.WHO_HANDLED: 1}
    assert len(result["needs_manual"]) == 1


def test_manual_allocation_needs_a_visible_court(world: World) -> None:
    case = case_in(world, CaseStatus.UNALLOCATED)
    high = as_(world.province_office)
    outside = high.post(
        f"/cases/{case.pk}/allocate", {"court_id": world.tree.xuanwu.pk, "reason": "异地"}
    )
    assert outside.status_code == 422
    assert outside.json()["detail"].startswith("court_id：")
    moved = ok(
        high.post(
            f"/cases/{case.pk}/allocate", {"court_id": world.tree.shinan.pk, "reason": "实际居住地"}
        )
    )
    assert moved["court"]["id"] == world.tree.shinan.pk
    assert moved["allocation_rule"] == AllocationRule.MANUAL


# --- errors --------------------------------------------------------------------------------


def test_a_service_refusal_is_409_with_its_chinese_message(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    response = as_(world.lixia.office).post(f"/cases/{case.pk}/acceptance", {"note": ""})
    assert response.status_code == 409
    assert response.json()["detail"].startswith("当前状态为「化解中」，不能提交验收")


def test_an_invalid_date_is_422(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    response = as_(world.lixia.office).post(
        f"/cases/{case.pk}/resolution/oral", {"promise_on": "2019-02-30"}
    )
    assert response.status_code == 422
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_RESOLUTION


def test_an_unknown_person_is_422_naming_the_field(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    office = as_(world.lixia.office)
    unknown = office.send("PUT", f"/cases/{case.pk}/team", {"leader": 999_999})
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == "leader：编号为999999的人员不存在或无权查看。"
    invisible = office.send("PUT", f"/cases/{case.pk}/team", {"staff": world.shinan.staff.pk})
    assert invisible.status_code == 422 and invisible.json()["detail"].startswith("staff：")
    case.refresh_from_db()
    assert case.leader_id is None and case.staff_id is None


def test_an_ineligible_team_member_is_refused_with_the_reason(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    response = as_(world.lixia.office).send(
        "PUT", f"/cases/{case.pk}/team", {"leader": world.lixia.leader_outside_quota.pk}
    )
    assert response.status_code == 409
    assert "未入额院领导" in response.json()["detail"]


def test_record_fields_cannot_be_set_to_null(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    response = as_(world.lixia.office).send("PATCH", f"/cases/{case.pk}", {"claims": None})
    assert response.status_code == 422
    assert response.json()["detail"] == "claims：不能为空。"


def test_a_written_promise_needs_an_attachment_of_this_case(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    other = case_in(world, CaseStatus.IN_RESOLUTION)
    foreign = promise_document(world, other)
    response = as_(world.lixia.office).post(
        f"/cases/{case.pk}/resolution/written", {"promise_on": today(), "attachment_id": foreign.pk}
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("attachment_id：")


def test_an_attachment_of_the_wrong_type_is_refused(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    response = as_(world.lixia.office).upload(
        f"/cases/{case.pk}/attachments", "evidence", "承诺书.pdf", b"<html>not a pdf</html>"
    )
    assert response.status_code == 409
    assert "不支持的文件类型" in response.json()["detail"]
    assert not case.attachments.exists()


def test_an_unknown_attachment_purpose_is_422(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    response = as_(world.lixia.office).upload(
        f"/cases/{case.pk}/attachments", "selfie", "a.pdf", PDF
    )
    assert response.status_code == 422


def test_work_on_an_unallocated_case_is_refused_as_on_the_page(world: World) -> None:
    case = case_in(world, CaseStatus.UNALLOCATED)
    response = as_(world.province_office).post(
        f"/cases/{case.pk}/measures",
        {"kind": MeasureKind.RECEPTION, "taken_on": today(), "summary": "接谈"},
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "案件尚未交办。"


def test_attachments_download_through_the_permission_check(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    attachment = promise_document(world, case)
    response = as_(world.lixia.judge_user).get(f"/cases/{case.pk}/attachments/{attachment.pk}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "%E6%89%BF%E8%AF%BA%E4%B9%A6.pdf" in response["Content-Disposition"]  # 承诺书.pdf


def test_another_citys_attachment_is_404_however_it_is_asked_for(world: World) -> None:
    ours = case_in(world, CaseStatus.IN_RESOLUTION)
    theirs = case_in(world, CaseStatus.IN_RESOLUTION, number="(2017)鲁0202民初9号")
    assert theirs.court == world.tree.shinan
    foreign = services.attachment_add(
        actor=world.shinan.office,
        case=theirs,
        purpose="other",  # type: ignore[arg-type]
        name="材料.pdf",
        stream=__import__("io").BytesIO(PDF),
    )
    office = as_(world.lixia.office)
    assert office.get(f"/cases/{theirs.pk}/attachments/{foreign.pk}").status_code == 404
    assert office.get(f"/cases/{ours.pk}/attachments/{foreign.pk}").status_code == 404


# --- identity --------------------------------------------------------------------------------


def _with_identity(world: World) -> PetitionCase:
    return case_in(world, CaseStatus.IN_RESOLUTION, id_number=ID_NUMBER, phone=PHONE)


def test_identity_is_masked_for_a_judge_who_may_not_reveal_it(world: World) -> None:
    case = _with_identity(world)
    judge_client = as_(world.lixia.judge_user)
    detail = ok(judge_client.get(f"/cases/{case.pk}"))
    petitioner = detail["petitioners"][0]
    assert petitioner["id_number"] == "110105********002X"
    assert petitioner["phone"] == "138****5678"
    assert detail["may_reveal"] is False
    denied = judge_client.post(f"/cases/{case.pk}/petitioners/{petitioner['id']}/reveal")
    assert denied.status_code == 403
    assert not AuditEvent.objects.filter(verb="petitioner.reveal").exists()


def test_the_office_sees_full_numbers_after_an_audited_reveal(world: World) -> None:
    case = _with_identity(world)
    office = as_(world.lixia.office)
    detail = ok(office.get(f"/cases/{case.pk}"))
    petitioner = detail["petitioners"][0]
    assert detail["may_reveal"] is True
    assert petitioner["id_number"] == "110105********002X"  # masked until asked for
    revealed = ok(office.post(f"/cases/{case.pk}/petitioners/{petitioner['id']}/reveal"))
    assert (revealed["id_number"], revealed["phone"]) == (ID_NUMBER, PHONE)
    event = AuditEvent.objects.get(verb="petitioner.reveal")
    assert event.case_id == case.pk and event.actor == world.lixia.office
    assert event.court_id == world.tree.lixia.pk


def test_likely_duplicates_are_suggested_within_the_users_sight(world: World) -> None:
    first = case_in(world, CaseStatus.IN_RESOLUTION)
    second = case_in(world, CaseStatus.IN_RESOLUTION)  # 张三 again, same domicile, no ID
    shinan = case_in(world, CaseStatus.IN_RESOLUTION, number="(2017)鲁0202民初9号")
    mine = first.petitioners.get()
    other_ids = {second.petitioners.get().pk, shinan.petitioners.get().pk}
    Petitioner.objects.create(name="张三", id_number=ID_NUMBER, domicile="别处")
    path = f"/cases/{first.pk}/petitioners/{mine.pk}/duplicates"

    seen = ok(as_(world.lixia.office).get(path))
    assert [(d["id"], d["case_ids"]) for d in seen] == [(second.petitioners.get().pk, [second.pk])]
    everywhere = ok(as_(world.province_office).get(path))
    assert {d["id"] for d in everywhere} == other_ids


# --- what the detail tells a client ------------------------------------------------------------


def test_allowed_actions_say_who_may_and_what_the_status_allows(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    detail = ok(as_(world.lixia.office).get(f"/cases/{case.pk}"))
    actions = {a["action"]: a for a in detail["allowed_actions"]}
    assert actions["case.team"]["permitted"] is True
    assert actions["case.allocate"]["permitted"] is False
    submit = actions["case.acceptance_submit"]
    assert submit["permitted"] is True
    [event] = submit["events"]
    assert event["event"] == "submit" and event["allowed"] is False
    assert "专班尚未配齐" in event["reason"]

    high = ok(as_(world.province_office).get(f"/cases/{case.pk}"))
    allocate = {a["action"]: a for a in high["allowed_actions"]}["case.allocate"]
    assert allocate["permitted"] is True and allocate["events"][0]["allowed"] is True


def test_list_filters(world: World) -> None:
    plain = case_in(world, CaseStatus.IN_RESOLUTION)
    major = case_in(world, CaseStatus.IN_RESOLUTION, is_major=True)
    waiting = case_in(world, CaseStatus.UNALLOCATED)
    services.visit_record(
        actor=world.lixia.office,
        case=case_in(world, CaseStatus.ACCEPTED),
        data=services.VisitInput(visited_on=clock.today(), level=VisitLevel.PROVINCE),
    )
    high = as_(world.province_office)

    def ids(**params: Any) -> set[int]:
        return {row["id"] for row in ok(high.get("/cases/", **params))["items"]}

    assert ids(is_major="true") == {major.pk}
    assert ids(status="unallocated") == {waiting.pk}
    assert len(ids(reopened="true")) == 1
    assert ids(leader=world.lixia.president.pk) == {major.pk}
    assert ids(q=plain.ledger_no) == {plain.pk}
    assert len(ids(q="张三")) == 4
    assert ids(court=world.tree.jinan.pk, with_subordinates="false") == set()
    assert len(ids(court=world.tree.jinan.pk)) == 3
    assert ids(origin="new") == set()
    assert high.get("/cases/", status="nonsense").status_code == 422

    page = ok(high.get("/cases/", limit=2, offset=1))
    assert page["count"] == 4 and len(page["items"]) == 2
    # Pages found by id first, then read: together, every case once, in the list's order.
    walked = [
        row["id"]
        for offset in (0, 3)
        for row in ok(high.get("/cases/", limit=3, offset=offset))["items"]
    ]
    ordered = PetitionCase.objects.order_by("-campaign__year", "ledger_no", "pk")
    assert walked == list(ordered.values_list("pk", flat=True))
    # A search counts its matches with the page, and past the last page too.
    for offset, shown in ((0, 3), (3, 1), (10, 0)):
        found = ok(high.get("/cases/", q="张三", limit=3, offset=offset))
        assert (found["count"], len(found["items"])) == (4, shown), offset


def test_list_ids_beyond_a_database_integer_are_refused_not_crashed(world: World) -> None:
    """Found by the API fuzzer: a leader or court number past 64 bits reached the database
    (SQLite: OverflowError, a 500). Now a 422 that names the parameter."""
    high = as_(world.province_office)
    for name in ("leader", "court"):
        response = high.get("/cases/", **{name: -3275347723969825341440})
        assert response.status_code == 422 and name in response.content.decode()
        assert high.get("/cases/", **{name: 2**63}).status_code == 422


# --- query counts ------------------------------------------------------------------------------


def _queries(client: ApiClient, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content.decode()
    return len(queries)


def test_the_list_costs_the_same_for_3_or_20_cases(world: World) -> None:
    for _ in range(3):
        case_in(world, CaseStatus.IN_RESOLUTION)
    high = as_(world.province_office)
    few = _queries(high, "/cases/?q=张三")
    for _ in range(17):
        case_in(world, CaseStatus.IN_RESOLUTION)
    assert ok(high.get("/cases/"))["count"] == 20
    assert _queries(high, "/cases/?q=张三") == few


def _record_work(world: World, case: PetitionCase, day: dt.date) -> None:
    """One more of each record the detail shows (visit, measure, activity, guidance)."""
    office = world.lixia.office
    services.visit_record(
        actor=office, case=case, data=services.VisitInput(visited_on=day, level=VisitLevel.LOCAL)
    )
    services.measure_record(
        actor=office,
        case=case,
        data=services.MeasureInput(kind=MeasureKind.RECEPTION, taken_on=day, summary="接谈"),
    )
    services.leader_activity_record(
        actor=world.lixia.leader_user,
        case=case,
        happened_on=day,
        kind=ActivityKind.MEETING,
        summary="研究",
    )
    services.guidance_add(actor=world.jinan.office, case=case, text=f"指导{day}")


def _returned_round(world: World, case: PetitionCase) -> None:
    """Promise, submit with evidence, and be returned: an acceptance request and two files."""
    document = promise_document(world, case)
    services.resolution_written(
        actor=world.lixia.office, case=case, promise_on=clock.today(), document=document
    )
    evidence = [document, promise_document(world, case)]
    request = services.acceptance_submit(
        actor=world.lixia.office, case=case, note="", evidence=evidence
    )
    services.acceptance_decide(
        actor=world.jinan.office, request=request, accept=False, reason="退回"
    )


def test_the_detail_costs_the_same_for_few_or_many_records(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    _record_work(world, case, dt.date(2019, 1, 1))
    _returned_round(world, case)
    services.escalation_request(actor=world.lixia.office, case=case, reason="难以化解")
    office = as_(world.lixia.office)
    few = _queries(office, f"/cases/{case.pk}")

    for day in range(2, 12):
        _record_work(world, case, dt.date(2019, 1, day))
    for _ in range(3):
        _returned_round(world, case)
    detail = ok(office.get(f"/cases/{case.pk}"))
    assert len(detail["measures"]) == 11 and len(detail["acceptance_requests"]) == 4
    assert _queries(office, f"/cases/{case.pk}") == few


# --- the OpenAPI document ----------------------------------------------------------------------


def test_the_openapi_document_lists_the_case_paths(world: World) -> None:
    document = Client().get(f"{API}/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/api/v1/cases/",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/new-petitions",
        "/api/v1/cases/{case_id}/team",
        "/api/v1/cases/{case_id}/attachments/{attachment_id}",
        "/api/v1/cases/{case_id}/resolution/written",
        "/api/v1/campaigns/{year}/allocate",
        "/api/v1/acceptance/{request_id}/decision",
        "/api/v1/escalations/{request_id}/decision",
        "/api/v1/notifications",
    ):
        assert path in paths, path
    tags = {tag for ops in paths.values() for op in ops.values() for tag in op["tags"]}
    assert {"信访案件", "专项活动", "验收", "提级办理", "通知"} <= tags
    summaries = [op["summary"] for p, ops in paths.items() if "/cases" in p for op in ops.values()]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in s) for s in summaries)
