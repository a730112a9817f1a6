"""Issue #7 (R18 at national scale): the national dashboard.

National supervision (scope 全国, role 全国督导) and superusers start at the nation: one line
per province, each the sum of what that province's own dashboard shows, from the same
grouped queries over every court at once (their number does not grow with provinces,
courts or cases). Every linked number is the count of the list it opens; warnings are
listed by province; the progress chart is the sum of the provinces' remembered points.
A province's office never sees the nation."""

from __future__ import annotations

import datetime as dt
import io
import json
import pathlib
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from docx import Document
from openpyxl import load_workbook

from huajie.accounts.models import Role, Scope, User
from huajie.bulletins import content
from huajie.cases import services
from huajie.cases.models import PetitionCase, PetitionType
from huajie.core import clock
from huajie.courts.models import Court, CourtLevel, nation
from huajie.courts.services import court_create
from huajie.supervision import metrics
from huajie.supervision.models import ProgressMemo
from tests.bulletins.test_files import pdftotext
from tests.cases.world import Staff, World, staff_court
from tests.factories import UserFactory
from tests.supervision.province import build_province, play
from tests.supervision.recount import area_total, recount
from tests.supervision.test_dashboard import COUNT, _links, _page, client_for

pytestmark = pytest.mark.django_db

DAY = dt.date(2019, 3, 20)
DATA = re.compile(r'id="dashboard-data" type="application/json">(.*?)</script>', re.S)


def national_user() -> User:
    return UserFactory(person=None, role=Role.NATION_OFFICE, scope=Scope.NATION)


def _jiangsu(world: World, cases: int) -> Staff:
    """江苏's office and 玄武区法院 staffed, `cases` cases entered and allocated there."""
    tree = world.tree
    office = staff_court(tree.other_high, office_scope=Scope.PROVINCE).office
    office.role = Role.PROVINCE_OFFICE
    office.save(update_fields=["role"])
    xuanwu = staff_court(tree.xuanwu)
    with clock.travel(dt.date(2019, 2, 26)):
        for n in range(cases):
            case = services.case_create(
                actor=office,
                campaign=world.campaign,
                holding_court=tree.other_high,
                data=services.CaseInput(
                    petition_type=PetitionType.BEIJING,
                    petitioners=[services.PetitionerInput(name=f"苏信访人{n}")],
                    ledger_no=f"2019苏-{n + 1:03d}",
                ),
            )
            if n % 4:  # one in four stays with the high court, unallocated
                services.case_allocate(actor=office, case=case, court=tree.xuanwu, reason="测试")
    return xuanwu


@pytest.fixture
def two_provinces(world: World) -> World:
    province = build_province(world, stock=18, new=3)
    play(province, dt.date(2019, 3, 1), dt.date(2019, 3, 12), share=0.35)
    _jiangsu(world, cases=9)
    return world


def test_the_nation_is_the_sum_of_the_provinces(two_provinces: World) -> None:
    world = two_provinces
    provinces = list(Court.objects.filter(parent=None))
    counts = recount()
    for live in (True, False):
        with clock.travel(DAY):
            national = metrics.snapshot(world.campaign, DAY, nation(), live=live)
            assert [c.pk for c in national.children(nation())] == [p.pk for p in provinces]
            for province in provinces:
                own = metrics.snapshot(world.campaign, DAY, province, live=live)
                assert national.subtree(province).as_dict() == own.subtree(province).as_dict()
                for court in own.courts:
                    assert national.own(court).as_dict() == own.own(court).as_dict(), court
                plain = area_total(counts, province)  # independent of metrics
                assert national.subtree(province).tasks == plain.tasks
                assert national.subtree(province).accepted == plain.accepted
            whole = national.subtree(nation())
            assert whole.tasks == sum(c.tasks for c in counts.values()) > 20
            assert whole.new == sum(c.new for c in counts.values()) > 0
            rows = national.rows(nation())
            assert [r.court.pk for r in rows] == [p.pk for p in provinces]  # no "own" line


def test_the_national_page_lists_provinces_and_every_link_counts(two_provinces: World) -> None:
    world = two_provinces
    client = client_for(national_user())
    with clock.travel(DAY):
        page = _page(client, "/supervision/")
        assert "全国 · 化解进度" in page and "各省（区、市）进度" in page
        for province in (world.tree.high, world.tree.other_high):
            assert f'href="/supervision/courts/{province.pk}/"' in page
        links = _links(page)
        assert any("court=" not in url for url, _n in links)  # the nation's own totals
        for url, number in links:
            listed = COUNT.search(_page(client, url))
            assert listed is not None and int(listed.group(1)) == number, url
        assert len(links) > 10
        # Drilling down keeps the nation in the crumbs.
        below = _page(client, f"/supervision/courts/{world.tree.jinan.pk}/")
        assert '<a href="/supervision/">全国</a>' in below
        assert "汇报材料" in below and "汇报材料" not in page  # reports are per province


def test_national_supervision_starts_at_the_national_dashboard(two_provinces: World) -> None:
    client = Client()
    client.force_login(national_user())
    assert client.get("/").url == "/supervision/"  # type: ignore[attr-defined]
    client.force_login(two_provinces.province_office)
    assert client.get("/").url == "/workbench/"  # type: ignore[attr-defined]


def test_a_province_office_never_sees_the_nation(two_provinces: World) -> None:
    world = two_provinces
    with clock.travel(DAY):
        page = _page(client_for(world.province_office), "/supervision/")
    assert f"{world.tree.high.short_name} · 化解进度" in page
    assert "全国" not in page
    assert world.tree.other_high.short_name not in page


