"""The API's error answers (issue #8): Chinese, field by field, JSON, never a 500 — and the
OpenAPI document declares them (the API of R3–R15, R19)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings
from pydantic import BaseModel, Field, ValidationError

from huajie.accounts.models import ApiToken
from huajie.api.api import api as ninja_api
from huajie.api.errors import INVALID, MESSAGES, field_name, translate
from huajie.cases.models import CaseStatus, PetitionCase
from huajie.core.api_errors import ValidationErrorOut
from tests.cases.world import World, case_in

pytestmark = pytest.mark.django_db

JSON = "application/json"


def client_for(world: World) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(world.lixia.office)}")


def field_errors(response: Any) -> dict[str, str]:
    """The 422 body, checked against its declared schema, as {field: message}."""
    assert response.status_code == 422, response.content
    body = response.json()
    ValidationErrorOut.model_validate(body)
    return {e["field"]: e["message"] for e in body["errors"]}


# --- 422: what to fix, field by field ------------------------------------------------------


def test_a_bad_visit_lists_every_field_in_chinese(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    response = client_for(world).post(
        f"/api/v1/cases/{case.pk}/visits",
        {"visited_on": "2019-02-30", "level": "mars", "summary": "x" * 300},
        content_type=JSON,
    )
    assert response.json()["detail"] == INVALID
    errors = field_errors(response)
    assert errors["visited_on"].startswith("日期格式应为 YYYY-MM-DD")
    assert errors["level"].startswith("应为以下之一：") and "'beijing'" in errors["level"]
    assert errors["summary"] == "最多255个字符"
    assert case.visits.count() == 1  # only the one the case was created with


def test_nested_fields_are_named_by_their_path(world: World) -> None:
    response = client_for(world).post(
        "/api/v1/cases/",
        {
            "petition_type": "beijing",
            "petitioners": [{"name": "张三"}, {"name": 7}],
            "visits": [{"visited_on": "2019-01-05T10:30:00", "level": "beijing"}, {}],
        },
        content_type=JSON,
    )
    errors = field_errors(response)
    assert errors["petitioners[1].name"] == "应为文字"
    assert errors["visits[0].visited_on"] == "应为日期，不能带时刻（YYYY-MM-DD）"
    assert errors["visits[1].visited_on"] == "必填"
    assert errors["visits[1].level"] == "必填"
    assert not PetitionCase.objects.filter(claims="").exists()


def test_a_missing_body_field_is_required(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    response = client_for(world).post(
        f"/api/v1/cases/{case.pk}/resolution/oral", {}, content_type=JSON
    )
    assert field_errors(response) == {"promise_on": "必填"}


def test_query_parameters_are_checked_in_chinese(world: World) -> None:
    response = client_for(world).get("/api/v1/cases/", {"limit": 0, "offset": "x", "court": "一"})
    assert field_errors(response) == {
        "limit": "应不小于1",
        "offset": "应为整数",
        "court": "应为整数",
    }


def test_a_refusal_about_one_field_names_it(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    response = client_for(world).put(
        f"/api/v1/cases/{case.pk}/team", {"leader": 999_999}, content_type=JSON
    )
    assert response.json()["detail"] == "leader：编号为999999的人员不存在或无权查看。"
    assert field_errors(response) == {"leader": "编号为999999的人员不存在或无权查看。"}


# --- bodies that are not JSON, too large, or hold what no column can -----------------------


def test_malformed_json_is_400_in_chinese(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    response = client_for(world).post(
        f"/api/v1/cases/{case.pk}/resolution/oral", '{"promise_on": ', content_type=JSON
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("请求内容不是有效的 JSON（第1行")


def test_a_body_that_is_not_utf8_is_400(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    response = client_for(world).post(
        f"/api/v1/cases/{case.pk}/guidance", "中文".encode("gbk"), content_type=JSON
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["detail"]


def test_another_content_type_is_415(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    response = client_for(world).post(
        f"/api/v1/cases/{case.pk}/resolution/oral",
        json.dumps({"promise_on": "2019-05-01"}),
        content_type="text/plain",
    )
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_RESOLUTION


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_huge_body_is_413_in_chinese(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    response = client_for(world).post(
        f"/api/v1/cases/{case.pk}/guidance", {"text": "很长" * 2000}, content_type=JSON
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "请求内容过大（上限 1 KB）"
    assert not case.guidance.exists()


def test_a_nul_character_is_422_naming_the_field(world: World) -> None:
    """PostgreSQL cannot store U+0000 in text: without this check it was a 500 there."""
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    client = client_for(world)
    response = client.post(
        f"/api/v1/cases/{case.pk}/measures",
        {
            "kind": "reception",
            "taken_on": "2019-05-01",
            "summary": "谈话",
            "participants": [{"name": "王\x00五", "identity": "律师"}],
        },
        content_type=JSON,
    )
    assert field_errors(response) == {"participants[0].name": "不能含有空字符（\\u0000）"}
    assert field_errors(client.get("/api/v1/cases/", {"q": "a\x00"})) == {
        "q": "不能含有空字符（\\u0000）"
    }


# --- authentication, unknown paths ---------------------------------------------------------


def test_no_token_is_401_in_chinese(world: World) -> None:
    response = Client().get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("未登录或接口令牌无效")


def test_a_session_without_csrf_token_is_403_in_chinese(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.lixia.office)
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    response = client.post(f"/api/v1/cases/{case.pk}/guidance", {"text": "指导"}, content_type=JSON)
    assert response.status_code == 403
    assert response.json()["detail"] == "您没有执行此操作的权限（使用登录会话时须带 CSRF 令牌）"
    assert not case.guidance.exists()


def test_a_path_id_that_is_not_a_number_is_a_json_404(world: World) -> None:
    response = client_for(world).get("/api/v1/cases/null,null")
    assert response.status_code == 404
    assert response.json() == {"detail": "不存在或无权查看"}


# --- the translation itself ----------------------------------------------------------------


class _Sample(BaseModel):
    day: Any = None
    count: int = Field(0, ge=0)
    name: str = Field("", max_length=3)


def test_every_translated_message_is_chinese() -> None:
    ctx = {
        "max_length": 3,
        "min_length": 1,
        "expected": "'a' or 'b'",
        "gt": 0,
        "ge": 0,
        "lt": 9,
        "le": 9,
        "max_digits": 12,
        "decimal_places": 2,
        "whole_digits": 10,
    }
    for kind, message in MESSAGES.items():
        assert not message(ctx).isascii(), kind
    assert translate([{"type": "no_such_type", "loc": ("body", "payload", "x")}]) == [
        {"field": "x", "message": "取值无效"}
    ]


def test_pydantic_errors_translate_with_their_limits() -> None:
    with pytest.raises(ValidationError) as caught:
        _Sample(count=-1, name="abcd")
    errors = translate(caught.value.errors(), param_names=("payload",))
    assert errors == [
        {"field": "count", "message": "应不小于0"},
        {"field": "name", "message": "最多3个字符"},
    ]


def test_field_names_drop_the_source_and_the_body_argument() -> None:
    assert field_name(("body", "payload", "visits", 0, "visited_on"), param_names=["payload"]) == (
        "visits[0].visited_on"
    )
    assert field_name(("query", "limit")) == "limit"
    assert field_name(("form", "purpose"), param_names=["payload"]) == "purpose"
    assert field_name(("body", "payload"), param_names=["payload"]) == "payload"


# --- the OpenAPI document says all this ----------------------------------------------------


def test_every_operation_documents_its_errors() -> None:
    document = ninja_api.get_openapi_schema(path_prefix="/api/v1/")
    assert "ValidationErrorOut" in document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = {str(code): answer for code, answer in operation["responses"].items()}
            where = f"{method.upper()} {path}"
            assert {"401", "422"} <= set(responses), where
            schema = responses["422"]["content"]["application/json"]["schema"]["$ref"]
            assert schema.endswith("/ValidationErrorOut"), where
            if "{" in path:
                assert "404" in responses, where
            if (
                "requestBody" in operation
                and "application/json" in operation["requestBody"]["content"]
            ):
                assert {"400", "413", "415"} <= set(responses), where


# --- numbers beyond what the database holds (found by the fuzzer) --------------------------


def test_an_offset_beyond_any_ledger_is_422_not_500(world: World) -> None:
    client = client_for(world)
    huge = "10125365463047354368"
    assert field_errors(client.get("/api/v1/notifications", {"offset": huge})) == {
        "offset": "应不大于1000000000"
    }
    assert field_errors(client.get("/api/v1/cases/", {"offset": huge})) == {
        "offset": "应不大于1000000000"
    }


def test_an_evidence_id_beyond_64_bits_is_422_not_500(world: World) -> None:
    case = case_in(world, CaseStatus.MET_STANDARD)
    response = client_for(world).post(
        f"/api/v1/cases/{case.pk}/acceptance",
        {"note": "", "evidence_ids": [2**64]},
        content_type=JSON,
    )
    assert field_errors(response) == {"evidence_ids[0]": "应不大于9223372036854775807"}
    case.refresh_from_db()
    assert case.status == CaseStatus.MET_STANDARD


def test_a_path_with_control_characters_is_a_json_404(world: World) -> None:
    response = client_for(world).post("/api/v1/cases/%1F%0A%C2%8A/leader-activities")
    assert response.status_code == 404
    assert response.json() == {"detail": "不存在或无权查看"}


def test_a_malformed_retrial_number_with_another_measure_kind_is_409_not_500(
    world: World,
) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    client = client_for(world)
    url = f"/api/v1/cases/{case.pk}/measures"
    measure = {"kind": "other", "taken_on": "2019-05-01", "summary": "走访"}
    refused = client.post(url, {**measure, "retrial_case_number": ",./;"}, content_type=JSON)
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("再审案号有误：")
    blank = client.post(url, {**measure, "retrial_case_number": "  "}, content_type=JSON)
    assert blank.status_code == 201, blank.content
    assert blank.json()["retrial_case_number"] == ""
    assert case.measures.count() == 1
