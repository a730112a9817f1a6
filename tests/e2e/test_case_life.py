"""In Chromium: the whole life of one case across four users (R6, R8, R9, R11).

历下法院's petition-office contact assembles the team; the case leader logs an activity and
records a written promise with the signed document; the court submits it for acceptance;
济南中院 returns it once with a reason, then accepts it. At each step the test checks what
each user sees on the workbench and the case page, and keeps a screenshot of every page."""

from __future__ import annotations

from typing import Any

import pytest

from huajie.cases import services
from huajie.cases.models import CaseStatus, PetitionCase
from tests.cases.world import PDF, build_world, new_case
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="工作台").wait_for()


ACTION_NAMES = {
    "组建/调整专班": "team",
    "登记包案领导活动": "activity",
    "书面承诺息诉罢访": "written",
    "提交验收": "submit",
    "验收审查": "decide",
}


def open_action(page: Any, label: str) -> Any:
    """Unfold the action whose summary reads `label` and return its <details>."""
    details = page.locator(f'details.action[data-action="{ACTION_NAMES[label]}"]')
    summary = details.locator("summary")
    assert summary.inner_text().strip() == label
    summary.click()
    return details


def status_of(case: PetitionCase) -> str:
    case.refresh_from_db()
    return case.status


def test_one_case_from_team_to_acceptance(live_server: Any, page: Any) -> None:
    world = build_world()
    case = services.case_allocate(actor=world.province_office, case=new_case(world))
    lixia, jinan = world.lixia, world.jinan
    base = live_server.url

    # 1. The petition-office contact sees the case waiting for a team and assembles it.
    login(page, base, lixia.office.username)
    workbench = page.locator("#pile-team")
    assert case.ledger_no in workbench.inner_text()
    screenshot(page, "life-01-office-workbench")
    page.get_by_role("link", name=case.ledger_no).first.click()
    page.get_by_text("专班未配齐：缺少包案领导、庭领导、工作人员、信访联系人").first.wait_for()
    form = open_action(page, "组建/调整专班")
    form.get_by_label("包案领导").select_option(str(lixia.leader.pk))
    form.get_by_label("庭领导").select_option(str(lixia.division_leader.pk))
    form.get_by_label("工作人员").select_option(str(lixia.staff.pk))
    form.get_by_label("信访联系人").select_option(str(lixia.contact.pk))
    screenshot(page, "life-02-team-form")
    form.get_by_role("button", name="组建/调整专班").click()
    page.get_by_text("专班已配齐，案件进入化解。").wait_for()
    assert status_of(case) == CaseStatus.IN_RESOLUTION
    screenshot(page, "life-03-in-resolution")

    # 2. The leader finds it under "my cases", logs an activity and the written promise.
    login(page, base, lixia.leader_user.username)
    assert case.ledger_no in page.locator("#pile-mine").inner_text()
    screenshot(page, "life-04-leader-workbench")
    page.goto(f"{base}/cases/{case.pk}/")
    form = open_action(page, "登记包案领导活动")
    form.get_by_label("日期").fill("2019-05-06")
    form.get_by_label("方式").select_option("reception")
    form.get_by_label("内容").fill("院领导亲自接访信访人，听取诉求并释法明理")
    form.get_by_role("button", name="登记包案领导活动").click()
    page.get_by_text("包案领导活动已登记。").wait_for()
    form = open_action(page, "书面承诺息诉罢访")
    form.get_by_label("承诺日期").fill("2019-05-20")
    form.get_by_label("签字的书面承诺书（PDF 或图片）").set_input_files(
        files=[{"name": "承诺书.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    form.get_by_role("button", name="书面承诺息诉罢访").click()
    page.get_by_text("已登记书面承诺").wait_for()
    assert status_of(case) == CaseStatus.MET_STANDARD
    screenshot(page, "life-05-met-standard")

    # 3. The court submits it for acceptance.
    login(page, base, lixia.office.username)
    page.goto(f"{base}/cases/{case.pk}/")
    form = open_action(page, "提交验收")
    form.get_by_label("申请说明").fill("信访人已书面承诺息诉罢访，请予验收")
    form.get_by_role("button", name="提交验收").click()
    page.get_by_text("已提交").first.wait_for()
    assert status_of(case) == CaseStatus.SUBMITTED

    # 4. 济南中院 reviews it from its workbench and returns it once, with a reason.
    login(page, base, jinan.office.username)
    assert case.ledger_no in page.locator("#pile-review").inner_text()
    screenshot(page, "life-06-reviewer-workbench")
    page.goto(f"{base}/acceptance/")
    screenshot(page, "life-07-acceptance-queue")
    page.get_by_role("link", name=case.ledger_no).click()
    form = open_action(page, "验收审查")
    form.get_by_label("退回", exact=True).check()
    form.get_by_label("审查意见（退回时必填）").fill("承诺书未附信访人身份证复印件")
    form.get_by_role("button", name="验收审查").click()
    page.get_by_text("已退回，并通知责任法院。").wait_for()
    assert status_of(case) == CaseStatus.IN_RESOLUTION
    assert case.return_count == 1

    # The leader is told, and sees the case among the returned ones.
    login(page, base, lixia.leader_user.username)
    assert "条未读" in page.locator("header").inner_html()
    page.goto(f"{base}/notifications/")
    page.get_by_text("承诺书未附信访人身份证复印件").first.wait_for()
    screenshot(page, "life-08-leader-notified")
    page.goto(f"{base}/cases/{case.pk}/")
    form = open_action(page, "书面承诺息诉罢访")
    form.get_by_label("承诺日期").fill("2019-05-28")
    form.get_by_label("签字的书面承诺书（PDF 或图片）").set_input_files(
        files=[
            {
                "name": "承诺书及身份证复印件.pdf",
                "mimeType": "application/pdf",
                "buffer": PDF + b"%second",
            }
        ]
    )
    form.get_by_role("button", name="书面承诺息诉罢访").click()
    page.get_by_text("已登记书面承诺").wait_for()
    form = open_action(page, "提交验收")
    form.get_by_role("button", name="提交验收").click()
    page.get_by_text("已提交").first.wait_for()

    # 5. 济南中院 accepts it this time.
    login(page, base, jinan.office.username)
    page.goto(f"{base}/cases/{case.pk}/")
    form = open_action(page, "验收审查")
    form.get_by_label("验收通过", exact=True).check()
    form.get_by_role("button", name="验收审查").click()
    page.get_by_text("验收通过。").first.wait_for()
    assert status_of(case) == CaseStatus.ACCEPTED
    screenshot(page, "life-09-accepted")

    # The whole story is on the case page's timeline.
    timeline = page.locator("ol.timeline").inner_text()
    for words in ("调整专班", "包案领导", "书面承诺", "提交", "验收退回", "验收通过"):
        assert words in timeline, words