def test_national_warnings_are_listed_by_province(two_provinces: World, settings: object) -> None:
    world = two_provinces
    settings.HUAJIE_NOMINAL_AFTER_DAYS = 5  # type: ignore[attr-defined]
    with clock.travel(DAY):
        services.tick(as_of=DAY)
        flagged = {
            province: PetitionCase.objects.filter(
                possibly_nominal=True, court__path__startswith=province.path
            ).count()
            for province in (world.tree.high, world.tree.other_high)
        }
        page = _page(client_for(national_user()), "/supervision/")
    warning = page[page.index('id="warning-nominal"') :]
    warning = warning[: warning.index("</div>")]
    for province, n in flagged.items():
        if n:
            assert f'{province.short_name}</a> <span class="num">{n}</span>' in warning
    assert world.tree.lixia.short_name not in warning  # courts are summed into provinces
    assert sum(flagged.values()) > 0


def test_the_national_progress_chart_sums_the_provinces(two_provinces: World) -> None:
    world = two_provinces
    later = dt.date(2019, 4, 10)
    with clock.travel(later):
        page = _page(client_for(national_user()), "/supervision/")
        data = json.loads(DATA.search(page).group(1))  # type: ignore[union-attr]
        days = metrics.progress_points(world.campaign, later)
        expected = [0] * len(days)
        for province in (world.tree.high, world.tree.other_high):
            for i, point in enumerate(metrics.progress_series(world.campaign, province, days)):
                expected[i] += point.open
    assert [p[1] for p in data["progress"]["open"]] == expected
    # The past month end is remembered for every court of each province (each province
    # counted once), never for the nation.
    assert set(ProgressMemo.objects.values_list("court_id", flat=True)) == set(
        Court.objects.values_list("pk", flat=True)
    )
    assert len(data["grid"]["areas"]) == 2  # a line per province


def _national_queries(user: User) -> int:
    client = client_for(user)
    client.get("/supervision/")  # warm the session and the remembered points
    with clock.travel(DAY), CaptureQueriesContext(connection) as ctx:
        response = client.get("/supervision/")
        assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_national_page_costs_the_same_queries_for_more_provinces(world: World) -> None:
    user = national_user()
    province = build_province(world, stock=6, new=1)
    play(province, dt.date(2019, 3, 1), dt.date(2019, 3, 5), share=0.3)
    few = _national_queries(user)
    _jiangsu(world, cases=6)
    third = court_create(
        name="浙江省高级人民法院",
        short_name="浙高院",
        code="浙",
        level=CourtLevel.HIGH,
        parent=None,
    )
    court_create(
        name="浙江省杭州市中级人民法院",
        short_name="杭州中院",
        code="浙01",
        level=CourtLevel.INTERMEDIATE,
        parent=third,
    )
    many = _national_queries(user)
    assert many == few
    assert few <= 25, few


def test_pages_without_a_national_view_start_at_the_first_province(two_provinces: World) -> None:
    with clock.travel(DAY):
        page = _page(client_for(national_user()), "/supervision/assessment/")
    assert f"{two_provinces.tree.high.short_name} · 考核情况" in page


def test_national_supervision_reads_but_changes_nothing(two_provinces: World) -> None:
    """The permission matrix asks every URL as the national account too; here the plain
    sense of it: the case list shows both provinces, a case opens, its actions are refused."""
    world = two_provinces
    client: Client = client_for(national_user())
    with clock.travel(DAY):
        listing = _page(client, "/cases/")
        assert "2019苏-" in listing and "2019-S" in listing
        case = PetitionCase.objects.filter(court=world.tree.xuanwu).first()
        assert case is not None
        _page(client, f"/cases/{case.pk}/")
        refused = client.post(
            f"/cases/{case.pk}/actions/visit/",
            {"visit-visited_on": "2019-03-19", "visit-level": "local"},
        )
    assert refused.status_code == 403


def _download(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_the_national_bulletin_ranks_the_provinces(
    two_provinces: World, tmp_path: pathlib.Path
) -> None:
    world = two_provinces
    client = client_for(national_user())
    with clock.travel(DAY):
        page = _page(client, "/supervision/")
        assert 'href="/bulletins/nation.docx?as_of=2019-03-20"' in page
        period, end = content.period_end_for(world.campaign, DAY)
        figures = content.compose(
            metrics.snapshot(world.campaign, end, nation(), since=period.start), period, None
        )
        word = Document(io.BytesIO(_download(client, "/bulletins/nation.docx?as_of=2019-03-20")))
        pdf = _download(client, "/bulletins/nation.pdf?as_of=2019-03-20")
        book = load_workbook(io.BytesIO(_download(client, "/bulletins/nation.xlsx")))
        refused = client_for(world.province_office).get("/bulletins/nation.docx")
    assert figures["scope"] == "全国" and figures["province"]["name"] == "最高人民法院"
    assert figures["addressees"] == "各省、自治区、直辖市高级人民法院："
    provinces = {p.short_name: p for p in (world.tree.high, world.tree.other_high)}
    assert {a["name"] for a in figures["areas"]} == set(provinces)
    for area in figures["areas"]:
        province = provinces[area["name"]]
        own = metrics.snapshot(world.campaign, end, province, since=period.start)
        assert (area["tasks"], area["accepted"]) == (
            own.subtree(province).tasks,
            own.subtree(province).accepted,
        )
        assert area["rank"] is not None
    text = "\n".join(p.text for p in word.paragraphs)
    assert "全国法院共有化解任务" in text and "最高人民法院" in text
    assert "全国法院" in pdftotext(pdf, tmp_path)
    areas = [row[0] for row in book["各地区排名"].iter_rows(values_only=True)]
    assert "全国合计" in areas and world.tree.other_high.short_name in areas
    assert refused.status_code == 404  # a province's office does not see the nation
