"""The ledger in the browser (server side): workbench, list, case page, actions, notifications.

Every page refuses a user outside its scope (404) and a user who may see but not act (403);
list pages cost a fixed number of queries however many rows they show."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from huajie.accounts.models import Role, Scope
from huajie.audit.models import AuditEvent
from huajie.cases import services
from huajie.cases.models import CaseStatus, Notification, VisitLevel
from huajie.core import clock
from tests.cases.world import PDF, World, case_in, staff_court

pytestmark = pytest.mark.django_db


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


# --- case page -----------------------------------------------------------------------------


def test_case_page_shows_header_sections_and_masked_identity(world: World) -> None:
    case = case_in(
        world, CaseStatus.IN_RESOLUTION, id_number="11010519491231002X", phone="13812345678"
    )
    page = client_for(world.lixia.judge_user).get(f"/cases/{case.pk}/").content.decode()
    for text in (
        "化解中",
        "包案领导",
        "信访记录",
        "原审案件",
        "分类化解与措施",
        "包案领导活动",
        "化解标准",
        "验收",
        "提级办理与上级指导",
        "附件",
        "全过程记录",
    ):
        assert text in page, text
    assert "110105********002X" in page and "11010519491231002X" not in page
    assert "138****5678" in page
    assert "显示完整身份证号" not in page  # a judge off the team may not reveal


def test_revealing_identity_is_allowed_to_the_office_and_audited(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION, id_number="11010519491231002X")
    client = client_for(world.lixia.office)
    assert "显示完整身份证号" in client.get(f"/cases/{case.pk}/").content.decode()
    response = client.post(f"/cases/{case.pk}/reveal/", HTTP_HX_REQUEST="true")
    assert "11010519491231002X" in response.content.decode()
    assert AuditEvent.objects.filter(
        verb="petitioner.reveal", case_id=case.pk, actor=world.lixia.office
    ).exists()
    assert client_for(world.lixia.judge_user).post(f"/cases/{case.pk}/reveal/").status_code == 403


def test_case_page_of_another_city_is_404(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    assert client_for(world.shinan.office).get(f"/cases/{case.pk}/").status_code == 404
    assert (
        client_for(world.shinan.office)
        .post(f"/cases/{case.pk}/actions/guidance/", {"guidance-text": "越界"})
        .status_code
        == 404
    )


def test_a_closed_action_says_why(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    services.team_assign(
        actor=world.lixia.office,
        case=case,
        members={
            "leader": world.lixia.leader,
            "division_leader": world.lixia.division_leader,
            "staff": world.lixia.staff,
        },
    )
    page = client_for(world.lixia.office).get(f"/cases/{case.pk}/").content.decode()
    assert "专班未配齐：缺少信访联系人" in page


def test_assembling_the_team_through_the_page(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    staff = world.lixia
    response = client_for(staff.office).post(
        f"/cases/{case.pk}/actions/team/",
        {
            "team-leader": staff.leader.pk,
            "team-division_leader": staff.division_leader.pk,
            "team-staff": staff.staff.pk,
            "team-petition_contact": staff.contact.pk,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "专班已配齐，案件进入化解" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_RESOLUTION


def test_an_ineligible_leader_is_refused_with_the_reason_and_nothing_changes(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    response = client_for(world.lixia.office).post(
        f"/cases/{case.pk}/actions/team/",
        {"team-leader": world.lixia.leader_outside_quota.pk},
        HTTP_HX_REQUEST="true",
    )
    assert "未入额院领导" in response.content.decode()
    case.refresh_from_db()
    assert case.leader is None


def test_without_javascript_an_action_redirects_back_with_a_message(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    client = client_for(world.lixia.leader_user)
    response = client.post(
        f"/cases/{case.pk}/actions/activity/",
        {
            "activity-happened_on": clock.today().isoformat(),
            "activity-kind": "reception",
            "activity-summary": "亲自接访信访人",
        },
    )
    assert response.status_code == 302
    assert "包案领导活动已登记" in client.get(response["Location"]).content.decode()


def test_invalid_input_is_explained_in_chinese(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    response = client_for(world.lixia.office).post(
        f"/cases/{case.pk}/actions/oral/", {"oral-promise_on": "2019-13-45"}, HTTP_HX_REQUEST="true"
    )
    assert "承诺日期格式应为 年-月-日" in response.content.decode()


def test_a_user_who_sees_but_may_not_act_gets_403(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    client = client_for(world.jinan.office)  # supervisor: sees the case, does not staff it
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    response = client.post(
        f"/cases/{case.pk}/actions/team/", {"team-leader": world.lixia.leader.pk}
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.leader is None


def test_written_promise_upload_and_acceptance_through_the_pages(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    office = client_for(world.lixia.office)
    document = io.BytesIO(PDF)
    document.name = "承诺书.pdf"
    office.post(
        f"/cases/{case.pk}/actions/written/",
        {"written-promise_on": clock.today().isoformat(), "written-document": document},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.MET_STANDARD
    office.post(f"/cases/{case.pk}/actions/submit/", {"submit-note": "请验收"})
    reviewer = client_for(world.jinan.office)
    assert case.ledger_no in reviewer.get("/acceptance/").content.decode()
    reviewer.post(
        f"/cases/{case.pk}/actions/decide/",
        {"decide-decision": "return", "decide-reason": "承诺书无签名"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_RESOLUTION and case.return_count == 1
    attachment = case.attachments.get()
    download = office.get(f"/cases/{case.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert (
        client_for(world.shinan.office)
        .get(f"/cases/{case.pk}/attachments/{attachment.pk}/")
        .status_code
        == 404
    )


def test_an_unknown_action_is_404(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    assert client_for(world.lixia.office).post(f"/cases/{case.pk}/actions/nope/").status_code == 404


def test_an_action_form_is_fetched_when_its_details_open(world: World) -> None:
    """Issue #7: the case page renders no form until one is opened (htmx fetches it), or
    asked for with ?form= when scripts are off; the form answers to the policy like the
    action itself."""
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    office = client_for(world.lixia.office)
    url = f"/cases/{case.pk}/actions/team/"
    page = office.get(f"/cases/{case.pk}/").content.decode()
    assert f'hx-get="{url}" hx-trigger="toggle once from:closest details"' in page
    assert 'name="team-leader"' not in page
    assert f'action="/cases/{case.pk}/actions/' not in page  # no action form is rendered
    form = office.get(url).content.decode()
    assert form.startswith("<form") and 'name="team-leader"' in form
    assert f'<option value="{world.lixia.leader.pk}"' in form
    inline = office.get(f"/cases/{case.pk}/?form=team").content.decode()
    assert 'id="action-team" data-action="team" open' in inline and 'name="team-leader"' in inline
    assert client_for(world.lixia.judge_user).get(url).status_code == 403
    assert client_for(world.shinan.office).get(url).status_code == 404
    assert office.put(url).status_code == 405
    closed = office.get(f"/cases/{case.pk}/actions/submit/")  # the standard is not met yet
    assert closed.status_code == 200 and closed.content.decode().startswith('<p class="why">')


def test_anonymous_visitors_are_sent_to_login(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    for url in ("/workbench/", "/cases/", f"/cases/{case.pk}/", "/acceptance/", "/notifications/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


# --- workbench, list, notifications ---------------------------------------------------------


def test_workbench_shows_what_waits_for_each_user(world: World) -> None:
    waiting = case_in(world, CaseStatus.ALLOCATED)
    mine = case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0500")
    submitted = case_in(world, CaseStatus.SUBMITTED, ledger_no="2019-0600")
    office_page = client_for(world.lixia.office).get("/workbench/").content.decode()
    assert waiting.ledger_no in office_page  # team to assemble
    leader_page = client_for(world.lixia.leader_user).get("/workbench/").content.decode()
    assert mine.ledger_no in leader_page
    reviewer_page = client_for(world.jinan.office).get("/workbench/").content.decode()
    assert submitted.ledger_no in reviewer_page
    assert (
        waiting.ledger_no not in client_for(world.shinan.office).get("/workbench/").content.decode()
    )


def test_workbench_query_count_does_not_grow_with_cases(world: World) -> None:
    client = client_for(world.jinan.office)
    case_in(world, CaseStatus.SUBMITTED)
    few = count_queries(client, "/workbench/")
    for n in range(6):
        case_in(world, CaseStatus.SUBMITTED, ledger_no=f"2019-1{n:03d}")
        case_in(world, CaseStatus.ALLOCATED, ledger_no=f"2019-2{n:03d}")
    assert count_queries(client, "/workbench/") == few


def test_a_full_workbench_list_shows_its_latest_cases_in_order_and_counts_them_all(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list shows its first rows (found by id, then read: `workbench._pile`) in the
    list's order, the latest change first, and counts every case on it."""
    from huajie.cases.models import PetitionCase
    from huajie.cases.workbench import workbench

    monkeypatch.setattr("huajie.cases.workbench.LIST_LIMIT", 2)
    made = [case_in(world, CaseStatus.ALLOCATED, ledger_no=f"2019-07{n}") for n in range(3)]
    base = dt.datetime(2019, 3, 1, 12, tzinfo=dt.UTC)
    for hours, case in zip((5, 1, 9), made, strict=True):
        PetitionCase.objects.filter(pk=case.pk).update(updated_at=base + dt.timedelta(hours=hours))
    piles = {pile.key: pile for pile in workbench(world.lixia.office)}
    team = piles["team"]
    assert [row.ledger_no for row in team.rows] == ["2019-072", "2019-070"]
    assert team.total == 3


