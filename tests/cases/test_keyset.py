"""Keyset pagination of the ledger list (issue #7; R3's ledger at national scale): walking
forwards and backwards visits every case exactly once in the sort's order, for every sort,
with ties on the sort key broken by id, and a deep page costs what the first page costs."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from huajie.cases.keyset import SORTS, Cursor, KeysetPage, keyset_page, with_sort_key
from huajie.cases.models import CaseStatus, PetitionCase, RiskLevel
from tests.cases.world import World, new_case

pytestmark = pytest.mark.django_db

SIZE = 4
CASES = 11  # three full pages and a short last one


@pytest.fixture
def cases(world: World) -> list[PetitionCase]:
    made = [new_case(world, ledger_no=f"2019-{n:04d}") for n in range(CASES)]
    # Ties on purpose: several cases share a status and a risk level; only the id separates them.
    for case in made[::3]:
        case.status, case.risk_level = CaseStatus.ALLOCATED, RiskLevel.HIGH
        case.save(update_fields=["status", "risk_level"])
    return made


def _ordered_ids(sort: str) -> list[int]:
    return [c.pk for c in with_sort_key(PetitionCase.objects.all(), sort)]


def _walk_forward(sort: str, by_index: bool = True) -> list[list[int]]:
    qs = with_sort_key(PetitionCase.objects.all(), sort, by_index=by_index)
    page = keyset_page(qs, sort=sort, size=SIZE)
    pages = [[c.pk for c in page]]
    while page.has_next:
        assert page.number == len(pages)
        page = keyset_page(qs, sort=sort, size=SIZE, after=page.next_cursor, number=page.number + 1)
        pages.append([c.pk for c in page])
    assert page.number == page.pages == len(pages)
    return pages


@pytest.mark.parametrize("by_index", [True, False], ids=["by-index", "sorted"])
@pytest.mark.parametrize("sort", [*SORTS, *(f"-{s}" for s in SORTS)])
def test_walking_forward_then_back_visits_every_case_once_in_order(
    cases: list[PetitionCase], sort: str, by_index: bool
) -> None:
    expected = _ordered_ids(sort)
    pages = _walk_forward(sort, by_index)
    assert [pk for page in pages for pk in page] == expected
    assert [len(p) for p in pages] == [4, 4, 3]

    qs = with_sort_key(PetitionCase.objects.all(), sort, by_index=by_index)
    page = keyset_page(qs, sort=sort, size=SIZE, last=True)
    assert (page.number, [c.pk for c in page]) == (3, pages[-1])
    backwards = [[c.pk for c in page]]
    while page.has_previous:
        page = keyset_page(
            qs, sort=sort, size=SIZE, before=page.previous_cursor, number=page.number - 1
        )
        backwards.insert(0, [c.pk for c in page])
    assert backwards == pages
    assert page.number == 1 and not page.has_previous


@pytest.mark.parametrize("sort", [*SORTS, *(f"-{s}" for s in SORTS)])
def test_a_first_page_counted_in_one_pass_is_the_first_page(
    cases: list[PetitionCase], sort: str
) -> None:
    """The search's first page counts its matches in the query that finds the page: the
    same rows, count and links, one query fewer when the list is longer than the page."""
    qs = with_sort_key(PetitionCase.objects.all(), sort, by_index=False)

    def shown(page: KeysetPage) -> tuple[object, ...]:
        return ([c.pk for c in page], page.count, page.number, page.has_next, page.has_previous)

    for matching in (qs, qs.filter(ledger_no__lte="2019-0003"), qs.filter(ledger_no="无")):
        with CaptureQueriesContext(connection) as two_passes:
            expected = keyset_page(matching, sort=sort, size=SIZE)
        with CaptureQueriesContext(connection) as one_pass:
            page = keyset_page(matching, sort=sort, size=SIZE, count_in_one_pass=True)
        assert shown(page) == shown(expected)
        # A list on one page is counted by its length either way (no count query).
        assert len(one_pass) == len(two_passes) - (1 if expected.has_next else 0)
    assert shown(expected)[1] == 0  # the last one matched nothing
    # The pages after the first are counted as before.
    after = keyset_page(qs, sort=sort, size=SIZE, count_in_one_pass=True).next_cursor
    deep = keyset_page(qs, sort=sort, size=SIZE, after=after, number=2, count_in_one_pass=True)
    assert shown(deep) == shown(keyset_page(qs, sort=sort, size=SIZE, after=after, number=2))


def test_a_list_that_fits_on_its_first_page_is_counted_by_its_length(
    cases: list[PetitionCase],
) -> None:
    """No count query for a list on one page (most of one court's filtered lists); a full
    first page still counts them all."""
    qs = with_sort_key(PetitionCase.objects.all(), "ledger_no")
    with CaptureQueriesContext(connection) as queries:
        whole = keyset_page(qs, sort="ledger_no", size=CASES)
    assert (whole.count, whole.pages, whole.has_next) == (CASES, 1, False)
    assert not [q for q in queries if "COUNT(" in q["sql"]]
    with CaptureQueriesContext(connection) as queries:
        first = keyset_page(qs, sort="ledger_no", size=CASES - 2)
    assert (first.count, first.pages, first.has_next) == (CASES, 2, True)
    assert [q for q in queries if "COUNT(" in q["sql"]]


def test_a_forged_or_foreign_cursor_starts_from_the_top(cases: list[PetitionCase]) -> None:
    qs = with_sort_key(PetitionCase.objects.all(), "ledger_no")
    first = [c.pk for c in keyset_page(qs, sort="ledger_no", size=SIZE)]
    seventh = PetitionCase.objects.get(ledger_no="2019-0007")
    genuine = Cursor("2019-0007", seventh.pk).encode()
    other_payload = Cursor("2019-0001", 0).encode().split(":")[0]
    forged = f"{other_payload}:{genuine.split(':')[1]}"  # a payload under another's signature
    assert keyset_page(qs, sort="ledger_no", size=SIZE, after=genuine).rows[0].ledger_no == (
        "2019-0008"
    )
    for token in (forged, "not-a-cursor", Cursor("x", 1).encode() + "x"):
        page = keyset_page(qs, sort="ledger_no", size=SIZE, after=token, number=9)
        assert [c.pk for c in page] == first and page.number == 1


def test_the_list_page_links_pages_by_cursor_and_a_deep_page_costs_the_same(
    client: Client, world: World, cases: list[PetitionCase], monkeypatch: pytest.MonkeyPatch
) -> None:
    client.force_login(world.province_office)
    monkeypatch.setattr("huajie.cases.listing.PAGE_SIZE", SIZE)
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get("/cases/", {"sort": "status"}).content.decode()
    assert "第 1/3 页" in first and "末页" in first and "上一页" not in first
    after = re.search(r'after=([^&"]+)&amp;p=2', first)
    assert after is not None
    with CaptureQueriesContext(connection) as deep_queries:
        second = client.get(f"/cases/?sort=status&after={after.group(1)}&p=2").content.decode()
    assert "第 2/3 页" in second and "上一页" in second and "首页" in second
    last = client.get("/cases/?sort=status&last=1").content.decode()
    assert "第 3/3 页" in last and "下一页" not in last
    assert len(deep_queries) == len(first_queries)
    # The rows of page two are the next four ledger numbers in (status, id) order.
    expected = _ordered_ids("status")[SIZE : 2 * SIZE]
    shown = [int(pk) for pk in re.findall(r'href="/cases/(\d+)/"', second)]
    assert shown == expected


def _sorted_by_the_column(client: Client, url: str = "/cases/") -> bool:
    """Whether the list page's rows are ordered by the bare ledger-number column (which the
    index serves), rather than by an expression of it."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    page = next(q["sql"] for q in queries if "LIMIT 51" in q["sql"])
    return page.startswith('SELECT "cases_petitioncase"."ledger_no" AS "sort_key"')


