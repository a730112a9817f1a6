"""The court-tree pages: scoped, logged-in only, fixed query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from huajie.accounts.models import Role, Scope
from huajie.courts.models import Department, PositionKind
from tests.factories import DepartmentFactory, PersonFactory, Tree, add_position, user_at

pytestmark = pytest.mark.django_db


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_anonymous_visitor_is_sent_to_login(tree: Tree) -> None:
    response = Client().get(f"/courts/{tree.lixia.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_tree_lists_only_courts_in_scope(tree: Tree) -> None:
    client = logged_in(user_at(tree.jinan, scope=Scope.SUBTREE))
    page = client.get("/courts/").content.decode()
    assert "山东省济南市历下区人民法院" in page
    assert "山东省青岛市市南区人民法院" not in page
    assert "山东省高级人民法院" not in page


def test_court_page_shows_departments_people_and_positions(tree: Tree) -> None:
    dept = DepartmentFactory(court=tree.lixia, name="诉讼服务中心（信访办）", kind="petition")
    person = PersonFactory(court=tree.lixia, department=dept, name="孔德明")
    add_position(person, PositionKind.PETITION_CONTACT, "信访联系人")
    president = PersonFactory(court=tree.lixia, name="孟庆华")
    add_position(president, PositionKind.PRESIDENT, "院长")
    page = logged_in(user_at(tree.lixia)).get(f"/courts/{tree.lixia.pk}/").content.decode()
    assert "诉讼服务中心（信访办）" in page
    assert "孔德明" in page and "信访联系人" in page
    assert "孟庆华" in page and "院长" in page


def test_court_page_of_another_city_is_404(tree: Tree) -> None:
    client = logged_in(user_at(tree.qingdao, scope=Scope.SUBTREE))
    response = client.get(f"/courts/{tree.lixia.pk}/")
    assert response.status_code == 404
    assert "不存在" in response.content.decode()


def test_court_page_of_a_superior_court_is_404_for_a_basic_court_user(tree: Tree) -> None:
    client = logged_in(user_at(tree.lixia, role=Role.COURT_LEADER))
    assert client.get(f"/courts/{tree.jinan.pk}/").status_code == 404


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_court_page_query_count_does_not_grow_with_people(tree: Tree) -> None:
    client = logged_in(user_at(tree.lixia))
    dept = DepartmentFactory(court=tree.lixia)
    PersonFactory(court=tree.lixia, department=dept)
    few = _queries(client, f"/courts/{tree.lixia.pk}/")
    for i in range(30):
        extra_dept = (
            dept
            if i % 2
            else Department.objects.create(court=tree.lixia, name=f"庭{i}", kind="trial")
        )
        person = PersonFactory(court=tree.lixia, department=extra_dept)
        add_position(person, PositionKind.JUDGE, "审判员")
    assert _queries(client, f"/courts/{tree.lixia.pk}/") == few


def test_tree_query_count_does_not_grow_with_courts(tree: Tree) -> None:
    from huajie.courts.models import CourtLevel
    from huajie.courts.services import court_create

    client = logged_in(user_at(tree.high, scope=Scope.PROVINCE))
    few = _queries(client, "/courts/")
    for i in range(20):
        court_create(
            name=f"测试基层法院{i}",
            short_name=f"测{i}",
            code=f"鲁09{i:02d}",
            level=CourtLevel.BASIC,
            parent=tree.qingdao,
        )
    assert _queries(client, "/courts/") == few