def test_a_workbench_row_shows_the_day_its_list_is_about(world: World) -> None:
    """A review row shows when the request was submitted; an observation row when the
    observation period ends; each links to its case and names its court and status."""
    from django.utils import timezone

    from huajie.cases.workbench import workbench

    submitted = case_in(world, CaseStatus.SUBMITTED, ledger_no="2019-0101")
    observed = case_in(world, CaseStatus.OBSERVATION, ledger_no="2019-0102")
    assert observed.observation_last_day is not None
    near_its_end = observed.observation_last_day - dt.timedelta(days=10)
    piles = {pile.key: pile for pile in workbench(world.jinan.office, near_its_end)}
    (review,) = piles["review"].rows
    request = submitted.acceptance_requests.get()
    assert review.url == f"/cases/{submitted.pk}/" and review.ledger_no == "2019-0101"
    assert review.day == timezone.localdate(request.submitted_at).isoformat()
    (ending,) = piles["observation"].rows
    assert ending.day == observed.observation_last_day.isoformat()
    assert (ending.status, ending.court) == ("观察期", observed.court.short_name)
    page = client_for(world.jinan.office).get("/workbench/").content.decode()
    assert f'<a href="/cases/{submitted.pk}/">2019-0101</a>' in _pile(page, "review")


def _pile(page: str, key: str) -> str:
    """The workbench section of one list."""
    start = page.index(f'id="pile-{key}"')
    return page[start : page.index("</section>", start)]


