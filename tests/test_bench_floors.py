"""The ledger benchmark's bare-SQL floors (tests/bench/ledger_floors.py; issue #7) measure
what they say: the import's floor stores again exactly the rows added since its marks and
leaves nothing behind; the export's reads every case of the campaign."""

from __future__ import annotations

from django.db import connection

from huajie.cases.models import CaseStatus, PetitionCase
from tests.bench.ledger_floors import (
    _tables,
    export_floor,
    high_water_marks,
    stored_rows_floor,
)
from tests.cases.world import World, case_in


def _added_since(marks: dict[str, int]) -> int:
    total = 0
    with connection.cursor() as cursor:
        for table, pk in _tables().items():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE "{pk}" > %s', [marks[table]])  # noqa: S608
            total += cursor.fetchone()[0]
    return total


def test_the_import_floor_stores_again_exactly_the_new_rows(world: World) -> None:
    marks = high_water_marks()
    case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0001")
    case_in(world, CaseStatus.ALLOCATED, ledger_no="2019-0002")
    added = _added_since(marks)
    assert added > 20  # cases, petitioners, links, visits, originals, audit events, tallies
    seconds, rows = stored_rows_floor(marks)
    assert rows == added and seconds > 0
    leftovers = [t for t in connection.introspection.table_names() if t.startswith("bench_floor_")]
    assert leftovers == []
    assert _added_since(marks) == added  # the twins were rolled back, the rows are as they were


def test_the_export_floor_reads_every_case_of_the_campaign(world: World) -> None:
    for number in ("2019-0001", "2019-0002", "2019-0003"):
        case_in(world, CaseStatus.IN_RESOLUTION, ledger_no=number)
    seconds, cases = export_floor(world.campaign.pk)
    assert cases == PetitionCase.objects.filter(campaign=world.campaign).count() == 3
    assert seconds > 0


def test_the_list_floor_counts_what_the_search_finds(world: World) -> None:
    """The page bench's `list.search` floor asks the search column as the list does."""
    from huajie.cases import search
    from tests.bench.pages import list_floor

    case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0001")  # 张三
    case_in(world, CaseStatus.ALLOCATED, ledger_no="2019-0AB2")
    (count_sql, params), *_pages = list_floor(world.tree.high.path, None, None, search="ab")
    with connection.cursor() as cursor:
        cursor.execute(count_sql, params)
        counted = cursor.fetchone()[0]
    assert counted == PetitionCase.objects.filter(search.search_q("ab")).count() == 1
    (count_sql, params), *_pages = list_floor(world.tree.high.path, None, None, search="张")
    with connection.cursor() as cursor:
        cursor.execute(count_sql, params)
        assert cursor.fetchone()[0] == 2
