"""In Chromium: log in and open the court tree (R1, R2)."""

from __future__ import annotations

import pytest

from huajie.accounts.models import Role, Scope
from huajie.courts.models import PositionKind
from tests.e2e.conftest import screenshot
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    PersonFactory,
    add_position,
    build_tree,
    user_at,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_logs_in_and_browses_the_court_tree(live_server: object, page: object) -> None:
    tree = build_tree()
    dept = DepartmentFactory(court=tree.lixia, name="诉讼服务中心（信访办）", kind="petition")
    contact = PersonFactory(court=tree.lixia, department=dept, name="颜丽华")
    add_position(contact, PositionKind.PETITION_CONTACT, "信访联系人")
    user_at(tree.jinan, role=Role.PETITION_OFFICE, scope=Scope.SUBTREE, username="jn_xf")
    base = live_server.url  # type: ignore[attr-defined]

    page.goto(f"{base}/courts/")  # type: ignore[attr-defined]
    assert "/accounts/login/" in page.url  # type: ignore[attr-defined]
    screenshot(page, "foundation-01-login")
    page.get_by_label("用户名").fill("jn_xf")  # type: ignore[attr-defined]
    page.get_by_label("密码").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="登录").click()  # type: ignore[attr-defined]

    page.get_by_role("heading", name="法院与人员").wait_for()  # type: ignore[attr-defined]
    body = page.content()  # type: ignore[attr-defined]
    assert "山东省济南市历下区人民法院" in body
    assert "山东省青岛市市南区人民法院" not in body
    screenshot(page, "foundation-02-court-tree")

    page.get_by_role("link", name="山东省济南市历下区人民法院").click()  # type: ignore[attr-defined]
    page.get_by_role("heading", name="诉讼服务中心（信访办）").wait_for()  # type: ignore[attr-defined]
    assert "颜丽华" in page.content()  # type: ignore[attr-defined]
    screenshot(page, "foundation-03-court-detail")

    page.get_by_role("button", name="退出").click()  # type: ignore[attr-defined]
    page.get_by_role("heading", name="登录").wait_for()  # type: ignore[attr-defined]