def test_the_province_offices_review_and_nominal_lists_hold_its_province_only(
    world: World,
) -> None:
    """The province office's review list is asked by the reviewing court too, and the
    possibly-nominal list through a partial index (issue #7: neither reads every case); both
    still hold exactly the province's cases."""
    submitted = case_in(world, CaseStatus.SUBMITTED, ledger_no="2019-0600")
    quiet = case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0700")
    services.tick(as_of=clock.today() + dt.timedelta(days=services.nominal_after_days() + 1))
    quiet.refresh_from_db()
    assert quiet.possibly_nominal
    page = client_for(world.province_office).get("/workbench/").content.decode()
    assert submitted.ledger_no in _pile(page, "review")
    assert quiet.ledger_no in _pile(page, "nominal")
    jiangsu = staff_court(world.tree.other_high, office_scope=Scope.PROVINCE).office
    jiangsu.role = Role.PROVINCE_OFFICE
    jiangsu.save(update_fields=["role"])
    other = client_for(jiangsu).get("/workbench/").content.decode()
    assert "2019-0600" not in _pile(other, "review") and "2019-0700" not in _pile(other, "nominal")


def test_list_filters_search_and_scope(world: World) -> None:
    accepted = case_in(world, CaseStatus.ACCEPTED)
    open_case = case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0777")
    client = client_for(world.jinan.office)
    page = client.get("/cases/?status=accepted").content.decode()
    assert accepted.ledger_no in page and open_case.ledger_no not in page
    assert "共 1 件" in page
    assert open_case.ledger_no in client.get("/cases/?q=0777").content.decode()
    assert accepted.ledger_no in client.get("/cases/?q=张三").content.decode()
    assert (
        open_case.ledger_no not in client_for(world.shinan.office).get("/cases/").content.decode()
    )


