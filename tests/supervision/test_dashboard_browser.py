"""In Chromium: the dashboard draws its charts (ECharts from the vendored static file) and
keeps a screenshot of the province, an area and a court.

Playwright runs in a thread of its own: the session-wide browser of tests/e2e keeps Playwright's
sync event loop open in the main thread, and a second sync Playwright there is refused."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.cases.world import build_world
from tests.e2e.conftest import CHROMIUM, screenshot
from tests.factories import PASSWORD
from tests.supervision.province import build_province, play

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("chart-rows", "chart-progress", "chart-status", "chart-timeline")

# True when the chart's canvas holds something other than a blank canvas of the same size.
DRAWN = """(id) => {
  const canvas = document.querySelector('#' + id + ' canvas');
  if (!canvas) { return false; }
  const blank = document.createElement('canvas');
  blank.width = canvas.width;
  blank.height = canvas.height;
  return canvas.width > 0 && canvas.toDataURL() !== blank.toDataURL();
}"""


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


ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _in_chromium(steps: Any) -> None:
    """Run `steps(page)` in a fresh Chromium, in a thread; re-raise what it raised."""
    if not Path(CHROMIUM).exists():
        message = f"找不到 Chromium（{CHROMIUM}）：apt-get install chromium"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        # Only a developer's machine without the tool gets here; under CI=true it fails above.
        pytest.skip(message)
    failures: list[BaseException] = []

    def run() -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                context = browser.new_context(
                    locale="zh-CN", viewport={"width": 1280, "height": 900}
                )
                try:
                    steps(context.new_page())
                finally:
                    context.close()
                    browser.close()
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=240)
    assert not thread.is_alive(), "the browser did not finish in time"
    if failures:
        raise failures[0]


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

    _in_chromium(steps)