def test_only_a_list_of_every_court_reads_the_ledger_number_index_in_order(
    cases: list[PetitionCase], world: World
) -> None:
    """Reading the index in order until a page is full pays when the rows are spread over
    it, as all courts' are; a province's cases lie in runs of ledger numbers, so a list of
    part of the courts has the database sort its rows (keyset.with_sort_key)."""
    from huajie.accounts.models import Scope

    province = Client()
    province.force_login(world.province_office)
    assert not _sorted_by_the_column(province)
    nation = world.province_office
    nation.scope = Scope.NATION
    nation.save(update_fields=["scope"])
    assert _sorted_by_the_column(province)
    assert not _sorted_by_the_column(province, f"/cases/?court={world.tree.lixia.pk}")


def test_a_page_is_found_by_key_and_id_and_only_its_rows_are_read(
    client: Client, world: World, cases: list[PetitionCase], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The query that orders the scope's cases and cuts a page asks for nothing but their
    sort keys and ids, so the list's index (`case_list_by_court`) answers it without the
    table (a province's list as it opens: docs/performance.md); the page's rows are read by
    id, in the order found."""
    client.force_login(world.province_office)
    monkeypatch.setattr("huajie.cases.listing.PAGE_SIZE", SIZE)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/cases/", {"sort": "-ledger_no"}).content.decode()
    finding = next(q["sql"] for q in queries if f"LIMIT {SIZE + 1}" in q["sql"])
    assert re.match(r'SELECT .+? AS "sort_key", "cases_petitioncase"."id" AS "pk" FROM', finding)
    shown = [int(pk) for pk in re.findall(r'href="/cases/(\d+)/"', page)]
    assert shown == _ordered_ids("-ledger_no")[:SIZE]


_FILTERS = [
    "",
    "status=allocated",
    "origin=new",
    "petition_type=province",
    "risk_level=high",
    "leader=王",
    "is_major=1",
    "is_major=0",
    "overdue=1",
    "reopened=1",
    "nominal=0",
    "with_subordinates=on&court={court}",
    "court={court}",
    *(f"sort={sort}" for sort in SORTS),
    *(f"sort=-{sort}" for sort in SORTS),
    "status=in_resolution&risk_level=normal&is_major=0&sort=-updated",
]


@pytest.mark.parametrize("query", _FILTERS)
def test_every_filter_and_sort_but_the_search_counts_and_finds_from_the_list_index(
    client: Client,
    world: World,
    cases: list[PetitionCase],
    query: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The count and the page's ids ask only for columns of `case_list_by_court`, so the
    database answers them from the index without reading the scope's cases from the table
    (a province's list filtered by 重大疑难 or sorted by 更新时间: 400 -> 30 ms at 1,000,000
    cases, docs/performance.md). A filter on a new column needs it in the index too."""
    from huajie.cases.models import LIST_INDEX_FIELDS

    monkeypatch.setattr("huajie.cases.listing.PAGE_SIZE", 1)  # a full page is counted
    client.force_login(world.province_office)
    in_index = {PetitionCase._meta.get_field(name).column for name in LIST_INDEX_FIELDS}
    url = "/cases/?" + query.format(court=world.tree.jinan.pk)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    table = PetitionCase._meta.db_table
    asked = [
        q["sql"]
        for q in queries
        if (q["sql"].startswith("SELECT COUNT(*)") or 'AS "sort_key"' in q["sql"])
        and f'FROM "{table}"' in q["sql"]
    ]
    shown = re.search(r"共 (\d+) 件", page)
    assert shown is not None
    # The page's keys, and the count when they fill the page.
    assert len(asked) == (2 if int(shown.group(1)) > 1 else 1)
    for sql in asked:
        assert set(re.findall(rf'"{table}"\."(\w+)"', sql)) <= in_index, sql