def test_list_sorts_and_htmx_gets_only_the_table(world: World) -> None:
    case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0002")
    case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0001")
    client = client_for(world.lixia.office)
    page = client.get("/cases/?sort=-ledger_no").content.decode()
    assert page.index("2019-0002") < page.index("2019-0001")
    partial = client.get("/cases/?sort=ledger_no", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and partial.index("2019-0001") < partial.index("2019-0002")


def test_a_list_row_shows_what_its_case_holds(world: World) -> None:
    """R3: a row of the list shows the case's number (linked), court, status with its
    badges, leader, risk, the day of its last change in China and every petitioner in the
    order they were added."""
    from huajie.cases import search
    from huajie.cases.listing import list_rows
    from huajie.cases.models import PetitionCase, Petitioner

    case = case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0042")
    case.petitioners.add(Petitioner.objects.create(name="王五"))
    search.refresh(case)  # as the services do when a case's petitioners change
    late = dt.datetime(2019, 3, 1, 17, 30, tzinfo=dt.UTC)  # 3月2日 01:30 in China
    PetitionCase.objects.filter(pk=case.pk).update(updated_at=late)
    (row,) = list_rows(PetitionCase.objects.filter(pk=case.pk), [case.pk])
    assert row.url == f"/cases/{case.pk}/"
    assert (row.ledger_no, row.court, row.status, row.tone) == (
        "2019-0042",
        "山东省济南市历下",
        "化解中",
        "info",
    )
    assert not row.reopened and not row.nominal and row.leader == case.leader.name
    assert (row.updated, row.petitioners) == ("2019-03-02", "张三、王五")
    page = client_for(world.lixia.office).get("/cases/").content.decode()
    assert f'<a href="/cases/{case.pk}/">2019-0042</a>' in page and "张三、王五" in page


def test_a_list_row_writes_its_badges_and_escapes_what_people_typed() -> None:
    """The row's HTML (`ListRow.__html__`): a badge for a major, a re-petitioned and a
    possibly nominal case, and names escaped like the template escaped them."""
    from huajie.cases.listing import ListRow

    row = ListRow(
        url="/cases/7/",
        ledger_no="2019-0007",
        court="历下",
        status="化解中",
        tone="info",
        leader="—",
        is_major=True,
        reopened=True,
        nominal=True,
        risk="高",
        updated="2019-03-02",
        petitioners='<b>王五</b>、"李四"',
    )
    html = row.__html__()
    assert html.startswith('<tr><td><a href="/cases/7/">2019-0007</a>')
    assert (
        '<span class="badge tone-bad">重大</span>' in html
        and '<span class="badge tone-info">化解中</span> <span class="badge tone-bad">重访</span>'
        ' <span class="badge tone-warn">疑似挂名</span>'
        in html
    )
    assert "<td>&lt;b&gt;王五&lt;/b&gt;、&quot;李四&quot;</td></tr>" in html
    plain = dataclasses.replace(row, is_major=False, reopened=False, nominal=False)
    assert "tone-bad" not in plain.__html__() and "tone-warn" not in plain.__html__()


def test_url_with_id_reverses_once_what_reverse_gives_for_each_id() -> None:
    from django.urls import NoReverseMatch, reverse

    from huajie.core.urls import url_with_id

    detail = url_with_id("cases:detail")
    assert [detail(pk) for pk in (1, 10, 987)] == [
        reverse("cases:detail", args=[pk]) for pk in (1, 10, 987)
    ]
    with pytest.raises(NoReverseMatch):
        url_with_id("cases:list")


def test_path_of_is_reverse_under_each_script_prefix() -> None:
    """The site mounted under a prefix (SCRIPT_NAME) gets its own remembered paths."""
    from django.urls import reverse, set_script_prefix

    from huajie.core.urls import path_of

    assert path_of("cases:list") == reverse("cases:list") == "/cases/"
    set_script_prefix("/huajie/")
    try:
        assert path_of("cases:list") == reverse("cases:list") == "/huajie/cases/"
    finally:
        set_script_prefix("/")
    assert path_of("cases:list") == "/cases/"


def test_list_query_count_does_not_grow_with_rows(world: World) -> None:
    client = client_for(world.province_office)
    case_in(world, CaseStatus.IN_RESOLUTION)
    few = count_queries(client, "/cases/")
    for n in range(10):
        case_in(world, CaseStatus.IN_RESOLUTION, ledger_no=f"2019-3{n:03d}")
    assert count_queries(client, "/cases/") == few


def test_the_list_reads_the_courts_in_sight_once(world: World) -> None:
    """The court filter's choices are the courts whose cases the list shows: one query reads
    them for both (`CourtChoice.names`, `scope_ids_q(read_in_sight=)`); a chosen court's
    subtree is still asked by its path."""
    client = client_for(world.jinan.office)
    mine = case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0501")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/cases/").content.decode()
    courts = [q["sql"] for q in queries if q["sql"].startswith('SELECT "courts_court"."id"')]
    assert len(courts) == 1, courts
    assert "2019-0501" in page and f'<option value="{world.tree.lixia.pk}">' in page
    under = client.get("/cases/", {"court": world.tree.lixia.pk, "with_subordinates": "on"})
    assert "2019-0501" in under.content.decode()
    elsewhere = client.get("/cases/", {"court": world.tree.jinan.pk})  # the court alone
    assert "2019-0501" not in elsewhere.content.decode()
    assert mine.court == world.tree.lixia


