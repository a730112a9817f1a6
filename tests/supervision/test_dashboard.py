"""R18: the dashboard. Scoped by the policy (another city's area is 404), drilling down
province → area → court → case list, where every linked number equals the count of the list it
opens; a past day shows that day's numbers; the page costs the same queries however many
courts and cases there are; charts get their data as JSON, with no inline script."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from huajie.cases import services
from huajie.core import clock
from huajie.courts.models import CourtLevel
from huajie.courts.services import court_create
from huajie.supervision import metrics
from tests.cases.world import World, new_case
from tests.supervision.province import build_province, play

pytestmark = pytest.mark.django_db

DAY = dt.date(2019, 3, 20)
LINK = re.compile(r'<a href="(/cases/\?[^"]+)">(\d+)</a>')
COUNT = re.compile(r"共 (\d+) 件")


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def test_each_user_starts_at_the_top_of_their_sight(world: World) -> None:
    expectations = {
        world.province_office: f"{world.tree.high.short_name} · 化解进度",
        world.jinan.office: f"{world.tree.jinan.short_name} · 化解进度",
        world.lixia.office: f"{world.tree.lixia.short_name} · 化解进度",
        world.lixia.judge_user: f"{world.tree.lixia.short_name} · 化解进度",
    }
    for user, heading in expectations.items():
        assert heading in _page(client_for(user), "/supervision/")


def test_another_citys_area_is_404(world: World) -> None:
    tree = world.tree
    cases = {
        world.jinan.office: [tree.qingdao, tree.shinan, tree.high],
        world.lixia.office: [tree.jinan, tree.shizhong, tree.shinan],
        world.shinan.office: [tree.lixia, tree.jinan],
        world.province_office: [tree.other_high, tree.xuanwu],
    }
    for user, courts in cases.items():
        client = client_for(user)
        for court in courts:
            assert client.get(f"/supervision/courts/{court.pk}/").status_code == 404, (user, court)
    assert (
        client_for(world.jinan.office).get(f"/supervision/courts/{tree.lixia.pk}/").status_code
        == 200
    )


def _links(page: str) -> list[tuple[str, int]]:
    return [(html.unescape(url), int(n)) for url, n in LINK.findall(page)]


@pytest.mark.parametrize("day", [DAY, dt.date(2020, 1, 5)])
def test_every_linked_number_is_the_count_of_its_list(world: World, day: dt.date) -> None:
    province = build_province(world, stock=24, new=4)
    play(province, dt.date(2019, 3, 1), DAY, share=0.25)
    office = client_for(world.province_office)
    checked = 0
    with clock.travel(day):
        nodes = [world.tree.high, world.tree.lixia]
        if day == DAY:
            nodes += [world.tree.jinan, world.tree.qingdao]
        for node in nodes:
            page = _page(office, f"/supervision/courts/{node.pk}/")
            links = _links(page)
            assert links, node
            for url, number in links:
                listed = COUNT.search(_page(office, url))
                assert listed is not None and int(listed.group(1)) == number, (node, url)
                checked += 1
    assert checked > 20
    if day.year == 2020:
        assert any("overdue=1" in url for url, _n in links)


def test_the_drill_down_goes_province_area_court(world: World) -> None:
    _some_cases(world)
    office = client_for(world.province_office)
    with clock.travel(DAY):
        province = _page(office, "/supervision/")
        assert f'href="/supervision/courts/{world.tree.jinan.pk}/"' in province
        area = _page(office, f"/supervision/courts/{world.tree.jinan.pk}/")
        assert f'href="/supervision/courts/{world.tree.lixia.pk}/"' in area
        court = _page(office, f"/supervision/courts/{world.tree.lixia.pk}/")
        assert f"/cases/?court={world.tree.lixia.pk}&amp;with_subordinates=on" in court


def _some_cases(world: World) -> None:
    with clock.travel(dt.date(2019, 3, 1)):
        for n in range(3):
            case = services.case_allocate(
                actor=world.province_office,
                case=new_case(world, number=f"(2017)鲁0102民初{1000 + n}号"),
            )
            services.team_assign(
                actor=world.lixia.office, case=case, members=dict(world.lixia.team)
            )


def test_a_past_day_shows_that_days_numbers_without_links(world: World) -> None:
    province = build_province(world, stock=12, new=2)
    play(province, dt.date(2019, 3, 1), dt.date(2019, 3, 10), share=0.3)
    past = metrics.snapshot(world.campaign, dt.date(2019, 3, 5), world.tree.high)
    play(province, dt.date(2019, 3, 11), DAY, share=0.3)
    with clock.travel(DAY):
        page = _page(client_for(world.province_office), "/supervision/?as_of=2019-03-05")
        assert "统计截至 2019年3月5日" in page and not _links(page)
        data = json.loads(
            re.search(
                r'id="dashboard-data" type="application/json">(.*?)</script>', page, re.S
            ).group(1)
        )  # type: ignore[union-attr]
        total = past.subtree(world.tree.high)
        assert sum(r["tasks"] for r in data["rows"]) == total.tasks
        assert sum(r["accepted"] for r in data["rows"]) == total.accepted
        assert data["asOf"] == "2019-03-05"
        future = _page(client_for(world.province_office), "/supervision/?as_of=2019-04-01")
        assert "统计日期不能晚于今天" in future


def test_the_page_has_chart_data_and_no_inline_script(world: World) -> None:
    _some_cases(world)
    with clock.travel(DAY):
        page = _page(client_for(world.province_office), "/supervision/")
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    for attributes, body in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
        assert "src=" not in attributes or not body.strip()
    assert "/static/supervision/vendor/echarts.min.js" in page
    assert "/static/supervision/dashboard.js" in page
    data = json.loads(
        re.search(r'id="dashboard-data" type="application/json">(.*?)</script>', page, re.S).group(
            1
        )
    )  # type: ignore[union-attr]
    assert set(data) >= {"rows", "statuses", "progress", "timeline", "grid", "expected"}
    assert data["progress"]["open"][-1] == ["2019-03-20", 3]
    assert data["timeline"]["labels"][:3] == ["动员部署", "第1期", "第2期"]
    assert data["grid"]["areas"][0].endswith("（本院）")


def test_warnings_name_the_courts(world: World, settings: object) -> None:
    settings.HUAJIE_NOMINAL_AFTER_DAYS = 5  # type: ignore[attr-defined]
    _some_cases(world)
    with clock.travel(DAY):
        services.tick(as_of=DAY)
        page = _page(client_for(world.jinan.office), "/supervision/")
    warning = page[page.index('id="warning-nominal"') :]
    warning = warning[: warning.index("</div>")]
    assert world.tree.lixia.short_name in warning and "3</span> 件" in warning
    assert "进度落后于序时进度" in page


def _dashboard_queries(world: World) -> int:
    client = client_for(world.province_office)
    client.get("/supervision/")  # warm the session
    with clock.travel(DAY), CaptureQueriesContext(connection) as ctx:
        response = client.get("/supervision/")
        assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboard_costs_the_same_queries_for_more_courts_and_cases(world: World) -> None:
    _some_cases(world)
    few = _dashboard_queries(world)
    for n in range(6):
        court_create(
            name=f"山东省青岛市第{n}区人民法院",
            short_name=f"青岛第{n}区法院",
            code=f"鲁02{n + 10}",
            level=CourtLevel.BASIC,
            parent=world.tree.qingdao,
        )
    province = build_province(world, stock=30, new=4)
    play(province, dt.date(2019, 3, 2), dt.date(2019, 3, 12), share=0.4)
    many = _dashboard_queries(world)
    assert many == few
    assert few <= 25, few


def test_a_table_row_writes_its_cells_escaped(world: World) -> None:
    """`TableRow` writes its own `<tr>`: every value escaped, links to the lists kept."""
    from huajie.supervision.dashboard import TABLE_COLUMNS, Cell, TableRow

    cells = {column: Cell(0) for column in TABLE_COLUMNS}
    cells["tasks"] = Cell(7, "/cases/?court=1&origin=stock")
    cells["rate"] = Cell("<50%>")
    row = TableRow("<b>法院</b>", world.tree.lixia, metrics.Figures(), True, None, True, cells)
    written = str(row)
    assert written.startswith('<tr class="behind">')
    assert "&lt;b&gt;法院&lt;/b&gt;" in written and "<b>" not in written
    assert '<a href="/cases/?court=1&amp;origin=stock">7</a>' in written
    assert '<td class="num rate">&lt;50%&gt;</td>' in written
    assert written.count("<td") == len(TABLE_COLUMNS)
    total = TableRow("x", world.tree.lixia, metrics.Figures(), True, "/d/?a=<", False, cells, True)
    assert '<tr class="total">' in str(total) and '<a href="/d/?a=&lt;">x</a>' in str(total)
