"""On a phone-sized screen the pages fit the width, and the keyboard reaches every action."""

from __future__ import annotations

from typing import Any

import pytest

from huajie.cases.models import CaseStatus
from tests.cases.world import build_world, case_in
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_fit_a_phone_and_actions_are_reachable_by_keyboard(
    live_server: Any, browser: Any
) -> None:
    world = build_world()
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("用户名").fill(world.lixia.office.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="工作台").wait_for()
        for url, name in (
            (f"/cases/{case.pk}/", "phone-case"),
            ("/cases/", "phone-list"),
            ("/workbench/", "phone-workbench"),
        ):
            page.goto(f"{live_server.url}{url}")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            screenshot(page, name)
            assert overflow <= 1, f"{url} is {overflow}px wider than the phone"
        page.goto(f"{live_server.url}/cases/{case.pk}/")
        for _ in range(60):  # Tab through the page until the measure action has focus
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == "登记化解措施":
                break
        else:
            pytest.fail("the keyboard never reached 登记化解措施")
        page.keyboard.press("Enter")
        assert page.locator('details[data-action="measure"]').get_attribute("open") is not None
    finally:
        context.close()
