"""In Chromium, under the real content security policy: a petition-office user opens the
workbench, the case list (and filters it through htmx), a case page, the supervision dashboard
(and hovers a chart for its tooltip), the other pages of the header and the API documentation;
the browser reports no policy violation and no script error, and the dashboard's charts are
drawn (issue #8, R18).

Violations are caught twice: Chromium's own console message ("Refused to … because it violates
the following Content Security Policy directive") and the page's `securitypolicyviolation`
event, which an init script (not subject to the policy) forwards to the console. The test ends
by causing one violation on purpose, to prove the listeners hear it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.browser import DRAWN, in_chromium
from tests.cases.world import build_world
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD
from tests.supervision.province import build_province, play

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARK = "CSP-VIOLATION"
LISTEN = (
    "document.addEventListener('securitypolicyviolation', function (e) {"
    f"  console.error('{MARK} ' + e.effectiveDirective + ' blocked=' + e.blockedURI"
    "    + ' at ' + e.sourceFile + ':' + e.lineNumber + ' ' + (e.sample || ''));"
    "});"
)
OTHER_PAGES = (
    "/acceptance/",
    "/notifications/",
    "/cases/new-petition/",
    "/ledger/import/",
    "/bulletins/",
    "/supervision/assessment/",
    "/supervision/exemplary/",
    "/courts/",
    "/accounts/password/",
)
CHARTS = ("chart-rows", "chart-progress", "chart-status", "chart-timeline", "chart-grid")
INJECT_STYLE = "() => document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')"


def is_policy_problem(text: str) -> bool:
    return (
        MARK in text
        or "Content Security Policy" in text
        or "Permissions-Policy" in text
        or "Permissions policy" in text
    )


def test_pages_run_under_the_policy_without_violations(live_server: Any) -> None:
    world = build_world()
    province = build_province(world, stock=12, new=2)
    play(province, dt.date(2019, 3, 1), dt.date(2019, 3, 15), share=0.2)
    case = province.cases[0]
    base = live_server.url
    user = world.province_office

    def steps(context: Any) -> None:
        context.add_init_script(script=LISTEN)
        page = context.new_page()
        console: list[str] = []
        errors: list[str] = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: errors.append(str(e)))

        def problems() -> list[str]:
            return [line for line in console if is_policy_problem(line)] + errors

        page.goto(f"{base}/accounts/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_role("heading", name="工作台").wait_for()
        # htmx read its configuration: no injected indicator <style>, no eval.
        config = page.evaluate("() => [htmx.config.includeIndicatorStyles, htmx.config.allowEval]")
        assert config == [False, False]
        assert page.evaluate("() => document.querySelectorAll('style').length") == 0
        assert problems() == [], problems()

        page.goto(f"{base}/cases/")
        page.get_by_role("heading", name="案件台账").wait_for()
        # A filter change goes through htmx and swaps the table in place.
        with page.expect_response(
            lambda r: "/cases/?" in r.url and r.request.headers.get("hx-request") == "true"
        ):
            page.select_option("select[name=status]", index=1)
        page.wait_for_url(re.compile(r"/cases/\?.*status="))  # hx-push-url
        assert problems() == [], problems()

        page.goto(f"{base}/cases/{case.pk}/")
        page.locator("details.action summary").first.wait_for()
        page.locator("details.action summary").first.click()
        assert problems() == [], problems()

        page.goto(f"{base}/supervision/?as_of=2019-03-15")
        page.wait_for_selector("body[data-charts='drawn']")
        for chart in CHARTS:
            assert page.evaluate(DRAWN, chart), f"{chart} is blank"
        for chart in CHARTS:  # tooltips are drawn on hover: they too must respect the policy
            page.hover(f"#{chart} canvas")
            page.mouse.move(10, 10)
        page.wait_for_load_state("networkidle")
        screenshot(page, "security-01-dashboard-under-csp")
        assert problems() == [], problems()

        # The other pages of the header, briefly: each renders without a violation.
        for path in OTHER_PAGES:
            response = page.goto(f"{base}{path}")
            assert response is not None and response.status == 200, path
            page.locator("main h1").first.wait_for()
        assert problems() == [], problems()

        page.goto(f"{base}/api/v1/docs")
        page.locator(".swagger-ui .info").wait_for()
        assert problems() == [], problems()

        # The listeners work: an inline style attribute written now is refused and heard.
        with page.expect_console_message(lambda m: MARK in m.text):
            page.evaluate(INJECT_STYLE)
        heard = [line for line in console if MARK in line]
        assert heard and "style-src" in heard[0], console
        assert any("Content Security Policy" in line for line in console), console

    in_chromium(steps)