def test_case_page_query_count_does_not_grow_with_its_records(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    client = client_for(world.lixia.office)
    few = count_queries(client, f"/cases/{case.pk}/")
    for day in range(1, 8):
        services.visit_record(
            actor=world.lixia.office,
            case=case,
            data=services.VisitInput(visited_on=dt.date(2019, 1, day), level=VisitLevel.LOCAL),
        )
        services.measure_record(
            actor=world.lixia.office,
            case=case,
            data=services.MeasureInput(
                kind="reception", taken_on=dt.date(2019, 1, day), summary="接谈"
            ),
        )
    assert count_queries(client, f"/cases/{case.pk}/") == few


def test_notifications_show_unread_count_and_can_be_read(world: World) -> None:
    case = case_in(world, CaseStatus.SUBMITTED)
    request = case.acceptance_requests.get()
    services.acceptance_decide(
        actor=world.jinan.office, request=request, accept=False, reason="材料不全"
    )
    client = client_for(world.lixia.leader_user)
    page = client.get("/notifications/").content.decode()
    assert "验收被退回" in page or "验收退回" in page
    assert "条未读" in client.get("/workbench/").content.decode()
    note = Notification.objects.filter(recipient=world.lixia.leader_user).first()
    assert note is not None
    assert client_for(world.lixia.office).post(f"/notifications/{note.pk}/read/").status_code == 404
    client.post(f"/notifications/{note.pk}/read/")
    note.refresh_from_db()
    assert note.read_at is not None


def test_the_header_counts_only_the_users_unread_notifications(world: World) -> None:
    from huajie.cases.context_processors import unread_count

    user, other = world.lixia.office, world.jinan.office
    assert unread_count(user.pk) == 0
    for recipient in (user, user, other):
        Notification.objects.create(
            recipient=recipient, kind="returned", text="验收退回", created_at=clock.now()
        )
    assert (unread_count(user.pk), unread_count(other.pk)) == (2, 1)
    Notification.objects.filter(pk=Notification.objects.filter(recipient=user).first().pk).update(  # type: ignore[union-attr]
        read_at=clock.now()
    )
    assert unread_count(user.pk) == 1
    assert "1 条未读" in client_for(user).get("/workbench/").content.decode()


def test_the_list_exports_its_filter_as_a_ledger_sheet(world: World) -> None:
    import openpyxl

    from huajie.ledger.layout import COLUMNS

    accepted = case_in(world, CaseStatus.ACCEPTED)
    other = case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0888")
    case_in(world, CaseStatus.UNALLOCATED, ledger_no="=HYPERLINK(1)")
    response = client_for(world.jinan.office).get("/cases/export.xlsx?status=accepted")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    rows = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert "任务台账" in rows[0][0]
    assert list(rows[1]) == [c.header for c in COLUMNS]
    ledger_numbers = [row[1] for row in rows[2:]]
    assert ledger_numbers == [accepted.ledger_no]
    assert other.ledger_no not in ledger_numbers
    values = dict(zip([c.key for c in COLUMNS], rows[2], strict=True))
    assert values["acceptance"] == "已验收" and values["court"] == world.tree.lixia.short_name
    assert values["original_numbers"] == "(2017)鲁0102民初1234号"


def test_exported_text_that_looks_like_a_formula_stays_text(world: World) -> None:
    import openpyxl

    case_in(world, CaseStatus.UNALLOCATED, ledger_no="=HYPERLINK(1)")
    response = client_for(world.province_office).get("/cases/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    cell = next(c for row in book.active.iter_rows() for c in row if c.value == "=HYPERLINK(1)")  # type: ignore[union-attr]
    assert cell.data_type == "s"


def test_export_is_scoped_and_masks_identity_for_those_who_may_not_see_it(world: World) -> None:
    import openpyxl

    case_in(world, CaseStatus.IN_RESOLUTION, id_number="11010519491231002X")

    def sheet_of(user: object) -> list[tuple[object, ...]]:
        response = client_for(user).get("/cases/export.xlsx")
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
        return list(book.active.iter_rows(values_only=True))[2:]  # type: ignore[union-attr]

    assert sheet_of(world.shinan.office) == []
    assert sheet_of(world.lixia.office)[0][3] == "11010519491231002X"
    assert sheet_of(world.lixia.judge_user)[0][3] == "110105********002X"


def test_registering_a_new_petition_through_the_page(world: World) -> None:
    client = client_for(world.lixia.office)
    assert client.get("/cases/new-petition/").status_code == 200
    response = client.post(
        "/cases/new-petition/",
        {
            "owner": world.lixia.division_leader.pk,
            "received_on": "2019-04-02",
            "name": "钱七",
            "id_number": "",
            "phone": "13900001111",
            "domicile": "济南市历下区",
            "petition_type": "province",
            "claims": "要求执行到位",
            "risk_level": "normal",
            "original_number": "(2018)鲁0102执88号",
        },
    )
    assert response.status_code == 302
    case = world.campaign.cases.get(origin="new")
    assert case.first_receipt_owner == world.lixia.division_leader
    assert case.court == world.tree.lixia


def test_a_new_petition_refused_by_the_rules_says_why(world: World) -> None:
    response = client_for(world.lixia.office).post(
        "/cases/new-petition/",
        {
            "owner": world.lixia.division_leader.pk,
            "received_on": "2019-04-02",
            "name": "钱七",
            "id_number": "123",
            "petition_type": "province",
            "claims": "x",
            "risk_level": "normal",
        },
    )
    assert response.status_code == 400
    assert "身份证号有误" in response.content.decode()
    assert not world.campaign.cases.filter(origin="new").exists()


def test_only_the_petition_office_registers_new_petitions(world: World) -> None:
    assert client_for(world.lixia.judge_user).get("/cases/new-petition/").status_code == 403


def test_an_escalation_request_waits_on_the_superiors_workbench(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    services.escalation_request(actor=world.lixia.office, case=case, reason="难以化解")
    page = client_for(world.jinan.office).get("/workbench/").content.decode()
    pile = page[page.index('id="pile-escalation"') :]
    assert case.ledger_no in pile[: pile.index("</section>")]
    client_for(world.jinan.office).post(
        f"/cases/{case.pk}/actions/escalation_decide/",
        {"escalation_decide-decision": "approve", "escalation_decide-note": "同意"},
    )
    case.refresh_from_db()
    assert case.court == world.tree.jinan


def test_a_reviewer_who_cannot_open_the_case_is_not_shown_its_request(world: World) -> None:
    from huajie.cases.workbench import acceptance_to_review

    case_in(world, CaseStatus.SUBMITTED)
    court_scope_leader = world.jinan.leader_user  # a court leader of the reviewing court
    assert court_scope_leader.scope == "court"
    assert not acceptance_to_review(court_scope_leader).exists()
    assert acceptance_to_review(world.jinan.office).exists()


def test_a_province_office_reviews_every_pending_request_of_its_province_and_no_other(
    world: World,
) -> None:
    """R10, R2: the province office's queue is asked by the reviewing court alone (no join
    to the cases); a province office of another province sees none of it, nor the page."""
    from huajie.cases.workbench import acceptance_to_review
    from tests.factories import PersonFactory, UserFactory

    case = case_in(world, CaseStatus.SUBMITTED)
    assert [r.case_id for r in acceptance_to_review(world.province_office)] == [case.pk]
    elsewhere = UserFactory(
        person=PersonFactory(court=world.tree.other_high),
        role=Role.PROVINCE_OFFICE,
        scope=Scope.PROVINCE,
    )
    assert not acceptance_to_review(elsewhere).exists()
    assert case.ledger_no not in client_for(elsewhere).get("/acceptance/").content.decode()
    assert case.ledger_no in client_for(world.province_office).get("/acceptance/").content.decode()


def test_the_acceptance_queue_pages_oldest_first_at_a_fixed_cost(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R10: the reviewing court's queue, a page at a time (a province office may have
    thousands pending), the first submitted first, each request with its evidence."""
    from huajie.cases.models import PetitionCase
    from tests.cases.world import promise_document

    def submitted(ledger_no: str) -> PetitionCase:
        case = case_in(world, CaseStatus.MET_STANDARD, ledger_no=ledger_no)
        evidence = [promise_document(world, case)]
        services.acceptance_submit(actor=world.lixia.office, case=case, note="", evidence=evidence)
        return case

    monkeypatch.setattr("huajie.cases.views.ACCEPTANCE_PAGE_SIZE", 2)
    client = client_for(world.jinan.office)
    first = submitted("2019-4001")
    few = count_queries(client, "/acceptance/")
    later = [submitted(f"2019-400{n}") for n in (2, 3)]
    assert count_queries(client, "/acceptance/") == few
    page_one = client.get("/acceptance/").content.decode()
    assert first.ledger_no in page_one and later[0].ledger_no in page_one
    assert later[1].ledger_no not in page_one
    assert "第 1 页 / 共 2 页（3 件）" in page_one and 'href="?page=2" rel="next"' in page_one
    assert page_one.count("承诺书.pdf") == 2
    page_two = client.get("/acceptance/?page=2").content.decode()
    assert later[1].ledger_no in page_two and first.ledger_no not in page_two
    # A page number past the end or not a number shows the last or the first page.
    assert later[1].ledger_no in client.get("/acceptance/?page=99").content.decode()
    assert first.ledger_no in client.get("/acceptance/?page=x").content.decode()
