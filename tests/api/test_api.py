"""The JSON API: token auth, OpenAPI document, and the same policy as the pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from huajie.accounts.models import Role, Scope
from huajie.audit.models import AuditEvent
from tests.factories import PASSWORD, PersonFactory, Tree, user_at

pytestmark = pytest.mark.django_db


def token_for(username: str) -> str:
    response = Client().post(
        "/api/v1/auth/token",
        data=json.dumps({"username": username, "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_openapi_document_is_served() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/auth/token" in paths
    assert "/api/v1/courts/" in paths


def test_wrong_password_gets_no_token(tree: Tree) -> None:
    user_at(tree.lixia, username="lx_xf")
    response = Client().post(
        "/api/v1/auth/token",
        data=json.dumps({"username": "lx_xf", "password": "nope"}),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "用户名或密码错误"


def test_requests_without_a_token_are_refused(tree: Tree) -> None:
    assert Client().get("/api/v1/courts/").status_code == 401
    assert api("not-a-token").get("/api/v1/courts/").status_code == 401


def test_court_list_is_scoped(tree: Tree) -> None:
    user_at(tree.jinan, scope=Scope.SUBTREE, username="jn_xf")
    codes = {c["code"] for c in api(token_for("jn_xf")).get("/api/v1/courts/").json()}
    assert codes == {"鲁01", "鲁0102", "鲁0103"}


def test_court_outside_scope_is_404(tree: Tree) -> None:
    user_at(tree.lixia, username="lx_xf")
    client = api(token_for("lx_xf"))
    assert client.get(f"/api/v1/courts/{tree.shinan.pk}").status_code == 404
    assert client.get(f"/api/v1/courts/{tree.shinan.pk}/people").status_code == 404
    assert client.get(f"/api/v1/courts/{tree.lixia.pk}/people").status_code == 200


def test_court_admin_updates_own_people_with_an_audit_event(tree: Tree) -> None:
    user_at(tree.lixia, role=Role.COURT_ADMIN, username="lx_gly")
    person = PersonFactory(court=tree.lixia, phone="")
    response = api(token_for("lx_gly")).patch(
        f"/api/v1/courts/people/{person.pk}",
        data={"phone": "0531-88888888"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert person.phone == "0531-88888888"
    event = AuditEvent.objects.get(verb="person.update")
    assert event.before == {"phone": ""} and event.after == {"phone": "0531-88888888"}


def test_supervisor_may_see_but_not_change_subordinate_people(tree: Tree) -> None:
    user_at(tree.jinan, role=Role.PETITION_OFFICE, scope=Scope.SUBTREE, username="jn_xf")
    person = PersonFactory(court=tree.lixia, phone="1")
    client = api(token_for("jn_xf"))
    assert client.get(f"/api/v1/courts/{tree.lixia.pk}/people").status_code == 200
    response = client.patch(
        f"/api/v1/courts/people/{person.pk}", data={"phone": "2"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "权限" in response.json()["detail"]
    person.refresh_from_db()
    assert person.phone == "1"


def test_people_of_another_city_cannot_be_changed_or_seen(tree: Tree) -> None:
    user_at(tree.lixia, role=Role.COURT_ADMIN, username="lx_gly")
    person = PersonFactory(court=tree.shinan, phone="1")
    response = api(token_for("lx_gly")).patch(
        f"/api/v1/courts/people/{person.pk}",
        data={"phone": "2"},
        content_type="application/json",
    )
    assert response.status_code == 404
    person.refresh_from_db()
    assert person.phone == "1"
    assert not AuditEvent.objects.exists()
