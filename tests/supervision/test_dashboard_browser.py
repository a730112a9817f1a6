"""In Chromium: the dashboard draws its charts (ECharts from the vendored static file) and
keeps a screenshot of the province, an area and a court."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.browser import DRAWN, in_chromium
from tests.cases.world import build_world
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD
from tests.supervision.province import build_province, play

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("chart-rows", "chart-progress", "chart-status", "chart-timeline")


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="工作台").wait_for()


def assert_charts_drawn(page: Any, charts: tuple[str, ...]) -> None:
    page.wait_for_selector("body[data-charts='drawn']")
    for chart in charts:
        assert page.evaluate(DRAWN, chart), f"{chart} is blank"


def test_the_dashboard_draws_its_charts(live_server: Any) -> None:
    world = build_world()
    province = build_province(world, stock=24, new=4)
    play(province, dt.date(2019, 3, 1), dt.date(2019, 3, 28), share=0.2)
    base = live_server.url
    jinan, lixia = world.tree.jinan.short_name, world.tree.lixia.short_name

    def steps(page: Any) -> None:
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        login(page, base, world.province_office.username)

        page.goto(f"{base}/supervision/?as_of=2019-03-28")
        assert_charts_drawn(page, (*CHARTS, "chart-grid"))
        screenshot(page, "supervision-01-province")

        page.get_by_role("link", name=jinan, exact=True).first.click()
        page.get_by_role("heading", name=f"{jinan} · 化解进度").wait_for()
        assert_charts_drawn(page, (*CHARTS, "chart-grid"))
        screenshot(page, "supervision-02-area")

        page.get_by_role("link", name=lixia, exact=True).first.click()
        page.get_by_role("heading", name=f"{lixia} · 化解进度").wait_for()
        assert_charts_drawn(page, CHARTS)
        screenshot(page, "supervision-03-court")
        assert not errors, errors

    in_chromium(lambda context: steps(context.new_page()), timeout=240)
